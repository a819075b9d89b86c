"""Produce the console-output fixtures by running the real tools and capturing what they print.

Every fixture under tests/fixtures/console/ comes from a real training run here:

* Keras 3 (torch backend) ``fit`` with verbose=1 and verbose=2, stdout+stderr captured
  through a pipe (``python train.py 2>&1 > log``) and through a pseudo-terminal (what a
  user copies out of a terminal, with ``\\r``/``\\b`` progress bars and ``\\r\\n`` line ends);
* Keras 2 (tf.keras 2.15 from ``tensorflow-cpu==2.15.1``, in a separate venv) with the
  ``acc``/``val_acc`` spellings, when ``--tf-python`` points at that venv's python;
* Hugging Face ``Trainer`` (tiny BERT built from a config, no download) when
  ``--hf-path`` holds transformers+accelerate;
* Lightning with its default tqdm progress bar when ``--pl-path`` holds lightning;
* a hand-written torch loop printing ``Epoch 3 | train loss ... | val loss ...`` and
  ``epoch=3 loss=... val_loss=...`` lines.

Usage (from the repository root, in the project venv)::

    python benchmarks/make_console_fixtures.py --tf-python /tmp/tf/bin/python \\
        --hf-path /tmp/hf --pl-path /tmp/pl

The worker functions are importable: ``bench_console_consistency.py`` reuses
``keras_run`` to train faulty runs in a temp dir.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "console"
HERE = Path(__file__).resolve()
sys.path.insert(0, str(ROOT / "benchmarks" / "corpus"))

# shared with the corpus generator
from console_capture import capture, execute_notebook

# ------------------------------------------------------------------ workers (run in a child)

SCENARIOS = ("healthy", "overfit", "diverge", "chance", "slow")


def _data(scenario: str, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    if scenario == "overfit":
        x = rng.normal(size=(160, 40)).astype("float32")
        y = (x[:, :3].sum(1) + rng.normal(scale=1.5, size=160) > 0).astype("float32")
        return x, y, "binary"
    if scenario == "diverge":
        x = (rng.normal(size=(512, 10)) * 30).astype("float32")
        y = (x @ rng.normal(size=10)).astype("float32")
        return x, y, "regression"
    if scenario == "chance":
        x = rng.normal(size=(600, 12)).astype("float32")
        y = rng.integers(0, 3, size=600).astype("int64")
        return x, y, "multiclass"
    x = rng.normal(size=(800, 20)).astype("float32")
    y = (x[:, :5].sum(1) + rng.normal(scale=0.5, size=800) > 0).astype("float32")
    return x, y, "binary"


def keras_worker(scenarios: list[str], verbose: int, csv_dir: str | None, interrupt_at: int,
                 metric_name: str, callbacks_verbose: bool) -> None:
    """Train each scenario with ``model.fit``; Keras prints to this process's stdout."""
    import keras

    for n, scenario in enumerate(scenarios):
        keras.utils.set_random_seed(n)
        x, y, task = _data(scenario, seed=n)
        layers = [keras.Input(shape=(x.shape[1],))]
        if scenario == "overfit":
            layers += [keras.layers.Dense(256, activation="relu"), keras.layers.Dense(256, activation="relu")]
        else:
            layers += [keras.layers.Dense(32, activation="relu")]
        if task == "binary":
            layers.append(keras.layers.Dense(1, activation="sigmoid"))
            loss, metrics = "binary_crossentropy", [metric_name]
        elif task == "multiclass":
            layers.append(keras.layers.Dense(3, activation="softmax"))
            loss, metrics = "sparse_categorical_crossentropy", [metric_name]
        else:
            layers.append(keras.layers.Dense(1))
            loss, metrics = "mse", ["mae"]
        model = keras.Sequential(layers)
        opt = {
            "healthy": keras.optimizers.Adam(learning_rate=3e-3),
            "overfit": keras.optimizers.Adam(learning_rate=3e-3),
            "diverge": keras.optimizers.SGD(learning_rate=0.05),
            "chance": keras.optimizers.Adam(learning_rate=1e-4),
            "slow": keras.optimizers.SGD(learning_rate=2e-3),
        }[scenario]
        model.compile(optimizer=opt, loss=loss, metrics=metrics)
        cbs = []
        if csv_dir:
            cbs.append(keras.callbacks.CSVLogger(os.path.join(csv_dir, f"{scenario}.csv")))
        if callbacks_verbose:
            cbs.append(keras.callbacks.ReduceLROnPlateau(patience=3, verbose=1))
            cbs.append(keras.callbacks.EarlyStopping(patience=8, verbose=1))
            ckpt = os.path.join(tempfile.mkdtemp(prefix="fd-ckpt-"), "best.weights.h5")
            cbs.append(keras.callbacks.ModelCheckpoint(ckpt, save_best_only=True,
                                                       save_weights_only=True, verbose=1))
        if interrupt_at:
            class Interrupt(keras.callbacks.Callback):
                def on_epoch_begin(self, epoch, logs=None):
                    self.epoch = epoch

                def on_train_batch_end(self, batch, logs=None):
                    if self.epoch + 1 == interrupt_at and batch == 3:
                        raise KeyboardInterrupt

            cbs.append(Interrupt())
        epochs = {"healthy": 12, "overfit": 30, "diverge": 8, "chance": 12, "slow": 15}[scenario]
        model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.25, verbose=verbose,
                  callbacks=cbs)


