"""Make the findings of one run agree with each other.

Rules run independently; this step removes what a stronger finding explains
(``healthy`` never stands beside a warning; ``diverging`` is explained by the
``non_finite`` it led to and stays, ranked after it) and keeps the order
most-important-first.
"""

from __future__ import annotations

from fitdoctor import codes as _codes
from fitdoctor.diagnose.base import Context
from fitdoctor.findings import Finding, sort_findings

#: code -> codes it makes redundant when both fire (the first explains the others); from the
#: code table (fitdoctor.codes).
EXPLAINS: dict[str, tuple[str, ...]] = _codes.EXPLAINS


def resolve(findings: list[Finding], ctx: Context) -> list[Finding]:
    findings = _answered_by_the_run(_one_per_code(sort_findings(findings)), ctx)
    # a remark (info) explains nothing away: only a diagnosis does
    codes = {f.code for f in findings if f.severity != "info"}
    drop: set[str] = set()
    for code, explained in EXPLAINS.items():
        if code in codes:
            drop.update(c for c in explained if c != code)
    kept = [f for f in findings if f.code not in drop or f.code in _never_dropped(findings)]
    if any(f.severity in ("warning", "error") for f in kept):
        kept = [f for f in kept if f.code != "healthy"]
    return sort_findings(kept)


def _never_dropped(findings: list[Finding]) -> set[str]:
    """Errors are never hidden by another finding."""
    return {f.code for f in findings if f.severity == "error"}


def _one_per_code(findings: list[Finding]) -> list[Finding]:
    """Two rules may reach the same code (curves and probes both see a too-high lr): keep the
    higher-ranked finding and fold the other's evidence into it under ``also``."""
    kept: dict[str, Finding] = {}
    for f in findings:
        if f.code in kept:
            kept[f.code].evidence.setdefault("also", f.message)
        else:
            kept[f.code] = f
    return list(kept.values())


def _answered_by_the_run(findings: list[Finding], ctx: Context) -> list[Finding]:
    """A finding whose first remedy the run already applied becomes a remark: with the best
    epoch's weights restored by early stopping, the model kept is not the overfit one."""
    from dataclasses import replace

    restored = ctx.history.meta.get("restored_best") if ctx.history is not None else None
    if not isinstance(restored, dict) or restored.get("at") is None:
        return findings
    out = []
    for f in findings:
        if f.severity == "warning" and _codes.get(f.code).answered_by_restored_best:
            note = (f"; early stopping restored the weights of {f.evidence.get('axis', 'epoch')} "
                    f"{restored['at']:g} (best {restored.get('monitor', 'val_loss')}), so the model kept is the "
                    f"best one, not the last")
            f = replace(f, severity="info", message=f.message + note,
                        evidence={**f.evidence, "restored_best_at": restored["at"]})
        out.append(f)
    return out
