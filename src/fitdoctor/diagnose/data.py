"""Data rules: what is wrong with a dataset before any training (``check-data``, the trainer).

These rules read a :class:`~fitdoctor.data.Dataset`, not a RunHistory, so they are a
separate list (:data:`DATA_RULES`) and never join the curve-rule registry that
``fd.diagnose(history)`` runs. Each rule is one function ``(DataContext) -> Finding | None``.
Only numpy is imported at module level (scipy and scikit-learn lazily), so loading the
curve rules stays cheap.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from fitdoctor.diagnose.base import RULES, rule
from fitdoctor.diagnose.engine import run_rules
from fitdoctor.errors import BadInput
from fitdoctor.thresholds import with_overrides
from fitdoctor.findings import Finding, Remedy, sort_findings
from fitdoctor.stats import spearman


@dataclass(frozen=True)
class DataThresholds:
    """Named, overridable limits of the data rules: ``check_data(ds, thresholds={...})``."""

    #: largest / median column standard deviation above which scales "differ by orders of magnitude"
    #: (the median, not the smallest, so one near-constant column does not trigger it)
    scale_spread: float = 100.0
    #: a column whose |mean| exceeds this many of its own standard deviations is far from 0
    offset_sigmas: float = 5.0
    #: a column with |mean| + std above this is too large for default weight initialisation
    max_magnitude: float = 20.0
    #: class imbalance: minority share x number of classes below this (0.4 = 20% for binary)
    imbalance_norm_share: float = 0.4
    #: misleading accuracy: majority-class share at or above this
    majority_share: float = 0.75
    #: overlap: share of val/test rows also in train at or above this is an error, not a warning
    overlap_error_share: float = 0.05
    #: overlap: k shared rows move a split's score by at most k/n; below this many times the
    #: score's own sampling error (about 0.3/sqrt(n) at accuracy 0.9) they cannot change a
    #: conclusion, and the finding is a remark (one duplicate among iris's 30 test rows)
    overlap_material_se: float = 1.0
    #: sorted split: p-value below which the tail's labels differ from the whole ...
    sorted_p_value: float = 1e-3
    #: ... and total-variation distance (classes) at or above this
    sorted_tvd: float = 0.2
    #: ... or standardized mean difference (regression) at or above this
    sorted_effect: float = 0.5
    #: constant features: share of columns at or above which the finding is a warning
    constant_warning_share: float = 0.5
    #: id-like feature: at least this many rows (a short table's unique counts mean little)
    id_min_rows: int = 20
    #: ... and at least this share of its values distinct
    id_unique_share: float = 0.98


THRESHOLDS = DataThresholds()


@dataclass
class DataContext:
    """What the data rules know: the dataset, the split it will be trained with, column stats."""

    ds: Any
    split: Any = None
    val_split: float | None = 0.2
    #: the scaling the pipeline will apply (``data.scale``), when known
    scale: str | None = None
    th: DataThresholds = THRESHOLDS
    facts: dict[str, Any] = field(default_factory=dict)

    def column_stats(self) -> dict[str, np.ndarray]:
        """Per-column mean/std/min/max over finite values (NaN for an all-missing column)."""
        if "cols" not in self.facts:
            X = np.asarray(self.ds.X, dtype=np.float64)
            Xf = np.where(np.isfinite(X), X, np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self.facts["cols"] = {
                    "mean": np.nanmean(Xf, axis=0), "std": np.nanstd(Xf, axis=0),
                    "min": np.nanmin(Xf, axis=0), "max": np.nanmax(Xf, axis=0),
                    "binary": np.array([np.isin(c[np.isfinite(c)], (0.0, 1.0)).all() for c in Xf.T],
                                       dtype=bool),
                }
        return self.facts["cols"]


DataRule = Callable[[DataContext], "Finding | None"]


def _names(ds: Any, idx) -> list[str]:
    return [ds.feature_names[int(i)] for i in idx]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _class_label(ds: Any, k: int) -> str:
    return str(ds.class_names[k]) if ds.class_names is not None else str(k)


# --------------------------------------------------------------------------- rules

#: Last word of a column name that says "this identifies a row": customer_id, ID, CustomerId,
#: row_index, uuid, account_no, Unnamed: 0 (the index pandas wrote to a CSV).
ID_WORDS = ("id", "ids", "uuid", "guid", "index", "idx", "key", "no", "nr", "rownum", "unnamed")


def _id_like_name(name: str) -> bool:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name).strip())  # CustomerId -> Customer Id
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w and not w.isdigit()]
    return bool(words) and words[-1] in ID_WORDS


def id_like_columns(ctx: DataContext) -> list[dict[str, Any]]:
    """Columns that identify rows: distinct integers that increase (or decrease) with the row
    order, or distinct values under an identifier's name (``customer_id``). Cached in facts."""
    if "id_like" in ctx.facts:
        return ctx.facts["id_like"]
    ds, th = ctx.ds, ctx.th
    X = np.asarray(ds.X, dtype=np.float64)
    out: list[dict[str, Any]] = []
    if ds.n_samples >= th.id_min_rows:
        one_hot = {d for cols in (ds.meta.get("one_hot") or {}).values() for d in cols}
        for j, name in enumerate(ds.feature_names):
            if name in one_hot:
                continue
            col = X[:, j]
            fin = col[np.isfinite(col)]
            if fin.size < th.id_min_rows:
                continue
            integers = bool(np.all(fin == np.round(fin)))
            distinct = int(np.unique(fin).size)
            unique_share = distinct / fin.size
            if unique_share < th.id_unique_share:
                continue
            d = np.diff(fin)
            monotonic = bool(np.all(d > 0) or np.all(d < 0))
            named = _id_like_name(name)
            if not ((integers and monotonic) or (named and (integers or monotonic))):
                continue
            consecutive = bool(integers and monotonic and np.all(np.abs(d) == 1))
            out.append({"feature": str(name), "distinct": distinct, "rows": int(fin.size),
                        "integers": integers, "monotonic": monotonic, "consecutive": consecutive,
                        "id_name": named, "min": float(fin.min()), "max": float(fin.max())})
    ctx.facts["id_like"] = out
    return out


