"""The code table is the one home of every finding code, and agrees with FINDINGS.md and the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fitdoctor as fd
from fitdoctor import codes
from fitdoctor.diagnose import RULES, load_rules
from fitdoctor.findings import CODES, Finding
from fitdoctor.remedies import remedies_for

FINDINGS_MD = Path(__file__).resolve().parents[2] / "shared" / "FINDINGS.md"
LABELS_ORDER = ["non_finite", "diverging", "chance_level", "val_not_improving", "overfitting",
                "suspicious_validation", "plateau", "oscillating", "lr_too_high", "lr_too_low",
                "underfitting", "still_improving"]


def test_every_code_has_one_row_with_family_priority_and_explanation():
    assert len(codes.TABLE) == len(set(c.name for c in codes.TABLE)) == len(CODES)
    for row in codes.TABLE:
        assert row.family in codes.FAMILIES, row.name
        assert row.explanation and row.explanation[0].isupper(), row.name
        assert all(e in CODES and e != row.name for e in row.explains), row.name
        assert remedies_for(row.name, {}) is not None


def test_the_curve_codes_rank_in_the_practitioners_tie_order():
    prios = [codes.PRIORITY[c] for c in LABELS_ORDER]
    assert prios == sorted(prios, reverse=True)


def test_a_finding_takes_its_priority_and_explanation_from_the_table():
    f = Finding(code="dead_relu", severity="warning", message="m")
    assert f.priority == codes.get("dead_relu").priority and f.explanation == codes.get("dead_relu").explanation


def test_an_unknown_code_names_the_nearest():
    with pytest.raises(KeyError, match="did you mean 'overfitting'"):
        codes.get("overfit")


def test_every_rule_emits_only_table_codes():
    load_rules()
    assert RULES
    d = fd.diagnose({"loss": [1, 0.5, 0.3, 0.2, 0.15, 0.12], "val_loss": [1, 0.6, 0.4, 0.35, 0.4, 0.5]})
    assert all(f.code in CODES for f in d.findings)


@pytest.mark.skipif(not FINDINGS_MD.exists(), reason="../shared/FINDINGS.md is outside this checkout")
def test_table_matches_findings_md():
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", FINDINGS_MD.read_text(), flags=re.M))
    assert listed == set(CODES)
