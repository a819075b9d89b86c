"""How "learned nothing" is inferred from a log that does not say what the classes are."""

import math

import numpy as np

import fitdoctor as fd


def test_val_accuracy_steady_from_epoch_one_is_not_chance_when_train_accuracy_climbed_to_it():
    """A model that converged in its first epoch: val accuracy holds at 0.95 and val loss sits
    near H(0.95), but train accuracy climbed from 0.8 to 0.95: it learned, it is no constant."""
    n = np.arange(20)
    run = {"loss": list(0.2 + 0.3 * np.exp(-n / 2)), "accuracy": list(0.95 - 0.15 * np.exp(-n / 2)),
           "val_loss": list(0.22 + 0.004 * np.sin(n)), "val_accuracy": list(0.95 + 0.003 * np.cos(n))}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_blown_up_loss_far_above_ln_k_is_not_called_chance_level():
    n = np.arange(20)
    loss = 1.8 * np.exp(0.6 * np.maximum(n - 6, 0))
    run = {"loss": list(loss), "val_loss": list(loss * 1.1),
           "accuracy": list(0.17 + 0.002 * np.cos(n)), "val_accuracy": list(0.168 + 0.002 * np.sin(n))}
    d = fd.diagnose(run)
    assert d.top.code == "diverging" and "chance_level" not in d.codes


def test_a_loss_sliding_down_to_ln_k_from_above_is_still_chance_level():
    """Shuffled labels, 3 classes: the loss creeps from 1.14 towards ln 3 = 1.0986 as the model
    learns the prior, accuracy stays near 1/3. Falling *to* chance is not learning."""
    n = np.arange(40)
    run = {"loss": list(1.085 + 0.06 * np.exp(-n / 15)), "val_loss": list(1.098 + 0.045 * np.exp(-n / 15)),
           "val_accuracy": list(0.33 + 0.02 * np.sin(n))}
    assert fd.diagnose(run).top.code == "chance_level"


def test_a_regression_log_is_never_given_a_class_count():
    """A val MSE of 1.9 sits near ln 7, but a run logging MAE has no classes to guess among."""
    n = np.arange(40)
    run = {"loss": list(0.1 + 0.8 * np.exp(-n / 6)), "mae": list(0.25 + 0.5 * np.exp(-n / 6)),
           "val_loss": list(1.95 - 0.7 * np.exp(-n / 5)), "val_mae": list(1.15 - 0.2 * np.exp(-n / 5))}
    d = fd.diagnose(run)
    assert d.top.code == "val_not_improving" and "chance" not in d.top.message


def test_a_language_model_loss_that_fell_and_levelled_near_ln_k_is_not_chance_level():
    """A seq2seq fine-tune's token loss 2.00 -> 1.74 sits near ln 6 = 1.79 by accident: with
    no accuracy and no class count, a loss that fell 13% is no K-class guess."""
    n = np.arange(40)
    run = {"loss": list(1.74 + 0.26 * np.exp(-n / 6)), "val_loss": list(1.78 + 0.2 * np.exp(-n / 6))}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_loss_that_never_left_ln_k_is_chance_level_even_without_accuracy():
    rng = np.random.default_rng(1)
    run = {"loss": list(1.0986 + rng.normal(0, 0.002, 30)), "val_loss": list(1.0990 + rng.normal(0, 0.002, 30))}
    assert fd.diagnose(run).top.code == "chance_level"


def test_three_evaluations_at_an_imbalanced_majority_rate_are_no_constant_predictor():
    """Fine-tune evaluated 3 times: val accuracy 0.91, 0.907, 0.918 on a 91% majority task
    while train loss falls far below H(0.91): too few points to call it a constant guess."""
    run = {"loss": [0.99, 0.35, 0.14], "val_loss": [0.27, 0.25, 0.26], "val_accuracy": [0.91, 0.907, 0.918]}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_chance_level_guessed_from_the_first_loss_alone_is_not_drawn_or_quoted():
    """10-class digits whose epoch-averaged first loss had already fallen to 2.0 must not get a
    chance line at 'ln 7' in the summary the report draws from."""
    import numpy as np

    import fitdoctor as fd

    x = np.arange(40)
    loss = list(2.0 * np.exp(-x / 3) + 1e-3)
    val = list(1.5 * np.exp(-x / 3) + 0.3)
    acc = list(np.minimum(0.5 + x / 10, 1.0))
    d = fd.diagnose({"loss": loss, "val_loss": val, "accuracy": acc, "val_accuracy": acc})
    assert "chance_loss" not in d.summary


def test_a_loss_still_near_chance_with_accuracy_well_above_the_majority_is_no_constant_predictor():
    """A real 5-epoch run (SGD with momentum at a small lr): val loss creeps 0.70 -> 0.66 past
    H(prior) while val accuracy climbs 0.38 -> 0.84 against a majority rate of 0.63. It was
    called chance_level with 'val_accuracy 0.816 is no better than ... (0.628)'; the last two
    evaluations beat the majority beyond sampling noise, so the features are being used."""
    import pytest

    pytest.importorskip("torch", reason="the trainer needs the train extra (torch)")
    cfg = {"data": {"source": "sklearn:breast_cancer", "split": {"method": "holdout", "val": 0.2, "test": 0.2}},
           "model": {"hidden": [43, 43], "activation": "leaky_relu", "dropout_rate": 0.147, "l2": 1.1e-5},
           "train": {"epochs": 5, "lr": 0.00122, "optimizer": "momentum", "batch_size": 32}}
    d = fd.run_experiment(cfg).diagnosis
    acc = d.history.series["val_accuracy"].values
    assert acc[-1] > 0.75 and "chance_level" not in d.codes


