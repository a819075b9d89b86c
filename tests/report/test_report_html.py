"""The HTML report: self-contained, escaped, atomic, every section where it belongs."""

from __future__ import annotations

import json
import re
from html import escape
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.report import write_report
from fitdoctor.report.html import render_html, script_json, write_html_report

from report_cases import XSS_NAME, XSS_PATH, make_diagnosis, overfit_history


def embedded_data(page: str) -> dict:
    m = re.search(r"<script type='application/json' id='fd-data'>(.*?)</script>", page, re.S)
    assert m
    return json.loads(m.group(1))


def scripts(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", page, re.I)


def test_self_contained_one_plotly_bundle(diagnosis):
    page = render_html([diagnosis])
    tags = scripts(page)
    assert len(tags) == 3 and not any("src=" in t for t in tags)  # bundle, data, init; nothing loaded
    assert page.count("plotly.js v") <= 2  # the bundle's own banner, once
    assert not re.search(r"<(link|iframe|img|object|embed)\b[^>]*\b(src|href)=['\"]?(https?:)?//", page, re.I)
    assert "mathjax" not in page.split("<script type='text/javascript'>")[0].lower()
    assert "typesetMath:false" in page
    assert "default-src 'none'" in page  # the page itself forbids network requests


def test_verdict_first_with_severity_evidence_and_remedies(diagnosis):
    page = render_html([diagnosis])
    assert page.index("Verdict") < page.index("Curves")
    assert "1. overfitting" in page and "3. non_finite" in page
    assert "data-x0='40'" in page and "data-x1='119'" in page  # clickable span
    assert "model.dropout_rate: 0.3" in page
    assert "train.early_stopping: {patience: 5}" in page
    assert "What to keep" in page and escape(diagnosis.summary["keep"]) in page
    ids = [p["id"] for p in embedded_data(page)["plots"]]
    assert len(ids) == len(set(ids)) == 5
    for i in ids:
        assert f"<div class='plot' id='{i}'></div>" in page


def test_everything_from_logs_is_escaped():
    h = overfit_history(probes=False, source=f"runs/{XSS_PATH}/log.csv")
    h.add(XSS_NAME, np.arange(5), np.arange(5.0), raw_name=XSS_NAME)
    h.note(f"column {XSS_NAME} read")
    d = make_diagnosis(h)
    d.findings[0].message = XSS_NAME
    d.findings[0].evidence[XSS_NAME] = XSS_PATH
    d.findings[0].remedies[0].config_changes = {XSS_NAME: XSS_PATH}
    page = render_html([d, make_diagnosis()], extra={"config": {"data": {"source": XSS_PATH}}, "title": XSS_NAME})
    for bad in (XSS_NAME, XSS_PATH, "<img", "onerror=alert(1)>"):
        assert bad not in page
    assert escape(XSS_NAME) in page and escape(XSS_PATH) in page
    # the embedded JSON decodes to plotly-escaped names (a "/" makes it a probe family)
    data = json.dumps(embedded_data(page))
    assert "&lt;script&gt;alert(1)&lt;" in data and "<script>" not in data


def test_script_json_cannot_close_the_element():
    text = script_json({"a": "</script><!-- \u2028 é &"})
    assert "</" not in text and "<!--" not in text and text.isascii()
    assert json.loads(text) == {"a": "</script><!-- \u2028 é &"}


def test_multi_run_page_ranks_and_links_runs():
    a = make_diagnosis(overfit_history(source="a.csv"))
    b = make_diagnosis(overfit_history(source="b.csv"), findings=[])
    page = render_html([a, b])
    assert "Runs, best first" in page
    assert "href='#run-0'" in page and "href='#run-1'" in page
    assert "id='run-0'" in page and "id='run-1'" in page
    assert "No findings" in page
    groups = {p["group"] for p in embedded_data(page)["plots"]}
    assert groups == {"r0", "r1"}


def test_extension_sections_render_only_when_given(diagnosis):
    plain = render_html([diagnosis])
    for sid in ("id='folds'", "id='doctor'", "id='tune'", "<h3>Config</h3>"):
        assert sid not in plain
    assert "<h3>Environment</h3>" in plain and "numpy" in plain
    folds = [overfit_history(60 + 5 * k, probes=False) for k in range(3)]
    extra = {
        "config": {"model": {"hidden": [64, 32]}, "train": {"lr": 0.001}},
        "folds": folds,
        "doctor": {"summary": "2 rounds", "rounds": [{"round": 1, "remedy": "dropout 0.3", "kept": True}],
                   "before": folds[0], "after": make_diagnosis(folds[1])},
        "tune": {"metric": "val_loss", "trials": [{"number": i, "value": 1 / (i + 1), "params": {"lr": i}}
                                                  for i in range(4)], "importances": {"lr": 1.0},
                 "best": [make_diagnosis(folds[0]), make_diagnosis(folds[1])]},
    }
    page = render_html([diagnosis], extra=extra)
    for sid in ("id='folds'", "id='doctor'", "id='tune'", "<h3>Config</h3>", "hidden:", "dropout 0.3",
                "k-fold: 3 folds", "Best trials"):
        assert sid in page
    ids = re.findall(r"\bid='([^']+)'", page)
    assert len(ids) == len(set(ids))  # every DOM id unique, the best trials' verdicts included
    groups = [p["group"] for p in embedded_data(page)["plots"]]
    assert groups.count("folds") == 3  # val_loss, loss, val_accuracy
    assert groups.count("doctor") == 2 and groups.count("tune") == 3


def test_write_is_atomic_and_reports_sizes(tmp_path, diagnosis):
    out = write_html_report([diagnosis], tmp_path / "sub" / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]  # no temp file left behind
    write_report(diagnosis, str(tmp_path / "one.html"))  # the diagnose --report entry point
    assert (tmp_path / "one.html").stat().st_size > 1_000_000
    with pytest.raises(BadInput, match="is a folder"):
        write_html_report([diagnosis], tmp_path)
    with pytest.raises(BadInput, match="no runs"):
        render_html([])


def test_long_runs_stay_small(tmp_path):
    """1k epochs and 100k steps: plotly.js (~4.8 MB) dominates; the data stays well under 1 MB."""
    rng = np.random.default_rng(1)
    n = 100_000
    s = np.arange(n, dtype=float)
    h = fd.RunHistory(meta={"source": "steps.csv"})
    h.add("loss", s, np.exp(-s / 2e4) + 0.05 * rng.standard_normal(n), axis="step")
    h.add("val_loss", s[::500], np.exp(-s[::500] / 2e4) + 0.1, axis="step")
    h.add("lr", s, np.full(n, 1e-3), axis="step")
    big = write_html_report([fd.diagnose(h)], tmp_path / "steps.html")
    small = write_html_report([fd.diagnose(overfit_history(1000))], tmp_path / "epochs.html")
    data_big = len(embedded_data(big.read_text())["plots"][0]["figure"]["data"][0]["x"])
    assert data_big <= 2 * 800 + 2  # band polygon of the 800 bins
    for p in (big, small):
        js_free = len(re.sub(r"<script type='text/javascript'>.*?</script>", "", p.read_text(), flags=re.S))
        assert js_free < 1_000_000, (p.name, js_free)


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [a for a, _ in attrs]))


