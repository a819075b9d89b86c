"""Console fixtures for two shapes the console reader once refused: tqdm epoch bars and GPU-run Keras logs.

Every run here is real (Keras 3 on the torch backend, or a torch loop, on this CPU machine):

* ``tqdm_keras_logging.log``: ``tqdm.keras.TqdmCallback(verbose=0)`` with ``desc="Epoch
  progress"`` sent through the usual "tqdm to logging" file object, so each bar update is a
  timestamped ``logging`` record (``2024-03-05 14:02:11,532 - INFO - Epoch progress:  10%|█ |
  1/10 [00:26<04:01, 26.86s/epoch, accuracy=0.019, loss=4.82, ...]``), between the script's
  own log lines; its twin ``tqdm_keras_csvlogger.csv`` is the same run's CSVLogger file;
* ``tqdm_keras_stderr.log``: ``TqdmCallback(verbose=0)`` on stderr through a pipe (every
  update rewritten with ``\\r`` on one physical line), a ``logging`` handler on the same
  stream whose per-epoch record lands glued after the bar; same run, same CSVLogger numbers;
* ``tqdm_keras_batches.log``: ``TqdmCallback()`` with its default verbose=1, a batch bar
  (``1.00/15.0 [..., 7.48batch/s, accuracy=..., loss=...]``, running averages) under the
  epoch bar, through a pipe (tqdm then moves between the bars with ``\\n`` and ``ESC[A``);
* ``tqdm_loop_colon.log`` + ``tqdm_loop_history.csv``: a hand-written torch loop over
  ``tqdm(range(epochs), unit="epoch")`` with ``set_postfix_str("loss: 0.41, val_loss: ...")``
  (the ``name: value`` postfix), and the CSV the loop itself wrote;
* ``keras3_v2_gpu_xla.log`` and ``keras3_v1_gpu_xla_pty.log`` (+ ``keras3_gpu_csvlogger.csv``):
  ``model.fit`` with ModelCheckpoint, ReduceLROnPlateau and EarlyStopping (all verbose),
  verbose=2 through a pipe and verbose=1 through a pseudo-terminal. There is no GPU here, so
  the TensorFlow/XLA C++ log lines a GPU run writes to stderr (startup, XLA service, cuDNN,
  "Compiled cluster using XLA!", the tf.data end-of-sequence warning) are INSERTED into the
  real output where a GPU run writes them, glued onto an unfinished progress bar where the
  bar had no newline yet; with ``model.summary()`` that preamble is longer than the 8 KiB
  a reader sniffs. Each training step sleeps 60 ms (a GPU step with its input
  pipeline) so the finished-batch bar is printed before validation as on a GPU; the
  numbers are the real run's. tests/fixtures/console/README.md says the same.

    KERAS_BACKEND=torch python benchmarks/make_console_fixtures_tqdm_gpu.py   # ~2 minutes

Needs ``tqdm`` (not a fitdoctor dependency) besides keras and torch.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "console"
HERE = Path(__file__).resolve()
sys.path.insert(0, str(ROOT / "benchmarks" / "corpus"))

from console_capture import capture  # noqa: E402

# ------------------------------------------------------------------ workers (run in a child)


def _model(x, hidden=(64,), lr=3e-3):
    import keras

    layers = [keras.Input(shape=(x.shape[1],))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _binary_data(n, d, noise, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, :4].sum(1) + rng.normal(scale=noise, size=n) > 0).astype("float32")
    return x, y


def tqdm_keras_worker(style: str, csv_path: str) -> None:
    """Keras fit with verbose=0 and tqdm's TqdmCallback showing one bar over the epochs."""
    import io
    import logging
    import time

    import keras
    from tqdm.keras import TqdmCallback

    fmt = "%(asctime)s - %(levelname)s - %(message)s"
    logging.basicConfig(level=logging.INFO, format=fmt, stream=sys.stderr)
    log = logging.getLogger("train")

    class TqdmToLogger(io.StringIO):
        """The usual recipe: tqdm writes here, each flush becomes one log record."""

        def __init__(self, logger, level=logging.INFO):
            super().__init__()
            self.logger, self.level, self.buf = logger, level, ""

        def write(self, buf):
            self.buf = buf.strip("\r\n\t ")

        def flush(self):
            if self.buf:
                self.logger.log(self.level, self.buf)

    class SlowInput(keras.callbacks.Callback):
        """An input pipeline that takes a moment each epoch (so every epoch's update is shown)."""

        def on_epoch_begin(self, epoch, logs=None):
            time.sleep(0.15)

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.info("epoch %d done, lr=%.2e", epoch + 1, float(self.model.optimizer.learning_rate))

    keras.utils.set_random_seed(0)
    x, y = _binary_data(1200, 24, 1.0, 0)
    log.info("Loaded %d samples with %d features", len(x), x.shape[1])
    model = _model(x, hidden=(64, 64))
    log.info("Model compiled: %d parameters", model.count_params())
    cbs = [SlowInput(), keras.callbacks.CSVLogger(csv_path)]
    if style == "logging":
        cbs.append(TqdmCallback(verbose=0, desc="Epoch progress", file=TqdmToLogger(log)))
    elif style == "batches":  # TqdmCallback's default verbose=1: a batch bar under the epoch bar
        cbs.append(TqdmCallback())
    else:  # stderr: the bar and the log records share one stream
        cbs += [TqdmCallback(verbose=0), EpochLog()]
    model.fit(x, y, epochs=10, batch_size=64, validation_split=0.2, verbose=0, callbacks=cbs)
    log.info("Training finished")


