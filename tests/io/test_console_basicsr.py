"""BasicSR's training log (Real-ESRGAN, NAFNet, Restormer, pyiqa, ...), as its logger writes it:
refused before ("unknown log format"), or read without its validation."""

from __future__ import annotations

import pytest

import fitdoctor as fd

HEAD = ["2025-02-04 16:44:04,409 INFO: ", "Version Information: ", "\tPyTorch: 2.5.1+cu124",
        "2025-02-04 16:44:04,410 INFO: ", "  name: baseline_SVTNet_Res50_koniq", "  train:[",
        "    total_iter: 2400", "    pixel_opt:[", "      type: MSELoss", "      loss_weight: 1.0", "    ]", "  ]",
        "2025-02-04 16:44:33,923 INFO: Start training from epoch: 0, iter: 0"]


def _log(iters: int, every: int = 100, val_every: int = 400, old_style: bool = False, gan: bool = False) -> str:
    out = list(HEAD)
    for it in range(every, iters + 1, every):
        pix = 0.05 / (1 + it / 400) + 0.004
        terms = f"l_pix: {pix:.4e} l_percep: {2 * pix:.4e} "
        if gan:
            terms += f"l_g_gan: {0.01:.4e} l_d_real: {0.6:.4e} out_d_real: {1.2:.4e} l_d_fake: {0.7:.4e} "
        out.append(f"2025-02-04 16:48:00,314 INFO: [train..][epoch:{it // 50:3d}, iter:{it:>9,}, lr:(2.000e-04,1.000e-05,)] "
                   f"[eta: 2:37:00, time (data): 2.064 (0.521)] {terms}")
        if it % val_every == 0:
            psnr = 30 - 3 / (1 + it / 400)
            if old_style:
                out.append(f"2025-02-04 17:11:42,180 INFO: # Validation Set5 # psnr: {psnr:.4e}.")
            else:
                out += ["2025-02-04 17:11:42,180 INFO: Validation Set5",
                        f"\t # psnr: {psnr:.4f}\tBest: {psnr:.4f} @ {it} iter",
                        f"\t # ssim: {0.8 + it / 1e5:.4f}\tBest: {0.8 + it / 1e5:.4f} @ {it} iter", "",
                        "2025-02-04 17:11:50,180 INFO: Validation Urban100",
                        f"\t # psnr: {psnr - 5:.4f}\tBest: {psnr - 5:.4f} @ {it} iter", ""]
    out.append("2025-02-04 19:20:00,000 INFO: End of training. Time consumed: 2:35:27")
    return "\n".join(out) + "\n"


def test_a_basicsr_log_is_read_on_its_iterations_with_its_first_validation_set(tmp_path):
    path = tmp_path / "train_baseline_20250204_164404.log"
    path.write_text(_log(2400))
    runs = fd.read_runs(path)
    run = max(runs, key=lambda r: len(r.series.get("loss", {}).values if "loss" in r.series else []))
    loss = run.series["loss"]
    assert list(loss.steps)[:3] == [100, 200, 300]
    first = 0.05 / (1 + 100 / 400) + 0.004
    assert loss.values[0] == pytest.approx(3 * first, rel=1e-3)  # l_pix + l_percep
    assert list(run.series["val_psnr"].steps) == [400, 800, 1200, 1600, 2000, 2400]
    assert run.series["val_psnr"].values[0] == pytest.approx(30 - 3 / 2, abs=1e-4)  # Set5, not Urban100
    assert "val_ssim" in run.series
    assert any("BasicSR" in n for n in run.meta.get("notes", []))


def test_older_one_line_validations_and_a_gans_discriminator_terms(tmp_path):
    """Older BasicSR prints '# Validation Set5 # psnr: 2.8e+01.'; an ESRGAN-style run's l_d_*
    terms train the discriminator and stay out of the generator's loss."""
    path = tmp_path / "train.log"
    path.write_text(_log(1600, old_style=True, gan=True))
    runs = fd.read_runs(path)
    run = max(runs, key=lambda r: len(r.series["loss"].values) if "loss" in r.series else 0)
    first = 0.05 / (1 + 100 / 400) + 0.004
    assert run.series["loss"].values[0] == pytest.approx(3 * first + 0.01, rel=1e-3)
    assert run.series["l_d_real"].values[0] == pytest.approx(0.6)
    assert list(run.series["val_psnr"].steps) == [400, 800, 1200, 1600]
