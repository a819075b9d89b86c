"""Run-level rules: a baseline that beats the network, and the trainer's data checks read back."""

import numpy as np
import pytest

import fitdoctor as fd
from fitdoctor.diagnose.run_level import compare, t_critical


def _history(baseline_scores=None, data_findings=None, n=30):
    x = np.arange(n)
    h = fd.RunHistory.from_dict({"loss": list(0.2 + 0.5 * np.exp(-x / 5)),
                                 "val_loss": list(0.25 + 0.5 * np.exp(-x / 5))})
    h.meta["format"] = "fitdoctor-trainer"
    if baseline_scores is not None:
        h.meta["baseline_scores"] = baseline_scores
    if data_findings is not None:
        h.meta["data_findings"] = data_findings
    return h


def _holdout(net, base, n_val, metric="accuracy", test=None):
    return {"metric": metric, "split": "val", "n_val": n_val, "network": {metric: net},
            "baselines": {"majority": {metric: 0.6}, "logistic": {metric: base}}, "folds": None,
            "test": test}


def _kfold(net, base, metric="accuracy"):
    return {"metric": metric, "split": "val", "n_val": 90, "network": {metric: net[0]},
            "baselines": {"logistic": {metric: base[0]}},
            "folds": {"network": net, "majority": [0.62] * len(net), "logistic": base}, "test": None}


def _below(h):
    d = fd.diagnose(h)
    return next((f for f in d.findings if f.code == "below_baseline"), None), d


def test_logistic_far_ahead_on_a_holdout_split_is_a_warning():
    f, d = _below(_history(_holdout(0.665, 0.90, 200, test={"network": {"accuracy": 0.665},
                                                             "logistic": {"accuracy": 0.815}})))
    assert f is not None and f.severity == "warning"
    assert f.message.startswith("logistic regression beats the network on validation accuracy: 0.9 against 0.665")
    assert "200 validation rows" in f.message and "test split, scored once: 0.815 against 0.665" in f.message
    assert f.evidence["beyond_noise"] is True and f.evidence["z"] > 1.96
    assert f.evidence["test"].startswith("binomial standard error")
    assert "healthy" not in d.codes  # a warning stands: the run is not healthy
    actions = [r.action for r in f.remedies]
    assert actions[0].startswith("use the baseline (logistic regression)")
    # k-fold is advice: a remedy never changes the split (doctor compares on the same rows)
    assert any("k-fold" in r.action and not r.config_changes for r in f.remedies)


def test_the_remedies_are_valid_config_changes():
    from fitdoctor.config import load_config
    from fitdoctor.remedies_apply import apply_remedy

    f, _ = _below(_history(_holdout(0.665, 0.90, 200)))
    cfg = load_config({"data": {"source": "sklearn:iris"}})
    for r in f.remedies:
        apply_remedy(cfg, r.config_changes)  # raises on an unknown key or a change it refuses


def test_a_small_lead_on_a_small_split_is_within_noise_and_says_so():
    f, d = _below(_history(_holdout(0.95, 0.96, 100)))
    assert f is not None and f.severity == "info"
    assert "within noise" in f.message and "has not shown it is worth its cost" in f.message
    assert "healthy" in d.codes  # info is a remark, not a diagnosis


def test_kfold_is_a_paired_comparison_over_the_folds():
    net = [0.90, 0.91, 0.89, 0.90, 0.92]
    base = [0.95, 0.955, 0.945, 0.95, 0.975]
    f, _ = _below(_history(_kfold(net, base)))
    assert f.severity == "warning" and f.evidence["test"] == "paired t over 5 folds"
    assert f.evidence["folds_baseline_ahead"] == 5 and f.evidence["t"] > t_critical(4)
    assert "mean of 5 folds, ahead in 5" in f.message


def test_kfold_like_breast_cancer_a_lead_inside_the_fold_spread_is_info():
    # the trainer's breast_cancer run: network 0.971 +- 0.023, logistic 0.978 +- 0.011
    net = [0.989, 0.967, 0.934, 0.978, 0.989]
    base = [0.989, 0.978, 0.967, 0.967, 0.989]
    f, _ = _below(_history(_kfold(net, base)))
    assert f.severity == "info" and f.evidence["beyond_noise"] is False


def test_the_network_ahead_or_level_says_nothing():
    assert _below(_history(_holdout(0.93, 0.90, 200)))[0] is None
    assert _below(_history(_holdout(0.90, 0.90, 200)))[0] is None


def test_a_trivial_baseline_within_noise_is_left_to_the_chance_rules():
    h = _history({"metric": "accuracy", "n_val": 200, "network": {"accuracy": 0.66},
                  "baselines": {"majority": {"accuracy": 0.665}}, "folds": None})
    assert _below(h)[0] is None


def test_the_majority_class_beating_the_network_beyond_noise_is_said():
    h = _history({"metric": "accuracy", "n_val": 400, "network": {"accuracy": 0.50},
                  "baselines": {"majority": {"accuracy": 0.70}}, "folds": None})
    f, _ = _below(h)
    assert f.severity == "warning" and f.message.startswith("always predicting the majority class beats")


def test_regression_on_one_split_is_judged_on_an_approximate_r2_noise_scale():
    """R^2 on one split: twice the normal-theory noise of each model's MSE ratio. A network at
    R^2 -3.9 beside ridge at 0.50 (89 rows) went unmentioned before; a gap of 0.05 on 200 rows
    stays within noise."""
    f = _below(_history(_holdout(-3.9, 0.50, 89, metric="r2")))[0]
    assert f is not None and f.severity == "warning"
    assert _below(_history(_holdout(0.50, 0.70, 200, metric="r2")))[0].severity == "warning"
    near = _below(_history(_holdout(0.50, 0.55, 200, metric="r2")))[0]
    assert near is None or near.severity == "info"
    h = _history(_kfold([0.5, 0.52, 0.49, 0.51], [0.7, 0.72, 0.69, 0.71], metric="r2"))
    assert _below(h)[0].severity == "warning"


def test_a_log_from_another_tool_is_never_judged_against_baselines():
    assert _below(_history())[0] is None


def test_compare_guards():
    assert compare([float("nan")], [0.9], metric="accuracy", n_val=100) is None
    c = compare([1.0], [1.0], metric="accuracy", n_val=50)
    assert c["beyond_noise"] is False and c["se"] > 0
    assert t_critical(4) == pytest.approx(2.776) and t_critical(11) == pytest.approx(2.228)


def test_the_trainers_data_findings_are_read_back_from_the_meta():
    stored = [{"code": "unscaled_features", "severity": "warning", "span": None, "message": "Features are not scaled",
               "evidence": {"scale_spread": 7829.0}, "explanation": "why", "confidence": 1.0, "priority": 80,
               "remedies": [{"action": "standardize", "config_changes": {"data.scale": "standard"}, "why": ""}]},
              {"code": "a_code_from_the_future", "severity": "warning", "message": "?"}]
    d = fd.diagnose(_history(data_findings=stored))
    f = next(f for f in d.findings if f.code == "unscaled_features")
    assert f.priority == 80 and f.remedies[0].config_changes == {"data.scale": "standard"}
    assert "a_code_from_the_future" not in d.codes and "healthy" not in d.codes
