"""How validation relates to training: overfitting, val_not_improving, suspicious_validation."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, head_level, rule, tail_level
from fitdoctor.diagnose.chance import accuracy_learned
from fitdoctor.diagnose.curves.oscillation import oscillating
from fitdoctor.diagnose.curves.messages import finding, first_as_logged, fv, fx, last_as_logged, logged_after, negated, shown, signed_pct, unit
from fitdoctor.diagnose.curves.shape import drop, dropout_hint, harder_train_targets, jumps_over_recent, lower_better, no_loss_scale, noise, still_moving, stuck_val_accuracy, tail_trend, train_curve, val_curve, val_gain, val_improved, validation_frozen
from fitdoctor.findings import Finding


#: a short run's val loss at this multiple of its best or more, worse at each step since it,
#: needs train only to end below its level at the best, not to fall at each evaluation
SHORT_TURN_DOUBLED = 2.0

#: the share of the later points after the best that must sit two noise scales above it for a
#: rise to have held (not one excursion)
HELD_SHARE = 0.8


@rule("curves")
def overfitting(ctx: Context) -> Finding | None:
    found = _overfitting(ctx)
    if (found is None or ctx.facts.get("rise_shown_by_ramp")) and not ctx.partial:
        # a rise shown by its ramp alone is one a named kind may tell better (six steps up in a
        # row, and how rarely that comes by chance)
        found = late_rise(ctx) or short_run_turn(ctx) or three_evaluation_turn(ctx) or steady_climb(ctx) \
            or held_climb(ctx) or found
    return found


def late_after_best(V: Curve, b: int) -> np.ndarray:
    """The later half of the points after index ``b`` (the best): where a rise that held stays."""
    return V.y[b + (V.n - b) // 2:]


def train_at(V: Curve, T: Curve, b: int) -> float:
    """The smoothed train curve at the axis position of validation's point ``b``."""
    return float(np.interp(V.x[b], T.x, T.smoothed()))


def logged_min_near(V: Curve, b: int) -> int:
    """The index of the logged minimum at or before two points past the smoothed best ``b``:
    the value a message quotes as the best, as the log printed it."""
    return int(np.argmin(V.y[: min(V.n, b + 3)]))


def _overfitting(ctx: Context) -> Finding | None:
    V = val_curve(ctx)
    T = train_curve(ctx)
    if V is None or T is None or V.n < 4:
        return None
    sv = V.smoothed()
    b = int(np.argmin(sv))
    vmin = float(sv[b])
    after = V.n - 1 - b
    if after < max(2, int(0.1 * V.n)):
        # the smoothed best at the end can be the smoothing's own: a val curve flat within its
        # noise since an early logged best averages lowest over its last points; whether the
        # train loss fell far below that flat stretch is the gap's question (it has its own
        # guard for a logged best at the last evaluation)
        return gap_widening(ctx, V, T, b)
    end = tail_level(V, 0.15)
    rise = end - vmin
    # the noise of the stretch being judged: a steep, curved descent before the best inflates
    # the whole curve's second differences and would hide a steady rise after it
    # (only for a smooth stretch: on a jumpy val curve a robust noise estimate of a few points
    # under-reads heavy-tailed swings, and oscillation is the better reading)
    sigma = noise_after_best(V, b, ctx, vmin)
    vdrop = max(head_level(V) - vmin, 0.0)
    shift_p = level_shift_p(V, ctx)
    # it stays up: most of the late points sit clearly above the minimum (a slope test would
    # miss a fast rise followed by a long high plateau)
    late = late_after_best(V, b)
    persistence = float(np.mean(late > vmin + 2 * sigma))
    ramp = (int(np.argmin(V.y)) < V.n - 3 and after < 2 * ctx.th.held_min_points and persistence == 1.0
            and bool(np.all(np.diff(V.y[-3:]) > 0)))
    if ramp:
        # a short rise still under way at the end (each of the last three evaluations, all after
        # the logged best, higher than the one before, every late point above the best beyond
        # noise): the tail's median lags it, and the last evaluation is where it has got to (two
        # points after the best are the held kind's to judge, a long climb held_climb's)
        end = max(end, float(V.y[-1]))
        rise = end - vmin
    held = late.size >= ctx.th.held_min_points and persistence >= HELD_SHARE
    bar = ctx.th.rise_sigmas_held if held else ctx.th.rise_sigmas
    shift = held_mean_shift(V, b, ctx, vdrop, vmin) if shift_p is None else None
    sizeable = rise >= ctx.th.rise_frac_of_drop * vdrop or rise >= ctx.th.rise_frac_of_best * abs(vmin)
    rise_shows = rise >= bar * sigma and (sizeable or ramp and rise >= ctx.th.ramp_rise_frac_of_best * abs(vmin))
    ctx.facts["rise_shown_by_ramp"] = rise_shows and not sizeable
    if shift_p is None and shift is None and not rise_shows:
        return gap_widening(ctx, V, T, b)
    slope, z = stats.trend(V.x[b:], V.y[b:], V.sigma)
    # or it is still climbing: a steady ramp up to the end (its first late points are not yet
    # far above the best, but the trend since the best is beyond noise and the end is highest)
    climbing = z >= ctx.th.z_trend and end >= float(np.max(sv[b:])) - sigma
    rise_held = persistence >= HELD_SHARE or climbing
    if shift_p is None and shift is None and not rise_held:
        return gap_widening(ctx, V, T, b)
    by_shift = shift is not None and not (rise_shows and rise_held)  # the late mean decided, not a rise
    # training kept improving over the same stretch (else it is divergence or noise)
    t_at_best = train_at(V, T, b)
    t_end = tail_level(T, 0.15)
    if t_end > t_at_best + 2 * noise(T):
        return None
    if not val_improved(V, ctx):
        return None  # val never got better: val_not_improving speaks, whatever it does after
    if (spike := rise_at_a_train_spike(V, T, b, end, ctx)) is not None:
        ctx.facts["val_rise_at_train_spike"] = spike  # lr_too_high quotes it
        return None  # knocked out of its minimum by one unstable step: lr_too_high's to name
    rb = logged_min_near(V, b)
    by_order = shift_p is not None and rise < ctx.th.rise_sigmas * sigma
    if by_order:
        rb = int(np.argmin(V.y))  # judged by the order around the logged best: that best
    best_x, vmin_raw = V.logged_best(rb)
    ev = {"val_min": vmin_raw, "best_at": best_x, "val_last": end, "rise": end - vmin_raw,
          "rise_in_noise": rise / sigma, "slope_after_best": slope, "trend_z": z,
          "share_of_late_points_above_best": persistence,
          "train_at_best": t_at_best, "train_last": t_end,
          "share_after_best": (V.x[-1] - V.x[rb if by_order else b]) / max(V.x[-1] - V.x[0], 1e-12),
          "axis": V.axis}
    name = V.name if V is ctx.val_loss else f"val {ctx.metric_name}"
    # the numbers shown are the log's own: the logged best and the logged last, so that best +
    # rise = last for a reader (the test above used smoothed levels)
    rise_raw = V.logged_last - vmin_raw
    ev["rise_shown"] = rise_raw
    ev["rise_shown_in_noise"] = rise_raw / sigma
    # a higher-is-better score is kept negated on the curve; shown as the log has it (an error
    # metric standing in for val loss, val_rmse or val_mae, is not negated: it rises as val loss would)
    score = negated(V)
    pct = f" ({signed_pct((-1 if score else 1) * rise_raw / abs(vmin_raw))})" if vmin_raw else ""
    shown_best = -vmin_raw if score else vmin_raw
    shown_last = -V.logged_last if score else V.logged_last
    if score:
        ev.update(val_min=shown_best, val_last=-end, higher_is_better=True)
    if by_order:
        ev["level_shift_p"] = shift_p
        why = (f"each of the {V.n - 1 - rb} {unit(V)}s after the best is worse than every one up to it "
               f"(by chance: p={shift_p:.2g})")
    elif by_shift:
        sign = -1 if score else 1  # the means as the log has them
        ev.update(shift, late_mean=sign * shift["late_mean"], best_mean=sign * shift["best_mean"])
        why = (f"the last {shift['late_points']} {unit(V)}s average {fv(ev['late_mean'])}, "
               f"{fv(shift['shift'])} {'below' if score else 'above'} the {shift['best_points']} {unit(V)}s around "
               f"the best ({fv(ev['best_mean'])}; {shift['shift_z']:.1f} standard errors apart)")
    else:
        why = (f"the {'drop' if score else 'rise'} is {rise_raw / sigma:.0f}x the {unit(V)}-to-{unit(V)} noise ({fv(sigma)})"
               if rise_raw < 1000 * sigma else f"the {unit(V)}-to-{unit(V)} noise is next to nothing ({fv(sigma)})")
    msg = (f"{name} best {fv(shown_best)} at {V.axis} {fx(best_x)}, then "
           f"{'-' if score else '+'}{fv(rise_raw)}{pct} over the next {logged_after(ctx, V, best_x)} "
           f"{unit(V)}s ({ev['share_after_best']:.0%} of the run; {fv(shown_last)} at the last) while {T.name} "
           f"fell to {fv(last_as_logged(ctx, T))}; {why}")
    return finding("overfitting", "warning", msg, ctx, span=(best_x, V.x[-1]), evidence=ev)

