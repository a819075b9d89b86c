"""The model-training lines of mbrl-lib's logger (facebookresearch/mbrl-lib: PETS, MBPO, PlaNet),
one per epoch of each round of dynamics-model training::

    | model_train | I: 3 | E: 7 | TD: 800 | VD: 0 | MLOSS: 80.2691 | MVSCORE: 7.8475 | MBVSCORE: 7.8950

(``mbrl.util.logger``'s MODEL_LOG_FORMAT: I the training round, E the epoch, TD/VD the dataset
sizes, MLOSS the model's train loss, MVSCORE its validation score, an MSE, MBVSCORE the best
validation score so far; the tag is coloured on a terminal). Each line is rewritten as ``epoch E
| loss=.. | val_mse=..`` for the generic reader: every round starts again at epoch 0, so each is a
run of its own. The train loss of a probabilistic ensemble is a Gaussian NLL, not an MSE, so the
two are never compared as one loss on two splits. The running best is no curve and the sizes are
no metric; both are left out.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_TAG = r"(?:\x1b\[[0-9;]*m)?model_train(?:\x1b\[[0-9;]*m)?"
LINE = re.compile(r"^\|\s*" + _TAG + r"\s*\|\s*I:\s*(\d+)\s*\|\s*E:\s*(\d+)\s*\|[^\n]*?\bMLOSS:\s*(" + NUM
                  + r")\s*\|\s*MVSCORE:\s*(" + NUM + r")[^\n]*$", re.M)


def mbrl_lines_as_lines(text: str) -> tuple[str, str | None]:
    """Every mbrl-lib model-training line as ``epoch E | loss=MLOSS | val_mse=MVSCORE`` (other
    lines as they were), and the note that says so (None when there was none)."""
    if "MVSCORE" not in text or LINE.search(text) is None:
        return text, None
    out = LINE.sub(lambda m: f"epoch {m.group(2)} | loss={m.group(3)} | val_mse={m.group(4)}", text)
    return out, ("mbrl-lib's model_train lines read as epochs, MLOSS as the train loss and MVSCORE as the "
                 "validation MSE (another measure than the train NLL); each training round (I) is a run of its own")
