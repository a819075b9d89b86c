"""Write a run directory: config.yaml, history.csv, probes.csv, diagnosis.json, model.pt.

Every file is written to a temporary name beside its target and renamed into place,
so an interrupted run never leaves a half-written file. k-fold runs also get
``folds/fold_<i>/history.csv`` and ``probes.csv`` for every fold; the top-level
history is the first fold's (the holdout run otherwise), and ``model.pt`` is the
model that was scored on test.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

from fitdoctor.files import atomic_write
from fitdoctor.history import RunHistory


def _cell(v: Any) -> str:
    if v is None:
        return ""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v) if v != int(v) or abs(v) >= 1e15 else str(int(v))


def history_csv(h: RunHistory) -> str:
    """Epoch-axis series as a Keras-CSVLogger-style table: ``epoch,loss,val_loss,...``."""
    names = [n for n, s in h.series.items() if s.axis == "epoch"]
    n = max((len(h.series[k]) for k in names), default=0)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["epoch", *names])
    for i in range(n):
        w.writerow([i, *(_cell(h.series[k].values[i]) if i < len(h.series[k]) else "" for k in names)])
    return buf.getvalue()


def probes_csv(rows: list[dict[str, float]]) -> str:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols or ["step", "epoch"])
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in cols])
    return buf.getvalue()


def write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda fh: fh.write(text))


def _portable(meta: dict[str, Any]) -> dict[str, Any]:
    """The meta a reader needs to repeat the diagnosis (source/format are set on reading)."""
    return {k: v for k, v in meta.items() if k not in ("source", "format", "notes")}


def write_run_dir(out: str | os.PathLike, exp: Any, *, report: bool = True) -> dict[str, Any]:
    """Write every file of the run directory for an Experiment; returns what was written."""
    import torch

    from fitdoctor.config import dump_config
    from fitdoctor.errors import BadInput

    if not isinstance(out, (str, os.PathLike)) or not hasattr(exp, "runs"):
        raise BadInput(f"write_run_dir({type(out).__name__}, {type(exp).__name__}): expected the folder first, "
                       "then the Experiment: write_run_dir('runs/exp1', exp)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    dump_config(exp.config, out / "config.yaml")
    written.append("config.yaml")
    main = exp.runs[0]
    write_text(out / "history.csv", history_csv(main.history))
    write_text(out / "probes.csv", probes_csv(main.probe_rows))
    written += ["history.csv", "probes.csv"]
    if len(exp.runs) > 1:
        for i, r in enumerate(exp.runs, 1):
            write_text(out / "folds" / f"fold_{i}" / "history.csv", history_csv(r.history))
            write_text(out / "folds" / f"fold_{i}" / "probes.csv", probes_csv(r.probe_rows))
        written.append("folds/")
    from fitdoctor.findings import _jsonable

    folders = ["."] if len(exp.runs) == 1 else [f"folds/fold_{i}" for i in range(1, len(exp.runs) + 1)]
    meta = {"format": "fitdoctor-run", "version": 1,
            "runs": [{"dir": d, "meta": _jsonable(_portable(r.history.meta))} for d, r in zip(folders, exp.runs)]}
    write_text(out / "meta.json", json.dumps(meta, indent=2) + "\n")
    written.append("meta.json")
    payload: Any = exp.diagnoses[0].to_dict()
    if len(exp.diagnoses) > 1:
        payload = {"runs": [d.to_dict() for d in exp.diagnoses], "scores": exp.diagnoses[0].summary.get("scores")}
    write_text(out / "diagnosis.json", json.dumps(_jsonable(payload), indent=2) + "\n")
    written.append("diagnosis.json")
    state = {k: v.detach().cpu().clone() for k, v in exp.final.model.state_dict().items()}
    atomic_write(out / "model.pt", lambda fh: torch.save(state, fh), binary=True)
    written.append("model.pt")
    result: dict[str, Any] = {"dir": str(out), "files": written, "report": None}
    if report:
        try:
            from fitdoctor.report.html import write_html_report

            write_html_report(exp.diagnoses, out / "report.html", extra=report_extra(exp))
            written.append("report.html")
            result["report"] = str(out / "report.html")
        except (ImportError, AttributeError) as exc:  # MissingDependency is an ImportError
            result["report_skipped"] = f"report.html not written: {exc}"
    return result


def report_extra(exp: Any) -> dict[str, Any]:
    """What the HTML report shows beside the curves: config, k-fold bands, baselines (the
    same as ``fitdoctor report`` finds in the run directory: see io/fitdoctor_run.py)."""
    from fitdoctor.config import config_to_dict
    from fitdoctor.io.fitdoctor_run import report_extra as from_runs

    return {"config": config_to_dict(exp.config), **from_runs([r.history for r in exp.runs])}
