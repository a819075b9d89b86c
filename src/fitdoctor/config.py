"""The run config (DESIGN.md): what data, what model, how to train it.

Validated with pydantic so a typo never silently trains the wrong thing: unknown keys
are errors that suggest the closest valid key, wrong types name the key, the value and
what is allowed, and every problem is reported as one :class:`~fitdoctor.errors.BadInput`
line. ``model_structure`` (the name many tutorials use) is accepted for ``model.hidden``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping, Union

from pydantic import (
    AllowInfNan,
    BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator,
)

from fitdoctor.errors import BadInput
from fitdoctor.files import atomic_write

__all__ = [
    "RunConfig", "DataConfig", "SplitConfig", "ModelConfig", "TrainConfig", "EarlyStoppingConfig",
    "load_config", "dump_config", "apply_changes", "valid_keys", "config_to_dict",
]


def _no_bool(v: Any) -> Any:
    """YAML turns yes/no/true into booleans; a number field must not read them as 1 or 0."""
    if isinstance(v, bool):
        raise ValueError("expected a number, not true/false")
    return v


Int = Annotated[int, BeforeValidator(_no_bool)]
#: a finite number: an ``.inf`` lr or L2 passes ``> 0`` yet trains nothing but NaN
Float = Annotated[float, BeforeValidator(_no_bool), AllowInfNan(False)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class SplitConfig(_Section):
    """How rows are divided: holdout train/val/test or (repeated) k-fold with a fixed test split."""

    method: Literal["holdout", "kfold"] = "holdout"
    val: Float = Field(0.2, gt=0.0, lt=1.0)
    test: Float = Field(0.2, ge=0.0, lt=1.0)
    k: Int = Field(5, ge=2)
    repeats: Int = Field(1, ge=1)
    stratify: bool = True
    shuffle: bool = True
    seed: Int = 0

    @model_validator(mode="after")
    def _fractions_fit(self) -> "SplitConfig":
        if self.method == "holdout" and self.val + self.test >= 1.0:
            raise ValueError(f"val + test = {self.val + self.test:g} leaves no training rows; "
                             "expected val + test < 1")
        if self.method == "kfold" and self.repeats > 1 and not self.shuffle:
            raise ValueError("repeats > 1 needs shuffle: true (unshuffled repeats are identical)")
        return self


class DataConfig(_Section):
    """Where the rows come from and how they are prepared."""

    source: str = Field(..., min_length=1)
    target: str | None = None
    task: Literal["auto", "binary", "multiclass", "regression"] = "auto"
    scale: Literal["standard", "minmax", "none"] = "standard"
    split: SplitConfig = Field(default_factory=SplitConfig)

    @field_validator("scale", mode="before")
    @classmethod
    def _none_is_none(cls, v: Any) -> Any:
        return "none" if v is None or v is False else v


class ModelConfig(_Section):
    """The MLP: hidden layer sizes and what goes around them."""

    hidden: list[Int] = Field(default_factory=lambda: [64, 32], alias="model_structure")
    activation: Literal["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"] = "relu"
    dropout_rate: Float = Field(0.3, ge=0.0, lt=1.0)
    batch_norm: bool = False
    residual: bool = False
    init: Literal["default", "he", "xavier"] = "default"
    l1: Float = Field(0.0, ge=0.0)
    l2: Float = Field(0.0, ge=0.0)

    @field_validator("hidden", mode="before")
    @classmethod
    def _hidden_list(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            return [v]
        if isinstance(v, str):  # "64,32" or "64 32" from a command line
            parts = [p for p in v.replace(",", " ").split() if p]
            return [int(p) if p.isdigit() else p for p in parts]
        return v

    @field_validator("hidden")
    @classmethod
    def _positive(cls, v: list[int]) -> list[int]:
        if any(n < 1 for n in v):
            raise ValueError("expected a list of positive layer sizes, e.g. [64, 32]")
        return v


class EarlyStoppingConfig(_Section):
    """Stop when validation stops improving by more than ``min_delta`` for ``patience`` epochs."""

    patience: Int = Field(5, ge=0)
    min_delta: Float = Field(0.0, ge=0.0)
    restore_best: bool = True
    #: what "improving" means: the validation loss by default, or the score you select on
    #: (``val_accuracy``, ``val_balanced_accuracy``, ``val_f1``, ``val_r2``...): a loss that rises
    #: while accuracy still climbs is common, and stopping on the loss then keeps a worse model.
    monitor: Literal["val_loss", "val_accuracy", "val_balanced_accuracy", "val_f1", "val_auc",
                     "val_precision", "val_recall", "val_r2", "val_mae", "val_mse"] = "val_loss"


class TrainConfig(_Section):
    """The optimization: optimizer, learning rate, schedule, batches, stopping, imbalance handling."""

    optimizer: Literal["sgd", "momentum", "rmsprop", "adam", "adamw", "nadam"] = "adam"
    lr: Float = Field(0.001, gt=0.0)
    schedule: Literal["none", "step", "cosine", "exponential", "plateau"] = "none"
    batch_size: Int = Field(32, ge=1)
    epochs: Int = Field(100, ge=1)
    early_stopping: Union[EarlyStoppingConfig, Literal[False]] = Field(default_factory=EarlyStoppingConfig)
    class_weight: Literal["none", "balanced"] = "none"
    resample: Literal["none", "oversample", "undersample"] = "none"
    grad_clip: Float | None = Field(None, gt=0.0)
    label_smoothing: Float = Field(0.0, ge=0.0, lt=0.5)
    seed: Int = 0

    @field_validator("schedule", "class_weight", "resample", mode="before")
    @classmethod
    def _none_is_none(cls, v: Any) -> Any:
        return "none" if v is None or v is False else v

    @field_validator("grad_clip", mode="before")
    @classmethod
    def _no_clip(cls, v: Any) -> Any:
        return None if v is False or (isinstance(v, str) and v.strip().lower() in ("none", "null", "")) else v

    @field_validator("early_stopping", mode="before")
    @classmethod
    def _early_stopping(cls, v: Any) -> Any:
        if v is None or v is False:
            return False
        if v is True:
            return EarlyStoppingConfig()
        if isinstance(v, Mapping) or isinstance(v, EarlyStoppingConfig):
            return v
        raise ValueError("expected false, true or a mapping {patience, min_delta, restore_best}")


class RunConfig(_Section):
    """A whole run: ``data`` (required), ``model`` and ``train`` (defaults as in DESIGN.md)."""

    data: DataConfig
    model: ModelConfig = Field(default_factory=ModelConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    search: Union[dict[str, Any], None] = None  # `fitdoctor tune`'s space, checked by fitdoctor.tune.space

    @field_validator("search", mode="before")
    @classmethod
    def _search(cls, v: Any) -> Any:
        from fitdoctor.tune.space import check_search

        return check_search(v)


# ---------------------------------------------------------------------------------------
# keys, unknown-key suggestions and one-line errors

_SECTIONS: dict[str, type[BaseModel]] = {
    "": RunConfig, "data": DataConfig, "data.split": SplitConfig, "model": ModelConfig,
    "train": TrainConfig, "train.early_stopping": EarlyStoppingConfig,
}
_ALIASES = {"model_structure": "hidden"}


def _section_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def valid_keys() -> list[str]:
    """Every dotted leaf key a config may set (what ``apply_changes`` and remedies use)."""
    out: list[str] = []
    for prefix, model in _SECTIONS.items():
        for name in _section_keys(model):
            dotted = f"{prefix}.{name}" if prefix else name
            if dotted not in _SECTIONS or dotted == "train.early_stopping":
                out.append(dotted)
    return out


#: What other tools (Keras, PyTorch Lightning, scikit-learn, tutorials) call a setting -> its key here.
SYNONYMS: dict[str, str] = {
    "learning_rate": "train.lr", "lr_rate": "train.lr", "learningrate": "train.lr", "eta": "train.lr",
    "n_epochs": "train.epochs", "num_epochs": "train.epochs", "max_epochs": "train.epochs",
    "epoch": "train.epochs", "n_iter": "train.epochs", "max_iter": "train.epochs",
    "batchsize": "train.batch_size", "bs": "train.batch_size", "minibatch_size": "train.batch_size",
    "optimiser": "train.optimizer", "opt": "train.optimizer", "solver": "train.optimizer",
    "scheduler": "train.schedule", "lr_schedule": "train.schedule", "lr_scheduler": "train.schedule",
    "patience": "train.early_stopping.patience", "early_stop": "train.early_stopping",
    "class_weights": "train.class_weight", "sampling": "train.resample",
    "clip": "train.grad_clip", "clipnorm": "train.grad_clip", "gradient_clip_val": "train.grad_clip",
    "max_grad_norm": "train.grad_clip", "random_state": "train.seed", "random_seed": "train.seed",
    "weight_decay": "model.l2", "alpha": "model.l2", "kernel_regularizer": "model.l2",
    "dropout": "model.dropout_rate", "drop_rate": "model.dropout_rate", "dropout_prob": "model.dropout_rate",
    "hidden_layers": "model.hidden", "hidden_layer_sizes": "model.hidden", "layers": "model.hidden",
    "units": "model.hidden", "hidden_units": "model.hidden", "hidden_sizes": "model.hidden",
    "activation_function": "model.activation", "act": "model.activation",
    "batchnorm": "model.batch_norm", "bn": "model.batch_norm", "initializer": "model.init",
    "kernel_initializer": "model.init", "weight_init": "model.init",
    "label": "data.target", "labels": "data.target", "y": "data.target", "target_column": "data.target",
    "path": "data.source", "file": "data.source", "dataset": "data.source", "csv": "data.source",
    "scaler": "data.scale", "scaling": "data.scale", "normalize": "data.scale", "standardize": "data.scale",
    "validation_split": "data.split.val", "val_split": "data.split.val", "val_size": "data.split.val",
    "test_size": "data.split.test", "test_split": "data.split.test", "n_splits": "data.split.k",
    "folds": "data.split.k", "n_folds": "data.split.k", "cv": "data.split.k",
}


def _suggest(word: str, choices: list[str], prefix: str = "") -> str:
    """' (did you mean ...?)': what other tools call the setting first (learning_rate -> lr,
    in its own section by its name, elsewhere by its dotted key), then the nearest spelling."""
    known = SYNONYMS.get(word.strip().lower().replace("-", "_"))
    if known is not None:
        section, _, name = known.rpartition(".")
        return f" (did you mean '{name}'?)" if section == prefix else f" (did you mean '{known}'?)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (valid keys: {', '.join(choices)})"


def _check_keys(raw: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Unknown keys anywhere in the tree, each with the nearest valid key."""
    problems: list[str] = []
    model = _SECTIONS[prefix]
    keys = _section_keys(model)
    for key, value in raw.items():
        key_s = str(key)
        dotted = f"{prefix}.{key_s}" if prefix else key_s
        if key_s in _ALIASES and prefix == "model":
            continue
        if key_s not in keys:
            problems.append(f"unknown key '{dotted}'{_suggest(key_s, keys, prefix)}")
            continue
        if dotted in _SECTIONS and isinstance(value, Mapping):
            problems.extend(_check_keys(value, dotted))
    return problems


