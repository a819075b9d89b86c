"""Jupyter notebooks (``.ipynb``): the training output saved in the output cells.

A notebook keeps what each cell printed (``stream`` outputs, and ``text/plain`` of
results such as a printed HF dict); the console parser reads each code cell's text. The
Hugging Face Trainer prints nothing in a notebook: it shows an HTML table of metrics,
which is read too.
Every training run found becomes one RunHistory, in notebook order, with
``meta['run']`` naming the cell (``cell 4 [In 3]``, plus ``run 2`` when a cell trained
twice). Images and HTML widgets are ignored; a notebook is JSON, so a file cut short
is an error that says so.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io.base import Reader, json_object_head, read_text, register
from fitdoctor.io.console import drop_one_value_runs, parse_console_text


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def cell_output_text(cell: dict) -> str:
    """What a code cell printed, in order: streams and plain-text results."""
    parts: list[str] = []
    for out in cell.get("outputs") or []:
        if not isinstance(out, dict):
            continue
        kind = out.get("output_type")
        if kind == "stream":
            parts.append(_text(out.get("text")))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") or {}
            if isinstance(data, dict) and "text/plain" in data:
                plain = _text(data["text/plain"])
                parts.append(plain if plain.endswith("\n") else plain + "\n")
    return "".join(parts)


_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<t([hd])\b[^>]*>(.*?)</t[hd]>", re.S | re.I)


def hf_table_history(html_text: str, *, source: str, fmt: str) -> RunHistory | None:
    """The metrics table the Hugging Face Trainer shows in a notebook, or None.

    ``NotebookProgressCallback`` renders ``Epoch|Step, Training Loss, Validation Loss,
    <metric>...`` with values as ``%.6f`` and ``No log`` where nothing was logged; every
    column after the training loss is an evaluation result.
    """
    for table in _TABLE.findall(html_text):
        rows = [[(kind, html.unescape(re.sub(r"<[^>]+>", "", v)).strip()) for kind, v in _CELL.findall(r)]
                for r in _ROW.findall(table)]
        rows = [r for r in rows if r]
        if len(rows) < 2 or any(kind != "h" for kind, _ in rows[0]):
            continue
        header = [v for _, v in rows[0]]
        if not header or header[0] not in ("Epoch", "Step") or "Training Loss" not in header:
            continue
        h = RunHistory(meta={"source": source, "format": fmt, "dialect": "hf-notebook"})
        axis = "epoch" if header[0] == "Epoch" else "step"
        for j, name in enumerate(header[1:], 1):
            raw = name
            key = "loss" if name == "Training Loss" else "val_loss" if name == "Validation Loss" \
                else "val_" + canonical_name(name)
            xs, vs = [], []
            for row in rows[1:]:
                if len(row) != len(header):
                    continue
                try:
                    x, v = float(row[0][1]), float(row[j][1])
                except ValueError:
                    continue  # "No log": nothing logged at this row
                xs.append(x)
                vs.append(v)
            if vs:
                h.add(key, np.asarray(xs), np.asarray(vs), raw_name=raw, axis=axis)
        if h.series:
            h.note("read from the Trainer's notebook table (values rounded to 6 decimals)")
            return h
    return None


def epoch_table_text(html_text: str) -> str:
    """A ``<table>`` whose header starts with ``epoch`` and names a loss (fastai's
    ``fit_one_cycle`` progress table in a notebook) as whitespace-aligned text, which the
    console reader parses like the same table printed in a terminal; "" when there is none."""
    out: list[str] = []
    for table in _TABLE.findall(html_text):
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", v)).strip() for _, v in _CELL.findall(r)]
                for r in _ROW.findall(table)]
        rows = [r for r in rows if r]
        if len(rows) < 2 or rows[0][0].lower() != "epoch" or not any("loss" in c.lower() for c in rows[0]):
            continue
        out.extend(" ".join(c.replace(" ", "_") or "-" for c in row) for row in rows)
        out.append("")
    return "\n".join(out)


def _cell_label(index: int, cell: dict) -> str:
    count = cell.get("execution_count")
    return f"cell {index + 1}" + (f" [In {count}]" if isinstance(count, int) else "")


def notebook_runs(nb: dict, *, source: str, fmt: str = "notebook") -> list[RunHistory]:
    """Every training run printed in the notebook's code cells, in order."""
    cells = nb.get("cells")
    if not isinstance(cells, list):  # nbformat 3 kept cells under worksheets
        cells = [c for ws in nb.get("worksheets") or [] if isinstance(ws, dict)
                 for c in ws.get("cells") or []]
    runs: list[RunHistory] = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = cell_output_text(cell)
        label = _cell_label(i, cell)
        found = parse_console_text(text, source=source, fmt=fmt) if text.strip() else []
        for out in cell.get("outputs") or []:
            data = out.get("data") if isinstance(out, dict) else None
            page = _text(data.get("text/html")) if isinstance(data, dict) else ""
            if "Training Loss" in page:
                table = hf_table_history(page, source=source, fmt=fmt)
                if table is not None:
                    found.append(table)
            elif "<table" in page and "loss" in page:
                rows = epoch_table_text(page)
                if rows:
                    found.extend(parse_console_text(rows, source=source, fmt=fmt))
        for j, h in enumerate(found):
            h.meta["run"] = label if len(found) == 1 else f"{label}, run {j + 1}"
            h.meta["cell"] = i + 1
        runs.extend(found)
    return drop_one_value_runs(runs)


@register
class NotebookReader(Reader):
    name = "notebook"
    description = "Jupyter notebook (.ipynb): training output printed in its cells, one run per training"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        text = json_object_head(head)
        if text is None:
            return 0.0
        if '"cell_type"' in text or '"nbformat"' in text:
            return 0.95
        if path.suffix.lower() == ".ipynb" and '"cells"' in text:
            return 0.95
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        text = read_text(path)
        try:
            nb = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}: not a valid notebook (invalid JSON at line {exc.lineno}: "
                           f"{exc.msg}); expected an .ipynb saved by Jupyter") from exc
        except RecursionError as exc:
            raise BadInput(f"{path}: JSON nested too deeply; expected an .ipynb saved by Jupyter") from exc
        if not isinstance(nb, dict) or not ("cells" in nb or "worksheets" in nb):
            raise BadInput(f"{path}: JSON without 'cells'; expected an .ipynb saved by Jupyter")
        runs = notebook_runs(nb, source=str(path), fmt=self.name)
        if not runs:
            raise BadInput(f"{path}: no training output in the notebook's output cells; expected a "
                           "cell that ran model.fit / trainer.train / a loop printing losses "
                           "(was it saved with outputs cleared?)")
        return runs
