"""Stable-Baselines3 adapter of the curriculum's vector path: the teacher lives in the main process.

Every sub-environment is wrapped in a :class:`~teachgym.curriculum.TaskFeedWrapper`
(``require_task=True``) and always holds its next task, so SB3's auto-reset
inside ``step()`` never waits on the teacher and never runs a default level.
Works with ``DummyVecEnv`` and ``SubprocVecEnv``. Gymnasium's own vector envs have
their adapter in :mod:`teachgym.vector_curriculum`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import gymnasium as gym
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs, VecEnvStepReturn

from teachgym.curriculum import Curriculum, TaskFeedController, TaskFeedWrapper
from teachgym.tasks import Task


class CurriculumVecEnv(VecEnvWrapper):
    """SB3 adapter: wraps a VecEnv of :class:`TaskFeedWrapper` sub-environments so
    ``curriculum`` drives them (SB3 resets a finished sub-environment inside ``step()``)."""

    def __init__(self, venv: VecEnv, curriculum: Curriculum) -> None:
        super().__init__(venv)
        self.controller = TaskFeedController(curriculum, venv.num_envs, self._send)

    @property
    def curriculum(self) -> Curriculum:
        return self.controller.curriculum

    @curriculum.setter
    def curriculum(self, curriculum: Curriculum) -> None:
        self.controller.curriculum = curriculum

    def _send(self, env_index: int, task: Task) -> None:
        self.venv.env_method("set_next_task", task, indices=[env_index])

    def reset(self) -> VecEnvObs:
        self.controller.feed_all()
        observation = self.venv.reset()
        self.controller.feed_all()
        return observation

    def step_wait(self) -> VecEnvStepReturn:
        observation, rewards, dones, infos = self.venv.step_wait()
        self.controller.after_step(infos)
        return observation, rewards, dones, infos


def _fed_env(env_fn: Callable[[], gym.Env[Any, Any]]) -> Callable[[], gym.Env[Any, Any]]:
    def build() -> gym.Env[Any, Any]:
        return Monitor(TaskFeedWrapper(env_fn(), require_task=True))

    return build


def make_curriculum_vec_env(
    env_fn: Callable[[], gym.Env[Any, Any]],
    curriculum: Curriculum,
    n_envs: int = 4,
    vec_env: Literal["dummy", "subproc"] = "dummy",
    seed: int | None = None,
) -> CurriculumVecEnv:
    """``n_envs`` copies of ``env_fn()`` in a Dummy/SubprocVecEnv, driven by ``curriculum``.

    Each sub-environment is ``Monitor(TaskFeedWrapper(env_fn()))``. ``dummy`` steps
    them in this process, ``subproc`` in one process each, which pays only when a step
    costs more than a message between processes (docs/references.md [sb3-vecenv]).
    """
    if n_envs < 1:
        raise ValueError(f"n_envs must be >= 1, got {n_envs}")
    builders = [_fed_env(env_fn) for _ in range(n_envs)]
    if vec_env == "dummy":
        venv: VecEnv = DummyVecEnv(builders)
    elif vec_env == "subproc":
        venv = SubprocVecEnv(builders)
    else:
        raise ValueError(f"vec_env must be 'dummy' or 'subproc', got {vec_env!r}")
    if seed is not None:
        venv.seed(seed)
    return CurriculumVecEnv(venv, curriculum)
