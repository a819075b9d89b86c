"""The training log of GluonCV's detection scripts (``train_ssd.py``, ``train_yolo3.py``,
``train_faster_rcnn.py``) and the MXNet trainers copied from them:

    INFO:root:[Epoch 0][Batch 99], Speed: 41.337 samples/sec, CrossEntropy=4.872, SmoothL1=2.146
    INFO:root:[Epoch 0] Training cost: 412.513, CrossEntropy=4.120, SmoothL1=1.902
    INFO:root:[Epoch 0] Validation:
    aeroplane=0.41
    ...
    mAP=0.452

The loss terms are running means since the epoch began (GluonCV resets its metrics at each
epoch), so an epoch reads as the last values it printed: its ``Training cost`` line, else its
last batch line. The loss is the sum of the terms, which is what the optimiser steps on (SSD's
classification and box terms, YOLOv3's four, Faster R-CNN's RPN and R-CNN pairs); the terms stay
under their own names. The mAP of the validation block that follows an epoch is its val score,
as is any ``val_``-named value a script prints on its batch lines. Each epoch becomes an
``epoch N | name=value ...`` line for the generic reader.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_BATCH = re.compile(r"\[Epoch\s+(\d+)\]\[Batch\s+(\d+)\],\s*Speed:\s*" + NUM + r"\s*samples/sec,?\s*(.*)$")
_EPOCH_END = re.compile(r"\[Epoch\s+(\d+)\]\s+Training cost:\s*" + NUM + r",?\s*(.*)$")
_VALIDATION = re.compile(r"\[Epoch\s+(\d+)\]\s+Validation:\s*(.*)$")
_TERM = re.compile(r"([A-Za-z][\w.-]*)\s*=\s*(" + NUM + r")")
#: the mean over the classes a detection validation block ends with
_MEAN_AP = re.compile(r"^\s*(mAP|map)\s*=\s*(" + NUM + r")\s*$")


def _cells(terms: str) -> list[str]:
    """The loss (the sum of the terms), then each term by name; ``val_`` values kept as they are."""
    cells, total, parts = [], 0.0, 0
    for name, value in _TERM.findall(terms):
        cells.append(f"{name.lower()}={value}")
        if not name.lower().startswith(("val", "lr")):
            total += float(value)
            parts += 1
    return ([f"loss={total:.6g}"] if parts else []) + cells


def gluoncv_lines_as_lines(text: str) -> tuple[str, str | None]:
    """One ``epoch N | ...`` line per epoch of a GluonCV log (other lines as they were), and a
    note saying what the loss sums; the text unchanged when it holds fewer than two batch or
    epoch-end lines."""
    if "[Epoch" not in text:
        return text, None
    lines = text.split("\n")
    if sum(1 for line in lines if _BATCH.search(line) or _EPOCH_END.search(line)) < 2:
        return text, None
    out: list[str] = []
    epochs: dict[int, dict[str, list[str]]] = {}  # epoch -> {"batch": cells, "end": cells, "val": cells}
    order: list[int] = []
    pending_val: int | None = None

    def at(epoch: int) -> dict[str, list[str]]:
        if epoch not in epochs:
            epochs[epoch] = {}
            order.append(epoch)
        return epochs[epoch]

    for line in lines:
        if m := _BATCH.search(line):
            at(int(m.group(1)))["batch"] = _cells(m.group(3))
            pending_val = None
        elif m := _EPOCH_END.search(line):
            at(int(m.group(1)))["end"] = _cells(m.group(2))
            pending_val = None
        elif m := _VALIDATION.search(line):
            pending_val = int(m.group(1))
            if mean := _MEAN_AP.match(m.group(2)):
                at(pending_val)["val"] = [f"val_map={mean.group(2)}"]
        elif pending_val is not None and (mean := _MEAN_AP.match(line)):
            at(pending_val)["val"] = [f"val_map={mean.group(2)}"]
            pending_val = None
        elif pending_val is not None and "=" in line and "[Epoch" not in line:
            continue  # a class's AP in the validation block
        else:
            pending_val = None
            out.append(line)
    for epoch in order:
        parts = epochs[epoch]
        train = parts.get("end") or parts.get("batch") or []
        if "end" in parts:  # the batch line's own val_ values are not on the epoch-end line
            train = train + [c for c in parts.get("batch", []) if c.startswith("val")]
        cells = train + parts.get("val", [])
        if cells:
            out.append(f"epoch {epoch} | " + " ".join(cells))
    note = ("read from GluonCV's training log, one point per epoch (its last running means); the loss "
            "is the sum of the loss terms it prints")
    return "\n".join(out), note