OUR_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "div",
            "section", "ol", "ul", "li", "span", "b", "code", "pre", "details", "summary", "p", "table",
            "thead", "tbody", "tr", "th", "td", "a", "noscript", "script"}


FRAGMENTS = ["<", ">", "/", "script", "img", "svg", " src=x", " onerror=alert(1)", " onload=alert(1)", '"', "'",
             "&", "</", "<!--", "-->", "]]>", "\u2028", "$", "a"]
HOSTILE = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), min_size=1, max_size=10).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE, path=HOSTILE)
def test_any_name_or_path_leaves_only_our_markup(name, path):
    """Whatever text a log holds, the page parses to our tags only, with no event handlers."""
    h = fd.RunHistory(meta={"source": path, "run": path, "notes": [name]})
    h.add("loss", np.arange(6), np.linspace(1, 0.5, 6))
    h.add(name, np.arange(6), np.linspace(0, 1, 6), raw_name=name)
    d = make_diagnosis(h, findings=[fd.Finding("plateau", "info", name, span=(1, 3), evidence={name: path},
                                               remedies=[fd.Remedy(name, {name: path}, path)])])
    page = render_html([d], extra={"config": {name: path}, "title": name, "baselines": {name: 1.0}})
    parser = TagCollector()
    parser.feed(page)
    assert {t for t, _ in parser.tags} <= OUR_TAGS
    assert not any(a.startswith("on") for _, attrs in parser.tags for a in attrs)
    assert sum(t == "script" for t, _ in parser.tags) == 3
    embedded_data(page)  # still valid JSON


def test_the_ranking_table_never_says_no_findings_for_a_run_left_without_a_verdict():
    """A run whose verdict is "no verdict: the losses barely moved" has no finding; its row in
    the ranking said "no findings", a clean bill its own section contradicts. It shows "-", as
    the terminal and Markdown rankings do."""
    n = np.arange(20)
    moved = fd.diagnose({"loss": list(0.5 + 0.4 * np.exp(-n / 4)), "val_loss": list(0.55 + 0.4 * np.exp(-n / 4))})
    flat = fd.diagnose({"loss": list(0.0961 + 0.0017 * np.exp(-n / 4)), "val_loss": list(0.0945 + 0.0001 * np.cos(n))})
    assert flat.summary["unnamed"].startswith("no verdict")
    table = render_html([moved, flat]).split("Runs, best first")[1].split("</table>")[0]
    assert "no findings" not in table
    assert "<td style='color:#333'>-</td>" in table or ">-</td></tr>" in table


def test_a_best_with_no_equivalent_epoch_says_so_instead_of_a_band_of_one():
    """A train loss worse at each report since its best: the keep box read "equivalent within
    noise: epochs 2-4" under "the last epoch is worse", then "epochs 1-1" once the band left the
    climb out. It says that no other epoch is as good."""
    d = fd.diagnose({"loss": [16.6723, 4.5389, 5.0791, 6.0356]})
    page = render_html([d])
    assert "no other epoch within noise of it" in page
    assert "equivalent within noise: epochs 1" not in page
