"""One experiment from a run config: data checks, fits on each split, baselines, test.

The protocol the textbooks prescribe: scaling fitted on the training rows only;
selection (early stopping, the fold scores) on validation; with k-fold, mean ± std
across folds, then a refit on train+val for the median best epoch count; the test
rows are scored once, at the very end, and reported apart from everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import numpy as np

from fitdoctor.findings import Diagnosis, Finding, sort_findings
from fitdoctor.train.baselines import fit_baselines
from fitdoctor.train.metrics import PRIMARY, task_metrics
from fitdoctor.train.probes import DEFAULT_EVERY
from fitdoctor.train.trainer import FitResult, fit, predict_scores


class Reporter(Protocol):
    """Progress hooks (the CLI draws a rich progress bar with them)."""

    def start(self, name: str, epochs: int) -> None: ...
    def epoch(self, i: int, logs: dict[str, float]) -> None: ...
    def end(self, result: FitResult) -> None: ...


@dataclass
class Experiment:
    """Everything one ``fitdoctor train`` produced."""

    config: Any
    dataset: Any
    data_findings: list[Finding]
    runs: list[FitResult]            # one per fold (one for holdout)
    diagnoses: list[Diagnosis]       # one per run in ``runs``
    final: FitResult                 # the model scored on test (holdout run, or k-fold refit)
    primary: str                     # accuracy | r2
    val_scores: list[dict[str, float]]
    baselines: dict[str, dict[str, Any]]
    test: dict[str, float] | None
    cv: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def diagnosis(self) -> Diagnosis:
        return self.diagnoses[0]

    def __repr__(self) -> str:
        """One line, as a notebook shows it: the protocol, the validation and test scores of
        the primary metric, and the top finding (the dataclass's own repr is pages long)."""
        m = self.primary
        val = [v.get(m) for v in self.val_scores if isinstance(v.get(m), (int, float))]
        parts = [f"{len(self.runs)} fold{'s' if len(self.runs) != 1 else ''}" if self.cv else "holdout"]
        if val:
            parts.append(f"val {m} {float(np.mean(val)):.4g}")
        if self.test and isinstance(self.test.get(m), (int, float)):
            parts.append(f"test {m} {self.test[m]:.4g}")
        top = self.diagnosis.findings[0] if self.diagnoses and self.diagnosis.findings else None
        if top is not None:
            parts.append(f"{top.code} ({top.severity})")
        return f"Experiment({', '.join(parts)})"

    def scores(self) -> dict[str, Any]:
        """JSON-ready: val (per run), cv, test and baselines, side by side."""
        return {"primary": self.primary, "val": self.val_scores, "cv": self.cv, "test": self.test,
                "baselines": self.baselines, "stopped": [r.stopped for r in self.runs],
                "best_epoch": [r.best_epoch for r in self.runs]}


def guard_finding(res: FitResult) -> Finding:
    """The non_finite finding for a run the guard stopped (used when the curves are too short)."""
    from fitdoctor.remedies import remedies_for

    nf = dict(res.nonfinite or {})
    what = nf.get("where", "loss")
    if what == "gradient":
        what = f"gradient of {nf.get('layer', '?')}"
    ev = {k: v for k, v in nf.items() if k != "where"}
    ev["where"] = nf.get("where")
    msg = (f"training stopped at step {nf.get('step')} (epoch {nf.get('epoch')}): the {what} became "
           f"non-finite; nothing after that point would have been real training")
    return Finding(code="non_finite", severity="error", message=msg,
                   span=(float(nf.get("epoch", 0)), float(nf.get("epoch", 0))), evidence=ev,
                   remedies=remedies_for("non_finite", ev))


def diagnose_fit(res: FitResult) -> Diagnosis:
    """Diagnose one fit; a run the guard stopped always carries a non_finite finding."""
    from fitdoctor import diagnose
    from fitdoctor.errors import BadInput

    try:
        d = diagnose(res.history)
    except (BadInput, ArithmeticError) as exc:
        # a run that blew up on its first epoch is too short (or too huge) for the curve rules
        if res.nonfinite is None:
            raise
        res.history.note(f"curve rules skipped: {exc}")
        d = Diagnosis(findings=[], history=res.history, summary={})
    if res.nonfinite is not None:  # the guard saw the exact step and tensor: its account wins
        d.findings = sort_findings([guard_finding(res), *(f for f in d.findings if f.code != "non_finite")])
    return d


def run_checks(ds: Any, split: Any, scale: str | None = None) -> tuple[list[Finding], list[str]]:
    """The data checks ``check-data`` runs; absent module -> no findings, with a note."""
    try:
        from fitdoctor.diagnose.data import check_data
    except ImportError:
        return [], ["data checks unavailable (fitdoctor.diagnose.data not installed)"]
    # the trainer trains on its own split: no Keras validation_split tail to check. A note that
    # the config already handles (unscaled raw columns under data.scale) is check-data's to
    # show; in a training run's verdict it would only stand first above the run's own findings
    found = check_data(ds, split, None, scale=scale)
    return [f for f in found if not (f.code == "unscaled_features" and f.severity == "info")], []


def run_experiment(cfg: Any, *, reporter: Reporter | None = None,
                   probe_every: int = DEFAULT_EVERY, threads: int | None = 1,
                   dataset: Any = None, refit_holdout: bool = False) -> Experiment:
    """Run the whole protocol for ``cfg`` (a RunConfig, a dict or a YAML path).

    ``refit_holdout``: after a holdout run, refit on train+val for the epochs it trained (its
    best epoch count under early stopping) and score that model on test, as k-fold always
    does. For a config chosen on validation (``tune``): the validation rows have done their
    job and are worth more as training data."""
    from fitdoctor.config import load_config
    from fitdoctor.data import fit_scaler, load_dataset, make_splits

    cfg = load_config(cfg)
    ds = dataset if dataset is not None else load_dataset(cfg.data)
    splits = make_splits(ds, cfg.data.split)
    data_findings, notes = run_checks(ds, splits[0], cfg.data.scale)
    task, K = ds.task, ds.n_classes
    primary = PRIMARY[task]
    kfold = cfg.data.split.method == "kfold"

    runs: list[FitResult] = []
    val_scores: list[dict[str, float]] = []
    base_val: dict[str, list[dict[str, float]]] = {}
    for i, sp in enumerate(splits):
        scaler = fit_scaler(ds.X[sp.train], cfg.data.scale)
        Xtr, Xva = scaler.transform(ds.X[sp.train]), scaler.transform(ds.X[sp.val])
        name = f"fold {i + 1}/{len(splits)}" if kfold else "holdout"
        res = _fit(cfg, Xtr, ds.y[sp.train], Xva, ds.y[sp.val], task, K, name, reporter,
                   probe_every, threads)
        runs.append(res)
        val_scores.append(task_metrics(task, ds.y[sp.val], predict_scores(res.model, Xva, task), K))
        for b, by_split in fit_baselines(task, Xtr, ds.y[sp.train], K,
                                         {"val": (Xva, ds.y[sp.val])}, cfg.train.seed).items():
            base_val.setdefault(b, []).append(by_split["val"])

    sp = splits[0]
    test_rows = sp.test
    if kfold or (refit_holdout and sp.val.size):
        dev = np.union1d(sp.train, sp.val)
        epochs = refit_epochs(cfg.train, runs)
        scaler = fit_scaler(ds.X[dev], cfg.data.scale)
        Xdev = scaler.transform(ds.X[dev])
        refit_cfg = cfg.train.model_copy(update={"early_stopping": False})
        final = _fit(cfg, Xdev, ds.y[dev], None, None, task, K, "refit on train+val", reporter,
                     probe_every, threads, train_cfg=refit_cfg, epochs=epochs)
        fit_X, fit_y = Xdev, ds.y[dev]
    else:
        final = runs[0]
        scaler = fit_scaler(ds.X[sp.train], cfg.data.scale)
        fit_X, fit_y = scaler.transform(ds.X[sp.train]), ds.y[sp.train]

    test = None
    baselines: dict[str, dict[str, Any]] = {b: {"val": _mean(v), "val_std": _std(v)} for b, v in base_val.items()}
    if test_rows.size:
        Xte = scaler.transform(ds.X[test_rows])
        test = task_metrics(task, ds.y[test_rows], predict_scores(final.model, Xte, task), K)
        for b, by_split in fit_baselines(task, fit_X, fit_y, K, {"test": (Xte, ds.y[test_rows])},
                                         cfg.train.seed).items():
            baselines[b]["test"] = by_split["test"]

    cv = None
    if kfold:
        vals = np.array([s[primary] for s in val_scores], dtype=float)
        cv = {"metric": primary, "mean": float(np.nanmean(vals)), "std": float(np.nanstd(vals, ddof=1)) if vals.size > 1 else 0.0,
              "folds": vals.tolist(), "refit_epochs": int(final.epochs_run)}

    record_run_facts(runs, splits, primary, val_scores, base_val, data_findings, test, baselines, kfold)
    from fitdoctor.config import config_to_dict

    diagnoses = []
    for r in runs:
        # the config the run trained with: remedies it already carries out are not prescribed
        r.history.meta["config"] = config_to_dict(cfg)
        d = diagnose_fit(r)  # the run-level rules read the facts just recorded in the meta
        have = {f.code for f in d.findings}
        d.findings = sort_findings(list(d.findings) + [f for f in data_findings if f.code not in have])
        if any(f.severity != "info" for f in d.findings if f.code != "healthy"):
            d.findings = [f for f in d.findings if f.code != "healthy"]
        diagnoses.append(d)
    exp = Experiment(config=cfg, dataset=ds, data_findings=data_findings, runs=runs,
                     diagnoses=diagnoses, final=final, primary=primary, val_scores=val_scores,
                     baselines=baselines, test=test, cv=cv, notes=notes)
    diagnoses[0].summary["scores"] = exp.scores()
    return exp


def record_run_facts(runs: list[FitResult], splits: list[Any], primary: str,
                     val_scores: list[dict[str, float]], base_val: dict[str, list[dict[str, float]]],
                     data_findings: list[Finding], test: dict[str, float] | None,
                     baselines: dict[str, dict[str, Any]], kfold: bool) -> None:
    """What the verdict needs beyond the curves, in each run's meta (and so in meta.json):
    the baselines' and the network's validation scores on the same rows (per fold, for a
    paired comparison), the test scores, and the data checks' findings."""
    per_fold = {"network": [s.get(primary) for s in val_scores],
                **{b: [r.get(primary) for r in rows] for b, rows in base_val.items()}}
    test_scores = None
    if test is not None:
        test_scores = {"network": test, **{b: res["test"] for b, res in baselines.items() if "test" in res}}
    stored = [{**f.to_dict(), "priority": f.priority} for f in data_findings]
    for i, r in enumerate(runs):
        r.history.meta["baseline_scores"] = {
            "metric": primary, "split": "val", "n_val": int(splits[i].val.size),
            "network": val_scores[i], "baselines": {b: rows[i] for b, rows in base_val.items()},
            "folds": per_fold if kfold else None, "test": test_scores,
        }
        r.history.meta["data_findings"] = stored


def refit_epochs(train_cfg: Any, runs: list[FitResult]) -> int:
    """Epochs for the k-fold refit: what the fold models that were scored actually trained.

    Early stopping with restored weights: the median best epoch; without restoring: the
    median epochs run; no early stopping: the configured epochs.
    """
    es = train_cfg.early_stopping
    if not es:
        return int(train_cfg.epochs)
    counts = [(r.best_epoch + 1) if es.restore_best and r.best_epoch is not None else r.epochs_run
              for r in runs]
    return max(1, int(np.median(counts))) if counts else int(train_cfg.epochs)


def _fit(cfg: Any, X: np.ndarray, y: np.ndarray, Xv, yv, task: str, K: int | None, name: str,
         reporter: Reporter | None, probe_every: int, threads: int | None, *,
         train_cfg: Any = None, epochs: int | None = None) -> FitResult:
    tc = train_cfg if train_cfg is not None else cfg.train
    n = int(epochs if epochs is not None else tc.epochs)
    on_epoch: Callable[[int, dict[str, float]], None] | None = None
    if reporter is not None:
        reporter.start(name, n)
        on_epoch = reporter.epoch
    res = fit(cfg.model, tc, X, y, Xv, yv, task=task, n_classes=K, epochs=epochs,
              probe_every=probe_every, threads=threads, on_epoch=on_epoch, run_name=name)
    if reporter is not None:
        reporter.end(res)
    return res


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.nanmean([r[k] for r in rows])) for k in rows[0]} if rows else {}


def _std(rows: list[dict[str, float]]) -> dict[str, float]:
    if len(rows) < 2:
        return {k: 0.0 for k in (rows[0] if rows else {})}
    return {k: float(np.nanstd([r[k] for r in rows], ddof=1)) for k in rows[0]}
