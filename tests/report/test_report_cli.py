"""``fitdoctor report``: reads like diagnose, writes HTML (and PNG), one-line errors."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from fitdoctor.cli import main

CSV = Path(__file__).parents[1] / "fixtures" / "report" / "keras_digits_overfit.csv"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the real console entry point in-process (the same main() the script calls)."""

    def go(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["fitdoctor", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return go


def test_report_html_and_png_from_a_real_keras_log(tmp_path, run):
    out, png = tmp_path / "r.html", tmp_path / "r.png"
    r = run("report", str(CSV), "-o", str(out), "--png", str(png), "--baseline", "accuracy:majority=0.1")
    assert r.returncode == 0, r.stderr
    assert f"report written to {out}" in r.stdout
    page = out.read_text()
    assert "keras_digits_overfit.csv" in page and "majority 0.1" in page
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_default_output_next_to_the_log_and_config_shown(tmp_path, run):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "history.csv").write_text(CSV.read_text())
    (run_dir / "config.yaml").write_text("train:\n  lr: 0.0042\n")
    r = run("report", str(run_dir))
    assert r.returncode == 0, r.stderr
    page = (run_dir / "report.html").read_text()
    assert "lr: 0.0042" in page
    r = run("report", str(run_dir / "history.csv"))
    assert r.returncode == 0 and (run_dir / "history-report.html").exists()


def test_diagnose_report_flag_writes_the_same_report(tmp_path, run):
    out = tmp_path / "d.html"
    r = run("diagnose", str(CSV), "--report", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_bad_input_is_one_line_exit_2(tmp_path, run):
    for args, needle in [
        (("report", str(tmp_path / "missing.csv")), "no such file"),
        (("report", str(CSV), "-o", str(tmp_path / "x.png")), "expected OUT.html"),
        (("report", str(CSV), "--png", str(tmp_path / "x.jpg")), "ending in .png"),
        (("report", str(CSV), "--baseline", "accuracy"), "METRIC=VALUE"),
        (("report", str(CSV), "-o", str(tmp_path)), "is a folder"),
    ]:
        r = run(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], (args, r.stderr)
        assert "Traceback" not in r.stderr


def test_several_runs_one_png_per_run(tmp_path, run):
    logs = tmp_path / "logs"
    logs.mkdir()
    for k in range(2):
        e = np.arange(30)
        rows = "\n".join(f"{i},{1 / (i + 1 + k):.5f},{1.2 / (i + 1):.5f}" for i in e)
        (logs / f"run{k}.csv").write_text("epoch,loss,val_loss\n" + rows + "\n")
    r = run("report", str(logs), "-o", str(tmp_path / "all.html"), "--png", str(tmp_path / "{run}.png"))
    assert r.returncode == 0, r.stderr
    assert "Runs, best first" in (tmp_path / "all.html").read_text()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["00-run0.csv.png", "01-run1.csv.png"]


def test_runs_selected_on_different_curves_are_ranked_within_their_group():
    """A val_accuracy of 0.78 is not "better" than a val_loss of 0.2: the larger group (val_loss)
    is ranked first, by its own values."""
    import numpy as np

    import fitdoctor as fd
    from fitdoctor.report.multirun import rank_runs

    n = np.arange(12)
    a = fd.diagnose({"loss": list(0.1 + 0.5 * np.exp(-n / 3)), "val_loss": list(0.3 + 0.4 * np.exp(-n / 3))})
    b = fd.diagnose({"loss": list(0.1 + 0.5 * np.exp(-n / 3)), "val_loss": list(0.2 + 0.4 * np.exp(-n / 3))})
    c = fd.diagnose({"loss": list(0.1 + 0.5 * np.exp(-n / 3)), "val_accuracy": list(0.78 - 0.3 * np.exp(-n / 3))})
    rows = rank_runs([a, b, c])
    assert [r["index"] for r in rows] == [1, 0, 2]
    assert rows[0]["beyond_noise"] is True


def test_runs_with_the_same_best_put_the_latest_attempt_first():
    """A script rerun three times, each reaching 100% val accuracy: the tie goes to the last run,
    the one the user is working on (the first, with a jumpy train loss, was shown before)."""
    import numpy as np

    import fitdoctor as fd
    from fitdoctor.report.multirun import rank_runs

    n = np.arange(10)
    runs = [fd.diagnose({"loss": list(0.2 * np.exp(-n / 2) + 1e-3), "val_accuracy": list(np.minimum(1.0, 0.94 + 0.02 * n))})
            for _ in range(3)]
    assert [r["index"] for r in rank_runs(runs)] == [2, 1, 0]
