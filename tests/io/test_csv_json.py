"""Keras CSVLogger / History JSON and generic CSV / JSON-lines readers."""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.io.csv_logs import keyed_rows

KERAS_CSV = (
    "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss\n"
    "0,0.55,0.001,0.6931,0.56,0.6925\n"
    "1,0.71,0.001,0.5512,NA,NA\n"
    "2,0.80,0.001,0.4410,0.78,0.4702\n"
)


def test_keras_csvlogger_any_file_name(tmp_path):
    p = tmp_path / "training.log"  # Keras's own docs use this name
    p.write_text(KERAS_CSV)
    h = fd.read(p)
    assert h.meta["format"] == "keras-csv"
    assert set(h.names) == {"accuracy", "lr", "loss", "val_accuracy", "val_loss"}
    np.testing.assert_allclose(h.series["loss"].values, [0.6931, 0.5512, 0.4410])
    # the NA row is an absent point, not a NaN
    np.testing.assert_allclose(h.series["val_loss"].steps, [0, 2])
    assert h.series["val_loss"].n_nonfinite == 0


def test_keras2_acc_names(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,acc,loss,val_acc,val_loss\n0,0.5,0.7,0.5,0.7\n1,0.6,0.6,0.6,0.65\n")
    h = fd.read(p)
    assert "val_accuracy" in h and h.series["val_accuracy"].raw_name == "val_acc"


def test_csvlogger_with_semicolons_under_a_title_line(tmp_path):
    # CSVLogger(separator=";") into a file the script first wrote a title to
    p = tmp_path / "model_history_log.csv"
    p.write_text("model_history_log\n" + KERAS_CSV.replace(",", ";"))
    h = fd.read(p)
    assert h.meta["format"] == "keras-csv"
    np.testing.assert_allclose(h.series["loss"].values, [0.6931, 0.5512, 0.4410])


def test_three_title_lines_above_names_without_an_epoch_are_not_a_table(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("a\nb\nc\nloss,val_loss\n0.7,0.7\n0.6,0.65\n")
    with pytest.raises(BadInput):
        fd.read(p)


def test_a_scripts_preamble_above_its_epoch_table_is_skipped(tmp_path):
    # a script that writes its name, a rule, its settings (commas and all) and a blank line
    # into its log before the epoch table: the table is read, the settings' commas are no header
    p = tmp_path / "training_log.txt"
    p.write_text("CNN training log\n" + "=" * 40 + "\nparameters: 1,204,330\n"
                 "settings: {'epochs': 4, 'batch_size': 32, 'lr': 0.001}\n\n"
                 "Epoch,Train_Loss,Train_Acc,Test_Loss,Test_Acc\n"
                 "1,0.51,81.2,0.40,86.0\n2,0.33,88.9,0.31,89.5\n3,0.25,91.7,0.29,90.1\n4,0.20,93.4,0.30,90.3\n")
    h = fd.read(p)
    assert h.meta["format"] == "keras-csv"
    np.testing.assert_allclose(h.series["loss"].values, [0.51, 0.33, 0.25, 0.20])
    np.testing.assert_allclose(h.series["val_loss"].values, [0.40, 0.31, 0.29, 0.30])


def test_truncated_last_row_is_dropped_with_note(tmp_path):
    p = tmp_path / "training.log"
    p.write_text(KERAS_CSV + "3,0.8")
    h = fd.read(p)
    assert len(h.series["loss"]) == 3
    assert any("incomplete" in n for n in h.meta["notes"])


def test_nan_cells_are_kept_as_nan(tmp_path):
    p = tmp_path / "training.log"
    p.write_text("epoch,loss,val_loss\n0,0.7,0.7\n1,nan,nan\n")
    h = fd.read(p)
    assert h.series["loss"].n_nonfinite == 1


def test_header_only_csv_is_bad_input(tmp_path):
    p = tmp_path / "training.log"
    p.write_text("epoch,loss,val_loss\n")
    with pytest.raises(BadInput, match="header only"):
        fd.read(p)


def test_empty_file_is_bad_input(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(BadInput, match="empty"):
        fd.read(p)


def test_non_numeric_cells_ignored_with_note(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("epoch,loss,val_loss\n0,0.7,abc\n1,0.6,0.65\n2,0.5,0.6\n")
    h = fd.read(p)
    assert len(h.series["val_loss"]) == 2
    assert any("non-numeric" in n for n in h.meta["notes"])


def test_generic_csv_with_mapping(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("it,trn,valid\n0,0.9,1.0\n1,0.8,0.95\n2,0.7,0.9\n")
    with pytest.raises(BadInput, match="available"):
        fd.read(p, mapping={"val_loss": "nope"})
    h = fd.read(p, mapping={"loss": "trn", "val_loss": "valid"})
    assert {"loss", "val_loss"} <= set(h.names)


def test_keras_history_json(tmp_path):
    p = tmp_path / "history.json"
    p.write_text(json.dumps({"loss": [0.7, 0.5, float("nan")], "val_loss": [0.7, 0.6, 0.6],
                             "accuracy": [0.5, 0.7, 0.7]}))
    h = fd.read(p)
    assert h.meta["format"] == "keras-json"
    assert math.isnan(h.series["loss"].values[2])


def test_json_lines_with_truncated_tail(tmp_path):
    p = tmp_path / "metrics.jsonl"
    lines = [json.dumps({"epoch": i, "loss": 1 / (i + 1), "val_loss": 1.1 / (i + 1)}) for i in range(5)]
    p.write_text("\n".join(lines) + '\n{"epoch": 5, "lo')
    h = fd.read(p)
    assert len(h.series["loss"]) == 5
    assert any("incomplete" in n for n in h.meta["notes"])


def test_invalid_json_is_bad_input(tmp_path):
    p = tmp_path / "history.json"
    p.write_text('{"loss": [0.7, 0.5')
    with pytest.raises(BadInput):
        fd.read(p)


def test_unknown_format(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello world\nnothing to see\n")
    with pytest.raises(BadInput):
        fd.read(p)


def test_missing_path():
    with pytest.raises(BadInput, match="no such file"):
        fd.read("/nonexistent/run.csv")


def test_unknown_format_flag(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text(KERAS_CSV)
    with pytest.raises(BadInput, match="unknown format"):
        fd.read(p, fmt="nope")


def test_folder_of_csv_files_gives_one_run_each(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "training.log").write_text(KERAS_CSV)
    (tmp_path / "b" / "training.log").write_text(KERAS_CSV)
    runs = fd.read_runs(tmp_path)
    assert [r.name for r in runs] == ["a/training.log", "b/training.log"]
    with pytest.raises(BadInput, match="holds 2 runs"):
        fd.read(tmp_path)


def read_or_refuse(path):
    """Read ``path``, or refuse it with BadInput (one clear line); any other exception fails."""
    try:
        fd.read(path)
    except BadInput:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), cut=st.integers(min_value=0, max_value=len(KERAS_CSV)))
def test_fuzz_readers_only_raise_bad_input(tmp_path, data, cut):
    for i, payload in enumerate((data, KERAS_CSV[:cut].encode() + data[:20])):
        p = tmp_path / f"f{i}.log"
        p.write_bytes(payload)
        read_or_refuse(p)


def test_weights_and_biases_export_keeps_its_bookkeeping_out_of_the_curves(tmp_path):
    p = tmp_path / "wandb_export.csv"
    rows = ['"Step","_runtime","_timestamp","epoch","train/loss","val/loss"']
    rows += [f"{e * 100},{e * 10.5},{1700000000 + e * 10},{e},{0.7 / (e + 1)},{0.8 / (e + 1)}" for e in range(8)]
    p.write_text("\n".join(rows) + "\n")
    assert sorted(fd.read(p).series) == ["loss", "val_loss"]


def _epochs(n, start=0):
    return "".join(f"{e},{0.7 * 0.9 ** e:.4f},{0.8 * 0.9 ** e:.4f}\n" for e in range(start, start + n))


@pytest.mark.parametrize("name,cell", [
    ("keras", "x" * 5_000_000),            # Python's csv refuses fields over 128 KiB by default
    ("quoted", '"' + "y" * 5_000_000 + '"'),
])
def test_a_5mb_cell_is_one_bad_cell_not_a_crash(tmp_path, name, cell):
    p = tmp_path / f"{name}.csv"
    p.write_text("epoch,loss,val_loss\n" + _epochs(10) + f"10,{cell},0.3\n" + _epochs(5, 11))
    h = fd.read(p)
    assert len(h.series["loss"]) == 15 and len(h.series["val_loss"]) == 16
    assert any("1 non-numeric cell" in n for n in h.meta["notes"])


def test_a_5mb_column_name_is_cut_short_in_notes(tmp_path):
    p = tmp_path / "wide.csv"
    p.write_text("epoch,loss,val_loss," + "z" * 5_000_000 + "\n"
                 + "".join(f"{e},{0.7 * 0.9 ** e:.4f},{0.8 * 0.9 ** e:.4f},abc\n" for e in range(10)))
    h = fd.read(p)
    assert set(h.names) == {"loss", "val_loss"}
    assert all(len(n) < 200 for n in h.meta["notes"]) and any("5000000 characters" in n for n in h.meta["notes"])


def test_an_unclosed_quote_names_its_line(tmp_path):
    p = tmp_path / "quote.csv"
    p.write_text('epoch,loss,val_loss\n0,0.5,0.6\n1,"0.4,0.5\n2,0.3,0.4\n3,0.2,0.3\n')
    with pytest.raises(BadInput, match=r"line 3: a quote .* never closed"):
        fd.read(p)


def test_quoted_cells_spanning_lines_are_still_read(tmp_path):
    p = tmp_path / "notes.csv"
    p.write_text('epoch,loss,val_loss,note\n0,0.5,0.6,"a\nb"\n1,0.4,0.5,x\n2,0.3,0.4,"c\nd"\n')
    h = fd.read(p)
    assert len(h.series["loss"]) == 3


def test_nan_only_column_is_a_diagnosis_not_an_error(tmp_path):
    p = tmp_path / "nan.csv"
    p.write_text("epoch,loss,val_loss\n" + "".join(f"{e},{0.7 * 0.9 ** e:.4f},nan\n" for e in range(10)))
    assert "non_finite" in fd.diagnose(fd.read(p)).codes


_L = [round(1.0 / e + 0.05, 4) for e in range(1, 13)]
_V = [round(1.1 / e + 0.1 + 0.004 * e, 4) for e in range(1, 13)]


@pytest.mark.parametrize("shape", [
    {"history": {"loss": _L, "val_loss": _V}, "params": {"epochs": 12, "verbose": 1}},
    {"train": {"loss": _L}, "val": {"loss": _V}},
    {"loss": {"train": _L, "val": _V}},
    {"train_losses": _L, "val_losses": _V},
    {"train_loss_history": _L, "val_loss_history": _V},
    {"hist": {"loss": _L, "val_loss": _V}, "final": {"test_loss": 0.3}, "seconds": 12.5},
], ids=["wrapped", "by-split", "by-metric", "plural", "history-suffix", "grouped"])
@pytest.mark.parametrize("indent", [None, 2, 4], ids=["compact", "indent2", "indent4"])
def test_the_shapes_a_history_is_saved_in_are_read(tmp_path, shape, indent):
    """What hand loops and notebooks json.dump: a History wrapped with its params, curves nested
    by split or by metric, the lists a loop appends to (train_losses, val_losses). Each was
    refused ("expected a JSON object of per-epoch lists") or read under names no rule knows;
    written with json.dump(..., indent=2 or 4), a nested one was still refused as an unknown
    format (its first list sat too far from the first key)."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps(shape, indent=indent))
    run = fd.read(path)
    assert set(run.series) == {"loss", "val_loss"}
    assert list(run.series["loss"].values) == _L and list(run.series["val_loss"].values) == _V


def test_a_dataframe_saved_with_pandas_to_json_is_read(tmp_path):
    """pd.DataFrame(model.fit(...).history).to_json(path): {"loss": {"0": .., "1": ..}, ...}
    (found without --format; it was an unknown format)."""
    pd = pytest.importorskip("pandas")
    path = tmp_path / "history.json"
    pd.DataFrame({"loss": _L, "val_loss": _V, "accuracy": [0.5 + 0.01 * i for i in range(12)]}).to_json(path)
    run = fd.read(path)
    assert set(run.series) == {"loss", "val_loss", "accuracy"}
    assert list(run.series["val_loss"].values) == _V


def test_an_epoch_list_is_the_axis_not_a_curve(tmp_path):
    """{"epoch": [1, 2, ...], "loss": [...]}: the epochs number the points (a curve called
    'epochs' rising 1 -> 12 was diagnosed beside the loss)."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"epochs": list(range(1, 13)), "train_loss": _L, "valid_loss": _V}))
    run = fd.read(path)
    assert set(run.series) == {"loss", "val_loss"}
    assert list(run.series["loss"].steps) == list(range(1, 13))


@pytest.mark.parametrize("write", [
    lambda h: str(h),
    lambda h: "{" + ", ".join(f"'{k}': [" + ", ".join(f"np.float64({x})" for x in v) + "]" for k, v in h.items()) + "}",
    lambda h: str({**h, "val_loss": h["val_loss"][:-1] + [float("nan")]}),
], ids=["str", "numpy2-repr", "with-nan"])
def test_a_history_written_with_print_is_read(tmp_path, write):
    """f.write(str(history.history)) or print(history.history) > log: single quotes, nan, and
    numpy 2's np.float64(0.69) reprs. Read as the literal it is (never run); it was refused as
    console output with no training lines."""
    path = tmp_path / "history.txt"
    path.write_text(write({"loss": _L, "val_loss": _V}))
    run = fd.read(path)
    assert run.meta["format"] == "keras-json"
    assert list(run.series["loss"].values) == _L and len(run.series["val_loss"].values) == len(_V)


def test_a_history_printed_curve_by_curve_is_read(tmp_path):
    """for k, v in history.history.items(): print(f"{k}: {v}") -- 'loss: [1.01, 0.63, ...]' on
    each line (a Mask R-CNN run's output): it was read as a CSV whose column names were the
    first numbers. The last line cut short is no curve, and the reader then refuses it plainly."""
    path = tmp_path / "training_logs.txt"
    lines = [f"{k}: {v}" for k, v in {"loss": _L, "rpn_class_loss": [x / 100 for x in _L], "val_loss": _V}.items()]
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert run.meta["format"] == "keras-json"
    assert list(run.series["loss"].values) == _L and list(run.series["val_loss"].values) == _V
    path.write_text("\n".join(lines)[:-5])
    read_or_refuse(path)
    path.write_text("milestones: [30, 60]\nbetas: [0.9, 0.999]\n")  # a config's lists: no curve, no run
    with pytest.raises(BadInput):
        fd.read(path)


def test_a_printed_history_cut_short_is_one_clear_line(tmp_path):
    path = tmp_path / "history.txt"
    path.write_text("{'loss': [0.69, 0.52, 0.4")
    with pytest.raises(BadInput, match=r"not a complete Python dict of lists"):
        fd.read(path)


def test_a_config_json_beside_a_history_is_no_run(tmp_path):
    """A folder with history.json and a config.json of nested settings ({"model": {"layers":
    [64, 32]}}): one run. Nested lists are a history only when a loss or metric is among them
    (the config was read as a run whose 'layers' fell and settled)."""
    (tmp_path / "history.json").write_text(json.dumps({"loss": _L, "val_loss": _V}))
    (tmp_path / "config.json").write_text(json.dumps({"model": {"layers": [64, 32], "dropout": 0.3},
                                                      "train": {"lr": 1e-3, "milestones": [30, 60]}}))
    runs = fd.read_runs(tmp_path)
    assert [r.name for r in runs] == ["history.json"]
    with pytest.raises(BadInput, match="per-epoch lists"):
        fd.read(tmp_path / "config.json")


def test_a_printed_history_saved_as_a_json_string_is_read(tmp_path):
    """json.dump(str(history.history), f): a JSON string that holds the printed dict (found in
    public repositories; refused before)."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps(str({"loss": _L, "val_loss": _V})))
    run = fd.read(path)
    assert list(run.series["loss"].values) == _L and list(run.series["val_loss"].values) == _V


def test_histories_keyed_by_fold_are_one_run_each(tmp_path):
    """{"fold_0": {"loss": [...], ...}, "fold_1": {...}}: a run per fold (fold 1 was read as
    extra metrics of fold 0's run)."""
    path = tmp_path / "cv_history.json"
    path.write_text(json.dumps({"fold_0": {"loss": _L, "val_loss": _V}, "fold_1": {"loss": _V, "val_loss": _L}}))
    runs = fd.read_runs(path)
    assert [r.name for r in runs] == ["fold_0", "fold_1"]
    assert all(set(r.series) == {"loss", "val_loss"} for r in runs)


def test_histories_under_one_key_beside_their_summary_are_one_run_each(tmp_path):
    """{"results": [{"code": "B1", "val_acc": 0.43}, ...], "histories": {"B1": {...}, "B2": {...}}}:
    an experiment script's dump of several runs was refused ("no numeric lists found")."""
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({
        "results": [{"code": "B1", "val_acc": 0.43, "best_epoch": 3}, {"code": "B2", "val_acc": 0.97}],
        "histories": {"B1": {"train_loss": _L, "val_loss": _V}, "B2": {"train_loss": _V, "val_loss": _L}}}))
    runs = fd.read_runs(path)
    assert [r.name for r in runs] == ["B1", "B2"]
    assert list(runs[1].series["val_loss"].values) == _L


def test_runs_kept_three_levels_down_beside_a_config_are_found_and_read(tmp_path):
    """``{"sample": .., "config": {..}, "results": {"HistoMoE": {"train_losses": [..], "val_pccs":
    [..]}, "Baseline": {..}}}``, indented by ``json.dump(indent=2)``: its lists sit six spaces in,
    deeper than a history's, and the file was an unknown format. A list whose name says loss or
    accuracy that deep is a run's; a config's deep lists ("layers") are not."""
    path = tmp_path / "log.json"
    path.write_text(json.dumps({"sample": "INT1", "config": {"epochs": 5, "lr": 1e-3},
                                "results": {"HistoMoE": {"best_val_pcc": 0.02, "train_losses": _L, "val_pccs": _V},
                                            "Baseline": {"best_val_pcc": 0.03, "train_losses": _V, "val_pccs": _L}}},
                               indent=2))
    runs = fd.read_runs(path)
    assert [r.name for r in runs] == ["HistoMoE", "Baseline"] and runs[0].series["loss"].values.tolist() == _L
    config = tmp_path / "model.json"
    config.write_text(json.dumps({"name": "net", "arch": {"encoder": {"layers": [64, 32, 16]}}}, indent=2))
    with pytest.raises(BadInput):
        fd.read_runs(config)


def test_a_correlation_coefficient_is_better_higher():
    """A per-epoch Pearson correlation ("val_pccs") read as an error made a run's best its most
    negative correlation."""
    from fitdoctor.history import higher_is_better

    assert all(higher_is_better(n) for n in ("val_pccs", "val_pcc", "test_scc", "corrs"))
    assert not higher_is_better("val_loss")


def test_histories_kept_as_lists_of_epoch_records_under_their_names_are_one_run_each(tmp_path):
    """{"selected_model": .., "rows": {..}, .., "histories": {"tcn_32": [{"epoch": 1,
    "train_loss": .., "val_auc": ..}, ..], "lstm_32": [..]}} (an embryo model comparison, its
    histories 200 lines down): read as four epochs of one run, curve after curve, as console
    output before."""
    def records(loss):
        return [{"epoch": i + 1, "train_loss": v, "val_auc": 0.6 + 0.1 * i, "seconds": 3.1} for i, v in enumerate(loss)]
    data = {"selected_model": "tcn_32", "rows": {"train": 18043, "val": 3854},
            "results": {"logistic_regression": {"family": "baseline", "val": {"roc_auc": 0.72}}},
            "histories": {"lstm_32": records(_L), "tcn_32": records(_V)}}
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(data, indent=2))
    runs = fd.read_runs(path)
    assert [r.name for r in runs] == ["lstm_32", "tcn_32"]
    assert runs[0].meta["format"] == "keras-json"
    assert list(runs[1].series["loss"].values) == _V
    assert list(runs[0].series["loss"].steps) == list(range(1, len(_L) + 1))


def test_epoch_records_under_a_name_of_their_own_are_the_run(tmp_path):
    """A captcha classifier's ``train_log.json``: {"epochs": [{"epoch": 1, "train_loss": ..,
    "val_loss": .., "f1_macro": .., "f1_per_class": {..}}, ..]}. "epochs" is none of the names a
    history is usually kept under, and the file was refused ("no numeric lists found"). The only
    list of numbered records in the file is its history; two such lists stay runs or splits."""
    recs = [{"epoch": e, "train_loss": v, "val_loss": w, "f1_macro": 0.8 + 0.01 * e,
             "f1_per_class": {"bus": 0.8, "car": 0.7}, "elapsed_s": 250.0 * e}
            for e, (v, w) in enumerate(zip(_L, _V), 1)]
    path = tmp_path / "train_log.json"
    path.write_text(json.dumps({"config": {"lr": 1e-3}, "epochs": recs}, indent=2))
    h = fd.read_runs(path)[0]
    assert list(h.series["loss"].values) == _L and list(h.series["val_loss"].values) == _V
    assert list(h.series["loss"].steps) == list(range(1, len(_L) + 1))


def test_per_split_lists_of_epoch_records_are_one_run(tmp_path):
    """A hand loop that appends each split's record to its own list and dumps ``{"train":
    [{"epoch": 0, "loss": ..}, ..], "val": [{"epoch": 0, "loss": ..}, ..]}`` was refused ("no
    numeric lists found"). The splits are merged on their epoch; a val list evaluated every
    second epoch keeps its own epochs."""
    train = [{"epoch": e, "loss": v, "acc": 0.5 + 0.04 * e} for e, v in enumerate(_L)]
    val = [{"epoch": e, "loss": w} for e, w in enumerate(_V) if e % 2 == 0]
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"config": {"lr": 1e-3}, "train": train, "val": val}, indent=2))
    h = fd.read_runs(path)[0]
    assert list(h.series["loss"].values) == _L
    assert list(h.series["val_loss"].values) == _V[::2]
    assert list(h.series["val_loss"].steps) == list(range(0, len(_V), 2))
    assert "accuracy" in h.series


def test_runs_each_kept_as_per_split_record_lists_are_read_by_name(tmp_path):
    """``{"jepa": {"train": [..], "val": [..]}, "baseline": {..}}``: a model beside its baseline,
    each a pair of per-split record lists (a liver-imaging study's train_history.json)."""
    def run(loss, val):
        return {"train": [{"epoch": e, "loss": v} for e, v in enumerate(loss)],
                "val": [{"epoch": e, "loss": w} for e, w in enumerate(val)]}
    path = tmp_path / "train_history.json"
    path.write_text(json.dumps({"jepa": run(_L, _V), "baseline": run(_V, _L)}))
    runs = fd.read_runs(path)
    assert [r.name for r in runs] == ["jepa", "baseline"]
    assert list(runs[0].series["val_loss"].values) == _V
    assert list(runs[1].series["loss"].values) == _V


def test_two_record_lists_neither_a_split_are_not_merged_as_splits(tmp_path):
    """Record lists under names that are not splits stay runs (read by key), not one run."""
    recs = [{"epoch": e, "loss": v} for e, v in enumerate(_L)]
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"small": recs, "large": recs}))
    assert [r.name for r in fd.read_runs(path)] == ["small", "large"]


