"""MLflow reader on stores written by a real mlflow 3.17 client (file store and SQLite).

The fixtures come from benchmarks/fixtures/make_mlflow_fixtures.py: the same three runs
(baseline, nan-lr, inf-val) logged to both stores, and one run logged per step (steplog/).
"""

import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fitdoctor.errors import BadInput
from fitdoctor.io import read_runs
from fitdoctor.io.mlflow import MLflowReader, read_file_store

MF = Path(__file__).parent.parent / "fixtures" / "mlflow"
DB = MF / "sqlite" / "mlflow.db"
NAMES = ["baseline", "nan-lr", "inf-val"]


@pytest.fixture(scope="module")
def file_runs():
    return read_runs(MF / "filestore")


@pytest.fixture(scope="module")
def db_runs():
    return read_runs(DB)


def test_runs_in_start_order(file_runs, db_runs):
    for runs in (file_runs, db_runs):
        assert [r.meta["run"] for r in runs] == NAMES
        assert {r.meta["format"] for r in runs} == {"mlflow"}
        assert {r.meta["experiment"] for r in runs} == {"fitdoctor-fixtures"}
        assert {r.meta["status"] for r in runs} == {"FINISHED"}
        assert runs[0].meta["params"] == {"lr": "0.5", "epochs": "12"}
        assert runs[0].meta["tags"] == {"model": "logreg"}
        assert len(runs[0].meta["run_id"]) == 32


def test_baseline_values(file_runs):
    run = file_runs[0]
    assert run.axis == "epoch"
    assert set(run.series) == {"loss", "val_loss", "accuracy", "val_accuracy", "lr", "grad_norm/dense"}
    loss = run.series["loss"]
    np.testing.assert_array_equal(loss.steps, np.arange(12))
    assert loss.values[0] == pytest.approx(math.log(2))
    assert loss.values[-1] == pytest.approx(0.41, abs=5e-3)
    assert run.series["val_accuracy"].values[-1] == pytest.approx(0.87)
    # a '/' key is a nested folder in the file store; probe paths keep their name
    assert (Path(run.meta["source"]) / "metrics" / "grad_norm" / "dense").is_file()
    assert run.series["grad_norm/dense"].raw_name == "grad_norm/dense"


def test_file_store_and_sqlite_agree(file_runs, db_runs):
    for a, b in zip(file_runs, db_runs, strict=True):
        assert set(a.series) == set(b.series)
        for name in a.series:
            np.testing.assert_array_equal(a.series[name].steps, b.series[name].steps)
            np.testing.assert_array_equal(a.series[name].values, b.series[name].values)


def test_nan_and_inf(file_runs, db_runs):
    for runs in (file_runs, db_runs):
        nan_run, inf_run = runs[1], runs[2]
        loss = nan_run.series["loss"].values
        assert np.isfinite(loss[:5]).all() and np.isnan(loss[5:]).all()
        val = nan_run.series["val_loss"].values
        assert val[4] == math.inf and np.isnan(val[5:]).all()
        np.testing.assert_allclose(nan_run.series["lr"].values, 10.0 * 3.0 ** np.arange(8))
        v = inf_run.series["val_loss"].values
        assert np.isfinite(v[:3]).all() and (v[3:] == math.inf).all()
        assert np.isfinite(inf_run.series["loss"].values).all()
    # the SQLite store really keeps NaN as a flag and inf clipped to the largest float
    con = sqlite3.connect(DB)
    flags = con.execute("SELECT value, is_nan FROM metrics WHERE key='loss' AND is_nan=1").fetchall()
    clipped = con.execute("SELECT count(*) FROM metrics WHERE value >= 1.7976931348623157e308").fetchone()
    con.close()
    assert flags and all(v == 0.0 for v, _ in flags)
    assert clipped[0] == 8
    assert "read as inf" in db_runs[2].meta["notes"][0] and "7 value(s)" in db_runs[2].meta["notes"][0]


def test_directory_forms():
    store = MF / "filestore" / "mlruns"
    exp = next(d for d in store.iterdir() if d.is_dir() and d.name not in ("0", ".trash"))
    assert [r.meta["run"] for r in read_runs(store)] == NAMES
    assert [r.meta["run"] for r in read_runs(exp)] == NAMES
    one = read_runs(next(d for d in exp.iterdir() if d.is_dir()))
    assert len(one) == 1 and one[0].meta["run"] in NAMES
    assert [r.meta["run"] for r in read_runs(MF / "sqlite")] == NAMES


def _make_run(root: Path, run_id: str, lines: dict[str, str], *, name="r", stage="active", start=1):
    d = root / "mlruns" / "1" / run_id
    (d / "metrics").mkdir(parents=True)
    (root / "mlruns" / "1" / "meta.yaml").write_text("experiment_id: '1'\nname: exp\n")
    (d / "meta.yaml").write_text(f"run_id: {run_id}\nrun_name: {name}\nstatus: 4\n"
                                 f"lifecycle_stage: {stage}\nstart_time: {start}\n")
    for key, text in lines.items():
        f = d / "metrics" / key
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return d


