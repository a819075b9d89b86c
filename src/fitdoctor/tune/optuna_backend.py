"""The default backend: an Optuna study (TPE, fold-and-epoch pruning) in durable storage.

Storage (``--storage``):

* default: ``sqlite:///<out>/study.db``, one worker. The worker holds an exclusive lock on
  ``study.db.lock`` while it runs, so a second worker on the same file is refused with a
  message (SQLite takes one writer: "database is locked", optuna#820, #6036) instead of
  failing half way; any trial left RUNNING by a killed worker is failed and re-queued
  with the same parameters when the study is opened again.
* ``journal`` or ``journal:PATH`` (or a ``.log`` path): Optuna's journal file storage, for
  several worker processes on one machine or a shared file system. The journal has no
  heartbeat, so each worker holds a lock file under ``<journal>.workers/``; a RUNNING trial
  whose worker's lock is free belongs to a dead worker and is failed and re-queued.
* any Optuna RDB URL (``postgresql://...``, ``mysql://...``): many workers on many
  machines; heartbeats every ``--heartbeat`` seconds, and a trial whose worker stopped
  beating is failed and re-queued by Optuna (``RetryHeartbeatStaleTrialCallback``).

A re-queued trial keeps its parameters and names the trial it retries; the failed original
is never counted, so ``--trials N`` means N finished trials in the study however many
workers died (N + workers - 1 at most when several workers finish at once).
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import math
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

from fitdoctor.errors import BadInput, require
from fitdoctor.tune.base import (
    Backend, Plan, TuneJob, plan, rank, register, run_final, summarize_trial, worker_name,
)
from fitdoctor.tune.objective import Objective, best_full_trial, is_full, make_pruner
from fitdoctor.tune.result import TrialSummary, TuneResult


# ------------------------------------------------------------------------ storage
class StorageHandle:
    """The opened storage, what it is, and the locks this worker holds."""

    def __init__(self, storage: Any, url: str, kind: str, dashboard: str, locks: list[Any],
                 lock_dir: Path | None = None) -> None:
        self.storage, self.url, self.kind, self.dashboard = storage, url, kind, dashboard
        self.locks, self.lock_dir = locks, lock_dir

    def close(self) -> None:
        for fh in self.locks:
            try:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
            except OSError:
                pass
        self.locks = []
        engine = getattr(getattr(self.storage, "engine", None), "dispose", None)
        if engine is not None:
            engine()


def _retry_callback(max_retry: int = 3) -> Any:
    import optuna

    cls = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or \
        optuna.storages.RetryFailedTrialCallback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(max_retry=max_retry)


def _driver(url: str) -> str:
    """A bare postgresql:// URL with the driver that is installed (SQLAlchemy 2.1 defaults to
    psycopg 3, 2.0 to psycopg2)."""
    import importlib.util

    if not url.startswith(("postgresql://", "postgres://")):
        return url
    rest = url.split("://", 1)[1]
    for module, dialect in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{dialect}://{rest}"
    raise BadInput(f"storage {_redact(url)}: no PostgreSQL driver installed; pip install 'psycopg[binary]'")


def _rdb(url: str, heartbeat: int | None) -> Any:
    import optuna

    url = _driver(url)

    kw: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kw["engine_kwargs"] = {"connect_args": {"timeout": 60}}
    else:
        kw["engine_kwargs"] = {"pool_pre_ping": True}
    if heartbeat:
        params = inspect.signature(optuna.storages.RDBStorage).parameters
        cb_name = "heartbeat_stale_trial_callback" if "heartbeat_stale_trial_callback" in params \
            else "failed_trial_callback"
        kw.update(heartbeat_interval=int(heartbeat), grace_period=int(heartbeat) * 3,
                  **{cb_name: _retry_callback()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for attempt in range(6):
                try:
                    storage = optuna.storages.RDBStorage(url, **kw)
                    break
                except ImportError:
                    raise
                except Exception:
                    # workers started together on a fresh database race to create the tables
                    # (PostgreSQL: duplicate key in pg_type); the loser finds them made
                    if attempt == 5 or url.startswith("sqlite"):
                        raise
                    time.sleep(0.5 + attempt)
            if url.startswith("sqlite"):
                _sqlite_wal(storage)
            return storage
        except ImportError as exc:
            raise BadInput(f"storage {_redact(url)}: {exc}; for PostgreSQL: pip install 'psycopg[binary]'") from None
        except Exception as exc:  # sqlalchemy's OperationalError and friends: one line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            hint = ("; expected an Optuna storage URL: sqlite:///study.db, postgresql://host/db, "
                    "mysql://host/db, or a .log journal file") if "load plugin" in first else ""
            raise BadInput(f"cannot open storage {_redact(url)}: {first}{hint}") from None


def _sqlite_wal(storage: Any) -> None:
    """Write-ahead log with synchronous=NORMAL: a commit no longer waits for an fsync (a trial
    reports every epoch: 70 ms -> ~1 ms a report here), and a killed process still leaves
    the database intact (only a crash of the OS could lose the last commits)."""
    from sqlalchemy import event

    engine = storage.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    engine.dispose()  # connections opened before the listener reconnect with it


def _redact(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db"""
    import re

    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)


