"""How curve findings are worded: numbers as the log has them, counts on the log's own axis."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor.diagnose.base import Context, Curve
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
        xs = c.logged[0] if c.logged is not None else c.x
        if c.n > 1 and np.all(np.diff(xs) > 1):
            # validation every 10 epochs: "the next 44 epochs" would be wrong; a train loss
            # printed every 10 epochs is as many logged points
            return "evaluation" if c.name.startswith("val") else "logged point"
        if c.n > 1 and np.all(np.diff(xs) < 1):
            return "logged point"  # 30 a pass (epochs 1.44, 1.47, ..): "the last 18 epochs" would be wrong
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

def signed_pct(share: float) -> str:
    """A relative change for messages: "+14%", and one decimal under 1%, where a whole percent
    would say "+0%" of a change the message calls beyond noise (val loss 4.466 -> 4.488 is +0.5%)."""
    share = float(share)
    if share != 0 and abs(share) < 0.0095:
        return f"{share:+.1%}" if abs(share) >= 0.0005 else ("+<0.1%" if share > 0 else "-<0.1%")
    return f"{share:+.0%}"

def negated(c: Curve) -> bool:
    """``c`` is a higher-is-better score kept negated by lower_better() (an accuracy standing in
    for a loss); an error metric (val_rmse) standing in for one is not."""
    return higher_is_better(c.name) and not c.higher_better


def shown(c: Curve, v: float) -> float:
    """A value as the log has it (lower_better() negates scores)."""
    return -v if negated(c) else v

def first_as_logged(ctx: Context, c: Curve) -> float:
    """The first value of ``c`` as the log has it (see :func:`last_as_logged`)."""
    return _as_logged(ctx, c, "first_logged", c.logged_first)


def last_as_logged(ctx: Context, c: Curve) -> float:
    """The last value of ``c`` as the log has it: a binned curve's last point, or a step log's
    train loss that the curve rules average between evaluations, is no number the user can find."""
    return _as_logged(ctx, c, "last_logged", c.logged_last)


def _as_logged(ctx: Context, c: Curve, key: str, on_curve: float) -> float:
    if c is ctx.loss:
        v = (ctx.history.meta.get(key) or {}).get(c.name)
        if v is not None:
            return float(v)
    return on_curve


def logged_after(ctx: Context, c: Curve, x: float) -> int:
    """How many points the log itself has after axis position x (a long log is binned for the
    trend tests: messages count what the user's file holds)."""
    s = ctx.history.series.get(c.name)
    if s is None or len(s) != c.n_raw:
        return int(np.count_nonzero(c.x > x))
    steps = s.steps[np.isfinite(s.values)]
    return int(np.count_nonzero(steps > x))
