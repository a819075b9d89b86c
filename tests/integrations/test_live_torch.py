"""The plain-PyTorch monitor in real training loops, and the shared adapter shell."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput, MissingDependency
from fitdoctor.integrations import base

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import fitdoctor.torch as fdt  # noqa: E402

QUIET = dict(report=False, verbose=False, budget=None)


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _data(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 10, generator=g)
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).float()


def _train(mon, model, opt, *, epochs=6, nan_at_step=None, call_step_before_opt=True, X=None, y=None):
    """A hand-written loop as users write it; returns the weights just before the NaN step."""
    if X is None:
        X, y = _data()
    step, before = 0, None
    for _ in range(epochs):
        for i in range(0, len(X), 32):
            loss = nn.functional.binary_cross_entropy_with_logits(model(X[i:i + 32]).squeeze(1), y[i:i + 32])
            if step == nan_at_step:
                loss = loss * float("nan")
                before = {k: v.clone() for k, v in model.state_dict().items()}
            opt.zero_grad()
            loss.backward()
            if call_step_before_opt:
                mon.step(loss)
            opt.step()
            if not call_step_before_opt:
                mon.step(loss)
            step += 1
            if mon.should_stop:
                break
        with torch.no_grad():
            out = model(X).squeeze(1)
            vl = nn.functional.binary_cross_entropy_with_logits(out, y)
        mon.epoch(val_loss=vl, val_accuracy=((out > 0).float() == y).float().mean())
        if mon.should_stop:
            break
    return before


def _mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))


@pytest.mark.parametrize("with_optimizer", [True, False])
def test_a_nan_is_caught_at_its_step_before_it_reaches_the_weights(with_optimizer):
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    mon = fdt.Monitor(model, opt if with_optimizer else None, **QUIET)
    before = _train(mon, model, opt, nan_at_step=20)
    mon.finish()
    assert mon.stop_reason == "non_finite"
    assert mon.history.meta["nonfinite_guard"]["step"] == 20
    after = model.state_dict()
    assert all(torch.equal(after[k], v) for k, v in before.items())  # no corrupted weights
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert "non_finite" in mon.diagnosis.codes
    events = [e for e in mon.events if e.code == "non_finite"]
    assert events and events[0].step == 2  # epoch 2 (8 steps an epoch): the epoch of step 20


def test_the_optimizer_hook_checks_even_when_step_is_called_after_optimizer_step():
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    mon = fdt.Monitor(model, opt, **QUIET)
    _train(mon, model, opt, nan_at_step=12, call_step_before_opt=False)
    mon.finish()
    assert mon.stop_reason == "non_finite"
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_probes_record_internals_at_their_cadence_and_detach():
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16), nn.Sigmoid(), nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), 0.1)
    mon = fdt.Monitor(model, opt, probe_every=4, **QUIET)
    _train(mon, model, opt, epochs=3)
    d = mon.finish()
    names = set(mon.history.series)
    assert {"grad_norm/0", "grad_norm/2", "grad_norm/4", "update_ratio/0", "dead_fraction/1",
            "saturated_fraction/3"} <= names
    assert list(mon.history.series["grad_norm/0"].steps) == [0, 4, 8, 12, 16, 20]
    assert mon.history.meta["layers"] == ["0", "2", "4"]
    # nothing left attached: no hooks on the modules or the optimizer
    assert not any(m._forward_hooks for m in model.modules())
    assert not opt._optimizer_step_pre_hooks and not opt._optimizer_step_post_hooks
    assert d is not None


def test_dead_relu_is_seen_through_the_probes():
    model = _mlp()
    with torch.no_grad():
        model[0].bias.fill_(-50.0)  # every unit off on every sample
    opt = torch.optim.SGD(model.parameters(), 0.01)
    mon = fdt.Monitor(model, opt, probe_every=2, **QUIET)
    _train(mon, model, opt, epochs=4)
    assert "dead_relu" in mon.finish().codes


def test_restore_best_puts_back_the_best_epoch_however_training_ended():
    X, y = _data(64)
    Xv, yv = _data(256, seed=1)
    model = nn.Sequential(nn.Linear(10, 256), nn.ReLU(), nn.Linear(256, 1))
    opt = torch.optim.Adam(model.parameters(), 3e-2)
    mon = fdt.Monitor(model, opt, restore_best=True, stop_on=(), **QUIET)
    best, best_state = math.inf, None
    for _ in range(25):
        for i in range(0, 64, 16):
            loss = nn.functional.binary_cross_entropy_with_logits(model(X[i:i + 16]).squeeze(1), y[i:i + 16])
            opt.zero_grad()
            loss.backward()
            mon.step(loss)
            opt.step()
        with torch.no_grad():
            vl = float(nn.functional.binary_cross_entropy_with_logits(model(Xv).squeeze(1), yv))
        if vl < best:
            best, best_state = vl, {k: v.clone() for k, v in model.state_dict().items()}
        mon.epoch(val_loss=vl)
    mon.finish()
    assert mon.tracker.best == pytest.approx(best)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in best_state.items())
    assert mon.history.meta["restored_best"]["value"] == pytest.approx(best)


def test_patience_stops_and_a_monitor_that_never_arrives_fails_loudly():
    mon = fdt.Monitor(patience=2, **QUIET)
    for v in (1.0, 0.8, 0.85, 0.9, 0.95):
        mon.epoch(loss=v, val_loss=v)
        if mon.should_stop:
            break
    assert mon.stop_reason == "early_stopping" and mon.stopped_at == 3
    mon = fdt.Monitor(monitor="val_acc", patience=3, **QUIET)
    with pytest.raises(BadInput, match=r"monitor='val_acc' is not among .*did you mean 'val_accuracy2'"):
        mon.epoch(loss=1.0, val_loss=1.0, val_accuracy2=0.5)
    mon = fdt.Monitor(monitor="val_loss", restore_best=False, patience=3, **QUIET)
    for v in (1.0, 0.8, 0.7):
        mon.epoch(loss=v)  # no validation at all
    with pytest.raises(BadInput, match="monitor='val_loss' is not among the metrics logged at any point"):
        mon.finish()


def test_context_manager_reports_and_writes_a_run_directory(tmp_path, capsys):
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    with fdt.Monitor(model, opt, out=tmp_path / "run", probe_every=5, budget=None) as mon:
        _train(mon, model, opt, epochs=5)
    printed = capsys.readouterr()
    assert "fitdoctor" in printed.out and "val_loss" in printed.out
    assert {"history.csv", "probes.csv", "meta.json", "diagnosis.json"} <= {p.name for p in (tmp_path / "run").iterdir()}
    again = fd.read(tmp_path / "run")
    assert np.allclose(again.series["val_loss"].values, mon.history.series["val_loss"].values)
    assert np.allclose(again.series["grad_norm/0"].values, mon.history.series["grad_norm/0"].values)
    assert fd.diagnose(again).codes == mon.diagnosis.codes


def test_sparse_step_runs_round_trip_through_the_run_directory(tmp_path):
    h = fd.RunHistory()
    for s in range(10, 110, 10):
        h.append(s, {"loss": 1.0 / s + 0.1}, axis="step")
        if s % 30 == 0:
            h.append(s, {"val_loss": 1.0 / s + 0.2}, axis="step")
    h.append(110, {"loss": float("nan")}, axis="step")
    base.write_live_run(tmp_path, fd.diagnose(h, partial=True))
    again = fd.read(tmp_path)
    assert again.axis == "step"
    assert list(again.series["val_loss"].steps) == [30, 60, 90]  # empty cells are not NaN points
    assert math.isnan(again.series["loss"].values[-1]) and len(again.series["loss"]) == 11


def test_options_are_checked_when_the_adapter_is_made():
    with pytest.raises(BadInput, match="did you mean 'diverging'"):
        fdt.Monitor(stop_on=("diverge",))
    with pytest.raises(BadInput, match="mode="):
        fdt.Monitor(mode="up", patience=2)
    with pytest.raises(BadInput, match="restore_best=True needs the model"):
        fdt.Monitor(restore_best=True)
    # each wrong value is named at construction: before, a bad threshold or mute code stopped
    # training at the first re-diagnosis, and a wrong type failed deep inside with a TypeError
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), 0.1)
    for kwargs, needle in (({"thresholds": {"nope": 1}}, "unknown threshold 'nope'"),
                           ({"thresholds": 5}, "expected a mapping"),
                           ({"mute": ["nope"]}, "unknown finding code 'nope'"),
                           ({"every": "2"}, "every='2': expected a whole number"),
                           ({"every": 1.5}, "every=1.5"),
                           ({"min_points": "3"}, "min_points='3'"),
                           ({"budget": "x"}, "budget='x'"),
                           ({"out": 5}, "out=5"),
                           ({"on_event": 5}, "on_event=5")):
        with pytest.raises(BadInput, match=re.escape(needle)):
            fdt.Monitor(model, opt, **kwargs)
    with pytest.raises(BadInput, match="the model comes first"):
        fdt.Monitor(opt, model)
    # one code as a plain string is that code, not its letters
    mon = fdt.Monitor(model, opt, mute="overfitting", stop_on="non_finite", **QUIET)
    assert mon.live.mute == ("overfitting",) and mon.live.stop_on == ("non_finite",)
    mon.detach()


def test_the_registry_names_the_extra_to_install(monkeypatch):
    import importlib.util

    assert base.load("torch").Monitor is fdt.Monitor
    with pytest.raises(BadInput, match="did you mean 'keras'"):
        base.load("kears")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "keras" else real(n, *a))
    with pytest.raises(MissingDependency, match=r"pip install 'fitdoctor\[keras\]'"):
        base.need("keras")


def test_budget_caps_the_share_of_time_spent_diagnosing():
    import time

    mon = fdt.Monitor(report=False, verbose=False, budget=0.01)
    for i in range(40):
        time.sleep(0.001)  # a very fast "epoch": diagnosing every one would cost far more than 1%
        mon.epoch(loss=1.0 / (i + 1), val_loss=1.1 / (i + 1))
    assert mon.live.n_skipped > 0
    mon.epoch(loss=float("nan"), val_loss=float("nan"))  # never skipped
    assert mon.stop_reason == "non_finite"


def test_a_clipped_loop_hands_over_its_norm_and_the_check_makes_no_pass_of_its_own(monkeypatch):
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    mon = fdt.Monitor(model, opt, **QUIET)
    calls = []
    real = torch._foreach_norm
    monkeypatch.setattr(torch, "_foreach_norm", lambda *a, **k: calls.append(1) or real(*a, **k))
    X, y = _data()
    for step in range(12):
        loss = nn.functional.binary_cross_entropy_with_logits(model(X[:32]).squeeze(1), y[:32])
        if step == 9:
            loss = loss * float("nan")
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=False)
        mon.step(loss, grad_norm=norm)
        opt.step()
        if mon.should_stop:
            break
    assert step == 9 and mon.stop_reason == "non_finite" and not calls
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_loss_mean_keeps_references_and_collapses_them():
    m = fdt.LossMean()
    vals = torch.rand(2500)
    for v in vals:
        m.add(v)
    assert len(m._held) < 1024 and m.n == 2500
    assert m.pop() == pytest.approx(float(vals.mean()), rel=1e-5)
    assert m.pop() is None
    m.add(float("nan"))
    m.add(1.0)
    assert math.isnan(m.pop())


class _NanGradOnce(torch.autograd.Function):
    """Identity forward; its backward returns NaN once: a fault in the middle of backward with
    a finite loss (what sqrt(0) or a bad custom op does)."""

    armed = False

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        if _NanGradOnce.armed:
            _NanGradOnce.armed = False
            return g * float("nan")
        return g


class _Poisoned(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a, self.b, self.c = nn.Linear(10, 32), nn.Linear(32, 32), nn.Linear(32, 1)

    def forward(self, x):
        h = torch.relu(self.a(x))
        h = _NanGradOnce.apply(torch.relu(self.b(h)))
        return self.c(h)


def test_the_default_check_reads_only_the_input_most_bias_yet_a_mid_backward_nan_is_caught_at_its_step():
    """The bias gradients below the fault carry the NaN: caught at the step it appears (the
    loss is finite), with the weights untouched. In a plain stack every node of the backward
    graph reaches the first layer's bias, so after the first step that bias is all the check
    reads on most steps (all gradients every FULL_EVERY steps)."""
    model = _Poisoned()
    opt = torch.optim.SGD(model.parameters(), 0.05)
    mon = fdt.Monitor(model, opt, **QUIET)
    assert mon.guard.sentinels and not mon.guard.full
    assert {n for n, _ in mon.guard.sentinels} == {"a.bias", "b.bias", "c.bias"}
    X, y = _data()
    for step in range(10):
        loss = nn.functional.binary_cross_entropy_with_logits(model(X[:32]).squeeze(1), y[:32])
        if step == 7:
            _NanGradOnce.armed = True
            before = {k: v.clone() for k, v in model.state_dict().items()}
        opt.zero_grad()
        loss.backward()
        mon.step(loss)
        if step == 0:
            assert mon.guard._sentinel_tensors == [model.a.bias]
        opt.step()
        if mon.should_stop:
            break
    assert step == 7 and mon.stop_reason == "non_finite" and math.isfinite(loss.item())
    assert all(torch.equal(model.state_dict()[k], v) for k, v in before.items())


class _TwoTowers(nn.Module):
    """Two inputs, each through its own layers, joined at the head: no single bias lies below
    every node of the backward graph."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.left, self.right = nn.Linear(5, 16), nn.Linear(5, 16)
        self.mid = nn.Linear(16, 16)
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        a = torch.relu(self.left(x[:, :5]))
        b = _NanGradOnce.apply(torch.relu(self.mid(torch.relu(self.right(x[:, 5:])))))
        return self.head(torch.cat([a, b], dim=1))


