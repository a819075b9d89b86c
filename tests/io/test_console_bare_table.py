"""Headerless tables of bare numbers (``print(epoch, loss, acc)`` to a file): named by what
each column does, or refused with a line that says why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput


def _write(tmp_path: Path, rows: list[str], name: str = "train_log.txt") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(rows) + "\n")
    return p


def _epochs(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    e = np.arange(n)
    loss = 0.10 + 0.10 * np.exp(-e / 6) + rng.normal(0, 0.002, n)
    acc = np.clip(0.99 - 0.12 * np.exp(-e / 6) + rng.normal(0, 0.004, n), 0, 1)
    return loss, acc


def test_epoch_loss_accuracy_rows_read_as_a_train_loss_and_accuracy(tmp_path):
    """'0 0.2027 0.8718' per line (a peptide classifier's log): the falling column is the loss,
    the one rising within [0, 1] the accuracy, and the note says that is a reading, not a header."""
    loss, acc = _epochs()
    run = fd.read(_write(tmp_path, [f"{i} {float(a)!r} {float(b)!r}" for i, (a, b) in enumerate(zip(loss, acc))]))
    assert list(run.series["loss"].steps[:3]) == [0, 1, 2]
    assert run.series["loss"].values[0] == pytest.approx(loss[0])
    assert run.series["accuracy"].values[-1] == pytest.approx(acc[-1])
    assert "val_loss" not in run.series
    assert any("no header" in n and "column 2 as the train loss" in n for n in run.meta["notes"])
    assert fd.diagnose(run).top.code == "healthy"


def test_epoch_loss_rows_still_falling_read_as_still_improving(tmp_path):
    """'36 0.056163': one loss column, falling 7% over its last twelve epochs and at its lowest at
    the last (a segmentation net's train log): refused as an unknown format before."""
    e = np.arange(37)
    loss = 0.05 + 0.3 * np.exp(-e / 12)
    run = fd.read(_write(tmp_path, [f"{i} {v:.6f}" for i, v in enumerate(loss)], "log_train.txt"))
    assert fd.diagnose(run).top.code == "still_improving"


def test_two_falling_columns_are_refused_with_what_would_make_them_readable(tmp_path):
    """Train and validation loss with no header could be either order: no guess."""
    loss, _ = _epochs()
    p = _write(tmp_path, [f"{i},{a:.4f},{a * 1.1:.4f}" for i, a in enumerate(loss)])
    with pytest.raises(BadInput, match="no header; cannot tell which column is which"):
        fd.read(p)
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "diagnose", str(p)], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "'epoch,loss,val_loss'" in r.stderr


def test_a_falling_column_of_counts_over_one_total_is_an_error_rate_not_a_second_loss(tmp_path):
    """'0 0.6948527238597537, 0.4444444444444444' (a MIL slide classifier's 'epoch loss, error'):
    each value of the third column is a count of 459 slides, so it is the error rate, and the
    two falling columns are read instead of refused."""
    loss, acc = _epochs(60)
    errors = np.round((1 - acc) * 459) / 459
    run = fd.read(_write(tmp_path, [f"{i} {float(a)!r}, {float(b)!r}" for i, (a, b) in enumerate(zip(loss, errors))]))
    assert run.series["loss"].values[0] == pytest.approx(loss[0])
    assert run.series["error"].values[-1] == pytest.approx(errors[-1])
    assert "val_loss" not in run.series
    assert any("column 3 as the train error (it falls, each value a count over one total)" in n
               for n in run.meta["notes"])


def test_a_falling_column_printed_to_four_decimals_is_no_rate(tmp_path):
    """Any value printed to 4 decimals is a count over 10000: that says nothing, so two such
    falling columns stay refused."""
    loss, acc = _epochs(60)
    p = _write(tmp_path, [f"{i} {a:.4f} {1 - b:.4f}" for i, (a, b) in enumerate(zip(loss, acc))])
    with pytest.raises(BadInput, match="no header; cannot tell which column is which"):
        fd.read(p)


def test_a_column_with_no_trend_is_not_named(tmp_path):
    """An index and noise (a data dump, not a log): nothing falls, so nothing is a loss."""
    rng = np.random.default_rng(3)
    p = _write(tmp_path, [f"{i} {v:.4f}" for i, v in enumerate(rng.normal(5, 1, 30))], "data.txt")
    with pytest.raises(BadInput):
        fd.read(p)


def test_a_counter_that_does_not_count_by_one_is_no_epoch_column(tmp_path):
    """'0 0.3', '10 0.2', ...: the first column skips, so it is not read as epochs (nor guessed)."""
    p = _write(tmp_path, [f"{10 * i} {1 / (i + 1):.4f}" for i in range(12)])
    with pytest.raises(BadInput):
        fd.read(p)


def test_a_table_with_a_header_line_is_left_to_the_csv_reader(tmp_path):
    """The same numbers under 'epoch,loss,val_loss,<odd name>': named by their header, not guessed."""
    rows = [f"{i},{1 / (i + 1):.4f},{1.1 / (i + 1):.4f},{i / 10:.3f}" for i in range(20)]
    run = fd.read(_write(tmp_path, ["epoch,loss,val_loss,alert(1)"] + rows, "log.csv"))
    assert {"loss", "val_loss"} <= set(run.series)
    assert not any("no header" in n for n in run.meta.get("notes", []))


def test_rows_of_values_with_no_epoch_column_are_one_epoch_each(tmp_path):
    """'4.557169437408447,4.555976390838623' per line (a video classifier's loss and accuracy in
    percent, no epoch): refused before as an unknown format."""
    loss, acc = _epochs()
    rows = [f"{float(a)!r},{100 * float(b)!r}" for a, b in zip(loss, acc)]
    run = fd.read(_write(tmp_path, rows))
    assert list(run.series["loss"].steps[:3]) == [1, 2, 3]
    assert run.series["loss"].values[0] == pytest.approx(loss[0])
    assert run.series["accuracy"].values[-1] == pytest.approx(acc[-1])
    assert any("no epoch column" in n and "column 1 as the train loss" in n for n in run.meta["notes"])


def test_rows_of_values_with_two_falling_columns_are_refused_with_their_width(tmp_path):
    loss, _ = _epochs()
    rows = [f"{float(a)!r},{float(a) * 1.1!r},0,0" for a in loss]
    with pytest.raises(BadInput, match="4 bare numbers per row"):
        fd.read(_write(tmp_path, rows, "train_log.csv"))
