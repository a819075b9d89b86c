"""The Ray Tune backend (``pip install 'fitdoctor[ray]'``): for users who outgrow one machine.

The same config and the same space: Optuna's sampler drives the search through Ray's
``OptunaSearch`` (define-by-run, the very :meth:`SearchSpace.suggest` the Optuna backend
uses) and Ray's ``ASHAScheduler`` stops trials whose score so far is poor at the same
amount of training (one report per fold-epoch). Each trial runs the protocol's units
(folds or seeds) with :func:`fitdoctor.train.protocol.select`, never touching test; its
last report carries the mean across units, so a trial ASHA stops still tells TPE its mean
so far. The winner (best trial scored on every unit) is refit and tested once.

Local by default (``ray.init()`` starts a Ray instance on this machine); with
``RAY_ADDRESS`` set (``ray://head:10001`` or ``auto``) the same command runs on that
cluster unchanged. Ray keeps its own experiment folder under ``<out>/ray``; there is no
resume through the Optuna storage here (Ray's ``Tuner.restore`` is the way).
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

from fitdoctor.errors import BadInput, require
from fitdoctor.tune.base import (Backend, TuneJob, follow_kept_epoch, plan, rank, register, run_final,
                                 summarize_trial)
from fitdoctor.tune.result import TuneResult

METRIC = "score"


def _trainable(config: dict[str, Any], job_blob: dict[str, Any] | None = None) -> None:
    """One Ray trial: the protocol's units in a per-trial order, one report per epoch."""
    import numpy as np
    from ray import tune as rtune

    from fitdoctor.train.protocol import select
    from fitdoctor.tune.objective import Objective, _top_findings
    from fitdoctor.tune.space import apply_params

    blob = job_blob or {}
    space, cfg, pl = blob["space"], blob["config"], blob["plan"]
    params = space.decode({k: v for k, v in config.items() if k in {p.key for p in space.params}})
    tcfg = apply_params(cfg, params)
    number = int(blob.get("number_offset", 0)) + int(config.get("__number__", 0))
    order = Objective(cfg, space, dataset=None, metric=pl.metric, n_units=pl.n_units, unit_kind=pl.unit).order(number)
    scores: dict[int, float] = {}
    findings: list[dict[str, Any]] = []
    counted = {"fold_epochs": 0}
    t0 = time.perf_counter()

    def report(extra: dict[str, Any]) -> None:
        rtune.report({"units_done": len(scores), "fold_epochs": counted["fold_epochs"], **extra})

    for unit in order:
        state: dict[str, Any] = {"best_loss": None, "score": None}

        def hook(u: int, epoch: int, logs: dict[str, float]) -> None:
            counted["fold_epochs"] += 1
            follow_kept_epoch(state, logs, pl.metric)
            now = [v for v in scores.values() if math.isfinite(v)]
            if state["score"] is not None and math.isfinite(state["score"]):
                now = now + [state["score"]]
            est = float(np.mean(now)) if now else (-1e9 if pl.direction == "maximize" else 1e9)
            report({METRIC: est, "complete": False})

        sel = select(tcfg, dataset=pl.dataset, metric=pl.metric, units=[unit], seeds=pl.seeds,
                     threads=1, probe_every=blob.get("probe_every"), on_epoch=hook)
        if sel.error:
            report({METRIC: -1e9 if pl.direction == "maximize" else 1e9, "complete": False,
                    "error": sel.error})
            return
        scores[unit] = float(sel.scores[0])
        if sel.diagnoses:
            findings.extend(_top_findings(sel.diagnoses[0], unit))
    vals = np.array([v for v in scores.values() if math.isfinite(v)], dtype=float)
    mean = float(vals.mean()) if vals.size else math.nan
    report({METRIC: mean, "complete": True, "std": float(vals.std(ddof=1)) if vals.size > 1 else 0.0,
            "scores_json": json.dumps({str(k): v for k, v in scores.items()}),
            "findings_json": json.dumps(findings[:6]), "seconds": time.perf_counter() - t0,
            "params_json": json.dumps(params, default=str)})


class _DefineByRun:
    """OptunaSearch's define-by-run space: the SearchSpace's own suggest, plus the trial's
    number (a picklable object: Ray checkpoints the searcher)."""

    def __init__(self, space: Any) -> None:
        self.space = space
        self.n = 0

    def __call__(self, trial: Any) -> dict[str, Any]:
        self.space.suggest(trial)
        self.n += 1
        return {"__number__": self.n - 1}


