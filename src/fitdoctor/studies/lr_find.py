"""``fitdoctor lr-find``: the learning-rate range test on the built-in trainer.

The sweep (Smith 2017): train from the config's fresh initialisation while the learning
rate grows exponentially, one optimizer step per lr, from ``start_lr`` to ``end_lr``;
record the loss after every step and stop once it has clearly diverged (the running
median of the last 3 points above 4x the lowest seen, or non-finite). The model and the
optimizer (weights, buffers, gradients, optimizer state, lr, train/eval modes, torch's RNG)
are restored exactly afterwards: :func:`range_test` works on any model and optimizer a user
passes in, and leaves them as it found them.

What is recorded is not the loss of the batch just trained on (what fastai, Lightning and
pytorch-lr-finder record, then smooth with an exponential moving average that lags ~50
steps behind the lr): it is the loss on a fixed probe set of up to 512 training rows,
in eval mode, after each step. A fixed probe removes the batch-to-batch noise at its source
(every point is scored on the same rows), and a centred smoother (running median, then a
Gaussian over 0.1 decade of lr) removes the rest without shifting the curve to the right.

The suggestion rule, ``edge/10`` (documented in :func:`suggest`): find the *divergence
edge*, the lr at which the smoothed curve, after its minimum, climbs back half-way from
its lowest point to where it started (or the lr where the sweep had to stop), and suggest
one tenth of it. Why this point:

* the edge is where the curve is steepest, so noise moves it least (a shift in loss of
  ``e`` moves the crossing by ``e / slope``): the minimum of a flat-bottomed curve (Adam's
  usual shape), and the steepest-descent point of a noisy one, wander by decades between
  runs (fastai#3295, Lightning#21141, pytorch-lr-finder#106);
* the edge is the largest lr at which training is still stable for a few steps; for a
  quadratic bowl that is ``2/lambda_max`` and the fastest steady rate is about half of it,
  and a full training run (many epochs, noisy gradients, early stopping on validation)
  wants another factor of a few below that: one decade below the edge is Smith's and
  fastai's classic "an order of magnitude below where the loss blows up";
* the sweep is repeated (``repeats``, default 3: seeds ``seed .. seed+2``, each a fresh
  initialisation and batch order) and the edge is taken on the median curve, so one
  unlucky batch order cannot move it.

When the loss never falls beyond its own noise (nothing the sweep did helped, e.g. a
network stuck at chance on unscaled inputs), there is no suggestion: the range test cannot
fix a broken pipeline, and the result says so instead of returning a number.

The benchmark (``benchmarks/bench_lr_find.py``) measures the spread of the suggestion
over seeds and the validation loss a full training reaches at it, against the best lr of a
log-grid sweep and beside fastai's ``valley`` and Lightning's steepest-gradient rules.
"""

from __future__ import annotations

import contextlib
import copy
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from fitdoctor.errors import BadInput

#: Sweep defaults: 7.5 decades in 180 steps (24 per decade); fastai sweeps 1e-7..10 in 100.
START_LR = 1e-6
END_LR = 30.0
STEPS = 180
REPEATS = 3
#: The sweep stops when the running median of the last 3 losses exceeds this many times the lowest.
STOP_FACTOR = 4.0
#: Rows in the fixed probe set the loss is measured on after every step.
PROBE_ROWS = 512
#: Width (standard deviation, in decades of lr) of the Gaussian that smooths the log loss.
SMOOTH_DECADES = 0.1
#: The edge: where the curve after its minimum has climbed back this share of its total drop.
EDGE_SHARE = 0.5
#: The suggestion: the edge divided by this.
EDGE_DIVISOR = 10.0
#: The drop in log loss (start to minimum) must exceed this many noise scales for a suggestion.
MIN_DROP_NOISE = 4.0


# ------------------------------------------------------------------ results
@dataclass
class Sweep:
    """One range test: the lr of every step and the loss measured after it."""

    lrs: np.ndarray
    losses: np.ndarray
    stopped: str                    # completed | diverged | non_finite
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"lrs": [float(v) for v in self.lrs], "losses": [_num(v) for v in self.losses],
                "stopped": self.stopped, "seed": self.seed}


