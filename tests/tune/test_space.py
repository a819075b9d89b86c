"""The search: section is validated like the rest of the config; the space applies to configs."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic", reason="the config needs the train extra")

from fitdoctor.config import load_config
from fitdoctor.errors import BadInput
from fitdoctor.tune.space import DEFAULT_PARAMS, apply_params, parse_search

BASE = {"data": {"source": "sklearn:iris"}}


def _load(search):
    return load_config({**BASE, "search": search})


@pytest.mark.parametrize("search, expected", [
    ({"params": {"train.learning_rate": {"low": 1e-4, "high": 0.1}}}, "did you mean 'train.lr'"),
    ({"params": {"model.widht": {"low": 8, "high": 64}}}, "did you mean 'model.width'"),
    ({"params": {"model.dropout": {"low": 0.0, "high": 0.5}}}, "did you mean 'model.dropout_rate'"),
    ({"trails": 5}, "did you mean 'trials'"),
    ({"pruning": {"percentil": 50}}, "did you mean 'percentile'"),
    ({"params": {"train.lr": {"low": 1e-4, "hgh": 0.1}}}, "did you mean 'high'"),
    ({"params": {"train.optimizer": ["adam", "adamm"]}}, "did you mean 'adam'"),
    ({"params": {"train.lr": {"low": 0, "high": 1, "log": True}}}, "log range needs low > 0"),
    ({"params": {"train.lr": {"low": 0.1, "high": 0.01}}}, "must be below high"),
    ({"params": {"model.dropout_rate": {"low": 0.0, "high": 1.5}}}, "model.dropout_rate"),
    ({"sampler": "tpee"}, "did you mean 'tpe'"),
    ({"params": {"data.split.seed": [0, 1]}}, "unknown key 'search.params.data.split.seed'"),
])
def test_bad_search_sections_name_the_key_and_the_nearest_valid_one(search, expected):
    with pytest.raises(BadInput, match="invalid config") as err:
        _load(search)
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_default_space_when_omitted():
    cfg = load_config(BASE)
    assert cfg.search is None
    space = parse_search(cfg.search)
    assert {p.key for p in space.params} == set(DEFAULT_PARAMS)
    lr = next(p for p in space.params if p.key == "train.lr")
    assert lr.kind == "float" and lr.log
    depth = next(p for p in space.params if p.key == "model.depth")
    assert depth.kind == "int" and (depth.low, depth.high) == (1, 3)


def test_kinds_are_read_from_the_spec():
    space = parse_search({"params": {"train.batch_size": [16, 64], "model.width": {"low": 8, "high": 64, "log": True},
                                     "model.dropout_rate": {"low": 0, "high": 0.5}, "train.epochs": 7}})
    kinds = {p.key: p.kind for p in space.params}
    assert kinds == {"train.batch_size": "categorical", "model.width": "int", "model.dropout_rate": "float",
                     "train.epochs": "fixed"}
    hidden = parse_search({"params": {"model.hidden": {"choices": [[32], [32, 16]]}}}).params[0]
    assert hidden.kind == "categorical" and hidden.choices == ([32], [32, 16])
    with pytest.raises(BadInput, match="keep one"):
        parse_search({"params": {"model.hidden": [[32]], "model.width": {"low": 8, "high": 64}}})


def test_width_and_depth_build_hidden():
    cfg = load_config({**BASE, "model": {"hidden": [64, 32]}})
    assert apply_params(cfg, {"model.width": 24, "model.depth": 3}).model.hidden == [24, 24, 24]
    assert apply_params(cfg, {"model.width": 10}).model.hidden == [10, 10]
    assert apply_params(cfg, {"model.depth": 1, "train.lr": 0.01}).model.hidden == [64]
    assert cfg.model.hidden == [64, 32]  # the base config is not touched


def test_grid_fits_the_budget():
    space = parse_search({"params": {"train.lr": {"low": 1e-4, "high": 1e-1, "log": True},
                                     "model.width": {"low": 8, "high": 64}, "train.optimizer": ["adam", "sgd"]}})
    pts = space.grid(18)
    assert 8 <= len(pts) <= 18
    lrs = sorted({p["train.lr"] for p in pts})
    assert lrs[0] == pytest.approx(1e-4) and lrs[-1] == pytest.approx(1e-1)
