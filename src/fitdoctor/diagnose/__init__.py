"""Run every registered rule over a RunHistory and rank what they find.

Rule modules (curves, numerics, internals, data, ...) register themselves on import;
each rule is guarded, so a rule that fails on an odd run never takes the report down
(the failure is kept as a note).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from typing import Any, Mapping

import numpy as np

from fitdoctor.diagnose.base import RULES, Context, rule
from fitdoctor.diagnose.chance import init_chance
from fitdoctor.diagnose.engine import run_rules
from fitdoctor.errors import BadInput
from fitdoctor.findings import Diagnosis, Finding, sort_findings
from fitdoctor.history import RunHistory
from fitdoctor.thresholds import with_overrides

#: the rule families that judge a run (the data family judges a dataset: ``check-data``)
RUN_FAMILIES = ("curves", "numerics", "internals", "run")

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
    """A RunHistory, a log file or folder (a path, read as ``fitdoctor.read`` reads it), a dict
    of per-epoch lists, a Keras History, or a pandas DataFrame (columns are series, the index
    is the epoch; an ``epoch`` or ``step`` column, as ``pd.read_csv`` of a CSVLogger file
    gives, is the axis instead)."""
    if isinstance(run, RunHistory):
        return run
    if isinstance(run, (str, os.PathLike)):
        from fitdoctor.io import read

        return read(run)
    from fitdoctor.io.meaning import interpret

    if hasattr(run, "history") and isinstance(getattr(run, "history"), Mapping):
        return interpret(RunHistory.from_dict(run.history, source="<keras History>", fmt="keras-history"))
    if isinstance(run, Mapping):
        return interpret(RunHistory.from_dict(run))
    if hasattr(run, "columns") and hasattr(run, "index") and hasattr(run, "to_numpy"):
        import numpy as np

        from fitdoctor.history import canonical_name

        cols = [str(c) for c in run.columns]
        lower = [c.strip().lower() for c in cols]
        axis_col = next((c for c, low in zip(cols, lower) if low in ("epoch", "step")), None)
        if axis_col is not None:
            axis = axis_col.strip().lower()
            steps = np.asarray(run[axis_col].to_numpy(), dtype=float)
        else:
            index_name = str(getattr(run.index, "name", "") or "").strip().lower()
            axis = "step" if index_name == "step" else "epoch"
            try:
                steps = np.asarray(run.index.to_numpy(), dtype=float)
            except (TypeError, ValueError):
                steps = np.arange(len(run), dtype=float)
        h = RunHistory(meta={"source": "<DataFrame>", "format": "dataframe"})
        for col in cols:
            if col == axis_col:
                continue
            try:
                values = np.asarray(run[col].to_numpy(), dtype=float)
            except (TypeError, ValueError):
                h.note(f"ignored column {col!r}: not numbers")
                continue
            # a NaN before a logged value is a row where this series was not logged (sparse
            # Lightning-style tables); NaN only at the end is what the run produced (it blew up)
            nan = np.isnan(values)
            finite_at = np.flatnonzero(~nan)
            gaps = finite_at.size and nan[:finite_at[-1]].any()
            keep = ~nan if gaps else np.ones(values.size, bool)
            if keep.any():
                h.add(canonical_name(col), steps[keep], values[keep], raw_name=col, axis=axis)
        return interpret(h)
    raise BadInput(f"cannot diagnose a {type(run).__name__}; expected a RunHistory, a log file's "
                   "path, a dict of lists, a Keras History or a pandas DataFrame")


def diagnose(run: Any, *, thresholds: Mapping[str, Any] | None = None,
             mute: tuple[str, ...] | list[str] = (), partial: bool = False) -> Diagnosis:
    """Diagnose one run: a RunHistory, a log file or folder's path, a dict of per-epoch lists,
    a Keras History or a pandas DataFrame.

    ``partial``: the run is still training (a live callback, ``watch``): rules that judge a
    finished run (``still_improving``, ``healthy``, ``below_baseline``) stay quiet.

    ``thresholds`` overrides named constants (see ``fitdoctor.thresholds``);
    ``mute`` hides findings by code (``summary["muted"]`` lists the codes hidden); a run
    with a hidden finding is never declared healthy.
    """
    mute = _check_mute(mute)
    load_rules()
    history = as_history(run)
    placeholders = history.placeholder_losses()
    if placeholders and len(placeholders) < len(history.series):
        shown = ", ".join(history.series[n].raw_name or n for n in placeholders)
        history.note(f"{shown} {'is' if len(placeholders) == 1 else 'are'} exactly 0 at every point: printed, "
                     "never computed, so not judged")
        history = history.without(placeholders)
    if not history.series:
        raise BadInput("the run has no series; expected at least a loss curve")
    longest = max((len(s) for s in history.series.values()), default=0)
    any_nonfinite = any(s.n_nonfinite for s in history.series.values())
    if longest < 2 and not any_nonfinite:  # one NaN epoch is still worth a non_finite finding
        raise BadInput(f"{history.name}: only one {history.axis} of values; need at least 2 to judge "
                       "a training curve")
    th = with_overrides(thresholds)
    # a blown-up run's values overflow numpy's squares (a perplexity of 6e278): the rules read
    # inf and nan as what they are, and numpy's warnings are not for the user's terminal
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _judged(history, th, mute, partial)


def _judged(history: RunHistory, th: Any, mute: frozenset[str], partial: bool) -> Diagnosis:
    """:func:`diagnose` once the run is read and checked: the rules, resolved and summarized."""
    ctx = Context.build(history, th, partial=partial)
    init_chance(ctx)
    curves_history = history
    cut = history.first_nonfinite_train_loss()
    if cut is not None:
        # the curve rules judge the run up to its first NaN train loss: the weights are gone
        # after it (non_finite, a numerics rule, sees the whole run)
        curves_history = history.before(cut)
    aligned = curves_history.per_evaluation() or (curves_history if curves_history is not history else None)
    curves_ctx = ctx
    if aligned is not None:
        curves_ctx = Context.build(aligned, th, partial=partial)
        init_chance(curves_ctx)
    # curve rules read a step log at its evaluation cadence; the others keep every step
    findings = run_rules({"curves": curves_ctx, "*": ctx}, families=RUN_FAMILIES, partial=partial,
                         note=history.note)
    from fitdoctor.diagnose.resolve import resolve

    findings = resolve(sort_findings(findings), ctx)
    if isinstance(history.meta.get("config"), Mapping):  # a run of the built-in trainer
        try:
            from fitdoctor.remedies_apply import drop_applied
        except ImportError:  # the config model needs the train extra (pydantic)
            pass
        else:
            drop_applied(findings, history.meta["config"])
    from fitdoctor.diagnose.curves.progress import say_annealed
    from fitdoctor.diagnose.curves.messages import signed_pct
    from fitdoctor.diagnose.summary import agree_with_keep, summarize

    codes = {f.code for f in findings}
    summary = summarize(ctx, overfitting="overfitting" in codes,
                        held_shift=any(f.code == "overfitting" and "shift_z" in (f.evidence or {}) for f in findings),
                        val_loss_turned=any(f.code == "overfitting" and (f.evidence or {}).get("three_evaluation_turn")
                                            for f in findings))
    if "chance_level" in codes:
        agent = any(f.code == "chance_level" and "return" in (f.evidence or {}) for f in findings)
        summary["keep"] = ("nothing worth keeping: the agent learned nothing from its episodes; fix the cause and "
                           "train again" if agent else "nothing worth keeping: the model learned nothing from the "
                           "features; fix the cause and train again")
    elif any(f.code == "diverging" and (f.evidence or {}).get("below_zero_without_floor") for f in findings):
        summary["keep"] = ("nothing worth keeping: the loss has no floor, so its lowest epoch is only its most "
                           "broken one; fix the objective and train again")
    elif (zero := next((f for f in findings if f.code == "non_finite" and (f.evidence or {}).get("zero_points")),
                       None)) is not None:
        summary["keep"] = (f"nothing after {history.axis} {zero.evidence['first_at']:g} is usable: the loss logged as "
                           "0 from there is NaN filtered out of the Trainer's log; keep a checkpoint from before it, "
                           "fix the cause and train again")
    elif "non_finite" in codes and summary.get("selected_by"):
        # a loop that skipped its NaN batches (it said so) logged only finite steps: the curve is
        # usable, the skipped batches are what is missing from it
        skipped = all("notices" in (f.evidence or {}) for f in findings if f.code == "non_finite")
        summary["keep"] = (f"{summary['keep']}; " + ("the steps the loop skipped as NaN are not in it" if skipped
                                                     else "nothing after the first NaN/inf is usable"))
    findings = agree_with_keep(findings, summary, ctx.th.healthy_end_worse,
                               restored=isinstance(history.meta.get("restored_best"), dict))
    findings = say_annealed(findings, curves_ctx)
    if not findings and not partial and "unnamed" not in summary:
        # the healthy rule declines a run where nothing fell, or fell by a sliver: "no findings"
        # in green read as a clean bill for a log whose curves never moved (a loss printed as
        # 0.0000 every epoch) or moved 1%
        moved = curves_ctx.facts.get("barely_moved")
        frozen = curves_ctx.facts.get("validation_frozen")
        above = curves_ctx.facts.get("val_ended_above_start")
        if above and not moved and not frozen:
            summary["unnamed"] = (f"no fault named, but not healthy: {above['curve']} ended above where it began "
                                  f"({above['first']:.4g} -> {above['last']:.4g}, "
                                  f"{signed_pct(above['last'] / above['first'] - 1)}) while training went on: validation "
                                  "did not fall and settle")
        elif frozen and not moved:
            summary["unnamed"] = (f"no verdict, and not healthy: {frozen['curve']} held {frozen['low']:.4g}-{frozen['high']:.4g} "
                                  f"at every one of its {frozen['evaluations']} evaluations while training went on: "
                                  "validation never moved, so what the model learned did not reach it (its outputs "
                                  "there may be constant: an empty mask, one class)")
        elif (few := curves_ctx.facts.get("too_few_to_settle")) is not None and not moved:
            summary["unnamed"] = (f"no verdict: only {few['points']} {few['axis']}{'s' if few['points'] != 1 else ''} logged ({few['curve']} "
                                  f"{few['first']:.4g} -> {few['last']:.4g}): two points show a change, not whether "
                                  "it settled; judge it again after more")
        elif moved:
            falls = ", ".join(f"{name} {-share:.1%}" for name, share in moved.items())
            summary["unnamed"] = (f"no verdict: the losses barely moved over the whole log ({falls} at their lowest): "
                                  "the model converged before the first logged point, or it learned nothing; the "
                                  "curves cannot tell which, so compare the level with what the task allows (a "
                                  "simple baseline, a published score)")
        else:
            read = ", ".join(list(history.series)[:4]) + (", ..." if len(history.series) > 4 else "")
            summary["unnamed"] = (f"no verdict: no curve read here ({read}) fell or rose beyond its noise in a way "
                                  "a rule can judge, so neither healthy nor a fault can be said")
    if mute:  # hide, after resolve: muting changes what is shown, not what the run is
        hidden = [f.code for f in findings if f.code in mute]
        findings = [f for f in findings if f.code not in mute and not (hidden and f.code == "healthy")]
        summary["muted"] = hidden
    return Diagnosis(findings=findings, history=history, summary=summary)


def _check_mute(mute: Any) -> frozenset[str]:
    """The codes to mute; BadInput naming an unknown one (a typo would silently mute nothing)."""
    import difflib

    from fitdoctor.findings import CODES

    codes = [mute] if isinstance(mute, str) else list(mute or ())
    for code in codes:
        if code not in CODES:
            near = difflib.get_close_matches(str(code), CODES, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise BadInput(f"unknown finding code {code!r} to mute{hint}; expected one of: {', '.join(CODES)}")
    return frozenset(codes)


__all__ = ["diagnose", "rule", "Context", "RULES", "as_history"]
