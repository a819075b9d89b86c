"""MLflow tracking stores, read without mlflow: the ``mlruns/`` file store and ``mlflow.db``.

Facts from mlflow 3.17 (``FileStore`` and ``SqlAlchemyStore``):

* file store: ``mlruns/<experiment_id>/meta.yaml`` (``name``), ``mlruns/<exp>/<run_id>/
  meta.yaml`` (``run_id``, ``run_name``, ``status`` as RunStatus number, ``start_time`` in
  ms, ``lifecycle_stage``), ``metrics/<key>`` with one ``"<timestamp> <value> <step>"`` line
  per point (2 fields in old stores, 5 with a dataset name and digest; a key with ``/`` is
  a nested folder), ``params/<key>`` and ``tags/<key>`` holding the value; ``.trash`` holds
  deleted experiments.
* SQLite store: tables ``experiments``, ``runs`` (``run_uuid``, ``name``, ``status``,
  ``start_time``, ``lifecycle_stage``, ``experiment_id``), ``metrics`` (``key``, ``value``,
  ``timestamp``, ``run_uuid``, ``step``, ``is_nan``), ``params``, ``tags``. NaN is stored as
  ``value=0, is_nan=1``; inf is clipped to +-1.7976931348623157e308 (read back as inf).

One RunHistory per run, ordered by start time; ``meta['run']`` is the run name.
"""

from __future__ import annotations

import math
import re
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io._table import AXIS_COLUMNS
from fitdoctor.io.base import Reader, decode_text, read_head, register

DB_NAME = "mlflow.db"
SQLITE_MAGIC = b"SQLite format 3\x00"
FLOAT_MAX = 1.7976931348623157e308
STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
#: Probe series whose ``/`` is a layer path, not a train/val split.
PROBE_PREFIXES = ("grad_norm", "dead_fraction", "update_ratio", "weight_norm", "activation",
                  "saturation", "update_weight_ratio")
RUN_ID_RE = re.compile(r"[0-9a-f]{32}")


# --------------------------------------------------------------------------- shared
def series_name(key: str) -> str:
    """MLflow metric key -> canonical name; probe keys like ``grad_norm/dense`` keep their path."""
    if "/" in key and key.split("/", 1)[0].lower() in PROBE_PREFIXES:
        return key.lower()
    return canonical_name(key)


def _points_to_series(h: RunHistory, key: str, pts: list[tuple[int, float, float]]) -> None:
    """pts: (timestamp, step, value). Re-logged steps keep the latest value; all-step-0 -> index."""
    pts.sort(key=lambda p: (p[1], p[0]))
    steps = [p[1] for p in pts]
    if len(pts) > 1 and len(set(steps)) == 1:
        pts.sort(key=lambda p: p[0])
        xs = list(range(len(pts)))
        vs = [p[2] for p in pts]
        h.note(f"{key!r} was logged without steps (all at step {steps[0]:g}); "
               "points are numbered in the order they were logged")
    else:
        last: dict[float, float] = {}
        for _, s, v in pts:
            last[s] = v
        if len(last) < len(pts):
            h.note(f"{key!r}: {len(pts) - len(last)} step(s) logged more than once; the latest value is used")
        xs, vs = list(last), list(last.values())
    h.add(series_name(key), np.asarray(xs, dtype=float), np.asarray(vs, dtype=float),
          raw_name=key, axis="step")


def _finish(h: RunHistory) -> None:
    """Epoch axis when the loss (or first) series is logged at consecutive integers from 0/1
    and no other series is logged at sparser steps: a train loss logged at every global step
    with the val metrics at each epoch's last step (``step=global_step`` for all, as MLflow's
    autologgers and docs do) is a step log, not a per-epoch one."""
    ref = h.series.get("loss") or h.series.get("val_loss") or next(iter(h.series.values()), None)
    if ref is None:
        return
    s = ref.steps
    consecutive = len(s) >= 1 and s[0] in (0.0, 1.0) and bool(np.all(np.diff(s) == 1.0))
    sparser = any(len(o) >= 2 and float(np.median(np.diff(o.steps))) > 1.0 for o in h.series.values())
    if consecutive and not sparser:
        for series in h.series.values():
            series.axis = "epoch"


def _name_runs(runs: list[RunHistory]) -> list[RunHistory]:
    runs.sort(key=lambda r: (r.meta.get("start_time") or 0, r.meta.get("run_id", "")))
    seen: dict[str, int] = {}
    for r in runs:
        seen[r.meta["run"]] = seen.get(r.meta["run"], 0) + 1
    for r in runs:
        if seen[r.meta["run"]] > 1:
            r.meta["run"] = f"{r.meta['run']} ({r.meta['run_id'][:8]})"
    return runs


