"""``fitdoctor doctor``: diagnose, try the remedies, keep only what beats the noise.

    import fitdoctor as fd
    res = fd.doctor("config.yaml", seeds=5)      # -> DoctorResult
    print(res.verdict); print(res.prescription)  # the final config as YAML

Each round diagnoses the current config's retrains (a finding counts when it shows in at
least half of them), takes the top finding's remedies in order (then the next finding's),
resolves each against the config (:mod:`fitdoctor.remedies_apply`: relative, safe, never the
test split), retrains on the same seeds (holdout) or folds (k-fold), and accepts a change
only when a one-sided paired t-test over those units says the selection score improved
(p < ``alpha``) by more than ``min_effect``. It stops when the run is healthy, when no
remedy helps, at ``max_rounds`` or when the time budget is spent. Selection never sees the
test rows (:func:`fitdoctor.train.protocol.select`); only the end scores the first and the
final config on test, once each, beside the baselines (:func:`~fitdoctor.train.protocol.final`).
Retrains of one candidate run in parallel processes (spawned, one torch thread each) where
the machine has more than one core.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

from fitdoctor.errors import BadInput

__all__ = ["doctor", "DoctorResult", "DoctorRound", "DoctorTrial", "DoctorProgress", "default_min_effect",
           "decide", "judge", "merge_selections", "consensus_findings"]

#: Codes the data checks emit: they describe the table, not the training, so one of them whose
#: remedy is already in the config (class weights for class_imbalance) counts as handled.
DATA_CODES = ("unscaled_features", "class_imbalance", "misleading_accuracy", "train_val_overlap",
              "sorted_validation_split", "missing_values", "constant_features", "needs_more_data",
              "id_like_feature")
#: Scores that live in [0, 1] (or at most 1: R^2): the minimum effect is absolute for them.
_BOUNDED = ("accuracy", "balanced_accuracy", "f1", "precision", "recall", "auc", "r2")


def default_min_effect(metric: str, before_mean: float | None = None) -> float:
    """The smallest improvement worth a change: 0.005 on a [0, 1] score (half a point of
    accuracy, or of R^2); 1% of the current value for a loss or an error."""
    if metric in _BOUNDED:
        return 0.005
    if before_mean is not None and math.isfinite(before_mean):
        return 0.01 * abs(before_mean)
    return 0.0


# ------------------------------------------------------------------------------- results

def _summary(sel: Any) -> dict[str, Any] | None:
    if sel is None:
        return None
    c = comparable(sel) if sel.metric else sel
    return {"mean": _f(c.mean), "std": _f(c.std), "n": len(sel.scores), "scores": [_f(s) for s in sel.scores]}


def _f(x: Any) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


@dataclass
class DoctorTrial:
    """One change tried (or refused) in a round: one row of the doctor's table."""

    round: int
    finding: str                       # the code whose remedy this is ("your change" for also_try)
    action: str                        # the remedy in words
    proposed: dict[str, Any]           # the remedy's config_changes, as written (relative)
    changes: dict[str, Any]            # the absolute leaf values tried ({} when refused)
    status: str                        # accepted | rejected | failed | refused | skipped
    reason: str                        # one line: the numbers, or why it was not tried
    label: str = ""                    # "train.lr 0.001 -> 0.0001"
    before: dict[str, Any] | None = None   # the current config's scores: mean, std, n, scores
    after: dict[str, Any] | None = None
    diff: float | None = None          # mean paired difference, positive = better
    se: float | None = None
    p: float | None = None             # one-sided paired t-test
    ci: tuple[float, float] | None = None   # 95% interval of the difference
    seconds: float = 0.0
    fits: int = 0
    looks: int = 1                     # 2: judged again on twice the seeds (see ``judge``)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    @property
    def tried(self) -> bool:
        return self.status in ("accepted", "rejected", "failed")

    def to_dict(self) -> dict[str, Any]:
        return {"round": self.round, "finding": self.finding, "action": self.action,
                "proposed": self.proposed, "changes": self.changes, "label": self.label,
                "status": self.status, "reason": self.reason, "before": self.before, "after": self.after,
                "diff": self.diff, "se": self.se, "p": self.p,
                "ci": list(self.ci) if self.ci is not None else None,
                "seconds": round(self.seconds, 2), "fits": self.fits, "looks": self.looks}


@dataclass
class DoctorRound:
    """One round: what the current config's retrains showed, and the changes tried on it."""

    index: int
    finding: str | None                # the top finding's code (None: healthy)
    message: str
    findings: list[str]                # every finding (warning or worse) seen in >= half the units
    score: dict[str, Any] | None       # the current config's selection scores
    trials: list[DoctorTrial] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)   # remedies with no config change (do by hand)

    @property
    def accepted(self) -> DoctorTrial | None:
        return next((t for t in self.trials if t.accepted), None)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "finding": self.finding, "message": self.message,
                "findings": self.findings, "score": self.score, "trials": [t.to_dict() for t in self.trials],
                "advice": self.advice, "accepted": self.accepted.label if self.accepted else None}


