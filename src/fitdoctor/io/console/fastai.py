"""Whitespace-aligned epoch tables, fastai's ``fit_one_cycle`` table first among them."""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

TABLE_HEAD = re.compile(r"^[ \t]*epoch[ \t]+(?:\w+[ \t]+)*\w*loss\w*(?:[ \t]+\w+)*[ \t]*\r?$", re.I | re.M)


def tables_as_lines(text: str) -> str:
    """Whitespace-aligned epoch tables (fastai's ``epoch train_loss valid_loss accuracy time``,
    printed by ``fit_one_cycle`` in consoles and notebooks) rewritten as ``key=value`` lines.

    In fastai the bare metric columns are computed on the validation set, so next to
    ``train_loss``/``valid_loss`` they are read as validation metrics. Time cells are skipped.
    """
    if TABLE_HEAD.search(text) is None:  # one scan in C: most logs hold no such table
        return text
    out, head, fastai = [], None, False
    for line in text.split("\n"):
        if TABLE_HEAD.match(line):
            head = line.split()
            fastai = any(h.startswith("train_") for h in head) and any(h.startswith("valid_") for h in head)
            out.append("")
            continue
        if head is not None:
            cells = line.split()
            if len(cells) == len(head) and cells[0].isdigit():
                parts = [f"epoch {int(cells[0])}"]
                for h, c in zip(head[1:], cells[1:]):
                    if h.lower() == "time" or not re.fullmatch(NUM, c):
                        continue
                    key = h if not fastai or "_" in h and h.split("_")[0] in ("train", "valid") else f"valid_{h}"
                    parts.append(f"{key}={c}")
                out.append(" ".join(parts))
                continue
            if line.strip():
                head = None
        out.append(line)
    return "\n".join(out)
