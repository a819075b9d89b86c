"""oscillating: swings as large as the level itself, with no trend."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, rule, tail_level
from fitdoctor.diagnose.curves.shape import (accuracy_sampling_error, at_epoch_cadence, batches_inside_epochs,
                                             rows_behind_accuracy, still_moving)
from fitdoctor.diagnose.curves.messages import finding, fv, fx, unit
from fitdoctor.findings import Finding


def _val_accuracy(ctx: Context) -> bool:
    """A val accuracy curve long enough to judge (its level is a share of 1, as a loss's is of itself)."""
    V = ctx.val_metric
    return ctx.metric_name == "accuracy" and V is not None and V.n >= 8 and bool(np.all((V.y >= 0) & (V.y <= 1)))


def within_sampling_noise(c: Curve, level: float) -> bool:
    """A val accuracy whose swings a val set of its size makes by sampling alone (within twice
    the binomial sd, N read from the logged values): no oscillation."""
    se = accuracy_sampling_error(c, level)
    return se > 0 and c.sigma <= 2.0 * se


def tail_step(c: Curve, accuracy: bool) -> float:
    """The median step between evaluations over the last 40% of the run, as a share of the level
    there (for an accuracy, of the error left: 0.80 <-> 0.60 swings as much as its 0.2 of error).
    A median, so one spike on a falling trend does not count; the tail, because swings a run grew
    out of are not what it ends with."""
    _, y = c.tail(0.4, min_points=min(5, c.n))
    level = float(np.median(np.abs(y)))
    if accuracy:
        level = min(level, abs(1.0 - level))
    return float(np.median(np.abs(np.diff(y)))) / max(level, 1e-12)


#: an opening evaluation this many times the median of all after it is the start's blow-up, not a swing
OPENING_RATIO = 10.0
#: ... and at most this many of them are set aside
OPENING_MAX = 3
#: the fewest evaluations the swings are judged on
MIN_POINTS = 8


def after_the_opening(c: Curve) -> Curve:
    """The loss curve without the evaluations it opens with far above everything after them (a
    diffusion model's first-epoch loss of 50598 before a run that lives between 3 and 500):
    their fall is the start, and left in it makes every later swing small against the run's
    range and hides the zig-zag in the correlation of its steps. The curve as it is otherwise."""
    k = 0
    while not c.higher_better and k < min(OPENING_MAX, c.n - MIN_POINTS):
        rest = float(np.median(c.y[k + 1:]))
        if not (rest > 0 and float(c.y[k]) > OPENING_RATIO * rest):
            break
        k += 1
    if k == 0:
        return c
    y = c.y[k:]
    return replace(c, x=c.x[k:], y=y, sigma=stats.noise_scale(y), logged=None)


@rule("curves")
def oscillating(ctx: Context) -> Finding | None:
    best: Finding | None = None
    # the validation curve when logged (what the user judges the model by): its loss, else its
    # accuracy (a log of train loss and val accuracy only); else train loss
    curves = [ctx.val_loss] if ctx.val_loss is not None and ctx.val_loss.n >= 8 else \
        [ctx.val_metric] if _val_accuracy(ctx) else [ctx.loss]
    for c in curves:
        if c is not None and batches_inside_epochs(c):
            c = at_epoch_cadence(c)  # minibatch noise is no oscillation: judge each epoch's mean
        if c is None or c.n < MIN_POINTS:
            continue
        opened = c
        c = after_the_opening(c)
        resid = c.y - c.smoothed()
        ac = stats.lag1_autocorr(np.diff(c.y))
        rng = float(np.max(c.smoothed()) - np.min(c.smoothed()))
        level = abs(tail_level(c, 0.3))
        amp = 1.4826 * stats.mad(resid)
        if rng <= 0 or level <= 0:
            continue
        share = c.sigma / max(rng, 1e-12)
        # roughness against where the curve sits (a long fast drop makes the range large and
        # would hide swings that are big where the run ends up)
        dist = abs(float(c.y[0]) - float(np.min(c.smoothed())))
        roughness = float(np.median(np.abs(resid))) / max(level, 0.1 * dist, 1e-12)
        swings = (share > ctx.th.oscillation_noise_share and c.sigma > ctx.th.oscillation_roughness * level) \
            or roughness >= ctx.th.oscillation_roughness
        if not swings:
            continue
        if c is ctx.val_metric and within_sampling_noise(c, level):
            continue  # a handful of val rows: accuracy moves in steps of 1/N whatever the training does
        if still_moving(c, ctx):
            continue  # a clear downward trend to its best at the end: still improving, not swinging
        if c.best_index() == c.n - 1 and abs(float(c.y[0] - c.y[-1])) >= ctx.th.oscillation_trend_swings * c.sigma:
            continue  # it ends at its best of the whole run, many swings below its start: swings with a
            # trend through them (0.264 -> 0.0057 past one spike), not without one
        step = tail_step(c, c is ctx.val_metric)
        if step < ctx.th.oscillation_tail_step:
            continue  # the swings die down (or were one spike): the run ends steady
        if ac < ctx.th.oscillation_autocorr:
            ev = {"noise": c.sigma, "swing": amp, "trend_range": rng, "noise_over_range": share,
                  "roughness": roughness,
                  "noise_over_level": c.sigma / level, "diff_autocorr": ac, "tail_step_over_level": step}
            msg = (f"{c.name} swings by about {fv(c.sigma)} from {unit(c)} to {unit(c)} "
                   f"({share:.0%} of its whole range, {c.sigma / level:.0%} of its level)")
            if c.n < opened.n:
                k = ev["opening_set_aside"] = opened.n - c.n
                first = (f"opening {fv(float(opened.y[0]))} at {opened.axis} {fx(opened.x[0])}" if k == 1 else
                         f"first {k} {unit(opened)}s ({', '.join(fv(float(v)) for v in opened.y[:k])})")
                msg += f", after its {first}, set aside as the start"
            se = accuracy_sampling_error(c, level) if c is ctx.val_metric else 0.0
            if se > 0:
                ev["val_rows"], ev["sampling_sd"] = rows_behind_accuracy(c.y), se
                msg += (f", {c.sigma / se:.1f}x what sampling alone moves it on its {ev['val_rows']} rows "
                        f"(read from the logged values)")
            best = finding("oscillating", "warning", msg, ctx, span=(c.x[0], c.x[-1]), evidence=ev)
            break
    return best
