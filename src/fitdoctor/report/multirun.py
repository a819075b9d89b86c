"""Many runs in one path: rank them by their validation result, and name the run a file ends with."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitdoctor.history import RunHistory


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


#: a run with fewer points than this share of the file's longest run is an attempt cut short
COMPLETE_SHARE = 0.5
#: ... unless it reached the epochs it announced, logging a point for this share of them itself
AS_PLANNED_SHARE = 0.9


def latest_run(diagnoses) -> int | None:
    """The index of the last complete run of a file that holds several runs one after another
    (a log appended to by restarts, resumed fits, folds, or a table of several trainings): the
    run the file ends with is the one its author is working on, so a verdict on the file leads
    with it, whichever ranks best. "Complete": at least half the points of the file's longest
    run, or all the epochs the run announced, so a restart stopped after a few steps does not
    speak for the file. None for runs that did not come from one file (a folder of runs is a
    sweep: best first)."""
    histories = [d.history for d in diagnoses]
    if len(histories) < 2 or any("position_in_file" not in h.meta for h in histories):
        return None
    # a table of results (:func:`_results_table`), or a report printed after a counted run
    # (:func:`_report_after_training`), leads only when the file holds nothing else
    trained = [i for i, h in enumerate(histories)
               if not _results_table(h) and not _report_after_training(h, histories)] or list(range(len(histories)))
    longest = max(histories[i].n_points for i in trained)
    # ... or one that reached the epoch count it announced ("Epoch 50/50"), however much
    # longer another run in the file was (a sweep of 50- and 200-epoch settings)
    # ... or one that stopped early on purpose ("Early stopping at epoch 11. Best epoch: 1"): it
    # ended where it meant to, however short
    complete = [i for i in trained
                if histories[i].n_points >= COMPLETE_SHARE * longest or _ran_as_planned(histories[i], whole=True)
                or (histories[i].meta.get("early_stopped") and histories[i].n_points >= 3)]
    last = max(complete, key=lambda i: histories[i].meta["position_in_file"])
    others = [i for i in complete if i != last]
    if _stopped_short(histories[last]) and any(_ran_as_planned(histories[i]) for i in others):
        # a sweep whose runs each reached their planned "Epoch 15/15" and whose file ends inside
        # the next one ("Epoch 14/15"): that run was killed or is still running
        return max(others, key=lambda i: histories[i].meta["position_in_file"])
    return last


def _results_table(h: RunHistory) -> bool:
    """A block of lines with neither a loss nor an epoch or step number of their own: a table
    of results (a baseline's "Acc=0.82 F1=0.71" after each fold, a per-class mAP table), not
    a training run, however many lines it has."""
    return h.meta.get("dialect") == "seq" and not any(k in h.series for k in ("loss", "val_loss"))


def _report_after_training(h: RunHistory, histories: list[RunHistory]) -> bool:
    """A block of lines with no epoch or step number of their own that comes after a run
    counted by its epochs or steps in the same file: what the script printed once training was
    done (a speech model's per-utterance "WER: 0.0, CER: 0.0, loss: 27.42" lines under "Best
    WER:" and "Worst WER:"), not a training of its own, however many lines it has."""
    if h.meta.get("dialect") != "seq":
        return False
    at = h.meta["position_in_file"]
    return any(o.meta.get("dialect") not in (None, "seq") and o.meta["position_in_file"] < at for o in histories)


def _stopped_short(h) -> bool:
    """The log says how many epochs the run was planned for, and it ends before them with no
    early stopping that says why."""
    from fitdoctor.history import planned_progress

    p = planned_progress(h.meta, "epoch")
    return p is not None and p[0] < p[1] and not h.meta.get("early_stopped")


def _ran_as_planned(h, whole: bool = False) -> bool:
    """The run reached the epoch count it announced; ``whole``: and logged a point for most of
    them itself (a restart's one epoch numbered after the run before it reaches "30/30" too)."""
    from fitdoctor.history import planned_progress

    p = planned_progress(h.meta, "epoch")
    return p is not None and p[0] >= p[1] and (not whole or h.n_points >= AS_PLANNED_SHARE * p[1])


def ranking_notes(diagnoses, rows: list[dict[str, Any]]) -> list[str]:
    """The lines under a ranking (:func:`rank_runs`'s ``rows``), the same in the terminal, the
    Markdown and the HTML report: whether the best run beats the next beyond noise, and the run
    a file of several runs ends with (:func:`latest_run`)."""
    notes = []
    if rows and "beyond_noise" in rows[0]:
        notes.append("the best run beats the next beyond noise" if rows[0]["beyond_noise"]
                     else "the best run is within noise of the next: not a real difference")
    majority = replicate_majority(diagnoses)
    i = latest_run(diagnoses)
    if majority is not None:
        j, code, count = majority
        notes.append(f"replicates of one setup (folds or seeds): {count} of {len(diagnoses)} read {code}; "
                     f"run {diagnoses[j].history.name}, the last of them, is first in --json")
    elif i is not None:
        notes.append(f"last complete run in the file: {diagnoses[i].history.name} (first in --json)")
    return notes


#: the names of replicate runs of one setup in one file: cross-validation folds or seeds
#: ("0".."4" as a dict's keys, "fold_2", "Fold 3", "seed=44")
_REPLICATE_NAME = re.compile(r"(?:fold|cv|split|seed)?[\s_=#-]*\d+", re.I)
#: at least this many replicates for their majority to speak for the setup
REPLICATES_MIN = 3


def replicate_majority(diagnoses) -> tuple[int, str, int] | None:
    """``(index, code, count)`` for the runs of one file that are replicates of one setup
    (:data:`_REPLICATE_NAME`, ``REPLICATES_MIN`` or more): the verdict most of them share, over
    half, and the last run that shows it. Folds and seeds differ only by chance, so the
    setup's verdict is what most of them show, not what the last one happens to (a 5-fold log
    whose folds 0-3 overfit and whose fold 4 ended as its val loss came back: the setup
    overfits). None otherwise."""
    histories = [d.history for d in diagnoses]
    if len(histories) < REPLICATES_MIN or any("position_in_file" not in h.meta for h in histories):
        return None
    if not all(_REPLICATE_NAME.fullmatch(str(h.meta.get("run", "")).strip()) for h in histories):
        return None
    codes = [d.top.code if d.top else "no verdict" for d in diagnoses]  # the ranking's "top finding"
    code = max(dict.fromkeys(codes), key=codes.count)
    count = codes.count(code)
    if 2 * count <= len(codes):
        return None
    last = max((i for i, c in enumerate(codes) if c == code), key=lambda i: histories[i].meta["position_in_file"])
    return last, code, count


def leading_run(diagnoses, rows: list[dict[str, Any]] | None = None) -> int:
    """The index of the run a verdict on several runs leads with (``diagnose --json``'s first
    item): for replicates of one setup (folds, seeds), the last run showing the verdict most of
    them share (:func:`replicate_majority`); else the last complete run of one file
    (:func:`latest_run`), else the best-ranked run (from ``rows``, :func:`rank_runs`'s, when the
    caller has ranked them already)."""
    majority = replicate_majority(diagnoses)
    if majority is not None:
        return majority[0]
    latest = latest_run(diagnoses)
    if latest is not None:
        return latest
    return (rows if rows is not None else rank_runs(diagnoses))[0]["index"]
