"""The terminal at 80 columns: COLUMNS respected (piped too), wrapped lines keep their
indent, evidence a person can scan (all of it stays in --json)."""

import json
import re
from pathlib import Path

import pytest

import fitdoctor as fd
from typer.testing import CliRunner

from fitdoctor.cli import app

LOG = Path(__file__).parents[1] / "fixtures" / "console" / "keras3_v2_overfit_callbacks.log"


def _run(monkeypatch, columns, *args):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    r = CliRunner().invoke(app, ["diagnose", str(LOG), *args])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.mark.parametrize("columns", [80, 60])
def test_columns_is_respected_when_piped(monkeypatch, columns):
    out = _run(monkeypatch, columns)
    assert max(len(line) for line in out.splitlines()) <= columns


def test_wrapped_lines_keep_their_indent(monkeypatch):
    lines = _run(monkeypatch, 80).splitlines()
    head = next(i for i, line in enumerate(lines) if re.match(r"1\. WARNING overfitting", line))
    message = []
    for line in lines[head + 1:]:
        if line.lstrip().startswith("evidence:"):
            break
        message.append(line)
    assert len(message) >= 2  # the message wrapped ...
    assert all(line.startswith("   ") and line[3] != " " for line in message)  # ... under itself
    fix = next(i for i, line in enumerate(lines) if line.startswith("   fix 1: "))
    assert lines[fix + 1].startswith(" " * len("   fix 1: ")) and lines[fix + 1][10] != " "
    keep = next(i for i, line in enumerate(lines) if line.startswith("keep: "))
    assert lines[keep + 1].startswith("      ")


def test_evidence_is_a_few_aligned_pairs_and_json_has_them_all(monkeypatch):
    out = _run(monkeypatch, 80)
    ev = [line for line in out.splitlines() if "evidence:" in line or line.startswith(" " * 13)]
    assert ev and "=" not in "".join(ev)
    assert "more in --json" in out
    shown = [k for k, _ in re.findall(r"([a-z_]+) +(-?[0-9][-0-9.e+]*)", " ".join(ev))]
    assert 3 <= len(shown) <= 6
    full = json.loads(_run(monkeypatch, 80, "--json"))
    evidence = full["findings"][0]["evidence"]
    assert len(evidence) > 6 and set(shown) <= set(evidence)


def test_piped_without_columns_keeps_each_line_whole_for_grep(monkeypatch):
    out = _run(monkeypatch, None)
    message = next(line for line in out.splitlines() if line.startswith("   val_loss best"))
    assert "epoch-to-epoch noise" in message  # the whole sentence on one line
    assert next(line for line in out.splitlines() if "evidence:" in line).count("·") >= 3


def test_a_step_log_says_how_many_points_over_how_many_steps():
    """An evaluation every 1000 iterations: '38 steps' would undercount the run 1000-fold."""
    from fitdoctor.history import RunHistory
    from fitdoctor.report.terminal import extent

    h = RunHistory(meta={"format": "console"})
    h.add("loss", list(range(1000, 38001, 1000)), [1 / i for i in range(1, 39)], axis="step")
    assert extent(h) == "38 points over 38000 steps"
    e = RunHistory(meta={"format": "console"})
    e.add("loss", list(range(40)), [1 / (i + 1) for i in range(40)], axis="epoch")
    assert extent(e) == "40 epochs"


def test_the_html_report_header_counts_points_and_steps_the_same_way(tmp_path):
    from fitdoctor.history import RunHistory
    from fitdoctor.report.html import render_html

    h = RunHistory(meta={"format": "console", "source": "iters.log"})
    h.add("loss", list(range(1000, 38001, 1000)), [1 / i for i in range(1, 39)], axis="step")
    h.add("val_loss", list(range(1000, 38001, 1000)), [1.1 / i for i in range(1, 39)], axis="step")
    assert "38 points over 38000 steps" in render_html([fd.diagnose(h)])


def test_a_run_without_a_best_shows_a_dash_in_the_runs_table():
    """A two-epoch printout beside a real run has no best epoch: '-', as in HTML and Markdown, not 'None'."""
    from rich.console import Console

    from fitdoctor.report.terminal import runs_table

    e = list(range(20))
    real = fd.diagnose({"loss": [1 / (1 + x) for x in e], "val_loss": [1.1 / (1 + x) for x in e]})
    tiny = fd.diagnose({"accuracy": [0.5, 0.6]})
    console = Console(width=80, record=True)
    console.print(runs_table([real, tiny]))
    text = console.export_text()
    assert "None" not in text and "│ -" in text
