"""The ``fitdoctor`` command line: every command a thin wrapper over the Python API.

Command modules (``cli/cmd_*.py``) each define ``register(app)`` and are discovered
automatically. Errors a user can fix print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
import sys

import typer

from fitdoctor import __version__
from fitdoctor.errors import FitdoctorError

app = typer.Typer(
    name="fitdoctor",
    help=(
        "Is this model any good, and are my settings right?\n\n"
        "fitdoctor reads a training run (Keras, Lightning, Hugging Face, TensorBoard, MLflow, "
        "CSV/JSON), names what is wrong with the numbers that prove it, and prescribes the fix. "
        "It also trains, repairs (doctor), tunes and watches runs.\n\n"
        "New here:   fitdoctor demo\n\n"
        "Your run:   fitdoctor diagnose PATH   (a log, a run folder, or - for stdin)"
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
    # --help lists commands in the order registered; a module may register two (diagnose and
    # formats), so sort them by the name the user types
    app.registered_commands.sort(key=lambda c: c.name or c.callback.__name__.replace("_", "-"))


_load_commands()


def _click_classes() -> tuple[type, type]:
    """(ClickException, UsageError) of the click that typer runs on.

    typer up to 0.2x depends on click; newer typer vendors it as ``typer._click`` and does
    not install click at all. ``typer.BadParameter`` is click's BadParameter in both, so its
    base classes are the right ones either way, without importing a package we do not declare.
    """
    mro = typer.BadParameter.__mro__
    base = next(c for c in mro if c.__name__ == "ClickException")
    usage = next(c for c in mro if c.__name__ == "UsageError")
    return base, usage


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _option_names(ctx) -> list[str]:
    names: list[str] = []
    for param in getattr(ctx.command, "params", ()):
        if getattr(param, "param_type_name", "") == "option":
            names.extend(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names + [o for o in getattr(ctx, "help_option_names", ()) if o.startswith("--")]


def _usage_message(exc) -> str:
    """One line for a click/typer usage error: the bad value and what was expected.

    Classes are told apart by name: they live in click or in typer's vendored copy of it.
    """
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "fitdoctor"
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        name = exc.option_name
        options = _option_names(ctx) if ctx is not None else []
        near = difflib.get_close_matches(name, options, n=1)
        if near:
            hint = f"did you mean {near[0]}?"
        elif options:
            hint = f"{where} takes {', '.join(options)}"
        else:
            hint = f"see '{where} --help'"
        return f"no such option: {name} ({hint})"
    msg = _one_line(exc.format_message()).rstrip(".")
    match = re.fullmatch(r"No such command '(.*)'(?:\. Did you mean .*)?", msg)
    if match and ctx is not None and hasattr(ctx.command, "list_commands"):
        commands = list(ctx.command.list_commands(ctx))
        near = difflib.get_close_matches(match.group(1), commands, n=1)
        hint = f"did you mean {near[0]}?" if near else f"expected one of {', '.join(commands)}"
        return f"no such command: {match.group(1)} ({hint})"
    if msg[:1].isupper() and not msg[1:2].isupper():
        msg = msg[0].lower() + msg[1:]
    if kind == "MissingParameter":
        what = _one_line(getattr(getattr(exc, "param", None), "help", None) or "").rstrip(".")
        if what:
            msg += f"; expected {what[0].lower()}{what[1:]}"
    if ctx is not None and ctx.parent is not None:  # name the subcommand the error is about
        msg = f"{where}: {msg}"
    return msg


def _fail(message: str) -> None:
    typer.secho(f"fitdoctor: error: {message}", err=True, fg=typer.colors.RED)
    sys.exit(2)


def main() -> None:
    """Console-script entry point: run the app, turning user errors into one line + exit 2."""
    click_exception, usage_error = _click_classes()
    try:
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except FitdoctorError as exc:
        _fail(_one_line(str(exc)))
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except OSError as exc:
        if exc.filename is None:  # not about a path the user named (a closed pipe, ...)
            raise
        expected = ("a file (a folder is searched for logs without --format)"
                    if isinstance(exc, IsADirectoryError) else "a readable log file or folder")
        _fail(f"{exc.filename}: cannot read ({(exc.strerror or type(exc).__name__).lower()}); "
              f"expected {expected}")
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except click_exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `fitdoctor`: the help (click >= 8.2: exit 2)
            text = exc.format_message()  # the help; empty where typer's rich help printed itself
            if text.strip():
                typer.echo(text)
            sys.exit(2)
        if isinstance(exc, usage_error):
            _fail(_usage_message(exc))
        _fail(_one_line(exc.format_message()))
