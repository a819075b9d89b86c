"""Per-epoch and per-step lines that hand-written loops and most libraries print.

``Epoch 3 | train loss 0.41 | val loss 0.52``, ``epoch=3 loss=0.41``, ``Epoch [3/50], Step
[100/600], Loss: 0.41``, PyTorch's MNIST/CIFAR-10 example lines, Ignite's ``Validation Results
- Epoch[3] Avg accuracy: 0.81``, scikit-learn's ``Iteration 3, loss = 0.41``, step lines, and
Lightning/tqdm bars with the epoch in their description (``Epoch 3: 100%|...| 12/12 [...,
loss=0.41]``; the last update of each epoch wins).
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from typing import Iterable

from fitdoctor.history import TRAIN_PREFIXES, canonical_name
from fitdoctor.io.console.pairs import bare_split_losses, clean_pairs, extract_pairs, held_out_beside_loss, is_metric_key
from fitdoctor.io.console.patterns import EPOCH_INLINE, EPOCH_NO, SETTINGS, holds_no_record
from fitdoctor.io.console.runs import Run, State
from fitdoctor.io.console.tqdm import ITERATION_BAR, bar_postfix, epoch_bar_postfix

_BRACKET_EPOCH = re.compile(r"^\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]")
#: "Train: [ 1/5] Step 050/335 Loss 81.8", "Valid: [ 1/5] Final Accuracy 0.33 F1 0.11": the same
#: epoch-of-planned counter right after the split word that opens the line (no word "epoch").
#: An epoch only beside a batch counter, or with the total such a line had: PyTorch's ImageNet
#: example prints "Test: [10/242]  Time .. Loss .." with the batch in the same brackets
_SPLIT_BRACKET_EPOCH = re.compile(r"^(?:train(?:ing)?|val(?:id(?:ation)?)?|eval(?:uation)?|dev|test)\s*[:|-]?\s*"
                                  r"\[\s*(\d+)\s*/\s*(\d+)\s*\]", re.I)
#: "Average loss: 0.52", "Epoch summary - loss: ...": an epoch's own summary of its train lines
_SUMMARY_LEAD = re.compile(r"^\W*(?:avg|average|mean|summary|overall|total|running|epoch|train(?:ing)?)\b", re.I)
#: "Ep  3 | loss=0.41": the word abbreviated, at the start of the line
_EP_ABBREV = re.compile(r"^\s*ep\.?\s*[:=#]?\s*(\d+)\b", re.I)
#: "S42F1 E 20 loss=0.997 vloss=0.930", "E100 loss=..": a capital E for the epoch, its number
#: padded or glued to it, after at most one tag naming the run (seed 42, fold 1), then the values
_E_COUNT = re.compile(r"^\s*(?:[A-Za-z][\w\-]*\s+)?E\s*(\d{1,6})\s+(?=[A-Za-z_]\w*\s*[=:])")
#: "1       train loss=0.308        valid loss=2.737": a bare counter leading the line, set off
#: by a tab or a run of spaces from the named values after it (a table of one row per epoch)
_LEAD_COUNT = re.compile(r"^\s*(\d{1,6})(?:\t|\s{2,})\s*(?=[A-Za-z])")
_STEP_OF = re.compile(r"\b(?:step|iter|iteration|batch)\s*[:=#]?\s*\[?\s*(\d+)\s*/\s*(\d+)", re.I)
_STEP_INLINE = re.compile(r"\b(?:global[_ ]step|step|iteration|iter|it)\s*[:=#]?\s*\[?\s*(\d+)", re.I)
#: "Epoch 0, Batch 10, Loss: 2.31": a batch counter with no total after the epoch (with one,
#: ``_STEP_OF`` places the line at its fraction of the epoch)
_BATCH_INLINE = re.compile(r"\bbatch\s*[:=#]?\s*\[?\s*(\d+)\b(?!\s*/)", re.I)
#: an evaluation's line that opens with the step it was taken at: "  eval 20: train 1.0542 | val
#: 1.1876 | 1.7134 bpc" beside "iter 50 | loss 0.9582" lines (a char-level LM's fine-tune loop)
_EVAL_AT = re.compile(r"^\s*eval(?:uation)?\s*[#@]?\s*(\d+)\s*:", re.I)
#: "Validation Results - Epoch[3] Avg accuracy: 0.81 Avg loss: 0.52" (PyTorch Ignite's examples
#: and many hand loops): the split is named once at the start of the line, not in each key
_SPLIT_LEAD = re.compile(r"^\s*(?:[^\w\s]+\s*)?(validation|valid|val|eval(?:uation)?|dev|test|train(?:ing)?)\b"
                         r"(?:\s+(?:results?|set|metrics?|stats?|phase|split))?\s*[-:|,]?", re.I)
#: "Global Batch 5", "global_step=120": a counter over the whole run, never restarted per epoch
_GLOBAL_STEP = re.compile(r"\bglobal[_ ](?:step|batch|iter(?:ation)?)s?\s*[:=#]?\s*(\d+)", re.I)
#: "epoch_end=1 train_loss=.. val_loss=..": an epoch's closing summary, named as such
_EPOCH_END = re.compile(r"\bepoch[_ ]end\s*[:=#]?\s*(\d+)(?:\s*(?:/|\bof\b)\s*(\d+))?", re.I)
#: "Training [===     ] 8.5% 5000/58874 | 4.62 it/s | loss=3.91": a bar of a trainer's own whose
#: count is the optimizer step (tqdm's "%|" bars are read in ``tqdm.py``)
_BAR_COUNT = re.compile(r"\]\s*\d{1,3}(?:\.\d+)?%\s+(\d+)\s*/\s*\d+\b")
EPOCH_BATCH = re.compile(r"^\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]")
#: "[640/60000 (1%)]" right after the epoch number: how far into the epoch the line is
_BRACKET_PROGRESS = re.compile(r"\s*\[\s*(\d+)\s*/\s*(\d+)\s*(?:\(\s*\d+(?:\.\d+)?%\s*\))?\s*\]")
#: "Epoch  1,   100/ 1056; ppl: 16615.48 ;" (OpenNMT-py's and its forks' reports): the batch of
#: the epoch after a comma, ended by a semicolon
_COMMA_PROGRESS = re.compile(r"\s*,\s*(\d+)\s*/\s*(\d+)\s*;")
#: "Accuracy: 9839/10000 (98%)": a count out of a total, read as the fraction
_COUNT_RATIO = re.compile(r"\b(\d+)\s*/\s*(\d+)\s*\(\s*\d+(?:\.\d+)?\s*%\s*\)")
_AVG_PREFIX = re.compile(r"^(?:avg|average|mean)_(?=\w)", re.I)
#: the prefix Python's logging puts before a message: "2025-06-14 22:57:21,314 - INFO - ",
#: "[2025-06-14 22:57:21] INFO: ", "INFO:root:"
#: a level after a stamp, bracketed or not: "INFO - ", "[INFO] ", "WARNING: "
_LEVEL_TAG = r"(?:(?:\[\s*(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\]|(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\]?)\s*[-|:]?\s*)?"
_LOG_PREFIX = re.compile(r"^\s*(?:\[?\d{4}([-/])\d\d\1\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s*(?:[-|:]\s*)?"
                         # Python logging's default "%(asctime)s - %(name)s - %(levelname)s - ", or the
                         # logger's name before its level with no dash ("[2022/10/07 21:47:33] ppcls INFO: ",
                         # PaddleClas)
                         # (timm pads both and puts a colon after the name: "   train: [    INFO] - ")
                         r"(?:[\w.<>]+:?\s+(?:[-|]\s+)?(?=\[?\s*(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\b))?"
                         + _LEVEL_TAG +
                         r"|\[(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\]\s*\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?"
                         r"\s*[-|:]?\s*"
                         r"|(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]*:"
                         # a stamp without the year, or the time alone: "04-07 07:30:38, ", "[21:45:47.326847] "
                         r"|\[?(?:\d\d[-/]\d\d[ T])?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s*[-|:,]?\s+"
                         # ... and the level after it: "12:34:40 [INFO]   [1/100] batch 1200/5305 .."
                         + _LEVEL_TAG + ")")
#: a header line with nothing else: "Epoch 3:", "=== Epoch 3 ===", "Epoch 3/50", "Epoch 3 of 50",
#: "=> Epoch 3" (not "epoch: 30",
#: a setting), or a decorated one with a colon: "### EPOCH: 3" (a Markdown heading), "== Epoch: 3 ==",
#: "epoch: 3/100" (a colon, then a total),
#: and either with the word for a number after it: "## Epoch no. = 3", "Epoch number 3", "Epoch #3",
#: or with the epoch's settings in parentheses: "Epoch 4/50 (lr=0.000400)", or its count in
#: brackets: "Epoch [47/300]"
#: what decorates a header line around "Epoch 3/20": rules of ASCII or box-drawing characters
#: ("=== Epoch 3 ===", "── Epoch 3/20 ──")
_DECOR = r"\s|=#*>\-\[\u2500-\u257f"
_EPOCH_HEADER = re.compile(r"^(?:[" + _DECOR + r"]*epoch\s+(?:" + EPOCH_NO + r"|\[\s*)?|\s*[=#][\s=#\-]*epoch\s*(?:"
                           + EPOCH_NO + r"|:\s*)"
                           # "epoch: 3/100": a colon, but a total after it (a setting has none)
                           r"|[" + _DECOR + r"]*epoch\s*:\s*(?=\d+\s*(?:/|\bof\b)\s*\d+))(\d+)"
                           r"(?:\s*(?:/|\bof\b)\s*(\d+))?" + SETTINGS
                           # "Epoch 1/30 started" (the epoch's lines follow; "Epoch 1 done" is its summary)
                           + r"(?:\s+(?:started|starting|begins?|beginning)\b\.*)?"
                           + r"\s*:?[\s|=#*\-\]\u2500-\u257f]*$", re.I)
#: "Epoch:0" or "epoch: 3" alone on its line: a header when it counts up from 0 or 1 (a script
#: printing each epoch's number before its lines), a setting otherwise ("epoch: 30" in a config dump)
_EPOCH_COLON = re.compile(r"^[\s|=#*>\-\[]*epoch\s*[:=]\s*(\d+)\s*$", re.I)
#: a line that opens an epoch, whatever follows ("Epoch 2/25 (device=cuda)")
_EPOCH_MARK = re.compile(r"^[" + _DECOR + r"]*epoch\s*[:#]?\s*\d+\b", re.I)
#: an epoch counter opening a line, with what separates it from the rest ("Epoch:  1 ", "[Epoch 3] | ")
_LEADING_EPOCH = re.compile(r"^[\s\[(]*epoch\s*[:=#]?\s*\d+(?:\s*(?:/|\bof\b)\s*\d+)?[\s\])]*[,:;|\-]*\s*", re.I)
#: a line announcing an evaluation, with no number in it: "testing in eval mode......",
#: "Validating...", "==> Evaluation on the dev set"
EVAL_ANNOUNCEMENT = re.compile(r"^[^\w\d]*(?:[A-Za-z]+\s+){0,3}?(?:testing|evaluating|validating|validation|evaluation|eval)"
                               r"\b[^\d]*$", re.I)
#: how many lines under a header its metric lines may sit when the log has no other header to
#: tell how many lines an epoch prints (the script prints them right after)
_HEADER_REACH = 4
#: an epoch counter and its total opening a line ("Epoch 1/50  |  LR=3.00e-04"): a header when
#: the rest of the line holds only settings (see :func:`_settings_header`)
_COUNTER_LEAD = re.compile(r"^[\s|=#*>\-\[]*epoch\s*[:#]?\s*(\d+)(?:\s*(?:/|\bof\b)\s*(\d+))?\]?", re.I)
#: one ``key=value`` or ``key: value`` setting, with a unit after its number ("LR=3.00e-04", "bs: 32", "time 4.1s")
_SETTING_PAIR = re.compile(r"([A-Za-z][\w.]*(?:[ _][A-Za-z][\w.]*)?)\s*[:=]?\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*[a-z%]*",
                           re.I)


#: bracketed tags that open a line before its split word ("[fold 0], [RESULT]: Val. Epoch: 3, ..."):
#: no epoch counter among them ("[Epoch 3]" is read by ``_LEADING_EPOCH``); looked past only when
#: the line does not name its split first ("[Val] Epoch: 3")
_LEADING_TAGS = re.compile(r"^\s*(?:\[(?!\s*epoch\b)[^\]\d]*(?:\d+[^\]\d]*)?\]\s*[,:;|\-]*\s*)+", re.I)


def without_log_prefix(seg: str) -> str:
    """The line with the prefix Python's logging put before the message removed (see ``_LOG_PREFIX``)."""
    return _LOG_PREFIX.sub("", seg, count=1)


