"""The one rule engine: every registered rule (curves, numerics, internals, run, data) runs here,
under one failure policy.

A rule is a function registered with :func:`fitdoctor.diagnose.base.rule`; the engine picks the
rules of the families asked for, hands each the context of its subject (a run's
:class:`~fitdoctor.diagnose.base.Context`, or a dataset's ``DataContext`` for the data family),
skips end-of-run rules on a ``partial`` run, and collects what they find. The failure policy:
``BadInput`` is the user's input being wrong and propagates; any other exception inside a rule
is that rule's bug, so it becomes a note (the other rules still speak) and never a traceback.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from fitdoctor.diagnose.base import RULES, RuleSpec
from fitdoctor.errors import BadInput
from fitdoctor.findings import Finding


def run_rules(contexts: Mapping[str, Any], *, families: Iterable[str] | None = None,
              partial: bool = False, skip: Iterable[str] = (),
              note: Callable[[str], None] | None = None) -> list[Finding]:
    """Run the registered rules of ``families`` (default: every family in ``contexts``).

    ``contexts`` maps a family to the context its rules read (``"*"`` for any family not
    named); ``skip`` names rules not to run; ``note`` receives one line per failing rule.
    """
    wanted = set(families) if families is not None else set(contexts) - {"*"}
    skipped = set(skip)
    found: list[Finding] = []
    for spec in list(RULES.values()):
        if spec.family not in wanted or spec.name in skipped or (partial and spec.end_of_run):
            continue
        ctx = contexts.get(spec.family, contexts.get("*"))
        if ctx is None:
            continue
        out = _guarded(spec, ctx, note)
        if out:
            found.extend(out)
    return found


def _guarded(spec: RuleSpec, ctx: Any, note: Callable[[str], None] | None) -> list[Finding]:
    try:
        out = spec.fn(ctx)
    except BadInput:
        raise
    except Exception as exc:  # one rule failing must not hide the others
        if note is not None:
            note(f"rule {spec.name} failed: {type(exc).__name__}: {exc}")
        return []
    if out is None:
        return []
    return list(out) if isinstance(out, list) else [out]
