"""TSCL: Teacher-Student Curriculum Learning, a bandit on the slope of each task's score.

Source: Matiisen, Oliver, Cohen, Schulman, "Teacher-Student Curriculum Learning",
IEEE TNNLS 2019 (arXiv:1707.00183), Section 3, Algorithms 1-4, and the authors' code
(tambetm/TSCL, ``addition/addition_rnn_teacher.py``); docs/references.md [matiisen2017].

The arms are tasks (:mod:`teachgym.teachers.bandits.arms`); an arm's score is the
episode return. The teacher's value of an arm estimates the slope of the student's
learning curve on it, and it prefers arms where the score moves fastest, in either
direction with ``absolute=True`` (a falling score means forgetting). Per reported
episode of arm ``a`` with return ``x`` (``x'``: the arm's previous return, 0 at first):

- ``online`` (Algorithm 1): ``Q[a] <- Q[a] + alpha * ((x - x') - Q[a])``;
- ``naive`` (Algorithm 2): the chosen arm is played ``window`` times in a row; the
  least-squares slope ``s`` of those scores against 0..window-1 gives
  ``Q[a] <- Q[a] + alpha * (s - Q[a])``;
- ``window`` (Algorithm 3): ``Q[a]`` is the least-squares slope of the arm's last
  ``window`` (time, score) pairs, time counting reported episodes (1 with fewer than
  two pairs, as the code);
- ``sampling`` (Algorithm 4): each arm keeps its last ``window`` score changes
  ``x - x'``; with ``choice="thompson"`` one of them is drawn per arm (1 for an arm
  never played) and the arm of the largest is taken; with the other choices the
  arm's value is their mean.

Choice: ``epsilon-greedy`` (``1 - epsilon`` to the best arms, ties shared, ``epsilon``
spread uniformly), ``boltzmann`` (softmax of the values over ``temperature``) or
``thompson`` (sampling only; as the code, the draws are then chosen epsilon-greedily,
``epsilon = 0`` being Algorithm 4's plain argmax). With ``absolute`` the choice looks
at ``|value|``.

Defaults are the authors' code's (its command line: ``--teacher sampling --policy
thompson --epsilon 0.1 --temperature 0.0004 --bandit_lr 0.1 --window_size 10``),
except ``absolute=True``: the paper's algorithms choose on ``|Q|``, while the code's
``--abs`` flag defaults to off. The presets ``online``, ``naive``, ``window`` and
``sampling`` give each algorithm with the paper's values. Deviation: the code's
addition task scores every task after every step; here only the played arm is
observed, as in the paper's algorithms and its Minecraft runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import TaskSpace
from teachgym.teachers.bandits.base import BanditTeacher, draw, epsilon_greedy, softmax
from teachgym.teachers.base import Outcome
from teachgym.validation import check_bool, check_int, check_real

VARIANTS = ("online", "naive", "window", "sampling")
CHOICES = ("epsilon-greedy", "boltzmann", "thompson")

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "online": {"variant": "online", "choice": "epsilon-greedy", "alpha": 0.1, "epsilon": 0.1},
    "naive": {"variant": "naive", "choice": "epsilon-greedy", "alpha": 0.1, "window": 10},
    "window": {"variant": "window", "choice": "epsilon-greedy", "window": 10, "epsilon": 0.1},
    "sampling": {"variant": "sampling", "choice": "thompson", "window": 10, "epsilon": 0.1},
}


def slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y`` against ``x`` (0 if every ``x`` is the same)."""
    dx = x - x.mean()
    denominator = float(dx @ dx)
    return 0.0 if denominator == 0.0 else float(dx @ (y - y.mean())) / denominator


