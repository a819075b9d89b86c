"""The learning rate read off the curves: lr_too_high and lr_too_low."""

from __future__ import annotations

import math

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, head_level, rule, tail_level
from fitdoctor.diagnose.chance import accuracy_curve, clear_of_guessing
from fitdoctor.diagnose.curves.messages import finding, first_as_logged, fv, fx, last_as_logged, negated, shown, unit
from fitdoctor.diagnose.curves.shape import (at_epoch_cadence, batches_inside_epochs, best_before_tail, cut_short, half_slopes,
                                             jumps_over_recent, no_loss_scale, noise, percent_scale, sparse_train,
                                             tail_trend, train_curve, val_curve)
from fitdoctor.findings import Finding


@rule("curves")
def lr_too_high(ctx: Context) -> Finding | None:
    T = train_curve(ctx)
    # batch losses inside epochs are judged at the epoch cadence, where minibatch noise averages
    # out; a run of too few epochs for that has no jumps to judge (see ``calm``)
    batches = T is not None and batches_inside_epochs(T)
    if batches and (per_epoch := at_epoch_cadence(T)) is not None:
        T, batches = per_epoch, False
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
    # the level a swing is judged against: where the loss ends, but never below a small share
    # of where it started (a loss that fell 0.35 -> 0.0004 and wobbles by 0.0003 has settled:
    # at that level a log's own rounding is a quarter of the value)
    level = max(abs(end), ctx.th.lr_high_level_floor * abs(start))
    # a jumpy train loss is minibatch noise, not a step too big to settle, when validation keeps
    # getting better to the end (a loop printing the last batch's loss beside a full evaluation)
    calm = not sparse_train(ctx, T) and not val_settling(ctx) and not batches
    wild = noise(T) > ctx.th.lr_high_wild_noise * level and flips >= 0.45 and calm
    jumps = train_jumps(T, ctx) if calm else []
    spiky = len(jumps) >= ctx.th.lr_high_spike_events
    if total <= 3 * noise(T) and not (wild or spiky):
        return None
    if total < ctx.th.healthy_min_fall * abs(start) and not (wild or spiky):
        return None  # no fall worth the name to have been fast: a loss that moved 0.2% learned
        # nothing it could lose again (a BERT fine-tune at its label prior, 0.1417 -> 0.1414 -> 0.1417)
    if b > 0.6 * (T.n - 1) and not (wild or spiky):
        return None
    # fast early drop: most of the progress in the first fifth
    k = max(1, int(math.ceil(0.2 * T.n)))
    # (a jump inside the first fifth lifts its smoothed minimum: judge a spiky run's fall raw)
    early_low = float(np.min((T.y if spiky else s)[: k + 1]))
    early_share = min((start - early_low) / total, 1.0) if total > 0 else 0.0
    rise = end - best
    rising = rise > max(ctx.th.rise_sigmas * noise(T), 0.1 * total)
    swing = step_mean_noise(T)
    # ... and the stretch after the fast drop must scatter itself: on a short curve the drop
    # inflates the whole curve's noise (a self-play reward 0.03 -> 1.0, then 1.0 at each of its
    # 6 evaluations, read "then got noisy")
    after_drop = T.y[k:]
    scatter_after = stats.noise_scale(after_drop) if after_drop.size >= 4 else swing
    noisy = swing > 0.15 * total and swing > 0.05 * abs(end) and scatter_after > 0.15 * total and calm
    # after converging fast, validation jumps around by a large share of its own level
    V = ctx.val_loss
    val_jumpy = (V is not None and V.n >= 8 and V.sigma > 0.3 * abs(tail_level(V, 0.3))
                 and stats.lag1_autocorr(np.diff(V.y)) < ctx.th.oscillation_autocorr)
    if early_share < 0.7 or not (rising or noisy or val_jumpy or wild or spiky):
        return None
    if end > ctx.th.diverge_start_factor * start:
        return None  # diverging explains it
    ev = {"start": start, "best": best, "best_at": float(T.x[b]), "end": end,
          "early_drop_share": early_share, "rise_after_best": rise, "noise": T.sigma,
          "noise_over_level": T.sigma / max(abs(end), 1e-12), "late_direction_flips": flips}
    fast = f"{T.name} dropped fast ({early_share:.0%} of its progress in the first fifth of the run)"
    # quoted as logged (LABELS.md: a message quotes numbers in the log): the lowest point itself,
    # not the smoothed minimum the tests above judge with
    low_x, low = T.logged_best(int(np.argmin(T.y)))
    lowest = f"its lowest {fv(low)} at {T.axis} {fx(low_x)}"
    if wild and not rising:  # no best to point at: the minimum is wherever a jump landed
        what = (f"then kept jumping up and down by about {fv(T.sigma)} from {unit(T)} to {unit(T)}, "
                f"{T.sigma / max(abs(end), 1e-12):.0%} of the level it ends at")
        msg, span = f"{fast}, {what}", (T.x[min(k, T.n - 1)], T.x[-1])
    elif spiky and not rising:
        shown_jumps = ", ".join(f"{fv(before)} -> {fv(after)} at {T.axis} {fx(at)}" for at, before, after in jumps[:4])
        what = (f"then jumped back up {len(jumps)} times ({shown_jumps}{', ...' if len(jumps) > 4 else ''}), each to "
                f"at least {ctx.th.lr_high_spike_ratio:g}x the level of the {unit(T)}s before ({lowest})")
        msg, span = f"{fast}, {what}", (jumps[0][0], T.x[-1])
        ev.update(jumps=len(jumps), first_jump_at=jumps[0][0])
    else:
        if rising:
            what = f"then crept back up by {fv(rise)}"
        elif noisy and swing != noise(T):  # judged on block means: quote what was judged
            what = f"then got noisy (means over {int(math.sqrt(T.n))} {unit(T)}s jump by {fv(swing)})"
        elif noisy:
            what = f"then got noisy (noise {fv(T.sigma)})"
        else:
            what = (f"while {V.name} jumps by {fv(V.sigma)} from {unit(V)} to {unit(V)}, "
                    f"{V.sigma / max(abs(tail_level(V, 0.3)), 1e-12):.0%} of its level")
        msg, span = f"{fast} to {lowest}, {what}", (T.x[b], T.x[-1])
    spike = ctx.facts.get("val_rise_at_train_spike")
    if spike and V is not None:  # the val rise overfitting left to this rule, with its numbers
        ev.update(train_spike_at=spike["spike_at"], train_spike=spike["spike"],
                  train_spike_ratio=spike["spike_ratio"], val_best_before_spike=spike["val_best"],
                  val_after_spike=spike["val_after"])
        msg += (f"; {V.name} sat near its best {fv(spike['val_best'])} until {T.name} spiked to "
                f"{fv(spike['spike'])} at {T.axis} {fx(spike['spike_at'])} ({spike['spike_ratio']:.0f}x its level "
                f"over the {unit(T)}s before), and stayed around {fv(spike['val_after'])} after")
    return finding("lr_too_high", "warning", f"{msg}: the learning rate is too high to settle", ctx,
                   span=span, evidence=ev)