@pytest.mark.parametrize("shape,want", [
    ({"train": {"loss_weights": [1.0, 0.5], "batch_size": 32}, "model": {"layers": [64, 32]}}, None),
    ({"loss": {"train": _L, "test": _V}}, {"loss", "val_loss"}),
])
def test_nested_settings_are_no_history_and_a_test_split_is_validation(tmp_path, shape, want):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(shape))
    if want is None:
        with pytest.raises(BadInput):
            fd.read(path)
    else:
        assert set(fd.read(path).series) == want


@pytest.mark.parametrize("text", ["{'loss': [0.9, 0.8], [1]: 2}", "{'loss': [0.9, 0.8], 'val_loss': {'0': 1, '\u00b2': 2}}"])
def test_malformed_printed_histories_are_one_clear_line(tmp_path, text):
    path = tmp_path / "h.txt"
    path.write_text(text)
    read_or_refuse(path)


def test_a_printed_history_of_tensors_is_read(tmp_path):
    """print(history) where the loop appended tensors: {'loss': [tensor(0.9), ...]}."""
    path = tmp_path / "h.txt"
    path.write_text("{'loss': [tensor(0.9000), tensor(0.7000)], 'val_loss': [tensor(1.0, device='cuda:0'), tensor(0.8)]}")
    run = fd.read(path)
    assert list(run.series["val_loss"].values) == [1.0, 0.8]


