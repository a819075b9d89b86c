"""Printed text into the lines a parser reads: ANSI codes, ``\\r`` updates, wrapped and glued lines.

A terminal capture holds every update of a progress bar, colour codes and backspaces; a
forum paste wraps long lines; a GPU run interleaves TensorFlow/XLA's own log lines with the
training's, often glued onto a progress bar that had no newline yet. These functions undo
that, and cut a last line that is still being written.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import COUNTER, EPOCH_INLINE, KERAS_HEADER, METRIC_WORDS

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: Cheap whole-text test: could any line continue on the next (see ``join_wrapped``)?
MAYBE_WRAPPED = re.compile(r"[:=-][ \t]*\r?$|^ {12}", re.M)


#: A log line of TensorFlow/XLA's C++ runtime (its source is a .cc/.h file), in either prefix:
#: ``2024-05-01 10:11:12.123456: I external/local_xla/xla/service/service.cc:168] ...`` or
#: absl's ``I0000 00:00:1714558272.123456   12345 device_compiler.h:186] ...``; the line runs
#: to its end. Python-side absl/logging lines (``train.py:88]``) are a script's own and stay.
_CPP_SOURCE = r"[\w./-]+\.(?:cc|h|cpp|hpp|cu|c):\d+\] "
#: ... and the same glog prefix on a library's Python file (torch._dynamo's "W0530 14:48:26.433000
#: 2622492 site-packages/torch/_dynamo/convert_frame.py:1233] WON'T CONVERT ...", a traceback and
#: all, each line prefixed): an installed package's log, not the script's
_LIBRARY_SOURCE = r"[\w./-]*(?:site|dist)-packages/[\w./-]+\.py:\d+\] "
#: ... and torch's own Python loggers in the stdlib format ("[2023-12-04 01:43:47,275]
#: torch._dynamo.convert_frame: [WARNING] FileNotFoundError: [Errno 2] ...", a traceback and all):
#: torch's internals never log a training curve
_TORCH_LOGGER = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+\] torch\.[\w.]+: \[[A-Z]+\]"
FOREIGN = re.compile(
    r"(?:" + _TORCH_LOGGER + r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] " + _CPP_SOURCE
    + r"|[IWEF]\d{4} \d\d:\d\d:\d\d+(?:\.\d+)? +\d+ " + _CPP_SOURCE
    + r"|[IWEF]\d{4} \d\d:\d\d:\d\d+(?:\.\d+)? +\d+ " + _LIBRARY_SOURCE
    + r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)[^\r\n]*"
    # the op context under a TF error or warning: "\t [[{{node IteratorGetNext}}]]"
    + r"|^[ \t]+\[\[\{\{node [^\r\n]*", re.M)
#: Substrings one of which a TF/XLA line holds: ``.cc:``/``.h:`` are in every runtime line, the
#: others mark the lines that come with them (a cheap test before any regex runs)
_FOREIGN_HINTS = (".cc:", ".h:", "-packages/", "] torch.")
_FOREIGN_ANCHORS = (".cc:", ".h:", ".cpp:", ".cu:", ".c:", "absl::", "{{node", "-packages/", "] torch.")
#: Keras callbacks' messages (ModelCheckpoint, ReduceLROnPlateau, EarlyStopping): each is a
#: line of its own, but in a capture it can land glued onto a progress bar
_CALLBACK_MSG = re.compile(r"Epoch \d+: (?:[\w/.]+ (?:improved from|did not improve from)|ReduceLROnPlateau "
                           r"reducing|early stopping|finished saving model|saving model to)")
_RESTORE_MSG = re.compile(r"Restoring model weights from the end of the best epoch")


def drop_foreign(text: str) -> str:
    """``text`` without TensorFlow/XLA's C++ log lines, also where one is glued onto a line
    (``... - loss: 0.2500I0000 00:00:...``: the line keeps its own part). Every line stays,
    emptied, so line numbers do not move. Only lines holding an anchor are matched."""
    if not any(a in text for a in _FOREIGN_HINTS):
        return text
    starts: set[int] = set()
    for anchor in _FOREIGN_ANCHORS:
        i = text.find(anchor)
        while i >= 0:
            starts.add(text.rfind("\n", 0, i) + 1)
            end = text.find("\n", i)
            if end < 0:
                break
            i = text.find(anchor, end)
    parts, last = [], 0
    for start in sorted(starts):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        kept = FOREIGN.sub("", line)
        if kept != line:
            parts += [text[last:start], kept]
            last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _cut_at(text: str, cuts: list[int]) -> str:
    """``text`` with a line end put in at each offset of ``cuts`` (each once, in order)."""
    if not cuts:
        return text
    parts, last = [], 0
    for c in sorted(set(cuts)):
        parts.append(text[last:c])
        last = c
    parts.append(text[last:])
    return "\n".join(parts)


def unglue_callbacks(text: str) -> str:
    """Each Keras callback message on a line of its own: one glued after a progress bar
    (``... - loss: 0.25Epoch 1: val_loss improved from inf to 0.45, ...``) starts a new line,
    and a bar that follows it after a ``\\r`` does too. Lines move down by one for each."""
    if "Epoch" not in text and "Restoring" not in text:
        return text
    cuts: list[int] = []
    for rx in (_CALLBACK_MSG, _RESTORE_MSG):
        for m in rx.finditer(text):
            s = m.start()
            if s > 0 and text[s - 1] not in "\r\n":
                cuts.append(s)
            n = text.find("\n", m.end())
            r = text.find("\r", m.end(), len(text) if n < 0 else n)
            if r >= 0 and text[r + 1:r + 2] not in ("\n", ""):
                cuts.append(r)  # "...saving model to m.keras\r32/32 ━━━ ... - val_loss: 0.45"
    return _cut_at(text, cuts)


#: the Hugging Face Trainer's printed log dict (``{'loss': '2.602', 'grad_norm': ...}``)
_TRAINER_DICT = re.compile(r"\{'(?:loss|eval_\w+|train_runtime|grad_norm|learning_rate)': [^{}\n]*\}")
#: where a tqdm bar begins: its percentage and the bar's first edge
_BAR_START = re.compile(r"[ \t]*\d{1,3}%\|")


def unglue_trainer_dicts(text: str) -> str:
    """Each Hugging Face Trainer dict on a line of its own: a copy of a console that kept the
    progress bar's text but lost its carriage returns glues each dict between two bars
    (``... 20/613 [04:02<28:09,  2.85s/it]{'loss': '2.602', ...}  3%|▎ ...``). Lines move down by
    one for each cut."""
    if "{'" not in text:
        return text
    cuts: list[int] = []
    for m in _TRAINER_DICT.finditer(text):
        after_bar = m.start() > 0 and text[m.start() - 1] == "]"  # "...2.85s/it]{'loss': ..."
        before_bar = _BAR_START.match(text, m.end()) is not None  # "...}  3%|▎ ..."
        if not (after_bar or before_bar):
            continue  # a dict a script printed inside its own line ("train: {'loss': 0.41} val: ...")
        if after_bar:
            cuts.append(m.start())
        if m.end() < len(text) and text[m.end()] not in "\r\n":
            cuts.append(m.end())
    return _cut_at(text, cuts)


_NUMBER = re.compile(r"\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?")


def _shape(line: str) -> str:
    """A line with each number replaced by its decimals' and exponent's digit counts: two
    records printed by the same format string have one shape, and a record cut inside its last
    number has another (``4.88e-0`` of ``4.88e-06``)."""
    return _NUMBER.sub(lambda m: f"#{len(m.group(1) or '')}e{len(m.group(2) or '')}", line.strip())


def _whole_like(tail: str, prev: str) -> bool:
    """``tail`` (a last line with no line end) has the shape of the line before it, and its last
    number is no shorter than that line's (a counter cut from ``16500`` to ``16`` is)."""
    if _shape(tail) != _shape(prev):
        return False
    nums_t, nums_p = list(_NUMBER.finditer(tail)), list(_NUMBER.finditer(prev))
    if not nums_t or not nums_p:
        return not nums_t and not nums_p
    return len(nums_t[-1].group(0)) >= len(nums_p[-1].group(0))


