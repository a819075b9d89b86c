"""``fitdoctor.torch``: diagnose a hand-written PyTorch loop: ``Monitor`` (see :mod:`fitdoctor.integrations.torch`).

An alias module: importing it imports the framework; ``import fitdoctor`` alone never does.
Inside fitdoctor every import is absolute, so this module never hides the real package.
"""

from fitdoctor.integrations.torch import *  # noqa: F401,F403
from fitdoctor.integrations.torch import __all__  # noqa: F401
