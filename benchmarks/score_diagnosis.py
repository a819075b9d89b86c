"""Score fitdoctor's diagnosis on the labelled corpus of real training runs.

    python benchmarks/score_diagnosis.py                    # tune split
    python benchmarks/score_diagnosis.py --split holdout --json out.json
    python benchmarks/score_diagnosis.py --split formats    # Lightning/HF/MLflow step logs, Keras console, notebooks
    python benchmarks/score_diagnosis.py --fallback         # reader failures scored on values.json
    python benchmarks/score_diagnosis.py --meta             # also pass task / n_classes / class prior

Each run's log is read with ``fd.read`` (its real format) and diagnosed with
``fd.diagnose``. A reader failure counts as a miss and is listed; ``--fallback``
additionally diagnoses the run's canonical ``values.json`` so rule work can go on
while a reader is missing (reported separately, never silently). A code counts as
predicted when a finding with that code has severity >= warning (>= info for
``healthy``). Top-1 is right when the first finding's code is the run's primary
label. Runs whose primary log is a console capture or a notebook (``keras-console``,
``notebook``) also carry the same fit's Keras CSVLogger file (``csv_path``): it is read and
diagnosed too, and the report says in how many of them the console/notebook verdict's top
finding equals the CSVLogger verdict's (listing the disagreements). Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
LABELS = CORPUS / "labels.json"
SEV = {"info": 0, "warning": 1, "error": 2}
#: The curve codes of FINDINGS.md: the corpus's label vocabulary.
CURVE_CODES = ("healthy", "still_improving", "overfitting", "plateau", "chance_level", "underfitting",
               "diverging", "non_finite", "oscillating", "val_not_improving", "suspicious_validation",
               "lr_too_high", "lr_too_low")


def predicted_codes(findings: list) -> set[str]:
    """Codes the diagnosis asserts: severity >= warning, or healthy at any severity."""
    out = set()
    for f in findings:
        if f.code == "healthy" or SEV.get(f.severity, 0) >= SEV["warning"]:
            out.add(f.code)
    return out


def diagnose_run(rid: str, e: dict[str, Any], fallback: bool, meta: bool = False) -> dict[str, Any]:
    """Read and diagnose one run; never raises."""
    import fitdoctor as fd

    row: dict[str, Any] = {"id": rid, "primary": e["primary"], "labels": e["labels"],
                           "format": e["format"], "reader_error": None, "fallback": False}
    t0 = time.perf_counter()
    hist = None
    try:
        hist = fd.read(CORPUS / e["path"])
    except Exception as exc:  # a reader failure is a miss, listed with its message
        row["reader_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
        if fallback:
            try:
                hist = fd.read(CORPUS / e["values"], fmt="keras-json")
                row["fallback"] = True
            except Exception as exc2:  # pragma: no cover - values.json is ours
                row["reader_error"] += f"; fallback failed: {exc2}"
    row["top"], row["codes"], row["findings"] = None, [], []
    if hist is not None and meta:  # what a caller who knows the data could pass (--meta)
        hist.meta.update(task=e["task"], n_classes=e["n_classes"], class_prior=e["class_prior"])
    if hist is not None:
        try:
            d = fd.diagnose(hist)
            row["top"] = d.findings[0].code if d.findings else None
            row["codes"] = sorted(predicted_codes(d.findings))
            row["findings"] = [(f.code, f.severity) for f in d.findings]
            row["warn"] = any(SEV.get(f.severity, 0) >= SEV["warning"] for f in d.findings)
        except Exception as exc:
            row["diagnose_error"] = f"{type(exc).__name__}: {exc}"
    row["ok"] = row["top"] == row["primary"] and (row["reader_error"] is None or row["fallback"])
    if e.get("csv_path"):  # the same fit's CSVLogger file: the verdict should not depend on the log
        row["writer"] = e.get("writer", e["format"])
        row["csv_top"], row["csv_codes"], row["csv_error"] = None, [], None
        try:
            dc = fd.diagnose(fd.read(CORPUS / e["csv_path"]))
            row["csv_top"] = dc.findings[0].code if dc.findings else None
            row["csv_codes"] = sorted(predicted_codes(dc.findings))
        except Exception as exc:
            row["csv_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    row["seconds"] = time.perf_counter() - t0
    return row


def consistency(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Console/notebook verdict vs the same fit's CSVLogger verdict (runs with ``csv_path``)."""
    pairs = [r for r in rows if "csv_top" in r]
    if not pairs:
        return None

    def same_top(r) -> bool:  # a reader failure on either side is a disagreement
        return r["reader_error"] is None and r["csv_error"] is None and r["top"] == r["csv_top"]

    by_writer: dict[str, list[bool]] = defaultdict(list)
    for r in pairs:
        by_writer[r["writer"]].append(same_top(r))
    return {
        "n": len(pairs),
        "same_top": sum(same_top(r) for r in pairs),
        "same_codes": sum(same_top(r) and r["codes"] == r["csv_codes"] for r in pairs),
        "by_writer": {w: {"same_top": sum(v), "n": len(v)} for w, v in sorted(by_writer.items())},
        "disagreements": [{"id": r["id"], "writer": r["writer"], "console_top": r["top"],
                           "csv_top": r["csv_top"], "console_codes": r["codes"], "csv_codes": r["csv_codes"],
                           "error": r["reader_error"] or r["csv_error"]}
                          for r in pairs if not same_top(r)],
    }


