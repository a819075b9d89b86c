"""OpenMMLab's runner logs (mmcv and mmengine): train lines per logging interval, 'Epoch(val)' lines."""

from __future__ import annotations

import pytest

import fitdoctor as fd

CONFIG = ["model = dict(", "    type='ImageClassifier',", "    head=dict(",
          "        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),", "        topk=(1, 5)))",
          "runner = dict(type='EpochBasedRunner', max_epochs=100)"] + [f"    option_{i}=dict(value={i})," for i in range(400)]


def _mmcv(epochs: int) -> list[str]:
    lines = list(CONFIG)
    for e in range(1, epochs + 1):
        for i in range(100, 501, 100):
            lines.append(f"2022-10-08 17:17:20,545 - mmcls - INFO - Epoch [{e}][{i}/500]\tlr: 1.000e-01, eta: 1 day, "
                         f"10:55:11, time: 0.251, data_time: 0.066, memory: 3058, loss: {4.0 / e + 0.001 * i:.4f}")
        lines += [f"2022-10-08 17:25:45,625 - mmcls - INFO - Now best checkpoint is saved as best_accuracy_top-1_epoch_{e}.pth.",
                  f"2022-10-08 17:25:45,625 - mmcls - INFO - Best accuracy_top-1 is {20 + 5 * e:.4f} at {e} epoch."]
        lines.append(f"2022-10-08 17:25:45,647 - mmcls - INFO - Epoch(val) [{e}][196]\taccuracy_top-1: {20 + 5 * e:.4f}, "
                     f"accuracy_top-5: {40 + 4 * e:.4f}")
    return lines


def _mmengine(epochs: int) -> list[str]:
    lines = ["12/01 10:00:00 - mmengine - INFO - Config:"] + CONFIG
    for e in range(1, epochs + 1):
        for i in (50, 100):
            lines.append(f"12/01 10:0{e % 10}:00 - mmengine - INFO - Epoch(train)  [{e}][{i:3d}/100]  lr: 1.0000e-01  "
                         f"eta: 0:10:00  time: 0.0500  data_time: 0.0100  memory: 1200  loss: {3.0 / e:.4f}")
        lines.append(f"12/01 10:0{e % 10}:30 - mmengine - INFO - Epoch(val) [{e}][20/20]    accuracy/top1: {30 + 5 * e:.4f}  "
                     f"data_time: 0.0100  time: 0.0300")
    return lines


@pytest.mark.parametrize("make", [_mmcv, _mmengine], ids=["mmcv", "mmengine"])
def test_an_openmmlab_log_past_its_config_is_one_run_per_epoch(tmp_path, make):
    """The config (7 kB and more, 'loss_weight=1.0' and 'max_epochs=100' in it) fills the head: the
    log was refused as an unknown format, and read as 18 runs when forced."""
    path = tmp_path / "20221008_171700.log"
    path.write_text("\n".join(make(12)) + "\n")
    runs = fd.read_runs(path)
    assert len(runs) == 1 and runs[0].meta["format"] == "console"
    run = runs[0]
    assert list(run.series["loss"].steps) == list(range(1, 13))
    val = [k for k in run.series if k.startswith("val_") and "1" in k]
    assert val and len(run.series[val[0]].values) == 12
    assert "lr" not in run.series or len(run.series["lr"].values) != 60  # bookkeeping is no curve


def test_mmengine_best_checkpoint_notices_do_not_split_the_run(tmp_path):
    """'The best checkpoint with 3.9889 accuracy/top1 at 10 epoch is saved to ..' after each
    evaluation (mmpretrain): read as a record of another dialect, it began a new run, and a
    141-epoch log read as 10 runs."""
    lines = []
    for line in _mmengine(12):
        lines.append(line)
        if "Epoch(val)" in line:
            e = int(line.split("[")[1].split("]")[0])
            lines += [f"12/01 10:00:31 - mmengine - INFO - The previous best checkpoint /work_dirs/best_accuracy_top1_epoch_{e - 1}.pth is removed",
                      f"12/01 10:00:31 - mmengine - INFO - The best checkpoint with {30 + 5 * e:.4f} accuracy/top1 at {e} epoch "
                      f"is saved to best_accuracy_top1_epoch_{e}.pth."]
    path = tmp_path / "train_log.log"
    path.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(path)
    assert len(runs) == 1
    assert len(runs[0].series["loss"]) == 12
