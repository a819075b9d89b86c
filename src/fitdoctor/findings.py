"""Finding, Remedy and Diagnosis: what fitdoctor concludes, and how it is shown.

Finding codes are public API (see FINDINGS.md); tools and CI gates match on them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from fitdoctor import codes as _codes
from fitdoctor.history import RunHistory

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

#: Every code fitdoctor may emit (FINDINGS.md): the rows of the code table, its one home.
CODES = _codes.CODES


@dataclass
class Remedy:
    """One concrete change to try; ``config_changes`` uses run-config keys where one exists."""

    action: str
    config_changes: dict[str, Any] = field(default_factory=dict)
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "config_changes": self.config_changes, "why": self.why}


@dataclass
class Finding:
    """A conclusion about a run, with the numbers that prove it."""

    code: str
    severity: str
    message: str
    span: tuple[float, float] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""
    remedies: list[Remedy] = field(default_factory=list)
    #: Relative importance inside a severity: a root cause outranks what it explains
    #: (the code table's priority unless a rule says otherwise).
    priority: int | None = None
    #: How sure the rule is (0..1); short or noisy runs lower it.
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        row = _codes.BY_NAME[self.code]
        if self.priority is None:
            self.priority = row.priority
        if not self.explanation:
            self.explanation = row.explanation
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def __repr__(self) -> str:
        """One line: code, severity and the start of the message (the dataclass's own repr,
        evidence and remedies included, ran to a thousand characters)."""
        msg = self.message if len(self.message) <= 90 else self.message[:89] + "…"
        return f"Finding({self.code} ({self.severity}): {msg!r})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "span": list(self.span) if self.span is not None else None,
            "evidence": _jsonable(self.evidence),
            "message": self.message,
            "explanation": self.explanation,
            "confidence": round(float(self.confidence), 3),
            "remedies": [r.to_dict() for r in self.remedies],
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most important first: severity, then the rule's priority (root causes first)."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], -f.priority))


@dataclass
class Diagnosis:
    """Ordered findings for one run, plus the run itself."""

    findings: list[Finding]
    history: RunHistory
    #: Facts about the run every user wants: best epoch, what to keep, baselines.
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def top(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def worst_severity(self) -> str | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.history.name,
            "findings": [f.to_dict() for f in self.findings],
            "summary": _jsonable(self.summary),
            "history": self.history.summary(),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def __rich__(self):  # pragma: no cover - thin wrapper
        from fitdoctor.report.terminal import render_diagnosis

        return render_diagnosis(self)

    def _repr_html_(self) -> str:
        from fitdoctor.report.notebook import diagnosis_html

        return diagnosis_html(self)

    def __repr__(self) -> str:
        """One line: the run, each finding with its severity, the best point (no arrays)."""
        found = ", ".join(f"{f.code} ({f.severity})" for f in self.findings) or "no findings"
        s = self.summary
        best = ""
        if s.get("selected_by") and s.get("best_at") is not None:
            at = float(s["best_at"])
            best = (f"; best {s['selected_by']} {float(s['best_value']):.4g} at {s.get('axis', 'epoch')} "
                    f"{int(at) if at == int(at) else round(at, 2)}")
        return f"Diagnosis({self.history.name!r}: {found}{best})"


@dataclass
class AcrossUnits:
    """One finding code across the folds (or seeds) of a run: its worst instance and where."""

    code: str
    worst: Finding            # the most severe, then highest-priority instance
    units: list[int]          # the 0-based units that show it, in order
    first: int                # the unit whose instance is ``worst``


def across_units(findings_per_unit: Sequence[Sequence[Finding]]) -> list[AcrossUnits]:
    """Each code once, most severe first, then the most widespread, then by priority: the
    order the terminal and the HTML report both show a k-fold run's findings in."""
    by_code: dict[str, list[tuple[int, Finding]]] = {}
    for k, fs in enumerate(findings_per_unit):
        for f in fs:
            by_code.setdefault(f.code, []).append((k, f))
    out = []
    for code, hits in by_code.items():
        k0, worst = max(hits, key=lambda kf: (SEVERITY_RANK[kf[1].severity], kf[1].priority or 0, -kf[0]))
        out.append(AcrossUnits(code, worst, sorted({k for k, _ in hits}), k0))
    out.sort(key=lambda a: (-SEVERITY_RANK[a.worst.severity], -len(a.units), -(a.worst.priority or 0)))
    return out


def _jsonable(obj: Any) -> Any:
    """Make numbers JSON-safe: NaN/inf become strings, numpy scalars become floats."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        try:
            obj = obj.item()
        except (ValueError, TypeError):
            return str(obj)
    if isinstance(obj, float):
        if math.isnan(obj):
            return "nan"
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
        return obj
    if isinstance(obj, (int, str, bool)) or obj is None:
        return obj
    return str(obj)
