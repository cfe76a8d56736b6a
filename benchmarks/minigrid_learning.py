"""SB3 PPO with the MiniGrid CNN extractor on the easiest corner of MiniGridWorld-v0.

Measures the environment steps until the greedy policy masters the corner (success
rate >= 0.8, the family's documented threshold, over pinned evaluation layouts) within
a 30k-step budget. Prints the evaluation after every rollout and the step at which the
corner was first mastered::

    OMP_NUM_THREADS=1 python benchmarks/minigrid_learning.py
"""

from __future__ import annotations

import argparse
import functools
import time
from typing import Any

import gymnasium as gym
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.agents.minigrid_cnn import MINIGRID_PPO_KWARGS, minigrid_policy_kwargs
from teachgym.envs.gridworlds import EASIEST_TASK, MiniGridTaskEnv
from teachgym.evaluation.periodic import EvaluationPoint, PeriodicEvaluator
from teachgym.tasks import LEVEL_SEED

ENV_ID = "teachgym/MiniGridWorld-v0"
N_STEPS = 128
"""PPO rollout length per environment; the evaluation runs after every rollout."""


def learning_curve(tasks: list[dict[str, Any]], every: int, start: float) -> PeriodicEvaluator:
    """Greedy evaluation, one episode per pinned task (episode ``i`` reset with seed ``i``),
    every ``every`` environment steps; prints each point."""

    def report(point: EvaluationPoint) -> None:
        result = point.evaluation
        print(
            f"{point.env_steps:7d} steps  greedy success {result.success_rate:4.2f}  "
            f"mean return {result.mean_return:5.3f}  ({time.perf_counter() - start:5.1f} s)",
            flush=True,
        )

    return PeriodicEvaluator(
        functools.partial(gym.make, ENV_ID), tasks, every,
        episodes_per_task=1, seed=0, deterministic=True, on_evaluation=report,
    )  # fmt: skip


def mastered_at(curve: PeriodicEvaluator) -> int | None:
    """Environment steps of the first evaluation at the family's success rate (0.8)."""
    threshold = MiniGridTaskEnv.mastery_success_rate
    assert threshold is not None
    return next(
        (p.env_steps for p in curve.points if (p.evaluation.success_rate or 0.0) >= threshold),
        None,
    )


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
        n_steps=N_STEPS,
        policy_kwargs=minigrid_policy_kwargs(),
        **MINIGRID_PPO_KWARGS,
        seed=args.seed,
        verbose=0,
    )
    start = time.perf_counter()
    callback = learning_curve(tasks, every=N_STEPS * args.n_envs, start=start)
    print(f"PPO + MiniGridCNN on {ENV_ID}, task {EASIEST_TASK}")
    print(f"{args.n_envs} envs, seed {args.seed}, budget {args.steps} steps")
    model.learn(args.steps, callback=callback)
    elapsed = time.perf_counter() - start
    reached = mastered_at(callback)
    if reached is None:
        print(f"NOT mastered within {args.steps} steps ({elapsed:.0f} s)")
    else:
        print(
            f"mastered (greedy success >= {MiniGridTaskEnv.mastery_success_rate} on "
            f"{args.eval_layouts} layouts) at {reached} steps; "
            f"{elapsed:.0f} s"
        )


if __name__ == "__main__":
    main()
