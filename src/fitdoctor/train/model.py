"""The MLP the built-in trainer fits, built from ``cfg.model``.

Hidden layers are named ``dense_0 .. dense_{n-1}`` and the last one ``output``; the
probes and the internals rules use those names. Pre-activations are recorded only
when ``record`` is switched on (probe steps), so a normal step pays one bool test
per layer and nothing else.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}
#: Activations whose units can die (output zero on every input).
RELU_LIKE = ("relu",)
#: Activations with flat tails, where |pre-activation| > 5 means a near-zero gradient.
SATURATING = ("sigmoid", "tanh")


def _get(cfg: Any, key: str, default: Any) -> Any:
    if isinstance(cfg, dict):
        return cfg.get(key, default)
    return getattr(cfg, key, default)


class Block(nn.Module):
    """Linear -> (batch norm) -> activation -> (dropout), with an optional skip connection."""

    def __init__(self, n_in: int, n_out: int, activation: str, dropout: float,
                 batch_norm: bool, residual: bool) -> None:
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.bn = nn.BatchNorm1d(n_out) if batch_norm else None
        self.act = ACTIVATIONS[activation]()
        self.drop = nn.Dropout(dropout) if dropout > 0 else None
        self.residual = residual
        # A skip between different widths goes through a bias-free projection.
        self.proj = (nn.Linear(n_in, n_out, bias=False)
                     if residual and n_in != n_out else None)
        self.record = False
        self.pre: torch.Tensor | None = None
        self.post: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.linear(x)
        if self.bn is not None:
            z = self.bn(z)
        a = self.act(z)
        if self.record:
            self.pre, self.post = z.detach(), a.detach()
        if self.drop is not None:
            a = self.drop(a)
        if self.residual:
            a = a + (self.proj(x) if self.proj is not None else x)
        return a


class MLP(nn.Module):
    """Feed-forward network whose output is logits (or the regression value)."""

    def __init__(self, n_features: int, n_outputs: int, hidden: list[int], activation: str = "relu",
                 dropout: float = 0.0, batch_norm: bool = False, residual: bool = False) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}")
        self.activation = activation
        widths = [n_features, *hidden]
        self.blocks = nn.ModuleList(
            Block(widths[i], widths[i + 1], activation, dropout, batch_norm, residual)
            for i in range(len(hidden))
        )
        self.output = nn.Linear(widths[-1], n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for b in self.blocks:
            x = b(x)
        return self.output(x)

    def layers(self) -> list[tuple[str, nn.Linear]]:
        """(name, linear layer) from input to output, the names the probes report."""
        out = [(f"dense_{i}", b.linear) for i, b in enumerate(self.blocks)]
        out.append(("output", self.output))
        return out

    def set_record(self, on: bool) -> None:
        for b in self.blocks:
            b.record = on
            if not on:
                b.pre = b.post = None


def init_weights(model: MLP, kind: str) -> None:
    """``he`` (Kaiming normal, fan-in), ``xavier`` (Glorot uniform) or PyTorch's default."""
    if kind == "default":
        return
    nonlin = {"relu": "relu", "leaky_relu": "leaky_relu", "elu": "relu", "gelu": "relu",
              "tanh": "tanh", "sigmoid": "sigmoid"}[model.activation]
    for name, layer in model.layers():
        if kind == "he":
            nn.init.kaiming_normal_(layer.weight, nonlinearity=nonlin if name != "output" else "linear")
        elif kind == "xavier":
            gain = nn.init.calculate_gain(nonlin) if name != "output" else 1.0
            nn.init.xavier_uniform_(layer.weight, gain=gain)
        else:
            raise ValueError(f"unknown init {kind!r}")
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)


def build_model(model_cfg: Any, n_features: int, n_outputs: int) -> MLP:
    """Build (and initialize) the MLP described by ``cfg.model``."""
    hidden = list(_get(model_cfg, "hidden", [64, 32]) or [])
    model = MLP(n_features, n_outputs, hidden,
                activation=str(_get(model_cfg, "activation", "relu")),
                dropout=float(_get(model_cfg, "dropout_rate", 0.0) or 0.0),
                batch_norm=bool(_get(model_cfg, "batch_norm", False)),
                residual=bool(_get(model_cfg, "residual", False)))
    init_weights(model, str(_get(model_cfg, "init", "default")))
    return model


def n_outputs_for(task: str, n_classes: int | None) -> int:
    """One logit for binary and regression, K logits for multiclass."""
    return int(n_classes) if task == "multiclass" else 1
