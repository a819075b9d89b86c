"""A sweep's output folder whose runs were logged by different tools: every run is found."""

import shutil
from pathlib import Path

import fitdoctor as fd

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def test_sweep_mixing_tensorboard_and_csvlogger_runs_reads_each_run_folder(tmp_path):
    shutil.copytree(FIX / "tensorboard" / "torch_run", tmp_path / "sweep" / "run_tb")
    (tmp_path / "sweep" / "run_keras").mkdir()
    shutil.copy(FIX / "console" / "keras3_healthy_csvlogger.csv", tmp_path / "sweep" / "run_keras" / "training.log")
    runs = fd.read_runs(tmp_path / "sweep")
    names = sorted(r.name for r in runs)
    assert len(runs) == 2, names
    assert names[0].startswith("run_keras") and names[1].startswith("run_tb")
    assert {r.meta["format"] for r in runs} == {"keras-csv", "tensorboard"}


def test_a_tensorboard_logdir_alone_is_still_one_reader(tmp_path):
    shutil.copytree(FIX / "tensorboard" / "torch_run", tmp_path / "runs" / "a")
    shutil.copytree(FIX / "tensorboard" / "torch_run", tmp_path / "runs" / "b")
    runs = fd.read_runs(tmp_path / "runs")
    assert {r.meta["format"] for r in runs} == {"tensorboard"} and len(runs) == 2
