"""Tables of bare numbers with no header, one row per epoch:

    0 0.20271688839420676 0.8717783505154639
    1 0.1737461625598371 0.9246134020618557

(``print(epoch, loss, acc)`` redirected to a file, or ``np.savetxt`` of the same; or the same
rows without the epoch, ``4.5572,4.5560``, each row one epoch). Nothing names
the columns, so they are named by what they do, and only where that leaves no doubt: the first
column counts epochs (consecutive integers); a value column that falls is the loss; one that
rises and stays within [0, 1] (or [0, 100]) is an accuracy; one within [0, 1] whose every value
is a count over one row total (``0.42483660130718953`` is 195/459) is a rate, an accuracy if it
rises and an error rate if it falls, never a loss, which averages continuous terms. One loss and
at most one accuracy or error rate, or the table is not read: two falling columns could be train
and validation in either order, and a guess there would decide the verdict. The guess is written
into the run's notes.
Rows are rewritten as ``epoch N | loss=.. accuracy=..`` lines for the generic reader.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from fitdoctor.io.console.patterns import NUM
from fitdoctor.stats import spearman

_ROW = re.compile(r"^\s*(\d+)((?:\s*[,;\t ]\s*" + NUM + r")+)\s*,?\s*$")
#: a row of values with no epoch counter before them: two or more numbers, the first not an
#: integer (an integer first is the counter of ``_ROW``)
_VALUES_ROW = re.compile(r"^\s*(-?\d*\.\d+(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+)((?:\s*[,;\t ]\s*" + NUM + r")+)\s*,?\s*$")
_CELL = re.compile(NUM)
#: the first line that is not blank
_FIRST_LINE = re.compile(r"^[^\S\n]*\S[^\n]*", re.M)
#: at least this many rows, and this share of the non-blank lines, make a file a bare table
MIN_ROWS = 6
MIN_SHARE = 0.9
#: a column goes one way when its ends lie this share of its range apart, and its rank
#: correlation with the row number is at least this, the same way
TREND = 0.3
#: a rate's row total is at most this, and its values match a count over it to this much (a
#: float64 printed in full; a value printed short matches many totals and is never a rate)
MAX_RATE_TOTAL = 100_000
RATE_TOL = 1e-12


def has_epoch_column(text: str) -> bool:
    """The bare table's first column counts epochs (else each row is one, in order)."""
    head = _FIRST_LINE.search(text)
    return head is not None and _ROW.match(head.group(0)) is not None


def bare_rows(text: str) -> list[list[float]] | None:
    """The rows of ``text`` when it is a bare table: every row the same width (2+ numbers), the
    first an integer counting up by one; None otherwise."""
    head = _FIRST_LINE.search(text)
    counted = has_epoch_column(text)
    if head is None or not (counted or _VALUES_ROW.match(head.group(0))):
        # a header line (a CSV's names) makes it a table its own reader reads; and every console
        # log goes through here, so most are let go on their first line, without a full pass
        return None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    rows: list[list[float]] = []
    for ln in lines:
        m = (_ROW if counted else _VALUES_ROW).match(ln)
        if m is None:
            continue
        values = [float(m.group(1))] + [float(c) for c in _CELL.findall(m.group(2))]
        rows.append(values if counted else [float(len(rows) + 1)] + values)  # no counter: the row's number
    if len(rows) < MIN_ROWS or len(rows) < MIN_SHARE * len(lines):
        return None
    width = len(rows[0])
    if width < 2 or any(len(r) != width for r in rows):
        return None
    first = np.array([r[0] for r in rows])
    if not np.all(np.diff(first) == 1):
        return None
    return rows


def rate_total(col: np.ndarray) -> int | None:
    """The row total ``n`` when every value is a count over it (``k / n``, ``n`` not a power of
    ten's divisor, as a value printed to a few decimals would be); else None."""
    total = 1
    for v in col[np.isfinite(col)]:
        if not 0.0 <= v <= 1.0:
            return None
        q = Fraction(float(v)).limit_denominator(MAX_RATE_TOTAL)
        if abs(float(q) - v) > RATE_TOL:
            return None
        total = total * q.denominator // math.gcd(total, q.denominator)
        if total > MAX_RATE_TOTAL:
            return None
    rest = total
    for p in (2, 5):
        while rest % p == 0:
            rest //= p
    return total if rest > 1 else None


def _role(col: np.ndarray) -> str | None:
    """``loss`` (falls), ``accuracy`` (rises within [0, 1] or [0, 100]), ``error`` (a rate that
    falls), or None (no telling).
    A clear trend: the last tenth's median apart from the first tenth's by a good part of the
    column's range, and the rank correlation with the row number the same way (an accuracy that
    saturates near 1 early is still one that rose)."""
    finite = col[np.isfinite(col)]
    if finite.size < MIN_ROWS:
        return None
    k = max(2, finite.size // 10)
    shift = float(np.median(finite[-k:]) - np.median(finite[:k]))
    lo, hi = np.percentile(finite, [5, 95])
    rho = spearman(np.arange(finite.size, dtype=float), finite)
    if hi <= lo or abs(shift) < TREND * float(hi - lo) or rho * shift <= 0 or abs(rho) < TREND:
        return None
    if shift < 0:
        return "error" if rate_total(finite) is not None else "loss"
    top = 1.0 if float(np.max(finite)) <= 1.0 else 100.0
    return "accuracy" if float(np.min(finite)) >= 0.0 and float(np.max(finite)) <= top else None


def column_roles(rows: list[list[float]]) -> list[str] | None:
    """The value columns' names, or None when any column's role is unclear, or the roles are
    not one loss and at most one accuracy or error rate."""
    cols = np.array(rows, dtype=float)[:, 1:]
    roles = [_role(cols[:, j]) for j in range(cols.shape[1])]
    if None in roles or roles.count("loss") != 1 or roles.count("accuracy") + roles.count("error") > 1:
        return None
    return [r for r in roles if r is not None]


def bare_table_as_lines(text: str) -> tuple[str, str | None]:
    """``text`` rewritten as epoch lines when it is a bare table whose columns can be named,
    with a note saying how they were read; else ``text`` unchanged and None."""
    rows = bare_rows(text)
    if rows is None:
        return text, None
    roles = column_roles(rows)
    if roles is None:
        return text, None
    out = []
    for r in rows:
        cells = " ".join(f"{name}={v!r}" for name, v in zip(roles, r[1:]))
        out.append(f"epoch {int(r[0])} | {cells}")
    counted = has_epoch_column(text)
    first = 2 if counted else 1
    why = {"loss": "it falls", "accuracy": "it rises within its bounds",
           "error": "it falls, each value a count over one total"}
    how = ", ".join(f"column {j + first} as the train {name} ({why[name]})" for j, name in enumerate(roles))
    epoch = "no header: column 1 read as the epoch" if counted else \
        "no header and no epoch column: each row read as one epoch"
    note = f"{epoch}, {how}; no validation column"
    return "\n".join(out) + "\n", note
