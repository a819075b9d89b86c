"""Shared helpers for tabular logs (CSV and records): columns -> RunHistory."""

from __future__ import annotations

import csv
import io
import math
import re
import sys
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io.base import read_text

MISSING = {"", "na", "n/a", "nan", "none", "null", "-"}
#: Columns that are an axis or bookkeeping, never a curve.
AXIS_COLUMNS = {"epoch", "epochs", "step", "steps", "global_step", "iteration", "iter", "it",
                "time", "timestamp", "wall_time", "walltime", "created_at", "date", "runtime",
                "elapsed", "elapsed_time", "duration", "epoch_time", "train_runtime", "eval_runtime",
                "train_samples_per_second", "train_steps_per_second", "eval_samples_per_second",
                "eval_steps_per_second", "total_flos", "samples", "batch", "data_time"}


#: evaluations agreeing on how many rows they covered agree within this share; one that
#: differs by more than OTHER_SET_SHARE covered another set
SAME_SET_SHARE = 0.05
OTHER_SET_SHARE = 0.15


def evaluated_elsewhere(counts: Sequence[float | None]) -> list[int]:
    """The positions of the evaluations made on another set than the rest. A Hugging Face
    Trainer logs each evaluation's ``eval_runtime`` and ``eval_samples_per_second``, whose
    product is the rows it covered: 159 at each of 31 evaluations and 210 at the last (a final
    ``evaluate()`` on the test split, or on the train rows) says the last scored other data, and
    belongs to no validation curve. Only where four or more evaluations agree within 5%, and
    the odd ones are at most a tenth of them."""
    known = [(i, c) for i, c in enumerate(counts) if c is not None and math.isfinite(c) and c > 0]
    if len(known) < 4:
        return []
    typical = float(np.median([c for _, c in known]))
    same = [i for i, c in known if abs(c - typical) <= SAME_SET_SHARE * typical]
    odd = [i for i, c in known if abs(c - typical) > OTHER_SET_SHARE * typical]
    if len(same) < 4 or len(same) + len(odd) != len(known) or len(odd) > 0.1 * len(known):
        return []
    return odd


def other_set_note(where: Sequence[str], counts: Sequence[float | None], odd: Sequence[int]) -> str:
    """The note for the evaluations :func:`evaluated_elsewhere` set aside (``odd``, each at the
    place ``where`` names) among all of them (``counts``)."""
    typical = float(np.median([c for j, c in enumerate(counts) if j not in odd and c]))
    at = ", ".join(f"{w} ({counts[j]:.0f} rows)" for w, j in zip(where, odd))
    return (f"the evaluation at {at} covered other data than the other {len(counts) - len(odd)} ({typical:.0f} rows "
            "each, from eval_runtime x eval_samples_per_second): a final evaluation on another set, left out "
            "of the validation curves")


#: The largest csv field size limit every platform accepts (it is a C long: 32 bits on Windows).
FIELD_LIMIT_MAX = min(sys.maxsize, 2**31 - 1)


def allow_fields_of(size: int) -> None:
    """Let the csv module read a field of ``size`` characters (default limit: 128 KiB).

    A log is read whole, so no field is longer than the text: raising the process-wide limit
    to the text's length (never lowering it) lets a 5 MB cell be just a bad cell.
    """
    if size >= csv.field_size_limit():
        csv.field_size_limit(min(size + 1, FIELD_LIMIT_MAX))


def shown(name: str, limit: int = 60) -> str:
    """A column name or cell for a message: quoted, cut to ``limit`` characters."""
    return repr(name) if len(name) <= limit else repr(name[:limit]) + f"... ({len(name)} characters)"


def is_bookkeeping(name: str) -> bool:
    """An axis, timing or identifier column (``epoch``, ``runtime``, ``run_id``): never a curve."""
    low = name.strip().lower()
    # Weights & Biases exports prefix its own bookkeeping with "_" (_step, _runtime, _timestamp)
    return low in AXIS_COLUMNS or low == "id" or low.endswith("_id") or low.startswith("_")


def parse_cell(cell: str) -> float | None:
    """A number, NaN for explicit NaN spellings, None for a missing/blank cell."""
    s = cell.strip()
    low = s.lower()
    if low in MISSING:
        return float("nan") if low == "nan" else None
    if low in ("inf", "+inf", "infinity"):
        return math.inf
    if low in ("-inf", "-infinity"):
        return -math.inf
    if low.startswith("tensor(") and low.endswith(")"):
        s = s[7:-1].split(",")[0]
    try:
        return float(s)
    except ValueError:
        raise ValueError(s)


