"""Metric name -> value pairs from one printed line, and which names are metrics at all."""

from __future__ import annotations

import re
from functools import lru_cache

from fitdoctor.io._table import AXIS_COLUMNS
from fitdoctor.history import GLUED_SPLIT, SHORT_SPLITS, TRAIN_SPLITS, VAL_SPLITS, canonical_name
from fitdoctor.io.console.patterns import BRACKETED_NUM, NUM, QUALIFIED_NAME, SHARE_SUFFIX, WRAPPED_NUM

#: what ends a value: not more of a word or number, nor the rest of a date or a clock time
#: ("INFO: 2017-07-16T23:00:40: step 10", "time: 12:30:01" hold no value 2017 or 12)
_VALUE_END = r"(?![\w.]|-\d\d|:\d\d)"
_PAIR_EQ = re.compile(r"([A-Za-z_][\w./\-]*)\s*=\s*(" + NUM + r")" + _VALUE_END)
_WORD = r"[A-Za-z_][\w./\-()@]*"
_PAIR_WORDS = re.compile(r"(?<![^\s|,;\[(])(" + _WORD + r"(?:[ ]" + _WORD + r"){0,3})\s*[:=]?\s*(?<![\w.])("
                         + NUM + r")" + _VALUE_END)
#: a name and its value as two fields of a comma-separated line: "step 10, loss_train, 0.838"
#: (read only when the name is a metric's: "batch, 32" is no pair)
_PAIR_COMMA = re.compile(r"(?<![^\s|;\[(])(" + _WORD + r")\s*,\s*(" + NUM + r")(?![\w.])")
#: a printed dict: "{'loss': 0.41, 'acc': 0.88}"
_PAIR_QUOTED = re.compile(r"['\"](" + _WORD + r")['\"]\s*:\s*(" + NUM + r")(?![\w.])")
_KEY_TOKEN = re.compile(r"[_/.\-\s()@]+")
_METRIC_TOKEN = re.compile(
    r"^(?:(?:loss|acc|err|perplexity|precision|recall|score|bleu|rouge|dice|map|miou|top\d|f1|auc|iou)\w*|"
    r"ce|bce|nll|wer|cer|ler|r2|mae|mse|rmse|ppl|psnr|ssim|ap\d*|recon|kld?|elbo|"
    r"m?logloss|mape|ndcg\w*|"  # boosting libraries' metrics ("binary_logloss", "mlogloss", "ndcg@5")
    r"prec\d*|"  # a top-k accuracy by its old name, split at its "@" ("Prec@1", PyTorch's first ImageNet example)
    r"reward\w*|rew|returns?|srcc|plcc|krcc)$", re.I)  # an RL run's episode reward or return ("ep_rew_mean", "Avg Reward")
#: Counters, timings and axes that are printed beside metrics but are not curves.
SKIP_KEYS = {"v_num", "eta", "it/s", "s/it", "epoch", "epochs", "step", "global_step", "iter", "fold",
             "iteration", "it", "batch", "batch_id", "batch_idx", "total", "time", "lr_scale"} | AXIS_COLUMNS

#: Two splits' values of one metric behind a slash: "train/val loss: 0.41/0.52", "mean loss
#: (train/val): 0.4123/0.5234", "GNN (Train/Val Acc): 0.62/0.80" (the metric's name after the
#: split words, or the word before them)
_SLASH_PAIR = re.compile(
    r"(?:(?P<pre>[A-Za-z][\w@]*)\s*)?\(?(?P<s1>train(?:ing)?|trn|tr)\s*/\s*(?P<s2>val(?:id(?:ation)?)?|test|dev|eval)"
    r"(?:\s+(?P<post>[A-Za-z][\w@]*))?\)?\s*[:=]\s*(?P<a>" + NUM + r")\s*/\s*(?P<b>" + NUM + r")(?![\w.])", re.I)
#: what every such pair holds: a cheap test first, since most lines with a slash are progress
#: ("1875/1875 ... 6ms/step") and the pattern above tries a name at every position
_TRAIN_SLASH = re.compile(r"tr(?:ain(?:ing)?|n)?\s*/", re.I)


