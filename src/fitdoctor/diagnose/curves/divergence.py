"""diverging: the train loss grows after a good phase, or blows up and comes back."""

from __future__ import annotations

import math

import numpy as np

from fitdoctor import codes as _codes, stats
from fitdoctor.diagnose.base import Context, Curve, head_level, rule, tail_level
from fitdoctor.diagnose.curves.messages import finding, fv, fx, negated
from fitdoctor.diagnose.curves.shape import noise, sparse_train, train_curve, val_curve
from fitdoctor.findings import Finding, Remedy


#: a per-batch loss of this many logged points or more is judged by the medians of its fifths ...
LEVEL_MIN_POINTS = 40
LEVEL_BLOCKS = 5
#: ... whose rise must clear this many standard errors of the difference of two medians
LEVEL_RISE_SE = 3.0
#: a median's standard error over a mean's, for normal scatter
MEDIAN_SE_FACTOR = 1.2533


@rule("curves")
def diverging(ctx: Context) -> Finding | None:
    L = train_curve(ctx) or val_curve(ctx)  # a log with validation only is judged on it
    if L is None or L.n < 3:
        return None
    found = _diverging(ctx, L)
    if found is not None and L is not train_curve(ctx):
        found.explanation = _codes.explanation("diverging", "validation")  # no training curve to speak of
    return found


