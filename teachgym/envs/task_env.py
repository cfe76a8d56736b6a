"""The environment contract every teachgym environment follows.

A :class:`TaskEnv` declares a ``task_space``, takes its task through
``reset(options={"task": ...})`` (or a fixed ``task=`` given to ``gymnasium.make``),
validates it, applies it, and echoes it in ``info["task"]``. Without a task it
uses ``default_task``. If the task carries ``level_seed``, :meth:`TaskEnv.level_rng`
is seeded with it so the procedural content is pinned; otherwise the content
comes from the environment's ``np_random``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import gymnasium as gym
import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import LEVEL_SEED, Task, TaskSpace

ObsType = TypeVar("ObsType")
ActType = TypeVar("ActType")


@dataclass(frozen=True)
class TestSet:
    """A fixed, versioned list of evaluation tasks.

    Attributes:
        name: short identifier, e.g. ``"grid-10x10"``.
        version: bumped whenever the tasks change, so results stay comparable.
        tasks: the tasks, each valid for the environment's task space.
    """

    name: str
    version: int
    tasks: list[Task] = field(repr=False)

    def __len__(self) -> int:
        return len(self.tasks)


class TaskEnv(gym.Env[ObsType, ActType], Generic[ObsType, ActType]):
    """Base class of teachgym environments.

    Subclasses set ``task_space`` and ``default_task`` (class-level, or in
    ``__init__`` before calling ``super().__init__``) and implement
    :meth:`_reset_task`.

    Class attributes:
        return_bounds: (low, high) bounds of an episode's return, for teachers that
            rescale returns to [0, 1]; ``None`` if unknown.
        mastery_return: an episode whose return exceeds this value succeeds (when the
            environment reports no ``info["is_success"]``); ``None``: no mastery rule.
        mastery_success_rate: ``None``: a task is mastered when the mean return of its
            evaluation episodes exceeds ``mastery_return``; else when at least this
            fraction of them succeed.
        mastery_episodes: evaluation episodes per test task.
        evaluation_deterministic: whether evaluation acts greedily (``True``) or samples
            the policy's actions.
        start_noise: ``True`` if the first observation also depends on the reset seed,
            not only on the task and its ``level_seed`` (start-state noise such as the
            walkers' random initial push); the level itself is still pinned.
        edit_sizes, edit_weights, edit_groups: the edits that suit this environment
            for teachers that mutate levels (ACCEL), as plain data naming its
            parameters (see :mod:`teachgym.teachers.mutations` for their meaning);
            empty: the teacher's generic edits. :meth:`edit_operators` gathers them.

    :meth:`mastered` applies the mastery rule; :func:`teachgym.evaluation.evaluate` uses it.
    """

    task_space: TaskSpace
    default_task: Task
    return_bounds: ClassVar[tuple[float, float] | None] = None
    reset_options: ClassVar[frozenset[str]] = frozenset({"task"})
    """The keys ``reset(options=...)`` accepts; any other key is a ``ValueError``."""
    mastery_return: ClassVar[float | None] = None
    start_noise: ClassVar[bool] = False
    mastery_success_rate: ClassVar[float | None] = None
    mastery_episodes: ClassVar[int] = 1
    evaluation_deterministic: ClassVar[bool] = True
    learners: ClassVar[frozenset[str] | None] = None
    """Registered student names that can learn here (``None``: any); ``make_student``
    refuses the others before anything is trained."""
    edit_sizes: ClassVar[Mapping[str, float | Sequence[float]]] = {}
    edit_weights: ClassVar[Mapping[str, float]] = {}
    edit_groups: ClassVar[Mapping[str, Sequence[str]]] = {}

    @classmethod
    def edit_operators(cls) -> dict[str, Any]:
        """The published edits as a mutating teacher's hyperparameters (JSON-ready copies):
        ``{"edit_sizes": ..., "edit_weights": ..., "edit_groups": ...}``, empty ones left out."""
        published = {
            "edit_sizes": {
                k: list(v) if isinstance(v, Sequence) else v for k, v in cls.edit_sizes.items()
            },
            "edit_weights": dict(cls.edit_weights),
            "edit_groups": {k: list(v) for k, v in cls.edit_groups.items()},
        }
        return {name: value for name, value in published.items() if value}

    def bandit_subspaces(self) -> dict[str, dict[str, Any]]:
        """Named sub-spaces of this environment's task space, as bandit teachers' arms
        (``{arm: {parameter: restriction}}``, see
        :class:`~teachgym.teachers.bandits.arms.SubspaceArms`); suites and ``teachgym
        train`` give them to a bandit not told its ``subspaces``. Empty here: the bandits
        cut the space into their grid."""
        return {}

    def __init__(self, task: Mapping[str, Any] | None = None) -> None:
        self.fixed_task: Task | None = None if task is None else self.task_space.validate(task)
        self._default_task = self.task_space.validate(self.default_task)
        self.task: Task = self.fixed_task or self._default_task
        self._level_rng: np.random.Generator | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[ObsType, dict[str, Any]]:
        """Start an episode on ``options["task"]`` (else the fixed task, else the default)."""
        super().reset(seed=seed)
        unknown = sorted(set(options or {}) - self.reset_options)
        if unknown:
            raise TeachgymUsageError(
                f"{type(self).__name__}.reset() got unknown option {unknown[0]!r}; it takes "
                f"{sorted(self.reset_options)} (the task goes in options={{'task': {{...}}}})"
            )
        given = (options or {}).get("task")
        if given is not None:
            self.task = self.task_space.validate(given)
        else:
            self.task = dict(self.fixed_task or self._default_task)
        level_seed = self.task.get(LEVEL_SEED)
        self._level_rng = None if level_seed is None else np.random.default_rng(level_seed)
        observation, info = self._reset_task(self.task)
        info["task"] = dict(self.task)
        return observation, info

    @property
    def level_rng(self) -> np.random.Generator:
        """Generator for procedural content: seeded by ``level_seed`` if the task has one."""
        return self._level_rng if self._level_rng is not None else self.np_random

    @abstractmethod
    def _reset_task(self, task: Task) -> tuple[ObsType, dict[str, Any]]:
        """Build the episode for a validated ``task``; return (observation, info)."""

    # -- evaluation -------------------------------------------------------------
    @classmethod
    def is_mastered(cls, episode_return: float) -> bool:
        """Whether one episode with this return succeeds (``return > mastery_return``)."""
        if cls.mastery_return is None:
            raise ValueError(f"{cls.__name__} defines no mastery threshold")
        return episode_return > cls.mastery_return

    @classmethod
    def episode_succeeded(cls, episode_return: float, info: Mapping[str, Any]) -> bool | None:
        """Success of one finished episode: the environment's ``info["is_success"]`` at
        its last step if it reports one, else :meth:`is_mastered` of the return;
        ``None`` if the environment defines neither."""
        reported = info.get("is_success")
        if reported is not None:
            return bool(reported)
        return None if cls.mastery_return is None else cls.is_mastered(episode_return)

    @classmethod
    def mastered(cls, returns: Sequence[float], successes: Sequence[bool] | None = None) -> bool:
        """Whether a task's evaluation episodes, with these returns (and successes), master it.

        Without ``mastery_success_rate``: the mean return exceeds ``mastery_return``
        (the walkers' "return > 230" of the ALP-GMM and TeachMyAgent papers). With it:
        at least that fraction of the episodes succeed (``successes``; by default each
        episode's :meth:`is_mastered`).
        """
        if len(returns) == 0:
            raise ValueError("mastered() needs the returns of at least one episode")
        if cls.mastery_success_rate is None:
            return cls.is_mastered(float(np.mean(returns)))
        if successes is None:
            successes = [cls.is_mastered(float(r)) for r in returns]
        if len(successes) != len(returns):
            raise ValueError(
                f"mastered() got {len(returns)} returns but {len(successes)} successes"
            )
        return float(np.mean(successes)) >= cls.mastery_success_rate

    def test_sets(self) -> dict[str, TestSet]:
        """This environment's fixed test sets; the first is the default.

        The base class offers 50 uniform tasks drawn with seed 0 (as the ALP-GMM
        paper's test set); environments override this with their published sets.
        """
        return {"uniform-50": TestSet("uniform-50", 1, self.task_space.uniform_set(50, seed=0))}

    def test_set(self, name: str | None = None) -> TestSet:
        """One test set by name (``None``: the default)."""
        sets = self.test_sets()
        if name is None:
            return next(iter(sets.values()))
        if name not in sets:
            raise ValueError(f"{type(self).__name__} has no test set {name!r}; it has {list(sets)}")
        return sets[name]
