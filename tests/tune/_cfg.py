"""Tiny tune configs: generated data, 2-3 epochs, few trials (each trial well under a second)."""

from __future__ import annotations

import copy

SPACE = {"params": {"train.lr": {"low": 1e-3, "high": 0.1, "log": True},
                    "model.width": {"low": 4, "high": 16},
                    "model.dropout_rate": [0.0, 0.2]},
         "pruning": {"startup_trials": 2, "warmup_epochs": 1}}

KFOLD = {"data": {"source": "make_moons:n_samples=160,noise=0.25",
                  "split": {"method": "kfold", "k": 3, "test": 0.2, "seed": 0}},
         "model": {"hidden": [8]},
         "train": {"epochs": 3, "batch_size": 32, "early_stopping": {"patience": 2}},
         "search": SPACE}

HOLDOUT = {"data": {"source": "make_moons:n_samples=160,noise=0.25",
                    "split": {"method": "holdout", "val": 0.25, "test": 0.2, "seed": 0}},
           "model": {"hidden": [8]},
           "train": {"epochs": 3, "batch_size": 32},
           "search": {**SPACE, "seeds": 2}}


def cfg(base: dict, **search) -> dict:
    out = copy.deepcopy(base)
    out["search"].update(search)
    return out


def write(tmp_path, base: dict, name: str = "tiny.yaml", **search) -> str:
    import yaml

    path = tmp_path / name
    path.write_text(yaml.safe_dump(cfg(base, **search), sort_keys=False))
    return str(path)