#: The delimiters a table's header is sniffed for, in the order a tie goes to.
DELIMITERS = (",", "\t", ";")


#: a line of prose: words and commas ending in a full stop, with a stretch of four words or more
_SENTENCE = re.compile(r"^\s*[A-Z][a-z]*(?=.*\b[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+\b)[A-Za-z ,;'()\-]*\.\s*$")


def cell_at(row: Sequence[str], j: int) -> float | None:
    """Column ``j`` of a row as a number; None when the row is shorter or the cell is no number."""
    try:
        return parse_cell(row[j]) if len(row) > j else None
    except ValueError:
        return None


def is_sentence(line: str) -> bool:
    """A sentence is no header, though its commas split it ("The loss value printed in the log
    is the current step, and the metric is the average value of previous steps.": PaddlePaddle's
    ``Model.fit`` opens its output so)."""
    return _SENTENCE.match(line) is not None


def delimiter_of(line: str) -> str | None:
    """The delimiter ``line`` holds most of (the first of :data:`DELIMITERS` on a tie), or None
    when it holds none: a header line says how its table is split."""
    delim = max(DELIMITERS, key=line.count)
    return delim if line.count(delim) else None


#: Lines a table may carry above its header that hold no delimiter at all (a title such as
#: "model_history_log" written before a CSVLogger's rows); more than this is not a table.
MAX_TITLE_LINES = 2


#: How many lines a script may print above its table (a title, a rule, its settings, a blank
#: line) when what follows is an epoch or step header over rows of numbers.
MAX_PREAMBLE_LINES = 30
#: the first column of such a header: the axis the rows count
_AXIS_HEAD = ("epoch", "epochs", "step", "steps", "global_step", "iter", "iteration", "iterations")
_NUMBER_CELL = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?%?\s*$", re.I)


def title_lines(lines: Sequence[str]) -> int:
    """How many leading lines are a title above a delimited header: lines with no comma, tab
    or semicolon, followed by one that has them; or any lines at all (a script's own preamble:
    its name, a rule, its settings, whose commas say nothing) above an axis header over rows of
    numbers (see :func:`axis_header_over_rows`). 0 when the first line is the header."""
    titled = 0
    for k in range(min(MAX_TITLE_LINES, len(lines) - 1) + 1):
        if delimiter_of(lines[k]) is not None:
            titled = k
            break
        if not lines[k].strip() or len(lines[k]) > 80:
            break
    if titled < len(lines) and _names_only(lines[titled]):
        return titled
    return next((k for k in range(1, min(MAX_PREAMBLE_LINES, len(lines) - 1) + 1)
                 if axis_header_over_rows(lines, k)), titled)


def _names_only(line: str) -> bool:
    """A delimited line of names, none of them a number or blank: a header, wherever it sits."""
    delim = delimiter_of(line)
    return delim is not None and all(c.strip() and not _NUMBER_CELL.match(c) for c in line.split(delim))


def axis_header_over_rows(lines: Sequence[str], k: int) -> bool:
    """Line ``k`` is a table's header: delimited names, the first an axis (``Epoch,Train_Loss,
    Test_Acc``), and the next line that is not blank a row of as many numbers, the first an
    integer. Strict on purpose: it is what lets any preamble above it be skipped."""
    if k >= len(lines) - 1:
        return False
    delim = delimiter_of(lines[k])
    if delim is None:
        return False
    names = [c.strip().lstrip("#").strip().lower() for c in lines[k].split(delim)]
    if len(names) < 2 or names[0] not in _AXIS_HEAD or any(not c or _NUMBER_CELL.match(c) for c in names):
        return False
    row = next((ln for ln in lines[k + 1:k + 3] if ln.strip()), "")
    cells = row.split(delim)
    return len(cells) == len(names) and cells[0].strip().isdigit() \
        and all(_NUMBER_CELL.match(c) or c.strip().lower() in MISSING for c in cells)


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]], str]:
    """Header and rows of a delimited text file; the delimiter is sniffed from the header."""
    text = read_text(path)
    lines = text.splitlines()
    skipped = 0
    while lines and not lines[0].strip():
        lines.pop(0)
        skipped += 1
    if not lines:
        raise BadInput(f"{path}: file is empty; expected a CSV header and rows")
    titles = title_lines(lines)
    del lines[:titles]
    skipped += titles
    header_line = lines[0]
    delim = delimiter_of(header_line)
    if delim is None:
        raise BadInput(f"{path}: no delimited header found; expected e.g. 'epoch,loss,val_loss'")
    body = "\n".join(lines)
    allow_fields_of(len(body))
    try:
        rows = list(csv.reader(io.StringIO(body), delimiter=delim))
    except csv.Error as exc:
        raise BadInput(f"{path}: not readable as {'CSV' if delim == ',' else 'delimited text'} "
                       f"({exc}); expected a header line and one row per epoch or step") from exc
    if rows and any("\n" in c for c in rows[-1]) and body.count('"') % 2:
        # an opening quote never closed: csv read the rest of the file as one cell
        start = len(lines) - sum(c.count("\n") for c in rows[-1]) + skipped
        raise BadInput(f"{path}: line {max(start, 1)}: a quote (\") is never closed, so the rest of the "
                       "file reads as one cell; expected quotes in pairs (or none)")
    header = [h.strip() for h in rows[0]]
    if header and header[0].startswith("#"):
        # a commented header: numpy.savetxt(header=...) writes "# epoch,loss,...", a
        # hand-written table "#Epoch<TAB>Training Error": the first column is "epoch"
        header[0] = header[0].lstrip("#").strip()
    return header, rows[1:], delim