@dataclass
class LRFindResult:
    """What ``fitdoctor lr-find`` found: the curve, the suggestion and why."""

    lrs: list[float]                 # the lr grid of the sweep (shared by every repeat)
    loss: list[float]                # median over repeats of the loss after each step (nan past the stop)
    smoothed: list[float]            # the smoothed curve the rule reads
    suggested_lr: float | None       # None when the curve gives no reliable suggestion
    rule: str
    reason: str                      # one sentence: how the suggestion was read off the curve
    current_lr: float | None = None  # train.lr of the config
    min_lr: float | None = None      # lr at the lowest smoothed loss
    min_loss: float | None = None
    edge_lr: float | None = None     # the divergence edge the suggestion divides
    start_loss: float | None = None
    stopped: str = "completed"       # of the median curve: completed | diverged
    sweeps: list[Sweep] = field(default_factory=list, repr=False)
    config: Any = field(default=None, repr=False)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from fitdoctor.config import config_to_dict

        out = {k: v for k, v in asdict(self).items() if k not in ("sweeps", "config")}
        out["loss"] = [_num(v) for v in self.loss]
        out["smoothed"] = [_num(v) for v in self.smoothed]
        out["sweeps"] = [s.to_dict() for s in self.sweeps]
        out["config"] = config_to_dict(self.config) if self.config is not None else None
        return out

    def __repr__(self) -> str:
        lr = f"{self.suggested_lr:.3g}" if self.suggested_lr else "none"
        return f"LRFindResult(suggested_lr={lr}, rule={self.rule!r}, steps={len(self.lrs)}, stopped={self.stopped!r})"

    def __rich__(self):  # pragma: no cover - thin wrapper
        from fitdoctor.report.studies import render_lr_find

        return render_lr_find(self)


def _num(v: Any) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


# ------------------------------------------------------------------ the sweep
@contextlib.contextmanager
def preserved(model: Any, optimizer: Any) -> Iterator[None]:
    """Restore ``model`` and ``optimizer`` exactly on exit: parameters and buffers, gradients,
    each module's train/eval mode, the optimizer's state and hyper-parameters (lr included),
    and torch's global RNG, so a training after the test runs as it would have without it."""
    import torch

    state = copy.deepcopy(model.state_dict())
    opt_state = copy.deepcopy(optimizer.state_dict())
    grads = [None if p.grad is None else p.grad.detach().clone() for p in model.parameters()]
    modes = [(m, m.training) for m in model.modules()]
    rng = torch.get_rng_state()
    try:
        yield
    finally:
        with torch.no_grad():
            model.load_state_dict(state)
        optimizer.load_state_dict(opt_state)
        for p, g in zip(model.parameters(), grads):
            p.grad = g
        for m, mode in modes:
            m.training = mode
        torch.set_rng_state(rng)


def lr_grid(start_lr: float = START_LR, end_lr: float = END_LR, steps: int = STEPS) -> np.ndarray:
    """The exponential sweep: ``steps`` lrs from ``start_lr`` to ``end_lr``, equally spaced in log."""
    if not (start_lr > 0 and end_lr > start_lr and math.isfinite(end_lr)):
        raise BadInput(f"lr range {start_lr:g}..{end_lr:g}: expected finite numbers, 0 < start_lr < end_lr")
    if steps < 10:
        raise BadInput(f"steps {steps}: expected at least 10")
    return np.geomspace(start_lr, end_lr, steps)


def range_test(model: Any, optimizer: Any, X: np.ndarray, y: np.ndarray, *, task: str,
               loss_fn: Callable[[Any, Any], Any] | None = None, batch_size: int = 32,
               start_lr: float = START_LR, end_lr: float = END_LR, steps: int = STEPS,
               seed: int = 0, probe_rows: int = PROBE_ROWS, stop_factor: float = STOP_FACTOR,
               grad_clip: float | None = None, penalty: Callable[[], Any] | None = None,
               rows: np.ndarray | None = None) -> Sweep:
    """Run one range test on ``model`` with ``optimizer`` over the rows ``X, y``; restore both after.

    ``loss_fn(outputs, targets)`` returns per-sample losses (defaults to the trainer's loss for
    ``task``: BCE with logits, cross-entropy, MSE); ``penalty()`` adds a regulariser to each
    step's objective (not to the recorded loss). ``rows`` draws the training batches from these
    row indices (resampling); the probe set is always drawn from the original rows.
    """
    import torch

    from fitdoctor.train.trainer import _targets, make_loss

    lrs = lr_grid(start_lr, end_lr, steps)
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise BadInput(f"range test data: X has shape {X.shape}, y has {len(y)} values; "
                       "expected a non-empty 2-D table with one target per row")
    per_sample = loss_fn or make_loss(task, None)
    Xt, yt = torch.as_tensor(X), _targets(y, task)
    rng = np.random.default_rng(seed)
    probe = np.sort(rng.choice(len(X), size=min(probe_rows, len(X)), replace=False))
    Xp, yp = Xt[probe], yt[probe]
    train_rows = np.arange(len(X)) if rows is None else np.asarray(rows)
    gen = torch.Generator().manual_seed(seed)

    def batches() -> Iterator[Any]:
        while True:
            perm = train_rows[torch.randperm(len(train_rows), generator=gen).numpy()]
            for s in range(0, len(perm), batch_size):
                yield torch.as_tensor(perm[s:s + batch_size])

    def outputs(xb: Any) -> Any:
        out = model(xb)
        return out if task == "multiclass" else out.reshape(-1)

    losses = np.full(steps, np.nan)
    stopped = "completed"
    with preserved(model, optimizer):
        torch.manual_seed(seed)
        it = batches()
        best = math.inf
        for i, lr in enumerate(lrs):
            for g in optimizer.param_groups:
                g["lr"] = float(lr)
            idx = next(it)
            model.train()
            loss = per_sample(outputs(Xt[idx]), yt[idx]).mean()
            if penalty is not None:
                loss = loss + penalty()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if not math.isfinite(float(loss.detach())):
                stopped = "non_finite"
                break
            if grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            model.eval()
            with torch.no_grad():
                v = float(per_sample(outputs(Xp), yp).mean())
            losses[i] = v
            if not math.isfinite(v):
                stopped = "non_finite"
                break
            recent = float(np.median(losses[max(0, i - 2):i + 1]))
            best = min(best, recent)
            if i >= 3 and recent > stop_factor * best:
                stopped = "diverged"
                break
    return Sweep(lrs=lrs, losses=losses, stopped=stopped, seed=seed)


