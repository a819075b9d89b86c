"""What a run's names and units mean, whatever it came from: a log file, or a dict, a Keras
History or a DataFrame handed to ``fitdoctor.diagnose``.

Each step reads a convention the names alone do not spell out (a percent accuracy, curves
named by their split alone, a perplexity without its loss) and says so in a note. One home,
so that the same numbers read the same from the command line and from Python.
"""

from __future__ import annotations

import numpy as np

from fitdoctor.history import SHORT_SPLITS, TRAIN_SPLITS, VAL_SPLITS, RunHistory, Series


def interpret(run: RunHistory) -> RunHistory:
    """``run`` with every convention below read (in place; safe to apply twice)."""
    bare_split_curves(run)
    named_loss_as_loss(run)
    running_loss_as_loss(run)
    error_as_loss(run)
    perplexity_as_loss(run)
    reconstruction_as_loss(run)
    percent_to_fraction(run)
    accuracy_held_out_by_the_loss(run)
    return run


#: a split's short words as hand loops print them alone ("tr=0.812 va=0.790")
_SHORT_TRAIN = tuple(w for w, split in SHORT_SPLITS.items() if split == "train")
_SHORT_HELD_OUT = tuple(w for w, split in SHORT_SPLITS.items() if split != "train")


def _read_as_loss(run: RunHistory, split: str, src: Series, why: str, after: str = "") -> None:
    """``src`` copied in as ``split``'s loss (``""`` for train, ``"val_"``), with a note: its
    name, ``why``, the loss it is read as, then ``after``."""
    run.add(f"{split}loss", src.steps.copy(), src.values.copy(), raw_name=src.raw_name, axis=src.axis)
    run.note(f"{src.raw_name!r}, {why}, read as the {'validation ' if split else ''}loss{after}")


def bare_split_curves(run: RunHistory) -> None:
    """Curves named by their split alone (``{"train": [...], "val": [...]}``, a hand loop's own
    history, or ``loss=0.41 tr=0.812 va=0.790`` printed each epoch) read as the loss they track,
    or as accuracy when the train curve rises and stays within [0, 1] or [0, 100]: the name gives
    no metric, and the direction does. A run that logs its own loss keeps it, so its bare split
    curves can only be the accuracy. Only with exactly one train curve and at least one held-out
    curve; ``test`` keeps its own name (``test_loss``)."""
    if run.get("val_loss") is not None:
        return
    train = [k for k in run.series if k in TRAIN_SPLITS + _SHORT_TRAIN]
    held = [k for k in run.series if k in VAL_SPLITS + _SHORT_HELD_OUT]
    if len(train) != 1 or not held:
        return
    t = run.series[train[0]].values
    t = t[np.isfinite(t)]
    if t.size < 2 or t[-1] == t[0]:
        return
    if t[-1] < t[0] and run.get("loss") is None:
        what = "loss"
    elif t[-1] > t[0] and t.min() >= 0 and t.max() <= 100 and run.get("accuracy") is None:
        what = "accuracy"
    else:
        return
    names = {train[0]: what, **{k: f"{'test' if k == 'test' else 'val'}_{what}" for k in held}}
    if len(set(names.values())) < len(names):
        return  # "val" and "valid" both: which one is the validation curve is not ours to pick
    run.series = {names.get(k, k): v for k, v in run.series.items()}
    shown = " and ".join(repr(run.series[n].raw_name or k) for k, n in names.items())
    run.note(f"{shown} name a split and no metric: read as the {'train and validation' if len(held) == 1 else 'split'} "
             f"{what} (the train curve {'falls' if what == 'loss' else 'rises'})")


#: what a loss is called when it goes by its function's name (a Lightning module that logs
#: ``train_cross_entropy`` / ``val_cross_entropy``, Keras's ``binary_crossentropy``, ProtoPNet's ``cross ent``)
_LOSS_FUNCTION_ENDINGS = ("_loss", "cross_entropy", "crossentropy", "cross_ent")
_LOSS_FUNCTION_NAMES = ("nll", "bce", "ce")


def _names_a_loss(name: str) -> bool:
    return name.endswith(_LOSS_FUNCTION_ENDINGS) or name in _LOSS_FUNCTION_NAMES


