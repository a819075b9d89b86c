"""lr-find against fastai's ``valley`` and Lightning's steepest-gradient rule, in one run.

    python benchmarks/bench_lr_find.py                       # 8 tasks, 5 seeds, ~10 min on 2 busy cores
    python benchmarks/bench_lr_find.py --tasks iris-adam diabetes-adam --seeds 3 --json out.json

For every task (a run config of the built-in trainer: 8 datasets, 5 optimizers, the three
task kinds) and every seed, three range tests, each with its tool's own defaults:

* fitdoctor (``fd.lr_find``): 3 sweeps of 180 steps 1e-6..30, loss on a fixed probe of
  training rows after each step, centred smoothing, suggestion ``edge/10``; also the same rule
  read on its first sweep alone ("fitdoctor 1 sweep"), to show what the repeats buy;
* fastai (``Learner.lr_find`` 2.x): 100 steps 1e-7..10, the training batch's loss smoothed by
  a debiased EMA (beta 0.98), stop when it exceeds 4x its best; ``valley`` on the points
  [10:-5] (truncated at the first NaN);
* Lightning (``Tuner.lr_find`` >= 2.5.3): 100 steps 1e-8..1 (the first at 1e-8), the same EMA
  (debiased by global_step + 1), stop past 4x the best; the steepest negative gradient of
  loss with respect to lr on the points [10:-1]. "Lightning < 2.5.3" reads the same curve
  with the gradient over the index (log-lr), its rule before Lightning#21141.

These are reimplementations of the published algorithms on the same model, optimizer,
batches and loss (neither tool is a dependency); each sweep starts from the config's fresh
initialisation with that seed.

Measured per rule and task:

* spread: the standard deviation of log10(suggested lr) over the seeds (target <= 0.15 decades),
  and the range (max - min);
* quality: the config trained (its epochs, early stopping on validation) at the median
  suggestion, validation loss at the restored best epoch; against the best lr of a log grid
  (10^-4 .. 10^0.5, half-decade steps) trained the same way. The grid picks its best lr on
  ``--grid-seeds`` seeds (default 3); that lr and every rule's suggestion are then scored on
  as many fresh seeds (the same for all), so the grid's best is not flattered by the luck that
  picked it.
  "within noise": the suggestion's validation loss exceeds the grid's best by less than 1.645
  standard errors of the difference (a one-sided 5% test that the suggestion is worse), where
  the standard error combines the per-row spread of the paired loss differences on the
  validation rows and the seed-to-seed variance (the median over the grid points within a
  decade of the best).

Prints one table per measure and a summary with the baselines' spread over ours (ratios > 1:
fitdoctor is steadier). Exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import torch  # noqa: E402

import fitdoctor as fd  # noqa: E402
from fitdoctor.config import load_config  # noqa: E402
from fitdoctor.data import fit_scaler, load_dataset, make_splits  # noqa: E402
from fitdoctor.studies.lr_find import read_sweeps  # noqa: E402
from fitdoctor.train.model import build_model, n_outputs_for  # noqa: E402
from fitdoctor.train.protocol import select  # noqa: E402
from fitdoctor.train.trainer import _targets, make_loss, make_optimizer, predict_scores  # noqa: E402


def _task(source, hidden, dropout, optimizer, batch=32, epochs=30, patience=6, **data):
    return {"data": {"source": source, **data}, "model": {"hidden": hidden, "dropout_rate": dropout},
            "train": {"optimizer": optimizer, "batch_size": batch, "epochs": epochs,
                      "early_stopping": {"patience": patience}}}


TASKS = {
    "breast_cancer-adam": _task("sklearn:breast_cancer", [64, 32], 0.3, "adam"),
    "iris-adam": _task("sklearn:iris", [32], 0.0, "adam", batch=16),
    "wine-momentum": _task("sklearn:wine", [32], 0.1, "momentum", batch=16),
    "diabetes-adam": _task("sklearn:diabetes", [64, 32], 0.0, "adam"),
    "moons-sgd": _task("make_moons:n_samples=600,noise=0.3,seed=0", [32, 32], 0.0, "sgd"),
    "friedman1-adamw": _task("make_friedman1:n_samples=600,noise=1.0,seed=0", [64, 64], 0.0, "adamw"),
    "classif4-rmsprop": _task("make_classification:n_samples=800,n_features=20,n_informative=8,n_classes=4,seed=0",
                              [64], 0.2, "rmsprop"),
    "digits-adam": _task("sklearn:digits", [64], 0.2, "adam", batch=64, epochs=25),
}
GRID = 10 ** np.arange(-4.0, 0.75, 0.5)
RULES = ("fitdoctor", "fitdoctor 1 sweep", "fastai valley", "lightning", "lightning<2.5.3")
TRAINED = ("fitdoctor", "fastai valley", "lightning", "lightning<2.5.3")


# ------------------------------------------------------------------ the baselines' sweeps
def _batches(n, batch, gen):
    while True:
        perm = torch.randperm(n, generator=gen)
        for s in range(0, n, batch):
            yield perm[s:s + batch]


def ema_sweep(cfg, X, y, task, K, seed, lrs, *, debias_offset):
    """The fastai / Lightning recorder: the training batch's loss (train mode, before the step)
    smoothed by a debiased EMA (beta 0.98), stopping once it exceeds 4x the best seen."""
    torch.manual_seed(seed)
    model = build_model(cfg.model, X.shape[1], n_outputs_for(task, K))
    opt = make_optimizer(cfg.train.optimizer, model.parameters(), float(lrs[0]))
    per = make_loss(task, None)
    Xt, yt = torch.as_tensor(X), _targets(y, task)
    it = _batches(len(X), cfg.train.batch_size, torch.Generator().manual_seed(seed))
    beta, avg, best = 0.98, 0.0, math.inf
    rec_lr, rec_loss = [], []
    model.train()
    for i, lr in enumerate(lrs):
        for g in opt.param_groups:
            g["lr"] = float(lr)
        idx = next(it)
        out = model(Xt[idx])
        loss = per(out if task == "multiclass" else out.reshape(-1), yt[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        v = float(loss.detach())
        avg = beta * avg + (1 - beta) * v
        sm = avg / (1 - beta ** (i + debias_offset))
        rec_lr.append(float(lr))
        rec_loss.append(sm)
        if not math.isfinite(sm):
            break
        if debias_offset == 1:          # fastai: best updated first, then the 4x check
            best = min(best, sm)
            if sm > 4 * best:
                break
        else:                           # Lightning: check (from step 2), then update best
            if i + 1 > 1 and sm > 4 * best:
                break
            if sm < best or i + 1 == 1:
                best = sm
    return np.array(rec_lr), np.array(rec_loss)


def fastai_valley(lrs, losses, num_it=100):
    """fastai's suggestion: points [num_it//10 : -5], cut at the first NaN, then the point a
    third-and-a-half of the way along the longest run of decreasing losses (``valley``)."""
    lrs, losses = lrs[num_it // 10:-5], losses[num_it // 10:-5]
    bad = np.nonzero(~np.isfinite(losses))[0]
    if bad.size:
        lrs, losses = lrs[:bad[0]], losses[:bad[0]]
    n = len(losses)
    if n < 2:
        return None
    run = [1] * n                      # longest decreasing subsequence ending at each point
    end, start = 0, 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and run[i] < run[j] + 1:
                run[i] = run[j] + 1
            if run[end] < run[i]:
                end, start = i, i - run[i]
    third = (end - start) / 3
    return float(lrs[start + int(third) + int(third / 2)])


def lightning_steepest(lrs, losses, *, by_index=False, skip_begin=10, skip_end=1):
    """Lightning's suggestion: the most negative gradient of the smoothed loss on [10:-1],
    with respect to lr (>= 2.5.3) or to the point index (before)."""
    lo, hi = skip_begin, len(losses) - skip_end
    idx = np.arange(lo, hi)
    ok = np.isfinite(losses[lo:hi])
    idx = idx[ok]
    if idx.size < 2:
        return None
    ls = torch.tensor(losses[idx], dtype=torch.float64)
    if by_index:
        g = torch.gradient(ls)[0]
    else:
        g = torch.gradient(ls, spacing=[torch.tensor(lrs[idx], dtype=torch.float64)])[0]
    return float(lrs[idx[int(torch.argmin(g))]])


# ------------------------------------------------------------------ scoring a learning rate
def per_row_val_loss(sel, ds, sp, scaler, task):
    """Per-row validation loss of each unit's kept model: (units x rows)."""
    Xva = scaler.transform(ds.X[sp.val])
    yv = ds.y[sp.val]
    rows = []
    for r in sel.runs:
        p = predict_scores(r.model, Xva, task)
        if task == "binary":
            q = np.clip(p, 1e-7, 1 - 1e-7)
            rows.append(-(yv * np.log(q) + (1 - yv) * np.log(1 - q)))
        elif task == "multiclass":
            rows.append(-np.log(np.clip(p[np.arange(len(yv)), yv.astype(int)], 1e-7, 1)))
        else:
            rows.append((p - yv) ** 2)
    return np.vstack(rows)


