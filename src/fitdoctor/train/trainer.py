"""Fit one MLP on one split: the training loop, with probes, guard and early stopping.

``fit`` is deliberately a plain PyTorch loop (index batches out of in-memory tensors,
one optimizer step each) so it runs as fast as the loop a user would write by hand;
everything extra (probes, metrics on whole splits) happens on sampled steps or once
per epoch. Seeded and single-threaded by default, so the same config gives the same
history bit for bit.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from fitdoctor.history import RunHistory
from fitdoctor.train.metrics import class_prior, task_metrics
from fitdoctor.train.model import MLP, build_model, n_outputs_for
from fitdoctor.train.probes import DEFAULT_EVERY, ProbeRecorder

EpochCallback = Callable[[int, dict[str, float]], None]


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    if cfg is None:
        return default
    if isinstance(cfg, dict):
        return cfg.get(key, default)
    return getattr(cfg, key, default)


@dataclass
class FitResult:
    """What one fit produced: the model (best weights when restored), its history, probes."""

    model: MLP
    history: RunHistory
    probe_rows: list[dict[str, float]]
    best_epoch: int | None
    epochs_run: int
    stopped: str  # completed | early_stopping | non_finite
    nonfinite: dict[str, Any] | None = None
    seconds: float = 0.0
    steps: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------- pieces
def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    name = name.lower()
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr)
    if name == "nadam":
        return torch.optim.NAdam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}")


def make_schedule(name: str, opt: torch.optim.Optimizer, epochs: int):
    """Epoch-level schedules; ``plateau`` halves the lr when the monitored loss stalls."""
    name = (name or "none").lower()
    if name == "none":
        return None
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, epochs // 4), gamma=0.5)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, epochs))
    if name == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=3)
    raise ValueError(f"unknown schedule {name!r}")


def make_loss(task: str, class_weights: torch.Tensor | None,
              label_smoothing: float = 0.0) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Per-sample losses from logits (numerically stable); weighting is done by the caller.

    ``label_smoothing`` eps trains a classifier toward 1 - eps on its class and eps spread over
    all K classes (eps / 2 each for binary, as Keras' and torch's ``label_smoothing`` do), so
    its logits stop growing once that is met: the cure for a model that grows over-confident
    on the examples it gets wrong. Regression ignores it."""
    if task == "binary":
        if label_smoothing:
            eps = float(label_smoothing)
            bce = nn.BCEWithLogitsLoss(reduction="none")
            return lambda out, y: bce(out, y * (1.0 - eps) + 0.5 * eps)
        return nn.BCEWithLogitsLoss(reduction="none")
    if task == "multiclass":
        return nn.CrossEntropyLoss(reduction="none", label_smoothing=float(label_smoothing))
    return nn.MSELoss(reduction="none")


def balanced_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """scikit-learn's 'balanced': n / (K * count_k)."""
    counts = np.bincount(y.astype(int), minlength=n_classes).astype(float)
    w = np.where(counts > 0, len(y) / (n_classes * np.maximum(counts, 1)), 0.0)
    return w


def resample_indices(y: np.ndarray, how: str, rng: np.random.Generator) -> np.ndarray:
    """Random over- (to the largest class) or undersampling (to the smallest) of row indices."""
    idx = np.arange(len(y))
    if how in (None, "none"):
        return idx
    classes, counts = np.unique(y, return_counts=True)
    target = counts.max() if how == "oversample" else counts.min()
    parts = []
    for c, n in zip(classes, counts):
        rows = idx[y == c]
        if how == "oversample":
            extra = rng.choice(rows, size=target - n, replace=True) if target > n else rows[:0]
            parts.append(np.concatenate([rows, extra]))
        elif how == "undersample":
            parts.append(rng.choice(rows, size=target, replace=False))
        else:
            raise ValueError(f"unknown resample {how!r}")
    return np.sort(np.concatenate(parts))


def predict_scores(model: MLP, X: torch.Tensor | np.ndarray, task: str) -> np.ndarray:
    """P(class 1) for binary, class probabilities for multiclass, values for regression."""
    if not isinstance(X, torch.Tensor):
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    was = model.training
    model.eval()
    with torch.no_grad():
        out = model(X)
    model.train(was)
    return _link(out, task)


def _link(out: torch.Tensor, task: str) -> np.ndarray:
    if task == "binary":
        return torch.sigmoid(out.reshape(-1)).numpy().astype(float)
    if task == "multiclass":
        return torch.softmax(out, dim=1).numpy().astype(float)
    return out.reshape(-1).numpy().astype(float)


