"""A metric named before its epoch, as a sentence says it ('Loss for epoch 3: 0.41'): the most
common hand-written line after 'Epoch 3 loss: 0.41', refused before as an unknown format."""

from __future__ import annotations

import math

import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput


def _write(tmp_path, lines, name="train.log"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("fmt", ["Loss for epoch {e}: {v:.4f}", "Loss at epoch {e} = {v:.4f}", "Loss of epoch {e} is {v:.4f}",
                                 "Average loss in epoch {e}: {v:.4f}", "Loss per epoch {e} :{v!r}"])
def test_a_loss_named_before_its_epoch_is_read_each_epoch(tmp_path, fmt):
    lines = [fmt.format(e=e, v=2.3 * math.exp(-e / 5) + 0.3) for e in range(1, 21)]
    [run] = fd.read_runs(_write(tmp_path, lines))
    assert list(run.series["loss"].steps) == list(range(1, 21))
    assert run.series["loss"].values[0] == pytest.approx(2.3 * math.exp(-1 / 5) + 0.3, abs=1e-4)


def test_split_words_and_later_pairs_keep_their_meaning(tmp_path):
    lines = []
    for e in range(1, 16):
        lines.append(f"Training loss for epoch {e}: {2.0 * math.exp(-e / 5) + 0.3:.4f}, accuracy: {0.9 - 0.5 * math.exp(-e / 5):.4f}")
        lines.append(f"Validation loss for epoch {e}: {2.0 * math.exp(-e / 5) + 0.45:.4f}")
    [run] = fd.read_runs(_write(tmp_path, lines))
    assert {"loss", "val_loss", "accuracy"} <= set(run.series)
    assert len(run.series["val_loss"]) == 15


def test_a_time_stamp_before_the_sentence_is_no_part_of_the_name(tmp_path):
    """'08/02/2022 06:12:00 PM Loss per epoch 11 :1.699' (after 300 lines of other output): the
    loss, not 'pm_loss'; and a log restarted at epoch 0 is a run each time."""
    lines = [f"07/07/2022 11:58:{i % 60:02d} AM Batches image data saved: /plots/." for i in range(300)]
    for run in range(2):
        lines += ["07/07/2022 03:48:00 PM training parameters parse", "07/07/2022 03:48:00 PM epochs:12"]
        lines += [f"08/02/2022 06:{e:02d}:00 PM Loss per epoch {e} :{1.7 + 0.3 * math.exp(-3 * e)!r}" for e in range(12)]
    runs = fd.read_runs(_write(tmp_path, lines, "run.log"))
    assert len(runs) == 2 and set(runs[-1].series) == {"loss"}


def test_a_checkpoint_notice_naming_an_epoch_is_no_record(tmp_path):
    lines = ["Saving model for epoch 3: 0.41", "Saving model for epoch 4: 0.39", "done"]
    with pytest.raises(BadInput):
        fd.read_runs(_write(tmp_path, lines))


@pytest.mark.parametrize("fmt", ["Epoch {e} finished with loss {v:.4f}", "Epoch {e} ended. Avg loss: {v:.4f}",
                                 "The loss after epoch {e} is {v:.4f}"])
def test_a_sentence_s_words_before_the_metric_are_no_part_of_its_name(tmp_path, fmt):
    """Read before as 'finished_with_loss', 'ended._avg_loss', 'the_loss': curves no rule judges."""
    lines = [fmt.format(e=e, v=2.3 * math.exp(-e / 5) + 0.3) for e in range(1, 21)]
    [run] = fd.read_runs(_write(tmp_path, lines))
    assert len(run.series["loss"]) == 20


@pytest.mark.parametrize("fmt,names", [
    ("{{'epoch': {e}, 'train_loss': {t:.4f}, 'val_loss': {v:.4f}}}", {"loss", "val_loss"}),  # print(record)
    ("Epoch: {e:02d}\n\tTrain Loss: {t:.3f} | Train PPL: 9.0\n\t Val. Loss: {v:.3f} |  Val. PPL: 9.0", {"loss", "val_loss"}),
])
def test_common_hand_written_lines_read_their_train_and_validation_loss(tmp_path, fmt, names):
    """Two ways hand loops print an epoch, each misread before: a Python dict per line (refused
    as JSON), and the seq2seq tutorials' 'Val. Loss' (a curve named 'val._loss')."""
    lines = [fmt.format(e=e, t=2.0 * math.exp(-e / 6) + 0.3, v=2.0 * math.exp(-e / 6) + 0.4) for e in range(1, 21)]
    [run] = fd.read_runs(_write(tmp_path, lines))
    assert names <= set(run.series) and len(run.series["val_loss"]) == 20


def test_bare_split_scores_beside_a_named_loss_stay_scores(tmp_path):
    """PyTorch Geometric's examples print 'Epoch: 001, Loss: 1.9461, Train: 0.41, Val: 0.37, Test:
    0.37': the bare split words beside a named loss are accuracies, never more losses."""
    lines = [f"Epoch: {e:03d}, Loss: {2.0 * math.exp(-e / 6) + 0.3:.4f}, Train: {0.9 - 0.5 * math.exp(-e / 6):.4f}, "
             f"Val: {0.85 - 0.5 * math.exp(-e / 6):.4f}, Test: {0.84 - 0.5 * math.exp(-e / 6):.4f}" for e in range(1, 21)]
    [run] = fd.read_runs(_write(tmp_path, lines))
    assert "val_loss" not in run.series and "val_accuracy" in run.series


def test_a_capital_e_glued_to_its_count_and_total_is_an_epoch(tmp_path):
    """'[Fold 0] Head E1/6: train_loss=4055.38 val_sumMSE=390.13': read before by the CSV reader
    as one row of cells; each fold's phases are runs of their own."""
    lines = []
    for fold in range(2):
        lines.append(f"=== Training fold {fold} ===")
        lines += [f"[Fold {fold}] Head E{e}/6: train_loss={400 + 300 / e:.4f} val_sumMSE={330 + 60 / e:.4f}" for e in range(1, 7)]
    runs = fd.read_runs(_write(tmp_path, lines, "train_history.txt"))
    assert len(runs) == 2 and len(runs[-1].series["loss"]) == 6


def test_one_named_column_is_a_metric_per_epoch(tmp_path):
    """'Loss' over one number per line (a pandas Series saved to CSV; Torch7's 'Cost function
    value'): refused before as an unknown format."""
    for name, metric in (("Loss", "loss"), ("Cost function value", "loss"), ("Val Accuracy", "val_accuracy")):
        lines = [name] + [f"{(0.5 + e / 100) if 'Acc' in name else 2.0 * math.exp(-e / 6) + 0.3:.5f}" for e in range(30)]
        [run] = fd.read_runs(_write(tmp_path, lines, "loss_history.csv"))
        assert len(run.series[metric]) == 30


def test_a_column_whose_name_says_nothing_is_not_read_as_a_loss(tmp_path):
    with pytest.raises(BadInput):
        fd.read_runs(_write(tmp_path, ["Price"] + [f"{100 + e:.2f}" for e in range(30)], "prices.csv"))
