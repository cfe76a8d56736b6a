"""A student's critic of tasks before they are played: value the reset observation.

Teachers that ``requires_task_values`` (the ``webrl`` task generator) ask the student
for its value of candidate tasks it has not played yet. :class:`ResetCritic` gives
one for any student with a value of initial states: it resets a scratch copy of the
student's environment (built once from its ``env_fn``, never stepped) on each task and
values what the reset returned. For web forms and grids a reset is cheap; for the
walkers it builds the terrain.

Every reset uses the same seed, so a task's value depends on the task (its
``level_seed`` pins the content) and on the student only, never on earlier calls,
and a resumed run values candidates exactly as the original did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from teachgym.agents.student import EnvFn
from teachgym.tasks import Task

ResetValueFn = Callable[[list[Any], list[dict[str, Any]]], Any]
"""``value_fn(observations, infos) -> values``: the student's value of each reset (one
observation and its ``info`` per task), an array-like of shape ``(n,)``."""


class ResetCritic:
    """``critic(tasks) -> values`` (shape ``(len(tasks),)``, float64) from resets.

    Args:
        env_fn: builds the student's (curriculum-free) environment; built on first call.
        value_fn: the student's value of each reset (:data:`ResetValueFn`).
        seed: the seed of every scratch reset.
    """

    def __init__(self, env_fn: EnvFn, value_fn: ResetValueFn, seed: int = 0) -> None:
        self.env_fn = env_fn
        self.value_fn = value_fn
        self.seed = seed
        self.env: gym.Env[Any, Any] | None = None

    def __call__(self, tasks: Sequence[Task]) -> np.ndarray:
        if len(tasks) == 0:
            return np.zeros(0)
        if self.env is None:
            self.env = self.env_fn()
        observations, infos = [], []
        for task in tasks:
            observation, info = self.env.reset(seed=self.seed, options={"task": dict(task)})
            observations.append(observation)
            infos.append(info)
        values = np.asarray(self.value_fn(observations, infos), dtype=np.float64).reshape(-1)
        if values.shape != (len(tasks),):
            raise ValueError(f"the value function returned {values.size} values for {len(tasks)}")
        return values

    def close(self) -> None:
        """Close the scratch environment (a later call builds a new one)."""
        if self.env is not None:
            self.env.close()
            self.env = None
