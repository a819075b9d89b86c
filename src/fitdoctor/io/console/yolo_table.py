"""The tables Ultralytics YOLO trainers print to the console, one block per epoch:

          Epoch    GPU_mem   box_loss   obj_loss   cls_loss  Instances       Size
           0/14         0G     0.1105    0.01743     0.0765          3        320: 100%|####| 19/19 [03:43<00:00]
                     Class     Images  Instances          P          R      mAP50   mAP50-95: 100%|####| 10/10 [...]
                       all        289        289    0.00176      0.192     0.0011   0.000251

(YOLOv5 counts epochs from 0, YOLOv8/11 from 1 and head the metrics ``Box(P R mAP50
mAP50-95)``, ``Mask(...)`` for segmentation; older YOLOv5 prints ``gpu_mem box obj cls labels
img_size`` and ``mAP@.5 mAP@.5:.95``). The train row's numbers are the epoch's running means at
its last progress update; the ``all`` row under the metrics header is that epoch's validation.
Rows are rewritten as ``epoch N | key=value`` lines for the generic reader, named as the
``results.csv`` reader names the same columns (``box_loss``, ``val_map50_95``), with ``loss``
the sum of the loss parts (the trainer's total loss). The validation of ``best.pt`` after the
last epoch, and its per-class rows, are not a point of the curve and are left out.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.lines import ANSI
from fitdoctor.io.console.patterns import NUM

#: the train header: "Epoch" then the GPU memory column, whatever the loss parts
TRAIN_HEAD = re.compile(r"^\s*Epoch\s+(?:GPU_mem|gpu_mem)\s+(.*?)\s*$")
#: the metrics header: "Class Images Instances|Labels ..." ending where its progress bar begins
#: (the bar after the share is "|####|" in older releases, "━━━━" with no bar ends in Ultralytics 8.3,
#: and that drawn in a Windows code page: "ΓöüΓöü")
_VAL_HEAD = re.compile(r"^\s*Class\s+Images\s+(?:Instances|Labels)\s+(.*?):?\s*(?:\d{1,3}%(?:\||\s).*)?$")
_ROW = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s+\S+\s+(.*)$")
_ALL = re.compile(r"(?:^|\s)all\s+\d+\s+\d+((?:\s+" + NUM + r")+)\s*$")
_CELL = re.compile(NUM)
_PART = {"box": "box_loss", "obj": "obj_loss", "cls": "cls_loss"}
_METRIC = {"p": "precision", "r": "recall", "map50": "map50", "map50-95": "map50_95", "map@.5": "map50",
           "map@.5:.95": "map50_95", "top1_acc": "accuracy_top1", "top5_acc": "accuracy_top5"}
_GROUP = {"box": "", "mask": "_mask", "pose": "_pose"}


def _loss_names(head: str) -> list[str]:
    """The train columns after GPU memory: the loss parts (named as results.csv names them), then
    the batch's instance count and the image size, which are no curve (empty names)."""
    names = []
    for word in head.split():
        low = word.lower()
        names.append(_PART.get(low, low) if low.endswith("_loss") or low in _PART or low == "loss" else "")
    return names


def _metric_names(head: str) -> list[str]:
    """The validation columns after the instance count: "Box(P", "R", ..., "Mask(P", ..."""
    names, suffix = [], ""
    for word in head.split():
        m = re.match(r"(\w+)\((.*)$", word)
        if m is not None:
            suffix, word = _GROUP.get(m.group(1).lower(), "_" + m.group(1).lower()), m.group(2)
        name = word.rstrip("):").lower()
        names.append(f"val_{_METRIC.get(name, re.sub(r'[^a-z0-9]+', '_', name).strip('_'))}{suffix}")
    return names


def yolo_tables_as_lines(text: str) -> tuple[str, str | None]:
    """Every epoch block of a YOLO console table as ``epoch N | key=value`` lines (other lines as
    they were), and a note naming what ``loss`` sums; the text unchanged when it holds none."""
    if "GPU_mem" not in text and "gpu_mem" not in text:
        return text, None
    lines = text.split("\n")
    out: list[str] = []
    parts: list[str] = []
    metrics: list[str] | None = None
    epoch: str | None = None
    val_done = True
    found = False
    for line in lines:
        # the last of a row's progress updates (a CRLF line's own "\r" is no update)
        last = line.rstrip("\r").split("\r")[-1] if "\r" in line else line
        # each progress update clears its line first ("\x1b[K" before the row)
        last, line = ANSI.sub("", last), ANSI.sub("", line)
        head = TRAIN_HEAD.match(last)
        if head is not None:
            parts, found = _loss_names(head.group(1)), True
            continue
        row = _ROW.match(last) if parts else None
        if row is not None:
            cells = row.group(3).split()
            pairs = [(name, cell.rstrip(":")) for name, cell in zip(parts, cells) if name]
            try:
                values = {name: float(cell) for name, cell in pairs}
            except ValueError:
                out.append(line)
                continue
            epoch, val_done = row.group(1), False
            body = " ".join(f"{k}={v:.6g}" for k, v in values.items())
            if "loss" not in values and len(values) > 1:
                body += f" loss={sum(values.values()):.6g}"  # the trainer's total: the sum of its parts
            out.append(f"epoch {epoch} | {body}")
            continue
        vhead = _VAL_HEAD.match(line.split("\r")[0].rstrip()) or _VAL_HEAD.match(last)
        if vhead is not None:
            metrics = _metric_names(vhead.group(1))
        a = _ALL.search(last) if metrics else None
        if a is not None:
            cells = _CELL.findall(a.group(1))
            if epoch is not None and not val_done and len(cells) == len(metrics):
                out.append(f"epoch {epoch} | " + " ".join(f"{k}={v}" for k, v in zip(metrics, cells)))
            val_done = True  # the first 'all' row is the epoch's; a later one (best.pt) is not
            continue
        if vhead is None:
            out.append(line)
    if not found:
        return text, None
    named = [p for p in parts if p and p != "loss"]
    note = (f"loss is the sum of {', '.join(named)} (the trainer's total loss)" if len(named) > 1 else None)
    return "\n".join(out), note
