"""Every run-config key, what it takes and what it does, shipped with the package.

``fitdoctor config`` prints it, ``fitdoctor config --init my.yaml`` writes a starter
config from it, and ``docs/config.md`` is generated from it (``fitdoctor config
--markdown``; a test keeps the two equal), so the reference a pip install has and the one
in the repository are the same. Defaults are read from the pydantic models themselves.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

#: (dotted key, values it takes, what it does). Backticks mark literal values.
KEYS: list[tuple[str, str, str]] = [
    ("data.source", "a table file (`.csv`, `.tsv`, `.parquet`, `.npz` with `X`, `y`; a relative path not "
                    "found in the working directory is read next to the config file), `sklearn:<name>` "
                    "(breast_cancer, iris, wine, digits, diabetes), or a generator spec such as "
                    "`make_moons:n_samples=500,noise=0.2`", "where the rows come from"),
    ("data.target", "a column name", "the label column of a table file (`y` in an `.npz`)"),
    ("data.task", "`auto`, `binary`, `multiclass`, `regression`", "inferred from the target when `auto`"),
    ("data.scale", "`standard`, `minmax`, `none`", "feature scaling, fitted on the training split only"),
    ("data.split.method", "`holdout`, `kfold`", "train/val/test, or k-fold on train+val with a fixed test split"),
    ("data.split.val", "0 < x < 1", "validation share (holdout)"),
    ("data.split.test", "0 <= x < 1", "test share, touched once at the end"),
    ("data.split.k", ">= 2", "folds (kfold)"),
    ("data.split.repeats", ">= 1", "repeated shuffled k-fold (needs `shuffle: true` when > 1)"),
    ("data.split.stratify", "true/false", "keep class shares in every split (classification)"),
    ("data.split.shuffle", "true/false", "shuffle before splitting"),
    ("data.split.seed", "integer", "seed of the split"),
    ("model.hidden", "list of positive sizes, e.g. `[64, 32]` (alias `model_structure`)",
     "hidden layer sizes of the MLP"),
    ("model.activation", "`relu`, `leaky_relu`, `elu`, `gelu`, `tanh`, `sigmoid`", "hidden activation"),
    ("model.dropout_rate", "0 <= x < 1", "dropout after each hidden layer"),
    ("model.batch_norm", "true/false", "batch norm after each hidden layer"),
    ("model.residual", "true/false", "a skip connection around each hidden layer (through a projection "
                                     "where widths differ)"),
    ("model.init", "`default`, `he`, `xavier`", "weight initialisation"),
    ("model.l1", ">= 0", "L1 penalty on the weights"),
    ("model.l2", ">= 0", "L2 penalty (weight decay)"),
    ("train.optimizer", "`sgd`, `momentum`, `rmsprop`, `adam`, `adamw`, `nadam`", "the optimizer"),
    ("train.lr", "> 0", "learning rate"),
    ("train.schedule", "`none`, `step`, `cosine`, `exponential`, `plateau`", "learning-rate schedule"),
    ("train.batch_size", ">= 1", "minibatch size"),
    ("train.epochs", ">= 1", "maximum epochs"),
    ("train.early_stopping", "`false`, `true`, or a mapping", "stop when validation stops improving"),
    ("train.early_stopping.patience", ">= 0", "epochs without improvement before stopping"),
    ("train.early_stopping.min_delta", ">= 0", "smallest change that counts as improvement"),
    ("train.early_stopping.restore_best", "true/false", "keep the best epoch's weights"),
    ("train.early_stopping.monitor", "`val_loss`, `val_accuracy`, `val_balanced_accuracy`, `val_f1`, `val_auc`, "
     "`val_precision`, `val_recall`, `val_r2`, `val_mae`, `val_mse`",
     "what improving means: the loss, or the score you select on (errors minimised, scores maximised)"),
    ("train.class_weight", "`none`, `balanced`", "weight the loss by inverse class frequency"),
    ("train.resample", "`none`, `oversample`, `undersample`", "rebalance the training split"),
    ("train.grad_clip", "> 0, or none", "clip the gradient norm"),
    ("train.label_smoothing", "0 to < 0.5 (classification)",
     "train toward 1 - eps on the class (eps spread over all classes): caps over-confidence; the logged "
     "losses stay the plain cross-entropy"),
    ("train.seed", "integer", "seed of initialisation and batching"),
    ("search", "a mapping: `params` (key -> range or choices), `trials`, `sampler`, `seeds`, `pruning`",
     "what `fitdoctor tune` searches; absent: a default space"),
]

#: What a default means where the value alone would not say it.
DEFAULT_TEXT = {
    "data.source": "required",
    "data.target": "a column named target, label, labels, y or class",
    "search": "none: the default space",
}

#: Where the starter config's rows come from (works offline: scikit-learn ships it).
STARTER_SOURCE = "sklearn:breast_cancer"


def defaults() -> dict[str, Any]:
    """Every dotted key -> its default, read from the pydantic models."""
    from fitdoctor.config import config_to_dict, load_config

    tree = config_to_dict(load_config({"data": {"source": STARTER_SOURCE}}))
    out: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        for k, v in node.items():
            dotted = f"{prefix}.{k}" if prefix else k
            out[dotted] = v
            if isinstance(v, dict):
                walk(v, dotted)

    walk(tree, "")
    out["data.source"] = None
    return out


def yaml_value(v: Any) -> str:
    """A default as it is written in YAML: ``[64, 32]``, ``true``, ``null``, ``{patience: 5, ...}``."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {yaml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(yaml_value(x) for x in v) + "]"
    return str(v)


