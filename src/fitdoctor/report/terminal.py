"""Render diagnoses in the terminal with rich: curves as sparklines, findings ranked.

Plain text when piped or NO_COLOR is set (rich handles both); ASCII sparklines
when the terminal cannot show block characters.
"""

from __future__ import annotations

import math
import os
import re
from typing import Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from fitdoctor.findings import Diagnosis, Finding
from fitdoctor.history import higher_is_better
from fitdoctor.report.sparkline import sparkline

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


#: Narrowest layout we wrap to; below this, lines wrap however the terminal wraps them.
MIN_WIDTH = 40
#: Evidence entries shown per finding in the terminal (all of them are in --json).
EVIDENCE_SHOWN = 6


def columns_env() -> int | None:
    """``COLUMNS`` when it is set to a width, else None."""
    cols = os.environ.get("COLUMNS", "").strip()
    return int(cols) if cols.isdigit() and int(cols) > 0 else None


def output_console(*, stderr: bool = False) -> Console:
    """A console for results: wraps at the terminal's width (``COLUMNS`` when set, piped or
    not), with wrapped lines indented under their text.

    Piped without ``COLUMNS``, text lines stay whole (one finding line is one line, so
    ``grep`` on a saved log works; a pager wraps better than we can) and tables get 120
    columns.
    """
    width = columns_env()
    probe = Console(stderr=stderr)
    if probe.is_terminal or width is not None:
        return Console(stderr=stderr, highlight=False, width=max(width, MIN_WIDTH) if width else None)
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=120)


class Hanging:
    """``label`` then ``text``, with wrapped lines starting under the text (a hanging indent).

    On a console that does not wrap (piped without ``COLUMNS``) it is one long line.
    """

    def __init__(self, indent: int, label: Text | str, text: Text | str, style: str = "") -> None:
        self.indent = indent
        self.label = label if isinstance(label, Text) else Text(label)
        self.text = text if isinstance(text, Text) else Text(text)
        self.style = style

    def plain_line(self) -> Text:
        line = Text(" " * self.indent, style=self.style)
        line.append_text(self.label)
        line.append_text(self.text)
        return line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lead = self.indent + self.label.cell_len
        if console.soft_wrap or options.max_width - lead < 20:
            yield self.plain_line()
            return
        body = self.text.copy()
        body.stylize(self.style)
        for i, line in enumerate(body.wrap(console, options.max_width - lead)):
            line.rstrip()
            if i == 0:
                head = Text(" " * self.indent, style=self.style)
                head.append_text(self.label)
            else:
                head = Text(" " * lead)
            yield Text.assemble(head, line)


