"""Remedies are relative to the config they are applied to, and safe to apply to it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fitdoctor.config import apply_changes, config_to_dict, load_config
from fitdoctor.findings import Finding, Remedy
from fitdoctor.remedies import remedies_for
from fitdoctor.remedies_apply import (
    MIN_LR, PROTECTED, UnsafeChange, apply_remedy, describe_changes, is_relative, remedies_in_context,
    resolve_changes,
)

BASE = {"data": {"source": "sklearn:iris"}}


def cfg(**sections):
    raw = {"data": dict(BASE["data"])}
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return load_config(raw)


def test_relative_values_scale_the_config_not_a_constant():
    c = cfg(train={"lr": 0.02, "batch_size": 64, "epochs": 30}, model={"hidden": [64, 32], "l2": 0.0})
    assert resolve_changes(c, {"train.lr": "x0.1"}) == {"train.lr": 0.002}
    assert resolve_changes(c, {"model.hidden": "x2"}) == {"model.hidden": [128, 64]}
    assert resolve_changes(c, {"train.epochs": "x3"}) == {"train.epochs": 90}
    assert resolve_changes(c, {"train.batch_size": "x0.5>=8"}) == {"train.batch_size": 32}
    assert resolve_changes(c, {"model.l2": "x10>=1e-4"}) == {"model.l2": 1e-4}  # from 0: the floor
    assert resolve_changes(cfg(model={"l2": 1e-3}), {"model.l2": "x10>=1e-4"}) == {"model.l2": 1e-2}
    assert resolve_changes(c, {"model.dropout_rate": "+0.2<=0.5"}) == {"model.dropout_rate": 0.5}
    # a bound never turns a change around; a change that changes nothing is dropped
    assert resolve_changes(cfg(train={"batch_size": 4}), {"train.batch_size": "x0.5>=8"}) == {}
    assert resolve_changes(cfg(model={"dropout_rate": 0.6}), {"model.dropout_rate": "+0.2<=0.5"}) == {}
    assert resolve_changes(cfg(train={"batch_size": 1}), {"train.batch_size": "x0.5"}) == {}
    # no clipping is an infinite bound: a ceiling sets it; a tighter clip is kept
    assert resolve_changes(c, {"train.grad_clip": "<=1"}) == {"train.grad_clip": 1.0}
    assert resolve_changes(cfg(train={"grad_clip": 0.5}), {"train.grad_clip": "<=1"}) == {}
    assert resolve_changes(c, {"train.optimizer": "adam"}) == {}  # already in place
    assert is_relative("x0.1") and is_relative(">=10") and not is_relative("adam") and not is_relative("")


def test_patience_is_never_shortened_and_early_stopping_switches_on_with_its_default():
    long = cfg(train={"early_stopping": {"patience": 20, "restore_best": False}})
    es = remedies_for("overfitting", {"best_at": 12})[0]
    new, changes = apply_remedy(long, es.config_changes)
    assert new.train.early_stopping.patience == 20 and new.train.early_stopping.restore_best is True
    off = cfg(train={"early_stopping": False})
    new, _ = apply_remedy(off, es.config_changes)
    assert new.train.early_stopping.restore_best is True and new.train.early_stopping.patience == 5
    assert resolve_changes(off, {"train.early_stopping.patience": ">=10"}) == {"train.early_stopping.patience": 10}
    assert describe_changes(off, resolve_changes(off, es.config_changes)) == \
        "train.early_stopping off -> on (restore_best: true)"


@pytest.mark.parametrize("change", [
    {"data.split.test": 0.3}, {"data.split.seed": 1}, {"data.split.method": "holdout"},
    {"data.split": {"shuffle": True, "stratify": True}}, {"data.source": "sklearn:wine"},
    {"train.seed": 3}, {"data.task": "regression"},
])
def test_protected_keys_are_refused_with_the_reason(change):
    with pytest.raises(UnsafeChange, match="not changed by a remedy"):
        resolve_changes(cfg(), change)


def test_unknown_keys_and_nonsense_values_are_refused():
    with pytest.raises(UnsafeChange, match="unknown config key.*train.lr"):
        resolve_changes(cfg(), {"train.learning": "x2"})
    with pytest.raises(UnsafeChange, match="needs a numeric setting"):
        resolve_changes(cfg(), {"train.optimizer": "x2"})
    with pytest.raises(UnsafeChange, match="neither a number nor a relative change"):
        resolve_changes(cfg(), {"train.lr": "lower"})
    with pytest.raises(UnsafeChange, match="invalid config.*dropout_rate"):
        resolve_changes(cfg(model={"dropout_rate": 0.5}), {"model.dropout_rate": "x2"})


def test_a_change_the_trainer_cannot_run_is_refused_before_it_is_tried():
    with pytest.raises(UnsafeChange, match="batch_norm needs more than one row per batch"):
        resolve_changes(cfg(train={"batch_size": 1}), {"model.batch_norm": True})
    with pytest.raises(UnsafeChange, match="below 1e-06"):
        resolve_changes(cfg(train={"lr": 5e-6}), {"train.lr": "x0.1"})
    with pytest.raises(UnsafeChange, match="regression task"):
        resolve_changes(cfg(), {"train.class_weight": "balanced"}, task="regression")
    # a problem the config already had does not block an unrelated remedy
    tiny = cfg(train={"lr": 5e-7})
    assert resolve_changes(tiny, {"train.lr": "x10"}) == {"train.lr": 5e-6}
    assert resolve_changes(tiny, {"model.dropout_rate": 0.1}) == {"model.dropout_rate": 0.1}


def test_lr_is_scaled_from_the_configs_starting_lr_never_a_collapsed_one():
    """A schedule decayed the lr to 3.69e-7: raising it 10x must not prescribe 3.69e-6."""
    c = cfg(train={"lr": 0.01, "schedule": "exponential", "epochs": 200})
    f = Finding("lr_too_low", "warning", "crawls", evidence={"lr_last": 3.69e-7},
                remedies=remedies_for("lr_too_low", {"lr_last": 3.69e-7}))
    first = remedies_in_context(f, c)[0]
    assert first.config_changes == {"train.schedule": "cosine"}  # keep the starting lr alive
    assert all(resolve_changes(c, r.config_changes).get("train.lr", 0.01) >= 0.01
               for r in remedies_in_context(f, c) if r.config_changes.get("train.lr") == "x10")
    # the plateau rule's vanished-lr remedies never set a lower (or any) lr
    vanished = remedies_for("plateau", {"lr_first": 0.01, "lr_last": 1e-7})
    assert vanished[0].config_changes == {"train.schedule": "cosine"}
    assert not any("train.lr" in r.config_changes for r in vanished)


def test_underfitting_under_heavy_regularization_tries_less_of_it_first():
    heavy = cfg(model={"dropout_rate": 0.8, "l2": 0.3})
    f = Finding("underfitting", "warning", "high loss", remedies=remedies_for("underfitting"))
    first = remedies_in_context(f, heavy)[0]
    assert resolve_changes(heavy, first.config_changes) == {"model.dropout_rate": 0.4, "model.l2": 0.03}
    assert remedies_in_context(f, cfg())[0].config_changes == {"model.hidden": "x2"}



def test_early_stopping_a_remedy_switches_on_watches_the_score_it_is_judged_on():
    """Judged on balanced accuracy, a stop chosen by the loss would keep another epoch's weights."""
    off = cfg(train={"early_stopping": False})
    f = Finding("overfitting", "warning", "val rises", remedies=remedies_for("overfitting", {"best_at": 7}))
    first = remedies_in_context(f, off, select_on="balanced_accuracy")[0]
    new, resolved = apply_remedy(off, first.config_changes)
    assert new.train.early_stopping.monitor == "val_balanced_accuracy" and new.train.early_stopping.restore_best
    assert "monitor: val_balanced_accuracy" in describe_changes(off, resolved)
    # remedies without early stopping are left alone, and without select_on nothing changes
    assert all("train.early_stopping.monitor" not in r.config_changes
               for r in remedies_in_context(f, off, select_on="accuracy")[1:])
    assert "train.early_stopping.monitor" not in remedies_in_context(f, off)[0].config_changes