def reference() -> list[dict[str, str]]:
    """One row per key: key, default (as YAML), values, what it does."""
    d = defaults()
    return [{"key": key, "default": DEFAULT_TEXT.get(key, yaml_value(d.get(key))), "values": values,
             "what": what} for key, values, what in KEYS]


def markdown_tables() -> str:
    """The reference as Markdown, one table per section (what docs/config.md holds)."""
    out = []
    for section in ("data", "model", "train"):
        out.append(f"## `{section}`\n")
        out.append("| key | values | default | what it does |")
        out.append("|---|---|---|---|")
        for r in reference():
            if r["key"].split(".")[0] != section:
                continue
            default = r["default"] if r["key"] in DEFAULT_TEXT else f"`{r['default']}`"
            out.append(f"| `{r['key']}` | {r['values']} | {default} | {r['what']} |")
        out.append("")
    return "\n".join(out)


def starter_yaml() -> str:
    """A config with every key at its default, each with a comment saying what it takes.

    It trains as it is (on scikit-learn's breast cancer data); change ``data.source`` to yours.
    """
    d = defaults()
    docs = {key: (values, what) for key, values, what in KEYS}
    lines = ["# fitdoctor run config: every key at its default (`fitdoctor config` lists them).",
             "# Train it:  fitdoctor train THIS_FILE      Check the data first:  fitdoctor check-data THIS_FILE",
             "# Unknown keys are an error that names the nearest valid one."]

    def comment(key: str, pad: str) -> None:
        import textwrap

        values, what = docs[key]
        text = f"{what}; values: {values}".replace("`", "")
        lines.extend(textwrap.wrap(text, width=92, initial_indent=pad + "# ", subsequent_indent=pad + "#   "))

    def emit(prefix: str, indent: int) -> None:
        keys = [k for k in d if k.rsplit(".", 1)[0] == prefix and "." in k] if prefix else \
            [k for k in d if "." not in k]
        for key in keys:
            name = key.rsplit(".", 1)[-1]
            value = d[key]
            pad = "  " * indent
            if key in docs:
                comment(key, pad)
            if key == "data.source":
                lines.append(f"{pad}{name}: {STARTER_SOURCE}")
            elif isinstance(value, dict):
                lines.append(f"{pad}{name}:")
                emit(key, indent + 1)
            else:
                lines.append(f"{pad}{name}: {yaml_value(value)}")

    emit("", 0)
    return "\n".join(lines) + "\n"


def examples() -> dict[str, Path]:
    """The example configs shipped with the package: name -> path on disk."""
    base = resources.files("fitdoctor.examples")
    out = {}
    for entry in sorted(base.iterdir(), key=lambda p: p.name):
        if entry.name.endswith((".yaml", ".yml")):
            out[entry.name.rsplit(".", 1)[0]] = Path(str(entry))
    return out


def example_text(name: str) -> str:
    """An example config with its data file (when it names one beside it) as an absolute path,
    so the text trains from wherever it is written."""
    import yaml

    from fitdoctor.errors import BadInput

    found = examples()
    if name not in found:
        import difflib

        close = difflib.get_close_matches(name, list(found), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise BadInput(f"no example config '{name}'{hint}; expected one of {', '.join(found)}")
    path = found[name]
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    source = str((raw.get("data") or {}).get("source", ""))
    if source and not source.startswith(("sklearn:", "make_")) and (path.parent / source).is_file():
        text = text.replace(f"source: {source}", f"source: {path.parent / source}", 1)
    return text


def describe(path: Path) -> str:
    """The first comment line of an example config (what it is for)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""
