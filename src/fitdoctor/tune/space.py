"""The search space of ``fitdoctor tune``: the config's ``search:`` section, validated.

    search:
      trials: 50                     # default for --trials
      sampler: tpe                   # tpe | random | grid
      seeds: 1                       # holdout: training seeds per trial (k-fold: the folds)
      pruning: {folds: true, epochs: true, fold_test: t, p_threshold: 0.1, percentile: 66, warmup_epochs: 5, startup_trials: 3}
      params:
        train.lr: {low: 1.0e-4, high: 0.1, log: true}      # float range (log-uniform)
        train.batch_size: [16, 32, 64, 128]                # choices
        train.optimizer: [adam, adamw, momentum, rmsprop]
        model.width: {low: 16, high: 256, log: true}       # int range: hidden = [width] * depth
        model.depth: {low: 1, high: 3}
        model.dropout_rate: {low: 0.0, high: 0.5}
        model.l2: {low: 1.0e-6, high: 1.0e-2, log: true}

A parameter is any leaf key of the run config (``fitdoctor config``) plus ``model.width``
and ``model.depth``, which build ``model.hidden``. A list is a set of choices; a mapping
is a range (``low``, ``high``, optional ``log``, ``step``, ``type: int|float``; ints on
both ends mean an int range) or ``{choices: [...]}``; a plain value pins the key. Every
bound and choice is checked against the config schema, so ``train.optimizer: [adam,
adamm]`` fails here, not in trial 17. Without ``params`` (or without a ``search:``
section) :data:`DEFAULT_PARAMS` is searched. No optuna import here: the config module
validates through this file.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from fitdoctor.errors import BadInput

#: Keys that are not config keys but build ``model.hidden`` = [width] * depth.
VIRTUAL = ("model.width", "model.depth")

#: The space searched when the config names none: what the practitioner asks about first.
DEFAULT_PARAMS: dict[str, Any] = {
    "train.lr": {"low": 1e-4, "high": 1e-1, "log": True},
    "train.batch_size": [16, 32, 64, 128],
    "train.optimizer": ["adam", "adamw", "momentum", "rmsprop"],
    "train.schedule": ["none", "cosine", "plateau"],
    "model.activation": ["relu", "gelu", "tanh", "leaky_relu"],
    "model.width": {"low": 16, "high": 256, "log": True},
    "model.depth": {"low": 1, "high": 3},
    "model.dropout_rate": {"low": 0.0, "high": 0.5},
    "model.l1": {"low": 1e-7, "high": 1e-3, "log": True},
    "model.l2": {"low": 1e-6, "high": 1e-2, "log": True},
}

SECTION_KEYS = ("params", "trials", "sampler", "seeds", "pruning", "seed")
PRUNING_KEYS = ("folds", "epochs", "fold_test", "p_threshold", "percentile", "warmup_epochs", "startup_trials")
SAMPLERS = ("tpe", "random", "grid")
_RANGE_KEYS = ("low", "high", "log", "step", "type")


@dataclass(frozen=True)
class Param:
    """One searched (or pinned) key."""

    key: str
    kind: str                                   # float | int | categorical | fixed
    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    step: float | int | None = None
    choices: tuple[Any, ...] = ()
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "categorical":
            return {"choices": list(self.choices)}
        if self.kind == "fixed":
            return {"value": self.value}
        out: dict[str, Any] = {"type": self.kind, "low": self.low, "high": self.high}
        if self.log:
            out["log"] = True
        if self.step is not None:
            out["step"] = self.step
        return out


@dataclass(frozen=True)
class Pruning:
    """Prune on both axes: across folds (paired Wilcoxon test against the best trial) and
    across epochs inside a fold (below the ``percentile`` of finished trials at that epoch)."""

    folds: bool = True
    epochs: bool = True
    #: the paired test across folds: ``wilcoxon`` (Optuna's WilcoxonPruner; with 5 folds it
    #: cannot reach p < 0.1 before the 4th) or ``t`` (a one-sided paired t-test from the 3rd
    #: fold on: more power on few folds, assuming roughly normal fold differences)
    fold_test: str = "t"
    p_threshold: float = 0.1
    #: Optuna's PercentilePruner: keep the top ``percentile`` of the finished trials at the same
    #: fold and epoch (66: prune the bottom third). The defaults (t, 66, warmup 5) were chosen by
    #: replaying seed-0 benchmark runs: the most fold-epochs saved with the winner unchanged on
    #: every dataset and at most 10% false prunes (benchmarks/bench_tune.py; seed 1 is reported)
    percentile: float = 66.0
    warmup_epochs: int = 5
    startup_trials: int = 3

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SearchSpace:
    """The validated ``search:`` section."""

    params: tuple[Param, ...]
    trials: int = 50
    sampler: str = "tpe"
    seeds: int = 1
    seed: int = 0
    pruning: Pruning = field(default_factory=Pruning)

    @property
    def searched(self) -> list[Param]:
        return [p for p in self.params if p.kind != "fixed"]

    def to_dict(self) -> dict[str, Any]:
        return {"params": {p.key: p.to_dict() for p in self.params}, "trials": self.trials,
                "sampler": self.sampler, "seeds": self.seeds, "seed": self.seed,
                "pruning": self.pruning.to_dict()}

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Draw one point with an Optuna trial (``trial.suggest_*``)."""
        out: dict[str, Any] = {}
        for p in self.params:
            if p.kind == "fixed":
                out[p.key] = p.value
            elif p.kind == "categorical":
                idx = [_encode(c) for c in p.choices]
                v = trial.suggest_categorical(p.key, idx)
                out[p.key] = p.choices[idx.index(v)]
            elif p.kind == "int":
                out[p.key] = trial.suggest_int(p.key, int(p.low), int(p.high), log=p.log,
                                               step=int(p.step or 1))
            else:
                out[p.key] = trial.suggest_float(p.key, float(p.low), float(p.high), log=p.log,
                                                 step=None if p.log else p.step)
        return out

    def distributions(self) -> dict[str, Any]:
        """The searched keys as Optuna distributions (what :meth:`suggest` draws from)."""
        import optuna.distributions as d

        out: dict[str, Any] = {}
        for p in self.searched:
            if p.kind == "categorical":
                out[p.key] = d.CategoricalDistribution([_encode(c) for c in p.choices])
            elif p.kind == "int":
                out[p.key] = d.IntDistribution(int(p.low), int(p.high), log=p.log, step=int(p.step or 1))
            else:
                out[p.key] = d.FloatDistribution(float(p.low), float(p.high), log=p.log,
                                                 step=None if p.log else p.step)
        return out

    def decode(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Optuna's stored params (choices as stored) -> config values."""
        out = dict(params)
        for p in self.params:
            if p.kind == "categorical" and p.key in out:
                idx = [_encode(c) for c in p.choices]
                if out[p.key] in idx:
                    out[p.key] = p.choices[idx.index(out[p.key])]
            if p.kind == "fixed":
                out[p.key] = p.value
        return out

    def grid(self, budget: int) -> list[dict[str, Any]]:
        """A full-factorial grid of at most ``budget`` points where it can be, as a
        practitioner lays one out: every choice of the categorical keys, then the first m
        ranges (in the order given) at L levels each, with m as large as 3^m still fits and
        L as large as L^m fits (log-spaced where ``log``); the other ranges sit at their
        middle."""
        import itertools

        import numpy as np

        cats = [p for p in self.searched if p.kind == "categorical"]
        ranges = [p for p in self.searched if p.kind in ("int", "float")]
        size = math.prod(len(p.choices) for p in cats) if cats else 1
        room = max(1, budget // size)
        m = 0
        while m < len(ranges) and 3 ** (m + 1) <= room:
            m += 1
        if m == 0 and ranges and room >= 2:
            m = 1
        L = int(math.floor(room ** (1.0 / m) + 1e-9)) if m else 1
        levels = {p.key: 1 for p in ranges}
        for p in ranges[:m]:
            cap = (int(p.high) - int(p.low) + 1) if p.kind == "int" else L
            levels[p.key] = max(1, min(L, cap))
        axes: list[list[Any]] = []
        for p in self.searched:
            if p.kind == "categorical":
                axes.append(list(p.choices))
                continue
            n = levels[p.key]
            if n == 1:
                vals = [math.sqrt(p.low * p.high) if p.log else (p.low + p.high) / 2]
            elif p.log:
                vals = list(np.geomspace(p.low, p.high, n))
            else:
                vals = list(np.linspace(p.low, p.high, n))
            if p.kind == "int":
                vals = sorted({int(round(v)) for v in vals})
            axes.append([float(v) if p.kind == "float" else v for v in vals])
        keys = [p.key for p in self.searched]
        points = [dict(zip(keys, combo)) for combo in itertools.product(*axes)]
        fixed = {p.key: p.value for p in self.params if p.kind == "fixed"}
        return [{**fixed, **pt} for pt in points]


def _encode(choice: Any) -> Any:
    """Optuna stores None, bool, int, float and str choices; a list (a ``model.hidden``
    choice) is stored as its string form."""
    if choice is None or isinstance(choice, (bool, int, float, str)):
        return choice
    return str(list(choice)) if isinstance(choice, (list, tuple)) else str(choice)


# ------------------------------------------------------------------- applying a point
def apply_params(cfg: Any, params: Mapping[str, Any]) -> Any:
    """A new RunConfig with the drawn values set (``model.width``/``model.depth`` build
    ``model.hidden``); ``cfg`` is not modified."""
    from fitdoctor.config import apply_changes

    changes = {k: v for k, v in params.items() if k not in VIRTUAL}
    if "model.width" in params or "model.depth" in params:
        base = list(cfg.model.hidden) or [64]
        width = int(params.get("model.width", base[0]))
        depth = int(params.get("model.depth", len(base)))
        changes["model.hidden"] = [width] * depth
    return apply_changes(cfg, changes) if changes else cfg


# ------------------------------------------------------------------- validation
def _param_keys() -> list[str]:
    from fitdoctor.config import valid_keys

    return [k for k in valid_keys() if k.count(".") >= 1 and not k.startswith("data.")] + list(VIRTUAL)


def _nearest(word: str, choices: list[str]) -> str:
    """' (did you mean ...?)' for an unknown parameter: other tools' names first
    (learning_rate -> train.lr), then the nearest spelling of the dotted key or its leaf."""
    try:
        from fitdoctor.config import SYNONYMS
    except ImportError:  # pragma: no cover - older config module
        SYNONYMS = {}
    leaf = word.rsplit(".", 1)[-1].strip().lower().replace("-", "_")
    alias = {"width": "model.width", "depth": "model.depth", "n_layers": "model.depth",
             "num_layers": "model.depth", "hidden_size": "model.width", "n_units": "model.width"}
    known = alias.get(leaf) or SYNONYMS.get(leaf)
    if known in choices:
        return f" (did you mean '{known}'?)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        by_leaf = {c.rsplit(".", 1)[-1]: c for c in choices}
        near = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)
        close = [by_leaf[near[0]]] if near else []
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (valid parameters: {', '.join(choices)})"


def _unknown(key: str, choices: list[str] | tuple[str, ...], where: str) -> str:
    return f"unknown key '{where}{key}'{_nearest(key, list(choices))}"


def _base_config() -> Any:
    from fitdoctor.config import RunConfig

    return RunConfig(data={"source": "sklearn:iris"})


def _check_value(key: str, value: Any) -> None:
    """Is ``value`` allowed for ``key``? The config schema answers (one BadInput line)."""
    if key in VIRTUAL:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1 or int(value) != value:
            raise BadInput(f"search.params.{key}: got {value!r}; expected a positive integer")
        return
    try:
        apply_params(_base_config(), {key: value})
    except BadInput as exc:
        msg = str(exc).removeprefix("invalid config: ")
        msg = msg[len(key) + 2:] if msg.startswith(f"{key}: ") else msg
        raise BadInput(f"search.params.{key}: {msg}") from None


def parse_param(key: str, spec: Any) -> Param:
    where = f"search.params.{key}"
    if isinstance(spec, (list, tuple)):
        spec = {"choices": list(spec)}
    if not isinstance(spec, Mapping):
        _check_value(key, spec)
        return Param(key=key, kind="fixed", value=spec)
    spec = dict(spec)
    if "choices" in spec:
        extra = [k for k in spec if k != "choices"]
        if extra:
            raise BadInput(f"{where}: choices take no {', '.join(map(repr, extra))}; "
                           "expected {choices: [...]} or a range {low, high, log}")
        choices = spec["choices"]
        if not isinstance(choices, (list, tuple)) or not choices:
            raise BadInput(f"{where}.choices: got {choices!r}; expected a non-empty list")
        for c in choices:
            _check_value(key, c)
        if len({repr(_encode(c)) for c in choices}) < len(choices):
            raise BadInput(f"{where}.choices: {choices!r} repeats a choice")
        return Param(key=key, kind="categorical", choices=tuple(choices))
    for k in spec:
        if k not in _RANGE_KEYS:
            raise BadInput(f"invalid config: {_unknown(str(k), _RANGE_KEYS + ('choices',), where + '.')}")
    if "low" not in spec or "high" not in spec:
        raise BadInput(f"{where}: got {spec!r}; expected a range {{low, high}} (log: true for "
                       "log-uniform), {choices: [...]} or a list of choices")
    low, high = spec["low"], spec["high"]
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise BadInput(f"{where}.{name}: got {v!r}; expected a finite number")
    kind = spec.get("type")
    if kind is None:
        kind = "int" if isinstance(low, int) and isinstance(high, int) else "float"
    if kind not in ("int", "float"):
        raise BadInput(f"{where}.type: got {kind!r}; expected int or float")
    if key in VIRTUAL or key == "train.batch_size" or key == "train.epochs":
        if kind == "float" and spec.get("type") is None and float(low).is_integer() and float(high).is_integer():
            kind = "int"
    if kind == "int" and not (float(low).is_integer() and float(high).is_integer()):
        raise BadInput(f"{where}: int range with non-integer bounds {low!r}..{high!r}")
    if not low < high:
        raise BadInput(f"{where}: low {low!r} must be below high {high!r}")
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise BadInput(f"{where}.log: got {log!r}; expected true or false")
    if log and low <= 0:
        raise BadInput(f"{where}: a log range needs low > 0, got {low!r}; use log: false to include 0")
    step = spec.get("step")
    if step is not None and (isinstance(step, bool) or not isinstance(step, (int, float)) or step <= 0):
        raise BadInput(f"{where}.step: got {step!r}; expected a positive number")
    if step is not None and log:
        raise BadInput(f"{where}: step and log: true cannot go together (Optuna's rule)")
    if kind == "int":
        low, high = int(low), int(high)
    else:
        low, high = float(low), float(high)
    for v in (low, high):
        _check_value(key, v)
    return Param(key=key, kind=kind, low=low, high=high, log=log, step=step)


def _int(where: str, v: Any, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise BadInput(f"{where}: got {v!r}; expected an integer >= {minimum}")
    return v


def parse_search(raw: Any) -> SearchSpace:
    """Validate a ``search:`` mapping (``None``: the default space) -> :class:`SearchSpace`."""
    if raw is None:
        raw = {}
    if isinstance(raw, SearchSpace):
        return raw
    if not isinstance(raw, Mapping):
        raise BadInput(f"search: got {raw!r}; expected a mapping with params (and trials, sampler, "
                       "seeds, pruning)")
    problems = [_unknown(str(k), SECTION_KEYS, "search.") for k in raw if k not in SECTION_KEYS]
    if problems:
        raise BadInput("invalid config: " + "; ".join(problems))
    params_raw = raw.get("params")
    if params_raw is None:
        params_raw = DEFAULT_PARAMS
    if not isinstance(params_raw, Mapping) or not params_raw:
        raise BadInput(f"search.params: got {params_raw!r}; expected a mapping of config keys to "
                       "ranges or choices, e.g. {train.lr: {low: 1e-4, high: 0.1, log: true}}")
    keys = _param_keys()
    unknown = [_unknown(str(k), keys, "search.params.") for k in params_raw if str(k) not in keys]
    if unknown:
        raise BadInput("invalid config: " + "; ".join(unknown))
    if "model.hidden" in params_raw and any(k in params_raw for k in VIRTUAL):
        raise BadInput("search.params: model.hidden and model.width/model.depth both given; "
                       "keep one (width and depth build hidden)")
    params = tuple(parse_param(str(k), v) for k, v in params_raw.items())
    trials = _int("search.trials", raw.get("trials", 50), 1)
    seeds = _int("search.seeds", raw.get("seeds", 1), 1)
    seed = _int("search.seed", raw.get("seed", 0), 0)
    sampler = raw.get("sampler", "tpe")
    if sampler not in SAMPLERS:
        close = difflib.get_close_matches(str(sampler), SAMPLERS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise BadInput(f"search.sampler: got {sampler!r}; expected one of {', '.join(SAMPLERS)}{hint}")
    pruning = parse_pruning(raw.get("pruning", True))
    return SearchSpace(params=params, trials=trials, sampler=sampler, seeds=seeds, seed=seed, pruning=pruning)


def parse_pruning(raw: Any) -> Pruning:
    if raw is True or raw is None:
        return Pruning()
    if raw is False:
        return Pruning(folds=False, epochs=False)
    if not isinstance(raw, Mapping):
        raise BadInput(f"search.pruning: got {raw!r}; expected true, false or a mapping of "
                       f"{', '.join(PRUNING_KEYS)}")
    bad = [_unknown(str(k), PRUNING_KEYS, "search.pruning.") for k in raw if k not in PRUNING_KEYS]
    if bad:
        raise BadInput("invalid config: " + "; ".join(bad))
    out = dict(Pruning().to_dict())
    for k in ("folds", "epochs"):
        if k in raw:
            if not isinstance(raw[k], bool):
                raise BadInput(f"search.pruning.{k}: got {raw[k]!r}; expected true or false")
            out[k] = raw[k]
    if "fold_test" in raw:
        if raw["fold_test"] not in ("wilcoxon", "t"):
            raise BadInput(f"search.pruning.fold_test: got {raw['fold_test']!r}; expected 'wilcoxon' or 't'")
        out["fold_test"] = raw["fold_test"]
    if "p_threshold" in raw:
        v = raw["p_threshold"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise BadInput(f"search.pruning.p_threshold: got {v!r}; expected 0 < p < 1")
        out["p_threshold"] = float(v)
    if "percentile" in raw:
        v = raw["percentile"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            raise BadInput(f"search.pruning.percentile: got {v!r}; expected 0..100")
        out["percentile"] = float(v)
    for k in ("warmup_epochs", "startup_trials"):
        if k in raw:
            out[k] = _int(f"search.pruning.{k}", raw[k], 0)
    return Pruning(**out)


def check_search(raw: Any) -> Any:
    """The config's validator: raise on a bad section, keep the raw mapping (plain data in
    config.yaml); :func:`parse_search` turns it into a :class:`SearchSpace` when tuning."""
    if raw is None:
        return None
    try:
        parse_search(raw)
    except BadInput as exc:
        raise ValueError(str(exc).removeprefix("invalid config: ")) from None
    return dict(raw)
