"""Reader base class and registry.

A reader turns one path (file or directory) into one or more RunHistory objects.
Each format lives in its own module under ``fitdoctor.io``; modules register their
reader class with :func:`register` and are discovered automatically, so adding a
format means adding one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import ClassVar

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory

#: Bytes read from the start of a file for sniffing.
HEAD_BYTES = 8192


class Reader:
    """Read one training-log format into RunHistory objects.

    Subclasses set ``name`` (the ``--format`` value), ``description`` (shown in
    ``fitdoctor formats``) and implement :meth:`sniff` and :meth:`read`.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: Directory readers claim a whole folder (e.g. TensorBoard run dirs, mlruns/).
    reads_directories: ClassVar[bool] = False
    reads_files: ClassVar[bool] = True
    #: claims a folder because its kind of file lies anywhere below it (TensorBoard events),
    #: not because the folder has that tool's layout: a sweep folder mixing tools is then
    #: read run folder by run folder, so runs logged another way are not lost
    claims_recursively: ClassVar[bool] = False

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        """How sure this reader is that it can read ``path`` (0 = not at all, 1 = certain).

        ``head`` is the first HEAD_BYTES of a file (empty for directories). Decide by
        content wherever possible, not by file name alone.
        """
        raise NotImplementedError

    def read(self, path: Path) -> list[RunHistory]:
        """Read every run at ``path``. Raise BadInput with a one-line reason on bad input."""
        raise NotImplementedError


READERS: dict[str, type[Reader]] = {}


def register(cls: type[Reader]) -> type[Reader]:
    """Class decorator: make a reader available to detection and ``--format``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a name")
    READERS[cls.name] = cls
    return cls


_LOADED = False


def load_readers() -> dict[str, type[Reader]]:
    """Import every reader module in this package once, then return the registry."""
    global _LOADED
    if not _LOADED:
        import fitdoctor.io as pkg

        for mod in pkgutil.iter_modules(pkg.__path__):
            if mod.name in ("base", "detect") or mod.name.startswith("_"):
                continue
            importlib.import_module(f"fitdoctor.io.{mod.name}")
        _LOADED = True
    return READERS


def json_number(value: object) -> float | None:
    """A JSON value as a float when it is a number (not a bool); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError:
        return b""


#: the byte-order marks of UTF-16 (what Windows PowerShell's ``>`` writes: ``python train.py >
#: log.txt`` there gives UTF-16LE with a BOM)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes) -> str:
    """Decode a log's bytes: UTF-16 when it opens with its BOM, else UTF-8 (with BOM) first and
    Latin-1 as a never-failing fallback."""
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_text(path: Path, *, binary_expected: str | None = None) -> str:
    """A log file's decoded text (see :func:`decode_text`); a one-line BadInput when the file
    cannot be read, or, given ``binary_expected`` (what the reader expected instead), when it
    is binary. One home for what every text reader does first."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror})") from exc
    if binary_expected is not None and looks_binary(data[:1024]):
        raise BadInput(f"{path}: binary file; expected {binary_expected}")
    return decode_text(data)


def looks_binary(head: bytes) -> bool:
    """NUL bytes in the first KiB, unless it is UTF-16 text (whose every ASCII character has one)."""
    return b"\x00" in head[:1024] and not head.startswith(UTF16_BOMS)


def json_object_head(head: bytes) -> str | None:
    """The start of a file as text when it opens a JSON object (``{``), else None.

    The shared first step of every JSON reader's sniff: binary and non-object files are out.
    """
    if looks_binary(head):
        return None
    text = decode_text(head).lstrip()
    return text if text.startswith("{") else None
