"""How soon a finding appears after the fault starts, while training and in ``fitdoctor watch``.

1. Curves through the live core (any adapter: they share it), onset known exactly: a NaN,
   a divergence (loss grows 1.3x an epoch), an overfitting rise (fast and slow), several
   noise seeds each: epochs from onset to the finding.
2. Real runs: a NaN planted at one optimizer step of a PyTorch loop (``fitdoctor.torch``), a
   Lightning run (``check_grads=True``), a tiny BERT under the HF Trainer, and a Keras fit
   (epoch level): steps or epochs from the NaN to the finding, and whether the weights were
   left as they were before the NaN step. A real overfitting run (small data, wide MLP; onset
   = the best val_loss epoch of the full run) and a real divergence (Adam whose lr is raised
   from 1e-3 to 0.5 at an epoch): epochs from onset to the finding.
3. ``fitdoctor watch`` as a user runs it (a subprocess, default --interval 0.5): seconds from
   an epoch line written to a CSVLogger-style file to the line watch prints for it.

    python benchmarks/bench_live_latency.py
    python benchmarks/bench_live_latency.py --skip-real      # parts 1 and 3 only (seconds)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import time

from _live_env import prepare  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

_TMP = prepare("fitdoctor-bench-latency-")

import numpy as np  # noqa: E402

from fitdoctor.live import Monitor  # noqa: E402


@contextlib.contextmanager
def quiet():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def first_event(events, codes):
    hits = [e.step for e in events if e.kind == "new" and e.code in codes]
    return min(hits) if hits else None


# ---------------------------------------------------------------------------- 1. curves
def stream(kind: str, seed: int, n: int = 40, onset: int = 15):
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float)
    noise = lambda s: s * rng.standard_normal(n)  # noqa: E731
    loss = 0.8 * np.exp(-x / 6) + 0.2 + noise(0.005)
    val = 0.8 * np.exp(-x / 6) + 0.3 + noise(0.008)
    if kind == "nan":
        loss[onset:] = np.nan
        val[onset:] = np.nan
    elif kind == "diverging":
        grow = 1.3 ** np.clip(x - onset + 1, 0, None)
        loss = np.where(x >= onset, loss[onset] * grow, loss)
        val = np.where(x >= onset, val[onset] * grow, val)
    elif kind.startswith("overfit"):
        rate = 0.02 if kind == "overfit_fast" else 0.005   # val rise per epoch after the best
        val = 0.8 * np.exp(-np.minimum(x, onset) / 6) + 0.3 + rate * np.clip(x - onset, 0, None) + noise(0.008)
        loss = 0.8 * np.exp(-x / 6) + 0.05 + noise(0.005)
    return [{"loss": loss[i], "val_loss": val[i]} for i in range(n)], onset


EXPECT = {"nan": {"non_finite"}, "diverging": {"diverging", "non_finite"},
          "overfit_fast": {"overfitting"}, "overfit_slow": {"overfitting"}}


def curves(seeds: int = 10) -> None:
    print("\n1. curves through the live core (epoch level; onset known; %d noise seeds)" % seeds)
    print(f"{'fault':<14} {'found':>7} {'epochs after onset: median':>28} {'max':>5} {'false before onset':>20}")
    for kind, codes in EXPECT.items():
        lat, early, found = [], 0, 0
        for seed in range(seeds):
            pts, onset = stream(kind, seed)
            m = Monitor(stop_on=())
            ev = m.extend(enumerate(pts))
            at = first_event(ev, codes)
            if at is not None and at < onset:
                early += 1
            elif at is not None:
                found += 1
                lat.append(at - onset)
        med = statistics.median(lat) if lat else float("nan")
        print(f"{kind:<14} {found:>3}/{seeds:<3} {med:>28g} {max(lat) if lat else float('nan'):>5g} {early:>20}")


# ---------------------------------------------------------------------------- 2. real runs
def torch_nan(nan_at=37):
    import torch

    import fitdoctor.torch as fdt

    torch.manual_seed(0)
    X = torch.randn(1024, 20)
    y = (X[:, 0] > 0).float()
    model = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    events, step, before, stopped_at = [], 0, None, None
    with quiet():
        mon = fdt.Monitor(model, opt, on_event=events.append)
        for _ in range(10):
            for i in range(0, 1024, 64):
                loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X[i:i + 64]).squeeze(1), y[i:i + 64])
                if step == nan_at:
                    loss = loss * float("nan")
                    before = {k: v.clone() for k, v in model.state_dict().items()}
                opt.zero_grad()
                loss.backward()
                mon.step(loss)
                opt.step()
                step += 1
                if mon.should_stop:
                    stopped_at = step - 1
                    break
            mon.epoch()
            if mon.should_stop:
                break
        mon.finish()
    same = all(torch.equal(model.state_dict()[k], v) for k, v in before.items())
    return "torch loop", "steps", stopped_at - nan_at, same


def lightning_nan(nan_at=21):
    import lightning.pytorch as L
    import torch

    from fitdoctor.lightning import DoctorCallback

    torch.manual_seed(0)
    X = torch.randn(512, 20)
    y = (X[:, 0] > 0).float()
    state = {}

    class Net(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))

        def training_step(self, b, i):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(self.net(b[0]).squeeze(1), b[1])
            if self.global_step == nan_at:
                state["before"] = {k: v.clone() for k, v in self.state_dict().items()}
                loss = loss * float("nan")
            return loss

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), 1e-3)

    cb = DoctorCallback(check_grads=True)
    module = Net()
    with quiet():
        tr = L.Trainer(max_epochs=10, callbacks=[cb], logger=False, enable_checkpointing=False,
                       enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", limit_val_batches=0)
        tr.fit(module, torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64))
    same = all(torch.equal(module.state_dict()[k], v) for k, v in state["before"].items())
    return "Lightning (check_grads)", "steps", cb.history.meta["nonfinite_guard"]["step"] - nan_at, same


def hf_nan(nan_at=9):
    import torch
    import transformers

    from fitdoctor.hf import DoctorCallback

    transformers.logging.set_verbosity_error()
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=16, num_labels=2)
    model = transformers.BertForSequenceClassification(cfg)
    ids = torch.randint(1, 64, (256, 8), generator=torch.Generator().manual_seed(0))
    labels = (ids[:, 0] > 32).long()

    class DS(torch.utils.data.Dataset):
        def __len__(self):
            return 256

        def __getitem__(self, i):
            return {"input_ids": ids[i], "labels": labels[i]}

    st = {"step": -1}

    class Plant(transformers.TrainerCallback):
        def on_step_begin(self, args, state, control, model=None, **kw):
            st["step"] = state.global_step
            if state.global_step == nan_at:
                st["before"] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    model.classifier.register_forward_hook(lambda m, i, o: o * float("nan") if m.training and st["step"] == nan_at else None)
    cb = DoctorCallback()
    args = transformers.TrainingArguments(output_dir=os.path.join(_TMP, "hf"), num_train_epochs=4,
                                          per_device_train_batch_size=32, logging_steps=1, save_strategy="no",
                                          report_to="none", use_cpu=True, disable_tqdm=True)
    tr = transformers.Trainer(model=model, args=args, train_dataset=DS(), callbacks=[Plant(), cb])
    with quiet():
        tr.train()
    same = all(torch.equal(model.state_dict()[k], v) for k, v in st["before"].items())
    # the step taken when the NaN appeared is nan_at + 1 in HF's numbering (global_step after it)
    return "HF Trainer", "steps", int(cb.history.meta["nonfinite_guard"]["step"]) - (nan_at + 1), same


def keras_nan(nan_epoch=3):
    import keras

    from fitdoctor.keras import DoctorCallback

    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 20)).astype("float32")
    y = (X[:, 0] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))

    class Poison(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == nan_epoch:
                self.model.layers[1].kernel.assign(np.full((64, 1), np.nan, dtype="float32"))

    cb = DoctorCallback()
    with quiet():
        model.fit(X, y, epochs=10, verbose=0, callbacks=[Poison(), cb])
    at = first_event(cb.events, {"non_finite"})
    return "Keras (epoch level)", "epochs", at - nan_epoch, False


def torch_overfit():
    import torch

    import fitdoctor.torch as fdt

    torch.manual_seed(0)
    X, Xv = torch.randn(64, 20), torch.randn(512, 20)
    w = torch.randn(20)
    y, yv = ((X @ w + 2 * torch.randn(64)) > 0).float(), ((Xv @ w + 2 * torch.randn(512)) > 0).float()
    model = torch.nn.Sequential(torch.nn.Linear(20, 512), torch.nn.ReLU(), torch.nn.Linear(512, 1))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    events, vals = [], []
    with quiet():
        mon = fdt.Monitor(model, opt, stop_on=(), on_event=events.append, budget=None)
        for _ in range(80):
            for i in range(0, 64, 16):
                loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X[i:i + 16]).squeeze(1), y[i:i + 16])
                opt.zero_grad()
                loss.backward()
                mon.step(loss)
                opt.step()
            with torch.no_grad():
                vals.append(float(torch.nn.functional.binary_cross_entropy_with_logits(model(Xv).squeeze(1), yv)))
            mon.epoch(val_loss=vals[-1])
        mon.finish()
    onset = int(np.argmin(vals))
    at = first_event(events, {"overfitting"})
    return "torch overfitting", "epochs", (at - onset) if at is not None else None, None


def torch_diverge(onset=10):
    import torch

    import fitdoctor.torch as fdt

    torch.manual_seed(0)
    X = torch.randn(512, 20)
    y = X @ torch.randn(20) + 0.1 * torch.randn(512)
    model = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    events = []
    with quiet():
        mon = fdt.Monitor(model, opt, stop_on=(), on_event=events.append, budget=None)
        for epoch in range(30):
            if epoch == onset:
                for g in opt.param_groups:
                    g["lr"] = 0.5
            for i in range(0, 512, 64):
                loss = torch.nn.functional.mse_loss(model(X[i:i + 64]).squeeze(1), y[i:i + 64])
                opt.zero_grad()
                loss.backward()
                mon.step(loss)
                opt.step()
            mon.epoch(lr=opt.param_groups[0]["lr"])
        mon.finish()
    at = first_event(events, {"diverging", "non_finite"})
    return "torch divergence (lr x500)", "epochs", (at - onset) if at is not None else None, None


def real() -> None:
    print("\n2. real training runs")
    print(f"{'run':<28} {'found after onset':>18} {'weights untouched':>18}")
    for fn in (torch_nan, lightning_nan, hf_nan, keras_nan, torch_overfit, torch_diverge):
        try:
            name, unit, lat, same = fn()
        except ImportError as exc:
            print(f"{fn.__name__:<28} skipped ({exc})")
            continue
        shown = "not found" if lat is None else f"{lat} {unit}"
        untouched = "-" if same is None else ("yes" if same else "no (restore_best=True puts the best back)")
        print(f"{name:<28} {shown:>18} {untouched:>18}", flush=True)


# ---------------------------------------------------------------------------- 3. watch
def watch(n: int = 16, every: float = 0.7) -> None:
    print(f"\n3. fitdoctor watch (subprocess, default --interval 0.5): a line written -> its epoch shown; {n} epochs")
    path = os.path.join(_TMP, "live.csv")
    with open(path, "w") as fh:
        fh.write("epoch,loss,val_loss\n")
    proc = subprocess.Popen([sys.executable, "-m", "fitdoctor.cli", "watch", path, "--timeout", str(n * every + 20)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    import threading

    shown: dict[int, float] = {}

    def reader():
        for line in proc.stdout:
            if " epoch" in line and "  loss " in line:
                k = int(line.split(": ")[1].split()[0])
                shown.setdefault(k, time.monotonic())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(3.0)  # the command starts (imports)
    written = {}
    for e in range(n):
        with open(path, "a") as fh:
            fh.write(f"{e},{0.7 * 0.9 ** e + 0.05:.4f},{0.75 * 0.9 ** e + 0.1:.4f}\n")
        written[e + 1] = time.monotonic()
        time.sleep(every)
    time.sleep(2.0)
    proc.terminate()
    proc.wait()
    lat = [shown[k] - written[k] for k in written if k in shown]
    print(f"shown {len(lat)}/{n}; latency median {statistics.median(lat):.2f} s, max {max(lat):.2f} s "
          "(TensorBoard's own reload is every 5 s at best)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--seeds", type=int, default=10)
    a = ap.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    curves(a.seeds)
    if not a.skip_real:
        real()
    watch()


if __name__ == "__main__":
    sys.exit(main())