@rule("data")
def id_like_feature(ctx: DataContext) -> Finding | None:
    """A feature column that identifies rows: it carries row order or identity, not signal."""
    cols = id_like_columns(ctx)
    if not cols:
        return None
    c = cols[0]
    how = []
    if c["integers"]:
        how.append(f"{c['distinct']} distinct integers in {c['rows']} rows")
    else:
        how.append(f"{c['distinct']} distinct values in {c['rows']} rows")
    if c["monotonic"]:
        how.append(f"{'counting' if c['consecutive'] else 'rising' if c['max'] > c['min'] else 'falling'} "
                   f"with the row order ({_fmt_id(c['min'])} to {_fmt_id(c['max'])})")
    if c["id_name"]:
        how.append("named like an identifier")
    names = ", ".join(f"'{x['feature']}'" for x in cols)
    msg = (f"{'Columns' if len(cols) > 1 else 'Column'} {names} "
           f"{'look' if len(cols) > 1 else 'looks'} like a row identifier: {', '.join(how)}. "
           "A model can learn the row order or the identity from it instead of the signal.")
    evidence = {"feature": c["feature"], "distinct": c["distinct"], "rows": c["rows"], "min": c["min"],
                "max": c["max"], "monotonic": c["monotonic"], "consecutive": c["consecutive"],
                "id_name": c["id_name"], "columns": [x["feature"] for x in cols],
                "test": f">= {ctx.th.id_unique_share:g} distinct and (monotonic integers, or an id-like name)"}
    drop = ", ".join(repr(x["feature"]) for x in cols)
    return Finding(
        code="id_like_feature", severity="warning", message=msg, evidence=evidence,
        remedies=[
            Remedy(f"drop it before training (pandas: df.drop(columns=[{drop}]))", {},
                   "an identifier is not a feature"),
            Remedy("keep it as the index, to join predictions back to rows", {},
                   "identity stays available without being learned"),
            Remedy("if rows of one entity repeat, split by it (group k-fold) so none is on both sides", {},
                   "an entity in train and val leaks its label"),
        ],
    )


