"""Diagnose a Hugging Face ``Trainer`` while it runs.

    from fitdoctor.hf import DoctorCallback

    trainer = Trainer(model, args, train_dataset=..., eval_dataset=...,
                      callbacks=[DoctorCallback(monitor="eval_loss", patience=3, restore_best=True)])

What it reads: every training log (``loss``, ``grad_norm``, ``learning_rate``) and evaluation
(``eval_loss``, ``eval_<metric>``) on the step axis (``global_step``); a training log followed by
an evaluation at the same step is judged once, with both.

NaN: ``on_pre_optimizer_step`` checks the gradients (and the loss the model returned, recorded
by a forward hook on the model without a host sync) before the optimizer step. A NaN/inf is
dropped before it reaches the weights, reported at once as ``non_finite`` with the real loss,
and stops training by default. ``logging_nan_inf_filter`` (on by default) replaces a NaN step's
loss in ``log_history`` with the average of the previous steps, so a log read afterwards never
shows it (trl#6702); this callback sees the step itself. Under ``fp16`` (a grad scaler skips
overflowing steps itself) the gradient check is off.

Early stopping and ``restore_best`` work whatever the checkpoint settings (no
``load_best_model_at_end``/``save_strategy`` needed); a ``monitor`` the evaluations do not log,
or one that needs evaluations when ``eval_strategy="no"``, is an error (transformers#28530).
"""

from __future__ import annotations

import math
from typing import Any

from fitdoctor.integrations.base import (DEFAULT_BUDGET, DEFAULT_STOP, LiveAdapter, clean_logs,
                                         is_validation, need)

need("hf")
import torch  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

from fitdoctor.errors import BadInput  # noqa: E402
from fitdoctor.integrations.torch import GradGuard, grad_check_mode  # noqa: E402

#: keys of the end-of-training summary ``Trainer.train`` logs (a run average, not a point)
SUMMARY_KEYS = ("train_runtime", "train_loss", "train_samples_per_second")


