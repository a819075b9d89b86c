"""Shapes seen in real logs from public repositories (benchmarks/results/public_logs.md).

Each test rebuilds one structure a reader got wrong, as a small synthetic file written
here (no third-party file is copied): CSVLogger files appended by several fits, a test
score beside the validation curve, bookkeeping scalars and Ultralytics tags in
TensorBoard, YOLOv10 loss parts, rounded Hugging Face losses, trl token counters, eval
dataset dicts, progress bars and one-value printouts in notebooks, percent accuracies
and tables of results.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.io.console import parse_console_text
from fitdoctor.io.notebook import notebook_runs
from tb_events import write_scalars

# ------------------------------------------------------------------ Keras CSVLogger


def _keras_rows(epochs, start_loss: float, lr: float) -> list[str]:
    return [f"{e},{0.5 + 0.03 * e:.4f},{lr},{start_loss - 0.05 * e:.4f},{0.5 + 0.02 * e:.4f},"
            f"{start_loss + 0.1 - 0.04 * e:.4f}" for e in epochs]


HEADER = "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"


def test_csvlogger_append_true_gives_one_run_per_fit(tmp_path):
    """CSVLogger(append=True) across four fit calls: epochs restart at 0, never interleaved."""
    p = tmp_path / "training_log.csv"
    rows = (_keras_rows(range(5), 1.2, 1e-4) + _keras_rows(range(4), 1.3, 1e-4)
            + _keras_rows(range(10), 1.05, 1e-5))
    p.write_text("\n".join([HEADER] + rows) + "\n")
    runs = fd.read_runs(p)
    assert [r.meta["run"] for r in runs] == ["fit 1 (line 2)", "fit 2 (line 7)", "fit 3 (line 11)"]
    assert [len(r.series["loss"]) for r in runs] == [5, 4, 10]
    np.testing.assert_array_equal(runs[2].series["lr"].values, np.full(10, 1e-5))
    np.testing.assert_array_equal(runs[1].series["val_loss"].steps, [0, 1, 2, 3])
    with pytest.raises(BadInput, match="holds 3 runs"):
        fd.read(p)


def test_csvlogger_resumed_run_keeps_one_run_and_the_later_rows(tmp_path):
    """fit(initial_epoch=2) after a crash rewrites epochs 2..: one run, the later rows win."""
    p = tmp_path / "training.log"
    first = _keras_rows(range(4), 1.2, 1e-3)
    resumed = [r.replace("0.001", "0.0005") for r in _keras_rows(range(2, 6), 1.2, 1e-3)]
    p.write_text("\n".join([HEADER] + first + resumed) + "\n")
    run = fd.read(p)
    np.testing.assert_array_equal(run.series["loss"].steps, np.arange(6))
    np.testing.assert_allclose(run.series["lr"].values, [1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 5e-4])
    assert any("resumed" in n for n in run.meta["notes"])


def test_csvlogger_header_repeated_mid_file_starts_a_run(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("\n".join([HEADER] + _keras_rows(range(3), 1.0, 1e-3) + [HEADER]
                           + _keras_rows(range(3, 6), 0.9, 1e-3)) + "\n")
    runs = fd.read_runs(p)
    assert [len(r.series["loss"]) for r in runs] == [3, 3]
    assert not any("non-numeric" in n for r in runs for n in r.meta.get("notes", []))


# ------------------------------------------------------------------ test vs validation


def test_lightning_test_score_does_not_displace_the_validation_curve(tmp_path):
    """Lightning's header is sorted, so test_loss (one point, trainer.test) comes before val_loss."""
    p = tmp_path / "metrics.csv"
    lines = ["epoch,step,test_loss,train_loss,val_accuracy,val_loss"]
    for e in range(4):
        lines += [f"{e},{e * 10 + 9},,,{0.9 + 0.01 * e},{0.3 - 0.05 * e}",
                  f"{e},{e * 10 + 9},,{0.5 - 0.1 * e},,"]
    lines.append("4,40,0.12,,,")
    p.write_text("\n".join(lines) + "\n")
    run = fd.read(p)
    assert run.series["val_loss"].raw_name == "val_loss" and len(run.series["val_loss"]) == 4
    assert run.series["test_loss"].raw_name == "test_loss" and len(run.series["test_loss"]) == 1
    assert "val_loss#2" not in run.series
    roles = {s["name"]: s["role"] for s in run.summary()["series"]}
    assert roles["test_loss"] == "test metric"
    assert [m for m, _, _ in run.metric_pairs()] == ["accuracy"]


