"""Usage errors and malformed input as a user meets them: one line on stderr naming the bad
value and what was expected, exit code 2, never a traceback."""

import subprocess
import sys

import pytest

OVERFIT = "epoch,loss,val_loss\n" + "".join(
    f"{e},{0.7 * 0.85 ** e + 0.01:.4f},{(0.72 * 0.8 ** e + 0.35 + 0.012 * max(e - 10, 0)):.4f}\n"
    for e in range(40)
)


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "fitdoctor.cli", *args], input=stdin,
                          capture_output=True, text=True)


def one_error_line(r) -> str:
    """The single stderr line of a failed command (asserting exit 2 and no traceback)."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert len(lines[0]) < 400, lines[0][:400]
    return lines[0]


@pytest.fixture
def overfit_log(tmp_path):
    p = tmp_path / "training.log"
    p.write_text(OVERFIT)
    return p


@pytest.mark.parametrize("args,needles", [
    (["--bogus"], ["no such option: --bogus", "--version"]),
    (["nosuchcommand"], ["no such command: nosuchcommand", "diagnose"]),
    (["diagnos"], ["no such command: diagnos", "did you mean diagnose?"]),
    (["diagnose"], ["missing argument", "path", "log file"]),
    (["diagnose", "LOG", "--nope"], ["no such option: --nope", "--json", "--mute"]),
    (["diagnose", "LOG", "--jsn"], ["no such option: --jsn", "did you mean --json?"]),
    (["diagnose", "LOG", "--mute"], ["--mute", "requires an argument"]),
    (["diagnose", "LOG", "extra"], ["unexpected extra argument", "extra"]),
])
def test_usage_error_is_one_line_exit_2(overfit_log, args, needles):
    args = [str(overfit_log) if a == "LOG" else a for a in args]
    r = run(*args)
    line = one_error_line(r)
    assert line.startswith("fitdoctor: error: ")
    for needle in needles:
        assert needle.lower() in line.lower(), line
    assert r.stdout == ""


def test_usage_errors_need_no_click_when_typer_does_not():
    """typer >= 0.2x vendors click (typer._click) and does not install it: fitdoctor must not
    import a package it does not declare just to report a usage error."""
    code = (
        "import sys, typer\n"
        "if 'click' not in sys.modules:\n"
        "    sys.modules['click'] = None  # import click now fails, as where it is not installed\n"
        "sys.argv = ['fitdoctor', 'diagnose', 'x.csv', '--bogus']\n"
        "from fitdoctor.cli import main\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "no such option: --bogus" in one_error_line(r)


def test_bare_command_prints_the_help():
    r = run()
    assert r.returncode in (0, 2)  # click < 8.2 exits 0 after the help, newer click 2
    assert "Traceback" not in r.stderr
    assert "diagnose" in r.stdout


def test_user_errors_share_the_prefix(tmp_path):
    line = one_error_line(run("diagnose", str(tmp_path / "missing.csv")))
    assert line.startswith("fitdoctor: error: ") and "missing.csv" in line
