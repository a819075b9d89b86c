"""The shared vocabulary of console output: numbers, metric words, Keras headers, chatter.

Every other module of the console reader matches lines with these; nothing here reads a line.
"""

from __future__ import annotations

import re

#: A printed number, in every spelling Python's ``float()`` takes back (nan, inf, 1e-05).
NUM = r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|NaN|NAN|inf|Inf|INF|infinity|Infinity)"
#: a number printed inside its wrapper: "tensor(0.6741, device='cuda:0')", "np.float64(0.93)"
WRAPPED_NUM = re.compile(r"\b(?:tensor|(?:np\.|numpy\.)?float(?:16|32|64)|array)\(\s*\[?\s*(" + NUM + r")\s*\]?\s*(?:,[^()]*)?\)")
#: a word in parentheses between a metric's name and its value: "val PR-AUC (cb+ff) 0.003",
#: "F1 (macro): 0.55", "acc (top1) 0.71"; it qualifies the name, and read apart it would cut the
#: name from its value (joined: "PR-AUC_cb_ff 0.003"). The name starts with a letter and the word
#: too, so a value's running average ("0.41 (0.45)") and a split after a value are left alone
QUALIFIED_NAME = re.compile(r"(?<![\w.])([A-Za-z][\w@\-]*)\s*\(([A-Za-z][\w+\-]{0,15})\)(?=\s*[:=]?\s*[-+]?\.?\d)")
#: a number or a counter printed inside braces: "epoch: {1/300}, step: {1/2}, loss : {2.0086918}"
#: (a format string whose fields kept their braces); no dict holds a bare number
_BRACED_NUM = re.compile(r"\{\s*(" + NUM + r"(?:\s*/\s*\d+)?)\s*\}")


#: a value a sentence gives with "is": "Epoch is [1/600], mini-batch is [1/1600], batch_loss is
#: 13.28" (and "classify loss is 0.92"): the "is" stands where a colon would
_IS_VALUE = re.compile(r"(?<=[A-Za-z_\]])\s+is\s+(?=[-+]?(?:\d|\.\d|\[\s*\d))")


#: an ellipsis right after a value, before a space or the line's end: "Epoch: 2/1000... Loss:
#: -14.642348... Test Loss: -10.580294... time: 18.7min" (a print whose separator is "... ");
#: glued to the value it hid the name after it, and the value itself was lost
_ELLIPSIS_AFTER_VALUE = re.compile(r"(?<=\d)(?:\.\.\.|\u2026)(?=[ \t\r]|$)", re.M)


#: a whole number printed with thousands separators: "step=  1,000 | critic=0.50",
#: "[Ep 300] step=1,185,886 | rew=-2320.43", "cash=$+3,032.72" (Python's ``f"{n:,}"``); a
#: comma glued to digits on both sides of it would cut the number in two. Groups of exactly three
#: digits, right after a sign, a closing bracket, slash, colon or "=" (the places a value is
#: printed; ``1,250,300`` alone on a line is a row of values; a colon after a digit is a clock's,
#: and logging's "21:44:38,457" holds milliseconds), or an opening bracket when a
#: counter's slash follows (``[1,000/10,000]``; ``[128,256]`` is a list), and not next to another
#: comma-and-digit (``1,250,0.33``)
_THOUSANDS = re.compile(r"((?:(?<!\d):|[=$+\-\]/])\s*|[\[(]\s*(?=[\d,]+/))(\d{1,3}(?:,\d{3})+)(?![\d,]|\.\d*,)")


def _without_separators(m: re.Match) -> str:
    return m.group(1) + m.group(2).replace(",", "")


def plain_values(text: str) -> str:
    """``text`` with its values spelled the usual way: a number or counter printed inside
    braces taken out of them, a name's "is" before its value read as a colon, an ellipsis
    after a value read as a space, and a number's thousands separators dropped."""
    if "," in text:
        text = _THOUSANDS.sub(_without_separators, text)
    if "..." in text or "\u2026" in text:
        text = _ELLIPSIS_AFTER_VALUE.sub(" ", text)
    if "{" in text:
        text = _BRACED_NUM.sub(r"\1", text)
    if " is " in text:
        text = _IS_VALUE.sub(": ", text)
    return text


