"""LightGBM's evaluation log, as its log_evaluation callback prints it."""

from __future__ import annotations

import json

import fitdoctor as fd

HEAD = ("[LightGBM] [Info] Number of positive: 3024, number of negative: 2976\n"
        "[LightGBM] [Info] Total Bins 1530\n"
        "Training until validation scores don't improve for 5 rounds\n")


def _rounds(n, train, valid, names=("training", "valid_1"), metric="binary_logloss"):
    return "".join(f"[{i}]\t{names[0]}'s {metric}: {train(i):.6f}\t{names[1]}'s {metric}: {valid(i):.6f}\n"
                   for i in range(1, n + 1))


def test_a_lightgbm_log_is_read_with_its_validation_set_and_log_loss(tmp_path):
    p = tmp_path / "train.log"
    valid = lambda i: 0.62 * 0.985 ** min(i, 25) + 0.002 * max(i - 25, 0)  # noqa: E731
    p.write_text(HEAD + _rounds(40, lambda i: 0.6 * 0.97 ** i, valid)
                 + "Early stopping, best iteration is:\n"
                 + "[25]\ttraining's binary_logloss: 0.280000\tvalid_1's binary_logloss: 0.424900\n")
    (h,) = fd.read_runs(p)
    assert {"loss", "val_loss"} <= set(h.series)
    assert h.series["val_loss"].steps.tolist() == list(range(1, 41))  # the best round's repeat is dropped
    assert h.series["val_loss"].raw_name == "val_binary_logloss"
    assert any("LightGBM's evaluation log" in n for n in h.meta["notes"])
    d = fd.diagnose(h)
    assert d.top.code == "overfitting" and 24 <= d.top.evidence["best_at"] <= 26


def test_lgb_cv_means_and_regression_errors_are_read_by_their_names(tmp_path):
    p = tmp_path / "cv.log"
    p.write_text("".join(f"[{i}]\tcv_agg's l2: {3 * 0.95 ** i:.5f} + {0.1:.5f}\n" for i in range(1, 30)))
    (h,) = fd.read_runs(p)
    assert h.series["val_loss"].raw_name == "val_mse"
    assert h.series["val_loss"].values[0] == 2.85


def test_folds_named_by_the_script_and_interleaved_are_one_run_each(tmp_path):
    lines = []
    for i in range(5, 55, 5):
        for fold in (1, 2, 3):
            lines.append(f"[{i}]\ttrain-{fold}-3's auc: {0.6 + 0.003 * i + 0.01 * fold:.5f}\t"
                         f"valid-{fold}-3's auc: {0.58 + 0.002 * i:.5f}")
    p = tmp_path / "output.log"
    p.write_text("Sleeping 10 seconds\n" + "\n".join(lines) + "\n")
    runs = fd.read_runs(p)
    assert len(runs) == 3
    assert all(r.series["val_auc"].steps.tolist() == list(range(5, 55, 5)) for r in runs)
    assert runs[1].series["auc"].values[0] == 0.635


def test_an_evals_result_whose_train_set_came_first_keeps_valid_1(tmp_path):
    """``evals_result_`` of ``fit(eval_set=[(X, y), (Xv, yv)])``: ``training`` and ``valid_1``;
    valid_1 is the only validation set, not a second one."""
    p = tmp_path / "evals.json"
    p.write_text(json.dumps({"training": {"binary_logloss": [0.6 * 0.97 ** i for i in range(30)]},
                             "valid_1": {"binary_logloss": [0.62 * 0.98 ** i for i in range(30)]}}))
    (h,) = fd.read_runs(p)
    assert {"loss", "val_loss"} <= set(h.series)