def _diverging(ctx: Context, L: Curve) -> Finding | None:
    if negated(L) and float(np.nanmax(L.y)) > 0:
        # a score below zero standing in for the loss (an RL reward of -4820): its multiples mean
        # nothing (-4820 -> -6050 is no "1.3x its lowest"), and a score that falls is no blow-up
        return None
    if sparse_train(ctx, L) and L.n < SPARSE_MIN_POINTS and not _far_above(L):
        # a handful of single-batch values (Lightning's step loss, 3 samples beside 13 epochs of
        # validation): 0.014, 0.008, 0.030 is minibatch noise, not a blow-up
        return None
    s = L.smoothed()
    b = int(np.argmin(s))
    best = float(s[b])
    start = head_level(L)
    end = tail_level(L, 0.15)
    if b > 0 and L.n - b < math.ceil(0.15 * L.n):
        # the best falls inside the tail: the level it ended at is what came after the best, not
        # the points before it (a triplet loss at 3.1 over steps 1-320, then 0.34-1.87 over a
        # resumed session's 17800-17810: the tail's median mixed the two, and "grew 3.4x"). The
        # tail counted as 15% of the points, without tail_level's 3-point floor: a 3-point sparse
        # sample (0.014, 0.008, 0.9) keeps its median, and its blow-up reading
        end = float(np.median(L.y[b:]))
    rise = end - best
    peak = int(np.argmax(s))
    # a blow-up can begin at the second point, which then is no part of the "start"
    first = float(L.y[0]) if L.n >= 2 and L.y[1] > L.y[0] else start
    top = float(s[peak])
    spike = _epoch_spike(L, ctx.th.blowup_factor)
    if spike is not None and top <= ctx.th.blowup_factor * first:
        # smoothing takes one epoch's blow-up for an outlier: judged, and quoted, as logged
        peak, top, first = spike, float(L.y[spike]), float(L.y[0])
    # on a long curve the blow-up clears the noise too: the top of a smoothed curve of wide
    # minibatch scatter (lognormal, as wide as its level) is twice a single first point by chance
    # alone. A short one has no noise scale but the blow-up itself (0.014, 0.008, 0.9)
    clears_noise = L.n < LEVEL_MIN_POINTS or top - first > ctx.th.rise_sigmas * noise(L)
    if first > 0 and _blown_up(first, top, best, ctx.th.blowup_factor) and peak > 0 \
            and end < ctx.th.diverge_start_factor * first and clears_noise:
        start = first
        # it blew up and came back: the weights were thrown somewhere else mid-run
        ev = {"start": start, "peak": top, "peak_at": float(L.x[peak]), "end": end,
              "ratio_to_start": top / start}
        # quoted as logged (LABELS.md): the first value, the highest and the last; the levels
        # judged above are in the evidence
        lx, ly = L.logged_points
        # the highest logged point from the low before the blow-up on (a per-step log read in
        # bins: its first raw value can be higher than the blow-up a later bin holds)
        since = float(L.x[int(np.argmin(s[:peak]))]) if peak > 0 else float(lx[0])
        hi = int(np.argmax(np.where(np.isfinite(ly) & (lx >= since), ly, -np.inf)))
        first_logged, top_logged, last_logged = float(ly[0]), float(ly[hi]), float(ly[-1])
        what = "its first value"
        if first_logged >= top_logged and hi > 0:  # then quoted from its lowest before the blow-up
            first_logged, what = float(np.nanmin(ly[:hi])), "its lowest before"
        ratio = f" ({fv(top_logged / first_logged)}x {what})" if first_logged > 0 else ""
        after = (f" before coming back to {fv(last_logged)}" if hi < ly.size - 1
                 else ", its last finite value")
        msg = (f"{L.name} blew up from {fv(first_logged)} to {fv(top_logged)} at {L.axis} {fx(lx[hi])}{ratio}"
               f"{after}: an update threw the weights far off, so what follows started from a damaged model")
        return finding("diverging", "error", msg, ctx, span=(L.x[0], L.x[peak]), evidence=ev)
    runaway = _below_zero_without_floor(ctx, L, s)
    if runaway is not None:
        return runaway
    steady = _worse_every_epoch(ctx, L)
    if steady is not None:
        return steady
    if rise <= max(ctx.th.rise_sigmas * noise(L), 0.0):
        return _typical_level_rose(ctx, L)
    x, y = L.x[b:], L.y[b:]
    if x.size < 2:
        return None
    slope, z = stats.trend(x, y, L.sigma)
    grown_from_best = end > ctx.th.diverge_factor * best and best > 0 and (end - best) > 0.5 * max(start - best, 0) * 2
    # thrown back: the run learned, then lost most of it and stayed there, however its last part
    # trends (an SSD detector's loss 0.43 -> 0.100, then 0.37 two epochs later and 0.26 after 70
    # more: "crept back up" it was not)
    thrown_back = best > 0 and _thrown_back(end / best, end - best, max(start - best, 0))
    grown_from_best = grown_from_best or thrown_back
    if negated(L) and best < 0 and end < 0:
        collapsed = _score_collapsed(ctx, L, best=best, b=b, start=start, end=end)
        if collapsed is not None:
            return collapsed
    above_start = end > ctx.th.diverge_start_factor * start and start > 0
    if not (grown_from_best or above_start):
        return None
    if z < ctx.th.z_trend and not above_start and not thrown_back:
        return None
    ev = {"start": start, "best": best, "best_at": float(L.x[b]), "end": end, "ratio_to_best": end / best if best else math.inf,
          "ratio_to_start": end / start if start else math.inf, "slope_after_best": slope, "trend_z": z}
    # quoted as logged (LABELS.md): its lowest point, its first and last values; the tests above
    # judge smoothed levels, which are in the evidence
    low_x, low = L.logged_best(int(np.argmin(L.y)))
    first_logged, last_logged = L.logged_first, L.logged_last
    times = [f"{fv(last_logged / low)}x its lowest"] if low > 0 else []
    if first_logged > 0 and last_logged > first_logged and first_logged != low:
        times.append(f"{fv(last_logged / first_logged)}x its first value {fv(first_logged)}")
    # a curve that swung far higher before its last point: the peak says how far it was thrown
    lx, ly = L.logged_points
    after_low = np.flatnonzero((lx > low_x) & np.isfinite(ly))
    peak_text = ""
    if after_low.size and low > 0:
        hi = int(after_low[np.argmax(ly[after_low])])
        if float(ly[hi]) > PEAK_QUOTED * last_logged and hi < ly.size - 1:
            ev.update(peak=float(ly[hi]), peak_at=float(lx[hi]))
            r = float(ly[hi]) / low
            times_low = f"{r:,.0f}" if r >= 100 else fv(r)
            peak_text = f", up to {fv(float(ly[hi]))} at {L.axis} {fx(lx[hi])} ({times_low}x its lowest) on the way"
    msg = (f"{L.name} grows: from its lowest {fv(low)} at {L.axis} {fx(low_x)} to {fv(last_logged)} at the last "
           f"{L.axis}" + (f" ({', '.join(times)})" if times else "") + peak_text)
    return finding("diverging", "error", msg, ctx, span=(L.x[b], L.x[-1]), evidence=ev)


