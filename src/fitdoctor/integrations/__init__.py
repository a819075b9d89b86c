"""Diagnose while training: thin adapters over the framework-free core (``fitdoctor.live``).

    from fitdoctor.keras import DoctorCallback       # Keras 3 model.fit
    from fitdoctor.lightning import DoctorCallback   # Lightning Trainer
    from fitdoctor.hf import DoctorCallback          # Hugging Face Trainer
    from fitdoctor.torch import Monitor              # a hand-written PyTorch loop

Each adapter imports its framework only when it is imported itself; a missing framework is
a one-line error with the pip command (``pip install 'fitdoctor[keras]'``).
"""

from fitdoctor.integrations.base import REGISTRY, load

__all__ = ["REGISTRY", "load"]
