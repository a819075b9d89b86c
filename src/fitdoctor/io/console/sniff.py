"""How much a file's first bytes look like what a training script printed."""

from __future__ import annotations

import re

from fitdoctor.io._table import delimiter_of, is_sentence
from fitdoctor.io.console.allennlp_table import TABLE_HEAD as ALLENNLP_HEAD
from fitdoctor.io.console.at_step import at_step_line
from fitdoctor.io.console.bare_table import bare_rows
from fitdoctor.io.console.epoch_blocks import has_epoch_blocks
from fitdoctor.io.console.split_blocks import has_split_blocks
from fitdoctor.io.console.epoch_phrase import PHRASE as EPOCH_PHRASE
from fitdoctor.io.console.named_column import named_column_rows
from fitdoctor.io.console.split_lines import SPLIT_LINE
from fitdoctor.io.console.split_rows_table import split_rows_tables_as_lines
from fitdoctor.io.console.fastai import TABLE_HEAD
from fitdoctor.io.console.fomm_log import LINE as FOMM_LINE
from fitdoctor.io.console.grouped_table import GROUP_ROW
from fitdoctor.io.console.mbrl_log import LINE as MBRL_LINE
from fitdoctor.io.console.patterns import BARE_SPLITS, EPOCH_NO, NUM, RL_COUNTER, SETTINGS, STEP_SPLIT_VALUE, plain_values
from fitdoctor.io.console.pointnet import BANNER
from fitdoctor.io.console.vocabulary import translate
from fitdoctor.io.console.yolo_table import TRAIN_HEAD

_SNIFF_KERAS = re.compile(r"Epoch\s+\d+\s*/\s*\d+\s*\r?\n")
_SNIFF_KERAS_LINE = re.compile(r" - (?:val_)?(?:loss|acc\w*): " + NUM)
_SNIFF_HF = re.compile(r"\{'(?:loss|eval_loss|train_loss|grad_norm|learning_rate|eval_\w+)': ")
_SNIFF_TQDM = re.compile(r"Epoch \d+: +\d+%\|.*?(?:loss|acc)\w*=" + NUM)
#: a tqdm bar over the epochs with a loss or accuracy in its postfix (see ``tqdm.py``): the unit
#: says epochs, or the description names them
_POSTFIX_METRIC = r"[^\]\r\n]*?(?:loss|acc)\w*\s*[=:]\s*" + NUM
_SNIFF_TQDM_EPOCHS = re.compile(
    r"\d{1,3}%\|[^|\r\n]*\|\s*\d+/\d+\s*\[[^\]\r\n]*?(?:s/epoch|epoch/s)" + _POSTFIX_METRIC
    + r"|(?i:epochs?)\b[^\d\r\n|]{0,40}\d{1,3}%\|[^|\r\n]*\|\s*\d+/\d+\s*\[" + _POSTFIX_METRIC
    + r"|\d+epochs? \[" + _POSTFIX_METRIC)
#: what a script prints beside its epoch: a loss or accuracy, or a named score without either
#: ("Epoch 3: Val MAE = 0.0199", "epoch 3 val_f1 0.71"), as whole words
#: (a named score may follow its split and an underscore: "Val_PSNR: 28.86")
_SCORE_WORD = r"(?:(?:loss|acc)\w*|(?<![A-Za-z0-9])(?:mae|mse|rmse|f1|auc|roc_auc|iou|miou|dice|psnr|ssim|bleu|wer|cer|ler|ppl|perplexity|recon|kld?|elbo)\b)"
_SNIFF_GENERIC = re.compile(r"(?:epoch|step|iter\w*|\b(?-i:E)(?=\d+/\d+\b))(?:\((?:train|val|test)\))?\s*[:=#]?\s*\[?\d+.{0,200}?"
                            + _SCORE_WORD + r"(?:\s+is)?\W{0,3}\s*" + NUM, re.I)
#: an RL loop's line numbered by its episode or step, with the reward it earned (or an average of them):
#: "episode=12 reward=34.2 rolling_avg=26.4", "Episode   1000 | Avg reward (last 1000): -13.28",
#: "Episode 3	Frame 92 	Average100 Score: 30.67"
_SNIFF_EPISODE = re.compile(RL_COUNTER + r"(?<![a-z])(?:reward|return|score)s?"
                            r"(?:\s*\([^()\n]*\))?\s*[:=]\s*" + NUM, re.I)
