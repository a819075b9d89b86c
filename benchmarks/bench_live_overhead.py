"""What diagnosing while training costs: each integration against the same training without it.

For each framework the same training (same model, data and seed) runs with and without
fitdoctor, alternating (A B, then B A, ...) in one process, and the script prints:

- the paired wall-time ratio (with / without), median over the repeats, and its range;
- the time spent inside fitdoctor's own hooks while training, as a share of the training time
  (measured by timing every hook it defines): the same cost without the noise of a shared
  machine; and, apart, the one-off cost at the end (final diagnosis, report, run directory).

    python benchmarks/bench_live_overhead.py                   # all four, 5 pairs each
    python benchmarks/bench_live_overhead.py --only torch keras --repeats 7
    python benchmarks/bench_live_overhead.py --device cuda      # the torch loop and HF on a GPU
    python benchmarks/bench_live_overhead.py --only torch --width 2048   # a 4.7M-parameter MLP

Anchors from the literature, for scale: AutoTrainer ~1%, TrainCheck < 2%, Lightning's
``detect_anomaly`` 2.5-3x (measured here too, in the same run), Cockpit 1.5-21x.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time

from _live_env import prepare  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

_TMP = prepare("fitdoctor-bench-live-")

import numpy as np  # noqa: E402
import torch  # noqa: E402

STEPS, BATCH, EPOCHS, WIDTH, FEATURES, CLASSES = 60, 128, 4, 512, 256, 10


#: hooks that run once, at the end of training (final diagnosis, report, run directory)
END_HOOKS = ("finish", "on_train_end")


def timed(cls, names):
    """A subclass of ``cls`` that adds the CPU time spent in each of ``names`` to
    ``self.hook_seconds`` (while training) or ``self.end_seconds`` (the end-of-run hooks)."""
    ns = {}
    for n in names:
        base = getattr(cls, n)

        def make(base, attr):
            def wrapper(self, *a, **k):
                if getattr(self, "_in_hook", False):  # a hook calling another: count once
                    return base(self, *a, **k)
                self._in_hook = True
                t = time.process_time()
                try:
                    return base(self, *a, **k)
                finally:
                    self._in_hook = False
                    setattr(self, attr, getattr(self, attr, 0.0) + time.process_time() - t)
            return wrapper
        ns[n] = make(base, "end_seconds" if n in END_HOOKS else "hook_seconds")
    return type("Timed" + cls.__name__, (cls,), ns)


def cost(obj) -> tuple[float, float]:
    return getattr(obj, "hook_seconds", 0.0), getattr(obj, "end_seconds", 0.0)


def data(n=STEPS * BATCH, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, FEATURES)).astype("float32")
    w = rng.normal(size=(FEATURES, CLASSES)).astype("float32")
    y = (X @ w + rng.normal(scale=4.0, size=(n, CLASSES))).argmax(1)
    return X, y.astype("int64")


@contextlib.contextmanager
def quiet():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


# ---------------------------------------------------------------------------- workloads
def mlp(device: str = "cpu") -> "torch.nn.Module":
    """The benchmark's MLP (FEATURES-WIDTH-WIDTH-CLASSES, ReLU), seeded."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(FEATURES, WIDTH), torch.nn.ReLU(), torch.nn.Linear(WIDTH, WIDTH),
                               torch.nn.ReLU(), torch.nn.Linear(WIDTH, CLASSES)).to(device)


def train_steps(model, opt, X, y, mon=None) -> None:
    """One pass of STEPS minibatches, as users write the loop (``mon.step`` between backward
    and the optimizer step)."""
    for i in range(STEPS):
        train_step(model, opt, X[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH], mon)


def train_step(model, opt, xb, yb, mon=None) -> None:
    """One minibatch as users write it: ``mon.step(loss)`` between backward and the optimizer step."""
    loss = torch.nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    if mon is not None:
        mon.step(loss)
    opt.step()


def torch_loop(variant: str, device: str):
    """A hand-written loop; variants: bare, default (biases checked each step, all gradients
    every 64), full_grad_check (all gradients each step), no_grad_check, probes=N."""
    import fitdoctor.torch as fdt

    X, y = data()
    Xv, yv = data(2048, seed=1)
    X, y, Xv, yv = (torch.as_tensor(a, device=device) for a in (X, y, Xv, yv))
    model = mlp(device)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    mon = None
    if variant != "bare":
        probe = int(variant.split("=")[1]) if variant.startswith("probes=") else 0
        mon = timed(fdt.Monitor, ["step", "epoch", "_pre_step", "_post_step", "finish"])(
            model, opt, probe_every=probe,
            check_grads={"no_grad_check": False, "full_grad_check": "full"}.get(variant, True))
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    sync()
    t, c = time.perf_counter(), time.process_time()
    with quiet():
        for _ in range(EPOCHS):
            train_steps(model, opt, X, y, mon)
            with torch.no_grad():
                vl = torch.nn.functional.cross_entropy(model(Xv), yv).item()
            if mon is not None:
                mon.epoch(val_loss=vl)
        if mon is not None:
            mon.finish()
        sync()
    return (time.perf_counter() - t, time.process_time() - c), cost(mon)


