"""fitdoctor.lightning.DoctorCallback in real Lightning training runs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning.pytorch")
from torch import nn  # noqa: E402

from fitdoctor.lightning import DoctorCallback  # noqa: E402

QUIET = dict(report=False, verbose=False, budget=None)


@pytest.fixture(autouse=True)
def _quiet_one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    torch.set_num_threads(n)


def loaders(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 10, generator=g)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).float()
    ds = torch.utils.data.TensorDataset(X, y)
    train = torch.utils.data.DataLoader(ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    val = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X[:96], y[:96]), batch_size=96)
    return train, val


class Net(L.LightningModule):
    def __init__(self, nan_at_step: int = -1, lr: float = 1e-2):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
        self.nan_at_step, self.lr = nan_at_step, lr

    def training_step(self, batch, i):
        x, y = batch
        loss = nn.functional.binary_cross_entropy_with_logits(self.net(x).squeeze(1), y)
        if self.global_step == self.nan_at_step:
            loss = loss * float("nan")
        self.log("train_loss", loss)  # on_step only (Lightning's default in training_step)
        return loss

    def validation_step(self, batch, i):
        x, y = batch
        out = self.net(x).squeeze(1)
        self.log("val_loss", nn.functional.binary_cross_entropy_with_logits(out, y))
        self.log("val_acc", ((out > 0).float() == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), self.lr)


def fit(module, cb, **trainer_kw):
    torch.manual_seed(0)
    kw = dict(max_epochs=5, logger=False, enable_checkpointing=False, enable_progress_bar=False,
              enable_model_summary=False, accelerator="cpu", devices=1)
    kw.update(trainer_kw)
    trainer = L.Trainer(callbacks=[cb], **kw)
    trainer.fit(module, *loaders())
    return trainer


def test_one_point_an_epoch_when_validation_runs_each_epoch(tmp_path):
    torch.manual_seed(0)
    cb = DoctorCallback(out=tmp_path / "run", **QUIET)
    fit(Net(), cb)
    h = cb.history
    assert h.axis == "epoch"
    assert list(h.series["loss"].steps) == [0, 1, 2, 3, 4]
    assert list(h.series["val_loss"].steps) == [0, 1, 2, 3, 4]
    assert {"val_accuracy", "lr"} <= set(h.series)
    assert h.meta["steps_per_epoch"] == 8
    assert fd.diagnose(fd.read(tmp_path / "run")).codes == cb.diagnosis.codes


def test_validation_every_few_steps_puts_the_run_on_the_step_axis():
    torch.manual_seed(0)
    cb = DoctorCallback(**QUIET)
    fit(Net(), cb, val_check_interval=0.5)
    h = cb.history
    assert h.axis == "step"
    assert list(h.series["val_loss"].steps) == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]
    # the training loss is averaged between validations: the same resolution as val_loss
    assert list(h.series["loss"].steps) == list(h.series["val_loss"].steps)


def test_validation_every_other_epoch_arrives_sparse():
    torch.manual_seed(0)
    cb = DoctorCallback(**QUIET)
    fit(Net(), cb, check_val_every_n_epoch=2, max_epochs=6)
    assert list(cb.history.series["loss"].steps) == [0, 1, 2, 3, 4, 5]
    assert list(cb.history.series["val_loss"].steps) == [1, 3, 5]


def test_a_nan_gradient_is_dropped_before_the_step_and_stops_training():
    torch.manual_seed(0)
    module = Net(nan_at_step=13)
    cb = DoctorCallback(check_grads=True, restore_best=True, **QUIET)
    trainer = fit(module, cb, max_epochs=10)
    assert cb.stop_reason == "non_finite"
    assert cb.history.meta["nonfinite_guard"]["step"] == 13
    assert trainer.current_epoch <= 2  # not 10 epochs
    assert all(torch.isfinite(p).all() for p in module.parameters())
    assert "non_finite" in cb.diagnosis.codes
    assert math.isnan(cb.history.series["grad_norm"].values[0])


def test_by_default_epoch_level_a_nan_stops_at_its_epoch():
    torch.manual_seed(0)
    cb = DoctorCallback(**QUIET)
    trainer = fit(Net(nan_at_step=13), cb, max_epochs=10)
    assert cb.stop_reason == "non_finite" and cb.stopped_at == 1  # step 13 is in epoch 1 (8 steps each)
    assert trainer.current_epoch <= 2 and "grad_norm" not in cb.history.series


def test_patience_stops_lightning_and_restores_the_best_epoch():
    torch.manual_seed(0)
    module = Net(lr=0.3)  # noisy: val_loss does not improve for long
    cb = DoctorCallback(patience=2, restore_best=True, stop_on=(), **QUIET)
    fit(module, cb, max_epochs=30)
    val = cb.history.series["val_loss"].values
    assert cb.stop_reason == "early_stopping" and len(val) < 30
    with torch.no_grad():
        _, vl = loaders()
        x, y = next(iter(vl))
        now = float(nn.functional.binary_cross_entropy_with_logits(module.net(x).squeeze(1), y))
    assert now == pytest.approx(float(np.min(val)), rel=1e-5)


def test_a_monitor_the_run_does_not_log_fails_in_the_sanity_check():
    cb = DoctorCallback(monitor="val_auc", patience=2, **QUIET)
    with pytest.raises(BadInput, match=r"monitor='val_auc' is not among the metrics logged at the sanity check"):
        fit(Net(), cb)


def test_validate_after_fit_leaves_the_finished_run_alone():
    torch.manual_seed(0)
    cb = DoctorCallback(**QUIET)
    module = Net()
    trainer = fit(module, cb, max_epochs=3)
    n = len(cb.history.series["val_loss"])
    trainer.validate(module, loaders()[1], verbose=False)
    assert len(cb.history.series["val_loss"]) == n and cb.diagnosis is not None
