"""Generate the labelled corpus of real training runs (benchmarks/corpus/runs, labels.json).

    python benchmarks/corpus/generate.py                 # everything (~10 min on 2 cores)
    python benchmarks/corpus/generate.py --only healthy  # one code (merged into labels.json)
    python benchmarks/corpus/generate.py --ids plateau-03 --show
    python benchmarks/corpus/generate.py --split formats  # the formats runs (step logs, console, notebook)
    PYTHONPATH=/tmp/nbpath python benchmarks/corpus/generate.py --split formats \
        --writer keras-console2 keras-console1 notebook     # the Keras console/notebook runs only

Each run is really trained (PyTorch or Keras 3 on torch) on scikit-learn data with a
planted fault, its log written by the real tool, and labelled by the oracle
(oracle.py) from what the run really shows, not from the intent. A run whose
intended code the oracle does not confirm is relabelled to what it does show, or
dropped when it shows no clean code; both lists go into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import shutil
import sys
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", "/tmp/fitdoctor_corpus_keras_home")
os.environ.setdefault("MPLCONFIGDIR", "/tmp/fitdoctor_corpus_mpl")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import data as datamod  # noqa: E402
import logs  # noqa: E402
import oracle  # noqa: E402
import train_torch  # noqa: E402
from spec import Result, Spec  # noqa: E402
from specs import all_specs  # noqa: E402

RUNS = HERE / "runs"
#: step-logged format -> the package that writes it (not a fitdoctor dependency)
TOOL = {"lightning": "lightning", "hf": "transformers", "mlflow": "mlflow", "notebook": "nbclient"}
LABELS = HERE / "labels.json"
HOLDOUT_SHARE = 0.4


def run_one(spec: Spec, show: bool = False) -> dict | None:
    """Train, log, and label one run; returns its labels.json entry (None when dropped)."""
    data = datamod.load(spec.dataset, spec.seed, spec.fault)
    run_dir = RUNS / spec.id
    if run_dir.exists():
        shutil.rmtree(run_dir)
    shutil.rmtree(RUNS / "_dropped" / spec.id, ignore_errors=True)
    run_dir.mkdir(parents=True)
    record = None
    if spec.fw == "keras":
        import train_keras

        if spec.fmt == "notebook":  # fit(verbose=1) in an executed .ipynb
            res = train_keras.train_notebook(spec, run_dir, logs.LOG_NAME[spec.fmt])
        elif spec.fmt in logs.CONSOLE_FORMATS:  # fit's console output, captured from a child
            res = train_keras.train_console(spec, run_dir, logs.LOG_NAME[spec.fmt])
        else:
            res = train_keras.train(spec, data, run_dir)
    elif spec.fmt in logs.STEP_FORMATS:
        record = {}  # per-step losses for the step-logging tools (same run, same numbers)
        res = train_torch.train(spec, data, record=record)
    else:
        res = train_torch.train(spec, data)
    ref = None
    if spec.ref is not None:
        rspec = dataclasses.replace(spec, **spec.ref, patience=None, extend=0.0)
        ref = train_torch.train(rspec, data)
    logged = res.logged()
    if record is not None:
        path = logs.write_steps(spec.fmt, run_dir, logged, record, data.task, spec, len(data.Xtr), len(data.Xva))
    else:
        path = logs.write(spec.fmt, run_dir, logged, data.task)
    # everything the oracle saw, so labels can be re-decided without retraining (--relabel)
    (run_dir / "trace.json").write_text(json.dumps({
        "hist": res.hist, "n_logged": res.n_logged, "final": res.final, "seconds": res.seconds,
        "ref": None if ref is None else {"hist": ref.hist, "n_logged": ref.n_logged}}))
    return label_entry(spec, data, res, ref, path, show)


def label_entry(spec: Spec, data, res: Result, ref: Result | None, path: Path, show: bool) -> dict:
    """Ask the oracle, then build the labels.json entry (relabel or drop when the intent fails)."""
    run_dir = RUNS / spec.id
    facts, labs = oracle.decide(spec, data, res, ref)
    logged = res.logged()
    (run_dir / "oracle.json").write_text(json.dumps({"labels": labs, "facts": facts}, indent=1))
    if show:
        print_curves(spec.id, logged, labs)
    entry = {
        "primary": None,
        "labels": labs,
        "intent": spec.intent,
        "path": str(path.relative_to(HERE)),
        "values": str((run_dir / "values.json").relative_to(HERE)),
        "format": logs.FORMAT[spec.fmt],
        "writer": spec.fmt,
        "framework": spec.fw,
        "dataset": spec.dataset,
        "seed": spec.seed,
        "plant": spec.plant,
        "epochs": len(logged["loss"]),
        "task": data.task,
        "n_classes": data.n_classes or None,
        "class_prior": data.class_prior,
        "seconds": round(res.seconds, 2),
    }
    if spec.fmt in logs.CONSOLE_FORMATS:  # the same fit's CSVLogger file, for the consistency check
        entry["csv_path"] = str((run_dir / logs.CSV_BESIDE).relative_to(HERE))
    # primary = the most fundamental code the run shows (labs is in root-cause order), never
    # the plant: a run is labelled by what it shows, and the diagnoser ranks in the same order
    if spec.intent in labs:
        entry["primary"] = labs[0]
    elif labs and labs != ["healthy"] or (labs == ["healthy"] and spec.intent != "healthy"):
        entry["primary"] = labs[0]
        entry["relabelled_from"] = spec.intent
    else:
        entry["dropped"] = f"intended {spec.intent}, oracle saw {labs or 'no clean code'}"
        gone = RUNS / "_dropped" / spec.id
        gone.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(gone, ignore_errors=True)
        shutil.move(str(run_dir), str(gone))
    return entry


def relabel(spec: Spec, show: bool = False) -> dict | None:
    """Re-decide a run's labels from its stored trace (no training)."""
    run_dir = RUNS / spec.id
    trace_path = run_dir / "trace.json"
    if not trace_path.exists():
        gone = RUNS / "_dropped" / spec.id
        if not (gone / "trace.json").exists():
            return None
        shutil.move(str(gone), str(run_dir))
    t = json.loads(trace_path.read_text())
    res = Result(t["hist"], t["n_logged"], t["final"], t["seconds"])
    ref = None if t["ref"] is None or spec.ref is None else Result(t["ref"]["hist"], t["ref"]["n_logged"])
    data = datamod.load(spec.dataset, spec.seed, spec.fault)
    return label_entry(spec, data, res, ref, run_dir / logs.LOG_NAME[spec.fmt], show)


