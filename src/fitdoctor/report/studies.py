"""Terminal and HTML views of the sweep commands' typed results: ``LRFindResult``
(``fitdoctor lr-find``) and ``LearningCurveResult`` (``fitdoctor learning-curve``).

The terminal gets a character chart (log x axis, the suggestion or the extrapolation
marked) that stays readable at 80 columns, plain ASCII when ``ascii`` is set or TERM is
dumb; the HTML page reuses the report's page, escaping and plotly embedding. Neither
invents fields: everything shown comes from the result's own ``to_dict`` fields.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from fitdoctor.report.terminal import Hanging, finding_lines, fmt_number

#: Chart size in the terminal (the width shrinks to fit the console).
CHART_WIDTH = 64
CHART_HEIGHT = 11


def _ascii_default(ascii: bool | None) -> bool:
    return os.environ.get("TERM") == "dumb" if ascii is None else ascii


def tick(v: float) -> str:
    """An axis label: 1e-04, 0.01, 3, 2.5e+03 (short)."""
    if v == 0 or not math.isfinite(v):
        return fmt_number(float(v))
    a = abs(v)
    if a < 1e-2 or a >= 1e4:
        m, e = f"{v:.0e}".split("e")
        return f"{m}e{int(e)}"
    return f"{v:.3g}"


class Chart:
    """A character chart of one or more curves over a log x axis.

    ``series``: (label, x, y, char); ``marks``: (x, label) drawn as a vertical line of
    ``|`` with the label under the axis; ``log_y`` decides itself when None (a range over
    10x). Rendered at the console's width (at most ``width``)."""

    def __init__(self, series: Sequence[tuple[str, Sequence[float], Sequence[float], str]], *,
                 marks: Sequence[tuple[float, str]] = (), y_label: str = "", x_label: str = "",
                 log_x: bool = True, log_y: bool | None = None, width: int = CHART_WIDTH,
                 height: int = CHART_HEIGHT, ascii: bool | None = None) -> None:
        self.series = [(lbl, np.asarray(x, dtype=float), np.asarray(y, dtype=float), ch)
                       for lbl, x, y, ch in series]
        self.marks = [(float(x), lbl) for x, lbl in marks if x is not None and math.isfinite(float(x)) and x > 0]
        self.y_label, self.x_label = y_label, x_label
        self.log_x, self.width, self.height = log_x, width, height
        self.ascii = _ascii_default(ascii)
        ys = np.concatenate([y[np.isfinite(y)] for _, _, y, _ in self.series] or [np.array([])])
        if log_y is None:
            pos = ys[ys > 0]
            log_y = bool(pos.size == ys.size and pos.size and pos.max() / pos.min() > 10)
        self.log_y = log_y

    def _fx(self, x: np.ndarray) -> np.ndarray:
        return np.log10(x) if self.log_x else x

    def _fy(self, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(y) if self.log_y else y

    def lines(self, width: int) -> list[str]:
        xs = np.concatenate([x[np.isfinite(y) & (x > 0 if self.log_x else True)] for _, x, y, _ in self.series])
        if xs.size == 0:
            return ["(no finite points to draw)"]
        ys = np.concatenate([self._fy(y[np.isfinite(y)]) for _, _, y, _ in self.series])
        ys = ys[np.isfinite(ys)]
        x0, x1 = float(self._fx(xs).min()), float(self._fx(xs).max())
        for mx, _ in self.marks:
            x0, x1 = min(x0, float(self._fx(np.array([mx]))[0])), max(x1, float(self._fx(np.array([mx]))[0]))
        if x1 <= x0:
            x1 = x0 + 1
        lo, hi = float(np.percentile(ys, 1)), float(np.percentile(ys, 99))
        if hi <= lo:
            hi = lo + (abs(lo) * 0.1 or 1.0)
        pad = (hi - lo) * 0.05
        lo, hi = lo - pad, hi + pad
        ylab = [tick(self._unfy(hi)), tick(self._unfy((lo + hi) / 2)), tick(self._unfy(lo))]
        lw = max(len(s) for s in ylab)
        W = max(20, width - lw - 2)
        H = self.height
        grid = [[" "] * W for _ in range(H)]

        def col(x: float) -> int:
            return int(round((x - x0) / (x1 - x0) * (W - 1)))

        def row(y: float) -> int:
            t = (min(max(y, lo), hi) - lo) / (hi - lo)
            return H - 1 - int(round(t * (H - 1)))

        vbar = "|" if self.ascii else "│"
        for mx, _ in self.marks:
            c = col(float(self._fx(np.array([mx]))[0]))
            for r in range(H):
                grid[r][c] = vbar
        for _, x, y, ch in self.series:
            ok = np.isfinite(y) & ((x > 0) if self.log_x else np.isfinite(x))
            fx, fy = self._fx(x[ok]), self._fy(y[ok])
            if fx.size == 0:
                continue
            cols = np.array([col(v) for v in fx])
            for c in np.unique(cols):
                v = float(np.mean(fy[cols == c]))
                if math.isfinite(v):
                    grid[row(v)][c] = ch
        h, corner = ("-", "+") if self.ascii else ("─", "└")
        out = []
        for r in range(H):
            lab = ylab[0] if r == 0 else ylab[1] if r == H // 2 else ylab[2] if r == H - 1 else ""
            out.append(f"{lab.rjust(lw)} {vbar}{''.join(grid[r])}")
        axis = [h] * W
        for mx, _ in self.marks:
            axis[col(float(self._fx(np.array([mx]))[0]))] = "^" if self.ascii else "┴"
        out.append(" " * lw + " " + corner + "".join(axis))
        out.append(" " * (lw + 2) + self._x_ticks(x0, x1, W))
        for mx, lbl in self.marks:
            c = col(float(self._fx(np.array([mx]))[0]))
            text = f"^ {lbl}" if c + len(lbl) + 2 <= W else f"{lbl} ^"
            start = c if c + len(lbl) + 2 <= W else max(0, c - len(lbl) - 1)
            out.append(" " * (lw + 2 + start) + text)
        items = [f"{ch} {lbl}" for lbl, _, _, ch in self.series if lbl]
        if self.x_label:
            items.append(f"x: {self.x_label}")
        line = ""
        for item in items:  # the legend, wrapped at the chart's width
            if line and lw + 2 + len(line) + 3 + len(item) > width:
                out.append(" " * (lw + 2) + line)
                line = ""
            line = f"{line}   {item}" if line else item
        if line:
            out.append(" " * (lw + 2) + line)
        return out

    def _unfy(self, v: float) -> float:
        return 10 ** v if self.log_y else v

    def _x_ticks(self, x0: float, x1: float, W: int) -> str:
        line = [" "] * W
        if self.log_x:
            span = x1 - x0
            if span >= 3:
                step = 1 if span <= 8 else 2
                vals = [float(k) for k in range(math.ceil(x0), math.floor(x1) + 1, step)]
            else:  # under 3 decades: 1-2-5 ticks
                vals = [math.log10(m * 10.0 ** e) for e in range(math.floor(x0), math.ceil(x1) + 1)
                        for m in (1, 2, 5) if x0 - 1e-9 <= math.log10(m * 10.0 ** e) <= x1 + 1e-9]
            labels = [(v, tick(10 ** v)) for v in vals]
        else:
            labels = [(v, tick(v)) for v in np.linspace(x0, x1, 5)]
        last_end = -2
        for v, s in labels:
            c = int(round((v - x0) / (x1 - x0) * (W - 1)))
            start = min(max(0, c - len(s) // 2), W - len(s))
            if start <= last_end + 1:
                continue
            line[start:start + len(s)] = list(s)
            last_end = start + len(s)
        return "".join(line).rstrip()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = min(self.width, options.max_width) if not console.soft_wrap else self.width
        if self.y_label:
            yield Text(self.y_label, style="dim")
        for line in self.lines(width):
            yield Text(line)


# ------------------------------------------------------------------ lr-find
def render_lr_find(res: Any, *, ascii: bool | None = None) -> Group:
    """The range test in the terminal: what was swept, the curve with the suggestion marked,
    the suggestion and how it was read."""
    m = res.meta
    parts: list = []
    head = Text.assemble(("fitdoctor lr-find", "bold"), " · ", (str(m.get("source", "")), "bold"))
    parts.append(head)
    parts.append(Text(f"{m.get('repeats', len(res.sweeps))} sweep{'s' if m.get('repeats', len(res.sweeps)) != 1 else ''} x {m.get('steps', len(res.lrs))} steps, "
                      f"lr {tick(m.get('start_lr', res.lrs[0]))}..{tick(m.get('end_lr', res.lrs[-1]))} "
                      f"({m.get('optimizer', '?')}, batch {m.get('batch_size', '?')})", style="dim"))
    parts.append(Text("loss after each step on "
                      + (f"all {m.get('rows')}" if m.get("probe_rows") == m.get("rows") else
                         f"{m.get('probe_rows', '?')} of {m.get('rows', '?')}")
                      + " training rows", style="dim"))
    marks = []
    if res.suggested_lr:
        marks.append((res.suggested_lr, f"suggested {tick(res.suggested_lr)}"))
    if res.edge_lr and res.suggested_lr and res.edge_lr / res.suggested_lr > 1.5:
        marks.append((res.edge_lr, f"edge {tick(res.edge_lr)}"))
    parts.append(Chart([("loss (median of sweeps)", res.lrs, res.loss, "." if not _ascii_default(ascii) else "."),
                        ("smoothed", res.lrs, res.smoothed, "*" if _ascii_default(ascii) else "●")],
                       marks=marks, y_label="loss", x_label="learning rate", ascii=ascii))
    if res.suggested_lr:
        parts.append(Text.assemble(("suggested lr: ", "bold"), (f"{res.suggested_lr:.3g}", "bold green"),
                                   f"   (rule {res.rule}; config has {tick(res.current_lr)})"
                                   if res.current_lr else f"   (rule {res.rule})"))
    else:
        parts.append(Text.assemble(("suggested lr: ", "bold"), ("none", "bold yellow")))
    parts.append(Hanging(0, "how: ", res.reason))
    if res.suggested_lr:
        parts.append(Hanging(0, "use: ", f"train.lr: {res.suggested_lr:.2g}", style="green"))
    for n in res.notes:
        parts.append(Hanging(0, "note: ", n, style="yellow"))
    return Group(*parts)



def lr_find_panels(res: Any) -> list:
    from fitdoctor.report.figures import Panel, base_layout, nums

    lay = base_layout("loss during the range test", "learning rate", "loss", log_y=_wide(res.smoothed))
    lay["xaxis"].update(type="log", dtick=1, exponentformat="power")  # one labelled tick per decade
    data: list[dict[str, Any]] = []
    for k, s in enumerate(res.sweeps):
        data.append({"type": "scatter", "mode": "lines", "x": nums(s.lrs), "y": nums(s.losses),
                     "name": f"sweep {k + 1} (seed {s.seed})", "line": {"width": 1, "color": "#bbb"},
                     "opacity": 0.7})
    data.append({"type": "scatter", "mode": "lines", "x": nums(res.lrs), "y": nums(res.loss),
                 "name": "median of sweeps", "line": {"width": 1.5, "color": "#1f77b4"}})
    data.append({"type": "scatter", "mode": "lines", "x": nums(res.lrs), "y": nums(res.smoothed),
                 "name": "smoothed", "line": {"width": 3, "color": "#ff7f0e"}})
    marks = sorted(((x, label, color) for x, label, color in (
        (res.suggested_lr, "suggested", "#27ae60"), (res.edge_lr, "edge", "#c0392b"),
        (res.current_lr, "config lr", "#7f8c8d")) if x), key=lambda m: m[0])
    rows_end: list[float] = []  # per label row, the log10 lr its last label reaches
    for x, label, color in marks:
        lx = math.log10(x)
        # each label on a row of its own: how many decades a label spans depends on the chart's
        # width (a phone's is a third of a desktop's), so sharing a row could overprint
        row = len(rows_end)
        rows_end.append(lx)
        lay["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0,
                              "y1": 1, "line": {"color": color, "dash": "dot", "width": 2}})
        lay["annotations"].append({"x": lx, "xref": "x", "yref": "paper", "y": 1.0, "yshift": 14 * row,
                                   "text": f"{label} {tick(x)}", "showarrow": False,
                                   "font": {"color": color}, "yanchor": "bottom"})
    if len(rows_end) > 1:  # room for the rows, the title pinned above them
        lay["margin"]["t"] = lay["margin"].get("t", 40) + 14 * len(rows_end)
        lay["title"].update(yref="container", y=1.0, yanchor="top", pad={"t": 8})
    return [Panel("lrfind-curve", "range test", {"data": data, "layout": lay}, "lr", on_run_axis=False)]


def _wide(values: Sequence[float]) -> bool:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return bool(v.size and v.max() / v.min() > 10)


def lr_find_html(res: Any) -> str:
    from fitdoctor.report import html as H

    title = f"fitdoctor lr-find: {res.meta.get('source', '')}"
    sug = f"{res.suggested_lr:.3g}" if res.suggested_lr else "none"
    rows = [{"": "suggested lr", "value": sug}, {"": "rule", "value": res.rule},
            {"": "config lr", "value": res.current_lr}, {"": "lowest loss at lr", "value": res.min_lr},
            {"": "divergence edge", "value": res.edge_lr}, {"": "sweeps", "value": len(res.sweeps)},
            {"": "stopped", "value": res.stopped}]
    notes = "".join(f"<p class='note'>{H.esc(n)}</p>" for n in res.notes)
    panels = lr_find_panels(res)
    plots = "".join(f"<div class='plot' id='{H.esc(p.id)}'></div>" for p in panels)
    body = (f"{_header(title)}<section id='lrfind'><h2>Suggested learning rate: {H.esc(sug)}</h2>"
            f"<p>{H.esc(res.reason)}</p>{notes}{H.table(rows, cls='scores')}"
            f"<div class='plots'>{plots}</div></section>{H.config_section(res.config)}")
    return H._page(title, body, [("lrfind", p) for p in panels])


# ------------------------------------------------------------------ learning-curve
def render_learning_curve(res: Any, *, ascii: bool | None = None) -> Group:
    """Train and validation score against training-set size, the verdict and the forecast."""
    m = res.meta
    a = _ascii_default(ascii)
    parts: list = [Text.assemble(("fitdoctor learning-curve", "bold"), " · ", (str(m.get("source", "")), "bold"))]
    parts.append(Text(f"{len(res.sizes)} sizes x {res.n_units} {res.unit}s; {res.metric} on the "
                      f"{m.get('n_val', '?')} validation rows (never the test rows)", style="dim"))
    t = Table(show_edge=False, pad_edge=False, box=None)
    for c in ("rows", f"train {res.metric}", f"val {res.metric}", "± sd"):
        t.add_column(c, justify="right")
    for i, n in enumerate(res.sizes):
        t.add_row(str(n), _f(res.train_mean[i]), _f(res.val_mean[i]), _f(res.val_std[i]))
    parts.append(t)
    series = [("train", res.sizes, res.train_mean, "o" if a else "○"), ("val", res.sizes, res.val_mean, "*" if a else "●")]
    if res.chance is not None:  # drawn first, so the points land on top of it
        xs = np.geomspace(res.sizes[0], res.sizes[-1], 80)
        series.insert(0, ("chance", xs, np.full(xs.size, res.chance), "-" if a else "╌"))
    marks = []
    fc = res.forecast or {}
    if fc.get("predicted") is not None:
        series.append(("predicted from <= half", [res.sizes[-1]], [fc["predicted"]], "x" if a else "✕"))
    parts.append(Chart(series, marks=marks, y_label=res.metric, x_label="training rows", ascii=ascii,
                       height=9, log_y=False))
    if res.chance is not None:
        parts.append(Text(f"chance level ({res.chance_label}): {_f(res.chance)}", style="dim"))
    if fc.get("predicted") is not None:
        ok = "inside" if fc.get("covered") else "outside"
        parts.append(Hanging(0, "forecast: ", (
            f"from the sizes up to {fc['fitted_up_to']} rows, {res.metric} at {res.sizes[-1]} rows was predicted "
            f"{_f(fc['predicted'])} [{_f(fc['low'])}, {_f(fc['high'])}] ({int(fc['level'] * 100)}% interval); "
            f"observed {_f(fc['observed'])}, error {fc['error']:+.3f}, {ok} the interval")))
    if res.next_doubling:
        nd = res.next_doubling
        parts.append(Hanging(0, "doubling the data: ", (
            f"{res.metric} {_f(nd['predicted'])} [{_f(nd['low'])}, {_f(nd['high'])}] expected at "
            f"{nd['rows']} rows (now {_f(res.val_mean[-1])}), from the curve fitted to every size")))
    for i, f in enumerate(res.findings, 1):
        parts.extend(finding_lines(i, f))
    for n in res.notes:
        parts.append(Hanging(0, "note: ", n, style="dim"))
    return Group(*parts)


def _f(v: Any) -> str:
    if v is None:
        return "-"
    v = float(v)
    return "nan" if math.isnan(v) else f"{v:.3f}"


def learning_curve_panels(res: Any) -> list:
    from fitdoctor.report.figures import Panel, base_layout, nums

    lay = base_layout(f"{res.metric} against training-set size", "training rows", res.metric)
    # a tick at each size trained: plotly's own log ticks label 40 and 200 as "4" and "2"
    lay["xaxis"].update(type="log", tickmode="array", tickvals=list(res.sizes),
                        ticktext=[str(n) for n in res.sizes])
    data: list[dict[str, Any]] = []
    for name, mean, sd, color in (("train", res.train_mean, res.train_std, "#1f77b4"),
                                  ("val", res.val_mean, res.val_std, "#ff7f0e")):
        data.append({"type": "scatter", "mode": "lines+markers", "x": list(res.sizes), "y": nums(mean),
                     "name": f"{name} (mean of {res.n_units} {res.unit}s)", "line": {"color": color},
                     "error_y": {"type": "data", "array": nums(sd), "visible": True}})
    pts_x = [n for n, scores in zip(res.sizes, res.val_scores) for _ in scores]
    pts_y = [s for scores in res.val_scores for s in scores]
    data.append({"type": "scatter", "mode": "markers", "x": pts_x, "y": nums(pts_y), "name": f"val, each {res.unit}",
                 "marker": {"color": "#ff7f0e", "size": 5, "opacity": 0.4}})
    fc = res.forecast or {}
    if fc.get("curve_x"):
        data.append({"type": "scatter", "mode": "lines", "x": fc["curve_x"], "y": nums(fc["curve_y"]),
                     "name": f"fitted on <= {fc['fitted_up_to']} rows", "line": {"dash": "dot", "color": "#7f8c8d"}})
        data.append({"type": "scatter", "mode": "markers", "x": [res.sizes[-1]], "y": [fc["predicted"]],
                     "name": "predicted full size",
                     "error_y": {"type": "data", "symmetric": False, "array": [fc["high"] - fc["predicted"]],
                                 "arrayminus": [fc["predicted"] - fc["low"]]},
                     "marker": {"symbol": "x", "size": 10, "color": "#7f8c8d"}})
    # the y range from the scores themselves: a wide forecast interval (few seeds) must not
    # squash the curves; its error bar is then clipped at the edge
    pts = [v for rows in (res.val_scores, res.train_scores) for r in rows for v in r]
    pts += [v for v in (res.chance, fc.get("predicted")) if v is not None]
    pts = [float(v) for v in pts if v is not None and math.isfinite(float(v))]
    if pts:
        lo, hi = min(pts), max(pts)
        pad = (hi - lo) * 0.1 or 0.05
        lay["yaxis"]["range"] = [lo - pad, hi + pad]
    if res.chance is not None:
        lay["shapes"].append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": res.chance, "y1": res.chance,
                              "line": {"color": "#c0392b", "dash": "dot"}})
        lay["annotations"].append({"xref": "paper", "x": 0.01, "y": res.chance, "text": f"chance ({res.chance_label})",
                                   "showarrow": False, "yanchor": "bottom", "font": {"color": "#c0392b"}})
    return [Panel("lc-curve", "learning curve", {"data": data, "layout": lay}, "curves", on_run_axis=False)]