def test_a_val_accuracy_held_at_exactly_one_fifth_with_the_loss_a_little_above_ln_5_is_chance():
    """No class count in the log: the accuracy gives it (1/5 exactly, every epoch: a constant
    answer among 5 balanced classes), and the val loss sits 3-5% above ln 5 = 1.609, as a
    constant slightly off on the val split does. Train accuracy hovers at 0.2 too."""
    run = {"loss": [2.017, 1.85, 1.82, 1.79, 1.78, 1.77, 1.765, 1.762],
           "accuracy": [0.196, 0.21, 0.218, 0.205, 0.2, 0.199, 0.207, 0.203],
           "val_loss": [3.912, 1.81, 1.697, 1.655, 1.668, 1.672, 1.681, 1.697], "val_accuracy": [0.2] * 8}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level", d.codes
    assert "1/5" in d.top.message or "ln 5" in d.top.message


def test_an_accuracy_near_one_fifth_on_a_loss_far_below_ln_5_is_not_read_as_five_classes():
    run = {"loss": [1.2, 0.9, 0.7, 0.6, 0.55, 0.52, 0.5, 0.49],
           "accuracy": [0.15, 0.17, 0.19, 0.2, 0.2, 0.2, 0.2, 0.2],
           "val_loss": [1.1, 0.85, 0.72, 0.66, 0.63, 0.61, 0.6, 0.6], "val_accuracy": [0.2] * 8}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_train_accuracy_that_climbed_inside_the_first_evaluation_window_is_no_constant_answer(tmp_path):
    """Validation every 5 epochs, train every epoch: read at the evaluations, the train accuracy's
    first window mean (0.80) hides its climb from 0.73, and an 84% ten-class model with a steady
    val accuracy was called chance (H(0.84)) at ERROR. The first logged value counts."""
    import math

    lines = []
    for e in range(1, 61):
        acc = 0.86 - 0.13 * math.exp(-(e - 1) / 1.5)
        line = f"Epoch {e:03d} | learning rate: 0.0500 | Train Loss: {0.46 + 0.38 * math.exp(-(e - 1) / 1.5):.4f} | Train Acc: {acc:.4f}"
        if e % 5 == 0:
            line += f" | Valid Loss: {0.50 + 0.03 * math.sin(e):.4f} | Valid Acc: {0.845 + 0.01 * math.cos(e):.4f}"
        lines.append(line + " | Epoch Time: 8.16 s")
    p = tmp_path / "train_log.txt"
    p.write_text("\n".join(lines) + "\n")
    assert "chance_level" not in fd.diagnose(fd.read_runs(str(p))[0]).codes


def _resumed_pretraining_log(rate: str, val: float = 4.06) -> str:
    lines = ["[Checkpoint] resumed from ./checkpoints/latest.pt at step 47700"]
    for k, step in enumerate(range(47700, 50000, 100)):
        lines.append(f"step {step:7d} | loss {val + 0.24 + 0.05 * (k % 3):.4f} | lr 1.79e-04 | grad 0.7 |{rate}")
        if step % 500 == 0:
            lines.append(f"  [eval] step {step:7d} | val_loss {val + 0.03 * (k % 2):.4f}")
    return "\n".join(lines) + "\n"


def test_a_language_models_flat_token_loss_is_not_chance_level(tmp_path):
    """A resumed LM pretraining whose val loss holds at ln 10: a 10-class guess by its numbers
    alone. A log that counts its throughput in tokens trains a language model, and LABELS.md
    rules its token loss out of chance_level."""
    path = tmp_path / "train.out"
    path.write_text(_resumed_pretraining_log(" 113.4k tok/s", val=math.log(10)))
    codes = [f.code for f in fd.diagnose(fd.read(path)).findings]
    assert "chance_level" not in codes
    path.write_text(_resumed_pretraining_log("", val=math.log(10)))  # the same numbers, nothing says "tokens"
    assert "chance_level" in [f.code for f in fd.diagnose(fd.read(path)).findings]


def test_a_flat_loss_near_ln_k_only_by_coincidence_is_no_class_prior(tmp_path):
    """A Faster R-CNN's summed loss flat at 4.70 for 20 epochs, no accuracy logged: read as 'ln 109,
    109 balanced classes'. Past ten classes every level sits within tolerance of some ln K; a loss
    that never moved is a stuck run (plateau), not evidence of a class prior."""
    path = tmp_path / "train.out"
    lines = [f"Epoch {e} | train loss {4.70 + 0.02 * ((e * 7) % 3 - 1):.4f} | val loss "
             f"{4.69 + 0.03 * ((e * 5) % 3 - 1):.4f} | lr 0.01" for e in range(20)]
    path.write_text("\n".join(lines) + "\n")
    d = fd.diagnose(fd.read(path))
    assert "chance_level" not in d.codes and d.top.code in ("plateau", "underfitting")