def test_a_model_with_two_branches_keeps_a_sentinel_in_each_and_catches_a_nan_in_either():
    model = _TwoTowers()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    mon = fdt.Monitor(model, opt, **QUIET)
    X, y = _data()
    for step in range(6):
        loss = nn.functional.binary_cross_entropy_with_logits(model(X[:32]).squeeze(1), y[:32])
        if step == 4:
            _NanGradOnce.armed = True  # in the right branch only: the left bias stays finite
            before = {k: v.clone() for k, v in model.state_dict().items()}
        opt.zero_grad()
        loss.backward()
        mon.step(loss)
        if step == 0:
            assert {id(t) for t in mon.guard._sentinel_tensors} == {id(model.left.bias), id(model.right.bias)}
        opt.step()
        if mon.should_stop:
            break
    assert step == 4 and mon.stop_reason == "non_finite"
    assert all(torch.equal(model.state_dict()[k], v) for k, v in before.items())


def test_a_nan_in_one_weight_matrix_only_waits_for_the_next_full_check_unless_full():
    """The one case the biases cannot see: a NaN in a weight's own gradient. The full check
    (every FULL_EVERY steps, or every step with check_grads='full') catches it."""
    from fitdoctor.integrations.torch import FULL_EVERY, GradGuard

    model = _mlp()
    X, y = _data()
    nn.functional.binary_cross_entropy_with_logits(model(X[:32]).squeeze(1), y[:32]).backward()
    model[0].weight.grad[0, 0] = float("nan")
    g = GradGuard(model)
    assert not g.check()                       # the first check of a run is a full one
    assert all(g.check() for _ in range(FULL_EVERY - 1))
    assert not g.check()                       # ... and so is every FULL_EVERY-th
    assert not GradGuard(model, full=True).check() and g.first_bad() == "0.weight"
    with pytest.raises(BadInput, match="check_grads='some'"):
        fdt.Monitor(model, check_grads="some", **QUIET)


