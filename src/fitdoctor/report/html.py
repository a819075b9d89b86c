"""The self-contained HTML report: verdict first, then the curves with the findings on them.

One file, no network: plotly.js is inlined once per page and figures are embedded as
JSON that is escaped for a ``<script>`` block. Every name, path, message and config
value comes from files written by others, so all text goes through ``html.escape`` and
all embedded JSON has ``<``, ``>`` and ``&`` escaped. Sections for doctor, tune and
k-fold render only when ``extra`` carries them (see :func:`render_html`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from fitdoctor.errors import BadInput, require
from fitdoctor.files import atomic_write
from fitdoctor.findings import Diagnosis, Finding
from fitdoctor.history import RunHistory
from fitdoctor.report import figures
from fitdoctor.report.figures import SEVERITY_COLOR, Panel, num
from fitdoctor.report.terminal import extent

#: Packages whose versions are listed in the environment section (when installed).
ENV_PACKAGES = ("fitdoctor", "numpy", "torch", "scikit-learn", "keras", "plotly")


# ------------------------------------------------------------------ public API
def render_html(diagnoses: Sequence[Diagnosis] | Diagnosis, extra: Mapping[str, Any] | None = None) -> str:
    """The report as one HTML string.

    ``extra`` (all optional): ``title``; ``baselines`` (``{metric: value}`` or
    ``{metric: {label: value}}``, drawn as reference lines); ``config`` (the run config,
    shown for reproduction); ``folds`` (list of RunHistory: per-fold curves and the
    mean +- std band); ``doctor`` (``{"rounds": [dict], "before": RunHistory|Diagnosis,
    "after": ..., "summary": str}``); ``tune`` (``{"direction", "metric", "trials":
    [{"number", "value", "params"}], "importances": {param: share}, "best": [Diagnosis]}``).
    """
    if isinstance(diagnoses, Diagnosis):
        diagnoses = [diagnoses]
    diagnoses = list(diagnoses)
    if not diagnoses:
        raise BadInput("no runs to report; expected at least one diagnosis")
    extra = dict(extra or {})
    panels: list[tuple[str, Panel]] = []  # (group id, panel)
    body: list[str] = []
    title = str(extra.get("title") or _default_title(diagnoses))
    from fitdoctor.report.terminal import is_kfold

    kfold = is_kfold(diagnoses)
    body.append(_header(title, diagnoses))
    if kfold:  # the folds of one run: one verdict across them, the band, then each fold folded away
        body.append(kfold_summary_section(diagnoses))
        if extra.get("folds") is not None:
            html, ps = folds_section(extra["folds"], baselines=extra.get("baselines"))
            body.append(html)
            panels.extend(("folds", p) for p in ps)
    elif len(diagnoses) > 1:
        body.append(_ranking_section(diagnoses))
    for i, d in enumerate(diagnoses):
        html, ps = _run_section(d, i, extra.get("baselines"), many=len(diagnoses) > 1, folded=kfold)
        body.append(html)
        panels.extend((f"r{i}", p) for p in ps)
    for key, fn in (("folds", folds_section), ("doctor", doctor_section), ("tune", tune_section)):
        if key == "folds" and kfold:
            continue
        if extra.get(key) is not None:
            html, ps = fn(extra[key])
            body.append(html)
            panels.extend((key, p) for p in ps)
    body.append(config_section(extra.get("config")))
    return _page(title, "\n".join(body), panels)


def write_html_report(diagnoses: Sequence[Diagnosis] | Diagnosis, out: str | os.PathLike, *,
                      extra: Mapping[str, Any] | None = None) -> Path:
    """Render the report and write it atomically (temp file, then rename) to ``out``."""
    text = render_html(diagnoses, extra)
    return atomic_write(Path(out), text.encode("utf-8"))


# ------------------------------------------------------------------ helpers
def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def fmt(v: Any) -> str:
    """Numbers short and readable; everything else as text (not yet escaped)."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, float)) or hasattr(v, "item"):
        try:
            f = float(v)
        except (TypeError, ValueError):
            return str(v)
        if f != f:
            return "nan"
        if f in (float("inf"), float("-inf")):
            return str(f)
        if f == int(f) and abs(f) < 1e12:
            return str(int(f))
        return f"{f:.3g}" if abs(f) >= 1e4 or abs(f) < 1e-3 else f"{f:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {fmt(x)}" for k, x in v.items()) + "}"
    return str(v)