#: how far up a last line with no line end is compared with the lines before it (a Keras epoch
#: line sits under its "Epoch 10/10" header, the previous epoch's line two lines up)
_TAIL_LOOKBACK = 8


def _nearest_line_shaped_like(before: str, tail: str) -> str | None:
    """The nearest of the last few lines of ``before`` that has ``tail``'s shape, if any."""
    lines = [ln for ln in re.split(r"[\r\n]+", before[-4096:]) if ln][-_TAIL_LOOKBACK:]
    shape = _shape(tail)
    return next((ln for ln in reversed(lines) if _shape(ln) == shape), None)


def cut_incomplete_tail(text: str) -> tuple[str, str | None]:
    """The text up to its last line end, and a note when what followed looked like a record
    cut in half (a file still being written)."""
    if not text or text.endswith(("\n", "\r")):
        return text, None
    cut = max(text.rfind("\n"), text.rfind("\r"))
    tail = text[cut + 1:]
    prev = _nearest_line_shaped_like(text[:cut], tail)
    if prev is not None and _whole_like(tail, prev):
        return text, None  # a whole record like the one before it: the file just ends without "\n"
    note = None
    if METRIC_WORDS.search(tail) or KERAS_HEADER.search(tail):
        note = "last line is incomplete (file still being written?); read up to the line before it"
    return text[:cut + 1], note


