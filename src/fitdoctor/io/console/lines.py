"""Printed text into the lines a parser reads: ANSI codes, ``\\r`` updates, wrapped lines.

A terminal capture holds every update of a progress bar, colour codes and backspaces; a
forum paste wraps long lines. These functions undo that, and cut a last line that is still
being written; they know nothing about any trainer's lines.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import COUNTER, EPOCH_INLINE, KERAS_HEADER, METRIC_WORDS

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: Cheap whole-text test: could any line continue on the next (see ``join_wrapped``)?
MAYBE_WRAPPED = re.compile(r"[:=-][ \t]*\r?$|^ {12}", re.M)


def cut_incomplete_tail(text: str) -> tuple[str, str | None]:
    """The text up to its last line end, and a note when what followed looked like a record
    cut in half (a file still being written)."""
    if not text or text.endswith(("\n", "\r")):
        return text, None
    cut = max(text.rfind("\n"), text.rfind("\r"))
    tail = text[cut + 1:]
    note = None
    if METRIC_WORDS.search(tail) or KERAS_HEADER.search(tail):
        note = "last line is incomplete (file still being written?); read up to the line before it"
    return text[:cut + 1], note


def segments(text: str):
    """(line number, segment) for every ``\\r``-separated piece of every line, ANSI removed."""
    text = text.replace("\r\n", "\n")
    if "\x1b" in text:
        text = ANSI.sub("", text)
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if "\b" in line:
            line = line.replace("\b", "")
        if "\r" in line:
            for seg in line.split("\r"):
                if seg.strip():
                    yield n, seg
        else:
            yield n, line


def join_wrapped(segs):
    """Undo line wrapping (forum posts, rich progress bars in a narrow pipe).

    A line ending in ``name:``, ``name=`` or `` -`` continues on the next one, and a deeply
    indented line with metrics continues the line before it.
    """
    held: tuple[int, str] | None = None
    indent = " " * 12
    for n, seg in segs:
        if held is not None:
            prev = held[1]
            last = prev.rstrip()[-1:]
            if last in (":", "=", "-") or seg.startswith(indent):
                prev = prev.rstrip()
                dangling = prev.endswith((":", " -", "=")) and METRIC_WORDS.search(prev) is not None
                indented = seg.startswith(indent) and METRIC_WORDS.search(prev) is not None \
                    and EPOCH_INLINE.search(seg) is None and COUNTER.match(seg) is None
                if (dangling or indented) and not KERAS_HEADER.search(prev) and len(prev) < 4000:
                    held = (held[0], prev + " " + seg.strip())
                    continue
            yield held
        held = (n, seg)
    if held is not None:
        yield held


def maybe_wrapped(text: str) -> bool:
    """Could a line continue on the next one (what ``join_wrapped`` would join)?"""
    if "\n" + " " * 12 in text or text.startswith(" " * 12):
        return True
    for line in text.split("\n"):
        last = line[-1:]
        if last and last in ":=- \t\r" and line.rstrip().endswith((":", "=", " -")):
            return True
    return False
