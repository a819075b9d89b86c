"""Ray Tune backend (placeholder, filled in below)."""
from fitdoctor.tune.base import Backend, register


@register
class RayBackend(Backend):
    name = "ray"
    extra = "ray"
    module = "ray"
