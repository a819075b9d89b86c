"""Reader for fitdoctor's own run directories (``fitdoctor train --out DIR``, the demo).

A run directory holds ``history.csv`` (epoch axis), ``probes.csv`` (step axis) and
``meta.json`` (what the trainer knew: task, class prior, layer order, steps per
epoch, the non-finite guard's record). Reading all three back gives the same
RunHistory the trainer diagnosed, so ``fitdoctor diagnose DIR`` repeats its verdict
(class-prior chance level and internals findings included). k-fold directories
list one run per fold under ``folds/``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io.base import Reader, register

META_FILE = "meta.json"
MARKER = "fitdoctor-run"


def _float(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return float("nan")


def _read_table(path: Path, *, with_logged: bool = False):
    """(header, values) and, with ``with_logged``, which cells hold a value: an empty cell is a
    series not logged at that row (sparse validation), ``nan`` one logged as NaN."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return ([], np.empty((0, 0)), np.empty((0, 0), bool)) if with_logged else ([], np.empty((0, 0)))
    header, body = rows[0], [r for r in rows[1:] if r]
    data = np.array([[_float(c) if c != "" else np.nan for c in r] for r in body], dtype=float)
    data = data.reshape(len(body), len(header))
    if not with_logged:
        return header, data
    logged = np.array([[c.strip() != "" for c in r] for r in body], dtype=bool).reshape(data.shape)
    return header, data, logged


def read_run(folder: Path, meta: dict) -> RunHistory:
    """One run from ``folder``'s history.csv and probes.csv, with ``meta`` restored."""
    header, data, logged = _read_table(folder / "history.csv", with_logged=True)
    if not header or header[0] not in ("epoch", "step"):
        raise BadInput(f"{folder / 'history.csv'}: expected a header starting with 'epoch' or 'step'")
    axis = header[0]
    h = RunHistory(meta=dict(meta))
    h.meta.update({"source": str(folder), "format": MARKER})
    epochs = data[:, 0] if data.size else np.empty(0)
    for j, name in enumerate(header[1:], 1):
        col = data[:, j]
        keep = logged[:, j] if logged.size else np.zeros(col.size, bool)  # empty cell: not logged there
        if keep.any():
            h.add(name, epochs[keep], col[keep], raw_name=name, axis=axis)
    probes = folder / "probes.csv"
    if probes.exists():
        pheader, pdata = _read_table(probes)
        if pdata.size and "step" in pheader:
            steps = pdata[:, pheader.index("step")]
            for j, name in enumerate(pheader):
                if "/" in name:
                    h.add(name, steps, pdata[:, j], raw_name=name, axis="step")
    return h


@register
class FitdoctorRunReader(Reader):
    name = MARKER
    description = "fitdoctor run directory (history.csv + probes.csv + meta.json from `fitdoctor train`)"
    reads_directories = True
    reads_files = False

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        meta = path / META_FILE
        if not path.is_dir() or not meta.is_file() or not (path / "history.csv").is_file():
            return 0.0
        try:
            return 1.0 if json.loads(meta.read_text(encoding="utf-8")).get("format") == MARKER else 0.0
        except (OSError, ValueError, AttributeError):
            return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        try:
            doc = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BadInput(f"{path / META_FILE}: not readable JSON ({exc})") from exc
        runs = doc.get("runs") or [{"dir": ".", "meta": {}}]
        out = []
        for r in runs:
            folder = (path / r.get("dir", ".")).resolve()
            if not (folder / "history.csv").is_file():
                raise BadInput(f"{folder}: missing history.csv listed in {path / META_FILE}")
            out.append(read_run(folder, r.get("meta", {})))
        return out


def report_extra(runs: Sequence[RunHistory]) -> dict[str, Any]:
    """What the HTML report shows beside the curves of a trainer run, from the runs alone:
    the k-fold band (every fold's curves) and the baselines' validation scores as reference
    lines (the mean over folds). The trainer and ``fitdoctor report RUN_DIR`` both call this,
    so the report of a run directory is the report the trainer wrote."""
    runs = list(runs)
    extra: dict[str, Any] = {}
    if len(runs) > 1:
        extra["folds"] = runs
    bs = runs[0].meta.get("baseline_scores") if runs else None
    if isinstance(bs, dict) and bs.get("metric"):
        metric = str(bs["metric"])
        lines: dict[str, float] = {}
        for label in (bs.get("baselines") or {}):
            vals = [((r.meta.get("baseline_scores") or {}).get("baselines") or {}).get(label, {}).get(metric)
                    for r in runs]
            vals = [float(v) for v in vals if isinstance(v, (int, float)) and math.isfinite(v)]
            if vals:
                lines[str(label).replace("_", " ")] = sum(vals) / len(vals)
        if lines:
            extra["baselines"] = {metric: lines}
    return extra
