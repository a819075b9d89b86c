"""Write a run's log the way real tools and hand-written loops write them.

Keras formats come from Keras itself (``CSVLogger`` during ``fit``, or
``json.dump(history.history)``); torch formats from ``torch.utils.tensorboard``'s
``SummaryWriter`` or from plain ``csv``/``json`` code as people write it. Every run
also gets ``values.json``: the canonical per-epoch numbers, for fallback scoring.

The step-logging formats (``lightning``, ``hf``, ``mlflow``; :func:`write_steps`) log
the train loss per optimizer step, the way those tools do by default, and are written
by the tools' own classes (Lightning's ``CSVLogger``, transformers' ``TrainerState``,
the ``mlflow`` client). Those packages are needed only to generate these runs.

The console formats (``keras-console2``, ``keras-console1``, ``notebook``) are not written
here: they are what ``fit`` printed, captured by train_keras.train_console / train_notebook,
with Keras's CSVLogger writing ``training.log`` in the same fit.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

#: format -> the log's path inside the run folder (what labels.json points at)
LOG_NAME = {
    "keras-csv": "training.log",
    "keras-json": "history.json",
    "tb-scalar": "tb",
    "tb-scalars": "tb",
    "csv": "metrics.csv",
    "jsonl": "log.jsonl",
    "lightning": "lightning_logs",
    "hf": "trainer_state.json",
    "mlflow": "mlruns",
    "keras-console2": "fit.log",
    "keras-console1": "fit_v1.log",
    "notebook": "train.ipynb",
}
#: formats whose train loss is logged per optimizer step (written by write_steps)
STEP_FORMATS = ("lightning", "hf", "mlflow")
#: writer -> the format name labels.json and the scorer use
FORMAT = {"keras-csv": "keras-csv", "keras-json": "keras-json", "tb-scalar": "tensorboard",
          "tb-scalars": "tensorboard", "csv": "csv", "jsonl": "jsonl", "lightning": "lightning",
          "hf": "huggingface", "mlflow": "mlflow", "keras-console2": "keras-console",
          "keras-console1": "keras-console", "notebook": "notebook"}
#: what a Keras user has with no logger: fit's console output (verbose=2 through a pipe, verbose=1
#: on a pseudo-terminal) or an executed notebook; CSVLogger writes training.log in the same fit
CONSOLE_FORMATS = ("keras-console2", "keras-console1", "notebook")
#: the CSVLogger file beside a console/notebook log (labels.json ``csv_path``)
CSV_BESIDE = "training.log"


def _atomic_json(path: Path, obj) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj))
    os.replace(tmp, path)


def write(fmt: str, run_dir: Path, logged: dict[str, list[float]], task: str) -> Path:
    """Write ``logged`` (name -> per-epoch values) in ``fmt``; return the log path."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOG_NAME[fmt]
    m = "mae" if task == "regression" else "accuracy"
    n = len(logged["loss"])
    if fmt == "keras-csv" or fmt in CONSOLE_FORMATS:
        pass  # Keras's CSVLogger wrote it during fit; the console/notebook capture wrote the rest
    elif fmt == "keras-json":
        _atomic_json(path, logged)  # json.dump(history.history): what Keras users do
    elif fmt in ("tb-scalar", "tb-scalars"):
        from torch.utils.tensorboard import SummaryWriter

        if path.exists():
            shutil.rmtree(path)
        w = SummaryWriter(log_dir=str(path))
        for e in range(n):
            if fmt == "tb-scalar":
                w.add_scalar("loss/train", logged["loss"][e], e)
                w.add_scalar("loss/val", logged["val_loss"][e], e)
                w.add_scalar(f"{m}/train", logged[m][e], e)
                w.add_scalar(f"{m}/val", logged["val_" + m][e], e)
                if "lr" in logged:
                    w.add_scalar("lr", logged["lr"][e], e)
            else:
                w.add_scalars("loss", {"train": logged["loss"][e], "val": logged["val_loss"][e]}, e + 1)
                w.add_scalars(m, {"train": logged[m][e], "val": logged["val_" + m][e]}, e + 1)
        w.close()
    elif fmt == "csv":
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["epoch", "train_loss", f"train_{m}", "val_loss", f"val_{m}", "lr"])
            for e in range(n):
                wr.writerow([e + 1, logged["loss"][e], logged[m][e], logged["val_loss"][e],
                             logged["val_" + m][e], logged.get("lr", [None] * n)[e]])
        os.replace(tmp, path)
    elif fmt == "jsonl":
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            for e in range(n):
                rec = {"epoch": e, "train_loss": logged["loss"][e], "val_loss": logged["val_loss"][e],
                       f"val_{m}": logged["val_" + m][e]}
                f.write(json.dumps(rec) + "\n")
        os.replace(tmp, path)
    else:
        raise ValueError(fmt)
    _atomic_json(run_dir / "values.json", logged)
    return path


def every_n(steps_per_epoch: int, max_per_epoch: int,
            choices: tuple[int, ...] = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)) -> int:
    """The smallest round logging interval that logs at most ``max_per_epoch`` times an epoch."""
    for n in choices:
        if steps_per_epoch / n <= max_per_epoch:
            return n
    return choices[-1]


