"""Turn a ``data.source`` string into a :class:`Dataset`.

Sources: ``sklearn:<name>`` (scikit-learn's bundled datasets, no download),
``make_<generator>:key=value,...`` (scikit-learn's synthetic generators, ``seed`` for
``random_state``), and table files (.csv/.tsv, .parquet, .npz with arrays X and y).
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

import numpy as np

from fitdoctor.data.dataset import Dataset, encode_target, infer_task
from fitdoctor.errors import BadInput, require

#: scikit-learn datasets shipped inside the package (no network). name -> (loader, task)
SKLEARN_DATASETS: dict[str, tuple[str, str]] = {
    "breast_cancer": ("load_breast_cancer", "binary"),
    "iris": ("load_iris", "multiclass"),
    "wine": ("load_wine", "multiclass"),
    "digits": ("load_digits", "multiclass"),
    "diabetes": ("load_diabetes", "regression"),
    "linnerud": ("load_linnerud", "regression"),
}

#: scikit-learn generators usable as ``make_<name>:k=v,...``; value: the task they produce.
SYNTHETIC: dict[str, str] = {
    "make_classification": "classification",
    "make_moons": "classification",
    "make_circles": "classification",
    "make_blobs": "classification",
    "make_gaussian_quantiles": "classification",
    "make_hastie_10_2": "classification",
    "make_regression": "regression",
    "make_friedman1": "regression",
    "make_friedman2": "regression",
    "make_friedman3": "regression",
    "make_sparse_uncorrelated": "regression",
}

#: names that mean "the target" in a table when no target column is given
TARGET_GUESSES = ("target", "label", "labels", "y", "class")
#: a text feature column with more distinct values than this is refused (an id, free text)
MAX_CATEGORY_LEVELS = 50


def load_dataset(data_cfg: Any) -> Dataset:
    """Load the dataset a :class:`~fitdoctor.config.DataConfig` (or a source string) names."""
    if isinstance(data_cfg, (str, os.PathLike)):
        source, target, task = str(data_cfg), None, "auto"
    elif isinstance(data_cfg, dict):
        source, target, task = data_cfg.get("source"), data_cfg.get("target"), data_cfg.get("task", "auto")
    else:
        source, target, task = data_cfg.source, data_cfg.target, data_cfg.task
    if not source or not isinstance(source, str):
        raise BadInput(f"data source {source!r}: expected sklearn:<name>, make_<generator>:k=v,... "
                       "or a .csv/.parquet/.npz path")
    task = task or "auto"
    if source.startswith("sklearn:"):
        ds = _load_sklearn(source[len("sklearn:"):].strip(), source)
    elif source.split(":", 1)[0] in SYNTHETIC or (source.startswith("make_") and not Path(source).exists()):
        ds = _load_synthetic(source)
    else:
        ds = _load_file(Path(source), target)
    return _retask(ds, task)


def _retask(ds: Dataset, task: str) -> Dataset:
    """Apply an explicit task (or keep the inferred one), re-encoding the target if needed."""
    if task in ("auto", ds.task):
        return ds
    if task not in ("binary", "multiclass", "regression"):
        raise BadInput(f"task {task!r}: expected auto, binary, multiclass or regression")
    y_enc, k, names = encode_target(np.asarray(ds.meta["raw_target"]), task, ds.source, ds.class_names)
    return Dataset(ds.X, y_enc, ds.feature_names, task, k, names, ds.source, ds.meta)


# --------------------------------------------------------------------------- scikit-learn

def _load_sklearn(name: str, source: str) -> Dataset:
    datasets = require("sklearn.datasets", "train", "sklearn: data sources")
    if name.startswith("load_"):  # sklearn:load_iris, as the loader is called
        name = name[len("load_"):]
    if name not in SKLEARN_DATASETS:
        if hasattr(datasets, f"fetch_{name}"):
            raise BadInput(f"{source}: scikit-learn's {name} is downloaded from the internet "
                           f"(fetch_{name}), which fitdoctor never does; bundled datasets: "
                           f"{', '.join(SKLEARN_DATASETS)}; or save it as a .csv/.parquet/.npz")
        import difflib

        close = difflib.get_close_matches(name, list(SKLEARN_DATASETS), n=1)
        hint = f" (did you mean 'sklearn:{close[0]}'?)" if close else ""
        raise BadInput(f"{source}: unknown scikit-learn dataset{hint}; bundled: {', '.join(SKLEARN_DATASETS)}")
    loader, task = SKLEARN_DATASETS[name]
    bunch = getattr(datasets, loader)()
    X = np.asarray(bunch.data, dtype=np.float32)
    y = np.asarray(bunch.target)
    meta: dict[str, Any] = {}
    if y.ndim == 2:  # linnerud: three targets; the first (Weight) is the one we predict
        meta["target_name"] = str(bunch.target_names[0])
        meta["other_targets_ignored"] = [str(t) for t in bunch.target_names[1:]]
        y = y[:, 0]
    names = [str(f) for f in getattr(bunch, "feature_names", [])] or [f"x{i}" for i in range(X.shape[1])]
    class_names = [str(t) for t in bunch.target_names] if task != "regression" else None
    y_enc, k, cls = encode_target(y, task, source, class_names)
    meta["raw_target"] = y
    return Dataset(X, y_enc, names, task, k, cls, source, meta)


# --------------------------------------------------------------------------- synthetic

def _split_params(text: str) -> list[str]:
    """Split ``a=1,b=[0.9,0.1]`` on commas outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [p.strip() for p in out if p.strip()]


