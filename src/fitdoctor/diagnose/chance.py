"""What "learned nothing" scores for this run: the label-prior entropy.

A classifier that ignores its inputs and predicts the class prior p scores a
cross-entropy of H(p) (ln K for K balanced classes) and an accuracy of max(p).
The prior comes from the run's meta when a reader or the trainer knows it;
otherwise it is inferred: a binary run whose accuracy sits at a rate m and whose
loss sits at H(m) is exactly a model predicting a prior of m.
"""

from __future__ import annotations

import math
import re

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, head_level, tail_level
from fitdoctor.history import higher_is_better

#: metric names that say the task is regression (what Keras, Lightning and HF users log)
REGRESSION_METRICS = frozenset({"mae", "mse", "rmse", "mean_absolute_error", "mean_squared_error",
                                "root_mean_squared_error", "r2", "mape", "msle"})

#: ln K is tried for these class counts when nothing is known about the task.
MAX_CLASSES_GUESSED = 1000


def chance_from_meta(meta: dict) -> tuple[float | None, float | None, str]:
    """(chance loss, majority rate, source) from what the reader or trainer recorded."""
    prior = meta.get("class_prior")
    if prior is not None:
        p = np.asarray(prior, dtype=float)
        if p.size >= 2 and np.all(p >= 0) and p.sum() > 0:
            p = p / p.sum()
            q = meta.get("train_class_prior")
            if q is not None and len(q) == p.size:
                # trained with class weights or resampling: a model that learned nothing predicts
                # the prior it was trained on (balanced), and scores the cross-entropy of the
                # true prior against it on validation (ln K for a uniform one)
                q = np.clip(np.asarray(q, dtype=float), 1e-12, None)
                ce = float(-(p * np.log(q / q.sum())).sum())
                return ce, float(p.max()), "cross-entropy of the class prior against the balanced prior trained on"
            return stats.entropy(p), float(p.max()), "H(class prior)"
    k = meta.get("n_classes")
    if isinstance(k, (int, float)) and k >= 2:
        return math.log(k), 1.0 / k, f"ln {int(k)} (balanced {int(k)} classes assumed)"
    return None, None, ""


def match_chance(loss_level: float, acc_level: float | None, rel_tol: float
                 ) -> tuple[float | None, float | None, str]:
    """Find a prior entropy the observed (loss, accuracy) level sits at, if any.

    Binary with accuracy a: H(a) (a model predicting prior a scores a accuracy); else ln K.
    """
    if not math.isfinite(loss_level) or loss_level <= 0:
        return None, None, ""
    if acc_level is not None and math.isfinite(acc_level) and 0.5 <= acc_level < 1.0:
        h = stats.binary_entropy(acc_level)
        if abs(loss_level - h) <= rel_tol * h + 1e-3:
            return h, acc_level, f"H({acc_level:.3f}), the entropy of a {acc_level:.0%}/{1 - acc_level:.0%} binary prior"
    if loss_level > math.log(MAX_CLASSES_GUESSED) + 1:
        return None, None, ""  # above ln 1000: no class count fits (and exp would overflow)
    if loss_level > math.log(MAX_CLASSES_GUESSED) + 0.1:
        return None, None, ""
    k = int(round(math.exp(loss_level)))
    # nearest first: past a few classes the tolerance spans several ln K (2.707 is within 3% of
    # ln 14 and of ln 15; it is ln 15)
    for kk in sorted((k - 1, k, k + 1), key=lambda c: abs(loss_level - math.log(max(c, 1)))):
        if 2 <= kk <= MAX_CLASSES_GUESSED:
            h = math.log(kk)
            if abs(loss_level - h) <= rel_tol * h:
                maj = 1.0 / kk
                if acc_level is not None and kk > 2 and abs(acc_level - maj) > 0.1:
                    continue
                return h, maj, f"ln {kk}, the entropy of {kk} balanced classes"
    return None, None, ""


