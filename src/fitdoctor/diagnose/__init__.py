"""Run every registered rule over a RunHistory and rank what they find.

Rule modules (curves, numerics, internals, data, ...) register themselves on import;
each rule is guarded, so a rule that fails on an odd run never takes the report down
(the failure is kept as a note).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Mapping

from fitdoctor.diagnose.base import RULES, Context, rule
from fitdoctor.diagnose.chance import init_chance
from fitdoctor.errors import BadInput
from fitdoctor.findings import Diagnosis, Finding, sort_findings
from fitdoctor.history import RunHistory
from fitdoctor.thresholds import with_overrides

_LOADED = False


def load_rules() -> None:
    global _LOADED
    if _LOADED:
        return
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in ("base",) and not mod.name.startswith("_"):
            importlib.import_module(f"fitdoctor.diagnose.{mod.name}")
    _LOADED = True


def as_history(run: Any) -> RunHistory:
    if isinstance(run, RunHistory):
        return run
    if hasattr(run, "history") and isinstance(getattr(run, "history"), Mapping):
        return RunHistory.from_dict(run.history, source="<keras History>", fmt="keras-history")
    if isinstance(run, Mapping):
        return RunHistory.from_dict(run)
    raise BadInput(f"cannot diagnose a {type(run).__name__}; expected a RunHistory, a dict of "
                   "lists or a Keras History")


def diagnose(run: Any, *, thresholds: Mapping[str, Any] | None = None,
             mute: tuple[str, ...] | list[str] = ()) -> Diagnosis:
    """Diagnose one run: a RunHistory, a dict of per-epoch lists, or a Keras History.

    ``thresholds`` overrides named constants (see ``fitdoctor.thresholds``);
    ``mute`` drops findings by code.
    """
    load_rules()
    history = as_history(run)
    if not history.series:
        raise BadInput("the run has no series; expected at least a loss curve")
    longest = max((len(s) for s in history.series.values()), default=0)
    any_nonfinite = any(s.n_nonfinite for s in history.series.values())
    if longest < 2 and not any_nonfinite:  # one NaN epoch is still worth a non_finite finding
        raise BadInput(f"{history.name}: only one {history.axis} of values; need at least 2 to judge "
                       "a training curve")
    th = with_overrides(thresholds)
    ctx = Context.build(history, th)
    init_chance(ctx)
    # curve rules read a step log at its evaluation cadence; the others keep every step
    aligned = history.per_evaluation()
    curves_ctx = ctx
    if aligned is not None:
        curves_ctx = Context.build(aligned, th)
        init_chance(curves_ctx)
    findings: list[Finding] = []
    for spec in RULES.values():
        try:
            out = spec.fn(curves_ctx if spec.family == "curves" else ctx)
        except Exception as exc:  # one rule failing must not hide the others
            history.note(f"rule {spec.name} failed: {type(exc).__name__}: {exc}")
            continue
        if out is None:
            continue
        findings.extend(out if isinstance(out, list) else [out])
    findings = [f for f in findings if f.code not in set(mute)]
    from fitdoctor.diagnose.resolve import resolve

    findings = resolve(sort_findings(findings), ctx)
    from fitdoctor.diagnose.summary import summarize

    summary = summarize(ctx)
    codes = {f.code for f in findings}
    if "chance_level" in codes:
        summary["keep"] = ("nothing worth keeping: the model learned nothing from the features; "
                           "fix the cause and train again")
    elif "non_finite" in codes and summary.get("selected_by"):
        summary["keep"] = (f"{summary['keep']}; nothing after the first NaN/inf is usable")
    return Diagnosis(findings=findings, history=history, summary=summary)


__all__ = ["diagnose", "rule", "Context", "RULES", "as_history"]