def late_rise(ctx: Context) -> Finding | None:
    """Overfitting whose onset came late: the best fell among the last evaluations and each of
    the 2 to ``held_min_points`` - 1 after it is worse beyond twice the noise, the last beyond
    three noise scales (as the keep advice judges it) and by ``healthy_end_worse`` of the best,
    while train kept improving (LABELS.md: a clear best, then above it beyond its own noise for
    the rest of the run), and a clear best: the as many points before it all below those after
    it (a noisy floor's lowest point is not one; for exchangeable points the order alone has a
    chance of 1 in C(2k + 1, k), 35 for k = 3). So few points are too few for the other kinds' tests (a rise against
    the whole drop, a level that held); a longer stretch is theirs, and their size bars stand.
    The keep advice already said to stop at that best, under "no fault named, but not healthy".
    A finished run only: a live run's next evaluation may be its next best."""
    V, T = val_curve(ctx), train_curve(ctx)
    if V is None or T is None or V.n < 5:
        return None
    rb = int(np.argmin(V.y))
    after = V.y[rb + 1:]
    if not 2 <= after.size < ctx.th.held_min_points:
        return None  # a longer stretch is the other kinds' to judge, against the drop and the best
    best = float(V.y[rb])
    sigma = noise_after_best(V, rb, ctx, best)
    last = float(V.y[-1])
    if not (float(np.min(after)) > best + 2 * sigma and last > best + 3 * sigma
            and last - best >= ctx.th.healthy_end_worse * abs(best)):
        return None
    before = V.y[max(0, rb - after.size): rb]
    if before.size == 0 or float(np.min(after)) <= float(np.max(before)):
        return None  # no clear best: a point as high sits just before it (a noisy floor's lowest
        # point), or none comes before it at all
    t_on_v = ctx.train_on(V.x)
    if not float(t_on_v[-1]) < float(t_on_v[rb]):
        return None  # train did not keep improving: not memorising
    if not val_improved(V, ctx):
        return None
    if rise_at_a_train_spike(V, T, rb, last, ctx) is not None:
        return None
    best_x, best_v = V.logged_best(rb)
    score = negated(V)
    sign = -1 if score else 1
    name = V.name if V is ctx.val_loss else f"val {ctx.metric_name}"
    k = int(after.size)
    pct = f", {signed_pct(sign * (V.logged_last - best_v) / abs(best_v))}" if best_v else ""
    ev = turn_evidence(V, best_x, best_v, sign, k, t_on_v[rb], t_on_v[-1], noise=sigma, late_onset=True)
    msg = (f"{name} best {fv(sign * best_v)} at {V.axis} {fx(best_x)}, then worse at each of the {k} "
           f"{unit(V)}s after it (each beyond twice the {unit(V)}-to-{unit(V)} noise, {fv(sigma)}; "
           f"{fv(sign * V.logged_last)} at the last{pct}) while {T.name} fell to {fv(last_as_logged(ctx, T))}: "
           "a late rise, but one that held to the end")
    return finding("overfitting", "warning", msg, ctx, span=(best_x, V.x[-1]), evidence=ev)


def steady_climb(ctx: Context) -> Finding | None:
    """Overfitting as a climb: validation worse at each of ``climb_min_steps`` or more
    evaluations after its logged best, ending ``climb_frac_of_best`` of the best above it and
    beyond three noise scales, while the train loss fell at each of them. A smooth val curve
    that creeps up epoch after epoch rises less than the other kinds' size bars (a tenth of the
    drop or of the best) yet shows a turn that held: each step up is a witness, and k of them in
    a row come by chance 1 time in (k + 1)!. Runs of ``short_run`` evaluations or more (shorter
    ones are :func:`short_run_turn`'s). A finished run only."""
    V, T = val_curve(ctx), train_curve(ctx)
    if V is None or T is None or V.n < ctx.th.short_run:
        return None
    rb = int(np.argmin(V.y))
    after = V.n - 1 - rb
    if after < ctx.th.climb_min_steps or not bool(np.all(np.diff(V.y[rb:]) > 0)):
        return None
    best, last = float(V.y[rb]), float(V.y[-1])
    sigma = noise_after_best(V, rb, ctx, best)
    if last - best < max(ctx.th.climb_frac_of_best * abs(best), 3 * sigma):
        return None
    t_on_v = ctx.train_on(V.x)[rb:]
    if not fell_at_each(t_on_v):
        return None  # train did not keep improving at each of them: not memorising
    if not val_improved(V, ctx) or rise_at_a_train_spike(V, T, rb, last, ctx) is not None:
        return None
    best_x, best_v = V.logged_best(rb)
    sign = -1 if negated(V) else 1
    name = V.name if V is ctx.val_loss else f"val {ctx.metric_name}"
    pct = f", {signed_pct(sign * (V.logged_last - best_v) / abs(best_v))}" if best_v else ""
    ev = turn_evidence(V, best_x, best_v, sign, after, t_on_v[0], t_on_v[-1], noise=sigma, steady_climb=True)
    msg = (f"{name} best {fv(sign * best_v)} at {V.axis} {fx(best_x)}, then worse at each of the {after} "
           f"{unit(V)}s after it ({fv(sign * V.logged_last)} at the last{pct}; a climb that long comes by chance "
           f"1 time in {math.factorial(after + 1):,}) while {T.name} {train_fell(t_on_v, ctx, T)}: "
           "validation turned while training kept improving")
    return finding("overfitting", "warning", msg, ctx, span=(best_x, V.x[-1]), evidence=ev)


#: the share of the later points after the best that must sit two noise scales above it for a
#: long, noisy climb (see :func:`held_climb`): nearly all, where a rise that has held needs most
HELD_CLIMB_SHARE = 0.9
#: ... and the share of the run after the best, at least, for that climb to be a long one
HELD_CLIMB_RUN_SHARE = 0.15


