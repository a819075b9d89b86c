"""Keras ``History.history`` saved as JSON, and generic JSON / JSON-lines records.

``json.dump(model.fit(...).history, f)`` gives a dict of equal-length lists, one
entry per epoch. Generic logs are a list of per-epoch dicts or one dict per line.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import TRAIN_SPLITS, VAL_SPLITS, RunHistory, canonical_name
from fitdoctor.io._table import AXIS_COLUMNS, STEP_COLUMNS, restart_starts, steps_within_epochs
from fitdoctor.io.base import Reader, decode_text, json_number, json_object_head, looks_binary, read_text, register
from fitdoctor.io.checkpoint_evals import CHECKPOINT_HEAD, checkpoint_history


#: a Python dict of lists as print() or str() writes it: {'loss': [0.69, ...
_PY_DICT_OF_LISTS = re.compile(r"\{\s*'[^'\n]{1,80}'\s*:\s*\[")
#: a label printed before the dict on its line: print("train history:", history.history)
_LABELLED_DICT = re.compile(r"\s*[A-Za-z][\w ]{0,40}:\s*(?=" + _PY_DICT_OF_LISTS.pattern + ")")
#: one curve per line, as ``for k, v in history.history.items(): print(f"{k}: {v}")`` writes it
#: (``loss: [1.01, 0.63, ...]``; the same text is a YAML mapping of lists)
_NAMED_LIST_LINE = re.compile(r"^\s*['\"]?([A-Za-z_][\w/.\-]{0,79})['\"]?\s*[:=]\s*(\[[^\[\]]*\])\s*,?\s*$")
#: numpy 2 scalars in a repr: np.float64(0.69)
_NP_SCALAR = re.compile(r"\b(?:np|numpy)\.(?:float|int)(?:16|32|64)\(\s*([^()]*?)\s*\)")


def python_literal(text: str) -> Any:
    """A history written with ``str()``/``print()`` instead of ``json.dump``: single quotes,
    ``nan``/``inf``, numpy 2's ``np.float64(0.69)``. Parsed as a literal (never run); None
    when it is not one."""
    import ast

    from fitdoctor.io.console.patterns import WRAPPED_NUM

    cleaned = WRAPPED_NUM.sub(r"\1", _NP_SCALAR.sub(r"\1", text.strip()))  # tensor(0.9), np.float64(0.9)
    cleaned = re.sub(r"(?<![\w.'])-inf\b", "-1e999", cleaned)
    cleaned = re.sub(r"(?<![\w.'])inf\b", "1e999", cleaned)
    cleaned = re.sub(r"(?<![\w.'])nan\b", "None", cleaned)
    try:
        return ast.literal_eval(cleaned)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _named_lists(text: str) -> dict[str, list] | None:
    """``{name: values}`` when every line that is not blank is ``name: [v1, v2, ...]`` (two or
    more of them, a loss or an accuracy among them), else None."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    out: dict[str, list] = {}
    for ln in lines:
        m = _NAMED_LIST_LINE.match(ln)
        values = python_literal(m.group(2)) if m is not None else None
        if not isinstance(values, list) or not values:
            return None
        out[m.group(1)] = values
    return out if _has_curve(out) else None  # "milestones: [30, 60]" in a config is no history


def _load_json(path: Path) -> Any:
    text = read_text(path)
    if not text.strip():
        raise BadInput(f"{path}: file is empty; expected JSON")
    try:
        # Python's json accepts NaN/Infinity, which is exactly what json.dump writes.
        data = json.loads(text)
        if isinstance(data, str) and _PY_DICT_OF_LISTS.match(data.lstrip()):
            # json.dump(str(history.history), f): a JSON string that holds the printed dict
            inner = python_literal(data)
            if isinstance(inner, dict):
                return inner
        return data
    except json.JSONDecodeError as exc:
        named = _named_lists(text)
        if named is not None:
            return named
        labelled = _LABELLED_DICT.match(text)
        if labelled is not None:  # print("train history:", history.history), and what it printed next
            text = _first_dict(text[labelled.end():])
        if _PY_DICT_OF_LISTS.match(text.lstrip()):
            data = python_literal(text)
            if isinstance(data, dict):
                return data
            raise BadInput(f"{path}: not a complete Python dict of lists (print(history.history) output cut "
                           "short, or followed by other text?); expected {'loss': [...], 'val_loss': [...]}") from exc
        cut = _complete_lists(text, exc)
        if cut is not None:
            return cut
        raise BadInput(f"{path}: invalid JSON at line {exc.lineno} ({exc.msg}); "
                       "expected a dict of lists or a list of records") from exc


