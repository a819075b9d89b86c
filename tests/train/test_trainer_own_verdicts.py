"""The trainer knows the prior, the scaling, the split and what simple baselines score: its own
runs get the verdicts a practitioner would give (issue: 'on the trainer's own runs')."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")

from fitdoctor.train.experiment import run_experiment


def _codes(cfg, seed=0):
    exp = run_experiment({**cfg, "train": {**cfg["train"], "seed": seed}})
    return [f.code for f in exp.diagnosis.findings if f.severity != "info"]


def test_a_shuffled_split_of_label_sorted_iris_is_not_a_sorted_validation_split():
    codes = _codes({"data": {"source": "sklearn:iris"}, "model": {"hidden": [16]},
                    "train": {"epochs": 30, "lr": 0.01}})
    assert "sorted_validation_split" not in codes


def test_class_weights_on_95_5_data_are_not_underfitting():
    codes = _codes({"data": {"source": "make_classification:n_samples=1200,weights=[0.95],seed=1"},
                    "model": {"hidden": [32]}, "train": {"epochs": 25, "class_weight": "balanced"}})
    assert "underfitting" not in codes and "chance_level" not in codes


def test_noisy_moons_at_the_level_of_the_baselines_is_not_underfitting():
    codes = _codes({"data": {"source": "make_moons:n_samples=600,noise=0.35,seed=0"},
                    "model": {"hidden": [32, 32]}, "train": {"epochs": 200, "early_stopping": {"patience": 10}}})
    assert "underfitting" not in codes
