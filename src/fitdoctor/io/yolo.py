"""Ultralytics YOLO ``results.csv`` (YOLOv5 and YOLOv8/11 trainers).

What the trainers write (checked against their source):

* YOLOv8 8.0.x and YOLOv5: header ``'%23s,' * n`` (names right-aligned in 23 columns:
  ``                  epoch,         train/box_loss, ...``) and rows ``'%23.5g,' * n``;
* later Ultralytics: ``epoch,time,train/box_loss,...`` unpadded, rows ``'%.6g,' * n``,
  epoch counted from 1, ``time`` the seconds since training started.

Columns: ``train/<part>_loss`` and ``val/<part>_loss`` (box, cls, dfl; obj in YOLOv5;
seg, pose, kobj for other tasks), ``metrics/precision(B)``, ``metrics/recall(B)``,
``metrics/mAP50(B)``, ``metrics/mAP50-95(B)`` (``(M)`` masks, ``(P)`` pose; YOLOv5:
``metrics/mAP_0.5``), classification ``metrics/accuracy_top1``, and ``lr/pg0..2``
(``x/lr0..2`` in YOLOv5). The trainer's total loss is the sum of its parts, so
``loss``/``val_loss`` are built as those sums; the parts stay visible as their own
series. A resumed run appends rows for epochs already written: the last row wins.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io._table import cell_at, parse_cell, read_csv_rows
from fitdoctor.io.base import Reader, decode_text, looks_binary, register

_MARKERS = ("train/box_loss", "val/box_loss", "metrics/map50(b)", "metrics/map_0.5",
            "metrics/accuracy_top1", "train/cls_loss", "train/loss")


def yolo_series_name(raw: str) -> str | None:
    """fitdoctor's name for a results.csv column, or None when it is not a curve."""
    col = raw.strip()
    low = col.lower()
    if low in ("epoch", "time"):
        return None
    if low.startswith(("train/", "val/")):
        split, part = low.split("/", 1)
        part = re.sub(r"[^\w]+", "_", part).strip("_")
        if part == "loss":
            return "loss" if split == "train" else "val_loss"
        return part if split == "train" else f"val_{part}"
    if low.startswith("metrics/"):
        m = col.split("/", 1)[1]
        task = re.search(r"\((\w)\)\s*$", m)
        m = re.sub(r"\(\w\)\s*$", "", m).lower().replace("map_0.5:0.95", "map50_95").replace("map_0.5", "map50")
        m = re.sub(r"[^\w]+", "_", m).strip("_")
        suffix = {"M": "_mask", "P": "_pose"}.get(task.group(1), "") if task else ""
        return f"val_{m}{suffix}"
    if low in ("lr/pg0", "x/lr0"):
        return "lr"
    if low.startswith(("lr/pg", "x/lr")):
        return None  # the other parameter groups follow the same schedule
    return re.sub(r"[^\w]+", "_", low).strip("_")


def _is_yolo_header(cells: list[str]) -> bool:
    low = [c.strip().lower() for c in cells]
    return bool(low) and low[0] == "epoch" and any(c in _MARKERS for c in low)


def is_yolo_tags(tags: list[str]) -> bool:
    """Whether TensorBoard tags are the ones Ultralytics writes (its results.csv columns)."""
    low = {t.strip().lower() for t in tags}
    return any(t.startswith("metrics/") for t in low) and any(t in _MARKERS for t in low)


def add_loss_totals(h: RunHistory) -> None:
    """Add ``loss``/``val_loss`` as the sums of the logged parts, listed first.

    Every ``train/`` and ``val/`` column Ultralytics writes is a part of the trainer's total
    loss (``box_loss``, ``cls_loss``, ``dfl_loss``; ``obj_loss`` in YOLOv5; ``box_om`` and
    ``box_oo`` for YOLOv10's two heads), so the total is their sum at the epochs all share.
    """
    for split, total in (("train", "loss"), ("val", "val_loss")):
        parts = [s for n, s in h.series.items() if s.raw_name.lower().startswith(split + "/")]
        if total in h.series or not parts:
            continue
        steps = parts[0].steps
        for s in parts[1:]:
            steps = np.intersect1d(steps, s.steps)
        if not steps.size:
            continue
        values = np.sum([s.values[np.searchsorted(s.steps, steps)] for s in parts], axis=0)
        names = [s.raw_name for s in parts]
        h.add(total, steps, values, raw_name=f"sum({'+'.join(names)})", axis=parts[0].axis)
        h.note(f"{total} is the sum of {', '.join(names)} (the trainer's total loss)")
    h.series = {k: h.series[k] for k in sorted(h.series, key=lambda n: (n != "loss", n != "val_loss"))}


