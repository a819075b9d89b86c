"""A file that is one list of numbers, the metric named by the file: a JSON list

    [0.9524158731912934, 0.7585970863207974, 0.6632806780383255, ...]

(``json.dump(train_losses, open("losses.json", "w"))`` after a hand-written loop; the same
numbers on one line without the brackets, ``", ".join(...)``), or a text
file of one number per line (``np.savetxt("train_loss.txt", losses)``, ``f.write(f"{loss}\n")``).
Nothing in the file says what the numbers are, so its name must: ``losses.json`` is the train
loss, ``val_losses.json`` the val loss, ``accuracies.json`` an accuracy. One value per line or
list element: an epoch, unless the file is too long for epochs (then a logged point each).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io.base import Reader, decode_text, json_number, looks_binary, register
from fitdoctor.io.console.named_column import column_metric

#: a number as a JSON list (or Python's repr of one) prints it, NaN and infinities included:
#: ``json.dump`` writes NaN and Infinity, ``str(losses)`` writes nan and inf
_LIST_NUMBER = r"(?:-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|-?Infinity|nan|-?inf)"

#: a list whose first element is a whole number, then a comma or the list's end (not a record,
#: not a string, not a log line led by a bracketed time stamp: "[2026-02-22 15:43:42] INFO")
_NUMBER_LIST = re.compile(r"\[\s*" + _LIST_NUMBER + r"\s*[,\]]")

#: a non-finite value as a list prints it: JSON's NaN and Infinity, Python's nan and inf
_NON_FINITE = r"(?:NaN|Infinity|nan|inf)"

#: nothing but the list: numbers, commas and white space (a head may end mid-list); the
#: PyTorch tutorial's "[1,  2000] loss: 2.178" is a console log, not a list
_ONLY_NUMBERS = re.compile(r"\[[\s\d.eE+\-,]*(?:" + _NON_FINITE + r"[\s\d.eE+\-,]*)*\]?")

#: Python's spelling of a non-finite float, which JSON spells NaN and Infinity
_PYTHON_NON_FINITE = re.compile(r"\b(?:(nan)|(inf))\b")


def _json_spelling(text: str) -> str:
    """A list of numbers as Python prints it (``[0.5, nan, inf]``) in JSON's spelling, so a
    run that blew up reads as the NaN it logged; any other text as it is."""
    body = text.strip()
    if not (_ONLY_NUMBERS.fullmatch(body) or _ONLY_NUMBER_ROWS.fullmatch(body)):
        return text
    return _PYTHON_NON_FINITE.sub(lambda m: "NaN" if m.group(1) else "Infinity", text)


#: the numbers of a list on one line with no brackets (``f.write(", ".join(map(str, losses)))``)
_BARE_LIST = re.compile(r"\s*" + _LIST_NUMBER + r"(?:[ \t]*,[ \t]*" + _LIST_NUMBER + r")+[ \t]*,?\s*")


def _bracketed(text: str) -> str:
    """A list written without its brackets, given them back; any other text as it is."""
    return f"[{text.strip().rstrip(',')}]" if _BARE_LIST.fullmatch(text) else text


#: one number on a line, nothing else (a savetxt line, a written float)
_NUMBER_LINE = re.compile(r"\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*|\s*(?:nan|NaN|-?inf|-?Infinity)\s*")

#: more values than this in one file are logged points (steps), not epochs
_MAX_EPOCHS = 2000


def metric_named(name: str) -> str | None:
    """The metric a name says (``val_losses`` -> ``val_loss``), or None when it holds no loss or
    accuracy word."""
    return column_metric(canonical_name(name).replace("_", " "))


def metric_of(path: Path) -> str | None:
    """The metric the file's name says it holds (``val_losses.json`` -> ``val_loss``), or None."""
    return metric_named(path.stem)


def named_numbers(path: Path, numbers: list[float], fmt: str, what: str, examples: str,
                  note: str | None) -> RunHistory:
    """The run of a file of bare numbers, the metric its name says: one per epoch, or a logged
    step each past ``_MAX_EPOCHS`` of them; BadInput for fewer than 2 or a name that says nothing."""
    if len(numbers) < 2:
        raise BadInput(f"{path}: {len(numbers)} number(s); need at least 2 to judge a training curve")
    metric = metric_of(path)
    if metric is None:
        raise BadInput(f"{path}: {what} and the file's name ({path.stem!r}) does not say what they are; "
                       f"expected a name with the metric in it, e.g. {examples}")
    values = np.asarray(numbers, dtype=float)
    per_epoch = values.size <= _MAX_EPOCHS
    h = RunHistory(meta={"source": str(path), "format": fmt})
    h.add(metric, np.arange(1, values.size + 1, dtype=float), values, raw_name=path.stem,
          axis="epoch" if per_epoch else "step")
    h.note(f"{values.size} numbers read as {metric}, one per {'epoch' if per_epoch else 'logged step'} "
           "(the file's name says what they are)")
    if note:
        h.note(note)
    return h


