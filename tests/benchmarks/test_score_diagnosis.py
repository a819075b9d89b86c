"""The scorer runs end to end on the corpus and its numbers add up."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def test_predicted_codes_use_severity(load_benchmark):
    sd = load_benchmark("score_diagnosis")
    fs = [SimpleNamespace(code="healthy", severity="info"), SimpleNamespace(code="plateau", severity="info"),
          SimpleNamespace(code="overfitting", severity="warning")]
    assert sd.predicted_codes(fs) == {"healthy", "overfitting"}


def test_summary_counts_reader_failures_as_misses(load_benchmark):
    sd = load_benchmark("score_diagnosis")
    rows = [
        {"id": "a", "primary": "healthy", "labels": ["healthy"], "format": "csv", "reader_error": None,
         "fallback": False, "top": "healthy", "codes": ["healthy"], "findings": [], "warn": False, "ok": True},
        {"id": "b", "primary": "plateau", "labels": ["plateau"], "format": "tensorboard",
         "reader_error": "BadInput: x", "fallback": False, "top": None, "codes": [], "findings": [], "ok": False},
        {"id": "c", "primary": "plateau", "labels": ["plateau"], "format": "csv", "reader_error": None,
         "fallback": False, "top": "healthy", "codes": ["healthy"], "findings": [], "warn": False, "ok": False},
    ]
    s = sd.summarize(rows, ["healthy", "plateau"])
    assert s["top1_hits"] == 1 and s["n_runs"] == 3
    assert s["per_code"]["plateau"]["fn"] == 2 and s["per_code"]["plateau"]["recall"] == 0.0
    assert s["per_code"]["healthy"]["fp"] == 1 and s["per_code"]["healthy"]["precision"] == 0.5
    assert [r["id"] for r in s["reader_failures"]] == ["b"]
    assert s["healthy_false_alarm_rate"] == 0.0
    assert s["per_format_top1"]["tensorboard"]["top1"] == 0.0


def test_scorer_end_to_end_on_formats_reports_console_consistency(capsys, load_benchmark):
    sd = load_benchmark("score_diagnosis")
    assert sd.main(["--split", "formats"]) == 0
    text = capsys.readouterr().out
    assert "console/notebook vs CSVLogger (same fit): same top finding in" in text
    assert "keras-console" in text.split("top-1 by format:")[1] and "notebook" in text


def test_scorer_end_to_end_on_holdout(tmp_path, capsys, load_benchmark):
    sd = load_benchmark("score_diagnosis")
    out = tmp_path / "score.json"
    assert sd.main(["--split", "holdout", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "TOP-1 accuracy" in text and "healthy false alarms" in text
    s = json.loads(out.read_text())
    labels = json.loads((ROOT / "benchmarks" / "corpus" / "labels.json").read_text())["runs"]
    assert s["n_runs"] == sum(e["split"] == "holdout" for e in labels.values())
    assert sum(v["top1"] for v in s["per_code"].values()) == s["top1_hits"]
    assert sum(v["n_primary"] for v in s["per_code"].values()) == s["n_runs"]
    assert s["seconds"] < 60


def test_console_runs_are_checked_against_their_csvlogger(load_benchmark):
    sd = load_benchmark("score_diagnosis")
    base = {"primary": "healthy", "labels": ["healthy"], "format": "keras-console", "reader_error": None,
            "fallback": False, "findings": [], "warn": False, "csv_error": None}
    rows = [
        {**base, "id": "a", "writer": "keras-console2", "top": "healthy", "codes": ["healthy"], "ok": True,
         "csv_top": "healthy", "csv_codes": ["healthy"]},
        {**base, "id": "b", "writer": "notebook", "format": "notebook", "top": "plateau", "codes": ["plateau"],
         "ok": False, "csv_top": "healthy", "csv_codes": ["healthy"]},
        {**base, "id": "c", "writer": "keras-console1", "top": None, "codes": [], "ok": False,
         "reader_error": "BadInput: x", "csv_top": None, "csv_codes": []},
        {**base, "id": "d", "format": "csv", "top": "healthy", "codes": ["healthy"], "ok": True},
    ]
    cc = sd.summarize(rows, ["healthy", "plateau"])["console_vs_csv"]
    assert (cc["n"], cc["same_top"], cc["same_codes"]) == (3, 1, 1)
    assert cc["by_writer"]["notebook"] == {"same_top": 0, "n": 1}
    assert [d["id"] for d in cc["disagreements"]] == ["b", "c"]
    assert cc["disagreements"][1]["error"] == "BadInput: x"
    assert sd.summarize(rows[3:], ["healthy"])["console_vs_csv"] is None
