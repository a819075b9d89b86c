"""--mute hides findings by code: an unknown code is an error, and a run with a hidden
finding is never reported as healthy."""

import json
import subprocess
import sys

import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput

OVERFIT = "epoch,loss,val_loss\n" + "".join(
    f"{e},{0.7 * 0.85 ** e + 0.01:.4f},{(0.72 * 0.8 ** e + 0.35 + 0.012 * max(e - 10, 0)):.4f}\n"
    for e in range(40)
)
GOOD = {"loss": [0.7 * 0.8 ** e + 0.05 for e in range(30)], "val_loss": [0.7 * 0.8 ** e + 0.08 for e in range(30)]}


def run(*args):
    return subprocess.run([sys.executable, "-m", "fitdoctor.cli", *args], capture_output=True, text=True)


@pytest.fixture
def overfit_log(tmp_path):
    p = tmp_path / "training.log"
    p.write_text(OVERFIT)
    return p


def test_unknown_code_is_one_line_exit_2_with_a_suggestion(overfit_log):
    r = run("diagnose", str(overfit_log), "--mute", "overfit")
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "'overfit'" in lines[0] and "did you mean 'overfitting'?" in lines[0]
    assert "plateau" in lines[0] and "non_finite" in lines[0]  # the valid codes are listed


def test_report_validates_mute_too(overfit_log, tmp_path):
    r = run("report", str(overfit_log), "--mute", "nosuchcode", "-o", str(tmp_path / "r.html"))
    assert r.returncode == 2 and "'nosuchcode'" in r.stderr and "Traceback" not in r.stderr


def test_muting_the_finding_does_not_make_the_run_healthy(overfit_log):
    r = run("diagnose", str(overfit_log), "--mute", "overfitting")
    assert r.returncode == 0, r.stderr
    assert "healthy" not in r.stdout and "keep this setup" not in r.stdout
    assert "muted: overfitting (1 finding hidden)" in r.stdout
    assert "1. WARNING overfitting" not in r.stdout


def test_json_lists_what_was_muted(overfit_log):
    out = json.loads(run("diagnose", str(overfit_log), "--mute", "overfitting", "--json").stdout)
    assert out["summary"]["muted"] == ["overfitting"]
    assert all(f["code"] not in ("overfitting", "healthy") for f in out["findings"])


def test_muting_a_code_that_did_not_fire_changes_nothing():
    d = fd.diagnose(GOOD, mute=["overfitting"])
    assert d.codes == ["healthy"] and d.summary["muted"] == []


def test_api_validates_and_takes_a_single_code():
    with pytest.raises(BadInput, match=r"unknown finding code 'overfit'.*did you mean 'overfitting'"):
        fd.diagnose(GOOD, mute=["overfit"])
    d = fd.diagnose(GOOD, mute="healthy")  # one code, not its letters
    assert d.codes == [] and d.summary["muted"] == ["healthy"]