def print_curves(run_id: str, logged: dict, labs: list[str]) -> None:
    """Compact text view of a run, to check labels by eye."""
    from fitdoctor.report.sparkline import sparkline

    print(f"--- {run_id}: {labs}")
    for k in ("loss", "val_loss", "val_accuracy", "lr"):
        if k in logged:
            v = np.asarray(logged[k], float)
            fin = v[np.isfinite(v)]
            rng = f"{fin.min():.4g}..{fin.max():.4g}" if fin.size else "all non-finite"
            print(f"  {k:13s} {sparkline(v) if fin.size else ''}  first {v[0]:.4g} last {v[-1]:.4g} [{rng}]")


def assign_splits(entries: dict[str, dict]) -> None:
    """Deterministic, stratified by primary: ~40% holdout, whole datasets at a time where possible.

    A run keeps the side it already has (so growing the corpus never moves a tune run into
    holdout); a new run joins the side that already holds its dataset for that code, else the
    side that is short of its share.
    """
    by_code: dict[str, list[str]] = {}
    for rid, e in entries.items():
        if e.get("primary") and e.get("forced_split") not in (None, "tune", "holdout"):
            e["split"] = e["forced_split"]  # a set of its own ("formats"): outside tune/holdout
        elif e.get("primary"):
            by_code.setdefault(e["primary"], []).append(rid)
        else:
            e["split"] = "dropped"
    for code, ids in by_code.items():
        fixed = [r for r in ids if entries[r].get("split") in ("tune", "holdout")]
        if not fixed:
            _fresh_split(code, ids, entries)
            continue
        for rid in sorted(set(ids) - set(fixed), key=lambda r: zlib.crc32(r.encode())):
            ds = entries[rid]["dataset"]
            sides = {entries[r]["split"] for r in fixed if entries[r]["dataset"] == ds}
            if len(sides) == 1:
                entries[rid]["split"] = sides.pop()
            else:
                n_hold = sum(entries[r]["split"] == "holdout" for r in fixed)
                entries[rid]["split"] = "holdout" if n_hold < HOLDOUT_SHARE * (len(fixed) + 1) else "tune"
            fixed.append(rid)


