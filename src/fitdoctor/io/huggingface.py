"""Hugging Face ``Trainer`` state: ``trainer_state.json`` and output dirs of ``checkpoint-N/``.

Facts from transformers 5 (``TrainerState.save_to_json``: ``json.dumps(asdict(state),
indent=2, sort_keys=True)``, so NaN is written as the bare word ``NaN``):
``log_history`` mixes train entries (``loss``, ``grad_norm``, ``learning_rate``,
``epoch``, ``step``), eval entries (``eval_loss``, ``eval_<metric>``, ``eval_runtime``,
..., ``epoch``, ``step``) and one final summary (``train_runtime``, ``train_loss``, ...)
that is not a curve point. ``epoch`` is fractional; the axis is the optimizer step.
With ``logging_nan_inf_filter=True`` (the default) a NaN/inf step loss is replaced by
the running mean of the window, so a window of only NaN steps is logged as ``0.0``
while ``grad_norm`` shows NaN: the reader looks for that trace.

An output dir holds ``checkpoint-N/trainer_state.json`` (and ``trainer_state.json``
when ``save_state()`` was called); the most advanced state is read and the saved
checkpoint steps are listed in ``meta['checkpoints']``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io._table import AXIS_COLUMNS, evaluated_elsewhere, other_set_note
from fitdoctor.io.base import Reader, decode_text, json_number, looks_binary, read_text, register

STATE_FILE = "trainer_state.json"
CHECKPOINT_RE = re.compile(r"checkpoint-(\d+)")
#: Top-level TrainerState fields copied into meta as they are.
STATE_FIELDS = ("logging_steps", "eval_steps", "save_steps", "global_step", "max_steps",
                "num_train_epochs", "train_batch_size", "best_metric", "best_global_step",
                "best_model_checkpoint")
#: Keys of the end-of-training summary entry (``Trainer.train`` metrics).
SUMMARY_KEYS = ("train_runtime", "train_loss", "train_samples_per_second")
SKIP_KEYS = {"epoch", "step", "total_flos", "num_input_tokens_seen", "num_tokens", "eval_num_tokens"}
#: ``Trainer._maybe_log_save_evaluate`` logs ``round(loss, 4)``: a loss below 5e-5 is logged
#: as 0.0. Zeros right after losses this small are that rounding, not the NaN filter's trace.
ROUNDING_FLOOR = 5e-4


def load_state(path: Path) -> dict[str, Any]:
    """Parse one trainer_state.json; BadInput (one line) on anything that is not one."""
    text = read_text(path)
    if not text.strip():
        raise BadInput(f"{path}: file is empty; expected a Hugging Face trainer_state.json")
    try:
        state = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno} ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else "nesting"
        raise BadInput(f"{path}: invalid JSON at {where}; expected a Hugging Face "
                       "trainer_state.json") from exc
    if not isinstance(state, dict) or not isinstance(state.get("log_history"), list):
        raise BadInput(f"{path}: no 'log_history' list; expected a Hugging Face trainer_state.json "
                       "(TrainerState.save_to_json)")
    return state


def checkpoint_steps(root: Path) -> dict[int, Path]:
    """Saved ``checkpoint-N`` folders under an output dir, by step."""
    out: dict[int, Path] = {}
    try:
        kids = list(root.iterdir())
    except OSError:
        return out
    for d in kids:
        m = CHECKPOINT_RE.fullmatch(d.name)
        if m and d.is_dir():
            out[int(m.group(1))] = d
    return dict(sorted(out.items()))


def state_to_history(state: dict[str, Any], *, source: str) -> RunHistory:
    """A parsed TrainerState -> RunHistory on the step axis."""
    h = RunHistory(meta={"source": source, "format": HuggingFaceReader.name})
    cols: dict[str, tuple[list[float], list[float]]] = {}
    steps_epochs: list[tuple[float, float]] = []
    skipped = 0
    seen: set[str] = set()
    elsewhere = _evaluated_elsewhere(state["log_history"], h)
    for n, entry in enumerate(state["log_history"]):
        if n in elsewhere:
            continue
        if not isinstance(entry, dict):
            skipped += 1
            continue
        seen.update(k for k in entry if isinstance(k, str))
        step = json_number(entry.get("step"))
        if step is None:
            skipped += 1
            continue
        if any(k in entry for k in SUMMARY_KEYS):
            h.meta["train_summary"] = {k: v for k, v in entry.items() if json_number(v) is not None}
            continue
        epoch = json_number(entry.get("epoch"))
        if epoch is not None and epoch > 0 and step > 0:
            steps_epochs.append((step, epoch))
        for key, value in entry.items():
            v = json_number(value)
            if v is None or key in SKIP_KEYS or key.lower() in AXIS_COLUMNS:
                continue
            if key.endswith(("_runtime", "_per_second", "_model_preparation_time")):
                continue
            xs, vs = cols.setdefault(key, ([], []))
            xs.append(step)
            vs.append(v)
    if skipped:
        h.note(f"{skipped} log_history entr{'y' if skipped == 1 else 'ies'} without a step ignored")
    first_set = _first_eval_set(cols, seen)
    names = {k: canonical_name(k) for k in cols}
    if first_set:
        prefix = f"eval_{first_set}_"
        for k in cols:
            if k.startswith(prefix):
                names[k] = canonical_name("eval_" + k[len(prefix):])
        others = sorted({m.group(1) for k in cols if (m := EVAL_SET_LOSS.match(k)) and m.group(1) != first_set})
        h.note(f"eval set {first_set!r} (the first of {len(others) + 1}) read as the validation curves "
               f"({prefix}loss -> val_loss)" + (f"; the others ({', '.join(others[:5])}) are kept "
                                                "as val_<set>_*" if others else ""))
    order = sorted(cols, key=lambda k: (names[k] != "loss", names[k] != "val_loss", k))
    for key in order:
        xs, vs = cols[key]
        h.add(names[key], np.asarray(xs), np.asarray(vs), raw_name=key, axis="step")
    for f in STATE_FIELDS:
        if state.get(f) is not None:
            h.meta[f] = state[f]
    if isinstance(state.get("epoch"), (int, float)):
        h.meta["epochs"] = float(state["epoch"])
    # TrainerControl in the saved callback state: the Trainer was told to stop before its planned
    # end (early stopping); the Trainer sets the same flag at max_steps, the plan's own end
    callbacks = state.get("stateful_callbacks")
    control = callbacks.get("TrainerControl") if isinstance(callbacks, dict) else None
    args = control.get("args") if isinstance(control, dict) else None
    step, planned = state.get("global_step"), state.get("max_steps")
    at_plan_end = isinstance(step, (int, float)) and isinstance(planned, (int, float)) and 0 < planned <= step
    if isinstance(args, dict) and args.get("should_training_stop") is True and not at_plan_end:
        h.meta["early_stopped"] = True
    if steps_epochs:
        h.meta["steps_per_epoch"] = float(np.median([s / e for s, e in steps_epochs]))
    metric = _best_metric_name(state, cols)
    if metric:
        h.meta["metric_for_best_model"] = metric
    _check_nan_filter(h)
    return h


def _evaluated_elsewhere(entries: list[Any], h: RunHistory) -> set[int]:
    """The log_history entries of evaluations on another set (:func:`evaluated_elsewhere`),
    noted on ``h``."""
    evals = [(n, e) for n, e in enumerate(entries) if isinstance(e, dict) and "eval_runtime" in e]
    counts = [(json_number(e.get("eval_runtime")) or 0.0) * (json_number(e.get("eval_samples_per_second")) or 0.0) or None
              for _, e in evals]
    odd = evaluated_elsewhere(counts)
    if odd:
        h.note(other_set_note([f"step {evals[j][1].get('step')}" for j in odd], counts, odd))
    return {evals[j][0] for j in odd}


EVAL_SET_LOSS = re.compile(r"eval_(.+)_loss")


def _first_eval_set(cols: dict[str, tuple[list[float], list[float]]], seen: set[str]) -> str | None:
    """The first named eval set when the Trainer evaluated a dict of datasets, else None.

    ``eval_dataset={"g0": ..., "g1": ...}`` logs ``eval_g0_loss``, ``eval_g0_runtime``, ...
    and no ``eval_loss``: the first set (in log order) stands for validation, as it does
    for ``metric_for_best_model`` by default.
    """
    if "eval_loss" in cols:
        return None
    for key in cols:
        m = EVAL_SET_LOSS.fullmatch(key)
        if m and f"eval_{m.group(1)}_runtime" in seen:
            return m.group(1)
    return None


def _best_metric_name(state: dict[str, Any], cols: dict[str, tuple[list[float], list[float]]]) -> str | None:
    """Which eval key ``best_metric`` came from (TrainerState does not store it)."""
    best = json_number(state.get("best_metric"))
    if best is None:
        return None
    at = json_number(state.get("best_global_step"))
    hits = []
    for key, (xs, vs) in cols.items():
        if not key.startswith("eval_"):
            continue
        for x, v in zip(xs, vs, strict=True):
            if (at is None or x == at) and math.isclose(v, best, rel_tol=1e-9, abs_tol=1e-12):
                hits.append(key)
                break
    if not hits:
        return None
    return "eval_loss" if "eval_loss" in hits else hits[0]


def _check_nan_filter(h: RunHistory) -> None:
    """Find the trace HF's NaN filter leaves: loss exactly 0.0 after non-zero values, NaN grad_norm."""
    loss = h.series.get("loss")
    if loss is None or len(loss) < 2:
        return
    gn = h.series.get("grad_norm")
    bad_gn_steps = set(gn.steps[~np.isfinite(gn.values)].tolist()) if gn is not None else set()
    nonzero = np.flatnonzero(loss.values != 0.0)
    if nonzero.size:
        after = np.arange(len(loss)) > nonzero[0]
        zeros = np.flatnonzero(after & (loss.values == 0.0))
    else:
        zeros = np.array([], dtype=int)
    if zeros.size:
        first = float(loss.steps[zeros[0]])
        prev = loss.values[:zeros[0]][loss.values[:zeros[0]] != 0.0][-1]
        confirmed = [i for i in zeros if float(loss.steps[i]) in bad_gn_steps]
        if not confirmed and abs(prev) <= ROUNDING_FLOOR:
            h.note(f"train loss logged as 0.0 at {zeros.size} step(s) from step {first:g}, right after "
                   f"{prev:.4g}: the Trainer rounds the logged loss to 4 decimals, so these are losses "
                   "below 5e-05, not hidden NaNs" + (" (grad_norm stays finite)" if gn is not None else ""))
            zeros = np.array([], dtype=int)
    if zeros.size:
        h.meta["nan_filter_suspected_from_step"] = first
        if confirmed:
            loss.values = loss.values.copy()
            loss.values[confirmed] = np.nan
            h.note(f"train loss logged as exactly 0.0 at {zeros.size} step(s) from step {first:g} "
                   f"(after {prev:.4g}) while grad_norm was NaN/inf: Hugging Face's "
                   f"logging_nan_inf_filter hid NaN/inf losses; those {len(confirmed)} point(s) "
                   "are read as NaN")
        else:
            h.note(f"train loss logged as exactly 0.0 at {zeros.size} step(s) from step {first:g} "
                   f"(after {prev:.4g}): likely NaN/inf losses hidden by Hugging Face's "
                   "logging_nan_inf_filter (set logging_nan_inf_filter=False to see them)")
    if bad_gn_steps and not (np.isfinite(gn.values[-1]) and np.isfinite(loss.values).all()):
        # (a norm that comes back while every logged loss is finite is a step the loss scaler
        # skipped: the non_finite rule says so, with the run in view)
        first_gn = min(bad_gn_steps)
        h.meta.setdefault("nan_filter_suspected_from_step", first_gn)
        h.note(f"grad_norm is NaN/inf from step {first_gn:g} ({len(bad_gn_steps)} logged point(s)); "
               "the logged train loss hides non-finite steps (logging_nan_inf_filter)")


