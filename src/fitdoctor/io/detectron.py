"""Detection-framework JSON-lines metrics: detectron2 ``metrics.json`` and MMDetection ``*.log.json``.

What the tools write (checked against their source):

* detectron2 ``JSONWriter``: one ``json.dumps(..., sort_keys=True)`` object per line with
  ``iteration`` and the smoothed training scalars (``total_loss``, ``loss_cls``,
  ``loss_box_reg``, ``loss_rpn_cls``, ``loss_rpn_loc``, ``fast_rcnn/cls_accuracy``, ``lr``,
  ``time``, ``data_time``, ``eta_seconds``); the evaluation hook adds ``bbox/AP``,
  ``bbox/AP50``, ``bbox/AP75``, ``bbox/APs|m|l`` (``segm/...`` for masks, ``bbox/AP-<class>``
  per category), on the same or its own line, on a 0-100 scale.
* MMDetection 2 (mmcv ``TextLoggerHook``): a first line with ``env_info``/``config``, then
  ``{"mode": "train", "epoch": 1, "iter": 50, "lr": ..., "memory": ..., "data_time": ...,
  "loss_rpn_cls": ..., "loss": ..., "time": ...}`` (floats rounded to 5 places) and
  ``{"mode": "val", "epoch": 1, "iter": <eval size>, "bbox_mAP": ..., "bbox_mAP_50": ...,
  "bbox_mAP_copypaste": "..."}``.
* MMDetection 3 / mmengine ``vis_data/scalars.json``: training lines with ``epoch``,
  ``iter`` (global) and ``step``; validation lines with ``coco/bbox_mAP`` and ``step`` =
  epoch.

The training loss is ``loss`` (``total_loss`` for detectron2), its parts stay visible;
evaluation scores become validation metrics (``val_map``, ``val_map50``, ...). A last
line cut in half is dropped with a note.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io.base import Reader, json_object_head, read_text, register

_SKIP = {"iteration", "iter", "epoch", "step", "mode", "time", "data_time", "eta_seconds",
         "rank_data_time", "memory", "lr_scale"}
_AP_SUFFIX = {"ap": "map", "ap50": "map50", "ap75": "map75", "aps": "map_s", "apm": "map_m",
              "apl": "map_l", "ar1": "mar1", "ar10": "mar10", "ar100": "mar100"}


def detectron_name(key: str) -> str | None:
    """fitdoctor's name for a detectron2 / MMDetection scalar, or None when it is not a curve."""
    low = key.lower()
    if low in _SKIP or low.endswith(("_copypaste", "_time")):
        return None
    if low in ("total_loss", "loss"):
        return "loss"
    if low == "lr":
        return "lr"
    # detectron2 evaluation: bbox/AP, segm/AP50, keypoints/APs; per-class AP-<name> is skipped
    m = re.fullmatch(r"(bbox|segm|keypoints|sem_seg|panoptic_seg)/(\w+)", key, flags=re.I)
    if m:
        kind, what = m.group(1).lower(), m.group(2).lower()
        base = _AP_SUFFIX.get(what, what)
        return f"val_{base}" if kind == "bbox" else f"val_{kind}_{base}"
    if re.fullmatch(r"(bbox|segm|keypoints)/AP\w*-.+", key, flags=re.I):
        return None
    # MMDetection: bbox_mAP, bbox_mAP_50, segm_mAP_s; mmengine prefixes coco/ or pascal_voc/
    m = re.fullmatch(r"(?:\w+/)?(bbox|segm)_mAP(?:_(\w+))?", key)
    if m:
        kind, what = m.group(1), m.group(2)
        base = "map" + (what if what and what.isdigit() else f"_{what}" if what else "")
        return f"val_{base}" if kind == "bbox" else f"val_segm_{base}"
    m = re.fullmatch(r"(?:\w+/)?mAP", key)
    if m:
        return "val_map"
    if low.startswith("loss"):
        return low.replace("/", "_")
    if low in ("acc", "fast_rcnn/cls_accuracy"):
        return "cls_accuracy"  # the box head's classification accuracy on training proposals
    name = re.sub(r"[^\w]+", "_", low).strip("_")
    return name[len("fast_rcnn_"):] if name.startswith("fast_rcnn_") else name


def _load_lines(path: Path) -> tuple[list[dict], str | None]:
    text = read_text(path)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    records: list[dict] = []
    note = None
    bad = 0
    for n, line in enumerate(lines):
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            if n == len(lines) - 1:
                note = "last line is incomplete (file still being written?); read up to the line before it"
            else:
                bad += 1
            continue
        if isinstance(rec, dict):
            records.append(rec)
    if bad:
        note = (note + "; " if note else "") + f"{bad} unreadable line(s) skipped"
    return records, note


