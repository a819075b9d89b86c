"""Diagnose a run while it trains: the framework-free core of every live integration.

The Keras, Lightning, Hugging Face and plain-PyTorch adapters (and ``fitdoctor watch``) are
thin shells over :class:`Monitor`: they feed it one point at a time with
:meth:`Monitor.update`; it keeps the :class:`~fitdoctor.history.RunHistory`, re-diagnoses the
run as *partial* (rules that judge a finished run stay quiet), and reports each finding once
when it appears and once when it clears. :meth:`Monitor.finish` gives the end-of-run verdict.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from fitdoctor.errors import BadInput
from fitdoctor.findings import CODES, Diagnosis, Finding
from fitdoctor.history import RunHistory


@dataclass
class Event:
    """A change in what the monitor concludes: a finding that appeared, or one that cleared."""

    kind: str            # "new" | "cleared"
    code: str
    severity: str
    step: float
    message: str
    finding: Finding | None = None

    def __str__(self) -> str:
        if self.kind == "cleared":
            return f"fitdoctor [{self.step:g}] cleared: {self.code}"
        return f"fitdoctor [{self.step:g}] {self.severity.upper()} {self.code}: {self.message}"


def as_codes(value: Any) -> tuple[str, ...]:
    """Finding codes as given: one code as a plain string (``stop_on="overfitting"``, as
    ``diagnose(mute="overfitting")`` takes it), not its letters, or any iterable of them."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass
