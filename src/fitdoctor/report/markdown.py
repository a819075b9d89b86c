"""Diagnoses as GitHub-flavoured Markdown: for a pull request comment or a CI job summary.

    fitdoctor diagnose runs/ --markdown >> "$GITHUB_STEP_SUMMARY"

One table per run (its top findings, each with the numbers behind it), then the first fix
and what to keep; several runs get a ranking table first, the folds of a k-fold run one
table across folds. Every cell is escaped: names and messages come from other people's logs.
"""

from __future__ import annotations

from typing import Any, Sequence

from fitdoctor.findings import Diagnosis, Finding
from fitdoctor.report.terminal import evidence_items, extent, fmt_number, is_kfold

#: Findings shown per run (the rest are counted, and all are in --json).
TOP_FINDINGS = 3
#: Evidence pairs per finding.
EVIDENCE_SHOWN = 5
SEVERITY_MARK = {"error": "🛑 error", "warning": "⚠️ warning", "info": "ℹ️ info"}


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: no pipes, no newlines, no HTML, no backtick runs."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("|", "\\|").replace("`", "'")
    return s.strip()


def code(text: Any) -> str:
    return f"`{cell(text)}`"


def _span(f: Finding, unit: str) -> str:
    if f.span is None:
        return ""
    a, b = (fmt_number(float(v)) if float(v) != int(float(v)) else str(int(float(v))) for v in f.span)
    return f"{unit}s {a}–{b}" if a != b else f"{unit} {a}"


def _evidence(f: Finding) -> str:
    items = evidence_items(f.evidence)
    shown = " · ".join(f"{k} {v}" for k, v in items[:EVIDENCE_SHOWN])
    more = f" (+{len(items) - EVIDENCE_SHOWN})" if len(items) > EVIDENCE_SHOWN else ""
    return cell(shown + more)


def _fix(f: Finding) -> str:
    if not f.remedies:
        return ""
    r = f.remedies[0]
    changes = ", ".join(f"{k}: {v}" for k, v in r.config_changes.items())
    return cell(r.action) + (f" {code(changes)}" if changes else "")


def run_markdown(d: Diagnosis, *, heading: str = "###") -> str:
    h = d.history
    unit = h.unit
    lines = [f"{heading} fitdoctor · {cell(h.name)}", "",
             f"{cell(h.meta.get('format', '?'))}, {cell(extent(h))}", ""]
    findings = d.findings
    if not findings:
        unnamed = d.summary.get("unnamed")
        lines += [f"⚠️ {cell(unnamed)}" if unnamed else "✅ no findings", ""]
    else:
        lines += ["| # | severity | finding | where | what the curves show | evidence | first fix |",
                  "|---|---|---|---|---|---|---|"]
        for i, f in enumerate(findings[:TOP_FINDINGS], 1):
            lines.append(f"| {i} | {SEVERITY_MARK[f.severity]} | {code(f.code)} | {cell(_span(f, unit))} | "
                         f"{cell(f.message)} | {_evidence(f)} | {_fix(f)} |")
        if len(findings) > TOP_FINDINGS:
            rest = ", ".join(code(f.code) for f in findings[TOP_FINDINGS:])
            lines += ["", f"and {len(findings) - TOP_FINDINGS} more: {rest} (all of them in `--json`)"]
        lines.append("")
    muted = d.summary.get("muted") or []
    if muted:
        lines += [f"muted: {', '.join(code(m) for m in muted)} (hidden, not healthy)", ""]
    keep = d.summary.get("keep")
    if keep:
        lines += [f"**keep:** {cell(keep)}", ""]
    return "\n".join(lines)


def folds_markdown(diagnoses: Sequence[Diagnosis]) -> str:
    """A k-fold run: each finding once, with the folds that show it."""
    from fitdoctor.findings import SEVERITY_RANK

    n = len(diagnoses)
    h0 = diagnoses[0].history
    by_code: dict[str, list[tuple[int, Finding]]] = {}
    for k, d in enumerate(diagnoses):
        for f in d.findings:
            by_code.setdefault(f.code, []).append((k, f))

    def worst(c: str) -> Finding:
        return max((f for _, f in by_code[c]), key=lambda f: (SEVERITY_RANK[f.severity], f.priority))

    order = sorted(by_code, key=lambda c: (-SEVERITY_RANK[worst(c).severity], -len(by_code[c]), -worst(c).priority))
    lines = [f"### fitdoctor · k-fold, {n} folds", "", f"{cell(h0.meta.get('format', '?'))}", "",
             "| # | severity | finding | folds | what the curves show (first fold showing it) | evidence |",
             "|---|---|---|---|---|---|"]
    for i, c in enumerate(order, 1):
        f = worst(c)
        folds = sorted({k + 1 for k, _ in by_code[c]})
        lines.append(f"| {i} | {SEVERITY_MARK[f.severity]} | {code(c)} | {len(folds)}/{n} "
                     f"({', '.join(map(str, folds))}) | {cell(f.message)} | {_evidence(f)} |")
    if not order:
        lines.append("| | | no findings in any fold | | | |")
    return "\n".join(lines) + "\n"


def diagnoses_markdown(diagnoses: Sequence[Diagnosis]) -> str:
    """The whole verdict for one or more runs, as Markdown."""
    diagnoses = list(diagnoses)
    if is_kfold(diagnoses):
        return folds_markdown(diagnoses)
    if len(diagnoses) == 1:
        return run_markdown(diagnoses[0])
    from fitdoctor.report.multirun import rank_runs, ranking_notes

    rows = rank_runs(diagnoses)
    lines = [f"## fitdoctor · {len(diagnoses)} runs, best first", "",
             "| # | run | best | at | top finding |", "|---|---|---|---|---|"]
    for r in rows:
        best = f"{r['selected_by']} {fmt_number(r['best_value'])}" if r["best_value"] is not None else "-"
        sev = r.get("severity") or "info"
        top = f"{SEVERITY_MARK.get(sev, '')} {code(r['top_finding'])}" if r["top_finding"] else "-"
        at = fmt_number(r["best_at"]) if r["best_at"] is not None else "-"
        lines.append(f"| {r['rank']} | {cell(r['run'])} | {cell(best)} | {cell(at)} | {top} |")
    for note in ranking_notes(diagnoses, rows):
        lines += ["", note]
    lines.append("")
    for r in rows:
        lines.append(run_markdown(diagnoses[r["index"]]))
    return "\n".join(lines)
