"""Scores on whole splits (never averages of batch values), one function per task.

``scores`` are what the model outputs after the link: P(class 1) for binary, a row of
class probabilities for multiclass, the prediction for regression.
"""

from __future__ import annotations

import warnings

import numpy as np

#: The score each task is selected and reported on.
PRIMARY = {"binary": "accuracy", "multiclass": "accuracy", "regression": "r2"}


def classification_metrics(y: np.ndarray, proba: np.ndarray, n_classes: int) -> dict[str, float]:
    from sklearn import metrics as m

    y = np.asarray(y).astype(int)
    if proba.ndim == 1:
        pred = (proba >= 0.5).astype(int)
        avg = "binary"
    else:
        pred = proba.argmax(axis=1)
        avg = "macro"
    out = {
        "accuracy": float(m.accuracy_score(y, pred)),
        "balanced_accuracy": float(m.balanced_accuracy_score(y, pred)) if len(np.unique(y)) > 1 else float("nan"),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["precision"] = float(m.precision_score(y, pred, average=avg, zero_division=0))
        out["recall"] = float(m.recall_score(y, pred, average=avg, zero_division=0))
        out["f1"] = float(m.f1_score(y, pred, average=avg, zero_division=0))
    out["auc"] = _auc(y, proba, n_classes)
    return out


def _auc(y: np.ndarray, proba: np.ndarray, n_classes: int) -> float:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y)) < 2 or not np.all(np.isfinite(proba)):
        return float("nan")
    try:
        if proba.ndim == 1:
            return float(roc_auc_score(y, proba))
        if len(np.unique(y)) < n_classes:
            return float("nan")  # one-vs-rest AUC needs every class present
        p = proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)
        return float(roc_auc_score(y, p, multi_class="ovr", average="macro", labels=list(range(n_classes))))
    except ValueError:
        return float("nan")


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    from sklearn import metrics as m

    y = np.asarray(y, dtype=float)
    pred = np.asarray(pred, dtype=float).reshape(-1)
    if not np.all(np.isfinite(pred)):
        return {"r2": float("nan"), "mae": float("nan"), "mse": float("nan")}
    return {"r2": float(m.r2_score(y, pred)) if y.size > 1 else float("nan"),
            "mae": float(m.mean_absolute_error(y, pred)),
            "mse": float(m.mean_squared_error(y, pred))}


def task_metrics(task: str, y: np.ndarray, scores: np.ndarray, n_classes: int | None) -> dict[str, float]:
    if task == "regression":
        return regression_metrics(y, scores)
    return classification_metrics(y, scores, int(n_classes or 2))


def class_prior(y: np.ndarray, n_classes: int) -> list[float]:
    counts = np.bincount(np.asarray(y).astype(int), minlength=n_classes).astype(float)
    return (counts / max(counts.sum(), 1.0)).tolist()
