"""Does judging a config on validation flatter early stopping? Measured against the test rows.

    python benchmarks/bench_early_stopping_bias.py                 # the repair benchmark's 28 configs, 5 seeds
    python benchmarks/bench_early_stopping_bias.py --only healthy_pump tiny_batch --seeds 3

For each config, with early stopping switched off (A), and with a restore-best early stopping
whose patience exceeds the epochs (B: the same training, only the epoch whose weights are
kept differs), both trained on the same seeds and scored as doctor and tune score them
(:func:`fitdoctor.train.protocol.select`):

- **watching the validation rows** (``watch_share=0``, how a single run and the code before
  2026-12-04 judged): B keeps the best of its epochs by the very rows that then score it;
- **watching rows of its own** (:data:`fitdoctor.train.protocol.WATCH_SHARE` of the training
  rows, doctor's and tune's rule now).

Each model is also scored on the config's test rows (here only, to measure; doctor never
looks at them while it judges). The validation gain of B over A should be the test gain plus
noise: its mean excess over the test gain, across configs, is the bias of the judge, and the
share of configs where doctor's paired test accepts B is printed beside the share where B is
better on test.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _test_scores(sel, cfg, ds) -> list[float]:
    """Each unit's model scored on the test rows (the rows select never touches)."""
    from fitdoctor.data import make_splits
    from fitdoctor.train.metrics import task_metrics
    from fitdoctor.train.trainer import predict_scores

    sp = make_splits(ds, cfg.data.split)[0]
    out = []
    for res, scaler in zip(sel.runs, sel.scalers):
        Xte = scaler.transform(ds.X[sp.test])
        s = task_metrics(ds.task, ds.y[sp.test], predict_scores(res.model, Xte, ds.task), ds.n_classes)
        out.append(float(s[sel.metric]))
    return out


def _floored(scores: list[float], metric: str) -> np.ndarray:
    """R^2 floored as doctor floors it (a diverged regressor scores -1e75 or -inf)."""
    from fitdoctor.doctor import R2_FLOOR

    v = np.asarray(scores, dtype=float)
    return np.nan_to_num(np.maximum(v, R2_FLOOR), nan=R2_FLOOR) if metric == "r2" else v


def run_config(name: str, raw: dict, seeds: int) -> dict | None:
    from fitdoctor.config import load_config
    from fitdoctor.data import load_dataset
    from fitdoctor.doctor import decide, default_min_effect
    from fitdoctor.train.protocol import select

    if raw["data"]["split"].get("method", "holdout") != "holdout":
        return None  # fold units refit on train+val at the end; the seed judge is the one measured
    a_raw = copy.deepcopy(raw)
    a_raw["train"]["early_stopping"] = False
    b_raw = copy.deepcopy(raw)
    b_raw["train"]["early_stopping"] = {"patience": int(raw["train"]["epochs"]) + 1, "restore_best": True}
    a_cfg, b_cfg = load_config(a_raw), load_config(b_raw)
    ds = load_dataset(a_cfg.data)
    seed_list = [a_cfg.train.seed + i for i in range(seeds)]
    a = select(a_cfg, seeds=seed_list, dataset=ds)
    row = {"name": name, "metric": a.metric}
    monitor = "val_loss" if a.metric in ("loss", "mse", "mae") else f"val_{a.metric}"
    b_raw["train"]["early_stopping"]["monitor"] = monitor if monitor != "val_r2" else "val_loss"
    b_cfg = load_config(b_raw)
    a_test = _test_scores(a, a_cfg, ds)
    for label, share in (("watch_val", 0.0), ("watch_own", None)):
        b = select(b_cfg, seeds=seed_list, dataset=ds, watch_share=share)
        d = decide(a, b, min_effect=default_min_effect(a.metric, a.mean))
        b_test = _test_scores(b, b_cfg, ds)
        sign = -1.0 if a.metric in ("loss", "mse", "mae") else 1.0
        val_gain = sign * (np.mean(_floored(b.scores, a.metric)) - np.mean(_floored(a.scores, a.metric)))
        test_gain = sign * (np.mean(_floored(b_test, a.metric)) - np.mean(_floored(a_test, a.metric)))
        row[label] = {"val_gain": float(val_gain), "test_gain": float(test_gain), "accepted": bool(d["better"]),
                      "p": float(d["p"]), "better_on_test": bool(test_gain > 0)}
    return row


def main(argv: list[str] | None = None) -> int:
    import bench_doctor as B

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    configs = {**B.BROKEN, **B.HEALTHY}
    names = args.only or list(configs)
    bad = [n for n in names if n not in configs]
    if bad:
        ap.error(f"unknown config(s) {bad}; expected some of {', '.join(configs)}")
    t0 = time.perf_counter()
    rows = []
    print(f"{'config':28s} {'metric':8s} | watching val rows: val gain, test gain, accepted | own rows: same")
    for name in names:
        row = run_config(name, configs[name][1], args.seeds)
        if row is None:
            continue
        rows.append(row)
        v, o = row["watch_val"], row["watch_own"]
        print(f"{name:28s} {row['metric'][:8]:8s} | {v['val_gain']:+.3f} {v['test_gain']:+.3f} "
              f"{'ACCEPTED' if v['accepted'] else '-':8s} | {o['val_gain']:+.3f} {o['test_gain']:+.3f} "
              f"{'ACCEPTED' if o['accepted'] else '-'}", flush=True)
    summary = {"configs": len(rows), "seeds": args.seeds, "seconds": round(time.perf_counter() - t0, 1)}
    for label in ("watch_val", "watch_own"):
        excess = np.array([r[label]["val_gain"] - r[label]["test_gain"] for r in rows])
        se = excess.std(ddof=1) / math.sqrt(len(excess)) if len(excess) > 1 else math.nan
        summary[label] = {
            "bias": float(excess.mean()), "bias_se": float(se),
            "accepted": int(sum(r[label]["accepted"] for r in rows)),
            "accepted_and_worse_on_test": int(sum(r[label]["accepted"] and not r[label]["better_on_test"]
                                                  for r in rows)),
            "better_on_test": int(sum(r[label]["better_on_test"] for r in rows)),
        }
    print()
    for label, text in (("watch_val", "early stopping watching the validation rows"),
                        ("watch_own", "early stopping watching rows of its own  ")):
        s = summary[label]
        print(f"{text}: val gain - test gain {s['bias']:+.4f} ± {s['bias_se']:.4f}; accepted "
              f"{s['accepted']}/{len(rows)} (of them worse on test: {s['accepted_and_worse_on_test']}); "
              f"better on test {s['better_on_test']}/{len(rows)}")
    print(f"({summary['seconds']:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