def line_lead(seg: str) -> str:
    """Where a line's own words start: after a logging prefix ("2019-12-10 16:55:38,486 INFO ",
    "[INFO] 2021-12-25 21:44:38,457 : "), and after an epoch counter that opens it ("Epoch:  1
    Dev Bleu Score: ..." names the dev split)."""
    line = without_log_prefix(seg)
    m = _LEADING_EPOCH.match(line)
    return line[m.end():] if m is not None else line


def split_prefixed(seg: str, pairs: dict[str, float]) -> dict[str, float]:
    """Keys of a line that names its split up front, as if each key carried the prefix;
    ``avg_loss`` (an epoch average) is the loss."""
    pairs = {_AVG_PREFIX.sub("", k): v for k, v in pairs.items()}
    lead = line_lead(seg)
    m = _SPLIT_LEAD.match(lead) or _SPLIT_LEAD.match(_LEADING_TAGS.sub("", lead, count=1))
    if m is None or m.group(1).lower().startswith("train"):
        return pairs
    # "val Loss: 0.50 Acc: 0.86" (PyTorch's transfer-learning tutorial): the keys the line's
    # lead names already carry keep their name, the others take it
    # (a key scoped to the train split later in the line, "val loss .. | train loss ..", keeps it)
    # each under its own split word ("Test set loss: .. acc: ..": test_acc; a "Dev BLEU" line
    # beside a "Validation BLEU" line: dev_bleu), so one never overwrites the other's
    split = split_prefix(m.group(1))
    return {k if k.lower().startswith(("val", "eval", "test", "dev", "train")) else f"{split}_{k}": v
            for k, v in pairs.items()}


