"""The terminal summary and the trial lines, from a TuneResult (no training)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("rich")

from fitdoctor.tune.result import TrialSummary, TuneResult
from fitdoctor.tune.show import print_result


def _trial(n, value, state="complete", findings=()):
    return TrialSummary(number=n, value=value, std=0.02, scores={"0": value, "1": value, "2": value},
                        params={"train.lr": 0.01, "model.width": 32}, state=state, fold_epochs=30,
                        findings=list(findings))


def test_trial_lines_say_what_the_diagnosis_found():
    over = {"unit": 1, "code": "overfitting", "severity": "warning", "from_epoch": 40, "message": "..."}
    osc = {"unit": 1, "code": "oscillating", "severity": "warning", "from_epoch": 0, "message": "..."}
    assert _trial(17, 0.91, findings=[over, osc]).line("f1", "fold", 3) == \
        "trial 17: val f1 0.910 ± 0.020 over 3 folds, but overfitting from epoch 40 (fold 2); also oscillating"
    healthy = {"unit": 0, "code": "healthy", "severity": "info", "from_epoch": 0, "message": "..."}
    assert _trial(3, 0.8, findings=[healthy]).line("accuracy", "fold", 3).endswith("over 3 folds, healthy")
    pruned = _trial(5, 0.7, state="pruned_epochs")
    pruned.scores = {"0": 0.7}
    assert "over 1 fold (pruned on epochs after 1/3)" in pruned.line("accuracy", "fold", 3)


def test_summary_shows_best_trials_importances_and_the_test_once():
    from rich.console import Console

    best = _trial(2, 0.95, findings=[{"unit": 0, "code": "overfitting", "severity": "warning",
                                       "from_epoch": 12, "message": "..."}])
    r = TuneResult(backend="optuna", metric="accuracy", direction="maximize", unit="fold", n_units=3,
                   study_name="demo", storage="sqlite:///x/study.db", run_dir="x",
                   trials={"complete": 4, "pruned": 2, "failed": 0, "running": 0, "waiting": 0, "total": 6},
                   best=best, top=[best, _trial(0, 0.9)], importances={"train.lr": 0.7, "model.width": 0.3},
                   best_config=None, final={"test": {"accuracy": 0.93, "f1": 0.92}, "primary": "accuracy",
                                            "how": "refit on train+val",
                                            "baselines": {"logistic": {"accuracy": 0.9, "f1": 0.88}}},
                   fold_epochs=120, seconds=12.0, dashboard="optuna-dashboard sqlite:///x/study.db")
    con = Console(record=True, width=120)
    print_result(r, con)
    text = con.export_text()
    assert "4 trials scored on all 3 folds, 2 pruned" in text
    assert "trial 2: val accuracy 0.950 ± 0.020 over 3 folds, but overfitting from epoch 12 (fold 1)" in text
    assert "train.lr 0.70" in text and "network (tuned)" in text and "logistic" in text and "0.930" in text
    assert "optuna-dashboard sqlite:///x/study.db" in text
    narrow = Console(record=True, width=40)  # the dashboard command is never wrapped in two
    print_result(r, narrow)
    assert "  optuna-dashboard sqlite:///x/study.db" in narrow.export_text().splitlines()
    d = r.to_dict()
    json.dumps(d)
    assert d["best_value"] == 0.95 and d["summary"][0].startswith("trial 2:")


def test_wrapped_trial_lines_hang_under_their_text_at_80_columns():
    from rich.console import Console

    long = [{"unit": 4, "code": c, "severity": "warning", "from_epoch": 7, "message": "..."}
            for c in ("oscillating", "lr_too_high", "overfitting")]
    best = _trial(0, 0.987, findings=long)
    best.params = {f"model.key_{i}": 0.000123 * (i + 1) for i in range(8)}
    r = TuneResult(backend="optuna", metric="accuracy", direction="maximize", unit="fold", n_units=5,
                   study_name="bc", storage=None, run_dir=None,
                   trials={"complete": 1, "pruned": 0, "failed": 0, "running": 0, "waiting": 0, "total": 1},
                   best=best, top=[best], importances={}, best_config=None, final=None, fold_epochs=10,
                   seconds=1.0, dashboard=None)
    con = Console(record=True, width=80)
    print_result(r, con)
    lines = con.export_text().splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  trial 0: "))
    assert lines[at + 1].startswith(" " * len("  trial 0: ")) and lines[at + 1].strip()
    cfg = next(i for i, ln in enumerate(lines) if ln.startswith("best config (trial 0): "))
    assert lines[cfg + 1].startswith(" " * len("best config (trial 0): ")) and lines[cfg + 1].strip()
    assert all(len(ln) <= 80 for ln in lines)
