"""Rule registry and the Context every rule reads.

A rule is one function ``(ctx) -> Finding | list[Finding] | None`` registered with
:func:`rule`. The Context precomputes what several rules need (cleaned curves,
their noise scale, the best validation epoch, the chance-level loss) once, so rules
stay short and agree with each other on the facts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from fitdoctor import stats
from fitdoctor.findings import Finding
from fitdoctor.history import RunHistory, Series, canonical_name, higher_is_better
from fitdoctor.thresholds import THRESHOLDS, Thresholds

#: Long step logs are summarized to this many points (median per bin) before trend tests.
MAX_POINTS = 240

RuleFn = Callable[["Context"], "Finding | list[Finding] | None"]


@dataclass
class RuleSpec:
    fn: RuleFn
    name: str
    family: str
    #: judges a finished run only (``still_improving``, ``healthy``): quiet while it is still going
    end_of_run: bool = False


RULES: dict[str, RuleSpec] = {}


def rule(family: str = "curves", *, end_of_run: bool = False) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under its own name. ``end_of_run`` rules say something only
    about a finished run (a run still training is not "stopped too early" or "healthy" yet)."""

    def deco(fn: RuleFn) -> RuleFn:
        held = RULES.get(fn.__name__)
        if held is not None and held.fn.__module__ != fn.__module__:
            raise ValueError(f"rule {fn.__name__!r} of {fn.__module__} is already registered by "
                             f"{held.fn.__module__}; rule names must be unique")
        RULES[fn.__name__] = RuleSpec(fn=fn, name=fn.__name__, family=family, end_of_run=end_of_run)
        return fn

    return deco


@dataclass
class Curve:
    """One series cleaned for the rules: finite prefix, binned when long, with its noise."""

    name: str
    raw_name: str
    x: np.ndarray
    y: np.ndarray
    sigma: float
    n_raw: int
    axis: str
    higher_better: bool = False
    #: first non-finite point of the raw series (x, value) or None
    first_nonfinite: tuple[float, float] | None = None
    #: the points before binning (x, y) when the curve was binned: what a message quotes is the
    #: log's own number, never a bin's median the user cannot find
    logged: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def first(self) -> float:
        return float(self.y[0])

    @property
    def last(self) -> float:
        return float(self.y[-1])

    def best_index(self) -> int:
        return int(np.argmax(self.y) if self.higher_better else np.argmin(self.y))

    def logged_best(self, i: int) -> tuple[float, float]:
        """(x, value) of the logged point that point ``i`` stands for: itself, or, on a binned
        curve, the best of the logged points in its bin."""
        if self.logged is None:
            return float(self.x[i]), float(self.y[i])
        lx, ly = self.logged
        lo = self.x[i - 1] if i > 0 else -math.inf
        idx = np.flatnonzero((lx > lo) & (lx <= self.x[i]))
        if idx.size == 0:
            return float(self.x[i]), float(self.y[i])
        j = int(idx[np.argmax(ly[idx])] if self.higher_better else idx[np.argmin(ly[idx])])
        return float(lx[j]), float(ly[j])

    @property
    def logged_points(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) as logged: the points before binning, or the curve's own when it was not binned."""
        return self.logged if self.logged is not None else (self.x, self.y)

    def logged_at(self, x: float) -> float:
        """The value as logged at axis position ``x``, or at the last logged point before it (a
        binned curve's point is a bin's median: no number the user can find in the file)."""
        lx, ly = self.logged_points
        j = int(np.searchsorted(lx, x, side="right")) - 1
        return float(ly[max(j, 0)])

    @property
    def logged_first(self) -> float:
        """The first value as logged."""
        return float(self.logged[1][0]) if self.logged is not None else self.first

    @property
    def logged_last(self) -> float:
        """The last value as logged (a binned curve's last point is its last bin's median)."""
        return float(self.logged[1][-1]) if self.logged is not None else self.last

    def tail(self, frac: float, min_points: int = 3) -> tuple[np.ndarray, np.ndarray]:
        k = max(min_points, int(math.ceil(self.n * frac)))
        k = min(k, self.n)
        return self.x[-k:], self.y[-k:]

    def at(self, x: float) -> float:
        """Value at (or just before) axis position x."""
        i = int(np.searchsorted(self.x, x, side="right")) - 1
        return float(self.y[max(i, 0)])

    def smoothed(self) -> np.ndarray:
        """``stats.smooth(y)``, computed once per curve (several rules ask; a copy each time)."""
        cached = self.__dict__.get("_smoothed")
        if cached is None or cached[0] is not self.y:
            cached = (self.y, stats.smooth(self.y))
            self.__dict__["_smoothed"] = cached
        return cached[1].copy()


def make_curve(name: str, s: Series) -> Curve | None:
    x, y = s.steps, s.values
    bad = ~np.isfinite(y)
    first_nf = None
    if bad.any():
        i = int(np.argmax(bad))
        first_nf = (float(x[i]), float(y[i]))
        if name in ("loss", "val_loss"):
            x, y = x[:i], y[:i]  # nothing after a NaN loss is training any more
        else:
            x, y = x[~bad], y[~bad]  # a metric undefined at some points (AP of an absent class)
    if y.size == 0:
        return Curve(name, s.raw_name, x, y, 0.0, len(s), s.axis, higher_is_better(name), first_nf)
    logged = None
    if y.size > MAX_POINTS:
        logged = (x, y)
        x, y = _bin(x, y, MAX_POINTS)
    return Curve(name, s.raw_name, x, y, stats.noise_scale(y), len(s), s.axis,
                 higher_is_better(name), first_nf, logged)