def _singles_out_a_class_count(level: float, h: float) -> bool:
    """A loss level sits at ln K by more than coincidence: within a tenth of the gap to ln (K+1),
    where a level picked at random lands one time in five. Past about ten classes the gaps between
    ln K shrink below the tolerance, so every flat loss would otherwise fit some K (a detector's
    summed loss of 4.70 'is' ln 109); a model stuck at a uniform guess sits at ln K itself."""
    k = round(math.exp(h))
    return abs(level - h) <= 0.1 * math.log((k + 1) / k)


def entropy_range_at_share(a: float, k: int) -> tuple[float, float]:
    """The lowest and highest entropy of a prior over ``k`` classes (at least ``ceil(1/a)``)
    whose largest class holds share ``a``: lowest with as many classes at ``a`` as fit and the
    rest in one; highest with the rest spread evenly over the other ``k - 1``."""
    full = int(math.floor(1.0 / a + 1e-9))
    rest = max(1.0 - full * a, 0.0)
    lo = -full * a * math.log(a) - (rest * math.log(rest) if rest > 1e-12 else 0.0)
    other = (1.0 - a) / (k - 1)
    hi = -a * math.log(a) - (1.0 - a) * math.log(other)
    return lo, max(hi, lo)


def pinned(c: Curve | None, level: float) -> bool:
    """Every value of accuracy ``c`` within 0.01 of ``level`` (a constant answer on fixed rows
    scores the same share each epoch; a model that learns, however little, moves it more)."""
    return c is not None and c.n >= 8 and bool(np.all(np.abs(c.y - level) <= 0.01))


def holds_one_share(ctx: Context, A: Curve, a: float) -> bool:
    """An accuracy held at a skewed class share ``a`` the way a constant answer holds it: frozen
    at one value, pinned within 0.01 (see :func:`pinned`), or matched by a train accuracy that
    holds the same share. A val accuracy that moves by points from epoch to epoch near 0.87
    (0.856, 0.824, 0.859, 0.873, 0.872) is a model changing its answers, not the prior
    (LABELS.md's witness for a skewed prior is "a binary accuracy frozen at one value p")."""
    if frozen_level(A) is not None or pinned(A, a):
        return True
    T = ctx.metric
    if A is T or T is None or ctx.metric_name != "accuracy":
        return False
    held = steady_level(T, ctx.th.z_trend)
    return held is not None and abs(held - a) <= 0.01


def accuracy_curve(ctx: Context) -> Curve | None:
    """The accuracy that says what the model predicts: validation if logged, else train."""
    if ctx.metric_name != "accuracy":
        return None
    for c in (ctx.val_metric, ctx.metric):
        if c is not None and c.n >= 2:
            return c
    return None


