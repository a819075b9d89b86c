"""The table ``spacy train`` prints (spaCy v3's console logger):

    E    #       LOSS TOK2VEC  LOSS NER  ENTS_F  ENTS_P  ENTS_R  SCORE
    ---  ------  ------------  --------  ------  ------  ------  ------
      0       0          0.00     49.44    0.00    0.00    0.00    0.00
      0     200         33.13   2305.11   45.52   47.28   43.88    0.46

``E`` is the epoch, ``#`` the step; each ``LOSS <COMPONENT>`` is the sum of that component's
loss over the steps since the row before (spaCy resets it at each evaluation), so it is read per
step: divided by the steps it sums (the first row sums one). The score columns are the dev set's
(in percent), ``SCORE`` the weighted score spaCy keeps its best model by. Each row becomes a
``step N | ...`` line for the generic reader: ``loss`` the components' per-step sum,
``val_score`` and the score columns as ``val_<name>`` (``ENTS_F`` as ``val_ents_f1``).
"""

from __future__ import annotations

import re

from fitdoctor.io.console.patterns import NUM

_HEAD = re.compile(r"^\s*(?:T\s{2,})?E\s{2,}#\s{2,}(.*\bLOSS\b.*?)\s*$")
_RULE = re.compile(r"^\s*-{1,}(?:\s{2,}-+)+\s*$")
_ROW = re.compile(r"^\s*(" + NUM + r"(?:\s+" + NUM + r")+)\s*$")
#: spaCy's score suffixes, spelled so the generic reader knows the scores
_SUFFIX = {"_f": "_f1", "_p": "_precision", "_r": "_recall"}


def _column(name: str) -> str:
    name = name.strip().lower().replace(" ", "_").replace(".", "")
    for short, long in _SUFFIX.items():
        if name.endswith(short):
            return name[: -len(short)] + long
    return name


def spacy_tables_as_lines(text: str) -> tuple[str, str | None]:
    """Every ``spacy train`` table row as a ``step N | ...`` line (other lines as they were), and
    a note on how its losses are read; the text unchanged when it holds no such table."""
    if "LOSS" not in text or "#" not in text:
        return text, None
    lines = text.split("\n")
    out: list[str] = []
    columns: list[str] | None = None
    previous_step: float | None = None
    found = False
    for line in lines:
        head = _HEAD.match(line)
        if head is not None:
            columns = [c for c in re.split(r"\s{2,}", head.group(1).strip()) if c]
            previous_step = None
            out.append("")
            continue
        if columns is not None and _RULE.match(line):
            continue
        row = _ROW.match(line) if columns is not None else None
        if row is not None:
            cells = row.group(1).split()
            values = cells[-len(columns):]
            if len(cells) < len(columns) + 2 or len(values) != len(columns):
                columns = None
                out.append(line)
                continue
            step = float(cells[-len(columns) - 1])  # the column before it, E, is the epoch
            steps = max(step - previous_step, 1.0) if previous_step is not None else 1.0
            previous_step = step
            parts, total = [], 0.0
            for name, value in zip(columns, values):
                if name.upper().startswith("LOSS "):
                    per_step = float(value) / steps
                    total += per_step
                    parts.append(f"loss_{_column(name[5:])}={per_step:.6g}")
                elif name.upper() == "SCORE":
                    parts.append(f"val_score={value}")
                else:
                    parts.append(f"val_{_column(name)}={value}")
            parts.insert(0, f"loss={total:.6g}")
            out.append(f"step {step:.0f} | " + " ".join(parts))
            found = True
            continue
        if columns is not None and line.strip():
            columns = None  # the table ended (a "✔ Saved pipeline" line)
        out.append(line)
    if not found:
        return text, None
    return "\n".join(out), ("read from spaCy's training table: each LOSS column summed over the steps since the "
                            "row before, read per step; the scores are the dev set's")


#: spaCy v2's training loop, as its examples print it: ``print("Losses", losses)`` with the dict
#: ``nlp.update(..., losses=losses)`` adds each batch's loss to
_V2_LOSSES = re.compile(r"^\s*(?:.*?\b)?Losses:?\s*(\{[^{}]*\})\s*$")
_V2_PAIR = re.compile(r"['\"](\w+)['\"]\s*:\s*(" + NUM + r")")


def spacy_v2_losses_as_lines(text: str) -> tuple[str, str | None]:
    """spaCy v2's ``Losses {'ner': 172.9}`` lines as one ``epoch N | loss=..`` line per training
    iteration. Printed after every batch, the dict is a running sum that starts again at each
    iteration (it drops back): an iteration's loss is its last sum. Printed once per iteration
    (the examples' way), each line is an iteration's sum already. Other lines stay as they were."""
    if "Losses" not in text:
        return text, None
    lines = text.split("\n")
    found = [(i, {k: float(v) for k, v in _V2_PAIR.findall(m.group(1))})
             for i, line in enumerate(lines) if (m := _V2_LOSSES.match(line))]
    found = [(i, d) for i, d in found if d]
    if len(found) < 3:
        return text, None
    sums = [sum(d.values()) for _, d in found]
    rises = sum(1 for a, b in zip(sums, sums[1:]) if b >= a)
    running = rises >= 0.8 * (len(sums) - 1)  # a running sum mostly grows, batch after batch
    if running:
        # an iteration ends where the sum drops back (the dict was emptied), and at the last line
        ends = [k for k in range(len(found)) if k == len(found) - 1 or sums[k + 1] < 0.5 * sums[k]]
    else:
        ends = list(range(len(found)))
    kept = {found[k][0]: n for n, k in enumerate(ends, start=1)}
    losses_at = dict(found)
    out = []
    for i, line in enumerate(lines):
        if i in kept:
            d = losses_at[i]
            cells = [f"loss={sum(d.values()):.6g}"] + ([f"loss_{k}={v:.6g}" for k, v in d.items()] if len(d) > 1 else [])
            out.append(f"epoch {kept[i]} | " + " ".join(cells))
        elif i not in losses_at:
            out.append(line)
    how = ("the running sum spaCy's nlp.update adds each batch to, read at the end of each iteration" if running
           else "one sum per training iteration")
    return "\n".join(out), f"read from spaCy v2's 'Losses' lines: {how}; no validation is printed"
