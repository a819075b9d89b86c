"""``fitdoctor check-data`` as a user runs it: findings, JSON, exit codes, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd


def run(*args):
    return subprocess.run([sys.executable, "-m", "fitdoctor.cli", "check-data", *args],
                          capture_output=True, text=True)


def test_table_with_problems_prints_findings_and_exits_0(fixtures):
    r = run(str(fixtures / "data" / "churn.csv"), "--target", "churned")
    assert r.returncode == 0, r.stderr
    assert "missing_values" in r.stdout and "unscaled_features" in r.stdout
    assert "fix 1" in r.stdout and "240 rows" in r.stdout


def test_json_and_fail_on(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.where(np.arange(300) < 270, "ok", "fraud")  # 10% minority, sorted to the end
    p = tmp_path / "tx.csv"
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "label": y}).to_csv(p, index=False)
    r = run(str(p), "--json", "--fail-on", "warning")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["dataset"]["class_counts"] == {"fraud": 30, "ok": 270}
    assert out["split"] == {"fold": 0, "repeat": 0, "train": 180, "val": 60, "test": 60}
    got = {f["code"] for f in out["findings"]}
    assert {"class_imbalance", "misleading_accuracy", "sorted_validation_split"} <= got
    assert "unscaled_features" not in got
    r = run(str(p), "--json", "--fail-on", "error")
    assert r.returncode == 0, r.stderr


def test_clean_bundled_data_and_config_file(tmp_path):
    r = run("make_moons:n_samples=400,noise=0.2,seed=0")
    assert r.returncode == 0 and "no data problems found" in r.stdout, r.stdout + r.stderr
    cfg = tmp_path / "config.yaml"
    cfg.write_text("data:\n  source: sklearn:iris\n  scale: standard\n  split: {shuffle: false}\n")
    r = run(str(cfg), "--json")
    assert r.returncode == 0, r.stderr
    found = {f["code"]: f for f in json.loads(r.stdout)["findings"]}
    assert found["sorted_validation_split"]["severity"] == "error"  # the config's own split is unshuffled
    assert found["unscaled_features"]["severity"] == "info"  # the pipeline standardizes


def test_bad_input_exits_2_with_one_line(tmp_path, fixtures):
    for args, expected in [
        (["missing.csv"], "no such file"),
        ([str(fixtures / "data" / "churn.csv"), "--target", "churn"], "did you mean 'churned'"),
        (["sklearn:iris", "--val-split", "2"], "--val-split 2.0"),
        (["sklearn:iris", "--fail-on", "info"], "expected 'warning' or 'error'"),
    ]:
        r = run(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0] and "Traceback" not in r.stderr


def test_an_id_column_is_flagged_as_such(fixtures, tmp_path):
    df = pd.read_csv(fixtures / "data" / "churn.csv")
    df.insert(0, "customer_id", np.arange(100001, 100001 + len(df)))
    p = tmp_path / "churn_with_ids.csv"
    df.to_csv(p, index=False)
    r = run(str(p), "--target", "churned", "--json")
    assert r.returncode == 0, r.stderr
    found = {f["code"]: f for f in json.loads(r.stdout)["findings"]}
    assert found["id_like_feature"]["evidence"]["feature"] == "customer_id"
    assert found["id_like_feature"]["severity"] == "warning"
    # the id is not what makes the features 'unscaled': that finding names a real column
    assert found["unscaled_features"]["evidence"]["largest_std_feature"] == "total_charges"
    r = run(str(p), "--target", "churned")
    assert "'customer_id' looks like a row identifier" in r.stdout