def summarize(rows: list[dict[str, Any]], codes: list[str]) -> dict[str, Any]:
    """Per-code precision/recall, top-1 accuracy, healthy false alarms, per-format top-1."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for r in rows:
        scored = r["reader_error"] is None or r["fallback"]
        pred = set(r["codes"]) if scored else set()
        truth = set(r["labels"])
        for c in codes:
            if c in pred and c in truth:
                tp[c] += 1
            elif c in pred:
                fp[c] += 1
            elif c in truth:
                fn[c] += 1
    per_code = {}
    for c in codes:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else None
        rc = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else None
        n_primary = sum(r["primary"] == c for r in rows)
        top1 = sum(r["ok"] for r in rows if r["primary"] == c)
        per_code[c] = {"precision": p, "recall": rc, "tp": tp[c], "fp": fp[c], "fn": fn[c],
                       "n_primary": n_primary, "top1": top1}
    healthy = [r for r in rows if r["primary"] == "healthy"]
    false_alarms = [r["id"] for r in healthy if r.get("warn")]  # reader failures are listed apart
    by_fmt: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_fmt[r["format"]].append(r["ok"])
    return {
        "n_runs": len(rows),
        "top1": sum(r["ok"] for r in rows) / len(rows) if rows else None,
        "top1_hits": sum(r["ok"] for r in rows),
        # lenient: the top finding is one of the codes the run truly shows
        "top1_any_label": sum(r["top"] in r["labels"] and (r["reader_error"] is None or r["fallback"])
                              for r in rows) / len(rows) if rows else None,
        "healthy_false_alarm_rate": len(false_alarms) / len(healthy) if healthy else None,
        "healthy_false_alarms": false_alarms,
        "per_code": per_code,
        "per_format_top1": {f: {"top1": sum(v) / len(v), "n": len(v)} for f, v in sorted(by_fmt.items())},
        "reader_failures": [{"id": r["id"], "format": r["format"], "error": r["reader_error"]}
                            for r in rows if r["reader_error"]],
        "fallback_used": sum(r["fallback"] for r in rows),
        "misses": [{"id": r["id"], "primary": r["primary"], "got": r["top"], "labels": r["labels"],
                    "findings": r["findings"]} for r in rows if not r["ok"]],
        "console_vs_csv": consistency(rows),
    }


def _pct(x: float | None) -> str:
    return "  -  " if x is None else f"{100 * x:5.1f}"


def print_report(s: dict[str, Any], split: str, seconds: float) -> None:
    print(f"fitdoctor diagnosis score: split={split}, {s['n_runs']} runs, {seconds:.1f}s")
    print(f"{'code':22s} {'prec%':>6s} {'rec%':>6s} {'tp':>3s} {'fp':>3s} {'fn':>3s} {'top1':>7s}")
    for c, v in s["per_code"].items():
        print(f"{c:22s} {_pct(v['precision']):>6s} {_pct(v['recall']):>6s} {v['tp']:3d} {v['fp']:3d} "
              f"{v['fn']:3d} {v['top1']:3d}/{v['n_primary']:<3d}")
    print(f"TOP-1 accuracy: {_pct(s['top1'])}% ({s['top1_hits']}/{s['n_runs']})   target >= 95%")
    print(f"top-1 in any true label: {_pct(s['top1_any_label'])}%")
    fa = s["healthy_false_alarm_rate"]
    print(f"healthy false alarms: {_pct(fa)}% {s['healthy_false_alarms'] or ''}   target <= 2%")
    print("top-1 by format: " + ", ".join(f"{f} {_pct(v['top1']).strip()}% (n={v['n']})"
                                          for f, v in s["per_format_top1"].items()))
    cc = s.get("console_vs_csv")
    if cc:
        print(f"console/notebook vs CSVLogger (same fit): same top finding in {cc['same_top']}/{cc['n']} runs ("
              + ", ".join(f"{w} {v['same_top']}/{v['n']}" for w, v in cc["by_writer"].items())
              + f"); same predicted codes in {cc['same_codes']}/{cc['n']}")
        for d in cc["disagreements"]:
            print(f"  {d['id']:26s} {d['writer']:15s} console -> {d['console_top']!s:21s} "
                  f"CSVLogger -> {d['csv_top']!s:21s} {d['error'] or ''}")
    if s["reader_failures"]:
        fb = f", {s['fallback_used']} scored on values.json (--fallback)" if s["fallback_used"] else \
            " (counted as misses; --fallback scores them on values.json)"
        print(f"READER FAILURES: {len(s['reader_failures'])}{fb}")
        for r in s["reader_failures"][:8]:
            print(f"  {r['id']:26s} {r['format']:11s} {r['error']}")
        if len(s["reader_failures"]) > 8:
            print(f"  ... {len(s['reader_failures']) - 8} more")
    if s["misses"]:
        print(f"misses ({len(s['misses'])}): id, primary -> got  [all labels] findings")
        for m in s["misses"]:
            fs = " ".join(f"{c}:{sv[0]}" for c, sv in m["findings"][:4])
            print(f"  {m['id']:26s} {m['primary']:>21s} -> {str(m['got']):21s} {m['labels']} {fs}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score fitdoctor on the labelled corpus.")
    ap.add_argument("--split", choices=["tune", "holdout", "formats", "all"], default="tune",
                    help="tune (tune rules on it), holdout (report it), formats (the step-logged "
                         "Lightning / Hugging Face / MLflow runs, Keras console output and notebooks; "
                         "never tune on it), or all")
    ap.add_argument("--json", metavar="OUT", help="write the summary as JSON here")
    ap.add_argument("--fallback", action="store_true",
                    help="diagnose values.json when a run's reader fails (reported separately)")
    ap.add_argument("--meta", action="store_true",
                    help="tell the diagnoser the task, n_classes and true class prior (logs do not carry them)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if not LABELS.exists():
        print(f"no corpus at {LABELS}; run: python benchmarks/corpus/generate.py")
        return 0
    doc = json.loads(LABELS.read_text())
    runs = {k: v for k, v in doc["runs"].items() if args.split == "all" or v["split"] == args.split}
    rows = [diagnose_run(rid, e, args.fallback, args.meta) for rid, e in sorted(runs.items())]
    codes = list(CURVE_CODES) + sorted({c for e in doc["runs"].values() for c in e["labels"]} - set(CURVE_CODES))
    s = summarize(rows, codes)
    seconds = time.perf_counter() - t0
    s.update(split=args.split, seconds=round(seconds, 2), fallback=args.fallback, meta=args.meta)
    print_report(s, args.split, seconds)
    if args.json:
        out = Path(args.json)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(json.dumps(s, indent=1, default=str))
        tmp.replace(out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
