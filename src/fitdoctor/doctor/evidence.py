"""What the retrains show: their findings by consensus, the ones already addressed or refuted, the baseline still ahead."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from fitdoctor.diagnose.run_level import BASELINE_NAMES, TRIVIAL, Z_CRIT
from fitdoctor.errors import BadInput
from fitdoctor.stats import paired_t

if TYPE_CHECKING:
    from fitdoctor.doctor.result import DoctorRound


#: Codes the data checks emit: they describe the table, not the training, so one of them whose
#: remedy is already in the config (class weights for class_imbalance) counts as handled.
DATA_CODES = ("unscaled_features", "class_imbalance", "misleading_accuracy", "train_val_overlap",
              "sorted_validation_split", "missing_values", "constant_features", "needs_more_data",
              "id_like_feature")


def _diagnose(sel: Any, cfg: Any, ds: Any, base_rows: dict[str, list[dict[str, float]]],
              data_cache: dict[str, Any]) -> None:
    """Re-diagnose every unit with what the trainer knows about the run as a whole: the data
    checks and the baselines' validation scores on the same rows (so below_baseline fires)."""
    from fitdoctor.data import make_splits
    from fitdoctor.findings import sort_findings
    from fitdoctor.train.experiment import diagnose_fit, record_run_facts, run_checks

    if not sel.runs:
        return
    splits = make_splits(ds, cfg.data.split)
    kfold = cfg.data.split.method == "kfold"
    unit_splits = splits if kfold else [splits[0]] * len(sel.runs)
    if cfg.data.scale not in data_cache:
        data_cache[cfg.data.scale] = run_checks(ds, splits[0], cfg.data.scale)[0]
    data_findings = data_cache[cfg.data.scale]
    val_scores = [{sel.metric: s, **a} for s, a in zip(sel.scores, sel.all_scores)]
    # the baselines were scored on the first units' seeds; a second look's units reuse them in turn
    base = {b: [rows[i % len(rows)] for i in range(len(sel.runs))] for b, rows in base_rows.items() if rows}
    record_run_facts(sel.runs, unit_splits, sel.metric, val_scores, base, data_findings, None, {}, kfold)
    out = []
    for r in sel.runs:
        d = diagnose_fit(r)
        have = {f.code for f in d.findings}
        d.findings = sort_findings(list(d.findings) + [f for f in data_findings if f.code not in have])
        if any(f.severity != "info" for f in d.findings if f.code != "healthy"):
            d.findings = [f for f in d.findings if f.code != "healthy"]
        out.append(d)
    sel.diagnoses = out


def _addressed(f: Any, cfg: Any, task: str) -> bool:
    """A data finding whose remedy is already in the config (class weights for class_imbalance)."""
    from fitdoctor.remedies_apply import UnsafeChange, resolve_changes

    if f.code not in DATA_CODES:
        return False
    for r in f.remedies:
        if not r.config_changes:
            continue
        try:
            if resolve_changes(cfg, r.config_changes, task=task) == {}:
                return True
        except UnsafeChange:
            continue
    return False


#: A holdout validation split smaller than this cannot tell a real change from luck (accuracy
#: on 32 rows moves in steps of 0.03 with a standard error near 0.08): ``judge_on="auto"``
#: judges on k folds of the train+val rows instead.
SMALL_VAL_ROWS = 100


#: folds for judging on folds when the config is a holdout one
JUDGE_FOLDS = 5


def judging(cfg: Any, ds: Any, judge_on: str, notes: list[str]) -> Callable[[Any], Any]:
    """The config each candidate is trained and judged with: the candidate itself, or the
    candidate with its holdout split replaced by k folds of the same train+val rows (the test
    rows are carved first with the same fraction and seed, so they are the same rows)."""
    from fitdoctor.config import apply_changes
    from fitdoctor.data import make_splits

    split = cfg.data.split
    if split.method == "kfold" or judge_on == "seeds":
        return lambda c: c
    holdout = make_splits(ds, split)[0]
    n_val = int(holdout.val.size)
    if judge_on == "auto" and n_val >= SMALL_VAL_ROWS:
        return lambda c: c
    folds = {"data.split.method": "kfold", "data.split.k": JUDGE_FOLDS}
    try:
        make_splits(ds, apply_changes(cfg, folds).data.split)
    except BadInput as exc:
        notes.append(f"judged on seeds: {JUDGE_FOLDS} folds of the train+val rows cannot be made ({exc})")
        return lambda c: c
    dev = n_val + int(holdout.train.size)
    why = (f"the validation split has {n_val} rows, too few to tell changes apart" if judge_on == "auto"
           else "as asked (--judge-on folds)")
    notes.append(f"judged on {JUDGE_FOLDS} folds of the {dev} train+val rows ({why}); the prescription keeps "
                 f"your holdout split, and the test rows are the same, untouched until the end")
    return lambda c: apply_changes(c, folds)


