"""Keras 3 (torch backend) training with Keras's own callbacks writing the log.

``CSVLogger`` writes ``training.log`` during the logged ``fit``; the oracle's look
into the future is a second ``fit(initial_epoch=...)`` on the same model and
optimizer, with no logger attached. For the console and notebook writers (``CAPTURED``) the
run is trained in a child process or a notebook kernel whose printed output is the log
(``train_console``, ``train_notebook``), the CSVLogger writing ``training.log`` beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", "/tmp/fitdoctor_corpus_keras_home")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from data import Data  # noqa: E402
from spec import Result, Spec  # noqa: E402


def _model(spec: Spec, data: Data) -> keras.Model:
    reg = keras.regularizers.L2(spec.wd) if spec.wd else None
    layers: list = [keras.Input((data.Xtr.shape[1],))]
    for h in spec.hidden:
        layers.append(keras.layers.Dense(h, activation=spec.act, kernel_regularizer=reg))
        if spec.dropout:
            layers.append(keras.layers.Dropout(spec.dropout))
    if data.task == "binary":
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
        loss, metrics = "binary_crossentropy", ["accuracy"]
    elif data.task == "multiclass":
        layers.append(keras.layers.Dense(data.n_classes, activation="softmax"))
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        layers.append(keras.layers.Dense(1))
        loss, metrics = "mse", ["mae"]
    model = keras.Sequential(layers)
    kw = {"learning_rate": spec.lr}
    if spec.clip:
        kw["clipnorm"] = spec.clip
    opt = {
        "sgd": lambda: keras.optimizers.SGD(momentum=spec.momentum, **kw),
        "adam": lambda: keras.optimizers.Adam(**kw),
        "adamw": lambda: keras.optimizers.AdamW(**kw),
        "rmsprop": lambda: keras.optimizers.RMSprop(**kw),
    }[spec.opt]()
    model.compile(optimizer=opt, loss=loss, metrics=metrics)
    return model


def _schedule(spec: Spec):
    from train_torch import lr_at

    return keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr_at(spec, epoch))


def _final_facts(model: keras.Model, data: Data) -> dict[str, float]:
    facts: dict[str, float] = {}
    facts["train_loss_eval"] = float(model.evaluate(data.Xtr, data.ytr, verbose=0, batch_size=512)[0])
    if data.task == "regression":
        return facts
    p = model.predict(data.Xva, verbose=0, batch_size=512)
    if data.task == "binary":
        pred = (p[:, 0] > 0.5).astype(int)
        conf = p[:, 0]
    else:
        pred = p.argmax(-1)
        conf = p.max(-1)
    counts = np.bincount(pred, minlength=max(data.n_classes, 1))
    facts["pred_top_share"] = float(counts.max() / counts.sum())
    facts["prob_std"] = float(np.nan_to_num(conf).std())
    facts["val_acc_eval"] = float((pred == data.yva).mean())
    return facts


#: writers whose Keras run is trained in a child process (console) or a notebook kernel, the
#: logged fit printing (verbose=2 / verbose=1) while CSVLogger writes training.log beside it
CAPTURED = ("keras-console2", "keras-console1", "notebook")


def fit_logged(model: keras.Model, spec: Spec, data: Data, run_dir: Path, verbose: int = 0):
    """The logged ``fit``: CSVLogger writes ``run_dir/training.log`` for keras-csv and the captured
    writers; ``verbose`` is what it prints (0 for the in-process writers)."""
    cbs: list = []
    if spec.fmt == "keras-csv" or spec.fmt in CAPTURED:
        cbs.append(keras.callbacks.CSVLogger(str(Path(run_dir) / "training.log")))
    if spec.schedule:
        cbs.append(_schedule(spec))
    if spec.patience is not None:
        cbs.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=spec.patience,
                                                 restore_best_weights=True))
    return model.fit(data.Xtr, data.ytr, validation_data=(data.Xva, data.yva), batch_size=spec.batch,
                     epochs=spec.epochs, callbacks=cbs, verbose=verbose)


def finish(model: keras.Model, spec: Spec, data: Data, history, t0: float) -> Result:
    """After the logged fit: the oracle's facts and the unlogged continuation (prints nothing)."""
    hist = {k: [float(x) for x in v] for k, v in history.history.items()}
    n_logged = len(hist["loss"])
    final = _final_facts(model, data)
    extra = int(round(n_logged * spec.extend)) if spec.extend else 0
    if extra and np.all(np.isfinite(hist["loss"])):
        cont = [_schedule(spec)] if spec.schedule else []
        h2 = model.fit(data.Xtr, data.ytr, initial_epoch=n_logged, epochs=n_logged + extra,
                       callbacks=cont, validation_data=(data.Xva, data.yva), batch_size=spec.batch,
                       verbose=0)
        for k, v in h2.history.items():
            if k in hist:
                hist[k].extend(float(x) for x in v)
    return Result(hist, n_logged, final, time.perf_counter() - t0)