#: a tqdm bar with text glued right after its closing stats ("  1%|  | 1/100 [31:27<51:54:28,
#: 1887.57s/it]Epoch 2, Training loss: 1.6877, ..."): a print() while the bar was drawn
_GLUED_AFTER_BAR = re.compile(r"(\d+%\|[^|\n]*\|\s*\d+/\d+\s*\[[^\]\n]*\])(?=[A-Za-z])")


def _split_glued(seg: str) -> list[str]:
    if "%|" not in seg:
        return [seg]
    return [piece for piece in _GLUED_AFTER_BAR.sub("\\1\r", seg).split("\r") if piece.strip()]


def segments(text: str):
    """(line number, segment) for every ``\\r``-separated piece of every line, ANSI removed
    (and a print() glued after a progress bar's stats, its own piece)."""
    text = text.replace("\r\n", "\n")
    if "\x1b" in text:
        text = ANSI.sub("", text)
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if "\b" in line:
            line = line.replace("\b", "")
        for piece in line.split("\r") if "\r" in line else (line,):
            for seg in _split_glued(piece):
                if seg.strip():
                    yield n, seg


#: a line that opens with its own timestamp ("2021-12-19 01:35:00,796 Category: ...") was
#: written by a logger call of its own: never the wrapped rest of the line before it
_STAMPED = re.compile(r"\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


#: a logger's stamp ("2021-12-05 19:12:36,126 ") and what follows it
_STAMP_REST = re.compile(r"\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?\]?\s*(.*)")
_LONE_NUMBER = re.compile(r"(.*?)([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*")


def value_logged_apart(prev: str, seg: str) -> str | None:
    """The number a logger wrote by a call of its own under the label the call before wrote
    (``logger.info("val result score:")`` then ``logger.info(score)``): both lines carry the
    same stamp-less prefix ("Classify INFO: "), the first ends in ``name:``, the second holds
    only the number. None when ``seg`` is no such value."""
    a, b = _STAMP_REST.fullmatch(prev.rstrip()), _STAMP_REST.fullmatch(seg.rstrip())
    if a is None or b is None or not a.group(1).endswith(":") or METRIC_WORDS.search(a.group(1)) is None:
        return None
    m = _LONE_NUMBER.fullmatch(b.group(1))
    if m is None or not a.group(1).startswith(m.group(1)):
        return None
    return m.group(2)


def join_wrapped(segs):
    """Undo line wrapping (forum posts, rich progress bars in a narrow pipe).

    A line ending in ``name:``, ``name=`` or `` -`` continues on the next one, and a deeply
    indented line with metrics continues the line before it. Behind a logger's stamp, a line
    holding only a number continues a ``name:`` line before it (see ``value_logged_apart``).
    """
    held: tuple[int, str] | None = None
    indent = " " * 12
    for n, seg in segs:
        if held is not None:
            prev = held[1]
            last = prev.rstrip()[-1:]
            value = value_logged_apart(prev, seg) if last == ":" and _STAMPED.match(seg) else None
            if value is not None:
                held = (held[0], prev.rstrip() + " " + value)
                continue
            if (last in (":", "=", "-") or seg.startswith(indent)) and not _STAMPED.match(seg):
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
