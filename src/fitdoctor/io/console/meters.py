"""PyTorch's ImageNet example and the many scripts built on its AverageMeter / ProgressMeter.

    Epoch: [0][  10/5005]   Time  0.31 ( 0.52)  Data ..  Loss 6.91e+00 (6.93e+00)  Acc@1   0.00 (  0.10)
    Test: [ 10/196]  Time ..  Loss 6.52e+00 (6.60e+00)  Acc@1   1.56 (  1.20)  Acc@5 ..
     * Acc@1 1.234 Acc@5 5.678

(older copies print ``Prec@1``; some name the split up front, ``TRAINING - Epoch: [0][10/97]`` and
``EVALUATING - Epoch: [0][0/20]``, and close the epoch with ``Training Loss 1.93  ..  Validation
Loss 1.71``). Each meter prints the batch's value and, in parentheses, its running average over the
epoch: the average on the epoch's last line is the epoch's value, as an epoch-averaged loss is.
The generic reader took each line's batch value and started a new run at every evaluation.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.pairs import clean_pairs, extract_pairs, is_metric_key
from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import State

#: "Epoch: [3][ 120/5005]", "TRAINING - Epoch: [3][120/97]", "EVALUATING - Epoch: [3][0/20]"
TRAIN_LINE = re.compile(r"^\s*(?:([A-Za-z]+)\s*-\s*)?Epoch:?\s*\[\s*(\d+)\s*\]\s*\[\s*\d+\s*/\s*\d+\s*\]")
#: "Test: [ 10/196]", "Val: [10/20]", "Validation: [3/50]"
EVAL_LINE = re.compile(r"^\s*(?:test|val|valid|validation|eval|evaluation|evaluating)\s*:?\s*\[\s*\d+\s*/\s*\d+\s*\]", re.I)
#: " * Acc@1 75.120 Acc@5 92.300": the evaluation's summary
SUMMARY_LINE = re.compile(r"^\s*\*\s+\S")
#: "Loss 6.91e+00 (6.93e+00)": a meter's batch value and its running average
_METER = re.compile(r"([A-Za-z][\w@.\-]*)\s+" + NUM + r"\s*\(\s*(" + NUM + r")\s*\)")
_EVAL_WORDS = ("eval", "val", "test")
#: a closing summary's split words ("Training Loss .. Validation Loss ..")
_SPLIT_KEY = re.compile(r"^(train(?:ing)?|val(?:id(?:ation)?)?|eval(?:uation)?|test)_(.+)$", re.I)


def _averages(seg: str, prefix: str) -> dict[str, float]:
    return {prefix + m.group(1): float(m.group(2)) for m in _METER.finditer(seg) if is_metric_key(m.group(1))}


def handle(state: State, n: int, seg: str) -> bool:
    """A meter line, an evaluation's summary or an epoch's closing summary inside a meter log
    (True when it was one)."""
    m = TRAIN_LINE.match(seg)
    if m is not None:
        evaluating = (m.group(1) or "").lower().startswith(_EVAL_WORDS)
        pairs = _averages(seg[m.end():], "val_" if evaluating else "")
        if not pairs:
            return False
        epoch = float(m.group(2))
        state.run_for(n, "meters", "epoch", None if evaluating else epoch).put(epoch, pairs)
        state.meter_epoch, state.record_line = epoch, n
        return True
    if state.meter_epoch is None or state.run.dialect != "meters":
        return False
    if EVAL_LINE.match(seg) is not None:
        pairs = _averages(seg, "val_")
    elif SUMMARY_LINE.match(seg) is not None:
        pairs = {f"val_{k}": v for k, v in clean_pairs(extract_pairs(seg.lstrip(" *"))).items()}
    else:
        found = clean_pairs(extract_pairs(seg))
        split = {k: _SPLIT_KEY.match(k) for k in found}
        if not found or not all(split.values()):
            return False
        # "Training Loss 1.93  Training Prec@1 26.8  Validation Loss 1.71": the epoch's own summary
        pairs = {("" if s.group(1).lower().startswith("train") else "val_") + s.group(2): found[k]
                 for k, s in split.items() if s is not None}
    if not pairs:
        return False
    state.run.put(state.meter_epoch, pairs)
    state.record_line = n
    return True