@dataclass
class DoctorResult:
    """What ``doctor`` did and what it prescribes."""

    config: Any                        # the config as given (RunConfig)
    final_config: Any                  # the prescription (RunConfig)
    task: str
    metric: str                        # the selection metric (named in every comparison)
    unit: str                          # seed | fold
    units: int
    rounds: list[DoctorRound]
    stopped: str                       # healthy | no_remedy_helped | nothing_to_change | max_rounds | budget
    stop_reason: str
    healthy: bool
    findings: list[dict[str, Any]]     # what the final config's retrains still show (warning or worse)
    first: dict[str, Any] | None       # selection scores of the config as given
    final: dict[str, Any] | None       # ... and of the prescription
    baselines: dict[str, dict[str, Any]]    # baseline -> validation scores on the same units
    baseline_verdict: dict[str, Any] | None
    test: dict[str, Any] | None        # test scores of the first and the final model, once each
    verdict: str                       # one line (verdict_lines joined)
    alpha: float
    min_effect: float
    test_name: str
    fits: int
    seconds: float
    compute: float | None              # training time spent over one training run (the longer of given and prescribed)
    notes: list[str] = field(default_factory=list)
    verdict_lines: list[str] = field(default_factory=list)
    out: str | None = None
    #: findings the final config's retrains still show whose every remedy was retrained and
    #: rejected on it: code -> what was tried (see ``fitdoctor.codes.Code.refutable``)
    refuted: dict[str, str] = field(default_factory=dict)
    experiments: dict[str, Any] = field(default_factory=dict, repr=False)   # first/final Experiment

    @property
    def trials(self) -> list[DoctorTrial]:
        return [t for r in self.rounds for t in r.trials]

    @property
    def accepted(self) -> list[DoctorTrial]:
        return [t for t in self.trials if t.accepted]

    @property
    def changes(self) -> dict[str, Any]:
        """Every accepted change, as absolute leaf values (later rounds win)."""
        out: dict[str, Any] = {}
        for t in self.accepted:
            out.update(t.changes)
        return out

    @property
    def prescription(self) -> str:
        """The final config as YAML: what to run."""
        import yaml

        from fitdoctor.config import config_to_dict

        tree = {k: v for k, v in config_to_dict(self.final_config).items() if v is not None}
        return yaml.safe_dump(tree, sort_keys=False, default_flow_style=None, width=72)

    def to_dict(self) -> dict[str, Any]:
        from fitdoctor.config import config_to_dict
        from fitdoctor.findings import _jsonable

        return _jsonable({
            "task": self.task, "metric": self.metric, "unit": self.unit, "units": self.units,
            "test_name": self.test_name, "alpha": self.alpha, "min_effect": self.min_effect,
            "stopped": self.stopped, "stop_reason": self.stop_reason, "healthy": self.healthy,
            "verdict": self.verdict, "verdict_lines": self.verdict_lines, "findings": self.findings,
            "first": self.first, "final": self.final, "baselines": self.baselines,
            "baseline_verdict": self.baseline_verdict, "test": self.test,
            "changes": self.changes, "rounds": [r.to_dict() for r in self.rounds],
            "config": config_to_dict(self.config), "final_config": config_to_dict(self.final_config),
            "fits": self.fits, "seconds": round(self.seconds, 1), "compute": self.compute,
            "notes": self.notes, "out": self.out, "refuted": self.refuted,
        })

    def __repr__(self) -> str:
        acc = ", ".join(t.label for t in self.accepted) or "no change"
        return (f"DoctorResult({self.stopped}: {acc}; val {self.metric} "
                f"{_fmt(self.first and self.first['mean'])} -> {_fmt(self.final and self.final['mean'])})")


def _fmt(x: Any, d: int = 3) -> str:
    return "-" if x is None else f"{float(x):.{d}f}"


class DoctorProgress(Protocol):
    """Hooks for a live view (the CLI draws one progress bar per candidate with them)."""

    def candidate(self, label: str, units: int, best: float | None) -> None: ...
    def unit(self, done: int, units: int, score: float | None) -> None: ...
    def finished(self, trial: DoctorTrial | None) -> None: ...
    def message(self, text: str) -> None: ...


# ------------------------------------------------------------------------------- statistics

def decide(before: Any, after: Any, *, alpha: float = 0.05, min_effect: float = 0.0) -> dict[str, Any]:
    """The acceptance rule: a one-sided paired t-test over the units (seeds or folds) that
    ``after`` beats ``before`` on the selection metric, p < ``alpha``, and a mean difference
    above ``min_effect``. Adds the 95% interval of the difference."""
    from fitdoctor.train.protocol import paired_difference

    d = paired_difference(comparable(before), comparable(after), min_effect=min_effect)
    d["better"] = bool(d["p"] < alpha and d["mean_diff"] > min_effect)
    n, se = d["n"], d["se"]
    if n >= 2 and math.isfinite(se):
        from scipy import stats as st

        q = float(st.t.ppf(0.975, n - 1))
        d["ci"] = (d["mean_diff"] - q * se, d["mean_diff"] + q * se)
    else:
        d["ci"] = None
    return d


#: A first look that fails with p below this, and a gain above the minimum effect, earns a
#: second look on as many units again (see :func:`judge`).
PROMISING = 0.25