def score_lr(cfg, lr, ds, sp, scaler, seeds):
    c = cfg.model_copy(update={"train": cfg.train.model_copy(update={"lr": float(lr)})})
    sel = select(c, seeds=seeds, dataset=ds, metric="loss")
    if sel.error or not sel.scores or not all(np.isfinite(sel.scores)):
        return {"lr": float(lr), "val_loss": math.inf, "rows": None, "seeds": sel.scores}
    rows = per_row_val_loss(sel, ds, sp, scaler, ds.task)
    return {"lr": float(lr), "val_loss": float(np.mean(sel.scores)), "rows": rows, "seeds": list(sel.scores)}


def seed_variance(grid, best):
    """Seed-to-seed variance of the validation loss: the median over the grid points within one
    decade of the best (a steadier estimate than the few seeds of one point)."""
    near = [g for g in grid if g["rows"] is not None and abs(math.log10(g["lr"] / best["lr"])) <= 1 + 1e-9]
    v = [np.var(g["seeds"], ddof=1) for g in near if len(g["seeds"]) > 1]
    return float(np.median(v)) if v else 0.0   # the median: one chaotic (diverging) neighbour does not set it


def within_noise(s, best, var_seed, z=1.645):
    """Is the suggestion's validation loss above the best by less than z standard errors?
    The standard error of the difference: the per-row spread of the paired differences on
    the validation rows, plus the pooled seed variance of two means of n seeds."""
    if s["rows"] is None:
        return False, math.inf
    d_rows = s["rows"].mean(axis=0) - best["rows"].mean(axis=0)
    se_rows = float(np.std(d_rows, ddof=1) / math.sqrt(d_rows.size))
    n = len(s["seeds"])
    se = math.sqrt(se_rows ** 2 + 2 * var_seed / n)
    diff = s["val_loss"] - best["val_loss"]
    return bool(diff <= z * se), (diff / se if se > 0 else (0.0 if diff <= 0 else math.inf))


