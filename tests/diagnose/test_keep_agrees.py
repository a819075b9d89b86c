"""The verdict and the 'keep' advice never leave the user to reconcile them: the keep says
which curve it is judged on, and when val_loss says otherwise, one sentence says why."""

import numpy as np

import fitdoctor as fd

X = np.arange(30)


def _run(metric_for_best_model=None, val_loss_rises=True):
    val_loss = 0.3 + (0.01 * np.maximum(X - 5, 0) if val_loss_rises else 0.2 * np.exp(-X / 4)) + 0.002 * np.sin(X)
    h = fd.RunHistory.from_dict({
        "loss": list(1 / (1 + X)), "val_loss": list(val_loss),
        "accuracy": list(np.minimum(0.99, 0.6 + 0.02 * X)),
        "val_accuracy": list(np.minimum(0.88, 0.6 + 0.05 * X) + 0.001 * np.sin(3 * X))})
    h.meta["format"] = "huggingface"
    if metric_for_best_model:
        h.meta["metric_for_best_model"] = metric_for_best_model
    return fd.diagnose(h)


def test_overfitting_on_val_loss_beside_a_keep_on_val_accuracy_explains_itself():
    d = _run("accuracy")
    assert "overfitting" in d.codes
    keep = d.summary["keep"]
    assert keep.startswith("judged on val_accuracy (the run's metric_for_best_model): the last epoch is as good")
    assert "Judged on val_loss instead, the last epoch is worse (0.5" in keep
    assert "more confident in the answers it gets wrong" in keep
    assert keep.count(". ") == 1  # the explanation is one sentence
    assert d.summary["keep_judged_on"] == "val_accuracy" and d.summary["keep_disagrees_with"] == "val_loss"


def test_keep_on_val_loss_agrees_with_the_overfitting_finding():
    d = _run()
    assert "overfitting" in d.codes
    assert d.summary["keep"].startswith("keep the weights from epoch 5 (val_loss 0.29")
    assert "instead" not in d.summary["keep"]


def test_no_disagreement_no_extra_sentence():
    d = _run("accuracy", val_loss_rises=False)
    assert "Judged on val_loss instead" not in d.summary["keep"]
    assert "keep_disagrees_with" not in d.summary


def test_a_long_run_is_quoted_in_the_logs_own_numbers_not_its_bins():
    """A 500-epoch curve is binned (medians) for the rules' tests; the finding and the keep
    advice still quote the logged best, its epoch and the logged last, which the user can find."""
    x = np.arange(1, 501)
    rng = np.random.default_rng(0)
    val = np.where(x < 251, 1.9 - 1.5 * x / 250, 0.28 + 0.0003 * (x - 251)) + 0.004 * rng.standard_normal(500)
    val[250] = 0.2677  # epoch 251, alone at the bottom of its bin
    val[-1] = 0.4321
    h = fd.RunHistory.from_dict({"loss": list(2.0 / x), "val_loss": list(val)})
    d = fd.diagnose(h)
    f = next(f for f in d.findings if f.code == "overfitting")
    assert f.message.startswith("val_loss best 0.2677 at epoch 250,")  # from_dict counts epochs from 0
    assert "0.4321 at the last" in f.message
    assert f.evidence["val_min"] == 0.2677 and f.evidence["best_at"] == 250
    assert d.summary["best_value"] == 0.2677 and d.summary["last_value"] == 0.4321
    assert d.summary["keep"].startswith("keep the weights from epoch 250 (val_loss 0.2677); "
                                        "the last epoch is worse (0.4321)")