def test_a_first_loss_near_ln_k_is_no_class_count_when_the_first_accuracy_is_already_well_clear_of_1_over_k():
    """A pretrained net fine-tuned on 20 classes starts at loss 1.74 (near ln 5 by coincidence)
    with 44% accuracy, and settles at 1.18 / 0.71. Read as five classes, the run was "73% of
    the chance-level loss: underfitting"; an accuracy more than twice 1/5 at the first epoch says
    the first loss was no uniform guess among five."""
    n = np.arange(23)
    run = {"loss": list(1.18 + 0.56 * np.exp(-n / 6) + 0.05 * np.sin(n)),
           "accuracy": list(0.72 - 0.28 * np.exp(-n / 6) + 0.03 * np.cos(n)),
           "val_loss": list(1.15 + 0.40 * np.exp(-n / 6) + 0.06 * np.sin(2 * n)),
           "val_accuracy": list(0.78 - 0.32 * np.exp(-n / 6) + 0.04 * np.cos(2 * n))}
    d = fd.diagnose(run)
    assert "underfitting" not in d.codes and "chance_level" not in d.codes


def test_an_accuracy_held_at_a_99_percent_majority_is_not_chance_when_f1_climbed():
    """A DGA-domain LSTM on 99.6% benign traffic: accuracy holds at 0.995-0.996 (the majority
    share) and the loss at 0.33, between H(0.996) and ln 2, where a constant answer could sit.
    But val F1 went 0.69 -> 0.84: a constant answer scores one F1 every epoch. It learned."""
    e = np.arange(15)
    run = {"loss": list(0.33 + 0.07 * np.exp(-2 * e)), "val_loss": list(0.327 + 0.005 * np.exp(-e)),
           "accuracy": [0.9955 + 0.0005 * (i % 2) for i in e], "val_accuracy": [0.996 - 0.0005 * (i % 2) for i in e],
           "val_f1": list(0.84 - 0.15 * np.exp(-e) + 0.005 * np.sin(e))}
    assert "chance_level" not in fd.diagnose(run).codes
    run.pop("val_f1")
    assert "chance_level" in fd.diagnose(run).codes  # the accuracy and the loss alone cannot tell


def test_scores_of_the_positive_class_held_at_zero_with_nothing_moving_are_chance_level():
    """A UNet with a Dice loss that never leaves 0.99999 and an IoU of ~5e-06 for 100 epochs
    predicts an empty mask for every image: a constant predictor, not a run that learned and
    froze (plateau). No prior and no class count are needed to see it."""
    rng = np.random.default_rng(0)
    run = {"loss": list(0.99999 + rng.uniform(-5e-6, 5e-6, 100)),
           "val_loss": list(0.999993 + rng.uniform(-1e-6, 1e-6, 100)),
           "iou": list(rng.uniform(0, 2e-5, 100)), "val_iou": list(rng.uniform(0, 1e-5, 100))}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level" and "plateau" not in d.codes
    assert "never predicts the positive class" in d.top.message and "100 evaluations" in d.top.message


def test_an_f1_at_zero_beside_an_accuracy_that_rose_is_no_chance_level():
    """A token tagger whose F1, precision and recall read 0 at every evaluation (a metric wired
    to the wrong labels) while its accuracy rose 0.49 -> 0.69 and its loss fell: it learned."""
    e = np.arange(30)
    run = {"loss": list(1.5 * np.exp(-e / 10) + 0.2), "val_loss": list(1.1 + 0.5 * np.exp(-e / 5)),
           "val_accuracy": list(0.69 - 0.2 * np.exp(-e / 6)),
           "val_f1": [0.0] * 30, "val_precision": [0.0] * 30, "val_recall": [0.0] * 30}
    assert "chance_level" not in fd.diagnose(run).codes
    run["val_f1"][-1] = 0.12  # the positive class predicted somewhere: not a constant answer either
    run["val_accuracy"] = [0.5] * 30
    run["loss"], run["val_loss"] = [0.7] * 30, [0.7] * 30
    assert not any("positive class" in f.message for f in fd.diagnose(run).findings)


def test_a_summariser_whose_token_loss_sits_near_ln_4_is_not_chance_level():
    """A Pegasus summarisation fine-tune: eval loss 1.407, 1.378, 1.367 over three evaluations,
    within a percent of ln 4 = 1.386, with ROUGE-L rising 41.9 -> 43.4 beside it. A run that
    scores generated text trains a sequence model; its token loss is no guess among 4 classes.
    The same numbers with nothing but the loss still read as a 4-class guess."""
    run = {"loss": [1.55, 1.37, 1.35], "val_loss": [1.4066, 1.3778, 1.3669], "val_rougeL": [41.86, 43.08, 43.41]}
    assert "chance_level" not in fd.diagnose(run).codes
    del run["val_rougeL"]
    assert "chance_level" in fd.diagnose(run).codes


def test_an_accuracy_at_one_class_share_from_the_first_evaluation_is_chance_level_whatever_the_loss_scale():
    """A Lightning up/down classifier: val_accuracy 0.5019815564 at every one of 12 evaluations,
    train accuracy wandering around 0.5, and losses that never move, at 0.072 (a loss on another
    scale than cross-entropy: at 50% accuracy a cross-entropy is at least 0.5 x ln 2). It read
    as a frozen `plateau`; it never learned, so it is `chance_level`. A near-perfect model whose
    cross-entropy is consistent with its accuracy stays no constant predictor."""
    rng = np.random.default_rng(0)
    run = {"loss": list(0.072 + 0.0012 * rng.standard_normal(12)),
           "val_loss": [0.0719] + [0.07184] * 11,
           "accuracy": list(0.5 + 0.02 * rng.standard_normal(12)),
           "val_accuracy": [0.5019815564155579] * 12}
    d = fd.diagnose(run)
    assert d.top is not None and d.top.code == "chance_level", d.codes
    assert "from its first evaluation on" in d.top.message
    assert None not in d.top.evidence.values()  # no "loss_moved None" in the evidence line
    good = {"loss": list(np.linspace(0.02, 0.004, 12)), "val_loss": list(np.linspace(0.006, 0.003, 12)),
            "accuracy": list(np.linspace(0.99, 0.999, 12)), "val_accuracy": [0.9986] * 12}
    assert "chance_level" not in fd.diagnose(good).codes


