"""oscillating: swings as large as the level itself, with no trend."""

from __future__ import annotations

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, rule, tail_level
from fitdoctor.diagnose.curves.shape import still_moving
from fitdoctor.diagnose.curves.messages import finding, fv, unit
from fitdoctor.findings import Finding


def _val_accuracy(ctx: Context) -> bool:
    """A val accuracy curve long enough to judge (its level is a share of 1, as a loss's is of itself)."""
    V = ctx.val_metric
    return ctx.metric_name == "accuracy" and V is not None and V.n >= 8 and bool(np.all((V.y >= 0) & (V.y <= 1)))


def rows_behind_accuracy(values: np.ndarray, max_rows: int = 1000) -> int | None:
    """The smallest number of rows N whose accuracies (k/N) all the logged values are, to the
    precision they were logged with; None when no N up to ``max_rows`` fits every one (a large
    or unknown val set). 0.329, 0.4, 0.343, 0.729 ... are multiples of 1/70."""
    v = np.asarray(values, dtype=float)
    if v.size < 8 or np.any((v < 0) | (v > 1)):
        return None
    # the logged precision: float32 accuracies carry ~7 digits, a printed 0.8571 four
    decimals = max(len(f"{x:.8g}".partition(".")[2]) for x in v)
    half_unit = 0.5 * 10.0 ** -min(max(decimals, 2), 7)
    for n in range(2, max_rows + 1):
        k = v * n
        if np.all(np.abs(k - np.round(k)) <= n * half_unit + 1e-9):
            return n
    return None


def sampling_sd(c, level: float) -> tuple[int, float] | None:
    """(N, sd) of a val accuracy's sampling noise: N rows read from the granularity of the
    logged values, sd = sqrt(p(1-p)/N) at its level p. None when N cannot be read."""
    n = rows_behind_accuracy(c.y) if c.n_raw == c.n else None
    if n is None:
        return None
    p = min(max(level, 0.0), 1.0)
    return n, float(np.sqrt(p * (1.0 - p) / n))


def within_sampling_noise(c, level: float) -> bool:
    """A val accuracy whose swings a val set of its size makes by sampling alone (within twice
    the binomial sd): no oscillation."""
    s = sampling_sd(c, level)
    return s is not None and c.sigma <= 2.0 * s[1]


@rule("curves")
def oscillating(ctx: Context) -> Finding | None:
    best: Finding | None = None
    # the validation curve when logged (what the user judges the model by): its loss, else its
    # accuracy (a log of train loss and val accuracy only); else train loss
    curves = [ctx.val_loss] if ctx.val_loss is not None and ctx.val_loss.n >= 8 else \
        [ctx.val_metric] if _val_accuracy(ctx) else [ctx.loss]
    for c in curves:
        if c is None or c.n < 8:
            continue
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
        if swings and c is ctx.val_metric and within_sampling_noise(c, level):
            continue  # a handful of val rows: accuracy moves in steps of 1/N whatever the training does
        if swings and still_moving(c, ctx):
            continue  # a clear downward trend to its best at the end: still improving, not swinging
        if swings and ac < ctx.th.oscillation_autocorr:
            ev = {"noise": c.sigma, "swing": amp, "trend_range": rng, "noise_over_range": share,
                  "roughness": roughness,
                  "noise_over_level": c.sigma / level, "diff_autocorr": ac}
            msg = (f"{c.name} swings by about {fv(c.sigma)} from {unit(c)} to {unit(c)} "
                   f"({share:.0%} of its whole range, {c.sigma / level:.0%} of its level)")
            sampled = sampling_sd(c, level) if c is ctx.val_metric else None
            if sampled is not None:
                ev["val_rows"], ev["sampling_sd"] = sampled
                msg += (f", {c.sigma / sampled[1]:.1f}x what sampling alone moves it on its {sampled[0]} rows "
                        f"(read from the logged values)")
            best = finding("oscillating", "warning", msg, ctx, span=(c.x[0], c.x[-1]), evidence=ev)
            break
    return best