#: one whole ``"name": [numbers]`` entry of a JSON dict of lists
_WHOLE_LIST = re.compile(r'"([^"\n]{1,80})"\s*:\s*\[([^\[\]{}"]*)\]')


#: the braces, commas and ``"name": {`` openings that may stand before a run's lists
_WRAPPER_KEYS = re.compile(r'[\s{,]*(?:"[^"\n]{1,80}"\s*:\s*\{[\s,]*)*')


class CutDict(dict):
    """The whole lists of a JSON dict of lists cut short; ``note`` says what was read."""

    note: str = ""


def _complete_lists(text: str, exc: json.JSONDecodeError) -> CutDict | None:
    """The whole lists at the head of a JSON dict of lists that ends before it closes
    (``{"loss": [...], "val_loss": [...], "lr": [`` : a file copied or written while the run was
    still saving it). Only a text that breaks at its very end (the parser ran out of it) and is
    a dict of number lists up to there; None otherwise."""
    body = text.rstrip()
    if not body.lstrip().startswith("{") or exc.pos < len(body) - 1:
        return None  # broken in the middle, not cut short
    out = CutDict()
    end = 0
    for m in _WHOLE_LIST.finditer(body):
        gap = body[end:m.start()]
        if not out and _WRAPPER_KEYS.fullmatch(gap):
            gap = ""  # {"phase1": {"loss": [...: one run's lists under its name
        elif out and _WRAPPER_KEYS.fullmatch(gap.replace("}", "")) and "{" in gap:
            break  # the next run's lists begin: the first is whole, the rest is cut
        if gap.strip(" \t\r\n{,"):
            return None  # something between the lists that is not a list: not a plain dict of lists
        try:
            values = json.loads(f"[{m.group(2)}]")
        except json.JSONDecodeError:
            return None
        if not values or not all(json_number(v) is not None or v is None for v in values):
            return None
        out[m.group(1)] = values
        end = m.end()
    if not _has_curve(out):
        return None
    rest = body[end:].strip(" \t\r\n,")
    left = re.match(r'"([^"\n]{1,80})"', rest)
    out.note = (f"the file is cut short{f' inside {left.group(1)!r}' if left else ''}; read the {len(out)} "
                f"complete series before the cut ({', '.join(list(out)[:6])})")
    return out


