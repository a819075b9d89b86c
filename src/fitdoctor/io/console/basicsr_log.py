"""The training log of BasicSR and the restoration and quality-assessment trainers built on it
(Real-ESRGAN, NAFNet, Restormer, SwinIR's training code, pyiqa):

    2025-02-04 16:48:00,314 INFO: [basel..][epoch:  1, iter:     100, lr:(2.999e-05,)] [eta: 2:37:00,
        time (data): 2.064 (0.521)] l_pix: 2.6487e-03 l_percep: 1.4853e-01 train_metrics/srcc: 8.0588e-01
    2025-02-04 17:11:42,180 INFO: Validation koniq10k
    	 # srcc: 0.9193	Best: 0.9193 @ 800 iter

(older releases print the validation on one line: ``# Validation Set5 # psnr: 2.8173e+01.``).
Each line becomes a ``step N | name=value ...`` line for the generic reader, on the iteration
counter; a validation block is placed at the iteration of the last train line before it, for
the first validation set a run names. The loss is the sum of the generator's ``l_*`` terms, as
BasicSR's optimiser steps on it; a GAN discriminator's terms (``l_d_real``, ``l_d_fake``) train
another network and are kept under their own names.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_TRAIN = re.compile(r"\]\[epoch:\s*(\d+),\s*iter:\s*([\d,]+),\s*lr:\(([^)]*)\)\][^\n]*?\]\s*(.*)$")
_TERM = re.compile(r"([A-Za-z_][\w/]*):\s*(" + NUM + r")")
_VALIDATION = re.compile(r"\bValidation\s+(\S+)\s*$")
_METRIC_ROW = re.compile(r"^\s*#\s*(\w+):\s*(" + NUM + r")")
_OLD_VALIDATION = re.compile(r"#\s*Validation\s+(\S+)\s+(#\s*\w+:\s*" + NUM + r".*)$")
_START = re.compile(r"Start training from epoch:\s*\d+,\s*iter:\s*\d+")


def _train_cells(terms: str, lr: str) -> list[str]:
    cells, total, parts = [], 0.0, 0
    first_lr = lr.split(",")[0].strip()
    if first_lr:
        cells.append(f"lr={first_lr}")
    for name, value in _TERM.findall(terms):
        leaf = name.replace("train_metrics/", "train_").replace("/", "_")
        cells.append(f"{leaf}={value}")
        if name.startswith("l_") and not name.startswith("l_d_"):
            total += float(value)
            parts += 1
    if parts:
        cells.insert(1 if first_lr else 0, f"loss={total:.6g}")
    return cells


def basicsr_lines_as_lines(text: str) -> tuple[str, str | None]:
    """Every BasicSR train line and validation block as a ``step N | ...`` line (other lines as
    they were), and a note saying what the loss sums; the text unchanged when it holds fewer
    than two train lines."""
    if "][epoch:" not in text:
        return text, None
    lines = text.split("\n")
    if sum(1 for line in lines if _TRAIN.search(line)) < 2:
        return text, None
    out: list[str] = []
    iteration: str | None = None
    dataset: str | None = None  # the first validation set of the run: the one judged
    current: str | None = None  # the set the validation rows below belong to
    pending: list[str] = []
    summed = False

    def flush() -> None:
        if pending and iteration is not None:
            out.append(f"step {iteration} | " + " ".join(pending))
        pending.clear()

    for line in lines:
        if _START.search(line):
            flush()
            dataset = None
            out.append(line)
            continue
        m = _TRAIN.search(line)
        if m is not None:
            flush()
            iteration = m.group(2).replace(",", "")
            cells = _train_cells(m.group(4), m.group(3))
            summed = summed or any(c.startswith("loss=") for c in cells)
            out.append(f"step {iteration} | " + " ".join(cells))
            continue
        old = _OLD_VALIDATION.search(line)
        if old is not None:
            flush()
            dataset = dataset or old.group(1)
            if old.group(1) == dataset:
                pending.extend(f"val_{k}={v}" for k, v in _TERM.findall(old.group(2)))
                flush()
            continue
        v = _VALIDATION.search(line)
        if v is not None:
            flush()
            dataset = dataset or v.group(1)
            current = v.group(1)
            continue
        row = _METRIC_ROW.match(line)
        if row is not None and dataset is not None and current == dataset:
            pending.append(f"val_{row.group(1)}={row.group(2)}")
            continue
        if row is None:
            flush()
        out.append(line)
    flush()
    note = ("read as BasicSR's log: train lines on the iteration counter, each validation at the iteration before it"
            + ("; loss is the sum of the generator's l_* terms" if summed else ""))
    return "\n".join(out), note
