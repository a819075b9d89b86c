"""``fitdoctor learning-curve``: would more rows help? Train at growing training-set sizes.

For each size (geometric, from 1/16 of the training rows up to all of them) the config is
scored by :func:`fitdoctor.train.protocol.select` on several units (seeds on a holdout
split, folds on k-fold): the smaller training sets are nested, stratified prefixes of one
shuffle of the unit's training rows, so the unit's scores at successive sizes are paired;
the validation rows and the test rows never change (the test rows are never read).

The verdict, decided by a trend test on the validation score:

* the *gain per doubling* of one unit is the least-squares slope of its validation score
  against log2(rows) over the top half of the sizes (the last doubling);
* ``needs_more_data`` when the mean gain per doubling over the units is above zero by a
  one-sided paired t-test (p < 0.05) and at least :data:`MIN_GAIN` (a rise too small to
  matter is not a reason to collect data);
* ``data_saturated`` otherwise: the score is flat at the top. Which kind: *at chance* (the
  validation score never leaves chance level at any size: the pipeline is broken, and rows
  cannot fix it; decided before the trend test, since a climb from below chance, some seeds
  predicting the minority class, up to chance is no learning), *variance* (train stays above validation by more than :data:`GAP_VARIANCE`
  and beyond noise: regularise) or *bias* (they meet: more capacity or better features).
  When the test cannot rule out a gain of :data:`UNSURE_GAIN` per doubling (its 95% upper
  bound), the finding says so, with confidence 0.5, and asks for more seeds: "not rising
  beyond noise" is not yet "flat".

The forecast: an inverse power law ``score(n) = a - b * n**-c`` (b >= 0, 0.05 <= c <= 2;
Hestness et al. 2017, Viering & Loog 2022) is fitted to the mean validation score of the
sizes up to half the rows, and predicts the score at the full size; its interval combines
a bootstrap over units (refit on resampled units), the sampling error of the observed
mean and the law's own misfit (a backtest one size earlier), at :data:`LEVEL`. The observed full-size score then says how well the prediction held.
The same law fitted to every size forecasts one more doubling of the data.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.findings import Finding, _jsonable

#: Units (seeds on holdout) per size by default.
SEEDS = 5
#: Smallest training-set size, as a share of the training rows, and the step between sizes.
SMALLEST_SHARE = 1 / 16
SIZE_FACTOR = 2.0
#: No size below this many rows (and at least 2 per class for classification).
MIN_ROWS = 16
#: A rise per doubling of the rows below this (in score units: accuracy, R^2) does not matter.
MIN_GAIN = 0.005
#: Train above validation by more than this (and beyond noise) at the full size: variance.
GAP_VARIANCE = 0.05
#: A flat verdict whose 95% upper bound of the gain per doubling reaches this is stated as unsure.
UNSURE_GAIN = 0.02
#: Significance of the trend test, and the level of the forecast's interval.
ALPHA = 0.05
LEVEL = 0.90
#: Bootstrap resamples of the units for the forecast's interval.
BOOTSTRAP = 300


@dataclass
class LearningCurveResult:
    """Scores per training-set size, the verdict and the forecast (``fitdoctor learning-curve``)."""

    sizes: list[int]
    metric: str
    unit: str                               # seed | fold
    val_scores: list[list[float]]           # per size, one per unit
    train_scores: list[list[float]]
    findings: list[Finding]
    trend: dict[str, Any]
    forecast: dict[str, Any] | None = None  # fitted on <= half the rows, checked at the full size
    next_doubling: dict[str, Any] | None = None
    chance: float | None = None
    chance_label: str = ""
    config: Any = field(default=None, repr=False)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n_units(self) -> int:
        return max((len(v) for v in self.val_scores), default=0)

    @property
    def val_mean(self) -> list[float]:
        return [_mean(v) for v in self.val_scores]

    @property
    def val_std(self) -> list[float]:
        return [_sd(v) for v in self.val_scores]

    @property
    def train_mean(self) -> list[float]:
        return [_mean(v) for v in self.train_scores]

    @property
    def train_std(self) -> list[float]:
        return [_sd(v) for v in self.train_scores]

    @property
    def verdict(self) -> str | None:
        """``needs_more_data`` or ``data_saturated``."""
        return self.findings[0].code if self.findings else None

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        from fitdoctor.config import config_to_dict

        return _jsonable({
            "verdict": self.verdict, "metric": self.metric, "unit": self.unit, "sizes": self.sizes,
            "val_scores": self.val_scores, "train_scores": self.train_scores,
            "val_mean": self.val_mean, "val_std": self.val_std, "train_mean": self.train_mean,
            "train_std": self.train_std, "chance": self.chance, "chance_label": self.chance_label,
            "trend": self.trend, "forecast": self.forecast, "next_doubling": self.next_doubling,
            "findings": [f.to_dict() for f in self.findings], "notes": self.notes, "meta": self.meta,
            "config": config_to_dict(self.config) if self.config is not None else None,
        })

    def __repr__(self) -> str:
        return (f"LearningCurveResult({self.verdict}: {self.metric} {self.val_mean[0]:.3f} at {self.sizes[0]} "
                f"-> {self.val_mean[-1]:.3f} at {self.sizes[-1]} rows, {self.n_units} {self.unit}s)")

    def __rich__(self):  # pragma: no cover - thin wrapper
        from fitdoctor.report.studies import render_learning_curve

        return render_learning_curve(self)


def _mean(v: list[float]) -> float:
    a = np.asarray(v, dtype=float)
    a = a[np.isfinite(a)]
    return float(a.mean()) if a.size else math.nan


def _sd(v: list[float]) -> float:
    a = np.asarray(v, dtype=float)
    a = a[np.isfinite(a)]
    return float(a.std(ddof=1)) if a.size > 1 else 0.0


# ------------------------------------------------------------------ sizes and subsets
def default_sizes(n_train: int, n_classes: int | None = None) -> list[int]:
    """Training-set sizes: ``n_train`` halved again and again down to 1/16 of it,
    none under :data:`MIN_ROWS` (or 2 rows per class); ascending, distinct."""
    floor = max(MIN_ROWS, 2 * int(n_classes or 0))
    out = []
    n = float(n_train)
    while n >= max(floor, n_train * SMALLEST_SHARE) - 1e-9:
        out.append(int(round(n)))
        n /= SIZE_FACTOR
    sizes = sorted(set(out))
    if len(sizes) < 3:
        raise BadInput(f"{n_train} training rows: too few for a learning curve (need sizes down to "
                       f"{floor} rows and at least 3 sizes); use a larger dataset or a smaller validation split")
    return sizes


def nested_order(rows: np.ndarray, y: np.ndarray | None, seed: int) -> np.ndarray:
    """One shuffle of ``rows`` whose every prefix keeps the class shares (classification):
    each row's key is (its random rank inside its class + U(0,1)) / class count, sorted."""
    rng = np.random.default_rng(seed)
    rows = np.asarray(rows)
    if y is None:
        return rows[rng.permutation(rows.size)]
    key = np.empty(rows.size)
    for c in np.unique(y):
        idx = np.nonzero(y == c)[0]
        rank = rng.permutation(idx.size)
        key[idx] = (rank + rng.random(idx.size)) / idx.size
    return rows[np.argsort(key, kind="stable")]