def named_loss_as_loss(run: RunHistory) -> None:
    """A run whose only loss carries a name of its own, for train and validation alike
    (``summary_loss`` and ``val_summary_loss``, ``total_loss`` and ``val_total_loss``, or the
    loss function's name: ``cross_entropy`` and ``val_cross_entropy``): that pair is the loss the
    rules judge. Left alone when the run logs ``loss`` or ``val_loss`` itself, or more than one
    named loss (a detector's box, class and objectness parts: none is the loss)."""
    if run.get("loss") is not None or run.get("val_loss") is not None:
        return
    named = [k for k in run.series if _names_a_loss(k) and not k.startswith(("val_", "test_")) and "/" not in k
             and "#" not in k]
    held_out_named = [k for k in run.series if k.startswith("val_") and _names_a_loss(k.removeprefix("val_"))]
    if len(named) != 1 or held_out_named != [f"val_{named[0]}"]:
        return
    train, val = named[0], f"val_{named[0]}"
    run.series = {{train: "loss", val: "val_loss"}.get(k, k): v for k, v in run.series.items()}
    run.note(f"{run.series['loss'].raw_name or train!r} and {run.series['val_loss'].raw_name or val!r}, the run's "
             "only loss, read as its train and validation loss")


#: the loss a loop prints for its current batch or as a running mean of them, by those words
_RUNNING_LOSSES = ("batch_loss", "minibatch_loss", "mini_batch_loss", "step_loss", "iter_loss", "running_loss")


def running_loss_as_loss(run: RunHistory) -> None:
    """A run that logs no ``loss`` but its batch's or a running one (``batch_loss is 13.28``
    beside ``classify loss``, ``angle loss`` and ``iou loss``, its parts; ``running_loss``): that
    is the loss it optimises. Only with exactly one such name, and no loss logged otherwise."""
    if run.get("loss") is not None:
        return
    found = [k for k in _RUNNING_LOSSES if k in run.series]
    if len(found) != 1:
        return
    _read_as_loss(run, "", run.series[found[0]], "the loss of each batch (or a running mean of them)",
                  " (no other loss is logged)")


#: the errors a regression minimises, as :func:`fitdoctor.history.canonical_name` writes them
#: (LightGBM names its mean squared and absolute errors ``l2`` and ``l1``), and the log losses
#: a boosted classifier minimises (LightGBM's ``binary_logloss``, XGBoost's ``mlogloss``)
_OBJECTIVE_ERRORS = ("mse", "rmse", "mae", "l2", "l1", "logloss", "binary_logloss", "multi_logloss", "mlogloss")


def error_as_loss(run: RunHistory) -> None:
    """A run that logs no loss and exactly one regression error (``Percent Good,Mean Squared
    Error``, a hand-written net's log; ``train_rmse`` / ``val_rmse``): that error is what it
    minimises, so it is the loss the rules judge, for each split that logs it. Left alone
    beside a logged loss (where the error is a metric) and beside two errors (``mse`` and
    ``mae``: which one is minimised is not ours to pick)."""
    if run.get("loss") is not None or run.get("val_loss") is not None:
        return
    bases = {k.removeprefix("val_") for k in run.series if k.removeprefix("val_") in _OBJECTIVE_ERRORS}
    if len(bases) != 1:
        return
    base = bases.pop()
    for split in ("", "val_"):
        src = run.series.get(f"{split}{base}")
        if src is None:
            continue
        _read_as_loss(run, split, src, "the run's only objective (no loss is logged)")


#: a perplexity's names, train and validation: exp of the token cross-entropy
_PERPLEXITY = {"": ("perplexity", "ppl"), "val_": ("val_perplexity", "val_ppl")}


def perplexity_as_loss(run: RunHistory) -> None:
    """A split whose loss is not logged but whose perplexity is (OpenNMT's "Validation perplexity:
    1.05"): its loss is ln(perplexity), the token cross-entropy the perplexity is the exp of. The
    rules judge a loss; a perplexity's scale (exp) would inflate every rise."""
    for split, names in _PERPLEXITY.items():
        if run.get(f"{split}loss") is not None:
            continue
        src = next((run.series[n] for n in names if n in run.series), None)
        if src is None:
            continue
        v = src.values[np.isfinite(src.values)]
        if not v.size or v.min() < 1:
            continue  # below 1 is no perplexity
        run.add(f"{split}loss", src.steps.copy(), np.log(src.values), raw_name=f"ln({src.raw_name})", axis=src.axis)
        run.note(f"{src.raw_name!r} read as the {'validation ' if split else ''}loss: ln(perplexity), the "
                 "cross-entropy it is the exp of (no loss of that split is logged)")


