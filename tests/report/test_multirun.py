"""Which run of a file of several a verdict leads with (report/multirun.py)."""

from __future__ import annotations

import json

import numpy as np

import fitdoctor as fd
from fitdoctor.report.multirun import leading_run, ranking_notes, rank_runs, replicate_majority


def _fold(overfits: bool, seed: int) -> dict[str, list[float]]:
    rng = np.random.default_rng(seed)
    e = np.arange(30)
    loss = 0.5 * np.exp(-e / 8) + 0.01 + rng.normal(0, 0.002, 30)
    val = 1.1 * loss + 0.02 + rng.normal(0, 0.002, 30)  # follows train down and settles
    if overfits:
        val = 0.3 * np.exp(-e / 5) + 0.1 + np.where(e > 12, 0.004 * (e - 12), 0.0)  # best near 12, then +60%
    return {"loss": loss.tolist(), "val_loss": val.tolist()}


def _diagnosed(tmp_path, names, overfits):
    path = tmp_path / "train_history.json"
    path.write_text(json.dumps({n: _fold(o, i) for i, (n, o) in enumerate(zip(names, overfits))}))
    return [fd.diagnose(r) for r in fd.read_runs(path)]


def test_folds_lead_with_the_verdict_most_of_them_share(tmp_path):
    """A 5-fold log whose folds 0-3 overfit and whose fold 4, the last, ended healthy: the folds
    are replicates of one setup, so the file's verdict is the majority's (it led with fold 4)."""
    ds = _diagnosed(tmp_path, ["0", "1", "2", "3", "4"], [True, True, True, True, False])
    assert [d.top.code if d.top else None for d in ds][-1] != "overfitting"
    lead = leading_run(ds)
    assert lead == 3 and ds[lead].top.code == "overfitting"
    assert replicate_majority(ds) == (3, "overfitting", 4)
    assert any("4 of 5 read overfitting" in n for n in ranking_notes(ds, rank_runs(ds)))


def test_runs_that_are_no_replicates_or_have_no_majority_lead_with_the_last(tmp_path):
    ds = _diagnosed(tmp_path, ["adam", "sgd", "rmsprop", "adamw", "lion"], [True, True, True, True, False])
    assert replicate_majority(ds) is None and leading_run(ds) == 4  # a sweep of settings: the last
    ds = _diagnosed(tmp_path, ["fold_1", "fold_2", "fold_3", "fold_4"], [True, True, False, False])
    assert replicate_majority(ds) is None and leading_run(ds) == 3  # 2 of 4 is no majority