def test_keep_judges_a_fall_after_the_best_against_the_noise_overfitting_uses():
    """A dev BLEU climbing steeply, best 8.63 at epoch 12, then 7.45-7.89: the climb inflates the
    whole curve's noise (0.41), the stretch after the best has its own (0.24). Overfitting says
    the fall is beyond noise; the keep advice must say the same, not 'as good as the best'."""
    bleu = [0.01, 0.27, 1.43, 2.97, 5.11, 5.16, 7.03, 7.65, 6.72, 7.79, 8.54, 8.63, 8.18, 7.45, 7.71, 7.89,
            7.57, 7.56]
    loss = list(8.8 * 0.92 ** np.arange(18))
    d = fd.diagnose(fd.RunHistory.from_dict({"loss": loss, "val_bleu": bleu}))
    assert "overfitting" in d.codes
    assert d.summary["keep"].startswith("keep the weights from epoch 11 (val_bleu 8.63")
    assert d.summary["last_worse_than_best_beyond_noise"] is True


def test_a_healthy_verdict_says_so_when_the_last_epoch_is_worse_than_the_best():
    """A rise after the best too small to call overfitting (+3% of the best, no steady climb:
    one step down on the way, and it is not rising at the end either) is still beyond the
    noise: the healthy message names it as the keep line does, instead of "fell and settled"
    above "keep the weights from epoch 12"."""
    n = np.arange(20)
    val = [2 * np.exp(-i / 3) + 1.0 if i < 12 else 1.0 + 2 * np.exp(-4) + 0.005 * (i - 11) - 0.006 * (i in (16, 19))
           for i in n]
    d = fd.diagnose({"loss": list(2 * np.exp(-n / 4) + 0.3), "val_loss": val})
    assert d.codes == ["healthy"]
    assert d.summary["keep"].startswith("keep the weights from epoch 12 (val_loss 1.042)")
    msg = d.findings[0].message
    assert msg.startswith("fell and settled: ")
    assert msg.endswith("but val_loss ended worse than its best beyond its noise (1.042 at epoch 12, 1.071 at "
                        "the last, +3%): keep the best checkpoint (below)")
    assert d.findings[0].evidence["last_worse_than_best"] is True


def test_a_run_whose_last_epoch_is_materially_worse_than_its_best_is_not_called_healthy(tmp_path):
    """No rule faults it, but the last val loss is 5% above its best beyond the noise: keeping
    the best checkpoint is a change to make, so no `healthy` finding (LABELS.md: healthy is
    "nothing a practitioner would change"); the terminal, Markdown and HTML say why instead of
    "no findings". Restored by early stopping, the same curve is healthy: the change was made."""
    from fitdoctor.report.html import verdict_html
    from fitdoctor.report.markdown import run_markdown

    # no steady climb, and not rising at the end (a step down on the way and at the last
    # epoch): either would be overfitting
    n = np.arange(20)
    val = [2 * np.exp(-i / 3) + 1.0 if i < 12 else 1.0 + 2 * np.exp(-4) + 0.009 * (i - 11) - 0.01 * (i in (16, 19))
           for i in n]
    run = {"loss": list(2 * np.exp(-n / 4) + 0.3), "val_loss": val}
    d = fd.diagnose(run)
    assert d.codes == [] and d.summary["keep"].startswith("keep the weights from epoch 12")
    assert d.summary["unnamed"].startswith("no fault named, but not healthy")
    assert "not healthy" in verdict_html(d, 0) and "not healthy" in run_markdown(d)
    h = fd.RunHistory.from_dict(run)
    h.meta["restored_best"] = {"monitor": "val_loss", "at": 12, "value": val[12]}
    assert fd.diagnose(h).codes == ["healthy"]


def test_a_healthy_run_as_good_at_the_end_as_its_best_says_nothing_more():
    n = np.arange(20)
    d = fd.diagnose({"loss": list(2 * np.exp(-n / 4) + 0.3), "val_loss": list(2 * np.exp(-n / 3) + 1.0)})
    assert d.codes == ["healthy"] and "worse than its best" not in d.findings[0].message


