"""Facts about a curve that several rules share: its trend at the end, its noise, whether it moved."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, chosen_curve, head_level, make_curve, tail_level
from fitdoctor.diagnose.chance import accuracy_learned, auc_learned, clear_of_guessing, guessing_rate
from fitdoctor.diagnose.curves.messages import negated
from fitdoctor.history import Series, direction_known, planned_progress


def tail_trend(c: Curve, frac: float) -> tuple[float, float, float]:
    """(slope, z, span) over the last ``frac`` of a curve."""
    x, y = c.tail(frac, min_points=min(4, c.n))
    slope, z = stats.trend(x, y, tail_noise(c))
    return slope, z, float(x[-1] - x[0]) if x.size else 0.0

def tail_noise(c: Curve) -> float:
    """The noise that matters for a trend at the end: the second half's own, when it is smaller
    than the whole curve's (a steep curved start inflates second differences that say nothing
    about how noisy the settled part is)."""
    half = c.y[c.n // 2:]
    if half.size < 5:
        return c.sigma
    own = stats.noise_scale(half)
    return min(c.sigma, own) if own > 0 else c.sigma

def lower_better(c: Curve) -> Curve:
    """The same curve with higher-is-better metrics negated, so 'lower is better' holds."""
    if not c.higher_better:
        return c
    return Curve(c.name, c.raw_name, c.x, -c.y, c.sigma, c.n_raw, c.axis, False, c.first_nonfinite,
                 (c.logged[0], -c.logged[1]) if c.logged is not None else None)

def val_curve(ctx: Context) -> Curve | None:
    """Validation loss if logged, else the validation metric (as lower-is-better)."""
    if ctx.val_loss is not None and ctx.val_loss.n >= 2:
        return ctx.val_loss
    if ctx.val_metric is not None and ctx.val_metric.n >= 2 and direction_known(ctx.val_metric.name):
        # the same object on every call: rules ask "is P the validation curve?" by identity, and a
        # fresh negated copy each time read a val accuracy standing alone as a train curve
        cached = ctx.facts.get("val_curve")
        if cached is None or cached[0] is not ctx.val_metric:
            cached = ctx.facts["val_curve"] = (ctx.val_metric, lower_better(ctx.val_metric))
        return cached[1]
    return None

def train_curve(ctx: Context) -> Curve | None:
    if ctx.loss is not None and ctx.loss.n >= 2:
        return ctx.loss
    if ctx.metric is not None and ctx.metric.n >= 2 and direction_known(ctx.metric.name):
        return lower_better(ctx.metric)  # a metric that says which way is better stands in
    return None

def drop(c: Curve) -> float:
    """How far the (smoothed) curve came down from its start to its best."""
    s = c.smoothed()
    return float(head_level(c) - np.min(s))

def noise(c: Curve) -> float:
    return max(c.sigma, 1e-12)


def jumps_over_recent(T: Curve, ratio: float, sigmas: float, first: int) -> list[tuple[int, float]]:
    """``(index, level before)`` of each point from index ``first`` on that is at least ``ratio``
    times the median of the five points before it (that level, above 0) and ``sigmas`` of the
    curve's noise above it: a train loss thrown up by a step too big for the loss surface. Both
    the val rise that starts at such a spike (``overfitting`` leaves it to ``lr_too_high``) and
    ``lr_too_high``'s repeated jumps are judged on this one test."""
    y = T.y
    out = []
    for i in range(first, T.n):
        prior = float(np.median(y[max(0, i - 5):i]))
        if prior > 0 and y[i] >= ratio * prior and y[i] - prior >= sigmas * noise(T):
            out.append((i, prior))
    return out


def print_step(y: Any) -> float | None:
    """The decimal step a log printed these values on (1e-4 for ``0.0012``, 1 for a column of
    ``0.0``), or None when they carry more digits than a log prints (full float precision). A
    value repeated to the last printed digit is frozen only if that digit is fine enough to
    show a move: ``0.0001`` over and over is a loss too small for four decimals, not weights
    that stopped."""
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    if y.size == 0:
        return None
    for d in range(10):
        q = 10.0 ** -d
        if np.all(np.abs(y / q - np.round(y / q)) < 1e-6):
            return q
    return None