def _load(text: str, path: Path) -> tuple[object, str | None]:
    """The parsed JSON and a note; a list cut short (a file still being written) is read up
    to its last complete number."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        cut = text.rstrip()
        if not cut.endswith("]") and "," in cut:
            # up to its last complete number, or (a list of rows) its last complete row
            for head in (cut[:cut.rfind(",")] + "]", cut[:cut.rfind("]") + 1] + "]"):
                try:
                    return (json.loads(head),
                            "the list is cut short (file still being written?); read its complete numbers")
                except json.JSONDecodeError:
                    continue
        raise BadInput(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); expected a list of "
                       "numbers such as [0.69, 0.52, 0.41]") from None


@register
class NumberListJSONReader(Reader):
    name = "json-list"
    description = "a JSON list of numbers, one per epoch, named by its file (losses.json, val_accuracy.json)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        text = _bracketed(decode_text(head)).strip()
        rows = _ROWS_LIST.match(text) is not None and _ONLY_NUMBER_ROWS.fullmatch(text) is not None
        if looks_binary(head) or not (rows or (_NUMBER_LIST.match(text) and _ONLY_NUMBERS.fullmatch(text))):
            return 0.0
        # a name that says what the numbers are: this reader's; any other is still read by it,
        # to say what is missing (no other reader claims a bare list of numbers)
        return 0.7 if metric_of(path) is not None else 0.2

    def read(self, path: Path) -> list[RunHistory]:
        text = _json_spelling(_bracketed(decode_text(path.read_bytes())))
        data, note = _load(text, path)
        if isinstance(data, list) and data and all(isinstance(r, list) for r in data):
            return [self._rows(path, data, note)]
        if not isinstance(data, list) or not all(json_number(v) is not None for v in data):
            raise BadInput(f"{path}: expected a list of numbers such as [0.69, 0.52, 0.41]")
        return [named_numbers(path, [float(v) for v in data], self.name, f"a list of {len(data)} numbers,",
                              "losses.json, val_loss.json or accuracy.json", note)]

    def _rows(self, path: Path, data: list, note: str | None) -> RunHistory:
        """A list of rows of numbers (``history.append([step, train_loss, val_loss])``, then
        ``json.dump(history, f)``), read as a headerless table named by the file."""
        width = len(data[0])
        if not 2 <= width <= 3 or any(len(r) != width or not all(json_number(v) is not None for v in r) for r in data):
            raise BadInput(f"{path}: expected rows of 2 or 3 numbers such as [[200, 5.95, 6.02], [400, 5.43, 5.55]]")
        if len(data) < 2:
            raise BadInput(f"{path}: {len(data)} row(s); need at least 2 to judge a training curve")
        metric = metric_of(path)
        if metric is None:
            raise BadInput(f"{path}: a list of {len(data)} rows of {width} numbers, and the file's name "
                           f"({path.stem!r}) does not say what they are; expected a name with the metric in it, "
                           "e.g. loss_history.json")
        h = rows_history(path, np.asarray(data, dtype=float), self.name, metric)
        if note:
            h.note(note)
        return h


#: a list of lists whose first element is a number (``[[200, 5.95, 6.02], ...]``) ...
_ROWS_LIST = re.compile(r"\[\s*\[\s*-?(?:\d+\.?\d*|\.\d+)")
#: ... and nothing but numbers, commas, brackets and white space (a head may end mid-list)
_ONLY_NUMBER_ROWS = re.compile(r"[\[\]\s\d.eE+\-,]*(?:" + _NON_FINITE + r"[\[\]\s\d.eE+\-,]*)*")


#: said of a file whose last line is cut short (a file still being written)
_CUT_SHORT = "the last line is cut short (file still being written?); read up to the line before it"


def _complete_lines(text: str, line: re.Pattern[str]) -> tuple[list[re.Match[str]], int, str | None] | None:
    """The matches of ``line`` on each non-empty line of ``text``, how many non-empty lines there
    are, and a note when the last one is cut short (left out); None for fewer than 2 lines or
    any other line that does not match."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    note = None
    if line.fullmatch(lines[-1]) is None:
        lines, note = lines[:-1], _CUT_SHORT
    matches = [line.fullmatch(ln) for ln in lines]
    if not matches or any(m is None for m in matches):
        return None
    return matches, len(lines) + (note is not None), note


