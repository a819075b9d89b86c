"""Metric name -> value pairs from one printed line, and which names are metrics at all."""

from __future__ import annotations

import re

from fitdoctor.io._table import AXIS_COLUMNS
from fitdoctor.io.console.patterns import NUM

_PAIR_EQ = re.compile(r"([A-Za-z_][\w./\-]*)\s*=\s*(" + NUM + r")(?![\w.])")
_WORD = r"[A-Za-z_][\w./\-()@]*"
_PAIR_WORDS = re.compile(r"(?<![^\s|,;\[(])(" + _WORD + r"(?:[ ]" + _WORD + r"){0,3})\s*[:=]?\s*(?<![\w.])("
                         + NUM + r")(?![\w.])")
_KEY_TOKEN = re.compile(r"[_/.\-\s()@]+")
_METRIC_TOKEN = re.compile(
    r"^(?:(?:loss|acc|err|perplexity|precision|recall|score|bleu|rouge|dice|map|miou|top\d|f1|auc|iou)\w*|"
    r"ce|bce|nll|wer|cer|r2|mae|mse|rmse|ppl|ap\d*)$", re.I)
#: Counters, timings and axes that are printed beside metrics but are not curves.
SKIP_KEYS = {"v_num", "eta", "it/s", "s/it", "epoch", "epochs", "step", "global_step", "iter",
             "iteration", "it", "batch", "total", "time", "lr_scale"} | AXIS_COLUMNS

#: Python's float() takes every spelling NUM matches (nan, NaN, inf, -Infinity, 1e-05).
to_float = float


def is_metric_key(key: str) -> bool:
    """A key one of whose tokens names a loss or metric (``val_acc``, ``train loss``, ``mAP50``)."""
    return any(_METRIC_TOKEN.match(t) for t in _KEY_TOKEN.split(key) if t)


_KEY_CACHE: dict[str, str] = {}


def _norm_key(key: str) -> str:
    got = _KEY_CACHE.get(key)
    if got is None:
        got = re.sub(r"\s+", "_", key.strip()).strip("_")
        if len(_KEY_CACHE) < 10000:
            _KEY_CACHE[key] = got
    return got


_SKIP_CACHE: dict[str, bool] = {}


def skipped(key: str) -> bool:
    """A counter or timing (``eta``, ``it/s``, ``total_epochs``), or a running best (``Best Valid
    accuracy``: derived from the curve, not a measurement of its own), not a curve."""
    got = _SKIP_CACHE.get(key)
    if got is None:
        low = key.lower()
        got = low in SKIP_KEYS or low.endswith(("epochs", "_steps")) or low.startswith("best_")
        if len(_SKIP_CACHE) < 10000:
            _SKIP_CACHE[key] = got
    return got


def extract_pairs(segment: str) -> dict[str, float]:
    """Metric name -> value from one printed line, in any of the spellings above.

    ``key=value`` pairs win when present (tqdm postfixes, ``key=value`` prints); otherwise
    ``name: value`` / ``name value`` where the name is one or more words that start with a
    letter (``train loss 0.41``, ``val_acc: 0.81``), so ``12ms/step`` or ``0s`` never count.
    """
    eq = _PAIR_EQ.findall(segment)
    pairs: dict[str, float] = {}
    for k, v in eq or _PAIR_WORDS.findall(segment):
        pairs[_norm_key(k)] = to_float(v)
    return pairs


def clean_pairs(pairs: dict[str, float]) -> dict[str, float]:
    """``pairs`` without counters and timings; Lightning's ``_step`` twin of an ``_epoch`` key dropped."""
    out = {k: v for k, v in pairs.items() if not skipped(k)}
    # Lightning shows both train_loss_step and train_loss_epoch: the epoch mean is the curve.
    for k in list(out):
        if k.endswith("_step") and (k[:-5] + "_epoch") in out:
            del out[k]
    return out