def test_curves_named_by_their_split_alone_are_read_as_the_loss_they_track(tmp_path):
    """A hand loop's history ``{"train": [...], "val": [...]}`` names no metric: it was read as two
    curves no rule looks at ("no findings" on a char-level LM still falling at its last epoch)."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"train": [1.6 + 1.1 * 0.85 ** i for i in range(10)],
                                       "val": [1.6 + 0.9 * 0.87 ** i for i in range(10)]}))
    [h] = fd.read_runs(path)
    assert list(h.series) == ["loss", "val_loss"]
    assert any("'train' and 'val' name a split and no metric" in n for n in h.meta["notes"])
    assert "still_improving" in [f.code for f in fd.diagnose(h).findings]


def test_split_named_curves_that_rise_within_0_and_1_are_accuracy(tmp_path):
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"train": [0.5 + 0.04 * i for i in range(10)], "valid": [0.5 + 0.03 * i for i in range(10)]}))
    [h] = fd.read_runs(path)
    assert list(h.series) == ["accuracy", "val_accuracy"]


def test_a_text_table_headed_by_split_words_alone_is_read_as_those_curves(tmp_path):
    """``losses.txt`` of a depth regressor: "train,valid" over 50 rows of numbers. A CSV that
    names no metric and does not end in .csv was an unknown log format; its header of split
    words is as distinctive as a loss column's name, and the direction says what they are."""
    path = tmp_path / "losses.txt"
    path.write_text("train,valid\n" + "".join(f"{2122.6 - 11 * i:.4f},{674.7 - 4 * i:.4f}\n" for i in range(12)))
    [h] = fd.read_runs(path)
    assert h.meta["format"] == "csv" and list(h.series)[:2] == ["loss", "val_loss"]
    tabbed = tmp_path / "log.txt"
    tabbed.write_text("epoch\ttrain\tval\n" + "".join(f"{i}\t{0.5 + 0.04 * i:.2f}\t{0.5 + 0.03 * i:.2f}\n"
                                                        for i in range(1, 9)))
    assert {"accuracy", "val_accuracy"} <= set(fd.read_runs(tabbed)[0].series)
    (tmp_path / "scores.txt").write_text("train,train\n1,2\n3,4\n")  # no held-out split: not this
    with pytest.raises(BadInput):
        fd.read_runs(tmp_path / "scores.txt")


def test_split_named_curves_beside_a_loss_keep_their_names(tmp_path):
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"loss": [1.0, 0.8, 0.7], "train": [3.0, 2.0, 1.0], "val": [3.0, 2.5, 2.0]}))
    [h] = fd.read_runs(path)
    assert {"loss", "train", "val"} <= set(h.series)


def test_two_validation_curves_named_by_their_split_alone_keep_their_names(tmp_path):
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"train": [3.0, 2.0, 1.0], "val": [3.0, 2.5, 2.0], "valid": [3.1, 2.6, 2.1]}))
    [h] = fd.read_runs(path)
    assert {"train", "val", "valid"} <= set(h.series)


def test_a_history_json_that_opens_with_a_note_of_its_own_is_still_a_history(tmp_path):
    """``{"_provenance": {...}, "train_loss": [...], "val_loss": [...]}``: the curves come
    after a value that is none; it was 'unknown log format'."""
    data = {"_provenance": {"status": "development run", "warning": "not a canonical evaluation"},
            "train_loss": [0.52, 0.33, 0.28, 0.23, 0.22, 0.2, 0.19, 0.18],
            "val_loss": [0.39, 0.28, 0.3, 0.22, 0.2, 0.21, 0.19, 0.19]}
    path = tmp_path / "history.json"
    path.write_text(json.dumps(data, indent=2))
    h = fd.read(path)
    assert h.meta["format"] == "keras-json"
    assert h.series["val_loss"].values.tolist() == data["val_loss"]


def test_a_console_log_led_by_a_bracketed_stamp_and_a_printed_dict_is_not_taken_for_json(tmp_path):
    """ST-GCN's log cut before its first epoch: '[03.24.23|09:56:11] Parameters:' and then a
    printed dict. It was refused as "invalid JSON at line 1", which sends the user to the wrong
    place; a list of records ('[' then '{') is still read as JSON."""
    p = tmp_path / "log.txt"
    p.write_text("[03.24.23|09:56:11] Parameters:\n{'work_dir': './output', 'num_epoch': 50, 'base_lr': 0.1}\n")
    with pytest.raises(BadInput) as err:
        fd.read(p)
    assert "unknown log format" in str(err.value) and "JSON" not in str(err.value)
    records = tmp_path / "records.json"
    records.write_text('[\n  {"epoch": 1, "loss": 0.9, "val_loss": 1.0},\n  {"epoch": 2, "loss": 0.7, "val_loss": 0.8},\n'
                       '  {"epoch": 3, "loss": 0.6, "val_loss": 0.75}\n]\n')
    assert fd.read(records).meta["format"] == "json"


def test_a_console_log_led_by_a_bracketed_source_stamp_is_not_called_invalid_json(tmp_path):
    """Python logging's ``[{%(filename)s:%(lineno)d} ...`` stamp opens every line with ``[{``;
    a list of JSON records opens ``[{"``. A log in names no reader knows (``trlast``) is refused
    as an unknown format, not as JSON broken at line 1."""
    p = tmp_path / "log.txt"
    p.write_text("".join(f"[{{3667621017.py:45}} INFO - Epoch {e:4d}, trlast = {16.4 - 0.01 * e:.4f}, "
                         f"val = {16.2 - 0.002 * e:.4f}\n" for e in range(1, 30)))
    with pytest.raises(BadInput) as err:
        fd.read_runs(str(p))
    assert "JSON" not in str(err.value) and "unknown log format" in str(err.value)


def test_a_list_of_records_cut_short_is_read_up_to_its_last_whole_record_with_a_note(tmp_path):
    """A skorch-style history.json whose writer was stopped mid-record (no closing bracket):
    the whole records are the run so far; the cut is said, not hidden, and not refused."""
    recs = [{"epoch": e, "train_loss": 0.7 / e, "valid_loss": 0.75 / e ** 0.5, "dur": 1.2} for e in range(1, 9)]
    text = json.dumps(recs)
    p = tmp_path / "history.json"
    p.write_text(text[: text.rindex('{"epoch": 8') + 12])
    h = fd.read_runs(str(p))[0]
    assert len(h.get("loss").values) == 7
    assert any("cut short" in n for n in h.meta.get("notes", []))


def test_a_keras_history_dict_cut_short_is_read_up_to_its_last_whole_list_with_a_note(tmp_path):
    """json.dump(history.history) under a run's name, copied while it was still being written:
    the file ends inside "lr": [ . The four whole curves before the cut are the run; the cut is
    said. A dict broken in its middle (not at its end) is still refused with one line."""
    hist = {"loss": [0.2361, 0.1593, 0.1402, 0.1207, 0.1124, 0.1096, 0.1041, 0.0986],
            "accuracy": [0.900, 0.934, 0.941, 0.950, 0.954, 0.957, 0.960, 0.963],
            "val_loss": [0.2491, 0.2503, 0.3195, 0.4531, 0.2650, 0.2332, 0.2611, 0.2745],
            "val_accuracy": [0.889, 0.881, 0.877, 0.856, 0.883, 0.905, 0.897, 0.893],
            "lr": [1e-3] * 8}
    text = json.dumps({"phase1": hist, "phase2": hist}, indent=2)
    p = tmp_path / "training_history.json"
    p.write_text(text[: text.index('"lr"') + 12])
    h = fd.read_runs(str(p))[0]
    assert h.get("val_loss").values.tolist() == hist["val_loss"] and "lr" not in h.series
    assert any("cut short inside 'lr'" in n for n in h.meta.get("notes", []))
    p.write_text(text[: text.index('"phase2"') + 40])  # phase 2 cut: phase 1 is whole
    assert fd.read_runs(str(p))[0].get("loss").values.tolist() == hist["loss"]
    zero = dict(hist, accuracy=[0.0] + hist["accuracy"][1:])  # an exact 0 is a number like any other
    ztext = json.dumps({"phase1": zero}, indent=2)
    p.write_text(ztext[: ztext.index('"lr"') + 12])
    assert fd.read_runs(str(p))[0].get("accuracy").values.tolist()[0] == 0.0
    p.write_text(text.replace('"accuracy": [', '"accuracy": [oops, ', 1))
    with pytest.raises(BadInput, match="invalid JSON"):
        fd.read_runs(str(p))


def test_a_list_cut_short_after_one_record_is_still_bad_input(tmp_path):
    p = tmp_path / "history.json"
    p.write_text('[{"epoch": 1, "train_loss": 0.7}, {"epoch": 2, "train_lo')
    with pytest.raises(BadInput):
        fd.read_runs(str(p))


