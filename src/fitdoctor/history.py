"""RunHistory: the one shape every reader produces and every rule consumes.

A run is a set of named series on an epoch or step axis. Readers map each tool's
spelling onto canonical names (``loss``, ``val_loss``, ``accuracy``,
``val_accuracy``, ``lr``, ...) so rules never care where a run came from; the raw
name is kept so the user can see how each series was interpreted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from fitdoctor.errors import BadInput

#: Spellings used by Keras, Lightning, Hugging Face, TensorBoard and hand-written
#: loops, mapped to fitdoctor's canonical metric names.
METRIC_ALIASES: dict[str, str] = {
    "acc": "accuracy",
    "accur": "accuracy",
    "accu": "accuracy",  # ProtoPNet's and many hand loops' "accu: 9.1%"
    "accuracy": "accuracy",
    "categorical_accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
    "binary_accuracy": "accuracy",
    "top1": "accuracy",
    "learning_rate": "lr",
    "learningrate": "lr",
    "lr": "lr",
    "auc": "auc",
    "roc_auc": "auc",
    "f1": "f1",
    "f1_score": "f1",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "mse": "mse",
    "mean_squared_error": "mse",
    "grad_norm": "grad_norm",
    "gradient_norm": "grad_norm",
    "total_loss": "loss",
    "xent": "loss",  # OpenNMT's and TensorFlow's cross-entropy, printed beside its perplexity
    "tot_loss": "loss",  # "Tot Loss: 0.54" beside its parts ("Loc Loss", "Cls Loss")
    "loss_total": "loss",
    "loss_overall": "loss",  # Moment-DETR's sum of its weighted parts (loss_span, loss_giou, ...)
    "overall_loss": "loss",
    "loss": "loss",
    # the plural a hand loop appends to: train_losses.append(...), val_accs.append(...)
    "losses": "loss",
    "accs": "accuracy",
    "accuracies": "accuracy",
}

#: A validation series named only for being an average (``validation_epoch_average``): its loss.
VAL_MEAN_NAMES = ("average", "avg", "mean")

#: Scores that also count as whole words anywhere in a name (see ``HIGHER_IS_BETTER_WORDS``).
_SCORE_WORDS = ("accuracy", "acc", "auc", "f1", "precision", "recall", "iou", "dice", "bleu", "rouge", "top5")

#: Higher-is-better metrics; everything else (losses, errors) is lower-is-better.
HIGHER_IS_BETTER = (
    *_SCORE_WORDS, "r2", "map", "matthews", "balanced_accuracy", "fitness",
    "score",  # scikit-learn's MLP "Validation score" (accuracy or R^2), *_score metrics
)

#: (the short forms too: "va_loss"/"vl_loss" and "tr_loss"/"trn_loss" are common in hand loops)
VAL_PREFIXES = ("val_", "valid_", "validation_", "eval_", "dev_", "test_", "testing_", "va_", "vl_")
TRAIN_PREFIXES = ("train_", "training_", "tr_", "trn_")
VAL_SUFFIXES = ("_val", "_valid", "_validation", "_eval", "_test", "_dev")
TRAIN_SUFFIXES = ("_train", "_training", "_epoch")
#: a loss named with the unit it is counted in: nats or bits, per byte, token, character ...
_LOSS_UNIT = re.compile(r"loss_(?:(?:in_)?(?:nats|bits)(?:_per_[a-z]+)?|per_(?:token|byte|char|character|word|sample|example|pixel))")
#: what a hand loop calls the list it keeps: "loss_history", "val_loss_hist", "acc_list"
LIST_SUFFIXES = ("_history", "_hist", "_list", "_log", "_values")
#: the words that name a split, as a folder of a path-like tag ("val/loss") or a key of its own
VAL_SPLITS = ("val", "valid", "validation", "eval", "test", "testing", "dev")
TRAIN_SPLITS = ("train", "training")
#: a dashboard's group folders in a path-like tag ("metrics/train_loss")
PATH_GROUPS = ("metrics", "metric", "charts", "scalars", "scalar", "logs", "losses")
#: Lightning logs on_step twins as <name>_step: kept apart, on the step axis, never a metric.
STEP_SUFFIX = "_step"


#: a split word glued to a metric's name, as hand loops print them ("TrainLoss", "ValAcc",
#: "valloss", and short: "TrLoss", "VaAcc", "VAcc", "TeAcc"): only these roots, so "mAP" or
#: "trainset_size" stay as they are
GLUED_SPLIT = re.compile(r"(train|training|trn|tr|val|valid|validation|va|v|eval|test|te|dev)"
                          r"(loss|acc|accuracy|f1|auc|error|err|mae|mse|rmse|dice|iou|miou|top1|top5)")
#: a split's short words, as hand loops print them ("tr_loss", "TrLoss", "tr=0.81 va=0.79"), spelled out
SHORT_SPLITS = {"tr": "train", "trn": "train", "va": "val"}
#: the short split words of GLUED_SPLIT, spelled out
_GLUED_SHORT = {**SHORT_SPLITS, "v": "val", "te": "test"}


#: "avg._loss", "average_acc": an average of the loss or accuracy, named as that metric
_ABBREVIATION_DOT = re.compile(r"(?<=[a-z])\.(?=_|$)")
_AVERAGE_OF = re.compile(r"^(?:avg|average)\.?_(?=(?:loss|acc|accuracy)$)")


def canonical_name(raw: str) -> str:
    """Map a tool's series name onto fitdoctor's canonical name.

    ``val_acc`` -> ``val_accuracy``, ``train_loss`` -> ``loss``, ``eval_loss`` ->
    ``val_loss``, ``loss/train`` -> ``loss``, ``validation/epoch_loss`` -> ``val_loss``.
    Unknown names pass through normalized (lower case, separators as ``_``).
    """
    name = raw.strip().lower().replace(" ", "_").replace("-", "_")
    # an abbreviation's period ("Valid. Loss", "Accur.") ends the word; a dotted path stays
    name = _ABBREVIATION_DOT.sub("", name)
    glued = GLUED_SPLIT.fullmatch(name)
    if glued is not None:  # "TrainLoss", "ValAcc", "valloss": a split glued to its metric
        name = f"{_GLUED_SHORT.get(glued.group(1), glued.group(1))}_{glued.group(2)}"
    is_val = False
    # Path-like tags: "validation/epoch_loss", "loss/val", "train/loss".
    if "/" in name:
        parts = [p for p in name.split("/") if p]
        kept, groups = [], []
        twin = ""
        for i, p in enumerate(parts):
            # "loss/train_epoch", "acc/val_step": the split with Lightning's twin suffix
            for suffix in ("_epoch", STEP_SUFFIX):
                if p.endswith(suffix) and p[: -len(suffix)] in VAL_SPLITS + TRAIN_SPLITS:
                    p, twin = p[: -len(suffix)], twin or (suffix if suffix == STEP_SUFFIX else "")
                    break
            if p in VAL_SPLITS:
                is_val = True
            elif p in TRAIN_SPLITS:
                continue
            elif p in PATH_GROUPS and i < len(parts) - 1:
                groups.append(p)  # "metrics/val_loss", "charts/train_loss": a dashboard's folder
            else:
                kept.append(p)
        kept = kept or groups  # "losses/val": the folder is the name
        name = ("_".join(kept) if kept else name) + twin
    for suffix in LIST_SUFFIXES:
        if name.endswith(suffix) and name != suffix.lstrip("_"):
            name = name[: -len(suffix)]
            break
    for prefix in VAL_PREFIXES:
        if name.startswith(prefix):
            is_val, name = True, name[len(prefix):]
            break
    for prefix in TRAIN_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    for suffix in VAL_SUFFIXES:
        if name.endswith(suffix):
            is_val, name = True, name[: -len(suffix)]
            break
    step_twin = name.endswith(STEP_SUFFIX) and name != STEP_SUFFIX.lstrip("_")
    if step_twin:
        name = name[: -len(STEP_SUFFIX)]
    for suffix in TRAIN_SUFFIXES:
        if name.endswith(suffix) and name != suffix.lstrip("_"):
            name = name[: -len(suffix)]
            break
    if name.startswith("epoch_") and name != "epoch_":
        name = name[len("epoch_"):]
    # "Test Avg. Loss", "train_average_acc": an epoch average is the epoch's value
    name = _AVERAGE_OF.sub("", name, count=1)
    # "train_loss_nats_per_byte", "loss_per_token": the loss, with the unit it is counted in
    if _LOSS_UNIT.fullmatch(name):
        name = "loss"
    name = METRIC_ALIASES.get(name, name)
    if is_val and name in VAL_MEAN_NAMES:
        # Lightning's documented on_validation_epoch_end idiom logs the mean of what
        # validation_step returned, the loss, as "validation_epoch_average"
        name = "loss"
    if name.startswith("lr_"):  # Lightning's LearningRateMonitor: lr-Adam, lr-SGD/pg1
        name = "lr"
    if name == "lr":
        return "lr"
    if step_twin:
        name += STEP_SUFFIX
    return f"val_{name}" if is_val else name


#: Words that make a score an error whatever else its name says (``brier_score``,
#: torchmetrics' ``MulticlassHammingDistance``).
LOWER_IS_BETTER_WORDS = ("loss", "error", "brier", "mse", "mae", "mape", "wer", "cer", "perplexity", "distance")


#: short names and ranking/image scores, matched as whole words of a name ("val_prec",
#: "ndcg@10", "test_psnr"; a correlation, "Val r", "spearman_rho", "val_corr"): as prefixes they
#: would catch "recon" or "recall_loss"
#: (and ``_SCORE_WORDS`` as words anywhere in a name: "val_pr_auc_cb_ff", a PR-AUC printed with
#: its qualifier, "val PR-AUC (cb+ff)")
HIGHER_IS_BETTER_WORDS = frozenset({"prec", "rec", "ndcg", "mrr", "hit", "hits", "psnr", "ssim", "top1", "prc",
                                    "mcc", "cindex", "r", "rho", "corr", *_SCORE_WORDS,
                                    # detection's average precision ("val_AP", "AP50", "bbox_ap75")
                                    "ap", "ap50", "ap75",
                                    # reinforcement learning: an episode's reward or return
                                    # ("val/reward", "ep_rew_mean", "mean_return") is maximised
                                    "reward", "rewards", "rew", "return", "returns",
                                    # speech enhancement and separation: SI-SDR, PESQ, STOI, SNR
                                    "sdr", "pesq", "stoi", "snr",
                                    # image quality assessment: rank and linear correlation with
                                    # the mean opinion score (pyiqa's srcc, plcc, krcc)
                                    "srcc", "plcc", "krcc",
                                    # a Pearson or Spearman correlation coefficient, one per
                                    # epoch ("val_pccs" in spatial transcriptomics, regression)
                                    "pcc", "pccs", "scc", "corrs"})


#: scores whose root is distinctive enough to be found anywhere in a name (so none is also a
#: word above): torchmetrics logs a metric under its class name (``val_MulticlassJaccardIndex``,
#: ``val_BinaryAUROC``, ``val_MulticlassMatthewsCorrCoef``), tf.keras snake-cases its classes
#: (``val_mean_io_u``); read as a loss, a rising IoU made a run look as if its best was its
#: first evaluation
HIGHER_IS_BETTER_ROOTS = ("accuracy", "jaccard", "auroc", "auprc", "matthews", "kappa", "specificity",
                          "sensitivity", "corrcoef", "pearson", "spearman", "similarity", "signalnoiseratio",
                          "explainedvariance", "explained_variance", "exactmatch", "exact_match", "concordance",
                          "io_u", "c_index", "averageprecision", "average_precision", "fbeta", "f1score")


#: generative models' distances to the real images, and a label error rate (TIMIT's "LER"), as
#: whole words ("fid50k_full", "val_kid", "fvd"; not the "fid" inside "confidence")
_LOWER_IS_BETTER_SCORES = re.compile(r"(?<![a-z])(?:fid|kid|fvd|ler)(?![a-z])")


def _says_lower(base: str) -> bool:
    """A name word that makes lower better (``loss``, ``mae``, ``perplexity``, ``fid``)."""
    low = base.lower()
    return any(w in low for w in LOWER_IS_BETTER_WORDS) or _LOWER_IS_BETTER_SCORES.search(low) is not None


def higher_is_better(name: str) -> bool:
    base = name[4:] if name.startswith("val_") else name
    if _says_lower(base):
        return False
    if any(k in HIGHER_IS_BETTER_WORDS for k in re.split(r"[^a-z0-9]+", base.lower())):
        return True
    if any(k in base.lower() for k in HIGHER_IS_BETTER_ROOTS):
        return True
    return any(base == k or base.startswith(k) or base.endswith(k) for k in HIGHER_IS_BETTER)


def direction_known(name: str) -> bool:
    """Whether the name says which way is better (``accuracy``, ``val_mae``), unlike a bare
    ``ccr`` or ``ted`` a reader cannot tell from a loss."""
    return higher_is_better(name) or _says_lower(name[4:] if name.startswith("val_") else name)


@dataclass
class Series:
    """One named curve: ``values[i]`` measured at ``steps[i]`` (epoch or step)."""

    steps: np.ndarray
    values: np.ndarray
    raw_name: str = ""
    axis: str = "epoch"  # "epoch" or "step"

    def __post_init__(self) -> None:
        self.steps = np.asarray(self.steps, dtype=float)
        self.values = np.asarray(self.values, dtype=float)
        if self.steps.shape != self.values.shape or self.steps.ndim != 1:
            raise BadInput(
                f"series {self.raw_name or '?'!r}: steps and values must be 1-D and the same "
                f"length, got {self.steps.shape} and {self.values.shape}"
            )
        if len(self.steps) > 1 and np.any(np.diff(self.steps) < 0):
            order = np.argsort(self.steps, kind="stable")
            self.steps, self.values = self.steps[order], self.values[order]

    def __len__(self) -> int:
        return len(self.values)

    @property
    def n_nonfinite(self) -> int:
        return int(np.count_nonzero(~np.isfinite(self.values)))

    def __repr__(self) -> str:
        """One line: name, length, span and the values that matter (never the arrays)."""
        name = f"{self.raw_name!r}, " if self.raw_name else ""
        if not len(self):
            return f"Series({name}empty, {self.axis})"
        fin = self.values[np.isfinite(self.values)]
        vals = f", first {_short_num(self.values[0])}, last {_short_num(self.values[-1])}"
        if fin.size:
            vals += f", min {_short_num(fin.min())}, max {_short_num(fin.max())}"
        bad = f", {self.n_nonfinite} non-finite" if self.n_nonfinite else ""
        return (f"Series({name}{len(self)} points, {self.axis}s {_short_num(self.steps[0])}-"
                f"{_short_num(self.steps[-1])}{vals}{bad})")


def _drop_repeats(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The series without a point that repeats the one before it at the same step with the
    same value: Hugging Face's ``trainer.evaluate()`` after ``train()`` logs the final
    evaluation again (three identical records at the last step), which is one evaluation,
    not a flat stretch of three."""
    if xs.ndim != 1 or ys.ndim != 1 or xs.size != ys.size or xs.size < 2:
        return xs, ys, 0
    try:
        same = (xs[1:] == xs[:-1]) & ((ys[1:] == ys[:-1]) | (np.isnan(ys[1:]) & np.isnan(ys[:-1])))
    except TypeError:
        return xs, ys, 0
    if not same.any():
        return xs, ys, 0
    keep = np.concatenate([[True], ~same])
    return xs[keep], ys[keep], int(same.sum())


