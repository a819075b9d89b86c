"""The label-agreement scorer judges one label against another as fitdoctor is judged."""

from __future__ import annotations

import json


def _truth(expected, also=(), forbidden=()):
    return {"expected": [expected], "primary_also": list(also), "acceptable": [], "forbidden": list(forbidden),
            "data_file": "log.txt"}


def test_a_label_is_judged_as_a_verdict_of_its_first_code(load_benchmark):
    la = load_benchmark("score_label_agreement")
    judge = la.judge
    first = _truth("overfitting", also=["val_not_improving"], forbidden=["still_improving"])
    assert judge(first, la.as_findings(_truth("val_not_improving")))["primary"]   # an equally right first code
    assert not judge(first, la.as_findings(_truth("healthy")))["primary"]          # healthy prints no warning
    assert judge(first, la.as_findings(_truth("still_improving")))["false_alarm"]
    assert judge(_truth("healthy"), la.as_findings(_truth("healthy")))["primary"]


def test_every_second_label_pairs_with_a_first_one_and_uses_known_codes(load_benchmark):
    """The stored second labels: each has its first label, and names only the convention's codes."""
    from fitdoctor.codes import CODES

    la = load_benchmark("score_label_agreement")
    pairs = la.pairs()
    assert len(pairs) >= 48
    known = set(CODES) | {"healthy"}
    for key, first, second in pairs:
        assert second["data_file"] == first["data_file"], key
        for field in ("expected", "primary_also", "acceptable", "forbidden"):
            assert set(second[field]) <= known, (key, field, second[field])


def test_the_summary_prints_both_directions(load_benchmark, capsys, tmp_path):
    la = load_benchmark("score_label_agreement")
    out = tmp_path / "rows.json"
    assert la.main(["--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "second labeller judged on the first label" in text and "first labeller judged on the second" in text
    rows = json.loads(out.read_text())
    assert rows and all({"first", "second", "second_vs_first"} <= set(r) for r in rows)
