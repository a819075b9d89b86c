"""The metric table AllenNLP's trainer logs after each epoch, one metric per row:

    ... allennlp.training.trainer - Epoch 3/199
    ...
    ... allennlp.training.trainer -              Training |  Validation
    ... allennlp.training.trainer - accuracy |     0.333  |     0.000
    ... allennlp.training.trainer - loss     |     2.669  |     3.154
    ... allennlp.training.trainer - cpu_memory_MB | 200.7 |       N/A

(``tensorboard_writer`` in 0.9, ``callbacks.console_logger`` in 2.x; the header is the same
from 0.8 on). A metric's row holds its train value, then its validation value, either one
``N/A`` when that split did not compute it. Each table is rewritten as one ``epoch N | loss=..
val_loss=..`` line for the generic reader, N taken from the "Epoch N/M" line before it (counted
from 0, as AllenNLP prints it); memory rows are the machine, not the model, and are left out.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

#: the header row: "Training |  Validation" ending the line, after the logger's prefix
TABLE_HEAD = re.compile(r"^.*?\s+Training\s+\|\s+Validation\s*$", re.M)
_ROW = re.compile(r"^.*?(?:\s-\s|^)\s*(?P<name>[A-Za-z_][\w@.\-/]*)\s*\|\s*(?P<train>" + NUM + r"|N/A)\s*\|\s*(?P<val>"
                  + NUM + r"|N/A)\s*$")
_EPOCH = re.compile(r"\bEpoch\s+(\d+)\s*/\s*\d+\s*$")
#: rows of the machine: "cpu_memory_MB", "gpu_0_memory_MB", "worker_0_memory_MB"
_MACHINE = re.compile(r"memory", re.I)


def allennlp_tables_as_lines(text: str) -> str:
    """Every AllenNLP epoch table as one ``epoch N | key=value`` line; other lines as they were.

    The "Epoch N/M" lines that number the tables are emptied: their number moves into the
    table's line, and left as they are they would open a Keras epoch of their own."""
    if TABLE_HEAD.search(text) is None:  # one scan: most logs hold no such table
        return text
    lines = text.split("\n")
    epoch_lines = [i for i, line in enumerate(lines) if "Epoch" in line and _EPOCH.search(line)]
    numbering = set(epoch_lines)
    out = ["" if k in numbering else line for k, line in enumerate(lines)]
    epoch: int | None = None
    next_epoch_line = 0
    i = 0
    while i < len(lines):
        while next_epoch_line < len(epoch_lines) and epoch_lines[next_epoch_line] < i:
            epoch = int(_EPOCH.search(lines[epoch_lines[next_epoch_line]]).group(1))
            next_epoch_line += 1
        if "Training" not in lines[i] or not TABLE_HEAD.match(lines[i]):
            i += 1
            continue
        parts: list[str] = []
        j = i + 1
        while j < len(lines):
            m = _ROW.match(lines[j])
            if m is None:
                break
            name = m.group("name")
            if not _MACHINE.search(name):
                for prefix, value in (("", m.group("train")), ("val_", m.group("val"))):
                    if value != "N/A":
                        parts.append(f"{prefix}{name}={value}")
            out[j] = ""
            j += 1
        if parts and epoch is not None:
            out[i] = f"epoch {epoch} | " + " ".join(parts)
        i = j
    return "\n".join(out)