def test_a_one_row_fit_before_the_real_one_is_left_out_with_a_note_not_a_refusal(tmp_path):
    """A CSVLogger appending to one file: one row of a start stopped at once, then the 25-epoch
    fit. The whole file had been refused with "fit 1: only one epoch of values"."""
    rows = ["epoch,loss,mIoU", "1,48.72,0.16"] + [f"{e},{0.44 / e:.4f},{0.24 + 0.02 * e:.3f}" for e in range(1, 26)]
    p = tmp_path / "train_log.csv"
    p.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(str(p))
    assert len(runs) == 1 and len(runs[0].get("loss").values) == 25
    assert any("single point" in n for n in runs[0].meta.get("notes", []))
    assert fd.diagnose(runs[0]).codes


def test_one_epoch_fits_appended_in_a_loop_are_read_as_one_run(tmp_path):
    """``for e in range(8): model.fit(x, y, epochs=1, callbacks=[CSVLogger(f, append=True)])``:
    eight rows, each epoch 0. They are the epochs of one run, not eight one-point runs (which
    refused the whole file)."""
    rows = ["epoch,categorical_accuracy,loss,val_categorical_accuracy,val_loss"]
    rows += [f"0,{0.76 + 0.03 * e:.4f},{0.7 / (1 + e):.4f},{0.87 + 0.015 * e:.4f},{0.41 / (1 + e):.4f}" for e in range(8)]
    p = tmp_path / "history.csv"
    p.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(str(p))
    assert len(runs) == 1
    assert list(runs[0].get("val_loss").steps) == [float(e) for e in range(8)]
    assert any("one-epoch fits" in n for n in runs[0].meta.get("notes", []))


def test_one_epoch_fits_saved_with_a_blank_line_after_each_row_are_still_one_run(tmp_path):
    """The same loop's file saved with ``\\r\\r\\n`` line ends (a text-mode write of CRLF text on
    Windows): every row is followed by an empty line. Blank lines are no rows; the file had been
    refused as "only one epoch of values"."""
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss"]
    rows += [f"0,{0.76 + 0.01 * e:.4f},{0.7 / (1 + e):.4f},{0.87 + 0.005 * e:.4f},{0.41 / (1 + e):.4f}" for e in range(10)]
    p = tmp_path / "training_log.csv"
    p.write_bytes(("\r\r\n".join(rows) + "\r\r\n").encode())
    runs = fd.read_runs(str(p))
    assert len(runs) == 1
    assert list(runs[0].get("loss").steps) == [float(e) for e in range(10)]
    assert fd.diagnose(runs[0]).codes


def test_one_epoch_fits_of_two_models_in_turn_are_two_runs(tmp_path):
    """The loop trains one model for 16 epochs, then a fresh one for 10, all rows epoch 0: the
    second model's first loss (1.67) is five times the row before and above the first model's
    first (0.39), and falls again at once. Two runs, the last one the second model. A loss that
    blows up to twice its level and stays there is one run that diverged, not a new model."""
    first = [0.39 - 0.006 * e for e in range(16)]
    second = [1.67 * 0.8 ** e for e in range(10)]
    rows = ["epoch,loss,val_loss"] + [f"0,{y:.4f},{0.9 * y:.4f}" for y in first + second]
    p = tmp_path / "training_log.csv"
    p.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(str(p))
    assert [len(r.get("loss").values) for r in runs] == [16, 10]
    assert any("2 models in turn" in n for n in runs[-1].meta.get("notes", []))
    blown = first + [y * 2.5 for y in first[:10]][::-1]
    rows = ["epoch,loss,val_loss"] + [f"0,{y:.4f},{0.9 * y:.4f}" for y in blown]
    p.write_text("\n".join(rows) + "\n")
    assert [len(r.get("loss").values) for r in fd.read_runs(str(p))] == [26]


def test_a_list_of_one_epoch_keras_histories_is_one_run(tmp_path):
    """``hists = [model.fit(..., epochs=1).history for _ in range(50)]`` saved with json.dump:
    each record a History.history of one-element lists. They are the epochs of one run; the
    file had been refused ("records hold no numeric values")."""
    hists = [{"loss": [0.34 / (1 + 0.2 * e)], "val_loss": [0.22 / (1 + 0.15 * e)]} for e in range(12)]
    p = tmp_path / "training_history.json"
    p.write_text(json.dumps(hists))
    runs = fd.read_runs(str(p))
    assert len(runs) == 1 and len(runs[0].get("val_loss").values) == 12
    assert any("one-epoch fit() histories" in n for n in runs[0].meta.get("notes", []))


def test_a_list_of_several_epoch_keras_histories_is_a_run_each(tmp_path):
    """Folds saved as a list of History.history dicts: a run per fit, as a file of folds is read."""
    hists = [{"loss": [0.7, 0.5, 0.4, 0.35], "val_loss": [0.72, 0.55, 0.5, 0.48]} for _ in range(3)]
    p = tmp_path / "folds.json"
    p.write_text(json.dumps(hists))
    runs = fd.read_runs(str(p))
    assert len(runs) == 3 and all(len(r.get("loss").values) == 4 for r in runs)


def test_a_flower_history_reads_the_clients_evaluation_as_validation(tmp_path):
    """Flower's History saved as a dict of [round, value] pairs: the clients' evaluation loss
    and metrics are validation, their fit metrics training (a fit loss under a name of its own
    is said to be read as the train loss). The file had been refused."""
    rounds = range(1, 11)
    data = {"losses_distributed": [[r, 0.84 if r == 1 else 2.2 + 0.05 * (r % 3)] for r in rounds],
            "metrics_distributed_fit": {"avg_classifier_loss": [[r, 0.86 / r] for r in rounds],
                                        "avg_client_fit_sec": [[r, 2.1] for r in rounds]},
            "metrics_distributed": {"accuracy": [[r, 0.86 if r == 1 else 0.6] for r in rounds],
                                    "round": [[r, r] for r in rounds]}}
    p = tmp_path / "history.json"
    p.write_text(json.dumps(data, indent=2))
    run = fd.read_runs(str(p))[0]
    assert run.get("val_loss").values[0] == pytest.approx(0.84) and list(run.get("val_loss").steps) == list(rounds)
    assert run.get("loss").values[-1] == pytest.approx(0.086)
    assert run.get("val_accuracy") is not None and "val_round" not in run.series
    assert any("avg_classifier_loss" in n for n in run.meta.get("notes", []))
    assert fd.diagnose(run).codes[0] in ("overfitting", "val_not_improving")


def test_a_table_of_several_trainings_reads_one_run_per_model_and_restart(tmp_path):
    """A script that trains an LSTM, a transformer and an ensemble, appending each to one
    ``model,epoch,train_loss,val_loss,lr`` table: each model's training is a run of its own (the
    ensemble's val loss never beats its first epoch). Read as one run, its epochs went 1..19,
    1..16, 1..13, and the LSTM's noisy val loss made the whole file read ``oscillating``."""
    rows = ["model,epoch,train_loss,val_loss,lr"]
    for model, n, val in (("lstm", 19, lambda e: 0.02 + 0.006 * (e % 3)), ("transformer", 16, lambda e: 0.0003),
                          ("ensemble", 13, lambda e: 0.000272 + 0.00004 * (e % 4) * (e > 1))):
        for e in range(1, n + 1):
            rows.append(f"{model},{e},{0.008 / e:.6f},{val(e):.6f},{1e-3 * (1 - e / 20):.2e}")
    path = tmp_path / "training_log.csv"
    path.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(path)
    assert [r.name for r in runs] == ["model=lstm (line 2)", "model=transformer (line 21)", "model=ensemble (line 37)"]
    assert [len(r.get("val_loss").values) for r in runs] == [19, 16, 13]
    assert fd.diagnose(runs[-1]).findings[0].code == "val_not_improving"


def test_a_generic_csv_whose_epoch_counter_starts_again_is_two_runs(tmp_path):
    """Two trainings appended to one table with no column naming them: the epoch counter starting
    again begins the second run; a table whose counter never restarts stays one run."""
    rows = ["note,epoch,loss,val_loss"]
    for e in range(1, 9):
        rows.append(f"ok,{e},{1 / e:.4f},{1.1 / e:.4f}")
    for e in range(1, 7):
        rows.append(f"ok,{e},{0.9 / e:.4f},{1.0 / e:.4f}")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(path)
    assert runs[0].meta["format"] == "csv" and [len(r.get("loss").values) for r in runs] == [8, 6]
    path.write_text("\n".join(rows[:9]) + "\n")
    assert len(fd.read_runs(path)) == 1


def test_a_long_table_with_a_split_column_reads_each_split_under_its_name(tmp_path):
    """``model,epoch,type,MAE,MSE,R2`` with a train row and a val row per epoch: the val rows
    are the validation curves. Read as one column each, MSE zigzagged between the two splits."""
    rows = ["model,epoch,type,MAE,MSE,R2"]
    for e in range(1, 9):
        rows += [f"lstm.pt,{e},train,{0.7 - 0.03 * e:.3f},{0.75 - 0.04 * e:.3f},{0.2 + 0.04 * e:.3f}",
                 f"lstm.pt,{e},val,{0.8 - 0.02 * e:.3f},{0.9 - 0.03 * e:.3f},{0.1 + 0.03 * e:.3f}"]
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join(rows) + "\n")
    run = fd.read_runs(path)[0]
    assert list(run.get("mse").values[:2]) == [0.71, 0.67] and list(run.get("val_mse").values[:2]) == [0.87, 0.84]
    assert any("'type' names each row's split" in n for n in run.meta["notes"])
    assert fd.diagnose(run).findings[0].code == "still_improving"


def test_a_long_table_cut_inside_its_split_column_still_reads_its_splits(tmp_path):
    """A file still being written, cut at "m,2,tra": the cut row is dropped, and the rows
    before it are still read split by split."""
    path = tmp_path / "metrics.csv"
    path.write_text("model,epoch,type,MAE\nm,1,train,0.5\nm,1,val,0.6\nm,2,train,0.4\nm,2,val,0.55\nm,3,tra")
    run = fd.read_runs(path)[0]
    assert list(run.get("mae").values) == [0.5, 0.4] and list(run.get("val_mae").values) == [0.6, 0.55]
    assert any("incomplete" in n for n in run.meta["notes"])


def test_json_lines_appended_across_trainings_are_a_run_each(tmp_path):
    """DETR writes log.txt in append mode, one JSON line per epoch: a training started again
    writes epoch 0 after the last one's final epoch. Each start is a run (the last complete one
    leads), not one run whose val loss jumps back and forth; a resume that continues the count
    stays in its run."""
    def line(epoch, train, test):
        return json.dumps({"train_lr": 1e-4, "train_loss": train, "test_loss": test, "epoch": epoch,
                           "n_parameters": 41302368})

    rows = [line(e, 17 - e, 18.5 + 0.1 * e) for e in range(5)]
    rows += [line(e, 19 - e, 18.8 - 0.02 * e) for e in range(3)]
    rows += [line(e, 16 - e, 18.6) for e in range(3, 5)]  # resumed at epoch 3
    p = tmp_path / "log.txt"
    p.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(p)
    assert [r.meta["run"] for r in runs] == ["run 1 (line 1)", "run 2 (line 6)"]
    assert list(runs[1].series["val_loss"].steps) == [0, 1, 2, 3, 4]
    assert list(runs[0].series["loss"].values) == [17, 16, 15, 14, 13]
    one = tmp_path / "one.jsonl"
    one.write_text("\n".join(rows[:5]) + "\n")
    assert len(fd.read_runs(one)) == 1 and "run" not in fd.read_runs(one)[0].meta


