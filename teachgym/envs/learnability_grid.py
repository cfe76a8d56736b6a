"""The learnability grid: the ALP-GMM paper's toy testbed as a one-step environment.

Source: Portelas et al., "Teacher algorithms for curriculum learning of Deep RL
in continuously parameterized environments" (CoRL 2019), toy environment of the
released code; see docs/references.md [portelas2019].

The task space [0, 1]^d is cut into ``n`` cells per dimension. Each cell has a
competence in 0..100: the *simulated student* is this table, so no neural
network is needed. An episode on a task adds 1 to its cell's competence (capped
at 100) if the cell is the origin cell or at least one "previous" neighbour
(every index equal or one lower, not the cell itself) has competence >= 75.
A cell counts as mastered when its competence exceeds 75. The reward is the
cell's competence after the episode, divided by 100. The score is the percentage
of mastered cells.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from gymnasium import spaces

from teachgym.envs.task_env import TaskEnv, TestSet
from teachgym.tasks import Continuous, Task, TaskSpace

MAX_COMPETENCE = 100
MASTERED_ABOVE = 75
UNLOCKS_AT = 75
"""A neighbour with competence >= 75 unlocks learning. Summaries of the paper say
"mastered" (> 75) for both; the reference toy environment's code unlocks at >= 75 and scores
mastery at > 75, and the source wins."""


def grid_task_space(dims: int) -> TaskSpace:
    """``dims`` continuous parameters ``x0 .. x{dims-1}`` in [0, 1]."""
    return TaskSpace({f"x{i}": Continuous(0.0, 1.0) for i in range(dims)})


class LearnabilityGridEnv(TaskEnv[np.ndarray, np.int64]):
    """One-step episodes on a grid of cells whose competences are the student.

    Args:
        dims: number of task dimensions ``d`` (reference: 2).
        cells_per_dim: cells per dimension ``n`` (reference: 10).
        task: a task fixed for every episode.

    Observation: the task as a float32 vector of shape ``(dims,)`` in [0, 1].
    Action: ``Discrete(1)`` (the simulated student has nothing to choose).
    Reward: the cell's competence after the episode / 100, in [0, 1].
    A ``reset`` with an explicit ``seed`` starts a fresh student (all competences 0),
    so that an episode is determined by its task and seed; resets without a seed
    keep the student, which is how training proceeds.
    """

    metadata: dict[str, Any] = {"render_modes": []}
    task_space = grid_task_space(2)
    default_task: Task = {"x0": 0.0, "x1": 0.0}
    return_bounds = (0.0, 1.0)
    mastery_return = MASTERED_ABOVE / MAX_COMPETENCE

    def __init__(self, dims: int = 2, cells_per_dim: int = 10, task: dict[str, Any] | None = None):
        if not (
            isinstance(dims, int)
            and dims >= 1
            and isinstance(cells_per_dim, int)
            and cells_per_dim >= 1
        ):
            raise ValueError(
                f"LearnabilityGrid needs integers dims >= 1 and cells_per_dim >= 1, "
                f"got dims={dims!r}, cells_per_dim={cells_per_dim!r}"
            )
        self.dims = dims
        self.cells_per_dim = cells_per_dim
        self.task_space = grid_task_space(dims)
        self.default_task = {f"x{i}": 0.0 for i in range(dims)}
        super().__init__(task)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(dims,), dtype=np.float32)
        self.action_space = spaces.Discrete(1)
        self.competence = np.zeros((cells_per_dim,) * dims, dtype=np.int64)
        offsets = itertools.product((0, -1), repeat=dims)
        self._previous = np.array([o for o in offsets if any(o)], dtype=np.int64).reshape(-1, dims)
        self._cell: tuple[int, ...] = (0,) * dims
        self._done = True

    # -- student ---------------------------------------------------------------
    def reset_student(self) -> None:
        """Forget everything: all competences back to 0."""
        self.competence[...] = 0

    def cell_of(self, task: Task) -> tuple[int, ...]:
        """Index of the cell holding ``task``."""
        vector = self.task_space.to_vector(task).astype(np.float64)
        index = np.minimum((vector * self.cells_per_dim).astype(np.int64), self.cells_per_dim - 1)
        return tuple(int(i) for i in index)

    def competence_of(self, task: Task) -> float:
        """The student's competence on ``task`` in [0, 1], without training it."""
        return float(self.competence[self.cell_of(self.task_space.validate(task))]) / MAX_COMPETENCE

    def _unlocked(self, cell: tuple[int, ...]) -> bool:
        if not any(cell):
            return True
        neighbours = np.asarray(cell) + self._previous
        neighbours = neighbours[(neighbours >= 0).all(axis=1)]
        return bool((self.competence[tuple(neighbours.T)] >= UNLOCKS_AT).any())

    def score(self) -> float:
        """Percentage of mastered cells (competence > 75), in [0, 100]."""
        return 100.0 * float((self.competence > MASTERED_ABOVE).mean())

    # -- gymnasium API -----------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        if seed is not None:
            self.reset_student()
        return super().reset(seed=seed, options=options)

    def _reset_task(self, task: Task) -> tuple[np.ndarray, dict[str, Any]]:
        self._cell = self.cell_of(task)
        self._done = False
        return self.task_space.to_vector(task), {"cell": self._cell}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._done:
            raise RuntimeError(
                "LearnabilityGrid episodes last one step: call reset() before step()"
            )
        if not self.action_space.contains(np.int64(action)):
            raise ValueError(f"action must be 0 (Discrete(1)), got {action!r}")
        self._done = True
        if self.competence[self._cell] < MAX_COMPETENCE and self._unlocked(self._cell):
            self.competence[self._cell] += 1
        competence = int(self.competence[self._cell])
        reward = competence / MAX_COMPETENCE
        info = {"cell": self._cell, "is_success": competence > MASTERED_ABOVE}
        return self.task_space.to_vector(self.task), reward, True, False, info

    # -- evaluation --------------------------------------------------------------
    def test_sets(self) -> dict[str, TestSet]:
        """``cells``: the centre of every cell, so "% mastered" equals :meth:`score`."""
        n = self.cells_per_dim
        centres = [(i + 0.5) / n for i in range(n)]
        tasks = [
            dict(zip(self.task_space.names, combo, strict=True))
            for combo in itertools.product(centres, repeat=self.dims)
        ]
        return {f"cells-{n}^{self.dims}": TestSet(f"cells-{n}^{self.dims}", 1, tasks)}
