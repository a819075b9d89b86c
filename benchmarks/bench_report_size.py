"""Size of the self-contained HTML report for a long epoch run and a long step run.

    python benchmarks/bench_report_size.py

The baseline is plotly.js itself (inlined once per report): the ratio says how much the
report adds on top of the library it cannot do without. Long series are drawn as per-bin
means with a min/max band, so size stays flat as runs grow.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import fitdoctor as fd
from fitdoctor.report.html import write_html_report


def epoch_run(n: int = 1000) -> fd.RunHistory:
    rng = np.random.default_rng(0)
    e = np.arange(n, dtype=float)
    h = fd.RunHistory(meta={"source": "synthetic 1k epochs"})
    h.add("loss", e, 0.05 + 0.7 * np.exp(-e / 80) + rng.normal(0, 0.01, n))
    h.add("val_loss", e, 0.3 + 0.4 * np.exp(-e / 60) + 2e-4 * np.maximum(e - 200, 0) + rng.normal(0, 0.01, n))
    h.add("accuracy", e, 0.99 - 0.5 * np.exp(-e / 80))
    h.add("val_accuracy", e, 0.9 - 0.4 * np.exp(-e / 60))
    h.add("lr", e, np.full(n, 1e-3))
    return h


def step_run(n: int = 100_000) -> fd.RunHistory:
    rng = np.random.default_rng(1)
    s = np.arange(n, dtype=float)
    h = fd.RunHistory(meta={"source": "synthetic 100k steps"})
    h.add("loss", s, 0.2 + 2.0 * np.exp(-s / 20_000) + rng.normal(0, 0.05, n), axis="step")
    ev = s[::1000]
    h.add("val_loss", ev, 0.3 + 2.0 * np.exp(-ev / 20_000), axis="step")
    h.add("lr", s, 1e-4 * np.minimum(1, s / 2000), axis="step")
    for layer in ("dense_1", "dense_2", "dense_3"):
        h.add(f"grad_norm/{layer}", s[::100], np.abs(rng.normal(1, 0.2, n // 100)), axis="step")
    return h


def main() -> None:
    import plotly

    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    base = js.stat().st_size
    print(f"baseline: plotly.min.js {base / 1e6:.2f} MB (inlined once per report)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, h in (("1,000-epoch run, 5 series", epoch_run()),
                        ("100,000-step run, 6 series", step_run())):
            out = Path(tmp) / "r.html"
            write_html_report([fd.diagnose(h)], out)
            size = out.stat().st_size
            print(f"{name:30s} {size / 1e6:6.2f} MB  ratio vs plotly.js {size / base:.3f}")


if __name__ == "__main__":
    main()