def _fmt_id(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else f"{x:.4g}"


@rule("data")
def unscaled_features(ctx: DataContext) -> Finding | None:
    """Column scales that differ by orders of magnitude, or sit far from 0 (row identifiers are
    left to ``id_like_feature``: their size says nothing about how the features are scaled)."""
    ds, th = ctx.ds, ctx.th
    st = ctx.column_stats()
    std, mean = st["std"], st["mean"]
    ids = {c["feature"] for c in id_like_columns(ctx)}
    ok = np.isfinite(std) & (std > 0) & np.array([n not in ids for n in ds.feature_names], dtype=bool)
    if not ok.any():
        return None
    idx = np.flatnonzero(ok)
    s = std[idx]
    spread = float(s.max() / np.median(s))
    offset = np.abs(mean[idx]) / s
    offset[st["binary"][idx]] = 0.0  # 0/1 indicators are fine as they are
    magnitude = np.abs(mean[idx]) + s
    reasons = []
    if spread >= th.scale_spread:
        reasons.append(f"the largest column scale is {spread:.3g}x the median one")
    if offset.max() >= th.offset_sigmas:
        reasons.append(f"a column's mean sits {offset.max():.3g} standard deviations from 0")
    if magnitude.max() >= th.max_magnitude:
        reasons.append(f"values reach {magnitude.max():.3g} in size")
    if not reasons:
        return None
    worst = idx[np.argsort(-np.maximum(magnitude, s / np.median(s)))[:5]]
    evidence = {
        "features": int(ds.n_features), "scale_spread": spread,
        "largest_std_feature": ds.feature_names[int(idx[s.argmax()])], "largest_std": float(s.max()),
        "smallest_std_feature": ds.feature_names[int(idx[s.argmin()])], "smallest_std": float(s.min()),
        "median_std": float(np.median(s)),
        "max_offset_feature": ds.feature_names[int(idx[offset.argmax()])],
        "max_offset_sigmas": float(offset.max()), "max_magnitude": float(magnitude.max()),
        "worst_features": _names(ds, worst),
        "test": (f"spread >= {th.scale_spread:g} or |mean|/std >= {th.offset_sigmas:g} "
                 f"or |mean|+std >= {th.max_magnitude:g}"),
    }
    pipeline_scales = ctx.scale in ("standard", "minmax")
    detail = (f"{'; '.join(reasons)} (largest std {s.max():.3g} in '{evidence['largest_std_feature']}', "
              f"smallest {s.min():.3g} in '{evidence['smallest_std_feature']}')")
    if pipeline_scales:
        # already handled: a note for code that reads the raw columns, with no fix to apply
        how = "standardizes them" if ctx.scale == "standard" else "scales them to [0, 1]"
        return Finding(
            code="unscaled_features", severity="info", evidence=evidence, remedies=[],
            message=f"The raw features are not scaled: {detail}; data.scale: {ctx.scale} {how} inside the "
                    "pipeline, fitted on the training split, so training sees them scaled.")
    return Finding(
        code="unscaled_features", severity="warning", message=f"Features are not scaled: {detail}.",
        evidence=evidence,
        remedies=[
            Remedy("standardize features inside the pipeline (fitted on the training split)",
                   {"data.scale": "standard"}, "puts every column at mean 0, std 1"),
            Remedy("or scale to [0, 1]", {"data.scale": "minmax"}, "bounded inputs for bounded features"),
        ],
    )


@rule("data")
def class_imbalance(ctx: DataContext) -> Finding | None:
    """Minority class share small for the number of classes (20% for binary)."""
    ds, th = ctx.ds, ctx.th
    if not ds.is_classification:
        return None
    counts = ds.class_counts()
    k = counts.size
    shares = counts / counts.sum()
    minority = int(np.argmin(shares))
    majority = int(np.argmax(shares))
    if shares[minority] * k >= th.imbalance_norm_share:
        return None
    ratio = float(counts[majority] / max(counts[minority], 1))
    evidence = {
        "class_counts": {_class_label(ds, i): int(c) for i, c in enumerate(counts)},
        "minority_class": _class_label(ds, minority), "minority_share": float(shares[minority]),
        "majority_class": _class_label(ds, majority), "majority_share": float(shares[majority]),
        "imbalance_ratio": ratio,
        "test": f"minority share x {k} classes < {th.imbalance_norm_share:g}",
    }
    return Finding(
        code="class_imbalance", severity="warning", evidence=evidence,
        message=(f"Classes are imbalanced: '{evidence['minority_class']}' is {_pct(shares[minority])} "
                 f"of {int(counts.sum())} rows ({int(counts[minority])} rows; {ratio:.3g}x fewer than "
                 f"'{evidence['majority_class']}')."),
        remedies=[
            Remedy("weight classes inversely to their frequency", {"train.class_weight": "balanced"},
                   "each class contributes equally to the loss"),
            Remedy("oversample the minority class in training batches", {"train.resample": "oversample"},
                   "the model sees minority examples as often as majority ones"),
            Remedy("report F1, recall, balanced accuracy and ROC AUC instead of accuracy", {},
                   "they do not reward ignoring the minority"),
        ],
    )


@rule("data")
def misleading_accuracy(ctx: DataContext) -> Finding | None:
    """Always predicting the majority class already scores a high accuracy."""
    ds, th = ctx.ds, ctx.th
    if not ds.is_classification:
        return None
    counts = ds.class_counts()
    share = counts / counts.sum()
    majority = int(np.argmax(share))
    if share[majority] < th.majority_share:
        return None
    evidence: dict[str, Any] = {"majority_class": _class_label(ds, majority),
                                "majority_baseline_accuracy": float(share[majority])}
    if ctx.split is not None and ctx.split.train.size:
        train_major = int(np.argmax(np.bincount(ds.y[ctx.split.train], minlength=counts.size)))
        for part in ("val", "test"):
            idx = getattr(ctx.split, part)
            if idx.size:
                evidence[f"{part}_baseline_accuracy"] = float(np.mean(ds.y[idx] == train_major))
    evidence["test"] = f"majority share >= {th.majority_share:g}"
    base = evidence.get("val_baseline_accuracy", share[majority])
    return Finding(
        code="misleading_accuracy", severity="warning", evidence=evidence,
        message=(f"Always predicting '{evidence['majority_class']}' already scores {_pct(base)} accuracy; "
                 f"an accuracy near {_pct(base)} means the model learned nothing."),
        remedies=[
            Remedy("judge the model by F1, balanced accuracy or ROC AUC, and against the majority baseline", {},
                   "the trivial predictor scores 0.5 balanced accuracy and AUC"),
            Remedy("weight classes so the minority counts", {"train.class_weight": "balanced"},
                   "the loss no longer rewards ignoring the minority"),
        ],
    )


def _row_keys(X: np.ndarray) -> list[bytes]:
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float32) + np.float32(0.0))  # -0.0 == 0.0
    return [r.tobytes() for r in X]


