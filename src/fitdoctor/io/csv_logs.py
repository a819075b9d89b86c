"""Keras ``CSVLogger`` files and generic CSV tables of per-epoch values.

Keras writes ``epoch`` first and the other keys sorted (``epoch,accuracy,loss,
val_accuracy,val_loss``), ``NA`` where a value is missing, and no particular file
name (its own docs use ``training.log``), so detection goes by the header.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from fitdoctor.errors import BadInput
from fitdoctor.history import TRAIN_SPLITS, VAL_SPLITS, RunHistory
from fitdoctor.io._table import (cell_at, columns_to_history, delimiter_of, evaluated_elsewhere, is_bookkeeping,
                                 is_sentence, other_set_note, parse_cell, read_csv_rows, restart_starts, shown,
                                 step_column_of_epoch_rows, title_lines)
from fitdoctor.io.base import Reader, decode_text, looks_binary, register
from fitdoctor.io.csv_list_cells import list_cells, list_cells_history
from fitdoctor.io.console.vocabulary import translate

LOSS_WORDS = ("loss", "acc", "accuracy", "error", "mae", "mse", "auc")


def _header_cells(head: bytes) -> list[str]:
    text = decode_text(head)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    first = next(iter(lines), "")
    if first.lstrip().startswith(("{", "[", "<")):
        return []  # JSON or markup, not a delimited header
    first = lines[title_lines(lines)] if lines else ""
    delim = delimiter_of(first)
    if delim is None or is_sentence(first):
        return []
    return [c.strip().lower() for c in first.split(delim)]


@register
class KerasCSVReader(Reader):
    name = "keras-csv"
    description = "Keras CSVLogger file (epoch,accuracy,loss,val_accuracy,val_loss; any file name)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        cells = _header_cells(head)
        if not cells or cells[0] != "epoch" or "step" in cells:
            return 0.0
        if any("loss" in c for c in cells) and all("/" not in c for c in cells):
            return 0.9
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        header, rows, _ = read_csv_rows(path)
        if not header or header[0].strip().lower() != "epoch":
            raise BadInput(f"{path}: not a Keras CSVLogger file; expected a header starting with 'epoch'")
        fits = split_fits(header, rows)
        runs = []
        for line, fit_rows, notes in fits:
            h = columns_to_history(header, fit_rows, path=path, fmt=self.name, axis_column="epoch")
            if len(fits) > 1:
                h.meta["run"] = f"fit {len(runs) + 1} (line {line})"
            for note in notes:
                h.note(note)
            runs.append(h)
        return runs


#: the counter a table of split-named curves may lead with ("epoch,train,val")
_COUNTERS = ("epoch", "epochs", "step", "steps", "iter", "iteration")


def _split_words_only(cells: list[str]) -> bool:
    """A header naming its curves by their split alone ("train,valid" over two columns of
    numbers in ``losses.txt``): a hand loop's history, whatever the file's suffix; the curves'
    direction says whether they are a loss or an accuracy (see ``bare_split_curves``)."""
    names = [c.strip().lower() for c in cells]
    names = names[1:] if names and names[0] in _COUNTERS else names
    return (len(names) >= 2 and all(n in TRAIN_SPLITS or n in VAL_SPLITS for n in names)
            and any(n in TRAIN_SPLITS for n in names) and any(n in VAL_SPLITS for n in names))


def split_fits(header: list[str], rows: list[list[str]]) -> list[tuple[int, list[list[str]], list[str]]]:
    """(first line, rows, notes) of each ``model.fit`` call in one CSVLogger file.

    ``CSVLogger(append=True)`` keeps writing to the same file across ``fit`` calls (a
    frozen-base phase then fine-tuning, one fit per fold or setting): the epoch counter
    starts again at the first epoch, and each start is a run of its own, never points
    interleaved with the previous run's. A restart at a later epoch is a resumed run
    (``initial_epoch``): the epochs written again replace the earlier rows. A header
    repeated mid-file (files concatenated) also starts a run.
    """
    keys = [c.strip().lower() for c in header]
    if step_column_of_epoch_rows(keys, rows, 0) is not None:
        return [(2, rows, [])]  # steps within epochs, numbered on: one run, whose epochs repeat by design
    fits: list[tuple[int, list[list[str]], list[str]]] = [(2, [], [])]
    first = last = None
    for i, row in enumerate(rows):
        line = i + 2
        if not any(c.strip() for c in row):
            continue  # a blank line (a file saved with \r\r\n line ends has one after every row)
        if [c.strip().lower() for c in row] == keys:
            if fits[-1][1]:
                fits.append((line + 1, [], []))
            first = last = None
            continue
        ep = cell_at(row, 0)
        if ep is not None and last is not None and ep <= last:
            if first is not None and ep <= first:
                fits.append((line, [], []))
                first = None
            else:
                _, cur, notes = fits[-1]
                cur[:] = [r for r in cur if not _epoch_at_least(r, ep)]
                notes.append(f"epochs from {ep:g} written again (training resumed); the later rows are used")
        if ep is not None:
            first = ep if first is None else first
            last = ep
        fits[-1][1].append(row)
    fits = [f for f in fits if f[1]] or [(2, rows, [])]
    return _one_epoch_fits_joined(fits, keys)


def _one_epoch_fits_joined(fits: list[tuple[int, list[list[str]], list[str]]],
                           keys: list[str]) -> list[tuple[int, list[list[str]], list[str]]]:
    """A loop that calls ``fit(epochs=1)`` once per epoch, appending to one CSVLogger file,
    writes a one-row "fit" per epoch, each numbered 0. Every fit one row long, the rows are the
    epochs of one run, in order: renumbered 0, 1, 2, ... (one row alone is no curve; refused
    run by run, the whole file was). A fresh model trained by the same loop later in the file
    shows only in its numbers: see :func:`_fresh_model_rows`."""
    if len(fits) < 3 or any(len(rows) != 1 for _, rows, _ in fits):
        return fits
    lines = [line for line, _, _ in fits]
    rows = [rows[0] for _, rows, _ in fits]
    starts = _fresh_model_rows(rows, keys)
    out = []
    for a, b in zip(starts, starts[1:] + [len(rows)]):
        joined = [[f"{e}", *row[1:len(keys)]] for e, row in enumerate(rows[a:b])]
        note = (f"{b - a} one-epoch fits appended to one file (fit(epochs=1) in a loop): read as the "
                "consecutive epochs of one run")
        if len(starts) > 1:
            note += (f"; the loop trained {len(starts)} models in turn (a loss back above where the one before "
                     "began, then falling again, is a new model's first epoch), this one from line "
                     f"{lines[a]}")
        out.append((lines[a], joined, [note]))
    return out


def _fresh_model_rows(rows: list[list[str]], keys: list[str]) -> list[int]:
    """Where a new model starts among one-epoch rows (indices, the first 0): the train loss
    jumps to at least twice the row before and above the first row of the model before, and the
    next row falls again. A model that blows up does not fall straight back; a fresh one, at
    its first epoch, is at least as bad as the first model was at its own."""
    if "loss" not in keys:
        return [0]
    j = keys.index("loss")

    ys = [v if v is not None and math.isfinite(v) else None for v in (cell_at(r, j) for r in rows)]
    starts = [0]
    for i in range(2, len(ys) - 1):
        y, prev, nxt, first = ys[i], ys[i - 1], ys[i + 1], ys[starts[-1]]
        if None in (y, prev, nxt, first) or i - starts[-1] < 2:
            continue
        if y >= 2 * prev and y > first and nxt < y:
            starts.append(i)
    return starts


def _epoch_at_least(row: list[str], ep: float) -> bool:
    v = cell_at(row, 0)
    return v is not None and v >= ep


#: W&B's "Download CSV": "<run name> - <metric>" columns, each with "__MIN" and "__MAX" twins
_WANDB_COLUMN = re.compile(r"^(?P<run>.+?) - (?P<metric>.+)$")
#: TensorBoard's "Download CSV" of one scalar: the tag is in the file's name only
_TB_EXPORT = ["wall time", "step", "value"]
_TB_TAG = re.compile(r"(?:^|[-_.])tag[-_](?P<tag>.+)$", re.I)
_TB_RUN = re.compile(r"^run[-_](?P<run>.+?)[-_.]tag[-_]", re.I)


def exported_columns(path: Path, header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]], str | None]:
    """A dashboard's CSV export read with its metric names: W&B's ``<run> - train/loss`` columns
    (one run's, its ``__MIN``/``__MAX`` twins dropped) and TensorBoard's ``Wall time,Step,Value``
    for one scalar, its tag taken from the file's name (``run-validation-tag-epoch_loss.csv`` is
    the validation ``epoch_loss``). Anything else as it was, with no note."""
    low = [c.strip().lower() for c in header]
    if low == _TB_EXPORT:
        tag = _TB_TAG.search(path.stem)
        if tag is None:
            return header, rows, None
        run = _TB_RUN.search(path.stem)
        split = run.group("run").lower() if run else ""
        name = tag.group("tag")
        if re.search(r"(?:^|[^a-z])(?:validation|valid|val|eval|test)$", split):  # "run-validation", "run-logs_fit_val"
            name = f"val_{name}"
        return ["wall_time", "step", name], rows, (f"TensorBoard's CSV export of one scalar: its values read as {name!r}, "
                                                    "from the file's name")
    matches = [_WANDB_COLUMN.match(c.strip()) for c in header]
    runs = {m.group("run") for m in matches if m is not None}
    if len(runs) != 1 or sum(m is not None for m in matches) < 1:
        return header, rows, None
    keep = [j for j, m in enumerate(matches) if not (m is not None and re.search(r"__(?:min|max)$", m.group("metric"), re.I))]
    named = [matches[j].group("metric") if matches[j] is not None else header[j] for j in keep]
    rows = [[row[j] if j < len(row) else "" for j in keep] for row in rows]
    (run,) = runs
    return named, rows, f"W&B's CSV export of run {run!r}: its columns read without the run's name, the __MIN/__MAX twins left out"


@register
class GenericCSVReader(Reader):
    name = "csv"
    description = "any CSV/TSV with a header of loss/metric columns (optional epoch or step column)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        cells = _header_cells(head)
        if len(cells) < 2:
            return 0.0
        if any(any(w in c for w in LOSS_WORDS) for c in cells) or _split_words_only(cells):
            return 0.4
        if _transposed_head(head, cells):
            return 0.4
        return 0.1 if path.suffix.lower() in (".csv", ".tsv") else 0.0

    def read(self, path: Path) -> list[RunHistory]:
        header, rows, _ = read_csv_rows(path)
        # column names in another language (步骤,损失,准确率: step, loss, accuracy), as the
        # console reader reads them
        header = [translate(c).strip() for c in header]
        header, rows, export_note = exported_columns(path, header, rows)
        header, tab_note = _tab_joined_header(header, rows)
        flipped = transposed(header, rows)
        if flipped is not None and not flipped[1]:
            raise BadInput(f"{path}: one row per curve ({', '.join(flipped[0][1:4])}) and one column per epoch, but no "
                           "values under the epoch columns; expected a number per curve and epoch")
        if flipped is not None:
            h = columns_to_history(*flipped, path=path, fmt=self.name, axis_column="epoch")
            h.note(f"one row per curve and one column per epoch ({', '.join(flipped[0][1:4])}, ...): a history "
                   "saved transposed (DataFrame(history.history).T), read with its columns as the epochs")
            return [h]
        cells = list_cells(header, rows)
        if cells is not None:
            return [list_cells_history(path, cells, self.name)]
        pairs = keyed_rows(header, rows)
        if pairs is not None:
            h = columns_to_history(*pairs, path=path, fmt=self.name)
            h.note(f"each row names its own values ({','.join(header[:4])},...): read as columns "
                   f"{', '.join(pairs[0])}")
            return [h]
        if _numbers_only([header, *rows[:20]]):
            # no header, the first row is data: the columns are named by what they do, or the
            # file is refused for not saying, as the console reader does with a bare table
            from fitdoctor.io.console.reader import ConsoleReader

            try:
                return ConsoleReader().read(path)
            except BadInput:
                first = ", ".join(c.strip() for c in header[:4]) + (", ..." if len(header) > 4 else "")
                raise BadInput(f"{path}: a table of {len(header)} numbers per row and no header (first row: {first}); "
                               "cannot tell which column is which; add a header line such as "
                               "'epoch,loss,val_loss'") from None
        _refuse_results_table(path, header, rows)
        rows, elsewhere_note = _without_other_set_evals(header, rows)
        export_note = "; ".join(n for n in (export_note, tab_note, elsewhere_note) if n) or None
        columns = _run_columns(header, rows)
        parts = _runs_in_table(header, rows, columns)
        if len(parts) == 1 and _split_column(header, rows) is None:
            h = columns_to_history(header, rows, path=path, fmt=self.name)
            if export_note:
                h.note(export_note)
            return [h]
        runs = []
        named_by = {header[j].strip() for j in columns[1] + columns[2]}
        for name, part_rows in parts:
            h = self._history(path, header, part_rows)
            h.meta["run"] = name
            for key in [k for k, ser in h.series.items() if ser.raw_name in named_by]:
                del h.series[key]  # the run's name (seed=44), not one of its curves
            runs.append(h)
        return runs

    def _history(self, path: Path, header: list[str], rows: list[list[str]]) -> RunHistory:
        """One run's rows; a long table (``epoch,type,MAE,MSE`` with a train row and a val row
        per epoch) gives each split's rows their split's names (``mae``, ``val_mae``)."""
        j = _split_column(header, rows)
        if j is None:
            return columns_to_history(header, rows, path=path, fmt=self.name)
        cut = bool(rows) and len(rows[-1]) < len(header)
        if cut:
            rows = rows[:-1]
        by_split: dict[str, list[list[str]]] = {}
        for row in rows:
            split = row[j].strip().lower() if j < len(row) else ""
            by_split.setdefault(split, []).append(row[:j] + row[j + 1:])
        cols = header[:j] + header[j + 1:]
        train = next((by_split.pop(w) for w in TRAIN_SPLITS if w in by_split), None)
        h = columns_to_history(cols, train, path=path, fmt=self.name) if train else RunHistory(
            meta={"source": str(path), "format": self.name})
        for split, split_rows in by_split.items():
            if not split:
                continue
            held = columns_to_history(cols, split_rows, path=path, fmt=self.name)
            prefix = "test_" if split == "test" and any(w in by_split for w in VAL_SPLITS if w != "test") else "val_"
            for name, series in held.series.items():
                if name != "lr":
                    h.add(prefix + name.removeprefix("val_"), series.steps, series.values,
                          raw_name=f"{series.raw_name} ({header[j].strip()}={split})", axis=series.axis)
        if cut:
            h.note("last row is incomplete (file still being written?); read up to the row before it")
        shown_splits = [w for w in ([train and "train"] + list(by_split)) if w]
        h.note(f"column {header[j].strip()!r} names each row's split: its rows are read as "
               f"{', '.join(shown_splits[:-1])} and {shown_splits[-1]} curves" if len(shown_splits) > 1
               else f"column {header[j].strip()!r} names each row's split")
        return h


def _without_other_set_evals(header: list[str], rows: list[list[str]]) -> tuple[list[list[str]], str | None]:
    """A Trainer's log exported to CSV with the ``eval_*`` cells of an evaluation on another set
    blanked (:func:`~fitdoctor.io._table.evaluated_elsewhere`), and the note saying so."""
    low = [c.strip().lower() for c in header]
    if "eval_runtime" not in low or "eval_samples_per_second" not in low:
        return rows, None
    rt, sps = low.index("eval_runtime"), low.index("eval_samples_per_second")
    evals = [i for i, row in enumerate(rows) if cell_at(row, rt) is not None]
    counts = [(cell_at(rows[i], rt) or 0.0) * (cell_at(rows[i], sps) or 0.0) or None for i in evals]
    odd = evaluated_elsewhere(counts)
    if not odd:
        return rows, None
    step = next((low.index(a) for a in ("step", "global_step", "epoch") if a in low), None)
    blank = {j for j, name in enumerate(low) if name.startswith("eval_")}
    rows = [list(r) for r in rows]
    for j in odd:
        rows[evals[j]] = [("" if k in blank else c) for k, c in enumerate(rows[evals[j]])]
    where = [f"{low[step]} {rows[evals[j]][step].strip()}" if step is not None else f"row {evals[j] + 2}" for j in odd]
    return rows, other_set_note(where, counts, odd)


def transposed(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]] | None:
    """``(header, rows)`` of a history saved with one row per curve and one column per epoch
    (``pd.DataFrame(history.history).T.to_csv()``: header ``,0,1,2,...``), turned to one row per
    epoch; None for any other table. The header after its first cell must count the epochs
    (0, 1, 2, ... or 1, 2, 3, ...), each row must name a curve in its first cell (one of them a
    loss or a metric) and hold numbers after it, so a results table whose columns are numbered
    (one row per model) is not taken for one."""
    if len(header) < 3 or not rows:
        return None
    try:
        epochs = [parse_cell(c) for c in header[1:]]
    except ValueError:
        return None
    if any(e is None or not math.isfinite(e) or e != int(e) for e in epochs) or epochs[0] not in (0, 1) or \
            any(b - a != 1 for a, b in zip(epochs, epochs[1:])):
        return None
    rows = [r for r in rows if any(c.strip() for c in r)]
    names = [r[0].strip() for r in rows]
    if not names or len(set(names)) != len(names) or any(not n or _is_number(n) for n in names) \
            or not any(any(w in n.lower() for w in LOSS_WORDS) for n in names):
        return None
    if any(len(r) > len(header) or any(c.strip() and not _is_number(c) for c in r[1:]) for r in rows):
        return None
    width = len(header) - 1
    out = [[f"{int(e)}", *(r[1 + i] if 1 + i < len(r) else "" for r in rows)] for i, e in enumerate(epochs[:width])]
    while out and not any(c.strip() for c in out[-1][1:]):
        out.pop()
    return ["epoch", *names], out


def keyed_rows(first: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]] | None:
    """``(header, rows)`` of a log whose every line names each of its values, ``name,value``
    pairs in one order (``writer.writerow(["iteration", i, "train_loss", loss, ...])``): the csv
    module takes its first line for a header of numbers and names. None for any other table.
    Every line (the first too) must hold two or more pairs, the same names at the same places,
    one of them a loss or a metric, and a number or a blank after each name."""
    lines = [r for r in [first, *rows] if any(c.strip() for c in r)]
    cells = [[c.strip() for c in r] for r in lines]
    width = len(cells[0])
    if width < 4 or width % 2 or len(cells) < 2:
        return None
    names = cells[0][0::2]
    if any(not n or _is_number(n) for n in names) or len(set(names)) != len(names) \
            or not any(any(w in n.lower() for w in LOSS_WORDS) for n in names):
        return None
    out = []
    for i, r in enumerate(cells):
        complete = len(r) // 2  # a line cut while being written ends in a name without its value
        if r[0::2][:complete] != names[:complete] or len(r) > width:
            return None
        if len(r) < width and i < len(cells) - 1:  # only the last line may be cut
            return None
        if any(v and not _is_number(v) for v in r[1::2]):
            return None
        out.append(r[1::2][:complete])
    return names, out


def _transposed_head(head: bytes, cells: list[str]) -> bool:
    """Whether the first lines look like :func:`transposed`'s table (the file's head only)."""
    lines = [ln for ln in decode_text(head).splitlines() if ln.strip()]
    delim = delimiter_of(lines[0]) if lines else None
    if delim is None or len(lines) < 2:
        return False
    rows = [ln.split(delim) for ln in lines[1:-1] or lines[1:]]  # the head may cut its last line
    return transposed(cells, [r[:len(cells)] for r in rows]) is not None


def _tab_joined_header(header: list[str], rows: list[list[str]]) -> tuple[list[str], str | None]:
    """A header written with tabs above rows written with commas (``"Iteration\td1_loss\tg_loss",,``,
    a tab-separated title row saved into a CSV): its one cell split at the tabs, when that gives
    as many names as the rows have cells; the header unchanged otherwise."""
    filled = [c for c in header if c.strip()]
    if len(filled) != 1 or "\t" not in filled[0] or not rows:
        return header, None
    names = [c.strip() for c in filled[0].split("\t")]
    if len(names) != len(rows[0]) or not all(names):
        return header, None
    return names, f"the header is one cell of tab-separated names above comma-separated rows: read as {', '.join(names)}"


def _numbers_only(rows: list[list[str]]) -> bool:
    """Rows of numbers and blanks only, the first holding a number: a table with no header."""
    return bool(rows) and any(c.strip() for c in rows[0]) and all(
        _is_number(c) or not c.strip() for row in rows for c in row)


def _is_number(cell: str) -> bool:
    try:
        return parse_cell(cell) is not None or cell.strip().lower() == "nan"
    except ValueError:
        return False


def _split_column(header: list[str], rows: list[list[str]]) -> int | None:
    """The column that names each row's split (``type``: train, val), or None."""
    words = set(TRAIN_SPLITS + VAL_SPLITS)
    if rows and len(rows[-1]) < len(header):
        rows = rows[:-1]  # a row cut short ("m,2,tra"): the reader drops it too
    for j, name in enumerate(header):
        cells = {r[j].strip().lower() for r in rows if j < len(r) and r[j].strip()}
        if len(cells) >= 2 and cells <= words and cells & set(TRAIN_SPLITS):
            return j
    return None