def split_prefix(word: str) -> str:
    """The key prefix a split word gives ("Validation", "valid" -> val, "evaluation" -> eval,
    "training" -> train; dev and test as they are): each split keeps its own."""
    word = word.lower()
    for short in ("val", "eval", "train"):
        if word.startswith(short):
            return short
    return word


def note_epoch_header(state: State, n: int, seg: str) -> None:
    """Remember the epoch a line of its own names ("Epoch 3:", "=== Epoch 3 ==="): the metric
    lines right under it that carry no epoch ("loss=0.41, accuracy=0.88") are that epoch's.
    A setting (``epoch: 30``) is no header; a header owns the lines up to the next one (see
    :func:`header_epoch_for`)."""
    line = without_log_prefix(seg)
    m = _EPOCH_HEADER.match(line) or _counting_epoch(state, line) or _settings_header(line)
    if m is None and line[:1] == "[":  # "[INFO] Epoch 1/30 started": a level tag before the header
        line = _LEADING_TAGS.sub("", line, count=1)
        m = _EPOCH_HEADER.match(line)
    if m is not None:
        state.header_epoch, state.header_line = float(m.group(1)), n
        total = m.group(2) if m.re is not _EPOCH_COLON else None
        state.header_planned = int(total) if total else None
    if m is not None or _EPOCH_MARK.match(line):
        state.epoch_line = n


def _settings_header(line: str) -> re.Match[str] | None:
    """An epoch line whose rest holds only the epoch's settings, no metric ("Epoch 1/50  |
    LR=3.00e-04", "Epoch 3 - lr: 0.001"): a header, like one with its settings in parentheses.
    A word outside a setting ("Epoch 5 done") or a metric key leaves it no header."""
    m = _COUNTER_LEAD.match(line)
    if m is None:
        return None
    rest = line[m.end():]
    keys = [k.group(1) for k in _SETTING_PAIR.finditer(rest)]
    if not keys or any(is_metric_key(k) for k in keys) or re.search(r"\w", _SETTING_PAIR.sub("", rest)):
        return None
    return m


def _counting_epoch(state: State, line: str) -> re.Match[str] | None:
    """An ``epoch: N`` line that is a header, not a setting: the first of a count (0 or 1), or
    the one after the last such header."""
    m = _EPOCH_COLON.match(line)
    if m is None:
        return None
    k = int(m.group(1))
    last, state.colon_epoch = state.colon_epoch, k
    return m if k <= 1 or last == k - 1 else None


def header_lines(segs: list[tuple[int, str]]) -> list[int]:
    """The line of every epoch header in a log, in order (read ahead, on a scratch state, from the
    lines the reading itself takes headers from): each header owns the lines up to the next one."""
    scratch = State()
    found: list[int] = []
    for n, seg in segs:
        if ("poch" in seg or "POCH" in seg) and holds_no_record(seg):
            before = scratch.header_line
            note_epoch_header(scratch, n, seg)
            if scratch.header_line != before:
                found.append(n)
    return found


#: how many lines under a progress line its values may be printed on, one a line
_PROGRESS_REACH = 3


def note_progress_point(state: State, n: int, seg: str) -> None:
    """Remember where in its epoch a line that counts batches and holds no value stands
    ("[TRAIN] Epoch 000 | batch 0010/9565 (0.1%) | 0.539s/batch", then "[TRAIN] mean acc: 0.089"
    and "[TRAIN] mean loss: 25.24" a line each): the values under it are that batch's, where
    they had all piled on the epoch (a RandLA-Net log of 91 such points, stopped inside its first
    epoch, read as "only one epoch of values")."""
    m = EPOCH_INLINE.search(seg)
    sub = _STEP_OF.search(seg, m.end()) if m is not None else None
    if sub is not None and int(sub.group(2)) > 0:
        state.progress_point = (n, within_epoch(float(m.group(1)), int(sub.group(1)), int(sub.group(2))))


