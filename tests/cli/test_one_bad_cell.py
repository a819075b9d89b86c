"""A CSV log with one non-numeric cell: the validation curve that is drawn is the one judged."""

import pytest
from typer.testing import CliRunner

from fitdoctor.cli import app

ROWS = [(1.0, 1.2), (0.8, 0.95), (0.6, 0.8), (0.5, 0.72), (0.45, 0.68), (0.42, 0.7), (0.4, 0.74),
        (0.38, 0.79), (0.36, 0.84), (0.35, 0.9)]


@pytest.mark.parametrize("row", [0, 1, 4, 9])
@pytest.mark.parametrize("cell", ["oops", "#VALUE!", "n/a", "0.7.1"])
@pytest.mark.parametrize("fmt", [None, "csv"])
def test_one_non_numeric_val_cell(tmp_path, row, cell, fmt):
    p = tmp_path / "log.csv"
    lines = ["epoch,loss,val_loss"] + [f"{i},{a},{cell if i == row else b}" for i, (a, b) in enumerate(ROWS)]
    p.write_text("\n".join(lines) + "\n")
    args = ["diagnose", str(p)] + (["--format", fmt] if fmt else [])
    r = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "val_loss " in r.output  # the sparkline row
    assert "no validation series" not in r.output
    assert "keep:" in r.output and "val_loss" in r.output.split("keep:")[1]
    if cell != "n/a":  # a missing-value marker is a gap; anything else is said to be ignored
        assert "non-numeric" in r.output
