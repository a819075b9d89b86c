"""What every tuning backend shares: the job, the backend registry, the protocol's units,
the summary of trials, and the one final test.

A backend (``optuna``, ``ray``) turns a :class:`TuneJob` into a :class:`TuneResult`; it
subclasses :class:`Backend` and registers itself with :func:`register`. Selection happens
on validation or folds only (``protocol.select``); the winner is refit and scored on the
untouched test split once (``protocol.final``), beside the baselines.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from fitdoctor.errors import BadInput
from fitdoctor.tune.result import TrialSummary, TuneResult
from fitdoctor.tune.space import SearchSpace, apply_params


@dataclass
class TuneJob:
    """One ``fitdoctor tune`` invocation, backend-independent."""

    config: Any                         # RunConfig
    space: SearchSpace
    out_dir: Path
    trials: int
    storage: str | None = None          # None: SQLite in out_dir; journal[:PATH]; an RDB URL
    study_name: str = "fitdoctor"
    timeout: float | None = None        # seconds for this worker
    threads: int | None = 1
    progress: bool = False
    heartbeat: int = 10                 # seconds between a running trial's heartbeats
    final: bool = True                  # refit the winner and score test once
    seed: int | None = None
    top: int = 5
    probe_every: int | None = None
    record_curves: bool = False         # keep each unit's epoch curve (benchmarks replay pruning)
    dataset: Any = None
    on_trial: Callable[[TrialSummary], None] | None = field(default=None, repr=False)


class Backend:
    """A tuning backend: ``run(job) -> TuneResult``."""

    name = "base"
    extra = "tune"
    module = "optuna"

    def run(self, job: TuneJob) -> TuneResult:  # pragma: no cover - abstract
        raise NotImplementedError


BACKENDS: dict[str, type[Backend]] = {}


def register(cls: type[Backend]) -> type[Backend]:
    BACKENDS[cls.name] = cls
    return cls


def get_backend(name: str) -> Backend:
    import difflib

    from fitdoctor.tune import optuna_backend, ray_backend  # noqa: F401  (they register)

    if name not in BACKENDS:
        close = difflib.get_close_matches(name, list(BACKENDS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise BadInput(f"backend {name!r}: expected one of {', '.join(BACKENDS)}{hint}")
    return BACKENDS[name]()


# ------------------------------------------------------------------ the protocol's units
@dataclass
class Plan:
    dataset: Any
    metric: str
    direction: str
    unit: str
    n_units: int
    seeds: list[int] | None


def plan(job: TuneJob) -> Plan:
    """Dataset, selection metric, its direction and the units every trial is scored on."""
    from fitdoctor.data import load_dataset
    from fitdoctor.train.metrics import class_prior
    from fitdoctor.train.protocol import LOWER_IS_BETTER, selection_metric

    cfg = job.config
    ds = job.dataset if job.dataset is not None else load_dataset(cfg.data)
    prior = class_prior(ds.y, ds.n_classes) if ds.task != "regression" else None
    metric = selection_metric(ds.task, prior)
    split = cfg.data.split
    if split.method == "kfold":
        return Plan(ds, metric, "minimize" if metric in LOWER_IS_BETTER else "maximize", "fold",
                    split.k * split.repeats, None)
    seeds = [int(cfg.train.seed) + i for i in range(job.space.seeds)]
    return Plan(ds, metric, "minimize" if metric in LOWER_IS_BETTER else "maximize", "seed",
                len(seeds), seeds)


def follow_kept_epoch(state: dict[str, Any], logs: dict[str, float], metric: str) -> None:
    """Track, epoch by epoch, the validation score of the epoch early stopping would keep so far:
    the best by what it watches (``watch:val_loss``, the rows select holds out for it; else
    ``val_loss``), into ``state["best_loss"]`` and ``state["score"]``. The pruners of both
    backends follow it, so an intermediate score is the one the finished unit will report."""
    watched = logs.get("watch:val_loss", logs.get("val_loss", math.nan))
    if state["best_loss"] is None or (math.isfinite(watched) and watched < state["best_loss"]):
        state["best_loss"], state["score"] = watched, logs.get(f"val_{metric}", math.nan)


def run_final(job: TuneJob, params: dict[str, Any], pl: Plan) -> tuple[Any, dict[str, Any] | None, list[str]]:
    """Refit the winner on train+val (the validation rows have chosen it; now they train it)
    and score the test split once, beside the baselines; write its run directory under
    ``out_dir/best``."""
    from fitdoctor.config import config_to_dict, dump_config
    from fitdoctor.train.protocol import final

    cfg = apply_params(job.config, params)
    cfg_out = cfg.model_copy(update={"search": None})
    notes: list[str] = []
    if cfg.train.early_stopping:
        from fitdoctor.train.protocol import WATCH_SHARE

        notes.append(f"each trial's early stopping watched {WATCH_SHARE:.0%} of its training rows, held out, so the "
                     "validation score that ranked it is not the best of its epochs on those same rows")
    job.out_dir.mkdir(parents=True, exist_ok=True)
    dump_config(cfg_out, job.out_dir / "best_config.yaml")
    if not job.final:
        return cfg_out, None, ["final test skipped (--no-final): the test split is untouched"]
    if cfg.data.split.test <= 0:
        return cfg_out, None, ["the config keeps no test rows (data.split.test is 0): no test score"]
    out = final(cfg_out, dataset=pl.dataset, threads=job.threads, refit_holdout=True)
    exp = out["experiment"]
    try:
        from fitdoctor.train.run_dir import write_run_dir

        write_run_dir(job.out_dir / "best", exp, report=False)
    except Exception as exc:  # the score stands even if a file cannot be written
        notes.append(f"best/ run directory not written: {exc}")
    verdict = [f.code for f in exp.diagnoses[0].findings if f.severity != "info" or f.code == "healthy"]
    return cfg_out, {"test": out["test"], "baselines": out["baselines"], "primary": out["primary"],
                     "cv": exp.cv, "findings": verdict, "config": config_to_dict(cfg_out),
                     "refit_epochs": out["refit_epochs"],
                     "how": (f"refit on train+val for {out['refit_epochs']} epochs (the folds' median best epoch count)"
                             if exp.cv else f"refit on train+val for {out['refit_epochs']} epochs (the epochs the "
                             "holdout run trained to its best)")}, notes


def summarize_trial(number: int, value: float | None, state: str, params: dict[str, Any],
                    ua: dict[str, Any], retry_of: int | None = None) -> TrialSummary:
    pruned = ua.get("pruned")
    st = state
    if state == "complete" and pruned:
        st = f"pruned_{pruned}"
    if state == "complete" and ua.get("error"):
        st = "failed"
    return TrialSummary(number=int(number), value=float(value) if value is not None else math.nan,
                        std=float(ua.get("std", 0.0) or 0.0), scores=dict(ua.get("scores") or {}),
                        params=dict(ua.get("config_params") or params), state=st,
                        fold_epochs=int(ua.get("fold_epochs", 0) or 0),
                        findings=list(ua.get("findings") or []), seconds=float(ua.get("seconds", 0.0) or 0.0),
                        retry_of=retry_of)


def rank(summaries: list[TrialSummary], direction: str) -> list[TrialSummary]:
    """Fully evaluated trials, best first."""
    full = [s for s in summaries if s.state == "complete" and math.isfinite(s.value)]
    sign = -1.0 if direction == "maximize" else 1.0
    return sorted(full, key=lambda s: (sign * s.value, s.number))


def worker_name() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
