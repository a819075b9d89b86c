"""Fixtures for the report tests."""

from __future__ import annotations

import pytest

from report_cases import make_diagnosis

from fitdoctor.findings import Diagnosis


@pytest.fixture
def diagnosis() -> Diagnosis:
    return make_diagnosis()
