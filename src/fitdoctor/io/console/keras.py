"""Keras ``model.fit`` output: ``Epoch 3/50`` headers and the finished bar of each epoch.

verbose=2 prints ``25/25 - 0s - 4ms/step - loss: ...`` once per epoch; verbose=1 prints
``\\r``/``\\b`` progress bars with ANSI colours, and the finished bar is the epoch's record
(unfinished bars hold partial averages and are skipped). Keras 2 and 3 spellings both.
``fast_keras`` reads plain ``fit`` output with whole-text regexes; the line handlers read
anything else one line at a time (tests check both agree).
"""

from __future__ import annotations

import re

import numpy as np

from fitdoctor.io.console.generic import batch_point, names_held_out, split_prefixed
from fitdoctor.io.console.lines import ANSI, maybe_wrapped
from fitdoctor.io.console.pairs import SKIP_KEYS, clean_pairs, extract_pairs, is_metric_key, skipped
from fitdoctor.io.console.patterns import (CALLBACK, CALLBACK_ANCHORS, COUNTER, EPOCH_INLINE, KERAS_HEADER, NUM,
                                           METRIC_WORDS, TRACEBACK)
from fitdoctor.io.console.runs import Run, State

#: Keras's own ``- name: value`` fields, the fast path for long logs.
_KERAS_PAIR = re.compile(r" - ([A-Za-z_][\w./]*): (" + NUM + r")(?![\w.])")


def _unfinished(run: Run) -> None:
    run.notes.append(f"epoch {run.open_header}/{run.header_total} did not finish; "
                     "its partial values are not used")


def handle_header(state: State, n: int, seg: str) -> bool:
    """An ``Epoch 3/50`` header opens the epoch (a lower number starts a new run); True when read."""
    m = KERAS_HEADER.search(seg)
    if not m:
        return False
    ep, total = int(m.group(1)), int(m.group(2))
    run = state.run
    if run.last_header is not None and ep <= run.last_header or (
            run.last_header is None and run.records and run.dialect != "keras"):
        run = state.new_run(n)
    if run.open_header is not None:
        _unfinished(run)
    run.dialect = "keras"
    run.axis = "epoch"
    run.last_header, run.header_total, run.open_header = ep, total, ep
    if not run.records:
        run.start_line = n
    return True


def in_keras_epoch(run: Run) -> bool:
    return run.dialect == "keras" and run.last_header is not None


def handle_bar(run: Run, seg: str) -> bool:
    """A progress line opened by a batch counter (the hot path of a long log); True when it was one."""
    c = COUNTER.match(seg)
    if c is None:
        return False
    if c.group(2) == "Unknown" or int(c.group(1)) < int(c.group(2)):
        return True  # an unfinished progress bar: partial averages, not the epoch's values
    found = _KERAS_PAIR.findall(seg, c.end())
    if found:
        pairs = {k: float(v) for k, v in found}
        if not SKIP_KEYS.isdisjoint(pairs):
            pairs = clean_pairs(pairs)
    else:
        pairs = clean_pairs(extract_pairs(seg[c.end():]))
    if pairs:
        run.put(float(run.last_header), pairs)
        run.open_header = None
    return True


def handle_other(run: Run, seg: str) -> bool:
    """Any other line with metrics inside a Keras epoch; False when it names another epoch
    (then it is a line of its own kind)."""
    inline = EPOCH_INLINE.search(seg)
    if inline is None:
        pairs = clean_pairs(extract_pairs(seg))
        # a wrapped continuation of the epoch line, or a bar-less paste; a line that names its
        # split up front ("val Loss: 0.50 Acc: 0.86") speaks for all its keys
        if pairs and any(is_metric_key(k) for k in pairs):
            pairs = split_prefixed(seg, pairs)
            inside = None if names_held_out(pairs) else batch_point(seg, float(run.last_header))
            run.put(inside if inside is not None else float(run.last_header), pairs)
            run.open_header = None
        return True
    if int(inline.group(1)) in (run.last_header, run.last_header - 1):
        # a custom callback's "Epoch 3: val_f1: 0.80" belongs to the epoch Keras is in
        pairs = clean_pairs(extract_pairs(seg[:inline.start()] + " | " + seg[inline.end():]))
        if pairs and any(is_metric_key(k) for k in pairs):
            run.put(float(run.last_header), pairs)
        return True
    return False


# ------------------------------------------------------------------ the whole-text fast path

_KERAS_ANSI = ("\x1b[1m", "\x1b[0m", "\x1b[32m", "\x1b[37m")


def _last_segment(line: str) -> str:
    body = line.rstrip("\r")
    return body[body.rfind("\r") + 1:]


_KERAS_LINES = re.compile(r"^(?:Epoch[ \t]+(\d+)[ \t]*/[ \t]*(\d+)[ \t]*$|[ \t]*(\d+)/(\d+|Unknown)\b(.*)$)",
                          re.M)
_ANY_HEADER = re.compile(r"Epoch[ \t]+\d+[ \t]*/[ \t]*\d+[ \t]*$", re.M)
#: What Keras prints for a value: ``{:.4f}``, ``{:.4e}``, nan, inf.
_KERAS_VALUE_PAIR = re.compile(r" - ([A-Za-z_][\w./]*): (-?(?:\d+\.\d+(?:e[-+]\d+)?|nan|inf))(?![\w.])")
_KERAS_VALUES = re.compile(r": (\S+)")


