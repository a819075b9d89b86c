"""Write the TensorBoard test fixtures with the real tools.

    python benchmarks/make_tb_fixtures_tf.py torch   # in .venv (torch SummaryWriter)
    /tmp/tfvenv/bin/python benchmarks/make_tb_fixtures_tf.py tf   # pip install tensorflow-cpu there

Each mode writes its folders under tests/fixtures/tensorboard/ and an
``expected_<mode>.json`` with the values that were written (float32-rounded where
the format stores float32), which the tests compare against what fitdoctor reads.
"""

from __future__ import annotations

import json
import math
import shutil
import struct
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tensorboard"
NEG_NAN = struct.unpack("<f", b"\x00\x00\xc0\xff")[0]  # NaN with the sign bit set


def f32(x: float) -> float:
    return float(np.float32(x))


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _jsonable(d):
    return {k: [None if isinstance(v, float) and math.isnan(v) else v for v in vals]
            if isinstance(vals, list) else _jsonable(vals) for k, vals in d.items()}


def make_torch() -> dict:
    from torch.utils.tensorboard import SummaryWriter

    exp: dict = {}
    root = _fresh(OUT / "torch_run")
    w = SummaryWriter(str(root))
    loss, val, acc_tr, acc_va, lr, gn, newstyle = [], [], [], [], [], [], []
    for step in range(20):
        l = 1.2 * math.exp(-step / 6) + 0.05
        v = l + 0.02 * step / 19
        g = float("nan") if step == 15 else 1.0 / (step + 1)
        w.add_scalar("Loss/train", l, step)
        w.add_scalar("Loss/val", v, step)
        w.add_scalar("learning_rate", 0.01 * 0.9 ** step, step)
        w.add_scalar("grad_norm", g, step)
        w.add_scalar("new_style_metric", 0.5 + step / 100, step, new_style=True)
        w.add_scalar("double_metric", 1 / 3 + step, step, new_style=True, double_precision=True)
        w.add_scalars("accuracy", {"train": 0.5 + step / 50, "val": 0.45 + step / 60}, step)
        if step % 5 == 0:
            w.add_histogram("weights", np.linspace(-1, 1, 50) * (step + 1), step, bins=8)
        if step % 10 == 0:
            w.add_text("notes", f"step {step}: all good", step)
        loss.append(f32(l)); val.append(f32(v)); lr.append(f32(0.01 * 0.9 ** step))
        gn.append(f32(g)); newstyle.append(f32(0.5 + step / 100))
        acc_tr.append(f32(0.5 + step / 50)); acc_va.append(f32(0.45 + step / 60))
    w.add_hparams({"lr": 0.01, "batch_size": 32}, {"hparam/accuracy": 0.81})
    w.close()
    exp["torch_run"] = {"steps": list(range(20)), "loss": loss, "val_loss": val, "lr": lr,
                        "grad_norm": gn, "new_style_metric": newstyle, "accuracy": acc_tr,
                        "val_accuracy": acc_va,
                        "double_metric": [1 / 3 + s for s in range(20)]}

    runs = _fresh(OUT / "runs")
    for k, name in enumerate(("exp1", "exp2")):
        w = SummaryWriter(str(runs / name))
        tl, vl = [], []
        for step in range(0, 100, 10):
            a, b = 0.9 / (1 + step / (20 + 30 * k)), 0.95 / (1 + step / (25 + 30 * k))
            w.add_scalar("train_loss", a, step)
            w.add_scalar("val_loss", b, step)
            tl.append(f32(a)); vl.append(f32(b))
        w.close()
        exp[f"runs/{name}"] = {"steps": list(range(0, 100, 10)), "loss": tl, "val_loss": vl}

    # A restarted run: two event files in one folder with overlapping steps.
    restart = _fresh(OUT / "restart")
    w = SummaryWriter(str(restart), filename_suffix=".a")
    for step in range(10):
        w.add_scalar("loss", 1.0 - step / 100, step)
    w.close()
    w = SummaryWriter(str(restart), filename_suffix=".b")
    for step in range(5, 15):
        w.add_scalar("loss", 2.0 - step / 100, step)
    w.close()
    exp["restart"] = {"steps": list(range(15)),
                      "loss": [f32(1.0 - s / 100) for s in range(5)]
                      + [f32(2.0 - s / 100) for s in range(5, 15)]}

    # A copy of the torch run's main file cut inside its last record, and an empty file.
    main = next(p for p in sorted(root.iterdir()) if p.is_file() and "tfevents" in p.name)
    data = main.read_bytes()
    trunc = _fresh(OUT / "truncated")
    (trunc / "events.out.tfevents.0.truncated").write_bytes(data[:-7])
    empty = _fresh(OUT / "empty")
    (empty / "events.out.tfevents.0.empty").write_bytes(b"")
    return exp


def make_tf() -> dict:
    import tensorflow as tf
    import keras

    exp: dict = {}
    root = _fresh(OUT / "keras_tf")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    hist = model.fit(x, y, validation_split=0.25, epochs=6, batch_size=32, verbose=0,
                     callbacks=[keras.callbacks.TensorBoard(str(root), histogram_freq=1)])
    exp["keras_tf"] = {k: [f32(v) for v in vals] for k, vals in hist.history.items()}

    # tf.summary directly: a NaN (sign bit set), inf, a float64 input (stored as
    # float32 by tf.summary.scalar) and a text summary.
    custom = _fresh(OUT / "tf_summary")
    w = tf.summary.create_file_writer(str(custom))
    values = [0.9, 0.7, NEG_NAN, 0.5, float("inf")]
    with w.as_default():
        for step, v in enumerate(values):
            tf.summary.scalar("loss", tf.constant(v, tf.float32), step=step)
            tf.summary.scalar("val_loss", tf.constant(v + 0.1, tf.float64), step=step)
            tf.summary.text("notes", f"step {step}", step=step)
    w.close()
    exp["tf_summary"] = {"steps": list(range(len(values))), "loss": [f32(v) for v in values],
                         "val_loss": [f32(v + 0.1) for v in values]}
    return exp


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "tf"
    expected = make_torch() if mode == "torch" else make_tf()
    (OUT / f"expected_{mode}.json").write_text(json.dumps(_jsonable(expected), indent=1))
    for p in sorted(OUT.rglob("*")):
        if p.is_file():
            print(p.relative_to(OUT), p.stat().st_size)
