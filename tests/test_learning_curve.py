"""``fitdoctor learning-curve``: the demo's stuck run says more data will not help, a small-data
overfitting run says it will; the statistics behind the verdict and the forecast; the command
from the CLI and the Python API for binary, multiclass and regression configs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip("torch", reason="learning-curve needs the train extra (torch)")

import fitdoctor as fd  # noqa: E402
from fitdoctor.data import make_splits  # noqa: E402
from fitdoctor.data.dataset import Dataset  # noqa: E402
from fitdoctor.studies.learning_curve import (  # noqa: E402
    LearningCurveResult, default_sizes, fit_power_law, forecast, nested_order, trend_test)


def _small(source: str, *, epochs: int = 6, **data) -> dict:
    return {"data": {"source": source, "split": {"method": "holdout", "val": 0.25, "test": 0.2, "seed": 0}, **data},
            "model": {"hidden": [16], "dropout_rate": 0.0},
            "train": {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": epochs, "early_stopping": False}}


# ------------------------------------------------------------------ the opening story
def test_demo_stuck_run_says_more_data_will_not_help():
    """Raw unscaled pump sensors, stuck at chance: the pipeline is the problem, not the amount of data."""
    from fitdoctor.train.demo import demo_config

    cfg = demo_config()
    cfg = cfg.model_copy(update={"train": cfg.train.model_copy(update={"epochs": 8})})
    res = fd.learning_curve(cfg, seeds=2)
    assert res.verdict == "data_saturated"
    assert "needs_more_data" not in res.codes
    f = res.findings[0]
    assert f.evidence["kind"] == "chance"
    assert "more data will not help" in f.message and "pipeline" in f.message
    assert f.remedies[0].config_changes == {"data.scale": "standard"}
    # the report's size axis is labelled at the sizes trained (plotly's log ticks say "4" for 40)
    from fitdoctor.report.studies import learning_curve_panels

    xaxis = learning_curve_panels(res)[0].figure["layout"]["xaxis"]
    assert xaxis["tickvals"] == list(res.sizes) and xaxis["ticktext"] == [str(n) for n in res.sizes]


def test_small_data_overfitting_run_says_more_data_will_help():
    """600 rows of digits, a wide net without regularisation: train near 1.0, validation far
    below and still rising with every doubling."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    ds = Dataset(X=X[:600].astype(np.float32), y=y[:600].astype(np.int64), feature_names=[f"p{i}" for i in range(64)],
                 task="multiclass", n_classes=10, class_names=list(range(10)), source="digits[:600]")
    cfg = {"data": {"source": "digits", "split": {"val": 0.3, "test": 0.2, "seed": 0}},
           "model": {"hidden": [64], "dropout_rate": 0.0},
           "train": {"lr": 0.003, "epochs": 10, "early_stopping": False}}
    res = fd.learning_curve(cfg, dataset=ds, seeds=3)
    assert res.verdict == "needs_more_data", res.findings[0].message
    assert res.train_mean[0] - res.val_mean[0] > 0.15          # overfitting at small sizes
    assert res.val_mean[-1] > res.val_mean[0] + 0.1
    f = res.findings[0]
    assert f.evidence["gain_per_doubling"] > 0.005 and f.evidence["p"] < 0.05
    assert "more data will help" in f.message


# ------------------------------------------------------------------ all three tasks, API and CLI
@pytest.mark.parametrize("source,task,metric", [("make_moons:n_samples=240,noise=0.25,seed=0", "binary", "accuracy"),
                                                ("sklearn:iris", "multiclass", "accuracy"),
                                                ("sklearn:diabetes", "regression", "r2")])
def test_learning_curve_on_each_task(source, task, metric):
    res = fd.learning_curve(_small(source), seeds=2)
    assert isinstance(res, LearningCurveResult)
    assert res.meta["task"] == task and res.metric == metric
    assert res.verdict in ("needs_more_data", "data_saturated")
    assert len(res.sizes) >= 3 and res.sizes == sorted(res.sizes)
    assert all(len(v) == 2 for v in res.val_scores)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["findings"][0]["code"] == res.verdict
    assert {"code", "severity", "message", "evidence"} <= set(d["findings"][0])
    assert d["forecast"] is None or {"predicted", "low", "high", "observed", "covered"} <= set(d["forecast"])


def test_kfold_config_uses_its_folds_as_units():
    cfg = _small("sklearn:iris")
    cfg["data"]["split"] = {"method": "kfold", "k": 3, "test": 0.2, "seed": 0}
    res = fd.learning_curve(cfg)
    assert res.unit == "fold" and all(len(v) == 3 for v in res.val_scores)


