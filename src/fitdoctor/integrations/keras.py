"""Diagnose a Keras 3 ``model.fit`` while it runs (any backend).

    from fitdoctor.keras import DoctorCallback

    model.fit(X, y, validation_split=0.2, epochs=50,
              callbacks=[DoctorCallback(restore_best=True, out="runs/exp1")])

Epoch level: the callback defines no batch hooks, so Keras keeps dispatching batches
asynchronously; after each epoch it adds the epoch's logs (``loss``, ``val_loss``, metrics,
``learning_rate`` when a schedule or ``ReduceLROnPlateau`` sets it) to the run, re-diagnoses it
as a run in progress, prints each finding once when it appears (and when it clears), and sets
``model.stop_training`` on a ``stop_on`` finding (NaN/inf or divergence by default). At the end
it gives the full diagnosis (``callback.diagnosis``), prints it and, with ``out``, writes a run
directory (``fitdoctor report DIR`` reopens it). It sits beside ``EarlyStopping`` and
``ReduceLROnPlateau``; its own early stopping (``patience``) restores the best weights whenever
``restore_best`` is set, also when training ends before the patience runs out (keras#12511),
and a ``monitor`` that the run never logs is an error, not a silent no-op.
"""

from __future__ import annotations

from typing import Any

from fitdoctor.integrations.base import DEFAULT_BUDGET, DEFAULT_STOP, LiveAdapter, need

need("keras")
import keras  # noqa: E402


class DoctorCallback(keras.callbacks.Callback, LiveAdapter):
    """fitdoctor as a Keras callback. Options: see
    :class:`~fitdoctor.integrations.base.LiveAdapter` (``stop_on``, ``monitor``, ``patience``,
    ``restore_best``, ``out``, ``report``, ``verbose``, ...)."""

    framework = "keras"

    def __init__(self, *, every: int = 1, stop_on: tuple[str, ...] | list[str] = DEFAULT_STOP,
                 monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0,
                 patience: int | None = None, restore_best: bool = False, out: Any = None,
                 report: bool = True, verbose: bool = True, budget: float | None = DEFAULT_BUDGET,
                 min_points: int = 3, thresholds: Any = None, mute: tuple[str, ...] | list[str] = (),
                 on_event: Any = None) -> None:
        keras.callbacks.Callback.__init__(self)
        LiveAdapter.__init__(self, every=every, stop_on=stop_on, monitor=monitor, mode=mode,
                             min_delta=min_delta, patience=patience, restore_best=restore_best,
                             out=out, report=report, verbose=verbose, budget=budget,
                             min_points=min_points, thresholds=thresholds, mute=mute, on_event=on_event)

    # Keras hooks -------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        meta: dict[str, Any] = {"keras_backend": keras.backend.backend(),
                                "run": f"keras {getattr(self.model, 'name', 'model')}"}
        params = getattr(self, "params", None) or {}
        if params.get("steps"):
            meta["steps_per_epoch"] = int(params["steps"])
        meta.update(_task_from_model(self.model))
        self._begin("epoch", meta)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        lr = _learning_rate(self.model)
        if lr is not None and not any(k in logs for k in ("lr", "learning_rate")):
            logs["learning_rate"] = lr
        self._feed(epoch, logs, where=f"the end of epoch {epoch}")

    def on_train_end(self, logs=None):
        self._end()

    # LiveAdapter ---------------------------------------------------------------------
    def _snapshot(self):
        return self.model.get_weights()

    def _restore(self, state):
        self.model.set_weights(state)

    def _request_stop(self):
        self.model.stop_training = True


def _learning_rate(model) -> float | None:
    """The optimizer's current learning rate (a schedule is read at the current step)."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    try:
        lr = opt.learning_rate
        if callable(lr) and not hasattr(lr, "numpy"):
            lr = lr(opt.iterations)
        return float(keras.ops.convert_to_numpy(lr))
    except Exception:  # an exotic optimizer: no lr series, nothing else lost
        return None


def _task_from_model(model) -> dict[str, Any]:
    """What the compiled loss and output layer say about the task (for the chance level)."""
    loss = getattr(model, "loss", None)
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or type(loss).__name__
    name = str(name or "").lower()
    out: dict[str, Any] = {}
    try:
        units = int(model.outputs[0].shape[-1]) if getattr(model, "outputs", None) else None
    except Exception:
        units = None
    # the task only: the class prior is not known here, and assuming balanced classes would
    # hide an imbalanced run's chance level (the rules infer the prior from loss and accuracy)
    if "binary" in name:
        out["task"] = "binary"
    elif "categorical" in name and units and units >= 2:
        out["task"] = "multiclass"
    elif any(w in name for w in ("mean_squared", "mse", "mean_absolute", "mae", "huber")):
        out["task"] = "regression"
    return out


__all__ = ["DoctorCallback"]
