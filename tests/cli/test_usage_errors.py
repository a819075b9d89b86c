"""Usage errors and malformed input as a user meets them: one line on stderr naming the bad
value and what was expected, exit code 2, never a traceback."""

import json
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
    assert len(lines[0]) < 1000, lines[0][:1000]
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


def _write(tmp_path, kind):
    p = tmp_path / "run.csv"
    if kind == "empty":
        p.write_text("")
    elif kind == "header_only":
        p.write_text("epoch,loss,val_loss\n")
    elif kind == "binary":
        p.write_bytes(bytes(range(256)) * 16)
    elif kind == "unclosed_quote":
        p.write_text('epoch,loss,val_loss\n0,0.5,0.6\n1,"0.4,0.5\n2,0.3,0.4\n')
    elif kind == "no_logs_dir":
        p = tmp_path / "folder"
        p.mkdir()
        (p / "README.txt").write_text("nothing to see\n")
    elif kind == "missing":
        p = tmp_path / "nope.csv"
    return p


@pytest.mark.parametrize("kind,needle", [
    ("empty", "empty"),
    ("header_only", "header only"),
    ("binary", "unknown log format"),
    ("unclosed_quote", "never closed"),
    ("no_logs_dir", "no training logs"),
    ("missing", "no such file"),
])
def test_malformed_input_is_one_line_exit_2(tmp_path, kind, needle):
    p = _write(tmp_path, kind)
    line = one_error_line(run("diagnose", str(p)))
    assert needle in line and p.name in line


def test_a_folder_given_to_a_file_format_is_one_line(tmp_path):
    line = one_error_line(run("diagnose", str(tmp_path), "--format", "json"))
    assert tmp_path.name in line and "folder" in line


@pytest.mark.parametrize("body,code", [
    (OVERFIT + "40,0.0", "overfitting"),  # truncated last line: dropped with a note
    (OVERFIT.splitlines()[0] + "\n" + "".join(f"{e},{0.7 * 0.9 ** e:.4f},nan\n" for e in range(10)), "non_finite"),
    (OVERFIT + "40," + "x" * 5_000_000 + ",0.7\n", "overfitting"),  # a 5 MB cell
])
def test_odd_but_readable_logs_are_diagnosed(tmp_path, body, code):
    p = tmp_path / "run.csv"
    p.write_text(body)
    r = run("diagnose", str(p), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["findings"][0]["code"] == code


@pytest.mark.parametrize("option,needle", [
    (["--judge-on", "maybe"], "judge-on 'maybe': expected auto, seeds or folds"),
    (["--budget-minutes", "0"], "budget-minutes 0: expected a positive number of minutes"),
    (["--budget-minutes", "nan"], "budget-minutes nan: expected a positive number of minutes"),
    (["--min-effect", "-1"], "min-effect -1: expected a gain of 0 or more"),
    (["--try", "model.hiden=x2"], "model.hiden: unknown config key (did you mean 'model.hidden'?)"),
    (["--try", "data.split.seed=3"], "data.split.seed: not changed by a remedy"),
])
def test_doctor_refuses_a_bad_option_before_it_prints_or_trains_anything(tmp_path, option, needle):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("data: {source: 'sklearn:iris'}\ntrain: {epochs: 2}\n")
    r = run("doctor", str(cfg), "--out", str(tmp_path / "dr"), *option)
    assert needle in one_error_line(r)
    assert r.stdout == "" and not (tmp_path / "dr").exists()


@pytest.mark.parametrize("command", ["train", "doctor", "learning-curve", "lr-find", "tune"])
def test_out_naming_a_file_is_refused_before_any_training(tmp_path, command):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("data: {source: 'sklearn:iris'}\ntrain: {epochs: 2}\n")
    taken = tmp_path / "notes.csv"
    taken.write_text("keep me\n")
    r = run(command, str(cfg), "--out", str(taken))
    assert "is a file; expected a folder" in one_error_line(r)
    assert r.stdout == "" and taken.read_text() == "keep me\n"


def test_unreadable_standard_input_is_named_as_such():
    r = run("diagnose", "-", stdin="nothing a training loop would print\nat all\n")
    line = one_error_line(r)
    assert line.startswith("fitdoctor: error: standard input: unknown log format") and "/tmp" not in line


def test_a_baseline_that_is_not_a_finite_number_is_refused(overfit_log, tmp_path):
    out = tmp_path / "r.html"
    r = run("report", str(overfit_log), "--baseline", "accuracy=nan", "-o", str(out))
    assert "with a finite number" in one_error_line(r) and not out.exists()
