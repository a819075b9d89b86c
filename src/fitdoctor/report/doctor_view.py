"""How ``doctor`` shows itself in a terminal: a bar per retrain, the rounds, the prescription."""

from __future__ import annotations

import math
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from fitdoctor.doctor.result import USER_ROUND
from fitdoctor.doctor.significance import CURE_MARGIN
from fitdoctor.report.terminal import Hanging

_SHORT = {"accuracy": "acc", "balanced_accuracy": "bal. acc", "r2": "R^2", "loss": "loss"}
#: how a change's status is coloured, in the table and in the narrow lines alike
_STATUS_STYLE = {"accepted": "green", "rejected": "yellow", "failed": "red", "refused": "dim"}


def _f(x: Any, d: int = 3) -> str:
    if x is None:
        return "-"
    x = float(x)
    return "nan" if math.isnan(x) else f"{x:.{d}f}"


def _ms(s: dict[str, Any] | None) -> str:
    if not s or s.get("mean") is None:
        return "-"
    return f"{_f(s['mean'])} ± {_f(s.get('std'))}"


class DoctorBar:
    """One rich progress bar per candidate: units done, the running mean, the best so far."""

    def __init__(self, console: Console | None = None, metric: str = "score") -> None:
        self.console = console or Console(stderr=True)
        self.metric = metric
        self._p: Progress | None = None
        self._task: Any = None
        self._active = False
        self._label, self._units, self._t0 = "", 0, 0.0
        self._scores: list[float] = []
        self._best: float | None = None

    def candidate(self, label: str, units: int, best: float | None) -> None:
        self._scores, self._best = [], best
        self._label, self._units, self._t0 = label, units, time.perf_counter()
        # the bar lives while the candidate trains; when it is done one plain line replaces it,
        # wrapped at the terminal's width instead of cut off ("accepted" must stay readable)
        self._active = True
        if not self.console.is_terminal:
            return  # piped or in a file: no live bar, only the line at the end
        self._p = Progress(TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
                           TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=self.console,
                           transient=True)
        self._p.start()
        text = label if len(label) <= 48 else label[:45] + "..."
        self._task = self._p.add_task(escape(text), total=units, info=self._info())

    def _info(self) -> str:
        m = _SHORT.get(self.metric, self.metric)
        now = f"val {m} {sum(self._scores) / len(self._scores):.3f}" if self._scores else f"val {m} ..."
        return now + (f"  (best so far {self._best:.3f})" if self._best is not None else "")

    def unit(self, done: int, units: int, score: float | None) -> None:
        if score is not None and math.isfinite(score):
            self._scores.append(float(score))
        if self._p is not None:
            self._p.update(self._task, completed=done, info=self._info())

    def finished(self, trial: Any) -> None:
        if not self._active:
            return
        self._active = False
        if self._p is not None:
            self._p.stop()
            self._p = None
        m = _SHORT.get(self.metric, self.metric)
        mean = f"{sum(self._scores) / len(self._scores):.3f}" if self._scores else "-"
        n = "" if len(self._scores) == self._units else f" ({len(self._scores)} of {self._units})"
        line = f"{escape(self._label)}: val {m} {mean}{n}"
        if trial is not None:
            style = _STATUS_STYLE.get(trial.status)
            mark = f"[{style}]{trial.outcome}[/]" if style else trial.outcome
            diff = f", {trial.diff:+.3f}, p={trial.p:.2g}" if trial.diff is not None and trial.p is not None else ""
            line += f"{diff}: {mark}"
        took = f" ({time.perf_counter() - self._t0:.0f} s)"
        if Text.from_markup(line).cell_len + len(took) <= self.console.width:  # the time, when it fits
            line += f"[dim]{took}[/]"
        self.console.print(line, highlight=False)

    def message(self, text: str) -> None:
        self.console.print(text, highlight=False)


def rounds_table(res: Any) -> Table:
    """Each round: the current config's scores, then one row per change tried (or refused):
    the change, its scores on the same units, the paired gain, p and the result."""
    m = res.metric
    t = Table(title=f"doctor: each change judged on validation {m}, paired over the same {res.units} {res.unit}s",
              title_justify="left")
    for col, just in (("round", "right"), ("finding", "left"), ("change tried", "left"),
                      (f"val {_SHORT.get(m, m)}", "right"), ("gain ± se", "right"), ("p", "right"),
                      ("result", "left")):
        t.add_column(col, justify=just, overflow="fold")
    for r in res.rounds:
        rows = _shown(r)
        if r.finding is None:
            t.add_row(str(r.index), "[green]healthy[/]", "[dim]current config[/]", _ms(r.score), "", "", "stop")
            continue
        t.add_row(str(r.index), f"[bold]{escape(r.finding)}[/]", "[dim]current config[/]", _ms(r.score), "", "", "",
                  end_section=not rows)
        for i, tr in enumerate(rows):
            gain = f"{tr.diff:+.3f} ± {_f(tr.se)}" if tr.diff is not None else ""
            p = f"{tr.p:.2g}" if tr.p is not None else ""
            p += _second_look(tr, res.unit, short=True)
            style = _STATUS_STYLE.get(tr.status, "")
            result = tr.outcome if tr.status in ("accepted", "rejected") else f"{tr.status}: {tr.reason}"
            t.add_row("", tr.finding if tr.finding != r.finding else "", escape(tr.label), _ms(tr.after), gain, p,
                      f"[{style}]{escape(result)}[/]" if style else escape(result), end_section=i == len(rows) - 1)
    return t


def _shown(r: Any) -> list[Any]:
    """The trials a round lists: a remedy skipped because its config was judged already is left
    out, but a change the user asked for is always answered, skipped or not."""
    return [tr for tr in r.trials if tr.status != "skipped" or r.finding == USER_ROUND]


