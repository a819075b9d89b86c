"""Rules that look inside the network: gradients, dead units, saturation, update sizes.

They read the probe series the built-in trainer (or an integration) records on the
step axis: ``grad_norm/<layer>``, ``update_ratio/<layer>``, ``dead_fraction/<layer>``,
``saturated_fraction/<layer>``. Layers are ordered input -> output (``meta['layers']``
when known, else the order the series were added). A run without probes gets no
finding from here. Every cut-off is a named constant below, chosen from planted
faults against well-configured runs (benchmarks/bench_internals.py prints both).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import codes as _codes
from fitdoctor.diagnose.base import Context, rule
from fitdoctor.remedies import remedies_for
from fitdoctor.findings import Finding, Remedy
from fitdoctor.history import Series

#: first-layer / output-layer gradient norm below this (3 orders of magnitude) = vanishing.
VANISH_RATIO = 1e-3
#: any hidden layer's median gradient norm below this is vanishing whatever the ratio.
VANISH_ABS = 1e-7
#: a layer's gradient norm growing by this factor over its early level = exploding.
EXPLODE_GROWTH = 1e3
#: or exceeding this absolute bound at its peak after having grown at least 10x.
EXPLODE_ABS = 1e4
#: share of a ReLU layer's units dead on a whole batch (median over the later half).
DEAD_SHARE = 0.7
#: share of sigmoid/tanh pre-activations with |z| > 5 (median over the run).
SATURATED_SHARE = 0.5
#: median update/weight ratio (later half, median over layers) above: lr too high. The
#: classic 1e-3 rule of thumb is for SGD; Adam at its default lr already moves a small
#: layer (rms weight ~0.1) by ~1e-2 per step, so the cut sits at 3e-2 to spare it ...
UPDATE_HIGH = 3e-2
#: ... and below: lr too low.
UPDATE_LOW = 1e-5
#: fewer probe samples than this: no verdict.
MIN_SAMPLES = 3



def _layer_series(ctx: Context, kind: str) -> list[tuple[str, Series]]:
    """(layer, series) for one probe kind, ordered input -> output."""
    s = ctx.history.series
    found = [(k.split("/", 1)[1], v) for k, v in s.items() if k.startswith(kind + "/")]
    order = ctx.history.meta.get("layers")
    if order:
        pos = {name: i for i, name in enumerate(order)}
        found.sort(key=lambda t: pos.get(t[0], len(pos)))
    return found


def _finite(v: np.ndarray) -> np.ndarray:
    return v[np.isfinite(v)]


def _span(ctx: Context, series: list[tuple[str, Series]]) -> tuple[float, float] | None:
    """The probed stretch on the run's own axis: epochs when the steps per epoch are known."""
    steps = np.concatenate([s.steps for _, s in series])
    first, last = float(steps.min()), float(steps.max())
    spe = ctx.history.meta.get("steps_per_epoch")
    if ctx.history.axis == "step":
        return first, last
    if spe:
        return float(first // spe), float(last // spe)
    return None  # probe steps cannot be placed on an epoch axis


def _later_half(v: np.ndarray) -> np.ndarray:
    return v[len(v) // 2:] if len(v) >= 2 * MIN_SAMPLES else v


def _f(x: float) -> float:
    return float(f"{x:.4g}") if math.isfinite(x) and x != 0 else float(x)


def _make(code: str, severity: str, message: str, span, evidence: dict[str, Any],
          remedies: list[Remedy]) -> Finding:
    """A probe finding; priority and explanation from the code table (probe variant if any)."""
    return Finding(code=code, severity=severity, message=message, span=span,
                   evidence={k: (_f(v) if isinstance(v, float) else v) for k, v in evidence.items()},
                   explanation=_codes.explanation(code, "probes"), remedies=remedies)


@rule("internals")
def vanishing_gradients(ctx: Context) -> Finding | None:
    layers = _layer_series(ctx, "grad_norm")
    if len(layers) < 2 or min(len(s) for _, s in layers) < MIN_SAMPLES:
        return None
    med = {name: float(np.median(_finite(s.values))) if _finite(s.values).size else math.nan
           for name, s in layers}
    first, last = layers[0][0], layers[-1][0]
    if not (math.isfinite(med[first]) and math.isfinite(med[last])) or med[last] <= 0:
        return None
    ratio = med[first] / med[last]
    hidden_min = min(med[n] for n, _ in layers[:-1])
    if ratio >= VANISH_RATIO and hidden_min >= VANISH_ABS:
        return None
    act = ctx.history.meta.get("activation")
    msg = (f"the gradient reaching the first layer ({first}) is {ratio:.2g}x the output layer's "
           f"(median norms {med[first]:.2g} vs {med[last]:.2g}): the early layers are barely learning")
    rem = [
        Remedy("use a ReLU-family activation", {"model.activation": "relu"},
               "its derivative is 1 for active units, so gradients do not shrink layer by layer"),
        Remedy("He initialization", {"model.init": "he"}, "keeps the signal's scale through depth"),
        Remedy("add batch normalization", {"model.batch_norm": True}, "re-centres every layer's input"),
        Remedy("add residual connections", {"model.residual": True},
               "skip paths carry the gradient past the saturating layers"),
    ]
    ev = {"first_layer": first, "first_layer_grad_norm": med[first], "output_grad_norm": med[last],
          "ratio": ratio, "threshold_ratio": VANISH_RATIO, "layers": len(layers),
          "per_layer": {n: _f(v) for n, v in med.items()}}
    if act:
        ev["activation"] = act
    return _make("vanishing_gradients", "warning", msg, _span(ctx, layers), ev, rem)


@rule("internals")
def exploding_gradients(ctx: Context) -> Finding | None:
    layers = _layer_series(ctx, "grad_norm")
    guard = ctx.history.meta.get("nonfinite_guard") or {}
    worst: tuple[float, str, float, float, float] | None = None
    for name, s in layers:
        v = s.values
        fin = _finite(v)
        if fin.size < 2:
            continue
        k = max(1, min(3, fin.size // 4 or 1))
        early = float(np.median(fin[:k]))
        i_peak = int(np.argmax(fin))
        peak = float(fin[i_peak])
        if early <= 0:
            continue  # no gradient at all early on (dead or frozen): growth is undefined
        growth = peak / early
        if worst is None or growth > worst[0]:
            worst = (growth, name, early, peak, float(s.steps[np.isfinite(v)][i_peak]))
    grad_nan = guard.get("where") == "gradient"
    if worst is None and not grad_nan:
        return None
    exploded = worst is not None and (worst[0] >= EXPLODE_GROWTH
                                      or (worst[3] >= EXPLODE_ABS and worst[0] >= 10))
    if not exploded and not grad_nan:
        return None
    ev: dict[str, Any] = {}
    if worst is not None:
        growth, name, early, peak, at = worst
        ev.update({"layer": name, "early_grad_norm": early, "peak_grad_norm": peak, "growth": growth,
                   "peak_step": at, "threshold_growth": EXPLODE_GROWTH})
        msg = (f"the gradient norm of {name} grew {growth:.3g}x, from {early:.3g} to {peak:.3g} "
               f"at step {at:g}")
    else:
        msg = "the gradients became non-finite"
    if grad_nan:
        ev["nonfinite_gradient_at_step"] = guard.get("step")
        msg += f"; at step {guard.get('step')} a gradient ({guard.get('layer', '?')}) was non-finite"
    lr = ctx.lr.last if ctx.lr is not None and ctx.lr.n else None
    rem = []
    if lr:
        rem.append(Remedy("lower the learning rate 10x", {"train.lr": "x0.1"},
                          "smaller steps stop the feedback loop"))
    rem += [Remedy("clip gradients (norm at most 1)", {"train.grad_clip": "<=1"}, "caps the size of any single update"),
            Remedy("add batch normalization", {"model.batch_norm": True}, "keeps activations bounded")]
    span = _span(ctx, layers) if layers else None
    return _make("exploding_gradients", "error", msg, span, ev, rem)


@rule("internals")
def dead_relu(ctx: Context) -> Finding | None:
    layers = [(n, s) for n, s in _layer_series(ctx, "dead_fraction") if _finite(s.values).size >= MIN_SAMPLES]
    if not layers:
        return None
    share = {n: float(np.median(_later_half(_finite(s.values)))) for n, s in layers}
    bad = {n: v for n, v in share.items() if v >= DEAD_SHARE}
    if not bad:
        return None
    name = max(bad, key=bad.get)
    msg = (f"{bad[name]:.0%} of the units in {name} output zero on every sample of a batch "
           f"(median over the later half of training)" +
           (f"; {len(bad)} layers affected" if len(bad) > 1 else ""))
    rem = [Remedy("use LeakyReLU or ELU", {"model.activation": "leaky_relu"},
                  "a small negative slope keeps a gradient flowing through inactive units"),
           Remedy("He initialization", {"model.init": "he"}, "starts units in their active range")]
    lr = ctx.lr.last if ctx.lr is not None and ctx.lr.n else None
    if lr:
        rem.insert(1, Remedy("lower the learning rate (3x)", {"train.lr": "x0.3"},
                             "a large update can push a unit's bias so far down it never fires again"))
    ev = {"layer": name, "dead_share": bad[name], "threshold": DEAD_SHARE,
          "per_layer": {n: _f(v) for n, v in share.items()}}
    return _make("dead_relu", "warning", msg, _span(ctx, layers), ev, rem)


@rule("internals")
def saturated_activations(ctx: Context) -> Finding | None:
    layers = [(n, s) for n, s in _layer_series(ctx, "saturated_fraction") if _finite(s.values).size >= MIN_SAMPLES]
    if not layers:
        return None
    share = {n: float(np.median(_finite(s.values))) for n, s in layers}
    bad = {n: v for n, v in share.items() if v >= SATURATED_SHARE}
    if not bad:
        return None
    name = max(bad, key=bad.get)
    act = ctx.history.meta.get("activation", "sigmoid/tanh")
    msg = (f"{bad[name]:.0%} of the {act} pre-activations in {name} are beyond |z| > 5, where the "
           f"derivative is nearly zero")
    rem = [Remedy("scale the inputs", {"data.scale": "standard"}, "unscaled inputs drive pre-activations far out"),
           Remedy("add batch normalization", {"model.batch_norm": True}, "keeps pre-activations near zero"),
           Remedy("use ReLU", {"model.activation": "relu"}, "it does not saturate for positive inputs")]
    ev = {"layer": name, "saturated_share": bad[name], "threshold": SATURATED_SHARE,
          "per_layer": {n: _f(v) for n, v in share.items()}}
    return _make("saturated_activations", "warning", msg, _span(ctx, layers), ev, rem)


def _update_level(ctx: Context) -> tuple[float, list[tuple[str, Series]]] | None:
    layers = [(n, s) for n, s in _layer_series(ctx, "update_ratio") if _finite(s.values).size >= MIN_SAMPLES]
    if not layers:
        return None
    per = [float(np.median(_later_half(_finite(s.values)))) for _, s in layers]
    return float(np.median(per)), layers


@rule("internals")
def lr_too_high_probes(ctx: Context) -> Finding | None:
    got = _update_level(ctx)
    if got is None or not got[0] > UPDATE_HIGH:
        return None
    level, layers = got
    lr = ctx.lr.last if ctx.lr is not None and ctx.lr.n else None
    msg = (f"each step changes the weights by {level:.2g} of their norm (median update/weight ratio, "
           f"later half); above {UPDATE_HIGH:g} the updates overshoot")
    return _make("lr_too_high", "warning", msg, _span(ctx, layers),
                 {"update_ratio": level, "threshold": UPDATE_HIGH, "source": "probes"},
                 remedies_for("lr_too_high", {"lr_last": lr}))


@rule("internals")
def lr_too_low_probes(ctx: Context) -> Finding | None:
    got = _update_level(ctx)
    if got is None or not (0 < got[0] < UPDATE_LOW):
        return None
    level, layers = got
    lr = ctx.lr.last if ctx.lr is not None and ctx.lr.n else None
    msg = (f"each step changes the weights by only {level:.2g} of their norm (median update/weight "
           f"ratio, later half); below {UPDATE_LOW:g} training crawls")
    return _make("lr_too_low", "warning", msg, _span(ctx, layers),
                 {"update_ratio": level, "threshold": UPDATE_LOW, "source": "probes"},
                 remedies_for("lr_too_low", {"lr_last": lr}))