def steady_level(c: Curve, z_trend: float, max_range: float = 0.08) -> float | None:
    """The level an accuracy holds over the whole run (after its first point), or None.

    A model that predicts a constant scores about the same accuracy from the first
    epochs on (an epoch where it flips to the other class is an outlier, not learning);
    one that learns, even slowly, climbs (a Theil-Sen trend against the curve's own
    noise). A downward drift is not learning, so only a climb disqualifies.
    """
    if c.n < 5:
        return None  # three or four evaluations holding still are no evidence of a constant
    x, y = c.x[1:], c.y[1:]
    level = float(np.median(y[y.size // 2:]))
    near = np.abs(y - level) <= max_range / 2
    if near.mean() < 0.75:
        return None  # it wanders: not one constant prediction
    _, z = stats.trend(x[near], y[near], c.sigma)
    if z >= z_trend and float(np.ptp(y[near])) > 0.01:
        return None
    if level - float(c.y[0]) > 0.03:
        return None  # it climbed from its first value to get there: it learned
    return level


#: the fewest evaluations that must end a run at one exact value for the accuracy to be frozen
FROZEN_MIN_POINTS = 6


def frozen_level(c: Curve) -> tuple[float, int] | None:
    """The value an accuracy ends frozen at and how many evaluations it held it, when its last
    ``FROZEN_MIN_POINTS`` or more values (and at least half of them) are one value to the digits
    logged, else None. LABELS.md's witness:
    "a binary accuracy frozen at one value p with the loss at H(p)". A converged model on a small
    val split can hold one value too (116 of 120 right for 15 epochs); the loss tells them apart
    (at H(p) for a constant answer, far above it for a model that ranks the rows: see
    :func:`init_chance`)."""
    last = float(c.y[-1])
    same = np.abs(c.y - last) <= 1e-6 * max(abs(last), 1.0)
    held = c.n - int(np.flatnonzero(~same)[-1]) - 1 if not same.all() else c.n
    if held < max(FROZEN_MIN_POINTS, (c.n + 1) // 2):
        return None
    return last, held


def _train_witness(ctx: Context, A: Curve) -> float | None:
    """The level a train accuracy holds when the val accuracy ``A`` wanders without climbing: a
    constant answer scores its class's share on every split, and on a small or skewed val split
    the share jumps as the answer flips between classes (0.07, 0.32, 0.40: single classes'
    frequencies), while on the training rows it holds (0.199 every epoch of a 5-class run).
    None when the train accuracy does not hold still, or the val accuracy climbs (learning)."""
    T = ctx.metric
    if T is None or T.n < 5 or A.n < 5:
        return None
    if stats.trend(A.x, A.y, A.sigma)[1] >= ctx.th.z_trend and not flips_between_classes(A):
        return None
    return steady_level(T, ctx.th.z_trend)


def flips_between_classes(A: Curve) -> bool:
    """Two of a binary val accuracy's values sum to 1 (0.1123 and 0.8877, or 0.5422 and 0.4578):
    the model answered one class for every row at one evaluation and the other class at another.
    Its accuracy then jumps and may end high (0.89, the larger class's share), which reads as a
    climb though nothing was learned."""
    ys = [float(v) for v in A.y if 0.0 < float(v) < 1.0 and abs(float(v) - 0.5) > 0.02]
    return any(abs(a + b - 1.0) <= 1e-3 for i, a in enumerate(ys) for b in ys[i + 1:] if abs(a - b) > 0.05)


def train_accuracy_beats(ctx: Context, rate: float, *, in_errors: bool = False) -> bool:
    """Training accuracy climbed from well below ``rate`` to it, or ends far above it.

    ``in_errors``: "well below" also counts in errors, for a val accuracy that holds its level
    with a model's wobble rather than at one exact value (a frozen value is a constant answer's
    own witness, however its train accuracy got there: a net that learned, then collapsed).

    A constant prediction scores about the same rate on train as on val from the first
    epoch; a model whose val accuracy holds at 96% while its train accuracy climbs from
    87% to 99% converged fast, it does not predict the prior. (A net memorising shuffled
    labels creeps a few points above the rate: that is not "far above".)
    """
    T = ctx.metric
    if ctx.metric_name != "accuracy" or T is None or T.n < 3:
        return False
    end = tail_level(T, 0.3)
    # on a step log read at its evaluations the first window's mean hides a climb inside it
    # (0.73 at the first epoch, 0.84 by the first evaluation): the first logged value counts
    first = min(float(T.y[0]), (ctx.history.meta.get("first_logged") or {}).get(T.name, math.inf))
    # "well below" in errors too: at a 97.7% rate, 94.8% -> 98.6% cut the errors 4x, a climb no
    # constant answer makes, though it is under 5 points
    well_below = first < rate - 0.05 or (in_errors and 1.0 - first > 2.0 * (1.0 - rate))
    climbed = well_below and end >= rate - 0.01
    return climbed or end > rate + 0.1


def classes_from_first_loss(ctx: Context, *, raw: bool = False) -> int | None:
    """K when a classifier's first logged loss sits within 15% of ln K (freshly initialised
    logits predict roughly uniformly; an epoch-averaged first loss sits a little above), else None.

    ``raw`` reads the very first point rather than the robust head level: closer to the
    initialisation when the loss falls fast within the first epochs.
    """
    if ctx.loss is None or ctx.loss.n < 2:
        return None
    first = float(ctx.loss.y[0]) if raw else head_level(ctx.loss)
    if not 0 < first < math.log(MAX_CLASSES_GUESSED):
        return None
    k = int(round(math.exp(first)))
    if 2 <= k <= MAX_CLASSES_GUESSED and abs(first - math.log(k)) < 0.15 * math.log(k):
        return k
    return None


def _first_accuracy_refutes(ctx: Context, k: int) -> bool:
    """The accuracy at the first evaluation is already well clear of guessing among ``k``
    classes: the first loss near ln k is then no uniform guess (a pretrained net's fresh head,
    or a loss near ln k by coincidence), and k is no witness of the class count."""
    A = ctx.metric if ctx.metric is not None and ctx.metric.n >= 2 else accuracy_curve(ctx)
    if A is None or ctx.metric_name != "accuracy":
        return False
    return clear_of_guessing(float(A.y[0]), 1.0 / k, ctx)


def guessed_classes(ctx: Context) -> int:
    """K for judging accuracy: from meta, else the first loss, else 2 (the case with the
    highest chance accuracy among balanced tasks, so the safest guess)."""
    prior = ctx.history.meta.get("class_prior")
    if prior is not None and len(prior) >= 2:
        return len(prior)
    k = ctx.history.meta.get("n_classes")
    if isinstance(k, (int, float)) and k >= 2:
        return int(k)
    return classes_from_first_loss(ctx) or classes_from_first_loss(ctx, raw=True) or 2


def clear_of_guessing(accuracy: float, guess: float, ctx: Context, share: float | None = None) -> bool:
    """An accuracy well clear of the guessing rate ``guess``: ``learned_accuracy_share`` of the
    way from it to perfect (or ``share`` of it, a rule's own bar). One measure for every rule
    that asks whether a model learned."""
    return accuracy >= guess + (ctx.th.learned_accuracy_share if share is None else share) * (1.0 - guess)


def guessing_rate(ctx: Context) -> float:
    """The accuracy of a model that learned nothing: the majority rate when known, else 1/K."""
    return ctx.majority_rate if ctx.majority_rate is not None else 1.0 / guessed_classes(ctx)


def accuracy_learned(ctx: Context) -> bool | None:
    """Did validation accuracy ever get well clear of guessing? None when no val accuracy.

    "Well clear" is 30% of the way from the guessing rate (the majority rate when known,
    else 1/K) to perfect, held for three evaluations (rolling median), so one lucky
    evaluation does not count.
    """
    A = ctx.val_metric if ctx.metric_name == "accuracy" else None
    if A is None or A.n < 3:
        return None
    return clear_of_guessing(float(np.max(stats.smooth(A.y, 3))), guessing_rate(ctx), ctx)


#: a ranking score (ROC-AUC), however it is named: ``auc``, ``roc_auc_score``, ``val_auroc``
_AUC = re.compile(r"^(?:val_)?(?:roc_)?(?:auc|auroc)(?:_score)?$")


def auc_learned(ctx: Context) -> bool:
    """Did a ROC-AUC get well clear of the 0.5 that ranking at random scores (``learned_accuracy_
    share`` of the way to 1, three evaluations' rolling median)? Its guessing level needs no class
    count or prior. The validation one when logged; else one with no split in its name beside a
    val loss (a hand loop scores AUC on the rows it validates on: ``Score 0.9747`` per fold)."""
    names = [n for n in ctx.history.series if _AUC.match(n)]
    held_out = [n for n in names if n.startswith("val_")]
    if not held_out and (ctx.val_loss is None or not names):
        return False
    for name in held_out or names:
        y = ctx.history.series[name].values
        y = y[np.isfinite(y)]
        if y.size < 3 or y.min() < 0 or y.max() > 100:
            continue
        y = y / 100.0 if y.max() > 1.0 else y
        if clear_of_guessing(float(np.max(stats.smooth(y, 3))), 0.5, ctx):
            return True
    return False


#: scores of generated text, as whole words of a series' name ("eval_rougeL", "val_bleu",
#: "eval_gen_len", "test_wer"): a run logging one trains a sequence model, whose loss is a mean
#: over tokens, not a classifier's over K classes
_GENERATION_SCORE = re.compile(r"(?:^|_)(?:rouge\w*|bleu|sacrebleu|meteor|chrf|gen_len|wer|cer|ler|perplexity|ppl)(?:_|$)",
                               re.I)


def generates_text(ctx: Context) -> bool:
    """The run logs a score of generated text (ROUGE, BLEU, WER, the generated length): its loss
    is a token loss, and a token loss near ln 4 is no guess among 4 classes."""
    return any(_GENERATION_SCORE.search(name) for name in ctx.history.series)


def accuracy_always_zero(ctx: Context) -> bool:
    """Keras's ``accuracy`` on a regression target: 0 at every point, train and val (a continuous
    prediction never equals a continuous label), or under 1% beside a regression metric the run
    also logs (RMSE, MAE: 0.00025 is one lucky row in 4,000). A classifier, even one predicting
    a constant, gets that class's share right."""
    if ctx.metric_name != "accuracy":
        return False
    curves = [c for c in (ctx.metric, ctx.val_metric) if c is not None and c.n]
    if not curves or sum(c.n for c in curves) < 3:
        return False
    if all(bool(np.all(c.y == 0)) for c in curves):
        return True
    names = {n[4:] if n.startswith("val_") else n for n in ctx.history.names}
    return bool(names & REGRESSION_METRICS) and all(bool(np.all(c.y < 0.01)) for c in curves)


def held_out_score_climbs(ctx: Context) -> bool:
    """A validation score that says which way is better (a ``val result score``, an F1 under
    its own name) climbed a fifth above its first evaluation, beyond its noise (and by ten
    points on a score in [0, 1]): a model predicting the prior scores the same on every
    evaluation, so a loss level that happens to sit at ln K is no witness of a guess beside it
    (0.42 -> 0.77 while the loss hovers at 0.693)."""
    S = ctx.val_metric
    if S is None or S.n < 3 or not higher_is_better(S.name):
        return False
    first, best = float(S.y[0]), float(np.max(stats.smooth(S.y, 3)))
    # a score on [0, 1] must gain ten points: an MRR or hits@1 of 0.0 -> 0.019 is random ranking
    floor = 0.1 if float(np.nanmax(np.abs(S.y))) <= 1.0 else 0.0
    return best - first > max(0.2 * abs(first), 3.0 * S.sigma, floor)


def init_chance(ctx: Context) -> None:
    """Fill ctx.chance_loss / majority_rate: from meta, else from a constant-prediction signature.

    Inferred only from evidence of constant predictions (an accuracy that holds still at
    a rate whose prior entropy the loss sits at), or, when no accuracy is logged, a loss
    flat at ln K. As a last resort, a classifier's first loss near ln K gives the level
    "learned nothing" sits at, for judging how much a run learned.
    """
    c, m, src = chance_from_meta(ctx.history.meta)
    upper = None
    k = ctx.history.meta.get("n_classes")
    prior = ctx.history.meta.get("class_prior")
    # a model that predicts a constant scores between H(prior) and ln K, and a little above
    # ln K when the constant it settled on is slightly off on the val split
    if prior is not None and len(prior) >= 2:
        upper = math.log(len(prior)) * 1.1
    elif isinstance(k, (int, float)) and k >= 2:
        upper = math.log(k) * 1.1
    L = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n >= 2 else ctx.loss
    # a regression loss or a language model's token loss is no classifier's prior entropy
    regression = ctx.metric_name in REGRESSION_METRICS or ctx.history.meta.get("task") in ("regression", "language_model") \
        or accuracy_always_zero(ctx) or generates_text(ctx)
    if c is None and L is not None and L.n >= 2 and not regression:
        A = accuracy_curve(ctx)
        level = tail_level(L, 0.5)
        tol = ctx.th.chance_rel_tol
        # weights frozen by a vanished lr also hold accuracy still: no evidence of constant output
        lr = ctx.lr
        frozen_by_lr = lr is not None and lr.n >= 2 and lr.first > 0 and lr.last < 1e-2 * lr.first
        if A is None:
            # a loss level alone fits ln K for *some* K (any value from 0.6 to 6.9 does): only a
            # run that started there and never moved is evidence of a K-class guess (a language
            # model's or a detector's loss that fell a third is no classifier at chance)
            start = head_level(L)
            c, m, src = match_chance(level, None, tol)
            # ... and holds there: a loss falling steadily by half the band around ln K or more is
            # learning, however little it has fallen yet (an LLM fine-tune's 2.84 -> 2.76 near
            # ln 15); a creep of 0.004 at ln 2 is a guess with a vanishing lr
            falling = c is not None and stats.trend(L.x, L.y, L.sigma)[1] < -ctx.th.z_trend \
                and float(L.y[0]) - float(L.y[-1]) > 0.5 * tol * c
            if c is not None and not (abs(start - c) <= 2 * tol * c and start - level <= 0.05 * start
                                      and not falling and _singles_out_a_class_count(level, c)
                                      and not held_out_score_climbs(ctx)):
                c, m, src = None, None, ""
        else:
            a = None if frozen_by_lr else steady_level(A, ctx.th.z_trend)
            witnessed = False
            if a is not None and A is ctx.val_metric and train_accuracy_beats(ctx, a, in_errors=frozen_level(A) is None):
                a = None  # training accuracy climbed past it: the model is not a constant
            elif a is None and not frozen_by_lr and A is ctx.val_metric:
                a = _train_witness(ctx, A)
                witnessed = a is not None
            # the accuracy the run ends at: the train accuracy when it is the witness (the val
            # accuracy it stands in for jumps between class shares)
            a_end = a if witnessed else tail_level(A, 0.3)
            if 0.4 <= a_end <= 0.53 and math.log(2) * (1 - tol) <= level <= math.log(2) * 1.1:
                # binary-looking run at ~50% accuracy: no better than the majority rate, whatever it is
                c, m, upper = math.log(2), max(0.5, a_end), math.log(2) * 1.1
                src = f"ln 2: accuracy {a_end:.3f} is no better than guessing on a binary task"
            elif 0.53 < a_end <= 0.6 and stats.binary_entropy(a_end) * (1 - tol) <= level <= math.log(2) * 1.1:
                # binary-looking run a few points above 50%, its loss at the entropy of that rate:
                # indistinguishable from predicting a prior of a_end, and worth < 2% of ln 2 if not
                c, m, upper = stats.binary_entropy(a_end), a_end, math.log(2) * 1.1
                src = (f"H({a_end:.3f}): accuracy {a_end:.3f} and a loss at the entropy of that rate are what "
                       "predicting the class prior scores")
            elif a is not None and 0.5 <= a < 1.0 and (a <= 0.6 or holds_one_share(ctx, A, a)):
                h = stats.binary_entropy(a)
                if h * (1 - tol) - 1e-3 <= level <= math.log(2) * (1 + tol):
                    c, m, upper = h, a, math.log(2)
                    src = (f"H({a:.3f}), the loss of always predicting a {a:.0%}/{1 - a:.0%} prior; "
                           f"accuracy holds at {a:.3f}")
            elif a is None and not frozen_by_lr and (fz := frozen_level(A)) is not None and 0.5 <= fz[0] < 1.0 \
                    and not (A is ctx.val_metric and train_accuracy_beats(ctx, fz[0])):
                f, n_f = fz
                # an accuracy that reached its level from below (the net before it collapsed onto
                # one class: 0.66, 0.51, then 0.6898 nine times) is a constant answer only with the
                # loss at H(p) itself, not anywhere up to ln 2 (a model that ranks the rows but
                # stopped changing its answers sits far above H(p))
                h = stats.binary_entropy(f)
                if abs(level - h) <= tol * h + 1e-3:
                    c, m, upper = h, f, h
                    src = (f"H({f:.3f}), the loss of always predicting a {f:.0%}/{1 - f:.0%} prior; {A.name} is "
                           f"{f:.4g} at each of its last {n_f} {A.axis}s")
            if c is None and a is not None:
                c, m, src = match_chance(level, a, tol)
            k_acc = int(round(1.0 / a)) if a is not None and a > 0 else 0
            if c is None and 3 <= k_acc <= 100 and abs(a * k_acc - 1.0) <= 0.01 \
                    and math.log(k_acc) * (1 - tol) <= level <= math.log(k_acc) * 1.1:
                # an accuracy held at exactly 1/K is a constant answer among K balanced classes,
                # and its loss sits at ln K or a little above (the constant is slightly off on
                # the val split): the class count the accuracy itself gives, as meta would
                c, m, upper = math.log(k_acc), a, math.log(k_acc) * 1.1
                src = (f"ln {k_acc}: accuracy holds at {a:.3f} = 1/{k_acc}, a constant answer among {k_acc} "
                       f"balanced classes, and the loss sits at ln {k_acc}")
            k_init = classes_from_first_loss(ctx)
            if c is None and a is not None and 0.0 < a < 0.5 and (pinned(A, a) or pinned(ctx.metric, a)):
                # an accuracy pinned below 1/2 is the largest class's share of a prior of 3 or more
                # classes (on a val split the train majority may not lead there: then the range
                # below sits too high and the test misses, never fires wrongly); the loss of
                # predicting such a prior lies between the entropy of the most
                # lopsided one (as many classes at that share as fit) and that of the most even one
                # among the fewest classes it allows (or the first loss's class count)
                k_min = max(math.ceil(1.0 / a - 1e-9), 3)
                k_top = max(k_min, k_init or 0)
                lo, hi = entropy_range_at_share(a, k_top)
                if lo * (1 - tol) <= level <= hi * (1 + tol):
                    c, m, upper = lo, a, hi
                    src = (f"the least a prior whose largest class holds {a:.3f} of the rows can score; the most even "
                           f"such prior over {k_top} classes scores {hi:.3f}; accuracy holds at {a:.3f} from the first {A.axis}")
            if c is None and k_init and k_init > 2 and level >= math.log(k_init) * (1 - tol) \
                    and (a is not None or a_end <= 1.0 / k_init + 0.05):
                # K read off the loss at initialisation; the loss is still no better than a uniform
                # guess and the accuracy holds still or sits at 1/K: nothing learned (a loss far
                # above ln K is a model confidently wrong or blown up, not a guess: capped)
                c, m, upper = math.log(k_init), (a if a is not None else 1.0 / k_init), 1.5 * math.log(k_init)
                src = (f"ln {k_init}: the first loss says {k_init} classes, the loss is no better than "
                       f"a uniform guess among them and accuracy holds at {a_end:.3f}")
        kk = classes_from_first_loss(ctx) if A is not None else None
        if kk and _first_accuracy_refutes(ctx, kk):
            kk = None
        if c is None and kk:
            c, m, src = math.log(kk), None, f"ln {kk}, from the loss at the first {ctx.loss.axis}"
            ctx.facts["chance_from_first_loss"] = True
    ctx.chance_loss, ctx.majority_rate, ctx.chance_source = c, m, src
    ctx.facts["chance_upper"] = max(upper or 0.0, c or 0.0) or None