def _head_is_state(head: bytes) -> bool:
    text = decode_text(head).lstrip()
    return text.startswith("{") and '"log_history"' in text


@register
class HuggingFaceReader(Reader):
    name = "huggingface"
    description = "Hugging Face Trainer trainer_state.json, a checkpoint-N folder or an output dir"
    reads_directories = True
    reads_files = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if path.is_dir():
            # above TensorBoard's 0.95: report_to="tensorboard" also writes runs/ in here,
            # and the trainer state holds the same curves plus eval and checkpoint facts
            if (path / STATE_FILE).is_file():
                return 0.97
            if any((d / STATE_FILE).is_file() for d in checkpoint_steps(path).values()):
                return 0.97
            return 0.0
        if looks_binary(head):
            return 0.0
        if _head_is_state(head):
            return 0.95
        text = decode_text(head).lstrip()
        if path.name == STATE_FILE and text.startswith("{"):
            return 0.6
        return 0.0

    def read(self, path: Path) -> list[RunHistory]:
        if not path.is_dir():
            state = load_state(path)
            h = state_to_history(state, source=str(path))
            ckpt_root = path.parent.parent if CHECKPOINT_RE.fullmatch(path.parent.name) else path.parent
            self._finish(h, path, checkpoint_steps(ckpt_root))
            return [h]
        ckpts = checkpoint_steps(path)
        if not ckpts and CHECKPOINT_RE.fullmatch(path.name):
            ckpts = checkpoint_steps(path.parent)  # one checkpoint folder: list its siblings
            ckpts_here = {}
        else:
            ckpts_here = ckpts
        candidates = [d / STATE_FILE for d in ckpts_here.values() if (d / STATE_FILE).is_file()]
        if (path / STATE_FILE).is_file():
            candidates.append(path / STATE_FILE)
        if not candidates:
            raise BadInput(f"{path}: no trainer_state.json here or in checkpoint-*/ folders; "
                           "expected a Hugging Face Trainer output dir")
        # the most advanced state holds the whole log: highest global_step, then longest log
        best: tuple[tuple, Path, dict] | None = None
        for f in candidates:
            state = load_state(f)
            key = (json_number(state.get("global_step")) or 0.0, len(state["log_history"]), f.parent == path)
            if best is None or key > best[0]:
                best = (key, f, state)
        assert best is not None
        _, f, state = best
        h = state_to_history(state, source=str(f))
        h.meta["run"] = path.name
        self._finish(h, f, ckpts)
        return [h]

    @staticmethod
    def _finish(h: RunHistory, state_file: Path, ckpts: dict[int, Path]) -> None:
        h.meta["state_file"] = str(state_file)
        if ckpts:
            h.meta["checkpoints"] = list(ckpts)
            best = h.meta.get("best_global_step")
            if isinstance(best, (int, float)):
                h.meta["best_checkpoint_saved"] = int(best) in ckpts
        if not h.series:
            raise BadInput(f"{state_file}: log_history holds no loss or eval values; expected entries "
                           "like {'loss': 0.69, 'step': 10}")
