"""``fitdoctor diagnose PATH``: read any training log and say what is wrong with it."""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer

from fitdoctor.errors import BadInput
from fitdoctor.findings import SEVERITY_RANK

HELP = """Diagnose a training run: findings ranked most important first, with evidence and remedies.

PATH is a log file (Keras CSVLogger or History JSON, Lightning metrics.csv, Hugging Face
trainer_state.json, TensorBoard event file, MLflow run, CSV/JSON, console output), a run
folder (lightning_logs/, runs/, mlruns/, a TensorBoard logdir), or - to read standard input:

    python train.py 2>&1 | fitdoctor diagnose -

A path with several runs gets a ranking, best first. A file that holds several runs one after
another (restarts, resumed fits, folds) ends with the one being worked on: --json leads with
its last complete run (a run with at least half the points of the longest).

Examples:

    fitdoctor diagnose training.log
    fitdoctor diagnose lightning_logs/ --json
    fitdoctor diagnose runs/exp1 --fail-on warning   # CI gate: exit 1
    fitdoctor diagnose runs/ --markdown >> "$GITHUB_STEP_SUMMARY"
    fitdoctor diagnose log.csv --map val_loss=valid_loss --map loss=trn_loss
"""


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise BadInput(f"--map {item!r}: expected CANONICAL=RAW, e.g. val_loss=valid_loss")
        k, v = item.split("=", 1)
        if not k.strip() or not v.strip():
            raise BadInput(f"--map {item!r}: expected CANONICAL=RAW, e.g. val_loss=valid_loss")
        out[k.strip()] = v.strip()
    return out


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def diagnose(
        path: str = typer.Argument(..., metavar="PATH", help="Log file, run folder, or - for standard input."),
        format: Optional[str] = typer.Option(None, "--format", "-f",
                                             help="Skip detection and use this reader (see `fitdoctor formats`)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per run, a list for several runs)."),
        markdown: bool = typer.Option(False, "--markdown",
                                      help="Print Markdown: one table per run with its top findings and their "
                                           "evidence (for a pull request or $GITHUB_STEP_SUMMARY)."),
        fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="warning|error",
                                              help="Exit 1 when a finding at or above this severity exists."),
        mapping: Optional[List[str]] = typer.Option(None, "--map", metavar="CANONICAL=RAW",
                                                    help="Read series RAW as CANONICAL (loss, val_loss, accuracy, lr, ...)."),
        show_series: bool = typer.Option(False, "--show-series",
                                         help="Show how each series was interpreted (role, raw name, axis, length)."),
        mute: Optional[List[str]] = typer.Option(None, "--mute", metavar="CODE", help="Drop findings with this code."),
        report: Optional[str] = typer.Option(None, "--report", metavar="OUT.html",
                                             help="Also write a self-contained HTML report."),
        per_epoch: bool = typer.Option(False, "--per-epoch",
                                       help="Summarize step logs per epoch (mean per epoch) before diagnosing, "
                                            "where the log says how many steps an epoch has."),
    ) -> None:
        import fitdoctor as fd

        if fail_on is not None and fail_on not in ("warning", "error"):
            raise BadInput(f"--fail-on {fail_on!r}: expected 'warning' or 'error'")
        if as_json and markdown:
            raise BadInput("--json and --markdown both given; expected one output format")
        runs = fd.read_runs(path, fmt=format, mapping=parse_mapping(mapping))
        if per_epoch:
            runs = [r.per_epoch() if r.meta.get("steps_per_epoch") else r for r in runs]
        diagnoses = [fd.diagnose(r, mute=tuple(mute or ())) for r in runs]
        if report:
            from fitdoctor.report import write_report

            write_report(diagnoses, report)
        if as_json:
            out = diagnoses[0].to_dict() if len(diagnoses) == 1 else _ranked_payload(diagnoses)
            sys.stdout.write(json.dumps(out, indent=2) + "\n")
        elif markdown:
            from fitdoctor.report.markdown import diagnoses_markdown

            sys.stdout.write(diagnoses_markdown(diagnoses))
        else:
            from fitdoctor.report.terminal import print_diagnoses

            print_diagnoses(diagnoses, show_series=show_series)
            if report:
                typer.echo(f"report written to {report}")
        if fail_on is not None:
            limit = SEVERITY_RANK[fail_on]
            if any(SEVERITY_RANK[f.severity] >= limit for d in diagnoses for f in d.findings):
                raise typer.Exit(1)

    @app.command(help="List the log formats fitdoctor reads (the values of --format).")
    def formats() -> None:
        import fitdoctor as fd
        from fitdoctor.report.terminal import Hanging, output_console

        console = output_console()  # wraps at the terminal's width, under the description
        for name, desc in fd.formats().items():
            console.print(Hanging(0, f"{name:14s} ", desc))


def _ranked_payload(diagnoses) -> list[dict]:
    """Several runs: a list, each with its rank and ranking row. The runs of one file lead with
    the last complete run, the one the file ends with (``latest: true``), then the rest best
    first; the runs of a folder, best first."""
    from fitdoctor.report.multirun import latest_run, leading_run, rank_runs

    rows = rank_runs(diagnoses)
    latest, lead = latest_run(diagnoses), leading_run(diagnoses, rows)
    out = []
    for row in sorted(rows, key=lambda r: r["index"] != lead):
        item = diagnoses[row["index"]].to_dict()
        item["ranking"] = row
        if latest is not None:
            item["latest"] = row["index"] == latest
        out.append(item)
    return out