def test_test_rows_are_never_read():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(320, 4)).astype(np.float32)
    y = (X[:, 0] + 0.5 * rng.normal(size=320) > 0).astype(np.int64)
    ds = Dataset(X=X, y=y, feature_names=list("abcd"), task="binary", n_classes=2, class_names=[0, 1], source="t")
    cfg = _small("t")
    ds.X[make_splits(ds, cfg["data"]["split"])[0].test] = np.nan
    res = fd.learning_curve(cfg, dataset=ds, seeds=2)
    assert all(math.isfinite(v) for v in res.val_mean)


@pytest.mark.parametrize("sizes, watched", [([16, 32, 64], "validation"), ([64, 96, 128], "held-out training rows")])
def test_early_stopping_watches_the_same_rows_at_every_size(sizes, watched):
    """Rows of its own for early stopping at every size, or the validation rows at every size
    when the smallest cannot spare 8: never a mix that flatters the small sizes."""
    cfg = _small("make_moons:n_samples=400,noise=0.3,seed=1")
    cfg["train"]["early_stopping"] = {"patience": 3}
    res = fd.learning_curve(cfg, seeds=2, sizes=sizes)
    assert res.meta["early_stopping_watched"] == watched


def test_cli_json_carries_findings_like_diagnose(tmp_path):
    from typer.testing import CliRunner

    from fitdoctor.cli import app

    p = tmp_path / "cfg.yaml"
    p.write_text("""data:
  source: sklearn:iris
model:
  hidden: [16]
  dropout_rate: 0.0
train:
  lr: 0.01
  batch_size: 16
  epochs: 5
  early_stopping: false
""")
    out = tmp_path / "lc"
    r = CliRunner().invoke(app, ["learning-curve", str(p), "--json", "--seeds", "2", "--sizes", "22,45,90",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["sizes"] == [22, 45, 90]
    assert d["findings"][0]["code"] in ("needs_more_data", "data_saturated")
    assert {"learning_curve.json", "learning_curve.csv"} <= set(d["files"]["files"])
    r = CliRunner().invoke(app, ["learning-curve", str(p), "--seeds", "2", "--sizes", "22,45,90"],
                           env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "val accuracy" in r.stdout and ("needs_more_data" in r.stdout or "data_saturated" in r.stdout)
    assert all(len(line) <= 80 for line in r.stdout.splitlines())


def test_cli_bad_sizes_is_one_line_exit_2(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "cfg.yaml"
    p.write_text("data:\n  source: sklearn:iris\n")
    for bad in ("10,x", "50,100,100000"):
        r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "learning-curve", str(p), "--sizes", bad],
                           capture_output=True, text=True)
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


# ------------------------------------------------------------------ the statistics
def test_default_sizes_halve_down_to_a_sixteenth():
    assert default_sizes(800) == [50, 100, 200, 400, 800]
    assert default_sizes(100) == [25, 50, 100]               # none under 16 rows
    with pytest.raises(fd.BadInput, match="too few"):
        default_sizes(30)


def test_nested_order_keeps_class_shares_in_every_prefix():
    y = np.array([0] * 90 + [1] * 10)
    order = nested_order(np.arange(100), y, seed=1)
    assert sorted(order.tolist()) == list(range(100))
    for m in (10, 20, 50):
        assert abs(int((y[order[:m]] == 1).sum()) - m // 10) <= 1


def test_trend_test_tells_rising_from_flat():
    sizes = [50, 100, 200, 400, 800]
    rng = np.random.default_rng(0)
    rising = np.array([[0.6 + 0.05 * i + 0.005 * rng.normal() for _ in range(5)] for i in range(5)])
    assert trend_test(sizes, rising)["rising"]
    # flat curves with noise: a false "still rising" at most as often as the test's 5% level
    false = [trend_test(sizes, 0.8 + 0.01 * rng.normal(size=(5, 5)))["rising"] for _ in range(300)]
    assert np.mean(false) < 0.08
    tiny = rising * 0.01 + 0.5                               # significant, but 0.0005 per doubling
    assert not trend_test(sizes, tiny)["rising"]


def test_power_law_fit_recovers_the_curve_and_the_forecast_covers_it():
    n = np.array([50, 100, 200, 400], dtype=float)
    a, b, c = fit_power_law(n, 0.9 - 2.0 * n ** -0.5)
    assert a == pytest.approx(0.9, abs=0.01) and c == pytest.approx(0.5, rel=0.2)
    rng = np.random.default_rng(0)
    sizes = [50, 100, 200, 400, 800]
    val = np.array([[0.9 - 2.0 * s ** -0.5 + 0.01 * rng.normal() for _ in range(5)] for s in sizes])
    fc = forecast(sizes, val, 800.0, up_to=400)
    truth = 0.9 - 2.0 * 800 ** -0.5
    assert fc["low"] <= truth <= fc["high"] and fc["high"] - fc["low"] < 0.15


@pytest.mark.parametrize("code,kind", [("needs_more_data", None), ("data_saturated", "chance"),
                                       ("data_saturated", "bias"), ("data_saturated", "variance")])
def test_remedies_are_relative_changes_a_config_accepts(code, kind):
    from fitdoctor.remedies import EXPLANATIONS, remedies_for
    from fitdoctor.remedies_apply import apply_remedy, is_relative

    assert EXPLANATIONS[code]
    cfg = fd.load_config({"data": {"source": "sklearn:iris", "scale": "none"}, "model": {"l2": 1e-4}})
    fixes = remedies_for(code, {"kind": kind, "scale": "none"})
    assert fixes and any(r.config_changes for r in fixes)
    for r in fixes:
        for key, value in r.config_changes.items():
            if key in ("model.hidden", "model.l2", "model.dropout_rate"):
                assert is_relative(value), (key, value)
        if r.config_changes:
            new, resolved = apply_remedy(cfg, r.config_changes, task="multiclass")
            assert resolved


def test_a_climb_up_to_chance_is_not_learning():
    """Constant predictors: seeds predicting the minority class at small sizes (accuracy 0.335),
    the majority at the top (0.665 = chance). The trend test sees a rise; the verdict must
    still be 'at chance, more data will not help'."""
    from fitdoctor.studies.learning_curve import _verdict

    sizes = [40, 80, 160, 320, 640]
    val = np.array([[0.335] * 5, [0.335] * 5, [0.335] * 4 + [0.665], [0.335] * 4 + [0.665], [0.665] * 5])
    t = trend_test(sizes, val)
    assert t["rising"]
    res = LearningCurveResult(sizes=sizes, metric="accuracy", unit="seed", val_scores=val.tolist(),
                              train_scores=val.tolist(), findings=[], trend=t, chance=0.665,
                              chance_label="always the majority class")
    f = _verdict(res, val, val, 1.0)
    assert f.code == "data_saturated" and f.evidence["kind"] == "chance"
    assert "more data will not help" in f.message


def test_terminal_view_fits_80_columns_with_every_part():
    """Chance line, forecast marker, doubling forecast and the finding: nothing past 80 columns."""
    from rich.console import Console

    from fitdoctor.report.studies import render_learning_curve
    from fitdoctor.studies.learning_curve import _verdict

    rng = np.random.default_rng(0)
    sizes = [38, 75, 150, 300, 600]
    val = np.array([[0.6 + 0.05 * i + 0.01 * rng.normal() for _ in range(5)] for i in range(5)])
    t = trend_test(sizes, val)
    res = LearningCurveResult(sizes=sizes, metric="balanced_accuracy", unit="seed", val_scores=val.tolist(),
                              train_scores=(val + 0.1).tolist(), findings=[], trend=t, chance=0.5,
                              chance_label="any constant prediction", meta={"source": "s", "n_val": 200},
                              forecast={**forecast(sizes, val, 600.0, up_to=300), "observed": 0.8, "error": 0.01,
                                        "covered": True},
                              next_doubling={"rows": 1200, **forecast(sizes, val, 1200.0)})
    res.findings = [_verdict(res, val, val + 0.1, 1.0)]
    for ascii in (True, False):
        console = Console(width=80, record=True, color_system=None)
        console.print(render_learning_curve(res, ascii=ascii))
        text = console.export_text()
        assert all(len(line) <= 80 for line in text.splitlines()), text
        assert "predicted from <= half" in text and "needs_more_data" in text and "chance" in text


def test_a_gain_that_rounds_to_zero_reads_plus_zero_never_minus_zero():
    """A flat curve's gain per doubling can come out as -4e-17: the message says +0.000."""
    from fitdoctor.studies.learning_curve import _gain_text

    assert _gain_text(-4.35e-17) == "+0.000" and _gain_text(-0.0004) == "+0.000"
    assert _gain_text(-0.0006) == "-0.001" and _gain_text(0.132) == "+0.132"


def test_a_forecast_never_passes_what_the_metric_can_reach():
    """Accuracy climbing fast towards 1 once forecast 1.010 [0.921, 1.099] for twice the rows."""
    from fitdoctor.studies.learning_curve import forecast

    sizes = [20, 40, 80, 160, 320]
    rng = np.random.default_rng(0)
    val = np.array([[0.80, 0.90, 0.95, 0.975, 0.99]]).T + rng.normal(0, 0.01, (5, 3))
    f = forecast(sizes, val, 640.0, ceiling=1.0)
    assert f["predicted"] <= 1.0 and f["high"] <= 1.0 and max(f["curve_y"]) <= 1.0
    assert f["low"] < f["high"]
    free = forecast(sizes, val, 640.0)
    assert free["high"] > 1.0  # what the cap removes
