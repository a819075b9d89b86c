"""What to keep: the best epoch/step, the band equivalent to it, and what came after.

Computed for every run, whatever the findings, because "which checkpoint do I keep?"
is the question every run ends with.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from fitdoctor.diagnose.base import Context, Curve, chosen_curve
from fitdoctor.diagnose.curves.messages import signed_pct
from fitdoctor.findings import Finding
from fitdoctor.history import direction_known


def selection_curve(ctx: Context) -> Curve | None:
    """The curve to select the epoch on: the metric the run itself selected on when it says
    (Hugging Face's metric_for_best_model), else val loss (what the findings and Keras's
    EarlyStopping watch by default), else the val metric when its name says which way is
    better, else train loss."""
    c = chosen_curve(ctx)
    if c is not None:
        return c
    for c in (ctx.val_loss, ctx.val_metric, ctx.loss):
        if c is not None and c.n >= 1 and (c is not ctx.val_metric or direction_known(c.name)):
            return c
    return None


def summarize(ctx: Context, overfitting: bool = False, held_shift: bool = False,
              val_loss_turned: bool = False) -> dict[str, Any]:
    """The run's numbers and the checkpoint to keep. ``overfitting``: that finding stands, and
    the last evaluation is judged against the noise it judged the rise with, so the two agree;
    ``held_shift``: it stands on the mean of the late evaluations, not on a single point's rise
    (the last is then worse than the best too: it is one of that worse level's points);
    ``val_loss_turned``: it stands on a val loss of three evaluations whose last is the worst,
    5% or more above its best, a rise three points cannot measure against their noise: a keep
    judged on that val loss says the last is worse too (LABELS.md: never contradict it)."""
    h = ctx.history
    out: dict[str, Any] = {"axis": h.axis, "points": h.n_points}
    c = selection_curve(ctx)
    if c is None or c.n == 0:
        return out
    b = c.best_index()
    best = float(c.y[b])
    sigma = max(c.sigma, 1e-12)
    band_tol = 2.0 * sigma
    from fitdoctor.diagnose.curves.generalization import level_shift_p, noise_after_best

    # as overfitting judges a rise after the best, when it stands; else the curve's own noise
    # (a healthy run 0.4% above its best at the end is as good as its best)
    judged = noise_after_best(c, b, ctx, best) if overfitting else sigma
    first_x, last_x = float(c.x[0]), float(c.x[-1])
    total = last_x - first_x
    after = (last_x - float(c.x[b])) / total if total > 0 else 0.0
    last = float(c.y[-1])
    worse_beyond_noise = (last < best - 3 * judged) if c.higher_better else (last > best + 3 * judged)
    worse_beyond_noise = worse_beyond_noise or held_shift or (val_loss_turned and c is ctx.val_loss)
    # (the train loss too, where no validation is logged: it is the curve the keep is judged on)
    if not worse_beyond_noise and (c is ctx.val_loss or (c is ctx.loss and ctx.val_loss is None)):
        # a short curve that settled higher after its best (every later point worse than every
        # earlier one) is worse by the order of its points, as overfitting says
        worse_beyond_noise = level_shift_p(c, ctx) is not None
        if not worse_beyond_noise and climbed_since_best(c, b, ctx):
            worse_beyond_noise = out["climbed_since_best"] = True
    band = c.x[_equivalent_to_best(c, b, min(band_tol, 3 * judged) if worse_beyond_noise else band_tol,
                                   worse_beyond_noise, bool(out.get("climbed_since_best")))]
    # quoted as logged (a long curve is binned for the tests above)
    best_x, best_shown = c.logged_best(b)
    out.update({
        "selected_by": c.name,
        "best_at": best_x,
        "best_value": best_shown,
        "last_value": c.logged_last,
        "equivalent_band": [float(band.min()), float(band.max())] if band.size else None,
        "share_after_best": round(after, 3),
        "last_worse_than_best_beyond_noise": bool(worse_beyond_noise),
        "noise": float(c.sigma),
    })
    vm = ctx.val_metric
    if vm is not None and vm.n and vm is not c:
        mb = vm.best_index()
        out["best_metric"] = {"name": vm.name, "value": float(vm.y[mb]), "at": float(vm.x[mb]),
                              "last": float(vm.y[-1])}
    # a level guessed from the first loss alone (one witness) is no chance level to draw or quote:
    # an epoch-averaged first loss has already fallen (10-class digits would read as "ln 4")
    if ctx.chance_loss is not None and not ctx.facts.get("chance_from_first_loss"):
        out["chance_loss"] = ctx.chance_loss
        out["chance_source"] = ctx.chance_source
    if ctx.majority_rate is not None:
        out["majority_rate"] = ctx.majority_rate
    unit = c.axis
    why = selection_reason(ctx, c)
    out["keep_judged_on"] = c.name
    if worse_beyond_noise:
        out["keep"] = (f"keep the weights from {unit} {_fmt_x(best_x)} ({c.name} {best_shown:.4g}{'; ' + why if why else ''}); "
                       f"the last {unit} is worse ({c.logged_last:.4g}) "
                       f"{'after getting worse at each ' + unit + ' since' if out.get('climbed_since_best') else 'beyond noise'}. "
                       f"{keep_best_prescription(h.meta.get('format'), c.name)}")
    else:
        out["keep"] = (f"judged on {c.name}{f' ({why})' if why else ''}: the last {unit} is as good as the best "
                       f"within noise (best {c.name} {best_shown:.4g} at {unit} {_fmt_x(best_x)})")
        other = loss_disagrees(ctx, c)
        if other:
            out["keep"] += f". {other}"
            out["keep_disagrees_with"] = ctx.val_loss.name if ctx.val_loss is not None else None
    checkpoints = h.meta.get("checkpoints")
    if checkpoints:
        out.update(checkpoint_advice(c, [float(s) for s in checkpoints], band_tol))
    spe = h.meta.get("steps_per_epoch")
    if unit == "step" and isinstance(spe, (int, float)) and spe > 0:
        out["best_epoch"] = round(best_x / spe, 2)
        out["keep"] += f" (the best, step {_fmt_x(best_x)}, is epoch {best_x / spe:.2f})"
    return out


def selection_reason(ctx: Context, c: Curve) -> str:
    """Why the epoch is judged on ``c`` when it is not val loss (empty when it is)."""
    if c is ctx.val_loss or c.name == "val_loss":
        return ""
    if chosen_curve(ctx) is not None:
        return "the run's metric_for_best_model"
    if c.name == "loss":
        vm = ctx.val_metric
        if vm is not None and vm.n and not direction_known(vm.name):
            return f"{vm.name} does not say whether higher or lower is better"
        return "no validation curve logged"
    return "no val_loss logged"


def loss_disagrees(ctx: Context, c: Curve) -> str:
    """One sentence when val loss, judged on its own, says the opposite of the selection curve:
    its last point worse than its best beyond noise while ``c`` held (what an overfitting
    finding on val_loss reads beside a 'keep the last' on val_accuracy). Empty otherwise."""
    v = ctx.val_loss
    if v is None or v is c or v.n < 3 or not c.name.startswith("val_"):
        return ""
    vb = v.best_index()
    sigma = max(v.sigma, 1e-12)
    if not v.last > float(v.y[vb]) + 3 * sigma or vb == v.n - 1:
        return ""
    unit = v.axis
    return (f"Judged on val_loss instead, the last {unit} is worse ({v.last:.4g} against its best {float(v.y[vb]):.4g} "
            f"at {unit} {_fmt_x(v.x[vb])}): the model grows more confident in the answers it gets wrong while "
            f"{c.name} holds, so keep by {c.name} if that is what you act on, by val_loss if you need its "
            "probabilities")


def checkpoint_advice(c: Curve, saved: list[float], band_tol: float) -> dict[str, Any]:
    """Which saved checkpoint to keep, and whether the best evaluation was ever saved.

    A checkpoint is judged by the evaluation at (or just before) its step; one within
    the noise band of the best is as good as the best.
    """
    b = c.best_index()
    best = float(c.y[b])
    rows = []
    for step in sorted(saved):
        v = c.at(step)
        equivalent = (v >= best - band_tol) if c.higher_better else (v <= best + band_tol)
        rows.append({"step": step, "value": v, "equivalent_to_best": bool(equivalent)})
    good = [r for r in rows if r["equivalent_to_best"]]
    out: dict[str, Any] = {"checkpoints": rows}
    if good:
        pick = min(good, key=lambda r: (-r["value"] if c.higher_better else r["value"]))
        out["keep_checkpoint"] = f"checkpoint-{_fmt_x(pick['step'])}"
        out["keep"] = (f"keep checkpoint-{_fmt_x(pick['step'])} ({c.name} {pick['value']:.4g}); "
                       f"{len(good) - 1} other saved checkpoint(s) are equivalent within noise")
        if float(c.x[b]) not in saved:
            out["keep"] += (f"; the best evaluation itself (step {_fmt_x(c.x[b])}) was not saved: "
                            "set save_steps equal to eval_steps to keep it next time")
    else:
        out["best_never_saved"] = True
        out["keep"] = (f"the best evaluation ({c.name} {best:.4g} at step {_fmt_x(c.x[b])}) was never "
                       "saved and no saved checkpoint is within noise of it: set save_steps equal to "
                       "eval_steps (and load_best_model_at_end=True)")
    return out


def _equivalent_to_best(c: Curve, b: int, tol: float, last_worse: bool, climbed: bool) -> np.ndarray:
    """Which points are as good as the best (index ``b``) within ``tol``. Where the keep calls
    the last point worse, none it calls worse is in the band: not the last, and not any point of
    a climb since the best (a band of "epochs 2-4" under "the last epoch is worse" asked the
    user to reconcile the two); ``tol`` is then the noise that judgement used, where smaller."""
    in_band = c.y >= c.y[b] - tol if c.higher_better else c.y <= c.y[b] + tol
    if last_worse:
        in_band[-1] = False
        if climbed:
            in_band[b + 1:] = False
    return in_band


def climbed_since_best(c: Curve, b: int, ctx: Context) -> bool:
    """Every evaluation after the best (index ``b``, two or more) worse than the one before it,
    the last by ``healthy_end_worse`` of the best (and twice the noise, on a curve longer than
    ``short_curve_points``): a climb told by the order of its points where a short curve's few
    points make the noise a poor yardstick (val 0.852 -> 0.887 -> 0.918 over a 4-epoch run;
    0.0694 -> 0.0823 -> 0.0868, the kink itself doubling the noise of a 5-point curve)."""
    after = c.y[b:]
    if after.size < 3 or not bool(np.all(np.diff(after) > 0)):
        return False
    rise = float(after[-1] - after[0])
    # (twice the noise only where there are points enough to tell the noise from the climb)
    sigma = float(c.sigma) if c.n > ctx.th.short_curve_points else 0.0
    return rise >= max(ctx.th.healthy_end_worse * abs(float(after[0])), 2 * sigma)


def agree_with_keep(findings: list[Finding], summary: dict[str, Any], end_worse: float = 0.05, *,
                    restored: bool = False) -> list[Finding]:
    """A run no rule faults whose last evaluation is worse than its best beyond noise: the
    healthy verdict says so, as the keep line under it does (LABELS.md: a message never
    contradicts the keep advice). Such a rise is one the fault rules judged too small against
    the best, or too short, to call overfitting; "fell and settled" alone read as if the last
    weights were as good as any. Worse by ``end_worse`` of the best or more, the run is not
    called healthy at all: the keep advice is the change to make (``summary["unnamed"]``),
    unless the run ``restored`` its best weights already (early stopping made that change)."""
    if not summary.get("last_worse_than_best_beyond_noise") or "best_value" not in summary:
        return findings
    if any(f.severity in ("warning", "error") for f in findings):
        return findings
    best, last = float(summary["best_value"]), float(summary["last_value"])
    if not restored and abs(last - best) >= end_worse * abs(best) and any(f.code == "healthy" for f in findings):
        how = (f"{summary['selected_by']} got worse at each evaluation since its best" if summary.get("climbed_since_best")
               else "the last evaluation is worse than the best beyond its noise")
        summary["unnamed"] = f"no fault named, but not healthy: {how} (keep below)"
        return [f for f in findings if f.code != "healthy"]
    pct = f", {signed_pct((last - best) / abs(best))}" if best and abs(last - best) < 10 * abs(best) else ""
    text = (f"but {summary['selected_by']} ended worse than its best beyond its noise ({best:.4g} at "
            f"{summary['axis']} {_fmt_x(summary['best_at'])}, {last:.4g} at the last{pct}): keep the best "
            "checkpoint (below)")
    return [replace(f, message=f"{f.message}; {text}", evidence={**f.evidence, "last_worse_than_best": True})
            if f.code == "healthy" else f for f in findings]


def _fmt_x(x: float) -> str:
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:.2f}"


def keep_best_prescription(fmt: str | None, monitor: str) -> str:
    """How the user's own tool keeps the best weights next time, in its words."""
    hf_metric = monitor.replace("val_", "eval_", 1)
    if fmt and fmt.startswith("keras"):
        return f"In Keras: EarlyStopping(monitor='{monitor}', restore_best_weights=True)"
    if fmt == "huggingface":
        return (f"In the Trainer: load_best_model_at_end=True, metric_for_best_model='{hf_metric}', "
                "save_strategy equal to eval_strategy (and EarlyStoppingCallback to stop early)")
    if fmt == "lightning":
        return (f"In Lightning: ModelCheckpoint(monitor='{monitor}', save_top_k=1) and "
                f"EarlyStopping(monitor='{monitor}')")
    return (f"Keep a checkpoint at each new best {monitor} (Keras: EarlyStopping(restore_best_weights=True); "
            "Lightning: ModelCheckpoint(monitor=...); Hugging Face: load_best_model_at_end=True)")
