"""Whitespace-aligned epoch tables, fastai's ``fit_one_cycle`` table first among them."""

from __future__ import annotations

import re

from fitdoctor.io.console.generic import without_log_prefix
from fitdoctor.io.console.patterns import NUM

#: a table's header: an epoch (or step) column first, then column names, one of them a loss
#: ("epoch train_loss valid_loss accuracy time"; "Ep  Loss  L_bit  Acc%  α  atk")
TABLE_HEAD = re.compile(r"^[ \t]*(?:epoch|ep|iter|iteration|step)s?[ \t]+(?:\S+[ \t]+)*\S*loss\S*(?:[ \t]+\S+)*[ \t]*\r?$",
                        re.I | re.M)
_STEP_HEADS = ("iter", "iteration", "step", "iters", "iterations", "steps")
_CELL = re.compile(NUM + r"%?")
#: a column name: no number, no "=" or ":" ("step 00020: loss=0.7674" is a record, not a header)
_HEAD_CELL = re.compile(r"[^\d\s=:][^\s=:]*")
#: what a header holds, wherever it starts: a counter's name with a name after it (no number: "step
#: 12 loss 0.4" is a record), then a loss; the lines a logging prefix may hide a header in
_HEAD_WORDS = re.compile(r"\b(?:epoch|ep|iter|iteration|step)s?[ \t]+[^\W\d][^\n]*?loss", re.I)
_RULE = re.compile(r"[ \t]*[-=_+|:\u2500-\u257f]{3,}[ \t]*\r?")


def tables_as_lines(text: str) -> str:
    """Whitespace-aligned epoch tables (fastai's ``epoch train_loss valid_loss accuracy time``,
    printed by ``fit_one_cycle`` in consoles and notebooks) rewritten as ``key=value`` lines.

    In fastai the bare metric columns are computed on the validation set, so next to
    ``train_loss``/``valid_loss`` they are read as validation metrics. Time cells are skipped.
    """
    piped = "|" in text
    lines = text.split("\n")
    if TABLE_HEAD.search(text.replace("|", " ") if piped else text) is not None:
        bare = lines
    else:  # most logs hold no such table
        bare = _behind_log_prefix(lines)
        if bare is None:
            return text
    out, head, fastai = [], None, False
    for i, raw in enumerate(lines):
        # " Epoch | TrainLoss | ValLoss | LR" over "     1 |    1.0164 |   0.8634 | 0.001": a
        # table drawn with bars is the same table (a Markdown one too: its rule row is a rule)
        line = own = bare[i]  # behind a logging prefix, where the table is printed behind one
        if piped and "|" in own and (head is not None or TABLE_HEAD.match(own.replace("|", " "))):
            line = own.replace("|", " ")
        if TABLE_HEAD.match(line) and all(_HEAD_CELL.fullmatch(t) for t in line.split()):
            head = _wide_names(line, bare[i + 1:i + 4]) or line.split()
            fastai = any(h.startswith("train_") for h in head) and any(h.startswith("valid_") for h in head)
            axis = "step" if head[0].lower() in _STEP_HEADS else "epoch"
            out.append("")
            continue
        if head is not None:
            cells = line.split()
            # a row: one cell per column, and maybe a marker after them (a "★", "*" or "← best"
            # at a new best)
            extra = cells[len(head):]
            marked = 0 < len(extra) <= 2 and not any(_CELL.fullmatch(c) for c in extra)
            if (len(cells) == len(head) or marked) and cells[0].isdigit():
                parts = [f"{axis} {int(cells[0])}"]
                for h, c in zip(head[1:], cells[1:]):
                    key = re.sub(r"[^\w./\-]", "", h)  # "Acc%" -> "Acc" (the cells say percent)
                    if h.lower() == "time" or not key or not key[0].isascii() or not key[0].isalpha() \
                            or not _CELL.fullmatch(c):
                        continue
                    key = key if not fastai or "_" in key and key.split("_")[0] in ("train", "valid") \
                        else f"valid_{key}"
                    parts.append(f"{key}={c.rstrip('%')}")
                out.append(" ".join(parts))
                continue
            if _RULE.fullmatch(own):
                out.append(raw)  # a rule under the header (=====, -----) is no end of the table
                continue
            if line.strip():
                head = None
        out.append(raw)
    return "\n".join(out)


def _behind_log_prefix(lines: list[str]) -> list[str] | None:
    """The lines with Python logging's prefix taken off ("[2025/05/28 20:34:16] - Epoch \\t lr \\t
    Time \\t TrainLoss ..." over "[2025/05/28 20:34:39] - 1 \\t 0.100 \\t 22.9 \\t 2.1119 ..."), when
    a table's header is found behind one; None when none is (the prefix is only looked behind on
    lines that could be a header: a counter's name, a column name after it, and a loss)."""
    text = "\n".join(lines)
    for m in _HEAD_WORDS.finditer(text):
        start, end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
        line = text[start:end if end >= 0 else len(text)]
        if TABLE_HEAD.match(bare := without_log_prefix(line)) and bare != line:
            return [without_log_prefix(x) for x in lines]
    return None


def _wide_names(line: str, below: list[str]) -> list[str] | None:
    """Column names of two words or more (``Epoch    Train Loss   Train Acc    Test Loss``):
    the header cut at runs of two spaces, each name joined with ``_``, when the first row
    under it (past a rule) has one cell per such name (and maybe a unit or marker after
    them), not one per word. None when the names are single words or the row says otherwise."""
    wide = [c for c in re.split(r"[ \t]{2,}|\t", line.strip()) if c]
    if len(wide) == len(line.split()) or len(wide) < 2:
        return None
    row = next((r for r in below if r.strip() and not _RULE.fullmatch(r)), "")
    cells = [c for c in row.split() if _CELL.fullmatch(c)]
    if len(cells) != len(wide) or not row.split()[0].isdigit():
        return None
    return ["_".join(c.split()) for c in wide]
