"""Tiny standardized datasets for the trainer tests (generated, no downloads)."""

from __future__ import annotations

import numpy as np


def binary(n: int = 200, d: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
    return X[: n * 3 // 4], y[: n * 3 // 4], X[n * 3 // 4:], y[n * 3 // 4:]


def multiclass(n: int = 240, d: int = 5, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5]).astype(np.int64)
    return X[:180], y[:180], X[180:], y[180:]


def regression(n: int = 200, d: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (2 * X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=n)).astype(np.float32)
    return X[:150], y[:150], X[150:], y[150:]
