"""``fitdoctor lr-find CONFIG``: the learning-rate range test on the built-in trainer."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from fitdoctor.cli._options import out_folder

HELP = """Find a learning rate for a run config: the range test on its model, optimizer and batch size.

Trains from the config's fresh initialisation while the lr grows exponentially (one step per
lr), measures the loss on a fixed sample of training rows after every step, stops once the
loss has clearly diverged, and repeats the sweep with 3 seeds. Suggested: one tenth of the
divergence edge (where the smoothed loss climbs back half-way from its minimum), read on the
median curve; no suggestion when the loss never fell. Validation and test rows are never read.

    fitdoctor lr-find my.yaml
    fitdoctor lr-find my.yaml --json          # suggested_lr, curve, sweeps
    fitdoctor lr-find my.yaml --out runs/lr   # lr_find.json, .csv, report.html
"""


def register(app: typer.Typer) -> None:
    @app.command("lr-find", help=HELP)
    def lr_find_cmd(
        config: str = typer.Argument(..., metavar="CONFIG", help="Run config (YAML); every key: `fitdoctor config`."),
        out: Optional[str] = typer.Option(None, "--out", "-o", callback=out_folder, metavar="DIR", help="Write lr_find.json, lr_find.csv and report.html here."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object (suggested_lr, the curve, the sweeps)."),
        repeats: int = typer.Option(3, "--repeats", min=1, max=20, help="Sweeps (seeds) read on their median curve."),
        start_lr: float = typer.Option(1e-6, "--start-lr", help="Lowest lr of the sweep."),
        end_lr: float = typer.Option(30.0, "--end-lr", help="Highest lr of the sweep."),
        steps: int = typer.Option(180, "--steps", min=10, max=5000, help="Steps (lrs) per sweep."),
        seed: Optional[int] = typer.Option(None, "--seed", help="First sweep's seed (default: train.seed)."),
    ) -> None:
        from fitdoctor.studies.lr_find import lr_find, write_lr_find_dir

        res = lr_find(config, repeats=repeats, start_lr=start_lr, end_lr=end_lr, steps=steps, seed=seed)
        files = write_lr_find_dir(res, Path(out)) if out else None
        from fitdoctor.cli._study import emit_study
        from fitdoctor.report.studies import render_lr_find

        emit_study(res, files, out, as_json, render_lr_find)