def dropout_hint(ctx: Context) -> float | None:
    d = ctx.history.meta.get("dropout")
    if d is None:
        hp = ctx.history.meta.get("hparams") or {}
        for k in ("dropout", "dropout_rate", "hidden_dropout_prob"):
            if k in hp:
                d = hp[k]
                break
    try:
        return float(d) if d is not None else None
    except (TypeError, ValueError):
        return None

#: settings that make the train loss a loss on harder targets than validation's: mixed
#: images (mixup, cutmix), smoothed labels, a teacher's answers mixed in (distillation)
_HARDER_TARGETS = (("mixup", "mixup"), ("mixup_alpha", "mixup"), ("cutmix", "cutmix"), ("cutmix_alpha", "cutmix"),
                   ("smoothing", "label smoothing"), ("label_smoothing", "label smoothing"),
                   ("label_smoothing_factor", "label smoothing"), ("distillation_type", "distillation"))


#: a train loss part named for distillation ("loss_kd", "kd_loss", "distill_loss"): the train loss
#: holds a term matching a teacher's soft answers, which validation's loss does not
_DISTILL_TERM = re.compile(r"(?:^|_)(?:kd|distill\w*)(?:_|$)", re.I)


def harder_train_targets(ctx: Context) -> str | None:
    """What the run's own settings (``meta["hparams"]``: Lightning's hparams.yaml, a printed
    argparse namespace) say makes its train loss higher than validation's by design, as text
    ("mixup 0.8, cutmix 1.0, label smoothing 0.1"), or None."""
    hp = ctx.history.meta.get("hparams") or {}
    said: dict[str, str] = {}
    for key, what in _HARDER_TARGETS:
        v = hp.get(key)
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, (int, float)) and v > 0:
            said.setdefault(what, f"{what} {v:g}")
        elif isinstance(v, str) and what == "distillation" and v.lower() not in ("none", "", "false"):
            said.setdefault(what, f"distillation ({v})")
    if "distillation" not in said:
        term = next((name for name in ctx.history.series if _DISTILL_TERM.search(name)), None)
        if term is not None:
            said["distillation"] = f"distillation (a {term} term in the train loss)"
    return ", ".join(said.values()) or None


def still_moving(c: Curve, ctx: Context) -> bool:
    """Falling beyond noise over the tail *and* by an amount that matters (a smooth curve
    creeping down by 0.1% is settled, however significant statistically)."""
    slope, z, span = tail_trend(c, ctx.th.tail_frac)
    settled_share = ctx.th.still_moving_min_share
    if not (z < -ctx.th.z_trend and material_fall(c, -slope * span, ctx, min_share=settled_share)):
        return False
    _, z_end, _ = tail_trend(c, ctx.th.tail_frac / 2)
    return z_end < -ctx.th.z_trend  # and has not levelled off (or turned) in the last few points

def material_fall(c: Curve, tail_drop: float, ctx: Context, train_only: bool = False,
                  min_share: float | None = None) -> bool:
    """A fall over the tail that matters: a share of the run's whole progress, or of the level
    the curve ends at (a short run still falling 5% an epoch has not converged, however far
    it fell in its first epochs). ``train_only`` (no validation logged): the share of the
    progress only; a train loss creeps down by a few percent of its level long after a run
    has converged, since a model can always fit its training rows a little closer."""
    total = drop(c)
    if total <= 0 or tail_drop <= 0:
        return False
    level = max(abs(tail_level(c, 0.15)), 1e-12)
    share, rel = tail_drop / total, tail_drop / level
    min_share = ctx.th.still_improving_min_share if min_share is None else min_share
    by_share = share >= min_share and rel >= 0.01
    if train_only:
        return by_share or rel >= ctx.th.still_improving_train_rel
    return by_share or (rel >= ctx.th.still_improving_min_rel and share >= 0.01)