def train(spec: Spec, data: Data, run_dir: Path, verbose: int = 0) -> Result:
    """Fit with Keras; when ``spec.fmt`` is keras-csv, CSVLogger writes ``run_dir/training.log``."""
    t0 = time.perf_counter()
    keras.utils.set_random_seed(spec.seed)
    model = _model(spec, data)
    h1 = fit_logged(model, spec, data, run_dir, verbose)
    return finish(model, spec, data, h1, t0)


# ------------------------------------------------------------------ console and notebook runs
#
# What a user has without any logger: the console output of fit. The run is trained in a child
# process (so its stdout is a real pipe or pseudo-terminal) or in a notebook kernel; the Result
# comes back through a JSON file, and the captured bytes are the log.

def _save_result(res: Result, path: Path) -> None:
    path.write_text(json.dumps({"hist": res.hist, "n_logged": res.n_logged, "final": res.final,
                                "seconds": res.seconds}))


def _load_result(path: Path) -> Result:
    t = json.loads(path.read_text())
    path.unlink()
    return Result(t["hist"], t["n_logged"], t["final"], t["seconds"])


def _spec_by_id(run_id: str) -> Spec:
    from specs import all_specs

    return next(s for s in all_specs() if s.id == run_id)


def worker(run_id: str, run_dir: Path, verbose: int, result: Path) -> None:
    """Child process: train the run with the logged fit printing to this process's stdout."""
    import data as datamod
    import torch

    torch.set_num_threads(1)
    spec = _spec_by_id(run_id)
    data = datamod.load(spec.dataset, spec.seed, spec.fault)
    _save_result(train(spec, data, run_dir, verbose), result)


def train_console(spec: Spec, run_dir: Path, log_name: str) -> Result:
    """``keras-console2``: ``python train.py > fit.log`` (verbose=2, stdout through a pipe);
    ``keras-console1``: verbose=1 on a pseudo-terminal (progress bars), what a terminal shows."""
    from console_capture import capture

    verbose, mode = {"keras-console2": (2, "pipe"), "keras-console1": (1, "pty")}[spec.fmt]
    result = run_dir / "_result.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", spec.id, "--run-dir", str(run_dir),
           "--verbose", str(verbose), "--result", str(result)]
    capture(cmd, run_dir / log_name, mode, env={"KERAS_BACKEND": "torch", "KERAS_HOME": os.environ["KERAS_HOME"]},
            merge_stderr=False, quiet=True)
    if not result.exists():
        raise RuntimeError(f"the {spec.fmt} child failed: {(run_dir / log_name).read_bytes()[-300:]!r}")
    return _load_result(result)


def notebook_cells(spec: Spec) -> list[tuple[str, str]]:
    """The notebook a user would write: data, model, ``fit(verbose=1)`` with a CSVLogger; then a
    cell for the oracle's continuation (prints nothing). It runs in ``runs/<id>/``."""
    return [
        ("markdown", f"# Keras (torch backend) on `{spec.dataset}`"),
        ("code", f"""import os, sys
os.environ["KERAS_BACKEND"] = "torch"
sys.path.insert(0, "../..")  # benchmarks/corpus
import time
import torch
torch.set_num_threads(1)
import keras
import data as datamod
import train_keras
spec = train_keras._spec_by_id({spec.id!r})
data = datamod.load(spec.dataset, spec.seed, spec.fault)
print(data.Xtr.shape, data.Xva.shape)"""),
        ("code", """t0 = time.perf_counter()
keras.utils.set_random_seed(spec.seed)
model = train_keras._model(spec, data)
model.summary()"""),
        ("code", """history = train_keras.fit_logged(model, spec, data, ".", verbose=1)"""),
        ("code", """res = train_keras.finish(model, spec, data, history, t0)  # unlogged continuation, for the oracle
train_keras._save_result(res, train_keras.Path("_result.json"))"""),
    ]


def train_notebook(spec: Spec, run_dir: Path, log_name: str) -> Result:
    """``notebook``: the cells above executed by nbclient on a real ipykernel and saved as
    ``run_dir/<log_name>``, the fit's verbose=1 output as the kernel streamed it."""
    from console_capture import execute_notebook

    execute_notebook(notebook_cells(spec), run_dir / log_name, cwd=run_dir, quiet=True,
                     env={"KERAS_BACKEND": "torch"})
    return _load_result(run_dir / "_result.json")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="train one corpus run (a child of generate.py)")
    ap.add_argument("--worker", required=True, help="run id")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--verbose", type=int, default=2)
    ap.add_argument("--result", required=True)
    a = ap.parse_args()
    worker(a.worker, Path(a.run_dir), a.verbose, Path(a.result))