class TSCLTeacher(BanditTeacher):
    """TSCL (module docstring).

    Args:
        task_space: any task space; arms as :class:`~teachgym.teachers.bandits.base.BanditTeacher`.
        seed: seed of the teacher's generator.
        variant: ``"online"``, ``"naive"``, ``"window"`` or ``"sampling"``.
        choice: ``"epsilon-greedy"``, ``"boltzmann"`` or ``"thompson"`` (sampling only).
        alpha: the teacher's learning rate (online and naive).
        window: K, scores kept per arm (naive: episodes per choice; at least 2 for
            naive and window).
        epsilon: exploration share of epsilon-greedy and Thompson choices.
        temperature: Boltzmann temperature, in units of the values (return per episode).
        absolute: choose on ``|value|`` (revisits forgotten tasks).
        cells: cells per continuous parameter.
        subspaces: named sub-spaces as arms instead of the grid.
    """

    name = "tscl"
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        variant: str = "sampling",
        choice: str = "thompson",
        alpha: float = 0.1,
        window: int = 10,
        epsilon: float = 0.1,
        temperature: float = 0.0004,
        absolute: bool = True,
        cells: int | Mapping[str, int] = 10,
        subspaces: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(task_space, seed, cells, subspaces)
        owner = f"teacher {self.name!r}"
        if variant not in VARIANTS:
            raise TeachgymUsageError(f"{owner}: variant must be one of {VARIANTS}, got {variant!r}")
        if choice not in CHOICES:
            raise TeachgymUsageError(f"{owner}: choice must be one of {CHOICES}, got {choice!r}")
        if choice == "thompson" and variant != "sampling":
            raise TeachgymUsageError(
                f"{owner}: choice 'thompson' draws from the score changes the 'sampling' "
                f"variant keeps; with variant {variant!r} use 'epsilon-greedy' or 'boltzmann'"
            )
        self.variant = variant
        self.choice = choice
        self.alpha = check_real(owner, "alpha", alpha, above=0.0, maximum=1.0)
        minimum = 2 if variant in ("naive", "window") else 1
        self.window = check_int(owner, "window", window, minimum=minimum, maximum=10**6)
        self.epsilon = check_real(owner, "epsilon", epsilon, minimum=0.0, maximum=1.0)
        self.temperature = check_real(owner, "temperature", temperature, above=0.0)
        self.absolute = check_bool(owner, "absolute", absolute)

        self.q = np.ones(self.n_arms) if variant == "window" else np.zeros(self.n_arms)
        """Online and naive: the learned slope estimate; window: the current window slope."""
        kept = 0 if variant == "online" else self.window
        self.scores = np.zeros((self.n_arms, kept))
        """Per arm, its kept scores (naive, window) or score changes (sampling)."""
        self.times = np.zeros((self.n_arms, self.window if variant == "window" else 0))
        """Window: the time (reported episodes before it) of each kept score."""
        self.naive_arm = 0
        self.naive_left = 0
        """Naive: the arm being played, and how many of its ``window`` tasks remain."""

    # -- choice ------------------------------------------------------------------------
    def choice_values(self) -> np.ndarray:
        """The values the next choice looks at (a Thompson draw consumes randomness)."""
        if self.variant != "sampling":
            values = self.q
        else:
            kept = np.minimum(self.pulls, self.window)
            if self.choice == "thompson":
                picks = np.floor(self.rng.random(self.n_arms) * np.maximum(kept, 1))
                values = self.scores[np.arange(self.n_arms), picks.astype(np.int64)]
            else:
                values = self.scores.sum(axis=1) / np.maximum(kept, 1)
            values = np.where(kept == 0, 1.0, values)
        return np.abs(values) if self.absolute else values

    def probabilities(self, values: np.ndarray) -> np.ndarray:
        """Choice probabilities of each arm given its values."""
        if self.choice == "boltzmann":
            return softmax(values, self.temperature)
        return epsilon_greedy(values, self.epsilon)

    def choose_arm(self) -> int:
        if self.variant == "naive":
            if self.naive_left == 0:
                self.naive_arm = draw(self.probabilities(self.choice_values()), self.rng)
                self.naive_left = self.window
            self.naive_left -= 1
            return self.naive_arm
        return draw(self.probabilities(self.choice_values()), self.rng)

    # -- learning ---------------------------------------------------------------------
    def _learn(self, arm: int, outcome: Outcome) -> None:
        score = outcome.episode_return
        position = int(self.pulls[arm]) % max(self.window, 1)
        if self.variant == "online":
            self.q[arm] += self.alpha * (self.return_change(arm, outcome) - self.q[arm])
        elif self.variant == "sampling":
            self.scores[arm, position] = self.return_change(arm, outcome)
        elif self.variant == "naive":
            self.scores[arm, position] = score
            if position == self.window - 1:
                fitted = slope(np.arange(self.window, dtype=np.float64), self.scores[arm])
                self.q[arm] += self.alpha * (fitted - self.q[arm])
        else:
            self.scores[arm, position] = score
            self.times[arm, position] = self.n_updates
            kept = min(int(self.pulls[arm]) + 1, self.window)
            self.q[arm] = (
                slope(self.times[arm, :kept], self.scores[arm, :kept]) if kept > 1 else 1.0
            )

    def arm_values(self) -> np.ndarray:
        if self.variant != "sampling":
            return self.q.copy()
        kept = np.minimum(self.pulls, self.window)
        means = self.scores.sum(axis=1) / np.maximum(kept, 1)
        result: np.ndarray = np.where(kept == 0, 1.0, means)
        return result

    # -- state ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "q": self.q.copy(),
            "scores": self.scores.copy(),
            "times": self.times.copy(),
            "naive_arm": self.naive_arm,
            "naive_left": self.naive_left,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.q = self._arm_array(state["q"], np.float64)
        self.scores = self._arm_array(state["scores"], np.float64, self.scores.shape[1])
        self.times = self._arm_array(state["times"], np.float64, self.times.shape[1])
        self.naive_arm = int(state["naive_arm"])
        self.naive_left = int(state["naive_left"])
