"""The tuning objective on the experiment protocol, and the pruner that fits it.

One trial = one config scored by :func:`fitdoctor.train.protocol.select` unit by unit
(a fold on k-fold or repeated k-fold, a training seed on holdout), never on test. The
objective is the mean validation score across units; the spread is kept.

Pruning works on both axes (:class:`FoldEpochPruner`):

* **across units**: after each fold, Optuna's ``WilcoxonPruner`` runs a paired signed-rank
  test of this trial's fold scores against the best fully-evaluated trial's scores on the
  same folds (paired by fold id, so easy and hard folds cancel out);
* **across epochs inside a fold**: after each epoch, the fold's score so far (the selection
  metric at the best-validation-loss epoch, which is what early stopping with restored
  weights would keep) against the ``percentile`` of the trials that finished that fold, at
  the same epoch (Optuna's ``PercentilePruner``).

Both are fed through one ``trial.report`` stream: fold scores at step = fold id, epoch
scores at ``EPOCH_BASE + fold * EPOCH_STRIDE + epoch``; the pruner reads each axis alone.
On a prune the trial returns the mean of what it has scored (the fold in progress counts
with its score so far), so TPE still learns from it (Optuna's advice for WilcoxonPruner);
the trial is marked ``pruned`` in its user attributes and is never the winner that is
refit and tested.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from fitdoctor.train.protocol import LOWER_IS_BETTER
from fitdoctor.tune.base import follow_kept_epoch
from fitdoctor.tune.space import SearchSpace, apply_params

EPOCH_BASE = 1_000_000
EPOCH_STRIDE = 100_000


def epoch_step(unit: int, epoch: int) -> int:
    return EPOCH_BASE + unit * EPOCH_STRIDE + epoch


def split_step(step: int) -> tuple[str, int, int]:
    """step -> ("unit", unit, -1) or ("epoch", unit, epoch)."""
    if step < EPOCH_BASE:
        return "unit", step, -1
    unit, epoch = divmod(step - EPOCH_BASE, EPOCH_STRIDE)
    return "epoch", unit, epoch


class Pruned(Exception):
    """Raised from the epoch hook to leave ``select`` when the pruner says stop.

    Not a RuntimeError/ValueError, so ``select`` does not take it for a config the trainer
    cannot run."""

    def __init__(self, axis: str, unit: int, epoch: int) -> None:
        super().__init__(f"pruned on {axis} (unit {unit}, epoch {epoch})")
        self.axis, self.unit, self.epoch = axis, unit, epoch


# ------------------------------------------------------------------------ the pruner
class _TrialView:
    """A FrozenTrial-like view on one axis of a trial's intermediate values."""

    def __init__(self, trial: Any, values: dict[int, float]) -> None:
        self._t = trial
        self.intermediate_values = values

    def __getattr__(self, name: str) -> Any:  # number, state, value, ... read only when asked
        return getattr(self._t, name)

    @property
    def last_step(self) -> int | None:
        return max(self.intermediate_values) if self.intermediate_values else None


class _StudyView:
    """What Optuna's pruners read from a study, on one axis."""

    def __init__(self, study: Any, trials: list[Any], best: Any | None) -> None:
        self.direction = study.direction
        self._trials = trials
        self._best = best

    @property
    def best_trial(self) -> Any:
        if self._best is None:
            raise ValueError("no fully evaluated trial yet")
        return self._best

    def get_trials(self, deepcopy: bool = True, states: Any = None) -> list[Any]:
        return [t for t in self._trials if states is None or t.state in states]


def _unit_values(trial: Any) -> dict[int, float]:
    return {s: v for s, v in trial.intermediate_values.items() if s < EPOCH_BASE}


def _epoch_values(trial: Any, unit: int) -> dict[int, float]:
    """A unit's epoch curve: reported epoch steps, else the curve the objective stored once
    at the end of the trial (user attribute ``curves``: no database write per epoch)."""
    lo = EPOCH_BASE + unit * EPOCH_STRIDE
    out = {s - lo: v for s, v in trial.intermediate_values.items() if lo <= s < lo + EPOCH_STRIDE}
    if not out:
        curve = (trial.user_attrs.get("curves") or {}).get(str(unit)) or []
        out = {e: float(v) for e, v in enumerate(curve) if v is not None and math.isfinite(v)}
    return out


def is_full(trial: Any) -> bool:
    """Finished every unit (not pruned, not failed)."""
    from optuna.trial import TrialState

    ua = trial.user_attrs
    return trial.state == TrialState.COMPLETE and not ua.get("pruned") and not ua.get("error") \
        and ua.get("units_done", 0) >= ua.get("n_units", 1) \
        and trial.value is not None and math.isfinite(trial.value)


def best_full_trial(study: Any, trials: list[Any] | None = None) -> Any | None:
    """The best trial that was scored on every unit: the winner, and the pruner's yardstick."""
    from optuna.study import StudyDirection

    trials = study.get_trials(deepcopy=False) if trials is None else trials
    full = [t for t in trials if is_full(t)]
    if not full:
        return None
    sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
    return max(full, key=lambda t: (sign * t.value, -t.number))


def paired_t_worse(mine: dict[int, float], best: dict[int, float], p_threshold: float, *,
                   maximize: bool, min_units: int = 3) -> bool:
    """Is this trial worse than the best one on the units both have, beyond chance? A one-sided
    paired t-test over at least ``min_units`` units (p < ``p_threshold``); identical scores on
    every unit are no evidence either way."""
    shared = sorted(u for u in mine if u in best and math.isfinite(mine[u]) and math.isfinite(best[u]))
    if len(shared) < min_units:
        return False
    from fitdoctor.stats import paired_t

    sign = 1.0 if maximize else -1.0
    # the best trial's lead on each shared unit: worse beyond chance when it is above zero
    # (identical scores on every unit: no lead, p = 1)
    return paired_t([sign * (best[u] - mine[u]) for u in shared])["p"] < p_threshold


class FoldEpochPruner:
    """Prune across folds (Wilcoxon, paired by fold) and across epochs (percentile at the
    same fold and epoch), each axis read from its own steps. An Optuna ``BasePruner``."""

    def __init__(self, *, folds: bool = True, epochs: bool = True, p_threshold: float = 0.1,
                 percentile: float = 50.0, warmup_epochs: int = 3, startup_trials: int = 3,
                 fold_test: str = "wilcoxon") -> None:
        import optuna

        import warnings

        self.folds, self.epochs, self.fold_test, self.p_threshold = folds, epochs, fold_test, p_threshold
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning: WilcoxonPruner (3.6+)
            self.fold_pruner = optuna.pruners.WilcoxonPruner(p_threshold=p_threshold, n_startup_steps=2)
        self.epoch_pruner = optuna.pruners.PercentilePruner(
            percentile, n_startup_trials=max(1, startup_trials), n_warmup_steps=warmup_epochs,
            n_min_trials=max(1, min(startup_trials, 3)))
        self.startup_trials = startup_trials

    def prune(self, study: Any, trial: Any) -> bool:
        from optuna.trial import TrialState

        step = trial.last_step
        if step is None:
            return False
        axis, unit, _ = split_step(step)
        trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if axis == "unit":
            if not self.folds:
                return False
            best = best_full_trial(study, trials)
            if best is None or sum(1 for t in trials if is_full(t)) < max(1, min(self.startup_trials, 3)):
                return False
            if self.fold_test == "t":
                return paired_t_worse(_unit_values(trial), _unit_values(best), self.p_threshold,
                                      maximize=study.direction.name == "MAXIMIZE")
            view = _TrialView(trial, _unit_values(trial))
            best_view = _TrialView(best, _unit_values(best))
            with quiet_warnings():
                return bool(self.fold_pruner.prune(_StudyView(study, [], best_view), view))
        if not self.epochs:
            return False
        return self.prune_epoch(study, trials, unit, _epoch_values(trial, unit), trial)

    def prune_epoch(self, study: Any, finished: list[Any], unit: int, curve: dict[int, float],
                    trial: Any) -> bool:
        """Is this unit's curve so far (epoch -> score so far) below the ``percentile`` of the
        finished trials' curves on the same unit at the same epoch? In memory: the objective
        passes a snapshot of the finished trials taken when the unit started."""
        # the population: trials that finished this unit (its unit-level score is stored); a
        # fold that stopped early keeps its final score at later epochs (that is the score
        # early stopping with restored weights gave it), so late epochs are compared too
        view = _TrialView(trial, curve)
        epoch = view.last_step
        if epoch is None:
            return False
        pop = []
        for t in finished:
            if unit not in _unit_values(t):
                continue
            vals = _epoch_values(t, unit)
            if vals and epoch not in vals and max(vals) < epoch:
                vals[epoch] = vals[max(vals)]
            pop.append(_TrialView(t, vals))
        return bool(self.epoch_pruner.prune(_StudyView(study, pop, None), view))


