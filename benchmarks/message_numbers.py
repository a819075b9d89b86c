"""Do the messages quote numbers that are in the log? (LABELS.md: "It quotes numbers that are in
the log (not smoothed values the user cannot find)".)

    python benchmarks/message_numbers.py          # the corpus runs' logs, every format
    python benchmarks/message_numbers.py -v       # and each quote not found

Every "VALUE at epoch N" (or step, iteration, evaluation) and every number right before or after
an arrow ("A -> B") in a finding's message is looked up among the values the file logs, within the
precision it is printed at. A number the rules computed (a smoothed minimum, a window median, a bin's
median) is no number a practitioner can find in the file; a ratio, share or z is never looked up.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RUNS = HERE / "corpus" / "runs"
SKIP = {"oracle.json", "trace.json", "values.json"}
_NUM = r"(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
QUOTES = (re.compile(_NUM + r" at (?:the )?(?:epoch|step|iteration|evaluation) \d"),
          re.compile(_NUM + r" -> "), re.compile(r" -> " + _NUM + r"(?![\dx%])"))


def printed_step(text: str) -> float:
    """Half the last printed digit of ``text`` (0.0005 for "0.332", 5e-05 for "4.45e-04")."""
    mant, _, exp = text.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10.0 ** (-decimals) * (10.0 ** int(exp) if exp else 1.0)


def unlogged(path: Path) -> list[tuple[str, str]]:
    """``(code, quote)`` for each number a finding quotes that the file does not log."""
    import fitdoctor as fd
    from fitdoctor.report.multirun import leading_run

    runs = fd.read_runs(path)
    ds = [fd.diagnose(r) for r in runs]
    i = leading_run(ds) if len(ds) > 1 else 0
    logged = [np.asarray(s.values, dtype=float) for s in runs[i].series.values()]
    out = []
    for f in ds[i].findings:
        for pat in QUOTES:
            for m in pat.finditer(f.message or ""):
                v, tol = float(m.group(1)), printed_step(m.group(1))
                if not any(np.any(np.abs(vals - v) <= tol + 1e-9 * abs(v)) for vals in logged):
                    out.append((f.code, m.group(0).strip()))
    return out


def targets() -> list[Path]:
    return [p for run in sorted(RUNS.iterdir()) if run.is_dir() and not run.name.startswith("_")
            for p in sorted(run.iterdir()) if p.name not in SKIP]


def score(verbose: bool = False) -> dict[str, int]:
    files = targets()
    found = 0
    with_any = 0
    for p in files:
        bad = unlogged(p)
        found += len(bad)
        with_any += bool(bad)
        if verbose and bad:
            print(f"{p.relative_to(RUNS)}: {bad}")
    return {"files": len(files), "files_with_unlogged": with_any, "unlogged": found}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print each quote not found in its file")
    args = ap.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "torch")
    r = score(args.verbose)
    print(f"{r['unlogged']} quoted number(s) not in their log, in {r['files_with_unlogged']} of {r['files']} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
