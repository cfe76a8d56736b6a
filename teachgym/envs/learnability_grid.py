"""The learnability grid: the ALP-GMM paper's toy testbed as a one-step environment.

Source: Portelas et al., "Teacher algorithms for curriculum learning of Deep RL
in continuously parameterized environments" (CoRL 2019), toy environment of the
released code; see docs/references.md [portelas2019].

The task space [0, 1]^d is cut into ``n`` cells per dimension. The student is a
table of competences in 0..100, one per cell: the simulated student
(:class:`teachgym.agents.SimulatedStudent`) owns that table and trains it. This
environment is a pure function of the task and the table it *observes*: an
episode's reward is the competence of the task's cell divided by 100, and a cell
counts as mastered when its competence exceeds 75. Stepping never changes the
table, so evaluating a student on the grid reads what it learned without
training it.
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
"""A cell is mastered when its competence exceeds 75 (the reference code's score)."""


def grid_task_space(dims: int) -> TaskSpace:
    """``dims`` continuous parameters ``x0 .. x{dims-1}`` in [0, 1]."""
    return TaskSpace({f"x{i}": Continuous(0.0, 1.0) for i in range(dims)})


class LearnabilityGridEnv(TaskEnv[np.ndarray, np.int64]):
    """One-step episodes that read a student's competence table.

    Args:
        dims: number of task dimensions ``d`` (reference: 2).
        cells_per_dim: cells per dimension ``n`` (reference: 10).
        task: a task fixed for every episode.
        competence: the table to observe, integers in 0..100 of shape ``(n,) * d``;
            default: a private table of zeros (a student that never learns).

    Observation: the task as a float32 vector of shape ``(dims,)`` in [0, 1].
    Action: ``Discrete(1)`` (the simulated student has nothing to choose).
    Reward: the observed competence of the task's cell / 100, in [0, 1];
    ``info["is_success"]`` is whether that competence exceeds 75.

    The table is shared, not copied: the student that owns it trains it between
    ``reset`` and ``step`` (see :meth:`observe`), and every environment observing
    it sees the same student. Only the simulated student learns here: the action
    does nothing, so a neural-network student on this grid always earns the
    reward of its environment's untrained table.
    """

    metadata: dict[str, Any] = {"render_modes": []}
    task_space = grid_task_space(2)
    default_task: Task = {"x0": 0.0, "x1": 0.0}
    return_bounds = (0.0, 1.0)
    mastery_return = MASTERED_ABOVE / MAX_COMPETENCE

    def __init__(
        self,
        dims: int = 2,
        cells_per_dim: int = 10,
        task: dict[str, Any] | None = None,
        competence: np.ndarray | None = None,
    ):
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
        self.competence = np.zeros(self.table_shape, dtype=np.int64)
        if competence is not None:
            self.observe(competence)
        self._cell: tuple[int, ...] = (0,) * dims
        self._done = True

    # -- the observed student -----------------------------------------------------
    @property
    def table_shape(self) -> tuple[int, ...]:
        """Shape of a competence table for this grid: ``(cells_per_dim,) * dims``."""
        return (self.cells_per_dim,) * self.dims

    def observe(self, competence: np.ndarray) -> None:
        """Read rewards from ``competence`` from now on (shared, not copied).

        Raises:
            TypeError: if ``competence`` is not an integer numpy array.
            ValueError: if its shape is not :attr:`table_shape`.
        """
        if not isinstance(competence, np.ndarray) or competence.dtype.kind not in "iu":
            raise TypeError(
                f"the grid observes an integer numpy array of competences, got "
                f"{type(competence).__name__}"
                + (f" of dtype {competence.dtype}" if isinstance(competence, np.ndarray) else "")
            )
        if competence.shape != self.table_shape:
            raise ValueError(
                f"competence table has shape {competence.shape}, this grid "
                f"(dims={self.dims}, cells_per_dim={self.cells_per_dim}) needs {self.table_shape}"
            )
        self.competence = competence

    def cell_of(self, task: Task) -> tuple[int, ...]:
        """Index of the cell holding ``task``."""
        vector = self.task_space.to_vector(task).astype(np.float64)
        index = np.minimum((vector * self.cells_per_dim).astype(np.int64), self.cells_per_dim - 1)
        return tuple(int(i) for i in index)

    def competence_of(self, task: Task) -> float:
        """The observed competence on ``task`` in [0, 1]."""
        return float(self.competence[self.cell_of(self.task_space.validate(task))]) / MAX_COMPETENCE

    # -- gymnasium API -----------------------------------------------------------
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
        competence = int(self.competence[self._cell])
        reward = competence / MAX_COMPETENCE
        info = {"cell": self._cell, "is_success": competence > MASTERED_ABOVE}
        return self.task_space.to_vector(self.task), reward, True, False, info

    # -- evaluation --------------------------------------------------------------
    def test_sets(self) -> dict[str, TestSet]:
        """``cells``: the centre of every cell, so "% mastered" is the % of mastered cells."""
        n = self.cells_per_dim
        centres = [(i + 0.5) / n for i in range(n)]
        tasks = [
            dict(zip(self.task_space.names, combo, strict=True))
            for combo in itertools.product(centres, repeat=self.dims)
        ]
        return {f"cells-{n}^{self.dims}": TestSet(f"cells-{n}^{self.dims}", 1, tasks)}
