"""``fitdoctor config`` and --help as a pip-installed user meets them: every key with its
default printed (no docs folder needed), a starter config that trains, the shipped
examples, and help that shows flags as flags."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fitdoctor.cli import app
from fitdoctor.config import load_config, valid_keys

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args, columns=100):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


def test_config_lists_every_key_with_its_default():
    r = invoke("config")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    for key in valid_keys():
        assert any(line.startswith(key + " ") for line in lines), key
    lr = next(line for line in lines if line.startswith("train.lr "))
    assert "0.001" in lr and "learning rate" in lr
    assert "fitdoctor config --init" in r.output


def test_config_fits_80_columns():
    r = invoke("config", columns=80)
    assert max(len(line) for line in r.output.splitlines()) <= 80


def test_init_writes_a_starter_config_that_loads_with_every_default(tmp_path):
    target = tmp_path / "my.yaml"
    r = invoke("config", "--init", str(target))
    assert r.exit_code == 0, r.output and f"fitdoctor train {target}" in r.output
    text = target.read_text()
    cfg = load_config(target)
    assert cfg.data.source == "sklearn:breast_cancer" and cfg.train.lr == 0.001 and cfg.model.hidden == [64, 32]
    assert cfg == load_config({"data": {"source": "sklearn:breast_cancer"}})  # every key at its default
    assert "# learning rate" in text and max(len(line) for line in text.splitlines()) <= 100
    again = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "config", "--init", str(target)],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "--force" in again.stderr
    assert invoke("config", "--init", str(target), "--force").exit_code == 0


def test_examples_are_listed_and_written_with_their_data_resolved(tmp_path):
    r = invoke("config", "--examples")
    assert r.exit_code == 0 and "breast_cancer" in r.output and "demo_stuck" in r.output
    listed = [line.split()[-1] for line in r.output.splitlines() if line.strip().endswith(".yaml")]
    assert listed and all(Path(p).is_file() for p in listed)
    target = tmp_path / "stuck.yaml"
    assert invoke("config", "--init", str(target), "--example", "demo_stuck").exit_code == 0
    cfg = load_config(target)
    assert Path(cfg.data.source).is_file()  # pump_failures.csv, where the package keeps it
    r = invoke("config", "--example", "breast_cancr")
    assert r.exit_code != 0


def test_docs_config_md_is_what_the_package_prints():
    r = invoke("config", "--markdown")
    doc = (ROOT / "docs" / "config.md").read_text()
    assert r.output.strip() in doc


def test_help_shows_flags_as_flags_and_arguments_in_capitals():
    for cmd in (["diagnose"], ["train"], ["report"], ["check-data"], ["demo"], ["config"]):
        r = invoke(*cmd, "--help", columns=120)
        assert r.exit_code == 0, r.output
        assert "<bool>" not in r.output, cmd
        assert "{" not in r.output.split("Usage:")[1].splitlines()[0], cmd
    usage = invoke("diagnose", "--help").output.split("Usage:")[1].splitlines()[0]
    assert usage.split() == ["fitdoctor", "diagnose", "[OPTIONS]", "PATH"]


def test_train_help_points_at_what_ships():
    out = invoke("train", "--help", columns=120).output
    assert "docs/config.md" not in out
    assert "fitdoctor config --init" in out and "fitdoctor config --examples" in out


@pytest.mark.parametrize("arg,expected", [
    ("dir", "is a directory, not a YAML run config file"),
    ("rundir", "the run config inside it is"),
    ("missing.yaml", "not found"),
])
def test_train_on_a_directory_or_a_missing_file_says_what_it_is(tmp_path, arg, expected):
    (tmp_path / "dir").mkdir()
    (tmp_path / "rundir").mkdir()
    (tmp_path / "rundir" / "config.yaml").write_text("data: {source: sklearn:iris}\n")
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "train", str(tmp_path / arg) + "/"
                        if arg != "missing.yaml" else str(tmp_path / arg)], capture_output=True, text=True)
    assert r.returncode == 2 and expected in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("section,key,suggested", [
    ("train", "learning_rate", "did you mean 'lr'?"),
    ("train", "num_epochs", "did you mean 'epochs'?"),
    ("model", "dropout", "did you mean 'dropout_rate'?"),
    ("train", "weight_decay", "did you mean 'model.l2'?"),
    ("data", "test_size", "did you mean 'data.split.test'?"),
])
def test_other_tools_names_for_a_setting_suggest_ours(section, key, suggested):
    from fitdoctor.errors import BadInput

    raw = {"data": {"source": "sklearn:iris"}}
    raw.setdefault(section, {})
    raw[section] = {**raw.get(section, {}), key: 1}
    with pytest.raises(BadInput, match=f"unknown key '{section}.{key}' \\({suggested.replace('?', '.')}\\)"):
        load_config(yaml.safe_load(yaml.safe_dump(raw)))


@pytest.mark.parametrize("cmd", ["diagnose", "train", "check-data", "report", "demo", "config", "doctor",
                                 "lr-find", "learning-curve", "tune", "watch"])
def test_help_examples_fit_an_80_column_terminal(cmd):
    """An example command line in --help is never broken in two at 80 columns (a wrapped
    comment reads as a command of its own)."""
    out = invoke(cmd, "--help", columns=80).output.splitlines()
    for prev, line in zip(out, out[1:]):
        text = line.strip()
        if prev.lstrip().startswith(("fitdoctor ", "python ")) and line.startswith(" ") and line[1:2] != " " \
                and text and text[0] not in "╭│╰#" and not text.startswith(("fitdoctor ", "python ")):
            raise AssertionError(f"{cmd} --help wraps an example at 80 columns:\n{prev}\n{line}")
    # nor is an option's help cut short with an ellipsis (a long unbreakable word in a narrow
    # column: 'fitdoctor-runs/…', 'diagnose-and-fi…')
    cut = [line for line in out if "…" in line]
    assert not cut, f"{cmd} --help cuts text at 80 columns:\n" + "\n".join(cut)
