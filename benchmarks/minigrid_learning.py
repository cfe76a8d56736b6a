"""SB3 PPO with the MiniGrid CNN extractor on the easiest corner of MiniGridWorld-v0.

Target: the greedy policy masters the corner (success rate >= 0.8, the family's
documented threshold, over pinned evaluation layouts) within 30k environment
steps. Prints the evaluation after every rollout and the step at which the
corner was first mastered::

    OMP_NUM_THREADS=1 python benchmarks/minigrid_learning.py
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.agents.minigrid_cnn import MINIGRID_PPO_KWARGS, minigrid_policy_kwargs
from teachgym.envs.gridworlds import EASIEST_TASK, MiniGridTaskEnv
from teachgym.tasks import LEVEL_SEED

ENV_ID = "teachgym/MiniGridWorld-v0"


def greedy_success(model: PPO, tasks: list[dict[str, Any]]) -> tuple[float, float]:
    """(success rate, mean return) of the greedy policy, one episode per pinned task."""
    env = gym.make(ENV_ID)
    successes, returns = [], []
    for i, task in enumerate(tasks):
        obs, _ = env.reset(seed=i, options={"task": task})
        done, total = False, 0.0
        while not done:
            action, _ = model.predict(obs, deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        successes.append(total > MiniGridTaskEnv.mastery_return)
        returns.append(total)
    return float(np.mean(successes)), float(np.mean(returns))


class _Evaluate(BaseCallback):
    def __init__(self, tasks: list[dict[str, Any]], start: float) -> None:
        super().__init__()
        self.tasks = tasks
        self.start = start
        self.mastered_at: int | None = None

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        rate, mean_return = greedy_success(self.model, self.tasks)  # type: ignore[arg-type]
        steps = self.model.num_timesteps
        print(
            f"{steps:7d} steps  greedy success {rate:4.2f}  mean return {mean_return:5.3f}  "
            f"({time.perf_counter() - self.start:5.1f} s)",
            flush=True,
        )
        if self.mastered_at is None and rate >= MiniGridTaskEnv.mastery_success_rate:
            self.mastered_at = steps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30_000, help="training budget (env steps)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--eval-layouts", type=int, default=20)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    tasks = [{**EASIEST_TASK, LEVEL_SEED: 1000 + k} for k in range(args.eval_layouts)]
    venv = make_vec_env(
        ENV_ID, n_envs=args.n_envs, seed=args.seed, env_kwargs={"task": dict(EASIEST_TASK)}
    )
    model = PPO(
        "MultiInputPolicy",
        venv,
        n_steps=128,
        policy_kwargs=minigrid_policy_kwargs(),
        **MINIGRID_PPO_KWARGS,
        seed=args.seed,
        verbose=0,
    )
    start = time.perf_counter()
    callback = _Evaluate(tasks, start)
    print(f"PPO + MiniGridCNN on {ENV_ID}, task {EASIEST_TASK}")
    print(f"{args.n_envs} envs, seed {args.seed}, budget {args.steps} steps")
    model.learn(args.steps, callback=callback)
    elapsed = time.perf_counter() - start
    if callback.mastered_at is None:
        print(f"NOT mastered within {args.steps} steps ({elapsed:.0f} s)")
    else:
        print(
            f"mastered (greedy success >= {MiniGridTaskEnv.mastery_success_rate} on "
            f"{args.eval_layouts} layouts) at {callback.mastered_at} steps (target <= 30000); "
            f"{elapsed:.0f} s"
        )


if __name__ == "__main__":
    main()
