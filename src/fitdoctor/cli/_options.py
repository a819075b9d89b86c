"""Checks shared by several commands' options, run by typer before any work starts."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def out_folder(value: Optional[str]) -> Optional[str]:
    """``--out DIR``: refused at once when it names an existing file (not after the training,
    when writing into it would fail with an error about reading)."""
    if value and Path(value).exists() and not Path(value).is_dir():
        raise typer.BadParameter(f"{value!r} is a file; expected a folder to write into (made if missing)")
    return value