def test_a_commented_header_and_testing_columns(tmp_path):
    """A hand-written tab-separated table under '#Epoch' (numpy.savetxt writes '# epoch,...'):
    the first column is the epoch axis, and 'Testing Error' is the held-out curve, as
    'Training Error' is the train one."""
    p = tmp_path / "training.out"
    p.write_text("#Epoch\tTraining Error\tTesting Error\r\n"
                 + "".join(f"{e}\t{0.64 / (e + 1):.4f}\t{0.63 / (e + 1) + 0.01:.4f}\r\n" for e in range(12)))
    h = fd.read(p)
    assert set(h.series) == {"error", "val_error"}
    assert list(h.series["val_error"].steps) == list(range(12))


@pytest.mark.parametrize("index_label", [None, "metric"])
def test_a_history_saved_transposed_is_read_with_one_column_per_epoch(tmp_path, index_label):
    """``pd.DataFrame(history.history).T.to_csv(...)``: one row per metric, one column per
    epoch. Read as the rows of a results table it was refused; it is the run's curves."""
    pd = pytest.importorskip("pandas")
    hist = {"loss": [1.97, 1.28, 0.99, 0.81, 0.67], "accuracy": [0.52, 0.66, 0.71, 0.76, 0.79],
            "val_loss": [1.67, 1.83, 2.05, 2.12, 2.53], "val_accuracy": [0.63, 0.63, 0.64, 0.62, 0.61]}
    p = tmp_path / "history.csv"
    pd.DataFrame(hist).T.to_csv(p, index_label=index_label)
    (h,) = fd.read_runs(p)
    assert h.series["val_loss"].values.tolist() == hist["val_loss"]
    assert h.series["loss"].steps.tolist() == [0, 1, 2, 3, 4]
    assert any("transposed" in n for n in h.meta["notes"])
    d = fd.diagnose(h)
    assert d.findings[0].code == "overfitting"
    txt = tmp_path / "history.txt"  # no .csv to go by: the table's shape is enough
    txt.write_text(p.read_text())
    assert fd.read_runs(txt)[0].series["loss"].values.tolist() == hist["loss"]


def test_a_transposed_history_with_no_values_names_what_is_missing(tmp_path):
    p = tmp_path / "history.csv"
    p.write_text(",0,1,2\nloss,,,\nval_loss,,,\n")
    with pytest.raises(BadInput, match="one row per curve .* but no values under the epoch columns"):
        fd.read_runs(p)


@pytest.mark.parametrize("first", ["nan", "inf"])
def test_a_numbered_header_with_a_non_finite_number_is_no_transposed_history(tmp_path, first):
    p = tmp_path / "odd.csv"
    p.write_text(f",{first},1,2\nloss,0.9,0.8,0.7\n")
    with pytest.raises(BadInput):
        fd.read_runs(p, fmt="csv")


def test_a_results_table_is_still_refused_when_its_columns_are_numbered(tmp_path):
    """Numbered columns alone do not make a transposed history: its rows must name curves."""
    p = tmp_path / "results.csv"
    p.write_text(",0,1,2\nresnet,0.91,0.92,0.90\nvgg,0.88,0.87,0.89\n")
    with pytest.raises(BadInput, match="table of results"):
        fd.read_runs(p)


def test_records_wrapped_beside_metadata_with_per_split_groups_read(tmp_path):
    """``{"parameters": {..}, "history": [{"epoch": 1, "train": {..}, "validation": {.., "total":
    ..}}]}``: a multi-task model's history, refused before as an unknown format. Each split's
    heads are curves of their own; the split's ``total`` is its loss."""
    import json

    vals = [4.1664, 3.4345, 2.8246, 2.7357]
    heads = [(2.4302, 0.7385, 0.3052, 0.3213), (0.7756, 0.2903, 0.222, 0.2668), (0.7222, 0.2334, 0.1882, 0.2473),
             (0.701, 0.1928, 0.1803, 0.2319)]
    hist = [{"epoch": e + 1, "train": {"lm": tl, "heatmap": th}, "validation": {"lm": vl, "heatmap": vh, "total": v},
             "elapsed_seconds": 1292.5, "finished_at": "2026/10/01 19:39:04"}
            for e, (v, (tl, th, vl, vh)) in enumerate(zip(vals, heads))]
    path = tmp_path / "training_history.json"
    path.write_text(json.dumps({"parameters": {"encoder": 356708, "total": 3027374}, "history": hist}, indent=2))
    [run] = fd.read_runs(path)
    assert list(run.series["val_loss"].values) == vals
    assert list(run.series["val_loss"].steps) == [1, 2, 3, 4]
    assert "train_lm" in {s.raw_name for s in run.series.values()}
    assert fd.diagnose(run).top.code == "still_improving"


def test_a_csv_header_in_chinese_is_read_in_english(tmp_path):
    """'步骤,损失,准确率' (step, loss, accuracy): read before with no curve it could judge."""
    rows = ["步骤,损失,准确率"] + [f"{i},{29.0 * math.exp(-i / 300) + 1.5:.4f},{min(99.0, 2 + i / 12):.2f}" for i in range(1200)]
    path = tmp_path / "training_metrics.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = fd.read(path)
    assert {"loss", "accuracy"} <= set(run.series)
    assert run.series["loss"].axis == "step"
    assert fd.diagnose(run).codes


def test_runs_in_groups_two_levels_down_are_a_run_each(tmp_path):
    """{"ae": {"ae_original": {"train": [..], "val": [..], "best_epoch": 9}, ..}, "vae": {..}}: ten
    autoencoder and VAE runs in two groups, refused before ("expected a JSON object of per-epoch
    lists"). Each is a run, named by its group and its key; the split-named curves are its loss."""
    def run(scale):
        return {"train": [scale * (2 - i / 10) for i in range(10)], "val": [scale * (2.1 - i / 11) for i in range(10)],
                "val_recon": [scale] * 10, "best_epoch": 9, "seconds": 242.3}
    data = {"ae": {"ae_original": run(0.01), "ae_fixed_head": run(0.012)},
            "vae": {"vae_original": run(100.0), "vae_elbo_2d": run(150.0)}}
    path = tmp_path / "history.json"
    path.write_text(json.dumps(data, indent=1))
    runs = fd.read_runs(path)
    assert [r.meta["run"] for r in runs] == ["ae/ae_original", "ae/ae_fixed_head", "vae/vae_original", "vae/vae_elbo_2d"]
    assert runs[-1].series["val_loss"].values[0] == pytest.approx(150.0 * 2.1)



def test_a_wandb_csv_export_reads_its_metrics_without_the_run_name(tmp_path):
    """W&B's 'Download CSV': 'eager-sun-3 - val_loss' columns with '__MIN'/'__MAX' twins, read
    before as curves named 'eager_sun_3___val_loss' that no rule judged."""
    cols = ["Step"] + [f"eager-sun-3 - {m}{t}" for m in ("val_loss", "train_loss") for t in ("", "__MIN", "__MAX")]
    rows = [",".join(cols)]
    for e in range(1, 21):
        v, t = 2.0 * math.exp(-e / 6) + 0.4, 2.0 * math.exp(-e / 6) + 0.3
        rows.append(",".join([str(e)] + [f"{x:.4f}" for x in (v, v, v, t, t, t)]))
    path = tmp_path / "wandb_export_2024-01-01.csv"
    path.write_text("\n".join(rows) + "\n")
    run = fd.read(path)
    assert set(run.series) == {"loss", "val_loss"}
    assert any("W&B's CSV export" in n for n in run.meta["notes"])


@pytest.mark.parametrize("split,name", [("train", "loss"), ("validation", "val_loss")])
def test_a_tensorboard_csv_export_takes_its_tag_from_the_file_name(tmp_path, split, name):
    """TensorBoard's 'Download CSV' of one scalar: 'Wall time,Step,Value', the tag only in the
    file's name (run-validation-tag-epoch_loss.csv)."""
    rows = ["Wall time,Step,Value"] + [f"{1600000000.5 + e},{e},{2.0 * math.exp(-e / 6) + 0.3:.5f}" for e in range(30)]
    path = tmp_path / f"run-{split}-tag-epoch_loss.csv"
    path.write_text("\n".join(rows) + "\n")
    assert name in fd.read(path).series


def test_a_history_nested_twice_under_a_wrapper_is_sniffed(tmp_path):
    """{"metrics": {"train": {"loss": [..]}, "validation": {"loss": [..]}}}: refused before as an
    unknown format (the sniffer looked one level down only)."""
    t = [2.0 * math.exp(-e / 6) + 0.3 for e in range(20)]
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({"metrics": {"train": {"loss": t}, "validation": {"loss": [x + 0.1 for x in t]}}}, indent=2))
    assert {"loss", "val_loss"} <= set(fd.read(path).series)


def test_a_printed_history_behind_a_label_is_read(tmp_path):
    """print("train history:", history.history) and a summary line after it: refused before as
    'header only, no rows'."""
    t = [round(2.0 * math.exp(-e / 6) + 0.3, 4) for e in range(20)]
    path = tmp_path / "train_history.txt"
    path.write_text(f"train history: {{'loss': {t}, 'val_loss': {[x + 0.1 for x in t]}}}\n accuracy: 0.7619\n")
    assert len(fd.read(path).series["val_loss"]) == 20


def test_a_json_list_of_numbers_is_the_metric_its_file_names(tmp_path):
    """``json.dump(train_losses, open("losses.json", "w"))``: nothing in the file says what the
    numbers are, so its name does; a name without a metric word is refused, saying so."""
    import json

    import fitdoctor as fd
    from fitdoctor.errors import BadInput

    losses = [0.95, 0.76, 0.66, 0.58, 0.50, 0.44, 0.39, 0.35, 0.32, 0.29]
    (tmp_path / "losses.json").write_text(json.dumps(losses))
    h = fd.read(str(tmp_path / "losses.json"))
    h = h[0] if isinstance(h, list) else h
    assert h.meta["format"] == "json-list" and list(h.series) == ["loss"]
    assert h.series["loss"].values.tolist() == losses and h.series["loss"].steps.tolist() == list(range(1, 11))
    (tmp_path / "val_losses.json").write_text(json.dumps(losses))
    assert list(fd.read_runs(str(tmp_path / "val_losses.json"))[0].series) == ["val_loss"]
    (tmp_path / "accuracies.json").write_text("[0.5, 0.6, 0.7")  # still being written
    acc = fd.read_runs(str(tmp_path / "accuracies.json"))[0]
    assert acc.series["accuracy"].values.tolist() == [0.5, 0.6] and any("cut short" in n for n in acc.meta["notes"])
    (tmp_path / "data.json").write_text(json.dumps(losses))
    with pytest.raises(BadInput, match="does not say what they are"):
        fd.read_runs(str(tmp_path / "data.json"))


