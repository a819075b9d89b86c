"""The Ray Tune backend on a local Ray instance: the same config and space, OptunaSearch + ASHA,
the winner refit and tested once. Skips (with the reason) where the ray extra is missing."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")
pytest.importorskip("optuna", reason="fitdoctor tune needs the tune extra (optuna)")
pytest.importorskip("ray.tune", reason="the Ray backend needs the ray extra: pip install 'fitdoctor[ray]' "
                                       "(make test installs it when it can)")

import fitdoctor as fd
from fitdoctor.errors import BadInput
from tests.tune._cfg import KFOLD, cfg


@pytest.mark.slow
def test_ray_backend_small_real_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FITDOCTOR_RAY_CPUS", "2")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    r = fd.tune(cfg(KFOLD, pruning={"warmup_epochs": 1, "startup_trials": 2}), trials=4, out=tmp_path / "run",
                backend="ray")
    assert r.backend == "ray" and r.unit == "fold" and r.n_units == 3
    assert r.trials["total"] == 4 and r.trials["failed"] == 0
    assert r.trials["complete"] >= 1                      # ASHA keeps the rung's best: it runs to the end
    best = r.best
    assert best is not None and len(best.scores) == 3
    assert best.value == pytest.approx(sum(best.scores.values()) / 3)
    assert set(best.params) == {"train.lr", "model.width", "model.dropout_rate"}   # the config's space
    assert r.test is not None and "logistic" in r.final["baselines"]              # test once, at the end
    saved = json.loads((tmp_path / "run" / "tune.json").read_text())
    assert saved["backend"] == "ray" and saved["best"]["number"] == best.number
    assert (tmp_path / "run" / "ray").is_dir()


def test_ray_backend_takes_no_optuna_storage(tmp_path):
    with pytest.raises(BadInput, match="--storage is for the optuna backend"):
        fd.tune(cfg(KFOLD), trials=1, out=tmp_path / "run", backend="ray", storage="journal")
