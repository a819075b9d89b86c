"""Turn a remedy's ``config_changes`` into a safe, absolute change of one config.

Remedies are written relative to the config they will be applied to, so the same remedy
is right for any config (DESIGN.md, "Remedies are config changes relative to the
current config")::

    {"train.lr": "x0.1"}                 # a tenth of the config's lr (its starting lr, never
                                         # the value a schedule decayed it to)
    {"model.hidden": "x2"}               # every hidden layer twice as wide
    {"model.l2": "x10>=1e-4"}            # ten times the weight decay, at least 1e-4
    {"model.dropout_rate": "+0.2<=0.5"}  # 0.2 more dropout, at most 0.5
    {"train.batch_size": "x0.5>=8"}      # half the batch, not below 8
    {"train.early_stopping.patience": ">=10"}   # at least 10 (a longer patience is kept)
    {"train.class_weight": "balanced"}   # not a number: set as given

A relative value is ``x<factor>`` or ``+<n>`` / ``-<n>``, optionally followed by a floor
``>=<lo>`` and/or a ceiling ``<=<hi>``; a bound alone moves the value to the bound only
when it is on the wrong side. A bound never turns a change around: ``x0.5>=8`` on a batch
of 4 keeps 4 (halving was the point, not raising it to 8).

:func:`resolve_changes` resolves them against a config, checks every key against the
schema, refuses what a remedy must never touch (anything under ``data.split``: the test
rows, their seed, the validation rows; the data source, target and task; the training
seed that pairs the comparison), drops what is already in place, and refuses a result the
trainer cannot run or that cannot train (batch norm on one-row batches, an lr below
``MIN_LR``). :class:`UnsafeChange` says why, in one line.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

from fitdoctor.errors import BadInput

__all__ = ["UnsafeChange", "resolve_changes", "apply_remedy", "config_problems", "is_relative",
           "describe_changes", "PROTECTED", "MIN_LR", "MAX_LR"]

#: A change under one of these prefixes is refused: ``data.split`` decides which rows are
#: test and validation (and their seed); source/target/task change the problem itself;
#: ``train.seed`` is the unit the comparison is paired on; ``search`` is tune's, not a setting.
PROTECTED: dict[str, str] = {
    "data.split": "it changes which rows are the test (and validation) split; the test split is never touched",
    "data.source": "it changes the data, not the training",
    "data.target": "it changes what is predicted",
    "data.task": "it changes what is predicted",
    "train.seed": "the training seed is what paired comparisons vary; a remedy must not pick one",
    "search": "it is tune's search space, not a training setting",
}

#: Below this an lr barely moves the weights (a run frozen by a decayed schedule sits here).
MIN_LR = 1e-6
#: Above this no optimizer the trainer offers trains an MLP.
MAX_LR = 10.0
#: Sanity ceilings on what a relative change can grow to.
MAX_EPOCHS = 20000
MAX_WIDTH = 8192

_NUM = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
_REL = re.compile(rf"^\s*(?:(?P<op>[x*+-])\s*(?P<num>{_NUM}))?\s*(?:>=\s*(?P<lo>{_NUM}))?"
                  rf"\s*(?:<=\s*(?P<hi>{_NUM}))?\s*$")
#: Keys whose values are numbers (or lists of numbers) and so take relative changes.
_NUMERIC = {"model.hidden", "model.dropout_rate", "model.l1", "model.l2", "train.lr", "train.batch_size",
            "train.epochs", "train.grad_clip", "train.label_smoothing", "train.early_stopping.patience",
            "train.early_stopping.min_delta"}
_INTEGER = {"model.hidden", "train.batch_size", "train.epochs", "train.early_stopping.patience"}


class UnsafeChange(BadInput):
    """A remedy that cannot be applied to this config (the message says why, in one line)."""


def is_relative(value: Any) -> bool:
    """True for a relative change string such as ``"x0.1"``, ``"+0.2<=0.5"`` or ``">=10"``."""
    if not isinstance(value, str) or not value.strip():
        return False
    m = _REL.match(value)
    return bool(m) and any(m.group(g) for g in ("op", "lo", "hi"))


def _leaf_keys() -> set[str]:
    from fitdoctor.config import valid_keys

    return set(valid_keys())


def _flatten(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Section values become leaf keys: ``{"data.split": {"seed": 1}}`` -> ``data.split.seed``.

    ``train.early_stopping`` set to a bool stays one key (it switches early stopping)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        key = str(key)
        if key in ("model_structure", "model.model_structure"):
            key = "model.hidden"
        if isinstance(value, Mapping):
            for sub, v in _flatten({f"{key}.{k}": v for k, v in value.items()}).items():
                out[sub] = v
        else:
            out[key] = value
    return out


def _protected(key: str) -> str | None:
    for prefix, why in PROTECTED.items():
        if key == prefix or key.startswith(prefix + "."):
            return why
    return None


def _current(tree: Mapping[str, Any], key: str) -> Any:
    """The config's value at ``key``; a sub-key of switched-off early stopping reads its default."""
    node: Any = tree
    parts = key.split(".")
    for i, part in enumerate(parts):
        if node is False and parts[:i] == ["train", "early_stopping"]:
            from fitdoctor.config import EarlyStoppingConfig

            return EarlyStoppingConfig.model_fields[parts[i]].default
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _num(text: str | None) -> float | None:
    return None if text is None else float(text)