def test_a_list_written_on_one_line_without_brackets_is_the_metric_its_file_names(tmp_path):
    """A graph network's ``train_loss.txt``: its 100 losses on one line, ``", ".join(...)`` of
    them, no brackets and no newline. It was an unknown log format; it is the list the file
    names, as its bracketed twin is. Two lines of such numbers are a table, not a list."""
    losses = [1.0988, 1.0984, 1.0986, 1.0986, 1.1045, 1.0983]
    p = tmp_path / "train_loss.txt"
    p.write_text(", ".join(map(str, losses)))
    h = fd.read_runs(p)[0]
    assert list(h.series) == ["loss"] and h.series["loss"].values.tolist() == losses
    p.write_text(", ".join(map(str, losses)) + ",\n")  # a trailing comma and newline, as a loop writes it
    assert fd.read_runs(p)[0].series["loss"].values.tolist() == losses
    table = tmp_path / "loss.txt"
    table.write_text("1, 0.9, 0.95\n2, 0.8, 0.85\n")
    with pytest.raises(BadInput, match="unknown log format"):
        fd.read_runs(table)


def test_a_list_python_printed_with_nan_and_inf_in_it_reads_them_as_non_finite(tmp_path):
    """``f.write(str(losses))`` and ``", ".join(map(str, losses))`` spell a blown-up loss
    ``nan`` and ``inf``, not JSON's NaN and Infinity. Such a list was an unknown log format;
    it is the run it logged, and it says the loss went non-finite."""
    losses = [0.69, 0.52, float("nan"), 0.41, float("inf"), -float("inf")]
    for name, text in (("losses.txt", str(losses)), ("train_loss.txt", ", ".join(map(str, losses))),
                       ("loss_rows.json", str([[1, 0.7, 0.8], [2, 0.5, float("nan")], [3, 0.4, 0.6]]))):
        p = tmp_path / name
        p.write_text(text)
        h = fd.read_runs(p)[0]
        values = np.concatenate([s.values for s in h.series.values()])
        assert np.isnan(values).sum() == (1 if "rows" in name else 1) and len(values) >= 6
        if "rows" not in name:
            assert np.isposinf(values).sum() == 1 and np.isneginf(values).sum() == 1
        assert fd.diagnose(h).findings[0].code == "non_finite"
    # a word with nan or inf inside it is not a number: still not a list
    (tmp_path / "loss.txt").write_text("0.5, nanometre, 0.4")
    with pytest.raises(BadInput, match="unknown log format"):
        fd.read_runs(tmp_path / "loss.txt")


def test_the_pytorch_tutorial_print_is_not_a_list_of_numbers(tmp_path):
    """``[1,  2000] loss: 2.178`` opens with a bracketed pair of numbers, as a list would."""
    import fitdoctor as fd

    p = tmp_path / "loss_log.txt"
    p.write_text("".join(f"[{e},  {b}] loss: {2.3 - 0.1 * e - 0.01 * b / 2000:.3f}\n"
                         for e in range(1, 4) for b in (2000, 4000, 6000)))
    h = fd.read_runs(str(p))[0]
    assert h.meta["format"] == "console" and "loss" in h.series


def test_a_step_column_that_restarts_each_epoch_places_rows_within_their_epoch(tmp_path):
    """``epoch,step,train_loss`` written every 50 batches, the step counted afresh in each epoch
    (1,0 1,50 ... 1,750 2,0 ...): read on the epoch axis, the 16 rows of an epoch were piled on
    one x. Each row now sits at its share of the epoch, in order; a global step that runs on
    across epochs is left as it was."""
    rows = ["epoch,step,train_loss,step_time_ms"]
    for e in range(1, 4):
        for k in range(16):
            rows.append(f"{e},{50 * k},{1.0 / (e + k / 16):.5f},{350 + k}")
    p = tmp_path / "train_log.csv"
    p.write_text("\n".join(rows) + "\n")
    h = fd.read(p)
    steps = h.series["loss"].steps
    assert steps[0] == 1.0 and steps[8] == 1.5 and steps[16] == 2.0 and steps[-1] == 3.9375
    assert bool(np.all(np.diff(steps) > 0))
    assert any("counts the batches within each epoch" in n for n in h.meta["notes"])
    glob = ["epoch,step,train_loss,step_time_ms"] + [f"{e},{16 * (e - 1) + k},{1.0 / (e + k / 16):.5f},350"
                                         for e in range(1, 4) for k in range(16)]
    p.write_text("\n".join(glob) + "\n")
    h = fd.read(p)
    assert not any("counts the batches" in n for n in h.meta.get("notes", []))


def test_runs_whose_rows_take_turns_are_read_apart(tmp_path):
    """``seed,model,epoch,...`` with a baseline row and a vbll row for each epoch, three seeds one
    after another, and a True/False column marking rows: six runs of 10 epochs each, not three
    runs whose epochs hold two models' values, nor runs cut wherever the flag changes. The columns
    naming the runs are not curves."""
    rows = ["seed,model,epoch,train_objective,val_accuracy,val_nll,selected_so_far"]
    for seed in (42, 43, 44):
        for e in range(1, 11):
            for k, model in enumerate(("baseline", "vbll")):
                rows.append(f"{seed},{model},{e},{1.0 / e + k:.4f},{0.8 + e / 100:.3f},{0.6 - e / 50 + k / 10:.4f},"
                            f"{'True' if e % 3 else 'False'}")
    p = tmp_path / "training_log.csv"
    p.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(p)
    assert [r.meta["run"].split(" (")[0] for r in runs] == [
        f"seed={s}, model={m}" for s in (42, 43, 44) for m in ("baseline", "vbll")]
    assert all(len(r.series["val_nll"]) == 10 for r in runs)
    assert all("seed" not in r.series for r in runs)
    assert runs[-1].series["val_nll"].values[0] == pytest.approx(0.6 - 1 / 50 + 0.1)


def test_a_text_file_of_one_number_per_line_is_the_metric_its_name_says(tmp_path):
    """``np.savetxt("train_loss.txt", losses)``: nothing but a number a line. Its name says what
    they are, one per epoch; a name that says nothing is refused with one line saying what name
    would do, and a file too long for epochs is read a logged step a point."""
    p = tmp_path / "train_loss.txt"
    values = [0.429005, 0.241279, 0.195603, 0.179628, 0.163869, 0.15, 0.14]
    p.write_text("\n".join(f"{v}" for v in values) + "\n")
    h = fd.read(p)
    assert h.meta["format"] == "number-lines" and list(h.series["loss"].values) == values
    assert h.series["loss"].axis == "epoch"
    assert any("7 numbers read as loss, one per epoch" in n for n in h.meta["notes"])
    val = tmp_path / "val_acc.txt"
    val.write_text("0.5\n0.61\n0.7\n0.72")  # no line end after the last
    assert list(fd.read(val).series["val_accuracy"].values) == [0.5, 0.61, 0.7, 0.72]
    data = tmp_path / "data.txt"
    data.write_text("0.5\n0.4\n0.3\n")
    with pytest.raises(BadInput, match="does not say what they are"):
        fd.read(data)
    steps = tmp_path / "loss.txt"
    steps.write_text("\n".join(f"{1 / (i + 1):.6f}" for i in range(3000)) + "\n")
    assert fd.read(steps).series["loss"].axis == "step"
    mixed = tmp_path / "loss_log.txt"
    mixed.write_text("epoch 1 loss 0.5\nepoch 2 loss 0.4\nepoch 3 loss 0.3\n")
    assert fd.read(mixed).meta["format"] != "number-lines"


def test_two_numbers_a_line_are_a_counter_and_the_metric_its_name_says(tmp_path):
    """A language model's ``loss_log.txt``: '49500,0.263305485' a line, a step counter logged
    every 50 (with one extra row at a checkpoint's 69999) and the loss. It was no known format;
    the file's name says what the second number is, the first counts."""
    p = tmp_path / "loss_log.txt"
    steps = [49500 + 50 * i for i in range(12)]
    steps.insert(6, steps[5] + 49)
    p.write_text("".join(f"{s},{0.2633 + 1e-6 * (i % 3):.9f}\n" for i, s in enumerate(steps)))
    h = fd.read(p)
    assert h.meta["format"] == "number-pairs" and h.series["loss"].axis == "step"
    assert list(h.series["loss"].steps) == steps
    epochs = tmp_path / "val_loss_log.txt"
    epochs.write_text("".join(f"{e}\t{1 / e:.4f}\n" for e in range(1, 8)))
    assert fd.read(epochs).series["val_loss"].axis == "epoch"


def test_a_counter_that_starts_again_splits_the_pairs_into_runs(tmp_path):
    """A character LSTM's ``loss_log.txt``: 'epoch,loss' a line, 23 epochs, then the script
    resumed from its checkpoint and counted from 1 again for 206 more. The counter stepping back
    made it no counter, and the file was refused as two losses a row with validation below
    train. Each start is a run now, the last the one that leads; starts that logged one row and
    began again (a triplet trainer restarted at step 0 three times) are left out, with a note."""
    first = [6.2 - 0.1 * e for e in range(1, 24)]
    second = [3.97 - 0.4 * (1 - math.exp(-e / 30)) for e in range(1, 207)]
    p = tmp_path / "loss_log.txt"
    p.write_text("".join(f"{e},{v:.4f}\n" for e, v in enumerate(first, 1))
                 + "".join(f"{e},{v:.4f}\n" for e, v in enumerate(second, 1)))
    runs = fd.read_runs(p)
    assert [r.meta["run"] for r in runs] == ["run 1 (line 1)", "run 2 (line 24)"]
    assert [len(r.series["loss"].values) for r in runs] == [23, 206]
    assert all(r.series["loss"].axis == "epoch" and "val_loss" not in r.series for r in runs)
    restarted = tmp_path / "losses.txt"
    restarted.write_text("0,3.46\n0,3.54\n0,3.41\n" + "".join(f"{s},{3.2 - 0.001 * s:.4f}\n" for s in range(40)))
    runs = fd.read_runs(restarted)
    assert len(runs) == 1 and list(runs[0].series["loss"].steps) == list(range(40))
    assert any("3 start(s) before line 4 logged one row each and began again" in n for n in runs[0].meta["notes"])
    stepping_back = tmp_path / "loss.txt"  # not to its start: no counter, two losses as before
    stepping_back.write_text("4,1\n6,3\n5,2\n7,4\n")
    with pytest.raises(BadInput, match="cannot tell which is train and which validation"):
        fd.read_runs(stepping_back)


def test_two_losses_a_line_are_train_then_validation_when_validation_sits_above(tmp_path):
    """GPT-2 medium's SFT ``loss.txt``: '2.5973<TAB>2.6106' a line, np.savetxt of the train and
    the val loss. Refused before as a table nothing names; read now in the order savetxt writes,
    because validation sits at or above train on most rows, the picture that order gives. With
    the second below the first on most rows the order is a guess that would decide the verdict:
    refused, saying so."""
    train = [2.5973 - 0.035 * e for e in range(12)]
    val = [t + 0.01 + 0.02 * e for e, t in enumerate(train)]
    p = tmp_path / "loss.txt"
    p.write_text("".join(f"{t}\t{v}\n" for t, v in zip(train, val)))
    h = fd.read(p)
    assert h.meta["format"] == "number-pairs"
    assert list(h.series["loss"].values) == train and list(h.series["val_loss"].values) == val
    assert any("column 1 read as the train loss and column 2 as the validation loss" in n for n in h.meta["notes"])
    p.write_text("".join(f"{v}\t{t}\n" for t, v in zip(train, val)))
    with pytest.raises(BadInput, match="cannot tell which is train and which validation"):
        fd.read(p)


