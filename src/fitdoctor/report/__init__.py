"""Ways to show a Diagnosis: terminal (rich), notebook HTML, the HTML report."""

from __future__ import annotations

from typing import Sequence


def write_report(diagnoses, out: str) -> None:
    """Write a self-contained HTML report for one or more diagnoses to ``out``."""
    from fitdoctor.report.html import write_html_report

    write_html_report(list(diagnoses) if isinstance(diagnoses, Sequence) else [diagnoses], out)
