"""One metric per line, named with its split and its position: "Valid MRR at step 10000:
0.729632", "Training average loss at step 100: 1.286299" (the knowledge-graph embedding
trainers that grew out of RotatE's ``codes/run.py``, and loggers written after them)."""

from __future__ import annotations

import re

from fitdoctor.io.console.generic import split_prefix
from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import State

#: the split word, an optional "average"/"mean", the metric's name (one or two words), "at
#: step|epoch|iteration N", a colon and the value, ending the line
AT_STEP = re.compile(r"\b(?P<split>Training|Train|Validation|Valid|Val|Evaluation|Eval|Test|Dev)"
                     r"(?:\s+(?:average|avg|mean))?\s+(?P<name>[A-Za-z][\w@/.-]*(?:\s[A-Za-z][\w@/.-]*)?)"
                     r"\s+at\s+(?P<axis>step|epoch|iter(?:ation)?)\s+(?P<x>\d+)\s*:\s*(?P<value>" + NUM + r")\s*$",
                     re.I)


def handle(state: State, n: int, seg: str) -> bool:
    """Read a "<split> <metric> at step N: value" line; False when ``seg`` is not one.

    Train metrics keep their name (the train loss is ``loss``), the others take their split's
    prefix (``val_mrr``, ``test_hits@10``). A step counter that goes back begins a new run."""
    m = AT_STEP.search(seg)
    if m is None:
        return False
    split = split_prefix(m.group("split"))
    name = re.sub(r"\s+", "_", m.group("name").strip()).lower()
    key = name if split == "train" else f"{split}_{name}"
    axis = "epoch" if m.group("axis").lower() == "epoch" else "step"
    x = float(m.group("x"))
    state.run_for(n, "at_step", axis, x).put(x, {key: float(m.group("value"))})
    state.record_line = n
    return True
