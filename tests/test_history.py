import numpy as np
import pytest

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, Series, canonical_name, higher_is_better


@pytest.mark.parametrize("raw,canon", [
    ("loss", "loss"), ("val_loss", "val_loss"), ("acc", "accuracy"), ("val_acc", "val_accuracy"),
    ("accuracy", "accuracy"), ("eval_loss", "val_loss"), ("train_loss", "loss"),
    ("train_loss_epoch", "loss"), ("train_loss_step", "loss_step"), ("train_acc_step", "accuracy_step"), ("validation/epoch_loss", "val_loss"), ("train/epoch_loss", "loss"),
    ("loss/train", "loss"), ("loss/val", "val_loss"), ("Loss/Validation", "val_loss"),
    ("learning_rate", "lr"), ("lr-Adam", "lr"), ("epoch_learning_rate", "lr"),
    ("val_auc", "val_auc"), ("sparse_categorical_accuracy", "accuracy"), ("eval_accuracy", "val_accuracy"),
    ("validation_epoch_average", "val_loss"), ("validation_epoch_average iou", "val_average_iou"),
    ("val_average_precision", "val_average_precision"),
    ("tr_loss", "loss"), ("trn_acc", "accuracy"), ("va_loss", "val_loss"), ("vl_acc", "val_accuracy"),
    ("train_losses", "loss"), ("val_accs", "val_accuracy"), ("val_loss_history", "val_loss"),
    ("loss/train_epoch", "loss"), ("acc/val_epoch", "val_accuracy"), ("loss/val_step", "val_loss_step"),
    ("metrics/val_loss", "val_loss"), ("charts/train_loss", "loss"), ("losses/val", "val_loss"),
])
def test_canonical_names(raw, canon):
    assert canonical_name(raw) == canon


def test_higher_is_better():
    assert higher_is_better("val_accuracy") and higher_is_better("auc")
    assert not higher_is_better("val_loss") and not higher_is_better("mae")


def test_from_dict_keeps_raw_names_and_skips_scalars():
    h = RunHistory.from_dict({"acc": [0.5, 0.6], "val_acc": ["0.5", "NA"], "epochs": 2})
    assert h.names == ["accuracy", "val_accuracy"]
    assert h.series["accuracy"].raw_name == "acc"
    assert np.isnan(h.series["val_accuracy"].values[1])


def test_series_shape_mismatch_is_bad_input():
    with pytest.raises(BadInput):
        Series(np.arange(3), np.arange(4))


def test_series_sorted_by_step():
    s = Series([2, 0, 1], [20, 0, 10])
    assert list(s.steps) == [0, 1, 2] and list(s.values) == [0, 10, 20]


def test_summary_reports_roles():
    h = RunHistory.from_dict({"loss": [1, 0.5], "val_loss": [1, float("nan")], "lr": [0.1, 0.1]})
    rows = {r["name"]: r for r in h.summary()["series"]}
    assert rows["loss"]["role"] == "train loss"
    assert rows["val_loss"]["non_finite"] == 1
    assert rows["lr"]["role"] == "learning rate"


def test_step_log_summarized_per_epoch():
    h = RunHistory(meta={"steps_per_epoch": 10})
    h.add("loss", np.arange(1, 31), np.r_[np.full(10, 1.0), np.full(10, 0.5), np.full(10, 0.25)], axis="step")
    h.add("val_loss", [10, 20, 30], [1.1, 0.6, 0.4], axis="step")
    e = h.per_epoch()
    np.testing.assert_allclose(e.series["loss"].values, [1.0, 0.5, 0.25])
    np.testing.assert_allclose(e.series["val_loss"].steps, [1, 2, 3])
    assert e.axis == "epoch"
    with pytest.raises(BadInput):
        RunHistory().per_epoch()


def test_step_log_aligned_to_its_evaluations():
    """Train loss every step, val every 10 steps: each val point gets the mean train loss of
    the steps since the previous evaluation, and the lr in force when it was taken."""
    steps = np.arange(1, 41)
    h = RunHistory(series={
        "loss": Series(steps, np.arange(40, dtype=float), "train_loss", axis="step"),
        "lr": Series(steps, 0.1 / steps, "learning_rate", axis="step"),
        "val_loss": Series([10, 20, 30, 40], [9.0, 8.0, 7.0, 6.0], "eval_loss", axis="step"),
    })
    a = h.per_evaluation()
    assert list(a.series["loss"].steps) == [10, 20, 30, 40]
    assert list(a.series["loss"].values) == [4.5, 14.5, 24.5, 34.5]
    assert np.allclose(a.series["lr"].values, [0.01, 0.005, 0.1 / 30, 0.0025])
    assert a.series["val_loss"] is h.series["val_loss"]


