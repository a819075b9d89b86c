"""``fitdoctor tune``: search a config's space on validation (never on test), then refit
the winner and score the test split once, beside the baselines.

    import fitdoctor as fd
    r = fd.tune("config.yaml", trials=50)           # Optuna, SQLite in the run directory
    r.best.params, r.best_value, r.test, r.lines()

Backends: ``optuna`` (default; the ``tune`` extra) and ``ray`` (Ray Tune with Optuna's
sampler and ASHA; the ``ray`` extra). Both import lazily.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from fitdoctor.tune.result import TrialSummary, TuneResult

__all__ = ["tune", "TuneResult", "TrialSummary"]


def tune(config: Any, *, trials: int | None = None, out: str | os.PathLike | None = None,
         storage: str | None = None, backend: str = "optuna", study: str | None = None,
         timeout: float | None = None, threads: int | None = 1, progress: bool = False,
         heartbeat: int = 10, final: bool = True, seed: int | None = None, top: int = 5,
         dataset: Any = None, probe_every: int | None = None, record_curves: bool = False,
         on_trial: Callable[[TrialSummary], None] | None = None, workers: int = 1) -> TuneResult:
    """Tune ``config`` (a YAML path, a mapping or a RunConfig) and return a :class:`TuneResult`.

    ``trials``: finished trials the study should hold (default: ``search.trials``, else 50);
    running it again resumes the study in ``out`` up to that count. ``storage``: None
    (SQLite in ``out``), ``journal[:PATH]`` or an Optuna RDB URL for many workers.
    ``workers``: worker processes on this machine, one study (the Optuna backend; without a
    storage, the journal file in ``out``); the final refit runs once, after all have stopped.
    """
    from fitdoctor.config import load_config
    from fitdoctor.errors import BadInput
    from fitdoctor.tune.base import TuneJob, get_backend
    from fitdoctor.tune.space import parse_search

    if workers != 1:
        return _with_workers(config, workers, trials=trials, out=out, storage=storage, backend=backend,
                             study=study, timeout=timeout, threads=threads, progress=progress,
                             heartbeat=heartbeat, final=final, seed=seed, top=top, dataset=dataset,
                             probe_every=probe_every, record_curves=record_curves, on_trial=on_trial)
    cfg = load_config(config)
    space = parse_search(cfg.search)
    n = int(trials if trials is not None else space.trials)
    if n < 1:
        raise BadInput(f"trials {n}: expected at least 1")
    if out is None:
        stem = Path(str(config)).stem if isinstance(config, (str, os.PathLike)) else "tune"
        out = Path("fitdoctor-runs") / f"{stem}-tune"
    name = study or (Path(str(config)).stem if isinstance(config, (str, os.PathLike)) else "fitdoctor")
    job = TuneJob(config=cfg, space=space, out_dir=Path(out), trials=n, storage=storage, study_name=name,
                  timeout=timeout, threads=threads, progress=progress, heartbeat=heartbeat, final=final,
                  seed=seed, top=top, dataset=dataset, probe_every=probe_every,
                  record_curves=record_curves, on_trial=on_trial)
    return get_backend(backend).run(job)


def _with_workers(config: Any, workers: int, **kw: Any) -> TuneResult:
    """``workers - 1`` helper processes (``fitdoctor tune ... --no-final``) beside this one on
    one study; when every worker has stopped, the study is opened once more for the result
    and the final refit (no trial is left to run then)."""
    import subprocess
    import sys

    from fitdoctor.config import dump_config, load_config
    from fitdoctor.errors import BadInput

    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise BadInput(f"workers {workers!r}: expected a whole number of processes >= 1")
    if kw["backend"] != "optuna":
        raise BadInput(f"workers {workers}: for the optuna backend; Ray schedules its own trials "
                       "(--backend ray uses every CPU Ray is given)")
    if kw["dataset"] is not None:
        raise BadInput(f"workers {workers}: worker processes load the data from the config; "
                       "pass a config whose data.source they can read instead of dataset=")
    if kw["storage"] is not None and kw["storage"].startswith("sqlite"):
        raise BadInput(f"workers {workers} on {kw['storage']}: SQLite locks under several writers "
                       "(optuna#820); use --storage journal or a PostgreSQL URL")
    cfg = load_config(config)
    stem = Path(str(config)).stem if isinstance(config, (str, os.PathLike)) else "tune"
    out = Path(kw["out"] if kw["out"] is not None else Path("fitdoctor-runs") / f"{stem}-tune")
    study = kw["study"] or (stem if isinstance(config, (str, os.PathLike)) else "fitdoctor")
    storage = kw["storage"] or "journal"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "workers_config.yaml"  # what the helpers read (a dict or RunConfig has no file)
    dump_config(cfg, path)
    space = __import__("fitdoctor.tune.space", fromlist=["parse_search"]).parse_search(cfg.search)
    n = int(kw["trials"] if kw["trials"] is not None else space.trials)
    cmd = [sys.executable, "-m", "fitdoctor.cli", "tune", str(path), "--out", str(out), "--storage", storage,
           "--study", study, "--trials", str(n), "--no-final", "--json", "--heartbeat", str(kw["heartbeat"])]
    if kw["timeout"] is not None:
        cmd += ["--timeout", str(kw["timeout"])]
    if kw["seed"] is not None:
        cmd += ["--seed", str(kw["seed"])]
    import tempfile
    import time

    ready_dir = Path(tempfile.mkdtemp(prefix="fitdoctor-workers-"))
    env = {**os.environ, "FITDOCTOR_TUNE_READY": str(ready_dir / "ready")}
    logs = [open(ready_dir / f"worker{i}.err", "w+") for i in range(workers - 1)]  # a file: a pipe can fill
    helpers = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, text=True, env=env) for log in logs]
    # start together: the helpers import torch first (seconds); without waiting, this worker
    # would run the first trials alone and the TPE startup trials would not spread
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(ready_dir.glob("ready.*"))) < len(helpers) \
            and all(h.poll() is None for h in helpers):
        time.sleep(0.1)
    try:
        tune(path, **{**kw, "storage": storage, "study": study, "out": out, "trials": n, "final": False})
    finally:
        errs = []
        for h, log in zip(helpers, logs):
            rc = h.wait()
            log.seek(0)
            errs.append((rc, log.read()))
            log.close()
        import shutil

        shutil.rmtree(ready_dir, ignore_errors=True)
    failed = [e.strip().splitlines()[-1] for rc, e in errs if rc != 0 and e.strip()]
    if failed:
        raise BadInput(f"a tune worker failed: {failed[0]}")
    return tune(path, **{**kw, "storage": storage, "study": study, "out": out, "trials": n, "progress": False})


class _CallableModule(__import__("types").ModuleType):
    """``fd.tune(...)`` calls :func:`tune` even after ``import fitdoctor.tune`` made
    ``fitdoctor.tune`` this module (Python sets a package's attribute to its submodule)."""

    def __call__(self, *args: Any, **kwargs: Any) -> TuneResult:
        return tune(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule
