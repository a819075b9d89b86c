"""The small shell every live integration shares, and the registry of integrations.

Each adapter (Keras, Lightning, Hugging Face, plain PyTorch) only translates its framework's
hooks into :meth:`LiveAdapter._feed` calls (a step and the values logged there) and says how to
copy and restore the model's weights; everything else lives here, framework-free:

- the :class:`~fitdoctor.live.Monitor` (re-diagnosis of the partial run, each finding reported
  once when it appears and once when it clears, ``stop_on``);
- early stopping on a monitored metric that restores the best weights whenever asked (also when
  training ends without the patience running out, or ends on a NaN), and that fails loudly when
  the monitored metric is not among what the run logs (:class:`BestTracker`);
- the record of a non-finite gradient caught before the optimizer step;
- the end of the run: the full diagnosis, a run directory (``history.csv``, ``probes.csv``,
  ``meta.json``, ``diagnosis.json``, ``report.html``) and the terminal report.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from fitdoctor.errors import BadInput, MissingDependency
from fitdoctor.history import RunHistory, canonical_name, higher_is_better
from fitdoctor.live import Event, Monitor, as_codes

#: What the callbacks stop on unless told otherwise: a run that produced NaN/inf or blew up
#: will not come back, and every further epoch is wasted.
DEFAULT_STOP = ("non_finite", "diverging")
#: Share of wall time the re-diagnosis may take by default (see Monitor.budget): half the 1%
#: overhead target, the rest is left for reading the logs.
DEFAULT_BUDGET = 0.005
#: Logged keys that are bookkeeping, not curves.
SKIP_KEYS = frozenset({"epoch", "step", "global_step", "batch", "size", "total_flos",
                       "num_input_tokens_seen", "num_tokens", "eval_num_tokens"})
SKIP_SUFFIXES = ("_runtime", "_per_second", "_model_preparation_time")


@dataclass(frozen=True)
class Integration:
    """One adapter: its module, the extra that installs its framework, what it imports."""

    name: str
    module: str
    extra: str
    needs: tuple[str, ...]   # importable modules; "a|b" accepts either
    description: str


REGISTRY: dict[str, Integration] = {
    "keras": Integration("keras", "fitdoctor.integrations.keras", "keras", ("keras",),
                         "Keras 3 model.fit: fitdoctor.keras.DoctorCallback"),
    "lightning": Integration("lightning", "fitdoctor.integrations.lightning", "lightning",
                             ("lightning|pytorch_lightning",),
                             "Lightning Trainer: fitdoctor.lightning.DoctorCallback"),
    "hf": Integration("hf", "fitdoctor.integrations.hf", "hf", ("transformers", "accelerate", "torch"),
                      "Hugging Face Trainer: fitdoctor.hf.DoctorCallback"),
    "torch": Integration("torch", "fitdoctor.integrations.torch", "train", ("torch",),
                         "a hand-written PyTorch loop: fitdoctor.torch.Monitor"),
}


def need(name: str) -> None:
    """Raise MissingDependency (with the pip command) unless integration ``name`` can import
    its framework."""
    import importlib.util

    spec = REGISTRY[name]
    for want in spec.needs:
        alternatives = want.split("|")
        if not any(importlib.util.find_spec(a) is not None for a in alternatives):
            raise MissingDependency(f"fitdoctor.{name} needs the '{alternatives[0]}' package: "
                                    f"pip install 'fitdoctor[{spec.extra}]'")


def load(name: str):
    """The adapter module for ``name`` (keras, lightning, hf, torch), imported on demand."""
    import importlib

    if name not in REGISTRY:
        near = difflib.get_close_matches(name, list(REGISTRY), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise BadInput(f"unknown integration {name!r}{hint}; expected one of {', '.join(REGISTRY)}")
    need(name)
    return importlib.import_module(REGISTRY[name].module)


# ---------------------------------------------------------------------------- values
def scalar(v: Any) -> float | None:
    """A logged value as a float, or None when it is not one number (a tensor of one element,
    numpy scalar and python number all are; strings, lists and dicts are not)."""
    if v is None or isinstance(v, (bool, str, bytes)):
        return None
    if hasattr(v, "numel"):  # torch tensor
        if v.numel() != 1:
            return None
        return float(v.detach().float().item())
    if hasattr(v, "size") and hasattr(v, "item"):  # numpy array / scalar
        if v.size != 1:
            return None
        v = v.item()
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def clean_logs(logs: Mapping[str, Any] | None) -> dict[str, float]:
    """The curve values among what a framework logged: numbers only, no bookkeeping keys."""
    out: dict[str, float] = {}
    for key, value in (logs or {}).items():
        k = str(key)
        if k.lower() in SKIP_KEYS or k.endswith(SKIP_SUFFIXES):
            continue
        v = scalar(value)
        if v is not None:
            out[k] = v
    return out


def is_validation(name: str) -> bool:
    """``val_loss``, ``eval_accuracy``, ``validation/loss``, ``loss_val``: measured on held-out data."""
    return canonical_name(name).startswith("val_")


# ---------------------------------------------------------------------------- best weights
@dataclass
class BestTracker:
    """Track the best value of one monitored metric, and how long since it improved.

    Names are compared canonically, so ``monitor="val_loss"`` matches Keras ``val_loss``,
    Lightning ``val/loss`` and Hugging Face ``eval_loss``. ``mode`` ``auto`` follows the name
    (losses and errors down, accuracy/AUC/F1 up).
    """

    monitor: str = "val_loss"
    mode: str = "auto"
    min_delta: float = 0.0
    patience: int | None = None
    best: float | None = None
    best_step: float | None = None
    bad: int = 0
    seen: bool = False
    key: str = field(init=False)

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            raise BadInput(f"mode={self.mode!r}: expected 'auto', 'min' or 'max'")
        if self.patience is not None and (not isinstance(self.patience, int) or self.patience < 1):
            raise BadInput(f"patience={self.patience!r}: expected a positive number of evaluations or None")
        if not (isinstance(self.min_delta, (int, float)) and self.min_delta >= 0):
            raise BadInput(f"min_delta={self.min_delta!r}: expected a number >= 0")
        self.key = canonical_name(self.monitor)
        if self.mode == "auto":
            self.mode = "max" if higher_is_better(self.key) else "min"

    def check_logged(self, logs: Mapping[str, Any], where: str) -> None:
        """Fail loudly when the metric is missing from a round of logs that should hold it
        (other metrics of its kind, validation or training, are there): a misspelt monitor
        silently switches early stopping off (transformers#28530)."""
        names = {canonical_name(k): k for k in logs}
        if self.key in names:
            return
        same_kind = [raw for canon, raw in names.items() if is_validation(canon) == is_validation(self.key)]
        if not same_kind:
            return
        raise BadInput(self.missing_message(where, list(logs)))

    def missing_message(self, where: str, logged: list[str]) -> str:
        near = difflib.get_close_matches(self.monitor, logged, n=1, cutoff=0.5)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        shown = ", ".join(sorted(logged)[:12]) or "nothing"
        return (f"monitor={self.monitor!r} is not among the metrics logged at {where}{hint}; "
                f"logged: {shown}. Early stopping and restore_best need a metric the run logs")

    def observe(self, step: float, logs: Mapping[str, float]) -> bool | None:
        """True when ``logs`` improve on the best, False when not, None when absent."""
        value = None
        for k, v in logs.items():
            if canonical_name(k) == self.key:
                value = v
        if value is None:
            return None
        self.seen = True
        if not math.isfinite(value):
            self.bad += 1
            return False
        if self.best is None or (value < self.best - self.min_delta if self.mode == "min"
                                 else value > self.best + self.min_delta):
            self.best, self.best_step, self.bad = float(value), float(step), 0
            return True
        self.bad += 1
        return False

    @property
    def exhausted(self) -> bool:
        return self.patience is not None and self.bad >= self.patience


# ---------------------------------------------------------------------------- the adapter
class LiveAdapter:
    """What every integration does with the values its framework hands it.

    Options shared by all adapters:

    ``every``: re-diagnose after every n-th point (1: each epoch / evaluation);
    ``stop_on``: finding codes that stop training (default ``("non_finite", "diverging")``;
    ``()`` only warns); ``monitor``/``mode``/``min_delta``/``patience``: early stopping on a
    metric (``patience=None``: no early stopping); ``restore_best``: put back the weights of
    the best ``monitor`` value at the end of training, however training ended; ``out``: write a
    run directory there at the end; ``report``: print the diagnosis at the end; ``verbose``:
    print each finding as it appears or clears; ``budget``: share of wall time re-diagnosis may
    take (``None``: no cap); ``thresholds``/``mute``: as for ``fd.diagnose``; ``on_event``:
    called with each :class:`~fitdoctor.live.Event`.
    """

    framework = "live"

    def __init__(self, *, every: int = 1, stop_on: tuple[str, ...] | list[str] = DEFAULT_STOP,
                 monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0,
                 patience: int | None = None, restore_best: bool = False,
                 out: str | Path | None = None, report: bool = True, verbose: bool = True,
                 budget: float | None = DEFAULT_BUDGET, min_points: int = 3,
                 thresholds: Mapping[str, Any] | None = None, mute: tuple[str, ...] | list[str] = (),
                 on_event: Callable[[Event], None] | None = None) -> None:
        if not isinstance(monitor, str) or not monitor.strip():
            raise BadInput(f"monitor={monitor!r}: expected the name of a logged metric, e.g. 'val_loss'")
        if out is not None and not isinstance(out, (str, os.PathLike)):
            raise BadInput(f"out={out!r}: expected a folder's path (str or Path) or None")
        if on_event is not None and not callable(on_event):
            raise BadInput(f"on_event={on_event!r}: expected a function taking an Event, or None")
        self.every = every
        self.stop_on = as_codes(stop_on)
        self.monitor = monitor
        self.mode = mode
        self.min_delta = min_delta
        self.patience = patience
        self.restore_best = bool(restore_best)
        self.out = Path(out) if out is not None else None
        self.report = report
        self.verbose = verbose
        self.budget = budget
        self.min_points = min_points
        self.thresholds = thresholds
        self.mute = as_codes(mute)
        self.user_on_event = on_event
        self._begin("epoch")  # checks every option now, not when training starts

    # --------------------------------------------------------------- lifecycle
    def _begin(self, axis: str, meta: Mapping[str, Any] | None = None) -> None:
        """A fresh monitor for a new training run (a second ``fit`` starts over)."""
        self.live = Monitor(every=self.every, min_points=self.min_points, stop_on=self.stop_on,
                            thresholds=self.thresholds, mute=self.mute, on_event=self._on_event,
                            axis=axis, budget=self.budget)
        self.live.history.meta.update({"source": f"<{self.framework} live>", "format": f"{self.framework}-live"})
        self.live.history.meta.update(dict(meta or {}))
        self.live.start_clock()
        self.tracker = (BestTracker(self.monitor, self.mode, self.min_delta, self.patience)
                        if (self.restore_best or self.patience is not None) else None)
        self.stop_reason: str | None = None
        self.stopped_at: float | None = None
        self.diagnosis = None
        self.files: dict[str, Any] | None = None
        self._best_state: Any = None
        self._finished = False
        self._nonfinite_step: float | None = None

    @property
    def history(self) -> RunHistory:
        return self.live.history

    @property
    def events(self) -> list[Event]:
        return self.live.events

    def _feed(self, step: float, logs: Mapping[str, Any], *, where: str | None = None) -> list[Event]:
        """Add the values logged at ``step``; re-diagnose; track the best; decide on stopping.
        ``where`` names the round for the monitored-metric check (None: do not check)."""
        values = clean_logs(logs)
        if not values:
            return []
        events = self.live.update(step, values)
        if self.tracker is not None:
            if where is not None:
                self.tracker.check_logged(values, where)
            improved = self.tracker.observe(step, values)
            if improved and self.restore_best:
                self._best_state = self._snapshot()
        self._decide(step)
        return events

    def _decide(self, step: float) -> None:
        if self.stop_reason is not None:
            return
        hit = [c for c in self.stop_on if c in self.live.current]
        if hit:
            self.stop_reason = hit[0]
        elif self.tracker is not None and self.tracker.exhausted:
            self.stop_reason = "early_stopping"
        if self.stop_reason is not None:
            self.stopped_at = step
            self._request_stop()
            if self.verbose:
                why = (f"{self.monitor} has not improved for {self.patience} evaluations "
                       f"(best {self.tracker.best:.4g} at {self.live.axis} {self.tracker.best_step:g})"
                       if self.stop_reason == "early_stopping" else f"{self.stop_reason} (stop_on)")
                self._say(f"fitdoctor: stopping training at {self.live.axis} {step:g}: {why}")

    @property
    def should_stop(self) -> bool:
        return self.stop_reason is not None

    def _nonfinite_gradients(self, step: float, *, loss: float | None = None,
                             layer: str | None = None, at_step: float | None = None) -> list[Event]:
        """A gradient was NaN/inf before the optimizer step (the adapter dropped it, so the
        weights are untouched): record it where the rules look and judge at once. ``at_step``:
        the optimizer step, when ``step`` is on another axis. Only the first of a run is
        recorded (the others are dropped the same way)."""
        self.n_dropped_steps = getattr(self, "n_dropped_steps", 0) + 1
        if self._nonfinite_step is not None:
            return []
        self._nonfinite_step = step
        loss_bad = loss is not None and not math.isfinite(loss)
        # "loss" when the loss itself was not finite (its gradients are, as a consequence):
        # then it is no gradient explosion; "gradient" when only a gradient was
        self.live.history.meta["nonfinite_guard"] = {
            "where": "loss" if loss_bad else "gradient", "step": at_step if at_step is not None else step,
            "layer": layer or "?", "weights_updated": False}
        if self.verbose:
            self._say(f"fitdoctor: non-finite gradient in {layer or '?'} at step "
                      f"{at_step if at_step is not None else step:g}: dropped before the optimizer step "
                      "(weights unchanged)")
        # the loss when it is known to be the culprit, else the gradient norm
        logs: dict[str, float] = ({"loss": loss} if loss is not None and not math.isfinite(loss)
                                  else {"grad_norm": float("nan")})
        events = self.live.update(step, logs)
        self._decide(step)
        return events

    def _end(self):
        """Restore the best weights if asked, judge the whole run, write and print the results."""
        if self._finished:
            return self.diagnosis
        self._finished = True
        if self.restore_best and self._best_state is not None:
            self._restore(self._best_state)
            self.live.history.meta["restored_best"] = {"monitor": self.monitor, "value": self.tracker.best,
                                                       "at": self.tracker.best_step}
            if self.verbose:
                self._say(f"fitdoctor: restored the weights of {self.live.axis} {self.tracker.best_step:g} "
                          f"(best {self.monitor} {self.tracker.best:.4g})")
        if self.stop_reason is not None:
            self.live.history.meta["stopped"] = self.stop_reason
        d = self.live.finish()
        self.diagnosis = d
        if d is None:
            if self.tracker is not None and not self.tracker.seen and self.live.history.series:
                raise BadInput(self.tracker.missing_message("any point of this run", self._logged_names()))
            return None
        if self.out is not None:
            self.files = write_live_run(self.out, d)
        if self.report:
            from fitdoctor.report.terminal import print_diagnoses

            print_diagnoses([d])
            if self.files and self.files.get("report"):
                self._say(f"fitdoctor: report written to {self.files['report']}")
        if self.tracker is not None and not self.tracker.seen:  # after the report: still loud
            raise BadInput(self.tracker.missing_message("any point of this run", self._logged_names()))
        return d

    def _logged_names(self) -> list[str]:
        return [s.raw_name or n for n, s in self.live.history.series.items()]

    # --------------------------------------------------------------- per framework
    def _snapshot(self) -> Any:  # pragma: no cover - each adapter overrides
        return None

    def _restore(self, state: Any) -> None:  # pragma: no cover
        pass

    def _request_stop(self) -> None:  # pragma: no cover
        pass

    # --------------------------------------------------------------- output
    def _on_event(self, event: Event) -> None:
        if self.verbose:
            unit = self.live.axis if hasattr(self, "live") else "epoch"
            if event.kind == "cleared":
                self._say(f"fitdoctor [{unit} {event.step:g}] cleared: {event.code}")
            else:
                self._say(f"fitdoctor [{unit} {event.step:g}] {event.severity.upper()} {event.code}: "
                          f"{event.message}")
        if self.user_on_event is not None:
            self.user_on_event(event)

    def _say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- run directory
def _cell(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def table_csv(h: RunHistory, names: list[str], axis: str) -> str:
    """One row per step any of ``names`` was logged at; an empty cell where a series was not
    logged (sparse validation), ``nan`` where it was logged as NaN."""
    steps = sorted({float(x) for n in names for x in h.series[n].steps})
    rows = {s: {} for s in steps}
    for n in names:
        for x, v in zip(h.series[n].steps, h.series[n].values):
            rows[float(x)][n] = float(v)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([axis, *names])
    for s in steps:
        w.writerow([f"{s:g}", *(_cell(rows[s][n]) if n in rows[s] else "" for n in names)])
    return buf.getvalue()


def write_live_run(out: str | Path, diagnosis) -> dict[str, Any]:
    """A run directory for a live run, readable back with ``fitdoctor diagnose DIR`` / ``report``."""
    from fitdoctor.files import atomic_write
    from fitdoctor.findings import _jsonable

    out = Path(out)
    h = diagnosis.history
    axis = h.axis
    main = [n for n, s in h.series.items() if "/" not in n and s.axis == axis]
    probes = [n for n, s in h.series.items() if n not in main]
    written = []
    atomic_write(out / "history.csv", table_csv(h, main, axis))
    written.append("history.csv")
    if probes:
        atomic_write(out / "probes.csv", table_csv(h, probes, "step"))
        written.append("probes.csv")
    meta = {k: v for k, v in h.meta.items() if k not in ("source", "format", "notes")}
    doc = {"format": "fitdoctor-run", "version": 1, "runs": [{"dir": ".", "meta": _jsonable(meta)}]}
    atomic_write(out / "meta.json", json.dumps(doc, indent=2) + "\n")
    atomic_write(out / "diagnosis.json", json.dumps(_jsonable(diagnosis.to_dict()), indent=2) + "\n")
    written += ["meta.json", "diagnosis.json"]
    result: dict[str, Any] = {"dir": str(out), "files": written, "report": None}
    try:
        from fitdoctor.report.html import write_html_report

        write_html_report([diagnosis], out / "report.html")
        written.append("report.html")
        result["report"] = str(out / "report.html")
    except (ImportError, AttributeError) as exc:  # the report extra is not installed
        result["report_skipped"] = f"report.html not written: {exc}"
    return result
