"""Console output reader, on what real Keras 2/3, HF Trainer, Lightning and hand loops printed.

The fixtures were captured by benchmarks/make_console_fixtures.py (pipe and pseudo-terminal).
"""

from __future__ import annotations

import csv
import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.io.base import load_readers
from fitdoctor.io.console import ConsoleReader, extract_pairs, parse_console_text, sniff_text
from fitdoctor.io.detect import best_reader

CON = Path(__file__).parents[1] / "fixtures" / "console"


def _vals(run, name):
    return [round(float(v), 4) for v in run.series[name].values]


def _csvlogger(path: Path) -> dict[str, list[float]]:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {k: [round(float(r[k]), 4) for r in rows] for k in rows[0] if k != "epoch"}


# ------------------------------------------------------------------ Keras 3 (torch backend)

@pytest.mark.parametrize("name", ["keras3_v2_healthy.log", "keras3_v1_healthy_pipe.log"])
def test_keras3_console_matches_its_csvlogger(name):
    run = fd.read(CON / name)
    assert run.meta["format"] == "console" and run.meta["dialect"] == "keras"
    ref = _csvlogger(CON / "keras3_healthy_csvlogger.csv")
    assert sorted(run.series) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    for key in ref:
        assert _vals(run, key) == pytest.approx(ref[key], abs=1.5e-4), key
    assert list(run.series["loss"].steps) == list(range(1, 13))


def test_keras3_verbose1_pty_progress_bars_keep_only_finished_epochs():
    run = fd.read(CON / "keras3_v1_chance_pty.log")
    assert len(run.series["loss"]) == 12
    raw = (CON / "keras3_v1_chance_pty.log").read_bytes()
    assert b"\r\n" in raw and b"\x08" in raw and b"\x1b[" in raw  # a real terminal capture
    # chance level on 3 balanced classes: loss near ln 3, not a partial-batch value
    assert 1.0 < run.series["val_loss"].values[-1] < 1.4


def test_nan_is_read_as_nan():
    run = fd.read(CON / "keras3_v1_diverge_pty.log")
    assert run.series["loss"].n_nonfinite == len(run.series["loss"]) == 8


def test_two_fits_in_one_log_are_two_runs_in_order():
    runs = fd.read_runs(CON / "keras3_v2_two_runs.log")
    assert [len(r.series["loss"]) for r in runs] == [12, 30]
    assert runs[0].meta["run"].startswith("run 1") and runs[1].meta["run"].startswith("run 2")
    with pytest.raises(BadInput, match="holds 2 runs"):
        fd.read(CON / "keras3_v2_two_runs.log")


def test_a_loop_of_one_epoch_fits_is_one_run_of_those_epochs(tmp_path):
    """A Keras text generator calls fit(epochs=1) once per iteration and prints samples between:
    each fit says "Epoch 1/1", so the log held ten one-epoch runs and was refused ("only one
    epoch"). Three or more such fits in a row are one run, its epochs in order, with a note."""
    losses = [8.8566, 7.9593, 7.8776, 7.8286, 7.8102, 7.7950, 7.7861, 7.7790, 7.7712, 7.7676]
    vals = [7.9603, 7.9788, 7.9794, 8.0312, 8.0101, 7.9723, 7.9905, 7.9018, 7.9811, 7.9674]
    blocks = ["Using TensorFlow backend.", "train:  9980 9980 ;  test:  20 20"]
    for i, (lo, va) in enumerate(zip(losses, vals)):
        blocks += [f"Iteration {i}", "Epoch 1/1",
                   f"100/100 [==============================] - 141s 1s/step - loss: {lo:.4f} - val_loss: {va:.4f}",
                   "HEAD: Tropical Storm Ida moving slowly in Atlantic", "HEADS:", "2.46268892288208", "6.40857 ,"]
    p = tmp_path / "log_train.log"
    p.write_text("\n".join(blocks) + "\n")
    runs = fd.read_runs(str(p))
    assert len(runs) == 1 and runs[0].get("val_loss").values.tolist() == vals
    assert runs[0].get("loss").steps.tolist() == list(range(1, 11))
    assert any("10 fits of one epoch each" in n for n in runs[0].meta["notes"])
    assert fd.diagnose(runs[0]).findings  # a verdict, not "only one epoch of values"
    two = "\n".join(blocks[:2 + 14]) + "\n"  # two fits of one epoch: not a loop yet, left as they were
    p.write_text(two)
    with pytest.raises(fd.BadInput, match="only one epoch"):
        fd.diagnose(fd.read_runs(str(p))[0])


def test_callback_lines_are_ignored_and_learning_rate_kept():
    run = fd.read(CON / "keras3_v2_overfit_callbacks.log")
    assert len(run.series["val_loss"]) == 9  # EarlyStopping ended it
    assert run.series["lr"].raw_name == "learning_rate"
    assert any("callback" in n for n in run.meta["notes"])


def test_interrupted_mid_epoch_keeps_finished_epochs():
    run = fd.read(CON / "keras3_v1_interrupted_pty.log")
    assert len(run.series["loss"]) == 4 and set(run.series) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert any("5/12 did not finish" in n for n in run.meta["notes"])


@pytest.mark.parametrize("name", sorted(p.name for p in CON.glob("keras*.log")))
def test_fast_path_reads_exactly_what_the_line_parser_reads(name):
    text = (CON / name).read_text()
    fast = parse_console_text(text, source="x")
    slow = parse_console_text(text, source="x", fast=False)
    assert [r.meta for r in fast] == [r.meta for r in slow]
    for a, b in zip(fast, slow):
        assert list(a.series) == list(b.series)
        for k in a.series:
            np.testing.assert_array_equal(a.series[k].steps, b.series[k].steps)
            np.testing.assert_array_equal(a.series[k].values, b.series[k].values)


def test_custom_callback_prints_join_the_keras_epoch():
    lines = (CON / "keras3_v2_healthy.log").read_text().splitlines(True)
    mixed = []
    for line in lines:
        mixed.append(line)
        if line.startswith("Epoch "):
            ep = int(line.split()[1].split("/")[0])
            mixed.append(f"Epoch {ep - 1}: val_f1: {0.5 + ep / 100:.2f}\n")  # on_epoch_end's 0-based epoch
    for fast in (True, False):
        run = parse_console_text("".join(mixed), source="x", fast=fast)
        assert len(run) == 1 and _vals(run[0], "val_f1")[:2] == [0.51, 0.52]
        assert list(run[0].series["val_f1"].steps) == list(run[0].series["loss"].steps)


# ------------------------------------------------------------------ Keras 2 (tf.keras 2.15)

def test_keras2_spellings_verbose1_equals_verbose2():
    v2 = fd.read(CON / "keras2_v2_healthy_pipe.log")
    v1 = fd.read(CON / "keras2_v1_healthy_pty.log")
    assert v2.series["accuracy"].raw_name == "acc" and v2.series["val_accuracy"].raw_name == "val_acc"
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert _vals(v1, key) == _vals(v2, key)
    assert len(v2.series["loss"]) == 12


def test_forum_paste_with_prefixes_wrapping_and_callback_lines():
    text = (CON / "keras2_v2_healthy_pipe.log").read_text()
    ref = parse_console_text(text, source="x")[0]
    pasted = []
    for line in text.splitlines():
        if re.fullmatch(r"Epoch \d+/\d+", line):
            n = line.split()[1].split("/")[0]
            pasted.append(f"> {line}")
            pasted.append(f"Epoch {int(n):05d}: val_loss improved from 0.70000 to 0.60000, saving model to best.h5")
        elif " - loss:" in line:
            body = line[line.index("loss:"):]
            cut = body.index("val_loss:") + len("val_loss:")  # wrapped right after a key
            pasted += ["    " + body[:cut], "    " + body[cut:].lstrip()]
        # the progress/timing and TF chatter are gone, as when people trim a paste
    got = parse_console_text("\n".join(pasted) + "\n", source="paste")
    assert len(got) == 1
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert _vals(got[0], key) == _vals(ref, key)


# ------------------------------------------------------------------ other printers

def test_hf_trainer_dicts():
    run = fd.read(CON / "hf_trainer.log")
    assert run.meta["dialect"] == "hf"
    assert len(run.series["loss"]) == 9 and len(run.series["val_loss"]) == 3
    assert list(run.series["val_loss"].steps) == [1.0, 2.0, 3.0]
    assert run.series["lr"].raw_name == "learning_rate"
    assert "val_runtime" not in run.series and "runtime" not in run.series
    assert any("summary" in n for n in run.meta["notes"])


def test_lightning_tqdm_last_update_of_each_epoch_wins():
    run = fd.read(CON / "lightning_tqdm.log")
    assert list(run.series["val_loss"].steps) == [0, 1, 2, 3, 4, 5]
    assert run.series["loss"].raw_name == "train_loss_epoch"
    # the values printed when each epoch ended
    assert _vals(run, "val_loss")[:2] == [0.381, 0.194]
    assert _vals(run, "loss")[:2] == [0.570, 0.295]


def test_lightning_rich_bar_wrapped_in_a_pipe():
    run = fd.read(CON / "lightning_rich.log")
    assert set(run.series) == {"loss", "val_loss", "val_accuracy"}
    assert _vals(run, "val_accuracy") == [0.992]


@pytest.mark.parametrize("name", ["handloop_pipes.log", "handloop_kv.log", "handloop_colon.log"])
def test_hand_written_loops(name):
    run = fd.read(CON / name)
    assert len(run.series["loss"]) == 15 and list(run.series["loss"].steps[:2]) == [1, 2]
    assert _vals(run, "val_loss")[0] == pytest.approx(0.6318, abs=1e-4)
    assert _vals(run, "val_accuracy")[-1] == pytest.approx(0.93)


def test_extract_pairs_spellings():
    assert extract_pairs("train loss 0.41 | val loss 0.52 | val acc 0.81") == \
        {"train_loss": 0.41, "val_loss": 0.52, "val_acc": 0.81}
    assert extract_pairs("loss=0.5, val_loss=nan") == {"loss": 0.5, "val_loss": pytest.approx(np.nan, nan_ok=True)}
    assert extract_pairs("25/25 - 0s - 4ms/step - loss: 1.2e-05 - acc: -inf") == {"loss": 1.2e-05, "acc": -np.inf}


def test_pytorch_tutorial_lines_and_older_hf_dicts():
    text = "".join(f"Epoch [{e}/3], Step [{s}/600], Loss: {1 / (e * s):.4f}\n"
                   for e in (1, 2, 3) for s in (200, 400, 600))
    run = parse_console_text(text, source="x")[0]
    assert list(run.series["loss"].steps) == pytest.approx([1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2, 7 / 3, 8 / 3, 3])
    old_hf = ("{'loss': 0.6931, 'learning_rate': 4.5e-05, 'epoch': 0.5}\n"
              "{'loss': 0.61, 'learning_rate': 4e-05, 'epoch': 1.0}\n"
              "{'eval_loss': 0.65, 'eval_accuracy': 0.7, 'eval_runtime': 1.2, 'epoch': 1.0}\n"
              "{'train_runtime': 10.1, 'train_samples_per_second': 5.0, 'train_loss': 0.65, 'epoch': 1.0}\n")
    run = parse_console_text(old_hf, source="x")[0]
    assert _vals(run, "loss") == [0.6931, 0.61] and _vals(run, "val_accuracy") == [0.7]
    assert set(run.series) == {"loss", "lr", "val_loss", "val_accuracy"}


def test_bare_metric_lines_and_pathological_input():
    text = "".join(f"loss: {1 / e:.4f} - val_loss: {1.1 / e:.4f}\n" for e in range(1, 6))
    run = parse_console_text(text, source="x")[0]
    assert list(run.series["val_loss"].steps) == [1, 2, 3, 4, 5]
    words = " ".join(["accuracy loss word"] * 30000)  # one 500 kB line of words, no numbers
    start = time.perf_counter()
    assert parse_console_text(words + "\nEpoch 1 loss 0.5\n", source="x")[0].series["loss"].values[0] == 0.5
    assert time.perf_counter() - start < 5


def test_step_lines_are_on_the_step_axis():
    text = "".join(f"step {s} loss {1 / (s + 1):.4f} lr 1e-3\n" for s in range(0, 500, 50))
    run = parse_console_text(text, source="x")[0]
    assert run.series["loss"].axis == "step" and run.series["loss"].steps[-1] == 450


# ------------------------------------------------------------------ truncation, sniffing, stdin

def test_truncated_last_line_is_dropped_with_a_note(tmp_path):
    text = (CON / "keras3_v2_healthy.log").read_text()
    cut = text.rindex("val_loss: ") + len("val_loss: 0.1")  # half a number on the last line
    p = tmp_path / "growing.log"
    p.write_text(text[:cut])
    run = fd.read(p)
    assert len(run.series["loss"]) == 11
    assert any("incomplete" in n for n in run.meta["notes"])


def test_a_whole_last_record_without_a_final_newline_is_read(tmp_path):
    """Many scripts write the last line with no "\n": a record shaped like the one before it is
    whole; half a number (fewer decimals than every record above) is still cut."""
    lines = [f"[{e}/100] Train Loss: {30 / e:.4f}, Valid Loss: {33 / e + 0.5:.4f}, Valid PCC: {0.03 * e:.4f}"
             for e in range(1, 11)]
    p = tmp_path / "train_log.txt"
    p.write_text("\n".join(lines))
    run = fd.read(p)
    assert run.meta["format"] == "console"
    assert len(run.series["val_loss"]) == 10 and run.series["val_loss"].values[-1] == 3.8
    assert not any("incomplete" in n for n in run.meta.get("notes", []))
    p.write_text("\n".join(lines)[:-3])  # "Valid PCC: 0.3" of "0.3000"
    cut = fd.read(p)
    assert len(cut.series["val_loss"]) == 9
    assert any("incomplete" in n for n in cut.meta["notes"])
    # a Keras epoch line under its "Epoch 10/10" header: shaped like the epoch line two lines up
    # (the header just above it has another shape); it was dropped as cut
    keras = "\n".join(f"Epoch {e}/10\n2443/2443 [==============================] - 75s 31ms/step - loss: {1 / e:.4f} "
                      f"- val_loss: {1.1 / e:.4f}" for e in range(1, 11))
    p.write_text(keras)
    assert len(fd.read(p).series["val_loss"]) == 10
    p.write_text(keras[:-2])
    assert len(fd.read(p).series["val_loss"]) == 9
    # cut inside an exponent: "lr=4.88e-0" of "4.88e-06" has the decimals but not the shape
    p.write_text("\n".join(f"Epoch {e}: loss={1 / e:.4f} val_loss={1.2 / e:.4f} lr={1e-3 / 2 ** e:.2e}"
                           for e in range(1, 12))[:-1])
    assert len(fd.read(p).series["lr"]) == 10


def test_an_abbreviated_epoch_word_is_read(tmp_path):
    """ "Ep  3 | loss=... | acc=..." lines, as a hand loop prints them."""
    p = tmp_path / "log.txt"
    p.write_text("=== Training ===\n" + "\n".join(
        f"Ep {e:2d} | loss={2.9 - 0.05 * e:.4f} | acc={0.1 + 0.015 * e:.4f} | lr=0.003333 | 6s" for e in range(1, 21)) + "\n")
    run = fd.read(p)
    assert list(run.series["loss"].steps[:3]) == [1.0, 2.0, 3.0] and len(run.series["accuracy"]) == 20


def test_an_unnamed_summary_after_each_epochs_progress_lines_is_that_epochs_validation(tmp_path):
    """HRNet-style segmentation output: "Epoch: [e/N] Iter:[i/M] ... Loss: ..." lines, then a
    "Loss: ..., MeanIU: ..." line with no epoch. It is the evaluation closing the epoch; it
    started a new run of its own, one run per epoch."""
    lines = []
    for e in range(1, 13):
        for i in range(0, 100, 20):
            lines.append(f"Epoch: [{e}/120] Iter:[{i}/100], Time: 0.33, lr: [0.01], Loss: {1.6 - 0.03 * e - 0.001 * i:.6f}, "
                         f"Acc:{0.7 + 0.01 * e:.6f}")
        lines.append("=> saving checkpoint to output/checkpoint.pth.tar")
        lines.append(f"Loss: {1.1 - 0.02 * e:.3f}, MeanIU:  {0.45 + 0.01 * e:.4f}, Best_mIoU:  {0.45 + 0.01 * e:.4f}")
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(p)
    assert len(runs) == 1
    run = runs[0]
    assert list(run.series["val_loss"].steps[:3]) == [1.0, 2.0, 3.0]
    assert run.series["val_loss"].values[0] == 1.08 and len(run.series["loss"]) == 60
    assert any("validation" in n for n in run.meta["notes"])


def test_a_utf16_log_as_windows_powershell_redirects_it_is_read(tmp_path):
    """``python train.py > log.txt`` in Windows PowerShell writes UTF-16LE with a BOM: every
    ASCII character carries a NUL byte, and the file was refused as binary."""
    text = (CON / "keras3_v2_healthy.log").read_text()
    p = tmp_path / "log.txt"
    p.write_bytes(text.encode("utf-16"))
    run = fd.read(p)
    assert run.meta["format"] == "console"
    assert len(run.series["val_loss"]) == len(fd.read(CON / "keras3_v2_healthy.log").series["val_loss"])
    csv = tmp_path / "training_log.csv"
    csv.write_bytes(("epoch,loss,val_loss\n" + "".join(f"{e},{1 / (e + 1):.4f},{1.1 / (e + 1):.4f}\n"
                                                      for e in range(8))).encode("utf-16"))
    assert len(fd.read(csv).series["val_loss"]) == 8


def test_an_average_line_after_an_epochs_progress_lines_is_its_train_summary_not_its_validation(tmp_path):
    """ "Average loss: 1.70" then "Validation loss: 1.50" after each epoch's progress lines: the
    first is the epoch's train summary, the second its validation (found in review: the
    unnamed-summary rule took the average for the validation and pushed the real one aside)."""
    lines = []
    for e in range(1, 11):
        for i in (100, 200, 290):
            lines.append(f"Epoch {e} [{i}/300] loss: {1.8 / e - i / 30000:.4f}")
        lines += [f"Average loss: {1.8 / e - 0.005:.4f}", f"Validation loss: {1.0 + abs(e - 5) * 0.1:.4f}"]
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(p)
    assert len(runs) == 1
    val = runs[0].series["val_loss"]
    assert list(val.steps) == [float(e) for e in range(1, 11)] and val.values[4] == 1.0
    assert "val_loss#2" not in runs[0].series
    assert fd.diagnose(runs[0]).top.code == "overfitting"


def test_sniffing_tells_console_from_tables_and_json(tmp_path):
    readers = load_readers()
    for f in CON.glob("*.log"):
        cls, score = best_reader(f, readers, directory=False)
        assert cls is ConsoleReader, f.name
    (tmp_path / "training.log").write_text("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,0.69,0.5,0.7\n")
    (tmp_path / "h.json").write_text(json.dumps({"loss": [0.7, 0.6], "val_loss": [0.8, 0.7]}))
    (tmp_path / "r.jsonl").write_text('{"epoch": 1, "loss": 0.7}\n{"epoch": 2, "loss": 0.6}\n')
    for f in tmp_path.iterdir():
        cls, _ = best_reader(f, readers, directory=False)
        assert cls is not ConsoleReader, f.name
        assert ConsoleReader.sniff(f, f.read_bytes()) == 0.0
    assert sniff_text("hello world\nnothing to see\n") == 0.0


def test_nothing_found_is_bad_input(tmp_path):
    p = tmp_path / "x.log"
    p.write_text("Downloading data...\nDone.\n")
    with pytest.raises(BadInput, match="no training output"):
        ConsoleReader().read(p)
    p.write_bytes(b"\x00\x01\x02loss")
    with pytest.raises(BadInput, match="binary"):
        ConsoleReader().read(p)


def test_cli_reads_standard_input():
    data = (CON / "keras3_v1_chance_pty.log").read_bytes()
    proc = subprocess.run([sys.executable, "-c", "from fitdoctor.cli import main; main()",
                           "diagnose", "-", "--json"], input=data, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert out["run"] == "<stdin>" and out["findings"]
    empty = subprocess.run([sys.executable, "-c", "from fitdoctor.cli import main; main()",
                            "diagnose", "-"], input=b"", capture_output=True, timeout=120)
    assert empty.returncode == 2 and b"Traceback" not in empty.stderr


# ------------------------------------------------------------------ fuzz

_ALPHABET = st.sampled_from(list("Epoch 0123456789/:=|-.,{}'[]\r\n\b\x1b%lossaccval_e+naif\t "))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_ALPHABET, max_size=400))
def test_fuzz_random_text_never_crashes(text):
    for run in parse_console_text(text, source="fuzz"):
        for s in run.series.values():
            assert len(s.steps) == len(s.values)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(p.name for p in CON.glob("*.log"))), st.floats(0, 1))
def test_fuzz_truncations_read_or_raise_bad_input(tmp_path_factory, name, frac):
    data = (CON / name).read_bytes()
    p = tmp_path_factory.mktemp("cut") / name
    p.write_bytes(data[: int(len(data) * frac)])
    try:
        runs = ConsoleReader().read(p)
    except BadInput:
        return
    assert all(r.series for r in runs)


def _printed(tmp_path: Path, lines: list[str], name: str = "train.log") -> Path:
    """What a script printed, saved to a file as its log."""
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def _read_printed(tmp_path: Path, lines: list[str], name: str = "train.log"):
    """What a script printed, saved to a file and read the way a user's log is (detection included)."""
    return fd.read(_printed(tmp_path, lines, name))


def test_fastai_progress_table_is_read_with_its_metrics_on_validation(tmp_path):
    """fastai's fit_one_cycle prints an aligned table; its bare metric columns are validation
    metrics, epochs count from 0, and the time column is not a curve."""
    rows = ["epoch     train_loss  valid_loss  accuracy  error_rate  time    "]
    for e in range(6):
        rows.append(f"{e:<9} {0.9 - 0.1 * e:<11.6f} {0.8 - 0.08 * e:<11.6f} {0.6 + 0.05 * e:<9.6f} "
                    f"{0.4 - 0.05 * e:<11.6f} 00:0{e}   ")
    h = _read_printed(tmp_path, rows, "fastai.txt")
    assert sorted(h.series) == ["loss", "val_accuracy", "val_error_rate", "val_loss"]
    assert list(h.series["loss"].steps) == [0, 1, 2, 3, 4, 5]
    assert h.series["val_accuracy"].values[-1] == pytest.approx(0.85)


def test_a_hand_printed_table_under_a_rule_with_percent_cells_and_best_marks_is_read(tmp_path):
    """A script's own aligned table: 'Ep' for the epoch column, 'Acc%' with '50.20%' cells, a
    rule under the header and a star after the rows that set a new best. It was 'unknown log
    format' (the table reader wanted the word epoch and plain cells)."""
    rows = ["Warmup     : 200 epochs (no attack)", "=" * 60,
            "    Ep    Loss  L_bit    Acc%      \u03b1", "=" * 60]
    for e in range(1, 9):
        rows.append(f"{e * 5:6d}  {0.7 / e:.4f} {0.69 / e:.4f}  {50 + 5 * e:.2f}% 0.{4900 + e}" + (" \u2605" if e % 2 else ""))
    rows += ["=" * 60, "done. best bit accuracy : 90.00%"]
    h = _read_printed(tmp_path, rows, "train.log")
    assert {"loss", "accuracy", "l_bit"} <= set(h.series)
    assert list(h.series["loss"].steps) == [5, 10, 15, 20, 25, 30, 35, 40]
    assert h.series["accuracy"].values[-1] == pytest.approx(0.90)  # percent, read as a fraction


def test_a_table_whose_column_names_are_two_words_is_read_by_its_columns(tmp_path):
    """'Epoch    Train Loss   Train Acc    Test Loss    Test Acc     Time' over rows ending in a
    unit ('0.55    s'): the names are cut where two spaces separate them. Read word by word
    the header had 9 names for 6 cells, and the log was read as one epoch."""
    rows = ["Epoch    Train Loss   Train Acc    Test Loss    Test Acc     Time    ", "-" * 70]
    for e in (1, 10, 20, 30, 40, 50, 60, 70):
        rows.append(f"{e:<9d}{2.0 - e / 100:<13.4f}{0.2 + e / 200:<13.4f}{2.1 - e / 120:<13.4f}"
                    f"{0.2 + e / 250:<13.4f}{0.4:<8.2f}s")
    h = _read_printed(tmp_path, rows, "training_output.log")
    assert list(h.series["loss"].steps) == [1, 10, 20, 30, 40, 50, 60, 70]
    assert h.series["val_loss"].values[-1] == pytest.approx(2.1 - 70 / 120, abs=1e-4)
    assert h.series["val_accuracy"].values[0] == pytest.approx(0.204, abs=1e-4)
    assert "time" not in h.series