def test_a_train_accuracy_held_at_one_fifth_witnesses_chance_when_the_val_accuracy_jumps_between_class_shares():
    """A 5-class run whose loss never leaves ln 5 = 1.609 and whose train accuracy holds at 0.199
    (1/5) every epoch, while the val accuracy jumps between single classes' shares (0.07, 0.32,
    0.40) as the one answer flips: two witnesses of a constant predictor, though val wanders."""
    rng = np.random.default_rng(3)
    shares = np.array([0.069, 0.093, 0.116, 0.319, 0.404])
    run = {"loss": [1.6094] * 30, "accuracy": list(0.199 + rng.normal(0, 0.0006, 30)),
           "val_loss": list(1.6094 + np.abs(rng.normal(0, 0.0005, 30))),
           "val_accuracy": list(shares[rng.integers(0, 5, 30)])}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level", d.codes
    assert "ln 5" in d.top.message


def test_a_steady_train_accuracy_is_no_witness_when_the_val_accuracy_climbs():
    """The train accuracy under heavy augmentation can hold still while the model learns: a
    val accuracy climbing 0.2 -> 0.6 is learning, whatever the train accuracy does."""
    n = np.arange(30)
    run = {"loss": list(1.60 - 0.002 * n), "accuracy": [0.2] * 30,
           "val_loss": list(1.6 - 0.02 * n), "val_accuracy": list(0.2 + 0.4 * n / 29 + 0.02 * np.sin(n))}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_val_loss_blown_up_above_ln_k_beside_a_train_loss_and_accuracy_at_chance_is_chance_level():
    """CIFAR-10, 60 epochs: the train loss never leaves ln 10 = 2.303, both accuracies sit at
    1/10, and the val loss swings up to 100: worse than any constant guess, and still no more
    learned than one. The net never left the prior (not an oscillating or diverging run)."""
    rng = np.random.default_rng(5)
    n = np.arange(60)
    run = {"loss": list(2.33 - 0.05 * (1 - np.exp(-n / 10)) + rng.normal(0, 0.002, 60)),
           "accuracy": list(0.11 + 0.02 * (1 - np.exp(-n / 10)) + rng.normal(0, 0.002, 60)),
           "val_loss": list(2.4 + np.abs(rng.normal(0, 1, 60)) * n),
           "val_accuracy": list(0.10 + rng.normal(0, 0.003, 60))}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level", d.codes
    assert "val_loss sits above it" in d.top.message


def test_a_val_loss_blown_up_above_ln_k_is_no_chance_level_when_the_train_loss_fell_well_below_it():
    rng = np.random.default_rng(5)
    n = np.arange(60)
    run = {"loss": list(0.3 + 2.0 * np.exp(-n / 8)), "accuracy": list(0.9 - 0.8 * np.exp(-n / 8)),
           "val_loss": list(2.4 + np.abs(rng.normal(0, 1, 60)) * n),
           "val_accuracy": list(0.10 + rng.normal(0, 0.003, 60))}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_loss_at_ln_k_beside_a_climbing_held_out_score_is_no_constant_guess():
    """A 3-class classifier's running loss hovers at 0.693 = ln 2 by coincidence while its
    validation score climbs 0.42 -> 0.77 every epoch: a model predicting the prior scores the
    same at every evaluation, so the loss level alone is no witness. A ranking score that only
    creeps up from zero (MRR 0.0 -> 0.019) leaves a loss at ln 2 a guess."""
    rng = np.random.default_rng(2)
    loss = {"steps": np.arange(30), "values": 0.693 + rng.normal(0, 0.002, 30)}

    def run(score):
        return fd.RunHistory(series={"loss": fd.Series(loss["steps"], loss["values"], "loss"),
                                     "val_score": fd.Series([5, 11, 17, 23, 29], score, "val result score")})

    assert "chance_level" not in fd.diagnose(run([0.419, 0.546, 0.632, 0.747, 0.770])).codes
    assert fd.diagnose(run([0.0, 0.004, 0.011, 0.015, 0.019])).top.code == "chance_level"


def test_an_accuracy_pinned_below_one_half_with_the_loss_of_such_a_prior_is_chance_level():
    """A Keras CSVLogger of a 3-way price-direction LSTM, train only: accuracy 0.458-0.461 for all
    100 epochs while the loss creeps 0.9539 -> 0.9519. No binary entropy fits an accuracy under
    one half, and the loss is not ln 3; but a prior whose largest class holds 0.46 scores between
    0.917 (0.46, 0.46, 0.08) and 1.064 (0.46, 0.27, 0.27), and 0.952 is inside: one answer, the
    class prior. The same accuracy beside a loss of 0.60 (below what any such prior scores) is a
    model that learned something; an accuracy wandering 0.40-0.52 is not one answer."""
    rng = np.random.default_rng(3)
    n = 100
    loss = list(0.9539 - 0.002 * (1 - np.exp(-np.arange(n) / 30)) + rng.normal(0, 3e-5, n))
    acc = list(0.4595 + rng.uniform(-0.0013, 0.0013, n))
    d = fd.diagnose({"loss": loss, "accuracy": acc})
    assert d.top.code == "chance_level", d.codes
    assert "largest class holds 0.460" in d.top.message
    low = list(0.60 - 0.002 * (1 - np.exp(-np.arange(n) / 30)) + rng.normal(0, 3e-5, n))
    assert "chance_level" not in fd.diagnose({"loss": low, "accuracy": acc}).codes
    wander = list(0.46 + 0.06 * np.sin(np.arange(n) / 3.0))
    assert "chance_level" not in fd.diagnose({"loss": loss, "accuracy": wander}).codes


