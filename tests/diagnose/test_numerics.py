"""non_finite: what went NaN/inf, and when a NaN is no training failure."""

import json
import math

import fitdoctor as fd


def _fp16_trainer_state(tmp_path, grad_norms):
    """A Trainer log whose losses stay finite: an fp16 run's GradScaler skips the steps whose
    gradients overflowed, and the Trainer logs their norm as NaN (``grad_norm: NaN`` in JSON)."""
    hist = []
    for i, g in enumerate(grad_norms, start=1):
        step = 20 * i
        hist.append({"epoch": step / 2400, "grad_norm": g, "learning_rate": 0.0 if i == 1 else 3e-5,
                     "loss": round(0.8 * math.exp(-i / 12) + 0.09, 4), "step": step})
        if i % 5 == 0:
            hist.append({"epoch": step / 2400, "eval_loss": round(0.37 * math.exp(-i / 15) + 0.07, 4),
                         "eval_accuracy": round(0.86 + 0.11 * (1 - math.exp(-i / 15)), 4), "step": step})
    state = {"global_step": 20 * len(grad_norms), "max_steps": 20 * len(grad_norms), "log_history": hist,
             "logging_steps": 20, "eval_steps": 100}
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps(state).replace('"NAN"', "NaN"))
    return path


def test_a_nan_gradient_norm_that_comes_back_while_the_losses_stay_finite_is_a_loss_scaler_skip(tmp_path):
    norms = ["NAN"] + [1.5 - 0.01 * i for i in range(59)]
    run = fd.read_runs(str(_fp16_trainer_state(tmp_path, norms)))[0]
    d = fd.diagnose(run)
    assert "non_finite" not in d.codes
    assert any("loss scaler" in n for n in run.meta["notes"])


def test_a_gradient_norm_that_stays_nan_to_the_end_is_still_non_finite(tmp_path):
    norms = [1.5 - 0.01 * i for i in range(40)] + ["NAN"] * 20
    d = fd.diagnose(fd.read_runs(str(_fp16_trainer_state(tmp_path, norms)))[0])
    assert d.top.code == "non_finite"
    assert "grad_norm" in d.top.message


def test_a_gan_whose_named_losses_are_nan_is_non_finite(tmp_path):
    """A Lightning GAN that logs train_gen_loss and train_disc_loss (no plain loss): both NaN from
    the second step. Those losses are what it optimises, so it is non_finite (it was called an
    auxiliary metric's NaN "while the losses stayed finite", and the run had no finding)."""
    rows = ["step,epoch,train_disc_loss,train_gen_loss", "0,0,1.6e+24,nan"]
    rows += [f"{s},{s // 4},nan,nan" for s in range(1, 80)]
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join(rows) + "\n")
    d = fd.diagnose(fd.read(path))
    assert d.findings[0].code == "non_finite" and d.findings[0].severity == "error"


def test_a_nan_in_a_named_metric_beside_a_finite_loss_is_still_a_note(tmp_path):
    """With a plain loss logged and finite, a NaN in another series (here a 'recon_loss' probe
    that is undefined at the start) stays a note: the objective trained."""
    rows = ["epoch,loss,val_loss,recon_loss"]
    rows += [f"{e},{1 / (e + 1):.4f},{1.1 / (e + 1):.4f},{'nan' if e < 2 else 0.5 / e}" for e in range(12)]
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n")
    d = fd.diagnose(fd.read(path))
    assert "non_finite" not in [f.code for f in d.findings]


def test_the_curve_rules_judge_a_run_up_to_its_first_nan_train_loss():
    """A fine-tune learns for five epochs (val accuracy 0.56 -> 0.674), then its train loss is NaN
    for every epoch left and val accuracy falls to 0.1, the 1/K of ten classes. Past the NaN the
    weights are gone: the fall is the NaN's doing, not overfitting (nothing after it is usable)."""
    nan = float("nan")
    run = {"loss": [2.055, 1.86, 1.74, 1.67, 1.628] + [nan] * 5,
           "val_loss": [nan, 1.39, 1.35, 1.32, 1.299] + [nan] * 5,  # mixed precision: NaN at the first too
           "val_accuracy": [0.56, 0.62, 0.65, 0.668, 0.674] + [0.1] * 5}
    d = fd.diagnose(run)
    assert d.top.code == "non_finite" and "then loss" in d.top.message
    assert "overfitting" not in d.codes
    # the same collapse with a finite train loss still falling is what overfitting judges
    finite = dict(run, loss=[2.055, 1.86, 1.74, 1.67, 1.628, 1.6, 1.57, 1.55, 1.53, 1.5], val_loss=[1.445] + run["val_loss"][1:5] + [1.5, 1.8, 2.1, 2.4, 2.7])
    assert "overfitting" in fd.diagnose(finite).codes


