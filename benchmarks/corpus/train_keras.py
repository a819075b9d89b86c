"""Keras 3 (torch backend) training with Keras's own callbacks writing the log.

``CSVLogger`` writes ``training.log`` during the logged ``fit``; the oracle's look
into the future is a second ``fit(initial_epoch=...)`` on the same model and
optimizer, with no logger attached.
"""

from __future__ import annotations

import os
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


def train(spec: Spec, data: Data, run_dir: Path) -> Result:
    """Fit with Keras; when ``spec.fmt`` is keras-csv, CSVLogger writes ``run_dir/training.log``."""
    t0 = time.perf_counter()
    keras.utils.set_random_seed(spec.seed)
    model = _model(spec, data)
    cbs: list = []
    if spec.fmt == "keras-csv":
        cbs.append(keras.callbacks.CSVLogger(str(run_dir / "training.log")))
    if spec.schedule:
        cbs.append(_schedule(spec))
    if spec.patience is not None:
        cbs.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=spec.patience,
                                                 restore_best_weights=True))
    fit_kw = dict(validation_data=(data.Xva, data.yva), batch_size=spec.batch, verbose=0)
    h1 = model.fit(data.Xtr, data.ytr, epochs=spec.epochs, callbacks=cbs, **fit_kw)
    hist = {k: [float(x) for x in v] for k, v in h1.history.items()}
    n_logged = len(hist["loss"])
    final = _final_facts(model, data)
    extra = int(round(n_logged * spec.extend)) if spec.extend else 0
    if extra and np.all(np.isfinite(hist["loss"])):
        cont = [_schedule(spec)] if spec.schedule else []
        h2 = model.fit(data.Xtr, data.ytr, initial_epoch=n_logged, epochs=n_logged + extra,
                       callbacks=cont, **fit_kw)
        for k, v in h2.history.items():
            if k in hist:
                hist[k].extend(float(x) for x in v)
    return Result(hist, n_logged, final, time.perf_counter() - t0)
