"""Curve rules on curves shaped like real runs (noise included), one behaviour each."""

import math

from pathlib import Path

import numpy as np
import pytest

import fitdoctor as fd

E = np.arange(50)


def noisy(y, sd, seed=0):
    return list(np.asarray(y, dtype=float) + np.random.default_rng(seed).normal(0, sd, len(y)))


def codes(run):
    return fd.diagnose(run).codes


def test_healthy_run_has_only_healthy():
    run = {"loss": noisy(0.05 + 0.65 * np.exp(-E / 6), 0.005),
           "val_loss": noisy(0.09 + 0.6 * np.exp(-E / 6), 0.008, 1)}
    assert codes(run) == ["healthy"]


def test_overfitting_names_best_epoch_and_rise():
    run = {"loss": noisy(0.02 + 0.7 * np.exp(-E / 8), 0.005),
           "val_loss": noisy(0.4 + 0.3 * np.exp(-E / 4) + 0.006 * np.maximum(E - 12, 0), 0.008, 1)}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting"
    assert 8 <= d.top.evidence["best_at"] <= 16
    assert d.top.evidence["rise"] > 0.1
    assert "healthy" not in d.codes


def test_classic_stuck_binary_run_is_chance_level_not_more_data():
    """Loss stuck at 0.68-0.69 with accuracy 0.55: the model predicts the prior."""
    run = {"loss": noisy(np.full(30, 0.688), 0.002), "val_loss": noisy(np.full(30, 0.689), 0.002, 1),
           "accuracy": noisy(np.full(30, 0.55), 0.003, 2), "val_accuracy": [0.55] * 30}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level" and d.top.severity == "error"
    assert "learned nothing" in d.top.message
    assert d.top.evidence["chance_loss"] == pytest.approx(0.688, abs=0.002)
    assert "needs_more_data" not in d.codes


def test_multiclass_chance_level_at_ln_k():
    run = {"loss": noisy(np.full(20, np.log(10)), 0.003), "val_loss": noisy(np.full(20, np.log(10)), 0.003, 1),
           "accuracy": noisy(np.full(20, 0.1), 0.005)}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level"
    assert "ln 10" in d.top.evidence["chance_source"]


def test_chance_level_uses_known_prior():
    h = fd.RunHistory.from_dict({"loss": noisy(np.full(20, 0.325), 0.002), "val_loss": noisy(np.full(20, 0.326), 0.002, 1)})
    h.meta["class_prior"] = [0.9, 0.1]
    assert fd.diagnose(h).top.code == "chance_level"


def test_learning_run_near_ln2_is_not_chance_level():
    loss = 0.69 - 0.25 * (1 - np.exp(-E / 8))
    run = {"loss": noisy(loss, 0.003), "val_loss": noisy(loss + 0.02, 0.004, 1),
           "accuracy": noisy(0.5 + 0.3 * (1 - np.exp(-E / 8)), 0.005)}
    assert "chance_level" not in codes(run)


def test_nan_ranks_first_and_says_where():
    run = {"loss": list(0.7 * np.exp(-E[:10] / 5)) + [float("nan")] * 5,
           "val_loss": list(0.75 * np.exp(-E[:10] / 5)) + [float("nan")] * 5}
    d = fd.diagnose(run)
    assert d.top.code == "non_finite"
    assert d.top.evidence["first_at"] == 10 and d.top.evidence["from_start"] is False
    assert "still_improving" not in d.codes


def test_nan_from_the_start_blames_data_not_lr():
    d = fd.diagnose({"loss": [float("nan")] * 5, "val_loss": [float("nan")] * 5})
    assert d.top.code == "non_finite" and d.top.evidence["from_start"] is True
    assert "data" in d.top.message


def test_diverging():
    run = {"loss": noisy(0.5 + 0.02 * E, 0.01), "val_loss": noisy(0.55 + 0.02 * E, 0.01, 1)}
    assert fd.diagnose(run).top.code == "diverging"


def test_still_improving():
    run = {"loss": noisy(0.1 + 0.6 * np.exp(-E / 40), 0.003), "val_loss": noisy(0.15 + 0.6 * np.exp(-E / 40), 0.004, 1)}
    assert "still_improving" in codes(run)


def test_lr_too_low_outranks_still_improving():
    run = {"loss": noisy(0.69 - 0.002 * E, 0.001), "val_loss": noisy(0.7 - 0.002 * E, 0.001, 1)}
    assert fd.diagnose(run).top.code == "lr_too_low"


def test_large_swings_after_a_fast_drop_point_at_the_step_size():
    run = {"loss": noisy(0.3 + 0.2 * np.exp(-E / 5), 0.08), "val_loss": noisy(0.35 + 0.2 * np.exp(-E / 5), 0.1, 1)}
    assert fd.diagnose(run).top.code in ("oscillating", "lr_too_high")


def test_a_slow_creep_beside_an_accuracy_right_on_99_percent_of_rows_is_not_lr_too_low():
    """GraphNovo's per-step log starts from a well-trained model: loss 0.0068 easing to 0.0055
    along a nearly straight line, accuracy 0.997-0.998 at every step. A model right on nearly
    every row is not "far from converged": the loss creeps to surer answers. The same creep
    beside an accuracy of 0.80 still reads lr_too_low."""
    rng = np.random.default_rng(2)
    n = np.arange(600)
    loss = list(0.0068 - 0.0013 * n / 600 + 0.0009 * rng.standard_normal(600))
    sure = {"loss": loss, "accuracy": list(0.9977 + 0.0003 * rng.standard_normal(600))}
    assert "lr_too_low" not in codes(sure)
    unsure = {"loss": list(0.68 - 0.13 * n / 600 + 0.01 * rng.standard_normal(600)),
              "accuracy": list(0.55 + 0.05 * n / 600 + 0.01 * rng.standard_normal(600))}
    assert "lr_too_low" in codes(unsure)


def test_a_short_run_whose_accuracy_learned_is_still_improving_however_straight_its_loss():
    """A 10-epoch Keras CNN on cats vs dogs: loss 0.620 -> 0.478 and val loss 0.589 -> 0.447
    along near-straight lines, val accuracy 0.677 -> 0.794, a new best at every epoch. Its
    labeller called it still_improving with high confidence: lr_too_low is "far from where the
    task converges (accuracy still near guessing)" (LABELS.md), and for 8-15 epochs
    still_improving is the usual verdict. It read lr_too_low off the loss alone. The same run
    with its accuracy still near guessing, or a 40-epoch straight line, stays lr_too_low."""
    n = np.arange(10)
    loss = list(0.62 - 0.0158 * n + 0.004 * (-1.0) ** n)
    val = list(0.589 - 0.0158 * n + 0.002 * (-1.0) ** n)
    acc = list(0.654 + 0.013 * n)
    learned = {"loss": loss, "val_loss": val, "accuracy": acc, "val_accuracy": list(0.677 + 0.013 * n)}
    d = fd.diagnose(learned)
    assert d.top.code == "still_improving", d.codes
    guessing = {**learned, "accuracy": list(0.50 + 0.004 * n), "val_accuracy": list(0.51 + 0.004 * n)}
    assert fd.diagnose(guessing).top.code == "lr_too_low", fd.diagnose(guessing).codes
    m = np.arange(40)
    long = {"loss": list(0.68 - 0.004 * m + 0.002 * (-1.0) ** m), "val_loss": list(0.69 - 0.004 * m + 0.001 * (-1.0) ** m),
            "val_accuracy": list(0.52 + 0.007 * m)}
    assert fd.diagnose(long).top.code == "lr_too_low", fd.diagnose(long).codes


def test_oscillating_swings_around_a_slow_trend():
    """Epoch-to-epoch swings of about half the level the run ends at, to the last epoch."""
    swing = 0.1 * (-1.0) ** E
    run = {"loss": noisy(0.6 - 0.004 * E + swing, 0.01), "val_loss": noisy(0.62 - 0.004 * E - swing, 0.01, 1)}
    assert "oscillating" in codes(run)


def test_val_not_improving():
    run = {"loss": noisy(0.1 + 0.6 * np.exp(-E / 8), 0.004), "val_loss": noisy(np.full(50, 0.71), 0.01, 1)}
    assert fd.diagnose(run).top.code == "val_not_improving"


def test_val_far_below_train_is_suspicious():
    run = {"loss": noisy(0.4 + 0.3 * np.exp(-E / 8), 0.004), "val_loss": noisy(0.1 + 0.3 * np.exp(-E / 8), 0.004, 1)}
    assert fd.diagnose(run).top.code == "suspicious_validation"


def test_a_val_loss_of_the_opposite_sign_to_train_is_no_leak():
    """A deepfake detector's val loss of -4.1 beside its train loss of 11.8 (a different
    formula on each split): "val below train on 100% of epochs" was read as a leak. Opposite
    signs at every evaluation are two quantities; the same curves on one side of zero still
    say suspicious (above)."""
    train = 11.75 + 0.3 * np.exp(-E / 3)
    val = -4.1 + 0.1 * np.exp(-E / 3)
    codes = [f.code for f in fd.diagnose({"loss": noisy(train, 0.01), "val_loss": noisy(val, 0.02, 1)}).findings]
    assert "suspicious_validation" not in codes
    assert "suspicious_validation" in [f.code for f in fd.diagnose(
        {"loss": noisy(train, 0.01), "val_loss": noisy(val + 8.0, 0.02, 1)}).findings]


def test_early_val_below_train_with_dropout_is_an_info_not_an_alarm():
    train = 0.12 + 0.55 * np.exp(-E / 6)
    val = 0.13 + 0.45 * np.exp(-E / 6)
    d = fd.diagnose({"loss": noisy(train, 0.004), "val_loss": noisy(val, 0.004, 1)})
    assert d.codes == ["healthy"]
    assert "dropout" in d.top.message


def test_plateau_when_lr_vanishes():
    lr = np.where(E[:40] < 6, 0.01, 1e-6)  # a step schedule that cut the lr 10,000x
    loss = np.empty(40)
    loss[0] = 0.7
    for i in range(1, 40):
        loss[i] = loss[i - 1] - 0.05 * (lr[i - 1] / 0.01)
    run = {"loss": noisy(loss, 0.002), "val_loss": noisy(loss + 0.03, 0.002, 1), "lr": list(lr)}
    d = fd.diagnose(run)
    assert d.top.code == "plateau"
    assert "learning rate collapsed" in d.top.message
    fix = d.top.remedies[0]
    assert fix.config_changes.get("train.lr", 0.01) >= 0.01  # restore the lr, never lower a vanished one


def test_plateau_when_lr_is_logged_as_zero_quotes_no_ratio():
    """ST-GCN prints its lr to 6 decimals, so a step schedule's last steps read 0.000000; the
    message quoted a ratio against 1e-300 ("cut 9999999999...x", "1e+298x below its start")."""
    lr = np.where(E[:40] < 6, 0.01, 0.0)
    loss = np.empty(40)
    loss[0] = 0.7
    for i in range(1, 40):
        loss[i] = loss[i - 1] - 0.05 * (lr[i - 1] / 0.01)
    d = fd.diagnose({"loss": noisy(loss, 0.002), "val_loss": noisy(loss + 0.03, 0.002, 1), "lr": list(lr)})
    assert d.top.code == "plateau"
    assert "logged as 0 from 0.01 at epoch 6" in d.top.message and "9999" not in d.top.message


def test_short_keras_run_gets_a_verdict_with_lower_confidence():
    d = fd.diagnose({"loss": [0.69, 0.5, 0.4, 0.35, 0.33], "val_loss": [0.68, 0.52, 0.45, 0.42, 0.41]})
    assert d.findings and d.top.confidence < 1


def test_healthy_never_beside_a_warning():
    run = {"loss": noisy(0.02 + 0.7 * np.exp(-E / 8), 0.005),
           "val_loss": noisy(0.4 + 0.3 * np.exp(-E / 4) + 0.006 * np.maximum(E - 12, 0), 0.008, 1)}
    d = fd.diagnose(run)
    assert not ({"healthy"} & set(d.codes) and any(f.severity != "info" for f in d.findings))


def test_single_epoch_is_bad_input():
    with pytest.raises(fd.BadInput, match="only one"):
        fd.diagnose({"loss": [0.7]})


def test_mute_and_threshold_override():
    run = {"loss": noisy(0.1 + 0.6 * np.exp(-E / 40), 0.003), "val_loss": noisy(0.15 + 0.6 * np.exp(-E / 40), 0.004, 1)}
    assert "still_improving" not in fd.diagnose(run, mute=["still_improving"]).codes
    with pytest.raises(fd.BadInput, match="did you mean"):
        fd.diagnose(run, thresholds={"z_trnd": 3})


def test_keras_history_object_is_accepted():
    class History:  # what model.fit returns: an object with a .history dict
        history = {"loss": [0.7, 0.5, 0.4, 0.35], "val_loss": [0.7, 0.55, 0.47, 0.44]}

    assert fd.diagnose(History()).history.meta["format"] == "keras-history"


def test_json_roundtrip_is_strict_json():
    import json

    d = fd.diagnose({"loss": [0.7, float("nan")], "val_loss": [0.7, 0.6]})
    json.loads(d.to_json(allow_nan=False))
    assert "<table>" in d._repr_html_()


def test_what_to_keep_after_overfitting():
    run = {"loss": noisy(0.02 + 0.7 * np.exp(-E / 8), 0.005),
           "val_loss": noisy(0.4 + 0.3 * np.exp(-E / 4) + 0.006 * np.maximum(E - 12, 0), 0.008, 1)}
    s = fd.diagnose(run).summary
    assert s["last_worse_than_best_beyond_noise"] is True
    assert s["share_after_best"] > 0.6
    assert "restore_best_weights=True" in s["keep"]


def test_checkpoint_advice_when_best_was_never_saved():
    steps = np.arange(0, 1000, 100.0)
    h = fd.RunHistory()
    h.add("loss", steps, noisy(0.2 + 0.5 * np.exp(-steps / 200), 0.003), axis="step")
    val = 0.4 + 0.3 * np.exp(-steps / 150) + 0.0004 * np.maximum(steps - 300, 0)
    h.add("val_loss", steps, noisy(val, 0.002, 1), axis="step")
    h.meta["checkpoints"] = [800, 900]
    s = fd.diagnose(h).summary
    assert s["best_never_saved"] is True and "save_steps" in s["keep"]
    h.meta["checkpoints"] = [300, 400, 900]
    s = fd.diagnose(h).summary
    assert s["keep_checkpoint"] in ("checkpoint-300", "checkpoint-400")


def test_huge_regression_losses_do_not_break_the_chance_estimate():
    d = fd.diagnose({"loss": [1e6, 5e5, 2e5, 1e5, 9e4], "val_loss": [1e6, 6e5, 3e5, 2e5, 1.5e5]})
    assert "chance_level" not in d.codes


def test_a_single_nan_epoch_is_diagnosed_not_rejected():
    d = fd.diagnose({"loss": [float("nan")], "val_loss": [float("nan")]})
    assert d.top.code == "non_finite"


@pytest.mark.parametrize("val_start, val_slope, val_accuracy, expected", [
    # over-confident mistakes push val loss up from epoch 1 while val accuracy sits at 0.8 on a
    # binary task: the model learned, then overfit (not "val never improved")
    (0.45, 0.03, 0.8, "overfitting"),
    # the same rise with val accuracy at guessing: it never learned anything that generalises
    (0.75, 0.05, 0.52, "val_not_improving"),
])
def test_val_loss_rising_from_the_first_epoch_is_judged_by_what_val_accuracy_learned(
        val_start, val_slope, val_accuracy, expected):
    n = np.arange(40)
    run = {"loss": noisy(0.01 + 0.6 * np.exp(-n / 5), 0.003),
           "accuracy": noisy(np.minimum(0.99, 0.7 + 0.02 * n), 0.004, 1),
           "val_loss": noisy(val_start + val_slope * n, 0.006, 2),
           "val_accuracy": noisy(np.full(40, val_accuracy), 0.005, 3)}
    assert fd.diagnose(run).top.code == expected


def test_settled_high_with_no_generalization_gap_is_underfitting():
    """Train and val level off together at half of ln 2: no capacity left, even on train."""
    run = {"loss": noisy(0.33 + 0.3 * np.exp(-E / 4), 0.003),
           "val_loss": noisy(0.31 + 0.3 * np.exp(-E / 4), 0.003, 1),
           "accuracy": noisy(0.86 - 0.3 * np.exp(-E / 4), 0.003, 2),
           "val_accuracy": noisy(0.87 - 0.3 * np.exp(-E / 4), 0.003, 3)}
    assert fd.diagnose(run).top.code == "underfitting"


def test_same_level_with_a_generalization_gap_is_not_underfitting():
    run = {"loss": noisy(0.25 + 0.3 * np.exp(-E / 4), 0.003),
           "val_loss": noisy(0.33 + 0.3 * np.exp(-E / 4), 0.003, 1),
           "accuracy": noisy(0.9 - 0.3 * np.exp(-E / 4), 0.003, 2),
           "val_accuracy": noisy(0.86 - 0.3 * np.exp(-E / 4), 0.003, 3)}
    assert fd.diagnose(run).codes == ["healthy"]


def test_regression_that_levels_off_at_a_quarter_of_its_start_with_no_gap_is_underfitting():
    run = {"loss": noisy(0.25 + 0.8 * np.exp(-E / 5), 0.002), "mae": noisy(0.4 + 0.4 * np.exp(-E / 5), 0.002, 1),
           "val_loss": noisy(0.24 + 0.8 * np.exp(-E / 5), 0.002, 2),
           "val_mae": noisy(0.39 + 0.4 * np.exp(-E / 5), 0.002, 3)}
    assert fd.diagnose(run).top.code == "underfitting"


def test_val_better_than_train_on_every_epoch_with_higher_val_accuracy_is_suspicious():
    """A 0.75x gap that never closes plus val accuracy 0.15 above train: a leak or an easier val set."""
    run = {"loss": noisy(0.55 + 0.15 * np.exp(-E / 5), 0.003),
           "val_loss": noisy(0.41 + 0.2 * np.exp(-E / 5), 0.003, 1),
           "accuracy": noisy(0.72 - 0.2 * np.exp(-E / 5), 0.004, 2),
           "val_accuracy": noisy(0.88 - 0.2 * np.exp(-E / 5), 0.004, 3)}
    assert fd.diagnose(run).top.code == "suspicious_validation"


def test_a_loss_that_blows_up_and_comes_back_is_diverging():
    loss = 0.1 + 0.6 * np.exp(-E[:25] / 3)
    loss[3:6] = [8.0, 20.0, 9.0]
    run = {"loss": noisy(loss, 0.003), "val_loss": noisy(loss + 0.05, 0.003, 1)}
    d = fd.diagnose(run)
    assert d.top.code == "diverging" and "blew up" in d.top.message


def test_a_best_inside_the_tail_is_judged_on_what_came_after_it(tmp_path):
    """A triplet loss logged per step: 3.1 give or take over steps 1-320, then a resumed
    session's steps 17800-17810 at 0.34-1.87 (its best and its noise). The tail's median took
    the 39 points before the best with the 11 after it and read "grows 3.4x its lowest"; the
    level it ended at is what came after its best."""
    rng = np.random.default_rng(4)
    early = 3.1 + 0.25 * rng.standard_normal(321)
    late = [0.3758, 0.3672, 0.6062, 1.3742, 0.3735, 0.8896, 1.8683, 0.3379, 0.3906, 0.3435, 1.2885]
    p = tmp_path / "losses.txt"
    p.write_text("".join(f"{s},{v:.4f}\n" for s, v in enumerate(early))
                 + "".join(f"{s},{v}\n" for s, v in zip(range(17800, 17811), late)))
    d = fd.diagnose(p)
    assert "diverging" not in d.codes, d.codes
    # a loss that grew after a best in its tail still reads so (0.3 -> 5.3 over its last 10)
    grown = {"loss": list(3.1 * np.exp(-E[:90] / 15) + 0.3) + list(0.3 + 0.5 * np.arange(1, 11))}
    assert fd.diagnose(grown).top.code == "diverging"


def test_a_loss_that_swings_below_zero_and_back_is_no_blow_up():
    """An energy-based model's contrastive-divergence loss has no floor at 0: it swings from
    0.032 down to -0.136 and back up to +0.075 before settling near 0. Its peak is 8x its start,
    a ratio with no meaning for a curve that crosses zero; on the scale it moves on, the rise
    above the start is a third of the fall below it."""
    loss = np.array([0.032, -0.0154, -0.0441, -0.0737, -0.0962, -0.1094, -0.1279, -0.133, -0.1356, -0.1288,
                     -0.1123, -0.1335, -0.1142, -0.0849, -0.0589, -0.0387, -0.0161, 0.008, 0.0091, 0.0209, 0.0363,
                     0.0463, 0.046, 0.0607, 0.0748, 0.0694, 0.0741, 0.073, 0.0539, 0.0638, 0.0576, 0.0508, 0.0362,
                     0.0308, 0.0207, 0.0164, 0.011, 0.0003, -0.0016, -0.0074, -0.0099, -0.0134, -0.0138, -0.0126,
                     -0.0093, -0.0117, -0.0089, -0.004, -0.0071, -0.0016])
    d = fd.diagnose({"loss": list(loss)})
    assert float(np.min(loss)) < -0.1 and float(np.max(loss[10:])) > 0.05
    assert "diverging" not in d.codes, d.codes


def test_a_loss_creeping_into_a_frozen_value_is_a_plateau():
    """An lr decayed to ~0 within a few epochs: the loss creeps for 5 epochs, then never moves."""
    loss = 0.6474 + 0.045 * np.exp(-E[:60] / 1.5)
    d = fd.diagnose({"loss": list(loss), "val_loss": list(loss - 0.008)})
    assert d.top.code == "plateau" and "4th significant digit" in d.top.message


def test_a_loss_repeated_at_the_last_printed_digit_is_no_frozen_plateau():
    """A splice-site CNN logged to four decimals: the losses fall 0.0045 -> 0.0002 and then
    print 0.0002 for 20 epochs. Four decimals cannot show a move of a loss that small; the
    repeat is the print's precision, not weights that stopped. The same curves logged with
    more digits, frozen to the digit, are a plateau."""
    train = [0.0045, 0.0009, 0.0007, 0.0005, 0.0004] + [0.0003] * 3 + [0.0002] * 15 + [0.0001] * 5
    val = [0.0011, 0.0006, 0.0005, 0.0006] + [0.0003] * 3 + [0.0002, 0.0003] + [0.0002] * 19
    assert "plateau" not in fd.diagnose({"loss": train, "val_loss": val}).codes
    frozen = [0.9 + 0.5 * math.exp(-i) for i in range(8)] + [0.876412] * 20
    assert fd.diagnose({"loss": frozen}).top.code == "plateau"


def test_a_run_that_levelled_off_in_its_last_epochs_is_not_still_improving():
    y = 0.2 + 0.5 * np.exp(-E / 12)
    y[-8:] = y[-8]  # converged: the last 8 epochs are flat
    run = {"loss": noisy(y - 0.03, 0.002), "val_loss": noisy(y, 0.002, 1)}
    assert "still_improving" not in fd.diagnose(run).codes


def test_a_jumpy_last_batch_loss_beside_a_validation_still_improving_is_not_lr_too_high():
    """A loop printing one batch's loss every 20 iterations beside a full evaluation: the train
    points jump by their own level (minibatch noise), while validation falls to its best at the
    end. The step is not too big to settle; the model is still getting better."""
    rng = np.random.default_rng(5)
    n = 60
    t = np.arange(n)
    loss = np.concatenate([[2.4, 1.6], np.exp(rng.normal(np.log(0.25), 0.9, n - 2))])
    val = 0.3 + 2.0 * np.exp(-t / 8) - 0.002 * t + np.abs(rng.normal(0, 0.004, n))
    d = fd.diagnose({"loss": list(loss), "val_loss": list(val)})
    assert "lr_too_high" not in d.codes
    # the same jumpy train loss beside a validation that stopped improving long ago still is
    flat = 0.4 + 2.0 * np.exp(-t / 3) + np.abs(rng.normal(0, 0.02, n))
    assert "lr_too_high" in fd.diagnose({"loss": list(loss), "val_loss": list(flat)}).codes


def test_a_train_loss_that_keeps_jumping_by_its_own_level_is_lr_too_high():
    """Fast drop, then the epoch's train loss itself jumps between 0.03 and 0.25: big steps."""
    rng = np.random.default_rng(4)
    loss = np.concatenate([[0.55, 0.2], np.exp(rng.normal(np.log(0.07), 0.8, 28))])
    val = 0.12 + np.abs(rng.normal(0, 0.06, 30))
    d = fd.diagnose({"loss": list(loss), "val_loss": list(val)})
    # both hold; the practitioner's tie order puts oscillating first (LABELS.md), lr_too_high stands beside it
    f = d.first("lr_too_high") if hasattr(d, "first") else next(x for x in d.findings if x.code == "lr_too_high")
    assert d.top.code in ("oscillating", "lr_too_high") and "jumping" in f.message


def test_a_loss_near_zero_wobbling_by_its_rounding_is_not_lr_too_high():
    """A fine-tune's train loss, logged to 4 decimals as Hugging Face rounds it, falls 0.35 ->
    0.0004 and wobbles by a few 1e-4 at the end: its own tiny level, but it has settled (the
    lr is decayed to nothing). A swing is judged against at least 5% of where the loss began."""
    loss = [0.3535, 0.052, 0.0119, 0.0062, 0.0043, 0.0031, 0.0026, 0.0018, 0.0012, 0.0006, 0.001, 0.0006,
            0.0004, 0.0004]
    val = list(np.geomspace(0.1, 0.00015, 14))
    d = fd.diagnose({"loss": loss, "val_loss": val})
    assert "lr_too_high" not in d.codes


def test_a_converged_train_loss_with_one_bump_near_zero_is_not_lr_too_high():
    """A fine-tuned ResNet's train loss falls 0.36 -> 0.0002 in 20 epochs with bumps of 0.01-0.02
    (epochs 10 and 12): 1000x its level at the end, but under 5% of where it began, while
    val accuracy settles at 0.993. A practitioner calls it healthy; a 1% floor read lr_too_high."""
    loss = [0.3608, 0.1679, 0.1339, 0.0934, 0.0694, 0.0247, 0.0103, 0.0057, 0.0076, 0.0189, 0.0059, 0.0041,
            0.0064, 0.0012, 0.0019, 0.0006, 0.0012, 0.0008, 0.0002, 0.0002]
    acc = [0.946, 0.893, 0.920, 0.920, 0.920, 0.986, 0.984, 0.986, 0.984, 0.972, 0.991, 0.958, 0.993, 0.990,
           0.995, 0.9965, 0.9965, 0.993, 0.993, 0.993]
    d = fd.diagnose({"loss": loss, "val_accuracy": acc})
    assert "lr_too_high" not in d.codes


def test_a_smooth_loss_falling_by_orders_of_magnitude_is_not_lr_too_high():
    loss = 0.35 * np.exp(-E[:12] / 1.2)
    d = fd.diagnose({"loss": list(loss), "val_loss": list(0.12 + 0.02 * np.exp(-E[:12] / 3))})
    assert "lr_too_high" not in d.codes


def test_a_step_log_is_judged_at_its_evaluation_cadence_not_by_minibatch_noise():
    """A healthy fine-tune logged like the HF Trainer: minibatch losses every step (noisy),
    an evaluation every 50 steps. Step noise is no oscillation and no lr problem."""
    rng = np.random.default_rng(0)
    steps = np.arange(1, 1001)
    # small batches: one minibatch's loss ranges from ~0 to several times the mean (read
    # step by step, this looked like a too-high lr or divergence)
    train = (0.05 + 0.6 * np.exp(-steps / 50)) * rng.exponential(1.0, steps.size)
    ev = np.arange(50, 1001, 50)
    val = 0.075 + 0.55 * np.exp(-ev / 50) + rng.normal(0, 0.003, ev.size)
    h = fd.RunHistory(series={"loss": fd.Series(steps, np.abs(train), "loss", axis="step"),
                              "val_loss": fd.Series(ev, val, "eval_loss", axis="step")})
    assert fd.diagnose(h).codes == ["healthy"]


def test_validation_frozen_to_the_digit_is_a_plateau_even_when_minibatch_noise_moves_train():
    n = np.arange(40)
    rng = np.random.default_rng(5)
    val = np.where(n < 10, 0.88 + 0.6 * np.exp(-n), 0.8764)
    train = 0.9 + 0.6 * np.exp(-n) + rng.normal(0, 0.04, 40)
    d = fd.diagnose({"loss": list(train), "val_loss": list(val)})
    assert d.top.code == "plateau" and "4th significant digit" in d.top.message