def half_slopes(c: Curve) -> tuple[float, float]:
    """The robust (Theil-Sen) slopes of the curve's first and second halves (sharing the middle
    point): a straight line has them about equal; a curve speeding up, the second steeper."""
    half = c.n // 2
    return (stats.theil_sen(c.x[: half + 1], c.y[: half + 1]), stats.theil_sen(c.x[half:], c.y[half:]))


def best_before_tail(c: Curve, ctx: Context) -> bool:
    """The curve's best point lies before its tail (the last ``tail_frac``, at least 2 points)."""
    return c.best_index() < c.n - max(2, int(math.ceil(ctx.th.tail_frac * c.n)))

def val_gain(V: Curve) -> tuple[float, float, float]:
    """(first value, best value after light smoothing, gain): how far validation ever improved."""
    v0 = float(V.y[0])
    best = float(np.min(stats.smooth(V.y, 3)))
    return v0, best, v0 - best

def val_improved(V: Curve, ctx: Context | None = None) -> bool:
    """Validation improved beyond its noise, or by a large share of where it started, or
    it was already well below the learned-nothing level at its first point (it improved
    during the first epoch, before anything was logged), or its accuracy got well clear of
    guessing, or the metric the run selects on (WER, F1) improved (a val loss that rises from
    the first evaluation can still sit on a model that learned: it grows over-confident on the
    examples it gets wrong)."""
    v0, _, gain = val_gain(V)
    if ctx is not None and (accuracy_learned(ctx) or chosen_metric_improved(ctx) or val_accuracy_rose(ctx)
                            or auc_learned(ctx)):
        return True
    if ctx is not None and ctx.chance_loss and not V.higher_better and v0 < 0.8 * ctx.chance_loss:
        return True
    ref = min(abs(v0), headroom(V, v0))
    # or a good share of the way down to the level the train loss reached (a loss with a high
    # floor of its own: 2% of an LM's 3.18 nats can be a third of the way to where train got)
    return gain > max(2 * noise(V), 0.05 * ref) or gain > 0.15 * ref \
        or gain > max(2 * noise(V), 0.15 * train_floor_headroom(V, v0, ctx)) or followed_train(V, ctx)


def followed_train(V: Curve, ctx: Context | None) -> bool:
    """The val loss fell with the train loss at first: from its first evaluation to its best, far
    beyond its noise (``val_follow_noise`` times) and by at least ``val_follow_share`` of what the
    train loss fell over the same evaluations. A large-vocabulary model's 6.16 -> 5.88 is 5% of
    a high floor, but a third of train's 6.28 -> 5.17 at the same time: what it learned carried
    to unseen data, then stopped carrying (overfitting, not a validation set it never learns).
    Train must have fallen 5% of its level by then: a model at the prior drifts 2% under ln 2
    on both curves."""
    if ctx is None or V is not ctx.val_loss or ctx.loss is None or ctx.loss.n < 3 or V.n < 4:
        return False
    sv = stats.smooth(V.y, 3)
    b = int(np.argmin(sv))
    gain = float(V.y[0] - sv[b])
    if b == 0 or gain <= ctx.th.val_follow_noise * noise(V):
        return False
    t_on_v = ctx.train_on(V.x)
    t_fall = float(t_on_v[0] - t_on_v[b])
    return t_fall >= 0.05 * abs(float(t_on_v[0])) and gain >= ctx.th.val_follow_share * t_fall


def train_floor_headroom(V: Curve, v0: float, ctx: Context | None) -> float:
    """How far a val loss starting at ``v0`` is above the lowest the train loss reached: the level
    the model is shown to reach, where a loss has a high floor of its own (a language model's
    3.1 nats, never near 0). A fall from 3.178 to 3.117 is 2% of the level and a third of the
    way to the train loss's 2.998: a gain. Infinite (no bound) without a train loss below v0, or
    one that barely fell itself (a model at the prior: the train loss 2% under ln 2 is no level
    reached, and would make any wiggle of val a gain)."""
    T = ctx.loss if ctx is not None else None
    if T is None or T.n < 3 or V is not ctx.val_loss:
        return math.inf
    low, start = float(np.min(T.smoothed())), head_level(T)
    if low >= v0 or start - low < 0.05 * abs(start):
        return math.inf
    return v0 - low

