"""CoNLL evaluation blocks of NER trainers (zjy-ucas/ChineseNER and its many forks):

    ... INFO - evaluate:dev
    ... INFO - processed 74542 tokens with 5600 phrases; found: 5612 phrases; correct: 5560.
    ... INFO - accuracy:  99.87%; precision:  99.07%; recall:  99.29%; FB1:  99.18
    ... INFO -            FOREST: precision:  99.20%; recall:  99.41%; FB1:  99.30  2873
    ... INFO - evaluate:test
    ...

A block with no "evaluate:" line before its "processed .. tokens with .. phrases" line (a fork
that logs the same scores on its own "Iter: 18700 | Dev Loss: .. | Dev F1-macro: .." lines) names
no split: its lines are left out, so they neither start runs of their own nor pass for training
output.

Each "evaluate:dev" block is one evaluation: its overall line is the validation's accuracy,
precision, recall and F1, the per-type lines under it are left out, and a "test" block right
after it is that evaluation's test score. After a trainer's own lines ("iteration:1
step:100/1044, NER loss:38.2") it closes that iteration in the same run; alone, evaluations
are counted.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import State

_MARK = re.compile(r"\bevaluate\s*:\s*(dev|val|valid|validation|test)\s*$", re.I)
_OVERALL = re.compile(r"\baccuracy:\s*(" + NUM + r")%;\s*precision:\s*(" + NUM + r")%;\s*recall:\s*("
                      + NUM + r")%;\s*FB1:\s*(" + NUM + r")")
_PER_TYPE = re.compile(r"\bprecision:\s*" + NUM + r"%;\s*recall:")
_PROCESSED = re.compile(r"\bprocessed\s+\d+\s+tokens\s+with\s+\d+\s+phrases;")
#: the split of a block that named none (its lines are left out)
UNMARKED = "unmarked"


def handle(state: State, n: int, seg: str) -> bool:
    """A line of an evaluation block (True when it was one)."""
    m = _MARK.search(seg)
    if m is not None:
        split = "test" if m.group(1).lower() == "test" else "val"
        run = state.run
        if split == "val":
            state.conll_evals += 1
            if run.records and run.dialect == "generic" and run.last_x is not None:
                # "iteration:1 step:1000/1044, NER loss: 4.1" lines before it: the evaluation
                # that closes that iteration, in the same run (at the pass's end, where its
                # batch lines sit at their fraction of it)
                passed = run.pass_progress
                state.conll_x = float(passed[0]) if passed is not None and passed[0] >= 1 else run.last_x
            else:
                state.run_for(n, "conlleval", "evaluation")
                state.conll_x = float(state.conll_evals)
        state.conll_split = split
        return True
    if _PROCESSED.search(seg) is not None and state.conll_split in (None, UNMARKED):
        state.conll_split = UNMARKED
        return True
    if state.conll_split == UNMARKED:
        if _OVERALL.search(seg) is not None or _PER_TYPE.search(seg) is not None:
            return True
        state.conll_split = None  # the block ended
        return False
    if state.conll_split is None or state.conll_x is None:
        return False
    o = _OVERALL.search(seg)
    if o is not None:
        acc, prec, rec, f1 = (float(g) / 100.0 for g in o.groups())  # all four printed in percent
        p = state.conll_split
        state.run.put(state.conll_x, {f"{p}_accuracy": acc, f"{p}_precision": prec, f"{p}_recall": rec, f"{p}_f1": f1})
        state.record_line = n
        return True
    return _PER_TYPE.search(seg) is not None  # one entity type's score: not a curve of the run
