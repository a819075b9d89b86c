"""Console logs the reader once refused: tqdm bars over the epochs, and Keras output from GPU runs.

The fixtures were captured by benchmarks/make_console_fixtures_tqdm_gpu.py from real runs
(tests/fixtures/console/README.md says which lines of the GPU logs were inserted, and where).
Each log has its run's own CSV beside it: the console read-back must give its numbers and
the same verdict.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.io.base import HEAD_BYTES, load_readers
from fitdoctor.io.console import ConsoleReader, parse_console_text, sniff_text
from fitdoctor.io.console.lines import drop_foreign, unglue_callbacks
from fitdoctor.io.console.patterns import CALLBACK, CALLBACK_ANCHORS
from fitdoctor.io.detect import best_reader

CON = Path(__file__).parents[1] / "fixtures" / "console"
GPU_LOGS = ["keras3_v2_gpu_xla.log", "keras3_v1_gpu_xla_pty.log"]


def _csv(name: str) -> dict[str, list[float]]:
    with open(CON / name, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {k: [float(r[k]) for r in rows] for k in rows[0] if k != "epoch"}


def _text(name: str) -> str:
    return (CON / name).read_bytes().decode("utf-8")


def _read_text(text: str, fast: bool = True):
    runs = parse_console_text(text, source="x", fast=fast)
    assert len(runs) == 1
    return runs[0]


def _same_series(a, b) -> None:
    assert list(a.series) == list(b.series)
    for k in a.series:
        np.testing.assert_array_equal(a.series[k].steps, b.series[k].steps)
        np.testing.assert_array_equal(a.series[k].values, b.series[k].values)


def _codes(run) -> list[str]:
    return [f.code for f in fd.diagnose(run).findings]


# ------------------------------------------------------------------ tqdm bars over the epochs

@pytest.mark.parametrize("name", ["tqdm_keras_logging.log", "tqdm_keras_stderr.log", "tqdm_keras_batches.log"])
def test_tqdm_keras_callback_bar_is_one_record_per_epoch(name):
    """The epoch bar's updates are the records; the batch bar of verbose=1 (running averages
    within an epoch) is not."""
    run = fd.read(CON / name)
    assert run.meta["format"] == "console" and run.meta["dialect"] == "tqdm"
    assert sorted(run.series) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert list(run.series["loss"].steps) == list(range(1, 11))  # "1/10" .. "10/10", the close not again
    # epoch 1 and the final 10/10 line, as tqdm printed them (3 significant digits)
    first = {k: run.series[k].values[0] for k in run.series}
    assert first == {"accuracy": 0.649, "loss": 0.63, "val_accuracy": 0.779, "val_loss": 0.531}
    assert run.series["loss"].values[-1] == 0.164 and run.series["val_loss"].values[-1] == 0.391
    ref = _csv("tqdm_keras_csvlogger.csv")
    for k in run.series:
        np.testing.assert_allclose(run.series[k].values, ref[k], rtol=6e-3, err_msg=k)
    assert "notes" not in run.meta  # nothing dropped, no one-value printout left over


def test_tqdm_bar_shapes_raw():
    logging_text = _text("tqdm_keras_logging.log")
    assert re.search(r"^\d{4}-\d\d-\d\d [\d:,]+ - INFO - Epoch progress: +10%\|", logging_text, re.M)
    assert re.search(r"\| 1\.00/15\.0 \[[^]]*batch/s, accuracy=", _text("tqdm_keras_batches.log"))
    stderr_text = _text("tqdm_keras_stderr.log")
    assert "\r" in stderr_text and "█" in stderr_text
    assert re.search(r"val_loss=0\.531\]\d{4}-\d\d-\d\d .* - INFO - epoch 1 done", stderr_text)  # glued


def test_tqdm_loop_with_a_colon_postfix_set_before_each_update():
    """``set_postfix_str`` refreshes the bar at once, so each epoch's values show first at
    n = epoch - 1 (and then again at n = epoch): the values decide, not the first n."""
    run = fd.read(CON / "tqdm_loop_colon.log")
    assert run.meta["dialect"] == "tqdm"
    ref = _csv("tqdm_loop_history.csv")
    assert list(run.series["loss"].steps) == list(range(1, 16))
    assert list(run.series["loss"].values) == ref["loss"]
    assert list(run.series["val_loss"].values) == ref["val_loss"]
    assert run.series["val_accuracy"].raw_name == "val_acc"
    assert list(run.series["val_accuracy"].values) == ref["val_acc"]
    assert run.series["loss"].values[1] == 0.5773 and run.series["val_loss"].values[-1] == 0.2004


@pytest.mark.parametrize("log,twin", [("tqdm_keras_logging.log", "tqdm_keras_csvlogger.csv"),
                                      ("tqdm_keras_stderr.log", "tqdm_keras_csvlogger.csv"),
                                      ("tqdm_keras_batches.log", "tqdm_keras_csvlogger.csv"),
                                      ("tqdm_loop_colon.log", "tqdm_loop_history.csv"),
                                      ("keras3_v2_gpu_xla.log", "keras3_gpu_csvlogger.csv"),
                                      ("keras3_v1_gpu_xla_pty.log", "keras3_gpu_csvlogger.csv")])
def test_console_log_diagnoses_like_its_csv(log, twin):
    assert _codes(fd.read(CON / log)) == _codes(fd.read(CON / twin))


def test_tqdm_variants_without_prefix_with_colons_and_with_the_total_unknown():
    ref = _read_text(_text("tqdm_keras_logging.log"))
    bare = re.sub(r"(?m)^\S+ \S+ - INFO - ", "", _text("tqdm_keras_logging.log"))  # no logging prefix
    _same_series(_read_text(bare), ref)
    assert sniff_text(bare) > 0.5
    colon = re.sub(r"(?<=[a-z])=(?=[\d.])", ": ", bare)  # "loss: 0.63" instead of "loss=0.63"
    assert "loss: 0.63," in colon
    _same_series(_read_text(colon), ref)
    # tqdm with no total prints "3epoch [00:03, 1.00epoch/s, ...]"
    unknown = re.sub(r"\d+%\|[^|]*\| (\d+)/10 \[[^,]*,", r"\1epoch [00:01,", bare)
    assert "3epoch [00:01," in unknown
    _same_series(_read_text(unknown), ref)


def test_tqdm_epoch_bar_details():
    # desc="Epoch": the percentage after "Epoch:" is not an epoch number; the unit is "it"
    lines = [f"Epoch: {10 * n:3d}%|{'#' * n:<10}| {n}/10 [00:0{n}<00:00,  1.00it/s, loss={1 / n:.3g}]"
             for n in range(1, 11)]
    run = _read_text("\n".join(lines) + "\n")
    assert list(run.series["loss"].steps) == list(range(1, 11))
    # a postfix set before the update with updates hidden by mininterval: only the refreshes
    # (n = epoch - 1) and the close are printed; and a second bar is a second run
    loop = [f"Training: {20 * n:3d}%|{'##' * n:<10}| {n}/5 [00:00<00:00, 9.0epoch/s, loss: {0.9 - n / 10:.4f}]"
            for n in range(5)]
    loop.append("Training: 100%|##########| 5/5 [00:00<00:00, 9.0epoch/s, loss: 0.5000]")
    runs = parse_console_text("\r".join(loop) + "\n" + "\r".join(loop) + "\n", source="x")
    assert len(runs) == 2
    for run in runs:
        assert list(run.series["loss"].steps) == [1, 2, 3, 4, 5]
        assert list(run.series["loss"].values) == [0.9, 0.8, 0.7, 0.6, 0.5]
    # a bar over batches (no epoch in its unit or description) is read as before: not by n
    batches = [f"{n * 10:3d}%|{'#' * n:<10}| {n}/10 [00:00<00:00, 50.0it/s, loss={1 / n:.3g}]" for n in range(1, 11)]
    assert parse_console_text("\r".join(batches) + "\n", source="x")[0].meta["dialect"] == "seq"


# ------------------------------------------------------------------ Keras 3 in a GPU run

@pytest.mark.parametrize("name", GPU_LOGS)
def test_gpu_run_keras_log_reads_its_csvlogger_numbers(name):
    run = fd.read(CON / name)  # detection too: the TF/XLA preamble fills the first 8 KiB
    assert run.meta["format"] == "console" and run.meta["dialect"] == "keras"
    ref = _csv("keras3_gpu_csvlogger.csv")
    assert list(run.series["loss"].steps) == list(range(1, 15))  # EarlyStopping after epoch 14
    for k in ("accuracy", "loss", "val_accuracy", "val_loss"):
        np.testing.assert_allclose(run.series[k].values, ref[k], atol=1.5e-4, err_msg=k)
    # epoch 1 (its bar had TF lines glued onto it) and the best epoch, 9
    assert [run.series[k].values[0] for k in ("loss", "val_loss", "val_accuracy")] == [0.6732, 0.6188, 0.6467]
    assert [run.series[k].values[8] for k in ("loss", "val_loss", "val_accuracy")] == [0.2099, 0.4739, 0.7667]
    assert run.series["lr"].values[0] == 0.001 and run.series["lr"].values[-1] == 1e-05
    assert run.meta["notes"] == ["ignored 14 callback message line(s) (checkpoint / early stopping / lr reduction)"]


@pytest.mark.parametrize("name", GPU_LOGS)
def test_gpu_run_fast_path_agrees_with_the_line_parser(name):
    text = _text(name)
    fast, slow = _read_text(text), _read_text(text, fast=False)
    assert fast.meta == slow.meta
    _same_series(fast, slow)


def test_gpu_logs_hold_what_a_gpu_run_prints():
    raw = (CON / "keras3_v1_gpu_xla_pty.log").read_bytes()
    assert b"- loss: 0.7383I0000 00:00:" in raw  # absl line glued onto the first bar update
    assert b"- loss: 0.67322024-05-01 10:11:" in raw  # TF's own prefix glued onto a finished bar
    assert b"- loss: 0.5428W0000 00:00:" in raw
    assert b"\t [[{{node IteratorGetNext}}]]" in raw
    for name in GPU_LOGS:
        head = (CON / name).read_bytes()[:HEAD_BYTES].decode("utf-8", "replace")
        assert sniff_text(head) == 0.0  # the head alone is TF/XLA lines and model.summary()
        cls, _ = best_reader(CON / name, load_readers(), directory=False)
        assert cls is ConsoleReader


def test_foreign_lines_are_dropped_in_place_and_scripts_own_absl_lines_stay():
    text = _text("keras3_v2_gpu_xla.log")
    kept = drop_foreign(text)
    assert kept.count("\n") == text.count("\n")  # line numbers do not move
    assert "I0000" not in kept and "tensorflow/core" not in kept and "{{node" not in kept
    assert "Epoch 1/40" in kept and "Model: " in kept
    # absl lines from the training script itself (a .py source) are its records
    own = "".join(f"I0501 10:11:{e:02d}.123456 140234 train.py:88] epoch {e} loss={1 / e:.4f} val_loss={1.2 / e:.4f}\n"
                  for e in range(1, 6))
    assert drop_foreign(own) == own
    run = _read_text(own)
    assert list(run.series["val_loss"].steps) == [1, 2, 3, 4, 5]


def test_callback_messages_glued_onto_bars_and_tf_lines_glued_onto_epoch_lines():
    """Captures where the callbacks' messages lost their newlines (``... - loss: 0.25Epoch 1:
    val_loss improved from inf to 0.45, saving model to m.keras`` then ``\\r32/32 ... -
    val_loss: 0.45`` on the same line), and verbose=2 lines with TF lines glued on."""
    v1 = _text("keras3_v1_gpu_xla_pty.log")
    ref = _read_text(v1)
    glued = re.sub(r"\r\n(?:\r\n)?(Epoch \d+: [^\r\n]*)\r\n", r"\1", v1)
    glued = glued.replace("\r\nRestoring model weights", "Restoring model weights")
    assert re.search(r"- loss: 0\.4508Epoch 3: val_loss improved from 0\.57739 to 0\.53029, saving model to "
                     r"\S+best\.kerasEpoch 3: finished saving model to \S+best\.keras\x08+\r\x1b\[1m15/15", glued)
    for fast in (True, False):
        got = _read_text(glued, fast=fast)
        _same_series(got, ref)
        assert got.meta["notes"] == ref.meta["notes"]
    v2 = _text("keras3_v2_gpu_xla.log")
    tf = "W0000 00:00:1714558275.021899   12345 graph_launch.cc:671] Fallback to op-by-op mode"
    glued2 = re.sub(r"(learning_rate: \S+)\n", lambda m: m.group(1) + tf + "\n", v2)
    assert glued2.count("graph_launch") == 15
    for fast in (True, False):
        _same_series(_read_text(glued2, fast=fast), _read_text(v2))


def test_unglue_callbacks_leaves_clean_lines_alone():
    clean = "Epoch 1/3\n\nEpoch 1: val_loss improved from inf to 0.5, saving model to m.keras\n1/1 - loss: 0.5\n"
    assert unglue_callbacks(clean) == clean
    assert unglue_callbacks("1/1 - loss: 0.5Epoch 1: early stopping\n") == "1/1 - loss: 0.5\nEpoch 1: early stopping\n"


def test_every_callback_phrase_holds_an_anchor_of_the_fast_path():
    phrases = ["Epoch 3: val_loss improved from 0.4 to 0.3, saving model to m.keras",
               "Epoch 3: val_loss did not improve from 0.30000",
               "Epoch 7: ReduceLROnPlateau reducing learning rate to 0.0001.", "Epoch 12: early stopping",
               "Restoring model weights from the end of the best epoch: 9.", "Epoch 1: saving model to m.keras",
               "Saving model to m.keras", "best model so far",
               "  Checkpoint saved -> out/r3d18.pt  (epoch 1, acc 0.4397)", "Saved checkpoint to ckpt/epoch_3.pt",
               "model saved (val_acc 0.91)"]
    for p in phrases:
        assert CALLBACK.search(p), p
        assert any(a in p for a in CALLBACK_ANCHORS), p


def test_a_checkpoint_notice_repeating_the_epochs_score_is_no_train_metric(tmp_path):
    """A loop prints its record, then the checkpoint it saved with the score it was saved for:
    "(epoch 1, acc 0.4397)" is test_top1 again, not a train accuracy beside it (read as one, the
    train and val accuracy are the same curve, and every rule comparing them reads nonsense)."""
    lines = []
    for e, (loss, top1) in enumerate([(2.84, 0.44), (1.78, 0.47), (1.19, 0.48), (0.71, 0.51), (0.36, 0.51),
                                      (0.14, 0.54), (0.09, 0.51), (0.16, 0.46)], 1):
        lines += [f"  Epoch {e}: train_loss={loss:.4f}  test_top1={top1:.4f}",
                  f"  Checkpoint saved -> out/r3d18.pt  (epoch {e}, acc {top1:.4f})"]
    p = tmp_path / "train_log.txt"
    p.write_text("Training on cuda for epochs 1-8 ...\n" + "\n".join(lines) + "\n")
    h = fd.read_runs(p)[0]
    assert sorted(h.series) == ["loss", "val_accuracy"]
    assert list(h.series["val_accuracy"].values)[:2] == [0.44, 0.47]


def _bar(desc: str, n: int, total: int, loss: float) -> str:
    pct = int(100 * n / total)
    return f"{desc}: {pct:3d}%|#         | {n}/{total} [00:15<236:28:17, 15.48s/it, Loss={loss:.4f}]"


def test_a_run_counted_on_one_bar_over_its_iterations_is_read_on_steps(tmp_path):
    """``for step in tqdm(range(55000))`` with ``set_postfix(Loss=..)``, cut off at step 120: each
    update is a step of a run planned for 55000, not an epoch (read as 240 epochs before, each
    step's two refreshes counted twice)."""
    segs = []
    for n in range(1, 121):
        loss = 11.5 - 0.005 * n
        segs += [_bar("Training", n, 55000, loss + 0.01), _bar("Training", n, 55000, loss)]
    path = tmp_path / "training.log"
    path.write_text("Training for 55000 total iterations (updates)...\n" + "\r".join(segs) + "\n")
    [run] = fd.read_runs(path)
    loss = run.series["loss"]
    assert loss.axis == "step"
    assert list(loss.steps)[:3] == [1, 2, 3] and len(loss.steps) == 120


def test_a_batch_bar_that_restarts_every_epoch_is_not_taken_for_the_runs_counter(tmp_path):
    """The same kind of bar over each epoch's 50 batches starts again at 1: its n is a batch, so
    the log is read as before, one run."""
    lines = []
    for epoch in range(3):
        lines.append("\r".join(_bar("100", n, 50, 2.0 - 0.3 * epoch - 0.001 * n) for n in range(1, 51)))
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    assert len(fd.read_runs(path)) == 1
