"""``diagnose --markdown``: what a CI user pastes into a pull request or a job summary."""

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

import fitdoctor as fd
from fitdoctor.cli import app
from fitdoctor.report.markdown import cell, diagnoses_markdown

FIX = Path(__file__).parents[1] / "fixtures" / "console"


def _tables(text):
    """Markdown tables as lists of row cell-lists (header first, the --- row dropped)."""
    tables, cur = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").replace("\\|", "\0").split("|")]
            if not all(set(c) <= {"-"} for c in cells):
                cur.append([c.replace("\0", "|") for c in cells])
        elif cur:
            tables.append(cur)
            cur = []
    return tables


def test_one_run_is_one_table_with_its_findings_evidence_and_fix():
    r = CliRunner().invoke(app, ["diagnose", str(FIX / "keras3_v2_overfit_callbacks.log"), "--markdown"])
    assert r.exit_code == 0, r.output
    (table,) = _tables(r.output)
    head, first = table[0], table[1]
    assert head == ["#", "severity", "finding", "where", "what the curves show", "evidence", "first fix"]
    assert "`overfitting`" in first[2] and "warning" in first[1] and first[3] == "epochs 1–9"
    assert "val_min 0.6383" in first[5] and "=" not in first[5]
    assert "train.early_stopping" in first[6]
    assert "**keep:**" in r.output and r.output.startswith("### fitdoctor")


def test_several_runs_get_a_ranking_then_a_table_each():
    r = CliRunner().invoke(app, ["diagnose", str(FIX / "keras3_v2_two_runs.log"), "--markdown"])
    assert r.exit_code == 0, r.output
    tables = _tables(r.output)
    assert len(tables) == 3 and tables[0][0] == ["#", "run", "best", "at", "top finding"]
    assert r.output.count("### fitdoctor · ") == 2


def test_only_the_top_findings_are_tabled_and_the_rest_named():
    h = fd.RunHistory.from_dict({"loss": [1.0, float("nan")], "val_loss": [1.0, 1.0]})
    d = fd.diagnose(h)
    d.findings = d.findings * 4
    text = diagnoses_markdown([d])
    (table,) = _tables(text)
    assert len(table) == 1 + 3 and "more:" in text and "--json" in text


def test_cells_cannot_break_the_table_or_inject_html():
    assert cell("a|b\nc <script>") == "a\\|b c &lt;script&gt;"
    h = fd.RunHistory.from_dict({"loss": list(np.linspace(1, 0.1, 20)), "val_loss": list(np.linspace(1.1, 0.3, 20))},
                                source="evil | <img src=x onerror=alert(1)>")
    text = diagnoses_markdown([fd.diagnose(h)])
    assert "<img" not in text and "evil \\| &lt;img" in text


def test_json_and_markdown_together_is_a_usage_error():
    r = CliRunner().invoke(app, ["diagnose", str(FIX / "keras3_v2_overfit_callbacks.log"), "--markdown", "--json"])
    assert r.exit_code != 0
