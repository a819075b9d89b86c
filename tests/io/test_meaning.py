"""What a run's names mean (``fitdoctor.io.meaning``): conventions read the same from a file and
from Python."""

from __future__ import annotations

import fitdoctor as fd
from fitdoctor.history import RunHistory
from fitdoctor.io.meaning import interpret


def _run(series: dict[str, list[float]]) -> RunHistory:
    h = RunHistory()
    for name, values in series.items():
        h.add(name, list(range(len(values))), values)
    return h


def test_a_runs_only_named_loss_is_its_loss():
    """``summary_loss`` / ``val_summary_loss`` and nothing else: the rules judge them as the loss
    (before, they were a metric pair, and no overfitting could be read off a val loss)."""
    train = [0.9, 0.6, 0.4, 0.3, 0.22, 0.17, 0.13, 0.1, 0.08, 0.06]
    val = [0.85, 0.6, 0.45, 0.4, 0.39, 0.41, 0.45, 0.5, 0.55, 0.6]
    h = interpret(_run({"summary_loss": train, "val_summary_loss": val}))
    assert list(h.get("loss").values) == train and list(h.get("val_loss").values) == val
    assert any("only loss" in n for n in h.meta["notes"])
    assert fd.diagnose({"summary_loss": train, "val_summary_loss": val}).findings[0].code == "overfitting"


def test_several_named_losses_or_a_logged_loss_are_left_as_they_are():
    """A detector's box and class losses are parts, none of them the loss; a run that logs
    ``loss`` keeps it."""
    parts = interpret(_run({"box_loss": [1.0, 0.8, 0.7], "val_box_loss": [1.1, 0.9, 0.8],
                            "cls_loss": [2.0, 1.5, 1.2], "val_cls_loss": [2.1, 1.7, 1.5]}))
    assert parts.get("loss") is None and "box_loss" in parts.series
    logged = interpret(_run({"loss": [1.0, 0.8, 0.7], "total_loss": [1.2, 1.0, 0.9],
                             "val_total_loss": [1.3, 1.1, 1.0]}))
    assert "total_loss" in logged.series and logged.get("val_loss") is None


def test_a_loss_named_by_its_function_is_the_loss_when_no_loss_is_logged(tmp_path):
    """A Lightning module that logs ``train_cross_entropy_epoch`` / ``val_cross_entropy`` and a
    torchmetrics IoU, nothing called loss: the cross-entropy pair is the loss the rules judge
    (before, the run had no loss and no finding at all, not even ``healthy``)."""
    rows = ["val_multiclassjaccardindex,val_cross_entropy,epoch,step,train_multiclassjaccardindex_epoch,"
            "train_cross_entropy_epoch"]
    val = [1.5, 1.1, 0.9, 0.8, 0.7, 0.62, 0.58, 0.55, 0.54, 0.53]
    train = [2.2, 1.2, 0.95, 0.8, 0.7, 0.6, 0.52, 0.46, 0.41, 0.37]
    for e, (v, t) in enumerate(zip(val, train)):
        iou = 0.08 + 0.016 * e
        rows += [f"{iou},{v},{e},{20 * e + 20},,", f",,{e},{20 * e + 20},{iou + 0.01},{t}"]
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join(rows) + "\n")
    run = fd.read_runs(path)[0]
    assert list(run.get("val_loss").values) == val and list(run.get("loss").values) == train
    d = fd.diagnose(run)  # still falling 0.58 -> 0.53 over the last 3 epochs
    assert d.findings and d.findings[0].code == "still_improving" and "val_loss" in d.findings[0].message


def test_a_named_loss_beside_a_logged_loss_stays_a_metric():
    """Keras logs ``binary_crossentropy`` as a metric beside its ``loss``: it stays a metric."""
    h = interpret(_run({"loss": [0.7, 0.5, 0.4], "val_loss": [0.72, 0.55, 0.5],
                        "binary_crossentropy": [0.69, 0.5, 0.4], "val_binary_crossentropy": [0.7, 0.56, 0.5]}))
    assert "binary_crossentropy" in h.series and list(h.get("loss").values) == [0.7, 0.5, 0.4]


def test_an_accuracy_the_loss_rules_out_on_the_train_rows_is_held_out(tmp_path):
    """``Epoch N: Loss = .. || Accuracy = ..%``: a hand loop printed its train loss beside the
    accuracy on its unseen domain. A loss of 0.005 leaves under 1% of the train rows wrong, so an
    accuracy of 27% is no train accuracy: it is read as val_accuracy, and the run as overfitting
    (best 32% at epoch 6-19, then 27% for 80 epochs while the loss went to 0.005)."""
    lines = []
    for e in range(1, 101):
        loss = 0.49 * 0.93 ** e + 0.004
        acc = 12.0 + 20.0 * min(e, 6) / 6 - (4.5 if e > 20 else 0.0) + (0.6 if e % 3 else -0.6)
        lines.append(f"Epoch {e}: Loss = {loss:.4f}  ||  Accuracy = {acc:.2f}%")
    path = tmp_path / "training_log.txt"
    path.write_text("\n".join(lines) + "\n")
    run = fd.read(path)
    assert "val_accuracy" in run.series and "accuracy" not in run.series
    assert any("held-out data" in n for n in run.meta["notes"])
    assert fd.diagnose(run).top.code == "overfitting"


def test_a_train_accuracy_that_agrees_with_its_loss_keeps_its_name():
    loss = [0.9, 0.6, 0.4, 0.3, 0.2, 0.12, 0.08, 0.05, 0.03, 0.02]
    acc = [0.55, 0.7, 0.82, 0.88, 0.92, 0.96, 0.975, 0.985, 0.99, 0.995]
    h = interpret(_run({"loss": loss, "accuracy": acc}))
    assert "accuracy" in h.series and "val_accuracy" not in h.series


def test_a_run_whose_only_objective_is_an_error_reads_it_as_the_loss(tmp_path):
    """``Percent Good,Mean Squared Error`` per epoch, a hand-written net's log with no column
    named loss: its MSE is what it minimises. Read before as no curve a rule could judge ("no
    verdict"), though the error blew up past where it began."""
    mse = [0.98 * 0.9 ** e for e in range(40)] + [0.5, 1.1, 1.6, 1.5, 1.2] + [0.3 * 0.9 ** e for e in range(40)]
    rows = ["Percent Good,Mean Squared Error,"] + [f"{min(1.0, e / 80):.4f},{v:.6f}," for e, v in enumerate(mse)]
    path = tmp_path / "epoch_log.csv"
    path.write_text("\n".join(rows) + "\n")
    run = fd.read(path)
    assert run.train_loss is not None and run.train_loss.raw_name == "Mean Squared Error"
    assert any("read as the loss" in n for n in run.meta.get("notes", []))
    assert fd.diagnose(run).codes


def test_an_error_beside_a_loss_stays_a_metric():
    h = interpret(_run({"loss": [1.0, 0.5, 0.3], "mae": [0.9, 0.6, 0.4], "val_mae": [1.0, 0.7, 0.5]}))
    assert list(h.series["loss"].values) == [1.0, 0.5, 0.3] and "mae" in h.series and "val_loss" not in h.series
    two = interpret(_run({"mse": [1.0, 0.5, 0.3], "mae": [0.9, 0.6, 0.4]}))
    assert "loss" not in two.series  # two errors and no loss: which one is minimised is not ours to pick
