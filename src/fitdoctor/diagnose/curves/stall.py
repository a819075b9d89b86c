"""A run that stopped moving: plateau (it froze while learning) and underfitting (it cannot fit)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, head_level, rule, tail_level
from fitdoctor.diagnose.chance import REGRESSION_METRICS, clear_of_guessing, guessed_classes, guessing_rate
from fitdoctor.diagnose.curves.messages import finding, fv, fx, negated, shown, unit
from fitdoctor.diagnose.curves.shape import noise, print_step, still_moving, train_curve
from fitdoctor.findings import Finding


def lr_collapsed(ctx: Context, at: float) -> bool:
    """The logged lr at ``at`` is below 1% of where it started (a schedule that shrank to ~0)."""
    lr = ctx.lr
    return bool(lr is not None and lr.n >= 2 and lr.first > 0 and lr.at(at) <= 1e-2 * lr.first)

def flat_start(c: Curve, z_trend: float) -> int | None:
    """Index where the curve's final flat stretch begins: no trend, and 90% of the points
    within 3 noise scales of the stretch's median (Theil-Sen alone would call a long flat
    tail with a short steep start "flat")."""
    # no flatness finer than the precision logs are written with (4-5 significant digits)
    band = max(3 * c.sigma, 2e-3 * float(np.median(np.abs(c.y[-max(3, c.n // 3):]))), 1e-12)
    for s in range(0, c.n - 3):
        y = c.y[s:]
        dev = np.abs(y - np.median(y))
        if dev[: min(3, dev.size)].max() > band or np.quantile(dev, 0.9) > band:
            continue  # the stretch starts where the curve has entered the band and stays
        _, z = stats.trend(c.x[s:], y, c.sigma)
        if abs(z) < z_trend:
            return s
    return None

def frozen_from(c: Curve, start: int, rel_range: float) -> int | None:
    """First index from which the curve stays within ``rel_range`` of its level (a loss
    that decays geometrically into a frozen value has a creeping start: skip it)."""
    level = max(abs(float(np.median(c.y[start:]))), 1e-12)
    step = print_step(c.y[start:])
    if step is not None and step >= rel_range * level:
        return None  # the log prints too few digits to show a move this small
    for i in range(start, c.n - 2):
        if np.ptp(c.y[i:]) < rel_range * level:
            return i
    return None

def frozen_val_from(ctx: Context) -> int | None:
    """Index from which validation loss stays frozen for at least half the evaluations."""
    V = ctx.val_loss
    if V is None or V.n < 6:
        return None
    i = frozen_from(V, 0, ctx.th.frozen_rel_range)
    return i if i is not None and (V.n - i) >= 0.5 * V.n else None

def lr_cut_freeze(ctx: Context, T: Curve) -> Finding | None:
    """The lr was cut 100x or more within two evaluations while the loss was still falling
    fast, and the loss all but stopped from there on: a schedule bug froze a learning run
    (ReduceLROnPlateau cuts *after* the loss went flat, so its cuts do not qualify)."""
    lr = ctx.lr
    if lr is None or lr.n < 4 or T.n < 6 or T is not ctx.loss:
        return None
    ly = np.maximum(lr.y, 1e-300)
    for i in range(1, lr.n):
        before = float(np.max(ly[max(0, i - 2):i]))
        if ly[i] <= 1e-2 * before:
            break
    else:
        return None
    cut_at = float(lr.x[i])
    j = int(np.searchsorted(T.x, cut_at, side="left"))  # first train point under the cut lr
    if j < 2 or (T.n - j) < max(3, 0.3 * T.n):
        return None
    pre_rate = float(T.y[j - 2] - T.y[j]) / 2 if j >= 2 else 0.0
    post = T.y[j:]
    level = float(np.median(post))
    post_rate = abs(stats.theil_sen(np.arange(post.size, dtype=float), post))
    if pre_rate <= 0 or post_rate > ctx.th.plateau_rate_drop * pre_rate:
        return None
    if float(np.ptp(post)) > 0.05 * abs(level) or level < 0.05 * abs(head_level(T)):
        return None  # it kept moving, or it had already converged near zero
    ev = {"flat_from": float(T.x[j]), "level": level, "lr_first": float(ly[i - 1]),
          "lr_at_flat_start": float(ly[i]), "cut_at": cut_at, "rate_before": pre_rate, "rate_after": post_rate}
    cut = (f"cut {ly[i - 1] / ly[i]:.0f}x ({fv(float(ly[i - 1]))} -> {fv(float(ly[i]))})" if lr.y[i] > 0
           else f"logged as 0 from {fv(float(ly[i - 1]))}")  # below the log's precision: no ratio to quote
    msg = (f"{T.name} was falling {fv(pre_rate)} per {unit(T)} until the learning rate collapsed, {cut} "
           f"at {lr.axis} {fx(cut_at)}; "
           f"since then it has moved {fv(float(np.ptp(post)))} in {post.size} {unit(T)}s and sits at "
           f"{fv(level)}: the run froze while it was still learning")
    return finding("plateau", "warning", msg, ctx, span=(T.x[j], T.x[-1]), evidence=ev)

@rule("curves")
def plateau(ctx: Context) -> Finding | None:
    T = train_curve(ctx)
    if T is None or T.n < 6:
        return None
    if constant_predictor(ctx) is not None:
        return None  # it never learned, so it did not freeze while learning: underfitting speaks
    if (cut := lr_cut_freeze(ctx, T)) is not None:
        return cut
    # the flat stretch at the end: the earliest start from which the rest shows no trend
    start_flat = flat_start(T, ctx.th.z_trend)
    if start_flat is None or (T.n - start_flat) < max(3, 0.3 * T.n):
        return None
    flat = T.y[start_flat:]
    level = float(np.median(flat))
    sm = T.smoothed()
    before_min = float(np.min(sm[: start_flat + 1])) if start_flat > 0 else level
    start = head_level(T)
    total = start - min(before_min, level)
    sigma = noise(T)
    long_flat = (T.n - start_flat) >= 0.5 * T.n
    ev: dict[str, Any] = {"flat_from": float(T.x[start_flat]), "level": level, "start": start}
    reason = None
    # (a) stuck above a level it reached before
    if before_min < level - ctx.th.plateau_sigmas * sigma and (level - before_min) > 0.05 * abs(level):
        # a score standing in for the loss (a reward) is quoted as logged: flat below its best
        reason = f"{'below' if negated(T) else 'above'} the {fv(shown(T, before_min))} it reached before"
        ev["reached_before"] = before_min
    # a loss that stopped near zero has converged; a plateau sits well above that
    elif level < 0.05 * abs(start):
        reason = None
    # (b) the learning rate collapsed and the loss froze with it, for most of the run
    elif long_flat and lr_collapsed(ctx, at := T.x[start_flat + (T.n - start_flat) // 2]):
        lr_then = ctx.lr.at(at)
        # an lr logged as 0 (a schedule printed to 6 decimals) is below what the log can show:
        # no ratio to quote ("1e+298x below its start")
        reason = (f"frozen as the learning rate collapsed to {fv(lr_then)} by {T.axis} {fx(at)} "
                  f"({ctx.lr.first / lr_then:.3g}x below its start {fv(ctx.lr.first)})" if lr_then > 0 else
                  f"frozen as the learning rate collapsed to what the log prints as 0 by {T.axis} {fx(at)} "
                  f"(from {fv(ctx.lr.first)} at the start)")
        ev["lr_at_flat_start"] = ctx.lr.at(T.x[start_flat])
        ev["lr_mid_flat"] = ctx.lr.at(at)
    # (c) frozen: the loss repeats to four or more significant digits for most of the run,
    # which minibatch training does not do while the weights still move
    elif (frozen := frozen_from(T, start_flat, ctx.th.frozen_rel_range)) is not None \
            and (T.n - frozen) >= 0.5 * T.n:
        reason = (f"not changing in the 4th significant digit for the last {T.n - frozen} {unit(T)}s: the "
                  f"weights have stopped moving ({frozen_causes(ctx)})")
        ev["relative_range"] = float(np.ptp(T.y[frozen:]) / max(abs(level), 1e-12))
        ev["frozen_from"] = float(T.x[frozen])
    # (c') the same seen on validation: a fixed val set through fixed weights gives the same
    # loss to the digit, while minibatch noise keeps a frozen model's train loss moving
    elif long_flat and (vf := frozen_val_from(ctx)) is not None:
        V = ctx.val_loss
        reason = (f"and {V.name} has not changed in the 4th significant digit for the last {V.n - vf} "
                  f"{unit(V)}s ({fv(float(np.median(V.y[vf:])))}): the weights have stopped moving "
                  f"({frozen_causes(ctx)})")
        ev["val_frozen_from"] = float(V.x[vf])
    # (d) barely moved at all, from the start (a log that begins well into its run, a resume
    # logged on its own, shows no start: flat there is where the run had got to, not a stall)
    # (a loss flat from its start at a level well above its first point rose: it did not
    # "barely move", and its flat stretch is no stall at the start's level)
    elif start_flat == 0 and abs(total) < 0.05 * abs(start) and (ctx.chance_loss is None or level < 0.9 * ctx.chance_loss) \
            and not fell_before_first_point(ctx, T, level) and not begins_mid_run(T):
        reason = f"having moved only {fv(total)} from its start {fv(shown(T, start))}"
    if reason is None:
        return None
    if ctx.lr is not None and ctx.lr.n >= 2 and ctx.lr.first > 0:
        ev["lr_first"], ev["lr_last"] = ctx.lr.first, ctx.lr.last
        if ctx.lr.last < 1e-2 * ctx.lr.first and "lr_at_flat_start" not in ev:
            reason += f"; the lr fell {ctx.lr.first / max(ctx.lr.last, 1e-30):.0f}x to {fv(ctx.lr.last)}"
    msg = f"{T.name} is flat at {fv(shown(T, level))} from {T.axis} {fx(T.x[start_flat])} on, {reason}"
    return finding("plateau", "warning", msg, ctx, span=(T.x[start_flat], T.x[-1]), evidence=ev)

@rule("curves")
def underfitting(ctx: Context) -> Finding | None:
    """Settled high, with validation no worse than training: the model cannot fit even the
    training data. A model with room to spare fits its training set better than unseen data
    (val above train); one that underfits shows no such gap, so the gap decides how high
    "high" has to be."""
    T = ctx.loss
    if T is not None and (constant := constant_predictor(ctx)) is not None:
        witness, ev = constant
        msg = (f"{T.name} stayed at {fv(tail_level(T))} from its start {fv(head_level(T))} while {witness}: "
               "the model predicts a constant, so it cannot fit even its training data")
        return finding("underfitting", "warning", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)
    if T is None or T.n < ctx.th.short_run:
        return None  # a handful of epochs cannot show a loss has settled
    floor, floor_name = learned_nothing_level(ctx)
    if floor is None:
        return None  # without the "learned nothing" level, high cannot be told from hard
    if still_moving(T, ctx) or (ctx.val_loss is not None and ctx.val_loss.n >= 4
                                and still_moving(ctx.val_loss, ctx)):
        return None  # still falling materially: not settled, other rules speak
    end = tail_level(T, 0.2)
    train_prior = ctx.history.meta.get("train_class_prior")
    if train_prior and ctx.chance_loss is not None:
        # class weights or resampling: the train loss is measured on balanced classes
        floor, floor_name = stats.entropy(train_prior), "the chance-level loss of the weighted train loss"
    share = end / floor
    ev: dict[str, Any] = {"train_last": end, "train_start": head_level(T), "share_of_chance_loss": share,
                          "chance_loss": floor}
    acc = None
    A = ctx.metric if ctx.metric is not None and ctx.metric.n else ctx.val_metric
    if ctx.metric_name == "accuracy" and A is not None and A.n:
        acc = tail_level(A, 0.2)
        ev[A.name] = acc
    gap = None
    if ctx.val_loss is not None and ctx.val_loss.n >= 2:
        v_end = tail_level(ctx.val_loss, 0.2)
        ev["val_last"] = v_end
        gap = (v_end - end) / max(abs(v_end), abs(end), 1e-12)
        ev["val_gap"] = gap
        if abs(gap) > ctx.th.underfit_gap_frac:
            return None  # a real gap either way: not "train and val both stuck high together"
    good_acc = acc is not None and clear_of_guessing(acc, guessing_rate(ctx), ctx, share=ctx.th.underfit_poor_share)
    # beside a good accuracy the loss alone speaks only near the chance level (a noisy task's
    # best loss can sit at half of it)
    high_loss = share >= (ctx.th.underfit_high_share if good_acc else ctx.th.underfit_chance_share)
    poor_acc = acc is not None and acc < ctx.th.underfit_max_accuracy and share >= ctx.th.underfit_min_share
    min_share = ctx.th.underfit_no_gap_share if ctx.metric_name == "accuracy" or ctx.chance_loss \
        else ctx.th.underfit_regression_share
    # "no better on train than on unseen data" says little beside a good accuracy: dropout,
    # augmentation and class weights lift the train loss of a model that fits well (0.94 on
    # pneumonia X-rays, val loss below train); it speaks when the score is poor or not logged
    no_gap = gap is not None and gap <= ctx.th.underfit_no_gap and share >= min_share and not good_acc
    if ctx.chance_loss is None and not floor_name.startswith("the target's variance"):
        high_loss = poor_acc = False  # a guessed floor is weak evidence: ask for no gap at all
    # below the clearly-high level, "cannot fit" also needs the curve flat for most of the run
    # (a loss still creeping down over its second half is a slow, noisy task, not a capped model)
    half = T.y[T.n // 2:]
    second_half_fall = (float(half[0]) - float(np.median(half[-max(2, half.size // 5):]))) / max(abs(end), 1e-12)
    ev["second_half_fall"] = second_half_fall
    if second_half_fall > ctx.th.underfit_flat_rel:
        poor_acc = no_gap = False
    if poor_acc and gap is not None and gap > ctx.th.underfit_close_gap:
        poor_acc = False  # a poor accuracy with val clearly above train is a gap, not a cap
    if (poor_acc or no_gap) and not high_loss and baselines_do_no_better(ctx):
        # logistic regression and gradient boosting on the same rows score no better: the task
        # (label noise, overlapping classes) caps the score, not the network's capacity
        ev["baselines_no_better"] = True
        poor_acc = no_gap = False
    if not (high_loss or poor_acc or no_gap) or (acc is not None and acc >= 0.99):
        return None
    high = f"{share:.0%} of {floor_name} {fv(floor)}"
    if poor_acc and not high_loss:
        high += f", {A.name} only {acc:.3f}"
    close = "with validation close to it" if gap is not None else "(no validation loss logged to compare)"
    if no_gap and not (high_loss or poor_acc):
        close = (f"with validation no worse ({fv(ev['val_last'])}): it fits the training data no better "
                 "than data it has never seen")
    msg = f"{T.name} settled at {fv(end)} ({high}) {close}; the model cannot fit even its training data"
    return finding("underfitting", "warning", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)


#: regression scores that a prediction carrying no signal puts at 0 (a correlation, R^2)
NO_SIGNAL_AT_ZERO = frozenset({"spearman", "pearson", "rho", "corr", "correlation", "r2", "rsquared"})
#: the mean absolute percentage error of predicting 0 for every row, in percent
MAPE_OF_ZERO = 100.0


def constant_predictor(ctx: Context) -> tuple[str, dict[str, Any]] | None:
    """A regression whose predictions carry no signal, and the words that show it: its loss
    never moved (by a twentieth of its start, train and validation) while a correlation or
    R^2 held within 0.05 of 0 at every evaluation, or a MAPE within a tenth of 100% (what
    predicting 0 scores, the mean of a standardised target). The loss alone cannot say this:
    how high is high depends on the target's scale, which a log does not give."""
    curves = [c for c in (ctx.loss, ctx.val_loss) if c is not None and c.n >= 3]
    if not curves or any(head_level(c) - min(tail_level(c), float(np.min(c.smoothed())))
                         > ctx.th.constant_predictor_moved * abs(head_level(c)) for c in curves):
        return None
    for name, series in ctx.history.series.items():
        v = series.values[np.isfinite(series.values)]
        if v.size < 3:
            continue
        words = set(re.split(r"[^a-z0-9]+", name.lower()))
        if words & NO_SIGNAL_AT_ZERO and np.all(np.abs(v) <= ctx.th.constant_predictor_score):
            return (f"{name} held between {fv(float(v.min()))} and {fv(float(v.max()))} at all {v.size} "
                    "evaluations (a prediction with no signal scores 0)",
                    {"no_signal_series": name, "no_signal_min": float(v.min()), "no_signal_max": float(v.max())})
        if "mape" in words or "mean_absolute_percentage_error" in name.lower():
            later = v[v.size // 4:]
            scale = MAPE_OF_ZERO if float(np.median(later)) > 10 else MAPE_OF_ZERO / 100
            if later.size >= 3 and np.all(np.abs(later - scale) <= 0.1 * scale):
                return (f"{name} held at {fv(float(later.min()))}-{fv(float(later.max()))} (predicting 0 for "
                        "every row scores 100%)",
                        {"no_signal_series": name, "no_signal_min": float(later.min()),
                         "no_signal_max": float(later.max())})
    return None


def begins_mid_run(T: Curve) -> bool:
    """The log's first point lies well into its run: epoch 60 of a log of epochs 60-74 (a resume
    logged to a file of its own). Its first value is where the run had got to, not its start.
    An epoch counter starts at 0 or 1; a step counter's first logged point is a small share of
    the steps the log spans."""
    first, span = float(T.x[0]), float(T.x[-1] - T.x[0])
    if T.axis == "epoch":
        return first > max(2.0, 0.5 * span)
    return first > max(0.25 * span, 1.0) and first > 1000


def fell_before_first_point(ctx: Context, T: Curve, level: float) -> bool:
    """The logged series behind ``T`` started well above ``level``: ``T`` is a resampling (a
    Trainer's per-step loss as means over its evaluation windows) whose first point already
    averages the early fall (0.83 -> 0.12 inside the first window reads as a flat 0.245)."""
    first = (ctx.history.meta.get("first_logged") or {}).get(T.name)
    return first is not None and first - level > 0.05 * abs(first)

def baselines_do_no_better(ctx: Context) -> bool:
    """The trainer fitted simple baselines on the same rows (meta ``baseline_scores``): True when
    none of the non-trivial ones beats the network's validation score beyond sampling noise."""
    bs = ctx.history.meta.get("baseline_scores")
    if not isinstance(bs, dict):
        return False
    metric = bs.get("metric")
    net = (bs.get("network") or {}).get(metric)
    others = [(v or {}).get(metric) for k, v in (bs.get("baselines") or {}).items() if k != "majority"]
    others = [float(o) for o in others if isinstance(o, (int, float)) and math.isfinite(o)]
    if not isinstance(net, (int, float)) or not math.isfinite(net) or not others:
        return False
    n = bs.get("n_val") or 0
    p = min(max(float(net), 0.0), 1.0)
    se = math.sqrt(max(p * (1 - p), 1e-4) / n) if metric != "r2" and n else 0.02
    return float(net) >= max(others) - 2 * se

def learned_nothing_level(ctx: Context) -> tuple[float | None, str]:
    """The loss of a model that learned nothing, and what to call it.

    The chance level when known; for a classifier without one, ln K with K read off the
    first loss (2 when it says nothing: the most forgiving guess for a balanced task); for
    a run that logs a regression metric, the first loss.
    """
    if ctx.chance_loss is not None:
        return ctx.chance_loss, "the chance-level loss"
    var = ctx.history.meta.get("target_variance")
    if ctx.history.meta.get("task") == "regression" and isinstance(var, (int, float)) and var > 0:
        # the MSE of always predicting the mean: what a regressor that learned nothing scores
        return float(var), "the target's variance (the MSE of predicting the mean)"
    if ctx.metric_name == "accuracy":
        k = guessed_classes(ctx)
        return math.log(k), f"ln {k} (the loss of guessing among {k} classes)"
    if ctx.metric_name in REGRESSION_METRICS and ctx.loss is not None and ctx.loss.n >= 4 \
            and head_level(ctx.loss) > 0:
        # regression: an untrained net predicts ~0, so its first loss is about what predicting
        # a constant costs (the variance of the target, plus its mean squared)
        return head_level(ctx.loss), "its starting loss"
    return None, ""


def frozen_causes(ctx: Context) -> str:
    """Why weights stop moving. A learning rate the log shows steady is no cause: then units
    saturated or dead (no gradient passes them), or layers left frozen."""
    lr = ctx.lr
    if lr is not None and lr.n >= 2 and float(np.min(lr.y)) >= 0.5 * float(lr.first) > 0:
        return (f"the learning rate stayed at {fv(float(lr.last))}: saturated or dead units pass no gradient, "
                "or layers are frozen")
    return "a learning rate decayed to ~0, or frozen layers"
