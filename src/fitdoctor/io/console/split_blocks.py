"""Epochs printed as blocks of one value a line, each split under a line that names it:

    epoch:  3
        train
        cross ent:  4.27
        accu:       9.1%
        test
        cross ent:  4.32
        accu:       9.0%

(ProtoPNet's ``log()`` and the hand-written loops like it). The word alone on its line names
the split of the values under it, up to the next such word or the next epoch, so the test
block's ``cross ent`` is the validation loss, not a second train value that overwrites the
first. Each epoch is rewritten as one ``epoch N | key=value`` line on its header's line (the
lines under it left blank, so line numbers still point into the file). A split printed again
within one epoch (a schedule's phases: warm-up, joint, push) replaces its values: the epoch's
last evaluation is the one it ends with. Held-out blocks (test, val, eval, dev) are read as
validation, as ``epoch_blocks`` reads its "Eval epoch" blocks.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

#: an epoch's header alone on its line: "epoch: \t3", "Epoch 3", "epoch=3"
_EPOCH = re.compile(r"^[ \t]*epoch\s*[:=#]?\s*(\d+)\s*$", re.I)
_EPOCH_LINE = re.compile(r"^[ \t]*epoch[ \t]*[:=#]?[ \t]*\d+[ \t]*\r?$", re.I | re.M)
#: a split's name alone on its line: "\ttrain", "test", "Validation:"
_SPLIT = re.compile(r"^[ \t]*(train(?:ing)?|test(?:ing)?|val(?:id(?:ation)?)?|eval(?:uation)?|dev)[ \t]*:?[ \t]*\r?$", re.I)
_HELD_OUT = re.compile(r"^[ \t]*(?:test(?:ing)?|val(?:id(?:ation)?)?|eval(?:uation)?|dev)[ \t]*:?[ \t]*\r?$", re.I | re.M)
#: one value on its line: "cross ent: \t4.27", "accu: \t\t9.1%"
_VALUE = re.compile(r"^[ \t]*([A-Za-z][\w .\-]{0,40}?)[ \t]*[:=][ \t]*(" + NUM + r")(%?)[ \t]*\r?$")
#: at least this many held-out split lines and epoch headers make a log written this way
MIN_BLOCKS = 2


def has_split_blocks(text: str) -> bool:
    """Two or more held-out split lines and two or more epoch headers: the log may be written
    this way (the sniff's test; the rewriter checks the blocks themselves)."""
    held_out = _HELD_OUT.search(text)
    if held_out is None or _HELD_OUT.search(text, held_out.end()) is None:
        return False
    return len(_EPOCH_LINE.findall(text)) >= MIN_BLOCKS


def split_blocks_as_lines(text: str) -> tuple[str, str | None]:
    """Every epoch's split blocks as one ``epoch N | key=value val_key=value`` line, with a note;
    ``text`` unchanged (and no note) when the log is not written this way."""
    if not has_split_blocks(text):  # most logs hold no held-out split line at all
        return text, None
    lines = text.split("\n")
    headers = [i for i, ln in enumerate(lines) if _EPOCH.match(ln)]
    if len(headers) < MIN_BLOCKS:
        return text, None
    out = list(lines)
    read = 0
    for k, at in enumerate(headers):
        end = headers[k + 1] if k + 1 < len(headers) else len(lines)
        values: dict[str, dict[str, str]] = {}
        split: str | None = None
        used: list[int] = []
        for i in range(at + 1, end):
            m = _SPLIT.match(lines[i])
            if m is not None:
                split = "" if m.group(1).lower().startswith("train") else "val_"
                values[split] = {}  # printed again: this block replaces the one before
                used.append(i)
                continue
            v = _VALUE.match(lines[i])
            if v is not None and split is not None:
                name = "_".join(v.group(1).split())
                values[split][name] = v.group(2) + v.group(3)
                used.append(i)
        cells = [f"{prefix}{name}={value}" for prefix in ("", "val_") for name, value in values.get(prefix, {}).items()]
        if not any(prefix == "val_" and block for prefix, block in values.items()):
            continue  # no held-out block under this header: not this shape, left as it was
        out[at] = f"epoch {_EPOCH.match(lines[at]).group(1)} | " + " ".join(cells)
        for i in used:
            out[i] = ""
        read += 1
    if read < MIN_BLOCKS:
        return text, None
    return "\n".join(out), ("values under a line that names their split ('train', 'test') are read as that split's, "
                            "the held-out ones as validation; a split printed again within an epoch replaces its values")