def percent_scale(values: Any) -> float:
    """What a score is out of: 100 when any value is above 1 (logged in percent, ``Val Acc:
    85.20``), else 1 (a fraction). Divide by it to judge a score as a fraction."""
    return 100.0 if float(np.max(values)) > 1.0 else 1.0


def headroom(c: Curve, v: float) -> float:
    """How far ``v`` (a value of ``c``) lies from the best value ``c`` can take: for a loss its
    own size (a loss is at best 0), for a score logged as a fraction (mAP, F1, accuracy in
    [0, 1]) the distance to a perfect 1. A share of the way to perfect is what a gain in a score
    means: mAP 0.909 -> 0.940 is 3% of where it started and a third of what was left to gain."""
    if negated(c):  # a score kept negated
        logged = -c.y
        if logged.size and float(np.min(logged)) >= 0.0 and float(np.max(logged)) <= 1.0:
            return max(1.0 + v, 0.0)
    return abs(v)

def val_accuracy_rose(ctx: Context) -> bool:
    """The val accuracy rose from its first evaluation, beyond its noise and by a tenth of the way
    it had left to perfect, to ``risen_accuracy_share`` of the way from guessing to perfect
    (three evaluations' rolling median, so one lucky evaluation does not count): validation got
    better, though on a hard many-class task it may stay short of the level
    :func:`accuracy_learned` asks of a level alone (a 6-class EEG model's 0.14 -> 0.41, while its
    val loss climbs from its first evaluations as it grows sure of its mistakes). A climb near
    guessing (0.43 -> 0.50, 0.49 -> 0.55 on a binary task whose validation labels the model
    cannot learn) is no improvement."""
    A = ctx.val_metric if ctx.metric_name == "accuracy" else None
    if A is None or A.n < 4:
        return False
    top = percent_scale(A.y)
    first, best, sigma = float(A.y[0]) / top, float(np.max(stats.smooth(A.y, 3))) / top, noise(A) / top
    return best - first > max(2 * sigma, 0.1 * (1.0 - first)) \
        and clear_of_guessing(best, guessing_rate(ctx), ctx, share=ctx.th.risen_accuracy_share)


def chosen_metric_improved(ctx: Context) -> bool:
    """The validation metric the user selects checkpoints on (Hugging Face's
    metric_for_best_model: WER, F1, ...) improved beyond its noise and by 2%: then val loss
    alone cannot say that validation never got better."""
    c = chosen_curve(ctx)
    if c is None or c.n < 3 or c.name in ("val_loss", "loss"):
        return False
    c = lower_better(c)
    gain = float(c.y[0]) - float(np.min(stats.smooth(c.y, 3)))
    return gain > max(2 * noise(c), 0.02 * abs(float(c.y[0])))


#: points closer than this share of an epoch are batches inside it, not evaluations
BATCH_SPACING = 1 / 3
#: a curve of batches is judged at the epoch cadence when it spans at least this many epochs
MIN_EPOCHS_JUDGED = 8


def batches_inside_epochs(c: Curve) -> bool:
    """The curve's points are batches inside epochs, on an epoch axis at fractions of one
    ("Epoch 1/2, step 10/542, loss = 0.0296": 54 points an epoch): their swings are minibatch
    noise, which LABELS.md does not call oscillation ("judge at the evaluation cadence")."""
    x = c.logged[0] if c.logged is not None else c.x
    return c.axis == "epoch" and x.size >= 8 and float(np.median(np.diff(x))) < BATCH_SPACING


def at_epoch_cadence(c: Curve) -> Curve | None:
    """A curve of batches inside epochs (:func:`batches_inside_epochs`) as one mean per epoch,
    the cadence LABELS.md judges swings at (a DCGAN's 4 losses an epoch over 100 epochs); None
    when it spans fewer than ``MIN_EPOCHS_JUDGED`` epochs, where no swing can be judged."""
    epoch = np.ceil(c.x - 1e-9)
    groups = np.unique(epoch)
    if groups.size < MIN_EPOCHS_JUDGED:
        return None
    means = np.array([float(np.mean(c.y[epoch == g])) for g in groups])
    return make_curve(c.name, Series(groups, means, raw_name=c.raw_name, axis="epoch"))