def _typical_level_rose(ctx: Context, L: Curve) -> Finding | None:
    """A per-batch loss whose typical level ends far above where it started, though no single
    point rose beyond the batch-to-batch scatter. Minibatch losses of a regression with single
    batches blown up 1000x scatter by as much as the level moves (a visual-odometry CNN: median
    25 over its first fifth, 97 over its last, points from 1 to 2.4e5), so the test above,
    which asks the rise to clear three times one point's noise, never fires. Medians of fifths
    are robust to the blow-ups and their standard error shrinks with the points in them: the
    last fifth's median ``diverge_start_factor`` times the first fifth's and ``diverge_factor``
    times the lowest fifth's, by ``LEVEL_RISE_SE`` standard errors of the difference, is a
    level that rose, not a noisy stretch."""
    lx, ly = L.logged_points
    keep = np.isfinite(ly)
    x, y = lx[keep], ly[keep]
    if y.size < LEVEL_MIN_POINTS or negated(L) or float(np.min(y)) < 0:
        return None
    blocks = np.array_split(np.arange(y.size), LEVEL_BLOCKS)
    medians = [float(np.median(y[i])) for i in blocks]
    first, last = medians[0], medians[-1]
    k = int(np.argmin(medians[:-1]))
    low = medians[k]
    se = MEDIAN_SE_FACTOR * stats.noise_scale(y) * math.sqrt(1 / blocks[0].size + 1 / blocks[-1].size)
    if not (low > 0 and last > ctx.th.diverge_start_factor * first and last > ctx.th.diverge_factor * low
            and last - first > LEVEL_RISE_SE * se):
        return None
    top = int(np.argmax(y))
    ev = {"start": first, "best": low, "end": last, "ratio_to_start": last / first, "ratio_to_best": last / low,
          "standard_error": se, "points": int(y.size), "typical_level": True}
    peak = (f"; single points blew up to as much as {fv(float(y[top]))} (at {L.axis} {fx(x[top])})"
            if y[top] > 10 * last else "")
    lowest = f", with its lowest fifth at {fv(low)}" if k > 0 else ""
    msg = (f"{L.name}'s typical level grows: median {fv(first)} over the first fifth of its {y.size} logged "
           f"points, {fv(last)} over the last ({fv(last / first)}x){lowest}{peak}; "
           f"the points scatter too widely for any one of them to show it, their medians do not")
    return finding("diverging", "error", msg, ctx, span=(x[blocks[k][0]], x[-1]), evidence=ev)


#: a loss that ends this many times its lowest ...
THROWN_BACK_FACTOR = 2.0
#: ... having given back more than this share of its fall from its start to that lowest grew
#: after a good phase (LABELS.md's `diverging`), whether or not it still trends up at its end
THROWN_BACK_SHARE = 0.5


def _thrown_back(worse_by: float, given_back: float, gained: float) -> bool:
    """A curve that is ``worse_by`` times worse at its end than at its best (a ratio above 1)
    and gave back ``given_back`` of the ``gained`` it had made from its start to that best:
    thrown back when it is :data:`THROWN_BACK_FACTOR` times worse or more and gave back more
    than :data:`THROWN_BACK_SHARE` of its gain (a loss, or a score standing in for one)."""
    return worse_by > THROWN_BACK_FACTOR and given_back > THROWN_BACK_SHARE * gained


def _score_collapsed(ctx: Context, L: Curve, *, best: float, b: int, start: float, end: float) -> Finding | None:
    """A score standing in for the loss (an RL agent's episode reward, kept negated) that was
    thrown back the same way: it ends below its best over :data:`THROWN_BACK_FACTOR` and has
    given back more than :data:`THROWN_BACK_SHARE` of what it had gained since its start (a PPO
    agent's reward 2853 -> 7174 at 150k steps, then 3151 at 300k: a policy that learned, then
    lost it). Levels are smoothed; the message quotes the values as logged."""
    peak, last, first = -best, -end, -start  # as logged: higher is better
    if b == 0 or not peak - first > ctx.th.rise_sigmas * noise(L):
        return None  # it never learned: there was nothing to lose
    if not (last > 0 and _thrown_back(peak / last, peak - last, peak - first)):
        return None
    lx, ly = L.logged_points
    hi = int(np.nanargmin(ly))  # the best as logged (negated: the lowest)
    top, final = -float(ly[hi]), -float(L.logged_last)
    ev = {"start": first, "best": peak, "best_at": float(L.x[b]), "end": last, "ratio_to_best": last / peak,
          "gain_given_back": (peak - last) / max(peak - first, 1e-12)}
    msg = (f"{L.name} fell from its best {fv(top)} at {L.axis} {fx(lx[hi])} to {fv(final)} at the last {L.axis} "
           f"({fv(top / final) if final > 0 else 'far'}x below it), giving back {ev['gain_given_back']:.0%} of what it "
           f"had gained since {fv(first)}: it learned, then lost it")
    return finding("diverging", "error", msg, ctx, span=(L.x[b], L.x[-1]), evidence=ev)


#: the message also quotes the highest point after the lowest when it is this many times the last
PEAK_QUOTED = 1.5


def _blown_up(first: float, top: float, best: float, factor: float) -> bool:
    """``top`` is ``factor`` times ``first``. A loss on a floor of 0 is judged by the ratio; one
    that goes below zero (an energy gap, a contrastive-divergence term, a negative log-likelihood)
    has no ratio to speak of (0.008 -> 0.069 is 8x after a swing down to -0.136), so the same
    multiple is taken on the scale it moves on: the rise above its start against its fall below it."""
    if best >= 0:
        return top > factor * first
    return top - first > (factor - 1.0) * (first - best)


#: fewer train points than this, sampled sparser than validation, say nothing about a blow-up ...
SPARSE_MIN_POINTS = 8
#: ... unless a value is this many times the smallest one
SPARSE_BLOWUP_FACTOR = 10.0


def _far_above(L) -> bool:
    """A value of a few sparse samples far above the smallest one (or not finite): no minibatch
    wobble, whatever the number of points."""
    y = L.y[np.isfinite(L.y)]
    low = float(np.min(np.abs(y))) if y.size else 0.0
    return y.size < L.y.size or (low > 0 and float(np.max(y)) > SPARSE_BLOWUP_FACTOR * low)


def _epoch_spike(L, blowup: float) -> int | None:
    """The first epoch after the first whose train loss is ``SPARSE_BLOWUP_FACTOR`` times the
    logged first one or more, and whose next epoch is still ``blowup`` times the best before
    it: an epoch's mean that high is many batches blown up, and the epoch after it shows the
    weights were thrown off (a Keras CNN at 1.36 jumping to 10830 at epoch 18, from a first
    epoch of 508, then 123, 58, 36 .. on its way back). One bad epoch the next one undoes
    (0.069, 1.21, 0.076) left the model where it was. Per-step curves are left to smoothing."""
    first = float(L.y[0])
    if L.axis != "epoch" or not first > 0 or L.n < 3:
        return None
    y = L.y
    for i in np.flatnonzero(np.isfinite(y[1:-1]) & (y[1:-1] > SPARSE_BLOWUP_FACTOR * first)) + 1:
        before = y[:i][np.isfinite(y[:i])]
        if before.size and float(y[i + 1]) > blowup * float(np.min(before)):
            return int(i)
    return None


#: a train loss higher than the one before at every evaluation, this many times in a row ...
STEADY_RISES = 4
#: ... and at the end this share above its first value
STEADY_RISE_SHARE = 0.1
#: three rises in a row are enough when the loss ends this many times its first value: a
#: 4-epoch log whose train loss goes 0.31, 0.49, 1.05, 3.48 has too few points for a noise
#: scale (its second differences read the blow-up itself as noise)
SHORT_STEADY_RISES = 3
SHORT_STEADY_FACTOR = 5.0