#: columns that name the run a row belongs to when they hold numbers ("fold,epoch,loss")
_RUN_COLUMNS = ("fold", "run", "trial", "repeat", "seed", "model", "experiment", "exp", "config")
_AXES = ("epoch", "epochs", "step", "global_step", "iteration", "iter")


def _runs_in_table(header: list[str], rows: list[list[str]],
                   columns: tuple[int | None, list[int], list[int]]) -> list[tuple[str, list[list[str]]]]:
    """(name, rows) of each run in a table that holds several: one run per value of a
    column naming the run (a text column such as ``model`` with a few values, or ``fold``), and
    within each, a new run where the epoch or step counter starts again (a log appended to by
    each training, as CSVLogger's). The rows of the runs are never read as one curve whose epochs
    go 1..19, 1..16, 1..13. One run, as before, when neither is there. ``columns`` is
    :func:`_run_columns`'s answer for this table."""
    axis, labels, mixed = columns
    groups: list[tuple[int, tuple[str, ...], list[list[str]]]] = []
    for i, row in enumerate(rows):
        key = tuple(row[j].strip() if j < len(row) else "" for j in labels)
        if not groups or groups[-1][1] != key:
            groups.append((i + 2, key, []))
        groups[-1][2].append(row)
    if mixed:  # each stretch split again by the runs its rows take turns between
        groups = [(line + sub_line, key + sub_key, sub_rows) for line, key, group in groups
                  for sub_line, sub_key, sub_rows in _untangled(group, mixed)]
        labels = labels + mixed
    out: list[tuple[str, list[list[str]]]] = []
    for line, key, group in groups:
        label = ", ".join(f"{header[j].strip()}={v}" for j, v in zip(labels, key) if v)
        for fit_line, fit_rows in _restarts(group, axis, line):
            name = f"{label} (line {fit_line})" if label else f"run {len(out) + 1} (line {fit_line})"
            out.append((name, fit_rows))
    return out if len(out) > 1 else [("", rows)]


