"""Reading speed: a 100k-line console log and a 10 MB notebook, against a plain-read baseline.

The big inputs are built from the real captures in tests/fixtures (Keras 3 verbose=2 epoch
lines, verbose=1 terminal progress bars, the nbclient-executed notebook), renumbered into
one long run, plus base64 images in the notebook as real notebooks carry. The baseline is
what any reader must do anyway (read the bytes, decode, split lines; ``json.loads`` for the
notebook); the ratio says what the parsing costs on top.

    python benchmarks/bench_console_read.py
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT / "src"))

from fitdoctor.io.console import ConsoleReader  # noqa: E402
from fitdoctor.io.notebook import NotebookReader  # noqa: E402


def _epoch_blocks(text: str) -> list[str]:
    """The text of each epoch (header + what follows), from a real capture."""
    parts = re.split(r"(?m)^(?=Epoch \d+/\d+\r?$)", text)
    return [p for p in parts if p.startswith("Epoch ")]


def make_console_log(path: Path, n_lines: int, source: str) -> int:
    blocks = _epoch_blocks((FIX / "console" / source).read_text())
    n_per = max(1, sum(b.count("\n") for b in blocks) // len(blocks))
    epochs = n_lines // n_per
    out = []
    for e in range(epochs):
        b = blocks[e % len(blocks)]
        out.append(re.sub(r"^Epoch \d+/\d+", f"Epoch {e + 1}/{epochs}", b, count=1))
    path.write_text("".join(out))
    return epochs


def make_notebook(path: Path, target_bytes: int, images: bool = True) -> int:
    nb = json.loads((FIX / "notebook" / "three_trainings.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and c.get("outputs")]
    png = base64.b64encode(os.urandom(150_000)).decode()
    cells = []
    size = 0
    while size < target_bytes:
        for c in code:
            cells.append(json.loads(json.dumps(c)))
            size += len(json.dumps(c))
            if not images:
                continue
            size += len(png)
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "source": "plot()",
                          "outputs": [{"output_type": "display_data", "metadata": {},
                                       "data": {"image/png": png, "text/plain": "<Figure>"}}]})
    nb["cells"] = cells
    path.write_text(json.dumps(nb))
    copies = sum(1 for c in cells if c["source"] != "plot()") // len(code)
    return copies * len(NotebookReader().read(FIX / "notebook" / "three_trainings.ipynb"))


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'input':42s} {'size':>9s} {'lines':>8s} {'baseline':>9s} {'read':>8s} {'ratio':>6s} {'lines/s':>10s}")
        for source, label in (("keras3_v2_healthy.log", "100k-line Keras verbose=2 log"),
                              ("keras3_v1_chance_pty.log", "100k-line Keras verbose=1 terminal log")):
            p = Path(tmp) / source
            epochs = make_console_log(p, 100_000, source)
            n_lines = p.read_bytes().count(b"\n")
            base = _best(lambda: p.read_bytes().decode("utf-8").splitlines())
            runs = ConsoleReader().read(p)
            assert len(runs) == 1 and len(runs[0].series["loss"]) == epochs, "reader lost epochs"
            t = _best(lambda: ConsoleReader().read(p))
            print(f"{label:42s} {p.stat().st_size / 1e6:8.1f}M {n_lines:8d} {base:8.3f}s {t:7.3f}s "
                  f"{t / base:6.1f} {n_lines / t:10.0f}")
        for images in (True, False):
            nbp = Path(tmp) / "big.ipynb"
            n_train = make_notebook(nbp, 10_000_000, images)
            base = _best(lambda: json.loads(nbp.read_bytes().decode("utf-8")))
            runs = NotebookReader().read(nbp)
            assert len(runs) == n_train, "reader lost runs"
            t = _best(lambda: NotebookReader().read(nbp))
            epochs = sum(len(r.series["loss"]) for r in runs)
            what = "trainings + images" if images else "trainings, text only"
            label = f"10 MB notebook ({n_train} {what})"
            print(f"{label:42s} {nbp.stat().st_size / 1e6:8.1f}M {'-':>8s} {base:8.3f}s {t:7.3f}s "
                  f"{t / base:6.1f} {'-':>10s}   ({len(runs)} runs, {epochs} epochs)")


if __name__ == "__main__":
    main()