def _default_split(ds: Any):
    from fitdoctor.data.splits import make_splits

    return make_splits(ds)[0]


@rule("data")
def train_val_overlap(ctx: DataContext) -> Finding | None:
    """Identical feature rows on both sides of the split (leakage: val/test scores flatter)."""
    ds, th = ctx.ds, ctx.th
    split = ctx.split if ctx.split is not None else ctx.facts.setdefault("default_split", _default_split(ds))
    keys = _row_keys(ds.X)
    first: dict[bytes, int] = {}
    for i in split.train.tolist():
        first.setdefault(keys[i], i)
    val_first: dict[bytes, int] = {}
    for i in split.val.tolist():
        val_first.setdefault(keys[i], i)

    def hits(idx, table):
        return [(int(i), table[keys[i]]) for i in idx.tolist() if keys[i] in table]

    val_in_train = hits(split.val, first)
    test_in_train = hits(split.test, first)
    test_in_val = hits(split.test, val_first)
    if not (val_in_train or test_in_train or test_in_val):
        return None
    distinct = len(set(keys))
    conflicting = sum(1 for i, j in val_in_train + test_in_train if ds.y[i] != ds.y[j])
    val_share = len(val_in_train) / max(split.val.size, 1)
    test_share = (len(test_in_train) + len(test_in_val)) / max(split.test.size, 1)
    evidence = {
        "val_rows_in_train": len(val_in_train), "val_share": val_share,
        "test_rows_in_train": len(test_in_train), "test_rows_in_val": len(test_in_val),
        "test_share": test_share, "duplicate_rows_in_data": ds.n_samples - distinct,
        "conflicting_labels": conflicting,
        "examples": [{"row": a, "same_as_train_row": b} for a, b in (val_in_train + test_in_train)[:5]],
        "split": split.name,
    }
    few_levels = distinct < 0.5 * ds.n_samples

    def material(k: int, n: int) -> bool:
        return n > 0 and k / n > th.overlap_material_se * 0.3 / math.sqrt(n)

    negligible = not (material(len(val_in_train), split.val.size)
                      or material(len(test_in_train) + len(test_in_val), split.test.size))
    if few_levels or negligible:
        severity = "info"
    else:
        severity = "error" if max(val_share, test_share) >= th.overlap_error_share else "warning"
    msg = (f"{len(val_in_train)} of {split.val.size} validation rows ({_pct(val_share)}) and "
           f"{len(test_in_train) + len(test_in_val)} of {split.test.size} test rows ({_pct(test_share)}) "
           f"are identical to rows the model trains on (or validates on); "
           f"the data holds {ds.n_samples - distinct} duplicate row{'s' if ds.n_samples - distinct != 1 else ''}.")
    if few_levels:
        msg = msg[:-1] + f"; only {distinct} distinct rows exist, so some repetition is expected."
    elif negligible:
        msg = msg[:-1] + "; too few to move a score beyond its own sampling error."
    return Finding(
        code="train_val_overlap", severity=severity, message=msg, evidence=evidence,
        remedies=[
            Remedy("drop duplicate rows before splitting (e.g. pandas drop_duplicates on the features)", {},
                   "every row then lands on exactly one side of the split"),
            Remedy("if duplicates are repeated measurements of one entity, split by entity (group k-fold)", {},
                   "copies stay on the same side"),
        ],
    )


