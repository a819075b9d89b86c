"""learning-curve: how well the full-size score is predicted from at most half the rows.

    python benchmarks/bench_learning_curve.py                   # 7 tasks x 3 replicates, ~8 min on 2 busy cores
    python benchmarks/bench_learning_curve.py --tasks digits-adam --replicates 2 --seeds 3 --json out.json

For every task (a run config of the built-in trainer) and replicate (the data split and the
training seeds change with it), ``fd.learning_curve`` trains at 1/16, 1/8, 1/4, 1/2 and all of
the training rows, ``--seeds`` seeds each, and fits its inverse power law on the sizes up to
half the rows. Measured against the observed mean validation score at the full size:

* the error of the prediction (absolute, in score units: accuracy, balanced accuracy, R^2);
* the coverage of its 90% interval (share of replicates whose observed score falls inside);
* beside two baselines fitted on the same points: "flat" (the score at half the rows, i.e.
  "more data will not help") and "log-linear" (a straight line in log(rows), the usual
  back-of-the-envelope extrapolation); the ratios are the baselines' mean error over ours
  (> 1: fitdoctor's forecast is closer).

It also prints each run's verdict (needs_more_data or data_saturated and its kind), and checks
the two cases of the opening story: the demo's stuck run (raw, unscaled pump sensors) must say
more data will not help; a small-data overfitting run (600 rows of digits) must say it will.
Exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import fitdoctor as fd  # noqa: E402


def _task(source, hidden, dropout, lr=0.003, batch=32, epochs=30, patience=6, **data):
    return {"data": {"source": source, **data}, "model": {"hidden": hidden, "dropout_rate": dropout},
            "train": {"lr": lr, "batch_size": batch, "epochs": epochs, "early_stopping": {"patience": patience}}}


TASKS = {
    "digits-adam": _task("sklearn:digits", [64], 0.2, batch=64, epochs=25),
    "breast_cancer-adam": _task("sklearn:breast_cancer", [64, 32], 0.3),
    "hastie-adam": _task("make_hastie_10_2:n_samples=1200,seed=0", [64, 32], 0.1),
    "diabetes-adam": _task("sklearn:diabetes", [64, 32], 0.0, lr=0.03),
    "friedman1-adam": _task("make_friedman1:n_samples=1000,noise=1.0,seed=0", [64, 64], 0.0, lr=0.01),
    "classif4-adam": _task("make_classification:n_samples=1000,n_features=20,n_informative=8,n_classes=4,seed=0",
                           [64], 0.2),
    "moons-adam": _task("make_moons:n_samples=800,noise=0.3,seed=0", [32, 32], 0.0, lr=0.01),
}


def _with_seed(raw: dict, r: int) -> dict:
    split = {"method": "holdout", "val": 0.2, "test": 0.2, "seed": r}
    return {**raw, "data": {**raw["data"], "split": split}, "train": {**raw["train"], "seed": 100 * r}}


def baselines(sizes, val, target):
    """The flat and log-linear predictions of the mean score at ``target`` rows, fitted on the
    sizes up to half the rows."""
    s = np.asarray(sizes, dtype=float)
    keep = s <= s[-1] / 2 + 1e-9
    m = np.nanmean(np.asarray(val, dtype=float)[keep], axis=1)
    flat = float(m[-1])
    b, a = np.polyfit(np.log(s[keep]), m, 1)
    return {"flat": flat, "log-linear": float(a + b * math.log(target))}


def run(name, raw, r, seeds, log):
    t0 = time.perf_counter()
    res = fd.learning_curve(_with_seed(raw, r), seeds=seeds)
    fc = res.forecast
    if fc is None:  # fewer than 3 sizes up to half the rows
        log(f"  r{r}: no forecast ({len(res.sizes)} sizes: {res.sizes})")
        return None
    obs = float(np.nanmean(res.val_scores[-1]))
    base = baselines(res.sizes, res.val_scores, res.sizes[-1])
    f = res.findings[0]
    row = {"task": name, "replicate": r, "metric": res.metric, "sizes": res.sizes, "observed": obs,
           "predicted": fc["predicted"], "low": fc["low"], "high": fc["high"], "covered": fc["covered"],
           "error": fc["predicted"] - obs, **{f"{k}_error": v - obs for k, v in base.items()},
           "verdict": f.code, "kind": f.evidence.get("kind"), "unsure": bool(f.evidence.get("unsure")), "gain_per_doubling": f.evidence["gain_per_doubling"],
           "p": f.evidence["p"], "val_mean": res.val_mean, "val_scores": res.val_scores,
           "sd_parts": fc.get("sd_parts"), "seconds": time.perf_counter() - t0}
    log(f"  r{r}: {res.metric} {res.val_mean[0]:.3f}@{res.sizes[0]} -> {obs:.3f}@{res.sizes[-1]}; predicted "
        f"{fc['predicted']:.3f} [{fc['low']:.3f}, {fc['high']:.3f}] {'in' if fc['covered'] else 'OUT'}; "
        f"flat {base['flat']:.3f}, log-linear {base['log-linear']:.3f}; {f.code}"
        f"{'/' + str(row['kind']) if row['kind'] else ''}{'?' if row['unsure'] else ''} ({row['seconds']:.0f}s)")
    return row


def story(seeds, log):
    """The demo's stuck run and a small-data overfitting run."""
    from sklearn.datasets import load_digits

    from fitdoctor.data.dataset import Dataset
    from fitdoctor.train.demo import demo_config

    out = {}
    t0 = time.perf_counter()
    res = fd.learning_curve(demo_config(), seeds=seeds)
    f = res.findings[0]
    out["demo_stuck"] = {"verdict": f.code, "kind": f.evidence.get("kind"), "val_mean": res.val_mean,
                         "message": f.message, "ok": f.code == "data_saturated" and f.evidence.get("kind") == "chance"}
    log(f"  demo stuck run: {f.code} ({f.evidence.get('kind')}) -- {f.message} ({time.perf_counter() - t0:.0f}s)")
    t0 = time.perf_counter()
    X, y = load_digits(return_X_y=True)
    ds = Dataset(X=X[:600].astype(np.float32), y=y[:600].astype(np.int64), feature_names=[f"p{i}" for i in range(64)],
                 task="multiclass", n_classes=10, class_names=list(range(10)), source="digits[:600]")
    cfg = {"data": {"source": "digits", "split": {"val": 0.3, "test": 0.2, "seed": 0}},
           "model": {"hidden": [64], "dropout_rate": 0.0}, "train": {"lr": 0.003, "epochs": 10, "early_stopping": False}}
    res = fd.learning_curve(cfg, dataset=ds, seeds=seeds)
    f = res.findings[0]
    out["small_overfit"] = {"verdict": f.code, "val_mean": res.val_mean, "train_mean": res.train_mean,
                            "message": f.message, "ok": f.code == "needs_more_data"}
    log(f"  600 rows of digits, no regularisation: {f.code} -- {f.message} ({time.perf_counter() - t0:.0f}s)")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", nargs="*", default=list(TASKS), choices=list(TASKS))
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=3, help="seeds per size")
    ap.add_argument("--no-story", action="store_true", help="skip the demo / small-data checks")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = []
    for name in a.tasks:
        print(name, flush=True)
        for r in range(a.replicates):
            row = run(name, TASKS[name], r, a.seeds, lambda m: print(m, flush=True))
            if row is not None:
                rows.append(row)
    print("\nforecast of the full-size validation score from <= half the rows "
          f"({len(rows)} curves: {len(a.tasks)} tasks x {a.replicates} replicates, {a.seeds} seeds per size)")
    w = max(len(n) for n in a.tasks)
    print(f"{'task'.ljust(w)}  {'|err| ours':>10s} {'flat':>8s} {'log-lin':>8s} {'covered':>8s}  verdicts "
          "(per replicate; ?: not rising beyond noise, but a gain of 0.02 per doubling not ruled out)")
    summary = {}
    for name in a.tasks:
        rs = [x for x in rows if x["task"] == name]
        e = np.mean([abs(x["error"]) for x in rs])
        ef = np.mean([abs(x["flat_error"]) for x in rs])
        el = np.mean([abs(x["log-linear_error"]) for x in rs])
        cov = sum(x["covered"] for x in rs)
        verdicts = ", ".join(x["verdict"].replace("needs_more_data", "more data").replace("data_saturated", "saturated")
                             + (f"/{x['kind']}" if x["kind"] else "") + ("?" if x["unsure"] else "") for x in rs)
        print(f"{name.ljust(w)}  {e:10.4f} {ef:8.4f} {el:8.4f} {cov:>5d}/{len(rs)}  {verdicts}")
    err = np.array([abs(x["error"]) for x in rows])
    ef = np.array([abs(x["flat_error"]) for x in rows])
    el = np.array([abs(x["log-linear_error"]) for x in rows])
    cov = np.mean([x["covered"] for x in rows])
    summary = {"curves": len(rows), "mean_abs_error": float(err.mean()), "median_abs_error": float(np.median(err)),
               "flat_mean_abs_error": float(ef.mean()), "loglinear_mean_abs_error": float(el.mean()),
               "coverage": float(cov), "nominal": 0.9,
               "mean_width": float(np.mean([x["high"] - x["low"] for x in rows]))}
    print(f"\nours: mean |error| {err.mean():.4f} (median {np.median(err):.4f}); flat {ef.mean():.4f} "
          f"({ef.mean() / err.mean():.2f}x ours); log-linear {el.mean():.4f} ({el.mean() / err.mean():.2f}x ours)")
    print(f"90% interval: covers {cov:.0%} of {len(rows)} curves (mean width {summary['mean_width']:.3f})")
    if not a.no_story:
        print("\nthe opening story")
        summary["story"] = story(max(a.seeds, 3), lambda m: print(m, flush=True))
    print(f"\n{time.perf_counter() - t0:.0f} s")
    if a.json:
        a.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