def script_json(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</``, no ``<!--``, ASCII only."""
    text = json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
          cls: str = "") -> str:
    """An escaped HTML table; columns default to the union of keys in order of appearance."""
    rows = list(rows)
    if columns is None:
        columns = []
        for r in rows:
            columns.extend(k for k in r if k not in columns)
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(fmt(r.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    return f"<table class='{esc(cls)}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _default_title(diagnoses: Sequence[Diagnosis]) -> str:
    from fitdoctor.report.terminal import is_kfold

    if is_kfold(diagnoses):
        return f"fitdoctor report: k-fold, {len(diagnoses)} folds"
    if len(diagnoses) == 1:
        return f"fitdoctor report: {diagnoses[0].history.name}"
    return f"fitdoctor report: {len(diagnoses)} runs"


def _span_text(f: Finding, unit: str) -> str:
    if f.span is None:
        return ""
    a, b = fmt(f.span[0]), fmt(f.span[1])
    return f"{unit}s {a}–{b}" if a != b else f"{unit} {a}"


# ------------------------------------------------------------------ sections
def _header(title: str, diagnoses: Sequence[Diagnosis]) -> str:
    from fitdoctor import __version__

    when = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    from fitdoctor.report.terminal import is_kfold

    what = "fold" if is_kfold(diagnoses) else "run"
    return (f"<header><h1>{esc(title)}</h1><div class='sub'>fitdoctor {esc(__version__)} · {esc(when)} · "
            f"{len(diagnoses)} {what}{'s' if len(diagnoses) != 1 else ''}</div></header>")


def _ranking_section(diagnoses: Sequence[Diagnosis]) -> str:
    from fitdoctor.report.multirun import rank_runs, ranking_notes

    rows = rank_runs(diagnoses)
    names = [d.history.name for d in diagnoses]
    out = ["<section id='ranking'><h2>Runs, best first</h2><table class='rank'><thead><tr>"
           "<th>#</th><th>run</th><th>points</th><th>selected by</th><th>best</th><th>at</th>"
           "<th>top finding</th></tr></thead><tbody>"]
    used: set[int] = set()
    for r in rows:
        i = next((k for k, n in enumerate(names) if n == r["run"] and k not in used), 0)
        used.add(i)
        sev = r.get("severity") or "info"
        color = SEVERITY_COLOR.get(sev, "#333")
        out.append(
            f"<tr><td>{esc(r['rank'])}</td><td><a href='#run-{i}'>{esc(r['run'])}</a></td>"
            f"<td>{esc(fmt(r['points']))}</td><td>{esc(r['selected_by'] or '-')}</td>"
            f"<td>{esc(fmt(r['best_value']) if r['best_value'] is not None else '-')}</td>"
            f"<td>{esc(fmt(r['best_at']) if r['best_at'] is not None else '-')}</td>"
            f"<td style='color:{color}'>{esc(r['top_finding'] or '-')}</td></tr>")
    out.append("</tbody></table>")
    out += [f"<p class='note'>{esc(note)}</p>" for note in ranking_notes(diagnoses, rows)]
    out.append("</section>")
    return "".join(out)


def verdict_html(d: Diagnosis, run: int | str) -> str:
    """The ranked findings; a finding with a span is clickable and highlights it on the curves."""
    unit = d.history.unit
    if not d.findings:
        unnamed = d.summary.get("unnamed")
        if unnamed:
            return f"<div class='verdict'><p class='unnamed'>{esc(unnamed[0].upper() + unnamed[1:])}.</p></div>"
        return "<div class='verdict'><p class='none'>No findings: nothing wrong was detected.</p></div>"
    items = []
    for n, f in enumerate(d.findings, 1):
        color = SEVERITY_COLOR[f.severity]
        attrs = f"data-run='r{run}' data-rank='{n}' tabindex='0'"
        if f.span is not None and num(f.span[0]) is not None and num(f.span[1]) is not None:
            attrs += f" data-x0='{esc(num(f.span[0]))}' data-x1='{esc(num(f.span[1]))}' title='click to show on the curves' role='button'"
        ev = evidence_html(f)
        why = f"<details><summary>why</summary><p>{esc(f.explanation)}</p></details>" if f.explanation else ""
        rem = ""
        if f.remedies:
            lis = []
            for r in f.remedies:
                cfg = ""
                if r.config_changes:
                    cfg = " <code>" + esc(", ".join(f"{k}: {fmt(v)}" for k, v in r.config_changes.items())) + "</code>"
                rwhy = f"<span class='why'> — {esc(r.why)}</span>" if r.why else ""
                lis.append(f"<li>{esc(r.action)}{cfg}{rwhy}</li>")
            rem = "<ol class='remedies'>" + "".join(lis) + "</ol>"
        conf = f" · confidence {esc(fmt(f.confidence))}" if f.confidence < 1 else ""
        items.append(
            f"<li class='finding sev-{esc(f.severity)}' id='r{run}-f{n}' {attrs} style='border-left-color:{color}'>"
            f"<div class='fhead'><span class='badge' style='background:{color}'>{esc(f.severity)}</span> "
            f"<b>{n}. {esc(f.code)}</b> <span class='span'>{esc(_span_text(f, unit))}{conf}</span></div>"
            f"<div class='msg'>{esc(f.message)}</div>{ev}{why}{rem}</li>")
    return "<ol class='verdict'>" + "".join(items) + "</ol>"


#: Evidence pairs shown with a finding; the rest (and the lists) open under "all evidence".
EVIDENCE_SHOWN = 6


def evidence_html(f: Finding) -> str:
    """The telling numbers first (the rules put them first), the full set one click away."""
    if not f.evidence:
        return ""
    from fitdoctor.report.terminal import evidence_items

    items = evidence_items(f.evidence)
    shown = items[:EVIDENCE_SHOWN]
    html = "<div class='evidence'>" + " · ".join(
        f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in shown) + "</div>"
    if len(f.evidence) > len(shown):
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(fmt(v))}</td></tr>" for k, v in f.evidence.items())
        html += (f"<details class='allev'><summary>all evidence ({len(f.evidence)})</summary>"
                 f"<table class='ev'>{rows}</table></details>")
    return html


def kfold_summary_section(diagnoses: Sequence[Diagnosis]) -> str:
    """The folds of a k-fold run: each finding once, the folds that show it, its account once."""
    from fitdoctor.findings import across_units

    n = len(diagnoses)
    order = across_units([d.findings for d in diagnoses])
    head = "".join(f"<th>{k + 1}</th>" for k in range(n))
    rows = []
    for i, a in enumerate(order, 1):
        f, c = a.worst, a.code
        color = SEVERITY_COLOR[f.severity]
        where = set(a.units)
        marks = "".join(f"<td class='mark' style='color:{color}'>●</td>" if k in where else "<td class='mark'>·</td>"
                        for k in range(n))
        rows.append(f"<tr><td>{i}</td><td><b>{esc(c)}</b></td><td style='color:{color}'>{esc(f.severity)}</td>"
                    f"{marks}<td>{len(where)}/{n}</td></tr>")
    best = "".join(f"<td class='mark'>{esc(fmt(d.summary.get('best_at')) if d.summary.get('best_at') is not None else '-')}</td>"
                   for d in diagnoses)
    sel = diagnoses[0].summary.get("selected_by") or "val_loss"
    rows.append(f"<tr class='best'><td></td><td colspan='2'>best {esc(sel)} at {esc(diagnoses[0].history.axis)}</td>"
                f"{best}<td></td></tr>")
    table_html = (f"<table class='folds'><thead><tr><th>#</th><th>finding</th><th>severity</th>{head}"
                  f"<th>folds</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    shown = Diagnosis(findings=[a.worst for a in order if a.code != "healthy"], history=diagnoses[0].history)
    return (f"<section id='kfold'><h2>k-fold: {n} folds, one verdict</h2>"
            f"<p class='note'>each finding once, with the folds that show it (● shows it); its account below is "
            f"from the first fold showing it. Every fold in full further down.</p>{table_html}"
            f"<h3>Verdict across the folds</h3>{verdict_html(shown, 'k')}</section>")


def keep_html(d: Diagnosis) -> str:
    """The 'what to keep' box: best epoch/step, the band equivalent to it, the advice."""
    s = d.summary
    if not s.get("keep") and s.get("best_at") is None:
        return ""
    unit = d.history.unit
    facts = []
    if s.get("best_at") is not None:
        facts.append(f"best {esc(s.get('selected_by', ''))} {esc(fmt(s.get('best_value')))} at {esc(unit)} "
                     f"{esc(fmt(s['best_at']))}")
    band = s.get("equivalent_band")
    if band and band[0] == band[1]:  # the best alone: "epochs 2-2" read as a typo
        facts.append(f"no other {esc(unit)} within noise of it" if band[0] == s.get("best_at") else
                     f"equivalent within noise: {esc(unit)} {esc(fmt(band[0]))}")
    elif band:
        facts.append(f"equivalent within noise: {esc(unit)}s {esc(fmt(band[0]))}–{esc(fmt(band[1]))}")
    if s.get("chance_loss") is not None:
        facts.append(f"chance-level loss {esc(fmt(s['chance_loss']))}"
                     + (f" ({esc(s['chance_source'])})" if s.get("chance_source") else ""))
    keep = f"<p>{esc(s['keep'])}</p>" if s.get("keep") else ""
    return f"<div class='keep'><h3>What to keep</h3>{keep}<p class='facts'>{' · '.join(facts)}</p></div>"


def _run_section(d: Diagnosis, i: int, baselines: Any, *, many: bool, folded: bool = False
                 ) -> tuple[str, list[Panel]]:
    h = d.history
    panels = figures.run_panels(d, f"r{i}", baselines=baselines if isinstance(baselines, Mapping) else None)
    meta = " · ".join(esc(x) for x in (
        h.meta.get("format") or "?", extent(h),
        f"source {h.meta.get('source')}" if h.meta.get("source") and many else "") if x)
    src = f"<div class='sub'>source: <code>{esc(h.meta.get('source'))}</code></div>" \
        if h.meta.get("source") and not many and str(h.meta.get("source")) != h.name else ""
    plots = "".join(f"<div class='plot' id='{esc(p.id)}'></div>" for p in panels)
    notes = h.meta.get("notes") or []
    notes_html = ""
    if notes:
        notes_html = ("<details class='notes'><summary>how the log was read "
                      f"({len(notes)} note{'s' if len(notes) != 1 else ''})</summary><ul>"
                      + "".join(f"<li>{esc(n)}</li>" for n in notes[:50]) + "</ul></details>")
    series = table(({"series": r["name"], "raw name": r["raw_name"], "role": r["role"], "points": r["length"],
                     "non-finite": r["non_finite"], "last": r["last"]} for r in h.summary()["series"]),
                   cls="series")
    inner = (f"<div class='sub'>{meta}</div>{src}"
             f"<h3>Verdict</h3>{verdict_html(d, i)}{keep_html(d)}"
             f"<h3>Curves</h3><div class='plots'>{plots}</div>"
             f"<details class='series'><summary>series read ({len(h.series)})</summary>{series}</details>"
             f"{notes_html}")
    if folded:
        top = d.top.code if d.top else "no findings"
        html = (f"<section class='run' id='run-{i}'><details class='fold'><summary><h2>{esc(h.name)}</h2> "
                f"<span class='sub'>{esc(top)} · best {esc(d.summary.get('selected_by', ''))} "
                f"{esc(fmt(d.summary.get('best_value')))}</span></summary>{inner}</details></section>")
    else:
        html = f"<section class='run' id='run-{i}'><h2>{esc(h.name)}</h2>{inner}</section>"
    return html, panels


def folds_section(folds: Any, baselines: Any = None) -> tuple[str, list[Panel]]:
    """k-fold: per-fold curves and the mean +- std band (``extra['folds']``: list of RunHistory)."""
    runs = [getattr(f, "history", f) for f in (folds or [])]
    runs = [r for r in runs if isinstance(r, RunHistory)]
    if not runs:
        return "", []
    panels = figures.folds_panels(runs, "folds", baselines=baselines if isinstance(baselines, Mapping) else None)
    plots = "".join(f"<div class='plot' id='{esc(p.id)}'></div>" for p in panels)
    return (f"<section id='folds'><h2>k-fold: {len(runs)} folds</h2>"
            f"<p class='note'>thin lines: each fold; black: the mean; grey band: ± one standard deviation "
            f"across the folds, drawn while at least half of them are still training</p><div class='plots'>{plots}</div></section>", panels)


def doctor_section(doctor: Any) -> tuple[str, list[Panel]]:
    """doctor: the rounds table (remedy tried, val before/after, kept?) and before/after curves."""
    if not isinstance(doctor, Mapping):
        return "", []
    parts = ["<section id='doctor'><h2>Doctor: remedies tried</h2>"]
    if doctor.get("summary"):
        parts.append(f"<p>{esc(doctor['summary'])}</p>")
    rounds = [r for r in doctor.get("rounds") or [] if isinstance(r, Mapping)]
    if rounds:
        parts.append(table(rounds, cls="rounds"))
    panels = figures.doctor_panels(doctor, "doctor")
    parts.append("<div class='plots'>" + "".join(f"<div class='plot' id='{esc(p.id)}'></div>" for p in panels)
                 + "</div></section>")
    return "".join(parts), panels


def tune_section(tune: Any) -> tuple[str, list[Panel]]:
    """tune: best-so-far vs trial, importances, parallel coordinates, the best trials."""
    if not isinstance(tune, Mapping):
        return "", []
    parts = ["<section id='tune'><h2>Tuning study</h2>"]
    if tune.get("summary"):
        parts.append(f"<p>{esc(tune['summary'])}</p>")
    panels = figures.tune_panels(tune, "tune")
    parts.append("<div class='plots'>" + "".join(f"<div class='plot' id='{esc(p.id)}'></div>" for p in panels)
                 + "</div>")
    trials = [t for t in tune.get("trials") or [] if isinstance(t, Mapping) and num(t.get("value")) is not None]
    if trials:
        maximize = str(tune.get("direction", "minimize")).lower().startswith("max")
        best = sorted(trials, key=lambda t: float(t["value"]), reverse=maximize)[:10]
        rows = [{"trial": t.get("number"), "value": t.get("value"), **dict(t.get("params") or {})} for t in best]
        parts.append("<h3>Best trials</h3>" + table(rows, cls="trials"))
    for k, d in enumerate(tune.get("best") or []):
        if isinstance(d, Diagnosis):
            parts.append(f"<h3>{esc(d.history.name)}</h3>{verdict_html(d, f'tune{k}')}")
    parts.append("</section>")
    return "".join(parts), panels


def environment() -> dict[str, str]:
    """Python and package versions, read from installed metadata (nothing is imported)."""
    env = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for pkg in ENV_PACKAGES:
        try:
            env[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return env


def config_section(config: Any) -> str:
    """The run config (when given) and the environment, so the run can be reproduced."""
    parts = ["<section id='config'><h2>Config and environment</h2>"]
    if config is not None:
        parts.append(f"<h3>Config</h3><pre class='config'>{esc(_config_text(config))}</pre>")
    parts.append("<h3>Environment</h3>" + table([environment()], cls="env"))
    parts.append("</section>")
    return "".join(parts)


def _config_text(config: Any) -> str:
    if hasattr(config, "model_dump"):
        config = config.model_dump()
    if isinstance(config, Mapping):
        try:
            from fitdoctor.config import config_yaml

            return config_yaml(json.loads(json.dumps(config, default=str)))
        except ImportError:
            return json.dumps(config, indent=2, default=str)
    return str(config)


# ------------------------------------------------------------------ the page
CSS = """
body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:16px 24px 48px}
header h1{font-size:22px;margin:8px 0 2px}.sub{color:#666;font-size:12.5px}
section{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:12px 18px;margin:16px 0}
h2{font-size:18px;margin:6px 0}h3{font-size:15px;margin:14px 0 6px}
ol.verdict{list-style:none;padding:0;margin:0}
.finding{border-left:5px solid #999;padding:6px 10px;margin:6px 0;background:#fafbfc;border-radius:4px}
.finding[data-x0]{cursor:pointer}.finding[data-x0]:hover{background:#f0f3f7}
.finding.active{outline:2px solid #d4ac0d;background:#fffbe6}
.badge{color:#fff;border-radius:3px;padding:0 6px;font-size:11.5px;text-transform:uppercase}
.span{color:#666;font-size:12.5px}.msg{margin:3px 0}.evidence{color:#555;font-size:12.5px}
.evidence span{margin-right:6px}.remedies{margin:4px 0 2px 18px;padding-left:8px}.why{color:#666}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#f1f2f4;border-radius:3px;padding:0 3px}
pre{padding:8px;overflow:auto;max-height:400px}
.keep{border:1px solid #b7dfc4;background:#f1faf4;border-radius:6px;padding:4px 12px;margin:10px 0}
.keep h3{margin:6px 0 2px}.facts{color:#444;font-size:12.5px}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(520px,100%),1fr));gap:10px}
.plot{min-height:260px;border:1px solid #eee;border-radius:4px}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0}th,td{border-bottom:1px solid #e6e6e6;padding:3px 8px;text-align:left}
th{background:#f4f5f7}.note{color:#555;font-size:12.5px}details{margin:6px 0}summary{cursor:pointer;color:#345}
.none{color:#1e8449}.unnamed{color:#9a6700}
details.allev{display:inline-block;margin:0 0 0 6px;font-size:12px}details.allev table.ev{margin:4px 0}
table.folds td.mark{text-align:center}table.folds tr.best td{color:#555;border-top:1px solid #ccc}
details.fold>summary h2{display:inline;font-size:16px}details.fold>summary{padding:4px 0}
h1,h2,h3,.sub,td,th,.finding,.keep{overflow-wrap:anywhere}
table{display:block;max-width:100%;overflow-x:auto}
table.rank td,table.rank th{overflow-wrap:normal;white-space:nowrap}
"""

JS = """
(function(){
  var data = JSON.parse(document.getElementById('fd-data').textContent);
  // on a phone the toolbar is always shown and covers the chart titles: pinch-zoom there instead
  var narrow = window.matchMedia && window.matchMedia('(max-width: 700px)').matches;
  var cfg = {displaylogo:false, responsive:true, typesetMath:false, showLink:false,
             displayModeBar: narrow ? false : 'hover',
             modeBarButtonsToRemove:['sendDataToCloud','lasso2d','select2d']};
  var groups = {};
  data.plots.forEach(function(p){
    var el = document.getElementById(p.id);
    if (!el) return;
    el.fdBase = (p.figure.layout.shapes || []).slice();
    Plotly.newPlot(el, p.figure.data, p.figure.layout, cfg);
    (groups[p.group] = groups[p.group] || []).push({el: el, axis: p.axis});
  });
  function highlight(item){
    var prev = document.querySelectorAll('.finding.active');
    for (var i = 0; i < prev.length; i++) prev[i].classList.remove('active');
    item.classList.add('active');
    var x0 = parseFloat(item.getAttribute('data-x0')), x1 = parseFloat(item.getAttribute('data-x1'));
    var first = null;
    (groups[item.getAttribute('data-run')] || []).forEach(function(p){
      if (!p.axis) return;
      var shapes = p.el.fdBase.slice();
      if (isFinite(x0) && isFinite(x1)) {
        if (x1 > x0) shapes.push({type:'rect', xref:'x', yref:'paper', x0:x0, x1:x1, y0:0, y1:1,
          fillcolor:'#f1c40f', opacity:0.3, line:{color:'#b7950b', width:2}, name:'fd-highlight'});
        else shapes.push({type:'line', xref:'x', yref:'paper', x0:x0, x1:x0, y0:0, y1:1,
          line:{color:'#b7950b', width:4}, name:'fd-highlight'});
      }
      Plotly.relayout(p.el, {shapes: shapes});
      if (!first) first = p.el;
    });
    if (first) first.scrollIntoView({block:'center'});
  }
  // a plot drawn while its fold was folded away has no width: size it when it is opened
  var folds = document.querySelectorAll('details.fold');
  for (var j = 0; j < folds.length; j++) folds[j].addEventListener('toggle', function(){
    if (!this.open) return;
    var plots = this.querySelectorAll('.plot');
    for (var k = 0; k < plots.length; k++) if (plots[k].data) Plotly.Plots.resize(plots[k]);
  });
  var items = document.querySelectorAll('.finding[data-x0]');
  for (var i = 0; i < items.length; i++) (function(item){
    item.addEventListener('click', function(){ highlight(item); });
    item.addEventListener('keydown', function(e){
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); highlight(item); }
    });
  })(items[i]);
})();
"""


def _plotly_js() -> str:
    offline = require("plotly.offline", "report", "the HTML report")
    js = offline.get_plotlyjs()
    # The bundle is inlined in a <script> element: it must not end the element early.
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _page(title: str, body: str, panels: list[tuple[str, Panel]]) -> str:
    data = {"plots": [{"id": p.id, "group": g, "axis": p.on_run_axis, "figure": p.figure} for g, p in panels]}
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; script-src 'unsafe-inline' "
        "'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>\n{body}\n</main>\n"
        "<noscript><p>This report draws its plots with JavaScript; the verdict above is complete without it.</p>"
        "</noscript>\n"
        f"<script type='text/javascript'>{_plotly_js()}</script>\n"
        f"<script type='application/json' id='fd-data'>{script_json(data)}</script>\n"
        f"<script type='text/javascript'>{JS}</script>\n</body></html>\n"
    )
