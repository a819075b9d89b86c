"""The diagnose command as a user runs it: exit codes, one-line errors, JSON."""

import json
import math
import subprocess
import sys

import pytest

OVERFIT = "epoch,loss,val_loss\n" + "".join(
    f"{e},{0.7 * 0.85 ** e + 0.01:.4f},{(0.72 * 0.8 ** e + 0.35 + 0.012 * max(e - 10, 0)):.4f}\n"
    for e in range(40)
)


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "fitdoctor.cli", *args], input=stdin,
                          capture_output=True, text=True)


@pytest.fixture
def overfit_log(tmp_path):
    p = tmp_path / "training.log"
    p.write_text(OVERFIT)
    return p


def test_diagnose_prints_ranked_findings(overfit_log):
    r = run("diagnose", str(overfit_log))
    assert r.returncode == 0, r.stderr
    assert "overfitting" in r.stdout and "fix 1" in r.stdout and "keep:" in r.stdout


def test_json_output(overfit_log):
    r = run("diagnose", str(overfit_log), "--json")
    out = json.loads(r.stdout)
    assert out["findings"][0]["code"] == "overfitting"
    f = out["findings"][0]
    assert {"code", "severity", "span", "evidence", "message", "remedies"} <= set(f)
    assert out["summary"]["best_at"] < 20
    assert out["history"]["format"] == "keras-csv"


def test_fail_on_warning_exits_1(overfit_log):
    assert run("diagnose", str(overfit_log), "--fail-on", "warning").returncode == 1
    assert run("diagnose", str(overfit_log), "--fail-on", "error").returncode == 0


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"),
    ("", "empty"),
    ("epoch,loss,val_loss\n", "header only"),
    ("hello\nworld\n", "unknown log format"),
    ("epoch,loss\n0,0.7\n", "only one"),
    # a console log stopped after its first evaluation: cut short, not of an unknown format
    ("2025-06-26 11:04:13,215 EPOCH: 1 val Results: Prec@1 1.030 Prec@5 4.500\n",
     "only one epoch of values (val_Prec@1, val_Prec@5)"),
    ("Starting run\nmodel params: 12345\n", "unknown log format"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, content, needle):
    p = tmp_path / "run.log"
    if content is not None:
        p.write_text(content)
    r = run("diagnose", str(p))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], r.stderr


def test_bad_option_values_exit_2(overfit_log):
    r = run("diagnose", str(overfit_log), "--fail-on", "sometimes")
    assert r.returncode == 2 and "--fail-on" in r.stderr
    r = run("diagnose", str(overfit_log), "--map", "val_loss")
    assert r.returncode == 2 and "CANONICAL=RAW" in r.stderr
    r = run("diagnose", str(overfit_log), "--map", "val_loss=nope")
    assert r.returncode == 2 and "available" in r.stderr


def test_stdin(overfit_log):
    r = run("diagnose", "-", stdin=overfit_log.read_text())
    assert r.returncode == 0 and "overfitting" in r.stdout


def test_show_series(overfit_log):
    r = run("diagnose", str(overfit_log), "--show-series")
    assert "how the log was read" in r.stdout and "val loss" in r.stdout


def test_version_and_help():
    assert "fitdoctor" in run("--version").stdout
    assert "diagnose" in run("--help").stdout


def test_many_runs_give_a_ranked_table_and_a_json_list(tmp_path):
    good = "epoch,loss,val_loss\n" + "".join(f"{e},{0.7 * 0.8 ** e + 0.05:.4f},{0.7 * 0.8 ** e + 0.08:.4f}\n" for e in range(30))
    for name, text in (("a", OVERFIT), ("b", good)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "training.log").write_text(text)
    r = run("diagnose", str(tmp_path))
    assert r.returncode == 0 and "2 runs, best first" in r.stdout
    out = json.loads(run("diagnose", str(tmp_path), "--json").stdout)
    assert isinstance(out, list) and [o["ranking"]["rank"] for o in out] == [1, 2]
    assert out[0]["run"] == "b/training.log"


