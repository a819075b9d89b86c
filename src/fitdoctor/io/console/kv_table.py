"""The key-value tables of OpenAI baselines' logger (``logger.dumpkvs()``), which Stable-Baselines3
and OpenAI's diffusion trainers (improved-, guided-diffusion) print as they train:

    -----------------------------------------          -------------------------------------
    | rollout/                |             |          | loss                   | 0.0581   |
    |    ep_len_mean          | 200         |          | mse                    | 0.0577   |
    |    ep_rew_mean          | 23.4        |          | samples                | 2.56e+03 |
    | time/                   |             |          | step                   | 20       |
    |    total_timesteps      | 12576       |          -------------------------------------
    | train/                  |             |
    |    loss                 | 0.203       |
    -----------------------------------------

RLCard's logger (``log_performance``) prints the same kind of table without the outer bars,
one per evaluation, on the episode or timestep it was taken at:

    ----------------------------------------
      episode      |  100
      reward       |  0.036
    ----------------------------------------

One table per dump. Each becomes one ``step N | name=value ...`` line for the generic reader, on
the counter the table carries (SB3's ``time/total_timesteps``, else ``step``, else the tables'
order). In an RL table the curve a practitioner reads is the episode reward: PPO's and A2C's
``train/loss`` is a surrogate objective that goes up and down by design (its policy-gradient
term is not minimised towards zero), and its value and entropy terms move as the policy does, so
an RL table is read for its rewards, its success rate and its lr alone.
"""

from __future__ import annotations

import re

_RULE = re.compile(r"^\s*-{10,}\s*$")
_ROW = re.compile(r"^\s*\|\s*(\S[^|]*?)\s*\|\s*([^|]*?)\s*\|\s*$")
#: RLCard's row: the key indented, one bar, the value (no outer bars)
_BARE_ROW = re.compile(r"^\s+([A-Za-z_][\w /.-]*?)\s*\|\s*(\S+)\s*$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?(?:nan|inf)$", re.I)
#: counters that say where a table was dumped, in the order they are preferred as its step
_COUNTERS = ("time/total_timesteps", "total_timesteps", "step", "timesteps", "timestep", "time/iterations",
             "iterations", "time/episodes", "episodes", "episode")
#: bookkeeping, not a curve: throughput and clocks, the counters themselves, update counts
_DROPPED = re.compile(r"(?:^|/)(?:fps|time_elapsed|total_timesteps|iterations|episodes|n_updates|samples|"
                      r"step|timesteps|timestep|episode)$")
#: a section whose table holds the held-out evaluation (SB3's EvalCallback: eval/mean_reward)
_EVAL_SECTION = ("eval/",)
_RL_SECTIONS = ("rollout/", "eval/")
#: what an RL table is judged on: the episode reward (and success rate), train and eval, and the
#: lr; the losses of its policy, value and entropy terms move by design as the policy changes
_RL_KEPT = re.compile(r"(?:^|/)(?:ep_rew_mean|mean_reward|success_rate|learning_rate)$")


def _tables(lines: list[str]) -> list[tuple[int, int, dict[str, str]]]:
    """(first line, last line, key -> value) of every table: a rule, rows, a rule."""
    found = []
    i = 0
    while i < len(lines):
        if not _RULE.match(lines[i]):
            i += 1
            continue
        j, rows, section = i + 1, {}, ""
        row = _ROW if j < len(lines) and _ROW.match(lines[j]) else _BARE_ROW  # one layout per table
        while j < len(lines) and (m := row.match(lines[j])):
            key, value = m.group(1), m.group(2)
            if key.endswith("/") and not value:
                section = key
            else:
                indented = row is _ROW and lines[j].split("|", 2)[1].startswith("    ")
                rows[(section if indented else "") + key] = value
            j += 1
        if rows and j < len(lines) and _RULE.match(lines[j]):
            found.append((i, j, rows))
            i = j  # the closing rule can open the next table only when one follows at once
            if i + 1 < len(lines) and not row.match(lines[i + 1]):
                i += 1
        else:
            i = max(j, i + 1)
    return found


def _name(key: str) -> str:
    """A curve name the generic reader reads: ``eval/mean_reward`` -> ``val_mean_reward``,
    ``rollout/ep_rew_mean`` -> ``ep_rew_mean``, ``train/learning_rate`` -> ``learning_rate``."""
    section, _, leaf = key.rpartition("/")
    leaf = leaf.replace(" ", "_")
    if section + "/" in _EVAL_SECTION:
        return "val_" + leaf
    return leaf


def kv_tables_as_lines(text: str) -> tuple[str, str | None]:
    """Every baselines-logger table as a ``step N | name=value ...`` line (other lines as they
    were), and a note saying so; the text unchanged when it holds fewer than two tables."""
    if "|" not in text or "-----" not in text:
        return text, None
    lines = text.split("\n")
    tables = _tables(lines)
    if len(tables) < 2:
        return text, None
    rl = any(k.startswith(_RL_SECTIONS) for _, _, rows in tables for k in rows)
    out: list[str] = []
    last = 0
    for order, (start, end, rows) in enumerate(tables, start=1):
        out.extend(lines[last:start])
        counter = next((rows[c] for c in _COUNTERS if c in rows and _NUMBER.match(rows[c])), None)
        step = int(float(counter)) if counter is not None else order
        cells = [f"{_name(k)}={v}" for k, v in rows.items()
                 if _NUMBER.match(v) and not _DROPPED.search(k) and (not rl or _RL_KEPT.search(k))]
        cells.sort(key=lambda cell: "loss" not in cell.split("=")[0])  # a loss first: the one the reader takes
        out.append(f"step {step} | " + " ".join(cells) if cells else "")
        last = end + 1
    out.extend(lines[last:])
    bars = any(_ROW.match(lines[start + 1]) for start, _, _ in tables)
    note = (("read from the logger's key-value tables (OpenAI baselines, Stable-Baselines3), one per dump" if bars
             else "read from RLCard's logger tables, one per evaluation")
            + ("; an RL run is read for its episode rewards (its policy and value losses move by design)"
               if rl else ""))
    return "\n".join(out), note
