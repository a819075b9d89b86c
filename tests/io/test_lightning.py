"""Lightning CSVLogger reader, on metrics.csv files written by a real Lightning 2.6 run.

The fixtures come from benchmarks/fixtures/make_lightning_fixtures.py (tiny MLPs on
breast-cancer data); the expected numbers below were read off those files.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitdoctor.errors import BadInput
from fitdoctor.io import read, read_runs
from fitdoctor.io.lightning import LightningCSVReader, read_hparams, read_metrics_csv

LF = Path(__file__).parent.parent / "fixtures" / "lightning"
NORMAL_CSV = LF / "normal" / "lightning_logs" / "version_0" / "metrics.csv"


def test_normal_run_on_epoch_axis():
    run = read(LF / "normal")
    assert run.meta["format"] == "lightning"
    assert run.meta["run"] == "version_0"
    assert run.axis == "epoch"
    assert set(run.series) == {"loss", "val_loss", "accuracy", "val_accuracy", "lr"}
    loss, val = run.series["loss"], run.series["val_loss"]
    assert loss.raw_name == "train_loss" and val.raw_name == "val_loss"
    np.testing.assert_array_equal(loss.steps, np.arange(8))
    assert loss.values[0] == pytest.approx(0.5655969977378845)
    assert loss.values[-1] == pytest.approx(0.10351142287254333)
    assert val.values[0] == pytest.approx(0.44570913910865784)
    assert val.values[-1] == pytest.approx(0.08216603100299835)
    assert run.series["val_accuracy"].values[-1] == pytest.approx(0.976331353187561)
    # LearningRateMonitor rows have a blank epoch; they are put on the epoch that follows
    lr = run.series["lr"]
    assert lr.raw_name == "lr-Adam" and lr.axis == "epoch"
    np.testing.assert_array_equal(lr.steps, np.arange(8))
    np.testing.assert_allclose(lr.values, 0.003)
    assert run.meta["hparams"] == {"hidden": 16, "lr": 0.003, "lr_growth": 1.0,
                                   "naive_loss": False, "step_and_epoch": False}
    assert run.meta["steps_per_epoch"] == 8.0
    assert "notes" not in run.meta


def test_blank_cells_are_absent_points_not_nan():
    # every row of a real metrics.csv is sparse: most cells are blank
    text = NORMAL_CSV.read_text()
    assert ",," in text
    run = read(NORMAL_CSV)
    for name, s in run.series.items():
        assert s.n_nonfinite == 0, name
        assert len(s) == 8, name


def test_nan_run_keeps_explicit_nan():
    run = read(LF / "nan")
    loss = run.series["loss"]
    assert np.isfinite(loss.values[:3]).all()
    assert np.isnan(loss.values[3:]).all() and len(loss) == 6
    assert np.isnan(run.series["val_loss"].values[3:]).all()
    np.testing.assert_allclose(run.series["lr"].values, [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0])
    assert run.meta["hparams"]["naive_loss"] is True


def test_on_step_and_on_epoch_columns():
    run = read(LF / "stepepoch")
    loss = run.series["loss"]
    assert loss.raw_name == "train_loss_epoch" and loss.axis == "epoch"
    np.testing.assert_array_equal(loss.steps, [0, 1, 2, 3])
    assert loss.values[0] == pytest.approx(0.5655969977378845)
    step = run.series["loss_step"]
    assert step.raw_name == "train_loss_step" and step.axis == "step"
    assert len(step) == 16
    np.testing.assert_array_equal(step.steps[:4], [1, 3, 5, 7])
    assert step.values[0] == pytest.approx(0.6184453368186951)
    assert run.axis == "epoch"


def test_versions_are_separate_runs():
    for path in (LF / "versions", LF / "versions" / "lightning_logs"):
        runs = read_runs(path)
        assert [r.meta["run"] for r in runs] == ["version_0", "version_1"]
        assert [r.meta["hparams"]["lr"] for r in runs] == [0.001, 0.01]
        assert runs[1].series["val_loss"].values[2] == pytest.approx(0.06600524485111237)
    with pytest.raises(BadInput, match="2 runs"):
        read(LF / "versions")


def test_file_is_detected_by_header():
    cls = LightningCSVReader
    head = NORMAL_CSV.read_bytes()
    assert cls.sniff(NORMAL_CSV, head) >= 0.9
    # the same content under another name is still Lightning (sorted keys + epoch + step)
    assert cls.sniff(Path("log.txt"), head) >= 0.9
    assert cls.sniff(Path("log.csv"), b"epoch,loss,val_loss\n0,1,2\n") == 0.0


def test_step_only_logging_gives_epoch_means(tmp_path):
    p = tmp_path / "metrics.csv"
    p.write_text("epoch,step,train_loss,val_loss\n"
                 "0,0,1.0,\n0,1,0.8,\n0,1,,0.9\n1,2,0.6,\n1,3,0.4,\n1,3,,0.7\n")
    run = read_metrics_csv(p)
    np.testing.assert_allclose(run.series["loss"].values, [0.9, 0.5])
    np.testing.assert_allclose(run.series["loss_step"].values, [1.0, 0.8, 0.6, 0.4])
    np.testing.assert_array_equal(run.series["loss_step"].steps, [0, 1, 2, 3])
    np.testing.assert_allclose(run.series["val_loss"].values, [0.9, 0.7])
    assert any("several times per epoch" in n for n in run.meta["notes"])


def test_no_epoch_column_is_step_axis(tmp_path):
    p = tmp_path / "metrics.csv"
    p.write_text("loss,step\n0.9,0\n0.7,10\n")
    run = read(p)
    assert run.meta["format"] == "lightning" and run.axis == "step"
    np.testing.assert_array_equal(run.series["loss"].steps, [0, 10])


def test_truncated_last_row_is_dropped_with_note(tmp_path):
    p = tmp_path / "metrics.csv"
    text = NORMAL_CSV.read_text()
    p.write_text(text + "8,,71")
    run = read_metrics_csv(p)
    assert len(run.series["loss"]) == 8
    assert "incomplete" in run.meta["notes"][0]


def test_hparams_without_yaml(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)
    p = tmp_path / "hparams.yaml"
    p.write_text("lr: 0.01\nname: 'mlp'\nuse_bn: true\nlayers:\n- 64\n- 32\ndropout: 0.3\n")
    assert read_hparams(p) == {"lr": 0.01, "name": "mlp", "use_bn": True, "dropout": 0.3}


@pytest.mark.parametrize("content, match", [
    ("", "empty"),
    ("epoch,step,train_loss\n", "header only"),
    ("epoch,train_loss\n0,0.5\n", "'step'"),
    ("epoch,step,note\n0,1,hello\n", "no numeric"),
])
def test_bad_files(tmp_path, content, match):
    p = tmp_path / "metrics.csv"
    p.write_text(content)
    with pytest.raises(BadInput, match=match):
        LightningCSVReader().read(p)


def test_folder_without_metrics(tmp_path):
    (tmp_path / "version_0").mkdir()
    assert LightningCSVReader.sniff(tmp_path, b"") == 0.0
    with pytest.raises(BadInput, match="no metrics.csv"):
        LightningCSVReader().read(tmp_path)


@pytest.mark.parametrize("sub", ["normal", "nan", "versions"])
def test_cli_diagnoses_fixture(sub):
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "diagnose", str(LF / sub)],
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    assert r.stdout.strip()


_BASE = NORMAL_CSV.read_text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, len(_BASE)), st.integers(0, 20),
                               st.text(alphabet=",\n.-0123456789naefix \"", max_size=6)),
                     max_size=6))
def test_fuzz_mutated_metrics_csv(tmp_path, cuts):
    text = _BASE
    for pos, length, repl in cuts:
        text = text[:pos] + repl + text[pos + length:]
    p = tmp_path / "metrics.csv"
    p.write_text(text)
    try:
        runs = LightningCSVReader().read(p)
    except BadInput:
        return
    for r in runs:
        assert r.series


def test_the_documented_validation_epoch_average_idiom_is_read_as_val_loss(tmp_path):
    """Lightning's docs show ``on_validation_epoch_end`` logging the mean of what
    ``validation_step`` returned as "validation_epoch_average"; a real CSVLogger run written
    that way is read with that column as the val loss (it was dropped as an unknown metric)."""
    torch = pytest.importorskip("torch")
    L = pytest.importorskip("lightning.pytorch")
    from lightning.pytorch.loggers import CSVLogger

    class Net(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Linear(4, 1)
            self.outputs = []

        def training_step(self, batch, i):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.net(x).squeeze(1), y)
            self.log("loss", loss)
            return loss

        def validation_step(self, batch, i):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.net(x).squeeze(1), y)
            self.outputs.append(loss)
            return loss

        def on_validation_epoch_end(self):
            self.log("validation_epoch_average", torch.stack(self.outputs).mean())
            self.outputs.clear()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), 0.05)

    torch.manual_seed(0)
    X = torch.randn(128, 4)
    ds = torch.utils.data.TensorDataset(X, X @ torch.tensor([1.0, -2.0, 0.5, 0.0]))
    dl = torch.utils.data.DataLoader(ds, batch_size=16)
    trainer = L.Trainer(max_epochs=6, logger=CSVLogger(tmp_path), enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                        devices=1, num_sanity_val_steps=0, log_every_n_steps=4)
    trainer.fit(Net(), dl, dl)
    run = read(tmp_path)
    assert run.series["val_loss"].raw_name == "validation_epoch_average"
    assert len(run.series["val_loss"]) == 6


def test_metrics_logged_under_one_shared_namespace_are_read_as_their_splits(tmp_path):
    """``self.log("finetuning/val_loss")``: every column under one phase's folder, the split in
    the leaf. Read before as unknown curves (no loss, no verdict); a shared folder names nothing."""
    rows = ["epoch,finetuning/train_acc_epoch,finetuning/train_loss_epoch,finetuning/val_acc,finetuning/val_loss,lr-Adam,step"]
    for e in range(6):
        rows.append(f"{e},{0.6 + 0.05 * e},{0.9 - 0.1 * e},,,,{50 * e + 49}")
        rows.append(f"{e},,,{0.62 + 0.05 * e},{0.88 - 0.1 * e},,{50 * e + 49}")
        rows.append(f"{e},,,,,0.001,{50 * e + 49}")
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join(rows) + "\n")
    [run] = read_runs(path)
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.series)
    assert any("'finetuning/'" in n for n in run.meta.get("notes", []))
    # two namespaces side by side (a teacher and a student) keep their names
    two = tmp_path / "two" / "metrics.csv"
    two.parent.mkdir()
    two.write_text("epoch,teacher/val_loss,student/val_loss,step\n0,0.9,0.8,10\n1,0.8,0.7,20\n2,0.7,0.6,30\n")
    [run] = read_runs(two)
    assert "val_loss" not in run.series