@register
class YoloResultsReader(Reader):
    name = "yolo"
    description = "Ultralytics YOLO results.csv (train/box_loss, val/box_loss, metrics/mAP50(B), lr/pg0; padded or not)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        first = next((ln for ln in decode_text(head).splitlines() if ln.strip()), "")
        return 0.95 if _is_yolo_header(first.split(",")) else 0.0

    def read(self, path: Path) -> list[RunHistory]:
        header, rows, _ = read_csv_rows(path)
        if not _is_yolo_header(header):
            raise BadInput(f"{path}: not an Ultralytics results.csv; expected a header like "
                           "'epoch,time,train/box_loss,...,metrics/mAP50(B),...'")
        h = RunHistory(meta={"source": str(path), "format": self.name})
        if rows and (len(rows[-1]) < len(header) or not _row_ok(rows[-1])):
            rows = rows[:-1]
            h.note("last row is incomplete (file still being written?); read up to the row before it")
        by_epoch: dict[float, list[str]] = {}
        resumed = 0
        for i, row in enumerate(rows):
            if not any(c.strip() for c in row):
                continue
            try:
                ep = parse_cell(row[0])
            except ValueError:
                ep = None
            ep = float(i + 1) if ep is None or not math.isfinite(ep) else ep
            if ep in by_epoch:
                resumed += 1
            by_epoch[ep] = row
        if resumed:
            h.note(f"{resumed} epoch row(s) written twice (resumed run); the later row is used")
        if not by_epoch:
            raise BadInput(f"{path}: header only, no epochs; expected one row per finished epoch")
        epochs = np.array(sorted(by_epoch), dtype=float)
        cols: dict[str, tuple[str, np.ndarray]] = {}
        ignored = []
        for j, raw in enumerate(header):
            name = yolo_series_name(raw)
            if name is None:
                if raw.strip().lower() not in ("epoch", "time"):
                    ignored.append(raw.strip())
                continue
            vals = np.array([_cell(by_epoch[e], j) for e in epochs], dtype=float)
            cols[name] = (raw.strip(), vals)
        if ignored:
            h.note(f"ignored {', '.join(ignored)}: lr of the other parameter groups (same schedule as lr/pg0)")
        for name, (raw, vals) in cols.items():
            h.add(name, epochs, vals, raw_name=raw, axis="epoch")
        add_loss_totals(h)
        return [h]


def _row_ok(row: list[str]) -> bool:
    try:
        for c in row:
            parse_cell(c)
    except ValueError:
        return False
    return True


def _cell(row: list[str], j: int) -> float:
    v = cell_at(row, j)
    return math.nan if v is None else v


#: one epoch of ultralytics/yolov3's (and early YOLOv5's) ``results.txt``: ``'%10s' * 2 + '%10.3g' * 13``
#: -> epoch/last, GPU memory, then box (GIoU), obj, cls and total train loss, targets, image
#: size, P, R, mAP@0.5, F1 (mAP@0.5:0.95 in YOLOv5) and the val box, obj and cls losses
_TXT_ROW = re.compile(r"\s*(\d+)/(\d+)\s+(?:\d+(?:\.\d+)?G?|-)(?:\s+-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\s+nan){13}\s*")

#: the curves of a results.txt row, by position (the 12th, F1 or mAP@0.5:0.95 by version, is left out)
_TXT_COLUMNS = {2: "train/box_loss", 3: "train/obj_loss", 4: "train/cls_loss", 8: "metrics/precision",
                9: "metrics/recall", 10: "metrics/mAP_0.5", 12: "val/box_loss", 13: "val/obj_loss", 14: "val/cls_loss"}


@register
class YoloResultsTxtReader(Reader):
    name = "yolo-txt"
    description = "ultralytics/yolov3's results.txt (epoch/last, GPU memory, the loss parts, P, R, mAP, val losses)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        lines = [ln for ln in decode_text(head).splitlines() if ln.strip()]
        body = lines[:-1] if len(lines) > 1 else lines  # the head may end mid-line
        return 0.9 if body and all(_TXT_ROW.fullmatch(ln) for ln in body) else 0.0

    def read(self, path: Path) -> list[RunHistory]:
        lines = [ln for ln in decode_text(path.read_bytes()).splitlines() if ln.strip()]
        rows = [ln.split() for ln in lines if _TXT_ROW.fullmatch(ln)]
        h = RunHistory(meta={"source": str(path), "format": self.name})
        if len(rows) < len(lines):
            h.note(f"{len(lines) - len(rows)} line(s) not in results.txt's 15 columns ignored (the last one cut short?)")
        if len(rows) < 2:
            raise BadInput(f"{path}: {len(rows)} epoch row(s) of results.txt; need at least 2 to judge a training curve")
        by_epoch = {int(r[0].split("/")[0]): r for r in rows}  # a resumed run writes an epoch again: the last wins
        epochs = np.array(sorted(by_epoch), dtype=float)
        h.meta["planned_epochs"] = float(int(rows[-1][0].split("/")[1]) + 1)
        h.meta["epochs_done"] = float(epochs[-1] + 1)
        h.add("loss", epochs, np.array([float(by_epoch[int(e)][5]) for e in epochs]), raw_name="total", axis="epoch")
        for j, raw in _TXT_COLUMNS.items():
            name = yolo_series_name(raw)
            h.add(name, epochs, np.array([float(by_epoch[int(e)][j]) for e in epochs]), raw_name=raw, axis="epoch")
        add_loss_totals(h)
        h.note("read as ultralytics/yolov3's results.txt: epoch, GPU memory, train box/obj/cls/total loss, targets, "
               "image size, P, R, mAP@0.5, F1, val box/obj/cls loss; loss is the logged total")
        return [h]