class DoctorCallback(TrainerCallback, LiveAdapter):
    """fitdoctor as a ``TrainerCallback``. ``check_grads``: check gradients (and the model's
    loss) before every optimizer step (``True``: the biases each step, all gradients every 64;
    ``"full"``: all every step; see :class:`~fitdoctor.integrations.torch.GradGuard`). Other options: see
    :class:`~fitdoctor.integrations.base.LiveAdapter` (``monitor`` takes HF names:
    ``eval_loss``, ``eval_accuracy``, ...)."""

    framework = "hf"

    def __init__(self, *, check_grads: bool | str = True, every: int = 1,
                 stop_on: tuple[str, ...] | list[str] = DEFAULT_STOP, monitor: str = "eval_loss",
                 mode: str = "auto", min_delta: float = 0.0, patience: int | None = None,
                 restore_best: bool = False, out: Any = None, report: bool = True, verbose: bool = True,
                 budget: float | None = DEFAULT_BUDGET, min_points: int = 3, thresholds: Any = None,
                 mute: tuple[str, ...] | list[str] = (), on_event: Any = None) -> None:
        self._grad_mode = grad_check_mode(check_grads)
        self.check_grads = self._grad_mode is not None
        LiveAdapter.__init__(self, every=every, stop_on=stop_on, monitor=monitor, mode=mode,
                             min_delta=min_delta, patience=patience, restore_best=restore_best,
                             out=out, report=report, verbose=verbose, budget=budget,
                             min_points=min_points, thresholds=thresholds, mute=mute, on_event=on_event)
        self._model = None
        self._hook = None
        self._running = False

    # Trainer events ------------------------------------------------------------------
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero:
            self.verbose, self.report, self.out = False, False, None
        strategy = str(getattr(args.eval_strategy, "value", args.eval_strategy))
        if self.tracker is not None and is_validation(self.monitor) and strategy == "no":
            raise BadInput(f"monitor={self.monitor!r} needs evaluations, but eval_strategy is 'no': "
                           "set eval_strategy='steps' or 'epoch' (and an eval_dataset), or monitor "
                           "a training metric ('loss')")
        name = getattr(args, "run_name", None) or type(model).__name__
        meta = {"run": f"hf {name}", "logging_steps": args.logging_steps, "eval_strategy": strategy,
                "logging_nan_inf_filter": bool(args.logging_nan_inf_filter)}
        if getattr(args, "eval_steps", None):
            meta["eval_steps"] = args.eval_steps
        self._begin("step", meta)
        self._model = model
        self._pending: tuple[float, dict[str, Any]] | None = None
        self._loss_acc: torch.Tensor | None = None
        self._guard = GradGuard(model, full=self._grad_mode == "full") if (self.check_grads and model is not None and not args.fp16) else None
        if self.check_grads and args.fp16:
            self.history.note("gradient check off under fp16: the grad scaler skips steps whose "
                              "gradients overflow")
        if self._guard is not None:
            self._hook = model.register_forward_hook(self._record_loss)
        self._running = True
        return control

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        guard = getattr(self, "_guard", None)
        loss, self._loss_acc = self._loss_acc, None
        if guard is None or guard.check(loss):
            return control
        step = state.global_step + 1  # the step being taken
        lv = float(loss.item()) if loss is not None else None
        layer = guard.first_bad()
        guard.drop()
        self._nonfinite_gradients(step, loss=lv if lv is not None and not math.isfinite(lv) else None,
                                  layer=layer, at_step=step)
        if self.should_stop:
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not self._running or not logs or any(k in logs for k in SUMMARY_KEYS):
            return control
        if any(str(k).startswith("eval_") for k in logs):
            return control  # evaluations are taken in on_evaluate, with the training log they follow
        step = float(state.global_step)
        values = clean_logs(logs)
        if self._nonfinite_step is not None and step == self._nonfinite_step:
            # logging_nan_inf_filter logged the previous steps' average in place of the NaN
            # step's loss: the NaN recorded at the step itself stays
            values.pop("loss", None)
        self._flush(step)
        if control.should_evaluate:
            self._pending = (step, values)  # the evaluation of this step comes next
        else:
            self._feed(step, values)
        return self._stop(control)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if not self._running:
            return control
        step = float(state.global_step)
        values = clean_logs(metrics)
        if self._pending is not None and self._pending[0] == step:
            values = {**self._pending[1], **values}
            self._pending = None
        self._flush(step)
        self._feed(step, values, where=f"the evaluation at step {state.global_step}")
        return self._stop(control)

    def on_epoch_end(self, args, state, control, **kwargs):
        if self._running and state.epoch and round(state.epoch) == 1 and state.global_step:
            self.history.meta.setdefault("steps_per_epoch", int(state.global_step))
        return control

    def on_step_begin(self, args, state, control, **kwargs):
        self._flush(None)
        return control

    def on_train_end(self, args, state, control, model=None, **kwargs):
        if not self._running:
            return control
        self._flush(None)
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        self._running = False
        self._end()
        return control

    # internals -----------------------------------------------------------------------
    def _record_loss(self, module, inputs, output) -> None:
        """Forward hook: keep the loss the model returned (on its device, no sync)."""
        if not module.training:
            return
        loss = output.get("loss") if isinstance(output, dict) else getattr(output, "loss", None)
        if isinstance(loss, torch.Tensor) and loss.numel() == 1:
            t = loss.detach().float()
            self._loss_acc = t if self._loss_acc is None else self._loss_acc + t

    def _flush(self, step: float | None) -> None:
        """Judge a held training log (its evaluation did not come, or a new step began)."""
        if self._pending is not None and (step is None or self._pending[0] != step):
            pending, self._pending = self._pending, None
            self._feed(*pending)

    def _stop(self, control):
        if self.should_stop:
            control.should_training_stop = True
        return control

    def _snapshot(self):
        return {k: v.detach().to("cpu", copy=True) for k, v in self._model.state_dict().items()}

    def _restore(self, state) -> None:
        self._model.load_state_dict(state)

    def _request_stop(self) -> None:
        pass  # the next event returns control.should_training_stop


__all__ = ["DoctorCallback"]