def learning_curve_html(res: Any) -> str:
    from fitdoctor.report import html as H

    title = f"fitdoctor learning-curve: {res.meta.get('source', '')}"
    verdict = res.findings[0] if res.findings else None
    head = (f"<h2>{H.esc(verdict.code)}</h2><p>{H.esc(verdict.message)}</p>"
            f"<p class='note'>{H.esc(verdict.explanation)}</p>" if verdict else "<h2>no verdict</h2>")
    fixes = ""
    if verdict and verdict.remedies:
        fixes = "<ol>" + "".join(f"<li>{H.esc(r.action)}</li>" for r in verdict.remedies) + "</ol>"
    rows = [{"rows": n, f"train {res.metric}": res.train_mean[i], f"val {res.metric}": res.val_mean[i],
             "val sd": res.val_std[i], res.unit + "s": len(res.val_scores[i])} for i, n in enumerate(res.sizes)]
    panels = learning_curve_panels(res)
    plots = "".join(f"<div class='plot' id='{H.esc(p.id)}'></div>" for p in panels)
    ev = H.table([{"evidence": k, "value": v} for k, v in (verdict.evidence.items() if verdict else [])])
    body = (f"{_header(title)}<section id='learning-curve'>{head}{fixes}<div class='plots'>{plots}</div>"
            f"{H.table(rows, cls='scores')}{ev}</section>{H.config_section(res.config)}")
    return H._page(title, body, [("lc", p) for p in panels])