def _run_columns(header: list[str], rows: list[list[str]]) -> tuple[int | None, list[int], list[int]]:
    """(the counter's column, the columns naming runs that hold for stretches of rows, those
    naming runs whose rows take turns)."""
    low = [h.strip().lower() for h in header]
    axis = next((low.index(a) for a in _AXES if a in low), None)
    labels = [j for j, name in enumerate(low) if j != axis and _names_runs(name, j, rows)
              and not _annotates_one_run(j, rows, axis)]
    split = _split_column(header, rows)  # train and val rows taking turns are one run's splits
    mixed = [j for j, name in enumerate(low)
             if j not in (axis, split) and j not in labels and _interleaved(name, j, rows, axis)]
    return axis, labels, mixed


def _restarts(rows: list[list[str]], axis: int | None, first_line: int) -> list[tuple[int, list[list[str]]]]:
    """(first line, rows) of each run where the counter in column ``axis`` starts again
    (:func:`restart_starts`)."""
    if axis is None:
        return [(first_line, rows)]
    starts = restart_starts([cell_at(r, axis) for r in rows])
    return [(first_line + a, rows[a:b]) for a, b in zip(starts, starts[1:] + [len(rows)])]


def _names_runs(name: str, j: int, rows: list[list[str]]) -> bool:
    """Whether column ``j`` names the run of each row: a text column with a few values that
    each hold for a stretch of rows (``model``: lstm, transformer, ensemble), or a numbered
    ``fold``; never a timestamp or a per-row note."""
    if is_bookkeeping(name) and name not in _RUN_COLUMNS:
        return False
    cells = [r[j].strip() for r in rows if j < len(r) and r[j].strip()]
    if not cells or _flag(cells):
        return False
    changes = sum(1 for a, b in zip(cells, cells[1:]) if a != b)
    if changes == 0 or changes > len(cells) / 4:
        return False
    return name in _RUN_COLUMNS or _mostly_text(cells)


