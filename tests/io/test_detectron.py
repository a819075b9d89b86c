"""detectron2 metrics.json and MMDetection log.json reader, on files in the tools' exact layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.io.base import load_readers
from fitdoctor.io.detect import best_reader
from fitdoctor.io.detectron import DetectionJSONReader, detectron_name

D = Path(__file__).parents[1] / "fixtures" / "detectron"


def test_detectron2_metrics_json():
    assert best_reader(D / "metrics.json", load_readers(), directory=False)[0] is DetectionJSONReader
    run = fd.read(D / "metrics.json")
    assert run.series["loss"].raw_name == "total_loss" and run.series["loss"].axis == "step"
    assert len(run.series["loss"]) == 100 and run.series["loss"].steps[0] == 19
    assert list(run.series["val_map"].steps) == [499, 999, 1499, 1999]
    assert {"loss_cls", "loss_box_reg", "cls_accuracy", "lr", "val_map50", "val_map_s"} <= set(run.series)
    assert not {"time", "data_time", "eta_seconds"} & set(run.series)
    assert any("bbox/AP-balloon" in n for n in run.meta["notes"])


def test_mmdetection_log_json():
    p = D / "20260101_000000.log.json"
    assert best_reader(p, load_readers(), directory=False)[0] is DetectionJSONReader
    run = fd.read(p)
    assert run.series["val_map"].raw_name == "bbox_mAP" and list(run.series["val_map"].steps) == list(range(1, 13))
    loss = run.series["loss"]
    assert len(loss) == 96 and loss.steps[7] == 1.0 and loss.steps[0] == pytest.approx(0.125)
    assert "val_lr" not in run.series and "memory" not in run.series


def test_mmengine_scalars_json(tmp_path):
    lines = []
    for ep in (1, 2):
        for it in (50, 100):
            g = (ep - 1) * 100 + it
            lines.append({"lr": 0.02, "data_time": 0.01, "loss": 1.0 / g, "loss_cls": 0.5 / g,
                          "time": 0.3, "epoch": ep, "iter": g, "memory": 100, "step": g})
        lines.append({"coco/bbox_mAP": 0.2 * ep, "coco/bbox_mAP_50": 0.3 * ep, "data_time": 0.01,
                      "time": 0.1, "step": ep})
    p = tmp_path / "scalars.json"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    run = DetectionJSONReader().read(p)[0]
    assert list(run.series["val_map"].steps) == [100, 200]  # at the iteration that ended each epoch
    assert list(run.series["loss"].steps) == [50, 100, 150, 200]


def test_names():
    assert detectron_name("segm/AP50") == "val_segm_map50"
    assert detectron_name("bbox/AP-person") is None
    assert detectron_name("bbox_mAP_copypaste") is None
    assert detectron_name("coco/segm_mAP_l") == "val_segm_map_l"


def test_truncated_and_foreign_files(tmp_path):
    text = (D / "metrics.json").read_text()
    p = tmp_path / "metrics.json"
    p.write_text(text[:-30])
    run = fd.read(p)
    assert any("incomplete" in n for n in run.meta["notes"]) and len(run.series["val_map"]) == 3
    p.write_text('{"a": 1}\n{"b": 2}\n')
    with pytest.raises(BadInput, match="not a detectron2"):
        DetectionJSONReader().read(p)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["metrics.json", "20260101_000000.log.json"]), st.floats(0, 1), st.binary(max_size=40))
def test_fuzz_truncated_or_garbled_files_read_or_raise_bad_input(tmp_path_factory, name, frac, junk):
    data = (D / name).read_bytes()
    p = tmp_path_factory.mktemp("d") / name
    p.write_bytes(data[: int(len(data) * frac)] + junk)
    try:
        runs = DetectionJSONReader().read(p)
    except BadInput:
        return
    assert runs[0].series
