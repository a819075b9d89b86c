"""StyleGAN2-ADA's and StyleGAN3's metric lines: ``{"results": {"fid50k_full": 143.5},
"metric": "fid50k_full", ..., "snapshot_pkl": "network-snapshot-000400.pkl", ...}``, printed
after each snapshot (and written to ``metric-<name>.jsonl``). Their tick lines carry no loss,
so these scores, measured on real images the generator never sees, are the run's curve."""

from __future__ import annotations

import json
import math
import re

from fitdoctor.io.console.runs import State

#: the snapshot's number is the thousands of images shown so far (kimg)
_SNAPSHOT_KIMG = re.compile(r"snapshot-(\d+)\.pkl")


def handle(state: State, n: int, line: str) -> bool:
    """Read one metric line; False when ``line`` is not one."""
    if '"results"' not in line or "snapshot_pkl" not in line:
        return False
    try:
        d = json.loads(line)
    except ValueError:
        return False
    results = d.get("results") if isinstance(d, dict) else None
    m = _SNAPSHOT_KIMG.search(str(d.get("snapshot_pkl", ""))) if isinstance(results, dict) else None
    if m is None:
        return False
    pairs = {f"val_{k.lower()}": float(v) for k, v in results.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))}
    if not pairs:
        return False
    x = float(int(m.group(1)))
    state.run_for(n, "stylegan_metric", "step", x).put(x, pairs)
    state.record_line = n
    return True