#: "Epoch 3:" or "Epoch 3/30:" on a line of its own, its metrics on the next ("loss=0.41,
#: accuracy=0.88", "Train - Loss: 0.6985 | Acc: 0.5000")
#: (or "Train Epoch: 1/70 ..." with "    total_loss: 24.7161 time: 15m 1s" under it, or a
#: Markdown "## Epoch no. = 3" with "- Train Loss: 0.41" under it)
_SNIFF_EPOCH_HEADER = re.compile(r"^\W*(?:train(?:ing)?\s+)?epoch\s*(?:" + EPOCH_NO + r"|:)?\s*\d+(?:\s*/\s*\d+)?" + SETTINGS + r"\s*:?[ \t.]*\r?\n"
                                 r"[^\n]{0,200}?(?:loss|acc)\w*\s*[=:]\s*" + NUM, re.I | re.M)
#: "train Loss: 0.70 Acc: 0.65" / "val Loss: ..." under an "Epoch 0/24" header (PyTorch's
#: transfer-learning tutorial and the many loops copied from it)
#: (or "train | loss 0.70 | acc 0.65" under "=> Epoch 3")
_SNIFF_SPLIT_LINE = re.compile(r"^\s*(?:train(?:ing)?|val(?:id(?:ation)?)?|test)(?:\s+|\s*\|\s*)loss\s*[:=]?\s*" + NUM,
                               re.I | re.M)
#: the word itself: where a log's records begin (see ``reader``), and a witness beside split lines
EPOCH_WORD = re.compile(r"epoch", re.I)
#: "[3/100] Train Loss: 0.41, Valid Loss: 0.52" (epoch 3 of 100 in brackets at the start) and
#: "Ep  3 | loss=0.41 | acc=0.88", "Ep. 3 | tr loss 0.41" (the word abbreviated), "2026_08_19 [Epoch] 001
#: [Loss] loss_span 0.80 ..." (a tag in brackets, after a time stamp): one record per line
_SNIFF_LEAD_EPOCH = re.compile(r"^\s*(?:\[\s*\d+\s*/\s*\d+\s*\]|ep\.?\s*[:=#]?\s*\d+\b|(?:\S+\s+)?\[epoch\]\s*\d+\b)[^\n]{0,200}?(?:loss|acc)\w*\s*[:=]?\s*"
                               + NUM, re.I | re.M)
#: "Epoch 3/1000 | train: 1090.19 (2.0061 bpd) | val: 1078.67": bare split words carrying the objective
_SNIFF_BARE_SPLITS = re.compile(r"(?:epoch|iter(?:ation)?|step)s?\s*[:=#]?\s*\[?\s*\d+[^\n]{0,200}?" + BARE_SPLITS.pattern, re.I)
#: "... 5000/58874 | 4.62 it/s | loss=3.910492 | validation_loss=3.908841": a train and a held-out
#: loss on one line, with no epoch or step word (a progress bar of a trainer's own)
_SNIFF_LOSS_PAIR = re.compile(r"(?<![\w.])(?:train(?:ing)?[_ ])?loss\s*[=:]\s*" + NUM
                              + r"[^\n]{0,200}?(?<![A-Za-z])(?:val|valid|validation|eval|dev|test)[_ ]loss\s*[=:]\s*" + NUM,
                              re.I)
#: PointNet's "**** EPOCH 003 ****" banners (see ``pointnet.py``)
_SNIFF_POINTNET = re.compile(BANNER.pattern, re.M)
#: a PointNet fork's "-----3------" epoch marker with a split's "mean loss:" right under it
_SNIFF_DASH_EPOCH = re.compile(r"^\s*-{3,}\s*\d+\s*-{3,}\s*\r?\n\s*(?:train|test|eval|val)_mean loss\s*:", re.M | re.I)
#: an NER trainer's "evaluate:dev" block with its CoNLL overall line (see ``conlleval.py``)
_SNIFF_CONLL = re.compile(r"evaluate\s*:\s*(?:dev|val|valid|validation)\s*\r?\n(?:[^\n]*\n){0,3}[^\n]*accuracy:\s*"
                          + NUM + r"%;\s*precision:", re.I)
