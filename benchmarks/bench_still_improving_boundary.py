"""Is the still_improving/healthy boundary the best these curve measures allow?

Reads every blind log labelled ``still_improving`` or ``healthy`` under a folder of blind cases
(``<SET>/cases/<id>/truth.json`` beside the log, as the labellers write them; the logs themselves
are third-party files kept out of the repository, see ``wild_blind/README.md``), measures the
tail of the curve the rules judge (val if logged, else train), and compares the rules' own
split with classifiers trained on those measures under repeated stratified 5-fold
cross-validation.

    python benchmarks/bench_still_improving_boundary.py /path/to/blind/sets
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import signal
from multiprocessing import Pool

import numpy as np

FEATURES = ["is_val", "log_n", "z", "z_end", "z_half", "share", "rel", "best_from_end", "falling_steps",
            "annealed", "last10", "curvature"]


def measure(case: str) -> dict | None:
    """The tail measures of one case's judged curve, its label and the rules' verdict."""
    import fitdoctor as fd
    from fitdoctor.diagnose import load_rules
    from fitdoctor.diagnose.base import Context, tail_level
    from fitdoctor.diagnose.curves.progress import falling_steps, lr_annealed
    from fitdoctor.diagnose.curves.shape import drop, tail_trend, train_curve, val_curve
    from fitdoctor.report.multirun import leading_run
    from fitdoctor.thresholds import with_overrides

    load_rules()
    truth = json.load(open(os.path.join(case, "truth.json")))
    if not truth.get("expected") or truth["expected"][0] not in ("still_improving", "healthy"):
        return None
    signal.alarm(60)
    try:
        runs = fd.read_runs(os.path.join(case, truth["data_file"]))
        verdicts = [fd.diagnose(r) for r in runs]
        i = leading_run(verdicts) if len(verdicts) > 1 else 0
        history = runs[i].per_evaluation() or runs[i]
        ctx = Context.build(history, with_overrides(None))
        P = val_curve(ctx) or train_curve(ctx)
        if P is None or P.n < 3:
            return None
        slope, z, span = tail_trend(P, 0.3)
        total = drop(P)
        level = max(abs(tail_level(P, 0.15)), 1e-12)
        k = max(2, P.n // 10)
        y = P.smoothed()
        first = next((f.code for f in verdicts[i].findings if f.severity in ("warning", "error")), None)
        return {"label": truth["expected"][0], "confidence": truth.get("confidence"),
                "rules_say_still": first == "still_improving",
                "is_val": float(P is val_curve(ctx)), "log_n": float(np.log(P.n)),
                "z": float(np.clip(z, -20, 20)), "z_end": float(np.clip(tail_trend(P, 0.15)[1], -20, 20)),
                "z_half": float(np.clip(tail_trend(P, 0.5)[1], -20, 20)),
                "share": float(np.clip(-slope * span / total, -2, 2)) if total > 0 else 0.0,
                "rel": float(np.clip(-slope * span / level, -2, 2)),
                "best_from_end": (P.n - 1 - P.best_index()) / P.n, "falling_steps": float(falling_steps(P)),
                "annealed": float(bool(lr_annealed(ctx))),
                "last10": float(np.clip((y[-k - 1] - y[-1]) / total, -2, 2)) if total > 0 else 0.0,
                "curvature": float(np.clip(-slope / (total / (float(P.x[-1] - P.x[0]) or 1.0)), -2, 2))
                if total > 0 else 0.0}
    except Exception:
        return None
    finally:
        signal.alarm(0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", help="folder holding <SET>/cases/<id>/ blind cases")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.tree import DecisionTreeClassifier

    cases = sorted(p.rstrip("/") for p in glob.glob(os.path.join(args.root, "*", "cases", "*/")))
    with Pool(args.jobs, maxtasksperchild=50) as pool:
        rows = [r for r in pool.map(measure, cases, chunksize=2) if r]
    X = np.array([[r[f] for f in FEATURES] for r in rows])
    y = np.array([r["label"] == "still_improving" for r in rows])
    rules = np.array([r["rules_say_still"] for r in rows])
    print(f"{len(rows)} logs labelled still_improving or healthy ({y.sum()} still_improving)")
    print(f"rules: {(rules == y).mean():.1%}", end="")
    for conf in ("high", "medium", "low"):
        m = np.array([r["confidence"] == conf for r in rows])
        if m.any():
            print(f"  {conf} {(rules[m] == y[m]).mean():.1%} (n={m.sum()})", end="")
    print()
    models = {"logistic regression": LogisticRegression(max_iter=2000),
              "tree, depth 2": DecisionTreeClassifier(max_depth=2, min_samples_leaf=10),
              "tree, depth 3": DecisionTreeClassifier(max_depth=3, min_samples_leaf=10)}
    for name, model in models.items():
        scores = [(cross_val_predict(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=seed)) == y).mean()
                  for seed in range(5)]
        print(f"{name}: {np.mean(scores):.1%} +- {np.std(scores):.1%} (5-fold, 5 shuffles); "
              f"rules - model {(rules == y).mean() - np.mean(scores):+.1%}")


if __name__ == "__main__":
    main()
