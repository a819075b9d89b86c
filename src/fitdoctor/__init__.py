"""fitdoctor: is this model any good, and are my settings right?

    import fitdoctor as fd
    h = fd.read("runs/exp1/")       # any supported log file or folder
    d = fd.diagnose(h)              # also a log's path, a dict of lists or a Keras History
    for f in d.findings:
        print(f.code, f.severity, f.message)

Every command has its function: ``fd.run_experiment`` (train), ``fd.doctor``, ``fd.tune``,
``fd.lr_find``, ``fd.learning_curve``, ``fd.check_data``, ``fd.write_report`` (report),
``fd.Watcher`` (watch).
"""

__version__ = "0.1.0"

from fitdoctor.diagnose import diagnose  # noqa: E402
from fitdoctor.errors import BadInput, FitdoctorError  # noqa: E402
from fitdoctor.findings import Diagnosis, Finding, Remedy  # noqa: E402
from fitdoctor.history import RunHistory, Series  # noqa: E402
from fitdoctor.io import formats, read, read_runs  # noqa: E402

__all__ = ["read", "read_runs", "diagnose", "formats", "RunHistory", "Series", "Diagnosis",
           "Finding", "Remedy", "BadInput", "FitdoctorError", "__version__"]

#: the Python side of every command (``fitdoctor COMMAND`` -> ``fd.NAME``), loaded on first use
_LAZY = {
    "run_experiment": ("fitdoctor.train", "run_experiment"),
    "write_run_dir": ("fitdoctor.train", "write_run_dir"),
    "write_report": ("fitdoctor.report", "write_report"),
    "Watcher": ("fitdoctor.watch", "Watcher"),
    "load_config": ("fitdoctor.config", "load_config"),
    "load_dataset": ("fitdoctor.data", "load_dataset"),
    "check_data": ("fitdoctor.diagnose.data", "check_data"),
    "lr_find": ("fitdoctor.studies.lr_find", "lr_find"),
    "learning_curve": ("fitdoctor.studies.learning_curve", "learning_curve"),
    "doctor": ("fitdoctor.doctor", "doctor"),
    "DoctorResult": ("fitdoctor.doctor", "DoctorResult"),
    "tune": ("fitdoctor.tune", "tune"),
}


def __getattr__(name: str):
    """Extras (pydantic, scikit-learn, torch) load only when their API is first used."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'fitdoctor' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy names too, so that tab completion shows ``fd.doctor`` before its first use."""
    return sorted(set(globals()) | set(_LAZY))
