"""Many workers on one study in PostgreSQL: every trial lands once; a killed worker's trial
is re-queued by the heartbeat. The server: scripts/ensure_postgres.sh (make test runs it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")
optuna = pytest.importorskip("optuna", reason="fitdoctor tune needs the tune extra (optuna)")

from tests.tune._cfg import KFOLD, write

HOW = "start one with `bash scripts/ensure_postgres.sh` (make test does) or set FITDOCTOR_TEST_POSTGRES_URL"


def _url() -> str:
    url = os.environ.get("FITDOCTOR_TEST_POSTGRES_URL", "").strip()
    if not url:
        f = Path(os.environ.get("FITDOCTOR_PG_DIR", "/tmp/fitdoctor-postgres")) / "url"
        url = f.read_text().strip() if f.is_file() else ""
    if not url:
        pytest.skip(f"no PostgreSQL for the multi-worker tests: {HOW}")
    psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need psycopg (the dev extra)")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is a reason to skip
        pytest.skip(f"PostgreSQL at {url} does not answer ({str(exc).strip().splitlines()[0]}): {HOW}")
    return url


@pytest.fixture
def pg():
    url = _url()
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield url, name
    try:
        optuna.delete_study(study_name=name, storage=url)
    except Exception:  # noqa: BLE001 - a study that was never created
        pass


def _cmd(path, url, name, out, trials, *extra):
    return [sys.executable, "-m", "fitdoctor.cli", "tune", path, "--storage", url, "--study", name,
            "--trials", str(trials), "--out", str(out), "--no-final", "--json", *extra]


def _trials(url, name):
    return optuna.load_study(study_name=name, storage=url).get_trials()


@pytest.mark.slow
def test_two_workers_one_study_every_trial_lands_once(tmp_path, pg):
    url, name = pg
    path = write(tmp_path, KFOLD, pruning=False)
    procs = [subprocess.Popen(_cmd(path, url, name, tmp_path / f"w{i}", 6), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-1500:] for o in outs]
    trials = _trials(url, name)
    S = optuna.trial.TrialState
    assert {t.state for t in trials} == {S.COMPLETE}                  # nothing lost, failed or left running
    assert 6 <= len(trials) <= 7                                      # at most workers - 1 over the count
    assert len({t.number for t in trials}) == len(trials)             # each trial once
    assert len({t.user_attrs["worker"] for t in trials}) == 2         # both workers took trials
    assert all(len(t.user_attrs["scores"]) == 3 for t in trials)
    # TPE with constant_liar and per-worker seeds: the workers never draw the same points
    assert len({tuple(sorted(t.params.items())) for t in trials}) == len(trials)


@pytest.mark.slow
def test_a_killed_workers_trial_is_requeued_by_the_heartbeat(tmp_path, pg):
    import copy

    url, name = pg
    base = copy.deepcopy(KFOLD)
    base["train"]["epochs"] = 12
    base["train"]["early_stopping"] = False
    path = write(tmp_path, base, pruning=False)
    a = subprocess.Popen(_cmd(path, url, name, tmp_path / "a", 3, "--heartbeat", "1"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    S = optuna.trial.TrialState
    deadline = time.monotonic() + 240
    victim = None
    try:
        while time.monotonic() < deadline and victim is None:
            time.sleep(0.2)
            try:
                running = [t for t in _trials(url, name) if t.state == S.RUNNING and len(t.params) == 3]
            except KeyError:  # the study is not created yet
                continue
            if running:
                victim = running[0]
            elif a.poll() is not None:
                pytest.fail("worker a finished before it could be killed")
        assert victim is not None, "no trial ever ran"
        os.kill(a.pid, signal.SIGKILL)
        a.wait(timeout=30)
    finally:
        if a.poll() is None:
            a.kill()
    time.sleep(4)  # past the grace period (3 heartbeats)
    b = subprocess.run(_cmd(path, url, name, tmp_path / "b", 3, "--heartbeat", "1"), capture_output=True,
                       text=True, timeout=600)
    assert b.returncode == 0, b.stderr[-1500:]
    trials = _trials(url, name)
    complete = [t for t in trials if t.state == S.COMPLETE]
    assert [t.number for t in trials if t.state == S.FAIL] == [victim.number]
    assert len(complete) == 3 and not [t for t in trials if t.state in (S.RUNNING, S.WAITING)]
    retried = [t for t in complete if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retried) == 1 and retried[0].params == victim.params
