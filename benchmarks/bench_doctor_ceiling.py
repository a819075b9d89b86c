"""Could any remedy have repaired it? An optimistic ceiling for the repair benchmark.

    python benchmarks/bench_doctor_ceiling.py --only tiny_batch small_data_overfit schedule_collapse
    python benchmarks/bench_doctor_ceiling.py --json benchmarks/results/doctor_ceiling.json

The repair benchmark (``bench_doctor.py``) counts a config as repaired only when its test score
rises beyond the noise of its test rows (a paired bootstrap, > 0 in 95% of resamples). Some of
its broken configs hold 40 test rows, or already score near what the data allows: no change may
be able to show a gain there at all. This measures that, generously:

- every change in doctor's vocabulary of remedies (``bench_doctor.vocabulary``), applied alone to
  the config as given, and then every pair of the ``--pairs`` best single changes;
- each candidate trained once and scored **on the test rows** (the same rows and the same
  bootstrap as the repair benchmark), and the best one picked **by its test score**.

Picking on the test rows is cheating on purpose: the best of ~50 candidates picked that way
overstates the gain any honest method could reach. So the ceiling proves one direction only:
when even that pick does not beat the noise, no remedy from the vocabulary can repair the
config as the benchmark measures it. When it does, the config is repairable in principle.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_doctor import BROKEN, _floor, bootstrap_gain, test_predictions, vocabulary  # noqa: E402


def _score(cfg: Any, ds: Any, metric: str) -> tuple[float | None, Any, Any]:
    """(test score, y_test, predictions) of ``cfg`` trained once; (None, None, None) when it fails."""
    from fitdoctor.train.protocol import final

    try:
        fin = final(cfg, dataset=ds)
    except Exception:  # a candidate that cannot train is no candidate
        return None, None, None
    y, pred = test_predictions(fin["experiment"])
    return _floor(metric, fin["test"].get(metric)), y, pred


def ceiling(name: str, raw: dict, pairs: int) -> dict[str, Any]:
    from fitdoctor.config import load_config
    from fitdoctor.data import load_dataset
    from fitdoctor.remedies_apply import UnsafeChange, apply_remedy
    from fitdoctor.train.metrics import class_prior
    from fitdoctor.train.protocol import selection_metric

    cfg0 = load_config(raw)
    ds = load_dataset(cfg0.data)
    prior = class_prior(ds.y, ds.n_classes) if ds.task != "regression" else None
    metric = selection_metric(ds.task, prior)
    t0 = time.perf_counter()
    base, y, p0 = _score(cfg0, ds, metric)
    singles: list[tuple[float, dict, Any, Any]] = []
    for change in vocabulary():
        try:
            cfg, resolved = apply_remedy(cfg0, change, task=ds.task)
        except UnsafeChange:
            continue
        if not resolved:
            continue
        s, _, p = _score(cfg, ds, metric)
        if s is not None:
            singles.append((s, resolved, cfg, p))
    singles.sort(key=lambda t: t[0], reverse=True)
    cands = [(s, r, p) for s, r, _, p in singles]
    for i, (_, r1, cfg1, _) in enumerate(singles[:pairs]):
        for _, r2, _, _ in singles[i + 1:pairs]:
            if set(r1) & set(r2):
                continue
            try:
                cfg, resolved = apply_remedy(cfg1, r2, task=ds.task)
            except UnsafeChange:
                continue
            s, _, p = _score(cfg, ds, metric)
            if s is not None:
                cands.append((s, {**r1, **resolved}, p))
    best_s, best_r, best_p = max(cands, key=lambda t: t[0])
    gain, p_not_better = bootstrap_gain(metric, ds.task, y, p0, best_p)
    return {"name": name, "metric": metric, "test_rows": int(len(y)), "test_given": base,
            "candidates": len(cands), "best_test": best_s, "best_change": {k: str(v) for k, v in best_r.items()},
            "best_gain": gain, "p_not_better": p_not_better, "repairable": p_not_better < 0.05,
            "seconds": round(time.perf_counter() - t0, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", default=None, help="broken configs to measure (default: all 22)")
    ap.add_argument("--pairs", type=int, default=6, help="pair up the N best single changes (default 6)")
    ap.add_argument("--json", default=None, help="write every row here")
    args = ap.parse_args(argv)
    names = args.only or list(BROKEN)
    unknown = [n for n in names if n not in BROKEN]
    if unknown:
        ap.error(f"--only {unknown[0]!r}: not a broken config; expected one of {', '.join(BROKEN)}")
    rows = []
    print(f"{'config':28s} {'metric':18s} rows  given   best-of-N by test (N)  gain    P(not better)  repairable?")
    for name in names:
        r = ceiling(name, BROKEN[name][1], args.pairs)
        rows.append(r)
        print(f"{name:28s} {r['metric']:18s} {r['test_rows']:4d}  {r['test_given']:.3f}  {r['best_test']:.3f} ({r['candidates']:3d})"
              f"            {r['best_gain']:+.3f}  {r['p_not_better']:.3f}          "
              f"{'yes' if r['repairable'] else 'NO: no change in the vocabulary can show a gain'}  "
              f"[{', '.join(f'{k}={v}' for k, v in r['best_change'].items())}]", flush=True)
    n_no = sum(not r["repairable"] for r in rows)
    print(f"{n_no} of {len(rows)} configs cannot be shown repaired by any change in the vocabulary, "
          f"even one picked on the test rows")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "pairs": args.pairs}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
