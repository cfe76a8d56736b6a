"""DUMP: UCB over task distributions with the mean absolute advantage as learnability.

Source: Wang et al., "DUMP: Automated Distribution-Level Curriculum Learning for
RL-based LLM Post-training", 2025 (arXiv:2504.09710), and the authors' code
(ZhentingWang/DUMP, ``verl/utils/curriculum_learning.py``); docs/references.md
[wang2025dump].

The arms are task distributions (:mod:`teachgym.teachers.bandits.arms`). An arm's
learnability ``L_j`` is the mean absolute advantage over its last ``window`` episodes
(0 before its first); its score adds a UCB exploration bonus::

    score_j = L_j + c * sqrt(2 * ln(N + 1) / (n_j + 1))

with ``n_j`` the arm's episodes and ``N`` all episodes, and the arm is drawn from
``softmax(score / temperature)``. Defaults are the code's: window 300, c 1,
temperature 0.1. Inside an arm tasks are uniform, as the code's examples within a
distribution.

``signal="advantage"`` (the default, the paper's) takes each episode's mean ``|A_t|``
from the student (score kind ``"mean-absolute-advantage"``; SB3 PPO and A2C give
it), so the teacher declares ``requires_score`` and a student without advantages is
refused before it trains. ``signal="return"`` serves any student: the episode's value is then the
absolute change of the arm's return since its previous episode, a return-based
learning-progress signal (a deviation from the paper).

Deviations: the code keeps one value per sampled response and recomputes the
probabilities once per training batch; here one value per episode, recomputed at
every choice. The code's Beta success model only enters statistics it logs, not the
sampling, and is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.tasks import TaskSpace
from teachgym.teachers.bandits.base import ADVANTAGE_SIGNAL, SignalBanditTeacher, softmax
from teachgym.teachers.base import Outcome
from teachgym.validation import check_int, check_real


class DUMPTeacher(SignalBanditTeacher):
    """DUMP (module docstring).

    Args:
        task_space: any task space; arms as :class:`~teachgym.teachers.bandits.base.BanditTeacher`.
        seed: seed of the teacher's generator.
        window: episodes per arm in its learnability mean.
        c: weight of the UCB exploration bonus.
        temperature: softmax temperature of the scores.
        signal: ``"advantage"`` (the student's mean absolute advantage per episode) or
            ``"return"`` (the absolute change of the arm's return; any student).
        cells: cells per continuous parameter.
        subspaces: named sub-spaces as arms instead of the grid.
    """

    name = "dump"

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        window: int = 300,
        c: float = 1.0,
        temperature: float = 0.1,
        signal: str = ADVANTAGE_SIGNAL,
        cells: int | Mapping[str, int] = 10,
        subspaces: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(task_space, seed, signal, cells, subspaces)
        owner = f"teacher {self.name!r}"
        self.window = check_int(owner, "window", window, minimum=1, maximum=10**6)
        self.c = check_real(owner, "c", c, minimum=0.0)
        self.temperature = check_real(owner, "temperature", temperature, above=0.0)
        self.learnability = np.zeros(self.n_arms)
        """``L_j``: the mean of each arm's window (0 before its first episode)."""
        self.recent: dict[int, np.ndarray] = {}
        """Played arm -> its last ``window`` values, a ring written at ``pulls % window``."""

    def scores(self) -> np.ndarray:
        """UCB scores ``L_j + c * sqrt(2 ln(N + 1) / (n_j + 1))``."""
        total = float(self.pulls.sum())
        result: np.ndarray = self.learnability + self.c * np.sqrt(
            2.0 * np.log(total + 1.0) / (self.pulls + 1.0)
        )
        return result

    def probabilities(self) -> np.ndarray:
        return softmax(self.scores(), self.temperature)

    def _learn(self, arm: int, outcome: Outcome) -> None:
        value = self.episode_value(arm, outcome)
        ring = self.recent.setdefault(arm, np.zeros(self.window))
        ring[int(self.pulls[arm]) % self.window] = value
        kept = min(int(self.pulls[arm]) + 1, self.window)
        self.learnability[arm] = float(ring[:kept].mean())

    def arm_values(self) -> np.ndarray:
        return self.scores()

    # -- state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        arms = sorted(self.recent)
        return {
            **super().state_dict(),
            "learnability": self.learnability.copy(),
            "recent_arms": np.array(arms, dtype=np.int64),
            "recent": np.array([self.recent[a] for a in arms]).reshape(len(arms), self.window),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.learnability = self._arm_array(state["learnability"], np.float64)
        arms = np.asarray(state["recent_arms"], dtype=np.int64).reshape(-1)
        rows = np.asarray(state["recent"], dtype=np.float64).reshape(arms.size, self.window)
        self.recent = {int(a): rows[i].copy() for i, a in enumerate(arms)}