def progress_point_for(state: State, n: int, epoch: float) -> float | None:
    """The point of the progress line right above line ``n`` (within ``_PROGRESS_REACH`` lines),
    when it lies in ``epoch`` (see :func:`note_progress_point`)."""
    p = state.progress_point
    if p is None or not 0 < n - p[0] <= _PROGRESS_REACH or state.header_line > p[0]:
        return None
    return p[1] if abs(p[1] - epoch) <= 1 else None  # epoch 3's batches lie between 2 and 3 (counted from 1)


def header_epoch_for(state: State, n: int) -> float | None:
    """The epoch of the header line above line ``n``, if line ``n`` is still that header's: before
    the next header ("Epoch 1/50 | LR=.." over batch lines, a train and a val summary and a
    classification report), or, under the last header, within as many lines as an epoch took
    before it (a test summary printed after training is no epoch's). A log of one header:
    the few lines right under it."""
    if state.header_epoch is None or n <= state.header_line:
        return None
    lines = state.header_lines
    i = bisect.bisect_right(lines, state.header_line)
    if i < len(lines):
        reach = lines[i] - state.header_line - 1
    elif i >= 2:
        reach = int(statistics.median(b - a for a, b in zip(lines[:i - 1], lines[1:i])))
    else:
        reach = _HEADER_REACH
    return state.header_epoch if n - state.header_line <= max(reach, _HEADER_REACH) else None


def within_epoch(epoch: float, done: int, total: int) -> float:
    """Where batch ``done`` of ``total`` lies in ``epoch`` (counted from 1, or from 0). A counter
    from 0 names the batch under way, not a finished one: "Epoch 2, Batch 0/8" at 0/8 would sit
    on epoch 1's end, where epoch 1's summary line is."""
    frac = min(done / total, 1.0) if done or epoch < 1 else 0.5 / total
    return epoch - 1 + frac if epoch >= 1 else epoch + frac


def _move_back_an_epoch(run: Run) -> None:
    """Every record read so far one epoch earlier: the log numbers its epochs one lower than the
    batch lines they were placed by (see handle_generic)."""
    run.records = {k - 1.0: v for k, v in run.records.items()}
    if run.last_x is not None:
        run.last_x -= 1.0


def _closes_epoch_zero(state: State, epoch: float) -> bool:
    """An epoch line with no batch counter for epoch 0, right after epoch 0's batch lines (placed
    between 0 and 1, see :func:`within_epoch`) and before any of epoch 1's: its summary."""
    run = state.run
    return (epoch == 0 and state.epoch_zero_batches and state.batch_epoch == 0 and not state.batch_shift
            and run.dialect == "generic" and bool(run.records) and run.last_x is not None
            and 0 < run.last_x <= 1 and min(run.records) >= 0)


def _summary_counts_from_zero(state: State, epoch: float) -> bool:
    """An epoch line with no batch counter numbered one below the batch lines just before it, which
    counted from 1 and reached into the last part of that epoch: its summary, numbered from 0."""
    run, batch_epoch = state.run, state.batch_epoch
    if (batch_epoch is None or batch_epoch < 1 or epoch != batch_epoch - 1 or state.epoch_zero_batches
            or state.batch_shift):
        return False
    return bool(run.records) and run.last_x is not None and batch_epoch - 0.5 < run.last_x <= batch_epoch


def batch_point(seg: str, epoch: float) -> float | None:
    """The point inside ``epoch`` of a line under its header that counts batches with their total
    ("── Epoch 3/20 ──" over "  Batch 5/13 | loss: 0.41"), as "Epoch 3, Batch 5/13" on one line
    is read: the epoch's own summary under it is then the epoch's value, not the last batch's.
    None when the line counts no batches."""
    sub = _STEP_OF.search(seg)
    if sub is None or int(sub.group(2)) <= 0:
        return None
    return within_epoch(epoch, int(sub.group(1)), int(sub.group(2)))


def _resumed_after_table(state: State, dialect: str, axis: str, x: float) -> Run | None:
    """The run a numbered line goes on with after a block of unnumbered lines (a per-class mAP
    table printed by each evaluation, "aeroplane --> mAP : 0.578"): the run before that block,
    when this line continues its count (the same axis, not going back). It becomes the current
    run again (moved last while the log is read); the table stays a run of its own. Else None
    (a new run starts)."""
    if len(state.runs) < 2:
        return None
    before = state.runs[-2]
    if (before.dialect != dialect or before.axis != axis or before.last_x is None or x < before.last_x
            or not before.records):
        return None
    state.runs.append(state.runs.pop(-2))
    return before


def _split_bracket_epoch(state: State, seg: str) -> tuple[re.Match[str], str] | None:
    """The "[ 1/5]" of a split-led line when it counts epochs (see ``_SPLIT_BRACKET_EPOCH``),
    with the line after it (its logging prefix taken off)."""
    if "[" not in seg:  # most lines: no bracket, no regex
        return None
    line = without_log_prefix(seg)
    sb = _SPLIT_BRACKET_EPOCH.match(line)
    if sb is None:
        return None
    if _STEP_OF.search(line, sb.end()) is not None:
        state.split_bracket_total = int(sb.group(2))
    elif state.split_bracket_total != int(sb.group(2)):
        return None
    return sb, line[sb.end():]


