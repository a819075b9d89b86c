"""An ``Epoch N`` header followed by one bare number per line (each batch's loss, printed by
``print(loss.item())``): refused before as "no training output found"."""

from __future__ import annotations

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput


def _log(epochs: int, batches: int, *, word: str = " Losses", total: bool = True, start: int = 1,
         runs: int = 1) -> str:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(runs):
        for e in range(start, start + epochs):
            out.append(f"Epoch {e}/{epochs}{word}" if total else f"Epoch {e}{word}")
            level = 0.9 + 1.9 * np.exp(-(e - start) / 4)
            out += [f"{v:.2f}" for v in level + rng.normal(0, 0.08, batches)]
    return "\n".join(out) + "\n"


def test_each_epoch_reads_as_the_mean_of_its_batch_losses(tmp_path):
    path = tmp_path / "train_log.txt"
    path.write_text(_log(12, 40))
    [run] = fd.read_runs(path)
    loss = run.series["loss"]
    assert list(loss.steps) == list(range(1, 13))
    assert loss.values[0] == pytest.approx(2.8, abs=0.06) and loss.values[-1] < 1.1
    assert any("bare number per line" in n for n in run.meta["notes"])
    assert fd.diagnose(run).codes  # a verdict, not a refusal


def test_a_bare_epoch_header_counted_from_zero_reads_too(tmp_path):
    path = tmp_path / "train_log.txt"
    path.write_text(_log(3, 250, word="", total=False, start=0))
    [run] = fd.read_runs(path)
    assert list(run.series["loss"].steps) == [0, 1, 2]


def test_runs_started_again_are_runs_and_keep_their_line_numbers(tmp_path):
    path = tmp_path / "train_log.txt"
    path.write_text(_log(6, 10, runs=2))
    runs = fd.read_runs(path)
    assert len(runs) == 2
    assert "line 67" in runs[1].meta["run"]  # the second 'Epoch 1/6' header, as the file numbers it


def test_a_header_naming_something_else_is_not_read_as_the_loss(tmp_path):
    path = tmp_path / "train_log.txt"
    path.write_text(_log(6, 10, word=" Accuracies"))
    with pytest.raises(BadInput):
        fd.read_runs(path)
