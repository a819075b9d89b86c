"""SIGKILL a running study and resume it: the killed trial is re-queued once with its
parameters, the trial count and best value add up, nothing is duplicated, the storage is
intact. SQLite (the default: one writer, every RUNNING trial is a dead one's) and the
journal file (several workers: a trial whose worker's lock is free is a dead one's)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")
optuna = pytest.importorskip("optuna", reason="fitdoctor tune needs the tune extra (optuna)")

from tests.tune._cfg import KFOLD, write

TRIALS = 4


def _states(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        out = dict(con.execute("SELECT state, COUNT(*) FROM trials GROUP BY state").fetchall())
        out["params_running"] = con.execute(
            "SELECT COUNT(*) FROM trial_params p JOIN trials t ON p.trial_id = t.trial_id "
            "WHERE t.state = 'RUNNING'").fetchone()[0]
        return out
    except sqlite3.OperationalError:  # tables not created yet
        return {}
    finally:
        con.close()


def _cmd(path, out, storage):
    extra = ["--storage", "journal"] if storage == "journal" else []
    return [sys.executable, "-m", "fitdoctor.cli", "tune", path, "--trials", str(TRIALS), "--out", str(out),
            "--json", "--no-final", *extra]


def _journal_states(log):
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(log)))
    try:
        trials = optuna.load_study(study_name="tiny", storage=storage).get_trials()
    except KeyError:
        return {}
    out = {}
    for t in trials:
        out[t.state.name] = out.get(t.state.name, 0) + 1
    out["params_running"] = sum(len(t.params) for t in trials if t.state.name == "RUNNING")
    return out


def _load(out, storage):
    if storage == "journal":
        st = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(out / "study.log")))
        return optuna.load_study(study_name="tiny", storage=st).get_trials()
    st = optuna.storages.RDBStorage(f"sqlite:///{out / 'study.db'}")
    trials = optuna.load_study(study_name="tiny", storage=st).get_trials()
    st.engine.dispose()
    return trials


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["sqlite", "journal"])
def test_sigkill_mid_trial_then_resume(tmp_path, storage):
    import copy

    base = copy.deepcopy(KFOLD)
    base["train"]["epochs"] = 12  # long enough to be caught inside a trial
    base["train"]["early_stopping"] = False
    path = write(tmp_path, base, pruning=False)
    out = tmp_path / "run"
    db = out / ("study.log" if storage == "journal" else "study.db")
    states = _journal_states if storage == "journal" else _states
    proc = subprocess.Popen(_cmd(path, out, storage), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            st = states(db) if db.exists() else {}
            if st.get("COMPLETE", 0) >= 1 and st.get("RUNNING", 0) == 1 and st.get("params_running") == 3:
                # freeze the worker, then make sure it is still inside that trial (a trial of a
                # second or less can end between two looks, and the next one has no parameters
                # for a few milliseconds): kill only a worker frozen mid-trial
                os.kill(proc.pid, signal.SIGSTOP)
                st = states(db)
                if st.get("RUNNING", 0) == 1 and st.get("params_running") == 3:
                    break
                os.kill(proc.pid, signal.SIGCONT)
            if proc.poll() is not None:
                pytest.fail("the study finished before it could be killed: " + proc.stderr.read().decode()[-500:])
            time.sleep(0.05)
        else:
            pytest.fail("no trial ever ran")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed = states(db)
    assert killed.get("RUNNING") == 1, killed
    running = [t for t in _load(out, storage) if t.state == optuna.trial.TrialState.RUNNING][0]

    r = subprocess.run(_cmd(path, out, storage), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    import json

    result = json.loads(r.stdout)
    assert any(f"re-queued trial(s) {running.number}" in n for n in result["notes"])

    trials = _load(out, storage)
    states = [t.state for t in trials]
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == TRIALS                                    # the count is what was asked
    assert states.count(optuna.trial.TrialState.FAIL) == 1            # the killed one, not counted
    assert not any(s in (optuna.trial.TrialState.RUNNING, optuna.trial.TrialState.WAITING) for s in states)
    assert len({t.number for t in trials}) == len(trials) == TRIALS + 1
    retries = [t for t in complete if t.system_attrs.get("failed_trial") is not None]
    assert [t.system_attrs["failed_trial"] for t in retries] == [running.number]  # re-queued exactly once
    assert retries[0].params == running.params                        # with the same parameters
    assert len(retries[0].user_attrs["scores"]) == 3                  # and scored from scratch, fully
    best = max(t.value for t in complete)
    assert result["best_value"] == pytest.approx(best)
    assert result["trials"]["complete"] + result["trials"]["pruned"] == TRIALS
    if storage == "sqlite":
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
