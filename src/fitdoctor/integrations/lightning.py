"""Diagnose a Lightning ``Trainer.fit`` while it runs.

    from fitdoctor.lightning import DoctorCallback

    trainer = L.Trainer(max_epochs=30, callbacks=[DoctorCallback(restore_best=True)])

What it reads, and when (metrics arrive sparse, validation may run every N steps):

- the loss ``training_step`` returns, summed on its device each batch (no host sync) and
  averaged per epoch: the ``loss`` curve, whatever the metric is called in ``self.log``;
- the other training metrics in ``trainer.callback_metrics`` at the end of each epoch (``*_step``
  twins are skipped), and the validation metrics at the end of each validation run (never the
  sanity check, which only serves to check that ``monitor`` is logged);
- the learning rate from the first optimizer.

Validation once per epoch (or every n epochs): the run is on the epoch axis, one point per epoch.
Validation several times an epoch (``val_check_interval`` a fraction or a number of batches,
or ``check_val_every_n_epoch=None``): the step axis (``global_step``), and the training loss is
averaged between validations so both curves have the same resolution.

Epoch level by default: per batch it only adds the returned loss to a sum on its device.
With ``check_grads=True`` the gradients are also checked before each optimizer step
(``on_before_optimizer_step``, one fused norm and one host sync a step): a NaN/inf is dropped
before it reaches the weights and reported at once (off under 16-bit mixed precision, where
the grad scaler skips such steps itself). Stopping sets ``trainer.should_stop``.
"""

from __future__ import annotations

from typing import Any

from fitdoctor.integrations.base import (DEFAULT_BUDGET, DEFAULT_STOP, LiveAdapter, clean_logs,
                                         is_validation, need)

need("lightning")
try:
    import lightning.pytorch as pl  # noqa: E402
except ImportError:  # pragma: no cover - the standalone package
    import pytorch_lightning as pl  # type: ignore[no-redef]  # noqa: E402
import torch  # noqa: E402

from fitdoctor.history import canonical_name  # noqa: E402
from fitdoctor.integrations.torch import GradGuard, LossMean, grad_check_mode  # noqa: E402


