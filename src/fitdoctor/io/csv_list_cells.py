"""A CSV whose one row holds whole lists, one per cell: pandas' ``to_csv`` of a history.

``pd.DataFrame([losses]).T.to_csv("loss.csv")`` or ``pd.DataFrame({"loss": [per_batch],
"accuracy": [per_batch]}).to_csv(..., index=False)`` writes each curve as the text of a Python
list inside one quoted cell (``"[0.0319, 0.0310, ...]"``), a list of lists when the loop kept
each epoch's batches. The table has one row and no epoch column, so it read as a table of
results and was refused. Each cell is the curve it prints: a flat list one value per epoch, a
list of lists each epoch's batches in order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io.base import json_number

#: what pandas names its index column when the frame is written back with one
_INDEX_NAMES = ("", "unnamed: 0", "index")


def list_cells(header: list[str], rows: list[list[str]]) -> dict[str, object] | None:
    """``{column: parsed list}`` when the table is one row whose cells (an index column aside)
    each hold a bracketed list of numbers or of lists of numbers; else None."""
    if len(rows) != 1 or len(rows[0]) != len(header):
        return None
    out: dict[str, object] = {}
    for j, (name, cell) in enumerate(zip(header, rows[0])):
        text = cell.strip()
        if name.strip().lower() in _INDEX_NAMES and text.isdigit():
            continue  # the frame's index, written beside its one row
        if not text.startswith("["):
            return None
        value = _parsed(text, last=j == len(header) - 1)
        if not _numbers(value) and not (isinstance(value, list) and value and all(_numbers(v) for v in value)):
            return None
        out[name.strip()] = value
    return out or None


#: the note a list cut short at the file's end gets (see :func:`_parsed`)
CUT_NOTE = "the last list is cut short (file still being written?); read its complete values"


def _parsed(text: str, last: bool) -> object:
    """The cell's list; for the row's last cell, one cut short at the end of the file (a run
    still writing it) is read up to its last complete value (or, nested, its last complete
    list), marked by a ``CutList``."""
    from fitdoctor.io.json_logs import python_literal

    value = python_literal(text)
    if value is not None or not last or text.rstrip().endswith("]"):
        return value
    for cut in (text[:text.rfind("],") + 1] + "]", text[:text.rfind(",")] + "]"):
        value = python_literal(cut)
        if isinstance(value, list) and value:
            return CutList(value)
    return None


class CutList(list):
    """A list read up to its last complete value: the file ended inside it."""


def _numbers(value: object) -> bool:
    """A non-empty list of numbers (a missing one, None, allowed)."""
    return isinstance(value, list) and bool(value) and all(v is None or json_number(v) is not None for v in value)


def list_cells_history(path: Path, cells: dict[str, object], fmt: str) -> RunHistory:
    """The run the list cells print: a flat list per epoch, a list of lists per batch inside
    its epoch (batch i of n in epoch e at e + (i + 1) / n). A column named by a bare number
    (``0``, pandas' default) takes the metric the file's name says, as a bare list does."""
    from fitdoctor.io.number_list import metric_of

    h = RunHistory(meta={"source": str(path), "format": fmt})
    nested = False
    for raw, value in cells.items():
        name = canonical_name(raw)
        if raw.isdigit() or not name:
            if len(cells) != 1 or (name := metric_of(path)) is None:
                raise BadInput(f"{path}: a column of lists named {raw!r}, and the file's name ({path.stem!r}) does "
                               "not say what they are; expected a header such as 'loss' or a name like loss.csv")
        if all(isinstance(v, list) for v in value):  # type: ignore[union-attr]
            nested = True
            steps = [e + (i + 1) / len(batch) for e, batch in enumerate(value) for i in range(len(batch))]  # type: ignore[arg-type]
            values = [np.nan if v is None else float(v) for batch in value for v in batch]  # type: ignore[union-attr]
        else:
            values = [np.nan if v is None else float(v) for v in value]  # type: ignore[union-attr]
            steps = list(range(1, len(values) + 1))
        h.add(name, np.asarray(steps, dtype=float), np.asarray(values, dtype=float), raw_name=raw)
    if any(isinstance(v, CutList) for v in cells.values()):
        h.note(CUT_NOTE)
    shown = ", ".join(repr(k) for k in cells)
    h.note(f"one row whose cells each hold a whole list ({shown}; pandas' to_csv of lists): read as "
           + ("each epoch's batches in order" if nested else "one value per epoch")
           + (f", named by the file ({path.stem!r})" if any(k.isdigit() for k in cells) else ""))
    return h
