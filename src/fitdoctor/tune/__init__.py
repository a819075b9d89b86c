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
        from fitdoctor.tune.workers import with_workers

        return with_workers(tune, config, workers, trials=trials, out=out, storage=storage, backend=backend,
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


from fitdoctor._callable import make_callable  # noqa: E402

make_callable(__name__, "tune")  # fd.tune(...) still calls tune() once ``fitdoctor.tune`` is the module
