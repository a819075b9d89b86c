"""diverging: the train loss grows after a good phase, or blows up and comes back."""

from __future__ import annotations

import math

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, head_level, rule, tail_level
from fitdoctor.diagnose.curves.messages import finding, fv, fx
from fitdoctor.diagnose.curves.shape import noise, train_curve
from fitdoctor.findings import Finding


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
