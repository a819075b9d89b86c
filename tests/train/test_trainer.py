import math

import numpy as np
import pytest
import torch

from fitdoctor.train.trainer import balanced_weights, fit, predict_scores, resample_indices

from ._data import binary, multiclass, regression

MODEL = {"hidden": [16, 8], "activation": "relu", "dropout_rate": 0.0}


def _train(**kw):
    return {"optimizer": "adam", "lr": 1e-2, "epochs": 5, "batch_size": 32, "early_stopping": False,
            "seed": 0, **kw}


def test_binary_history_has_canonical_series_and_meta():
    Xtr, ytr, Xva, yva = binary()
    r = fit(MODEL, _train(epochs=10), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    h = r.history
    for name in ("loss", "val_loss", "accuracy", "val_accuracy", "val_f1", "val_auc",
                 "val_balanced_accuracy", "val_precision", "val_recall", "lr"):
        assert name in h.series and len(h.series[name]) == 10, name
    assert h.meta["task"] == "binary" and h.meta["n_classes"] == 2
    assert h.meta["class_prior"] == pytest.approx([np.mean(ytr == 0), np.mean(ytr == 1)])
    assert h.series["val_accuracy"].values[-1] > 0.8
    assert h.series["loss"].values[-1] < h.series["loss"].values[0]


def test_val_metrics_are_whole_split_scores():
    from sklearn.metrics import roc_auc_score

    Xtr, ytr, Xva, yva = binary()
    r = fit(MODEL, _train(epochs=3), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    p = predict_scores(r.model, Xva, "binary")
    assert r.history.series["val_auc"].values[-1] == pytest.approx(roc_auc_score(yva, p))
    assert r.history.series["val_accuracy"].values[-1] == pytest.approx(np.mean((p >= 0.5) == yva))


def test_multiclass_and_regression():
    Xtr, ytr, Xva, yva = multiclass()
    r = fit(MODEL, _train(epochs=10), Xtr, ytr, Xva, yva, task="multiclass", n_classes=3)
    assert predict_scores(r.model, Xva, "multiclass").shape == (60, 3)
    assert r.history.series["val_accuracy"].values[-1] > 0.6
    Xtr, ytr, Xva, yva = regression()
    r = fit(MODEL, _train(epochs=15), Xtr, ytr, Xva, yva, task="regression")
    assert {"r2", "val_r2", "val_mae"} <= set(r.history.series)
    assert r.history.series["val_r2"].values[-1] > 0.8
    assert "class_prior" not in r.history.meta


@pytest.mark.parametrize("opt", ["sgd", "momentum", "rmsprop", "adam", "adamw", "nadam"])
def test_every_optimizer_learns(opt):
    Xtr, ytr, Xva, yva = binary()
    r = fit(MODEL, _train(optimizer=opt, lr=0.05 if "sgd" in opt or opt == "momentum" else 5e-3, epochs=4),
            Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    loss = r.history.series["loss"].values
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0]


@pytest.mark.parametrize("schedule,check", [
    ("none", lambda lr: np.all(lr == lr[0])),
    ("step", lambda lr: lr[-1] < lr[0]),
    ("cosine", lambda lr: lr[-1] < lr[0]),
    ("exponential", lambda lr: np.all(np.diff(lr) < 0)),
    ("plateau", lambda lr: np.all(np.diff(lr) <= 0)),
])
def test_schedules(schedule, check):
    Xtr, ytr, Xva, yva = binary()
    r = fit(MODEL, _train(schedule=schedule, epochs=8), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    assert check(r.history.series["lr"].values)


def test_plateau_halves_lr_when_val_stalls():
    Xtr, ytr, Xva, yva = binary()
    # lr so small val loss moves less than the scheduler's 1e-4 relative threshold: the monitor stalls and the lr is halved
    r = fit(MODEL, _train(schedule="plateau", lr=1e-6, epochs=12), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    lr = r.history.series["lr"].values
    assert lr[-1] <= lr[0] / 2


def test_early_stopping_restores_best_weights():
    Xtr, ytr, Xva, yva = binary(n=120)
    # a big net with a high lr overfits this tiny set fast: val loss turns up, training stops
    cfg = _train(lr=0.05, epochs=200, early_stopping={"patience": 3, "min_delta": 0.0, "restore_best": True})
    r = fit({"hidden": [128, 128], "dropout_rate": 0.0}, cfg, Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    assert r.stopped == "early_stopping" and r.epochs_run == r.best_epoch + 4
    val = r.history.series["val_loss"].values
    assert r.best_epoch == int(np.argmin(val))
    with torch.no_grad():
        out = r.model(torch.as_tensor(Xva)).reshape(-1)
        restored = float(torch.nn.functional.binary_cross_entropy_with_logits(out, torch.as_tensor(yva, dtype=torch.float32)))
    assert restored == pytest.approx(val[r.best_epoch], rel=1e-5)
    assert restored < val[-1]


def test_same_seed_same_history_different_seed_differs():
    Xtr, ytr, Xva, yva = binary()
    cfg = {**MODEL, "dropout_rate": 0.3}
    a = fit(cfg, _train(seed=3), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    b = fit(cfg, _train(seed=3), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    c = fit(cfg, _train(seed=4), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    assert np.array_equal(a.history.series["loss"].values, b.history.series["loss"].values)
    assert np.array_equal(a.history.series["grad_norm/dense_0"].values, b.history.series["grad_norm/dense_0"].values)
    assert not np.array_equal(a.history.series["loss"].values, c.history.series["loss"].values)


def test_nonfinite_guard_stops_with_a_non_finite_finding():
    from fitdoctor.train.experiment import diagnose_fit

    Xtr, ytr, Xva, yva = regression()
    # plain SGD on a target 30x its usual scale: the weights blow up to inf within 3 epochs
    r = fit(MODEL, _train(optimizer="sgd", lr=0.02, epochs=30), Xtr, ytr * 30, Xva, yva * 30,
            task="regression")
    assert r.stopped == "non_finite" and r.epochs_run < 30
    assert r.nonfinite["where"] in ("loss", "gradient", "val_loss")
    assert math.isnan(r.history.series["loss"].values[-1])
    assert diagnose_fit(r).codes[0] == "non_finite"
    # blown up on the very first epoch: still a non_finite finding, not an error
    r1 = fit(MODEL, _train(optimizer="sgd", lr=0.3, epochs=30), Xtr, ytr * 30, Xva, yva * 30, task="regression")
    assert r1.epochs_run == 1 and r1.stopped == "non_finite"
    d = diagnose_fit(r1)
    assert d.codes[0] == "non_finite" and d.findings[0].evidence["step"] == r1.nonfinite["step"]


def test_class_weight_and_resampling():
    y = np.array([0] * 90 + [1] * 10)
    w = balanced_weights(y, 2)
    assert w == pytest.approx([100 / 180, 100 / 20])
    rng = np.random.default_rng(0)
    over = resample_indices(y, "oversample", rng)
    under = resample_indices(y, "undersample", rng)
    assert np.bincount(y[over]).tolist() == [90, 90]
    assert np.bincount(y[under]).tolist() == [10, 10]
    Xtr, ytr, Xva, yva = binary()
    ytr = ytr.copy()
    ytr[ytr == 1][: int((ytr == 1).sum() * 0.8)] = 0
    for extra in ({"class_weight": "balanced"}, {"resample": "oversample"}, {"resample": "undersample"}):
        r = fit(MODEL, _train(**extra, epochs=3), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
        assert np.all(np.isfinite(r.history.series["loss"].values))


def test_l1_l2_shrink_weights_and_grad_clip_runs():
    Xtr, ytr, Xva, yva = binary()
    plain = fit(MODEL, _train(epochs=6), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    reg = fit({**MODEL, "l2": 0.05, "l1": 0.001}, _train(epochs=6), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    norm = lambda m: float(sum(lin.weight.detach().norm() for _, lin in m.layers()))  # noqa: E731
    assert norm(reg.model) < norm(plain.model)
    clipped = fit(MODEL, _train(grad_clip=0.01, epochs=2), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    assert np.all(np.isfinite(clipped.history.series["loss"].values))


def test_single_thread_by_default_and_restored():
    before = torch.get_num_threads()
    Xtr, ytr, Xva, yva = binary()
    seen = []
    fit(MODEL, _train(epochs=1), Xtr, ytr, Xva, yva, task="binary", n_classes=2,
        on_epoch=lambda i, logs: seen.append(torch.get_num_threads()))
    assert seen == [1] and torch.get_num_threads() == before


def test_batch_norm_with_a_last_batch_of_one_row_trains():
    """61 rows in batches of 2 leave one row at the end of each epoch: batch norm cannot
    normalise a single row, so that batch is skipped instead of crashing training."""
    import numpy as np

    from fitdoctor.train.trainer import fit

    rng = np.random.default_rng(0)
    X = rng.normal(size=(61, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    res = fit({"hidden": [4], "batch_norm": True}, {"epochs": 2, "batch_size": 2, "early_stopping": False},
              X, y, X[:20], y[:20], task="binary", n_classes=2)
    assert res.epochs_run == 2 and res.stopped == "completed"


def _blobs(n=160, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=n) > 0).astype(np.int64)
    return X[:100], y[:100], X[100:], y[100:]


def test_early_stopping_can_watch_the_score_you_select_on():
    """With ``monitor: val_accuracy`` the restored weights are those of the best accuracy epoch
    (ties keep the first), whatever the loss did."""
    import numpy as np

    from fitdoctor.train.trainer import fit

    Xtr, ytr, Xva, yva = _blobs()
    es = {"patience": 100, "restore_best": True, "monitor": "val_accuracy"}
    res = fit({"hidden": [32]}, {"epochs": 25, "lr": 0.05, "batch_size": 16, "early_stopping": es},
              Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    acc = res.history.get("val_accuracy").values
    assert res.best_epoch == int(np.argmax(acc))
    by_loss = fit({"hidden": [32]}, {"epochs": 25, "lr": 0.05, "batch_size": 16,
                                     "early_stopping": {**es, "monitor": "val_loss"}},
                  Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    assert by_loss.best_epoch == int(np.argmin(by_loss.history.get("val_loss").values))


def test_early_stopping_on_a_metric_the_task_does_not_log_names_what_it_does():
    import pytest

    from fitdoctor.errors import BadInput
    from fitdoctor.train.trainer import fit

    Xtr, ytr, Xva, yva = _blobs()
    with pytest.raises(BadInput, match=r"'val_r2'.*val_loss, val_accuracy"):
        fit({"hidden": [4]}, {"epochs": 2, "early_stopping": {"monitor": "val_r2"}},
            Xtr, ytr, Xva, yva, task="binary", n_classes=2)


def test_overfitting_the_trainer_stopped_and_restored_is_a_remark_not_a_warning():
    """A small net memorising 60 noisy rows: without early stopping the verdict is overfitting;
    with early stopping that restores the best epoch, the same curve is a remark naming the epoch
    kept, because the model the user gets is not the overfit one."""
    import numpy as np

    from fitdoctor.diagnose import diagnose
    from fitdoctor.train.trainer import fit

    rng = np.random.default_rng(3)
    X = rng.normal(size=(260, 20)).astype(np.float32)
    y = (X[:, 0] + 0.5 * rng.normal(size=260) > 0).astype(np.int64)
    train = {"epochs": 120, "lr": 0.003, "batch_size": 16}
    plain = fit({"hidden": [128, 128]}, {**train, "early_stopping": False}, X[:60], y[:60], X[60:], y[60:],
                task="binary", n_classes=2)
    codes = {f.code: f.severity for f in diagnose(plain.history).findings}
    assert codes.get("overfitting") == "warning", codes
    kept = fit({"hidden": [128, 128]}, {**train, "early_stopping": {"patience": 30, "restore_best": True}},
               X[:60], y[:60], X[60:], y[60:], task="binary", n_classes=2)
    assert kept.history.meta["restored_best"]["at"] == kept.best_epoch
    f = {f.code: f for f in diagnose(kept.history).findings}
    assert f["overfitting"].severity == "info" and "healthy" in f
    assert f"restored the weights of epoch {kept.best_epoch} (best val_loss)" in f["overfitting"].message


def test_label_smoothing_caps_the_confidence_and_the_logged_loss_stays_plain():
    """A classifier trained toward 1 - eps stops growing its logits there, so the model is no
    longer over-confident; its logged train loss is the plain cross-entropy (what val_loss is),
    not the smoothed one, whose floor would read as a train/val gap."""
    from fitdoctor.config import load_config
    from fitdoctor.errors import BadInput

    Xtr, ytr, Xva, yva = binary()
    plain = fit(MODEL, _train(epochs=60), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    smooth = fit(MODEL, _train(epochs=60, label_smoothing=0.2), Xtr, ytr, Xva, yva, task="binary", n_classes=2)
    p_plain = predict_scores(plain.model, Xtr, "binary")
    p_smooth = predict_scores(smooth.model, Xtr, "binary")
    conf = lambda p: np.maximum(p, 1 - p)  # noqa: E731
    assert np.median(conf(p_plain)) > 0.97
    assert np.median(conf(p_smooth)) < 0.93  # the smoothed target is 0.9
    floor = -(0.1 * math.log(0.1) + 0.9 * math.log(0.9))  # the smoothed loss's minimum, 0.325
    assert smooth.history.series["loss"].values[-1] < floor
    Xtr, ytr, Xva, yva = multiclass()
    r = fit(MODEL, _train(epochs=30, label_smoothing=0.3), Xtr, ytr, Xva, yva, task="multiclass", n_classes=3)
    assert np.median(predict_scores(r.model, Xtr, "multiclass").max(axis=1)) < 0.85  # target 0.7 + 0.1
    with pytest.raises(BadInput, match="label_smoothing"):
        load_config({"data": {"source": "sklearn:iris"}, "train": {"label_smoothing": 0.5}})