def _relative(key: str, current: Any, spec: str) -> Any:
    m = _REL.match(spec)
    op, num, lo, hi = m.group("op"), _num(m.group("num")), _num(m.group("lo")), _num(m.group("hi"))
    if isinstance(current, list):
        return [_relative(key, c, spec) for c in current]
    if current is None:
        if key == "train.grad_clip":  # no clipping is an infinite bound: a ceiling sets it
            return hi if hi is not None else None
        raise UnsafeChange(f"{key}: a relative change ({spec}) needs a number, and the config has none")
    cur = float(current)
    new = cur
    if op in ("x", "*"):
        new = cur * num
    elif op == "+":
        new = cur + num
    elif op == "-":
        new = cur - num
    if op is None:  # a bound alone: move to it when on the wrong side
        if lo is not None and new < lo:
            new = lo
        if hi is not None and new > hi:
            new = hi
    else:  # clamp, but never against the direction of the change
        up, down = new > cur, new < cur
        if lo is not None and new < lo:
            new = lo if not (down and lo > cur) else cur
        if hi is not None and new > hi:
            new = hi if not (up and hi < cur) else cur
        if down and new > cur or up and new < cur:
            new = cur
    if key in _INTEGER:
        new = int(round(new))
        if op in ("x", "*") and num < 1 and new < 1:
            new = 1
        return new
    return float(f"{new:.6g}")


def drop_applied(findings: list[Any], config: Any) -> None:
    """Remove from each finding the remedies ``config`` already carries out ("or Adam at its
    usual lr 1e-3" on a run trained with Adam at 1e-3): a prescription that changes nothing
    is no prescription. A remedy that cannot be resolved on the config is kept as it is."""
    for f in findings:
        kept = []
        for r in f.remedies:
            try:
                if r.config_changes and resolve_changes(config, r.config_changes) == {}:
                    continue
            except BadInput:
                pass
            kept.append(r)
        f.remedies = kept


def check_keys(changes: Mapping[str, Any]) -> None:
    """Raise :class:`UnsafeChange` for a key no config has (naming the nearest) or one a change
    must never touch (see :data:`PROTECTED`): what is wrong whatever the config it applies to."""
    keys = _leaf_keys()
    for key in _flatten(changes):
        why = _protected(key)
        if why is not None:
            raise UnsafeChange(f"{key}: not changed by a remedy: {why}")
        if key not in keys:
            import difflib

            near = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.6)
            raise UnsafeChange(f"{key}: unknown config key" + (f" (did you mean '{near[0]}'?)" if near else ""))


