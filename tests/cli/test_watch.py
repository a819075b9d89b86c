"""fitdoctor watch: follow a log being written, re-diagnose, exit on a finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from fitdoctor.watch import Watcher

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(*args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "fitdoctor.cli", "watch", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def csv_rows(n, start=0, overfit=True):
    rows = []
    for e in range(start, start + n):
        val = 0.72 * 0.8 ** e + 0.35 + (0.012 * max(e - 10, 0) if overfit else 0.0)
        rows.append(f"{e},{0.7 * 0.85 ** e + 0.01:.4f},{val:.4f}\n")
    return "".join(rows)


# ---------------------------------------------------------------- the command, on finished logs
def test_once_prints_the_diagnosis_so_far(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,loss,val_loss\n" + csv_rows(40))
    r = run(str(p), "--once")
    assert r.returncode == 0, r.stderr
    assert "40 epochs" in r.stdout and "overfitting" in r.stdout
    assert "in progress" in r.stderr


def test_exit_on_sets_the_exit_code(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,loss,val_loss\n" + csv_rows(40))
    assert run(str(p), "--once", "--exit-on", "warning").returncode == 1
    assert run(str(p), "--once", "--exit-on", "error").returncode == 0
    nan = FIXTURES / "lightning" / "nan"
    assert run(str(nan), "--once", "--exit-on", "error").returncode == 1


def test_json_lines(tmp_path):
    r = run(str(FIXTURES / "huggingface" / "normal"), "--once", "--json")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines[0]["type"] == "update" and lines[0]["axis"] == "step"
    assert lines[-1]["type"] == "final" and lines[-1]["runs"]


@pytest.mark.parametrize("args,msg", [
    (["--exit-on", "warn"], "--exit-on 'warn': expected 'warning' or 'error'"),
    (["--interval", "0"], "--interval 0.0: expected a positive number of seconds"),
    (["--mute", "overfit"], "unknown finding code 'overfit'"),
    (["--format", "nope"], "unknown format 'nope'"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path, args, msg):
    p = tmp_path / "log.csv"
    p.write_text("epoch,loss\n0,1\n")
    r = run(str(p), "--once", *args)
    assert r.returncode == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_path_that_cannot_appear_or_never_does_is_exit_2(tmp_path):
    r = run(str(tmp_path / "no" / "such.csv"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    r = run(str(tmp_path / "later.csv"), "--timeout", "1", "--interval", "0.2")
    assert r.returncode == 2 and "nothing readable within 1 s" in r.stderr
    r = run(str(tmp_path / "later.csv"), "--once")
    assert r.returncode == 2 and "no such file" in r.stderr
    (tmp_path / "empty.csv").write_text("")
    r = run(str(tmp_path / "empty.csv"), "--once")  # one line: no "watching ..." before the error
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        f"fitdoctor: error: {tmp_path / 'empty.csv'}: no complete line yet"], r.stderr


def test_standard_input_is_followed_to_its_end():
    log = (FIXTURES / "console" / "keras3_v1_chance_pty.log").read_text(encoding="utf-8", errors="replace")
    r = run("-", "--interval", "0.1", stdin=log)
    assert r.returncode == 0, r.stderr
    assert "chance_level" in r.stdout
    assert "in progress" not in r.stderr  # the pipe closed: the run is over, judged as finished


# ---------------------------------------------------------------- the watcher, on files being written
def test_a_half_written_row_waits_for_its_end(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,loss,val_loss\n" + csv_rows(5) + "5,0.31,")
    w = Watcher(p)
    u = w.poll()
    h = u.runs[0].monitor.history
    assert len(h.series["val_loss"]) == 5 and np.isfinite(h.series["val_loss"].values).all()
    assert w.poll() is None  # nothing changed
    with open(p, "a") as fh:
        fh.write("0.55\n")
    u = w.poll()
    assert u.grown and u.runs[0].points == 6
    w.close()


def test_a_file_that_appears_later_and_one_that_is_truncated(tmp_path):
    p = tmp_path / "log.csv"
    w = Watcher(p)
    waiting = w.poll()
    assert "appear" in waiting.waiting and repr(waiting) == f"Update(waiting: {waiting.waiting})"
    p.write_text("epoch,loss,val_loss\n" + csv_rows(30))
    u = w.poll()
    assert u.runs[0].points == 30 and any(e.code == "overfitting" for _, e in u.events)
    assert "30 points" in repr(u) and "overfitting" in repr(u) and "\n" not in repr(u)  # one line
    p.write_text("epoch,loss,val_loss\n" + csv_rows(4, overfit=False))  # a new run overwrites the file
    u = w.poll()
    assert u.restarted and u.runs[0].points == 4 and "overfitting" not in u.runs[0].monitor.current
    w.close()


def test_json_being_rewritten_is_retried(tmp_path):
    good = (FIXTURES / "huggingface" / "normal" / "trainer_state.json")
    if not good.exists():
        good = next((FIXTURES / "huggingface" / "normal").rglob("trainer_state.json"))
    p = tmp_path / "trainer_state.json"
    text = good.read_text()
    p.write_text(text[: len(text) // 2])
    w = Watcher(p)
    assert w.poll().waiting  # invalid JSON: not a crash, a wait
    p.write_text(text)
    assert w.poll().runs[0].points > 0
    w.close()


def test_a_new_epoch_shows_within_two_seconds(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,loss,val_loss\n")
    w = Watcher(p)
    written: dict[int, float] = {}

    def writer():
        for e in range(6):
            time.sleep(0.3)
            with open(p, "a") as fh:
                fh.write(csv_rows(1, start=e))
            written[e] = time.monotonic()

    t = threading.Thread(target=writer)
    t.start()
    shown: dict[int, float] = {}
    deadline = time.monotonic() + 20
    while len(shown) < 6 and time.monotonic() < deadline:
        u = w.poll()
        if u is not None and u.runs:
            for e in range(u.runs[0].points):
                shown.setdefault(e, u.t)
        time.sleep(0.5)
    t.join()
    w.close()
    lat = [shown[e] - written[e] for e in range(6)]
    assert max(lat) < 2.0, lat


# ---------------------------------------------------------------- a real training process
KERAS_TRAINING = textwrap.dedent("""
    import os, sys, time
    import numpy as np, torch, keras
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 8)).astype("float32")
    y = (rng.random(600) < 0.55).astype("float32")          # labels the features do not predict
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    slow = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: time.sleep(0.4))
    model.fit(X, y, validation_split=0.2, epochs=60, batch_size=64, verbose=0,
              callbacks=[keras.callbacks.CSVLogger(sys.argv[1]), slow])
