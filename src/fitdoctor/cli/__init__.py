"""The ``fitdoctor`` command line: every command a thin wrapper over the Python API.

Command modules (``cli/cmd_*.py``) each define ``register(app)`` and are discovered
automatically. Errors a user can fix print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from fitdoctor import __version__
from fitdoctor.errors import FitdoctorError

app = typer.Typer(
    name="fitdoctor",
    help=(
        "Is this model any good, and are my settings right?\n\n"
        "fitdoctor reads a training run (Keras, Lightning, Hugging Face, TensorBoard, MLflow, "
        "CSV/JSON), names what is wrong with the numbers that prove it, and prescribes the fix.\n\n"
        "Start with:  fitdoctor diagnose PATH   (PATH: a log file, a run folder, or - for stdin)"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fitdoctor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print the version and exit.")) -> None:
    """fitdoctor: diagnose neural-network training runs."""


def reflow(text: str | None) -> str | None:
    """Join the lines of each prose paragraph so rich wraps them at the terminal's width
    (source lines broken at 95 columns came out ragged at 80); indented lines (examples)
    keep their breaks."""
    if not text:
        return text
    paragraphs = text.strip("\n").split("\n\n")
    out = []
    for para in paragraphs:
        lines = para.split("\n")
        if any(line.startswith((" ", "\t")) for line in lines):
            out.append(para)
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


def _load_commands() -> None:
    import fitdoctor.cli as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("cmd_"):
            importlib.import_module(f"fitdoctor.cli.{mod.name}").register(app)
    for cmd in app.registered_commands:
        cmd.help = reflow(cmd.help or (cmd.callback.__doc__ if cmd.callback else None))


_load_commands()


def main() -> None:
    """Console-script entry point: run the app, turning user errors into one line + exit 2."""
    try:
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except FitdoctorError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise
