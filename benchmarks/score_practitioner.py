"""Score fitdoctor, and the corpus oracle, against blind practitioner labels of planted runs.

    python benchmarks/score_practitioner.py                  # corpus runs labelled by practitioners
    python benchmarks/score_practitioner.py --set planted    # new planted runs, held out (planted_blind/)
    python benchmarks/score_practitioner.py -v               # one line per run

The corpus (``corpus/labels.json``) is labelled by an oracle that sees more than a log does (a
reference run at a lower lr or without the plant, the train loss measured without dropout). The
runs fitdoctor is judged on are labelled by practitioners from the curves (``../shared/LABELS.md``).
``corpus/practitioner_labels.json`` holds such labels for some corpus runs, made blind (see its
``about``). This scores both fitdoctor's diagnosis and the oracle's primary label against them
the way the shared calibration scorer judges a verdict: the first warning/error finding must be
the practitioner's primary (or one equally right); a forbidden code at any severity is a false
alarm. The runs drawn include every corpus miss of the day they were labelled, so the numbers
say where the oracle and the practitioner part, not how fitdoctor does on the whole corpus.

``--set planted`` scores ``planted_blind/``: new runs of the corpus's kinds (its specs, new
seeds), each labelled blind by a practitioner before fitdoctor saw it, and kept out of all rule
work: the closest this repository has to the planted runs fitdoctor is judged on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PLANTED = HERE / "planted_blind"
sys.path.insert(0, str(HERE))

from score_calibration import judge  # noqa: E402


def _cases(which: str) -> list[tuple[str, Path, str, dict]]:
    """(run id, log path, the oracle's primary, the practitioner's label) for each labelled run."""
    if which == "planted":
        runs = json.loads((PLANTED / "labels.json").read_text())["runs"]
        return [(rid, PLANTED / e["path"], e["oracle"]["primary"], e["practitioner"]) for rid, e in runs.items()]
    runs = json.loads((CORPUS / "labels.json").read_text())["runs"]
    prac = json.loads((CORPUS / "practitioner_labels.json").read_text())["runs"]
    return [(rid, CORPUS / runs[rid]["path"], runs[rid]["primary"], truth) for rid, truth in prac.items()]


def score(verbose: bool = False, which: str = "corpus") -> dict[str, dict[str, int]]:
    """{"fitdoctor": {...}, "oracle": {...}}: right first findings and false alarms over the
    practitioner-labelled runs of ``which`` ("corpus" or "planted", ``n`` runs); one line per
    run printed when ``verbose``."""
    import fitdoctor as fd

    cases = _cases(which)
    tally = {who: {"right": 0, "false_alarms": 0, "n": len(cases)} for who in ("fitdoctor", "oracle")}
    for rid, path, oracle_primary, truth in cases:
        d = fd.diagnose(fd.read(path))
        ours = [{"code": f.code, "severity": f.severity} for f in d.findings]
        oracle = [] if oracle_primary == "healthy" else [{"code": oracle_primary, "severity": "warning"}]
        line = []
        for who, findings in (("fitdoctor", ours), ("oracle", oracle)):
            j = judge(truth, findings)
            tally[who]["right"] += bool(j["primary"])
            tally[who]["false_alarms"] += bool(j["false_alarm"])
            first = next((f["code"] for f in findings if f["severity"] != "info"), "healthy")
            line.append(f"{who}={first}{'' if j['primary'] else ' (wrong)'}")
        if verbose:
            print(f"{rid:30} practitioner={truth['expected'][0]:22} ({truth['confidence']}) " + " ".join(line))
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per run")
    ap.add_argument("--set", choices=("corpus", "planted"), default="corpus",
                    help="corpus: corpus runs labelled by practitioners; planted: new planted runs, held out")
    args = ap.parse_args(argv)
    for who, t in score(args.verbose, args.set).items():
        n = t["n"]
        print(f"{who:9} right first finding {t['right']}/{n} ({t['right'] / n:.1%}), "
              f"false alarms {t['false_alarms']}/{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
