"""Keras ``CSVLogger`` files and generic CSV tables of per-epoch values.

Keras writes ``epoch`` first and the other keys sorted (``epoch,accuracy,loss,
val_accuracy,val_loss``), ``NA`` where a value is missing, and no particular file
name (its own docs use ``training.log``), so detection goes by the header.
"""

from __future__ import annotations

from pathlib import Path

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io._table import columns_to_history, read_csv_rows
from fitdoctor.io.base import Reader, decode_text, looks_binary, register

LOSS_WORDS = ("loss", "acc", "accuracy", "error", "mae", "mse", "auc")


def _header_cells(head: bytes) -> list[str]:
    text = decode_text(head)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if first.lstrip().startswith(("{", "[", "<")):
        return []  # JSON or markup, not a delimited header
    delim = max([",", "\t", ";"], key=first.count)
    if first.count(delim) == 0:
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
        return [columns_to_history(header, rows, path=path, fmt=self.name, axis_column="epoch")]


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
        return [columns_to_history(header, rows, path=path, fmt=self.name)]
