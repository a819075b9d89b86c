"""Read and diagnose real logs collected from public repositories, one table row per run.

The logs are third-party files, so they live outside the repository, one folder per
kind (``/tmp/public_logs/<kind>/<owner>__<repo>__<name>``: a file, or a folder such as
a Hugging Face output dir or a TensorBoard run). A ``SOURCES.tsv`` beside them (entry,
``owner/repo:path@commit``) is shown when present. Every entry goes through
``fitdoctor.read_runs`` and ``fitdoctor.diagnose`` exactly as a user's log would:

    python benchmarks/public_logs.py                    # /tmp/public_logs
    python benchmarks/public_logs.py path/to/folder --json out.json

Prints per run: entry, detected format, points, top finding and its severity, or the
one-line read error; then totals per kind and overall: entries read, runs diagnosed,
bad inputs (a clear one-line refusal) and crashes (any other exception: always a bug).
It records what happens; it always exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import fitdoctor as fd  # noqa: E402
from fitdoctor.errors import BadInput  # noqa: E402

DEFAULT = Path("/tmp/public_logs")


def entries(root: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every log: the entries of each sub-folder, or the folder's own files."""
    subs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not subs:
        return [("", f) for f in sorted(root.iterdir()) if f.is_file() and f.name != "SOURCES.tsv"]
    return [(d.name, e) for d in subs for e in sorted(d.iterdir()) if not e.name.startswith(".")]


def sources(root: Path) -> dict[str, str]:
    f = root / "SOURCES.tsv"
    if not f.is_file():
        return {}
    out = {}
    for line in f.read_text().splitlines():
        if "\t" in line:
            key, ref = line.split("\t", 1)
            out[key] = ref
    return out


def run_one(path: Path) -> list[dict]:
    """One row per run at ``path`` (one row with the error when it cannot be read)."""
    try:
        runs = fd.read_runs(path)
    except BadInput as exc:
        return [{"status": "bad input", "error": str(exc)}]
    except Exception as exc:  # a crash: a reader bug
        return [{"status": "crash", "error": f"{type(exc).__name__}: {exc}",
                 "traceback": traceback.format_exc(limit=4)}]
    rows = []
    for h in runs:
        row = {"run": h.meta.get("run") if len(runs) > 1 else None, "format": h.meta.get("format"),
               "points": h.n_points, "series": sorted(h.series)}
        try:
            d = fd.diagnose(h)
        except BadInput as exc:
            row.update(status="bad input", error=str(exc))
        except Exception as exc:
            row.update(status="crash", error=f"{type(exc).__name__}: {exc}",
                       traceback=traceback.format_exc(limit=4))
        else:
            top = d.findings[0] if d.findings else None
            row.update(status="ok", top=top.code if top else "-", severity=top.severity if top else "-",
                       codes=[f.code for f in d.findings], message=top.message if top else "")
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--json", type=Path, help="also write every row (with messages) here")
    args = ap.parse_args(argv)
    root = args.folder
    if not root.is_dir():
        print(f"{root}: no such folder; collect logs first (see benchmarks/README.md)")
        return 0
    refs = sources(root)
    table = []
    for kind, path in entries(root):
        key = f"{kind}/{path.name}" if kind else path.name
        for row in run_one(path):
            table.append({"kind": kind, "entry": key, "source": refs.get(key, ""), **row})

    w = max([len(r["entry"]) for r in table] + [5])
    w = min(w, 78)
    print(f"{'entry':{w}}  {'format':12} {'points':>6}  {'top finding':22} {'severity':8}  error")
    for r in table:
        name = r["entry"] + (f" [{r['run']}]" if r.get("run") else "")
        name = name if len(name) <= w else "..." + name[-(w - 3):]
        if r["status"] == "ok":
            print(f"{name:{w}}  {r['format'] or '-':12} {r['points']:>6}  {r['top']:22} {r['severity']:8}")
        else:
            fmt = r.get("format") or "-"
            pts = r.get("points", "-")
            print(f"{name:{w}}  {fmt:12} {pts!s:>6}  {'-':22} {'-':8}  {r['status']}: {r['error'][:160]}")

    print()
    by_entry: dict[str, list[dict]] = defaultdict(list)
    for r in table:
        by_entry[r["entry"]].append(r)
    kinds = sorted({r["kind"] for r in table})
    print(f"{'kind':12} {'entries':>7} {'read':>5} {'runs ok':>8} {'bad input':>9} {'crash':>5}")
    total = Counter()
    for kind in kinds + ["all"]:
        ents = {e: rs for e, rs in by_entry.items() if kind == "all" or rs[0]["kind"] == kind}
        c = Counter(
            entries=len(ents),
            read=sum(1 for rs in ents.values() if any(r["status"] == "ok" for r in rs)),
            runs_ok=sum(1 for rs in ents.values() for r in rs if r["status"] == "ok"),
            bad=sum(1 for rs in ents.values() for r in rs if r["status"] == "bad input"),
            crash=sum(1 for rs in ents.values() for r in rs if r["status"] == "crash"),
        )
        if kind == "all":
            total = c
        print(f"{kind:12} {c['entries']:>7} {c['read']:>5} {c['runs_ok']:>8} {c['bad']:>9} {c['crash']:>5}")
    share = 100.0 * total["read"] / total["entries"] if total["entries"] else 0.0
    print(f"\nread OK: {total['read']}/{total['entries']} entries ({share:.0f}%), "
          f"crashes: {total['crash']}")
    tops = Counter(r["top"] for r in table if r["status"] == "ok")
    print("top findings: " + ", ".join(f"{k} {v}" for k, v in tops.most_common()))
    for r in table:
        if r["status"] == "crash":
            print(f"\nCRASH {r['entry']}:\n{r.get('traceback', r['error'])}")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