def judge(before: Any, after: Any, widen: Callable[[str], Any] | None = None, *, alpha: float = 0.05,
          min_effect: float = 0.0) -> dict[str, Any]:
    """:func:`decide` in up to two looks, with an overall false-acceptance rate of ``alpha``.

    Five seeds find a real gain of 0.8 standard deviations of the paired difference less than
    half the time (44% in simulation); two looks find it 65% of the time at the same rate of
    accepting a no-op. So a change that fails at the first look but is promising (p below
    :data:`PROMISING`, a mean gain above ``min_effect``) is judged again on twice the units:
    ``widen("before")`` and ``widen("after")`` return the two Selections over the first units
    plus as many new ones (or None when they cannot, e.g. a retrain failed). Both looks use
    :func:`fitdoctor.stats.two_look_level`, lower than ``alpha``, so that looking twice does not
    accept more no-op changes than one look at ``alpha`` would. Without ``widen``: one look
    at ``alpha``. The result adds ``looks``, ``first_p`` and the Selections it judged
    (``before_sel``, ``after_sel``).
    """
    from fitdoctor.stats import two_look_level

    n = min(len(before.scores), len(after.scores))
    level = two_look_level(alpha, n, 2 * n, PROMISING) if widen is not None and n >= 2 else alpha
    d = decide(before, after, alpha=level, min_effect=min_effect)
    d.update(looks=1, first_p=d["p"], level=level, before_sel=before, after_sel=after)
    if widen is None or d["better"] or not (d["p"] < PROMISING and d["mean_diff"] > min_effect):
        return d
    wide_before = widen("before")
    wide_after = widen("after") if wide_before is not None else None
    if wide_after is None:
        return d
    d2 = decide(wide_before, wide_after, alpha=level, min_effect=min_effect)
    d2.update(looks=2, first_p=d["p"], level=level, before_sel=wide_before, after_sel=wide_after)
    return d2


def merge_selections(parts: list[Any]) -> Any:
    """One Selection over the units of ``parts`` in order (the first part's config and metric);
    a failed part makes the whole a failure."""
    from fitdoctor.train.protocol import Selection

    first = parts[0]
    sel = Selection(config=first.config, metric=first.metric, unit=first.unit, scores=[], all_scores=[])
    for p in parts:
        if p.error and sel.error is None:
            sel.error = p.error
        sel.scores += p.scores
        sel.all_scores += p.all_scores
        sel.runs += p.runs
        sel.diagnoses += p.diagnoses
        for b, v in p.baselines.items():
            sel.baselines.setdefault(b, []).extend(v)
    if sel.error:
        sel.scores, sel.all_scores = [], []
    return sel


#: Below this an R^2 means "far worse than predicting the mean" whatever its size (a diverged
#: regressor scores -1e75); scores are floored here before they are compared.
R2_FLOOR = -1.0


def comparable(sel: Any) -> Any:
    """The Selection with scores a paired test can compare: a run that produced no finite score
    (NaN predictions after a divergence) counts as the worst score, not as a missing pair; R^2
    is floored at :data:`R2_FLOOR`. Lower-is-better scores are left as they are."""
    import dataclasses

    if not sel.higher_is_better:
        return sel
    worst = R2_FLOOR if sel.metric == "r2" else 0.0
    fixed = [max(float(x), worst) if x is not None and math.isfinite(float(x)) else worst for x in sel.scores]
    return dataclasses.replace(sel, scores=fixed)


# ------------------------------------------------------------------------------- retrains

def _select_job(payload: dict[str, Any]) -> Any:
    """One retrain job (one seed, one fold, or all folds): runs in a worker process."""
    from fitdoctor.train.protocol import select

    kw = dict(payload["kw"])
    return select(payload["cfg"], **kw)


def _supports_units() -> bool:
    import inspect

    from fitdoctor.train.protocol import select

    return "units" in inspect.signature(select).parameters


class _Runner:
    """Runs the units of one candidate, in a pool of spawned processes or in this one."""

    def __init__(self, ds: Any, metric: str, seeds: list[int], workers: int, probe_every: int | None) -> None:
        self.ds, self.metric, self.seeds, self.probe_every = ds, metric, seeds, probe_every
        self.workers = workers
        self._pool = None
        self.fits = 0
        self.fit_seconds = 0.0

    def _executor(self):
        if self._pool is None and self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def jobs(self, cfg: Any, baselines: bool, seeds: list[int] | None = None) -> list[dict[str, Any]]:
        kw = {"dataset": self.ds, "metric": self.metric, "threads": 1, "baselines": baselines}
        if self.probe_every is not None:
            kw["probe_every"] = self.probe_every
        if cfg.data.split.method == "kfold":
            from fitdoctor.data import make_splits

            n = len(make_splits(self.ds, cfg.data.split))
            if _supports_units():
                return [{"cfg": cfg, "kw": {**kw, "units": [i]}} for i in range(n)]
            return [{"cfg": cfg, "kw": kw, "n": n}]
        return [{"cfg": cfg, "kw": {**kw, "seeds": [s]}} for s in (self.seeds if seeds is None else seeds)]

    def n_units(self, cfg: Any) -> int:
        return sum(j.get("n", 1) for j in self.jobs(cfg, False))

    def run(self, cfg: Any, *, baselines: bool = False, seeds: list[int] | None = None,
            on_unit: Callable[[int, int, float | None], None] | None = None) -> Any:
        """A Selection over every unit of ``cfg`` (``.error`` set when a retrain failed);
        ``seeds`` instead of the runner's own (a second look)."""
        from fitdoctor.train.protocol import Selection

        jobs = self.jobs(cfg, baselines, seeds)
        total = sum(j.get("n", 1) for j in jobs)
        parts: list[Any] = [None] * len(jobs)
        done = 0
        pool = self._executor() if len(jobs) > 1 else None
        if pool is not None:
            from concurrent.futures import as_completed

            with _main_not_rerun():  # workers start on submit
                futures = {pool.submit(_select_job, j): i for i, j in enumerate(jobs)}
            try:
                for fut in as_completed(futures):
                    i = futures[fut]
                    parts[i] = _result_or_error(fut, cfg)
                    done += jobs[i].get("n", 1)
                    if on_unit is not None:
                        on_unit(done, total, parts[i].scores[0] if parts[i].scores else None)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        else:
            for i, j in enumerate(jobs):
                try:
                    parts[i] = _select_job(j)
                except (RuntimeError, ValueError, ArithmeticError) as exc:
                    parts[i] = _failed(cfg, exc)
                done += j.get("n", 1)
                if on_unit is not None:
                    on_unit(done, total, parts[i].scores[0] if parts[i].scores else None)
        for p in parts:
            self.fits += len(p.runs)
            self.fit_seconds += sum(float(getattr(r, "seconds", 0.0)) for r in p.runs)
        head = Selection(config=cfg, metric=self.metric, unit="fold" if cfg.data.split.method == "kfold" else "seed",
                         scores=[], all_scores=[])
        return merge_selections([head, *parts])


