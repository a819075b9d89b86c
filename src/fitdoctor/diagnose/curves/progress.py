"""End-of-run verdicts: still_improving (stopped too early) and healthy."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, head_level, rule, tail_level
from fitdoctor.diagnose.curves.messages import finding, first_as_logged, fv, fx, last_as_logged, negated, shown, unit, z_text
from fitdoctor.diagnose.curves.shape import (best_before_tail, cut_short, drop, dropout_hint, half_slopes, headroom,
                                             material_fall, noise, percent_scale, tail_trend, train_curve, val_curve,
                                             validation_frozen)
from fitdoctor.findings import Finding
from fitdoctor.history import higher_is_better


@rule("curves", end_of_run=True)
def still_improving(ctx: Context) -> Finding | None:
    P = val_curve(ctx) or train_curve(ctx)
    if P is None or P.n < 3:
        return None
    found = _still_improving_on(ctx, P)
    if found is None and P is val_curve(ctx) and ctx.val_loss is None:
        return _train_beside_a_rising_score(ctx, P)
    return found


#: how far beyond its noise (trend z) a val score must climb over its last half to witness
#: that the train loss's fall is learning: a second witness beside the train loss, which must
#: pass the full test of a curve with no validation, so the usual two-sided 5% bar, not ``z_trend``
SCORE_WITNESS_Z = 2.0
#: ... and by this share of its whole climb: a score that levelled off long ago can trend up
#: through its noise over a long last half by chance (one seed in ten of a flat CNN's)
SCORE_WITNESS_SHARE = 0.2


def _train_beside_a_rising_score(ctx: Context, V: Curve) -> Finding | None:
    """``still_improving`` read on the train loss where validation logs a score alone: a score
    climbing over its last half beyond its noise, its best among its last evaluations, beside a
    train loss still falling by what a curve with no validation needs (a speech classifier: val
    accuracy 0.50 -> 0.75 over its last 11 epochs in steps of 1/16, train loss 2.21 -> 1.25,
    -4% in its last epoch). A score that coarse cannot show a trend at its end by itself; the
    train loss can, and the score says the fall is no memorising."""
    T = train_curve(ctx)
    if T is None or T is V or negated(T) or V.n < ctx.th.short_run:
        return None
    slope, z_half, span = tail_trend(V, 0.5)
    if z_half > -SCORE_WITNESS_Z or best_before_tail(V, ctx) or ends_worse_than_best(V):
        return None
    if -slope * span < SCORE_WITNESS_SHARE * drop(V):
        return None  # a score that levelled off, wobbling up at its end: the train loss is memorising
    found = _still_improving_on(ctx, T, train_only=True)
    if found is None:
        return None
    sign = -1.0 if negated(V) else 1.0  # a score is kept negated on the curve; quoted as logged
    half = V.n - V.n // 2
    text = (f", while {V.name} (no val loss logged) climbed through its noise over its last {half} "
            f"{unit(V)}s ({fv(sign * float(V.y[-half]))} -> {fv(sign * V.logged_last)}, "
            f"best {fv(sign * float(np.min(V.y)))})")
    found.evidence["val_score_trend_z"] = z_half
    return replace(found, message=found.message + text)


def _still_improving_on(ctx: Context, P: Curve, train_only: bool = False) -> Finding | None:
    """still_improving judged on ``P``: the validation curve, else the train curve.
    ``train_only``: judge a train curve by what a run with no validation needs."""
    slope, z, span = tail_trend(P, ctx.th.tail_frac)
    through_end = falling_through_end(P, ctx)
    total = drop(P)
    tail_drop = -slope * span
    material = material_fall(P, tail_drop, ctx, train_only=train_only or P is not val_curve(ctx))
    steady = steady_descent(P, ctx)
    material = material or steady is not None or far_beyond_noise(P, ctx, tail_drop, z)
    # a run cut short while still falling needs no fall that matters by its own scale (the
    # steps it had left were to make it: its schedule has most of its way to go); nor does a
    # short run whose validation is at its best at its last evaluation while train still falls
    # (LABELS.md: for 8-15 epochs "stopped too early" is the usual verdict): its last step set
    # a new best on data it does not train on (a train loss creeps down long after it settled),
    # unless each of its last steps was smaller than the one before: that is a curve landing
    # on its level (0.2511, 0.2493, 0.2486, 0.2482), not one stopped on its way down
    exempt = through_end in ("cut", "first_passes") or (through_end == "best_last" and P is val_curve(ctx) and not settling(P, ctx)) \
        or (through_end == "steps" and P.n == 3)  # three points: the steps test judged what each step is worth
    speedup = speeding_up(P, ctx)
    exempt = exempt or speedup is not None  # a fall speeding up at its end has not converged, however small
    if (z > -ctx.th.z_trend and not through_end) or (not exempt and not material):
        trend = short_run_trend(P, ctx)
        if trend is not None:
            through_end = "trend"
        elif material and noisy_but_rising(P, ctx):
            through_end = "noisy"
        else:
            return None
    if P is val_curve(ctx) and ctx.history.meta.get("early_stopped") and through_end != "first_passes":
        return None  # the log says early stopping ended it: validation had stopped improving for its
        # patience, which the logged points need not show (a gating net logged every 20 epochs,
        # "Early stopping at epoch 90" after its best at 80)
    if best_before_tail(P, ctx) and through_end != "first_passes":
        return None  # the best is not near the end (a noisy batch loss's lowest point is one batch)
    if P.n <= ctx.th.short_curve_points and through_end in ("", "noisy") and float(P.y[-1]) >= float(P.y[-2]):
        return None  # a handful of points has no tail trend worth the name: its last step is the
        # witness, and it did not improve (F1 0.8304, 0.8372, 0.8439, 0.8439 read "still rising")
    if through_end != "cut" and P.n > ctx.th.short_run_max and lr_annealed(ctx) and not one_pass(ctx, P):
        # the schedule ran to its end: the last fall is its anneal, not a run cut short (the
        # healthy verdict says so: see say_annealed())
        ctx.facts["annealed_fall"] = {"curve": P.name, "lr_share": lr_end_share(ctx)}
        return None
    if ends_worse_than_best(P) and through_end != "first_passes":
        return None  # it turned: the last evaluation is worse than the best beyond noise
    if at_its_ceiling(ctx) or at_its_floor(P):
        return None  # a perfect validation score, or a loss at zero: nothing left to gain
    slope_end, z_end, _ = tail_trend(P, ctx.th.tail_frac / 2)
    # a tail falling beyond noise while the lr is still on its way down a decay schedule has
    # not levelled off: the schedule had its way to go, and the last few evaluations are too
    # few to show a slope of their own
    mid_decay = lr_mid_decay(ctx) if z <= -ctx.th.z_trend else None
    if z_end > -ctx.th.z_trend and not through_end and mid_decay is None and (
            tail_drop < ctx.th.level_off_tail_share * total or levelled_off(slope, slope_end, z_end, ctx)):
        return None  # it was falling, but has levelled off by the last few evaluations
    T = train_curve(ctx)
    if T is not None and T is not P:
        t_slope, tz, t_span = tail_trend(T, ctx.th.tail_frac)
        if tz > ctx.th.z_trend and t_slope * t_span >= ctx.th.still_improving_train_rise_noise * noise(T):
            return None  # train turned up beyond its noise while validation fell
    # lower_better() keeps the name and negates a score: a higher-is-better curve is still *rising*
    rising = higher_is_better(P.name)
    k = int(math.ceil(ctx.th.tail_frac * P.n))
    ev = {"slope": slope, "trend_z": z, "tail_drop": tail_drop, "total_drop": total,
          ("epochs" if P.axis == "epoch" else f"{P.axis}s"): run_length(ctx, P),
          "curve": "val" if P is val_curve(ctx) else "train"}
    shown = (lambda v: -v) if rising else (lambda v: v)
    verb = "rising" if rising else "falling"
    # each message quotes a stretch, and the finding's span is that stretch
    cut = cut_short(ctx) if through_end == "cut" else None
    if cut is not None:
        done, planned, what = cut
        m = falling_steps(P)
        ev.update({"steady_steps": m, "done": done, "planned": planned, "planned_unit": what})
        if m >= 3:
            first = -(m + 1)
            vals = [fv(shown(float(v))) for v in P.y[first:]]
            how = f"better at each of its last {m} {unit(P)}s ({' -> '.join(vals if len(vals) <= 6 else [vals[0], '...', *vals[-4:]])})"
        elif z > -ctx.th.z_trend:  # too few points for a trend: its last half's fall said it
            first = -(P.n - P.n // 2)
            fall = abs(float(P.y[first] - P.y[-1])) / max(abs(float(P.y[-1])), 1e-12)
            how = (f"{fv(shown(P.logged_at(P.x[first])))} -> {fv(shown(P.logged_last))} over its last {-first} "
                   f"{unit(P)}s ({fall:.0%} of where it ends)")
        else:
            first = -min(P.n, max(3, k))
            how = (f"{fv(shown(P.logged_at(P.x[first])))} -> {fv(shown(P.logged_last))} over its last {-first} {unit(P)}s "
                   f"({z_text(-z if rising else z)})")
        best_at = "the last" if P.best_index() == P.n - 1 else \
            f"{P.axis} {fx(P.x[P.best_index()])} ({fv(shown(float(P.y[P.best_index()])))})"
        # a run stopped inside its first epoch says how far into it ("epoch 0.095 of the 150")
        reached = f"{done:.0f}" if done >= 1 else f"{done:.2g}"
        share = f"{done / planned:.0%}" if done / planned >= 0.01 else f"{100 * done / planned:.2g}%"
        msg = (f"{P.name} was still {verb} when the log ends, at {what} {reached} of the {planned:.0f} planned "
               f"({share}): {how}, its best at {best_at}; the run was cut short while it improved")
    elif through_end == "first_passes":
        z_half, quarters = first_pass_measures(P)
        first = -(P.n - P.n // 2)
        ev.update({"trend_z_last_half": z_half, "quarter_medians": quarters})
        msg = (f"{P.name} was still {verb} when the log ends, after less than {ctx.th.annealed_min_epochs:g} passes "
               f"over its data ({P.axis} {fx(P.x[-1])}): its last half trends {'up' if rising else 'down'} "
               f"({z_text(-z_half if rising else z_half)}) and its last quarter is its best (median "
               f"{fv(shown(quarters[-1]))} against {fv(shown(quarters[-2]))} before); a run this short has rarely converged")
    elif z > -ctx.th.z_trend and through_end == "steps":  # the tail's z cannot tell; the steps can
        m = min(3, P.n - 1)
        ev["steady_steps"] = m
        first = -(m + 1)
        steps = " -> ".join(fv(shown(float(v))) for v in P.y[first:])
        short = P.n == 3  # better at both its steps: all it has
        each = "both its steps" if short else f"each of its last {m} {unit(P)}s"
        came = (f", after only {P.n} {unit(P)}s" if short else
                f"; {min(abs(float(P.y[first] - P.y[-1])) / total, 1.0):.0%} of the run's total progress came in those {m}")
        step = abs(float(P.y[-2] - P.y[-1]))
        room = headroom(P, float(P.y[-2]))
        by = (f"{step / room:.0%} of what it had left to gain" if 0 < room < abs(float(P.y[-2]))
              else f"{step / max(abs(float(P.y[-2])), 1e-12):.0%}")
        msg = f"{P.name} was still {verb} at the end: better at {each} ({steps}), the last by {by}{came}"
    elif through_end == "trend":
        fall, sigma, half, level = trend
        first = -half
        ev.update({"short_run_trend_fall": fall, "noise": sigma})
        vals = " ".join(fv(shown(float(v))) for v in P.y[first:])
        of_what = "what it had left to gain" if level < abs(float(np.median(P.y[-3:]))) - 1e-12 else "its level"
        msg = (f"{P.name} was still {verb} through its noise after only {P.n} {unit(P)}s: its last {half} "
               f"({vals}) trend {'up' if rising else 'down'} by {fv(fall)} ({fall / level:.0%} "
               f"of {of_what}, {fall / sigma:.1f}x its noise), its best at "
               f"{'the last' if P.best_index() == P.n - 1 else 'the last but one'}"
               + ("" if P is ctx.loss else f", while {ctx.loss.name} still fell"))
    elif (z > -ctx.th.z_trend or z_end > -ctx.th.z_trend) and through_end == "best_last":
        ev["short_run_best_last"] = True
        prev = int(np.argmin(P.y[:-1]))
        first = prev - P.n
        T = ctx.loss
        msg = (f"{P.name} ended at its best after only {P.n} {unit(P)}s: {fv(shown(P.logged_last))} at the last, "
               f"better than {fv(shown(float(P.y[prev])))} at {P.axis} {fx(P.x[prev])}, while {T.name} still fell "
               f"({fv(float(T.y[-2]))} -> {fv(T.last)}); a run this short has rarely converged")
    elif z > -ctx.th.z_trend or z_end > -ctx.th.z_trend:  # noisy: the last half says it
        _, z_half, _ = tail_trend(P, 0.5)
        first = -(P.n - P.n // 2)
        ev["trend_z_last_half"] = z_half
        msg = (f"{P.name} was still {verb} at the end, through its noise: {fv(shown(P.logged_at(P.x[first])))} -> "
               f"{fv(shown(P.logged_last))} over the last {-first} {unit(P)}s ({z_text(-z_half if rising else z_half)}), "
               f"its best at the last {unit(P) if P.best_index() == P.n - 1 else 'few ' + unit(P) + 's'}")
    else:
        first = -min(P.n, max(3, k))
        # the measure that made the fall material: its share of the run's progress, else of its level
        level = max(abs(tail_level(P, 0.15)), 1e-12)
        size = (f"{tail_drop / total:.0%} of the run's total progress" if tail_drop >= ctx.th.still_improving_min_share * total
                else f"{tail_drop / level:.0%} of the level it ends at")
        if steady is not None and tail_drop < ctx.th.still_improving_min_share * total:
            ev["steady_steps"] = steady
            size = f"a new best at each of its last {steady} {unit(P)}s"
        if speedup is not None and not material:
            ev["late_over_early_slope"] = speedup
            size = f"and speeding up: its late slope {speedup:.1f}x its early one"
        msg = (f"{P.name} was still {verb} at the end: "
               f"{fv(shown(P.logged_at(P.x[-k - 1 if k < P.n else 0])))} -> {fv(shown(P.logged_last))} over the last {k} "
               f"{unit(P)}s ({z_text(-z if rising else z)}), {size}")
    if mid_decay is not None:
        ev["lr_end_share"] = mid_decay
        msg += (f"; the lr was still decaying ({mid_decay:.0%} of its peak at the last): its schedule had not run "
                "its course")
    return finding("still_improving", "warning", msg, ctx, span=(P.x[first], P.x[-1]),
                   evidence=as_logged(ev) if rising else ev)


def as_logged(ev: dict) -> dict:
    """The evidence of a score (judged negated) on the scale the log has it: its slope and trend
    up, its progress a gain, its quarters' medians as logged (a rising mAP read 'slope -0.0017,
    trend_z -2.9, tail_drop 0.023' beside a message saying it rose)."""
    renamed = {"tail_drop": "tail_gain", "total_drop": "total_gain"}
    flipped = {"slope", "trend_z", "trend_z_last_half"}
    out = {}
    for key, value in ev.items():
        if key in flipped and isinstance(value, (int, float)):
            value = -value
        elif key == "quarter_medians":
            value = [-v for v in value]
        out[renamed.get(key, key)] = value
    return out