#: a number printed as a one-element array after its name: "Loss [ 0.69090915]", "loss: [0.51]"
#: (``print(loss.data.numpy())``); not a counter that another bracket follows ("Epoch: [3][120/500]")
BRACKETED_NUM = re.compile(r"(?<=[A-Za-z_])(\s*[:=]?\s*)\[\s*(" + NUM + r")\s*\](?!\s*\[)")
#: ``Epoch 3/50`` alone on its line (Keras's header before each epoch).
KERAS_HEADER = re.compile(r"(?:^|[\s>:\]|])Epoch\s+(\d+)\s*/\s*(\d+)\s*$")
#: A Keras batch counter at the start of a progress line: ``25/25 ━━━`` or ``100/100 [===``.
COUNTER = re.compile(r"^\s*(\d+)\s*/\s*(\d+|Unknown)\b")
#: the word for "number" between "epoch" and its count on a header line, with what separates
#: them: "## Epoch no. = 3", "Epoch number 3", "Epoch #3" (the console reader and its sniff)
EPOCH_NO = r"(?:(?:no\.?|num(?:ber)?)\s*[:=]?\s*|#\s*)"
#: an epoch header's settings in parentheses after its count: "Epoch 4/50 (lr=0.000400)"
SETTINGS = r"(?:\s*\([^()\n]*\))?"
#: ``epoch 3``, ``Epoch: 3``, ``epoch=3``, ``Epoch [3/50]`` anywhere in a line.
#: (a tag in brackets too: Moment-DETR's "[Epoch] 001 [Loss] loss_span 0.80 ... loss_overall 5.74";
#: and a capital E glued to its count and total: "[Fold 0] Head E1/6: train_loss=..")
EPOCH_INLINE = re.compile(r"\b(?:epoch\]?|ep(?=\s*[:=#]?\s*\[?\s*\d+\s*(?:[:|,/]|of\b))|(?-i:E)(?=\d+/\d+\b))\s*[:=#]?\s*\[?\s*(\d+)"
                          r"(?:\s*(?:/|\bof\b)\s*(\d+))?", re.I)
#: an RL loop's counter ahead of what it reports on the same line ("episode=12 ...", "Step 10000 | ...")
RL_COUNTER = r"\b(?:episode|step|iter(?:ation)?|update|epoch)\s*[:=#]?\s*\d+\b[^\n]{0,200}?"
#: Keys whose presence marks a line as training output (not a random number in a log).
METRIC_WORDS = re.compile(
    r"loss|acc|error|mae|mse|rmse|auc|f1|map|iou|dice|psnr|ssim|perplexity|ppl|bleu|rouge|precision|recall|score|r2"
    r"|top-?\d"  # "validation: top1=0.72 top5=0.91" (GluonCV's ImageNet scripts)
    r"|(?<![a-z])prec@?\d"  # "val Results: Prec@1 34.46 Prec@5 69.08" (the ImageNet example's old name)
    r"|\brecon\b|\bkld?\b|\belbo\b"  # a VAE's terms: "Recon: 0.0384 | KL: 8.0062"
    # Stable-Baselines3's episode reward, train and eval ("ep_rew_mean", "mean_reward"; see
    # ``kv_table``); not any "reward=" a script prints while it collects data
    r"|(?<![a-z])rew(?![a-z])|(?<![a-z])mean_reward(?![a-z])"
    # a reward on a line numbered by its episode or step ("episode=12 reward=34.2 rolling_avg=26.4",
    # "Step   10000 | Avg Reward (last 10):  2853.27"): a learning curve, not a reward printed
    # while data is collected
    r"|" + RL_COUNTER + r"(?<![a-z])(?:reward|return)s?(?![a-z])"
    r"|(?<![a-z])(?:srcc|plcc|krcc)(?![a-z])"  # image-quality correlations with the opinion score
    # speech recognition's error rates over words, characters and labels (TIMIT's phone "LER"):
    # "Epoch 1. Training LER: 2.59, validation LER: 3.23"
    r"|(?<![a-z])(?:wer|cer|ler)(?![a-z])"
    # a loss by its function's name, the negative log-likelihood: "epoch 0 step 3/45 lr=9.33e-05
    # nll=0.4304" and "epoch 0 VAL nll=0.0398" (see ``meaning._LOSS_FUNCTION_NAMES``)
    r"|(?<![a-z])nll(?![a-z])"
    # ... and the cross-entropy by its initials, after a split: "epoch= 20 train_CE=0.1755 val_CE=0.2302"
    r"|(?<![a-z])(?:train|val|valid|test|eval)_ce(?![a-z])",
    re.I)