def _slash_pair(m: re.Match) -> str:
    metric = m.group("post") or m.group("pre")
    if metric is None or not _METRIC_TOKEN.match(metric):
        return m.group(0)
    s1, s2 = (_SPLIT_PREFIX.get(m.group(g).lower(), m.group(g).lower()) for g in ("s1", "s2"))
    lead = f"{m.group('pre')} " if m.group("post") and m.group("pre") else ""
    return f"{lead}| {s1}_{metric}: {m.group('a')} | {s2}_{metric}: {m.group('b')} |"


#: Python's float() takes every spelling NUM matches (nan, NaN, inf, -Infinity, 1e-05).
to_float = float


def is_metric_key(key: str) -> bool:
    """A key one of whose tokens names a loss or metric (``val_acc``, ``train loss``, ``mAP50``),
    or a split glued to one (``TrainLoss``, ``valacc``)."""
    return any(_METRIC_TOKEN.match(t) for t in _KEY_TOKEN.split(key) if t) \
        or GLUED_SPLIT.fullmatch(key.lower()) is not None


_KEY_CACHE: dict[str, str] = {}
#: "Test set loss", "Validation set accuracy": the split's loss ("set" names no metric)
_SPLIT_SET = re.compile(r"^(train(?:ing)?|test|val(?:id(?:ation)?)?|dev|eval(?:uation)?)_set_(?=\w)", re.I)


#: a sentence's end inside the words before a value ("Epoch 3 completed. Average loss: 4.45"):
#: the words before it are the sentence, not the value's name. A word of six letters or more
#: before the full stop: an abbreviation ("Avg. loss", "No. of") or a split word ("Train.
#: Epoch: 0") is no sentence's end
_SENTENCE_BREAK = re.compile(r"(?<=[A-Za-z]{6})\.\s+(?=[A-Za-z])")


def _norm_key(key: str) -> str:
    got = _KEY_CACHE.get(key)
    if got is None:
        name = _SENTENCE_BREAK.split(key)[-1] if ". " in key else key
        got = _SPLIT_SET.sub(r"\1_", re.sub(r"\s+", "_", name.strip()).strip("_"))
        if len(_KEY_CACHE) < 10000:
            _KEY_CACHE[key] = got
    return got


_SKIP_CACHE: dict[str, bool] = {}


def skipped(key: str) -> bool:
    """A counter or timing (``eta``, ``it/s``, ``total_epochs``), or a running best (``Best Valid
    accuracy``: derived from the curve, not a measurement of its own), not a curve."""
    got = _SKIP_CACHE.get(key)
    if got is None:
        low = key.lower()
        got = low in SKIP_KEYS or low.endswith(("epochs", "_steps")) or low.startswith("best_")
        if len(_SKIP_CACHE) < 10000:
            _SKIP_CACHE[key] = got
    return got


#: a qualifier that says only how an epoch's value was taken ("loss(mean): 0.267"): the name alone
_HOW_AVERAGED = {"mean", "avg", "average", "epoch", "ep"}


def _qualified(m: re.Match) -> str:
    if m.group(2).lower() in _HOW_AVERAGED:
        return m.group(1)  # "D_loss(mean)" is D_loss: an epoch's value is its mean
    return f"{m.group(1)}_{re.sub(r'[^A-Za-z0-9]+', '_', m.group(2)).strip('_')}"


#: "top 1 acc: 0.223", "Top 5 error 0.31": a top-k score with its k set off by a space; read
#: apart, "top" would take the k as its value and the two scores would share one name
_TOP_K_SPACED = re.compile(r"\btop[\s\-_]+(\d{1,2})[\s\-_]+(acc(?:uracy)?|err(?:or)?)\b", re.I)
#: "Top-1: 0.0636, Top-5: 0.1999": a top-k score named by its k alone, set off by a hyphen (read
#: apart, "Top" and "1" are no metric's name)
_TOP_K_HYPHEN = re.compile(r"\btop-(\d{1,2})(?=\s*[:=])", re.I)


