"""A metric named before its epoch, the way a sentence says it:

    Loss for epoch 3: 0.4127
    Training loss at epoch 3 = 0.4127
    08/02/2022 06:12:00 PM Loss per epoch 11 :1.6990935228018365
    Validation accuracy after epoch 3 is 0.881

(``print(f"Loss for epoch {e}: {loss}")``, the most common hand-written line after ``Epoch {e}
loss: ..``). Each becomes ``epoch N | <name>: <value>`` for the generic reader, the name's words
joined by underscores (``Training loss`` -> ``training_loss``) and whatever follows the value
kept (``, accuracy: 0.88``). A name must hold a loss or score word, so "Saving model for epoch 3:"
is no record.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

#: "<name> for|per|at|of|in|after|on [the] epoch <N>[/<M>] <:|=|is|was> <value><rest>"
PHRASE = re.compile(r"^(?P<lead>.*?)(?P<name>(?<![A-Za-z])[A-Za-z][A-Za-z0-9_ .-]{0,40}?)\s+"
                    r"(?:for|per|at|of|in|after|on)\s+(?:the\s+)?epoch\s*#?\s*(?P<e>\d+)(?:\s*/\s*(?P<total>\d+))?"
                    r"\s*(?::|=|\bis\b|\bwas\b|-)\s*(?P<v>" + NUM + r")(?P<rest>.*)$", re.I)
#: a name that says what it measures
METRIC_NAME = re.compile(r"loss|acc|error|\berr\b|f1|auc|iou|dice|psnr|ssim|mae|mse|rmse|bleu|wer|cer|perplexity|ppl|score",
                     re.I)
#: at least this many such lines make a log of them
MIN_LINES = 2


#: words a log's prefix ends with, before the sentence ("07:11:45 AM", "INFO", "root:"), and
#: the sentence's article ("The loss after epoch 3 is ..")
_PREFIX_WORDS = {"am", "pm", "info", "debug", "warning", "root", "log", "logger", "the"}


def _metric_name(words: str) -> str:
    """The name, its words joined by underscores, without the log prefix's last words ("AM Loss"
    after a time stamp is the loss) and at most its last three words."""
    parts = [w for w in re.split(r"[\s.-]+", words.strip()) if w]
    while len(parts) > 1 and parts[0].lower().rstrip(":") in _PREFIX_WORDS:
        parts = parts[1:]
    return "_".join(parts[-3:]).lower()


def epoch_phrases_as_lines(text: str) -> tuple[str, str | None]:
    """Each line naming a metric before its epoch as ``epoch N | name: value..`` (other lines as
    they were); the text unchanged when fewer than ``MIN_LINES`` lines say it so."""
    if "poch" not in text:
        return text, None
    lines = text.split("\n")
    hits: dict[int, str] = {}
    for i, line in enumerate(lines):
        if "poch" not in line:
            continue
        m = PHRASE.match(line)
        if m is None or not METRIC_NAME.search(m.group("name")):
            continue
        name = _metric_name(m.group("name"))
        total = f"/{m.group('total')}" if m.group("total") else ""
        hits[i] = f"epoch {m.group('e')}{total} | {name}: {m.group('v')}{m.group('rest')}"
    if len(hits) < MIN_LINES:
        return text, None
    for i, line in hits.items():
        lines[i] = line
    return "\n".join(lines), None