def _header(title: str) -> str:
    import datetime as dt

    from fitdoctor import __version__
    from fitdoctor.report import html as H

    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (f"<header><h1>{H.esc(title)}</h1><div class='sub'>fitdoctor {H.esc(__version__)} · {H.esc(when)} · "
            "built-in trainer</div></header>")


def write_page(text: str, out: str | os.PathLike) -> Path:
    from fitdoctor.files import atomic_write

    return atomic_write(Path(out), text.encode("utf-8"))


def write_study_dir(out: Path, stem: str, payload: dict, header: Sequence[Any],
                    rows: Any, render: Any) -> dict:
    """A study's run directory: ``<stem>.json`` (the result), ``<stem>.csv`` (``header`` then
    ``rows``) and ``report.html`` (``render()``; skipped with the reason when the report extra,
    plotly, is missing; not written when ``render`` is None). Returns ``{"dir", "files"[,
    "report_skipped"]}``."""
    import csv
    import io
    import json

    from fitdoctor.findings import _jsonable

    out.mkdir(parents=True, exist_ok=True)
    write_page(json.dumps(_jsonable(payload), indent=2) + "\n", out / f"{stem}.json")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(header))
    w.writerows(rows)
    write_page(buf.getvalue(), out / f"{stem}.csv")
    written = [f"{stem}.json", f"{stem}.csv"]
    info: dict = {"dir": str(out), "files": written}
    if render is None:
        return info
    try:
        write_page(render(), out / "report.html")
        written.append("report.html")
    except ImportError as exc:  # plotly (the report extra) missing
        info["report_skipped"] = f"report.html skipped: {exc}"
    return info
