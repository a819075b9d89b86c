"""Metric streams shared by the live-integration tests: one point per epoch, canonical names."""

from __future__ import annotations

import numpy as np


def overfitting(n: int = 30) -> list[dict[str, float]]:
    x = np.arange(n, dtype=float)
    loss = 1.0 * np.exp(-x / 6) + 0.02
    val = 0.9 * np.exp(-x / 5) + 0.3 + 0.02 * np.clip(x - 8, 0, None)
    acc = 1 - loss / 2
    vacc = 0.85 - 0.003 * np.clip(x - 8, 0, None)
    return [{"loss": loss[i], "val_loss": val[i], "accuracy": acc[i], "val_accuracy": vacc[i]}
            for i in range(n)]


def chance(n: int = 15, seed: int = 0) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    return [{"loss": 0.6931 + 0.003 * rng.standard_normal(), "val_loss": 0.6935 + 0.003 * rng.standard_normal(),
             "accuracy": 0.5 + 0.01 * rng.standard_normal(), "val_accuracy": 0.5 + 0.01 * rng.standard_normal()}
            for _ in range(n)]


def nan_at(k: int = 6, n: int = 10) -> list[dict[str, float]]:
    out = []
    for i in range(n):
        v = 1.0 / (1 + i) + 0.1 if i < k else float("nan")
        out.append({"loss": v, "val_loss": v + 0.05 if i < k else float("nan")})
    return out


def diverging(n: int = 14, onset: int = 6) -> list[dict[str, float]]:
    out = []
    for i in range(n):
        v = 1.0 / (1 + i) + 0.2 if i < onset else (1.0 / (1 + onset) + 0.2) * 1.6 ** (i - onset + 1)
        out.append({"loss": v, "val_loss": v * 1.1})
    return out
