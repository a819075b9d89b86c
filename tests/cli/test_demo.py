"""``fitdoctor demo`` end to end: stuck run diagnosed, prescribed fix applied and verified."""

import json
import time

import pytest
from typer.testing import CliRunner

from fitdoctor.cli import app


@pytest.mark.slow
def test_demo_tells_the_whole_story(tmp_path, monkeypatch):
    work = tmp_path / "checkout"  # where the user runs `make demo`
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    t0 = time.perf_counter()
    r = CliRunner().invoke(app, ["demo", "--no-report"])
    took = time.perf_counter() - t0
    assert r.exit_code == 0, r.output
    out = r.output
    # nothing lands in the folder it ran from; where the files went is printed
    assert list(work.iterdir()) == []
    (tmp_path / "demo").symlink_to(tmp_path / "cache" / "fitdoctor" / "demo")
    assert str(tmp_path / "cache" / "fitdoctor" / "demo") in out
    assert "1. the classic stuck run" in out and "chance_level" in out and "unscaled_features" in out
    assert "data.scale: standard" in out  # the prescribed remedy, applied
    # doctor: scaling accepted beyond noise, a change that should not matter rejected with its numbers
    assert "data.scale none -> standard" in out and "accepted" in out
    assert "model.hidden [64, 32] -> [128, 64]" in out and "rejected" in out
    trail = json.loads((tmp_path / "cache" / "fitdoctor" / "demo" / "doctor" / "doctor.json").read_text())
    trials = [t for r in trail["rounds"] for t in r["trials"]]
    scaling = next(t for t in trials if t["changes"].get("data.scale") == "standard")
    wider = next(t for t in trials if "model.hidden" in t["changes"])
    assert scaling["status"] == "accepted" and scaling["p"] < 0.05 and len(scaling["after"]["scores"]) == 5
    assert wider["status"] == "rejected" and wider["reason"].startswith("val accuracy ")
    assert "majority" in out and "test accuracy" in out
    # the opening story's "only more data can help?": the stuck run's learning curve says no
    assert "3. only more data can help?" in out and "data_saturated" in out
    assert "more data will not help; the pipeline is the problem" in " ".join(out.split())
    lc = json.loads((tmp_path / "demo" / "learning_curve" / "learning_curve.json").read_text())
    assert [f["code"] for f in lc["findings"]][0] == "data_saturated"
    assert not (tmp_path / "demo" / "learning_curve" / "report.html").exists()  # --no-report
    for run in ("stuck", "fixed"):
        for name in ("config.yaml", "history.csv", "probes.csv", "diagnosis.json", "model.pt"):
            assert (tmp_path / "demo" / run / name).exists(), (run, name)
    stuck = json.loads((tmp_path / "demo" / "stuck" / "diagnosis.json").read_text())
    fixed = json.loads((tmp_path / "demo" / "fixed" / "diagnosis.json").read_text())
    codes = [f["code"] for f in stuck["findings"]]
    assert codes[0] == "chance_level" and "unscaled_features" in codes
    chance = stuck["findings"][0]["evidence"]
    assert abs(chance["loss_level"] - chance["chance_loss"]) < 0.03
    assert "chance_level" not in [f["code"] for f in fixed["findings"]]
    s, f = stuck["summary"]["scores"], fixed["summary"]["scores"]
    assert f["test"]["accuracy"] > s["test"]["accuracy"] + 0.05
    assert f["test"]["accuracy"] > f["baselines"]["majority"]["test"]["accuracy"] + 0.05
    assert "scale: standard" in (tmp_path / "demo" / "fixed" / "config.yaml").read_text()
    assert took < 120  # under a minute on an idle 2-core machine; slack for a shared one