@register
class NumberLinesReader(Reader):
    name = "number-lines"
    description = "a text file of one number per line, named by its metric (train_loss.txt, val_acc.txt)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head) or path.suffix.lower() == ".json":
            return 0.0
        found = _complete_lines(decode_text(head), _NUMBER_LINE)
        if found is None or found[1] < 3:
            return 0.0
        return 0.7 if metric_of(path) is not None else 0.2

    def read(self, path: Path) -> list[RunHistory]:
        found = _complete_lines(decode_text(path.read_bytes()), _NUMBER_LINE)
        if found is None:
            raise BadInput(f"{path}: expected one number per line, such as 0.693 then 0.541")
        matches, _, note = found
        return [named_numbers(path, [float(m.group(0)) for m in matches], self.name,
                              f"{len(matches)} numbers, one per line,", "train_loss.txt, val_loss.txt or accuracy.txt",
                              note)]


#: what parts two fields: a comma, a semicolon, a tab, spaces or a bar, or a run of symbols
#: outside ASCII (an emoji a script writes between its fields: checked by _symbols_apart)
_FIELD_SEP = r"\s*[,;\t |]\s*|\s*[^\x00-\x7f\d]+\s*"
#: two numbers on a line and nothing else, apart by a field separator, or a dash glued between a
#: whole counter and its value ("0001-64.5714": a YOLO port's loss.txt)
_PAIR_LINE = re.compile(r"\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|NaN)"
                        r"(" + _FIELD_SEP + r"|(?<=\d)-(?=\d|\.\d|nan|NaN|inf|Infinity))"
                        r"(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|NaN|-?inf|-?Infinity)\s*,?\s*")

#: the share of rows whose second number is at or above the first, for two losses to read as
#: (train, validation): the order ``np.savetxt(f, np.c_[train, val])`` writes, and the picture
#: the order must give (validation at or above train) before it is taken on trust
VAL_ABOVE_SHARE = 0.8


#: a date and time leading a line ("2024-11-29 18:15:04.852164", ISO's "T" too), then what
#: parts it from the fields after it: when the row was written, not a counter or a value
_STAMP = re.compile(r"\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:" + _FIELD_SEP + r")")

#: said of rows led by a time stamp
_STAMPED = "each row is led by a time stamp (when it was written): left out"


def _unstamped(text: str) -> tuple[str, bool]:
    """The text with the time stamp that leads every non-empty line left out
    (``f.write(f"{datetime.now()},{epoch},{loss}")``), and whether there were any; the text as it
    was when any line has none."""
    lines = text.split("\n")
    full = [ln for ln in lines if ln.strip()]
    if not full or any(_STAMP.match(ln) is None for ln in full):
        return text, False
    return "\n".join(_STAMP.sub("", ln, count=1) if ln.strip() else ln for ln in lines), True


def _symbols_apart(sep: str) -> bool:
    """A separator outside ASCII is symbols and punctuation alone (an emoji, a bullet), never a
    letter of another script: "0损失0.5" is no pair of numbers."""
    return all(unicodedata.category(c)[0] in "SPZ" for c in sep.strip())


def _pair_rows(text: str) -> tuple[np.ndarray, str | None] | None:
    """The rows of two numbers (the last line may be cut short: left out, with a note; a time
    stamp leading every row left out too), or None when any other line is not such a row."""
    text, stamped = _unstamped(text)
    found = _complete_lines(text, _PAIR_LINE)
    if found is None:
        return None
    matches, _, note = found
    if any(m.group(2) == "-" and not m.group(1).isdigit() for m in matches):
        return None  # "0.52-0.61" is no counter and its value
    if not all(m.group(2).isascii() or _symbols_apart(m.group(2)) for m in matches):
        return None
    if stamped:
        note = f"{_STAMPED}; {note}" if note else _STAMPED
    return np.array([(float(m.group(1)), float(m.group(3))) for m in matches], dtype=float), note


def _counter_stride(x: np.ndarray) -> float | None:
    """The usual step of a column that counts (whole numbers, each above the one before: a
    step counter logged every 50, with one extra row at a checkpoint's 69999), or None."""
    if x.size < 2 or not np.all(np.isfinite(x)) or not np.all(x == np.round(x)):
        return None
    d = np.diff(x)
    return float(np.median(d)) if np.all(d > 0) else None


