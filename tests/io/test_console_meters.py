"""PyTorch's ImageNet example and the scripts built on its AverageMeter: 'Loss 6.9 (6.93)' meters."""

from __future__ import annotations

from pathlib import Path

import pytest

import fitdoctor as fd


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "training.out"
    p.write_text("\n".join(lines) + "\n")
    return p


def _imagenet_example(epochs: int, *, prec: bool = False) -> list[str]:
    top1 = "Prec@1" if prec else "Acc@1"
    lines = ["=> creating model 'resnet18'"]
    for e in range(epochs):
        avg = 0.0
        for k, i in enumerate(range(0, 500, 100)):
            loss = 3.0 / (1 + e) + 0.1 * (k % 2)
            avg += (loss - avg) / (k + 1)
            lines.append(f"Epoch: [{e}][{i:4d}/500]\tTime  0.123 ( 0.150)\tData  0.010 ( 0.020)\t"
                         f"Loss {loss:.4e} ({avg:.4e})\t{top1} {50 + 4 * e:6.2f} ({50 + 4 * e:6.2f})")
        for i in (0, 50):
            lines.append(f"Test: [{i:3d}/100]\tTime  0.050 ( 0.060)\tLoss {3.2 / (1 + e):.4e} ({3.2 / (1 + e):.4e})\t"
                         f"{top1} {45 + 4 * e:6.2f} ({45 + 4 * e:6.2f})")
        lines.append(f" * {top1} {45 + 4 * e:.3f} Acc@5 {78 + e:.3f}")
    return lines


@pytest.mark.parametrize("prec", [False, True], ids=["acc@1", "prec@1"])
def test_the_imagenet_example_is_one_run_of_epoch_averages(tmp_path, prec):
    """Every evaluation started a run of its own (one epoch each: refused), and each line's batch
    value was taken; the running average in parentheses at an epoch's last line is its value."""
    run = fd.read(_write(tmp_path, _imagenet_example(8, prec=prec)))
    assert list(run.series["loss"].steps) == list(range(8))
    assert run.series["loss"].values[0] == pytest.approx((3.0 + 3.1 + 3.0 + 3.1 + 3.0) / 5, rel=1e-3)
    assert run.series["val_loss"].values[2] == pytest.approx(3.2 / 3, rel=1e-3)
    top1 = [k for k in run.series if k.startswith("val_") and "1" in k]
    assert top1 and len(run.series[top1[0]].values) == 8


def test_split_named_meter_lines_and_their_epoch_summary(tmp_path):
    """'TRAINING - Epoch: [0][10/97] .. Loss 2.2 (2.27)', 'EVALUATING - Epoch: [0][0/20] ..' and the
    'Training Loss 1.93  Training Prec@1 26.8  Validation Loss 1.71' summary (a CIFAR-10 run cut
    by Slurm mid-epoch): one run, the evaluation as validation."""
    lines = []
    for e in range(6):
        lines += [f"Starting Epoch: {e + 1}", ""]
        lines += [f"TRAINING - Epoch: [{e}][{i}/97]\tTime 0.07 (0.09)\tLoss {2 / (1 + e):.4f} ({2 / (1 + e):.4f})\t"
                  f"Prec@1 {30 + 9 * e:.3f} ({30 + 9 * e:.3f})" for i in (0, 50, 96)]
        lines += [f"EVALUATING - Epoch: [{e}][{i}/20]\tTime 0.02 (0.05)\tLoss {1.8 / (1 + e):.4f} ({1.8 / (1 + e):.4f})\t"
                  f"Prec@1 {34 + 8 * e:.3f} ({34 + 8 * e:.3f})" for i in (0, 19)]
        lines += ["", f"Results - Epoch: {e + 1}",
                  f"Training Loss {2 / (1 + e):.4f} \tTraining Prec@1 {30 + 9 * e:.3f} \tValidation Loss {1.8 / (1 + e):.4f} \t"
                  f"Validation Prec@1 {34 + 8 * e:.3f} \t", ""]
    lines.append("slurmstepd: error: *** JOB 16880092 ON gv001 CANCELLED AT 2022-03-31T05:45:15 ***")
    runs = fd.read_runs(_write(tmp_path, lines))
    assert len(runs) == 1
    assert list(runs[0].series["val_loss"].steps) == list(range(6))
    assert runs[0].series["val_loss"].values[-1] == pytest.approx(1.8 / 6, rel=1e-3)
    assert runs[0].series["loss"].values[0] == pytest.approx(2.0)


