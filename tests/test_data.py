"""Data sources, splits and scaling: real scikit-learn loaders, real files, real splitters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fitdoctor.config import DataConfig, SplitConfig, load_config
from fitdoctor.data import (
    SKLEARN_DATASETS, Dataset, fit_scaler, infer_task, keras_validation_split, load_dataset, make_splits,
)
from fitdoctor.data.scaling import Scaler
from fitdoctor.errors import BadInput

EXPECTED = {  # rows, features, task, classes (from scikit-learn's documentation)
    "breast_cancer": (569, 30, "binary", 2),
    "iris": (150, 4, "multiclass", 3),
    "wine": (178, 13, "multiclass", 3),
    "digits": (1797, 64, "multiclass", 10),
    "diabetes": (442, 10, "regression", None),
    "linnerud": (20, 3, "regression", None),
}


@pytest.mark.parametrize("name", sorted(SKLEARN_DATASETS))
def test_every_bundled_sklearn_dataset(name):
    ds = load_dataset(f"sklearn:{name}")
    rows, feats, task, k = EXPECTED[name]
    assert (ds.n_samples, ds.n_features, ds.task, ds.n_classes) == (rows, feats, task, k)
    assert ds.X.dtype == np.float32 and len(ds.feature_names) == feats
    if k:
        assert ds.y.dtype == np.int64 and set(np.unique(ds.y)) == set(range(k)) and len(ds.class_names) == k
    else:
        assert ds.y.dtype == np.float32 and ds.class_names is None


def test_breast_cancer_keeps_class_names_and_linnerud_first_target():
    bc = load_dataset("sklearn:breast_cancer")
    assert bc.class_names == ["malignant", "benign"] and bc.class_counts().tolist() == [212, 357]
    assert bc.summary()["majority_baseline_accuracy"] == pytest.approx(357 / 569)
    assert load_dataset("sklearn:load_iris").n_samples == 150
    diab = load_dataset("sklearn:diabetes").summary()
    assert diab["mean_baseline_mse"] == pytest.approx(float(np.var(load_dataset("sklearn:diabetes").y)), rel=1e-5)
    ln = load_dataset("sklearn:linnerud")
    assert ln.meta["target_name"] == "Weight" and ln.meta["other_targets_ignored"] == ["Waist", "Pulse"]


def test_downloading_and_unknown_sklearn_datasets_are_refused():
    with pytest.raises(BadInput, match="downloaded from the internet .fetch_california_housing."):
        load_dataset("sklearn:california_housing")
    with pytest.raises(BadInput, match="did you mean 'sklearn:iris'"):
        load_dataset("sklearn:iriss")


def test_synthetic_specs():
    ds = load_dataset("make_classification:n_samples=500,n_features=20,weights=0.9,seed=0")
    assert (ds.n_samples, ds.n_features, ds.task) == (500, 20, "binary")
    assert ds.class_counts().tolist() == [450, 50]
    again = load_dataset("make_classification:n_samples=500,n_features=20,weights=0.9,seed=0")
    assert np.array_equal(ds.X, again.X)  # seeded
    assert load_dataset("make_moons:n_samples=300,noise=0.2,seed=1").n_samples == 300
    assert load_dataset("make_circles:n_samples=100,factor=0.5").task == "binary"
    assert load_dataset("make_blobs:n_samples=90,centers=3").task == "multiclass"
    assert load_dataset("make_regression:n_samples=80,n_features=4,noise=1e-3").task == "regression"
    mc = load_dataset("make_classification:n_samples=300,n_classes=3,n_informative=4,weights=[0.6,0.3,0.1]")
    assert mc.n_classes == 3 and mc.class_counts()[2] < 40


@pytest.mark.parametrize("spec, match", [
    ("make_moons:n_sample=3", "no parameter 'n_sample' .did you mean 'n_samples'"),
    ("make_moon:n_samples=3", "did you mean 'make_moons'"),
    ("make_moons:n_samples", "not key=value"),
    ("make_classification:n_samples=100,n_features=2", "refused the parameters"),
])
def test_synthetic_spec_errors(spec, match):
    with pytest.raises(BadInput, match=match):
        load_dataset(spec)


def test_csv_with_text_target_text_feature_and_gaps(fixtures):
    ds = load_dataset({"source": str(fixtures / "data" / "churn.csv"), "target": "churned"})
    assert ds.task == "binary" and ds.class_names == ["no", "yes"]
    assert ds.n_samples == 240
    assert "contract=month-to-month" in ds.feature_names and "senior" in ds.feature_names
    assert ds.n_features == 3 + 3 + 1
    assert np.isnan(ds.X[:, ds.feature_names.index("total_charges")]).sum() == 3
    raw = pd.read_csv(fixtures / "data" / "churn.csv")
    assert ds.class_counts()[1] == (raw["churned"] == "yes").sum()


def test_csv_target_errors_list_columns(tmp_path, fixtures):
    path = fixtures / "data" / "churn.csv"
    with pytest.raises(BadInput, match=r"no target column 'churn' \(did you mean 'churned'\?\); columns: tenure, "):
        load_dataset({"source": str(path), "target": "churn"})
    with pytest.raises(BadInput, match="which column is the target.*--target"):
        load_dataset(str(path))


def test_csv_guesses_target_column_and_infers_tasks(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "label": [0, 1, 2, 0, 1, 2]}).to_csv(p, index=False)
    assert load_dataset(str(p)).task == "multiclass"
    pd.DataFrame({"a": np.arange(6.0), "target": [0.5, 1.2, 3.3, 2.2, 1.1, 0.1]}).to_csv(p, index=False)
    assert load_dataset(str(p)).task == "regression"


def test_missing_target_rows_are_dropped_and_recorded(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(6.0), "y": ["a", "b", None, "a", "b", "a"]}).to_csv(p, index=False)
    ds = load_dataset(str(p))
    assert ds.n_samples == 5 and ds.meta["dropped_missing_target"] == 1 and ds.meta["missing_target_rows"] == [2]


def test_tsv_and_bad_tables(tmp_path):
    p = tmp_path / "t.tsv"
    pd.DataFrame({"a": [1.0, 2, 3, 4], "y": [0, 1, 0, 1]}).to_csv(p, sep="\t", index=False)
    assert load_dataset(str(p)).n_features == 1
    ids = tmp_path / "ids.csv"
    pd.DataFrame({"id": [f"u{i}" for i in range(60)], "y": [0, 1] * 30}).to_csv(ids, index=False)
    with pytest.raises(BadInput, match="text column 'id' has 60 distinct values"):
        load_dataset(str(ids))
    only = tmp_path / "only.csv"
    only.write_text("y\n0\n1\n")
    with pytest.raises(BadInput, match="only the target column"):
        load_dataset(str(only))
    with pytest.raises(BadInput, match="unknown file type .json"):
        (tmp_path / "x.json").write_text("{}")
        load_dataset(str(tmp_path / "x.json"))
    with pytest.raises(BadInput, match="is a folder"):
        load_dataset(str(tmp_path))


def test_parquet(fixtures):
    ds = load_dataset(str(fixtures / "data" / "moons.parquet"))
    assert (ds.n_samples, ds.feature_names, ds.task) == (200, ["x0", "x1"], "binary")
    ref = pd.read_parquet(fixtures / "data" / "moons.parquet")
    np.testing.assert_allclose(ds.X[:, 0], ref["x0"].to_numpy(), rtol=1e-6)


def test_corrupt_parquet_is_bad_input(tmp_path):
    p = tmp_path / "bad.parquet"
    p.write_bytes(b"not parquet at all")
    with pytest.raises(BadInput, match="not a readable Parquet file"):
        load_dataset(str(p))


def test_npz(fixtures, tmp_path):
    ds = load_dataset(str(fixtures / "data" / "blobs.npz"))
    assert ds.task == "multiclass" and ds.class_names == ["alpha", "beta", "gamma"]
    assert ds.feature_names == ["f0", "f1", "f2"]
    p = tmp_path / "wrong.npz"
    np.savez(p, features=np.zeros((3, 2)), labels=np.zeros(3))
    with pytest.raises(BadInput, match="expected arrays 'X' .* the archive holds: features, labels"):
        load_dataset(str(p))
    np.savez(p, X=np.zeros((3, 2)), labels=np.array([0, 1, 0]))
    assert load_dataset({"source": str(p), "target": "labels"}).task == "binary"


def test_explicit_task_and_contradictions():
    cfg = load_config({"data": {"source": "sklearn:breast_cancer", "task": "multiclass"}}).data
    ds = load_dataset(cfg)
    assert ds.task == "multiclass" and ds.n_classes == 2 and ds.class_names == ["malignant", "benign"]
    with pytest.raises(BadInput, match="task 'binary' but the target has 3 distinct values; use task: multiclass"):
        load_dataset(DataConfig(source="sklearn:iris", task="binary"))
    with pytest.raises(BadInput, match="214 distinct values; use task: regression"):
        load_dataset(DataConfig(source="sklearn:diabetes", task="binary"))
    with pytest.raises(BadInput, match="needs class labels"):
        load_dataset(DataConfig(source="make_regression:n_samples=50", task="multiclass"))
    reg = load_dataset(DataConfig(source="sklearn:iris", task="regression"))
    assert reg.task == "regression" and reg.y.dtype == np.float32


def test_infer_task():
    assert infer_task(np.array(["a", "b"])) == "binary"
    assert infer_task(np.array([0.0, 1.0, 2.0])) == "multiclass"
    assert infer_task(np.arange(100.0)) == "regression"
    assert infer_task(np.array([0.5, 1.5])) == "regression"


def test_dataset_validates_shapes():
    with pytest.raises(BadInput, match="one value per row"):
        Dataset(np.zeros((3, 2), np.float32), np.zeros(2), ["a", "b"], "regression", None, None, "t")


# --------------------------------------------------------------------------- splits

def _check_partition(split, n):
    parts = [split.train, split.val, split.test]
    allidx = np.concatenate(parts)
    assert allidx.size == n and np.unique(allidx).size == n  # disjoint and complete


def test_holdout_622_stratified():
    ds = load_dataset("sklearn:breast_cancer")
    (s,) = make_splits(ds, SplitConfig())
    _check_partition(s, ds.n_samples)
    sizes = s.sizes()
    assert abs(sizes["test"] - 0.2 * 569) <= 1 and abs(sizes["val"] - 0.2 * 569) <= 1
    overall = ds.y.mean()
    for part in (s.train, s.val, s.test):
        assert abs(ds.y[part].mean() - overall) < 0.01  # stratified
    assert np.array_equal(make_splits(ds, SplitConfig())[0].val, s.val)  # seeded
    assert not np.array_equal(make_splits(ds, SplitConfig(seed=1))[0].val, s.val)


def test_holdout_unshuffled_takes_the_tail():
    ds = load_dataset("sklearn:iris")
    (s,) = make_splits(ds, {"shuffle": False})
    assert s.test.tolist() == list(range(120, 150))
    assert s.val.tolist() == list(range(90, 120))


def test_kfold_test_fixed_and_folds_cover_the_rest():
    ds = load_dataset("sklearn:wine")
    splits = make_splits(ds, SplitConfig(method="kfold", k=4, repeats=3, seed=2))
    assert len(splits) == 12
    test = splits[0].test
    assert all(np.array_equal(s.test, test) for s in splits)
    (holdout,) = make_splits(ds, SplitConfig(seed=2))
    assert np.array_equal(holdout.test, test)  # the same test rows whichever protocol
    for r in range(3):
        folds = [s for s in splits if s.repeat == r]
        assert [s.fold for s in folds] == [0, 1, 2, 3]
        vals = np.concatenate([s.val for s in folds])
        assert np.array_equal(np.sort(vals), np.setdiff1d(np.arange(ds.n_samples), test))
        for s in folds:
            _check_partition(s, ds.n_samples)
            counts = np.bincount(ds.y[s.val], minlength=3) / s.val.size
            assert np.abs(counts - np.bincount(ds.y, minlength=3) / ds.n_samples).max() < 0.06
    assert not np.array_equal(splits[0].val, splits[4].val)  # repeats reshuffle


def test_kfold_regression_and_no_test():
    ds = load_dataset("sklearn:diabetes")
    splits = make_splits(ds, SplitConfig(method="kfold", k=5, test=0.0))
    assert len(splits) == 5 and all(s.test.size == 0 for s in splits)
    for s in splits:
        _check_partition(s, ds.n_samples)


def test_split_errors_are_bad_input(tmp_path):
    p = tmp_path / "tiny.csv"
    pd.DataFrame({"a": np.arange(10.0), "y": [0] * 9 + [1]}).to_csv(p, index=False)
    ds = load_dataset(str(p))
    with pytest.raises(BadInput, match="stratified"):
        make_splits(ds, SplitConfig())
    with pytest.raises(BadInput, match="invalid split: method"):
        make_splits(ds, {"method": "loo"})


def test_keras_validation_split_matches_keras_floor():
    train, val = keras_validation_split(10, 0.25)  # keras: split_at = floor(10 * 0.75) = 7
    assert train.tolist() == list(range(7)) and val.tolist() == [7, 8, 9]


# --------------------------------------------------------------------------- scaling

def test_scaler_fitted_on_train_only():
    ds = load_dataset("sklearn:breast_cancer")
    (s,) = make_splits(ds)
    sc = fit_scaler(ds.X[s.train], "standard")
    np.testing.assert_allclose(sc.center, ds.X[s.train].astype(np.float64).mean(axis=0), rtol=1e-4)
    Xt = sc.transform(ds.X[s.train])
    np.testing.assert_allclose(Xt.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(Xt.std(axis=0), 1, atol=1e-3)
    whole = fit_scaler(ds.X, "standard")
    assert not np.allclose(whole.center, sc.center)  # val/test rows did not enter the fit
    Xv = sc.transform(ds.X[s.val])
    assert np.abs(Xv.mean(axis=0)).max() > 1e-3


def test_minmax_none_constant_nan_and_roundtrip():
    X = np.array([[0.0, 5.0, np.nan], [2.0, 5.0, 1.0], [4.0, 5.0, 3.0]], dtype=np.float32)
    mm = fit_scaler(X, "minmax")
    out = mm.transform(X)
    assert out[:, 0].tolist() == [0.0, 0.5, 1.0] and out[:, 1].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(out[0, 2]) and out[2, 2] == 1.0
    assert fit_scaler(X, "none").transform(X) is not None
    np.testing.assert_array_equal(fit_scaler(X, "none").transform(X), X)
    back = Scaler.from_dict(mm.to_dict())
    np.testing.assert_allclose(back.inverse_transform(back.transform(X[1:])), X[1:], rtol=1e-6)
    with pytest.raises(BadInput, match="scale 'robust'"):
        fit_scaler(X, "robust")
    with pytest.raises(BadInput, match="fitted on 3 features"):
        mm.transform(np.zeros((2, 4)))


def test_split_partition_property():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, deadline=None)
    @given(n=st.integers(30, 300), k=st.integers(2, 3), val=st.floats(0.1, 0.4), test=st.floats(0.0, 0.4),
           method=st.sampled_from(["holdout", "kfold"]), seed=st.integers(0, 5), classify=st.booleans())
    def check(n, k, val, test, method, seed, classify):
        rows_test = int(np.ceil(n * test))
        rows_val = int(np.ceil((n - rows_test) * val / (1 - test)))
        if classify and ((0 < rows_test < 3) or (method == "holdout" and rows_val < 3)):
            with pytest.raises(BadInput, match="stratified"):  # fewer rows than classes
                make_splits(ds_for(n, True), SplitConfig(method=method, k=k, val=val, test=test, seed=seed))
            return
        y = (np.arange(n) % 3).astype(np.int64) if classify else np.linspace(0, 1, n).astype(np.float32)
        ds = Dataset(np.zeros((n, 1), np.float32), y, ["a"], "multiclass" if classify else "regression",
                     3 if classify else None, [0, 1, 2] if classify else None, "h")
        splits = make_splits(ds, SplitConfig(method=method, k=k, val=val, test=test, seed=seed))
        for s in splits:
            _check_partition(s, n)
            assert s.train.size > 0 and s.val.size > 0
            assert np.array_equal(s.test, splits[0].test)

    def ds_for(n, classify):
        y = (np.arange(n) % 3).astype(np.int64)
        return Dataset(np.zeros((n, 1), np.float32), y, ["a"], "multiclass", 3, [0, 1, 2], "h")

    check()