# ------------------------------------------------------------------ statistics
def trend_test(sizes: list[int], val: np.ndarray, *, min_gain: float = MIN_GAIN,
               alpha: float = ALPHA) -> dict[str, Any]:
    """The gain per doubling over the last doubling of the rows, per unit, and a one-sided
    paired t-test of its mean against 0. ``val``: array (sizes x units), higher is better."""
    from scipy import stats as st

    x = np.log2(np.asarray(sizes, dtype=float))
    top = x >= x[-1] - 1.0 - 1e-9
    if top.sum() < 2:
        top[-2:] = True
    xs = x[top]
    slopes = []
    for u in range(val.shape[1]):
        yv = val[top, u]
        ok = np.isfinite(yv)
        if ok.sum() >= 2 and np.ptp(xs[ok]) > 0:
            slopes.append(float(np.polyfit(xs[ok], yv[ok], 1)[0]))
    g = np.asarray(slopes)
    out: dict[str, Any] = {"test": "one-sided paired t-test of the gain per doubling (last doubling)",
                           "from_rows": int(sizes[int(np.argmax(top))]), "to_rows": int(sizes[-1]),
                           "units": int(g.size), "gain_per_doubling": math.nan, "se": math.nan,
                           "t": math.nan, "p": 1.0, "upper": math.nan, "min_gain": min_gain,
                           "rising": False}
    if g.size == 0:
        return out
    mean = float(g.mean())
    out["gain_per_doubling"] = mean
    if g.size < 2:
        return out
    se = float(g.std(ddof=1) / math.sqrt(g.size))
    df = g.size - 1
    out["se"] = se
    if se == 0:
        out["t"] = math.inf if mean > 0 else (-math.inf if mean < 0 else 0.0)
        out["p"] = 0.0 if mean > 0 else 1.0
        out["upper"] = mean
    else:
        out["t"] = mean / se
        out["p"] = float(st.t.sf(out["t"], df))
        out["upper"] = mean + float(st.t.ppf(1 - alpha, df)) * se
    out["rising"] = bool(out["p"] < alpha and mean >= min_gain)
    return out


