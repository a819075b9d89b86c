"""Hugging Face trainer_state.json reader, on states written by a real transformers 5 Trainer.

The fixtures come from benchmarks/fixtures/make_hf_fixtures.py (a 2-layer BERT built from
a BertConfig, trained on generated token ids); weights were deleted, states kept.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitdoctor.errors import BadInput
from fitdoctor.io import read, read_runs
from fitdoctor.io.huggingface import HuggingFaceReader, load_state, state_to_history

HF = Path(__file__).parent.parent / "fixtures" / "huggingface"


def test_output_dir_reads_most_complete_state():
    run = read(HF / "normal")
    assert run.meta["format"] == "huggingface" and run.meta["run"] == "normal"
    # save_state() wrote the root state: same step as checkpoint-150, plus the summary entry
    assert run.meta["state_file"].endswith("normal/trainer_state.json")
    assert run.axis == "step"
    assert list(run.series) == ["loss", "val_loss", "val_accuracy", "grad_norm", "lr"]
    loss = run.series["loss"]
    assert len(loss) == 30 and loss.steps[0] == 5 and loss.steps[-1] == 150
    assert loss.values[0] == pytest.approx(0.6957624912261963)
    assert loss.values[-1] == pytest.approx(0.12395098209381103)
    val = run.series["val_loss"]
    assert val.raw_name == "eval_loss"
    np.testing.assert_array_equal(val.steps, np.arange(15, 151, 15))
    assert val.values[0] == pytest.approx(0.6763737797737122)
    assert val.values[-1] == pytest.approx(0.11879008263349533)
    np.testing.assert_allclose(run.series["val_accuracy"].values,
                               [0.6015625] * 5 + [0.8046875] + [1.0] * 4)
    assert run.series["lr"].raw_name == "learning_rate"
    assert run.series["lr"].values[0] == pytest.approx(0.0009733333333333334)
    assert run.series["grad_norm"].values[0] == pytest.approx(0.20034320652484894)
    # the summary entry is not a curve point
    assert "train_loss" not in {s.raw_name for s in run.series.values()}
    assert run.meta["train_summary"]["train_loss"] == pytest.approx(0.48254745721817016)
    m = run.meta
    assert (m["logging_steps"], m["eval_steps"], m["save_steps"]) == (5, 15, 15)
    assert m["steps_per_epoch"] == 64.0 and m["epochs"] == 2.34375
    assert m["best_metric"] == 1.0 and m["best_global_step"] == 105
    assert m["metric_for_best_model"] == "eval_accuracy"
    assert m["best_model_checkpoint"].endswith("checkpoint-105")
    assert m["checkpoints"] == list(range(15, 151, 15))
    assert m["best_checkpoint_saved"] is True
    assert "notes" not in m


def test_best_eval_never_saved():
    run = read(HF / "unsaved")
    # no root state: the last checkpoint's state is read
    assert run.meta["state_file"].endswith("checkpoint-150/trainer_state.json")
    assert run.meta["checkpoints"] == [40, 80, 120, 150]
    assert run.meta["save_steps"] == 40 and run.meta["eval_steps"] == 15
    assert run.meta["best_global_step"] == 105
    assert run.meta["best_checkpoint_saved"] is False
    assert "best_model_checkpoint" not in run.meta
    assert "train_summary" not in run.meta


def test_checkpoint_folder_and_file():
    run = read(HF / "normal" / "checkpoint-45")
    assert run.meta["global_step"] == 45 and len(run.series["val_loss"]) == 3
    assert run.meta["checkpoints"] == list(range(15, 151, 15))
    run = read(HF / "unsaved" / "checkpoint-80" / "trainer_state.json")
    assert run.meta["format"] == "huggingface"
    assert run.series["loss"].steps[-1] == 80
    assert run.meta["checkpoints"] == [40, 80, 120, 150]


def test_nan_filter_trace_is_reported():
    run = read(HF / "nan")
    loss = run.series["loss"]
    assert loss.values[0] == pytest.approx(0.5565632820129395)
    # logged as 0.0 with grad_norm NaN: read as NaN, with a note saying why
    assert np.isnan(loss.values[1:]).all() and len(loss) == 8
    assert np.isnan(run.series["grad_norm"].values).all()
    assert np.isnan(run.series["val_loss"].values).all()
    notes = " ".join(run.meta["notes"])
    assert "exactly 0.0 at 7 step(s) from step 10" in notes
    assert "logging_nan_inf_filter" in notes and "grad_norm is NaN/inf from step 5" in notes
    assert run.meta["nan_filter_suspected_from_step"] == 10.0
    raw = json.loads((HF / "nan" / "trainer_state.json").read_text())
    assert [e["loss"] for e in raw["log_history"] if "loss" in e][1:] == [0.0] * 7


def test_zero_loss_without_grad_norm_is_only_noted(tmp_path):
    state = {"log_history": [{"loss": 0.7, "step": 10, "epoch": 0.5},
                             {"loss": 0.5, "step": 20, "epoch": 1.0},
                             {"loss": 0.0, "step": 30, "epoch": 1.5}]}
    run = state_to_history(state, source="x")
    np.testing.assert_array_equal(run.series["loss"].values, [0.7, 0.5, 0.0])
    assert "logging_nan_inf_filter" in run.meta["notes"][0]


def test_sniff():
    head = (HF / "normal" / "trainer_state.json").read_bytes()[:8192]
    assert HuggingFaceReader.sniff(Path("state.json"), head) == 0.95
    assert HuggingFaceReader.sniff(Path("h.json"), b'{"loss": [0.5, 0.4]}') == 0.0
    assert HuggingFaceReader.sniff(HF / "unsaved", b"") == 0.97


@pytest.mark.parametrize("content, match", [
    ("", "empty"),
    ('{"log_history": [{"loss": 0.5, "st', "invalid JSON"),
    ('[{"loss": 0.5}]', "no 'log_history'"),
    ('{"log_history": {"loss": 0.5}}', "no 'log_history'"),
    ('{"log_history": []}', "no loss or eval values"),
    ('{"log_history": [{"train_runtime": 3.0, "train_loss": 0.4, "step": 9}]}', "no loss or eval"),
])
def test_bad_files(tmp_path, content, match):
    p = tmp_path / "trainer_state.json"
    p.write_text(content)
    with pytest.raises(BadInput, match=match):
        HuggingFaceReader().read(p)


def test_dir_without_state(tmp_path):
    (tmp_path / "checkpoint-10").mkdir()
    assert HuggingFaceReader.sniff(tmp_path, b"") == 0.0
    with pytest.raises(BadInput, match="no trainer_state.json"):
        HuggingFaceReader().read(tmp_path)


@pytest.mark.parametrize("sub", ["normal", "unsaved", "nan"])
def test_cli_diagnoses_fixture(sub):
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "diagnose", str(HF / sub)],
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    assert r.stdout.strip()


def test_read_runs_on_parent_folder_finds_each_output_dir():
    runs = read_runs(HF)
    # no state at the top: every file is offered to the file readers
    assert {r.meta["format"] for r in runs} == {"huggingface"}


_BASE = (HF / "nan" / "trainer_state.json").read_text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, len(_BASE)), st.integers(0, 30),
                               st.sampled_from(['', '"', '{', '}', '[', ']', ',', ':', 'NaN', '-1e999',
                                                'null', '"step"', '"loss": "x"', '0', 'true', '{}'])),
                     max_size=5))
def test_fuzz_mutated_trainer_state(tmp_path, cuts):
    text = _BASE
    for pos, length, repl in cuts:
        text = text[:pos] + repl + text[pos + length:]
    p = tmp_path / "trainer_state.json"
    p.write_text(text)
    try:
        HuggingFaceReader().read(p)
    except BadInput:
        pass
    try:
        load_state(p)
    except BadInput:
        pass


def test_output_dir_with_tensorboard_runs_is_read_as_trainer_state(tmp_path):
    # report_to="tensorboard" puts real event files under <output_dir>/runs/
    from torch.utils.tensorboard import SummaryWriter

    out = tmp_path / "out"
    shutil.copytree(HF / "unsaved", out)
    w = SummaryWriter(str(out / "runs" / "Nov23_09-00-00"))
    for step in range(3):
        w.add_scalar("train/loss", 0.7 - 0.1 * step, step)
    w.close()
    run = read(out)
    assert run.meta["format"] == "huggingface" and run.meta["checkpoints"] == [40, 80, 120, 150]


def _whisper_log(final_rows: float) -> list[dict]:
    """A Whisper fine-tune's log_history: train loss every 50 steps, an evaluation of 159 rows
    every 100 (eval_runtime x eval_samples_per_second), its val loss falling then creeping up;
    then one final evaluation at the last step on ``final_rows`` rows."""
    log: list[dict] = []
    for step in range(50, 3050, 50):
        log.append({"loss": round(3.2 * np.exp(-step / 300) + 1e-4, 4), "step": step, "epoch": step / 204})
        if step % 100 == 0:
            k = step // 100
            runtime = 577.0 + (k % 3)
            log.append({"eval_loss": 0.08 + 0.7 * np.exp(-step / 120) + 0.0004 * k, "eval_runtime": runtime,
                        "eval_samples_per_second": round(159 / runtime, 3), "step": step, "epoch": step / 204})
    log.append({"eval_loss": 0.0186, "eval_runtime": 798.0, "eval_samples_per_second": round(final_rows / 798.0, 3),
                "step": 3060, "epoch": 15.0})
    return log


def test_a_final_evaluation_on_another_set_is_left_out_of_the_val_curve():
    """210 rows at the last step against 159 at each of the 30 before (Whisper's final
    evaluate() on other data, its loss 5x below the curve): not a point of the val curve,
    which would otherwise end at a new best; the note says how it was told apart."""
    run = state_to_history({"log_history": _whisper_log(210.0)}, source="x")
    assert run.series["val_loss"].steps[-1] == 3000
    assert any("step 3060 (210 rows) covered other data than the other 30 (159 rows each" in n for n in run.meta["notes"])
    same = state_to_history({"log_history": _whisper_log(159.0)}, source="x")
    assert same.series["val_loss"].steps[-1] == 3060  # the same rows: a point of the curve


def test_a_final_evaluation_on_another_set_is_left_out_of_a_csv_export_too(tmp_path):
    """The same log exported to CSV by pandas (the Trainer's columns, blank where a row has none)."""
    import csv

    log = _whisper_log(210.0)
    keys = ["loss", "epoch", "step", "eval_loss", "eval_runtime", "eval_samples_per_second"]
    path = tmp_path / "training_history.csv"
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows({k: r.get(k, "") for k in keys} for r in log)
    run = read(path)
    assert len(run.series["val_loss"]) == 30 and run.series["val_loss"].values[-1] > 0.08
    assert any("step 3060 (210 rows) covered other data" in n for n in run.meta["notes"])