#: an Ultralytics YOLO console table: its train header, then an epoch row "0/14  0G  0.1105 ..."
_SNIFF_YOLO = re.compile(TRAIN_HEAD.pattern.rstrip("$") + r"\r?\n\s*\d+\s*/\s*\d+\s+\S+\s+" + NUM, re.M)
#: OpenAI baselines' / Stable-Baselines3's key-value tables (see ``kv_table.py``): a rule of
#: dashes with a ``| key | value |`` row right under it, once per dump
_SNIFF_KV_TABLE = re.compile(r"^-{10,}[ \t]*\r?\n(?:\|[^|\n]+\|[^|\n]*\||[ \t]+[A-Za-z_][\w /.-]*?[ \t]*\|[ \t]*\S+)[ \t]*$",
                             re.M)  # (or RLCard's, without the outer bars)
#: BasicSR's train line (see ``basicsr_log.py``): "[name..][epoch:  1, iter:     100, lr:(2.999e-05,)]"
_SNIFF_BASICSR = re.compile(r"\]\[epoch:\s*\d+,\s*iter:\s*[\d,]+,\s*lr:\(")
#: ``spacy train``'s table head (see ``spacy_table.py``): "E    #       LOSS TOK2VEC  LOSS NER  ENTS_F ..."
_SNIFF_SPACY = re.compile(r"^\s*(?:T\s{2,})?E\s{2,}#\s{2,}LOSS\b", re.M)
#: spaCy v2's ``print("Losses", losses)``: "Losses {'ner': 172.94}"
_SNIFF_SPACY_V2 = re.compile(r"^\s*Losses:?\s*\{['\"]\w+['\"]\s*:\s*" + NUM, re.M)
#: darknet's iteration line (see ``darknet_log.py``): " 1136: 0.687450, 0.798039 avg loss, 0.002610 rate"
_SNIFF_DARKNET = re.compile(r"^\s*\d+:\s*" + NUM + r",\s*" + NUM + r"\s+avg(?:\s+loss)?,\s*" + NUM + r"\s+rate\b", re.M)
#: GluonCV's detection log (see ``gluoncv_log.py``): "[Epoch 0][Batch 99], Speed: 41.3 samples/sec, ..."
#: and "[Epoch 0] Training cost: 412.5, ..."
_SNIFF_GLUONCV = re.compile(r"\[Epoch\s+\d+\](?:\[Batch\s+\d+\],\s*Speed:|\s+Training cost:)")
#: LightGBM's evaluation line (see ``lightgbm_log.py``): "[10]\ttraining's binary_logloss: 0.512"
_SNIFF_LIGHTGBM = re.compile(r"^\s*\[\d+\]\t[^\t\n']+'s\s+[\w@.-]+\s*:\s*" + NUM, re.M)
_SNIFF_EPOCH_BATCH = re.compile(r"^\s*\[\s*\d+\s*,\s*\d+\s*\]\s*(?:\w+\s*)?loss\s*[:=]\s*" + NUM, re.M)