def test_a_validation_only_log_frozen_to_the_digit_at_one_answer_is_chance_level():
    """A deepfake detector's CSV holds validation only: val_loss 0.8132617461681366 at each of
    its 5 epochs and val accuracy 50.0 (%) at each. The weights never changed, so the one class
    every example gets says nothing about how many rows were scored; no train curve is needed.
    A val loss that moves beside the same accuracy is not this witness (too few rows to tell)."""
    frozen = {"val_loss": [0.8132617461681366] * 5, "val_accuracy": [50.0] * 5}
    d = fd.diagnose(frozen)
    assert d.top.code == "chance_level", d.codes
    assert "val_loss 0.8133 at every one (the weights never changed)" in d.top.message, d.top.message
    moving = {**frozen, "val_loss": [0.81, 0.74, 0.69, 0.66, 0.62]}
    assert "chance_level" not in codes(moving)


def test_binary_run_at_55_percent_with_loss_at_its_entropy_is_chance_level():
    """The forum classic as a step log shows it: val accuracy wobbles 0.52-0.58 and the loss
    sits at H(0.55) = 0.688, never clearly below."""
    n = np.arange(30)
    rng = np.random.default_rng(6)
    run = {"loss": list(0.697 - 0.018 * (1 - np.exp(-n / 8)) + rng.normal(0, 0.0015, 30)),
           "val_loss": list(0.6921 - 0.0065 * (1 - np.exp(-n / 3)) + rng.normal(0, 0.0005, 30)),
           "val_accuracy": list(np.r_[0.516, 0.548, 0.532, 0.56 + rng.normal(0, 0.012, 27)])}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level"


def test_a_slow_linear_train_loss_is_not_lr_too_low_once_validation_has_turned():
    n = np.arange(10)
    run = {"loss": list(1.5 - 0.035 * n), "val_loss": [1.49, 1.37, 1.33, 1.37, 1.36, 1.43, 1.44, 1.48, 1.51, 1.49]}
    assert "lr_too_low" not in fd.diagnose(run).codes


def test_val_loss_rising_is_not_val_not_improving_when_the_selected_metric_improved():
    """Whisper fine-tune: eval_loss rises from the first evaluation, but WER, the metric the
    Trainer selects on, falls 34.6 -> 32.0."""
    n = np.arange(20)
    h = fd.RunHistory(meta={"metric_for_best_model": "wer"})
    h.add("loss", n * 100 + 100, list(0.05 + 0.4 * np.exp(-n / 3)), axis="step")
    h.add("val_loss", n * 100 + 100, list(0.31 + 0.008 * n), raw_name="eval_loss", axis="step")
    h.add("val_wer", n * 100 + 100, list(32.0 + 2.6 * np.exp(-n / 4)), raw_name="eval_wer", axis="step")
    assert "val_not_improving" not in fd.diagnose(h).codes
    h.meta.pop("metric_for_best_model")
    assert "val_not_improving" in fd.diagnose(h).codes


def test_four_epochs_are_too_few_to_call_underfitting():
    run = {"loss": [1.34, 1.2, 1.1, 1.03], "val_loss": [1.3, 1.18, 1.1, 1.05],
           "accuracy": [0.5, 0.55, 0.58, 0.6], "val_accuracy": [0.52, 0.55, 0.58, 0.6]}
    assert "underfitting" not in fd.diagnose(run).codes


def test_a_regression_whose_mape_holds_at_100_percent_beside_a_flat_loss_is_underfitting():
    """Four epochs of a forecaster at MSE 1.000 on a standardised target with MAPE 100-103%:
    every prediction is about 0, the mean. Too short for the settled-high reading, but the two
    witnesses together say it predicts a constant: no verdict before."""
    run = {"loss": [1.0007, 1.0003, 0.99996, 1.00004], "mape": [103.5, 102.3, 100.8, 101.2],
           "val_loss": [1.0013, 1.00008, 1.00004, 1.00005], "val_mape": [108.5, 103.7, 101.0, 100.9]}
    d = fd.diagnose(run)
    assert d.top.code == "underfitting"
    assert "predicting 0 for every row scores 100%" in d.top.message


def test_a_regression_whose_correlation_holds_at_zero_is_underfitting_not_a_plateau():
    """A per-step regressor whose loss never left 1.00 while its lr decayed to nothing and its
    val Spearman rho stayed within 0.013 of 0: it never learned, so it did not freeze while
    learning (plateau); it predicts a constant."""
    from fitdoctor.history import RunHistory

    rng = np.random.default_rng(4)
    steps = np.arange(50, 8200, 50)
    h = RunHistory()
    h.add("loss", steps, 1.0 + rng.normal(0, 0.02, steps.size))
    h.add("learning_rate", steps, 3e-4 * np.linspace(1, 4e-4, steps.size))
    evals = np.arange(816, 8200, 816)
    h.add("val_loss", evals, 0.992 + rng.normal(0, 0.001, evals.size))
    h.add("val_spearman_rho", evals, rng.uniform(-0.013, 0.011, evals.size))
    d = fd.diagnose(h)
    assert d.top.code == "underfitting" and "plateau" not in d.codes
    assert "val_spearman_rho held between" in d.top.message


def test_a_regression_that_learned_is_not_a_constant_predictor_though_its_r2_starts_at_zero():
    """R^2 near 0 at first and a loss that fell 9x: it learned, nothing flat to explain."""
    x = np.arange(30)
    loss = 0.1 + 0.9 * np.exp(-x / 6)
    run = {"loss": loss, "val_loss": loss * 1.04, "val_r2": 1 - loss * 1.04}
    assert "underfitting" not in fd.diagnose(run).codes


def test_a_detector_is_judged_by_its_map_not_by_a_loss_part():
    """YOLO logs box/cls/dfl loss parts beside mAP: the metric the run is judged by is mAP."""
    n = np.arange(30)
    run = {"loss": list(4 + 6 * np.exp(-n / 8)), "val_loss": list(4.5 + 6 * np.exp(-n / 8)),
           "box_loss": list(1 + np.exp(-n / 8)), "val_box_loss": list(1.1 + np.exp(-n / 8)),
           "val_map50_95": list(0.7 - 0.6 * np.exp(-n / 8))}
    d = fd.diagnose(run)
    assert d.summary["best_metric"]["name"] == "val_map50_95"


def test_messages_quote_logged_values_and_a_readable_trend():
    """A perfectly smooth score has no noise to divide by: no 'z=-2046181236026370.2'; a score
    that rises is 'rising', and the numbers quoted are the ones in the log."""
    d = fd.diagnose({"f1": [.5, .6, .7, .8, .85]})
    msg = d.top.message
    assert d.top.code == "still_improving" and "rising" in msg and "0.85" in msg
    assert "e+" not in msg and "z=-" not in msg
    h = fd.diagnose({"loss": [1, .6, .55], "val_loss": [1.1, .7, .68]})
    assert "1 -> 0.55" in h.findings[0].message and "0.8" not in h.findings[0].message


def test_a_loss_flat_well_above_its_first_point_did_not_barely_move():
    """A frame-interpolation run logs one batch loss every 500 steps: 0.06, 0.04, 0.02 in an
    L1-only warm-up, then the full loss at 0.10 +- 0.03 for the rest of the run. Its level is 80%
    above its first point: whatever it is, it is not a plateau "having moved only -0.04 from its
    start" (a negative "only")."""
    rng = np.random.default_rng(3)
    loss = [0.0595, 0.0435, 0.0172] + list(0.10 + 0.03 * rng.standard_normal(97).clip(-1.5, 3))
    d = fd.diagnose({"loss": loss})
    assert not any("having moved only" in f.message for f in d.findings), d.codes


def test_two_points_are_no_healthy_run_and_the_summary_says_why():
    """Two epochs (loss 1 -> 0.6) show a fall, not that it settled: "fell and settled" would be a
    claim the log cannot back (a segmentation run stopped at Dice 0.16 after its second epoch
    read healthy). No verdict, and the summary names the two points."""
    d = fd.diagnose({"loss": [1, .6], "val_loss": [1.1, .7]})
    assert "healthy" not in d.codes
    assert "only 2 epochs logged (loss 1 -> 0.6)" in d.summary["unnamed"]
    # a train loss sampled twice beside 12 val evaluations: the summary does not say "only 2"
    val = [1.1, .8, .65, .58, .55, .53, .52, .515, .512, .51, .509, .508]
    assert "only 2" not in fd.diagnose({"loss": [1, .5], "val_loss": val}).summary.get("unnamed", "")
    one = fd.diagnose({"loss": [1, .6], "val_loss": [1.1]})
    assert "healthy" not in one.codes and "only 2 epochs logged" in one.summary["unnamed"]


def test_overfitting_counts_the_points_the_log_has():
    """A long step log is binned for the trend tests; the message counts the file's evaluations."""
    n = 600
    x = np.arange(n)
    val = np.where(x < 50, 1.0 - 0.012 * x, 0.4 + 0.0008 * (x - 50)) + 0.002 * np.sin(x)
    loss = 1.0 * np.exp(-x / 60) + 0.001
    d = fd.diagnose({"loss": list(loss), "val_loss": list(val)})
    f = next(f for f in d.findings if f.code == "overfitting")
    assert f"next {n - 1 - int(f.evidence['best_at'])} epochs" in f.message


def _hf_like(train_every: int, eval_every: int, gap: float):
    from fitdoctor.history import RunHistory

    steps = np.arange(1, 5001)
    true = 0.1 + 2.0 * np.exp(-steps / 2000)
    tx = np.arange(train_every, 5001, train_every)
    ty = np.array([true[x - train_every:x].mean() for x in tx])  # the Trainer logs a window mean
    vx = np.arange(eval_every, 5001, eval_every)
    vy = true[vx - 1] + gap + np.random.default_rng(0).normal(0, 0.004, vx.size)
    h = RunHistory(meta={"source": "trainer_state.json", "format": "huggingface"})
    h.add("loss", tx, ty, axis="step")
    h.add("val_loss", vx, vy, axis="step")
    return h


def test_a_train_window_mean_logged_rarely_is_not_suspicious_validation():
    """logging_steps 1000, eval_steps 50: the train mean lags the evaluations by half a window
    and more; that lag is no sign of an easy or leaked validation set."""
    d = fd.diagnose(_hf_like(1000, 50, gap=0.0))
    assert "suspicious_validation" not in d.codes


def test_validation_far_below_a_rarely_logged_train_loss_is_still_suspicious():
    d = fd.diagnose(_hf_like(1000, 50, gap=-0.2))
    assert "suspicious_validation" in d.codes


def test_a_sparse_single_batch_train_loss_is_not_a_too_high_lr():
    """Lightning logs the step loss every 50 steps: 12 noisy single-batch values beside 80
    evaluations. Their jumps are minibatch noise, not an lr too high to settle."""
    rng = np.random.default_rng(0)
    x = np.arange(80)
    val = 0.05 + 0.85 * np.exp(-x / 8) + rng.normal(0, 0.003, 80)
    train_x = np.arange(6, 80, 6)[:12]
    train = np.exp(rng.normal(np.log(0.03), 1.0, train_x.size))
    from fitdoctor.history import RunHistory

    h = RunHistory(meta={"format": "lightning"})
    h.add("loss", train_x, train)
    h.add("val_loss", x, val)
    assert "lr_too_high" not in fd.diagnose(h).codes


def test_a_regression_that_cannot_beat_the_mean_well_is_underfitting():
    """The trainer records the target's variance: an MSE settling at 55% of it (R^2 0.45) with
    validation close is underfitting (dropout 0.9), not healthy."""
    from fitdoctor.history import RunHistory

    x = np.arange(40)
    loss = 3300 + 24000 * np.exp(-x / 5)
    h = RunHistory(meta={"task": "regression", "target_variance": 6000.0})
    h.add("loss", x, loss)
    h.add("val_loss", x, loss * 1.15)
    h.add("r2", x, 1 - loss / 6000)
    assert fd.diagnose(h).top.code == "underfitting"


def test_a_steady_rise_after_a_steep_curved_descent_is_judged_on_its_own_noise():
    """HF classifier: eval loss best at the 3rd evaluation, then up at every evaluation. The
    steep descent before the best must not inflate the noise the rise is judged against."""
    val = [1.49, 1.39, 1.326, 1.37, 1.40, 1.43, 1.45, 1.47, 1.49, 1.50, 1.51]
    loss = [1.50, 1.42, 1.36, 1.31, 1.27, 1.24, 1.21, 1.19, 1.18, 1.17, 1.16]
    assert fd.diagnose({"loss": loss, "val_loss": val}).top.code == "overfitting"


def test_a_straight_slow_decline_of_a_validation_only_log_is_lr_too_low():
    """A log with only a val curve, falling along a straight line 14% from ln 10."""
    val = list(2.271 - 0.0105 * np.arange(31))
    d = fd.diagnose({"val_loss": val})
    assert d.top.code == "lr_too_low"


def test_a_log_path_is_diagnosed_as_read(tmp_path):
    log = tmp_path / "training_log.csv"
    log.write_text("epoch,loss,val_loss\n" + "".join(f"{e},{0.7 * 0.8 ** e:.4f},{0.72 * 0.8 ** e + 0.02:.4f}\n"
                                                      for e in range(12)))
    by_path = fd.diagnose(log)
    assert by_path.codes == fd.diagnose(fd.read(log)).codes
    assert fd.diagnose(str(log)).history.meta["format"] == "keras-csv"
    with pytest.raises(fd.BadInput, match="no such file"):
        fd.diagnose(tmp_path / "missing.csv")
    with pytest.raises(fd.BadInput, match="log file's path"):
        fd.diagnose(3.5)


def test_a_frozen_run_at_a_steady_lr_does_not_blame_a_decayed_lr():
    """A Keras run stuck on saturated units: loss 8.619 to the digit for 10 epochs while the
    logged lr stays 0.01. 'A learning rate decayed to ~0' is no cause the log allows."""
    run = {"loss": [8.619] * 10, "val_loss": [6.975] * 10, "lr": [0.01] * 10}
    f = next(f for f in fd.diagnose(run).findings if f.code == "plateau")
    assert "stayed at 0.01" in f.message and "decayed" not in f.message
    run["lr"] = [0.01 * 0.5 ** i for i in range(10)]
    f = next((f for f in fd.diagnose(run).findings if f.code == "plateau"), None)
    assert f is None or "stayed at" not in f.message


def _jumpy_flat_val(train_end: float, seed: int = 3):
    """Val falls for 10 epochs, then jumps around a flat level (sd 0.06 at 0.38) for 20 more."""
    e = np.arange(30)
    val = noisy(0.38 + 1.0 * np.exp(-e / 3), 0.06, seed)
    train = noisy(train_end + (1.5 - train_end) * np.exp(-e / 7), 0.004, seed + 1)
    return {"loss": train, "val_loss": val}


def test_jumpy_val_flat_while_train_falls_far_below_is_overfitting():
    """A val curve jumping by a sixth of its level, flat since epoch ~10, while train falls to a
    fifth of it: the gap-widening kind, judged from where val first reached its level (the
    smoothed minimum of a jumpy curve lands late, where the gap is already wide)."""
    run = _jumpy_flat_val(0.06)
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    ev = d.top.evidence
    assert ev["flat_since"] <= 14
    # the best quoted is the log's own minimum of the flat stretch, at its epoch
    tail = np.asarray(run["val_loss"])[int(ev["flat_since"]):]
    assert ev["val_min"] == pytest.approx(tail.min(), rel=1e-3)
    assert ev["best_at"] == ev["flat_since"] + int(np.argmin(tail))
    assert f"{tail.min():.4g}" in d.top.message
    # where to stop: where val went flat, not at a later dip within its noise
    assert ev["best_at"] > ev["flat_since"]
    assert f"flat since epoch {int(ev['flat_since'])}" in d.top.remedies[0].action


def test_a_val_loss_still_climbing_to_its_end_is_overfitting():
    """One fold of a k-fold log: the val loss flat near its best for a while, then a ramp to
    +16% at the end (early stopping fired) with two dips on the way, so fewer than 80% of the
    late points sit 2 noise scales above the best. A trend since the best beyond noise, ending
    at its top, is the rise LABELS.md calls overfitting; it was read healthy."""
    val = [1.78, 1.52, 1.41, 1.44, 1.40, 1.46, 1.43, 1.42, 1.41, 1.44, 1.38, 1.42, 1.44, 1.46, 1.57, 1.59,
           1.51, 1.63, 1.64]
    train = [2.6, 1.62, 1.46, 1.39, 1.40, 1.33, 1.30, 1.27, 1.23, 1.27, 1.17, 1.14, 1.10, 1.08, 1.07, 1.04,
             1.01, 1.01, 0.99]
    [f] = [f for f in fd.diagnose({"loss": train, "val_loss": val}).findings if f.severity != "info"]
    assert f.code == "overfitting" and f.evidence["val_min"] == 1.38  # its logged best
    # the same stretch ending back down near the best is no such rise (it is the gap-widening
    # kind: val flat from epoch 2 while train falls 1.46 -> 0.99, further than val ever gained)
    flat = val[:-3] + [1.45, 1.43, 1.44]
    found = [f for f in fd.diagnose({"loss": train, "val_loss": flat}).findings if f.code == "overfitting"]
    assert all("rise" not in f.evidence and "gap grew" in f.message for f in found)


def test_a_rise_still_ramping_at_the_last_evaluation_is_measured_where_it_got_to():
    """A BiLSTM text classifier stopped by patience 5: val 1.366 at epoch 10, then 1.371, 1.370,
    1.388, 1.391, 1.427 while train kept falling. The tail's median (1.391) lagged a rise still
    under way, under 3 noise scales; the last evaluation, +4% and 7x the noise, is where it got
    to. The same run with its last point back down is no rise."""
    loss = [1.5838, 1.5568, 1.5467, 1.4955, 1.4744, 1.4169, 1.38, 1.35, 1.3255, 1.3042, 1.2874, 1.2741, 1.2492,
            1.2297, 1.1948]
    val = [1.5647, 1.5538, 1.5457, 1.456, 1.442, 1.4164, 1.3893, 1.3708, 1.371, 1.3664, 1.3706, 1.3701, 1.3881,
           1.391, 1.4266]
    d = fd.diagnose({"loss": loss, "val_loss": val})
    assert d.top.code == "overfitting" and "1.427 at the last" in d.top.message
    assert "overfitting" not in fd.diagnose({"loss": loss, "val_loss": val[:-1] + [1.372]}).codes


def test_jumpy_flat_val_with_train_beside_it_is_not_overfitting():
    """The same jumpy val with train settling close to it: no gap grew, nothing memorised."""
    assert "overfitting" not in codes(_jumpy_flat_val(0.36))


def test_a_noisy_val_accuracy_still_rising_at_its_best_last_epoch_is_still_improving():
    """A CNN's test accuracy swinging 2-5 points between epochs for 101 epochs, its 10-epoch means
    still climbing and its best at the last epoch, while the train loss falls steadily: too
    noisy for the last 30% to show a trend, but the last half does. It had read healthy. The same
    run levelled off (no rise in its last half) stays healthy though it also ends at its best."""
    e = np.arange(101)
    loss = list(1.8 * np.exp(-e / 12) + 0.5 - 0.0026 * e)
    for seed in (1, 3):
        acc = noisy(0.88 - 0.45 * np.exp(-e / 8) + 0.0009 * (e - 100), 0.022, seed)
        acc[-1] = max(acc) + 0.004
        d = fd.diagnose({"loss": loss, "val_accuracy": acc})
        assert d.top.code == "still_improving" and "through its noise" in d.top.message
    for seed in range(10):
        flat = noisy(0.86 - 0.45 * np.exp(-e / 8), 0.022, seed)
        flat[-1] = max(flat) + 0.004
        assert "still_improving" not in codes({"loss": loss, "val_accuracy": flat})


def test_five_evaluations_each_better_by_a_lot_is_still_improving():
    """A fine-tune stopped after 5 evaluations, each clearly better than the last: too few
    points for a noise estimate, but 4 in strict order with a last step of 14% is no plateau."""
    run = {"loss": [1.39, 1.02, 0.79, 0.66, 0.52], "val_loss": [1.138, 0.992, 0.742, 0.647, 0.558]}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "better at each of its last 3" in d.top.message and "0.558" in d.top.message
    assert d.top.span == (1, 4)  # the 4 evaluations the message quotes


def test_a_run_that_turned_at_its_last_evaluation_is_not_still_improving():
    """Val 0.61 -> 0.45, then 0.55 at the last of 5 epochs: the tail's trend over its last few
    points still reads downhill, but the run ended worse than its best beyond noise, as the
    keep line says ("keep epoch 4"); "still falling at the end: 0.4794 -> 0.5458" had said both."""
    run = {"loss": [1.0328, 0.6575, 0.5637, 0.5244, 0.4938], "val_loss": [0.6084, 0.5292, 0.4794, 0.4513, 0.5458],
           "accuracy": [0.6639, 0.7839, 0.8125, 0.8291, 0.8382],
           "val_accuracy": [0.7934, 0.8147, 0.8404, 0.8484, 0.8249]}
    d = fd.diagnose(run)
    assert "still_improving" not in d.codes
    assert d.summary["last_worse_than_best_beyond_noise"]


def test_five_evaluations_that_settled_are_not_still_improving():
    """Each evaluation better than the last, but the last by 2.6%: converged, not cut short."""
    run = {"loss": [3.74, 0.92, 0.31, 0.15, 0.11], "val_loss": [2.294, 0.705, 0.210, 0.155, 0.151]}
    assert "still_improving" not in codes(run)


def test_noisy_val_still_trending_down_to_its_best_at_the_end_is_still_improving():
    """75 epochs, val jumping by a tenth of its level but falling through its second half to
    its best at the last epoch: the last 30% alone cannot show the trend beyond that noise."""
    e = np.arange(75)
    val = np.asarray(noisy(1.2 + 3.0 * np.exp(-e / 40), 0.15, 5))
    val[-1] = val.min() - 0.05
    run = {"loss": noisy(0.8 + 3.0 * np.exp(-e / 30), 0.02, 6), "val_loss": list(val)}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "through its noise" in d.top.message


def test_short_fine_tune_that_settles_higher_after_its_best_is_overfitting():
    """10 evaluations: best at the 3rd, then all 7 later ones worse than the first three while
    train goes to zero. Too few points to tell the step up from noise by a noise estimate; the
    order says it (1 in 120 by chance)."""
    val = [0.176, 0.166, 0.157, 0.215, 0.195, 0.228, 0.177, 0.237, 0.214, 0.214]
    run = {"loss": [0.29, 0.08, 0.03, 0.02, 0.012, 0.008, 0.004, 0.002, 0.001, 0.0008], "val_loss": val,
           "accuracy": [0.89, 0.97, 0.99, 0.993, 0.996, 0.998, 0.999, 1.0, 1.0, 1.0],
           "val_accuracy": [0.963, 0.967, 0.967, 0.963, 0.970, 0.967, 0.971, 0.969, 0.971, 0.972]}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    assert d.top.evidence["level_shift_p"] == pytest.approx(1 / 120, rel=1e-3)
    assert "each of the 7 epochs after the best is worse" in d.top.message
    # the keep advice agrees: keep the best epoch, the last is worse
    assert d.summary["last_worse_than_best_beyond_noise"] and d.summary["best_at"] == 2


def test_short_curve_with_a_later_point_back_at_the_best_level_is_no_level_shift():
    """The same, but one later evaluation (0.160) is as good as those up to the best: no shift."""
    val = [0.176, 0.166, 0.157, 0.215, 0.195, 0.160, 0.177, 0.237, 0.214, 0.214]
    run = {"loss": [0.29, 0.08, 0.03, 0.02, 0.012, 0.008, 0.004, 0.002, 0.001, 0.0008], "val_loss": val,
           "accuracy": [0.89, 0.97, 0.99, 0.993, 0.996, 0.998, 0.999, 1.0, 1.0, 1.0],
           "val_accuracy": [0.963, 0.967, 0.967, 0.963, 0.970, 0.967, 0.971, 0.969, 0.971, 0.972]}
    d = fd.diagnose(run)
    assert not any(f.code == "overfitting" and "level_shift_p" in f.evidence for f in d.findings)


def test_underfitting_without_a_validation_loss_does_not_claim_one_is_close():
    """Only train loss and val accuracy logged: the message cannot say validation is close."""
    e = np.arange(40)
    run = {"loss": noisy(0.88 + 0.2 * np.exp(-e / 4), 0.004), "val_accuracy": noisy(np.full(40, 0.52), 0.01, 1)}
    d = fd.diagnose(run)
    f = next(f for f in d.findings if f.code == "underfitting")
    assert "close to it" not in f.message and "no validation loss" in f.message


def test_good_accuracy_with_val_below_a_regularised_train_loss_is_not_underfitting():
    """A binary model at 0.94 whose train loss (dropout on) sits above val at half of ln 2: no gap
    and a loss at half the chance level say nothing beside that accuracy (pneumonia X-rays)."""
    e = np.arange(30)
    run = {"loss": noisy(0.33 + 0.3 * np.exp(-e / 3), 0.004), "val_loss": noisy(0.29 + 0.2 * np.exp(-e / 3), 0.004, 1),
           "accuracy": noisy(0.94 - 0.1 * np.exp(-e / 3), 0.003, 2),
           "val_accuracy": noisy(0.96 - 0.05 * np.exp(-e / 3), 0.003, 3)}
    assert "underfitting" not in codes(run)


def test_poor_accuracy_at_most_of_the_chance_loss_is_still_underfitting():
    """4 classes, loss settled at 81% of ln 4 beside val, accuracy 0.49: it cannot fit."""
    e = np.arange(50)
    run = {"loss": noisy(1.12 + 0.25 * np.exp(-e / 5), 0.004), "val_loss": noisy(1.16 + 0.2 * np.exp(-e / 5), 0.004, 1),
           "accuracy": noisy(0.49 - 0.2 * np.exp(-e / 5), 0.004, 2),
           "val_accuracy": noisy(0.47 - 0.2 * np.exp(-e / 5), 0.004, 3)}
    assert fd.diagnose(run).top.code == "underfitting"


def test_short_run_ending_at_its_best_while_train_falls_is_still_improving():
    """10 epochs, val noisy (0.117 at epoch 6, 0.177, 0.155) but at a new best on the last one,
    train falling every epoch: for a run this short, stopped too early is the usual call."""
    val = [0.629, 0.243, 0.2, 0.21, 0.125, 0.12, 0.117, 0.177, 0.155, 0.116]
    train = [1.469, 0.45, 0.25, 0.17, 0.12, 0.095, 0.08, 0.07, 0.065, 0.057]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "still_improving", d.codes
    assert "ended at its best after only 10 epochs" in d.top.message and d.top.span == (6, 9)


def test_short_run_setting_a_small_new_best_at_its_last_epoch_is_still_improving():
    """10 epochs, val settling (0.292, 0.290, 0.302) then a new best at the last epoch
    by a fraction of a percent, train at its lowest too (an EfficientNet head on X-rays labelled
    still improving): the new best need not be large by its own scale; the run stopped while
    validation still improved."""
    val = [0.381, 0.345, 0.335, 0.320, 0.310, 0.298, 0.292, 0.290, 0.302, 0.2896]
    train = [0.486, 0.403, 0.374, 0.362, 0.347, 0.346, 0.344, 0.335, 0.342, 0.3293]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "still_improving", d.codes
    assert "ended at its best after only 10 epochs" in d.top.message


def test_short_run_whose_best_came_before_the_end_is_not_still_improving():
    val = [0.629, 0.243, 0.2, 0.21, 0.125, 0.12, 0.112, 0.177, 0.155, 0.118]
    train = [1.469, 0.45, 0.25, 0.17, 0.12, 0.095, 0.08, 0.07, 0.065, 0.057]
    assert "still_improving" not in codes({"loss": train, "val_loss": val})


_SHORT_TRAIN = [0.180, 0.136, 0.110, 0.087, 0.074, 0.062, 0.057, 0.051, 0.047, 0.043]


def test_short_noisy_run_trending_down_through_its_noise_is_still_improving():
    """10 epochs, val jumping by +-0.03 around a line that still falls, its best at the last but
    one, train falling every epoch (the shape of a leaf-disease CNN labelled still improving): five
    noisy points give a z-test nothing, but the median slope over the last half falls by more than
    the noise, and by a third of the level."""
    val = [0.182, 0.161, 0.186, 0.114, 0.167, 0.133, 0.120, 0.131, 0.094, 0.097]
    d = fd.diagnose({"loss": _SHORT_TRAIN, "val_loss": val})
    assert d.top.code == "still_improving", d.codes
    assert "still falling through its noise after only 10 epochs" in d.top.message
    assert "0.133 0.12 0.131 0.094 0.097" in d.top.message and d.top.span == (5, 9)


