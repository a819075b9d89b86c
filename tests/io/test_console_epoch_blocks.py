"""Epochs printed as time-stamped blocks (ST-GCN's print_log and the skeleton-GCN repos built on
it), and a console log whose only score is a named metric such as MAE."""

from __future__ import annotations

import math

import pytest

import fitdoctor as fd


def _stgcn(epochs: int, eval_every: int = 5) -> list[str]:
    """ST-GCN's layout: the config dict first, per-iteration lines, then the epoch's mean."""
    lines = ["[03.24.23|09:56:11] Parameters:",
             "{'work_dir': './work_dir/tmp', 'num_epoch': 50, 'base_lr': 0.1, 'step': [10, 50]}", ""]
    for e in range(epochs):
        lines.append(f"[03.24.23|10:{e:02d}:00] Training epoch: {e}")
        for it in (0, 100):
            lines.append(f"[03.24.23|10:{e:02d}:10] \tIter {e * 200 + it} Done. | loss: {9.0 - e * 0.1:.4f} "
                         f"| lr: {0.1 * 0.5 ** (e // 10):.6f}")
        lines += [f"[03.24.23|10:{e:02d}:30] \tmean_loss: {2.0 * math.exp(-e / 8) + 0.3:.4f}",
                  f"[03.24.23|10:{e:02d}:30] Time consumption:", f"[03.24.23|10:{e:02d}:30] Done."]
        if e % eval_every == eval_every - 1:
            lines += [f"[03.24.23|10:{e:02d}:31] Eval epoch: {e}",
                      f"[03.24.23|10:{e:02d}:40] \tmean_loss: {2.5 - 0.02 * e:.4f}",
                      f"[03.24.23|10:{e:02d}:40] \tTop1: {30 + e:.2f}%",
                      f"[03.24.23|10:{e:02d}:40] \tTop5: {70 + e / 2:.2f}%",
                      f"[03.24.23|10:{e:02d}:40] Done."]
    return lines


def _ctrgcn(epochs: int) -> list[str]:
    """CTR-GCN's layout: two values on the train line, 'Mean test loss of N batches'."""
    lines = ["[ Wed Sep 15 00:00:00 2021 ] Parameters:", "{'work_dir': './work_dir/ctrgcn', 'base_lr': 0.1}"]
    for e in range(1, epochs + 1):
        lines += [f"[ Wed Sep 15 0{e % 10}:00:01 2021 ] Training epoch: {e}",
                  "100%|#| 796/796 [08:07<00:00,  1.63it/s]",
                  f"[ Wed Sep 15 0{e % 10}:08:08 2021 ] \tMean training loss: {3.0 / e:.4f}.  "
                  f"Mean training acc: {20 + 6 * e:.2f}%.",
                  f"[ Wed Sep 15 0{e % 10}:08:08 2021 ] \tTime consumption: [Data]01%, [Network]99%",
                  f"[ Wed Sep 15 0{e % 10}:08:08 2021 ] Eval epoch: {e}",
                  f"[ Wed Sep 15 0{e % 10}:11:28 2021 ] \tMean test loss of 796 batches: {2.5 / e + 0.4:.6f}.",
                  f"[ Wed Sep 15 0{e % 10}:11:28 2021 ] \tTop1: {30 + 5 * e:.2f}%",
                  f"[ Wed Sep 15 0{e % 10}:11:28 2021 ] \tTop5: {60 + 3 * e:.2f}%"]
    return lines


