"""``fitdoctor.keras``: diagnose Keras 3 ``model.fit``: ``DoctorCallback`` (see :mod:`fitdoctor.integrations.keras`).

An alias module: importing it imports the framework; ``import fitdoctor`` alone never does.
Inside fitdoctor every import is absolute, so this module never hides the real package.
"""

from fitdoctor.integrations.keras import *  # noqa: F401,F403
from fitdoctor.integrations.keras import __all__  # noqa: F401