def train_jumps(T: Curve, ctx: Context) -> list[tuple[float, float, float]]:
    """``(x, level before, value)`` of each time the train loss jumped up after its first steps:
    a point at least ``lr_high_spike_ratio`` times the median of the five before it, beyond
    ``spike_sigmas`` of its noise, from a level of at least ``lr_high_level_floor`` of where it
    started (a loss down 60x that doubles for an epoch at 1% of its start wobbles where it
    settled). A jump that lasts several points counts once. An epoch's mean train loss does not
    double out of nowhere under a step size that suits the loss surface. The optimizer comes back
    from an unstable step within ``lr_high_spike_recovery`` points (at least halfway down to the
    level before); a loss that climbs back and re-descends over many epochs started again (a
    run appended to the same log, weights reinitialised), which says nothing of the lr."""
    y, x = T.y, T.x
    floor = ctx.th.lr_high_level_floor * abs(head_level(T))
    out: list[tuple[float, float, float]] = []
    previous = -2
    for i, prior in jumps_over_recent(T, ctx.th.lr_high_spike_ratio, ctx.th.spike_sigmas, first=2):
        if prior < floor:
            continue
        after = y[i + 1:i + 1 + ctx.th.lr_high_spike_recovery]
        recovered = after.size == 0 or float(np.min(after)) <= prior + 0.5 * (y[i] - prior)
        if i > previous + 1 and recovered:
            out.append((float(x[i]), prior, float(y[i])))
        previous = i
    return out


def step_mean_noise(T: Curve) -> float:
    """The noise "too high to settle" is judged by. On an epoch curve, its own: each point is a
    mean over an epoch's batches. On a per-step curve (a Trainer logging every few steps), each
    point is one or a few batches' loss and jumps by minibatch noise however well the lr fits;
    there the noise of means over blocks of about sqrt(n) steps stands in for an epoch's."""
    if T.axis != "step" or T.n < 36:
        return noise(T)
    w = int(math.sqrt(T.n))
    k = T.n // w
    blocks = T.y[T.n - k * w:].reshape(k, w).mean(axis=1)
    return max(stats.noise_scale(blocks), 1e-12)


def val_settling(ctx: Context) -> bool:
    """Validation (8+ evaluations) is at its best in its last fifth and falls beyond its noise
    over its tail: whatever the train loss does, the model is still getting better."""
    V = ctx.val_loss
    if V is None or V.n < 8 or V.best_index() < 0.8 * (V.n - 1):
        return False
    return tail_trend(V, ctx.th.tail_frac)[1] < -ctx.th.z_trend