# --------------------------------------------------------------------------- file store
def _simple_yaml(path: Path) -> dict[str, Any]:
    """Top-level ``key: value`` lines of an MLflow meta.yaml (no yaml import needed)."""
    try:
        text = decode_text(path.read_bytes())
    except OSError:
        return {}
    out: dict[str, Any] = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_]\w*):\s*(.*?)\s*$", line)
        if not m:
            continue
        v: Any = m.group(2)
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        elif re.fullmatch(r"-?\d+", v):
            v = int(v)
        elif v in ("null", "~", ""):
            v = None
        out[m.group(1)] = v
    return out


def is_run_dir(d: Path) -> bool:
    return (d / "meta.yaml").is_file() and (d / "metrics").is_dir()


def is_experiment_dir(d: Path) -> bool:
    return (d / "meta.yaml").is_file() and not (d / "metrics").is_dir() and \
        any(is_run_dir(c) for c in _subdirs(d))


def _subdirs(d: Path) -> list[Path]:
    try:
        return sorted(c for c in d.iterdir() if c.is_dir() and not c.name.startswith("."))
    except OSError:
        return []


def find_run_dirs(root: Path) -> list[Path]:
    """Run folders of a file store given the store root, an experiment, a run, or their parent."""
    if is_run_dir(root):
        return [root]
    if is_experiment_dir(root):
        return [c for c in _subdirs(root) if is_run_dir(c)]
    store = root / "mlruns" if (root / "mlruns").is_dir() else root
    runs = []
    for exp in _subdirs(store):
        if (exp / "meta.yaml").is_file():
            runs.extend(c for c in _subdirs(exp) if is_run_dir(c))
    return runs


def _read_kv_dir(d: Path) -> dict[str, str]:
    out = {}
    if d.is_dir():
        for f in sorted(d.rglob("*")):
            if f.is_file():
                try:
                    out[f.relative_to(d).as_posix()] = decode_text(f.read_bytes()).strip()
                except OSError:
                    continue
    return out


def read_file_run(run_dir: Path) -> RunHistory | None:
    """One run folder -> RunHistory (None when the run was deleted)."""
    meta = _simple_yaml(run_dir / "meta.yaml")
    if meta.get("lifecycle_stage") == "deleted":
        return None
    exp_meta = _simple_yaml(run_dir.parent / "meta.yaml")
    tags = _read_kv_dir(run_dir / "tags")
    run_id = str(meta.get("run_id") or run_dir.name)
    h = RunHistory(meta={
        "source": str(run_dir), "format": MLflowReader.name,
        "run": str(meta.get("run_name") or tags.get("mlflow.runName") or run_id),
        "run_id": run_id, "experiment": exp_meta.get("name"),
        "status": STATUS.get(meta.get("status"), meta.get("status")),
        "start_time": meta.get("start_time"),
        "params": _read_kv_dir(run_dir / "params"),
        "tags": {k: v for k, v in tags.items() if not k.startswith("mlflow.")},
    })
    metrics_dir = run_dir / "metrics"
    bad = 0
    for f in sorted(metrics_dir.rglob("*")):
        if not f.is_file():
            continue
        key = f.relative_to(metrics_dir).as_posix()
        if key.lower() in AXIS_COLUMNS:
            continue
        pts = []
        try:
            lines = decode_text(f.read_bytes()).splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) not in (2, 3, 5):
                bad += bool(line.strip())
                continue
            try:
                ts, value = int(parts[0]), float(parts[1])
                step = float(int(parts[2])) if len(parts) >= 3 else 0.0
            except ValueError:
                bad += 1
                continue
            pts.append((ts, step, value))
        if pts:
            _points_to_series(h, key, pts)
    if bad:
        h.note(f"{bad} malformed metric line(s) ignored (expected 'timestamp value step')")
    _finish(h)
    return h


def read_file_store(root: Path) -> list[RunHistory]:
    runs, deleted = [], 0
    for d in find_run_dirs(root):
        r = read_file_run(d)
        if r is None:
            deleted += 1
        elif r.series:
            runs.append(r)
    if deleted and runs:
        runs[0].note(f"{deleted} deleted run(s) skipped")
    return _name_runs(runs)


# --------------------------------------------------------------------------- sqlite store
def _connect(path: Path) -> sqlite3.Connection:
    try:
        con = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        con.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
        return con
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: not a readable SQLite database ({exc}); expected an MLflow "
                       "mlflow.db") from exc


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def is_mlflow_db(path: Path) -> bool:
    if read_head(path)[:16] != SQLITE_MAGIC:
        return False
    try:
        con = _connect(path)
    except BadInput:
        return False
    try:
        return {"runs", "metrics", "experiments"} <= _tables(con)
    except sqlite3.Error:
        return False
    finally:
        con.close()


