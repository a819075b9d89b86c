"""``fitdoctor lr-find``: the range test restores the model and optimizer exactly, the rule reads
stable suggestions off noisy curves and none off a flat one, and the command works from the
CLI and the Python API for binary, multiclass and regression configs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="lr-find needs the train extra (torch)")

import fitdoctor as fd  # noqa: E402
from fitdoctor.data import make_splits  # noqa: E402
from fitdoctor.data.dataset import Dataset  # noqa: E402
from fitdoctor.studies.lr_find import LRFindResult, Sweep, lr_grid, range_test, read_sweeps, suggest  # noqa: E402

FAST = {"repeats": 2, "steps": 60, "start_lr": 1e-5, "end_lr": 10.0}


def _cfg(source: str, **train) -> dict:
    return {"data": {"source": source, "split": {"method": "holdout", "val": 0.2, "test": 0.2, "seed": 0}},
            "model": {"hidden": [16], "dropout_rate": 0.0},
            "train": {"optimizer": "adam", "lr": 1e-3, "batch_size": 16, "epochs": 5, **train}}


# ------------------------------------------------------------------ exact restore
def _state_equal(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, torch.Tensor):
            if not (isinstance(y, torch.Tensor) and x.dtype == y.dtype and torch.equal(x, y)):
                return False
        elif isinstance(x, dict):
            if not (isinstance(y, dict) and _state_equal(x, y)):
                return False
        elif isinstance(x, list):
            if len(x) != len(y) or any(not _state_equal({"v": u}, {"v": v}) for u, v in zip(x, y)):
                return False
        elif x != y:
            return False
    return True


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "rmsprop"])
def test_range_test_restores_model_and_optimizer_exactly(optimizer):
    import copy

    from fitdoctor.train.model import build_model
    from fitdoctor.train.trainer import make_optimizer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    torch.manual_seed(0)
    model = build_model({"hidden": [8, 8], "batch_norm": True, "dropout_rate": 0.2}, 5, 1)
    opt = make_optimizer(optimizer, model.parameters(), 3e-3)
    # a model mid-training: optimizer state, buffers and gradients all non-trivial
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(torch.as_tensor(X)).reshape(-1),
                                                                    torch.as_tensor(y, dtype=torch.float32))
        loss.backward()
        opt.step()
    model.eval()
    before_model = copy.deepcopy(model.state_dict())
    before_opt = copy.deepcopy(opt.state_dict())
    before_grads = [p.grad.clone() for p in model.parameters()]
    before_rng = torch.get_rng_state().clone()

    sweep = range_test(model, opt, X, y, task="binary", steps=40, start_lr=1e-4, end_lr=100.0, seed=3)
    assert np.isfinite(sweep.losses[0]) and sweep.stopped in ("diverged", "non_finite", "completed")

    assert _state_equal(model.state_dict(), before_model)
    assert _state_equal(opt.state_dict(), before_opt)
    assert opt.param_groups[0]["lr"] == 3e-3
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), before_grads))
    assert not model.training and not any(m.training for m in model.modules())
    assert torch.equal(torch.get_rng_state(), before_rng)


def test_restore_happens_even_when_the_loss_fails():
    from fitdoctor.train.model import build_model

    model = build_model({"hidden": [4]}, 3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = {k: v.clone() for k, v in model.state_dict().items()}

    def broken(out, target):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        range_test(model, opt, np.zeros((10, 3), np.float32), np.zeros(10), task="regression", loss_fn=broken)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert opt.param_groups[0]["lr"] == 0.1


# ------------------------------------------------------------------ the rule
def _synthetic(seed: int, noise: float = 0.15, edge: float = 0.3, steps: int = 180) -> Sweep:
    """A range-test-shaped curve: flat, falls over two decades, then blows up past ``edge``."""
    lrs = lr_grid(1e-6, 30.0, steps)
    x = np.log10(lrs)
    e = math.log10(edge)
    base = 0.7 - 0.6 / (1 + np.exp(-(x - (e - 1.5)) * 3))      # the fall
    blow = np.exp(np.clip((x - e) * 6, -50, 50)) * 0.1            # the divergence
    rng = np.random.default_rng(seed)
    loss = (base + blow) * np.exp(noise * rng.normal(size=steps))
    stop = int(np.argmax(loss > 4 * np.minimum.accumulate(loss))) or steps
    out = np.full(steps, np.nan)
    out[:stop] = loss[:stop]
    return Sweep(lrs=lrs, losses=out, stopped="diverged" if stop < steps else "completed", seed=seed)


def test_suggestion_is_stable_on_noisy_curves():
    """Five runs of the same noisy curve (noise 15% per point): the suggestions agree within
    0.15 decades, and sit about one decade under the edge."""
    sugg = [read_sweeps([_synthetic(10 * s + r) for r in range(3)]).suggested_lr for s in range(5)]
    logs = np.log10(sugg)
    assert np.std(logs) < 0.15, sugg
    assert -1.6 < float(np.mean(logs)) - math.log10(0.3) < -0.6


def test_a_curve_that_never_falls_gives_no_suggestion():
    lrs = lr_grid(1e-6, 30.0, 120)
    rng = np.random.default_rng(0)
    flat = 0.6365 * np.exp(0.01 * rng.normal(size=lrs.size))
    res = read_sweeps([Sweep(lrs=lrs, losses=flat, stopped="completed")])
    assert res.suggested_lr is None
    assert "never fell" in res.reason


def test_a_curve_still_falling_at_the_end_suggests_a_tenth_of_the_last_lr():
    lrs = lr_grid(1e-6, 1.0, 100)
    falling = 1.0 / (1 + lrs * 100)
    out = suggest(lrs, falling, stopped=False)
    assert out["edge_lr"] == pytest.approx(1.0)
    assert out["suggested_lr"] == pytest.approx(0.1)
    assert "may lie higher" in out["reason"]


# ------------------------------------------------------------------ the command, all tasks
@pytest.mark.parametrize("source,task", [("sklearn:breast_cancer", "binary"), ("sklearn:iris", "multiclass"),
                                         ("sklearn:diabetes", "regression")])
def test_lr_find_on_each_task(source, task):
    res = fd.lr_find(_cfg(source), **FAST)
    assert isinstance(res, LRFindResult)
    assert res.meta["task"] == task
    assert res.suggested_lr is not None and 1e-5 <= res.suggested_lr <= 10.0
    assert res.edge_lr >= res.suggested_lr
    assert len(res.sweeps) == 2 and len(res.lrs) == 60
    d = json.loads(json.dumps(res.to_dict()))
    assert d["suggested_lr"] == pytest.approx(res.suggested_lr)
    assert d["config"]["train"]["lr"] == 1e-3


def test_lr_find_never_reads_validation_or_test_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(np.int64)
    ds = Dataset(X=X, y=y, feature_names=list("abcd"), task="binary", n_classes=2, class_names=[0, 1], source="t")
    cfg = _cfg("t")
    sp = make_splits(ds, cfg["data"]["split"])[0]
    ds.X[sp.val] = np.nan
    ds.X[sp.test] = np.nan
    res = fd.lr_find(cfg, dataset=ds, **FAST)
    assert res.suggested_lr is not None and res.meta["rows"] == sp.train.size


def test_lr_find_with_class_weights_and_l2_runs():
    cfg = _cfg("sklearn:breast_cancer", class_weight="balanced")
    cfg["model"]["l2"] = 1e-4
    res = fd.lr_find(cfg, repeats=1, steps=40)
    assert res.suggested_lr is not None


def test_lr_find_rejects_a_bad_range():
    with pytest.raises(fd.BadInput, match="start_lr < end_lr"):
        fd.lr_find(_cfg("sklearn:iris"), start_lr=1.0, end_lr=0.1)
    for start, end in ((1e-6, float("inf")), (float("nan"), 1.0)):
        with pytest.raises(fd.BadInput, match="finite numbers"):
            fd.lr_find(_cfg("sklearn:iris"), start_lr=start, end_lr=end)


def test_terminal_view_fits_80_columns_and_marks_the_suggestion():
    from rich.console import Console

    from fitdoctor.report.studies import render_lr_find

    res = fd.lr_find(_cfg("sklearn:iris"), **FAST)
    console = Console(width=80, record=True, color_system=None)
    console.print(render_lr_find(res, ascii=True))
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert f"suggested {res.suggested_lr:.3g}"[:12] in text
    assert "^" in text and "suggested lr:" in text


# ------------------------------------------------------------------ CLI
def _yaml(tmp_path, source="sklearn:iris"):
    p = tmp_path / "cfg.yaml"
    p.write_text(f"""data:
  source: {source}
