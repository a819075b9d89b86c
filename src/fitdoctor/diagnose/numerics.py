"""Numerical health from the logged series: NaN and inf.

The finding says what blew up first (loss, a metric, the gradient norm), at which
step, the last finite value before it, and what the learning rate was doing, and it
tells apart "non-finite from the first point" (data, loss or init) from "mid-run"
(step size, exploding gradients).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fitdoctor.diagnose.base import Context, rule
from fitdoctor.diagnose.curves import finding, fv, fx
from fitdoctor.findings import Finding
from fitdoctor.history import series_role


@rule("numerics")
def non_finite(ctx: Context) -> Finding | None:
    hits: list[tuple[float, str, Any, float | None, int, float]] = []
    for name, s in ctx.history.series.items():
        role = series_role(name)
        if role == "learning rate":
            continue
        bad = ~np.isfinite(s.values)
        if not bad.any():
            continue
        i = int(np.argmax(bad))
        last_finite = float(s.values[i - 1]) if i > 0 and np.isfinite(s.values[i - 1]) else None
        hits.append((float(s.steps[i]), name, s.values[i], last_finite, int(bad.sum()), float(s.steps[0])))
    if not hits:
        return _reported_by_the_loop(ctx) or _nan_logged_as_zero(ctx)
    # earliest first; at the same step a gradient norm outranks the loss it poisons
    hits.sort(key=lambda h: (h[0], 0 if h[1].startswith("grad_norm") else 1 if h[1] == "loss" else 2))
    step, name, value, last_finite, count, first_step = hits[0]
    s = ctx.history.series[name]
    # a series that first appears at its NaN (a gradient check's record) did not start the run
    run_start = [float(ctx.history.series[n].steps[0]) for n in ("loss", "val_loss")
                 if n in ctx.history.series and len(ctx.history.series[n])
                 and ctx.history.series[n].axis == s.axis]
    from_start = step == first_step and (name in ("loss", "val_loss") or not run_start
                                         or step <= min(run_start))
    kind = "NaN" if np.isnan(value) else ("+inf" if value > 0 else "-inf")
    ev: dict[str, Any] = {
        "first_series": name, "first_at": step, "value": kind,
        "last_finite": last_finite if last_finite is not None else "none",
        "non_finite_points": count, "from_start": from_start,
        "series_affected": ", ".join(sorted({h[1] for h in hits})),
    }
    unit = s.axis
    if last_finite is not None and np.isfinite(s.values[: max(1, int(np.argmax(~np.isfinite(s.values))))]).all():
        prior = s.values[: int(np.argmax(~np.isfinite(s.values)))]
        if prior.size >= 3 and abs(prior[-1]) > 10 * max(abs(np.median(prior)), 1e-12):
            ev["blew_up_before"] = True
    lr_text = ""
    if ctx.lr is not None and ctx.lr.n:
        lr_at = ctx.lr.at(step)
        ev["lr_at_first"] = lr_at
        rising = ctx.lr.n >= 2 and lr_at > ctx.lr.first * 1.01
        ev["lr_rising"] = bool(rising)
        lr_text = f"; lr {fv(lr_at)}" + (" and still rising (warmup?)" if rising else "")
    if from_start:
        cause = "non-finite from the very first point: suspect the data (NaN/inf inputs), log(0) in the loss, or the initialisation rather than the learning rate"
    else:
        what = f", after {fv(last_finite)}" if last_finite is not None else ""
        blew = ", which had been blowing up" if ev.get("blew_up_before") else ""
        cause = f"mid-run{what}{blew}: the updates exploded (learning rate, gradients)"
        guard = ctx.history.meta.get("nonfinite_guard") or {}
        if guard.get("weights_updated") is False:  # a live guard dropped that step's gradients
            at = guard.get("step")
            where = "loss" if guard.get("where") == "loss" else f"gradient ({guard.get('layer', '?')})"
            cause = (f"mid-run{what}: a non-finite {where} at optimizer step {fx(at) if at is not None else '?'},"
                     " caught before the update, so the weights never took it")
            after = s.values[int(np.argmax(~np.isfinite(s.values))) + 1:]
            if after.size and np.isfinite(after).all():
                cause += f"; training went on, {name} {fv(float(after[-1]))} at the end"
    others = [h[1] for h in hits[1:]]
    follow = f"; then {', '.join(others[:4])}" if others else ""
    if not any(is_training_signal(h[1], ctx.history.series) for h in hits):
        # only an auxiliary metric (COCO's AP of a category with no instances, a metric that is
        # undefined at the first evaluation): the losses trained fine, so no finding, a note
        ctx.history.note(f"{', '.join(sorted({h[1] for h in hits}))}: {kind} at {unit} {fx(step)} and "
                         "after, while the losses stayed finite (a metric undefined there, such as the "
                         "AP of a class with no instances); not a training failure")
        return None
    if skipped_by_loss_scaler(ctx, hits):
        ctx.history.note(f"{name}: {kind} at {unit} {fx(step)} ({count} point(s)), while the losses stayed "
                         f"finite and the norm came back ({fv(float(s.values[-1]))} at the end): a mixed-precision "
                         "loss scaler skipping the steps whose gradients overflowed, as fp16 training does "
                         "while it finds its scale; not a training failure")
        return None
    msg = f"{name} became {kind} at {unit} {fx(step)} ({cause}){lr_text}{follow}"
    return finding("non_finite", "error", msg, ctx, span=(step, float(s.steps[-1])), evidence=ev,
                   confidence=1.0)


def _reported_by_the_loop(ctx: Context) -> Finding | None:
    """The training loop printed that its loss went NaN or inf ("NaN loss detected! Skipping
    batch.") while every logged value is finite: the loop skipped those steps or stopped, so the
    curve hides what LABELS.md calls non_finite (NaN or inf in the loss being optimised)."""
    notices = ctx.history.meta.get("nonfinite_notices") or []
    if not notices:
        return None
    first = notices[0]
    times = f"{len(notices)} times" if len(notices) > 1 else "once"
    msg = (f"the log says the loss went non-finite {times} (first at line {first['line']}: "
           f"\"{first['text']}\"), though every logged value is finite: the loop skipped or dropped those "
           "steps, so the curve hides the blow-up; find the batches or updates that produce it")
    ev: dict[str, Any] = {"notices": len(notices), "first_notice_line": first["line"]}
    return finding("non_finite", "error", msg, ctx, evidence=ev, confidence=0.9)


#: a train loss at exactly 0 for at least this many logged points in a row ...
ZERO_RUN_MIN = 3
#: ... straight after a logged value at least this large: a loss that learned its way down
#: passes through 1e-2, 1e-3, 1e-4 on the way; one that drops from 0.1 or more to exactly 0
#: within one logging window and stays there was not computed (a loss at 0 from its first point
#: was never computed at all: no verdict, see the unnamed summary)
ZERO_AFTER_AT_LEAST = 0.1


def _nan_logged_as_zero(ctx: Context) -> Finding | None:
    """NaN losses the trainer logged as 0.0: the Hugging Face Trainer (and LLaMA-Factory, which
    copies its logs) drops a NaN or inf step loss from its running sum by default
    (``logging_nan_inf_filter``), so a logging window whose every step was NaN logs exactly 0.0,
    usually beside a NaN ``grad_norm`` (fp16 overflow, a broken mixed-precision setup). The
    witness: the train loss at exactly 0 for ``ZERO_RUN_MIN`` or more logged points in a row,
    straight after ``ZERO_AFTER_AT_LEAST`` or more (a LLaMA-Factory
    fine-tune: 122.14 at step 10, then 0.0 at each of 36 logs to step 370)."""
    s = ctx.history.series.get("loss")
    if s is None or len(s) < ZERO_RUN_MIN:
        return None
    y = np.asarray(s.values, dtype=float)
    zero = y == 0.0
    i = 0
    while i < y.size:
        if not zero[i]:
            i += 1
            continue
        j = i
        while j < y.size and zero[j]:
            j += 1
        if j - i >= ZERO_RUN_MIN and i > 0 and y[i - 1] >= ZERO_AFTER_AT_LEAST:
            return _zero_finding(ctx, s, i, j)
        i = j
    return None


def _zero_finding(ctx: Context, s: Any, i: int, j: int) -> Finding:
    steps = np.asarray(s.steps, dtype=float)
    after = f" straight after {fv(float(s.values[i - 1]))} at {s.axis} {fx(float(steps[i - 1]))}"
    held = "to the end" if j == len(s) else f"until {s.axis} {fx(float(steps[j - 1]))}"
    msg = (f"loss is exactly 0 at each of {j - i} logged points from {s.axis} {fx(float(steps[i]))}{after}, {held}: "
           "no loss falls to exactly zero in one logging window; a trainer that filters NaN/inf step losses "
           "(Hugging Face's logging_nan_inf_filter, on by default) logs 0.0 for a window of only NaN steps. "
           "The updates produced NaN (fp16 overflow, a learning rate too high, a broken loss or labels all masked)")
    ev: dict[str, Any] = {"first_series": "loss", "first_at": float(steps[i]), "value": "0.0 (NaN filtered)",
                          "zero_points": j - i, "before": float(s.values[i - 1]), "from_start": False}
    return finding("non_finite", "error", msg, ctx, span=(float(steps[i]), float(steps[j - 1])), evidence=ev,
                   confidence=0.8)


def skipped_by_loss_scaler(ctx: Context, hits: list[tuple]) -> bool:
    """Only the logged gradient norm went non-finite, the losses never did, and the norm is
    finite again at the end: what an fp16 GradScaler does (it skips a step whose gradients
    overflowed and lowers its scale; the Hugging Face Trainer logs that step's norm as NaN or
    inf). A live guard's record of a step it dropped is not this: it is reported."""
    if ctx.history.meta.get("nonfinite_guard"):
        return False
    names = {h[1] for h in hits}
    if not all(n.split("#")[0].startswith("grad_norm") for n in names):
        return False
    if not any(n in ctx.history.series for n in ("loss", "val_loss")):
        return False
    # a few skipped steps, not a run whose steps were mostly thrown away (that one has stalled)
    return all(np.isfinite(ctx.history.series[n].values[-1])
               and float(np.mean(~np.isfinite(ctx.history.series[n].values))) <= 0.1 for n in names)


def is_training_signal(name: str, series: Any = ()) -> bool:
    """A series whose NaN means training failed: the loss being optimised, the validation loss,
    or a gradient probe. A NaN in any other metric is undefined scoring, not a broken run.

    A run that logs no plain ``loss`` optimises the losses it names (a GAN's ``gen_loss`` and
    ``disc_loss``, a detector's ``box_loss``): a NaN in one of those is a NaN in the objective."""
    base = name.split("#")[0]
    if base in ("loss", "val_loss") or base.startswith("grad_norm"):
        return True
    return "loss" not in series and "loss" in base.removesuffix("_step").split("_")
