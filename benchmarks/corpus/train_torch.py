"""A hand-written PyTorch training loop, the way people write one, recording per-epoch numbers.

The run is trained ``epochs * (1 + extend)`` epochs; only the first ``epochs`` (or up
to the early stop) go into the log, the rest is the oracle's look into the future.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn

from data import Data
from spec import Result, Spec

ACTS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "elu": nn.ELU}


def build(spec: Spec, n_in: int, n_out: int) -> nn.Module:
    layers: list[nn.Module] = []
    d = n_in
    for h in spec.hidden:
        layers += [nn.Linear(d, h), ACTS[spec.act]()]
        if spec.dropout:
            layers.append(nn.Dropout(spec.dropout))
        d = h
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def optimizer(spec: Spec, params) -> torch.optim.Optimizer:
    if spec.opt == "sgd":
        return torch.optim.SGD(params, lr=spec.lr, momentum=spec.momentum, weight_decay=spec.wd)
    if spec.opt == "adam":
        return torch.optim.Adam(params, lr=spec.lr, weight_decay=spec.wd)
    if spec.opt == "adamw":
        return torch.optim.AdamW(params, lr=spec.lr, weight_decay=spec.wd or 0.01)
    if spec.opt == "rmsprop":
        return torch.optim.RMSprop(params, lr=spec.lr, weight_decay=spec.wd)
    raise ValueError(spec.opt)


def lr_at(spec: Spec, epoch: int) -> float:
    """Per-epoch schedule that never depends on the total epoch count (so continuing is honest)."""
    if not spec.schedule:
        return spec.lr
    kind = spec.schedule[0]
    if kind == "exp":
        return spec.lr * spec.schedule[1] ** epoch
    if kind == "step":
        return spec.lr * spec.schedule[2] ** (epoch // spec.schedule[1])
    raise ValueError(kind)


def _naive_bce(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy as people write it by hand: log(0) once sigmoid saturates to 1.0."""
    p = torch.sigmoid(out.squeeze(-1))
    yf = y.float()
    return -(yf * torch.log(p) + (1 - yf) * torch.log(1 - p)).mean()


def _loss_fn(task: str, naive: bool = False):
    if task == "binary" and naive:
        return _naive_bce
    if task == "binary":
        bce = nn.BCEWithLogitsLoss()
        return lambda out, y: bce(out.squeeze(-1), y.float())
    if task == "multiclass":
        return nn.CrossEntropyLoss()
    mse = nn.MSELoss()
    return lambda out, y: mse(out.squeeze(-1), y.float())


def _metric(task: str, out: torch.Tensor, y: torch.Tensor) -> float:
    if task == "binary":
        return float(((out.squeeze(-1) > 0).long() == y).float().mean())
    if task == "multiclass":
        return float((out.argmax(-1) == y).float().mean())
    return float((out.squeeze(-1) - y).abs().mean())


def _tensors(data: Data):
    ydt = torch.float32 if data.task == "regression" else torch.long
    return (torch.from_numpy(data.Xtr), torch.tensor(data.ytr, dtype=ydt),
            torch.from_numpy(data.Xva), torch.tensor(data.yva, dtype=ydt))


def _final_facts(model: nn.Module, data: Data, Xtr, ytr, Xva, yva, loss_fn) -> dict[str, float]:
    """What the model predicts at the end of the logged part (oracle evidence)."""
    model.eval()
    with torch.no_grad():
        out_va, out_tr = model(Xva), model(Xtr)
        facts = {"train_loss_eval": float(loss_fn(out_tr, ytr)), "val_loss_eval": float(loss_fn(out_va, yva))}
        if data.task == "binary":
            p = torch.sigmoid(out_va.squeeze(-1))
            pred = (p > 0.5).long()
        elif data.task == "multiclass":
            p = torch.softmax(out_va, -1).max(-1).values
            pred = out_va.argmax(-1)
        else:
            return facts
        counts = np.bincount(pred.numpy(), minlength=max(data.n_classes, 1))
        facts["pred_top_share"] = float(counts.max() / counts.sum())
        facts["prob_std"] = float(torch.nan_to_num(p).std())
        facts["val_acc_eval"] = float((pred == yva).float().mean())
    return facts


