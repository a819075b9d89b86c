"""Diagnosis._repr_html_: the verdict and the main figure, escaped."""

from __future__ import annotations

import base64
import re

from report_cases import XSS_NAME, make_diagnosis, overfit_history


def test_repr_html_has_verdict_then_figure():
    h = overfit_history(probes=False, source=XSS_NAME)
    d = make_diagnosis(h)
    out = d._repr_html_()
    assert XSS_NAME not in out and "&lt;script&gt;" in out
    assert out.index("overfitting") < out.index("<img")
    m = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", out)
    assert m and base64.b64decode(m.group(1))[:4] == b"\x89PNG"