def _lisa_like(epochs: int, last_batches: int) -> list[str]:
    """LISA's train.py: an AverageMeter line per batch (1-based, "[k/32]"), then its validate()
    printing "giou: .., ciou: .." alone after the evaluation's progress bar."""
    lines = []
    for e in range(epochs):
        n = 32 if e < epochs - 1 else last_batches
        for k in range(1, n + 1):
            loss = 4.2 / (1 + 0.5 * e) + 0.3 * (k % 3) / 3
            lines.append(f"Epoch: [{e}][{k:2d}/32]\tTime 37.0 (37.0)\tLoss {loss:.4f} ({4.2 / (1 + 0.5 * e) + 0.05 * k / n:.4f})"
                         f"\tCeLoss 2.3 (2.3)")
        if n == 32:
            lines.append(f"giou: {0.24 + 0.02 * e:.4f}, ciou: {0.15 + 0.03 * e:.4f}")
    return lines


def test_a_line_of_bare_metrics_after_an_epochs_meters_is_its_evaluation(tmp_path):
    """LISA prints its validation as "giou: 0.2390, ciou: 0.1459" with no split word. Inside a
    meter log, whose meters carry the training values, such a line is the evaluation; it had
    been skipped and the run read as train-only."""
    run = fd.read(_write(tmp_path, _lisa_like(10, 32)))
    assert list(run.series["val_giou"].values[:2]) == pytest.approx([0.24, 0.26])
    assert len(run.series["loss"].values) == 10


def test_an_epoch_the_log_stops_inside_gives_no_training_value(tmp_path):
    """The log ends at "Epoch: [9][13/32]" where every epoch before reached batch 32: the running
    average of 13 batches is not epoch 9's value (it made a falling loss look as if it turned)."""
    run = fd.read(_write(tmp_path, _lisa_like(10, 13)))
    assert list(run.series["loss"].steps) == list(range(9))
    assert any("stops at batch 13" in n for n in run.meta.get("notes", []))
    whole = fd.read(_write(tmp_path, _imagenet_example(6)))
    assert list(whole.series["loss"].steps) == list(range(6))  # every 100th of 500 printed: whole epochs


def _timm_launch(epochs: range, *, start: str = "2024-03-07 14:15:27,263") -> list[str]:
    """One launch of timm's train.py through Python's logging ('%(name)20s: [%(levelname)8s]')."""
    pre = f"{start} -                train: [    INFO] - "
    lines = [pre + "Training with a single process on 1 GPUs.",
             f"{start} -     timm.data.config: [    INFO] - \tcrop_pct: 0.875",
             pre + "Scheduled epochs: 300"]
    for e in epochs:
        for i, pct in ((0, 0), (200, 51), (389, 100)):
            loss = 9.0 - 0.03 * e + 0.05 * (i == 200)
            lines.append(pre + f"Train: {e} [{i:4d}/390 ({pct:3d}%)]  Loss: {loss:.3f} ({loss - 0.02:.3f})  "
                               f"Loss_gt: {loss / 3:.3f} ({loss / 3 - 0.01:.3f})  Loss_kd: 1.000 (1.00)  LR: 4.837e-02")
        for i in (0, 78):
            lines.append(pre + f"Test: [{i:4d}/78]  Time: 0.162 (0.216)  Loss:  {2.9 - 0.01 * e:.4f} ({2.6 - 0.01 * e:.4f})  "
                               f"Acc@1: 37.5000 ({39 + 0.2 * e:.4f})  Acc@5: 56.2500 (69.9100)")
    return lines


