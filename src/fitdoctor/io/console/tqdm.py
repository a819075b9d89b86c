"""tqdm progress bars: where their metrics are (the postfix inside ``[...]``), and bars that count epochs.

A bar over the epochs (tqdm's ``TqdmCallback`` for Keras, ``for epoch in tqdm(range(n))``
with ``set_postfix``) shows the finished epochs as its ``n`` and their metrics in its
postfix::

    Epoch progress:  10%|█         | 1/10 [00:26<04:01, 26.86s/epoch, accuracy=0.019, loss=4.82]

Each update with a new ``n`` is one epoch; the closing repeat of the last update is not.
Such a bar is known by its unit (``26.86s/epoch``, ``1.62epoch/s``, ``3epoch [...]``) or by
a description naming epochs without a number (``Epoch progress``, ``Epochs``); a bar whose
description holds the epoch (Lightning's ``Epoch 3: 100%|...| 12/12``) counts batches and is
read by ``generic``. A ``logging`` prefix before the bar, ``\\r`` rewrites of one physical
line and text glued after the bar change nothing: only the postfix is read.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.pairs import clean_pairs, extract_pairs, is_metric_key
from fitdoctor.io.console.patterns import EPOCH_INLINE
from fitdoctor.io.console.runs import State

#: ``10%|█    | 1/10 [inner]`` (a known total) or ``3epoch [inner]`` (an unknown one); a bar
#: with ``unit_scale`` counts in floats (``1.00/8.00``): batches, never epochs
_BAR = re.compile(r"(?:(\d{1,3})%\|[^|\r\n]*\|\s*(\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)|(?<![\w.])(\d+)(epochs?)) ?"
                  r"\[([^\]\r\n]*)\]")
#: Whole-text test: does the log hold a bar over the epochs (then other bars are within epochs)?
_EPOCH_BAR_HINT = re.compile(r"\d(?:s/epoch|epoch/s)\b|\?epoch/s|(?i:epochs?)\b[^\d\r\n|]{0,40}\d{1,3}%\|"
                             r"|\d+epochs? \[")
#: tqdm's rate: ``26.86s/epoch``, ``1.62epoch/s``, ``?epoch/s``
_RATE_UNIT = re.compile(r"^\s*(?:[\d.]+\s*s/([A-Za-z]+)|(?:[\d.]+|\?)\s*([A-Za-z]+)/s)\s*$")
_EPOCH_WORD = re.compile(r"\bepochs?\b", re.I)


def epoch_bar_postfix(rest: str) -> str:
    """The postfix of a bar whose description held the epoch (``Epoch 3: 100%|####| 12/12
    [00:01<00:00, 9.5it/s, loss=0.41]``), not text glued after the bar; ``rest`` itself when
    the bar has no brackets."""
    bar = rest.find("|")
    if "[" in rest[bar:]:
        rest = rest[rest.find("[", bar) + 1:]
        rest = rest.split("]", 1)[0]
    return rest


def bar_postfix(rest: str) -> str:
    """The postfix of a bar with no epoch (``Map: 100%|####| 1000/1000 [00:01<00:00, 900
    examples/s]``, a download): the percentage after its label is progress, only the postfix
    can hold metrics; empty when there is none."""
    br = rest.find("[", rest.find("%|"))
    return rest[br + 1:].split("]", 1)[0] if br >= 0 else ""


def epoch_bar(seg: str) -> tuple[int, int | None, str] | None:
    """(n, total, postfix) of a tqdm bar that counts epochs, or None for any other line."""
    m = _BAR.search(seg)
    if m is None:
        return None
    inner = m.group(6).split(", ", 2)  # elapsed<remaining, rate, postfix
    if len(inner) < 2:
        return None
    rate = _RATE_UNIT.match(inner[1])
    unit = (rate.group(1) or rate.group(2)).lower() if rate else ""
    if m.group(5):  # "3epoch [...]": no total
        n, total = int(m.group(4)), None
    elif "." in m.group(2) + m.group(3):
        return None
    else:
        n, total = int(m.group(2)), int(m.group(3))
        desc = seg[:m.start()]
        if not unit.startswith("epoch") and not (_EPOCH_WORD.search(desc) and EPOCH_INLINE.search(desc) is None):
            return None
    return n, total, inner[2] if len(inner) == 3 else ""


def has_epoch_bars(text: str) -> bool:
    """Does ``text`` hold a tqdm bar over the epochs (one whole-text scan, only where bars are)?"""
    return ("%|" in text or "epoch [" in text or "epochs [" in text) and _EPOCH_BAR_HINT.search(text) is not None


#: a bar over iterations with a postfix: "Training:   0%|  | 21/55000 [04:44<204:29:42, 13.39s/it, Loss=11.55]"
ITERATION_BAR = re.compile(r"\d{1,3}%\|[^|\r\n]*\|\s*(\d+)/(\d+)\s*\[[^\]\r\n]*?(?:s/it|it/s)\b[^\]\r\n]*?[=:]")
#: the fewest updates that make a bar the run's own counter rather than an epoch's batches
_ITERATION_BAR_MIN = 20


def iteration_bar(text: str) -> bool:
    """Does ``text`` count its whole run on one tqdm bar over iterations (``for step in
    tqdm(range(55000))`` with ``set_postfix(loss=..)``)? Then the bar's n is the step and its total
    the planned length. Only one total and an n that never goes back: a bar that restarts each
    epoch over its batches is not this (its n is a batch inside an epoch)."""
    if "%|" not in text or has_epoch_bars(text):
        return False
    found = [(int(m.group(1)), int(m.group(2))) for m in ITERATION_BAR.finditer(text)]
    if len(found) < _ITERATION_BAR_MIN or len({total for _, total in found}) != 1:
        return False
    steps = [n for n, _ in found]
    return all(b >= a for a, b in zip(steps, steps[1:]))


def _same_numbers(rec: dict[str, float], pairs: dict[str, float]) -> bool:
    """Do a record and a bar's postfix share a key, with every shared value equal up to the
    bar's rounding (tqdm shows 3 significant digits: 4.82 for 4.8177)?"""
    shared = [k for k in pairs if k in rec]
    return bool(shared) and all(abs(rec[k] - pairs[k]) <= max(0.006 * abs(rec[k]), 5e-4) for k in shared)