#: a split word with the share it was taken on ("Val~20% 9.6793"): the split word alone names it
_SHARED_SPLIT = re.compile(r"(?<![\w.])(val(?:id(?:ation)?)?|eval|dev|test|train(?:ing)?)" + SHARE_SUFFIX, re.I)


#: the window a running average is taken over, between its name and its value: "Avg Reward
#: (last 10): 2853.27", "mean loss (last 100 batches) 0.41"; it says how the value was averaged,
#: not what it is, and read apart it would cut the name from its value
_RUNNING_WINDOW = re.compile(r"(?<=[A-Za-z])\s*\(\s*(?:last|past|over(?: the last)?)\s+\d+(?:\s+[A-Za-z]+)?\s*\)(?=\s*[:=]?\s*[-+]?\.?\d)",
                             re.I)


#: canonical_name of the keys every printed line repeats (this runs on each line of a log)
_canonical = lru_cache(maxsize=4096)(canonical_name)


def extract_pairs(segment: str) -> dict[str, float]:
    """Metric name -> value from one printed line, in any of the spellings above.

    ``key=value`` pairs win when present (tqdm postfixes, ``key=value`` prints); otherwise
    ``name: value`` / ``name value`` where the name is one or more words that start with a
    letter (``train loss 0.41``, ``val_acc: 0.81``), so ``12ms/step`` or ``0s`` never count.
    """
    if "(" in segment:
        segment = WRAPPED_NUM.sub(r"\1", segment)
        segment = QUALIFIED_NAME.sub(_qualified, segment)
        segment = _RUNNING_WINDOW.sub("", segment)
    if "[" in segment:
        segment = BRACKETED_NUM.sub(r"\1\2", segment)
    if "op" in segment:
        segment = _TOP_K_HYPHEN.sub(r"top\1", _TOP_K_SPACED.sub(r"top\1_\2", segment))
    if "%" in segment:
        segment = _SHARED_SPLIT.sub(r"\1", segment)
    if "/" in segment and _TRAIN_SLASH.search(segment) is not None:
        segment = _SLASH_PAIR.sub(_slash_pair, segment)
    found = list(_PAIR_EQ.finditer(segment))
    eq = bool(found)
    if not found:
        # "name: value" words and a printed dict's quoted keys side by side ("loss 0.9 |
        # optimizer {'lr': 0.001}"): the two patterns never match the same text
        found = sorted([*_PAIR_WORDS.finditer(segment), *_PAIR_QUOTED.finditer(segment)], key=lambda m: m.start())
        taken = [m.span() for m in found]
        found = sorted(found + [m for m in _PAIR_COMMA.finditer(segment) if is_metric_key(m.group(1))
                                and not any(a < m.end() and m.start() < b for a, b in taken)],
                       key=lambda m: m.start())
    keys = [_norm_key(m.group(1)) for m in found]
    if eq:
        keys = [_with_split_before(segment, m.start(1), k) for m, k in zip(found, keys)]
    # a name printed twice, or two that mean one metric ("train_loss=0.35 | val: acc=0.87, loss=0.33":
    # loss is the train loss's name too until the split word before it scopes it); canonical
    # names are lower case, so a name printed twice in two cases counts too
    if len(set(map(_canonical, keys))) < len(keys):
        keys = _scoped(segment, found, keys)
    return {k: to_float(m.group(2)) for k, m in zip(keys, found)}


#: a split word and one space right before a ``key=value`` key: "Val Loss=0.61, Val Dice=0.70"
_SPLIT_BEFORE = re.compile(r"(?:^|(?<=[\s,;\[(|]))(train(?:ing)?|val(?:id(?:ation)?)?|test|eval|dev) $", re.I)


