"""The terminal summary of a TuneResult: best trials with their findings, importances,
and the one test score beside the baselines."""

from __future__ import annotations

import math
from typing import Any

from fitdoctor.tune.result import TuneResult


def _f(v: Any) -> str:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "-"
    return "nan" if math.isnan(v) else f"{v:.3f}"


def print_result(r: TuneResult, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    from fitdoctor.report.terminal import Hanging

    t = r.trials
    unit = r.unit + ("s" if r.n_units != 1 else "")
    console.print(f"[bold]{r.study_name}[/bold]: {t.get('complete', 0)} trials scored on all {r.n_units} "
                  f"{unit}, {t.get('pruned', 0)} pruned, {t.get('failed', 0)} failed "
                  f"({r.fold_epochs} {r.unit}-epochs trained, {r.seconds:.0f} s); selected on val {r.metric}, "
                  "never on test")
    if r.top:
        console.print("[bold]best trials[/bold]")
        for line in r.lines():
            head, sep, rest = line.partition(": ")
            # wrapped lines start under the text, not at the margin
            console.print(Hanging(2, head + sep, rest) if sep else f"  {line}")
    if r.best is not None:
        params = ", ".join(f"{k}={_p(v)}" for k, v in r.best.params.items())
        console.print(Hanging(0, Text.assemble(("best config", "bold"), f" (trial {r.best.number}): "), params))
    if r.importances:
        imp = ", ".join(f"{k} {v:.2f}" for k, v in list(r.importances.items())[:6])
        console.print(Hanging(0, Text.assemble(("parameter importances", "bold"), ": "),
                              f"{imp} (fANOVA over fully scored trials)"))
    if r.final:
        test = r.final.get("test") or {}
        primary = r.final.get("primary") or r.metric
        console.print(f"[bold]test split, touched once[/bold]: the winner {r.final.get('how')}")
        tab = Table()
        tab.add_column("model")
        cols = [primary] + [m for m in (r.metric, "f1", "auc", "mae") if m in test and m != primary]
        for c in cols:
            tab.add_column(c, justify="right")
        tab.add_row("network (tuned)", *[_f(test.get(c)) for c in cols])
        for b, s in (r.final.get("baselines") or {}).items():
            if s:
                tab.add_row(b.replace("_", " "), *[_f(s.get(c)) for c in cols])
        console.print(tab)
    for n in r.notes:
        console.print(f"note: {n}", style="dim")
    if r.run_dir:
        console.print(f"run directory: {r.run_dir}/ (tune.json, best_config.yaml, best/)")
    if r.dashboard:
        # the command alone on its line: a wrap inside it would break it where a user copies it
        console.print("watch the study (pip install optuna-dashboard):", style="dim", highlight=False)
        console.print(f"  {r.dashboard}", style="dim", highlight=False, overflow="ignore", crop=False)


def _p(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)