def _targets(y: np.ndarray, task: str) -> torch.Tensor:
    if task == "multiclass":
        return torch.as_tensor(np.asarray(y).astype(np.int64))
    return torch.as_tensor(np.asarray(y, dtype=np.float32))


def _early_stopping(train_cfg: Any) -> dict[str, Any] | None:
    es = _get(train_cfg, "early_stopping", None)
    if es is None or es is False:
        return None
    if es is True:
        return {"patience": 5, "min_delta": 0.0, "restore_best": True, "monitor": "val_loss"}
    return {"patience": int(_get(es, "patience", 5)), "min_delta": float(_get(es, "min_delta", 0.0)),
            "restore_best": bool(_get(es, "restore_best", True)),
            "monitor": str(_get(es, "monitor", "val_loss") or "val_loss")}


#: Metrics where lower is better; every other monitored metric is maximised.
LOWER_IS_BETTER = ("loss", "mae", "mse")


def _monitored(logs: dict[str, float], es: dict[str, Any] | None, has_val: bool) -> float:
    """The value early stopping watches, signed so that lower is better.

    Without a validation split it falls back to the train loss (the only honest signal left)."""
    from fitdoctor.errors import BadInput

    name = es["monitor"] if es else "val_loss"
    if not has_val:
        return logs["loss"]
    if name not in logs:
        have = ", ".join(k for k in logs if k.startswith("val_"))
        raise BadInput(f"train.early_stopping.monitor {name!r}: this run logs {have}")
    v = logs[name]
    return v if name.split("_", 1)[1] in LOWER_IS_BETTER else -v


# ---------------------------------------------------------------------------- the loop
def fit(model_cfg: Any, train_cfg: Any, X_train: np.ndarray, y_train: np.ndarray,
        X_val: np.ndarray | None = None, y_val: np.ndarray | None = None, *,
        task: str, n_classes: int | None = None, epochs: int | None = None,
        probe_every: int = DEFAULT_EVERY, threads: int | None = 1,
        on_epoch: EpochCallback | None = None, run_name: str = "run",
        model_hook: Callable[[MLP], None] | None = None,
        watch: tuple[np.ndarray, np.ndarray] | None = None) -> FitResult:
    """Train one model. ``epochs`` overrides ``train.epochs`` (the k-fold refit uses it).

    ``model_hook`` edits the freshly initialized model (tests and benchmarks plant faults).

    Without a validation split, early stopping and plateau schedules watch the train loss.
    ``watch=(X, y)`` gives them rows of their own instead: the history still logs validation
    on ``X_val``, but which epoch is kept (and when the lr is cut) is decided without it, so a
    score taken on ``X_val`` afterwards is not the best of many looks at the same rows.
    ``threads=None`` leaves torch's thread count alone.
    """
    old_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        return _fit(model_cfg, train_cfg, X_train, y_train, X_val, y_val, task=task,
                    n_classes=n_classes, epochs=epochs, probe_every=probe_every,
                    on_epoch=on_epoch, run_name=run_name, model_hook=model_hook, watch=watch)
    finally:
        if threads:
            torch.set_num_threads(old_threads)


