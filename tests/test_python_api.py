"""What a user sees from the Python API: short reprs, and a pandas DataFrame diagnosed directly."""

from pathlib import Path

import numpy as np
import pytest

import fitdoctor as fd

KERAS_CSV = Path(__file__).parent / "fixtures" / "console" / "keras3_healthy_csvlogger.csv"


def _overfit(n=40):
    x = np.arange(n)
    return {"loss": list(1.0 / (1 + x)), "val_loss": list(0.5 + 0.02 * (x - 10) ** 2 / n),
            "accuracy": list(np.linspace(0.5, 0.99, n))}


def test_print_of_a_read_log_is_one_short_line():
    h = fd.read(KERAS_CSV)
    text = repr(h)
    assert text.startswith("RunHistory(") and "keras-csv" in text and "loss" in text
    assert "\n" not in text and len(text) < 200 and "array(" not in text
    s = h.series["loss"]
    assert repr(s).startswith("Series('loss', ") and "array(" not in repr(s) and len(repr(s)) < 160
    assert f"{len(s)} points" in repr(s)


def test_diagnosis_repr_names_findings_with_severity_and_the_best_point():
    d = fd.diagnose(_overfit())
    text = repr(d)
    assert "overfitting (warning)" in text and "best val_loss" in text and "at epoch" in text
    assert "\n" not in text and len(text) < 200


def test_many_series_are_cut_short():
    h = fd.RunHistory()
    for i in range(30):
        h.add(f"m{i}", np.arange(5.0), np.arange(5.0))
    assert "(30 series)" in repr(h) and len(repr(h)) < 200


def test_a_dataframe_is_diagnosed_like_a_dict():
    pd = pytest.importorskip("pandas")
    data = _overfit()
    from_df = fd.diagnose(pd.DataFrame(data))
    from_dict = fd.diagnose(data)
    assert from_df.codes == from_dict.codes
    assert from_df.summary["best_at"] == from_dict.summary["best_at"]


def test_a_dataframe_read_from_a_csvlogger_file_uses_its_epoch_column():
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(KERAS_CSV)
    assert "epoch" in df.columns
    d = fd.diagnose(df)
    assert d.codes == fd.diagnose(fd.read(KERAS_CSV)).codes
    assert "epoch" not in d.history.series and "val_loss" in d.history.series


def test_a_dataframe_index_is_the_axis_and_sparse_cells_are_absent_points():
    pd = pytest.importorskip("pandas")
    # Lightning-style: train rows and val rows interleaved, the other column blank
    loss = [1.0, np.nan, 0.7, np.nan, 0.5, np.nan, 0.4, np.nan]
    val = [np.nan, 1.1, np.nan, 0.8, np.nan, 0.7, np.nan, 0.65]
    df = pd.DataFrame({"train_loss": loss, "val_loss": val}, index=pd.Index(range(10, 18), name="step"))
    h = fd.diagnose(df).history
    assert h.axis == "step"
    assert list(h.series["loss"].steps) == [10, 12, 14, 16]
    assert h.series["val_loss"].n_nonfinite == 0


def test_a_dataframe_that_blew_up_keeps_its_nan():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"loss": [1.0, 0.8, 0.7, np.nan, np.nan], "val_loss": [1.1, 0.9, 0.8, np.nan, np.nan]})
    assert "non_finite" in fd.diagnose(df).codes


def test_anything_else_is_refused_with_what_is_accepted():
    with pytest.raises(fd.BadInput, match="DataFrame"):
        fd.diagnose(42)


def test_every_command_has_its_function_and_tab_completion_lists_it():
    for name in ("doctor", "tune", "lr_find", "learning_curve", "check_data", "run_experiment",
                 "write_report", "Watcher", "write_run_dir", "load_config"):
        assert name in dir(fd), name
        assert callable(getattr(fd, name)), name


