"""Console output of a training script: what ``model.fit``, a Trainer or a loop printed.

Most people have no log file, only what their script printed. This reader takes that
text (a file, standard input, a forum paste) and recovers one record per epoch:

* Keras ``fit`` verbose=2 (``Epoch 3/50`` then ``25/25 - 0s - 4ms/step - loss: ...``) and
  verbose=1 (``\\r``/``\\b`` progress bars with ANSI colours; the finished bar is the
  epoch's record, unfinished bars are skipped), Keras 2 and 3 spellings;
* Hugging Face Trainer dicts (``{'loss': 0.69, 'learning_rate': 5e-05, 'epoch': 0.5}``,
  ``{'eval_loss': ...}``; the end-of-training summary is skipped);
* Lightning/tqdm bars (``Epoch 3: 100%|...| 12/12 [..., train_loss=0.41, val_loss=0.52]``;
  the last update of each epoch wins);
* generic per-epoch lines (``Epoch 3 | train loss 0.41 | val loss 0.52``,
  ``epoch=3 loss=0.41``, ``Epoch 3/20: loss: 0.41, val_loss: 0.52``, step lines).

Several runs in one log (the epoch counter starts again) become several runs, in
order. A last line cut in half is dropped with a note; a run interrupted mid-epoch
keeps its finished epochs. The text-level parser ``parse_console_text`` is shared
with the notebook reader.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io._table import AXIS_COLUMNS
from fitdoctor.io.base import Reader, decode_text, looks_binary, register

NUM = r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|NaN|NAN|inf|Inf|INF|infinity|Infinity)"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: ``Epoch 3/50`` alone on its line (Keras's header before each epoch).
_KERAS_HEADER = re.compile(r"(?:^|[\s>:\]|])Epoch\s+(\d+)\s*/\s*(\d+)\s*$")
#: A Keras batch counter at the start of a progress line: ``25/25 ━━━`` or ``100/100 [===``.
_COUNTER = re.compile(r"^\s*(\d+)\s*/\s*(\d+|Unknown)\b")
_EPOCH_INLINE = re.compile(r"\bepoch\s*[:=#]?\s*\[?\s*(\d+)(?:\s*/\s*(\d+))?", re.I)
_BRACKET_EPOCH = re.compile(r"^\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]")
_STEP_OF = re.compile(r"\b(?:step|iter|iteration|batch)\s*[:=#]?\s*\[?\s*(\d+)\s*/\s*(\d+)", re.I)
_STEP_INLINE = re.compile(r"\b(?:global[_ ]step|step|iteration|iter|it)\s*[:=#]?\s*\[?\s*(\d+)", re.I)
_PAIR_EQ = re.compile(r"([A-Za-z_][\w./\-]*)\s*=\s*(" + NUM + r")(?![\w.])")
#: Cheap whole-text test: could any line continue on the next (see ``_join_wrapped``)?
_MAYBE_WRAPPED = re.compile(r"[:=-][ \t]*\r?$|^ {12}", re.M)
#: Keras's own ``- name: value`` fields, the fast path for long logs.
_KERAS_PAIR = re.compile(r" - ([A-Za-z_][\w./]*): (" + NUM + r")(?![\w.])")
_WORD = r"[A-Za-z_][\w./\-()@]*"
_PAIR_WORDS = re.compile(r"(?<![^\s|,;\[(])(" + _WORD + r"(?:[ ]" + _WORD + r"){0,3})\s*[:=]?\s*(?<![\w.])("
                         + NUM + r")(?![\w.])")
#: Keys whose presence marks a line as training output (not a random number in a log).
_METRIC_WORDS = re.compile(
    r"loss|acc|error|mae|mse|rmse|auc|f1|map|iou|dice|perplexity|ppl|bleu|rouge|precision|recall|score|r2",
    re.I)
_KEY_TOKEN = re.compile(r"[_/.\-\s()@]+")
_METRIC_TOKEN = re.compile(
    r"^(?:(?:loss|acc|err|perplexity|precision|recall|score|bleu|rouge|dice|map|miou|top\d|f1|auc|iou)\w*|"
    r"ce|bce|nll|wer|cer|r2|mae|mse|rmse|ppl|ap\d*)$", re.I)


def _is_metric_key(key: str) -> bool:
    """A key one of whose tokens names a loss or metric (``val_acc``, ``train loss``, ``mAP50``)."""
    return any(_METRIC_TOKEN.match(t) for t in _KEY_TOKEN.split(key) if t)


#: Callback chatter that mentions metrics but is not a record.
_CALLBACK = re.compile(r"improved from|did not improve|reducing learning rate|early stopping|"
                       r"saving model|restoring model weights|best (?:epoch|model)|"
                       r"ReduceLROnPlateau|LearningRateScheduler|Saving model", re.I)
_TRACEBACK = re.compile(r'\s*(?:File "|Traceback \(most recent|\^+\s*$|During handling)')
_SKIP_KEYS = {"v_num", "eta", "it/s", "s/it", "epoch", "epochs", "step", "global_step", "iter",
              "iteration", "it", "batch", "total", "time", "lr_scale"} | AXIS_COLUMNS
#: HF Trainer's end-of-training summary: its 'train_loss' is the mean over the run.
_HF_SUMMARY_KEYS = {"train_runtime", "train_samples_per_second", "total_flos"}
_MAX_DICT_CHARS = 4000


@dataclass
class _Run:
    """Records of one run being assembled: x -> {raw name: value}, in order."""

    axis: str = "epoch"
    dialect: str = ""
    start_line: int = 0
    records: dict[float, dict[str, float]] = field(default_factory=dict)
    last_x: float | None = None
    last_header: int | None = None
    header_total: int | None = None
    open_header: int | None = None  # a Keras epoch whose finished bar has not been seen yet
    notes: list[str] = field(default_factory=list)
    #: "[epoch, batch]" lines (PyTorch's CIFAR-10 tutorial): the last batch index seen in the
    #: first epoch, which turns (epoch, batch) into a global step
    batches_per_epoch: int = 0
    #: filled by the fast path instead of ``records``: raw name -> (steps, values)
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def n_records(self) -> int:
        if self.columns:
            return max(len(v[0]) for v in self.columns.values())
        return len(self.records)

    def put(self, x: float, pairs: dict[str, float]) -> None:
        rec = self.records.setdefault(x, {})
        rec.update(pairs)
        self.last_x = x


@dataclass
class _State:
    runs: list[_Run] = field(default_factory=list)
    seq: int = 0  # row counter for lines with metrics but no epoch/step
    skipped_summary: bool = False
    ignored_callbacks: int = 0

    @property
    def run(self) -> _Run:
        if not self.runs:
            self.runs.append(_Run())
        return self.runs[-1]

    def new_run(self, line_no: int) -> _Run:
        cur = self.runs[-1] if self.runs else None
        if cur is not None and not cur.records:
            cur.start_line = line_no
            cur.last_x = cur.last_header = cur.open_header = None
            return cur
        run = _Run(start_line=line_no)
        self.runs.append(run)
        self.seq = 0
        return run


#: Python's float() takes every spelling NUM matches (nan, NaN, inf, -Infinity, 1e-05).
_to_float = float


_KEY_CACHE: dict[str, str] = {}


def _norm_key(key: str) -> str:
    got = _KEY_CACHE.get(key)
    if got is None:
        got = re.sub(r"\s+", "_", key.strip()).strip("_")
        if len(_KEY_CACHE) < 10000:
            _KEY_CACHE[key] = got
    return got


_SKIP_CACHE: dict[str, bool] = {}


def _skipped(key: str) -> bool:
    got = _SKIP_CACHE.get(key)
    if got is None:
        low = key.lower()
        got = low in _SKIP_KEYS or low.endswith(("epochs", "_steps"))
        if len(_SKIP_CACHE) < 10000:
            _SKIP_CACHE[key] = got
    return got


def extract_pairs(segment: str) -> dict[str, float]:
    """Metric name -> value from one printed line, in any of the spellings above.

    ``key=value`` pairs win when present (tqdm postfixes, ``key=value`` prints); otherwise
    ``name: value`` / ``name value`` where the name is one or more words that start with a
    letter (``train loss 0.41``, ``val_acc: 0.81``), so ``12ms/step`` or ``0s`` never count.
    """
    eq = _PAIR_EQ.findall(segment)
    pairs: dict[str, float] = {}
    for k, v in eq or _PAIR_WORDS.findall(segment):
        pairs[_norm_key(k)] = _to_float(v)
    return pairs


def _clean_pairs(pairs: dict[str, float]) -> dict[str, float]:
    out = {k: v for k, v in pairs.items() if not _skipped(k)}
    # Lightning shows both train_loss_step and train_loss_epoch: the epoch mean is the curve.
    for k in list(out):
        if k.endswith("_step") and (k[:-5] + "_epoch") in out:
            del out[k]
    return out


def _hf_dict(segment: str) -> dict | None:
    s = segment.strip()
    if not (s.startswith("{") and s.endswith("}")) or len(s) > _MAX_DICT_CHARS or ":" not in s:
        return None
    try:
        d = ast.literal_eval(s)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    if not isinstance(d, dict) or not all(isinstance(k, str) for k in d):
        return None
    out: dict = {}
    for k, v in d.items():
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            out[k] = float(v)
        elif isinstance(v, str):
            try:
                out[k] = _to_float(v.strip())
            except ValueError:
                continue
    return out


def _segments(text: str):
    """(line number, segment) for every ``\\r``-separated piece of every line, ANSI removed."""
    text = text.replace("\r\n", "\n")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if "\b" in line:
            line = line.replace("\b", "")
        if "\r" in line:
            for seg in line.split("\r"):
                if seg.strip():
                    yield n, seg
        else:
            yield n, line


def _join_wrapped(segments):
    """Undo line wrapping (forum posts, rich progress bars in a narrow pipe).

    A line ending in ``name:``, ``name=`` or `` -`` continues on the next one, and a deeply
    indented line with metrics continues the line before it.
    """
    held: tuple[int, str] | None = None
    indent = " " * 12
    for n, seg in segments:
        if held is not None:
            prev = held[1]
            last = prev.rstrip()[-1:]
            if last in (":", "=", "-") or seg.startswith(indent):
                prev = prev.rstrip()
                dangling = prev.endswith((":", " -", "=")) and _METRIC_WORDS.search(prev) is not None
                indented = seg.startswith(indent) and _METRIC_WORDS.search(prev) is not None \
                    and _EPOCH_INLINE.search(seg) is None and _COUNTER.match(seg) is None
                if (dangling or indented) and not _KERAS_HEADER.search(prev) and len(prev) < 4000:
                    held = (held[0], prev + " " + seg.strip())
                    continue
            yield held
        held = (n, seg)
    if held is not None:
        yield held


def _handle(state: _State, n: int, seg: str) -> None:
    if "Epoch" in seg:
        m = _KERAS_HEADER.search(seg)
        if m:
            ep, total = int(m.group(1)), int(m.group(2))
            run = state.run
            if run.last_header is not None and ep <= run.last_header or (
                    run.last_header is None and run.records and run.dialect != "keras"):
                run = state.new_run(n)
            if run.open_header is not None:
                run.notes.append(f"epoch {run.open_header}/{run.header_total} did not finish; "
                                 "its partial values are not used")
            run.dialect = "keras"
            run.axis = "epoch"
            run.last_header, run.header_total, run.open_header = ep, total, ep
            if not run.records:
                run.start_line = n
            return
    run = state.run
    keras = run.dialect == "keras" and run.last_header is not None
    if keras:  # the hot path of a long Keras log: a batch counter opens the line
        c = _COUNTER.match(seg)
        if c is not None:
            if c.group(2) == "Unknown" or int(c.group(1)) < int(c.group(2)):
                return  # an unfinished progress bar: partial averages, not the epoch's values
            found = _KERAS_PAIR.findall(seg, c.end())
            if found:
                pairs = {k: float(v) for k, v in found}
                if not _SKIP_KEYS.isdisjoint(pairs):
                    pairs = _clean_pairs(pairs)
            else:
                pairs = _clean_pairs(extract_pairs(seg[c.end():]))
            if pairs:
                run.put(float(run.last_header), pairs)
                run.open_header = None
            return
    if not _METRIC_WORDS.search(seg) or _TRACEBACK.match(seg):
        return
    if "train_runtime" in seg:  # HF's end-of-training summary (a dict or TrainOutput(...))
        state.skipped_summary = True
        return
    s = seg.strip()
    if s.startswith("{"):
        d = _hf_dict(s)
        if d is not None:
            _handle_dict(state, n, d)
            return
    if _CALLBACK.search(seg):
        state.ignored_callbacks += 1
        return
    if keras:
        inline = _EPOCH_INLINE.search(seg)
        if inline is None:
            pairs = _clean_pairs(extract_pairs(seg))
            if pairs and any(_is_metric_key(k) for k in pairs):  # a wrapped continuation of the epoch line, or a bar-less paste
                run.put(float(run.last_header), pairs)
                run.open_header = None
            return
        if int(inline.group(1)) in (run.last_header, run.last_header - 1):
            # a custom callback's "Epoch 3: val_f1: 0.80" belongs to the epoch Keras is in
            pairs = _clean_pairs(extract_pairs(seg[:inline.start()] + " | " + seg[inline.end():]))
            if pairs and any(_is_metric_key(k) for k in pairs):
                run.put(float(run.last_header), pairs)
            return
    _handle_generic(state, n, seg)


def _handle_dict(state: _State, n: int, d: dict) -> None:
    if _HF_SUMMARY_KEYS & d.keys():
        state.skipped_summary = True
        return
    pairs = _clean_pairs({k: v for k, v in d.items() if k != "epoch" and k != "step"})
    pairs = {k: v for k, v in pairs.items() if not k.endswith(("_runtime", "_per_second"))}
    if not pairs:
        return
    run = state.run
    if "epoch" in d:
        x, axis = d["epoch"], "epoch"
    elif "step" in d:
        x, axis = d["step"], "step"
    else:
        state.seq += 1
        x, axis = float(state.seq), "epoch"
    if run.records and (run.dialect != "hf" or (run.last_x is not None and x < run.last_x - 1e-9)):
        run = state.new_run(n)
    run.dialect, run.axis = "hf", axis
    if not run.records:
        run.start_line = n
    run.put(float(x), pairs)


def _handle_generic(state: _State, n: int, seg: str) -> None:
    x: float | None = None
    axis = "epoch"
    rest = seg
    m = _EPOCH_INLINE.search(seg)
    if m is not None:
        x = float(m.group(1))
        rest = seg[:m.start()] + " | " + seg[m.end():]
        # tqdm: "Epoch 3: 100%|####| 12/12 [00:01<00:00, 9.5it/s, loss=0.41]"
        bar = rest.find("|")
        if "%|" in rest and bar >= 0:
            if "[" in rest[bar:]:
                rest = rest[rest.find("[", bar) + 1:]
                rest = rest.split("]", 1)[0]  # the postfix only, not text glued after the bar
        else:
            # "Epoch [3/50], Step [100/600], Loss: 0.41" or PyTorch's MNIST example "Train Epoch:
            # 3 [640/60000 (1%)]  Loss: 0.41": a point every few batches, at its fraction of the epoch
            prog = _BRACKET_PROGRESS.match(seg, m.end())
            sub = prog if prog is not None else _STEP_OF.search(rest)
            if sub is not None and 0 < int(sub.group(2)):
                frac = min(int(sub.group(1)) / int(sub.group(2)), 1.0)
                x = x - 1 + frac if x >= 1 else x + frac
                if prog is not None:
                    rest = seg[:m.start()] + " | " + seg[prog.end():]
                else:
                    rest = rest[:sub.start()] + " | " + rest[sub.end():]
    elif (eb := _EPOCH_BATCH.match(seg)) is not None:
        # "[2,  4000] loss: 1.52" (PyTorch's CIFAR-10 tutorial): epoch and batch, as a step
        ep, batch = int(eb.group(1)), int(eb.group(2))
        cur = state.run
        if ep == 1 or not cur.batches_per_epoch:
            cur.batches_per_epoch = max(cur.batches_per_epoch, batch) if ep == 1 else batch
        x, axis = float((ep - 1) * cur.batches_per_epoch + batch), "step"
        rest = seg[eb.end():]
    else:
        b = _BRACKET_EPOCH.match(seg)
        if b is not None:
            x = float(b.group(1))
            rest = seg[b.end():]
        else:
            st = _STEP_INLINE.search(seg)
            if st is not None:
                x, axis = float(st.group(1)), "step"
                rest = seg[:st.start()] + " | " + seg[st.end():]
    if m is None and "%|" in rest:
        # a progress bar with no epoch ("Map: 100%|####| 1000/1000 [00:01<00:00, 900 examples/s]",
        # a download): the percentage after its label is progress; only its postfix can hold metrics
        br = rest.find("[", rest.find("%|"))
        rest = rest[br + 1:].split("]", 1)[0] if br >= 0 else ""
    rest = _COUNT_RATIO.sub(lambda r: f"{int(r.group(1)) / max(int(r.group(2)), 1):.6g}", rest)
    pairs = _clean_pairs(extract_pairs(rest))
    if not pairs or not any(_is_metric_key(k) for k in pairs):
        return
    pairs = _split_prefixed(seg, pairs)
    run = state.run
    if x is None and run.records and run.dialect == "generic" and run.last_x is not None \
            and all(canonical_name(k).startswith("val_") for k in pairs):
        # "Test set: Average loss: 0.05, Accuracy: 9839/10000 (98%)" after an epoch's train lines:
        # the evaluation that closes the epoch those lines were in
        x = float(math.floor(run.last_x) + 1) if run.last_x != int(run.last_x) else run.last_x
        axis = run.axis
    if x is None:
        if run.records and run.dialect not in ("", "seq"):
            run = state.new_run(n)
        state.seq += 1
        x = float(state.seq)
        dialect = "seq"
    else:
        dialect = "tqdm" if "%|" in seg else "generic"
        if run.records and (run.dialect in ("hf", "seq", "keras") and run.dialect != dialect
                            or run.last_x is not None and x < run.last_x or run.axis != axis):
            run = state.new_run(n)
    run.dialect, run.axis = dialect, axis
    if not run.records:
        run.start_line = n
    run.put(x, pairs)



#: "Validation Results - Epoch[3] Avg accuracy: 0.81 Avg loss: 0.52" (PyTorch Ignite's examples
#: and many hand loops): the split is named once at the start of the line, not in each key
_SPLIT_LEAD = re.compile(r"^\s*(?:\W\s*)?(validation|valid|val|eval(?:uation)?|dev|test|train(?:ing)?)\b"
                         r"(?:\s+(?:results?|set|metrics?|stats?|phase|split))?\s*[-:|,]?", re.I)
_EPOCH_BATCH = re.compile(r"^\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]")
#: "[640/60000 (1%)]" right after the epoch number: how far into the epoch the line is
_BRACKET_PROGRESS = re.compile(r"\s*\[\s*(\d+)\s*/\s*(\d+)\s*(?:\(\s*\d+(?:\.\d+)?%\s*\))?\s*\]")
#: "Accuracy: 9839/10000 (98%)": a count out of a total, read as the fraction
_COUNT_RATIO = re.compile(r"\b(\d+)\s*/\s*(\d+)\s*\(\s*\d+(?:\.\d+)?\s*%\s*\)")
_AVG_PREFIX = re.compile(r"^(?:avg|average|mean)_(?=\w)", re.I)


def _split_prefixed(seg: str, pairs: dict[str, float]) -> dict[str, float]:
    """Keys of a line that names its split up front, as if each key carried the prefix;
    ``avg_loss`` (an epoch average) is the loss."""
    pairs = {_AVG_PREFIX.sub("", k): v for k, v in pairs.items()}
    m = _SPLIT_LEAD.match(seg)
    if m is None or m.group(1).lower().startswith("train"):
        return pairs
    if any(k.lower().startswith(("val", "eval", "test", "dev")) for k in pairs):
        return pairs  # the keys already say it
    return {f"val_{k}": v for k, v in pairs.items()}


_TABLE_HEAD = re.compile(r"^[ \t]*epoch[ \t]+(?:\w+[ \t]+)*\w*loss\w*(?:[ \t]+\w+)*[ \t]*\r?$", re.I | re.M)


def _tables_as_lines(text: str) -> str:
    """Whitespace-aligned epoch tables (fastai's ``epoch train_loss valid_loss accuracy time``,
    printed by ``fit_one_cycle`` in consoles and notebooks) rewritten as ``key=value`` lines.

    In fastai the bare metric columns are computed on the validation set, so next to
    ``train_loss``/``valid_loss`` they are read as validation metrics. Time cells are skipped.
    """
    if _TABLE_HEAD.search(text) is None:  # one scan in C: most logs hold no such table
        return text
    out, head, fastai = [], None, False
    for line in text.split("\n"):
        if _TABLE_HEAD.match(line):
            head = line.split()
            fastai = any(h.startswith("train_") for h in head) and any(h.startswith("valid_") for h in head)
            out.append("")
            continue
        if head is not None:
            cells = line.split()
            if len(cells) == len(head) and cells[0].isdigit():
                parts = [f"epoch {int(cells[0])}"]
                for h, c in zip(head[1:], cells[1:]):
                    if h.lower() == "time" or not re.fullmatch(NUM, c):
                        continue
                    key = h if not fastai or "_" in h and h.split("_")[0] in ("train", "valid") else f"valid_{h}"
                    parts.append(f"{key}={c}")
                out.append(" ".join(parts))
                continue
            if line.strip():
                head = None
        out.append(line)
    return "\n".join(out)


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
#: Every callback phrase the line parser skips contains one of these (checked by tests).
_CALLBACK_ANCHORS = ("mprove", "educ", "arly stop", "estor", "aving model", "est epoch", "est model")


def _keras_columns(run: _Run, got: list[tuple[int, str]]) -> bool:
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
            if not _skipped(name):
                run.columns[name] = (epochs, table[:, j])
        return True
    # metrics that come and go, or an epoch finished twice (batch end, then epoch end with
    # the validation values): one line at a time, the later line wins
    for e, body in got:
        pairs = _KERAS_VALUE_PAIR.findall(body)
        if not pairs:
            return False
        run.put(float(e), {name: float(v) for name, v in pairs if not _skipped(name)})
    return True


def _maybe_wrapped(text: str) -> bool:
    """Could a line continue on the next one (what ``_join_wrapped`` would join)?"""
    if "\n" + " " * 12 in text or text.startswith(" " * 12):
        return True
    for line in text.split("\n"):
        last = line[-1:]
        if last and last in ":=- \t\r" and line.rstrip().endswith((":", "=", " -")):
            return True
    return False


def _fast_keras(text: str) -> _State | None:
    """Plain ``model.fit`` output read with whole-text regexes (long logs in a fraction of the time).

    Only for text the line parser reads the same way: unprefixed Keras headers, no HF dicts,
    tqdm bars or wrapped lines, and a finished line for every epoch but the last. Anything
    else returns None and goes through ``_handle`` line by line (tests check both agree).
    """
    if "Epoch" not in text or "{" in text or "%|" in text:
        return None
    if "\r" in text:  # keep the last update of each progress bar (halves a terminal capture)
        text = "\n".join(_last_segment(line) for line in text.split("\n"))
    if "\x1b" in text:
        for code in _KERAS_ANSI:  # the few codes Keras's progress bar uses, at C speed
            text = text.replace(code, "")
        if "\x1b" in text:
            text = _ANSI.sub("", text)
    if "\b" in text:
        text = text.replace("\b", "")
    if _maybe_wrapped(text):
        return None
    rows = _KERAS_LINES.findall(text)
    state = _State()
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
                    run.notes.append(f"epoch {run.open_header}/{run.header_total} did not finish; "
                                     "its partial values are not used")
                run = _Run()
                state.runs.append(run)
                bodies.append([])
                restarts.append(headers)
            elif run.open_header is not None:
                run.notes.append(f"epoch {run.open_header}/{run.header_total} did not finish; "
                                 "its partial values are not used")
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
    for anchor in _CALLBACK_ANCHORS:
        i = text.find(anchor)
        while i >= 0:
            starts.add(text.rfind("\n", 0, i) + 1)
            i = text.find(anchor, i + 1)
    chatter = []
    for start in starts:
        end = text.find("\n", start)
        seg = text[start:end if end >= 0 else len(text)]
        if _CALLBACK.search(seg) and _METRIC_WORDS.search(seg) and not _TRACEBACK.match(seg):
            state.ignored_callbacks += 1
            chatter.append(seg)
    # every mention of a loss or accuracy must be on a line read above; any other line with
    # metrics (a custom callback's print, a pasted note) needs the line parser
    read = "\n".join([body for got in bodies for _, body in got] + chatter + partial)
    if any(text.count(w) != read.count(w) for w in ("loss", "acc", "val_")):
        return None
    return state


def parse_console_text(text: str, *, source: str, fmt: str = "console",
                       fast: bool = True) -> list[RunHistory]:
    """Every run found in console text, in order (an empty list when there is none).

    ``fast=False`` forces the line-by-line parser (tests check both agree).
    """
    notes: list[str] = []
    if text and not text.endswith(("\n", "\r")):
        cut = max(text.rfind("\n"), text.rfind("\r"))
        tail = text[cut + 1:]
        if _METRIC_WORDS.search(tail) or _KERAS_HEADER.search(tail):
            notes.append("last line is incomplete (file still being written?); "
                         "read up to the line before it")
        text = text[:cut + 1]
    state = _fast_keras(text) if fast else None
    if state is None:
        text = _tables_as_lines(text)
        state = _State()
        segments = _segments(text)
        if _MAYBE_WRAPPED.search(text):
            segments = _join_wrapped(segments)
        for n, seg in segments:
            _handle(state, n, seg)
    runs = [r for r in state.runs if r.records or r.columns]
    built = [(run, _to_history(run, source=source, fmt=fmt)) for run in runs]
    for run, h in built:
        h.meta["run"] = f"line {run.start_line}"
    kept = {id(h) for h in drop_one_value_runs([h for _, h in built])}
    runs = [run for run, h in built if id(h) in kept]
    histories = [h for _, h in built if id(h) in kept]
    out: list[RunHistory] = []
    for i, (run, h) in enumerate(zip(runs, histories)):
        del h.meta["run"]
        if len(runs) > 1:
            h.meta["run"] = f"run {i + 1} (line {run.start_line})"
        for note in notes if i == len(runs) - 1 else []:
            h.note(note)
        if run.open_header is not None:
            h.note(f"epoch {run.open_header}/{run.header_total} did not finish (interrupted?); "
                   f"read the {run.n_records} finished epoch(s)")
        if state.skipped_summary:
            h.note("skipped the end-of-training summary dict (its train_loss is the run's mean)")
        if state.ignored_callbacks and i == 0:
            h.note(f"ignored {state.ignored_callbacks} callback message line(s) "
                   "(checkpoint / early stopping / lr reduction)")
        out.append(h)
    return out


def drop_one_value_runs(runs: list[RunHistory]) -> list[RunHistory]:
    """The runs that are training curves, without the one-value printouts beside them.

    ``model.evaluate``, ``print(f"Test accuracy: {acc:.2%}")`` or a classification report
    after ``fit`` print one value per metric: a summary, not a curve. Beside a real run
    they are dropped with a note (kept, they would stop the whole log with "only one
    epoch"); a log with nothing else keeps them, so the error says what was found.
    """
    def is_curve(h: RunHistory) -> bool:
        return h.n_points >= 2 or any(s.n_nonfinite for s in h.series.values())

    curves = [h for h in runs if is_curve(h)]
    if not curves or len(curves) == len(runs):
        return runs
    dropped = [h for h in runs if not is_curve(h)]
    shown = "; ".join(
        f"{h.meta.get('run', '?')}: "
        + ", ".join(f"{s.raw_name} {s.values[0]:.4g}" for s in list(h.series.values())[:3])
        for h in dropped[:3]) + (" ..." if len(dropped) > 3 else "")
    curves[0].note(f"ignored {len(dropped)} one-value printout(s) ({shown}): a single value is a "
                   "summary (evaluate, test score, report), not a training curve")
    return curves


def _to_history(run: _Run, *, source: str, fmt: str) -> RunHistory:
    h = RunHistory(meta={"source": source, "format": fmt, "dialect": run.dialect})
    if run.columns:
        for raw, (steps, values) in run.columns.items():
            h.add(canonical_name(raw), steps, values, raw_name=raw, axis=run.axis)
        for note in run.notes:
            h.note(note)
        return h
    xs = np.fromiter(run.records.keys(), dtype=float, count=len(run.records))
    names: dict[str, None] = {}
    for rec in run.records.values():
        for k in rec:
            names.setdefault(k, None)
    for k in list(names):  # Lightning: the per-epoch mean is the curve, not the last step
        if k.endswith("_step") and k[:-5] + "_epoch" in names:
            del names[k]
            h.note(f"ignored {k!r}: {k[:-5] + '_epoch'!r} holds the epoch means")
    for raw in names:
        sel = [(x, rec[raw]) for x, rec in zip(xs, run.records.values()) if raw in rec]
        steps = np.fromiter((p[0] for p in sel), dtype=float, count=len(sel))
        values = np.fromiter((p[1] for p in sel), dtype=float, count=len(sel))
        h.add(canonical_name(raw), steps, values, raw_name=raw, axis=run.axis)
    for note in run.notes:
        h.note(note)
    return h


# ------------------------------------------------------------------ sniffing

_SNIFF_KERAS = re.compile(r"Epoch\s+\d+\s*/\s*\d+\s*\r?\n")
_SNIFF_KERAS_LINE = re.compile(r" - (?:val_)?(?:loss|acc\w*): " + NUM)
_SNIFF_HF = re.compile(r"\{'(?:loss|eval_loss|train_loss|grad_norm|learning_rate|eval_\w+)': ")
_SNIFF_TQDM = re.compile(r"Epoch \d+: +\d+%\|.*?(?:loss|acc)\w*=" + NUM)
_SNIFF_GENERIC = re.compile(r"(?:epoch|step|iter\w*)\s*[:=#]?\s*\[?\d+.{0,200}?(?:loss|acc)\w*\W{0,3}\s*" + NUM,
                            re.I)


_SNIFF_EPOCH_BATCH = re.compile(r"^\s*\[\s*\d+\s*,\s*\d+\s*\]\s*(?:\w+\s*)?loss\s*[:=]\s*" + NUM, re.M)


def sniff_text(text: str) -> float:
    """How much ``text`` looks like training console output (0..1)."""
    first = text.lstrip()[:1]
    if first in ("{", "[") and ('"' in text[:40]):
        return 0.0  # JSON (HF dicts use single quotes)
    if _SNIFF_KERAS.search(text) and _SNIFF_KERAS_LINE.search(text):
        return 0.92
    if _SNIFF_HF.search(text):
        return 0.85
    if _SNIFF_TQDM.search(text):
        return 0.85
    if _TABLE_HEAD.search(text[:8192]):
        return 0.7
    if len(_SNIFF_EPOCH_BATCH.findall(text[:8192])) >= 2:
        return 0.7
    hits = len(_SNIFF_GENERIC.findall(text[:8192]))
    if hits >= 2:
        return 0.7
    if hits == 1 or _SNIFF_KERAS_LINE.search(text):
        return 0.35
    return 0.0


def _looks_like_table(text: str) -> bool:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return max(first.count(","), first.count("\t"), first.count(";")) >= 1 and not re.search(r"\d", first) \
        and ":" not in first and "=" not in first and "|" not in first


@register
class ConsoleReader(Reader):
    name = "console"
    description = ("console output: Keras fit (verbose 1/2), HF Trainer dicts, Lightning/tqdm bars, "
                   "per-epoch print lines; a file or - for stdin")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        if looks_binary(head):
            return 0.0
        text = decode_text(head)
        if _looks_like_table(text):
            return 0.0
        return sniff_text(text)

    def read(self, path: Path) -> list[RunHistory]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{path}: cannot read ({exc.strerror})") from exc
        if looks_binary(data[:1024]):
            raise BadInput(f"{path}: binary file; expected console text printed by a training script")
        runs = parse_console_text(decode_text(data), source=str(path), fmt=self.name)
        if not runs:
            raise BadInput(f"{path}: no training output found; expected lines like 'Epoch 3/50' + "
                           "'... - loss: 0.41 - val_loss: 0.52' or 'epoch 3 loss=0.41 val_loss=0.52'")
        return runs