class Monitor:
    """Re-diagnose a growing run and say what changed.

    ``every``: diagnose after every n-th update (the append itself is cheap); ``min_points``:
    the shortest curve worth judging; ``stop_on``: codes that make :attr:`should_stop` true
    (e.g. ``("non_finite", "diverging")``); ``on_event``: called with each :class:`Event`;
    ``budget``: the share of wall time re-diagnosis may take (``0.01``: 1%); a scheduled
    re-diagnosis is skipped while the time spent diagnosing is above that share of the time
    since the first update (a non-finite value is always judged at once). ``None``: no cap.
    """

    every: int = 1
    min_points: int = 3
    stop_on: tuple[str, ...] = ()
    thresholds: Mapping[str, Any] | None = None
    mute: tuple[str, ...] = ()
    on_event: Callable[[Event], None] | None = None
    axis: str = "epoch"
    budget: float | None = None
    history: RunHistory = field(default_factory=lambda: RunHistory(meta={"source": "<live>",
                                                                          "format": "live"}))
    events: list[Event] = field(default_factory=list)
    current: dict[str, Finding] = field(default_factory=dict)
    #: the latest partial diagnosis (None until a curve is long enough to judge)
    last: Diagnosis | None = None
    #: seconds spent re-diagnosing, and how many re-diagnoses ran / were skipped for the budget
    seconds: float = 0.0
    n_diagnoses: int = 0
    n_skipped: int = 0
    _updates: int = 0
    _t0: float | None = None

    def __post_init__(self) -> None:
        """Every option is checked now, with what was wrong: not at the first re-diagnosis,
        in the middle of a training run (a bad threshold name used to stop ``model.fit``
        at epoch 2)."""
        from fitdoctor.diagnose import _check_mute
        from fitdoctor.thresholds import with_overrides

        def whole(name: str, value: Any, least: int) -> None:
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise BadInput(f"{name}={value!r}: expected a whole number >= {least}")

        whole("every", self.every, 1)
        whole("min_points", self.min_points, 2)
        if self.budget is not None and (isinstance(self.budget, bool) or not isinstance(self.budget, (int, float))
                                        or not self.budget > 0):
            raise BadInput(f"budget={self.budget!r}: expected a positive share of wall time (0.01 = 1%) or None")
        if self.on_event is not None and not callable(self.on_event):
            raise BadInput(f"on_event={self.on_event!r}: expected a function taking an Event, or None")
        self.stop_on = as_codes(self.stop_on)
        self.mute = tuple(_check_mute(self.mute)) if self.mute else ()
        with_overrides(self.thresholds)
        bad = [c for c in self.stop_on if c not in CODES]
        if bad:
            import difflib

            near = difflib.get_close_matches(bad[0], CODES, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise BadInput(f"stop_on: unknown finding code {bad[0]!r}{hint}")
        self.history.meta.setdefault("axis", self.axis)

    # ------------------------------------------------------------------ feeding
    def update(self, step: float, logs: Mapping[str, Any]) -> list[Event]:
        """Add the values logged at ``step`` and, every ``every`` updates, re-diagnose.
        Returns the events this update caused (also passed to ``on_event``)."""
        if self._t0 is None:
            self._t0 = time.perf_counter()
        self.history.append(step, logs, axis=self.axis)
        self._updates += 1
        nonfinite = any(_is_nonfinite(v) for v in logs.values())
        if self._updates % self.every and not nonfinite:
            return []
        if not nonfinite and self._over_budget():
            self.n_skipped += 1
            return []
        return self._rediagnose(step)

    def start_clock(self) -> None:
        """Count the budget's wall time from now (training starts) instead of the first update."""
        self._t0 = time.perf_counter()

    def observe(self, history: RunHistory, step: float | None = None) -> list[Event]:
        """Judge a whole history read afresh (``fitdoctor watch`` re-reads a growing file):
        it replaces the one held, and the events say what changed since the last look."""
        self.history = history
        self.history.meta.setdefault("axis", self.axis)
        if step is None:
            step = max((float(s.steps[-1]) for s in history.series.values() if len(s)), default=0.0)
        return self._rediagnose(step)

    def extend(self, points: Iterable[tuple[float, Mapping[str, Any]]]) -> list[Event]:
        out: list[Event] = []
        for step, logs in points:
            out.extend(self.update(step, logs))
        return out

    # ------------------------------------------------------------------ verdicts
    @property
    def should_stop(self) -> bool:
        return any(c in self.current for c in self.stop_on)

    def diagnosis(self, *, partial: bool = True) -> Diagnosis | None:
        """The run as it stands (None while no curve is long enough to judge)."""
        if not self._judgeable():
            return None
        from fitdoctor.diagnose import diagnose

        return diagnose(self.history, thresholds=self.thresholds, mute=self.mute, partial=partial)

    def finish(self) -> Diagnosis | None:
        """The end-of-run verdict: every rule, ``still_improving`` and ``healthy`` included."""
        return self.diagnosis(partial=False)

    # ------------------------------------------------------------------ internals
    def _over_budget(self) -> bool:
        if self.budget is None or self._t0 is None or not self.n_diagnoses:
            return False
        return self.seconds > self.budget * (time.perf_counter() - self._t0)

    def _judgeable(self) -> bool:
        lengths = [len(s) for s in self.history.series.values()]
        if not lengths:
            return False
        nonfinite = any(s.n_nonfinite for s in self.history.series.values())
        return max(lengths) >= self.min_points or (nonfinite and max(lengths) >= 1)

    def _rediagnose(self, step: float) -> list[Event]:
        from fitdoctor.diagnose import load_rules

        load_rules()  # once per process: not the monitor's running cost
        t = time.perf_counter()
        try:
            d = self.diagnosis(partial=True)
        finally:
            self.seconds += time.perf_counter() - t
        if d is None:
            return []
        self.last = d
        self.n_diagnoses += 1
        now = {f.code: f for f in d.findings if f.severity != "info"}
        events = [Event("new", c, f.severity, step, f.message, f) for c, f in now.items()
                  if c not in self.current]
        events += [Event("cleared", c, f.severity, step, f"{c} no longer holds", f)
                   for c, f in self.current.items() if c not in now]
        self.current = now
        self.events.extend(events)
        if self.on_event is not None:
            for e in events:
                self.on_event(e)
        return events


def _is_nonfinite(v: Any) -> bool:
    try:
        return not math.isfinite(float(v))
    except (TypeError, ValueError):
        return False
