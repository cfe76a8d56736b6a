"""SEC: Self-Evolving Curriculum, a non-stationary bandit over task categories.

Source: Chen et al., "Self-Evolving Curriculum for LLM Reasoning", 2025
(arXiv:2505.14970), Section 3, and the authors' run scripts (README of the SEC
code: ``trainer.sec.bandit.lr=0.5``, temperature 1.0 on Countdown, 0.4 on MATH);
docs/references.md [chen2025sec].

The arms are categories (:mod:`teachgym.teachers.bandits.arms`). Every ``batch_size``
reported episodes, each category present in the batch gets the reward ``r`` = the mean
of its episodes' values, and a TD(0) update::

    Q <- (1 - alpha) * Q + alpha * r

(categories absent from the batch keep their value); categories are drawn from
``softmax(Q / temperature)``, all ``Q = 0`` at first. Defaults are the published runs'
(alpha 0.5, temperature 1.0); presets ``countdown`` (the same), ``math``
(temperature 0.4) and ``framework`` (alpha 0.1, temperature 1.0: the framework's
defaults when a run sets nothing).

``signal="advantage"`` (the default, the paper's reward: the mean absolute advantage of
the category's problems) takes each episode's mean ``|A_t|`` from the student (score
kind ``"mean-absolute-advantage"``), so the teacher declares ``requires_score``;
``signal="return"`` serves any student with the absolute change of the arm's return
since its previous episode instead (a deviation from the paper). The paper's batch is
a training batch of problems; here it is ``batch_size`` episodes (1: an update per
episode).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.tasks import TaskSpace
from teachgym.teachers.bandits.base import ADVANTAGE_SIGNAL, SignalBanditTeacher, softmax
from teachgym.teachers.base import Outcome
from teachgym.validation import check_int, check_real

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "countdown": {"alpha": 0.5, "temperature": 1.0},
    "math": {"alpha": 0.5, "temperature": 0.4},
    "framework": {"alpha": 0.1, "temperature": 1.0},
}


class SECTeacher(SignalBanditTeacher):
    """SEC (module docstring).

    Args:
        task_space: any task space; arms as :class:`~teachgym.teachers.bandits.base.BanditTeacher`.
        seed: seed of the teacher's generator.
        alpha: TD(0) learning rate.
        temperature: Boltzmann temperature of the values.
        signal: ``"advantage"`` (the student's mean absolute advantage per episode) or
            ``"return"`` (the absolute change of the arm's return; any student).
        batch_size: episodes per update.
        cells: cells per continuous parameter.
        subspaces: named sub-spaces as arms instead of the grid.
    """

    name = "sec"
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        alpha: float = 0.5,
        temperature: float = 1.0,
        signal: str = ADVANTAGE_SIGNAL,
        batch_size: int = 1,
        cells: int | Mapping[str, int] = 10,
        subspaces: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(task_space, seed, signal, cells, subspaces)
        owner = f"teacher {self.name!r}"
        self.alpha = check_real(owner, "alpha", alpha, above=0.0, maximum=1.0)
        self.temperature = check_real(owner, "temperature", temperature, above=0.0)
        self.batch_size = check_int(owner, "batch_size", batch_size, minimum=1, maximum=10**6)
        self.q = np.zeros(self.n_arms)
        self.batch_arms: list[int] = []
        self.batch_values: list[float] = []
        """The episodes of the batch being filled: their arms and values."""

    def probabilities(self) -> np.ndarray:
        return softmax(self.q, self.temperature)

    def _learn(self, arm: int, outcome: Outcome) -> None:
        value = self.episode_value(arm, outcome)
        self.batch_arms.append(arm)
        self.batch_values.append(value)
        if len(self.batch_arms) < self.batch_size:
            return
        arms = np.array(self.batch_arms)
        values = np.array(self.batch_values)
        for played in np.unique(arms):
            reward = float(values[arms == played].mean())
            self.q[played] = (1.0 - self.alpha) * self.q[played] + self.alpha * reward
        self.batch_arms, self.batch_values = [], []

    def arm_values(self) -> np.ndarray:
        return self.q.copy()

    # -- state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "q": self.q.copy(),
            "batch_arms": np.array(self.batch_arms, dtype=np.int64),
            "batch_values": np.array(self.batch_values, dtype=np.float64),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.q = self._arm_array(state["q"], np.float64)
        self.batch_arms = [int(a) for a in np.asarray(state["batch_arms"]).reshape(-1)]
        self.batch_values = [float(v) for v in np.asarray(state["batch_values"]).reshape(-1)]
