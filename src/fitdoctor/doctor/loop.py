"""The doctor loop: diagnose, try the top finding's remedies in order, keep only what beats the noise."""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any, Mapping

from fitdoctor.errors import BadInput
from fitdoctor.doctor.evidence import (_baseline_verdict, _diagnose, _refuted, consensus_findings,
                                      judging, loss_only_overfitting)
from fitdoctor.doctor.files import write_doctor_dir
from fitdoctor.doctor.result import (USER_ROUND, DoctorProgress, DoctorResult, DoctorRound, DoctorTrial, _f,
                                    _summary, _verdict)
from fitdoctor.doctor.retrain import _Runner, _workers
from fitdoctor.doctor.significance import (CURE_MARGIN, POWER, _numbers, _test_name, default_min_effect,
                                           detectable_gain, judge, merge_selections, no_worse)


#: Settings that are scales, off by an unknown factor: a step that changed nothing measurable
#: is taken once more in the same direction (lr x0.1 -> x0.01, batch size x4 -> x16).
SCALES = ("train.lr", "model.l2", "model.l1", "model.dropout_rate", "train.batch_size", "train.label_smoothing")


#: Findings read off a curve the selection score may not see (overfitting: the val loss climbs
#: while accuracy holds, or falls by less than the noise): a remedy for one may be accepted as
#: a cure, when it ends the finding at no cost to the score (see ``try_change``).
CURABLE = frozenset({"overfitting"})


def _cures(code: str, before: list[tuple[Any, Any]], after: list[tuple[Any, Any]]) -> bool:
    """The retrains of a change no longer show ``code`` in most units, and show no new finding
    that ranks above it (a cure that leaves a worse finding is no cure; one the config had
    already, such as an ID-like column in its data, is no reason to refuse it)."""
    from fitdoctor.codes import PRIORITY

    mine, had = PRIORITY.get(code, 0), {f.code for f, _ in before}
    return all(f.code != code and (PRIORITY.get(f.code, 0) < mine or f.code in had) for f, _ in after)


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


def _hidden_gain(trials: list[DoctorTrial], metric: str, unit: str, alpha: float, min_effect: float,
                 judge_on: str, kfold: bool) -> str | None:
    """How large a gain the rejected changes of the last round could have hidden, and the finer
    judge to use when that is large (see :func:`detectable_gain`)."""
    rejected = [t for t in trials if t.status == "rejected" and t.after]
    if not rejected:
        return None
    n = max(int(t.after.get("n") or 0) for t in rejected)
    gain = detectable_gain([t.se for t in rejected], n, alpha=alpha, min_effect=min_effect)
    if gain is None:
        return None
    text = (f"the noise: over {n} {unit}s the paired test sees a gain of {gain:.3f} in val {metric} "
            f"{POWER:.0%} of the time (at the median spread of the {len(rejected)} rejected changes); "
            "a smaller gain may be real and go unseen")
    if gain > 2 * min_effect:
        finer = [f"--seeds {2 * n}"] if unit == "seed" else []
        if not kfold and judge_on == "seeds":
            finer.insert(0, "--judge-on folds")
        if finer:
            text += ": judge finer with " + " or ".join(finer)
    return text


def _key(cfg: Any) -> str:
    from fitdoctor.config import config_to_dict

    return json.dumps(config_to_dict(cfg), sort_keys=True, default=str)


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
    from fitdoctor.config import load_config
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
        notes += [n for n in cur_sel.notes if n not in notes]
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

        def try_change(round_i: int, code: str, action: str, proposed: Mapping[str, Any],
                       cure: list[tuple[Any, Any]] | None = None) -> tuple[DoctorTrial, Any, Any]:
            """(the trial, the new config and its Selection when accepted, else None, None).

            ``cure`` (the current config's findings, given when ``code`` is in :data:`CURABLE`):
            a change that does not beat the noise is still accepted when its retrains no
            longer show ``code`` (see :func:`_cures`) and the score is no worse than
            :data:`CURE_MARGIN` minimum effects (a one-sided paired non-inferiority test at
            ``alpha``)."""
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
            new_sel = d["after_sel"]
            diagnosed = not d["better"] and cure is not None
            if diagnosed:
                _diagnose(new_sel, judged(new_cfg), ds, base_rows, data_cache)
                margin = CURE_MARGIN * me
                p_nw = no_worse(d, margin)
                if p_nw < alpha and _cures(code, cure, consensus_findings(new_sel, new_cfg, task)):
                    d["better"], trial.status, trial.cure, trial.p_no_worse = True, "accepted", True, p_nw
                    trial.reason = (f"{_numbers(metric, unit, d)}, accepted as a cure: {code} is gone from most "
                                    f"retrains and val {metric} is no worse than -{margin:g} (p={p_nw:.2g})")
            evaluated[k] = f"round {round_i}, {trial.status}"
            progress.finished(trial)
            if not d["better"]:
                return trial, None, None
            if not diagnosed:
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
                    cure = found if f.code in CURABLE else None
                    trial, new_cfg, new_sel = try_change(r, f.code, rem.action, rem.config_changes, cure)
                    rnd.trials.append(trial)
                    further = _further(rem.config_changes, trial, me)
                    if new_cfg is None and further is not None and not over_budget():
                        # a step on a scale that changed nothing measurable: it may be off by more than 10x
                        trial, new_cfg, new_sel = try_change(r, f.code, rem.action + " (one step further)", further,
                                                             cure)
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
                hidden = _hidden_gain(rnd.trials, metric, unit, alpha, me, judge_on, kfold)
                if hidden:
                    notes.append(hidden)
                refuted = _refuted(rnd, [f for f, _ in found])
            break
        if also_try:
            r = len(rounds) + 1
            rnd = DoctorRound(r, USER_ROUND, "changes you asked doctor to judge", [], _summary(cur_sel))
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
    if any(f.code == "overfitting" for f, _ in remaining):
        why = loss_only_overfitting(cur_sel)
        if why:
            notes.append(why)
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