def _tail_vs_whole(ds: Any, idx: np.ndarray) -> dict[str, Any] | None:
    """How a subset's labels differ from the whole dataset's, with a test against random sampling."""
    N, n = ds.n_samples, idx.size
    if n < 5 or n >= N:
        return None
    fpc = (N - 1) / max(N - n, 1)  # sampling without replacement: counts vary less
    if ds.is_classification:
        k = ds.n_classes
        whole = np.bincount(ds.y, minlength=k) / N
        sub = np.bincount(ds.y[idx], minlength=k)
        expected = whole * n
        present = expected > 0
        chi2 = float(np.sum((sub[present] - expected[present]) ** 2 / expected[present]) * fpc)
        stats = _require_scipy()
        p = float(stats.chi2.sf(chi2, max(int(present.sum()) - 1, 1)))
        tvd = float(0.5 * np.abs(sub / n - whole).sum())
        return {"kind": "classes", "chi2": chi2, "p_value": p, "tvd": tvd,
                "subset_shares": {_class_label(ds, i): float(sub[i] / n) for i in range(k)},
                "overall_shares": {_class_label(ds, i): float(whole[i]) for i in range(k)},
                "missing_classes": [_class_label(ds, i) for i in range(k) if whole[i] > 0 and sub[i] == 0]}
    y = ds.y.astype(np.float64)
    sd = float(y.std())
    if sd == 0:
        return None
    diff = float(y[idx].mean() - y.mean())
    se = sd * math.sqrt(1.0 / n - 1.0 / N) * math.sqrt(N / max(N - 1, 1))
    z = diff / se if se > 0 else 0.0
    stats = _require_scipy()
    return {"kind": "target", "z": z, "p_value": float(2 * stats.norm.sf(abs(z))),
            "effect_size": abs(diff) / sd, "subset_mean": float(y[idx].mean()), "overall_mean": float(y.mean())}