def test_test_loss_alone_is_still_the_validation_curve(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,train_loss,test_loss\n0,0.9,0.95\n1,0.7,0.8\n2,0.6,0.75\n")
    run = fd.read(p)
    assert run.series["val_loss"].raw_name == "test_loss"


# ------------------------------------------------------------------ TensorBoard


def test_tensorboard_bookkeeping_scalars_are_not_curves(tmp_path):
    """HF's report_to="tensorboard": train/epoch, timings, and the end-of-run summary."""
    pts = []
    for i, step in enumerate(range(10, 110, 10)):
        pts += [("train/loss", step, 1.0 - 0.08 * i), ("train/epoch", step, step / 50),
                ("train/learning_rate", step, 5e-5)]
        if step % 50 == 0:
            pts += [("eval/loss", step, 0.9 - 0.1 * i), ("eval/runtime", step, 12.5),
                    ("eval/samples_per_second", step, 80.0)]
    pts += [("train/train_runtime", 100, 300.0), ("train/train_loss", 100, 0.6),
            ("train/total_flos", 100, 1e14), ("hp_metric", 0, -1.0)]
    f = tmp_path / "events.out.tfevents.1.host"
    write_scalars(f, pts)
    run = fd.read(f)
    assert set(run.series) == {"loss", "val_loss", "lr"}
    assert len(run.series["loss"]) == 10
    assert any("train/train_loss" in n and "train/epoch" in n for n in run.meta["notes"])


def test_tensorboard_ultralytics_tags_are_read_like_results_csv(tmp_path):
    pts = []
    for ep in range(1, 6):
        pts += [("train/box_loss", ep, 1.5 - 0.1 * ep), ("train/cls_loss", ep, 2.0 - 0.2 * ep),
                ("train/dfl_loss", ep, 1.4 - 0.05 * ep), ("val/box_loss", ep, 1.6 - 0.08 * ep),
                ("val/cls_loss", ep, 2.1 - 0.15 * ep), ("val/dfl_loss", ep, 1.5 - 0.04 * ep),
                ("metrics/mAP50(B)", ep, 0.2 + 0.1 * ep), ("metrics/mAP50-95(B)", ep, 0.1 + 0.05 * ep),
                ("lr/pg0", ep, 0.01), ("lr/pg1", ep, 0.01)]
    f = tmp_path / "events.out.tfevents.2.host"
    write_scalars(f, pts)
    run = fd.read(f)
    assert list(run.series)[:2] == ["loss", "val_loss"]
    assert {"val_map50", "val_map50_95", "lr", "box_loss", "val_cls_loss"} <= set(run.series)
    assert "metrics_map50(b)" not in run.series and "lr#2" not in run.series
    np.testing.assert_allclose(run.series["loss"].values, [4.55, 4.20, 3.85, 3.50, 3.15], atol=1e-5)
    assert run.series["loss"].axis == "epoch"


# ------------------------------------------------------------------ YOLO


def test_yolov10_one_to_many_and_one_to_one_parts_make_the_total_loss(tmp_path):
    head = ("epoch,train/box_om,train/cls_om,train/dfl_om,train/box_oo,train/cls_oo,train/dfl_oo,"
            "metrics/precision(B),metrics/recall(B),metrics/mAP50(B),metrics/mAP50-95(B),"
            "val/box_om,val/cls_om,val/dfl_om,val/box_oo,val/cls_oo,val/dfl_oo,lr/pg0,lr/pg1,lr/pg2")
    rows = [",".join([str(e)] + [f"{1.5 - 0.1 * e:.3f}"] * 6 + ["0.5", "0.4", "0.45", "0.3"]
                     + [f"{1.6 - 0.1 * e:.3f}"] * 6 + ["0.001"] * 3) for e in range(1, 5)]
    p = tmp_path / "results.csv"
    p.write_text("\n".join([head] + rows) + "\n")
    run = fd.read(p)
    assert list(run.series)[:2] == ["loss", "val_loss"]
    np.testing.assert_allclose(run.series["loss"].values, [6 * (1.5 - 0.1 * e) for e in range(1, 5)])
    assert run.series["val_loss"].raw_name.startswith("sum(val/box_om+")


# ------------------------------------------------------------------ Hugging Face


def _state(log_history: list[dict], **extra) -> str:
    return json.dumps({"log_history": log_history, "global_step": log_history[-1]["step"], **extra})


def test_hf_loss_rounded_to_zero_is_not_read_as_a_nan_trace(tmp_path):
    """The Trainer logs round(loss, 4): a converged loss goes 0.0002, 0.0001, 0.0, 0.0."""
    losses = [0.85, 0.01, 0.0013, 0.0005, 0.0002, 0.0001, 0.0001, 0.0, 0.0, 0.0]
    log = [{"loss": v, "grad_norm": 0.001, "learning_rate": 5e-5, "epoch": i / 10, "step": 10 * (i + 1)}
           for i, v in enumerate(losses)]
    p = tmp_path / "trainer_state.json"
    p.write_text(_state(log))
    run = fd.read(p)
    assert "nan_filter_suspected_from_step" not in run.meta
    assert any("rounds the logged loss" in n for n in run.meta["notes"])
    assert run.series["loss"].n_nonfinite == 0
    # a zero after a loss far above the rounding floor is still the NaN filter's trace
    log[7]["loss"] = 0.0
    for e in log[:7]:
        e["loss"] += 0.3
    p.write_text(_state(log))
    assert fd.read(p).meta["nan_filter_suspected_from_step"] == 80


def test_hf_trl_token_counters_are_not_curves(tmp_path):
    log = [{"loss": 2.0 - 0.1 * i, "mean_token_accuracy": 0.5 + 0.02 * i, "num_tokens": 1e5 * (i + 1),
            "entropy": 1.5, "step": 10 * (i + 1), "epoch": i / 10} for i in range(6)]
    log.append({"eval_loss": 1.7, "eval_num_tokens": 6e5, "eval_mean_token_accuracy": 0.6,
                "eval_runtime": 3.0, "step": 60, "epoch": 0.6})
    p = tmp_path / "trainer_state.json"
    p.write_text(_state(log))
    run = fd.read(p)
    assert not any("num_tokens" in name for name in run.series)
    assert "mean_token_accuracy" in run.series and "val_loss" in run.series


def test_hf_eval_dataset_dict_first_set_is_the_validation_curve(tmp_path):
    """eval_dataset={"g0": ..., "g1": ...} logs eval_g0_loss, eval_g1_loss and no eval_loss."""
    log = []
    for i in range(5):
        step = 100 * (i + 1)
        log.append({"loss": 1.0 - 0.15 * i, "step": step, "epoch": i / 5})
        for k, ds in enumerate(("g0", "g1")):
            log.append({f"eval_{ds}_loss": 1.1 - 0.1 * i + k, f"eval_{ds}_accuracy": 0.6 + 0.05 * i,
                        f"eval_{ds}_runtime": 2.0, "step": step, "epoch": i / 5})
    p = tmp_path / "trainer_state.json"
    p.write_text(_state(log))
    run = fd.read(p)
    assert run.series["val_loss"].raw_name == "eval_g0_loss"
    assert run.series["val_accuracy"].raw_name == "eval_g0_accuracy"
    assert run.series["val_g1_loss"].raw_name == "eval_g1_loss"
    assert any("'g0'" in n for n in run.meta["notes"])


# ------------------------------------------------------------------ console and notebooks


def test_progress_bars_without_an_epoch_are_not_metrics():
    """datasets' Map bars and hub downloads print 'Map: 100%|...' and '..._map.json: 0%|...'."""
    text = ("Map:   0%|          | 0/22450 [00:00<?, ? examples/s]\n"
            "Map: 100%|##########| 22450/22450 [00:03<00:00, 6000.00 examples/s]\n"
            "special_tokens_map.json:   0%|          | 0.00/551 [00:00<?, ?B/s]\n"
            "{'loss': 1.2, 'learning_rate': 5e-05, 'epoch': 1.0}\n"
            "{'loss': 0.9, 'learning_rate': 4e-05, 'epoch': 2.0}\n"
            "Training: 100%|####| 50/50 [00:10<00:00, 4.9it/s, loss=0.41]\n"
            "Training: 100%|####| 50/50 [00:10<00:00, 4.9it/s, loss=0.37]\n")
    runs = parse_console_text(text, source="x")
    assert all("Map" not in s.raw_name and "json" not in s.raw_name for r in runs for s in r.series.values())
    assert len(runs) == 2 and len(runs[0].series["loss"]) == 2
    assert runs[1].series["loss"].values.tolist() == [0.41, 0.37]  # a postfix metric still counts


KERAS_FIT = "".join(f"Epoch {e}/3\n10/10 - 1s - 5ms/step - accuracy: {0.6 + 0.1 * e:.4f} - "
                    f"loss: {1.0 - 0.2 * e:.4f} - val_accuracy: {0.6 + 0.08 * e:.4f} - "
                    f"val_loss: {1.05 - 0.18 * e:.4f}\n" for e in range(1, 4))


def test_one_value_printouts_beside_a_run_are_dropped_with_a_note(tmp_path):
    evaluate = "113/113 - 6s - 55ms/step - accuracy: 0.5793 - loss: 1.1081\n"
    nb = {"nbformat": 4, "cells": [
        {"cell_type": "code", "execution_count": 1, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": KERAS_FIT}]},
        {"cell_type": "code", "execution_count": 2, "outputs": [
            {"output_type": "stream", "name": "stdout",
             "text": evaluate + "Test Accuracy: 57.93%\nTest Loss: 1.1081\n"}]},
        {"cell_type": "code", "execution_count": 3, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "Best validation accuracy: 0.9965\n"}]},
    ]}
    p = tmp_path / "train.ipynb"
    p.write_text(json.dumps(nb))
    run = fd.read(p)  # one run left: no "only one epoch" error from the summaries
    assert run.meta["run"] == "cell 1 [In 1]" and len(run.series["loss"]) == 3
    # the evaluate cell is dropped with a note; "Best validation accuracy" (a running best,
    # derived from the curve) is no metric at all
    assert any("1 one-value printout(s)" in n and "cell 2" in n for n in run.meta["notes"])
    # console text: the closing print of a script is dropped the same way
    runs = parse_console_text(KERAS_FIT + "Best test accuracy: 85.38%\n", source="x")
    assert len(runs) == 1 and "run" not in runs[0].meta
    # nothing but one-value prints: kept, so the error names what was found
    only = notebook_runs({"cells": nb["cells"][1:]}, source="x")
    assert len(only) == 1


