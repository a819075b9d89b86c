"""Hugging Face Trainer's printed dicts: ``{'loss': 0.69, 'learning_rate': 5e-05, 'epoch': 0.5}``.

``{'eval_loss': ...}`` lines join the same run; the end-of-training summary (whose
``train_loss`` is the mean over the run) is skipped.
"""

from __future__ import annotations

import ast

from fitdoctor.io.console.pairs import clean_pairs, to_float
from fitdoctor.io.console.runs import State

#: HF Trainer's end-of-training summary: its 'train_loss' is the mean over the run.
HF_SUMMARY_KEYS = {"train_runtime", "train_samples_per_second", "total_flos"}
_MAX_DICT_CHARS = 4000


def hf_dict(segment: str) -> dict | None:
    """The numbers of a printed Python dict, or None when ``segment`` is not one."""
    s = segment.strip()
    if not (s.startswith("{") and s.endswith("}")) or len(s) > _MAX_DICT_CHARS or ":" not in s:
        return None
    try:
        d = ast.literal_eval(s)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    if not isinstance(d, dict) or not all(isinstance(k, str) for k in d):
        return None
    out: dict = {}
    for k, v in d.items():
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            out[k] = float(v)
        elif isinstance(v, str):
            try:
                out[k] = to_float(v.strip())
            except ValueError:
                continue
    return out


def handle_dict(state: State, n: int, d: dict) -> None:
    if HF_SUMMARY_KEYS & d.keys():
        state.skipped_summary = True
        return
    pairs = clean_pairs({k: v for k, v in d.items() if k != "epoch" and k != "step"})
    pairs = {k: v for k, v in pairs.items() if not k.endswith(("_runtime", "_per_second"))}
    if not pairs:
        return
    run = state.run
    if "epoch" in d:
        x, axis = d["epoch"], "epoch"
    elif "step" in d:
        x, axis = d["step"], "step"
    else:
        state.seq += 1
        x, axis = float(state.seq), "epoch"
    if run.records and (run.dialect != "hf" or (run.last_x is not None and x < run.last_x - 1e-9)):
        run = state.new_run(n)
    run.dialect, run.axis = "hf", axis
    if not run.records:
        run.start_line = n
    run.put(float(x), pairs)