# ------------------------------------------------------------------ reading the curve
def smooth_curve(lrs: np.ndarray, losses: np.ndarray, decades: float = SMOOTH_DECADES) -> np.ndarray:
    """Centred smoothing of log(loss) in log(lr): a running median of 5 (drops single spikes),
    then a Gaussian of ``decades`` standard deviation. Points past the first non-finite one
    stay NaN. Returns the smoothed loss (not its log)."""
    lrs = np.asarray(lrs, dtype=float)
    y = np.asarray(losses, dtype=float)
    out = np.full(y.shape, np.nan)
    bad = ~np.isfinite(y) | (y <= 0)
    n = int(np.argmax(bad)) if bad.any() else y.size
    if n == 0:
        return out
    z = np.log(y[:n])
    if n >= 5:
        pad = np.pad(z, 2, mode="edge")
        z = np.median(np.lib.stride_tricks.sliding_window_view(pad, 5), axis=1)
    x = np.log10(lrs[:n])
    if n >= 3 and decades > 0:
        w = np.exp(-0.5 * ((x[:, None] - x[None, :]) / decades) ** 2)
        z = (w @ z) / w.sum(axis=1)
    out[:n] = np.exp(z)
    return out


def median_curve(sweeps: list[Sweep]) -> np.ndarray:
    """Pointwise median over repeats; a repeat that stopped counts as diverged (+inf) after
    its stop, so the median curve ends where most repeats had diverged."""
    stack = np.vstack([np.where(np.isfinite(s.losses), s.losses, np.inf) for s in sweeps])
    for k, s in enumerate(sweeps):  # never-reached steps of a completed sweep are not divergence
        if s.stopped == "completed":
            stack[k][~np.isfinite(stack[k])] = np.nan
    with np.errstate(invalid="ignore"):
        med = np.nanmedian(stack, axis=0)
    med[~np.isfinite(med)] = np.nan
    return med


