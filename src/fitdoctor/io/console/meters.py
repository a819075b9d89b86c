"""PyTorch's ImageNet example and the many scripts built on its AverageMeter / ProgressMeter.

    Epoch: [0][  10/5005]   Time  0.31 ( 0.52)  Data ..  Loss 6.91e+00 (6.93e+00)  Acc@1   0.00 (  0.10)
    Test: [ 10/196]  Time ..  Loss 6.52e+00 (6.60e+00)  Acc@1   1.56 (  1.20)  Acc@5 ..
     * Acc@1 1.234 Acc@5 5.678

timm's ``train.py`` prints the same meters with colons, its epoch before the batch counter:

    Train: 35 [ 200/390 ( 51%)]  Loss: 7.922 (8.33)  Time: 0.519s ..  LR: 4.837e-02
    Test: [  78/78]  Time: 0.162 (0.216)  Loss:  2.9286 (2.5891)  Acc@1: 37.5000 (38.9600)

(older copies print ``Prec@1``; some name the split up front, ``TRAINING - Epoch: [0][10/97]`` and
``EVALUATING - Epoch: [0][0/20]``, and close the epoch with ``Training Loss 1.93  ..  Validation
Loss 1.71``). Each meter prints the batch's value and, in parentheses, its running average over the
epoch: the average on the epoch's last line is the epoch's value, as an epoch-averaged loss is.
The generic reader took each line's batch value and started a new run at every evaluation.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.generic import without_log_prefix
from fitdoctor.io.console.pairs import clean_pairs, extract_pairs, is_metric_key
from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import Run, State

#: "Epoch: [3][ 120/5005]", "TRAINING - Epoch: [3][120/97]", "EVALUATING - Epoch: [3][0/20]"
TRAIN_LINE = re.compile(r"^\s*(?:([A-Za-z]+)\s*-\s*)?Epoch:?\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]")
#: timm's: "Train: 35 [ 200/390 ( 51%)]" (the epoch, then the batch counter)
TIMM_TRAIN_LINE = re.compile(r"^\s*Train:\s*(\d+)\s*\[\s*(\d+)\s*/\s*(\d+)\s*(?:\(\s*\d+%\s*\))?\s*\]")
#: "Test: [ 10/196]", "Val: [10/20]", "Validation: [3/50]"
EVAL_LINE = re.compile(r"^\s*(?:test|val|valid|validation|eval|evaluation|evaluating)\s*:?\s*\[\s*\d+\s*/\s*\d+\s*\]", re.I)
#: " * Acc@1 75.120 Acc@5 92.300": the evaluation's summary
SUMMARY_LINE = re.compile(r"^\s*\*\s+\S")
#: "Loss 6.91e+00 (6.93e+00)": a meter's batch value and its running average
_METER = re.compile(r"([A-Za-z][\w@.\-]*):?\s+" + NUM + r"\s*\(\s*(" + NUM + r")\s*\)")
_EVAL_WORDS = ("eval", "val", "test")
#: a line of nothing but "name: value" pairs whose names are metrics' ("giou: 0.239, ciou: 0.146")
_BARE_PAIRS = re.compile(r"^\s*(?:[A-Za-z][\w@.\-]*\s*[:=]\s*" + NUM + r"\s*(?:[,;|]|\s-\s)?\s*)+$")
#: a title before a line of metrics ("Compute Scores: Recall@1: 49.76 - AP: 54.99", the title
#: printed on its own line and joined to the next as a wrapped one)
_TITLE = re.compile(r"^\s*[A-Za-z][A-Za-z ]{0,40}:\s+(?=[A-Za-z][\w@.\-]*\s*[:=]\s*[-+.\d])")
#: a word naming a split or a counter: a line inside a meter log without one is a script's own
#: debug print ("loss_dro_s,loss_sat_s 7.1867 5.5163" after each meter line), not a record
_SPLIT_OR_COUNTER = re.compile(r"(?:train|val|valid|test|eval|epoch|iter|step)", re.I)
#: a closing summary's split words ("Training Loss .. Validation Loss ..")
_SPLIT_KEY = re.compile(r"^(train(?:ing)?|val(?:id(?:ation)?)?|eval(?:uation)?|test)_(.+)$", re.I)


def _averages(seg: str, prefix: str) -> dict[str, float]:
    return {prefix + m.group(1): float(m.group(2)) for m in _METER.finditer(seg) if is_metric_key(m.group(1))}


def is_debug_print(state: State, seg: str) -> bool:
    """Inside a meter log, a line no meter rule took that names no split and no counter: a debug
    print between the meter lines. Read by the generic reader, each one opened a run of its own
    between two meter lines (a retrieval log read as 1,920 one-line runs)."""
    return state.meter_epoch is not None and state.run.dialect == "meters" \
        and _SPLIT_OR_COUNTER.search(seg) is None


def _meter_line(seg: str) -> tuple[str, str, str, int] | None:
    """(split word or "", epoch, batch, where the meters start) of a meter line, or None."""
    m = TRAIN_LINE.match(seg)
    if m is not None:
        return m.group(1) or "", m.group(2), m.group(3), m.end()
    m = TIMM_TRAIN_LINE.match(seg)
    if m is not None:
        return "", m.group(1), m.group(2), m.end()
    return None


def handle(state: State, n: int, seg: str) -> bool:
    """A meter line, an evaluation's summary or an epoch's closing summary inside a meter log
    (True when it was one)."""
    seg = without_log_prefix(seg)  # timm logs through Python's logging
    line = _meter_line(seg)
    if line is not None:
        split, epoch_s, batch, end = line
        evaluating = split.lower().startswith(_EVAL_WORDS)
        pairs = _averages(seg[end:], "val_" if evaluating else "")
        if not pairs:
            return False
        epoch = float(epoch_s)
        cur = state.run
        if not evaluating and cur.dialect == "meters" and cur.records and cur.last_x is not None \
                and epoch > cur.last_x + 1:
            # the counter skips ahead (22, then 35): a relaunch from a checkpoint another run left,
            # not this run's next epoch (a resume at the epoch it reached joins it again later)
            state.new_run(n)
        run = state.run_for(n, "meters", "epoch", None if evaluating else epoch)
        run.put(epoch, pairs)
        if not evaluating:
            run.meter_batches[epoch] = int(batch)
        state.meter_epoch, state.record_line = epoch, n
        return True
    if state.meter_epoch is None or state.run.dialect != "meters":
        return False
    if EVAL_LINE.match(seg) is not None:
        pairs = _averages(seg, "val_")
    elif SUMMARY_LINE.match(seg) is not None:
        pairs = {f"val_{k}": v for k, v in clean_pairs(extract_pairs(seg.lstrip(" *"))).items()}
    elif _BARE_PAIRS.match(seg := _TITLE.sub("", seg, count=1)) is not None:
        # "giou: 0.2390, ciou: 0.1459": nothing but metrics, after the epoch's meter lines (which
        # carry the training values): the evaluation's summary, as LISA's validate() prints it
        found = clean_pairs(extract_pairs(seg))
        if len(found) == 1 and not is_metric_key(next(iter(found))):
            return False  # a lone setting ("crop_pct: 0.875", timm's data config at a restart)
        pairs = {f"val_{k}": v for k, v in found.items() if not _SPLIT_KEY.match(k)}
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


def drop_unfinished_epoch(run: Run) -> None:
    """A log that stops inside an epoch ("Epoch: [15][13/32]" last, where every epoch before
    printed up to batch 32) holds no value for it: the running averages of its first batches
    are not the epoch's mean, and read as one they make a train loss that fell through epoch 14
    look as if it turned. Its training values are left out, with a note. (An epoch's last
    printed batch need not be its total: the ImageNet example prints every 10th, up to 5000 of
    5005; the epochs before say how far a whole one gets.)"""
    if run.dialect != "meters" or len(run.meter_batches) < 2:
        return
    *before, (epoch, done) = run.meter_batches.items()
    reached = max(b for _, b in before)
    rec = run.records.get(epoch)
    if done >= reached or rec is None:
        return
    for key in [k for k in rec if not k.startswith("val_")]:
        del rec[key]
    if not rec:
        del run.records[epoch]
    run.notes.append(f"epoch {epoch:g} stops at batch {done}, short of the {reached} each epoch before reached: its "
                     "training values are left out")