def handle_generic(state: State, n: int, seg: str) -> None:
    x: float | None = None
    axis = "epoch"
    rest = seg
    batch_line = False
    step_x: float | None = None
    #: "Epoch [12/50]", "[37000/70000] Train loss: ..": how far the run got of the length it was
    #: planned for (a log that ends well short of it was cut short, see ``cut_short``)
    planned: tuple[int, int] | None = None
    bare_counter = False
    #: (epoch, batches in it) of a line counting batches with their total: an evaluation's
    #: progress lines are placed at that epoch's end (see below)
    in_epoch: tuple[float, int] | None = None
    m = EPOCH_INLINE.search(seg) or _EPOCH_END.search(seg)
    if m is not None:
        x = float(m.group(1))
        if m.group(2):
            planned = (int(m.group(1)), int(m.group(2)))
        rest = seg[:m.start()] + " | " + seg[m.end():]
        if "%|" in rest:
            # tqdm: "Epoch 3: 100%|####| 12/12 [00:01<00:00, 9.5it/s, loss=0.41]"
            rest = epoch_bar_postfix(rest)
        else:
            # "Epoch [3/50], Step [100/600], Loss: 0.41" or PyTorch's MNIST example "Train Epoch:
            # 3 [640/60000 (1%)]  Loss: 0.41": a point every few batches, at its fraction of the epoch
            prog = _BRACKET_PROGRESS.match(seg, m.end()) or _COMMA_PROGRESS.match(seg, m.end())
            sub = prog if prog is not None else _STEP_OF.search(rest)
            if sub is not None and 0 < int(sub.group(2)):
                done, total = int(sub.group(1)), int(sub.group(2))
                if x == 0:
                    state.epoch_zero_batches = True
                state.batch_epoch = int(x)
                in_epoch = (x, total)
                x = within_epoch(x, done, total) - state.batch_shift
                if prog is not None:
                    rest = seg[:m.start()] + " | " + seg[prog.end():]
                else:
                    rest = rest[:sub.start()] + " | " + rest[sub.end():]
            elif _closes_epoch_zero(state, x):
                # "epoch 0 VAL nll=0.0398" right after "epoch 0 step 14/45 .. nll=0.0591": epoch 0's
                # own summary, after its batches, which sit where a log counted from 1 puts epoch
                # 1's (0 to 1); they move back a whole epoch (-1 to 0), so the summary closes epoch
                # 0 at 0 (it started a new run, its epoch below their points), as epoch 1's batches
                # would have moved them had they come first
                _move_back_an_epoch(state.run)
            elif _summary_counts_from_zero(state, x):
                # "Epoch 0/1000, Loss: .., Val Loss: .." right after "Epoch 1/1000 Batch 9500/9585"
                # lines: the script numbers its batch lines from 1 and its epoch summaries from 0,
                # so each summary started a new run, its counter lower than theirs. The batch lines
                # move back an epoch, into the summaries' count: the summary closes the epoch its
                # batches were in, at the number the log prints for it
                run = state.run
                _move_back_an_epoch(run)
                state.batch_shift = 1
                run.notes.append("each epoch's summary line counts epochs from 0 while its batch lines count "
                                 "from 1: the batch lines are read as the epoch of the summary after them")
            elif (g := _GLOBAL_STEP.search(rest)) is not None:
                # "Epoch 1, Global Batch 5, Training Loss: .., Validation Loss: ..": an evaluation
                # every few batches, on the global counter (the epoch alone would fold them into one)
                x, axis = float(g.group(1)), "step"
                rest = rest[:g.start()] + " | " + rest[g.end():]
            elif (st := _STEP_INLINE.search(rest) or _BATCH_INLINE.search(rest)) is not None:
                # "epoch 1, phase train, step 10, loss_train, 0.838": a batch counter with no
                # total, so no fraction of the epoch; the epoch's value is its lines' mean (or,
                # when the line holds an evaluation, the step it was taken at: see below)
                batch_line, step_x = True, float(st.group(1))
                rest = rest[:st.start()] + " | " + rest[st.end():]
    elif (split_epoch := _split_bracket_epoch(state, seg)) is not None:
        # the split word stays for split_prefixed (it reads the line's lead); a batch counter
        # after the epoch is progress inside it, so the epoch's "Final" line closes it
        sb, rest = split_epoch
        x = float(sb.group(1))
        planned, bare_counter = (int(sb.group(1)), int(sb.group(2))), True
        sub = _STEP_OF.search(rest)
        if sub is not None and 0 < int(sub.group(2)):
            x = within_epoch(x, int(sub.group(1)), int(sub.group(2)))
            rest = rest[:sub.start()] + " | " + rest[sub.end():]
    elif (eb := EPOCH_BATCH.match(seg)) is not None:
        # "[2,  4000] loss: 1.52" (PyTorch's CIFAR-10 tutorial): epoch and batch, as a step
        ep, batch = int(eb.group(1)), int(eb.group(2))
        cur = state.run
        if ep == 1 or not cur.batches_per_epoch:
            cur.batches_per_epoch = max(cur.batches_per_epoch, batch) if ep == 1 else batch
        x, axis = float((ep - 1) * cur.batches_per_epoch + batch), "step"
        rest = seg[eb.end():]
    else:
        b = _BRACKET_EPOCH.match(seg)
        if b is None and "[" in seg:
            # "12:34:40 [INFO]   [3/100] batch 50/5305 loss=..": the epoch counter behind a logging
            # prefix, when a batch counter follows it (alone, "[25/103] loss=.." under an "Epoch 3/12"
            # header counts that epoch's batches)
            line = without_log_prefix(seg)
            b = _BRACKET_EPOCH.match(line)
            if b is not None and _STEP_OF.search(line, b.end()) is not None:
                seg = line
            else:
                b = None
        b = b or _EP_ABBREV.match(seg) or _E_COUNT.match(seg) or _LEAD_COUNT.match(seg)
        if b is not None:
            x = float(b.group(1))
            rest = seg[b.end():]
            if b.re is _BRACKET_EPOCH:
                planned, bare_counter = (int(b.group(1)), int(b.group(2))), True
        else:
            st = _STEP_INLINE.search(seg) or _EVAL_AT.match(seg) or _BAR_COUNT.search(seg)
            if st is not None and st.re is _STEP_INLINE and _STEP_OF.search(seg) is not None \
                    and header_epoch_for(state, n) is not None:
                # "step=20/144 loss=4.5657" under "Epoch 1/30 started": a batch of that epoch
                # (see batch_point), not a step counter that restarts at every epoch
                st = None
            sub = _STEP_OF.search(seg) if st is not None and st.re is _STEP_INLINE else None
            if sub is not None and sub.start() > st.start() and int(sub.group(2)) > 0:
                # "iteration:1 step:3700/23196, NER loss:11.96": a counter, then a finer one with
                # its total: the first counts passes over the data (epochs), the second the
                # batches inside one, so the line sits at its fraction of that pass
                x = within_epoch(float(st.group(1)), int(sub.group(1)), int(sub.group(2)))
                state.run.pass_progress = (float(st.group(1)), int(sub.group(1)), int(sub.group(2)))
                rest = seg[:st.start()] + " | " + seg[st.end():sub.start()] + " | " + seg[sub.end():]
            elif st is not None:
                x, axis = float(st.group(1)), "step"
                rest = seg[:st.start()] + " | " + seg[st.end():]
    if m is None and "%|" in rest:
        # a progress bar with no epoch ("Map: 100%|####| 1000/1000 [00:01<00:00, 900 examples/s]",
        # a download): the percentage after its label is progress; only its postfix can hold metrics
        if x is None and state.iteration_bar and (bar := ITERATION_BAR.search(rest)) is not None:
            # the run's own bar over its iterations: its n is the step, its total the planned length
            x, axis = float(bar.group(1)), "step"
            planned = (int(bar.group(1)), int(bar.group(2)))
        rest = bar_postfix(rest)
    rest = _COUNT_RATIO.sub(lambda r: f"{int(r.group(1)) / max(int(r.group(2)), 1):.6g}", rest)
    # Python logging's "INFO:root:" glues itself to the first name ("INFO:root:Loss: 1.92"):
    # the message is what holds the pairs
    pairs = clean_pairs(extract_pairs(without_log_prefix(rest)))
    named = None
    if pairs and not any(is_metric_key(k) for k in pairs):
        named = bare_split_losses(rest, pairs)
        if named is not None:
            pairs = named
            if not state.bare_split_note:
                state.bare_split_note = True
                state.run.notes.append("'train' and 'val' printed with bare numbers are read as the train and "
                                       "validation loss")
    elif pairs and (held := held_out_beside_loss(rest, pairs)) is not None:
        pairs = held
        if not state.bare_split_note:
            state.bare_split_note = True
            state.run.notes.append("a held-out split word printed with a bare number beside the loss ('val=1.97') "
                                   "is read as the validation loss")
    if not pairs or not any(is_metric_key(k) for k in pairs):
        return
    if named is None:  # bare "train .. val .." words name each number's split themselves ("[eval] iter 500: ...")
        pairs = split_prefixed(seg, pairs)
    # every value on the line names a held-out split itself (not only by an announcement above it)
    evaluates = all(canonical_name(k).startswith(("val_", "test_")) for k in pairs)
    if state.eval_line == n - 1 and not any(_split_named(k) for k in pairs):
        # "epoch: 3, loss is: 0.49, acc is: 0.84" right under "testing in eval mode......": the
        # same line the train part printed, now for the evaluation it announced
        pairs = {f"val_{k}": v for k, v in pairs.items()}
    held_out = names_held_out(pairs)
    if in_epoch is not None and evaluates:
        # "Epoch 20/1000, Iter 0/20, test loss = 0.176" after "Epoch 20/1000, Iter 89/90, train
        # loss = ..": the evaluation pass's progress through its own batches, not a point of the
        # epoch's training (at 0/20 it went back to the epoch's start and began a new run every
        # epoch); its lines' mean is the epoch's evaluation, at the epoch's end
        x, batch_line = within_epoch(in_epoch[0], in_epoch[1], in_epoch[1]) - state.batch_shift, True
    elif batch_line and held_out:
        # "epoch=1 step=200 train_loss=0.3574 val_loss=0.3097": an evaluation every 200 steps,
        # on the step counter (the epoch alone would fold each epoch's evaluations into one)
        x, axis, batch_line = step_x, "step", False
    if x is None:
        x = header_epoch_for(state, n)
        if x is not None and state.header_planned and planned is None:
            planned = (int(x), state.header_planned)
        inside = batch_point(seg, x) if x is not None and not held_out else None
        if inside is None and x is not None and not held_out:
            inside = progress_point_for(state, n, x)
        if inside is not None:
            x = inside
    else:
        state.header_epoch = None
    run = state.run
    # a line with no epoch of its own right after a generic run's lines, and (fractional last x)
    # inside an epoch's progress lines: it closes that epoch
    after = x is None and bool(run.records) and run.dialect in ("generic", "tqdm") and run.last_x is not None
    mid_epoch = after and run.last_x != int(run.last_x)
    if after and all(canonical_name(k).startswith("val_") for k in pairs):
        # "Test set: Average loss: 0.05, Accuracy: 9839/10000 (98%)" after an epoch's train lines:
        # the evaluation that closes the epoch those lines were in
        x, axis = _epoch_end(run), run.axis
    elif mid_epoch and _SUMMARY_LEAD.match(line_lead(seg)) is not None:
        # "Average loss: 1.70" after an epoch's progress lines: that epoch's own train summary,
        # at its end (it started a run of its own)
        x, axis = _epoch_end(run), run.axis
    elif mid_epoch and _SPLIT_LEAD.match(line_lead(seg)) is None and (
            any(canonical_name(k) in _train_keys(run) for k in pairs)
            or all(_EVALUATION_SCORE.match(canonical_name(k)) for k in pairs)):
        # "Loss: 0.985, MeanIU: 0.4960" with no epoch, right after an epoch's "Epoch: [352/520]
        # Iter:[490/495] ... Loss: 1.44" lines (HRNet-style segmentation scripts): the evaluation
        # that closes the epoch, named like the train keys it sits under; or "mAP : 0.113" after
        # a detector's step lines, a score only an evaluation computes
        pairs = {k if canonical_name(k).startswith("val_") else f"val_{k}": v for k, v in pairs.items()}
        x, axis = _epoch_end(run), run.axis
        if not state.unnamed_val_note:
            state.unnamed_val_note = True
            run.notes.append("lines with no epoch after each epoch's progress lines, keyed like its train "
                             "metrics or naming a score only an evaluation computes (mAP), are read as that "
                             "epoch's validation")
    elif after and not any(_split_named(k) for k in pairs) and _under_announced_eval(state, n, pairs):
        # "[EVAL] epoch=1", "Evaluating top_k_accuracy ...", then "top1_acc	0.8583" and
        # "top5_acc	0.9896" a line each (PaddleVideo): metrics with no epoch and no split word,
        # printed right after an evaluation was announced, are that evaluation's, at the end of
        # the epoch it follows (each had begun a run of its own, between the epochs' train runs)
        pairs = {f"{state.announced_split}_{k}": v for k, v in pairs.items()}
        x, axis = _epoch_end(run), run.axis
        state.announced_eval_x = x
        if not state.announced_eval_note:
            state.announced_eval_note = True
            what = "the test split's evaluation" if state.announced_split == "test" else "the validation"
            run.notes.append("metric lines with no epoch under an announced evaluation (\"Evaluating ...\") are "
                             f"read as {what} of the epoch before it")
    elif after and _continues_record(state, n) and not any(canonical_name(k) in _train_keys(run) for k in pairs):
        # "Current_accuracy : 60.039, Current_norm_ED : 0.8185" right under "[20000/300000] Train
        # loss: 0.30, Valid loss: 1.49": the record above, continued on the next line (it cut the
        # run in two at every record)
        x, axis = run.last_x, run.axis
    if state.progress_steps and axis == "step" and m is None:
        state.progress_lines += 1  # progress within an epoch or an evaluation pass: see State.progress_steps
        return
    if (not state.progress_steps and x is not None and axis == "epoch" and m is not None and run.records and run.axis == "step"
            and run.dialect == "generic" and (not held_out or any(names_held_out(rec) for rec in run.records.values()))):
        # "Epoch 1 completed. Average Training Loss: 4.68" between the "Epoch 1, Global Batch 2335,
        # Training Loss: ..., Validation Loss: ..." lines: the step lines carry the curve; the
        # epoch's own summary would cut the run at each epoch (one with a val loss too, when the
        # step lines already evaluate: "epoch_end=1 train_loss=.. val_loss=..")
        state.epoch_summaries_left_out += 1
        if not state.epoch_summary_note:
            state.epoch_summary_note = True
            run.notes.append("each epoch's own summary line between the step lines is left out: the step lines carry the curve")
        return
    if x is not None and axis == "step":
        if (run.records and run.axis == "step" and run.last_x is not None and x + state.step_offset < run.last_x
                and state.epoch_line > state.record_line and run.dialect == "generic"):
            # "  step 00020: loss=..." again under the next "Epoch N/M" line: the counter
            # restarts each epoch; the run goes on from where the last epoch ended
            state.step_offset = run.last_x
            if not state.restart_note:
                state.restart_note = True
                run.notes.append("the step counter restarts at each epoch line: steps are counted on from "
                                 "the epoch before")
        raw_x, x = x, x + state.step_offset
    if x is None:
        if run.records and repeats_last_record(run, pairs):
            return  # "mAP : 0.1130" then "===test mAP:0.113": one evaluation printed again
        if one_metric_lines(run, pairs):
            run.put(run.last_x, pairs)
            state.record_line = n
            return
        if run.records and run.dialect not in ("", "seq"):
            run = state.new_run(n)
        state.seq += 1
        x = float(state.seq)
        dialect = "seq"
        run.one_metric_rows = len(pairs) == 1
    else:
        dialect = "tqdm" if "%|" in seg else "generic"
        if run.last_x is not None and x < run.last_x and m is not None and float(m.group(1)) == 1 \
                and state.epoch_zero_batches and run.records and max(run.records) <= 1:
            # "Epoch:[1/120],step:[0/197]" after epoch 0's batch lines: a counter from 0, whose
            # batches of epoch 0 were placed where epoch 1's go (0 to 1); they move back a whole
            # epoch (-1 to 0), so epoch 0 closes at 0 as a 1-based log's epoch 1 closes at 1
            _move_back_an_epoch(run)
        if run.records and run.dialect == "seq" and (resumed := _resumed_after_table(state, dialect, axis, x)):
            run = resumed
        elif run.records and (run.dialect in ("hf", "seq", "keras") and run.dialect != dialect
                              or run.last_x is not None and x < run.last_x or run.axis != axis):
            run = state.new_run(n)
            if axis == "step":
                x = raw_x  # a new run counts its own steps (new_run dropped the offset)
    run.dialect, run.axis = dialect, axis
    if not run.records:
        run.start_line = n
    if batch_line:
        run.put_mean(x, pairs)
        if step_x is not None and len(run.records) == 1:
            # while the run has no other epoch, each batch line is kept at its own step too: a run
            # stopped inside its first epoch (a one-epoch fine-tune) is read on them
            run.first_epoch_points.setdefault(step_x, {}).update(pairs)
            run.first_epoch_axis = "step"
    else:
        run.put(x, pairs)
    if planned is not None and planned[1] >= planned[0] > 0:
        run.last_header, run.header_total = planned
    run.bare_counter = run.bare_counter or bare_counter  # on the run the record went to
    state.record_line = n