def levelled_off(slope: float, slope_end: float, z_end: float, ctx: Context) -> bool:
    """The last few evaluations fall less steeply than the tail did, beyond their own noise.
    Too few points to show a fall of their own is no sign of a stop where they go on at the
    rate of a tail that still carries a good share of the run's progress (a GPT-2 fine-tune's
    val loss, 12% of its fall in its last 12 evaluations, -0.0075 an evaluation, and -0.0067
    over its last 6, within a fifth of their standard error of each other)."""
    if z_end == 0 or slope >= 0:
        return True
    se_end = abs(slope_end / z_end)
    return (slope_end - slope) > ctx.th.level_off_z * se_end


def first_passes_falling(P: Curve, ctx: Context) -> bool:
    """A batch loss within a run's first passes over its data still going down at the end: its
    last half trends down beyond ``first_pass_z`` and its last quarter's median is the lowest
    of the four. Judged on medians and the half's trend, as one batch's loss is noise (an XLNet
    NER run stopped 17% into its first epoch: block means 19.9, 13.6, 11.2, 10.8)."""
    z_half, quarters = first_pass_measures(P)
    return z_half <= -ctx.th.first_pass_z and quarters[-1] == min(quarters)


def first_pass_measures(P: Curve) -> tuple[float, list[float]]:
    """The trend z of the curve's last half and the medians of its four quarters: what
    :func:`first_passes_falling` judges and the message quotes."""
    _, z_half, _ = tail_trend(P, 0.5)
    return z_half, [float(np.median(b)) for b in np.array_split(P.y, 4)]


