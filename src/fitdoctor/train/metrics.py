"""Scores on whole splits (never averages of batch values), one function per task.

``scores`` are what the model outputs after the link: P(class 1) for binary, a row of
class probabilities for multiclass, the prediction for regression.
"""

from __future__ import annotations

import numpy as np

#: The score each task is selected and reported on.
PRIMARY = {"binary": "accuracy", "multiclass": "accuracy", "regression": "r2"}


def classification_metrics(y: np.ndarray, proba: np.ndarray, n_classes: int) -> dict[str, float]:
    """Accuracy, balanced accuracy, precision/recall/F1 (binary: class 1; multiclass: macro over
    the labels present in y or the predictions, zero_division=0) and ROC AUC, exactly as
    scikit-learn computes them, in numpy: the trainer scores every epoch on train and val, and
    scikit-learn's input validation cost ~100 ms a call (tests/train/test_metrics.py keeps
    the two equal)."""
    y = np.asarray(y).astype(int)
    proba = np.asarray(proba)
    if proba.ndim == 1:
        pred = (proba >= 0.5).astype(int)
    else:
        pred = proba.argmax(axis=1)
    out = {"accuracy": float(np.mean(pred == y)) if y.size else float("nan")}
    present = np.unique(y)
    if present.size > 1:
        out["balanced_accuracy"] = float(np.mean([np.mean(pred[y == c] == c) for c in present]))
    else:
        out["balanced_accuracy"] = float("nan")
    if proba.ndim == 1:
        labels = np.array([1])
    else:
        labels = np.union1d(present, np.unique(pred))
    tp = np.array([np.sum((pred == c) & (y == c)) for c in labels], dtype=float)
    n_pred = np.array([np.sum(pred == c) for c in labels], dtype=float)
    n_true = np.array([np.sum(y == c) for c in labels], dtype=float)
    precision = np.divide(tp, n_pred, out=np.zeros_like(tp), where=n_pred > 0)
    recall = np.divide(tp, n_true, out=np.zeros_like(tp), where=n_true > 0)
    denom = n_pred + n_true
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    out["precision"] = float(precision.mean())
    out["recall"] = float(recall.mean())
    out["f1"] = float(f1.mean())
    out["auc"] = _auc(y, proba, n_classes)
    return out


def _binary_auc(pos: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count one half): scikit-learn's trapezoid."""
    from scipy.stats import rankdata

    n1 = int(pos.sum())
    n0 = pos.size - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def _auc(y: np.ndarray, proba: np.ndarray, n_classes: int) -> float:
    if len(np.unique(y)) < 2 or not np.all(np.isfinite(proba)):
        return float("nan")
    if proba.ndim == 1:
        return _binary_auc(y == 1, proba)
    if len(np.unique(y)) < n_classes or proba.shape[1] != n_classes:
        return float("nan")  # one-vs-rest AUC needs every class present
    p = proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)
    return float(np.mean([_binary_auc(y == c, p[:, c]) for c in range(n_classes)]))


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    y = np.asarray(y, dtype=float)
    pred = np.asarray(pred, dtype=float).reshape(-1)
    if not np.all(np.isfinite(pred)):
        return {"r2": float("nan"), "mae": float("nan"), "mse": float("nan")}
    err = y - pred
    mse = float(np.mean(err ** 2))
    if y.size > 1:
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        ss_res = float(np.sum(err ** 2))
        # scikit-learn: a constant target scores 1.0 when predicted exactly, else 0.0
        r2 = (1.0 - ss_res / ss_tot) if ss_tot != 0 else (1.0 if ss_res == 0 else 0.0)
    else:
        r2 = float("nan")
    return {"r2": float(r2), "mae": float(np.mean(np.abs(err))), "mse": mse}


def task_metrics(task: str, y: np.ndarray, scores: np.ndarray, n_classes: int | None) -> dict[str, float]:
    if task == "regression":
        return regression_metrics(y, scores)
    return classification_metrics(y, scores, int(n_classes or 2))


def class_prior(y: np.ndarray, n_classes: int) -> list[float]:
    counts = np.bincount(np.asarray(y).astype(int), minlength=n_classes).astype(float)
    return (counts / max(counts.sum(), 1.0)).tolist()
