"""Run-level rules: what the built-in trainer knew about the run as a whole.

The trainer records it in the history's meta, and so in the run directory's
``meta.json``, which is why ``fitdoctor diagnose RUN_DIR`` repeats the trainer's verdict:

- ``baseline_scores``: the validation scores of the network and of each baseline fitted
  on exactly the same rows (per fold for k-fold, so the comparison can be paired), the
  number of validation rows, and the test scores (reported, never used to decide);
- ``data_findings``: the data checks it ran before training (``check-data``'s findings).

A log from another tool has neither, and these rules stay silent on it.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from fitdoctor.diagnose.base import Context, rule
from fitdoctor.findings import SEVERITIES, Finding, Remedy
from fitdoctor.remedies import remedies_for

#: Baselines that learn nothing from the features: beating them is the least a model must do.
TRIVIAL = ("majority", "mean")

#: How the report names each baseline the trainer fits (train/baselines.py).
BASELINE_NAMES = {
    "logistic": "logistic regression", "linear": "linear (ridge) regression",
    "hist_gradient_boosting": "gradient boosting (HistGradientBoosting)",
    "majority": "always predicting the majority class", "mean": "always predicting the training mean",
}

#: Scores that are a share of rows right (binomial standard error on a holdout split).
PROPORTIONS = ("accuracy", "balanced_accuracy")

#: Two-sided 95% Student t quantiles by degrees of freedom (paired comparison over folds).
_T975 = {1: 12.71, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
         10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042, 60: 2.0}
#: The normal quantile used on a holdout split (difference over its binomial standard error).
Z_CRIT = 1.96


def t_critical(df: int) -> float:
    """The two-sided 95% t quantile for ``df`` degrees of freedom (the next lower tabulated df)."""
    if df < 1:
        return math.inf
    keys = [k for k in sorted(_T975) if k <= df]
    return _T975[keys[-1]] if df <= 60 else Z_CRIT


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def compare(network: list[float], baseline: list[float], *, metric: str, n_val: int | None) -> dict[str, Any] | None:
    """How far ``baseline`` is ahead of ``network`` (higher is better), against the noise.

    Three or more paired folds: a paired t test on the per-fold differences. One split:
    for a share of rows right, the difference over its binomial standard error
    (``sqrt(p1(1-p1)/n + p2(1-p2)/n)``, conservative since both models score the same
    rows); for R^2, over twice the normal-theory standard error of each model's MSE ratio.
    Otherwise None: there is no honest noise scale.
    """
    pairs = [(n, b) for n, b in zip(network, baseline) if _finite(n) is not None and _finite(b) is not None]
    if not pairs:
        return None
    net = np.array([p[0] for p in pairs], dtype=float)
    base = np.array([p[1] for p in pairs], dtype=float)
    diff = base - net
    mean = float(diff.mean())
    out: dict[str, Any] = {"network": float(net.mean()), "baseline": float(base.mean()), "difference": mean}
    if len(pairs) >= 3:
        k = len(pairs)
        sd = float(diff.std(ddof=1))
        se = sd / math.sqrt(k)
        stat = mean / se if se > 0 else (math.inf if mean > 0 else 0.0)
        crit = t_critical(k - 1)
        out.update({"test": f"paired t over {k} folds", "se": se, "t": stat, "critical": crit,
                    "folds": k, "folds_baseline_ahead": int((diff > 0).sum())})
    elif metric in PROPORTIONS and n_val:
        p1, p2 = float(net.mean()), float(base.mean())
        se = math.sqrt(max(p1 * (1 - p1), 0.0) / n_val + max(p2 * (1 - p2), 0.0) / n_val)
        if se == 0:
            se = 1.0 / n_val  # both perfect or both zero: one row is the resolution
        stat = mean / se
        crit = Z_CRIT
        out.update({"test": f"binomial standard error on {n_val} validation rows", "se": se, "z": stat,
                    "critical": crit, "rows": int(n_val)})
    elif metric == "r2" and n_val:
        # R^2 = 1 - MSE/Var: its noise is the MSE's, about (1 - R^2) * sqrt(2/n) for normal
        # residuals; doubled for the heavier tails real residuals have, and the two models'
        # errors added as if independent (pairing on the same rows only makes it smaller)
        r1, r2 = float(net.mean()), float(base.mean())
        se = math.sqrt(((1 - r1) ** 2 + (1 - r2) ** 2) * 4.0 / n_val)
        stat = mean / se if se > 0 else 0.0
        crit = Z_CRIT
        out.update({"test": f"approximate standard error of R^2 on {n_val} validation rows", "se": se,
                    "z": stat, "critical": crit, "rows": int(n_val)})
    else:
        return None
    out["beyond_noise"] = bool(mean > 0 and stat >= crit)
    return out


@rule("run", end_of_run=True)
def below_baseline(ctx: Context) -> Finding | None:
    """A baseline the trainer fitted on the same rows scores better than the network on validation.

    A warning when it is ahead beyond noise (paired over folds, or a binomial standard error
    on one split); info when a non-trivial baseline is ahead within noise, so a network that
    has not shown it beats logistic regression is never silently presented as the answer.
    """
    bs = ctx.history.meta.get("baseline_scores")
    if not isinstance(bs, Mapping):
        return None
    metric = str(bs.get("metric") or "")
    if not metric:
        return None
    folds = bs.get("folds") if isinstance(bs.get("folds"), Mapping) else None
    n_val = bs.get("n_val")
    if folds and isinstance(folds.get("network"), list) and len(folds["network"]) >= 3:
        net_scores = list(folds["network"])
        candidates = {k: list(v) for k, v in folds.items() if k != "network" and isinstance(v, list)}
    else:
        net_v = (bs.get("network") or {}).get(metric)
        net_scores = [net_v]
        candidates = {k: [(v or {}).get(metric)] for k, v in (bs.get("baselines") or {}).items()}
    results = {}
    for name, scores in candidates.items():
        c = compare(net_scores, scores, metric=metric, n_val=int(n_val) if isinstance(n_val, (int, float)) else None)
        if c is not None and c["difference"] > 0:
            results[name] = c
    if not results:
        return None
    beyond = {k: c for k, c in results.items() if c["beyond_noise"]}
    if beyond:
        name = max(beyond, key=lambda k: (beyond[k].get("t", beyond[k].get("z", 0.0)), beyond[k]["difference"]))
    else:
        ahead = {k: c for k, c in results.items() if k not in TRIVIAL}
        if not ahead:
            return None
        name = max(ahead, key=lambda k: ahead[k]["difference"])
    c = results[name]
    severity = "warning" if c["beyond_noise"] else "info"
    label = BASELINE_NAMES.get(name, name.replace("_", " "))
    ev: dict[str, Any] = {"baseline": name, "metric": f"val_{metric}", "network": c["network"],
                          "baseline_score": c["baseline"], "difference": c["difference"], "se": c["se"],
                          "test": c["test"], "critical": c["critical"], "beyond_noise": c["beyond_noise"]}
    stat_name = "t" if "t" in c else "z"
    ev[stat_name] = c[stat_name]
    if "folds" in c:
        ev["folds"] = c["folds"]
        ev["folds_baseline_ahead"] = c["folds_baseline_ahead"]
    test = bs.get("test") if isinstance(bs.get("test"), Mapping) else {}
    t_net = _finite((test.get("network") or {}).get(metric))
    t_base = _finite((test.get(name) or {}).get(metric))
    if t_net is not None and t_base is not None:
        ev["test_network"], ev["test_baseline"] = t_net, t_base
    ev["inputs_unscaled"] = any(f.get("code") == "unscaled_features" and f.get("severity") != "info"
                                for f in ctx.history.meta.get("data_findings") or [] if isinstance(f, Mapping))
    ev["holdout"] = "folds" not in c
    if "folds" in c:
        where = (f"mean of {c['folds']} folds, ahead in {c['folds_baseline_ahead']}; "
                 f"paired t {_stat(c['t'])}")
    else:
        where = f"{c['rows']} validation rows; {_stat(c['z'])} standard errors"
    verdict = (f"beyond noise, which needs {c['critical']:.3g}" if c["beyond_noise"]
               else f"within noise: beyond it needs {c['critical']:.3g}")
    msg = (f"{label} {'beats' if c['beyond_noise'] else 'scores higher than'} the network on validation "
           f"{metric}: {_g(c['baseline'])} against {_g(c['network'])} ({where}, {verdict}).")
    if "test_network" in ev:
        msg += f" On the test split, scored once: {_g(t_base)} against {_g(t_net)}."
    if not c["beyond_noise"]:
        msg += " The network has not shown it is worth its cost over the simpler model."
    ev = {k: (float(f"{v:.4g}") if isinstance(v, float) and math.isfinite(v) and v != 0 else v)
          for k, v in ev.items()}
    return Finding(code="below_baseline", severity=severity, message=msg, evidence=ev,
                   remedies=remedies_for("below_baseline", {**ev, "baseline_label": label}))


def _stat(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else "inf"


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.4g}"


@rule("run")
def data_checks(ctx: Context) -> list[Finding] | None:
    """The data findings the trainer reported before training, read back from the run's meta."""
    stored = ctx.history.meta.get("data_findings")
    if not isinstance(stored, list):
        return None
    out = []
    for d in stored:
        f = finding_from_dict(d)
        if f is not None:
            out.append(f)
    return out or None


def finding_from_dict(d: Any) -> Finding | None:
    """A Finding back from ``Finding.to_dict()`` (plus ``priority``); None when it is not one."""
    if not isinstance(d, Mapping) or d.get("severity") not in SEVERITIES:
        return None
    span = d.get("span")
    try:
        return Finding(
            code=str(d.get("code")), severity=str(d["severity"]), message=str(d.get("message", "")),
            span=(float(span[0]), float(span[1])) if isinstance(span, (list, tuple)) and len(span) == 2 else None,
            evidence=dict(d.get("evidence") or {}), explanation=str(d.get("explanation", "")),
            remedies=[Remedy(str(r.get("action", "")), dict(r.get("config_changes") or {}), str(r.get("why", "")))
                      for r in d.get("remedies") or [] if isinstance(r, Mapping)],
            priority=int(d.get("priority", 50)), confidence=float(d.get("confidence", 1.0)))
    except (ValueError, TypeError):
        return None  # a code this version does not know