# --- every remedy, applied to varied configs, never touches the test split or its seed -----------

CONFIGS = [
    {},
    {"data": {"split": {"method": "kfold", "k": 10, "test": 0.1, "seed": 7}}},
    {"data": {"split": {"method": "holdout", "val": 0.3, "test": 0.15, "seed": 11, "stratify": False}}},
    {"data": {"split": {"method": "kfold", "k": 3, "repeats": 2, "test": 0.25, "seed": 2}}},
    {"train": {"batch_size": 1, "lr": 0.5, "optimizer": "sgd"}},
    {"train": {"early_stopping": {"patience": 20, "restore_best": False}, "epochs": 300}},
    {"train": {"early_stopping": False, "schedule": "exponential", "grad_clip": 0.25}},
    {"model": {"hidden": [8, 8, 8, 8], "activation": "sigmoid", "dropout_rate": 0.0, "l2": 0.5}},
    {"model": {"hidden": [512], "batch_norm": True, "dropout_rate": 0.9, "l1": 0.01}},
    {"train": {"lr": 2e-6, "class_weight": "balanced", "resample": "oversample"}},
]

EVIDENCE = [{}, {"lr_last": 1e-3}, {"lr_last": 1e-8, "lr_first": 1e-2}, {"best_at": 7.0, "axis": "epoch"},
            {"holdout": True, "inputs_unscaled": True, "baseline_label": "logistic regression"},
            {"kind": "variance"}, {"kind": "bias"}, {"kind": "chance", "scale": "none"}]

