"""The table DeepXDE (physics-informed networks) prints while it trains:

    Step      Train loss                        Test loss                         Test metric
    0         [1.18e-02, 1.29e-02, 5.61e-01]    [1.18e-02, 1.29e-02, 5.61e-01]    []
    1000      [3.86e-02, 7.37e-04, 5.66e-02]    [3.86e-02, 7.37e-04, 5.66e-02]    []

One list entry per loss term (the PDE residual, each boundary and initial condition); the
model's loss is their sum, as DeepXDE's own "Best model at step N: train loss: ..." summary
reports it. A second ``model.compile`` (Adam, then L-BFGS) prints the header again and goes on
counting steps: one run. Rows are rewritten as ``step N | loss=.. val_loss=..`` lines for the
generic reader; the "Best model" summaries repeat a row and are left out.
"""

from __future__ import annotations

import math
import re

_HEAD = re.compile(r"^\s*Step\s+Train loss\s+Test loss\s+Test metric\s*$")
_ROW = re.compile(r"^\s*(\d+)\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[[^\]]*\]\s*$")
#: DeepXDE's summary after each phase: "Best model at step 15000:" and its indented lines
_SUMMARY = re.compile(r"^\s*(?:Best model at step \d+:|(?:train loss|test loss|test metric):)")


def _total(cells: str) -> float | None:
    """The sum of a row's loss terms (``nan``/``inf`` kept, so a blow-up still shows), or None
    when the list holds no number."""
    try:
        values = [float(c) for c in cells.split(",") if c.strip()]
    except ValueError:
        return None
    return math.fsum(values) if values else None


def deepxde_tables_as_lines(text: str) -> tuple[str, str | None]:
    """Every DeepXDE table row as a ``step N | loss=.. val_loss=..`` line (other lines as they
    were), and a note saying what the losses sum; the text unchanged when it holds no table."""
    if "Train loss" not in text or "Test loss" not in text:
        return text, None
    lines = text.split("\n")
    if not any(_HEAD.match(line) for line in lines):
        return text, None
    out = []
    in_table = False
    for line in lines:
        if _HEAD.match(line):
            in_table = True
            continue
        row = _ROW.match(line) if in_table else None
        if row is not None:
            train, test = _total(row.group(2)), _total(row.group(3))
            if train is not None:
                body = f"loss={train:.6g}" + (f" val_loss={test:.6g}" if test is not None else "")
                out.append(f"step {row.group(1)} | {body}")
                continue
        if in_table and _SUMMARY.match(line):
            continue  # a repeat of a row already read
        out.append(line)
    return "\n".join(out), ("loss and val_loss are the sums of DeepXDE's loss terms (its train and test "
                            "loss), one term per equation and condition")