def speeding_up(P: Curve, ctx: Context) -> float | None:
    """The late slope over the early one (robust, each half's Theil-Sen slope) when the curve
    falls in both halves, faster by more than ``lr_low_max_speedup`` in the second, beyond
    noise over the whole run and at its best among its last three points: a language model leaving the
    uniform level in its warmup (11.465 for 30 steps, then 11.459, 11.428, 11.362, 11.317) has
    moved 1% but is at its steepest when the log ends. None otherwise."""
    if P.n < 5 or P.best_index() < P.n - 3:
        return None
    s1, s2 = half_slopes(P)
    if s1 >= 0 or s2 >= 0 or s2 / s1 <= ctx.th.lr_low_max_speedup:
        return None
    if stats.trend(P.x, P.y, P.sigma)[1] > -ctx.th.z_trend:
        return None
    return float(s2 / s1)


def far_beyond_noise(P: Curve, ctx: Context, tail_drop: float, z: float) -> bool:
    """A validation curve whose tail fell a fifth of the level it ends at
    (``still_improving_train_rel``), by a trend twice as far beyond its noise as the usual test
    asks: however small beside a first fall by orders of magnitude (5.7 -> 0.21, then 0.21 ->
    0.15 over the last ten evaluations), a fall that size and that clean has not converged. A
    noisy tail (an MNIST val loss at 0.011-0.013 that ends 0.009 after an lr cut) is not one."""
    if P is not val_curve(ctx) or z >= -2 * ctx.th.z_trend:
        return False
    return tail_drop >= ctx.th.still_improving_train_rel * max(abs(tail_level(P, 0.15)), 1e-12)


