"""Rules that read the loss and metric curves alone (any training log).

Each rule is one function returning a Finding or None. Trends are judged against
the run's own noise (``Curve.sigma``, from second differences) with Theil-Sen
slopes; every constant is a named field of ``fitdoctor.thresholds.Thresholds``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, chosen_curve, head_level, rule, tail_level
from fitdoctor.diagnose.chance import REGRESSION_METRICS, accuracy_curve, accuracy_learned, guessed_classes
from fitdoctor.findings import Finding
from fitdoctor.history import higher_is_better
from fitdoctor.remedies import remedies_for



def finding(code: str, severity: str, message: str, ctx: Context, *, span=None,
            evidence: dict[str, Any] | None = None, explanation: str | None = None,
            confidence: float | None = None, remedies: list | None = None) -> Finding:
    ev = dict(evidence or {})
    if ctx.lr is not None and ctx.lr.n and "lr_last" not in ev:
        ev["lr_last"] = ctx.lr.last
    n = ctx.primary.n if ctx.primary is not None else 0
    if confidence is None:
        confidence = 1.0 if n >= ctx.th.short_run else max(0.4, n / ctx.th.short_run)
    if span is not None:
        span = (float(span[0]), float(span[1]))
    return Finding(code=code, severity=severity, message=message, span=span, evidence=_round(ev),
                   explanation=explanation or "",
                   remedies=remedies_for(code, ev) if remedies is None else remedies,
                   confidence=confidence)


def _round(ev: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in ev.items():
        if isinstance(v, (float, np.floating)):
            v = float(v)
            out[k] = v if (not math.isfinite(v) or v == 0) else float(f"{v:.4g}")
        else:
            out[k] = v
    return out


def unit(c: Curve) -> str:
    """What one point of a curve is: an epoch, a step when logged at every step, else (a step
    log read at its evaluations) an evaluation or a logged point. "The next 146 steps" would
    be wrong for 146 evaluations spanning 1,460 steps."""
    if c.axis == "epoch":
        return "epoch"
    if c.n > 1 and np.all(np.diff(c.x) == 1):
        return "step"
    return "evaluation" if c.name.startswith("val") else "logged point"


def fx(x: float) -> str:
    """An axis position for messages: 12, not 12.0."""
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:.2f}"


def z_text(z: float) -> str:
    """A trend's z for messages: a perfectly smooth curve has no noise to divide by, and
    'z=-2046181236026370.2' says nothing a person can use."""
    if not math.isfinite(z) or abs(z) > 100:
        return "trend far beyond noise"
    return f"trend z={z:+.1f}"


def fv(v: float) -> str:
    v = float(v)
    if v == 0 or not math.isfinite(v):
        return str(v)
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.3g}"
    return f"{v:.4g}"


# --------------------------------------------------------------------------- helpers
def tail_trend(c: Curve, frac: float) -> tuple[float, float, float]:
    """(slope, z, span) over the last ``frac`` of a curve."""
    x, y = c.tail(frac, min_points=min(4, c.n))
    slope, z = stats.trend(x, y, tail_noise(c))
    return slope, z, float(x[-1] - x[0]) if x.size else 0.0


def tail_noise(c: Curve) -> float:
    """The noise that matters for a trend at the end: the second half's own, when it is smaller
    than the whole curve's (a steep curved start inflates second differences that say nothing
    about how noisy the settled part is)."""
    half = c.y[c.n // 2:]
    if half.size < 5:
        return c.sigma
    own = stats.noise_scale(half)
    return min(c.sigma, own) if own > 0 else c.sigma


def lower_better(c: Curve) -> Curve:
    """The same curve with higher-is-better metrics negated, so 'lower is better' holds."""
    if not c.higher_better:
        return c
    return Curve(c.name, c.raw_name, c.x, -c.y, c.sigma, c.n_raw, c.axis, False, c.first_nonfinite)


def val_curve(ctx: Context) -> Curve | None:
    """Validation loss if logged, else the validation metric (as lower-is-better)."""
    if ctx.val_loss is not None and ctx.val_loss.n >= 2:
        return ctx.val_loss
    if ctx.val_metric is not None and ctx.val_metric.n >= 2:
        return lower_better(ctx.val_metric)
    return None


def train_curve(ctx: Context) -> Curve | None:
    if ctx.loss is not None and ctx.loss.n >= 2:
        return ctx.loss
    if ctx.metric is not None and ctx.metric.n >= 2:
        return lower_better(ctx.metric)
    return None


def drop(c: Curve) -> float:
    """How far the (smoothed) curve came down from its start to its best."""
    s = c.smoothed()
    return float(head_level(c) - np.min(s))


def noise(c: Curve) -> float:
    return max(c.sigma, 1e-12)


def dropout_hint(ctx: Context) -> float | None:
    d = ctx.history.meta.get("dropout")
    if d is None:
        hp = ctx.history.meta.get("hparams") or {}
        for k in ("dropout", "dropout_rate", "hidden_dropout_prob"):
            if k in hp:
                d = hp[k]
                break
    try:
        return float(d) if d is not None else None
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- rules
@rule("curves")
def chance_level(ctx: Context) -> Finding | None:
    C = ctx.chance_loss
    if C is None or ctx.facts.get("chance_from_first_loss"):
        return None  # a level guessed from the first loss is not evidence of chance
    V = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n >= 2 else None
    L = V or (ctx.loss if ctx.loss is not None and ctx.loss.n >= 2 else None)
    if L is None:
        return None
    tol = max(ctx.th.chance_rel_tol * C, 3 * L.sigma / math.sqrt(max(1, L.n // 2)), 5e-3)
    upper = ctx.facts.get("chance_upper") or C
    level = tail_level(L, 0.5)
    # a constant predictor scores between H(prior) (predicting the prior) and ln K (uniform)
    if not (C - tol <= level <= upper + tol):
        return None
    # it stays there: the second half does not trend away from chance
    x, y = L.tail(0.5, min_points=min(3, L.n))
    _, z = stats.trend(x, y, L.sigma)
    if z < -ctx.th.z_trend and (y[0] - y[-1]) > tol and y[-1] < C - tol:
        return None  # falling through the chance level: learning (sliding down *to* it is not)
    ev: dict[str, Any] = {"loss_level": level, "chance_loss": C, "chance_source": ctx.chance_source,
                          "distance": level - C, "curve": L.name}
    if V is not None and ctx.loss is not None and ctx.loss.n >= 2:
        t_level = tail_level(ctx.loss, 0.5)
        ev["train_loss_level"] = t_level
        if t_level < 0.85 * C:
            return None  # train learned (memorised) well below chance: val_not_improving speaks
    A = accuracy_curve(ctx)
    acc_text = ""
    if A is not None:
        acc = tail_level(A, 0.5)
        ev["accuracy_level"] = acc
        ax, ay = A.tail(0.5, min_points=min(3, A.n))
        _, az = stats.trend(ax, ay, A.sigma)
        # one example more or less right moves the accuracy of a small val set by 1/n: a rise
        # must beat that sampling noise (iris: 30 rows, 0.30 -> 0.37 is two examples)
        se = accuracy_sampling_error(A, acc)
        if az > ctx.th.z_trend and (ay[-1] - ay[0]) > max(ctx.th.chance_acc_tol, 2 * se):
            return None  # accuracy is still rising: it is learning, slowly
        if ctx.majority_rate is not None:
            ev["majority_rate"] = ctx.majority_rate
            if acc > ctx.majority_rate + max(ctx.th.chance_acc_tol, 3 * A.sigma, 2 * se):
                return None  # it beats always guessing the majority class
            acc_text = (f"; {A.name} {acc:.3f} is no better than always guessing the majority "
                        f"class ({ctx.majority_rate:.3f})")
        else:
            acc_text = f"; {A.name} {acc:.3f}"
    smooth_min = float(np.min(L.smoothed()))
    ev["lowest_loss"] = smooth_min
    earlier = ""
    if smooth_min < C - 3 * tol:
        earlier = f"; it had reached {fv(smooth_min)} earlier and fell back"
    msg = (f"{L.name} stays at {fv(level)}, the chance level {fv(C)} ({ctx.chance_source}){acc_text}: "
           f"the model predicts the class prior and has learned nothing from the features{earlier}")
    return finding("chance_level", "error", msg, ctx, span=(L.x[0], L.x[-1]), evidence=ev)


def accuracy_sampling_error(A: Curve, level: float) -> float:
    """Binomial standard error of an accuracy at ``level``, with the number of examples read
    off the curve's granularity (values move in steps of 1/n); 0 when the steps are too fine
    to tell (n above 2,000 or an epoch average)."""
    vals = np.unique(np.round(A.y, 6))
    if vals.size < 2:
        return 0.0
    step = float(np.min(np.diff(vals)))
    if step < 5e-4:
        return 0.0
    n = round(1.0 / step)
    if n < 2 or np.max(np.abs(A.y * n - np.round(A.y * n))) > 0.02:
        return 0.0  # not multiples of 1/n: an average over batches, not one count
    p = min(max(level, 0.0), 1.0)
    return math.sqrt(max(p * (1 - p), 1e-12) / n)


@rule("curves")
def diverging(ctx: Context) -> Finding | None:
    L = train_curve(ctx)
    if L is None or L.n < 3:
        return None
    s = L.smoothed()
    b = int(np.argmin(s))
    best = float(s[b])
    start = head_level(L)
    end = tail_level(L, 0.15)
    rise = end - best
    peak = int(np.argmax(s))
    # a blow-up can begin at the second point, which then is no part of the "start"
    first = float(L.y[0]) if L.n >= 2 and L.y[1] > L.y[0] else start
    if first > 0 and s[peak] > ctx.th.blowup_factor * first and peak > 0 \
            and end < ctx.th.diverge_start_factor * first:
        start = first
        # it blew up and came back: the weights were thrown somewhere else mid-run
        ev = {"start": start, "peak": float(s[peak]), "peak_at": float(L.x[peak]), "end": end,
              "ratio_to_start": float(s[peak]) / start}
        msg = (f"{L.name} blew up from {fv(start)} to {fv(float(s[peak]))} at {L.axis} {fx(L.x[peak])} "
               f"({fv(float(s[peak]) / start)}x its start) before coming back to {fv(end)}: an update "
               "threw the weights far off, so what follows started from a damaged model")
        return finding("diverging", "error", msg, ctx, span=(L.x[0], L.x[peak]), evidence=ev)
    if rise <= max(ctx.th.rise_sigmas * noise(L), 0.0):
        return None
    x, y = L.x[b:], L.y[b:]
    if x.size < 2:
        return None
    slope, z = stats.trend(x, y, L.sigma)
    grown_from_best = end > ctx.th.diverge_factor * best and best > 0 and (end - best) > 0.5 * max(start - best, 0) * 2
    above_start = end > ctx.th.diverge_start_factor * start and start > 0
    if not (grown_from_best or above_start):
        return None
    if z < ctx.th.z_trend and not above_start:
        return None
    ev = {"start": start, "best": best, "best_at": float(L.x[b]), "end": end, "ratio_to_best": end / best if best else math.inf,
          "ratio_to_start": end / start if start else math.inf, "slope_after_best": slope, "trend_z": z}
    msg = (f"{L.name} grows: from {fv(best)} at {L.axis} {fx(L.x[b])} to {fv(end)} at the end "
           f"({fv(end / start)}x its start {fv(start)})" if start else f"{L.name} grows")
    return finding("diverging", "error", msg, ctx, span=(L.x[b], L.x[-1]), evidence=ev)


@rule("curves")
def overfitting(ctx: Context) -> Finding | None:
    V = val_curve(ctx)
    T = train_curve(ctx)
    if V is None or T is None or V.n < 4:
        return None
    sv = V.smoothed()
    b = int(np.argmin(sv))
    vmin = float(sv[b])
    after = V.n - 1 - b
    if after < max(2, int(0.1 * V.n)):
        return None
    end = tail_level(V, 0.15)
    rise = end - vmin
    sigma = noise(V)
    vdrop = max(head_level(V) - vmin, 0.0)
    if rise < ctx.th.rise_sigmas * sigma or (rise < ctx.th.rise_frac_of_drop * vdrop
                                             and rise < ctx.th.rise_frac_of_best * abs(vmin)):
        return gap_widening(ctx, V, T, b)
    slope, z = stats.trend(V.x[b:], V.y[b:], V.sigma)
    # it stays up: most of the late points sit clearly above the minimum (a slope test would
    # miss a fast rise followed by a long high plateau)
    late = V.y[b + (after + 1) // 2:]
    persistence = float(np.mean(late > vmin + 2 * sigma))
    if persistence < 0.8:
        return gap_widening(ctx, V, T, b)
    # training kept improving over the same stretch (else it is divergence or noise)
    st = T.smoothed()
    t_at_best = float(np.interp(V.x[b], T.x, st))
    t_end = tail_level(T, 0.15)
    if t_end > t_at_best + 2 * noise(T):
        return None
    if not val_improved(V, ctx):
        return None  # val never got better: val_not_improving speaks, whatever it does after
    rb = int(np.argmin(V.y[: min(V.n, b + 3)]))  # the logged minimum near the smoothed one
    vmin_raw = float(V.y[rb])
    ev = {"val_min": vmin_raw, "best_at": float(V.x[rb]), "val_last": end, "rise": end - vmin_raw,
          "rise_in_noise": rise / sigma, "slope_after_best": slope, "trend_z": z,
          "share_of_late_points_above_best": persistence,
          "train_at_best": t_at_best, "train_last": t_end,
          "share_after_best": (V.x[-1] - V.x[b]) / max(V.x[-1] - V.x[0], 1e-12), "axis": V.axis}
    name = V.name if V is ctx.val_loss else f"val {ctx.metric_name}"
    rise_raw = end - vmin_raw
    pct = f" ({rise_raw / abs(vmin_raw):+.0%})" if vmin_raw else ""
    shown_best = vmin_raw if V is ctx.val_loss else -vmin_raw
    shown_last = V.last if V is ctx.val_loss else -V.last
    msg = (f"{name} best {fv(shown_best)} at {V.axis} {fx(V.x[rb])}, then "
           f"{'+' if V is ctx.val_loss else '-'}{fv(rise_raw)}{pct} over the next {logged_after(ctx, V, V.x[rb])} "
           f"{unit(V)}s ({ev['share_after_best']:.0%} of the run; {fv(shown_last)} at the last) while {T.name} "
           f"fell to {fv(T.last)}; the rise is {rise_raw / sigma:.0f}x the "
           f"{unit(V)}-to-{unit(V)} noise ({fv(sigma)})")
    return finding("overfitting", "warning", msg, ctx, span=(V.x[rb], V.x[-1]), evidence=ev)


def logged_after(ctx: Context, c: Curve, x: float) -> int:
    """How many points the log itself has after axis position x (a long log is binned for the
    trend tests: messages count what the user's file holds)."""
    s = ctx.history.series.get(c.name)
    if s is None or len(s) != c.n_raw:
        return int(np.count_nonzero(c.x > x))
    steps = s.steps[np.isfinite(s.values)]
    return int(np.count_nonzero(steps > x))


def gap_widening(ctx: Context, V: Curve, T: Curve, b: int) -> Finding | None:
    """The other kind of overfitting: validation flat or creeping up for a long stretch after
    its best while training keeps falling far below it (the gap widens, no clear rise)."""
    if V is not ctx.val_loss or T is not ctx.loss or V.n < 8:
        return None
    share_after = (V.x[-1] - V.x[b]) / max(V.x[-1] - V.x[0], 1e-12)
    if share_after < ctx.th.overfit_flat_share:
        return None
    _, vz = stats.trend(V.x[b:], V.y[b:], V.sigma)
    if vz < -ctx.th.z_trend:
        return None  # validation still improving after all
    t_on_v = ctx.train_on(V.x)
    v_end, t_end = tail_level(V, 0.15), float(np.median(t_on_v[-max(2, V.n // 7):]))
    gap_best = float(V.y[b] - t_on_v[b])
    gap_end = v_end - t_end
    if t_end > ctx.th.overfit_gap_ratio * v_end or gap_end <= 0:
        return None
    if V.sigma > ctx.th.oscillation_roughness * 2 * abs(v_end):
        return None  # a val curve jumping by a good share of its level: oscillation speaks
    if gap_end < ctx.th.overfit_gap_growth * max(gap_best, 0.0) or gap_end - gap_best < 3 * noise(V):
        return None
    _, tz = stats.trend(V.x[b:], t_on_v[b:], max(T.sigma, 1e-12))
    if tz > -ctx.th.z_trend:
        return None  # train is not falling either: nothing is being memorised
    if not val_improved(V, ctx):
        return None
    ev = {"val_min": float(V.y[b]), "best_at": float(V.x[b]), "val_last": v_end, "train_at_best": float(t_on_v[b]),
          "train_last": t_end, "gap_at_best": gap_best, "gap_last": gap_end, "share_after_best": share_after,
          "axis": V.axis}
    msg = (f"{V.name} has not improved since {V.axis} {fx(V.x[b])} ({fv(float(V.y[b]))}, ends at {fv(v_end)}) "
           f"while {T.name} kept falling {fv(float(t_on_v[b]))} -> {fv(t_end)}: the train/val gap grew from "
           f"{fv(gap_best)} to {fv(gap_end)} over the last {share_after:.0%} of the run")
    return finding("overfitting", "warning", msg, ctx, span=(V.x[b], V.x[-1]), evidence=ev)


def still_moving(c: Curve, ctx: Context) -> bool:
    """Falling beyond noise over the tail *and* by an amount that matters (a smooth curve
    creeping down by 0.1% is settled, however significant statistically)."""
    slope, z, span = tail_trend(c, ctx.th.tail_frac)
    if not (z < -ctx.th.z_trend and material_fall(c, -slope * span, ctx)):
        return False
    _, z_end, _ = tail_trend(c, ctx.th.tail_frac / 2)
    return z_end < -ctx.th.z_trend  # and has not levelled off (or turned) in the last few points


def material_fall(c: Curve, tail_drop: float, ctx: Context) -> bool:
    """A fall over the tail that matters: a share of the run's whole progress, or of the level
    the curve ends at (a short run still falling 5% an epoch has not converged, however far
    it fell in its first epochs)."""
    total = drop(c)
    if total <= 0 or tail_drop <= 0:
        return False
    level = max(abs(tail_level(c, 0.15)), 1e-12)
    share, rel = tail_drop / total, tail_drop / level
    return (share >= ctx.th.still_improving_min_share and rel >= 0.01) or \
        (rel >= ctx.th.still_improving_min_rel and share >= 0.01)


def best_before_tail(c: Curve, ctx: Context) -> bool:
    """The curve's best point lies before its tail (the last ``tail_frac``, at least 2 points)."""
    return c.best_index() < c.n - max(2, int(math.ceil(ctx.th.tail_frac * c.n)))


def val_gain(V: Curve) -> tuple[float, float, float]:
    """(first value, best value after light smoothing, gain): how far validation ever improved."""
    v0 = float(V.y[0])
    best = float(np.min(stats.smooth(V.y, 3)))
    return v0, best, v0 - best


def val_improved(V: Curve, ctx: Context | None = None) -> bool:
    """Validation improved beyond its noise, or by a large share of where it started, or
    it was already well below the learned-nothing level at its first point (it improved
    during the first epoch, before anything was logged), or its accuracy got well clear of
    guessing (a val loss that rises from the first evaluation can still sit on a model that
    learned: it grows over-confident on the examples it gets wrong)."""
    v0, _, gain = val_gain(V)
    if ctx is not None and accuracy_learned(ctx):
        return True
    if ctx is not None and ctx.chance_loss and not V.higher_better and v0 < 0.8 * ctx.chance_loss:
        return True
    return gain > max(2 * noise(V), 0.05 * abs(v0)) or gain > 0.15 * abs(v0)


def chosen_metric_improved(ctx: Context) -> bool:
    """The validation metric the user selects checkpoints on (Hugging Face's
    metric_for_best_model: WER, F1, ...) improved beyond its noise and by 2%: then val loss
    alone cannot say that validation never got better."""
    c = chosen_curve(ctx)
    if c is None or c.n < 3 or c.name in ("val_loss", "loss"):
        return False
    c = lower_better(c)
    gain = float(c.y[0]) - float(np.min(stats.smooth(c.y, 3)))
    return gain > max(2 * noise(c), 0.02 * abs(float(c.y[0])))


@rule("curves")
def val_not_improving(ctx: Context) -> Finding | None:
    V = val_curve(ctx)
    T = train_curve(ctx)
    if V is None or T is None or V.n < 4 or T.n < 4:
        return None
    t_drop = drop(T)
    # the fall is a difference of smoothed levels, each a mean over a window: its noise is the
    # point-to-point noise over sqrt(window), not the noise of one noisy last-batch value
    window = max(1, min(T.n // 5, 9))
    if t_drop < max(5 * noise(T) / math.sqrt(window), 0.1 * abs(head_level(T))):
        return None  # train did not fall either
    v0, vbest, v_gain = val_gain(V)
    if val_improved(V, ctx) or chosen_metric_improved(ctx):
        return None
    slope, z = stats.trend(V.x, V.y, V.sigma)
    if z < -ctx.th.z_trend:
        return None
    rising = tail_level(V, 0.15) - v0 > max(ctx.th.rise_sigmas * noise(V), 0.1 * abs(v0))
    vbest = min(float(np.min(V.y)), vbest)  # show the logged best; the test used a smoothed one
    ev = {"val_start": v0, "val_best": vbest, "val_gain": v_gain, "train_start": head_level(T),
          "train_end": tail_level(T, 0.15), "train_drop": t_drop, "val_trend_z": z}
    ev["val_end"] = tail_level(V, 0.15)
    after = (f"; it ends at {fv(ev['val_end'])}, higher than it started: the model memorises the "
             "training set from the first epoch, or val comes from another distribution") if rising else ""
    msg = (f"{T.name} fell {fv(head_level(T))} -> {fv(tail_level(T, 0.15))} while {V.name} never improved "
           f"beyond noise (start {fv(v0)}, best {fv(vbest)}, noise {fv(V.sigma)}){after}")
    return finding("val_not_improving", "warning", msg, ctx, span=(V.x[0], V.x[-1]), evidence=ev)


@rule("curves")
def suspicious_validation(ctx: Context) -> Finding | None:
    V, T = ctx.val_loss, ctx.loss
    if V is None or T is None or V.n < 3 or T.n < 3:
        return None
    if int(np.count_nonzero((T.x >= V.x[0]) & (T.x <= V.x[-1]))) < 5:
        return None  # a few window means of a falling train loss lag it: no fair comparison
    V = val_on_train_windows(V, T)
    t_on_v = ctx.train_on(V.x)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = V.y / np.where(t_on_v == 0, np.nan, t_on_v)
    half = max(2, V.n // 2)
    late = ratio[-half:]
    if not np.isfinite(late).any() or not np.isfinite(ratio[: max(1, min(3, V.n // 3))]).any():
        return None  # train loss at zero throughout: no ratio to judge
    late_med = float(np.nanmedian(late))
    dp = dropout_hint(ctx)
    allowed = ctx.th.suspicious_gap_frac + (0.5 * dp if dp else 0.0)
    # val improving while train is flat
    _, tz, _ = tail_trend(T, 0.5)
    _, vz, _ = tail_trend(V, 0.5)
    v_improving_t_flat = vz < -ctx.th.z_trend and abs(tz) < 1.0 and drop(T) < 3 * noise(T)
    # the gap must also matter on the loss's own scale: 0.02 vs 0.05 near zero is no leak
    scale = ctx.chance_loss or abs(head_level(T)) or 1.0
    gap_share = float(np.median((t_on_v - V.y)[-half:])) / scale
    far_below = late_med < 1 - allowed and np.all(late < 1) and gap_share >= ctx.th.suspicious_gap_of_scale
    # a smaller gap that never closes counts when accuracy tells the same story: validation
    # scores clearly *better* than training, which dropout's handicap on train rarely explains
    always_below = float(np.mean(V.y < t_on_v))
    acc_gap = _val_minus_train_accuracy(ctx)
    steady_below = (always_below >= ctx.th.suspicious_always_below
                    and late_med < ctx.th.suspicious_steady_ratio - 0.5 * (dp or 0.0)
                    and gap_share >= 1.5 * ctx.th.suspicious_gap_of_scale
                    and (acc_gap is None or acc_gap >= ctx.th.suspicious_acc_gap))
    if far_below or steady_below:
        ev = {"val_over_train_late": late_med, "val_last": V.last, "train_last": float(t_on_v[-1]),
              "gap_over_scale": gap_share, "share_of_evals_val_below": always_below,
              "dropout": dp if dp is not None else "unknown"}
        acc_text = ""
        if acc_gap is not None:
            ev["val_minus_train_accuracy"] = acc_gap
            acc_text = f", and val accuracy is {acc_gap:+.3f} above train"
        msg = (f"{V.name} stays below {T.name} on {always_below:.0%} of {unit(V)}s ({late_med:.2f}x over "
               f"the last {half}; val {fv(V.last)} vs train {fv(float(t_on_v[-1]))}{acc_text}), more "
               "than dropout or regularization explains")
        return finding("suspicious_validation", "warning", msg, ctx, span=(V.x[-half], V.x[-1]), evidence=ev)
    if v_improving_t_flat:
        ev = {"val_trend_z": vz, "train_trend_z": tz}
        msg = f"{V.name} keeps improving (trend z={vz:.1f}) while {T.name} is flat (z={tz:.1f})"
        return finding("suspicious_validation", "warning", msg, ctx, span=(V.x[0], V.x[-1]), evidence=ev)
    early = ratio[: max(1, min(3, V.n // 3))]
    if np.nanmedian(early) < 0.9 and late_med >= 1 - allowed:
        ctx.facts["val_below_train_early"] = True
    return None


def val_on_train_windows(V: Curve, T: Curve) -> Curve:
    """Validation averaged over each train logging window, when train is logged much less often
    than validation (a Trainer with logging_steps 500 and eval_steps 50): each train point is the
    mean loss of its whole window, so comparing it with the evaluation at the window's end
    measures the lag of the mean, not a gap. Otherwise V itself."""
    inside = T.x[(T.x >= V.x[0]) & (T.x <= V.x[-1])]
    if inside.size < 2 or inside.size * 2 > V.n:
        return V
    xs, ys, prev = [], [], -math.inf
    for x in T.x:
        m = (V.x > prev) & (V.x <= x)
        if m.any():
            xs.append(float(x))
            ys.append(float(np.mean(V.y[m])))
        prev = x
    if len(xs) < 3:
        return V
    y = np.asarray(ys)
    return Curve(V.name, V.raw_name, np.asarray(xs), y, stats.noise_scale(y), V.n_raw, V.axis,
                 V.higher_better, V.first_nonfinite)


def _val_minus_train_accuracy(ctx: Context) -> float | None:
    """Late val accuracy minus late train accuracy, when both are logged."""
    if ctx.metric_name != "accuracy" or ctx.metric is None or ctx.val_metric is None:
        return None
    if ctx.metric.n < 2 or ctx.val_metric.n < 2:
        return None
    return tail_level(ctx.val_metric, 0.3) - tail_level(ctx.metric, 0.3)


def sparse_train(ctx: Context, T: Curve) -> bool:
    """The train loss is a sparse sample of single-batch values (Lightning's step loss every
    ``log_every_n_steps``, fewer points than evaluations): its point-to-point noise is minibatch
    noise, not a learning rate jumping out of its minimum."""
    V = ctx.val_loss
    return T is ctx.loss and V is not None and T.n * 2 <= V.n


@rule("curves")
def lr_too_high(ctx: Context) -> Finding | None:
    T = train_curve(ctx)
    if T is None or T.n < 6:
        return None
    s = T.smoothed()
    b = int(np.argmin(s))
    start = head_level(T)
    best = float(s[b])
    total = start - best
    end = tail_level(T, 0.2)
    # the train loss itself swings by about its own level from epoch to epoch: the steps
    # are so big that the optimizer keeps jumping out of the minimum it found (small
    # batches make val jumpy but average out in an epoch's train loss)
    late = T.y[T.n // 2:]
    flips = float(np.mean(np.diff(np.sign(np.diff(late))) != 0)) if late.size >= 4 else 0.0
    wild = noise(T) > ctx.th.lr_high_wild_noise * abs(end) and flips >= 0.45 and not sparse_train(ctx, T)
    if total <= 3 * noise(T) and not wild:
        return None
    if b > 0.6 * (T.n - 1) and not wild:
        return None
    # fast early drop: most of the progress in the first fifth
    k = max(1, int(math.ceil(0.2 * T.n)))
    early_share = (start - float(np.min(s[: k + 1]))) / total if total > 0 else 0.0
    rise = end - best
    rising = rise > max(ctx.th.rise_sigmas * noise(T), 0.1 * total)
    noisy = noise(T) > 0.15 * total and noise(T) > 0.05 * abs(end) and not sparse_train(ctx, T)
    # after converging fast, validation jumps around by a large share of its own level
    V = ctx.val_loss
    val_jumpy = (V is not None and V.n >= 8 and V.sigma > 0.3 * abs(tail_level(V, 0.3))
                 and stats.lag1_autocorr(np.diff(V.y)) < ctx.th.oscillation_autocorr)
    if early_share < 0.7 or not (rising or noisy or val_jumpy or wild):
        return None
    if end > ctx.th.diverge_start_factor * start:
        return None  # diverging explains it
    ev = {"start": start, "best": best, "best_at": float(T.x[b]), "end": end,
          "early_drop_share": early_share, "rise_after_best": rise, "noise": T.sigma,
          "noise_over_level": T.sigma / max(abs(end), 1e-12), "late_direction_flips": flips}
    fast = f"{T.name} dropped fast ({early_share:.0%} of its progress in the first fifth of the run)"
    if wild and not rising:  # no best to point at: the minimum is wherever a jump landed
        what = (f"then kept jumping up and down by about {fv(T.sigma)} from {unit(T)} to {unit(T)}, "
                f"{T.sigma / max(abs(end), 1e-12):.0%} of the level it ends at")
        msg, span = f"{fast}, {what}", (T.x[min(k, T.n - 1)], T.x[-1])
    else:
        if rising:
            what = f"then crept back up by {fv(rise)}"
        elif noisy:
            what = f"then got noisy (noise {fv(T.sigma)})"
        else:
            what = (f"while {V.name} jumps by {fv(V.sigma)} from {unit(V)} to {unit(V)}, "
                    f"{V.sigma / abs(tail_level(V, 0.3)):.0%} of its level")
        msg, span = f"{fast} to {fv(best)} at {T.axis} {fx(T.x[b])}, {what}", (T.x[b], T.x[-1])
    return finding("lr_too_high", "warning", f"{msg}: the learning rate is too high to settle", ctx,
                   span=span, evidence=ev)


@rule("curves")
def lr_too_low(ctx: Context) -> Finding | None:
    T = train_curve(ctx)
    if T is None or T.n < 5:
        return None
    slope, z = stats.trend(T.x, T.y, T.sigma)
    if z > -ctx.th.z_trend:
        return None
    half = T.n // 2
    s1 = stats.theil_sen(T.x[: half + 1], T.y[: half + 1])
    s2 = stats.theil_sen(T.x[half:], T.y[half:])
    if s1 >= 0 or s2 >= 0:
        return None
    linearity = s2 / s1
    start, end = head_level(T), tail_level(T, 0.15)
    rel_drop = (start - end) / abs(start) if start else 0.0
    far = rel_drop < ctx.th.lr_low_max_drop
    if ctx.chance_loss is not None and T is ctx.loss:
        far = far and end > 0.5 * ctx.chance_loss
    if linearity < ctx.th.lr_low_linearity or not far:
        return None
    V = val_curve(ctx)
    if V is not None and V.n >= 4 and T is ctx.loss and best_before_tail(V, ctx) \
            and tail_level(V, 0.2) > float(V.y[V.best_index()]) + 2 * noise(V):
        return None  # validation already turned: more of the same lr would not help it
    ev = {"start": start, "end": end, "relative_drop": rel_drop, "slope": slope, "trend_z": z,
          "late_over_early_slope": linearity}
    msg = (f"{T.name} falls slowly and almost linearly ({fv(start)} -> {fv(end)}, only {rel_drop:.0%} "
           f"down; late slope {linearity:.2f}x the early slope): far from converged")
    return finding("lr_too_low", "warning", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)


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
    msg = (f"{T.name} was falling {fv(pre_rate)} per {unit(T)} until the learning rate collapsed, cut "
           f"{ly[i - 1] / ly[i]:.0f}x ({fv(float(ly[i - 1]))} -> {fv(float(ly[i]))}) at {lr.axis} {fx(cut_at)}; "
           f"since then it has moved {fv(float(np.ptp(post)))} in {post.size} {unit(T)}s and sits at "
           f"{fv(level)}: the run froze while it was still learning")
    return finding("plateau", "warning", msg, ctx, span=(T.x[j], T.x[-1]), evidence=ev)


@rule("curves")
def plateau(ctx: Context) -> Finding | None:
    T = train_curve(ctx)
    if T is None or T.n < 6:
        return None
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
        reason = f"above the {fv(before_min)} it reached before"
        ev["reached_before"] = before_min
    # a loss that stopped near zero has converged; a plateau sits well above that
    elif level < 0.05 * abs(start):
        reason = None
    # (b) the learning rate collapsed and the loss froze with it, for most of the run
    elif long_flat and lr_collapsed(ctx, at := T.x[start_flat + (T.n - start_flat) // 2]):
        reason = (f"frozen as the learning rate collapsed to {fv(ctx.lr.at(at))} by {T.axis} {fx(at)} "
                  f"({ctx.lr.first / max(ctx.lr.at(at), 1e-300):.3g}x below its start "
                  f"{fv(ctx.lr.first)})")
        ev["lr_at_flat_start"] = ctx.lr.at(T.x[start_flat])
        ev["lr_mid_flat"] = ctx.lr.at(at)
    # (c) frozen: the loss repeats to four or more significant digits for most of the run,
    # which minibatch training does not do while the weights still move
    elif (frozen := frozen_from(T, start_flat, ctx.th.frozen_rel_range)) is not None \
            and (T.n - frozen) >= 0.5 * T.n:
        reason = (f"not changing in the 4th significant digit for the last {T.n - frozen} {unit(T)}s: the "
                  "weights have stopped moving (a learning rate decayed to ~0, or frozen layers)")
        ev["relative_range"] = float(np.ptp(T.y[frozen:]) / max(abs(level), 1e-12))
        ev["frozen_from"] = float(T.x[frozen])
    # (c') the same seen on validation: a fixed val set through fixed weights gives the same
    # loss to the digit, while minibatch noise keeps a frozen model's train loss moving
    elif long_flat and (vf := frozen_val_from(ctx)) is not None:
        V = ctx.val_loss
        reason = (f"and {V.name} has not changed in the 4th significant digit for the last {V.n - vf} "
                  f"{unit(V)}s ({fv(float(np.median(V.y[vf:])))}): the weights have stopped moving "
                  "(a learning rate decayed to ~0, or frozen layers)")
        ev["val_frozen_from"] = float(V.x[vf])
    # (d) barely moved at all, from the start
    elif start_flat == 0 and total < 0.05 * abs(start) and (ctx.chance_loss is None or level < 0.9 * ctx.chance_loss):
        reason = f"having moved only {fv(total)} from its start {fv(start)}"
    if reason is None:
        return None
    if ctx.lr is not None and ctx.lr.n >= 2 and ctx.lr.first > 0:
        ev["lr_first"], ev["lr_last"] = ctx.lr.first, ctx.lr.last
        if ctx.lr.last < 1e-2 * ctx.lr.first and "lr_at_flat_start" not in ev:
            reason += f"; the lr fell {ctx.lr.first / max(ctx.lr.last, 1e-30):.0f}x to {fv(ctx.lr.last)}"
    msg = f"{T.name} is flat at {fv(level)} from {T.axis} {fx(T.x[start_flat])} on, {reason}"
    return finding("plateau", "warning", msg, ctx, span=(T.x[start_flat], T.x[-1]), evidence=ev)


@rule("curves")
def underfitting(ctx: Context) -> Finding | None:
    """Settled high, with validation no worse than training: the model cannot fit even the
    training data. A model with room to spare fits its training set better than unseen data
    (val above train); one that underfits shows no such gap, so the gap decides how high
    "high" has to be."""
    T = ctx.loss
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
    high_loss = share >= ctx.th.underfit_chance_share
    poor_acc = acc is not None and acc < ctx.th.underfit_max_accuracy and share >= ctx.th.underfit_min_share
    min_share = ctx.th.underfit_no_gap_share if ctx.metric_name == "accuracy" or ctx.chance_loss \
        else ctx.th.underfit_regression_share
    no_gap = gap is not None and gap <= ctx.th.underfit_no_gap and share >= min_share
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
    close = "with validation close to it"
    if no_gap and not (high_loss or poor_acc):
        close = (f"with validation no worse ({fv(ev['val_last'])}): it fits the training data no better "
                 "than data it has never seen")
    msg = f"{T.name} settled at {fv(end)} ({high}) {close}; the model cannot fit even its training data"
    return finding("underfitting", "warning", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)


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


@rule("curves")
def oscillating(ctx: Context) -> Finding | None:
    best: Finding | None = None
    # the validation curve when logged (what the user judges the model by), else train loss
    curves = [ctx.val_loss] if ctx.val_loss is not None and ctx.val_loss.n >= 8 else [ctx.loss]
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
        if swings and ac < ctx.th.oscillation_autocorr:
            ev = {"noise": c.sigma, "swing": amp, "trend_range": rng, "noise_over_range": share,
                  "roughness": roughness,
                  "noise_over_level": c.sigma / level, "diff_autocorr": ac}
            msg = (f"{c.name} swings by about {fv(c.sigma)} from {unit(c)} to {unit(c)} "
                   f"({share:.0%} of its whole range, {c.sigma / level:.0%} of its level)")
            best = finding("oscillating", "warning", msg, ctx, span=(c.x[0], c.x[-1]), evidence=ev)
            break
    return best


@rule("curves", end_of_run=True)
def still_improving(ctx: Context) -> Finding | None:
    P = val_curve(ctx) or train_curve(ctx)
    if P is None or P.n < 3:
        return None
    slope, z, span = tail_trend(P, ctx.th.tail_frac)
    if z > -ctx.th.z_trend:
        return None
    total = drop(P)
    tail_drop = -slope * span
    if not material_fall(P, tail_drop, ctx):
        return None
    if best_before_tail(P, ctx):
        return None  # the best is not near the end
    _, z_end, _ = tail_trend(P, ctx.th.tail_frac / 2)
    if z_end > -ctx.th.z_trend:
        return None  # it was falling, but has levelled off by the last few evaluations
    T = train_curve(ctx)
    if T is not None and T is not P:
        _, tz, _ = tail_trend(T, ctx.th.tail_frac)
        if tz > ctx.th.z_trend:
            return None
    # lower_better() keeps the name and negates a score: a higher-is-better curve is still *rising*
    rising = higher_is_better(P.name)
    k = int(math.ceil(ctx.th.tail_frac * P.n))
    ev = {"slope": slope, "trend_z": z, "tail_drop": tail_drop, "total_drop": total,
          "epochs": float(P.x[-1]) + 1 if P.axis == "epoch" else float(P.x[-1])}
    shown = (lambda v: -v) if rising else (lambda v: v)
    msg = (f"{P.name} was still {'rising' if rising else 'falling'} at the end: "
           f"{fv(shown(float(P.y[-k - 1 if k < P.n else 0])))} -> {fv(shown(P.last))} over the last {k} "
           f"{unit(P)}s ({z_text(-z if rising else z)}), {tail_drop / total:.0%} of the run's total progress")
    return finding("still_improving", "warning", msg, ctx, span=(P.x[-min(P.n, max(3, int(math.ceil(ctx.th.tail_frac * P.n))))], P.x[-1]),
                   evidence=ev)


def shown(c: Curve, v: float) -> float:
    """A value as the log has it (lower_better() negates scores)."""
    return -v if higher_is_better(c.name) and not c.higher_better else v


@rule("curves", end_of_run=True)
def healthy(ctx: Context) -> Finding | None:
    """Emitted always; resolve() removes it whenever a warning or error stands beside it."""
    T = train_curve(ctx)
    if T is None:
        return None
    t_drop = drop(T)
    if t_drop <= 3 * noise(T):
        return None  # nothing fell: not healthy, even if no rule can say why
    ev: dict[str, Any] = {"train_start": head_level(T), "train_last": tail_level(T, 0.2)}
    parts = [f"{T.name} {fv(shown(T, T.first))} -> {fv(shown(T, T.last))}"]
    V = ctx.val_loss
    if V is not None and V.n >= 2:
        ev["val_last"] = tail_level(V, 0.2)
        ev["gap"] = ev["val_last"] - ev["train_last"]
        parts.append(f"{V.name} {fv(V.first)} -> {fv(V.last)}")
    else:
        parts.append("no validation series, so overfitting cannot be judged")
    if ctx.facts.get("val_below_train_early"):
        parts.append("val below train early on, which is normal with dropout (train loss is "
                     "measured with dropout on and averaged over the epoch)")
    msg = "fell and settled: " + "; ".join(parts)
    return finding("healthy", "info", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)
