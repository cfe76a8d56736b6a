"""Walker sanity check: PPO improves on flat ground and does not master the hardest tasks.

Run ``OMP_NUM_THREADS=1 python benchmarks/walker_sanity.py`` (about 8 minutes
on one core). A Stable-Baselines3 PPO student (``VecNormalize`` on observations
and rewards, 4 ``DummyVecEnv`` walkers) trains on ``teachgym/TerrainWalker-v0``'s
flat task; its greedy return on that task is printed before and after training,
with the mean return of the first and the last 20 training episodes, and after
training the greedy return on the hardest tasks: Stump Tracks (height 3, spacing 0)
and the ``insane`` TerrainWalker terrain. Expected: the training return goes up,
and no hard-task return exceeds the mastery threshold 230. PPO settings follow
rl-baselines3-zoo's BipedalWalker ones where they matter for a short run
(``log_std_init=-2``, ``ortho_init=False``, ``gae_lambda=0.95``).

Options: ``--steps N`` (default 300000: 100k steps were too few to show a clear
gain), ``--episodes K`` per evaluation (default 3).
"""

from __future__ import annotations

import argparse
import functools
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.agents.policy import SB3Policy
from teachgym.envs.walkers import MASTERY_RETURN, NAMED_TERRAINS
from teachgym.envs.walkers.terrain_walker import FLAT
from teachgym.evaluation import evaluate

FLAT_ID = "teachgym/TerrainWalker-v0"
HARD = [
    (
        "StumpTracks height 3, spacing 0",
        "teachgym/StumpTracks-v0",
        {"stump_height": 3.0, "obstacle_spacing": 0.0},
    ),
    ("TerrainWalker insane", "teachgym/TerrainWalker-v0", NAMED_TERRAINS["insane"]),
]


class EpisodeReturns(BaseCallback):
    """Collects the (unnormalised) return of every finished training episode."""

    def __init__(self) -> None:
        super().__init__()
        self.returns: list[float] = []

    def _on_step(self) -> bool:
        for info in self.locals["infos"]:
            if "episode" in info:
                self.returns.append(float(info["episode"]["r"]))
        return True


def greedy_returns(
    model: PPO, normalizer: VecNormalize, env_id: str, task: dict[str, Any], episodes: int
) -> np.ndarray:
    """Greedy episode returns on ``task`` (reset seeds 1000, 1001, ...), observations
    normalised as in training."""
    policy = SB3Policy(model, preprocess=normalizer.normalize_obs)
    result = evaluate(
        policy, [task], functools.partial(gym.make, env_id), episodes, seed=1000,
        deterministic=True, max_envs=1,
    )  # fmt: skip
    return result.returns[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300_000)
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    venv = VecNormalize(
        make_vec_env(FLAT_ID, n_envs=4, seed=args.seed, env_kwargs={"task": FLAT}), gamma=0.99
    )
    model = PPO(
        "MlpPolicy",
        venv,
        n_steps=512,
        batch_size=64,
        gae_lambda=0.95,
        policy_kwargs={"log_std_init": -2.0, "ortho_init": False},
        seed=args.seed,
        verbose=0,
    )
    episodes = EpisodeReturns()
    before = greedy_returns(model, venv, FLAT_ID, FLAT, args.episodes)
    start = time.perf_counter()
    model.learn(args.steps, callback=episodes)
    minutes = (time.perf_counter() - start) / 60
    venv.training = False
    after = greedy_returns(model, venv, FLAT_ID, FLAT, args.episodes)
    print(f"PPO on {FLAT_ID} flat task, {args.steps} steps ({minutes:.1f} min of training)")
    print(f"greedy return on flat, before: {before.mean():8.1f}  {np.round(before, 1)}")
    print(f"greedy return on flat, after:  {after.mean():8.1f}  {np.round(after, 1)}")
    first, last = np.mean(episodes.returns[:20]), np.mean(episodes.returns[-20:])
    print(
        f"training episodes ({len(episodes.returns)}): first 20 mean {first:8.1f}, "
        f"last 20 mean {last:8.1f}, improved: {last > first}"
    )
    for name, env_id, task in HARD:
        hard = greedy_returns(model, venv, env_id, task, args.episodes)
        mastered = int(np.sum(hard > MASTERY_RETURN))
        print(f"{name}: greedy return {hard.mean():8.1f}, mastered {mastered}/{args.episodes}")


if __name__ == "__main__":
    main()
