"""``fitdoctor.hf``: diagnose the Hugging Face Trainer: ``DoctorCallback`` (see :mod:`fitdoctor.integrations.hf`).

An alias module: importing it imports the framework; ``import fitdoctor`` alone never does.
Inside fitdoctor every import is absolute, so this module never hides the real package.
"""

from fitdoctor.integrations.hf import *  # noqa: F401,F403
from fitdoctor.integrations.hf import __all__  # noqa: F401
