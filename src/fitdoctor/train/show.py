"""Terminal pieces for ``train`` and ``demo``: a progress bar per run, the scores table."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fitdoctor.train.trainer import FitResult


class RichReporter:
    """One rich progress bar per fit, showing the last loss / val_loss as it goes."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task: Any = None

    def start(self, name: str, epochs: int) -> None:
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                  TimeElapsedColumn(), console=self.console, transient=False)
        self._progress.start()
        self._task = self._progress.add_task(name, total=epochs, info="")

    def epoch(self, i: int, logs: dict[str, float]) -> None:
        if self._progress is None:
            return
        info = "  ".join(f"{k} {logs[k]:.4g}" for k in ("loss", "val_loss") if k in logs)
        self._progress.update(self._task, completed=i + 1, info=info)

    def end(self, result: FitResult) -> None:
        if self._progress is None:
            return
        done = {"early_stopping": "early stop", "non_finite": "stopped: non-finite"}.get(result.stopped, "")
        if done:
            self._progress.update(self._task, info=self._progress.tasks[0].fields["info"] + f"  ({done})")
        self._progress.stop()
        self._progress = None


def _f(v: Any) -> str:
    if v is None:
        return "-"
    v = float(v)
    return "nan" if math.isnan(v) else f"{v:.3f}"


def scores_table(exp: Any) -> Table:
    """The network beside its baselines: validation (or k-fold mean ± std), then test."""
    import numpy as np

    primary = exp.primary
    others = ("f1", "auc") if primary == "accuracy" else ("mae",)
    kfold = exp.cv is not None
    t = Table(title=("k-fold validation (mean ± std), then the test split once" if kfold
                     else "validation, then the test split once"))
    t.add_column("model")
    t.add_column(f"val {primary}", justify="right")
    for m in (primary, *others):
        t.add_column(f"test {m}", justify="right")
    if kfold:
        val = f"{exp.cv['mean']:.3f} ± {exp.cv['std']:.3f}"
    else:
        val = _f(float(np.nanmean([s.get(primary, np.nan) for s in exp.val_scores])))
    test = exp.test or {}
    t.add_row("network", val, *(_f(test.get(m)) for m in (primary, *others)), style="bold")
    for name, res in exp.baselines.items():
        v = res["val"].get(primary, float("nan"))
        cell = f"{v:.3f} ± {res['val_std'].get(primary, float('nan')):.3f}" if kfold else _f(v)
        bt = res.get("test", {})
        t.add_row(name.replace("_", " "), cell, *(_f(bt.get(m)) for m in (primary, *others)))
    if exp.test is None:
        t.caption = "no test split (data.split.test: 0)"
    return t
