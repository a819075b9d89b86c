"""PNG export: a real PNG of sensible size, names never parsed as math, written atomically."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput
from fitdoctor.report.png import render_png, write_png

from report_cases import make_diagnosis, overfit_history


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_is_valid_and_sensible(tmp_path, diagnosis):
    out = write_png(diagnosis, tmp_path / "fig.png")
    data = out.read_bytes()
    w, h = png_size(data)
    assert 800 <= w <= 2000 and 300 <= h <= 1000
    assert 20_000 < len(data) < 1_000_000
    assert data.endswith(b"IEND\xaeB`\x82")
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_png_draws_more_than_an_empty_canvas(diagnosis):
    """The figure has curves: many distinct colours, not a blank white image."""
    import io

    from matplotlib.image import imread

    img = imread(io.BytesIO(render_png(diagnosis)))
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 50


def test_dollar_names_nan_and_loss_only_runs():
    h = fd.RunHistory(meta={"source": "$\\frac{1}{0}$"})
    h.add("loss", np.arange(50), np.r_[np.linspace(1, 0.1, 40), [np.nan] * 10])
    h.add("$x_1^{$", np.arange(50), np.linspace(0, 1, 50))
    png_size(render_png(make_diagnosis(h, findings=[])))
    only = fd.RunHistory()
    only.add("loss", np.arange(30), np.linspace(2, 1, 30))
    png_size(render_png(fd.diagnose(only)))


def test_long_step_run_renders(tmp_path):
    n = 100_000
    h = fd.RunHistory()
    h.add("loss", np.arange(n), np.exp(-np.arange(n) / 3e4), axis="step")
    png_size(write_png(fd.diagnose(h), tmp_path / "s.png").read_bytes())


def test_png_into_a_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInput):
        write_png(make_diagnosis(overfit_history(probes=False)), tmp_path)