def test_between_full_checks_the_guard_trusts_the_layout_it_saw_and_falls_back_when_it_changes():
    """After a full check the sentinel steps skip the per-gradient device/type look (24 biases
    and norm scales in a small BERT); a sentinel gradient that goes missing, or a NaN in one,
    is still handled on the next step."""
    from fitdoctor.integrations.torch import GradGuard

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    guard = GradGuard(model)
    X = torch.randn(16, 4)

    def backward():
        model.zero_grad()
        loss = model(X).pow(2).mean()
        loss.backward()
        return loss

    assert guard.check(backward()) and guard._layout == (torch.device("cpu"), torch.float32)  # full check
    assert guard.check(backward()) and guard._layout is not None  # a sentinel step on the saved layout
    backward()
    model[2].bias.grad = None  # a layer frozen mid-run: the fast path steps aside
    assert guard.check(None) and guard._layout is None
    for _ in range(guard.full_every):  # the next full check saves the layout again
        assert guard.check(backward())
        if guard._layout is not None:
            break
    assert guard._layout is not None and guard._calls % guard.full_every == 1
    backward()
    model[0].bias.grad[0] = float("nan")
    assert not guard.check(None)  # caught on a sentinel step, on the saved layout


@pytest.mark.parametrize("with_optimizer", [True, False])
def test_the_monitor_does_not_keep_the_last_step_s_graph_alive(with_optimizer):
    """A loss handed to ``step`` is kept without its autograd graph: the graph is freed where
    the loop drops the loss, as it would be without the monitor, and the loss mean still
    comes out right."""
    import weakref

    model = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    mon = fdt.Monitor(model, opt if with_optimizer else None, **QUIET)
    X, y = _data(64)
    losses = []
    for _ in range(3):
        loss = nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(1), y)
        opt.zero_grad()
        loss.backward()
        mon.step(loss)
        opt.step()
        losses.append(float(loss))
    ref = weakref.ref(loss)
    del loss
    assert ref() is None, "the monitor still holds the loss tensor and its graph"
    mon.epoch(val_loss=0.5)
    assert mon.live.history.series["loss"].values[-1] == pytest.approx(np.mean(losses), rel=1e-6)
    mon.detach()


