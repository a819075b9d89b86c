"""``TuneResult``: what ``fitdoctor tune`` found, typed, with ``to_dict()`` for JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TrialSummary:
    """One trial as the summary shows it."""

    number: int
    value: float
    std: float
    scores: dict[str, float]
    params: dict[str, Any]
    state: str                       # complete | pruned_folds | pruned_epochs | failed | running
    fold_epochs: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    retry_of: int | None = None

    def line(self, metric: str, unit: str, n_units: int) -> str:
        """'trial 17: val accuracy 0.912 ± 0.020 over 5 folds, but overfitting from epoch 40 (fold 3)'."""
        n = len(self.scores)
        plural = unit + ("s" if n != 1 else "")
        spread = f" ± {self.std:.3f}" if n > 1 else ""
        head = f"trial {self.number}: val {metric} {_fmt(self.value)}{spread} over {n} {plural}"
        if self.state.startswith("pruned"):
            head += f" (pruned on {self.state.split('_', 1)[1]} after {n}/{n_units})"
        bad = [f for f in self.findings if f.get("code") != "healthy"]
        if not bad:
            healthy = any(f.get("code") == "healthy" for f in self.findings)
            return head + (", healthy" if healthy else "")
        f = bad[0]
        when = f" from epoch {f['from_epoch']}" if f.get("from_epoch") else ""  # epoch 0: the whole run
        where = f" ({unit} {int(f['unit']) + 1})" if n_units > 1 else ""
        more = sorted({g["code"] for g in bad[1:]} - {f["code"]})
        tail = f"; also {', '.join(c.replace('_', ' ') for c in more)}" if more else ""
        return f"{head}, but {f['code'].replace('_', ' ')}{when}{where}{tail}"


@dataclass
class TuneResult:
    """The study, its best trials with their diagnoses, importances and the one test score."""

    backend: str
    metric: str
    direction: str                   # maximize | minimize
    unit: str                        # fold | seed
    n_units: int
    study_name: str
    storage: str
    run_dir: str | None
    trials: dict[str, int]           # complete, pruned, failed, running, total
    best: TrialSummary | None
    top: list[TrialSummary]
    importances: dict[str, float]
    best_config: dict[str, Any] | None
    final: dict[str, Any] | None     # test scores of the refit winner beside the baselines
    fold_epochs: int = 0             # epochs trained across all trials and units
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    dashboard: str | None = None
    all_trials: list[TrialSummary] = field(default_factory=list, repr=False)

    @property
    def best_value(self) -> float:
        return self.best.value if self.best is not None else math.nan

    @property
    def test(self) -> dict[str, float] | None:
        return (self.final or {}).get("test")

    def lines(self) -> list[str]:
        return [t.line(self.metric, self.unit, self.n_units) for t in self.top]

    def __repr__(self) -> str:
        """One line for a notebook: trials, the best trial's validation score and the test score
        (the dataclass's own repr runs to pages)."""
        t = self.trials
        head = f"{t.get('complete', 0)} complete, {t.get('pruned', 0)} pruned of {t.get('total', 0)} trials"
        best = (f"best trial {self.best.number}: val {self.metric} {_fmt(self.best.value)}"
                if self.best is not None else "no complete trial")
        score = (self.test or {}).get(self.metric)
        tail = f", test {self.metric} {_fmt(score)}" if isinstance(score, (int, float)) else ""
        return f"TuneResult({head}; {best}{tail})"

    def to_dict(self, *, with_trials: bool = False) -> dict[str, Any]:
        from fitdoctor.findings import _jsonable

        out = {k: v for k, v in asdict(self).items() if k != "all_trials"}
        out["best_value"] = self.best_value
        out["summary"] = self.lines()
        if with_trials:
            out["all_trials"] = [asdict(t) for t in self.all_trials]
        return _jsonable(out)


def _fmt(v: float) -> str:
    return "nan" if v is None or not math.isfinite(v) else f"{v:.3f}"
