"""Trainer throughput against a hand-written PyTorch loop and Keras 3 ``model.fit``.

    python benchmarks/bench_trainer.py [--rows 4000] [--epochs 5] [--repeats 3]

All three do the same work on the same data: an MLP 20 -> 64 -> 32 -> 1 (ReLU,
dropout 0.3, sigmoid/logit output), Adam 1e-3, batch 32, binary cross-entropy, and
after every epoch the loss and accuracy on the validation split. fitdoctor and the
hand loop also score the whole training split each epoch (fitdoctor's history does);
Keras reports running batch averages instead, so it does slightly less work.
One thread everywhere (fitdoctor's default). Timings are the best of ``--repeats``
interleaved runs, measured as process CPU time by default (``--clock cpu``: robust when
other jobs share the cores) or wall time (``--clock wall``).
Ratios > 1 mean fitdoctor is faster.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

CLOCK = time.process_time

os.environ.setdefault("KERAS_BACKEND", "torch")


def make_data(rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 20)).astype(np.float32)
    w = rng.normal(size=20)
    y = (X @ w + rng.normal(size=rows) > 0).astype(np.int64)
    cut = int(rows * 0.8)
    return X[:cut], y[:cut], X[cut:], y[cut:]


def scores(y, p):
    from sklearn import metrics as m

    pred = (p >= 0.5).astype(int)
    return (m.accuracy_score(y, pred), m.balanced_accuracy_score(y, pred), m.precision_score(y, pred, zero_division=0),
            m.recall_score(y, pred, zero_division=0), m.f1_score(y, pred, zero_division=0), m.roc_auc_score(y, p))


def hand_loop(data, epochs: int, batch: int = 32, seed: int = 0) -> float:
    """What a user writes by hand: the same model and per-epoch evaluation, nothing else."""
    import torch
    from torch import nn

    Xtr, ytr, Xva, yva = data
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(),
                          nn.Dropout(0.3), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = nn.BCEWithLogitsLoss()
    X, y = torch.as_tensor(Xtr), torch.as_tensor(ytr, dtype=torch.float32)
    Xv, yv = torch.as_tensor(Xva), torch.as_tensor(yva, dtype=torch.float32)
    t0 = CLOCK()
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(X), generator=g)
        total = 0.0
        for s in range(0, len(X), batch):
            idx = perm[s:s + batch]
            out = model(X[idx]).reshape(-1)
            loss = lossf(out, y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        model.eval()
        with torch.no_grad():
            for XX, yy, yn in ((X, y, ytr), (Xv, yv, yva)):
                o = model(XX).reshape(-1)
                float(lossf(o, yy))
                scores(yn, torch.sigmoid(o).numpy())
    return CLOCK() - t0


def fitdoctor_fit(data, epochs: int, probe_every: int, batch: int = 32) -> tuple[float, float]:
    from fitdoctor.train.trainer import fit

    Xtr, ytr, Xva, yva = data
    mcfg = {"hidden": [64, 32], "activation": "relu", "dropout_rate": 0.3}
    tcfg = {"optimizer": "adam", "lr": 1e-3, "batch_size": batch, "epochs": epochs, "early_stopping": False}
    t0 = CLOCK()
    r = fit(mcfg, tcfg, Xtr, ytr, Xva, yva, task="binary", n_classes=2, probe_every=probe_every)
    return CLOCK() - t0, len(r.probe_rows)


def keras_fit(data, epochs: int, batch: int = 32) -> float | None:
    try:
        import keras
    except ImportError:
        return None
    Xtr, ytr, Xva, yva = data
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    t0 = CLOCK()
    model.fit(Xtr, ytr.astype("float32"), batch_size=batch, epochs=epochs,
              validation_data=(Xva, yva.astype("float32")), verbose=0)
    return CLOCK() - t0


def probe_step_cost(batch: int = 32, steps: int = 300, repeats: int = 6) -> tuple[float, float]:
    """(plain step ms, probed step ms), isolated from everything else, best of interleaved repeats."""
    import torch

    from fitdoctor.train.model import build_model
    from fitdoctor.train.probes import ProbeRecorder

    torch.manual_seed(0)
    m = build_model({"hidden": [64, 32], "dropout_rate": 0.3}, 20, 1)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    x, y = torch.randn(batch, 20), torch.rand(batch)
    lossf = torch.nn.BCEWithLogitsLoss()
    rec = ProbeRecorder(m, every=1)

    def step(probe: bool) -> None:
        if probe:
            rec.start()
        loss = lossf(m(x).reshape(-1), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if probe:
            rec.after_backward(0, 0)
        opt.step()
        if probe:
            rec.after_step()

    best = {False: float("inf"), True: float("inf")}
    for _ in range(repeats):
        for probe in (False, True):
            t0 = CLOCK()
            for _ in range(steps):
                step(probe)
            best[probe] = min(best[probe], (CLOCK() - t0) / steps * 1e3)
    return best[False], best[True]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--probe-every", type=int, default=25)
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    a = ap.parse_args()
    import torch

    global CLOCK
    CLOCK = time.process_time if a.clock == "cpu" else time.perf_counter

    from fitdoctor.train.probes import DEFAULT_EVERY

    torch.set_num_threads(1)
    data = make_data(a.rows)
    steps = a.epochs * -(-len(data[0]) // 32)
    hand_loop(data, 1)  # warm up imports and allocator
    fitdoctor_fit(data, 1, 0)
    t = {"hand": [], "off": [], "on": [], "keras": []}
    probes = 0
    for _ in range(a.repeats):
        t["hand"].append(hand_loop(data, a.epochs))
        t["off"].append(fitdoctor_fit(data, a.epochs, 0)[0])
        on, probes = fitdoctor_fit(data, a.epochs, a.probe_every)
        t["on"].append(on)
        if not a.no_keras:
            k = keras_fit(data, a.epochs)
            if k is not None:
                t["keras"].append(k)
    best = {k: min(v) for k, v in t.items() if v}
    print(f"{a.rows} rows x 20 features, {a.epochs} epochs, batch 32, {steps} steps, 1 thread, "
          f"best of {a.repeats}, {a.clock} time")
    print(f"  hand-written PyTorch loop   {best['hand']:.3f} s  ({steps / best['hand']:.0f} steps/s)")
    print(f"  fitdoctor, probes off       {best['off']:.3f} s  ratio vs hand loop {best['hand'] / best['off']:.3f}x "
          f"(target >= 0.95x)")
    print(f"  fitdoctor, probes every {a.probe_every:<3d} {best['on']:.3f} s  ratio vs hand loop "
          f"{best['hand'] / best['on']:.3f}x (target >= 0.90x; default every {DEFAULT_EVERY})")
    extra = best["on"] - best["off"]
    print(f"  probe overhead in the whole run: {100 * extra / best['off']:.1f}% ({probes} probed steps)")
    plain, probed = probe_step_cost()
    share = (probed - plain) / plain
    print(f"  probe overhead, isolated: a step {plain:.3f} ms, a probed step {probed:.3f} ms (+{100 * share:.0f}%); "
          f"probing every {a.probe_every} steps costs {100 * share / a.probe_every:.1f}% of step time")
    if "keras" in best:
        print(f"  Keras 3 model.fit (torch)   {best['keras']:.3f} s  fitdoctor (probes on) is "
              f"{best['keras'] / best['on']:.2f}x faster")


if __name__ == "__main__":
    main()
