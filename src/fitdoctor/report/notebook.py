"""``Diagnosis._repr_html_``: the verdict and the main figure in Jupyter (every name escaped).

The figure is the same matplotlib PNG as ``--png``, inlined as a data URI: it shows in
any notebook viewer (no JavaScript, nothing to load). Without matplotlib the loss
curves fall back to sparklines.
"""

from __future__ import annotations

import base64
from html import escape

from fitdoctor.findings import Diagnosis
from fitdoctor.report.sparkline import sparkline

COLORS = {"error": "#c0392b", "warning": "#b9770e", "info": "#2471a3"}


def diagnosis_html(d: Diagnosis) -> str:
    h = d.history
    rows = []
    for f in d.findings:
        remedies = "".join(f"<li>{escape(r.action)}</li>" for r in f.remedies)
        ev = ", ".join(f"{escape(str(k))}={escape(str(v))}" for k, v in f.evidence.items())
        rows.append(
            f"<tr><td style='color:{COLORS[f.severity]};font-weight:bold'>{escape(f.severity)}</td>"
            f"<td><code>{escape(f.code)}</code></td><td>{escape(f.message)}"
            f"<div style='color:#666;font-size:90%'>{ev}</div><ul>{remedies}</ul></td></tr>"
        )
    curves = main_figure_html(d)
    keep = escape(str(d.summary.get("keep", "")))
    return (f"<div><b>fitdoctor</b> · {escape(h.name)}"
            f"<table>{''.join(rows)}</table><div><b>keep:</b> {keep}</div>{curves}</div>")


def main_figure_html(d: Diagnosis) -> str:
    """The main figure as an inline PNG; sparklines when matplotlib is missing or fails."""
    try:
        from fitdoctor.report.png import render_png

        data = base64.b64encode(render_png(d)).decode("ascii")
        return f"<div><img alt='training curves' style='max-width:100%' src='data:image/png;base64,{data}'></div>"
    except Exception:  # a notebook repr must never raise
        h = d.history
        return "".join(
            f"<div><code>{escape(k)}</code> <span style='font-family:monospace'>"
            f"{escape(sparkline(h.series[k].values, 40))}</span></div>"
            for k in ("loss", "val_loss") if k in h.series
        )
