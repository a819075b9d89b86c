"""Finding code -> plain explanation and ranked remedies.

Remedies name run-config leaf keys (DESIGN.md) where one exists, so ``doctor`` can apply
them and a user can copy them. Numbers are relative to the config they are applied to
(``train.lr: x0.1``, ``model.hidden: x2``; :mod:`fitdoctor.remedies_apply` resolves and
checks them), never under ``data.split``. The run's facts (the best epoch) come from the
finding's evidence.
"""

from __future__ import annotations

from typing import Any, Mapping

from fitdoctor import codes as _codes
from fitdoctor.findings import Remedy

#: code -> explanation, read from the code table (fitdoctor.codes), the one home of each code.
EXPLANATIONS: dict[str, str] = _codes.EXPLANATIONS


def _es(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """Early stopping that keeps the best weights: switched on when it is off (the default
    patience); an early stopping already there keeps its patience (never shortened)."""
    return {"train.early_stopping.restore_best": True}


def _stop_early_text(ev: Mapping[str, Any], best_at: Any) -> str:
    """Where to stop: at the best epoch, or, when validation has only wandered near its level
    since some epoch (the gap-widening kind), from there on: its lowest point later is a dip."""
    axis = ev.get("axis", "epoch")
    flat = ev.get("flat_since")
    if isinstance(flat, (int, float)) and flat != ev.get("best_at"):
        return (f"stop early: validation has been flat since {axis} {_position(flat)}; early "
                "stopping that restores the best weights stops about there")
    return f"stop at the best {axis} ({_position(best_at)}) with early stopping that restores the best weights"


def _position(at: Any) -> Any:
    """An epoch or step as a reader would write it: 12, not 12.0; 1.96, not 1.9595835884874464
    (a Trainer's fractional epoch)."""
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        return at
    if float(at) == int(at) or abs(at) >= 100:
        return int(round(at))
    return f"{at:.3g}"


#: Relative changes (resolved against the config by :mod:`fitdoctor.remedies_apply`).
LOWER_LR = {"train.lr": "x0.1"}
HIGHER_LR = {"train.lr": "x10"}


def _adam_default() -> Remedy:
    """A known-good start when the lr is off by orders of magnitude (absolute on purpose: the
    usual Adam lr, whatever the config had)."""
    return Remedy("or Adam at its usual lr 1e-3", {"train.optimizer": "adam", "train.lr": 1e-3},
                  "a known-good start when the lr is far off in either direction")


def remedies_for(code: str, evidence: Mapping[str, Any] | None = None) -> list[Remedy]:
    """Ranked remedies for a finding; the first is the one to try first.

    ``config_changes`` are relative to the config they are applied to (``train.lr: x0.1`` is a
    tenth of the config's lr, its starting lr, never of a value a schedule decayed it to), on
    leaf keys, and never under ``data.split`` (the test rows and their seed): see
    :mod:`fitdoctor.remedies_apply`, which resolves and checks them.
    """
    ev = dict(evidence or {})
    lr = ev.get("lr_last") or ev.get("lr")
    best_at = ev.get("best_at", "?")
    if isinstance(best_at, float) and best_at == int(best_at):
        best_at = int(best_at)
    R = Remedy
    lr_first = ev.get("lr_first")
    lr_vanished = ("lr_mid_flat" in ev or "lr_at_flat_start" in ev
                   or (isinstance(lr_first, (int, float)) and isinstance(lr, (int, float))
                       and lr_first > 0 and lr < 1e-2 * lr_first))
    plateau = [
        R("lower the learning rate 10x and decay it when the loss stops improving",
          {**LOWER_LR, "train.schedule": "plateau"}, "a too-high lr bounces around the minimum"),
        R("if a schedule shrank the lr to almost nothing, use a gentler one (cosine) or a higher "
          "floor", {"train.schedule": "cosine"}, "a vanished lr freezes the weights"),
        R("try a smaller batch size (half, not below 8)", {"train.batch_size": "x0.5>=8"},
          "noisier steps escape flat regions"),
    ]
    if lr_vanished:  # lowering an lr that is already ~0 would be the wrong way round
        plateau = [
            R("keep the starting learning rate alive: a gentler schedule (cosine) instead of one that "
              "shrinks it to almost nothing (the config's starting lr stays)",
              {"train.schedule": "cosine"}, "a vanished lr freezes the weights"),
            R("or no schedule at all: the starting lr throughout", {"train.schedule": "none"},
              "the weights were still far from a minimum when they stopped moving"),
            R("train again from where it froze with the lr restored, if the run is too long to repeat",
              {}, "the weights were still far from a minimum when they stopped moving"),
        ]
    table: dict[str, list[Remedy]] = {
        "healthy": [R("keep this setup; optionally tune lr and regularization with validation",
                      {}, "nothing to fix")],
        "still_improving": [
            R("train for 3x the epochs, with early stopping that keeps the best weights instead of a "
              "fixed count", {"train.epochs": "x3", "train.early_stopping.restore_best": True},
              "validation was still improving at the last epoch" if ev.get("curve", "val") == "val"
              else "training was still improving at the last epoch (no validation was logged)"),
            R("if time is short, raise the learning rate a little (3x)", {"train.lr": "x3"},
              "a faster start reaches the same point sooner"),
        ],
        "overfitting": [
            R(_stop_early_text(ev, best_at), _es(ev), "the weights after the best one are worse on unseen data"),
            R("add dropout (0.2 more, at most 0.5)", {"model.dropout_rate": "+0.2<=0.5"},
              "less co-adaptation, less memorising"),
            R("add weight decay (L2: 10x, at least 1e-4)", {"model.l2": "x10>=1e-4"},
              "penalises the large weights memorising needs"),
            R("use a smaller model (half the width), or more data / augmentation", {"model.hidden": "x0.5"},
              "less capacity to memorise"),
        ],
        "plateau": plateau,
        "chance_level": [
            R("check that the reward reaches the update: the return and done flags stored in the replay "
              "buffer or rollout, the discount, the target the loss regresses on", {},
              "an agent trained on a broken reward signal stays a random policy"),
            R("check the exploration: epsilon (or the entropy bonus) should decay, and learning should start "
              "once the buffer holds enough transitions", {}, "an agent that never acts on what it learned "
              "scores what random play scores"),
            R("run an lr range test on the agent's loss (x0.1 to x10 of the current lr)", {},
              "a wrong lr can leave the value or policy network where it began"),
        ] if "return" in ev else [
            R("check the pipeline: do labels match rows, and do features carry signal? "
              "(fit a logistic regression on the same split)", {}, "a broken label or feature pipeline "
              "is the most common cause"),
            R("standardize the features", {"data.scale": "standard"},
              "unscaled inputs saturate units and stall the optimiser"),
            R("run an lr range test (x0.1 to x10 of the current lr); first try it 10x lower",
              LOWER_LR, "a wrong lr can leave the network predicting the prior"),
            R("or 10x higher", HIGHER_LR, "a wrong lr can leave the network predicting the prior"),
            _adam_default(),
            R("overfit one small batch: if even that fails, the model or loss is wired wrong", {},
              "separates optimisation bugs from data problems"),
        ],
        "underfitting": [
            R("use a bigger model (twice the width)", {"model.hidden": "x2"},
              "more capacity to fit the training data"),
            R("reduce regularization (half the dropout, a tenth of L1/L2)",
              {"model.dropout_rate": "x0.5", "model.l2": "x0.1", "model.l1": "x0.1"},
              "regularization that is too strong keeps the model from fitting"),
            R("train with a higher learning rate (3x)", {"train.lr": "x3"}, "the fit may not have finished"),
            R("train longer (2x the epochs)", {"train.epochs": "x2"}, "the fit may not have finished"),
        ],
        "diverging": [
            R("lower the learning rate 10x", LOWER_LR, "updates overshoot"),
            R("clip gradients (norm at most 1)", {"train.grad_clip": "<=1"}, "bounds the size of each update"),
            R("use warmup or batch norm", {"model.batch_norm": True}, "stabilises the early updates"),
            _adam_default(),
        ],
        "non_finite": [
            R("lower the learning rate 10x", LOWER_LR, "the most common cause of a loss blowing up mid-run"),
            R("clip gradients (norm at most 1)", {"train.grad_clip": "<=1"},
              "stops one bad batch from exploding the weights"),
            _adam_default(),
            R("check the data for NaN/inf and use a numerically stable loss (from logits)", {},
              "NaN from the first step points at the data or the loss, not the lr"),
        ],
        "oscillating": [
            R("use a larger batch (4x)", {"train.batch_size": "x4"}, "averages out gradient noise"),
            R("lower the learning rate (3x)", {"train.lr": "x0.3"}, "smaller steps swing less"),
            R("use Adam at its usual lr 1e-3 (an lr tuned for SGD is far too large for Adam)",
              {"train.optimizer": "adam", "train.lr": 1e-3}, "averages update directions"),
        ],
        "val_not_improving": [
            R("check the split: shuffle and stratify (data.split.shuffle, data.split.stratify), and make "
              "sure val comes from the same distribution; a new split means new test rows, so do it by hand "
              "and compare from scratch", {}, "an unshuffled or shifted val set cannot improve"),
            R("regularize (dropout 0.2 more, at most 0.5; weight decay 10x, at least 1e-4)",
              {"model.dropout_rate": "+0.2<=0.5", "model.l2": "x10>=1e-4"}, "reduces memorising"),
            R("get more training data", {}, "more data generalises better"),
        ],
        "suspicious_validation": [
            R("re-split shuffled and stratified (data.split.shuffle, data.split.stratify), and remove "
              "duplicate rows before splitting; by hand: a new split means new test rows", {},
              "duplicates across train and val make val look better than it is"),
            R("run `fitdoctor check-data` to look for overlap between train and val", {},
              "finds identical rows across splits"),
        ],
        "lr_too_high": [
            R("lower the learning rate 10x", LOWER_LR, "updates overshoot the minimum"),
            R("decay the learning rate (cosine, or reduce on plateau)", {"train.schedule": "cosine"},
              "large steps early, small steps to settle"),
            _adam_default(),
            # the step's noise, not its size, may be what overshoots: the same lr on a 4x batch
            # averages each step over 4x the rows (oscillating's first remedy; the two share runs)
            R("use a larger batch (4x) at the same lr", {"train.batch_size": "x4"},
              "each step averages out more gradient noise"),
        ],
        "lr_too_low": [
            R("raise the learning rate 10x (or run an lr range test)", HIGHER_LR,
              "steps are too small to make progress"),
            *([R("use Adam at its usual lr 1e-3", {"train.optimizer": "adam", "train.lr": 1e-3},
                 "adapts step sizes per weight")]
              # not when the run's lr is 1e-3 or more: it would lower an lr found too low
              if not (isinstance(lr, (int, float)) and lr >= 1e-3) else []),
        ],
    }
    if lr_vanished and code in ("lr_too_low", "underfitting", "still_improving"):
        # the lr a schedule decayed to nothing: the fix is the schedule, not the starting lr
        table[code] = [plateau[0], plateau[1], *table[code]]
    planned, done = ev.get("planned"), ev.get("done")
    if code == "still_improving" and isinstance(planned, (int, float)) and isinstance(done, (int, float)):
        # the log ended before its own schedule did: finishing it comes first, not 3x more
        what = ev.get("planned_unit", "step")
        stopped = f"{done:.0f}" if done >= 1 else f"{done:.2g}"  # inside its first epoch: how far
        table[code] = [R(f"let the run finish: resume from its last checkpoint to {what} {planned:.0f} as planned "
                         f"(it stopped at {what} {stopped}), keeping the best weights by validation", {},
                         "the run was still improving when the log ends"), *table[code]]
    if code == "below_baseline":
        table[code] = _below_baseline(ev)
    if code in ("needs_more_data", "data_saturated"):
        table[code] = _learning_curve(code, ev)
    return table.get(code, [])


def _below_baseline(ev: Mapping[str, Any]) -> list[Remedy]:
    """Use the baseline, or give the network what it lacks and show it wins."""
    name = ev.get("baseline_label") or ev.get("baseline") or "the baseline"
    out = [Remedy(f"use the baseline ({name}): it scores as well or better here, and is cheaper to "
                  "train, serve and explain", {}, "a network must beat it beyond noise to earn its cost")]
    if ev.get("inputs_unscaled"):
        out.append(Remedy("standardize the inputs, then compare again", {"data.scale": "standard"},
                          "an MLP on raw features rarely beats a linear model that scales them"))
    out.append(Remedy("give the network what it lacks (twice the width, half the dropout), then show "
                      "on validation that it wins",
                      {"model.hidden": "x2", "model.dropout_rate": "x0.5"},
                      "the network is only worth keeping if it beats the baseline"))
    if ev.get("holdout"):
        out.append(Remedy("compare on repeated k-fold so the difference has error bars (data.split.method: "
                          "kfold, data.split.repeats: 3; the test rows stay, but the comparison starts over)",
                          {}, "one holdout split cannot separate models a few points apart"))
    return out


def _learning_curve(code: str, ev: Mapping[str, Any]) -> list[Remedy]:
    """More rows when the curve still rises; otherwise what the flat curve's kind calls for."""
    R = Remedy
    if code == "needs_more_data":
        return [R("collect more labelled rows: the validation score still rises with every doubling", {},
                  "the learning curve has not flattened"),
                R("until then, augment the data or regularise (dropout 0.2 more, weight decay 10x)",
                  {"model.dropout_rate": "+0.2<=0.5", "model.l2": "x10>=1e-4"}, "stretches the rows there are")]
    kind = ev.get("kind")
    if kind == "chance":
        fix = [R("fix the pipeline, not the amount of data: check that labels match rows and features "
                 "carry signal (fit a logistic regression on the same split)", {},
                 "a model at chance at every size learns nothing from the features")]
        if ev.get("scale") != "standard":
            fix.insert(0, R("standardize the features", {"data.scale": "standard"},
                            "unscaled inputs leave the network stuck at the class prior"))
        return fix
    if kind == "variance":
        return [R("regularise: dropout (0.2 more, at most 0.5) and weight decay (10x, at least 1e-4)",
                  {"model.dropout_rate": "+0.2<=0.5", "model.l2": "x10>=1e-4"}, "train stays far above validation"),
                R("use a smaller model (half the width)", {"model.hidden": "x0.5"}, "less capacity to memorise")]
    return [R("give the model more capacity (twice the width)", {"model.hidden": "x2"},
              "train and validation meet: bias"),
            R("engineer better features, or regularise less (half the dropout, a tenth of the weight decay)",
              {"model.dropout_rate": "x0.5", "model.l2": "x0.1"}, "more rows of the same features will not help")]