#: how many lines of words alone may sit between a record and the line that continues it
_QUIET_REACH = 2


def _continues_record(state: State, n: int) -> bool:
    """Whether line ``n`` comes right after the last record, or after it and at most
    :data:`_QUIET_REACH` lines that hold no number ("Epoch:3,Loss:0.55", "work", "MSE_loss =
    0.677": the script's own word between the epoch's line and its evaluation)."""
    return state.record_line == n - 1 or (state.numbered_line == state.record_line
                                          and 0 < n - state.record_line <= _QUIET_REACH + 1)


def _under_announced_eval(state: State, n: int, pairs: dict[str, float]) -> bool:
    """Whether a line with no epoch belongs to the evaluation announced just above it: within
    ``_HEADER_REACH`` lines of the announcement with no record between, or the next line of
    its metrics (one not yet in the record they went to: a metric printed again, "GHR r=0.28"
    under "Mean Pearson r", is a breakdown, not the same evaluation)."""
    run = state.run
    if state.eval_line > state.record_line:
        return n - state.eval_line <= _HEADER_REACH
    if state.announced_eval_x is None or state.announced_eval_x != run.last_x or n - state.record_line > _HEADER_REACH:
        return False
    held = {canonical_name(k) for k in run.records.get(run.last_x, {})}
    return not any(canonical_name(f"{state.announced_split}_{k}") in held for k in pairs)