def _annotates_one_run(j: int, rows: list[list[str]], axis: int | None) -> bool:
    """Whether text column ``j`` marks rows of one run rather than naming runs: the counter
    counts on across every change of its value, and a value comes back after another
    (``step,phase,...``: 0 trajectory, 1 trajectory, 3 train, 4 train, 5 trajectory: the rows
    that carry a validation checkpoint). Runs named by a column each count on their own, or
    follow one another without coming back; a column whose values come back on one counter is
    a mark on the row (its phase), and split there one run read as seven."""
    if axis is None:
        return False
    xs = [cell_at(r, axis) for r in rows]
    if any(x is None for x in xs) or any(b < a for a, b in zip(xs, xs[1:])):
        return False
    cells = [r[j].strip() if j < len(r) else "" for r in rows]
    seen: set[str] = set()
    for a, b in zip(cells, cells[1:]):
        if a != b:
            if b in seen:
                return True
            seen.add(a)
    return False


def _interleaved(name: str, j: int, rows: list[list[str]], axis: int | None) -> bool:
    """Whether column ``j`` names runs whose rows take turns (``seed,model,epoch``: 42,baseline,1
    then 42,vbll,1, 42,baseline,2 ...): a run-naming column (by name, or text) with 2 to
    ``_MAX_INTERLEAVED`` values that changes from row to row, while the epoch counter repeats
    each value once per run and, within each run's own rows, never stays put."""
    if axis is None or (is_bookkeeping(name) and name not in _RUN_COLUMNS):
        return False
    cells = [r[j].strip() if j < len(r) else "" for r in rows]
    values = list(dict.fromkeys(c for c in cells if c))
    if not 2 <= len(values) <= _MAX_INTERLEAVED or "" in cells or _flag(values):
        return False
    if not (name in _RUN_COLUMNS or _mostly_text(cells)):
        return False
    xs = [cell_at(r, axis) for r in rows]
    if not any(a is not None and a == b for a, b in zip(xs, xs[1:])):
        return False  # the counter moves at every row: the column is no run of its own
    for v in values:
        own = [x for c, x in zip(cells, xs) if c == v]
        if len(own) < 3 or any(a == b for a, b in zip(own, own[1:])):
            return False
    return True


