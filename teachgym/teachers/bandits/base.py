"""What the bandit teachers share: arms, the choice rules, and the per-arm return change.

A :class:`BanditTeacher` samples by choosing an arm (:meth:`~BanditTeacher.choose_arm`)
and drawing a task uniformly inside it (:mod:`teachgym.teachers.bandits.arms`); it
learns by finding the arm of each reported task and updating that arm's value
(:meth:`~BanditTeacher._learn`). Choice rules, as probability vectors over arms:

- :func:`epsilon_greedy`: ``1 - epsilon`` shared by the arms of highest value, plus
  ``epsilon / n`` everywhere (TSCL's code breaks ties at random; docs/references.md
  [matiisen2017]);
- :func:`softmax`: ``exp(value / temperature)`` normalised (Boltzmann).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.bandits.arms import Arms, make_arms
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.capabilities import ADVANTAGE

ADVANTAGE_SIGNAL = "advantage"
RETURN_SIGNAL = "return"
SIGNALS = (ADVANTAGE_SIGNAL, RETURN_SIGNAL)
"""What DUMP and SEC learn from: the student's mean absolute advantage of the episode,
or the absolute change of the arm's return since its previous episode."""


def epsilon_greedy(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Probabilities: ``(1 - epsilon)`` split among the argmax arms, plus ``epsilon / n``."""
    best = values == values.max()
    return (1.0 - epsilon) * best / best.sum() + epsilon / values.size


def softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities ``exp(values / temperature)`` normalised (computed stably)."""
    scaled = (values - values.max()) / temperature
    weights = np.exp(scaled)
    result: np.ndarray = weights / weights.sum()
    return result


def draw(probabilities: np.ndarray, rng: np.random.Generator) -> int:
    """An index drawn with ``probabilities`` (one uniform number, a binary search)."""
    cumulative = np.cumsum(probabilities)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(index, probabilities.size - 1)


def check_signal(teacher: str, signal: Any) -> str:
    if signal not in SIGNALS:
        raise TeachgymUsageError(
            f"{teacher}: signal must be {SIGNALS[0]!r} (the student's mean absolute advantage "
            f"per episode, e.g. SB3 PPO) or {SIGNALS[1]!r} (the change of the arm's return, "
            f"any student), got {signal!r}"
        )
    return str(signal)


class BanditTeacher(Teacher):
    """A teacher that keeps a value per arm, picks an arm, and draws a task inside it.

    Args:
        task_space: any task space.
        seed: seed of the teacher's generator.
        cells: cells per continuous parameter (an int for all, or ``{name: cells}``;
            parameters left out of a mapping stay uncut); integer and categorical
            parameters give one arm per value.
        subspaces: instead of the grid, named sub-spaces as arms,
            ``{arm: {parameter: restriction}}`` (see
            :class:`~teachgym.teachers.bandits.arms.SubspaceArms`).

    Subclasses implement :meth:`choose_arm`, :meth:`_learn` and :meth:`arm_values`, and
    extend the state with their own arrays.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None,
        cells: int | Mapping[str, int],
        subspaces: Mapping[str, Mapping[str, Any]] | None,
    ) -> None:
        super().__init__(task_space, seed)
        self.arms: Arms = make_arms(task_space, cells, subspaces)
        self.cells = dict(cells) if isinstance(cells, Mapping) else cells
        self.subspaces = None if subspaces is None else {k: dict(v) for k, v in subspaces.items()}
        self.n_arms = self.arms.n_arms
        self.pulls = np.zeros(self.n_arms, dtype=np.int64)
        """Episodes reported per arm."""
        self.last_returns = np.zeros(self.n_arms)
        """Return of each arm's latest reported episode (0 before the first, as TSCL's code)."""

    # -- protocol ----------------------------------------------------------------
    def _sample(self) -> Task:
        return self.arms.sample(self.choose_arm(), self.rng)

    def _update(self, task: Task, outcome: Outcome) -> None:
        arm = self.arms.arm_of(task)
        self._learn(arm, outcome)
        self.pulls[arm] += 1
        self.last_returns[arm] = outcome.episode_return

    @abstractmethod
    def choose_arm(self) -> int:
        """The arm of the next task (draws from ``self.rng``)."""

    @abstractmethod
    def _learn(self, arm: int, outcome: Outcome) -> None:
        """Learn from one episode of ``arm`` (``self.last_returns[arm]`` is still the
        return of the arm's previous episode)."""

    @abstractmethod
    def arm_values(self) -> np.ndarray:
        """The teacher's current value of every arm, shape ``(n_arms,)``."""

    def return_change(self, arm: int, outcome: Outcome) -> float:
        """This episode's return minus the return of the arm's previous episode."""
        return outcome.episode_return - float(self.last_returns[arm])

    # -- introspection -----------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: number of arms, arms played at least once, the best arm's label."""
        values = self.arm_values()
        return {
            **super().diagnostics(),
            "n_arms": self.n_arms,
            "arms_played": int((self.pulls > 0).sum()),
            "best_arm": self.arms.label(int(np.argmax(values))),
        }

    # -- state ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "pulls": self.pulls.copy(),
            "last_returns": self.last_returns.copy(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.pulls = self._arm_array(state["pulls"], np.int64)
        self.last_returns = self._arm_array(state["last_returns"], np.float64)

    def _arm_array(self, value: Any, dtype: Any, width: int | None = None) -> np.ndarray:
        """A saved per-arm array, checked to have one row per arm."""
        array = np.array(value, dtype=dtype)
        shape = (self.n_arms,) if width is None else (self.n_arms, width)
        if array.shape != shape:
            raise TeachgymUsageError(
                f"saved state has an array of shape {array.shape} where this teacher with "
                f"{self.n_arms} arms needs {shape}"
            )
        return array


class SignalBanditTeacher(BanditTeacher):
    """A bandit teacher that learns from each episode's mean absolute advantage (DUMP, SEC),
    or, with ``signal="return"``, from the absolute change of the arm's return.

    With the advantage signal it declares ``requires_score`` (score kind
    ``"mean-absolute-advantage"``); with the return signal it needs nothing of the student.
    Subclasses implement :meth:`probabilities`; the arm is drawn from them.
    """

    score_kind = ADVANTAGE

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None,
        signal: str,
        cells: int | Mapping[str, int],
        subspaces: Mapping[str, Mapping[str, Any]] | None,
    ) -> None:
        super().__init__(task_space, seed, cells, subspaces)
        self.signal = check_signal(f"teacher {self.name!r}", signal)
        self.requires_score = self.signal == ADVANTAGE_SIGNAL

    @abstractmethod
    def probabilities(self) -> np.ndarray:
        """Choice probabilities of the arms, shape ``(n_arms,)``."""

    def choose_arm(self) -> int:
        return draw(self.probabilities(), self.rng)

    def episode_value(self, arm: int, outcome: Outcome) -> float:
        """``|score|`` (the mean absolute advantage) or ``|return change|`` of the episode."""
        if self.signal == ADVANTAGE_SIGNAL:
            assert outcome.score is not None  # required: Teacher.update checked it
            return abs(outcome.score)
        return abs(self.return_change(arm, outcome))
