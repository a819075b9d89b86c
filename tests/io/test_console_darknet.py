"""darknet's training output (AlexeyAB's YOLO trainer, ``./darknet detector train ... -map``):
read before as generic pairs, where ``avg loss, 0.000000`` made the learning rate the loss."""

from __future__ import annotations

import pytest

import fitdoctor as fd


def _log(iters: int, map_at: int = 100) -> str:
    out = ["Prepare additional network for mAP calculation...", " compute_capability = 750, cudnn_half = 1",
           "yolov4-tiny", "Learning Rate: 0.00261, Momentum: 0.9, Decay: 0.0005", " Create 6 permanent cpu-threads"]
    for it in range(1, iters + 1):
        raw = 0.7 + 300.0 / it ** 1.5
        avg = raw * 1.05
        lr = 0.00261 * min(1.0, (it / 50) ** 4)
        out += ["Loaded: 0.000040 seconds", f" (next mAP calculation at {map_at * (1 + it // map_at)} iterations) ",
                f" {it}: {raw:.6f}, {avg:.6f} avg loss, {lr:.6f} rate, 0.55 seconds, {48 * it} images, 0.5 hours left"]
        if it % map_at == 0:
            m = 0.3 + it / 2000
            out += [" calculation mAP (mean average precision)...", " Detection layer: 30 - type = 28 ",
                    "class_id = 0, name = salmon, ap = 40.34%   \t (TP = 149, FP = 108) ", "",
                    " for conf_thresh = 0.25, precision = 0.58, recall = 0.37, F1-score = 0.45 ",
                    " for conf_thresh = 0.25, TP = 149, FP = 108, FN = 257, average IoU = 37.51 % ", "",
                    " IoU threshold = 50 %, used Area-Under-Curve for each unique Recall ",
                    f" mean average precision (mAP@0.50) = {m:.6f}, or {100 * m:.2f} % ",
                    f" Last accuracy mAP@0.5 = {100 * m:.2f} %, best = {100 * m:.2f} % "]
        elif it > map_at:
            m = 0.3 + (it // map_at) * map_at / 2000
            out.append(f" Last accuracy mAP@0.5 = {100 * m:.2f} %, best = {100 * m:.2f} % ")
    return "\n".join(out) + "\n"


def test_a_darknet_log_reads_its_batch_loss_lr_and_map_per_iteration(tmp_path):
    path = tmp_path / "log_train.txt"
    path.write_text(_log(400))
    [run] = fd.read_runs(path)
    loss = run.series["loss"]
    assert list(loss.steps)[:2] == [1, 2]
    assert loss.values[0] == pytest.approx(300.7, rel=1e-4)
    assert run.series["loss_ema"].values[0] == pytest.approx(300.7 * 1.05, rel=1e-4)
    assert run.series["lr"].values[-1] == pytest.approx(0.00261)
    # the mAP once per calculation, on its iteration, not repeated by every "Last accuracy" line
    assert list(run.series["val_map50"].steps) == [100, 200, 300, 400]
    assert run.series["val_map50"].values[0] == pytest.approx(0.35)
    assert not any(k.startswith(("next", "conf", "precision", "tp")) for k in run.series)
