"""OpenAI baselines' key-value tables (``logger.dumpkvs()``) as Stable-Baselines3 and OpenAI's
diffusion trainers print them: refused before ("unknown log format", or a TensorFlow preamble
taken for a CSV header)."""

from __future__ import annotations

import numpy as np
import pytest

import fitdoctor as fd


def _table(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in rows) + 4
    vwidth = max(len(v) for _, v in rows) + 2
    rule = "-" * (width + vwidth + 7)
    return [rule, *[f"| {k:<{width}} | {v:<{vwidth}}|" for k, v in rows], rule]


def _sb3_ppo(rewards: list[float], eval_every: int = 0) -> str:
    out = ["2025-11-10 11:51:47.990698: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.",
           "Using cpu device", "Logging to ./logs/PPO_5"]
    for i, r in enumerate(rewards, start=1):
        out += _table([("rollout/", ""), ("   ep_len_mean", "200"), ("   ep_rew_mean", f"{r:.4g}"),
                       ("time/", ""), ("   fps", "653"), ("   iterations", str(i)), ("   time_elapsed", str(6 * i)),
                       ("   total_timesteps", str(4096 * i)),
                       ("train/", ""), ("   approx_kl", "0.012445293"), ("   entropy_loss", "-2.17"),
                       ("   learning_rate", "0.0003"), ("   loss", f"{0.3 * (-1) ** i:.3g}"),
                       ("   n_updates", str(10 * i)), ("   value_loss", "0.274")])
        if eval_every and i % eval_every == 0:  # EvalCallback's table, dumped on its own
            out += _table([("eval/", ""), ("   mean_ep_length", "200"), ("   mean_reward", f"{r + 5:.4g}"),
                           ("time/", ""), ("   total_timesteps", str(4096 * i))])
    return "\n".join(out) + "\n"


def _diffusion(losses: list[float]) -> str:
    out = ["Logging to ./results", "creating model and diffusion...", "training..."]
    for i, v in enumerate(losses):
        out += _table([("grad_norm", "0.512"), ("loss", f"{v:.4g}"), ("loss_q0", f"{v * 1.2:.4g}"),
                       ("mse", f"{v:.4g}"), ("samples", f"{(i + 1) * 128:.3g}"), ("step", str(10 * i))])
    return "\n".join(out) + "\n"


def test_a_diffusion_trainers_tables_are_read_on_their_step_counter(tmp_path):
    path = tmp_path / "log.txt"
    losses = [0.3 * 0.8 ** i + 0.01 for i in range(30)]
    path.write_text(_diffusion(losses))
    [run] = fd.read_runs(path)
    assert run.series["loss"].values == pytest.approx([float(f"{v:.4g}") for v in losses])
    assert list(run.series["loss"].steps) == [10 * i for i in range(30)]
    assert "samples" not in run.series and "step" not in run.series
    assert fd.diagnose(run).findings[0].code == "healthy"


def test_an_sb3_ppo_run_is_read_for_its_episode_reward_not_its_surrogate_loss(tmp_path):
    """PPO's train/loss changes sign by design: judged as a loss it would read as a fault. The
    reward is what a practitioner reads, on SB3's timestep counter, past a TensorFlow preamble."""
    path = tmp_path / "train.log"
    path.write_text(_sb3_ppo([-500 + 480 * (1 - 0.85 ** i) for i in range(40)], eval_every=5))
    [run] = fd.read_runs(path)
    assert set(run.series) >= {"ep_rew_mean", "val_mean_reward"}
    assert list(run.series["val_mean_reward"].steps)[:2] == [5 * 4096, 10 * 4096]
    assert not {"loss", "value_loss", "entropy_loss", "approx_kl"} & set(run.series)
    assert list(run.series["ep_rew_mean"].steps)[:2] == [4096, 8192]
    d = fd.diagnose(run)
    assert d.findings[0].code == "healthy"
    assert d.findings[0].message.startswith("rose and settled: ep_rew_mean ")
    assert any("episode rewards" in n for n in run.meta.get("notes", []))


def test_a_reward_that_wandered_and_ended_where_it_began_is_not_called_healthy(tmp_path):
    """A PPO run whose reward never beat its first rollouts (-4.8k, then -6k to -7k to the end):
    nothing settled anywhere better, so no 'rose and settled'."""
    path = tmp_path / "train.log"
    noise = np.random.default_rng(0).normal(0, 300, 300)
    rewards = [-4820, -4900, -5100, -5600, -6000] + list(-6300 + noise)
    path.write_text(_sb3_ppo(rewards))
    [run] = fd.read_runs(path)
    assert all(f.code != "healthy" for f in fd.diagnose(run).findings)


def test_one_table_alone_is_no_curve(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text(_diffusion([0.3]))
    with pytest.raises(fd.BadInput):
        fd.read_runs(path)


def _rlcard(counter: str, points: list[tuple[int, float]]) -> str:
    """RLCard's ``Logger.log_performance``: a rule, the counter and the reward, each row indented
    with one bar between key and value, a rule."""
    out = []
    for at, reward in points:
        out += ["-" * 40, f"  {counter:<13}|  {at}", f"  {'reward':<13}|  {reward:g}", "-" * 40]
    return "\n".join(out) + "\n"


def test_rlcard_logger_tables_are_read_on_their_counter(tmp_path):
    """A DouDizhu agent's reward every ~5000 timesteps, 0.14 -> 0.62, printed by RLCard's logger:
    refused before as an unknown format. Read, it is still climbing at its end."""
    rng = np.random.default_rng(2)
    pts = [(53 + 4900 * i, round(0.2 + 0.4 * i / 49 + float(rng.normal(0, 0.04)), 2)) for i in range(50)]
    path = tmp_path / "log.txt"
    path.write_text(_rlcard("timestep", pts))
    h = fd.read(path)
    assert h.series["reward"].steps.tolist()[:2] == [53.0, 4953.0]
    assert "timestep" not in h.series
    assert any("RLCard" in n for n in h.meta["notes"])
    assert fd.diagnose(h).top.code == "still_improving"
    episodes = tmp_path / "uno.txt"
    episodes.write_text(_rlcard("episode", [(100 * i, 0.01 * (i % 3)) for i in range(12)]))
    assert fd.read(episodes).series["reward"].steps.tolist()[-1] == 1100.0