def make_pruner(space: SearchSpace) -> Any:
    """Optuna's BasePruner subclass of :class:`FoldEpochPruner` (optuna imported lazily)."""
    import optuna

    p = space.pruning
    if not (p.folds or p.epochs):
        return optuna.pruners.NopPruner()

    class _Pruner(FoldEpochPruner, optuna.pruners.BasePruner):
        pass

    return _Pruner(folds=p.folds, epochs=p.epochs, p_threshold=p.p_threshold, percentile=p.percentile,
                   warmup_epochs=p.warmup_epochs, startup_trials=p.startup_trials, fold_test=p.fold_test)


class quiet_warnings:
    """Silence warnings for one call (Optuna's 'WilcoxonPruner finds steps...', Ray's
    experimental-API notices)."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


# ------------------------------------------------------------------------ the objective
@dataclass
class TrialRecord:
    """What one trial did, kept as the trial's user attributes in the study."""

    number: int
    params: dict[str, Any]
    value: float
    scores: dict[int, float]
    std: float
    pruned: str | None                 # None | "folds" | "epochs"
    fold_epochs: int                   # epochs trained across units (the pruning currency)
    findings: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def _top_findings(diag: Any, unit: int, limit: int = 2) -> list[dict[str, Any]]:
    out = []
    for f in diag.findings:
        if f.severity == "info" and f.code != "healthy":
            continue
        out.append({"unit": int(unit), "code": f.code, "severity": f.severity,
                    "from_epoch": None if f.span is None else int(f.span[0]),
                    "message": f.message})
        if len(out) >= limit:
            break
    return out