def _fit(model_cfg, train_cfg, X_train, y_train, X_val, y_val, *, task, n_classes, epochs,
         probe_every, on_epoch, run_name, model_hook, watch=None) -> FitResult:
    t0 = time.perf_counter()
    seed = int(_get(train_cfg, "seed", 0) or 0)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    n_epochs = int(epochs if epochs is not None else _get(train_cfg, "epochs", 100))
    batch_size = int(_get(train_cfg, "batch_size", 32))
    lr = float(_get(train_cfg, "lr", 1e-3))
    clip = _get(train_cfg, "grad_clip", None)
    clip = float(clip) if clip not in (None, 0, False) else None
    l1 = float(_get(model_cfg, "l1", 0.0) or 0.0)
    l2 = float(_get(model_cfg, "l2", 0.0) or 0.0)
    K = int(n_classes or (2 if task == "binary" else 1))

    X_train = np.asarray(X_train, dtype=np.float32)
    y_train = np.asarray(y_train)
    model = build_model(model_cfg, X_train.shape[1], n_outputs_for(task, K))
    if model_hook is not None:
        model_hook(model)
    opt = make_optimizer(str(_get(train_cfg, "optimizer", "adam")), model.parameters(), lr)
    sched = make_schedule(str(_get(train_cfg, "schedule", "none")), opt, n_epochs)
    es = _early_stopping(train_cfg)

    cw = None
    if task != "regression" and str(_get(train_cfg, "class_weight", "none")) == "balanced":
        cw = torch.as_tensor(balanced_weights(y_train, K), dtype=torch.float32)
    rows = resample_indices(y_train, str(_get(train_cfg, "resample", "none") or "none"), rng) \
        if task != "regression" else np.arange(len(y_train))
    Xt_all = torch.as_tensor(X_train)
    yt_all = _targets(y_train, task)
    Xt, yt = Xt_all[rows], yt_all[rows]
    has_val = X_val is not None and y_val is not None and len(y_val) > 0
    if has_val:
        Xv = torch.as_tensor(np.asarray(X_val, dtype=np.float32))
        yv = _targets(np.asarray(y_val), task)
    if watch is not None and len(watch[1]) > 0:
        Xw = torch.as_tensor(np.asarray(watch[0], dtype=np.float32))
        yw_np = np.asarray(watch[1])
        yw = _targets(yw_np, task)
    else:
        watch = None
    smoothing = float(_get(train_cfg, "label_smoothing", 0.0) or 0.0) if task != "regression" else 0.0
    per_sample = make_loss(task, cw, smoothing)
    # the logged train loss stays the plain cross-entropy, the val loss's measure: a smoothed
    # loss has a floor above 0 that would read as a train/val gap (the gradient is smoothed)
    plain = make_loss(task, cw) if smoothing else None
    weights_list = [lin.weight for _, lin in model.layers()]
    probes = ProbeRecorder(model, every=probe_every)

    cols: dict[str, list[float]] = {}
    best_val, best_epoch, best_state, bad_epochs = math.inf, None, None, 0
    stopped, nonfinite, step = "completed", None, 0
    n = len(rows)
    epoch = -1
    for epoch in range(n_epochs):
        model.train()
        cur_lr = float(opt.param_groups[0]["lr"])
        perm = torch.randperm(n, generator=gen)
        total, seen = 0.0, 0
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            if idx.numel() == 1 and n > 1 and bool(_get(model_cfg, "batch_norm", False)):
                continue  # batch norm cannot normalise one row (what DataLoader's drop_last avoids)
            xb, yb = Xt[idx], yt[idx]
            probing = probes.due(step)
            if probing:
                probes.start()
            out = model(xb)
            if task != "multiclass":
                out = out.reshape(-1)
            losses = per_sample(out, yb)
            data_loss = losses.mean()
            if cw is not None:
                w = cw[yb.long()]
                loss = (losses * w).sum() / w.sum()
            else:
                loss = data_loss
            if l1:
                loss = loss + l1 * sum(p.abs().sum() for p in weights_list)
            if l2:
                loss = loss + l2 * sum((p * p).sum() for p in weights_list)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            lv = float(data_loss.detach()) if plain is None else float(plain(out.detach(), yb).mean())
            if not math.isfinite(lv) or not math.isfinite(float(loss.detach())):
                nonfinite = {"step": step, "epoch": epoch, "where": "loss", "value": lv}
                if probing:
                    probes.after_backward(step, epoch)
                    probes.abort()
                total, seen = total + lv * len(idx), seen + len(idx)
                break
            if probing and not probes.after_backward(step, epoch):
                bad = [k for k, v in probes._row.items() if k.startswith("grad_norm/") and not math.isfinite(v)]
                nonfinite = {"step": step, "epoch": epoch, "where": "gradient",
                             "layer": bad[0].split("/", 1)[1] if bad else "?"}
                probes.abort()
                total, seen = total + lv * len(idx), seen + len(idx)
                break
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            if probing:
                probes.after_step()
            total += lv * len(idx)
            seen += len(idx)
            step += 1
        logs: dict[str, float] = {"loss": total / max(seen, 1)}
        if nonfinite is None:
            logs.update(_evaluate(model, Xt_all, yt_all, y_train, task, K, prefix=""))
            if has_val:
                logs.update(_evaluate(model, Xv, yv, np.asarray(y_val), task, K, prefix="val_"))
                if not math.isfinite(logs["val_loss"]):
                    nonfinite = {"step": step, "epoch": epoch, "where": "val_loss",
                                 "value": logs["val_loss"]}
        else:
            logs["loss"] = float("nan")
        logs["lr"] = cur_lr
        for k, v in logs.items():
            cols.setdefault(k, []).append(v)
        # what early stopping and a plateau schedule watch: the validation logs, or the watch rows'
        watched = _evaluate(model, Xw, yw, yw_np, task, K, prefix="val_") \
            if watch is not None and nonfinite is None else {}
        seen_logs = {**logs, **watched}
        if on_epoch is not None:
            # the watch rows' values ride along as "watch:val_loss"...: a caller following which
            # epoch early stopping would keep (tune's pruner) must follow what it watches
            on_epoch(epoch, {**logs, **{f"watch:{k}": v for k, v in watched.items()}} if watched else logs)
        if nonfinite is not None:
            stopped = "non_finite"
            break
        if sched is not None:
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(seen_logs["val_loss"] if has_val or watch is not None else logs["loss"])
            else:
                sched.step()
        monitor = _monitored(seen_logs, es, has_val or watch is not None)
        if not math.isfinite(monitor):
            monitor = math.inf  # an undefined score (one class in the split) never counts as a best
        min_delta = es["min_delta"] if es else 0.0
        if monitor < best_val - min_delta:
            best_val, best_epoch, bad_epochs = monitor, epoch, 0
            if es and es["restore_best"]:
                best_state = copy.deepcopy(model.state_dict())
        else:
            bad_epochs += 1
            if es and bad_epochs >= es["patience"]:
                stopped = "early_stopping"
                break
    restored = None
    if es and es["restore_best"] and best_state is not None:
        model.load_state_dict(best_state)
        restored = {"monitor": es["monitor"] if has_val or watch is not None else "loss", "at": best_epoch,
                    "value": abs(best_val)}
        if watch is not None:
            restored["on"] = f"{len(watch[1])} held-out training rows"
    model.eval()

    history = _history(cols, probes, run_name=run_name, task=task, K=K, y_train=y_train,
                       model=model, model_cfg=model_cfg, probe_every=probe_every)
    if restored is not None:
        history.meta["restored_best"] = restored  # the same fact the framework callbacks record
    history.meta.update({"stopped": stopped, "best_epoch": best_epoch, "epochs_run": epoch + 1,
                         "steps_per_epoch": math.ceil(n / batch_size)})
    if nonfinite is not None:
        history.meta["nonfinite_guard"] = nonfinite
    if task != "regression" and (cw is not None or rows.size != len(y_train)
                                 or str(_get(train_cfg, "resample", "none") or "none") != "none"):
        # the train loss is weighted or taken on resampled rows: it sees balanced classes, so a
        # model that learned nothing scores ln K on it (validation keeps the true prior)
        history.meta["train_class_prior"] = [1.0 / K] * K
    return FitResult(model=model, history=history, probe_rows=probes.rows, best_epoch=best_epoch,
                     epochs_run=epoch + 1, stopped=stopped, nonfinite=nonfinite,
                     seconds=time.perf_counter() - t0, steps=step)