def test_json_lines_with_per_split_groups_read(tmp_path):
    """One JSON line per epoch with each split's numbers in a group of their own (``{"epoch": 3,
    "train": {"loss": ..}, "val": {"loss": ..}}``, a PyTorch loop dumping its meters): refused
    before ("records hold no numeric values"); each split's names are read under its prefix."""
    lines = [json.dumps({"epoch": e, "train": {"loss": 1 / e, "acc": 1 - 0.5 / e},
                         "val": {"loss": 1 / e + 0.02 * e, "acc": 0.8}, "time": "12:00"})
             for e in range(1, 13)]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.series)
    np.testing.assert_allclose(run.series["val_loss"].values, [1 / e + 0.02 * e for e in range(1, 13)])
    assert fd.diagnose(run).top.code == "overfitting"


def test_a_lightgbm_evals_result_dumped_as_json_is_read_with_its_l2_as_the_loss(tmp_path):
    """``json.dump(model.evals_result_, f)`` of a LightGBM regressor: ``{"training": {"l2": [..]},
    "valid_0": {"l2": [..]}}``, one value per boosting round. It was refused ("expected a JSON
    object of per-epoch lists"). A config with a split's short list stays no run."""
    import json as _json

    rounds = np.arange(40)
    train = list(0.0022 - 0.00002 * rounds)
    val = list(0.00189 - 0.000004 * np.minimum(rounds, 20) + 0.000002 * np.maximum(rounds - 20, 0))
    path = tmp_path / "train_history.json"
    path.write_text(_json.dumps({"training": {"l2": train}, "valid_0": {"l2": val}, "valid_1": {"l2": val}}))
    h = fd.read(path)
    np.testing.assert_allclose(h.series["loss"].values, train)
    np.testing.assert_allclose(h.series["val_loss"].values, val)
    assert any("'valid_l2'" in n and "validation loss" in n for n in h.meta["notes"]), h.meta["notes"]
    config = tmp_path / "config.json"
    config.write_text(_json.dumps({"train": {"loss_weights": [1.0, 0.5]}, "val": {"sizes": [3, 4]}}))
    with pytest.raises(BadInput):
        fd.read(config)


def test_rows_that_name_each_of_their_values_are_read_as_columns(tmp_path):
    """``writer.writerow(["iteration", i, "train_loss", loss, "train_accuracy", acc])``: every
    line names its values, so the csv module's first line is no header but the first point."""
    p = tmp_path / "train.log"
    p.write_text("iteration,1,train_loss,2.3096,train_accuracy,0.0469\n"
                 "iteration,2,train_loss,2.3116,train_accuracy,0.0156\n"
                 "iteration,3,train_loss,2.3055,train_accuracy,0.125\n"
                 "iteration,4,train_loss,2.2991,train_accuracy,0.1406\n"
                 "iteration,5,train_loss,2.2982,train_acc")  # cut while being written
    (h,) = fd.read_runs(p)
    assert h.series["loss"].values.tolist() == [2.3096, 2.3116, 2.3055, 2.2991]
    assert h.series["loss"].steps.tolist() == [1, 2, 3, 4]
    assert h.series["accuracy"].values.tolist() == [0.0469, 0.0156, 0.125, 0.1406]
    notes = " ".join(h.meta["notes"])
    assert "names its own values" in notes and "last row is incomplete" in notes
    # names that change from line to line are no such log
    assert keyed_rows(["epoch", "1", "loss", "0.9"], [["step", "2", "loss", "0.8"]]) is None
    assert keyed_rows(["epoch", "1", "loss", "0.9"], [["epoch", "2", "loss", "0.8"]]) == (
        ["epoch", "loss"], [["1", "0.9"], ["2", "0.8"]])