def keras_fit(variant: str, device: str):
    import keras

    from fitdoctor.keras import DoctorCallback

    X, y = data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(WIDTH, activation="relu"),
                              keras.layers.Dense(WIDTH, activation="relu"), keras.layers.Dense(CLASSES)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    cbs = []
    if variant != "bare":
        cbs = [timed(DoctorCallback, ["on_train_begin", "on_epoch_end", "on_train_end"])()]
    t, c = time.perf_counter(), time.process_time()
    with quiet():
        model.fit(X, y, batch_size=BATCH, epochs=EPOCHS, validation_split=0.2, verbose=0, callbacks=cbs)
    return (time.perf_counter() - t, time.process_time() - c), cost(cbs[0]) if cbs else (0.0, 0.0)


def lightning_fit(variant: str, device: str):
    import lightning.pytorch as L

    from fitdoctor.lightning import DoctorCallback

    X, y = data()
    ds = torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    n_train = int(0.8 * len(ds))
    train = torch.utils.data.DataLoader(torch.utils.data.Subset(ds, range(n_train)), batch_size=BATCH)
    val = torch.utils.data.DataLoader(torch.utils.data.Subset(ds, range(n_train, len(ds))), batch_size=1024)

    class Net(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(FEATURES, WIDTH), torch.nn.ReLU(),
                                           torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU(), torch.nn.Linear(WIDTH, CLASSES))

        def training_step(self, b, i):
            loss = torch.nn.functional.cross_entropy(self.net(b[0]), b[1])
            self.log("train_loss", loss)
            return loss

        def validation_step(self, b, i):
            self.log("val_loss", torch.nn.functional.cross_entropy(self.net(b[0]), b[1]))

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), 1e-3)

    torch.manual_seed(0)
    cbs = []
    if variant in ("fitdoctor", "check_grads"):
        cbs = [timed(DoctorCallback, ["on_train_start", "on_train_batch_end", "on_before_optimizer_step",
                                      "on_validation_end", "on_train_epoch_end", "on_train_end"])(
            check_grads=variant == "check_grads")]
    trainer = L.Trainer(max_epochs=EPOCHS, callbacks=cbs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, accelerator="cpu"
                        if device == "cpu" else "gpu", devices=1, num_sanity_val_steps=0,
                        detect_anomaly=variant == "detect_anomaly")
    module = Net()
    t, c = time.perf_counter(), time.process_time()
    with quiet():
        trainer.fit(module, train, val)
    return (time.perf_counter() - t, time.process_time() - c), cost(cbs[0]) if cbs else (0.0, 0.0)


def hf_train(variant: str, device: str):
    import transformers

    from fitdoctor.hf import DoctorCallback

    transformers.logging.set_verbosity_error()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1, 512, (STEPS * 32 + 512, 32), generator=g)
    labels = (ids[:, 0] > 256).long()

    class DS(torch.utils.data.Dataset):
        def __init__(self, a, b):
            self.a, self.b = a, b

        def __len__(self):
            return len(self.a)

        def __getitem__(self, i):
            return {"input_ids": self.a[i], "labels": self.b[i]}

    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=512, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=128, max_position_embeddings=64, num_labels=2)
    model = transformers.BertForSequenceClassification(cfg)
    cbs = []
    if variant != "bare":
        cbs = [timed(DoctorCallback, ["on_train_begin", "on_pre_optimizer_step", "on_log", "on_evaluate",
                                      "on_step_begin", "on_epoch_end", "on_train_end"])()]
    args = transformers.TrainingArguments(output_dir=os.path.join(_TMP, "hf"), num_train_epochs=2,
                                          per_device_train_batch_size=32, logging_steps=10, eval_strategy="epoch",
                                          save_strategy="no", report_to="none", use_cpu=device == "cpu",
                                          disable_tqdm=True, seed=0)
    n = STEPS * 32
    tr = transformers.Trainer(model=model, args=args, train_dataset=DS(ids[:n], labels[:n]),
                              eval_dataset=DS(ids[n:], labels[n:]), callbacks=cbs)
    t, c = time.perf_counter(), time.process_time()
    with quiet():
        tr.train()
    return (time.perf_counter() - t, time.process_time() - c), cost(cbs[0]) if cbs else (0.0, 0.0)


