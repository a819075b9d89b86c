"""Does the verdict depend on the log format? Same Keras runs read from CSVLogger, verbose=2 and verbose=1.

Trains real Keras 3 runs (torch backend) with planted faults (healthy, overfit, diverge,
chance level, too-slow lr), each in one child process per verbosity: the CSVLogger file,
the verbose=2 output through a pipe and the verbose=1 output through a pseudo-terminal
(progress bars and all). Each is read by fitdoctor and diagnosed; the finding codes from
each console log are compared with those from the CSVLogger file of the same run.

    python benchmarks/bench_console_consistency.py        # about a minute

It measures whatever the diagnosis rules currently are; it fails (exit 1) only when a
console log cannot be read back to the CSVLogger's numbers.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

import fitdoctor as fd  # noqa: E402
from make_console_fixtures import SCENARIOS, keras_run  # noqa: E402


def _codes(run) -> list[str]:
    return [f.code for f in fd.diagnose(run).findings]


def _same_numbers(a, b) -> bool:
    for key in ("loss", "val_loss"):
        x, y = a.series.get(key), b.series.get(key)
        if x is None or y is None or len(x) != len(y):
            return False
        if not np.allclose(x.values, y.values, atol=1.5e-4, equal_nan=True):
            return False
    return True


def main() -> int:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "csv2").mkdir()
        (tmp / "csv1").mkdir()
        keras_run(list(SCENARIOS), 2, tmp / "v2.log", csv_dir=str(tmp / "csv2"))
        keras_run(list(SCENARIOS), 1, tmp / "v1.log", mode="pty", csv_dir=str(tmp / "csv1"))
        v2 = fd.read_runs(tmp / "v2.log")
        v1 = fd.read_runs(tmp / "v1.log")
        if len(v2) != len(SCENARIOS) or len(v1) != len(SCENARIOS):
            print(f"expected {len(SCENARIOS)} runs per console log, got {len(v2)} and {len(v1)}")
            return 1
        rows = []
        numbers_ok = True
        for i, name in enumerate(SCENARIOS):
            ref = fd.read(tmp / "csv2" / f"{name}.csv")
            numbers_ok &= _same_numbers(ref, v2[i]) and _same_numbers(ref, v1[i])
            rows.append((name, _codes(ref), _codes(v2[i]), _codes(v1[i])))
    print(f"{'run':9s} {'CSVLogger':34s} {'verbose=2 (pipe)':34s} {'verbose=1 (pty)':34s}")
    for name, c, a, b in rows:
        print(f"{name:9s} {','.join(c) or '-':34s} {','.join(a) or '-':34s} {','.join(b) or '-':34s}")
    n = len(rows)
    for label, j in (("verbose=2", 2), ("verbose=1", 3)):
        same_set = sum(set(r[1]) == set(r[j]) for r in rows)
        same_top = sum(r[1][:1] == r[j][:1] for r in rows)
        print(f"{label}: same finding codes as CSVLogger in {same_set}/{n} runs ({100 * same_set / n:.0f}%), "
              f"same top finding in {same_top}/{n} ({100 * same_top / n:.0f}%)")
    print(f"numbers read back equal to CSVLogger (loss, val_loss, 1.5e-4): {'yes' if numbers_ok else 'NO'}")
    print(f"({time.perf_counter() - t0:.0f}s including training)")
    return 0 if numbers_ok else 1


if __name__ == "__main__":
    sys.exit(main())