def parse_spec(source: str) -> tuple[str, dict[str, Any]]:
    """``make_moons:n_samples=500,noise=0.2,seed=0`` -> ("make_moons", {...})."""
    import yaml

    name, _, rest = source.partition(":")
    name = name.strip()
    params: dict[str, Any] = {}
    for item in _split_params(rest):
        if "=" not in item:
            raise BadInput(f"{source}: parameter {item!r} is not key=value (e.g. n_samples=500)")
        key, value = (s.strip() for s in item.split("=", 1))
        try:
            parsed = yaml.safe_load(value) if value else None
        except yaml.YAMLError:
            parsed = value
        if isinstance(parsed, str):  # YAML 1.1 reads 1e-3 as text
            try:
                parsed = float(parsed)
            except ValueError:
                pass
        params["random_state" if key == "seed" else key] = parsed
    return name, params


def _load_synthetic(source: str) -> Dataset:
    datasets = require("sklearn.datasets", "train", "synthetic data sources")
    name, params = parse_spec(source)
    if name not in SYNTHETIC:
        import difflib

        close = difflib.get_close_matches(name, list(SYNTHETIC), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise BadInput(f"{source}: unknown generator {name!r}{hint}; expected one of {', '.join(SYNTHETIC)}")
    fn = getattr(datasets, name)
    allowed = [p for p in inspect.signature(fn).parameters if p != "return_centers"]
    for key in params:
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(key, allowed + ["seed"], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise BadInput(f"{source}: {name} has no parameter {key!r}{hint}; "
                           f"parameters: {', '.join(allowed)}, seed")
    if name == "make_classification" and isinstance(params.get("weights"), (int, float)):
        params["weights"] = [float(params["weights"])]  # weights=0.9: the first class's share
    params.setdefault("random_state", 0)
    try:
        X, y = fn(**params)[:2]
    except (ValueError, TypeError) as exc:
        raise BadInput(f"{source}: {name} refused the parameters: {str(exc).splitlines()[0]}") from None
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0]
    X = np.asarray(X, dtype=np.float32)
    task = infer_task(y) if SYNTHETIC[name] == "classification" else "regression"
    y_enc, k, names = encode_target(y, task, source)
    meta = {"generator": name, "params": dict(params), "raw_target": y}
    return Dataset(X, y_enc, [f"x{i}" for i in range(X.shape[1])], task, k, names, source, meta)


# --------------------------------------------------------------------------- files

def _load_file(path: Path, target: str | None) -> Dataset:
    source = str(path)
    if not path.exists():
        raise BadInput(f"data source {source!r}: no such file; expected sklearn:<name>, "
                       "make_<generator>:k=v,... or a .csv/.parquet/.npz path")
    if path.is_dir():
        raise BadInput(f"data source {source!r} is a folder; expected a .csv/.parquet/.npz file")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _load_npz(path, target)
    pd = require("pandas", "train", "reading table files")
    if suffix in (".csv", ".tsv", ".txt"):
        try:
            frame = pd.read_csv(path, sep=None if suffix != ".csv" else ",", engine="python")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise BadInput(f"{source}: not a readable CSV table ({str(exc).splitlines()[0]})") from None
    elif suffix in (".parquet", ".pq"):
        require("pyarrow", "parquet", "reading Parquet files")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises its own error types for corrupt files
            raise BadInput(f"{source}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    else:
        raise BadInput(f"data source {source!r}: unknown file type {suffix or '(none)'}; "
                       "expected .csv, .tsv, .parquet or .npz")
    return frame_to_dataset(frame, target, source)


def _pick_target(columns: list[str], target: str | None, source: str) -> str:
    if target is not None:
        if target in columns:
            return target
        import difflib

        close = difflib.get_close_matches(target, columns, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise BadInput(f"{source}: no target column {target!r}{hint}; columns: {', '.join(columns)}")
    for guess in TARGET_GUESSES:
        for col in columns:
            if col.lower() == guess:
                return col
    raise BadInput(f"{source}: which column is the target? none is named "
                   f"{'/'.join(TARGET_GUESSES)}; pass --target (data.target) with one of: {', '.join(columns)}")


def frame_to_dataset(frame: Any, target: str | None, source: str) -> Dataset:
    """A pandas DataFrame with a target column -> Dataset (text features one-hot encoded)."""
    pd = require("pandas", "train", "reading table files")
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    if frame.shape[0] == 0:
        raise BadInput(f"{source}: the table has no rows")
    col = _pick_target(list(frame.columns), target, source)
    y_raw = frame.pop(col)
    if frame.shape[1] == 0:
        raise BadInput(f"{source}: the table has only the target column {col!r}; no features")
    missing = y_raw.isna().to_numpy()
    meta: dict[str, Any] = {"target_name": col}
    if missing.all():
        raise BadInput(f"{source}: target column {col!r} is empty")
    if missing.any():
        meta["dropped_missing_target"] = int(missing.sum())
        meta["missing_target_rows"] = np.flatnonzero(missing)[:10].tolist()
        frame = frame.loc[~missing].reset_index(drop=True)
        y_raw = y_raw.loc[~missing].reset_index(drop=True)
    parts, names = [], []
    for name in frame.columns:
        s = frame[name]
        if s.dtype.kind == "b":
            parts.append(s.to_numpy(dtype=np.float32)[:, None])
            names.append(name)
        elif s.dtype.kind in "iuf":
            parts.append(s.to_numpy(dtype=np.float32, na_value=np.nan)[:, None])
            names.append(name)
        else:
            num = pd.to_numeric(s, errors="coerce")
            if num.notna().sum() == s.notna().sum():  # numbers stored as text
                parts.append(num.to_numpy(dtype=np.float32, na_value=np.nan)[:, None])
                names.append(name)
                continue
            levels = sorted({str(v) for v in s.dropna().tolist()})
            if len(levels) > MAX_CATEGORY_LEVELS:
                raise BadInput(f"{source}: text column {name!r} has {len(levels)} distinct values "
                               f"(more than {MAX_CATEGORY_LEVELS}: an id or free text?); drop it or encode it")
            block = np.zeros((len(s), len(levels)), dtype=np.float32)
            text = s.astype("string")
            for j, level in enumerate(levels):
                block[:, j] = (text == level).fillna(False).to_numpy(dtype=bool)
            block[s.isna().to_numpy()] = np.nan  # keep missing visible to check-data
            parts.append(block)
            names.extend(f"{name}={level}" for level in levels)
            meta.setdefault("one_hot", {})[name] = [f"{name}={level}" for level in levels]
    X = np.hstack(parts).astype(np.float32)
    y = y_raw.to_numpy()
    if y.dtype == object:
        kinds = {type(v) for v in y.tolist()}
        if kinds <= {int, float, bool}:
            y = y.astype(float)
        else:
            y = np.asarray([str(v) for v in y.tolist()], dtype=object)
    task = infer_task(y)
    y_enc, k, classes = encode_target(y, task, source)
    meta["raw_target"] = y
    return Dataset(X, y_enc, names, task, k, classes, source, meta)


def _load_npz(path: Path, target: str | None) -> Dataset:
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, OSError) as exc:
        raise BadInput(f"{source}: not a readable .npz archive ({str(exc).splitlines()[0]})") from None
    ykey = target or "y"
    if "X" not in arrays or ykey not in arrays:
        raise BadInput(f"{source}: expected arrays 'X' (features) and {ykey!r} (target); "
                       f"the archive holds: {', '.join(arrays) or 'nothing'}")
    X = arrays["X"]
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.dtype.kind not in "iufb":
        raise BadInput(f"{source}: X has shape {X.shape} and dtype {X.dtype}; expected a 2-D numeric array")
    y = arrays[ykey]
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise BadInput(f"{source}: {ykey} has shape {y.shape}; expected one value per row of X ({X.shape[0]})")
    names = ([str(n) for n in arrays["feature_names"].tolist()]
             if "feature_names" in arrays and len(arrays["feature_names"]) == X.shape[1]
             else [f"x{i}" for i in range(X.shape[1])])
    meta: dict[str, Any] = {}
    if y.dtype.kind == "f" and np.isnan(y).any():
        keep = ~np.isnan(y)
        meta["dropped_missing_target"] = int((~keep).sum())
        meta["missing_target_rows"] = np.flatnonzero(~keep)[:10].tolist()
        X, y = X[keep], y[keep]
    task = infer_task(y)
    y_enc, k, classes = encode_target(y, task, source)
    meta["raw_target"] = y
    return Dataset(X.astype(np.float32), y_enc, names, task, k, classes, source, meta)
