"""``fitdoctor check-data DATA``: what is wrong with a dataset before any training."""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer

from fitdoctor.errors import BadInput
from fitdoctor.findings import SEVERITY_RANK, Finding

HELP = """Check a dataset for the problems that ruin training before it starts.

Looks for missing values, unscaled features, class imbalance, accuracy that the majority
class already reaches, identical rows across train/val/test, label-sorted rows that make
Keras' validation_split useless, constant columns, and row identifiers fed as features
(customer_id); each with the numbers and the fix.

DATA is a table file (.csv, .tsv, .parquet, .npz with arrays X and y), a bundled dataset
(sklearn:breast_cancer, sklearn:iris, sklearn:wine, sklearn:digits, sklearn:diabetes), a
synthetic spec (make_moons:n_samples=500,noise=0.2), or a run config (.yaml), whose data
section and split are checked.

Examples:

    fitdoctor check-data churn.csv --target churned
    fitdoctor check-data sklearn:wine --json
    fitdoctor check-data config.yaml --fail-on error   # CI gate: exit 1
"""

def render(ds, split, findings: list[Finding]):
    from rich.console import Group
    from rich.text import Text
    from fitdoctor.report.terminal import finding_lines, fmt_number as _fmt

    parts: list = []
    # The summary gets its own line: a long path would otherwise wrap it mid-phrase.
    head = f"{ds.n_samples} rows, {ds.n_features} features, {ds.task}"
    if ds.is_classification:
        counts = ", ".join(f"{k}: {v}" for k, v in ds.summary()["class_counts"].items())
        head += f"; classes {counts}"
    parts.append(Text.assemble(("fitdoctor check-data", "bold"), " · ", (ds.source, "bold")))
    parts.append(Text(head))
    summ = ds.summary()
    if "majority_baseline_accuracy" in summ:
        parts.append(Text(f"baseline: always predicting the majority class scores "
                          f"{100 * summ['majority_baseline_accuracy']:.1f}% accuracy", style="dim"))
    elif "mean_baseline_mse" in summ:
        parts.append(Text(f"baseline: always predicting the mean scores MSE {_fmt(summ['mean_baseline_mse'])}",
                          style="dim"))
    if split is not None:
        s = split.sizes()
        parts.append(Text(f"split checked: train {s['train']} / val {s['val']} / test {s['test']}", style="dim"))
    if not findings:
        parts.append(Text("no data problems found", style="green"))
    for i, f in enumerate(findings, 1):
        parts.extend(finding_lines(i, f))
    return Group(*parts)


def register(app: typer.Typer) -> None:
    @app.command("check-data", help=HELP)
    def check_data_cmd(
        data: str = typer.Argument(..., metavar="DATA", help="Table file, sklearn:<name>, make_<generator>:k=v,..., or config.yaml."),
        target: Optional[str] = typer.Option(None, "--target", "-t", help="Target column of a table (default: "
                                             "a column named target/label/y/class)."),
        task: str = typer.Option("auto", "--task", help="auto | binary | multiclass | regression."),
        val_split: float = typer.Option(0.2, "--val-split", help="Keras-style validation_split whose tail rows "
                                        "are checked for label ordering."),
        seed: int = typer.Option(0, "--seed", help="Seed of the default 6:2:2 split checked for overlap."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: dataset summary and findings."),
        fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="warning|error",
                                              help="Exit 1 when a finding at or above this severity exists."),
        mute: Optional[List[str]] = typer.Option(None, "--mute", metavar="CODE", help="Drop findings with this code."),
    ) -> None:
        from fitdoctor.diagnose.data import DATA_CODES, check_data, resolve_data

        if fail_on is not None and fail_on not in ("warning", "error"):
            raise BadInput(f"--fail-on {fail_on!r}: expected 'warning' or 'error'")
        if task not in ("auto", "binary", "multiclass", "regression"):
            raise BadInput(f"--task {task!r}: expected auto, binary, multiclass or regression")
        for code in mute or ():
            if code not in DATA_CODES:
                raise BadInput(f"--mute {code!r}: not a data finding code; expected one of {', '.join(DATA_CODES)}")
        if not 0.0 < val_split < 1.0:
            raise BadInput(f"--val-split {val_split!r}: expected a fraction between 0 and 1, e.g. 0.2")
        ds, split, scale = resolve_data(data, target, task, seed)
        findings = check_data(ds, split, val_split, scale=scale, mute=tuple(mute or ()))
        if as_json:
            from fitdoctor.findings import _jsonable

            payload = {"dataset": ds.summary(), "split": split.to_dict() if split is not None else None,
                       "findings": [f.to_dict() for f in findings]}
            sys.stdout.write(json.dumps(_jsonable(payload), indent=2) + "\n")
        else:
            from fitdoctor.report.terminal import output_console

            output_console().print(render(ds, split, findings))
        if fail_on is not None:
            limit = SEVERITY_RANK[fail_on]
            if any(SEVERITY_RANK[f.severity] >= limit for f in findings):
                raise typer.Exit(1)