def test_a_short_run_score_trending_up_is_judged_against_what_it_had_left_to_gain():
    """12 epochs of a U-Net: val Dice 0.8477 -> 0.9111, 0.9139, 0.9153, 0.9098, 0.9192 (best),
    0.9165 while train falls every epoch. Its last half rises 0.007, under 1% of its level but
    8% of the 0.08 it had left to a perfect 1: a score's gain is a share of that, as its last step
    is. A Dice flat at 0.9160 +- 0.003 to the end is not still rising."""
    train = [0.9948, 0.3485, 0.2195, 0.164, 0.1327, 0.1152, 0.1017, 0.09186, 0.08463, 0.07862, 0.07341, 0.06939]
    dice = [0.8477, 0.8807, 0.8994, 0.8951, 0.9032, 0.9051, 0.9111, 0.9139, 0.9153, 0.9098, 0.9192, 0.9165]
    d = fd.diagnose({"loss": train, "val_dice": dice})
    assert d.top.code == "still_improving", d.codes
    assert "of what it had left to gain" in d.top.message
    flat = dice[:6] + [0.9160, 0.9131, 0.9185, 0.9142, 0.9178, 0.9150]
    assert "still_improving" not in codes({"loss": train, "val_dice": flat})


def test_short_run_levelled_off_at_its_best_is_not_still_improving():
    """The same length, val smooth and settled (last steps of 0.001 at 0.12, its best at the
    end): the trend over the last half is a few percent of the level, so it converged."""
    val = [0.60, 0.30, 0.20, 0.15, 0.13, 0.125, 0.123, 0.122, 0.121, 0.1205]
    train = [1.30, 0.45, 0.27, 0.19, 0.14, 0.11, 0.09, 0.075, 0.064, 0.056]
    assert "still_improving" not in codes({"loss": train, "val_loss": val})


def test_short_run_whose_last_half_moves_within_its_noise_is_not_still_improving():
    """Val bouncing 0.11-0.13 with no trend over its last half, its best at the last but one:
    the median slope says nothing beyond the noise."""
    val = [0.182, 0.161, 0.186, 0.114, 0.167, 0.113, 0.130, 0.121, 0.112, 0.124]
    assert "still_improving" not in codes({"loss": _SHORT_TRAIN, "val_loss": val})


def test_a_validation_that_never_learned_is_not_also_still_improving():
    """Val accuracy is one class's share (0.73, or 0.27) at every epoch while train reaches 1.0;
    its loss falls noisily from a spike over the last five epochs. val_not_improving explains it:
    a split the model cannot learn is not one it stopped learning too early."""
    run = {"loss": [1.45, 1.16, 0.63, 0.37, 0.11, 0.065, 0.051, 0.0021, 0.00075, 0.00057],
           "accuracy": [0.5, 0.64, 0.67, 0.84, 1, 1, 1, 1, 1, 1],
           "val_loss": [1.56, 9.49, 7.58, 1.52, 0.856, 1.33, 1.04, 0.749, 0.584, 0.679],
           "val_accuracy": [0.7344, 0.2656, 0.2656, 0.2656, 0.7344, 0.7344, 0.7344, 0.7344, 0.7344, 0.6562]}
    d = fd.diagnose(run)
    assert d.top.code == "val_not_improving" and "still_improving" not in d.codes, d.codes


def test_val_not_improving_does_not_claim_noise_hid_a_gain_beyond_it():
    """A smooth val curve whose best is 12x its noise below the start but only 1.3% of it: the
    message says how little it improved, not 'never improved beyond noise'."""
    e = np.arange(28)
    val = list(1.906 - 0.025 * np.minimum(e, 3) / 3 + 0.012 * np.maximum(e - 3, 0) + 0.002 * np.sin(e))
    run = {"loss": list(2.06 - 0.75 * e / 27), "val_loss": val}
    f = next(f for f in fd.diagnose(run).findings if f.code == "val_not_improving")
    assert "beyond noise" not in f.message and "never improved by more than 1.3% of where it started" in f.message


def test_a_fall_inside_the_first_evaluation_window_is_no_plateau_from_the_start():
    """Loss logged every 25 steps falls 0.83 -> 0.12 before the first evaluation at step 250,
    then wanders 0.13-0.33: its means over the evaluation windows start at 0.245 and end near
    it, which is no 'barely moved from its start' (the log starts at 0.83)."""
    from fitdoctor.history import RunHistory

    tx = np.arange(25, 1501, 25)
    first = [0.83, 0.49, 0.16, 0.12, 0.118, 0.13, 0.13, 0.14, 0.165, 0.17]  # mean 0.245
    rest = np.repeat([0.236, 0.309, 0.288, 0.213, 0.178], 10) + np.random.default_rng(0).normal(0, 0.01, 50)
    ty = np.concatenate([first, rest])
    h = RunHistory(meta={"source": "trainer_state.json", "format": "huggingface"})
    h.add("loss", tx, ty, axis="step")
    h.add("val_loss", np.arange(250, 1501, 250), [0.219, 0.41, 0.43, 0.44, 0.42, 0.40], axis="step")
    d = fd.diagnose(h)
    assert not any(f.code == "plateau" and "from its start" in f.message for f in d.findings), d.codes


def _wide_gap_run(val_acc_end: float, seed: int = 5):
    """32 epochs: val falls 5.7 -> ~2.2 and jumps around that level (sd 0.25) for its last third,
    with its smoothed minimum late; train goes to 0.1 (train accuracy 0.97)."""
    e = np.arange(32)
    val = noisy(2.2 + 3.5 * np.exp(-e / 4), 0.25, seed)
    train = noisy(0.1 + 2.0 * np.exp(-e / 2), 0.01, seed + 1)
    acc = list(np.clip(0.97 - 0.5 * np.exp(-e / 2), 0, 1))
    val_acc = noisy(val_acc_end - 0.45 * np.exp(-e / 5), 0.02, seed + 2)
    return {"loss": train, "val_loss": val, "accuracy": acc, "val_accuracy": val_acc}


def test_val_flat_at_many_times_the_train_loss_is_overfitting():
    """Train at a twentieth of val, val no better over the last third, val accuracy 30 points
    below train: memorised, however noisy val is and wherever its smoothed minimum falls."""
    d = fd.diagnose(_wide_gap_run(0.66))
    assert d.top.code == "overfitting", d.codes
    assert "last third" in d.top.message and "below train" in d.top.message
    assert d.top.evidence["train_over_val"] < 0.1


def test_a_wide_loss_gap_with_close_accuracies_is_not_overfitting():
    """The same losses with val accuracy 2 points below train: an over-confident loss on the
    few examples it gets wrong, not memorising."""
    d = fd.diagnose(_wide_gap_run(0.95))
    assert not any(f.code == "overfitting" and "last third" in f.message for f in d.findings), d.codes


def test_a_gap_between_two_near_zero_losses_is_not_overfitting():
    """A classifier whose val loss fell from 0.36 to about 0.001 (99.7% of the way to zero) and
    then jumped around that level while train went to 5e-05: "23x" is a ratio of two near-zero
    numbers, nothing to act on. The same shape with val ending at a quarter of its start is still
    the wide gap."""
    e = np.arange(60)
    train = 5e-05 + 0.5 * np.exp(-e / 3)
    for seed in (3, 4):
        for end, overfit in ((0.001, False), (0.1, True)):
            jitter = 1 + 0.3 * np.random.default_rng(seed).standard_normal(60)
            val = end * jitter + 0.36 * np.exp(-e / 3)
            d = fd.diagnose({"loss": list(train), "val_loss": list(np.abs(val))})
            assert ("overfitting" in d.codes) is overfit, (seed, end, d.codes)


def test_a_gap_wider_than_all_val_gained_is_overfitting_on_a_loss_with_a_high_floor():
    """A language model's eval loss 3.30 -> 3.10 by the fourth evaluation, flat after, while
    train keeps falling 3.40 -> 2.85: train ends at 92% of val (a loss with a high floor never
    gets to the ratio a classifier's would), but the gap, 0.23, is wider than all val ever
    gained (0.20). A train loss that fell less far leaves the gap inside val's gain: no finding.
    (A fine-tune whose train ends at 55% of its val is the plain gap-widening kind.)"""
    val = [3.30, 3.20, 3.12, 3.10, 3.102, 3.104, 3.106, 3.107, 3.108, 3.109]
    d = fd.diagnose({"loss": list(np.linspace(3.4, 2.85, 10)), "val_loss": val})
    assert d.top.code == "overfitting", d.codes
    assert "more than val gained from its start (0.197" in d.top.message
    assert "overfitting" not in fd.diagnose({"loss": list(np.linspace(3.4, 3.0, 10)), "val_loss": val}).codes
    fine_tune = [0.66, 0.56, 0.50, 0.4853, 0.4873, 0.4886, 0.4906, 0.4907, 0.4912, 0.4917]
    d = fd.diagnose({"loss": list(np.linspace(0.52, 0.27, 10)), "val_loss": fine_tune})
    assert d.top.code == "overfitting" and "more than val gained" not in d.top.message


def test_a_gap_grown_a_third_since_val_went_flat_is_overfitting():
    """LABELS.md's gap-widening kind, mild: a character-level fine-tune's val loss reaches 1.089
    at its fourth evaluation and sits above it for the five after, while train keeps falling
    0.90 -> 0.80: the gap grew 0.20 -> 0.29 (1.4x). A train loss that slows to a crawl over the
    same stretch leaves the gap where it was (1.1x): a converged run, no finding."""
    val = [1.1876, 1.1339, 1.1094, 1.089, 1.0938, 1.0906, 1.09, 1.1065, 1.0971]
    train = [1.161, 0.9741, 0.9472, 0.8973, 0.8821, 0.8577, 0.8317, 0.8185, 0.8041]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "overfitting", d.codes
    assert "gap grew from 0.2006 to 0.2858" in d.top.message
    slow = [1.161, 0.9741, 0.9472, 0.8973, 0.8950, 0.8920, 0.8890, 0.8860, 0.8830]
    assert "overfitting" not in fd.diagnose({"loss": slow, "val_loss": val}).codes


def test_val_at_three_times_train_and_flat_for_the_last_third_is_overfitting():
    """A classifier whose train loss went to 0.07 while val sat at 0.21 (3x) over the last third
    of the run, val accuracy 0.07 below train: the gap was already wide when val went flat, so
    it never grew, but it is too wide for a healthy run. Val at 0.15 (2x) is no such gap."""
    rng = np.random.default_rng(0)
    train = list(np.r_[np.geomspace(0.69, 0.076, 12), np.linspace(0.075, 0.07, 18)])
    val = list(np.r_[np.geomspace(0.69, 0.21, 12), 0.21 + 0.006 * rng.standard_normal(18)])
    acc = list(np.r_[np.linspace(0.6, 0.975, 12), np.linspace(0.976, 0.98, 18)])
    val_acc = list(np.r_[np.linspace(0.6, 0.91, 12), 0.91 + 0.004 * rng.standard_normal(18)])
    run = {"loss": train, "val_loss": val, "accuracy": acc, "val_accuracy": val_acc}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    assert "(3x) and found no new low beyond its noise over the last third" in d.top.message
    two_x = list(np.r_[np.geomspace(0.69, 0.15, 12), 0.15 + 0.006 * rng.standard_normal(18)])
    assert "overfitting" not in fd.diagnose(dict(run, val_loss=two_x)).codes


def test_a_val_loss_flat_since_an_early_best_is_judged_even_when_it_averages_lowest_at_the_end():
    """An OCR recogniser evaluated every 1000 iterations (two labellers, blind: overfitting): val
    loss 0.0625 at its fifth evaluation (epoch 4 here), then 0.071-0.084 for the six after (0.069
    at the last) while train falls 0.027 -> 0.003. The smoothed val is lowest over its last
    points, the smoothing's artefact on a curve flat within its noise; the train loss at a
    thirteenth of val is the gap-widening kind. A val loss still falling at its end, its logged
    best last, is no such run."""
    val = [3.635, 0.3274, 0.3186, 0.07496, 0.06251, 0.0711, 0.07797, 0.07236, 0.07281, 0.08407, 0.06934]
    train = [3.652, 0.2105, 0.0875, 0.0275, 0.0151, 0.0112, 0.0089, 0.0071, 0.0058, 0.0049, 0.0032]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "overfitting", d.codes
    assert "best 0.06251 at epoch 4" in d.top.message
    falling = [3.635, 0.3274, 0.2186, 0.1496, 0.1151, 0.0951, 0.0847, 0.0766, 0.0702, 0.0651, 0.0609]
    assert "overfitting" not in fd.diagnose({"loss": train, "val_loss": falling}).codes


def test_a_val_loss_falling_back_from_a_bump_to_its_early_best_is_no_progress():
    """A classifier head trained for 150 epochs: val loss best 0.95 at epoch 31, a bump to 1.1
    around epoch 70, back down to 0.962 by the end, while train goes to 0.0013 (700x below) and
    val accuracy sits 0.16 under train. Over the last third val falls, but only back to levels it
    held long before: that is no progress, and the gap is overfitting. Val falling to 0.70, far
    below anything it reached before, is still improving."""
    rng = np.random.default_rng(1)
    e = np.arange(150)
    bump = 0.15 * np.exp(-((e - 70) / 18.0) ** 2)
    val = np.where(e < 31, 6.96 * np.exp(-e / 5.5) + 0.95 * (1 - np.exp(-e / 5.5)), 0.95 + bump + 0.012 * (e > 31))
    val = val + 0.004 * rng.standard_normal(150)
    train = np.r_[np.geomspace(7.0, 0.2, 31), np.geomspace(0.2, 0.0013, 119)]
    acc = np.r_[np.linspace(0.1, 0.97, 31), np.linspace(0.97, 0.9998, 119)]
    val_acc = np.r_[np.linspace(0.1, 0.80, 31), np.linspace(0.80, 0.84, 119)]
    run = {"loss": list(train), "val_loss": list(val), "accuracy": list(acc), "val_accuracy": list(val_acc)}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    assert "found no new low beyond its noise over the last third" in d.top.message
    # no better since its best, bump and all: stop there (not where the last third begins)
    assert d.top.evidence["flat_since"] == d.top.evidence["best_at"] < 50
    assert d.top.remedies[0].action.startswith("stop at the best epoch")
    lower = val - np.where(e >= 100, 0.25 * (e - 100) / 49, 0.0)
    assert "overfitting" not in fd.diagnose(dict(run, val_loss=list(lower))).codes


def test_a_regression_gap_is_judged_on_its_errors_not_their_squares():
    """MSE 0.0005 on train and 0.0045 on val (a chronological split) after val fell 50x: the
    errors differ 3x, a converged run's gap; a tenth of val on a cross-entropy would not be."""
    e = np.arange(31)
    val = noisy(0.0045 + 0.2 * np.exp(-e / 5), 0.0003, 7)
    train = noisy(0.0005 + 0.03 * np.exp(-e), 0.00003, 8)
    assert "overfitting" not in codes({"loss": train, "val_loss": val})


def _train_loss_and_val_accuracy(val_acc):
    e = np.arange(len(val_acc))
    return {"loss": noisy(0.58 + 0.5 * np.exp(-e / 6), 0.005, 2), "val_accuracy": list(val_acc)}


def test_val_accuracy_swinging_by_a_third_is_oscillating_when_no_val_loss_is_logged():
    """Only train loss and val accuracy logged (70 val images): val accuracy jumps between 0.59
    and 1.00 from epoch to epoch, far beyond what 70 rows' sampling makes (sd 0.04)."""
    rng = np.random.default_rng(4)
    acc = np.clip(0.85 + rng.choice([-0.25, -0.12, 0.0, 0.1, 0.14], size=30), 0, 1)
    d = fd.diagnose(_train_loss_and_val_accuracy(np.round(acc * 70) / 70))
    assert d.top.code == "oscillating", d.codes
    assert "val_accuracy swings" in d.top.message and "on its 70 rows" in d.top.message
    assert d.top.evidence["val_rows"] == 70


def test_val_accuracy_wiggling_by_its_sampling_noise_is_not_oscillating():
    """30 val rows at 0.8: accuracy moves in steps of 1/30 (binomial sd 0.07) whatever the
    training does; that wiggle is the val set's size, not the batch or the lr."""
    rng = np.random.default_rng(5)
    acc = rng.binomial(30, 0.8, size=30) / 30
    assert "oscillating" not in codes(_train_loss_and_val_accuracy(acc))


def test_the_val_set_size_is_read_off_the_logged_accuracies():
    """k/N logged as float32 or printed to 3-4 decimals gives N back; an average over batches
    (no common N) gives None, and so does a single repeated value."""
    import importlib

    shape = importlib.import_module("fitdoctor.diagnose.curves.shape")
    k = np.array([23, 28, 24, 51, 48, 57, 58, 31, 33, 54])
    assert shape.rows_behind_accuracy(np.round(k / 70, 3)) == 70
    assert shape.rows_behind_accuracy((k / 70).astype(np.float32)) == 70
    assert shape.rows_behind_accuracy(np.array([3, 5, 7, 9, 11]) / 30.0) == 30
    assert shape.rows_behind_accuracy(np.random.default_rng(0).uniform(0.5, 0.9, 12)) is None
    assert shape.rows_behind_accuracy(np.full(5, 0.5)) is None


def test_val_loss_rising_from_the_first_evaluation_while_the_chosen_metric_improves_is_overfitting():
    """A Whisper-like fine-tune selecting on WER: val loss best at the first of 5 evaluations,
    then worse at each (+52%) while train goes to ~0 and WER creeps 34.6 -> 32.0. The model
    learned (its WER says so) and grows over-confident: overfitting, not "never improved"."""
    h = fd.RunHistory.from_dict({"loss": [0.26, 0.048, 0.004, 0.0008, 0.0003],
                                 "val_loss": [0.3075, 0.3558, 0.4214, 0.4519, 0.4679],
                                 "val_wer": [34.6, 33.1, 32.7, 32.2, 32.0]})
    assert fd.diagnose(h).top.code != "overfitting"  # without knowing what the run selects on
    h.meta["metric_for_best_model"] = "wer"
    d = fd.diagnose(h)
    assert d.top.code == "overfitting", d.codes
    assert "0.3075" in d.top.message


def _constant_val_accuracy_run(val_acc, val_loss):
    e = np.arange(len(val_acc))
    return {"loss": list(0.05 + 1.3 * np.exp(-e / 2)), "val_loss": list(val_loss),
            "accuracy": list(np.clip(0.99 - 0.25 * np.exp(-e), 0, 1)), "val_accuracy": list(val_acc)}


def test_val_accuracy_stuck_at_one_class_share_while_the_loss_moves_is_chance_level():
    """A segmenter whose val accuracy is 0.986607 (the background share) at every one of 35
    epochs while val loss falls 0.785 -> 0.057: every pixel gets the same class; the loss
    only measures the confidence of that one answer."""
    e = np.arange(35)
    d = fd.diagnose(_constant_val_accuracy_run(np.full(35, 0.9866071939468384),
                                               0.057 + 0.73 * np.exp(-e / 1.5)))
    assert d.top.code == "chance_level", d.codes
    assert "0.986607 at 100% of its 35 evaluations" in d.top.message


def test_binary_val_accuracy_flipping_between_a_share_and_its_complement_is_chance_level():
    """47/64 or 17/64 at 9 of 10 epochs: one class for every example, then the other."""
    acc = [0.734375, 0.265625, 0.265625, 0.265625, 0.734375, 0.734375, 0.734375, 0.734375, 0.734375, 0.65625]
    run = _constant_val_accuracy_run(acc, [1.56, 9.49, 7.58, 1.52, 0.86, 1.33, 1.04, 0.75, 0.58, 0.68])
    run["accuracy"] = [0.5, 0.55, 0.6, 0.62, 0.7, 0.72, 0.73, 0.74, 0.73, 0.74]  # never fits train either
    d = fd.diagnose(run)
    assert d.top.code == "chance_level", d.codes
    assert "complement" in d.top.message