def read_sqlite_store(path: Path) -> list[RunHistory]:
    if read_head(path)[:16] != SQLITE_MAGIC:
        raise BadInput(f"{path}: not an SQLite database (no 'SQLite format 3' header); "
                       "expected an MLflow mlflow.db")
    con = _connect(path)
    try:
        missing = {"runs", "metrics", "experiments"} - _tables(con)
        if missing:
            raise BadInput(f"{path}: SQLite database without MLflow's tables ({', '.join(sorted(missing))} "
                           "missing); expected an MLflow tracking store (mlflow.db)")
        return _read_sqlite(con, path)
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: cannot read MLflow tables ({exc}); expected an MLflow mlflow.db") from exc
    finally:
        con.close()


def _read_sqlite(con: sqlite3.Connection, path: Path) -> list[RunHistory]:
    exps = {str(r[0]): r[1] for r in con.execute("SELECT experiment_id, name FROM experiments")}
    rows = con.execute("SELECT run_uuid, name, status, start_time, lifecycle_stage, experiment_id "
                       "FROM runs").fetchall()
    tables = _tables(con)
    runs: list[RunHistory] = []
    deleted = 0
    for run_id, name, status, start, stage, exp_id in rows:
        if stage == "deleted":
            deleted += 1
            continue
        params = dict(con.execute("SELECT key, value FROM params WHERE run_uuid=?", (run_id,))) \
            if "params" in tables else {}
        tags = dict(con.execute("SELECT key, value FROM tags WHERE run_uuid=?", (run_id,))) \
            if "tags" in tables else {}
        h = RunHistory(meta={
            "source": str(path), "format": MLflowReader.name,
            "run": str(name or tags.get("mlflow.runName") or run_id), "run_id": str(run_id),
            "experiment": exps.get(str(exp_id)), "status": status, "start_time": start,
            "params": params, "tags": {k: v for k, v in tags.items() if not k.startswith("mlflow.")},
        })
        by_key: dict[str, list[tuple[int, float, float]]] = {}
        clipped = 0
        for key, value, ts, step, is_nan in con.execute(
                "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid=? "
                "ORDER BY key, step, timestamp", (run_id,)):
            if key is None or str(key).lower() in AXIS_COLUMNS:
                continue
            try:
                v = math.nan if is_nan else float(value)
                st = float(step or 0)
                tsi = int(ts or 0)
            except (TypeError, ValueError):
                continue
            if abs(v) >= FLOAT_MAX:
                v = math.copysign(math.inf, v)
                clipped += 1
            by_key.setdefault(str(key), []).append((tsi, st, v))
        for key, pts in by_key.items():
            _points_to_series(h, key, pts)
        if clipped:
            h.note(f"{clipped} value(s) stored as +-1.797e308 (MLflow's SQLite form of inf) read as inf")
        _finish(h)
        if h.series:
            runs.append(h)
    if deleted and runs:
        runs[0].note(f"{deleted} deleted run(s) skipped")
    return _name_runs(runs)


# --------------------------------------------------------------------------- reader
def _db_in(d: Path) -> Path | None:
    db = d / DB_NAME
    return db if db.is_file() and is_mlflow_db(db) else None


@register
class MLflowReader(Reader):
    name = "mlflow"
    description = "MLflow tracking store: mlflow.db (SQLite) or an mlruns/ file store, without a server"
    reads_directories = True
    reads_files = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if path.is_dir():
            # above TensorBoard's 0.95: autologging stores event files as run artifacts
            if _db_in(path) is not None or find_run_dirs(path):
                return 0.97
            return 0.0
        if head[:16] == SQLITE_MAGIC and is_mlflow_db(path):
            return 0.95
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        if not path.is_dir():
            runs = read_sqlite_store(path)
            if not runs:
                raise BadInput(f"{path}: MLflow database holds no runs with metrics")
            return runs
        runs: list[RunHistory] = []
        db = _db_in(path)
        if db is not None:
            runs.extend(read_sqlite_store(db))
        have = {r.meta["run_id"] for r in runs}
        runs.extend(r for r in read_file_store(path) if r.meta["run_id"] not in have)
        if not runs:
            raise BadInput(f"{path}: no MLflow runs with metrics found; expected mlflow.db or "
                           "mlruns/<experiment_id>/<run_id>/metrics/")
        return _name_runs(runs)