# ------------------------------------------------------------------ one task
def run_task(name, raw, seeds, grid_seeds, log):
    t0 = time.perf_counter()
    cfg = load_config(raw)
    ds = load_dataset(cfg.data)
    sp = make_splits(ds, cfg.data.split)[0]
    scaler = fit_scaler(ds.X[sp.train], cfg.data.scale)
    X = scaler.transform(ds.X[sp.train]).astype(np.float32)
    y = ds.y[sp.train]
    K = int(ds.n_classes or (2 if ds.task == "binary" else 1))
    torch.set_num_threads(1)
    sugg = {r: [] for r in RULES}
    fa_lrs = 1e-7 * (10 / 1e-7) ** (np.arange(100) / 100)
    pl_lrs = np.array([1e-8] + [1e-8 * (1 / 1e-8) ** ((i + 1) / 100) for i in range(1, 100)])
    for s in seeds:
        res = fd.lr_find(cfg, dataset=ds, seed=1000 * s)
        sugg["fitdoctor"].append(res.suggested_lr)
        sugg["fitdoctor 1 sweep"].append(read_sweeps(res.sweeps[:1], config=cfg).suggested_lr)
        lr_, l_ = ema_sweep(cfg, X, y, ds.task, K, 1000 * s, fa_lrs, debias_offset=1)
        sugg["fastai valley"].append(fastai_valley(lr_, l_))
        lr_, l_ = ema_sweep(cfg, X, y, ds.task, K, 1000 * s, pl_lrs, debias_offset=2)
        sugg["lightning"].append(lightning_steepest(lr_, l_))
        sugg["lightning<2.5.3"].append(lightning_steepest(lr_, l_, by_index=True))
    t_sweeps = time.perf_counter() - t0
    spread = {}
    for r, v in sugg.items():
        ok = np.log10([x for x in v if x])
        spread[r] = {"std": float(np.std(ok)) if ok.size > 1 else math.nan,
                     "range": float(np.ptp(ok)) if ok.size else math.nan,
                     "median": float(10 ** np.median(ok)) if ok.size else None, "missing": len(v) - ok.size}
    log(f"  sweeps {t_sweeps:.0f}s; suggestions (median): " +
        ", ".join(f"{r} {spread[r]['median']:.3g}" for r in RULES if spread[r]["median"]))
    grid_seeds, fresh = list(range(grid_seeds)), list(range(grid_seeds, 2 * grid_seeds))
    grid = [score_lr(cfg, lr, ds, sp, scaler, grid_seeds) for lr in GRID]
    picked = min(grid, key=lambda g: g["val_loss"])
    var_seed = seed_variance(grid, picked)
    # the grid picks its lr on the grid seeds; every lr is then scored on fresh seeds, so the
    # grid's best is not flattered by the luck that picked it
    best = score_lr(cfg, picked["lr"], ds, sp, scaler, fresh)
    quality = {}
    for r in TRAINED:
        lr = spread[r]["median"]
        if lr is None:
            quality[r] = {"lr": None, "val_loss": math.inf, "ratio": math.inf, "within_noise": False, "z": math.inf}
            continue
        s = score_lr(cfg, lr, ds, sp, scaler, fresh)
        ok, z = within_noise(s, best, var_seed)
        quality[r] = {"lr": lr, "val_loss": s["val_loss"], "ratio": s["val_loss"] / best["val_loss"],
                      "within_noise": ok, "z": z}
    log(f"  grid best lr {best['lr']:.3g} val_loss {best['val_loss']:.4g}; " +
        ", ".join(f"{r} x{q['ratio']:.2f}{' ok' if q['within_noise'] else ''}" for r, q in quality.items()) +
        f"  ({time.perf_counter() - t0:.0f}s)")
    return {"task": name, "suggestions": sugg, "spread": spread, "quality": quality,
            "grid": [{"lr": g["lr"], "val_loss": g["val_loss"], "seeds": g["seeds"]} for g in grid],
            "best_lr": best["lr"], "best_val_loss": best["val_loss"], "best_val_loss_grid_seeds": picked["val_loss"],
            "seed_variance": var_seed, "seconds": time.perf_counter() - t0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", nargs="*", default=list(TASKS), choices=list(TASKS))
    ap.add_argument("--seeds", type=int, default=5, help="lr-find seeds per task (spread)")
    ap.add_argument("--grid-seeds", type=int, default=3, help="training seeds per grid point / suggestion")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = []
    for name in a.tasks:
        print(f"{name}", flush=True)
        out.append(run_task(name, TASKS[name], list(range(a.seeds)), a.grid_seeds,
                            lambda m: print(m, flush=True)))
    print(f"\nspread of the suggestion over {a.seeds} seeds: std of log10(lr), decades (range in brackets)")
    w = max(len(n) for n in a.tasks)
    print(" " * w + "".join(f"{r:>20s}" for r in RULES))
    for t in out:
        print(t["task"].ljust(w) + "".join(
            f"{t['spread'][r]['std']:>12.3f} [{t['spread'][r]['range']:4.2f}]" +
            ("*" if t["spread"][r]["missing"] else " ") for r in RULES))
    print(f"\nvalidation loss at the median suggestion / at the grid's best lr ({a.grid_seeds} seeds; "
          "'ok' = within noise)")
    print(" " * w + f"{'best lr':>10s}" + "".join(f"{r:>20s}" for r in TRAINED))
    for t in out:
        print(t["task"].ljust(w) + f"{t['best_lr']:>10.3g}" + "".join(
            f"{t['quality'][r]['ratio']:>10.2f} {'ok' if t['quality'][r]['within_noise'] else '--':>2s} "
            f"{(t['quality'][r]['lr'] or float('nan')):>6.2g}" for r in TRAINED))
    print("\nsummary")
    summ = {}
    for r in RULES:
        stds = np.array([t["spread"][r]["std"] for t in out])
        row = {"median_std": float(np.nanmedian(stds)), "max_std": float(np.nanmax(stds)),
               "tasks_std_le_0.15": int(np.sum(stds <= 0.15)),
               "missing": int(sum(t["spread"][r]["missing"] for t in out))}
        if r in TRAINED:
            row["within_noise"] = int(sum(t["quality"][r]["within_noise"] for t in out))
            row["median_ratio"] = float(np.median([t["quality"][r]["ratio"] for t in out]))
        summ[r] = row
    ours = summ["fitdoctor"]["median_std"]
    for r, row in summ.items():
        extra = (f", within noise of the grid's best on {row['within_noise']}/{len(out)} tasks, median val-loss "
                 f"ratio {row['median_ratio']:.2f}" if "within_noise" in row else "")
        ratio = row["median_std"] / ours if ours > 0 else math.inf
        print(f"  {r:18s} spread median {row['median_std']:.3f} max {row['max_std']:.3f} decades "
              f"(<= 0.15 on {row['tasks_std_le_0.15']}/{len(out)} tasks; {ratio:.1f}x fitdoctor's)"
              + (f", {row['missing']} runs without a suggestion" if row["missing"] else "") + extra)
    print(f"\n{len(out)} tasks, {time.perf_counter() - t0:.0f} s")
    if a.json:
        a.json.write_text(json.dumps({"tasks": out, "summary": summ}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