def tqdm_loop_worker(csv_path: str) -> None:
    """A hand-written torch loop over a tqdm epoch bar with a ``name: value`` postfix string."""
    import csv
    import time

    import torch
    from tqdm import tqdm

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(600, 10, generator=g)
    y = (x[:, 0] + x[:, 1] - x[:, 2] > 0).long()
    xt, yt, xv, yv = x[:450], y[:450], x[450:], y[450:]
    model = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    lossf = torch.nn.CrossEntropyLoss()
    rows = []
    pbar = tqdm(range(15), desc="Training", unit="epoch")
    for epoch in pbar:
        total = 0.0
        for i in range(0, 450, 45):
            opt.zero_grad()
            loss = lossf(model(xt[i:i + 45]), yt[i:i + 45])
            loss.backward()
            opt.step()
            total += loss.item() * 45
        with torch.no_grad():
            out = model(xv)
            vl = lossf(out, yv).item()
            va = (out.argmax(1) == yv).float().mean().item()
        tl = total / 450
        rows.append({"epoch": epoch + 1, "loss": round(tl, 4), "val_loss": round(vl, 4), "val_acc": round(va, 4)})
        pbar.set_postfix_str(f"loss: {tl:.4f}, val_loss: {vl:.4f}, val_acc: {va:.4f}")
        time.sleep(0.12)  # the data loader of a real loop
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def keras_callbacks_worker(verbose: int, csv_path: str) -> None:
    """Keras fit with verbose ModelCheckpoint, ReduceLROnPlateau and EarlyStopping."""
    import time

    import keras

    class GpuStep(keras.callbacks.Callback):
        """A GPU step with its input pipeline takes tens of ms: the bar shows every batch."""

        def on_train_batch_end(self, batch, logs=None):
            time.sleep(0.06)

    keras.utils.set_random_seed(1)
    x, y = _binary_data(600, 40, 1.5, 1)
    model = _model(x, hidden=(128, 128), lr=1e-3)
    model.summary()
    ckpt = os.path.join(tempfile.mkdtemp(prefix="fd-ckpt-"), "best.keras")
    cbs = [GpuStep(),
           keras.callbacks.ModelCheckpoint(ckpt, monitor="val_loss", save_best_only=True, verbose=1),
           keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=2, verbose=1),
           keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True, verbose=1),
           keras.callbacks.CSVLogger(csv_path)]
    model.fit(x, y, epochs=40, batch_size=32, validation_split=0.25, verbose=verbose, callbacks=cbs)


# ------------------------------------------------------------------ TF/XLA lines of a GPU run

def _stamp(t: float) -> str:
    import datetime

    d = datetime.datetime(2024, 5, 1, 10, 11, 0) + datetime.timedelta(seconds=t)
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")


