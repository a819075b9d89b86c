"""Datasets, splits and scaling for the built-in trainer and ``check-data``.

    ds = load_dataset(cfg.data)                 # sklearn:<name>, make_*:k=v,..., .csv/.parquet/.npz
    for split in make_splits(ds, cfg.data.split):
        scaler = fit_scaler(ds.X[split.train], cfg.data.scale)   # training rows only
        X_train = scaler.transform(ds.X[split.train])

The test split is carved out first and is identical across folds and repeats, so it is
never used for selection.
"""

from fitdoctor.data.dataset import Dataset, infer_task
from fitdoctor.data.scaling import Scaler, fit_scaler
from fitdoctor.data.sources import SKLEARN_DATASETS, SYNTHETIC, load_dataset
from fitdoctor.data.splits import Split, keras_validation_split, make_splits

__all__ = ["Dataset", "load_dataset", "infer_task", "Split", "make_splits", "keras_validation_split",
           "Scaler", "fit_scaler", "SKLEARN_DATASETS", "SYNTHETIC"]
