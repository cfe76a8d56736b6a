"""The LSTM student's PPO update: sb3-contrib's padded sequences against whole rollouts.

Run ``OMP_NUM_THREADS=1 python benchmarks/recurrent_update_speed.py`` (one core). It
collects one maze rollout with ``regret_mazes.py --config jaxued``'s LSTM student (256-unit
LSTM shared by actor and critic, 256 steps per environment, one minibatch, 5 epochs) and
times ``train`` on that same rollout twice from the same weights: on sb3-contrib's own
buffer (``RecurrentPPO``: sequences cut at episode starts and padded to the longest) and on
the whole-rollout buffer (:mod:`teachgym.agents.whole_rollout_ppo`). It prints seconds per
update of each and their ratio.

A fresh policy rarely finishes a maze, so the collected rollout has few episode starts;
``--starts-per-env K`` also times both on a copy with ``K`` episode starts per environment at
random steps (as a student solving mazes in ``256 / K`` steps), where the padding grows.

Options: ``--n-envs`` (default 32), ``--n-steps`` (default 256), ``--starts-per-env``
(default 8; 0 times the collected rollout only), ``--seed``.
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Any

import numpy as np
import torch
from regret_mazes import ENV_ID, jaxued_ppo_kwargs
from stable_baselines3.common.env_util import make_vec_env

from teachgym.agents.whole_rollout_ppo import WholeRolloutRecurrentPPO, padded_copy
from teachgym.envs import env_factory


def collected_model(n_envs: int, n_steps: int, seed: int) -> WholeRolloutRecurrentPPO:
    """The jaxued-settings LSTM student with one collected (not yet trained on) rollout."""
    kwargs = jaxued_ppo_kwargs(recurrent=True)
    kwargs.pop("n_envs")
    policy = kwargs.pop("policy")
    kwargs.update(n_steps=n_steps, batch_size=n_steps * n_envs)
    env = make_vec_env(env_factory(ENV_ID), n_envs=n_envs, seed=seed)
    model = WholeRolloutRecurrentPPO(policy, env, seed=seed, **kwargs)
    _, callback = model._setup_learn(n_steps * n_envs)
    model.collect_rollouts(model.env, callback, model.rollout_buffer, n_steps)
    return model


def with_starts(buffer: Any, per_env: int, seed: int) -> Any:
    """A copy of ``buffer`` with ``per_env`` episode starts per environment at random steps."""
    out = copy.deepcopy(buffer)
    rng = np.random.default_rng(seed)
    out.episode_starts[:] = 0.0
    for env in range(out.n_envs):
        out.episode_starts[rng.choice(out.buffer_size, per_env, replace=False), env] = 1.0
    return out


def seconds_per_update(
    model: WholeRolloutRecurrentPPO, start: dict[str, Any], buffer: Any
) -> float:
    """Wall time (s) of one ``train`` on ``buffer`` from policy and optimiser ``start``."""
    model.policy.load_state_dict(start["policy"])
    model.policy.optimizer.load_state_dict(start["optimizer"])
    model.rollout_buffer = buffer
    begin = time.perf_counter()
    model.train()
    return time.perf_counter() - begin


def compare(
    model: WholeRolloutRecurrentPPO, start: dict[str, Any], buffer: Any, label: str
) -> None:
    """Time both updates on ``buffer`` and print one row."""
    starts = int(buffer.episode_starts.sum())
    padded = seconds_per_update(model, start, padded_copy(buffer))
    whole = seconds_per_update(model, start, buffer)
    print(
        f"{label:<28} {starts:>6} {padded:>10.4f} {whole:>10.4f} {padded / whole:>7.2f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-envs", type=int, default=32)
    parser.add_argument("--n-steps", type=int, default=256)
    parser.add_argument("--starts-per-env", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    model = collected_model(args.n_envs, args.n_steps, args.seed)
    start = copy.deepcopy(
        {"policy": model.policy.state_dict(), "optimizer": model.policy.optimizer.state_dict()}
    )
    collected = model.rollout_buffer
    synthetic = with_starts(collected, args.starts_per_env, args.seed)
    seconds_per_update(model, start, copy.deepcopy(collected))  # warm-up, not timed
    print(
        f"one PPO update (5 epochs, one minibatch) on {args.n_envs} envs x {args.n_steps} steps"
        " of Maze-v0, seconds"
    )
    print(f"{'rollout':<28} {'starts':>6} {'padded':>10} {'whole':>10} {'ratio':>7}")
    compare(model, start, collected, "collected (fresh policy)")
    if args.starts_per_env:
        compare(model, start, synthetic, f"{args.starts_per_env} episode starts per env")


if __name__ == "__main__":
    main()