""")


def test_watch_follows_a_real_keras_training_and_exits_on_its_finding(tmp_path):
    pytest.importorskip("keras")
    pytest.importorskip("torch")
    log = tmp_path / "training.csv"
    script = tmp_path / "train.py"
    script.write_text(KERAS_TRAINING)
    env = dict(os.environ, KERAS_BACKEND="torch")
    trainer = subprocess.Popen([sys.executable, str(script), str(log)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = run(str(log), "--exit-on", "error", "--timeout", "240", "--interval", "0.3", timeout=300)
        still_training = trainer.poll() is None
    finally:
        trainer.kill()
        trainer.wait()
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert still_training  # watch exited on the finding while the run was still going
    counts = [int(line.split(": ")[1].split()[0]) for line in r.stdout.splitlines() if " epochs  loss " in line
              or " epoch  loss " in line]
    assert len(counts) >= 2 and counts == sorted(counts)  # it followed the epochs as they came
    assert "ERROR chance_level" in r.stdout
    assert "--exit-on error: chance_level (error)" in r.stderr


def test_ctrl_c_stops_cleanly_with_the_diagnosis_so_far(tmp_path):
    import signal

    p = tmp_path / "log.csv"
    p.write_text("epoch,loss,val_loss\n" + csv_rows(30))
    proc = subprocess.Popen([sys.executable, "-m", "fitdoctor.cli", "watch", str(p), "--interval", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    out = ""
    while "30 epochs" not in out and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out += line
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped (Ctrl-C)" in err and "Traceback" not in err
    assert "overfitting" in rest and "keep:" in rest


def test_the_live_view_on_a_terminal(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("epoch,loss,val_loss\n" + csv_rows(30))
    env = dict(os.environ, TTY_COMPATIBLE="1", COLUMNS="100")
    r = subprocess.run([sys.executable, "-m", "fitdoctor.cli", "watch", str(p), "--timeout", "1.5", "--interval", "0.2"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"fitdoctor watch {p}" in r.stdout and "overfitting" in r.stdout


def test_a_tensorboard_folder_being_written(tmp_path):
    pytest.importorskip("tensorboard")
    pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    w = Watcher(tmp_path)
    writer = SummaryWriter(str(tmp_path))
    seen = []
    for e in range(8):
        writer.add_scalar("loss/train", 0.7 * 0.85 ** e + 0.01, e)
        writer.add_scalar("loss/val", 0.72 * 0.8 ** e + 0.35, e)
        writer.flush()
        for _ in range(3):  # a folder is read once it held still for a poll
            u = w.poll()
            if u is not None and u.runs:
                seen.append(u.runs[0].points)
            time.sleep(0.05)
    writer.close()
    w.close()
    assert seen and seen == sorted(seen) and seen[-1] == 8
    assert len(set(seen)) >= 4  # it followed the run, not only its end