@dataclass
class RunHistory:
    """Named series of one training run plus what is known about it.

    ``meta`` keys used by the rules: ``source`` (path), ``format``, ``run`` (name of
    the run inside a multi-run path), ``task`` (binary|multiclass|regression),
    ``n_classes``, ``class_prior`` (list of class shares), ``notes`` (what the
    reader skipped and why), ``dropout`` (float, when known).
    """

    series: dict[str, Series] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    # ----------------------------------------------------------------- building
    def add(self, name: str, steps: Iterable[float], values: Iterable[float], *,
            raw_name: str | None = None, axis: str = "epoch") -> None:
        """Add a series under its canonical name (a later duplicate gets a suffix).

        ``test_*`` is read as validation when it is all a run has (hand loops log
        ``train_loss,test_loss``), but a run that logs both keeps ``val_*`` for the
        validation split and moves the test series to ``test_*``: a one-point test score
        must never displace the validation curve (Lightning writes ``test_loss`` first).
        """
        raw = raw_name if raw_name is not None else name
        held = self.series.get(name)
        if held is not None and name.startswith("val_") and is_test_split(raw) != is_test_split(held.raw_name):
            test_name = "test_" + name[len("val_"):]
            if is_test_split(raw):
                name = test_name
            else:
                del self.series[name]
                self.add(test_name, held.steps, held.values, raw_name=held.raw_name, axis=held.axis)
        key = name
        i = 2
        while key in self.series:
            key = f"{name}#{i}"
            i += 1
        xs = np.asarray(list(steps) if not isinstance(steps, np.ndarray) else steps)
        ys = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
        xs, ys, repeats = _drop_repeats(xs, ys)
        if repeats:
            self._note_repeats(raw, axis)
        self.series[key] = Series(xs, ys, raw_name=raw, axis=axis)

    def _note_repeats(self, raw: str, axis: str) -> None:
        """One note for every series that had repeated points (see :func:`_drop_repeats`)."""
        names = self.meta.setdefault("repeated_points", [])
        notes = self.meta.setdefault("notes", [])
        head = "points logged again at the same "
        notes[:] = [n for n in notes if not n.startswith(head)]
        names.append(raw)
        which = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.note(f"{head}{axis} with the same value (an evaluation repeated after training) read once: {which}")

    def note(self, message: str) -> None:
        notes = self.meta.setdefault("notes", [])
        if message not in notes:  # diagnosing a run twice must not say the same thing twice
            notes.append(message)

    def append(self, step: float, logs: Mapping[str, Any], *, axis: str | None = None,
               raw: bool = False) -> None:
        """Add one point per logged value at ``step`` (what a live callback sees after an epoch
        or a step). Names are canonicalized as readers do (``acc`` -> ``accuracy``) unless
        ``raw`` (probe series such as ``grad_norm/<layer>`` keep their names); values that
        are not numbers are skipped; a series appears when first logged (validation every N
        steps arrives sparse). Steps must not go backwards within a series."""
        ax = axis or self.meta.get("axis") or "epoch"
        self.meta.setdefault("axis", ax)
        keep_names = raw
        for raw, value in logs.items():
            if value is None:
                continue
            try:
                v = _to_float(value)
            except (TypeError, ValueError):
                continue
            name = str(raw) if keep_names else canonical_name(str(raw))
            held = self.series.get(name)
            if held is None:
                self.series[name] = Series(np.asarray([float(step)]), np.asarray([float(v)]),
                                           raw_name=str(raw), axis=ax)
                continue
            if held.steps.size and float(step) < held.steps[-1]:
                raise BadInput(f"{raw}: step {step} comes before step {held.steps[-1]:g} already logged; "
                               "expected steps that never go backwards")
            if held.steps.size and float(step) == held.steps[-1]:
                held.values[-1] = float(v)  # logged twice at one step: the later value wins
                continue
            held.steps = np.append(held.steps, float(step))
            held.values = np.append(held.values, float(v))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>",
                  fmt: str = "dict") -> "RunHistory":
        """Build from a dict of equal-length lists (Keras ``History.history``).

        Each list is indexed by epoch 0..n-1; names are canonicalized.
        """
        if hasattr(data, "history") and isinstance(getattr(data, "history"), Mapping):
            data = data.history  # a Keras History object
        if not isinstance(data, Mapping):
            raise BadInput(f"expected a dict of lists (name -> values per epoch), got {type(data).__name__}")
        h = cls(meta={"source": source, "format": fmt})
        for raw, values in data.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                if isinstance(values, (int, float)):
                    continue  # scalar summaries (e.g. "epochs": 50) are not curves
                h.note(f"ignored {raw!r}: not a list of numbers")
                continue
            try:
                arr = np.asarray([_to_float(v) for v in values], dtype=float)
            except (TypeError, ValueError):
                h.note(f"ignored {raw!r}: not a list of numbers")
                continue
            if arr.size == 0:
                continue
            h.add(canonical_name(str(raw)), np.arange(arr.size, dtype=float), arr, raw_name=str(raw))
        return h

    # ----------------------------------------------------------------- access
    def get(self, name: str) -> Series | None:
        return self.series.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.series

    @property
    def names(self) -> list[str]:
        return list(self.series)

    @property
    def train_loss(self) -> Series | None:
        return self.series.get("loss")

    @property
    def val_loss(self) -> Series | None:
        return self.series.get("val_loss")

    def metric_pairs(self) -> list[tuple[str, Series | None, Series | None]]:
        """(metric name, train series, val series) for every metric besides loss and lr."""
        out = []
        seen = set()
        for name in self.series:
            base = name.split("#")[0]
            base = base[4:] if base.startswith("val_") else base
            if base in ("loss", "lr") or base in seen or "/" in base or base.endswith(STEP_SUFFIX) \
                    or base.startswith("test_"):
                continue
            seen.add(base)
            out.append((base, self.series.get(base), self.series.get("val_" + base)))
        return out

    @property
    def axis(self) -> str:
        for key in ("loss", "val_loss"):
            if key in self.series:
                return self.series[key].axis
        return next(iter(self.series.values())).axis if self.series else "epoch"

    @property
    def unit(self) -> str:
        """What one point of the run is, for a reader: its axis (epoch, step), unless the log
        counts something else per point. An RL loop that logs one line per episode with an
        ``episode`` counter is read on the epoch axis, but its points are episodes."""
        unit = self.meta.get("unit")
        if isinstance(unit, str) and unit:
            return unit
        if self.axis == "epoch" and any(is_counter(n, s) for n, s in self.series.items()
                                        if n in ("episode", "episodes")):
            return "episode"
        return self.axis

    @property
    def n_points(self) -> int:
        """Points on the run's own axis: probe series sampled on steps beside an epoch log
        (the built-in trainer's) do not make 20 epochs read as 31."""
        axis = self.axis
        return max((len(s) for s in self.series.values() if s.axis == axis),
                   default=max((len(s) for s in self.series.values()), default=0))

    @property
    def is_curve(self) -> bool:
        """Two or more points, or a value that is not finite: something to judge. One value alone
        is a summary (a test score, a stray row of an aborted start), not a training curve."""
        return self.n_points >= 2 or any(s.n_nonfinite for s in self.series.values())

    def __repr__(self) -> str:
        """One line a person can read: which run, which format, how long, which series."""
        names = list(self.series)
        shown = ", ".join(names[:8]) + (f", ... ({len(names)} series)" if len(names) > 8 else "")
        fmt = self.meta.get("format")
        return (f"RunHistory({self.name!r}{', ' + str(fmt) if fmt else ''}, {self.n_points} "
                f"{self.axis}s, series=[{shown}])")

    @property
    def name(self) -> str:
        return str(self.meta.get("run") or self.meta.get("source") or "run")

    def per_epoch(self) -> "RunHistory":
        """The run summarized per epoch: step series averaged within each epoch.

        Needs ``meta['steps_per_epoch']`` (Hugging Face and Lightning readers record it);
        epoch-axis series are kept as they are. A step log of 50k points becomes a short
        per-epoch curve a practitioner reads at a glance.
        """
        spe = self.meta.get("steps_per_epoch")
        if not spe or float(spe) <= 0:
            raise BadInput(f"{self.name}: steps per epoch unknown; cannot summarize per epoch")
        out = RunHistory(meta={**self.meta, "summarized_from": "step"})
        for name, s in self.series.items():
            if s.axis != "step" or len(s) == 0:
                out.series[name] = s
                continue
            epoch = np.ceil(s.steps / float(spe) - 1e-9)  # step k*spe closes epoch k
            keys, inverse = np.unique(epoch, return_inverse=True)
            means, _ = _group_means(inverse, s.values, keys.size)
            out.series[name] = Series(keys, means, raw_name=s.raw_name, axis="epoch")
        return out

    def before(self, x: float) -> "RunHistory":
        """The run up to (not including) axis position ``x``: every series cut there. For the
        curve rules of a run whose train loss went NaN at ``x``: the weights are gone from
        there on, and a val accuracy collapsing to 1/K after it is the NaN, not overfitting."""
        out = RunHistory(meta=dict(self.meta))
        for name, s in self.series.items():
            keep = s.steps < x
            if keep.any():
                out.series[name] = Series(s.steps[keep], s.values[keep], raw_name=s.raw_name, axis=s.axis)
        return out

    def placeholder_losses(self) -> list[str]:
        """Loss series that are exactly 0 at every point, 3 or more: a loss the script prints but
        never computes (``test_loss: 0.00000`` each epoch, a term switched off). No model scores
        exactly 0 on every evaluation from its first; judged, such a series reads as a validation
        that never improved."""
        return [name for name, s in self.series.items()
                if "loss" in name.lower() and len(s) >= 3 and bool(np.all(s.values == 0))]

    def without(self, names: Iterable[str]) -> "RunHistory":
        """The run without the series ``names`` (the same meta, notes included)."""
        drop = set(names)
        out = RunHistory(meta=self.meta)
        out.series = {name: s for name, s in self.series.items() if name not in drop}
        return out

    def first_nonfinite_train_loss(self) -> float | None:
        """Where the train loss first went NaN or inf after at least two finite values, or None."""
        s = self.series.get("loss")
        if s is None or len(s) < 3:
            return None
        bad = np.flatnonzero(~np.isfinite(s.values))
        if bad.size == 0 or bad[0] < 2:
            return None
        return float(s.steps[bad[0]])

    def per_evaluation(self) -> "RunHistory | None":
        """Train-side step series averaged over each interval between evaluations, or None.

        A step log puts hundreds of noisy minibatch losses beside a few validation points;
        the curve rules compare train with val and judge noise, so they should see the
        train loss the way the evaluation cadence sees it (what an epoch-level log shows),
        not minibatch noise. The axis is kept, so spans still point at real steps or epochs.
        None when there is nothing to align (no validation curve, or train is logged
        about as often as validation).
        """
        val = next((s for n, s in self.series.items() if n == "val_loss"), None) \
            or next((s for n, s in self.series.items() if n.startswith("val_") and len(s)), None)
        if val is None or len(val) < 3:
            return None
        evals = val.steps[np.isfinite(val.steps)]
        out = RunHistory(meta={**self.meta, "aligned_to_evaluations": True, "first_logged": {}, "last_logged": {}})
        aligned = False
        for name, s in self.series.items():
            # same axis, and logged at least twice per evaluation (an epoch log with fractional
            # epochs, "Train Epoch: 3 [640/60000]", is a step log too)
            if name.startswith("val_") or s.axis != val.axis or len(s) < 2 * len(evals):
                out.series[name] = s
                continue
            idx = np.searchsorted(evals, s.steps, side="left")  # interval (e_{k-1}, e_k] -> k
            keep = idx < evals.size  # train steps after the last evaluation are not compared
            if name == "lr":  # the lr in force at each evaluation
                pos = np.searchsorted(s.steps, evals, side="right") - 1
                ok = pos >= 0
                out.series[name] = Series(evals[ok], s.values[pos[ok]], raw_name=s.raw_name, axis=s.axis)
                continue
            means, has = _group_means(idx[keep], s.values[keep], evals.size)
            out.series[name] = Series(evals[has], means[has], raw_name=s.raw_name, axis=s.axis)
            # the first logged value: a window mean hides a fall inside the first window
            finite = s.values[np.isfinite(s.values)]
            if finite.size:
                out.meta["first_logged"][name] = float(finite[0])
                out.meta["last_logged"][name] = float(finite[-1])  # what a message quotes as "the last"
            aligned = True
        return out if aligned else None

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description of how each series was read (``--show-series``)."""
        return {
            "source": self.meta.get("source"),
            "run": self.meta.get("run"),
            "format": self.meta.get("format"),
            "axis": self.axis,
            "series": [
                {
                    "name": name,
                    "raw_name": s.raw_name,
                    "role": series_role(name, s),
                    "axis": s.axis,
                    "length": len(s),
                    "first_step": float(s.steps[0]) if len(s) else None,
                    "last_step": float(s.steps[-1]) if len(s) else None,
                    "last": _json_float(s.values[-1]) if len(s) else None,
                    "non_finite": s.n_nonfinite,
                }
                for name, s in self.series.items()
            ],
            "notes": list(self.meta.get("notes", [])),
        }


#: names a loop gives the count it is at (an RL loop's episode and frame, a trainer's step):
#: logged beside the curves as columns, they count, they do not measure
COUNTER_NAMES = frozenset({
    "episode", "episodes", "frame", "frames", "timestep", "timesteps", "total_timesteps", "num_timesteps",
    "step", "steps", "global_step", "total_steps", "iteration", "iterations", "iter", "epoch", "epochs",
    "update", "updates", "n_updates", "samples", "num_samples", "n_samples", "total_samples"})


def is_counter(name: str, s: Series) -> bool:
    """A series named as a count (:data:`COUNTER_NAMES`) whose values never fall: a column
    that says where the loop was, which a report should not draw as a curve beside the return
    or the loss it sits next to."""
    if name.split("#")[0].lower() not in COUNTER_NAMES:
        return False
    fin = s.values[np.isfinite(s.values)]
    return fin.size >= 2 and bool(np.all(np.diff(fin) >= 0))


def series_role(name: str, s: Series | None = None) -> str:
    """What a series is to a reader of ``--show-series``: a loss, a metric, a probe, or (given
    the series itself) a counter."""
    base = name.split("#")[0]
    if s is not None and is_counter(name, s):
        return "counter"
    if base == "loss":
        return "train loss"
    if base == "val_loss":
        return "val loss"
    if base == "lr":
        return "learning rate"
    if base.startswith("grad_norm") or base.startswith("dead_fraction") or "/" in base:
        return "probe"
    if base.startswith("val_"):
        return "val metric"
    if base.startswith("test_"):
        return "test metric"
    return "train metric"


def _group_means(groups: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean of ``values`` in each of ``n`` groups, which groups have any) for group indices
    0..n-1: the shared step of summarizing per epoch and per evaluation interval."""
    sums = np.zeros(n)
    counts = np.zeros(n)
    np.add.at(sums, groups, values)
    np.add.at(counts, groups, 1)
    return sums / np.maximum(counts, 1), counts > 0