def _lock(path: Path, what: str) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise BadInput(what) from None
    return fh


def _is_journal(storage: str) -> bool:
    return storage == "journal" or storage.startswith("journal:") or storage.endswith((".log", ".journal"))


def open_storage(job: TuneJob) -> StorageHandle:
    """The study's storage (see the module docstring). A storage that cannot be opened leaves
    no run directory behind when this call made it."""
    require("optuna", "tune", "fitdoctor tune")
    out = job.out_dir
    made = next((d for d in reversed([out, *out.parents]) if not d.exists()), None)  # the top one made here
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _open_storage(job, out)
    except BaseException:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise


def _open_storage(job: TuneJob, out: Path) -> StorageHandle:
    storage = job.storage
    if storage is None or storage == "sqlite" or (storage.startswith("sqlite:///")):
        db = out / "study.db" if storage in (None, "sqlite") else Path(storage[len("sqlite:///"):])
        db.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(db.with_name(db.name + ".lock"),
                     f"another fitdoctor tune is running on {db}: SQLite takes one writer at a time "
                     "('database is locked', optuna#820); for several workers use --storage journal "
                     "(a journal file in the run directory) or a PostgreSQL URL (--storage postgresql://...)")
        url = f"sqlite:///{db}"
        return StorageHandle(_rdb(url, job.heartbeat), url, "sqlite",
                             f"optuna-dashboard {url}", [lock])
    if _is_journal(storage):
        path = out / "study.log" if storage == "journal" else Path(storage.removeprefix("journal:"))
        path.parent.mkdir(parents=True, exist_ok=True)
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        lock_dir = path.with_name(path.name + ".workers")
        me = lock_dir / (worker_name().replace(":", "-") + ".lock")
        lock = _lock(me, f"lock {me} is taken")
        st = JournalStorage(JournalFileBackend(str(path)))
        return StorageHandle(st, f"journal:{path}", "journal", f"optuna-dashboard {path}", [lock], lock_dir)
    if "://" not in storage:
        raise BadInput(f"storage {storage!r}: expected journal, journal:PATH, sqlite:///PATH or an "
                       "RDB URL such as postgresql://user@127.0.0.1/db")
    url = storage
    return StorageHandle(_rdb(url, job.heartbeat), _redact(url), url.split("://", 1)[0],
                         f"optuna-dashboard '{_redact(url)}'", [])


