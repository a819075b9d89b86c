"""Keras ``CSVLogger`` files and generic CSV tables of per-epoch values.

Keras writes ``epoch`` first and the other keys sorted (``epoch,accuracy,loss,
val_accuracy,val_loss``), ``NA`` where a value is missing, and no particular file
name (its own docs use ``training.log``), so detection goes by the header.
"""

from __future__ import annotations

from pathlib import Path

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io._table import (columns_to_history, delimiter_of, is_bookkeeping, is_sentence, parse_cell,
                                 read_csv_rows, shown, title_lines)
from fitdoctor.io.base import Reader, decode_text, looks_binary, register

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
    fits: list[tuple[int, list[list[str]], list[str]]] = [(2, [], [])]
    first = last = None
    for i, row in enumerate(rows):
        line = i + 2
        if [c.strip().lower() for c in row] == keys:
            if fits[-1][1]:
                fits.append((line + 1, [], []))
            first = last = None
            continue
        try:
            ep = parse_cell(row[0]) if row else None
        except ValueError:
            ep = None
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
    return _one_epoch_fits_joined(fits, len(keys))


def _one_epoch_fits_joined(fits: list[tuple[int, list[list[str]], list[str]]],
                           width: int) -> list[tuple[int, list[list[str]], list[str]]]:
    """A loop that calls ``fit(epochs=1)`` once per epoch, appending to one CSVLogger file,
    writes a one-row "fit" per epoch, each numbered 0. Every fit one row long, the rows are the
    epochs of one run, in order: renumbered 0, 1, 2, ... (one row alone is no curve; refused
    run by run, the whole file was)."""
    if len(fits) < 3 or any(len(rows) != 1 for _, rows, _ in fits):
        return fits
    joined = [[f"{e}", *rows[0][1:width]] for e, (_, rows, _) in enumerate(fits)]
    note = (f"{len(fits)} one-epoch fits appended to one file (fit(epochs=1) in a loop): read as the "
            "consecutive epochs of one run")
    return [(fits[0][0], joined, [note])]


def _epoch_at_least(row: list[str], ep: float) -> bool:
    try:
        v = parse_cell(row[0]) if row else None
    except ValueError:
        return False
    return v is not None and v >= ep


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
        if any(any(w in c for w in LOSS_WORDS) for c in cells):
            return 0.4
        return 0.1 if path.suffix.lower() in (".csv", ".tsv") else 0.0

    def read(self, path: Path) -> list[RunHistory]:
        header, rows, _ = read_csv_rows(path)
        _refuse_results_table(path, header, rows)
        return [columns_to_history(header, rows, path=path, fmt=self.name)]


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
        bad = 0
        for c in cells:
            try:
                parse_cell(c)
            except ValueError:
                bad += 1
        if cells and bad > len(cells) / 2:
            text_cols.append(name)
    if text_cols:
        names = ", ".join(shown(c) for c in text_cols[:3])
        raise BadInput(f"{path}: a table of results (text columns {names}; no epoch/step or loss "
                       "column), not a training log; expected one row per epoch or step")