def fit_power_law(n: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float, float]:
    """Weighted least squares for ``y = a - b * n**-c`` (b >= 0, c on a grid in [0.05, 2]);
    for each c the model is linear in (a, b). A falling or flat curve gives b = 0 (a constant)."""
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    ok = np.isfinite(y) & np.isfinite(w) & (w > 0)
    n, y, w = n[ok], y[ok], w[ok]
    if y.size == 0:
        return math.nan, 0.0, 1.0
    const = float(np.sum(w * y) / np.sum(w))
    best = (float(np.sum(w * (y - const) ** 2)), const, 0.0, 1.0)
    if y.size < 3:
        return best[1:]
    sw = np.sqrt(w)
    for c in np.geomspace(0.05, 2.0, 48):
        A = np.column_stack([np.ones_like(n), -(n ** -c)])
        coef, *_ = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)
        a, b = float(coef[0]), float(coef[1])
        if b < 0:
            continue
        sse = float(np.sum(w * (y - (a - b * n ** -c)) ** 2))
        if sse < best[0] - 1e-15:
            best = (sse, a, b, float(c))
    return best[1:]


def forecast(sizes: list[int], val: np.ndarray, target: float, *, up_to: float | None = None,
             level: float = LEVEL, bootstrap: int = BOOTSTRAP, seed: int = 0,
             ceiling: float | None = None) -> dict[str, Any] | None:
    """Predict the mean validation score at ``target`` rows from the sizes up to ``up_to`` rows
    (``ceiling``: the best score the metric allows, e.g. 1 for accuracy: no forecast beyond it).

    The interval's half-width combines three parts: the bootstrap spread of the prediction
    (units resampled, curve refitted; variance inflated by k/(k-1)) and the standard error of
    a mean of k units at the largest fitted size (what the observed mean at the target will
    wobble by), both with a t quantile on k-1 degrees of freedom; and the curve's own misfit
    with the normal quantile, measured by a backtest (with 4 or more fitted sizes): the law
    fitted without the largest fitted size predicts it, and that error is scaled to the
    distance, in doublings, from the largest fitted size to the target."""
    from scipy import stats as st

    s = np.asarray(sizes, dtype=float)
    keep = s <= (up_to if up_to is not None else s.max()) + 1e-9
    if keep.sum() < 3:
        return None
    s, v = s[keep], val[keep]
    k = v.shape[1]

    def predict(ss: np.ndarray, vv: np.ndarray, tgt: float) -> tuple[float, tuple[float, float, float]]:
        m = np.nanmean(vv, axis=1)
        sd = np.nanstd(vv, axis=1, ddof=1) if vv.shape[1] > 1 else np.zeros(len(m))
        var = np.maximum(sd ** 2, np.nanmax(sd ** 2) * 0.05 if np.isfinite(sd).any() else 1.0) + 1e-8
        a, b, c = fit_power_law(ss, m, 1.0 / var)
        return a - b * tgt ** -c, (a, b, c)

    with np.errstate(all="ignore"):
        pred, (a, b, c) = predict(s, v, target)
        rng = np.random.default_rng(seed)
        boots = []
        if k >= 2:
            for _ in range(bootstrap):
                boots.append(predict(s, v[:, rng.integers(0, k, k)], target)[0])
        backtest = None
        if s.size >= 4:
            held = float(np.nanmean(v[-1]))
            back, _ = predict(s[:-1], v[:-1], s[-1])
            steps = math.log2(target / s[-1]) / math.log2(s[-1] / s[-2]) if target > s[-1] else 0.0
            backtest = {"rows": int(s[-1]), "predicted": float(back), "observed": held,
                        "error": float(back - held), "scale": float(steps)}
    boots = np.asarray([b_ for b_ in boots if math.isfinite(b_)])
    var_boot = float(np.var(boots, ddof=1)) * k / max(k - 1, 1) if boots.size > 2 else 0.0
    last = v[-1][np.isfinite(v[-1])]
    var_obs = float(np.var(last, ddof=1)) / last.size if last.size > 1 else 0.0
    var_fit = (backtest["error"] * backtest["scale"]) ** 2 if backtest and math.isfinite(backtest["error"]) else 0.0
    q = float(st.t.ppf(0.5 + level / 2, max(k - 1, 1)))   # sampling: estimated from k units
    z = float(st.norm.ppf(0.5 + level / 2))               # the misfit: one backtest, not the units
    half = math.sqrt(q * q * (var_boot + var_obs) + z * z * var_fit)
    grid = np.geomspace(s.min(), max(target, s.max()), 40)

    def cap(x: float) -> float:
        """No score beyond what the metric can reach (accuracy 1.010 is no forecast)."""
        return float(min(x, ceiling)) if ceiling is not None else float(x)

    return {"model": "a - b * n^-c", "a": a, "b": b, "c": c, "fitted_up_to": int(s.max()),
            "fitted_sizes": [int(x) for x in s], "target_rows": int(round(target)), "predicted": cap(pred),
            "low": cap(pred - half), "high": cap(pred + half), "level": level, "backtest": backtest,
            "sd_parts": {"bootstrap": math.sqrt(var_boot), "observed_mean": math.sqrt(var_obs),
                         "misfit": math.sqrt(var_fit)},
            "curve_x": [float(x) for x in grid], "curve_y": [cap(a - b * x ** -c) for x in grid]}