def train(spec: Spec, data: Data, record: dict | None = None) -> Result:
    """Train and return every epoch's numbers; logged part ends at ``epochs`` or the early stop.

    ``record`` (a dict, optional) is filled with what step-logging tools see:
    ``record["steps"]`` gets one ``{"epoch", "loss", "lr", "grad_norm"}`` per optimizer step
    (the batch loss, the lr it was taken with, the gradient norm before any clipping) and
    ``record["epoch_seconds"]``/``record["val_seconds"]`` the wall time of each epoch and of
    its validation pass. Recording reads values only: it consumes no random numbers and
    changes nothing in the returned per-epoch numbers.
    """
    t0 = time.perf_counter()
    torch.manual_seed(spec.seed)
    np.random.seed(spec.seed)
    Xtr, ytr, Xva, yva = _tensors(data)
    n_out = data.n_classes if data.task == "multiclass" else 1
    model = build(spec, Xtr.shape[1], n_out)
    opt = optimizer(spec, model.parameters())
    loss_fn = _loss_fn(data.task, spec.naive_loss)
    mname = "mae" if data.task == "regression" else "accuracy"
    hist: dict[str, list[float]] = {"loss": [], mname: [], "val_loss": [], "val_" + mname: [], "lr": []}
    total = int(round(spec.epochs * (1 + spec.extend)))
    gen = torch.Generator().manual_seed(spec.seed)
    n_logged = spec.epochs
    best, wait, stopped = math.inf, 0, False
    final: dict[str, float] = {}
    if record is not None:
        record.update(steps=[], epoch_seconds=[], val_seconds=[])
    for epoch in range(total):
        t_epoch = time.perf_counter()
        lr = lr_at(spec, epoch)
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        perm = torch.randperm(len(Xtr), generator=gen)
        tot_l, tot_m, seen = 0.0, 0.0, 0
        for i in range(0, len(Xtr), spec.batch):
            idx = perm[i: i + spec.batch]
            out = model(Xtr[idx])
            loss = loss_fn(out, ytr[idx])
            opt.zero_grad()
            loss.backward()
            gnorm = None
            if spec.clip:
                gnorm = nn.utils.clip_grad_norm_(model.parameters(), spec.clip)  # the norm before clipping
            elif record is not None:
                gnorm = torch.linalg.vector_norm(torch.stack(
                    [torch.linalg.vector_norm(p.grad.detach()) for p in model.parameters() if p.grad is not None]))
            opt.step()
            if record is not None:
                record["steps"].append({"epoch": epoch, "loss": float(loss.detach()), "lr": lr,
                                        "grad_norm": float(gnorm)})
            tot_l += float(loss.detach()) * len(idx)
            tot_m += _metric(data.task, out.detach(), ytr[idx]) * len(idx)
            seen += len(idx)
        model.eval()
        t_val = time.perf_counter()
        with torch.no_grad():
            out = model(Xva)
            vl = float(loss_fn(out, yva))
            vm = _metric(data.task, out, yva)
        if record is not None:
            record["val_seconds"].append(time.perf_counter() - t_val)
            record["epoch_seconds"].append(time.perf_counter() - t_epoch)
        hist["loss"].append(tot_l / seen)
        hist[mname].append(tot_m / seen)
        hist["val_loss"].append(vl)
        hist["val_" + mname].append(vm)
        hist["lr"].append(lr)
        if not stopped and spec.patience is not None:
            if vl < best - 1e-4:
                best, wait = vl, 0
            else:
                wait += 1
                if wait >= spec.patience:
                    stopped, n_logged = True, epoch + 1
                    final = _final_facts(model, data, Xtr, ytr, Xva, yva, loss_fn)
                    total = min(total, n_logged + max(10, int(round(n_logged * spec.extend))))
        if epoch + 1 == spec.epochs and not stopped:
            final = _final_facts(model, data, Xtr, ytr, Xva, yva, loss_fn)
            if spec.patience is None:
                n_logged = spec.epochs
        if epoch + 1 >= total:
            break
        if epoch + 1 >= n_logged and not all(math.isfinite(v) for v in hist["loss"][:n_logged]):
            break  # no future worth watching once the logged run is already NaN
    if spec.patience is not None and not stopped:
        n_logged = spec.epochs
    return Result(hist, min(n_logged, len(hist["loss"])), final, time.perf_counter() - t0)