def _fresh_split(code: str, ids: list[str], entries: dict[str, dict]) -> None:
    target = max(1, round(HOLDOUT_SHARE * len(ids))) if len(ids) >= 2 else 0
    groups: dict[str, list[str]] = {}
    for rid in sorted(ids):
        groups.setdefault(entries[rid]["dataset"], []).append(rid)
    order = sorted(groups, key=lambda d: zlib.crc32(f"{code}/{d}".encode()))
    hold: list[str] = []
    for d in order:
        if len(hold) + len(groups[d]) <= target:
            hold += groups[d]
    for rid in sorted(ids, key=lambda r: zlib.crc32(r.encode())):  # top up run by run
        if len(hold) >= target:
            break
        if rid not in hold and len(groups[entries[rid]["dataset"]]) > 1:
            hold.append(rid)
    for rid in ids:
        entries[rid]["split"] = "holdout" if rid in hold else "tune"


def load_labels() -> dict[str, dict]:
    if LABELS.exists():
        doc = json.loads(LABELS.read_text())
        return {**doc.get("runs", {}), **doc.get("dropped", {})}
    return {}


def save_labels(entries: dict[str, dict]) -> None:
    assign_splits(entries)
    doc = {
        "about": "Labelled corpus of real training runs; see benchmarks/README.md for the oracle criteria.",
        "codes": sorted({e["primary"] for e in entries.values() if e.get("primary")}),
        "runs": {k: entries[k] for k in sorted(entries) if entries[k].get("primary")},
        "dropped": {k: {f: entries[k][f] for f in ("intent", "plant", "dataset", "labels", "dropped")}
                    for k in sorted(entries) if not entries[k].get("primary")},
    }
    tmp = LABELS.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, LABELS)


