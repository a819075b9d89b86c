"""The trainer as a user meets it: headers that count epochs, a run directory that repeats
the trainer's verdict (diagnose and report), k-fold summarized across folds, and a baseline
that beats the network said out loud."""

import json
import re

import pytest
from typer.testing import CliRunner

import fitdoctor as fd
from fitdoctor.cli import app
from fitdoctor.config import load_config
from fitdoctor.train.experiment import run_experiment
from fitdoctor.train.run_dir import write_run_dir

pytestmark = pytest.mark.slow

# a network too small and too slow to learn in 3 epochs; logistic regression gets ~0.97
WEAK = {"data": {"source": "sklearn:breast_cancer", "split": {"method": "holdout", "seed": 0}},
        "model": {"hidden": [4], "dropout_rate": 0.0},
        "train": {"epochs": 3, "lr": 1e-5, "early_stopping": False}}
KFOLD = {"data": {"source": "sklearn:breast_cancer", "scale": "none",
                  "split": {"method": "kfold", "k": 3, "seed": 0}},
         "model": {"hidden": [8]}, "train": {"epochs": 4, "early_stopping": False}}


@pytest.fixture(scope="module")
def weak(tmp_path_factory):
    exp = run_experiment(WEAK, probe_every=2)
    out = tmp_path_factory.mktemp("weak") / "run"
    write_run_dir(out, exp, report=True)
    return exp, out


@pytest.fixture(scope="module")
def kfold(tmp_path_factory):
    exp = run_experiment(KFOLD)
    out = tmp_path_factory.mktemp("kfold") / "run"
    write_run_dir(out, exp, report=True)
    return exp, out


def test_the_trainer_says_when_logistic_regression_beats_the_network(weak):
    exp, _ = weak
    f = next(f for f in exp.diagnosis.findings if f.code == "below_baseline")
    assert f.severity == "warning" and f.evidence["baseline"] in ("logistic", "hist_gradient_boosting")
    assert f.evidence["baseline_score"] > f.evidence["network"]
    assert "on the test split, scored once" in f.message.lower()


def test_headers_count_epochs_not_probe_points(weak):
    exp, out = weak
    h = exp.runs[0].history
    assert len(h.series["grad_norm/dense_0"]) > 3  # probed more often than once an epoch
    r = CliRunner().invoke(app, ["diagnose", str(out)])
    assert r.exit_code == 0, r.output
    assert "(fitdoctor-run, 3 epochs)" in r.output


def test_the_run_directory_repeats_the_trainers_verdict(weak):
    exp, out = weak
    r = CliRunner().invoke(app, ["diagnose", str(out), "--json"])
    again = json.loads(r.stdout)
    assert [f["code"] for f in again["findings"]] == exp.diagnosis.codes
    assert "below_baseline" in exp.diagnosis.codes
    # the raw columns are unscaled, but data.scale (standard by default) handles it: check-data's
    # note, not a finding of the run (it stood first above a healthy verdict)
    assert "unscaled_features" not in exp.diagnosis.codes
    trained = json.loads((out / "diagnosis.json").read_text())
    assert [f["message"] for f in again["findings"]] == [f["message"] for f in trained["findings"]]


def test_probe_panels_are_drawn_on_the_epoch_axis(weak):
    from fitdoctor.report.figures import run_panels

    exp, _ = weak
    probe = [p for p in run_panels(exp.diagnosis, "r0") if p.kind == "probe"]
    assert probe
    for p in probe:
        assert p.figure["layout"]["xaxis"]["title"]["text"] == "epoch" and p.on_run_axis
        xs = [x for tr in p.figure["data"] for x in tr["x"] if x is not None]
        assert 0 <= min(xs) and max(xs) < 3  # steps of a 3-epoch run, as fractional epochs


def test_kfold_prints_one_table_not_a_block_per_fold(kfold, monkeypatch):
    exp, out = kfold
    monkeypatch.setenv("COLUMNS", "100")
    r = CliRunner().invoke(app, ["diagnose", str(out)])
    assert r.exit_code == 0, r.output
    text = r.output
    assert "findings across the 3 folds" in text and "fitdoctor · fold" not in text
    codes = {c for d in exp.diagnoses for c in d.codes}
    lines = text.splitlines()
    for code in codes:  # one row in the table, and its account once (healthy needs none)
        assert sum(1 for line in lines if f"│ {code} " in line) == 1, code
        heads = sum(1 for line in lines if re.match(rf"\d+\. [A-Z]+ {code}\b", line))
        assert heads == (0 if code == "healthy" else 1), code
    assert "unscaled_features" in codes  # scale: none -> a warning the folds share
    assert len(lines) < 60  # one account per finding; five folds of blocks ran past 100


def test_report_of_a_kfold_run_directory_has_the_band_and_the_baselines(kfold, tmp_path):
    exp, out = kfold
    target = tmp_path / "again.html"
    r = CliRunner().invoke(app, ["report", str(out), "-o", str(target)])
    assert r.exit_code == 0, r.output
    html = target.read_text()
    trainer_html = (out / "report.html").read_text()
    for page in (html, trainer_html):
        assert "k-fold: 3 folds" in page and "across 3 folds" in page
        assert "logistic" in page and "gradient boosting" in page


def test_fd_read_of_the_run_directory_keeps_what_the_verdict_needs(kfold):
    exp, out = kfold
    runs = fd.read_runs(str(out))
    assert len(runs) == 3
    for r in runs:
        assert r.meta["baseline_scores"]["folds"]["network"] == pytest.approx(
            [s["accuracy"] for s in exp.val_scores])
        assert any(f["code"] == "unscaled_features" for f in r.meta["data_findings"])


def test_kfold_markdown_is_one_table_across_folds(kfold):
    exp, out = kfold
    r = CliRunner().invoke(app, ["diagnose", str(out), "--markdown"])
    assert r.exit_code == 0, r.output
    rows = [line for line in r.output.splitlines() if line.startswith("| ") and "---" not in line]
    codes = {c for d in exp.diagnoses for c in d.codes}
    assert len(rows) == 1 + len(codes)  # a header, then each finding once
    assert all(re.search(r"\| \d/3 \(", row) for row in rows[1:])


def test_no_remedy_prescribes_what_the_config_already_does(tmp_path):
    """The demo's stuck run trains with Adam at 1e-3; 'or Adam at its usual lr 1e-3' is no
    fix for it, in the trainer's verdict or when its run directory is diagnosed again."""
    from importlib.resources import files

    cfg = load_config(str(files("fitdoctor") / "examples" / "demo_stuck.yaml"))
    assert cfg.train.optimizer == "adam" and cfg.train.lr == 1e-3
    exp = run_experiment(cfg)
    write_run_dir(tmp_path / "run", exp, report=False)
    again = fd.diagnose(fd.read(tmp_path / "run"))
    for d in (exp.diagnosis, again):
        assert d.findings[0].code == "chance_level"
        changes = [r.config_changes for f in d.findings for r in f.remedies]
        assert {"train.optimizer": "adam", "train.lr": 1e-3} not in changes
        assert {"data.scale": "standard"} in changes  # what it lacks is still prescribed
