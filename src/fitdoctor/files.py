"""Atomic file writes: nothing half-written is ever left behind.

Every file fitdoctor produces (configs, run directories, reports, PNGs) is written to a
temporary name in the target's folder and renamed into place, so an interrupted run or
a full disk leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any, Callable

from fitdoctor.errors import BadInput


def atomic_write(path: str | os.PathLike, write: Callable[[IO[Any]], Any] | bytes | str, *,
                 binary: bool | None = None) -> Path:
    """Write ``path`` atomically from bytes, text, or a ``write(fh)`` callback.

    The result gets the usual permissions (0666 minus the umask), not mkstemp's 0600:
    run directories and reports are meant to be shared.
    """
    path = Path(path)
    if path.is_dir():
        raise BadInput(f"{path}: is a folder; expected a file name inside it")
    if isinstance(write, (bytes, bytearray)):
        data, binary = bytes(write), True
        write = lambda fh: fh.write(data)  # noqa: E731
    elif isinstance(write, str):
        text, binary = write, False
        write = lambda fh: fh.write(text)  # noqa: E731
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write here ({exc.strerror or exc}); expected a writable path") from exc
    try:
        mode = "wb" if binary else "w"
        kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as fh:
            write(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