def write_status(readme: Path = HERE.parent / "README.md") -> None:
    """Refresh the corpus-status section of benchmarks/README.md (counts, relabelled, dropped)."""
    doc = json.loads(LABELS.read_text())
    runs, dropped = doc["runs"], doc["dropped"]
    codes = sorted({e["primary"] for e in runs.values()})
    lines = ["<!-- corpus-status -->", "", "### Corpus status (written by generate.py)", "",
             f"{len(runs)} runs ({sum(e['split'] == 'tune' for e in runs.values())} tune, "
             f"{sum(e['split'] == 'holdout' for e in runs.values())} holdout, "
             f"{sum(e['split'] == 'formats' for e in runs.values())} formats), {len(dropped)} dropped. "
             "Formats: " + ", ".join(f"{k} {v}" for k, v in sorted(
                 __import__("collections").Counter(e["format"] for e in runs.values()).items())) + ".", "",
             "| primary | tune | holdout | formats | also labelled |", "|---|---|---|---|---|"]
    for c in codes:
        es = [e for e in runs.values() if e["primary"] == c]
        extra = sorted({x for e in es for x in e["labels"] if x != c})
        lines.append(f"| {c} | {sum(e['split'] == 'tune' for e in es)} | "
                     f"{sum(e['split'] == 'holdout' for e in es)} | "
                     f"{sum(e['split'] == 'formats' for e in es)} | {', '.join(extra)} |")
    rel = [(k, e) for k, e in sorted(runs.items()) if e.get("relabelled_from")]
    lines += ["", f"Relabelled by the oracle ({len(rel)}): the plant aimed at one code, the run showed another.", ""]
    lines += [f"- `{k}` ({e['plant']}): intended {e['relabelled_from']}, shows {', '.join(e['labels'])}"
              for k, e in rel]
    lines += ["", f"Dropped ({len(dropped)}): the run showed no clean code.", ""]
    lines += [f"- `{k}` ({e['plant']}): {e['dropped']}" for k, e in sorted(dropped.items())]
    text = readme.read_text()
    head = text.split("<!-- corpus-status -->")[0]
    tmp = readme.with_suffix(".tmp")
    tmp.write_text(head + "\n".join(lines) + "\n")
    os.replace(tmp, readme)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="codes (intents) to (re)generate")
    ap.add_argument("--ids", nargs="*", help="run ids to (re)generate")
    ap.add_argument("--split", help="only the runs with this forced split (e.g. formats: the step-logged runs)")
    ap.add_argument("--writer", nargs="*", help="only the runs written this way (spec fmt: keras-console2, notebook, ...)")
    ap.add_argument("--show", action="store_true", help="print each run's curves and labels")
    ap.add_argument("--relabel", action="store_true",
                    help="re-decide labels from the stored traces (after an oracle change; no training)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    specs = all_specs()
    if args.only:
        specs = [s for s in specs if s.intent in args.only]
    if args.ids:
        specs = [s for s in specs if s.id in args.ids]
    if args.split:
        specs = [s for s in specs if s.split == args.split]
    if args.writer:
        specs = [s for s in specs if s.fmt in args.writer]
    if not args.relabel:  # some formats are written by tools fitdoctor does not depend on
        def tools(s: Spec) -> list[str]:
            return ([TOOL[s.fmt]] if s.fmt in TOOL else []) + (["keras"] if s.fw == "keras" else [])

        missing = [s for s in specs if any(importlib.util.find_spec(t) is None for t in tools(s))]
        if missing:
            print(f"skipping {len(missing)} run(s) ({', '.join(sorted({s.fmt for s in missing}))}): "
                  f"{', '.join(sorted({t for s in missing for t in tools(s) if importlib.util.find_spec(t) is None}))}"
                  " not installed here; see benchmarks/README.md (generate them with an environment that has them)")
            specs = [s for s in specs if s not in missing]
    entries = load_labels()
    t0 = time.perf_counter()
    for spec in specs:
        try:
            e = relabel(spec, args.show) if args.relabel else run_one(spec, args.show)
        except Exception as exc:  # one broken plant must not stop the corpus
            print(f"{spec.id:26s} FAILED: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
            shutil.rmtree(RUNS / spec.id, ignore_errors=True)
            continue
        if e is None:
            continue
        entries = load_labels()  # merge with what other generate.py processes wrote meanwhile
        old = entries.get(spec.id, {})
        if old.get("split") in ("tune", "holdout") and old.get("primary") == e.get("primary"):
            e["split"] = old["split"]  # a run never changes sides once the lead may have tuned on it
        if spec.split and e.get("primary"):
            e["split"] = spec.split  # runs added after the first score are all tune (or formats)
            e["forced_split"] = spec.split  # outside the stratified 40% rule (the holdout stays comparable)
        if old.get("relabelled") and e.get("primary"):
            # a label set by hand to the convention (its reason in "relabelled") outlives the oracle
            e.update({k: old[k] for k in ("primary", "labels", "relabelled")})
        entries[spec.id] = e
        tag = e.get("primary") or "DROPPED"
        extra = f" (relabelled from {spec.intent})" if e.get("relabelled_from") else ""
        print(f"{spec.id:26s} {e['seconds']:6.1f}s  {tag}{extra}  labels={e['labels']}", flush=True)
        save_labels(entries)
    known = {s.id for s in all_specs()}
    for rid in [r for r in entries if r not in known]:
        del entries[rid]
    save_labels(entries)
    write_status()
    print(f"{len(specs)} runs in {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