def test_accuracy_printed_in_percent_is_read_as_a_fraction(tmp_path):
    p = tmp_path / "train.log"
    p.write_text("".join(f"INFO - Epoch {e}/5, Train Loss: {1.6 - 0.2 * e:.4f}, Test Acc: {55 + 5 * e:.2f}%\n"
                         for e in range(1, 6)))
    run = fd.read(p)
    np.testing.assert_allclose(run.series["val_accuracy"].values, [0.60, 0.65, 0.70, 0.75, 0.80])
    assert any("percent" in n for n in run.meta["notes"])
    # a fraction is left alone
    q = tmp_path / "frac.csv"
    q.write_text("epoch,loss,val_accuracy\n0,0.9,0.55\n1,0.7,0.71\n")
    np.testing.assert_allclose(fd.read(q).series["val_accuracy"].values, [0.55, 0.71])


# ------------------------------------------------------------------ tables of results


def test_a_table_of_results_is_refused_and_id_columns_are_not_curves(tmp_path):
    """One row per site/model with text columns and no epoch or loss: not a training log."""
    p = tmp_path / "overall_metrics.csv"
    p.write_text("site_id,target_variable,season,train_rows,rmse,mae\n"
                 "3,discharge,fall,2542,6.8,4.3\n3,discharge,winter,17510,26.7,17.0\n"
                 "4,air_temperature,fall,2905,14.8,8.9\n")
    with pytest.raises(BadInput, match="table of results"):
        fd.read(p)
    q = tmp_path / "log.csv"
    q.write_text("run_id,epoch,loss,val_loss\n7,0,0.9,1.0\n7,1,0.7,0.8\n7,2,0.6,0.75\n")
    assert "run_id" not in {s.raw_name for s in fd.read(q).series.values()}