def _refuted(rnd: "DoctorRound", found: list[Any]) -> dict[str, str]:
    """``{code: why}`` for each refutable finding (see :mod:`fitdoctor.codes`) whose remedies were
    all retrained on the current config in this round and all rejected by the paired test
    (none refused before training, none failed).

    "More epochs would help" is a prediction; when the retrain with 3x the epochs does not raise
    the selection score beyond the noise, the run has converged on what matters, whatever the
    loss still does. A remedy refused, skipped or failed tests nothing, so it refutes nothing."""
    from fitdoctor import codes

    out: dict[str, str] = {}
    for f in found:
        if not codes.get(f.code).refutable:
            continue
        mine = [t for t in rnd.trials if t.finding == f.code]
        tried = [t for t in mine if t.tried]
        if tried and all(t.status == "rejected" for t in tried) and \
                not any(t.status in ("failed", "refused") for t in mine):
            out[f.code] = "; ".join(f"{t.label}: {t.reason}" for t in tried)
    return out


def consensus_findings(sel: Any, cfg: Any = None, task: str = "") -> list[tuple[Any, Any]]:
    """``(finding, history)`` for every code at warning or worse in at least half the units,
    most important first (one representative each: the first unit that shows it)."""
    from fitdoctor.findings import sort_findings

    n = len(sel.diagnoses)
    counts: dict[str, int] = {}
    rep: dict[str, tuple[Any, Any]] = {}
    for d in sel.diagnoses:
        seen = set()
        for f in d.findings:
            if f.severity == "info" or f.code == "healthy" or f.code in seen:
                continue
            seen.add(f.code)
            counts[f.code] = counts.get(f.code, 0) + 1
            rep.setdefault(f.code, (f, d.history))
    keep = [c for c, k in counts.items() if 2 * k >= n]
    order = sort_findings([rep[c][0] for c in keep])
    out = [(f, rep[f.code][1]) for f in order]
    if cfg is not None:
        out = [(f, h) for f, h in out if not _addressed(f, cfg, task)]
    return out


def _baseline_verdict(sel: Any, baselines: dict[str, list[float]], remaining: list[tuple[Any, Any]],
                      metric: str) -> dict[str, Any] | None:
    """Does a baseline still beat the network on validation? (below_baseline is part of the verdict.)"""
    cands = {b: v for b, v in baselines.items() if b not in TRIVIAL and v}
    if not cands or not sel.scores:
        return None
    higher = sel.higher_is_better
    best = max(cands, key=lambda b: (sum(cands[b]) / len(cands[b])) * (1 if higher else -1))
    b_mean = sum(cands[best]) / len(cands[best])
    finding = next((f for f, _ in remaining if f.code == "below_baseline"), None)
    label = BASELINE_NAMES.get(best, best.replace("_", " "))
    ahead = (b_mean > sel.mean) if higher else (b_mean < sel.mean)
    out = {"baseline": best, "label": label, "baseline_val": b_mean, "network_val": sel.mean,
           "below_baseline": finding is not None, "ahead": bool(ahead)}
    if finding is not None:
        out["text"] = (f"below_baseline: {label} still beats the network on validation {metric} "
                       f"({b_mean:.3f} against {sel.mean:.3f}, beyond noise); use it, or show the network wins")
    elif ahead:
        out["text"] = (f"{label} scores {b_mean:.3f} against the network's {sel.mean:.3f} on validation {metric}, "
                       "within noise: the network has not shown it is worth its cost")
    else:
        gap = (sel.mean - b_mean) * (1 if higher else -1)
        se = _gap_se(sel.scores, cands[best])
        if se is not None and gap <= BEATS_SE * se:
            # 0.903 against logistic regression's 0.900 over 5 seeds whose scores spread by 0.008
            # is no win: said as a tie, as a baseline ahead within noise is
            out["text"] = (f"the network scores {sel.mean:.3f} against {label}'s {b_mean:.3f} on validation {metric}, "
                           f"within noise ({gap:+.3f} ± {se:.3f})")
        else:
            out["text"] = f"the network beats {label} on validation {metric}: {sel.mean:.3f} against {b_mean:.3f}"
    return out