def steady_descent(P: Curve, ctx: Context) -> int | None:
    """How many evaluations in a row a validation curve set a new best to its end, when that is
    at least ``still_improving_steady_steps`` and the last three of them fell
    ``still_improving_min_rel`` of the level it ends at; None otherwise. A val MSE down from
    0.21 to 0.0029, then 0.0027, 0.0025, 0.0023 falls by a sliver of its first fall, but a
    descent that steady has not converged. With no validation logged, a train curve of a short
    run (``short_run``..``short_run_max`` evaluations, where LABELS.md makes "stopped too early"
    the usual call) by ``short_run_steady_rel`` of its level: a loss 1.027, 1.016, 1.007, 1.000,
    0.9939 after ten epochs is still on its way down, not creeping at a level it reached long ago."""
    if P is val_curve(ctx):
        rel = ctx.th.still_improving_min_rel
    elif val_curve(ctx) is None and P is train_curve(ctx) and ctx.th.short_run <= P.n <= ctx.th.short_run_max:
        rel = ctx.th.short_run_steady_rel
    else:
        return None
    m = falling_steps(P)
    if m < ctx.th.still_improving_steady_steps:
        return None
    if float(P.y[-4] - P.y[-1]) < rel * max(abs(float(P.y[-1])), 1e-12):
        return None  # landing on its level: 0.2511, 0.2493, 0.2486, 0.2482 are new bests too
    return m


def noisy_but_rising(P: Curve, ctx: Context) -> bool:
    """A validation curve too noisy for its last 30% to show a trend (test accuracy swinging 2-12
    points between epochs), whose best is its last evaluation and whose last half still improves
    beyond the noise, while the train loss falls steadily to the end: the run was stopped on
    the way up (10-epoch means 79.9, 81.6, 81.5, 83.9, 84.8, 85.5, best at the last epoch)."""
    if P is not val_curve(ctx) or P.n < 10 or P.best_index() != P.n - 1:
        return False
    T = train_curve(ctx)
    if T is None or T.n < 10 or tail_trend(T, ctx.th.tail_frac)[1] > -ctx.th.z_trend:
        return False
    return tail_trend(P, 0.5)[1] < -ctx.th.z_trend


#: scores bounded by a perfect value (1, or 100 when logged in percent)
_BOUNDED = ("accuracy", "f1", "auc", "precision", "recall")


#: a classifier's val loss (cross-entropy, nats) this low gives every right answer 99% or more
_SURE_LOSS = 0.01


#: a curve this long is judged turned by its smoothed level, not by its last point
NOISY_TURN_MIN_POINTS = 20


