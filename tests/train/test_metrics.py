"""The numpy metrics equal scikit-learn's, value for value (they replaced them for speed)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the reference needs scikit-learn")

from sklearn import metrics as m

from fitdoctor.train.metrics import classification_metrics, regression_metrics


def _reference(y, proba, k):
    y = np.asarray(y).astype(int)
    if proba.ndim == 1:
        pred, avg = (proba >= 0.5).astype(int), "binary"
    else:
        pred, avg = proba.argmax(axis=1), "macro"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {"accuracy": m.accuracy_score(y, pred),
               "balanced_accuracy": m.balanced_accuracy_score(y, pred) if len(np.unique(y)) > 1 else math.nan}
        out["precision"] = m.precision_score(y, pred, average=avg, zero_division=0)
        out["recall"] = m.recall_score(y, pred, average=avg, zero_division=0)
        out["f1"] = m.f1_score(y, pred, average=avg, zero_division=0)
    if len(np.unique(y)) < 2:
        out["auc"] = math.nan
    elif proba.ndim == 1:
        out["auc"] = m.roc_auc_score(y, proba)
    elif len(np.unique(y)) < k:
        out["auc"] = math.nan
    else:
        p = proba / proba.sum(axis=1, keepdims=True)
        out["auc"] = m.roc_auc_score(y, p, multi_class="ovr", average="macro", labels=list(range(k)))
    return out


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if math.isnan(b[key]):
            assert math.isnan(a[key]), key
        else:
            assert a[key] == pytest.approx(b[key], abs=1e-12), key


@pytest.mark.parametrize("seed", range(25))
def test_binary_and_multiclass_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    y = rng.integers(0, 2, n)
    proba = np.round(rng.random(n), 1)  # rounded: ties in the scores
    if seed % 5 == 0:
        proba = np.full(n, 0.3)           # everything predicted negative
    _same(classification_metrics(y, proba, 2), _reference(y, proba, 2))
    k = int(rng.integers(3, 6))
    y = rng.integers(0, k - (seed % 2), n)  # odd seeds: the last class never appears
    proba = rng.dirichlet(np.ones(k), n)
    _same(classification_metrics(y, proba, k), _reference(y, proba, k))


def test_single_class_labels():
    y = np.zeros(10, dtype=int)
    proba = np.linspace(0, 1, 10)
    _same(classification_metrics(y, proba, 2), _reference(y, proba, 2))


@pytest.mark.parametrize("seed", range(10))
def test_regression_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=30)
    pred = y + rng.normal(scale=0.5, size=30)
    got = regression_metrics(y, pred)
    assert got["r2"] == pytest.approx(m.r2_score(y, pred), abs=1e-12)
    assert got["mae"] == pytest.approx(m.mean_absolute_error(y, pred), abs=1e-12)
    assert got["mse"] == pytest.approx(m.mean_squared_error(y, pred), abs=1e-12)
    const = np.ones(5)
    assert regression_metrics(const, const)["r2"] == m.r2_score(const, const)
    assert regression_metrics(const, const + 1)["r2"] == m.r2_score(const, const + 1)
