"""chance_level: the model predicts the class prior and learned nothing from the features."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from fitdoctor import codes as _codes
from fitdoctor import stats
from fitdoctor.diagnose.base import Context, Curve, head_level, rule, tail_level
from fitdoctor.diagnose.chance import accuracy_curve, flips_between_classes
from fitdoctor.diagnose.curves.messages import finding, fv
from fitdoctor.diagnose.curves.shape import accuracy_sampling_error, percent_scale, stuck_val_accuracy
from fitdoctor.findings import Finding
from fitdoctor.history import LOWER_IS_BETTER_WORDS, higher_is_better


#: scores of how the classes are told apart, which a constant predictor holds fixed (F1 0 or
#: its one value, AUC 0.5) however the loss and the accuracy read
_CLASS_SCORES = ("f1", "auc", "roc", "valroc", "trroc", "precision", "recall", "mcc")

#: scores of the positive class (or of a mask's overlap with the target) that a model which
#: never predicts that class holds at 0 epoch after epoch, whatever its loss reads
_POSITIVE_SCORES = ("f1", "iou", "jaccard", "dice", "recall", "sensitivity", "precision",
                    "multiclassjaccard", "binaryjaccard", "multiclassf1", "binaryf1")
#: a score at or below this at every evaluation is 0 as a log prints it (IoU 5e-06)
ZERO_SCORE = 1e-3
#: a loss that ends within this share of where it started has not moved
UNMOVED_LOSS_SHARE = 0.05
#: a train loss down to this share of the chance level is a model memorising a few training
#: rows, not one that learned (LABELS.md: "a train loss that drifts a few percent below the
#: level (memorising) does not change the verdict while validation stays there")
MEMORISING_SHARE = 0.85


def finite_span(series: Any) -> tuple[float, float]:
    """The first and last step of ``series`` that hold a number: a finding's span."""
    steps = series.steps[np.isfinite(np.asarray(series.values, dtype=float))]
    return float(steps[0]), float(steps[-1])


def class_scores_moved(ctx: Context) -> bool:
    """An F1, AUC, MCC, precision or recall logged beside the loss that rose from its first value
    beyond its noise and by 0.05: the model tells the classes apart, whatever the accuracy says.
    An accuracy held at 0.996 on a 99.6% majority is what a constant answer scores, and what a
    model that finds most of the rare class scores too; its F1 going 0.69 -> 0.84 says which."""
    for name, series in ctx.history.series.items():
        base = name[4:] if name.startswith("val_") else name
        if base.startswith(_CLASS_SCORES) and score_rose(series.values):
            return True
    return False


def score_rose(values: Any) -> bool:
    """A score (a fraction, or logged in percent) that rose from its first value beyond its
    noise and by 0.05: 3 or more finite points, all in [0, 100]. One bar for "it learned
    something" wherever a logged score is asked (:func:`class_scores_moved`,
    :func:`no_positive_predictions`)."""
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    if y.size < 3 or np.any((y < 0) | (y > 100)):
        return False
    y = y / percent_scale(y)
    return float(np.max(stats.smooth(y, 3))) - float(y[0]) > max(0.05, 3 * stats.noise_scale(y))


def constant_predictions(ctx: Context) -> Finding | None:
    """Validation accuracy that never moves off one class's share while the losses move (see
    :func:`~fitdoctor.diagnose.curves.shape.stuck_val_accuracy`), on a run that did not fit its
    training data either: every example gets the same class. Needs no class prior: the
    accuracy itself is that class's share. (A run whose train accuracy rose far above that
    share memorised instead: ``val_not_improving`` speaks.)"""
    if ctx.history.meta.get("class_prior") is not None:
        # the prior is known (the trainer, a reader that saw the labels): the loss-at-entropy
        # test judges a constant predictor; an accuracy held at the majority share beside a loss
        # well below that entropy is a model that ranks but never crosses 0.5 for the rare
        # class, which class_imbalance and the right metric speak to
        return None
    st = stuck_val_accuracy(ctx)
    if st is None or st["train_learned"]:
        return None
    A, p = ctx.val_metric, st["value"]
    ev = {k: v for k, v in st.items() if k not in ("train_learned", "what") and v is not None}
    moved = (f"while {st['loss_moved']} went {fv(st['loss_first'])} -> {fv(st['loss_last'])}" if st["loss_moved"]
             else f"from its first evaluation on ({st['loss_name']} {fv(st['loss_first'])} -> {fv(st['loss_last'])})")
    if st.get("loss_frozen"):
        moved = (f"from its first evaluation on, beside {st['loss_name']} {fv(st['loss_first'])} at every one "
                 "(the weights never changed)")
    msg = (f"{st['what']} {moved}: the model gives every validation example the same class, and {p:.4g} is that "
           f"class's share; it has learned nothing it can use on unseen data")
    return finding("chance_level", "error", msg, ctx, span=(A.x[0], A.x[-1]), evidence=ev)