@register
class NumberPairsReader(Reader):
    name = "number-pairs"
    description = ("a text file of two numbers per line and no header, named by its metric: a counter and "
                   "the value (loss_log.txt: '49500,0.2633'), or a train and a val loss (loss.txt)")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head) or path.suffix.lower() == ".json" or metric_of(path) is None:
            return 0.0
        text = decode_text(head)
        cut = text[:text.rfind("\n")] if len(head) >= 65536 and "\n" in text else text  # a head may end mid-line
        return 0.65 if _pair_rows(cut) is not None else 0.0

    def read(self, path: Path) -> list[RunHistory]:
        parsed = _pair_rows(decode_text(path.read_bytes()))
        if parsed is None:
            raise BadInput(f"{path}: expected two numbers per line, such as '100,0.693' or '0.52 0.61'")
        rows, note = parsed
        metric = metric_of(path)
        if metric is None:
            raise BadInput(f"{path}: two numbers per line and the file's name ({path.stem!r}) does not say what "
                           "they are; expected a name with the metric in it, e.g. loss.txt or val_loss_log.txt")
        runs = []
        for first, last, dropped in _counter_restarts(rows):
            h = rows_history(path, rows[first:last], self.name, metric)
            if len(runs) or last < len(rows):  # a file of several runs names each by its first line
                h.meta["run"] = f"run {len(runs) + 1} (line {first + 1})"
            if dropped:
                h.note(f"{dropped} start(s) before line {first + 1} logged one row each and began again: left out")
            runs.append(h)
        if note:
            runs[-1].note(note)
        return runs


def _counter_restarts(rows: np.ndarray) -> list[tuple[int, int, int]]:
    """``(first, end, dropped)`` row ranges of each run in rows led by a counter that starts
    again: a resumed script appending to its ``loss_log.txt`` from epoch 1 once more, or a
    triplet trainer restarted four times at step 0 before it ran on. A row whose counter is at
    or below its run's first begins a new run; a run of one row (a start that logged its first
    step and stopped) is left out and counted in the next run's ``dropped``. The whole file is
    one range where the first column is no counter that, split so, counts up within each run.
    (:func:`fitdoctor.io._table.restart_starts` keeps a repeated count in its run: a table's
    rows may share an epoch. Here each row has a count of its own, so a repeat starts again.)"""
    whole = [(0, len(rows), 0)]
    x = rows[:, 0] if rows.ndim == 2 and rows.shape[1] >= 2 else None
    if x is None or len(x) < 3 or not np.all(np.isfinite(x)) or not np.all(x == np.round(x)):
        return whole
    starts, begin = [0], 0
    for i in range(1, len(x)):
        if x[i] <= x[i - 1]:
            if x[i] > x[begin]:
                return whole  # it stepped back, but not to its run's start: no counter
            starts.append(i)
            begin = i
    if len(starts) == 1:
        return whole
    ranges, dropped = [], 0
    for a, b in zip(starts, starts[1:] + [len(x)]):
        if b - a < 2:
            dropped += 1
            continue
        ranges.append((a, b, dropped))
        dropped = 0
    return ranges or whole