def ends_worse_than_best(P: Curve) -> bool:
    """The curve's last point is worse than its best by more than three times its noise, the
    test the keep line applies: a run that turned at its last evaluation (val 0.48 -> 0.45 ->
    0.55) is not "still falling at the end", however its tail's trend reads over few points."""
    if not float(P.y[-1]) > float(np.min(P.y)) + 3 * max(P.sigma, 1e-12):
        return False
    # a long noisy curve whose smoothed level ends within its noise of its best did not turn:
    # its last point is one more sample of its scatter (an RL agent's episode rewards, 3701
    # after 5002 while the 10-episode means climb 1881 -> 3884)
    if P.n < NOISY_TURN_MIN_POINTS:
        return True
    level = P.smoothed()
    return float(level[-1]) > float(np.min(level)) + max(P.sigma, 1e-12)


def run_length(ctx: Context, P: Curve) -> float:
    """Epochs (or steps) the run had when the log ends, as a person counts them: a log whose
    epochs start at 0 (Keras, Lightning) ran one more than its last number; one counting from 1
    (``Epoch 1/100``), or in fractions of an epoch done (Hugging Face), ran its last number."""
    last = float(P.x[-1])
    if P.axis != "epoch":
        return last
    starts = [float(s.steps[0]) for s in ctx.history.series.values() if len(s) and s.axis == P.axis]
    counts_from_zero = bool(starts) and min(starts) == 0 and last == int(last)
    return last + 1 if counts_from_zero else last


def epochs_run(ctx: Context, P: Curve) -> float | None:
    """How many passes over its data the run made: the epoch a Hugging Face state ends at, or
    the run length of a curve counted in epochs; None when the log does not say."""
    epochs = ctx.history.meta.get("epochs")
    if isinstance(epochs, (int, float)) and epochs > 0:
        return float(epochs)
    return run_length(ctx, P) if P.axis == "epoch" else None


def one_pass(ctx: Context, P: Curve) -> bool:
    """The run saw its data fewer than ``annealed_min_epochs`` times (a one-epoch fine-tune):
    an lr annealed to zero within it ended the schedule, not the learning, and a curve still
    improving at its end asks for more passes on a longer schedule."""
    epochs = epochs_run(ctx, P)
    return epochs is not None and epochs < ctx.th.annealed_min_epochs


def at_its_ceiling(ctx: Context) -> bool:
    """The validation score is perfect (accuracy, F1, AUC, precision or recall of 1, or 100 in
    percent) at each evaluation of the run's tail, and the val loss says the answers are sure:
    a val loss that still halves at 2e-5 is a more confident right answer, not a model with
    anything left to learn. (A perfect score on a small val set at a val loss of 0.12, still
    falling, is not that: the answers are right but not yet sure.) A log with no validation is
    judged on its train score and loss the same way: a train loss still halving at 1e-4 beside a
    train accuracy of 1 is memorising, not learning."""
    A, V = ctx.val_metric, ctx.val_loss
    if val_curve(ctx) is None:
        A, V = ctx.metric, ctx.loss
    if A is None or A.n < 2 or not (ctx.metric_name or "").startswith(_BOUNDED):
        return False
    if V is not None and V.n and not abs(V.last) <= _SURE_LOSS:
        return False
    top = percent_scale(A.y)
    k = max(2, int(math.ceil(ctx.th.tail_frac * A.n)))
    return bool(np.all(np.abs(A.y[-k:] - top) <= 1e-9 * top))


#: a loss at or below this share of where it began has nothing left to give: five orders of
#: magnitude down, its further halvings are rounding, not learning
FLOOR_SHARE = 1e-5


def at_its_floor(P: Curve) -> bool:
    """A loss (never below zero) that ended within :data:`FLOOR_SHARE` of its start from zero,
    and below :data:`_SURE_LOSS`: a slot parser's val cross-entropy 1.91 -> 6.5e-7 -> 3.0e-7
    over its last 8 epochs is every answer right and sure, not a run with anything left to
    learn. :func:`at_its_ceiling` says the same from a perfect score."""
    if negated(P) or P.n < 3:
        return False
    y = P.y[np.isfinite(P.y)]
    if y.size < 3 or float(np.min(y)) < 0:
        return False
    start = head_level(P)
    return start > 0 and abs(P.last) <= _SURE_LOSS and P.last <= FLOOR_SHARE * start


def _near_end(P: Curve, ctx: Context) -> int:
    """How many of a curve's last points its best may lie among and still be "at the end": three,
    or the last ``tail_frac / 2`` of a long one (a detector's loss logged every 10 batches, 106
    points, best 7.33 five points before the last 7.34 while its tail falls at z = -9: one
    noisy batch is no stop)."""
    return max(3, int(math.ceil(ctx.th.tail_frac / 2 * P.n)))


