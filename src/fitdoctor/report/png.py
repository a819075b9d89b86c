"""A static PNG of a run's main figure, drawn with matplotlib (Agg; no browser, no display).

For papers, issues and terminals that show images: loss/val_loss and the selected
metric, with the findings drawn on them (spans shaded, first non-finite point, best
epoch, chance level). Written to a temp file and renamed, so no half-written PNG is
ever left behind.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.errors import require
from fitdoctor.findings import Diagnosis
from fitdoctor.history import Series
from fitdoctor.report.figures import SEVERITY_COLOR, SPANLESS_CODES, TRAIN_COLOR, VAL_COLOR, envelope

DPI = 110
SIZE = (11.0, 4.2)


def _text(s: Any) -> str:
    """Names from logs are shown literally: math parsing is off (see ``render_png``)."""
    return str(s)


def _plot(ax, name: str, s: Series, color: str) -> None:
    d = envelope(s.steps, s.values)
    if d.binned:
        ax.fill_between(d.x, d.lo, d.hi, color=color, alpha=0.25, linewidth=0)
    ax.plot(d.x, d.y, color=color, linewidth=1.6, label=_text(name))
    bad = ~np.isfinite(s.values)
    if bad.any():
        i = int(np.argmax(bad))
        prev = s.values[:i][np.isfinite(s.values[:i])]
        ax.plot([s.steps[i]], [prev[-1] if prev.size else 0.0], marker="x", markersize=11, mew=2.5,
                color=SEVERITY_COLOR["error"], linestyle="none",
                label=_text(f"{name}: first {'NaN' if np.isnan(s.values[i]) else 'inf'}"))


def _panel_keys(d: Diagnosis) -> list[str]:
    h = d.history
    keys = ["loss"] if ("loss" in h.series or "val_loss" in h.series) else []
    sel = d.summary.get("selected_by") or ""
    base = sel[4:] if sel.startswith("val_") else sel
    if base and base != "loss" and (base in h.series or "val_" + base in h.series):
        keys.append(base)
    else:
        pairs = [m for m, tr, va in h.metric_pairs()]
        if pairs:
            keys.append(pairs[0])
    return keys or [next(iter(h.series)).split("#")[0]]


def render_png(d: Diagnosis) -> bytes:
    """The main figure as PNG bytes (``$`` in a metric name is not parsed as math)."""
    mpl = require("matplotlib", "report", "PNG export")
    with mpl.rc_context({"text.parse_math": False, "text.usetex": False}):
        return _render(d)


def _render(d: Diagnosis) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    h = d.history
    keys = _panel_keys(d)
    fig = Figure(figsize=(SIZE[0] if len(keys) > 1 else SIZE[0] * 0.6, SIZE[1]), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    s = d.summary
    from fitdoctor.report.figures import INTERNAL_CODES, WHOLE_RUN_SHARE, robust_range, short, stack_labels

    for ax, key in zip(axes, keys):
        xs, ys = [], []
        for name in (key, "val_" + key):
            if name in h.series:
                _plot(ax, name, h.series[name], VAL_COLOR if name.startswith("val_") else TRAIN_COLOR)
                xs.extend(h.series[name].steps.tolist())
                ys.extend(h.series[name].values.tolist())
        xlo, xhi = (min(xs), max(xs)) if xs else (0.0, 1.0)
        labels = []
        for n, f in enumerate(d.findings, 1):
            if f.span is None or f.code in SPANLESS_CODES or f.code in INTERNAL_CODES:
                continue
            a, b = float(f.span[0]), float(f.span[1])
            if not (np.isfinite(a) and np.isfinite(b)):
                continue
            color = SEVERITY_COLOR[f.severity]
            whole = xhi > xlo and (b - a) >= WHOLE_RUN_SHARE * (xhi - xlo)
            if a == b or f.code == "non_finite":
                ax.axvline(a, color=color, linestyle="--", linewidth=1.5)
            elif not whole:  # shading the whole run shows nothing
                ax.axvspan(a, b, color="#7f8c8d" if f.code == "plateau" else color, alpha=0.12, linewidth=0)
            labels.append({"x": a, "text": f"{n}. {f.code}" + (" (whole run)" if whole and a != b else ""),
                           "color": color})
        stack_labels(labels, (xlo, xhi))
        for lab in labels:  # rows downwards from the top, so no label sits on another
            ax.annotate(_text(lab["text"]), xy=(lab["x"], 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -10 - 0.8 * (lab["yshift"] - 4)), textcoords="offset points", fontsize=8,
                        color=lab["color"])
        refs = [float(s["chance_loss"])] if key == "loss" and s.get("chance_loss") is not None else []
        rng, out = robust_range(np.array(ys, dtype=float), refs,
                                level=s.get("chance_loss") if key == "loss" else None)
        if rng is not None:
            ax.set_ylim(*rng)
            if out.any():
                fin = np.isfinite(np.array(ys, dtype=float))
                ox = np.array(xs)[fin][out]
                oy = np.array(ys, dtype=float)[fin][out]
                k = int(np.argmax(np.abs(oy)))
                ax.annotate(_text(f"{int(out.sum())} points off scale ({short(oy[k])} at {short(ox[k])})"),
                            xy=(1.0, 1.0), xycoords="axes fraction", xytext=(-4, -4), textcoords="offset points",
                            ha="right", va="top", fontsize=8, color="#555")
        if key == "loss" and s.get("chance_loss") is not None:
            ax.axhline(float(s["chance_loss"]), color="#7f8c8d", linestyle=":", linewidth=1.2,
                       label=f"chance level {short(s['chance_loss'])}")
        sel = s.get("selected_by") or ""
        if s.get("best_at") is not None:
            ax.axvline(float(s["best_at"]), color="#27ae60", linestyle=":", linewidth=1.2)
            if sel in (key, "val_" + key) and s.get("best_value") is not None:
                ax.plot([s["best_at"]], [s["best_value"]], marker="*", markersize=14, color="#27ae60",
                        markeredgecolor="#145a32", linestyle="none", label=_text(f"best {sel}"))
        ax.set_title(_text(key), fontsize=11)
        ax.set_xlabel(h.unit)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="best")
    codes = ", ".join(f.code for f in d.findings[:4]) or "no findings"
    fig.suptitle(_text(f"{h.name}: {codes}"), fontsize=11)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def write_png(diagnosis: Diagnosis, out: str | os.PathLike) -> Path:
    """Write the main figure of ``diagnosis`` to ``out`` (PNG), atomically."""
    from fitdoctor.files import atomic_write

    return atomic_write(Path(out), render_png(diagnosis))
