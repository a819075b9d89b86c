"""Epochs printed as blocks under a time-stamped header, one value per line:

    [03.24.23|09:56:11] Training epoch: 4
    [03.24.23|09:56:12] 	Iter 800 Done. | loss: 1.4824 | lr: 0.010000
    [03.24.23|09:56:31] 	mean_loss: 1.3917
    [03.24.23|09:56:31] Done.
    [03.24.23|09:56:31] Eval epoch: 4
    [03.24.23|09:56:40] 	mean_loss: 2.0214
    [03.24.23|09:56:40] 	Top1: 40.00%

ST-GCN's ``IO.print_log`` writes this, and the skeleton action-recognition repositories built on
it (2s-AGCN, MS-G3D, CTR-GCN: ``[ Wed Sep 15 00:19:36 2021 ]    Mean test loss of 796 batches:
1.2569.``). The header names the split of every value under it, so the eval block's
``mean_loss`` is the validation loss, not the train loss. Each block is rewritten as one
``epoch N | key=value`` line for the generic reader; the per-iteration lines inside a training
block are batch values and are left out, except the last lr (the schedule's value that epoch).
"""

from __future__ import annotations

import re

from fitdoctor.history import TRAIN_SPLITS
from fitdoctor.io.console.patterns import NUM

#: "[03.24.23|09:56:11] Training epoch: 4", "[ Wed Sep 15 00:11:28 2021 ] Eval epoch: 5"
_HEADER = re.compile(r"^\[[^\]\n]{4,40}\]\s*(training|train|eval|evaluation|test|validation|val)\s+epoch\s*:?\s*(\d+)\s*$",
                     re.I | re.M)
#: the time stamp a block's lines open with: "[03.24.23|09:56:31]", "[ Wed Sep 15 00:19:36 2021 ]"
_STAMP = re.compile(r"^\[[^\]\n]{4,40}\]")
#: one value on a stamped line ("mean_loss: 1.3917", "Mean test loss of 796 batches: 1.2569",
#: "Top1: 40.00%"); a line may hold several ("Mean training loss: 0.81.  Mean training acc: 75.5%.")
_VALUE = re.compile(r"^\s*([A-Za-z][\w .\-]{0,40}?)(?:\s+of\s+\d+\s+batches)?\s*:\s*(" + NUM + r")(%?)\s*$")
_SEPARATOR = re.compile(r"(?<=\d)\.(?:\s+|$)|(?<=%)\.?(?:\s+|$)|\s*\|\s*|,\s+")
_ITER_LR = re.compile(r"^\[[^\]\n]{4,40}\]\s+Iter\s+\d+\b.*?\blr\s*:\s*(" + NUM + r")", re.I)
#: the words a value's name carries that say nothing its block does not ("Mean training loss")
_FILLER = frozenset({"mean", "average", "avg", "training", "train", "test", "eval", "evaluation", "validation", "val"})


def has_epoch_blocks(text: str) -> bool:
    """Two or more block headers: the log is written this way."""
    found = _HEADER.search(text)
    return found is not None and _HEADER.search(text, found.end()) is not None


def epoch_blocks_as_lines(text: str) -> str:
    """Every block as one ``epoch N | key=value`` line on its header's line (the lines under it
    left blank, so line numbers still point into the file); lines outside blocks as they were."""
    if not has_epoch_blocks(text):
        return text
    out = text.split("\n")
    block: tuple[int, int, str] | None = None  # (header line index, epoch, key prefix)
    values: dict[str, str] = {}
    lr: str | None = None

    def close() -> None:
        if block is not None and values:
            at, epoch, prefix = block
            cells = [f"{prefix}{name}={value}" for name, value in values.items()]
            if lr is not None and not prefix:
                cells.append(f"lr={lr}")
            out[at] = f"epoch {epoch} | " + " ".join(cells)

    for i, line in enumerate(out):
        header = _HEADER.match(line)
        if header is not None:
            close()
            # a held-out block (eval, test, validation) is what the run validates on
            prefix = "" if header.group(1).lower() in TRAIN_SPLITS else "val_"
            block, values, lr = (i, int(header.group(2)), prefix), {}, None
            out[i] = ""
            continue
        if block is None:
            continue
        out[i] = ""
        it = _ITER_LR.match(line)
        if it is not None:
            lr = it.group(1)
            continue
        stamp = _STAMP.match(line)
        if stamp is None:
            continue  # a progress bar or a warning printed inside the block
        for part in _SEPARATOR.split(line[stamp.end():]):
            value = _VALUE.match(part)
            if value is None:
                continue
            words = [w for w in re.split(r"[\s_]+", value.group(1).lower()) if w and w not in _FILLER]
            if "best" not in words:  # "Best so far: 2500.95": a running best is no curve
                values["_".join(words) or "loss"] = value.group(2) + value.group(3)
    close()
    return "\n".join(out)
