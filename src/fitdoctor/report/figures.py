"""Plotly figures for the HTML report, built as plain JSON-ready dicts.

Plain dicts (not ``plotly.graph_objects``) keep building fast for long runs and let the
page embed them as escaped JSON; only the HTML writer needs plotly, for its JS bundle.
Long series are downsampled for display with a min/max envelope per bin, so a spike
in a 100k-step log stays visible. Every name shown inside a figure passes through
:func:`label`, because plotly renders a subset of HTML in titles, legends and labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Any, Mapping, Sequence

import numpy as np

from fitdoctor.findings import Diagnosis, Finding
from fitdoctor.history import RunHistory, Series, is_counter

#: Above this many points a series is drawn as per-bin mean plus min/max envelope.
MAX_DISPLAY_POINTS = 1500
#: Number of bins for a downsampled series.
DISPLAY_BINS = 800

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
SEVERITY_COLOR = {"error": "#c0392b", "warning": "#b9770e", "info": "#2471a3"}
#: Probe families drawn as their own panels (series named ``<family>/<layer>``).
PROBE_FAMILIES = ("grad_norm", "update_ratio", "dead_fraction", "saturated_fraction")
LOG_Y_FAMILIES = ("grad_norm", "update_ratio")
#: Findings whose span covers the whole run: shading it would only add noise.
SPANLESS_CODES = ("healthy",)
#: Which finding codes are drawn on which panel kinds (curves get every finding).
LR_CODES = ("lr_too_high", "lr_too_low", "diverging", "non_finite")
PROBE_CODES = ("vanishing_gradients", "exploding_gradients", "dead_relu",
               "saturated_activations", "non_finite", "lr_too_high", "lr_too_low")


def label(text: Any) -> str:
    """Text safe to show inside a plotly figure (plotly parses a subset of HTML)."""
    return escape(str(text), quote=False)


def num(v: Any) -> float | None:
    """A JSON-safe number: non-finite becomes None (a gap), 7 significant digits."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    if f == int(f) and abs(f) < 1e15:
        return int(f)
    return float(f"{f:.7g}")


def short(v: Any) -> str:
    """A number as a label shows it: 4 significant digits, 3 for tiny or huge (0.6365, 0.978, 2907)."""
    f = num(v)
    if f is None:
        return str(v)
    if float(f) == int(f) and abs(f) < 1e6:
        return str(int(f))
    return f"{f:.3g}" if abs(f) >= 1e4 or abs(f) < 1e-3 else f"{f:.4g}"


def nums(a: Sequence[float] | np.ndarray) -> list[float | None]:
    return [num(v) for v in np.asarray(a, dtype=float).tolist()]


@dataclass
class Display:
    """A series ready to draw: raw points, or bin means with their min/max envelope."""

    x: np.ndarray
    y: np.ndarray
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None

    @property
    def binned(self) -> bool:
        return self.lo is not None