def columns_to_history(header: Sequence[str], rows: Iterable[Sequence[str]], *, path: Path,
                       fmt: str, axis_column: str | None = None) -> RunHistory:
    """Build a RunHistory from rows; blank cells are absent points (sparse rows are fine).

    A truncated last row (fewer cells than the header, or a half-written number) is
    dropped with a note rather than failing the whole file.
    """
    rows = list(rows)
    h = RunHistory(meta={"source": str(path), "format": fmt})
    if rows and len(rows[-1]) < len(header):
        rows = rows[:-1]
        h.note("last row is incomplete (file still being written?); read up to the row before it")
    if not rows:
        raise BadInput(f"{path}: header only, no rows; expected at least one epoch of values")
    lower = [c.lower() for c in header]
    axis_idx = None
    if axis_column is not None and axis_column in lower:
        axis_idx = lower.index(axis_column)
    else:
        for cand in ("epoch", "step", "global_step", "iteration", "iter"):
            if cand in lower:
                axis_idx = lower.index(cand)
                break
    axis_name = lower[axis_idx] if axis_idx is not None else "row"
    axis = "epoch" if axis_name in ("epoch", "epochs", "row") else "step"
    within = within_epoch_positions(lower, rows, axis_idx) if axis_name in ("epoch", "epochs") else None
    if within is not None:
        h.note(f"column {shown(header[within[0]])} counts the batches within each epoch: each row is read at its "
               "fraction of the epoch (epoch 3 halfway through is 3.5)")
    elif axis_name in ("epoch", "epochs") and (j := step_column_of_epoch_rows(lower, rows, axis_idx)) is not None:
        h.note(f"column {shown(header[axis_idx])} repeats over several rows while {shown(header[j])} rises at each: "
               f"the rows are steps, read on {shown(header[j])}")
        axis_idx, axis_name, axis = j, lower[j], "step"
    cols: dict[int, tuple[list[float], list[float]]] = {i: ([], []) for i in range(len(header))}
    bad_cells = 0
    for r, row in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        if within is not None:
            x = within[1][r]
        elif axis_idx is not None:
            try:
                x = parse_cell(row[axis_idx]) if axis_idx < len(row) else None
            except ValueError:
                x = None
            if x is None or not math.isfinite(x):
                x = float(r)
        else:
            x = float(r)
        for i in range(min(len(row), len(header))):
            if i == axis_idx:
                continue
            try:
                v = parse_cell(row[i])
            except ValueError:
                bad_cells += 1
                continue
            if v is None:
                continue
            cols[i][0].append(x)
            cols[i][1].append(v)
    if bad_cells:
        h.note(f"{bad_cells} non-numeric cell(s) ignored")
    for i, name in enumerate(header):
        if i == axis_idx or not name or is_bookkeeping(name):
            continue
        xs, vs = cols[i]
        if not vs:
            if name:
                h.note(f"column {shown(name)} has no numeric values; ignored")
            continue
        h.add(canonical_name(name), np.asarray(xs), np.asarray(vs), raw_name=name, axis=axis)
    if not h.series:
        raise BadInput(f"{path}: no numeric columns; expected loss/metric columns such as 'loss,val_loss'")
    return h


#: a column counting the batches of each epoch afresh, beside an epoch column
_WITHIN_EPOCH = ("step", "steps", "batch", "batch_idx", "iteration", "iter", "it")


