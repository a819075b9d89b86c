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

An epoch is opened by its banner and owns every metric line up to the next one: the train
lines, one per group of batches, are averaged into the epoch's train loss and accuracy; the
eval lines are its validation. The generic reader gave each epoch a run of its own (the
banner reaches only a few lines) and read "eval mean loss" as no loss.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.runs import State

BANNER = re.compile(r"^\s*\*{3,}\s*EPOCH\s+(\d+)\s*\*{3,}\s*$")
_METRIC = re.compile(r"^\s*(eval\s+)?(mean loss|loss|accuracy|avg class acc)\s*:\s*(" + NUM + r")\s*$", re.I)
_NAMES = {"mean loss": "loss", "loss": "loss", "accuracy": "accuracy", "avg class acc": "avg_class_accuracy"}


def handle_banner(state: State, n: int, seg: str) -> bool:
    """An epoch's banner: the metric lines after it are that epoch's (True when it was one)."""
    m = BANNER.match(seg)
    if m is None:
        return False
    epoch = float(m.group(1))
    run = state.run
    if run.records and (run.dialect != "pointnet" or run.last_x is not None and epoch < run.last_x):
        run = state.new_run(n)  # another run in the same file, or another log's lines before it
    if not run.records:
        run.start_line = n
    run.dialect, run.axis = "pointnet", "epoch"
    state.pointnet_epoch, state.pointnet_sums = epoch, {}
    return True


def handle_metric(state: State, n: int, seg: str) -> bool:
    """A metric line inside a banner's epoch (True when it was one)."""
    if state.pointnet_epoch is None or state.run.dialect != "pointnet":
        return False
    m = _METRIC.match(seg)
    if m is None:
        return False
    name = _NAMES[m.group(2).lower()]
    value = float(m.group(3))
    if m.group(1):
        state.run.put(state.pointnet_epoch, {f"val_{name}": value})
    else:  # a group of batches: the epoch's value is the mean of its groups so far
        total, count = state.pointnet_sums.get(name, (0.0, 0))
        state.pointnet_sums[name] = (total + value, count + 1)
        state.run.put(state.pointnet_epoch, {name: (total + value) / (count + 1)})
    state.record_line = n
    return True
