"""select() scores on validation or folds only; final() touches test once; paired comparisons."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")

from fitdoctor.data import make_splits
from fitdoctor.data.dataset import Dataset
from fitdoctor.train.protocol import Selection, paired_difference, select, selection_metric

CFG = {"data": {"source": "test", "scale": "standard",
                "split": {"method": "holdout", "val": 0.25, "test": 0.25, "seed": 3}},
       "model": {"hidden": [8]}, "train": {"epochs": 6, "lr": 0.01, "batch_size": 32}}


def _dataset(n: int = 240, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] + 0.4 * rng.normal(size=n) > 0).astype(np.int64)
    return Dataset(X=X, y=y, feature_names=[f"f{i}" for i in range(4)], task="binary", n_classes=2,
                   class_names=[0, 1], source="test")


def test_select_never_reads_the_test_rows():
    """Poison every test row with NaN: selection still trains and scores, so it never used them."""
    ds = _dataset()
    test_rows = make_splits(ds, CFG["data"]["split"])[0].test
    ds.X[test_rows] = np.nan
    sel = select(CFG, seeds=2, dataset=ds)
    assert sel.unit == "seed" and len(sel.scores) == 2
    assert all(math.isfinite(s) for s in sel.scores) and sel.error is None


def test_kfold_config_scores_one_unit_per_fold():
    cfg = {**CFG, "data": {**CFG["data"], "split": {"method": "kfold", "k": 3, "test": 0.2, "seed": 0}}}
    sel = select(cfg, seeds=5, dataset=_dataset())
    assert sel.unit == "fold" and len(sel.scores) == 3


def test_selection_metric_follows_the_task():
    assert selection_metric("regression") == "r2"
    assert selection_metric("binary", [0.95, 0.05]) == "balanced_accuracy"
    assert selection_metric("multiclass", [0.3, 0.3, 0.4]) == "accuracy"
    assert selection_metric("multiclass", [0.1] * 10) == "accuracy"  # balanced digits
    assert selection_metric("multiclass", [0.02] + [0.098] * 10) == "balanced_accuracy"


def _sel(scores, metric="accuracy"):
    return Selection(config=None, metric=metric, unit="seed", scores=list(scores), all_scores=[])


def test_paired_difference_needs_a_win_beyond_noise():
    base = _sel([0.80, 0.82, 0.78, 0.81, 0.79])
    assert paired_difference(base, _sel([0.85, 0.87, 0.83, 0.86, 0.84]))["better"]
    noise = paired_difference(base, _sel([0.81, 0.80, 0.79, 0.82, 0.78]))
    assert not noise["better"] and noise["p"] > 0.05
    # lower-is-better: a smaller loss is the improvement
    assert paired_difference(_sel([0.5, 0.52, 0.49], "loss"), _sel([0.4, 0.41, 0.39], "loss"))["better"]
    assert not paired_difference(base, _sel([0.9]))["better"]  # one unit proves nothing


def test_final_can_refit_a_holdout_winner_on_train_and_val():
    """A refit holdout model trains on the validation rows too, for the epochs the holdout run
    trained to its best; without the flag the scored model is the holdout run itself."""
    from fitdoctor.train.protocol import final

    cfg = {**CFG, "train": {**CFG["train"], "epochs": 12, "early_stopping": {"patience": 3}}}
    plain = final(cfg, dataset=_dataset())
    exp = plain["experiment"]
    assert exp.final is exp.runs[0]
    refit = final(cfg, dataset=_dataset(), refit_holdout=True)
    exp = refit["experiment"]
    assert exp.final is not exp.runs[0] and exp.final.history.meta["stopped"] == "completed"
    assert refit["refit_epochs"] == exp.runs[0].best_epoch + 1 == exp.final.epochs_run
    sp = make_splits(_dataset(), CFG["data"]["split"])[0]
    assert exp.final.steps == math.ceil((sp.train.size + sp.val.size) / 32) * exp.final.epochs_run


# ------------------------------------------------------------------ early stopping watches its own rows

def _restore_best_cfg(monitor: str = "val_accuracy") -> dict:
    """Early stopping that never stops (patience past the last epoch) and keeps its best epoch:
    the training is the same as without it, only the epoch whose weights are kept differs."""
    return {**CFG, "data": {**CFG["data"], "split": {"method": "holdout", "val": 0.15, "test": 0.25, "seed": 3}},
            "train": {**CFG["train"], "epochs": 12, "lr": 0.05, "batch_size": 8,
                      "early_stopping": {"patience": 50, "restore_best": True, "monitor": monitor}}}


def _val_accuracy_per_epoch(res) -> np.ndarray:
    return np.asarray(res.history.series["val_accuracy"].values)


def test_early_stopping_watching_validation_scores_the_best_of_its_epochs():
    """The flaw being fixed: watching the validation rows, the kept epoch is the best of 12
    looks at the very rows that then score it."""
    sel = select(_restore_best_cfg(), seeds=4, dataset=_dataset(), watch_share=0)
    for score, res in zip(sel.scores, sel.runs):
        assert score == pytest.approx(float(_val_accuracy_per_epoch(res).max()))
    assert not sel.notes


def test_judged_early_stopping_keeps_its_epoch_by_rows_of_its_own():
    """select() holds out 15% of the training rows for early stopping, so the validation score
    is no longer the maximum over epochs of the validation curve."""
    ds = _dataset()
    sel = select(_restore_best_cfg(), seeds=4, dataset=ds)
    below_best = [score < float(_val_accuracy_per_epoch(res).max()) - 1e-9 for score, res in zip(sel.scores, sel.runs)]
    assert any(below_best)
    n_train = make_splits(ds, _restore_best_cfg()["data"]["split"])[0].train.size
    restored = sel.runs[0].history.meta["restored_best"]
    assert restored["on"] == f"{round(0.15 * n_train)} held-out training rows"
    assert any(n.startswith("early stopping watched") for n in sel.notes)


def test_the_watch_rows_are_stratified_disjoint_and_the_same_for_a_seed():
    from fitdoctor.train.protocol import watch_rows

    y = np.array([0] * 90 + [1] * 30)
    rows = np.arange(120)
    fit_a, held_a = watch_rows(y, rows, "binary", seed=5)
    fit_b, held_b = watch_rows(y, rows, "binary", seed=5)
    assert np.array_equal(held_a, held_b) and not set(fit_a) & set(held_a)
    assert held_a.size == 18 and fit_a.size == 102
    assert np.mean(y[held_a]) == pytest.approx(0.25, abs=0.06)
    assert watch_rows(y[:40], rows[:40], "binary", seed=5) is None  # 6 rows cannot steer early stopping


def test_too_few_training_rows_watch_validation_and_say_so():
    ds = _dataset(n=80)
    cfg = {**CFG, "train": {**CFG["train"], "early_stopping": {"patience": 3}}}
    sel = select(cfg, seeds=1, dataset=ds)
    assert sel.error is None and len(sel.scores) == 1
    assert any("early stopping watched the validation rows" in n for n in sel.notes)


def test_on_epoch_sees_what_early_stopping_watches():
    """A caller that follows which epoch early stopping would keep (tune's pruner reports the
    score at that epoch) gets the watch rows' values beside validation's."""
    seen: list[dict] = []
    select(_restore_best_cfg("val_loss"), seeds=1, dataset=_dataset(), on_epoch=lambda u, e, logs: seen.append(logs))
    assert seen and all("watch:val_loss" in logs and "val_loss" in logs for logs in seen)
    assert any(logs["watch:val_loss"] != logs["val_loss"] for logs in seen)
    plain: list[dict] = []
    select({**CFG, "train": {**CFG["train"], "early_stopping": False}}, seeds=1, dataset=_dataset(),
           on_epoch=lambda u, e, logs: plain.append(logs))
    assert plain and not any(k.startswith("watch:") for logs in plain for k in logs)


def test_the_val_loss_score_is_the_kept_model_s_not_the_best_epoch_s():
    """Without early stopping the model is the last epoch's: its val loss is scored, not the
    lowest val loss of any epoch (a model nobody kept)."""
    cfg = {**CFG, "train": {**CFG["train"], "epochs": 12, "lr": 0.05, "early_stopping": False}}
    sel = select(cfg, seeds=2, dataset=_dataset(), metric="loss")
    for score, res in zip(sel.scores, sel.runs):
        assert score == pytest.approx(float(res.history.series["val_loss"].values[-1]), rel=1e-6)
