"""An epoch header followed by one bare number per line, the loss of each batch as printed:

    Epoch 1/75 Losses
    2.77
    3.15
    ...
    Epoch 2/75 Losses

(``print(f"Epoch {e}/{n} Losses")`` then ``print(loss.item())`` in the batch loop; or a bare
``Epoch 0`` before them). Nothing else names the numbers, so they are read as the loss only where
the header says so or says nothing (``Losses``, ``loss``, or no word at all); a header naming
anything else (``Accuracies``) leaves the text as it was. Each epoch becomes one ``epoch N |
loss=..`` line, its value the mean of its batch lines, as an epoch's average loss is logged; the
batch lines are left blank, so every line keeps its number.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_HEADER = re.compile(r"^\s*epoch\s*[:#]?\s*(\d+)(?:\s*/\s*(\d+))?\s*[:\-]?\s*([A-Za-z_ ]{0,24}?)\s*:?\s*$", re.I)
_NUMBER_LINE = re.compile(r"^\s*(" + NUM + r")\s*$")
#: at least this many headers, each with at least this many number lines under it
MIN_EPOCHS = 2
MIN_LINES = 3


def _names_the_loss(word: str) -> bool:
    word = word.strip().lower()
    return word == "" or "loss" in word


def epoch_number_lists_as_lines(text: str) -> tuple[str, str | None]:
    """Each ``Epoch N`` header with the bare numbers under it as one ``epoch N | loss=<mean>`` line
    (other lines as they were), and a note; the text unchanged when there are no such blocks."""
    if "poch" not in text[:1 << 16]:
        return text, None
    lines = text.split("\n")
    blocks: list[tuple[int, int, re.Match]] = []  # (header line, end, header match)
    i = 0
    while i < len(lines):
        m = _HEADER.match(lines[i])
        if m is None:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and _NUMBER_LINE.match(lines[j]):
            j += 1
        if j - i - 1 >= MIN_LINES:
            blocks.append((i, j, m))
        i = max(j, i + 1)
    if len(blocks) < MIN_EPOCHS or not all(_names_the_loss(m.group(3)) for _, _, m in blocks):
        return text, None
    numbers = [ln for a, b, _ in blocks for ln in lines[a + 1:b]]
    if sum(1 for ln in numbers if "." in ln or "e" in ln.lower()) < 0.8 * len(numbers):
        return text, None  # whole numbers: counts or ids, not losses
    out: list[str] = []
    pos = 0
    for a, b, m in blocks:
        out.extend(lines[pos:a])
        values = [float(_NUMBER_LINE.match(ln).group(1)) for ln in lines[a + 1:b]]
        total = f"/{m.group(2)}" if m.group(2) else ""
        out.append(f"epoch {m.group(1)}{total} | loss={sum(values) / len(values):.6g}")
        out.extend([""] * (b - a - 1))  # blank in their place: the lines after keep their numbers
        pos = b
    out.extend(lines[pos:])
    return "\n".join(out), (f"read {len(blocks)} 'Epoch N' headers, each followed by one bare number per line (a batch's "
                            "loss, as printed): each epoch's loss is the mean of its lines")