def _evaluate(model: MLP, X: torch.Tensor, yt: torch.Tensor, y: np.ndarray, task: str, K: int,
              prefix: str) -> dict[str, float]:
    """Loss and metrics on a whole split, in eval mode (no dropout, batch-norm running stats)."""
    model.eval()
    with torch.no_grad():
        out = model(X)
        flat = out if task == "multiclass" else out.reshape(-1)
        if task == "binary":
            loss = nn.functional.binary_cross_entropy_with_logits(flat, yt)
        elif task == "multiclass":
            loss = nn.functional.cross_entropy(flat, yt)
        else:
            loss = nn.functional.mse_loss(flat, yt)
    model.train()
    logs = {f"{prefix}loss": float(loss)}
    for k, v in task_metrics(task, y, _link(out, task), K).items():
        logs[f"{prefix}{k}"] = v
    return logs


def _history(cols: dict[str, list[float]], probes: ProbeRecorder, *, run_name: str, task: str,
             K: int, y_train: np.ndarray, model: MLP, model_cfg: Any, probe_every: int) -> RunHistory:
    h = RunHistory(meta={"source": run_name, "run": run_name, "format": "fitdoctor-trainer",
                         "task": task, "n_classes": K if task != "regression" else None,
                         "dropout": float(_get(model_cfg, "dropout_rate", 0.0) or 0.0),
                         "activation": model.activation,
                         "layers": [name for name, _ in model.layers()],
                         "probe_every": probe_every})
    if task != "regression":
        h.meta["class_prior"] = class_prior(y_train, K)
    else:
        h.meta["target_variance"] = float(np.var(np.asarray(y_train, dtype=float)))
    order = ["loss", "val_loss"] + [k for k in cols if k not in ("loss", "val_loss", "lr")] + ["lr"]
    for k in order:
        if k in cols:
            h.add(k, np.arange(len(cols[k]), dtype=float), np.asarray(cols[k], dtype=float), raw_name=k)
    if probes.rows:
        steps = np.array([r["step"] for r in probes.rows], dtype=float)
        for c in probes.columns():
            if "/" not in c:
                continue
            vals = np.array([r.get(c, np.nan) for r in probes.rows], dtype=float)
            h.add(c, steps, vals, raw_name=c, axis="step")
    return h
