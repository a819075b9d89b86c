"""A table printed at each epoch whose rows are the splits and whose columns are the metrics:

    | Epoch = 1 |  accuracy |        f1 | precision |    recall |   roc_auc |
    +-----------+-----------+-----------+-----------+-----------+-----------+
    |     Train |   87.2133 |   91.8120 |   75.5284 |   79.7514 |   95.8070 |
    |       Val |   86.6412 |   91.0782 |   74.5577 |   78.6962 |   95.0819 |
    |      Test |   75.0000 |   85.7143 |   66.6667 |   66.6667 |   94.7269 |

(``prettytable``/``tabulate`` of a dict of splits, printed once an epoch). The header's first
cell counts the epoch, the others name the metrics, and each row's first cell names its split,
so ``accuracy`` is the train accuracy in one row and ``val_accuracy`` in the next. Each table
becomes one ``epoch N | accuracy=.. val_accuracy=.. test_accuracy=..`` line for the generic
reader, at its header's line; its other lines are left blank, so every line keeps its number.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

#: the header: an epoch count in the first cell, metric names in the others (bars or 2+ spaces apart)
_HEADER = re.compile(r"^\s*\|?\s*epoch\s*[=:#]?\s*(\d+)\s*(?:\||\s{2,})(.+?)\|?\s*$", re.I)
#: a rule line drawn under or around the table
_RULE = re.compile(r"^\s*[+|]?[-=+|:\s]{3,}$")
#: a split's name as a row's first cell, and the prefix its metrics take ("" for train)
_SPLITS = {"train": "", "training": "", "val": "val_", "valid": "val_", "validation": "val_", "dev": "val_",
           "eval": "val_", "test": "test_"}
_CELLS = re.compile(r"\s*\|\s*|\s{2,}")
_NUMBER = re.compile(r"^" + NUM + r"$")
_NAME = re.compile(r"^[A-Za-z][\w@\-./]*$")
#: at least this many tables before the text is rewritten (one table is a summary, not a curve)
MIN_TABLES = 2


def _cells(line: str) -> list[str]:
    return [c for c in _CELLS.split(line.strip().strip("|").strip()) if c]


def split_rows_tables_as_lines(text: str) -> tuple[str, str | None]:
    """Each epoch's split-by-metric table as one ``epoch N | key=value`` line (other lines as
    they were), and a note; the text unchanged when it holds fewer than ``MIN_TABLES`` tables."""
    if "poch" not in text[:1 << 16] and "POCH" not in text[:1 << 16]:
        return text, None
    lines = text.split("\n")
    out = list(lines)
    tables = 0
    i = 0
    while i < len(lines):
        m = _HEADER.match(lines[i])
        names = _cells(m.group(2)) if m else []
        if not names or not all(_NAME.match(n) for n in names):
            i += 1
            continue
        values: list[str] = []
        j = i + 1
        while j < len(lines):
            if _RULE.match(lines[j]):
                j += 1
                continue
            cells = _cells(lines[j])
            split = _SPLITS.get(cells[0].lower()) if cells else None
            if split is None or len(cells) != len(names) + 1 or not all(_NUMBER.match(c) for c in cells[1:]):
                break
            values += [f"{split}{n}={v}" for n, v in zip(names, cells[1:])]
            j += 1
        if values:
            out[i] = f"epoch {m.group(1)} | " + " ".join(values)
            for k in range(i + 1, j):
                out[k] = ""
            tables += 1
        i = max(j, i + 1)
    if tables < MIN_TABLES:
        return text, None
    return "\n".join(out), (f"{tables} tables of splits by metrics (one an epoch) read as one line each: "
                            "a row's split names its metrics")
