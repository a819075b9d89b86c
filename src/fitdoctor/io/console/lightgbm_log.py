"""LightGBM's evaluation log, as its ``log_evaluation`` callback (``verbose_eval``) prints it:

    [LightGBM] [Info] Number of positive: 3024, number of negative: 2976
    Training until validation scores don't improve for 50 rounds
    [10]	training's binary_logloss: 0.512	valid_1's binary_logloss: 0.547
    [20]	training's binary_logloss: 0.401	valid_1's binary_logloss: 0.498
    Early stopping, best iteration is:
    [17]	training's binary_logloss: 0.428	valid_1's binary_logloss: 0.489

One line per logged round: ``[round]``, then tab-separated ``<data set>'s <metric>: <value>``
(``lgb.cv`` prints ``cv_agg's l2: 0.51 + 0.02``, the folds' mean and spread; ``l2``, ``l1`` and
``l2_root`` are read as the mse, mae and rmse they are). The data set
named ``training`` or ``train`` is the train split and the first other one on the line the
validation (later ones are left out, as for a dumped ``evals_result_``). The best round printed
again under "best iteration is:" repeats an earlier line, so it is dropped. Data sets named per
fold (``train-3-9`` / ``valid-3-9``, a script's own names, the folds' lines interleaved) are one
run per fold. Each round becomes an ``epoch N | name=value ...`` line for the generic reader.
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_ROUND = re.compile(r"^\s*\[(\d+)\]\t(.+?)\s*$")
_CELL = re.compile(r"^(.+?)'s\s+([\w@.-]+)\s*:\s*(" + NUM + r")(?:\s*\+\s*" + NUM + r")?$")
_BEST_FOLLOWS = re.compile(r"best iteration is:\s*$", re.I)
_TRAIN = re.compile(r"^train(?:ing)?", re.I)
#: LightGBM's own data set names, which carry no fold
_STANDARD = re.compile(r"^(?:train(?:ing)?|valid(?:ation)?(?:_\d+)?|val|eval|test|cv_agg)$", re.I)
_SPLIT_WORD = re.compile(r"train(?:ing)?|valid(?:ation)?|val|eval|test", re.I)
#: LightGBM's names for the regression errors, in the names every reader knows them by
_ERROR_NAMES = {"l2": "mse", "l1": "mae", "l2_root": "rmse", "regression": "mse", "regression_l1": "mae"}
#: fewer round lines than this are no evaluation log
MIN_ROUNDS = 3


def _cells(rest: str) -> list[tuple[str, str, str]] | None:
    """``(data set, metric, value)`` of each tab-separated cell, or None when a cell is not one."""
    out = []
    for cell in rest.split("\t"):
        m = _CELL.match(cell.strip())
        if m is None:
            return None
        metric = m.group(2).lower()
        out.append((m.group(1).strip(), _ERROR_NAMES.get(metric, metric), m.group(3)))
    return out


def _fold(data_set: str) -> str:
    """What names the fold in a data set's name: nothing for LightGBM's own names, the rest of a
    script's name once its split word is taken out (``valid-3-9`` -> ``-3-9``)."""
    return "" if _STANDARD.match(data_set) else _SPLIT_WORD.sub("", data_set, count=1)


def lightgbm_lines_as_lines(text: str) -> tuple[str, str | None]:
    """One ``epoch N | ...`` line per logged round, each fold's rounds together (other lines
    dropped), and a note; the text unchanged when it holds fewer than ``MIN_ROUNDS`` round lines."""
    if "]\t" not in text or "'s " not in text:
        return text, None
    lines = text.split("\n")
    rounds: dict[str, list[str]] = {}  # fold -> its "epoch N | .." lines, in order
    n_read, repeat_next = 0, False
    for line in lines:
        m = _ROUND.match(line)
        cells = _cells(m.group(2)) if m is not None else None
        if cells is None:
            repeat_next = bool(_BEST_FOLLOWS.search(line))
            continue
        if repeat_next:  # the best round again, under "best iteration is:"
            repeat_next = False
            continue
        by_fold: dict[str, list[str]] = {}
        val_set: dict[str, str] = {}
        for data_set, metric, value in cells:
            fold = _fold(data_set)
            if _TRAIN.match(data_set):
                by_fold.setdefault(fold, []).append(f"{metric}={value}")
            elif val_set.setdefault(fold, data_set) == data_set:
                by_fold.setdefault(fold, []).append(f"val_{metric}={value}")
        for fold, parts in by_fold.items():
            rounds.setdefault(fold, []).append(f"epoch {m.group(1)} | " + " ".join(parts))
        n_read += 1
    if n_read < MIN_ROUNDS:
        return text, None
    out = [line for fold_lines in rounds.values() for line in fold_lines]
    folds = f", {len(rounds)} folds each a run of its own" if len(rounds) > 1 else ""
    return "\n".join(out), (f"read as LightGBM's evaluation log: {n_read} round lines ('[N]  training's <metric>: "
                            f"..'), one point per logged boosting round{folds}")
