"""The HTML report in a real headless Chromium: plots render, no errors, no network,
clicking a finding highlights its span, and a hostile log runs no script.

Needs /usr/bin/chromium and the python ``playwright`` package; ``make test`` runs
scripts/ensure_browser.sh first (Debian's chromium, never ``playwright install``).
Screenshots go to tests/browser/artifacts/ (git-ignored).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "report"))

from report_cases import XSS_NAME, XSS_PATH, make_diagnosis, overfit_history  # noqa: E402

from fitdoctor.report.html import write_html_report  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _have_browser() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists()


@pytest.fixture(scope="module")
def browser():
    if not _have_browser():
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_browser.sh"), sys.executable],
                       cwd=ROOT, timeout=900, check=False)
    if not _have_browser():
        pytest.skip("no /usr/bin/chromium or python playwright after scripts/ensure_browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A page that records console errors, page errors, dialogs and every request."""

    def __init__(self, browser, path: Path, height: int = 900):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1280, "height": height})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_function(
            "Array.from(document.querySelectorAll('.plot')).every(e => e.querySelector('.plot-container svg.main-svg'))",
            timeout=30_000)

    def _dialog(self, d) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def plots(self) -> list[dict]:
        return self.page.evaluate("""Array.from(document.querySelectorAll('.plot')).map(e => ({
            id: e.id, svgs: e.querySelectorAll('svg').length,
            traces: e.querySelectorAll('.scatterlayer .trace, .barlayer .trace, .parcoords').length,
            h: e.getBoundingClientRect().height}))""")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.requests == [self.url]  # the file itself, nothing else
        assert self.dialogs == []


def full_report(tmp_path: Path) -> Path:
    a = make_diagnosis(overfit_history(source="runs/a/history.csv"))
    b = make_diagnosis(overfit_history(80, probes=False, source="runs/b/history.csv"), findings=[])
    folds = [overfit_history(60 + 5 * k, probes=False) for k in range(3)]
    extra = {"config": {"train": {"lr": 0.001}}, "folds": folds, "baselines": {"accuracy": 0.1},
             "tune": {"metric": "val_loss", "importances": {"lr": 0.7, "batch_size": 0.3},
                      "trials": [{"number": i, "value": 1 / (i + 1), "params": {"lr": 10.0 ** -i, "batch_size": 16 * i}}
                                 for i in range(6)]}}
    return write_html_report([a, b], tmp_path / "full.html", extra=extra)


def test_every_plot_renders_without_errors_or_network(browser, tmp_path):
    pg = Page(browser, full_report(tmp_path))
    plots = pg.plots()
    assert len(plots) == 5 + 3 + 3 + 3  # run a (with probes), run b, folds, tune
    for p in plots:
        assert p["svgs"] >= 2 and p["traces"] >= 1 and p["h"] > 200, p
    pg.shot("full_report.png")
    pg.assert_clean()


def test_clicking_a_finding_highlights_its_span_and_scrolls(browser, tmp_path):
    pg = Page(browser, full_report(tmp_path), height=700)
    assert pg.page.evaluate("window.scrollY") == 0
    item = pg.page.locator("#r0-f1")  # overfitting, epochs 40-119
    x0, x1 = float(item.get_attribute("data-x0")), float(item.get_attribute("data-x1"))
    item.click()
    pg.page.wait_for_function("document.getElementById('r0-f1').classList.contains('active')")
    hl = pg.page.evaluate("""Array.from(document.querySelectorAll('#run-0 .plot')).map(e =>
        (e.layout.shapes || []).filter(s => s.name === 'fd-highlight').map(s => [s.x0, s.x1]))""")
    on_axis = hl[:3]  # loss, accuracy, lr; probe panels too
    assert all(h == [[x0, x1]] for h in hl), hl
    assert len(on_axis) == 3
    # the highlight is drawn (an extra shape path) and the curves were scrolled into view
    assert pg.page.evaluate("window.scrollY") > 0
    top = pg.page.evaluate("document.querySelector('#run-0 .plot').getBoundingClientRect().top")
    assert 0 <= top < 700
    # the second run's plots are untouched; a second click moves the highlight
    assert pg.page.evaluate("""Array.from(document.querySelectorAll('#run-1 .plot')).every(e =>
        !(e.layout.shapes || []).some(s => s.name === 'fd-highlight'))""")
    pg.page.locator("#r0-f3").click()  # non_finite at 100: a line
    pg.page.wait_for_function("!document.getElementById('r0-f1').classList.contains('active')")
    hl = pg.page.evaluate("""(document.querySelector('#run-0 .plot').layout.shapes || [])
        .filter(s => s.name === 'fd-highlight').map(s => [s.type, s.x0])""")
    assert hl == [["line", 100]]
    pg.shot("clicked_finding.png")
    pg.assert_clean()


def test_hostile_log_runs_no_script(browser, tmp_path):
    """A metric named <script>alert(1)</script> in a folder named "><img src=x onerror=...>."""
    folder = tmp_path / XSS_PATH
    folder.mkdir()
    log = folder / "log.csv"
    rows = "\n".join(f"{i},{1 / (i + 1):.4f},{1.1 / (i + 1):.4f},{i / 10:.3f}" for i in range(20))
    log.write_text(f"epoch,loss,val_loss,{XSS_NAME}\n{rows}\n")
    out = tmp_path / "xss.html"
    r = subprocess.run([sys.executable, "-c", "from fitdoctor.cli import main; main()", "report", str(log),
                        "-o", str(out), "--title", XSS_NAME, "--baseline", f"loss:{XSS_PATH}=0.5"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pg = Page(browser, out)
    pg.page.wait_for_timeout(300)
    assert pg.page.evaluate("document.querySelectorAll('script').length") == 3
    assert pg.page.evaluate("document.querySelectorAll('img').length") == 0
    text = pg.page.evaluate("document.body.innerText")
    assert XSS_PATH in text  # shown as text, literally
    svg_text = pg.page.evaluate("Array.from(document.querySelectorAll('.plot svg text')).map(t => t.textContent).join(' ')")
    assert "<script>alert(1)<" in svg_text and XSS_PATH in svg_text  # plotly labels show it literally
    # hovering every trace fires no handler either
    pg.page.mouse.move(300, 600)
    pg.page.wait_for_timeout(200)
    pg.shot("xss_report.png")
    pg.assert_clean()
