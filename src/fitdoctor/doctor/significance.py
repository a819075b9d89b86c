"""When a change counts as better: the paired test over seeds or folds, its minimum effect, and the second look."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping



#: Scores that live in [0, 1] (or at most 1: R^2): the minimum effect is absolute for them.
_BOUNDED = ("accuracy", "balanced_accuracy", "f1", "precision", "recall", "auc", "r2")


def default_min_effect(metric: str, before_mean: float | None = None) -> float:
    """The smallest improvement worth a change: 0.005 on a [0, 1] score (half a point of
    accuracy, or of R^2); 1% of the current value for a loss or an error."""
    if metric in _BOUNDED:
        return 0.005
    if before_mean is not None and math.isfinite(before_mean):
        return 0.01 * abs(before_mean)
    return 0.0


def decide(before: Any, after: Any, *, alpha: float = 0.05, min_effect: float = 0.0) -> dict[str, Any]:
    """The acceptance rule: a one-sided paired t-test over the units (seeds or folds) that
    ``after`` beats ``before`` on the selection metric, p < ``alpha``, and a mean difference
    above ``min_effect``. Adds the 95% interval of the difference."""
    from fitdoctor.train.protocol import paired_difference

    d = paired_difference(comparable(before), comparable(after), min_effect=min_effect)
    d["better"] = bool(d["p"] < alpha and d["mean_diff"] > min_effect)
    n, se = d["n"], d["se"]
    if n >= 2 and math.isfinite(se):
        from scipy import stats as st

        q = float(st.t.ppf(0.975, n - 1))
        d["ci"] = (d["mean_diff"] - q * se, d["mean_diff"] + q * se)
    else:
        d["ci"] = None
    return d


#: A cure (see :func:`no_worse`) may cost at most this many minimum effects of the score:
#: one point of accuracy on a [0, 1] score (twice its minimum effect of half a point).
CURE_MARGIN = 2.0


def no_worse(d: Mapping[str, Any], margin: float) -> float:
    """One-sided p that a change is no worse than ``-margin`` on the selection metric: the
    paired t of ``(mean_diff + margin) / se`` (a non-inferiority test). 1.0 when it cannot say
    (fewer than 2 units, or no spread and a mean loss beyond the margin).

    What a cure is judged by: a change that removes a finding the score never paid for
    (the val loss rising while accuracy holds) cannot beat the noise on that score, and
    should not have to; it must only not cost it."""
    n, se, diff = int(d.get("n") or 0), float(d.get("se") or 0.0), float(d.get("mean_diff") or 0.0)
    if n < 2 or not math.isfinite(diff):
        return 1.0
    if not math.isfinite(se) or se <= 0:
        return 0.0 if diff > -margin else 1.0
    from scipy import stats as st

    return float(st.t.sf((diff + margin) / se, n - 1))


#: the power at which :func:`detectable_gain` quotes the smallest gain the test would see
POWER = 0.8


def detectable_gain(ses: list[float], n: int, *, alpha: float = 0.05, min_effect: float = 0.0) -> float | None:
    """The smallest mean gain the paired test accepts with probability :data:`POWER`, at the
    median standard error of the differences measured: ``(t(1 - alpha) + t(POWER)) * se`` on
    ``n - 1`` degrees of freedom, and never below ``min_effect``.

    "No remedy beat the noise" says little until the user knows how large a gain that noise
    could hide: on 32 validation rows it is several points of accuracy, and the remedy to try
    next is a finer judge (folds, more seeds), not another change."""
    finite = sorted(x for x in ses if x is not None and math.isfinite(x) and x > 0)
    if n < 2 or not finite:
        return None
    from scipy import stats as st

    se = finite[len(finite) // 2]
    return max(min_effect, (float(st.t.ppf(1 - alpha, n - 1)) + float(st.t.ppf(POWER, n - 1))) * se)


#: A first look that fails with p below this, and a gain above the minimum effect, earns a
#: second look on as many units again (see :func:`judge`).
PROMISING = 0.25


def judge(before: Any, after: Any, widen: Callable[[str], Any] | None = None, *, alpha: float = 0.05,
          min_effect: float = 0.0) -> dict[str, Any]:
    """:func:`decide` in up to two looks, with an overall false-acceptance rate of ``alpha``.

    Five seeds find a real gain of 0.8 standard deviations of the paired difference less than
    half the time (44% in simulation); two looks find it 65% of the time at the same rate of
    accepting a no-op. So a change that fails at the first look but is promising (p below
    :data:`PROMISING`, a mean gain above ``min_effect``) is judged again on twice the units:
    ``widen("before")`` and ``widen("after")`` return the two Selections over the first units
    plus as many new ones (or None when they cannot, e.g. a retrain failed). Both looks use
    :func:`fitdoctor.stats.two_look_level`, lower than ``alpha``, so that looking twice does not
    accept more no-op changes than one look at ``alpha`` would. Without ``widen``: one look
    at ``alpha``. The result adds ``looks``, ``first_p`` and the Selections it judged
    (``before_sel``, ``after_sel``).
    """
    from fitdoctor.stats import two_look_level

    n = min(len(before.scores), len(after.scores))
    level = two_look_level(alpha, n, 2 * n, PROMISING) if widen is not None and n >= 2 else alpha
    d = decide(before, after, alpha=level, min_effect=min_effect)
    d.update(looks=1, first_p=d["p"], level=level, before_sel=before, after_sel=after)
    if widen is None or d["better"] or not (d["p"] < PROMISING and d["mean_diff"] > min_effect):
        return d
    wide_before = widen("before")
    wide_after = widen("after") if wide_before is not None else None
    if wide_after is None:
        return d
    d2 = decide(wide_before, wide_after, alpha=level, min_effect=min_effect)
    d2.update(looks=2, first_p=d["p"], level=level, before_sel=wide_before, after_sel=wide_after)
    return d2


def merge_selections(parts: list[Any]) -> Any:
    """One Selection over the units of ``parts`` in order (the first part's config and metric);
    a failed part makes the whole a failure."""
    from fitdoctor.train.protocol import Selection

    first = parts[0]
    sel = Selection(config=first.config, metric=first.metric, unit=first.unit, scores=[], all_scores=[])
    for p in parts:
        if p.error and sel.error is None:
            sel.error = p.error
        sel.scores += p.scores
        sel.all_scores += p.all_scores
        sel.runs += p.runs
        sel.scalers += p.scalers
        sel.diagnoses += p.diagnoses
        sel.notes += [n for n in p.notes if n not in sel.notes]
        for b, v in p.baselines.items():
            sel.baselines.setdefault(b, []).extend(v)
    if sel.error:
        sel.scores, sel.all_scores = [], []
    return sel


#: Below this an R^2 means "far worse than predicting the mean" whatever its size (a diverged
#: regressor scores -1e75); scores are floored here before they are compared.
R2_FLOOR = -1.0


def comparable(sel: Any) -> Any:
    """The Selection with scores a paired test can compare: a run that produced no finite score
    (NaN predictions after a divergence) counts as the worst score, not as a missing pair; R^2
    is floored at :data:`R2_FLOOR`. Lower-is-better scores are left as they are."""
    import dataclasses

    if not sel.higher_is_better:
        return sel
    worst = R2_FLOOR if sel.metric == "r2" else 0.0
    fixed = [max(float(x), worst) if x is not None and math.isfinite(float(x)) else worst for x in sel.scores]
    return dataclasses.replace(sel, scores=fixed)


def _test_name(unit: str, alpha: float, n: int, widening: bool) -> str:
    if not widening:
        return f"one-sided paired t-test over {unit}s (p < {alpha:g}) and a mean gain above the minimum effect"
    from fitdoctor.stats import two_look_level

    level = two_look_level(alpha, n, 2 * n, PROMISING)
    return (f"one-sided paired t-test over {n} seeds, then {2 * n} when p < {PROMISING:g} "
            f"(p < {level:.3f} at each look: {alpha:g} overall) and a mean gain above the minimum effect")


def _numbers(metric: str, unit: str, d: dict[str, Any]) -> str:
    n = d["n"]
    txt = f"val {metric} {d['mean_diff']:+.3f}"
    if d.get("se") is not None and math.isfinite(d["se"]):
        txt += f" ± {d['se']:.3f}"
    txt += f" over {n} {unit}s"
    if math.isfinite(d["p"]):
        txt += f", p={d['p']:.2g}"
    return txt
