"""Data rules: each code fires on a planted case, with the right numbers, and stays quiet on clean data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fitdoctor.config import SplitConfig
from fitdoctor.data import Dataset, fit_scaler, keras_validation_split, load_dataset, make_splits
from fitdoctor.diagnose.data import DATA_CODES, check_data
from fitdoctor.errors import BadInput


def codes(findings):
    return [f.code for f in findings]


def by_code(findings, code):
    found = [f for f in findings if f.code == code]
    assert found, f"{code} not in {codes(findings)}"
    return found[0]


def scaled_breast_cancer():
    ds = load_dataset("sklearn:breast_cancer")
    (split,) = make_splits(ds)
    ds.X = fit_scaler(ds.X[split.train]).transform(ds.X)
    return ds, split


def with_rows(ds, X, y):
    return Dataset(X.astype(np.float32), y, list(ds.feature_names) if X.shape[1] == ds.n_features
                   else [f"x{i}" for i in range(X.shape[1])], ds.task, ds.n_classes, ds.class_names, ds.source,
                   dict(ds.meta))


def test_clean_dataset_is_quiet():
    ds, split = scaled_breast_cancer()
    assert check_data(ds, split) == []
    assert check_data(ds) == []


def test_data_rules_share_the_one_registry_but_never_judge_a_run():
    """One rule engine: the data rules are registered beside the curve rules (family "data"),
    and diagnosing a run never runs them (they judge a dataset: check-data, the trainer)."""
    import fitdoctor as fd
    from fitdoctor.diagnose import RULES, load_rules

    load_rules()
    assert {RULES[c].family for c in DATA_CODES} == {"data"}
    d = fd.diagnose({"loss": [1.0, 0.5, 0.3, 0.25], "val_loss": [1.0, 0.6, 0.4, 0.38]})
    assert not {f.code for f in d.findings} & set(DATA_CODES)
    assert set(DATA_CODES) == {"unscaled_features", "class_imbalance", "misleading_accuracy", "train_val_overlap",
                               "sorted_validation_split", "missing_values", "constant_features",
                               "id_like_feature"}


def test_unscaled_features_on_raw_breast_cancer():
    ds = load_dataset("sklearn:breast_cancer")
    f = by_code(check_data(ds), "unscaled_features")
    assert f.severity == "warning"
    assert f.evidence["largest_std_feature"] == "worst area"
    assert f.evidence["largest_std"] == pytest.approx(float(ds.X[:, ds.feature_names.index("worst area")].std()),
                                                      rel=1e-3)
    assert f.evidence["scale_spread"] > 1000
    assert f.remedies[0].config_changes == {"data.scale": "standard"}
    info = by_code(check_data(ds, scale="standard"), "unscaled_features")
    assert info.severity == "info" and "data.scale: standard" in info.message


def test_unscaled_features_planted_column():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] > 0).astype(np.int64)
    ds = Dataset(X.astype(np.float32), y, [f"x{i}" for i in range(5)], "binary", 2, [0, 1], "t")
    assert "unscaled_features" not in codes(check_data(ds))
    X2 = X.copy()
    X2[:, 3] = X2[:, 3] * 1000.0
    f = by_code(check_data(dataclasses.replace(ds, X=X2.astype(np.float32))), "unscaled_features")
    assert f.evidence["largest_std_feature"] == "x3"
    X3 = X.copy()
    X3[:, 1] += 2000.0  # a year-like column: right spread, far from 0
    f = by_code(check_data(dataclasses.replace(ds, X=X3.astype(np.float32))), "unscaled_features")
    assert f.evidence["max_offset_feature"] == "x1" and f.evidence["max_offset_sigmas"] > 1000


def test_class_imbalance_and_misleading_accuracy_with_majority_baseline():
    from sklearn.dummy import DummyClassifier

    ds = load_dataset("make_classification:n_samples=1000,weights=0.92,flip_y=0,seed=0")
    (split,) = make_splits(ds)
    found = check_data(ds, split)
    imb = by_code(found, "class_imbalance")
    assert imb.evidence["minority_share"] == pytest.approx(0.08, abs=0.01)
    assert imb.remedies[0].config_changes == {"train.class_weight": "balanced"}
    mis = by_code(found, "misleading_accuracy")
    dummy = DummyClassifier(strategy="most_frequent").fit(ds.X[split.train], ds.y[split.train])
    assert mis.evidence["val_baseline_accuracy"] == pytest.approx(dummy.score(ds.X[split.val], ds.y[split.val]))
    assert mis.evidence["test_baseline_accuracy"] == pytest.approx(dummy.score(ds.X[split.test], ds.y[split.test]))
    assert "means the model learned nothing" in mis.message


def test_balanced_multiclass_is_not_imbalanced():
    ds = load_dataset("sklearn:digits")  # ten classes of about 10% each
    assert not {"class_imbalance", "misleading_accuracy"} & set(codes(check_data(ds)))
    ds3 = load_dataset("make_classification:n_samples=600,n_classes=3,n_informative=4,weights=[0.47,0.47,0.06]")
    assert "class_imbalance" in codes(check_data(ds3))


def test_train_val_overlap_counts_planted_duplicates():
    ds, _ = scaled_breast_cancer()
    X = np.vstack([ds.X, ds.X[:60]])
    y = np.concatenate([ds.y, ds.y[:60]])
    dup = with_rows(ds, X, y)
    (split,) = make_splits(dup)
    f = by_code(check_data(dup, split), "train_val_overlap")
    keys = {X[i].tobytes() for i in split.train}
    assert f.evidence["val_rows_in_train"] == sum(X[i].tobytes() in keys for i in split.val)
    assert f.evidence["test_rows_in_train"] == sum(X[i].tobytes() in keys for i in split.test)
    assert f.evidence["duplicate_rows_in_data"] == 60
    assert f.severity == "error"  # about 1 in 10 validation rows seen in training
    a = f.evidence["examples"][0]
    assert np.array_equal(X[a["row"]], X[a["same_as_train_row"]])


def test_sorted_validation_split_on_label_sorted_iris_matches_keras():
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split

    ds = load_dataset("sklearn:iris")  # rows come sorted by species
    f = by_code(check_data(ds, val_split=0.2), "sorted_validation_split")
    assert f.severity == "warning" and f.evidence["missing_classes"] == ["setosa", "versicolor"]
    assert f.evidence["tail_rows"] == 30 and f.evidence["p_value"] < 1e-10
    # the rows we check are exactly the rows Keras 3 uses for validation_split
    for n, frac in ((150, 0.2), (101, 0.33), (7, 0.5)):
        rows = np.arange(n)
        (_, keras_val) = train_validation_split((rows,), validation_split=frac)
        assert np.array_equal(np.asarray(keras_val[0]), keras_validation_split(n, frac)[1])


def test_sorted_validation_split_quiet_when_shuffled_error_when_split_unshuffled():
    ds = load_dataset("sklearn:iris")
    perm = np.random.default_rng(0).permutation(ds.n_samples)
    shuffled = with_rows(ds, ds.X[perm], ds.y[perm])
    assert "sorted_validation_split" not in codes(check_data(shuffled))
    (tail_split,) = make_splits(ds, SplitConfig(shuffle=False))
    f = by_code(check_data(ds, tail_split), "sorted_validation_split")
    assert f.severity == "error" and "configured split" in f.evidence["checked"]


def test_sorted_validation_split_regression_target():
    ds = load_dataset("sklearn:diabetes")
    assert "sorted_validation_split" not in codes(check_data(ds))
    order = np.argsort(ds.y)
    f = by_code(check_data(with_rows(ds, ds.X[order], ds.y[order])), "sorted_validation_split")
    assert f.evidence["effect_size"] > 1 and f.evidence["rank_corr_row_vs_label"] > 0.99
    assert "ordered by target" in f.message


def test_missing_values_counts_nan_inf_and_missing_targets(fixtures):
    ds, split = scaled_breast_cancer()
    X = ds.X.copy()
    X[3, 0] = np.nan
    X[4, 0] = np.nan
    X[10, 5] = np.inf
    f = by_code(check_data(dataclasses.replace(ds, X=X), split), "missing_values")
    assert f.severity == "error"
    assert (f.evidence["nan_cells"], f.evidence["inf_cells"], f.evidence["rows_affected"]) == (2, 1, 3)
    assert f.evidence["columns"] == {ds.feature_names[0]: 2, ds.feature_names[5]: 1}
    churn = load_dataset({"source": str(fixtures / "data" / "churn.csv"), "target": "churned"})
    g = by_code(check_data(churn), "missing_values")
    assert g.evidence["columns"] == {"total_charges": 3, "contract": 2}  # one-hot column counted once


def test_missing_target_reported(tmp_path):
    import pandas as pd

    p = tmp_path / "t.csv"
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    y[[3, 9]] = np.nan
    pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50), "target": y}).to_csv(p, index=False)
    f = by_code(check_data(load_dataset(str(p))), "missing_values")
    assert f.evidence["missing_targets"] == 2 and f.evidence["missing_target_rows"] == [3, 9]


def test_constant_features():
    ds, split = scaled_breast_cancer()
    X = np.hstack([ds.X, np.full((ds.n_samples, 1), 7.0, np.float32)])
    planted = Dataset(X, ds.y, ds.feature_names + ["always_seven"], ds.task, 2, ds.class_names, ds.source)
    f = by_code(check_data(planted, split), "constant_features")
    assert f.severity == "info" and f.evidence["columns"] == {"always_seven": 7.0}
    zeros = Dataset(np.zeros((100, 4), np.float32), np.arange(100) % 2, list("abcd"), "binary", 2, [0, 1], "z")
    g = by_code(check_data(zeros), "constant_features")
    assert g.severity == "warning" and g.evidence["constant_columns"] == 4


def test_check_data_arguments():
    ds, split = scaled_breast_cancer()
    with pytest.raises(BadInput, match="--val-split 1.5"):
        check_data(ds, val_split=1.5)
    with pytest.raises(BadInput, match="did you mean 'majority_share'"):
        check_data(ds, thresholds={"majority_shar": 0.5})
    strict = check_data(ds, split, thresholds={"majority_share": 0.6})
    assert "misleading_accuracy" in codes(strict)  # 62.7% benign
    raw = load_dataset("sklearn:iris")
    assert "unscaled_features" not in codes(check_data(raw, mute=["unscaled_features"]))


def test_findings_serialize():
    import json

    ds = load_dataset("sklearn:iris")
    for f in check_data(ds):
        json.dumps(f.to_dict())


def _with_column(ds, name, values):
    X = np.column_stack([ds.X, np.asarray(values, dtype=np.float64)])
    return Dataset(X.astype(np.float32), ds.y, [*ds.feature_names, name], ds.task, ds.n_classes,
                   ds.class_names, ds.source, dict(ds.meta))


def test_id_like_feature_a_counting_row_number():
    ds, split = scaled_breast_cancer()
    ds = _with_column(ds, "customer_id", np.arange(1000, 1000 + ds.n_samples))
    found = check_data(ds, split)
    f = by_code(found, "id_like_feature")
    assert f.severity == "warning" and f.evidence["feature"] == "customer_id"
    assert f.evidence["consecutive"] and f.evidence["id_name"] and f.evidence["distinct"] == ds.n_samples
    assert "'customer_id' looks like a row identifier" in f.message
    assert "df.drop(columns=['customer_id'])" in f.remedies[0].action
    # the identifier's size is not a scaling problem of the features
    assert "unscaled_features" not in codes(found)


def test_id_like_feature_shuffled_ids_under_an_id_name_and_monotonic_ints_under_any_name():
    ds, split = scaled_breast_cancer()
    rng = np.random.default_rng(0)
    shuffled = _with_column(ds, "CustomerId", rng.permutation(ds.n_samples) + 5000)
    assert by_code(check_data(shuffled, split), "id_like_feature").evidence["monotonic"] is False
    rising = _with_column(ds, "t", np.cumsum(rng.integers(1, 9, ds.n_samples)))
    assert by_code(check_data(rising, split), "id_like_feature").evidence["id_name"] is False


@pytest.mark.parametrize("name,values", [
    ("age", lambda n, rng: rng.integers(18, 90, n)),                      # repeats: a real feature
    ("score", lambda n, rng: rng.normal(size=n)),                         # distinct floats, unordered
    ("fluid_ml", lambda n, rng: rng.permutation(n).astype(float)),        # distinct, unordered, not an id name
])
def test_id_like_feature_quiet_on_real_features(name, values):
    ds, split = scaled_breast_cancer()
    ds = _with_column(ds, name, values(ds.n_samples, np.random.default_rng(1)))
    assert "id_like_feature" not in codes(check_data(ds, split))


def test_one_duplicate_row_among_many_is_a_remark_not_a_warning():
    """Iris holds a duplicate pair; one shared row among 30 test rows moves test accuracy by
    0.033, below its sampling error: a remark. Planted duplicates (above) stay an error."""
    ds = load_dataset("sklearn:iris")
    f = by_code(check_data(ds, make_splits(ds)[0]), "train_val_overlap")
    assert f.severity == "info" and "too few to move a score" in f.message
    assert f.evidence["test_rows_in_train"] + f.evidence["test_rows_in_val"] == 1