def _with_split_before(segment: str, start: int, key: str) -> str:
    """``key`` named for the split word printed just before it (``Val Loss=`` -> ``Val_Loss``),
    unless the key names a split itself; a ``key=value`` key cannot hold a space."""
    m = _SPLIT_BEFORE.search(segment, max(0, start - 12), start)
    if m is None or m.end() != start or _SPLIT_WORD.match(key):
        return key
    return f"{m.group(1)}_{key}"


#: A split named in a line: "Train: loss 0.41 acc 0.88 | Val: loss 0.52 acc 0.81", "tr loss .. |
#: va loss ..".
_SPLIT_WORD = re.compile(r"(?<![A-Za-z_])(train(?:ing)?|trn|tr|val(?:id(?:ation)?)?|va|vl|eval(?:uation)?|dev|test)"
                         r"(?![A-Za-z0-9_])", re.I)
#: the prefix each split's keys take (canonical_name reads them; test stays apart from val)
_SPLIT_PREFIX = {**SHORT_SPLITS, "training": "train", "vl": "val", "valid": "val", "validation": "val",
                 "evaluation": "eval"}
_SPLITS = {*VAL_SPLITS, *TRAIN_SPLITS, *_SPLIT_PREFIX}
#: printed beside a split's metrics but not of it
_UNSCOPED = {"lr", "learning_rate", "time", "eta", "epoch", "step"}


def _scoped(segment: str, found: list[re.Match], keys: list[str]) -> list[str]:
    """The keys of a line that prints the same name twice, each under the split named last
    before it ("Train: loss .. acc .. | Val: loss .. acc ..", "Training Loss: .. Accuracy: ..
    | Validation Loss: .. Accuracy: .."): without this the second split's numbers overwrite the
    first's under the train names. The scope comes from a split word outside the keys ("Val:")
    or leading a key of several words ("Validation Loss"); an identifier that names its own
    split (``val_loss``, ``test_size``) keeps it and scopes nothing after it."""
    out, split, prev = [], None, 0
    for m, key in zip(found, keys):
        words = list(_SPLIT_WORD.finditer(segment, prev, m.start(1)))
        lead = _SPLIT_WORD.match(m.group(1))
        if lead is not None and " " in m.group(1).strip():
            words.append(lead)
        if words:
            word = words[-1].group(1).lower()
            split = _SPLIT_PREFIX.get(word, word)
        own = lead is not None or key.lower().split("_", 1)[0] in _SPLITS
        if split is not None and not own and key.lower() not in _UNSCOPED and not skipped(key):
            key = f"{split}_{key}"
        out.append(key)
        prev = m.end()
    return out


#: a sentence's words a key can begin with ("finished_with_loss", "ended._avg_loss", "the_loss")
_FILLER = re.compile(r"^(?:(?:the|with|finished|ended|completed?|done|after|is|was|has)[_.\s]+)+(?=\w)", re.I)


def _is_game_tally(pairs: dict[str, float]) -> bool:
    """Wins, losses and draws (or ties) printed side by side."""
    keys = {k.lower() for k in pairs}
    return (bool(keys & {"win", "wins"}) and bool(keys & {"loss", "losses"})
            and bool(keys & {"draw", "draws", "tie", "ties"}))


def clean_pairs(pairs: dict[str, float]) -> dict[str, float]:
    """``pairs`` without counters and timings; Lightning's ``_step`` twin of an ``_epoch`` key dropped."""
    # "loss is: 0.41" (PaddlePaddle's tutorials and the loops copied from them): the key is "loss"
    pairs = {(k[:-3] if k.lower().endswith("_is") and len(k) > 3 else k): v for k, v in pairs.items()}
    # "Epoch 3 finished with loss 0.41", "Epoch 3 ended. Avg loss: 0.41", "The loss after ..":
    # the sentence's words before the metric are no part of its name
    pairs = {(_FILLER.sub("", k) or k): v for k, v in pairs.items()}
    # "Val. Loss: 0.52" (an abbreviation's period: the seq2seq tutorials' "Val. Loss | Val. PPL")
    pairs = {(re.sub(r"(?<=[A-Za-z])\.(?=_)", "", k) if "._" in k else k): v for k, v in pairs.items()}
    out = {k: v for k, v in pairs.items() if not skipped(k)}
    if _is_game_tally(out):
        # "win=  4 loss=  2 draw=  0 timeout= 94": a game-playing agent's tally of lost episodes
        # beside its wins and draws, no training loss
        out = {k: v for k, v in out.items() if k.lower() not in ("loss", "losses")}
    # Lightning shows both train_loss_step and train_loss_epoch: the epoch mean is the curve.
    for k in list(out):
        if k.endswith("_step") and (k[:-5] + "_epoch") in out:
            del out[k]
    return out