def envelope(x: np.ndarray, y: np.ndarray, max_points: int = MAX_DISPLAY_POINTS,
             bins: int = DISPLAY_BINS) -> Display:
    """Downsample ``(x, y)`` for display: per-bin mean plus min and max (NaN-aware).

    Series up to ``max_points`` long are returned untouched.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.size <= max_points:
        return Display(x, y)
    edges = np.linspace(0, y.size, bins + 1).astype(int)
    starts = np.unique(edges[:-1])
    finite = np.isfinite(y)
    yz = np.where(finite, y, 0.0)
    counts = np.add.reduceat(finite.astype(float), starts)
    sizes = np.diff(np.append(starts, y.size)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.add.reduceat(yz, starts) / counts
        lo = np.fmin.reduceat(np.where(finite, y, np.nan), starts)
        hi = np.fmax.reduceat(np.where(finite, y, np.nan), starts)
    mean[counts == 0] = np.nan
    bx = np.add.reduceat(x, starts) / sizes
    return Display(bx, mean, lo, hi)


@dataclass
class Panel:
    """One plot on the page: a DOM id, a title, a plotly figure and what it shows."""

    id: str
    title: str
    figure: dict[str, Any]
    kind: str = "curves"  # curves | lr | probe | folds | tune | doctor
    #: whether finding spans (run axis) can be highlighted on this panel
    on_run_axis: bool = True
    notes: list[str] = field(default_factory=list)


def series_traces(name: str, s: Series, color: str, *, dash: str | None = None,
                  width: float = 2.0, show_legend: bool = True,
                  max_points: int = MAX_DISPLAY_POINTS) -> list[dict[str, Any]]:
    """Traces for one series: a line, plus a shaded min/max band when downsampled."""
    d = envelope(s.steps, s.values, max_points)
    shown = label(name)
    raw = f" ({label(s.raw_name)})" if s.raw_name and s.raw_name != name else ""
    traces: list[dict[str, Any]] = []
    if d.binned:
        band = {"x": nums(d.x) + nums(d.x[::-1]), "y": nums(d.hi) + nums(d.lo[::-1]),
                "type": "scatter", "mode": "lines", "fill": "toself", "fillcolor": _alpha(color, 0.3),
                "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False,
                "name": f"{shown} min/max", "legendgroup": shown}
        traces.append(band)
    line: dict[str, Any] = {
        "x": nums(d.x), "y": nums(d.y), "type": "scatter", "mode": "lines" if len(d.x) > 60 else "lines+markers",
        "name": shown + (" (bin mean)" if d.binned else ""), "legendgroup": shown,
        "line": {"color": color, "width": width}, "marker": {"size": 4},
        "showlegend": show_legend, "connectgaps": False,
        "hovertemplate": f"{shown}{raw}<br>%{{x}}: %{{y:.4g}}<extra></extra>",
    }
    if dash:
        line["line"]["dash"] = dash
    traces.append(line)
    bad = ~np.isfinite(np.asarray(s.values, dtype=float))
    if bad.any():
        i = int(np.argmax(bad))
        prev = s.values[:i][np.isfinite(s.values[:i])]
        yv = float(prev[-1]) if prev.size else 0.0
        kind = "NaN" if np.isnan(s.values[i]) else "inf"
        traces.append({"x": [num(s.steps[i])], "y": [num(yv)], "type": "scatter", "mode": "markers",
                       "name": f"{shown}: first {kind}", "legendgroup": shown,
                       "marker": {"symbol": "x", "size": 14, "color": SEVERITY_COLOR["error"],
                                  "line": {"width": 2}},
                       "hovertemplate": f"{shown}: first {kind} at %{{x}}<extra></extra>"})
    return traces


def _alpha(hex_color: str, a: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{a})"


def base_layout(title: str, x_title: str, y_title: str = "", *, log_y: bool = False,
                height: int = 320) -> dict[str, Any]:
    return {
        # left-aligned: the hover toolbar sits at the top right and would cover a centred title
        "title": {"text": label(title), "font": {"size": 14}, "x": 0, "xref": "paper", "xanchor": "left"},
        "height": height, "margin": {"l": 60, "r": 20, "t": 40, "b": 80},
        "xaxis": {"title": {"text": label(x_title)}, "zeroline": False},
        "yaxis": {"title": {"text": label(y_title)}, "type": "log" if log_y else "linear"},
        "legend": {"orientation": "h", "y": -0.32, "font": {"size": 11}},
        "hovermode": "x unified", "shapes": [], "annotations": [],
        "plot_bgcolor": "#fff", "paper_bgcolor": "#fff",
    }


# ---------------------------------------------------------------- findings on curves
#: Codes read from inside the network: drawn on the probe panels, not on the loss and metrics.
INTERNAL_CODES = ("vanishing_gradients", "exploding_gradients", "dead_relu", "saturated_activations")
#: A span covering at least this share of the x range is the whole run: labelled, not shaded.
WHOLE_RUN_SHARE = 0.9
#: Rough width of one character of a 10 px label, and the plot width labels are laid out for
#: (the narrowest a panel gets in the report's grid); used only to keep labels apart.
CHAR_PX = 6.2
PLOT_PX = 420
ROW_PX = 15


def finding_marks(f: Finding, n: int, *, fill: bool = True,
                  x_range: tuple[float, float] | None = None) -> tuple[list[dict], list[dict]]:
    """Shapes and annotations drawing one finding's span (``n`` is its rank, 1-based).

    A span that covers (nearly) the whole ``x_range`` is not shaded: shading everything
    shows nothing; its label says so instead.
    """
    if f.span is None or f.code in SPANLESS_CODES:
        return [], []
    a, b = (num(f.span[0]), num(f.span[1]))
    if a is None or b is None:
        return [], []
    color = SEVERITY_COLOR[f.severity]
    whole = (x_range is not None and x_range[1] > x_range[0]
             and (b - a) >= WHOLE_RUN_SHARE * (x_range[1] - x_range[0]))
    text = label(f"{n}. {f.code}" + (" (whole run)" if whole and a != b else ""))
    shapes: list[dict] = []
    if a == b or f.code == "non_finite":
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": a, "x1": a, "y0": 0, "y1": 1,
                       "line": {"color": color, "width": 2, "dash": "dash"}, "name": f"finding-{n}"})
    elif fill and not whole:
        opacity = 0.14 if f.code in ("overfitting", "plateau") else 0.08
        fc = "#7f8c8d" if f.code == "plateau" else color
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": a, "x1": b, "y0": 0, "y1": 1,
                       "fillcolor": fc, "opacity": opacity, "line": {"width": 0}, "layer": "below",
                       "name": f"finding-{n}"})
    ann = {"x": a, "xref": "x", "y": 1.0, "yref": "paper", "yanchor": "bottom", "xanchor": "left",
           "text": text, "showarrow": False, "font": {"size": 10, "color": color}}
    return shapes, [ann]


def _codes_for(kind: str) -> tuple[str, ...] | None:
    return {"lr": LR_CODES, "probe": PROBE_CODES}.get(kind)


def _x_range(fig: dict[str, Any]) -> tuple[float, float] | None:
    xs = [x for t in fig["data"] for x in (t.get("x") or []) if isinstance(x, (int, float))]
    return (float(min(xs)), float(max(xs))) if xs else None


def draw_findings(fig: dict[str, Any], findings: Sequence[Finding], kind: str) -> None:
    """Each finding's span on the panel, labelled with its rank and code above the plot;
    labels that would run into each other go on rows of their own (the top margin grows)."""
    allowed = _codes_for(kind)
    x_range = _x_range(fig)
    anns = []
    for i, f in enumerate(findings, 1):
        if allowed is not None and f.code not in allowed:
            continue
        if kind == "curves" and f.code in INTERNAL_CODES:
            continue  # probe findings are drawn where the probes are
        shapes, a = finding_marks(f, i, x_range=x_range)
        fig["layout"]["shapes"].extend(shapes)
        anns.extend(a)
    rows = stack_labels(anns, x_range)
    fig["layout"]["annotations"].extend(anns)
    if rows > 1:
        fig["layout"]["margin"]["t"] = fig["layout"]["margin"].get("t", 40) + ROW_PX * (rows - 1)


def stack_labels(anns: list[dict[str, Any]], x_range: tuple[float, float] | None) -> int:
    """Give labels along the top of a plot rows (``yshift``) so that none overlaps another;
    returns how many rows it took."""
    if not anns:
        return 0
    lo, hi = x_range if x_range and x_range[1] > x_range[0] else (0.0, 1.0)
    ends: list[float] = []  # right edge (px) of the last label on each row
    for ann in sorted(anns, key=lambda a: float(a["x"])):
        start = (float(ann["x"]) - lo) / (hi - lo) * PLOT_PX
        width = len(str(ann["text"])) * CHAR_PX
        row = next((r for r, end in enumerate(ends) if start >= end + 6), None)
        if row is None:
            row = len(ends)
            ends.append(start + width)
        else:
            ends[row] = start + width
        ann["yshift"] = 4 + ROW_PX * row  # clear of markers drawn at the top edge
    return len(ends)


def reference_lines(fig: dict[str, Any], lines: list[tuple[str, float, str, str]], *, log_y: bool,
                    y_range: tuple[float, float] | None) -> None:
    """Horizontal reference lines (chance level, baselines) with their labels in the right
    margin, never over the curves; labels closer than a row apart are pushed apart, and the
    margin is as wide as the longest label. ``y_range`` is the axis range (log10 on a log axis)."""
    if not lines:
        return
    placed = []
    for text, v, color, dash in lines:
        yv = num(v)
        if yv is None or (log_y and yv <= 0):
            continue
        fig["layout"]["shapes"].append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                                        "y0": yv, "y1": yv, "line": {"color": color, "width": 1.5, "dash": dash},
                                        "name": "reference"})
        pos = math.log10(yv) if log_y else yv
        placed.append({"x": 1, "xref": "paper", "xanchor": "left", "xshift": 4, "y": pos, "yref": "y",
                       "yanchor": "middle", "text": label(text), "showarrow": False,
                       "font": {"size": 10, "color": color}})
    if not placed:
        return
    height = fig["layout"]["height"] - fig["layout"]["margin"]["t"] - fig["layout"]["margin"]["b"]
    lo, hi = y_range if y_range and y_range[1] > y_range[0] else (
        min(a["y"] for a in placed) - 1, max(a["y"] for a in placed) + 1)
    px = sorted(((a["y"] - lo) / (hi - lo) * height, k) for k, a in enumerate(placed))
    last = -math.inf
    for y, k in px:  # bottom up: each label at least a row above the one below it
        want = max(y, last + ROW_PX)
        placed[k]["yshift"] = want - y
        last = want
    over = last - height
    if over > 0:  # pushed above the plot: move the whole stack down
        for a in placed:
            a["yshift"] -= over
    fig["layout"]["annotations"].extend(placed)
    widest = max(len(str(a["text"])) for a in placed) * CHAR_PX + 12
    fig["layout"]["margin"]["r"] = max(fig["layout"]["margin"].get("r", 20), int(min(widest, 170)))


#: A point is off the scale only when it is this many times the chance level away from it
#: (a loss starts near the chance level; a first epoch at 2907 beside a chance level of
#: 0.64 is the unscaled input, not the descent) ...
FAR_FROM_CHANCE = 10.0
#: ... or, with no chance level known, this many times the run's median level away from it.
FAR = 50.0


def robust_range(values: np.ndarray, extra: Sequence[float] = (), *, fence: float = 10.0,
                 level: float | None = None) -> tuple[tuple[float, float] | None, np.ndarray]:
    """The y range that shows the curve, and which values fall outside it.

    Points beyond ``fence`` interquartile ranges from the quartiles *and* far from the run's
    level (``FAR_FROM_CHANCE`` times the chance level ``level`` when known, else ``FAR``
    times the median) are left off the scale, when they are few (at most 10% of the
    points). A loss that starts at ln 10 and settles at 0.05 keeps its start; a diverged
    first epoch at 2907 beside a chance level of 0.64 does not. ``extra`` (reference
    lines) is included when it lies inside the fences.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None, np.zeros(0, dtype=bool)
    q1, q3 = np.percentile(v, [25, 75])
    med = float(np.median(v))
    iqr = max(q3 - q1, 0.05 * abs(med), 1e-12)
    lo_f, hi_f = q1 - fence * iqr, q3 + fence * iqr
    if level is not None and num(level) is not None and level > 0:
        far = np.abs(v - level) > FAR_FROM_CHANCE * max(float(level), iqr)
    else:
        far = np.abs(v - med) > FAR * max(abs(med), iqr)
    out = ((v < lo_f) | (v > hi_f)) & far
    if v.size < 8 or out.mean() > 0.1:
        out[:] = False
    keep = v[~out]
    ext = [float(e) for e in extra if num(e) is not None and lo_f <= float(e) <= hi_f]
    lo = min([float(keep.min()), *ext])
    hi = max([float(keep.max()), *ext])
    pad = (hi - lo) * 0.08 or (abs(hi) * 0.1 or 1.0)
    return (lo - pad, hi + pad), out


