"""Train/val/test splits: holdout (default 6:2:2) and (repeated) k-fold via scikit-learn.

The test rows are carved out first, with the same seed, so they are identical across
every fold and repeat: selection happens on val (or across folds), test is touched once.
Stratified for classification when ``stratify`` is set (and ``shuffle``: an unshuffled
split keeps the file's order, which is exactly what ``check-data`` warns about).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from fitdoctor.errors import BadInput, require


@dataclass(frozen=True)
class Split:
    """Row indices (sorted, int64) of one train/val/test division; ``fold``/``repeat`` for k-fold."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    fold: int = 0
    repeat: int = 0

    @property
    def name(self) -> str:
        return f"repeat {self.repeat} fold {self.fold}" if (self.fold or self.repeat) else "holdout"

    def sizes(self) -> dict[str, int]:
        return {"train": int(self.train.size), "val": int(self.val.size), "test": int(self.test.size)}

    def to_dict(self) -> dict[str, Any]:
        return {"fold": self.fold, "repeat": self.repeat, **self.sizes()}


def _ix(a: np.ndarray) -> np.ndarray:
    return np.sort(np.asarray(a, dtype=np.int64))


def keras_validation_split(n: int, validation_split: float) -> tuple[np.ndarray, np.ndarray]:
    """The rows Keras ``fit(validation_split=f)`` uses: the LAST ``n - floor(n*(1-f))`` rows, unshuffled.

    (keras/src/trainers/data_adapters/array_slicing.py: ``split_at = floor(n * (1 - f))``.)
    """
    if not 0.0 < validation_split < 1.0:
        raise BadInput(f"validation split {validation_split!r}: expected a fraction between 0 and 1")
    split_at = int(math.floor(n * (1.0 - validation_split)))
    idx = np.arange(n, dtype=np.int64)
    return idx[:split_at], idx[split_at:]


def _stratify_labels(ds: Any, cfg: Any) -> np.ndarray | None:
    if cfg.stratify and cfg.shuffle and ds.task != "regression":
        return ds.y
    return None


def _carve(idx: np.ndarray, frac: float, labels: np.ndarray | None, shuffle: bool, seed: int,
           what: str, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Split ``idx`` into (rest, carved) with ``frac`` of the rows carved out."""
    if frac <= 0:
        return idx, idx[:0]
    n_carve = int(math.ceil(len(idx) * frac))
    if n_carve < 1 or n_carve >= len(idx):
        raise BadInput(f"{source}: {len(idx)} rows cannot give a {what} split of {frac:g}; "
                       "use more data or a different fraction")
    ms = require("sklearn.model_selection", "train", "data splits")
    try:
        rest, carved = ms.train_test_split(idx, test_size=frac, shuffle=shuffle,
                                           random_state=seed if shuffle else None,
                                           stratify=labels[idx] if labels is not None else None)
    except ValueError as exc:
        raise BadInput(f"{source}: cannot make a stratified {what} split of {frac:g} "
                       f"({str(exc).splitlines()[0]}); set data.split.stratify: false or use more data") from None
    return rest, carved


def make_splits(ds: Any, split_cfg: Any = None) -> list[Split]:
    """Holdout: one Split. k-fold: ``k * repeats`` Splits sharing one test set.

    ``split_cfg`` is a :class:`~fitdoctor.config.SplitConfig` (or a mapping of its fields).
    """
    from fitdoctor.config import SplitConfig

    if split_cfg is None:
        cfg = SplitConfig()
    elif isinstance(split_cfg, SplitConfig):
        cfg = split_cfg
    else:
        from pydantic import ValidationError

        try:
            cfg = SplitConfig.model_validate(dict(split_cfg))
        except ValidationError as exc:
            from fitdoctor.config import _error_line

            raise BadInput(_error_line(exc).replace("invalid config: ", "invalid split: ")) from None
    n = ds.n_samples
    labels = _stratify_labels(ds, cfg)
    idx = np.arange(n, dtype=np.int64)
    rest, test = _carve(idx, cfg.test, labels, cfg.shuffle, cfg.seed, "test", ds.source)
    if cfg.method == "holdout":
        val_frac = cfg.val / (1.0 - cfg.test)
        train, val = _carve(rest, val_frac, labels, cfg.shuffle, cfg.seed, "validation", ds.source)
        return [Split(_ix(train), _ix(val), _ix(test))]
    return _kfold(ds, cfg, rest, test, labels)


def _kfold(ds: Any, cfg: Any, rest: np.ndarray, test: np.ndarray, labels: np.ndarray | None) -> list[Split]:
    ms = require("sklearn.model_selection", "train", "k-fold splits")
    if len(rest) < cfg.k:
        raise BadInput(f"{ds.source}: {len(rest)} rows outside the test split cannot make {cfg.k} folds")
    if cfg.shuffle:
        cls = ms.RepeatedStratifiedKFold if labels is not None else ms.RepeatedKFold
        splitter = cls(n_splits=cfg.k, n_repeats=cfg.repeats, random_state=cfg.seed)
    else:
        splitter = ms.KFold(n_splits=cfg.k, shuffle=False)
    out: list[Split] = []
    try:
        parts = list(splitter.split(rest, labels[rest] if labels is not None else None))
    except ValueError as exc:
        raise BadInput(f"{ds.source}: cannot make {cfg.k} stratified folds "
                       f"({str(exc).splitlines()[0]}); lower data.split.k or set stratify: false") from None
    if labels is not None:
        counts = np.bincount(labels[rest])
        if counts[counts > 0].min() < cfg.k:
            raise BadInput(f"{ds.source}: the smallest class has {int(counts[counts > 0].min())} rows "
                           f"outside the test split, fewer than k={cfg.k} folds; lower data.split.k")
    for i, (tr, va) in enumerate(parts):
        out.append(Split(_ix(rest[tr]), _ix(rest[va]), _ix(test), fold=i % cfg.k, repeat=i // cfg.k))
    return out