class Evidence:
    """A finding's evidence as aligned ``name  value`` pairs, as many per row as fit;
    the first few only (the rules put the telling numbers first), the rest in --json."""

    def __init__(self, evidence: dict, indent: int = 3, limit: int = EVIDENCE_SHOWN) -> None:
        self.items = evidence_items(evidence)
        self.hidden = max(0, len(self.items) - limit)
        self.items = self.items[:limit]
        self.indent = indent

    def __bool__(self) -> bool:
        return bool(self.items)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        more = f"(+{self.hidden} more in --json)" if self.hidden else ""
        label = " " * self.indent + "evidence: "
        if console.soft_wrap:
            yield Text(label + " · ".join(f"{k} {v}" for k, v in self.items) + (f"  {more}" if more else ""),
                       style="dim")
            return
        kw = max(len(k) for k, _ in self.items)
        vw = max(len(v) for _, v in self.items)
        cell = kw + 1 + vw
        room = options.max_width - len(label)
        per_row = max(1, min(len(self.items), (room + 3) // (cell + 3)))
        for r in range(0, len(self.items), per_row):
            line = Text(label if r == 0 else " " * len(label), style="dim")
            for j, (k, v) in enumerate(self.items[r:r + per_row]):
                if j:
                    line.append("   ")
                line.append(k.ljust(kw + 1), style="dim")
                line.append(v.ljust(vw) if j < per_row - 1 else v)
            line.rstrip()
            yield line
        if more:
            yield Text(" " * len(label) + more, style="dim")


def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """(name, value) pairs worth showing: numbers, flags and short words; no lists, tables
    or long sentences (those are in --json)."""
    out = []
    for k, v in evidence.items():
        if isinstance(v, (list, tuple, dict)) or k == "also":
            continue
        if isinstance(v, bool):
            text = "yes" if v else "no"
        elif isinstance(v, (int, float)) or hasattr(v, "item"):
            text = fmt_number(float(v)) if not isinstance(v, int) else str(v)
        else:
            text = str(v)
            if len(text) > 28:
                continue
        out.append((str(k), text))
    return out


def extent(h) -> str:
    """"40 epochs", or "100 points over 10 epochs" when a loop logged inside each epoch, or "38
    points over 37000 steps" when a step log records every few hundred steps."""
    xs = [float(s.steps[-1]) for s in h.series.values() if len(s)]
    if h.axis == "epoch":
        fractional = any(np.any(s.steps != np.round(s.steps)) for s in h.series.values() if len(s))
        if fractional and xs:
            return f"{h.n_points} points over {math.ceil(max(xs))} epochs"
    elif h.axis == "step" and xs and max(xs) > h.n_points:
        return f"{h.n_points} points over {max(xs):.0f} steps"
    return f"{h.n_points} {h.unit}{'s' if h.n_points != 1 else ''}"


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
    # "to" where a hyphen would read as a minus sign (a 0-based log's epoch 0 batches sit before 0)
    return (f"{unit}s {a_s}{' to ' if a < 0 else '-'}{b_s}") if a != b else f"{unit} {a_s}"


def render_diagnosis(d: Diagnosis, *, show_series: bool = False, ascii: bool | None = None) -> Group:
    if ascii is None:
        ascii = os.environ.get("TERM") == "dumb"
    h = d.history
    parts: list = []
    fmt = h.meta.get("format", "?")
    title = Text.assemble(("fitdoctor", "bold"), " · ", (h.name, "bold"),
                          f"  ({fmt}, {extent(h)})")
    parts.append(title)
    rows = []
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
        rows.append((key, s.values, f"{first} -> {last}{extra}"))
    parts.append(Sparklines(rows, ascii=ascii))
    unit = h.unit
    muted = d.summary.get("muted") or []
    if not d.findings:
        unnamed = d.summary.get("unnamed")
        parts.append(Text("no other findings", style="dim") if muted else
                     Text(unnamed, style="yellow") if unnamed else Text("no findings", style="green"))
    for i, f in enumerate(d.findings, 1):
        parts.extend(finding_lines(i, f, unit))
    if muted:  # hidden, not healthy: say so, so a muted run never reads as a clean one
        n = len(muted)
        parts.append(Text(f"muted: {', '.join(muted)} ({n} finding{'s' if n != 1 else ''} hidden)", style="yellow"))
    keep = d.summary.get("keep")
    if keep:
        parts.append(Hanging(0, Text("keep: ", style="bold"), Text(keep, style="bold")))
    if show_series:
        parts.append(series_table(d))
    notes = h.meta.get("notes") or []
    for n in notes[:10]:
        parts.append(Hanging(0, "note: ", n, style="dim"))
    return Group(*parts)


class Sparklines:
    """Name, sparkline, numbers: the sparklines as wide as the console leaves room for (up to 40)."""

    def __init__(self, rows: list[tuple[str, np.ndarray, str]], *, ascii: bool = False) -> None:
        self.rows = rows
        self.ascii = ascii

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            return
        kw = max(len(k) for k, _, _ in self.rows)
        nw = max(len(t) for _, _, t in self.rows)
        width = max(10, min(40, options.max_width - kw - nw - 2))
        lines = [(key, sparkline(values, width, ascii=self.ascii), numbers) for key, values, numbers in self.rows]
        sw = max(len(sp) for _, sp, _ in lines)
        for key, spark, numbers in lines:
            yield Text.assemble((key.ljust(kw), "bold"), " ", spark.ljust(sw), " ", numbers)


def finding_lines(i: int, f: Finding, unit: str | None = None, *, where: str = "") -> list:
    """One ranked finding: code and severity, message, evidence, why, and numbered fixes;
    every wrapped line keeps its indent. ``where`` adds a note to the head line."""
    span = f"  {_span(f, unit)}" if unit and f.span is not None else ""
    lines: list = [Text.assemble(f"{i}. ", (f.severity.upper(), SEVERITY_STYLE[f.severity]), " ",
                                 (f.code, "bold"), span, (f"  {where}" if where else "", "dim")),
                   Hanging(3, "", f.message)]
    ev = Evidence(f.evidence)
    if ev:
        lines.append(ev)
    if f.explanation:
        lines.append(Hanging(3, "why: ", f.explanation))
    for j, r in enumerate(f.remedies, 1):
        cfg = ""
        if r.config_changes:
            cfg = "  [" + ", ".join(f"{k}: {v}" for k, v in r.config_changes.items()) + "]"
        lines.append(Hanging(3, f"fix {j}: ", f"{r.action}{cfg}", style="green"))
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
    from fitdoctor.report.multirun import rank_runs, ranking_notes

    rows = rank_runs(diagnoses)
    t = Table(title=f"{len(rows)} runs, best first")
    for col in ("#", "run", "points", "best", "at", "top finding"):
        t.add_column(col)
    for r in rows:
        best = f"{r['selected_by']} {fmt_number(r['best_value'])}" if r["best_value"] is not None else "-"
        sev = r["severity"] or "info"
        at = fmt_number(r["best_at"]) if r["best_at"] is not None else "-"  # as the HTML and Markdown tables
        t.add_row(str(r["rank"]), r["run"], str(r["points"]), best, at,
                  Text(r["top_finding"] or "-", style=SEVERITY_STYLE.get(sev, "")))
    t.caption = "\n".join(ranking_notes(diagnoses, rows)) or None
    return t


FOLD_NAME = re.compile(r"fold (\d+)/(\d+)$")
#: Above this many folds the table shows counts only, not a column per fold.
MAX_FOLD_COLUMNS = 10


def is_kfold(diagnoses: Sequence[Diagnosis]) -> bool:
    """The folds of one k-fold run (the trainer names them 'fold i/k')."""
    return len(diagnoses) > 1 and all(FOLD_NAME.match(d.history.name) for d in diagnoses)


def render_folds(diagnoses: Sequence[Diagnosis], *, ascii: bool | None = None) -> Group:
    """A k-fold run summarized across its folds: one table with each finding once and the
    folds that show it, then each finding's account once (from the first fold showing it)."""
    if ascii is None:
        ascii = os.environ.get("TERM") == "dumb"
    n = len(diagnoses)
    h0 = diagnoses[0].history
    lengths = [d.history.n_points for d in diagnoses]
    span = f"{min(lengths)}-{max(lengths)}" if min(lengths) != max(lengths) else str(lengths[0])
    parts: list = [Text.assemble(("fitdoctor", "bold"), " · ", ("k-fold", "bold"),
                                 f"  ({h0.meta.get('format', '?')}, {n} folds, {span} {h0.axis}s each)")]
    from fitdoctor.findings import across_units

    order = across_units([d.findings for d in diagnoses])
    per_fold = n <= MAX_FOLD_COLUMNS
    t = Table(title=f"findings across the {n} folds", title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("#", justify="right")
    t.add_column("finding")
    t.add_column("severity")
    if per_fold:
        for k in range(n):
            t.add_column(str(k + 1), justify="center")
    t.add_column("folds", justify="right")
    yes, no = ("x", "-") if ascii else ("●", "·")
    for i, a in enumerate(order, 1):
        f, code = a.worst, a.code
        style = SEVERITY_STYLE[f.severity]
        where = set(a.units)
        marks = [Text(yes if k in where else no, style=style if k in where else "dim") for k in range(n)] \
            if per_fold else []
        t.add_row(str(i), Text(code, style="bold"), Text(f.severity, style=style), *marks,
                  f"{len(where)}/{n}")
    best_row = []
    for d in diagnoses:
        s = d.summary
        best_row.append(f"{_position(float(s['best_at']))}" if s.get("best_at") is not None else "-")
    sel = diagnoses[0].summary.get("selected_by") or "val_loss"
    if per_fold:
        t.add_row("", Text(f"best {sel} at {h0.axis}", style="dim"), "", *best_row, "", end_section=False)
    parts.append(t)
    if not order:
        parts.append(Text("no findings in any fold", style="green"))
    for i, a in enumerate(order, 1):
        f = a.worst
        where = f"{len(a.units)} of {n} folds; shown: fold {a.first + 1}"
        if f.code == "healthy":
            continue
        lines = finding_lines(i, f, h0.axis, where=where)
        parts.extend(lines if f.severity != "info" else lines[:2])
    return Group(*parts)


def print_diagnoses(diagnoses: Sequence[Diagnosis], *, show_series: bool = False,
                    console: Console | None = None) -> None:
    console = console or output_console()
    if is_kfold(diagnoses) and not show_series:
        console.print(render_folds(diagnoses))
        return
    if len(diagnoses) > 1:
        console.print(runs_table(diagnoses))
        console.print()
    for i, d in enumerate(diagnoses):
        if i:
            console.print()
        console.print(render_diagnosis(d, show_series=show_series))
