"""Feature scaling fitted on the training rows only, so validation and test never leak into it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fitdoctor.errors import BadInput

SCALERS = ("standard", "minmax", "none")


@dataclass
class Scaler:
    """``(X - center) / scale`` per column; constant columns get scale 1 (they become 0, not NaN)."""

    kind: str
    center: np.ndarray
    scale: np.ndarray

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if self.kind == "none":
            return X
        if X.ndim != 2 or X.shape[1] != self.center.size:
            raise BadInput(f"scaler was fitted on {self.center.size} features; got an array of shape {X.shape}")
        return ((X - self.center) / self.scale).astype(np.float32)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        return X if self.kind == "none" else (X * self.scale + self.center).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "center": self.center.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Scaler":
        return cls(d["kind"], np.asarray(d["center"], dtype=np.float32), np.asarray(d["scale"], dtype=np.float32))


def fit_scaler(X_train: np.ndarray, kind: str = "standard") -> Scaler:
    """Fit ``standard`` (mean/std), ``minmax`` (to [0, 1]) or ``none`` on the training rows.

    NaN entries are ignored while fitting (and stay NaN after transform).
    """
    if kind not in SCALERS:
        raise BadInput(f"scale {kind!r}: expected one of {', '.join(SCALERS)}")
    X = np.asarray(X_train, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise BadInput(f"cannot fit a scaler on an array of shape {X.shape}; expected rows x features")
    d = X.shape[1]
    if kind == "none":
        return Scaler(kind, np.zeros(d, np.float32), np.ones(d, np.float32))
    X = np.where(np.isfinite(X), X, np.nan)
    with np.errstate(all="ignore"), _quiet():
        if kind == "standard":
            center = np.nanmean(X, axis=0)
            scale = np.nanstd(X, axis=0)
        else:
            center = np.nanmin(X, axis=0)
            scale = np.nanmax(X, axis=0) - center
    center = np.nan_to_num(center, nan=0.0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return Scaler(kind, center.astype(np.float32), scale.astype(np.float32))


class _quiet:
    """Silence numpy's all-NaN-column RuntimeWarnings while fitting."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
