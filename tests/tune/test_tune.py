"""fitdoctor tune end to end on tiny configs: k-fold with pruning, holdout seeds, resume,
one writer per SQLite file, the journal for several workers, the CLI."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys

import pytest

pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")
optuna = pytest.importorskip("optuna", reason="fitdoctor tune needs the tune extra (optuna)")

import fitdoctor as fd
from fitdoctor.errors import BadInput
from tests.tune._cfg import HOLDOUT, KFOLD, cfg, write


def test_kfold_tune_end_to_end(tmp_path):
    seen = []
    r = fd.tune(cfg(KFOLD), trials=6, out=tmp_path / "run", on_trial=seen.append)
    assert r.backend == "optuna" and r.unit == "fold" and r.n_units == 3 and r.metric == "accuracy"
    assert r.trials["complete"] + r.trials["pruned"] == 6 and r.trials["failed"] == 0 and len(seen) == 6
    best = r.best
    assert best is not None and best.state == "complete" and len(best.scores) == 3
    assert best.value == pytest.approx(sum(best.scores.values()) / 3)
    assert best.std >= 0 and all(math.isfinite(v) for v in best.scores.values())
    # the winner is the best fully scored trial, never a pruned one's partial mean
    full = [t for t in r.all_trials if t.state == "complete"]
    assert best.value == max(t.value for t in full)
    # every trial is diagnosed: a line per best trial, with its findings
    assert r.lines()[0].startswith(f"trial {best.number}: val accuracy ")
    assert any(t.findings for t in full)
    # the test split is scored once, on the refit winner, beside the baselines
    assert set(r.test) >= {"accuracy", "f1"} and "logistic" in r.final["baselines"]
    assert "train+val" in r.final["how"]
    assert (tmp_path / "run" / "study.db").is_file() and (tmp_path / "run" / "best_config.yaml").is_file()
    saved = json.loads((tmp_path / "run" / "tune.json").read_text())
    assert saved["best"]["number"] == best.number and len(saved["all_trials"]) == 6
    d = r.to_dict()
    json.dumps(d)
    assert d["best_value"] == pytest.approx(best.value)
    # what a notebook prints: one line with the best trial and the one test score
    text = repr(r)
    assert text.startswith("TuneResult(") and f"best trial {best.number}" in text and "\n" not in text
    assert f"test accuracy {r.test['accuracy']:.3f}" in text and len(text) < 160


def test_holdout_tunes_over_training_seeds(tmp_path):
    r = fd.tune(cfg(HOLDOUT, pruning=False), trials=3, out=tmp_path / "run", final=False)
    assert r.unit == "seed" and r.n_units == 2
    assert all(len(t.scores) == 2 for t in r.all_trials)
    assert r.final is None and (tmp_path / "run" / "best_config.yaml").is_file()


def test_holdout_winner_is_refit_on_train_and_val_before_its_one_test_score(tmp_path):
    """6:2:2 done right: chosen on validation, then refit on train+val, then test once; the
    written config reads like one a person wrote (no ``search: null``)."""
    r = fd.tune(cfg(HOLDOUT, pruning=False), trials=2, out=tmp_path / "run")
    assert r.final["how"].startswith("refit on train+val for ") and r.final["refit_epochs"] >= 1
    text = (tmp_path / "run" / "best_config.yaml").read_text()
    assert "search" not in text and "lr:" in text


def test_rerun_resumes_up_to_the_trial_count(tmp_path):
    out = tmp_path / "run"
    fd.tune(cfg(KFOLD), trials=3, out=out, final=False)
    r = fd.tune(cfg(KFOLD), trials=5, out=out, final=False)
    assert r.trials["total"] == 5
    numbers = sorted(t.number for t in r.all_trials)
    assert numbers == list(range(5))
    again = fd.tune(cfg(KFOLD), trials=5, out=out, final=False)  # nothing left to do
    assert again.trials["total"] == 5


def test_a_changed_space_is_another_study(tmp_path):
    out = tmp_path / "run"
    fd.tune(cfg(KFOLD), trials=1, out=out, final=False)
    other = cfg(KFOLD)
    other["search"]["params"]["model.width"] = {"low": 4, "high": 64}
    with pytest.raises(BadInput, match="another config or search space"):
        fd.tune(other, trials=2, out=out, final=False)


def test_second_worker_on_one_sqlite_file_is_refused_with_a_way_out(tmp_path):
    import fcntl

    out = tmp_path / "run"
    out.mkdir()
    with open(out / "study.db.lock", "a+") as fh:  # a running worker holds this lock
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(BadInput, match="SQLite takes one writer.*--storage journal"):
            fd.tune(cfg(KFOLD), trials=1, out=out, final=False)


def test_a_storage_that_cannot_be_opened_leaves_no_run_directory(tmp_path):
    out = tmp_path / "runs" / "study"
    with pytest.raises(BadInput, match="cannot open storage foo://x.*expected an Optuna storage URL"):
        fd.tune(cfg(KFOLD), trials=1, out=out, storage="foo://x", final=False)
    assert not (tmp_path / "runs").exists()


def test_journal_storage_takes_two_worker_processes(tmp_path):
    path = write(tmp_path, KFOLD, pruning=False)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "fitdoctor.cli", "tune", path, "--trials", "4", "--out", str(out),
           "--storage", "journal", "--no-final", "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(out / "study.log")))
    trials = optuna.load_study(study_name="tiny", storage=storage).get_trials()
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert 4 <= len(complete) <= 5 and len({t.number for t in trials}) == len(trials)
    workers = {t.user_attrs.get("worker") for t in complete}
    assert len(workers) == 2  # both processes did work on the one study


def test_cli_json_and_bad_input(tmp_path):
    path = write(tmp_path, KFOLD)
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "tune", path, "--trials", "2", "--out",
                        str(tmp_path / "run"), "--json", "--no-final"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert d["trials"]["total"] == 2 and d["best"]["number"] in (0, 1) and d["summary"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: {source: 'make_moons:n_samples=100'}\nsearch: {params: {train.learning_rate: [0.1]}}\n")
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "tune", str(bad)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "did you mean 'train.lr'" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "tune", path, "--backend", "rey"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "did you mean 'ray'" in r.stderr


def test_sqlite_storage_is_intact(tmp_path):
    fd.tune(cfg(KFOLD), trials=2, out=tmp_path / "run", final=False)
    con = sqlite3.connect(tmp_path / "run" / "study.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_workers_share_one_study_and_the_winner_is_tested_once(tmp_path):
    """--workers 2: a helper process beside this one, on the journal file in the run
    directory; every trial lands once, both workers take trials, one final refit."""
    r = fd.tune(cfg(KFOLD, pruning=False), trials=6, out=tmp_path / "run", workers=2)
    trials = r.all_trials
    assert 6 <= r.trials["complete"] <= 7 and r.trials["failed"] == 0
    assert len({t.number for t in trials}) == len(trials)
    assert (tmp_path / "run" / "study.log").is_file() and not (tmp_path / "run" / "study.db").exists()
    import optuna

    workers = {t.user_attrs.get("worker") for t in optuna.load_study(
        study_name="fitdoctor", storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(tmp_path / "run" / "study.log")))).get_trials()}
    assert len(workers) == 2
    assert r.final is not None and r.final["how"].startswith("refit on train+val")


def test_workers_refuse_what_they_cannot_share(tmp_path):
    with pytest.raises(BadInput, match="SQLite locks under several writers"):
        fd.tune(cfg(KFOLD), trials=2, out=tmp_path / "a", workers=2, storage=f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(BadInput, match="expected a whole number"):
        fd.tune(cfg(KFOLD), trials=2, out=tmp_path / "b", workers=0)