def _require_scipy():
    from fitdoctor.errors import require

    return require("scipy.stats", "train", "the sorted-split test")


def _skewed(t: dict[str, Any] | None, th: DataThresholds) -> bool:
    if t is None or t["p_value"] >= th.sorted_p_value:
        return False
    return t["tvd"] >= th.sorted_tvd if t["kind"] == "classes" else t["effect_size"] >= th.sorted_effect


def _describe(t: dict[str, Any]) -> str:
    if t["kind"] == "classes":
        if t["missing_classes"]:
            return f"hold no rows of class {', '.join(repr(c) for c in t['missing_classes'])}"
        top = max(t["subset_shares"], key=t["subset_shares"].get)
        return (f"are {_pct(t['subset_shares'][top])} class '{top}' against {_pct(t['overall_shares'][top])} "
                f"overall")
    return f"have a target mean of {t['subset_mean']:.4g} against {t['overall_mean']:.4g} overall"


@rule("data")
def sorted_validation_split(ctx: DataContext) -> Finding | None:
    """Labels ordered so the last rows (Keras ``validation_split``) or the split's val set are unlike the rest."""
    from fitdoctor.data.splits import keras_validation_split

    ds, th = ctx.ds, ctx.th
    # val_split None: the pipeline's own (shuffled) split is what trains, no Keras tail is used
    tail = keras_validation_split(ds.n_samples, ctx.val_split)[1] if ctx.val_split is not None else np.arange(0)
    tail_t = _tail_vs_whole(ds, tail) if tail.size else None
    val_t = _tail_vs_whole(ds, ctx.split.val) if ctx.split is not None else None
    bad_split = _skewed(val_t, th)
    bad_tail = _skewed(tail_t, th)
    if not (bad_split or bad_tail):
        return None
    t = val_t if bad_split else tail_t
    rho = spearman(np.arange(ds.n_samples, dtype=float), ds.y.astype(float))
    evidence = {k: v for k, v in t.items() if k != "kind"}
    evidence.update({"val_split": ctx.val_split, "tail_rows": int(tail.size), "rank_corr_row_vs_label": rho,
                     "checked": "configured split's validation rows" if bad_split else
                     f"last {tail.size} rows (Keras validation_split={ctx.val_split:g})"})
    if bad_split:
        msg = (f"The validation rows of this split {_describe(t)} (p={t['p_value']:.2g}): they are not drawn "
               "from the same distribution as the training rows.")
    else:
        how = f"ordered by {'label' if ds.is_classification else 'target'}" if (t.get("missing_classes") or abs(rho) >= 0.5) else "not shuffled"
        msg = (f"Rows are {how}: the last {tail.size} rows, which Keras "
               f"fit(validation_split={ctx.val_split:g}) uses as validation, {_describe(t)} (p={t['p_value']:.2g}).")
    return Finding(
        code="sorted_validation_split", severity="error" if bad_split else "warning", message=msg,
        evidence=evidence,
        remedies=[
            Remedy("shuffle and stratify before splitting", {"data.split.shuffle": True, "data.split.stratify": True},
                   "validation then has the same label mix as training"),
            Remedy("in Keras, pass validation_data from a shuffled, stratified split instead of validation_split",
                   {}, "validation_split never shuffles"),
        ],
    )