def _normalize(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept ``model_structure`` at the top level or in ``model`` as ``model.hidden``."""
    data = dict(raw)
    if "model_structure" in data:
        ms = data.pop("model_structure")
        model = data.get("model") or {}
        if not isinstance(model, Mapping):
            raise BadInput(f"model: got {model!r}; expected a mapping of model settings")
        model = dict(model)
        if "hidden" in model or "model_structure" in model:
            raise BadInput("model_structure and model.hidden both given; keep one (they are the same setting)")
        model["hidden"] = ms
        data["model"] = model
    model = data.get("model")
    if isinstance(model, Mapping) and "model_structure" in model:
        model = dict(model)
        if "hidden" in model:
            raise BadInput("model.model_structure and model.hidden both given; keep one "
                           "(they are the same setting)")
        model["hidden"] = model.pop("model_structure")
        data["model"] = model
    return data


def _short(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 60 else s[:57] + "..."


def _error_line(exc: ValidationError) -> str:
    """Collapse pydantic's errors into one line: key, value and what is allowed."""
    seen: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        # a union reports one error per branch; the branch name is noise for the user
        loc = [p for p in loc if p not in ("EarlyStoppingConfig", "literal[False]")
               and not p.startswith("function-")]
        key = ".".join(loc) or "config"
        if key in seen:
            continue
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        msg = msg[0].lower() + msg[1:] if msg else msg
        etype = err["type"]
        if etype == "missing":
            seen[key] = f"{key} is missing" + _missing_hint(key)
            continue
        value = err.get("input")
        hint = ""
        if etype == "literal_error" and isinstance(value, str):
            allowed = err.get("ctx", {}).get("expected", "")
            words = [w.strip(" '") for w in allowed.replace(" or ", ",").split(",") if w.strip(" '")]
            close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
            if close:
                hint = f" (did you mean '{close[0]}'?)"
        if etype == "model_type" or etype == "dict_type":
            msg = "expected a mapping of settings"
        seen[key] = f"{key}: got {_short(value)}; {msg}{hint}"
    return "invalid config: " + "; ".join(seen.values())


def _missing_hint(key: str) -> str:
    if key == "data":
        return "; expected a data section with at least 'source' (e.g. sklearn:breast_cancer)"
    if key == "data.source":
        return "; expected sklearn:<name>, a synthetic spec like make_moons:n_samples=500, or a .csv/.parquet/.npz path"
    return ""


def config_from_dict(raw: Mapping[str, Any]) -> RunConfig:
    """Validate a plain mapping (e.g. parsed YAML) into a RunConfig, or raise BadInput."""
    if not isinstance(raw, Mapping):
        raise BadInput(f"config: got {_short(raw)}; expected a mapping with data/model/train sections")
    data = _normalize(raw)
    problems = _check_keys(data)
    if problems:
        raise BadInput("invalid config: " + "; ".join(problems))
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise BadInput(_error_line(exc)) from None


def load_config(path_or_dict: str | os.PathLike | Mapping[str, Any] | RunConfig) -> RunConfig:
    """Read a YAML file (or take a mapping / RunConfig) and validate it.

    Any problem raises :class:`BadInput` with one line that names the bad key and value.
    """
    if isinstance(path_or_dict, RunConfig):
        return path_or_dict
    if isinstance(path_or_dict, Mapping):
        return config_from_dict(path_or_dict)
    path = Path(path_or_dict)
    if path.is_dir():
        inside = path / "config.yaml"
        hint = (f"; the run config inside it is {str(inside)!r}" if inside.is_file() else
                "; write one with `fitdoctor config --init my.yaml`")
        raise BadInput(f"config {str(path)!r} is a directory, not a YAML run config file{hint}")
    if not path.is_file():
        raise BadInput(f"config file {str(path)!r} not found; expected a YAML run config "
                       "(a starter: `fitdoctor config --init my.yaml`)")
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInput(f"config file {str(path)!r} is not valid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise BadInput(f"config file {str(path)!r} is not UTF-8 text; expected a YAML run config") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise BadInput(f"config file {str(path)!r}: expected a mapping with data/model/train "
                       f"sections, got a {type(raw).__name__}")
    raw = _source_next_to(raw, path)
    try:
        return config_from_dict(raw)
    except BadInput as exc:
        raise BadInput(f"{path.name}: {exc}") from None


def _source_next_to(raw: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """A relative ``data.source`` file that is not in the working directory but sits next to
    the config file is read from there (a config travels with its data: ``fitdoctor train
    examples/demo_stuck.yaml`` works from any directory)."""
    data = raw.get("data")
    src = data.get("source") if isinstance(data, Mapping) else None
    if not isinstance(src, str) or ":" in src or Path(src).is_absolute() or Path(src).exists():
        return raw
    beside = path.parent / src
    if not beside.exists():
        return raw
    return {**raw, "data": {**data, "source": str(beside)}}


def config_to_dict(cfg: RunConfig) -> dict[str, Any]:
    """Plain, YAML/JSON-ready dict in the DESIGN.md layout (``hidden``, not the alias).

    A config without a search space has no ``search`` key (not ``search: null``), so a
    prescription or a tuned config reads like one a person wrote."""
    out = cfg.model_dump(mode="json", by_alias=False)
    if out.get("search") is None:
        out.pop("search", None)
    return out


def config_yaml(tree: Mapping[str, Any]) -> str:
    """A config tree as YAML the way a person writes one: every mapping in block style, one
    key a line, and a list of plain values on one line (``hidden: [64, 32]``). PyYAML's
    ``default_flow_style=None`` put a section of plain values on one line too
    (``train: {optimizer: adam, lr: 0.001, ...}``), past 80 columns and hard to edit."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def mapping(dumper: yaml.SafeDumper, data: Mapping[str, Any]) -> yaml.Node:
        return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)

    def sequence(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        plain = all(not isinstance(v, (dict, list, tuple)) for v in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=plain)

    _Dumper.add_representer(dict, mapping)
    _Dumper.add_representer(list, sequence)
    _Dumper.add_representer(tuple, sequence)
    return yaml.dump(dict(tree), Dumper=_Dumper, sort_keys=False, width=78)


def dump_config(cfg: RunConfig, path: str | os.PathLike) -> Path:
    """Write the config as YAML atomically (a temp file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, config_yaml(config_to_dict(cfg)))
    return path


def apply_changes(cfg: RunConfig, changes: Mapping[str, Any]) -> RunConfig:
    """A new, validated config with dotted keys set: ``{"train.lr": 1e-4}``.

    Used by remedies and ``doctor``; ``cfg`` itself is never modified. Setting a whole
    section (``"train.early_stopping": False``) works too.
    """
    tree = config_to_dict(cfg)
    for dotted, value in changes.items():
        parts = str(dotted).split(".")
        if parts[-1] in _ALIASES and parts[:-1] in ([], ["model"]):
            parts = ["model", _ALIASES[parts[-1]]]
        node: Any = tree
        prefix = ""
        for i, part in enumerate(parts):
            keys = _section_keys(_SECTIONS[prefix]) if prefix in _SECTIONS else []
            if part not in keys:
                where = f"{prefix}.{part}" if prefix else part
                raise BadInput(f"cannot set '{dotted}': unknown key '{where}'{_suggest(part, keys, prefix)}")
            if i == len(parts) - 1:
                node[part] = value.model_dump() if isinstance(value, BaseModel) else value
                break
            if not isinstance(node.get(part), dict):
                node[part] = {}  # e.g. early_stopping was false; a sub-key turns it back on
            node = node[part]
            prefix = f"{prefix}.{part}" if prefix else part
            if prefix not in _SECTIONS:
                raise BadInput(f"cannot set '{dotted}': '{prefix}' is a value, not a section")
    return config_from_dict(tree)
