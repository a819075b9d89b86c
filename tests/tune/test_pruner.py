"""The fold-and-epoch pruner on synthetic reports (no training): each axis read alone."""

from __future__ import annotations

import pytest

optuna = pytest.importorskip("optuna", reason="fitdoctor tune needs the tune extra (optuna)")

from fitdoctor.tune.objective import epoch_step, split_step, make_pruner
from fitdoctor.tune.space import parse_search

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _study(**pruning):
    space = parse_search({"params": {"train.lr": {"low": 1e-3, "high": 1e-1}},
                          "pruning": {"startup_trials": 2, "warmup_epochs": 2, **pruning}})
    return optuna.create_study(direction="maximize", pruner=make_pruner(space))


def _full(study, fold_scores, curve=None):
    """A trial that ran every fold (and reported an epoch curve on each)."""
    t = study.ask()
    for u, s in enumerate(fold_scores):
        for e, v in enumerate(curve or []):
            t.report(v, epoch_step(u, e))
        t.report(s, u)
    for k, v in {"units_done": len(fold_scores), "n_units": len(fold_scores), "pruned": None}.items():
        t.set_user_attr(k, v)
    study.tell(t, sum(fold_scores) / len(fold_scores))


def test_steps_round_trip():
    assert split_step(3) == ("unit", 3, -1)
    assert split_step(epoch_step(4, 17)) == ("epoch", 4, 17)


@pytest.mark.parametrize("test, first", [("wilcoxon", 3), ("t", 2)])
def test_fold_axis_prunes_a_trial_worse_on_every_fold_and_not_a_tie(test, first):
    study = _study(epochs=False, fold_test=test)
    best = [0.90, 0.85, 0.95, 0.88, 0.92, 0.87]
    for _ in range(3):
        _full(study, best)
    worse = study.ask()
    pruned_at = None
    for u, s in enumerate(best):
        worse.report(s - 0.05, u)
        if study.pruner.prune(study, study._storage.get_trial(worse._trial_id)):
            pruned_at = u
            break
    # one-sided Wilcoxon on n pairs reaches p < 0.1 first at n = 4 (p = 1/16); the paired t-test
    # acts from the 3rd fold (the default: more power on few folds)
    assert pruned_at == first
    tie = study.ask()
    for u, s in enumerate(best):
        tie.report(s + (0.01 if u % 2 else -0.01), u)
        assert not study.pruner.prune(study, study._storage.get_trial(tie._trial_id))


def test_epoch_axis_prunes_a_bad_curve_after_warmup_but_not_a_good_one():
    study = _study(folds=False)
    curve = [0.6, 0.7, 0.8, 0.85, 0.9]
    for _ in range(3):
        _full(study, [0.9, 0.9, 0.9], curve)
    bad = study.ask()
    decisions = []
    for e, v in enumerate([0.5, 0.5, 0.5, 0.5]):
        bad.report(v, epoch_step(1, e))
        decisions.append(study.pruner.prune(study, study._storage.get_trial(bad._trial_id)))
    assert decisions == [False, False, True, True]  # warmup: 2 epochs
    good = study.ask()
    for e, v in enumerate(curve):
        good.report(v + 0.01, epoch_step(0, e))
        assert not study.pruner.prune(study, study._storage.get_trial(good._trial_id))


def test_nothing_prunes_before_the_startup_trials():
    study = _study()
    _full(study, [0.9, 0.9, 0.9, 0.9, 0.9], [0.8, 0.9, 0.9])
    t = study.ask()
    for e in range(5):
        t.report(0.1, epoch_step(0, e))
        assert not study.pruner.prune(study, study._storage.get_trial(t._trial_id))
    for u in range(5):
        t.report(0.1, u)
        assert not study.pruner.prune(study, study._storage.get_trial(t._trial_id))


def test_pruned_trials_are_not_the_yardstick():
    """A pruned trial returns its mean so far; it must never be the 'best' the test pairs with."""
    from fitdoctor.tune.objective import best_full_trial

    study = _study()
    _full(study, [0.8, 0.8, 0.8])
    t = study.ask()
    t.report(0.99, 0)
    t.set_user_attr("pruned", "folds")
    t.set_user_attr("units_done", 1)
    t.set_user_attr("n_units", 3)
    study.tell(t, 0.99)
    assert study.best_trial.number == 1          # Optuna's own notion
    assert best_full_trial(study).number == 0    # ours


def test_epoch_axis_reads_curves_stored_once_per_trial():
    """The objective stores each fold's curve once, at the end of a trial (no write per
    epoch) and asks the pruner in memory with a snapshot of the finished trials."""
    study = _study(folds=False)
    for _ in range(3):
        t = study.ask()
        for u in range(3):
            t.report(0.9, u)
        t.set_user_attr("curves", {str(u): [0.6, 0.7, 0.8, 0.85, 0.9] for u in range(3)})
        for k, v in {"units_done": 3, "n_units": 3, "pruned": None}.items():
            t.set_user_attr(k, v)
        study.tell(t, 0.9)
    finished = study.get_trials(deepcopy=False)
    me = study.ask()
    pruner = study.pruner
    assert not pruner.prune_epoch(study, finished, 1, {0: 0.5, 1: 0.5}, me)          # warmup
    assert pruner.prune_epoch(study, finished, 1, {0: 0.5, 1: 0.5, 2: 0.5}, me)
    assert not pruner.prune_epoch(study, finished, 1, {0: 0.7, 1: 0.8, 2: 0.85}, me)
    # a fold that stopped early keeps its last score: epoch 9 compares against 0.9
    assert pruner.prune_epoch(study, finished, 1, {e: 0.88 for e in range(10)}, me)
    assert not pruner.prune_epoch(study, finished, 1, {e: 0.91 for e in range(10)}, me)


def test_paired_t_prunes_a_trial_worse_on_every_fold_from_the_third_and_never_a_tie():
    from fitdoctor.tune.objective import paired_t_worse

    best = {0: 0.98, 1: 0.97, 2: 0.99, 3: 0.98, 4: 0.97}
    worse = {0: 0.95, 1: 0.945, 2: 0.96}
    assert not paired_t_worse({0: 0.95, 1: 0.945}, best, 0.1, maximize=True)   # two folds: too few
    assert paired_t_worse(worse, best, 0.1, maximize=True)
    assert not paired_t_worse({0: 0.98, 1: 0.97, 2: 0.99}, best, 0.1, maximize=True)  # a tie
    assert not paired_t_worse({0: 0.99, 1: 0.90, 2: 1.0}, best, 0.1, maximize=True)   # mixed: no evidence
    # minimising (a loss, an error): lower is better
    assert paired_t_worse({0: 1.2, 1: 1.3, 2: 1.25}, {0: 1.0, 1: 1.1, 2: 1.0}, 0.1, maximize=False)


def test_fold_test_is_validated_with_the_choices_named():
    from fitdoctor.errors import BadInput
    from fitdoctor.tune.space import parse_search

    sp = parse_search({"params": {"train.lr": {"low": 1e-3, "high": 0.1, "log": True}},
                       "pruning": {"fold_test": "t"}})
    assert sp.pruning.fold_test == "t"
    with pytest.raises(BadInput, match="fold_test.*'wilcoxon' or 't'"):
        parse_search({"params": {"train.lr": {"low": 1e-3, "high": 0.1}}, "pruning": {"fold_test": "z"}})
