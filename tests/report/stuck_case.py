"""The demo's stuck run, rebuilt without training: what the report must draw readably.

Epoch 0 scores 2907 on raw sensor readings, then the loss sits at the chance level 0.6365;
accuracy at the majority rate with baselines just apart (0.665 beside 0.6667, 0.88 beside
0.9); chance_level and dead_relu both start at epoch 0. Shared by tests/report and
tests/browser (imported as a plain module).
"""

from __future__ import annotations

import numpy as np

import fitdoctor as fd
from fitdoctor.findings import Diagnosis, Finding

BASELINES = {"accuracy": {"majority": 0.665, "logistic": 0.978022, "hist_gradient_boosting": 0.9561404}}


def stuck_history(n: int = 50) -> fd.RunHistory:
    rng = np.random.default_rng(0)
    e = np.arange(n, dtype=float)
    loss = 0.6365 + 0.03 * np.exp(-e / 20) + 0.002 * rng.standard_normal(n)
    loss[:4] = [2907.0, 17.3, 290.4, 30.2]
    val = loss + 0.001
    val[:4] = [2921.0, 17.9, 291.0, 30.5]
    acc = np.full(n, 0.6667)
    acc[3] = 0.34
    h = fd.RunHistory(meta={"source": "stuck", "run": "holdout", "format": "fitdoctor-trainer",
                            "task": "binary", "n_classes": 2, "class_prior": [0.6667, 0.3333],
                            "steps_per_epoch": 19})
    h.add("loss", e, loss)
    h.add("val_loss", e, val)
    h.add("accuracy", e, acc)
    h.add("val_accuracy", e, np.full(n, 0.665))
    for m in ("auc", "f1", "precision", "recall", "balanced_accuracy"):
        h.add(f"val_{m}", e, np.full(n, 0.5) + 0.01 * rng.standard_normal(n))
    h.add("lr", e, np.full(n, 1e-3))
    steps = np.arange(0, n * 19, 25, dtype=float)
    h.add("dead_fraction/dense_1", steps, np.linspace(0.1, 0.84, steps.size), axis="step")
    return h


def stuck_diagnosis() -> Diagnosis:
    h = stuck_history()
    d = fd.diagnose(h)
    d.findings = [
        Finding("chance_level", "error", "val_loss stays at the chance level 0.6365", span=(0.0, 49.0)),
        Finding("unscaled_features", "warning", "features are not scaled"),
        Finding("dead_relu", "warning", "84% of dense_1 is dead", span=(0.0, 48.0)),
        Finding("below_baseline", "warning", "logistic regression beats the network"),
    ]
    d.summary["chance_loss"] = 0.6365142
    d.summary["majority_rate"] = 0.6666667
    return d