def test_unstepped_relogged_legacy_and_deleted(tmp_path):
    _make_run(tmp_path, "a" * 32, {
        "loss": "100 0.9 0\n200 0.8 0\n300 0.7 0\n",          # no step given: all at 0
        "val_loss": "100 0.95 0\n150 0.99 1\n250 0.85 1\n",    # step 1 logged twice
        "acc": "100 0.5\n200 0.6\n",                             # old 2-field lines
        "bad": "garbage line here x y\n",
    }, name="first", start=5)
    _make_run(tmp_path, "b" * 32, {"loss": "1 0.5 0\n"}, name="gone", stage="deleted")
    runs = read_file_store(tmp_path)
    assert [r.meta["run"] for r in runs] == ["first"]
    r = runs[0]
    assert r.meta["status"] == "FAILED"
    np.testing.assert_array_equal(r.series["loss"].steps, [0, 1, 2])
    np.testing.assert_allclose(r.series["loss"].values, [0.9, 0.8, 0.7])
    np.testing.assert_allclose(r.series["val_loss"].values, [0.95, 0.85])
    np.testing.assert_allclose(r.series["accuracy"].values, [0.5, 0.6])
    notes = " ".join(r.meta["notes"])
    assert "without steps" in notes and "more than once" in notes
    assert "malformed" in notes and "1 deleted run(s) skipped" in notes


def test_per_step_train_loss_stays_on_the_step_axis():
    """train_loss at every global step (1..40), val at each epoch's last step: a step log.

    Written by a real mlflow client (make_mlflow_fixtures.py --only steplog); the train loss
    alone is consecutive from 1, which once put every series on the epoch axis."""
    (run,) = read_runs(MF / "steplog")
    assert run.meta["run"] == "per-step" and run.axis == "step"
    np.testing.assert_array_equal(run.series["loss"].steps, np.arange(1, 41))
    np.testing.assert_array_equal(run.series["val_loss"].steps, [10, 20, 30, 40])
    assert {s.axis for s in run.series.values()} == {"step"}
    assert run.series["val_loss"].values[-1] < run.series["val_loss"].values[0]


def test_sniff():
    assert MLflowReader.sniff(DB, DB.read_bytes()[:8192]) == 0.95
    assert MLflowReader.sniff(MF / "filestore", b"") == 0.97
    assert MLflowReader.sniff(MF / "sqlite", b"") == 0.97


def test_other_sqlite_db_is_not_mlflow(tmp_path):
    p = tmp_path / "optuna.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE trials (trial_id INTEGER, value REAL)")
    con.commit()
    con.close()
    assert MLflowReader.sniff(p, p.read_bytes()[:8192]) == 0.0
    with pytest.raises(BadInput, match="without MLflow's tables"):
        MLflowReader().read(p)


@pytest.mark.parametrize("make, match", [
    (lambda p: p.write_bytes(b""), "not an SQLite database"),
    (lambda p: p.write_text("epoch,loss\n0,1\n"), "not an SQLite database"),
    (lambda p: p.write_bytes(DB.read_bytes()[:3000]), "SQLite"),
])
def test_bad_db_files(tmp_path, make, match):
    p = tmp_path / "mlflow.db"
    make(p)
    with pytest.raises(BadInput, match=match):
        MLflowReader().read(p)


def test_copied_db_without_runs(tmp_path):
    p = tmp_path / "mlflow.db"
    shutil.copy(DB, p)
    con = sqlite3.connect(p)
    con.execute("DELETE FROM metrics")
    con.commit()
    con.close()
    with pytest.raises(BadInput, match="no runs with metrics"):
        MLflowReader().read(p)


def test_empty_dir(tmp_path):
    assert MLflowReader.sniff(tmp_path, b"") == 0.0
    with pytest.raises(BadInput, match="no MLflow runs"):
        MLflowReader().read(tmp_path)


@pytest.mark.parametrize("target", [MF / "filestore", DB])
def test_cli_diagnoses_fixture(target):
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "diagnose", str(target)],
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    assert "nan-lr" in r.stdout and "inf-val" in r.stdout


def test_store_with_tensorboard_artifacts_is_read_as_mlflow(tmp_path):
    # autologging keeps TensorBoard event files as run artifacts inside the store
    from torch.utils.tensorboard import SummaryWriter

    store = tmp_path / "filestore"
    shutil.copytree(MF / "filestore", store)
    run_dir = next(p.parent for p in store.rglob("meta.yaml") if (p.parent / "metrics").is_dir())
    w = SummaryWriter(str(run_dir / "artifacts" / "tensorboard_logs"))
    w.add_scalar("loss", 0.5, 0)
    w.close()
    runs = read_runs(store)
    assert [r.meta["run"] for r in runs] == NAMES
