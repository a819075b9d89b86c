"""Render diagnoses in the terminal with rich: curves as sparklines, findings ranked.

Plain text when piped or NO_COLOR is set (rich handles both); ASCII sparklines
when the terminal cannot show block characters.
"""

from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from fitdoctor.findings import Diagnosis, Finding
from fitdoctor.history import higher_is_better
from fitdoctor.report.sparkline import sparkline

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def output_console(*, stderr: bool = False) -> Console:
    """A console for results: hard-wraps at the terminal's width, never when piped.

    Rich wraps piped output at 80 columns, which splits evidence lines and breaks
    `grep` on a saved log; a pager or editor wraps better than we can.
    """
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return Console(stderr=stderr, highlight=False)
    # piped: text lines stay whole; tables (the sparkline grid) get room to keep their columns
    width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 120
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=max(width, 100))


def extent(h) -> str:
    """"40 epochs", or "100 points over 10 epochs" when a loop logged inside each epoch."""
    if h.axis == "epoch":
        xs = [float(s.steps[-1]) for s in h.series.values() if len(s)]
        fractional = any(np.any(s.steps != np.round(s.steps)) for s in h.series.values() if len(s))
        if fractional and xs:
            return f"{h.n_points} points over {math.ceil(max(xs))} epochs"
    return f"{h.n_points} {h.axis}s"


def fmt_number(v) -> str:
    """Numbers as a practitioner reads them: 4 significant digits, 3 for tiny or huge."""
    if isinstance(v, float):
        if v != v:
            return "nan"
        if abs(v) >= 1e4 or (abs(v) < 1e-3 and v != 0):
            return f"{v:.3g}"
        return f"{v:.4g}"
    return str(v)


def _position(x: float) -> str:
    """An epoch or step as people count them: 44000, not 4.4e+04; 2.5 for a fraction."""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else fmt_number(x)


def _span(f: Finding, unit: str) -> str:
    if f.span is None:
        return ""
    a, b = f.span
    a_s, b_s = _position(float(a)), _position(float(b))
    return f"{unit}s {a_s}-{b_s}" if a != b else f"{unit} {a_s}"


def render_diagnosis(d: Diagnosis, *, show_series: bool = False, ascii: bool | None = None) -> Group:
    if ascii is None:
        ascii = os.environ.get("TERM") == "dumb"
    h = d.history
    parts: list = []
    fmt = h.meta.get("format", "?")
    title = Text.assemble(("fitdoctor", "bold"), " · ", (h.name, "bold"),
                          f"  ({fmt}, {extent(h)})")
    parts.append(title)
    curves = Table.grid(padding=(0, 1))
    keys = dict.fromkeys(k for k in ("loss", "val_loss", d.summary.get("selected_by"), "lr") if k)
    for key in keys:
        if key not in h.series:
            continue
        s = h.series[key]
        fin = s.values[s.values == s.values]
        first = fmt_number(float(s.values[0])) if len(s) else ""
        last = fmt_number(float(s.values[-1])) if len(s) else ""
        best = ("max", fin.max) if higher_is_better(key) else ("min", fin.min)
        extra = f"  {best[0]} {fmt_number(float(best[1]()))}" if fin.size and key != "lr" else ""
        curves.add_row(Text(key, style="bold"), Text(sparkline(s.values, 40, ascii=ascii)),
                       Text(f"{first} -> {last}{extra}"))
    parts.append(curves)
    unit = h.axis
    muted = d.summary.get("muted") or []
    if not d.findings:
        parts.append(Text("no other findings", style="dim") if muted else Text("no findings", style="green"))
    for i, f in enumerate(d.findings, 1):
        parts.extend(finding_lines(i, f, unit))
    if muted:  # hidden, not healthy: say so, so a muted run never reads as a clean one
        n = len(muted)
        parts.append(Text(f"muted: {', '.join(muted)} ({n} finding{'s' if n != 1 else ''} hidden)", style="yellow"))
    keep = d.summary.get("keep")
    if keep:
        parts.append(Text("keep: " + keep, style="bold"))
    if show_series:
        parts.append(series_table(d))
    notes = h.meta.get("notes") or []
    for n in notes[:10]:
        parts.append(Text("note: " + n, style="dim"))
    return Group(*parts)


def finding_lines(i: int, f: Finding, unit: str | None = None) -> list[Text]:
    """One ranked finding: code and severity, message, evidence, why, and numbered fixes."""
    span = f"  {_span(f, unit)}" if unit else ""
    lines = [Text.assemble(f"{i}. ", (f.severity.upper(), SEVERITY_STYLE[f.severity]), " ",
                           (f.code, "bold"), span),
             Text("   " + f.message)]
    ev = ", ".join(f"{k}={fmt_number(v)}" for k, v in f.evidence.items() if not isinstance(v, (list, dict)))
    if ev:
        lines.append(Text("   evidence: " + ev, style="dim"))
    if f.explanation:
        lines.append(Text("   why: " + f.explanation))
    for j, r in enumerate(f.remedies, 1):
        cfg = ""
        if r.config_changes:
            cfg = "  [" + ", ".join(f"{k}: {v}" for k, v in r.config_changes.items()) + "]"
        lines.append(Text(f"   fix {j}: {r.action}{cfg}", style="green"))
    return lines


def series_table(d: Diagnosis) -> Table:
    t = Table(title="how the log was read", show_lines=False)
    for col in ("series", "role", "raw name", "axis", "points", "non-finite", "last"):
        t.add_column(col)
    for row in d.history.summary()["series"]:
        t.add_row(row["name"], row["role"], row["raw_name"], row["axis"], str(row["length"]),
                  str(row["non_finite"]), fmt_number(row["last"]))
    return t


def runs_table(diagnoses: Sequence[Diagnosis]) -> Table:
    from fitdoctor.report.multirun import rank_runs

    rows = rank_runs(diagnoses)
    t = Table(title=f"{len(rows)} runs, best first")
    for col in ("#", "run", "points", "best", "at", "top finding"):
        t.add_column(col)
    for r in rows:
        best = f"{r['selected_by']} {fmt_number(r['best_value'])}" if r["best_value"] is not None else "-"
        sev = r["severity"] or "info"
        t.add_row(str(r["rank"]), r["run"], str(r["points"]), best, fmt_number(r["best_at"]),
                  Text(r["top_finding"] or "-", style=SEVERITY_STYLE.get(sev, "")))
    if rows and "beyond_noise" in rows[0]:
        t.caption = ("the best run beats the next beyond noise" if rows[0]["beyond_noise"]
                     else "the best run is within noise of the next: not a real difference")
    return t


def print_diagnoses(diagnoses: Sequence[Diagnosis], *, show_series: bool = False,
                    console: Console | None = None) -> None:
    console = console or output_console()
    if len(diagnoses) > 1:
        console.print(runs_table(diagnoses))
        console.print()
    for i, d in enumerate(diagnoses):
        if i:
            console.print()
        console.print(render_diagnosis(d, show_series=show_series))
