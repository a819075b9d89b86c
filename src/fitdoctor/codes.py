"""The code table: the one home of every finding code's facts.

A finding code (FINDINGS.md, public API) is defined here once: its family (which kind of rule
emits it), its priority (root cause first within a severity; the curve codes follow the
practitioner's tie order of ../shared/LABELS.md), which codes it explains away when both fire,
and the explanation shown under every finding. Rules, the resolver, ``--mute``, the report and
the docs read this table; the ranked remedies for each code live beside it in
:mod:`fitdoctor.remedies` (they depend on the run's evidence and the user's config). Adding a
code means adding a row here (and to FINDINGS.md first), nothing else.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

FAMILIES = ("curves", "numerics", "internals", "data", "run")


@dataclass(frozen=True)
class Code:
    name: str
    family: str
    priority: int
    explanation: str
    #: codes this one makes redundant when both fire at warning or error (the first explains them)
    explains: tuple[str, ...] = ()
    #: explanations for the same code reached from other evidence (``probes``: the update/weight
    #: ratio of the built-in trainer's probes rather than the curves)
    variants: dict[str, str] = field(default_factory=dict)
    #: the finding is a prediction its remedies test ("more epochs would help", "this mechanism
    #: inside the net costs accuracy"): when ``doctor`` retrained with every one of them on the
    #: current config and none beat the noise on the selection score, the prediction is refuted
    #: there and the finding is kept as a note only. An observation of the curves a practitioner
    #: labels (overfitting, oscillating) is never refutable this way: it stays true of the run.
    refutable: bool = False
    #: the run already did the first remedy: early stopping put back the weights of its best
    #: epoch, so the model kept is not the overfit one; the finding is then a remark (info)
    answered_by_restored_best: bool = False


TABLE: tuple[Code, ...] = (
    Code('healthy', 'curves', 0,
         'The curves improved and settled (validation with training, where it is logged); nothing in the '
         'curves points at a problem.',
         explains=()),
    Code('still_improving', 'curves', 40,
         'The model was still getting better when training stopped (on validation, or on the '
         'training curve where no validation is logged): the run ended before it converged.',
         explains=(), refutable=True),
    Code('overfitting', 'curves', 72,
         'The model keeps fitting the training set while getting worse on data it has not seen: it '
         'is memorising instead of generalising.',
         # train falling away below a rising val is a model fitting its training data, the
         # opposite of one that cannot (a loss at 77% of the chance level is no proof of that)
         explains=('underfitting',), answered_by_restored_best=True),
    Code('plateau', 'curves', 65,
         'Both curves stopped moving well above where the run was heading. The optimiser is stuck: '
         'a learning rate too high to settle, or one that shrank too far to move.',
         explains=('underfitting',)),
    Code('chance_level', 'curves', 85,
         'The loss equals what a model that ignores its inputs and predicts the class prior would '
         'score, and accuracy equals always guessing the majority class: the model predicts the '
         'class prior; it has learned nothing from the features. More data will not fix this; the '
         'pipeline or the optimisation is broken.',
         # a model at its prior learned nothing a validation curve could lose: a val accuracy that
         # fell from one lucky early epoch back to the majority rate is no overfitting
         explains=('plateau', 'underfitting', 'val_not_improving', 'lr_too_low', 'still_improving', 'oscillating',
                   'overfitting'),
         variants={'agent': 'The agent scores at the end what it scored at the start, while its actions were mostly '
                            'random: the return a random policy gets is its chance level, and it never rose above it. '
                            'More episodes of the same loop will not fix this; the reward signal, the exploration '
                            'or the optimisation is broken.'}),
    Code('underfitting', 'curves', 45,
         'Training loss itself stays high and validation is close to it: the model cannot fit even '
         'the training data, so it lacks capacity, training time, or is over-regularised.',
         explains=()),
    Code('diverging', 'curves', 90,
         'Training loss grows instead of falling: the updates overshoot, which usually means the '
         'learning rate is too high for this model and initialisation.',
         explains=('plateau', 'underfitting', 'still_improving', 'oscillating', 'val_not_improving', 'lr_too_low', 'overfitting'),
         variants={'validation': 'The loss grows instead of falling on the only curve the log has, its validation: after a '
                                 'good phase the model was thrown far off, which usually means updates that overshoot '
                                 '(a learning rate too high for this model and initialisation).'}),
    Code('non_finite', 'numerics', 100,
         'A loss or metric became NaN or infinite; from that point on the run learns nothing and '
         'every later number is meaningless.',
         explains=('still_improving', 'plateau', 'underfitting', 'oscillating', 'lr_too_low', 'val_not_improving', 'lr_too_high')),
    Code('oscillating', 'curves', 60,
         'Epoch-to-epoch swings are large compared with the overall progress: the updates are too '
         'noisy (small batches) or too large (high learning rate).',
         explains=('underfitting',)),
    Code('val_not_improving', 'curves', 75,
         'Training loss falls but validation loss never does: what the model learns on the training'
         ' set does not transfer, which points at a validation set from another distribution, a '
         'broken split, or pure memorisation.',
         # a validation set that never learned is not one that was still learning when it stopped
         explains=('still_improving',)),
    Code('suspicious_validation', 'curves', 70,
         'Validation is better than training by more than regularisation can explain, or improves '
         'while training does not: the validation set is probably easier than, or leaked from, the '
         'training set.',
         explains=('underfitting',)),
    Code('lr_too_high', 'curves', 55,
         'A fast early drop followed by a loss that gets noisier or creeps back up is the signature'
         ' of a learning rate too high to settle into the minimum.',
         explains=('plateau', 'underfitting'),
         variants={'probes': 'Each step changes the weights by more than a few % of their size (update/weight ratio); updates that large overshoot instead of settling.'}),
    Code('lr_too_low', 'curves', 50,
         'The loss falls slowly along an almost straight line and is far from converged: each step '
         'is too small, so the run would need many times more epochs.',
         explains=('underfitting', 'plateau', 'still_improving'),
         variants={'probes': 'Each step changes the weights by less than about 0.001% of their size (update/weight ratio); at that pace training crawls.'}),
    Code('vanishing_gradients', 'internals', 80,
         'The gradient reaching the first layers is orders of magnitude smaller than at the output,'
         ' so the early layers barely learn: each sigmoid/tanh layer multiplies the gradient by its'
         ' derivative (at most 0.25 for sigmoid) on the way back.',
         explains=(), refutable=True),
    Code('exploding_gradients', 'internals', 92,
         'Gradient norms grew by orders of magnitude during training: each update overshoots, makes'
         ' the next gradient larger, and the weights run away (usually into NaN).',
         explains=(), refutable=True),
    Code('dead_relu', 'internals', 78,
         'Most ReLU units output zero for every sample of a batch. A dead unit passes no gradient, '
         'so it never recovers: the network has lost that capacity for good.',
         explains=(), refutable=True),
    Code('saturated_activations', 'internals', 76,
         'Most sigmoid/tanh units sit on their flat tails (|pre-activation| > 5), where the '
         'derivative is nearly zero, so they pass almost no gradient; typically the inputs are not '
         'scaled or the weights grew too large.',
         explains=(), refutable=True),
    Code('unscaled_features', 'data', 80,
         "A network's first layer weighs every input with weights of the same size: large or "
         'uncentred inputs saturate units and give some inputs gradients orders of magnitude larger'
         ' than others, so training stalls or learns only the largest column. Standardize with '
         'statistics from the training split only.',
         explains=()),
    Code('class_imbalance', 'data', 60,
         'With few minority examples the loss is dominated by the majority class; a model can score'
         ' well by mostly ignoring the minority, and accuracy hides it. Weight or resample the '
         'classes in training, and judge with F1, recall, balanced accuracy or ROC AUC.',
         explains=()),
    Code('misleading_accuracy', 'data', 55,
         'Accuracy counts correct answers, so on skewed labels a model that ignores its inputs and '
         'always answers the majority class looks good. Compare every accuracy with this baseline, '
         'and prefer metrics that the trivial answer cannot game.',
         explains=()),
    Code('train_val_overlap', 'data', 75,
         'A validation or test row that also appears in training is scored on something the model '
         'has memorised, so validation looks better than the model will do on new data and early '
         'stopping and tuning pick the wrong settings. Remove duplicates before splitting, or split'
         ' by group so copies stay together.',
         explains=()),
    Code('sorted_validation_split', 'data', 78,
         "Keras' validation_split takes the last rows before any shuffling, and an unshuffled split"
         ' does the same: on data sorted by label the validation set then holds other classes (or '
         'targets) than training, so validation loss says nothing about generalisation and can even'
         ' rise from the first epoch.',
         explains=()),
    Code('missing_values', 'data', 90,
         'A single NaN or inf in a batch makes the loss and every weight NaN: training then learns '
         'nothing. Impute (median, or a learned imputer fitted on the training split) or drop the '
         'rows, before scaling; inf usually comes from a division by zero upstream.',
         explains=()),
    Code('constant_features', 'data', 40,
         'A column with one value cannot help any model; it only costs parameters. Many constant '
         'columns at once usually mean a broken pipeline step (a filter or join that zeroed them).',
         explains=()),
    Code('needs_more_data', 'data', 40,
         'Trained on growing subsets of the training rows, the model still scores better on '
         'validation with every doubling of the rows, beyond the noise between seeds or folds: the '
         'data, not the model or the settings, is what limits it now.',
         explains=()),
    Code('id_like_feature', 'data', 82,
         'A row identifier carries no information about the target, only about the row: where it '
         'sits in the file (often sorted by time or label) or which entity it is. A network fed one'
         ' can fit the training rows by position, scores well on a split taken from the same order,'
         ' and fails on new rows; its large values also swamp the real features.',
         explains=()),
    Code('below_baseline', 'run', 35,
         'A simple model fitted on exactly the same training rows scores better on validation than '
         'the network. A network costs more to train, tune, serve and explain; it earns that only '
         'by winning, beyond the noise of the comparison. On small tabular data a linear model or '
         'gradient boosting often wins.',
         explains=()),
    Code('data_saturated', 'run', 40,
         'Trained on growing subsets of the training rows, the validation score stops rising: more '
         'rows of the same kind will not move it. What limits the model is bias (train and '
         'validation meet: too little capacity or too weak features), variance (train stays far '
         'above validation: regularise), or a broken pipeline when it sits at chance at every size.',
         explains=()),
)

BY_NAME: dict[str, Code] = {c.name: c for c in TABLE}
CODES: tuple[str, ...] = tuple(BY_NAME)
PRIORITY: dict[str, int] = {c.name: c.priority for c in TABLE}
EXPLAINS: dict[str, tuple[str, ...]] = {c.name: c.explains for c in TABLE if c.explains}
EXPLANATIONS: dict[str, str] = {c.name: c.explanation for c in TABLE}


def get(name: str) -> Code:
    """The row of ``name``; an unknown code is an error naming the nearest one."""
    try:
        return BY_NAME[name]
    except KeyError:
        near = difflib.get_close_matches(name, CODES, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise KeyError(f"unknown finding code {name!r}{hint}") from None


def explanation(name: str, variant: str | None = None) -> str:
    row = get(name)
    return row.variants.get(variant, row.explanation) if variant else row.explanation
