"""``fitdoctor learning-curve CONFIG``: would more rows help? Train at growing training-set sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from fitdoctor.cli._options import out_folder

HELP = """Would more data help? Train a run config at growing training-set sizes and decide.

Trains on 1/16, 1/8, 1/4, 1/2 and all of the training rows (nested, stratified subsets), 5
seeds each on a holdout split or every fold on k-fold, and scores each on the same
validation rows (never the test rows). A paired trend test on the last doubling decides:
needs_more_data (validation still rising beyond noise) or data_saturated (flat: more rows
will not help; at chance, bias or variance). It also predicts the full-size score from the
sizes up to half the rows, with an interval, and shows how well that prediction held.

    fitdoctor learning-curve my.yaml
    fitdoctor learning-curve my.yaml --seeds 3 --json   # findings like diagnose
    fitdoctor learning-curve my.yaml --sizes 50,100,200,400
    fitdoctor learning-curve my.yaml --out runs/lc      # .json, .csv, report.html
"""


def register(app: typer.Typer) -> None:
    @app.command("learning-curve", help=HELP)
    def learning_curve_cmd(
        config: str = typer.Argument(..., metavar="CONFIG", help="Run config (YAML); every key: `fitdoctor config`."),
        out: Optional[str] = typer.Option(None, "--out", "-o", callback=out_folder, metavar="DIR", help="Write learning_curve.json, learning_curve.csv and report.html here."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object (findings, scores per size, forecast)."),
        seeds: Optional[int] = typer.Option(None, "--seeds", min=2, max=50, help="Seeds per size on a holdout split (default 5; k-fold uses its folds)."),
        sizes: Optional[str] = typer.Option(None, "--sizes", metavar="N,N,...", help="Training rows per size, comma-separated (default: 1/16 .. all)."),
    ) -> None:
        from fitdoctor.errors import BadInput
        from fitdoctor.studies.learning_curve import learning_curve, write_learning_curve_dir

        size_list = None
        if sizes:
            try:
                size_list = [int(s) for s in sizes.replace(" ", "").split(",") if s]
            except ValueError:
                raise BadInput(f"--sizes {sizes!r}: expected whole numbers of rows separated by commas, "
                               "e.g. 50,100,200") from None
        res = learning_curve(config, seeds=seeds, sizes=size_list, on_size=None if as_json else _progress())
        files = write_learning_curve_dir(res, Path(out)) if out else None
        from fitdoctor.cli._study import emit_study
        from fitdoctor.report.studies import render_learning_curve

        emit_study(res, files, out, as_json, render_learning_curve)


def _progress():
    """One dim line per size on stderr (results go to stdout)."""
    from rich.console import Console

    err = Console(stderr=True)

    def show(i: int, n: int, rows: int) -> None:
        err.print(f"[dim]size {i + 1}/{n}: training on {rows} rows[/dim]")
    return show