def held_climb(ctx: Context) -> Finding | None:
    """Overfitting as a long climb through noise: from its (smoothed) best, validation trends up
    beyond noise to the end (``z_trend``) over at least ``HELD_CLIMB_RUN_SHARE`` of the run and
    ``2 * held_min_points`` evaluations, nearly all of its later half (``HELD_CLIMB_SHARE``)
    two noise scales above the best, the end ``climb_frac_of_best`` of the best and three noise
    scales above it, while the train loss fell beyond twice its noise over the same stretch. A
    ResNet's val loss 0.1408 after its last lr cut, then up to 0.159 over 73 of 300 epochs
    (+8%, at 7 noise scales) while train went 0.117 -> 0.083, had read healthy: under a tenth of
    the best or the drop, the size bars of a rise judged against noise alone, and not worse at
    each step, as :func:`steady_climb` asks. The trend and how long it held are the witnesses
    here. A finished run only."""
    V, T = val_curve(ctx), train_curve(ctx)
    if V is None or T is None or V.n < ctx.th.short_run:
        return None
    sv = V.smoothed()
    b = int(np.argmin(sv))
    after = V.n - 1 - b
    if after < max(2 * ctx.th.held_min_points, HELD_CLIMB_RUN_SHARE * V.n):
        return None
    vmin = float(sv[b])
    sigma = noise_after_best(V, b, ctx, vmin)
    held = float(np.mean(late_after_best(V, b) > vmin + 2 * sigma))
    _, z = stats.trend(V.x[b:], V.y[b:], sigma)  # against the stretch's own noise, as the rise is
    end = tail_level(V, 0.15)
    big_enough = end - vmin >= max(ctx.th.climb_frac_of_best * abs(vmin), 3 * sigma)
    if held < HELD_CLIMB_SHARE or z < ctx.th.z_trend or not big_enough:
        return None
    t_at_best = train_at(V, T, b)
    t_end = tail_level(T, 0.15)
    if not t_end < t_at_best - 2 * noise(T):
        return None  # train did not keep improving: not memorising
    if not val_improved(V, ctx) or rise_at_a_train_spike(V, T, b, end, ctx) is not None:
        return None
    best_x, best_v = V.logged_best(logged_min_near(V, b))
    sign = -1 if negated(V) else 1
    name = V.name if V is ctx.val_loss else f"val {ctx.metric_name}"
    pct = f", {signed_pct(sign * (V.logged_last - best_v) / abs(best_v))}" if best_v else ""
    share = (V.x[-1] - best_x) / max(V.x[-1] - V.x[0], 1e-12)
    later = logged_after(ctx, V, best_x)  # counted in the log's own points, as the message counts them
    ev = turn_evidence(V, best_x, best_v, sign, later, t_at_best, t_end, noise=sigma, trend_z=z,
                       share_of_late_points_above_best=held, share_after_best=share)
    msg = (f"{name} best {fv(sign * best_v)} at {V.axis} {fx(best_x)}, then climbing for the "
           f"{later} {unit(V)}s after it ({share:.0%} of the run; {fv(sign * V.logged_last)} at the last{pct}): "
           f"a trend up at z={z:.1f}, {held:.0%} of its later {unit(V)}s above the best beyond twice the "
           f"{unit(V)}-to-{unit(V)} noise ({fv(sigma)}), while {T.name} fell to {fv(last_as_logged(ctx, T))}")
    return finding("overfitting", "warning", msg, ctx, span=(best_x, V.x[-1]), evidence=ev)


#: a train loss at or below this share of its level at the first of the evaluations judged has
#: memorised its data: holding there is no stall (a log printing 4 decimals shows 0.0001 again)
MEMORISED_SHARE = 0.01


def fell_at_each(t: np.ndarray) -> bool:
    """The train loss fell at each of the evaluations ``t`` (its mean over each one's stretch),
    or held where it had memorised its data (``MEMORISED_SHARE`` of its first value: a BERT
    fine-tune's 0.0189, then 0.0001 at each of two more epochs), ending below its first."""
    d = np.diff(t)
    floor = MEMORISED_SHARE * abs(float(t[0]))
    return bool(np.all((d < 0) | ((d == 0) & (np.abs(t[1:]) <= floor)))) and float(t[-1]) < float(t[0])


def train_fell(t: np.ndarray, ctx: Context, T: Curve) -> str:
    """How the train loss went over the evaluations :func:`fell_at_each` passed, for a message."""
    last = fv(last_as_logged(ctx, T))
    if bool(np.all(np.diff(t) < 0)):
        return f"fell at each of them, to {last}"
    return f"fell to {last} and held there (memorised)"


def turn_evidence(V: Curve, best_x: float, best_v: float, sign: int, late_points: int, train_at_best: float,
                  train_last: float, **extra: object) -> dict[str, object]:
    """The evidence of an overfitting turn told by the order of its points (a late rise, a steady
    climb, a short run's turn): the best and the last as the log has them (a score negated back),
    the points after the best, and train at the best and at the end (three evaluations' turn too)."""
    ev: dict[str, object] = {"val_min": sign * best_v, "best_at": best_x, "val_last": sign * V.logged_last,
                             "late_points": late_points, "train_at_best": float(train_at_best),
                             "train_last": float(train_last), "axis": V.axis, **extra}
    if sign < 0:
        ev["higher_is_better"] = True
    return ev


def _held_and_worst_last(y: np.ndarray) -> bool:
    """A best followed by three or more evaluations, each above it, the last the worst of them:
    a turn that held to the end, though not one step after another (IMDB's RNN: 0.378 best,
    then 0.396, 0.417, 0.388, 0.496)."""
    after = y[1:]
    return after.size >= 3 and bool(np.all(after > y[0])) and float(after[-1]) > float(np.max(after[:-1]))


def learned_by_first_eval(V: Curve, ctx: Context) -> bool:
    """The model had learned before its first evaluation (a fine-tune's first epoch): its val
    accuracy got well clear of guessing, or its val loss began well below the learned-nothing
    level. A best there is a best like any other, not a validation set it never learned
    (KLUE-BERT: val loss 0.0746 at epoch 1 beside val accuracy 0.977, then 0.0915, 0.0766,
    0.1008, 0.1042)."""
    if V is not ctx.val_loss:
        return False
    return bool(accuracy_learned(ctx)) or (ctx.chance_loss is not None and float(V.y[0]) < 0.8 * ctx.chance_loss)


