"""OpenMMLab's text logs (mmcv's and mmengine's runners: mmcls/mmpretrain, mmdet, mmseg, mmpose...).

    2022-10-08 17:17:20,545 - mmcls - INFO - Epoch [1][100/5005]  lr: 1.000e-01, eta: .., time: 0.251, data_time: 0.066, memory: 3058, loss: 6.9620
    2022-10-08 17:25:45,647 - mmcls - INFO - Epoch(val) [1][196]  accuracy_top-1: 16.7640, accuracy_top-5: 36.8660
    12/01 10:00:00 - mmengine - INFO - Epoch(train) [1][ 50/391]  lr: 1.0000e-01  eta: ..  loss: 2.1034
    2021-06-01 10:00:00,000 - mmseg - INFO - Iter [50/80000]  lr: 9.997e-03, .., loss: 2.4201
    2021-06-01 10:00:00,000 - mmseg - INFO - Iter(val) [500]  aAcc: 0.8120, mIoU: 0.3310, mAcc: 0.4101

Each train line is the mean over its logging interval: an epoch's value is the mean of its
lines. A validation line is the evaluation at the end of its epoch (or iteration). The log opens
with the whole config, ``loss=dict(type='CrossEntropyLoss')`` and ``max_epochs=100`` among it,
which is no record.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.pairs import clean_pairs, extract_pairs, is_metric_key
from fitdoctor.io.console.patterns import EPOCH_INLINE
from fitdoctor.io.console.runs import State

#: the record's counter: "Epoch [3][100/5005]", "Epoch(train) [3][ 50/391]", "Epoch(val) [3][196]",
#: "Iter [50/80000]", "Iter(val) [500]"
RECORD = re.compile(r"\b(Epoch|Iter)(?:\((train|val|test)\))?\s*\[\s*(\d+)\s*(?:/\s*\d+\s*)?\]"
                    r"(?:\s*\[\s*\d+\s*(?:/\s*\d+\s*)?\])?\s+")
#: the runner's own bookkeeping on a train line
_BOOKKEEPING = frozenset({"lr", "eta", "time", "data_time", "memory", "grad_norm"})


def handle(state: State, n: int, seg: str) -> bool:
    """An OpenMMLab runner's train or validation line (True when it was one)."""
    m = RECORD.search(seg)
    if m is None or " - INFO - " not in seg[:m.start() + 1]:
        return False  # the runner's logger prefix: "<time> - mmcls - INFO - "
    if m.group(1) == "Iter" and EPOCH_INLINE.search(seg, 0, m.start()) is not None:
        # "- INFO - Epoch: [ 0/200] Iter [ 410/1487] || lr: .. || Loss: 1.49" (Fast-SCNN's
        # script, Python's logging prefix): an iteration inside the epoch named before it, not
        # an iteration-based runner's global count (read as one, it began a run at every epoch)
        return False
    pairs = {k: v for k, v in clean_pairs(extract_pairs(seg[m.end():])).items()
             if k.lower() not in _BOOKKEEPING and is_metric_key(k)}
    if not pairs:
        return False
    axis = "epoch" if m.group(1) == "Epoch" else "step"
    x = float(m.group(3))
    if m.group(2) in ("val", "test"):
        state.run_for(n, "openmmlab", axis).put(x, {f"val_{k}": v for k, v in pairs.items()})
    else:
        state.run_for(n, "openmmlab", axis, x).put_mean(x, pairs)
    state.record_line = n
    return True