from fitdoctor.findings import CODES  # noqa: E402  (every public code, whoever registered its remedies)

#: what the rule modules prescribe (diagnose/internals.py, diagnose/data.py), in the same check
RULE_CHANGES = [{"model.activation": "relu"}, {"model.init": "he"}, {"model.batch_norm": True},
                {"model.residual": True}, {"train.grad_clip": "<=1"}, {"model.activation": "leaky_relu"},
                {"train.lr": "x0.3"}, {"data.scale": "standard"}, {"data.scale": "minmax"},
                {"train.class_weight": "balanced"}, {"train.resample": "oversample"},
                {"data.split.shuffle": True, "data.split.stratify": True}]


def _dataset():
    from fitdoctor.data.dataset import Dataset

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)).astype(np.float32)
    y = (np.arange(120) % 3).astype(np.int64)
    return Dataset(X=X, y=y, feature_names=["a", "b", "c"], task="multiclass", n_classes=3,
                   class_names=["0", "1", "2"], source="t")


def _all_changes():
    seen = []
    for code, ev in itertools.product(CODES, EVIDENCE):
        for r in remedies_for(code, ev):
            if r.config_changes and r.config_changes not in seen:
                seen.append(r.config_changes)
    return seen + [c for c in RULE_CHANGES if c not in seen]


def test_remedies_for_never_proposes_a_split_key_or_an_absolute_size():
    for code, ev in itertools.product(CODES, EVIDENCE):
        for r in remedies_for(code, ev):
            for key, value in r.config_changes.items():
                assert not key.startswith("data.split") and key not in PROTECTED, (code, r)
                if key in ("model.hidden", "train.batch_size", "train.epochs", "model.l2", "model.l1",
                           "model.dropout_rate", "train.early_stopping.patience"):
                    assert is_relative(value), (code, key, value)  # relative, never a constant
                assert not isinstance(value, dict), (code, key)  # leaf keys only