def resolve_changes(cfg: Any, changes: Mapping[str, Any], *, task: str | None = None) -> dict[str, Any]:
    """The absolute leaf values ``changes`` sets on ``cfg`` (only those that differ from it).

    Raises :class:`UnsafeChange` (a :class:`~fitdoctor.errors.BadInput`) for an unknown key,
    a protected key (see :data:`PROTECTED`), a relative change on a non-number, or a result
    the trainer refuses or cannot run (see :func:`config_problems`). ``task`` (binary,
    multiclass, regression) lets class weights and resampling be refused on regression.
    """
    from fitdoctor.config import apply_changes, config_to_dict, load_config

    cfg = load_config(cfg)
    tree = config_to_dict(cfg)
    check_keys(changes)
    out: dict[str, Any] = {}
    for key, value in _flatten(changes).items():
        cur = _current(tree, key)
        if is_relative(value):
            if key not in _NUMERIC:
                raise UnsafeChange(f"{key}: a relative change ({value}) needs a numeric setting; "
                                   f"expected one of its values (now {cur!r})")
            new = _relative(key, cur, value)
        elif isinstance(value, str) and key in _NUMERIC and key != "model.hidden":
            raise UnsafeChange(f"{key}: {value!r} is neither a number nor a relative change "
                               "(expected e.g. x0.1, +0.2<=0.5, >=1e-4)")
        else:
            new = value
        if key == "train.early_stopping" and new is True:
            new = {"patience": 5, "min_delta": 0.0, "restore_best": True} if cur is False else cur
        es_off = key.startswith("train.early_stopping.") and tree["train"]["early_stopping"] is False
        if new != cur or es_off:  # a sub-key of switched-off early stopping switches it on
            out[key] = new
    if not out:
        return out
    try:
        new_cfg = apply_changes(cfg, out)
    except BadInput as exc:
        raise UnsafeChange(str(exc).replace("invalid config: ", "the change gives an invalid config: ")) from None
    before = set(config_problems(cfg, task=task))
    new_problems = [p for p in config_problems(new_cfg, task=task) if p not in before]
    if new_problems:
        raise UnsafeChange("; ".join(new_problems))
    return out


def config_problems(cfg: Any, *, task: str | None = None) -> list[str]:
    """What makes a config untrainable or unrunnable, one line each (empty: none found).

    A remedy is refused when its result has a problem the config did not already have.
    """
    m, t = cfg.model, cfg.train
    out: list[str] = []
    if m.batch_norm and t.batch_size < 2:
        out.append(f"model.batch_norm needs more than one row per batch (train.batch_size is {t.batch_size})")
    if t.lr < MIN_LR:
        out.append(f"train.lr {t.lr:g} is below {MIN_LR:g}: the weights would barely move")
    if t.lr > MAX_LR:
        out.append(f"train.lr {t.lr:g} is above {MAX_LR:g}: no optimizer here trains with steps that large")
    if t.epochs > MAX_EPOCHS:
        out.append(f"train.epochs {t.epochs} is above {MAX_EPOCHS}")
    if any(w > MAX_WIDTH for w in m.hidden):
        out.append(f"model.hidden {m.hidden} has a layer wider than {MAX_WIDTH}")
    if task == "regression" and (t.class_weight != "none" or t.resample != "none"):
        out.append("class weights and resampling need classes; this is a regression task")
    if task == "regression" and t.label_smoothing:
        out.append("label smoothing needs classes; this is a regression task")
    return out


def apply_remedy(cfg: Any, changes: Mapping[str, Any], *, task: str | None = None) -> tuple[Any, dict[str, Any]]:
    """``(new config, absolute changes)``; the config is returned as it was when nothing changes."""
    from fitdoctor.config import apply_changes, load_config

    cfg = load_config(cfg)
    resolved = resolve_changes(cfg, changes, task=task)
    return (apply_changes(cfg, resolved) if resolved else cfg), resolved


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, bool) or v is None:
        return str(v).lower() if v is not None else "null"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return str(v)


def describe_changes(cfg: Any, resolved: Mapping[str, Any]) -> str:
    """``train.lr 0.001 -> 0.0001, model.hidden [64, 32] -> [128, 64]`` (before -> after)."""
    from fitdoctor.config import config_to_dict

    tree = config_to_dict(cfg)
    es_off = tree["train"]["early_stopping"] is False
    parts, es_on = [], {}
    for k, v in resolved.items():
        if es_off and k.startswith("train.early_stopping."):
            es_on[k.rsplit(".", 1)[1]] = v  # switching it on: say so, not "true -> true"
            continue
        parts.append(f"{k} {_short(_current(tree, k))} -> {_short(v)}")
    if es_on:
        parts.append("train.early_stopping off -> on (" + ", ".join(f"{k}: {_short(v)}" for k, v in es_on.items()) + ")")
    return ", ".join(parts)


def finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


#: Schedules that shrink the lr as training goes.
DECAYING = ("step", "cosine", "exponential", "plateau")
#: A schedule "collapsed" the lr when the last lr is below this share of the config's lr.
COLLAPSED_SHARE = 1e-2


