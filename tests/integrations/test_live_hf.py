"""fitdoctor.hf.DoctorCallback in real Hugging Face Trainer runs, on a tiny BERT built here."""

from __future__ import annotations

import math
import warnings

import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

from fitdoctor.hf import DoctorCallback  # noqa: E402

QUIET = dict(report=False, verbose=False, budget=None)


@pytest.fixture(autouse=True)
def _quiet_one_thread(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    torch.set_num_threads(n)


class Tokens(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def tiny_bert():
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=16, num_labels=2)
    return transformers.BertForSequenceClassification(cfg)


def data():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1, 64, (256, 8), generator=g)
    labels = (ids[:, 0] > 32).long()  # the first token decides
    return Tokens(ids[:192], labels[:192]), Tokens(ids[192:], labels[192:])


def trainer_for(model, tmp_path, callbacks, **kw):
    args = dict(output_dir=str(tmp_path / "out"), num_train_epochs=6, per_device_train_batch_size=32,
                learning_rate=5e-3, logging_steps=2, eval_strategy="steps", eval_steps=6,
                save_strategy="no", report_to="none", use_cpu=True, disable_tqdm=True, seed=0)
    args.update(kw)
    train, val = data()
    return transformers.Trainer(model=model, args=transformers.TrainingArguments(**args),
                                train_dataset=train, eval_dataset=val, callbacks=callbacks)


def test_a_tiny_bert_trains_and_is_diagnosed_on_the_step_axis(tmp_path):
    model = tiny_bert()
    cb = DoctorCallback(out=tmp_path / "run", **QUIET)
    tr = trainer_for(model, tmp_path, [cb])
    tr.train()
    h = cb.history
    assert h.axis == "step"
    assert {"loss", "grad_norm", "lr", "val_loss"} <= set(h.series)
    assert list(h.series["val_loss"].steps) == [6, 12, 18, 24, 30, 36]
    logged = [e["loss"] for e in tr.state.log_history if "loss" in e and "train_runtime" not in e]
    assert list(h.series["loss"].values) == pytest.approx(logged)
    assert h.meta["steps_per_epoch"] == 6
    assert fd.diagnose(fd.read(tmp_path / "run")).codes == cb.diagnosis.codes


class _Plant(transformers.TrainerCallback):
    """Makes the classifier's output NaN on one step, and keeps the weights from before it."""

    def __init__(self, model, at):
        self.at, self.step, self.before = at, -1, None
        model.classifier.register_forward_hook(self.hook)

    def on_step_begin(self, args, state, control, model=None, **kw):
        self.step = state.global_step
        if self.step == self.at:
            self.before = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def hook(self, mod, inputs, output):
        if mod.training and self.step == self.at:
            return output * float("nan")


def test_a_nan_step_is_caught_before_the_optimizer_and_seen_through_the_nan_filter(tmp_path):
    model = tiny_bert()
    plant = _Plant(model, at=9)
    cb = DoctorCallback(**QUIET)
    tr = trainer_for(model, tmp_path, [plant, cb], logging_steps=1)
    tr.train()
    assert tr.args.logging_nan_inf_filter  # the default, which hides the NaN from log_history
    assert tr.state.global_step == 10  # stopped at the NaN step, not 36 steps
    assert cb.stop_reason == "non_finite" and cb.stopped_at == 10
    after = model.state_dict()
    assert all(torch.equal(after[k], v) for k, v in plant.before.items())  # no corrupted weights
    logged = [e["loss"] for e in tr.state.log_history if "loss" in e and "train_runtime" not in e]
    assert all(math.isfinite(v) for v in logged)  # what the log file would show
    loss = cb.history.series["loss"]
    assert loss.steps[-1] == 10 and math.isnan(loss.values[-1])  # what the callback saw
    assert "non_finite" in cb.diagnosis.codes


def test_early_stopping_restores_the_best_eval_without_checkpoints(tmp_path):
    model = tiny_bert()
    cb = DoctorCallback(monitor="eval_loss", patience=1, restore_best=True, stop_on=(), **QUIET)
    tr = trainer_for(model, tmp_path, [cb], learning_rate=3e-2, num_train_epochs=20)
    tr.train()
    val = cb.history.series["val_loss"].values
    assert cb.stop_reason == "early_stopping"
    assert tr.evaluate()["eval_loss"] == pytest.approx(float(min(val)), rel=1e-4)


def test_monitoring_an_eval_metric_without_evaluations_is_an_error(tmp_path):
    cb = DoctorCallback(monitor="eval_loss", patience=3, **QUIET)
    tr = trainer_for(tiny_bert(), tmp_path, [cb], eval_strategy="no")
    with pytest.raises(BadInput, match="eval_strategy is 'no'"):
        tr.train()


def test_a_misspelt_monitor_fails_at_the_first_evaluation(tmp_path):
    cb = DoctorCallback(monitor="eval_accuracy", patience=3, **QUIET)  # no compute_metrics: never logged
    tr = trainer_for(tiny_bert(), tmp_path, [cb])
    with pytest.raises(BadInput, match=r"monitor='eval_accuracy' is not among the metrics logged at the evaluation at step 6"):
        tr.train()
    assert tr.state.global_step == 6
