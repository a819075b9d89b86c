"""What the live benchmarks set before they import a framework: Keras on torch, quiet and
offline Hugging Face, and Keras/matplotlib caches in a scratch folder removed at exit."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import warnings


def prepare(prefix: str) -> str:
    """Set the environment (only what the caller has not set) and return the scratch folder."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    tmp = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    os.environ.setdefault("KERAS_HOME", os.path.join(tmp, "keras"))
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tmp, "mpl"))
    warnings.filterwarnings("ignore")
    return tmp
