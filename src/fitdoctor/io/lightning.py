"""PyTorch Lightning ``CSVLogger`` output: ``lightning_logs/version_N/metrics.csv``.

Facts from Lightning's ``_ExperimentWriter`` (lightning 2.6): every ``log_metrics``
call is one row holding only the keys logged then, plus ``step``; the header is
the sorted union of all keys. So train and val metrics sit on separate sparse rows
and a blank cell means "not logged on this row", never NaN (NaN is written as
``nan``). The trainer adds ``epoch`` to its own rows, but ``LearningRateMonitor``
logs ``lr-<Optimizer>`` straight to the logger, so those rows have a blank epoch.
``self.log(..., on_step=True, on_epoch=True)`` gives ``<name>_step`` and
``<name>_epoch`` columns. ``hparams.yaml`` sits next to ``metrics.csv``.

The run is put on the epoch axis (what the curve rules expect); step-level values
are kept as ``<name>_step`` series on the step axis.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import PATH_GROUPS, TRAIN_SPLITS, VAL_SPLITS, RunHistory, canonical_name
from fitdoctor.io._table import parse_cell, read_csv_rows
from fitdoctor.io.base import Reader, decode_text, looks_binary, read_head, register

METRICS_FILE = "metrics.csv"
HPARAMS_FILE = "hparams.yaml"


def _header(head: bytes) -> list[str]:
    text = decode_text(head)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return [c.strip() for c in first.split(",")] if "," in first else []


def header_score(cells: list[str], file_name: str = "") -> float:
    """How much a CSV header looks like Lightning's: a ``step`` column and sorted keys."""
    if len(cells) < 2 or "step" not in cells:
        return 0.0
    is_sorted = cells == sorted(cells)
    if is_sorted and ("epoch" in cells or file_name == METRICS_FILE):
        return 0.95
    if is_sorted:
        return 0.7
    return 0.6 if file_name == METRICS_FILE else 0.0


def version_dirs(root: Path) -> list[Path]:
    """Run folders under ``root``: itself, ``version_*`` children, or ``<name>/version_*``."""
    if (root / METRICS_FILE).is_file():
        return [root]
    found = [d for d in _children(root) if (d / METRICS_FILE).is_file()]
    if not found:
        for d in _children(root):
            found.extend(c for c in _children(d) if (c / METRICS_FILE).is_file())
    return found


def _children(d: Path) -> list[Path]:
    try:
        kids = [c for c in d.iterdir() if c.is_dir() and not c.name.startswith(".")]
    except OSError:
        return []
    return sorted(kids, key=_version_key)


def _version_key(d: Path) -> tuple:
    m = re.fullmatch(r"version_(\d+)", d.name)
    return (str(d.parent), 0, int(m.group(1)), "") if m else (str(d.parent), 1, 0, d.name)


def read_hparams(path: Path) -> dict[str, Any]:
    """``hparams.yaml`` as a dict: PyYAML when installed, else the top-level ``key: value`` lines."""
    try:
        text = decode_text(path.read_bytes())
    except OSError:
        return {}
    try:
        import yaml  # optional: not a core dependency

        data = yaml.safe_load(text)
        if isinstance(data, dict):
            return {str(k): v for k, v in data.items()}
    except ImportError:
        pass
    except Exception:  # python-object tags and the like: fall back to plain lines
        pass
    out: dict[str, Any] = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_][\w.\-]*):\s*(.*?)\s*$", line)
        if m and m.group(2) and not m.group(2).startswith(("!", "&", "|", ">")):
            out[m.group(1)] = _scalar(m.group(2))
    return out


def _scalar(s: str) -> Any:
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "~"):
        return None
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return s


#: a path-like column's first folder that says something of its own: a split, a dashboard group
#: (the ones ``canonical_name`` reads), or the metric itself ("loss/train")
_MEANINGFUL_FOLDERS = (*VAL_SPLITS, *TRAIN_SPLITS, *PATH_GROUPS, "loss", "acc", "accuracy")


