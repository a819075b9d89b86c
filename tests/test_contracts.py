"""Contracts every registered reader and every registered rule keep, parametrized over the
registries, so a new reader or rule is held to them by being registered, nothing else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.codes import CODES
from fitdoctor.diagnose import RULES, load_rules
from fitdoctor.diagnose.base import Context
from fitdoctor.diagnose.chance import init_chance
from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io.base import READERS

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
CORPUS = ROOT / "benchmarks" / "corpus" / "runs"

#: one real log per reader (a format's own writer produced each)
SAMPLES = {
    "console": FIX / "console" / "keras3_v2_healthy.log",
    "csv": CORPUS / "chance_level-00" / "metrics.csv",
    "detectron": FIX / "detectron" / "metrics.json",
    "huggingface": FIX / "huggingface" / "normal",
    "json": CORPUS / "chance_level-02" / "log.jsonl",
    "keras-csv": CORPUS / "chance_level-06" / "training.log",
    "keras-json": CORPUS / "chance_level-07" / "history.json",
    "lightning": FIX / "lightning" / "normal",
    "mlflow": FIX / "mlflow" / "sqlite" / "mlflow.db",
    "notebook": FIX / "notebook" / "three_trainings.ipynb",
    "tensorboard": FIX / "tensorboard" / "torch_run",
    "yolo": FIX / "yolo" / "results.csv",
    "yolo-txt": FIX / "yolo" / "results.txt",  # ultralytics/yolov3's train.py format strings
    "number-lines": FIX / "number_list" / "train_loss.txt",  # np.savetxt
    "json-list": FIX / "number_list" / "losses.json",  # json.dump of a list
    "number-pairs": FIX / "number_list" / "loss_log.txt",  # a step counter and the loss, no header
    "named-lists": FIX / "number_list" / "history_lists.txt",  # a Keras history's lists printed after each fit
}


def _sample(name: str) -> Path:
    if name == "fitdoctor-run":
        pytest.skip("fitdoctor-run folders are written by the trainer; tests/train/test_run_dir.py reads one back")
    if name not in SAMPLES:
        pytest.fail(f"reader {name!r} has no sample log in tests/test_contracts.py: add one")
    return SAMPLES[name]


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_turns_its_own_format_into_runs_any_rule_can_judge(name):
    runs = fd.read_runs(str(_sample(name)), fmt=name)
    assert runs, name
    for h in runs:
        assert isinstance(h, RunHistory) and h.series
        for key, s in h.series.items():
            assert s.steps.shape == s.values.shape and s.steps.ndim == 1, key
            assert np.all(np.isfinite(s.steps)), key
            assert np.all(np.diff(s.steps) >= 0), f"{name}:{key} steps go backwards"
        assert "loss" in h.series or "val_loss" in h.series or any(
            not k.startswith(("grad", "dead", "lr")) for k in h.series), name
        d = fd.diagnose(h)
        assert all(f.code in CODES for f in d.findings)


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_refuses_garbage_in_one_line(name, tmp_path):
    bad = tmp_path / "garbage.bin"
    bad.write_bytes(b"\x00\x01\x02 not a log \xff\xfe" * 10)
    with pytest.raises(BadInput) as exc:
        fd.read_runs(str(bad), fmt=name)
    assert "\n" not in str(exc.value)


def _odd_runs() -> dict[str, RunHistory]:
    """Shapes real logs take that break naive rules."""
    runs = {
        "two_points": {"loss": [1.0, 0.9], "val_loss": [1.1, 1.0]},
        "constant": {"loss": [0.5] * 12, "val_loss": [0.5] * 12},
        "nan_mid": {"loss": [1.0, 0.8, float("nan"), 0.5, 0.4], "val_loss": [1.1, 0.9, 0.8, float("nan"), 0.6]},
        "inf_start": {"loss": [float("inf"), 1.0, 0.9, 0.8]},
        "huge": {"loss": list(np.geomspace(1e30, 1e-30, 20)), "val_loss": list(np.geomspace(1e30, 1e-29, 20))},
        "negative": {"loss": list(-np.linspace(1, 5, 15)), "val_loss": list(-np.linspace(0.5, 3, 15))},
        "zeros": {"loss": [0.0] * 10, "val_loss": [0.0] * 10, "accuracy": [1.0] * 10},
        "only_metric": {"val_accuracy": [0.1, 0.3, 0.5, 0.6, 0.62, 0.63]},
        "only_val": {"val_loss": [2.0, 1.5, 1.2, 1.1, 1.05, 1.04]},
        "lr_only_zero": {"loss": [1, .8, .7, .6, .55], "lr": [0.0] * 5},
    }
    out = {k: RunHistory.from_dict(v) for k, v in runs.items()}
    step = RunHistory(meta={"format": "huggingface"})
    step.add("loss", np.arange(1, 2001), np.exp(-np.arange(2000) / 400) + 0.05 * np.random.default_rng(0).random(2000),
             axis="step")
    step.add("val_loss", np.arange(100, 2001, 100), np.exp(-np.arange(100, 2001, 100) / 400) + 0.1, axis="step")
    out["step_log"] = step
    return out


load_rules()
RUN_RULES = sorted(n for n, s in RULES.items() if s.family != "data")


@pytest.mark.parametrize("rule_name", RUN_RULES)
def test_rule_never_raises_and_emits_only_table_codes(rule_name):
    spec = RULES[rule_name]
    for label, h in _odd_runs().items():
        for partial in (False, True):
            ctx = Context.build(h, partial=partial)
            init_chance(ctx)
            out = spec.fn(ctx)
            found = out if isinstance(out, list) else [out] if out is not None else []
            for f in found:
                assert f.code in CODES, (rule_name, label)
                assert f.severity in ("info", "warning", "error")
                assert f.message and "\n" not in f.message, (rule_name, label)
                assert "nan" not in f.message.lower().replace("nan/inf", "").replace("became nan", ""), \
                    (rule_name, label, f.message)


@pytest.mark.parametrize("rule_name", [n for n, s in RULES.items() if s.end_of_run])
def test_end_of_run_rules_stay_quiet_on_a_partial_run(rule_name):
    h = RunHistory.from_dict({"loss": list(np.exp(-np.arange(12) / 5) + 0.1),
                              "val_loss": list(np.exp(-np.arange(12) / 5) + 0.15)})
    d = fd.diagnose(h, partial=True)
    assert rule_name not in {f.code for f in d.findings}