def test_a_loop_that_says_its_loss_went_nan_and_skipped_the_batch_is_non_finite(tmp_path):
    """A LoRA fine-tune's loop prints '[WARNING] NaN loss detected! Skipping batch.' twelve times
    and logs only the finite steps: the curve looks clean, the log says otherwise."""
    lines = []
    for step in range(1, 41):
        lines.append(f"Step {step} | Loss: {11.5 - 0.02 * step:.4f}")
        if step in (8, 19, 30):
            lines.append("[WARNING] NaN loss detected! Skipping batch.")
    path = tmp_path / "training.log"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    d = fd.diagnose(run)
    assert d.codes[0] == "non_finite"
    assert "went non-finite 3 times (first at line 9" in d.findings[0].message
    assert "the steps the loop skipped as NaN are not in it" in d.summary["keep"]
    # without the loop's word, the same curve is no NaN
    path.write_text("\n".join(line for line in lines if "NaN" not in line) + "\n")
    [run] = fd.read_runs(path)
    assert "non_finite" not in fd.diagnose(run).codes


def test_a_train_loss_logged_as_exactly_zero_after_a_real_value_is_a_filtered_nan(tmp_path):
    """LLaMA-Factory's trainer_log.jsonl of a fine-tune: 122.14 at step 10, then 0.0 at each of
    36 logs. The Hugging Face Trainer drops NaN step losses from its running sum by default
    (logging_nan_inf_filter), so a window of only NaN steps logs 0.0; it read "fell and
    settled: 122.1 -> 0.0", which its labeller ruled out. A loss that learned its way to 0
    (0.3, 0.02, 0.001, 0.0001, then 0.0) is no NaN, nor are two zeros."""
    lines = [{"current_steps": 10, "total_steps": 375, "loss": 122.1416, "lr": 2.4e-05, "epoch": 0.08}]
    lines += [{"current_steps": s, "total_steps": 375, "loss": 0.0, "lr": 5e-05, "epoch": round(s / 125, 2)}
              for s in range(20, 380, 10)]
    path = tmp_path / "trainer_log.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    d = fd.diagnose(fd.read_runs(str(path))[0])
    assert d.top.code == "non_finite", d.codes
    assert "exactly 0 at each of 36 logged points" in d.top.message
    assert "straight after 122.1" in d.top.message and "logging_nan_inf_filter" in d.top.message
    assert d.summary["keep"].startswith("nothing after epoch 0.16 is usable")  # not "best loss 0"
    learned = [0.9, 0.5, 0.3, 0.1, 0.02, 0.004, 0.001, 0.0003, 0.0001, 0.0, 0.0, 0.0]
    assert "non_finite" not in fd.diagnose({"loss": learned}).codes
    assert "non_finite" not in fd.diagnose({"loss": [0.9, 0.6, 0.5, 0.0, 0.0, 0.4, 0.3]}).codes


def test_a_loss_that_barely_moved_is_not_a_fast_drop_then_a_creep(tmp_path):
    """A BERT multilabel fine-tune at its label prior: train 0.14173, lowest 0.14139 at epoch 3,
    0.14171 at epoch 10 (a 0.2% move). It read lr_too_high ("dropped fast, then crept back
    up"), which its labeller ruled out: nothing fell to be lost again."""
    train = [0.141734, 0.141395, 0.141390, 0.141443, 0.141526, 0.141659, 0.141693, 0.141647, 0.141713, 0.141708]
    val = [0.139325, 0.139202, 0.139120, 0.139274, 0.139355, 0.139544, 0.139353, 0.139401, 0.139501, 0.139449]
    assert "lr_too_high" not in fd.diagnose({"loss": train, "val_loss": val}).codes