def shared_namespace_dropped(header: list[str], skip: tuple[int | None, ...] = ()) -> list[str]:
    """The header with a namespace every metric column shares removed: ``self.log("finetuning/val_loss")``
    in a module that logs all it logs under one phase name gives ``finetuning/train_loss_epoch``,
    ``finetuning/val_acc`` (the split is in the leaf, the folder names nothing the columns do not all
    share). Kept as it is when the folders differ (``teacher/`` beside ``student/``), when a folder
    is a split or a dashboard group (``train/loss``, ``metrics/val_loss``), or for fewer than two columns."""
    # a LearningRateMonitor column ("lr-Adam") sits beside the module's own, outside its namespace
    cols = [(i, c) for i, c in enumerate(header) if c and i not in skip and not c.lower().startswith("lr")]
    if len(cols) < 2 or not all("/" in c for _, c in cols):
        return header
    folders = {c.split("/", 1)[0].strip().lower() for _, c in cols}
    if len(folders) != 1:
        return header
    folder = folders.pop()
    if folder in _MEANINGFUL_FOLDERS or folder.startswith("lr"):
        return header
    out = list(header)
    for i, c in cols:
        out[i] = c.split("/", 1)[1]
    return out


def _series_name(raw: str, twins: set[str]) -> tuple[str, str]:
    """(canonical name, level) for a column; level is 'step', 'epoch' or 'auto'."""
    low = raw.lower()
    if low.endswith("_step") and raw[: -len("_step")] + "_epoch" in twins:
        return canonical_name(raw), "step"  # canonical_name keeps the _step twin apart
    if low.endswith("_epoch") and raw[: -len("_epoch")] + "_step" in twins:
        return canonical_name(raw), "epoch"
    return canonical_name(raw), "auto"