def sparse_train(ctx: Context, T: Curve) -> bool:
    """The train loss is a sparse sample of single-batch values (Lightning's step loss every
    ``log_every_n_steps``: fewer points than evaluations, or than epochs, a point every 2 or 3
    epochs of a short epoch): its point-to-point noise is minibatch noise, not a learning rate
    jumping out of its minimum. An epoch's mean is logged at every epoch."""
    if T is not ctx.loss:
        return False
    V = ctx.val_loss
    if V is not None and T.n * 2 <= V.n:
        return True
    x = T.logged[0] if T.logged is not None else T.x
    return T.axis == "epoch" and x.size >= 6 and float(np.median(np.diff(x))) >= 2

def no_loss_scale(ctx: Context) -> bool:
    """No chance level and no accuracy: nothing in the log says where its loss converges or
    what kind of loss it is (a language model's cross-entropy, a regression's squared error)."""
    return ctx.chance_loss is None and ctx.metric_name != "accuracy"

def rows_behind_accuracy(values: np.ndarray, max_rows: int = 2000, min_distinct: int = 2) -> int | None:
    """The smallest number of rows N whose accuracies (k/N) all the logged values are, to the
    precision they were logged with (float32 carries ~7 digits, a printed 0.8571 four); None
    when no N up to ``max_rows`` fits every one (a large val set, or an average over batches),
    or with fewer than ``min_distinct`` distinct values (one value repeated says little: 0.5 is
    k/N for every even N). 0.329, 0.4, 0.343, 0.729 ... are multiples of 1/70."""
    v = np.asarray(values, dtype=float)
    if v.size < 1 or np.any((v < 0) | (v > 1)) or np.unique(np.round(v, 6)).size < min_distinct:
        return None
    decimals = max(len(f"{x:.8g}".partition(".")[2]) for x in v)
    half_unit = 0.5 * 10.0 ** -min(max(decimals, 2), 7)
    # every N at once on a few values, then the survivors on all of them (smallest first)
    ns = np.arange(2, max_rows + 1, dtype=float)
    k = v[:8, None] * ns[None, :]
    fits = np.all(np.abs(k - np.round(k)) <= ns * half_unit + 1e-9, axis=0)
    m = int(np.unique(np.round(v, 6)).size)
    for n in ns[fits]:
        k = v * n
        if np.all(np.abs(k - np.round(k)) <= n * half_unit + 1e-9):
            # with few printed decimals some small N fits any values (two decimals: every value is
            # k/100): N counts only when m distinct values fitting it by chance is unlikely (each
            # lands within the print's rounding of a k/N with probability 2*N*half_unit)
            if min_distinct >= 2 and n * min(1.0, 2.0 * n * half_unit) ** m >= 0.01:
                return None
            return int(n)
    return None

def accuracy_sampling_error(A: Curve, level: float) -> float:
    """Binomial standard error of an accuracy at ``level``, with the number of examples N read
    off the curve's granularity (:func:`rows_behind_accuracy`); 0 when N cannot be read."""
    n = rows_behind_accuracy(A.y) if A.n_raw == A.n else None
    if n is None:
        return 0.0
    p = min(max(level, 0.0), 1.0)
    return math.sqrt(max(p * (1 - p), 1e-12) / n)


def _moved_much(y: np.ndarray, share: float) -> bool:
    """Whether ``y`` spans ``share`` of its largest magnitude or more."""
    top = float(np.max(np.abs(y)))
    return top > 0 and float(np.max(y)) - float(np.min(y)) >= share * top


def stuck_val_accuracy(ctx: Context) -> dict[str, Any] | None:
    """Validation accuracy that never moves off one class's share while the losses move: the
    same value (to 6 digits) at nearly every evaluation, or, binary, a value p and its
    complement 1-p (every example given one class, then the other). What the loss does
    meanwhile is the confidence of that one answer. None when it does not hold; else the
    facts, with ``train_learned``: the train accuracy rose far above that share (it fits its
    training data, so it memorised), or the train loss fell well below the chance level."""
    if "stuck_val_accuracy" not in ctx.facts:  # two rules ask: read it once
        ctx.facts["stuck_val_accuracy"] = _stuck_val_accuracy(ctx)
    return ctx.facts["stuck_val_accuracy"]