# ------------------------------------------------------------------ the command
def learning_curve(config: Any, *, dataset: Any = None, seeds: int | list[int] | None = None,
                   sizes: list[int] | None = None, metric: str | None = None, threads: int | None = 1,
                   on_size: Callable[[int, int, int], None] | None = None,
                   min_gain: float = MIN_GAIN) -> LearningCurveResult:
    """Train ``config`` at growing training-set sizes and decide whether more rows would help.

    ``seeds``: units per size on a holdout split (default :data:`SEEDS`; k-fold configs use
    their folds). ``sizes``: training rows per size (default :func:`default_sizes`).
    ``on_size(i, n_sizes, rows)`` is called before each size (progress)."""
    from fitdoctor.config import load_config
    from fitdoctor.data import load_dataset, make_splits
    from fitdoctor.train.metrics import class_prior
    from fitdoctor.train.protocol import LOWER_IS_BETTER, select, selection_metric, spares_watch_rows

    cfg = load_config(config)
    ds = dataset if dataset is not None else load_dataset(cfg.data)
    splits = make_splits(ds, cfg.data.split)
    kfold = cfg.data.split.method == "kfold"
    n_train = min(int(sp.train.size) for sp in splits)
    classes = ds.n_classes if ds.task != "regression" else None
    if sizes is None:
        sizes = default_sizes(n_train, classes)
    else:
        sizes = sorted({int(s) for s in sizes})
        if len(sizes) < 3 or sizes[0] < 2 or sizes[-1] > n_train:
            raise BadInput(f"sizes {sizes}: expected at least 3 sizes between 2 and the {n_train} training rows")
    if not kfold and seeds is None:
        seeds = SEEDS
    prior = class_prior(ds.y[splits[0].train], ds.n_classes) if ds.task != "regression" else None
    metric = metric or selection_metric(ds.task, prior)
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    orders: dict[int, np.ndarray] = {}
    base = int(cfg.train.seed) * 7919 + 104729

    def rows_for(m: int) -> Callable[[int, np.ndarray], np.ndarray]:
        def pick(unit: int, rows: np.ndarray) -> np.ndarray:
            if unit not in orders:
                y = ds.y[rows] if ds.task != "regression" else None
                orders[unit] = nested_order(rows, y, base + unit)
            share = m / n_train
            return orders[unit][:max(1, int(round(share * rows.size)))]
        return pick

    es = cfg.train.early_stopping
    # early stopping watches rows of its own at every size, or at none: a curve whose small
    # sizes kept their best epoch by the validation rows (too few rows to spare) and whose large
    # ones did not would flatter the small sizes and flatten the curve
    watch_share = None if spares_watch_rows(sizes[0]) else 0.0
    val_scores: list[list[float]] = []
    train_scores: list[list[float]] = []
    unit = "fold" if kfold else "seed"
    for i, m in enumerate(sizes):
        if on_size is not None:
            on_size(i, len(sizes), m)
        sel = select(cfg, seeds=seeds, dataset=ds, train_rows=rows_for(m), metric=metric, threads=threads,
                     watch_share=watch_share)
        if sel.error:
            raise BadInput(f"training on {m} rows failed ({sel.error}); the config cannot be trained at "
                           "that size")
        unit = sel.unit
        val_scores.append([float(v) for v in sel.scores])
        train_scores.append([_train_score(r, metric, es) for r in sel.runs])
    n_val = int(splits[0].val.size)
    val = sign * np.asarray(val_scores, dtype=float)   # higher is better from here on
    trn = sign * np.asarray(train_scores, dtype=float)
    trend = trend_test(sizes, val, min_gain=min_gain)
    ceiling = 1.0 if sign > 0 else 0.0  # accuracy, F1, R^2 reach 1 at best; a loss (negated) 0
    half = forecast(sizes, val, float(sizes[-1]), up_to=sizes[-1] / 2, ceiling=ceiling)
    if half is not None:
        obs = float(np.nanmean(val[-1]))
        half.update(observed=obs, error=obs - half["predicted"],
                    covered=bool(half["low"] <= obs <= half["high"]))
        half = _signed(half, sign)
    nxt = forecast(sizes, val, 2.0 * sizes[-1], ceiling=ceiling)
    if nxt is not None:
        nxt = _signed({"rows": 2 * sizes[-1], **nxt}, sign)
    chance, chance_label = _chance(metric, ds, splits[0])
    res = LearningCurveResult(sizes=list(sizes), metric=metric, unit=unit, val_scores=val_scores,
                              train_scores=train_scores, findings=[], trend=trend, forecast=half,
                              next_doubling=nxt, chance=chance, chance_label=chance_label, config=cfg,
                              meta={"source": ds.source, "task": ds.task, "n_classes": ds.n_classes,
                                    "n_train": n_train, "n_val": n_val, "units": len(val_scores[0]),
                                    "split": cfg.data.split.method, "scale": cfg.data.scale,
                                    "early_stopping_watched": ("validation" if es and watch_share == 0.0 else
                                                               "held-out training rows" if es else None)})
    res.findings = [_verdict(res, val, trn, sign)]
    return res


