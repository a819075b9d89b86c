"""TensorBoard reader: files written by torch's SummaryWriter and by TF2/Keras
(benchmarks/make_tb_fixtures_tf.py), checked against the values written and against
tensorboard's own EventAccumulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fitdoctor.io as fio
from fitdoctor.errors import BadInput
from fitdoctor.io._tbproto import decode_bulk
from fitdoctor.io._tfrecord import frame_records
from fitdoctor.io.tensorboard import TensorBoardReader
from tb_events import event, ld, record, simple_value, varint

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "tensorboard"
EXP_TORCH = json.loads((FIX / "expected_torch.json").read_text())
EXP_TF = json.loads((FIX / "expected_tf.json").read_text())


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _read(path: Path):
    return TensorBoardReader().read(path)


def _event_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if "tfevents" in p.name)


# ------------------------------------------------------------------ torch SummaryWriter
def test_torch_run_values_exact_and_subruns_merged():
    runs = _read(FIX / "torch_run")
    assert len(runs) == 1, "add_scalars and add_hparams folders belong to the parent run"
    h = runs[0]
    exp = EXP_TORCH["torch_run"]
    for name in ("loss", "val_loss", "lr", "grad_norm", "new_style_metric", "accuracy",
                 "val_accuracy", "double_metric"):
        s = h.series[name]
        np.testing.assert_array_equal(s.steps, exp["steps"])
        np.testing.assert_array_equal(s.values, _arr(exp[name]))
        assert s.axis == "step"
    assert np.isnan(h.series["grad_norm"].values[15])
    assert h.series["loss"].raw_name == "Loss/train"
    assert h.series["val_accuracy"].raw_name == "accuracy_val/accuracy"
    assert h.series["hparams/accuracy"].values.tolist() == [pytest.approx(0.81)]
    notes = " | ".join(h.meta["notes"])
    assert "histogram" in notes and "weights" in notes
    assert "text" in notes and "hparams" in notes


def test_matches_tensorboard_event_accumulator_simple_values():
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    main = _event_files(FIX / "torch_run")[0]
    ea = ea_mod.EventAccumulator(str(main), size_guidance={ea_mod.SCALARS: 0})
    ea.Reload()
    h = _read(main)[0]
    by_raw = {s.raw_name: s for s in h.series.values()}
    tags = ea.Tags()["scalars"]
    assert set(tags) <= set(by_raw) and len(tags) >= 4
    for tag in tags:
        evs = ea.Scalars(tag)
        np.testing.assert_array_equal(by_raw[tag].steps, [e.step for e in evs])
        np.testing.assert_array_equal(by_raw[tag].values, [e.value for e in evs])


def test_matches_event_accumulator_tensor_scalars_keras_tf():
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
    h = _read(FIX / "keras_tf")[0]
    by_raw = {s.raw_name: s for s in h.series.values()}
    checked = 0
    for split in ("train", "validation"):
        ea = ea_mod.EventAccumulator(str(FIX / "keras_tf" / split),
                                     size_guidance={ea_mod.TENSORS: 0})
        ea.Reload()
        for tag in ea.Tags()["tensors"]:
            evs = ea.Tensors(tag)
            vals = [tensor_util.make_ndarray(e.tensor_proto) for e in evs]
            if any(v.shape != () or v.dtype.kind != "f" for v in vals):
                continue  # histograms are [k, 3] tensors; the model config is a string
            s = by_raw[f"{split}/{tag}"]
            np.testing.assert_array_equal(s.steps, [e.step for e in evs])
            np.testing.assert_array_equal(s.values, np.array(vals, dtype=float))
            checked += 1
    assert checked >= 7


# ------------------------------------------------------------------ TF2 / Keras
def test_keras_train_and_validation_are_one_run():
    runs = _read(FIX / "keras_tf")
    assert len(runs) == 1
    h = runs[0]
    exp = EXP_TF["keras_tf"]
    for name in ("loss", "val_loss", "accuracy", "val_accuracy"):
        s = h.series[name]
        np.testing.assert_array_equal(s.values, _arr(exp[name]))
        np.testing.assert_array_equal(s.steps, np.arange(len(exp[name])))
        assert s.axis == "epoch"
    assert h.series["val_loss"].raw_name == "validation/epoch_loss"
    assert h.series["loss"].raw_name == "train/epoch_loss"
    assert "lr" in h.series and h.axis == "epoch"
    assert h.series["iterations/val_loss"].axis == "step"
    notes = " | ".join(h.meta["notes"])
    assert "graph" in notes and "histogram" in notes


def test_tf_summary_nan_with_sign_bit_inf_and_text():
    h = _read(FIX / "tf_summary")[0]
    exp = EXP_TF["tf_summary"]
    loss = h.series["loss"].values
    np.testing.assert_array_equal(loss, _arr(exp["loss"]))
    assert np.isnan(loss[2]) and np.signbit(loss[2])
    assert loss[4] == np.inf
    np.testing.assert_array_equal(h.series["val_loss"].values, _arr(exp["val_loss"]))
    assert any("text" in n and "notes" in n for n in h.meta["notes"])


# ------------------------------------------------------------------ folders and files
def test_runs_folder_gives_one_history_per_run():
    runs = fio.read_runs(FIX / "runs")
    assert [r.meta["run"] for r in runs] == ["exp1", "exp2"]
    for r in runs:
        exp = EXP_TORCH[f"runs/{r.meta['run']}"]
        np.testing.assert_array_equal(r.series["loss"].values, _arr(exp["loss"]))
        np.testing.assert_array_equal(r.series["val_loss"].steps, exp["steps"])
        assert r.meta["format"] == "tensorboard"


def test_restart_merges_by_step_later_file_wins():
    h = _read(FIX / "restart")[0]
    exp = EXP_TORCH["restart"]
    np.testing.assert_array_equal(h.series["loss"].steps, exp["steps"])
    np.testing.assert_array_equal(h.series["loss"].values, _arr(exp["loss"]))


def test_truncated_last_record_is_noted_and_the_rest_read():
    h = _read(FIX / "truncated")[0]
    assert any("truncated" in n for n in h.meta["notes"])
    exp = EXP_TORCH["torch_run"]
    np.testing.assert_array_equal(h.series["loss"].values, _arr(exp["loss"]))
    total = sum(len(s) for s in h.series.values())
    assert total == 6 * 20 - 1  # six tags in the main file; its last record is cut


def test_empty_event_file_alone_is_bad_input_and_beside_others_a_note(tmp_path):
    with pytest.raises(BadInput, match="empty event file"):
        _read(FIX / "empty")
    run = tmp_path / "run"
    shutil.copytree(FIX / "runs" / "exp1", run)
    shutil.copy(FIX / "empty" / "events.out.tfevents.0.empty", run)
    h = _read(run)[0]
    assert len(h.series["loss"]) == 10
    assert any("empty event file" in n for n in h.meta["notes"])


def test_corrupt_record_in_the_middle_is_skipped(tmp_path):
    src = _event_files(FIX / "runs" / "exp1")[0]
    data = bytearray(src.read_bytes())
    _, fr = frame_records(bytes(data))
    mid = int(fr.starts[5]) - 12
    data[mid + 9] ^= 0xFF  # break the 5th record's length CRC
    bad = tmp_path / "events.out.tfevents.1.corrupt"
    bad.write_bytes(bytes(data))
    h = _read(bad)[0]
    assert any("corrupt" in n for n in h.meta["notes"])
    assert len(h.series["loss"]) + len(h.series["val_loss"]) == 19


def test_detection_by_content_and_by_folder(tmp_path):
    renamed = tmp_path / "mylog.bin"
    shutil.copy(_event_files(FIX / "runs" / "exp2")[0], renamed)
    h = fio.read(renamed)
    assert h.meta["format"] == "tensorboard" and len(h.series["val_loss"]) == 10
    assert fio.read(FIX / "keras_tf").meta["format"] == "tensorboard"
    csv = tmp_path / "log.csv"
    csv.write_text("epoch,loss\n0,1.0\n1,0.5\n")
    assert TensorBoardReader.sniff(csv, csv.read_bytes()) == 0.0
    assert TensorBoardReader.sniff(tmp_path, b"") == 0.0  # folders go by *tfevents* names
    assert TensorBoardReader.sniff(FIX / "keras_tf", b"") >= 0.9


def test_bulk_and_one_by_one_decoding_agree():
    for f in [*_event_files(FIX / "torch_run"), *_event_files(FIX / "keras_tf" / "train")]:
        data = f.read_bytes()
        arr, fr = frame_records(data)
        fast = decode_bulk(data, arr, fr.starts, fr.ends)
        slow = decode_bulk(data, arr, fr.starts, fr.ends, max_layouts=0)
        assert fast.points.keys() == slow.points.keys()
        for tag in fast.points:
            for a, b in zip(fast.points[tag].arrays(), slow.points[tag].arrays()):
                np.testing.assert_array_equal(a, b)
        assert fast.skipped == slow.skipped


def test_handmade_records_negative_step_int_and_odd_layouts(tmp_path):
    int_tensor = ld(1, b"m") + ld(8, b"\x08\x09" + ld(2, b"") + b"\x50" + varint(7))
    recs = [event(-1, simple_value("m", 2.5)),
            event(3, int_tensor),
            b"\x10\x04" + ld(5, ld(1, simple_value("m", 4.0))),  # no wall time
            event(5, ld(1, b"s") + ld(8, b"\x08\x07" + ld(8, b"hello")))]
    f = tmp_path / "events.out.tfevents.hand"
    f.write_bytes(b"".join(record(r) for r in recs))
    h = _read(f)[0]
    np.testing.assert_array_equal(h.series["m"].steps, [-1, 3, 4])
    np.testing.assert_array_equal(h.series["m"].values, [2.5, 7.0, 4.0])
    assert any("text" in n for n in h.meta["notes"])


# ------------------------------------------------------------------ fuzz
_REAL = _event_files(FIX / "torch_run")[0].read_bytes()


def _read_bytes_or_badinput(tmp: Path, data: bytes) -> None:
    f = tmp / "events.out.tfevents.fuzz"
    f.write_bytes(data)
    try:
        TensorBoardReader().read(f)
    except BadInput:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_only_badinput(tmp_path, data):
    _read_bytes_or_badinput(tmp_path, data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(_REAL)),
       flips=st.lists(st.tuples(st.integers(0, len(_REAL) - 1), st.integers(1, 255)), max_size=6))
def test_fuzz_truncated_and_mutated_real_file_only_badinput(tmp_path, cut, flips):
    data = bytearray(_REAL)
    for pos, x in flips:
        data[pos] ^= x
    _read_bytes_or_badinput(tmp_path, bytes(data[:cut]))


def test_nested_runs_keep_their_own_split_and_scalars_folders(tmp_path):
    shutil.copytree(FIX / "keras_tf", tmp_path / "runs" / "keras")
    shutil.copytree(FIX / "torch_run", tmp_path / "runs" / "torch")
    runs = fio.read_runs(tmp_path / "runs")
    assert [r.meta["run"] for r in runs] == ["keras", "torch"]
    keras, torch_ = runs
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(keras.series)
    assert keras.series["val_loss"].axis == "epoch"
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(torch_.series)
    assert torch_.series["val_accuracy"].raw_name == "accuracy_val/accuracy"