@rule("data")
def missing_values(ctx: DataContext) -> Finding | None:
    """NaN or inf anywhere in the features, or targets that were missing."""
    ds = ctx.ds
    X = np.asarray(ds.X)
    nan = np.isnan(X)
    inf = np.isinf(X)
    bad_target = int(ds.meta.get("dropped_missing_target", 0))
    if not ds.is_classification:
        bad_target += int((~np.isfinite(ds.y)).sum())
    if not (nan.any() or inf.any() or bad_target):
        return None
    bad = nan | inf
    groups = _column_groups(ds)
    per_group = {g: int(bad[:, ix].any(axis=1).sum()) for g, ix in groups.items()}
    nan_cells = sum(int(np.isnan(X[:, ix]).any(axis=1).sum()) for ix in groups.values())
    inf_cells = sum(int(np.isinf(X[:, ix]).any(axis=1).sum()) for ix in groups.values())
    worst_groups = sorted((g for g in per_group if per_group[g]), key=lambda g: -per_group[g])
    rows = int(bad.any(axis=1).sum())
    evidence = {"nan_cells": nan_cells, "inf_cells": inf_cells, "rows_affected": rows,
                "rows_affected_share": rows / max(ds.n_samples, 1),
                "columns": {g: per_group[g] for g in worst_groups[:10]},
                "columns_affected": len(worst_groups), "missing_targets": bad_target}
    if "missing_target_rows" in ds.meta:
        evidence["missing_target_rows"] = ds.meta["missing_target_rows"]
    parts = []
    if nan.any() or inf.any():
        parts.append(f"{nan_cells} NaN and {inf_cells} inf values in {evidence['columns_affected']} "
                     f"columns ({rows} rows, {_pct(evidence['rows_affected_share'])})")
    if bad_target:
        parts.append(f"{bad_target} rows without a target"
                     + (" (dropped)" if ds.meta.get("dropped_missing_target") else ""))
    worst = ", ".join(f"'{k}': {v}" for k, v in list(evidence["columns"].items())[:3])
    msg = "Missing values: " + "; ".join(parts) + (f"; most in {worst}." if worst else ".")
    return Finding(
        code="missing_values", severity="error", message=msg, evidence=evidence,
        remedies=[
            Remedy("impute missing values with the training-split median (add a was-missing indicator "
                   "column if missingness means something)", {}, "keeps every row"),
            Remedy("or drop rows with missing values before splitting", {}, "simple when few rows are affected"),
        ],
    )


def _column_groups(ds: Any) -> dict[str, list[int]]:
    """Original table columns -> feature indices (a one-hot text column is one column here)."""
    pos = {n: i for i, n in enumerate(ds.feature_names)}
    groups: dict[str, list[int]] = {}
    dummy = {d: col for col, ds_ in (ds.meta.get("one_hot") or {}).items() for d in ds_}
    for i, n in enumerate(ds.feature_names):
        groups.setdefault(dummy.get(n, n), []).append(pos[n])
    return groups


@rule("data")
def constant_features(ctx: DataContext) -> Finding | None:
    """Columns that take a single value (or none): they carry no information."""
    ds, th = ctx.ds, ctx.th
    st = ctx.column_stats()
    const = ~(st["max"] > st["min"])  # also True for all-NaN columns (NaN comparisons are False)
    if not const.any():
        return None
    idx = np.flatnonzero(const)
    share = idx.size / ds.n_features
    values = {ds.feature_names[int(i)]: (float(st["min"][i]) if np.isfinite(st["min"][i]) else "missing")
              for i in idx[:10]}
    evidence = {"constant_columns": int(idx.size), "share_of_columns": share, "columns": values}
    names = ", ".join(f"'{n}'" for n in list(values)[:5]) + (" ..." if idx.size > 5 else "")
    return Finding(
        code="constant_features", severity="warning" if share >= th.constant_warning_share else "info",
        message=f"{idx.size} of {ds.n_features} feature columns are constant (zero variance): {names}.",
        evidence=evidence,
        remedies=[Remedy("drop the constant columns (e.g. scikit-learn VarianceThreshold)", {},
                         "fewer inputs, same information")],
    )