#: an accuracy at or above this share of its scale over the tail is a model right on nearly
#: every row: whatever its loss still does, it is not "far from converged"
NEAR_PERFECT_ACCURACY = 0.99


def _accuracy_near_perfect(ctx: Context) -> bool:
    """The run's accuracy (validation's where logged, else train's) holds at or above
    :data:`NEAR_PERFECT_ACCURACY` over its tail (GraphNovo's peptide model: accuracy 0.998 at
    every step while its per-step loss creeps 0.0068 -> 0.0055)."""
    A = accuracy_curve(ctx)
    return A is not None and tail_level(A, 0.3) >= NEAR_PERFECT_ACCURACY * percent_scale(A.y)


@rule("curves")
def lr_too_low(ctx: Context) -> Finding | None:
    T = train_curve(ctx) or val_curve(ctx)  # a log with validation only is judged on it
    if T is None or T.n < 5:
        return None
    cut = cut_short(ctx)
    if cut is not None and cut[0] <= ctx.th.lr_low_min_done * cut[1]:
        return None  # early in its schedule every run falls slowly and straight; judge it finished
    slope, z = stats.trend(T.x, T.y, T.sigma)
    if z > -ctx.th.z_trend:
        return None
    s1, s2 = half_slopes(T)
    if s1 >= 0 or s2 >= 0:
        return None
    linearity = s2 / s1
    start, end = head_level(T), tail_level(T, 0.15)
    rel_drop = (start - end) / abs(start) if start else 0.0
    if rel_drop <= 0:
        return None  # it ends worse than it began: whatever went wrong, the steps were not too small
    far = rel_drop < ctx.th.lr_low_max_drop
    if ctx.chance_loss is not None and T is ctx.loss:
        far = far and end > 0.5 * ctx.chance_loss
    elif no_loss_scale(ctx) and linearity < ctx.th.lr_low_straight:
        # no scale says where this task converges (a language model's or a regression's loss
        # does not head for 0): a fall that curves is a run still improving, not a slow lr;
        # only a straight line from start to end says the steps are too small
        far = False
    score = negated(T)  # a score stands in for the loss
    acc_end: float | None = None
    if score and "acc" in T.name.lower():
        # an accuracy is far from where the task converges when it is still near guessing (LABELS.md),
        # not when it moved little: 0.80 -> 0.85 after 0.62 at the start is a run that learned
        acc_end = -end / percent_scale(-end)
    elif T.n <= ctx.th.short_run_max and (A := accuracy_curve(ctx)) is not None:
        # the same measure for a short run (LABELS.md: still_improving is the usual verdict for
        # 8-15 epochs) whose loss is judged beside a logged accuracy: a cats-vs-dogs CNN whose val
        # accuracy ends at 0.79 learned and was stopped early, however straight its 10-epoch loss
        acc_end = tail_level(A, 0.15) / percent_scale(A.y)
    if acc_end is not None:
        guess = ctx.majority_rate if ctx.majority_rate is not None else 0.5
        far = far and not clear_of_guessing(acc_end, guess, ctx)
    if not ctx.th.lr_low_linearity <= linearity <= ctx.th.lr_low_max_speedup or not far:
        return None
    if _accuracy_near_perfect(ctx):
        return None  # right on 99% of its rows: the loss creeps to more confident answers, not far from converged
    V = val_curve(ctx)
    if V is not None and V.n >= 4 and T is ctx.loss and best_before_tail(V, ctx) \
            and tail_level(V, 0.2) > float(V.y[V.best_index()]) + 2 * noise(V):
        return None  # validation already turned: more of the same lr would not help it
    ev = {"start": start, "end": end, "relative_drop": rel_drop, "slope": slope, "trend_z": z,
          "late_over_early_slope": linearity}
    # a late slope near the early one is a straight line; steeper late (up to 2x), the fall is speeding up
    how = "almost linearly" if linearity <= 1.5 else "and still speeding up"
    if score:
        ev.update(start=-start, end=-end, higher_is_better=True)
    # quoted as logged (LABELS.md), its share of change from those same two numbers; the levels
    # judged above are in the evidence
    first, last = first_as_logged(ctx, T), last_as_logged(ctx, T)
    moved = abs(first - last) / abs(first) if first else rel_drop
    msg = (f"{T.name} {'rises' if score else 'falls'} slowly {how} ({fv(shown(T, first))} -> {fv(shown(T, last))}, "
           f"only {moved:.0%} {'up' if score else 'down'}; late slope {linearity:.2f}x the early slope): far from converged")
    return finding("lr_too_low", "warning", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)
