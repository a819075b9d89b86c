"""The live core: a growing run is judged as partial, each finding reported once, and cleared."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.live import Monitor


def test_append_builds_the_same_history_as_a_dict():
    logs = {"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.1, 0.7, 0.5, 0.45], "acc": [0.5, 0.7, 0.8, 0.85]}
    h = RunHistory()
    for i in range(4):
        h.append(i, {k: v[i] for k, v in logs.items()})
    ref = RunHistory.from_dict(logs)
    assert set(h.series) == set(ref.series) == {"loss", "val_loss", "accuracy"}
    for name in ref.series:
        assert np.array_equal(h.series[name].values, ref.series[name].values)


def test_sparse_validation_and_steps_that_go_backwards():
    h = RunHistory()
    h.append(10, {"loss": 1.0})
    h.append(20, {"loss": 0.8, "val_loss": 0.9})
    assert len(h.series["loss"]) == 2 and len(h.series["val_loss"]) == 1
    with pytest.raises(BadInput, match="comes before"):
        h.append(5, {"loss": 0.7})


def _still_falling(n: int) -> dict[str, list[float]]:
    x = np.arange(n)
    return {"loss": list(1.0 * np.exp(-x / 5) + 0.1), "val_loss": list(1.0 * np.exp(-x / 5) + 0.15)}


def test_a_partial_run_is_not_told_it_stopped_too_early():
    run = _still_falling(12)
    assert "still_improving" in fd.diagnose(run).codes
    assert "still_improving" not in fd.diagnose(run, partial=True).codes
    assert "healthy" not in fd.diagnose(run, partial=True).codes


def test_monitor_reports_a_finding_once_and_stops_on_nan():
    seen = []
    m = Monitor(stop_on=("non_finite",), on_event=seen.append)
    loss = [1.0, 0.7, 0.5, 0.4, 0.35, float("nan")]
    for i, v in enumerate(loss):
        m.update(i, {"loss": v, "val_loss": v + 0.05 if math.isfinite(v) else v})
        if m.should_stop:
            break
    assert m.should_stop and i == 5
    assert [e.code for e in seen if e.kind == "new"].count("non_finite") == 1


def test_monitor_says_when_a_finding_clears():
    m = Monitor()
    # val first rises for a while (overfitting-like), then a long recovery to a new best
    val = [1.0, 0.6, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9] + list(np.linspace(0.85, 0.3, 30))
    loss = list(np.linspace(1.0, 0.05, len(val)))
    events = m.extend((i, {"loss": loss[i], "val_loss": val[i]}) for i in range(len(val)))
    new = [e.code for e in events if e.kind == "new"]
    cleared = [e.code for e in events if e.kind == "cleared"]
    assert "overfitting" in new and "overfitting" in cleared
    assert "overfitting" not in m.current


def test_monitor_rejects_an_unknown_stop_code():
    with pytest.raises(BadInput, match="did you mean 'diverging'"):
        Monitor(stop_on=("diverge",))
