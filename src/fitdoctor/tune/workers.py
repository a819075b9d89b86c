"""``tune --workers N``: N processes on this machine, one study.

The first worker is the calling process; ``N - 1`` helpers are ``fitdoctor tune ... --no-final``
subprocesses on the same storage (the journal file in the run directory unless another is
given: SQLite locks under several writers, optuna#820). They start together: each helper
touches a ready file once its study is open, and the first worker waits for them, so the
sampler's startup trials spread over all workers. When every worker has stopped, the study
is opened once more for the result and the one final refit (no trial is left to run then).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

#: how long the first worker waits for its helpers to open the study
READY_TIMEOUT_S = 120.0
#: the environment variable a helper reads: where to touch its ready file
READY_ENV = "FITDOCTOR_TUNE_READY"


def check(workers: Any, kw: dict[str, Any]) -> None:
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


def mark_ready() -> None:
    """Called by a worker once its study is open: a helper tells the first worker it may start."""
    ready = os.environ.get(READY_ENV)
    if ready:
        Path(f"{ready}.{os.getpid()}").touch()


def with_workers(tune: Callable[..., Any], config: Any, workers: int, **kw: Any) -> Any:
    """Run ``tune(config, **kw)`` on ``workers`` processes; returns the one result."""
    from fitdoctor.config import dump_config, load_config
    from fitdoctor.errors import BadInput
    from fitdoctor.tune.space import parse_search

    check(workers, kw)
    cfg = load_config(config)
    named = isinstance(config, (str, os.PathLike))
    stem = Path(str(config)).stem if named else "tune"
    out = Path(kw["out"] if kw["out"] is not None else Path("fitdoctor-runs") / f"{stem}-tune")
    study = kw["study"] or (stem if named else "fitdoctor")
    storage = kw["storage"] or "journal"
    n = int(kw["trials"] if kw["trials"] is not None else parse_search(cfg.search).trials)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "workers_config.yaml"  # what the helpers read (a dict or RunConfig has no file)
    dump_config(cfg, path)
    cmd = [sys.executable, "-m", "fitdoctor.cli", "tune", str(path), "--out", str(out), "--storage", storage,
           "--study", study, "--trials", str(n), "--no-final", "--json", "--heartbeat", str(kw["heartbeat"])]
    if kw["timeout"] is not None:
        cmd += ["--timeout", str(kw["timeout"])]
    if kw["seed"] is not None:
        cmd += ["--seed", str(kw["seed"])]
    same = {**kw, "storage": storage, "study": study, "out": out, "trials": n}
    scratch = Path(tempfile.mkdtemp(prefix="fitdoctor-workers-"))
    env = {**os.environ, READY_ENV: str(scratch / "ready")}
    logs = [open(scratch / f"worker{i}.err", "w+") for i in range(workers - 1)]  # files: a pipe can fill
    helpers = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, text=True, env=env) for log in logs]
    errors: list[str] = []
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and len(list(scratch.glob("ready.*"))) < len(helpers) \
                and all(h.poll() is None for h in helpers):
            time.sleep(0.1)
        try:
            tune(path, **{**same, "final": False})
        except BaseException:
            for h in helpers:  # this worker failed or was interrupted: stop the others too
                h.terminate()
            raise
        for h, log in zip(helpers, logs):
            if h.wait() != 0:
                log.seek(0)
                text = log.read().strip()
                errors.append(text.splitlines()[-1] if text else f"exit code {h.returncode}")
    finally:
        for log in logs:
            log.close()
        shutil.rmtree(scratch, ignore_errors=True)
    if errors:
        raise BadInput(f"a tune worker failed: {errors[0]}")
    return tune(path, **{**same, "progress": False})