def test_one_file_of_several_runs_leads_with_the_run_it_ends_with(tmp_path):
    """A Keras CSVLogger appended to by a second fit: the first fit ranks best, but the file ends
    with the second, the one being worked on, so --json leads with it; the ranking stays. A
    restart cut short after three epochs does not speak for the file."""
    good = "".join(f"{e},{0.7 * 0.8 ** e + 0.05:.4f},{0.7 * 0.8 ** e + 0.08:.4f}\n" for e in range(30))
    worse = "".join(f"{e},{0.9 - 0.01 * e:.4f},{0.95 - 0.002 * e:.4f}\n" for e in range(30))
    p = tmp_path / "training.log"
    p.write_text("epoch,loss,val_loss\n" + good + "epoch,loss,val_loss\n" + worse)
    out = json.loads(run("diagnose", str(p), "--json").stdout)
    assert [o["ranking"]["rank"] for o in out] == [2, 1] and [o["latest"] for o in out] == [True, False]
    assert "last complete run in the file: fit 2" in run("diagnose", str(p)).stdout
    p.write_text("epoch,loss,val_loss\n" + worse + "epoch,loss,val_loss\n" + good[:3 * len(good) // 30])
    out = json.loads(run("diagnose", str(p), "--json").stdout)
    assert out[0]["run"].startswith("fit 1") and out[0]["latest"]


def test_a_last_run_that_stopped_early_on_purpose_speaks_for_the_file(tmp_path):
    """Three trainings in one log, the last early-stopped after 11 of its epochs ("Early stopping
    at epoch 11. Best epoch: 1"): it ended where it meant to, so the file leads with it, not with
    the 40-epoch run before it."""
    lines = []
    for r, n in ((1, 40), (2, 40), (3, 11)):
        lines.append(f"Training run {r}")
        lines += [f"Epoch {e}, Train Loss: {0.7 - 0.004 * e * (r < 3):.4f}, Val Dice: {0.26 + 0.008 * e * (r < 3):.4f}"
                  for e in range(1, n + 1)]
    lines.append("Early stopping at epoch 11. Best epoch: 1, Best Dice: 0.2600")
    p = tmp_path / "train.log"
    p.write_text("\n".join(lines) + "\n")
    out = json.loads(run("diagnose", str(p), "--json").stdout)
    assert out[0]["latest"] and out[0]["run"].startswith("run 3")


def test_a_table_of_results_after_the_folds_does_not_speak_for_the_file(tmp_path):
    """A cross-validation log: each fold prints its baselines' "Acc=0.81 F1=0.70 AUC=0.93",
    then its training epochs, and the file ends with a table of mean scores per model. Those
    lines, with no loss and no epoch of their own, are results, not the run being worked on:
    the verdict leads with the last fold's training (its test loss climbs after epoch 5)."""
    lines = []
    for fold in (1, 2, 3):
        lines += [f"17:08:52 [INFO] main: {m}: Acc=0.81{fold} F1=0.70{fold} AUC=0.93{fold}"
                  for m in ("Logistic", "RandomForest", "MarkovPruning")]
        for e in (1, 5, 10, 15, 20, 25, 30, 35, 40):
            train, test = 1.4 * math.exp(-e / 6) + 0.02, 0.33 + 0.003 * max(e - 5, 0) + (0.7 if e == 1 else 0)
            lines.append(f"17:10:06 [INFO] src.train: Epoch {e:3d} | train_loss={train:.4f} | test_loss={test:.4f}"
                         f" | acc=0.9{e % 10} | f1=0.8{e % 10}")
    lines.append("17:56:30 [INFO] main: ===== MEAN OVER 3 FOLDS =====")
    lines += [f"17:56:30 [INFO] main: {m}: Acc=0.8{i}1 F1=0.7{i}2 AUC=0.9{i}3"
              for i, m in enumerate(("Logistic", "SVM", "RandomForest", "MarkovPruning", "GatedAttention"))]
    p = tmp_path / "train_log.txt"
    p.write_text("\n".join(lines) + "\n")
    lead = json.loads(run("diagnose", str(p), "--json").stdout)[0]
    assert lead["latest"] and "val_loss" in lead["summary"].get("selected_by", "val_loss")
    assert [f["code"] for f in lead["findings"]][0] == "overfitting"


def test_per_sample_lines_printed_after_training_do_not_speak_for_the_file(tmp_path):
    """A speech model's log: 20 epochs of "Epoch 3 |   Training | ... | Loss: 5.1" and its
    validation line, then the test report's per-utterance "WER: 0.0, CER: 0.0, loss: 27.42"
    lines under "Best WER:", "Median WER:" and "Worst WER:". Those lines have no epoch of their
    own and came after the training: they had led the verdict (a loss "growing" from 0.18 to
    66, diverging); the epochs' run speaks for the file."""
    lines = []
    for e in range(20):
        lines.append(f"Epoch {e} |   Training | Elapsed Time: 0:45:13 | Steps: 3533 | Loss: {6.2 - 0.13 * e:.6f}")
        lines.append(f"Epoch {e} | Validation | Elapsed Time: 0:00:10 | Steps: 31 | Loss: {12.4 - 0.01 * e:.6f}")
        lines.append("-" * 40)
    lines.append("Test on test.csv - WER: 0.114730, CER: 0.063737, loss: 14.444828")
    for title, losses in (("Best", (27.42, 21.16, 20.37, 19.08, 18.30)), ("Median", (0.18, 0.18, 0.18, 0.178, 0.177)),
                          ("Worst", (149.7, 95.4, 87.9, 85.6, 65.9))):
        lines.append(f"{title} WER: ")
        for loss in losses:
            lines += ["-" * 40, f"WER: 0.500000, CER: 0.250000, loss: {loss:.6f}", ' - src: "it is only"']
    p = tmp_path / "training.txt"
    p.write_text("\n".join(lines) + "\n")
    lead = json.loads(run("diagnose", str(p), "--json").stdout)[0]
    assert lead["latest"] and lead["run"].startswith("run 1")
    assert "diverging" not in [f["code"] for f in lead["findings"]]


def test_a_sweep_whose_file_ends_inside_its_last_run_leads_with_the_last_finished_one(tmp_path):
    """A Keras 1 sweep printed 15 epochs per config; the file ends at "Epoch 14/15" of the next
    config (killed, or still running). That run has most of the points, but the last one to run
    as planned speaks for the file."""
    lines = []
    for cfg in range(3):
        lines.append(f"('Cell type: LSTM', 'Optimizer: {('adam', 'rmsprop', 'adam')[cfg]}')")
        lines.append("Train on 8000 samples, validate on 2000 samples")
        epochs = 15 if cfg < 2 else 13
        for e in range(1, epochs + 1):
            lines.append(f"Epoch {e}/15")
            lines.append(f"138s - loss: {2.7 / e:.4f} - acc: {0.1 + 0.05 * e:.4f} - "
                         f"val_loss: {2.8 - 0.1 * e + (0.2 * max(0, e - 6) if cfg == 1 else 0):.4f} - val_acc: 0.5000")
        if cfg == 2:
            lines.append("Epoch 14/15")
    p = tmp_path / "results.txt"
    p.write_text("\n".join(lines) + "\n")
    out = json.loads(run("diagnose", str(p), "--json").stdout)
    assert len(out) == 3 and out[0]["latest"] and out[0]["run"].startswith("run 2"), [o["run"] for o in out]


def test_per_epoch_summarizes_a_step_log():
    from pathlib import Path

    fx = Path(__file__).resolve().parents[1] / "fixtures" / "huggingface" / "normal"
    out = json.loads(run("diagnose", str(fx), "--per-epoch", "--json").stdout)
    assert out["history"]["axis"] == "epoch"
    assert all(s["length"] <= 4 for s in out["history"]["series"])


def test_a_run_that_reached_its_announced_epochs_is_complete_beside_a_longer_one(tmp_path):
    """A sweep log: a 200-epoch setting, then two 50-epoch settings that reach "Epoch 50/50",
    then one stopped at 13/50. The 50-epoch runs are complete, though a quarter of the longest:
    the verdict leads with the last of them, not with the 200-epoch run."""
    def fit(total, stop=None):
        return [f"Epoch {e}/{total} - loss: {1 / e:.4f} - val_loss: {1.2 / e + 0.001 * e:.4f}"
                for e in range(1, (stop or total) + 1)]

    p = tmp_path / "sweep.log"
    p.write_text("\n".join(fit(200) + fit(50) + fit(50) + fit(50, stop=13)) + "\n")
    out = json.loads(run("diagnose", str(p), "--json").stdout)
    assert out[0]["latest"] and out[0]["run"].startswith("run 3 (line 251)")
