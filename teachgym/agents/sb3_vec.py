"""Stable-Baselines3 adapter of the curriculum's vector path: the teacher lives in the main process.

Every sub-environment is wrapped in a :class:`~teachgym.curriculum.TaskFeedWrapper`
(``require_task=True``) and always holds its next task, so SB3's auto-reset
inside ``step()`` never waits on the teacher and never runs a default level.
Works with ``DummyVecEnv`` and ``SubprocVecEnv``. Gymnasium's own vector envs have
their adapter in :mod:`teachgym.vector_curriculum`.

For a teacher that ``requires_value``, :meth:`CurriculumVecEnv.provide_values`
makes the sub-environments put each episode's reset observation in its record and
values it with the student's model, in the main process, when the episode ends.

For checkpoints, :meth:`CurriculumVecEnv.snapshot` pickles the in-process
sub-environments (episodes in progress, partial returns, held tasks, random
generators), and :meth:`CurriculumVecEnv.held_tasks` /
:meth:`CurriculumVecEnv.restart_on` let a vector env whose sub-environments
cannot be pickled (other processes, Box2D worlds) restart its episodes in
progress on the very tasks they held, without asking the teacher again.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any, Literal

import cloudpickle
import gymnasium as gym
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs, VecEnvStepReturn

from teachgym.curriculum import (
    EPISODE_INFO_KEY,
    Curriculum,
    TaskFeedController,
    TaskFeedWrapper,
    ValueFn,
    attach_values,
)
from teachgym.tasks import Task

HeldTasks = list[tuple[Task | None, Task | None]]
"""Per sub-environment: (task of the episode in progress, next task)."""


class CurriculumVecEnv(VecEnvWrapper):
    """SB3 adapter: wraps a VecEnv of :class:`TaskFeedWrapper` sub-environments so
    ``curriculum`` drives them (SB3 resets a finished sub-environment inside ``step()``)."""

    def __init__(self, venv: VecEnv, curriculum: Curriculum) -> None:
        super().__init__(venv)
        self.controller = TaskFeedController(curriculum, venv.num_envs, self._send)
        self._restart_on: HeldTasks | None = None
        self.value_fn: ValueFn | None = None
        """Values the reset observation of every finished episode (``None``: no values)."""

    def provide_values(self, value_fn: ValueFn | None) -> None:
        """Report with every episode ``value_fn`` of its reset observation (the
        ``"value"`` of its record), or stop doing so with ``None``. Episodes already
        running when values are first asked for have no reset observation recorded."""
        self.value_fn = value_fn
        self.venv.env_method("set_record_initial_observation", value_fn is not None)

    @property
    def curriculum(self) -> Curriculum:
        return self.controller.curriculum

    @curriculum.setter
    def curriculum(self, curriculum: Curriculum) -> None:
        self.controller.curriculum = curriculum

    def _send(self, env_index: int, task: Task) -> None:
        self.venv.env_method("set_next_task", task, indices=[env_index])

    def reset(self) -> VecEnvObs:
        if self._restart_on is None:
            self.controller.feed_all()
            observation = self.venv.reset()
            self.controller.feed_all()
            return observation
        held, self._restart_on = self._restart_on, None
        for i, (current, _) in enumerate(held):
            self._send(i, current if current is not None else self.curriculum.next_task())
        observation = self.venv.reset()
        for i, (_, upcoming) in enumerate(held):
            self._send(i, upcoming if upcoming is not None else self.curriculum.next_task())
        return observation

    def held_tasks(self) -> HeldTasks:
        """The task each sub-environment is running and the one it holds for its next episode."""
        current = self.venv.get_attr("current_task")
        upcoming = self.venv.get_attr("next_task")
        return [(c, n) for c, n in zip(current, upcoming, strict=True)]

    def restart_on(self, held: Sequence[tuple[Task | None, Task | None]]) -> None:
        """Make the next :meth:`reset` rerun ``held`` (from :meth:`held_tasks`) instead of
        sampling: each sub-environment restarts on its task in progress and keeps its next
        task, so the teacher is asked for nothing (it is asked only where a task is ``None``)."""
        if len(held) != self.num_envs:
            raise ValueError(f"{len(held)} held task pairs for {self.num_envs} sub-environments")
        self._restart_on = [(c, n) for c, n in held]

    def snapshot(self) -> bytes | None:
        """The pickled sub-environments of an in-process vector env (everything their future
        depends on), or ``None`` when they live in other processes or cannot be pickled."""
        if not isinstance(self.venv, DummyVecEnv):
            return None
        try:
            return bytes(cloudpickle.dumps(self.venv.envs))
        except (TypeError, AttributeError, pickle.PicklingError, RuntimeError):
            return None

    def restore(self, snapshot: bytes) -> None:
        """Replace the sub-environments by those of :meth:`snapshot` (trusted data only: this
        unpickles); the next step continues their episodes where they were."""
        if not isinstance(self.venv, DummyVecEnv):
            raise ValueError("only an in-process (dummy) vector env restores a snapshot")
        envs = pickle.loads(snapshot)
        if not isinstance(envs, list) or len(envs) != self.num_envs:
            raise ValueError(f"the snapshot does not hold {self.num_envs} sub-environments")
        for env in self.venv.envs:
            env.close()
        self.venv.envs = envs

    def step_wait(self) -> VecEnvStepReturn:
        observation, rewards, dones, infos = self.venv.step_wait()
        if self.value_fn is not None:
            episodes = [info[EPISODE_INFO_KEY] for info in infos if EPISODE_INFO_KEY in info]
            attach_values(episodes, self.value_fn)
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
