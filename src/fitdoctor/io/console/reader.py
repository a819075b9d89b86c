"""The ``console`` reader: a file (or standard input) of what a training script printed."""

from __future__ import annotations

import re
from pathlib import Path

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory
from fitdoctor.io.base import HEAD_BYTES, Reader, decode_text, looks_binary, read_text, register
from fitdoctor.io.console.bare_table import bare_rows, has_epoch_column
from fitdoctor.io.console.lines import drop_foreign
from fitdoctor.io.console.parse import parse_console_text
from fitdoctor.io.console.patterns import NUM
from fitdoctor.io.console.sniff import EPOCH_WORD, looks_like_table, sniff_text

#: How far past its head a file is read when TF/XLA lines fill the head (a GPU run's preamble).
_PAST_PREAMBLE = 1 << 20
#: Files that are looked into past their head when it says nothing: what a script's output is
#: saved as (``python train.py > train_log.txt``, ``nohup.out``, a ``logging`` file)
_TEXT_LOG_SUFFIXES = {".txt", ".log", ".out", ".err", ".md", ""}


#: How far a text log whose head says nothing is read, and how much of it is sniffed from its
#: first mention of an epoch (lines longer than _LONG_LINE, a class list or a data dump, skipped:
#: they hold no record and a long line without breaks makes the bar patterns backtrack).
_TEXT_LOG_READ = 1 << 20
_SNIFF_WINDOW = 1 << 16
_LONG_LINE = 2000


_NUMBERED_EPOCH = re.compile(r"epoch\w*\W{0,3}\d", re.I)
_METRIC_VALUE = re.compile(r"(?:loss|acc)\w*\W{0,3}\s*" + NUM, re.I)
#: a numbered epoch or iteration and a loss or accuracy with its value on one line: a record
#: a metric named before its epoch, "Loss per epoch 11 :1.699" (see ``epoch_phrase``)
_EPOCH_PHRASE_LINE = re.compile(r"^[^\n]{0,80}?(?:loss|acc)\w*[^\n]{0,40}?\s(?:for|per|at|of|in|after|on)\s+(?:the\s+)?"
                                r"epoch\s*#?\s*\d+[^\n]{0,12}?(?::|=|\bis\b)\s*" + NUM, re.I | re.M)
_RECORD_LINE = re.compile(r"(?:epoch|iter)\w*(?:\(\w+\))?\W{0,3}\[?\s*\d+[^\n]{0,160}?(?:loss|acc)\w*\W{0,3}\s*" + NUM, re.I)


def _sniff_past_preamble(path: Path, limit: int = _PAST_PREAMBLE) -> float:
    """Sniff the file as it reads once TF/XLA's own log lines and over-long lines are gone,
    from its first mention of an epoch."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError:
        return 0.0
    text = drop_foreign(decode_text(data))
    kept = "\n".join(line for line in text.splitlines() if line.strip() and len(line) <= _LONG_LINE)
    score = 0.0
    # from the first mention of an epoch, from the first that numbers one ("Epoch [1/650]"),
    # from the first loss or accuracy printed with its value ("Iter [ 20/11250] | Train Loss
    # 1.4652"), from the first line holding both (OpenMMLab's logs open with their whole
    # config: "loss=dict(..., loss_weight=1.0)", "max_epochs=100"), and from the first naming its
    # metric before its epoch ("Loss per epoch 11 :1.699", after a thousand other lines)
    for pattern in (EPOCH_WORD, _NUMBERED_EPOCH, _METRIC_VALUE, _RECORD_LINE, _EPOCH_PHRASE_LINE):
        m = pattern.search(kept)
        start = kept.rfind("\n", 0, m.start()) + 1 if m is not None else 0
        score = max(score, sniff_text(kept[start:start + _SNIFF_WINDOW]))
    return score


@register
class ConsoleReader(Reader):
    name = "console"
    description = ("console output: Keras fit (verbose 1/2, TF/XLA lines and all), HF Trainer dicts, "
                   "Lightning/tqdm bars, tqdm epoch bars, YOLO console tables, per-epoch print lines; a file or - for stdin")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        text = decode_text(head)
        if looks_like_table(text):
            return 0.0
        score = sniff_text(text)
        if score < 0.5 and path.is_file():
            # a GPU run's TensorFlow/XLA preamble can fill the head, or a script's own (a class
            # list, a model summary, batch bars) before the first epoch's numbers: look past it
            if drop_foreign(text) != text:
                score = max(score, _sniff_past_preamble(path))
            elif len(head) >= HEAD_BYTES and path.suffix.lower() in _TEXT_LOG_SUFFIXES:
                score = max(score, _sniff_past_preamble(path, _TEXT_LOG_READ))
        return score

    def read(self, path: Path) -> list[RunHistory]:
        text = read_text(path, binary_expected="console text printed by a training script")
        runs = parse_console_text(text, source=str(path), fmt=self.name)
        if not runs and (rows := bare_rows(text)) is not None:
            width = len(rows[0]) - (0 if has_epoch_column(text) else 1)  # (the row's number, prepended)
            raise BadInput(f"{path}: a table of {width} bare numbers per row and no header; cannot tell which "
                           "column is which; expected one falling column (the loss) and at most one rising "
                           "within [0, 1] (an accuracy), or add a header line such as 'epoch,loss,val_loss'")
        if not runs:
            raise BadInput(f"{path}: no training output found; expected lines like 'Epoch 3/50' + "
                           "'... - loss: 0.41 - val_loss: 0.52' or 'epoch 3 loss=0.41 val_loss=0.52'")
        return runs
