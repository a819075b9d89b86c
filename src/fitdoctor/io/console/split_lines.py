"""A split's loss printed alone on its line under the epoch's header, the held-out one on the
next line, as hand-written loops print them::

    Epoch: 3
    Training: 4.3395
    Validation: 4.0783

Each such run of lines (a train split word, then held-out ones, each with one number and
nothing else) is joined into one line, ``Training: 4.3395 | Validation: 4.0783``, which the
generic reader already reads as the epoch's train and validation loss (see
``pairs.bare_split_losses``: a loop prints its objective so; an accuracy would carry a word).
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

#: a split word and one number, nothing else on the line ("Training: 4.52", "Validation = 1.77")
SPLIT_LINE = re.compile(r"^\s*(train(?:ing)?|val(?:id(?:ation)?)?|dev|test)\s*[:=]\s*(" + NUM + r")\s*$", re.I)
#: fewer joined groups than this are no log of epochs
MIN_GROUPS = 3


def split_lines_joined(text: str) -> tuple[str, str | None]:
    """``text`` with each train line and the held-out lines right under it joined into one line,
    and a note; unchanged (no note) when fewer than ``MIN_GROUPS`` such groups are found."""
    if "\n" not in text or not re.search(r"^\s*val", text, re.I | re.M):
        return text, None
    lines = text.split("\n")
    out: list[str] = []
    groups, i = 0, 0
    while i < len(lines):
        m = SPLIT_LINE.match(lines[i])
        if m is not None and m.group(1).lower().startswith("train"):
            j = i + 1
            while j < len(lines) and (h := SPLIT_LINE.match(lines[j])) is not None \
                    and not h.group(1).lower().startswith("train"):
                j += 1
            if j > i + 1:
                out.append(" | ".join(ln.strip() for ln in lines[i:j]))
                groups += 1
                i = j
                continue
        out.append(lines[i])
        i += 1
    if groups < MIN_GROUPS:
        return text, None
    return "\n".join(out), ("a split's loss printed alone on its line ('Training: 4.34' over 'Validation: 4.08') "
                            "read with the held-out lines under it as one epoch's losses")