def _train_score(res: Any, metric: str, es: Any) -> float:
    """The training rows' score at the epoch whose weights were kept (the best epoch when
    early stopping restores it, else the last)."""
    s = res.history.series.get(metric)
    if s is None or not len(s):
        return math.nan
    i = res.best_epoch if (es and es.restore_best and res.best_epoch is not None) else len(s) - 1
    return float(s.values[min(i, len(s) - 1)])


def _signed(d: dict[str, Any], sign: float) -> dict[str, Any]:
    """Back to the metric's own direction (loss: lower is better)."""
    if sign > 0:
        return d
    out = dict(d)
    for k in ("predicted", "observed", "error"):
        if k in out:
            out[k] = -out[k]
    out["low"], out["high"] = -d["high"], -d["low"]
    out["curve_y"] = [-v for v in d["curve_y"]]
    if d.get("backtest"):
        out["backtest"] = {**d["backtest"], **{k: -d["backtest"][k] for k in ("predicted", "observed", "error")}}
    return out


def _chance(metric: str, ds: Any, sp: Any) -> tuple[float | None, str]:
    """What a model that ignores its inputs scores on the validation rows."""
    if metric == "r2":
        return 0.0, "the mean predictor"
    if metric == "balanced_accuracy":
        return 1.0 / float(ds.n_classes or 2), "any constant prediction"
    if metric == "accuracy":
        counts = np.bincount(ds.y[sp.train].astype(int), minlength=ds.n_classes or 2)
        major = int(np.argmax(counts))
        return float(np.mean(ds.y[sp.val] == major)), "always the majority class"
    return None, ""


