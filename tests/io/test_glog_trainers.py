"""Caffe solver logs and PaddlePaddle v1 trainer logs: glog lines are the training, not chatter.

The logs are written line by line with the format strings of Caffe's ``solver.cpp`` /
``sgd_solver.cpp`` and PaddlePaddle v1's ``TrainerInternal.cpp`` / ``Tester.cpp``, glog
prefix and all."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.errors import BadInput


def _glog(src: str, msg: str, i: int) -> str:
    sec = 4.0 + 0.37 * i
    return f"I0411 21:{21 + int(sec // 60):02d}:{sec % 60:09.6f} 31883 {src}] {msg}"


def caffe_log(val_loss, train_loss, *, accuracy=None, display=100, test_interval=500, new_style=True,
              second_net=False, preamble=True, max_iter=None, done=True) -> str:
    """A Caffe solver log: ``train_loss`` per display, ``val_loss`` (and accuracy) per test."""
    lines, i = [], 0
    if preamble:
        lines += [_glog("caffe.cpp:218", "Using GPUs 0", 0),
                  _glog("solver.cpp:44", "Initializing solver from parameters: ", 1),
                  "test_iter: 100", "test_interval: 500", "base_lr: 0.01", "display: 100",
                  *([f"max_iter: {max_iter}"] if max_iter else []),
                  _glog("net.cpp:51", "Initializing net from parameters: ", 2),
                  _glog("net.cpp:84", "Creating Layer mnist", 3),
                  _glog("solver.cpp:288", "Solving LeNet", 4),
                  _glog("solver.cpp:289", "Learning Rate Policy: inv", 5)]
    n_iter = display * (len(train_loss) - 1)
    tests = iter(range(len(val_loss)))
    for k, tl in enumerate(train_loss):
        it = k * display
        i += 3
        if it % test_interval == 0 and it <= n_iter:
            t = next(tests, None)
            if t is not None:
                lines.append(_glog("solver.cpp:330", f"Iteration {it}, Testing net (#0)", i))
                o = 0
                if accuracy is not None:
                    lines.append(_glog("solver.cpp:397", f"    Test net output #{o}: accuracy = {accuracy[t]:g}", i))
                    o += 1
                v = val_loss[t]
                lines.append(_glog("solver.cpp:397", f"    Test net output #{o}: loss = {v:g} (* 1 = {v:g} loss)", i))
                if second_net:
                    lines.append(_glog("solver.cpp:330", f"Iteration {it}, Testing net (#1)", i))
                    lines.append(_glog("solver.cpp:397", f"    Test net output #0: loss = {9 * v:g} (* 1 = {9 * v:g} loss)", i))
        head = f"Iteration {it} (10.6 iter/s, 9.43s/{display} iters), loss = {tl:g}" if new_style else \
            f"Iteration {it}, loss = {tl:g}"
        lines.append(_glog("solver.cpp:218" if new_style else "solver.cpp:189", head, i))
        lines.append(_glog("solver.cpp:237", f"    Train net output #0: loss = {tl:g} (* 1 = {tl:g} loss)", i))
        lines.append(_glog("sgd_solver.cpp:105", f"Iteration {it}, lr = {0.01 / (1 + 1e-4 * it) ** 0.75:g}", i))
    if done:
        lines.append(_glog("solver.cpp:253", "Optimization Done.", i + 1))
    return "\n".join(lines) + "\n"


def _overfit_curves(n_tests=20, per=5):
    x = np.arange(n_tests)
    val = 0.6 * np.exp(-x / 2.0) + 0.1 + 0.012 * np.maximum(x - 6, 0)
    train = 0.7 * np.exp(-np.arange(n_tests * per) / (2.0 * per)) + 0.02
    return list(val), list(train) + [train[-1] * 0.98]


def test_a_caffe_log_reads_as_iterations_with_the_test_net_as_validation(tmp_path):
    val, train = _overfit_curves()
    acc = list(np.linspace(0.8, 0.97, len(val)))
    path = tmp_path / "caffe_train.log"
    path.write_text(caffe_log(val, train, accuracy=acc))
    runs = fd.read_runs(path)
    assert len(runs) == 1
    h = runs[0]
    assert h.meta["format"] == "caffe"
    assert h.series["loss"].steps[:3].tolist() == [0.0, 100.0, 200.0]
    assert h.series["val_loss"].steps[:3].tolist() == [0.0, 500.0, 1000.0]
    np.testing.assert_allclose(h.series["val_loss"].values, val, rtol=1e-5)
    np.testing.assert_allclose(h.series["val_accuracy"].values, acc, rtol=1e-5)
    assert "lr" in h.series and h.series["loss"].axis == "step"
    d = fd.diagnose(h)
    assert d.findings[0].code == "overfitting", [f.code for f in d.findings]


def test_the_old_solver_lines_and_a_second_test_net(tmp_path):
    val, train = _overfit_curves()
    path = tmp_path / "old.log"
    path.write_text(caffe_log(val, train, new_style=False, second_net=True))
    h = fd.read(path)
    np.testing.assert_allclose(h.series["val_loss"].values, val, rtol=1e-5)  # net #0, not #1
    assert any("test net #1" in n for n in h.meta["notes"])


def test_a_caffe_run_started_again_from_iteration_0_is_a_second_run(tmp_path):
    val, train = _overfit_curves()
    path = tmp_path / "two.log"
    path.write_text(caffe_log(val, train) + caffe_log(val[:8], train[:40], preamble=False))
    runs = fd.read_runs(path)
    assert [len(r.series["val_loss"]) for r in runs] == [20, 8]


def test_solver_lines_pasted_without_the_glog_prefix(tmp_path):
    val, train = _overfit_curves()
    text = "\n".join(line.split("] ", 1)[1] if "] " in line else line
                     for line in caffe_log(val, train, preamble=False).splitlines())
    path = tmp_path / "pasted.txt"
    path.write_text(text)
    h = fd.read(path)
    assert h.meta["format"] == "caffe" and len(h.series["val_loss"]) == 20


def test_a_caffe_log_without_solver_lines_is_refused_in_one_line(tmp_path):
    path = tmp_path / "setup_only.log"
    path.write_text(caffe_log([], [], preamble=True).replace("Optimization Done.", "Solving LeNet"))
    with pytest.raises(BadInput) as e:
        fd.read_runs(path, fmt="caffe")
    assert "\n" not in str(e.value) and "Iteration" in str(e.value)


def paddle_v1_log(cost, test_cost, error, test_error, outputs=3) -> str:
    lines = [_glog("Util.cpp:155", "commandline: /usr/local/bin/../opt/paddle/bin/paddle_trainer "
                   "--config=trainer_config.py --num_passes=30", 0),
             _glog("Trainer.cpp:170", "trainer mode: Normal", 1)]
    for p, (c, tc, e, te) in enumerate(zip(cost, test_cost, error, test_error)):
        ev = " ".join(f"classification_error_evaluator={e + 0.001 * k:g}" for k in range(outputs))
        tev = " ".join(f"classification_error_evaluator={te + 0.001 * k:g}" for k in range(outputs))
        lines.append("." * 47 + _glog("TrainerInternal.cpp:165", f" Batch=1000 samples=128000 AvgCost={c * 1.1:g} "
                                      f"CurrentCost={c * 1.1:g} Eval: {ev}  CurrentEval: {ev} ", p))
        lines.append("." * 47 + _glog("TrainerInternal.cpp:182", f" Pass={p} Batch=1472 samples=188399 AvgCost={c:g} "
                                      f"Eval: {ev} ", p))
        lines.append(_glog("Tester.cpp:127", f" Test samples=91292 cost={tc:g} Eval: {tev} ", p))
        lines.append(_glog("GradientMachine.cpp:63", f"Saving parameters to ./output/pass-{p:05d}", p))
    return "\n".join(lines) + "\n"


def test_a_paddle_v1_log_reads_one_point_per_pass(tmp_path):
    n = 30
    x = np.arange(n)
    cost = list(11.2 - 2.0 * (1 - np.exp(-x / 4)))
    test_cost = list(10.8 - 1.2 * (1 - np.exp(-x / 4)))
    err = list(0.13 - 0.03 * (1 - np.exp(-x / 4)))
    path = tmp_path / "train.log"
    path.write_text(paddle_v1_log(cost, test_cost, err, err))
    h = fd.read(path)
    assert h.meta["format"] == "paddle-v1"
    assert h.series["loss"].steps.tolist() == list(map(float, x))
    np.testing.assert_allclose(h.series["loss"].values, cost, rtol=1e-5)  # the Pass= lines, not Batch=1000
    np.testing.assert_allclose(h.series["val_loss"].values, test_cost, rtol=1e-5)
    # three outputs' errors 0.001 apart: their mean, as an accuracy
    np.testing.assert_allclose(h.series["val_accuracy"].values, 1 - (np.array(err) + 0.001), rtol=1e-5)
    assert any("1 - the error" in note for note in h.meta["notes"])
    assert fd.diagnose(h).findings[0].code in ("healthy", "still_improving")


def test_the_console_reader_no_longer_gets_these_logs(tmp_path):
    """Before this reader the glog prefix made every line a library's chatter: no curves."""
    val, train = _overfit_curves()
    path = tmp_path / "caffe.log"
    path.write_text(caffe_log(val, train))
    from fitdoctor.io.base import load_readers, read_head

    readers = load_readers()
    scores = {name: r.sniff(path, read_head(path)) for name, r in readers.items() if r.reads_files}
    assert max(scores, key=scores.get) == "caffe"
    assert not math.isnan(scores["caffe"])


