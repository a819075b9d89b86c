"""Internals rules: on planted probe series (exact numbers) and on real planted-fault runs."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.diagnose import internals
from fitdoctor.history import RunHistory

INTERNALS = ("vanishing_gradients", "exploding_gradients", "dead_relu", "saturated_activations")


def _run(**probes) -> RunHistory:
    """A healthy-looking 20-epoch curve plus the given probe series (name -> values per sample)."""
    e = np.arange(20.0)
    h = RunHistory(meta={"layers": ["dense_0", "dense_1", "output"], "steps_per_epoch": 10})
    h.add("loss", e, 0.7 * np.exp(-e / 5) + 0.1)
    h.add("val_loss", e, 0.7 * np.exp(-e / 5) + 0.12)
    h.add("lr", e, np.full(20, 1e-3))
    for name, values in probes.items():
        name = name.replace("__", "/")
        v = np.asarray(values, dtype=float)
        h.add(name, np.arange(v.size) * 25.0, v, axis="step")
    return h


def _internal_codes(h):
    return [c for c in fd.diagnose(h).codes if c in INTERNALS + ("lr_too_high", "lr_too_low")]


HEALTHY = dict(grad_norm__dense_0=[0.2] * 8, grad_norm__dense_1=[0.3] * 8, grad_norm__output=[0.25] * 8,
               dead_fraction__dense_0=[0.05] * 8, update_ratio__dense_0=[3e-3] * 8,
               update_ratio__dense_1=[3e-3] * 8, update_ratio__output=[3e-3] * 8)


def test_healthy_probes_flag_nothing():
    assert _internal_codes(_run(**HEALTHY)) == []


def test_no_probes_no_internals_findings():
    assert _internal_codes(_run()) == []


def test_vanishing_by_ratio_with_evidence():
    d = fd.diagnose(_run(**{**HEALTHY, "grad_norm__dense_0": [1e-5] * 8}))
    f = next(f for f in d.findings if f.code == "vanishing_gradients")
    assert f.evidence["ratio"] == pytest.approx(1e-5 / 0.25, rel=1e-3)
    assert f.evidence["first_layer"] == "dense_0"
    assert any(r.config_changes.get("model.activation") == "relu" for r in f.remedies)
    assert f.span == (0.0, 17.0)  # steps 0..175 at 10 steps per epoch
    # 1e-2 of the output's norm is not vanishing
    assert "vanishing_gradients" not in _internal_codes(_run(**{**HEALTHY, "grad_norm__dense_0": [2.5e-3] * 8}))


def test_exploding_by_growth_and_not_when_dead_from_the_start():
    grow = [0.2, 0.2, 0.3, 2.0, 50.0, 900.0, 5e3, 3e4]
    d = fd.diagnose(_run(**{**HEALTHY, "grad_norm__dense_1": grow}))
    f = next(f for f in d.findings if f.code == "exploding_gradients")
    assert f.severity == "error" and f.evidence["layer"] == "dense_1"
    assert f.evidence["growth"] == pytest.approx(3e4 / 0.2, rel=1e-3)
    assert any("train.grad_clip" in r.config_changes for r in f.remedies)
    zeros = {k: [0.0] * 8 for k in ("grad_norm__dense_0", "grad_norm__dense_1", "grad_norm__output")}
    assert "exploding_gradients" not in _internal_codes(_run(**zeros))
    assert "exploding_gradients" not in _internal_codes(_run(**{**HEALTHY, "grad_norm__dense_1": [0.2, 0.5, 1, 2, 1, 3, 2, 1]}))


def test_exploding_from_guard_record():
    h = _run(**HEALTHY)
    h.meta["nonfinite_guard"] = {"step": 130, "epoch": 13, "where": "gradient", "layer": "dense_0"}
    assert "exploding_gradients" in _internal_codes(h)


def test_dead_relu_uses_later_half():
    dying = [0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.95]
    d = fd.diagnose(_run(**{**HEALTHY, "dead_fraction__dense_0": dying}))
    f = next(f for f in d.findings if f.code == "dead_relu")
    assert f.evidence["dead_share"] == pytest.approx(0.925)
    recovering = [0.9, 0.9, 0.8, 0.6, 0.3, 0.2, 0.1, 0.1]
    assert "dead_relu" not in _internal_codes(_run(**{**HEALTHY, "dead_fraction__dense_0": recovering}))


def test_saturation_threshold():
    assert "saturated_activations" in _internal_codes(_run(**{**HEALTHY, "saturated_fraction__dense_0": [0.8] * 8}))
    assert "saturated_activations" not in _internal_codes(_run(**{**HEALTHY, "saturated_fraction__dense_0": [0.2] * 8}))


def test_update_ratio_lr_findings():
    high = {k: [0.2] * 8 for k in ("update_ratio__dense_0", "update_ratio__dense_1", "update_ratio__output")}
    d = fd.diagnose(_run(**{**HEALTHY, **high}))
    f = next(f for f in d.findings if f.code == "lr_too_high")
    assert f.evidence["source"] == "probes" and f.evidence["update_ratio"] == pytest.approx(0.2)
    assert f.remedies[0].config_changes == {"train.lr": "x0.1"}  # relative to the config's lr
    low = {k: [1e-7] * 8 for k in ("update_ratio__dense_0", "update_ratio__dense_1", "update_ratio__output")}
    f = next(f for f in fd.diagnose(_run(**{**HEALTHY, **low})).findings if f.code == "lr_too_low")
    assert f.remedies[0].config_changes == {"train.lr": "x10"}


def test_thresholds_are_named_constants():
    assert internals.VANISH_RATIO == 1e-3 and internals.DEAD_SHARE == 0.7 and internals.SATURATED_SHARE == 0.5


# ---------------------------------------------------------------- real runs with planted faults
_spec = importlib.util.spec_from_file_location(
    "bench_internals", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_internals.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.mark.parametrize("plant", list(bench.PLANTS))
def test_planted_fault_detected_with_the_right_code(plant):
    expected, res, d = bench.run_plant(plant)
    found = [c for c in d.codes if c in INTERNALS]
    if expected is None:
        assert found == [], d.codes
    else:
        assert found[:1] == [expected], d.codes