#: The data rules (registered with the one rule engine, family "data"), in the order they run.
DATA_RULES: list[DataRule] = [spec.fn for spec in RULES.values() if spec.family == "data"]

DATA_CODES = tuple(r.__name__ for r in DATA_RULES)


def _thresholds(overrides: Mapping[str, Any] | None) -> DataThresholds:
    return with_overrides(overrides, THRESHOLDS, what="data threshold")


def resolve_data(data: Any, target: str | None = None, task: str = "auto", seed: int = 0
                 ) -> tuple[Any, Any, str | None]:
    """What ``check-data DATA`` reads: (dataset, the split training will use, the pipeline's
    ``data.scale`` or None). ``data``: a run config's path (its data section, split and scale),
    or a data source (a CSV/Parquet path, ``sklearn:wine``, a generator spec)."""
    import os

    from fitdoctor.data import load_dataset, make_splits

    if not isinstance(data, (str, os.PathLike)):
        raise BadInput(f"cannot check a {type(data).__name__}; expected a Dataset, a data source "
                       "(a CSV path, 'sklearn:wine') or a run config's path")
    if str(data).lower().endswith((".yaml", ".yml")):
        from fitdoctor.config import load_config

        dcfg = load_config(data).data
        if target is not None or task != "auto":
            dcfg = dcfg.model_copy(update={k: v for k, v in (("target", target), ("task", task))
                                           if v is not None and v != "auto"})
        ds = load_dataset(dcfg)
        return ds, make_splits(ds, dcfg.split)[0], dcfg.scale
    from fitdoctor.config import SplitConfig

    ds = load_dataset({"source": str(data), "target": target, "task": task})
    return ds, make_splits(ds, SplitConfig(seed=seed))[0], None


def check_data(ds: Any, split: Any = None, val_split: float | None = 0.2, *, scale: str | None = None,
               thresholds: Mapping[str, Any] | None = None, mute: tuple[str, ...] | list[str] = (),
               target: str | None = None) -> list[Finding]:
    """Run every data rule on ``ds``; most important findings first.

    ``ds``: a Dataset, or what ``fitdoctor check-data`` takes (a data source such as
    ``"churn.csv"`` with ``target=``, ``"sklearn:wine"``, or a run config's path, whose split
    and scale are then used). ``split``: the Split training will use (default: the default
    holdout split, for the overlap check); ``val_split``: the Keras-style tail fraction checked
    for label ordering (None when the pipeline trains on its own shuffled split, as the
    built-in trainer does); ``scale``: the pipeline's ``data.scale`` (unscaled features are
    then only info).
    """
    if val_split is not None and not 0.0 < float(val_split) < 1.0:
        raise BadInput(f"--val-split {val_split!r}: expected a fraction between 0 and 1, e.g. 0.2")
    from fitdoctor.data.dataset import Dataset

    if not isinstance(ds, Dataset):
        ds, own_split, own_scale = resolve_data(ds, target)
        split = split if split is not None else own_split
        scale = scale if scale is not None else own_scale
    ctx = DataContext(ds=ds, split=split, val_split=float(val_split) if val_split is not None else None,
                      scale=scale, th=_thresholds(thresholds))
    def note(line: str) -> None:
        warnings.warn(line, RuntimeWarning)

    out = run_rules({"data": ctx}, families=("data",), skip=tuple(mute), note=note)
    return sort_findings(out)


__all__ = ["check_data", "resolve_data", "DATA_RULES", "DATA_CODES", "DataContext", "DataThresholds"]
