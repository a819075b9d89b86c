"""Tables of splits by metrics, one an epoch (fitdoctor.io.console.split_rows_table)."""

from __future__ import annotations

import fitdoctor as fd
import pytest
from fitdoctor.errors import BadInput

_RULE = "+-----------+-----------+-----------+-----------+"


def _table(epoch: int, train: float, val: float, test: float, bars: bool = True) -> str:
    """One epoch's table as a Tsetlin-machine trainer prints it with prettytable (bars), or as a
    dict of splits printed in columns (spaces)."""
    rows = [("Train", train), ("Val", val), ("Test", test)]
    if bars:
        return "\n".join([f"| Epoch = {epoch} |  accuracy |        f1 | precision |", _RULE]
                         + [f"| {s:>9} | {a:9.4f} | {a - 1:9.4f} | {a - 2:9.4f} |" for s, a in rows] + [_RULE]) + "\n"
    return "\n".join([f"Epoch {epoch}    accuracy    f1"] + [f"{s:<8}  {a:8.4f}  {a - 1:8.4f}" for s, a in rows]) + "\n"


@pytest.mark.parametrize("bars", [True, False])
def test_each_row_names_the_split_of_its_metrics(tmp_path, bars):
    """A PneumoniaMNIST log of 50 such tables was an unknown log format. Each table is an
    epoch; the row's split names its metrics (Val's accuracy is val_accuracy), percent values
    read as fractions, and the line numbers stay those of the file."""
    p = tmp_path / "log_train.txt"
    p.write_text("Initialization of sparse structure.\n" + "".join(
        _table(e, 87 + e, 86 + 0.8 * e, 75 + 0.5 * e, bars) for e in range(1, 9)))
    h = fd.read(p)
    assert h.meta["format"] == "console"
    assert list(h.series["val_accuracy"].values) == pytest.approx([(86 + 0.8 * e) / 100 for e in range(1, 9)])
    assert list(h.series["accuracy"].values) == pytest.approx([(87 + e) / 100 for e in range(1, 9)])
    assert "test_accuracy" in h.series and list(h.series["val_accuracy"].steps) == list(range(1, 9))
    assert any("tables of splits by metrics" in n for n in h.meta["notes"])


def test_one_table_is_a_summary_not_a_curve(tmp_path):
    p = tmp_path / "log_train.txt"
    p.write_text("Final results\n" + _table(50, 97.4, 94.6, 78.8))
    with pytest.raises(BadInput):
        fd.read(p)
