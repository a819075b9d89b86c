"""The repair benchmark's test-score judge over training seeds: a prescription equal to the
config as given gains nothing, and a clear repair is found beyond noise on both its sources."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="the repair benchmark trains with the train extra (torch)")


def test_the_seed_judge_calls_no_change_no_gain_and_a_repair_a_gain(load_benchmark):
    from fitdoctor.config import load_config
    from fitdoctor.data import load_dataset

    bench = load_benchmark("bench_doctor")
    broken = load_config(bench._cfg(bench.WINE, train={"optimizer": "sgd", "lr": 1e-5, "epochs": 5}))
    fixed = load_config(bench._cfg(bench.WINE, train={"optimizer": "sgd", "lr": 0.05, "epochs": 5}))
    ds = load_dataset(broken.data)
    same = bench.seed_test_gain("accuracy", "multiclass", broken, broken, ds, 2)
    assert same["gain"] == 0 and same["p_not_better"] == 1.0 and same["fits"] == 2
    better = bench.seed_test_gain("accuracy", "multiclass", broken, fixed, ds, 2)
    assert len(better["first_per_seed"]) == 2 and better["gain"] > 0.2 and better["p_not_better"] < 0.05
