"""Shared test setup: keep Keras and matplotlib caches out of the user's home."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_TMP = tempfile.mkdtemp(prefix="fitdoctor-tests-")
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)  # leave nothing behind in /tmp
os.environ.setdefault("KERAS_HOME", os.path.join(_TMP, "keras"))
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_TMP, "mpl"))
os.environ.setdefault("KERAS_BACKEND", "torch")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