def _keras_columns(run: Run, got: list[tuple[int, str]]) -> bool:
    """Fill ``run.columns`` from the finished epoch lines; False when a line is not plain Keras."""
    first = _KERAS_VALUE_PAIR.findall(got[0][1])
    k = len(first)
    if not k:
        return False
    names = [n for n, _ in first]
    # verbose=1 can finish an epoch twice (last batch, then epoch end with the validation
    # values, a superset): the later line is the epoch's record
    got = list(dict(got).items())
    n = len(got)
    epochs = np.fromiter((e for e, _ in got), dtype=float, count=n)
    unique = n < 2 or bool(np.all(np.diff(epochs) > 0))
    joined = "\n".join(body for _, body in got)
    values = _KERAS_VALUES.findall(joined)
    # every line holds the same k fields: one regex pass and one array, no per-line Python
    if unique and len(values) == k * n and len(set(names)) == k \
            and all(joined.count(f" - {name}: ") == n for name in names):
        try:
            table = np.array(values, dtype=float).reshape(n, k)
        except ValueError:
            return False
        for j, name in enumerate(names):
            if not skipped(name):
                run.columns[name] = (epochs, table[:, j])
        return True
    # metrics that come and go, or an epoch finished twice (batch end, then epoch end with
    # the validation values): one line at a time, the later line wins
    for e, body in got:
        pairs = _KERAS_VALUE_PAIR.findall(body)
        if not pairs:
            return False
        run.put(float(e), {name: float(v) for name, v in pairs if not skipped(name)})
    return True


def fast_keras(text: str) -> State | None:
    """Plain ``model.fit`` output read with whole-text regexes (long logs in a fraction of the time).

    Only for text the line parser reads the same way: unprefixed Keras headers, no HF dicts,
    tqdm bars or wrapped lines, and a finished line for every epoch but the last. Anything
    else returns None and goes through the line handlers (tests check both agree).
    """
    if "Epoch" not in text or "{" in text or "%|" in text:
        return None
    if "\r" in text:  # keep the last update of each progress bar (halves a terminal capture)
        text = "\n".join(_last_segment(line) for line in text.split("\n"))
    if "\x1b" in text:
        for code in _KERAS_ANSI:  # the few codes Keras's progress bar uses, at C speed
            text = text.replace(code, "")
        if "\x1b" in text:
            text = ANSI.sub("", text)
    if "\b" in text:
        text = text.replace("\b", "")
    if maybe_wrapped(text):
        return None
    rows = _KERAS_LINES.findall(text)
    state = State()
    run = state.run
    bodies: list[list] = [[]]  # per run: [epoch, body] of each finished line
    headers = 0
    restarts = []
    partial: list[str] = []
    for ep_s, total_s, count, target, body in rows:
        if ep_s:
            ep = int(ep_s)
            headers += 1
            if run.last_header is not None and ep <= run.last_header:
                if run.open_header is not None:
                    _unfinished(run)
                run = Run()
                state.runs.append(run)
                bodies.append([])
                restarts.append(headers)
            elif run.open_header is not None:
                _unfinished(run)
            run.last_header, run.header_total, run.open_header = ep, int(total_s), ep
            continue
        if run.last_header is None:
            return None
        if count != target:  # an unfinished bar left on its own line: not the epoch's values
            partial.append(body)
            continue
        bodies[-1].append((run.last_header, body))
        run.open_header = None
    finished = sum(len(b) for b in bodies)
    if not headers or finished < headers - 1 or len(_ANY_HEADER.findall(text)) != headers:
        return None
    for run, got in zip(state.runs, bodies):
        run.dialect, run.axis = "keras", "epoch"
        if got and not _keras_columns(run, got):
            return None
    # where each run starts (line numbers name the runs of a multi-run log)
    if restarts:
        for k, m in enumerate(_ANY_HEADER.finditer(text), 1):
            if k == 1:
                state.runs[0].start_line = text.count("\n", 0, m.start()) + 1
            if k in restarts:
                state.runs[restarts.index(k) + 1].start_line = text.count("\n", 0, m.start()) + 1
    else:
        m = _ANY_HEADER.search(text)
        state.runs[0].start_line = text.count("\n", 0, m.start()) + 1 if m else 1
    starts: set[int] = set()
    for anchor in CALLBACK_ANCHORS:
        i = text.find(anchor)
        while i >= 0:
            starts.add(text.rfind("\n", 0, i) + 1)
            i = text.find(anchor, i + 1)
    chatter = []
    for start in starts:
        end = text.find("\n", start)
        seg = text[start:end if end >= 0 else len(text)]
        if CALLBACK.search(seg) and METRIC_WORDS.search(seg) and not TRACEBACK.match(seg):
            state.ignored_callbacks += 1
            chatter.append(seg)
    # every mention of a loss or accuracy must be on a line read above; any other line with
    # metrics (a custom callback's print, a pasted note) needs the line parser
    read = "\n".join([body for got in bodies for _, body in got] + chatter + partial)
    if any(text.count(w) != read.count(w) for w in ("loss", "acc", "val_")):
        return None
    return state
