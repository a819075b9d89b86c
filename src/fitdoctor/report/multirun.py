"""Many runs in one path: rank them by their validation result."""

from __future__ import annotations

from typing import Any


def rank_runs(diagnoses) -> list[dict[str, Any]]:
    """One row per run, best first, by the value the summary selected on.

    Runs selected on different curves (one has val_accuracy, another only loss) are
    ranked within their group; ``beyond_noise`` says whether the best beats the next
    by more than twice the larger of their noise scales.
    """
    rows = []
    for index, d in enumerate(diagnoses):
        s = d.summary
        top = d.top
        rows.append({
            "index": index,
            "run": d.history.name,
            "points": s.get("points"),
            "selected_by": s.get("selected_by"),
            "best_value": s.get("best_value"),
            "best_at": s.get("best_at"),
            "noise": s.get("noise"),
            "top_finding": top.code if top else None,
            "severity": top.severity if top else None,
        })

    # values on different curves do not compare (a val_accuracy of 0.78 is not "better" than
    # a val_loss of 0.2): the largest group of runs selected on the same curve comes first
    sizes: dict[Any, int] = {}
    for r in rows:
        if r["best_value"] is not None:
            sizes[r["selected_by"]] = sizes.get(r["selected_by"], 0) + 1
    order = {name: i for i, name in enumerate(sorted(sizes, key=lambda n: (-sizes[n], str(n))))}

    def key(r):
        # an exact tie goes to the later run: the same best twice, the latest attempt is the one
        # the user is working on (a script rerun three times, each reaching 100% val accuracy)
        v = r["best_value"]
        if v is None:
            return (len(order), 0.0, -r["index"])
        hb = _higher_better(r["selected_by"])
        return (order[r["selected_by"]], -v if hb else v, -r["index"])

    rows.sort(key=key)
    if len(rows) >= 2 and rows[0]["best_value"] is not None and rows[1]["best_value"] is not None \
            and rows[0]["selected_by"] == rows[1]["selected_by"]:
        gap = abs(rows[0]["best_value"] - rows[1]["best_value"])
        noise = max(rows[0]["noise"] or 0.0, rows[1]["noise"] or 0.0)
        rows[0]["beyond_noise"] = bool(gap > 2 * noise)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def _higher_better(name: str | None) -> bool:
    from fitdoctor.history import higher_is_better

    return bool(name) and higher_is_better(name)