def test_an_epoch_header_drawn_with_box_characters_owns_the_lines_under_it(tmp_path):
    """'── Epoch 3/20 ──' is a header as '=== Epoch 3/20 ===' is: before, each record line
    under it was an epoch of its own (20 epochs read as 40)."""
    rows = []
    for e in range(1, 9):
        rows += [f"\u2500\u2500 Epoch {e}/8 \u2500\u2500", f"  Batch    0/13 | loss: {0.8 / e:.4f} | lr: 1.00e-04",
                 f"  Train loss: {0.7 / e:.4f}  |  Val loss: {0.72 / e + 0.01:.4f}", "  \u2605 Saved new best model!", ""]
    h = _read_printed(tmp_path, rows, "training_output.log")
    assert list(h.series["val_loss"].steps) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert list(h.series["loss"].steps) == [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("header", ["Epoch {e}/6", "\u2500\u2500 Epoch {e}/6 \u2500\u2500", "=== Epoch {e} ==="])
def test_batch_lines_under_an_epoch_header_are_points_inside_it_and_the_summary_is_the_epoch(tmp_path, header):
    """'  Batch 5/13 | loss: 0.71' under a header lands inside that epoch, as 'Epoch 1, Batch
    5/13' on one line does; the epoch's own 'Train loss:' line is then its loss, not the last
    batch's value with the summary set aside as a second loss."""
    rows = []
    for e in range(1, 7):
        rows.append(header.format(e=e))
        rows += [f"  Batch {b:4d}/13 | loss: {0.95 - 0.1 * e - 0.001 * b:.4f} | lr: 1.00e-04" for b in (0, 5, 10)]
        rows += [f"  Train loss: {0.5 - 0.05 * e:.4f}  |  Val loss: {0.72 - 0.09 * e:.4f}", ""]
    h = _read_printed(tmp_path, rows, "train.log")
    assert list(h.series["loss"].steps) == [1, 2, 3, 4, 5, 6]
    assert h.series["loss"].values[0] == pytest.approx(0.45)
    assert list(h.series["val_loss"].steps) == [1, 2, 3, 4, 5, 6]
    inside = [s for k, s in h.series.items() if k.startswith("loss#")]
    assert inside and inside[0].steps[0] < 1 and len(inside[0]) == 18


def test_a_step_record_is_no_table_header(tmp_path):
    """'  step 00020: loss=0.7674' names a loss after a step word, like a header would: it is a
    record, and every one of them stays."""
    rows = []
    for ep in (1, 2):
        rows.append(f"Epoch {ep}/2 (device=cuda)")
        rows += [f"  step {20 * i:05d}: loss={1.0 / (i + 5 * ep):.4f}" for i in range(1, 6)]
        rows.append(f"Epoch {ep} done: val_loss={0.9 / ep:.4f}")
    path = tmp_path / "train.log"
    path.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(str(path))
    assert sum(len(r.series["loss"]) for r in runs) == 10


def test_a_library_s_glog_lines_before_the_run_are_not_the_run(tmp_path):
    """torch._dynamo logs a warning, traceback and all, each line with a glog prefix on a
    site-packages file: a library's log, not the script's. Behind it, modded-nanoGPT's
    'step:1000/20000 val_loss:...' lines; the file was 'unknown log format'."""
    w = "W0530 14:48:26.433000 2622492 site-packages/torch/_dynamo/convert_frame.py:1233] "
    rows = ["nohup: ignoring input"]
    rows += [w + "WON'T CONVERT forward model.py line 228", w + "Traceback (most recent call last):"]
    rows += [w + f'  File "/env/lib/python3.11/site-packages/torch/_dynamo/x.py", line {i}, in f' for i in range(300)]
    for step in range(0, 3001, 50):
        if step % 1000 == 0:
            rows.append(f"step:{step}/20000 val_loss:{10.8 * 0.3 ** (step / 1000):.4e} train_time:{step}ms step_avg:4.4ms")
        if step:
            rows.append(f"step:{step}/20000 train_loss:{9.0 * 0.4 ** (step / 1000):.6e} train_time:{step}ms")
    run = _read_printed(tmp_path, rows)
    assert len(run.series["val_loss"]) == 4 and len(run.series["loss"]) == 60


def test_a_line_that_names_its_split_first_gives_validation_keys(tmp_path):
    """PyTorch Ignite's examples: 'Validation Results - Epoch[3] Avg accuracy: 0.81 Avg loss: 0.52'."""
    lines = []
    for e in range(1, 7):
        lines.append(f"Training Results - Epoch[{e}] Avg accuracy: {0.6 + 0.05 * e:.2f} Avg loss: {0.9 - 0.1 * e:.2f}")
        lines.append(f"Validation Results - Epoch[{e}] Avg accuracy: {0.58 + 0.05 * e:.2f} Avg loss: {0.95 - 0.1 * e:.2f}")
    h = _read_printed(tmp_path, lines, "ignite.log")
    assert sorted(h.series) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert h.series["val_loss"].values[0] == pytest.approx(0.85)


def test_pytorch_mnist_example_output_is_one_run_with_train_and_test_curves(tmp_path):
    """The loop most people start from: 'Train Epoch: 3 [640/60000 (1%)]  Loss: 0.41' every few
    batches, then 'Test set: Average loss: 0.05, Accuracy: 9839/10000 (98%)' closing each epoch."""
    lines = []
    for e in range(1, 6):
        for b in range(0, 60000, 12000):
            lines.append(f"Train Epoch: {e} [{b}/60000 ({100 * b / 60000:.0f}%)]\tLoss: {2.3 / (e + b / 60000):.6f}")
        lines.append("")
        lines.append(f"Test set: Average loss: {0.3 / e:.4f}, Accuracy: {9000 + 150 * e}/10000 ({90 + 1.5 * e:.0f}%)")
        lines.append("")
    h = _read_printed(tmp_path, lines, "mnist.log")
    assert sorted(h.series) == ["loss", "val_accuracy", "val_loss"]
    assert len(h.series["loss"]) == 25 and h.series["loss"].steps[1] == pytest.approx(0.2)
    assert list(h.series["val_loss"].steps) == [1, 2, 3, 4, 5]
    assert h.series["val_accuracy"].values[0] == pytest.approx(0.915)


def test_decorated_validation_and_test_lines_close_each_epoch_of_one_run(tmp_path):
    """The MNIST example grown a validation split: '====> Epoch 3 Average train loss: 1.54',
    '====> Validation loss: 1.40,  acc: 48.34%', then '====> Test set loss: 1.42,  acc: 48.42%'.
    The arrows before the split word still name the split, so each line closes its epoch (it
    was read as 2000 one-epoch runs), and the test line's 'acc' never overwrites val's."""
    lines = ["Running on: cuda", ">>> Training baseline ResNet"]
    for e in range(1, 13):
        for b in range(0, 45000, 12800):
            lines.append(f"Train Epoch: {e} [{b}/45000 ({100 * b // 45000}%)]\tLoss: {2.3 / (e + b / 45000):.6f}")
        lines.append(f"====> Epoch {e} Average train loss: {2.0 / e:.4f}")
        lines.append(f"====> Validation loss: {1.9 / e ** 0.5:.4f},  acc: {20 + 5 * e:.2f}%")
        lines.append(f"====> Test set loss: {1.95 / e ** 0.5:.4f},  acc: {21 + 5 * e:.2f}%")
        lines.append("====> New best model saved to best_base.pth")
        lines.append("")
    h = _read_printed(tmp_path, lines, "train_log.md")
    assert list(h.series["val_loss"].steps) == list(range(1, 13))
    assert h.series["val_loss"].values[0] == pytest.approx(1.9)
    assert h.series["val_accuracy"].values[0] == pytest.approx(0.25)
    assert h.series["test_accuracy"].values[0] == pytest.approx(0.26)
    assert h.series["test_loss"].values[0] == pytest.approx(1.95)  # 'Test set loss': no 'set' metric
    # the epoch's own average is the train curve beside val; the batch lines are kept, second
    assert list(h.series["loss"].steps) == list(range(1, 13)) and len(h.series["loss#2"]) == 48
    assert any("once per epoch" in n for n in h.meta["notes"])


def test_a_validation_line_under_a_logging_prefix_is_that_steps_evaluation(tmp_path):
    """'2019-12-10 17:02:41,167 INFO     Validation: Loc Loss: 0.41,Cls Loss: 0.67,Tot Loss: 0.54'
    after 'Train step:10000/617600,...' lines: the split word after the logger's prefix names the
    line (it was a one-value printout that cut the run in 60), and 'Tot Loss' is the loss."""
    lines = []
    for v in range(1, 9):
        for s in range(100, 1001, 100):
            step = (v - 1) * 1000 + s
            lines.append(f"2019-12-10 16:55:38,486 INFO     Train step:{step}/8000,Loc Loss: {0.4 / v:.4f},"
                         f"Cls Loss: 0.6931,Tot Loss: {0.55 / v ** 0.5:.4f}")
        lines.append(f"2019-12-10 17:02:41,167 INFO     Validation: Loc Loss: {0.41 / v:.4f},Cls Loss: 0.6932,"
                     f"Tot Loss: {0.56 / v ** 0.5:.4f}")
    h = _read_printed(tmp_path, lines, "train.log")
    assert len(h.series["loss"]) == 80 and list(h.series["val_loss"].steps) == [1000.0 * v for v in range(1, 9)]
    assert h.series["val_loss"].values[0] == pytest.approx(0.56)


def test_an_epoch_line_naming_its_split_after_the_epoch_gives_that_splits_metric(tmp_path):
    """'[INFO] 2021-12-25 21:44:38,457 : Epoch:  1 Dev Bleu Score: BLEU = 0.01 14.9/1.0 (BP = 0.044 ...)':
    the dev split's BLEU (the split word comes after the logger's prefix and the epoch)."""
    lines = []
    for e in range(1, 13):
        lines.append(f"[INFO] 2021-12-25 21:43:42,093 : Epoch: {e:2d}, loss: {8.8 / e ** 0.5:.3f}")
        lines.append(f"[INFO] 2021-12-25 21:44:38,457 : Epoch: {e:2d} Dev Bleu Score: BLEU = {min(e, 8) * 1.1:.2f} "
                     f"14.9/1.0/0.0/0.0 (BP = 0.044 ratio = 0.242 hyp_len = 137316 ref_len = 567172)")
    h = _read_printed(tmp_path, lines, "train.log")
    assert h.series["val_bleu"].raw_name == "dev_BLEU" and len(h.series["val_bleu"]) == 12
    assert "bleu" not in h.series  # not a train metric


def test_a_trainers_own_progress_bar_with_a_train_and_val_loss_is_found_and_read_on_its_steps(tmp_path):
    """A C++ trainer's bar, its command line above: 'Training [===   ] 8.5% 5000/58874 | 4.62 it/s |
    ETA: 11664.8 s | loss=3.910492 | validation_loss=3.908841'. No epoch or step word: the loss
    pair says it is training output, the bar's count is the step (it was refused as unknown)."""
    lines = ["./build/cgpt_train \\", "  --epochs 1 \\", "  --learning-rate 3e-4 \\", "  --validation-interval 5000",
             "Tokenizing [========================================] 100.0% 9843688080/9843688080 | 414.98 MiB/s"]
    for i, step in enumerate(range(5000, 60001, 5000)):
        bar = "=" * (i + 1) + " " * (12 - i)
        lines.append(f"Training [{bar}] {100 * step / 60000:.1f}% {step}/60000 | 4.62 it/s | ETA: 838.4 s | "
                     f"loss={3.9 - 0.05 * i:.6f} | validation_loss={3.91 - 0.05 * i:.6f}")
        lines.append(f'Saved validation checkpoint at step {step} to "output/checkpoints/step-{step}"')
    h = _read_printed(tmp_path, lines, "training_output.txt")
    assert h.series["val_loss"].axis == "step" and list(h.series["val_loss"].steps) == list(range(5000, 60001, 5000))
    assert h.series["loss"].values[0] == pytest.approx(3.9)


def test_an_evaluation_every_few_global_batches_is_one_curve_across_epochs(tmp_path):
    """'Epoch 1, Global Batch 5, Training Loss: 33.18, Validation Loss: 11.87' every 5 batches, and
    'Epoch 1 completed. Average Training Loss: 4.68' at each epoch's end: one run on the global
    batch (the epoch alone folded each epoch's 450 evaluations into one point, and each summary
    cut the run)."""
    lines, batch = [], 0
    for e in range(1, 4):
        for _ in range(20):
            batch += 5
            lines.append(f"2024-11-05 23:17:05,224 - INFO - Epoch {e}, Global Batch {batch}, Training Loss: "
                         f"{10 / (1 + batch / 50):.4f}, Validation Loss: {0.4 + 3 / (1 + batch / 20):.4f}, "
                         "Validation Accuracy: 0.0000")
            lines.append("2024-11-05 23:19:45,845 - INFO - Checkpoint saved to checkpoints/checkpoint.pth")
        lines.append(f"2024-11-06 20:47:14,927 - INFO - Epoch {e} completed. Average Training Loss: {4.0 / e:.4f}")
    h = _read_printed(tmp_path, lines, "training.log")  # one run (fd.read refuses a file of several)
    assert h.series["val_loss"].axis == "step" and len(h.series["val_loss"]) == 60
    assert h.series["loss"].values[-1] == pytest.approx(10 / (1 + 300 / 50), abs=1e-4)  # a step's, not an average
    assert any("summary line between the step lines" in n for n in h.meta["notes"])


def test_build_nanogpt_log_txt_is_read_as_step_losses(tmp_path):
    """Karpathy's build-nanogpt writes '250 val 5.8727', '251 train 5.861345' and '250 hella
    0.2893' to log.txt: the train loss each step, val every 250 (the benchmark score is left
    out). It was refused as an unknown format."""
    lines = []
    for step in range(0, 1001):
        if step % 250 == 0:
            lines.append(f"{step} val {11.0 - 6.5 * (1 - np.exp(-step / 300)):.4f}")
            lines.append(f"{step} hella {0.25 + step / 40000:.4f}")
        lines.append(f"{step} train {11.03 - 6.5 * (1 - np.exp(-step / 280)):.6f}")
    h = _read_printed(tmp_path, lines, "log.txt")
    assert sorted(h.series) == ["loss", "val_loss"] and h.series["loss"].axis == "step"
    assert len(h.series["loss"]) == 1001 and list(h.series["val_loss"].steps) == [0, 250, 500, 750, 1000]


def test_pointnet_log_train_is_one_run_with_epoch_means_and_its_evaluation(tmp_path):
    """charlesq34/pointnet's log_train.txt: '**** EPOCH 003 ****', then 'mean loss:'/'accuracy:'
    per group of batches and 'eval mean loss:'/'eval accuracy:'. It was refused; read with
    --format console it was one run per epoch, with no val loss."""
    lines = ["Namespace(batch_size=32, learning_rate=0.001, max_epoch=250, model='pointnet_cls')"]
    for e in range(12):
        lines.append(f"**** EPOCH {e:03d} ****")
        for g in range(4):
            lines += [f"----{g}-----", f"mean loss: {1.0 / (e + 1) + 0.01 * g:.6f}", f"accuracy: {0.5 + 0.03 * e:.6f}"]
        lines += ["----0-----", "----1-----", f"eval mean loss: {0.9 / (e + 1) ** 0.5:.6f}",
                  f"eval accuracy: {0.55 + 0.02 * e:.6f}", f"eval avg class acc: {0.5 + 0.02 * e:.6f}"]
        if e % 10 == 0:
            lines.append("Model saved in file: log/model.ckpt")
    h = _read_printed(tmp_path, lines, "log_train.txt")
    assert list(h.series["val_loss"].steps) == list(range(12)) and h.series["val_loss"].values[0] == pytest.approx(0.9)
    assert h.series["loss"].values[0] == pytest.approx(1.015)  # the mean of the epoch's four groups
    assert h.series["val_accuracy"].values[1] == pytest.approx(0.57)


def test_frustum_pointnet_log_reads_its_numbered_groups_and_named_metrics_into_one_run(tmp_path):
    """Frustum PointNet's log_train.txt numbers its groups of batches " -- 010 / 2297 --", logs
    "segmentation accuracy:" and "box IoU (ground/3D): a / b" beside "mean loss:", and opens its
    evaluation with "---- EPOCH 000 EVALUATION ----". Each epoch had been a run of its own (62
    runs of step lines), with an "iou" of 0.7 read off "(IoU=0.7)"."""
    lines = ["Namespace(batch_size=32, learning_rate=0.001, max_epoch=201, model='frustum_pointnets_v1')", "pid: 9131"]
    for e in range(8):
        lines += [f"**** EPOCH {e:03d} ****", "2018-11-30 00:30:00.504209"]
        for g in range(1, 4):
            lines += [f" -- {10 * g:03d} / 2297 --", f"mean loss: {10.0 / (e + 1) + g:.6f}",
                      f"segmentation accuracy: {0.5 + 0.04 * e:.6f}",
                      f"box IoU (ground/3D): {0.3 + 0.02 * e:.6f} / {0.25 + 0.02 * e:.6f}",
                      f"box estimation accuracy (IoU=0.7): {0.1 + 0.05 * e:.6f}"]
        lines += [f"---- EPOCH {e:03d} EVALUATION ----", f"eval mean loss: {9.0 / (e + 1) ** 0.5:.6f}",
                  f"eval segmentation accuracy: {0.6 + 0.03 * e:.6f}",
                  f"eval box IoU (ground/3D): {0.5 + 0.02 * e:.6f} / {0.45 + 0.02 * e:.6f}",
                  f"eval box estimation accuracy (IoU=0.7): {0.3 + 0.04 * e:.6f}", "Model saved in file: train/model.ckpt"]
    path = tmp_path / "log_train.txt"
    path.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(path)
    assert len(runs) == 1
    h = runs[0]
    assert list(h.series["loss"].steps) == list(range(8)) and h.series["loss"].values[0] == pytest.approx(12.0)
    assert h.series["val_loss"].values[0] == pytest.approx(9.0) and h.series["box_iou"].values[0] == pytest.approx(0.3)
    assert h.series["val_box_estimation_accuracy"].values[1] == pytest.approx(0.34)
    assert "iou" not in h.series


def test_an_iso_timestamp_after_a_log_level_is_no_value(tmp_path):
    """dennybritz's cnn-text-classification prints "2017-07-16T23:00:40.522165: step 10, loss
    0.12, acc 0.95"; behind Python logging's "INFO: " the year had become a curve named info."""
    lines = []
    for step in range(1, 41):
        lines.append(f"2017-07-16 23:00:{step % 60:02d},505: INFO: 2017-07-16T23:00:{step % 60:02d}.522165: "
                     f"step {step}, loss {1.0 / step:g}, acc {0.5 + step / 100:g}")
    h = _read_printed(tmp_path, lines)
    assert "info" not in h.series and "loss" in h.series and len(h.series["loss"]) == 40


def test_a_table_grouped_under_valid_and_train_reads_each_loss_under_its_split(tmp_path):
    """'|--- VALID ---|--- TRAIN ---|' above 'lr iter epoch | loss top-1 top-2 | loss top-1 top-2 |
    Current Best | time |': the same column names, one group val, the other train."""
    lines = ["** start training here! **",
             "                           |------------ VALID -------------|----------- TRAIN -------------|"
             "------Accuracy------|------------|",
             "lr       iter     epoch    | loss   top-1  top-2            | loss   top-1  top-2           |"
             "    Current Best    | time       |",
             "-" * 127]
    for e in range(15):
        lines.append(f"0.0001   {e}.0    {e}.0        | {0.52 / (1 + e / 5):.3f}  {80 + e:.3f}  96.347          | "
                     f"{0.65 / (1 + e / 4):.3f}  {66 + e:.3f}  95.480         |         {80 + e:.6f}         |  0 hr {e:02d} min")
    h = _read_printed(tmp_path, lines, "log_train.txt")
    assert h.series["val_loss"].values[0] == pytest.approx(0.52) and h.series["loss"].values[0] == pytest.approx(0.65)
    assert h.series["val_accuracy"].values[0] == pytest.approx(0.80)  # top-1, in percent
    assert len(h.series["val_loss"]) == 15 and "time" not in h.series


def test_records_that_name_their_split_between_bars_are_no_grouped_table(tmp_path):
    """DeepSpeech's 'Epoch 3 |   Training | Elapsed Time: 0:45:13 | Steps: 3533 | Loss: 5.8' and
    'Epoch 3 | Validation | ... | Loss: 12.4': a split word between bars looked like a grouped
    table's group row, the next record like its column names, and every epoch was lost (the log
    read nothing, or only what came after the training). A group row holds no numbers."""
    lines = []
    for e in range(12):
        lines += [f"Epoch {e} |   Training | Elapsed Time: 0:45:13 | Steps: 3533 | Loss: {6.2 - 0.13 * e:.6f}",
                  f"Epoch {e} | Validation | Elapsed Time: 0:00:10 | Steps: 31 | Loss: {12.4 - 0.01 * e:.6f}",
                  "-" * 80]
    h = _read_printed(tmp_path, lines, "training.txt")
    assert list(h.series["loss"].steps) == list(range(12)) and h.series["loss"].values[0] == pytest.approx(6.2)
    assert h.series["val_loss"].values[-1] == pytest.approx(12.4 - 0.11)


def test_a_pointnet_fork_marking_epochs_with_dashes_is_read(tmp_path):
    """'-----3------' then 'train_mean loss:', 'train_accuracy:', 'test_mean loss:', 'test_accuracy:'
    (a PointNet fork's log_train.txt; refused before): the dashes open the epoch, test is its
    evaluation."""
    lines = []
    for e in range(10):
        lines += [f"-----{e}------", f"train_mean loss: {2.5 / (1 + e / 3):.6f}", f"train_accuracy: {0.33 + 0.05 * e:.6f}",
                  f"test_mean loss: {3.6 / (1 + e / 2):.6f}", f"test_accuracy: {0.04 + 0.08 * e:.6f}"]
    h = _read_printed(tmp_path, lines, "log_train.txt")
    assert list(h.series["val_loss"].steps) == list(range(10)) and h.series["val_loss"].values[0] == pytest.approx(3.6)
    assert h.series["loss"].values[0] == pytest.approx(2.5)


def test_a_train_epoch_header_with_its_loss_on_the_next_line_is_found(tmp_path):
    """'Train Epoch: 1/70 ...' and '    total_loss: 24.7161 time: 15m 1s' under it, below a
    script's startup messages: refused as an unknown format before."""
    lines = ["Script started on Tue Feb  4 19:51:33 2020", "multi_gpus True", "defining casia dataloader..."]
    for e in range(1, 13):
        lines += [f"Train Epoch: {e}/70 ...", f"    total_loss: {24.7 / e ** 0.4:.4f} time: 15m 1s"]
    h = _read_printed(tmp_path, lines, "log_train.txt")
    assert list(h.series["loss"].steps) == list(range(1, 13))


def test_a_record_continued_on_the_next_line_stays_one_record(tmp_path):
    """EasyOCR's trainer: '[20000/300000] Train loss: 0.30092, Valid loss: 1.49355, ...' then
    'Current_accuracy : 60.039, Current_norm_ED  : 0.8185' under it. The second line carries on
    the record above; it cut the run in two at every record, leaving runs of one value."""
    lines = []
    for i in range(1, 11):
        lines += [f"[{20000 * i}/300000] Train loss: {0.3 / i:.5f}, Valid loss: {1.49 + 0.02 * i:.5f}, "
                  f"Elapsed_time: {1935.9 * i:.5f}",
                  f"Current_accuracy : {60 + 0.1 * i:.3f}, Current_norm_ED  : 0.8185",
                  f"Best_accuracy    : {60 + 0.1 * i:.3f}, Best_norm_ED     : 0.8201",
                  "-" * 80, "TROY                      | TROY                      | 0.4822\tTrue", "-" * 80]
    h = _read_printed(tmp_path, lines, "log_train.txt")
    assert len(h.series["val_loss"]) == 10 and len(h.series["loss"]) == 10


def test_a_record_continued_after_a_line_of_words_stays_one_record(tmp_path):
    """A peptide regressor prints ' Epoch:3,Loss:0.551961', then 'work', then 'MSE_loss =
    0.677036' each epoch. The word alone between them parted the epoch from its MSE line, which
    then read as a one-value printout (245 of 700 dropped, a whole second run's). A line that
    holds a number between them still parts them."""
    lines = []
    for e in range(12):
        lines += [f" Epoch:{e},Loss:{3.9 / (e + 1):.6f}", "work", f"MSE_loss = {0.6 + 0.01 * e:.6f}",
                  f" Epoch: {e} Best MSE Error: 0.600000"]
    h = _read_printed(tmp_path, lines, "nohup.out")
    assert list(h.series["mse_loss"].steps) == list(range(12)) and len(h.series["loss"]) == 12
    parted = [line if line != "work" else "work 1" for line in lines]
    h = _read_printed(tmp_path, parted, "nohup.out")
    assert "mse_loss" not in h.series


def _conll_block(split: str, acc: float, f1: float) -> list[str]:
    pre = "2020-02-10 21:04:50,178 - log\\train.log - INFO - "
    return [pre + f"evaluate:{split}",
            pre + "processed 74542 tokens with 5600 phrases; found: 5612 phrases; correct: 5560.",
            pre + f"accuracy:  {acc:.2f}%; precision:  {f1:.2f}%; recall:  {f1:.2f}%; FB1:  {f1:.2f}",
            pre + f"           FOREST: precision:  {f1:.2f}%; recall:  {f1:.2f}%; FB1:  {f1:.2f}  2873"]


def test_an_ner_trainers_conll_evaluations_are_its_validation_curve(tmp_path):
    """zjy-ucas/ChineseNER writes 'evaluate:dev', then the CoNLL overall line 'accuracy: 99.87%;
    precision: ..%; recall: ..%; FB1: 99.18' and one line per entity type, then the same for
    test. Refused before; each dev block is now one evaluation (the per-type lines left out)."""
    lines = ["2020-02-10 21:02:21,147 - log\\train.log - INFO - lr             :\t0.001"]
    for k in range(1, 16):
        lines += _conll_block("dev", 8 + 6 * k, 6 * k) + _conll_block("test", 8 + 6 * k, 6 * k + 1)
    h = _read_printed(tmp_path, lines, "train.log")
    assert len(h.series["val_f1"]) == 15 and h.series["val_f1"].values[-1] == pytest.approx(0.90)
    assert h.series["test_f1"].values[0] == pytest.approx(0.07)


def test_conll_evaluations_after_iteration_lines_close_each_iteration(tmp_path):
    """The same blocks after 'iteration:1 step:100/1044, NER loss:38.196701' lines: one run, the
    dev scores at the iteration they close (the log was 34 runs before)."""
    lines = []
    for it in range(1, 9):
        lines += [f"2018-08-22 09:11:27,587 - log/train.log - INFO - iteration:{it} step:{s}/1044, NER loss:{30 / it:.6f}"
                  for s in (100, 500, 1000)]
        lines += _conll_block("dev", 90 + it, 80 + it) + _conll_block("test", 90 + it, 80 + it)
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(p)
    assert len(runs) == 1 and list(runs[0].series["val_f1"].steps) == list(range(1, 9))


def test_a_nanogpt_forks_eval_line_with_bare_split_numbers_is_read(tmp_path):
    """'[eval] iter 500: train 3.4484 val 3.4299 lr 3.00e-04' between '[train] iter 510: loss 3.3357'
    lines: no colon after the split words, and the '[eval]' tag names the line, not the numbers
    (val was left out, then read with train's value)."""
    lines = ["[train] tokens/iter = 393,216 | train tokens = 239,182,819 | vocab = 16384"]
    for it in range(0, 4001, 10):
        if it % 500 == 0:
            lines.append(f"[eval] iter {it}: train {9.85 - it / 600:.4f} val {9.84 - it / 650:.4f} lr 3.00e-04")
        if it:
            lines.append(f"[train] iter {it}: loss {9.8 - it / 590:.4f} 2296 ms/iter")
    h = _read_printed(tmp_path, lines, "train.log")
    assert list(h.series["val_loss"].steps) == list(range(0, 4001, 500))
    assert h.series["val_loss"].values[1] == pytest.approx(9.84 - 500 / 650, abs=1e-4)
    assert any("bare numbers" in n for n in h.meta["notes"])


def test_bare_split_numbers_between_pipes_after_a_step_counter_are_read(tmp_path):
    """A character-level transformer's own loop: 'step   250 | train 2.225 | val 2.279 | 28s
    elapsed' under a corpus summary, a sample of generated text after it. The bars between the
    split words kept the line from being one (the file was refused as an unknown format)."""
    lines = ["Loading corpus from data_shakespeare.txt ...", "  model: 10.77M parameters on cuda",
             "Training for 3000 steps ..."]
    for i, step in enumerate([1] + list(range(250, 3001, 250))):
        lines.append(f"  step {step:5d} | train {3.5 / (1 + i / 3):.3f} | val {3.6 / (1 + i / 4):.3f} | {3 + 25 * i}s elapsed")
    lines += ["Saved checkpoint -> ckpt.pt", "", "--- sample ---", "", "BUCKINGHAM:", "What news?"]
    h = _read_printed(tmp_path, lines, "train_log.txt")
    assert sorted(h.series) == ["loss", "val_loss"]
    assert list(h.series["val_loss"].steps) == [1] + list(range(250, 3001, 250))
    assert h.series["loss"].values[1] == pytest.approx(3.5 / (1 + 1 / 3), abs=1e-3)


def test_two_splits_of_one_metric_behind_a_slash_are_read_as_two_curves(tmp_path):
    """'mean loss (train/val): 0.4123/0.5234' and 'GNN (Train/Val Acc): 0.62/0.80': one metric,
    its train and val values split by a slash. They were read as one number ('0.62', a key
    'val_acc)'), so the val curve held the train values."""
    lines = [f"Run: 1 | Epoch: {e:>3} | mean loss (train/val): {0.9 / e:.4f}/{1.0 / e ** 0.5:.4f} | accuracy: 0.8"
             for e in range(1, 11)]
    h = _read_printed(tmp_path, lines, "loss.log")
    assert h.series["loss"].values[1] == pytest.approx(0.45) and h.series["val_loss"].values[3] == pytest.approx(0.5)
    acc = [f"Epoch {e:02d} | GNN (Train/Val Acc): {0.6 + 0.02 * e:.2f}/0.80" for e in range(1, 11)]
    h = _read_printed(tmp_path, acc, "acc.txt")
    assert h.series["accuracy"].values[0] == pytest.approx(0.62) and set(h.series["val_accuracy"].values) == {0.8}
    # a ratio of split sizes is no metric
    from fitdoctor.io.console.pairs import extract_pairs
    assert "train_split" not in extract_pairs("train/val split: 80/20") and \
        not any(k.startswith(("train_", "val_")) for k in extract_pairs("train/val split: 80/20"))


def test_a_conll_block_that_names_no_split_is_left_out(tmp_path):
    """A ChineseNER fork: 'Iter: 200 | Dev Loss: .. | Dev F1-macro: ..' lines, and every few of
    them conlleval's 'processed .. tokens with .. phrases' block with no 'evaluate:dev' line
    before it. Each block's overall line had started a run of its own (one log read as 133
    runs, the one ranked first a flat tail read as chance_level); it names no split, and the
    trainer's own lines carry the dev scores."""
    stamp = "2020-05-26 22:21:05,541 - main.py"
    lines = [f"{stamp} - train - INFO - Epoch [1/50]"]
    for it in range(100, 3001, 100):
        if it % 1000 == 0:
            lines.append(f"{stamp} - train - INFO - Epoch [{it // 1000 + 1}/50]")
        if it % 500 == 0:
            lines += [f"{stamp} - evaluate - INFO - processed 713346 tokens with 81048 phrases; found: 78494 phrases; "
                      "correct: 77826.", "",
                      f"{stamp} - evaluate - INFO - accuracy:  98.93%; precision:  99.15%; recall:  96.02%; FB1:  97.56",
                      "", f"{stamp} - evaluate - INFO -                CL: precision:  98.99%; recall:  98.99%; FB1:  98.99  99"]
        lines.append(f"{stamp} - train - INFO - Iter: {it} | Dev Loss: {0.6 + 50 / it:.4f} | Dev F1-macro: "
                     f"{0.98 - 3 / it:.4f} | Time: 1:04:43 | ")
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(p)
    assert len(runs) == 1
    h = runs[0]
    assert len(h.series["val_loss"]) == 30 and "val_accuracy" not in h.series


def test_scikit_learn_mlp_verbose_output_pairs_each_iteration_with_its_validation_score(tmp_path):
    """MLPClassifier(verbose=True, early_stopping=True): 'Iteration 3, loss = 0.41' then
    'Validation score: 0.86' (accuracy: higher is better)."""
    lines = []
    for i in range(1, 21):
        lines.append(f"Iteration {i}, loss = {0.7 / i ** 0.5:.8f}")
        lines.append(f"Validation score: {0.9 - 0.3 / i:.6f}")
    h = _read_printed(tmp_path, lines, "mlp.log")
    assert sorted(h.series) == ["loss", "val_score"] and len(h.series["val_score"]) == 20
    assert "val_not_improving" not in fd.diagnose(h).codes


def test_pytorch_cifar_tutorial_output_is_a_step_curve(tmp_path):
    """'[2,  4000] loss: 1.52' (epoch, batch): one curve on a global step axis."""
    lines = [f"[{e}, {b:5d}] loss: {2.3 / (e + b / 12000):.3f}" for e in range(1, 4) for b in range(2000, 12001, 2000)]
    lines += ["Finished Training", "Accuracy of the network on the 10000 test images: 54 %"]
    h = _read_printed(tmp_path, lines, "cifar.log")
    s = h.series["loss"]
    assert s.axis == "step" and len(s) == 18
    assert list(s.steps[:7]) == [2000, 4000, 6000, 8000, 10000, 12000, 14000]


def _logged_tqdm_run(path: Path, epochs: int = 6) -> list[float]:
    """A script that sends tqdm's bars through ``logging`` (a common TqdmToLogger wrapper), with a
    long preamble (a class list) and its own "Epoch N:" lines: real tqdm, real logging."""
    import io
    import logging

    from tqdm import tqdm

    log = logging.getLogger(f"fitdoctor-test-{path.name}")
    log.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    class ToLogger(io.StringIO):
        def write(self, buf):
            if buf.strip("\r\n\t "):
                log.info(buf.strip("\r\n\t "))

        def flush(self):
            pass

    out = ToLogger()
    log.info("Classes found: %s", [f"class_{i:03d}" for i in range(900)])  # > 8 KB before any number
    val_losses = []
    bar = tqdm(total=epochs, unit="epoch", file=out, ascii=True, mininterval=0)
    for e in range(1, epochs + 1):
        for b in tqdm(range(20), unit="batch", file=out, ascii=True, mininterval=0, leave=False):
            pass
        loss, acc = 2.0 / e, 1 - 0.5 / e
        val_loss, val_acc = 2.2 / e + 0.01 * e, 1 - 0.55 / e
        val_losses.append(round(val_loss, 4))
        log.info("Epoch %d: ", e)
        log.info("loss=%.4f, accuracy=%.4f, ", loss, acc)
        log.info("val_loss=%.4f, val_accuracy=%.4f", val_loss, val_acc)
        bar.set_postfix(loss=round(loss, 3), accuracy=round(acc, 3), val_loss=round(val_loss, 3),
                        val_accuracy=round(val_acc, 3), refresh=False)
        bar.update(1)
    bar.close()
    handler.close()
    log.removeHandler(handler)
    return val_losses


def test_logged_tqdm_bars_with_epoch_lines_are_one_run_past_a_long_preamble(tmp_path):
    """tqdm through Python logging: every line has a timestamp prefix, the first epoch's numbers
    come after 8 KB of other output, and each epoch is printed twice (the script's own lines with
    4 decimals, then the epoch bar's postfix rounded to 3): one run, the precise numbers."""
    path = tmp_path / "train_log.txt"
    want = _logged_tqdm_run(path)
    assert path.stat().st_size > 8192 and "loss=" not in path.read_text()[:8192]
    runs = fd.read_runs(path)
    assert len(runs) == 1 and runs[0].meta["format"] == "console"
    assert list(_vals(runs[0], "val_loss")) == pytest.approx(want)
    assert len(_vals(runs[0], "loss")) == 6


def _bar(n: int, total: int, **post: float) -> str:
    postfix = ", ".join(f"{k}={v:.3f}" for k, v in post.items())
    return f"{100 * n // total}%|##        | {n}/{total} [00:0{n}<00:10, 1.00s/epoch, {postfix}]"


def test_an_epoch_bar_of_another_training_after_epoch_lines_is_its_own_run():
    """A hand loop's epoch lines, then a second model's tqdm epoch bar with other numbers: two
    runs, neither grafted onto the other."""
    lines = ["== model A =="] + [f"Epoch {e} | loss {1 / e:.4f} | val_loss {1.2 / e:.4f}" for e in range(1, 6)]
    lines += ["== model B =="] + [_bar(e, 5, loss=3 / e, accuracy=0.5 + 0.05 * e, val_loss=3.3 / e) for e in range(1, 6)]
    runs = parse_console_text("\n".join(lines) + "\n", source="x")
    assert len(runs) == 2
    assert "accuracy" not in runs[0].series and _vals(runs[1], "loss")[0] == 3.0


def test_epoch_lines_counted_from_zero_take_the_bar_s_extra_keys():
    """'Epoch 0:' + its loss line, then the epoch bar at 1/5 with the same loss and a val_loss the
    lines lack: the bar's val_loss joins epoch 0's record."""
    lines = []
    for e in range(5):
        loss = 2 / (e + 1)
        lines += [f"Epoch {e}:", f"loss={loss:.4f}, accuracy={0.5 + 0.05 * e:.4f}",
                  "Training: " + _bar(e + 1, 5, loss=loss, val_loss=1.1 * loss)]
    runs = parse_console_text("\n".join(lines) + "\n", source="x")
    assert len(runs) == 1
    assert _vals(runs[0], "val_loss") == pytest.approx([round(1.1 * 2 / (e + 1), 3) for e in range(5)], abs=1e-3)


def test_a_setting_named_epoch_is_no_header_for_the_lines_under_it(tmp_path):
    """'  epoch: 30' in a printed config, then 30 metric lines with no epoch: 30 points, not one."""
    lines = ["Config:", "  lr: 0.001", "  epoch: 30", ""]
    lines += [f"train_loss: {1 / e:.4f}, train_acc: {1 - 0.3 / e:.4f}, val_loss: {1.1 / e + 0.005 * e:.4f}"
              for e in range(1, 31)]
    runs = parse_console_text("\n".join(lines) + "\n", source="x")
    assert len(_vals(runs[0], "loss")) == 30


def test_a_counting_epoch_colon_line_is_the_header_of_the_summaries_under_it(tmp_path):
    """'Epoch:0' alone, then 'Train Set: Mean loss: ..' and, after a DataLoader worker's ignored
    exception, 'Test Set : Mean loss: ..': each summary was an epoch of its own (train at the odd
    steps, validation at the even ones). A count from 0 is a header; 'epoch: 30' (above) is not."""
    lines = []
    for e in range(8):
        lines += [f"Epoch:{e}", f"Train Set: Mean loss: {1.6 / (e + 1):.4f}, Train Accuracy: {500 + 40 * e}/1000 ({50 + 4 * e}.0%)",
                  "Exception ignored in: <bound method _MultiProcessingDataLoaderIter.__del__ of <object at 0x7f>>",
                  "Traceback (most recent call last):",
                  '  File "/usr/lib/python3.6/multiprocessing/process.py", line 122, in join',
                  "AssertionError: can only join a child process", "",
                  f"Test Set : Mean loss: {1.5 / (e + 1):.4f}, Test Accuracy : {510 + 40 * e}/1000 ({51 + 4 * e}.0%)", ""]
    runs = parse_console_text("\n".join(lines) + "\n", source="x")
    assert len(runs) == 1
    assert list(runs[0].series["loss"].steps) == list(range(8))
    assert list(runs[0].series["val_loss"].steps) == list(range(8))
    assert runs[0].series["val_loss"].values[0] == pytest.approx(1.5)


def test_values_behind_python_loggings_default_prefix_are_read(tmp_path):
    """``logging.warning(f"Loss: {loss}")`` with no format set prints ``WARNING:root:Loss: 1.92``:
    the prefix glued itself to the name, and a sound-localisation log of 30 epochs was an
    unknown format. The value under its ``Epoch: N`` header is the epoch's loss."""
    losses = [1.93, 1.66, 1.47, 1.35, 1.23, 1.20]
    lines = ["WARNING:root:Starting to train the model"]
    for e, loss in enumerate(losses):
        lines += [f"WARNING:root:Epoch: {e}", f"WARNING:root:Loss: {loss}", "WARNING:root:" + "-" * 24]
    path = tmp_path / "log.txt"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read_runs(path)[0]
    assert run.meta["format"] == "console"
    assert run.series["loss"].values.tolist() == losses and run.series["loss"].steps.tolist() == list(range(6))
    stamped = parse_console_text("".join(f"2020-01-01 10:00:0{e} INFO Loss: {v}\nEpoch: {e + 1}\n" for e, v in enumerate(losses)),
                                 source="x")
    assert list(stamped[0].series) == ["loss"]  # not "INFO_Loss"


def test_a_capital_e_epoch_after_a_run_tag_counts_epochs_and_each_fold_is_a_run(tmp_path):
    """A graph network's 3 seeds x 3 folds printed every 20 epochs as ``S42F1 E 20 loss=0.997
    vloss=0.930 acc=0.787``: with no epoch counter read, the nine folds were one run whose loss
    "jumped back up 8 times" (lr_too_high). ``E`` is the epoch, and each fold starts again."""
    lines = []
    for fold in (1, 2, 3):
        lines += ["", f"  Fold {fold}/3"]
        for e in (1, 20, 40, 60, 80, 100, 120):
            loss = 0.5 + 1.7 / (1 + e / 10)
            lines.append(f"    S42F{fold} E{e:3d} loss={loss:.3f} vloss={loss + 0.05:.3f} acc={0.9 - loss / 5:.3f} p=0/50")
        lines.append("  Best: 0.8652")
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(path)
    assert len(runs) == 3
    assert runs[0].series["loss"].steps.tolist() == [1, 20, 40, 60, 80, 100, 120]
    assert "lr_too_high" not in [f.code for f in fd.diagnose(runs[-1]).findings]
    # a word ending in E before a number is no epoch ("SCORE 3 loss=..": not a capital E alone)
    assert parse_console_text("SCORE 3 loss=0.5\nSCORE 4 loss=0.4\nSCORE 5 loss=0.3\n", source="x")[0].series["loss"].steps.tolist() != [3, 4, 5]


def test_epoch_header_lines_are_recognised_without_a_preamble(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("".join(f"Epoch {e}:\nloss={1 / e:.4f}, accuracy={1 - 0.3 / e:.4f}\n"
                            f"val_loss={1.1 / e:.4f}, val_accuracy={1 - 0.35 / e:.4f}\n" for e in range(1, 8)))
    run = fd.read(path)
    assert run.meta["format"] == "console" and len(_vals(run, "val_loss")) == 7


def test_pytorch_transfer_learning_tutorial_output(tmp_path):
    """What the PyTorch transfer-learning tutorial's train_model prints (and the many loops
    copied from it): an 'Epoch 0/24' header, a dashed line, then 'train Loss: .. Acc: ..' and
    'val Loss: .. Acc: ..'. Found without --format, and each split keeps its own accuracy."""
    out = []
    for epoch in range(8):
        out += [f"Epoch {epoch}/7", "-" * 10]
        for phase, loss, acc in (("train", 0.7 / (epoch + 1), 0.6 + 0.04 * epoch), ("val", 0.5 / (epoch + 1) + 0.1, 0.8 + 0.01 * epoch)):
            out.append(f"{phase} Loss: {loss:.4f} Acc: {acc:.4f}")
        out.append("")
    out += ["Training complete in 1m 20s", "Best val Acc: 0.870000"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(out) + "\n")
    run = fd.read(path)
    assert run.meta["format"] == "console"
    assert _vals(run, "accuracy")[:2] == [0.6, 0.64] and _vals(run, "val_accuracy")[:2] == [0.8, 0.81]
    assert _vals(run, "val_loss")[0] == 0.6


def test_a_running_best_line_between_epochs_is_not_a_curve(tmp_path):
    """A hand loop (a course's sentiment homework) prints the epoch's train numbers, then the
    validation accuracy, then the best so far: the "Best Valid accuracy" line is derived from
    the curve, and taking it as a metric of its own split the log into one-epoch runs."""
    lines = []
    for e, (loss, tr, va) in enumerate([(0.69, 54.67, 51.0), (0.68, 58.0, 61.0), (0.65, 64.0, 65.0),
                                         (0.62, 67.78, 65.0), (0.60, 68.44, 63.0)], start=1):
        lines += [f"Epoch {e}, loss {loss}, train accuracy: {tr:.2f}%", f"Validation accuracy: {va:.2f}%",
                  f"Best Valid accuracy: {max(51.0, 61.0 if e > 1 else 0, 65.0 if e > 2 else 0):.2f}%"]
    path = tmp_path / "training_log.txt"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert sorted(run.series) == ["accuracy", "loss", "val_accuracy"]
    np.testing.assert_allclose(run.series["val_accuracy"].values, [0.51, 0.61, 0.65, 0.65, 0.63])
    np.testing.assert_allclose(run.series["loss"].steps, [1, 2, 3, 4, 5])


def test_an_epoch_of_total_header_with_split_lines_under_it_is_read(tmp_path):
    """"Epoch 3/30:" on a line of its own, then "Train - Loss: ... | Acc: ..." and "Val - Loss:
    ..." (a hand loop): the header's "/30" kept the sniffer from recognising it, and the log
    was refused as an unknown format."""
    lines = ["Training Log", "=" * 36]
    for e in range(1, 7):
        lines += [f"Epoch {e}/30:", f"Train - Loss: {0.70 - 0.02 * e:.4f} | Acc: {0.50 + 0.03 * e:.4f} | AUC: 0.5000",
                  f"Val - Loss: {0.69 - 0.015 * e:.4f} | Acc: {0.55 + 0.02 * e:.4f} | AUC: 0.5000"]
    path = tmp_path / "training_log.txt"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.series)
    np.testing.assert_allclose(run.series["val_loss"].values, [0.69 - 0.015 * e for e in range(1, 7)], atol=1e-4)
    np.testing.assert_allclose(run.series["loss"].steps, [1, 2, 3, 4, 5, 6])


def test_a_markdown_training_journal_is_read_past_its_long_header(tmp_path):
    """A log kept as Markdown (``training_log.md``): notes and a model summary fill the first
    8 KB, then each epoch prints the PyTorch examples' 'Test set: Average loss: ..., Accuracy:
    k/N (p%)' line and a summary line. Found without --format, as a .txt or .log would be."""
    head = ["# Training session", "", "## Model"] + [f"| layer{i:03d} | Conv2d | [-1, 64, 32, 32] | 36,928 |"
                                                     for i in range(200)]
    body = []
    for e in range(12):
        val_loss, acc = 4.0 / (e + 1) + 0.5, 0.1 + 0.05 * e
        body += [f"### EPOCH: {e}", "", f"Test set: Average loss: {val_loss:.4f}, Accuracy: "
                 f"{int(acc * 10000)}/10000 ({100 * acc:.2f}%)", "",
                 f"EPOCH: {e:3d} | Train Accuracy: {100 * (acc - 0.02):6.2f}% | Test Accuracy: {100 * acc:6.2f}%", ""]
    path = tmp_path / "training_log.md"
    path.write_text("\n".join(head + body) + "\n")
    assert path.stat().st_size > 8192 and "Average loss" not in path.read_text()[:8192]
    run = fd.read(path)
    assert run.meta["format"] == "console"
    assert list(_vals(run, "val_loss")) == pytest.approx([round(4.0 / (e + 1) + 0.5, 4) for e in range(12)])


@pytest.mark.parametrize("line", [
    "Epoch {e} Train: loss {l:.4f} acc {a:.3f} | Val: loss {v:.4f} acc {b:.3f}",
    "Epoch {e} - Train - Loss: {l:.4f}, Acc: {a:.3f} | Val - Loss: {v:.4f}, Acc: {b:.3f}",
    "Epoch {e}: Train [loss: {l:.4f}, acc: {a:.3f}] Valid [loss: {v:.4f}, acc: {b:.3f}]",
    "Epoch {e} train: {{'loss': {l:.4f}, 'acc': {a:.3f}}} val: {{'loss': {v:.4f}, 'acc': {b:.3f}}}",
    "Epoch {e} | Training Loss: {l:.4f} Accuracy: {a:.3f} | Validation Loss: {v:.4f} Accuracy: {b:.3f}",
    "Epoch {e}: TRAIN loss={l:.4f} acc={a:.3f}  VAL loss={v:.4f} acc={b:.3f}",
])
def test_a_line_that_names_each_split_once_keeps_them_apart(tmp_path, line):
    """'Train: loss .. acc .. | Val: loss .. acc ..': the same names twice in a line, each under
    the split named before it. They were read as one set of train names, the val numbers
    overwriting the train ones (the train loss curve was the val loss)."""
    rows = [(1 / e + 0.05, 1 - 0.5 / e, 1.1 / e + 0.1 + 0.004 * e, 0.9 - 0.5 / e) for e in range(1, 13)]
    path = tmp_path / "train.log"
    path.write_text("".join(line.format(e=e, l=l, a=a, v=v, b=b) + "\n" for e, (l, a, v, b) in enumerate(rows, 1)))
    run = fd.read(path)
    assert list(_vals(run, "loss")) == pytest.approx([round(r[0], 4) for r in rows])
    assert list(_vals(run, "val_loss")) == pytest.approx([round(r[2], 4) for r in rows])
    assert list(_vals(run, "accuracy")) == pytest.approx([round(r[1], 3) for r in rows])
    assert list(_vals(run, "val_accuracy")) == pytest.approx([round(r[3], 3) for r in rows])


def test_a_metric_printed_as_a_torch_tensor_keeps_its_name(tmp_path):
    """``print(f"acc: {correct / total}")`` with tensors prints "acc: tensor(0.6741,
    device='cuda:0', dtype=torch.float64)": the value is the number inside, under its own name
    (it was read as a metric called 'tensor(')."""
    torch = pytest.importorskip("torch")
    out = ["## Training", ""]
    for e in range(8):
        out.append(f"#### Epoch {e}/7")
        for split, loss, acc in (("train", 1.2 / (e + 1), 0.6 + 0.03 * e), ("val", 0.3 / (e + 1) + 0.05, 0.9 + 0.01 * e)):
            out.append(f"{split} loss: {loss}, acc: {str(torch.tensor(acc, dtype=torch.float64))}<br>")
    path = tmp_path / "train_log.md"
    path.write_text("\n".join(out) + "\n")
    run = fd.read(path)
    assert set(run.series) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert list(_vals(run, "val_accuracy")) == pytest.approx([0.9 + 0.01 * e for e in range(8)], abs=1e-4)


def test_a_metric_printed_as_a_one_element_array_keeps_its_value(tmp_path):
    """``print("Loss", loss.data.numpy())`` prints "Loss [ 0.69090915]": the number inside the
    brackets is the value (the loss was dropped and only the accuracy read); a counter that
    another bracket follows ("Epoch: [3][300/320]") is no such value."""
    np_ = pytest.importorskip("numpy")
    lines = [f"2018-01-24 23:55:23,455 INFO    : Epoch: [{e}][300/320]\t Loss {np_.array([0.7 / (e + 1)])} "
             f"Avg Loss {np_.array([0.69 / (e + 1)])} Accuracy {0.58 + 0.01 * e}" for e in range(12)]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    assert len(run.series["loss"]) == 12 and run.series["loss"].values[3] == pytest.approx(0.69 / 4)
    assert len(run.series["accuracy"]) == 12


@pytest.mark.parametrize("line", [
    "Epoch {e} of 12: loss {l:.4f}, val loss {v:.4f}",
    "Ep. {e} | tr loss {l:.4f} | val loss {v:.4f}",
    "=> Epoch {e}\n   train | loss {l:.4f}\n   valid | loss {v:.4f}",
])
def test_more_hand_loop_spellings_are_found_and_read(tmp_path, line):
    """'Epoch 3 of 12' (no series called 'of'), 'Ep. 3' with short split names, and an '=> Epoch
    3' header over 'train | loss ..' lines: found without --format, two curves each."""
    rows = [(1 / e + 0.05, 1.1 / e + 0.1 + 0.004 * e) for e in range(1, 13)]
    path = tmp_path / "train.log"
    path.write_text("".join(line.format(e=e, l=l, v=v) + "\n" for e, (l, v) in enumerate(rows, 1)))
    run = fd.read(path)
    assert set(run.series) == {"loss", "val_loss"}
    assert list(_vals(run, "loss")) == pytest.approx([round(r[0], 4) for r in rows])
    assert list(_vals(run, "val_loss")) == pytest.approx([round(r[1], 4) for r in rows])


@pytest.mark.parametrize("line,want", [
    # a printed dict beside word pairs: both read (the dict's keys used to hide the rest)
    ("Epoch {e} | loss {l:.4f} | val_loss {v:.4f} | optimizer {{'lr': 0.001, 'momentum': 0.9}}",
     {"loss": "l", "val_loss": "v"}),
    # an identifier that names its own split scopes nothing after it
    ("Epoch {e}: loss {l:.4f} acc 0.60 val_loss {v:.4f} val_acc 0.50 | ema: loss {l:.4f} acc 0.59",
     {"loss": "l", "val_loss": "v"}),
    # a test section stays apart from the validation one
    ("Epoch {e} | Train - loss: {l:.4f} | Valid - loss: {v:.4f} | Test - loss: 9.9",
     {"loss": "l", "val_loss": "v"}),
    # short split words lead sections too
    ("Ep. {e} | tr loss {l:.4f} acc 0.6 | va loss {v:.4f} acc 0.5", {"loss": "l", "val_loss": "v"}),
    # a line that leads with val keeps the train section's keys as train
    ("Epoch {e}\nval loss: {v:.4f} acc: 0.55 | train loss: {l:.4f} acc: 0.60", {"loss": "l", "val_loss": "v"}),
    # names that are no metric token (psnr, ssim) take their section too
    ("Epoch {e} | Train: loss {l:.4f} psnr 25.1 | Val: loss {v:.4f} psnr 24.0 | lr 0.001",
     {"loss": "l", "val_loss": "v", "psnr": 25.1, "val_psnr": 24.0, "lr": 0.001}),
])
def test_split_sections_do_not_leak_or_swallow(tmp_path, line, want):
    """What a reviewer found the first version of section scoping got wrong: each line read
    as the numbers it prints, under the split it prints them for."""
    rows = [(1 / e + 0.05, 1.1 / e + 0.1 + 0.004 * e) for e in range(1, 10)]
    path = tmp_path / "train.log"
    path.write_text("".join(line.format(e=e, l=l, v=v) + "\n" for e, (l, v) in enumerate(rows, 1)))
    run = fd.read(path)
    for name, what in want.items():
        expect = [round(r[0 if what == "l" else 1], 4) for r in rows] if isinstance(what, str) else [what] * len(rows)
        assert list(_vals(run, name)) == pytest.approx(expect), name


@pytest.mark.parametrize("header", ["=> Epoch {e}", "Epoch {e} of 9", "### EPOCH: {e}"])
def test_a_header_line_puts_train_and_val_at_its_epoch(tmp_path, header):
    """An epoch header on its own line over 'train | loss ..' and 'valid | loss ..': both
    curves at the header's epoch (the val points landed one step after the train ones)."""
    text = "".join(f"{header.format(e=e)}\n   train | loss {1 / e:.4f}\n   valid | loss {1.1 / e:.4f}\n"
                   for e in range(1, 10))
    path = tmp_path / "train.log"
    path.write_text(text)
    run = fd.read(path)
    assert list(run.series["loss"].steps) == list(run.series["val_loss"].steps) == list(range(1, 10))


def test_a_long_rule_line_is_read_in_linear_time(tmp_path):
    """A 60,000-character '=====' rule between epoch lines (a header regex once backtracked on
    it for seconds)."""
    import time as _time

    lines = []
    for e in range(1, 6):
        lines += [f"Epoch {e} | loss {1 / e:.4f} | val_loss {1.1 / e:.4f}", "=" * 60000 + " end of epoch"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    t0 = _time.perf_counter()
    run = fd.read(path)
    assert _time.perf_counter() - t0 < 3.0 and len(_vals(run, "loss")) == 5


def test_a_console_log_that_opens_with_a_printed_config_is_console(tmp_path):
    """First line a printed config dict with a list in it, then Lightning bars: console output
    (a printed history is one line, or pprint's indented continuation lines)."""
    lines = ["{'milestones': [30, 60], 'lr': 0.1, 'batch_size': 64}"]
    lines += [f"Epoch {e}: 100%|##########| 50/50 [00:05<00:00, 9.8it/s, loss={1 / (e + 1):.3f}, v_num=0, "
              f"val_loss={1.1 / (e + 1):.3f}]" for e in range(8)]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert run.meta["format"] == "console" and len(_vals(run, "val_loss")) == 8


def test_a_step_counter_that_restarts_at_each_epoch_is_one_run(tmp_path):
    """'Epoch 2/25 (device=cuda)' then '  step 00020: loss=...' lines whose counter starts again
    at each epoch: one run counted on from the epoch before (it was 25 one-epoch runs)."""
    lines = []
    for e in range(1, 6):
        lines.append(f"Epoch {e}/5 (device=cuda)")
        lines += [f"  step {s:05d}: loss={1 / (e + s / 100):.4f}" for s in range(20, 101, 20)]
        lines.append("  Val | mean=1.00 median=0.00")
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(path)
    assert len(runs) == 1
    assert list(runs[0].series["loss"].steps) == [float(s) for s in range(20, 501, 20)]


def test_steps_that_start_over_without_an_epoch_line_are_a_new_run(tmp_path):
    """Two trainings one after the other, each counting steps from 20: still two runs."""
    lines = [f"step {s}: loss={1 / s:.4f}" for s in range(20, 201, 20)] * 2
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    assert len(fd.read_runs(path)) == 2


def _bare_split_log(e0: int, e1: int, pct: bool = False) -> list[str]:
    unit = "%" if pct else " (2.0061 bpd)"
    return [f"Epoch {e:4d}/1000 | train: {100 - e:.4f}{unit} | val: {101 - e * 0.9:.4f}{unit} | "
            f"z_mean: 0.002 | lr: 0.000100" for e in range(e0, e1)]


def test_bare_train_and_val_numbers_are_the_losses(tmp_path):
    """'Epoch 3/1000 | train: 1090.19 (2.0061 bpd) | val: 1078.67 | ...': a loop printing its
    objective under the split words alone was refused as having no metric."""
    path = tmp_path / "train.log"
    path.write_text("Dataset : mnist\n" + "\n".join(_bare_split_log(1, 12)) + "\n")
    [run] = fd.read_runs(path)
    assert {"loss", "val_loss"} <= set(run.names)
    assert run.series["loss"].values[0] == pytest.approx(99.0)
    assert any("bare numbers" in n for n in run.meta["notes"])


def test_bare_split_numbers_with_a_percent_sign_are_accuracy(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("\n".join(_bare_split_log(1, 12, pct=True)) + "\n")
    [run] = fd.read_runs(path)
    assert {"accuracy", "val_accuracy"} <= set(run.names) and "loss" not in run.names


def _rising(epochs: int) -> list[tuple[int, float, float, float, float]]:
    """(epoch, train loss, train acc, val loss, val acc): val loss bottoms out at epoch 8."""
    return [(e, 1.0 * math.exp(-e / 6) + 0.1, 0.95 - 0.5 * math.exp(-e / 6), 0.6 + 0.002 * (e - 8) ** 2,
             0.8 - 0.001 * (e - 8) ** 2) for e in range(1, epochs + 1)]


@pytest.mark.parametrize("shape", ["table", "pairs", "glued"])
def test_short_split_words_name_their_curves(tmp_path, shape):
    """Hand loops abbreviate the split: a table headed 'TrLoss TrAcc VaLoss VaAcc', 'loss=.. tr=..
    va=..' (the bare split words are the accuracy, since the loss has its own key) and 'VAcc:..%
    VF1:..%'. The table was refused, and the others read the validation accuracy as a train metric."""
    rows, best = [], 0.0
    for e, tl, ta, vl, va in _rising(20):
        best = max(best, va)
        rows.append({"table": f"  {e:>3} {tl:>8.4f} {ta:>7.4f} {vl:>8.4f} {va:>7.4f} {1e-3:>9.2e} {best:>6.4f}",
                     "pairs": f"  [mlp] ep{e:3d} loss={tl:.3f} tr={ta:.3f} va={va:.3f} (best {best:.3f})",
                     "glued": f"E {e:2d}/20 | Loss:{tl:.4f} | TrF1:{100 * ta:.2f}% | VAcc:{100 * va:.2f}% "
                              f"VF1:{100 * va:.2f}% | ETA:2.0min"}[shape])
    if shape == "table":
        rows.insert(0, f"  {'Ep':>3} {'TrLoss':>8} {'TrAcc':>7} {'VaLoss':>8} {'VaAcc':>7} {'LR':>9} {'Best':>6}")
    path = tmp_path / "train.log"
    path.write_text("\n".join(rows) + "\n")
    [run] = fd.read_runs(path)
    assert run.series["val_accuracy"].values[7] == pytest.approx(0.8, abs=1e-3)
    assert len(run.series["val_accuracy"].values) == 20 and run.series["loss"].values[-1] < 0.3
    if shape != "glued":
        assert run.series["accuracy"].values[-1] > 0.8


def _paddle_fit_log(epochs: int, eval_every: int = 1) -> tuple[str, list[float], list[float]]:
    """PaddlePaddle 2's ``Model.fit`` output (verbose=2): a prose first line with a comma, batch
    lines under each "Epoch i/N", then "Eval begin...", the evaluation's batch lines and "Eval
    samples: N". Returns the text, each evaluation's mean batch loss and its last AUC."""
    lines = ["The loss value printed in the log is the current step, and the metric is the average value of "
             "previous steps."]
    means, aucs = [], []
    for e in range(1, epochs + 1):
        lines += [f"Epoch {e}/{epochs}"]
        for b in range(10, 61, 10):
            lines.append(f"step {b:3d}/60 - loss: {0.9 / e + 0.01 * (b % 20):.4f} - auc: {0.6 + 0.02 * e:.4f} - 3s/step")
        lines.append(f"save checkpoint at /home/aistudio/save/{e - 1}")
        if e % eval_every:
            continue
        lines.append("Eval begin...")
        batch = [0.5 + 0.3 / e + 0.02 * k for k in range(3)]
        for k, v in enumerate(batch):
            lines.append(f"step {10 * (k + 1)}/30 - loss: {v:.4f} - auc: {0.55 + 0.02 * e + 0.01 * k:.4f} - 2s/step")
        lines.append("Eval samples: 2400")
        means.append(sum(round(v, 4) for v in batch) / 3)
        aucs.append(round(0.57 + 0.02 * e, 4))
    return "\n".join(lines) + "\n", means, aucs


def test_paddle_fit_evaluations_are_read_as_validation(tmp_path):
    """The prose first line (with a comma) made the file look like a CSV header and the log was
    refused; read as console output, each evaluation's batch lines were read as train batches."""
    text, means, aucs = _paddle_fit_log(6)
    path = tmp_path / "train.log"
    path.write_text(text)
    [run] = fd.read_runs(path)
    assert run.series["val_loss"].values.tolist() == pytest.approx(means)
    assert run.series["val_auc"].values.tolist() == pytest.approx(aucs)
    assert list(run.series["val_loss"].steps) == [1, 2, 3, 4, 5, 6]
    assert len(run.series["loss"].values) == 6 * 6  # the train batches, no evaluation batch among them
    assert any("evaluation's announcement" in note for note in run.meta["notes"])
    # the sentence alone is no CSV header (the CSV reader called it "header only, no rows")
    only = tmp_path / "prose.log"
    only.write_text(text.splitlines()[0] + "\n")
    with pytest.raises(BadInput, match="unknown log format"):
        fd.read_runs(only)


def test_train_batch_lines_after_an_evaluation_announcement_stay_train(tmp_path):
    """An announcement with nothing under it but the next epoch's batch lines ("Validating..."
    then "Epoch 2, Batch 10/50 ..."): a line that names its epoch is training again."""
    lines = []
    for e in range(1, 7):
        lines += [f"Epoch {e}, Batch {b}/50, loss {1.0 / (e + b / 50):.4f}" for b in (10, 20, 30, 40, 50)]
        lines += ["Validating..."]  # its result goes to a file, not to this log
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    # (the one line right under an announcement is still read as the evaluation's, as
    # PaddlePaddle's "testing in eval mode" + "epoch: 3, loss is: .." needs)
    assert len(run.series["loss"]) >= 25


def test_an_exception_between_epochs_does_not_split_the_run(tmp_path):
    """A traceback's last line ('OSError: [Errno 39] ...') reads like a metric named Errno; it
    cut one run in two at a one-value 'record'."""
    lines = _bare_split_log(1, 8) + ["Traceback (most recent call last):", '  File "x.py", line 3, in f',
                                     "OSError: [Errno 39] Directory not empty: '/tmp/pymp-1'"] + _bare_split_log(8, 15)
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    assert len(run.series["val_loss"].values) == 14


def test_a_markdown_page_whose_records_start_past_a_long_preamble_is_read(tmp_path):
    """A write-up pasting a settings table ("epochs | 650"), the script and a wandb summary
    before 'Iter [ 20/11250] | Train Loss 1.4652 | ...' lines: the head and the first mention
    of an epoch are far above the records, and the file was refused."""
    code = "\n".join(f"    x_{i} = model(batch_{i})  # the training script, pasted" for i in range(400))
    records = "\n".join(f"    Iter [{i * 20:3d}/11250] | Train Loss {2.0 / (i + 1):.4f} | Train Acc 0.5000 | "
                        f"Valid Loss {2.1 / (i + 1):.4f} | Valid Acc {0.1 + i * 0.01:.4f}" for i in range(30))
    path = tmp_path / "2022-03-11-model.md"
    path.write_text("| setting | value |\n|---|---|\n| epochs | 650 |\n\n```python\n" + code + "\n```\n\n" + records + "\n")
    [run] = fd.read_runs(path)
    assert len(run.series["val_loss"].values) == 30


def test_records_after_a_quarter_megabyte_of_warnings_are_found(tmp_path):
    """MACE's nohup log: its configuration, then 2,960 'WARNING: Failed to extract forces' lines
    (264 kB) before 'INFO: Epoch 0: loss=2.0877, RMSE_E_per_atom=45.4 meV' -- past the 256 kB the
    sniff looked through, so the file was read as a CSV of five rows."""
    head = ["nohup: ignoring input", "2024-05-03 15:12:53.259 INFO: Configuration: Namespace(" +
            ", ".join(f"opt_{i}='value_{i}'" for i in range(200)) + ")"]
    noise = [f"2024-05-03 15:12:54.{i % 1000:03d} WARNING: Failed to extract forces: Atoms object has no calculator."
             for i in range(3000)]
    records = [f"2024-05-03 15:{14 + e // 60:02d}:{e % 60:02d}.611 INFO: Epoch {e}: loss={2.0 / (1 + e):.4f}, "
               f"RMSE_E_per_atom={45.4 / (1 + e):.1f} meV, RMSE_F={53.7 / (1 + e):.1f} meV / A" for e in range(30)]
    path = tmp_path / "training.out"
    path.write_text("\n".join(head + noise + records) + "\n")
    assert path.stat().st_size > (1 << 18)
    run = fd.read(path)
    assert run.meta["format"] == "console" and len(run.series["loss"].values) == 30


def test_a_record_printed_right_after_a_progress_bar_is_read(tmp_path):
    """print() while a tqdm bar over the epochs is drawn: '  1%|  | 1/100 [31:27<51:54:28,
    1887.57s/it]Epoch 2, Training loss: 1.6877, Validation loss: 1.0509, ...' -- the record glued
    after the bar's stats was taken for the bar's own text, and the log was refused."""
    lines = ["Loading model vit_tiny_patch16_224", "Start training"]
    bar = "  0%|          | 0/100 [00:00<?, ?it/s]"
    for e in range(1, 13):
        lines.append(f"{bar}Epoch {e}, Training loss: {3.9 / e:.4f}, Validation loss: {2.5 / e:.4f}, "
                     f"Validation Accuracy: {0.3 + 0.05 * e:.4f}")
        bar = f"{e:3d}%|#         | {e}/100 [{e * 31}:27<51:54:28, 1887.57s/it]"
    run = _read_printed(tmp_path, lines, "train.txt")
    assert list(run.series["val_loss"].steps) == list(range(1, 13))
    assert run.series["loss"].values[0] == pytest.approx(3.9)


def test_torch_internal_logger_lines_are_dropped(tmp_path):
    """torch._dynamo's warnings in the stdlib logging format, a traceback and all, carry
    '[Errno 2]' and 'Error' words; they made an 8-point 'errno' run of their own."""
    noise = "\n".join(f"[2023-12-04 01:43:{i:02d},275] torch._dynamo.convert_frame: [WARNING] "
                      f"FileNotFoundError: [Errno 2] No such file or directory: 'ldconfig'" for i in range(8))
    lines = [f"Epoch [{e}/20], Train Loss: {1 / e:.4f}, Validation Loss: {1.1 / e:.4f}" for e in range(1, 21)]
    path = tmp_path / "train.log"
    path.write_text(noise + "\n" + "\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    assert "errno" not in " ".join(run.names).lower() and len(run.series["loss"].values) == 20


def test_a_markdown_epoch_heading_with_its_metrics_as_bullets_is_read(tmp_path):
    """'## Epoch no. = 3' with '- Train Loss: ..' bullets under it (a write-up's training log),
    below a 'Best Performance' block that quotes one epoch: refused as an unknown format before."""
    lines = ["# Model-1-Log", "", "## Best Performance:", "- Best Accuracy: 0.8925 (Epoch 12)",
             "- Best Validation Loss: 0.2832 (Epoch 12)", ""]
    for e in range(1, 16):
        lines += [f"## Epoch no. = {e}", f"- Accuracy: {0.35 + 0.03 * e:.4f}", f"- Train Loss: {1.1 / e:.4f}",
                  f"- Validation Loss: {1.2 / e:.4f}", ""]
    h = _read_printed(tmp_path, lines, "scores.md")
    assert list(h.series["val_loss"].steps) == list(range(1, 16))
    assert h.series["loss"].values[0] == pytest.approx(1.1)


def test_a_metric_name_and_its_value_as_comma_fields_are_a_pair():
    """'epoch 1, phase train, step 10, loss_train, 0.838': the name and the number are two
    fields of a comma-separated line; a counter ('batch, 32') is not."""
    from fitdoctor.io.console.pairs import extract_pairs

    assert extract_pairs("epoch 1, phase train, step 10, loss_train, 0.838")["loss_train"] == 0.838
    assert "batch" not in extract_pairs("batch, 32, loss: 0.5")


def test_batch_lines_that_carry_only_their_epoch_give_the_epoch_mean(tmp_path):
    """A loop printing 'epoch 1, phase train, step 10, loss_train, 0.838' every 10 steps, then
    'epoch 1 | val_loss: 0.659': each epoch's train value is the mean of its batch lines, as an
    epoch-averaged train loss is (it was the last batch's, and the train loss was not read at all)."""
    lines, step = [], 0
    for e in range(1, 9):
        lines.append(f"epoch {e}, phase train, total step {step}")
        batch = []
        for _ in range(10):
            step += 10
            batch.append(1.0 / (e + step / 1000))
            lines.append(f"epoch {e}, phase train, step {step}, loss_train, {batch[-1]:.4f}")
        lines += [f"epoch {e}, phase valid, total step {step}", f"epoch {e} | val_loss: {1.1 / e:.4f}"]
        if e == 1:
            first_mean = float(np.mean([round(b, 4) for b in batch]))
    h = _read_printed(tmp_path, lines, "train.md")
    assert len(h.series["loss"].values) == 8 and len(h.series["val_loss"].values) == 8
    assert h.series["loss"].values[0] == pytest.approx(first_mean)


@pytest.mark.parametrize("line", ["Epoch 0, Batch {b}, Loss: {v:.4f}", "epoch 0 iter {b} loss {v:.4f}",
                                  "Epoch: 1 | Batch: {b} | loss={v:.4f}"])
def test_a_run_stopped_inside_its_first_epoch_is_read_on_its_batch_counter(tmp_path, line):
    """A one-epoch fine-tune (or a run killed early) prints 'Epoch 0, Batch 10, Loss: 3.21'
    every 10 batches and never reaches epoch 1: its lines all fold into one epoch mean, and the
    log was refused as "only one epoch of values". Its batches are its curve, on their counter.
    Two epochs of the same lines are still two epoch means, each the mean of its batches."""
    values = [3 * math.exp(-i / 10) + 0.5 for i in range(40)]
    lines = [line.format(b=(i + 1) * 10, v=v) for i, v in enumerate(values)]
    h = _read_printed(tmp_path, lines, "train.log")
    loss = h.series["loss"]
    assert len(loss.values) == 40 and list(loss.steps)[:2] == [10, 20] and loss.axis == "step"
    assert any("read on their own counter" in note for note in h.meta.get("notes", [])), h.meta.get("notes")
    assert fd.diagnose(h).top.code == "still_improving"
    two = lines[:20] + [ln.replace("Epoch 0", "Epoch 1").replace("epoch 0", "epoch 1").replace("Epoch: 1", "Epoch: 2")
                        for ln in lines[20:]]
    h2 = _read_printed(tmp_path, two, "train2.log")
    assert len(h2.series["loss"].values) == 2
    assert h2.series["loss"].values[0] == pytest.approx(float(np.mean([round(v, 4) for v in values[:20]])), rel=1e-3)


def test_evaluations_on_a_step_counter_beside_the_epoch_are_one_run_on_steps(tmp_path):
    """'epoch=1 step=200 train_loss=0.3574 val_loss=0.3097' every 200 steps, with an
    'epoch_end=1 train_loss=.. val_loss=..' summary after each epoch: each epoch's evaluations
    folded into one point and the summaries cut the log into one-value runs (refused as
    'only one epoch of values'). The evaluations are on the step counter; the summaries stay out."""
    lines, step = ["2026-03-03 02:10:46,423 | Starting training"], 0
    for e in range(1, 4):
        for _ in range(7):
            step += 200
            lines += ["2026-03-03 02:13:09,433 | ", f"epoch={e} step={step} train_loss={0.4 - step / 20000:.4f} "
                      f"val_loss={0.3 - step / 40000:.4f}"]
        lines += ["2026-03-03 02:28:21,334 | ", f"epoch_end={e} train_loss=0.2149 val_loss=0.1544"]
    path = tmp_path / "train_log.txt"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    assert run.series["val_loss"].axis == "step" and list(run.series["val_loss"].steps) == list(range(200, 4201, 200))


def test_an_epoch_header_with_its_settings_in_parentheses_owns_the_lines_under_it(tmp_path):
    """'Epoch 4/50 (lr=0.000400)' with '  Train: loss=..' and '  Val:   loss=..' under it, and a
    '-> Saved best loss checkpoint (loss=..)' message: refused as an unknown format, and when
    read beside progress bars, every line was a point of its own (the checkpoint's loss among them)."""
    lines = ["Hyperparameters:", "  LR: 0.0005, Weight Decay: 0.01", ""]
    for e in range(1, 13):
        lines += [f"Epoch {e}/50 (lr={0.0001 * min(e, 5):.6f})", f"  Train: loss={0.3 / e ** 0.3:.4f}  acc={0.05 + 0.01 * e:.3f}",
                  f"  Val:   loss={0.28 / e ** 0.25:.4f}  acc={0.1 + 0.005 * e:.3f}", f"  R@1={0.003 * e:.3f}",
                  f"  -> Saved best loss checkpoint (loss={0.28 / e ** 0.25:.4f})", ""]
    h = _read_printed(tmp_path, lines, "training_log.txt")
    assert list(h.series["val_loss"].steps) == list(range(1, 13))
    assert list(h.series["loss"].steps) == list(range(1, 13))
    assert h.series["loss"].values[0] == pytest.approx(0.3)
    assert any("callback" in n for n in h.meta.get("notes", []))


def test_an_epoch_header_with_settings_after_a_bar_owns_its_whole_epoch(tmp_path):
    """'Epoch 1/50  |  LR=3.00e-04' under a logging prefix, then four batch lines, a '[TRAIN]' and a
    '[VAL]' summary and a classification report: the header was no header (its settings follow a
    '|', not parentheses), and a header owned only 4 lines, so the 250 lines were read one by one
    on a line counter ("250 epochs"). The summaries are each epoch's; a summary printed well after
    the last epoch (further than an epoch's lines reach) is no epoch's: it does not overwrite epoch 12."""
    lines = ["2026-04-25 15:54:03,312 | INFO | Epochs : 12 | Batch: 32"]
    report = ["              precision    recall  f1-score   support", "",
              "      normal       0.36      0.51      0.42        70", "    accuracy                           0.40       412", ""]
    for e in range(1, 13):
        pre = f"2026-04-25 15:{10 + e}:05,873 | INFO | "
        lines += [pre, "─" * 40, pre + f"Epoch {e}/12  |  LR=3.00e-04"]
        lines += [pre + f"  [{b}/103] loss={2.5 - 0.1 * e + 0.01 * b / 25:.4f}" for b in (25, 50, 75, 100)]
        lines += [pre + f"[TRAIN] loss={2.0 / e:.4f}  macro_F1={0.3 + 0.02 * e:.4f}",
                  pre + f"[VAL]   loss={1.7 - 0.05 * e:.4f}  macro_F1={0.35 + 0.01 * e:.4f}", pre, *report,
                  pre + "[ckpt] Saved -> checkpoints/best_model.pth", pre + f"Epoch time: 5.7s  |  best_val_F1={0.35 + 0.01 * e:.4f}"]
    lines += ["2026-04-25 16:30:00,000 | INFO | Training done.", "", "", "=" * 40, "TEST RESULTS:", "",
              "2026-04-25 16:30:01,000 | INFO | Reloaded best: loss=1.5000  macro_F1=0.6075", *report, *report]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    h = fd.read_runs(path)[0]
    assert list(h.series["loss"].steps) == list(range(1, 13))
    assert h.series["loss"].values[0] == pytest.approx(2.0) and h.series["loss"].values[-1] == pytest.approx(2.0 / 12, abs=1e-4)
    assert list(h.series["val_loss"].steps) == list(range(1, 13))
    assert h.series["val_loss"].values[-1] == pytest.approx(1.7 - 0.6)


def test_an_epoch_line_with_a_word_or_a_metric_after_it_is_no_settings_header(tmp_path):
    """Only settings may follow the counter of a header: 'Epoch 5 done' closes an epoch, and
    'Epoch 2/10 | loss=0.3' is a record of its own."""
    from fitdoctor.io.console.generic import _settings_header

    assert _settings_header("Epoch 1/50  |  LR=3.00e-04") is not None
    assert _settings_header("Epoch 3 - lr: 0.001") is not None
    assert _settings_header("Epoch 5 done") is None
    assert _settings_header("Epoch 2/10 | loss=0.3") is None
    assert _settings_header("Epoch 4") is None  # no settings: the plain header pattern's case


def test_a_log_printed_in_chinese_is_read_with_each_split_under_its_own_key(tmp_path):
    """'Epoch 16 完成 | 训练损失: 4.6130 | 验证损失: 6.0073' ('train loss', 'validation loss'), with
    '✓ 保存最佳模型，验证损失: 5.9688' ('saved the best model') between epochs: the validation loss
    was not read at all, and the checkpoint message must not move an epoch's value."""
    lines = []
    for e in range(1, 16):
        if e in (3, 7):
            lines.append(f"✓ 保存最佳模型，验证损失: {5.0 + 1 / e:.4f}")
        lines.append(f"Epoch {e} 完成 | 训练损失: {4.0 + 1 / e:.4f} | 验证损失: {5.0 + 1 / e:.4f} | 时间: 385.8s")
    lines += ["第 16 轮 | 训练损失：4.0500，验证损失：5.0400"]  # "round 16", full-width colons and comma
    h = _read_printed(tmp_path, lines, "training_log.txt")
    assert list(h.series["val_loss"].steps) == list(range(1, 17))
    assert h.series["val_loss"].values[1] == pytest.approx(5.5)
    assert list(h.series["loss"].steps) == list(range(1, 17))
    assert h.series["loss"].values[-1] == pytest.approx(4.05)


@pytest.mark.parametrize("epoch_line,mean_line,val_line", [
    ("Epoka {e:4d} | Krok  100/356 | Loss (ostatni batch): {b:.4f}", "[Epoka {e:4d}] Średni loss: {l:.4f}",
     "[Epoka {e:4d}] Val Recall@20: {r:.4f} | Val NDCG@20: {r:.4f}"),
    ("Época {e} - paso 100 - pérdida: {b:.4f}", "Época {e} - pérdida: {l:.4f}", "Época {e} - validación recall: {r:.4f}"),
    ("Эпоха {e}, шаг 100, потери: {b:.4f}", "Эпоха {e}, потери: {l:.4f}", "Эпоха {e}, валидация recall: {r:.4f}"),
], ids=["polish", "spanish", "russian"])
def test_a_log_printed_in_another_language_is_read(tmp_path, epoch_line, mean_line, val_line):
    """A LightGCN loop printed in Polish ('Epoka', 'Średni loss' for the epoch's mean loss, 'Nowy
    najlepszy' for a new best): refused as an unknown format. A language's words are translated
    only when its own word for the loss is in the log."""
    lines = ["Liczba interakcji: 727062", "Batch size: 2048"]
    for e in range(12):
        lines += [epoch_line.format(e=e, b=0.7 / (1 + e)), mean_line.format(e=e, l=0.69 / (1 + e)),
                  val_line.format(e=e, r=0.015 + 0.001 * e), f"[Epoka {e:4d}] Nowy najlepszy Recall@20: {0.015 + 0.001 * e:.4f}"]
    h = _read_printed(tmp_path, lines, "training_logs.txt")
    assert list(h.series["loss"].steps) == list(range(12))
    assert h.series["loss"].values[0] == pytest.approx(0.69)
    val = [k for k in h.series if k.startswith("val_recall")]
    assert val and h.series[val[0]].values[-1] == pytest.approx(0.026)


def test_words_of_another_language_stay_as_they_are_without_its_loss_word():
    from fitdoctor.io.console.vocabulary import translate

    assert translate("Epoch 3 pas de souci, loss: 0.41") == "Epoch 3 pas de souci, loss: 0.41"
    assert translate("pas 120 | pierdere 0.5676") == "step 120 | loss 0.5676"


def test_a_paddle_loop_with_its_evaluation_announced_on_the_line_before(tmp_path):
    """'epoch: 3,  loss is: 0.249, acc is: 0.914' (PaddlePaddle's tutorials), printed again for the
    evaluation right under 'testing in eval mode......': refused as an unknown format ('loss is'),
    and the two lines of one epoch are a train and a validation record, not one overwriting the other."""
    lines = ["W1218 06:47:26.269699 11333 gpu_resources.cc:61] Please NOTE: device: 0", "testing in eval mode……",
             "epoch: 0,  loss is: 2.504774796962738, acc is: 0.0708582267165184"]
    for e in range(8):
        lines += [f"epoch: {e},  loss is: {0.6 / (1 + e)}, acc is: {0.78 + 0.02 * e}", "testing in eval mode……",
                  f"epoch: {e},  loss is: {0.5 / (1 + 0.5 * e)}, acc is: {0.83 + 0.01 * e}", "Now continue training……"]
        if e % 3 == 0:
            lines += ["New model has been saved!", ""]
    h = _read_printed(tmp_path, lines, "training_log.txt")
    assert list(h.series["loss"].steps) == list(range(8))
    assert h.series["loss"].values[1] == pytest.approx(0.3)
    assert h.series["val_loss"].values[0] == pytest.approx(0.5)  # the evaluation before training is replaced
    assert h.series["val_accuracy"].values[-1] == pytest.approx(0.9)


def _paddlevideo_log(epochs: int) -> list[str]:
    """PaddleVideo's trainer: batch lines of each epoch, then '[EVAL] epoch=N' and each metric on
    a line of its own ("top1_acc<TAB>0.8583") under an announcement that names what it computes."""
    lines = ["W1219 17:34:40.481001 25033 device_context.cc:447] Please NOTE: device: 0"]
    for e in range(1, epochs + 1):
        for b in range(10, 60, 10):
            lines.append(f"[TRAIN] epoch={e}, batch_id={b}, loss={2.0 / e + 0.01 * b / 10:.6f}, lr=0.001000,"
                         f"acc={0.5 + 0.04 * e:.3f}, avg_reader_cost: 0.000 sec, avg_batch_cost: 1.230 sec, "
                         f"avg_samples: 16, avg_ips: 13.005 images/sec  ETA 20:27:48")
        lines += [f"[EVAL] epoch={e}", "", "Evaluating top_k_accuracy ...", "",
                  f"top1_acc\t{0.80 + 0.01 * e:.4f}", f"top5_acc\t{0.95 + 0.001 * e:.4f}", "",
                  "Evaluating mean_class_accuracy ...", "", f"mean_acc\t{0.79 + 0.01 * e:.4f}", "Save best model."]
    return lines


def test_metric_lines_under_an_announced_evaluation_are_that_epochs_validation(tmp_path):
    """'top1_acc  0.8583' a line each under 'Evaluating top_k_accuracy ...' (PaddleVideo): the
    evaluation of the epoch before it. Each line had begun a one-point run of its own, and the
    log was refused ("only one epoch of values"); the batch counter is no curve."""
    h = _read_printed(tmp_path, _paddlevideo_log(8), "train_2.log")
    assert list(h.series["val_top1_acc"].steps) == list(range(1, 9))
    assert h.series["val_top1_acc"].values[-1] == pytest.approx(0.88)
    assert h.series["val_top5_acc"].values[0] == pytest.approx(0.951)
    assert len(h.series["loss"].values) == 8 and "batch_id" not in h.series
    assert any("announced evaluation" in note for note in h.meta["notes"])


def test_an_announced_test_evaluation_names_the_test_split_and_skips_its_breakdown(tmp_path):
    """'Evaluating on TEST set ...' then 'Mean r : 0.30' and per-joint rows repeating the same
    metric: the metric lines are the test split's, and a breakdown does not overwrite them."""
    lines = [f"Epoch {e:03d}/6 | Loss: {20 - 2 * e:.4f} | Val r: {0.1 * e:.4f} | Val MAE: {5 - 0.2 * e:.4f}"
             for e in range(1, 7)]
    lines += ["Evaluating on TEST set ...", "Mean r : 0.3041", "Mean MAE : 4.2593",
              "GHR    r=0.2838  MAE=3.3085", "GKR    r=0.3378  MAE=7.7903"]
    h = _read_printed(tmp_path, lines, "train.log")
    assert h.series["val_r"].values[-1] == pytest.approx(0.6)
    test = {k: v.values[-1] for k, v in h.series.items() if k.startswith("test_")}
    assert test and all(v in (pytest.approx(0.3041), pytest.approx(4.2593)) for v in test.values())
    assert any("read as the test split's evaluation" in note for note in h.meta["notes"])


def test_an_evaluation_line_opening_with_its_step_joins_the_iteration_lines(tmp_path):
    """'  eval 20: train 1.0542 | val 1.1876 | 1.7134 bpc' between 'iter 50 | loss 0.9582 | lr ..'
    lines (a char-level LM's fine-tune loop): the evaluation at step 20, train and validation
    loss by their bare split words, on the iterations' axis. Each stretch between iter lines
    had been a run of its own, its evaluations counted 1, 2, 3."""
    lines = ["finetune: train 105,154 | val 16,282 tokens", "params: 14.20M",
             "iter      0 | loss 1.2678 | lr 1.00e-06 | 0s"]
    for i in range(20, 181, 20):
        lines.append(f"  eval {i}: train {1.1 - i / 1000:.4f} | val {1.2 - i / 2000:.4f} | {1.7 - i / 1000:.4f} bpc")
        if i % 40 == 0:
            lines.append("  saved /content/tiny-shrek/finetune.pt")
        if i % 50 == 40:
            lines.append(f"iter {i + 10:6d} | loss {1.0 - i / 1000:.4f} | lr 2.96e-05 | 5s")
    h = _read_printed(tmp_path, lines, "finetune.log")
    assert h.series["val_loss"].axis == "step"
    assert list(h.series["val_loss"].steps) == list(range(20, 181, 20))
    assert h.series["val_loss"].values[-1] == pytest.approx(1.11)


def test_a_tagged_epoch_start_line_owns_its_step_lines_and_top_k_results(tmp_path):
    """'[INFO] Epoch 1/30 started' over '[INFO] step=20/144 loss=4.5657' lines, then '[INFO] Epoch
    train finished, avg_loss=4.4822' and '[INFO] val results: Top-1: 0.0636, Top-5: 0.1999' (a
    video model's fine-tune): one run of 30 epochs, the steps batches of their epoch, the top-1
    accuracy the validation curve. It had been 30 one-epoch runs with no validation."""
    lines = []
    for e in range(1, 31):
        lines.append(f"[INFO] Epoch {e}/30 started")
        lines += [f"[INFO] step={b}/144 loss={4.6 - 0.13 * e - b / 1000:.4f}" for b in range(20, 141, 20)]
        lines += [f"[INFO] Epoch train finished, avg_loss={4.5 - 0.13 * e:.4f}, time=36.9s",
                  f"[INFO] val results: Top-1: {0.06 + 0.02 * e:.4f}, Top-5: {0.2 + 0.02 * e:.4f}"]
    h = _read_printed(tmp_path, lines, "finetune.log")
    assert list(h.series["val_accuracy"].steps) == list(range(1, 31))
    assert h.series["val_accuracy"].values[-1] == pytest.approx(0.66)
    assert h.series["loss"].steps.max() == pytest.approx(30.0)


def test_a_bare_iteration_counter_with_its_total_is_a_step_axis_and_a_planned_length(tmp_path):
    """'[37000/70000] Train loss: .., Valid loss: ..' every 1000 iterations (the text-recognition
    trainers' log): iterations, not epochs, and a run that stopped at 53% of its planned length
    while validation still fell reads as cut short, not as healthy."""
    lines = []
    for i in [1] + list(range(1000, 37001, 1000)):
        lines += [f"[{i}/70000] Train loss: {0.2 + 200 / i:.5f}, Valid loss: {0.3 + 235 / i:.5f}, "
                  f"Elapsed_time: {i * 1.1:.5f}",
                  f"Current_accuracy : {min(88.0, 50 + i / 1000):.3f}, Current_norm_ED  : 0.80",
                  "-" * 80]
    h = _read_printed(tmp_path, lines, "log_train.txt")
    assert h.series["val_loss"].axis == "step" and h.meta["max_steps"] == 70000 and h.meta["global_step"] == 37000
    assert "elapsed_time" not in h.series  # a clock, not a curve
    d = fd.diagnose(h)
    assert d.top.code == "still_improving" and "at step 37000 of the 70000 planned (53%)" in d.top.message


def test_an_epoch_counter_with_its_total_records_the_planned_epochs(tmp_path):
    """'Epoch [12/50] loss: .. val_loss: ..' lines: the run was planned for 50 epochs and got to 12."""
    lines = [f"Epoch [{e}/50] loss: {1 / e:.4f} val_loss: {1.1 / e:.4f}" for e in range(1, 13)]
    h = _read_printed(tmp_path, lines)
    assert h.meta["planned_epochs"] == 50 and h.meta["epochs_done"] == 12
    assert h.series["loss"].axis == "epoch"


def test_a_table_drawn_with_bars_is_read_like_an_aligned_one(tmp_path):
    """' Epoch | TrainLoss | TrainAcc |  ValLoss |  ValAcc |       LR |   Time' over rows marked
    '<- best' at a new best (a breath-sound CNN's log): refused before ('no training output')."""
    lines = ["Starting training — 50 epochs, batch=256", "",
             " Epoch | TrainLoss | TrainAcc |  ValLoss |  ValAcc |       LR |   Time", "-" * 70]
    for e in range(1, 13):
        mark = "  ← best" if e % 3 == 0 else ""
        lines.append(f"{e:6d} | {1 / e:9.4f} | {50 + e:7.2f}% | {1.1 / e:8.4f} | {48 + e:6.2f}% | 0.001000 |  19.6s{mark}")
    h = _read_printed(tmp_path, lines)
    assert len(h.series["loss"]) == 12 and h.series["val_loss"].values[-1] == pytest.approx(1.1 / 12, abs=1e-4)
    assert h.series["val_accuracy"].values[0] == pytest.approx(0.49)


def test_a_file_holding_only_a_markdown_epoch_table_is_found_and_read(tmp_path):
    """'| epoch | train_loss | val_loss | val_acc |' over its ':---:' rule and rows: the sniff looked
    for aligned tables only, so such a file was an 'unknown log format' unless --format was given."""
    lines = ["| epoch | train_loss | val_loss | val_acc |", "|------:|-----------:|---------:|--------:|"]
    lines += [f"| {e} | {1 / e:.4f} | {1.2 / e:.4f} | {0.5 + e / 40:.3f} |" for e in range(1, 9)]
    h = _read_printed(tmp_path, lines, "results.md")  # found without --format
    assert h.meta["format"] == "console"
    assert len(h.series["val_loss"]) == 8 and h.series["val_accuracy"].values[-1] == pytest.approx(0.7)


def test_an_epoch_colon_header_with_its_total_opens_each_epoch(tmp_path):
    """'2018-09-20 16:38:56: epoch: 1/100' over a loss line and an accuracy line: the header was
    not known ('epoch: 30' alone can be a setting), so the two lines of each epoch were read as
    two points of a line counter, 200 'epochs' with loss on the odd ones."""
    lines = []
    for e in range(1, 13):
        lines += [f"2018-09-20 16:{e:02d}:56: epoch: {e}/100",
                  f"2018-09-20 16:{e:02d}:59: train loss = {2.3 / e:.6f} | val loss = {2.2 / e:.6f}",
                  f"2018-09-20 16:{e:02d}:59: train accuracy = {0.2 + e / 20:.6f} | val accuracy = {0.25 + e / 20:.6f}"]
    h = _read_printed(tmp_path, lines)
    assert list(h.series["val_loss"].steps) == list(range(1, 13))
    assert list(h.series["val_accuracy"].steps) == list(range(1, 13))
    assert h.meta.get("planned_epochs") == 100


def test_a_validation_line_of_top1_and_top5_is_the_val_accuracy(tmp_path):
    """GluonCV's ImageNet scripts print '[Epoch 3] validation: top1=0.441976 top5=0.706462' under
    '[Epoch 3] training: accuracy=...': with no metric word the quick filter passed over the line,
    so a 360-epoch run was judged on its train accuracy alone."""
    lines = []
    for e in range(10):
        lines += [f"[Epoch {e}] training: accuracy={0.1 + e / 20:.6f}",
                  f"[Epoch {e}] speed: 3815 samples/sec\ttime cost: 343.580997",
                  f"[Epoch {e}] validation: top1={0.17 + e / 25:.6f} top5={0.38 + e / 30:.6f}"]
    h = _read_printed(tmp_path, lines)
    assert h.series["val_accuracy"].values[3] == pytest.approx(0.17 + 3 / 25)
    assert h.series["accuracy"].values[3] == pytest.approx(0.25)


def test_a_bracketed_epoch_tag_with_named_losses_is_found_and_judged_on_the_overall_loss(tmp_path):
    """Moment-DETR's train.log: '2026_08_19_16_07_49 [Epoch] 001 [Loss] loss_span 0.8049 loss_giou
    1.0789 ... loss_overall 5.7453' was an 'unknown log format'; its parts are curves, and the
    weighted sum it names loss_overall is the objective."""
    lines = [f"2026_08_19_16_{e:02d}_49 [Epoch] {e:03d} [Loss] loss_span {0.8 / e:.4f} loss_giou {1.08 / e ** 0.5:.4f} "
             f"class_error {44 / e:.4f} loss_overall {2.4 + 3.3 / e:.4f}" for e in range(1, 21)]
    h = _read_printed(tmp_path, lines)
    assert list(h.series["loss"].steps) == list(range(1, 21))
    assert h.series["loss"].values[0] == pytest.approx(5.7) and "loss_span" in h.series


def test_a_split_word_before_a_key_names_its_split():
    """tqdm postfixes and hand prints put the split before the key: "Val Loss=0.61"."""
    assert extract_pairs("Validate: 100%|##| 8/8 [00:00<00:00, 19.12it/s, Val Loss=0.6106, Val Dice=0.000]") == \
        {"Val_Loss": 0.6106, "Val_Dice": 0.0}
    assert extract_pairs("epoch 0 iter 1000: eval loss = 3.9687,  cwr = 0.0017") == {"eval_loss": 3.9687, "cwr": 0.0017}
    assert extract_pairs("epoch 3 best val_acc=0.95 loss=0.2") == {"val_acc": 0.95, "loss": 0.2}


def test_split_sizes_are_not_read_as_losses():
    text = ("[Split] Train=3667 | Val=786 | Test=787\n[DataLoaders] Train=115 batches | Val=25 batches\n"
            + "".join(f"Epoch [{e:03d}/30] TrainLoss={1.5 - 0.05 * e:.4f} | ValLoss={1.3 - 0.03 * e:.4f}\n"
                      for e in range(1, 11)))
    runs = parse_console_text(text, source="t", fmt="console")
    assert len(runs) == 1 and _vals(runs[0], "loss")[0] == pytest.approx(1.45)


def _lesion_log(resume_at: int) -> str:
    """A run of 25 epochs, then a resume from its epoch-20 checkpoint (as a real VGG16 log)."""
    def line(e, tl, vl):
        return f"2026-05-08 22:49:56 | INFO | Epoch [{e:03d}/30] TrainLoss={tl:.4f} | ValLoss={vl:.4f} | LR=1.00e-04\n"
    first = "".join(line(e, 1.9 - 0.04 * e, 1.30 - 0.0125 * min(e, 20) + 0.004 * max(e - 20, 0)) for e in range(1, 26))
    loaded = f"2026-05-09 11:39:17 | INFO | [Checkpoint] Loaded <- best.pth  (epoch={resume_at - 1}, val_loss=1.0521)\n"
    second = "".join(line(e, 0.77 - 0.025 * (e - 21), 1.14 + 0.015 * (e - 21)) for e in range(resume_at, 31))
    return first + loaded + second


def test_a_run_resumed_from_a_checkpoint_is_joined_to_the_run_it_resumes():
    run, = parse_console_text(_lesion_log(21), source="t", fmt="console")
    x = run.series["val_loss"].steps
    assert list(x) == list(range(1, 31))  # epochs 21-25 of the first run were thrown away by the resume
    assert _vals(run, "val_loss")[20] == pytest.approx(1.14)  # the resumed run's, not the checkpoint note's
    assert any("resumed at epoch 21" in n for n in run.meta["notes"])
    assert fd.diagnose(run).top.code == "overfitting"


def test_a_run_that_starts_again_at_the_first_epoch_is_a_run_of_its_own():
    first_run = _lesion_log(21).split("2026-05-09")[0]  # the 25 epochs before the checkpoint line
    runs = parse_console_text(first_run + first_run, source="t", fmt="console")
    assert [len(r.series["loss"]) for r in runs] == [25, 25]


def test_a_validation_bar_without_an_epoch_belongs_to_the_epoch_it_follows():
    """A U-Net loop: a tqdm bar per epoch with its train metrics, and every 10 epochs a
    'Validate:' bar whose postfix holds 'Val Loss=' (a real crack-segmentation log)."""
    lines = []
    for e in range(41):
        lines.append(f"Train Epoch {e}: 100%|##########| 30/30 [00:04<00:00,  7.23it/s, Loss={0.5 / (1 + e):.4f}, "
                     f"Dice={0.1 + e / 50:.3f}, LR=1.00e-04]")
        if e % 10 == 0:
            lines.append(f"Validate: 100%|##########| 8/8 [00:00<00:00, 19.12it/s, Val Loss={0.6 / (1 + e / 10):.4f}, "
                         f"Val Dice={0.1 + e / 60:.3f}]")
    run, = parse_console_text("\n".join(lines) + "\n", source="t", fmt="console")
    assert list(run.series["val_loss"].steps) == [0, 10, 20, 30, 40]
    assert len(run.series["loss"]) == 41


def test_python_loggings_default_prefix_leaves_the_split_word_that_opens_the_message():
    """'%(asctime)s - %(name)s - %(levelname)s - %(message)s' before 'Epoch 1 Validation - Loss: ..'."""
    stamp = "2025-07-05 12:57:21,354 - __main__ - INFO - "
    text = "".join(f"{stamp}Epoch {e} Training - Loss: {1.2 / e:.4f}, Acc: {0.8 + e / 100:.4f}\n"
                   f"{stamp}Epoch {e} Validation - Loss: {18 + 3 * e:.4f}, Acc: 0.2920\n" for e in range(1, 9))
    run, = parse_console_text(text, source="t", fmt="console")
    assert _vals(run, "val_loss")[0] == pytest.approx(21.0) and _vals(run, "loss")[0] == pytest.approx(1.2)
    assert fd.diagnose(run).top.code == "val_not_improving"


@pytest.mark.parametrize("stamp", ["04-07 07:30:38, ", "[21:45:47.326847] ", "12/05 14:22:01 "])
def test_a_stamp_without_the_year_leaves_the_split_word_after_the_epoch(stamp):
    """A counting model's log: "04-07 07:30:38, Epoch 50 Val, MAE: 14.68, MSE: 64.80": the split
    word follows the epoch under a stamp with no year (or the time alone), and names the split
    of every value on the line. Read as train values, val MAE overwrote the train MAE."""
    lines = []
    for e in range(1, 13):
        lines.append(f"{stamp}Epoch {e} Train, reg:0.13, RRC_stage1:{0.2 - e / 200:.4f}, mae:{20 - e:.2f}, "
                     f"mse:{40 - e:.2f}, Cost: 669.3 sec")
        lines.append(f"{stamp}Epoch {e} Val, MAE: {14 + abs(e - 5) / 2:.2f}, MSE: {60 + abs(e - 5):.2f} Cost 239.5 sec")
    run, = parse_console_text("\n".join(lines) + "\n", source="t", fmt="console")
    assert _vals(run, "val_mae")[0] == pytest.approx(16.0) and _vals(run, "mae")[0] == pytest.approx(19.0)
    assert len(run.series["val_mae"]) == 12


def test_the_metric_judged_is_one_logged_for_both_splits():
    """A train-only term ("reg", which reads as no loss) beside a train and a val MAE: the
    verdict is on the MAE that validation measures, not "no findings"."""
    lines = [f"Epoch {e} | reg: 0.137 | mae: {30 / e:.3f} | val_mae: {14 + max(0, e - 6) * 0.8:.3f}" for e in range(1, 21)]
    run, = parse_console_text("\n".join(lines) + "\n", source="t", fmt="console")
    d = fd.diagnose(run)
    assert d.findings and all("reg" not in f.message.split()[0] for f in d.findings)
    assert d.top.code in ("overfitting", "val_not_improving")



def test_a_log_no_sniffer_claims_is_read_when_reading_finds_a_loss_curve(tmp_path):
    """A chest X-ray script: a banner, then per epoch a classification report (a table, which
    the console sniffer leaves to the CSV reader) between '[TRAIN]'/'[VAL]' lines."""
    stamp = "2026-04-25 15:54:05,873 | INFO | "
    report = ("              precision    recall  f1-score   support\n\n"
              "      normal       0.36      0.51      0.42        70\n   pneumonia       0.24      0.17      0.20        70\n\n"
              "    accuracy                           0.40       140\n   macro avg       0.30      0.34      0.31       140\n")
    body = "".join(f"{stamp}Epoch {e}/12  |  LR=3.00e-04\n{stamp}[TRAIN] loss={2.0 / e:.4f}  macro_F1=0.33\n"
                   f"{stamp}[VAL]   loss={1.7 - 0.02 * e:.4f}  macro_F1=0.36\n{stamp}\n{report}" for e in range(1, 13))
    p = tmp_path / "train.log"
    p.write_text(f"{stamp}{'=' * 70}\n{stamp}Chest X-ray Multi-Class Diagnostic System\n{stamp}{'=' * 70}\n" + body)
    run, = fd.read_runs(str(p))
    assert len(run.series["val_loss"]) == 12
    assert any("read as console output" in n for n in run.meta["notes"])
    with pytest.raises(BadInput, match="unknown log format"):
        (tmp_path / "notes.txt").write_text("meeting at 10\nroom 4, floor 2\n" * 20)
        fd.read_runs(str(tmp_path / "notes.txt"))


def test_a_log_no_sniffer_claims_is_read_when_its_perplexity_is_the_loss(tmp_path):
    """A language model's log: a JSON settings dump and step lines first, then per epoch a
    'Train Energy .. | Train Perplexity ..' summary and no loss by name. Reading found no loss
    curve, because a perplexity becomes the loss (its log) only once its names are read; the
    file had been an unknown format."""
    stamp = "2025-09-17 14:31:33,313 - INFO - "
    head = (f"{stamp}\n{'#' * 100}\n{stamp}Saving the hyperparameters configurations:\n{stamp}{{\n"
            + "".join(f'      "key_{i}": {i},\n' for i in range(20)) + "}\n")
    body = ""
    for e, ppl in enumerate([62310.67, 79085.69, 144227.77, 322147.02, 846110.49], start=1):
        body += f"{stamp}Epoch {e}/5\n"
        body += "".join(f"{stamp}  Batch {b}/100 | Batch Energy: 3.1 | Perplexity: {ppl * (0.9 + 0.01 * b):.4f}\n"
                        for b in range(10, 101, 10))
        body += f"{stamp}Epoch {e}/5 | Train Energy: {2.9 + 0.3 * e:.4f} | Train Perplexity: {ppl:.4f}\n"
    p = tmp_path / "training.log"
    p.write_text(head * 3 + body)
    runs = fd.read_runs(str(p))
    assert runs[-1].series["loss"].values[0] == pytest.approx(math.log(62310.67))
    assert fd.diagnose(runs[-1]).top.code == "diverging"


def test_a_u_net_log_of_its_val_dice_alone_is_read_evaluation_by_evaluation(tmp_path):
    """Pytorch-UNet's forks log one 'INFO: Validation Dice Coeff: 0.51' per evaluation, with no
    epoch or step beside it, under a settings banner: no sniffer claims it, and with no loss to
    find it had been refused. Four such lines are too few to be a curve."""
    banner = ("INFO: Using device cuda\nINFO: Starting training:\n        Epochs:          100\n"
              "        Batch size:      1\n        Learning rate:   0.001\n")
    dice = [0.513, 0.595, 0.632, 0.686, 0.659, 0.673, 0.672, 0.709, 0.723, 0.714, 0.727]
    p = tmp_path / "train_log.log"
    p.write_text(banner + "".join(f"INFO: Validation Dice Coeff: {d}\n" for d in dice) + "INFO: Checkpoint 20 saved !\n")
    run, = fd.read_runs(str(p))
    assert run.series["val_dice_coeff"].values.tolist() == dice
    assert fd.diagnose(run).summary["best_value"] == 0.727
    p.write_text(banner + "".join(f"INFO: Validation Dice Coeff: {d}\n" for d in dice[:4]))
    with pytest.raises(BadInput, match="unknown log format"):
        fd.read_runs(str(p))


def test_bare_train_and_val_beside_a_metric_are_the_losses(tmp_path):
    """'Epoch 001: train=2.5584, val=2.3731, ppl=10.73 [BEST]': the perplexity beside them kept
    the line-level reading from naming the bare 'train' and 'val' numbers, so no loss was read and
    nothing was judged; the run's curves named by their split alone are its losses."""
    lines = [f"2025-11-04 10:38:{e:02d},570 - INFO - Epoch {e:03d}: train={0.1 + 2.4 * 0.8 ** e:.4f}, "
             f"val={0.12 + 2.2 * 0.8 ** e:.4f}, ppl={2.7 ** (0.12 + 2.2 * 0.8 ** e):.2f}" for e in range(1, 41)]
    h = _read_printed(tmp_path, lines)
    assert h.series["loss"].values[0] == pytest.approx(0.1 + 2.4 * 0.8, abs=1e-4)
    assert "val_loss" in h.series
    assert [f.code for f in fd.diagnose(h).findings] == ["healthy"]


def test_opennmt_validation_perplexity_is_read_as_the_validation_loss(tmp_path):
    """OpenNMT prints 'Step 200/100000; acc: 30.68; ppl: 26.8; xent: 3.29; lr: 1.00000' and, at each
    validation, 'Validation perplexity: 5.45' and 'Validation accuracy: 44.6': no loss by name, so
    the run was judged on val accuracy alone. xent is the cross-entropy; ln(perplexity) is too."""
    lines = []
    for step in range(100, 1700, 100):
        xent = 0.02 + 3.3 * 0.7 ** (step / 100)
        lines.append(f"[2024-05-08 04:06:{step % 60:02d},463 INFO] Step {step}/100000; acc:  {100 - 60 * 0.7 ** (step / 100):.2f}; "
                     f"ppl:  {math.exp(xent):.2f}; xent: {xent:.2f}; lr: 1.00000; 14951/11576 tok/s;     69 sec")
        if step % 200 == 0:
            val = 0.05 + 1.6 * 0.6 ** (step / 200)
            lines += [f"[2024-05-08 04:06:28,463 INFO] Validation perplexity: {math.exp(val):.5f}",
                      f"[2024-05-08 04:06:28,463 INFO] Validation accuracy: {100 - 50 * 0.6 ** (step / 200):.4f}"]
    h = _read_printed(tmp_path, lines)
    assert "loss" in h.series and h.series["loss"].raw_name == "xent"
    assert h.series["val_loss"].values[-1] == pytest.approx(0.05 + 1.6 * 0.6 ** 8, abs=1e-4)
    assert any("ln(perplexity)" in n for n in h.meta["notes"])


def test_a_batch_counted_from_0_does_not_overwrite_the_epoch_before(tmp_path):
    """'Epoch 2, Batch 0/8, Loss: 0.29' opens epoch 2; read at 0/8 of epoch 2 it sat on epoch 1's
    end, the x of 'Epoch 1 Training - Loss: 1.2084', and took its place in the train curve."""
    lines = []
    for e in range(1, 13):
        lines += [f"2025-07-05 12:57:11,293 - __main__ - INFO - Epoch {e}, Batch 0/8, Loss: {2.5 / e:.4f}",
                  f"2025-07-05 12:57:18,784 - __main__ - INFO - Epoch {e} Training - Loss: {1.2 / e:.4f}, Mod Acc: 0.8061, Time: 16.9s",
                  f"2025-07-05 12:57:21,354 - __main__ - INFO - Epoch {e} Validation - Loss: {1.0 + 0.01 * e:.4f}, Mod Acc: 0.5"]
    h = _read_printed(tmp_path, lines)
    loss = h.series["loss"]
    at = dict(zip(loss.steps.tolist(), loss.values.tolist()))
    assert all(at[float(e)] == pytest.approx(1.2 / e, abs=1e-4) for e in range(1, 13))


def test_an_image_restorer_that_prints_only_its_val_psnr_and_ssim_is_read(tmp_path):
    """'Epoch: [3/100],Val_PSNR: 37.14, Val_SSIM: 0.9960': a restoration net's scores, named
    after the split and an underscore, with no loss beside them, had been refused as an
    unknown format."""
    lines = [f"Date: 2023-10-29 11:{e % 60:02d}:34s, Time_Cost: 98s, Epoch: [{e}/40],"
             f"Val_PSNR: {25 + 10 * math.log(e):.2f}, Val_SSIM: {1 - 0.05 / e:.4f}" for e in range(1, 41)]
    h = _read_printed(tmp_path, lines)
    assert set(h.series) == {"val_psnr", "val_ssim"}
    assert h.series["val_psnr"].values[-1] == pytest.approx(25 + 10 * math.log(40), abs=0.01)
    assert fd.diagnose(h).top.code == "still_improving"


def _bare_counter_log(*runs: int) -> str:
    out = []
    for r, epochs in enumerate(runs):
        out.append("running with learning rate = 0.0001 and batch size = 700\nData Prepared:\n")
        for e in range(1, epochs + 1):
            line = (f"{e}\ttrain loss={0.66 - 0.01 * e - 0.1 * r:.3f}\ttrain acc={0.59 + 0.01 * e:.3f}\t"
                    f"valid loss={1.28 + 0.25 * e:.3f}\tvalid acc=0.500")
            out.append(line + ("\t> saved as best model!" if e == 1 else "") + "\n")
        out.append("\n\n")
    return "".join(out)


def test_a_bare_counter_leading_each_line_is_the_epoch_and_a_restart_begins_a_new_run(tmp_path):
    """``1<TAB>train loss=0.663<TAB>...``: the leading number counts epochs; when it starts again
    at 1 a new run begins. Read as one sequence, two runs' train losses joined into a
    'diverging' loss that grew from the first run's 0.2 to the second's 0.47."""
    p = tmp_path / "log.txt"
    p.write_text(_bare_counter_log(5, 17))
    runs = fd.read_runs(str(p))
    assert [len(r.get("loss").values) for r in runs] == [5, 17]
    assert list(runs[1].get("val_loss").steps[:3]) == [1.0, 2.0, 3.0]


def test_a_record_with_a_checkpoint_message_after_it_is_read_not_skipped(tmp_path):
    """``... valid acc=0.500   > saved as best model!``: the epoch's values come first on the
    line; the message after them is no reason to drop the epoch."""
    p = tmp_path / "log.txt"
    p.write_text(_bare_counter_log(6))
    h = fd.read_runs(str(p))[0]
    assert h.get("val_loss").steps[0] == 1.0 and len(h.get("val_loss").values) == 6


def test_ep_abbreviating_epoch_numbers_the_epochs_and_a_restart_starts_a_run(tmp_path):
    """"📊 Ep 60: Loss:0.1661 | P:0.9239 R:0.9506 F1:0.9370 IoU:0.8815", then a fine-tuning
    stage from "Ep 1:" again: "Ep" is the epoch. It had been read as a metric named "ep", and
    the stages joined into one run whose loss jumped back up at each restart."""
    lines = []
    for stage in range(2):
        lines.append(f"[Stage {stage + 1}] training starts...")
        for e in range(1, 13):
            loss = (3.0 if stage == 0 else 1.0) / e ** 0.5
            lines.append(f"\U0001F4CA Ep {e}: Loss:{loss:.4f} | P:0.{60 + e} R:0.{70 + e} F1:0.{65 + e} IoU:0.{45 + e}")
    p = tmp_path / "train_output.log"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = fd.read_runs(str(p))
    assert len(runs) == 2
    assert all(len(r.get("loss").values) == 12 and "ep" not in r.series for r in runs)


def _fitter_log(epochs: int, fold: int | None = None) -> str:
    """A Kaggle "Fitter" loop's log: step lines ("Train Step 10/50, summary_loss: ..") whose
    counter starts again in every epoch and every evaluation pass, then the epoch's own
    "[RESULT]: Train. Epoch: 0, summary_loss: .." and "[RESULT]: Val. ..." lines."""
    tag = "" if fold is None else f"[2020-11-19 23:23:23,379] [INFO] [fold {fold}], "
    lines = ["Fitter prepared. Device is cuda:0"]
    for e in range(epochs):
        tl, vl = 0.9 * 0.8 ** e, 0.85 * 0.85 ** e
        lines.append("".join(f"{tag}Train Step {s}/50, summary_loss: {tl + 0.3:.5f}, time: {s * 0.5:.5f}\r"
                             for s in range(0, 50, 10))
                     + f"{tag}[RESULT]: Train. Epoch: {e}, summary_loss: {tl:.5f}, time: 120.12345")
        lines.append("".join(f"{tag}Val Step {s}/10, summary_loss: {vl + 0.2:.5f}, time: {s * 0.5:.5f}\r"
                             for s in range(0, 10, 3))
                     + f"{tag}[RESULT]: {'VAL' if fold else 'Val'}. Epoch: {e}, summary_loss: {vl:.5f}, time: 13.1")
    return "\n".join(lines) + "\n"


def test_step_lines_that_start_again_each_epoch_leave_the_epoch_summaries_as_the_curve(tmp_path):
    """The step counter starts again within every epoch and every evaluation pass, so the step
    lines are progress, and the "[RESULT]: Train./Val. Epoch: N" summaries are the curve. They
    had been left out as summaries between step lines, and each epoch's steps read as a run of
    its own (16 runs of a constant loss for 8 epochs)."""
    p = tmp_path / "log.txt"
    p.write_text(_fitter_log(8))
    runs = fd.read_runs(str(p))
    assert len(runs) == 1
    h = runs[0]
    assert h.get("loss").values[0] == pytest.approx(0.9) and len(h.get("loss").values) == 8
    assert h.get("val_loss").values[-1] == pytest.approx(0.85 * 0.85 ** 7, abs=1e-5)
    assert any("left out" in n and "step line" in n for n in h.meta["notes"])


def test_fold_tags_before_the_split_word_name_the_split_and_each_fold_is_a_run(tmp_path):
    """"[fold 0], [RESULT]: VAL. Epoch: 0, summary_loss: ..": the bracketed tags before the split
    word do not hide it (the validation values had overwritten the train ones), the fold
    number is no metric, and the folds, each counting its epochs from 0, are runs of their own."""
    p = tmp_path / "log.log"
    p.write_text(_fitter_log(6, fold=0) + _fitter_log(5, fold=1))
    runs = fd.read_runs(str(p))
    assert [len(r.get("val_loss").values) for r in runs] == [6, 5]
    assert all("fold" not in r.series for r in runs)
    assert runs[0].get("loss").values[1] == pytest.approx(0.72)


def test_epoch_averages_after_restarting_step_lines_are_the_curve(tmp_path):
    """"[E1] step 0 loss 9.24" .. "Epoch 1 avg-loss 1.0192": per-step losses of a LoRA fine-tune
    (0.0006 to 21.6) under a counter that starts again each epoch, then the epoch's average.
    The averages are what the run learned; the steps had read as five runs of noise."""
    rng = np.random.default_rng(0)
    lines = []
    for e, avg in enumerate([1.0192, 0.7737, 0.6660, 0.5914, 0.5375], start=1):
        lines += [f"[E{e}] step {s} loss {avg * rng.exponential():.4f}" for s in range(0, 300, 10)]
        lines.append(f"Epoch {e} avg-loss {avg:.4f}")
    p = tmp_path / "train_log.txt"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(str(p))
    assert len(runs) == 1
    assert list(runs[0].get("loss").values) == [1.0192, 0.7737, 0.6660, 0.5914, 0.5375]
    assert fd.diagnose(runs[0]).findings[0].code == "still_improving"


def test_an_early_stopping_message_in_its_own_words_is_no_curve(tmp_path):
    """"val loss not improve for 20 epochs ,was stopped, with best loss model ..": a callback's
    message (its number counts epochs), not a one-point curve named ``loss_not_improve_for``
    beside the run's loss in the report."""
    p = tmp_path / "log.log"
    p.write_text(_fitter_log(6, fold=0) + "[2020-11-19 23:26:06,205] [INFO] val loss not improve for 20 epochs "
                 ",was stopped, with best loss model ./models/fold0_epoch_4.pth\n" + _fitter_log(5, fold=1))
    runs = fd.read_runs(str(p))
    assert [sorted(r.series) for r in runs] == [["loss", "val_loss"], ["loss", "val_loss"]]


def _yolo_v4_log(epochs: int, *, repeat_eval: bool = True) -> str:
    """A YOLOv4 script's log: Python logging's ``[time]-[train.py line:N]:`` prefix, an epoch
    counter from 0 with its step counter on each line, and each evaluation printed three ways."""
    lines = []
    for e in range(epochs):
        t = f"[2021-01-08 16:{e:02d}:26,971]-[train.py line:{{}}]:"
        lines.append(t.format(161) + f"===Epoch:[{e}/{epochs}]=== ")
        for s in range(0, 197, 20):
            loss = 8.0 / (e + 1) + 0.01 * s / 197
            lines.append(t.format(229) + f"  === Epoch:[{e:3d}/{epochs}],step:[{s:3d}/197],img_size:[416],"
                                         f"total_loss:{loss:.4f}|loss_ciou:{loss / 2:.4f}|lr:0.0010 ")
        m = 0.9 - 0.8 / (e + 1)
        lines.append(t.format(273) + "===== Validate ===== ")
        if repeat_eval:
            lines.append(t.format(281) + f"phone --> mAP : {m:.16f} ")
        lines.append(t.format(284) + f"mAP : {m:.16f} ")
        if repeat_eval:
            lines.append(t.format(291) + f"  ===test mAP:{m:.3f} ")
    return "\n".join(lines) + "\n"


def test_an_epoch_counter_from_zero_with_its_steps_and_evaluations_printed_thrice_is_one_run(tmp_path):
    """"Epoch:[  0/120],step:[ 10/197]" counts epochs from 0: epoch 1's batches lie after epoch
    0's, not on top of them. "[train.py line:229]" is where the logger was called, not a metric.
    "phone --> mAP : 0.113", "mAP : 0.113" and "===test mAP:0.113" are one evaluation. Each had
    cut the run at every epoch (120 runs of one epoch each). mAP alone on a line after an
    epoch's step lines is that epoch's evaluation: a score no training batch computes."""
    p = tmp_path / "nohup.log"
    p.write_text(_yolo_v4_log(6))
    runs = fd.read_runs(str(p))
    assert len(runs) == 1
    h = runs[0]
    assert not any("line" in name or ".py" in name for name in h.series)
    loss = h.get("loss")
    assert len(loss.values) == 60 and np.all(np.diff(loss.steps) > 0) and loss.steps[-1] > 4
    assert list(h.get("val_map").steps) == [0, 1, 2, 3, 4, 5]  # each closes its epoch, numbered as the log does
    p.write_text(_yolo_v4_log(6, repeat_eval=False))  # printed once: the same curve
    again = fd.read_runs(str(p))[0]
    assert list(again.get("val_map").values) == list(h.get("val_map").values)


def test_a_deepxde_table_of_two_phases_is_one_run_of_summed_loss_terms(tmp_path):
    """DeepXDE prints one bracketed list per split, a term per equation and condition; its loss
    is their sum (its own "Best model ... train loss" summary says so). Adam, then L-BFGS: the
    header again, the steps counted on. The summary repeats a row and is no point of its own.
    Before, only the two summaries were read: a run of two identical points."""
    rows = [(0, [1.18e-02, 1.29e-02, 5.61e-01]), (1000, [3.86e-02, 7.37e-04, 5.66e-02]),
            (2000, [2.49e-02, 2.48e-04, 3.49e-02]), (3000, [9.48e-03, 1.19e-04, 8.82e-03]),
            (4000, [5.84e-03, 3.42e-05, 5.35e-03]), (5000, [3.76e-03, 2.04e-05, 3.75e-03])]
    head = "Step      Train loss                        Test loss                         Test metric"
    cell = lambda v: "[" + ", ".join(f"{x:.2e}" for x in v) + "]"
    text = ["Compiling model...", "'compile' took 1.176812 s", "", "Training model...", "", head]
    text += [f"{s:<10}{cell(v):<34}{cell(v):<34}[]  " for s, v in rows]
    text += ["", "Best model at step 5000:", "  train loss: 7.53e-03", "  test loss: 7.53e-03",
             "  test metric: []", "", "Training model...", "", head]
    text += [f"{s:<10}{cell(rows[-1][1]):<34}{cell(rows[-1][1]):<34}[]  " for s in range(5000, 5300)]  # L-BFGS
    p = tmp_path / "log.txt"
    p.write_text("\n".join(text) + "\n")
    run, = fd.read_runs(str(p))
    loss = run.get("loss")
    assert loss.values[0] == pytest.approx(0.5857) and loss.steps[-1] == 5299
    assert list(run.series) == ["loss", "val_loss"] and run.axis == "step"
    assert len(loss.values) == 305 and np.all(np.diff(loss.steps) > 0)


def test_pycocotools_summary_tables_between_epochs_give_the_evaluations_map(tmp_path):
    """pycocotools prints twelve "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all |
    maxDets=100 ] = 0.375" lines per evaluation: their IoU thresholds and detection caps had read
    as metrics (iou 0.5, maxdets 100) and cut the run in two at every evaluation. The first two,
    mAP@0.5:0.95 and mAP@0.5 over all areas, are the evaluation's validation scores (YOLOX prints
    nothing else to judge it by); the other ten are breakdowns."""
    coco = []
    for kind, short in (("Precision", "AP"), ("Recall", "AR")):
        for iou in ("0.50:0.95", "0.50     ", "0.75     "):
            coco.append(f" Average {kind:<9} ({short}) @[ IoU={iou} | area=   all | maxDets=100 ] = 0.312")
    lines = []
    for e in range(1, 7):
        lines += [f"Epoch {e} [{b:4d}/188] loss={2.0 / e + 0.01 * b / 188:.4f} cls=0.2" for b in range(0, 188, 40)]
        lines += ["Accumulating evaluation results...", "DONE (t=0.03s)."] + coco
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(str(p))
    assert len(runs) == 1 and sorted(runs[0].series) == ["cls", "loss", "val_map50", "val_map50_95"]
    assert list(runs[0].series["val_map50_95"].values) == [0.312] * 6
    # a summary before any training record (an evaluation script's) is no point of a curve
    p.write_text("\n".join(coco + lines) + "\n")
    assert len(fd.read_runs(str(p))[0].series["val_map50_95"].values) == 6


def test_metrics_named_with_their_split_at_a_step_are_read(tmp_path):
    """The knowledge-graph embedding trainers that grew out of RotatE's run.py log one metric a
    line: "Training average loss at step 100: 1.286299", "Valid MRR at step 10000: 0.729632".
    Such a log had been refused as an unknown format."""
    lines = ["2025-12-03 18:59:39,415 INFO     Model: RotatE", "2025-12-03 18:59:44,251 INFO     batch_size = 1024"]
    for step in range(0, 6001, 100):
        if step % 2000 == 0:
            mrr = 0.004 if step == 0 else 0.8 - 0.4 / (step / 1000)
            lines += [f"2025-12-03 19:02:01,701 INFO     Valid MRR at step {step}: {mrr:.6f}",
                      f"2025-12-03 19:02:01,701 INFO     Valid HITS@10 at step {step}: {mrr + 0.1:.6f}"]
        if step:
            lines += [f"2025-12-03 19:02:06,356 INFO     Training average positive_sample_loss at step {step}: {2.0 / (step / 100) ** 0.5:.6f}",
                      f"2025-12-03 19:02:06,356 INFO     Training average loss at step {step}: {1.3 / (step / 100) ** 0.5:.6f}"]
    lines.append("2025-12-03 22:18:29,235 INFO     Test MRR at step 5999: 0.790398")
    p = tmp_path / "train.log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.axis == "step"
    assert run.series["loss"].values[0] == pytest.approx(1.3)
    assert run.series["val_mrr"].steps.tolist() == [0, 2000, 4000, 6000]
    assert run.series["val_hits@10"].values[0] == pytest.approx(0.104)


def test_stylegan_metric_lines_are_the_curve_at_their_snapshot(tmp_path):
    """StyleGAN2-ADA prints no loss; its metric lines ({"results": {"fid50k_full": ..},
    "snapshot_pkl": "network-snapshot-000400.pkl", ..}) between the tick lines are the run's
    curve, at the snapshot's kimg. FID is a distance: lower is better. Such a log had been
    refused as an unknown format."""
    fids = [294.2, 243.9, 213.6, 221.4, 193.5, 179.9, 168.6, 161.4, 143.5]
    lines = ["Loading training set...", "", "Num images:  752"]
    for i, fid in enumerate(fids):
        kimg = 40 * i
        lines.append(f"tick {i * 10:<5d} kimg {kimg:<8.1f} time 9h 30m 32s   sec/tick 284.9   augment 0.352")
        lines.append('{"results": {"fid50k_full": %s}, "metric": "fid50k_full", "total_time": 622.2, '
                     '"total_time_str": "10m 22s", "num_gpus": 1, "snapshot_pkl": "network-snapshot-%06d.pkl", '
                     '"timestamp": 1678905837.7}' % (fid, kimg))
    p = tmp_path / "log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    s = run.series["val_fid50k_full"]
    assert s.steps.tolist() == [40.0 * i for i in range(len(fids))] and s.values.tolist() == fids
    d = fd.diagnose(run)
    assert d.top is not None and d.top.code == "still_improving", d.codes


def test_an_evaluation_printed_a_metric_a_line_is_one_row(tmp_path):
    """Caffe's "Test net output #k: name = value" lines with no iteration line above them: the
    four metrics of one evaluation had each become a row of their own, at four positions."""
    lines = []
    for i in range(6):
        for k, (name, v) in enumerate((("accuracy_action", 0.69 + 0.004 * i), ("loss_action", 0.91 - 0.01 * i))):
            lines += [f"    Test net output #{k}: {name} = {v:.6f}", ""]
    p = tmp_path / "log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    acc, loss = run.series["val_accuracy_action"], run.series["val_loss_action"]
    assert len(acc) == len(loss) == 6 and acc.steps.tolist() == loss.steps.tolist()


def test_a_loss_named_before_its_step_is_read_each_step(tmp_path):
    """'2017-08-18 02:43:53,914:<tab>Loss at step 1: 8.499695' under 'Start training epoch 1.' (a
    question-generation seq2seq's log): refused before as an unknown format."""
    lines = ["2017-08-18 02:43:52,360:\tStart training epoch 1."]
    lines += [f"2017-08-18 02:43:{s % 60:02d},914:\tLoss at step {s}: {5 + 3.5 * math.exp(-s / 20):.6f}" for s in range(1, 176)]
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.meta["format"] == "console"
    assert run.series["loss"].axis == "step"
    assert list(run.series["loss"].steps[:3]) == [1, 2, 3] and len(run.series["loss"]) == 175
    assert run.series["loss"].values[0] == pytest.approx(5 + 3.5 * math.exp(-1 / 20), abs=1e-6)


def test_a_log_of_python_logging_lines_claimed_as_csv_is_read_as_console_output(tmp_path):
    """Python logging's "19:02:06,356" puts a comma in every line, so a log of nothing else
    looks like a CSV; the CSV reader finds no numeric column in it. The console reader's curve
    is the file's: claimed by the console sniffer itself since it knows "<metric> at step N:"
    lines, and before that read as console output with a note saying so."""
    lines = [f"2025-12-03 19:02:{i:02d},356 INFO     Training average loss at step {i * 100}: {2.0 / i:.4f}"
             for i in range(1, 9)]
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.series["loss"].steps.tolist() == [100.0 * i for i in range(1, 9)]
    assert run.meta["format"] == "console"


def _allennlp_epoch(epoch: int, epochs: int, rows: dict[str, tuple[str, str]], logger: str) -> list[str]:
    """One epoch as AllenNLP's trainer logs it: its "Epoch N/M" line, then the metric table
    (the name column padded to the longest name, "N/A" where a split has no value)."""
    stamp = f"2019-05-30 12:{epoch:02d}:23,301 - INFO - "
    width = max(len(n) for n in rows)
    lines = [stamp + f"allennlp.training.trainer - Epoch {epoch}/{epochs - 1}",
             stamp + "allennlp.training.trainer - Peak CPU memory usage MB: 5093.528",
             stamp + "allennlp.training.trainer - Training",
             stamp + "allennlp.training.trainer - Validating",
             stamp + f"{logger} - " + "Training".rjust(width + 13) + " |  Validation"]
    for name, (train, val) in sorted(rows.items()):
        lines.append(stamp + f"{logger} - {name.ljust(width)} |  {train:>8}  |  {val:>8}")
    lines.append(stamp + "allennlp.training.trainer - Epoch duration: 0:14:27.000794")
    return lines


def test_allennlp_epoch_tables_are_the_curve(tmp_path):
    """AllenNLP logs each epoch's metrics as a "Training | Validation" table, a metric a row;
    such a log was refused as an unknown format. Each table is one epoch, counted from 0 as
    AllenNLP prints it; memory rows are left out, and an "N/A" cell is no value."""
    epochs, lines = 6, ["2019-05-30 11:45:56,545 - INFO - allennlp.training.trainer - Beginning training."]
    for e in range(epochs):
        rows = {"loss": (f"{2.9 - 0.4 * e:.3f}", f"{3.0 - 0.2 * e:.3f}"),
                "accuracy": (f"{0.1 + 0.1 * e:.3f}", f"{0.05 + 0.08 * e:.3f}"),
                "cpu_memory_MB": ("5093.528", "N/A"), "gpu_0_memory_MB": ("1505.000", "N/A")}
        lines += _allennlp_epoch(e, epochs, rows, "allennlp.training.tensorboard_writer")
    p = tmp_path / "stdout.log"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.series["val_loss"].values.tolist() == pytest.approx([3.0 - 0.2 * e for e in range(epochs)])
    assert run.series["loss"].steps.tolist() == list(range(epochs))
    assert run.series["val_accuracy"].values.tolist()[-1] == pytest.approx(0.45)
    assert not any("memory" in name for name in run.series)


def test_a_word_in_parentheses_between_a_metric_and_its_value_qualifies_the_name(tmp_path):
    """"val PR-AUC (cb+ff) 0.003": the qualifier had cut the name from its value, so the log
    read as train-only; joined, the score is the validation curve, and a higher-is-better one."""
    lines = ["params: 271,660  train: 2400  val: 400"]
    for e in range(1, 11):
        lines.append(f"epoch {e:2d}  loss {0.05 / e:.5f}  val PR-AUC (cb+ff) {0.02 * e:.3f}  68s")
    p = tmp_path / "train_log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    s = run.series["val_pr_auc_cb_ff"]
    assert s.values.tolist()[-1] == pytest.approx(0.2)
    d = fd.diagnose(run)
    assert d.top is not None and d.top.code == "still_improving" and "rising" in d.top.message, d.codes
    assert extract_pairs("Loss 6.91 (6.93) acc (top1) 0.71") == {"Loss": 6.91, "acc_top1": 0.71}


def test_a_qualifier_that_only_says_how_the_epoch_was_averaged_leaves_the_name_alone(tmp_path):
    """"loss(mean): 0.267 | val_loss(mean): 0.3": an epoch's value is its mean, so the qualifier
    names nothing new; joined ("loss_mean") the train loss was no loss at all and only a
    "val_loss_mean" score was judged."""
    lines = [f"[Epoch {e:02d}] loss(mean): {1 / (e + 1):.3f} | val_loss(mean): {1.1 / (e + 1) + 0.05:.3f}" for e in range(12)]
    p = tmp_path / "train_log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert sorted(run.series) == ["loss", "val_loss"]
    assert extract_pairs("D_loss(avg): 0.27 | acc (top1) 0.71") == {"D_loss": 0.27, "acc_top1": 0.71}


def _ner_trainer_log(epochs: int, steps: int = 120) -> list[str]:
    """An NER trainer's log as it writes it: logging timestamps, "Train: [ e/E] Step s/S Loss v"
    lines, the epoch's "Final Loss", its "Valid: [ e/E] Final ..." evaluation, and a per-category
    breakdown under a header that ends in a colon."""
    lines = []
    for e in range(1, epochs + 1):
        stamp = f"2021-12-19 01:{30 + e:02d}:04,540"
        for s in range(0, steps + 1, 40):
            lines.append(f"{stamp} Train: [{e:2d}/{epochs}] Step {s:03d}/{steps} Loss {250 / (e + s / steps):.3f}")
        lines.append(f"{stamp} Train: [{e:2d}/{epochs}] Final Loss {250 / (e + 1):.3f}")
        lines.append(f"{stamp} Valid: [{e:2d}/{epochs}] Final Accuracy {0.3 + 0.04 * e:.3f} "
                     f"Recall {0.05 * e:.3f} F1 {0.06 * e:.3f}")
        lines.append(f"{stamp} Valid Score For Each Entity Category: ")
        for name, f1 in (("name", 0.01), ("address", 0.02), ("movie", 0.0)):
            lines.append(f"{stamp} Category: {name} Accuracy 0.500 Recall 0.100 F1 {f1 * e:.3f}")
        lines.append(f"{stamp} ")
    return lines


def test_epochs_counted_in_brackets_after_the_split_word_are_one_run(tmp_path):
    """"Train: [ 1/5] Step 050/335 Loss ..": the bracket counts epochs and the step restarts in
    each; the log was read as ten one-epoch runs. A timestamped line is never the wrapped rest
    of the header above it, and the per-category rows are left out, so the evaluation's own F1
    is the curve (a category's F1 had replaced it)."""
    p = tmp_path / "log.txt"
    p.write_text("\n".join(_ner_trainer_log(5)) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.series["val_f1"].values.tolist() == pytest.approx([0.06 * e for e in range(1, 6)])
    assert run.series["val_f1"].steps.tolist() == [1, 2, 3, 4, 5]
    assert not any("name" in k or "address" in k for k in run.series), list(run.series)
    d = fd.diagnose(run)
    assert d.top is not None and d.top.code == "still_improving", d.codes


def test_a_batch_counter_in_brackets_after_test_is_no_epoch(tmp_path):
    """PyTorch's ImageNet example prints "Test: [10/242]  Time .. Loss .." with the batch in the
    brackets: only a bracket beside a batch counter, or one with the same total, counts epochs."""
    lines = []
    for e in range(4):
        for b in range(0, 60, 20):
            lines.append(f"Epoch: [{e}][{b}/60]\tTime 1.154 (1.408)\tLoss {3.0 - 0.5 * e - 0.01 * b:.4f} (3.0)")
        for b in range(0, 30, 10):
            lines.append(f"Test: [{b}/30]\tTime 0.604 (0.604)\tLoss {3.2 - 0.4 * e:.4f} ({3.2 - 0.4 * e:.4f})")
        lines.append(f" * Prec@1 {40 + 10 * e:.3f} Prec@5 {70 + 5 * e:.3f}")
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(str(p))
    assert all(max(s.steps) < 10 for r in runs for s in r.series.values()), [dict(r.series) for r in runs]


def test_prec_at_k_is_a_top_k_accuracy_by_its_old_name(tmp_path):
    """"EPOCH: 12 val Results: Prec@1 1.740 Prec@5 5.940" (a long-tailed CIFAR-100 run printing only
    its evaluations): "Prec@1", the ImageNet example's first name for top-1 accuracy, was no
    metric's name, so the log was refused as an unknown format."""
    lines = [f"2025-06-26 11:{e:02d}:13,215 EPOCH: {e} val Results: Prec@1 {1 + 0.5 * e:.3f} Prec@5 {4 + e:.3f}"
             for e in range(1, 21)]
    p = tmp_path / "log.txt"
    p.write_text("\n".join(lines) + "\n")
    run = fd.read(p)
    assert sorted(run.series) == ["val_prec@1", "val_prec@5"]
    assert list(run.series["val_prec@1"].steps) == list(range(1, 21))
    assert run.series["val_prec@5"].values[-1] == pytest.approx(24.0)
    assert extract_pairs("Loss 1.2 Prec@1 30.5") == {"Loss": 1.2, "Prec@1": 30.5}


def test_a_top_k_score_with_its_k_set_off_by_a_space_is_one_name():
    """"top 1 acc: 0.223": read apart, "top" took the 1 as its value and top-1 and top-5 shared
    the name "acc"."""
    assert extract_pairs("top 1 acc: 0.0354") == {"top1_acc": 0.0354}
    assert extract_pairs("top 5 acc: 0.1235") == {"top5_acc": 0.1235}
    assert extract_pairs("Top-1 error 0.31, loss 1.2") == {"top1_error": 0.31, "loss": 1.2}
    assert extract_pairs("stop 1 acc 0.5") != {"top1_acc": 0.5}  # a word that ends in "top" is no top-k


def test_a_split_word_with_the_share_it_was_taken_on_still_names_the_split(tmp_path):
    """"[Step 500/159210] Train 9.6801 | Val~20% 9.6793": a loop that evaluates on a fifth of its
    validation set; the log was refused as an unknown format."""
    lines = ["[07:55:57] [INFO] logger ready", "[08:01:49] [INFO] ========[ TRAINING START ]========"]
    for i in range(1, 13):
        lines.append(f"[08:{i:02d}:18] [INFO] [Step {500 * i:6d}/159210] Train {9.68 - 0.003 * i:.4f} | "
                     f"Val~20% {9.679 - 0.003 * i:.4f}")
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.series["val_loss"].values.tolist()[-1] == pytest.approx(9.679 - 0.036)
    assert run.series["loss"].steps.tolist()[:2] == [500, 1000]


def test_a_vae_that_prints_its_reconstruction_and_kl_terms_is_judged_on_the_reconstruction(tmp_path):
    """"Epoch [3/100] Recon: 0.0325 | KL: 4.3375 | Phys: 0.0000": no word "loss" anywhere; the log
    was refused. The reconstruction term is the loss (the KL term is reshaped by its warm-up)."""
    lines = ["Training Started", "=" * 50]
    for e in range(1, 31):
        lines.append(f"Epoch [{e}/30] Recon: {0.1 / e:.4f} | KL: {40 / e ** 2:.4f} | Phys: 0.0000 (λ=0.000)")
    p = tmp_path / "log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.series["loss"].values.tolist()[-1] == pytest.approx(round(0.1 / 30, 4))
    assert any("reconstruction" in n for n in run.meta.get("notes", []))


def test_first_order_motion_models_logger_lines_are_epochs_and_their_sum_the_loss(tmp_path):
    """FOMM's Logger writes "00000003) perceptual - 54.96794; equivariance_value - 0.21173; warp_loss
    - 0.48800" once per epoch; the semicolons made it look like a CSV with no numeric column."""
    lines = [f"{e:08d}) perceptual - {56 - 0.1 * e:.5f}; equivariance_value - {0.22 - 0.001 * e:.5f}; "
             f"warp_loss - {0.49 - 0.002 * e:.5f}" for e in range(20)]
    p = tmp_path / "log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert run.series["loss"].steps.tolist() == list(range(20))
    assert run.series["loss"].values.tolist()[0] == pytest.approx(56 + 0.22 + 0.49)
    assert run.series["perceptual"].values.tolist()[-1] == pytest.approx(54.1)
    assert any("sum of the terms" in n for n in run.meta.get("notes", []))


def test_mbrl_lib_model_training_lines_are_one_run_per_round(tmp_path):
    """mbrl-lib's logger prints "| model_train | I: 0 | E: 3 | TD: 200 | VD: 0 | MLOSS: 83.59 |
    MVSCORE: 7.98 | MBVSCORE: 8.03" (the tag coloured); the log was refused. Each round (I) starts
    again at epoch 0 and is a run of its own; the running best is no curve. The train loss is an
    ensemble's Gaussian NLL and MVSCORE an MSE: never compared as one loss on two splits (val
    "below train" 8x read as a leak)."""
    lines = ["Results will be saved at /home/u/exp/pets/default/cartpole/2022.05.02/130453."]
    for i in range(3):
        best = 99.0
        for e in range(10):
            val = 2.0 / (e + 1) + 0.1 * i
            best = min(best, val)
            lines.append(f"| \x1b[34mmodel_train\x1b[0m | I: {i} | E: {e} | TD: {200 * (i + 1)} | VD: 0 | "
                         f"MLOSS: {80 - 3 * e:.4f} | MVSCORE: {val:.4f} | MBVSCORE: {best:.4f}")
        lines.append(f"| \x1b[32mtrain\x1b[0m | E: {i} | S: {200 * (i + 1)} | R: {10.0 * i:.3f}")
    p = tmp_path / "run_log.txt"
    p.write_text("\n".join(lines) + "\n")
    runs = fd.read_runs(str(p))
    assert len(runs) == 3
    last = runs[-1]
    assert last.series["val_mse"].values.tolist() == pytest.approx([round(2.0 / (e + 1) + 0.2, 4) for e in range(10)])
    assert "val_loss" not in last.series and "suspicious_validation" not in fd.diagnose(last).codes
    assert last.series["loss"].steps.tolist() == list(range(10))
    assert not any("mbvscore" in k.lower() or "td" == k.lower() for k in last.series)


def test_a_vae_that_logs_a_total_keeps_it_beside_its_reconstruction_term(tmp_path):
    """A total train loss beside a validation reconstruction term: the term alone is not the
    validation loss (compared with the total it would read as val far below train)."""
    lines = [f"Epoch [{e}/20] loss: {1.0 / e + 0.5:.4f} | val_recon: {0.1 / e:.4f} | val_kl: {0.4:.4f}"
             for e in range(1, 21)]
    p = tmp_path / "log.txt"
    p.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(str(p))
    assert "val_loss" not in run.series and "val_recon" in run.series


def test_epoch_summaries_counted_from_0_after_batch_lines_counted_from_1_are_one_run(tmp_path):
    """An imitation-learning script prints "[IL] Epoch 1/1000 Batch 100/9585 Loss: .." and then
    "[IL] Epoch 0/1000, Loss: .., Val Loss: .." for the same epoch: its batch lines count from 1,
    its summaries from 0. Each summary had started a new run (87 one-epoch runs); it closes the
    epoch its batches were in, and the epochs quoted are the ones the summaries print."""
    rng = np.random.default_rng(0)
    val = [0.0552, 0.0557, 0.0491, 0.0456, 0.0505, 0.0427, 0.0374, 0.0405, 0.0392, 0.0435, 0.0459, 0.0438,
           0.0450, 0.0448, 0.0481, 0.0491, 0.0456, 0.0491, 0.0478, 0.0553, 0.0534, 0.0581, 0.0519, 0.0578]
    lines = ["[IL] DataLoader ready: samples=76680, batch_size=8, num_batches/epoch=9585",
             "[IL] Console progress every 100 batches."]
    for e, v in enumerate(val):
        train = 0.11 * math.exp(-e / 6) + 0.02
        for b in (1, *range(100, 9585, 1900)):
            lines.append(f"[IL] Epoch {e + 1}/1000 Batch {b}/9585 Loss: {train * (1 + rng.normal(0, 0.3)):.4f} "
                         f"elapsed={b * 0.17:.1f}s eta=1723.7s")
        lines.append(f"[IL] Epoch {e}/1000, Loss: {train:.4f}, Val Loss: {v:.4f}")
    runs = fd.read_runs(_printed(tmp_path, lines))
    assert len(runs) == 1
    h = runs[0]
    assert list(h.series["val_loss"].steps[:3]) == [0.0, 1.0, 2.0]
    assert list(h.series["val_loss"].values) == val
    d = fd.diagnose(h)
    assert d.top.code == "overfitting", d.codes
    assert "best 0.0374 at epoch 6" in d.top.message


def test_an_iteration_counter_after_an_epoch_counter_behind_a_logging_prefix_is_inside_that_epoch(tmp_path):
    """Fast-SCNN's script logs "<time> - INFO - Epoch: [ 0/200] Iter [ 410/1487] || .. || Loss: 1.49"
    through Python's logging: the "- INFO - ... Iter [410/1487]" looked like an iteration-based
    OpenMMLab runner, whose count is global, so each epoch (where the count starts again) began
    a run of its own. The iterations are points inside the epoch named before them."""
    rng = np.random.default_rng(1)
    lines = ["2025-06-12 13:31:49,000 - INFO - Using 1 GPUs"]
    for e in range(6):
        for it in range(10, 1487, 30):
            lines.append(f"2025-06-12 13:33:31,124 - INFO - Epoch: [{e:2d}/200] Iter [{it:4d}/1487] || Time: 141.8 sec "
                         f"|| lr: 0.00998762 || Loss: {1.5 * math.exp(-e / 3) + 0.5 + rng.normal(0, 0.05):.4f}")
    runs = fd.read_runs(_printed(tmp_path, lines))
    assert len(runs) == 1
    loss = runs[0].series["loss"]
    assert loss.axis == "epoch" and len(loss) == 6 * 50
    assert float(loss.steps[-1]) <= 5.0  # inside the six epochs, not an iteration count


def test_an_evaluations_batch_lines_inside_an_epoch_are_its_mean_at_the_epochs_end(tmp_path):
    """A loop that prints "Epoch 20/60, Iter 0/90, train loss = .." through its training batches
    and then "Epoch 20/60, Iter 0/20, test loss = .." through its test batches: at Iter 0/20 the
    test lines went back to the epoch's start, and every epoch began a new run (45 runs of two
    points). They are the evaluation pass's progress: their mean is the epoch's test loss, at
    the epoch's end."""
    rng = np.random.default_rng(4)
    lines = []
    for e in range(1, 13):
        for it in (0, 30, 60, 89):
            lines.append(f"Epoch {e}/60, Iter {it}/90, train loss = {1.2 * math.exp(-e / 5) + rng.normal(0, 0.02):.3f}, "
                         f"time = 0.665")
        tests = [0.3 * math.exp(-e / 6) + 0.15 + rng.normal(0, 0.005) for _ in range(3)]
        for it, v in zip((0, 10, 19), tests):
            lines.append(f"Epoch {e}/60, Iter {it}/20, test loss = {v:.3f}, time = 0.52")
    runs = fd.read_runs(_printed(tmp_path, lines, "log.out"))
    assert len(runs) == 1
    val = runs[0].series["val_loss"]
    assert len(val) == 12 and list(val.steps[:2]) == [1.0, 2.0]
    first = [float(line.split("test loss = ")[1].split(",")[0]) for line in lines[4:7]]
    assert val.values[0] == pytest.approx(np.mean(first), abs=1e-9)
    assert len(runs[0].series["loss"]) == 12 * 4


def test_a_bracketed_epoch_behind_a_time_and_level_prefix_with_a_batch_counter_is_the_epoch(tmp_path):
    """'12:34:40 [INFO]   [1/100] batch 1200/5305 loss=-103.87' lines, then the epoch's summary
    '12:36:36 [INFO] Epoch 1/100 (127.7s) | train_loss=.. | val_loss=..': the "[1/100]" behind
    the stamp and level was not read as the epoch, so the batch counter, starting again each
    epoch, began a new run every epoch (85 runs). Alone ("[25/103] loss=.." under an epoch
    header) a bracket still counts batches: see the settings-header test above."""
    rng = np.random.default_rng(6)
    lines = ["12:32:08 [INFO] Logging to checkpoints/train.log"]
    for e in range(1, 9):
        for b in range(50, 5305, 1300):
            lines.append(f"12:34:40 [INFO]   [{e}/100] batch {b}/5305 loss={-70 - 20 * math.exp(-e) + rng.normal(0, 0.5):.4f} "
                         "lr=1.00e-05")
        lines.append(f"12:36:36 [INFO] Epoch {e}/100 (127.7s) | train_loss={-70 - 20 * math.exp(-e):.4f} | "
                     f"val_loss={-66 - 10 * math.exp(-e):.4f}")
    runs = fd.read_runs(_printed(tmp_path, lines))
    assert len(runs) == 1
    assert list(runs[0].series["val_loss"].steps) == [float(e) for e in range(1, 9)]


def test_for_class_rows_and_apex_overflow_notices_are_no_records(tmp_path):
    """A 5-fold classifier's log: "[INFO]  for class 0, acc 0.222222" rows after each evaluation
    and NVIDIA apex's "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to
    32768.0" notices. The class number had read as an epoch and the notices as losses: 1,186
    runs. The run is the epochs' [RESULT] lines."""
    rng = np.random.default_rng(8)
    pre = "[2020-12-06 21:53:59,979] [INFO] "
    lines = ["Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0"]
    for e in range(12):
        for step in range(0, 60, 20):
            lines.append(f"{pre}[fold 0], Train Step {step}, summary_loss: {1.4 - 0.04 * e + rng.normal(0, 0.05):.6f}, "
                         f"accuracy: {0.5 + 0.02 * e:.6f}, time: 0.19")
        lines.append(f"{pre}[fold 0], [RESULT]: Train. Epoch: {e}, summary_loss: {1.4 - 0.04 * e:.5f}, "
                     f"acuracy: {0.5 + 0.02 * e:.5f}, time:117.3")
        lines += [f"{pre} for class {c}, acc {rng.uniform(0.2, 0.9):.6f} " for c in range(5)]
        lines.append(f"{pre}[fold 0], [RESULT]: VAL. Epoch: {e}, summary_loss: {0.8 - 0.03 * e:.5f}, "
                     f"accuracy: {0.7 + 0.015 * e:.5f}, time:126.5")
        lines += ["Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 16384.0"] * 2
    [run] = fd.read_runs(_printed(tmp_path, lines))
    assert len(run.series["val_loss"]) == 12 and len(run.series["loss"]) == 12
    assert not any("scale" in name or "class" in name for name in run.series)


def test_paddleclas_train_and_eval_lines_are_one_run_with_the_eval_as_validation(tmp_path):
    """PaddleClas logs '[2022/10/07 21:46:40] ppcls INFO: [Train][Epoch 1/400][Iter: 0/98]..' and
    '[Eval][Epoch 1][Iter: 0/25]CELoss: ..': a date with slashes and the logger's name before its
    level were no logging prefix, so the '[Eval]' tag was not read as the split, and the eval's
    batch lines, back at the epoch's start, began a new run every epoch (414 runs)."""
    lines = []
    for e in range(1, 9):
        for it in (0, 40, 80):
            lines.append(f"[2022/10/07 21:46:40] ppcls INFO: [Train][Epoch {e}/400][Iter: {it}/98]lr(LinearWarmup): "
                         f"0.00000204, CELoss: {6.9 - 0.3 * e:.5f}, loss: {6.9 - 0.3 * e:.5f}, batch_cost: 0.49s, "
                         "reader_cost: 0.0003, ips: 259.4 samples/s, eta: 5:22:17")
        for it in (0, 10, 20):
            lines.append(f"[2022/10/07 21:47:33] ppcls INFO: [Eval][Epoch {e}][Iter: {it}/25]CELoss: {6.8 - 0.35 * e:.5f}, "
                         f"loss: {6.8 - 0.35 * e:.5f}, top1: {0.02 * e:.5f}, top5: {0.05 * e:.5f}, batch_cost: 0.71s")
        lines.append(f"[2022/10/07 21:47:50] ppcls INFO: [Eval][Epoch {e}][Avg]CELoss: {6.8 - 0.35 * e:.5f}, "
                     f"loss: {6.8 - 0.35 * e:.5f}, top1: {0.02 * e:.5f}, top5: {0.05 * e:.5f}")
    [run] = fd.read_runs(_printed(tmp_path, lines))
    val = run.series["val_loss"]
    assert list(val.steps) == [float(e) for e in range(1, 9)]
    assert val.values[-1] == pytest.approx(6.8 - 0.35 * 8)


def test_a_fairseq_json_log_is_one_run_on_the_update_count(tmp_path):
    """fairseq with --log-format json under hydra: '[..][train_inner][INFO] - {"epoch": 1, "loss":
    "0.264", .., "num_updates": "200"}', a validation twice per epoch ('[valid][INFO] - {"epoch": 1,
    "valid_loss": "0.267", .., "valid_num_updates": "397"}'), the epoch's '[train]' summary, the
    config dump first and the script's own 'SENSE:  0.38' prints between records. It was refused
    (no reader claimed it); on the epoch, the two validations of an epoch would be one point."""
    lines = ["[2022-06-06 09:17:56,160][fairseq_cli.train][INFO] - {'_name': None, 'common': {'_name': None, "
             "'log_interval': 200, 'seed': 1}, 'optimization': {'max_epoch': 40, 'lr': [5e-05]}}"]
    updates = 0
    for e in range(1, 7):
        for half in range(2):
            for _ in range(2):
                updates += 100
                lines.append(f'[2022-06-06 09:18:44,886][train_inner][INFO] - {{"epoch": {e}, "update": {e - 1 + 0.25:.3f}, '
                             f'"loss": "{0.27 - 0.005 * updates / 100:.3f}", "accuracy": "{27 + updates / 40:.3f}", '
                             f'"wps": "218.2", "ups": "6.83", "bsz": "32", "num_updates": "{updates}", "lr": "1.1e-06"}}')
            lines.append(f'[2022-06-06 09:20:28,960][valid][INFO] - {{"epoch": {e}, "valid_loss": "{0.26 + 0.004 * updates / 100:.3f}", '
                         f'"valid_accuracy": "{21 + updates / 100:.3f}", "valid_wps": "636.6", "valid_num_updates": "{updates}"}}')
            lines += ["SENSE:  0.38266068747902526", "SPEC:  0.07096774193548387"]
        lines.append(f'[2022-06-06 09:20:30,995][train][INFO] - {{"epoch": {e}, "train_loss": "0.26", '
                     f'"train_num_updates": "{updates}", "train_wall": "113"}}')
    [run] = fd.read_runs(_printed(tmp_path, lines, "train.out"))
    val = run.series["val_loss"]
    assert val.axis == "step" and list(val.steps[:3]) == [200.0, 400.0, 600.0] and len(val) == 12
    assert len(run.series["loss"]) == 24  # the train_inner records; the epochs' summaries repeat them
    assert not any(k in run.series for k in ("wps", "seed", "log_interval"))


def test_a_value_logged_by_a_call_of_its_own_joins_its_label(tmp_path):
    """logger.info("val result score:") then logger.info(score): two stamped lines with the
    same logger prefix, the second holding only the number; the score is the epoch's value."""
    lines = []
    for epoch, score in enumerate([0.4191, 0.5462, 0.6319]):
        for i in range(1, 4):
            lines.append(f"2021-12-05 19:1{epoch}:0{i},600 Classify INFO: epoch: {epoch}  loss: {1 - 0.1 * epoch - 0.01 * i:.4f}")
        lines.append(f"2021-12-05 19:1{epoch}:36,126 Classify INFO: val result score:")
        lines.append(f"2021-12-05 19:1{epoch}:36,126 Classify INFO: {score}")
    h = _read_printed(tmp_path, lines)
    val = [name for name in h.series if name.startswith("val_")]
    assert val and list(h.series[val[0]].values) == [0.4191, 0.5462, 0.6319]


def test_the_namespace_a_script_printed_is_its_runs_settings(tmp_path):
    """print(args) before training: each run carries the scalar settings of the last namespace
    printed above it (a list or an object that is no literal is left out)."""
    lines = ["Namespace(batch_size=64, lr=0.0005, mixup=0.8, smoothing=0.1, model='deit_base', sizes=[1, 2], "
             "device=torch.device('cuda'), resume='')"]
    lines += [f"Epoch {e}/5 - loss: {1 / (e + 1):.4f} - val_loss: {0.8 / (e + 1):.4f}" for e in range(1, 6)]
    h = _read_printed(tmp_path, lines)
    assert h.meta["hparams"] == {"batch_size": 64, "lr": 0.0005, "mixup": 0.8, "smoothing": 0.1,
                                 "model": "deit_base", "resume": ""}


def test_epoch_summaries_are_the_curve_when_step_lines_sample_less_often(tmp_path):
    """A 5-epoch fine-tune printing "Step 50, Loss: .." every 50 steps of ~20-step epochs (two
    lines in all) and "Epoch N completed. Average loss: .." after every epoch: the two step
    samples were the curve and the five epoch averages were left out. The epochs are the curve,
    and a sentence before a value ("completed.") is no part of its name."""
    prefix = "2026-02-03 14:54:14.221 | INFO     | __main__:finetune:279 - "
    avg = [4.6905, 4.6090, 4.4468, 4.3095, 4.2520]
    lines = []
    for e, v in enumerate(avg, start=1):
        if e in (2, 4):
            lines.append(f"{prefix}Step {25 * e}, Loss: {5.1 - 0.1 * e:.4f}, Avg batch rating: 3.8")
        lines.append(f"{prefix}Epoch {e} completed. Average loss: {v:.4f}")
        lines.append(f"{prefix}Checkpoint saved: checkpoints/model_finetuned_epoch{e}.pt")
    p = tmp_path / "finetune.log"
    p.write_text("\n".join(lines) + "\n")
    (h,) = fd.read_runs(p)
    assert h.series["loss"].values.tolist() == avg
    assert any("they sample the loss less often than the epochs end" in n for n in h.meta["notes"])
    assert fd.diagnose(h).top.code == "still_improving"


def test_an_iteration_counter_then_a_step_of_its_total_reads_the_step_inside_the_pass(tmp_path):
    """'iteration:1 step:3700/23196, NER loss:11.96' (an XLNet NER log stopped 17% into its first
    pass): the iteration counts passes and the step the batches in one, so each line sits at
    its fraction of the pass; read as one point at 'step 1' before ('only one step of values').
    The log ending inside its first pass says the run stopped before one epoch was done."""
    lines = [f"2019-10-10 20:33:11,477 - log\\train.log - INFO - iteration:1 step:{s}/23196, NER loss:{10 + 21 * math.exp(-s / 700):.6f}"
             for s in range(100, 4000, 100)]
    h = _read_printed(tmp_path, lines, "train.log")
    loss = h.series["ner_loss"]
    assert len(loss) == 39 and loss.axis == "epoch"
    assert loss.steps[0] == pytest.approx(100 / 23196) and loss.steps[-1] == pytest.approx(3900 / 23196)
    assert h.meta["global_step"] == 3900 and h.meta["max_steps"] == 23196
    assert any("ends at batch 3900 of the 23196 in its first pass" in n for n in h.meta["notes"])


def test_a_bare_val_word_beside_the_loss_is_the_validation_loss(tmp_path):
    """'epoch 1/3  loss=1.7317 (p=1.4012 v=0.3305)  val=1.9667 (p=1.3723 v=0.5944)  [best]' (an
    AlphaZero net's training epochs): 'val' is the loss on the held-out positions, left out
    before, so the run read as train-only and still improving. A bare 'val=' printed as a
    whole number (a split's size) or a percentage (an accuracy) is no loss."""
    lines = [f"    epoch {e}/3  loss={v:.4f} (p={v - 0.3:.4f} v=0.3)  val={w:.4f} (p={w - 0.6:.4f} v=0.6)"
             for e, v, w in ((1, 1.7317, 1.9667), (2, 1.5297, 2.0646), (3, 1.4072, 2.0745))]
    h = _read_printed(tmp_path, lines, "train.log")
    assert h.series["val_loss"].values.tolist() == pytest.approx([1.9667, 2.0646, 2.0745])
    assert h.series["loss"].values[0] == pytest.approx(1.7317)
    assert any("is read as the validation loss" in n for n in h.meta["notes"])
    sizes = _read_printed(tmp_path, [f"epoch {e} loss={1 / e:.4f} val={786}" for e in range(1, 6)], "sizes.log")
    assert "val_loss" not in sizes.series


def test_an_opennmt_report_reads_its_batch_of_the_epoch_and_a_blow_up_without_numpy_warnings(tmp_path):
    """'Epoch  1,   100/ 1056; ; ppl: 2.07e+151 ; lr: 1.0000000 ;' (an NMTGMinor Transformer at
    lr 1.0 blowing up in its first 200 steps, then an OverflowError): each report at its batch
    of the epoch, refused before as one epoch of values; the perplexity's square overflows
    numpy, which must not print a warning on the user's terminal."""
    lines = ["Validation perplexity: 16193.5", "",
             "Epoch  1,     1/ 1056; ; ppl: 16615.48 ; lr: 1.0000000 ; num updates:       0   528 src tok/s",
             f"Epoch  1,   100/ 1056; ; ppl: {2.07e151:.2f} ; lr: 1.0000000 ; num updates:       2",
             f"Epoch  1,   200/ 1056; ; ppl: {6.02e278:.2f} ; lr: 1.0000000 ; num updates:       5",
             "Traceback (most recent call last):", "OverflowError: math range error"]
    p = tmp_path / "output.log"
    p.write_text("\n".join(lines) + "\n")
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "diagnose", str(p)], capture_output=True, text=True)
    assert r.returncode == 0 and "Warning" not in r.stderr, r.stderr
    assert "ERROR diverging" in r.stdout
    [run] = fd.read_runs(p)
    assert run.series["loss"].steps.tolist() == pytest.approx([1 / 1056, 100 / 1056, 200 / 1056])


def test_rl_loops_numbered_by_episode_or_step_are_read_for_their_reward(tmp_path):
    """A tabular Q-learning loop's ``episode=12 reward=34.2 rolling_avg=26.4 epsilon=0.88`` and a
    PPO loop's ``Step   10000 | Avg Reward (last 10):  2853.27 | Episodes: 16`` (a running
    average's window between its name and its value): refused before as an unknown format. The
    reward is the curve, higher is better."""
    rng = np.random.default_rng(0)
    q = tmp_path / "training.txt"
    q.write_text("".join(f"episode={e} reward={60 - 35 * 0.99 ** e + rng.normal(0, 3):.3f} "
                         f"rolling_avg={60 - 35 * 0.99 ** e:.3f} epsilon={max(0.01, 0.99 ** e):.4f} reason='ok'\n"
                         for e in range(1, 401)))
    run = fd.read(q)
    assert "reward" in run.series and len(run.series["reward"].values) == 400
    assert fd.diagnose(run).top.code == "healthy"
    p = tmp_path / "training_log.txt"
    p.write_text("PPO training\n" + "".join(f"Step {s * 10000:7d} | Avg Reward (last 10): {2000 + 400 * s:8.2f} | "
                                             f"Episodes: {16 * s}\n" for s in range(1, 11)))
    run = fd.read(p)
    assert list(run.series["reward"].values) == [2000.0 + 400 * s for s in range(1, 11)]
    # an IQN agent's "Episode 3\tFrame 92 \tAverage100 Score: 30.67", each a \r rewrite
    iqn = tmp_path / "training.log"
    iqn.write_text("Using  cpu\n" + "".join(f"\rEpisode {e}\tFrame {20 * e} \tAverage100 Score: {20 + e / 10:.2f}"
                                           for e in range(1, 201)) + "\n")
    assert fd.read(iqn).series["average100_score"].values.size == 200


def test_a_reward_printed_without_a_counter_is_not_a_curve(tmp_path):
    """A script that prints rewards while it collects data has no episode or step counter on the
    line: still not training output."""
    p = tmp_path / "collect.txt"
    p.write_text("".join(f"collected rollout reward={r:.2f}\n" for r in np.linspace(1, 5, 20)))
    with pytest.raises(BadInput):
        fd.read(p)


def test_a_bracketed_epoch_header_owns_its_bars_and_summary(tmp_path):
    """``Epoch [47/300]`` on a line of its own, then a train bar, a validation bar and the epoch's
    summary (``loss 0.2018 - iou 0.3358 - val_loss 0.2736 - val_iou 0.0024``): read before as
    three epochs per epoch (761 for a 253-epoch UNet log), the validation bar's loss as a
    train loss. The header names the epoch of every line under it."""
    lines = []
    for e in range(1, 31):
        tl, vl = 0.5 * 0.97 ** e, 0.45 + 0.002 * e
        lines += [f"Epoch [{e}/30]",
                  f"100%|██████████| 30/30 [00:19<00:00,  1.5it/s, loss={tl:.3g}, iou={1 - tl:.3g}] ",
                  f"100%|██████████| 8/8 [00:01<00:00,  7.1it/s, loss={vl:.3g}, iou=0.5] ",
                  f"loss {tl:.4f} - iou {1 - tl:.4f} - val_loss {vl:.4f} - val_iou 0.5000"]
    path = tmp_path / "trainlog.txt"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert list(run.series["val_loss"].steps) == list(range(1, 31))
    np.testing.assert_allclose(run.series["loss"].values, [round(0.5 * 0.97 ** e, 4) for e in range(1, 31)])


def test_values_printed_in_braces_or_after_is_are_read(tmp_path):
    """A format string that kept its braces (``epoch: {1/300}, step: {1/2}, loss : {2.0086918}``)
    and a sentence that gives its values with "is" (``Epoch is [1/600], mini-batch is
    [1/1600], batch_loss is 13.28``): both refused before as an unknown format."""
    braced = tmp_path / "train_log.log"
    braced.write_text("".join(f"2022-02-15 17:49:18,758 INFO epoch: {{{e}/40}}, step: {{{s}/2}}, "
                              f"loss : {{{2.0 * 0.95 ** e + 0.01 * s:.7f}}}, lr : {{0.0001000}}\n"
                              for e in range(1, 41) for s in (1, 2)))
    run = fd.read(braced)
    assert run.series["loss"].axis == "epoch" and run.series["loss"].values.size >= 40
    assert run.series["loss"].values[-1] < 0.4
    spoken = tmp_path / "log_train.txt"
    spoken.write_text("".join(f"2021-05-03 03:53:27,794 [MainThread  ] [INFO ]  Epoch is [1/600], mini-batch is "
                              f"[{b}/1600], time consumption is 0.83, batch_loss is {13 * 0.95 ** b + 2:.8f}\n"
                              for b in range(1, 32)))
    run = fd.read(spoken)
    assert run.train_loss is not None and run.train_loss.raw_name == "batch_loss"
    assert fd.diagnose(run).top.code == "still_improving"


def test_a_pointnet_banner_with_its_total_and_split_tags(tmp_path):
    """RandLA-Net's ``**** EPOCH 000 / 149 ****`` over ``[TRAIN] mean loss: 25.24`` lines, and
    ``[VAL] mean loss:`` at each epoch's end: PointNet's layout with the planned total in the
    banner and the split in brackets."""
    lines = []
    for e in range(6):
        lines.append(f"**** EPOCH {e:03d} / 149 ****")
        for g in range(3):
            lines += [f"[TRAIN] Epoch {e:03d} | batch {10 * (g + 1):04d}/9565 (  0.1%) | 0.195s/batch",
                      f"[TRAIN] mean acc: {0.3 + 0.05 * e:.6f}", f"[TRAIN] mean loss: {20 * 0.8 ** e - g:.6f}"]
        lines += [f"[VAL] mean acc: {0.3 + 0.04 * e:.6f}", f"[VAL] mean loss: {21 * 0.8 ** e:.6f}"]
    path = tmp_path / "log_train.txt"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert list(run.series["val_loss"].steps) == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(run.series["loss"].values, [20 * 0.8 ** e - 1 for e in range(6)], rtol=1e-5)


def test_trainer_dicts_glued_between_progress_bars_are_read(tmp_path):
    """A copy of a Trainer console that lost the progress bar's carriage returns: each log dict
    sits between two bars on one long line (``... 20/613 [04:02<28:09,  2.85s/it]{'loss': '2.602',
    ...}  3%|▎ ...``), its values printed as strings as recent transformers print them. It was
    refused ("no training output found"); read, it is the 61-point curve the dicts hold."""
    bars, losses = [], []
    for step in range(1, 201):
        bars.append(f"{step * 100 // 200:3d}%|▎         | {step}/200 [00:{step % 60:02d}<00:30,  2.85s/it]")
        if step % 10 == 0:
            loss = 0.4 + 2.2 * np.exp(-step / 40)
            losses.append(round(float(loss), 3))
            bars.append(f"{{'loss': '{loss:.4g}', 'grad_norm': '0.2167', 'learning_rate': '2e-05', "
                        f"'epoch': '{step / 200:.4g}'}}")
    text = "Loading weights: 100%|██████████| 310/310\n" + "".join(bars) + \
        "{'train_runtime': '1613', 'train_samples_per_second': '3.04', 'train_loss': '0.6491', 'epoch': '1'}\n"
    path = tmp_path / "train.log"
    path.write_text(text)
    h = fd.read(path)
    np.testing.assert_allclose(h.series["loss"].values, losses, atol=1e-3)
    assert h.series["loss"].steps[-1] == 1.0


def test_a_splits_loss_alone_on_its_line_under_the_epoch_header_is_read(tmp_path):
    """A denoiser's log_train.log: 'Epoch: 3', then 'Training: 4.3395' and 'Validation: 4.0783'
    on lines of their own. Refused before as an unknown format; each train line and the
    held-out line under it are one epoch's losses. A lone 'Test: 0.41' summary is no epoch."""
    rows = [(4.5240, 4.3572), (4.3596, 4.4099), (4.3395, 4.0783), (4.2810, 4.0552), (4.2502, 4.0101)]
    text = "Using GPU\nLoading...\nCreating new model \n"
    text += "".join(f"Epoch: {e}\nTraining: {t}\nValidation: {v}\n" for e, (t, v) in enumerate(rows))
    text += "Test: 0.41\n"
    p = tmp_path / "log_train.log"
    p.write_text(text)
    h = fd.read(p)
    assert list(h.series["loss"].values) == [t for t, _ in rows]
    assert list(h.series["val_loss"].values) == [v for _, v in rows]
    assert any("printed alone on its line" in n for n in h.meta["notes"])


def test_values_printed_with_an_ellipsis_after_them_are_read(tmp_path):
    """A speech-enhancement loop printing 'Epoch: 2/1000... Loss: -14.64... Test Loss: -10.58...
    time: 18.7min': the ellipsis glued to each value hid the name after it, and the log was
    refused ("no training output found"). Both curves are read, the held-out one as val."""
    rows = [(-13.0, -9.83), (-14.64, -10.58), (-15.08, -10.88), (-15.3, -10.98), (-15.5, -11.26)]
    text = "nohup: ignoring input\nTotal parameters:3671917\n"
    text += "".join(f"Epoch: {e}/1000... Loss: {t:.6f}... Test Loss: {v:.6f}... time: 18.{e}min\n"
                    for e, (t, v) in enumerate(rows, start=1))
    p = tmp_path / "train.txt"
    p.write_text(text)
    h = fd.read(p)
    np.testing.assert_allclose(h.series["loss"].values, [t for t, _ in rows])
    np.testing.assert_allclose(h.series["val_loss"].values, [v for _, v in rows])
    assert list(h.series["loss"].steps) == [1, 2, 3, 4, 5]


def test_an_epoch_table_behind_a_logging_prefix_is_read(tmp_path):
    """A table printed through Python logging: '[2025/05/28 20:34:16] - Epoch \\t lr \\t Time \\t
    TrainLoss \\t TrainACC', each row behind the same stamp. The stamp hid the header, and the
    log was refused as an unknown format. Its rows are the run's epochs; the time column is
    left out."""
    rows = [(0.1, 2.1119, 0.2521), (0.1, 1.6191, 0.4008), (0.1, 1.4261, 0.4850), (0.01, 1.2568, 0.5532),
            (0.01, 1.1131, 0.6118), (0.001, 1.0209, 0.6491), (0.001, 0.9306, 0.6833)]
    text = "[2025/05/28 20:34:14] - Namespace(batch_size=256, poison_type='badnets')\n"
    text += "[2025/05/28 20:34:16] - Epoch \t lr \t Time \t TrainLoss \t TrainACC\n"
    text += "".join(f"[2025/05/28 20:{35 + e}:01] - {e} \t {lr:.3f} \t 22.9 \t {loss:.4f} \t {acc:.4f}\n"
                    for e, (lr, loss, acc) in enumerate(rows, start=1))
    p = tmp_path / "output.log"
    p.write_text(text)
    h = fd.read(p)
    np.testing.assert_allclose(h.series["loss"].values, [r[1] for r in rows])
    np.testing.assert_allclose(h.series["lr"].values, [r[0] for r in rows])
    assert list(h.series["loss"].steps) == list(range(1, 8))
    assert not any("time" in name.lower() for name in h.series)


def test_values_under_a_line_naming_their_split_are_that_splits(tmp_path):
    """ProtoPNet's log: 'epoch: \\t3', then '\\ttrain' over one value a line ('\\tcross ent: \\t4.27',
    '\\taccu: \\t\\t9.1%'), then '\\ttest' over the same names. Refused before as an unknown format;
    read as console output, the test block's values overwrote the train ones. The held-out block
    is the validation, 'cross ent' is the loss and 'accu' the accuracy; a split printed again in
    one epoch (a schedule's phases) replaces its values."""
    lines = ["start training"]
    for e in range(8):
        lines += [f"epoch: \t{e}", "\twarm", "\ttrain", "\ttime: \t1055.7",
                  f"\tcross ent: \t{4.8 - 0.2 * e:.4f}", f"\taccu: \t\t{5 + 3 * e:.2f}%",
                  "\ttest", "\ttime: \t24.5", f"\tcross ent: \t{4.9 - 0.15 * e:.4f}", f"\taccu: \t\t{4 + 2 * e:.2f}%"]
        if e == 7:  # a push phase evaluates again: its values are the epoch's last
            lines += ["\tpush", "\ttest", f"\tcross ent: \t{3.0:.4f}", f"\taccu: \t\t{20.0:.2f}%"]
    h = _read_printed(tmp_path, lines, "trainlog.txt")
    assert list(h.series["loss"].steps) == list(range(8))
    np.testing.assert_allclose(h.series["loss"].values, [4.8 - 0.2 * e for e in range(8)])
    np.testing.assert_allclose(h.series["val_loss"].values[:7], [4.9 - 0.15 * e for e in range(7)])
    assert h.series["val_loss"].values[-1] == pytest.approx(3.0)
    assert h.series["val_accuracy"].values[0] == pytest.approx(0.04)
    assert any("names their split" in n for n in h.meta["notes"])


def test_numbers_printed_with_thousands_separators_are_one_number(tmp_path):
    """An SAC loop's 'step=  1,000 | critic=0.50' (Python's f"{n:,}"): the comma cut the step in
    two, and the log was refused as an unknown format. A row of values ('1,250,0.33') and a
    list ('hidden=[128,256]') keep their commas."""
    from fitdoctor.io.console.patterns import plain_values

    assert plain_values("step=  1,000 | loss=0.50") == "step=  1000 | loss=0.50"
    assert plain_values("[Ep 300] step=1,185,886 | rew=-2320.43") == "[Ep 300] step=1185886 | rew=-2320.43"
    assert plain_values("[1,000/10,000] cash=$+3,032.72") == "[1000/10000] cash=$+3032.72"
    for kept in ("1,250,0.33", "1,250,300", "hidden=[128,256,512]", "loss: 0.5, acc: 0.9", "2021-12-25 21:44:38,457"):
        assert plain_values(kept) == kept
    lines = [f"  step= {s:>7,} | loss={2.0 / (1 + s / 4000):.3f} | alpha=0.200" for s in range(1000, 21000, 1000)]
    h = _read_printed(tmp_path, lines, "train_output.txt")
    assert list(h.series["loss"].steps)[:3] == [1000, 2000, 3000] and h.series["loss"].axis == "step"


def test_a_games_lost_count_beside_wins_and_draws_is_no_loss(tmp_path):
    """A MAPPO air-combat log: 'win=  4 loss=  2 draw=  0 timeout= 94' under each episode line.
    Its 'loss' counts lost games; read as a training loss it made the run "diverging" (0 -> 6).
    A loss with no wins and draws beside it stays a loss."""
    from fitdoctor.io.console.pairs import clean_pairs, extract_pairs

    assert "loss" not in clean_pairs(extract_pairs("bitis: win=  4 loss=  2 draw=  0 timeout= 94"))
    assert "losses" not in clean_pairs(extract_pairs("wins: 3, losses: 5, ties: 2"))
    assert clean_pairs(extract_pairs("epoch 3 win_rate=0.4 loss=0.52"))["loss"] == 0.52


def test_a_label_error_rate_is_read_as_an_error_rate(tmp_path):
    """TIMIT's 'Epoch 1. Training LER: 2.593263, validation LER: 3.230116' (a phone label error
    rate): LER was no metric word, so no line held a record and the log was refused. It reads
    as a lower-is-better validation curve."""
    from fitdoctor.history import higher_is_better

    vals = [3.23, 1.24, 3.27, 1.62, 1.11, 0.98]
    lines = []
    for e, v in enumerate(vals, start=1):
        lines += [f"Epoch {e}. Training LER: {2.6 - 0.1 * e:.6f}, validation LER: {v:.6f}", "New best valid_ler"]
    h = _read_printed(tmp_path, lines, "train_log.txt")
    np.testing.assert_allclose(h.series["val_ler"].values, vals)
    assert not higher_is_better("val_ler") and not higher_is_better("ler")
    assert higher_is_better("val_scheduler_acc")  # "ler" inside a word is not the rate


def test_values_under_a_progress_line_are_that_batchs_and_a_run_inside_its_first_epoch_is_a_curve(tmp_path):
    """RandLA-Net's log_train.txt: '**** EPOCH 000 / 149 ****', then '[TRAIN] Epoch 000 | batch
    0010/9565 (  0.1%)' over '[TRAIN] mean acc: 0.089' and '[TRAIN] mean loss: 25.24', a pair
    every 10 batches. Stopped inside epoch 0, its 30 points were averaged into the epoch's one
    ("only one epoch of values"), and a restart's settings ('Batch size: 2', 'max_epoch: 150')
    were read as metrics that joined the restart to the first run. Each pair is its batch's
    point, the settings are no metrics, the restart is a run of its own, and the banner's
    total is the plan: still improving at 0.3% of 150 epochs."""
    settings = ["Train samples: 19130", "Batch size: 2", "START TRAINING", "start_epoch: 0", "max_epoch: 150"]
    lines = settings + ["**** EPOCH 000 / 149 ****", "[TRAIN] Epoch 000 started | lr=0.00950000"]
    for b in range(10, 310, 10):
        lines += [f"[TRAIN] Epoch 000 | batch {b:04d}/9565 ({100 * b / 9565:5.1f}%) | 0.195s/batch",
                  f"[TRAIN] mean acc: {0.09 + b / 700:.6f}", f"[TRAIN] mean loss: {25 * (b / 10) ** -0.3:.6f}"]
    lines += settings + ["**** EPOCH 000 / 149 ****"]
    for b in (10, 20, 30):
        lines += [f"[TRAIN] Epoch 000 | batch {b:04d}/9565 (  0.1%) | 0.195s/batch",
                  "[TRAIN] mean acc: 0.2", f"[TRAIN] mean loss: {22 - b / 10:.6f}"]
    runs = fd.read_runs(_printed(tmp_path, lines, "log_train.txt"))
    assert [len(r.series["loss"]) for r in runs] == [30, 3]
    first = runs[0]
    assert "batch_size" not in first.series and "max" not in first.series
    assert first.series["loss"].steps[0] == pytest.approx(10 / 9565)
    assert first.series["loss"].values[0] == pytest.approx(25.0)
    assert first.meta["planned_epochs"] == 150 and first.meta["epochs_done"] == pytest.approx(300 / 9565)
    d = fd.diagnose(first)
    assert d.top.code == "still_improving", d.codes
    assert "at epoch 0.031 of the 150 planned (0.021%)" in d.top.message


def test_a_negative_log_likelihood_by_its_name_is_a_loss(tmp_path):
    """A LoRA fine-tune's 'epoch 0 step 3/45 lr=9.33e-05 nll=0.4304' and 'epoch 0 VAL nll=0.0398':
    'nll' was no metric word, so no line held a record and the log was refused. It reads as the
    run's train and validation loss."""
    lines, v = ["train=960 val=120"], 0.5
    for e in range(3):
        for s in range(15 * e, 15 * (e + 1)):
            v *= 0.93
            lines.append(f"epoch {e} step {s}/45 lr={1e-4 * (1 - s / 50):.2e} nll={v:.4f}")
        lines.append(f"epoch {e} VAL nll={v * 1.2:.4f}")
    h = _read_printed(tmp_path, lines, "train.log")
    assert len(h.series["val_loss"]) == 3 and len(h.series["loss"]) == 45


def test_epoch_zeros_own_summary_after_its_batch_lines_closes_epoch_zero(tmp_path):
    """'epoch 0 step 3/3 loss=..' then 'epoch 0 val_loss=..': a log counting epochs from 0 puts
    epoch 0's batches where a log counted from 1 puts epoch 1's (0 to 1), so its summary at 0
    went back on them and began a new run: epoch 0's batches were a run of their own, and the
    next epoch's joined the summaries. They are one run, each summary closing its epoch."""
    lines = []
    for e in range(4):
        lines += [f"epoch {e} step {s}/3 loss={1 / (1 + 3 * e + s):.4f}" for s in (1, 2, 3)]
        lines.append(f"epoch {e} val_loss={1 / (2 + 3 * e):.4f}")
    runs = fd.read_runs(_printed(tmp_path, lines, "train.log"))
    assert len(runs) == 1
    h = runs[0]
    np.testing.assert_allclose(h.series["val_loss"].steps, [0, 1, 2, 3])
    loss = h.series["loss"]
    assert len(loss) == 12 and np.all(np.diff(loss.steps) > 0)
    assert loss.steps[2] == 0 and loss.steps[5] == 1  # each epoch's last batch sits at its summary


def test_cross_entropy_by_its_initials_after_a_split_is_the_loss(tmp_path):
    """A linear-to-MoE sweep prints 'linear_continue    epoch= 20 train_CE=0.098942 val_CE=0.168543':
    CE, the cross-entropy, after a split word is the run's loss (the file was an unknown log
    format). A bare 'CE' or a word holding the letters (price, ace) is not."""
    p = tmp_path / "training.log"
    p.write_text("=== Split 2026 / seed 42 ===\n" + "".join(
        f"linear_continue    epoch={e:3d} train_CE={0.18 / (1 + e / 20):.6f} val_CE={0.23 / (1 + e / 40):.6f}\n"
        for e in range(0, 100, 20)))
    h = fd.read(p)
    assert list(h.series["loss"].steps) == [0, 20, 40, 60, 80]
    assert h.series["val_loss"].values[0] == pytest.approx(0.23)
    assert not re.search(r"(?<![a-z])(?:train|val|valid|test|eval)_ce(?![a-z])", "price=3 ace=1 CE=2", re.I)


@pytest.mark.parametrize("split", ["val=", "val: ", "val "])
def test_a_split_word_leading_a_group_names_the_split_of_each_key_in_it(tmp_path, split):
    """A protein classifier's '[ColabPLM] epoch 2/3 train_loss=0.3504 | val=acc=0.8680,
    f1=0.8575, loss=0.3312': the group after 'val' is the validation split's. Its loss was read
    as a second train loss ('loss#2') and its accuracy as the train accuracy, so the run had no
    validation at all. Two keys that name one metric (train_loss, loss) are scoped by the split
    word before each, as a name printed twice already was."""
    p = tmp_path / "train_log.txt"
    p.write_text("".join(f"[ColabPLM] epoch {e}/3 train_loss={t} | {split}acc={a}, f1={f}, loss={v}\n" for e, t, a, f, v in
                         [(1, 0.4974, 0.86, 0.8523, 0.3535), (2, 0.3504, 0.868, 0.8575, 0.3312),
                          (3, 0.2883, 0.866, 0.8544, 0.3769)]))
    h = fd.read(p)
    assert sorted(h.series) == ["loss", "val_accuracy", "val_f1", "val_loss"]
    assert list(h.series["val_loss"].values) == [0.3535, 0.3312, 0.3769]
    assert list(h.series["loss"].values) == [0.4974, 0.3504, 0.2883]
