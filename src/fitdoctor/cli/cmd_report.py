"""``fitdoctor report PATH``: the self-contained HTML report (and optionally a PNG) for a run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import List, Optional

import typer

from fitdoctor.errors import BadInput

HELP = """Write a self-contained HTML report: the verdict, then the curves with the findings drawn on them.

PATH is anything `fitdoctor diagnose` reads (a log file, a run folder, or - for standard input).
The HTML needs no network: open it from disk or send it as an attachment. --png also writes the
main figure as a PNG (matplotlib, no browser).

Examples:

    fitdoctor report lightning_logs/ -o report.html
    fitdoctor report history.csv --png curves.png
    fitdoctor report runs/exp1 --baseline accuracy=0.62   # a reference line

Without -o the report goes to PATH/report.html for a folder, PATH-report.html beside a file.
A config.yaml in a run folder is shown in the report so the run can be reproduced.
"""


def default_output(path: str) -> Path:
    """Where the report goes when -o is not given."""
    if path == "-":
        return Path("report.html")
    p = Path(path)
    if p.is_dir():
        return p / "report.html"
    return p.with_name(p.stem + "-report.html")


def parse_baselines(items: list[str] | None) -> dict[str, dict[str, float]]:
    """``--baseline accuracy=0.62`` or ``--baseline "accuracy:majority class=0.62"``."""
    out: dict[str, dict[str, float]] = {}
    for item in items or []:
        key, sep, value = item.rpartition("=")
        try:
            v = float(value)
        except ValueError:
            v = None
        if not sep or not key.strip() or v is None or not math.isfinite(v):
            raise BadInput(f"--baseline {item!r}: expected METRIC=VALUE or METRIC:LABEL=VALUE with a "
                           "finite number, e.g. accuracy=0.62")
        metric, _, text = key.partition(":")
        out.setdefault(metric.strip(), {})[text.strip() or "baseline"] = v
    return out


def _config_for(path: str) -> str | None:
    """The run folder's config.yaml (as text), when there is one."""
    if path == "-":
        return None
    p = Path(path)
    cfg = p / "config.yaml" if p.is_dir() else p.parent / "config.yaml"
    try:
        return cfg.read_text(encoding="utf-8", errors="replace")[:100_000] if cfg.is_file() else None
    except OSError:
        return None


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def report(
        path: str = typer.Argument(..., metavar="PATH", help="Log file, run folder, or - for standard input."),
        out: Optional[str] = typer.Option(None, "--out", "-o", metavar="OUT.html",
                                          help="Where to write the HTML report."),
        png: Optional[str] = typer.Option(None, "--png", metavar="OUT.png",
                                          help="Also write the main figure as a PNG (first run only "
                                               "when PATH holds several; one file per run with {run})."),
        format: Optional[str] = typer.Option(None, "--format", "-f",
                                             help="Skip detection and use this reader (see `fitdoctor formats`)."),
        mapping: Optional[List[str]] = typer.Option(None, "--map", metavar="CANONICAL=RAW",
                                                    help="Read series RAW as CANONICAL (loss, val_loss, accuracy, lr, ...)."),
        baseline: Optional[List[str]] = typer.Option(None, "--baseline", metavar="METRIC=VALUE",
                                                     help="Draw a reference line, e.g. accuracy=0.62."),
        mute: Optional[List[str]] = typer.Option(None, "--mute", metavar="CODE", help="Drop findings with this code."),
        title: Optional[str] = typer.Option(None, "--title", help="Report title."),
    ) -> None:
        import fitdoctor as fd
        from fitdoctor.cli.cmd_diagnose import parse_mapping
        from fitdoctor.report.html import write_html_report

        if out is not None and out.lower().endswith(".png"):
            raise BadInput(f"-o {out!r}: the report is HTML; expected OUT.html (use --png for a PNG)")
        if png is not None and not png.lower().endswith(".png"):
            raise BadInput(f"--png {png!r}: expected a file name ending in .png")
        runs = fd.read_runs(path, fmt=format, mapping=parse_mapping(mapping))
        extra: dict = {}
        if runs and all(r.meta.get("format") == "fitdoctor-run" for r in runs):
            from fitdoctor.io.fitdoctor_run import report_extra

            extra.update(report_extra(runs))  # the k-fold band and baselines the trainer drew
        for metric, lines in parse_baselines(baseline).items():
            extra.setdefault("baselines", {}).setdefault(metric, {}).update(lines)
        diagnoses = [fd.diagnose(r, mute=tuple(mute or ())) for r in runs]
        config = _config_for(path)
        if config is not None:
            extra["config"] = config
        if title:
            extra["title"] = title
        target = Path(out) if out else default_output(path)
        written = write_html_report(diagnoses, target, extra=extra)
        typer.echo(f"report written to {written}")
        if png:
            from fitdoctor.report.png import write_png

            targets = _png_targets(png, diagnoses)
            for d, t in targets:
                typer.echo(f"figure written to {write_png(d, t)}")


def _png_targets(png: str, diagnoses) -> list:
    if "{run}" not in png:
        return [(diagnoses[0], Path(png))]
    out = []
    for i, d in enumerate(diagnoses):
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in d.history.name)[:60] or f"run{i}"
        out.append((d, Path(png.replace("{run}", f"{i:02d}-{safe}"))))
    return out