def no_positive_predictions(ctx: Context) -> Finding | None:
    """Every F1, IoU, Dice, precision and recall the run logs is 0 at every evaluation (5 or
    more), and nothing else moved (no loss left its start, no score rose): the model never
    predicts the positive class (an empty mask, an all-negative answer), a constant predictor.
    Needs no prior and no loss: a segmentation net held at Dice loss 0.99999 with IoU 5e-06
    for 100 epochs, or a table of F1 0 and TP 0, says it by itself. A score at 0 beside an
    accuracy that rose is a metric wired to the wrong labels, not a model that learned nothing."""
    zero: list[str] = []
    for name, series in ctx.history.series.items():
        base = name[4:] if name.startswith("val_") else name
        y = np.asarray(series.values, dtype=float)
        y = y[np.isfinite(y)]
        if base.startswith(_POSITIVE_SCORES) and y.size >= 5:
            if float(np.max(np.abs(y))) > ZERO_SCORE:
                return None  # some overlap with the positive class: it predicts it somewhere
            zero.append(name)
        elif higher_is_better(name) and score_rose(y):
            return None  # another score rose: the model learned something
    if not zero:
        return None
    moved = []
    for c in (ctx.loss, ctx.val_loss):
        if c is not None and c.n >= 2:
            start, end = head_level(c), tail_level(c, 0.2)
            if abs(start - end) > UNMOVED_LOSS_SHARE * max(abs(start), 1e-12):
                return None  # the loss moved: learning of some kind, other rules speak
            moved.append(f"{c.name} {start:.6g} -> {end:.6g}")  # to the digits that did not move
    # validation first, and a step-logged twin of an epoch series (Lightning's ``iou_step``)
    # is not quoted: the count is the evaluations of the first one named
    zero.sort(key=lambda name: (not name.startswith("val_"), name.endswith("_step")))
    named = [z for z in zero if not z.endswith("_step")] or zero
    n = int(np.sum(np.isfinite(np.asarray(ctx.history.series[named[0]].values, dtype=float))))
    shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
    loss = f"; {' and '.join(moved)}, unmoved" if moved else ""
    ev = {"zero_scores": zero, "evaluations": n, "zero_at_most": ZERO_SCORE}
    msg = (f"{shown} {'stay' if len(named) > 1 else 'stays'} at 0 at every one of {n} evaluations{loss}: the "
           f"model never predicts the positive class (an empty mask, an all-negative answer); it has "
           f"learned nothing from the features")
    first = ctx.history.series[named[0]]
    return finding("chance_level", "error", msg, ctx, span=(float(first.steps[0]), float(first.steps[-1])),
                   evidence=ev)


#: error rates of a transcript: every word (character) wrong is 1.0 (100 in percent)
_TRANSCRIPT_ERRORS = ("val_wer", "val_cer")
#: an error rate at or above this (of 1.0) is every word wrong, to the digits logged
ALL_WRONG = 0.99