def one_metric_lines(run: Run, pairs: dict[str, float]) -> bool:
    """Whether a line of one metric and no position continues the last row of such lines: an
    evaluation printed a metric a line ("Test net output #0: accuracy = 0.69", "#1: loss =
    0.91"). Each line had been a row of its own, so the metrics of one evaluation sat at
    different positions; the row ends where a metric comes again."""
    if len(pairs) != 1 or run.dialect != "seq" or not run.one_metric_rows or run.last_x is None:
        return False
    rec = run.records.get(run.last_x)
    return bool(rec) and not (pairs.keys() & rec.keys())


def repeats_last_record(run: Run, pairs: dict[str, float]) -> bool:
    """Whether a line with no epoch of its own only repeats numbers the run's last record holds
    (the same metric, as printed to fewer digits, under a split word or not): a script that
    prints one evaluation two or three ways ("phone --> mAP : 0.1130", "mAP : 0.1130", "===test
    mAP:0.113") would otherwise start a new run at every epoch."""
    rec = run.records.get(run.last_x) if run.last_x is not None and run.dialect in ("generic", "tqdm") else None
    if not rec or not pairs:
        return False
    held = {}
    for key, value in rec.items():
        held.setdefault(_unsplit(key), []).append(value)
    for key, value in pairs.items():
        if not any(_same_printed(value, v) for v in held.get(_unsplit(key), ())):
            return False
    return True