def test_a_loss_below_what_any_constant_answer_scores_at_its_accuracy_is_no_chance_level():
    """A Keras segmentation run, 5 epochs: pixel accuracy 0.9993 -> 0.9999 and val loss 0.0027
    -> 0.0008. The accuracy is what a constant answer scores if one class held 99.99% of the
    pixels, and the loss sits near that prior's entropy; but a constant answer's loss is at least
    H(accuracy) (0.0011 at the last epoch), and this one is well below it at most evaluations: the
    model tells the pixels apart (its val dice is 0.9999). A model stuck at a 99.6% majority, its
    loss at H(0.996) = 0.0256, is still chance_level."""
    acc = [0.99662, 0.99976, 0.99984, 0.99987, 0.99988]
    val_acc = [0.99926, 0.99982, 0.99986, 0.99992, 0.99989]
    run = {"loss": [0.01008, 0.00193, 0.00133, 0.00108, 0.00095], "accuracy": acc,
           "val_loss": [0.00267, 0.00132, 0.00109, 0.00090, 0.00080], "val_accuracy": val_acc}
    assert "chance_level" not in fd.diagnose(run).codes
    rng = np.random.default_rng(4)
    stuck = {"loss": list(0.0257 + rng.normal(0, 2e-4, 30)), "accuracy": list(0.996 + rng.normal(0, 2e-4, 30)),
             "val_loss": list(0.0256 + rng.normal(0, 2e-4, 30)), "val_accuracy": [0.996] * 30}
    assert fd.diagnose(stuck).top.code == "chance_level", fd.diagnose(stuck).codes


def test_a_binary_accuracy_frozen_after_its_first_evaluations_with_the_loss_at_its_entropy_is_chance_level():
    """A graph classifier: val accuracy 0.66, 0.51, then 0.6898 at each of the nine evaluations
    left, val loss 0.62-0.64 against H(0.6898) = 0.619, train accuracy 0.57-0.63. The first two
    values below the frozen one are the net before it collapsed onto one class, no climb that
    shows learning (LABELS.md: "a binary accuracy frozen at one value p with the loss at H(p)")."""
    run = {"loss": [0.7766, 0.6945, 0.68, 0.6708, 0.6708, 0.6783, 0.6708, 0.6971, 0.66, 0.6766, 0.6766],
           "accuracy": [0.5674, 0.6112, 0.594, 0.6131, 0.6093, 0.6102, 0.6129, 0.612, 0.6334, 0.6057, 0.6057],
           "val_loss": [0.6765, 0.7109, 0.6348, 0.6392, 0.633, 0.6348, 0.637, 0.6231, 0.6307, 0.632, 0.6321],
           "val_accuracy": [0.6586, 0.5128] + [0.6898] * 9}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level"
    assert "H(0.690)" in d.top.message and "val_accuracy is 0.6898 at each of its last 9 epochs" in d.top.message
    # one evaluation off the frozen value near the end: no longer frozen for 6 evaluations
    thawed = dict(run, val_accuracy=[0.6586, 0.5128] + [0.6898] * 6 + [0.6912] + [0.6898] * 2)
    assert "chance_level" not in fd.diagnose(thawed).codes


def test_an_accuracy_wobbling_near_a_skewed_prior_is_no_constant_answer_unless_it_holds_one_value():
    """A 5-epoch garbage classifier: val accuracy 0.856, 0.824, 0.859, 0.873, 0.872 and val loss
    0.43 -> 0.40, near H(0.872) = 0.382. A constant answer scores one share of fixed rows at
    every evaluation; an accuracy that moves by points each epoch is a model changing its
    answers (LABELS.md's witness for a skewed prior is "frozen at one value p"). Held at one
    value, or pinned within 0.01 over 8 evaluations, it stays chance_level."""
    run = {"loss": [0.504, 0.3826, 0.3925, 0.3917, 0.3308],
           "val_loss": [0.4288, 0.5364, 0.4482, 0.4158, 0.3992],
           "val_accuracy": [0.8556, 0.8239, 0.8594, 0.8728, 0.8717]}
    d = fd.diagnose(run)
    assert "chance_level" not in d.codes and d.top.code == "still_improving", d.codes
    pinned_run = {"loss": [0.40 - 0.001 * i for i in range(10)], "val_loss": [0.386 + 0.001 * (i % 2) for i in range(10)],
                  "val_accuracy": [0.872 + 0.004 * (i % 2) for i in range(10)]}
    assert fd.diagnose(pinned_run).top.code == "chance_level"


