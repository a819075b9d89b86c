"""Ultralytics results.csv reader, on files in the exact layouts the trainers write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.io.base import load_readers
from fitdoctor.io.detect import best_reader
from fitdoctor.io.yolo import YoloResultsReader, yolo_series_name

Y = Path(__file__).parents[1] / "fixtures" / "yolo"


@pytest.mark.parametrize("name", ["results.csv", "results_v8_0.csv", "results_v5.csv"])
def test_layouts_are_detected_and_read(name):
    assert best_reader(Y / name, load_readers(), directory=False)[0] is YoloResultsReader
    run = fd.read(Y / name)
    assert run.meta["format"] == "yolo"
    assert list(run.series)[:2] == ["loss", "val_loss"]
    assert {"val_map50", "val_map50_95", "val_precision", "val_recall", "lr"} <= set(run.series)
    assert len(run.series["loss"]) == 20
    assert "time" not in run.series


def test_total_loss_is_the_sum_of_the_parts():
    run = fd.read(Y / "results.csv")
    parts = run.series["box_loss"].values + run.series["cls_loss"].values + run.series["dfl_loss"].values
    assert np.allclose(run.series["loss"].values, parts)
    assert run.series["val_map50"].raw_name == "metrics/mAP50(B)"


def test_padded_and_unpadded_give_the_same_numbers():
    new, old = fd.read(Y / "results.csv"), fd.read(Y / "results_v8_0.csv")
    assert np.allclose(new.series["val_map50"].values, old.series["val_map50"].values, atol=1e-4)
    assert new.series["loss"].steps[0] == 1 and old.series["loss"].steps[0] == 0  # as each version counts


def test_column_names():
    assert yolo_series_name("  metrics/mAP50-95(M)") == "val_map50_95_mask"
    assert yolo_series_name("metrics/accuracy_top1") == "val_accuracy_top1"
    assert yolo_series_name("train/loss") == "loss" and yolo_series_name("val/loss") == "val_loss"
    assert yolo_series_name("lr/pg2") is None and yolo_series_name("x/lr0") == "lr"


def test_growing_and_resumed_files(tmp_path):
    text = (Y / "results.csv").read_text()
    p = tmp_path / "results.csv"
    p.write_text(text[: len(text) - 40])  # the last row cut in half
    run = fd.read(p)
    assert len(run.series["loss"]) == 19 and any("incomplete" in n for n in run.meta["notes"])
    lines = text.splitlines(True)
    p.write_text("".join(lines[:11] + lines[9:]))  # resume rewrote epochs 9 and 10
    run = fd.read(p)
    assert len(run.series["loss"]) == 20 and any("resumed" in n for n in run.meta["notes"])
    p.write_text(lines[0])
    with pytest.raises(BadInput, match="no epochs"):
        YoloResultsReader().read(p)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["results.csv", "results_v8_0.csv", "results_v5.csv"]), st.floats(0, 1),
       st.binary(max_size=40))
def test_fuzz_truncated_or_garbled_files_read_or_raise_bad_input(tmp_path_factory, name, frac, junk):
    data = (Y / name).read_bytes()
    cut = int(len(data) * frac)
    p = tmp_path_factory.mktemp("y") / name
    p.write_bytes(data[:cut] + junk)
    try:
        runs = YoloResultsReader().read(p)
    except BadInput:
        return
    assert runs[0].series


YOLOV3_TXT = (
    "       0/9    0.279G      4.67      6.77      31.7      43.2        31       416    0.0202     0.336    0.0831    0.0381      4.21      11.3      5.27\n"
    "       1/9    0.333G      3.89      4.95      2.22      11.1        42       416    0.0479     0.336      0.09    0.0839      4.56      4.21     0.768\n"
    "       2/9    0.333G      3.73      4.35     0.749      8.83        19       416    0.0574     0.342     0.169    0.0983      3.33      3.95    0.0603\n"
    "       3/9    0.333G      3.71      2.64     0.687      7.04        33       416     0.178     0.237     0.148     0.203      3.29      3.32    0.0222\n"
)


def test_yolov3_results_txt_is_read_by_its_columns(tmp_path):
    """ultralytics/yolov3 writes results.txt as fixed-width columns with no header: epoch/last,
    GPU memory, the train GIoU, obj, cls and total loss, targets, image size, P, R, mAP@0.5, F1,
    then the val GIoU, obj and cls losses. Refused before as an unknown format."""
    p = tmp_path / "results.txt"
    p.write_text(YOLOV3_TXT)
    h = fd.read(p)
    assert h.meta["format"] == "yolo-txt"
    assert list(h.series["loss"].values) == [43.2, 11.1, 8.83, 7.04]  # the logged total
    assert any("val_loss is the sum" in n for n in h.meta["notes"])  # the val parts' sum
    assert list(h.series["val_loss"].values) == pytest.approx([20.78, 9.538, 7.3403, 6.6322])
    assert list(h.series["val_map50"].values) == pytest.approx([0.0831, 0.09, 0.169, 0.148])
    assert h.meta["planned_epochs"] == 10 and h.series["loss"].steps[0] == 0
    p.write_text(YOLOV3_TXT[:40])
    with pytest.raises(BadInput):
        fd.read(p)
