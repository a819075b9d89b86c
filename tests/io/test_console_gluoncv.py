"""GluonCV's detection training logs (``train_ssd.py``, ``train_yolo3.py``,
``train_faster_rcnn.py``), written with the format strings those scripts use: refused before as
an unknown format (their loss terms are named ``CrossEntropy``, ``SmoothL1``, no "loss")."""

from __future__ import annotations

import numpy as np

import fitdoctor as fd


def _ssd_log(ce, l1, maps=None, *, prefix="", batches=(0, 99, 199), classes=("aeroplane", "bicycle")):
    """One epoch: batch lines with the running means, the epoch's ``Training cost`` line and,
    where ``maps`` is given, its validation block (a class's AP per line, then mAP)."""
    lines = []
    for e, (c, s) in enumerate(zip(ce, l1)):
        for b in batches:
            lines.append(f"{prefix}[Epoch {e}][Batch {b}], Speed: 41.337 samples/sec, "
                         f"CrossEntropy={c * (1.2 - 0.1 * batches.index(b)):.3f}, SmoothL1={s:.3f}")
        lines.append(f"{prefix}[Epoch {e}] Training cost: 412.513, CrossEntropy={c:.3f}, SmoothL1={s:.3f}")
        if maps is not None:
            lines.append(f"{prefix}[Epoch {e}] Validation: ")
            lines += [f"{k}={maps[e] - 0.01 * i:.4f}" for i, k in enumerate(classes)]
            lines.append(f"mAP={maps[e]:.4f}")
    return "\n".join(lines) + "\n"


def test_a_gluoncv_ssd_log_reads_one_point_per_epoch_with_the_summed_loss_and_map(tmp_path):
    n = np.arange(12)
    ce, l1 = list(4.0 * np.exp(-n / 3) + 1.5), list(2.0 * np.exp(-n / 3) + 0.8)
    maps = list(0.2 + 0.5 * (1 - np.exp(-n / 3)))
    path = tmp_path / "ssd_300_vgg16_atrous_voc_train.log"
    path.write_text(_ssd_log(ce, l1, maps))
    h = fd.read(path)
    assert h.series["loss"].steps.tolist() == [float(e) for e in n]
    np.testing.assert_allclose(h.series["loss"].values, np.round(ce, 3) + np.round(l1, 3), rtol=1e-4)
    np.testing.assert_allclose(h.series["crossentropy"].values, np.round(ce, 3), rtol=1e-4)  # the epoch's own line
    np.testing.assert_allclose(h.series["val_map"].values, np.round(maps, 4), rtol=1e-4)
    assert any("GluonCV" in note for note in h.meta["notes"])
    assert fd.diagnose(h).top is not None


def test_batch_lines_alone_read_as_the_epoch_s_last_running_means_on_the_console(tmp_path):
    """The console copy (``INFO:root:`` before each line) of a run whose script printed batch
    lines only, a ``val_AP`` on each: AP read as a score that is still climbing."""
    lines = []
    for e in range(15):
        for b in (0, 50):
            lines.append(f"INFO:root:[Epoch {e}][Batch {b}], Speed: 0.563 samples/sec, "
                         f"CrossEntropy={0.9 * 0.8 ** e + 0.01 * b / 50:.2e}, SmoothL1={3e-3 * 0.9 ** e:.2e}, "
                         f"val_AP={0.15 + 0.02 * e + 0.002 * b / 50:.3f}")
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    h = fd.read(path)
    assert len(h.series["loss"]) == 15
    assert h.series["val_ap"].values[-1] == 0.432  # the last batch line of the last epoch
    d = fd.diagnose(h)
    assert d.top.code == "still_improving" and d.top.message.startswith("val_ap was still rising"), d.codes
