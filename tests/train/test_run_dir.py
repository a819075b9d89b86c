import csv
import json
import os

import numpy as np
import pytest
import torch

import fitdoctor as fd
from fitdoctor.train.experiment import run_experiment
from fitdoctor.train.model import build_model
from fitdoctor.train.run_dir import atomic_write, write_run_dir

CFG = {"data": {"source": "sklearn:breast_cancer"}, "model": {"hidden": [8]},
       "train": {"epochs": 4, "early_stopping": False}}


@pytest.fixture(scope="module")
def exp():
    return run_experiment(CFG)


def test_a_folder_of_run_dirs_reads_one_run_per_dir(tmp_path, exp):
    """``fitdoctor-runs/`` after two ``train`` runs: each run folder is one run, read by its own
    reader (its history.csv and probes.csv are parts of it, never runs of their own; probes.csv
    alone once made the whole folder fail with 'only one epoch of values')."""
    for name in ("a", "b"):
        write_run_dir(tmp_path / "runs" / name, exp, report=False)
    runs = fd.read_runs(tmp_path / "runs")
    assert sorted(r.meta["run"].split("/")[0] for r in runs) == ["a", "b"]
    assert {r.meta["format"] for r in runs} == {"fitdoctor-run"}
    assert all(fd.diagnose(r).codes == exp.diagnoses[0].codes for r in runs)


def test_run_dir_contents(tmp_path, exp):
    out = tmp_path / "run"
    w = write_run_dir(out, exp, report=False)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["config.yaml", "diagnosis.json", "history.csv", "meta.json", "model.pt", "probes.csv"]
    assert w["files"][:3] == ["config.yaml", "history.csv", "probes.csv"]
    rows = list(csv.DictReader(open(out / "history.csv")))
    assert len(rows) == 4 and {"epoch", "loss", "val_loss", "val_accuracy", "lr"} <= set(rows[0])
    assert rows[0]["epoch"] == "0"
    probes = list(csv.DictReader(open(out / "probes.csv")))
    assert probes and "grad_norm/dense_0" in probes[0] and "update_ratio/output" in probes[0]
    d = json.loads((out / "diagnosis.json").read_text())
    assert d["summary"]["scores"]["test"]["accuracy"] > 0.5
    assert set(d["summary"]["scores"]["baselines"]) == {"majority", "logistic", "hist_gradient_boosting"}
    # history.csv alone reads back as a Keras-style log
    h = fd.read(str(out / "history.csv"))
    assert "val_loss" in h.series
    # the whole directory reads back as the run the trainer diagnosed: same meta, probes, verdict
    (back,) = fd.read_runs(str(out))
    assert back.meta["format"] == "fitdoctor-run"
    assert back.meta["class_prior"] == pytest.approx(exp.runs[0].history.meta["class_prior"])
    assert np.array_equal(back.series["grad_norm/dense_0"].values,
                          exp.runs[0].history.series["grad_norm/dense_0"].values)
    # the data checks and the baseline comparison are in meta.json: the verdict is the trainer's own
    assert fd.diagnose(back).codes == exp.diagnoses[0].codes
    assert {f.code for f in exp.data_findings} <= set(fd.diagnose(back).codes)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


def test_model_pt_loads_weights_only(tmp_path, exp):
    write_run_dir(tmp_path, exp, report=False)
    state = torch.load(tmp_path / "model.pt", weights_only=True)
    model = build_model(exp.config.model, 30, 1)
    model.load_state_dict(state)
    X = torch.zeros(2, 30)
    assert torch.equal(model.eval()(X), exp.final.model.eval()(X))


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old")

    def boom(fh):
        fh.write("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["x.txt"]


def test_experiment_protocol_holdout(exp):
    assert exp.cv is None and len(exp.runs) == 1 and exp.final is exp.runs[0]
    n = exp.dataset.n_samples
    # test scored once on the held-out rows, baselines beside it on the same rows
    assert exp.test is not None and 0 <= exp.test["accuracy"] <= 1
    maj = exp.baselines["majority"]["test"]["accuracy"]
    assert maj == pytest.approx(max(np.mean(exp.dataset.y[:] == 1), np.mean(exp.dataset.y == 0)), abs=0.05)
    assert n == 569


def test_experiment_kfold_refits_on_train_and_val():
    cfg = {"data": {"source": "sklearn:iris", "split": {"method": "kfold", "k": 3}},
           "model": {"hidden": [8]}, "train": {"epochs": 6, "lr": 0.01}}
    e = run_experiment(cfg)
    assert len(e.runs) == 3 and e.final not in e.runs
    assert e.cv["metric"] == "accuracy" and len(e.cv["folds"]) == 3
    assert e.cv["mean"] == pytest.approx(np.mean(e.cv["folds"]))
    best = [r.best_epoch + 1 for r in e.runs]
    assert e.final.epochs_run == max(1, int(np.median(best)))
    assert "val_loss" not in e.final.history.series  # the refit has no validation rows
    assert e.final.history.meta["class_prior"] is not None
    assert "val_std" in e.baselines["logistic"] and "test" in e.baselines["logistic"]


def test_kfold_run_dir_reads_back_one_run_per_fold(tmp_path):
    cfg = {"data": {"source": "sklearn:iris", "split": {"method": "kfold", "k": 3}},
           "model": {"hidden": [8]}, "train": {"epochs": 3, "lr": 0.01}}
    e = run_experiment(cfg)
    write_run_dir(tmp_path, e, report=False)
    runs = fd.read_runs(str(tmp_path))
    assert len(runs) == 3 and all(r.meta["n_classes"] == 3 for r in runs)
    assert [len(r.series["val_loss"]) for r in runs] == [len(x.history.series["val_loss"]) for x in e.runs]


def test_refit_epochs_follow_what_the_folds_trained():
    from types import SimpleNamespace as NS

    from fitdoctor.config import load_config
    from fitdoctor.train.experiment import refit_epochs

    runs = [NS(best_epoch=b, epochs_run=b + 6) for b in (3, 7, 9)]
    cfg = lambda es: load_config({"data": {"source": "sklearn:iris"}, "train": {"epochs": 40, "early_stopping": es}}).train  # noqa: E731
    assert refit_epochs(cfg({"patience": 5}), runs) == 8
    assert refit_epochs(cfg({"patience": 5, "restore_best": False}), runs) == 13
    assert refit_epochs(cfg(False), runs) == 40


def test_arguments_in_the_wrong_order_are_named(tmp_path, exp):
    with pytest.raises(fd.BadInput, match="expected the folder first"):
        write_run_dir(exp, tmp_path / "run")
    assert not (tmp_path / "run").exists()