def nothing_transcribed(ctx: Context) -> Finding | None:
    """A speech or OCR model's validation word (or character) error rate is 1.0 at every
    evaluation (4 or more, at most a sliver below: CER 0.99934), and its val loss does not move
    over the second half: the decoder emits nothing (a CTC model collapsed onto the blank), the
    same empty answer whatever it hears, and has learned nothing. Insertions put a wrong answer
    above 1.0; an error rate that ever fell below :data:`ALL_WRONG` is a model that transcribes
    something."""
    found = []
    for name in _TRANSCRIPT_ERRORS:
        series = ctx.history.series.get(name)
        if series is None:
            continue
        y = np.asarray(series.values, dtype=float)
        y = y[np.isfinite(y)]
        if y.size < 4:
            continue
        scale = 100.0 if float(np.max(y)) > 1.5 else 1.0
        if not (float(np.min(y)) >= ALL_WRONG * scale and float(np.max(y)) <= scale):
            return None  # some evaluation got something right: it transcribes
        found.append((name, series, y))
    if not found:
        return None
    V = ctx.val_loss
    if V is not None and V.n >= 4:
        half = V.y[V.n // 2:]
        if float(half[0] - half[-1]) > UNMOVED_LOSS_SHARE * max(abs(float(half[0])), 1e-12):
            return None  # its loss is still falling: it may be about to break out of the blank
    name, series, y = found[0]
    others = "".join(f" ({more.raw_name or more_name} {float(np.median(more_y)):.4g})"
                     for more_name, more, more_y in found[1:])
    level = float(np.median(y))
    ev = {"error_rate": name, "evaluations": int(y.size), "all_wrong_at_least": ALL_WRONG}
    shown_level = f"{level:.1f}" if level.is_integer() else f"{level:.4g}"
    msg = (f"{series.raw_name or name} is {shown_level} at every one of its "
           f"{y.size} evaluations{others}: "
           f"every word wrong, the transcript empty; the model emits the same nothing (a CTC model collapsed onto the "
           f"blank) whatever it hears, and has learned nothing from the input")
    return finding("chance_level", "error", msg, ctx, span=finite_span(series), evidence=ev)


#: a per-class score: "val_iou_3", "val_dice_12", "val_f1_0" (not a cut-off: "val_recall@10")
_PER_CLASS = re.compile(r"^val_([a-z][a-z0-9]*?)_?(\d+)$", re.I)


def one_class_predicted(ctx: Context) -> Finding | None:
    """Per-class validation scores (IoU, Dice, F1, recall, precision of each class, 2 or more
    classes, 5+ evaluations each) of which exactly one is above 0 over the second half of the
    run: the model gives every pixel or example that one class (a segmenter collapsed onto the
    background), a constant answer, whatever its loss does. The one class's IoU is then its
    share of the pixels. A model that learned anything scores some overlap on a second class."""
    # score -> class -> (its name, its series, its finite values over the second half)
    groups: dict[str, dict[int, tuple[str, Any, np.ndarray]]] = {}
    for name, series in ctx.history.series.items():
        m = _PER_CLASS.match(name)
        if m is None or not m.group(1).startswith(_POSITIVE_SCORES):
            continue
        y = np.asarray(series.values, dtype=float)
        y = y[np.isfinite(y)]
        if y.size >= 5:
            groups.setdefault(m.group(1), {})[int(m.group(2))] = (name, series, y[y.size // 2:])
    for base, classes in groups.items():
        if len(classes) < 2:
            continue
        scored = [k for k, (_, _, y) in classes.items() if float(np.max(np.abs(y))) > ZERO_SCORE]
        if len(scored) != 1:
            continue
        k = scored[0]
        name, first, late = classes[k]
        level = float(np.median(late))
        n = len(late)
        ev = {"score": base, "class_scored": k, "classes": len(classes), "class_score_level": level,
              "zero_at_most": ZERO_SCORE, "evaluations_judged": n}
        msg = (f"of the {len(classes)} per-class val {base} scores, only {first.raw_name or name} is above 0 over "
               f"the last {n} evaluations (median {level:.3g}); the other {len(classes) - 1} stay at 0: the model "
               f"gives every example (every pixel, for a segmenter) class {k}, a constant answer, and has learned "
               f"nothing from the features")
        return finding("chance_level", "error", msg, ctx, span=finite_span(first), evidence=ev)
    return None


@rule("curves")
def chance_level(ctx: Context) -> Finding | None:
    """The loss at the entropy of the prior (the opening story's 0.688 = H(0.55)), else a val
    accuracy stuck at one class's share while the losses move (no prior needed), else scores of
    the positive class held at 0 while nothing moves, else per-class scores of which only one
    class's is above 0."""
    return _loss_at_chance(ctx) or constant_predictions(ctx) or no_positive_predictions(ctx) \
        or one_class_predicted(ctx) or nothing_transcribed(ctx) or agent_never_learned(ctx)


#: words of a reinforcement-learning loop's return, found anywhere in a name ("totalreward",
#: "ep_rew_mean" as the word "rew", "mean_return")
_RETURN_ROOTS = ("reward", "return")
#: series an RL loop logs beside its returns (its counter, its exploration rate): with one of
#: them a plain "score" (an episode's game score, "Average100 Score") is a return too
_RL_COMPANIONS = ("episode", "episodes", "frame", "frames", "timestep", "timesteps", "total_timesteps",
                  "epsilon", "eps", "ep_len", "ep_len_mean", "episode_length")
#: blocks the run is cut into, and the fewest points an agent's flat return is judged on
RETURN_BLOCKS = 5
RETURN_MIN_POINTS = 20
#: standard errors of a block median above the first block's that count as the agent doing better
RETURN_GAIN_SE = 3.0
#: ... and the first episodes it is judged against a second time: a twentieth of them, at least
#: this many (an agent that learned within its first fifth scored at its level over that fifth)
RETURN_HEAD_SHARE = 20
RETURN_HEAD_MIN = 5


def _median_se(spread: float, n: int) -> float:
    """The standard error of the median of ``n`` episodes whose robust scatter is ``spread``
    (1.253 times a mean's, for normal scatter: ``divergence.MEDIAN_SE_FACTOR`` to four digits)."""
    return 1.253 * spread / math.sqrt(n)


def _is_return(name: str, ctx: Context) -> bool:
    words = re.split(r"[^a-z0-9]+", name.lower())
    if any(w in name.lower() for w in LOWER_IS_BETTER_WORDS):
        return False  # a value loss, a reward model's loss
    if any(root in name.lower() for root in _RETURN_ROOTS) or "rew" in words:
        return True
    return "score" in " ".join(words) and any(c in ctx.history.series for c in _RL_COMPANIONS)


def agent_never_learned(ctx: Context) -> Finding | None:
    """An RL agent's return (reward, episode score) that logs no loss and never rose above what it
    scored over the first fifth of its episodes: no later fifth's median is above the first's by
    ``RETURN_GAIN_SE`` standard errors (the episodes' own scatter; medians, as returns are
    heavy-tailed). What a random policy scores is the agent's chance level, and labellers call a
    return held there from first episode to last
    ``chance_level`` (an IQN agent's 100-episode average wandering 21-25 for 500 CartPole
    episodes, random play's ~22; a Snake agent's reward at -1 on 9 episodes in 10 for 409). A
    return that climbed, then fell back, did learn (``diverging`` judges the fall); one that
    rose by more than its scatter is learning, however slowly; and so did one whose later fifths
    stand above its very first episodes (a twentieth of them), where it learned within its first
    fifth."""
    if ctx.loss is not None or ctx.val_loss is not None:
        return None
    if ctx.metric is not None and ctx.metric.name in ctx.history.series and _is_return(ctx.metric.raw_name or ctx.metric.name, ctx):
        name = ctx.metric.name
    else:  # the metric picked can be the loop's counter ("episode"); the return is the curve
        name = next((k for k, v in ctx.history.series.items()
                     if not k.startswith("val_") and _is_return(v.raw_name or k, ctx)), None)
    if name is None:
        return None
    series = ctx.history.series[name]
    y = np.asarray(series.values, dtype=float)  # every episode, not a binned curve
    y = y[np.isfinite(y)]
    if y.size < RETURN_MIN_POINTS:
        return None
    # medians and a robust scatter: returns are heavy-tailed (one episode of -241 among 2.5s)
    blocks = np.array_split(y, RETURN_BLOCKS)
    medians = np.array([float(np.median(b)) for b in blocks])
    spread = stats.MAD_TO_SIGMA * float(np.median([np.median(np.abs(b - np.median(b))) for b in blocks]))
    se = _median_se(spread, min(b.size for b in blocks))
    gain = float(np.max(medians[1:]) - medians[0])
    if gain > RETURN_GAIN_SE * se:
        return None
    # ... nor above its very first episodes, the most random of all: a tabular agent that
    # learned in its first 50 of 1000 episodes (score -101 while it wandered, 1 ever after)
    # has a first fifth already at its level, and it did learn
    head = y[:max(RETURN_HEAD_MIN, y.size // RETURN_HEAD_SHARE)]
    if head.size < blocks[0].size:
        if float(np.max(medians[1:]) - np.median(head)) > RETURN_GAIN_SE * max(_median_se(spread, head.size), se):
            return None
    n = int(y.size)
    ev = {"return": name, "points": n, "first_fifth_median": float(medians[0]), "last_fifth_median": float(medians[-1]),
          "best_later_gain": gain, "standard_error": se}
    msg = (f"{series.raw_name or name} never rose above where it started: median {fv(medians[0])} over the first "
           f"fifth of its {n} {'episodes' if 'episode' in ctx.history.series else 'points'}, {fv(medians[-1])} over "
           f"the last, and no fifth in between beyond its scatter: the agent scores at the end what it scored while "
           f"its actions were mostly random, so it has learned nothing (an agent's chance level)")
    found = finding("chance_level", "warning", msg, ctx, span=finite_span(series), evidence=ev)
    found.explanation = _codes.explanation("chance_level", "agent")
    return found


def _chance_tol(L: Curve, C: float, ctx: Context) -> float:
    """How far the level of loss curve ``L`` may sit from the chance level ``C``: a share of it,
    or the curve's own noise over its later half."""
    return max(ctx.th.chance_rel_tol * C, 3 * L.sigma / math.sqrt(max(1, L.n // 2)), 5e-3)


def falling_in_a_straight_line(L: Curve, ctx: Context) -> bool:
    """Loss curve ``L`` falls beyond its noise in each half of the run, the second half by at
    least ``lr_low_linearity`` of the first's fall (lr_too_low's bar for no deceleration): a
    model learning at a crawl (LABELS.md: lr_too_low, "a slow, nearly straight decline from
    start to end"), however near the chance level it still is (0.697 -> 0.678 over 80 epochs at
    lr 1e-4, around H(0.578) = 0.681). A model at the prior does not keep falling; one sliding
    down *to* it bends and flattens."""
    if L.n < 2 * ctx.th.short_run:
        return False
    half = L.n // 2
    falls = []
    for xs, ys in ((L.x[:half], L.y[:half]), (L.x[half:], L.y[half:])):
        _, z = stats.trend(xs, ys, L.sigma)
        if not z < -ctx.th.z_trend:
            return False
        falls.append(float(np.median(ys[:3]) - np.median(ys[-3:])))
    return falls[1] > 0 and falls[1] >= ctx.th.lr_low_linearity * falls[0]


#: how far below the least a constant answer scores a loss must sit to prove the model is none
BELOW_CONSTANT = 0.9


def beats_every_constant(L: Curve, A: Curve) -> bool:
    """The loss over the second half of the run sits below what any constant answer scores at
    the accuracy logged beside it (median ratio under ``BELOW_CONSTANT``). A constant answer's
    accuracy is its class's share ``a`` of the rows (the largest share or not: on a val split the
    train majority need not lead), and its cross-entropy on those rows is at least their
    entropy, which is at least H(a), all the other rows in one class. The loss and the accuracy
    are one split's. A segmenter at pixel accuracy 0.9999 with val loss 0.0008 against H = 0.0011
    tells the pixels apart, however close both numbers are to a prior's."""
    x, y = L.tail(0.5, min_points=min(3, L.n))
    if A.n < 2 or not np.all((A.y >= 0) & (A.y <= 1)):
        return False
    a = np.interp(x, A.x, A.y)
    ok = (a > 0) & (a < 1)
    if not np.any(ok):
        return False
    bound = np.array([stats.binary_entropy(v) for v in a[ok]])
    return bool(np.median(y[ok] / np.maximum(bound, 1e-12)) < BELOW_CONSTANT)


def _loss_at_chance(ctx: Context) -> Finding | None:
    C = ctx.chance_loss
    if C is None or ctx.facts.get("chance_from_first_loss"):
        return None  # a level guessed from the first loss is not evidence of chance
    V = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n >= 2 else None
    T = ctx.loss if ctx.loss is not None and ctx.loss.n >= 2 else None
    L = V or T
    if L is None:
        return None
    upper = ctx.facts.get("chance_upper") or C
    tol = _chance_tol(L, C, ctx)
    level = tail_level(L, 0.5)
    above = None
    if V is not None and T is not None and level > upper + tol and accuracy_curve(ctx) is not None:
        # validation scores worse than any constant guess (a confident answer, wrong on the val
        # split, or a val loss blown up while the model never left the prior): the train loss
        # says whether the model learned anything, and if it sits at chance, it did (the
        # accuracy must then say so too, below)
        above, L = level, T
        tol = _chance_tol(L, C, ctx)
        level = tail_level(L, 0.5)
    # a constant predictor scores between H(prior) (predicting the prior) and ln K (uniform);
    # judged on the train loss, a few percent below that is memorising while validation stays
    # at chance (its accuracy is checked below)
    floor = min(C - tol, MEMORISING_SHARE * C) if above is not None else C - tol
    if not (floor <= level <= upper + tol):
        return None
    # it stays there: the second half does not trend away from chance
    x, y = L.tail(0.5, min_points=min(3, L.n))
    _, z = stats.trend(x, y, L.sigma)
    if z < -ctx.th.z_trend and (y[0] - y[-1]) > tol and y[-1] < C - tol:
        return None  # falling through the chance level: learning (sliding down *to* it is not)
    if falling_in_a_straight_line(L, ctx) and head_level(L) - tail_level(L, 0.15) >= ctx.th.chance_crawl_share * tol:
        return None  # learning at a crawl from start to end: lr_too_low's to name (a drift of a
        # quarter of the band around chance, 0.6938 -> 0.6888 in 50 epochs, is no crawl out of it)
    ev: dict[str, Any] = {"loss_level": level, "chance_loss": C, "chance_source": ctx.chance_source,
                          "distance": level - C, "curve": L.name}
    if above is not None:
        ev["val_loss_level"] = above
    elif V is not None and T is not None:
        t_level = tail_level(T, 0.5)
        ev["train_loss_level"] = t_level
        if t_level < MEMORISING_SHARE * C:
            return None  # train learned (memorised) well below chance: val_not_improving speaks
    if class_scores_moved(ctx):
        return None  # a constant answer scores one F1 / AUC, epoch after epoch
    A = accuracy_curve(ctx)
    acc_text = ""
    flipped = ""
    if A is not None and A is ctx.val_metric and ctx.metric is not None and flips_between_classes(A):
        # the val accuracy jumps between the classes' shares (0.112, then 0.888): one answer for
        # every row, a different one from evaluation to evaluation; the train accuracy says the rate
        flipped = (f" ({A.name} jumps between class shares, {fv(float(np.min(A.y)))} to {fv(float(np.max(A.y)))}: "
                   "one answer for every row, flipping)")
        A = ctx.metric
    if A is not None and (A is ctx.val_metric) == (L is ctx.val_loss) and beats_every_constant(L, A):
        return None  # a loss below what any constant answer scores at its accuracy: it learned
    if A is not None:
        acc = tail_level(A, 0.5)
        ev["accuracy_level"] = acc
        ax, ay = A.tail(0.5, min_points=min(3, A.n))
        _, az = stats.trend(ax, ay, A.sigma)
        # one example more or less right moves the accuracy of a small val set by 1/n: a rise
        # must beat that sampling noise (iris: 30 rows, 0.30 -> 0.37 is two examples)
        se = accuracy_sampling_error(A, acc)
        if az > ctx.th.z_trend and (ay[-1] - ay[0]) > max(ctx.th.chance_acc_tol, 2 * se):
            return None  # accuracy is still rising: it is learning, slowly
        if ctx.majority_rate is not None:
            ev["majority_rate"] = ctx.majority_rate
            if acc > ctx.majority_rate + max(ctx.th.chance_acc_tol, 3 * A.sigma, 2 * se):
                return None  # it beats always guessing the majority class
            if A.n >= 2 and float(np.min(A.y[-2:])) > ctx.majority_rate + max(ctx.th.chance_acc_tol, 2 * se):
                # the last two evaluations beat it beyond sampling noise (a short, fast-rising
                # accuracy curve inflates its own noise estimate, which must not hide that):
                # the features are used, even if the loss has not left chance yet
                return None
            # the rate is the training rows' (the class prior the run recorded): a validation
            # split's own majority share can differ in the third digit
            of_train = " of the training rows" if "class prior" in (ctx.chance_source or "") else ""
            acc_text = (f"; {A.name} {acc:.3f} is no better than always guessing the majority "
                        f"class ({ctx.majority_rate:.3f}{of_train}){flipped}")
        else:
            acc_text = f"; {A.name} {acc:.3f}"
    smooth_min = float(np.min(L.smoothed()))
    ev["lowest_loss"] = smooth_min
    if smooth_min < C - 3 * tol:
        # it had learned (its loss well below what any constant scores) and lost it: LABELS.md,
        # "a run that learned, then blew up, is diverging", not a model that learned nothing
        return None
    earlier = ""
    if above is not None:
        earlier += (f"; {V.name} sits above it (median {fv(above)} over its second half, {fv(V.logged_last)} at the "
                    "last): worse than always giving one answer")
    below = level < C - tol
    where = f"{(C - level) / C:.0%} below the chance level" if below else "the chance level"
    memorised = ", a few training rows memorised" if below else ""
    msg = (f"{L.name} stays at {fv(level)}, {where} {fv(C)} ({ctx.chance_source}){memorised}{acc_text}: "
           f"the model predicts the class prior and has learned nothing from the features{earlier}")
    return finding("chance_level", "error", msg, ctx, span=(L.x[0], L.x[-1]), evidence=ev)
