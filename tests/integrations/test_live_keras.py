"""fitdoctor.keras.DoctorCallback in real Keras 3 training runs (torch backend in CI)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")

from fitdoctor.keras import DoctorCallback  # noqa: E402

QUIET = dict(report=False, verbose=False, budget=None)


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def story_model(n_features: int = 8):
    """The opening story's model: Dense(relu) + Dropout(0.3), a sigmoid output, Adam."""
    model = keras.Sequential([
        keras.Input((n_features,)),
        keras.layers.Dense(64, activation="relu"), keras.layers.Dropout(0.3),
        keras.layers.Dense(32, activation="relu"), keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def learnable(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype("float32")
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype("float32")


def test_keras_runs_on_the_backend_the_tests_set():
    assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "torch")


def test_the_opening_story_reports_chance_level_while_it_trains():
    """Labels the features do not predict (55% positive): loss stays at 0.69, accuracy at
    chance; the callback says so during training, not only at the end."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 8)).astype("float32")
    y = (rng.random(1000) < 0.55).astype("float32")
    keras.utils.set_random_seed(0)
    model = story_model()
    cb = DoctorCallback(**QUIET)
    hist = model.fit(X, y, epochs=10, batch_size=64, validation_split=0.2, verbose=0, callbacks=[cb])
    assert "chance_level" in cb.diagnosis.codes
    first = [e for e in cb.events if e.kind == "new" and e.code == "chance_level"]
    assert first and first[0].step < 9  # found before the last epoch
    assert cb.history.meta["task"] == "binary"
    assert np.allclose(cb.history.series["val_loss"].values, hist.history["val_loss"])


def test_no_batch_hooks_so_keras_keeps_async_dispatch():
    cb = DoctorCallback(**QUIET)
    cbs = keras.callbacks.CallbackList([cb], model=story_model())
    assert cbs._async_train


def test_validation_data_early_stopping_and_reduce_lr_on_plateau(tmp_path):
    X, y = learnable(400)
    Xv, yv = learnable(200, seed=1)
    keras.utils.set_random_seed(0)
    model = story_model()
    cb = DoctorCallback(out=tmp_path / "run", report=True, verbose=False)
    hist = model.fit(X, y, validation_data=(Xv, yv), epochs=30, batch_size=64, verbose=0,
                     callbacks=[cb, keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True),
                                keras.callbacks.ReduceLROnPlateau(patience=1, factor=0.5)])
    n = len(hist.history["loss"])
    assert len(cb.history.series["loss"]) == n and len(cb.history.series["val_accuracy"]) == n
    assert "lr" in cb.history.series
    written = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"history.csv", "meta.json", "diagnosis.json"} <= written
    assert fd.diagnose(fd.read(tmp_path / "run")).codes == cb.diagnosis.codes


def test_a_nan_stops_fit_and_the_best_weights_come_back():
    X, y = learnable(400)

    class Poison(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 3:
                w = self.model.layers[0].kernel
                w.assign(np.full(tuple(w.shape), np.nan, dtype="float32"))

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    # from logits: torch's binary_cross_entropy refuses a NaN probability outright
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    cb = DoctorCallback(restore_best=True, **QUIET)
    hist = model.fit(X, y, validation_split=0.25, epochs=20, batch_size=64, verbose=0, callbacks=[Poison(), cb])
    assert len(hist.history["loss"]) == 4  # stopped at the NaN epoch, not 16 epochs later
    assert cb.stop_reason == "non_finite" and "non_finite" in cb.diagnosis.codes
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert cb.history.meta["restored_best"]["at"] <= 2


def test_restore_best_also_when_training_ends_before_patience_runs_out():
    """keras#12511: EarlyStopping(restore_best_weights=True) keeps the last weights when it never
    fires; restore_best here means the best weights, however training ended."""
    X, y = learnable(64)
    Xv, yv = learnable(400, seed=1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(3e-2), loss="binary_crossentropy")
    cb = DoctorCallback(restore_best=True, patience=50, stop_on=(), **QUIET)
    hist = model.fit(X, y, validation_data=(Xv, yv), epochs=25, batch_size=16, verbose=0, callbacks=[cb])
    val = hist.history["val_loss"]
    assert int(np.argmin(val)) < len(val) - 1  # the last epoch is not the best one
    now = model.evaluate(Xv, yv, verbose=0, batch_size=400)
    assert now == pytest.approx(min(val), rel=1e-4)


def test_a_monitor_the_run_does_not_log_fails_at_the_first_epoch():
    X, y = learnable(200)
    model = story_model()
    cb = DoctorCallback(monitor="val_auc", patience=3, **QUIET)
    with pytest.raises(BadInput, match=r"monitor='val_auc' is not among the metrics logged at the end of epoch 0.*val_accuracy"):
        model.fit(X, y, validation_split=0.25, epochs=5, verbose=0, callbacks=[cb])