model:
  hidden: [16]
  dropout_rate: 0.0
train:
  lr: 0.001
  batch_size: 16
""")
    return p


def test_cli_json_carries_suggested_lr_and_out_writes_files(tmp_path):
    from typer.testing import CliRunner

    from fitdoctor.cli import app

    out = tmp_path / "lr"
    r = CliRunner().invoke(app, ["lr-find", str(_yaml(tmp_path)), "--json", "--repeats", "1", "--steps", "50",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert isinstance(d["suggested_lr"], float) and d["suggested_lr"] > 0
    assert {"lr_find.json", "lr_find.csv"} <= set(d["files"]["files"])
    assert json.loads((out / "lr_find.json").read_text())["suggested_lr"] == d["suggested_lr"]
    assert (out / "lr_find.csv").read_text().startswith("lr,sweep_0,median,smoothed")


def test_cli_terminal_output(tmp_path):
    from typer.testing import CliRunner

    from fitdoctor.cli import app

    r = CliRunner().invoke(app, ["lr-find", str(_yaml(tmp_path)), "--repeats", "1", "--steps", "50"],
                           env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "suggested lr:" in r.stdout and "train.lr:" in r.stdout


def test_cli_bad_config_is_one_line_exit_2(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("data:\n  source: sklearn:iris\ntrain:\n  lrr: 0.1\n")
    p = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "lr-find", str(bad)], capture_output=True, text=True)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "lrr" in p.stderr and "Traceback" not in p.stderr
    p = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "lr-find", str(tmp_path / "missing.yaml")],
                       capture_output=True, text=True)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1


def test_the_report_labels_of_close_lr_markers_stack_instead_of_overlapping():
    """edge 8e-4 and config lr 1e-3 sit a tenth of a decade apart: one label row each, and a
    tick per decade on the lr axis."""
    from fitdoctor.report.studies import lr_find_panels

    lrs = list(np.geomspace(1e-6, 1.0, 50))
    res = LRFindResult(lrs=lrs, loss=[1.0] * 50, smoothed=[1.0] * 50, suggested_lr=8e-5, rule="edge/10",
                       reason="", current_lr=1e-3, edge_lr=8e-4)
    lay = lr_find_panels(res)[0].figure["layout"]
    shifts = {a["text"].split()[0]: a.get("yshift", 0) for a in lay["annotations"]}
    assert shifts["edge"] != shifts["config"] and shifts["suggested"] == 0
    assert lay["xaxis"]["type"] == "log" and lay["xaxis"]["dtick"] == 1


def test_the_python_api_writes_the_same_directory_as_the_cli(tmp_path):
    """``write_lr_find_dir`` beside ``lr_find``: the json and csv the CLI writes, the report only
    when asked; a sweep that stopped early leaves its later cells empty, not "nan"."""
    from fitdoctor.studies.lr_find import write_lr_find_dir

    early = Sweep(lrs=lr_grid(1e-5, 10.0, 40), losses=np.r_[np.linspace(1.0, 0.2, 30), [np.nan] * 10],
                  stopped="diverged")
    full = Sweep(lrs=lr_grid(1e-5, 10.0, 40), losses=np.linspace(1.0, 0.3, 40), stopped="completed", seed=1)
    res = read_sweeps([early, full])
    files = write_lr_find_dir(res, tmp_path / "lr", report=False)
    assert {"lr_find.json", "lr_find.csv"} <= set(files["files"]) and not (tmp_path / "lr" / "report.html").exists()
    lines = (tmp_path / "lr" / "lr_find.csv").read_text().splitlines()
    assert lines[0] == "lr,sweep_0,sweep_1,median,smoothed" and len(lines) == 41
    assert lines[-1].split(",")[1] == "" and "nan" not in lines[-1]
    assert json.loads((tmp_path / "lr" / "lr_find.json").read_text())["suggested_lr"] == res.suggested_lr
