"""The experiment protocol in two steps: ``select`` (validation or folds only) and ``final``.

doctor, tune, lr-find and learning-curve compare configs with :func:`select`, which never
touches the test rows; only the end of a command calls :func:`final`, once, to score the
chosen config on the untouched test split beside the baselines. The split (and its seed)
comes from the config and is never changed here: every config compared on one dataset sees
the same train/val/test rows, so scores are paired unit by unit (seed or fold).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from fitdoctor.errors import BadInput

#: Scores where lower is better (the rest are higher-is-better).
LOWER_IS_BETTER = frozenset({"loss", "mae", "mse"})

#: Share of a unit's training rows that early stopping watches when a config is judged.
#: Early stopping that keeps its best epoch on the validation rows keeps the luckiest of many
#: looks at them, and a score taken on the same rows then reads high: on the repair
#: benchmark's healthy configs, a restore-best that never stops early (a no-op for the
#: training) "won" +0.01 to +0.02 of val accuracy at p < 0.03 (``benchmarks/bench_doctor.py
#: --es-aa``). So :func:`select` holds out rows of its own for it; validation only judges.
WATCH_SHARE = 0.15

#: Fewer watch rows than this (a tiny training set) cannot steer early stopping: it watches
#: the validation rows as before, and the Selection says so in ``notes``.
MIN_WATCH_ROWS = 8


def spares_watch_rows(n_rows: int, share: float = WATCH_SHARE) -> bool:
    """Can ``n_rows`` training rows give early stopping ``share`` of them to watch, at least
    :data:`MIN_WATCH_ROWS`, and keep as many to fit?"""
    n_watch = int(round(share * n_rows))
    return n_watch >= MIN_WATCH_ROWS and n_rows - n_watch >= MIN_WATCH_ROWS


def watch_rows(y: np.ndarray, rows: np.ndarray, task: str, seed: int,
               share: float = WATCH_SHARE) -> tuple[np.ndarray, np.ndarray] | None:
    """``(fit_rows, watch_rows)``: ``share`` of ``rows`` held out for early stopping,
    stratified by class when every class can spare a row, the same for a given seed (so two
    configs judged on the same seeds hold out the same rows); None when too few rows."""
    from sklearn.model_selection import train_test_split

    rows = np.asarray(rows)
    if not spares_watch_rows(rows.size, share):
        return None
    n_watch = int(round(share * rows.size))
    labels = None
    if task != "regression":
        _, counts = np.unique(y[rows], return_counts=True)
        if counts.min() >= 2 and n_watch >= counts.size:
            labels = y[rows]
    fit_rows, held = train_test_split(rows, test_size=n_watch, random_state=seed % (2 ** 32), stratify=labels)
    return np.sort(fit_rows), np.sort(held)


def selection_metric(task: str, class_prior: list[float] | None = None, *, imbalance: float = 0.5) -> str:
    """The score that decides between configs: what matters for the task, not plain accuracy
    under imbalance (a model that ignores the minority class keeps 95% accuracy on 95/5 data).

    regression: R^2; classification whose smallest class has under ``imbalance`` of its
    balanced share (1/K): balanced accuracy; otherwise accuracy (10 balanced classes of 10%
    each are not imbalanced).
    """
    if task == "regression":
        return "r2"
    if class_prior and min(class_prior) * len(class_prior) < imbalance:
        return "balanced_accuracy"
    return "accuracy"


@dataclass
class Selection:
    """Validation scores of one config, one per unit (a seed on holdout, a fold on k-fold)."""

    config: Any
    metric: str
    unit: str                       # "seed" | "fold"
    scores: list[float]
    all_scores: list[dict[str, float]]
    runs: list[Any] = field(default_factory=list, repr=False)        # FitResult per unit
    scalers: list[Any] = field(default_factory=list, repr=False)     # the feature scaler each unit's model expects
    diagnoses: list[Any] = field(default_factory=list, repr=False)   # Diagnosis per unit
    baselines: dict[str, list[float]] = field(default_factory=dict)  # baseline -> score per unit
    error: str | None = None        # the retrain failed: why (the scores are then empty)
    notes: list[str] = field(default_factory=list)  # how it was judged, where that differs from the rule

    @property
    def mean(self) -> float:
        v = np.asarray(self.scores, dtype=float)
        return float(np.nanmean(v)) if v.size else math.nan

    @property
    def std(self) -> float:
        v = np.asarray(self.scores, dtype=float)
        return float(np.nanstd(v, ddof=1)) if v.size > 1 else 0.0

    @property
    def higher_is_better(self) -> bool:
        return self.metric not in LOWER_IS_BETTER

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "unit": self.unit, "scores": self.scores, "mean": self.mean,
                "std": self.std, "baselines": self.baselines, "error": self.error}


def select(cfg: Any, *, seeds: int | list[int] | None = None, dataset: Any = None,
           train_rows: Callable[[int, np.ndarray], np.ndarray] | None = None,
           metric: str | None = None, on_unit: Callable[[int, int], None] | None = None,
           threads: int | None = 1, probe_every: int | None = None, baselines: bool = False,
           units: list[int] | None = None,
           on_epoch: Callable[[int, int, dict[str, float]], None] | None = None,
           watch_share: float | None = None) -> Selection:
    """Train ``cfg`` on its training rows and score it on validation, per unit.

    Holdout: one unit per seed (``train.seed`` = each seed; the split seed stays put, so
    every config sees the same rows); ``seeds`` defaults to ``[cfg.train.seed]``. k-fold:
    one unit per fold (``seeds`` is ignored). The test rows are never used.

    ``train_rows(unit, rows)`` trains each unit on the rows it returns out of its training rows
    (learning curves train on growing subsets); validation and test rows never change.

    A config with early stopping trains on 85% of its training rows and stops (and keeps its
    best epoch) by the other 15% (:data:`WATCH_SHARE`, or ``watch_share``; 0 lets it watch the
    validation rows, as a single run does), so the validation score is not the best of many
    looks at the validation rows.

    ``units`` runs only those unit indices, in that order (tune scores a config fold by fold
    and stops early); ``on_epoch(unit, epoch, logs)`` sees every epoch's validation logs, and
    an exception it raises (a pruned trial) leaves ``select`` at once.
    """
    from fitdoctor.config import load_config
    from fitdoctor.data import fit_scaler, load_dataset, make_splits
    from fitdoctor.train.experiment import diagnose_fit
    from fitdoctor.train.metrics import class_prior, task_metrics
    from fitdoctor.train.probes import DEFAULT_EVERY
    from fitdoctor.train.trainer import fit, predict_scores

    wanted = units
    cfg = load_config(cfg)
    ds = dataset if dataset is not None else load_dataset(cfg.data)
    splits = make_splits(ds, cfg.data.split)
    prior = class_prior(ds.y, ds.n_classes) if ds.task != "regression" else None
    metric = metric or selection_metric(ds.task, prior)
    kfold = cfg.data.split.method == "kfold"
    if kfold:
        units = [(sp, cfg) for sp in splits]
    else:
        seed_list = _seed_list(seeds, cfg.train.seed)
        units = [(splits[0], cfg.model_copy(update={"train": cfg.train.model_copy(update={"seed": s})}))
                 for s in seed_list]
    order = list(range(len(units))) if wanted is None else [int(u) for u in wanted]
    bad = [u for u in order if not 0 <= u < len(units)]
    if bad:
        raise BadInput(f"units {bad}: expected indices below {len(units)} ({'folds' if kfold else 'seeds'})")
    sel = Selection(config=cfg, metric=metric, unit="fold" if kfold else "seed", scores=[], all_scores=[])
    for i in order:
        sp, ucfg = units[i]
        if train_rows is not None:  # a learning curve: fewer training rows; val and test stay put
            sp = replace(sp, train=np.sort(np.asarray(train_rows(i, sp.train), dtype=np.int64)))
        if on_unit is not None:
            on_unit(i, len(units))
        fit_rows, watch = sp.train, None
        share = WATCH_SHARE if watch_share is None else float(watch_share)
        if ucfg.train.early_stopping and share > 0:
            carved = watch_rows(ds.y, sp.train, ds.task, 7919 * int(ucfg.train.seed) + 104729 * i + 1, share)
            if carved is None:
                note = (f"early stopping watched the validation rows: {sp.train.size} training rows "
                        f"cannot spare {MIN_WATCH_ROWS} of their own")
                if note not in sel.notes:
                    sel.notes.append(note)
            else:
                fit_rows = carved[0]
                note = (f"early stopping watched {carved[1].size} of the {sp.train.size} training rows, held out "
                        f"(not the validation rows it is judged on)")
                if not any(n.startswith("early stopping watched") for n in sel.notes):
                    sel.notes.append(note)
        scaler = fit_scaler(ds.X[fit_rows], ucfg.data.scale)
        Xtr, Xva = scaler.transform(ds.X[fit_rows]), scaler.transform(ds.X[sp.val])
        if fit_rows is not sp.train:
            watch = (scaler.transform(ds.X[carved[1]]), ds.y[carved[1]])
        try:
            res = fit(ucfg.model, ucfg.train, Xtr, ds.y[fit_rows], Xva, ds.y[sp.val], task=ds.task,
                      n_classes=ds.n_classes, probe_every=probe_every or DEFAULT_EVERY, threads=threads,
                      run_name=f"{sel.unit} {i + 1}/{len(units)}", watch=watch,
                      on_epoch=None if on_epoch is None else (lambda e, logs, _u=i: on_epoch(_u, e, logs)))
        except (RuntimeError, ValueError) as exc:  # a config the trainer cannot run: a rejected remedy
            sel.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            sel.scores, sel.all_scores = [], []
            return sel
        scores = task_metrics(ds.task, ds.y[sp.val], predict_scores(res.model, Xva, ds.task), ds.n_classes)
        if "loss" in res.history.series and res.history.series.get("val_loss") is not None:
            # the val loss of the weights the model holds: the restored epoch's, else the last's
            # (the epoch with the lowest val loss is no model anyone kept)
            vl = res.history.series["val_loss"].values
            kept = (res.history.meta.get("restored_best") or {}).get("at")
            scores["loss"] = float(vl[kept]) if kept is not None and kept < vl.size else float(vl[-1])
        if metric not in scores:
            raise BadInput(f"selection metric {metric!r} is not scored for a {ds.task} task; "
                           f"expected one of: {', '.join(sorted(scores))}")
        sel.scores.append(float(scores[metric]))
        sel.all_scores.append(scores)
        sel.runs.append(res)
        sel.scalers.append(scaler)
        sel.diagnoses.append(diagnose_fit(res))
        if baselines:
            from fitdoctor.train.baselines import fit_baselines

            # a baseline needs no early stopping: it fits every training row
            Xall = Xtr if fit_rows is sp.train else scaler.transform(ds.X[sp.train])
            for b, by in fit_baselines(ds.task, Xall, ds.y[sp.train], ds.n_classes,
                                       {"val": (Xva, ds.y[sp.val])}, ucfg.train.seed).items():
                sel.baselines.setdefault(b, []).append(float(by["val"].get(metric, math.nan)))
    return sel


def final(cfg: Any, *, dataset: Any = None, threads: int | None = 1, refit_holdout: bool = False) -> dict[str, Any]:
    """Fit ``cfg`` as the protocol prescribes and score the test split once, beside the baselines.

    Holdout: train on the training rows (early stopping on validation), or with
    ``refit_holdout`` refit on train+val for the epochs that run trained; k-fold: refit on
    train+val. Call this once per command, at the end.
    """
    from fitdoctor.config import load_config
    from fitdoctor.data import load_dataset
    from fitdoctor.train.experiment import run_experiment

    cfg = load_config(cfg)
    ds = dataset if dataset is not None else load_dataset(cfg.data)
    exp = run_experiment(cfg, dataset=ds, threads=threads, refit_holdout=refit_holdout)
    if exp.test is None:
        raise BadInput("the config keeps no test rows (data.split.test is 0); nothing to score once at the end")
    return {"test": exp.test, "baselines": {b: r.get("test") for b, r in exp.baselines.items()},
            "primary": exp.primary, "experiment": exp, "refit_epochs": int(exp.final.epochs_run)}


def paired_difference(a: Selection, b: Selection, *, min_effect: float = 0.0) -> dict[str, Any]:
    """Is ``b`` better than ``a`` beyond run-to-run noise? A one-sided paired t-test over units
    (same seeds or folds), with the mean difference oriented so that positive means better.

    Returns the mean difference, its standard error, t, the p-value and ``better`` (p < 0.05
    and the mean difference above ``min_effect``). Fewer than 2 paired units: never better.
    """
    x = np.asarray(a.scores, dtype=float)
    y = np.asarray(b.scores, dtype=float)
    n = min(x.size, y.size)
    sign = 1.0 if a.higher_is_better else -1.0
    d = sign * (y[:n] - x[:n])
    from fitdoctor.stats import paired_t

    out: dict[str, Any] = {**paired_t(d), "better": False, "test": "one-sided paired t-test"}
    out["better"] = bool(out["p"] < 0.05 and out["mean_diff"] > min_effect)
    return out


def _seed_list(seeds: int | list[int] | None, base: int) -> list[int]:
    if seeds is None:
        return [int(base)]
    if isinstance(seeds, int):
        if seeds < 1:
            raise BadInput(f"seeds {seeds}: expected at least 1")
        return [int(base) + i for i in range(seeds)]
    out = [int(s) for s in seeds]
    if not out:
        raise BadInput("seeds: expected at least one seed")
    return out
