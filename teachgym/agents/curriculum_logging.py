"""Curriculum metrics in Stable-Baselines3's logger (so TensorBoard shows them).

:class:`CurriculumLoggerCallback` listens to the curriculum that drives the
training environment and, at the end of every rollout, records under
``curriculum/``:

- ``curriculum/teacher/<name>``: every numeric entry of ``teacher.diagnostics()``
  (for example the number of mixture components or the buffer fill);
- ``curriculum/task/<parameter>_mean`` and ``_std``: statistics of each scalar
  task parameter (continuous, integer) over the last ``window`` episodes;
- ``curriculum/episode_return_mean``, ``curriculum/success_rate`` (when the env
  reports success) and ``curriculum/episodes`` (total reported so far).

Give the algorithm ``tensorboard_log=...`` (or configure its logger) to see them.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from teachgym.agents.sb3_vec import CurriculumVecEnv
from teachgym.curriculum import Curriculum, EpisodeRecord
from teachgym.tasks import Continuous, Integer

PREFIX = "curriculum"


def find_curriculum(venv: VecEnv) -> Curriculum:
    """The curriculum of the :class:`CurriculumVecEnv` inside ``venv`` (through wrappers)."""
    current: Any = venv
    while current is not None:
        if isinstance(current, CurriculumVecEnv):
            return current.curriculum
        current = current.venv if isinstance(current, VecEnvWrapper) else None
    raise ValueError(
        "CurriculumLoggerCallback needs a training env built by make_curriculum_vec_env "
        "(an SB3Student does this); this env has no curriculum"
    )


class CurriculumLoggerCallback(BaseCallback):
    """Records teacher diagnostics and sampled-task statistics at each rollout end.

    Args:
        window: number of most recent episodes the task statistics cover.
    """

    def __init__(self, window: int = 100, verbose: int = 0) -> None:
        super().__init__(verbose)
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        self.recent: deque[EpisodeRecord] = deque(maxlen=window)
        self.episodes = 0
        self._curriculum: Curriculum | None = None

    def _listen(self, record: EpisodeRecord) -> None:
        self.recent.append(record)
        self.episodes += 1

    def _on_training_start(self) -> None:
        curriculum = find_curriculum(self.training_env)
        if curriculum is not self._curriculum:
            if self._curriculum is not None and self._listen in self._curriculum.listeners:
                self._curriculum.listeners.remove(self._listen)
            curriculum.listeners.append(self._listen)
            self._curriculum = curriculum

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        if self._curriculum is None:
            return
        for key, value in self.metrics(self._curriculum).items():
            self.logger.record(f"{PREFIX}/{key}", value)

    def metrics(self, curriculum: Curriculum) -> dict[str, float]:
        """The values recorded at a rollout end, as a plain dict."""
        values: dict[str, float] = {"episodes": float(self.episodes)}
        for name, value in curriculum.teacher.diagnostics().items():
            if isinstance(value, bool | int | float | np.integer | np.floating) and math.isfinite(
                float(value)
            ):
                values[f"teacher/{name}"] = float(value)
        if not self.recent:
            return values
        space = curriculum.teacher.task_space
        for name, parameter in space.parameters.items():
            if isinstance(parameter, Continuous | Integer):
                column = np.array([float(r.task[name]) for r in self.recent if name in r.task])
                if column.size == 0:  # applies to none of them (a conditional space)
                    continue
                values[f"task/{name}_mean"] = float(column.mean())
                values[f"task/{name}_std"] = float(column.std())
        values["episode_return_mean"] = float(
            np.mean([r.outcome.episode_return for r in self.recent])
        )
        successes = [r.outcome.success for r in self.recent if r.outcome.success is not None]
        if successes:
            values["success_rate"] = float(np.mean(successes))
        return values