def test_a_val_accuracy_that_climbed_to_a_frozen_value_with_a_loss_far_above_its_entropy_is_no_chance_level():
    """A converged model on a 120-row val split: val accuracy climbs 0.825 -> 0.967 and then holds
    116 of 120 for 17 epochs, val loss 0.32, twice H(0.967) = 0.146. It ranks the rows; it stopped
    changing its answers, it never gave one answer."""
    n = np.arange(30)
    acc = np.minimum(0.9667, 0.825 + 0.016 * n)
    acc[13:] = 0.9667
    run = {"loss": list(0.5 + 0.19 * np.exp(-n / 3)), "accuracy": list(0.80 - 0.24 * np.exp(-n / 2)),
           "val_loss": list(0.32 + 0.27 * np.exp(-n / 3)), "val_accuracy": list(acc)}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_run_that_learned_then_blew_up_back_to_the_prior_is_diverging_not_chance_level():
    """A NumPy MLP on MNIST: its loss falls to 0.144 (epoch 3), below H(0.945) = 0.213, what a
    constant answer scores at the accuracy it ends at, then climbs to 0.33 while val accuracy
    sags 0.97 -> 0.94 (LABELS.md: "a run that learned, then blew up, is diverging"). It did learn
    from the features: chance_level, "learned nothing", is wrong beside it."""
    loss = [0.2008, 0.1618, 0.1502, 0.1443, 0.1452, 0.147, 0.155, 0.1617, 0.1702, 0.1733, 0.1731, 0.1848,
            0.1876, 0.2014, 0.2064, 0.2202, 0.2188, 0.2315, 0.2301, 0.2417, 0.2419, 0.2553, 0.2777, 0.2673,
            0.2804, 0.2851, 0.278, 0.2912, 0.304, 0.3223, 0.3346, 0.3152, 0.3319]
    val_acc = [0.967, 0.967, 0.962, 0.976, 0.964, 0.963, 0.974, 0.971, 0.962, 0.974, 0.97, 0.963, 0.954, 0.961,
               0.956, 0.963, 0.962, 0.953, 0.954, 0.961, 0.955, 0.937, 0.956, 0.945, 0.945, 0.945, 0.938, 0.948,
               0.943, 0.925, 0.913, 0.927, 0.936]
    d = fd.diagnose({"loss": loss, "val_accuracy": val_acc})
    assert d.top.code == "diverging" and "chance_level" not in d.codes
    # a loss that never left the prior's level is chance_level still
    n = np.arange(33)
    flat = {"loss": list(0.25 + 0.004 * np.sin(n)), "val_accuracy": list(0.945 + 0.001 * np.sin(n))}
    assert fd.diagnose(flat).top.code == "chance_level"


def test_per_class_scores_of_which_only_one_class_is_above_zero_are_chance_level():
    """A 14-class U-Net logs val_iou_0 .. val_iou_13: from its third epoch only class 0 scores
    (IoU 0.28, that class's share of the pixels), the other 13 stay at 0 (1e-6 at most), while its
    loss settles. It paints every pixel class 0: a constant answer, whatever the loss reads."""
    n = np.arange(30)
    run = {"loss": list(0.056 + 0.2 * np.exp(-n)), "val_loss": list(0.06 + 0.03 * np.exp(-n / 5))}
    rng = np.random.default_rng(0)
    run["val_iou_0"] = list(0.28 + 0.005 * rng.standard_normal(30))
    for k in range(1, 14):
        run[f"val_iou_{k}"] = list(np.abs(1e-6 * rng.standard_normal(30)))
    d = fd.diagnose(run)
    assert d.top.code == "chance_level"
    assert "only val_iou_0 is above 0 over the last 15 evaluations" in d.top.message
    # a second class with some overlap: the model tells classes apart
    learned = dict(run, val_iou_5=list(0.02 + 0.01 * n / 30))
    assert "chance_level" not in fd.diagnose(learned).codes
    # recall at cut-offs (a retriever's recall@1 still 0, recall@10 above it) is no per-class score
    retrieval = {"loss": run["loss"], "val_loss": run["val_loss"], "val_recall@1": [0.0] * 30,
                 "val_recall@5": [0.0] * 30, "val_recall@10": list(0.01 + 0.001 * n)}
    assert "chance_level" not in fd.diagnose(retrieval).codes


def test_train_loss_a_few_percent_below_chance_while_validation_stays_there_is_chance_level():
    """An 8-class CNN: the first loss says 8 classes (2.04 ~ ln 8), the train loss drifts to
    1.98 (5% below ln 8) with train accuracy ~0.11, while the val accuracy sits at ~1/8 and the
    val loss jumps between 3 and 9, above any constant answer. LABELS.md: a train loss a few
    percent below the level (memorising) does not change the verdict while validation stays
    there. A train loss that fell to 70% of ln 8 has learned: no chance_level then."""
    rng = np.random.default_rng(4)
    n = 21
    loss = list(2.04 - 0.06 * np.arange(n) / n + rng.normal(0, 0.01, n))
    acc = list(0.11 + rng.normal(0, 0.012, n))
    val_acc = list(0.135 + rng.normal(0, 0.012, n))
    val_loss = list(6.0 + rng.normal(0, 1.6, n))
    d = fd.diagnose({"loss": loss, "accuracy": acc, "val_loss": val_loss, "val_accuracy": val_acc})
    assert d.top.code == "chance_level"
    assert "below the chance level 2.079" in d.top.message and "memorised" in d.top.message
    learned = list(np.linspace(2.04, 1.45, n))
    assert "chance_level" not in fd.diagnose({"loss": learned, "accuracy": acc, "val_loss": val_loss,
                                              "val_accuracy": val_acc}).codes


