"""One named column of numbers, one row per epoch, and nothing else:

    Loss
    1153367802.855792
    678886614.3073286

(``pd.Series(losses, name="Loss").to_csv(index=False)``, ``np.savetxt(.., header="Loss")``, or
Torch7's ``Cost function value`` printed before its values). Read as that metric per epoch when
its name holds a loss word (``cost`` and ``objective`` count as the loss) or an accuracy word;
any other name is left alone, since nothing then says what the numbers are.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_NAME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 _/().-]{0,40}?)\s*$")
_VALUE = re.compile(r"^\s*(" + NUM + r")\s*$")
#: at least this many rows under the name
MIN_ROWS = 3


def column_metric(name: str) -> str | None:
    """The metric a lone column's name says it holds, or None."""
    low = name.lower()
    if "loss" in low or "cost" in low or "objective" in low:
        metric = "loss"
    elif "acc" in low:
        metric = "accuracy"
    else:
        return None
    return f"val_{metric}" if re.search(r"\b(?:val|valid|validation|test)\b", low) else metric


def named_column_rows(text: str) -> tuple[str, str, list[str]] | None:
    """(the column's name, the metric it names, its value cells) when ``text`` is one named
    column and nothing else."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < MIN_ROWS + 1:
        return None
    m = _NAME.match(lines[0])
    metric = column_metric(m.group(1)) if m is not None else None
    if metric is None:
        return None
    cells = [_VALUE.match(ln) for ln in lines[1:]]
    if any(c is None for c in cells):
        return None
    return m.group(1), metric, [c.group(1) for c in cells]


def named_column_as_lines(text: str) -> tuple[str, str | None]:
    """The column as ``epoch N | <metric>: value`` lines and a note; the text unchanged otherwise."""
    found = named_column_rows(text)
    if found is None:
        return text, None
    name, metric, values = found
    lines = [f"epoch {i} | {metric}: {v}" for i, v in enumerate(values, start=1)]
    return "\n".join(lines) + "\n", f"one column named {name!r} and no epoch column: each row read as one epoch's {metric}"