def hline(fig: dict[str, Any], y: float, text: str, color: str, dash: str = "dot") -> None:
    yv = num(y)
    if yv is None:
        return
    fig["layout"]["shapes"].append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                                    "y0": yv, "y1": yv, "line": {"color": color, "width": 1.5, "dash": dash}})
    fig["layout"]["annotations"].append({"x": 1, "xref": "paper", "y": yv, "yref": "y", "xanchor": "right",
                                         "yanchor": "bottom", "text": label(text), "showarrow": False,
                                         "font": {"size": 10, "color": color}})


# ---------------------------------------------------------------- one run
def _base(name: str) -> str:
    return name.split("#")[0]


def _group_series(h: RunHistory) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Curve panels (loss, each metric -> series names) and probe families -> series names.
    Counters (an RL loop's episode and frame columns) get no panel: a straight rising line
    above the return would be the first thing a reader sees, and says nothing."""
    curves: dict[str, list[str]] = {"loss": []}
    probes: dict[str, list[str]] = {}
    for name, series in h.series.items():
        base = _base(name)
        # a series a reader copied to the loss (a boosting log's only objective) is drawn once, as the loss
        if base == "lr" or is_counter(name, series) or _is_copy(h, name):
            continue
        if "/" in base:
            probes.setdefault(base.split("/", 1)[0], []).append(name)
            continue
        key = base[4:] if base.startswith("val_") else base
        curves.setdefault(key, []).append(name)
    if not curves["loss"]:
        del curves["loss"]
    return curves, probes


def _is_copy(h: RunHistory, name: str) -> bool:
    """``name`` holds the same points as the loss a reader made of it (``val_binary_logloss`` as
    ``val_loss``)."""
    if name in ("loss", "val_loss"):
        return False
    twin = h.series.get("val_loss" if name.startswith("val_") else "loss")
    s = h.series[name]
    return twin is not None and twin.raw_name == s.raw_name and np.array_equal(twin.steps, s.steps) \
        and np.array_equal(twin.values, s.values, equal_nan=True)


def _baselines_for(baselines: Mapping[str, Any] | None, key: str) -> list[tuple[str, float]]:
    """``extra['baselines']``: ``{metric: value}`` or ``{metric: {label: value}}``."""
    out: list[tuple[str, float]] = []
    if not baselines:
        return out
    for metric in (key, "val_" + key):
        v = baselines.get(metric)
        if v is None:
            continue
        if isinstance(v, Mapping):
            out.extend((str(k), float(x)) for k, x in v.items() if num(x) is not None)
        elif num(v) is not None:
            out.append(("baseline", float(v)))
    return out


#: Metrics drawn on a panel of their own; the rest share one "other metrics" panel.
PRIMARY_METRICS = ("accuracy", "auc", "f1", "map50_95", "map50", "map", "r2")
#: Baselines shown by short names in a figure (the report's tables use the full ones).
BASELINE_LABELS = {"hist_gradient_boosting": "gradient boosting", "hist gradient boosting": "gradient boosting"}


def _panel_groups(d: Diagnosis, curves: dict[str, list[str]]) -> dict[str, list[str]]:
    """loss, the metric the run is judged by, then the other scores on one shared panel
    (a trainer logs six classification metrics: six panels of flat lines help nobody)."""
    from fitdoctor.history import higher_is_better

    metrics = [k for k in curves if k != "loss"]
    judged = (d.summary.get("best_metric") or {}).get("name", "")
    judged = judged[4:] if judged.startswith("val_") else judged
    primary = judged if judged in metrics else next((m for m in PRIMARY_METRICS if m in metrics), None)
    scores = [m for m in metrics if m != primary and higher_is_better(m)]
    out: dict[str, list[str]] = {}
    for key, names in curves.items():
        if key in scores and len(scores) > 1:
            continue
        out[key] = names
    if len(scores) > 1:  # validation only: the train twins would double the lines
        out["other metrics"] = [n for m in scores for n in curves[m] if _base(n).startswith("val_")] \
            or [n for m in scores for n in curves[m]]
    return out


def run_panels(d: Diagnosis, prefix: str, *, baselines: Mapping[str, Any] | None = None,
               max_points: int = MAX_DISPLAY_POINTS) -> list[Panel]:
    """Every panel for one run: loss, each metric, lr, probe families; findings drawn on them."""
    h = d.history
    unit = h.unit
    s = d.summary
    curves, probes = _group_series(h)
    panels: list[Panel] = []
    for key, names in _panel_groups(d, curves).items():
        shared = key == "other metrics"
        fig = {"data": [], "layout": base_layout(key, unit, "score" if shared else key)}
        for i, name in enumerate(sorted(names, key=lambda n: (n.startswith("val_"), "#" in n, n))):
            is_val = _base(name).startswith("val_")
            color = PALETTE[(i + 2) % len(PALETTE)] if shared else (VAL_COLOR if is_val else TRAIN_COLOR)
            dash = "dot" if "#" in name else None
            fig["data"].extend(series_traces(name, h.series[name], color, dash=dash, max_points=max_points))
        draw_findings(fig, d.findings, "curves")
        lines: list[tuple[str, float, str, str]] = []
        refs = _baselines_for(baselines, key)
        if key == "loss" and s.get("chance_loss") is not None:
            lines.append((f"chance {short(s['chance_loss'])}", s["chance_loss"], "#7f8c8d", "dot"))
        if s.get("majority_rate") is not None and key == "accuracy" and not any(
                "majority" in t and abs(v - s["majority_rate"]) < 0.02 for t, v in refs):
            lines.append((f"majority class {short(s['majority_rate'])}", s["majority_rate"], "#7f8c8d", "dot"))
        for text, v in refs:
            lines.append((f"{BASELINE_LABELS.get(text, text)} {short(v)}", v, "#8e44ad", "dashdot"))
        _mark_best(fig, d, key)
        scale_y(fig, key, [v for _, v, _, _ in lines], level=s.get("chance_loss") if key == "loss" else None)
        y_range = fig["layout"]["yaxis"].get("range")
        reference_lines(fig, lines, log_y=fig["layout"]["yaxis"]["type"] == "log",
                        y_range=tuple(y_range) if y_range else None)
        panels.append(Panel(f"{prefix}-{_slug(key)}", key, fig, "curves"))
    if "lr" in h.series:
        lr = h.series["lr"]
        fin = lr.values[np.isfinite(lr.values)]
        log_y = bool(fin.size and fin.min() > 0 and fin.max() / fin.min() > 10)
        fig = {"data": series_traces("lr", lr, "#16a085", max_points=max_points),
               "layout": base_layout("learning rate", unit, "lr", log_y=log_y, height=260)}
        if fin.size and fin.min() == fin.max() and fin.max() > 0:  # constant: plotly would centre on 0
            fig["layout"]["yaxis"]["range"] = [0, num(2 * fin.max())]
        draw_findings(fig, d.findings, "lr")
        panels.append(Panel(f"{prefix}-lr", "learning rate", fig, "lr"))
    for family, names in probes.items():
        log_y = family in LOG_Y_FAMILIES and all(
            np.nanmin(np.where(np.isfinite(h.series[n].values), h.series[n].values, np.nan)) > 0
            for n in names if np.isfinite(h.series[n].values).any())
        shown, probe_unit = zip(*(on_run_axis(h, h.series[n]) for n in names))
        same_axis = all(u == unit for u in probe_unit)
        fig = {"data": [], "layout": base_layout(family.replace("_", " ") + " per layer", probe_unit[0],
                                                 family, log_y=log_y, height=300)}
        for i, (name, series) in enumerate(zip(names, shown)):
            layer = name.split("/", 1)[1] if "/" in name else name
            fig["data"].extend(series_traces(layer, series, PALETTE[i % len(PALETTE)],
                                             width=1.5, max_points=max_points))
        if same_axis:  # finding spans are on the run's axis: drawable only on the same one
            draw_findings(fig, d.findings, "probe")
        panels.append(Panel(f"{prefix}-probe-{_slug(family)}", family, fig, "probe", on_run_axis=same_axis))
    return _unique_ids(panels)


def scale_y(fig: dict[str, Any], key: str, references: Sequence[float] = (), *,
            level: float | None = None) -> None:
    """Set the y range a practitioner would: the curves' own range, with a few far outliers
    (a first epoch at 2907 beside a run at 0.64) left off the scale and marked where they
    leave it (a triangle at the edge, their values on hover, a note in the corner)."""
    xs: list[float] = []
    ys: list[float] = []
    for t in fig["data"]:
        if t.get("fill") or t.get("mode") == "markers" and t.get("name", "").startswith("best"):
            continue
        for x, y in zip(t.get("x") or [], t.get("y") or []):
            if isinstance(y, (int, float)) and isinstance(x, (int, float)):
                xs.append(float(x))
                ys.append(float(y))
    if not ys:
        return
    rng, out = robust_range(np.array(ys), references, level=level)
    if rng is None:
        return
    fig["layout"]["yaxis"]["range"] = [num(rng[0]), num(rng[1])]
    if not out.any():
        return
    ox = np.array(xs)[out]
    oy = np.array(ys)[out]
    top = oy > rng[1]
    edge = np.where(top, rng[1], rng[0])
    fig["data"].append({"x": nums(ox), "y": nums(edge), "type": "scatter", "mode": "markers",
                        "name": "off scale", "customdata": nums(oy), "cliponaxis": False,
                        "marker": {"symbol": np.where(top, "triangle-up", "triangle-down").tolist(),
                                   "size": 10, "color": "#555"},
                        "hovertemplate": "off scale: %{customdata:.4g} at %{x}<extra></extra>"})
    k = int(np.argmax(np.abs(oy)))
    n = int(out.sum())
    fig["layout"]["annotations"].append({
        "x": 1, "xref": "paper", "y": 1 if top[k] else 0, "yref": "paper", "xanchor": "right",
        "yanchor": "top" if top[k] else "bottom", "showarrow": False, "font": {"size": 10, "color": "#555"},
        "bgcolor": "rgba(255,255,255,0.8)",
        "text": label(f"{'▲' if top[k] else '▼'} {n} point{'s' if n != 1 else ''} off scale "
                      f"({short(oy[k])} at {short(ox[k])})")})


def on_run_axis(h: RunHistory, s: Series) -> tuple[Series, str]:
    """A probe series (sampled on optimizer steps) placed on the run's own axis: steps become
    fractional epochs when the run is an epoch log that says how many steps an epoch has.
    Returns the series to draw and the name of its axis."""
    spe = h.meta.get("steps_per_epoch")
    if s.axis == "step" and h.axis == "epoch" and isinstance(spe, (int, float)) and spe > 0:
        return Series(s.steps / float(spe), s.values, raw_name=s.raw_name, axis="epoch"), "epoch"
    return s, s.axis


def _mark_best(fig: dict[str, Any], d: Diagnosis, key: str) -> None:
    """Best-epoch star on the selection curve; a dotted 'best' line on every curve panel."""
    s = d.summary
    at, sel = num(s.get("best_at")), s.get("selected_by")
    if at is None or not sel:
        return
    fig["layout"]["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": at, "x1": at,
                                    "y0": 0, "y1": 1, "line": {"color": "#27ae60", "width": 1.5, "dash": "dot"},
                                    "name": "best"})
    sel_key = sel[4:] if sel.startswith("val_") else sel
    if sel_key != key:
        return
    band = s.get("equivalent_band")
    if band and num(band[0]) is not None and num(band[1]) is not None and band[1] > band[0]:
        fig["layout"]["shapes"].append({"type": "rect", "xref": "x", "yref": "paper", "x0": num(band[0]),
                                        "x1": num(band[1]), "y0": 0, "y1": 0.04, "fillcolor": "#27ae60",
                                        "opacity": 0.5, "line": {"width": 0}, "name": "equivalent band"})
    fig["data"].append({"x": [at], "y": [num(s.get("best_value"))], "type": "scatter", "mode": "markers",
                        "name": f"best {label(sel)} @ {at}",
                        "marker": {"symbol": "star", "size": 16, "color": "#27ae60",
                                   "line": {"color": "#145a32", "width": 1}},
                        "hovertemplate": f"best {label(sel)}: %{{y:.4g}} at %{{x}}<extra></extra>"})


def _slug(text: str) -> str:
    """A readable DOM id part; ids are made unique by :func:`_unique_ids`."""
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in str(text).lower()).strip("-")
    return (out or "x")[:40]


def _unique_ids(panels: list[Panel]) -> list[Panel]:
    """Number the panels so two names with the same slug never share a DOM id."""
    for k, p in enumerate(panels):
        p.id = f"{p.id}-{k}"
    return panels


# ---------------------------------------------------------------- k-fold
def folds_panels(folds: Sequence[RunHistory], prefix: str, *,
                 baselines: Mapping[str, Any] | None = None) -> list[Panel]:
    """Per-fold curves (thin) and the mean +- std band across folds, for val_loss, loss and
    the metric the run is judged by (with the baselines' lines); the mean and band stop
    where fewer than half the folds (at least 2) are still running, since past that point
    they would be one fold's curve under another name."""
    names = [n for n in ("val_loss", "loss") if any(n in f.series for f in folds)]
    metrics = {m for f in folds for m, _, va in f.metric_pairs() if va is not None}
    judged = next((m for m in PRIMARY_METRICS if m in metrics), None)
    if judged is None and metrics:
        judged = sorted(metrics)[0]
    if judged is not None:
        names.append(f"val_{judged}")
    need = max(2, math.ceil(len(folds) / 2))
    panels = []
    for name in names:
        unit = next((f.series[name].axis for f in folds if name in f.series), "epoch")
        fig = {"data": [], "layout": base_layout(f"{name} across {len(folds)} folds", unit, name)}
        grid: dict[float, list[float]] = {}
        for i, f in enumerate(folds):
            s = f.series.get(name)
            if s is None:
                continue
            fig["data"].append({"x": nums(s.steps), "y": nums(s.values), "type": "scatter", "mode": "lines",
                                "name": f"fold {i + 1}", "line": {"width": 1, "color": PALETTE[i % len(PALETTE)]},
                                "opacity": 0.55})
            for x, y in zip(s.steps.tolist(), s.values.tolist()):
                if math.isfinite(y):
                    grid.setdefault(x, []).append(y)
        xs = sorted(x for x in grid if len(grid[x]) >= need)
        mean = np.array([np.mean(grid[x]) for x in xs])
        std = np.array([np.std(grid[x]) for x in xs])
        cnt = [len(grid[x]) for x in xs]
        if xs:
            fig["data"].append({"x": nums(xs) + nums(xs[::-1]), "y": nums(mean + std) + nums((mean - std)[::-1]),
                                "type": "scatter", "mode": "lines", "fill": "toself",
                                "fillcolor": "rgba(0,0,0,0.12)", "line": {"width": 0},
                                "name": "mean ± std", "hoverinfo": "skip"})
            fig["data"].append({"x": nums(xs), "y": nums(mean), "type": "scatter", "mode": "lines",
                                "name": "mean", "line": {"color": "#000", "width": 2.5},
                                "customdata": cnt,
                                "hovertemplate": "mean %{y:.4g} at %{x} (%{customdata} folds)<extra></extra>"})
        key = name[4:] if name.startswith("val_") else name
        lines = [(f"{BASELINE_LABELS.get(t, t)} {short(v)}", v, "#8e44ad", "dashdot")
                 for t, v in _baselines_for(baselines, key)] if name.startswith("val_") else []
        scale_y(fig, name, [v for _, v, _, _ in lines])
        y_range = fig["layout"]["yaxis"].get("range")
        reference_lines(fig, lines, log_y=False, y_range=tuple(y_range) if y_range else None)
        panels.append(Panel(f"{prefix}-{_slug(name)}", name, fig, "folds", on_run_axis=False))
    return _unique_ids(panels)


# ---------------------------------------------------------------- tune
def tune_panels(tune: Mapping[str, Any], prefix: str) -> list[Panel]:
    """Best-so-far vs trial, parameter importances and parallel coordinates.

    ``tune``: ``{"direction": "minimize"|"maximize", "metric": str,
    "trials": [{"number", "value", "params": {...}}], "importances": {param: share}}``.
    """
    panels: list[Panel] = []
    trials = [t for t in tune.get("trials", []) if isinstance(t, Mapping)]
    maximize = str(tune.get("direction", "minimize")).lower().startswith("max")
    metric = str(tune.get("metric", "objective"))
    done = [t for t in trials if num(t.get("value")) is not None]
    if done:
        xs = [t.get("number", i) for i, t in enumerate(done)]
        ys = [float(t["value"]) for t in done]
        best = np.maximum.accumulate(ys) if maximize else np.minimum.accumulate(ys)
        fig = {"data": [
            {"x": nums(xs), "y": nums(ys), "type": "scatter", "mode": "markers", "name": "trial",
             "marker": {"color": TRAIN_COLOR, "size": 7}},
            {"x": nums(xs), "y": nums(best), "type": "scatter", "mode": "lines", "name": "best so far",
             "line": {"color": "#27ae60", "width": 2.5, "shape": "hv"}}],
            "layout": base_layout(f"{metric}: best so far", "trial", metric)}
        fig["layout"]["hovermode"] = "closest"
        panels.append(Panel(f"{prefix}-history", "best so far", fig, "tune", on_run_axis=False))
    imp = tune.get("importances") or {}
    if isinstance(imp, Mapping) and imp:
        items = sorted(((str(k), num(v) or 0.0) for k, v in imp.items()), key=lambda kv: kv[1])
        fig = {"data": [{"x": [v for _, v in items], "y": [label(k) for k, _ in items], "type": "bar",
                         "orientation": "h", "marker": {"color": TRAIN_COLOR}, "name": "importance"}],
               "layout": base_layout("parameter importance", "share of variance explained", "",
                                     height=max(220, 40 + 28 * len(items)))}
        fig["layout"]["hovermode"] = "closest"
        panels.append(Panel(f"{prefix}-importance", "parameter importance", fig, "tune", on_run_axis=False))
    params = sorted({k for t in done for k, v in (t.get("params") or {}).items() if num(v) is not None})
    if done and params:
        dims = [{"label": label(p), "values": [num((t.get("params") or {}).get(p)) for t in done]}
                for p in params]
        dims.append({"label": label(metric), "values": nums([t["value"] for t in done])})
        fig = {"data": [{"type": "parcoords", "dimensions": dims,
                         "line": {"color": nums([t["value"] for t in done]), "colorscale": "Viridis",
                                  "reversescale": not maximize, "showscale": True}}],
               "layout": {"title": {"text": "parallel coordinates"}, "height": 360,
                          "margin": {"l": 60, "r": 60, "t": 60, "b": 30}}}
        panels.append(Panel(f"{prefix}-parcoords", "parallel coordinates", fig, "tune", on_run_axis=False))
    return panels


# ---------------------------------------------------------------- doctor
def doctor_panels(doctor: Mapping[str, Any], prefix: str) -> list[Panel]:
    """Before/after curves: ``doctor['before']`` and ``doctor['after']`` (RunHistory or Diagnosis)."""
    before, after = doctor.get("before"), doctor.get("after")
    hs = [(lbl, getattr(x, "history", x)) for lbl, x in (("before", before), ("after", after))
          if isinstance(getattr(x, "history", x), RunHistory)]
    if not hs:
        return []
    keys = [k for k in ("val_loss", "loss") if any(k in h.series for _, h in hs)]
    panels = []
    for key in keys:
        fig = {"data": [], "layout": base_layout(f"{key}: before vs after", hs[0][1].axis, key)}
        for (lbl, h), color in zip(hs, ("#7f8c8d", "#27ae60")):
            if key in h.series:
                fig["data"].extend(series_traces(f"{key} ({lbl})", h.series[key], color))
        panels.append(Panel(f"{prefix}-{_slug(key)}", key, fig, "doctor", on_run_axis=False))
    return _unique_ids(panels)