def _train_accuracy_frozen(ctx: Context) -> bool:
    """The train accuracy holds one value (to 6 digits, strictly between 0 and 1) at each of its
    last three or more evaluations: a Keras classifier giving every training row one class
    scores that class's share, epoch after epoch (0.7602, 0.7602, 0.7602)."""
    M = ctx.metric if ctx.metric_name == "accuracy" else None
    if M is None or M.n < 3:
        return False
    y = np.round(M.y[-3:], 6)
    return bool(np.all(y == y[0]) and 0.0 < y[0] < percent_scale(M.y))


def _val_loss_frozen(ctx: Context, needed: int) -> bool:
    """The val loss holds one value (to 6 significant digits) at every one of ``needed`` or
    more evaluations: the weights never changed (a deepfake detector's val loss
    0.8132617461681366 at each of its 5 epochs). What such a net answers does not depend on how
    many rows it is scored on, and it needs no train curve to show it learned nothing."""
    V = ctx.val_loss
    if V is None or V.n < needed or V.n_raw != V.n:
        return False
    y = np.asarray(V.y, dtype=float)
    return bool(np.all(np.isfinite(y)) and np.all(np.abs(y - y[0]) <= 1e-6 * max(abs(float(y[0])), 1e-12)))


def _stuck_val_accuracy(ctx: Context) -> dict[str, Any] | None:
    A = ctx.val_metric if ctx.metric_name == "accuracy" else None
    T = ctx.loss
    # one evaluation fewer when the train accuracy is frozen too: a second witness of its own
    needed = ctx.th.stuck_min_evals - (1 if _train_accuracy_frozen(ctx) else 0)
    no_train = T is None or T.n < 2
    val_frozen = _val_loss_frozen(ctx, needed)
    if A is None or A.n < needed or A.n_raw != A.n or (no_train and not val_frozen):
        return None
    y = np.round(A.y, 6)
    vals, counts = np.unique(y, return_counts=True)
    p = float(vals[np.argmax(counts)])
    if p <= 0.0 or p >= 1.0:
        return None  # perfect (or never right) every time is not one class's share
    same = np.isclose(y, p, atol=1e-6)
    flipped = np.isclose(y, 1.0 - p, atol=1e-6) & ~same
    binary = bool(flipped.any())
    share = float(np.mean(same | flipped))
    if share < ctx.th.stuck_share:
        return None
    # the fewest rows that value can be a share of (0.9: 10 rows; a float32 0.9866071939 of a
    # segmenter's pixels: more than any val set we could count)
    n = rows_behind_accuracy(A.y) or rows_behind_accuracy(np.array([p]), min_distinct=1)
    if not binary and n is not None and n < ctx.th.stuck_min_rows and not val_frozen:
        return None  # (a net whose val loss never changed gives the same answers on any number of rows)
    # the losses move while the answers do not: over the evaluations at that share, the val
    # loss (else the train loss) changes by a good part of its level. A run frozen by a
    # collapsed lr keeps its accuracy because nothing changes at all: the plateau rule's
    # Either loss will do: a net learning the prior from a poor start moves its train loss
    # (1.79 -> 1.17) while its val loss, already near the prior's entropy, moves a few percent.
    V = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n >= 2 else None
    L = next((c for c in (V, T) if c is not None
              and _moved_much(np.interp(A.x[same | flipped], c.x, c.y), ctx.th.stuck_loss_move)), None)
    # ... unless the answers never moved from the first evaluation on: a run that learned and
    # then froze changed its answers before it froze; one that gives every example the same
    # class from its first evaluation to its last never learned, whatever its losses do
    from_start = bool(same[0] or flipped[0])
    if L is None and not from_start:
        return None
    shown_loss = L if L is not None else (V if V is not None else T)
    moved = np.interp(A.x[same | flipped], shown_loss.x, shown_loss.y)
    # a constant answer cannot score a val cross-entropy far below the entropy of its share: a
    # model right on 9986 of 10000 rows at every epoch whose val loss went to 0.003 (H = 0.011)
    # is a near-perfect model, not a constant one. (A loss below what any cross-entropy can be
    # at that accuracy, ln 2 on each example it gets wrong, is on another scale and says nothing)
    v_min = float(np.min(V.y)) if V is not None else math.inf
    if (v_min < ctx.th.stuck_min_loss_share * stats.binary_entropy(max(p, 1.0 - p))
            and v_min >= (1.0 - max(p, 1.0 - p)) * math.log(2.0)):
        return None
    M = ctx.metric
    train_acc = tail_level(M, 0.3) if M is not None and M.n >= 2 else None
    if train_acc is not None:
        learned = clear_of_guessing(train_acc, max(p, 1.0 - p), ctx)
    else:
        learned = T is not None and bool(ctx.chance_loss) and tail_level(T, 0.3) < 0.85 * float(ctx.chance_loss)
    out: dict[str, Any] = {"value": p, "share": share, "evaluations": A.n,
                           "loss_moved": L.name if L is not None else None,
                           "loss_name": shown_loss.name, "loss_first": float(moved[0]),
                           "loss_last": float(moved[-1]), "train_learned": learned}
    if train_acc is not None:
        out["train_accuracy"] = train_acc
    if val_frozen and no_train:
        out["loss_frozen"] = True
    if n is not None:
        out["val_rows"] = n
    if binary:
        out["complement"] = 1.0 - p
        out["what"] = (f"{A.name} is {p:.4g} or its complement {1 - p:.4g} at {share:.0%} of its {A.n} "
                       f"evaluations (every validation example given one class, then the other)")
    else:
        out["what"] = f"{A.name} is {p:.6g} at {share:.0%} of its {A.n} evaluations"
    if A.n < ctx.th.stuck_min_evals:  # judged on fewer evaluations for the train accuracy's witness
        frozen = float(ctx.metric.y[-1])
        out["train_accuracy_frozen"] = frozen
        out["what"] += f" (and {ctx.metric.name} {frozen:.6g} at each of its last 3)"
    return out


