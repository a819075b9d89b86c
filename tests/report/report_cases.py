"""Runs and diagnoses to build reports from (findings constructed, not left to the rules).

Shared by tests/report and tests/browser (imported as a plain module)."""

from __future__ import annotations

import numpy as np
import fitdoctor as fd
from fitdoctor.findings import Diagnosis, Finding, Remedy

XSS_NAME = "<script>alert(1)</script>"
XSS_PATH = '"><img src=x onerror=alert(1)>'


def overfit_history(n: int = 120, *, nan_at: int | None = None, probes: bool = True,
                    source: str = "runs/exp1/history.csv") -> fd.RunHistory:
    rng = np.random.default_rng(0)
    e = np.arange(n, dtype=float)
    loss = 2.0 * np.exp(-e / 15) + 0.05 + 0.01 * rng.standard_normal(n)
    val = 2.0 * np.exp(-e / 15) + 0.3 + np.clip(e - 40, 0, None) / 100 + 0.02 * rng.standard_normal(n)
    if nan_at is not None:
        loss[nan_at:] = np.nan
    h = fd.RunHistory(meta={"source": source, "format": "csv"})
    h.add("loss", e, loss)
    h.add("val_loss", e, val)
    h.add("accuracy", e, 1 - loss / 2.5)
    h.add("val_accuracy", e, 1 - val / 2.5)
    h.add("lr", e, 1e-3 * 0.97 ** e)
    if probes:
        for layer in ("dense_1", "dense_2"):
            h.add(f"grad_norm/{layer}", e, np.exp(-e / 50) + 0.01)
            h.add(f"dead_fraction/{layer}", e, np.linspace(0.1, 0.4, n))
    return h


def findings_for(h: fd.RunHistory) -> list[Finding]:
    return [
        Finding("overfitting", "warning", "val_loss rises after epoch 40 while loss keeps falling",
                span=(40.0, float(h.n_points - 1)), evidence={"best_at": 40, "rise": 0.8},
                explanation="the model memorises the training set",
                remedies=[Remedy("stop at the best epoch", {"train.early_stopping": {"patience": 5}}, "keeps best"),
                          Remedy("add dropout", {"model.dropout_rate": 0.3})]),
        Finding("plateau", "info", "loss flat", span=(90.0, 110.0)),
        Finding("non_finite", "error", "NaN in loss", span=(100.0, 100.0), evidence={"first": 100}),
        Finding("class_imbalance", "info", "no span here"),
    ]


def make_diagnosis(h: fd.RunHistory | None = None, findings: list[Finding] | None = None) -> Diagnosis:
    """A real diagnosis (rules + summary) whose findings are replaced by known ones."""
    h = h or overfit_history()
    d = fd.diagnose(h)
    d.findings = findings if findings is not None else findings_for(h)
    d.summary.setdefault("chance_loss", 2.302585)
    return d
