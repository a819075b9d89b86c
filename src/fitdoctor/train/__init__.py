"""The built-in trainer: a PyTorch MLP from a run config, with probes and baselines.

    from fitdoctor.train import run_experiment, write_run_dir
    exp = run_experiment("config.yaml")          # data checks, fits, baselines, test once
    write_run_dir("runs/exp1", exp)              # config.yaml, history.csv, probes.csv, ...
    exp.diagnoses[0].codes

``fit`` trains one model on given arrays (used by doctor, tune, lr-find, benchmarks).
Needs the ``train`` extra (torch, scikit-learn).
"""

from fitdoctor.errors import require

require("torch", "train", "the built-in trainer")

from fitdoctor.train.experiment import Experiment, diagnose_fit, run_experiment  # noqa: E402
from fitdoctor.train.model import MLP, build_model  # noqa: E402
from fitdoctor.train.run_dir import write_run_dir  # noqa: E402
from fitdoctor.train.trainer import FitResult, fit, predict_scores  # noqa: E402

__all__ = ["run_experiment", "Experiment", "diagnose_fit", "write_run_dir", "fit", "FitResult",
           "predict_scores", "build_model", "MLP"]
