"""``fitdoctor train CONFIG``: run the experiment a config describes, and diagnose it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from fitdoctor.cli._options import out_folder

HELP = """Train the MLP a run config describes, with probes, baselines and an honest test score.

Runs the data checks first, fits on the configured split (holdout, or k-fold then a refit
on train+val), scores the test split once at the end, and writes the run directory:
config.yaml, history.csv, probes.csv, meta.json, diagnosis.json, model.pt (and report.html).

    fitdoctor config --init my.yaml    # a starter config (every key)
    fitdoctor config --examples        # the example configs
    fitdoctor train my.yaml
    fitdoctor train my.yaml --out runs/exp1 --json

Every key, its default and what it takes: fitdoctor config.
"""


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def train(
        config: str = typer.Argument(..., metavar="CONFIG", help="Run config (YAML); every key: `fitdoctor config`."),
        out: Optional[str] = typer.Option(None, "--out", "-o", callback=out_folder, help="Run directory (default: fitdoctor-runs/<config name>)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object; no progress bars."),
        probe_every: int = typer.Option(25, "--probe-every", min=0, help="Probe the network every N steps (0: off)."),
        report: bool = typer.Option(True, "--report/--no-report", help="Write report.html into the run directory."),
    ) -> None:
        from fitdoctor.config import load_config
        from fitdoctor.train.experiment import run_experiment
        from fitdoctor.train.run_dir import write_run_dir

        cfg = load_config(config)
        out_dir = Path(out) if out else Path("fitdoctor-runs") / Path(config).stem
        reporter = None
        if not as_json:
            from fitdoctor.train.show import RichReporter

            reporter = RichReporter()
        exp = run_experiment(cfg, reporter=reporter, probe_every=probe_every)
        written = write_run_dir(out_dir, exp, report=report)
        if as_json:
            from fitdoctor.findings import _jsonable

            payload = {"run_dir": str(out_dir), "files": written["files"],
                       "diagnosis": exp.diagnoses[0].to_dict() if len(exp.diagnoses) == 1 else None,
                       "runs": [d.to_dict() for d in exp.diagnoses] if len(exp.diagnoses) > 1 else None,
                       "scores": exp.scores(), "notes": exp.notes + ([written["report_skipped"]]
                                                                    if "report_skipped" in written else [])}
            sys.stdout.write(json.dumps(_jsonable(payload), indent=2) + "\n")
            return
        from fitdoctor.report.terminal import output_console, print_diagnoses
        from fitdoctor.train.show import scores_table

        console = output_console()
        print_diagnoses(exp.diagnoses, console=console)
        console.print()
        console.print(scores_table(exp))
        if exp.cv is not None:
            console.print(f"the model scored on test: refit on train+val for {exp.cv['refit_epochs']} epochs "
                          "(what the folds' best epochs say)", style="dim")
        for n in exp.notes:
            console.print(f"note: {n}", style="dim")
        if "report_skipped" in written:
            console.print(written["report_skipped"], style="yellow")
        console.print(f"run directory: {out_dir}/ ({', '.join(written['files'])})")
