"""The demo's stuck run drawn so a practitioner can read it: a y axis that shows the curve
(the 2907 of epoch 0 off the scale, with a marker saying so), labels that do not run into
each other, numbers of 3-4 significant digits, probe panels on the epoch axis."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from stuck_case import BASELINES, stuck_diagnosis  # noqa: E402

import fitdoctor as fd  # noqa: E402
from fitdoctor.report.figures import robust_range, run_panels, short, stack_labels  # noqa: E402


def _panels():
    return {p.title: p.figure for p in run_panels(stuck_diagnosis(), "r0", baselines=BASELINES)}


def test_the_loss_axis_shows_the_stuck_curve_and_the_chance_line():
    loss = _panels()["loss"]
    lo, hi = loss["layout"]["yaxis"]["range"]
    assert lo < 0.6365 < hi and hi < 1.5  # not 0..3000
    off = next(t for t in loss["data"] if t["name"] == "off scale")
    assert off["x"][:4] == [0, 0, 1, 1] or set(off["x"]) == {0, 1, 2, 3}
    assert max(off["customdata"]) == 2921
    note = [a["text"] for a in loss["layout"]["annotations"] if "off scale" in a["text"]]
    assert note and "2921 at 0" in note[0]


def test_a_normal_descent_keeps_its_start():
    e = np.arange(60.0)
    y = 2.3 * np.exp(-e / 6) + 0.05
    rng, out = robust_range(y, level=2.3026)
    assert not out.any() and rng[1] > 2.3
    rng, out = robust_range(y)  # no chance level known
    assert not out.any()


def test_labels_never_share_a_row_or_a_height():
    figs = _panels()
    for title, fig in figs.items():
        top = [a for a in fig["layout"]["annotations"] if a.get("yref") == "paper" and a.get("y") == 1.0
               and a.get("xref") == "x"]
        seen = {(a["x"], a.get("yshift", 0)) for a in top}
        assert len(seen) == len(top), title  # two labels at one x are on different rows
        lay = fig["layout"]
        height = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
        right = [a for a in lay["annotations"] if a.get("xref") == "paper" and a.get("xanchor") == "left"]
        if len(right) > 1:  # reference labels in the right margin, in pixels from the bottom
            lo, hi = lay["yaxis"]["range"]
            px = sorted((a["y"] - lo) / (hi - lo) * height + a.get("yshift", 0) for a in right)
            assert all(b - a >= 12 for a, b in zip(px, px[1:])), (title, px)


def test_the_accuracy_panel_has_one_majority_line_and_short_numbers():
    acc = _panels()["accuracy"]
    texts = [a["text"] for a in acc["layout"]["annotations"] if a.get("xanchor") == "left"]
    assert sum("majority" in t for t in texts) == 1
    assert any(t == "logistic 0.978" for t in texts), texts
    assert any(t.startswith("gradient boosting 0.956") for t in texts), texts
    for fig in _panels().values():
        for a in fig["layout"]["annotations"]:
            for number in re.findall(r"\d+\.\d+", a["text"]):
                assert len(number.replace(".", "").lstrip("0")) <= 4, a["text"]


def test_probe_findings_stay_on_probe_panels_and_whole_run_spans_are_not_shaded():
    figs = _panels()
    loss_labels = [a["text"] for a in figs["loss"]["layout"]["annotations"]]
    assert any("chance_level (whole run)" in t for t in loss_labels)
    assert not any("dead_relu" in t for t in loss_labels)
    assert not any(s["type"] == "rect" and s.get("name", "").startswith("finding") for s in
                   figs["loss"]["layout"]["shapes"])
    dead = figs["dead_fraction"]
    assert dead["layout"]["xaxis"]["title"]["text"] == "epoch"
    assert any("dead_relu" in a["text"] for a in dead["layout"]["annotations"])


def test_the_trainers_many_metrics_share_one_panel():
    figs = _panels()
    assert "other metrics" in figs and not {"auc", "f1", "precision", "recall"} & set(figs)
    names = {t["name"] for t in figs["other metrics"]["data"]}
    assert {"val_auc", "val_f1", "val_precision", "val_recall", "val_balanced_accuracy"} <= names


def test_stack_labels_puts_overlapping_labels_on_rows():
    anns = [{"x": 0, "text": "1. chance_level (whole run)"}, {"x": 0, "text": "3. dead_relu"},
            {"x": 40, "text": "2. overfitting"}]
    assert stack_labels(anns, (0, 50)) == 2
    assert anns[0]["yshift"] != anns[1]["yshift"] and anns[2]["yshift"] == anns[0]["yshift"]


def test_short_numbers():
    assert [short(v) for v in (0.6365142, 0.6666667, 2907.0, 0.978022, 3.76e-05, 123456.7)] == \
        ["0.6365", "0.6667", "2907", "0.978", "3.76e-05", "1.23e+05"]


def test_a_report_of_the_stuck_run_renders(tmp_path):
    from fitdoctor.report.html import write_html_report

    out = write_html_report(stuck_diagnosis(), tmp_path / "r.html", extra={"baselines": BASELINES})
    assert "off scale" in out.read_text()
    assert fd.__version__
