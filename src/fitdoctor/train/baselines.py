"""Answers the network must beat, fitted on exactly the same split.

A trivial predictor (majority class / training mean), a linear model (logistic or
ridge regression) and a strong classic one (HistGradientBoosting). If the network
does not beat them, the user should know before anything else.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fitdoctor.train.metrics import task_metrics


def baseline_models(task: str, seed: int = 0) -> dict[str, Any]:
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "regression":
        return {
            "mean": DummyRegressor(strategy="mean"),
            "linear": make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
            "hist_gradient_boosting": HistGradientBoostingRegressor(random_state=seed),
        }
    return {
        "majority": DummyClassifier(strategy="most_frequent"),
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
    }


def _scores(model: Any, task: str, X: np.ndarray) -> np.ndarray:
    if task == "regression":
        return model.predict(X)
    proba = model.predict_proba(X)
    return proba[:, 1] if task == "binary" else proba


def fit_baselines(task: str, X_train: np.ndarray, y_train: np.ndarray, n_classes: int | None,
                  evaluate: dict[str, tuple[np.ndarray, np.ndarray]], seed: int = 0
                  ) -> dict[str, dict[str, dict[str, float]]]:
    """Fit every baseline on the training rows; score it on each named split.

    Returns ``{baseline: {split: {metric: value}}}``. Multiclass probabilities are laid
    out on all ``n_classes`` columns even when a class is missing from training.
    """
    from threadpoolctl import threadpool_limits

    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, model in baseline_models(task, seed).items():
        # One thread: on small tables OpenMP fan-out is pure overhead (25x slower on a busy box).
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            model.fit(X_train, y_train)
            res = {}
            for split, (X, y) in evaluate.items():
                s = _scores(model, task, X)
                if task == "multiclass":
                    full = np.zeros((len(X), int(n_classes)))
                    full[:, np.asarray(model.classes_).astype(int)] = s
                    s = full
                res[split] = task_metrics(task, y, s, n_classes)
        out[name] = res
    return out