#: counters a log of several rows per epoch keeps running across its epochs
STEP_COLUMNS = ("step", "global_step", "iteration", "iter", "steps")


def steps_within_epochs(epochs: Sequence[float | None], steps: Sequence[float | None]) -> bool:
    """Whether rows are steps that say which epoch they are in: the epoch repeats (several rows
    per epoch, never going back) while a step counter beside it rises at every row (``epoch,
    global_step, loss``: 1,0 1,1 ... 1,6 2,7 ...). Read on the epoch, seven steps would pile on
    one point each, and each new epoch's repeats looked like a resumed run."""
    pairs = [(e, c) for e, c in zip(epochs, steps) if e is not None and c is not None]
    if len(pairs) < 4 or len(pairs) < len([e for e in epochs if e is not None]):
        return False
    es, cs = [e for e, _ in pairs], [c for _, c in pairs]
    return len(set(es)) < len(es) and all(b >= a for a, b in zip(es, es[1:])) \
        and all(b > a for a, b in zip(cs, cs[1:]))


def step_column_of_epoch_rows(lower: Sequence[str], rows: Sequence[Sequence[str]], epoch_idx: int) -> int | None:
    """The step column (:data:`STEP_COLUMNS`) of a table whose rows are steps within repeated
    epochs (:func:`steps_within_epochs`), or None."""
    live = [row for row in rows if any(c.strip() for c in row)]
    for name in STEP_COLUMNS:
        if name in lower:
            j = lower.index(name)
            if steps_within_epochs([cell_at(r, epoch_idx) for r in live], [cell_at(r, j) for r in live]):
                return j
    return None


def within_epoch_positions(lower: Sequence[str], rows: Sequence[Sequence[str]],
                           epoch_idx: int) -> tuple[int, list[float]] | None:
    """``(column, x per row)`` when a step or batch column restarts at each new epoch (``epoch,step``
    rows 1,0 1,50 ... 1,750 2,0 2,50 ...): each row's x is its epoch plus its share of the epoch
    (the counter over one epoch's span), so per-batch rows lie in order on the epoch axis rather
    than piled on whole epochs. None when there is no such column, when the counter runs on
    across epochs (a global step), or when any row lacks a number in either column."""
    def num(row: Sequence[str], i: int) -> float | None:
        v = cell_at(row, i)
        return v if v is not None and math.isfinite(v) else None

    live = [row for row in rows if any(c.strip() for c in row)]
    for name in _WITHIN_EPOCH:
        if name not in lower:
            continue
        j = lower.index(name)
        pairs = [(num(row, epoch_idx), num(row, j)) for row in live]
        if any(e is None or c is None for e, c in pairs) or len(pairs) < 4:
            return None
        epochs = [e for e, _ in pairs]
        if len(set(epochs)) < 2 or len(set(epochs)) == len(epochs) or any(b < a for a, b in zip(epochs, epochs[1:])):
            return None
        groups: dict[float, list[float]] = {}
        for e, c in pairs:
            groups.setdefault(e, []).append(c)
        counts = list(groups.values())
        if any(any(b <= a for a, b in zip(g, g[1:])) for g in counts):
            return None  # not counting up within an epoch
        if not all(nxt[0] < cur[-1] for cur, nxt in zip(counts, counts[1:])):
            return None  # runs on across epochs: a global step, not a count within each
        strides = [b - a for g in counts for a, b in zip(g, g[1:])]
        stride = float(np.median(strides)) if strides else 1.0
        span = max(g[-1] - g[0] for g in counts) + stride
        xs = [e + (c - groups[e][0]) / span for e, c in pairs]
        out, k = [], 0
        for row in rows:
            if any(c.strip() for c in row):
                out.append(xs[k])
                k += 1
            else:
                out.append(math.nan)
        return j, out
    return None


def restart_starts(xs: Sequence[float | None]) -> list[int]:
    """The indices where a run begins again in one file: its epoch or step counter goes back to
    where the current run began or before it (several rows per epoch are fine: 0, 0, 0, 1, 1,
    ...). A counter that steps back less far (a resume) is left as it is, and so is one that
    only ever steps back (a table sorted newest first): every index its own run is no restart."""
    starts = [0]
    first = last = None
    for i, x in enumerate(xs):
        if x is not None and last is not None and x < last and first is not None and x <= first and i > starts[-1]:
            starts.append(i)
            first = None
        if x is not None:
            first = x if first is None else first
            last = x
    if len(starts) > 1 and len(starts) == len(xs):
        return [0]
    return starts