TF_STARTUP = [  # what `import tensorflow` and the first op print on a CUDA machine
    "{t0}: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] Unable to register cuDNN factory: "
    "Attempting to register factory for plugin cuDNN when one has already been registered",
    "{t0}: E external/local_xla/xla/stream_executor/cuda/cuda_fft.cc:607] Unable to register cuFFT factory: "
    "Attempting to register factory for plugin cuFFT when one has already been registered",
    "{t0}: E external/local_xla/xla/stream_executor/cuda/cuda_blas.cc:1515] Unable to register cuBLAS factory: "
    "Attempting to register factory for plugin cuBLAS when one has already been registered",
    "{t0}: I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is optimized to use "
    "available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with "
    "the appropriate compiler flags.",
    *["{t1}: I external/local_xla/xla/stream_executor/cuda/cuda_executor.cc:901] successful NUMA node read "
      "from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA node "
      "zero. See more at https://github.com/torvalds/linux/blob/v6.0/Documentation/ABI/testing/"
      "sysfs-bus-pci#L344-L355"] * 16,
    "{t1}: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1929] Created device "
    "/job:localhost/replica:0/task:0/device:GPU:0 with 13949 MB memory:  -> device: 0, name: Tesla T4, "
    "pci bus id: 0000:00:04.0, compute capability: 7.5",
]
XLA_FIRST_STEP = [  # the first train step compiles: XLA service and cuDNN come up
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1714558272.123456   12345 service.cc:145] XLA service 0x7f3a4c004e80 initialized for "
    "platform CUDA (this does not guarantee that XLA will be used). Devices:",
    "I0000 00:00:1714558272.123503   12345 service.cc:153]   StreamExecutor device (0): Tesla T4, "
    "Compute Capability 7.5",
    "{t2}: I tensorflow/compiler/mlir/tensorflow/utils/dump_mlir_util.cc:268] disabling MLIR crash "
    "reproducer, set env var `MLIR_CRASH_REPRODUCER_DIRECTORY` to enable.",
    "I0000 00:00:1714558272.402117   12345 cuda_dnn.cc:529] Loaded cuDNN version 8906",
    "I0000 00:00:1714558273.517385   12345 device_compiler.h:188] Compiled cluster using XLA!  This line is "
    "logged at most once for the lifetime of the process.",
]
#: tf.data at the end of the first epoch's training data, and the validation function compiling
END_OF_DATA = ["{t3}: W tensorflow/core/framework/local_rendezvous.cc:404] Local rendezvous is aborting "
               "with status: OUT_OF_RANGE: End of sequence",
               "\t [[{{{{node IteratorGetNext}}}}]]"]
VAL_COMPILE = ["W0000 00:00:1714558274.021899   12345 graph_launch.cc:671] Fallback to op-by-op mode "
               "because memset node breaks graph update"]


def _lines(block: list[str], t: float, eol: str) -> str:
    fill = {f"t{i}": _stamp(t + i * 0.4) for i in range(4)}
    return "".join(line.format(**fill) + eol for line in block)


_BAR = re.compile(r"\r(?:\x1b\[1m)?\s*(\d+)/(\d+)(?:\x1b\[0m)?[^\r\n\x08]*")


