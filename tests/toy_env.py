"""A tiny multi-step TaskEnv for curriculum accounting tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from teachgym.envs.registration import register_env
from teachgym.envs.task_env import TaskEnv
from teachgym.tasks import Continuous, Integer, Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher


class CountdownEnv(TaskEnv[np.ndarray, np.int64]):
    """Episodes last ``length`` steps, reward ``bonus`` per step; action 1 (> 0.9 if
    continuous) ends them early.

    With ``nan_at`` the reward of that step is NaN (for error-path tests).
    """

    task_space = TaskSpace({"length": Integer(1, 12), "bonus": Continuous(0.0, 1.0)})
    default_task: Task = {"length": 3, "bonus": 0.5}
    mastery_return = 2.0

    def __init__(
        self, task: dict | None = None, nan_at: int | None = None, continuous: bool = False
    ):
        super().__init__(task)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.continuous = continuous
        self.action_space = (
            spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
            if continuous
            else spaces.Discrete(2)
        )
        self.nan_at = nan_at
        self.t = 0

    def _obs(self) -> np.ndarray:
        return np.array([self.t / 12, self.task["bonus"]], dtype=np.float32)

    def _reset_task(self, task: Task) -> tuple[np.ndarray, dict[str, Any]]:
        self.t = 0
        return self._obs(), {}

    def step(self, action: Any):
        self.t += 1
        reward = float("nan") if self.t == self.nan_at else self.task["bonus"]
        stop = float(np.asarray(action).ravel()[0]) > 0.9 if self.continuous else int(action) == 1
        done = self.t >= self.task["length"] or stop
        return self._obs(), reward, done, False, {"is_success": done and not stop}


class RecordingTeacher(Teacher):
    """Random sampling that remembers every sample and update (test double)."""

    name = "recording"

    def __init__(self, task_space: TaskSpace, seed: int | None = None) -> None:
        super().__init__(task_space, seed)
        self.sampled: list[dict[str, Any]] = []
        self.updates: list[tuple[dict[str, Any], Outcome]] = []

    def _sample(self) -> Task:
        task = self.task_space.sample(self.rng)
        self.sampled.append(task)
        return task

    def _update(self, task: Task, outcome: Outcome) -> None:
        self.updates.append((dict(task), outcome))


COUNTDOWN_ID = "tests/Countdown-v0"
""":class:`CountdownEnv` by id, for tests that need a cheap multi-step registered env
(registered by ``conftest.py`` before any test module is collected)."""


def register_countdown() -> None:
    """Register :data:`COUNTDOWN_ID` (idempotent)."""
    register_env(COUNTDOWN_ID, CountdownEnv, "A tiny multi-step test environment.")
