"""The in-memory dataset every loader returns, and how its task is decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from fitdoctor.errors import BadInput

TASKS = ("binary", "multiclass", "regression")

#: A numeric target with integer values and at most this many distinct values is a class label.
MAX_CLASSES_FOR_INTEGER_TARGET = 20


@dataclass
class Dataset:
    """Features ``X`` (float32, may hold NaN for ``check-data`` to report) and target ``y``.

    Classification targets are encoded 0..K-1 (int64) with the original labels in
    ``class_names``; regression targets are float32.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    task: str
    n_classes: int | None
    class_names: list | None
    source: str
    #: facts gathered while loading (e.g. rows dropped for a missing target)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.X.ndim != 2:
            raise BadInput(f"{self.source}: features have shape {self.X.shape}; expected a 2-D table")
        if self.y.ndim != 1 or self.y.shape[0] != self.X.shape[0]:
            raise BadInput(f"{self.source}: target has shape {self.y.shape}; expected one value "
                           f"per row ({self.X.shape[0]} rows)")
        if self.task not in TASKS:
            raise BadInput(f"task {self.task!r}: expected one of {', '.join(TASKS)}")
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError("feature_names must name every column of X")

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def is_classification(self) -> bool:
        return self.task != "regression"

    def class_counts(self) -> np.ndarray:
        """Rows per class (classification only)."""
        if not self.is_classification:
            raise ValueError("class counts need a classification task")
        return np.bincount(self.y, minlength=self.n_classes or 0)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "rows": self.n_samples,
                               "features": self.n_features, "task": self.task}
        if self.is_classification:
            counts = self.class_counts()
            out["n_classes"] = self.n_classes
            out["class_counts"] = {str(n): int(c) for n, c in zip(self.class_names or [], counts)}
            # what "always predict the majority class" scores: any accuracy must beat it
            out["majority_baseline_accuracy"] = float(counts.max() / max(counts.sum(), 1))
        else:
            finite = self.y[np.isfinite(self.y)].astype(np.float64)
            # the mean predictor's MSE is the target variance: any regression must beat it
            out["target_mean"] = float(finite.mean()) if finite.size else float("nan")
            out["mean_baseline_mse"] = float(finite.var()) if finite.size else float("nan")
        return out

    def __repr__(self) -> str:
        extra = f", n_classes={self.n_classes}" if self.is_classification else ""
        return (f"Dataset(source={self.source!r}, rows={self.n_samples}, features={self.n_features}, "
                f"task={self.task!r}{extra})")


def _is_integer_valued(values: np.ndarray) -> bool:
    if values.dtype.kind in "iub":
        return True
    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        return bool(finite.size) and bool(np.all(finite == np.round(finite)))
    return False


def infer_task(y: np.ndarray) -> str:
    """binary / multiclass / regression from the target's values.

    Strings, booleans and integer values with at most
    ``MAX_CLASSES_FOR_INTEGER_TARGET`` distinct values are classes; other numbers are
    a regression target.
    """
    y = np.asarray(y)
    if y.dtype.kind in "OUSb":
        n = len({v for v in y.tolist() if v is not None and v == v})
        return "binary" if n <= 2 else "multiclass"
    if _is_integer_valued(y):
        n = np.unique(y[np.isfinite(y.astype(float))]).size
        if n <= 2:
            return "binary"
        if n <= MAX_CLASSES_FOR_INTEGER_TARGET:
            return "multiclass"
    return "regression"


def encode_target(y: np.ndarray, task: str, source: str,
                  class_names: Sequence | None = None) -> tuple[np.ndarray, int | None, list | None]:
    """Encode a classification target as 0..K-1 (keeping the labels), or a regression target as float32."""
    y = np.asarray(y)
    if task == "regression":
        if y.dtype.kind in "OUS":
            sample = ", ".join(repr(v) for v in list(dict.fromkeys(y.tolist()))[:3])
            raise BadInput(f"{source}: task 'regression' needs a numeric target, got labels like {sample}")
        return y.astype(np.float32), None, None
    if y.dtype.kind == "f" and not _is_integer_valued(y):
        raise BadInput(f"{source}: task {task!r} needs class labels, but the target holds "
                       f"non-integer numbers (e.g. {float(y[np.isfinite(y)][0])!r}); use task: regression")
    labels, codes = np.unique(y, return_inverse=True)
    k = int(labels.size)
    if task == "binary" and k > 2:
        better = "regression" if k > MAX_CLASSES_FOR_INTEGER_TARGET else "multiclass"
        raise BadInput(f"{source}: task 'binary' but the target has {k} distinct values; use task: {better}")
    if k < 2:
        raise BadInput(f"{source}: the target has a single class ({labels.tolist()!r}); "
                       "a classifier needs at least two")
    names = list(class_names) if class_names is not None and len(class_names) == k else labels.tolist()
    return codes.astype(np.int64).reshape(-1), k, names