def short_run_turn(ctx: Context) -> Finding | None:
    """Overfitting in a run too short for a noise estimate (4 to ``short_run`` - 1 evaluations;
    a longer one is :func:`late_rise`'s, which can tell a turn from a noisy floor): validation
    improved to a best, then got worse at each of the two or more evaluations after it, ending
    ``healthy_end_worse`` of the best above it, while the train loss fell at each of them
    (SETI's fold: val 0.076, 0.0612, 0.0662, 0.0664, 0.0858, train 0.128 -> 0.030). The order
    is the witness a handful of points can give: a best followed by k points each worse than
    the last comes by chance 1 time in (k + 1)!, and the train loss falling through the same
    evaluations rules out a run that simply got worse. A finished run only: a live run's next
    evaluation may be its next best."""
    V, T = val_curve(ctx), train_curve(ctx)
    if V is None or T is None or not 4 <= V.n < ctx.th.short_run:
        return None
    rb = int(np.argmin(V.y))
    after = V.n - 1 - rb
    stepwise = bool(np.all(np.diff(V.y[rb:]) > 0))  # worse at each step, else held above the best
    if (rb < 1 and not learned_by_first_eval(V, ctx)) or after < 2 or not (stepwise or _held_and_worst_last(V.y[rb:])):
        return None
    best = float(V.y[rb])
    if float(V.y[-1]) - best < ctx.th.healthy_end_worse * abs(best):
        return None
    t_on_v = ctx.train_on(V.x)[rb:]  # each evaluation's own stretch of train points
    fell_each = fell_at_each(t_on_v)
    # or a val loss that at least doubled, stepwise, while train ended below where it was at the
    # best: a noisy train step on the way does not make a run that simply got worse (a malaria
    # CNN: val 0.182, 0.264, 0.790, 1.109 while train went 0.077, 0.094, 0.080, 0.058)
    doubled = stepwise and float(V.y[-1]) >= SHORT_TURN_DOUBLED * best > 0 and float(t_on_v[-1]) < float(t_on_v[0])
    if not (fell_each or doubled):
        return None  # train did not keep improving: not memorising
    if not val_improved(V, ctx) or rise_at_a_train_spike(V, T, rb, float(V.y[-1]), ctx) is not None:
        return None
    best_x, best_v = V.logged_best(rb)
    score = negated(V)
    sign = -1 if score else 1
    name = V.name if V is ctx.val_loss else f"val {ctx.metric_name}"
    later = ", ".join(fv(sign * float(v)) for v in V.y[rb + 1:-1])
    pct = f", {signed_pct(sign * (V.logged_last - best_v) / abs(best_v))}" if best_v else ""
    ev = turn_evidence(V, best_x, best_v, sign, after, t_on_v[0], t_on_v[-1], short_run_turn=True)
    how = "worse at each" if stepwise else "above it at each"
    last_is = "at the last" if stepwise else "at the last, the worst"
    msg = (f"{name} best {fv(sign * best_v)} at {V.axis} {fx(best_x)}, then {how} of the {after} "
           f"{unit(V)}s after it ({later}, {fv(sign * V.logged_last)} {last_is}{pct}) while {T.name} "
           + (train_fell(t_on_v, ctx, T) if fell_each else
              f"ended below its level at the best ({fv(float(t_on_v[0]))} -> {fv(float(t_on_v[-1]))})")
           + ": a short run, but validation turned while training kept improving")
    return finding("overfitting", "warning", msg, ctx, span=(best_x, V.x[-1]), evidence=ev)


def three_evaluation_turn(ctx: Context) -> Finding | None:
    """Overfitting in a run of three evaluations (a fine-tune's 3 epochs), too few for
    :func:`short_run_turn`'s order test: the last val loss is the worst of the three and
    ``healthy_end_worse`` or more above the best, while the train loss fell at each evaluation.
    The size of the rise against train's steady fall is the witness three points can give; two
    labellers apart called such runs overfitting (a BERT classifier: val 0.8079, 0.8074, 0.9018
    while train fell 0.83 -> 0.62; an AlphaZero net: val 1.967, 2.065, 2.075 while train fell
    1.73 -> 1.41), where the summary had only said "not healthy". A val loss only: a three-point
    score moves by its rounding. A finished run only."""
    V, T = ctx.val_loss, train_curve(ctx)
    if V is None or T is None or V.n != 3 or isinstance(ctx.history.meta.get("restored_best"), dict):
        return None
    y = V.y
    rb = int(np.argmin(y[:-1]))
    best, last = float(y[rb]), float(y[-1])
    if not (last > float(np.max(y[:-1])) and last - best >= ctx.th.healthy_end_worse * abs(best)):
        return None
    t_on_v = ctx.train_on(V.x)
    if not fell_at_each(t_on_v):
        return None  # train did not keep improving at each evaluation: not memorising
    if rise_at_a_train_spike(V, T, rb, last, ctx) is not None:
        return None
    best_x, best_v = V.logged_best(rb)
    pct = f", {signed_pct((V.logged_last - best_v) / abs(best_v))}" if best_v else ""
    ev = turn_evidence(V, best_x, best_v, 1, V.n - 1 - rb, t_on_v[rb], t_on_v[-1], three_evaluation_turn=True)
    msg = (f"{V.name} best {fv(best_v)} at {V.axis} {fx(best_x)}, then {fv(V.logged_last)} at the last{pct}, "
           f"the worst of its 3 {unit(V)}s, while {T.name} {train_fell(t_on_v, ctx, T)}: few evaluations, but "
           "validation turned while training kept improving")
    return finding("overfitting", "warning", msg, ctx, span=(best_x, V.x[-1]), evidence=ev)


