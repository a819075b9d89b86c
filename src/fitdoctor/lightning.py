"""``fitdoctor.lightning``: diagnose the Lightning Trainer: ``DoctorCallback`` (see :mod:`fitdoctor.integrations.lightning`).

An alias module: importing it imports the framework; ``import fitdoctor`` alone never does.
Inside fitdoctor every import is absolute, so this module never hides the real package.
"""

from fitdoctor.integrations.lightning import *  # noqa: F401,F403
from fitdoctor.integrations.lightning import __all__  # noqa: F401