def hand_loop_worker(style: str) -> None:
    """A hand-written torch loop printing one line per epoch, as tutorials do."""
    import torch

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(400, 8, generator=g)
    y = (x[:, 0] - x[:, 1] > 0).long()
    xt, yt, xv, yv = x[:300], y[:300], x[300:], y[300:]
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    lossf = torch.nn.CrossEntropyLoss()
    n_epochs = 15
    for epoch in range(1, n_epochs + 1):
        model.train()
        total = 0.0
        for i in range(0, 300, 30):
            opt.zero_grad()
            loss = lossf(model(xt[i:i + 30]), yt[i:i + 30])
            loss.backward()
            opt.step()
            total += loss.item() * 30
        model.eval()
        with torch.no_grad():
            out = model(xv)
            vl = lossf(out, yv).item()
            va = (out.argmax(1) == yv).float().mean().item()
        tl = total / 300
        if style == "pipes":
            print(f"Epoch {epoch} | train loss {tl:.4f} | val loss {vl:.4f} | val acc {va:.4f}", flush=True)
        elif style == "kv":
            print(f"epoch={epoch} loss={tl:.5f} val_loss={vl:.5f} val_accuracy={va:.3f} "
                  f"lr={opt.param_groups[0]['lr']:.2e}", flush=True)
        else:  # "colon": logging-module style with a timestamp prefix
            print(f"2026-11-23 09:0{epoch % 10}:00,000 INFO [train] Epoch {epoch}/{n_epochs}: "
                  f"loss: {tl:.4f}, val_loss: {vl:.4f}, val_acc: {va:.4f}", flush=True)


def hf_worker() -> None:
    """Hugging Face Trainer on a tiny BERT built from a config (nothing downloaded)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=16, num_labels=2)
    model = BertForSequenceClassification(cfg)
    g = torch.Generator().manual_seed(0)

    def make(n):
        ids = torch.randint(1, 64, (n, 8), generator=g)
        labels = (ids[:, 0] > 32).long()
        return [{"input_ids": ids[i], "attention_mask": torch.ones(8, dtype=torch.long),
                 "labels": labels[i]} for i in range(n)]

    def acc(p):
        import numpy as np

        return {"accuracy": float((np.argmax(p.predictions, -1) == p.label_ids).mean())}

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(output_dir=tmp, num_train_epochs=3, per_device_train_batch_size=16,
                                 per_device_eval_batch_size=32, learning_rate=1e-3, logging_steps=5,
                                 eval_strategy="epoch", save_strategy="no", report_to=[],
                                 use_cpu=True, seed=0)
        Trainer(model=model, args=args, train_dataset=make(240), eval_dataset=make(64),
                compute_metrics=acc).train()


def lightning_worker(bar: str) -> None:
    """Lightning with its progress bar (``rich`` default when rich is installed, or tqdm)."""
    import lightning.pytorch as pl
    import torch

    pl.seed_everything(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(512, 10, generator=g)
    y = (x[:, :3].sum(1) > 0).long()
    ds = torch.utils.data.TensorDataset(x, y)
    tr, va = torch.utils.data.random_split(ds, [384, 128], generator=g)

    class Net(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))

        def training_step(self, batch, _):
            xb, yb = batch
            loss = torch.nn.functional.cross_entropy(self.net(xb), yb)
            self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True)
            return loss

        def validation_step(self, batch, _):
            xb, yb = batch
            out = self.net(xb)
            self.log("val_loss", torch.nn.functional.cross_entropy(out, yb), prog_bar=True)
            self.log("val_acc", (out.argmax(1) == yb).float().mean(), prog_bar=True)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-2)

    with tempfile.TemporaryDirectory() as tmp:
        callbacks = [pl.callbacks.TQDMProgressBar()] if bar == "tqdm" else []
        trainer = pl.Trainer(max_epochs=6, default_root_dir=tmp, accelerator="cpu", logger=False,
                             enable_checkpointing=False, enable_model_summary=False,
                             callbacks=callbacks)
        trainer.fit(Net(), torch.utils.data.DataLoader(tr, batch_size=32),
                    torch.utils.data.DataLoader(va, batch_size=64))


NOTEBOOK_CELLS = [
    ("markdown", "# Three trainings in one notebook\nKeras verbose=1, a hand-written torch loop, Keras verbose=2."),
    ("code", """import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
