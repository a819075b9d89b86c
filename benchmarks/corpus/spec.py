"""What one corpus run is: the planted settings, and what training it produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Spec:
    """One planned run. ``intent`` is the code the plant aims at; the oracle decides the label."""

    id: str
    intent: str
    fw: str  # torch | keras
    dataset: str
    #: keras-csv | keras-json | tb-scalar | tb-scalars | csv | jsonl | lightning | hf | mlflow
    #: | keras-console2 | keras-console1 | notebook
    fmt: str
    plant: str
    seed: int = 0
    hidden: tuple[int, ...] = (32,)
    act: str = "relu"
    dropout: float = 0.0
    opt: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    wd: float = 0.0  # torch weight decay / keras L2 factor
    batch: int = 32
    epochs: int = 30
    #: continuation for the oracle: train this many times ``epochs`` more, unlogged
    extend: float = 2.0
    schedule: tuple | None = None  # ("exp", gamma) per epoch | ("step", every, gamma)
    clip: float | None = None
    #: binary loss written by hand as -(y log p + (1-y) log(1-p)) on sigmoid outputs (log(0) bug)
    naive_loss: bool = False
    patience: int | None = None  # early stopping on val_loss (restore best weights)
    fault: dict[str, Any] = field(default_factory=dict)
    #: reference run for the oracle: overrides applied to a copy of this spec
    ref: dict[str, Any] | None = None
    #: forced split (runs added after the first score are all "tune", step-logged format runs
    #: "formats"); None = the stratified rule
    split: str | None = None


@dataclass
class Result:
    """Per-epoch numbers of the whole run; the first ``n_logged`` epochs are what the log holds."""

    hist: dict[str, list[float]]
    n_logged: int
    #: facts about the model at the end of the logged part (oracle only)
    final: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def logged(self) -> dict[str, list[float]]:
        return {k: v[: self.n_logged] for k, v in self.hist.items()}

    def continuation(self, key: str) -> list[float]:
        return self.hist.get(key, [])[self.n_logged:]
