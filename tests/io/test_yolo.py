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
