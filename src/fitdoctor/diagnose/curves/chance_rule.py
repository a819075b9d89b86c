"""chance_level: the model predicts the class prior and learned nothing from the features."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import stats
from fitdoctor.diagnose.base import Context, head_level, rule, tail_level
from fitdoctor.diagnose.chance import accuracy_curve
from fitdoctor.diagnose.curves.messages import finding, fv
from fitdoctor.diagnose.curves.shape import accuracy_sampling_error, rows_behind_accuracy
from fitdoctor.findings import Finding


#: constant predictions: at least this many evaluations ...
CONSTANT_MIN_EVALS = 5
#: ... this share of them at one class's share (or, binary, at it or its complement) ...
CONSTANT_SHARE = 0.8
#: ... while the val loss (else the train loss) moves by this share of its level meanwhile
CONSTANT_LOSS_MOVE = 0.2
#: a val accuracy identical at every evaluation is only telling on a val set this large (9 of 10
#: right at every epoch is a converged model on a tiny set as easily as a constant class)
CONSTANT_MIN_ROWS = 200


def constant_predictions(ctx: Context) -> Finding | None:
    """Validation accuracy that never moves off one class's share while training moves: the
    same value (to 6 digits) at nearly every evaluation, or, binary, a value p and its
    complement 1-p (every example given one class, then the other). The model gives every
    validation example the same class; what its loss does meanwhile is the confidence of that
    one answer. Needs no class prior: the accuracy itself is the prior's share."""
    A = ctx.val_metric if ctx.metric_name == "accuracy" else None
    T = ctx.loss
    if A is None or T is None or A.n < CONSTANT_MIN_EVALS or T.n < 2 or A.n_raw != A.n:
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
    if share < CONSTANT_SHARE:
        return None
    # the fewest rows that value can be a share of (0.9: 10 rows; a float32 0.9866071939 of a
    # segmenter's pixels: more than any val set we could count)
    n = rows_behind_accuracy(A.y) or rows_behind_accuracy(np.array([p]), min_distinct=1)
    if not binary and n is not None and n < CONSTANT_MIN_ROWS:
        return None
    # the losses move while the answers do not: over the evaluations at that share, the val
    # loss (else the train loss) changes by a good part of its level. A run frozen by a
    # collapsed lr keeps its accuracy because nothing changes at all: the plateau rule's
    L = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n >= 2 else T
    xs = A.x[same | flipped]
    moved = np.interp(xs, L.x, L.y) if L.n >= 2 else np.array([0.0])
    top = float(np.max(np.abs(moved)))
    if top <= 0 or (float(np.max(moved)) - float(np.min(moved))) < CONSTANT_LOSS_MOVE * top:
        return None
    ev: dict[str, Any] = {"val_accuracy_value": p, "share_of_evaluations": share, "evaluations": A.n,
                          "loss_moved": L.name, "loss_first": float(moved[0]), "loss_last": float(moved[-1])}
    if n is not None:
        ev["val_rows"] = n
    if binary:
        ev["complement"] = 1.0 - p
        what = (f"{A.name} is {p:.4g} or its complement {1 - p:.4g} at {share:.0%} of its {A.n} evaluations "
                f"(every validation example given one class, then the other)")
    else:
        what = f"{A.name} is {p:.6g} at {share:.0%} of its {A.n} evaluations"
    msg = (f"{what} while {L.name} went {fv(float(moved[0]))} -> {fv(float(moved[-1]))}: the model gives every "
           f"validation example the same class, and {p:.4g} is that class's share; it has learned "
           f"nothing it can use on unseen data")
    return finding("chance_level", "error", msg, ctx, span=(A.x[0], A.x[-1]), evidence=ev)


@rule("curves")
def chance_level(ctx: Context) -> Finding | None:
    """The loss at the entropy of the prior (the opening story's 0.688 = H(0.55)), else a val
    accuracy stuck at one class's share while the losses move (no prior needed)."""
    return _loss_at_chance(ctx) or constant_predictions(ctx)


def _loss_at_chance(ctx: Context) -> Finding | None:
    C = ctx.chance_loss
    if C is None or ctx.facts.get("chance_from_first_loss"):
        return None  # a level guessed from the first loss is not evidence of chance
    V = ctx.val_loss if ctx.val_loss is not None and ctx.val_loss.n >= 2 else None
    L = V or (ctx.loss if ctx.loss is not None and ctx.loss.n >= 2 else None)
    if L is None:
        return None
    tol = max(ctx.th.chance_rel_tol * C, 3 * L.sigma / math.sqrt(max(1, L.n // 2)), 5e-3)
    upper = ctx.facts.get("chance_upper") or C
    level = tail_level(L, 0.5)
    # a constant predictor scores between H(prior) (predicting the prior) and ln K (uniform)
    if not (C - tol <= level <= upper + tol):
        return None
    # it stays there: the second half does not trend away from chance
    x, y = L.tail(0.5, min_points=min(3, L.n))
    _, z = stats.trend(x, y, L.sigma)
    if z < -ctx.th.z_trend and (y[0] - y[-1]) > tol and y[-1] < C - tol:
        return None  # falling through the chance level: learning (sliding down *to* it is not)
    ev: dict[str, Any] = {"loss_level": level, "chance_loss": C, "chance_source": ctx.chance_source,
                          "distance": level - C, "curve": L.name}
    if V is not None and ctx.loss is not None and ctx.loss.n >= 2:
        t_level = tail_level(ctx.loss, 0.5)
        ev["train_loss_level"] = t_level
        if t_level < 0.85 * C:
            return None  # train learned (memorised) well below chance: val_not_improving speaks
    A = accuracy_curve(ctx)
    acc_text = ""
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
                        f"class ({ctx.majority_rate:.3f}{of_train})")
        else:
            acc_text = f"; {A.name} {acc:.3f}"
    smooth_min = float(np.min(L.smoothed()))
    ev["lowest_loss"] = smooth_min
    earlier = ""
    if smooth_min < C - 3 * tol:
        earlier = f"; it had reached {fv(smooth_min)} earlier and fell back"
    msg = (f"{L.name} stays at {fv(level)}, the chance level {fv(C)} ({ctx.chance_source}){acc_text}: "
           f"the model predicts the class prior and has learned nothing from the features{earlier}")
    return finding("chance_level", "error", msg, ctx, span=(L.x[0], L.x[-1]), evidence=ev)