def rows_history(path: Path, rows: np.ndarray, fmt: str, metric: str) -> RunHistory:
    """The run of rows of bare numbers in a file named for ``metric``: a counting first column is
    the axis (an epoch when it counts by 1, else a step), the rest one value (the metric) or, in a
    file named for its loss, a train and a validation loss in that order (the order
    ``np.savetxt(f, np.c_[train, val])`` and ``history.append([step, train, val])`` write, taken
    on trust only when validation sits at or above train on ``VAL_ABOVE_SHARE`` of rows, or of the
    later half's: early epochs' validation often sits below an epoch-averaged train loss). BadInput
    for any other shape."""
    h = RunHistory(meta={"source": str(path), "format": fmt})
    stride = _counter_stride(rows[:, 0]) if rows.shape[1] >= 2 else None
    values = rows[:, 1:] if stride is not None else rows
    if stride is not None:
        x = rows[:, 0]
        per_epoch = bool(np.all(np.diff(x) == 1)) and rows.shape[0] <= _MAX_EPOCHS
        axis = "epoch" if per_epoch else "step"
        counted = f"column 1 read as the {axis} (it counts up, mostly by {stride:g}), "
    else:
        x, axis, counted = np.arange(1, rows.shape[0] + 1, dtype=float), "epoch", ""
    first = 2 if stride is not None else 1
    read_as = "as" if counted else "read as"
    if values.shape[1] == 1:
        h.add(metric, x, values[:, 0], raw_name=path.stem, axis=axis)
        h.note(f"no header: {counted}column {first} {read_as} {metric} (the file's name says what it is)")
    elif values.shape[1] == 2 and metric == "loss":
        train, val = values[:, 0], values[:, 1]
        ok = np.isfinite(train) & np.isfinite(val)
        above = float(np.mean(val[ok] >= train[ok])) if ok.any() else 0.0
        late = ok & (np.arange(ok.size) >= ok.size // 2)
        late_above = float(np.mean(val[late] >= train[late])) if late.sum() >= 3 else 0.0
        where = "rows"
        if above < VAL_ABOVE_SHARE <= late_above:
            # validation below train while the model still learned fast (an epoch-averaged train
            # loss, dropout on), then above it once train had fit: the order holds where it is told
            above, where = late_above, "rows of the later half"
        if above < VAL_ABOVE_SHARE:
            raise BadInput(f"{path}: two losses per row and no header, the second below the first on most "
                           "rows; cannot tell which is train and which validation; add a header line "
                           "such as 'loss,val_loss'")
        h.add("loss", x, train, raw_name=f"{path.stem} column {first}", axis=axis)
        h.add("val_loss", x, val, raw_name=f"{path.stem} column {first + 1}", axis=axis)
        per = "row per epoch" if stride is None else f"per {axis}"
        h.note(f"no header: {counted}column {first} {read_as} the train loss and column {first + 1} as the "
               f"validation loss, one {per} (the order np.savetxt of the two lists writes; validation at or above "
               f"train on {above:.0%} of {where}); a header line would settle it")
    elif stride is None and values.shape[1] == 2:
        raise BadInput(f"{path}: two numbers per row, neither a counter; expected a counter and the "
                       f"{metric} ('100,0.693'), or a train and a validation loss in a file named for its loss")
    else:
        raise BadInput(f"{path}: {values.shape[1]} numbers per row{' after a counter' if stride is not None else ''} "
                       f"and no header; expected a counter and the {metric}, or a train and a validation loss")
    return h


#: one named list of numbers a line, as a script prints a history's lists: ``loss = [0.0013, ..]``,
#: ``val_loss: [..]``, a label first where a loop of fits numbers them (``epoch0 : loss = [..] ;``)
_NAMED_LIST_LINE = re.compile(r"\s*(?:(?P<label>[\w.\-]+)\s*[:|]\s*)?(?P<name>[A-Za-z][\w.\-]*)\s*[=:]\s*"
                              r"(?P<list>\[[\s\d.eE+\-,]*(?:" + _NON_FINITE + r"[\s\d.eE+\-,]*)*\])\s*[;,]?\s*")


def _named_lists(text: str) -> list[tuple[str, str, list[float]]] | None:
    """``(name, metric, values)`` for each line of ``text`` (every non-empty line one named list,
    each name one a loss or an accuracy word says), or None."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return None
    out = []
    for ln in lines:
        m = _NAMED_LIST_LINE.fullmatch(ln)
        metric = metric_named(m.group("name")) if m is not None else None
        if m is None or metric is None:
            return None
        try:
            values = json.loads(_json_spelling(m.group("list")))
        except json.JSONDecodeError:
            return None
        out.append((m.group("name"), metric, [float(v) for v in values]))
    return out


@register
class NamedListsReader(Reader):
    name = "named-lists"
    description = "lines of named lists of numbers, one per epoch, as a script prints a history (loss = [0.69, 0.52, ..])"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head) or len(head) >= 65536:
            return 0.0
        found = _named_lists(decode_text(head))
        return 0.7 if found and max(len(v) for _, _, v in found) >= 2 else 0.0

    def read(self, path: Path) -> list[RunHistory]:
        found = _named_lists(decode_text(path.read_bytes()))
        if not found:
            raise BadInput(f"{path}: expected lines such as 'loss = [0.69, 0.52, 0.41]', each naming a loss or an accuracy")
        # a name on several lines (a loop of fits, each printing its history): one curve, in order
        curves: dict[str, tuple[str, list[float], int]] = {}
        for name, metric, values in found:
            raw, before, lines = curves.get(metric, (name, [], 0))
            curves[metric] = (raw, before + values, lines + 1)
        if max(len(v) for _, v, _ in curves.values()) < 2:
            raise BadInput(f"{path}: one value per list; need at least 2 to judge a training curve")
        h = RunHistory(meta={"source": str(path), "format": self.name})
        for metric, (raw, values, lines) in curves.items():
            y = np.asarray(values, dtype=float)
            h.add(metric, np.arange(1, y.size + 1, dtype=float), y, raw_name=raw,
                  axis="epoch" if y.size <= _MAX_EPOCHS else "step")
            if lines > 1:
                h.note(f"{raw}: {lines} lists, one after another, read as one curve of {y.size} values")
        h.note("each list element read as one epoch (a history's list as printed)")
        return [h]