class Objective:
    """``objective(trial) -> mean validation score`` over the protocol's units, with pruning."""

    def __init__(self, cfg: Any, space: SearchSpace, *, dataset: Any, metric: str, n_units: int,
                 unit_kind: str, seeds: list[int] | None = None, threads: int | None = 1,
                 probe_every: int | None = None, shuffle_units: bool = True,
                 on_epoch: Callable[[int, int, int], None] | None = None,
                 record_curves: bool = False) -> None:
        self.cfg, self.space, self.dataset, self.metric = cfg, space, dataset, metric
        self.n_units, self.unit_kind, self.seeds = n_units, unit_kind, seeds
        self.threads, self.probe_every, self.shuffle_units = threads, probe_every, shuffle_units
        self.higher = metric not in LOWER_IS_BETTER
        self.on_epoch = on_epoch
        self.record_curves = record_curves  # benchmarks replay the pruner on the stored curves
        self.prune_epochs = space.pruning.epochs
        self.prune_units = space.pruning.folds

    def order(self, number: int) -> list[int]:
        """Units in a per-trial shuffled order (Optuna's advice for WilcoxonPruner: the search
        must not overfit the first folds); seeded by the trial number, so a retry repeats it."""
        units = list(range(self.n_units))
        if self.shuffle_units and self.n_units > 1:
            np.random.default_rng(10_007 + number).shuffle(units)
        return units

    def __call__(self, trial: Any) -> float:
        from fitdoctor.train.protocol import select

        t0 = time.perf_counter()
        params = self.space.suggest(trial)
        cfg = apply_params(self.cfg, params)
        scores: dict[int, float] = {}
        findings: list[dict[str, Any]] = []
        counted = {"epochs": 0}
        curves: dict[int, list[float]] = {}
        metric, higher = self.metric, self.higher
        pruner = getattr(trial.study, "pruner", None)
        epoch_pruner = pruner if self.prune_epochs and isinstance(pruner, FoldEpochPruner) else None

        def hook(unit: int, epoch: int, logs: dict[str, float]) -> None:
            counted["epochs"] += 1
            st = state
            follow_kept_epoch(st, logs, metric)
            curve = curves.setdefault(unit, [])
            curve.append(float(st["score"]) if st["score"] is not None else math.nan)
            if self.on_epoch is not None:
                self.on_epoch(trial.number, unit, epoch)
            if epoch_pruner is None or st["score"] is None or not math.isfinite(st["score"]):
                return
            if epoch < self.space.pruning.warmup_epochs:
                return  # the percentile pruner compares at the same epoch; none before warmup
            so_far = {e: v for e, v in enumerate(curve) if math.isfinite(v)}
            if epoch_pruner.prune_epoch(trial.study, state["finished"], unit, so_far, trial):
                raise Pruned("epochs", unit, epoch)

        pruned: str | None = None
        error: str | None = None
        for unit in self.order(trial.number):
            state: dict[str, Any] = {"best_loss": None, "score": None, "finished": []}
            if epoch_pruner is not None:  # one read per unit, not one per epoch
                from optuna.trial import TrialState

                state["finished"] = trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            try:
                sel = select(cfg, dataset=self.dataset, metric=metric, units=[unit], seeds=self.seeds,
                             threads=self.threads, probe_every=self.probe_every, on_epoch=hook)
            except Pruned:
                if state["score"] is not None and math.isfinite(state["score"]):
                    scores[unit] = float(state["score"])
                pruned = "epochs"
                break
            if sel.error:
                error = sel.error
                break
            scores[unit] = float(sel.scores[0])
            findings.extend(_top_findings(sel.diagnoses[0], unit) if sel.diagnoses else [])
            if not math.isfinite(scores[unit]):
                continue
            trial.report(scores[unit], unit)
            if self.prune_units and len(scores) < self.n_units and trial.should_prune():
                pruned = "folds"
                break
        vals = np.array([v for v in scores.values() if math.isfinite(v)], dtype=float)
        value = float(vals.mean()) if vals.size else math.nan
        std = float(vals.std(ddof=1)) if vals.size > 1 else 0.0
        rec = TrialRecord(number=trial.number, params=params, value=value, scores=scores, std=std,
                          pruned=pruned, fold_epochs=counted["epochs"], findings=findings,
                          seconds=time.perf_counter() - t0, error=error)
        trial.set_user_attr("curves", {str(k): [round(v, 6) if math.isfinite(v) else None for v in c]
                                       for k, c in curves.items()})
        trial.set_user_attr("order", self.order(trial.number))
        self.store(trial, rec)
        if error is not None or not math.isfinite(value):
            # a config the trainer cannot run, or nothing finite scored: the worst value, so
            # TPE learns to avoid the region (NaN would fail the trial and teach nothing)
            return -1e9 if higher else 1e9
        return value

    def store(self, trial: Any, rec: TrialRecord) -> None:
        trial.set_user_attr("scores", {str(k): v for k, v in rec.scores.items()})
        trial.set_user_attr("std", rec.std)
        trial.set_user_attr("units_done", len(rec.scores))
        trial.set_user_attr("n_units", self.n_units)
        trial.set_user_attr("pruned", rec.pruned)
        trial.set_user_attr("fold_epochs", rec.fold_epochs)
        trial.set_user_attr("findings", rec.findings[:6])
        trial.set_user_attr("seconds", round(rec.seconds, 3))
        if rec.error:
            trial.set_user_attr("error", rec.error)
        trial.set_user_attr("config_params", {k: (list(v) if isinstance(v, tuple) else v)
                                              for k, v in rec.params.items()})