def test_a_word_error_rate_of_one_at_every_evaluation_is_chance_level():
    """A CTC speech fine-tune: train loss 32 -> 5 in 300 steps, then flat at 4.7-5.3; eval_loss
    5.02 -> 4.98 and eval_wer exactly 1.0 (eval_cer 0.9993) at all six evaluations: the model
    emits the blank whatever it hears. Read healthy before ("fell and settled")."""
    steps = list(range(100, 3100, 100))
    loss = [32.3, 6.9, 4.98] + [5.0 + 0.2 * math.sin(i) for i in range(27)]
    ev_steps = list(range(500, 3500, 500))
    run = fd.RunHistory(meta={"source": "<test>", "format": "dict"})
    run.add("loss", steps, loss, axis="step")
    run.add("val_loss", ev_steps, [5.018, 4.981, 4.975, 4.982, 4.973, 4.984], raw_name="eval_loss", axis="step")
    run.add("val_wer", ev_steps, [1.0] * 6, raw_name="eval_wer", axis="step")
    run.add("val_cer", ev_steps, [0.99934] * 6, raw_name="eval_cer", axis="step")
    d = fd.diagnose(run)
    assert d.top.code == "chance_level" and d.top.message.startswith("eval_wer is 1.0 at every one of its 6 evaluations")
    # a model that got some words right at one evaluation transcribes something
    learning = fd.RunHistory(meta={"source": "<test>", "format": "dict"})
    for name, s in run.series.items():
        values = [1.0, 1.0, 0.97, 0.91, 0.88, 0.86] if name == "val_wer" else s.values
        learning.add(name, s.steps, values, raw_name=s.raw_name, axis=s.axis)
    assert "chance_level" not in fd.diagnose(learning).codes
    # nor does one whose val loss is still falling, on its way out of the blank phase
    falling = fd.RunHistory(meta={"source": "<test>", "format": "dict"})
    for name, s in run.series.items():
        values = [5.0, 4.6, 4.1, 3.5, 2.9, 2.2] if name == "val_loss" else s.values
        falling.add(name, s.steps, values, raw_name=s.raw_name, axis=s.axis)
    assert "chance_level" not in fd.diagnose(falling).codes


def test_a_train_accuracy_that_cut_its_errors_fourfold_is_no_constant_answer(tmp_path):
    """MalConv on a 90/10 malware split (its log's numbers): val accuracy steady at 0.977 with a
    val loss of 0.36 (the net's outputs squashed, far above H(0.977)), while train accuracy went
    0.948 -> 0.986: under 5 points, but its errors fell 4x, which no constant answer does. The
    steady val accuracy is the model's, not the class prior: no chance_level."""
    rows = [(0.382, 0.94802, 0.361, 0.977), (0.361, 0.98096, 0.362, 0.976), (0.359, 0.98572, 0.360, 0.978),
            (0.358, 0.98647, 0.364, 0.9745), (0.359, 0.98597, 0.360, 0.9785)]
    path = tmp_path / "nohup.out"
    path.write_text("".join(f"[ ({e} ) Loss:  {a:.3f}, train_Acc: {b:.5f}, valid_Loss: {c:.3f}, valid_Acc: {d:.5f}]\n"
                            for e, (a, b, c, d) in enumerate(rows)))
    [run] = fd.read_runs(path)
    assert "chance_level" not in fd.diagnose(run).codes
    # the same val curves beside a train accuracy that held at the rate are a constant answer's
    held = [(a, 0.977 + 0.001 * (e % 2), c, d) for e, (a, _, c, d) in enumerate(rows)]
    path.write_text("".join(f"[ ({e} ) Loss:  {a:.3f}, train_Acc: {b:.5f}, valid_Loss: {c:.3f}, valid_Acc: {d:.5f}]\n"
                            for e, (a, b, c, d) in enumerate(held)))
    [run] = fd.read_runs(path)
    assert "chance_level" in fd.diagnose(run).codes


def test_a_val_accuracy_that_flips_between_class_shares_is_a_constant_answer():
    """A binary fine-tune (its log's numbers): train loss at ln 2 and train accuracy 0.50 every
    epoch, while the val accuracy jumps 0.542, 0.112, 0.458, 0.542, 0.888, 0.888: pairs that sum to
    1, one class answered for every row, then the other. The jump to 0.888 is no climb."""
    run = {"loss": [0.6960, 0.6938, 0.6936, 0.6936, 0.6934, 0.6935],
           "accuracy": [0.5019, 0.5028, 0.5023, 0.5010, 0.4997, 0.4955],
           "val_loss": [0.6933, 0.7090, 0.6869, 0.6924, 0.6886, 0.6872],
           "val_accuracy": [0.54221, 0.11234, 0.45779, 0.54221, 0.88766, 0.88766]}
    d = fd.diagnose(run)
    assert d.codes[0] == "chance_level"
    assert "jumps between class shares" in d.findings[0].message
    # the same val accuracies climbing for real (no pair summing to 1) read as learning
    learned = dict(run, val_accuracy=[0.54, 0.60, 0.66, 0.74, 0.81, 0.88])
    assert "chance_level" not in fd.diagnose(learned).codes


