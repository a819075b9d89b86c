"""One metric per line, named with its split and its position: "Valid MRR at step 10000:
0.729632", "Training average loss at step 100: 1.286299" (the knowledge-graph embedding
trainers that grew out of RotatE's ``codes/run.py``, and loggers written after them); or with
no split word, a loss or score of the training loop: "Loss at step 1: 8.499695" (a seq2seq
question generator's log)."""

from __future__ import annotations

import re

from fitdoctor.io.console.epoch_phrase import METRIC_NAME
from fitdoctor.io.console.generic import split_prefix
from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import State

#: the split word, an optional "average"/"mean", the metric's name (one or two words), "at
#: step|epoch|iteration N", a colon and the value, ending the line
AT_STEP = re.compile(r"(?:\b(?P<split>Training|Train|Validation|Valid|Val|Evaluation|Eval|Test|Dev)"
                     r"(?:\s+(?:average|avg|mean))?\s+|(?<![\w@/.-]))(?P<name>[A-Za-z][\w@/.-]*(?:\s[A-Za-z][\w@/.-]*)?)"
                     r"\s+at\s+(?P<axis>step|epoch|iter(?:ation)?)\s+(?P<x>\d+)\s*:\s*(?P<value>" + NUM + r")\s*$",
                     re.I)


#: a logger's level before the message, never part of a metric's name
_LOG_LEVELS = {"info", "debug", "warning", "warn", "error", "critical"}


def handle(state: State, n: int, seg: str) -> bool:
    """Read a "<split> <metric> at step N: value" line; False when ``seg`` is not one.

    Train metrics keep their name (the train loss is ``loss``), the others take their split's
    prefix (``val_mrr``, ``test_hits@10``). A step counter that goes back begins a new run."""
    m = AT_STEP.search(seg)
    words = _metric_words(m)
    if m is None or words is None:
        return False
    split = split_prefix(m.group("split")) if m.group("split") else "train"
    name = "_".join(words).lower()
    key = name if split == "train" else f"{split}_{name}"
    axis = "epoch" if m.group("axis").lower() == "epoch" else "step"
    x = float(m.group("x"))
    state.run_for(n, "at_step", axis, x).put(x, {key: float(m.group("value"))})
    state.record_line = n
    return True


def at_step_line(line: str) -> bool:
    """A line :func:`handle` reads (the sniffer's test)."""
    return _metric_words(AT_STEP.search(line)) is not None


def _metric_words(m: re.Match[str] | None) -> list[str] | None:
    """The metric's name as words; with no split word, the training loop's own loss or score
    after a logger's level ("INFO Loss"), or None where the words name no metric ("Saved
    checkpoint at step 100: 3")."""
    if m is None:
        return None
    words = m.group("name").split()
    if m.group("split") is not None:
        return words
    if len(words) > 1 and words[0].lower() in _LOG_LEVELS:
        words = words[1:]
    return words if METRIC_NAME.search(" ".join(words)) else None
