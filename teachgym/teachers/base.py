"""The teacher protocol: sample tasks, learn from episode outcomes, save state.

Teachers follow scikit-learn's habits: the constructor takes the task space, a
seed and hyperparameters only; learned state lives in attributes; and
:meth:`Teacher.state_dict` returns everything needed to continue exactly as
before, as JSON scalars and numpy arrays (never pickle).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.params import get_params
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.capabilities import (
    ADVANTAGE,
    LEARNING_POTENTIAL,
    SCORE_KINDS,
    BufferedLevels,
    TaskCritic,
)
from teachgym.teachers.level_scores import EpisodeTrace, positive_value_loss, value_l1

TeacherT = TypeVar("TeacherT", bound="Teacher")


def _finite_number(name: str, value: Any) -> float:
    """``value`` as a float; ``TypeError`` unless it is a real number (bools are not)."""
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.floating | np.integer
    ):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} is {value!r}, beyond the range of a float") from None


@dataclass(frozen=True)
class Outcome:
    """What a teacher learns from one finished episode.

    Attributes:
        episode_return: undiscounted sum of the environment's rewards.
        length: number of environment steps in the episode.
        success: whether the environment reported success (``None`` if it defines none).
        score: a learning-potential score from the student (for example PLR's
            positive value loss); ``None`` when the student cannot give one.
        value: the student's value estimate of the episode's initial state, V(s0, task)
            (discounted return units); ``None`` when the student cannot give one.
    """

    episode_return: float
    length: int = 1
    success: bool | None = None
    score: float | None = None
    value: float | None = None

    def __post_init__(self) -> None:
        episode_return = _finite_number("episode_return", self.episode_return)
        if not math.isfinite(episode_return):
            raise ValueError(
                f"episode_return is {episode_return}: the environment or a reward wrapper "
                "produced a non-finite reward; check the reward function before training on it"
            )
        if isinstance(self.length, bool) or not isinstance(self.length, int | np.integer):
            raise TypeError(f"length must be an integer number of steps, got {self.length!r}")
        if self.length < 0:
            raise ValueError(f"length must be >= 0, got {self.length}")
        if self.success is not None and not isinstance(self.success, bool | np.bool_):
            raise TypeError(
                f"success must be True, False or None, got {self.success!r}; convert the "
                "environment's success flag with bool() first"
            )
        if self.score is not None:
            score = _finite_number("score", self.score)
            if not math.isfinite(score):
                raise ValueError(f"score is {score}: the student produced a non-finite score")
        if self.value is not None:
            value = _finite_number("value", self.value)
            if not math.isfinite(value):
                raise ValueError(f"value is {value}: the student produced a non-finite value")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Teacher(ABC):
    """Base class of every teacher.

    Subclasses set ``name``, implement :meth:`_sample` and :meth:`_update`, and
    extend :meth:`state_dict` / :meth:`load_state_dict` with their learned state.
    They declare what they need from a student with the capability attributes and
    hooks below (see :mod:`teachgym.teachers.capabilities`); students read only these.
    Their constructors take the task space, ``seed`` and hyperparameters with real
    defaults, and store each hyperparameter in an attribute of the same name, so
    :meth:`get_params` reads them back (scikit-learn style) and a saved teacher is
    rebuilt with exactly the same values.

    Args:
        task_space: the space tasks are drawn from.
        seed: seed of the teacher's own ``numpy.random.Generator``; ``None`` draws
            fresh entropy from the operating system (a different stream every run),
            as everywhere in teachgym.
    """

    name: ClassVar[str] = ""
    requires_score: bool = False
    """True if :meth:`update` needs ``Outcome.score``, of the kind ``score_kind`` (a class
    attribute, or set per instance when a hyperparameter decides it)."""
    score_kind: ClassVar[str] = LEARNING_POTENTIAL
    """Which score ``requires_score`` asks for: one of
    :data:`~teachgym.teachers.capabilities.SCORE_KINDS`."""
    requires_success: ClassVar[bool] = False
    """True if :meth:`update` needs ``Outcome.success`` (the environment's
    ``info["is_success"]``; GoalGAN and Setter-Solver learn from success only)."""
    extras: ClassVar[tuple[str, ...]] = ()
    """Optional dependency groups of teachgym the teacher needs (``pip install
    'teachgym[<extra>]'``), for example ``("torch",)``."""
    requires_value: ClassVar[bool] = False
    """True if :meth:`update` needs ``Outcome.value``, the student's value of the
    episode's initial state."""
    requires_task_values: bool = False
    """True if :meth:`sample` needs the student's critic of candidate tasks
    (:meth:`set_task_critic`): their values before they are played. A class attribute, or
    set per instance when a hyperparameter decides it."""
    robust: ClassVar[bool] = False
    """True: the student must take no gradient step on episodes whose task
    :meth:`is_exploratory` (it only scores them)."""
    mutates: ClassVar[bool] = False
    """True: the teacher edits levels and takes the environment's published edits
    (``TaskEnv.edit_operators()``) as its hyperparameters ``edit_sizes``,
    ``edit_weights`` and ``edit_groups``."""
    return_bounds_parameter: ClassVar[str | None] = None
    """The hyperparameter that takes the environment's ``return_bounds`` (``teachgym
    train`` and suites pass ``TaskEnv.return_bounds`` to it unless it is given), or
    ``None``."""
    presets: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    """Published configurations: preset name -> hyperparameter values (:meth:`from_preset`)."""
    param_attributes: ClassVar[Mapping[str, str]] = {}
    """Constructor argument -> attribute holding it, where the names differ."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.score_kind not in SCORE_KINDS:
            raise ValueError(
                f"{cls.__name__}.score_kind must be one of {SCORE_KINDS}, got {cls.score_kind!r}"
            )

    def __init__(self, task_space: TaskSpace, seed: int | None = None) -> None:
        if not isinstance(task_space, TaskSpace):
            raise TypeError(f"task_space must be a TaskSpace, got {type(task_space).__name__}")
        self.task_space = task_space
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.n_updates = 0
        self.task_critic: TaskCritic | None = None
        """The student's critic of candidate tasks (:meth:`set_task_critic`); not state."""

    @classmethod
    def from_preset(
        cls: type[TeacherT], preset: str, task_space: TaskSpace, **overrides: Any
    ) -> TeacherT:
        """The teacher built with the values of ``cls.presets[preset]``, then ``overrides``.

        Raises:
            TeachgymUsageError: for a preset this teacher does not have (the message
                lists its presets).
        """
        if preset not in cls.presets:
            raise TeachgymUsageError(
                f"unknown preset {preset!r} for teacher {cls.name or cls.__name__!r}; its "
                f"presets are {sorted(cls.presets)}"
            )
        return cls(task_space, **{**cls.presets[preset], **overrides})

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments other than the task space, ``seed`` included (JSON-ready)."""
        return get_params(self, skip=("task_space",), attributes=self.param_attributes)

    @classmethod
    def state_name(cls) -> str:
        """The name saved states carry: ``name`` if it is registered for this class,
        else ``"package.module:Class"`` (so :func:`load_teacher` can rebuild it)."""
        from teachgym.teachers.registry import registered_name  # the registry imports this

        return registered_name(cls)

    # -- protocol -------------------------------------------------------------
    def sample(self) -> Task:
        """The next task to train on (always valid for ``task_space``)."""
        if self.requires_task_values and self.task_critic is None:
            raise TeachgymUsageError(
                f"teacher {self.name!r} values candidate tasks with the student's critic, and "
                "none was given; train it with a student that provides task values (an SB3 "
                "student, 'simulated'), or call curriculum.provide_task_values(critic)"
            )
        return self._sample()

    def set_task_critic(self, critic: TaskCritic | None) -> None:
        """Use ``critic(tasks) -> values`` to value candidate tasks before they are played
        (``None``: no critic). Called through ``Curriculum.provide_task_values``."""
        self.task_critic = critic

    def update(self, task: Mapping[str, Any], outcome: Outcome) -> None:
        """Learn from one finished episode on ``task``."""
        if not isinstance(outcome, Outcome):
            raise TypeError(f"outcome must be an Outcome, got {type(outcome).__name__}")
        if self.requires_score and outcome.score is None:
            raise ValueError(
                f"teacher {self.name!r} needs a {self.score_kind} score in each Outcome; "
                "use a student that provides one (for example SB3 PPO with the scoring callback)"
            )
        if self.requires_success and outcome.success is None:
            raise ValueError(
                f"teacher {self.name!r} learns from success, and this Outcome has none; use "
                "an environment that reports info['is_success'] at the end of each episode"
            )
        if self.requires_value and outcome.value is None:
            raise ValueError(
                f"teacher {self.name!r} needs the student's value of each episode's initial "
                "state in its Outcome; use a student that provides values (an SB3 student, "
                "the simulated student)"
            )
        self._update(self.task_space.validate(task), outcome)
        self.n_updates += 1

    @abstractmethod
    def _sample(self) -> Task:
        """Draw the next task."""

    @abstractmethod
    def _update(self, task: Task, outcome: Outcome) -> None:
        """Learn from a validated task and its outcome."""

    # -- capabilities (defaults: a teacher that needs nothing of its student) ------------
    def episode_score(self, task: Mapping[str, Any], trace: EpisodeTrace) -> float:
        """This teacher's learning-potential score of one episode on ``task``.

        Called by students that compute scores, before :meth:`update`. For a teacher of
        ``score_kind`` ``"mean-absolute-advantage"`` it is the mean of ``|A_t|``; otherwise
        the default is positive value loss (the mean of ``max(A_t, 0)`` over the episode's
        GAE advantages; Robust PLR, Jiang et al., NeurIPS 2021; docs/references.md
        [jiang2021rplr]).
        """
        if trace.advantages is None:
            raise ValueError(
                f"teacher {self.name!r} scores episodes from the student's advantages; "
                "this student gave only the return"
            )
        if self.score_kind == ADVANTAGE:
            return value_l1(trace.advantages)
        return positive_value_loss(trace.advantages)

    def is_exploratory(self, task: Mapping[str, Any]) -> bool:
        """True if an episode on ``task`` only explores (a ``robust`` teacher forbids
        training on it)."""
        return False

    def buffer_levels(self) -> BufferedLevels | None:
        """The levels this teacher keeps with their scores, or ``None`` if it keeps none."""
        return None

    def discard(self, task: Mapping[str, Any]) -> None:
        """Forget a handed-out task whose episode could not be evaluated (default: nothing)."""
        return None

    def diagnostics(self) -> dict[str, Any]:
        """Scalars worth logging (for example number of mixture components)."""
        return {"n_updates": self.n_updates}

    # -- state ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly as this teacher would."""
        return {
            "teacher": self.state_name(),
            "hyperparameters": self.get_params(),
            "task_space": self.task_space.to_dict(),
            "rng": self.rng.bit_generator.state,
            "n_updates": self.n_updates,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore from :meth:`state_dict`; raises ``ValueError`` if it does not fit."""
        if state.get("teacher") != self.state_name():
            raise TeachgymUsageError(
                f"this state belongs to teacher {state.get('teacher')!r}, not {self.state_name()!r}"
            )
        if TaskSpace.from_dict(state["task_space"]) != self.task_space:
            raise TeachgymUsageError("this state was saved for a different task space")
        self.rng.bit_generator.state = state["rng"]
        self.n_updates = int(state["n_updates"])
