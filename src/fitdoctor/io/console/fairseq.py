"""fairseq's training logs written with ``--log-format json`` (hydra's logging prefix):

    [2022-06-06 09:18:44,886][train_inner][INFO] - {"epoch": 1, "update": 0.252, "loss": "0.264", "accuracy": "27.394", ..., "num_updates": "200", "lr": "1.099e-06", ...}
    [2022-06-06 09:20:28,960][valid][INFO] - {"epoch": 1, "valid_loss": "0.267", "valid_accuracy": "21.537", ..., "valid_num_updates": "794"}
    [2022-06-06 09:20:30,995][train][INFO] - {"epoch": 1, "train_loss": "0.263", ..., "train_num_updates": "794"}

Each record is a JSON object whose values are strings. Records sit on the optimizer's update
count: a run validated several times per epoch (``--validate-interval-updates``) has several
validations with the same epoch, so the epoch alone would fold them into one. ``train_inner`` is
the mean over its logging interval; the epoch's own ``train`` summary repeats those batches and is
left out where ``train_inner`` lines are logged (it would be a second train curve).
"""

from __future__ import annotations

import json
import re

from fitdoctor.io.console.pairs import clean_pairs, is_metric_key
from fitdoctor.io.console.runs import State

#: "][train_inner][INFO] - {", "][valid][INFO] - {", "][valid_test][INFO] - {"
RECORD = re.compile(r"\]\[(train_inner|train|valid\w*)\]\[INFO\] - (\{.*\})\s*$")
#: the trainer's bookkeeping: throughput, batch sizes, wall clock, memory, loss scale
_BOOKKEEPING = frozenset({"wps", "ups", "wpb", "bsz", "train_wall", "gb_free", "wall", "loss_scale", "clip",
                          "num_updates", "update", "epoch", "best_loss"})


def handle(state: State, n: int, seg: str) -> bool:
    """A fairseq JSON record (True when it was one)."""
    m = RECORD.search(seg)
    if m is None:
        # the config it prints first, "[..][fairseq_cli.train][INFO] - {'_name': None, 'common':
        # {'log_interval': 200, 'seed': 1, ..}}", holds numbers but no record
        return "][INFO] - {'_name': " in seg

    try:
        record = json.loads(m.group(2))
    except ValueError:
        return False
    if not isinstance(record, dict):
        return False
    tag = m.group(1)
    prefix = "" if tag == "train_inner" else f"{tag}_"
    updates = record.get(f"{prefix}num_updates")
    if updates is None:
        return False
    if tag == "train" and state.fairseq_inner:
        return True  # the epoch's summary of the train_inner lines already read
    values: dict[str, float] = {}
    for key, value in record.items():
        name = key[len(prefix):] if prefix and key.startswith(prefix) else key
        if name in _BOOKKEEPING or not isinstance(value, (str, int, float)) or isinstance(value, bool):
            continue
        try:
            values[name if tag in ("train_inner", "train") else f"val_{name}"] = float(value)
        except ValueError:
            continue
    pairs = {k: v for k, v in clean_pairs(values).items() if is_metric_key(k) or k == "lr"}
    if not pairs:
        return False
    if tag == "train_inner":
        state.fairseq_inner = True
    x = float(updates)
    run = state.fairseq_run
    if run is None or run not in state.runs or run.last_x is not None and x < run.last_x:
        # the first record, or the update count starting again (a new training)
        run = state.fairseq_run = state.run_for(n, "fairseq", "step", x)
    elif run is not state.run:
        # the script's own prints between records ("SENSE:  0.38" after each validation) were
        # read as a run of their own: the records go on in theirs, moved last while the log is read
        state.runs.remove(run)
        state.runs.append(run)
    run.put(x, pairs)
    state.record_line = n
    return True
