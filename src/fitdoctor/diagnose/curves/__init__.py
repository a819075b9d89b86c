"""Rules that read the loss and metric curves alone (any training log), one module per job.

Each rule is one function returning a Finding or None, registered with the one rule engine
(family ``curves``). Trends are judged against the run's own noise (``Curve.sigma``, from
second differences) with Theil-Sen slopes; every constant is a named field of
``fitdoctor.thresholds.Thresholds``; each code's priority, explanation and what it explains
live in ``fitdoctor.codes``. Importing this package registers the rules, in this order.
"""

from fitdoctor.diagnose.curves import (  # noqa: F401  (registration order)
    chance_rule,
    divergence,
    generalization,
    learning_rate,
    stall,
    oscillation,
    progress,
)
from fitdoctor.diagnose.curves.messages import finding, fv, fx, unit

__all__ = ["finding", "fv", "fx", "unit"]
