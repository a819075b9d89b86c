"""tqdm progress bars: where their metrics are (the postfix inside ``[...]``)."""

from __future__ import annotations


def epoch_bar_postfix(rest: str) -> str:
    """The postfix of a bar whose description held the epoch (``Epoch 3: 100%|####| 12/12
    [00:01<00:00, 9.5it/s, loss=0.41]``), not text glued after the bar; ``rest`` itself when
    the bar has no brackets."""
    bar = rest.find("|")
    if "[" in rest[bar:]:
        rest = rest[rest.find("[", bar) + 1:]
        rest = rest.split("]", 1)[0]
    return rest


def bar_postfix(rest: str) -> str:
    """The postfix of a bar with no epoch (``Map: 100%|####| 1000/1000 [00:01<00:00, 900
    examples/s]``, a download): the percentage after its label is progress, only the postfix
    can hold metrics; empty when there is none."""
    br = rest.find("[", rest.find("%|"))
    return rest[br + 1:].split("]", 1)[0] if br >= 0 else ""