#: a VAE's reconstruction term printed beside its KL term, with no total ("Recon: 0.0384 | KL: 8.01")
_RECONSTRUCTION = ("recon", "reconstruction", "rec")
_KL = ("kl", "kld", "kl_div", "kl_divergence", "kl_loss")


def reconstruction_as_loss(run: RunHistory) -> None:
    """A VAE that prints its reconstruction and KL terms and no total: the reconstruction is the
    loss the rules judge (the KL term is a regulariser whose weight a warm-up often changes in
    mid-run, so its curve says little about the fit). ``recon`` becomes ``loss`` and
    ``val_recon`` ``val_loss``; left alone when either split logs a total, which a
    reconstruction term alone would be compared with as if it were one."""
    if not any(k in run.series for k in _KL) and not any(f"val_{k}" in run.series for k in _KL):
        return
    if run.get("loss") is not None or run.get("val_loss") is not None:
        return
    for split in ("", "val_"):
        name = next((f"{split}{k}" for k in _RECONSTRUCTION if f"{split}{k}" in run.series), None)
        if name is None:
            continue
        _read_as_loss(run, split, run.series[name], "a VAE's reconstruction term printed beside its KL term",
                      " (no total is logged)")


def percent_to_fraction(run: RunHistory) -> None:
    """Accuracy printed in percent (``Test Acc: 85.20%``) read as the fraction the rules expect.

    An accuracy can never exceed 1 as a fraction, so a series of them with values above
    1.5 and none above 100 is in percent; it is divided by 100, with a note.
    """
    for name, s in run.series.items():
        base = name.split("#")[0].removeprefix("val_")
        if not (base == "accuracy" or base.endswith("_accuracy") or base.startswith("accuracy_")):
            continue
        v = s.values[np.isfinite(s.values)]
        if v.size and v.min() >= 0 and 1.5 < v.max() <= 100:
            s.values = s.values / 100.0
            run.note(f"{s.raw_name!r} is in percent (up to {v.max():g}); read as a fraction")


#: a train loss this small (late median) ...
_TINY_LOSS = 0.05
#: ... beside an accuracy whose error is at least this many times what the loss allows
_ERROR_MARGIN = 10.0


def accuracy_held_out_by_the_loss(run: RunHistory) -> None:
    """An accuracy with no split in its name, beside a train loss too small for it to be scored on
    the rows that loss averages: a mean cross-entropy of L leaves at most L / ln 2 of those rows
    wrong (a wrong answer costs at least ln 2), so a loss of 0.01 beside an accuracy of 0.27
    (``Epoch 90: Loss = 0.0114 || Accuracy = 27.51%``, a hand loop scoring its held-out domain)
    is no train accuracy. Read as ``val_accuracy`` when, over the last third, the error is
    ``_ERROR_MARGIN`` times what the loss allows (room for a loss divided by its accumulation
    steps, or averaged differently) and the loss is under ``_TINY_LOSS``; only when nothing else
    is a validation accuracy."""
    acc, loss = run.get("accuracy"), run.get("loss")
    if acc is None or loss is None or run.get("val_accuracy") is not None or len(acc.values) < 6:
        return
    a, lv = acc.values[np.isfinite(acc.values)], loss.values[np.isfinite(loss.values)]
    if a.size < 6 or lv.size < 6 or a.min() < 0 or a.max() > 1:
        return
    a_late, l_late = float(np.median(a[-(a.size // 3):])), float(np.median(lv[-(lv.size // 3):]))
    if l_late <= 0 or l_late > _TINY_LOSS or 1 - a_late < _ERROR_MARGIN * l_late / np.log(2):
        return
    run.series["val_accuracy"] = run.series.pop("accuracy")
    run.note(f"{acc.raw_name!r} ends near {a_late:.3f} while the loss is down to {l_late:.3g}, which leaves at most "
             f"{l_late / np.log(2):.1%} of the rows it averages wrong: read as an accuracy on held-out data")

