"""Score fitdoctor on the practitioner-labelled calibration runs, judged as ../shared/LABELS.md says.

    python benchmarks/score_calibration.py                 # the bundled clinic split, plus the wild
                                                           # logs when ../shared/calibration is there
    python benchmarks/score_calibration.py -v --json out.json
    python benchmarks/score_calibration.py --blind A=/tmp/wild2/A/cases   # more labelled public logs

The clinic cases (benchmarks/calibration/clinic/<id>/, a copy of ../shared/calibration/clinic/cases:
12 planted-fault runs in up to 8 log formats, each with its truth.json) are read and diagnosed in
process, exactly as ``fitdoctor diagnose PATH --json`` does (several runs under one path: the
best-ranked first), and judged as the shared scorer judges them:

  primary      the first warning/error finding is the expected code (or one of ``primary_also``);
               for a healthy case, there is none
  recall       share of expected codes reported at any severity (healthy: no warning/error)
  false alarm  a forbidden code reported at any severity
  crash        no diagnosis (a refusal counts)

The wild logs (public repositories) are not copied here: they are third-party files. Never tune a
rule to one of these runs; they are a yardstick, and a floor in tests/benchmarks/test_quality_floor.py.
Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLINIC = ROOT / "benchmarks" / "calibration" / "clinic"
WILD = ROOT.parent / "shared" / "calibration" / "wild" / "cases"


def first_findings(path: Path) -> list[dict[str, str]]:
    """The findings ``fitdoctor diagnose PATH --json`` prints first (of several runs, the one
    :func:`~fitdoctor.report.multirun.leading_run` names)."""
    import fitdoctor as fd
    from fitdoctor.report.multirun import leading_run

    runs = fd.read_runs(str(path))
    diagnoses = [fd.diagnose(r) for r in runs]
    d = diagnoses[leading_run(diagnoses)] if len(diagnoses) > 1 else diagnoses[0]
    return [{"code": f.code, "severity": f.severity} for f in d.findings]


def judge(truth: dict[str, Any], findings: list[dict[str, str]] | None) -> dict[str, Any]:
    exp, also, forb = truth["expected"], set(truth.get("primary_also", [])), set(truth["forbidden"])
    out = {"primary": False, "hits": 0, "n_expected": len(exp), "false_alarm": False, "first": None,
           "crash": findings is None, "codes": []}
    if findings is None:
        return out
    loud = [f for f in findings if f["severity"] != "info"]
    out["first"] = loud[0]["code"] if loud else None
    out["codes"] = [f["code"] for f in findings]
    if exp[0] == "healthy":
        out["primary"] = not loud
    else:
        out["primary"] = bool(loud) and (loud[0]["code"] == exp[0] or loud[0]["code"] in also)
    out["hits"] = sum(1 for e in exp if (e == "healthy" and not loud) or (e != "healthy" and e in out["codes"]))
    out["false_alarm"] = any(c in forb for c in out["codes"])
    return out


def _run(path: Path) -> list[dict[str, str]] | None:
    from fitdoctor.errors import BadInput

    try:
        return first_findings(path)
    except BadInput:
        return None


def score_clinic(root: Path = CLINIC) -> dict[str, Any]:
    rows = []
    for case in sorted(p for p in root.iterdir() if (p / "truth.json").is_file()):
        truth = json.loads((case / "truth.json").read_text())
        for fmt, spec in truth["formats"].items():
            r = judge(truth, _run(case / spec["path"]))
            rows.append({"case": case.name, "format": fmt, "expected": truth["expected"][0], **r})
    return _summary("clinic", rows)


def score_wild(root: Path = WILD, name: str = "wild") -> dict[str, Any] | None:
    if not root.is_dir():
        return None
    rows = []
    for case in sorted(p for p in root.iterdir() if (p / "truth.json").is_file()):
        truth = json.loads((case / "truth.json").read_text())
        r = judge(truth, _run(case / truth["data_file"]))
        rows.append({"case": case.name, "format": truth.get("format", ""), "expected": truth["expected"][0],
                     "confidence": truth.get("confidence", ""), **r})
    s = _summary(name, rows)
    high = [r for r in rows if r["confidence"] == "high"]
    s["high_confidence_primary"] = sum(r["primary"] for r in high) / len(high) if high else None
    return s


def _summary(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    return {"split": name, "runs": n, "cases": len({r["case"] for r in rows}),
            "primary": sum(r["primary"] for r in rows) / n if n else 0.0,
            "recall": sum(r["hits"] for r in rows) / max(1, sum(r["n_expected"] for r in rows)),
            "false_alarms": sum(r["false_alarm"] for r in rows) / n if n else 0.0,
            "crashes": sum(r["crash"] for r in rows), "rows": rows}


def _line(s: dict[str, Any]) -> str:
    extra = ""
    if s.get("high_confidence_primary") is not None:
        extra = f" high_conf_primary={s['high_confidence_primary']:.1%}"
    return (f"{s['split']}: primary={s['primary']:.1%} recall={s['recall']:.1%} "
            f"false_alarms={s['false_alarms']:.1%} crashes={s['crashes']} runs={s['runs']} "
            f"cases={s['cases']}{extra}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", action="store_true", help="one line per run")
    ap.add_argument("--json", metavar="OUT", help="write the scores as JSON here")
    ap.add_argument("--blind", metavar="NAME=DIR", action="append", default=[],
                    help="also score a folder of cases laid out as the wild ones (<id>/truth.json + its "
                         "data file), e.g. the blind-labelled public logs of benchmarks/wild_blind/")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    scores = [s for s in (score_clinic(), score_wild()) if s is not None]
    for spec in args.blind:
        name, _, folder = spec.partition("=")
        if not folder or not Path(folder).is_dir():
            ap.error(f"--blind {spec!r}: expected NAME=DIR with DIR a folder of cases")
        scores.append(score_wild(Path(folder), name))
    for s in scores:
        if args.v:
            for r in s["rows"]:
                mark = "ok " if r["primary"] else "BAD"
                print(f"  {mark} {r['case']:36s} {r['format']:18s} first={r['first']} expected={r['expected']}")
        print(_line(s))
    if not any(s["split"] == "wild" for s in scores):
        print(f"wild: skipped ({WILD} not found)")
    print(f"({time.perf_counter() - t0:.1f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
