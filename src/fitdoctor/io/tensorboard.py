"""TensorBoard event files and log directories, read without tensorflow or protobuf.

Scalars arrive as ``simple_value`` (torch SummaryWriter, TF1) or as TF2 tensor
summaries (plugin ``scalars``, float/double, empty shape). Folders that belong to
one run are merged into it: Keras's ``train/`` and ``validation/`` (so
``validation/epoch_loss`` becomes ``val_loss``, never a second run's train loss),
torch ``add_scalars`` series folders (``loss_train/`` holding tag ``loss`` becomes
``loss/train``) and torch ``add_hparams`` folders. Every other folder with event
files is a run of its own (``runs/exp1``, ``runs/exp2``). Text, histogram, image,
graph and hparams summaries, empty files and damaged records are skipped with a
note; a damaged file never ends the run.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io._table import AXIS_COLUMNS
from fitdoctor.io._tbproto import Decoded, decode_bulk
from fitdoctor.io._tfrecord import frame_records, masked_crc32c, read_padded
from fitdoctor.io.base import Reader, register
from fitdoctor.io.yolo import add_loss_totals, is_yolo_tags, yolo_series_name

#: Sub-folders Keras (and others) write per data split; they are series of the parent run.
SPLIT_DIRS = {"train", "training", "validation", "val", "valid", "eval", "evaluation", "test"}
#: Bounds for walking a log directory.
MAX_EVENT_FILES = 5000
MAX_WALK_ENTRIES = 20000
_KERAS_ITER = re.compile(r"^evaluation_(.+)_vs_iterations$")
#: Scalars that count or time the run, never curves: the ``epoch`` counter (Lightning, HF's
#: ``train/epoch``), Lightning's ``hp_metric`` placeholder, HF's ``eval/runtime`` and speeds.
BOOKKEEPING_TAGS = AXIS_COLUMNS | {"hp_metric", "runtime", "samples_per_second", "steps_per_second",
                                   "total_flos", "num_input_tokens_seen", "num_tokens"}
#: HF Trainer's end-of-training summary under ``train/`` (one point each; its train_loss is
#: the mean over the run, not a point of the curve), recognised by ``train_runtime``.
HF_SUMMARY_TAGS = {"train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss"}
_HPARAMS_DIR = re.compile(r"^\d{9,}(\.\d+)?$")


def is_event_file(name: str) -> bool:
    return "tfevents" in name


@dataclass
class _TagData:
    """All points of one tag in one folder (all its event files together)."""

    step: np.ndarray
    wall: np.ndarray
    value: np.ndarray


@dataclass
class _Folder:
    """What one folder's event files hold."""

    rel: str
    tags: dict[str, _TagData] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, set[str]] = field(default_factory=dict)


def _read_file(path: Path, label: str) -> tuple[Decoded, list[str]]:
    notes: list[str] = []
    try:
        data, arr = read_padded(path)
    except OSError as exc:
        return Decoded(), [f"{label}: cannot read ({exc.strerror}); skipped"]
    if not len(data):
        return Decoded(), [f"{label}: empty event file; skipped"]
    arr, framing = frame_records(data, arr)
    notes += [f"{label}: {n}" for n in framing.notes]
    dec = decode_bulk(data, arr, framing.starts, framing.ends)
    if dec.bad_records:
        notes.append(f"{label}: {dec.bad_records} malformed record(s) skipped")
    if framing.starts.size == 0 and not framing.notes:
        notes.append(f"{label}: no records found; skipped")
    return dec, notes


def _merge_points(chunks: list[tuple[int, Decoded]], tag: str) -> _TagData:
    """Concatenate one tag's points from several files; one point per step, later wall time wins."""
    steps, walls, vals, order = [], [], [], []
    for fi, dec in chunks:
        pts = dec.points.get(tag)
        if pts is None:
            continue
        rec, s, w, v = pts.arrays()
        steps.append(s)
        walls.append(w)
        vals.append(v)
        order.append(fi * (1 << 40) + rec)
    s, w, v, o = (np.concatenate(x) for x in (steps, walls, vals, order))
    if s.size > 1 and np.all(s == s[0]) and len(steps) == 1:
        # Written without a global step: keep every point, in record order.
        return _TagData(np.arange(s.size, dtype=np.int64), w, v)
    idx = np.lexsort((o, w, s))  # by step, then wall time, then file/record order
    s_sorted = s[idx]
    last = np.ones(idx.size, bool)
    last[:-1] = s_sorted[1:] != s_sorted[:-1]
    idx = idx[last]
    return _TagData(s[idx], w[idx], v[idx])


