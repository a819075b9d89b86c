"""Cheap looks inside the network while it trains, sampled every N optimizer steps.

On a probe step the trainer asks the model to keep its pre-activations, then this
module reads, per layer: the weight-gradient L2 norm, the update/weight ratio
(||W_after - W_before|| / ||W_before||), the dead-ReLU fraction (units that output
zero on every sample of the batch) and the saturated fraction (share of sigmoid/tanh
pre-activations with |z| > 5, where the gradient is nearly zero). Between probe
steps nothing is computed. The series land in the RunHistory as ``grad_norm/<layer>``,
``update_ratio/<layer>``, ``dead_fraction/<layer>``, ``saturated_fraction/<layer>``
on the step axis, and in ``probes.csv``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from fitdoctor.train.model import MLP, RELU_LIKE, SATURATING

#: |pre-activation| beyond which sigmoid/tanh are in their flat tails (derivative < 0.007).
SATURATION_Z = 5.0
#: Default sampling period in optimizer steps.
DEFAULT_EVERY = 25


@dataclass
class ProbeRecorder:
    """Collects probe rows for one run; ``every=0`` switches probing off."""

    model: MLP
    every: int = DEFAULT_EVERY
    rows: list[dict[str, float]] = field(default_factory=list)
    _before: list[torch.Tensor] | None = None
    _row: dict[str, float] | None = None

    def due(self, step: int) -> bool:
        return self.every > 0 and step % self.every == 0

    def start(self) -> None:
        """Call before the forward pass of a probe step."""
        self.model.set_record(True)

    def after_backward(self, step: int, epoch: int) -> bool:
        """Read gradients and activations; False when a gradient is not finite.

        Every statistic is computed as a 0-d tensor and converted in one ``tolist()``,
        so a probe step costs a few dozen small tensor ops and no per-value round trips.
        """
        names: list[str] = []
        vals: list[torch.Tensor] = []
        layers = self.model.layers()
        zero = torch.zeros(())
        for name, lin in layers:
            g = lin.weight.grad
            names.append(f"grad_norm/{name}")
            vals.append(torch.linalg.vector_norm(g) if g is not None else zero)
        for i, b in enumerate(self.model.blocks):
            if b.pre is None:
                continue
            if self.model.activation in RELU_LIKE:
                names.append(f"dead_fraction/dense_{i}")
                vals.append((b.post <= 0).all(dim=0).float().mean())
            if self.model.activation in SATURATING:
                names.append(f"saturated_fraction/dense_{i}")
                vals.append((b.pre.abs() > SATURATION_Z).float().mean())
        self.model.set_record(False)
        row: dict[str, float] = {"step": float(step), "epoch": float(epoch)}
        row.update(zip(names, torch.stack(vals).tolist()))
        self._before = [lin.weight.detach().clone() for _, lin in layers]
        self._row = row
        return all(math.isfinite(row[f"grad_norm/{name}"]) for name, _ in layers)

    def after_step(self) -> None:
        """Call after ``optimizer.step()`` of a probe step: update/weight ratios."""
        if self._row is None or self._before is None:
            return
        layers = self.model.layers()
        num = torch.stack([torch.linalg.vector_norm(lin.weight.detach() - w0)
                           for (_, lin), w0 in zip(layers, self._before)])
        den = torch.stack([torch.linalg.vector_norm(w0) for w0 in self._before])
        ratios = torch.where(den > 0, num / den, torch.full_like(den, float("nan"))).tolist()
        for (name, _), r in zip(layers, ratios):
            self._row[f"update_ratio/{name}"] = r
        self.rows.append(self._row)
        self._row, self._before = None, None

    def abort(self) -> None:
        """Keep what a failed probe step measured (the guard tripped before the update)."""
        if self._row is not None:
            self.rows.append(self._row)
        self._row, self._before = None, None
        self.model.set_record(False)

    def columns(self) -> list[str]:
        cols: list[str] = []
        for r in self.rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
        return cols
