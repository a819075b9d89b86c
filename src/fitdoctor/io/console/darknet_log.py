"""The training output of darknet (AlexeyAB's YOLOv3/v4/v7 trainer), one line per iteration:

     1136: 0.687450, 0.798039 avg loss, 0.002610 rate, 0.590258 seconds, 54528 images, 0.161013 hours left

the iteration, that batch's loss, darknet's running average of it (the curve its chart draws),
the learning rate; with ``-map``, the validation mAP every few hundred iterations
(``mean average precision (mAP@0.50) = 0.403355, or 40.34 %``, and ``Last accuracy mAP@0.5 = 40.34 %, best =
40.34 %`` repeated after it). Each becomes a ``step N | ...`` line for the generic reader. Read as
generic pairs before, ``avg loss, 0.000000`` made the learning rate the loss.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_ITERATION = re.compile(r"^\s*(\d+)(?:\s*\(\s*next mAP[^)]*\))?:\s*(" + NUM + r"),\s*(" + NUM + r")\s+avg(?:\s+loss)?,\s*("
                        + NUM + r")\s+rate\b")
_MAP = re.compile(r"mean[ _]average[ _]precision\s*\(mAP@0?\.50?\)\s*=\s*(" + NUM + r")")
#: the mAP calculation's own report, class by class and at its confidence threshold, and the
#: reminder printed every iteration: no curve of their own (the mAP line above sums them)
_MAP_BLOCK = re.compile(r"^\s*(?:\(next mAP calculation at \d+ iterations\)|class_id\s*=|for conf_thresh\s*=|"
                        r"rank\s*=\s*\d+\s+of\s+ranks|IoU threshold\s*=|detections_count\s*=|unique_truth_count\s*=)")
_LAST_MAP = re.compile(r"Last accuracy mAP@0?\.5\s*=\s*(" + NUM + r")\s*%")


def darknet_lines_as_lines(text: str) -> tuple[str, str | None]:
    """Every darknet iteration line and mAP result as a ``step N | ...`` line (other lines as they
    were), and a note; the text unchanged when it holds fewer than two iteration lines."""
    if "avg" not in text or " rate" not in text:
        return text, None
    lines = text.split("\n")
    if sum(1 for line in lines[:4000] if _ITERATION.match(line)) < 2:
        return text, None
    out: list[str] = []
    iteration: str | None = None
    last_map: float | None = None
    for line in lines:
        m = _ITERATION.match(line)
        if m is not None:
            iteration = m.group(1)
            out.append(f"step {iteration} | loss={m.group(2)} loss_ema={m.group(3)} lr={m.group(4)}")
            continue
        if _MAP_BLOCK.match(line):
            continue
        mp = _MAP.search(line)
        last = _LAST_MAP.search(line) if mp is None else None
        if iteration is not None and (mp is not None or last is not None):
            value = float(mp.group(1)) if mp is not None else float(last.group(1)) / 100.0
            if last is None or last_map is None or abs(value - last_map) > 1e-6:
                out.append(f"step {iteration} | val_map50={value:.6g}")
                last_map = value
            continue
        out.append(line)
    return "\n".join(out), ("read as darknet's output: each iteration's batch loss as loss (its running average, 0.9 old + 0.1 new, as "
                            "loss_ema), the validation mAP@0.5 where it was computed")
