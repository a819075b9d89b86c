"""Write a run's log the way real tools and hand-written loops write them.

Keras formats come from Keras itself (``CSVLogger`` during ``fit``, or
``json.dump(history.history)``); torch formats from ``torch.utils.tensorboard``'s
``SummaryWriter`` or from plain ``csv``/``json`` code as people write it. Every run
also gets ``values.json``: the canonical per-epoch numbers, for fallback scoring.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

#: format -> the log's path inside the run folder (what labels.json points at)
LOG_NAME = {
    "keras-csv": "training.log",
    "keras-json": "history.json",
    "tb-scalar": "tb",
    "tb-scalars": "tb",
    "csv": "metrics.csv",
    "jsonl": "log.jsonl",
}


def _atomic_json(path: Path, obj) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj))
    os.replace(tmp, path)


def write(fmt: str, run_dir: Path, logged: dict[str, list[float]], task: str) -> Path:
    """Write ``logged`` (name -> per-epoch values) in ``fmt``; return the log path."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOG_NAME[fmt]
    m = "mae" if task == "regression" else "accuracy"
    n = len(logged["loss"])
    if fmt == "keras-csv":
        pass  # Keras's CSVLogger wrote it during fit
    elif fmt == "keras-json":
        _atomic_json(path, logged)  # json.dump(history.history): what Keras users do
    elif fmt in ("tb-scalar", "tb-scalars"):
        from torch.utils.tensorboard import SummaryWriter

        if path.exists():
            shutil.rmtree(path)
        w = SummaryWriter(log_dir=str(path))
        for e in range(n):
            if fmt == "tb-scalar":
                w.add_scalar("loss/train", logged["loss"][e], e)
                w.add_scalar("loss/val", logged["val_loss"][e], e)
                w.add_scalar(f"{m}/train", logged[m][e], e)
                w.add_scalar(f"{m}/val", logged["val_" + m][e], e)
                if "lr" in logged:
                    w.add_scalar("lr", logged["lr"][e], e)
            else:
                w.add_scalars("loss", {"train": logged["loss"][e], "val": logged["val_loss"][e]}, e + 1)
                w.add_scalars(m, {"train": logged[m][e], "val": logged["val_" + m][e]}, e + 1)
        w.close()
    elif fmt == "csv":
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["epoch", "train_loss", f"train_{m}", "val_loss", f"val_{m}", "lr"])
            for e in range(n):
                wr.writerow([e + 1, logged["loss"][e], logged[m][e], logged["val_loss"][e],
                             logged["val_" + m][e], logged.get("lr", [None] * n)[e]])
        os.replace(tmp, path)
    elif fmt == "jsonl":
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            for e in range(n):
                rec = {"epoch": e, "train_loss": logged["loss"][e], "val_loss": logged["val_loss"][e],
                       f"val_{m}": logged["val_" + m][e]}
                f.write(json.dumps(rec) + "\n")
        os.replace(tmp, path)
    else:
        raise ValueError(fmt)
    _atomic_json(run_dir / "values.json", logged)
    return path