def falling_through_end(P: Curve, ctx: Context) -> str:
    """Still falling at the last point where the tail's own z-test cannot tell: a short curve
    (a handful of evaluations gives no noise estimate worth the name) that went down at each of
    its last three steps to its best at the end (4 points in strict order: 1 in 24 by chance),
    the last step by an amount that matters,
    or a noisy long curve whose last half falls beyond its noise, whose last stretch keeps
    the direction and whose best point is one of the last three; or a short run (8-15
    evaluations, where LABELS.md makes "stopped too early" the usual verdict) whose last point
    is its best while train still falls; or a log that ends before its planned length (a
    checkpoint: see :func:`cut_short`) at its best, better at each of its last three
    evaluations or falling beyond noise over its tail (a weaker, one-sided 5% trend over its tail
    or last half where it ended at a quarter of its plan or less, where three evaluations
    better at each step will do too). Says which ("cut", "steps", "best_last" or "half"), or "" for none."""
    y = P.y
    cut = cut_short(ctx)
    # far short of its plan, a weaker trend will do: the run had barely begun its schedule
    z_cut = ctx.th.cut_far_short_z if cut is not None and cut[0] <= ctx.th.cut_far_short_share * cut[1] \
        else ctx.th.z_trend
    far_short = z_cut < ctx.th.z_trend
    if cut is not None and (P.n >= 4 or (far_short and P.n == 3)) and (
            (P.best_index() == P.n - 1 and falling_steps(P) >= min(3, P.n - 1))
            or (P.best_index() >= P.n - _near_end(P, ctx) and min(tail_trend(P, ctx.th.tail_frac)[1],
                                                  tail_trend(P, 0.5)[1] if far_short else 0.0) < -z_cut)
            # or at its best at the last, its last half down a tenth of where it ends (a loss
            # 0.039, 0.029, 0.032, 0.022 at epoch 3 of 400: a bump on the way is no stop)
            or (P.best_index() == P.n - 1
                and float(y[P.n // 2] - y[-1]) >= ctx.th.cut_short_late_fall * abs(float(y[-1])))):
        # the log ends before its planned end, at its best, better at each of its last three
        # evaluations (4 points in order: 1 in 24 by chance), or falling beyond noise over its
        # tail with its best among the last three (a noisy curve's last point need not be it)
        return "cut"
    if val_curve(ctx) is None and P is train_curve(ctx) and P.n >= 8 and one_pass(ctx, P) and first_passes_falling(P, ctx):
        return "first_passes"
    if P.n <= ctx.th.short_curve_points:
        # better at each of its last three steps, and the last step alone matters (2.29 -> 0.71
        # -> 0.21 -> 0.155 -> 0.151 has settled)
        # (a three-point validation curve: better at both its steps, the last by
        # ``still_improving_min_rel`` of its level; its share of the progress says nothing there)
        # a score's last step is judged against what it had left to gain, not its level (val
        # accuracy 0.9736 -> 0.9757 is 0.2% of its level and 8% of the errors it had left)
        last_step = float(y[-2] - y[-1])
        room = headroom(P, float(y[-1]))
        score_steps = P.n == 3 and P is val_curve(ctx) and room < abs(float(y[-1])) \
            and last_step >= ctx.th.still_improving_min_share * drop(P)
        # three points with no validation logged: the train curve is all the run says, and two
        # steps are all it had (LABELS.md: short runs are usually stopped too early); the same
        # bar for its last step as a three-point validation curve's (fsrcnn's L1 0.0241 ->
        # 0.0193 -> 0.0180, -7% at the last; a federated run's accuracy 12% -> 58% -> 65%)
        alone = P.n == 3 and val_curve(ctx) is None  # P is then the train curve (a fresh copy of a score)
        steady = falling_steps(P) >= min(3, P.n - 1) and (material_fall(P, last_step, ctx) or score_steps) and (
            P.n > 3 or ((P is val_curve(ctx) or alone) and last_step >= ctx.th.still_improving_min_rel * room))
        if steady:
            return "steps"
    if ctx.th.short_run <= P.n <= ctx.th.short_run_max and P.best_index() == P.n - 1 and train_still_falling(ctx):
        return "best_last"  # a short run at its best at the last epoch, train still falling: the usual call
    if P.n <= ctx.th.short_curve_points:
        return ""
    _, z_half, _ = tail_trend(P, 0.5)
    _, z_tail, _ = tail_trend(P, ctx.th.tail_frac)
    last = max(3, int(math.ceil(0.15 * P.n)))
    # ... and its last stretch still falls by a share of the curve's progress or of its level
    # that counts: a val loss at 3.426 for its last eight epochs after a noisy fall from 4.5
    # has stopped, however its last half trends
    late = -stats.theil_sen(P.x[-last:], y[-last:]) * float(P.x[-1] - P.x[-last])
    moving = late > min(ctx.th.still_improving_min_share * drop(P), ctx.th.still_improving_min_rel * abs(float(y[-1])))
    noisy = (z_half < -ctx.th.z_trend and z_tail < -ctx.th.z_trend / 1.5
             and P.best_index() >= P.n - 3 and moving)
    return "half" if noisy else ""

def short_run_trend(P: Curve, ctx: Context) -> tuple[float, float, int, float] | None:
    """A short run (LABELS.md: for 8-15 epochs, stopped too early is the usual verdict) whose
    validation is noisy but still trends down: its best one of its last two evaluations, the
    robust (Theil-Sen) fall over its last half at least ``short_run_trend_noise`` times its noise
    and ``still_improving_min_rel`` of its level, and train still falling. With no validation
    logged, the train curve itself, by ``still_improving_train_rel`` of its level. Five or six
    noisy points give a z-test nothing to stand on; a median slope against the noise does. A smooth curve
    that has levelled off falls by less than its level's share, and a ceiling score is not
    still improving. Returns (fall, noise, points in the half, the level it was judged
    against) or None."""
    train_only = val_curve(ctx) is None and P is train_curve(ctx)
    if (P is not val_curve(ctx) and not train_only) or not ctx.th.short_run <= P.n <= ctx.th.short_run_max:
        return None
    if P.best_index() < P.n - 2 or not train_still_falling(ctx) or at_its_ceiling(ctx):
        return None
    half = P.n - P.n // 2
    xs, ys = P.x[-half:], P.y[-half:]
    fall = -stats.theil_sen(xs, ys) * float(xs[-1] - xs[0])
    # a score's fall is judged against what it had left to gain, as its last step is (see
    # falling_through_end): val Dice 0.905 -> 0.917 is 1% of its level and 13% of the way to 1
    level = max(headroom(P, float(np.median(ys[-3:]))), 1e-12)
    sigma = noise(P)
    # with no validation, the train loss's own fall must be the larger share a train loss needs
    # (it creeps down long after a run has converged): a fifth of its level over its last half
    rel = ctx.th.still_improving_train_rel if train_only else ctx.th.still_improving_min_rel
    if fall < ctx.th.short_run_trend_noise * sigma or fall < rel * level:
        return None
    return fall, sigma, half, level


def settling(P: Curve, ctx: Context, steps: int = 3) -> bool:
    """Each of the curve's last ``steps`` steps went down (better), each by no more than the
    one before, and shrinking fast enough to land soon: at the pace they shrink (the median
    ratio of one step to the one before), what is left to gain is under
    ``settling_left_share`` of the curve's progress so far. Steps that shrink by a tenth each
    (ratio 0.9) still have nine more of the last one to go."""
    if falling_steps(P) < steps:
        return False
    falls = -np.diff(P.y[-(steps + 1):])
    if not np.all(np.diff(falls) <= 0):
        return False
    ratio = float(np.median(falls[1:] / falls[:-1]))
    left = float(falls[-1]) * ratio / (1.0 - ratio) if ratio < 1.0 else math.inf
    return left < ctx.th.settling_left_share * drop(P)


def falling_steps(P: Curve) -> int:
    """How many of the curve's last steps each went down (better): 0 when the last did not."""
    d = np.diff(P.y)
    m = 0
    while m < len(d) and d[-1 - m] < 0:
        m += 1
    return m

def lr_end_share(ctx: Context) -> float | None:
    """The last logged lr as a share of its peak, when the lr peaked before the end (None when
    no lr is logged or it never came down from a peak)."""
    L = ctx.lr
    if L is None or L.n < 3:
        return None
    y = L.y[np.isfinite(L.y)]
    if y.size < 3 or y.max() <= 0 or int(np.argmax(y)) >= y.size - 1:
        return None
    return float(y[-1] / y.max())


def say_annealed(findings: list[Finding], ctx: Context) -> list[Finding]:
    """The healthy verdict of a run ``still_improving`` let go because its lr annealed (see
    ``ctx.facts["annealed_fall"]``) says why: a curve still improving at its end reads as a
    run stopped early unless the message names the schedule."""
    annealed = ctx.facts.get("annealed_fall")
    if not annealed:
        return findings
    text = (f"; {annealed['curve']} still improves at the end, but the lr annealed to {annealed['lr_share']:.0%} of its "
            "peak: that is the schedule's last stretch, so more epochs at this lr would not go further "
            "(a longer schedule might)")
    return [replace(f, message=f.message + text) if f.code == "healthy" else f for f in findings]


def lr_mid_decay(ctx: Context) -> float | None:
    """The last logged lr as a share of its peak when a decay schedule was still under way at the
    end: it fell at each of its last ``mid_decay_steps`` logged values and ends at
    ``mid_decay_lr_share`` of its peak or more (and below it). None otherwise (no lr logged, a
    constant or stepped lr, one annealed to about zero)."""
    share = lr_end_share(ctx)
    if share is None or not ctx.th.mid_decay_lr_share <= share < 1.0:
        return None
    y = ctx.lr.y[np.isfinite(ctx.lr.y)]
    k = ctx.th.mid_decay_steps
    if y.size < k + 2 or int(np.argmax(y)) >= y.size - 1 - k or not bool(np.all(np.diff(y[-k - 1:]) < 0)):
        return None
    return share


def lr_annealed(ctx: Context) -> bool:
    """The logged lr peaked, then ended below ``annealed_lr_share`` of its peak: a schedule that
    annealed it to about zero (cosine, one-cycle, linear decay) ran to its end."""
    share = lr_end_share(ctx)
    return share is not None and share < ctx.th.annealed_lr_share


def train_still_falling(ctx: Context) -> bool:
    """The train loss ends at its lowest, or falls beyond its noise over its tail."""
    T = ctx.loss
    if T is None or T.n < 3:
        return False
    if T.best_index() >= T.n - 1:
        return True
    _, tz, _ = tail_trend(T, ctx.th.tail_frac)
    return tz < -ctx.th.z_trend

@rule("curves", end_of_run=True)
def healthy(ctx: Context) -> Finding | None:
    """Emitted always; resolve() removes it whenever a warning or error stands beside it."""
    T = train_curve(ctx)
    if T is None and ctx.loss is None:
        # the val loss, else a val score whose name says which way is better ("val_total" does not)
        V = val_curve(ctx)
        if V is None:
            return None
        return _healthy_on_validation(ctx, V)
    if T is None:
        return None
    if T.n < 3:  # two points show a fall, not that it settled: nothing after it to see a level
        if ctx.val_loss is not None and ctx.val_loss.n >= 3:
            return None  # (the summary's "only 2 epochs" would not be true of the val curve)
        ctx.facts["too_few_to_settle"] = {"curve": T.name, "points": T.n, "axis": T.axis,
                                          "first": shown(T, first_as_logged(ctx, T)),
                                          "last": shown(T, last_as_logged(ctx, T))}
        return None
    t_drop = drop(T)
    if t_drop <= 3 * noise(T):
        return None  # nothing fell: not healthy, even if no rule can say why
    if head_level(T) - tail_level(T, 0.2) <= max(noise(T), 0.25 * t_drop):
        return None  # it ended where it began (a reward that wandered off and came back): nothing settled lower
    if barely_moved(ctx, T):
        return None  # the summary says what the curves show (see barely_moved)
    if validation_frozen(ctx):
        return None  # both did not fall: the summary says validation never moved
    if val_ended_above_its_start(ctx):
        return None  # validation did not fall: it ends worse than it began (the keep advice says where it was best)
    ev: dict[str, Any] = {"train_start": head_level(T), "train_last": tail_level(T, 0.2)}
    score = negated(T)  # an accuracy standing in for the train loss rose
    # a step log's train loss is averaged between evaluations for the tests; quoted as logged
    parts = [f"{T.name} {fv(shown(T, first_as_logged(ctx, T)))} -> {fv(shown(T, last_as_logged(ctx, T)))}"]
    V = ctx.val_loss
    if V is not None and V.n >= 2:
        ev["val_last"] = tail_level(V, 0.2)
        ev["gap"] = ev["val_last"] - ev["train_last"]
        parts.append(f"{V.name} {fv(V.logged_first)} -> {fv(V.logged_last)}")
    elif ctx.val_metric is not None and ctx.val_metric.n >= 2:
        A = ctx.val_metric
        parts.append(f"{A.name} {fv(A.logged_first)} -> {fv(A.logged_last)} (no val loss logged: overfitting is judged "
                     f"on {A.name} alone)")
    else:
        parts.append("no validation series, so overfitting cannot be judged")
    if ctx.facts.get("val_below_train_by_design"):
        why = ctx.facts["val_below_train_by_design"]
        parts.append(f"val below train throughout, which {why} {'explain' if ', ' in why else 'explains'}: the train "
                     "loss is taken on harder targets than validation's")
    elif ctx.facts.get("val_below_train_early"):
        dp = dropout_hint(ctx)
        why = ("the train loss is averaged over each epoch while the model was still improving"
               + (f", with dropout {dp:g} on" if dp else "" if dp == 0 else
                  ", and with dropout on if the model has any"))
        parts.append(f"val below train early on, which is expected: {why}")
    if score:
        ev.update(train_start=-ev["train_start"], train_last=-ev["train_last"], higher_is_better=True)
    msg = f"{'rose' if score else 'fell'} and settled: " + "; ".join(parts)
    return finding("healthy", "info", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)


def barely_moved(ctx: Context, T: Curve) -> bool:
    """The train loss fell beyond its noise but by less than ``healthy_min_fall`` of its level over
    the whole log, and so did the val loss where one is logged: converged before the first logged
    point, or nothing learned. Records the falls in ``ctx.facts["barely_moved"]`` for the
    summary's unnamed verdict. (A score standing in for the loss is not judged so: 0.995 -> 0.998
    is a third of the errors gone.)"""
    if T is not ctx.loss:
        return False
    falls = {T.name: drop(T) / max(abs(head_level(T)), 1e-12)}
    V = ctx.val_loss
    if V is not None and V.n >= 2:
        falls[V.name] = drop(V) / max(abs(head_level(V)), 1e-12)
    if max(falls.values()) >= ctx.th.healthy_min_fall:
        return False
    ctx.facts["barely_moved"] = falls
    return True


def val_ended_above_its_start(ctx: Context) -> bool:
    """The val loss ends ``healthy_end_worse`` or more above its first evaluation, and beyond
    twice its noise on a curve long enough to have one: it did not
    "fall and settle" (LABELS.md: healthy is both), however the train loss did (a BERT
    classifier's 3 evaluations: 0.8079, 0.8074, 0.9018 while train fell 0.83 -> 0.62)."""
    V = ctx.val_loss
    if V is None or V.n < 2 or negated(V) or isinstance(ctx.history.meta.get("restored_best"), dict):
        return False  # (early stopping restored its best weights: the model the user keeps did fall)
    first, last = float(V.logged_first), float(V.logged_last)
    if not (np.isfinite(first) and np.isfinite(last) and first > 0):
        return False
    # twice the noise too, where there are points enough to tell the noise from the rise (a
    # 12-epoch val loss swinging by 0.02 ends 11% above its first value within it)
    sigma = float(V.sigma) if V.n > ctx.th.short_curve_points else 0.0
    if last - first < max(ctx.th.healthy_end_worse * first, 2 * sigma):
        return False
    ctx.facts["val_ended_above_start"] = {"curve": V.name, "first": first, "last": last}
    return True


def _healthy_on_validation(ctx: Context, V: Curve) -> Finding | None:
    """A log of evaluations only (no train loss, no metric that says which way is better beside
    it): healthy when the val loss (or a val score, kept negated) got better beyond its noise,
    said with what cannot be judged."""
    if drop(V) <= 3 * noise(V):
        return None
    score = negated(V)
    ev: dict[str, Any] = {"val_start": shown(V, head_level(V)), "val_last": shown(V, tail_level(V, 0.2))}
    first, last = fv(shown(V, V.logged_first)), fv(shown(V, V.logged_last))
    msg = (f"{'rose' if score else 'fell'} and settled: {V.name} {first} -> {last} (no train loss logged, so "
           "overfitting cannot be judged)")
    return finding("healthy", "info", msg, ctx, span=(V.x[0], V.x[-1]), evidence=ev)