def rise_at_a_train_spike(V: Curve, T: Curve, b: int, end: float, ctx: Context) -> dict[str, float] | None:
    """The train loss spike that the val rise after the best (index ``b``) started at, or None.

    Overfitting is a slow parting: val drifts up while train keeps improving. A step too large
    for the loss surface shows otherwise: train jumps to many times its recent level for an
    evaluation or two, and val, near its best until then, sits higher from that moment on
    (LABELS.md: lr_too_high, "a fast first drop, then noisy or rising loss at a level it should
    beat"). The spike: a train point at least ``spike_ratio`` times the median of the points
    before it and beyond ``spike_sigmas`` of train's noise; val counts from one train point
    before it (a blow-up late in an epoch shows in that epoch's evaluation, and in the next
    epoch's train mean)."""
    tx, ty = T.x, T.y
    vmin = float(V.smoothed()[b])
    rise = end - vmin
    if rise <= 0 or tx.size < 4:
        return None
    best: dict[str, float] | None = None
    for k, prior in jumps_over_recent(T, ctx.th.spike_ratio, ctx.th.spike_sigmas, first=3):
        if tx[k] <= V.x[b]:
            continue
        cut = tx[k - 1]
        before = V.y[(V.x >= V.x[b]) & (V.x < cut)]
        after = V.y[V.x >= cut]
        if before.size < 2 or after.size < 3:
            continue
        # no rise of its own before the spike (its later half still at the best), up at once
        # after it (the first few evaluations), and most of the rise from it on
        held_before = float(np.median(before[before.size // 2:])) - vmin
        up_at_once = float(np.median(after[:5])) - vmin
        if held_before <= min(0.25 * rise, 2 * noise(V)) and up_at_once >= 0.5 * rise \
                and float(np.median(after)) - vmin >= 0.7 * rise:
            if best is None or ty[k] / prior > best["spike_ratio"]:
                best = {"spike_at": float(tx[k]), "spike": float(ty[k]), "spike_ratio": float(ty[k] / prior),
                        "val_best": float(np.min(V.y[b:])), "val_after": float(np.median(after))}
    return best


def noise_after_best(V: Curve, b: int, ctx: Context, level: float) -> float:
    """The noise a rise after the best (index ``b``) is judged against: the curve's own, or the
    stretch's from the best on when that is smooth and quieter (a steep, curved descent before
    the best inflates the whole curve's second differences and would hide a steady rise after
    it; "smooth": its noise under ``smooth_rel_noise`` of the best ``level``). Overfitting and
    the keep advice judge with it, so they never disagree."""
    sigma = noise(V)
    after_best = V.y[b:]
    if after_best.size >= 6:
        own = stats.noise_scale(after_best)
        if 0 < own < ctx.th.smooth_rel_noise * abs(level):
            sigma = min(sigma, own)
    return max(sigma, 1e-12)


def held_mean_shift(V: Curve, b: int, ctx: Context, vdrop: float, vmin: float) -> dict[str, float] | None:
    """A long, noisy curve that settled at a worse level after its best (index ``b``): the mean
    of the later half of the stretch after the best against the mean of the points around the
    best, in standard errors of their difference. No single point of a curve that scatters
    by 2 points of accuracy rises three noise scales above its best, but 45 of them averaging
    3.5 points below it do. The best is the lowest of the run's m windows, so the shift must be
    beyond ``shift_z`` after a Bonferroni correction for m (3.6 for 9 windows). The noise is the
    larger of the curve's point-to-point noise and the late points' spread (a slow wander
    correlates neighbours, and their means then vary more than the point-to-point noise says).
    The shift must also matter, as a rise does (``rise_frac_of_drop`` or ``rise_frac_of_best``).
    Its evidence (the means as the curve holds them: a score negated), or None."""
    late = late_after_best(V, b)
    if late.size < ctx.th.shift_min_points:
        return None
    w = max(2, round(V.n / 20))
    near = V.y[max(0, b - w): b + w + 1]
    sigma = max(noise(V), float(np.std(late)))
    if sigma <= 0:
        return None
    late_mean, near_mean = float(np.mean(late)), float(np.mean(near))
    shift = late_mean - near_mean
    z = shift / (sigma * math.sqrt(1 / near.size + 1 / late.size))
    # the best's window is the lowest of about n / its width: the chance that one of them
    # sits this far below the rest is that many times one window's (Bonferroni)
    windows = max(V.n / near.size, 1.0)
    gauss = NormalDist()
    if z < gauss.inv_cdf(1 - (1 - gauss.cdf(ctx.th.shift_z)) / windows):
        return None
    if shift < ctx.th.rise_frac_of_drop * vdrop and shift < ctx.th.rise_frac_of_best * abs(vmin):
        return None
    return {"late_mean": late_mean, "late_points": int(late.size), "best_mean": near_mean,
            "best_points": int(near.size), "shift": shift, "shift_z": z}


def level_shift_p(V: Curve, ctx: Context) -> float | None:
    """A short curve that settled at a higher level after its best: every evaluation after the
    logged best is worse than every one up to and including it, by a share of the best that
    matters. Its chance under no change (all orders alike) is 1 / C(n, after); the p-value, or
    None when the pattern does not hold or could easily be chance. A handful of evaluations
    gives no noise estimate to judge a rise against (a step up reads as noise), but the order
    does: 3 evals at 0.16-0.18, then 7 at 0.18-0.24 is 1 in 120."""
    if V.n > ctx.th.short_shift_points:
        return None
    rb = int(np.argmin(V.y))
    before, after = V.y[: rb + 1], V.y[rb + 1:]
    if after.size < 5 or rb < 1 or float(np.min(after)) <= float(np.max(before)):
        return None
    if float(np.median(after)) - float(V.y[rb]) < ctx.th.rise_frac_of_best * abs(float(V.y[rb])):
        return None
    p = 1.0 / math.comb(V.n, after.size)
    return p if p < 0.01 else None

def gap_widening(ctx: Context, V: Curve, T: Curve, b: int) -> Finding | None:
    """Overfitting without a clear rise after the best: the gap that widened since val went
    flat, else a gap too wide to be healthy. Both judge a val and a train loss, neither a
    curve at its best at the last evaluation ("has not improved since" would be false), and
    both leave a val curve jumping by a good share of its level to ``oscillating``. With no val
    loss logged, a score logged for both splits is judged instead (:func:`score_gap_widening`)."""
    if ctx.val_loss is None and V.n >= 8 and V.best_index() < V.n - 1:
        return score_gap_widening(ctx, V)
    if V is not ctx.val_loss or T is not ctx.loss or V.n < 8 or V.best_index() == V.n - 1:
        return None
    if 0 <= tail_level(V, 0.15) <= ctx.th.overfit_negligible_val * head_level(V):
        return None  # val went nearly to zero: what is left of the gap is not worth acting on
    if V.sigma > ctx.th.oscillation_roughness * 2 * abs(tail_level(V, 0.15)) and oscillating(ctx) is not None:
        return None  # oscillation speaks
    return _gap_widening(ctx, V, T, b) or wide_gap(ctx, V, T)


def flat_stretch(V: Curve, sv: np.ndarray, b: int, ctx: Context) -> tuple[int, float, float, float]:
    """Where the flat stretch before the smoothed best ``sv[b]`` begins, for the gap kinds of
    overfitting: on a jumpy curve the smoothed minimum lands late, where the gap is already
    wide, so the stretch is judged from where val first came within its noise of that best, or
    within ``overfit_flat_gain_share`` of all it gained (a last tiny new low does not restart
    it). Returns (its index, the share of the run after it, that tolerance, all val gained)."""
    gained = val_gain(V)[2]  # all val ever gained from its start
    tol = max(noise(V), ctx.th.overfit_flat_gain_share * max(gained, 0.0))
    start = int(np.argmax(sv[: b + 1] <= sv[b] + tol))
    share_after = (V.x[-1] - V.x[start]) / max(V.x[-1] - V.x[0], 1e-12)
    return start, share_after, tol, gained


def score_gap_widening(ctx: Context, V: Curve) -> Finding | None:
    """The gap-widening kind judged on a score logged for both splits where no val loss is
    (accuracy, AUC, F1 as fractions): the val score has found no new high beyond its noise for
    ``overfit_flat_share`` of the run or more since it came within its noise (or a small share
    of all it gained) of its best, while the train score kept rising beyond its noise over the
    same stretch, and the gap between them grew (``overfit_gap_growth``, beyond twice the noise)
    to a wide one: the train error at most ``overfit_gap_ratio`` of the val error. A spiking
    net's val accuracy at 0.22-0.26 for ten epochs after its best 0.271 while train accuracy
    climbed 0.31 -> 0.44 had read healthy, since only a val loss was judged this way.
    (Preconditions: :func:`gap_widening`; ``V`` is the val score kept negated.)"""
    A, M = ctx.val_metric, ctx.metric
    if A is None or M is None or M.n < 3 or not negated(V):
        return None
    if min(float(np.min(A.y)), float(np.min(M.y))) < 0.0 or max(float(np.max(A.y)), float(np.max(M.y))) > 1.0:
        return None  # a score as a fraction: its error is what it has left to gain
    sv = V.smoothed()
    top = int(np.argmin(sv))
    b, share_after, _, gained = flat_stretch(V, sv, top, ctx)
    if share_after < ctx.th.overfit_flat_share or V.n - 1 - b < ctx.th.held_min_points:
        return None
    _, vz = stats.trend(V.x[b:], V.y[b:], V.sigma)
    if vz < -ctx.th.z_trend or float(np.min(V.y[top + 1:], initial=np.inf)) < float(sv[top]) - 2 * noise(V):
        return None  # validation still improving, or a new high beyond its noise after all
    Tn = lower_better(M)
    t_on_v = np.interp(V.x, Tn.x, Tn.y)
    _, tz = stats.trend(V.x[b:], t_on_v[b:], max(Tn.sigma, 1e-12))
    if tz > -ctx.th.z_trend:
        return None  # train is not rising either: nothing is being memorised
    train_end = float(np.median(t_on_v[-max(2, V.n // 7):]))
    val_err_end, train_err_end = 1.0 + tail_level(V, 0.15), 1.0 + train_end
    gap_start = float(sv[b] - t_on_v[b])  # negated scores: the val error less the train error
    gap_end = val_err_end - train_err_end
    # wide: the train error a share of the val error, or (a hard task's errors stay close in
    # ratio however far they part) the gap wider than all the val score ever gained
    beyond_val_gain = gained > 2 * noise(V) and gap_end > gained
    if gap_end <= 0 or (train_err_end > ctx.th.overfit_gap_ratio * val_err_end and not beyond_val_gain):
        return None
    if gap_end - gap_start < 2 * noise(V) or gap_end < ctx.th.overfit_gap_growth * max(gap_start, 0.0):
        return None
    if not val_improved(V, ctx):
        return None
    rb = b + int(np.argmin(V.y[b:]))
    best_x, best_v = V.logged_best(rb)
    name = f"val {ctx.metric_name}"
    ev = {"val_best": -best_v, "best_at": best_x, "val_last": -V.logged_last, "flat_since": float(V.x[b]),
          "train_at_start": -float(t_on_v[b]), "train_last": -train_end,
          "gap_at_start": gap_start, "gap_last": gap_end, "share_after_best": share_after,
          "higher_is_better": True, "axis": V.axis}
    msg = (f"{name} has found no new high beyond its noise since {V.axis} {fx(V.x[b])} (best {fv(-best_v)} at "
           f"{V.axis} {fx(best_x)}, {fv(-V.logged_last)} at the last) while {ctx.metric_name} kept rising "
           f"{fv(-float(t_on_v[b]))} -> {fv(float(M.logged_last))}: the train/val gap grew from {fv(gap_start)} to "
           f"{fv(gap_end)} over the last {share_after:.0%} of the run")
    return finding("overfitting", "warning", msg, ctx, span=(V.x[b], V.x[-1]), evidence=ev)


def wide_gap(ctx: Context, V: Curve, T: Curve) -> Finding | None:
    """A gap too wide to be a healthy run's: over the last third of the run validation no
    longer improves beyond its noise while the train loss sits at a small fraction of it (train
    at most ``overfit_wide_ratio`` of val). A converged run with a small, stable gap is healthy;
    one whose train loss went to a tenth of val has memorised its training set, whatever the
    slope of a noisy val curve, and when or whether it widened. (Preconditions: :func:`gap_widening`.)"""
    tail = V.x >= V.x[0] + (V.x[-1] - V.x[0]) * (2.0 / 3.0)
    if int(np.sum(tail)) < 3:
        return None
    _, vz = stats.trend(V.x[tail], V.y[tail], V.sigma)
    t_on_v = ctx.train_on(V.x)
    v_end, t_end = tail_level(V, 0.15), float(np.median(t_on_v[-max(2, V.n // 7):]))
    stalled = None
    before = float(np.min(V.smoothed()[~tail]))
    # (or a level far below any it held before, reached in a step rather than a trend: val at
    # 0.198 for epochs 11-14, then 0.163 to 0.155 for the last six)
    if (vz < -ctx.th.z_trend and v_end < before - noise(V)) or v_end < before - ctx.th.rise_sigmas * noise(V):
        # validation still improving over the last third, to levels it never had: unless what
        # it gets right stopped improving long ago, far below what it gets right in training
        # (the val loss creeping down is confidence on the answers it already had)
        stalled = stalled_val_accuracy(ctx)
        if stalled is None:
            return None
    elif val_accuracy_new_high(ctx, CLIMB_SHARE):
        return None  # what it gets right on unseen data still grows: the loss gap is over-confidence
    # (falling back from a bump only to the level it held before the last third is no progress)
    if v_end <= 0 or t_end <= 0:
        return None
    ratio = t_end / v_end
    if no_loss_scale(ctx):
        ratio = math.sqrt(ratio)  # a regression's squared error: compare the errors, not their squares
    if ratio > ctx.th.overfit_wide_ratio:
        return None
    if not val_improved(V, ctx):
        return None
    acc_gap = _val_minus_train_accuracy(ctx)
    if acc_gap is not None and -acc_gap < ctx.th.overfit_wide_acc_gap:
        return None  # the accuracies are close: the loss gap is over-confidence, not memorising
    best_x, best_v = V.logged_best(int(np.argmin(V.y)))
    # no better since the best when it came before the last third (a bump in between and back
    # is no progress), else since the last third began
    flat_since = min(float(V.x[int(np.argmax(tail))]), float(best_x))
    ev = {"val_min": best_v, "best_at": best_x, "val_last": v_end, "train_last": t_end,
          "train_over_val": t_end / v_end, "flat_since": flat_since, "axis": V.axis}
    if ratio != t_end / v_end:
        ev["error_ratio"] = ratio  # the square root of the squared errors' ratio
    acc = ""
    if acc_gap is not None:
        ev["val_minus_train_accuracy"] = acc_gap
        acc = f"; val accuracy is {-acc_gap:.3f} below train"
    if stalled is not None:
        ev.update(stalled)
        flat_since = ev["flat_since"] = stalled["val_accuracy_best_at"]
        msg = (f"{T.name} is down to {fv(t_end)} while {V.name} sits at {fv(v_end)} ({v_end / max(t_end, 1e-12):.0f}x); "
               f"{V.name} still creeps down, but {ctx.val_metric.name} found no new high beyond its noise over the last "
               f"third of the run (best {fv(stalled['val_accuracy_best'])} at {V.axis} {fx(stalled['val_accuracy_best_at'])}, "
               f"{fv(stalled['val_accuracy_last'])} at the last) while {ctx.metric.name} reached "
               f"{fv(stalled['train_accuracy_last'])}: it fits its training data far better than unseen data")
        return finding("overfitting", "warning", msg, ctx, span=(flat_since, V.x[-1]), evidence=ev)
    msg = (f"{T.name} is down to {fv(t_end)} while {V.name} sits at {fv(v_end)} ({v_end / max(t_end, 1e-12):.0f}x) and "
           f"found no new low beyond its noise over the last third of the run (best {fv(best_v)} at "
           f"{V.axis} {fx(best_x)}){acc}: it fits its training data far better than unseen data")
    return finding("overfitting", "warning", msg, ctx, span=(flat_since, V.x[-1]), evidence=ev)


def other_unit(first_ratio: float, late_ratio: float, ctx: Context) -> bool:
    """The val loss is a small fixed share of the train loss from the first evaluation to the
    last (val/train at most ``suspicious_other_unit_ratio`` at the first, and within 1.5x of
    that late): the two are in different units, a sum over a few dozen batches against a mean
    (25.79 = 16 x ln 5 beside val's 1.61 = ln 5 at epoch 0, 21.5 beside 1.33 at epoch 100). A
    model near its start scores alike on both splits; a validation set that is easier, or
    leaked, shows as the run goes, not as a constant factor from the first evaluation."""
    if not (math.isfinite(first_ratio) and math.isfinite(late_ratio)) or first_ratio <= 0:
        return False
    return first_ratio <= ctx.th.suspicious_other_unit_ratio and 1 / 1.5 <= late_ratio / first_ratio <= 1.5


#: the share of all a val accuracy ever gained that its new high in the run's last third must
#: add for the accuracy to be still climbing (a score that levelled off long ago creeps up
#: through its noise over a long stretch: 0.80 -> 0.84 over 119 epochs after a climb from 0.1)
CLIMB_SHARE = 0.2


def val_accuracy_new_high(ctx: Context, share: float = 0.0) -> bool | None:
    """Whether the val accuracy found a new high beyond its noise over the last third of the
    run, by ``share`` or more of all it gained; None without a val accuracy of 6 evaluations or
    more, 3 of them in that third."""
    A = ctx.val_metric
    if ctx.metric_name != "accuracy" or A is None or A.n < 6:
        return None
    tail = A.x >= A.x[0] + (A.x[-1] - A.x[0]) * (2.0 / 3.0)
    if int(np.sum(tail)) < 3 or int(np.sum(~tail)) < 3:
        return None
    new_high = float(np.max(A.y[tail])) - float(np.max(A.y[~tail]))
    return new_high > noise(A) and new_high >= share * (float(np.max(A.y)) - float(A.y[0]))


def stalled_val_accuracy(ctx: Context) -> dict[str, float] | None:
    """The val accuracy found no new high beyond its noise over the last third of the run, and
    ends ``overfit_stalled_acc_gap`` or more below the train accuracy: what the model gets right
    on unseen data stopped growing while it learned its training set (a car classifier at 0.999
    train, 0.56 val from a third of the way in). None otherwise, or without both accuracies."""
    A = ctx.val_metric
    if ctx.metric is None or ctx.metric.n < 3 or val_accuracy_new_high(ctx) is not False:
        return None
    val_last, train_last = tail_level(A, 0.15), tail_level(ctx.metric, 0.15)
    if train_last - val_last < ctx.th.overfit_stalled_acc_gap:
        return None
    b = int(np.argmax(A.y))
    return {"val_accuracy_best": float(A.y[b]), "val_accuracy_best_at": float(A.x[b]),
            "val_accuracy_last": float(A.y[-1]), "train_accuracy_last": float(ctx.metric.y[-1])}


def _gap_widening(ctx: Context, V: Curve, T: Curve, b: int) -> Finding | None:
    """The other kind of overfitting: validation flat or creeping up for a long stretch after
    its best while training keeps falling far below it (the gap widens, no clear rise).
    (Preconditions: :func:`gap_widening`.)"""
    sv = V.smoothed()
    b, share_after, tol, gained = flat_stretch(V, sv, b, ctx)
    if share_after < ctx.th.overfit_flat_share:
        return None
    _, vz = stats.trend(V.x[b:], V.y[b:], V.sigma)
    if vz < -ctx.th.z_trend:
        return None  # validation still improving after all
    t_on_v = ctx.train_on(V.x)
    v_end, t_end = tail_level(V, 0.15), float(np.median(t_on_v[-max(2, V.n // 7):]))
    gap_best = float(sv[b] - t_on_v[b])
    gap_end = v_end - t_end
    # val creeping up since the stretch began while train falls: the curves move apart, and
    # the gap need not be wide or have doubled (a gap that only stayed put is no witness)
    low = float(np.min(sv[b:]))
    creeping = vz >= ctx.th.overfit_creep_z and v_end - low >= ctx.th.overfit_creep_rise * abs(low)
    ratio = ctx.th.overfit_creep_ratio if creeping else ctx.th.overfit_gap_ratio
    # a loss with a high floor (a language model's 3.1 nats, a hard task's 2.0) keeps train near
    # val in ratio however far they part: the gap then counts as wide once it exceeds all that
    # val ever gained from its start (train has moved further from val than val moved at all)
    # (a gain beyond val's noise: one within it makes any gap "more than val gained")
    beyond_val_gain = gained > 2 * noise(V) and gap_end > gained
    narrow = t_end > ratio * v_end  # train still close to val in ratio
    if (narrow and not beyond_val_gain) or gap_end <= 0:
        return None
    if gap_end - gap_best < 2 * noise(V) or (
            not creeping and gap_end < ctx.th.overfit_gap_growth * max(gap_best, 0.0)):
        return None
    _, tz = stats.trend(V.x[b:], t_on_v[b:], max(T.sigma, 1e-12))
    if tz > -ctx.th.z_trend:
        return None  # train is not falling either: nothing is being memorised
    if not val_improved(V, ctx):
        return None
    # the logged best of the flat stretch (a jumpy curve can dip below its level after the
    # stretch began): the numbers quoted and the epoch to stop at are the log's own
    rb = b + int(np.argmin(V.y[b:]))
    best_x, best_v = V.logged_best(rb)
    ev = {"val_min": best_v, "best_at": best_x, "val_last": v_end,
          "train_at_best": float(t_on_v[rb]), "flat_since": float(V.x[b]), "level_at_start": float(sv[b]),
          "train_at_start": float(t_on_v[b]), "train_last": t_end, "gap_at_best": gap_best, "gap_last": gap_end,
          "share_after_best": share_after, "axis": V.axis}
    if creeping:
        since = f"has crept up since its lowest, {fv(best_v)} at {V.axis} {fx(best_x)} ({fv(V.logged_last)} at the last),"
    elif rb == b or V.y[rb] >= sv[b] - noise(V) / 2:
        since = f"has not improved since {V.axis} {fx(best_x)} ({fv(best_v)}, {fv(V.logged_last)} at the last)"
    else:  # dips below the level lie within the curve's noise, or within a sliver of its gain
        within = (f"stayed within its noise ({fv(noise(V))} from {unit(V)} to {unit(V)})" if tol <= noise(V) else
                  f"stayed within {fv(tol)} of its smoothed best ({ctx.th.overfit_flat_gain_share:.0%} of the "
                  f"{fv(gained)} it gained)")
        since = (f"has {within} since {V.axis} "
                 f"{fx(V.x[b])} ({fv(float(V.y[b]))} then; its lowest {fv(best_v)} at {V.axis} "
                 f"{fx(best_x)}, {fv(V.logged_last)} at the last)")
    wider = ""
    if narrow:  # wide by val's own gain, not by the ratio
        ev["val_gain_from_start"] = gained
        wider = f", more than val gained from its start ({fv(gained)})"
    msg = (f"{V.name} {since} while {T.name} kept falling {fv(float(t_on_v[b]))} -> {fv(last_as_logged(ctx, T))}: the train/val "
           f"gap grew from {fv(gap_best)} to {fv(gap_end)} over the last {share_after:.0%} of the run{wider}")
    return finding("overfitting", "warning", msg, ctx, span=(V.x[b], V.x[-1]), evidence=ev)

@rule("curves")
def val_not_improving(ctx: Context) -> Finding | None:
    V = val_curve(ctx)
    T = train_curve(ctx)
    if V is None or T is None or V.n < 4 or T.n < 4:
        return None
    if ctx.history.meta.get("aligned_to_evaluations") and T.n >= 5:
        # a step log's train loss averaged between evaluations: its first point holds every step
        # before the first evaluation (18.8 -> 7.4 in 90 steps, then flat): what fell before val
        # was first measured is no fall that val failed to follow
        T = Curve(T.name, T.raw_name, T.x[1:], T.y[1:], T.sigma, T.n_raw, T.axis, T.higher_better)
    t_drop = drop(T)
    # the fall is a difference of smoothed levels, each a mean over a window: its noise is the
    # point-to-point noise over sqrt(window), not the noise of one noisy last-batch value
    window = max(1, min(T.n // 5, 9))
    # beside a validation that held one level at every evaluation, a smaller fall of train's is
    # one that never reached validation (a boosting run's train l2 down 7.8% while
    # its val l2 held 0.001883-0.001887 for 77 rounds)
    share = ctx.th.frozen_val_train_fall if validation_frozen(ctx) else 0.1
    if t_drop < max(5 * noise(T) / math.sqrt(window), share * abs(head_level(T))):
        return None  # train did not fall either
    st = stuck_val_accuracy(ctx)
    if st is not None and st["train_learned"]:
        # what it gets right on validation never moved off one class's share while it learned
        # the training set: its val loss may fall (more confident in that one answer), its
        # val accuracy says validation never improved
        rose = f"{ctx.metric.name} rose to {st['train_accuracy']:.3f} and " if "train_accuracy" in st else ""
        msg = (f"{st['what']} while {rose}{T.name} fell {fv(first_as_logged(ctx, T))} -> {fv(last_as_logged(ctx, T))}: every "
               f"validation example gets the same class; what it learns from the training set does not carry "
               f"to the validation data")
        ev = {k: v for k, v in st.items() if k not in ("train_learned", "what")}
        return finding("val_not_improving", "warning", msg, ctx, span=(V.x[0], V.x[-1]), evidence=ev)
    v0, vbest, v_gain = val_gain(V)
    if val_improved(V, ctx):  # (which counts the selection metric improving)
        return None
    slope, z = stats.trend(V.x, V.y, V.sigma)
    if z < -ctx.th.z_trend and (v_gain >= ctx.th.still_improving_min_rel * abs(v0) or still_moving(V, ctx)):
        # a fall that matters, or one still going at the end by an amount that matters; 1% on a
        # smooth curve that has stopped (or 0.25% over its last 14 epochs) is significant
        # against its tiny noise, but no gain
        return None
    rising = tail_level(V, 0.15) - v0 > max(ctx.th.rise_sigmas * noise(V), 0.1 * abs(v0))
    vbest = min(float(np.min(V.y)), vbest)  # show the logged best; the test used a smoothed one
    ev = {"val_start": v0, "val_best": vbest, "val_gain": v_gain, "train_start": head_level(T),
          "train_end": tail_level(T, 0.15), "train_drop": t_drop, "val_trend_z": z}
    ev["val_end"] = tail_level(V, 0.15)
    score = negated(V)  # a score is kept negated on the curve; quoted as logged
    after = (f"; it ends at {fv(shown(V, ev['val_end']))}, {'lower' if score else 'higher'} than it started: the "
             "model memorises the training set from the first epoch, or val comes from another distribution") \
        if rising else ""
    # the best can lie beyond the noise of a smooth curve and still be no real gain (1% of 1.9)
    how = "beyond noise" if v0 - vbest <= 2 * noise(V) or v0 == 0 else \
        f"by more than {(v0 - vbest) / abs(v0):.1%} of where it started"
    if score:
        ev.update(val_start=-v0, val_best=-vbest, val_end=-ev["val_end"], higher_is_better=True)
    msg = (f"{T.name} fell {fv(first_as_logged(ctx, T))} -> {fv(last_as_logged(ctx, T))} while {V.name} never improved "
           f"{how} (start {fv(shown(V, v0))}, best {fv(shown(V, vbest))}, noise {fv(V.sigma)}){after}")
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
    # (a train loss lower at each of its last three points is not flat, whatever a blip earlier
    # did to the noise of a short curve: 0.827, 0.928, 0.575, 0.529, 0.476)
    last = T.y[-3:]
    v_improving_t_flat = vz < -ctx.th.z_trend and abs(tz) < 1.0 and drop(T) < 3 * noise(T) \
        and not (last.size == 3 and bool(np.all(np.diff(last) < 0)))
    # the gap must also matter on the loss's own scale: 0.02 vs 0.05 near zero is no leak
    scale = ctx.chance_loss or abs(head_level(T)) or 1.0
    gap_share = float(np.median((t_on_v - V.y)[-half:])) / scale
    # a val accuracy below train's says validation is no better, whatever the losses say: the
    # losses differ in scale (sums over batches of unequal count, label smoothing or a penalty
    # in the train loss), not in how well the model does
    acc_gap = _val_minus_train_accuracy(ctx)
    if other_unit(float(ratio[0]), late_med, ctx) and (acc_gap is None or acc_gap <= 0.01):
        return None  # (unless the accuracies, which have no unit, say validation scores better)
    finite = ratio[np.isfinite(ratio)]
    if finite.size and bool(np.all(finite < 0)) and (acc_gap is None or acc_gap <= 0.01):
        return None  # opposite signs at every evaluation (a val loss of -4.1 beside a train
        # loss of 11.8): two different quantities, whose levels say nothing about a leak
    far_below = late_med < 1 - allowed and np.all(late < 1) and gap_share >= ctx.th.suspicious_gap_of_scale \
        and not (acc_gap is not None and acc_gap < -0.01)  # below train's beyond rounding
    # a smaller gap that never closes counts when accuracy tells the same story: validation
    # scores clearly *better* than training, which dropout's handicap on train rarely explains
    always_below = float(np.mean(V.y < t_on_v))
    steady_below = (always_below >= ctx.th.suspicious_always_below
                    and late_med < ctx.th.suspicious_steady_ratio - 0.5 * (dp or 0.0)
                    and gap_share >= 1.5 * ctx.th.suspicious_gap_of_scale
                    and (acc_gap is None or acc_gap >= ctx.th.suspicious_acc_gap))
    harder = harder_train_targets(ctx) if far_below or steady_below else None
    if harder:
        # LABELS.md: beyond what augmentation explains; these settings are that augmentation
        ctx.facts["val_below_train_by_design"] = harder
        return None
    if far_below or steady_below:
        ev = {"val_over_train_late": late_med, "val_last": V.last, "train_last": float(t_on_v[-1]),
              "gap_over_scale": gap_share, "share_of_evals_val_below": always_below,
              "dropout": dp if dp is not None else "unknown"}
        acc_text = ""
        if acc_gap is not None:
            ev["val_minus_train_accuracy"] = acc_gap
            acc_text = f", and val accuracy is {acc_gap:+.3f} above train"
        fall = _late_fall(t_on_v[-half:])
        # a train loss still far from where it settles: whether val stays below it is not known
        # yet (LABELS.md: beyond what an epoch-averaged train loss explains), so a remark
        unsettled = fall is not None and fall >= ctx.th.suspicious_unsettled_fall
        if unsettled:
            ev["train_fall_late"] = fall
        verdict = (f"; train still fell {fall:.0%} over those {unit(V)}s, so the gap is not settled yet: "
                   "look again once train levels off") if unsettled else \
            ", more than dropout or regularization explains"
        msg = (f"{V.name} stays below {T.name} on {always_below:.0%} of {unit(V)}s ({late_med:.2f}x over "
               f"the last {half}; val {fv(V.last)} vs train {fv(float(t_on_v[-1]))}{acc_text}){verdict}")
        return finding("suspicious_validation", "info" if unsettled else "warning", msg, ctx,
                       span=(V.x[-half], V.x[-1]), evidence=ev)
    if v_improving_t_flat:
        ev = {"val_trend_z": vz, "train_trend_z": tz}
        msg = f"{V.name} keeps improving (trend z={vz:.1f}) while {T.name} is flat (z={tz:.1f})"
        return finding("suspicious_validation", "warning", msg, ctx, span=(V.x[0], V.x[-1]), evidence=ev)
    early = ratio[: max(1, min(3, V.n // 3))]
    if np.nanmedian(early) < 0.9 and late_med >= 1 - allowed:
        ctx.facts["val_below_train_early"] = True
    return None

def _late_fall(train: np.ndarray) -> float | None:
    """How far the train loss fell over a window, as a share of where it ends (the medians of the
    window's first and last thirds, so one noisy logging point does not decide)."""
    k = max(1, len(train) // 3)
    start, end = float(np.nanmedian(train[:k])), float(np.nanmedian(train[-k:]))
    if not (np.isfinite(start) and np.isfinite(end)) or end <= 0:
        return None
    return (start - end) / end


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