def _verdict(res: LearningCurveResult, val: np.ndarray, trn: np.ndarray, sign: float) -> Finding:
    from fitdoctor.remedies import remedies_for

    t = res.trend
    m = res.metric
    vm = np.nanmean(val, axis=1)
    tm = np.nanmean(trn, axis=1)
    k = val.shape[1]
    first, last = sign * vm[0], sign * vm[-1]
    ev: dict[str, Any] = {
        "gain_per_doubling": t["gain_per_doubling"], "p": t["p"],
        f"val_{m}_first": first, f"val_{m}_last": last, "rows_first": res.sizes[0], "rows_last": res.sizes[-1],
        f"train_{m}_last": sign * tm[-1], "units": k, "test": t["test"],
    }
    if res.next_doubling:
        ev[f"val_{m}_at_double"] = res.next_doubling["predicted"]
    span = (float(res.sizes[0]), float(res.sizes[-1]))
    dbl = res.next_doubling
    # at chance at every size first: a climb from below chance (some seeds predicting the
    # minority class) up to chance is no learning, whatever the trend test says
    sd_pool = float(np.sqrt(np.nanmean(np.nanvar(val, axis=1, ddof=1)))) if k > 1 else 0.0
    at_chance = False
    if res.chance is not None:
        chance = sign * res.chance
        tol = max(2.0 * sd_pool / math.sqrt(k), 0.02 if m != "loss" else 0.0)
        at_chance = bool(np.all(vm <= chance + tol))
    if t["rising"] and not at_chance:
        more = (f"; doubling the data is forecast to reach {dbl['predicted']:.3f} "
                f"[{dbl['low']:.3f}, {dbl['high']:.3f}]" if dbl else "")
        msg = (f"validation {m} still rises with the training rows: {first:.3f} at {res.sizes[0]} rows -> "
               f"{last:.3f} at {res.sizes[-1]}, +{t['gain_per_doubling']:.3f} over the last doubling of the rows "
               f"(p={t['p']:.3g}, {k} {res.unit}s){more}: more data will help")
        conf = 1.0 if t["p"] < ALPHA / 5 else 0.8
        return Finding(code="needs_more_data", severity="warning", message=msg, span=span, evidence=ev,
                       remedies=remedies_for("needs_more_data", ev), confidence=conf)
    # flat at the top (or at chance throughout): which kind
    kind = "chance" if at_chance else "bias"
    gap = float(tm[-1] - vm[-1])
    gap_se = float(np.sqrt(np.nanvar(trn[-1], ddof=1) + np.nanvar(val[-1], ddof=1)) / math.sqrt(k)) if k > 1 else 0.0
    if kind != "chance" and gap > GAP_VARIANCE and gap > 2 * gap_se:
        kind = "variance"
    ev.update({"kind": kind, "train_val_gap": gap, "gain_upper": t["upper"], "chance": res.chance,
               "scale": res.meta.get("scale")})
    gain = t["gain_per_doubling"]
    flat = (f"{_gain_text(gain)} over the last doubling of the rows (p={t['p']:.2g}"
            + (f"; at most {_gain_text(t['upper'])} at 95%" if math.isfinite(t["upper"]) else "") + ")")
    if kind == "chance":
        msg = (f"validation {m} never gets above chance ({res.chance:.3f}, {res.chance_label}) at any size from "
               f"{res.sizes[0]} to {res.sizes[-1]} rows ({flat}): the network learns nothing at any size, "
               "so more data will not help; the pipeline is the problem")
    elif kind == "variance":
        msg = (f"validation {m} is flat with the training rows ({first:.3f} at {res.sizes[0]} -> {last:.3f} at "
               f"{res.sizes[-1]}, {flat}) while train stays {gap:.3f} above it: more rows will not help at this "
               "scale; the gap is variance, so regularise")
    else:
        msg = (f"validation {m} is flat with the training rows ({first:.3f} at {res.sizes[0]} -> {last:.3f} at "
               f"{res.sizes[-1]}, {flat}) and train meets it ({sign * tm[-1]:.3f}): more rows will not help; "
               "the limit is bias, so give the model more capacity or better features")
    unsure = kind != "chance" and math.isfinite(t["upper"]) and t["upper"] >= UNSURE_GAIN
    # --seeds adds holdout seeds; a k-fold config gets more folds from data.split.k
    more_units = "more seeds (--seeds)" if res.unit == "seed" else f"more {res.unit}s (data.split.k)"
    if unsure:  # not rising beyond noise, but the test cannot rule out a gain that would matter
        msg = (f"validation {m} shows no rise beyond noise with the training rows ({first:.3f} at {res.sizes[0]} "
               f"-> {last:.3f} at {res.sizes[-1]}, {flat}), but a gain of up to {t['upper']:+.3f} per doubling "
               f"is not ruled out: more data is unlikely to help much; {more_units} would tell "
               f"for sure. If it is flat, the limit is {kind}")
    ev["unsure"] = unsure
    conf = 0.5 if unsure else 1.0
    return Finding(code="data_saturated", severity="warning" if kind == "chance" else "info", message=msg,
                   span=span, evidence=ev, remedies=remedies_for("data_saturated", ev), confidence=conf)


def _gain_text(x: float) -> str:
    """``x`` with its sign at 3 decimals; a value that rounds to zero is "+0.000", never "-0.000"."""
    return f"{(x if abs(x) >= 5e-4 else 0.0):+.3f}"


def write_learning_curve_dir(res: LearningCurveResult, out: str | os.PathLike, *, report: bool = True) -> dict:
    """learning_curve.json, learning_curve.csv (one row per size and unit) and, with
    ``report``, report.html in ``out`` (what ``fitdoctor learning-curve --out`` and the demo
    write)."""
    from fitdoctor.report.studies import write_study_dir

    def render() -> str:
        from fitdoctor.report.studies import learning_curve_html

        return learning_curve_html(res)

    rows = ([n, u, repr(float(t)), repr(float(v))]
            for n, tr, va in zip(res.sizes, res.train_scores, res.val_scores)
            for u, (t, v) in enumerate(zip(tr, va)))
    return write_study_dir(Path(out), "learning_curve", res.to_dict(),
                           ["rows", res.unit, f"train_{res.metric}", f"val_{res.metric}"], rows,
                           render if report else None)