def _num(v) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v.strip().lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
        return float(v)
    return None


def _kind(records: list[dict]) -> str:
    for rec in records[:20]:
        if rec.get("mode") in ("train", "val") and "epoch" in rec:
            return "mmdet"
        if "iteration" in rec:
            return "detectron2"
        if "step" in rec and ("epoch" in rec or any("/" in k for k in rec)):
            return "mmengine"
    return ""


class _Cols:
    def __init__(self) -> None:
        self.data: dict[str, tuple[str, list[float], list[float]]] = {}
        self.skipped: set[str] = set()

    def add(self, rec: dict, x: float) -> None:
        for k, v in rec.items():
            val = _num(v)
            if val is None:
                continue
            name = detectron_name(k)
            if name is None:
                if k.lower() not in _SKIP and not k.lower().endswith("_time"):
                    self.skipped.add(k)
                continue
            raw, xs, vs = self.data.setdefault(name, (k, [], []))
            if xs and xs[-1] == x:  # the same scalar twice at one step: keep the later
                vs[-1] = val
                continue
            xs.append(x)
            vs.append(val)


def _history(cols: _Cols, *, path: Path, fmt: str, axis: str, note: str | None) -> RunHistory:
    h = RunHistory(meta={"source": str(path), "format": fmt})
    order = sorted(cols.data, key=lambda n: (n != "loss", n.startswith("val_")))
    for name in order:
        raw, xs, vs = cols.data[name]
        h.add(name, np.asarray(xs), np.asarray(vs), raw_name=raw, axis=axis)
    if note:
        h.note(note)
    if cols.skipped:
        few = sorted(cols.skipped)
        h.note(f"ignored {len(few)} per-class or bookkeeping scalar(s): {', '.join(few[:6])}"
               + (" ..." if len(few) > 6 else ""))
    return h


@register
class DetectionJSONReader(Reader):
    name = "detectron"
    description = "detectron2 metrics.json and MMDetection *.log.json / scalars.json (JSON lines)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        text = json_object_head(head)
        if text is None:
            return 0.0
        first = text.split("\n", 1)[0]
        if first.startswith('{"env_info"'):
            return 0.9
        if '"iteration"' in text and ('"total_loss"' in text or '"loss_' in text or '"bbox/AP"' in text):
            return 0.9
        if '"mode": "train"' in text and '"epoch"' in text and '"iter"' in text:
            return 0.9
        if '"step"' in text and ('"coco/bbox_mAP"' in text or ('"loss_' in text and '"iter"' in text)):
            return 0.85
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        records, note = _load_lines(path)
        kind = _kind(records)
        if not kind:
            raise BadInput(f"{path}: not a detectron2/MMDetection metrics file; expected JSON lines "
                           'with "iteration" and "total_loss", or "mode"/"epoch"/"iter"')
        cols = _Cols()
        if kind == "detectron2":
            for rec in records:
                it = _num(rec.get("iteration"))
                if it is not None:
                    cols.add(rec, it)
            axis = "step"
        elif kind == "mmdet":
            train = [r for r in records if r.get("mode") == "train"]
            per_epoch = max((_num(r.get("iter")) or 0 for r in train), default=0) or 1
            for r in records:
                ep = _num(r.get("epoch"))
                if ep is None or r.get("mode") not in ("train", "val"):
                    continue
                if r["mode"] == "train":
                    x = ep - 1 + (_num(r.get("iter")) or per_epoch) / per_epoch
                    cols.add(r, round(x, 6))
                else:
                    cols.add({k: v for k, v in r.items() if k != "lr"}, ep)
            axis = "epoch"
        else:  # mmengine scalars.json: training on the iteration axis, validation at step=epoch
            ends: dict[float, float] = {}
            for r in records:
                ep, it = _num(r.get("epoch")), _num(r.get("iter"))
                if ep is not None and it is not None:
                    ends[ep] = max(ends.get(ep, 0.0), it)
            for r in records:
                step = _num(r.get("step"))
                if step is None:
                    continue
                if "epoch" in r:
                    cols.add(r, _num(r.get("iter")) or step)
                else:
                    cols.add(r, ends.get(step, step))
            axis = "step"
        if not cols.data:
            raise BadInput(f"{path}: no numeric metrics found; expected 'total_loss'/'loss' and "
                           "evaluation scores like 'bbox/AP'")
        return [_history(cols, path=path, fmt=self.name, axis=axis, note=note)]
