"""Retraining a candidate config on the paired seeds or folds, in parallel processes where the machine allows."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Callable

from fitdoctor.errors import BadInput
from fitdoctor.doctor.significance import merge_selections


def _select_job(payload: dict[str, Any]) -> Any:
    """One retrain job (one seed, one fold, or all folds): runs in a worker process."""
    from fitdoctor.train.protocol import select

    kw = dict(payload["kw"])
    return select(payload["cfg"], **kw)


def _supports_units() -> bool:
    import inspect

    from fitdoctor.train.protocol import select

    return "units" in inspect.signature(select).parameters


class _Runner:
    """Runs the units of one candidate, in a pool of spawned processes or in this one."""

    def __init__(self, ds: Any, metric: str, seeds: list[int], workers: int, probe_every: int | None) -> None:
        self.ds, self.metric, self.seeds, self.probe_every = ds, metric, seeds, probe_every
        self.workers = workers
        self._pool = None
        self.fits = 0
        self.fit_seconds = 0.0

    def _executor(self):
        if self._pool is None and self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def jobs(self, cfg: Any, baselines: bool, seeds: list[int] | None = None) -> list[dict[str, Any]]:
        kw = {"dataset": self.ds, "metric": self.metric, "threads": 1, "baselines": baselines}
        if self.probe_every is not None:
            kw["probe_every"] = self.probe_every
        if cfg.data.split.method == "kfold":
            from fitdoctor.data import make_splits

            n = len(make_splits(self.ds, cfg.data.split))
            if _supports_units():
                return [{"cfg": cfg, "kw": {**kw, "units": [i]}} for i in range(n)]
            return [{"cfg": cfg, "kw": kw, "n": n}]
        return [{"cfg": cfg, "kw": {**kw, "seeds": [s]}} for s in (self.seeds if seeds is None else seeds)]

    def n_units(self, cfg: Any) -> int:
        return sum(j.get("n", 1) for j in self.jobs(cfg, False))

    def run(self, cfg: Any, *, baselines: bool = False, seeds: list[int] | None = None,
            on_unit: Callable[[int, int, float | None], None] | None = None) -> Any:
        """A Selection over every unit of ``cfg`` (``.error`` set when a retrain failed);
        ``seeds`` instead of the runner's own (a second look)."""
        from fitdoctor.train.protocol import Selection

        jobs = self.jobs(cfg, baselines, seeds)
        total = sum(j.get("n", 1) for j in jobs)
        parts: list[Any] = [None] * len(jobs)
        done = 0
        pool = self._executor() if len(jobs) > 1 else None
        if pool is not None:
            from concurrent.futures import as_completed

            with _main_not_rerun():  # workers start on submit
                futures = {pool.submit(_select_job, j): i for i, j in enumerate(jobs)}
            try:
                for fut in as_completed(futures):
                    i = futures[fut]
                    parts[i] = _result_or_error(fut, cfg)
                    done += jobs[i].get("n", 1)
                    if on_unit is not None:
                        on_unit(done, total, parts[i].scores[0] if parts[i].scores else None)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        else:
            for i, j in enumerate(jobs):
                try:
                    parts[i] = _select_job(j)
                except (RuntimeError, ValueError, ArithmeticError) as exc:
                    parts[i] = _failed(cfg, exc)
                done += j.get("n", 1)
                if on_unit is not None:
                    on_unit(done, total, parts[i].scores[0] if parts[i].scores else None)
        for p in parts:
            self.fits += len(p.runs)
            self.fit_seconds += sum(float(getattr(r, "seconds", 0.0)) for r in p.runs)
        head = Selection(config=cfg, metric=self.metric, unit="fold" if cfg.data.split.method == "kfold" else "seed",
                         scores=[], all_scores=[])
        return merge_selections([head, *parts])


@contextmanager
def _main_not_rerun():
    """Start spawned workers without re-running the caller's script.

    A spawned process imports the parent's ``__main__`` again, so a script that calls
    ``fd.doctor`` without an ``if __name__ == "__main__":`` guard would start doctor again in
    every worker. The workers only need :func:`_select_job`, which lives in this module, so
    the main module is hidden from the spawn while they start.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            if "__spec__" in saved:
                main.__dict__["__spec__"] = None
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


def _failed(cfg: Any, exc: BaseException) -> Any:
    from fitdoctor.train.protocol import Selection

    text = str(exc).splitlines()[0] if str(exc) else ""
    return Selection(config=cfg, metric="", unit="", scores=[], all_scores=[], error=f"{type(exc).__name__}: {text}")


def _result_or_error(fut: Any, cfg: Any) -> Any:
    try:
        return fut.result()
    except (RuntimeError, ValueError, ArithmeticError, OSError) as exc:  # incl. a broken worker pool
        return _failed(cfg, exc)


def _workers(requested: int | None, units: int) -> int:
    """Processes for the retrains: as asked, else the idle cores (load average), at most one per unit."""
    if requested is not None:
        if requested < 1:
            raise BadInput(f"workers {requested}: expected 1 or more")
        return min(requested, max(units, 1))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    try:  # cores other jobs keep busy are not ours to take
        idle = cores - os.getloadavg()[0]
    except OSError:  # pragma: no cover
        idle = cores
    return max(1, min(int(idle + 0.5), units, 8))