@register
class RayBackend(Backend):
    name = "ray"
    extra = "ray"
    module = "ray"

    def run(self, job: TuneJob) -> TuneResult:
        ray = require("ray", "ray", "fitdoctor tune --backend ray")
        require("ray.tune", "ray", "fitdoctor tune --backend ray")
        require("optuna", "ray", "fitdoctor tune --backend ray")
        import optuna
        from ray import tune as rtune
        from ray.tune.schedulers import ASHAScheduler
        from ray.tune.search.optuna import OptunaSearch

        from fitdoctor.tune.objective import quiet_warnings

        if job.storage is not None:
            raise BadInput("--storage is for the optuna backend; Ray keeps its experiment under "
                           "<out>/ray (set RAY_ADDRESS to run on a cluster)")
        t0 = time.perf_counter()
        pl = plan(job)
        space = job.space
        define_by_run = _DefineByRun(space)

        seed = job.seed if job.seed is not None else space.seed
        with quiet_warnings():
            sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=10 if job.trials >= 30
                                                 else max(3, job.trials // 3))
            search = OptunaSearch(space=define_by_run, metric=METRIC, mode=pl.direction[:3], sampler=sampler)
        max_t = pl.n_units * int(job.config.train.epochs) + 1  # every epoch, then the k-fold mean
        grace = max(1, int(space.pruning.warmup_epochs))
        scheduler = None
        if space.pruning.epochs or space.pruning.folds:
            scheduler = ASHAScheduler(time_attr="training_iteration", metric=METRIC, mode=pl.direction[:3],
                                      max_t=max_t, grace_period=min(grace, max_t), reduction_factor=3)
        address = os.environ.get("RAY_ADDRESS")
        started_here = False
        if not ray.is_initialized():
            kw: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False,
                                  "include_dashboard": False, "configure_logging": False}
            if address:
                kw["address"] = address
            else:
                kw["num_cpus"] = max(1, int(os.environ.get("FITDOCTOR_RAY_CPUS", os.cpu_count() or 1)))
            ray.init(**kw)
            started_here = True
        blob = {"space": space, "config": job.config, "plan": pl, "probe_every": job.probe_every}
        out = job.out_dir.resolve()
        out.mkdir(parents=True, exist_ok=True)
        run_config_cls = getattr(rtune, "RunConfig", None)
        if run_config_cls is None:  # ray < 2.10
            from ray.train import RunConfig as run_config_cls
        try:
            tuner = rtune.Tuner(
                rtune.with_resources(rtune.with_parameters(_trainable, job_blob=blob), {"cpu": 1}),
                tune_config=rtune.TuneConfig(search_alg=search, scheduler=scheduler, num_samples=job.trials,
                                             time_budget_s=job.timeout),
                run_config=run_config_cls(name=job.study_name, storage_path=str(out / "ray"), verbose=0),
            )
            grid = tuner.fit()
        finally:
            if started_here:
                ray.shutdown()
        return self._result(job, pl, grid, time.perf_counter() - t0)

    def _result(self, job: TuneJob, pl: Any, grid: Any, seconds: float) -> TuneResult:
        summaries = []
        notes: list[str] = []
        results = [grid[i] for i in range(len(grid))]
        results.sort(key=lambda r: int((r.metrics or {}).get("config", {}).get("__number__", 0))
                     if isinstance((r.metrics or {}).get("config"), dict) else 0)
        for i, r in enumerate(results):
            m = dict(r.metrics or {})
            cfg = dict(r.config or {})
            number = int(cfg.get("__number__", i))
            params = job.space.decode({k: v for k, v in cfg.items() if k != "__number__"})
            complete = bool(m.get("complete"))
            ua = {"scores": json.loads(m.get("scores_json") or "{}"), "std": m.get("std", 0.0),
                  "findings": json.loads(m.get("findings_json") or "[]"), "fold_epochs": m.get("fold_epochs", 0),
                  "seconds": m.get("seconds", m.get("time_total_s", 0.0)),
                  "pruned": None if complete else "epochs", "error": m.get("error") or (str(r.error) if r.error else None),
                  "config_params": params}
            state = "complete" if r.error is None and METRIC in m else "fail"
            summaries.append(summarize_trial(number, m.get(METRIC), state, params, ua))
        ranked = rank(summaries, pl.direction)
        best = ranked[0] if ranked else None
        final = best_config = None
        if best is not None:
            from fitdoctor.config import config_to_dict

            cfg_out, final, more = run_final(job, best.params, pl)
            notes += more
            best_config = config_to_dict(cfg_out)
        else:
            notes.append("no trial finished every unit: nothing to refit")
        counts = {"complete": sum(s.state == "complete" for s in summaries),
                  "pruned": sum(s.state.startswith("pruned") for s in summaries),
                  "failed": sum(s.state in ("failed", "fail") for s in summaries), "running": 0, "waiting": 0,
                  "total": len(summaries)}
        from fitdoctor.tune.optuna_backend import _plain, write_result

        result = TuneResult(backend="ray", metric=pl.metric, direction=pl.direction, unit=pl.unit,
                            n_units=pl.n_units, study_name=job.study_name, storage=str(job.out_dir / "ray"),
                            run_dir=str(job.out_dir), trials=counts, best=best, top=ranked[:job.top],
                            importances=_importances(job, ranked, pl.direction), best_config=best_config,
                            final=_plain(final), fold_epochs=sum(s.fold_epochs for s in summaries),
                            seconds=seconds, notes=notes, dashboard=None, all_trials=summaries)
        write_result(job.out_dir, result)
        return result


def _importances(job: TuneJob, ranked: list[Any], direction: str) -> dict[str, float]:
    """fANOVA over the fully scored trials, as the Optuna backend computes them."""
    if len(ranked) < 3:
        return {}
    import optuna

    from fitdoctor.tune.optuna_backend import importances_of
    from fitdoctor.tune.space import _encode

    dists = job.space.distributions()
    trials = []
    for s in ranked:
        params = {k: (_encode(v) if isinstance(dists.get(k), optuna.distributions.CategoricalDistribution) else v)
                  for k, v in s.params.items() if k in dists}
        trials.append(optuna.trial.create_trial(params=params, distributions=dists, value=s.value))
    return importances_of(None, trials, direction)