def _read_folder(folder: Path, files: list[Path], rel: str) -> _Folder:
    out = _Folder(rel)
    decoded: list[tuple[int, Decoded]] = []
    for fi, f in enumerate(sorted(files, key=lambda p: p.name)):
        dec, notes = _read_file(f, f"{rel}/{f.name}" if rel not in ("", ".") else f.name)
        out.notes += notes
        decoded.append((fi, dec))
        for kind, tags in dec.skipped.items():
            out.skipped.setdefault(kind, set()).update(tags)
        for kind in dec.other:
            if kind == "graph":
                out.skipped.setdefault("graph", set()).add("(graph)")
    tags = sorted({t for _, d in decoded for t in d.points})
    for tag in tags:
        out.tags[tag] = _merge_points(decoded, tag)
    return out


def _scalars_series_tag(folder_name: str, tags: list[str]) -> str | None:
    """For a torch ``add_scalars`` folder (``loss_train`` holding tag ``loss``), the key."""
    if len(tags) != 1:
        return None
    prefix = tags[0].replace("/", "_") + "_"
    if folder_name.startswith(prefix) and len(folder_name) > len(prefix):
        return folder_name[len(prefix):]
    return None


def _series_name(tag: str, split: str | None) -> tuple[str, str]:
    """(canonical name, axis) for a tag read in an optional split folder."""
    base = tag.rsplit("/", 1)[-1]
    m = _KERAS_ITER.match(base)
    if m:  # Keras: validation metric against the iteration count
        return "iterations/" + canonical_name(f"val_{m.group(1)}"), "step"
    if split in ("train", "training") and base.startswith("batch_"):
        # Keras update_freq="batch": per-batch values beside the per-epoch ones.
        return "iterations/" + canonical_name(base[len("batch_"):]), "step"
    axis = "epoch" if base.startswith("epoch_") else "step"
    name = canonical_name(f"{split}/{tag}" if split else tag)
    return name, axis