def test_a_loss_drifting_a_quarter_of_the_band_below_ln2_is_still_chance_level():
    """A binary stock up/down LSTM (its log's last run): train loss 0.6938 -> 0.6888 over 50
    epochs, falling a little faster each epoch, train accuracy 0.507 -> 0.534, val accuracy
    0.505-0.519 throughout. The straight-line guard (learning at a crawl, lr_too_low's) read it
    as learning; a drift of a quarter of the band around ln 2 while validation stays at 0.51 is
    a model at the prior."""
    loss = [0.6938, 0.6935, 0.6933, 0.6932, 0.6932, 0.6931, 0.6931, 0.693, 0.693, 0.6929, 0.6929, 0.6928,
            0.6928, 0.6928, 0.6927, 0.6927, 0.6927, 0.6926, 0.6926, 0.6925, 0.6925, 0.6925, 0.6924, 0.6924,
            0.6924, 0.6923, 0.6923, 0.6923, 0.6922, 0.6922, 0.6921, 0.692, 0.692, 0.6919, 0.6918, 0.6917,
            0.6916, 0.6914, 0.6913, 0.6912, 0.691, 0.6909, 0.6907, 0.6905, 0.6902, 0.69, 0.6897, 0.6895, 0.6891,
            0.6888]
    acc = [0.5071, 0.5077, 0.5088, 0.5099, 0.5103, 0.5114, 0.5111, 0.5117, 0.512, 0.5119, 0.5123, 0.5123,
           0.5127, 0.5125, 0.5122, 0.5122, 0.5123, 0.5125, 0.5126, 0.5125, 0.5127, 0.5132, 0.5134, 0.5135,
           0.5138, 0.5142, 0.5141, 0.5146, 0.515, 0.5156, 0.5156, 0.5164, 0.5165, 0.5175, 0.5181, 0.519,
           0.5197, 0.5207, 0.5216, 0.5225, 0.5236, 0.5248, 0.5259, 0.5269, 0.5281, 0.5292, 0.5302, 0.5316,
           0.5328, 0.5343]
    val_acc = [0.5113, 0.5142, 0.5158, 0.5128, 0.5185, 0.5175, 0.5171, 0.5111, 0.5109, 0.5101, 0.5111, 0.5091,
               0.5086, 0.5121, 0.5126, 0.5146, 0.5154, 0.5146, 0.5169, 0.5119, 0.5091, 0.5095, 0.5117, 0.5119,
               0.5128, 0.5134, 0.5128, 0.5117, 0.5121, 0.5121, 0.5084, 0.5093, 0.5103, 0.5107, 0.5072, 0.5107,
               0.5123, 0.5144, 0.5119, 0.5113, 0.5107, 0.5072, 0.5078, 0.5078, 0.5091, 0.5072, 0.5068, 0.508,
               0.5051, 0.5113]
    d = fd.diagnose({"loss": loss, "accuracy": acc, "val_accuracy": val_acc})
    assert d.top.code == "chance_level", d.codes


def test_an_agent_whose_return_never_rose_above_its_start_is_at_chance_level():
    """An IQN agent's 100-episode average wandering 21-25 for 500 CartPole episodes (random play
    scores ~22), and a Snake agent's reward at -1 on 9 episodes in 10 for 400: the agent learned
    nothing, which labellers call chance_level; both read "no verdict". An agent whose return
    climbs beyond its scatter, one with a single wild episode among steady gains, a return logged
    beside the agent's loss, and a "score" with no RL counter beside it are not judged so."""
    rng = np.random.default_rng(0)
    t = np.arange(500)
    wander = 24.4 - 0.004 * t + 0.8 * np.sin(t / 25) + rng.normal(0, 0.2, 500)
    d = fd.diagnose({"episode": list(range(1, 501)), "average100_score": list(wander)})
    assert d.top.code == "chance_level", d.codes
    assert d.top.message.startswith("average100_score never rose above where it started: median ")
    assert "random" in d.top.explanation and "fix 1" not in d.top.explanation
    assert "reward" in d.top.remedies[0].action
    assert d.summary["keep"].startswith("nothing worth keeping: the agent learned nothing from its episodes")
    snake = rng.choice([-1.0, 0.0, 1.0], size=400, p=[0.88, 0.1, 0.02])
    assert fd.diagnose({"episode": list(range(400)), "totalreward": list(snake)}).top.code == "chance_level"

    climbing = -100 + 0.3 * np.arange(400) + rng.normal(0, 30, 400)
    assert "chance_level" not in fd.diagnose({"episode": list(range(400)), "reward": list(climbing)}).codes
    steady = list(2.5 + 0.01 * np.arange(70) + rng.normal(0, 0.3, 70))
    steady[0], steady[21] = -13.3, -241.1  # it learned in its first episodes; one wild episode later
    assert "chance_level" not in fd.diagnose({"episode": list(range(70)), "reward": steady}).codes
    with_loss = {"episode": list(range(400)), "totalreward": list(snake), "loss": list(1 / (1 + np.arange(400)))}
    assert "chance_level" not in fd.diagnose(with_loss).codes
    assert "chance_level" not in fd.diagnose({"score": list(wander)}).codes


def test_an_agent_that_learned_within_its_first_fifth_did_learn():
    """A tabular Q-learning agent on a grid world, 1000 episodes: it wanders to the step limit
    (score -101) over its first episodes and scores about 1 from episode 50 on. Its first fifth
    is already at that level, so no later fifth rose above it and it had read chance_level ("it
    has learned nothing"). Its very first episodes, the most random, are far below: it learned.
    A return that never leaves its random level, first episodes included, still reads
    chance_level."""
    rng = np.random.default_rng(1)
    early = list(np.linspace(-101, -5, 50) + rng.normal(0, 15, 50))
    later = list(rng.choice([1.0, -1.0, -3.0, -9.0], p=[0.8, 0.1, 0.05, 0.05], size=950))
    d = fd.diagnose({"episode": list(range(1000)), "score": early + later})
    assert "chance_level" not in d.codes, d.top.message
    flat = list(rng.choice([1.0, -1.0, -3.0, -9.0], p=[0.8, 0.1, 0.05, 0.05], size=1000))
    assert fd.diagnose({"episode": list(range(1000)), "score": flat}).top.code == "chance_level"
