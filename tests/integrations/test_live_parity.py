"""One metric stream through all four adapters gives the same findings (they are thin shells)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

import live_streams as streams

pytest.importorskip("torch")
keras = pytest.importorskip("keras")
pytest.importorskip("lightning")
pytest.importorskip("transformers")
pytest.importorskip("accelerate")

import torch  # noqa: E402

QUIET = dict(report=False, verbose=False, budget=None)


def run_keras(points):
    from fitdoctor.keras import DoctorCallback

    cb = DoctorCallback(**QUIET)
    cb.set_model(SimpleNamespace(stop_training=False, optimizer=None, loss="binary_crossentropy", outputs=None))
    cb.on_train_begin()
    for e, logs in enumerate(points):
        cb.on_epoch_end(e, dict(logs))
        if cb.model.stop_training:
            break
    cb.on_train_end()
    return cb


def run_lightning(points):
    from fitdoctor.lightning import DoctorCallback

    cb = DoctorCallback(**QUIET)
    module = torch.nn.Linear(2, 1)
    tr = SimpleNamespace(is_global_zero=True, precision="32-true", num_training_batches=1,
                         check_val_every_n_epoch=1, val_check_batch=1, callback_metrics={},
                         sanity_checking=False, current_epoch=0, global_step=0, optimizers=[],
                         should_stop=False)
    cb.on_train_start(tr, module)
    for e, logs in enumerate(points):
        tr.current_epoch, tr.global_step = e, e + 1
        cb.on_train_batch_end(tr, module, {"loss": torch.tensor(logs["loss"])}, None, 0)
        tr.callback_metrics = {f"val_{k[4:]}" if k.startswith("val_") else f"train_{k}": torch.tensor(v)
                               for k, v in logs.items() if k != "loss"}
        cb.on_validation_end(tr, module)
        cb.on_train_epoch_end(tr, module)
        if tr.should_stop:
            break
    cb.on_train_end(tr, module)
    return cb


def run_hf(points):
    from fitdoctor.hf import DoctorCallback

    cb = DoctorCallback(monitor="eval_loss", **QUIET)
    args = SimpleNamespace(eval_strategy="epoch", logging_steps=1, logging_nan_inf_filter=True,
                           eval_steps=None, fp16=False)
    state = SimpleNamespace(is_world_process_zero=True, global_step=0, epoch=0.0)
    control = SimpleNamespace(should_evaluate=True, should_training_stop=False)
    cb.on_train_begin(args, state, control, model=torch.nn.Linear(2, 1))
    for e, logs in enumerate(points):
        state.global_step, state.epoch = e, float(e + 1)
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        evals = {f"eval_{k[4:]}": v for k, v in logs.items() if k.startswith("val_")}
        cb.on_log(args, state, control, logs={**train, "epoch": state.epoch})
        cb.on_log(args, state, control, logs={**evals, "eval_runtime": 0.1, "epoch": state.epoch})
        cb.on_evaluate(args, state, control, metrics={**evals, "eval_runtime": 0.1, "epoch": state.epoch})
        if control.should_training_stop:
            break
    cb.on_train_end(args, state, control, model=None)
    return cb


def run_torch(points):
    from fitdoctor.torch import Monitor

    mon = Monitor(**QUIET)
    for logs in points:
        mon.epoch(**logs)
        if mon.should_stop:
            break
    mon.finish()
    return mon


ADAPTERS = {"keras": run_keras, "lightning": run_lightning, "hf": run_hf, "torch": run_torch}


@pytest.mark.parametrize("stream,expect", [
    (streams.overfitting(), "overfitting"),
    (streams.chance(), "chance_level"),
    (streams.nan_at(6), "non_finite"),
    (streams.diverging(), "diverging"),
])
def test_the_same_stream_gives_the_same_findings_in_every_adapter(stream, expect):
    seen = {}
    for name, run in ADAPTERS.items():
        a = run(stream)
        new = [(e.code, e.step) for e in a.events if e.kind == "new"]
        seen[name] = (sorted(set(a.diagnosis.codes)), new, a.stop_reason, a.stopped_at,
                      len(a.history.series["loss"]))
    first = next(iter(seen.values()))
    assert expect in first[0], seen
    for name, got in seen.items():
        assert got == first, f"{name} differs: {got} vs {first}"


def test_stop_on_nan_stops_every_adapter_at_the_nan():
    for name, run in ADAPTERS.items():
        a = run(streams.nan_at(6))
        assert a.stop_reason == "non_finite" and a.stopped_at == 6, name
        loss = a.history.series["loss"].values
        assert len(loss) == 7 and math.isnan(loss[-1]), name
