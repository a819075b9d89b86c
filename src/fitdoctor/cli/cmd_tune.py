"""``fitdoctor tune CONFIG``: search the config's space on validation, test the winner once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from fitdoctor.cli._options import out_folder

HELP = """Search hyperparameters on validation (holdout seeds or k-fold), never on test; then refit
the best config and score the untouched test split once, beside the baselines.

The space is the config's search: section (every key of `fitdoctor config`, plus model.width
and model.depth); without one a default space is searched (lr, batch size, optimizer,
schedule, activation, width, depth, dropout, L1, L2). Optuna's TPE samples; trials are
pruned across folds (a paired test against the best trial) and across epochs inside a fold.

    fitdoctor tune my.yaml --trials 50    # SQLite; rerun to resume
    fitdoctor tune my.yaml --workers 4    # 4 processes, one study
    fitdoctor tune my.yaml --storage journal   # add workers yourself
    fitdoctor tune my.yaml --storage postgresql://host/db  # many machines
    fitdoctor tune my.yaml --backend ray  # a Ray cluster

Ray needs pip install 'fitdoctor\\[ray]'. Watch a study: optuna-dashboard sqlite:///RUN_DIR/study.db
"""


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def tune(
        config: str = typer.Argument(..., metavar="CONFIG", help="Run config (YAML) with an optional search: section."),
        out: Optional[str] = typer.Option(None, "--out", "-o", callback=out_folder, help="Run directory (default: fitdoctor-runs/<config name>-tune)."),
        trials: Optional[int] = typer.Option(None, "--trials", "-n", min=1, help="Finished trials the study should hold (default: search.trials, else 50)."),
        storage: Optional[str] = typer.Option(None, "--storage", help="journal, journal:PATH, sqlite:///PATH or an RDB URL (default: SQLite in the run directory)."),
        backend: str = typer.Option("optuna", "--backend", help="optuna or ray."),
        study: Optional[str] = typer.Option(None, "--study", help="Study name (default: the config's file name)."),
        timeout: Optional[float] = typer.Option(None, "--timeout", min=1, help="Stop this worker after so many seconds."),
        heartbeat: int = typer.Option(10, "--heartbeat", min=1, help="Seconds between a trial's heartbeats (RDB storage)."),
        final: bool = typer.Option(True, "--final/--no-final", help="Refit the best config and score test once."),
        seed: Optional[int] = typer.Option(None, "--seed", help="Sampler seed (default: search.seed)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object; no progress bar."),
        workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes on this machine, one study (the journal file in the run directory unless --storage says otherwise)."),
    ) -> None:
        from fitdoctor.errors import BadInput
        from fitdoctor.tune import tune as run_tune

        if backend not in ("optuna", "ray"):
            import difflib

            close = difflib.get_close_matches(backend, ["optuna", "ray"], n=1)
            raise BadInput(f"--backend {backend!r}: expected optuna or ray"
                           + (f" (did you mean '{close[0]}'?)" if close else ""))
        out_dir = Path(out) if out else Path("fitdoctor-runs") / f"{Path(config).stem}-tune"
        result = run_tune(config, trials=trials, out=out_dir, storage=storage, backend=backend,
                          study=study, timeout=timeout, heartbeat=heartbeat, final=final, seed=seed,
                          progress=not as_json, workers=workers)
        if as_json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
            return
        from fitdoctor.report.terminal import output_console
        from fitdoctor.tune.show import print_result

        print_result(result, output_console())