def _build_runs(root: Path, folders: list[_Folder]) -> list[RunHistory]:
    """Merge split, add_scalars and hparams folders into their parent run."""
    groups: dict[str, list[tuple[_Folder, str | None, str | None]]] = defaultdict(list)
    for f in folders:
        parts = [] if f.rel in ("", ".") else f.rel.split("/")
        name = parts[-1] if parts else ""
        parent = "/".join(parts[:-1]) or "."
        key = _scalars_series_tag(name, list(f.tags)) if parts else None
        if parts and name.lower() in SPLIT_DIRS:
            groups[parent].append((f, name.lower(), None))
        elif key is not None:
            groups[parent].append((f, None, key))
        elif parts and "hparams" in f.skipped and (
                _HPARAMS_DIR.match(name) or all(t.startswith("hparam") for t in f.tags)):
            groups[parent].append((f, "hparams", None))  # torch add_hparams' own folder
        else:
            groups[f.rel if parts else "."].append((f, None, None))
    runs = []
    multi = len(groups) > 1
    for run_rel in sorted(groups):
        h = RunHistory(meta={"source": str(root), "format": TensorBoardReader.name})
        if multi or run_rel != ".":
            h.meta["run"] = run_rel if run_rel != "." else root.name
        skipped: dict[str, set[str]] = {}
        leaves = {t.rsplit("/", 1)[-1].lower() for f, _, _ in groups[run_rel] for t in f.tags}
        hf_summary = "train_runtime" in leaves
        # Ultralytics writes its results.csv columns as tags: read them as the yolo reader does
        yolo = is_yolo_tags([t for f, split, key in groups[run_rel] if split is None and key is None
                             for t in f.tags])
        bookkeeping: set[str] = set()
        for f, split, key in sorted(groups[run_rel], key=lambda t: t[0].rel):
            for note in f.notes:
                h.note(note)
            for kind, tags in f.skipped.items():
                skipped.setdefault(kind, set()).update(tags)
            sub = f.rel.rsplit("/", 1)[-1] if f.rel not in ("", ".") else ""
            for tag, td in f.tags.items():
                if key is not None:
                    raw, name, axis = f"{sub}/{tag}", canonical_name(f"{tag}/{key}"), "step"
                elif split == "hparams":
                    raw, axis = f"{sub}/{tag}", "step"
                    name = "hparams/" + canonical_name(tag.split("/", 1)[-1])
                else:
                    raw = f"{sub}/{tag}" if split else tag
                    leaf = tag.rsplit("/", 1)[-1].lower()
                    if leaf in BOOKKEEPING_TAGS or (hf_summary and leaf in HF_SUMMARY_TAGS
                                                    and tag.lower().startswith("train/")):
                        bookkeeping.add(raw)
                        continue
                    if yolo and split is None:
                        yname = yolo_series_name(tag)
                        if yname is None:
                            bookkeeping.add(raw)
                            continue
                        name, axis = yname, "epoch"
                    else:
                        name, axis = _series_name(tag, split)
                h.add(name, td.step.astype(float), td.value, raw_name=raw, axis=axis)
        if yolo:
            h.meta["dialect"] = "ultralytics"
            add_loss_totals(h)
        if bookkeeping:
            tags = sorted(bookkeeping)
            h.note("skipped bookkeeping scalars (counters, timings, run summaries; not curves): "
                   + ", ".join(tags[:6]) + (" ..." if len(tags) > 6 else ""))
        for kind in sorted(skipped):
            tags = sorted(skipped[kind])
            shown = ", ".join(tags[:5]) + (" ..." if len(tags) > 5 else "")
            h.note(f"skipped {kind} summaries (not scalar curves): {shown}")
        runs.append(h)
    return runs


def find_event_files(root: Path) -> dict[Path, list[Path]]:
    """Folder -> event files in it, walking ``root`` (bounded, sorted, no hidden dirs)."""
    found: dict[Path, list[Path]] = {}
    seen = n_files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        seen += len(filenames) + len(dirnames)
        for fn in sorted(filenames):
            if is_event_file(fn):
                found.setdefault(Path(dirpath), []).append(Path(dirpath) / fn)
                n_files += 1
        if n_files >= MAX_EVENT_FILES or seen >= MAX_WALK_ENTRIES:
            break
    return found


def _frames_like_tfrecord(head: bytes) -> bool:
    if len(head) < 12:
        return False
    length = int.from_bytes(head[:8], "little")
    return 0 < length < (1 << 31) and masked_crc32c(head[:8]) == int.from_bytes(head[8:12], "little")


@register
class TensorBoardReader(Reader):
    name = "tensorboard"
    description = ("TensorBoard event files or log folders (torch SummaryWriter, TF2/Keras "
                   "train/ and validation/, several runs)")
    reads_directories = True
    reads_files = True
    claims_recursively = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if path.is_dir():
            return 0.95 if find_event_files(path) else 0.0
        if _frames_like_tfrecord(head):
            return 0.95
        if is_event_file(path.name):
            return 0.9
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        path = Path(path)
        if path.is_dir():
            found = find_event_files(path)
            if not found:
                raise BadInput(f"{path}: no TensorBoard event files (events.out.tfevents.*) "
                               "in this folder")
            folders = [_read_folder(d, files, d.relative_to(path).as_posix())
                       for d, files in sorted(found.items())]
            runs = _build_runs(path, folders)
        else:
            folder = _read_folder(path.parent, [path], ".")
            folder.notes = [n.replace(f"{path.name}: ", "", 1) for n in folder.notes]
            runs = _build_runs(path, [folder])
            for r in runs:
                r.meta["source"] = str(path)
        if not any(r.series for r in runs):
            notes = [n for r in runs for n in r.meta.get("notes", [])]
            why = f" ({'; '.join(notes[:3])})" if notes else ""
            raise BadInput(f"{path}: no scalar summaries found in the TensorBoard events{why}; "
                           "expected scalars such as loss or accuracy")
        return runs
