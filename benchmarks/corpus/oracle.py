"""The oracle: which curve codes a finished run REALLY shows.

It may use what the diagnoser never sees: the run's unlogged continuation (the same
model and optimizer trained further), a reference run with sane settings, the true
class prior, and the final model's predictions. Each criterion is documented in
benchmarks/README.md; the constants are here, named.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from data import Data, entropy, label_prior
from spec import Result, Spec

K_NOISE = 4.0        # "beyond noise" = this many robust noise scales
REL_CLEAR = 0.08     # ... and at least this relative change
CONT_GAIN = 0.03     # still_improving: continuation beats the logged end by 3% and K_NOISE noise
CHANCE_TOL = 0.06    # loss within 6% of the prior entropy
ACC_TOL = 0.04       # accuracy within 4 points of the majority rate
OSC_ROUGH = 0.06     # oscillating: epoch-to-epoch swing >= 6% of the level ...
OSC_TAIL = 0.3       # ... and still, over the last 40%, a median step >= 30% of the level there
FAR_ABOVE = 1.5      # plateau/underfitting/lr_too_low: loss >= 1.5x what the reference reaches

#: The tie order of ../shared/LABELS.md (the practitioner's convention): where two labels hold,
#: the first is the primary.
PRIORITY = ["non_finite", "diverging", "chance_level", "val_not_improving", "overfitting",
            "suspicious_validation", "plateau", "oscillating", "lr_too_high", "lr_too_low",
            "underfitting", "still_improving", "healthy"]


def rolling_median(x: np.ndarray, w: int = 5) -> np.ndarray:
    h = w // 2
    return np.array([np.median(x[max(0, i - h): i + h + 1]) for i in range(len(x))])


def noise(x: np.ndarray) -> float:
    """Robust epoch-to-epoch noise: scaled MAD of second differences (a smooth trend, however
    steep or curved, contributes almost nothing; white noise of scale s gives about s)."""
    if len(x) < 4:
        return 1e-3 * float(np.abs(x).mean() + 1e-9)
    d2 = np.diff(x, 2)
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return max(1.4826 * mad / math.sqrt(6.0), 1e-3 * float(np.median(np.abs(x))))


def end(x: np.ndarray) -> float:
    k = max(3, len(x) // 10)
    return float(np.median(x[-k:]))


def theil_sen(y: np.ndarray) -> float:
    n = len(y)
    if n < 3:
        return 0.0
    i, j = np.triu_indices(n, 1)
    return float(np.median((y[j] - y[i]) / (j - i)))


def facts(spec: Spec, data: Data, res: Result, ref: Result | None) -> dict[str, Any]:
    """Numbers the labels are decided on (kept in labels.json as the oracle's evidence)."""
    lg = res.logged()
    L, V = np.asarray(lg["loss"], float), np.asarray(lg["val_loss"], float)
    f: dict[str, Any] = {"n": len(L)}
    allv = np.concatenate([np.asarray(v, float) for k, v in lg.items() if k != "lr"])
    f["non_finite"] = bool(not np.all(np.isfinite(allv)))
    if f["non_finite"]:
        return f
    sL, sV = rolling_median(L), rolling_median(V)
    nL, nV = noise(L), noise(V)
    f.update(L0=float(L[0]), Lend=end(L), Lmin=float(sL.min()), argminL=int(sL.argmin()),
             V0=float(V[0]), Vend=end(V), Vmin=float(sV.min()), argminV=int(sV.argmin()),
             noiseL=nL, noiseV=nV, Lmax=float(sL.max()))
    if data.task != "regression":
        H_tr = entropy(label_prior(np.asarray(data.ytr), data.n_classes))
        H_va = entropy(label_prior(np.asarray(data.yva), data.n_classes))
        f.update(H_train=H_tr, H_val=H_va, majority=float(max(label_prior(np.asarray(data.yva), data.n_classes))))
        f["val_acc_end"] = end(np.asarray(lg["val_accuracy"], float))
        f["val_acc_max"] = float(rolling_median(np.asarray(lg["val_accuracy"], float), 3).max())
    else:
        f.update(H_train=float(np.var(data.ytr)), H_val=float(np.var(data.yva)))
    f.update({k: v for k, v in res.final.items()})
    C = np.asarray(res.continuation("val_loss"), float)
    CL = np.asarray(res.continuation("loss"), float)
    if len(C) and np.all(np.isfinite(C)):
        f["cont_epochs"] = len(C)
        f["cont_Vmin"] = float(rolling_median(C, 3).min())
        f["cont_Vend"] = end(C)
        f["cont_Lend"] = end(CL)
    # epoch-to-epoch roughness relative to level, and how often the direction flips
    for name, x, sx in (("L", L, sL), ("V", V, sV)):
        if len(x) >= 8:
            # relative to the level, but never to a level tiny next to the distance travelled
            scale = max(float(np.median(np.abs(sx))), 0.1 * float(abs(x[0] - sx.min())), 1e-9)
            f[f"rough{name}"] = float(np.median(np.abs(x - sx)) / scale)
            d = np.sign(np.diff(x))
            f[f"flips{name}"] = float(np.mean(d[1:] != d[:-1]))
            # LABELS.md's swings are "as large as the level itself", at the end of the run:
            # practitioners call a run that settles after spikes healthy (the blind labels)
            tail = x[-max(5, int(np.ceil(0.4 * len(x)))):]
            f[f"tailstep{name}"] = float(np.median(np.abs(np.diff(tail))) / max(float(np.median(np.abs(tail))), 1e-9))
    # how the train loss falls: late slope / early slope (1 = straight line, 0 = settled)
    if len(L) >= 8:
        h = len(L) // 2
        s1, s2 = theil_sen(L[:h]), theil_sen(L[h:])
        f["slope_ratio"] = float(s2 / s1) if s1 < 0 else None
        f["late_drop"] = float(-s2 * (len(L) - h))  # how far train fell over the second half (trend)
    if len(V) >= 4:
        f["slopeV_last"] = theil_sen(V[-max(4, len(V) * 3 // 10):])
    f["val_better_share"] = float(np.mean(V < L))
    f["rel_gap"] = float(np.median((L - V) / np.maximum(np.abs(L), 1e-9)))
    if ref is not None:
        rl = ref.logged()
        f["ref_Lend"] = end(np.asarray(rl["loss"], float))
        f["ref_Vend"] = end(np.asarray(rl["val_loss"], float))
        f["ref_Lmin"] = float(np.nanmin(rl["loss"]))
        # the best val the reference reached (a big unregularized reference may overfit later)
        rv = np.asarray(rl["val_loss"], float)
        f["ref_Vbest"] = float(np.nanmin(rolling_median(rv, 3))) if np.all(np.isfinite(rv)) else f["ref_Vend"]
        f["ref_lr_ratio"] = float((spec.ref or {}).get("lr", spec.lr) / spec.lr)
        # what the reference changed: the optimisation (lr, schedule) or the model (size, regularization)
        f["ref_changes"] = sorted(spec.ref or {})
    return f


def labels(f: dict[str, Any], task: str) -> list[str]:
    """Every curve code the run shows, most fundamental first (see README for the criteria)."""
    if f["non_finite"]:
        return ["non_finite"]
    out: list[str] = []
    n, nL, nV = f["n"], f["noiseL"], f["noiseV"]
    H = f["H_val"]
    # diverging: train loss ends well above its start, or jumps far above it
    if (f["Lend"] > 1.25 * f["L0"] and f["Lend"] > f["Lmin"] + 10 * nL) or f["Lmax"] > 2.0 * f["L0"] + 10 * nL:
        out.append("diverging")
    train_fell = f["Lend"] < 0.75 * f["L0"] and f["Lend"] < f["L0"] - 10 * nL
    # chance_level: val (and train) loss at the prior entropy, accuracy at the majority rate,
    # and the model's predictions carry no information
    if task != "regression":
        at_chance = abs(f["Vend"] - H) <= CHANCE_TOL * H and f["val_acc_end"] <= f["majority"] + ACC_TOL
        train_at_chance = f["Lend"] >= (1 - CHANCE_TOL) * f["H_train"]
        # ... and stays there: not still sliding down (a slow steady decline is lr_too_low's)
        settled = f.get("late_drop", 0.0) <= 0.05 * H
        if at_chance and train_at_chance and settled and "diverging" not in out:
            out.append("chance_level")
    val_never = f["Vmin"] >= f["V0"] - max(K_NOISE * nV, 0.05 * f["V0"])
    # val never got anywhere: accuracy never clearly above the majority rate (classification),
    # or loss never clearly below the target variance (regression)
    if task != "regression":
        val_useless = f["val_acc_max"] <= f["majority"] + 0.06
    else:
        val_useless = f["Vmin"] >= 0.75 * H
    # suspicious_validation: val far better than train most of the run, and still better than
    # train when train is measured without dropout (so dropout does not explain it)
    tle = f.get("train_loss_eval")
    if f["val_better_share"] >= 0.9 and f["rel_gap"] >= 0.2 and tle is not None and tle >= 1.3 * f["Vend"] \
            and tle - f["Vend"] >= 0.1 * H:
        out.append("suspicious_validation")
    if train_fell and val_never and val_useless and "chance_level" not in out:
        out.append("val_not_improving")
    # overfitting: val bottomed out after improving, ends clearly above its best, train kept falling
    # ... or its best was already well below the no-skill loss (it overfit from the first epochs)
    improved_first = f["V0"] - f["Vmin"] > max(K_NOISE * nV, 0.05 * f["V0"]) or f["Vmin"] < 0.9 * H
    rose = f["Vend"] - f["Vmin"] > max(K_NOISE * nV, REL_CLEAR * f["Vmin"], 0.05 * (f["V0"] - f["Vmin"]))
    train_kept = f["Lend"] < 0.9 * f.get("_L_at_best", f["L0"]) or f["Lend"] < f["Lmin"] + 2 * nL
    if improved_first and rose and f["argminV"] < n - 3 and train_kept and "diverging" not in out:
        out.append("overfitting")
    # lr_too_high: a fast early drop, then the loss (train or val) rises or turns rough, and a
    # reference with a lower lr (same model, same data) ends clearly lower on that curve
    if "ref_Lend" in f and f.get("ref_lr_ratio", 1) < 1:
        train_bad = f["argminL"] <= 0.6 * n and (
            f["Lend"] - f["Lmin"] > max(5 * nL, 0.1 * (f["L0"] - f["Lmin"])) or f.get("roughL", 0.0) >= OSC_ROUGH)
        val_bad = f["argminV"] <= 0.6 * n and (
            f["Vend"] - f["Vmin"] > max(5 * nV, 0.1 * f["Vmin"]) or f.get("roughV", 0.0) >= OSC_ROUGH)
        if (train_bad and f["ref_Lend"] < 0.8 * f["Lend"]) or (val_bad and f["ref_Vend"] < 0.8 * f["Vend"]):
            out.append("lr_too_high")
    # oscillating: large epoch-to-epoch swings that keep flipping direction
    rough = max(f.get("roughV", 0.0), f.get("roughL", 0.0))
    flips = max(f.get("flipsV", 0.0), f.get("flipsL", 0.0))
    tail_step = max(f.get("tailstepV", 0.0), f.get("tailstepL", 0.0))
    if rough >= OSC_ROUGH and flips >= 0.45 and tail_step >= OSC_TAIL and n >= 10:
        out.append("oscillating")
    # what continuing the same run would still gain must beat the noise, 3% of the level and
    # 2% of the distance already travelled (a 0.007 -> 0.004 val loss is settled, not improving)
    gain_needed = max(K_NOISE * nV, CONT_GAIN * f["Vend"], 0.02 * max(f["V0"] - f["Vmin"], 0.0))
    converged = "cont_Vmin" in f and f["cont_Vmin"] >= f["Vend"] - gain_needed
    # still improving needs a clear gain (twice the "converged" margin): runs in between are
    # ambiguous and get neither label
    gain_clear = max(K_NOISE * nV, 2 * CONT_GAIN * f["Vend"], 0.05 * max(f["V0"] - f["Vmin"], 0.0))
    improving = "cont_Vmin" in f and f["cont_Vmin"] < f["Vend"] - gain_clear and (f.get("slopeV_last") or 0) < 0
    # plateau: train flat over the second half, far above what the reference reaches
    optim_ref = bool(f.get("ref_changes")) and set(f["ref_changes"]) <= {"lr", "schedule", "opt", "momentum"}
    model_ref = bool(f.get("ref_changes")) and set(f["ref_changes"]) <= {"hidden", "wd", "dropout"}
    if optim_ref and n >= 10 and "chance_level" not in out:
        half = f["_L_second_half"]
        flat = (max(half) - min(half)) <= max(4 * nL, 0.03 * f["Lend"])
        if flat and f["Lend"] >= FAR_ABOVE * f["ref_Lend"] + 0.02 and converged:
            out.append("plateau")
    # underfitting: converged, train close to val, both far above what a bigger model reaches
    if model_ref and "chance_level" not in out:
        close = abs(f["Vend"] - f["Lend"]) <= 0.4 * f["Lend"] + K_NOISE * nV
        if converged and close and f["Lend"] >= FAR_ABOVE * f["ref_Lend"] + 0.02 \
                and f["Vend"] >= FAR_ABOVE * f["ref_Vbest"]:
            out.append("underfitting")
    # lr_too_low: near-straight slow decline, far from converged, and a reference with a
    # higher lr gets much lower: the lr is the cause
    if "ref_Lend" in f and f.get("ref_lr_ratio", 1) > 1 and f.get("slope_ratio") is not None:
        far = (f["L0"] - f["Lend"]) <= 0.5 * (f["L0"] - f["ref_Lend"])
        moving = f["Lend"] < f["L0"] - 5 * nL
        if f["slope_ratio"] >= 0.4 and far and moving:
            out.append("lr_too_low")
    if improving and "overfitting" not in out and "chance_level" not in out and "diverging" not in out:
        out.append("still_improving")
    if not out:
        learned = f["Vmin"] <= 0.6 * H
        # a reference (other lr / size / regularization) doing far better rules out "healthy"
        # (1.2x: between that and FAR_ABOVE a run is neither healthy nor underfitting, so dropped)
        ref_far_better = "ref_Vbest" in f and f["Vend"] >= 1.2 * f["ref_Vbest"] + 0.02
        if learned and converged and not rose and not ref_far_better:
            out.append("healthy")
    return out


def decide(spec: Spec, data: Data, res: Result, ref: Result | None) -> tuple[dict[str, Any], list[str]]:
    f = facts(spec, data, res, ref)
    if not f["non_finite"]:
        L = np.asarray(res.logged()["loss"], float)
        sL = rolling_median(L)
        f["_L_second_half"] = [float(x) for x in sL[len(sL) // 2:]]
        f["_L_at_best"] = float(sL[f["argminV"]])
    labs = labels(f, data.task)
    labs.sort(key=PRIORITY.index)
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in f.items() if not k.startswith("_")}
    return clean, labs