def test_an_stgcn_log_reads_its_eval_block_as_validation(tmp_path):
    """The eval block's mean_loss is the validation loss, not another train point; the per-
    iteration batch losses are left out, and the last lr of each epoch is kept. Before, the log
    opened with '[' and a dict and was refused as broken JSON."""
    path = tmp_path / "log.txt"
    path.write_text("\n".join(_stgcn(30)) + "\n")
    [run] = fd.read_runs(str(path))
    loss, val_loss, val_acc, lr = (run.get(n) for n in ("loss", "val_loss", "val_accuracy", "lr"))
    assert list(loss.steps) == list(range(30))
    assert loss.values[0] == pytest.approx(2.3)  # the epoch's mean, not the iteration's 9.0
    assert list(val_loss.steps) == [4, 9, 14, 19, 24, 29]
    assert val_loss.values[0] == pytest.approx(2.42)
    assert val_acc.values[-1] == pytest.approx(0.59)  # Top1 in percent is the val accuracy
    assert lr.values[0] == pytest.approx(0.1) and lr.values[-1] == pytest.approx(0.025)


def test_a_ctrgcn_log_reads_two_values_on_one_line(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("\n".join(_ctrgcn(6)) + "\n")
    [run] = fd.read_runs(str(path))
    assert run.get("loss").values[1] == pytest.approx(1.5)
    assert run.get("accuracy").values[1] == pytest.approx(0.32)
    assert run.get("val_loss").values[0] == pytest.approx(2.9)
    assert "val_top5" in run.names and "time_consumption" not in " ".join(run.names)


def test_restarts_in_one_block_log_are_separate_runs_named_by_their_file_line(tmp_path):
    """A script started again appends to the same log: each start is a run, and its line
    number points into the file, not into the rewritten text."""
    first, second = _stgcn(12), _stgcn(20)
    path = tmp_path / "log.txt"
    path.write_text("\n".join(first + second) + "\n")
    runs = fd.read_runs(str(path))
    assert [len(r.get("loss")) for r in runs] == [12, 20]
    start = len(first) + second.index("[03.24.23|10:00:00] Training epoch: 0") + 1
    assert runs[1].meta["run"].endswith(f"(line {start})")


def test_a_log_of_only_a_named_metric_is_read(tmp_path):
    """'Epoch 3: Val MAE = 0.0199' names neither a loss nor an accuracy; it was refused as an
    unknown format."""
    path = tmp_path / "log.txt"
    path.write_text("".join(f"Epoch {e}: Val MAE = {0.03 - 0.0005 * e:.6f}\n" for e in range(20)))
    [run] = fd.read_runs(str(path))
    assert list(run.get("val_mae").steps) == list(range(20))
    assert run.get("val_mae").values[-1] == pytest.approx(0.0205)


def _yolo_with_class_tables(epochs: int) -> str:
    """A YOLOv3 repo's layout: batch lines numbered by epoch, and from epoch 5 on, after each
    epoch, a validation pass that prints one unnumbered "class --> mAP" line per class."""
    lines = []
    for e in range(epochs):
        for b in range(0, 2000, 500):
            loss = 30 * math.exp(-e / 4) + 7 + 2 * math.exp(-b / 800)
            lines.append(f"Epoch:[ {e} | {epochs - 1} ]    Batch:[ {b} | 2068 ]    loss_giou: {loss / 5:.4f}    "
                         f"loss: {loss:.4f}    lr: 0.0001")
        if e >= 5:
            lines.append("*" * 20 + "Validate" + "*" * 20)
            lines += [f"{c} --> mAP : {0.4 + 0.01 * e + 0.02 * i:.4f}" for i, c in enumerate(("aeroplane", "bicycle", "bird", "boat"))]
    return "\n".join(lines) + "\n"


def test_a_table_printed_after_each_epoch_does_not_cut_the_run_into_pieces(tmp_path):
    """The per-class mAP lines carry no epoch: each table stays apart, and the numbered lines
    after it go on with the run they continue. Cut at each table, the run read as its first
    five epochs and fifteen one-epoch stubs, dropped."""
    p = tmp_path / "nohup.log"
    p.write_text(_yolo_with_class_tables(20))
    runs = fd.read_runs(p)
    trained = [h for h in runs if "loss" in h.series]
    assert len(trained) == 1 and len(trained[0].series["loss"]) == 20
    assert trained[0].meta["run"].startswith("run 1 ")  # named in the order the runs begin