def handle_epoch_bar(state: State, n_line: int, seg: str) -> bool:
    """Read a tqdm bar over the epochs; False when ``seg`` is no such bar. In a log with one,
    any other bar is progress within an epoch (``TqdmCallback(verbose=1)``'s batch bar): its
    postfix holds running averages, not records, and it is skipped."""
    got = epoch_bar(seg)
    if got is None:
        if not state.epoch_bars:
            return False
        m = _BAR.search(seg)  # a bar whose description holds the epoch is Lightning's: not skipped
        return m is not None and EPOCH_INLINE.search(seg, 0, m.start()) is None
    n, total, postfix = got
    pairs = clean_pairs(extract_pairs(postfix))
    if not pairs or not any(is_metric_key(k) for k in pairs):
        return True  # the bar before the first epoch, or one with other numbers only
    run = state.run
    if run.records and run.bar_n is None and run.dialect == "generic" and run.axis == "epoch":
        # the loop prints its own epoch lines beside the bar ("Epoch 3:" + "loss=0.4123, ..."):
        # those are the records, with more digits; the bar adds only what they lack. Only when
        # the bar shows the same numbers (rounded) for that epoch, counted from 1 or from 0:
        # a bar with other numbers is another training
        for x in (float(n), float(n - 1)):
            rec = run.records.get(x)
            if rec is not None and _same_numbers(rec, pairs):
                for k, v in pairs.items():
                    rec.setdefault(k, v)
                return True
    if run.records and (run.bar_n is None or n < run.bar_n):
        run = state.new_run(n_line)  # a new bar: the next training
    if not run.records:
        run.start_line = n_line
        run.bar_postfix_first = n == 0  # set_postfix(...) refreshes before the update
    run.dialect, run.axis, run.bar_n = "tqdm", "epoch", n
    if not run.bar_postfix_first:
        if n >= 1 and float(n) not in run.records:  # the first update with a new n is epoch n
            run.put(float(n), pairs)
    elif run.records.get(float(n)) != pairs and (total is None or n < total):
        # postfix first: what the bar shows at n is epoch n+1's once it differs from epoch n's
        run.put(float(n + 1), pairs)
    return True