def read_metrics_csv(path: Path, *, run: str | None = None) -> RunHistory:
    """One ``metrics.csv`` -> RunHistory on the epoch axis (step axis when no epoch column)."""
    header, rows, _ = read_csv_rows(path)
    if "step" not in header:
        raise BadInput(f"{path}: no 'step' column in header {','.join(header)[:80]!r}; "
                       "expected a Lightning CSVLogger metrics.csv (epoch,...,step,...)")
    h = RunHistory(meta={"source": str(path), "format": LightningCSVReader.name})
    if run:
        h.meta["run"] = run
    if rows and len(rows[-1]) < len(header):
        rows = rows[:-1]
        h.note("last row of metrics.csv is incomplete (still being written?); read up to the row before it")
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise BadInput(f"{path}: header only, no rows; expected logged metrics")
    step_i = header.index("step")
    epoch_i = header.index("epoch") if "epoch" in header else None

    def num(row: list[str], i: int | None) -> float | None:
        if i is None or i >= len(row):
            return None
        try:
            v = parse_cell(row[i])
        except ValueError:
            return None
        return v if v is not None and math.isfinite(v) else None

    steps = [num(r, step_i) for r in rows]
    epochs = [num(r, epoch_i) for r in rows]
    # LearningRateMonitor rows carry no epoch: they belong to the next epoch logged after them.
    inferred: list[float | None] = [None] * len(rows)
    nxt = None
    for i in range(len(rows) - 1, -1, -1):
        if epochs[i] is not None:
            nxt = epochs[i]
        inferred[i] = epochs[i] if epochs[i] is not None else nxt
    has_epochs = any(e is not None for e in epochs)

    names = shared_namespace_dropped(header, skip=(step_i, epoch_i))
    twins = set(names)
    if names != header:
        prefix = next(c for c, n in zip(header, names) if c != n).split("/", 1)[0]
        h.note(f"every metric is logged under '{prefix}/'; read without that shared prefix")
    bad = 0
    epoch_series: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    step_series: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    for ci, raw in enumerate(names):
        if ci in (step_i, epoch_i) or not raw:
            continue
        pts: list[tuple[float | None, float | None, float]] = []
        for ri, row in enumerate(rows):
            if ci >= len(row):
                continue
            try:
                v = parse_cell(row[ci])
            except ValueError:
                bad += 1
                continue
            if v is None:  # blank cell: not logged on this row
                continue
            pts.append((inferred[ri], steps[ri], v))
        if not pts:
            continue
        name, level = _series_name(raw, twins)
        with_step = [(s, v) for _, s, v in pts if s is not None]
        if level == "step" or not has_epochs:
            if with_step:
                step_series.append((name, raw,
                                    np.array([s for s, _ in with_step]),
                                    np.array([v for _, v in with_step])))
            continue
        with_epoch = [(e, v) for e, _, v in pts if e is not None]
        if not with_epoch:
            continue
        ep = np.array([e for e, _ in with_epoch])
        vals = np.array([v for _, v in with_epoch])
        uniq = np.unique(ep)
        if level == "epoch" or len(uniq) == len(ep):
            epoch_series.append((name, raw, ep, vals))
            continue
        # several values per epoch (logged on_step only): keep them on the step axis and
        # give the rules one value per epoch (first lr of the epoch, mean of anything else)
        if with_step:
            step_series.append((name + "_step", raw, np.array([s for s, _ in with_step]),
                                np.array([v for _, v in with_step])))
        if name == "lr":
            per_epoch = [vals[ep == u][0] for u in uniq]
            how = "the first value logged in each epoch"
        else:
            per_epoch = [float(np.mean(vals[ep == u])) for u in uniq]
            how = "the mean of the values logged in each epoch"
        epoch_series.append((name, raw, uniq, np.array(per_epoch)))
        h.note(f"{raw!r} was logged several times per epoch; {name!r} is {how} "
               f"(the logged values are kept as {name + '_step'!r})")
    for name, raw, x, v in epoch_series:
        h.add(name, x, v, raw_name=raw, axis="epoch")
    for name, raw, x, v in step_series:
        h.add(name, x, v, raw_name=raw, axis="step")
    if bad:
        h.note(f"{bad} non-numeric cell(s) in metrics.csv ignored")
    if not h.series:
        raise BadInput(f"{path}: no numeric metric columns; expected e.g. 'train_loss', 'val_loss'")
    end_steps = {}
    for e, s in zip(epochs, steps, strict=True):
        if e is not None and s is not None:
            end_steps[e] = max(end_steps.get(e, s), s)
    if len(end_steps) >= 2:
        ends = [end_steps[k] for k in sorted(end_steps)]
        h.meta["steps_per_epoch"] = float(np.median(np.diff(ends)))
    hp = path.parent / HPARAMS_FILE
    if hp.is_file():
        hparams = read_hparams(hp)
        if hparams:
            h.meta["hparams"] = hparams
            for key in ("dropout", "dropout_rate", "drop_rate", "p_dropout"):
                if isinstance(hparams.get(key), (int, float)) and not isinstance(hparams[key], bool):
                    h.meta["dropout"] = float(hparams[key])
                    break
    return h


@register
class LightningCSVReader(Reader):
    name = "lightning"
    description = "PyTorch Lightning CSVLogger (lightning_logs/version_N/metrics.csv + hparams.yaml)"
    reads_directories = True
    reads_files = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if path.is_dir():
            dirs = version_dirs(path)
            if not dirs:
                return 0.0
            return header_score(_header(read_head(dirs[0] / METRICS_FILE)), METRICS_FILE)
        if looks_binary(head):
            return 0.0
        return header_score(_header(head), path.name)

    def read(self, path: Path) -> list[RunHistory]:
        if not path.is_dir():
            run = path.parent.name if path.parent.name.startswith("version_") else None
            return [read_metrics_csv(path, run=run)]
        dirs = version_dirs(path)
        if not dirs:
            raise BadInput(f"{path}: no metrics.csv found here or in version_*/ folders; "
                           "expected a Lightning CSVLogger folder (lightning_logs/version_N/metrics.csv)")
        parents = {d.parent for d in dirs}
        runs = []
        for d in dirs:
            if d == path:
                run = d.name
            elif len(parents) > 1:
                run = f"{d.parent.name}/{d.name}"
            else:
                run = d.name
            runs.append(read_metrics_csv(d / METRICS_FILE, run=run))
        return runs
