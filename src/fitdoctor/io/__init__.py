"""Readers for training logs; ``read``/``read_runs`` pick the format by content."""

from fitdoctor.io.base import READERS, Reader, register
from fitdoctor.io.detect import apply_mapping, formats, read, read_runs

__all__ = ["READERS", "Reader", "register", "read", "read_runs", "formats", "apply_mapping"]