@pytest.mark.parametrize("raw", CONFIGS, ids=range(len(CONFIGS)))
def test_every_remedy_on_varied_configs_keeps_the_test_split_and_trains(raw):
    from fitdoctor.data import make_splits

    c = load_config({"data": {**BASE["data"], **raw.get("data", {})}, "model": raw.get("model", {}),
                     "train": raw.get("train", {})})
    ds = _dataset()
    test_rows = make_splits(ds, c.data.split)[0].test
    before = config_to_dict(c)
    refused = 0
    for change in _all_changes():
        try:
            new, resolved = apply_remedy(c, change, task="multiclass")
        except UnsafeChange as exc:
            refused += 1
            assert str(exc) and "\n" not in str(exc)  # one line that says why
            continue
        assert not any(k.startswith("data.split") or k in PROTECTED for k in resolved)
        after = config_to_dict(new)
        assert after["data"]["split"] == before["data"]["split"] and after["train"]["seed"] == before["train"]["seed"]
        assert np.array_equal(make_splits(ds, new.data.split)[0].test, test_rows)
        assert new.train.lr >= MIN_LR or new.train.lr == c.train.lr
        assert not (new.model.batch_norm and new.train.batch_size < 2)
        es0, es1 = c.train.early_stopping, new.train.early_stopping
        if es0 and es1:
            assert es1.patience >= es0.patience  # never shortened
        assert describe_changes(c, resolved) or not resolved
    assert refused >= 1  # at least the split change


def test_the_issue_cases():
    # a k=10, seed 7, test 0.1 k-fold config stays exactly that under val_not_improving's remedies
    kf = load_config({"data": {"source": "sklearn:iris",
                               "split": {"method": "kfold", "k": 10, "test": 0.1, "seed": 7}}})
    for r in remedies_for("val_not_improving"):
        new, _ = apply_remedy(kf, r.config_changes)
        assert new.data.split == kf.data.split
    # overfitting's absolute width and batch were [32] and 16 for any config; now relative
    wide = cfg(model={"hidden": [256, 256]})
    smaller = remedies_for("overfitting")[3]
    assert apply_remedy(wide, smaller.config_changes)[0].model.hidden == [128, 128]
    # apply_changes (absolute values) is unchanged for callers that already resolved
    assert apply_changes(wide, {"model.hidden": [4]}).model.hidden == [4]


def test_remedy_objects_round_trip():
    r = Remedy("lower", {"train.lr": "x0.1"}, "why")
    assert r.to_dict()["config_changes"] == {"train.lr": "x0.1"}


def test_chance_level_under_a_strong_penalty_tries_less_of_it_first():
    """chance_level hides underfitting (its root cause); a penalty holding the weights at zero is the fix."""
    heavy = cfg(model={"l2": 1.0})
    f = Finding("chance_level", "error", "prior", remedies=remedies_for("chance_level"))
    first = remedies_in_context(f, heavy)[0]
    assert resolve_changes(heavy, first.config_changes) == {"model.dropout_rate": 0.15, "model.l2": 0.1}
    assert remedies_in_context(f, cfg())[0].config_changes == {}  # no penalty: the pipeline check first


def test_a_switch_to_adam_never_carries_an_lr_tuned_for_sgd():
    """Adam's step is about lr per weight whatever the gradient's size: SGD's lr 0.09 under Adam
    is a step ninety times its usual one (on the repair benchmark's batch-size-1 moons run it
    cost 0.29 of val accuracy). Every remedy that switches to Adam sets Adam's usual lr."""
    sgd = cfg(train={"optimizer": "sgd", "lr": 0.09})
    for code, ev in itertools.product(CODES, EVIDENCE):
        for r in remedies_for(code, ev):
            if r.config_changes.get("train.optimizer") == "adam":
                new, _ = apply_remedy(sgd, r.config_changes, task="binary")
                assert new.train.lr == pytest.approx(1e-3), (code, r.action)


def test_label_smoothing_is_a_step_for_classifiers_and_refused_on_regression():
    """Overfitting's label smoothing steps from the config's value and stops at its ceiling;
    a regression has no labels to smooth, so the change is refused before any training."""
    from fitdoctor.config import load_config
    from fitdoctor.remedies_apply import UnsafeChange, apply_remedy

    cfg = load_config({"data": {"source": "sklearn:iris"}, "train": {"label_smoothing": 0.25}})
    new, resolved = apply_remedy(cfg, {"train.label_smoothing": "+0.1<=0.3"}, task="multiclass")
    assert resolved == {"train.label_smoothing": 0.3} and new.train.label_smoothing == 0.3
    reg = load_config({"data": {"source": "sklearn:diabetes"}})
    with pytest.raises(UnsafeChange, match="label smoothing needs classes"):
        apply_remedy(reg, {"train.label_smoothing": "+0.1<=0.3"}, task="regression")