@contextmanager
def _main_not_rerun():
    """Start spawned workers without re-running the caller's script.

    A spawned process imports the parent's ``__main__`` again, so a script that calls
    ``fd.doctor`` without an ``if __name__ == "__main__":`` guard would start doctor again in
    every worker. The workers only need :func:`_select_job`, which lives in this module, so
    the main module is hidden from the spawn while they start.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            if "__spec__" in saved:
                main.__dict__["__spec__"] = None
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


def _failed(cfg: Any, exc: BaseException) -> Any:
    from fitdoctor.train.protocol import Selection

    text = str(exc).splitlines()[0] if str(exc) else ""
    return Selection(config=cfg, metric="", unit="", scores=[], all_scores=[], error=f"{type(exc).__name__}: {text}")


def _result_or_error(fut: Any, cfg: Any) -> Any:
    try:
        return fut.result()
    except (RuntimeError, ValueError, ArithmeticError, OSError) as exc:  # incl. a broken worker pool
        return _failed(cfg, exc)


def _workers(requested: int | None, units: int) -> int:
    """Processes for the retrains: as asked, else the idle cores (load average), at most one per unit."""
    if requested is not None:
        if requested < 1:
            raise BadInput(f"workers {requested}: expected 1 or more")
        return min(requested, max(units, 1))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    try:  # cores other jobs keep busy are not ours to take
        idle = cores - os.getloadavg()[0]
    except OSError:  # pragma: no cover
        idle = cores
    return max(1, min(int(idle + 0.5), units, 8))


# ------------------------------------------------------------------------------- diagnosis

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


# ------------------------------------------------------------------------------- the loop

#: Settings that are scales, off by an unknown factor: a step that changed nothing measurable
#: is taken once more in the same direction (lr x0.1 -> x0.01, batch size x4 -> x16).
SCALES = ("train.lr", "model.l2", "model.l1", "model.dropout_rate", "train.batch_size")


#: A rejected step is "clearly worse" (not pushed further) when its loss is beyond the minimum
#: effect and the one-sided p that it helped is at least this: the loss is then itself
#: beyond the noise at the 10% level. A loss of half a point within noise is no reason to stop.
CLEARLY_WORSE = 0.9


def _further(proposed: Mapping[str, Any], trial: DoctorTrial, min_effect: float) -> dict[str, Any] | None:
    """The same remedy one step further, after a step that changed nothing measurable (rejected,
    not clearly worse): ``x0.1`` -> ``x0.01``; ``x10>=1e-4`` -> ``x100>=1e-3`` (an L2 of 0 goes to
    1e-4, then 1e-3); ``+0.2<=0.5`` -> ``+0.4<=0.5``.

    Only for a remedy made of steps on :data:`SCALES` (the lr, L1/L2, dropout, batch size): a
    factor is squared (and the floor of a growing one moved by the same factor); an added amount
    is doubled; other bounds stay. A step that made things clearly worse (:data:`CLEARLY_WORSE`)
    is not pushed."""
    from fitdoctor.remedies_apply import _REL

    if trial.status != "rejected" or trial.diff is None:
        return None
    if trial.diff < -min_effect and (trial.p is None or trial.p >= CLEARLY_WORSE):
        return None
    if not proposed or any(k not in SCALES for k in proposed):
        return None
    out = {}
    for key, value in proposed.items():
        m = _REL.fullmatch(str(value))
        if not m or not m.group("op"):
            return None
        op, num = m.group("op"), float(m.group("num"))
        lo, hi = m.group("lo"), m.group("hi")
        if op in "x*":
            if num <= 0 or num == 1:
                return None
            # a floor on a growing scale is where it starts from 0: it grows too; any other bound stays
            floor = float(lo) * num if lo is not None and num > 1 else (float(lo) if lo is not None else None)
            step = f"x{num * num:g}" + (f">={floor:g}" if floor is not None else "")
        else:
            if num == 0:
                return None
            step = f"{op}{2 * num:g}" + (f">={lo}" if lo is not None else "")
        out[key] = step + (f"<={hi}" if hi is not None else "")
    return out


def _key(cfg: Any) -> str:
    from fitdoctor.config import config_to_dict

    return json.dumps(config_to_dict(cfg), sort_keys=True, default=str)


def _test_name(unit: str, alpha: float, n: int, widening: bool) -> str:
    if not widening:
        return f"one-sided paired t-test over {unit}s (p < {alpha:g}) and a mean gain above the minimum effect"
    from fitdoctor.stats import two_look_level

    level = two_look_level(alpha, n, 2 * n, PROMISING)
    return (f"one-sided paired t-test over {n} seeds, then {2 * n} when p < {PROMISING:g} "
            f"(p < {level:.3f} at each look: {alpha:g} overall) and a mean gain above the minimum effect")


def _numbers(metric: str, unit: str, d: dict[str, Any]) -> str:
    n = d["n"]
    txt = f"val {metric} {d['mean_diff']:+.3f}"
    if d.get("se") is not None and math.isfinite(d["se"]):
        txt += f" ± {d['se']:.3f}"
    txt += f" over {n} {unit}s"
    if math.isfinite(d["p"]):
        txt += f", p={d['p']:.2g}"
    return txt


def check_options(*, max_rounds: int = 5, budget_minutes: float | None = None, alpha: float = 0.05,
                  judge_on: str = "seeds", min_effect: float | None = None) -> None:
    """Refuse a bad option before anything is trained or printed (one line, naming it)."""
    if max_rounds < 1:
        raise BadInput(f"max-rounds {max_rounds}: expected 1 or more")
    if budget_minutes is not None and not budget_minutes > 0:
        raise BadInput(f"budget-minutes {budget_minutes:g}: expected a positive number of minutes")
    if not 0 < alpha < 0.5:
        raise BadInput(f"alpha {alpha:g}: expected a significance level between 0 and 0.5, e.g. 0.05")
    if judge_on not in ("auto", "seeds", "folds"):
        raise BadInput(f"judge-on {judge_on!r}: expected auto, seeds or folds")
    if min_effect is not None and not (math.isfinite(min_effect) and min_effect >= 0):
        raise BadInput(f"min-effect {min_effect:g}: expected a gain of 0 or more in the selection metric, "
                       f"e.g. 0.005")


def check_also_try(also_try: list[Mapping[str, Any]] | None) -> None:
    """Refuse a change of your own whose key no config has, or one that would touch the test
    split, before anything is trained, as a typo in the config file is (not after the
    remedies' retrains, as a refused trial). Whether the trainer can run it depends on the
    config it meets after the accepted remedies: that is judged then."""
    from fitdoctor.remedies_apply import UnsafeChange, check_keys

    for change in also_try or []:
        try:
            check_keys(change)
        except UnsafeChange as exc:
            shown = ",".join(f"{k}={v}" for k, v in change.items())
            raise BadInput(f"--try {shown}: {exc}") from None


def doctor(config: Any, *, out: str | os.PathLike | None = None, max_rounds: int = 5,
           budget_minutes: float | None = None, seeds: int | list[int] = 5, min_effect: float | None = None,
           alpha: float = 0.05, workers: int | None = None, dataset: Any = None, final: bool = True,
           also_try: list[Mapping[str, Any]] | None = None, progress: DoctorProgress | None = None,
           probe_every: int | None = None, report: bool = False, first_experiment: Any = None,
           judge_on: str = "seeds", second_look: bool = False) -> DoctorResult:
    """Repair ``config`` (a RunConfig, a mapping or a YAML path) by trying its diagnosis's
    remedies and keeping the ones that beat the noise on validation.

    ``seeds``: how many training seeds (or a list) every candidate is retrained on, paired;
    k-fold configs use their folds instead. ``min_effect``: the smallest improvement of the
    selection metric worth a change (default :func:`default_min_effect`). ``also_try``:
    your own changes (relative or absolute), judged the same way once the remedies are done.
    ``final``: score the first and the final config on test, once each, at the end.
    ``out``: write ``doctor.json`` (the whole trail), ``prescription.yaml`` and the final
    run directory there. ``first_experiment``: a ``run_experiment`` of the config as given
    (what ``fitdoctor train`` ran), reused as its test score instead of training it again.
    ``judge_on``: ``seeds`` (the config's own split, retrained on each seed; the default),
    ``folds`` (k folds of the train+val rows; the test split is the config's own, untouched)
    or ``auto``: folds when a holdout config's validation split has fewer than
    :data:`SMALL_VAL_ROWS` rows, where one small validation set cannot tell real changes from
    luck and a change chosen on it is chosen on those rows' luck. ``second_look``: a change
    that is promising on the seeds but not yet beyond the noise is retrained on as many new
    seeds and judged on all of them (see :func:`judge`; never on folds, which are fixed). Off
    by default: on the repair benchmark it found more validation gains but repaired no more
    configs (15 of 22 against 16) for 30% more retrains.
    """
    from fitdoctor.config import config_to_dict, load_config
    from fitdoctor.data import load_dataset
    from fitdoctor.train.metrics import class_prior
    from fitdoctor.train.protocol import selection_metric

    t0 = time.perf_counter()
    check_options(max_rounds=max_rounds, budget_minutes=budget_minutes, alpha=alpha, judge_on=judge_on,
                  min_effect=min_effect)
    first_cfg = load_config(config)
    check_also_try(also_try)
    seed_list = list(seeds) if not isinstance(seeds, int) else [first_cfg.train.seed + i for i in range(seeds)]
    ds = dataset if dataset is not None else load_dataset(first_cfg.data)
    notes: list[str] = []
    judged = judging(first_cfg, ds, judge_on, notes)
    kfold = judged(first_cfg).data.split.method == "kfold"
    if not kfold and len(seed_list) < 2:
        raise BadInput(f"seeds {seeds}: a paired comparison needs at least 2 seeds (5 or more recommended)")
    task = ds.task
    prior = class_prior(ds.y, ds.n_classes) if task != "regression" else None
    metric = selection_metric(task, prior)
    deadline = t0 + 60.0 * budget_minutes if budget_minutes else None
    progress = progress or _Quiet()

    runner = _Runner(ds, metric, seed_list, 1, probe_every)
    n_units = runner.n_units(judged(first_cfg))
    runner.workers = _workers(workers, n_units)
    unit = "fold" if kfold else "seed"
    widening = second_look and not kfold
    extra_seeds = [max(seed_list) + 1 + i for i in range(len(seed_list))]
    extra_runs: dict[str, Any] = {}   # config key -> its Selection on the extra seeds
    if kfold and n_units < 5:
        notes.append(f"only {n_units} folds: a paired test over fewer than 5 units has little power")
    data_cache: dict[str, Any] = {}
    rounds: list[DoctorRound] = []
    evaluated: dict[str, str] = {}
    stopped, stop_reason = "max_rounds", f"stopped after {max_rounds} round{'s' if max_rounds != 1 else ''} (--max-rounds)"
    refuted: dict[str, str] = {}
    me_used = min_effect
    try:
        progress.candidate("the config as given", n_units, None)
        cur_sel = runner.run(judged(first_cfg), baselines=True, on_unit=progress.unit)
        progress.finished(None)
        if cur_sel.error:
            raise BadInput(f"the config as given does not train: {cur_sel.error}")
        base_rows = {b: [{metric: s} for s in v] for b, v in cur_sel.baselines.items()}
        _diagnose(cur_sel, judged(first_cfg), ds, base_rows, data_cache)
        one_run = runner.fit_seconds / max(runner.fits, 1)
        first_sel, cfg = cur_sel, first_cfg
        evaluated[_key(cfg)] = "the config as given"
        me = min_effect if min_effect is not None else default_min_effect(metric, cur_sel.mean)
        me_used = me

        def over_budget() -> bool:
            if deadline is None:
                return False
            per = max(runner.fit_seconds / max(runner.fits, 1) * n_units / runner.workers, 0.0)
            return time.perf_counter() + per > deadline

        def widen(sel: Any, c: Any, label: str) -> Any:
            """``sel`` over the seeds and the extra seeds (None when a retrain failed, or when the
            time budget has no room for them: the first look's verdict then stands)."""
            if len(sel.scores) >= len(seed_list) + len(extra_seeds):
                return sel
            k = _key(c)
            if k not in extra_runs:
                if over_budget():
                    return None
                progress.finished(None)  # the first look's bar
                progress.candidate(f"second look, {len(extra_seeds)} more seeds: {label}", len(extra_seeds),
                                   cur_sel.mean)
                extra_runs[k] = runner.run(judged(c), seeds=extra_seeds, on_unit=progress.unit)
            ext = extra_runs[k]
            return None if ext.error else merge_selections([sel, ext])

        def try_change(round_i: int, code: str, action: str, proposed: Mapping[str, Any]
                       ) -> tuple[DoctorTrial, Any, Any]:
            """(the trial, the new config and its Selection when accepted, else None, None)."""
            from fitdoctor.remedies_apply import UnsafeChange, apply_remedy, describe_changes

            trial = DoctorTrial(round=round_i, finding=code, action=action, proposed=dict(proposed), changes={},
                                status="refused", reason="")
            try:
                new_cfg, resolved = apply_remedy(cfg, proposed, task=task)
            except UnsafeChange as exc:
                trial.label = ", ".join(f"{k}: {v}" for k, v in proposed.items())
                trial.reason = f"refused before training: {exc}"
                return trial, None, None
            trial.changes = resolved
            trial.label = describe_changes(cfg, resolved) if resolved else ", ".join(f"{k}: {v}" for k, v in proposed.items())
            if not resolved:
                trial.status, trial.reason = "skipped", "already in the config"
                return trial, None, None
            k = _key(new_cfg)
            if k in evaluated:
                trial.status, trial.reason = "skipped", f"that config was tried already ({evaluated[k]})"
                return trial, None, None
            evaluated[k] = f"round {round_i}"
            t1, fits0 = time.perf_counter(), runner.fits
            progress.candidate(trial.label, n_units, cur_sel.mean)
            new_sel = runner.run(judged(new_cfg), on_unit=progress.unit)
            trial.seconds, trial.fits = time.perf_counter() - t1, runner.fits - fits0
            trial.before = _summary(cur_sel)
            if new_sel.error:
                trial.status = "failed"
                trial.reason = f"the retrain failed: {new_sel.error}"
                evaluated[k] = f"round {round_i}, failed"
                progress.finished(trial)
                return trial, None, None
            trial.after = _summary(new_sel)

            def wider(which: str) -> Any:
                if which == "before":
                    return widen(cur_sel, cfg, "the current config")
                return widen(new_sel, new_cfg, trial.label)

            d = judge(cur_sel, new_sel, wider if widening else None, alpha=alpha, min_effect=me)
            trial.seconds, trial.fits = time.perf_counter() - t1, runner.fits - fits0
            trial.looks = d["looks"]  # 1 also when the second look's retrains failed
            if d["looks"] == 2:
                trial.before, trial.after = _summary(d["before_sel"]), _summary(d["after_sel"])
            trial.diff, trial.se, trial.p = _f(d["mean_diff"]), _f(d["se"]), _f(d["p"])
            trial.ci = (d["ci"][0], d["ci"][1]) if d["ci"] else None
            trial.status = "accepted" if d["better"] else "rejected"
            level = d["level"]
            why = "" if d["better"] or d["mean_diff"] <= me or d["p"] < level else " (within noise)"
            if not d["better"] and d["p"] < level and d["mean_diff"] <= me:
                why = f" (below the minimum effect {me:g})"
            if d["looks"] == 2:
                why += f" (second look; the first {len(seed_list)} seeds gave p={d['first_p']:.2g})"
            trial.reason = f"{_numbers(metric, unit, d)}, {trial.status}{why}"
            evaluated[k] = f"round {round_i}, {trial.status}"
            progress.finished(trial)
            if not d["better"]:
                return trial, None, None
            new_sel = d["after_sel"]
            _diagnose(new_sel, judged(new_cfg), ds, base_rows, data_cache)
            return trial, new_cfg, new_sel

        for r in range(1, max_rounds + 1):
            found = consensus_findings(cur_sel, cfg, task)
            if not found:
                stopped, stop_reason = "healthy", "healthy: no finding at warning or worse in most retrains"
                rounds.append(DoctorRound(r, None, "healthy", [], _summary(cur_sel)))
                break
            top, hist = found[0]
            rnd = DoctorRound(r, top.code, top.message, [f.code for f, _ in found], _summary(cur_sel))
            rounds.append(rnd)
            accepted = None
            budget_hit = False
            from fitdoctor.remedies_apply import remedies_in_context

            for f, h in found:
                for rem in remedies_in_context(f, cfg, h, select_on=metric):
                    if not rem.config_changes:
                        rnd.advice.append(f"{f.code}: {rem.action}")
                        continue
                    if over_budget():
                        budget_hit = True
                        break
                    trial, new_cfg, new_sel = try_change(r, f.code, rem.action, rem.config_changes)
                    rnd.trials.append(trial)
                    further = _further(rem.config_changes, trial, me)
                    if new_cfg is None and further is not None and not over_budget():
                        # a step on a scale that changed nothing measurable: it may be off by more than 10x
                        trial, new_cfg, new_sel = try_change(r, f.code, rem.action + " (one step further)", further)
                        rnd.trials.append(trial)
                    if new_cfg is not None:
                        accepted = (new_cfg, new_sel)
                        break
                if accepted or budget_hit:
                    break
            if accepted is not None:
                cfg, cur_sel = accepted
                continue
            if budget_hit:
                stopped = "budget"
                stop_reason = f"the time budget ({budget_minutes:g} min) is spent"
            elif not any(t.tried for t in rnd.trials):
                stopped = "nothing_to_change"
                stop_reason = ("nothing left to try in the config: " + ", ".join(rnd.findings) +
                               " need a change outside it (see the advice)")
            else:
                stopped = "no_remedy_helped"
                stop_reason = f"no remedy beat the noise ({sum(t.tried for t in rnd.trials)} tried)"
                refuted = _refuted(rnd, [f for f, _ in found])
            break
        if also_try:
            r = len(rounds) + 1
            rnd = DoctorRound(r, "your changes", "changes you asked doctor to judge", [], _summary(cur_sel))
            for change in also_try:
                if over_budget():
                    notes.append("time budget spent before all of your changes were tried")
                    break
                trial, new_cfg, new_sel = try_change(r, "your change", "your change", dict(change))
                rnd.trials.append(trial)
                if new_cfg is not None:
                    cfg, cur_sel = new_cfg, new_sel
            rounds.append(rnd)
    finally:
        runner.close()

    remaining = consensus_findings(cur_sel, cfg, task)
    refuted = {f.code: refuted[f.code] for f, _ in remaining if f.code in refuted}
    for code, why in refuted.items():
        notes.append(f"{code}: seen, but every remedy was retrained and none beat the noise, so it does "
                     f"not cost this config its score ({why})")
    remaining = [(f, h) for f, h in remaining if f.code not in refuted]
    healthy = not remaining
    if healthy and stopped == "max_rounds":
        stopped, stop_reason = "healthy", f"healthy after the last round ({max_rounds}, --max-rounds)"
    base_summary = {b: {"mean": _f(sum(v) / len(v)) if v else None, "scores": [_f(x) for x in v]}
                    for b, v in first_sel.baselines.items()}
    result = DoctorResult(
        config=first_cfg, final_config=cfg, task=task, metric=metric, unit=unit, units=n_units, rounds=rounds,
        stopped=stopped, stop_reason=stop_reason, healthy=healthy,
        findings=[{"code": f.code, "severity": f.severity, "message": f.message} for f, _ in remaining],
        first=_summary(first_sel), final=_summary(cur_sel), baselines=base_summary, baseline_verdict=None,
        test=None, verdict="", alpha=alpha, min_effect=me_used if me_used is not None else 0.0,
        test_name=_test_name(unit, alpha, len(seed_list), widening),
        fits=runner.fits, seconds=0.0, compute=None, notes=notes, refuted=refuted)
    result.baseline_verdict = _baseline_verdict(cur_sel, first_sel.baselines, remaining, metric)
    fit_seconds = runner.fit_seconds
    if final:
        from fitdoctor.train.protocol import final as final_step

        test: dict[str, Any] = {"metric": metric}
        if first_experiment is not None and _key(first_experiment.config) == _key(first_cfg) \
                and first_experiment.test is not None:
            fin_first = {"test": first_experiment.test, "experiment": first_experiment,
                         "baselines": {b: r.get("test") for b, r in first_experiment.baselines.items()}}
        else:
            fin_first = final_step(first_cfg, dataset=ds)
        test["first"] = fin_first["test"]
        fits_final = [] if fin_first["experiment"] is first_experiment else [fin_first["experiment"]]
        if _key(cfg) != _key(first_cfg):
            fin_last = final_step(cfg, dataset=ds)
            fits_final.append(fin_last["experiment"])
        else:
            fin_last = fin_first
        test["final"] = fin_last["test"]
        test["baselines"] = {b: v for b, v in fin_last["baselines"].items() if v is not None}
        result.test = test
        result.experiments = {"first": fin_first["experiment"], "final": fin_last["experiment"]}
        for e in fits_final:
            result.fits += len(e.runs) + (1 if e.cv is not None else 0)
            fit_seconds += sum(float(r.seconds) for r in e.runs)
            if e.cv is not None:
                fit_seconds += float(e.final.seconds)
    result.seconds = time.perf_counter() - t0
    # one training run: of the config as given, or of the prescription when that is longer (a
    # config that diverges at its first step is no measure of what training costs)
    final_run = sum(float(r.seconds) for r in cur_sel.runs) / max(len(cur_sel.runs), 1)
    unit_run = max(one_run, final_run)
    result.compute = _f(fit_seconds / unit_run) if unit_run > 0 else None
    result.notes.append(f"one training run: {unit_run:.2f} s (given {one_run:.2f} s, prescribed {final_run:.2f} s); "
                        f"retrains: {runner.fits} ({runner.workers} process{'es' if runner.workers > 1 else ''})")
    result.verdict_lines = _verdict(result)
    result.verdict = "; ".join(result.verdict_lines)
    if out is not None:
        result.out = str(out)
        write_doctor_dir(out, result, report=report)
    return result


class _Quiet:
    def candidate(self, label: str, units: int, best: float | None) -> None:
        pass

    def unit(self, done: int, units: int, score: float | None) -> None:
        pass

    def finished(self, trial: DoctorTrial | None) -> None:
        pass

    def message(self, text: str) -> None:
        pass


# ------------------------------------------------------------------------------- verdict

def _baseline_verdict(sel: Any, baselines: dict[str, list[float]], remaining: list[tuple[Any, Any]],
                      metric: str) -> dict[str, Any] | None:
    """Does a baseline still beat the network on validation? (below_baseline is part of the verdict.)"""
    from fitdoctor.diagnose.run_level import BASELINE_NAMES, TRIVIAL

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
        out["text"] = f"the network beats {label} on validation {metric}: {sel.mean:.3f} against {b_mean:.3f}"
    return out


def _over(res: DoctorResult) -> str:
    """"over 5 seeds", or "(5 seeds -> 10 seeds)" when a second look widened the final config."""
    a, b = (res.first or {}).get("n"), (res.final or {}).get("n")
    if a and b and a != b:
        return f"({a} {res.unit}s -> {b} {res.unit}s)"
    return f"over {res.units} {res.unit}s"


def _verdict(res: DoctorResult) -> list[str]:
    acc = res.accepted
    parts = []
    if acc:
        parts.append(f"{len(acc)} change{'s' if len(acc) > 1 else ''} accepted ("
                     + "; ".join(t.label for t in acc) + f"): val {res.metric} {_fmt(res.first['mean'])} -> "
                     f"{_fmt(res.final['mean'])} {_over(res)}")
    else:
        parts.append(f"no change accepted: val {res.metric} {_fmt(res.first and res.first['mean'])} over "
                     f"{res.units} {res.unit}s")
    if res.test:
        m = res.metric
        a, b = (res.test.get("first") or {}).get(m), (res.test.get("final") or {}).get(m)
        if a is not None and b is not None:
            parts.append(f"test {m}, once each at the end: {a:.3f} as given -> {b:.3f} prescribed")
    parts.append("healthy: no finding at warning or worse in most retrains" if res.healthy
                 else "still: " + ", ".join(f["code"] for f in res.findings))
    if res.baseline_verdict:
        parts.append(res.baseline_verdict["text"])
    return parts


# ------------------------------------------------------------------------------- files

def write_doctor_dir(out: str | os.PathLike, res: DoctorResult, *, report: bool = False,
                     run_dir: bool = True) -> list[str]:
    """``doctor.json`` (the whole trail), ``prescription.yaml`` (the final config) and, when
    the final step ran, the prescribed model's run directory in ``final/``."""
    from fitdoctor.config import dump_config
    from fitdoctor.files import atomic_write

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    dump_config(res.final_config, out / "prescription.yaml")
    files.append("prescription.yaml")
    dump_config(res.config, out / "config.yaml")
    files.append("config.yaml")
    exp = res.experiments.get("final")
    if exp is not None and run_dir:
        from fitdoctor.train.run_dir import write_run_dir

        write_run_dir(out / "final", exp, report=report)
        files.append("final/")
    atomic_write(out / "doctor.json", json.dumps(res.to_dict(), indent=2) + "\n")
    files.append("doctor.json")
    return files


from fitdoctor._callable import make_callable  # noqa: E402

make_callable(__name__, "doctor")  # fd.doctor(...) still calls doctor() once ``fitdoctor.doctor`` is the module
