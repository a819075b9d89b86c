"""The demo's stuck-run report as a person sees it in Chromium, at 1400 and 800 px wide:
no label drawn over another, a loss axis that shows the curve (not 0..3000).

Screenshots go to tests/browser/artifacts/ (git-ignored)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "report"))
sys.path.insert(0, str(Path(__file__).parent))

from stuck_case import BASELINES, stuck_diagnosis  # noqa: E402
from test_report_browser import Page, browser  # noqa: E402,F401  (the shared fixture)

from fitdoctor.report.html import write_html_report  # noqa: E402

pytestmark = pytest.mark.slow

BOXES = """Array.from(document.querySelectorAll('.plot')).map(p => ({
  id: p.id,
  boxes: Array.from(p.querySelectorAll('g.annotation')).map(g => {
      const r = g.getBoundingClientRect();
      return {text: g.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
  }).filter(b => b.r > b.l),
  ticks: Array.from(p.querySelectorAll('.ytick text')).map(t => t.textContent)}))"""


def _overlaps(a, b, slack=1.0):
    return not (a["r"] <= b["l"] + slack or b["r"] <= a["l"] + slack or
                a["b"] <= b["t"] + slack or b["b"] <= a["t"] + slack)


@pytest.mark.parametrize("width", [1400, 800])
def test_stuck_report_labels_do_not_overlap_and_the_loss_axis_is_readable(browser, tmp_path, width):
    out = write_html_report(stuck_diagnosis(), tmp_path / "stuck.html", extra={"baselines": BASELINES})
    pg = Page(browser, out)
    pg.page.set_viewport_size({"width": width, "height": 900})
    pg.page.wait_for_timeout(500)  # plotly redraws on resize
    plots = pg.page.evaluate(BOXES)
    assert plots
    for p in plots:
        boxes = p["boxes"]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not _overlaps(a, b), (p["id"], a["text"], b["text"])
    loss = next(p for p in plots if "-loss-" in p["id"])
    ticks = [float(t.replace("−", "-")) for t in loss["ticks"] if t]
    assert max(ticks) < 2, ticks  # the stuck curve and the chance line, not 0..3000
    pg.shot(f"stuck_report_{width}.png")
    pg.assert_clean()


def test_kfold_report_leads_with_one_verdict_and_folded_folds_open_with_sized_plots(browser, tmp_path):
    from report_cases import make_diagnosis, overfit_history

    folds = []
    for k in range(3):
        h = overfit_history(60 + 5 * k, probes=False)
        h.meta["run"] = f"fold {k + 1}/3"
        folds.append(make_diagnosis(h))
    out = write_html_report(folds, tmp_path / "kfold.html",
                            extra={"folds": [d.history for d in folds], "baselines": {"accuracy": {"logistic": 0.9}}})
    pg = Page(browser, out)
    assert pg.page.evaluate("document.querySelector('section').id") == "kfold"
    assert pg.page.evaluate("document.querySelectorAll('#kfold table.folds tbody tr').length") >= 3
    assert pg.page.evaluate("document.querySelectorAll('details.fold[open]').length") == 0
    pg.page.locator("details.fold summary").first.click()
    pg.page.wait_for_timeout(500)
    widths = pg.page.evaluate("""Array.from(document.querySelectorAll('details.fold[open] .plot'))
        .map(p => p.querySelector('svg.main-svg').getBoundingClientRect().width)""")
    assert widths and min(widths) > 300, widths
    pg.shot("kfold_report.png")
    pg.assert_clean()


def test_on_a_phone_the_page_fits_its_width_and_no_toolbar_covers_a_title(browser, tmp_path):
    """390 px wide: a long log path in the title and tables once made the page 586-811 px wide
    (loaded zoomed out), and plotly's toolbar, always shown on touch, covered chart titles."""
    import fitdoctor as fd

    deep = tmp_path / ("a_rather_long_experiment_folder_name_" * 3) / "runs"
    deep.mkdir(parents=True)
    log = deep / "training_log_of_the_second_attempt_with_dropout.csv"
    log.write_text("epoch,loss,val_loss,accuracy,val_accuracy\n" + "".join(
        f"{e},{0.7 * 0.85 ** e + 0.01:.4f},{0.72 * 0.8 ** e + 0.35 + 0.012 * max(e - 10, 0):.4f},"
        f"{0.6 + 0.01 * e:.3f},{0.58 + 0.008 * min(e, 10):.3f}\n" for e in range(30)))
    out = write_html_report([fd.diagnose(log)], deep / "report.html")
    assert str(log) in out.read_text()  # the long path is on the page
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(out.resolve().as_uri())
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.plot')).every(e => e.querySelector('.plot-container svg.main-svg'))",
        timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    assert page.locator(".modebar-container .modebar").count() == 0
    page.screenshot(path=str(Path(__file__).parent / "artifacts" / "stuck_report_phone.png"), full_page=False)
    # the advice on what to keep stays inside its box: a console log's prescription
    # ("EarlyStopping(restore_best_weights=True);") is one word too long for 390 px
    console = deep / "train.log"
    console.write_text("".join(f"epoch {e} loss={0.7 * 0.85 ** e + 0.01:.4f} val_loss="
                               f"{0.72 * 0.8 ** e + 0.35 + 0.012 * max(e - 10, 0):.4f}\n" for e in range(30)))
    out = write_html_report([fd.diagnose(console)], deep / "console.html")
    page.goto(out.resolve().as_uri())
    assert "restore_best_weights=True);" in page.inner_text(".keep")
    assert page.evaluate("Array.from(document.querySelectorAll('.keep')).every(k => k.scrollWidth <= k.clientWidth)")
    page.close()
