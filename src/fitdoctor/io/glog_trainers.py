"""Training logs of C++ trainers that log through glog: Caffe's solver and PaddlePaddle v1.

Each line carries glog's prefix (``I0411 21:21:07.979472 31883 solver.cpp:189] ``), which the
console reader drops as a library's runtime chatter; here it is the training itself.

What Caffe's solver writes (``solver.cpp``, ``sgd_solver.cpp``), every ``display`` iterations
and every ``test_interval``:

* ``Iteration 100 (10.6 iter/s, 9.4s/100 iters), loss = 0.3095`` (``Iteration 100, loss =
  0.3095`` before 2016): the training objective, smoothed over ``average_loss`` iterations;
* ``    Train net output #0: loss = 0.3095 (* 1 = 0.3095 loss)``: each output of the
  training net at that iteration; a loss output carries its weight and weighted value;
* ``Iteration 100, lr = 0.0099``;
* ``Iteration 500, Testing net (#0)``, then ``    Test net output #0: accuracy = 0.9698`` and
  ``    Test net output #1: loss = 0.0967 (* 1 = 0.0967 loss)``: the held-out net, averaged
  over ``test_iter`` batches.

Caffe calls the held-out net "test", but it is evaluated during training and selects the
snapshot: it is the validation curve (``val_*``). Its loss is the sum of the weighted loss
outputs, as the training objective is. A second test net (``#1``) is left out with a note;
iterations that start again from 0 begin a new run.

PaddlePaddle v1's ``paddle_trainer`` writes, per pass (``TrainerInternal.cpp``, ``Tester.cpp``):
``Pass=0 Batch=1472 samples=188399 AvgCost=11.18 Eval: classification_error_evaluator=0.126``
and ``Test samples=91292 cost=10.81 Eval: classification_error_evaluator=0.126``; the
``Batch=1000 ... AvgCost=`` lines between them are running averages inside the pass.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name
from fitdoctor.io.base import Reader, decode_text, looks_binary, read_text, register

#: glog's prefix: severity, date, time, thread id, source file and line
GLOG = re.compile(r"^\s*(?:#\s*)?[IWEF]\d{4} \d\d:\d\d:\d\d(?:\.\d+)? +\d+ [\w./-]+:\d+\] ?")
_NUM = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b)"

_ITER_LOSS = re.compile(r"\bIteration (\d+)(?: \([^)]*\))?, loss = " + _NUM, re.I)
_LR = re.compile(r"\bIteration (\d+), lr = " + _NUM)
_TESTING = re.compile(r"\bIteration (\d+), Testing net \(#(\d+)\)")
_OUTPUT = re.compile(r"\b(Train|Test) net output #(\d+): (.+?) = " + _NUM
                     + r"(?: \(\* " + _NUM + r" = " + _NUM + r" loss\))?\s*$")

_PASS = re.compile(r"\bPass=(\d+) Batch=\d+ samples=\d+ AvgCost=" + _NUM + r"(.*)$")
_PADDLE_TEST = re.compile(r"\bTest samples=\d+ cost=" + _NUM + r"(.*)$")
_EVAL = re.compile(r"([A-Za-z_][\w.]*)=" + _NUM)


#: the solver's planned length among the parameters it prints when it starts
_MAX_ITER = re.compile(r"^\s*max_iter:\s*(\d+)\s*$")


def _body(line: str) -> str:
    return GLOG.sub("", line, count=1).rstrip()


class _Points:
    """Points of one run: name -> {step: value} (a later value at the same step wins)."""

    def __init__(self) -> None:
        self.series: dict[str, dict[float, float]] = {}
        self.raw: dict[str, str] = {}

    def add(self, name: str, step: float, value: float, raw: str) -> None:
        self.series.setdefault(name, {})[step] = value
        self.raw.setdefault(name, raw)

    def history(self, source: str, fmt: str, axis: str, run: str) -> RunHistory:
        h = RunHistory(meta={"source": source, "format": fmt, "run": run})
        for name, pts in self.series.items():
            steps = np.array(sorted(pts), dtype=float)
            h.add(name, steps, np.array([pts[s] for s in sorted(pts)], dtype=float),
                  raw_name=self.raw[name], axis=axis)
        return h


def read_caffe_text(text: str, source: str = "<text>") -> list[RunHistory]:
    """Every run in a Caffe solver log, on the iteration axis."""
    runs: list[_Points] = []
    cur: _Points | None = None
    last_iter = -1
    train_at = test_at = None
    test_net = 0
    test_loss: dict[float, float] = {}
    other_nets: set[int] = set()
    losses: list[dict[float, float]] = []
    # the solver's max_iter (printed with its parameters when it starts), for each run: a log
    # that ends far short of it was cut short (see ``cut_short``)
    max_iter: int | None = None
    planned: list[int | None] = []

    def at(iteration: int) -> None:
        nonlocal cur, last_iter, test_loss
        if cur is None or iteration < last_iter:
            cur = _Points()
            runs.append(cur)
            planned.append(max_iter)
            test_loss = {}
            losses.append(test_loss)
        last_iter = iteration

    for line in text.splitlines():
        body = _body(line)
        if m := _MAX_ITER.match(body):
            max_iter = int(m.group(1))
            continue
        if "Iteration" not in body and "net output" not in body:
            continue
        if m := _TESTING.search(body):
            it = int(m.group(1))
            at(it)
            test_at, test_net = float(it), int(m.group(2))
        elif m := _ITER_LOSS.search(body):
            it = int(m.group(1))
            at(it)
            train_at = float(it)
            cur.add("loss", train_at, float(m.group(2)), "loss")
        elif m := _LR.search(body):
            it = int(m.group(1))
            at(it)
            cur.add("lr", float(it), float(m.group(2)), "lr")
        elif (m := _OUTPUT.search(body)) and cur is not None:
            split, name, value, weighted = m.group(1), m.group(3).strip(), float(m.group(4)), m.group(6)
            if split == "Test":
                if test_at is None:
                    continue
                if test_net != 0:
                    other_nets.add(test_net)
                    continue
                if weighted is not None:
                    test_loss[test_at] = test_loss.get(test_at, 0.0) + float(weighted)
                    if canonical_name(name) == "loss":
                        continue  # the validation loss is the sum of the weighted loss outputs
                cur.add(f"val_{canonical_name(name)}", test_at, value, f"Test net output: {name}")
            elif train_at is not None and weighted is None:
                # a training loss output is a part of the objective logged as ``loss``
                cur.add(canonical_name(name), train_at, value, f"Train net output: {name}")
    out = []
    for i, (pts, vl, plan) in enumerate(zip(runs, losses, planned)):
        for step, v in vl.items():
            pts.add("val_loss", step, v, "Test net loss (weighted sum)")
        if not pts.series:
            continue
        stem = Path(source).stem
        h = pts.history(source, "caffe", "step", f"{stem} run {i + 1}" if len(runs) > 1 else stem)
        if plan:
            h.meta["max_steps"] = plan
            h.meta["global_step"] = max(max(p) for p in pts.series.values() if p)
        if other_nets:
            h.note(f"left out test net{'s' if len(other_nets) > 1 else ''} "
                   f"{', '.join(f'#{n}' for n in sorted(other_nets))}: net #0 is read as validation")
        out.append(h)
    return out


def read_paddle_v1_text(text: str, source: str = "<text>") -> list[RunHistory]:
    """A PaddlePaddle v1 ``paddle_trainer`` log, one point per pass."""
    pts = _Points()
    current: float | None = None
    averaged: set[str] = set()

    def evals(rest: str, prefix: str, step: float) -> None:
        found: dict[str, list[float]] = {}
        for name, value in _EVAL.findall(rest.split("CurrentEval:")[0]):
            found.setdefault(name, []).append(float(value))
        for name, values in found.items():
            v = float(np.mean(values))
            if len(values) > 1:
                averaged.add(name)
            if name.endswith("classification_error_evaluator"):
                pts.add(f"{prefix}accuracy", step, 1.0 - v, f"1 - {name}")
            else:
                pts.add(prefix + canonical_name(name), step, v, name)

    for line in text.splitlines():
        body = _body(line)
        if m := _PASS.search(body):
            current = float(m.group(1))
            pts.add("loss", current, float(m.group(2)), "AvgCost")
            evals(m.group(3), "", current)
        elif (m := _PADDLE_TEST.search(body)) and current is not None:
            pts.add("val_loss", current, float(m.group(1)), "Test cost")
            evals(m.group(2), "val_", current)
    if not pts.series:
        return []
    h = pts.history(source, "paddle-v1", "epoch", Path(source).stem)
    if any(n.endswith("classification_error_evaluator") for n in pts.raw.values()):
        h.note("classification_error_evaluator read as accuracy: 1 - the error it logs")
    for name in sorted(averaged):
        h.note(f"{name!r} is logged once per output: read as their mean")
    return [h]


def _head_text(head: bytes) -> str:
    return "" if looks_binary(head) else decode_text(head)


def _sniff(text: str, first: tuple[str, ...], markers: tuple[str, ...]) -> float:
    """Sure when the head holds one of ``first`` (the trainer's own name or source file) and one
    of its ``markers`` (the net's setup can fill the head before training prints anything)."""
    return 0.95 if any(f in text for f in first) and any(m in text for m in markers) else 0.0


class _GlogReader(Reader):
    """A trainer's glog log: its lines read by ``parse``; a file where it finds none is refused
    with ``missing``, which says what lines were expected."""

    parse: Callable[..., list[RunHistory]]
    missing: str

    def read(self, path: Path) -> list[RunHistory]:
        runs = self.parse(read_text(path, binary_expected="a glog training log"), source=str(path))
        if not runs:
            raise BadInput(f"{path}: {self.missing}")
        return runs


@register
class CaffeReader(_GlogReader):
    name = "caffe"
    description = "Caffe solver logs (glog lines: 'Iteration N, loss = ...', 'Test net output #0: ...')"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        text = _head_text(head)
        if "Testing net (#" in text and "net output #" in text:
            return 0.95  # solver lines pasted without glog's prefix
        return _sniff(text, ("solver.cpp:",), ("net.cpp:", "caffe.cpp:", "Testing net (#", "net output #", "Iteration "))

    parse = staticmethod(read_caffe_text)
    missing = ("no Caffe solver lines found; expected lines like 'Iteration 500, loss = 0.31' and "
               "'Test net output #0: accuracy = 0.97'")


@register
class PaddleV1Reader(_GlogReader):
    name = "paddle-v1"
    description = "PaddlePaddle v1 paddle_trainer logs (glog lines: 'Pass=0 ... AvgCost=', 'Test samples=... cost=')"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> float:
        return _sniff(_head_text(head), ("paddle_trainer", "TrainerInternal.cpp:"),
                      ("TrainerInternal.cpp:", "Tester.cpp:", "Trainer.cpp:", " AvgCost="))

    parse = staticmethod(read_paddle_v1_text)
    missing = ("no PaddlePaddle v1 pass lines found; expected lines like "
               "'Pass=0 Batch=1472 samples=188399 AvgCost=11.18' and 'Test samples=91292 cost=10.81'")