def _bin(x: np.ndarray, y: np.ndarray, nbins: int) -> tuple[np.ndarray, np.ndarray]:
    edges = np.linspace(0, x.size, nbins + 1).astype(int)
    bx = np.empty(nbins)
    by = np.empty(nbins)
    for b in range(nbins):
        lo, hi = edges[b], max(edges[b + 1], edges[b] + 1)
        bx[b] = x[hi - 1]
        by[b] = np.median(y[lo:hi])
    return bx, by


#: what a clock measures, never how good the model is (``val_time``, ``step_time_ms``)
_TIMING = re.compile(r"(?:^|_)(?:time|runtime|seconds|secs?|duration|elapsed)(?:_(?:s|ms|sec|secs|seconds))?$")


def is_timing(name: str) -> bool:
    """A series that times the run (a validation pass's seconds, a step's milliseconds): a
    reader keeps it, but no rule judges the model by it."""
    return _TIMING.search(name) is not None


@dataclass
class Context:
    """What the rules know about one run."""

    history: RunHistory
    th: Thresholds = field(default_factory=lambda: THRESHOLDS)
    loss: Curve | None = None
    val_loss: Curve | None = None
    metric: Curve | None = None
    val_metric: Curve | None = None
    lr: Curve | None = None
    metric_name: str | None = None
    #: loss of a model that predicts the class prior (ln K, H(p)); None when unknown
    chance_loss: float | None = None
    chance_source: str = ""
    majority_rate: float | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    #: the run is still training (a live callback or ``watch``): end-of-run rules stay quiet
    partial: bool = False

    @classmethod
    def build(cls, history: RunHistory, th: Thresholds | None = None, *, partial: bool = False) -> "Context":
        ctx = cls(history=history, th=th or THRESHOLDS, partial=partial)
        s = history.series
        if "loss" in s:
            ctx.loss = make_curve("loss", s["loss"])
        if "val_loss" in s:
            ctx.val_loss = make_curve("val_loss", s["val_loss"])
        if "lr" in s:
            ctx.lr = make_curve("lr", s["lr"])
        pairs = history.metric_pairs()
        # the metric people judge the model by: accuracy/AUC/F1, else mAP, else any score where
        # higher is better, before error-like metrics (a detector's box/cls loss parts are last)
        preferred = ["accuracy", "auc", "f1", "map50_95", "map50", "map"]
        # and among the rest one logged for both splits: a train-only term ("reg", a loss part
        # under its own name) beside a train and val mae says nothing about the model held out.
        # Beside a train loss, one logged on validation alone (``val_pose_mse``) comes before a
        # train-only one too; with no train loss, a train-only metric (an RL run's rollout
        # reward) is the train curve the run is judged on, and keeps its place
        has_loss = ctx.loss is not None
        pairs.sort(key=lambda p: (preferred.index(p[0]) if p[0] in preferred else len(preferred),
                                  p[1] is None or p[2] is None, has_loss and p[2] is None,
                                  not higher_is_better(p[0])))
        for name, tr, va in pairs:
            if name.startswith(("grad_norm", "dead_fraction", "saturated", "update_ratio")) or is_timing(name):
                continue
            ctx.metric_name = name
            ctx.metric = make_curve(name, tr) if tr is not None else None
            ctx.val_metric = make_curve("val_" + name, va) if va is not None else None
            break
        return ctx

    @property
    def primary(self) -> Curve | None:
        """The curve that says how good the model is: val loss, else train loss."""
        for c in (self.val_loss, self.loss):
            if c is not None and c.n:
                return c
        return None

    def train_on(self, xs: np.ndarray) -> np.ndarray:
        """Train loss averaged over each interval ending at xs (aligns step logs with evals)."""
        assert self.loss is not None
        out = np.empty(xs.size)
        lx, ly = self.loss.x, self.loss.y
        prev = -math.inf
        for i, x in enumerate(xs):
            m = (lx > prev) & (lx <= x)
            out[i] = float(np.mean(ly[m])) if m.any() else self.loss.at(x)
            prev = x
        return out


def chosen_curve(ctx: Context) -> Curve | None:
    """The curve the run itself selects checkpoints on, when it says (Hugging Face's
    ``metric_for_best_model``: ``eval_wer``, ``f1``, ``loss``), else None."""
    chosen = ctx.history.meta.get("metric_for_best_model")
    if not chosen:
        return None
    name = canonical_name(str(chosen))
    name = name if name.startswith("val_") or name == "loss" else "val_" + name
    s = ctx.history.series.get(name)
    c = make_curve(name, s) if s is not None else None
    return c if c is not None and c.n else None


def tail_level(c: Curve, frac: float = 0.2) -> float:
    """Median of the last part of a curve: the level it ended at, robust to one bad epoch."""
    _, y = c.tail(frac, min_points=min(3, c.n))
    return float(np.median(y))


def head_level(c: Curve) -> float:
    """The level a curve started at (first point; the first two for long runs)."""
    return float(c.y[0]) if c.n < 20 else float(np.median(c.y[:2]))
