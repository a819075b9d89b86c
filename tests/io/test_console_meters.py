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
