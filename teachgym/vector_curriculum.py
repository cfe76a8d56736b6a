"""Gymnasium adapter of the curriculum's vector path: a teacher driving Sync/AsyncVectorEnv.

Each sub-environment is a :class:`~teachgym.curriculum.TaskFeedWrapper` that holds
its next task; :class:`CurriculumVectorWrapper` (main process) reads the finished
episodes out of the batched ``info``, reports each one to the teacher exactly once,
and hands the sub-environments that used their task a fresh one (one
``set_attr("next_task", ...)`` round trip for the whole batch). It follows the
vector env's autoreset mode (``env.metadata["autoreset_mode"]``):

- ``NEXT_STEP`` (Gymnasium's default): a sub-environment that finished at step ``t``
  resets during step ``t + 1``; its next task is consumed, and refilled, then.
- ``SAME_STEP``: it resets inside step ``t``; the episode record is in
  ``info["final_info"]``.
- ``DISABLED``: the user resets finished sub-environments with
  ``reset(options={"reset_mask": mask})``; the masked ones run their next task.

A reset with an explicit ``options["task"]`` runs that task on every (masked)
sub-environment and leaves their next tasks in place; its episodes are reported too.

A teacher that ``requires_score`` learns from an episode only once the student has
scored it: the wrapper then still refills at once, but queues each finished episode
in :attr:`CurriculumVectorWrapper.unscored_episodes` as ``(env_index, info)``; the
student reports it with ``envs.controller.report(info, env_index, score=...)``.

A teacher that ``requires_value`` learns from the student's value of each episode's
reset observation: give the wrapper the student's value function with
``envs.provide_values(value_fn)`` (``value_fn(observations) -> values``, one per
episode) before the first reset; each finished episode is valued in the main process
before it is reported.

A CleanRL-style loop::

    envs = make_curriculum_vector_env(env_fn, Curriculum(teacher), num_envs=8)
    observations, _ = envs.reset(seed=0)
    for step in range(total_steps // 8):
        observations, rewards, terminations, truncations, infos = envs.step(policy(observations))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import gymnasium as gym
import numpy as np
from gymnasium.vector import AsyncVectorEnv, AutoresetMode, SyncVectorEnv, VectorEnv, VectorWrapper

from teachgym.curriculum import (
    EPISODE_INFO_KEY,
    Curriculum,
    TaskFeedController,
    TaskFeedWrapper,
    ValueFn,
    attach_values,
)
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task
from teachgym.teachers.base import Teacher

NEXT_TASK_ATTRIBUTE = "next_task"
"""The :class:`~teachgym.curriculum.TaskFeedWrapper` attribute the wrapper sets."""


def unbatch_info(infos: Mapping[str, Any], env_index: int) -> dict[str, Any]:
    """Sub-environment ``env_index``'s own ``info`` out of a vector env's batched one.

    Gymnasium batches infos into a dict of arrays with a boolean mask ``"_key"`` per
    key (nested dicts recursively); keys masked out for this sub-environment are left
    out, NumPy scalars become Python scalars and array entries are copied.
    """
    out: dict[str, Any] = {}
    for key, value in infos.items():
        if key.startswith("_") and key[1:] in infos:
            continue
        mask = infos.get(f"_{key}")
        if mask is not None and not mask[env_index]:
            continue
        if isinstance(value, Mapping):
            out[key] = unbatch_info(value, env_index)
            continue
        item = value[env_index]
        if isinstance(item, np.generic):
            item = item.item()
        elif isinstance(item, np.ndarray):
            item = item.copy()
        out[key] = item
    return out


def _has_episode(infos: Mapping[str, Any], env_index: int) -> bool:
    mask = infos.get(f"_{EPISODE_INFO_KEY}")
    return mask is not None and bool(mask[env_index])


class CurriculumVectorWrapper(VectorWrapper):
    """A teacher driving a Gymnasium vector env of :class:`~teachgym.curriculum.TaskFeedWrapper`
    sub-environments (see the module docstring; build one with :func:`make_curriculum_vector_env`).

    Args:
        env: a ``SyncVectorEnv`` or ``AsyncVectorEnv`` (or a wrapper of one) whose
            sub-environments are ``TaskFeedWrapper(..., require_task=True)``.
        curriculum: the curriculum, or a bare teacher.

    Raises:
        TypeError: if ``env`` is not a vector env or its sub-environments hold no next task.
    """

    def __init__(self, env: VectorEnv[Any, Any, Any], curriculum: Curriculum | Teacher) -> None:
        if not isinstance(env, VectorEnv):
            raise TypeError(
                f"CurriculumVectorWrapper wraps a gymnasium.vector.VectorEnv, got "
                f"{type(env).__name__}; build one with make_curriculum_vector_env(env_fn, ...)"
            )
        super().__init__(env)
        try:
            env.unwrapped.get_attr(NEXT_TASK_ATTRIBUTE)  # type: ignore[attr-defined]
        except AttributeError:
            raise TypeError(
                "every sub-environment must be wrapped in teachgym.curriculum.TaskFeedWrapper "
                "(require_task=True) so it holds its next task; build the vector env with "
                "make_curriculum_vector_env(env_fn, curriculum, ...)"
            ) from None
        self.autoreset_mode = AutoresetMode(
            env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        )
        self.controller = TaskFeedController(
            curriculum if isinstance(curriculum, Curriculum) else Curriculum(curriculum),
            env.num_envs,
            self._send,
        )
        self._unsent = False
        self._resets_next_step = np.zeros(env.num_envs, dtype=np.bool_)
        """Sub-environments that finished at the last step (``NEXT_STEP`` resets them next)."""
        self.unscored_episodes: list[tuple[int, dict[str, Any]]] = []
        """Finished episodes left for the student to score and report, in the order they
        finished, when the teacher requires a score (else always empty)."""
        self.value_fn: ValueFn | None = None
        """Values the reset observation of every finished episode (``None``: no values)."""

    def provide_values(self, value_fn: ValueFn | None) -> None:
        """Report with every episode ``value_fn`` of its reset observation (its record's
        ``"value"``), or stop with ``None``. Call it before the first reset: episodes
        already running have no reset observation recorded."""
        self.value_fn = value_fn
        base = self.env.unwrapped
        base.call("set_record_initial_observation", value_fn is not None)  # type: ignore[attr-defined]

    @property
    def curriculum(self) -> Curriculum:
        return self.controller.curriculum

    def _send(self, env_index: int, task: Task) -> None:
        self._unsent = True

    def _flush(self) -> None:
        """Send the next tasks to the sub-environments in one ``set_attr`` call, if any changed."""
        if self._unsent:
            base = self.env.unwrapped  # Sync/AsyncVectorEnv (wrappers don't forward set_attr)
            base.set_attr(NEXT_TASK_ATTRIBUTE, list(self.controller.next_tasks))  # type: ignore[attr-defined]
            self._unsent = False

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        options = dict(options or {})
        mask = options.get("reset_mask")
        resetting = (
            np.ones(self.num_envs, dtype=np.bool_) if mask is None else np.asarray(mask, bool)
        )
        explicit = options.get("task") is not None
        if not explicit:
            self._feed_unfed()
        observations, infos = self.env.reset(seed=seed, options=options)  # type: ignore[arg-type]
        self._resets_next_step[resetting] = False
        if not explicit:
            self.controller.feed(np.flatnonzero(resetting).tolist())
        self._feed_unfed()  # after a first reset on an explicit task
        return observations, infos

    def _feed_unfed(self) -> None:
        self.controller.feed(
            i for i in range(self.num_envs) if self.controller.next_tasks[i] is None
        )
        self._flush()

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        observations, rewards, terminations, truncations, infos = self.env.step(actions)
        finished = np.logical_or(terminations, truncations)
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            episodes = infos.get("final_info", {})
            reset_now = finished
        else:
            episodes = infos
            reset_now = (
                self._resets_next_step.copy()
                if self.autoreset_mode == AutoresetMode.NEXT_STEP
                else np.zeros(self.num_envs, dtype=np.bool_)
            )
        deferred = self.controller.defers_reports
        ended = [(i, unbatch_info(episodes, i)) for i in range(self.num_envs)]
        ended = [(i, info) for i, info in ended if _has_episode(episodes, i)]
        if self.value_fn is not None:
            attach_values([info[EPISODE_INFO_KEY] for _, info in ended], self.value_fn)
        for i, info in ended:
            if deferred:
                self.unscored_episodes.append((i, info))
            else:
                self.controller.report(info, env_index=i)
        self.controller.feed(np.flatnonzero(reset_now).tolist())
        self._flush()
        self._resets_next_step = finished
        return observations, rewards, terminations, truncations, infos


def make_curriculum_vector_env(
    env_fn: Callable[[], gym.Env[Any, Any]],
    curriculum: Curriculum | Teacher,
    num_envs: int = 4,
    vectorization_mode: Literal["sync", "async"] = "sync",
    autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
    **vector_kwargs: Any,
) -> CurriculumVectorWrapper:
    """``num_envs`` copies of ``env_fn()`` in a Sync/AsyncVectorEnv, driven by ``curriculum``.

    Each sub-environment is ``TaskFeedWrapper(env_fn(), require_task=True)``.
    ``vector_kwargs`` go to the vector env's constructor (e.g. ``shared_memory``,
    ``context`` for ``AsyncVectorEnv``).

    Raises:
        TeachgymUsageError: for ``num_envs < 1``, an unknown ``vectorization_mode`` or
            ``autoreset_mode``.
    """
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise TeachgymUsageError(f"num_envs must be an integer >= 1, got {num_envs!r}")
    modes = [mode.value for mode in AutoresetMode]
    try:
        mode = AutoresetMode(autoreset_mode)
    except ValueError:
        raise TeachgymUsageError(
            f"autoreset_mode must be one of {modes} (gymnasium.vector.AutoresetMode), "
            f"got {autoreset_mode!r}"
        ) from None
    builders = [_FedEnv(env_fn) for _ in range(num_envs)]
    vector_env: VectorEnv[Any, Any, Any]
    if vectorization_mode == "sync":
        vector_env = SyncVectorEnv(builders, autoreset_mode=mode, **vector_kwargs)
    elif vectorization_mode == "async":
        vector_env = AsyncVectorEnv(builders, autoreset_mode=mode, **vector_kwargs)
    else:
        raise TeachgymUsageError(
            f"vectorization_mode must be 'sync' or 'async', got {vectorization_mode!r}"
        )
    return CurriculumVectorWrapper(vector_env, curriculum)


class _FedEnv:
    """Picklable ``() -> TaskFeedWrapper(env_fn(), require_task=True)``."""

    def __init__(self, env_fn: Callable[[], gym.Env[Any, Any]]) -> None:
        self.env_fn = env_fn

    def __call__(self) -> gym.Env[Any, Any]:
        return TaskFeedWrapper(self.env_fn(), require_task=True)
