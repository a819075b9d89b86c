"""Errors a user can fix: the CLI prints them as one line and exits 2."""

from __future__ import annotations


class FitdoctorError(Exception):
    """Base class for every error fitdoctor raises on purpose."""


class BadInput(FitdoctorError, ValueError):
    """The input (path, file content, config, argument) is not what was expected.

    The message names the bad value and what was expected, in one line.
    """


class MissingDependency(FitdoctorError, ImportError):
    """An optional extra is needed for this feature."""


def require(module: str, extra: str, feature: str):
    """Import an optional dependency lazily, or explain how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependency(
            f"{feature} needs the '{module}' package: pip install 'fitdoctor[{extra}]'"
        ) from exc