def write_steps(fmt: str, run_dir: Path, logged: dict[str, list[float]], record: dict[str, Any],
                task: str, spec, n_train: int, n_val: int) -> Path:
    """Write a step-logged run (``lightning``, ``hf``, ``mlflow``); return the log path.

    ``logged`` holds the per-epoch numbers of the logged part, ``record`` what
    train_torch.train recorded per optimizer step (only the logged epochs are written).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    n = len(logged["loss"])
    steps = [r for r in record["steps"] if r["epoch"] < n]
    spe = math.ceil(n_train / spec.batch)
    assert len(steps) == n * spe, (len(steps), n, spe)
    m = "mae" if task == "regression" else "accuracy"
    path = run_dir / LOG_NAME[fmt]
    if fmt == "lightning":
        _write_lightning(run_dir, logged, steps, spe, m, spec)
    elif fmt == "hf":
        _write_hf(path, logged, steps, record, spe, m, spec, n_train, n_val)
    elif fmt == "mlflow":
        _write_mlflow(path, logged, steps, spe, m, spec)
    else:
        raise ValueError(fmt)
    _atomic_json(run_dir / "values.json", logged)
    return path


def _hparams(spec) -> dict[str, Any]:
    """What a LightningModule's save_hyperparameters() / mlflow.log_params() would record."""
    hp: dict[str, Any] = {"hidden": list(spec.hidden), "activation": spec.act, "dropout": spec.dropout,
                          "optimizer": spec.opt, "lr": spec.lr, "weight_decay": spec.wd,
                          "batch_size": spec.batch, "max_epochs": spec.epochs}
    if spec.opt == "sgd":
        hp["momentum"] = spec.momentum
    if spec.clip:
        hp["gradient_clip_val"] = spec.clip
    if spec.patience is not None:
        hp["early_stopping_patience"] = spec.patience
    return hp


def _write_lightning(run_dir: Path, logged, steps, spe: int, m: str, spec) -> None:
    """What ``Trainer(logger=CSVLogger(...), log_every_n_steps=N).fit`` writes for a module that
    calls ``self.log("train_loss", loss)`` in training_step and ``self.log("val_loss")``,
    ``self.log("val_acc")`` in validation_step (one full-batch val loader).

    Lightning's LoggerConnector: a train row every N optimizer steps (when
    ``(batches_that_stepped + 1) % N == 0``) holding the batch loss and ``epoch`` at
    ``step = batches_that_stepped`` (0-based); the val row at the epoch's end, with ``epoch``,
    at the step of the epoch's last batch; ``logger.save()`` after every call.
    """
    from lightning.pytorch.loggers import CSVLogger

    N = every_n(spe, 10)
    root = run_dir / LOG_NAME["lightning"]
    if root.exists():
        shutil.rmtree(root)
    logger = CSVLogger(str(run_dir), name=LOG_NAME["lightning"])
    logger.log_hyperparams(_hparams(spec))  # the module's save_hyperparameters()
    logger.save()
    vname = "val_mae" if m == "mae" else "val_acc"
    for k, r in enumerate(steps):
        if (k + 1) % N == 0:
            logger.log_metrics({"train_loss": r["loss"], "epoch": r["epoch"]}, step=k)
            logger.save()
        if (k + 1) % spe == 0:
            e = k // spe
            logger.log_metrics({"val_loss": logged["val_loss"][e], vname: logged["val_" + m][e], "epoch": e},
                               step=k)
            logger.save()
    logger.finalize("success")


def _speed(prefix: str, runtime: float, num_samples: float, num_steps: float) -> dict[str, float]:
    """transformers.trainer_utils.speed_metrics."""
    runtime = round(runtime, 4)
    out = {f"{prefix}_runtime": runtime}
    if runtime > 0:
        out[f"{prefix}_samples_per_second"] = round(num_samples / runtime, 3)
        out[f"{prefix}_steps_per_second"] = round(num_steps / runtime, 3)
    return out