def _fail_and_retry(study: Any, frozen: Any) -> None:
    from optuna.trial import TrialState

    study._storage.set_trial_state_values(frozen._trial_id, state=TrialState.FAIL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _retry_callback()(study, study._storage.get_trial(frozen._trial_id))


def reap_dead_trials(study: Any, handle: StorageHandle) -> list[int]:
    """Fail and re-queue RUNNING trials whose worker is gone (SQLite: every one, since this
    worker holds the file's only lock; journal: those whose worker lock is free)."""
    from optuna.trial import TrialState

    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    dead = []
    for t in running:
        if handle.kind == "sqlite":
            dead.append(t)
        elif handle.kind == "journal" and handle.lock_dir is not None:
            w = str(t.user_attrs.get("worker") or "")
            host = w.rsplit(":", 1)[0]
            if not w or host != worker_name().rsplit(":", 1)[0]:
                continue  # another machine's worker: its own host decides
            path = handle.lock_dir / (w.replace(":", "-") + ".lock")
            try:
                fh = open(path, "a+")
            except OSError:
                continue
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue  # alive
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()
            dead.append(t)
    for t in dead:
        _fail_and_retry(study, t)
    return [t.number for t in dead]


# ------------------------------------------------------------------------ the study
def fingerprint(job: TuneJob) -> str:
    """What must not change between workers and resumes of one study."""
    from fitdoctor.config import config_to_dict

    d = config_to_dict(job.config)
    d.pop("search", None)
    space = job.space.to_dict()
    space.pop("trials", None)
    blob = json.dumps({"config": d, "space": space}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def sampler_seed(seed: int | None, n_before: int, worker: int | None = None) -> int | None:
    """The sampler's seed for one process: a resume must not redraw trials 0.., and two workers
    on one study must not draw alike. The parts are mixed, not added: with ``seed + pid +
    n_before``, worker pid P opening after one trial landed drew exactly what worker P+1 drew
    when it opened first, and the two repeated each other's parameters."""
    if seed is None:
        return None
    import numpy as np

    parts = [int(seed), int(n_before)] + ([int(worker)] if worker is not None else [])
    return int(np.random.SeedSequence(parts).generate_state(1)[0] & 0x7FFFFFFF)


def make_sampler(job: TuneJob, seed: int | None) -> Any:
    import optuna

    space = job.space
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if space.sampler == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if space.sampler == "grid":
            from fitdoctor.tune.space import _encode

            points = space.grid(job.trials)
            axes: dict[str, list[Any]] = {}
            for p in space.searched:
                vals: list[Any] = []
                for pt in points:
                    v = _encode(pt[p.key]) if p.kind == "categorical" else pt[p.key]
                    if v not in vals:
                        vals.append(v)
                axes[p.key] = vals
            return optuna.samplers.GridSampler(axes, seed=seed)
        startup = 10 if job.trials >= 30 else max(3, job.trials // 3)
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup, multivariate=True,
                                          constant_liar=True)


class _Progress:
    """A rich progress bar: trials done of N, the best-so-far, what runs now."""

    def __init__(self, total: int, done: int, metric: str, unit: str, n_units: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.metric, self.unit, self.n_units = metric, unit, n_units
        self.p = Progress(TextColumn("[bold]tune"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.fields[best]}"), TextColumn("[dim]{task.fields[now]}"),
                          TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.total = total
        self.task = self.p.add_task("tune", total=total, completed=min(done, total), best="", now="")
        self.p.start()
        self._last = 0.0

    def epoch(self, number: int, unit: int, epoch: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        self.p.update(self.task, now=f"trial {number} {self.unit} {unit + 1}/{self.n_units} epoch {epoch + 1}")

    def trial(self, done: int, best: float | None, best_number: int | None) -> None:
        b = f"best val {self.metric} {best:.4f} (trial {best_number})" if best is not None else ""
        # other workers' trials still in flight when the count is reached land too (at most
        # workers - 1 more): the bar stays at N of N
        self.p.update(self.task, completed=min(done, self.total), best=b, now="")

    def stop(self) -> None:
        self.p.stop()


@register
class OptunaBackend(Backend):
    name = "optuna"
    extra = "tune"
    module = "optuna"

    def run(self, job: TuneJob) -> TuneResult:
        require("optuna", "tune", "fitdoctor tune")
        import optuna

        t0 = time.perf_counter()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        pl = plan(job)
        handle = open_storage(job)
        try:
            study = self._open_study(job, pl, handle)
            from fitdoctor.tune.workers import mark_ready

            mark_ready()  # a helper of `tune --workers N`: the first worker may start
            notes: list[str] = []
            retried = reap_dead_trials(study, handle)
            if retried:
                notes.append(f"re-queued trial(s) {', '.join(map(str, retried))} left running by a "
                             "worker that died (same parameters, the failed one is not counted)")
            self._optimize(job, pl, study, handle)
            return self._result(job, pl, study, handle, notes, time.perf_counter() - t0)
        finally:
            handle.close()

    # -------------------------------------------------------------- pieces
    def _open_study(self, job: TuneJob, pl: Plan, handle: StorageHandle) -> Any:
        import optuna

        fp = fingerprint(job)
        n_before = 0
        try:
            summaries = optuna.study.get_all_study_summaries(handle.storage) \
                if hasattr(optuna.study, "get_all_study_summaries") else []
            n_before = next((s.n_trials for s in summaries if s.study_name == job.study_name), 0)
        except Exception:
            n_before = 0
        seed = sampler_seed(job.seed if job.seed is not None else job.space.seed, n_before,
                            None if handle.kind == "sqlite" else os.getpid())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = optuna.create_study(study_name=job.study_name, storage=handle.storage,
                                        sampler=make_sampler(job, seed), pruner=make_pruner(job.space),
                                        direction=pl.direction, load_if_exists=True)
        have = study.user_attrs.get("fingerprint")
        if have is None:
            study.set_user_attr("fingerprint", fp)
            study.set_user_attr("metric", pl.metric)
            study.set_user_attr("unit", pl.unit)
            study.set_user_attr("n_units", pl.n_units)
            study.set_user_attr("space", job.space.to_dict())
        elif have != fp:
            raise BadInput(f"study {job.study_name!r} in {handle.url} was made from another config or "
                           "search space; resume it with the same config, or start a new one with "
                           "--study NAME or another --out")
        return study

    def _optimize(self, job: TuneJob, pl: Plan, study: Any, handle: StorageHandle) -> None:
        import optuna
        from optuna.trial import TrialState

        done = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
        remaining = job.trials - done
        if remaining <= 0:
            return
        bar = _Progress(job.trials, done, pl.metric, pl.unit, pl.n_units) if job.progress else None
        objective = Objective(job.config, job.space, dataset=pl.dataset, metric=pl.metric,
                              n_units=pl.n_units, unit_kind=pl.unit, seeds=pl.seeds, threads=job.threads,
                              probe_every=job.probe_every, on_epoch=bar.epoch if bar else None,
                              record_curves=job.record_curves)
        me = worker_name()

        def run_trial(trial: Any) -> float:
            trial.set_user_attr("worker", me)
            return objective(trial)

        def after(study: Any, frozen: Any) -> None:
            complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if len(complete) >= job.trials:
                study.stop()
            best = best_full_trial(study, complete)
            if bar is not None:
                bar.trial(len(complete), best.value if best else None, best.number if best else None)
            if job.on_trial is not None:
                job.on_trial(_summary(frozen))

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)
                study.optimize(run_trial, n_trials=remaining, timeout=job.timeout, callbacks=[after],
                               gc_after_trial=False, show_progress_bar=False)
        finally:
            if bar is not None:
                bar.stop()

    def _result(self, job: TuneJob, pl: Plan, study: Any, handle: StorageHandle, notes: list[str],
                seconds: float) -> TuneResult:
        from optuna.trial import TrialState

        trials = study.get_trials(deepcopy=False)
        summaries = [_summary(t) for t in trials]
        counts = {"complete": sum(s.state == "complete" for s in summaries),
                  "pruned": sum(s.state.startswith("pruned") for s in summaries),
                  "failed": sum(s.state == "failed" for s in summaries),
                  "running": sum(t.state == TrialState.RUNNING for t in trials),
                  "waiting": sum(t.state == TrialState.WAITING for t in trials),
                  "total": len(trials)}
        ranked = rank(summaries, pl.direction)
        best = ranked[0] if ranked else None
        importances = importances_of(study, [t for t in trials if is_full(t)], pl.direction)
        final = None
        best_config = None
        if best is not None:
            stored = study.user_attrs.get("final")
            if stored and stored.get("trial") == best.number and job.final:
                final, best_config = stored.get("final"), (stored.get("final") or {}).get("config")
                notes.append(f"final test score of trial {best.number} read from the study "
                             "(scored once, by the worker that finished it)")
            else:
                cfg_out, final, more = run_final(job, best.params, pl)
                notes += more
                from fitdoctor.config import config_to_dict

                best_config = config_to_dict(cfg_out)
                if final is not None:
                    study.set_user_attr("final", {"trial": best.number, "final": _plain(final)})
        else:
            notes.append("no trial finished every unit: nothing to refit")
        result = TuneResult(backend="optuna", metric=pl.metric, direction=pl.direction, unit=pl.unit,
                            n_units=pl.n_units, study_name=job.study_name, storage=handle.url,
                            run_dir=str(job.out_dir), trials=counts, best=best, top=ranked[:job.top],
                            importances=importances, best_config=best_config, final=_plain(final),
                            fold_epochs=sum(s.fold_epochs for s in summaries), seconds=seconds,
                            notes=notes, dashboard=handle.dashboard, all_trials=summaries)
        write_result(job.out_dir, result)
        return result


def _plain(obj: Any) -> Any:
    from fitdoctor.findings import _jsonable

    return None if obj is None else json.loads(json.dumps(_jsonable(obj)))


def _summary(t: Any) -> TrialSummary:
    state = t.state.name.lower()
    return summarize_trial(t.number, t.value, state, t.params, t.user_attrs,
                           retry_of=t.system_attrs.get("failed_trial"))


def importances_of(study: Any, full: list[Any], direction: str) -> dict[str, float]:
    """fANOVA importances over the fully evaluated trials only (a pruned trial's partial mean
    would bias them); empty with fewer than 3 such trials."""
    if len(full) < 3:
        return {}
    import optuna

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tmp = optuna.create_study(direction=direction)
            tmp.add_trials(full)
            imp = optuna.importance.get_param_importances(
                tmp, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0))
        return {k: round(float(v), 4) for k, v in imp.items() if math.isfinite(v)}
    except Exception:  # degenerate spaces (one distinct value) make fANOVA fail
        return {}


def write_result(out: Path, result: TuneResult) -> Path:
    from fitdoctor.files import atomic_write

    path = out / "tune.json"
    atomic_write(path, json.dumps(result.to_dict(with_trials=True), indent=2) + "\n")
    return path