def test_a_caffe_log_cut_far_short_of_its_max_iter_still_falling_is_still_improving(tmp_path):
    """A deep-hashing run logged 300 of its solver's 10000 iterations (max_iter, printed with the
    solver's parameters): its noisy loss still drifting down, best two points before the end.
    It read "fell and settled"; the same curve in a log of a finished run, or one without its
    max_iter, still does."""
    train = [1.0681, 1.0447, 0.9829, 0.9938, 0.9775, 0.9319, 0.9145, 0.9427, 0.9128, 0.924, 0.9346, 0.9147,
             0.9291, 0.8862, 0.8641, 0.886]
    cut = tmp_path / "cut.log"
    cut.write_text(caffe_log([], train, display=20, max_iter=10000, done=False))
    h = fd.read(cut)
    assert (h.meta["global_step"], h.meta["max_steps"]) == (300, 10000)
    d = fd.diagnose(h)
    assert d.top.code == "still_improving", d.codes
    assert "at step 300 of the 10000 planned (3%)" in d.top.message
    finished = tmp_path / "finished.log"
    finished.write_text(caffe_log([], train, display=20, max_iter=300))
    assert "still_improving" not in fd.diagnose(fd.read(finished)).codes
    unplanned = tmp_path / "unplanned.log"
    unplanned.write_text(caffe_log([], train, display=20, done=False))
    assert "still_improving" not in fd.diagnose(fd.read(unplanned)).codes