#: the share of a split a number was taken on, glued to the split word: "Val~20% 9.6793" (a
#: loop that evaluates on a fifth of its validation set); the number is still that split's
SHARE_SUFFIX = r"~\d+(?:\.\d+)?%"
SPLIT_SHARE = r"(?:" + SHARE_SUFFIX + r")?"
#: "train: 1090.19 (2.0061 bpd) | val: 1078.67": a train and a held-out split word each with a
#: bare number, the objective a hand loop prints with no metric word (see ``pairs.bare_split_losses``)
#: (or, after a counter, with no colon: nanoGPT forks' "[eval] iter 500: train 3.4484 val 3.4299",
#: "step   250 | train 2.225 | val 2.279 | 28s elapsed")
BARE_SPLITS = re.compile(r"(?:(?<![\w.])train(?:ing)?\s*[:=]\s*" + NUM + r"[^\n]{0,200}?(?<![\w.])"
                         r"(?:val(?:id(?:ation)?)?|eval|dev|test)" + SPLIT_SHARE + r"\s*[:=]\s*" + NUM
                         + r"|\b(?:epoch|iter(?:ation)?|step|eval)s?\s*[:=#]?\s*\d+\W[^\n]{0,80}?(?<![\w.])train(?:ing)?\s+"
                         + NUM + r"\s*[,|]?\s+(?:val(?:id(?:ation)?)?|eval|dev|test)" + SPLIT_SHARE + r"\s+" + NUM
                         + r"(?!\s*%))", re.I)
#: Callback chatter that mentions metrics but is not a record.
CALLBACK = re.compile(r"improved from|(?:did |has |had )?not improve|reducing learning rate|early stopping|"
                      r"saving model|restoring model weights|best (?:epoch|model|checkpoint)|\bsav(?:e|ed|ing)\s+(?:the\s+|a\s+)?(?:new\s+)?best\b|"
                      r"ReduceLROnPlateau|LearningRateScheduler|Saving model|"
                      # a checkpoint's notice repeats a metric of the record before it ("Checkpoint
                      # saved -> r3d18.pt  (epoch 1, acc 0.4397)" after "test_top1=0.4397")
                      r"\bcheckpoint\s+(?:saved|written)|\bsav(?:e|ed|ing)\s+(?:a\s+|the\s+)?checkpoint|"
                      r"\bmodel\s+saved\b", re.I)
#: Every callback phrase ``CALLBACK`` matches contains one of these (checked by tests).
CALLBACK_ANCHORS = ("mprove", "educ", "arly stop", "estor", "aving model", "est epoch", "est model", "best",
                    "heckpoint", "odel saved")
TRACEBACK = re.compile(r'\s*(?:File "|Traceback \(most recent|\^+\s*$|During handling'
                       # the exception a traceback ends with ("OSError: [Errno 39] Directory not
                       # empty"), whose words (Error, Errno) look like metrics
                       r'|[A-Za-z_][\w.]*(?:Error|Exception):\s+(?!' + NUM + r'\s*(?:$|[|,;])))')


def holds_no_record(seg: str) -> bool:
    """A line with no metric to read (or a traceback's): where an epoch header or an evaluation
    announcement can stand."""
    return not (METRIC_WORDS.search(seg) or BARE_SPLITS.search(seg)) or TRACEBACK.match(seg) is not None


#: "250 val 5.8727", "251 train 5.861345" (Karpathy's build-nanogpt log.txt and its many forks):
#: a step, a split word and the split's loss, one per line ("250 hella 0.2893" is a benchmark
#: score beside them, not a curve of the run's own)
STEP_SPLIT_VALUE = re.compile(r"^\s*(\d+)\s+(train|val|valid|validation|test|eval)\s+(" + NUM + r")\s*$", re.I)
