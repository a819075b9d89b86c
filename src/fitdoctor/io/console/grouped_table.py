"""Tables whose columns are grouped under a split, one row per epoch:

                               |------------ VALID -------------|----------- TRAIN -------------|---- Accuracy ----|
    lr       iter     epoch    | loss   top-1  top-2            | loss   top-1  top-2           |   Current Best   |
    ---------------------------------------------------------------------------------------------------------------
    0.0001   0.0    0.0        | 0.521  80.365  96.347          | 0.653  66.667  95.480         |     80.365295    |

(the template of many image-classification repos): the group row names the split of the
columns under it, so "loss" is val_loss in one group and the train loss in the other. Rows are
rewritten as ``epoch 0 | val_loss=0.521 val_acc=80.365 ...`` lines for the generic reader.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

GROUP_ROW = re.compile(r"^[^|\n]*\|[-\s]*(?:VALID(?:ATION)?|VAL|TRAIN(?:ING)?|TEST|EVAL)[-\s]*\|.*\|", re.I | re.M)
_CELL = re.compile(NUM)
_DIGIT = re.compile(r"\d")
#: the split a group names, as a key prefix ("" for train); other groups (a running best, time) are left out
_PREFIX = {"valid": "val_", "validation": "val_", "val": "val_", "eval": "val_", "test": "test_",
           "train": "", "training": ""}
_RENAME = {"top-1": "acc", "top1": "acc", "top-2": "top2", "top-5": "top5"}


def grouped_tables_as_lines(text: str) -> str:
    """Every grouped table's rows as ``epoch N | key=value`` lines; other lines as they were."""
    if GROUP_ROW.search(text) is None:  # one scan: most logs hold no such table
        return text
    lines = text.split("\n")
    out: list[str] = []
    columns: list[tuple[str, list[str]]] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        # a group row names groups only: a line with a number in it is a record ("Epoch 3 |
        # Training | Steps: 3533 | Loss: 6.10", DeepSpeech's), whatever its bars
        if GROUP_ROW.match(line) and not _DIGIT.search(line) and i + 1 < len(lines) \
                and lines[i + 1].count("|") == line.count("|"):
            groups = [re.sub(r"[-\s]", "", g).lower() for g in line.split("|")]
            names = [seg.split() for seg in lines[i + 1].split("|")]
            if any("epoch" in (n.lower() for n in seg) for seg in names[:1]):
                columns = list(zip(groups, names))
                out += ["", ""]
                i += 2
                continue
        if columns is not None and 2 <= line.count("|") <= len(columns) - 1:  # a last cell may close no "|"
            row = _row(line, columns)
            if row is not None:
                out.append(row)
                i += 1
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _row(line: str, columns: list[tuple[str, list[str]]]) -> str | None:
    epoch: int | None = None
    parts: list[str] = []
    for (group, names), seg in zip(columns, line.split("|")):
        cells = seg.split()
        if len(cells) != len(names) or not all(_CELL.fullmatch(c) for c in cells):
            continue  # a time cell ("0 hr 06 min"), or a group this row leaves empty
        prefix = _PREFIX.get(group, None if group else "")
        if prefix is None:
            continue
        for name, cell in zip(names, cells):
            low = name.lower()
            if low == "epoch" and not group:
                epoch = int(float(cell))
            elif low not in ("iter", "iteration", "step", "time"):
                parts.append(f"{prefix}{_RENAME.get(low, low)}={cell}")
    if epoch is None or not parts:
        return None
    return f"epoch {epoch} | " + " ".join(parts)