def test_a_run_whose_curves_never_moved_gets_no_verdict_rather_than_a_clean_bill():
    """A spiking net's log prints `loss=0.0000` at every epoch (never computed): no rule and no
    `healthy` can speak, and the output says so instead of a green "no findings"."""
    from fitdoctor.report.terminal import render_diagnosis
    from rich.console import Console

    d = fd.diagnose({"loss": [0.0] * 12, "val_loss": [0.0] * 12})
    assert d.codes == [] and d.summary["unnamed"].startswith("no verdict: no curve read here (loss, val_loss)")
    console = Console(width=80, record=True)
    console.print(render_diagnosis(d))
    text = console.export_text()
    assert "no verdict" in text and "no findings" not in text
    live = fd.diagnose({"loss": [0.0] * 12, "val_loss": [0.0] * 12}, partial=True)
    assert "unnamed" not in live.summary  # mid-training, "nothing yet" is no news


def test_a_short_run_whose_val_loss_climbed_at_each_epoch_since_its_best_is_not_healthy():
    """A 4-epoch Keras CSVLogger: val 0.962, best 0.852, then 0.887 and 0.918 (+7.7%) while train
    fell every epoch. Four points put the noise at 0.045, so the climb read as 'within noise' and
    the run as 'fell and settled'; the order of its points says otherwise: validation turned
    while training kept improving, which is overfitting (a short run's kind)."""
    run = {"loss": [1.2208, 0.9807, 0.8974, 0.8339], "val_loss": [0.9619, 0.8523, 0.8865, 0.9176],
           "accuracy": [0.506, 0.590, 0.641, 0.666], "val_accuracy": [0.598, 0.639, 0.623, 0.630]}
    d = fd.diagnose(run)
    assert "healthy" not in d.codes and d.top.code == "overfitting", d.codes
    assert "keep the weights from epoch 1" in d.summary["keep"]
    assert d.summary["equivalent_band"][1] == 1.0  # the climb after the best is no equivalent
    # train flat through those epochs: no fault to name, but still not a clean bill
    flat = fd.diagnose({**run, "loss": [1.2208, 0.9807, 0.9874, 0.9839]})
    assert "healthy" not in flat.codes and "overfitting" not in flat.codes
    assert "got worse at each evaluation since its best" in flat.summary["unnamed"]


def test_one_rise_after_the_best_on_a_short_run_is_not_a_climb():
    run = {"loss": [1.2208, 0.9807, 0.8974, 0.8339], "val_loss": [0.9619, 0.8523, 0.8365, 0.8476]}
    assert fd.diagnose(run).codes == ["healthy"]


def test_a_validation_score_frozen_at_every_evaluation_is_not_healthy():
    """A segmentation net's val Dice held 0.2581-0.2593 for 11 epochs (an empty mask every time)
    while its train loss drifted 0.726 -> 0.650: 'fell and settled' read as a clean bill. Its
    labeller's primary call is chance_level, val_not_improving equally right first: train fell
    beyond its noise while validation never moved, which is val_not_improving (it had read "no
    verdict, and not healthy" while train fell less than a tenth of its level)."""
    run = {"loss": [0.7256, 0.70, 0.69, 0.685, 0.68, 0.67, 0.668, 0.66, 0.655, 0.6503, 0.6645],
           "val_dice": [0.2593, 0.2585, 0.2581, 0.2590, 0.2588, 0.2584, 0.2586, 0.2589, 0.2583, 0.2585, 0.2589]}
    d = fd.diagnose(run)
    assert "healthy" not in d.codes
    assert d.top.code == "val_not_improving" and "val_dice never improved" in d.top.message, d.codes


def test_a_validation_score_that_moved_a_little_is_judged_as_before():
    run = {"loss": [0.7256, 0.70, 0.69, 0.685, 0.68, 0.67, 0.668, 0.66, 0.655, 0.6503, 0.6445],
           "val_dice": [0.70, 0.74, 0.77, 0.79, 0.80, 0.805, 0.81, 0.812, 0.813, 0.813, 0.814]}
    assert "validation never moved" not in (fd.diagnose(run).summary.get("unnamed") or "")


