"""The settings a script printed before it trained: ``print(args)`` of an argparse namespace.

``Namespace(lr=0.001, mixup=0.8, cutmix=1.0, smoothing=0.1, dropout=0.5, ...)`` heads the
logs of timm, DeiT and most research repositories. Read into ``meta["hparams"]`` they tell
the rules what the curves alone cannot: a train loss taken on mixed or smoothed targets, the
dropout in the model.
"""

from __future__ import annotations

import ast
import re
from typing import Any

#: ``Namespace(`` up to its closing parenthesis on the same line
NAMESPACE = re.compile(r"\bNamespace\((.*)\)\s*$", re.M)

_PAIR = re.compile(r"(\w+)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|[^,()\[\]{}]+)")


def namespace_settings(inside: str) -> dict[str, Any]:
    """The scalar settings of one printed namespace (numbers, strings, booleans, None); lists
    and anything that does not read as a Python literal are left out."""
    out: dict[str, Any] = {}
    for key, raw in _PAIR.findall(inside):
        try:
            value = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
    return out


def printed_settings(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, settings) of every printed namespace in ``text``, in order."""
    found = []
    line, counted_to = 1, 0  # lines counted once through the text, however many namespaces
    for m in NAMESPACE.finditer(text):
        line += text.count("\n", counted_to, m.start())
        counted_to = m.start()
        settings = namespace_settings(m.group(1))
        if settings:
            found.append((line, settings))
    return found
