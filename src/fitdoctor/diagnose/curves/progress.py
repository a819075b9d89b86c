"""End-of-run verdicts: still_improving (stopped too early) and healthy."""

from __future__ import annotations

import math
from typing import Any


from fitdoctor.diagnose.base import Context, head_level, rule, tail_level
from fitdoctor.diagnose.curves.messages import finding, fv, shown, unit, z_text
from fitdoctor.diagnose.curves.shape import dropout_hint, best_before_tail, drop, material_fall, noise, tail_trend, train_curve, val_curve
from fitdoctor.findings import Finding
from fitdoctor.history import higher_is_better


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
        dp = dropout_hint(ctx)
        why = ("the train loss is averaged over each epoch while the model was still improving"
               + (f", with dropout {dp:g} on" if dp else "" if dp == 0 else
                  ", and with dropout on if the model has any"))
        parts.append(f"val below train early on, which is expected: {why}")
    msg = "fell and settled: " + "; ".join(parts)
    return finding("healthy", "info", msg, ctx, span=(T.x[0], T.x[-1]), evidence=ev)