def _worse_every_epoch(ctx: Context, L) -> Finding | None:
    """A train loss higher at every evaluation than at the one before, from its first to its
    last, had no good phase for the ratios above to start from: each epoch's updates left the
    model worse than they found it. Cross-entropies sit on a floor of their own (ln 50259 =
    10.8 for a uniform guess over a GPT-2 vocabulary), so a ratio to the start hides a steady
    climb: ln(perplexity) 11.04, 11.28, 11.88, 12.68, 13.65 is 1.24x its start in nats but a
    perplexity 14x its first. Minibatch noise never rises four times in a row by 10% overall
    on a falling loss, nor three times in a row to 5x its start (a 4-epoch log has too few
    points for a noise scale to judge it by)."""
    y = L.y
    if L.n < SHORT_STEADY_RISES + 1 or not np.all(np.isfinite(y)) or not y[0] > 0:
        return None
    if not np.all(np.diff(y) > 0) or y[-1] < (1 + STEADY_RISE_SHARE) * y[0]:
        return None
    if L.n < STEADY_RISES + 1 and y[-1] < SHORT_STEADY_FACTOR * y[0]:
        return None
    first, last = float(y[0]), float(y[-1])
    ev = {"start": first, "best": first, "best_at": float(L.x[0]), "end": last, "ratio_to_start": last / first,
          "rises": int(L.n - 1), "worse_every_evaluation": True}
    msg = (f"{L.name} grows at every {L.axis}: from {fv(first)} at {L.axis} {fx(L.x[0])} to {fv(last)} at {L.axis} "
           f"{fx(L.x[-1])}, higher each time ({L.n - 1} rises in a row, {fv(last / first)}x its start)")
    return finding("diverging", "error", msg, ctx, span=(L.x[0], L.x[-1]), evidence=ev)


#: how many times its first magnitude a loss below zero must reach to have no floor
RUNAWAY_FACTOR = 100.0


def _below_zero_without_floor(ctx: Context, L, s: np.ndarray) -> Finding | None:
    """A loss that falls below zero and on by orders of magnitude (-3.4e4 -> -6.5e7) is no
    model getting better: the objective has no floor (labels outside the range the loss
    expects, a sign error, a likelihood whose variance collapses). The losses of classifiers
    and regressors stop at 0, and a legitimate negative log-likelihood settles a few units
    below it, so the run is diverging, towards minus infinity."""
    end = float(s[-1])  # judged smoothed; the numbers shown are the log's own
    ref = max(abs(float(L.y[0])), 1e-12)
    if end >= 0 or abs(end) < RUNAWAY_FACTOR * ref or abs(end) < 10.0:
        return None
    last = float(L.y[-1])
    ev = {"start": float(L.y[0]), "end": last, "ratio_to_start": abs(last) / ref, "below_zero_without_floor": True}
    msg = (f"{L.name} runs away below zero: {fv(float(L.y[0]))} at {L.axis} {fx(L.x[0])} -> {fv(last)} at the "
           f"last ({abs(last) / ref:.0f}x the size of the first), and no loss of a working model falls without "
           f"a floor")
    fixes = [Remedy("check that the labels are in the range the loss expects (0/1 for binary cross-entropy, "
                    "class indices for a categorical one, one-hot rows that sum to 1)", {},
                    "cross-entropy on a label of 5 or -1 has no lower bound: the loss falls forever"),
             Remedy("check the sign and the terms of a custom loss (a term maximised by mistake)", {},
                    "a loss that rewards growing outputs falls without a floor"),
             Remedy("for a likelihood loss, bound its variance from below (e.g. softplus + 1e-3)", {},
                    "a Gaussian NLL whose variance collapses to 0 goes to minus infinity")]
    why = ("The loss keeps falling below zero by orders of magnitude. The losses of classifiers and "
           "regressors stop at 0, and a likelihood settles a few units below it: this one has no floor, so "
           "it measures a broken objective, not a model getting better.")
    return finding("diverging", "error", msg, ctx, span=(L.x[0], L.x[-1]), evidence=ev, explanation=why,
                   remedies=fixes)