def _first_dict(text: str) -> str:
    """``text`` up to the brace that closes the dict it opens with (a printed history followed by
    a summary line, " accuracy: 0.76"); all of it when the braces never balance."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[:i + 1]
    return text


def _complete_records(text: str) -> list[dict]:
    """The whole records at the head of a JSON list cut short (``[{...}, {...}, {"epo``): a
    run killed while its history was written, or a file saved from a capped download. Only
    objects that parse whole count; fewer than two is no curve."""
    dec = json.JSONDecoder()
    out: list[dict] = []
    i = text.index("[") + 1
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] != "{":
            break
        try:
            obj, i = dec.raw_decode(text, i)
        except json.JSONDecodeError:
            break
        out.append(obj)
    return out if len(out) >= 2 else []


_SPLITS = {*VAL_SPLITS, *TRAIN_SPLITS}
#: keys a history is saved under beside other things: {"history": {...}, "params": {...}}
_WRAPPERS = ("history", "training_history", "train_history", "metrics", "logs", "log", "curves", "results")


#: the start of a list of numbers as JSON writes it: ``[0.69``, ``[-1e-3``, ``[NaN``, ``[null``
_LIST_START = r'\[\s*-?(?:[\d.]|NaN|Infinity|null)'
#: a top-level curve further down, after a first value that is no curve (``"_provenance": {...}``,
#: ``"model": "resnet"``): one key per line as ``json.dump(..., indent=...)`` writes them
_LATER_LIST_LINE = re.compile(r'^[ \t]{1,4}"[^"]{1,80}"\s*:\s*' + _LIST_START, re.M)
#: a run kept as a list of per-epoch records under its name, beside others: "tcn_64": [ {"epoch": 1,
_NAMED_RECORD_LIST = re.compile(r'^[ \t]{1,8}"[^"]{1,80}"\s*:\s*\[\s*\{\s*"(?:epoch|step|global_step|iteration|iter)"\s*:', re.M)
#: a list deeper down, past the head, its key kept to be asked whether it names a loss or an
#: accuracy: ``{"config": {..}, "results": {"HistoMoE": {"train_losses": [0.49, ..`` (runs
#: kept side by side under a summary)
_DEEP_LIST_LINE = re.compile(r'^[ \t]{5,16}"([^"]{1,80})"\s*:\s*' + _LIST_START, re.M)
#: a curve one or two levels down, an object whose first value is an object whose first value
#: is a list of numbers (a history wrapped or nested by split: ``{"history": {"loss": [1.77``,
#: ``{"metrics": {"train": {"loss": [..``)
_NESTED_LIST_HEAD = re.compile(r'\{\s*"[^"]{1,80}"\s*:\s*(?:\{\s*"[^"]{1,80}"\s*:\s*){1,2}' + _LIST_START)


def _as_list(value: Any) -> Any:
    """A pandas ``to_json()`` column ({"0": 0.69, "1": 0.52, ...}: row label -> value) as the
    list it was; anything else unchanged."""
    if isinstance(value, dict) and value and all(re.fullmatch(r"[0-9]{1,9}", str(k)) for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return value


def flatten_history(data: dict) -> dict:
    """The name -> per-epoch list dict inside the shapes people save a history in:
    ``{"loss": [...]}`` as it is; ``pd.DataFrame(h.history).to_json()`` ({"loss": {"0": ..}});
    a wrapper (``{"history": {...}, "params": {...}}``); one level nested by split
    (``{"train": {"loss": [...]}, "val": {...}}`` -> ``train_loss``, ``val_loss``) or by metric
    (``{"loss": {"train": [...], "val": [...]}}`` -> ``loss_train``, ``loss_val``), or grouped
    under another name (``{"hist": {"loss": [...]}, "final": {...}}`` -> ``loss``)."""
    data = {k: _as_list(v) for k, v in data.items()}
    if not any(isinstance(v, list) for v in data.values()):
        for key in _WRAPPERS:
            inner = data.get(key)
            if isinstance(inner, dict) and inner:
                return flatten_history(inner)
    flat: dict = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                inner = _as_list(inner)
                if not isinstance(inner, list):
                    continue
                # a split on either side names the curve; a group's name ({"hist": {"loss": ..}}) does not
                split = str(key).lower() in _SPLITS or str(sub).lower() in _SPLITS
                name = f"{key}_{sub}" if split or sub in flat or sub in data else str(sub)
                flat[name] = inner
        else:
            flat[key] = value
    return flat


#: what a curve that makes a dict a history is called once read (a loss, an accuracy)
_CURVE_NAMES = {"loss", "val_loss", "accuracy", "val_accuracy"}


#: a wrapper key holding a list of per-epoch records, however indented: ``"history": [ {``
_WRAPPED_RECORDS = re.compile(r'^[ \t]{0,4}"(?:' + "|".join(_WRAPPERS) + r')"\s*:\s*\[\s*\{', re.M)


def numbered_records(value: Any) -> bool:
    """A list of two or more per-epoch (or per-step) records that count themselves
    (:func:`_counter_key`): a history, not a table of results."""
    return isinstance(value, list) and len(value) >= 2 and all(isinstance(r, dict) for r in value) \
        and _counter_key(value) is not None


def wrapped_records(data: dict) -> list[dict] | None:
    """The per-epoch records a history is saved as beside other things (``{"parameters": {..},
    "history": [{"epoch": 1, "train": {..}, "validation": {..}}, ..]}``), as saved
    (:func:`records_to_history` flattens each one); None when no wrapper key holds a list of
    records and no other key holds the only one."""
    for key in _WRAPPERS:
        if numbered_records(data.get(key)):
            return data[key]
    # under a name of its own ({"epochs": [{"epoch": 1, "train_loss": ..}, ..]}): when it is the
    # only list of numbered records (two or more are runs or splits, read by key)
    lists = [v for v in data.values() if numbered_records(v)]
    return lists[0] if len(lists) == 1 else None


def split_records(data: dict) -> list[dict] | None:
    """Per-split lists of per-epoch records (``{"train": [{"epoch": 0, "loss": ..}, ..], "val":
    [{"epoch": 0, "loss": ..}, ..]}``, a hand loop appending each split's record) merged into
    one record per epoch, each split's values grouped under its name for :func:`flat_record`;
    None unless a train split is among them and every list of numbered records in ``data``
    sits under a split's name (other such lists are runs, read by key)."""
    lists = {str(k): v for k, v in data.items() if numbered_records(v)}
    if not lists or not all(k.lower() in _SPLITS for k in lists) \
            or not any(k.lower() in TRAIN_SPLITS for k in lists):
        return None
    merged: dict[float, dict] = {}
    for split, records in lists.items():
        key = _counter_key(records)
        for r in records:
            at = json_number(r.get(key))
            if at is None:
                return None
            rec = merged.setdefault(at, {"epoch" if key == "epoch" else "step": at})
            rec[split] = {k: v for k, v in r.items() if k != key}
    return [merged[at] for at in sorted(merged)]


def _split_record_runs(data: dict) -> dict[str, list[dict]] | None:
    """Runs each kept as :func:`split_records` reads them, by name (``{"jepa": {"train": [..],
    "val": [..]}, "baseline": {..}}``, or one such run beside a config): their merged records."""
    runs = {str(k): recs for k, v in data.items() if isinstance(v, dict) and (recs := split_records(v)) is not None}
    return runs or None


def flat_record(record: dict) -> dict:
    """One epoch's record with its per-split groups flattened (``{"train": {"loss": ..}}`` ->
    ``train_loss``). A split's ``total`` is its loss when it logs no ``loss`` of its own (a
    multi-task model's weighted sum of its heads' losses: ``{"validation": {"lm": .., "total": ..}}``)."""
    out: dict = {}
    for key, value in record.items():
        if isinstance(value, dict) and str(key).lower() in _SPLITS:
            has_loss = any(str(k).lower() == "loss" for k in value)
            for sub, inner in value.items():
                name = "total_loss" if str(sub).lower() == "total" and not has_loss else sub
                out[f"{key}_{name}"] = inner
        else:
            out[key] = value
    return out


def _has_curve(d: dict) -> bool:
    """A loss or accuracy list, or a curve named by its split alone (``{"train": [..], "val":
    [..]}``, which :func:`fitdoctor.io.meaning.bare_split_curves` reads as the loss)."""
    return any(isinstance(v, list) and len(v) >= 2 and (canonical_name(str(k)) in _CURVE_NAMES or str(k).lower() in _SPLITS)
               for k, v in d.items())


#: the names gradient-boosting libraries give their evaluation sets in ``evals_result_``
#: (LightGBM's ``training`` and ``valid_0``, ``valid_1``, ...): the first validation set is the one judged
_BOOSTING_SPLIT = re.compile(r"^(?:valid|validation|val|eval|test)_(\d+)$", re.I)
#: the fewest rounds a boosting history's list has (a config's short list is no curve)
_MIN_ROUNDS = 5


def _evals_result(data: dict) -> dict | None:
    """A gradient-boosting ``evals_result_`` dumped as JSON (``{"training": {"l2": [..]},
    "valid_0": {"l2": [..]}}``), its splits renamed for :func:`flatten_history` (the first
    numbered validation set -> ``valid``, later ones dropped: ``valid_1`` is the validation set
    where the train set came first as ``valid_0``, which LightGBM calls ``training``); None for
    any other shape. Every key a split, each holding a metric's list of ``_MIN_ROUNDS`` numbers
    or more, one per boosting round."""
    if len(data) < 1 or not all(isinstance(v, dict) for v in data.values()):
        return None
    numbered = sorted(int(m.group(1)) for k in data if (m := _BOOSTING_SPLIT.match(str(k).lower())))
    out: dict = {}
    for key, value in data.items():
        name = str(key).lower()
        m = _BOOSTING_SPLIT.match(name)
        if m is not None:
            if int(m.group(1)) != numbered[0]:
                continue
            name = "valid"
        if name not in _SPLITS:
            return None
        if not any(isinstance(v, list) and len(v) >= _MIN_ROUNDS and all(isinstance(x, (int, float)) for x in v)
                   for v in value.values()):
            return None
        out[name] = value
    return out or None


def _unnested(data: dict) -> dict:
    """``data`` flattened (:func:`flatten_history`) when what the flattening brings up holds a
    loss or an accuracy, or is a boosting library's evaluation history (:func:`_evals_result`):
    a config.json's ``{"model": {"layers": [64, 32]}, "train": {"loss_weights": [1.0, 0.5]}}``
    is not a run."""
    boosting = _evals_result(data)
    if boosting is not None:
        return flatten_history(boosting)
    flat = flatten_history(data)
    new = {k: v for k, v in flat.items() if k not in data}
    if new and not _has_curve(new):
        return {k: _as_list(v) for k, v in data.items() if not isinstance(v, dict) or k in flat}
    return flat


def _record_columns(value: Any) -> dict | None:
    """A run's curves as name -> list: a dict as it is; a list of per-epoch records that all
    name the same keys (``[{"epoch": 1, "train_loss": 0.58, "val_auc": 0.66}, ..]``) turned
    into its columns; None for anything else."""
    if isinstance(value, dict):
        return value
    if not numbered_records(value):
        return None
    rows = [flat_record(r) for r in value]
    if any(r.keys() != rows[0].keys() for r in rows):
        return None
    return {k: [r[k] for r in rows] for k in rows[0]}


def _runs_by_key(data: dict) -> dict[str, dict] | None:
    """A history per fold or model ({"fold_0": {"loss": [...]}, "fold_1": {...}}, or each a list
    of per-epoch records): two or more keys, none a split or a wrapper, each holding its own
    curves. None for any other shape."""
    inner = {k: flatten_history(cols) for k, v in data.items() if (cols := _record_columns(v)) is not None}
    runs = {k: v for k, v in inner.items() if _has_curve(v)}
    if len(runs) < 2 or any(str(k).lower() in _SPLITS or str(k).lower() in _WRAPPERS for k in runs):
        return None
    if any(canonical_name(str(k)) in _CURVE_NAMES for k in data):
        return None  # curves at the top: one run (e.g. {"loss": {"train": [...], "val": [...]}})
    return runs


def _runs_one_level_down(data: dict) -> dict[str, dict] | None:
    """Histories per run kept under one key beside a summary of them (``{"results": [{"code":
    "B1", "val_acc": 0.43}, ...], "histories": {"B1": {"train_loss": [...]}, "B2": {...}}}``):
    the runs of the one value shaped as :func:`_runs_by_key` reads, when the top level holds no
    curve of its own; or of every value, when each is such a group of runs."""
    if any(canonical_name(str(k)) in _CURVE_NAMES for k in data):
        return None
    groups = {k: runs for k, v in data.items() if isinstance(v, dict) and (runs := _runs_by_key(v)) is not None}
    if len(groups) == 1:
        return next(iter(groups.values()))
    # runs in groups ({"ae": {"ae_original": {..}, ..}, "vae": {"vae_elbo_2d": {..}, ..}}), every
    # group holding runs: each run named by its group and its own key
    if len(groups) >= 2 and len(groups) == sum(isinstance(v, dict) for v in data.values()):
        return {f"{g}/{r}": curves for g, runs in groups.items() for r, curves in runs.items()}
    return None


def _epoch_axis(data: dict) -> np.ndarray | None:
    """The epoch numbers a dict of lists carries itself ("epoch": [1, 2, ...]), when they
    are as long as the curves and increase; popped from ``data``."""
    for key in ("epoch", "epochs", "Epoch", "Epochs"):
        xs = data.get(key)
        if not isinstance(xs, list) or not xs:
            continue
        try:
            arr = np.asarray([float(v) for v in xs])
        except (TypeError, ValueError):
            return None
        lengths = {len(v) for k, v in data.items() if k != key and isinstance(v, list)}
        if lengths == {arr.size} and bool(np.all(np.diff(arr) > 0)):
            del data[key]
            return arr
    return None


#: Flower's ``History`` (``flwr.server.history``) saved as a dict: each curve a list of
#: [round, value] pairs. The clients' evaluation (``*_distributed``) and the server's own
#: (``*_centralized``) are validation; what clients report from ``fit`` is training.
_FLOWER_EVAL = (("losses_distributed", "metrics_distributed"), ("losses_centralized", "metrics_centralized"))
_FLOWER_FIT = "metrics_distributed_fit"


def _round_pairs(value: Any) -> tuple[list[float], list[Any]] | None:
    """(rounds, values) of a list of [round, value] pairs, or None for any other shape."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], (int, float)) for p in value):
        return None
    return [float(p[0]) for p in value], [p[1] for p in value]


def _flower_history(data: dict, path: Path) -> RunHistory | None:
    """A Flower ``History`` dict read as one run: the first of the clients' and the server's
    evaluations that was logged is the validation (the other, when both were, keeps its own
    name), the clients' fit metrics are the training curves. None when ``data`` is no such dict."""
    if not any(_round_pairs(data.get(k)) for k, _ in _FLOWER_EVAL) and not isinstance(data.get(_FLOWER_FIT), dict):
        return None
    h = RunHistory(meta={"source": str(path), "format": "flower"})
    curves: list[tuple[str, Any]] = []
    val_taken = False
    for losses, metrics in _FLOWER_EVAL:
        group = [("loss", data.get(losses)), *((str(k), v) for k, v in (data.get(metrics) or {}).items())]
        if not any(_round_pairs(v) for _, v in group):
            continue
        prefix = "val_" if not val_taken else f"{losses.split('_')[1]}_"
        val_taken = True
        curves += [(prefix + name, v) for name, v in group]
    fit = [(str(k), v) for k, v in (data.get(_FLOWER_FIT) or {}).items() if _round_pairs(v)]
    trained = next((k for k, _ in fit if "loss" in k.lower()), None)
    if trained is not None and not any(canonical_name(k) == "loss" for k, _ in fit):
        # the clients report their training loss under a name of their own ("avg_classifier_loss"):
        # the first loss they report is the one fit optimised
        h.note(f"read the clients' {trained!r} as the train loss")
        fit = [("loss" if k == trained else k, v) for k, v in fit]
    curves += fit
    for name, value in curves:
        pairs = _round_pairs(value)
        if pairs is None or name.endswith("_round") or name == "round":
            continue
        try:
            ys = np.asarray([float(v) for v in pairs[1]])
        except (TypeError, ValueError):
            continue
        h.add(canonical_name(name), np.asarray(pairs[0]), ys, raw_name=name, axis="epoch")
    return h if h.series else None


@register
class KerasHistoryJSONReader(Reader):
    name = "keras-json"
    description = "Keras History.history saved as JSON (a dict of per-epoch lists), or as print() writes it"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        text = json_object_head(head)
        if text is None:
            start = "" if looks_binary(head) else decode_text(head).lstrip()
            lines = [ln for ln in start.splitlines() if ln.strip()]
            if lines and not _NAMED_LIST_LINE.match(lines[-1]):
                lines = lines[:-1]  # the last line may be cut by the sniff's window
            if _named_lists("\n".join(lines)) is not None:
                return 0.9  # "loss: [1.01, 0.63, ...]" on each line: a history printed curve by curve
            # json.dump(str(history.history)): "{'loss': [0.69, ...
            if start.startswith('"') and _PY_DICT_OF_LISTS.match(start[1:]):
                return 0.9
            # print("train history:", history.history): one labelled line
            return 0.95 if _LABELLED_DICT.match(start) and len(lines) <= 3 else 0.0  # (a list: no HF dict line)
        if _PY_DICT_OF_LISTS.match(text):
            # print(history.history), one line with nothing after it: above the console's HF-dict
            # sniff (a console log that opens with a printed config dict goes on with more lines)
            _, _, rest = text.partition("\n")
            tail = [ln for ln in rest.splitlines() if ln.strip()]
            # one line, or pprint's continuation lines (indented, or closing brackets)
            return 0.9 if all(ln[0] in " \t'\"]})" for ln in tail) else 0.0
        # a dict whose first value is a list: {"loss": [0.69, ...
        body = text[1:200]
        if '"log_history"' in text or '"best_metric"' in text:
            return 0.0
        if ":" in body and "[" in body.split(":", 1)[1][:20]:
            return 0.8
        if _NESTED_LIST_HEAD.match(text):
            return 0.75  # one level down, however indented: {"history": {"train_loss": [1.77, ...
            # (or two: {"metrics": {"train": {"loss": [1.77, ...)
        if re.match(r'\s*"[^"]{1,80}"\s*:\s*\{\s*"0"\s*:\s*-?[\d.]', body):
            return 0.75  # pandas to_json(): {"loss": {"0": 0.69, ...
        if _LATER_LIST_LINE.search(text) or _WRAPPED_RECORDS.search(text) or _NAMED_RECORD_LIST.search(text):
            return 0.7
        if any(canonical_name(m.group(1)) in _CURVE_NAMES for m in _DEEP_LIST_LINE.finditer(text)):
            return 0.7
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        data = _load_json(path)
        if isinstance(data, CutDict):
            h = self._history(path, dict(data))
            h.note(data.note)
            return [h]
        if isinstance(data, dict) and (flower := _flower_history(data, path)) is not None:
            return [flower]
        if isinstance(data, dict) and (records := wrapped_records(data)) is not None:
            h = records_to_history(records, path=path, fmt=self.name)
            if h.series:
                return [h]
        if isinstance(data, dict) and (records := split_records(data)) is not None:
            return [records_to_history(records, path=path, fmt=self.name)]
        if isinstance(data, dict) and (split_runs := _split_record_runs(data)) is not None:
            out = [records_to_history(recs, path=path, fmt=self.name) for recs in split_runs.values()]
            if len(out) > 1:
                for h, key in zip(out, split_runs):
                    h.meta["run"] = key
            return out
        if isinstance(data, dict):
            runs = _runs_by_key(data)
            if runs is None:
                runs = _runs_one_level_down(data)
            if runs is not None:
                out = []
                for key, curves in runs.items():
                    h = self._history(path, curves)
                    h.meta["run"] = str(key)
                    out.append(h)
                return out
            data = _unnested(data)
        return [self._history(path, data)]

    def _history(self, path: Path, data: Any) -> RunHistory:
        return history_from_dict(path, data, fmt=self.name)


def history_from_dict(path: Path, data: Any, *, fmt: str) -> RunHistory:
    """One ``History.history`` dict (name -> per-epoch list) as a run, on its own epoch axis
    when it logs one; BadInput for anything else."""
    if not isinstance(data, dict) or not any(isinstance(v, list) for v in data.values()):
        raise BadInput(f"{path}: expected a JSON object of per-epoch lists like "
                       '{"loss": [...], "val_loss": [...]}')
    epochs = _epoch_axis(data)
    h = RunHistory.from_dict(data, source=str(path), fmt=fmt)
    if epochs is not None:
        for s in h.series.values():
            s.steps = epochs.copy()
    if not h.series:
        raise BadInput(f"{path}: no numeric lists found; expected e.g. "
                       '{"loss": [0.69, 0.52], "val_loss": [0.70, 0.58]}')
    return h


def _is_history(record: dict) -> bool:
    """A Keras ``History.history`` (name -> per-epoch list) rather than one epoch's record."""
    return any(isinstance(v, list) for v in record.values()) and all(
        isinstance(v, list) for k, v in record.items() if k.lower() not in AXIS_COLUMNS)


def _counter_key(records: list[dict]) -> str | None:
    """The key that counts the records (epoch before step), from the first 50 of them: whether
    a list of records is numbered at all."""
    return next((k for k in ("epoch", "step", "global_step", "iteration", "iter")
                 if any(k in r for r in records[:50])), None)


def _axis_key(records: list[dict]) -> str | None:
    """The key the records are read on: :func:`_counter_key`'s, or a step key where the epoch
    repeats while the step rises at each record (rows that are steps, each saying its epoch:
    :func:`~fitdoctor.io._table.steps_within_epochs`)."""
    key = _counter_key(records)
    if key == "epoch":
        for step in STEP_COLUMNS:
            if any(step in r for r in records[:50]) and steps_within_epochs(
                    [json_number(r.get("epoch")) for r in records], [json_number(r.get(step)) for r in records]):
                return step
    elif key in STEP_COLUMNS and any("epochs" in r for r in records[:50]) and steps_within_epochs(
            [json_number(r.get(key)) for r in records], [json_number(r.get("epochs")) for r in records]):
        # the step printed rounded ("step": 2000 over 14 records) while the fractional epoch
        # beside it rises at each ("epochs": 1.24, 1.27, ..): read on the epochs, or the records
        # pile up on a handful of steps
        return "epochs"
    return key


def records_to_history(records: list[dict], *, path: Path, fmt: str) -> RunHistory:
    """Per-step/epoch records (dicts) -> RunHistory; keys missing from a record are absent points."""
    h = RunHistory(meta={"source": str(path), "format": fmt})
    records = [flat_record(r) for r in records]  # {"train": {"loss": ..}, "val": {..}} per record
    axis_key = _axis_key(records)
    axis = "epoch" if axis_key in (None, "epoch", "epochs") else "step"
    if axis_key in STEP_COLUMNS and any("epoch" in r for r in records[:50]):
        h.note(f"'epoch' repeats over several records while {axis_key!r} rises at each: the records are steps, "
               f"read on {axis_key!r}")
    if axis_key == "epochs":
        step = _counter_key(records)
        h.note(f"{step!r} repeats over several records while 'epochs' rises at each: read on 'epochs'")
        h.meta["unit"] = "epoch"  # an "episodes" count beside it is no RL loop's counter
    cols: dict[str, tuple[list[float], list[float]]] = {}
    for i, rec in enumerate(records):
        x = rec.get(axis_key, i) if axis_key else i
        try:
            x = float(x)
        except (TypeError, ValueError):
            x = float(i)
        for k, v in rec.items():
            if k == axis_key or k.lower() in AXIS_COLUMNS:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                if v is None or (isinstance(v, str) and v.lower() in ("nan", "inf", "-inf")):
                    v = float(v) if isinstance(v, str) else math.nan
                else:
                    continue
            cols.setdefault(k, ([], []))
            cols[k][0].append(x)
            cols[k][1].append(float(v))
    for k, (xs, vs) in cols.items():
        h.add(canonical_name(k), np.asarray(xs), np.asarray(vs), raw_name=k, axis=axis)
    if records and _DEIT_RECIPE_KEYS.issubset(records[0]):
        h.meta["hparams"] = {**DEIT_RECIPE_DEFAULTS, **h.meta.get("hparams", {})}
        h.note("the records are the DeiT family's log.txt (train_lr, test_acc1, n_parameters: DeiT, ConvNeXt, "
               "BEiT and their forks), whose recipe trains with mixup 0.8, cutmix 1.0 and label smoothing 0.1 "
               "unless told otherwise: its train loss sits above validation's by design")
    return h


#: the keys of the DeiT family's per-epoch record (``log_stats`` in its main.py: the train and test
#: stats, the epoch and the parameter count)
_DEIT_RECIPE_KEYS = frozenset({"train_lr", "train_loss", "test_loss", "test_acc1", "n_parameters"})
#: ... and that recipe's defaults for the augmentations that make train targets harder than
#: validation's (the log does not print its arguments)
DEIT_RECIPE_DEFAULTS = {"mixup": 0.8, "cutmix": 1.0, "smoothing": 0.1}


def _restarted(records: list[dict], lines: list[int]) -> list[tuple[int, list[dict]]]:
    """(first line, records) of each run in a file appended to across trainings: DETR and its
    forks open ``log.txt`` in append mode, one JSON line per epoch, so a run started again
    writes epoch 0 after the last one's final epoch (:func:`restart_starts`)."""
    key = _axis_key(records)
    if key is None:
        return [(lines[0] if lines else 1, records)]
    xs = [float(r[key]) if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool) else None
          for r in records]
    starts = restart_starts(xs)
    return [(lines[a], records[a:b]) for a, b in zip(starts, starts[1:] + [len(records)])]


@register
class GenericJSONReader(Reader):
    name = "json"
    description = "generic JSON list of records or JSON lines ({\"epoch\": 1, \"loss\": ...} per line)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        text = decode_text(head).lstrip()
        if re.match(r"\[\s*\{\s*[\"'}]", text):
            # a list of records; not a console line led by a bracketed stamp ("[03.24.23|09:56:11]
            # Parameters:" then a printed dict: ST-GCN's log)
            return 0.5
        if text.startswith("{") and "\n{" in text and "loss" in text:
            return 0.6
        if text.startswith("{") and CHECKPOINT_HEAD.search(text):
            return 0.6  # checkpoints' evaluations keyed by name (see checkpoint_evals.py)
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        text = decode_text(path.read_bytes())
        records: list[dict] = []
        line_of: list[int] = []  # the line of each record, in a file of one record per line
        note = None
        stripped = text.strip()
        if stripped.startswith("{") and CHECKPOINT_HEAD.search(stripped[:65536]):
            h = checkpoint_history(_load_json(path), path, self.name)
            if h is not None:
                return [h]
        if stripped.startswith("["):
            try:
                data = _load_json(path)
            except BadInput:
                data = _complete_records(stripped)
                if not data:
                    raise
                note = (f"the list of records is cut short (file still being written?); read its {len(data)} "
                        "complete record(s)")
            records = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
        else:
            numbered = [(n + 1, ln) for n, ln in enumerate(stripped.splitlines()) if ln.strip()]
            for n, (line_no, line) in enumerate(numbered):
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    # print(record) each epoch: "{'epoch': 1, 'train_loss': 0.41}" (a Python literal)
                    rec = python_literal(line) if line.lstrip().startswith("{'") else None
                    if isinstance(rec, dict):
                        records.append(rec)
                        line_of.append(line_no)
                        continue
                    if n == len(numbered) - 1:
                        note = "last line is incomplete (file still being written?); read up to the line before it"
                        break
                    continue
                if isinstance(rec, dict):
                    records.append(rec)
                    line_of.append(line_no)
        if not records:
            raise BadInput(f"{path}: no JSON records found; expected a list of "
                           '{"epoch": ..., "loss": ...} objects or one per line')
        if all(_is_history(r) for r in records):
            return self._histories(path, records, note)
        parts = _restarted(records, line_of or list(range(1, len(records) + 1)))
        runs = []
        for line_no, part in parts:
            h = records_to_history(part, path=path, fmt=self.name)
            if len(parts) > 1:
                h.meta["run"] = f"run {len(runs) + 1} (line {line_no})"
            if note and part is parts[-1][1]:
                h.note(note)
            runs.append(h)
        if not any(h.series for h in runs):
            raise BadInput(f"{path}: records hold no numeric values; expected keys like 'loss', 'val_loss'")
        return [h for h in runs if h.series]

    def _histories(self, path: Path, histories: list[dict], note: str | None) -> list[RunHistory]:
        """A list of ``History.history`` dicts, one per ``fit()`` call. One-epoch fits
        (``fit(epochs=1)`` in a loop) are one run, epoch after epoch; longer ones are a run
        each (folds, restarts), as a file of several runs is read."""
        one_epoch = all(len(v) == 1 for r in histories for v in r.values() if isinstance(v, list))
        if one_epoch and len(histories) >= 2:
            rows = [{k: v[0] for k, v in r.items() if isinstance(v, list)} for r in histories]
            runs = [records_to_history(rows, path=path, fmt=self.name)]
            runs[0].note(f"{len(histories)} one-epoch fit() histories read as one run, in the order saved")
        else:
            runs = []
            for i, r in enumerate(histories):
                h = history_from_dict(path, flatten_history(r), fmt=KerasHistoryJSONReader.name)
                h.meta["run"] = f"fit {i + 1}"
                runs.append(h)
        for h in runs:
            if note:
                h.note(note)
        if not any(h.series for h in runs):
            raise BadInput(f"{path}: the fit() histories hold no numeric values; expected keys like 'loss', 'val_loss'")
        return runs