def sniff_text(text: str) -> float:
    """How much ``text`` looks like training console output (0..1)."""
    text = plain_values(translate(text))  # a log printed in Chinese; values in braces or after "is"
    first = text.lstrip()[:1]
    if first in ("{", "[") and ('"' in text[:40]):
        return 0.0  # JSON (HF dicts use single quotes)
    if _SNIFF_KERAS.search(text) and _SNIFF_KERAS_LINE.search(text):
        return 0.92
    if _SNIFF_HF.search(text):
        return 0.85
    if _SNIFF_TQDM.search(text) or _SNIFF_TQDM_EPOCHS.search(text):
        return 0.85
    window = text[:8192]  # the head the line-pattern tests read
    head = text[:65536]  # ... and the longer one the table and format tests read
    if _SNIFF_YOLO.search(head):
        return 0.85
    if len(_SNIFF_KV_TABLE.findall(head)) >= 2:
        return 0.8
    if len(_SNIFF_BASICSR.findall(head)) >= 2 or len(_SNIFF_DARKNET.findall(head)) >= 2 \
            or len(_SNIFF_GLUONCV.findall(head)) >= 2 or len(_SNIFF_LIGHTGBM.findall(head)) >= 3:
        return 0.8
    if _SNIFF_SPACY.search(head) or len(_SNIFF_SPACY_V2.findall(head)) >= 3:
        return 0.8
    if split_rows_tables_as_lines(head)[1] is not None:
        return 0.75  # a table of splits by metrics at each epoch
    if TABLE_HEAD.search(window.replace("|", " ") if "|" in window else window):
        return 0.7  # an epoch table, aligned or drawn with bars (a Markdown one too)
    if sum(1 for line in window.splitlines() if "poch" in line and EPOCH_PHRASE.match(line)) >= 2:
        return 0.7  # "Loss for epoch 3: 0.41": a metric named before its epoch
    if sum(1 for line in window.splitlines() if " at " in line and at_step_line(line)) >= 2:
        return 0.7  # "Loss at step 1: 8.49": a metric named before its step
    if named_column_rows(window) is not None:
        return 0.6  # "Loss" and a number per line: one named column
    if bare_rows(window) is not None:
        return 0.6  # "0 0.2027 0.8718" rows and nothing else: the reader names the columns or says why not
    if len(_SNIFF_EPOCH_BATCH.findall(window)) >= 2 or len(_SNIFF_EPOCH_HEADER.findall(window)) >= 2 \
            or len(_SNIFF_LEAD_EPOCH.findall(window)) >= 2 or len(_SNIFF_BARE_SPLITS.findall(window)) >= 2:
        return 0.7
    if len(_SNIFF_SPLIT_LINE.findall(window)) >= 2 and EPOCH_WORD.search(window):
        return 0.7
    if sum(1 for line in window.splitlines() if SPLIT_LINE.match(line)) >= 4 and EPOCH_WORD.search(window):
        return 0.7  # "Training: 4.52" over "Validation: 4.35" under each epoch's header
    if len(_SNIFF_LOSS_PAIR.findall(window)) >= 2:
        return 0.7
    banners = len(_SNIFF_POINTNET.findall(window))
    if (banners >= 2 or banners == 1 and window.count("mean loss:") >= 2) and "loss:" in window:
        return 0.7  # (one banner in the head of a long epoch, its groups' "mean loss:" under it)
    if len(_SNIFF_DASH_EPOCH.findall(window)) >= 2:
        return 0.7
    if _SNIFF_CONLL.search(window):
        return 0.7
    if len(MBRL_LINE.findall(window)) >= 2:
        return 0.75  # mbrl-lib's "| model_train | I: 0 | E: 3 | ... | MLOSS: .. | MVSCORE: .."
    if len(FOMM_LINE.findall(window)) >= 2:
        return 0.75  # First Order Motion Model's "00000003) perceptual - 54.97; warp_loss - 0.49" (not a CSV)
    if len(ALLENNLP_HEAD.findall(head)) >= 2:
        return 0.7  # AllenNLP's "Training |  Validation" table after each epoch
    if has_epoch_blocks(window):
        return 0.7  # ST-GCN's time-stamped "Training epoch: 4" / "Eval epoch: 4" blocks
    if has_split_blocks(window):
        return 0.7  # "epoch: 3" over "train" and "test" lines, each over its values a line
    if GROUP_ROW.search(window):
        lowered = window.lower()
        if "epoch" in lowered and "loss" in lowered:
            return 0.7
    head = window.splitlines()
    if len(head) >= 5 and sum(1 for line in head if STEP_SPLIT_VALUE.match(line)) >= 0.8 * len(head):
        return 0.7
    hits = len(_SNIFF_GENERIC.findall(window)) or len(_SNIFF_EPISODE.findall(window))
    if hits >= 2:
        return 0.7
    if hits == 1 or _SNIFF_KERAS_LINE.search(text):
        return 0.35
    return 0.0


def looks_like_table(text: str) -> bool:
    """A CSV/TSV header line (names, no numbers): a table reader's file, not console output. A
    sentence is no header, though its commas split it ("The loss value printed in the log is the
    current step, and the metric is the average value of previous steps.": PaddlePaddle's
    ``Model.fit`` opens its output so)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return delimiter_of(first) is not None and not re.search(r"\d", first) \
        and ":" not in first and "=" not in first and "|" not in first and not is_sentence(first)
