"""Ultralytics YOLO's console tables (``python train.py ... | tee train.log``), as YOLOv5 and
YOLOv8 print them: refused before ("only one epoch of values"), the fastai table reader took the
train header for its own."""

from __future__ import annotations

import pytest

import fitdoctor as fd

BAR = "100%|##########| 19/19 [03:43<00:00, 11.75s/it]"


def _v5_log(epochs: int) -> str:
    out = ["train: weights=yolov5s.pt, epochs=15, batch_size=16, imgsz=320",
           "hyperparameters: lr0=0.01, lrf=0.01, momentum=0.937, box=0.05, cls=0.5, obj=1.0",
           "Starting training for 15 epochs...", ""]
    for e in range(epochs):
        box, obj, cls = 0.11 / (1 + e), 0.02, 0.07 / (1 + e)
        m = 0.03 * (e + 1)
        out += ["      Epoch    GPU_mem   box_loss   obj_loss   cls_loss  Instances       Size",
                f"{e:>8}/{epochs - 1}         0G {box:>10.4g} {obj:>10.4g} {cls:>10.4g}          3        320: {BAR}",
                f"                 Class     Images  Instances          P          R      mAP50   mAP50-95: {BAR}",
                f"                   all        289        289 {m + 0.1:>10.3g} {m + 0.2:>10.3g} {m * 1.5:>10.3g} {m:>10.3g}",
                ""]
    out += [f"{epochs} epochs completed in 0.9 hours.", "Validating runs/train/exp/weights/best.pt...",
            f"                 Class     Images  Instances          P          R      mAP50   mAP50-95: {BAR}",
            "                   all        289        289      0.999      0.999      0.999      0.999",
            "                  cars        289        100      0.5        0.5        0.5        0.5"]
    return "\n".join(out) + "\n"


def test_a_yolov5_console_table_is_read_per_epoch_with_its_validation(tmp_path):
    path = tmp_path / "training_log.txt"
    path.write_text(_v5_log(15))
    [run] = fd.read_runs(path)
    assert list(run.series["loss"].steps) == list(range(15))
    assert run.series["loss"].values[0] == pytest.approx(0.11 + 0.02 + 0.07)
    assert run.series["box_loss"].values[-1] == pytest.approx(0.11 / 15, rel=1e-3)
    # the best.pt validation after the last epoch is no point of the curve
    assert run.series["val_map50_95"].values[-1] == pytest.approx(0.45)
    assert len(run.series["val_map50_95"].values) == 15
    assert any("sum of box_loss, obj_loss, cls_loss" in n for n in run.meta.get("notes", []))
    assert fd.diagnose(run).findings[0].code == "still_improving"


def test_a_yolov8_table_with_crlf_progress_updates_and_a_glued_cut_row(tmp_path):
    """YOLOv8 counts epochs from 1 and heads its metrics 'Box(P R mAP50 mAP50-95)'; a Windows
    capture ends lines in CRLF and keeps each bar's updates as '\\r' segments; one epoch's 'all'
    row glued to its bar and cut short is left out, not misread."""
    lines = []
    for e in range(1, 9):
        row = f"{e:>7}/8      1.76G {2.0 / e:>10.4g} {3.5 / e:>10.4g} {1.4:>10.4g}          5        512: "
        val = f"                   all       1229       3444      0.5      0.2 {0.1 + 0.01 * e:>10.3g} {0.05 + 0.01 * e:>10.3g}"
        head = "                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): "
        lines += ["      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size",
                  f"{row}  0%|          | 0/265 [00:00<?, ?it/s]\r{row}{BAR}"]
        if e == 5:
            lines.append(f"{head}{BAR}                   all       1229       344")
        else:
            lines += [f"{head}  0%|   | 0/39\r{head}{BAR}", val]
        lines.append("")
    path = tmp_path / "train.log"
    path.write_bytes("\r\n".join(lines).encode())
    [run] = fd.read_runs(path)
    assert list(run.series["loss"].steps) == list(range(1, 9))
    assert run.series["loss"].values[1] == pytest.approx(1.0 + 1.75 + 1.4)
    assert list(run.series["val_map50_95"].steps) == [1, 2, 3, 4, 6, 7, 8]


def test_an_ultralytics_8_4_table_with_line_clears_and_bars_without_ends_is_read(tmp_path):
    """Ultralytics 8.4 on Windows, saved as UTF-16: each progress update starts with "\\x1b[K"
    and its bar has no "|" ends ("100% ━━━━ 5/5", drawn in the console's code page). The train
    rows and the "all" rows had gone unread, leaving only the run's settings."""
    bar = "\u0393\u00f6\u00fc" * 12
    lines = ["Starting training for 150 epochs...", ""]
    for e in range(1, 13):
        lines.append("      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size")
        for k in (0, 5):
            lines.append(f"\x1b[K     {e:2d}/150         0G      {1.7 - 0.03 * e:.3f}      {3.0 - 0.1 * e:.3f}      "
                         f"1.5         18        640: {k * 20}% {bar} {k}/5  5.5s")
        lines.append(f"\x1b[K                 Class     Images  Instances      Box(P          R      mAP50  "
                     f"mAP50-95): 100% {bar} 1/1 1.9s/it")
        lines.append(f"                   all          4          4      0.003          1      {0.15 + 0.05 * e:.3f}"
                     f"      {0.1 + 0.04 * e:.3f}")
    p = tmp_path / "train_output.log"
    p.write_bytes("\r\n".join(lines).encode("utf-16"))
    run = fd.read(p)
    assert len(run.series["loss"].values) == 12
    assert run.series["val_map50_95"].values[-1] == pytest.approx(0.58)