def test_a_dropped_nan_loss_is_told_as_such_not_as_exploding_updates():
    """One bad batch (its loss NaN) in a run that goes on (stop_on=()): the guard drops the
    step, and the verdict says so; it used to add 'the updates exploded (learning rate,
    gradients)' and an exploding_gradients finding, though no update ever happened."""
    torch.manual_seed(0)
    X = torch.randn(256, 8)
    y = (X[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    mon = fdt.Monitor(model, opt, stop_on=(), **QUIET)
    step = 0
    for _ in range(4):
        for i in range(0, 256, 32):
            loss = nn.functional.cross_entropy(model(X[i:i + 32]), y[i:i + 32])
            if step == 13:
                loss = loss * float("nan")
            opt.zero_grad()
            loss.backward()
            mon.step(loss)
            opt.step()
            step += 1
        mon.epoch(val_loss=nn.functional.cross_entropy(model(X), y).item())
    d = mon.finish()
    assert mon.history.meta["nonfinite_guard"]["where"] == "loss"
    top = d.findings[0]
    assert top.code == "non_finite" and "optimizer step 13" in top.message
    assert "caught before the update" in top.message and "exploded" not in top.message
    assert "training went on" in top.message and "exploding_gradients" not in d.codes


def _narrowed(model, loss_fn):
    guard = fdt.GradGuard(model)
    X, _ = _data()
    loss = loss_fn(model, X[:16])
    loss.backward()
    guard.narrow(loss.grad_fn)
    return {n for n, p in guard.sentinels if any(p is t for t in guard._sentinel_tensors)}


def test_narrowing_keeps_what_the_loss_graph_does_not_show():
    """A head trained by its own backward is not in the main loss's graph: its bias is kept.
    A norm layer's scale and shift hang off one node and still narrow; a custom Function over
    two layers' parameters hides their order, so nothing is left out."""
    torch.manual_seed(0)
    main, aux = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 1)), nn.Linear(10, 1)
    both = nn.ModuleDict({"main": main, "aux": aux})
    kept = _narrowed(both, lambda m, x: m["main"](x).pow(2).mean())
    assert kept == {"main.0.bias", "aux.bias"}

    normed = nn.Sequential(nn.Linear(10, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 1))
    assert _narrowed(normed, lambda m, x: m(x).pow(2).mean()) == {"0.bias"}

    class TwoLayers(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w1, b1, w2, b2):
            ctx.save_for_backward(x, w1, b1, w2, b2)
            return torch.relu(x @ w1.t() + b1) @ w2.t() + b2

        @staticmethod
        def backward(ctx, g):
            x, w1, b1, w2, b2 = ctx.saved_tensors
            with torch.enable_grad():
                xs, ps = x.detach(), [t.detach().requires_grad_() for t in (w1, b1, w2, b2)]
                out = torch.relu(xs @ ps[0].t() + ps[1]) @ ps[2].t() + ps[3]
                return (None, *torch.autograd.grad(out, ps, g))

    opaque = nn.ModuleDict({"a": nn.Linear(10, 8), "b": nn.Linear(8, 1)})
    fn = lambda m, x: TwoLayers.apply(x, m["a"].weight, m["a"].bias, m["b"].weight, m["b"].bias).pow(2).mean()  # noqa: E731
    assert _narrowed(opaque, fn) == {"a.bias", "b.bias"}


def test_a_nan_in_a_branch_without_biases_is_caught_by_the_loss_read_at_its_step():
    """No sentinel bias sees a branch of bias-free layers under a loss that is a plain mean (its
    gradient stays finite): the loss read beside the sentinels catches the NaN at its step.
    (Dropping that read between full checks let it into the weights: found in review.)"""
    torch.manual_seed(0)

    class TwoBranch(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(64, 1)
            self.b = torch.nn.Linear(64, 1, bias=False)

        def forward(self, x, z):
            return self.a(x).mean() + self.b(z).mean()

    model = TwoBranch()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    mon = fdt.Monitor(model, opt, report=False, verbose=False)
    for i in range(10):
        x, z = torch.randn(8, 64), torch.randn(8, 64)
        if i == 5:
            z[0, 0] = float("nan")
            before = model.b.weight.detach().clone()
        loss = model(x, z)
        opt.zero_grad()
        loss.backward()
        mon.step(loss)
        opt.step()
        if mon.should_stop:
            break
    mon.detach()
    assert i == 5 and mon.should_stop
    assert torch.equal(model.b.weight, before)