def _untangled(rows: list[list[str]], cols: list[int]) -> list[tuple[int, tuple[str, ...], list[list[str]]]]:
    """(offset of its first row, key, rows) of each run in rows that take turns between runs
    named by ``cols``, in the order each run first appears."""
    out: dict[tuple[str, ...], tuple[int, list[list[str]]]] = {}
    for i, row in enumerate(rows):
        key = tuple(row[j].strip() for j in cols)
        out.setdefault(key, (i, []))[1].append(row)
    return [(first, key, part) for key, (first, part) in out.items()]


#: at most this many runs taking turns row by row in one table
_MAX_INTERLEAVED = 8


def _flag(cells: list[str]) -> bool:
    """A yes/no column (``selected_so_far``: True, False): a mark on each row, never a run's name."""
    return {c.lower() for c in cells} <= {"true", "false", "yes", "no"}


def _mostly_text(cells: list[str]) -> bool:
    """Whether more than half of a column's non-empty cells are no number (a name, not a value)."""
    text = 0
    for c in cells:
        try:
            parse_cell(c)
        except ValueError:
            text += 1
    return text > len(cells) / 2


def _refuse_results_table(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """BadInput for a table of results (one row per model, site or fold), not per epoch.

    Such a table has text columns (a model or dataset name per row) and neither an
    epoch/step column nor a loss: reading its rows as epochs would diagnose a "curve" made
    of different models. A log with a loss column or an axis column is always read.
    """
    low = [h.strip().lower() for h in header]
    if any(c in ("epoch", "epochs", "step", "global_step", "iteration", "iter") for c in low) \
            or any("loss" in c for c in low):
        return
    text_cols = []
    for j, name in enumerate(header):
        if is_bookkeeping(name):  # a timestamp column is text in any log
            continue
        cells = [r[j].strip() for r in rows if j < len(r) and r[j].strip()]
        if cells and _mostly_text(cells):
            text_cols.append(name)
    if text_cols:
        names = ", ".join(shown(c) for c in text_cols[:3])
        raise BadInput(f"{path}: a table of results (text columns {names}; no epoch/step or loss "
                       "column), not a training log; expected one row per epoch or step")
