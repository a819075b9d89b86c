"""How often two practitioners agree on a blind log's verdict, beside how often fitdoctor agrees
with each: the ceiling that label noise puts on the blind-log scores.

    python benchmarks/score_label_agreement.py                      # labels only
    python benchmarks/score_label_agreement.py --logs /tmp/wild2    # also fitdoctor, where the logs are
    python benchmarks/score_label_agreement.py -v                   # one line per log

A random sample of the blind-labelled public logs (``benchmarks/wild_blind/<set>/<id>/``) was
labelled a second time by labellers who saw only the log, where it came from and
``../shared/LABELS.md``, never the first label nor any verdict (``wild_blind/second_labels/``,
the same layout). Each label is judged against the other exactly as fitdoctor is judged against
a label (:func:`score_calibration.judge`): the labeller's first code stands for fitdoctor's
first warning (``healthy``: none). A labeller "prints" only that code, so its false alarms
count one code against fitdoctor's whole list: compare the primary rates, not the false alarms.

The random sample is the agreement rate. A second group (``--sample verdict_changed``) holds the
logs whose verdict a candidate rule change moved, labelled again the same blind way, so that a
change is judged on two labels where one labeller's call decides it; it is a sample of nothing.

With ``--logs ROOT`` the log files are looked up as ``ROOT/<set><n>/cases/<id>/<data_file>``
(the layout the labellers saved them in) or beside the first label, and fitdoctor's verdict
is judged against both labels. The logs are third-party files and are not copied here.
Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from score_calibration import _run, judge  # noqa: E402

BLIND = HERE / "wild_blind"
SECOND = BLIND / "second_labels"


def as_findings(truth: dict[str, Any]) -> list[dict[str, str]]:
    """A label read as a verdict: its first code is the first warning (none when healthy)."""
    code = truth["expected"][0]
    return [] if code == "healthy" else [{"code": code, "severity": "warning"}]


def pairs(second_root: Path = SECOND, first_root: Path = BLIND, sample: str | None = "random"
          ) -> list[tuple[str, dict, dict]]:
    """``(set/id, first label, second label)`` for every log labelled twice, of one ``sample``:
    ``random`` (drawn with a fixed seed: the agreement rate) or ``verdict_changed`` (the logs
    whose verdict a candidate rule change moved, labelled again to judge it on two labels;
    not a sample of anything); None: all."""
    out = []
    for t2 in sorted(second_root.glob("*/*/truth.json")):
        key = f"{t2.parent.parent.name}/{t2.parent.name}"
        t1 = first_root / key / "truth.json"
        second = json.loads(t2.read_text())
        if t1.is_file() and (sample is None or second.get("sample", "random") == sample):
            out.append((key, json.loads(t1.read_text()), second))
    return out


def find_log(key: str, truth: dict[str, Any], logs: Path | None) -> Path | None:
    """The log file of ``key`` (``set/id``): beside its first label, or under ``logs``."""
    beside = BLIND / key / truth["data_file"]
    if beside.is_file():
        return beside
    if logs is None:
        return None
    family, cid = key.split("/")
    for folder in sorted(logs.glob(f"{family}*/cases/{cid}")) + [logs / family / "cases" / cid]:
        if folder.parent.parent.name.rstrip("0123456789") == family and (folder / truth["data_file"]).is_file():
            return folder / truth["data_file"]
    return None


def _rate(rows: list[dict[str, Any]], field: str) -> str:
    n = len(rows)
    k = sum(bool(r[field]) for r in rows)
    return f"{k}/{n} ({k / n:.1%})" if n else "0/0"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--logs", type=Path, help="where the log files are (ROOT/<set><n>/cases/<id>/)")
    ap.add_argument("-v", action="store_true", help="one line per log")
    ap.add_argument("--json", metavar="OUT", help="write the rows as JSON here")
    ap.add_argument("--sample", choices=("random", "verdict_changed"), default="random",
                    help="the random sample (the agreement rate; default) or the logs labelled again "
                         "because a candidate rule change moved their verdict")
    args = ap.parse_args(argv)
    rows = []
    for key, first, second in pairs(sample=args.sample):
        row: dict[str, Any] = {"log": key, "first": first["expected"][0], "second": second["expected"][0],
                               "first_confidence": first.get("confidence", ""),
                               "second_confidence": second.get("confidence", "")}
        row["second_vs_first"] = judge(first, as_findings(second))["primary"]
        row["first_vs_second"] = judge(second, as_findings(first))["primary"]
        row["either"] = row["second_vs_first"] or row["first_vs_second"]
        path = find_log(key, first, args.logs)
        if path is not None:
            found = _run(path)
            a, b = judge(first, found), judge(second, found)
            row.update({"tool": a["first"] if found is not None else "(refused)", "tool_vs_first": a["primary"],
                        "tool_vs_second": b["primary"], "tool_fa_first": a["false_alarm"],
                        "tool_fa_second": b["false_alarm"]})
        rows.append(row)
    if not rows:
        print(f"no log is labelled twice under {SECOND}")
        return 0
    if args.v:
        for r in rows:
            tool = f"  fitdoctor={r['tool'] or 'healthy'}" if "tool" in r else ""
            mark = "agree" if r["second_vs_first"] else "     "
            print(f"  {mark} {r['log']:58s} first={r['first']:22s} second={r['second']:22s}{tool}")
    print(f"logs labelled twice ({args.sample} sample): {len(rows)}")
    print(f"second labeller judged on the first label : primary {_rate(rows, 'second_vs_first')}")
    print(f"first labeller judged on the second label : primary {_rate(rows, 'first_vs_second')}")
    high = [r for r in rows if r["first_confidence"] == "high" and r["second_confidence"] == "high"]
    if high:
        print(f"  both labels high-confidence ({len(high)}): second on first {_rate(high, 'second_vs_first')}")
    scored = [r for r in rows if "tool" in r]
    if scored:
        print(f"fitdoctor on the same {len(scored)} logs, judged on the first label : primary "
              f"{_rate(scored, 'tool_vs_first')}, false alarms {_rate(scored, 'tool_fa_first')}")
        print(f"fitdoctor on the same {len(scored)} logs, judged on the second label: primary "
              f"{_rate(scored, 'tool_vs_second')}, false alarms {_rate(scored, 'tool_fa_second')}")
        print(f"  the labellers on those {len(scored)} logs: second on first {_rate(scored, 'second_vs_first')}")
        both = [r for r in scored if r["second_vs_first"] and r["first_vs_second"]]
        if both:
            print(f"fitdoctor on the {len(both)} of them where each label passes the other: primary "
                  f"{_rate(both, 'tool_vs_first')}, false alarms {_rate(both, 'tool_fa_first')}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