def add_gpu_lines(data: bytes, eol: str) -> bytes:
    """The real output with the TF/XLA lines a GPU run writes, where it writes them.

    First, TensorFlow's startup (building the model creates the GPU device), before
    ``model.summary()``. After ``Epoch 1/N``: the XLA/cuDNN lines of the first compiled step,
    "Compiled cluster using XLA!" last. At the end of epoch 1's training
    data, tf.data's end-of-sequence warning; at epoch 2's validation, the op-by-op fallback.
    Those three arrive while a verbose=1 bar has no newline yet, so they are glued onto the
    bar (the first update of epoch 1, then the finished training bar of epochs 1 and 2);
    verbose=2 prints nothing between the header and the epoch's line, so there they come
    on their own lines, before the callbacks' messages.
    """
    text = _lines(TF_STARTUP, 0.0, eol) + data.decode("utf-8")  # before model.summary()
    head_end = text.index(eol, text.index("Epoch 1/")) + len(eol)
    text = text[:head_end] + _lines(XLA_FIRST_STEP[:-1], 1.0, eol) + text[head_end:]
    inserts = []  # (position, lines)
    for ep, block, where in ((1, XLA_FIRST_STEP[-1:], "first"), (1, END_OF_DATA, "finished"),
                             (2, VAL_COMPILE, "finished")):
        start = text.index(f"Epoch {ep}/")
        end = text.index(f"Epoch {ep + 1}/")
        bars = [m for m in _BAR.finditer(text, start, end)]
        if bars:  # verbose=1: glued onto a bar update
            if where == "first":
                at = bars[0].end()
            else:
                done = [m for m in bars if m.group(1) == m.group(2) and "val_loss" not in m.group(0)]
                at = done[-1].end()
        else:  # verbose=2: after the header (and the lines already put there)
            at = text.index(eol, start) + len(eol)
            while text.startswith(("I0000", "W0000", "WARNING", "2024-", "\t"), at):
                at = text.index(eol, at) + len(eol)
        inserts.append((at, _lines(block, 2.0 + ep, eol)))
    for _, (at, lines) in sorted(enumerate(inserts), key=lambda t: (t[1][0], t[0]), reverse=True):
        text = text[:at] + lines + text[at:]  # the last first; at one place, in list order
    return text.encode("utf-8")


# ------------------------------------------------------------------ the parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--style", default="logging")
    ap.add_argument("--verbose", type=int, default=2)
    ap.add_argument("--csv")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    if a.worker == "tqdm-keras":
        tqdm_keras_worker(a.style, a.csv)
        return
    if a.worker == "tqdm-loop":
        tqdm_loop_worker(a.csv)
        return
    if a.worker == "keras-callbacks":
        keras_callbacks_worker(a.verbose, a.csv)
        return

    out = Path(a.out)
    env = {"KERAS_BACKEND": "torch", "KERAS_HOME": tempfile.mkdtemp(prefix="fd-keras-home-"),
           "PYTHONPATH": ""}
    me = [sys.executable, str(HERE)]
    with tempfile.TemporaryDirectory() as tmp:
        for style in ("logging", "stderr", "batches"):
            csv = os.path.join(tmp, f"{style}.csv")
            capture(me + ["--worker", "tqdm-keras", "--style", style, "--csv", csv],
                    out / f"tqdm_keras_{style}.log", "pipe", env=env)
        (out / "tqdm_keras_csvlogger.csv").write_bytes(Path(tmp, "logging.csv").read_bytes())
        for style in ("stderr", "batches"):
            if Path(tmp, "logging.csv").read_bytes() != Path(tmp, f"{style}.csv").read_bytes():
                print(f"warning: the {style} tqdm run did not train the numbers of the logging one")
        capture(me + ["--worker", "tqdm-loop", "--csv", str(out / "tqdm_loop_history.csv")],
                out / "tqdm_loop_colon.log", "pipe", env=env)
        raw = {}
        for verbose, mode in ((2, "pipe"), (1, "pty")):
            csv = os.path.join(tmp, f"gpu{verbose}.csv")
            raw[verbose] = capture(me + ["--worker", "keras-callbacks", "--verbose", str(verbose), "--csv", csv],
                                   Path(tmp, f"v{verbose}.log"), mode, env=env)
        (out / "keras3_gpu_csvlogger.csv").write_bytes(Path(tmp, "gpu2.csv").read_bytes())
        if Path(tmp, "gpu1.csv").read_bytes() != Path(tmp, "gpu2.csv").read_bytes():
            print("warning: the verbose=1 and verbose=2 runs did not train the same numbers")
        (out / "keras3_v2_gpu_xla.log").write_bytes(add_gpu_lines(raw[2], "\n"))
        (out / "keras3_v1_gpu_xla_pty.log").write_bytes(add_gpu_lines(raw[1], "\r\n"))
    print("wrote keras3_v2_gpu_xla.log and keras3_v1_gpu_xla_pty.log (TF/XLA lines inserted)")


if __name__ == "__main__":
    main()