def test_epoch_log_needs_no_alignment():
    h = RunHistory.from_dict({"loss": [0.7, 0.5, 0.4, 0.35], "val_loss": [0.72, 0.55, 0.5, 0.48]})
    assert h.per_evaluation() is None


def test_scores_are_higher_is_better_unless_their_name_says_error():
    assert higher_is_better("val_score") and higher_is_better("f1_score")
    assert not higher_is_better("brier_score") and not higher_is_better("val_wer")


def test_fractional_epochs_aligned_to_evaluations_stay_on_the_epoch_axis():
    """'Train Epoch: 3 [640/60000]' logs train at fractions of an epoch and test once per epoch:
    the aligned train curve is still counted in epochs, like the val curve beside it."""
    x = np.arange(1, 41) / 10.0
    h = RunHistory(series={"loss": Series(x, 1.0 / x, "Loss", axis="epoch"),
                           "val_loss": Series([1.0, 2.0, 3.0, 4.0], [0.9, 0.5, 0.4, 0.35], "val_loss", axis="epoch")})
    a = h.per_evaluation()
    assert a.series["loss"].axis == "epoch" and list(a.series["loss"].steps) == [1, 2, 3, 4]


@pytest.mark.parametrize("name, higher", [("val_prec", True), ("val_rec", True), ("ndcg@10", True), ("test_psnr", True),
                                          ("hits_at_10", True), ("val_recon", False), ("recon_loss", False),
                                          ("val_loss", False), ("precision", True)])
def test_short_and_ranking_score_names_are_higher_is_better(name, higher):
    """'val_prec' read as a loss made a precision that collapsed from 0.094 to 0.022 look like a
    validation that never improved; 'recon' stays no score."""
    from fitdoctor.history import higher_is_better

    assert higher_is_better(name) is higher


@pytest.mark.parametrize("raw, name", [("TrainLoss", "loss"), ("ValLoss", "val_loss"), ("ValAcc", "val_accuracy"),
                                       ("valloss", "val_loss"), ("trainacc", "accuracy"), ("mAP", "map"),
                                       ("trainset", "trainset"), ("TrLoss", "loss"), ("VaAcc", "val_accuracy"),
                                       ("VAcc", "val_accuracy"), ("VF1", "val_f1"), ("TeLoss", "val_loss"),
                                       ("trace", "trace"), ("vram", "vram"), ("version", "version")])
def test_a_split_glued_to_its_metric_is_read_as_that_split(raw, name):
    """Hand loops print 'TrainLoss' and 'ValAcc' (or 'valloss', or short: 'TrLoss', 'VAcc'): the
    split and the metric, glued; other names that start with a split word stay as they are."""
    assert canonical_name(raw) == name


@pytest.mark.parametrize("raw, name", [("Test_Avg._Loss", "val_loss"), ("avg_loss", "loss"),
                                       ("train_average_acc", "accuracy"), ("mean_absolute_error", "mae"),
                                       ("avg_precision", "avg_precision")])
def test_an_average_of_the_loss_or_accuracy_is_named_as_that_metric(raw, name):
    """'Test Avg. Loss: 0.0529, Accuracy: 0.10' (an AdderNet loop): the test loss was kept as a
    curve of its own named 'val_avg._loss', and the run had no val loss. Only an average of the
    loss or the accuracy is folded: 'mean_absolute_error' and 'avg_precision' are metrics of their own."""
    assert canonical_name(raw) == name


@pytest.mark.parametrize("raw", ["val_MulticlassJaccardIndex", "val_BinaryAUROC", "val_auroc", "val_mean_io_u",
                                 "val_MulticlassMatthewsCorrCoef", "val_MulticlassCohenKappa", "val_specificity",
                                 "val_PearsonCorrCoef", "val_StructuralSimilarityIndexMeasure", "val_prc",
                                 "eval_exact_match", "val_cosine_similarity"])
def test_metric_class_names_are_scores(raw):
    """torchmetrics logs a metric under its class name and tf.keras snake-cases its classes: an
    IoU or AUROC read as a loss made a run's best its first evaluation."""
    assert higher_is_better(canonical_name(raw))


@pytest.mark.parametrize("raw", ["val_MulticlassHammingDistance", "val_jaccard_loss", "val_dice_loss", "val_recon", "val_MAPE"])
def test_distances_and_named_losses_stay_lower_is_better(raw):
    assert not higher_is_better(canonical_name(raw))


@pytest.mark.parametrize("name", ["val_r", "Val r", "spearman_rho", "val_corr", "val_r²"])
def test_a_correlation_is_higher_is_better(name):
    """'Val r: 0.115 -> 0.506' (Pearson's r of a regression) read as a loss made a validation
    that improved at every epoch look as if it never improved."""
    from fitdoctor.history import higher_is_better
    assert higher_is_better(canonical_name(name))


