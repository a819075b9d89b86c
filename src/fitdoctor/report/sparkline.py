"""Unicode sparklines for the terminal, robust to spikes and NaN.

Values are clipped to the 2nd-98th percentile so one spike does not flatten the
rest; non-finite points show as ``!``. ``ascii=True`` (or NO_COLOR/dumb terminals
via the caller) uses plain characters.
"""

from __future__ import annotations

import numpy as np

BLOCKS = "▁▂▃▄▅▆▇█"
ASCII = "_.-~=*#@"


def sparkline(values: np.ndarray, width: int = 40, ascii: bool = False) -> str:
    y = np.asarray(values, dtype=float)
    if y.size == 0:
        return ""
    if y.size > width:  # bucket by mean, but keep a NaN visible
        edges = np.linspace(0, y.size, width + 1).astype(int)
        buckets = [y[a:max(b, a + 1)] for a, b in zip(edges[:-1], edges[1:])]
        y = np.array([np.nan if not np.isfinite(b).all() else b.mean() for b in buckets])
    chars = ASCII if ascii else BLOCKS
    ok = np.isfinite(y)
    if not ok.any():
        return "!" * y.size
    lo, hi = np.percentile(y[ok], [2, 98])
    if hi <= lo:
        hi = lo + 1e-12
    out = []
    for v in y:
        if not np.isfinite(v):
            out.append("!")
            continue
        t = (min(max(v, lo), hi) - lo) / (hi - lo)
        out.append(chars[min(int(t * len(chars)), len(chars) - 1)])
    return "".join(out)