rng = np.random.default_rng(0)
x = rng.normal(size=(800, 20)).astype("float32")
y = (x[:, :5].sum(1) + rng.normal(scale=0.5, size=800) > 0).astype("float32")
x.shape"""),
    ("code", """keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, epochs=10, batch_size=32, validation_split=0.25, verbose=1)"""),
    ("code", """import torch
torch.manual_seed(0)
xt, yt = torch.tensor(x[:600]), torch.tensor(y[:600])
xv, yv = torch.tensor(x[600:]), torch.tensor(y[600:])
net = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.SGD(net.parameters(), lr=1e-3)
lossf = torch.nn.BCEWithLogitsLoss()
for epoch in range(1, 13):
    for i in range(0, 600, 50):
        opt.zero_grad(); loss = lossf(net(xt[i:i+50]).squeeze(1), yt[i:i+50]); loss.backward(); opt.step()
    with torch.no_grad():
        tl = lossf(net(xt).squeeze(1), yt).item(); vl = lossf(net(xv).squeeze(1), yv).item()
    print(f"epoch {epoch}: train_loss={tl:.4f} val_loss={vl:.4f}")"""),
    ("code", """keras.utils.set_random_seed(1)
big = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(256, activation="relu"),
                        keras.layers.Dense(256, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
big.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
_ = big.fit(x[:120], y[:120], epochs=25, batch_size=16, validation_split=0.3, verbose=2)"""),
]


HF_NOTEBOOK_CELLS = [
    ("markdown", "# Hugging Face Trainer in a notebook\nThe Trainer shows its metrics as an HTML table here."),
    ("code", """import tempfile, numpy as np, torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
torch.manual_seed(0)
cfg = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                 intermediate_size=32, max_position_embeddings=16, num_labels=2)
g = torch.Generator().manual_seed(0)
def make(n):
    ids = torch.randint(1, 64, (n, 8), generator=g)
    labels = (ids[:, 0] > 32).long()
    return [{"input_ids": ids[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": labels[i]}
            for i in range(n)]
def acc(p):
    return {"accuracy": float((np.argmax(p.predictions, -1) == p.label_ids).mean())}
train, evald = make(240), make(64)"""),
    ("code", """args = TrainingArguments(output_dir=tempfile.mkdtemp(), num_train_epochs=4, per_device_train_batch_size=16,
                         learning_rate=1e-3, logging_steps=5, eval_strategy="epoch", save_strategy="no",
                         report_to=[], use_cpu=True, seed=0)
trainer = Trainer(model=BertForSequenceClassification(cfg), args=args, train_dataset=train,
                  eval_dataset=evald, compute_metrics=acc)
trainer.train()"""),
]


def make_notebook(out: Path, nb_path: str, cells=None, extra_path: str = "") -> None:
    """Build the notebook above and execute it with nbclient (a real ipykernel)."""
    sys.path.insert(0, nb_path)
    execute_notebook(cells or NOTEBOOK_CELLS, out, env={
        "PYTHONPATH": os.pathsep.join(p for p in (nb_path, extra_path) if p), "HF_HUB_OFFLINE": "1",
        "KERAS_BACKEND": "torch", "KERAS_HOME": tempfile.mkdtemp(prefix="fd-keras-home-")})


# ------------------------------------------------------------------ detection logs (no trainer here)
#
# ultralytics needs torch 2.14 + torchvision (CUDA wheels) and detectron2/mmdet do not install
# on this torch, so these files are written with the exact statements their trainers use
# (quoted in fitdoctor/io/yolo.py and io/detectron.py); the numbers are seeded synthetic curves.

def _curve(rng, n, start, end, noise):
    import numpy as np

    t = np.arange(n) / max(n - 1, 1)
    return start + (end - start) * (1 - np.exp(-4 * t)) / (1 - np.exp(-4)) + rng.normal(0, noise, n)


def make_detection_fixtures(root: Path) -> None:
    import json

    import numpy as np

    rng = np.random.default_rng(0)
    yolo = root / "yolo"
    yolo.mkdir(parents=True, exist_ok=True)
    n = 20
    metrics = {
        "train/box_loss": _curve(rng, n, 1.6, 0.9, 0.02), "train/cls_loss": _curve(rng, n, 3.2, 1.1, 0.03),
        "train/dfl_loss": _curve(rng, n, 1.5, 1.05, 0.01),
        "metrics/precision(B)": _curve(rng, n, 0.05, 0.7, 0.02), "metrics/recall(B)": _curve(rng, n, 0.1, 0.6, 0.02),
        "metrics/mAP50(B)": _curve(rng, n, 0.02, 0.62, 0.01), "metrics/mAP50-95(B)": _curve(rng, n, 0.01, 0.41, 0.01),
        "val/box_loss": _curve(rng, n, 1.5, 1.2, 0.02), "val/cls_loss": _curve(rng, n, 3.0, 1.6, 0.03),
        "val/dfl_loss": _curve(rng, n, 1.4, 1.2, 0.01),
        "lr/pg0": np.linspace(0.0007, 0.0001, n), "lr/pg1": np.linspace(0.0007, 0.0001, n),
        "lr/pg2": np.linspace(0.0007, 0.0001, n),
    }
    keys = list(metrics)
    # current Ultralytics BaseTrainer.save_metrics: epoch (from 1), time, "%.6g"
    lines = []
    for e in range(n):
        vals = [metrics[k][e] for k in keys]
        ncol = len(keys) + 2
        if e == 0:
            lines.append(("%s," * ncol % ("epoch", "time", *keys)).rstrip(",") + "\n")
        lines.append(("%.6g," * ncol % (e + 1, 31.7 * (e + 1), *vals)).rstrip(",") + "\n")
    (yolo / "results.csv").write_text("".join(lines))
    # YOLOv8 8.0.x: '%23s,' header and '%23.5g,' rows, no time column
    lines = []
    for e in range(n):
        vals = [metrics[k][e] for k in keys]
        ncol = len(keys) + 1
        if e == 0:
            lines.append(("%23s," * ncol % tuple(["epoch"] + keys)).rstrip(",") + "\n")
        lines.append(("%23.5g," * ncol % tuple([e] + vals)).rstrip(",") + "\n")
    (yolo / "results_v8_0.csv").write_text("".join(lines))
    # YOLOv5 loggers: '%20s,' header (keys from utils/loggers), '%20.5g,' rows
    v5 = ["train/box_loss", "train/obj_loss", "train/cls_loss", "metrics/precision", "metrics/recall",
          "metrics/mAP_0.5", "metrics/mAP_0.5:0.95", "val/box_loss", "val/obj_loss", "val/cls_loss",
          "x/lr0", "x/lr1", "x/lr2"]
    src = ["train/box_loss", "train/dfl_loss", "train/cls_loss", "metrics/precision(B)", "metrics/recall(B)",
           "metrics/mAP50(B)", "metrics/mAP50-95(B)", "val/box_loss", "val/dfl_loss", "val/cls_loss",
           "lr/pg0", "lr/pg1", "lr/pg2"]
    lines = [("%20s," * 14 % tuple(["epoch"] + v5)).rstrip(",") + "\n"]
    for e in range(n):
        lines.append(("%20.5g," * 14 % tuple([e] + [metrics[k][e] / (20 if "loss" in k else 1) for k in src])
                      ).rstrip(",") + "\n")
    (yolo / "results_v5.csv").write_text("".join(lines))

    det = root / "detectron"
    det.mkdir(parents=True, exist_ok=True)
    # detectron2 JSONWriter: json.dumps(scalars, sort_keys=True) per line, every 20 iterations;
    # the COCO evaluator's results land at the eval iteration (0-100 scale)
    it = np.arange(19, 2000, 20)
    total = _curve(rng, len(it), 2.4, 0.7, 0.05)
    out = []
    for i, x in enumerate(it):
        rec = {"data_time": float(abs(rng.normal(0.004, 0.001))), "eta_seconds": float((2000 - x) * 0.3),
               "fast_rcnn/cls_accuracy": float(min(0.99, 0.7 + 0.25 * i / len(it))),
               "fast_rcnn/false_negative": float(max(0.0, 0.9 - 0.8 * i / len(it))),
               "fast_rcnn/fg_cls_accuracy": float(0.1 + 0.7 * i / len(it)), "iteration": int(x),
               "loss_box_reg": float(total[i] * 0.3), "loss_cls": float(total[i] * 0.4),
               "loss_rpn_cls": float(total[i] * 0.2), "loss_rpn_loc": float(total[i] * 0.1),
               "lr": float(0.00025 * min(1.0, (x + 1) / 1000)), "rank_data_time": 0.0041,
               "time": float(abs(rng.normal(0.3, 0.02))), "total_loss": float(total[i])}
        out.append(json.dumps(rec, sort_keys=True))
        if (x + 1) % 500 == 0:
            ap = 10 + 25 * (x + 1) / 2000
            ev = {"bbox/AP": ap, "bbox/AP50": ap * 1.6, "bbox/AP75": ap * 0.9, "bbox/APl": ap * 1.3,
                  "bbox/APm": ap * 0.8, "bbox/APs": ap * 0.3, "bbox/AP-balloon": ap, "iteration": int(x)}
            out.append(json.dumps(ev, sort_keys=True))
    (det / "metrics.json").write_text("\n".join(out) + "\n")
    # MMDetection 2.x TextLoggerHook: meta line first, floats rounded to 5 places, mmcv json dump
    out = [json.dumps({"env_info": "sys.platform: linux\nPython: 3.8.10\nPyTorch: 1.9.0", "config":
                       "model = dict(type='FasterRCNN')\n", "seed": 0, "exp_name": "faster_rcnn_r50_fpn_1x_coco.py",
                       "hook_msgs": {}})]
    for ep in range(1, 13):
        for k, inner in enumerate(range(50, 401, 50)):
            loss = float(_curve(rng, 1, 1.2 / ep ** 0.3, 1.2 / ep ** 0.3, 0.03)[0])
            out.append(json.dumps({"mode": "train", "epoch": ep, "iter": inner, "lr": 0.02, "memory": 3963,
                                   "data_time": round(float(abs(rng.normal(0.05, 0.01))), 5),
                                   "loss_rpn_cls": round(loss * 0.1, 5), "loss_rpn_bbox": round(loss * 0.08, 5),
                                   "loss_cls": round(loss * 0.45, 5), "acc": round(80 + ep, 5),
                                   "loss_bbox": round(loss * 0.37, 5), "loss": round(loss, 5),
                                   "time": round(float(abs(rng.normal(0.4, 0.02))), 5)}))
        m = round(0.2 + 0.15 * (1 - np.exp(-ep / 4)), 3)
        out.append(json.dumps({"mode": "val", "epoch": ep, "iter": 625, "lr": 0.02, "bbox_mAP": m,
                               "bbox_mAP_50": round(m * 1.6, 3), "bbox_mAP_75": round(m * 1.1, 3),
                               "bbox_mAP_s": round(m * 0.5, 3), "bbox_mAP_m": round(m * 1.1, 3),
                               "bbox_mAP_l": round(m * 1.3, 3),
                               "bbox_mAP_copypaste": f"{m} {m * 1.6:.3f} {m * 1.1:.3f} -1.000 -1.000 -1.000"}))
    (det / "20260101_000000.log.json").write_text("\n".join(out) + "\n")
    print(f"wrote {yolo.relative_to(ROOT)}/*.csv and {det.relative_to(ROOT)}/*.json")


# ------------------------------------------------------------------ capturing (the parent)
#
# capture() and execute_notebook() live in corpus/console_capture.py (the corpus's console
# and notebook runs use them too).

def keras_run(scenarios: list[str], verbose: int, out: Path, *, mode: str = "pipe",
              python: str = sys.executable, csv_dir: str | None = None, interrupt_at: int = 0,
              metric_name: str = "accuracy", callbacks_verbose: bool = False) -> bytes:
    """Run ``keras_worker`` in a child python and capture its console output to ``out``."""
    cmd = [python, str(HERE), "--worker", "keras", "--scenarios", ",".join(scenarios),
           "--verbose", str(verbose), "--metric", metric_name]
    if csv_dir:
        cmd += ["--csv-dir", csv_dir]
    if interrupt_at:
        cmd += ["--interrupt-at", str(interrupt_at)]
    if callbacks_verbose:
        cmd += ["--callbacks-verbose"]
    keras_home = tempfile.mkdtemp(prefix="fd-keras-home-")
    return capture(cmd, out, mode, env={"KERAS_BACKEND": "torch", "KERAS_HOME": keras_home,
                                        "PYTHONPATH": ""})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--scenarios", default="healthy")
    ap.add_argument("--verbose", type=int, default=2)
    ap.add_argument("--csv-dir")
    ap.add_argument("--interrupt-at", type=int, default=0)
    ap.add_argument("--metric", default="accuracy")
    ap.add_argument("--callbacks-verbose", action="store_true")
    ap.add_argument("--style", default="pipes")
    ap.add_argument("--tf-python", help="python of a venv with tensorflow-cpu==2.15.1 (Keras 2)")
    ap.add_argument("--hf-path", help="a --target folder with transformers and accelerate")
    ap.add_argument("--pl-path", help="a --target folder with lightning")
    ap.add_argument("--nb-path", help="a --target folder with nbclient, ipykernel, nbformat")
    ap.add_argument("--only-notebook", action="store_true")
    ap.add_argument("--only-lightning", action="store_true")
    ap.add_argument("--only-detection", action="store_true")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    if a.nb_path:
        make_notebook(ROOT / "tests" / "fixtures" / "notebook" / "three_trainings.ipynb", a.nb_path)
        if a.hf_path:
            make_notebook(ROOT / "tests" / "fixtures" / "notebook" / "hf_trainer.ipynb", a.nb_path,
                          HF_NOTEBOOK_CELLS, a.hf_path)
        if a.only_notebook:
            return
    if a.worker == "keras":
        keras_worker(a.scenarios.split(","), a.verbose, a.csv_dir, a.interrupt_at, a.metric,
                     a.callbacks_verbose)
        return
    if a.worker == "hand":
        hand_loop_worker(a.style)
        return
    if a.worker == "hf":
        hf_worker()
        return
    if a.worker == "lightning":
        lightning_worker(a.style)
        return

    out = Path(a.out)
    if a.only_detection:
        make_detection_fixtures(out.parent)
        return
    if a.only_lightning:
        for bar in ("tqdm", "rich"):
            capture([sys.executable, str(HERE), "--worker", "lightning", "--style", bar],
                    out / f"lightning_{bar}.log", "pipe", env={"PYTHONPATH": a.pl_path})
        return
    with tempfile.TemporaryDirectory() as csv_dir:
        keras_run(["healthy"], 2, out / "keras3_v2_healthy.log", csv_dir=csv_dir)
        (out / "keras3_healthy_csvlogger.csv").write_bytes(Path(csv_dir, "healthy.csv").read_bytes())
    keras_run(["overfit"], 2, out / "keras3_v2_overfit_callbacks.log", callbacks_verbose=True)
    keras_run(["healthy"], 1, out / "keras3_v1_healthy_pipe.log")
    keras_run(["diverge"], 1, out / "keras3_v1_diverge_pty.log", mode="pty")
    keras_run(["chance"], 1, out / "keras3_v1_chance_pty.log", mode="pty")
    keras_run(["healthy", "overfit"], 2, out / "keras3_v2_two_runs.log")
    keras_run(["healthy"], 1, out / "keras3_v1_interrupted_pty.log", mode="pty", interrupt_at=5)
    for style in ("pipes", "kv", "colon"):
        capture([sys.executable, str(HERE), "--worker", "hand", "--style", style],
                out / f"handloop_{style}.log", "pipe")
    make_detection_fixtures(out.parent)
    if a.tf_python:
        env = {"PYTHONPATH": "", "TF_CPP_MIN_LOG_LEVEL": "0"}
        for verbose, mode in ((2, "pipe"), (1, "pty")):
            cmd = [a.tf_python, str(HERE), "--worker", "keras", "--scenarios", "healthy",
                   "--verbose", str(verbose), "--metric", "acc", "--callbacks-verbose"]
            capture(cmd, out / f"keras2_v{verbose}_healthy_{mode}.log", mode, env=env)
    if a.hf_path:
        capture([sys.executable, str(HERE), "--worker", "hf"], out / "hf_trainer.log", "pipe",
                env={"PYTHONPATH": a.hf_path, "TRANSFORMERS_VERBOSITY": "warning",
                     "HF_HUB_OFFLINE": "1", "HF_HOME": tempfile.mkdtemp()})
    if a.pl_path:
        for bar in ("tqdm", "rich"):
            capture([sys.executable, str(HERE), "--worker", "lightning", "--style", bar],
                    out / f"lightning_{bar}.log", "pipe", env={"PYTHONPATH": a.pl_path})


if __name__ == "__main__":
    main()
