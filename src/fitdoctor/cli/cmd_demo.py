"""``fitdoctor demo``: the whole story on bundled data, in under a minute.

1. the classic stuck run (Keras-style MLP on raw sensor readings) and its diagnosis;
2. doctor: the remedies retrained on paired seeds, the fix kept, a useless change rejected,
   the test split scored once at the end;
3. the stuck run's learning curve: would more data help? (no: the pipeline is the problem);
4. where the files are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from fitdoctor.cli._options import out_folder

HELP = """Show what fitdoctor is for, on bundled data (no arguments needed; under a minute).

Trains the classic stuck model (Dense 64/32, dropout 0.3, sigmoid output, Adam) on raw,
unscaled sensor readings and diagnoses it; doctor retrains its remedies on paired seeds,
keeps the one that beats the noise and compares the result with baselines on a test split
used once; a learning curve of the stuck run answers "would more data help?". The run
directories go to ~/.cache/fitdoctor/demo/ ($XDG_CACHE_HOME/fitdoctor/demo when set), never
into the current folder; --out puts them elsewhere. Where they went is printed.
"""


def default_out() -> Path:
    """~/.cache/fitdoctor/demo (or $XDG_CACHE_HOME/fitdoctor/demo): out of any source tree."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "fitdoctor" / "demo"


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def demo(out: Optional[str] = typer.Option(None, "--out", "-o", callback=out_folder, metavar="DIR",
                                               help="Where to write the run directories "
                                                    "(default: ~/.cache/fitdoctor/demo)."),
             report: bool = typer.Option(True, "--report/--no-report", help="Write report.html in each run directory.")
             ) -> None:
        from fitdoctor.train.demo import run_demo

        run_demo(Path(out) if out else default_out(), report=report)