def test_timms_meter_lines_behind_its_logging_prefix_are_read_per_epoch(tmp_path):
    """timm prints 'Train: 35 [ 200/390 ( 51%)]  Loss: 7.922 (8.33)' and 'Test: [  78/78] .. Loss:
    2.9286 (2.5891)  Acc@1: ..' behind its logger's padded prefix: each epoch's value is the running
    average of its last line, and the evaluation's is validation's. (Read line by line, the file
    was one run of 500 'epochs' with its test accuracy taken for a train accuracy.)"""
    run = fd.read(_write(tmp_path, _timm_launch(range(0, 12))))
    assert list(run.series["loss"].steps) == list(range(12))
    assert run.series["loss"].values[3] == pytest.approx(9.0 - 0.09 - 0.02)
    assert run.series["val_loss"].values[3] == pytest.approx(2.57)
    assert run.series["val_acc@1"].values[-1] == pytest.approx(41.2)
    assert "val_crop_pct" not in run.series  # a launch's data config is a setting, not a metric
    assert not any(k.startswith("acc") for k in run.series)


def test_a_relaunch_whose_epochs_skip_ahead_is_a_run_of_its_own(tmp_path):
    """Epochs 0-11, then a relaunch that loads a checkpoint and logs epochs 35-50: the counter skips
    ahead, so the relaunch is a run of its own, and the file's verdict leads with it (the last)."""
    lines = _timm_launch(range(0, 12)) + _timm_launch(range(35, 51), start="2024-03-08 09:00:00,000")
    runs = fd.read_runs(_write(tmp_path, lines))
    assert [list(r.series["loss"].steps)[0] for r in runs] == [0, 35]
    from fitdoctor.report.multirun import leading_run
    assert leading_run([fd.diagnose(r) for r in runs]) == 1


def test_a_distillation_term_in_the_train_loss_explains_val_below_train():
    """A student trained on Loss = Loss_gt + Loss_kd (+ ..): the summed train loss sits far above the
    val loss, which is the plain cross-entropy; the 'loss_kd' term says why (LABELS.md:
    suspicious_validation is validation better 'beyond what .. explain')."""
    import numpy as np
    e = np.arange(30)
    run = {"loss": list(6.6 + 2.0 * np.exp(-e / 4)), "loss_gt": list(2.9 + 0.6 * np.exp(-e / 4)),
           "loss_kd": list(0.98 + 0.05 * np.exp(-e / 4)), "val_loss": list(1.95 + 0.6 * np.exp(-e / 4))}
    d = fd.diagnose(run)
    assert "suspicious_validation" not in d.codes
    assert "distillation (a loss_kd term in the train loss) explains" in d.findings[0].message
    bare = {k: v for k, v in run.items() if k != "loss_kd"}
    assert "suspicious_validation" in fd.diagnose(bare).codes


def test_debug_prints_between_meter_lines_do_not_split_the_run(tmp_path):
    """A retrieval script prints 'loss_dro_s,loss_sat_s 7.19 5.52' after every meter line and its
    evaluation as 'Compute Scores:' then 'Recall@1: 49.76 - .. - AP: 54.99'. The prints name no
    split and no counter: they are the script's own debugging, not records (read as records, each
    one opened a run between two meter lines: 1,920 one-line runs). The scores are validation's."""
    lines = []
    for e in range(6):
        for i in (10, 20):
            loss = 9.0 - 0.5 * e + 0.01 * i
            lines += [f"Epoch: [{e}][{i}/20]\tTime 5.6 (6.7)\tLoss {loss:.3f} ({loss - 0.1:.3f})\tLoss dro 6.3 (6.3)",
                      f"loss_dro_s,loss_sat_s {7.1 - e * 0.1:.4f} {5.5 - e * 0.1:.4f}",
                      "loss_shared_s,loss_shared 0.0 0.0"]
        lines += ["", "------------------------------[Evaluate]------------------------------", "Extract Features:",
                  "Compute Scores:", f"Recall@1: {50 + 5 * e:.4f} - Recall@5: {72 + 3 * e:.4f} - AP: {55 + 5 * e:.4f}"]
    runs = fd.read_runs(_write(tmp_path, lines))
    assert len(runs) == 1
    run = runs[0]
    assert list(run.series["loss"].steps) == list(range(6))
    assert run.series["val_recall@1"].values[-1] == pytest.approx(75.0)
    assert not any(k.startswith(("loss_dro", "loss_shared")) for k in run.series)
