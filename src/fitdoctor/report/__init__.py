"""Ways to show a Diagnosis: terminal (rich), notebook HTML, the HTML report."""

from __future__ import annotations


def write_report(diagnoses, out: str) -> None:
    """Write a self-contained HTML report to ``out``: for one or more diagnoses (a Diagnosis,
    a list or any iterable of them), or for every run of a log's path, as ``fitdoctor report``
    does."""
    import os

    from fitdoctor.diagnose import diagnose
    from fitdoctor.errors import BadInput
    from fitdoctor.findings import Diagnosis
    from fitdoctor.report.html import write_html_report

    if isinstance(diagnoses, (str, os.PathLike)):
        from fitdoctor.io import read_runs

        items = [diagnose(r) for r in read_runs(diagnoses)]
    elif isinstance(diagnoses, Diagnosis):
        items = [diagnoses]
    else:
        try:
            items = list(diagnoses)
        except TypeError:
            raise BadInput(f"cannot report a {type(diagnoses).__name__}; expected a Diagnosis, a list of "
                           "them or a log's path") from None
    bad = [type(d).__name__ for d in items if not isinstance(d, Diagnosis)]
    if bad or not items:
        raise BadInput(f"cannot report {'a ' + bad[0] if bad else 'nothing'}; expected a Diagnosis, a list "
                       "of them or a log's path")
    write_html_report(items, out)
