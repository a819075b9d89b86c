"""Diagnose a hand-written PyTorch loop while it trains.

    import fitdoctor.torch as fdt

    with fdt.Monitor(model, optimizer) as mon:          # report at the end of the block
        for epoch in range(epochs):
            for x, y in loader:
                loss = loss_fn(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                mon.step(loss)                           # records the loss (no sync)
                optimizer.step()                         # checked first: a NaN gradient is dropped
                if mon.should_stop:
                    break
            mon.epoch(val_loss=evaluate(model), val_accuracy=acc)
            if mon.should_stop:
                break

The gradient check runs before ``optimizer.step()``: through the optimizer's step pre-hook when
the optimizer is given, else inside :meth:`Monitor.step` (then call it between ``backward()``
and ``optimizer.step()``). A non-finite gradient is dropped (``p.grad = None``, so the step
leaves the weights and the optimizer state untouched), reported as ``non_finite`` at once, and
stops training by default. Each step it reads the gradients of a few small parameters only
(biases, norm scales: a NaN or inf anywhere in the backward pass flows through every bias
below it): after the first ``backward()`` it walks the graph once and keeps the fewest that
every node reaches (the input-most bias of a plain stack; one per branch of a model with
several). Every ``FULL_EVERY`` steps it reads all of them: one fused norm and one host sync,
a small share of what ``clip_grad_norm_`` costs. A graph that changes shape between steps
(a branch taken only sometimes) is covered by that full check. A loop that clips already has the full
norm: pass it, ``mon.step(loss, grad_norm=clip_grad_norm_(...))``, and every step is a full
check at no cost. ``check_grads="full"`` checks every gradient every step.
``check_grads=False`` turns it off (epoch level; with a ``GradScaler``, which already skips
steps whose gradients overflowed, pass ``check_grads=False`` too).

Probes: every ``probe_every`` optimizer steps (0: never) forward hooks are attached for one
step and read, per layer, the gradient norm, the update/weight ratio (with the optimizer), the
dead-ReLU share (``nn.ReLU`` modules) and the saturated share (``nn.Sigmoid``/``nn.Tanh``);
between probe steps no hook is attached. :meth:`Monitor.detach` removes every hook.

:class:`GradGuard` (the check alone) is shared with the Lightning and Hugging Face adapters.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from fitdoctor.integrations.base import DEFAULT_BUDGET, DEFAULT_STOP, LiveAdapter, need

need("torch")
import torch  # noqa: E402
from torch import nn  # noqa: E402

#: |pre-activation| beyond which sigmoid/tanh sit in their flat tails (as the trainer's probes).
SATURATION_Z = 5.0
#: layers whose weight gradients and updates are probed
PROBED_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Embedding, nn.LSTM, nn.GRU, nn.RNN)
RELU_LIKE = (nn.ReLU, nn.ReLU6)
SATURATING = (nn.Sigmoid, nn.Tanh)


#: every this many checks the guard reads all gradients, not only the sentinels
FULL_EVERY = 64


def grad_check_mode(check_grads: Any) -> str | None:
    """``True`` -> "sentinels" (the default), ``"full"`` -> "full", ``False`` -> None."""
    from fitdoctor.errors import BadInput

    if check_grads is True:
        return "sentinels"
    if check_grads is False or check_grads is None:
        return None
    if check_grads == "full":
        return "full"
    raise BadInput(f"check_grads={check_grads!r}: expected True (biases every step, all gradients every "
                   f"{FULL_EVERY} steps), 'full' (all gradients every step) or False")


def _plain(t: torch.Tensor) -> torch.Tensor:
    """``t`` without autograd history (no new tensor when it has none: one kernel less a step)."""
    return t.detach() if t.requires_grad else t


class GradGuard:
    """Check a model's gradients for NaN/inf before the optimizer step, and drop them if so.

    The fast path is one fused L2-norm reduction over all gradients (what gradient clipping
    computes; NaN and inf propagate) and one host sync, with the step's loss folded into the
    same sync. A norm that overflowed although every gradient is finite (elements beyond
    ~1e19) is told apart by an element-wise look, taken only then: not a NaN, left to the
    ``exploding_gradients`` rule. (A max-abs norm cannot overflow, but on CPU it costs ten
    times more.)
    """

    def __init__(self, model: nn.Module | Iterable[tuple[str, torch.Tensor]], *, full: bool = False,
                 full_every: int | None = None):
        named = model.named_parameters() if isinstance(model, nn.Module) else model
        self.params = [(n, p) for n, p in named if p.requires_grad]
        # sentinels: the 1-D parameters (biases, norm scales). Backpropagation reaches every
        # bias below the point where a NaN/inf appears, so they see it at a fraction of the cost.
        # A model without any checks everything.
        self.sentinels = [(n, p) for n, p in self.params if p.dim() <= 1]
        self._sentinel_tensors = [p for _, p in self.sentinels]
        sentinel_size = sum(p.numel() for _, p in self.sentinels)
        total_size = sum(p.numel() for _, p in self.params)
        self.full = bool(full) or not self.sentinels or sentinel_size * 4 > total_size
        self.full_every = max(1, int(full_every or FULL_EVERY))
        self._calls = 0
        self._sentinels_1d = all(p.dim() == 1 for _, p in self.sentinels)
        # (device, dtype) every sentinel gradient had at the last full check, when they were
        # all dense and alike: the steps between full checks then skip that per-tensor look
        self._layout: tuple[Any, Any] | None = None
        #: whether :meth:`narrow` has looked at the backward graph (once)
        self.narrowed = False

    def narrow(self, grad_fn: Any) -> None:
        """Read between full checks only the fewest sentinels that every node of the backward
        graph reaches (``grad_fn``: the loss's, read once). A NaN born anywhere flows down to
        the inputs, so in a plain stack of layers the input-most bias alone sees all of them;
        each branch of a model with several adds its own. A node that reaches no sentinel is
        left to the loss and to the full check. The graph is walked once, after the first
        ``backward()``: its shape, not its saved tensors, is what is read."""
        self.narrowed = True
        if self.full or grad_fn is None or len(self._sentinel_tensors) < 2:
            return
        index = {id(p): i for i, p in enumerate(self._sentinel_tensors)}
        owner = {id(p): n.rsplit(".", 1)[0] if "." in n else "" for n, p in self.sentinels}
        reach: dict[Any, int] = {}
        stack: list[tuple[Any, bool]] = [(grad_fn, False)]
        while stack:  # post-order, without recursion (graphs can be thousands of nodes deep)
            node, done = stack.pop()
            if done:
                bits, direct = 0, set()
                for nxt, _ in node.next_functions:
                    if nxt is not None:
                        bits |= reach.get(nxt, 0)
                        var = getattr(nxt, "variable", None)
                        if var is not None and id(var) in index:
                            direct.add(owner[id(var)])
                if len(direct) >= 2:
                    # one node straight onto the biases of several modules (a norm layer's scale
                    # and shift are one module's): a compiled graph or a custom Function hides
                    # the order inside it, so nothing can be left out
                    return
                var = getattr(node, "variable", None)
                if var is not None and id(var) in index:
                    bits |= 1 << index[id(var)]
                reach[node] = bits
                continue
            if node in reach:
                continue
            reach[node] = 0  # visiting
            stack.append((node, True))
            stack.extend((nxt, False) for nxt, _ in node.next_functions if nxt is not None and nxt not in reach)
        need = {bits for node, bits in reach.items() if bits and getattr(node, "variable", None) is None}
        if not need:
            return
        # a bias this loss's graph never reaches (an auxiliary head trained by its own backward,
        # the inside of a reentrant checkpoint) is kept: nothing here says what covers it
        seen = 0
        for bits in reach.values():
            seen |= bits
        chosen: list[int] = [i for i in range(len(self._sentinel_tensors)) if not seen >> i & 1]
        while need:  # greedy cover: the sentinel reached from the most uncovered nodes first
            counts: dict[int, int] = {}
            for bits in need:
                i = 0
                while bits:
                    if bits & 1:
                        counts[i] = counts.get(i, 0) + 1
                    bits >>= 1
                    i += 1
            best = max(counts, key=lambda i: (counts[i], -i))  # ties: the input-most
            chosen.append(best)
            need = {bits for bits in need if not bits >> best & 1}
        self._sentinel_tensors = [self._sentinel_tensors[i] for i in sorted(chosen)]

    def grads(self, params: list[tuple[str, torch.Tensor]] | None = None) -> list[torch.Tensor]:
        return [p.grad for _, p in (self.params if params is None else params) if p.grad is not None]

    def check(self, loss: torch.Tensor | None = None, norm: Any = None) -> bool:
        """True when the gradients checked this step (and ``loss``) are finite. ``norm``: the
        total gradient norm the loop already computed (what ``clip_grad_norm_`` returns): then
        no pass of our own."""
        self._calls += 1
        full = self.full or (self._calls - 1) % self.full_every == 0
        if not full and norm is None and self._layout is not None:
            fast = self._sentinels_finite(loss)
            if fast is not None:
                return fast or self._finite_after_all(loss)
        grads = [] if norm is not None else self.grads(None if full else self.sentinels)
        lt = _plain(loss).reshape(1) if isinstance(loss, torch.Tensor) and loss.numel() == 1 else None
        uniform = bool(grads) and all(g.device == grads[0].device and g.dtype == grads[0].dtype
                                      and not g.is_sparse for g in grads)
        # the loss is folded into the same reduction when the gradients allow one
        extra = [lt.to(grads[0].device, grads[0].dtype)] if uniform and lt is not None else []
        total = None
        if norm is not None:
            total = norm.detach().float().reshape(()) if isinstance(norm, torch.Tensor) else torch.tensor(float(norm))
        elif uniform and not full:
            # the sentinels are small: one concatenation and one sum is the fewest kernels
            # (each costs tens of microseconds right after backward, when caches are cold)
            total = torch.cat([g.reshape(-1) for g in grads] + extra).sum()
        elif uniform:
            total = torch.stack(torch._foreach_norm(grads + extra, 2)).sum()  # one fused kernel
        elif grads:
            total = torch.nn.utils.get_total_norm(grads, norm_type=2.0)
        if lt is not None and not extra:
            lt0 = lt.float().reshape(())
            total = lt0 if total is None else total.float() + lt0.to(total.device)
        if norm is None and not self.full and grads:
            self._layout = (grads[0].device, grads[0].dtype) if uniform and len(grads) == len(self.params) \
                and self._sentinels_1d else None
        if total is None or math.isfinite(total.item()):
            return True
        return self._finite_after_all(loss)

    def _sentinels_finite(self, loss: torch.Tensor | None) -> bool | None:
        """The steps between full checks: the sentinel gradients (and the loss) summed in one
        concatenation. None when that no longer works (a gradient missing, on another device
        or sparse): the general path then. Nothing is looked at per tensor: every attribute
        read or no-op kernel right after ``backward()`` costs microseconds on a cold cache,
        and ``torch.cat`` itself refuses what does not fit (a dtype that differs is promoted)."""
        grads = [p.grad for p in self._sentinel_tensors]
        try:
            if len(grads) == 1 and grads[0].device.type == "cpu":
                # one sum and the loss's own read: fewer kernels than a concatenation, and on a
                # CPU a second read waits for nothing (on a GPU the concatenation's one sync wins)
                return math.isfinite(grads[0].sum().item()) and \
                    (not isinstance(loss, torch.Tensor) or math.isfinite(loss.item()))
            if isinstance(loss, torch.Tensor):
                grads.append(_plain(loss).reshape(-1))
            return math.isfinite(torch.cat(grads).sum().item())
        except (TypeError, RuntimeError, AttributeError):  # None (a missing gradient), another device, sparse
            self._layout = None
            return None

    def _finite_after_all(self, loss: Any) -> bool:
        """A sum that is not finite: NaN/inf in a gradient or the loss, or a finite sum that
        overflowed (elements beyond ~1e19: not a NaN, left to the ``exploding_gradients`` rule)."""
        loss_bad = isinstance(loss, torch.Tensor) and not bool(torch.isfinite(loss.detach()).all())
        return not loss_bad and self.first_bad() is None

    def first_bad(self) -> str | None:
        """The first parameter (input side first) whose gradient is not finite."""
        for name, p in self.params:
            if p.grad is not None and not bool(torch.isfinite(p.grad).all()):
                return name
        return None

    def drop(self) -> None:
        """Forget every gradient: the next optimizer step changes nothing."""
        for _, p in self.params:
            p.grad = None


class LossMean:
    """The mean of the losses of an epoch, kept on their device: a step only keeps a reference
    (no kernel, no sync); every 1024 steps they are summed into one tensor; :meth:`pop` reads
    the mean (one sync) and starts over."""

    def __init__(self) -> None:
        self._held: list[torch.Tensor] = []
        self._sum: torch.Tensor | None = None
        self.n = 0

    def add(self, loss: Any) -> None:
        if isinstance(loss, torch.Tensor):
            if loss.numel() != 1:
                return
            self._held.append(_plain(loss))
        else:
            self._held.append(torch.tensor(float(loss)))
        self.n += 1
        if len(self._held) >= 1024:
            self._collapse()

    def _collapse(self) -> None:
        if self._held:
            part = torch.stack([t.reshape(()).float().to(self._held[0].device) for t in self._held]).sum()
            self._sum = part if self._sum is None else self._sum + part.to(self._sum.device)
            self._held = []

    def pop(self) -> float | None:
        if not self.n:
            return None
        self._collapse()
        mean = float((self._sum / self.n).item())
        self._sum, self.n = None, 0
        return mean


class _Probes:
    """Forward hooks attached for one step in ``every``, and the per-layer readings."""

    def __init__(self, model: nn.Module, every: int):
        self.model = model
        self.every = every
        self.layers = [(n, m) for n, m in model.named_modules() if isinstance(m, PROBED_LAYERS)]
        self.acts = [(n, m) for n, m in model.named_modules() if isinstance(m, RELU_LIKE + SATURATING)]
        self.handles: list[Any] = []
        self.readings: dict[str, torch.Tensor] = {}
        self._before: list[torch.Tensor] | None = None

    def due(self, step: int) -> bool:
        return self.every > 0 and step % self.every == 0

    def attach(self) -> None:
        """Hooks for the next forward pass only."""
        if self.handles or not self.acts:
            return
        self.readings = {}
        for name, mod in self.acts:
            self.handles.append(mod.register_forward_hook(self._hook(name, isinstance(mod, RELU_LIKE))))

    def _hook(self, name: str, relu: bool):
        def hook(mod, inputs, output):
            if not mod.training:
                return
            if relu:
                key = f"dead_fraction/{name}"
                if key not in self.readings and output.dim() >= 1:
                    out = output.detach()
                    flat = out.reshape(out.shape[0], -1) if out.dim() > 1 else out.reshape(-1, 1)
                    self.readings[key] = (flat <= 0).all(dim=0).float().mean()
            else:
                key = f"saturated_fraction/{name}"
                if key not in self.readings and inputs:
                    self.readings[key] = (inputs[0].detach().abs() > SATURATION_Z).float().mean()
        return hook

    def detach(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def read_grads(self) -> None:
        for name, mod in self.layers:
            w = getattr(mod, "weight", None)
            if w is None:
                w = next((p for p in mod.parameters() if p.grad is not None), None)
            if w is not None and w.grad is not None:
                self.readings[f"grad_norm/{name}"] = torch.linalg.vector_norm(w.grad.detach().float())

    def weights(self) -> list[torch.Tensor | None]:
        return [getattr(m, "weight", None) for _, m in self.layers]

    def before_update(self) -> None:
        self._before = [w.detach().clone() if w is not None else None for w in self.weights()]

    def after_update(self) -> None:
        if self._before is None:
            return
        for (name, _), w0, w in zip(self.layers, self._before, self.weights()):
            if w0 is None or w is None:
                continue
            den = torch.linalg.vector_norm(w0.float())
            num = torch.linalg.vector_norm(w.detach().float() - w0.float())
            self.readings[f"update_ratio/{name}"] = torch.where(den > 0, num / den, torch.full_like(den, float("nan")))
        self._before = None

    def collect(self) -> dict[str, float]:
        """The readings as floats (one sync), and forget them."""
        if not self.readings:
            return {}
        keys = list(self.readings)
        vals = torch.stack([self.readings[k].float().to("cpu") for k in keys]).tolist()
        self.readings = {}
        return dict(zip(keys, vals))


class Monitor(LiveAdapter):
    """Watch a plain PyTorch training loop: the loss per step, metrics per epoch, gradients before
    each optimizer step, and (sampled) probes inside the network. See the module docstring.

    ``model``: the network (for the gradient check, probes and ``restore_best``; None to watch
    the metrics only); ``optimizer``: hook the gradient check (and update/weight ratios) onto its
    ``step()``; ``probe_every``: probe one optimizer step in this many (0: never);
    ``check_grads``: check gradients before every step. Other options as for every integration
    (:class:`~fitdoctor.integrations.base.LiveAdapter`).
    """

    framework = "torch"

    def __init__(self, model: nn.Module | None = None, optimizer: torch.optim.Optimizer | None = None, *,
                 probe_every: int = 0, check_grads: bool | str = True, every: int = 1,
                 stop_on: tuple[str, ...] | list[str] = DEFAULT_STOP, monitor: str = "val_loss",
                 mode: str = "auto", min_delta: float = 0.0, patience: int | None = None,
                 restore_best: bool = False, out: Any = None, report: bool = True, verbose: bool = True,
                 budget: float | None = DEFAULT_BUDGET, min_points: int = 3, thresholds: Any = None,
                 mute: tuple[str, ...] | list[str] = (), on_event: Any = None) -> None:
        from fitdoctor.errors import BadInput

        if model is not None and not isinstance(model, nn.Module):
            which = "an optimizer: the model comes first, Monitor(model, optimizer)" \
                if isinstance(model, torch.optim.Optimizer) else "expected a torch.nn.Module or None"
            raise BadInput(f"Monitor(model={type(model).__name__}): {which}")
        if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
            raise BadInput(f"Monitor(optimizer={type(optimizer).__name__}): expected a torch.optim.Optimizer or None")
        if restore_best and model is None:
            raise BadInput("restore_best=True needs the model: Monitor(model, ...)")
        if not isinstance(probe_every, int) or probe_every < 0:
            raise BadInput(f"probe_every={probe_every!r}: expected a number of steps >= 0 (0: no probes)")
        if probe_every and model is None:
            raise BadInput("probes need the model: Monitor(model, probe_every=...)")
        self.model = model
        self.optimizer = optimizer
        self.check_grads = grad_check_mode(check_grads) is not None and model is not None
        self.guard = GradGuard(model, full=grad_check_mode(check_grads) == "full") if model is not None else None
        self.probes = _Probes(model, probe_every) if probe_every and model is not None else None
        self._hooks: list[Any] = []
        super().__init__(every=every, stop_on=stop_on, monitor=monitor, mode=mode, min_delta=min_delta,
                         patience=patience, restore_best=restore_best, out=out, report=report,
                         verbose=verbose, budget=budget, min_points=min_points, thresholds=thresholds,
                         mute=mute, on_event=on_event)
        self._n_step = 0          # optimizer steps seen
        self._n_epoch = 0         # epochs closed
        self._losses = LossMean()
        self._checked_at = -1     # the step whose gradients were checked
        self._probing = False
        if model is not None:
            self.live.history.meta["run"] = f"torch {type(model).__name__}"
        if self.probes is not None:
            self.live.history.meta["layers"] = [n for n, _ in self.probes.layers]
            self.live.history.meta["probe_every"] = probe_every
            if self.probes.due(0):
                self.probes.attach()
                self._probing = True
        if optimizer is not None and (self.check_grads or self.probes is not None):
            self._hooks.append(optimizer.register_step_pre_hook(self._pre_step))
            self._hooks.append(optimizer.register_step_post_hook(self._post_step))

    # ------------------------------------------------------------------ the loop's calls
    def step(self, loss: torch.Tensor | float | None = None, grad_norm: Any = None) -> bool:
        """One training step: record ``loss`` (kept on its device; no sync); without an
        optimizer hook, check the gradients now. ``grad_norm``: the total norm the loop already
        has (``clip_grad_norm_``'s result), so the check costs no pass over the gradients. False
        when the gradients were not finite (they were dropped: ``optimizer.step()`` changes
        nothing)."""
        self._last_norm = grad_norm
        if isinstance(loss, torch.Tensor):
            if self.guard is not None and not self.guard.narrowed:
                self.guard.narrow(loss.grad_fn)
            # kept without its graph: the graph is freed where the loop drops ``loss``, as
            # without the monitor, not inside the next hook (freeing it costs tens of us)
            loss = _plain(loss)
        if loss is not None:
            self._losses.add(loss)
        self._last_loss = loss
        ok = True
        if self.optimizer is None or not self._hooks:
            ok = self._before_update(loss)
            if self._probing:
                self._finish_probe()
            self._advance()
        return ok

    def epoch(self, **metrics: Any):
        """Close an epoch: the mean of the losses given to :meth:`step` (as ``loss``, unless
        ``loss`` is passed) and ``metrics`` (``val_loss=...``, ``val_accuracy=...``). Returns the
        events this caused."""
        logs: dict[str, Any] = {}
        mean = self._losses.pop()
        if mean is not None and "loss" not in metrics:
            logs["loss"] = mean
        logs.update(metrics)
        events = self._feed(self._n_epoch, logs, where=f"epoch {self._n_epoch}")
        self._n_epoch += 1
        return events

    def finish(self):
        """Detach every hook; restore the best weights if asked; the end-of-run diagnosis."""
        self.detach()
        if self._losses.n:  # steps after the last epoch() call
            self.epoch()
        return self._end()

    def detach(self) -> None:
        for h in self._hooks:
            h.remove()
        self._hooks = []
        if self.probes is not None:
            self.probes.detach()

    def __enter__(self) -> "Monitor":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.detach()
        if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
            self.finish()

    # ------------------------------------------------------------------ internals
    def _pre_step(self, optimizer, args, kwargs) -> None:
        self._before_update(getattr(self, "_last_loss", None))
        if self._probing and self.probes is not None:
            self.probes.before_update()

    def _before_update(self, loss: Any) -> bool:
        if self._probing and self.probes is not None:
            self.probes.read_grads()
        return self._check(loss)

    def _post_step(self, optimizer, args, kwargs) -> None:
        if self._probing and self.probes is not None:
            self.probes.after_update()
            self._finish_probe()
        self._last_loss = None
        self._last_norm = None
        self._advance()

    def _check(self, loss: Any) -> bool:
        if not self.check_grads or self.guard is None or self._checked_at == self._n_step:
            return True
        self._checked_at = self._n_step
        lt = loss if isinstance(loss, torch.Tensor) else None
        if self.guard.check(lt, getattr(self, "_last_norm", None)):
            return True
        layer = self.guard.first_bad()
        lv = float(lt.detach().float().item()) if lt is not None else None
        self.guard.drop()
        self._nonfinite_gradients(self._n_epoch, loss=lv, layer=layer, at_step=self._n_step)
        return False

    def _finish_probe(self) -> None:
        assert self.probes is not None
        self.probes.detach()
        vals = self.probes.collect()
        if vals:
            for k, v in vals.items():
                self.live.history.append(self._n_step, {k: v}, axis="step", raw=True)
        self._probing = False

    def _advance(self) -> None:
        self._n_step += 1
        if self.probes is not None and self.probes.due(self._n_step):
            self.probes.attach()
            self._probing = True

    def _snapshot(self) -> Any:
        assert self.model is not None
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def _restore(self, state: Any) -> None:
        assert self.model is not None
        self.model.load_state_dict(state)

    def _request_stop(self) -> None:
        pass  # the loop reads should_stop


__all__ = ["Monitor", "GradGuard", "LossMean", "grad_check_mode"]
