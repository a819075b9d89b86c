"""``fitdoctor config``: every run-config key with its default, a starter config, the examples."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from fitdoctor.errors import BadInput

HELP = """Every run-config key with its default and what it does; write a starter config.

The reference ships with fitdoctor (no docs folder needed). A starter config trains as it
is, on scikit-learn's breast cancer data; change data.source to your table.

    fitdoctor config                   # every key, its default, what it takes
    fitdoctor config --init my.yaml    # a starter config, every key at default
    fitdoctor config --examples        # the example configs shipped with it
    fitdoctor config --init bc.yaml --example breast_cancer
    fitdoctor train my.yaml
"""


def register(app: typer.Typer) -> None:
    from fitdoctor.cli._help import polish_help

    polish_help()

    @app.command("config", help=HELP)
    def config_cmd(
        init: Optional[str] = typer.Option(None, "--init", metavar="FILE.yaml",
                                           help="Write a starter config here (every key at its default)."),
        example: Optional[str] = typer.Option(None, "--example", metavar="NAME",
                                              help="With --init: write this shipped example instead; "
                                                   "alone: print it."),
        examples: bool = typer.Option(False, "--examples", help="List the example configs shipped with fitdoctor."),
        force: bool = typer.Option(False, "--force", help="With --init: overwrite an existing file."),
        markdown: bool = typer.Option(False, "--markdown", help="Print the reference as Markdown tables."),
    ) -> None:
        from fitdoctor import config_docs as cd

        if examples:
            from fitdoctor.report.terminal import Hanging, output_console

            console = output_console()  # wraps at the terminal's width, under the description
            for name, path in cd.examples().items():
                console.print(Hanging(0, f"{name:15s} ", cd.describe(path)))
                console.print(Hanging(0, f"{'':15s} ", str(path)))
            console.print("\nwrite one to edit:  fitdoctor config --init my.yaml --example NAME", highlight=False)
            return
        if init is not None:
            target = Path(init)
            if target.is_dir():
                raise BadInput(f"--init {init!r} is a directory; expected a file name such as my.yaml")
            if target.suffix.lower() not in (".yaml", ".yml"):
                raise BadInput(f"--init {init!r}: expected a file name ending in .yaml")
            if target.exists() and not force:
                raise BadInput(f"--init {init!r}: the file exists; pass --force to overwrite it")
            text = cd.example_text(example) if example else cd.starter_yaml()
            from fitdoctor.config import load_config
            from fitdoctor.files import atomic_write

            import yaml

            load_config(yaml.safe_load(text))  # what we write must train
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text)
            typer.echo(f"wrote {target}  (train it: fitdoctor train {target})")
            return
        if example:
            sys.stdout.write(cd.example_text(example))
            return
        if markdown:
            sys.stdout.write(cd.markdown_tables())
            return
        _print_reference(cd.reference())


def _print_reference(rows: list[dict[str, str]]) -> None:
    """One line per key: dotted key, default, then what it does and the values it takes
    (wrapped under themselves)."""
    from rich.text import Text

    from fitdoctor.report.terminal import Hanging, output_console

    console = output_console()
    console.print(Text("run config keys (YAML): key, default, what it does; only data.source is required",
                       style="bold"))
    kw = max(len(r["key"]) for r in rows)
    dw = 12
    section = ""
    wide = console.soft_wrap or console.width - (kw + dw + 4) >= 40
    for r in rows:
        top = r["key"].split(".")[0]
        if top != section:
            section = top
            console.print()
        default, what = r["default"], r["what"].replace("`", "")
        if len(default) > dw:
            what += f"; default: {default}"
            default = "(detected)" if r["key"] == "data.target" else "(see right)" if wide else "(see below)"
        text = Text(what + ". Values: " + r["values"].replace("`", ""))
        if wide:
            label = Text.assemble((r["key"].ljust(kw), "bold"), "  ", default.ljust(dw), "  ")
            console.print(Hanging(0, label, text))
        else:  # narrow: the key and its default on one line, what it does under them
            console.print(Text.assemble((r["key"], "bold"), "  ", default.strip()))
            console.print(Hanging(4, "", text))
    console.print()
    # one command a line: a wrap inside a command would break it where a user copies it
    console.print("starter config:  fitdoctor config --init my.yaml", style="dim", highlight=False)
    console.print("examples:        fitdoctor config --examples", style="dim", highlight=False)
