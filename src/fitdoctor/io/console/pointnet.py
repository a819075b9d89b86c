"""PointNet's log_train.txt (charlesq34/pointnet, pointnet2 and their many forks).

    **** EPOCH 003 ****
    ----0-----
    mean loss: 0.145619
    accuracy: 0.948730
    ----1-----
    ...
    ---- EPOCH 003 EVALUATION ----        (pointnet2; pointnet prints "----0-----" lines)
    eval mean loss: 0.514822
    eval accuracy: 0.874188
    eval avg class acc: 0.846904

(and forks that open each epoch with "-----3------" and print "train_mean loss:",
"test_mean loss:"; Frustum PointNet's, which numbers its groups " -- 010 / 2297 --" and logs
more metrics the same way: "segmentation accuracy: 0.54", "box IoU (ground/3D): 0.08 / 0.04",
"eval box estimation accuracy (IoU=0.7): 0.31").

An epoch is opened by its banner and owns every metric line up to the next one: the train
lines, one per group of batches, are averaged into the epoch's train loss and accuracy; the
eval lines are its validation. The generic reader gave each epoch a run of its own (the
banner reaches only a few lines) and read "eval mean loss" as no loss.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.generic import progress_point_for
from fitdoctor.io.console.pairs import is_metric_key
from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import State

BANNER = re.compile(r"^\s*\*{3,}\s*EPOCH\s+(\d+)(?:\s*/\s*(\d+))?\s*\*{3,}\s*$")
#: a split's tag in brackets before a metric line: "[TRAIN] mean loss: 25.24", "[VAL] mean acc: 0.41"
_SPLIT_TAG = r"\[(?:train|val|eval|test)\]\s*"
#: a fork's epoch marker, "-----3------", with "train_mean loss:" / "test_mean loss:" under it;
#: inside a banner's epoch the same dashes number groups of batches instead
DASH_MARK = re.compile(r"^\s*-{3,}\s*(\d+)\s*-{3,}\s*$")
_METRIC = re.compile(r"^\s*(" + _SPLIT_TAG + r"|eval\s+|eval_|test_|val_|train_)?(mean loss|loss|accuracy|avg class acc)\s*:\s*(" + NUM
                     + r")\s*$", re.I)
_NAMES = {"mean loss": "loss", "loss": "loss", "accuracy": "accuracy", "avg class acc": "avg_class_accuracy"}
#: any "name: value" line inside an epoch, the ones above included ("segmentation accuracy: 0.54";
#: a pair such as "box IoU (ground/3D): 0.08 / 0.04" gives its first value; a parenthesis only
#: qualifies the name)
_ANY_METRIC = re.compile(r"^\s*(" + _SPLIT_TAG + r"|eval\s+|eval_|test_|val_|train_)?([A-Za-z][A-Za-z0-9 _]*?)\s*(?:\([^()]*\))?\s*:\s*("
                           + NUM + r")(?:\s*/\s*" + NUM + r")?\s*$", re.I)
#: the lines that only mark a place inside an epoch: a group of batches ("----0-----",
#: " ---- batch: 050 ----", " -- 010 / 2297 --") and the evaluation's header
#: ("---- EPOCH 003 EVALUATION ----")
_PLACE_MARK = re.compile(r"^\s*-{2,}\s*(?:(?:batch\s*:?\s*)?\d+(?:\s*/\s*\d+)?|EPOCH\s+\d+\s+EVALUATION)\s*-{2,}\s*$",
                         re.I)


def handle_banner(state: State, n: int, seg: str) -> bool:
    """An epoch's banner: the metric lines after it are that epoch's (True when it was one)."""
    m = BANNER.match(seg)
    if m is None:
        return False
    _open_epoch(state, n, float(m.group(1)), banner=True)
    if m.group(2):  # "**** EPOCH 000 / 149 ****": the last epoch of the plan, counted as the banner counts
        last = int(m.group(2))
        state.run.last_header = int(m.group(1))
        state.run.header_total = last + 1 if m.group(1).startswith("0") else last
    return True


def _open_epoch(state: State, n: int, epoch: float, *, banner: bool) -> None:
    """The metric lines from here on are ``epoch``'s (a new run when the epochs start again, or
    after another log's lines)."""
    run = state.run
    if run.dialect == "pointnet" and run.records and state.pointnet_epoch is not None and epoch <= state.pointnet_epoch:
        state.new_run(n)  # the same epoch's banner again: the script started over
    state.run_for(n, "pointnet", "epoch", epoch)
    state.pointnet_epoch, state.pointnet_banner = epoch, banner


def handle_dash_mark(state: State, n: int, seg: str, following: str) -> bool:
    """A fork's "-----3------" epoch marker, when no banner opened the run and the line after it
    is a split-prefixed metric ("train_mean loss: 2.518418"): handled like a banner."""
    m = DASH_MARK.match(seg)
    if m is None or state.run.dialect == "pointnet" and state.pointnet_banner:
        return False
    if state.run.dialect != "pointnet" and not _METRIC.match(following or ""):
        return False
    _open_epoch(state, n, float(m.group(1)), banner=False)
    return True


def handle_metric(state: State, n: int, seg: str) -> bool:
    """A metric line inside a banner's epoch (True when it was one)."""
    if state.pointnet_epoch is None or state.run.dialect != "pointnet":
        return False
    if _PLACE_MARK.match(seg):
        state.record_line = n
        return True
    m = _ANY_METRIC.match(seg)
    if m is None:
        return False
    words = m.group(2).lower().strip()
    if not is_metric_key(words):
        return False  # a setting printed when a run starts again ("Batch size: 2", "max_epoch: 150")
    name = _NAMES.get(words) or re.sub(r"\W+", "_", words).strip("_")
    value = float(m.group(3))
    split = (m.group(1) or "").strip().strip("[]").rstrip("_").lower()
    if split and split != "train":  # eval, val and a fork's test_: the epoch's evaluation
        state.run.put(state.pointnet_epoch, {f"val_{name}": value})
    else:  # a group of batches: the epoch's value is the mean of its groups so far
        run = state.run
        run.put_mean(state.pointnet_epoch, {name: value})
        point = progress_point_for(state, n, state.pointnet_epoch)
        if point is not None and len(run.records) == 1:
            # under a line that says how far into the epoch it is ("[TRAIN] Epoch 000 | batch
            # 0010/9565 (0.1%)"): kept at that point too, for a run that stops inside this epoch
            run.first_epoch_points.setdefault(point, {})[name] = value
    state.record_line = n
    return True
