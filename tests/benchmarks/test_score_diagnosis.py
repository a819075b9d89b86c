"""The scorer runs end to end on the corpus and its numbers add up."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def _scorer():
    spec = importlib.util.spec_from_file_location("score_diagnosis", ROOT / "benchmarks" / "score_diagnosis.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_predicted_codes_use_severity():
    sd = _scorer()
    fs = [SimpleNamespace(code="healthy", severity="info"), SimpleNamespace(code="plateau", severity="info"),
          SimpleNamespace(code="overfitting", severity="warning")]
    assert sd.predicted_codes(fs) == {"healthy", "overfitting"}


def test_summary_counts_reader_failures_as_misses():
    sd = _scorer()
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


def test_scorer_end_to_end_on_holdout(tmp_path, capsys):
    sd = _scorer()
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