def _second_look(tr: Any, unit: str, short: bool = False) -> str:
    """" (second look, 10 seeds)" for a change judged twice (doctor's ``second_look``)."""
    if getattr(tr, "looks", 1) != 2:
        return ""
    n = (tr.after or {}).get("n")
    if short:
        return f" ({n} {unit}s)" if n else " (2nd look)"
    return f" (second look, {n} {unit}s)" if n else " (second look)"


def rounds_lines(res: Any) -> list[Any]:
    """The rounds for a narrow terminal: a line per round, an indented line per change (a
    seven-column table folds every cell at 80 columns)."""
    m = _SHORT.get(res.metric, res.metric)
    out = [Text(f"doctor: each change judged on validation {res.metric}, paired over the same "
                f"{res.units} {res.unit}s", style="bold")]
    for r in res.rounds:
        head = Text(f"round {r.index}  ")
        if r.finding is None:
            head.append("healthy", style="green")
            head.append(f"  val {m} {_ms(r.score)}: stop")
            out.append(head)
            continue
        head.append(r.finding, style="bold")
        head.append(f"  current config: val {m} {_ms(r.score)}")
        out.append(head)
        for tr in _shown(r):
            style = _STATUS_STYLE.get(tr.status, "")
            line = Text()
            if tr.finding != r.finding:
                line.append(f"[{tr.finding}] ", style="dim")
            line.append(tr.label)
            if tr.status in ("accepted", "rejected"):
                gain = f", gain {tr.diff:+.3f} ± {_f(tr.se)}" if tr.diff is not None else ""
                p = f", p={tr.p:.2g}" if tr.p is not None else ""
                line.append(f": {_ms(tr.after)}{gain}{p}{_second_look(tr, res.unit)}, ")
                line.append(tr.outcome, style=style)
                if tr.cure and tr.p_no_worse is not None:
                    line.append(f" (no worse: p={tr.p_no_worse:.2g})")
            else:
                line.append(f": {tr.status}: {tr.reason}", style=style)
            out.append(Hanging(2, "- ", line))  # wrapped lines start under the change
    return out


#: below this many columns the rounds print as lines, not as a table
NARROW = 110


def test_table(res: Any) -> Table | None:
    """The first and the final model on test, once each, beside the baselines."""
    if not res.test:
        return None
    m = res.metric
    others = [x for x in (("accuracy", "f1", "auc") if res.task != "regression" else ("r2", "mae")) if x != m]
    t = Table(title="the test split, scored once at the end", title_justify="left")
    t.add_column("model")
    t.add_column(f"val {m}", justify="right")
    for x in (m, *others):
        t.add_column(f"test {x}", justify="right")
    first, final = res.test.get("first") or {}, res.test.get("final") or {}
    t.add_row("as given", _ms(res.first), *(_f(first.get(x)) for x in (m, *others)))
    t.add_row("prescribed", _ms(res.final), *(_f(final.get(x)) for x in (m, *others)), style="bold")
    for name, scores in (res.test.get("baselines") or {}).items():
        v = (res.baselines.get(name) or {}).get("mean")
        t.add_row(name.replace("_", " "), _f(v), *(_f((scores or {}).get(x)) for x in (m, *others)))
    return t


def print_doctor(res: Any, console: Console) -> None:
    """The whole account: rounds, what to do by hand, the prescription, test, verdict."""
    if console.width < NARROW:
        for line in rounds_lines(res):
            console.print(line, highlight=False)
    else:
        console.print(rounds_table(res))
    console.print(f"accepted when: {res.test_name}; minimum effect {res.min_effect:g}", style="dim", highlight=False)
    if any(t.cure for t in res.trials):
        console.print(f"accepted as a cure: a remedy for overfitting whose retrains no longer overfit, the score no "
                      f"worse than -{CURE_MARGIN * res.min_effect:g} (one-sided paired test, p < {res.alpha:g})",
                      style="dim", highlight=False)
    console.print(f"stopped: {res.stop_reason}", highlight=False)
    advice = [a for r in res.rounds for a in r.advice]
    if advice:
        console.print("by hand (not a config change, so not tried):", style="dim")
        for a in dict.fromkeys(advice):
            console.print(Hanging(2, "- ", a, style="dim"), highlight=False)
    console.print()
    if res.accepted:
        from fitdoctor.remedies_apply import describe_changes

        console.print("[bold]the prescription[/]: " + escape(describe_changes(res.config, res.changes)), highlight=False)
        console.print("the final config (prescription.yaml; run it with fitdoctor train):", style="dim")
        # never wrapped by the console: it is YAML to copy (PyYAML already folds it at 72 columns)
        console.print(escape(res.prescription.rstrip()), highlight=False, soft_wrap=True)
    elif not any(t.tried for t in res.trials) and res.stopped == "healthy":
        console.print("[bold]healthy as given[/]: nothing to change; the config stands.")
    else:
        console.print("[bold]no change beat the noise[/]: the config as given stands.")
    tt = test_table(res)
    if tt is not None:
        console.print()
        console.print(tt)
    console.print()
    lines = res.verdict_lines
    console.print(Hanging(0, Text("verdict: ", style="bold"), lines[0]), highlight=False)
    for line in lines[1:]:
        bad = line.startswith(("below_baseline", "still:"))
        console.print(Hanging(2, "", line, style="yellow" if bad else ""), highlight=False)
    comp = f"{res.compute:.1f}x one training run" if res.compute is not None else "?"
    console.print(f"spent: {res.fits} trainings, {comp} of training time, {res.seconds:.0f} s", style="dim",
                  highlight=False)
    for n in res.notes:
        console.print(Hanging(0, "note: ", n, style="dim"), highlight=False)