@pytest.mark.parametrize("name", ["val_reward", "val/reward", "ep_rew_mean", "mean_return", "val_si_sdr", "pesq_epoch",
                                  "val_stoi", "val_snr"])
def test_rewards_and_speech_quality_scores_are_higher_is_better(name):
    """An RL policy's reward rising -24.7 -> -23.2 was read as a loss, its best the first epoch."""
    assert higher_is_better(name)


def test_an_evaluation_logged_again_after_training_is_read_once(tmp_path):
    """Hugging Face's ``trainer.evaluate()`` after ``train()`` repeats the last evaluation (same
    step, same numbers): one evaluation, not a flat stretch. A fine-tuned classifier at val
    accuracy 0.99 from its first evaluation read val_not_improving on the repeats."""
    import json

    import fitdoctor as fd

    log = []
    for step, epoch, loss in [(500, 0.4, 0.3741), (1000, 0.8, 0.0621), (1500, 1.2, 0.0366), (2000, 1.6, 0.0247),
                              (2500, 2.0, 0.0244), (3000, 2.4, 0.0073), (3500, 2.8, 0.0144)]:
        log.append({"loss": loss, "learning_rate": 2e-5 * (1 - step / 3750), "epoch": epoch, "step": step})
    evals = [(1250, 1.0, 0.05297, 0.98976), (2500, 2.0, 0.05521, 0.99027), (3750, 3.0, 0.05278, 0.9909)]
    for step, epoch, vl, acc in evals:
        log.append({"eval_loss": vl, "eval_accuracy": acc, "eval_runtime": 140.1, "epoch": epoch, "step": step})
    log.append({"train_runtime": 9000.0, "train_loss": 0.073, "epoch": 3.0, "step": 3750})
    log += [dict(log[-2]), dict(log[-2])]  # the final model evaluated twice more
    path = tmp_path / "log_history.json"
    path.write_text(json.dumps(log, indent=2))
    h = fd.read(str(path))
    h = h[0] if isinstance(h, list) else h
    assert list(h.series["val_loss"].values) == [0.05297, 0.05521, 0.05278]
    assert any("logged again at the same" in n and "read once" in n for n in h.meta["notes"])
    assert [f.code for f in fd.diagnose(h).findings] == ["healthy"]


def test_points_at_one_step_with_different_values_are_all_kept():
    h = RunHistory()
    h.add("val_loss", [1, 2, 2, 3], [0.5, 0.4, 0.41, 0.3])
    assert h.series["val_loss"].values.tolist() == [0.5, 0.4, 0.41, 0.3]
    assert "notes" not in h.meta


def test_an_abbreviations_period_ends_its_word():
    """A script's own table headed ``Training Loss, Accur., Valid. Loss, Valid. Accur.`` had its
    validation read as ``valid._loss``, no validation at all, so a timing column stood in for it."""
    from fitdoctor.history import canonical_name

    assert canonical_name("Valid. Loss") == "val_loss"
    assert canonical_name("Valid. Accur.") == "val_accuracy"
    assert canonical_name("Val. Loss") == "val_loss"
    assert canonical_name("train.loss") == "train.loss"  # a dotted path is not an abbreviation


@pytest.mark.parametrize("raw,name", [("train_loss_nats_per_byte", "loss"), ("validation_loss_nats_per_byte", "val_loss"),
                                      ("loss_per_token", "loss"), ("val_loss_bits_per_char", "val_loss"),
                                      ("loss_weight", "loss_weight"), ("loss_scale", "loss_scale")])
def test_a_loss_named_with_its_unit_is_the_loss(raw, name):
    """A byte-level LM logs 'train_loss_nats_per_byte' and 'validation_loss_nats_per_byte': the
    loss, counted in nats a byte. Read as two unnamed metrics, its run read healthy where its val
    loss set a new best at each of its 9 evaluations. A loss's weight or scale is no loss."""
    assert canonical_name(raw) == name


def test_counters_are_named_counts_that_never_fall_and_rl_points_are_episodes():
    h = RunHistory()
    h.add("episode", [1, 2, 3, 4], [1, 2, 3, 4])
    h.add("frame", [1, 2, 3, 4], [20, 46, 92, 120])
    h.add("reward", [1, 2, 3, 4], [5, 3, 6, 4])
    roles = {r["name"]: r["role"] for r in h.summary()["series"]}
    assert roles == {"episode": "counter", "frame": "counter", "reward": "train metric"}
    assert h.unit == "episode" and h.axis == "epoch"
    h.meta["unit"] = "round"  # a reader that knows better says so
    assert h.unit == "round"
    plain = RunHistory()
    plain.add("loss", [1, 2, 3], [3.0, 2.0, 1.0])
    plain.add("step", [1, 2, 3], [9.0, 5.0, 7.0])  # falls: not a counter
    assert plain.unit == "epoch" and plain.summary()["series"][1]["role"] == "train metric"