#: where a run's meta says how far it got of the length it was planned for, per axis: the
#: Trainer's ``global_step`` of ``max_steps``, Keras's last "Epoch 12/50" header
PROGRESS_KEYS = {"step": ("global_step", "max_steps"), "epoch": ("epochs_done", "planned_epochs")}


def planned_progress(meta: Mapping[str, Any], axis: str) -> tuple[float, float] | None:
    """``(done, planned)`` on ``axis`` ("step" or "epoch") when the run's meta says both, as
    finite numbers with a planned length above 0; else None."""
    done, planned = (meta.get(k) for k in PROGRESS_KEYS[axis])
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (done, planned)):
        return None
    return (float(done), float(planned)) if planned > 0 else None


def is_test_split(raw: str) -> bool:
    """Whether a raw series name marks the held-out test split (``test_loss``, ``loss/test``)."""
    parts = [p for p in re.split(r"[/_\s\-.]+", raw.strip().lower()) if p]
    return "test" in parts and not any(p in ("val", "valid", "validation", "eval", "dev") for p in parts)


def _to_float(v: Any) -> float:
    if v is None:
        return float("nan")
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("", "na", "nan", "none", "null"):
            return float("nan")
        return float(s)
    return float(v)


def _short_num(x: float) -> str:
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _json_float(x: float) -> float | str:
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def keep_curves(runs: list[RunHistory], why_left_out: Callable[[list[RunHistory]], str]) -> list[RunHistory]:
    """The runs that are curves (:attr:`RunHistory.is_curve`), without the single-value runs
    beside them, noted on the first curve with ``why_left_out(dropped)``. Kept, a single value
    would stop the whole file with "only one epoch"; a file with nothing else keeps them all,
    so the error says what was found."""
    curves = [h for h in runs if h.is_curve]
    if not curves or len(curves) == len(runs):
        return runs
    curves[0].note(why_left_out([h for h in runs if not h.is_curve]))
    return curves
