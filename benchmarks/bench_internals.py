"""Planted internals faults: is each one detected with the right code, and a healthy run clean?

    python benchmarks/bench_internals.py

Each plant trains the built-in trainer's MLP on breast_cancer (569 rows) for a few
epochs with probes on, then diagnoses the run. A well-configured run must flag none
of the internals codes.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

INTERNALS = ("vanishing_gradients", "exploding_gradients", "dead_relu", "saturated_activations")


def data(scaled: bool = True):
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    X, y = X[order].astype(np.float32), y[order]
    tr, va = slice(0, 400), slice(400, None)
    if scaled:
        sc = StandardScaler().fit(X[tr])
        X = sc.transform(X).astype(np.float32)
    return X[tr], y[tr], X[va], y[va]


def negative_bias(model) -> None:
    """Push every hidden ReLU unit below zero from the start."""
    with torch.no_grad():
        for b in model.blocks:
            b.linear.bias.fill_(-5.0)


PLANTS = {
    # name: (expected code or None, model cfg, train cfg, scaled inputs, model hook)
    "healthy relu": (None, {"hidden": [64, 32], "activation": "relu", "dropout_rate": 0.3},
                     {"optimizer": "adam", "lr": 1e-3, "epochs": 20}, True, None),
    "healthy tanh": (None, {"hidden": [64, 32], "activation": "tanh", "dropout_rate": 0.0},
                     {"optimizer": "adam", "lr": 1e-3, "epochs": 20}, True, None),
    "healthy sgd": (None, {"hidden": [64, 32], "activation": "relu", "dropout_rate": 0.0},
                    {"optimizer": "momentum", "lr": 1e-2, "epochs": 20}, True, None),
    "10-layer sigmoid": ("vanishing_gradients", {"hidden": [32] * 10, "activation": "sigmoid", "dropout_rate": 0.0},
                         {"optimizer": "sgd", "lr": 1e-2, "epochs": 10}, True, None),
    "huge lr": ("exploding_gradients", {"hidden": [64, 32], "activation": "relu", "dropout_rate": 0.0},
                {"optimizer": "sgd", "lr": 5.0, "epochs": 10}, True, None),
    "negative-bias init": ("dead_relu", {"hidden": [64, 32], "activation": "relu", "dropout_rate": 0.0},
                           {"optimizer": "adam", "lr": 1e-3, "epochs": 10}, True, negative_bias),
    "unscaled into tanh": ("saturated_activations", {"hidden": [64, 32], "activation": "tanh", "dropout_rate": 0.0},
                           {"optimizer": "adam", "lr": 1e-3, "epochs": 10}, False, None),
}


def run_plant(name: str, probe_every: int = 5):
    from fitdoctor import diagnose
    from fitdoctor.train.trainer import fit

    expected, mcfg, tcfg, scaled, hook = PLANTS[name]
    Xtr, ytr, Xva, yva = data(scaled)
    tcfg = {"batch_size": 32, "early_stopping": False, "seed": 0, **tcfg}
    res = fit(mcfg, tcfg, Xtr, ytr, Xva, yva, task="binary", n_classes=2, probe_every=probe_every,
              model_hook=hook, run_name=name)
    return expected, res, diagnose(res.history)


def main() -> int:
    ok = True
    print(f"{'plant':22s} {'expected':24s} {'internals codes found':45s} result")
    for name in PLANTS:
        t0 = time.perf_counter()
        expected, res, d = run_plant(name)
        found = [c for c in d.codes if c in INTERNALS]
        # A plant is detected when its code is the first internals finding; a consequence
        # (ReLUs killed by an explosion) may follow it.
        good = (found[:1] == [expected]) if expected else not found
        ok &= good
        print(f"{name:22s} {str(expected or '-'):24s} {', '.join(found) or '-':45s} "
              f"{'OK' if good else 'MISS'}  ({time.perf_counter() - t0:.1f}s; all codes: {', '.join(d.codes)})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
