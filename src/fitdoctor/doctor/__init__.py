"""``fitdoctor doctor``: diagnose, try the remedies, keep only what beats the noise.

    import fitdoctor as fd
    res = fd.doctor("config.yaml", seeds=5)      # -> DoctorResult
    print(res.verdict); print(res.prescription)  # the final config as YAML

Each round diagnoses the current config's retrains (a finding counts when it shows in at
least half of them), takes the top finding's remedies in order (then the next finding's),
resolves each against the config (:mod:`fitdoctor.remedies_apply`: relative, safe, never the
test split), retrains on the same seeds (holdout) or folds (k-fold), and accepts a change
only when a one-sided paired t-test over those units says the selection score improved
(p < ``alpha``) by more than ``min_effect``. It stops when the run is healthy, when no
remedy helps, at ``max_rounds`` or when the time budget is spent. Selection never sees the
test rows (:func:`fitdoctor.train.protocol.select`); only the end scores the first and the
final config on test, once each, beside the baselines (:func:`~fitdoctor.train.protocol.final`).
Retrains of one candidate run in parallel processes (spawned, one torch thread each) where
the machine has more than one core.

The package, one module per job: :mod:`~fitdoctor.doctor.loop` (the rounds),
:mod:`~fitdoctor.doctor.significance` (when a change counts as better),
:mod:`~fitdoctor.doctor.retrain` (the paired retrains, in parallel),
:mod:`~fitdoctor.doctor.evidence` (what the retrains show), :mod:`~fitdoctor.doctor.result`
(what it returns) and :mod:`~fitdoctor.doctor.files` (its run directory).
"""

from __future__ import annotations

from fitdoctor.doctor.evidence import DATA_CODES, JUDGE_FOLDS, SMALL_VAL_ROWS, consensus_findings, judging
from fitdoctor.doctor.files import write_doctor_dir
from fitdoctor.doctor.loop import CLEARLY_WORSE, SCALES, check_also_try, check_options, doctor
from fitdoctor.doctor.result import DoctorProgress, DoctorResult, DoctorRound, DoctorTrial
from fitdoctor.doctor.significance import (PROMISING, R2_FLOOR, comparable, decide, default_min_effect, judge,
                                           merge_selections)

__all__ = ["doctor", "DoctorResult", "DoctorRound", "DoctorTrial", "DoctorProgress", "default_min_effect",
           "decide", "judge", "merge_selections", "consensus_findings", "write_doctor_dir", "check_options",
           "check_also_try", "judging", "comparable", "JUDGE_FOLDS", "SMALL_VAL_ROWS", "DATA_CODES", "SCALES",
           "CLEARLY_WORSE", "PROMISING", "R2_FLOOR"]

from fitdoctor._callable import make_callable  # noqa: E402

make_callable(__name__, "doctor")  # fd.doctor(...) still calls doctor() once ``fitdoctor.doctor`` is the package