def test_a_roc_auc_far_from_a_half_says_validation_improved_before_it_was_logged():
    """A SETI classifier's last fold: val loss 0.0735, 0.0698, 0.0694, then 0.0823 and 0.0868,
    its ROC-AUC 0.97 from the first evaluation (a model that learned in its first epoch). It read
    val_not_improving ('labels the model cannot learn'); the climb after the best is the news."""
    run = {"loss": [0.1227, 0.0665, 0.0503, 0.0382, 0.0291], "val_loss": [0.0735, 0.0698, 0.0694, 0.0823, 0.0868],
           "roc_auc_score": [0.9691, 0.9675, 0.9731, 0.9667, 0.9568]}
    d = fd.diagnose(run)
    assert "val_not_improving" not in d.codes and "healthy" not in d.codes, d.codes
    assert "keep the weights from epoch 2" in d.summary["keep"]  # (counted from 0)


def test_a_val_score_whose_name_does_not_say_which_way_is_better_is_never_judged_either_way():
    """A train loss beside one validation column called ``val_thing`` that rose 0.55 -> 0.90:
    nothing says whether that is better or worse. It was judged as a loss: "keep the weights
    from epoch 1, the last is worse" and, with a val_thing that fell instead, "fell and settled
    ... overfitting judged on val_thing". Neither the verdict nor the keep advice may guess: both
    judge the train loss, and the keep says why."""
    e = np.arange(1, 41)
    loss = list(1.0 * np.exp(-e / 10) + 0.1)
    for vals in (0.5 + 0.4 * (1 - np.exp(-e / 8)), 0.9 - 0.4 * (1 - np.exp(-e / 8))):
        d = fd.diagnose({"loss": loss, "val_thing": list(vals)})
        assert "val_thing" not in d.findings[0].message, d.findings[0].message
        assert d.summary["keep"].startswith(
            "judged on loss (val_thing does not say whether higher or lower is better): the last epoch is as good")
    # a name that says it (val_f1 is better higher) is judged as before: a rise is an improvement
    d = fd.diagnose({"loss": loss, "val_f1": list(0.5 + 0.4 * (1 - np.exp(-e / 8)))})
    assert d.summary["keep_judged_on"] == "val_f1" and "val_f1" in d.findings[0].message


def test_a_train_loss_alone_that_climbed_at_each_report_since_its_best_is_not_healthy():
    """A tiny language model's log of four reports and no validation: loss 16.67, 4.539, 5.079,
    6.036. Its noise, taken over the steep first fall, swallowed the climb, so it read "fell and
    settled" with "the last is as good as the best within noise". The curve the keep is judged on
    got worse at each report since its best, as a short val loss does: not healthy."""
    d = fd.diagnose({"loss": [16.6723, 4.5389, 5.0791, 6.0356]})
    assert "healthy" not in d.codes
    assert d.summary["unnamed"].startswith("no fault named, but not healthy: loss got worse at each evaluation")
    assert d.summary["keep"].startswith("keep the weights from epoch 1 (loss 4.539; no validation curve logged)")
    # the epochs it calls equivalent to the best are not the ones it says got worse at each
    assert d.summary["equivalent_band"] == [1.0, 1.0]
    # one rise at the end is no climb
    assert fd.diagnose({"loss": [16.6723, 4.5389, 4.3, 4.4]}).codes == ["healthy"]


def test_the_keep_line_agrees_with_a_three_evaluation_overfitting_turn():
    """A LoRA fine-tune of 3 epochs: val loss 0.3535, 0.3312, 0.3769 (the last the worst, +14%)
    while train fell 0.4974 -> 0.2883 reads overfitting; the keep line under it said "the last
    epoch is as good as the best within noise", the noise of three points. It keeps the best (epoch 1, counted from 0)
    now and says the last is worse."""
    d = fd.diagnose({"loss": [0.4974, 0.3504, 0.2883], "val_loss": [0.3535, 0.3312, 0.3769]})
    assert d.findings[0].code == "overfitting"
    assert d.summary["keep"].startswith("keep the weights from epoch 1 (val_loss 0.3312); the last epoch is worse")