def lr_collapsed(cfg: Any, history: Any = None, evidence: Mapping[str, Any] | None = None) -> float | None:
    """The last lr when the config's schedule decayed it below 1% of the starting lr, else None."""
    if cfg.train.schedule not in DECAYING:
        return None
    last = None
    if history is not None:
        s = getattr(history, "series", {}).get("lr")
        if s is not None and len(s.values):
            last = float(s.values[-1])
    if last is None and evidence:
        v = evidence.get("lr_last")
        last = float(v) if finite(v) else None
    if last is not None and math.isfinite(last) and last < COLLAPSED_SHARE * cfg.train.lr:
        return last
    return None


def remedies_in_context(finding: Any, cfg: Any, history: Any = None, *, select_on: str | None = None) -> list[Any]:
    """The finding's remedies, ordered for this config (what ``doctor`` tries, in order).

    - the lr was decayed to almost nothing by the config's schedule: for a finding the frozen
      weights explain (plateau, lr_too_low, underfitting, still_improving, chance_level), a
      gentler schedule that keeps the starting lr comes first, and raising the lr (which
      would scale the starting lr, not the collapsed one) comes after it;
    - underfitting under strong regularization (dropout >= 0.5, L2 >= 1e-2, L1 >= 1e-3):
      less regularization before a bigger model; chance_level or plateau under it: less
      regularization first (the root cause hides underfitting and its remedies);
    - ``select_on`` (the score configs are judged on, e.g. ``balanced_accuracy``): early
      stopping that a remedy switches on watches that score, not the loss, so the weights it
      keeps are the best by the measure the change is judged on.
    """
    from fitdoctor.findings import Remedy

    rems = list(finding.remedies)
    code = finding.code
    if code in ("plateau", "lr_too_low", "underfitting", "still_improving", "chance_level") and \
            lr_collapsed(cfg, history, finding.evidence) is not None:
        have = [r.config_changes for r in rems]
        first = []
        for sched, action in (("cosine", "keep the starting lr alive: a cosine schedule instead of one that "
                                         "decayed it to almost nothing"),
                              ("none", "no schedule: the starting lr throughout")):
            change = {"train.schedule": sched}
            if sched != cfg.train.schedule and change not in have:
                first.append(Remedy(action, change, "the schedule froze the weights; the config's lr is kept"))
        rems = first + rems
    m = cfg.model
    heavy = m.dropout_rate >= 0.5 or m.l2 >= 1e-2 or m.l1 >= 1e-3
    if code == "underfitting" and heavy:
        less = [r for r in rems if any(k in r.config_changes for k in ("model.dropout_rate", "model.l2", "model.l1"))
                and all(str(v).startswith("x0") for v in r.config_changes.values())]
        rems = less + [r for r in rems if r not in less]
    elif code in ("chance_level", "plateau") and heavy:
        # weights held at zero by a strong penalty predict the prior: the root cause chance_level
        # hides underfitting's remedies, so less regularization comes first here
        rems = [Remedy("reduce regularization (half the dropout, a tenth of L1/L2): strong enough to hold "
                       "the weights at zero", {"model.dropout_rate": "x0.5", "model.l2": "x0.1", "model.l1": "x0.1"},
                       "a strong penalty keeps the network from fitting anything"), *rems]
    if code == "overfitting" and _is_classifier(history):
        # after early stopping: a classifier that grows over-confident on the examples it gets
        # wrong raises the val loss without getting fewer right (the val-loss-only kind)
        smooth = Remedy("smooth the labels (label smoothing 0.1 more, at most 0.3)",
                        {"train.label_smoothing": "+0.1<=0.3"},
                        "targets of 1 - eps cap the confidence that drives the val loss up")
        rems = rems[:1] + [smooth] + rems[1:]
    if select_on and select_on not in ("loss",):
        rems = [_watching(r, f"val_{select_on}") for r in rems]
    return rems


def _is_classifier(history: Any) -> bool:
    """The run's task is binary or multiclass (by the trainer's record of it)."""
    meta = getattr(history, "meta", None) or {}
    return meta.get("task") in ("binary", "multiclass")


def _watching(remedy: Any, monitor: str) -> Any:
    """The remedy with its early stopping watching ``monitor`` (unchanged without early stopping)."""
    from dataclasses import replace

    ch = remedy.config_changes
    if not any(k.startswith("train.early_stopping") for k in ch) or "train.early_stopping.monitor" in ch:
        return remedy
    return replace(remedy, config_changes={**ch, "train.early_stopping.monitor": monitor})