#: a split word printed as a key of its own, its value with no metric named ("train: 1090.19 |
#: val: 1078.67"): what a hand loop prints for its objective
_BARE_TRAIN = {*TRAIN_SPLITS, *(w for w, split in _SPLIT_PREFIX.items() if split == "train")}
#: each held-out word -> the split its loss is named for (test stays apart; the rest are validation)
_BARE_HELD_OUT = {w: "test" if w == "test" else "val" for w in VAL_SPLITS}


def bare_split_losses(segment: str, pairs: dict[str, float]) -> dict[str, float] | None:
    """``pairs`` with bare split keys named as the losses they print (``train`` -> ``loss``,
    ``val`` -> ``val_loss``), or None when the line is not one of those. A line of nothing but
    ``train: 1090.19 (2.0061 bpd) | val: 1078.67`` names no metric; a loop prints its objective
    that way, and accuracy would carry a word (or a percent sign: then it is read as accuracy).
    Both a train and a held-out key are needed, so a lone ``test: 3`` counts nothing."""
    low = {k.lower(): k for k in pairs}
    train = [low[k] for k in low if k in _BARE_TRAIN]
    held = [low[k] for k in low if k in _BARE_HELD_OUT]
    if len(train) != 1 or not held:
        return None
    if all(_printed_as_count(segment, k) for k in (*train, *held)):
        return None  # "[Split] Train=3667 | Val=786 | Test=787": the rows of each split

    def name(key: str, split: str) -> str:
        what = "acc" if _printed_as_percent(segment, key) else "loss"
        return what if split == "train" else f"{split}_{what}"

    out = {k: v for k, v in pairs.items() if k not in train and k not in held}
    out[name(train[0], "train")] = pairs[train[0]]
    for k in held:
        out[name(k, _BARE_HELD_OUT[k.lower()])] = pairs[k]
    return out


def held_out_beside_loss(segment: str, pairs: dict[str, float]) -> dict[str, float] | None:
    """``pairs`` with a bare held-out key named as the validation loss where the line's other
    value is its ``loss`` (``epoch 1/3  loss=1.7317  val=1.9667``: the loop prints its objective
    on the held-out rows beside the train one); None when the line is not one of those."""
    low = {k.lower(): k for k in pairs}
    held = [low[k] for k in low if k in _BARE_HELD_OUT and _BARE_HELD_OUT[k] == "val"]
    if "loss" not in pairs or len(held) != 1 or "val_loss" in pairs or _printed_as_count(segment, held[0]):
        return None
    if _printed_as_percent(segment, held[0]):
        return None  # a percentage: an accuracy, not the loss
    out = {k: v for k, v in pairs.items() if k != held[0]}
    out["val_loss"] = pairs[held[0]]
    return out


def _printed_as_percent(segment: str, key: str) -> bool:
    """``key`` printed with a percent sign (``val: 85.2%``): an accuracy, not a loss."""
    return re.search(r"(?<![\w.])" + re.escape(key) + r"\s*[:=]?\s*" + NUM + r"\s*%", segment) is not None


def _printed_as_count(segment: str, key: str) -> bool:
    """``key`` printed with a whole number (``Train=3667``, ``val: 786``): a size or a count. A
    loss is printed with its decimals."""
    m = re.search(r"(?<![\w.])" + re.escape(key) + r"\s*[:=]?\s*(" + NUM + r")", segment)
    return m is not None and re.fullmatch(r"[+-]?\d+", m.group(1)) is not None
