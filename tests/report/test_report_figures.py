"""Figure building: downsampling keeps spikes, findings are drawn where their spans say."""

from __future__ import annotations

import json

import numpy as np

import fitdoctor as fd
from fitdoctor.findings import Finding
from fitdoctor.report import figures
from fitdoctor.report.figures import envelope, finding_marks, folds_panels, label, run_panels, tune_panels

from report_cases import XSS_NAME, make_diagnosis, overfit_history


def test_short_series_untouched():
    x = np.arange(100.0)
    d = envelope(x, x ** 2)
    assert not d.binned and np.array_equal(d.y, x ** 2)


def test_envelope_keeps_a_single_spike_and_skips_nan():
    n = 100_000
    y = np.ones(n)
    y[55_555] = 30.0
    y[10:20] = np.nan
    d = envelope(np.arange(n, dtype=float), y)
    assert d.binned and d.x.size == figures.DISPLAY_BINS
    assert np.nanmax(d.hi) == 30.0  # the spike survives in the envelope
    assert np.nanmin(d.lo) == 1.0
    assert np.all(np.isfinite(d.y))  # a bin with some NaN still has a mean of its finite points
    assert d.x[0] < d.x[-1] and np.all(np.diff(d.x) > 0)


def test_all_nan_bin_becomes_a_gap():
    y = np.ones(10_000)
    y[:500] = np.nan
    d = envelope(np.arange(10_000.0), y)
    assert np.isnan(d.y[0])
    assert figures.nums(d.y)[0] is None  # JSON null: plotly draws a gap


def test_label_escapes_markup():
    assert label(XSS_NAME) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_finding_marks_by_kind():
    rect, _ = finding_marks(Finding("overfitting", "warning", "m", span=(10, 50)), 1)
    assert rect[0]["type"] == "rect" and (rect[0]["x0"], rect[0]["x1"]) == (10, 50)
    line, ann = finding_marks(Finding("non_finite", "error", "m", span=(7, 9)), 2)
    assert line[0]["type"] == "line" and line[0]["x0"] == 7
    assert ann[0]["text"] == "2. non_finite"
    assert finding_marks(Finding("healthy", "info", "m", span=(0, 99)), 1) == ([], [])
    assert finding_marks(Finding("plateau", "info", "m"), 1) == ([], [])


def test_run_panels_draw_findings_chance_best_baselines_and_probes():
    h = overfit_history(nan_at=100)
    d = make_diagnosis(h)
    panels = run_panels(d, "r0", baselines={"accuracy": {"majority class": 0.1}, "loss": 1.5})
    kinds = {p.title: p.kind for p in panels}
    assert kinds == {"loss": "curves", "accuracy": "curves", "learning rate": "lr",
                     "grad_norm": "probe", "dead_fraction": "probe"}
    loss = next(p for p in panels if p.title == "loss").figure
    shapes = loss["layout"]["shapes"]
    assert any(s["type"] == "rect" and s["x0"] == 40 for s in shapes)  # overfitting onset shaded
    assert any(s.get("name") == "finding-3" and s["type"] == "line" and s["x0"] == 100 for s in shapes)  # NaN
    hl = [s for s in shapes if s["xref"] == "paper"]
    assert {s["y0"] for s in hl} == {figures.num(d.summary["chance_loss"]), 1.5}  # chance level + baseline
    nan_marker = [t for t in loss["data"] if "first NaN" in t["name"]]
    assert nan_marker and nan_marker[0]["x"] == [100]
    # the best epoch is selected on val_loss, so its marker sits on the loss panel
    best = [t for t in loss["data"] if t["name"].startswith("best")]
    assert best and best[0]["x"] == [d.summary["best_at"]]
    acc = next(p for p in panels if p.title == "accuracy").figure
    assert any(s["xref"] == "paper" and s["y0"] == 0.1 for s in acc["layout"]["shapes"])
    grad = next(p for p in panels if p.title == "grad_norm").figure
    assert grad["layout"]["yaxis"]["type"] == "log"
    assert {t["name"] for t in grad["data"]} == {"dense_1", "dense_2"}
    # overfitting is not drawn on probe panels; everything is JSON without NaN
    assert not any(s["type"] == "rect" for s in grad["layout"]["shapes"])
    json.dumps([p.figure for p in panels], allow_nan=False)


def test_an_rl_logs_counters_get_no_panel_and_its_points_are_episodes():
    n = 60
    rng = np.random.default_rng(0)
    h = fd.RunHistory(meta={"source": "agent.log", "format": "console"})
    h.add("episode", np.arange(1, n + 1), np.arange(1, n + 1))
    h.add("frame", np.arange(1, n + 1), np.cumsum(rng.integers(10, 30, n)))
    h.add("reward", np.arange(1, n + 1), rng.normal(20, 2, n))
    d = fd.diagnose(h)
    panels = run_panels(d, "r0")
    assert [p.title for p in panels] == ["reward"]
    assert panels[0].figure["layout"]["xaxis"]["title"]["text"] == "episode"
    # a column named like a counter that falls is a measure, and is drawn
    h.add("frames", np.arange(1, n + 1), np.linspace(50, 10, n))
    assert "frames" in [p.title for p in run_panels(fd.diagnose(h), "r0")]


def test_an_objective_read_as_the_loss_is_drawn_once(tmp_path):
    """An XGBoost log's train-rmse and eval-rmse are its loss: a panel of the loss and a second,
    identical one of the rmse said it twice."""
    p = tmp_path / "xgb.log"
    p.write_text("".join(f"[{i}]\ttrain-rmse:{5 * 0.9 ** i:.5f}\teval-rmse:{5.2 * 0.92 ** i + 0.01 * i:.5f}\n"
                         for i in range(40)))
    d = fd.diagnose(fd.read_runs(p)[0])
    assert {"rmse", "loss"} <= set(d.history.series)
    assert [p.title for p in run_panels(d, "r0")] == ["loss"]


def test_folds_mean_and_std():
    folds = []
    for k in range(3):
        h = fd.RunHistory()
        n = 10 + k  # folds may stop at different epochs
        h.add("val_loss", np.arange(n), np.full(n, float(k)))
        folds.append(h)
    (panel,) = folds_panels(folds, "folds")
    mean = next(t for t in panel.figure["data"] if t["name"] == "mean")
    assert mean["y"][0] == 1  # mean of 0, 1, 2
    # only the longest fold reaches epoch 11: a 'mean' of one fold is not drawn
    assert mean["x"][-1] == 10 and mean["y"][-1] == 1.5
    band = next(t for t in panel.figure["data"] if t["name"] == "mean ± std")
    assert abs(band["y"][0] - (1 + np.std([0, 1, 2]))) < 1e-6
    assert sum(t["name"].startswith("fold") for t in panel.figure["data"]) == 3


def test_tune_best_so_far():
    trials = [{"number": i, "value": v, "params": {"lr": 10 ** -i, "layers": i % 3}}
              for i, v in enumerate([0.5, 0.3, 0.4, 0.2, 0.25])]
    panels = tune_panels({"direction": "minimize", "metric": "val_loss", "trials": trials,
                          "importances": {"lr": 0.8, "layers": 0.2}}, "tune")
    assert [p.title for p in panels] == ["best so far", "parameter importance", "parallel coordinates"]
    best = panels[0].figure["data"][1]["y"]
    assert best == [0.5, 0.3, 0.3, 0.2, 0.2]