def _same_printed(a: float, b: float) -> bool:
    """``a`` and ``b`` are one number printed to different digits (0.11304230837426678 and
    0.113): they agree to the digits of the shorter print."""
    digits = min(_decimals(a), _decimals(b))
    return abs(a - b) <= 0.5 * 10.0 ** -digits * (1 + 1e-9)


def _decimals(v: float) -> int:
    """How many decimals ``v`` was printed with (as Python's shortest repr gives it back)."""
    text = repr(float(v))
    if "e" in text or "E" in text:
        mantissa, exp = text.lower().split("e")
        return max(0, len(mantissa.split(".")[1]) if "." in mantissa else 0) - int(exp)
    return len(text.split(".")[1]) if "." in text else 0


def _unsplit(key: str) -> str:
    """A metric's name without the split word in front of it (``val_map`` and ``test_map`` are
    one metric for :func:`repeats_last_record`)."""
    name = canonical_name(key)
    for split in ("val_", "test_", "eval_"):
        if name.startswith(split):
            return name[len(split):]
    return name


def eval_block_line(state: State, seg: str) -> bool:
    """Whether ``seg`` is one more batch line of the evaluation an announcement opened (kept for
    :func:`close_eval_block`); any other line ("Eval samples: 11219", the next "Epoch 2/10")
    ends the block and is read as usual."""
    if not state.eval_block:
        return False
    if _STEP_OF.search(seg) and EPOCH_INLINE.search(seg) is None:  # "Epoch 2, Batch 10/50": training again
        pairs = clean_pairs(extract_pairs(seg))
        if any(is_metric_key(k) for k in pairs) and not any(_split_named(k) for k in pairs):
            state.eval_rows.append(pairs)
            return True
    close_eval_block(state)
    return False


def close_eval_block(state: State) -> None:
    """The evaluation an announcement opened, from its batch lines ("Eval begin..." over "step
    10/88 - loss: 0.15 - auc: 0.77", .., "step 88/88 - ..", then "Eval samples: 11219"), put at
    the end of the epoch it follows. Each printed loss is one batch's (PaddlePaddle says so in
    its first line), so the evaluation's loss is their mean; a metric is printed as the running
    value over the batches so far, so its last value is the evaluation's."""
    rows, state.eval_rows, state.eval_block = state.eval_rows, [], False
    run = state.run
    if not rows or run.last_x is None:
        return
    pairs = {}
    for key in rows[-1]:
        values = [row[key] for row in rows if key in row]
        pairs[f"val_{key}"] = statistics.fmean(values) if "loss" in canonical_name(key) else values[-1]
    run.put(_epoch_end(run), pairs)
    if not state.eval_block_note:
        state.eval_block_note = True
        run.notes.append("the batch lines under each evaluation's announcement are its own: its loss is "
                         "their mean (each is one batch's), its metrics the last printed (running values)")


def _split_named(key: str) -> bool:
    """Whether a key names its split itself (``val_loss``, ``dev_bleu``, ``train_acc``)."""
    return names_held_out((key,)) or key.lower().startswith(("train", *TRAIN_PREFIXES))


def names_held_out(keys: Iterable[str]) -> bool:
    """A validation or test value among these keys (a record's, or a line's pairs)."""
    return any(canonical_name(k).startswith(("val_", "test_")) for k in keys)


def _epoch_end(run: Run) -> float:
    """The x that closes the epoch the run's last line was in: its end when that line was part
    way through it (3.97 -> 4.0), else that line's own x."""
    assert run.last_x is not None
    return float(math.floor(run.last_x) + 1) if run.last_x != int(run.last_x) else run.last_x


#: scores only an evaluation computes, never a training batch: a detector's mAP/AP, a
#: translation's BLEU, a recognizer's WER/CER (canonical names)
_EVALUATION_SCORE = re.compile(r"^(?:m?ap(?:\d+|_\d+)?(?:_\d+)?|map50_95|bleu\w*|rouge\w*|wer|cer|meteor|cider)$")


def _train_keys(run: Run) -> set[str]:
    """The canonical names a run's records already hold (its train metrics, at this point)."""
    last = run.records.get(run.last_x, {}) if run.last_x is not None else {}
    return {canonical_name(k) for k in last}


def handle_step_split_value(state: State, n: int, m: re.Match) -> None:
    """"250 val 5.8727": the split's loss at that step (train is the loss, the others its
    validation). A step counter that starts again begins a new run."""
    x, split, value = float(m.group(1)), m.group(2).lower(), float(m.group(3))
    key = "loss" if split == "train" else f"{split_prefix(split)}_loss"
    state.run_for(n, "step_split", "step", x).put(x, {key: value})
    state.record_line = n