def suggest(lrs: np.ndarray, smoothed: np.ndarray, *, stopped: bool,
            edge_share: float = EDGE_SHARE, divisor: float = EDGE_DIVISOR,
            min_drop_noise: float = MIN_DROP_NOISE, raw: np.ndarray | None = None) -> dict[str, Any]:
    """The ``edge/10`` rule on a smoothed curve (see the module docstring for why).

    start = the median smoothed loss over the first 10% of the sweep (lrs too small to move
    the weights); drop = log(start) - log(min). The edge is the first lr after the minimum
    where the log loss is back above ``min + edge_share * drop``; when the curve never gets
    there (the sweep stopped at divergence first, or reached ``end_lr``), the last lr
    recorded. Suggested: edge / ``divisor``, never above the minimum's lr. No suggestion when
    the drop is under ``min_drop_noise`` times the noise of the raw curve (what the
    smoother removed), or the curve is too short.
    """
    lrs = np.asarray(lrs, dtype=float)
    s = np.asarray(smoothed, dtype=float)
    ok = np.isfinite(s)
    n = int(np.argmin(ok)) if not ok.all() else s.size
    out: dict[str, Any] = {"suggested_lr": None, "min_lr": None, "min_loss": None, "edge_lr": None,
                           "start_loss": None, "drop": None, "noise": None}
    if n < 10:
        out["reason"] = f"the sweep stopped after {n} steps: too few points to read a curve"
        return out
    z = np.log(s[:n])
    head = max(3, n // 10) if n < s.size else max(3, s.size // 10)
    start = float(np.median(z[:head]))
    i_min = int(np.argmin(z))
    drop = start - float(z[i_min])
    noise = 0.0
    if raw is not None:
        r = np.asarray(raw, dtype=float)[:n]
        fin = np.isfinite(r) & (r > 0)
        if fin.sum() >= 5:
            res = np.log(r[fin]) - z[fin]
            noise = 1.4826 * float(np.median(np.abs(res - np.median(res))))
    out.update(min_lr=float(lrs[i_min]), min_loss=float(s[i_min]), start_loss=float(math.exp(start)),
               drop=drop, noise=noise)
    if drop <= max(min_drop_noise * noise, 0.05):
        out["reason"] = (f"the loss never fell beyond its noise (lowest {math.exp(-drop):.2f}x the starting "
                         "loss): no learning rate in the sweep trained this network, so the curve "
                         "cannot point at one")
        return out
    level = z[i_min] + edge_share * drop
    above = np.nonzero(z[i_min:] > level)[0]
    if above.size:
        j = i_min + int(above[0])
        # interpolate the crossing in log lr between the two points around it
        z0, z1 = z[j - 1], z[j]
        t = (level - z0) / (z1 - z0) if z1 != z0 else 1.0
        edge = 10 ** (math.log10(lrs[j - 1]) + t * (math.log10(lrs[j]) - math.log10(lrs[j - 1])))
        how = f"climbed back half-way from its minimum at {edge:.3g}"
    else:
        edge = float(lrs[n - 1])
        how = (f"stopped at divergence at {edge:.3g}" if stopped else
               f"was still low at the end of the sweep ({edge:.3g}); the edge may lie higher")
    lr = min(edge / divisor, float(lrs[i_min]))
    out.update(edge_lr=float(edge), suggested_lr=float(lr))
    out["reason"] = (f"the smoothed loss {how}; one tenth of that edge is {lr:.3g}"
                     if lr == edge / divisor else
                     f"the smoothed loss {how}; one tenth of it lies above the minimum's lr, so the "
                     f"minimum's lr {lr:.3g}")
    return out


# ------------------------------------------------------------------ the command
def lr_find(config: Any, *, dataset: Any = None, repeats: int = REPEATS, seed: int | None = None,
            start_lr: float = START_LR, end_lr: float = END_LR, steps: int = STEPS,
            threads: int | None = 1) -> LRFindResult:
    """The range test for a run config (a path, dict or RunConfig): its model, optimizer,
    batch size, loss and regularisation, on its training rows only (scaled as the trainer
    scales them; the validation and test rows are never read). ``repeats`` sweeps, seeds
    ``seed .. seed+repeats-1`` (default ``train.seed``), read on their median curve."""
    import torch

    from fitdoctor.config import load_config
    from fitdoctor.data import fit_scaler, load_dataset, make_splits
    from fitdoctor.train.model import build_model, n_outputs_for
    from fitdoctor.train.trainer import balanced_weights, make_loss, make_optimizer, resample_indices

    cfg = load_config(config)
    if repeats < 1:
        raise BadInput(f"repeats {repeats}: expected at least 1")
    ds = dataset if dataset is not None else load_dataset(cfg.data)
    sp = make_splits(ds, cfg.data.split)[0]
    scaler = fit_scaler(ds.X[sp.train], cfg.data.scale)
    X = scaler.transform(ds.X[sp.train]).astype(np.float32)
    y = ds.y[sp.train]
    if not np.all(np.isfinite(X)):
        raise BadInput(f"{ds.source}: the training rows hold NaN or inf; impute or drop them first "
                       "(fitdoctor check-data shows where)")
    task, K = ds.task, int(ds.n_classes or (2 if ds.task == "binary" else 1))
    tc, mc = cfg.train, cfg.model
    base_seed = int(tc.seed if seed is None else seed)
    old_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    sweeps = []
    try:
        for r in range(repeats):
            s = base_seed + r
            torch.manual_seed(s)
            model = build_model(mc, X.shape[1], n_outputs_for(task, K))
            opt = make_optimizer(tc.optimizer, model.parameters(), tc.lr)
            cw = None
            if task != "regression" and tc.class_weight == "balanced":
                cw = torch.as_tensor(balanced_weights(y, K), dtype=torch.float32)
            loss_fn = _weighted(make_loss(task, None), cw)
            penalty = _penalty([lin.weight for _, lin in model.layers()], mc.l1, mc.l2)
            rows = (resample_indices(y, tc.resample, np.random.default_rng(s))
                    if task != "regression" else None)
            sweeps.append(range_test(model, opt, X, y, task=task, loss_fn=loss_fn, batch_size=tc.batch_size,
                                     start_lr=start_lr, end_lr=end_lr, steps=steps, seed=s,
                                     grad_clip=tc.grad_clip, penalty=penalty, rows=rows))
    finally:
        if threads:
            torch.set_num_threads(old_threads)
    return read_sweeps(sweeps, config=cfg, meta={
        "task": task, "n_classes": ds.n_classes, "rows": int(len(y)), "optimizer": tc.optimizer,
        "batch_size": tc.batch_size, "repeats": repeats, "start_lr": start_lr, "end_lr": end_lr,
        "steps": steps, "source": ds.source, "probe_rows": min(PROBE_ROWS, int(len(y)))})


def read_sweeps(sweeps: list[Sweep], *, config: Any = None, meta: dict[str, Any] | None = None) -> LRFindResult:
    """Combine repeats (median curve), smooth, and apply the rule."""
    lrs = sweeps[0].lrs
    med = median_curve(sweeps)
    sm = smooth_curve(lrs, med)
    n_ok = int(np.isfinite(med).sum())
    stopped = "completed" if n_ok == lrs.size else "diverged"
    sug = suggest(lrs, sm, stopped=stopped != "completed", raw=med)
    cur = float(config.train.lr) if config is not None else None
    res = LRFindResult(lrs=[float(v) for v in lrs], loss=[float(v) for v in med], smoothed=[float(v) for v in sm],
                       suggested_lr=sug["suggested_lr"], rule="edge/10", reason=sug["reason"], current_lr=cur,
                       min_lr=sug["min_lr"], min_loss=sug["min_loss"], edge_lr=sug["edge_lr"],
                       start_loss=sug["start_loss"], stopped=stopped, sweeps=list(sweeps), config=config,
                       meta=dict(meta or {}))
    res.meta.update({"drop_log": sug["drop"], "noise_log": sug["noise"]})
    if sug["suggested_lr"] is not None and cur:
        ratio = cur / sug["suggested_lr"]
        if ratio > 3 or ratio < 1 / 3:
            res.notes.append(f"the config's lr {cur:g} is {max(ratio, 1 / ratio):.3g}x "
                             f"{'above' if ratio > 1 else 'below'} the suggestion "
                             f"({abs(math.log10(ratio)):.1f} decades)")
    return res


def write_lr_find_dir(res: LRFindResult, out: Any, *, report: bool = True) -> dict:
    """lr_find.json, lr_find.csv (lr, each sweep, the median and the smoothed curve) and, with
    ``report``, report.html in ``out`` (what ``fitdoctor lr-find --out`` writes)."""
    from fitdoctor.report.studies import write_study_dir

    def render() -> str:
        from fitdoctor.report.studies import lr_find_html

        return lr_find_html(res)

    def cell(v: Any) -> str:
        v = float(v)
        return repr(v) if v == v else ""  # NaN (a sweep that stopped early): empty

    rows = ([repr(float(lr)), *(cell(s.losses[i]) for s in res.sweeps), cell(res.loss[i]), cell(res.smoothed[i])]
            for i, lr in enumerate(res.lrs))
    sweeps = [f"sweep_{i if s.seed is None else s.seed}" for i, s in enumerate(res.sweeps)]
    return write_study_dir(Path(out), "lr_find", res.to_dict(), ["lr", *sweeps, "median", "smoothed"], rows,
                           render if report else None)


def _weighted(per_sample: Callable[[Any, Any], Any], cw: Any) -> Callable[[Any, Any], Any]:
    """Per-sample losses with class weights (normalised like the trainer's weighted mean)."""
    if cw is None:
        return per_sample

    def fn(out: Any, target: Any) -> Any:
        w = cw[target.long()]
        return per_sample(out, target) * w / w.mean()
    return fn


def _penalty(weights: list[Any], l1: float, l2: float) -> Callable[[], Any] | None:
    """The trainer's L1/L2 terms on the layer weights (None when both are off)."""
    if not (l1 or l2):
        return None

    def fn() -> Any:
        return l1 * sum(w.abs().sum() for w in weights) + l2 * sum((w * w).sum() for w in weights)
    return fn