def test_evaluations_keyed_by_checkpoint_are_validation_curves_in_step_order(tmp_path):
    """A script scores each saved ``checkpoint-N`` on held-out audio and dumps one object keyed
    by checkpoint name, the base model first."""
    data = {"openai_whisper-large-v3": {"cer": 0.115, "wer": 0.354, "per_speaker": {"A": {"cer": 0.1}}}}
    for step, cer in [(69, 0.059), (138, 0.316), (207, 0.05), (1104, 0.0395), (276, 0.041), (1863, 0.164)]:
        data[f"output_checkpoint-{step}"] = {"cer": cer, "wer": cer * 3, "per_speaker": {"A": {"cer": cer}}}
    data["best"] = {"cer": 0.0395, "wer": 0.161}
    p = tmp_path / "metrics.json"
    p.write_text(json.dumps(data, indent=4))
    (h,) = fd.read_runs(p)
    cer = h.series["val_cer"]
    assert cer.steps.tolist() == [0, 69, 138, 207, 276, 1104, 1863]
    assert cer.values.tolist() == [0.115, 0.059, 0.316, 0.05, 0.041, 0.0395, 0.164]
    notes = " ".join(h.meta["notes"])
    assert "model before training" in notes and "'best'" in notes and "per_speaker" in notes
    # a trainer_state.json names its best checkpoint in a string: still a Trainer's state
    state = {"best_model_checkpoint": "out/checkpoint-500", "global_step": 600, "max_steps": 600,
             "log_history": [{"step": s, "loss": 1.0 / s, "epoch": s / 100} for s in range(100, 700, 100)]}
    q = tmp_path / "trainer_state.json"
    q.write_text(json.dumps(state))
    assert fd.read_runs(q)[0].meta["format"] == "huggingface"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_rows_that_are_steps_saying_their_epoch_are_read_on_the_step(tmp_path, fmt):
    """``{"global_step": 8, "loss": 1.24, "epoch": 2}`` per step, seven steps an epoch: read on
    the epoch, seven steps piled on one point (JSON), or each new epoch's repeats were taken
    for a resumed run and all but one row per epoch dropped (CSV)."""
    loss = [1.48 - 0.02 * s for s in range(21)]
    if fmt == "csv":
        p = tmp_path / "log.csv"
        p.write_text("epoch,global_step,loss\n" + "".join(f"{s // 7 + 1},{s},{v}\n" for s, v in enumerate(loss)))
    else:
        p = tmp_path / "train.log"
        p.write_text("".join(json.dumps({"global_step": s, "loss": v, "epoch": s // 7 + 1}) + "\n"
                             for s, v in enumerate(loss)))
    (h,) = fd.read_runs(p)
    assert h.axis == "step" and h.series["loss"].steps.tolist() == list(range(21))
    assert h.series["loss"].values.tolist() == loss
    assert any("the rows are steps" in n or "the records are steps" in n for n in h.meta["notes"])


def test_a_csv_with_no_header_is_read_by_what_its_columns_do_or_refused(tmp_path):
    """``csv.writer`` rows with no header: the first row is data, never column names (a DQN log
    had read as curves named '1150', '1121' and '0.052219816')."""
    p = tmp_path / "log.csv"
    p.write_text("".join(f"{e},{2.0 * 0.9 ** e:.4f},{0.5 + 0.02 * e:.3f}\n" for e in range(12)))
    (h,) = fd.read_runs(p)
    assert {"loss", "accuracy"} <= set(h.series) and h.series["loss"].values[0] == 2.0
    q = tmp_path / "episodes.csv"
    q.write_text("".join(f"{1150 + 7 * i},{1121 - 3 * i},{0.05 - 0.001 * i},0.5\n" for i in range(24)))
    with pytest.raises(BadInput, match=r"4 numbers per row and no header \(first row: 1150, 1121, 0.05, 0.5\)"):
        fd.read_runs(q)


def test_a_tab_separated_header_above_comma_separated_rows_names_the_columns(tmp_path):
    """``"Iteration\\td1_loss\\td2_loss\\tg_loss",,,`` over ``1,0.29,0.80,83.9``: one header
    cell of tab-separated names had read as a single curve named by all four."""
    p = tmp_path / "logs.csv"
    p.write_text('"Iteration\td1_loss\td2_loss\tg_loss",,,\n'
                 + "".join(f"{1 + 300 * i},{0.3 / (i + 1):.5f},{0.8 / (i + 1):.5f},{80 / (i + 1):.4f}\n" for i in range(12)))
    (h,) = fd.read_runs(p)
    assert {"d1_loss", "d2_loss", "g_loss"} <= set(h.series)
    assert h.series["g_loss"].steps.tolist()[:2] == [1, 301]
    assert any("tab-separated names" in n for n in h.meta["notes"])


def test_a_json_list_of_step_train_val_rows_named_for_its_loss_is_read(tmp_path):
    """A small GPT's loss_history.json: 25 rows of [step, train loss, val loss] every 200 steps.
    It was refused as an unknown format; read as a headerless table named by the file, its val
    loss turns at step 3000 while train keeps falling. Rows whose second loss sits below the
    first, or a name that says nothing, are refused in one line."""
    steps = np.arange(200, 5200, 200)
    train = 3.5 * np.exp(-steps / 2500) + 2.3
    val = np.where(steps <= 3000, 4.67 + 1.5 * np.exp(-steps / 700), 4.67 + 0.00006 * (steps - 3000))
    path = tmp_path / "loss_history.json"
    path.write_text(json.dumps([[int(s), float(t), float(v)] for s, t, v in zip(steps, train, val)], indent=2))
    run = fd.read_runs(str(path))[0]
    assert run.axis == "step" and list(run.series) == ["loss", "val_loss"]
    assert run.series["val_loss"].steps[0] == 200 and len(run.series["loss"]) == 25
    assert fd.diagnose(run).top.code == "overfitting"
    swapped = tmp_path / "loss_history_swapped.json"
    swapped.write_text(json.dumps([[int(s), float(v), float(t)] for s, t, v in zip(steps, train, val)]))
    with pytest.raises(fd.BadInput, match="cannot tell which is train and which validation"):
        fd.read_runs(str(swapped))
    unnamed = tmp_path / "history_rows.json"
    unnamed.write_text(json.dumps([[1, 0.5], [2, 0.4], [3, 0.3]]))
    with pytest.raises(fd.BadInput, match="does not say what they are"):
        fd.read_runs(str(unnamed))
    cut = tmp_path / "loss_history_cut.json"  # still being written: read up to its last complete row
    whole = json.dumps([[int(s), float(t), float(v)] for s, t, v in zip(steps, train, val)])
    cut.write_text(whole[:whole.rfind(",")])  # ends inside its last row: "[5000, 2.83"
    run = fd.read_runs(str(cut))[0]
    assert len(run.series["loss"]) == 24 and any("cut short" in n for n in run.meta["notes"])


def test_two_losses_a_line_whose_validation_starts_below_train_and_ends_above_it_are_read(tmp_path):
    """A monocular-depth run's headerless losses.csv: validation below the epoch-averaged train
    loss for its first 11 epochs, at or above it for the rest (0.5833/0.5479 at epoch 1,
    0.2221/0.2755 at epoch 43). Refused before (the second below the first on a third of the
    rows); the order holds over the later half, where train has fit. Validation below train over
    the later half too is still refused."""
    epochs = np.arange(43)
    train = 0.40 * np.exp(-epochs / 14) + 0.2
    val = 0.32 * np.exp(-epochs / 8) + 0.26
    p = tmp_path / "losses.csv"
    p.write_text("".join(f"{t} ,{v}\n" for t, v in zip(train, val)))
    h = fd.read(p)
    assert np.allclose(h.series["loss"].values, train) and np.allclose(h.series["val_loss"].values, val)
    assert any("on 91% of rows of the later half" in n for n in h.meta["notes"])
    p.write_text("".join(f"{v} ,{t}\n" for t, v in zip(train, val)))
    with pytest.raises(BadInput, match="cannot tell which is train and which validation"):
        fd.read(p)


def test_a_phase_column_that_comes_back_on_one_counter_marks_rows_of_one_run(tmp_path):
    """A small language model's CSV: 'step,phase,train_loss,val_loss', phase 'trajectory' on the
    rows that carry a validation checkpoint and 'train' between them, the step counting on
    throughout. The phase column had split it into seven runs and the verdict led with the
    last twelve train rows; it is one run with its validation at the checkpoints. A 'model'
    column whose runs each count from 0 still names runs."""
    rows = ["step,phase,train_loss,val_loss"]
    for s in range(40):
        checkpoint = s in (0, 1, 2, 5, 10, 25, 39)
        rows.append(f"{s},{'trajectory' if checkpoint else 'train'},{3.4 - 0.06 * s:.4f},"
                    + (f"{3.3 - 0.06 * s:.4f}" if checkpoint else ""))
    p = tmp_path / "training.log"
    p.write_text("\n".join(rows) + "\n")
    runs = fd.read_runs(p)
    assert len(runs) == 1
    assert len(runs[0].series["loss"]) == 40 and len(runs[0].series["val_loss"]) == 7
    models = ["epoch,model,loss"] + [f"{e},{m},{1 - 0.05 * e:.3f}" for m in ("lstm", "gru") for e in range(10)]
    p.write_text("\n".join(models) + "\n")
    assert len(fd.read_runs(p)) == 2


def test_records_whose_step_is_rounded_are_read_on_their_fractional_epochs(tmp_path):
    """A robot policy's metrics.jsonl: '"step": 2000' over 14 records (the step printed rounded to
    the thousand) while '"epochs": 1.24, 1.27, ..' rises at each record, and an 'episodes' count
    beside them. Read on the step, 60 records piled on three points and the falling loss read
    'fell and settled'. Read on the epochs, each record is a point, the unit an epoch (not an
    episode), and a message counts the points, not '18 epochs' within one pass."""
    lines = []
    for i in range(60):
        ep = round(0.03 + i * 0.066, 2)
        lines.append(json.dumps({"step": 1000 * round(ep * 1500 / 1000), "episodes": 2 + i * 2, "epochs": ep,
                                 "loss": round(1.0 + 12 * math.exp(-i / 4) + 1.5 * (1 - i / 60), 3), "lr": 1e-05}))
    p = tmp_path / "metrics.jsonl"
    p.write_text("\n".join(lines) + "\n")
    h = fd.read(p)
    assert len(h.series["loss"]) == 60 and h.series["loss"].steps[-1] == pytest.approx(3.92)
    assert h.unit == "epoch"
    d = fd.diagnose(h)
    assert d.top.code == "still_improving", d.codes
    assert "logged points" in d.top.message and "epochs (" not in d.top.message


def test_a_counter_and_its_value_glued_by_a_dash_are_two_numbers(tmp_path):
    """A YOLOv3 port's loss.txt: '0001-64.5714' a line, the epoch and the loss. Refused before
    as an unknown format. Two decimals glued by a dash ('0.52-0.61') are not read so."""
    p = tmp_path / "loss.txt"
    values = [64.5714, 6.4211, 3.7808, 2.9633, 2.4412, 1.9986]
    p.write_text("".join(f"{e:04d}-{v:.4f}\n" for e, v in enumerate(values, start=1)))
    h = fd.read(p)
    assert h.meta["format"] == "number-pairs"
    assert list(h.series["loss"].steps) == list(range(1, 7))
    np.testing.assert_allclose(h.series["loss"].values, values)
    p.write_text("0001-64.5714\n0002-nan\n0003-3.7808\n0004-2.9633\n")
    assert math.isnan(fd.read(p).series["loss"].values[1])  # a NaN loss is read, for non_finite to say so
    q = tmp_path / "val_loss.txt"
    q.write_text("".join(f"0.{50 + e}-0.{60 + e}\n" for e in range(6)))
    with pytest.raises(BadInput):
        fd.read(q)


def test_a_deit_family_log_says_its_recipe_trains_on_harder_targets(tmp_path):
    """ConvNeXt's log.txt (DeiT's main.py: 'train_lr', 'train_loss', 'test_loss', 'test_acc1',
    'test_acc5', 'epoch', 'n_parameters' a line): the recipe trains with mixup 0.8, cutmix 1.0
    and label smoothing 0.1 by default, which the log does not print. A fine-tune whose train loss
    sits above its test loss at every epoch read suspicious_validation; the reader now says what
    the recipe does, and the verdict says that explains the gap."""
    p = tmp_path / "log.txt"
    rows = []
    for e in range(30):
        train = 0.46 + 0.23 * math.exp(-e / 6)
        rows.append(json.dumps({"train_lr": 1e-4, "train_min_lr": 1e-4, "train_loss": train, "train_weight_decay": 0.05,
                                "test_loss": 0.7 * train, "test_acc1": 80 + e / 3, "test_acc5": 99.0, "epoch": e,
                                "n_parameters": 27820000}))
    p.write_text("\n".join(rows) + "\n")
    h = fd.read(p)
    assert h.meta["hparams"]["mixup"] == 0.8 and any("DeiT family" in n for n in h.meta["notes"])
    d = fd.diagnose(h)
    assert "suspicious_validation" not in d.codes, d.codes
    assert "mixup 0.8" in d.top.message


def test_a_csv_of_list_cells_reads_each_cell_as_its_curve(tmp_path):
    """pandas' to_csv of lists: one row, each cell the text of a whole list. A per-epoch list in
    a column pandas named '0' takes the file's name (loss.csv); a list of lists per cell is each
    epoch's batches. Both were refused ("a table of results", "no numeric columns")."""
    pd = pytest.importorskip("pandas")
    losses = [0.032 * 0.93 ** e for e in range(30)]
    pd.DataFrame([str(losses)]).to_csv(tmp_path / "loss.csv")  # ",0" then "0,\"[0.032, ...]\""
    h = fd.read(tmp_path / "loss.csv")
    np.testing.assert_allclose(h.series["loss"].values, losses)
    assert h.series["loss"].steps[0] == 1 and len(h.series["loss"]) == 30

    per_batch = [[1.0 / (1 + e * 20 + i) for i in range(20)] for e in range(4)]
    acc = [[min(1.0, 0.4 + 0.15 * e + 0.01 * i) for i in range(20)] for e in range(4)]
    pd.DataFrame({"loss": [str(per_batch)], "accuracy": [str(acc)]}).to_csv(tmp_path / "train_history.csv", index=False)
    h = fd.read(tmp_path / "train_history.csv")
    assert len(h.series["loss"]) == 80 and len(h.series["accuracy"]) == 80
    assert h.series["loss"].steps[19] == 1.0 and h.series["loss"].steps[-1] == 4.0  # batch 20 of 20 closes its epoch
    assert any("whole list" in n for n in h.meta["notes"])


def test_a_csv_list_cell_in_a_file_whose_name_says_nothing_is_refused_with_what_to_add(tmp_path):
    pd = pytest.importorskip("pandas")
    pd.DataFrame([str([0.5, 0.4, 0.3])]).to_csv(tmp_path / "history.csv")
    with pytest.raises(BadInput, match="does not say what they are"):
        fd.read(tmp_path / "history.csv")


def test_a_csv_list_cell_cut_short_reads_its_complete_values_with_a_note(tmp_path):
    """A run still writing its list cell: the file ends inside the list. It is read up to its
    last complete value, with a note (it was refused as "a table of results")."""
    path = tmp_path / "loss.csv"
    path.write_text(',0\n0,"[0.5, 0.41, 0.35, 0.31, 0.29, 0.2')
    h = fd.read(path)
    np.testing.assert_allclose(h.series["loss"].values, [0.5, 0.41, 0.35, 0.31, 0.29])
    assert any("cut short" in n for n in h.meta["notes"])


def test_rows_led_by_a_time_stamp_and_apart_by_a_symbol_are_a_counter_and_its_value(tmp_path):
    """An OCR fine-tune's ``train_loss.txt``: '2024-11-29 18:15:04.852164🫤0🫤4.4855' a line, a
    time stamp, the epoch and its loss with an emoji between the fields. It was an unknown log
    format; the stamp says when the row was written and is left out, with a note, and a bar or a
    symbol outside ASCII parts two numbers as a comma does. A letter of another script is no
    separator."""
    losses = [4.4855, 3.6918, 3.2327, 2.8232, 2.5516, 2.3632, 2.2036]
    for sep in ("\N{FACE WITH DIAGONAL MOUTH}", " | ", ","):
        p = tmp_path / "train_loss.txt"
        p.write_text("".join(f"2024-11-29 {10 + e:02d}:15:04.852164{sep}{e}{sep}{v}\n" for e, v in enumerate(losses)),
                     encoding="utf-8")
        h = fd.read(p)
        assert h.meta["format"] == "number-pairs"
        assert list(h.series["loss"].values) == losses and list(h.series["loss"].steps) == list(range(7))
        assert any("led by a time stamp" in n for n in h.meta["notes"])
    lettered = tmp_path / "loss.txt"
    lettered.write_text("".join(f"{e}\N{CJK UNIFIED IDEOGRAPH-635F}{v}\n" for e, v in enumerate(losses)), encoding="utf-8")
    with pytest.raises(BadInput):
        fd.read(lettered)


def test_lines_of_named_lists_are_the_curves_they_name(tmp_path):
    """A super-resolution script's ``losses.txt``: 'epoch0 : loss = [0.00132, 0.00124, ...] ;', a
    history's list printed after each fit. The commas made it a CSV of a header and no rows
    ("header only"). Each line is the list its name says; a name on several lines (a loop of
    fits) is one curve in order, with a note; a name that says no loss or accuracy is not read."""
    first = [0.0013235741, 0.0012382002, 0.0011853248, 0.0011397437, 0.0011205901]
    p = tmp_path / "losses.txt"
    p.write_text(f"epoch0 : loss = {first} ;\n")
    h = fd.read(p)
    assert h.meta["format"] == "named-lists" and list(h.series["loss"].values) == first
    assert h.series["loss"].axis == "epoch"
    later = [0.00110, 0.00109]
    p.write_text(f"epoch0 : loss = {first} ;\nepoch1 : loss = {later} ;\n")
    assert list(fd.read(p).series["loss"].values) == first + later
    assert any("2 lists, one after another" in n for n in fd.read(p).meta["notes"])
    both = tmp_path / "history.txt"
    both.write_text("loss: [0.9, 0.7, 0.5, 0.45]\nval_loss: [0.95, 0.8, 0.7, 0.69]\n")
    h = fd.read(both)
    assert list(h.series["val_loss"].values) == [0.95, 0.8, 0.7, 0.69] and len(h.series["loss"].values) == 4
    unnamed = tmp_path / "numbers.txt"
    unnamed.write_text("sizes = [1, 2, 3, 4]\n")
    with pytest.raises(BadInput):
        fd.read(unnamed)