def test_fd_doctor_and_fd_tune_can_be_called_twice():
    """Python binds ``fitdoctor.doctor`` to the submodule once it is imported; the second call
    in a notebook must still reach the function (it failed with "'module' object is not
    callable"). A fresh interpreter, so that nothing was imported before."""
    import subprocess
    import sys

    code = ("import fitdoctor as fd\n"
            "for fn in ('doctor', 'tune'):\n"
            "    for _ in range(2):\n"
            "        try:\n"
            "            getattr(fd, fn)({'bogus': 1})\n"
            "        except fd.BadInput as exc:\n"
            "            print(fn, 'BadInput', str(exc)[:40])\n"
            "import fitdoctor.doctor as dm\n"
            "print('module', callable(dm.decide))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [ln.split()[:2] for ln in lines[:4]] == [["doctor", "BadInput"]] * 2 + [["tune", "BadInput"]] * 2
    assert lines[-1] == "module True"


def test_an_experiment_prints_as_one_line_with_its_scores():
    pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")
    exp = fd.run_experiment({"data": {"source": "sklearn:iris", "scale": "standard"},
                             "model": {"hidden": [8]}, "train": {"epochs": 3}})
    text = repr(exp)
    assert text.startswith("Experiment(holdout, val accuracy ") and "test accuracy" in text
    assert exp.diagnosis.findings[0].code in text and "\n" not in text and len(text) < 160


def test_check_data_takes_what_the_command_takes():
    """fd.check_data('sklearn:wine') ran every rule on a string and returned [] (each rule
    failed on `str.X`, as a warning); it reads the source as `fitdoctor check-data` does."""
    pytest.importorskip("sklearn", reason="bundled datasets need scikit-learn")
    import warnings

    from fitdoctor.data import load_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no rule may fail
        by_name = [f.code for f in fd.check_data("sklearn:wine")]
    assert by_name and by_name == [f.code for f in fd.check_data(load_dataset({"source": "sklearn:wine"}))]
    with pytest.raises(fd.BadInput, match="expected a Dataset, a data source"):
        fd.check_data(3)


def test_write_report_takes_a_log_path_a_diagnosis_or_any_iterable(tmp_path):
    fd.write_report(KERAS_CSV, tmp_path / "a.html")
    d = fd.diagnose(KERAS_CSV)
    fd.write_report(d, tmp_path / "b.html")
    fd.write_report((x for x in [d, d]), tmp_path / "c.html")
    assert all((tmp_path / f"{n}.html").stat().st_size > 10_000 for n in "abc")
    with pytest.raises(fd.BadInput, match="expected a Diagnosis"):
        fd.write_report(5, tmp_path / "d.html")
    assert not (tmp_path / "d.html").exists()


def test_a_finding_prints_as_one_short_line():
    f = fd.diagnose(_overfit()).findings[0]
    text = repr(f)
    assert text.startswith("Finding(overfitting (warning): ") and "\n" not in text and len(text) < 140
    assert "evidence" not in text and "Remedy(" not in text


def _percent_history(n=20):
    x = np.arange(n)
    return {"loss": list(1.0 / (1 + x)), "val_loss": list(0.6 / (1 + 0.5 * x) + 0.3),
            "accuracy": list(50 + 49 * x / (n - 1)), "val_accuracy": list(50 + 40 * x / (n - 1))}


@pytest.mark.parametrize("wrap", ["dict", "keras", "dataframe"])
def test_a_history_passed_in_python_reads_as_the_same_history_in_a_file(tmp_path, wrap):
    """Percent accuracy, curves named by their split alone and a perplexity without a loss mean
    the same whether the run came from a file or straight from Python."""
    import json

    pd = pytest.importorskip("pandas")
    cases = [_percent_history(),
             {"train": list(np.linspace(2.0, 0.4, 12)), "val": list(np.linspace(2.1, 0.7, 12))},
             {"loss": list(np.linspace(3.0, 1.0, 12)), "val_perplexity": list(np.exp(np.linspace(3.1, 1.5, 12)))}]
    for i, data in enumerate(cases):
        path = tmp_path / f"history{i}.json"
        path.write_text(json.dumps(data))
        from_file = fd.read(path)
        if wrap == "keras":
            obj = type("History", (), {"history": data})()
        elif wrap == "dataframe":
            obj = pd.DataFrame(data)
        else:
            obj = data
        from fitdoctor.diagnose import as_history

        h = as_history(obj)
        assert sorted(h.series) == sorted(from_file.series), (i, wrap)
        for name, s in from_file.series.items():
            np.testing.assert_allclose(h.series[name].values, s.values)
        assert [n for n in h.meta.get("notes", []) if "read as" in n] == \
            [n for n in from_file.meta.get("notes", []) if "read as" in n]
        assert [f.code for f in fd.diagnose(obj).findings] == [f.code for f in fd.diagnose(from_file).findings]
