"""Verdicts on logs written by the real tools (fixtures made by running them)."""

from pathlib import Path

import pytest

import fitdoctor as fd

FX = Path(__file__).resolve().parents[1] / "fixtures"


def top_codes(path):
    return [fd.diagnose(r).top.code for r in fd.read_runs(path)]


@pytest.mark.parametrize("path,expected", [
    ("console/keras3_v1_chance_pty.log", ["chance_level"]),  # 3 random classes, Keras verbose=1
    # 6 epochs, val_loss better at each of the last 3 (0.118 -> 0.084 -> 0.066 -> 0.056, the last
    # by 15%): stopped while still improving, the usual verdict of a short run (LABELS.md)
    ("console/lightning_tqdm.log", ["still_improving"]),
    # the demo's stuck run (fitdoctor's own trainer, unscaled inputs) read from history.csv
    # alone: val accuracy frozen at the majority rate, flipping class for one epoch
    ("trainer/stuck_history.csv", ["chance_level"]),              # val acc 0.99: not a constant predictor
    ("console/keras3_v1_diverge_pty.log", ["non_finite"]),
    ("lightning/nan", ["non_finite"]),
    ("huggingface/nan", ["non_finite"]),
    ("mlflow/sqlite", ["non_finite", "non_finite", "still_improving"]),
])
def test_verdicts_on_real_logs(path, expected):
    assert sorted(top_codes(FX / path)) == sorted(expected)


def test_same_run_same_verdict_in_both_mlflow_stores():
    assert top_codes(FX / "mlflow/sqlite") == top_codes(FX / "mlflow/filestore")


def test_hf_best_checkpoint_by_the_metric_the_trainer_selected_on():
    d = fd.diagnose(fd.read(FX / "huggingface/unsaved"))
    assert d.summary["selected_by"] == "val_accuracy"
    assert d.summary["keep_checkpoint"] == "checkpoint-120"
    assert "step 105" in d.summary["keep"] and "save_steps" in d.summary["keep"]


def test_notebook_gives_one_verdict_per_training_in_order():
    runs = fd.read_runs(FX / "notebook/three_trainings.ipynb")
    assert len(runs) == 3
    assert "chance_level" in [fd.diagnose(r).top.code for r in runs]