def test_a_stuck_val_accuracy_beside_a_train_accuracy_of_one_is_val_not_improving():
    """The same stuck val accuracy while train accuracy goes to 1.0: it learned the training
    set, and none of it carries to validation (its val loss fell, more confident in one answer)."""
    acc = [0.734375, 0.265625, 0.265625, 0.265625, 0.734375, 0.734375, 0.734375, 0.734375, 0.734375, 0.65625]
    run = _constant_val_accuracy_run(acc, [1.56, 9.49, 7.58, 1.52, 0.86, 1.33, 1.04, 0.75, 0.58, 0.68])
    run["accuracy"] = [0.5, 0.64, 0.67, 0.84, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    d = fd.diagnose(run)
    assert d.top.code == "val_not_improving", d.codes
    assert "rose to 1.000" in d.top.message and "chance_level" not in d.codes


def test_a_stuck_val_accuracy_while_only_the_train_loss_moves_is_chance_level():
    """A 7-class skin-lesion CNN: val accuracy 0.6697736 (the majority share) at all 9 epochs; its
    val loss, near the prior's entropy from the start, moves 1.215 -> 1.119 (8%), while the train
    loss falls 1.79 -> 1.17 as the net learns the prior. The train loss moving says the weights
    did; the answers never did."""
    run = {"loss": [1.792, 1.42, 1.31, 1.25, 1.21, 1.19, 1.18, 1.17, 1.165],
           "val_loss": [1.215, 1.17, 1.15, 1.14, 1.13, 1.125, 1.122, 1.12, 1.119],
           "accuracy": [0.4465, 0.6, 0.64, 0.655, 0.66, 0.663, 0.665, 0.667, 0.668],
           "val_accuracy": [0.6697736] * 9}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level", d.codes
    assert "while loss went 1.792 -> 1.165" in d.top.message


def test_a_frozen_run_or_a_tiny_val_set_keeps_its_accuracy_without_predicting_one_class():
    """An lr that collapsed freezes weights, losses and accuracy together (the plateau rule's);
    9 of 10 right at every epoch on a 10-row val set is a converged model as easily."""
    frozen = _constant_val_accuracy_run([0.875, 0.9] + [0.89] * 30, [0.48, 0.34] + list(np.linspace(0.2755, 0.2732, 30)))
    assert "chance_level" not in fd.diagnose(frozen).codes
    e = np.arange(20)
    tiny = _constant_val_accuracy_run([0.9] * 20, 0.3 + 0.5 * np.exp(-e / 3))
    assert "chance_level" not in fd.diagnose(tiny).codes


def test_a_train_only_log_creeping_down_after_it_bent_over_is_not_still_improving():
    """No validation logged: a train loss that fell 0.29 -> 0.064 and then creeps 0.064 -> 0.059
    over 10 epochs (a few % of its level, 2% of its progress) has converged; a model can always
    fit its training rows a little closer. Still falling by a good share of its progress is
    still improving."""
    e = np.arange(25)
    creeping = [0.291, 0.125, 0.103, 0.091, 0.084, 0.08, 0.077, 0.075, 0.074, 0.071, 0.069, 0.068, 0.067,
                0.065, 0.064, 0.063, 0.065, 0.062, 0.061, 0.059, 0.059, 0.058, 0.06, 0.057, 0.059]
    assert "still_improving" not in codes({"loss": creeping})
    falling = list(0.05 + 0.3 * np.exp(-e / 12))
    assert codes({"loss": falling})[0] == "still_improving"


def test_a_train_only_loss_still_falling_by_a_fifth_of_its_level_is_still_improving():
    """No validation logged: an autoencoder's MSE 0.525 -> 0.036 whose last block still cuts it
    0.039 -> 0.036 and each block before by 7-9% has not settled, though the tail is only 2% of
    the run's whole fall (its first epochs fell most). A few % of the level is creeping; a fifth
    of it over the last 30% of the run is not."""
    mse = [0.5251, 0.2053, 0.1502, 0.1071, 0.0889, 0.0753, 0.0651, 0.0582, 0.0527, 0.0462, 0.0423, 0.0389, 0.0359]
    assert codes({"mse": mse})[0] == "still_improving"


def test_a_train_only_loss_halving_beside_a_perfect_train_accuracy_is_not_still_improving():
    """No validation logged: train accuracy 1.0 for the last half of the run and a train loss
    halving at 1e-4 is a classifier memorising its rows; there is nothing left to gain."""
    e = np.arange(60)
    run = {"loss": list(2.0 * np.exp(-e / 6) + 1e-5), "accuracy": list(np.minimum(1.0, 0.45 + 0.05 * e))}
    assert "still_improving" not in codes(run)


def test_keras_accuracy_on_a_regression_target_is_no_evidence_of_chance():
    """A docking-score regressor compiled with metrics=["acc", RMSE]: accuracy 0.00025 (one
    lucky row in 4,000) and 0.0 on val, and an MSE near 2.7 that happens to sit at ln 15. A
    classifier predicting a constant would get its class's share right; this is no classifier."""
    run = {"loss": [3.883, 3.028, 2.756, 2.493, 2.197, 1.889, 3.968],
           "val_loss": [2.894, 2.657, 2.518, 2.618, 2.614, 2.872, 3.184],
           "acc": [0.00025] * 7, "val_acc": [0.0] * 7,
           "root_mean_squared_error": [1.93, 1.72, 1.66, 1.58, 1.48, 1.37, 1.43],
           "val_root_mean_squared_error": [1.67, 1.61, 1.57, 1.59, 1.59, 1.67, 1.65]}
    assert "chance_level" not in codes(run)
    del run["root_mean_squared_error"], run["val_root_mean_squared_error"]
    run["acc"] = [0.0] * 7  # exactly 0 everywhere says it without the RMSE
    assert "chance_level" not in codes(run)


def test_a_language_models_curving_fall_is_still_improving_not_a_low_lr():
    """A small LM's 10 epochs: val 4.13 -> 3.57, each epoch better, the fall slowing (late slope
    0.6x the early one). An LM's loss does not head for 0, so "only 22% down" says nothing about
    the lr; a curve that bends is a run stopped early. A straight line still says lr."""
    run = {"loss": [4.777, 4.218, 4.101, 4.023, 3.955, 3.889, 3.825, 3.767, 3.72, 3.687],
           "val_loss": [4.133, 3.956, 3.881, 3.819, 3.77, 3.718, 3.677, 3.623, 3.591, 3.57]}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving" and "lr_too_low" not in d.codes, d.codes
    e = np.arange(30)
    straight = {"loss": list(4.8 - 0.01 * e), "val_loss": list(4.2 - 0.01 * e)}
    assert "lr_too_low" in codes(straight)


def test_an_accuracy_at_the_majority_share_with_a_known_prior_is_left_to_the_loss_test():
    """95/5 data, the prior known: val accuracy 0.95 at every epoch while the loss falls well
    below H(0.95). The model ranks but never crosses 0.5 for the rare class: class imbalance
    and the metric speak to that, not "learned nothing" (doctor then tries class weights first)."""
    e = np.arange(20)
    h = fd.RunHistory.from_dict({"loss": list(0.12 + 0.6 * np.exp(-e / 3)), "val_loss": list(0.13 + 0.55 * np.exp(-e / 3)),
                                 "accuracy": [0.95] * 20, "val_accuracy": [float(np.float32(215 / 226))] * 20})
    assert fd.diagnose(h).top.code == "chance_level"  # no prior: the stuck accuracy is the evidence
    h.meta["class_prior"] = [0.95, 0.05]
    assert "chance_level" not in fd.diagnose(h).codes


def test_a_loss_near_ln_k_that_falls_at_every_evaluation_is_not_chance():
    """An LLM fine-tune's val loss 2.835 -> 2.756 over 10 evaluations, lower at each: it happens
    to sit near ln 15 but it is learning; a loss that holds still at ln K is the guess."""
    val = [2.835, 2.804, 2.788, 2.782, 2.773, 2.769, 2.765, 2.762, 2.759, 2.756]
    train = [2.95, 2.85, 2.80, 2.78, 2.77, 2.76, 2.75, 2.75, 2.74, 2.74]
    assert "chance_level" not in codes({"loss": train, "val_loss": val})
    flat = noisy(np.full(10, math.log(15)), 0.004, 3)
    assert codes({"loss": noisy(np.full(10, math.log(15)), 0.004, 4), "val_loss": flat})[0] == "chance_level"


def test_a_stuck_val_accuracy_without_a_train_accuracy_breaks_no_rule():
    """Found in review: the memorised reading quoted a train accuracy the log does not have."""
    e = np.arange(20)
    h = fd.RunHistory.from_dict({"loss": list(0.69 * np.exp(-e / 4)), "val_loss": list(0.7 + 0.03 * e),
                                 "val_accuracy": [0.712345] * 20})
    h.meta["n_classes"] = 2
    d = fd.diagnose(h)
    assert not [n for n in d.history.meta.get("notes", []) if n.startswith("rule ")]
    assert "val_not_improving" in d.codes


def test_a_near_perfect_val_accuracy_that_holds_is_not_a_constant_answer():
    """Right on 9986 of 10000 val rows at nearly every epoch while val loss falls to 0.003, far
    below the 0.011 a constant answer at that share would score: a near-perfect model."""
    e = np.arange(20)
    acc = [float(np.float32(9986 / 10000))] * 18 + [float(np.float32(9990 / 10000))] * 2
    run = {"loss": list(0.2 * np.exp(-e / 3) + 0.001), "val_loss": list(0.003 + 0.03 * np.exp(-e / 3)),
           "val_accuracy": acc, "accuracy": list(0.9 + 0.1 * (1 - np.exp(-e / 2)))}
    assert not {"chance_level", "val_not_improving"} & set(codes(run))


def _trainer_state(tmp_path, evals, *, global_step, max_steps, every=100, train=None):
    """A checkpoint's trainer_state.json as the HF Trainer writes it: a train loss logged every
    ``every // 10`` steps (``train(step)``: a fast fall, then flat), an evaluation every ``every``
    steps."""
    train = train or (lambda step: 2.74 + 0.7 * math.exp(-step / 60))
    import json

    rng = np.random.default_rng(3)
    hist = []
    for i, v in enumerate(evals, start=1):
        for j in range(1, 11):
            step = (i - 1) * every + j * every // 10
            hist.append({"epoch": step / 2250, "grad_norm": 1.2, "learning_rate": 3.9e-05,
                         "loss": round(train(step) + float(rng.normal(0, 0.03)), 4), "step": step})
        hist.append({"epoch": i * every / 2250, "eval_loss": v, "eval_runtime": 5.1,
                     "eval_samples_per_second": 90.0, "eval_steps_per_second": 11.3, "step": i * every})
    state = {"best_metric": None, "best_model_checkpoint": None, "epoch": global_step / 2250,
             "eval_steps": every, "global_step": global_step, "is_hyper_param_search": False,
             "is_local_process_zero": True, "is_world_process_zero": True, "log_history": hist,
             "logging_steps": every // 10, "max_steps": max_steps, "num_input_tokens_seen": 0,
             "num_train_epochs": 2, "save_steps": 500, "total_flos": 1.0e15, "train_batch_size": 8,
             "trial_name": None, "trial_params": None}
    path = tmp_path / f"checkpoint-{global_step}" / "trainer_state.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(state, indent=2))
    return path


SLOW_FALL = [2.8353, 2.8041, 2.7883, 2.7817, 2.7725, 2.7688, 2.7650, 2.7618, 2.7589, 2.7562]


def test_a_checkpoint_cut_short_while_val_falls_at_each_evaluation_is_still_improving(tmp_path):
    """Step 1000 of 4500 planned, eval loss better at every evaluation: small steps, but the run
    was stopped with most of its schedule to go, which is what 'stopped too early' means."""
    run = fd.read_runs(str(_trainer_state(tmp_path, SLOW_FALL, global_step=1000, max_steps=4500)))[0]
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "step 1000 of the 4500 planned (22%)" in d.top.message
    assert d.top.evidence["steady_steps"] == 9
    # the first fix is to let it finish, not 3x the epochs of a run that never got to its end
    assert d.top.remedies[0].action.startswith("let the run finish: resume from its last checkpoint to step 4500")


def test_a_noisy_checkpoint_cut_short_falling_beyond_noise_is_still_improving(tmp_path):
    """Step 2400 of 4500: eval loss falls by a couple of percent over its tail, beyond its noise
    (each evaluation wobbles), its best one evaluation before the last. The steps left were to
    make that progress; the best need not be the very last point of a noisy curve."""
    rng = np.random.default_rng(11)
    evals = [round(2.05 + 1.3 * math.exp(-i / 5) - 0.002 * i + float(rng.normal(0, 0.004)), 4) for i in range(24)]
    evals[-1] = round(min(evals[:-1]) + 0.006, 4)  # the last is a hair above the best, one before it
    evals[-2] = round(min(evals[:-2]) - 0.004, 4)
    run = fd.read_runs(str(_trainer_state(tmp_path, evals, global_step=2400, max_steps=4500)))[0]
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "step 2400 of the 4500 planned (53%)" in d.top.message
    assert f"its best at step 2300 ({evals[-2]:.4g})" in d.top.message


def test_three_evaluations_better_at_each_in_a_checkpoint_at_a_fifth_of_its_plan_are_still_improving(tmp_path):
    """A DistilBERT fine-tune set for 15 epochs, its state at epoch 2.98 (step 130 of 645), eval
    loss 0.6676, 0.6604, 0.6354: it read "fell and settled", which its labeller ruled out.
    Three points better at each step are too few for the usual test, but a run stopped at a
    fifth of its plan is what "stopped too early" means. At 90% of its plan it is not."""
    evals = [0.6676, 0.6604, 0.6354]
    run = fd.read_runs(str(_trainer_state(tmp_path, evals, global_step=300, max_steps=1500)))[0]
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "step 300 of the 1500 planned (20%)" in d.top.message
    late = fd.read_runs(str(_trainer_state(tmp_path / "late", evals, global_step=300, max_steps=330)))[0]
    assert "still_improving" not in fd.diagnose(late).codes


def test_the_same_slow_fall_at_the_planned_end_is_not_called_cut_short(tmp_path):
    """Finished (global_step == max_steps): the last steps are 0.1% of the level, settled."""
    run = fd.read_runs(str(_trainer_state(tmp_path, SLOW_FALL, global_step=1000, max_steps=1000)))[0]
    d = fd.diagnose(run)
    assert "still_improving" not in d.codes or "planned" not in d.top.message


def test_a_checkpoint_past_its_best_is_not_called_cut_short(tmp_path):
    """Ended before its planned length, but val turned: nothing says the steps left would help."""
    evals = SLOW_FALL[:6] + [2.7700, 2.7752, 2.7790, 2.7843]
    run = fd.read_runs(str(_trainer_state(tmp_path, evals, global_step=1000, max_steps=4500)))[0]
    assert "still_improving" not in fd.diagnose(run).codes


def test_no_low_lr_is_read_off_a_run_early_in_its_schedule(tmp_path):
    """A straight, slow fall at 16% of the planned steps is what every schedule's start looks
    like: still improving, not a too-low lr."""
    evals = [3.0378 - 0.04 * i for i in range(8)]
    run = fd.read_runs(str(_trainer_state(tmp_path, evals, global_step=800, max_steps=5000,
                                          train=lambda step: 2.95 - 0.0004 * step)))[0]
    d = fd.diagnose(run)
    assert "lr_too_low" not in d.codes
    assert d.top.code == "still_improving"


def test_a_keras_console_log_that_ends_at_epoch_12_of_50_still_falling_is_cut_short(tmp_path):
    """Keras prints the planned length in every header: a log whose last is 'Epoch 12/50',
    val at its best and better at each of its last evaluations, was stopped too early."""
    lines = []
    for ep in range(1, 13):
        loss, vloss = 0.9 * 0.93 ** ep, 0.95 * 0.94 ** ep
        lines += [f"Epoch {ep}/50",
                  f"32/32 \u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501"
                  f"\u2501\u2501\u2501\u2501\u2501\u2501 1s 5ms/step - accuracy: {0.6 + 0.02 * ep:.4f} - "
                  f"loss: {loss:.4f} - val_accuracy: {0.58 + 0.02 * ep:.4f} - val_loss: {vloss:.4f}"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read_runs(str(path))[0]
    assert (run.meta["epochs_done"], run.meta["planned_epochs"]) == (12, 50)
    d = fd.diagnose(run)
    assert d.top.code == "still_improving"
    assert "epoch 12 of the 50 planned" in d.top.message


def test_a_val_loss_far_below_train_with_val_accuracy_below_train_is_a_scale_not_a_leak():
    """Losses summed over batches: the train sum covers 4x the batches, so it sits ~4x above val
    every epoch, while the accuracies, which have no scale, agree (val a little below train)."""
    e = np.arange(30)
    train_acc = noisy(0.1 + 0.65 * (1 - np.exp(-e / 8)), 0.01, 4)
    val_acc = noisy(0.08 + 0.64 * (1 - np.exp(-e / 8)), 0.02, 5)
    run = {"loss": noisy(220 * np.exp(-e / 14) + 30, 2.0, 6), "val_loss": noisy(55 * np.exp(-e / 14) + 8, 1.0, 7),
           "accuracy": train_acc, "val_accuracy": val_acc}
    assert "suspicious_validation" not in codes(run)
    leak = dict(run, val_accuracy=[min(a + 0.08, 1.0) for a in train_acc])  # val scores clearly better
    assert "suspicious_validation" in codes(leak)


def test_a_val_loss_that_falls_steadily_by_one_percent_while_train_collapses_has_not_improved():
    """Train 1.14 -> 0.03 (it memorised), val 1.600 -> 1.583 and flat there: the trend is
    significant against its tiny noise, but 1% that stopped is no improvement."""
    e = np.arange(13)
    val = [1.5996, 1.5949, 1.5890, 1.5861, 1.5840, 1.5829, 1.5824, 1.5831, 1.5822, 1.5836, 1.5828, 1.5833, 1.5838]
    run = {"loss": list(0.025 + 1.12 * np.exp(-e / 2.2)), "val_loss": val,
           "accuracy": list(np.minimum(1.0, 0.63 + 0.15 * e)), "val_accuracy": [0.4] * 4 + [0.2] * 9}
    d = fd.diagnose(run)
    assert d.top.code == "val_not_improving", d.codes
    assert "never improved by more than 1." in d.top.message


def test_a_checkpoint_whose_flat_val_happens_to_end_on_two_small_gains_is_not_cut_short(tmp_path):
    """Flat within its noise for the last 7 evaluations, the last two a little lower: 3 points
    in order happen 1 time in 6 by chance, which says nothing about the steps left."""
    evals = [1.175, 1.05, 0.98, 0.94, 0.913, 0.90, 0.89, 0.882, 0.877, 0.879, 0.871, 0.877, 0.876, 0.8713]
    run = fd.read_runs(str(_trainer_state(tmp_path, evals, global_step=1400, max_steps=5400,
                                          train=lambda step: 0.62 + 4.8 * math.exp(-step / 80))))[0]
    d = fd.diagnose(run)
    assert not any("cut short" in f.message for f in d.findings)


def test_a_run_that_says_it_stopped_early_is_not_cut_short(tmp_path):
    """'Epoch 20: early stopping' under 'Epoch 20/100' headers, or a Trainer state whose control
    says should_training_stop: the run ended where it meant to (found in review: it was told
    to resume to epoch 100, and lr_too_low was silenced)."""
    lines = []
    for ep in range(1, 21):
        lines += [f"Epoch {ep}/100",
                  f"32/32 - 1s - 5ms/step - accuracy: {0.6 + 0.002 * ep:.4f} - loss: {0.9 - 0.004 * ep:.4f} - "
                  f"val_accuracy: 0.6100 - val_loss: {0.95 - 0.004 * ep:.4f}"]
    lines += ["Epoch 20: early stopping", "Restoring model weights from the end of the best epoch: 2."]
    path = tmp_path / "keras.log"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read_runs(str(path))[0]
    assert run.meta.get("early_stopped") is True
    assert not any("planned" in f.message for f in fd.diagnose(run).findings)

    import json
    state_path = _trainer_state(tmp_path, SLOW_FALL, global_step=1000, max_steps=4500)
    state = json.loads(state_path.read_text())
    state["stateful_callbacks"] = {"TrainerControl": {"args": {"should_training_stop": True}, "attributes": {}}}
    state_path.write_text(json.dumps(state))
    d = fd.diagnose(fd.read_runs(str(state_path))[0])
    assert not any("cut short" in f.message for f in d.findings)


def test_a_loss_running_away_below_zero_is_diverging_not_still_improving():
    """Keras CSVLogger of an ECG model whose loss starts at -3.4e4 and falls to -6.5e7 in 70
    epochs (val twice that): no working model's loss falls without a floor. It read as
    'still improving, train longer'."""
    e = np.arange(70)
    loss = -33834.0 * (1 + e) ** 1.8
    d = fd.diagnose({"loss": list(loss), "val_loss": list(2 * loss)})
    assert d.top.code == "diverging" and d.top.severity == "error"
    assert "runs away below zero" in d.top.message and "still_improving" not in d.codes
    assert d.top.remedies[0].action.startswith("check that the labels are in the range the loss expects")
    assert d.summary["keep"].startswith("nothing worth keeping: the loss has no floor")


def test_a_negative_log_likelihood_settling_below_zero_is_no_runaway():
    """A Gaussian NLL may go below zero and settle there (1.4 -> -2.9): that is a loss with a
    floor, not a runaway."""
    e = np.arange(40)
    nll = -3.0 + 4.4 * np.exp(-e / 6)
    d = fd.diagnose({"loss": list(nll), "val_loss": list(nll + 0.05)})
    assert "diverging" not in d.codes


def test_a_score_that_collapses_after_its_best_is_overfitting_told_in_its_own_direction():
    """A recommender logs train loss and val precision only: 0.002 -> best 0.094, then 0.02 while
    the loss keeps falling. The message and evidence quote the precision as logged (a drop)."""
    rng = np.random.default_rng(2)
    prec = np.concatenate([np.linspace(0.002, 0.09, 14), 0.088 + rng.normal(0, 0.004, 10), 0.02 + rng.normal(0, 0.004, 9)])
    loss = np.linspace(1.54, 1.26, 33)
    d = fd.diagnose({"loss": list(loss), "val_prec": list(prec)})
    assert d.top.code == "overfitting", d.codes
    assert "(-" in d.top.message and "the drop is" in d.top.message
    assert d.top.evidence["val_min"] == pytest.approx(float(np.max(prec)), abs=0.01)


def test_val_not_improving_on_a_score_quotes_it_as_logged():
    """A score is kept negated on the curve for the rules; the message shows the log's numbers."""
    x = np.arange(20)
    bleu = 71.6 + 0.3 * np.sin(x) + 0.01 * x
    d = fd.diagnose({"loss": list(1.6 * np.exp(-x / 3) + 0.01), "val_bleu": list(bleu)})
    f = next(f for f in d.findings if f.code == "val_not_improving")
    assert "start 71.6" in f.message and "-71" not in f.message
    assert f.evidence["val_start"] == pytest.approx(71.6) and f.evidence["higher_is_better"] is True


def test_val_that_never_improved_is_not_excused_by_an_immaterial_creep_at_the_end():
    """Val 0.452, a spike, then 0.4452 -> 0.4437 over 40 epochs on a tiny noise: the creep is
    significant (z < -3) but 0.3% is no gain, while train falls 0.54 -> 0.31."""
    x = np.arange(50)
    val = 0.4452 - 0.0015 * x / 49 + 0.00002 * np.sin(3 * x)
    val[0], val[1], val[2], val[3] = 0.4518, 1.59, 11.45, 5.59
    d = fd.diagnose({"loss": list(0.54 - 0.23 * x / 49), "val_loss": list(val)})
    assert d.findings[0].code == "val_not_improving"


def test_a_train_fall_before_the_first_evaluation_is_not_one_val_failed_to_follow():
    """A step log (HF style): train 18.8 -> 7.4 in the first 90 steps, then flat beside an
    eval loss flat at 7.40-7.42 from its first evaluation: stuck together, not a val that
    never improved while train learned."""
    steps = np.arange(10, 1810, 10)
    loss = np.where(steps <= 90, 18.8 - (18.8 - 7.44) * steps / 90, 7.42 + 0.005 * np.sin(steps))
    evals = np.arange(200, 1801, 200)
    h = fd.RunHistory()
    h.add("loss", steps, loss, axis="step")
    h.add("val_loss", evals, 7.417 - 0.016 * (evals - 200) / 1600, axis="step")
    assert "val_not_improving" not in fd.diagnose(h).codes


def test_one_epoch_blowing_up_far_beyond_the_start_is_diverging_though_it_recovers():
    """A Keras CNN: 508 at its first epoch, 1.36 by epoch 14, then 10830 at epoch 18 and a slow
    way back to 1.7. Smoothing took the one epoch for an outlier and the run read healthy; an
    epoch's mean 20x the first epoch's is many batches thrown off, not one unlucky batch."""
    loss = [508.4, 19.4, 7.7, 4.9, 4.8, 5.2, 4.5, 3.8, 2.8, 1.9, 1.85, 1.7, 1.36, 1.4, 4.2, 1.9,
            10830.0, 123.0, 58.0, 35.6, 22.7, 16.4, 10.1, 6.5, 4.0, 2.8, 1.4, 1.15, 1.9, 2.6, 1.2, 1.1, 1.3]
    d = fd.diagnose({"loss": loss, "val_loss": [v * 1.2 + 20 for v in loss]})
    assert d.top.code == "diverging" and "to 1.08e+04 at epoch 16" in d.top.message
    # one bad epoch the next one undoes (0.069, 1.21, 0.076) left the model where it was
    undone = [0.069, 1.21, 0.076, 0.108, 0.078, 0.057, 0.064, 0.058, 0.039, 0.029] + [0.025 - 0.0004 * i for i in range(30)]
    assert fd.diagnose({"loss": undone, "val_loss": [0.074 - 0.001 * min(i, 40) for i in range(40)]}).top.code != "diverging"


def test_a_train_loss_higher_at_every_epoch_is_diverging_whatever_its_floor():
    """A predictive-coding LM: ln of its train perplexity 11.04, 11.28, 11.88, 12.68, 13.65 (the
    perplexity 62k -> 846k). Worse at every epoch, yet only 1.24x its start, because a
    cross-entropy sits on a floor of its own; it had read no finding at all. A loss that rises
    and falls back, or rises by a hair, is not this."""
    loss = [11.04, 11.278, 11.879, 12.683, 13.648]
    d = fd.diagnose({"loss": loss})
    assert d.top.code == "diverging" and "higher each time (4 rises in a row" in d.top.message
    assert "diverging" not in fd.diagnose({"loss": [11.04, 11.278, 11.879, 11.5, 12.2]}).codes
    assert "diverging" not in fd.diagnose({"loss": [11.04, 11.1, 11.2, 11.3, 11.4]}).codes  # 3% up


def test_three_sparse_train_samples_are_no_blow_up():
    """Lightning's step loss sampled 3 times beside 13 epochs of validation (0.014, 0.008,
    0.030): minibatch noise. A sparse sample that runs 10x or to NaN still is one."""
    h = fd.RunHistory()
    h.add("loss", [3.0, 7.0, 11.0], [0.01374, 0.007665, 0.03023])
    h.add("val_loss", np.arange(13.0), 0.6 * np.exp(-np.arange(13) / 5) + 0.28)
    assert "diverging" not in fd.diagnose(h).codes
    h2 = fd.RunHistory()
    h2.add("loss", [3.0, 7.0, 11.0], [0.014, 0.008, 0.9])
    h2.add("val_loss", np.arange(13.0), 0.6 * np.exp(-np.arange(13) / 5) + 0.28)
    assert "diverging" in fd.diagnose(h2).codes


def test_overfitting_leaves_no_underfitting_beside_it():
    """Val best at epoch 11, then up 7% while train keeps falling to 77% of the chance-level loss:
    a model fitting its training data, never also 'one that cannot fit even its training data'."""
    x = np.arange(29)
    val = np.where(x <= 10, 3.72 - 0.23 * x / 10, 3.49 + 0.26 * (x - 10) / 18) + 0.01 * np.sin(5 * x)
    loss = 3.79 - 1.1 * x / 28 + 0.03 * np.sin(2.1 * x)
    codes = fd.diagnose({"loss": list(loss), "val_loss": list(val)}).codes
    assert "overfitting" in codes and "underfitting" not in codes


def test_healthy_on_a_step_log_quotes_the_train_loss_as_logged():
    """A step log's train loss is averaged between evaluations for the tests (the last window
    mean 3.6); the message quotes its first and last logged values, as the header does."""
    steps = np.arange(0, 2000)
    h = fd.RunHistory()
    h.add("loss", steps, 3.4 + 7.6 * np.exp(-steps / 150) + 0.02 * np.sin(steps), axis="step")
    evals = np.arange(0, 1751, 250)
    h.add("val_loss", evals, 3.9 + 7.1 * np.exp(-evals / 160), axis="step")
    f = next(f for f in fd.diagnose(h).findings if f.code == "healthy")
    last = 3.4 + 7.6 * np.exp(-1999 / 150) + 0.02 * np.sin(1999)
    assert f"-> {last:.4g};" in f.message and f.message.startswith("fell and settled: loss 11")


def test_a_converged_val_wiggling_by_7_percent_of_its_level_is_not_oscillating():
    """LABELS.md: swings 'as large as the level itself'. A steering regressor's val loss falls to
    0.015 and then wiggles by about 0.001 (7% of its level) with no trend: healthy, not
    oscillating. A val loss swinging by a third of its level still is."""
    x = np.arange(20)
    rng = np.random.default_rng(3)
    base = 0.0150 + 0.006 * np.exp(-x / 3)
    loss = 0.0156 + 0.0144 * np.exp(-x / 4)
    calm = base + 0.0011 * rng.standard_normal(20)
    assert "oscillating" not in fd.diagnose({"loss": list(loss), "val_loss": list(calm)}).codes
    wild = base + 0.005 * np.where(x % 2 == 0, 1.0, -1.0)
    assert "oscillating" in fd.diagnose({"loss": list(loss), "val_loss": list(wild)}).codes


def test_a_val_loss_that_ends_steady_after_early_spikes_is_not_oscillating():
    """A public LSTM intent classifier's history (practitioner label: healthy, oscillating
    ruled out): val loss 0.070 -> 0.045 -> 0.073 -> 0.034 early, then 0.032-0.040 to the end,
    steps of about a tenth of its level. LABELS.md's swings are "as large as the level itself":
    over the last 40% of the run the median step must reach 30% of the level. The same run
    still swinging by half its level to the end is oscillating.

    Its primary verdict is contested: since the flat val stretch is judged even where the
    smoothed val averages lowest at the end, it reads the gap-widening `overfitting` (val within
    its noise since epoch 3 while train falls 0.027 -> 0.0034, 10x below it), as two labellers
    read an OCR run of the same shape; this practitioner read it `healthy`."""
    loss = [0.817, 0.0683, 0.0369, 0.0268, 0.0191, 0.0109, 0.00727, 0.00526, 0.00443, 0.00341]
    val = [0.0696, 0.0455, 0.0729, 0.0337, 0.0318, 0.0389, 0.0343, 0.0399, 0.0361, 0.0322]
    assert fd.diagnose({"loss": loss, "val_loss": val}).codes in (["healthy"], ["overfitting"])
    wild = val[:5] + [0.035 * (1 + 0.5 * (-1) ** i) for i in range(5)]
    assert "oscillating" in fd.diagnose({"loss": loss, "val_loss": wild}).codes


def test_a_perfect_val_accuracy_with_a_sure_val_loss_is_not_still_improving():
    """A ViT fine-tune: val accuracy 1.0 at every epoch while the val loss halves from 2e-4 to
    1.5e-5; the answers are right and sure, nothing is left to gain (it read still_improving on
    a trend z of -44). The same perfect accuracy at a val loss of 0.12, still falling, is a
    model whose right answers are not yet sure: still improving."""
    loss = [0.0985, 0.002, 0.0008, 0.0004, 0.0002, 0.0001, 0.0001, 0.0, 0.0, 0.0]
    sure = list(np.geomspace(2.23e-4, 1.49e-5, 10))
    d = fd.diagnose({"loss": loss, "val_loss": sure, "accuracy": [0.98] + [1.0] * 9, "val_accuracy": [1.0] * 10})
    assert "still_improving" not in d.codes
    unsure = list(np.geomspace(0.9, 0.12, 10))
    d = fd.diagnose({"loss": list(np.geomspace(0.7, 0.1, 10)), "val_loss": unsure,
                     "accuracy": [0.9] * 10, "val_accuracy": [0.8, 0.9] + [1.0] * 8})
    assert d.top.code == "still_improving"


def test_a_loss_five_orders_of_magnitude_down_is_at_its_floor_not_still_improving():
    """A slot parser's val cross-entropy: 1.91 at its first epoch, 6.5e-7 eight epochs before
    the end, 3.0e-7 at the last, a new best at each. No score is logged, but a loss that far down
    is every answer right and sure; it read still_improving on a trend z of -70. The same curve
    stopped at 1e-3, a thousandth of its start, still has something to learn."""
    def run(end):
        val = [1.91, 0.5, 0.05] + list(np.geomspace(end * 40, end, 22))
        train = [2.32, 0.6, 0.06] + list(np.geomspace(end * 60, end * 1.5, 22))
        return fd.diagnose({"loss": train, "val_loss": val})
    assert "still_improving" not in run(3.0e-7).codes
    assert run(1e-3).top.code == "still_improving"


def test_val_below_a_train_loss_still_falling_steeply_is_a_remark_and_the_run_still_improving():
    """Ten epochs of a dropout net (Keras's MNIST example): val 0.18 -> 0.077 below a train loss
    still falling 0.52 -> 0.13 (a third over the last five epochs). Until train settles nobody can
    say the gap persists; the run is cut short, which is what a practitioner reads first."""
    e = np.arange(10)
    run = {"loss": list(0.1 + 0.42 * np.exp(-e / 3.5)), "val_loss": list(0.06 + 0.12 * np.exp(-e / 3.5)),
           "accuracy": list(0.97 - 0.2 * np.exp(-e / 3.5)), "val_accuracy": list(0.985 - 0.04 * np.exp(-e / 3.5))}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving"
    remark = next(f for f in d.findings if f.code == "suspicious_validation")
    assert remark.severity == "info" and "not settled" in remark.message


def test_val_below_a_settled_train_loss_stays_suspicious():
    """The same gap once train has levelled off (it fell 2% over the last half) is a warning."""
    e = np.arange(30)
    run = {"loss": noisy(0.3 + 0.4 * np.exp(-e / 4), 0.002), "val_loss": noisy(0.12 + 0.2 * np.exp(-e / 4), 0.002, 1)}
    sv = next(f for f in fd.diagnose(run).findings if f.code == "suspicious_validation")
    assert sv.severity == "warning"


def _still_improving_evidence(run):
    found = [f for f in fd.diagnose(run).findings if f.code == "still_improving"]
    assert found, "expected still_improving"
    return found[0]


def test_still_improving_counts_the_epochs_a_person_would(tmp_path):
    """Keras counts epochs from 0, a console `Epoch 1/50` from 1: both ran 50, not 51."""
    loss, val = 0.1 + 0.6 * np.exp(-E / 40), 0.15 + 0.6 * np.exp(-E / 40)
    assert _still_improving_evidence({"loss": loss, "val_loss": val}).evidence["epochs"] == 50
    log = tmp_path / "train.log"
    log.write_text("".join(f"Epoch {e + 1}/50 - loss: {a:.4f} - val_loss: {b:.4f}\n"
                           for e, (a, b) in enumerate(zip(loss, val))))
    assert _still_improving_evidence(fd.read(str(log))).evidence["epochs"] == 50


def test_a_train_only_run_still_improving_is_not_said_to_have_had_validation():
    f = _still_improving_evidence({"loss": noisy(0.1 + 0.6 * np.exp(-E / 40), 0.003)})
    assert f.evidence["curve"] == "train"
    reason = f.remedies[0].why
    assert reason.startswith("training was still improving") and "no validation was logged" in reason


def test_a_rise_that_holds_for_the_rest_of_the_run_is_overfitting_though_under_3_noise_scales():
    """An LSTM's val MSE (a real Keras log): best 0.0028 at epoch 6, then 0.006-0.014 for the ten
    epochs left while train edges down. The end sits 2.4 noise scales above the smoothed best, but
    nearly every later point sits two above it: the rise held, it was not one excursion."""
    loss = [0.1304, 0.06005, 0.01868, 0.01253, 0.008864, 0.006243, 0.004328, 0.003309, 0.003316, 0.00298,
            0.002834, 0.002856, 0.002995, 0.002791, 0.002771, 0.00277, 0.002801]
    val = [0.2318, 0.02616, 0.01157, 0.01207, 0.008423, 0.004404, 0.002844, 0.006391, 0.01399, 0.009293,
           0.009998, 0.006145, 0.01142, 0.01013, 0.01054, 0.009834, 0.01075]
    d = fd.diagnose({"loss": loss, "val_loss": val})
    assert d.top.code == "overfitting" and d.top.evidence["best_at"] == 6
    # the same rise as one excursion that comes back is not
    back = val[:12] + [0.0031, 0.0029, 0.0033, 0.0030, 0.0032]
    assert "overfitting" not in fd.diagnose({"loss": loss, "val_loss": back}).codes


def test_a_late_onset_that_held_to_the_end_is_overfitting():
    """A 10-epoch CNN: val best at epoch 7 (noise about 0.004 around 0.04-0.05), then worse at
    both epochs after it, each beyond twice the noise and +46% at the last, while train keeps
    falling. Too few points after the best for a rise to be judged against the whole drop, yet
    the keep advice already says stop at epoch 7: it is overfitting, not "no fault named"."""
    loss = [0.95, 0.19, 0.104, 0.077, 0.082, 0.052, 0.046, 0.0406, 0.0399, 0.0361]
    val = [2.99, 0.80, 0.0501, 0.0458, 0.0502, 0.0424, 0.0402, 0.0400, 0.0507, 0.0583]
    d = fd.diagnose({"loss": loss, "val_loss": val})
    assert d.top.code == "overfitting" and d.top.evidence["best_at"] == 7
    assert d.top.message.startswith("val_loss best 0.04 at epoch 7, then worse at each of the 2 epochs after it")
    assert "0.0583 at the last, +46%)" in d.top.message and d.top.message.endswith("held to the end")
    assert d.summary["keep"].startswith("keep the weights from epoch 7")
    # the last point back within its noise: one excursion, not a rise that held
    assert "overfitting" not in fd.diagnose({"loss": loss, "val_loss": val[:-1] + [0.0431]}).codes
    # no clear best: an evaluation just before it as high as those after it (a noisy floor)
    floor = val[:6] + [0.0521] + val[7:]
    assert "overfitting" not in fd.diagnose({"loss": loss, "val_loss": floor}).codes
    # train no longer improving over the same stretch: nothing is being memorised
    flat_train = loss[:7] + [0.0406, 0.0421, 0.0432]
    assert "overfitting" not in fd.diagnose({"loss": flat_train, "val_loss": val}).codes
    # mid-training (a live callback) the next evaluation may be the next best
    assert "overfitting" not in fd.diagnose({"loss": loss, "val_loss": val}, partial=True).codes
    # a best at the first evaluation has nothing before it to be clear of (and no rule fails on it)
    first = fd.diagnose({"loss": [0.0] * 5, "val_loss": [-1.0, 0.0, 0.0, 0.0, 0.0]})
    assert "overfitting" not in first.codes
    assert not [n for n in first.history.meta.get("notes", []) if "failed" in n]


def test_a_metric_that_does_not_say_which_way_is_better_is_never_judged_as_a_loss():
    """An OCR run logs only evaluations: eval loss falls while 'ccr' (character correct rate)
    climbs. Read as a loss, ccr 'grows 4x' and the run 'diverges'; it is healthy."""
    x = np.arange(1, 41) * 1000
    run = fd.RunHistory()
    run.add("val_loss", x, 0.55 + 3.5 * np.exp(-x / 3000), axis="step")
    run.add("ccr", x, 0.92 - 0.7 * np.exp(-x / 3000), axis="step")
    d = fd.diagnose(run)
    assert "diverging" not in d.codes
    assert d.codes == ["healthy"] and "no train loss logged" in d.findings[0].message


def test_a_log_of_validation_accuracy_alone_that_rose_and_settled_is_healthy():
    """Only "val Results: Prec@1 .." each epoch (no loss at all): the accuracy rose from guessing
    to a level it held, which is healthy; "no curve fell or rose beyond its noise" was untrue."""
    e = np.arange(1, 101)
    rng = np.random.default_rng(0)
    acc = 0.58 - 0.57 * np.exp(-e / 15) + rng.normal(0, 0.003, e.size)
    d = fd.diagnose({"val_accuracy": acc})
    assert d.codes == ["healthy"], d.codes
    assert d.top.message.startswith(f"rose and settled: val_accuracy {acc[0]:.4g} -> {acc[-1]:.4g}")
    assert "no train loss logged" in d.top.message
    # the explanation under it speaks of curves, not of losses the log never had
    assert "loss" not in d.top.explanation
    # still rising at its end: stopped too early, not healthy
    assert fd.diagnose({"val_accuracy": 0.9 - 0.85 * np.exp(-e / 80)}).top.code == "still_improving"
    # never moved beyond its noise: nothing to call healthy
    assert "healthy" not in fd.diagnose({"val_accuracy": 0.5 + rng.normal(0, 0.01, e.size)}).codes


def test_validation_curves_whose_names_do_not_say_which_way_is_better_are_not_called_healthy_alone():
    """A multitask regressor logs ``train_total`` and ``val_total`` (and their parts): "total" says
    neither loss nor score, so neither curve is judged, and "fell and settled (no train loss
    logged)" would be untrue twice over."""
    e = np.arange(1, 21)
    d = fd.diagnose({"train_total": list(3.0 + 8.0 * np.exp(-e / 2)), "val_total": list(2.5 + 1.6 * np.exp(-e / 4))})
    assert "healthy" not in d.codes, d.codes


def test_a_validation_every_ten_epochs_is_counted_in_evaluations():
    e = np.arange(0, 601)
    run = fd.RunHistory()
    run.add("loss", e, 0.07 * np.exp(-e / 200) + 0.04)
    ev = e[::10]
    run.add("val_loss", ev, np.where(ev < 150, 0.11 + 0.5 * np.exp(-ev / 15), 0.11 + 0.016 * (ev - 150) / 450))
    top = fd.diagnose(run).top
    assert top.code == "overfitting" and "evaluations" in top.message and "next 45 epochs" not in top.message


def test_an_error_metric_that_rises_is_quoted_as_it_rises():
    """val_rmse standing in for a val loss rises as the loss would: the message quotes its best
    and last as logged, with a plus sign (it had quoted them negated, as for an accuracy)."""
    e = np.arange(60)
    train = noisy(1e10 + 5e11 * np.exp(-e / 6), 1e8)
    rmse = noisy(2.95e5 + 4e5 * np.exp(-e / 5) + 3000 * np.maximum(e - 30, 0), 200, 1)
    d = fd.diagnose({"loss": train, "val_rmse": rmse})
    [f] = [f for f in d.findings if f.code == "overfitting"]
    assert f.evidence["val_min"] > 0 and "higher_is_better" not in f.evidence
    assert "val rmse best 2.9" in f.message and ", then +" in f.message and "the rise is" in f.message


def test_an_accuracy_standing_in_for_the_loss_is_quoted_as_it_rose():
    """A log of accuracies only: train 0.62 -> 0.85, rising ever more slowly. It learned, so it
    is no lr_too_low (an accuracy is far from converged near guessing, not when it moved
    little), and the verdict quotes it as it rose; it had read "accuracy falls slowly
    (-0.69 -> -0.84)"."""
    e = np.arange(20)
    acc = noisy(0.85 - 0.2 * np.exp(-e / 8), 0.01)
    d = fd.diagnose({"accuracy": acc, "val_accuracy": noisy(0.8 - 0.1 * np.exp(-e / 8), 0.01, 1)})
    assert "lr_too_low" not in d.codes
    [h] = [f for f in d.findings if f.code == "healthy"]
    assert h.message.startswith("rose and settled: accuracy 0.6") and h.evidence["train_last"] > 0
    # near guessing and creeping up in a straight line, it is
    slow = noisy(0.5 + 0.004 * e, 0.002)
    [f] = [f for f in fd.diagnose({"accuracy": slow, "val_accuracy": noisy(0.5 + 0.003 * e, 0.002, 1)}).findings
           if f.code == "lr_too_low"]
    assert "accuracy rises slowly" in f.message and "(0.5" in f.message and f.evidence["end"] > 0


def test_a_val_score_standing_alone_is_judged_as_the_validation_curve():
    """A log of val accuracy only (no val loss): still_improving judges it as validation, and
    says so. The negated copy the rules judge a score on was made afresh at each ask, so "is
    this the validation curve?" had read no, and the evidence said 'curve: train'."""
    e = np.arange(30)
    run = {"loss": list(2 * np.exp(-e / 10) + 0.1), "val_accuracy": list(0.95 - 0.5 * np.exp(-e / 12))}
    d = fd.diagnose(run)
    f = next(f for f in d.findings if f.code == "still_improving")
    assert f.evidence["curve"] == "val" and f.message.startswith("val_accuracy was still rising")


def test_a_score_near_its_ceiling_that_closed_a_third_of_its_headroom_improved():
    """A detector fine-tuned from a good checkpoint: val mAP 0.909 -> 0.94 and settled, while the
    train loss falls 0.0148 -> 0.0113. 3% of where mAP started is a third of what was left to
    gain: validation improved, it is no 'val never improved' run."""
    n = np.arange(100)
    run = {"loss": list(0.0113 + 0.0035 * np.exp(-n / 25) + 0.0002 * np.sin(n)),
           "val_mAP_0.5:0.95": list(0.938 - 0.029 * np.exp(-n / 15) + 0.002 * np.cos(1.7 * n))}
    assert "val_not_improving" not in fd.diagnose(run).codes


def test_minibatch_noise_of_a_per_step_loss_is_no_lr_too_high_to_settle(tmp_path):
    """A one-epoch SFT run logging every step (logging_steps=1, batch size 1): the loss drops
    1.04 -> 0.6 in five steps and holds there, each step's value jumping by +-0.12 as single
    batches do. Means over blocks of steps are flat: it settled, and the lr is not too high."""
    import json

    rng = np.random.default_rng(0)
    log = [{"step": s, "epoch": s / 128, "loss": float(0.6 + 0.44 * math.exp(-(s - 1) / 1.5) + rng.normal(0, 0.12)),
            "learning_rate": 2e-5} for s in range(1, 129)]
    state = {"global_step": 128, "max_steps": 128, "num_train_epochs": 1, "logging_steps": 1,
             "train_batch_size": 1, "log_history": log}
    p = tmp_path / "trainer_state.json"
    p.write_text(json.dumps(state))
    d = fd.diagnose(fd.read_runs(str(p))[0])
    assert "lr_too_high" not in d.codes and "oscillating" not in d.codes


def _creeping_val(creep: float, seed: int = 11, train_end: float = 0.6):
    """40 epochs: val falls to 1.0 by epoch 12, then creeps up by ``creep`` of that level to the
    end (noise 1% of the level) while train falls from 0.9 to ``train_end`` of it."""
    rng = np.random.default_rng(seed)
    e = np.arange(40)
    val = np.where(e < 12, 1.0 + 1.5 * np.exp(-e / 3.0) - 1.5 * np.exp(-4.0), 1.0 + creep * (e - 12) / 27)
    val = val + rng.normal(0, 0.01, e.size)
    train = train_end + 2.0 * np.exp(-e / 4.0) + 0.3 * (1 - e / 39)
    return {"loss": train.tolist(), "val_loss": val.tolist()}


def test_val_creeping_up_while_train_falls_below_it_is_overfitting():
    """LABELS.md's gap-widening kind: val creeping up 7% over the 70% of the run after its best
    while train falls to 0.6 of it. The rise is too small for the rule that judges a rise on its
    own (under a tenth of the best) and the gap never doubled, but the curves moving apart, val
    up beyond its noise and train down, is the witness. It was read healthy."""
    d = fd.diagnose(_creeping_val(0.07))
    assert d.top is not None and d.top.code == "overfitting", d.codes
    assert "gap grew" in d.top.message


def test_a_creep_too_small_to_see_is_not_overfitting():
    """The same run with val creeping 1.5% while train ends at 0.8 of it: significant on a
    smooth curve, but not a rise a reader would act on. (With train at 0.6 of a val flat for
    27 epochs the gap-widening kind holds whatever the creep: see the next test.)"""
    d = fd.diagnose(_creeping_val(0.015, train_end=0.8))
    assert "overfitting" not in [f.code for f in d.findings if f.severity != "info"], d.codes


def test_val_flat_for_many_epochs_while_train_falls_well_below_it_is_overfitting():
    """LABELS.md: "val flat or creeping up for many epochs while train falls well below it".
    Val gains 1.8 by epoch 11, then wanders within 0.04 of 1.70 for 14 epochs (one late low,
    1.67 at epoch 22) while train falls 1.38 -> 1.10, to 0.66 of val, the gap growing from 0.36
    to 0.57. Measured from the late low the stretch is too short and the gap has not grown;
    val went flat where it came within 2% of all it gained of its best. Two labellers each
    called blind logs of this shape overfitting; it was read healthy."""
    e = np.arange(26)
    val = 1.70 + 1.8 * np.exp(-e / 2.5) + np.random.default_rng(5).normal(0, 0.012, e.size)
    val[21:24] -= [0.02, 0.03, 0.02]
    train = 1.10 + 3.6 * np.exp(-e / 2.2) + 0.45 * (1 - e / 25)
    run = {"loss": train.tolist(), "val_loss": val.tolist()}
    d = fd.diagnose(run)
    assert d.top is not None and d.top.code == "overfitting", d.codes
    assert "since epoch 12" in d.top.message and "gap grew" in d.top.message
    assert "of its smoothed best (2% of the" in d.top.message  # not "within its noise": it moved more
    # measured from the late low alone, as before
    assert "overfitting" not in fd.diagnose(run, thresholds={"overfit_flat_gain_share": 0.0}).codes
    # train that stays near val (ends at 0.85 of it) is a converged run's small, stable gap
    near = np.maximum(train, 0.85 * val)
    assert "overfitting" not in fd.diagnose({"loss": near.tolist(), "val_loss": val.tolist()}).codes


def test_a_short_train_loss_that_rises_every_epoch_to_many_times_its_start_is_diverging():
    """Four epochs, 0.31 -> 0.49 -> 1.05 -> 3.48: too few points for a noise scale (the blow-up's
    own second differences read as noise), but three rises in a row to 11x its start is no
    minibatch noise. It had read as overfitting "while loss fell to 3.48"."""
    d = fd.diagnose({"loss": [0.311, 0.491, 1.045, 3.48], "val_loss": [1.961, 1.895, 6.597, 18.97]})
    assert d.top is not None and d.top.code == "diverging", d.codes
    # three small rises are not enough
    d = fd.diagnose({"loss": [0.311, 0.33, 0.35, 0.37], "val_loss": [0.40, 0.41, 0.42, 0.43]})
    assert "diverging" not in d.codes


def test_a_log_that_begins_well_into_its_run_shows_no_stall_from_its_start():
    """A fine-tune's metrics file holds only epochs 60-74 (the resume logged on its own): both
    curves flat at a converged level, train a little below val. "Barely moved from its start"
    was read as a plateau, but the log has no start to have moved from; from epoch 0 the same
    flat curve is one."""
    from fitdoctor.history import RunHistory

    rng = np.random.default_rng(3)
    train = 6.70 + 0.05 * rng.standard_normal(15)
    val = 6.99 + 0.04 * rng.standard_normal(15)

    def run(first_epoch: int) -> RunHistory:
        h = RunHistory()
        steps = np.arange(first_epoch, first_epoch + 15, dtype=float)
        h.add("loss", steps, train)
        h.add("val_loss", steps, val)
        return h

    assert "plateau" not in fd.diagnose(run(60)).codes
    assert fd.diagnose(run(0)).top.code == "plateau"


def test_a_curve_that_ends_worse_than_it_began_is_no_slow_lr():
    """A learned codec's loss falls 0.35 -> 0.09 in its first steps, blows up to 0.47, and then
    creeps down in a straight line to 0.36, above where it started. The creep read as "falls
    slowly almost linearly, far from converged" (lr_too_low); a run that ends worse than it
    began did not take steps too small."""
    steps = np.arange(0, 10400, 20, dtype=float)
    loss = np.where(steps <= 160, 0.35 - 0.25 * np.minimum(steps, 140) / 140,
                    0.47 - 0.11 * (steps - 180) / (steps[-1] - 180))
    rng = np.random.default_rng(1)
    d = fd.diagnose({"loss": list(loss + 0.004 * rng.standard_normal(steps.size))})
    assert "lr_too_low" not in d.codes, d.codes


def test_a_train_loss_still_falling_by_a_fortieth_of_its_progress_was_stopped_too_early():
    """A 20-epoch autoencoder with no validation: its loss falls at every epoch to its best at
    the last, the last 6 epochs 3% of all it gained (0.0122 -> 0.0115). Two labellers each
    called blind runs of this shape stopped too early; at a 4% share it read "fell and
    settled". The same tail is no sign that the curve has not settled at its level: rules that
    need a settled curve (underfitting, plateau) still see it settled."""
    from fitdoctor.diagnose.base import Context
    from fitdoctor.diagnose.curves.shape import still_moving, train_curve
    from fitdoctor.history import RunHistory

    e = np.arange(20)
    loss = (0.0115 + 0.018 * np.exp(-e / 3.0) + 0.0016 * (1 - e / 19)).tolist()
    d = fd.diagnose({"mse_loss": loss})
    assert d.top is not None and d.top.code == "still_improving", d.codes
    assert "3% of the run's total progress" in d.top.message
    assert fd.diagnose({"mse_loss": loss}, thresholds={"still_improving_min_share": 0.04}).codes == ["healthy"]
    ctx = Context.build(RunHistory.from_dict({"mse_loss": loss}))
    assert not still_moving(train_curve(ctx), ctx)


def _settled_lower(late_mean, sd=0.022, seed=3):
    """Val accuracy only: 0.90, 0.93, then ten epochs around 0.955, then 88 scattered 2 points
    around ``late_mean``, while the train loss falls throughout (a 100-epoch accuracy-only log)."""
    e = np.arange(1, 101)
    rng = np.random.default_rng(seed)
    val = np.r_[0.90, 0.93, rng.normal(0.955, 0.01, 10), rng.normal(late_mean, sd, 88)]
    return {"loss": list(0.02 + 0.4 * np.exp(-e / 15)), "val_accuracy": list(np.clip(val, 0, 1))}


def test_a_noisy_val_accuracy_that_settled_well_below_its_best_is_overfitting():
    """No single point of a curve scattering by 2 points rises 3 noise scales above its best,
    but 46 late epochs averaging 3.5 points below the epochs around it do (two labellers call a
    stress classifier's 95.5% around epoch 6, then a 92% mean for 90 epochs, overfitting)."""
    d = fd.diagnose(_settled_lower(0.92))
    assert d.top.code == "overfitting"
    assert d.top.evidence["shift_z"] >= 3 and d.top.evidence["late_points"] >= 15
    assert "standard errors" in d.top.message and "below the" in d.top.message
    assert d.summary["last_worse_than_best_beyond_noise"]  # keep agrees: the best is worth keeping


def test_a_noisy_val_accuracy_that_stayed_at_its_level_is_not_overfitting():
    """The same scatter around the level it reached: the best is only the luckiest window."""
    assert "overfitting" not in codes(_settled_lower(0.955))


def test_a_run_that_annealed_its_lr_to_zero_finished_its_schedule():
    """A cosine schedule run to its end (lr 0.1 -> 0 over 40 epochs): val still edges down at the
    last epochs, as every anneal makes it, but the run did not stop early; labellers call such
    runs (one-cycle CIFAR-10, cosine ImageNet, LoRA fine-tunes decayed to zero) healthy. The same
    curves at a constant lr, or with no lr logged, are still improving."""
    n = np.arange(40)
    val = list(0.25 + 0.9 * np.exp(-n / 6) - 0.04 * (n / 39) ** 3)
    tr = list(0.05 + 1.0 * np.exp(-n / 5) - 0.03 * (n / 39) ** 3)
    cosine = list(0.1 * 0.5 * (1 + np.cos(np.pi * n / 39)))
    annealed = fd.diagnose({"loss": tr, "val_loss": val, "lr": cosine})
    assert annealed.codes == ["healthy"]
    assert "the lr annealed to 0% of its peak" in annealed.findings[0].message
    assert fd.diagnose({"loss": tr, "val_loss": val, "lr": [0.1] * 40}).codes == ["still_improving"]
    assert fd.diagnose({"loss": tr, "val_loss": val}).codes == ["still_improving"]
    # a short run (8-15 epochs) is judged as before: "stopped too early" is its usual verdict
    short = np.arange(12)
    assert "still_improving" in fd.diagnose({"loss": list(1.0 - 0.06 * short), "val_loss": list(1.1 - 0.05 * short),
                                             "lr": list(0.1 * 0.5 * (1 + np.cos(np.pi * short / 11)))}).codes


def _annealed_trainer_state(tmp_path, epochs: float):
    """A Trainer run of 3,000 steps, its lr warmed up then decayed linearly to zero, that
    covered its data ``epochs`` times; eval loss still falling at the end, as an anneal makes it."""
    import json

    rng = np.random.default_rng(7)
    hist = []
    for step in range(50, 3001, 50):
        lr = 5e-5 * min(step / 300, (3000 - step) / 2700)
        hist.append({"epoch": epochs * step / 3000, "learning_rate": lr, "step": step,
                     "loss": round(0.2 + 1.6 * math.exp(-step / 500) - 0.03 * step / 3000 + float(rng.normal(0, 0.01)), 4)})
        if step % 100 == 0:
            hist.append({"epoch": epochs * step / 3000, "step": step,
                         "eval_loss": round(0.25 + 1.2 * math.exp(-step / 600) - 0.04 * step / 3000, 4)})
    state = {"epoch": epochs, "global_step": 3000, "max_steps": 3000, "num_train_epochs": math.ceil(epochs),
             "eval_steps": 100, "logging_steps": 50, "log_history": hist}
    path = tmp_path / f"run_{epochs}" / "trainer_state.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(state))
    return path


def test_a_one_epoch_run_annealed_to_zero_while_still_improving_asks_for_more_epochs(tmp_path):
    """The anneal ended the schedule, not the learning: a fine-tune that saw its data once, eval
    loss still falling at its last evaluations, is stopped too early (labellers: "only one epoch
    was run"). The same curves over three epochs finished their schedule: healthy."""
    once = fd.diagnose(fd.read(_annealed_trainer_state(tmp_path, 1.0)))
    assert once.top.code == "still_improving", once.codes
    thrice = fd.diagnose(fd.read(_annealed_trainer_state(tmp_path, 3.0)))
    assert thrice.codes == ["healthy"], thrice.codes
    assert "the lr annealed to" in thrice.findings[0].message


def test_losses_that_moved_one_percent_over_the_whole_log_are_not_called_healthy():
    """A loss 0.0978 -> 0.0961 and a val loss flat at 0.0945 over 20 epochs: "fell and settled"
    would read as a clean bill, but the curves cannot tell a model converged before its first
    logged epoch from one that learned nothing. No fault either: the verdict is left unnamed,
    saying how little the losses moved."""
    rng = np.random.default_rng(2)
    n = np.arange(20)
    run = {"loss": list(0.0961 + 0.0017 * np.exp(-n / 4) + rng.normal(0, 0.00005, 20)),
           "val_loss": list(0.0945 + rng.normal(0, 0.0003, 20))}
    d = fd.diagnose(run)
    assert d.codes == [], d.codes
    assert d.summary["unnamed"].startswith("no verdict: the losses barely moved")
    assert "loss -1." in d.summary["unnamed"]
    # the same shape falling by a tenth of its level is a run that fell and settled
    fell = {"loss": list(0.0961 + 0.0100 * np.exp(-n / 4) + rng.normal(0, 0.00005, 20)),
            "val_loss": list(0.0945 + 0.0100 * np.exp(-n / 4) + rng.normal(0, 0.0003, 20))}
    assert fd.diagnose(fell).codes == ["healthy"]


def test_val_below_train_under_mixup_and_label_smoothing_is_by_design():
    """DeiT-style training (mixup, cutmix, label smoothing) scores its train loss on mixed,
    smoothed targets: validation sits far below it for the whole run, which the run's own
    settings explain (LABELS.md: beyond what augmentation explains). Without them, it is
    suspicious."""
    x = np.arange(60)
    run = {"loss": list(1.9 + 5 * np.exp(-x / 8)), "val_loss": list(0.75 + 6 * np.exp(-x / 8))}
    assert fd.diagnose(run).top.code == "suspicious_validation"
    h = fd.RunHistory.from_dict(run)
    h.meta["hparams"] = {"mixup": 0.8, "cutmix": 1.0, "smoothing": 0.1, "distillation_type": "none"}
    d = fd.diagnose(h)
    assert d.codes == ["healthy"]
    assert "val below train throughout, which mixup 0.8, cutmix 1, label smoothing 0.1 explain" in d.findings[0].message


def test_a_val_rise_that_starts_at_a_train_loss_spike_is_lr_too_high_not_overfitting():
    """SGD at lr 1.0 with momentum 0.9 on moons (the corpus's lr_too_high-03): train falls fast,
    then jumps to 13x its level at epoch 12 and settles back; val, near its best until the
    blow-up, sits twice as high from then on. The rise is one unstable step's damage (LABELS.md:
    lr_too_high), not a slow parting while train improves. The same val rising gradually from
    epoch 4 beside a smooth train loss is overfitting."""
    train = [0.434, 0.423, 0.375, 0.31, 0.202, 0.224, 0.338, 0.214, 0.27, 0.258, 0.224, 0.269, 3.298,
             0.478, 0.358, 0.241, 0.221, 0.232, 0.254, 0.225, 0.18, 0.179, 0.198, 0.302, 0.213, 0.163,
             0.211, 0.182, 0.23, 0.312, 0.277, 0.669, 0.263, 0.267, 0.168, 0.206, 0.308, 0.272, 0.27, 0.177]
    val = [1.172, 0.306, 0.555, 0.279, 0.287, 0.362, 0.546, 0.278, 0.424, 0.36, 0.287, 2.373, 1.917,
           0.758, 0.65, 0.62, 0.599, 0.601, 0.608, 0.611, 0.575, 0.633, 0.792, 0.819, 0.698, 0.773,
           0.685, 0.643, 1.197, 0.702, 0.935, 0.91, 0.643, 0.64, 0.685, 0.669, 0.663, 0.995, 0.636, 0.659]
    d = fd.diagnose({"loss": train, "val_loss": val, "lr": [1.0] * 40})
    assert d.top.code == "lr_too_high", d.codes
    assert "overfitting" not in d.codes
    assert "val_loss sat near its best 0.278 until loss spiked to 3.298 at epoch 12" in d.top.message
    e = np.arange(40)
    rng = np.random.default_rng(3)
    smooth = list(0.05 + 0.38 * np.exp(-e / 6.0) + 0.004 * rng.standard_normal(40))
    creeping = list(0.3 + 0.35 * np.clip((e - 4) / 30, 0, 1) + 0.02 * rng.standard_normal(40))
    assert fd.diagnose({"loss": smooth, "val_loss": [1.172, 0.55, 0.4] + creeping[3:]}).top.code == "overfitting"


def test_a_loss_falling_in_a_straight_line_past_the_prior_entropy_is_lr_too_low_not_chance():
    """SGD at lr 1e-4 on a 58/42 binary task (shaped like the corpus's lr_too_low-02): train and val fall
    0.697 -> 0.678 in a straight line over 80 epochs, around H(0.578) = 0.681 all the while,
    accuracy 0.51 -> 0.58. A model that predicts the prior does not keep falling: it is learning
    at a crawl (LABELS.md: lr_too_low; a practitioner labelling it blind says so). A loss that
    slides down to the prior entropy and flattens there is still chance_level."""
    e = np.arange(80)
    val = 0.6974 - 0.00025 * e
    h = fd.RunHistory.from_dict({"loss": list(val - 0.002), "val_loss": list(val),
                                 "accuracy": noisy(np.full(80, 0.56), 0.01),
                                 "val_accuracy": noisy(np.full(80, 0.57), 0.015, 1), "lr": [1e-4] * 80})
    h.meta["class_prior"] = [0.578, 0.422]
    d = fd.diagnose(h)
    assert d.top.code == "lr_too_low", d.codes
    assert "chance_level" not in d.codes
    sliding = 0.681 + 0.02 * np.exp(-e / 8)
    h = fd.RunHistory.from_dict({"loss": list(sliding - 0.002), "val_loss": list(sliding),
                                 "accuracy": [0.56] * 80, "val_accuracy": [0.57] * 80, "lr": [1e-4] * 80})
    h.meta["class_prior"] = [0.578, 0.422]
    assert fd.diagnose(h).top.code == "chance_level"


def test_a_train_loss_that_jumps_back_up_again_and_again_is_lr_too_high():
    """Adam at a high lr (shaped like the corpus's underfitting-22, which a practitioner labels
    lr_too_high blind): the epoch's mean train loss falls 3.98 -> 0.4 fast, then jumps to 1.7x
    and 2.4x its level (epochs 35 and 58) with val following; its best comes late, between the
    jumps. One jump is a bad batch or an unfreeze and stays healthy, and so do jumps of a loss
    that fell 60x, at 1% of where it started (Adam wobbling where it settled)."""
    train = [3.98, 1.5, 1.08, 0.86, 0.748, 0.701, 0.679, 0.587, 0.616, 0.61, 0.555, 0.529, 0.54, 0.499, 0.561,
             0.562, 0.557, 0.693, 0.538, 0.584, 0.573, 0.477, 0.527, 0.425, 0.511, 0.459, 0.49, 0.439, 0.452,
             0.425, 0.394, 0.424, 0.426, 0.393, 0.469, 0.737, 0.443, 0.441, 0.391, 0.631, 0.543, 0.41, 0.563,
             0.416, 0.362, 0.38, 0.344, 0.36, 0.335, 0.332, 0.332, 0.368, 0.431, 0.399, 0.405, 0.419, 0.516,
             0.487, 0.99, 0.544]
    val = [1.85, 1.2, 0.939, 0.784, 0.697, 0.648, 0.593, 0.575, 0.564, 0.562, 0.546, 0.5, 0.481, 0.524, 0.494,
           0.564, 0.505, 0.578, 0.49, 0.529, 0.502, 0.501, 0.504, 0.434, 0.489, 0.458, 0.456, 0.431, 0.462, 0.421,
           0.422, 0.532, 0.505, 0.492, 0.537, 0.575, 0.416, 0.454, 0.475, 0.586, 0.487, 0.39, 0.528, 0.393, 0.384,
           0.41, 0.341, 0.397, 0.385, 0.339, 0.388, 0.396, 0.435, 0.427, 0.502, 0.45, 0.462, 0.482, 0.776, 0.44]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "lr_too_high", d.codes
    assert "jumped back up 2 times (0.424 -> 0.737 at epoch 35, 0.419 -> 0.99 at epoch 58)" in d.top.message
    assert "(its lowest 0.332 at epoch 49)" in d.top.message  # as logged, not smoothed
    assert d.top.evidence["jumps"] == 2
    once = train[:58] + [0.41, 0.40]
    assert "lr_too_high" not in fd.diagnose({"loss": once, "val_loss": val[:58] + [0.44, 0.43]}).codes
    e = np.arange(120)
    rng = np.random.default_rng(5)
    settled = 0.009 + 0.6 * np.exp(-e / 3.0) + 0.0005 * rng.standard_normal(120)
    settled[[40, 70, 95]] = [0.04, 0.035, 0.05]  # 4-5x the settled level, at under 10% of the start
    calm_val = 0.036 + 0.55 * np.exp(-e / 3.0) + 0.003 * rng.standard_normal(120)
    assert "lr_too_high" not in fd.diagnose({"loss": list(settled), "val_loss": list(calm_val)}).codes
    # restarted twice in one log: back up to where it began, down again over many epochs (a new
    # run's weights), not an unstable step the optimizer recovers from within two epochs
    one_run = list(1.2 + 1.6 * np.exp(-np.arange(40) / 6.0))
    restarted = one_run + one_run + one_run
    d = fd.diagnose({"loss": restarted, "val_loss": [v * 1.05 for v in restarted]})
    assert "lr_too_high" not in d.codes, d.codes


def test_a_growing_loss_is_quoted_as_logged():
    """LABELS.md: a message quotes numbers the user can find in the log. The growth is judged on
    smoothed levels; the message names the lowest logged point, the last logged value and their
    ratio, not a smoothed minimum that appears nowhere in the file."""
    train = [2.3, 1.1, 0.62, 0.41, 0.35, 0.338, 0.36, 0.45, 0.7, 1.2, 1.9, 2.8, 3.9, 5.2, 6.1]
    d = fd.diagnose({"loss": train, "val_loss": [v * 1.1 for v in train]})
    f = next(f for f in d.findings if f.code == "diverging")
    assert "from its lowest 0.338 at epoch 5 to 6.1 at the last epoch (18.05x its lowest, 2.652x its first value 2.3)" \
        in f.message, f.message


def test_lr_too_low_and_val_not_improving_quote_the_train_loss_as_logged():
    """The first and last train values in their messages are the logged ones (LABELS.md), not the
    medians of the first and last few epochs that the rules judge the fall with."""
    e = np.arange(60)
    slow = [round(0.6931 - 0.004 * i + 0.002 * (-1) ** i, 4) for i in e]
    d = fd.diagnose({"loss": slow})
    f = next(f for f in d.findings if f.code == "lr_too_low")
    assert f"({slow[0]:g} -> {slow[-1]:g}, only" in f.message, f.message
    train = [round(2.0 * 0.93 ** i + 0.01 * (-1) ** i, 4) for i in range(30)]
    val = [round(2.1 + 0.02 * (-1) ** i + 0.01 * i, 4) for i in range(30)]
    d = fd.diagnose({"loss": train, "val_loss": val})
    f = next(f for f in d.findings if f.code == "val_not_improving")
    assert f"loss fell {train[0]:g} -> {train[-1]:g} while val_loss never improved" in f.message, f.message


def test_a_val_loss_printed_as_zero_every_epoch_is_not_judged():
    """``test_loss: 0.00000`` every epoch: the script prints a loss it never computes. Judged,
    it read as a validation that never improved while train fell; it is set aside, said so,
    and the run is judged on what it did measure."""
    run = fd.RunHistory.from_dict({"loss": noisy(0.1 + 0.9 * np.exp(-E / 8), 0.01),
                                   "val_loss": [0.0] * 50,
                                   "val_accuracy": noisy(0.9 - 0.4 * np.exp(-E / 8), 0.005, 1)})
    d = fd.diagnose(run)
    assert "val_not_improving" not in d.codes
    assert d.top.code == "healthy"
    assert any("exactly 0 at every point" in n for n in run.meta["notes"])
    assert "val_loss" in run  # the user's run is left as it was


def test_a_val_accuracy_that_rose_from_its_first_evaluation_means_validation_improved():
    """A 6-class model: val accuracy 0.14 -> 0.38 (2.7x guessing, short of "well clear" of it)
    while its val loss, best at epoch 2, climbs as it grows sure of its mistakes. Validation
    did get better: overfitting, not a validation that never improved. With the accuracy stuck
    at guessing, the same losses still read val_not_improving."""
    loss = [1.79, 1.76, 1.71, 1.62, 1.50, 1.35, 1.20, 1.02, 0.85, 0.70, 0.57, 0.45, 0.36, 0.28, 0.22,
            0.17, 0.13, 0.10, 0.08, 0.06]
    val = [1.80, 1.72, 1.68, 1.74, 1.81, 2.15, 2.08, 2.71, 2.64, 3.35, 3.21, 3.92, 3.80, 4.61, 4.47,
           5.22, 5.05, 5.94, 5.81, 6.60]
    acc = [0.14, 0.20, 0.27, 0.31, 0.34, 0.33, 0.37, 0.35, 0.39, 0.36, 0.38, 0.37, 0.39, 0.36, 0.38,
           0.37, 0.36, 0.38, 0.37, 0.38]
    d = fd.diagnose({"loss": loss, "val_loss": val, "val_accuracy": acc})
    assert d.top.code == "overfitting" and "val_not_improving" not in d.codes
    stuck = [0.14, 0.16, 0.15, 0.17, 0.15, 0.16, 0.14, 0.17, 0.15, 0.16] * 2
    assert fd.diagnose({"loss": loss, "val_loss": val, "val_accuracy": stuck}).top.code == "val_not_improving"
    # a binary run whose validation comes from another distribution: its val accuracy climbs
    # from below guessing to guessing (0.42 -> 0.51) and back, which is no improvement
    b_loss = [0.62 - 0.012 * i for i in range(40)]
    b_val = [0.75, 0.747] + [0.78 + 0.018 * i for i in range(38)]
    b_acc = [0.42, 0.50, 0.51, 0.48, 0.47] + [0.46 - 0.001 * i for i in range(35)]
    assert fd.diagnose({"loss": b_loss, "val_loss": b_val, "val_accuracy": b_acc}).top.code == "val_not_improving"


def test_spikes_in_a_train_loss_sampled_every_few_epochs_are_one_batch_not_a_high_lr():
    """Lightning's step loss every 50 steps on a short epoch: one batch's loss every 3 epochs,
    not an epoch's mean. Two lone spikes (13x) that are back at the level by the next row are
    two bad batches (a regression's outliers), not a learning rate too high to settle; the same
    jumps in a loss logged at every epoch, the epoch's mean, still are (see the test above)."""
    rng = np.random.default_rng(11)
    epochs = np.arange(2, 150, 3)[:50].astype(float)
    loss = 0.0012 + 0.003 * np.exp(-(epochs - 2) / 4) + 0.0003 * rng.standard_normal(epochs.size)
    loss[[12, 28]] = 0.0203
    run = fd.RunHistory(meta={"source": "<test>", "format": "dict"})
    run.add("loss", epochs, loss)
    d = fd.diagnose(run)
    assert "lr_too_high" not in d.codes and d.top.code == "healthy"
    every_epoch = fd.RunHistory(meta={"source": "<test>", "format": "dict"})
    every_epoch.add("loss", np.arange(epochs.size, dtype=float), loss)
    assert fd.diagnose(every_epoch).top.code == "lr_too_high"


def test_a_gain_on_a_loss_with_a_high_floor_is_judged_against_the_train_loss_reached():
    """A LoRA fine-tune of a language model (24 evaluations): val 3.178 -> 3.117 by step 650,
    then flat to the end, while train goes 3.29 -> 3.00 and the gap doubles. 2% of the level,
    but a third of the way to the train loss's 2.998 and ~100x val's noise: validation did
    improve, and the flat stretch beside a falling train loss is the gap-widening kind."""
    val = [3.1778, 3.1602, 3.149, 3.1412, 3.1336, 3.1289, 3.1257, 3.1219, 3.1196, 3.1198, 3.1188, 3.118,
           3.1171, 3.1178, 3.1178, 3.1184, 3.118, 3.1172, 3.1179, 3.1178, 3.1183, 3.1184, 3.1184, 3.1185]
    train = [3.2855, 3.2194, 3.1967, 3.1766, 3.151, 3.1382, 3.1156, 3.1014, 3.0876, 3.0729, 3.058, 3.0423,
             3.0358, 3.0255, 3.0203, 3.0152, 3.002, 3.0028, 3.0043, 3.01, 3.002, 3.0, 2.9979, 2.998]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "overfitting" and "gap grew" in d.top.message


def test_a_loss_that_ends_no_lower_than_it_began_is_not_called_healthy(tmp_path):
    """A PPO loss already exploded at its first update (4.0627e12) that creeps up at every one
    after it, then a last partial update far below (-4.0e6): its lowest point is that last one,
    but the run's level never came down; "fell and settled" would be a clean bill for it."""
    def log(losses):
        return "".join(f"2024-05-07 14:49:{i % 60:02d},061 - INFO - Loss: {v!r}, Last Reward: {(-1) ** (i // 3)}, "
                       f"Total Steps: 2048\n" for i, v in enumerate(losses))
    path = tmp_path / "train.log"
    # the log's own numbers (a PPO spoofing detector's train.log), in units of 1e6
    exploded = [4062734.974976, 4062934.990848, 4063189.794816, 4063473.434624, 4063740.559360, 4064037.306368,
                4064361.578496, 4064620.314624, 4064876.429312, 4065191.526400, 4065454.194688, 4065699.823616,
                4065936.277504, 4066160.672768, 4066382.708736, 4066644.590592, 4066911.977472, 4067132.702720,
                4071262.519296, 4071484.555264, 4071708.688384, 4071935.442944, 4072176.877568, 4072389.214208,
                4072586.608640, 4072812.314624, 4073032.777728, 4073254.289408, 4073426.780160, 4073608.970240,
                4073804.005376, 4074015.555584, 4074216.357888, 4074436.034560, 4074666.196992, -4.03067675]
    path.write_text(log([v * 1e6 for v in exploded]))
    [run] = fd.read_runs(path)
    assert "healthy" not in fd.diagnose(run).codes
    # a loss that came down and stays down is one that fell and settled
    path.write_text(log(list(1.0 + 3.0 * np.exp(-np.arange(35) / 4)) + [0.99]))
    [run] = fd.read_runs(path)
    assert fd.diagnose(run).codes == ["healthy"]

def test_a_negative_reward_that_fell_is_quoted_as_logged_and_not_called_diverging():
    """An RL reward below zero (-4820 in its first rollouts, then about -6300 to the end) is a
    score standing in for the loss: its multiples mean nothing ("grows from its lowest 4820,
    1.3x" quoted the negation), and the flat stretch is quoted as the log has it, below its best."""
    rewards = [-4820, -4900, -5100, -5600, -6000] + list(-6300 + np.random.default_rng(0).normal(0, 300, 300))
    d = fd.diagnose({"ep_rew_mean": rewards})
    assert "diverging" not in d.codes
    # it never rose above its first rollouts: an agent at its chance level (the SB3 traffic-light
    # run this comes from is labelled underfitting, with chance_level and plateau acceptable)
    assert d.top.code == "chance_level" and "median -6" in d.top.message, d.codes
    # plateau, which chance_level explains away here, quotes the flat stretch as the log has it
    from fitdoctor.diagnose.base import Context
    from fitdoctor.diagnose.curves.stall import plateau
    flat = plateau(Context.build(fd.RunHistory.from_dict({"ep_rew_mean": rewards})))
    assert flat.message.startswith("ep_rew_mean is flat at -6")
    assert "below the -4" in flat.message


def test_val_loss_that_fell_with_train_at_first_then_rose_is_overfitting():
    """A next-word LSTM's history: val 6.16 -> 5.88 (5% of its high floor) while train fell
    6.28 -> 5.17, then val rose every epoch to 6.10. Validation did get better: it followed train
    at first, so this is overfitting (stop at epoch 3), not a validation set it never learns."""
    run = {"loss": [6.2848, 5.8008, 5.4499, 5.1658, 4.925, 4.6914, 4.4323, 4.2958, 4.1737, 4.0449, 3.9936],
           "val_loss": [6.1611, 5.9734, 5.8766, 5.8798, 5.8798, 5.9241, 5.9674, 6.0154, 6.0581, 6.0759, 6.0951],
           "accuracy": [0.0778, 0.1009, 0.125, 0.143, 0.1585, 0.1715, 0.1882, 0.196, 0.2057, 0.219, 0.2242],
           "val_accuracy": [0.0886, 0.1118, 0.1238, 0.1347, 0.138, 0.1409, 0.1418, 0.1449, 0.1452, 0.1467, 0.1458]}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting" and "val_not_improving" not in d.codes, d.codes


def test_val_loss_at_the_prior_drifting_with_train_is_not_followed_learning():
    """Both curves drift 1-2% under ln 2 while the model predicts the prior: no gain to follow."""
    run = {"loss": noisy(np.linspace(0.695, 0.680, 30), 0.004),
           "val_loss": list(0.6921 - 0.006 * (1 - np.exp(-np.arange(30) / 4))),
           "accuracy": noisy(np.full(30, 0.55), 0.003, 2), "val_accuracy": [0.556] * 30}
    assert "overfitting" not in fd.diagnose(run).codes


#: a car-type classifier's Keras history (50 epochs, lr steps 1e-3 -> 2e-5): train accuracy to
#: 0.9995 while val accuracy stops at 0.56 from epoch 13; val loss still creeps down 1.90 -> 1.84
CAR_TYPES = {
    "loss": [6.7717, 5.0478, 3.9442, 3.214, 2.646, 2.1813, 1.8058, 1.4519, 1.1845, 1.0051, 0.9007, 0.7778, 0.5433, 0.428, 0.3896, 0.3653, 0.3328, 0.3126, 0.2946, 0.276, 0.261, 0.2479, 0.2341, 0.2233, 0.2102, 0.3227, 0.2889, 0.2656, 0.2536, 0.2389, 0.2257, 0.2133, 0.2011, 0.1942, 0.1833, 0.1762, 0.1675, 0.1621, 0.1573, 0.1556, 0.1537, 0.1532, 0.1498, 0.1488, 0.1452, 0.1435, 0.1425, 0.1426, 0.1386, 0.1377],
    "val_loss": [5.9806, 4.5094, 3.4762, 3.305, 2.9553, 2.8202, 2.6382, 2.9441, 2.9116, 2.8212, 3.0155, 2.7872, 2.107, 2.0567, 1.9894, 1.9901, 1.9769, 1.9781, 1.932, 1.9249, 1.9194, 1.9177, 1.8972, 1.9177, 1.9154, 1.9276, 1.9191, 1.9025, 1.9067, 1.896, 1.8879, 1.8709, 1.9068, 1.8975, 1.8866, 1.8952, 1.8866, 1.8479, 1.8488, 1.8469, 1.8501, 1.849, 1.8413, 1.8407, 1.836, 1.8385, 1.8373, 1.8323, 1.8371, 1.8356],
    "accuracy": [0.0173, 0.0786, 0.1765, 0.2798, 0.388, 0.4936, 0.5858, 0.6806, 0.7574, 0.8148, 0.8416, 0.8686, 0.9477, 0.9793, 0.9862, 0.9879, 0.994, 0.9948, 0.9955, 0.9969, 0.9968, 0.9968, 0.9974, 0.996, 0.998, 0.9916, 0.994, 0.996, 0.9959, 0.9966, 0.9974, 0.9985, 0.998, 0.998, 0.9991, 0.9989, 0.9994, 0.9989, 0.9994, 1.0, 0.9992, 0.9988, 0.9994, 0.9997, 0.9997, 0.9997, 0.9997, 0.9991, 0.9994, 0.9995],
    "val_accuracy": [0.0424, 0.1136, 0.2353, 0.2703, 0.32, 0.3661, 0.4115, 0.3962, 0.4005, 0.4085, 0.4177, 0.4668, 0.5651, 0.5577, 0.5651, 0.5731, 0.5688, 0.5565, 0.5676, 0.5663, 0.5596, 0.5663, 0.559, 0.5663, 0.5577, 0.5534, 0.5559, 0.559, 0.562, 0.5559, 0.5657, 0.5633, 0.5627, 0.5614, 0.5614, 0.559, 0.5522, 0.5663, 0.5633, 0.5639, 0.5614, 0.5682, 0.5663, 0.5645, 0.562, 0.567, 0.5657, 0.5694, 0.5682, 0.5645],
}


def test_a_val_loss_still_creeping_down_beside_a_stalled_val_accuracy_far_below_train_is_overfitting():
    """The wide gap (train loss 13x below val) was excused because val loss set new lows over
    the last third, by 3%; what the model gets right on validation had stopped growing 35 epochs
    before, 44 points below train. It read `healthy`."""
    d = fd.diagnose(CAR_TYPES)
    assert d.top.code == "overfitting" and "healthy" not in d.codes, d.codes
    assert "val_accuracy found no new high" in d.top.message
    assert d.top.evidence["val_accuracy_best"] == pytest.approx(0.5731)


def test_a_val_loss_creeping_down_beside_a_val_accuracy_still_rising_is_not_overfitting():
    run = dict(CAR_TYPES)
    run["val_accuracy"] = list(np.linspace(0.30, 0.75, 50))
    assert "overfitting" not in fd.diagnose(run).codes


def test_a_three_epoch_run_better_at_both_steps_by_a_tenth_is_still_improving():
    """A COVID x-ray CNN stopped after 3 epochs, val 0.346 -> 0.243 -> 0.221 (the last step 10%
    of its level) and train still falling: stopped too early. It read `healthy`."""
    run = {"loss": [0.3863, 0.2447, 0.1709], "val_loss": [0.3464, 0.2430, 0.2209],
           "accuracy": [0.8221, 0.8983, 0.9342], "val_accuracy": [0.8483, 0.9100, 0.9267]}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "both its steps" in d.top.message


def test_a_three_epoch_fine_tune_landing_on_its_level_is_not_still_improving():
    """A 3-epoch fine-tune whose last step is 2% of its level has mostly converged."""
    run = {"loss": [0.52, 0.31, 0.24], "val_loss": [0.35, 0.300, 0.294],
           "accuracy": [0.80, 0.89, 0.92], "val_accuracy": [0.87, 0.895, 0.898]}
    assert "still_improving" not in [f.code for f in fd.diagnose(run).findings if f.severity != "info"]


def test_three_train_points_with_no_validation_better_at_both_steps_by_a_twentieth_are_still_improving(tmp_path):
    """A super-resolution net's L1 printed every 10 epochs, 0.0241 -> 0.0193 -> 0.0180 (the last
    step 7% of its level), and a federated run's accuracy 12% -> 58% -> 65%, no validation:
    stopped too early, as a three-point validation curve is. Both read `healthy` ("settled")."""
    log = tmp_path / "history.csv"
    log.write_text("epoch,loss\n10,0.02410\n20,0.01932\n30,0.01801\n")
    d = fd.diagnose(fd.read_runs(str(log))[0])
    assert d.top.code == "still_improving" and d.top.severity == "warning", d.codes
    assert "both its steps" in d.top.message and "after only 3 logged points" in d.top.message
    d = fd.diagnose({"accuracy": [0.1228, 0.5839, 0.6479]})
    assert d.top.code == "still_improving", d.codes
    assert "what it had left to gain" in d.top.message


def test_three_train_points_landing_on_their_level_are_not_still_improving():
    """The last step 1.5% of its level: it has landed, as the labellers read such runs (an MLP's
    0.830 -> 0.469 -> 0.464 was not called still improving)."""
    d = fd.diagnose({"loss": [36.76, 24.11, 23.75]})
    assert "still_improving" not in [f.code for f in d.findings if f.severity != "info"], d.codes


def test_a_rise_under_one_percent_is_quoted_to_a_tenth_of_a_percent():
    """"+0%" beside "worse than its best beyond its noise" read as no change at all."""
    val = [5.873, 5.282, 5.010, 4.835, 4.726, 4.654, 4.594, 4.566, 4.526, 4.502, 4.490, 4.473, 4.470, 4.467,
           4.4664, 4.4686, 4.4721, 4.4800, 4.4817, 4.4883]
    d = fd.diagnose({"loss": list(np.linspace(6.6, 3.4, 20)), "val_loss": val})
    text = " ".join(f.message for f in d.findings) + " " + d.summary.get("unnamed", "")
    assert "+0.5%" in text and "+0%" not in text, text


SPIKING_NET = {  # 20-class spiking net: no val loss, val accuracy flat after its best at epoch 7
    "loss": [2.7823, 2.4118, 2.2697, 2.1772, 2.1087, 2.0521, 2.0082, 1.9664, 1.9551, 1.9114, 1.8803, 1.8432, 1.8163,
             1.7182, 1.6821, 1.6584, 1.6442],
    "accuracy": [0.1063, 0.1873, 0.2312, 0.2587, 0.2819, 0.293, 0.3046, 0.3297, 0.3331, 0.3433, 0.357, 0.3738, 0.3782,
                 0.4138, 0.4288, 0.4351, 0.4393],
    "val_accuracy": [0.1405, 0.2301, 0.216, 0.2319, 0.2456, 0.2469, 0.2712, 0.2496, 0.2513, 0.2359, 0.2244, 0.2606,
                     0.2447, 0.2394, 0.2496, 0.2319, 0.2394]}


def test_a_val_accuracy_flat_since_its_best_while_train_accuracy_climbs_away_is_overfitting():
    """With no val loss logged, the gap-widening kind was never judged on the accuracies: the
    val accuracy held 0.22-0.26 for ten epochs after its best while train climbed 0.30 -> 0.44
    (the gap 0.04 -> 0.20, wider than all validation ever gained). It read `healthy`."""
    d = fd.diagnose(SPIKING_NET)
    assert d.top.code == "overfitting" and d.top.severity == "warning", d.codes
    assert "no new high beyond its noise" in d.top.message and "0.2712 at epoch 6" in d.top.message


def test_a_val_accuracy_still_rising_beside_the_train_accuracy_is_no_gap_overfitting():
    run = dict(SPIKING_NET)
    run["val_accuracy"] = [round(a - 0.03 + 0.002 * i, 4) for i, a in enumerate(SPIKING_NET["accuracy"])]
    assert "overfitting" not in fd.diagnose(run).codes


def test_a_val_accuracy_flat_beside_a_train_accuracy_as_flat_is_no_gap_overfitting():
    """A converged run with a small, stable gap is healthy (LABELS.md)."""
    n = 30
    run = {"loss": list(np.linspace(1.0, 0.2, n)),
           "accuracy": [min(0.95, 0.6 + 0.05 * i) for i in range(n)],
           "val_accuracy": [round(min(0.93, 0.58 + 0.05 * i) + 0.004 * (-1) ** i, 4) for i in range(n)]}
    assert "overfitting" not in fd.diagnose(run).codes


def test_a_val_loss_that_stepped_to_new_lows_in_the_last_third_is_no_wide_gap():
    """A lung-cancer CNN: val 0.198 through epochs 11-14, then 0.163 down to 0.155 for the last
    six (4x its noise below anything before), val accuracy to its best at epoch 19. The wide-gap
    rule said "found no new low beyond its noise over the last third"; the step was no trend."""
    run = {"loss": [0.5338, 0.3111, 0.2465, 0.2068, 0.1909, 0.1545, 0.136, 0.1243, 0.1028, 0.0938, 0.084, 0.0731,
                    0.0666, 0.0652, 0.0556, 0.048, 0.0404, 0.0373, 0.0334, 0.0292],
           "accuracy": [0.8125, 0.8782, 0.9008, 0.9187, 0.9264, 0.9451, 0.9524, 0.96, 0.9709, 0.9736, 0.9775, 0.9806,
                        0.983, 0.9825, 0.9876, 0.9885, 0.9918, 0.993, 0.9936, 0.9954],
           "val_loss": [0.4083, 0.3838, 0.3102, 0.275, 0.246, 0.2447, 0.269, 0.2187, 0.2121, 0.2046, 0.1984, 0.2107,
                        0.2202, 0.1983, 0.1628, 0.1734, 0.1675, 0.1598, 0.1546, 0.1596],
           "val_accuracy": [0.8664, 0.8681, 0.8672, 0.8867, 0.8867, 0.8879, 0.8859, 0.9046, 0.9046, 0.9099, 0.918,
                            0.9135, 0.9135, 0.9091, 0.9233, 0.9216, 0.9277, 0.9314, 0.9367, 0.935]}
    assert "overfitting" not in fd.diagnose(run).codes


def test_a_wide_loss_gap_while_val_accuracy_sets_new_highs_in_the_last_third_is_no_overfitting():
    """An 8-epoch ResNet fine-tune: val loss swinging 0.70, 1.02, 0.69, 0.78, 0.63, 0.74, 0.46, 0.50
    (no new low beyond that noise in its last third) at 4x the train loss, while val accuracy
    climbs 0.68 -> 0.88, its best at the last epoch. What it gets right on unseen data still
    grows; the wide-gap rule read memorising. With the val accuracy stalled it still does."""
    run = {"loss": [0.3349, 0.2643, 0.2057, 0.1748, 0.1514, 0.1373, 0.1258, 0.1192],
           "accuracy": [0.864, 0.894, 0.917, 0.93, 0.94, 0.946, 0.951, 0.954],
           "val_loss": [0.6975, 1.0213, 0.6941, 0.7772, 0.6293, 0.7387, 0.4555, 0.4956],
           "val_accuracy": [0.679, 0.712, 0.753, 0.741, 0.78, 0.802, 0.861, 0.880]}
    assert "overfitting" not in fd.diagnose(run).codes
    stalled = dict(run, val_accuracy=[0.679, 0.712, 0.753, 0.741, 0.78, 0.762, 0.77, 0.765])
    assert fd.diagnose(stalled).top.code == "overfitting"


def test_a_train_loss_summed_over_batches_is_no_better_validation():
    """A 5-class speech model logs its train loss as a sum over 16 batches (25.79 = 16 x ln 5 at
    epoch 0, beside val's 1.610 = ln 5) and val every 10 epochs: val is 1/16 of train from the
    first evaluation to the last, a unit, not a leak."""
    x = np.arange(0, 101)
    train = list(16 * (1.609 - 0.28 * (1 - np.exp(-x / 40))) + np.random.default_rng(0).normal(0, 0.3, x.size))
    val = [1.6099, 1.5923, 1.55, 1.50, 1.434, 1.41, 1.39, 1.363, 1.425, 1.35, 1.327]
    run = fd.RunHistory()
    for e in x:
        run.append(int(e), {"loss": train[e]})
    for i, e in enumerate(range(0, 101, 10)):
        run.append(e, {"val_loss": val[i]})
    assert "suspicious_validation" not in fd.diagnose(run).codes


def test_a_val_loss_that_drops_below_train_as_the_run_goes_is_still_suspicious():
    """The same losses in one unit, val parting from train only later: still named."""
    e = np.arange(40)
    run = {"loss": list(0.9 - 0.3 * (1 - np.exp(-e / 10))), "val_loss": list(0.9 - 0.6 * (1 - np.exp(-e / 10)))}
    assert "suspicious_validation" in fd.diagnose(run).codes


def test_a_train_loss_lower_at_each_of_its_last_three_points_is_not_flat():
    """A CapsNet's 5-epoch CSVLogger: train 0.827, 0.928 (a blip), 0.575, 0.529, 0.476 while val
    fell every epoch 0.828 -> 0.416. The blip put the train noise above its fall, and the run read
    'val improving while train is flat' (suspicious_validation) before stopped too early."""
    run = {"loss": [0.8274, 0.9277, 0.5753, 0.5288, 0.4761], "val_loss": [0.8281, 0.6956, 0.5533, 0.4754, 0.4165],
           "capsnet_accuracy": [0.112, 0.104, 0.102, 0.165, 0.270],
           "val_capsnet_accuracy": [0.103, 0.100, 0.131, 0.284, 0.424]}
    d = fd.diagnose(run)
    assert "suspicious_validation" not in d.codes and d.top.code == "still_improving", d.codes


def test_a_val_loss_that_ends_at_its_best_after_one_spike_is_not_oscillating():
    """A binary image classifier's 8 epochs: val 0.264 -> 0.032, one spike to 0.099, then 0.0185
    and 0.0057 (its best, val accuracy 1.0). Near zero, one spike is 'as large as the level', but
    a curve that ends at its best of the run has a trend through its swings."""
    run = {"loss": [0.5823, 0.2681, 0.1431, 0.1475, 0.1059, 0.0612, 0.0595, 0.0628],
           "val_loss": [0.2643, 0.0846, 0.0734, 0.04, 0.0324, 0.0987, 0.0185, 0.0057],
           "accuracy": [0.7871, 0.9208, 0.9505, 0.9604, 0.9505, 0.9802, 0.9802, 0.9703],
           "val_accuracy": [0.9455, 0.9653, 0.9752, 0.9901, 0.995, 0.9604, 0.995, 1.0]}
    assert "oscillating" not in fd.diagnose(run).codes


def test_a_fall_that_speeds_up_is_still_improving_not_lr_too_low():
    """LABELS.md: lr_too_low is a nearly straight decline with no sign of curvature. A cost
    stuck near 1 for four points that then drops (1.01, 1.01, 1.01, 1.01, 0.88, 0.74, 0.70,
    0.68) curves: its late slope is many times its early one, a run still improving."""
    run = {"loss": [1.0081, 1.0070, 1.0065, 1.0060, 0.8810, 0.7310, 0.6990, 0.6785]}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving" and "lr_too_low" not in d.codes, d.codes
    straight = {"loss": list(1.0 - 0.01 * np.arange(8))}
    assert "lr_too_low" in codes(straight)


def test_a_language_model_leaving_the_uniform_level_is_still_improving_however_little_it_moved():
    """A pretraining log cut in its warmup: the token loss sits at ln(V) for a while, then falls
    faster and faster (11.465 -> 11.32, 1.3%): the curve is at its steepest when the log ends, so
    the run was stopped while improving, not "barely moved" (converged or learned nothing)."""
    steps = np.arange(120)
    level = 11.465 - 0.15 * np.clip((steps - 30) / 90, 0, None) ** 2.2
    run = {"loss": noisy(level, 0.0005), "val_loss": noisy(level + 0.001, 0.0005, 1)}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "speeding up" in d.top.message


def test_a_validation_only_log_that_blows_up_after_learning_is_diverging():
    """Only the global model's validation is logged (a federated run): 1.94 down to 0.037 by
    round 23, then 0.23, 0.52, 1.06, 2.0, 2.2 and swings up to 2.2. With no train curve, the
    validation curve is the run, as it is for lr_too_low."""
    val = [1.9373, 0.314, 0.1248, 0.0961, 0.075, 0.0626, 0.0594, 0.0654, 0.0637, 0.0502, 0.0487, 0.0518, 0.0576,
           0.0475, 0.0502, 0.0496, 0.0464, 0.0473, 0.0464, 0.045, 0.0429, 0.0418, 0.0382, 0.0368, 0.0654, 0.2269,
           0.5171, 1.0553, 2.0175, 2.221, 1.2368, 0.4139, 1.4509, 2.2063, 0.7999, 1.957, 1.5356, 0.3746, 0.1339]
    d = fd.diagnose({"val_loss": val})
    assert d.top.code == "diverging", d.codes
    # it says how far it was thrown (the peak, 60x), and explains a validation curve, not a train loss
    assert "up to 2.221 at epoch 29 (60.35x its lowest)" in d.top.message
    assert not d.top.explanation.startswith("Training loss") and "validation" in d.top.explanation
    assert fd.diagnose({"loss": val}).top.explanation.startswith("Training loss")


def test_a_val_curve_with_a_new_best_at_every_epoch_is_still_improving_after_a_huge_first_fall():
    """A 20-epoch MSE regression: val 0.21 -> 0.0029, 0.0027, 0.0025, 0.0023, a new best at
    every epoch from the fourth on. Its tail is a sliver of a first fall by two orders of
    magnitude, but a descent that steady (falling 6-8% an epoch) has not converged. A curve
    landing on its level (0.2511, 0.2493, 0.2486, 0.2482) sets new bests too and stays healthy."""
    val = [0.2149, 0.04288, 0.04337, 0.0198, 0.0121, 0.00915, 0.0076, 0.0067, 0.005969, 0.005228, 0.004811,
           0.004215, 0.003864, 0.003656, 0.00333, 0.003123, 0.002903, 0.002716, 0.002524, 0.002345]
    train = [v * 1.15 for v in val]
    d = fd.diagnose({"mse": train, "val_mse": val})
    assert d.top.code == "still_improving", d.codes
    assert "a new best at each of its last 17 epochs" in d.top.message
    landing = {"loss": [0.6531, 0.1974, 0.1564, 0.0612, 0.0159, 0.0049, 0.0029, 0.0023, 0.0019, 0.0017],
               "val_loss": [0.3371, 0.6413, 0.2681, 0.2891, 0.2604, 0.2511, 0.2493, 0.2486, 0.2482, 0.2481]}
    assert "still_improving" not in codes(landing)


def test_a_short_train_only_run_better_at_every_epoch_is_still_improving_unless_it_creeps():
    """Ten epochs of a small generator's train loss, no validation: 2.14 -> 1.24 -> ... -> 1.016,
    1.007, 1.000, 0.9939, better at each of its nine epochs and still 2% down over its last three.
    LABELS.md makes "stopped too early" the usual call for a run of 8-15 epochs; a descent in
    strict order that long is no noise. A loss that creeps 0.2% over its last three epochs
    (a ranking loss 0.1392 -> 0.1338) is at its level: healthy, as before."""
    falling = [2.1402, 1.2381, 1.1443, 1.0929, 1.059, 1.0273, 1.0158, 1.0073, 1.0002, 0.9939]
    d = fd.diagnose({"loss": falling})
    assert d.top.code == "still_improving", d.codes
    assert "a new best at each of its last 9 epochs" in d.top.message
    creeping = [0.1392, 0.1371, 0.1348, 0.1342, 0.1341, 0.13405, 0.1340, 0.13395, 0.1339]
    assert "still_improving" not in codes({"loss": creeping})
    longer = falling + [0.9880, 0.9826, 0.9777, 0.9731, 0.9688, 0.9648, 0.9611, 0.9576]  # 18 epochs: not a short run
    assert "still_improving" not in codes({"loss": longer})


def test_a_train_loss_up_within_its_noise_does_not_veto_a_falling_val_loss():
    """A 9-epoch classifier: the val loss falls every epoch (0.411 -> 0.307, still -2% in the last)
    while the logged train loss, one noisy batch mean per epoch, went 0.32, 0.34, 0.37 at the end:
    a rise within its own swings (0.33, 0.36, 0.38, 0.34) says nothing about the run."""
    run = {"loss": [0.456328, 0.399946, 0.388045, 0.332886, 0.358796, 0.376374, 0.343735, 0.323453, 0.343966,
                    0.365418],
           "val_loss": [0.411385, 0.368641, 0.35433, 0.336587, 0.328719, 0.321502, 0.318092, 0.313498, 0.306698],
           "val_accuracy": [0.678, 0.726, 0.718, 0.771, 0.763, 0.785, 0.765, 0.8, 0.782]}
    d = fd.diagnose(run)  # the last train point is the first batches of a tenth epoch, cut off
    assert d.top.code == "still_improving", d.codes


def test_a_short_run_whose_val_loss_turned_while_train_fell_at_each_epoch_is_overfitting():
    """Five epochs of a CNN: val 0.076, 0.0612 (best), 0.0662, 0.0664, 0.0858 while train fell
    at every epoch 0.128 -> 0.030. Too few points for a noise estimate, but a best followed by
    three evaluations each worse than the last, while training kept improving, is the picture
    LABELS.md names overfitting. Where train did not fall through those epochs, it is not."""
    run = {"loss": [0.1284, 0.0687, 0.0528, 0.0415, 0.0303], "val_loss": [0.076, 0.0612, 0.0662, 0.0664, 0.0858]}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    assert "worse at each of the 3 epochs after it" in d.top.message and "+40%" in d.top.message
    flat_train = {**run, "loss": [0.1284, 0.0687, 0.0528, 0.0541, 0.0530]}
    assert "overfitting" not in codes(flat_train)


def test_a_short_run_whose_val_loss_held_above_its_best_and_ended_worst_is_overfitting():
    """A SimpleRNN on IMDB, 7 epochs: val 0.432, 0.381, 0.378 (best), then 0.396, 0.417, 0.388
    and 0.496 (+31%) while train fell at every epoch 0.631 -> 0.215. Not one step after another,
    but every evaluation after the best stayed above it and the last is the worst of them: the
    turn held to the end. Where the last came back down, the same run is no turn."""
    run = {"loss": [0.6313, 0.4361, 0.3676, 0.3098, 0.2867, 0.2484, 0.2149],
           "val_loss": [0.4323, 0.3814, 0.3782, 0.3962, 0.417, 0.3878, 0.4962]}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    assert "above it at each of the 4 epochs after it (0.3962, 0.417, 0.3878, 0.4962 at the last, the worst, +31%)" \
        in d.top.message, d.top.message
    back_down = {**run, "val_loss": run["val_loss"][:-1] + [0.3990]}
    assert "overfitting" not in codes(back_down)


def test_a_fine_tune_whose_best_was_its_first_evaluation_and_held_above_it_is_overfitting():
    """KLUE-BERT, 5 epochs: val loss best at epoch 1 (0.0746, val accuracy already 0.977), then
    0.0915, 0.0766, 0.1008, 0.1042 (+40%) while train fell at every epoch 0.115 -> 0.0064. The
    model learned in its first epoch, before anything was logged, so a best at the first
    evaluation is a best like any other: it had read no fault. With val accuracy near guessing
    (nothing learned), the same val curve is no turn."""
    run = {"loss": [0.1153, 0.0328, 0.0186, 0.0078, 0.0064], "accuracy": [0.959, 0.991, 0.993, 0.997, 0.998],
           "val_loss": [0.0746, 0.0915, 0.0766, 0.1008, 0.1042], "val_accuracy": [0.977, 0.974, 0.980, 0.980, 0.981]}
    d = fd.diagnose(run)
    assert d.top.code == "overfitting", d.codes
    assert "best 0.0746 at epoch 0, then above it at each of the 4 epochs after it" in d.top.message, d.top.message
    guessing = {**run, "val_loss": [0.6931 + v for v in run["val_loss"]], "val_accuracy": [0.51, 0.5, 0.52, 0.5, 0.49]}
    assert "overfitting" not in codes(guessing)


def test_a_val_loss_whose_last_few_evaluations_go_on_at_the_tails_rate_has_not_levelled_off():
    """A GPT-2-medium fine-tune evaluated every 500 steps: val 2.61 -> 1.63, its last 12
    evaluations 12% of its fall at -0.0075 each, its last 6 at -0.0067, too few and too noisy
    (+-0.03) to show a fall of their own, but within a fifth of their standard error of the
    tail's rate: nothing says it stopped. It read healthy. Where the last 6 do flatten (and
    train with them), it stays healthy."""
    train = [2.597, 2.13, 2.081, 2.052, 2.02, 1.978, 1.956, 1.918, 1.906, 1.914, 1.795, 1.814, 1.764, 1.735, 1.728, 1.682, 1.654, 1.634, 1.616, 1.589, 1.573, 1.544, 1.545, 1.478, 1.472, 1.439, 1.403, 1.4, 1.39, 1.357, 1.363, 1.309, 1.25, 1.292, 1.27, 1.253, 1.203, 1.199, 1.183, 1.142, 1.133]
    val = [2.611, 2.157, 2.167, 2.116, 2.096, 2.094, 2.073, 2.023, 2.008, 2.009, 1.996, 1.973, 1.977, 1.917, 1.941, 1.925, 1.891, 1.877, 1.878, 1.869, 1.832, 1.802, 1.791, 1.745, 1.791, 1.77, 1.776, 1.75, 1.733, 1.749, 1.693, 1.675, 1.675, 1.673, 1.671, 1.659, 1.62, 1.684, 1.655, 1.624, 1.63]
    assert fd.diagnose({"loss": train, "val_loss": val}).top.code == "still_improving"
    flat = {"loss": train[:-6] + [train[-7]] * 6, "val_loss": val[:-6] + [1.66, 1.665, 1.658, 1.662, 1.667, 1.661]}
    assert fd.diagnose(flat).codes == ["healthy"]


def test_a_three_point_val_accuracy_near_the_top_is_judged_on_the_errors_it_had_left():
    """An ID-CNN NER tagger's 3 evaluations: val accuracy 0.9662 -> 0.9736 -> 0.9757 (F1 71.8 ->
    79.9 -> 82.3) while its train loss fell each pass. The last step is 0.2% of the level but 8%
    of the errors left: still improving, as a val loss better by 5% at both steps is. It read
    healthy. A last step of 0.0002 (1% of the errors left) stays healthy."""
    run = {"loss": [5.4, 3.9, 2.7], "val_accuracy": [0.9662, 0.9736, 0.9757]}
    d = fd.diagnose(run)
    assert d.top.code == "still_improving", d.codes
    assert "the last by 8% of what it had left to gain" in d.top.message, d.top.message
    assert fd.diagnose({**run, "val_accuracy": [0.9662, 0.9736, 0.9738]}).codes == ["healthy"]


def test_batch_losses_inside_epochs_are_minibatch_noise_not_oscillation():
    """An LSTNet forecaster's 'Epoch 1/2, step 10/542, loss = 0.0296' lines: 54 batch losses an
    epoch, swinging by 60% of their level from batch to batch. LABELS.md judges swings at the
    evaluation cadence: minibatch noise is not oscillation, nor an lr jumping out of its minimum.
    It read oscillating and lr_too_high. The same swings one epoch apart still are."""
    rng = np.random.default_rng(7)
    steps = np.arange(10, 542 * 2, 10)
    level = 0.0008 + 0.02 * np.exp(-steps / 60)
    loss = level * np.exp(rng.normal(0, 0.6, steps.size))
    h = fd.RunHistory()
    h.add("loss", steps / 542, loss)
    d = fd.diagnose(h)
    assert "oscillating" not in d.codes and "lr_too_high" not in d.codes, d.codes
    per_epoch = fd.RunHistory()
    per_epoch.add("loss", np.arange(1, steps.size + 1), loss)
    assert {"oscillating", "lr_too_high"} & set(fd.diagnose(per_epoch).codes)


def test_batch_losses_over_many_epochs_are_judged_on_each_epochs_mean():
    """A DCGAN logs its discriminator loss 4 times an epoch for 100 epochs: batches, but enough
    epochs to judge at the epoch cadence, where its means still jump by more than their level
    after a fast first drop. Left out as minibatch noise, the run read healthy, a false alarm."""
    rng = np.random.default_rng(3)
    level = 0.1 + 1.5 * np.exp(-np.arange(100) / 3)
    jumps = np.where(rng.random(100) < 0.5, 3.0, 0.3)  # each epoch's mean 10x the last, or a tenth
    h = fd.RunHistory()
    h.add("d_loss", np.arange(1, 401) / 4, np.repeat(level * jumps, 4) * np.exp(rng.normal(0, 0.2, 400)))
    d = fd.diagnose(h)
    assert d.top.code == "lr_too_high", d.codes
    assert "kept jumping up and down" in d.top.message and "from epoch to epoch" in d.top.message


def test_a_log_cut_at_a_hundredth_of_its_plan_at_its_best_is_still_improving():
    """A policy-gradient agent's log stops at 'Epoch 3/400': loss 0.039, 0.029, 0.032, 0.022, its
    best at the last and its last half down 45% of where it ends. Four points give no trend and
    the bump breaks the steps, but a run cut at 1% of its plan at its best has not converged: it
    read no verdict. The same curve ending above its best says nothing."""
    def run(loss):
        h = fd.RunHistory(meta={"planned_epochs": 400, "epochs_done": 3})
        h.add("loss", [0, 1, 2, 3], loss)
        return fd.diagnose(h)
    d = run([0.0391, 0.0294, 0.0324, 0.0224])
    assert d.top.code == "still_improving", d.codes
    assert "at epoch 3 of the 400 planned (0.75%): 0.0324 -> 0.0224 over its last 2 epochs (45% of where it ends)" \
        in d.top.message, d.top.message
    assert "still_improving" not in run([0.0391, 0.0224, 0.0324, 0.0294]).codes


def test_a_batch_loss_still_going_down_inside_the_first_pass_is_still_improving():
    """An XLNet NER run logs its batch loss every 100 steps and stops 17% into its first epoch:
    one batch's loss swings by 15%, so its lowest point and its last say little, but its last
    half trends down and its last quarter is its best: a run this short has rarely converged.
    It read healthy. The same noise over a loss that levelled off early stays healthy."""
    rng = np.random.default_rng(3)
    steps = np.arange(100, 4000, 100)

    def run(level):
        h = fd.RunHistory()
        h.add("loss", steps / 23196, level * np.exp(rng.normal(0, 0.12, steps.size)))
        return fd.diagnose(h)
    d = run(10 + 21 * np.exp(-steps / 1500))
    assert d.top.code == "still_improving", d.codes
    assert "after less than 2 passes over its data (epoch 0.17)" in d.top.message, d.top.message
    assert run(10 + 21 * np.exp(-steps / 300)).codes == ["healthy"]


def test_a_val_loss_that_ended_above_where_it_began_is_not_healthy():
    """A 4-evaluation val loss that ends 12% above its first (0.8079, 0.8074, 0.80, 0.9018) while
    train fell at each: it had read "fell and settled", a message its own numbers contradict;
    the summary says validation did not fall. A 12-epoch val loss that ends 11% above its first
    value within its swings (0.02 an epoch) stays healthy."""
    d = fd.diagnose({"loss": [0.8278, 0.7153, 0.70, 0.6191], "val_loss": [0.8079, 0.8074, 0.80, 0.9018]})
    assert "healthy" not in d.codes
    assert d.summary["unnamed"].startswith("no fault named, but not healthy: val_loss ended above where it began "
                                           "(0.8079 -> 0.9018, +12%)"), d.summary["unnamed"]
    corpus_run = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "runs" / "oscillating-f02" / "training.log"
    swinging = fd.diagnose(fd.read(corpus_run))  # val 0.3467 -> 0.3834 over 12 epochs, noise 0.022
    assert swinging.codes == ["healthy"], swinging.codes


def test_three_evaluations_whose_last_val_loss_is_the_worst_while_train_fell_at_each_are_overfitting():
    """A BERT classifier's 3 evaluations, val 0.8079, 0.8074, 0.9018 while train fell 0.83 ->
    0.62, and an AlphaZero net's, val 1.967, 2.065, 2.075 while train fell 1.73 -> 1.41: two
    labellers called both overfitting; they read only "not healthy". A last val loss within 5%
    of the best, one that is not the worst of the three, or a train loss that rose at an
    evaluation, names nothing."""
    for train, val, best in (([0.8278, 0.7153, 0.6191], [0.8079, 0.8074, 0.9018], "0.8074"),
                             ([1.7317, 1.5297, 1.4072], [1.9667, 2.0646, 2.0745], "1.967")):
        d = fd.diagnose({"loss": train, "val_loss": val})
        assert d.top.code == "overfitting", d.codes
        assert d.top.message.startswith(f"val_loss best {best} at epoch "), d.top.message
        assert "the worst of its 3 epochs, while loss fell at each of them" in d.top.message
    for train, val in (([0.5, 0.4, 0.35], [0.40, 0.38, 0.395]),  # +4%
                       ([0.5, 0.4, 0.35], [0.40, 0.46, 0.44]),  # the last is not the worst
                       ([0.5, 0.55, 0.35], [0.40, 0.38, 0.46])):  # train rose at the second
        assert "overfitting" not in fd.diagnose({"loss": train, "val_loss": val}).codes, (train, val)


def test_a_train_loss_still_falling_beside_a_val_score_still_climbing_is_still_improving():
    """A speech classifier logs its train loss and a val accuracy on 16 rows, no val loss: train
    2.73 -> 1.25, -4% in its last epoch; val accuracy 0.50 -> 0.75 over its last 11 epochs in
    steps of 1/16. The score alone is too coarse to show a trend at its end; the train loss
    shows it, and the climbing score says it is no memorising. With the score flat over its last
    half (the train loss memorising), it is not still improving."""
    loss = [2.728, 2.698, 2.655, 2.61, 2.57, 2.553, 2.48, 2.41, 2.35, 2.27, 2.209, 2.098, 1.999, 1.939, 1.819,
            1.715, 1.721, 1.524, 1.501, 1.331, 1.293, 1.245]
    acc = [0.0625, 0.0625, 0.1875, 0.125, 0.25, 0.1875, 0.3125, 0.375, 0.3125, 0.4375, 0.5, 0.5, 0.4375, 0.625,
           0.5, 0.6875, 0.75, 0.6875, 0.6875, 0.6875, 0.6875, 0.75]
    d = fd.diagnose({"loss": loss, "val_accuracy": acc})
    assert d.top.code == "still_improving", d.codes
    assert "while val_accuracy (no val loss logged) climbed through its noise over its last 11 epochs " \
           "(0.5 -> 0.75, best 0.75)" in d.top.message, d.top.message
    flat = acc[:11] + [0.625, 0.6875, 0.625, 0.6875, 0.625, 0.6875, 0.625, 0.6875, 0.625, 0.6875, 0.625]
    assert "still_improving" not in codes({"loss": loss, "val_accuracy": flat})


def test_a_short_train_only_run_still_falling_a_fifth_of_its_level_is_still_improving():
    """A convolutional autoencoder's 10 epochs, no validation: 0.040, 0.0066, then 10-15% an
    epoch (0.0032, 0.0028, 0.0026, a blip to 0.0029, 0.0023 at the last). LABELS.md: for a short
    run "stopped too early" is the usual verdict; with no validation the fall must be the share a
    train loss needs (a fifth of its level over its last half), not the 5% a val curve does."""
    loss = [0.04032, 0.006621, 0.005134, 0.004349, 0.003689, 0.003191, 0.00283, 0.002586, 0.002885, 0.002318]
    d = fd.diagnose({"loss": loss})
    assert d.top.code == "still_improving", d.codes
    assert "30% of its level" in d.top.message and not d.top.message.endswith("while loss still fell")
    creeping = loss[:5] + [0.00362, 0.00358, 0.00355, 0.00357, 0.00352]
    assert "still_improving" not in codes({"loss": creeping})


def test_a_blow_up_below_the_first_value_is_quoted_from_the_low_before_it():
    """A one-number-a-line loss file of 7,128 points: 5.05 -> 0.034, then jumps to 0.90 three
    times and falls again each time (0.030 before the last jump, 0.088 at the end). Its first
    value is the curve's highest, so the message read "blew up from 5.053 to 5.053 at step 1
    (1x its first value)": it now quotes the jump, from the low before it."""
    rng = np.random.default_rng(0)

    def fall(a, b, n, tau):
        return b + (a - b) * np.exp(-np.arange(n) / tau)

    y = np.concatenate([fall(5.05, 0.0335, 33, 5), fall(0.90, 0.141, 147, 30), fall(0.90, 0.0299, 3928, 400),
                        fall(0.863, 0.088, 3020, 400)])
    d = fd.diagnose({"loss": list(y * (1 + 0.03 * rng.standard_normal(y.size)))})
    blow = next(f for f in d.findings if f.code == "diverging")
    assert "blew up from 0.02741 to 0.8905 at epoch 4110 (32.49x its lowest before)" in blow.message, blow.message


def test_a_clock_is_never_the_metric_a_run_is_judged_by():
    """A 5-epoch fine-tune logging its validation pass's seconds (``val_time`` 5.09 .. 5.27):
    with its val loss unread, "val_time never improved beyond noise" was the verdict
    (val_not_improving). A series that times the run is kept but judges nothing."""
    run = {"loss": [0.1153, 0.03279, 0.01858, 0.007754, 0.006381], "val_time": [5.091, 5.21, 5.222, 5.269, 5.27],
           "time": [70.85, 72.23, 74.5, 73.94, 73.81]}
    d = fd.diagnose(run)
    assert "val_not_improving" not in d.codes and not any("val_time" in f.message for f in d.findings), d.codes


def test_a_validation_error_logged_alone_is_the_validation_curve_before_a_train_only_loss_part():
    """A pose forecaster's JSON: ``train_loss`` with its parts (``train_pose``, ``train_vel``), and
    validation only as ``val_pose_mse`` and ``val_mpjpe_mm``. The first train-only part was taken
    as the run's metric, so "no validation series" was said of a run that logs two. A metric
    logged on validation says how the model does held out; a train-only loss part says nothing
    the train loss does not."""
    run = {"loss": [0.0293, 0.00688, 0.00479, 0.0041, 0.0038], "pose": [0.0283, 0.0056, 0.00348, 0.0031, 0.0029],
           "vel": [0.00101, 0.00128, 0.00131, 0.0012, 0.0011],
           "val_pose_mse": [0.1068, 0.0940, 0.0908, 0.0890, 0.0881], "val_mpjpe_mm": [14.76, 13.45, 13.39, 13.2, 13.1]}
    d = fd.diagnose(run)
    assert "no validation series" not in d.top.message and "val_pose_mse" in d.top.message, d.top.message


def test_four_epochs_at_one_class_share_with_the_train_accuracy_frozen_too_are_chance_level():
    """A 4-epoch Keras CSVLogger: val accuracy 0.73348 at every epoch and train accuracy 0.76020
    at each of the last three, while the train loss falls 0.81 -> 0.53. Four evaluations were one
    too few for a frozen val accuracy alone; the train accuracy frozen at its own class share is
    the second witness LABELS.md asks for. Without it, four evaluations still say nothing."""
    run = {"accuracy": [0.6837, 0.760204, 0.760204, 0.760204], "loss": [0.8095, 0.5849, 0.5685, 0.532],
           "val_accuracy": [0.733484, 0.733484, 0.733484, 0.733484], "val_loss": [0.5973, 0.6074, 0.5852, 0.5856]}
    d = fd.diagnose(run)
    assert d.top.code == "chance_level" and "accuracy 0.760204 at each of its last 3" in d.top.message, d.codes
    moving = {**run, "accuracy": [0.6837, 0.7602, 0.7712, 0.7803]}
    assert "chance_level" not in fd.diagnose(moving).codes


def test_a_val_loss_still_falling_a_fifth_of_its_level_far_beyond_noise_is_still_improving():
    """A many-class classifier's 33 evaluations: val loss 5.68 -> 0.21, then 0.207, 0.197, 0.193,
    0.187, 0.179, 0.180, 0.167, 0.162, 0.157, 0.156, 0.152, 0.150, a fall of a quarter of its level
    over the last ten, far beyond its noise. Beside the first fall it is under 1% of the run's
    progress, which read "fell and settled". A noisy tail (an MNIST val loss at 0.011-0.013 that
    ends 0.009 after an lr cut, labelled healthy) still needs the usual share."""
    head = [5.684, 4.812, 3.949, 3.1, 2.3, 1.6, 1.1, 0.8, 0.6, 0.47, 0.38, 0.32, 0.28, 0.26, 0.245, 0.235, 0.228,
            0.222, 0.216, 0.212, 0.21]
    tail = [0.2072, 0.1967, 0.1926, 0.187, 0.1793, 0.1795, 0.1669, 0.162, 0.1568, 0.1561, 0.1519, 0.1502]
    val = head + tail
    d = fd.diagnose({"loss": [v * 0.6 for v in val], "val_loss": val})
    assert d.top.code == "still_improving", d.codes
    assert "of the level it ends at" in d.top.message
    mnist = {"val_loss": [3.64165, 0.0499, 0.03311, 0.03719, 0.03193, 0.03188, 0.03131, 0.03356, 0.02618, 0.03109,
                          0.02305, 0.0298, 0.02345, 0.02013, 0.02314, 0.03239, 0.02347, 0.01428, 0.01382, 0.01655,
                          0.01578, 0.01139, 0.01328, 0.01103, 0.01312, 0.01179, 0.01185, 0.01218, 0.00923, 0.00916],
             "loss": [0.36545, 0.09579, 0.07343, 0.06107, 0.05229, 0.04821, 0.0469, 0.04292, 0.03807, 0.03737,
                      0.03731, 0.03556, 0.03554, 0.03197, 0.03069, 0.03046, 0.02963, 0.02299, 0.0193, 0.02204,
                      0.01984, 0.01897, 0.0182, 0.01909, 0.01841, 0.01973, 0.01761, 0.01586, 0.01467, 0.01536]}
    assert fd.diagnose(mnist).codes == ["healthy"]


def _jump_then_slow_return(end: float, seed: int = 7):
    """A train loss down from 0.43 to its best 0.10 at epoch 26, thrown up to 0.37 over two
    epochs, then falling slowly for 70 epochs to ``end``."""
    rng = np.random.default_rng(seed)
    down = 0.10 + 0.33 * np.exp(-np.arange(27) / 6.0)
    back = 0.37 + (end - 0.37) * (1 - np.exp(-np.arange(1, 74) / 25.0)) / (1 - np.exp(-73 / 25.0))
    return {"loss": list(np.concatenate([down, [0.207], back]) + rng.normal(0, 0.004, 101))}


def test_a_loss_thrown_far_above_its_best_that_never_gets_back_is_diverging():
    """An SSD detector's per-epoch loss: best 0.100 at epoch 26, 0.37 two epochs later, and 2.5x
    its best at the end of a slow return, having given back more than half of what it had
    learned. Read before as lr_too_high ("crept back up"), which its labeller accepts only
    beside `diverging`: a run that learned, then blew up."""
    d = fd.diagnose(_jump_then_slow_return(0.258))
    assert d.top.code == "diverging" and "x its lowest" in d.top.message
    # back within twice its best: the weights were not lost, the rise is lr_too_high's at most
    assert "diverging" not in fd.diagnose(_jump_then_slow_return(0.17)).codes


def test_a_long_noisy_reward_still_climbing_is_still_improving_though_its_last_point_is_below_its_best():
    """An actor-critic drone agent's 100 episode rewards (JoshuaMarkle/drone-ai, ``logs/log.csv``):
    the 10-episode means climb 458 -> 1881 -> 3884 at the end, single episodes scatter from 1871
    to the 5002 cap. Its last episode (3701) below its best had read as a turn and the run as
    "rose and settled"; a long curve turns when its smoothed level leaves its best, not when one
    sample does."""
    reward = [
              330.8, 548.9, -21.1, 550.1, 630.2, 500.8, 78.8, 889.2, 638.8, 430.8, 530.8, 118.8, 760.8, 649.9,
              420.8, 680.2, 148.8, 580.9, 740.7, 580.7, 580.8, 449.8, 330.9, 620.4, 510.5, 510.6, 118.8, 1502.7,
              910.2, 408.5, 499.9, 510.2, 720.8, 558.6, 890.8, 590.3, 660.8, 420.8, 690.4, 650.1, 459.6, 708.7,
              440.9, 600, 1070.5, 860.2, 670.5, 330.5, 590.2, 499.8, 480.8, 590, 579.9, 620.1, 1522.7, 860.4,
              1912.7, 860.2, 1170.7, 770.7, 1040.8, 1490.8, 1009.8, 990.4, 2142.7, 1340.1, 1048.5, 1610.6, 1608.8,
              1088.8, 1520.4, 2242.7, 2452.7, 1140.5, 1430.8, 2612.7, 1340.8, 1650.4, 1740.9, 1770.4, 1820.6,
              1530.6, 1760.1, 1380.9, 1710.7, 1460.6, 3090.2, 1860.6, 2440.9, 1750.9, 5002.2, 3472.7, 3049.3,
              4412.7, 5000.7, 3620.2, 1870.8, 3710.3, 5001.1, 3700.6
    ]
    d = fd.diagnose({"reward": reward})
    assert d.top.code == "still_improving" and "rising" in d.top.message
    # the same climb falling back to a third of its best for its last 20 episodes: turned
    turned = reward[:80] + [v / 3 for v in reward[80:]]
    assert "still_improving" not in fd.diagnose({"reward": turned}).codes


def test_a_reward_that_climbed_then_lost_its_gain_is_diverging():
    """A PPO agent's mean reward every 10k steps: 2853 -> 7174 at 150k, then back to about 3100
    for its last 40k steps, more than all it had gained. Read before as no verdict (a score
    falling is no "loss that grows" by the ratios a loss is judged by)."""
    reward = [2853, 3884, 4347, 5075, 4918, 4497, 4530, 5285, 5904, 6210, 6486, 6652, 6911, 7020, 7174,
              6810, 5120, 4047, 4710, 5300, 5840, 6120, 6330, 6480, 6610, 6745, 2865, 3176, 3088, 3151]
    d = fd.diagnose({"reward": [float(v) for v in reward]})
    assert d.top.code == "diverging" and d.top.message.startswith("reward fell from its best 7174")
    # a dip to 80% of the best is no collapse
    dip = reward[:26] + [5900.0, 5800.0, 5950.0, 5850.0]
    assert "diverging" not in fd.diagnose({"reward": [float(v) for v in dip]}).codes


def test_a_validation_held_at_one_level_while_train_fell_less_than_a_tenth_is_val_not_improving():
    """A boosting run's train l2 fell 7.8% over 77 rounds while its val l2 held 0.001883-0.001887
    at every one: it read "no verdict, and not healthy" (validation never moved) because train
    fell less than the tenth of its level the rule asks where validation wobbles. Beside a
    validation frozen at every evaluation, a train fall beyond its noise is what never reached
    it (labelled val_not_improving). A train loss that did not fall beyond its noise names nothing."""
    r = np.arange(77)
    train = list(0.0022258 - 0.000173 * (1 - np.exp(-r / 40)))
    val = list(0.0018855 - 0.0000025 * np.exp(-((r - 27) / 15) ** 2) + 0.0000017 * (r / 76) ** 3)
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "val_not_improving", d.codes
    assert d.top.message.startswith("loss fell 0.002226 -> 0.002079 while val_loss never improved"), d.top.message
    flat = list(0.0022 + 1e-7 * np.sin(r))
    assert "val_not_improving" not in fd.diagnose({"loss": flat, "val_loss": val}).codes


def test_a_score_that_jumped_to_its_ceiling_and_stayed_there_is_not_lr_too_high():
    """A self-play agent's reward 0.03 at its first evaluation, then 1.0 at each of the seven
    after it: the jump itself inflated the short curve's noise, and it read lr_too_high ("then
    got noisy"), a code its labeller ruled out. The stretch after the drop must scatter itself.
    A loss that dropped as fast and then jumps by a third of its fall still reads lr_too_high."""
    d = fd.diagnose({"reward_p0": [0.03, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]})
    assert "lr_too_high" not in d.codes and d.codes == ["healthy"], d.codes
    jumpy = [2.0, 0.5, 0.9, 0.45, 0.95, 0.5, 0.85, 0.4, 0.9, 0.5, 0.95, 0.45]
    assert "lr_too_high" in fd.diagnose({"loss": jumpy}).codes


def _heavy_tailed_batches(level, seed=0):
    """Minibatch losses logged every 100 steps: lognormal scatter as wide as the level itself,
    and one batch in thirty blown up a thousandfold."""
    rng = np.random.default_rng(seed)
    level = np.asarray(level, dtype=float)
    y = level * rng.lognormal(0.0, 1.0, level.size)
    y[rng.random(level.size) < 1 / 30] *= 1000.0
    h = fd.RunHistory()
    h.add("loss", np.arange(level.size) * 100.0, y, axis="step")
    return h


def test_a_minibatch_loss_whose_typical_level_climbs_through_its_blow_ups_is_diverging():
    """A visual-odometry CNN: per-batch losses scattered from 1 to 2.4e5, their median 25 over
    the first fifth of the run and 97 over the last. No single point rises beyond the scatter,
    so only medians over many points show that the level climbed."""
    n = 450
    level = np.concatenate([np.linspace(30, 15, n // 5), np.linspace(15, 100, n - n // 5)])
    d = fd.diagnose(_heavy_tailed_batches(level))
    assert d.top.code == "diverging" and "typical level grows" in d.top.message
    assert d.top.evidence["end"] > 2 * d.top.evidence["start"]
    # the same scatter on a level that falls, or holds, never reads as a level that grew
    for seed in range(8):
        for level in (np.linspace(40, 15, n), np.full(n, 30.0)):
            found = fd.diagnose(_heavy_tailed_batches(level, seed=seed)).findings
            assert not any(f.code == "diverging" and f.evidence.get("typical_level") for f in found)


def test_a_blow_up_is_judged_against_the_scatter_of_the_points():
    """Minibatch losses with lognormal scatter as wide as their level: the top of the smoothed
    curve is twice the first point by chance alone, and read as a blow-up it was a false alarm
    on a flat run."""
    rng = np.random.default_rng(0)
    h = fd.RunHistory()
    h.add("loss", np.arange(450) * 100.0, 30.0 * rng.lognormal(0.0, 1.0, 450), axis="step")
    assert "diverging" not in fd.diagnose(h).codes


def test_a_rising_scores_evidence_is_on_the_scale_the_log_has_it():
    """A mAP still rising at the end: its evidence rose too (it read 'slope -0.0017, trend_z
    -2.9, tail_drop 0.023' beside a message saying it rose)."""
    x = np.arange(50)
    d = fd.diagnose({"map50_95": noisy(0.3 - 0.25 * np.exp(-x / 30), 0.003, 4)})
    f = next(f for f in d.findings if f.code == "still_improving")
    assert "rising" in f.message
    assert f.evidence["slope"] > 0 and f.evidence["trend_z"] > 0
    assert f.evidence["tail_gain"] > 0 and "tail_drop" not in f.evidence


def test_a_model_at_its_prior_is_not_also_overfitting():
    """8 balanced classes: loss at ln 8 throughout, val accuracy 0.30 at one early epoch, then
    back to 0.09. The model learned nothing a validation curve could lose; 'overfitting' beside
    'chance_level' contradicted it (LABELS.md: a practitioner forbids it)."""
    rng = np.random.default_rng(2)
    n = 20
    loss = list(2.16 - 0.0005 * np.arange(n) + rng.normal(0, 0.004, n))
    val_acc = [0.12, 0.30, 0.22, 0.15] + list(0.1 + rng.normal(0, 0.01, n - 4))
    d = fd.diagnose({"loss": loss, "accuracy": list(0.125 + rng.normal(0, 0.01, n)), "val_accuracy": val_acc})
    assert d.top.code == "chance_level" and "overfitting" not in d.codes


def test_a_val_loss_worse_at_each_of_six_epochs_after_its_best_while_train_fell_is_overfitting():
    """A movie-rating regressor: val 0.7357 at epoch 4, then higher at each of the 6 epochs after
    it to 0.7695 (+4.6%) while train fell at each, 0.709 -> 0.564. Its labeller called it
    overfitting with high confidence; it read healthy, the rise under a tenth of the drop and
    of the best. Six steps up in a row come by chance 1 time in 5,040. A climb of under 2.5%
    names nothing; one broken by a step down, or with a train loss that rose at a step, is no
    such run of steps and makes no such claim (each is still a rise under way at the end, all of
    it above the best beyond noise: overfitting by that witness, told as a rise)."""
    train = [1.3943, 1.1133, 0.8075, 0.7090, 0.6800, 0.6550, 0.6300, 0.6050, 0.5800, 0.5635]
    val = [1.0736, 0.8281, 0.7494, 0.7357, 0.7358, 0.7396, 0.7448, 0.7500, 0.7595, 0.7695]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "overfitting", d.codes
    assert "then worse at each of the 6 epochs after it (0.7695 at the last, +5%" in d.top.message
    assert "1 time in 5,040" in d.top.message
    small = val[:4] + [0.7358, 0.7370, 0.7380, 0.7400, 0.7420, 0.7440]  # +1.1%
    broken = val[:4] + [0.7358, 0.7396, 0.7448, 0.7440, 0.7595, 0.7695]
    train_up = train[:7] + [0.6400, 0.5800, 0.5635]
    assert "overfitting" not in fd.diagnose({"loss": train, "val_loss": small}).codes
    for t, v in ((train, broken), (train_up, val)):
        d = fd.diagnose({"loss": t, "val_loss": v})
        assert d.top.code == "overfitting" and "1 time in" not in d.top.message, (t, v, d.top.message)
        assert d.top.message.startswith("val_loss best 0.7357 at epoch 3, then +0.0338 (+5%)"), d.top.message


def test_a_rise_of_a_few_percent_still_under_way_at_the_end_beyond_noise_is_overfitting():
    """A CT report generator's val loss: best 0.7084 at epoch 34 of 40, then 0.7106, 0.7088,
    0.7218, 0.7235, 0.7385 while train kept falling 0.386 -> 0.331. Its labeller called it
    overfitting: three rises in a row at the end, each far above the epoch-to-epoch change of
    about 0.003. It read healthy: the rise, +4%, is under a tenth of the best and of the drop.
    A rise still under way at the end needs only 2% of the best; a 1% creep stays quiet, and so
    does the same tail ending on a step down (no longer rising at the end)."""
    train = list(np.linspace(3.85, 0.386, 34)) + [0.38, 0.372, 0.365, 0.355, 0.342, 0.3306]
    head = list(np.linspace(1.96, 0.74, 30)) + [0.7300, 0.7210, 0.7150, 0.7120]
    val = head + [0.7084, 0.7106, 0.7088, 0.7218, 0.7235, 0.7385]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "overfitting", d.codes
    assert d.top.message.startswith("val_loss best 0.7084 at epoch 34, then +0.0301 (+4%)"), d.top.message
    creep = head + [0.7084, 0.7106, 0.7088, 0.7110, 0.7135, 0.7150]
    turned = head + [0.7084, 0.7106, 0.7088, 0.7218, 0.7385, 0.7235]
    for v in (creep, turned):
        assert "overfitting" not in fd.diagnose({"loss": train, "val_loss": v}).codes, v


def test_a_short_curve_whose_last_step_did_not_improve_is_not_still_improving():
    """A fraud classifier retrained over 4 rounds of augmentation: F1 0.8304, 0.8372, 0.8439,
    0.8439, the last round repeating the one before. It read "still rising: trend z=+4.2" off
    a three-point tail; its labeller called it converged. A handful of points has no tail trend
    worth the name: the last step is the witness. One more step up is still improving."""
    assert "still_improving" not in fd.diagnose({"f1": [0.8304, 0.8372, 0.8439, 0.8439]}).codes
    assert fd.diagnose({"f1": [0.8304, 0.8372, 0.8439, 0.8506]}).top.code == "still_improving"
    assert "still_improving" not in fd.diagnose({"loss": [0.9, 0.7, 0.6, 0.55, 0.52, 0.5, 0.5]}).codes
    assert fd.diagnose({"loss": [0.9, 0.7, 0.6, 0.55, 0.52, 0.5, 0.48]}).top.code == "still_improving"


def test_a_short_run_whose_val_loss_doubled_stepwise_while_train_ended_lower_is_overfitting():
    """The last of four runs appended to a malaria CNN's CSVLogger file: val 0.234, 5.07, 0.192,
    0.182 (best), then 0.264, 0.790, 1.109, while train went 0.077, 0.094, 0.080, 0.058 over
    those epochs. Train did not fall at each, so the short-run turn stayed silent ("not
    healthy", no fault); its labeller called it overfitting. A val loss worse at each step to
    6x its best while train ended below its level at the best is no run that simply got worse.
    A train loss that ended above its level at the best is no memorising."""
    train = [0.0922, 0.0940, 0.0897, 0.0765, 0.0935, 0.0798, 0.0578]
    val = [0.2342, 5.0706, 0.1920, 0.1819, 0.2635, 0.7903, 1.1090]
    acc = [0.939, 0.7608, 0.9514, 0.9426, 0.9016, 0.9506, 0.9368]
    val_auc = [0.9767, 0.8584, 0.9788, 0.982, 0.9792, 0.9814, 0.9776]  # the log's own: it learned
    d = fd.diagnose({"loss": train, "val_loss": val, "val_accuracy": acc, "val_auc": val_auc})
    assert d.top.code == "overfitting", d.codes
    assert "while loss ended below its level at the best (0.0765 -> 0.0578)" in d.top.message
    train_up = train[:6] + [0.0900]
    assert "overfitting" not in fd.diagnose({"loss": train_up, "val_loss": val, "val_accuracy": acc,
                                             "val_auc": val_auc}).codes


def test_a_val_curve_the_log_says_early_stopping_ended_is_not_still_improving(tmp_path):
    """A tabular gating net logged every 20 epochs: val loss 0.4380, 0.4080, 0.3925, 0.3828,
    then "Early stopping at epoch 90". The four points still fall, but the trainer watched
    every epoch and stopped after its patience without a better one; it read still_improving,
    its labeller healthy. The same log without the message is still improving."""
    rows = [(20, 0.4954, 0.4380, 0.8400), (40, 0.4540, 0.4080, 0.8671), (60, 0.4263, 0.3925, 0.8829),
            (80, 0.3981, 0.3828, 0.8871)]
    prefix = "2026-02-13 15:03:06,467 - gating.components - INFO - "
    lines = [f"{prefix}Epoch {e}/200: train_loss={t:.4f}, val_loss={v:.4f}, val_acc={a:.4f}" for e, t, v, a in rows]
    stopped = tmp_path / "training.log"
    stopped.write_text("\n".join(lines + [f"{prefix}Early stopping at epoch 90",
                                          f"{prefix}Gating network training complete. Best validation loss: 0.3828"]) + "\n")
    assert "still_improving" not in fd.diagnose(fd.read_runs(str(stopped))[0]).codes
    going = tmp_path / "going.log"
    going.write_text("\n".join(lines) + "\n")
    assert fd.diagnose(fd.read_runs(str(going))[0]).top.code == "still_improving"


def test_a_trainer_told_to_stop_at_its_planned_end_was_not_stopped_early(tmp_path):
    """The Hugging Face Trainer sets TrainerControl's should_training_stop both when early
    stopping fires and when global_step reaches max_steps. Read as early stopping at the plan's
    end, a Whisper fine-tune whose val loss still fell at each evaluation (0.2278 -> 0.2091)
    lost its still_improving. At step 1000 of 4500 with the flag set, it was stopped early."""
    import json

    evals = [0.50 - 0.3 * (1 - math.exp(-i / 6)) for i in range(1, 11)]
    for step, planned, stopped_early in ((1000, 1000, False), (1000, 4500, True)):
        path = _trainer_state(tmp_path / f"{planned}", evals, global_step=step, max_steps=planned)
        state = json.loads(path.read_text())
        state["stateful_callbacks"] = {"TrainerControl": {"args": {"should_training_stop": True}, "attributes": {}}}
        path.write_text(json.dumps(state))
        run = fd.read_runs(str(path))[0]
        assert bool(run.meta.get("early_stopped")) is stopped_early
        assert ("still_improving" in fd.diagnose(run).codes) is not stopped_early


def test_a_train_loss_held_where_it_memorised_still_counts_as_falling_at_each_evaluation():
    """A BERT classifier's 3 epochs: val 4.643, 4.947, 5.036 while train went 0.0189, 0.0001,
    0.0001 (the log's 4 decimals can show no lower). Train "did not fall at each" so nothing was
    named; its labeller called it val_not_improving or overfitting. Held at 1% of where it was,
    train has memorised its data; held at 0.4 it has not."""
    val = [4.6429, 4.9465, 5.0356]
    d = fd.diagnose({"loss": [0.0189, 0.0001, 0.0001], "val_loss": val})
    assert d.top.code == "overfitting", d.codes
    assert "while loss fell to 0.0001 and held there (memorised)" in d.top.message
    assert "overfitting" not in fd.diagnose({"loss": [0.5, 0.4, 0.4], "val_loss": val}).codes


def test_a_short_runs_val_whose_steps_shrink_slowly_is_still_on_its_way_not_landing():
    """A 10-epoch translation model: val loss 10.01 -> 9.605, a new best at every epoch, its
    steps shrinking by only a tenth each (0.0233, 0.0207, 0.0189). It had read "fell and
    settled"; at that pace it has about 0.15 left to gain after a 0.41 fall, so it was stopped on
    its way down. Steps that shrink by half each (0.2511, 0.2493, 0.2486, 0.2482) land within a
    few epochs and stay healthy."""
    val = [10.0123, 9.9339, 9.8364, 9.7716, 9.7280, 9.6950, 9.6680, 9.6447, 9.6240, 9.6051]
    train = [10.0363, 9.9872, 9.9043, 9.8295, 9.7805, 9.7442, 9.7149, 9.6898, 9.6676, 9.6474]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert d.top.code == "still_improving", d.codes
    assert "healthy" not in d.codes
    landing = [10.0123, 9.9339, 9.8364, 9.7716, 9.7280, 9.6950, 9.6680, 9.6580, 9.6530, 9.6505]
    assert "still_improving" not in codes({"loss": train, "val_loss": landing})



def test_a_noisy_fall_whose_last_stretch_is_flat_is_not_still_improving():
    """A prototype classifier restarted from scratch eight times, then trained on: val loss
    4.5 -> 3.43, then 3.4272 ... 3.4259 for its last nine epochs. Its last half trends down far
    beyond its noise (the restarts), and its best is its last point by 0.0001, so it had read
    'still falling through its noise'. Its last stretch moves by 0.03% of its level and of its
    progress: it has stopped."""
    val = [4.512, 4.322, 4.269, 4.481, 4.315, 4.250, 4.191, 4.153, 4.423, 4.285, 4.221, 4.197, 4.145, 4.117, 4.491, 4.296, 4.239, 4.163, 4.194, 4.438, 4.292, 4.235, 4.166, 4.141, 4.452, 4.287, 4.186, 4.195, 4.129, 4.645, 4.465, 4.339, 4.299, 4.748, 4.480, 4.361, 4.190, 4.995, 4.553, 4.332, 4.220, 4.141, 3.669, 3.610, 3.575, 3.564, 3.544, 3.454, 3.452, 3.444, 3.440, 3.432,
           3.4272, 3.4268, 3.4266, 3.4264, 3.4263, 3.4262, 3.4261, 3.4260, 3.4259]
    train = [4.840, 4.380, 4.269, 4.829, 4.359, 4.248, 4.191, 4.144, 4.800, 4.318, 4.222, 4.174, 4.124, 4.089, 4.821, 4.368, 4.242, 4.169, 4.129, 4.818, 4.353, 4.241, 4.171, 4.126, 4.812, 4.328, 4.224, 4.166, 4.133, 4.935, 4.525, 4.381, 4.279, 4.959, 4.571, 4.373, 4.263, 5.042, 4.632, 4.400, 4.247, 4.135, 3.618, 3.473, 3.413, 3.370, 3.334, 3.224, 3.193, 3.177, 3.163, 3.153,
             3.1380, 3.1330, 3.1300, 3.1280, 3.1260, 3.1222, 3.1221, 3.1220, 3.1219]
    d = fd.diagnose({"loss": train, "val_loss": val})
    assert "still_improving" not in d.codes, d.top.message
    still = val[:52] + [3.41, 3.38, 3.35, 3.32, 3.29, 3.26, 3.23, 3.20, 3.17]
    assert fd.diagnose({"loss": [v - 0.3 for v in still], "val_loss": still}).top.code == "still_improving"


def test_a_console_run_cut_short_whose_noisy_batch_loss_still_falls_is_still_improving(tmp_path):
    """A detector logged every 10 of 354 batches, '[Epoch: 3/7][Iter: 330/354]..[losses: 7.34]'
    at its last line: 106 points, its tail falling far beyond noise, its lowest (7.33) five
    points before the end. It read "fell and settled" because the best had to be one of the
    last three points; on a curve this long, one noisy batch is no stop. Finished (7/7), the
    same curve is not called cut short."""
    rng = np.random.default_rng(3)

    losses = [7.0 + 12.6 * math.exp(-i / 30) + float(rng.normal(0, 0.12)) for i in range(106)]
    losses[-5] = min(losses) - 0.05  # the lowest batch five points before the last
    losses[-4:] = [losses[-5] + d for d in (0.25, 0.1, 0.15, 0.02)]

    def lines(total: int) -> list[str]:
        out = []
        for i, loss in enumerate(losses):
            epoch, it = 1 + (i * 10) // 354, (i * 10) % 354
            out.append(f"[Epoch: {epoch}/{total}][Iter: {it}/354][lr: 0.000050][losses: {loss:.2f}][time: 9.83]")
        return out

    cut = tmp_path / "cut.log"
    cut.write_text("\n".join(lines(7)) + "\n")
    d = fd.diagnose(fd.read(cut))
    assert d.top.code == "still_improving", d.codes
    assert "epoch 3 of the 7 planned" in d.top.message
    done = tmp_path / "done.log"
    done.write_text("\n".join(lines(3)) + "\n")
    assert "planned" not in fd.diagnose(fd.read(done)).top.message


def test_a_long_noisy_climb_after_the_last_lr_cut_is_overfitting():
    """A ResNet on Fashion-MNIST: after its last lr cut val loss bottoms at 0.141, then climbs
    through its noise to about 0.159 over the last quarter of 300 epochs (+13% at the last, far
    beyond its noise, never worse at each step) while train falls 0.117 -> 0.083. It read
    "fell and settled": the rise is under a tenth of the best and of the drop, the size bars of
    a rise judged against noise alone. The same curve flat after its best stays healthy."""
    rng = np.random.default_rng(5)
    n = 300
    train = np.r_[0.30 - 0.0001 * np.arange(225), 0.117 - 0.00045 * np.arange(75)] + rng.normal(0, 0.0015, n)
    head = 0.30 + 0.05 * np.abs(np.sin(np.arange(225))) + rng.normal(0, 0.02, 225)
    climb = 0.1415 + 0.00025 * np.arange(75) + rng.normal(0, 0.0015, 75)
    d = fd.diagnose({"loss": list(train), "val_loss": list(np.r_[head, climb])})
    assert d.top.code == "overfitting", d.codes
    assert "then climbing for the" in d.top.message
    flat = 0.1415 + rng.normal(0, 0.0015, 75)
    assert "overfitting" not in fd.diagnose({"loss": list(train), "val_loss": list(np.r_[head, flat])}).codes


def test_a_tail_still_falling_while_the_lr_is_partway_down_its_schedule_is_still_improving():
    """A language model's val loss 10.9 -> 4.8, still falling beyond noise over its last
    evaluations but by a few percent of its fall, its last three too noisy to show a slope of
    their own: at a constant lr that reads as levelled off (healthy). With the lr partway down a
    cosine (50% of its peak, lower at each evaluation) the schedule had its way to go: a GPT
    pretraining log stopped at lr 2.9e-4 of 6e-4 had read healthy."""
    n = np.arange(32)
    rng = np.random.default_rng(0)
    val = list(3.5 + 7.4 * (1 + n) ** -0.8 + rng.normal(0, 0.02, 32))
    tr = list(3.53 + 7.4 * (1 + n) ** -0.8 + rng.normal(0, 0.02, 32))
    half_cosine = list(6e-4 * 0.5 * (1 + np.cos(np.pi * n / 62)))
    d = fd.diagnose({"loss": tr, "val_loss": val, "lr": half_cosine})
    assert d.codes[0] == "still_improving"
    assert "the lr was still decaying (50% of its peak at the last)" in d.findings[0].message
    assert fd.diagnose({"loss": tr, "val_loss": val, "lr": [6e-4] * 32}).codes == ["healthy"]
    stepped = [6e-4] * 16 + [3e-4] * 16  # a step schedule holding its level: no decay under way
    assert fd.diagnose({"loss": tr, "val_loss": val, "lr": stepped}).codes == ["healthy"]


def test_swings_after_an_opening_blow_up_are_judged_without_it():
    """A diffusion model's train loss opens at 50598 and 505, then lives between 3 and 500,
    swinging by its own level from epoch to epoch to the end (3.83 -> 13.9, 9.36 -> 60.5, 3.03
    -> 59.3 -> 4.13; practitioner label: oscillating). Against the opening's range every later
    swing looked small and the run read healthy. Opening evaluations more than 10x the median
    of all after them are the start and are set aside, saying so. The same run calm after its
    opening is still not oscillating."""
    rng = np.random.default_rng(5)
    tail = np.exp(np.log(12.0) - 0.02 * np.arange(48) + 1.1 * rng.standard_normal(48))
    loss = [50598.1, 504.75] + list(tail)
    d = fd.diagnose({"loss": loss})
    osc = [f for f in d.findings if f.code == "oscillating"]
    assert osc and osc[0].severity == "warning"
    assert "after its first 2 epochs (5.06e+04, 504.8), set aside as the start" in osc[0].message
    calm = [50598.1, 504.75] + list(12.0 * np.exp(-0.03 * np.arange(48)) * (1 + 0.02 * rng.standard_normal(48)))
    assert "oscillating" not in fd.diagnose({"loss": calm}).codes
