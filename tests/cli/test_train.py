"""``fitdoctor train`` as a user runs it, for all three tasks and both split protocols."""

import json
import subprocess
import sys

import pytest
import torch
from typer.testing import CliRunner

from fitdoctor.cli import app


def _yaml(path, source, split, extra=""):
    path.write_text(f"""data:
  source: {source}
  split: {split}
{extra}model:
  hidden: [8]
train:
  epochs: 5
  lr: 0.01
""")
    return path


@pytest.fixture
def diabetes_csv(tmp_path):
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    p = tmp_path / "diabetes.csv"
    rows = ["age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression"]
    rows += [",".join(f"{v:.6f}" for v in r) + f",{t:.1f}" for r, t in zip(X, y)]
    p.write_text("\n".join(rows) + "\n")
    return p


@pytest.mark.parametrize("case", ["binary-holdout", "multiclass-kfold", "regression-csv-holdout",
                                  "regression-csv-kfold"])
def test_train_json(tmp_path, diabetes_csv, case):
    if case == "binary-holdout":
        cfg = _yaml(tmp_path / "c.yaml", "sklearn:breast_cancer", "{method: holdout}")
    elif case == "multiclass-kfold":
        cfg = _yaml(tmp_path / "c.yaml", "sklearn:wine", "{method: kfold, k: 3}")
    else:
        split = "{method: kfold, k: 3}" if case.endswith("kfold") else "{method: holdout}"
        cfg = _yaml(tmp_path / "c.yaml", str(diabetes_csv), split, "  target: progression\n")
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["train", str(cfg), "--out", str(out), "--json", "--no-report"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    scores = payload["scores"]
    task = case.split("-")[0]
    assert scores["primary"] == ("r2" if task == "regression" else "accuracy")
    assert set(scores["test"]) >= ({"r2", "mae"} if task == "regression" else {"accuracy", "f1", "auc"})
    if case.endswith("kfold"):
        assert len(payload["runs"]) == 3 and scores["cv"]["std"] >= 0
        assert (out / "folds" / "fold_3" / "history.csv").exists()
    else:
        assert payload["diagnosis"]["findings"] is not None and scores["cv"] is None
    for name in ("config.yaml", "history.csv", "probes.csv", "diagnosis.json", "model.pt"):
        assert (out / name).exists(), name
    state = torch.load(out / "model.pt", weights_only=True)
    assert state["blocks.0.linear.weight"].shape[0] == 8
    if task == "multiclass":
        assert state["output.weight"].shape[0] == 3


def test_train_terminal_output_has_progress_diagnosis_and_baselines(tmp_path):
    cfg = _yaml(tmp_path / "c.yaml", "sklearn:breast_cancer", "{method: holdout}")
    r = CliRunner().invoke(app, ["train", str(cfg), "--out", str(tmp_path / "o"), "--no-report"])
    assert r.exit_code == 0, r.output
    for text in ("holdout", "5/5", "majority", "logistic", "hist gradient boosting", "test accuracy",
                 "run directory"):
        assert text in r.output, text


def test_train_bad_config_is_one_line_exit_2(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("data: {source: sklearn:iris}\ntrain: {optimiser: adam}\n")
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "train", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "optimiser" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_train_stops_on_nan_and_reports_non_finite(tmp_path):
    cfg = tmp_path / "nan.yaml"
    cfg.write_text("data: {source: 'sklearn:diabetes', scale: standard}\nmodel: {hidden: [8], dropout_rate: 0.0}\n"
                   "train: {optimizer: sgd, lr: 0.1, epochs: 30, early_stopping: false}\n")
    r = CliRunner().invoke(app, ["train", str(cfg), "--out", str(tmp_path / "o"), "--json", "--no-report"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["scores"]["stopped"] == ["non_finite"]
    first = payload["diagnosis"]["findings"][0]
    assert first["code"] == "non_finite" and first["severity"] == "error"
    assert (tmp_path / "o" / "model.pt").exists()
