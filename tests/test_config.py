"""Run config: defaults from DESIGN.md, one-line errors that name key, value and fix."""

from __future__ import annotations

import pytest
import yaml

from fitdoctor.config import (
    EarlyStoppingConfig, RunConfig, apply_changes, dump_config, load_config, valid_keys,
)
from fitdoctor.errors import BadInput

DESIGN_YAML = """
data:
  source: sklearn:breast_cancer      # sklearn:<name> | path.csv | path.npz | path.parquet
  target: label                      # column name for tables
  task: auto                         # auto | binary | multiclass | regression
  scale: standard                    # standard | minmax | none
  split: {method: holdout, val: 0.2, test: 0.2, stratify: true, shuffle: true, seed: 0}
model:
  hidden: [64, 32]
  activation: relu
  dropout_rate: 0.3
  batch_norm: false
  residual: false
  init: default
  l1: 0.0
  l2: 0.0
train:
  optimizer: adam
  lr: 0.001
  schedule: none
  batch_size: 32
  epochs: 100
  early_stopping: {patience: 5, min_delta: 0.0, restore_best: true}   # or false
  class_weight: none
  resample: none
  grad_clip: null
  seed: 0
"""

MINIMAL = {"data": {"source": "sklearn:iris"}}


def test_design_example_loads(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(DESIGN_YAML)
    cfg = load_config(p)
    assert cfg.data.source == "sklearn:breast_cancer"
    assert cfg.data.split.method == "holdout" and cfg.data.split.val == 0.2
    assert cfg.model.hidden == [64, 32]
    assert cfg.train.early_stopping == EarlyStoppingConfig(patience=5, min_delta=0.0, restore_best=True)
    assert cfg.train.grad_clip is None


def test_defaults_match_design():
    cfg = load_config(MINIMAL)
    assert cfg.model.dropout_rate == 0.3
    assert cfg.model.hidden == [64, 32] and cfg.model.activation == "relu"
    assert cfg.train.optimizer == "adam" and cfg.train.lr == 0.001 and cfg.train.epochs == 100
    assert cfg.train.early_stopping.patience == 5
    s = cfg.data.split
    assert (s.method, s.val, s.test, s.k, s.repeats, s.stratify, s.shuffle, s.seed) == (
        "holdout", 0.2, 0.2, 5, 1, True, True, 0)
    assert cfg.data.scale == "standard" and cfg.data.task == "auto"


@pytest.mark.parametrize("raw, expected", [
    ({"data": {"source": "x"}, "model": {"hiden": [3]}}, "unknown key 'model.hiden' (did you mean 'hidden'?)"),
    ({"data": {"source": "x"}, "trian": {}}, "unknown key 'trian' (did you mean 'train'?)"),
    ({"data": {"source": "x", "split": {"seeed": 1}}}, "unknown key 'data.split.seeed' (did you mean 'seed'?)"),
    ({"data": {"source": "x"}, "train": {"early_stopping": {"patiense": 2}}},
     "unknown key 'train.early_stopping.patiense' (did you mean 'patience'?)"),
])
def test_unknown_key_suggests_closest(raw, expected):
    with pytest.raises(BadInput) as e:
        load_config(raw)
    assert expected in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("raw, key, value, allowed", [
    ({"model": {"dropout_rate": "high"}}, "model.dropout_rate", "'high'", "number"),
    ({"model": {"dropout_rate": 1.5}}, "model.dropout_rate", "1.5", "less than 1"),
    ({"model": {"activation": "rellu"}}, "model.activation", "'rellu'", "did you mean 'relu'"),
    ({"train": {"optimizer": "adamm"}}, "train.optimizer", "'adamm'", "'adamw'"),
    ({"train": {"lr": -1}}, "train.lr", "-1", "greater than 0"),
    ({"train": {"lr": float("inf")}}, "train.lr", "inf", "finite number"),
    ({"model": {"l2": float("inf")}}, "model.l2", "inf", "finite number"),
    ({"train": {"batch_size": 2.5}}, "train.batch_size", "2.5", "integer"),
    ({"train": {"early_stopping": "yes"}}, "train.early_stopping", "'yes'", "false, true or a mapping"),
    ({"model": {"hidden": [64, -1]}}, "model.hidden", "[64, -1]", "positive layer sizes"),
    ({"data": {"split": {"method": "loo"}}}, "data.split.method", "'loo'", "'holdout' or 'kfold'"),
])
def test_wrong_type_names_key_value_and_allowed(raw, key, value, allowed):
    raw = {**raw, "data": {"source": "x", **raw.get("data", {})}}
    with pytest.raises(BadInput) as e:
        load_config(raw)
    msg = str(e.value)
    assert key in msg and value in msg and allowed in msg, msg
    assert "\n" not in msg


def test_missing_source_and_split_fractions():
    with pytest.raises(BadInput, match="data is missing"):
        load_config({"model": {}})
    with pytest.raises(BadInput, match="data.source is missing"):
        load_config({"data": {}})
    with pytest.raises(BadInput, match="leaves no training rows"):
        load_config({"data": {"source": "x", "split": {"val": 0.5, "test": 0.5}}})


def test_model_structure_alias_top_level_and_in_model():
    assert load_config({**MINIMAL, "model_structure": [8, 4]}).model.hidden == [8, 4]
    assert load_config({**MINIMAL, "model": {"model_structure": [16]}}).model.hidden == [16]
    with pytest.raises(BadInput, match="both given"):
        load_config({**MINIMAL, "model_structure": [8], "model": {"hidden": [4]}})


def test_early_stopping_false_true_and_none_strings():
    cfg = load_config({**MINIMAL, "train": {"early_stopping": False, "schedule": None}})
    assert cfg.train.early_stopping is False and cfg.train.schedule == "none"
    assert load_config({**MINIMAL, "train": {"early_stopping": True}}).train.early_stopping.patience == 5


def test_yaml_reads_1e_minus_3_as_number(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("data: {source: sklearn:iris}\ntrain: {lr: 1e-3}\n")  # YAML 1.1 parses this as text
    assert load_config(p).train.lr == pytest.approx(1e-3)


def test_file_errors_are_one_line(tmp_path):
    with pytest.raises(BadInput, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("data:\n  source: [unclosed\n")
    with pytest.raises(BadInput, match="not valid YAML at line"):
        load_config(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n- 2\n")
    with pytest.raises(BadInput, match="expected a mapping"):
        load_config(lst)
    typo = tmp_path / "typo.yaml"
    typo.write_text("data: {source: x}\nmodel: {hiden: [3]}\n")
    with pytest.raises(BadInput, match=r"^typo.yaml: invalid config: unknown key 'model.hiden'"):
        load_config(typo)


def test_dump_roundtrip_atomic(tmp_path):
    cfg = load_config({**MINIMAL, "model_structure": [8], "train": {"early_stopping": False, "lr": 0.01}})
    out = dump_config(cfg, tmp_path / "run" / "config.yaml")
    assert [p.name for p in out.parent.iterdir()] == ["config.yaml"]  # no temp file left behind
    raw = yaml.safe_load(out.read_text())
    assert raw["model"]["hidden"] == [8] and "model_structure" not in raw["model"]
    assert load_config(out) == cfg


def test_a_written_config_reads_like_one_a_person_wrote(tmp_path):
    """One key a line, lists of values inline, nothing past 80 columns: the prescription a user
    opens and edits (a section of plain values had come out as one 100-character flow line)."""
    cfg = load_config({"data": {"source": "make_classification:n_samples=160,n_features=4,n_informative=2,seed=1"},
                       "model": {"hidden": [64, 32]},
                       "train": {"early_stopping": {"patience": 5, "restore_best": True}}})
    text = dump_config(cfg, tmp_path / "config.yaml").read_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "{" not in text and "  hidden: [64, 32]" in text.splitlines()
    assert "  optimizer: adam" in text.splitlines() and "    patience: 5" in text.splitlines()
    assert load_config(tmp_path / "config.yaml") == cfg


def test_apply_changes_validates_and_copies():
    cfg = load_config(MINIMAL)
    new = apply_changes(cfg, {"train.lr": 1e-4, "model.dropout_rate": 0.5, "data.split.method": "kfold"})
    assert (new.train.lr, new.model.dropout_rate, new.data.split.method) == (1e-4, 0.5, "kfold")
    assert cfg.train.lr == 0.001  # original untouched
    assert apply_changes(cfg, {"model_structure": [5]}).model.hidden == [5]
    off = apply_changes(cfg, {"train.early_stopping": False})
    assert off.train.early_stopping is False
    on = apply_changes(off, {"train.early_stopping.patience": 3})
    assert on.train.early_stopping.patience == 3 and on.train.early_stopping.restore_best
    with pytest.raises(BadInput, match=r"unknown key 'train.lrr' \(did you mean 'lr'\?\)"):
        apply_changes(cfg, {"train.lrr": 1})
    with pytest.raises(BadInput, match="model.dropout_rate"):
        apply_changes(cfg, {"model.dropout_rate": 2})
    with pytest.raises(BadInput, match="is a value, not a section"):
        apply_changes(cfg, {"train.lr.x": 1})


def test_valid_keys_cover_every_leaf():
    keys = valid_keys()
    assert "train.early_stopping.patience" in keys and "data.split.k" in keys and "model.l2" in keys
    cfg = load_config(MINIMAL)
    for k in keys:  # every listed key can be set to its own current value
        node = cfg
        for part in k.split("."):
            node = getattr(node, part)
        apply_changes(cfg, {k: node.model_dump() if hasattr(node, "model_dump") else node})


def test_runconfig_is_a_pydantic_model():
    cfg = RunConfig(data={"source": "sklearn:wine"})
    assert cfg.model.dropout_rate == 0.3


@pytest.mark.parametrize("section, key, value", [
    ("train", "epochs", True), ("train", "lr", True), ("data.split", "k", False),
])
def test_yaml_booleans_are_not_numbers(section, key, value):
    raw = {"data": {"source": "x"}}
    if section == "data.split":
        raw["data"]["split"] = {key: value}
    else:
        raw[section] = {key: value}
    with pytest.raises(BadInput, match=rf"{section}.{key}: got {value}; expected a number, not true/false"):
        load_config(raw)


def test_forgiving_spellings_of_nothing_and_lists():
    cfg = load_config({**MINIMAL, "train": {"grad_clip": "none", "class_weight": None},
                       "model": {"hidden": "128, 64"}})
    assert cfg.train.grad_clip is None and cfg.train.class_weight == "none" and cfg.model.hidden == [128, 64]
    assert load_config({**MINIMAL, "model": {"hidden": []}}).model.hidden == []  # a linear model


def test_every_config_key_is_documented():
    """docs/config.md is the user's reference (`train --help` points at it): no key missing."""
    from pathlib import Path

    from fitdoctor.config import (DataConfig, EarlyStoppingConfig, ModelConfig, SplitConfig,
                                  TrainConfig)

    doc = (Path(__file__).resolve().parents[1] / "docs" / "config.md").read_text()
    sections = {"data": DataConfig, "data.split": SplitConfig, "model": ModelConfig,
                "train": TrainConfig, "train.early_stopping": EarlyStoppingConfig}
    missing = [f"{prefix}.{name}" for prefix, model in sections.items()
               for name in model.model_fields if name != "split" and f"`{prefix}.{name}`" not in doc]
    assert not missing, missing


def test_a_relative_data_file_next_to_the_config_is_found_from_any_directory(tmp_path, monkeypatch):
    """``data.source: rows.csv`` in ``proj/run.yaml`` reads ``proj/rows.csv`` when the working
    directory has no such file; a file in the working directory still wins, as before."""
    from fitdoctor.config import load_config

    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "rows.csv").write_text("a,b,y\n1,2,0\n3,4,1\n")
    (proj / "run.yaml").write_text("data: {source: rows.csv, target: y}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(proj / "run.yaml").data.source == str(proj / "rows.csv")
    (elsewhere / "rows.csv").write_text("a,b,y\n1,2,0\n")
    assert load_config(proj / "run.yaml").data.source == "rows.csv"
    (proj / "named.yaml").write_text("data: {source: 'sklearn:iris'}\n")
    assert load_config(proj / "named.yaml").data.source == "sklearn:iris"
