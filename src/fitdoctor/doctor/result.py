"""What ``doctor`` returns: a trial per change tried, a round per diagnosis, the result with its verdict lines."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from fitdoctor.doctor.significance import comparable


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


#: the round that judges the changes a user asked for (``--try``, ``also_try``)
USER_ROUND = "your changes"


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
    cure: bool = False                 # accepted as a cure: its finding gone, the score no worse
    p_no_worse: float | None = None    # the non-inferiority test's one-sided p (a cure's)

    @property
    def outcome(self) -> str:
        """The status as a user reads it: "accepted as a cure" for a cure."""
        return "accepted as a cure" if self.cure and self.accepted else self.status

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
                "seconds": round(self.seconds, 2), "fits": self.fits, "looks": self.looks,
                "cure": self.cure, "p_no_worse": self.p_no_worse}


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
        from fitdoctor.config import config_to_dict, config_yaml

        return config_yaml({k: v for k, v in config_to_dict(self.final_config).items() if v is not None})

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


def _what_it_took(res: DoctorResult, code: str) -> str:
    """" (none of its 6 remedies raised val accuracy beyond the noise; the best +0.000 ± 0.010)"
    for a finding still standing whose remedies were all retrained on the final config and
    rejected: the user learns that what it costs is not the score doctor judges on."""
    last = res.rounds[-1] if res.rounds else None
    if last is None or last.accepted is not None:
        return ""
    mine = [t for t in last.trials if t.finding == code and t.status == "rejected" and t.diff is not None]
    if not mine or any(t.finding == code and t.status in ("failed", "refused") for t in last.trials):
        return ""
    best = max(mine, key=lambda t: t.diff)
    spread = f" ± {best.se:.3f}" if best.se is not None else ""
    n = len(mine)
    return (f" (none of its {n} remed{'ies' if n > 1 else 'y'} raised val {res.metric} beyond the noise; "
            f"the best {best.diff:+.3f}{spread})")


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
                     + "; ".join(t.label + (" as a cure" if t.cure else "") for t in acc)
                     + f"): val {res.metric} {_fmt(res.first['mean'])} -> "
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
                 else "still: " + ", ".join(f["code"] + _what_it_took(res, f["code"]) for f in res.findings))
    if res.baseline_verdict:
        parts.append(res.baseline_verdict["text"])
    return parts