BENCHES = {
    "torch": (torch_loop, ["default", "full_grad_check", "no_grad_check", "probes=100", "probes=10", "probes=1"]),
    "keras": (keras_fit, ["default"]),
    "lightning": (lightning_fit, ["fitdoctor", "check_grads", "detect_anomaly"]),
    "hf": (hf_train, ["default"]),
}


def guard_alone(device: str, n: int = 300) -> None:
    """The per-step gradient check timed alone, against the training step it guards (no other
    work in between, so a busy machine inflates it less than the timed hooks above)."""
    from fitdoctor.integrations.torch import GradGuard

    model = mlp(device)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    X, y = (torch.as_tensor(a, device=device) for a in data(BATCH))
    guard = GradGuard(model)
    full = GradGuard(model, full=True)

    def step():
        loss = torch.nn.functional.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    loss = step()
    for label, fn in (("training step", step), ("default check", lambda: guard.check(loss)),
                      ("full check", lambda: full.check(loss))):
        for _ in range(10):
            fn()
        t = time.process_time()
        for _ in range(n):
            fn()
        per = (time.process_time() - t) / n
        if label == "training step":
            base = per
        print(f"  {label:<15} {per * 1e3:7.3f} ms CPU" + (f"  ({100 * per / base:.2f}% of a step, "
              f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters)" if label != "training step" else ""))


def per_step_in_the_step(device: str, pairs: int) -> None:
    """What the per-step calls (``mon.step(loss)`` and the gradient check on the optimizer's
    pre-hook) add to a whole training step, measured as the step's CPU time with and without
    them: blocks of 60 steps in random order, paired, ``pairs`` pairs; mean difference and its
    standard error.

    Timing the hook alone counts what its first touch of memory after ``backward()`` costs
    (tens of microseconds on a cold cache), which the optimizer step right after might
    otherwise have paid; the whole-step difference settles it (on the 2-core CPU machine
    the two came out close). The hooks are timed in these blocks too, so the difference
    includes no timer: the blocks run the plain monitor. ``bare_again`` (a second bare block
    per round, an A/A control) shows the noise floor of the difference."""
    import random

    import fitdoctor.torch as fdt

    model = mlp(device)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    X, y = data()
    X, y = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    modes = {"bare": None, "bare_again": None, "default": True, "no_grad_check": False}
    blocks: dict[str, list[float]] = {m: [] for m in modes}
    rng = random.Random(0)
    for r in range(pairs + 1):  # the first round warms up and is dropped
        order = list(modes)
        rng.shuffle(order)
        for mode in order:
            mon = None
            if modes[mode] is not None:
                mon = fdt.Monitor(model, opt, check_grads=modes[mode], report=False, verbose=False)
            sync()
            c = time.process_time()
            train_steps(model, opt, X, y, mon)
            sync()
            c = time.process_time() - c
            if mon is not None:
                mon.detach()
            if r:
                blocks[mode].append(c / STEPS)
    step = statistics.median(blocks["bare"])
    print(f"  a bare step {step * 1e3:.3f} ms CPU ({pairs} random-order blocks of {STEPS} steps per variant)")
    for mode in ("bare_again", "default", "no_grad_check"):
        d = [a - b for a, b in zip(blocks[mode], blocks["bare"])]
        m, se = statistics.mean(d), statistics.stdev(d) / len(d) ** 0.5
        hi = m + 1.645 * se  # one-sided 95% upper bound
        print(f"  {mode:<15} adds {m * 1e6:6.1f} ± {se * 1e6:4.1f} us to a step = {100 * m / step:5.2f}% "
              f"± {100 * se / step:.2f}% (95% upper bound {100 * hi / step:.2f}%)")


def per_step_interleaved(device: str, steps: int) -> None:
    """The per-step calls' cost with the machine's drift cancelled: every training step draws
    at random whether it runs bare, with ``mon.step(loss)`` and the default gradient check, or
    with ``mon.step(loss)`` at epoch level (``check_grads=False``); each step's CPU time is
    read (the same two timer reads in every arm). Mean difference from the bare steps ± its
    standard error over ``steps`` steps in all. The monitors here hold no optimizer hook, so
    ``mon.step`` runs the check itself, right after ``backward()`` as the hook would."""
    import random

    import fitdoctor.torch as fdt

    model = mlp(device)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    X, y = data()
    X, y = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    mons = {"bare": None,
            "default": fdt.Monitor(model, check_grads=True, report=False, verbose=False),
            "no_grad_check": fdt.Monitor(model, check_grads=False, report=False, verbose=False)}
    times: dict[str, list[float]] = {m: [] for m in mons}
    rng = random.Random(0)
    arms = list(mons)
    clock = time.thread_time_ns
    for i in range(steps + 200):  # the first 200 warm up and are dropped
        arm = arms[rng.randrange(len(arms))]
        mon = mons[arm]
        j = i % STEPS
        xb, yb = X[j * BATCH:(j + 1) * BATCH], y[j * BATCH:(j + 1) * BATCH]
        sync()
        t = clock()
        train_step(model, opt, xb, yb, mon)
        sync()
        t = clock() - t
        if i >= 200:
            times[arm].append(t / 1e9)
    for mon in mons.values():
        if mon is not None:
            mon.detach()
    base = statistics.mean(times["bare"])
    print(f"  a bare step {base * 1e3:.3f} ms CPU ({steps} steps, each drawn at random into one of "
          f"{len(arms)} arms)")
    for arm in ("default", "no_grad_check"):
        a, b = times[arm], times["bare"]
        m = statistics.mean(a) - base
        se = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
        print(f"  {arm:<15} adds {m * 1e6:6.1f} ± {se * 1e6:4.1f} us to a step = {100 * m / base:5.2f}% "
              f"± {100 * se / base:.2f}% (95% upper bound {100 * (m + 1.645 * se) / base:.2f}%; "
              f"median step {100 * (statistics.median(a) / statistics.median(b) - 1):+.2f}%)")


def main() -> None:
    global WIDTH
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=list(BENCHES), default=list(BENCHES))
    ap.add_argument("--repeats", type=int, default=5, help="pairs per variant")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: steadier on a shared machine)")
    ap.add_argument("--width", type=int, default=WIDTH,
                    help="hidden width of the MLP (torch, Keras, Lightning): the per-step hooks cost about "
                         "the same time whatever the model, so their share falls as a step grows")
    ap.add_argument("--variants", nargs="*", default=None, help="only these variants (e.g. default no_grad_check)")
    ap.add_argument("--step-pairs", type=int, default=100,
                    help="paired blocks for the torch per-step cost in the whole step (0: skip it)")
    ap.add_argument("--interleaved-steps", type=int, default=20000,
                    help="training steps drawn at random into bare / default / epoch level, for the torch "
                         "per-step cost with the machine's drift cancelled (0: skip it)")
    a = ap.parse_args()
    WIDTH = a.width
    torch.set_num_threads(a.threads)
    print(f"# torch {torch.__version__}, device {a.device}, {a.threads} thread(s), {a.repeats} pairs each; "
          f"{EPOCHS} epochs x {STEPS} steps of {BATCH}; MLP {FEATURES}-{WIDTH}-{WIDTH}-{CLASSES} "
          f"({(FEATURES * WIDTH + WIDTH * WIDTH + WIDTH * CLASSES + 2 * WIDTH + CLASSES) / 1e6:.2f}M parameters)")
    print("ratios: with / without, median of the pairs [range]; CPU time is this process's (what a busy\n"
          "shared machine does not inflate), wall time is what a user waits; 'in hooks': CPU time inside\n"
          "fitdoctor's hooks while training / the run's CPU time; 'at end': the one-off final diagnosis,\n"
          "report and run directory")
    print(f"{'integration':<11} {'variant':<15} {'bare s':>7} {'CPU ratio':>22} {'wall ratio':>22} "
          f"{'in hooks':>9} {'at end':>7}")
    if "torch" in a.only:
        print("torch gradient check alone (batch %d):" % BATCH)
        guard_alone(a.device)
        if a.step_pairs:
            print("torch per-step calls in the whole step (mon.step + the check before optimizer.step):")
            per_step_in_the_step(a.device, a.step_pairs)
        if a.interleaved_steps:
            print("torch per-step calls, each step drawn at random into an arm:")
            per_step_interleaved(a.device, a.interleaved_steps)
    for name in a.only:
        fn, variants = BENCHES[name]
        fn("bare", a.device)  # warm up: imports, kernels, caches
        for v in variants:
            if a.variants and v not in a.variants:
                continue
            wall, cpu, bare_t, share, end = [], [], [], [], []
            for r in range(a.repeats):
                order = [("bare", 0), (v, 1)] if r % 2 == 0 else [(v, 1), ("bare", 0)]
                got = {}
                for variant, k in order:
                    got[k] = fn(variant, a.device)
                (w0, c0), _ = got[0]
                (w1, c1), (hook, at_end) = got[1]
                bare_t.append(w0)
                wall.append(w1 / w0)
                cpu.append(c1 / c0)
                share.append(hook / max(c1 - at_end, 1e-9))
                end.append(at_end)

            def fmt(xs):
                return f"{statistics.median(xs):.3f} [{min(xs):.3f}, {max(xs):.3f}]"

            print(f"{name:<11} {v:<15} {statistics.median(bare_t):7.2f} {fmt(cpu):>22} {fmt(wall):>22} "
                  f"{100 * statistics.median(share):8.2f}% {statistics.median(end):6.2f}s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