#: standard errors of the gap the network must lead a baseline by to be said to beat it (the
#: normal quantile below_baseline holds a baseline to on one split)
BEATS_SE = Z_CRIT


def _gap_se(scores: list[float], baseline: list[float]) -> float | None:
    """The standard error of the mean gap between the network's scores and a baseline's: paired
    over the units both were scored on (the same seeds or folds), else from both spreads. None
    with fewer than two scores."""
    s = np.asarray(scores, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if s.size < 2:
        return None
    if b.size == s.size:
        return paired_t(s - b)["se"]
    var_b = float(np.var(b, ddof=1)) / b.size if b.size > 1 else 0.0
    return math.sqrt(float(np.var(s, ddof=1)) / s.size + var_b)


def loss_only_overfitting(sel: Any) -> str | None:
    """What to tell a user whose config ends ``overfitting`` in the val loss while the score it
    is judged on never paid for it: in most retrains that show the finding, val ``metric`` at
    the last epoch is at least what it was at the epoch of the lowest val loss. The model grew
    over-confident on the examples it gets wrong without getting fewer right, so a change that
    only stops the rise cannot win on that score, and the user's choice is calibration, not
    accuracy. None when the score fell after the loss's best (the finding costs what it is
    judged on), for a loss or an error as the selection metric, or without per-epoch val
    curves."""
    import numpy as np

    if not sel.higher_is_better or not sel.runs:
        return None
    key = f"val_{sel.metric}"
    rows = []
    for run, d in zip(sel.runs, sel.diagnoses):
        if not any(f.code == "overfitting" and f.severity != "info" for f in d.findings):
            continue
        series = getattr(getattr(run, "history", None), "series", {})
        loss, score = series.get("val_loss"), series.get(key)
        if loss is None or score is None:
            continue
        vl, vs = np.asarray(loss.values, dtype=float), np.asarray(score.values, dtype=float)
        if vl.size != vs.size or vl.size < 3 or not np.all(np.isfinite(vl)) or not np.all(np.isfinite(vs)):
            continue
        b = int(np.argmin(vl))
        rows.append((int(np.asarray(loss.steps)[b]), float(vl[b]), float(vl[-1]), float(vs[b]), float(vs[-1])))
    if not rows or 2 * len(rows) < len(sel.runs):
        return None
    at_best = float(np.mean([r[3] for r in rows]))
    last = float(np.mean([r[4] for r in rows]))
    if last < at_best:
        return None  # the score fell after the loss's best: the finding costs what it is judged on
    epochs = sorted({r[0] for r in rows})
    when = f"epoch {epochs[0]}" if len(epochs) == 1 else f"epochs {epochs[0]}-{epochs[-1]}"
    loss_best = float(np.mean([r[1] for r in rows]))
    loss_last = float(np.mean([r[2] for r in rows]))
    return (f"overfitting is in the val loss only: over the {len(rows)} retrains that show it, val {sel.metric} "
            f"at the last epoch is {last:.3f} against {at_best:.3f} at the lowest val loss ({when}), while val "
            f"loss rose {loss_best:.3g} -> {loss_last:.3g}: the model grows over-confident on the examples it gets "
            f"wrong without getting fewer right, and a change that only stops the rise cannot win on val "
            f"{sel.metric}, the score doctor judges on. If calibrated "
            f"probabilities matter, stop at the lowest val loss (val {sel.metric} {at_best - last:+.3f}) or "
            "calibrate the outputs afterwards (temperature scaling on the validation rows)")