def cut_short(ctx: Context) -> tuple[float, float, str] | None:
    """``(done, planned, unit)`` when the log itself says the run ended well before its planned
    length (at most ``cut_short_share`` of it): a Hugging Face checkpoint's trainer_state, whose
    ``global_step`` lies below ``max_steps``, or Keras's console output whose last ``Epoch
    12/50`` header is short of its total. Not a run the log says was stopped on purpose
    (Keras's "early stopping" message, the Trainer's ``should_training_stop``); callers look at
    the curve as well."""
    meta = ctx.history.meta if ctx.history is not None else {}
    if meta.get("early_stopped"):
        return None
    for unit in ("step", "epoch"):
        progress = planned_progress(meta, unit)
        if progress is not None and 0 < progress[0] <= ctx.th.cut_short_share * progress[1]:
            return progress[0], progress[1], unit
    return None


def validation_frozen(ctx: Context) -> bool:
    """The validation curve (the val loss, else the val metric) held one level at every one of
    five or more evaluations, within ``frozen_val_share`` of it: a segmentation net's val Dice
    0.2581-0.2593 for 11 epochs while its train loss fell. Validation never moved, so the run did
    not "fall and settle" (LABELS.md: healthy is both). Records it in ``ctx.facts``."""
    V = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n else ctx.val_metric
    if V is None or V.n < 5:
        return False
    y = V.y[np.isfinite(V.y)]
    level = float(np.median(np.abs(y))) if y.size else 0.0
    if y.size < 5 or level == 0 or float(np.max(y) - np.min(y)) > ctx.th.frozen_val_share * level:
        return False
    ctx.facts["validation_frozen"] = {"curve": V.name, "low": float(np.min(np.abs(y))), "high": float(np.max(np.abs(y))),
                                      "evaluations": int(y.size)}
    return True
