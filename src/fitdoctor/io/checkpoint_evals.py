"""Evaluations of saved checkpoints, one JSON object keyed by checkpoint:

    {"openai_whisper-large-v3": {"cer": 0.115, "wer": 0.354, "per_speaker": {...}},
     "output_checkpoint-69":    {"cer": 0.059, "wer": 0.207, "per_speaker": {...}},
     "output_checkpoint-138":   {"cer": 0.316, "wer": 0.419, ...}, ...}

(a script that loads each ``checkpoint-N`` a Trainer saved and scores it on held-out data).
The number in a key is the step the checkpoint was saved at; the checkpoints are read in that
order, and their numbers are held-out scores, so they are validation curves. A first key with no
step (the model the fine-tune started from) is its score at step 0; other keys without one
(``best``, ``final``) are left out with a note, as are nested values (per-speaker scores).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io.base import json_number

#: a checkpoint's name ending in its step: "checkpoint-1104", "output_checkpoint-69", "ckpt_500"
CHECKPOINT_KEY = re.compile(r"(?:checkpoint|ckpt)[-_]?(\d+)$", re.I)
#: the head of such a file: an object whose keys name checkpoints and hold objects
CHECKPOINT_HEAD = re.compile(r'"[^"\n]{0,200}(?:checkpoint|ckpt)[-_]?\d+"\s*:\s*\{', re.I)
#: fewer checkpoints than this are no curve
MIN_CHECKPOINTS = 3
#: a score's name that already says which data it is on
_SPLIT_LED = re.compile(r"^(?:train|training|val|valid|validation|eval|test|dev)[_/ ]", re.I)


def _scores(value: Any) -> dict[str, float]:
    """The numbers an evaluation holds at its top level (nested objects are per-group detail)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): n for k, v in value.items() if (n := json_number(v)) is not None}


def checkpoint_history(data: Any, path: Path, fmt: str) -> RunHistory | None:
    """The run of a JSON object keyed by checkpoint (see the module's docstring), or None when
    ``data`` is no such object."""
    if not isinstance(data, dict):
        return None
    steps = {k: int(m.group(1)) for k in data if (m := CHECKPOINT_KEY.search(str(k)))}
    if len(steps) < MIN_CHECKPOINTS or not all(_scores(data[k]) for k in steps):
        return None
    keys = list(data)
    points = sorted((s, k) for k, s in steps.items())
    notes = []
    base = None
    if keys[0] not in steps and _scores(data[keys[0]]) and 0 < points[0][0]:
        base = keys[0]
        points.insert(0, (0, base))
        notes.append(f"{base!r}, the first entry and no checkpoint, read as the model before training (step 0)")
    left = [k for k in keys if k not in steps and k != base]
    if left:
        notes.append(f"left out {len(left)} entr{'y' if len(left) == 1 else 'ies'} that name no checkpoint "
                     f"({', '.join(map(repr, left[:3]))})")
    h = RunHistory(meta={"source": str(path), "format": fmt})
    scores = {k: _scores(data[k]) for _, k in points}
    for name in sorted({n for row in scores.values() for n in row}):
        xs = [float(s) for s, k in points if name in scores[k]]
        ys = [scores[k][name] for s, k in points if name in scores[k]]
        raw = name if _SPLIT_LED.match(name) else f"val_{name}"
        h.add(canonical_name(raw), np.asarray(xs), np.asarray(ys), raw_name=name, axis="step")
    nested = sorted({str(k) for _, key in points for k, v in data[key].items() if isinstance(v, (dict, list))})
    if nested:
        notes.append(f"nested values left out ({', '.join(nested[:3])})")
    h.note(f"evaluations of {len(steps)} saved checkpoints, keyed by name: read in the order of the step each "
           "name ends in, their scores as validation curves (held-out evaluations)")
    for n in notes:
        h.note(n)
    return h
