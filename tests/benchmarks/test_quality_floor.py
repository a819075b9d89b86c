"""A floor under the verdicts: a change that makes them worse on runs the rules were never tuned
on cannot land. Floors sit a little under the scores measured when they were set (README,
'Diagnosis quality'), so run-to-run noise in nothing (the scoring is deterministic) but a real
regression fails."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _corpus_top1(split: str) -> tuple[float, float]:
    sd = _load("score_diagnosis")
    doc = json.loads(sd.LABELS.read_text())
    runs = {k: v for k, v in doc["runs"].items() if v["split"] == split}
    rows = [sd.diagnose_run(rid, e, False) for rid, e in sorted(runs.items())]
    codes = sorted({c for e in doc["runs"].values() for c in e["labels"]})
    s = sd.summarize(rows, codes)
    return s["top1"], s["healthy_false_alarm_rate"] or 0.0


def test_calibration_clinic_split_stays_right():
    s = _load("score_calibration").score_clinic()
    assert s["crashes"] == 0
    assert s["primary"] >= 0.92, f"clinic primary {s['primary']:.1%} fell below the 92% floor"
    assert s["false_alarms"] <= 0.07, f"clinic false alarms {s['false_alarms']:.1%} above 7%"


def test_calibration_wild_split_stays_right():
    sc = _load("score_calibration")
    s = sc.score_wild()
    if s is None:
        pytest.skip(f"the wild calibration logs are third-party files kept outside the repository ({sc.WILD})")
    assert s["crashes"] == 0
    assert s["primary"] >= 0.75, f"wild primary {s['primary']:.1%} fell below the 75% floor"


@pytest.mark.parametrize("split,floor", [("holdout", 0.93), ("formats", 0.87)])
def test_corpus_held_out_splits_stay_right(split, floor):
    top1, _ = _corpus_top1(split)
    assert top1 >= floor, f"corpus {split} top-1 {top1:.1%} fell below the {floor:.0%} floor"


def test_corpus_runs_labelled_by_a_practitioner_stay_right():
    """47 corpus runs labelled blind by practitioners (27 of them the corpus oracle's misses):
    34 right when the floor was last raised (32 when it was set, as many as the oracle's own primary)."""
    t = _load("score_practitioner").score()["fitdoctor"]
    assert t["right"] >= 33, f"{t['right']}/{t['n']} practitioner-labelled corpus runs right, below the floor of 33"


def test_new_planted_runs_labelled_blind_stay_right():
    """34 planted runs of the corpus's kinds on new seeds, labelled blind and held out of all
    rule work: 30 right when scored once (29 for the code of that session's start)."""
    t = _load("score_practitioner").score(which="planted")["fitdoctor"]
    assert t["right"] >= 29, f"{t['right']}/{t['n']} held-out planted runs right, below the floor of 29"
    assert t["false_alarms"] <= 2, f"{t['false_alarms']}/{t['n']} held-out planted runs with a forbidden code"


def test_messages_quote_numbers_that_are_in_the_log():
    """LABELS.md: a message quotes numbers the user can find in the file. Over the corpus runs'
    logs, 11 quotes in 5 files are not there when the floor was set, all on step logs whose train
    loss the curve rules average between evaluations (a mean with no logged value to quote);
    54 in 45 files for the code that session started from (1371c42)."""
    r = _load("message_numbers").score()
    assert r["files"] >= 250
    assert r["unlogged"] <= 11, f"{r['unlogged']} quoted numbers not in their log ({r['files_with_unlogged']} files)"
