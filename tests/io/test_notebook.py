"""Notebook reader, on a notebook executed for real with nbclient + ipykernel (three trainings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.io.base import load_readers
from fitdoctor.io.detect import best_reader
from fitdoctor.io.notebook import NotebookReader, cell_output_text, hf_table_history, notebook_runs

NB = Path(__file__).parents[1] / "fixtures" / "notebook" / "three_trainings.ipynb"
CON = Path(__file__).parents[1] / "fixtures" / "console"


def test_three_trainings_in_order_named_by_cell():
    runs = fd.read_runs(NB)
    assert [r.meta["run"] for r in runs] == ["cell 3 [In 2]", "cell 4 [In 3]", "cell 5 [In 4]"]
    assert [len(r.series["loss"]) for r in runs] == [10, 12, 25]
    assert all(r.meta["format"] == "notebook" for r in runs)
    assert set(runs[1].series) == {"loss", "val_loss"}  # the hand-written loop


def test_keras_in_a_kernel_prints_what_it_prints_in_a_terminal():
    # same data and seed as the terminal run: the notebook's first 10 epochs are the same numbers
    nb_run = fd.read_runs(NB)[0]
    term = fd.read(CON / "keras3_v2_healthy.log")
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        assert list(nb_run.series[key].values) == pytest.approx(list(term.series[key].values[:10]), abs=1.5e-4)
    text = cell_output_text(json.loads(NB.read_text())["cells"][2])
    assert "\x08" in text and "\r" in text  # the kernel kept the progress-bar control characters


def test_notebook_is_sniffed_before_keras_json(tmp_path):
    cls, score = best_reader(NB, load_readers(), directory=False)
    assert cls is NotebookReader and score > 0.9
    renamed = tmp_path / "notes.json"
    renamed.write_bytes(NB.read_bytes())
    assert best_reader(renamed, load_readers(), directory=False)[0] is NotebookReader


def test_outputs_as_results_and_several_runs_in_one_cell():
    hf = "{'loss': 0.69, 'epoch': 1.0}\n{'eval_loss': 0.7, 'epoch': 1.0}\n{'loss': 0.5, 'epoch': 2.0}\n"
    two = (CON / "keras3_v2_two_runs.log").read_text()
    nb = {"nbformat": 4, "cells": [
        {"cell_type": "markdown", "source": "hi"},
        {"cell_type": "code", "execution_count": 7, "outputs": [
            {"output_type": "execute_result", "data": {"text/plain": hf.splitlines(True)}}]},
        {"cell_type": "code", "execution_count": None, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": two},
            {"output_type": "display_data", "data": {"image/png": "iVBOR"}},
            {"output_type": "error", "ename": "X", "evalue": "", "traceback": []}]},
    ]}
    runs = notebook_runs(nb, source="x")
    assert [r.meta["run"] for r in runs] == ["cell 2 [In 7]", "cell 3, run 1", "cell 3, run 2"]
    assert len(runs[0].series["val_loss"]) == 1 and len(runs[2].series["loss"]) == 30


def test_cleared_or_broken_notebooks_are_bad_input(tmp_path):
    nb = json.loads(NB.read_text())
    for c in nb["cells"]:
        c["outputs"] = [] if c["cell_type"] == "code" else c.get("outputs")
    p = tmp_path / "cleared.ipynb"
    p.write_text(json.dumps(nb))
    with pytest.raises(BadInput, match="outputs cleared"):
        NotebookReader().read(p)
    cut = tmp_path / "cut.ipynb"
    cut.write_bytes(NB.read_bytes()[:5000])
    with pytest.raises(BadInput, match="not a valid notebook"):
        NotebookReader().read(cut)


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 1), st.binary(max_size=40))
def test_fuzz_truncated_or_garbled_notebooks_read_or_raise_bad_input(tmp_path_factory, frac, junk):
    data = NB.read_bytes()
    p = tmp_path_factory.mktemp("nb") / "x.ipynb"
    p.write_bytes(data[: int(len(data) * frac)] + junk)
    try:
        runs = NotebookReader().read(p)
    except BadInput:
        return
    assert runs


def test_odd_json_shapes_are_bad_input_or_skipped(tmp_path):
    p = tmp_path / "odd.ipynb"
    for doc in ([1, 2], {"cells": "x"}, {"cells": [1, None, {"cell_type": "code", "outputs": "x"}]},
                {"cells": [{"cell_type": "code", "outputs": [{"output_type": "stream", "text": 5}]}]}):
        p.write_text(json.dumps(doc))
        with pytest.raises(BadInput):
            NotebookReader().read(p)


def test_hf_trainer_notebook_table():
    # executed for real: the Trainer shows an HTML table in a notebook and prints no dicts
    run = fd.read(NB.parent / "hf_trainer.ipynb")
    assert run.meta["dialect"] == "hf-notebook" and run.meta["run"] == "cell 3 [In 2]"
    assert set(run.series) == {"loss", "val_loss", "val_accuracy"}
    assert list(run.series["val_loss"].steps) == [1, 2, 3, 4]
    assert run.series["val_accuracy"].raw_name == "Accuracy"
    assert run.series["loss"].values[0] == pytest.approx(0.690338)


def test_hf_table_no_log_cells_and_step_column():
    page = ("<table><thead><tr><th>Step</th><th>Training Loss</th><th>Validation Loss</th><th>F1</th></tr>"
            "</thead><tbody><tr><td>50</td><td>No log</td><td>0.700000</td><td>0.500000</td></tr>"
            "<tr><td>100</td><td>0.650000</td><td>0.640000</td><td>0.610000</td></tr></tbody></table>")
    h = hf_table_history(page, source="x", fmt="notebook")
    assert h.series["loss"].axis == "step" and list(h.series["loss"].steps) == [100]
    assert list(h.series["val_f1"].values) == [0.5, 0.61]
    assert hf_table_history("<table><tr><th>a</th></tr></table>", source="x", fmt="notebook") is None


def test_fastai_html_progress_table_in_a_notebook_is_a_run(tmp_path):
    head = "".join(f"<th>{c}</th>" for c in ("epoch", "train_loss", "valid_loss", "accuracy", "time"))
    body = "".join(f"<tr><td>{e}</td><td>{0.9 - 0.1 * e:.6f}</td><td>{0.8 - 0.08 * e:.6f}</td>"
                   f"<td>{0.6 + 0.05 * e:.6f}</td><td>00:0{e}</td></tr>" for e in range(5))
    page = f'<table border="1" class="dataframe"><thead><tr style="text-align: left;">{head}</tr></thead><tbody>{body}</tbody></table>'
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": "learn.fit_one_cycle(5)",
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"text/html": page, "text/plain": "<IPython.core.display.HTML object>"}}]}]}
    p = tmp_path / "fastai.ipynb"
    p.write_text(json.dumps(nb))
    h = fd.read(p)
    assert sorted(h.series) == ["loss", "val_accuracy", "val_loss"]
    assert len(h.series["loss"]) == 5
