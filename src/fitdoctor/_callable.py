"""A module that can be called as its main function.

``fitdoctor.doctor`` and ``fitdoctor.tune`` are both a submodule and the function a user calls
(``fd.doctor(config)``). Python binds a package's attribute to a submodule once the submodule is
imported, so after the first import ``fd.doctor`` is the module, not the function: the second
``fd.doctor(...)`` in a notebook would fail with "'module' object is not callable". Making the
module callable keeps both ``fd.doctor(...)`` and ``import fitdoctor.doctor as dm`` working.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class CallableModule(types.ModuleType):
    """Calling the module calls the function named by ``__call_target__``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__dict__["__call_target__"])(*args, **kwargs)


def make_callable(module_name: str, function: str) -> None:
    """Make ``sys.modules[module_name]`` callable as its ``function``."""
    module = sys.modules[module_name]
    module.__call_target__ = function
    module.__class__ = CallableModule