class DoctorCallback(pl.Callback, LiveAdapter):
    """fitdoctor as a Lightning callback. ``check_grads``: check gradients before every
    optimizer step (off by default: epoch level; ``True``: the biases each step, all gradients
    every 64; ``"full"``: all every step). Other options: see
    :class:`~fitdoctor.integrations.base.LiveAdapter`."""

    framework = "lightning"

    def __init__(self, *, check_grads: bool | str = False, every: int = 1,
                 stop_on: tuple[str, ...] | list[str] = DEFAULT_STOP, monitor: str = "val_loss",
                 mode: str = "auto", min_delta: float = 0.0, patience: int | None = None,
                 restore_best: bool = False, out: Any = None, report: bool = True, verbose: bool = True,
                 budget: float | None = DEFAULT_BUDGET, min_points: int = 3, thresholds: Any = None,
                 mute: tuple[str, ...] | list[str] = (), on_event: Any = None) -> None:
        pl.Callback.__init__(self)
        self._grad_mode = grad_check_mode(check_grads)
        self.check_grads = self._grad_mode is not None
        LiveAdapter.__init__(self, every=every, stop_on=stop_on, monitor=monitor, mode=mode,
                             min_delta=min_delta, patience=patience, restore_best=restore_best,
                             out=out, report=report, verbose=verbose, budget=budget,
                             min_points=min_points, thresholds=thresholds, mute=mute, on_event=on_event)
        self._trainer = None
        self._module = None

    # Lightning hooks -----------------------------------------------------------------
    def on_train_start(self, trainer, pl_module) -> None:
        self._trainer, self._module = trainer, pl_module
        if not trainer.is_global_zero:  # one rank speaks and writes; every rank decides alike
            self.verbose, self.report, self.out = False, False, None
        axis = "step" if _validates_within_epochs(trainer) else "epoch"
        meta: dict[str, Any] = {"precision": str(trainer.precision),
                                "run": f"lightning {type(pl_module).__name__}"}
        nb = trainer.num_training_batches
        if isinstance(nb, int) and nb > 0 and nb != float("inf"):
            meta["steps_per_epoch"] = int(nb)
        self._begin(axis, meta)
        half = "16" in str(trainer.precision) and "bf16" not in str(trainer.precision)
        self._guard = GradGuard(pl_module, full=self._grad_mode == "full") if self.check_grads and not half else None
        if self.check_grads and half:
            self.history.note("gradient check off under 16-bit mixed precision: the grad scaler "
                              "skips steps whose gradients overflow")
        self._losses = LossMean()
        self._val: dict[str, float] = {}
        self._fed_epoch = -1

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if isinstance(loss, torch.Tensor):
            self._losses.add(loss)

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        guard = getattr(self, "_guard", None)
        if guard is None or guard.check():
            return
        layer = guard.first_bad()
        guard.drop()
        step = trainer.global_step if self.live.axis == "step" else trainer.current_epoch
        self._nonfinite_gradients(step, layer=layer, at_step=trainer.global_step)

    def on_validation_end(self, trainer, pl_module) -> None:
        metrics = {k: v for k, v in clean_logs(trainer.callback_metrics).items() if is_validation(k)}
        if trainer.sanity_checking:
            if self.tracker is not None and metrics:
                self.tracker.check_logged(metrics, "the sanity check")
            return
        if not hasattr(self, "_val") or self._finished:  # trainer.validate() after fit: not this run
            return
        if self.live.axis == "step":
            logs = dict(metrics)
            logs.update(self._flush_loss())
            logs.update(self._lr(trainer))
            self._feed(trainer.global_step, logs, where=f"validation at step {trainer.global_step}")
        elif self._fed_epoch == trainer.current_epoch:  # validation after the epoch's own hook
            self._feed(trainer.current_epoch, metrics, where=f"validation of epoch {trainer.current_epoch}")
        else:
            self._val = metrics

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if not hasattr(self, "_val") or self._finished:
            return
        logs = {k: v for k, v in clean_logs(trainer.callback_metrics).items()
                if not is_validation(k) and not k.endswith("_step")}
        own = self._flush_loss()
        if own:  # the loss training_step returned, averaged: it wins over a same-named log
            logs = {k: v for k, v in logs.items() if canonical_name(k) != "loss"}
            logs.update(own)
        logs.update(self._lr(trainer))
        if self.live.axis == "step":
            if own:
                self._feed(trainer.global_step, logs)
            return
        val, self._val = self._val, {}
        logs.update(val)
        self._fed_epoch = trainer.current_epoch
        self._feed(trainer.current_epoch, logs,
                   where=f"the end of epoch {trainer.current_epoch}" if val else None)

    def on_train_end(self, trainer, pl_module) -> None:
        if hasattr(self, "_val") and not self._finished:
            self._end()

    # LiveAdapter ---------------------------------------------------------------------
    def _flush_loss(self) -> dict[str, float]:
        v = self._losses.pop()
        return {} if v is None else {"loss": v}

    @staticmethod
    def _lr(trainer) -> dict[str, float]:
        try:
            return {"lr": float(trainer.optimizers[0].param_groups[0]["lr"])}
        except (IndexError, KeyError, TypeError, AttributeError):
            return {}

    def _snapshot(self):
        return {k: v.detach().clone() for k, v in self._module.state_dict().items()}

    def _restore(self, state) -> None:
        self._module.load_state_dict(state)

    def _request_stop(self) -> None:
        if self._trainer is not None:
            self._trainer.should_stop = True


def _validates_within_epochs(trainer) -> bool:
    """Validation runs several times an epoch, on a step count across epochs, or on a clock."""
    if trainer.check_val_every_n_epoch is None:
        return True
    vcb = trainer.val_check_batch
    if vcb is None:
        return True
    nb = trainer.num_training_batches
    return vcb != float("inf") and nb != float("inf") and int(vcb) < int(nb)


__all__ = ["DoctorCallback"]
