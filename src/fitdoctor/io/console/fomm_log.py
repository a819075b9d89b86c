"""The log.txt of First Order Motion Model's ``Logger`` and the repositories built on it (Thin-Plate
Spline Motion Model, Articulated Animation, many talking-head and motion-transfer trainers): one
line per epoch, the epoch zero-padded and closed by a parenthesis, then ``name - value`` pairs
joined by ``; ``::

    00000003) perceptual - 54.96794; equivariance_value - 0.21173; warp_loss - 0.48800

Each such line is rewritten as ``epoch N | name=value ...`` for the generic reader (read as it
stands, the dashes would read as minus signs and the semicolons as a CSV). The pairs are the
weighted terms of the generator's loss, whose sum the trainer minimises (``loss =
sum(loss_values)`` beside ``logger.log_iter(losses=...)``), so their sum is written as the
line's ``loss`` when none is named so. The logger writes no validation.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

#: "00000003) perceptual - 54.96794; warp_loss - 0.48800": a zero-padded epoch, then the pairs
LINE = re.compile(r"^\s*(\d{4,})\)\s+((?:[A-Za-z_][\w.]*\s+-\s+" + NUM + r"\s*;\s*)*[A-Za-z_][\w.]*\s+-\s+" + NUM
                  + r")\s*$", re.M)
_PAIR = re.compile(r"([A-Za-z_][\w.]*)\s+-\s+(" + NUM + r")")


def fomm_lines_as_lines(text: str) -> tuple[str, str | None]:
    """Every FOMM logger line as ``epoch N | name=value`` (other lines as they were), and the
    note that says so (None when there was none)."""
    if ") " not in text or LINE.search(text) is None:
        return text, None
    return LINE.sub(_as_line, text), ("\"00000003) name - value; ..\" lines (First Order Motion Model's logger) "
                                      "read as epochs; the loss is the sum of the terms they print")


def _as_line(m: re.Match[str]) -> str:
    pairs = _PAIR.findall(m.group(2))
    out = f"epoch {int(m.group(1))} | " + " | ".join(f"{k}={v}" for k, v in pairs)
    if not any(k.lower() == "loss" for k, _ in pairs):
        out += f" | loss={sum(float(v) for _, v in pairs):.6g}"
    return out