def _write_hf(path: Path, logged, steps, record, spe: int, m: str, spec, n_train: int, n_val: int) -> None:
    """What ``Trainer(args=TrainingArguments(eval_strategy="epoch", logging_steps=N, ...),
    compute_metrics=...).train()`` then ``trainer.save_state()`` leaves in trainer_state.json.

    As Trainer does (transformers 5): the loss of each window of N optimizer steps is the mean
    of its step losses, with ``logging_nan_inf_filter`` (a NaN/inf step adds the window's running
    mean instead); ``learning_rate`` is the lr the step used, ``grad_norm`` the norm before
    clipping, ``epoch`` = epoch + (step in epoch)/steps per epoch, ``step`` = global step. Eval
    entries (``eval_loss``, ``eval_accuracy``/``eval_mae`` and speed metrics) come at each
    epoch's end; the final entry is the train summary. Early-stopped runs carry what
    ``load_best_model_at_end`` + ``EarlyStoppingCallback`` record (best metric and checkpoint).
    """
    import torch
    from transformers import EarlyStoppingCallback, TrainerControl, TrainerState

    N = every_n(spe, 5)
    n = len(logged["loss"])
    output_dir = "trainer_output"
    control = TrainerControl()
    es = None
    if spec.patience is not None:
        # load_best_model_at_end=True, metric_for_best_model="eval_loss", save_strategy="epoch"
        es = EarlyStoppingCallback(early_stopping_patience=spec.patience, early_stopping_threshold=1e-4)
    callbacks = [es, control] if es is not None else [control]
    state = TrainerState(stateful_callbacks=callbacks)  # what _init_training_state stores
    state.train_batch_size = spec.batch
    state.logging_steps = N
    state.save_steps = 500  # TrainingArguments default (eval_steps stays 500: eval_strategy="epoch")
    state.max_steps = spec.epochs * spe
    state.num_train_epochs = spec.epochs
    state.total_flos = 0.0  # Trainer.store_flos adds float flops: 0.0 on a plain nn.Module
    tr_loss = torch.tensor(0.0)
    total_loss_scalar = 0.0
    last_logged = 0
    for k, r in enumerate(steps):
        step_loss = torch.tensor(r["loss"], dtype=torch.float32)
        if torch.isnan(step_loss) or torch.isinf(step_loss):  # logging_nan_inf_filter=True (default)
            tr_loss += tr_loss / (1 + state.global_step - last_logged)
        else:
            tr_loss += step_loss
        state.global_step += 1
        e, i = divmod(k, spe)
        state.epoch = e + (i + 1) / spe
        if state.global_step % N == 0:
            tr_loss_scalar = tr_loss.item()
            tr_loss -= tr_loss
            logs = {"loss": tr_loss_scalar / (state.global_step - last_logged),
                    "grad_norm": r["grad_norm"], "learning_rate": r["lr"], "epoch": state.epoch}
            total_loss_scalar += tr_loss_scalar
            last_logged = state.global_step
            state.log_history.append({**logs, "step": state.global_step})
        if i + 1 == spe:  # epoch end: evaluate
            metrics = {"eval_loss": logged["val_loss"][e], f"eval_{m}": logged["val_" + m][e]}
            metrics.update(_speed("eval", record["val_seconds"][e], n_val, math.ceil(n_val / 8)))
            metrics["epoch"] = state.epoch
            state.log_history.append({**metrics, "step": state.global_step})
            if es is not None:
                vl = logged["val_loss"][e]
                es.check_metric_value(SimpleNamespace(greater_is_better=False), state, control, vl)
                if state.best_metric is None:  # Trainer._determine_best_metric
                    state.best_metric = float("inf")
                if vl < state.best_metric:
                    state.best_metric, state.best_global_step = vl, state.global_step
                    state.best_model_checkpoint = f"{output_dir}/checkpoint-{state.global_step}"
    if es is not None:
        # the last checkpoint (save_strategy="epoch") stored the callbacks' state as of then
        control.should_training_stop = True
        control.should_save = True
        for cb in callbacks:
            state.stateful_callbacks[cb.__class__.__name__] = cb.state()
    total_loss_scalar += tr_loss.item()
    runtime = sum(record["epoch_seconds"][:n])
    summary = _speed("train", runtime, n_train * spec.epochs * state.global_step / state.max_steps,
                     state.global_step)
    summary["total_flos"] = 0.0  # no floating_point_ops on a plain nn.Module
    summary["train_loss"] = total_loss_scalar / max(state.global_step, 0.001)
    summary["epoch"] = state.epoch
    state.log_history.append({**summary, "step": state.global_step})
    state.save_to_json(str(path))


def _write_mlflow(path: Path, logged, steps, spe: int, m: str, spec) -> None:
    """A hand-written loop logging to a local MLflow file store, as the MLflow docs show it:
    ``mlflow.log_metric("train_loss", loss.item(), step=global_step)`` after each optimizer
    step (every k-th step when an epoch has more than 50), and
    ``mlflow.log_metrics({"val_loss", "val_accuracy"}, step=global_step)`` at each epoch's end
    (one step axis for all metrics, as MLflow's autologgers do)."""
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    import mlflow

    if path.exists():
        shutil.rmtree(path)
    k_every = every_n(spe, 50)
    mlflow.set_tracking_uri("file:" + str(path.resolve()))
    mlflow.set_experiment("mlp-training")
    with mlflow.start_run():
        mlflow.log_params(_hparams(spec))
        for k, r in enumerate(steps):
            global_step = k + 1
            if global_step % k_every == 0:
                mlflow.log_metric("train_loss", r["loss"], step=global_step)
            if global_step % spe == 0:
                e = k // spe
                mlflow.log_metrics({"val_loss": logged["val_loss"][e], f"val_{m}": logged["val_" + m][e]},
                                   step=global_step)
    for junk in path.rglob("artifacts"):  # empty artifact folders: keep the tree small
        if junk.is_dir() and not any(junk.iterdir()):
            junk.rmdir()

