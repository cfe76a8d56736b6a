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

Skill variants. TeachMyAgent's challenge-specific unit tests (docs/references.md
[romac2021]) test teachers one challenge at a time on variants of Stump Tracks; the
grid offers the same challenges as constructor arguments, so a teacher comparison
per skill runs in seconds with the simulated student:

- ``feasible_per_dim``: only cells whose every index is below it can ever be
  learned (a *mostly unfeasible* space, as Stump Tracks' heights in [0, 9]);
- ``trivial_layers``: the cells of the first layers along ``x0`` are learnable
  from the start, without a mastered neighbour (a *mostly trivial* space, as
  heights in [-3, 3] whose negative half is flat ground);
- ``rugged_intervals``: each dimension is cut into that many equal intervals,
  permuted by a shuffle seeded with ``rugged_seed``; the teacher's task is mapped
  piecewise-linearly into the grid (*rugged difficulty*, TeachMyAgent's 4 intervals);
- ``distractors``: extra task dimensions ``z0 ..`` that no cell depends on;
- ``task_kind``: ``"integer"`` (one integer cell index per dimension) or
  ``"categorical"`` (one parameter ``cell`` whose choices are the cells, e.g.
  ``"3,7"``, in no order a teacher can see): a discrete task set for bandit teachers.

A *forgetting* student is a property of the student, not of the grid: see
``forget_every`` and ``decay_every`` of :class:`teachgym.agents.SimulatedStudent`.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from gymnasium import spaces

from teachgym.envs.task_env import TaskEnv, TestSet
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Categorical, Continuous, Integer, Task, TaskSpace
from teachgym.validation import check_setting

MAX_COMPETENCE = 100
MASTERED_ABOVE = 75
"""A cell is mastered when its competence exceeds 75 (the reference code's score)."""
TASK_KINDS = ("continuous", "integer", "categorical")
DISTRACTOR_VALUE = 0.5
"""Value of every distractor dimension in the test set (the cells do not depend on it)."""


def grid_task_space(dims: int) -> TaskSpace:
    """``dims`` continuous parameters ``x0 .. x{dims-1}`` in [0, 1]."""
    return TaskSpace({f"x{i}": Continuous(0.0, 1.0) for i in range(dims)})


def cell_label(cell: tuple[int, ...]) -> str:
    """The categorical choice naming ``cell``: ``(3, 7)`` -> ``"3,7"``."""
    return ",".join(str(i) for i in cell)


class RuggedMap:
    """A seeded piecewise-linear bijection of [0, 1) per dimension (rugged difficulty).

    Each dimension is cut into ``intervals`` equal intervals; interval ``k`` of the
    teacher's coordinate is moved, unscaled, onto interval ``permutations[d][k]`` of
    the grid's coordinate (TeachMyAgent's rugged-difficulty test, docs/references.md
    [romac2021]).

    Args:
        dims: number of dimensions.
        intervals: intervals per dimension (1: the identity).
        seed: seed of the shuffles, one permutation per dimension.

    Attributes:
        permutations: int array of shape ``(dims, intervals)``.
    """

    def __init__(self, dims: int, intervals: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.intervals = intervals
        self.permutations = np.stack([rng.permutation(intervals) for _ in range(dims)])
        self._inverse = np.argsort(self.permutations, axis=1)

    def _move(self, points: np.ndarray, table: np.ndarray) -> np.ndarray:
        scaled = np.asarray(points, dtype=np.float64) * self.intervals
        index = np.clip(np.floor(scaled).astype(np.int64), 0, self.intervals - 1)
        target = table[np.arange(table.shape[0]), index]
        return np.asarray((target + scaled - index) / self.intervals)

    def forward(self, points: np.ndarray) -> np.ndarray:
        """Teacher coordinates -> grid coordinates; ``points`` of shape ``(dims,)`` or
        ``(n, dims)`` in [0, 1]."""
        return self._move(points, self.permutations)

    def inverse(self, points: np.ndarray) -> np.ndarray:
        """Grid coordinates -> teacher coordinates (the inverse of :meth:`forward`)."""
        return self._move(points, self._inverse)


class LearnabilityGridEnv(TaskEnv[np.ndarray, np.int64]):
    """One-step episodes that read a student's competence table.

    Args:
        dims: number of task dimensions ``d`` (reference: 2).
        cells_per_dim: cells per dimension ``n`` (reference: 10).
        task: a task fixed for every episode.
        competence: the table to observe, integers in 0..100 of shape ``(n,) * d``;
            default: a private table of zeros (a student that never learns).
        feasible_per_dim: cells with an index >= this along any dimension can never
            be learned; ``None``: every cell can (the reference grid).
        trivial_layers: cells whose ``x0`` index is below this are learnable from the
            start (like the origin cell), without a mastered neighbour.
        rugged_intervals: intervals per dimension shuffled by the rugged map
            (:class:`RuggedMap`); 1: no shuffle.
        rugged_seed: seed of the rugged map's shuffles.
        distractors: extra continuous parameters ``z0 ..`` in [0, 1] that no cell
            depends on.
        task_kind: ``"continuous"`` (parameters ``x0 ..`` in [0, 1]), ``"integer"``
            (``x0 ..`` are cell indices in 0..n-1) or ``"categorical"`` (one parameter
            ``cell``, the cells' labels in row-major order); the rugged map and
            distractors need ``"continuous"``.

    Observation: the task as a float32 vector (``task_space.to_vector``) in [0, 1].
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
    learners = frozenset({"simulated"})

    def __init__(
        self,
        dims: int = 2,
        cells_per_dim: int = 10,
        task: dict[str, Any] | None = None,
        competence: np.ndarray | None = None,
        *,
        feasible_per_dim: int | None = None,
        trivial_layers: int = 0,
        rugged_intervals: int = 1,
        rugged_seed: int = 0,
        distractors: int = 0,
        task_kind: str = "continuous",
    ):
        owner = "LearnabilityGrid"
        self.dims = check_setting(owner, "dims", dims, minimum=1)
        self.cells_per_dim = check_setting(owner, "cells_per_dim", cells_per_dim, minimum=1)
        n = self.cells_per_dim
        self.feasible_per_dim = (
            n
            if feasible_per_dim is None
            else check_setting(owner, "feasible_per_dim", feasible_per_dim, minimum=1, maximum=n)
        )
        self.trivial_layers = check_setting(owner, "trivial_layers", trivial_layers, 0, n)
        self.rugged_intervals = check_setting(
            owner, "rugged_intervals", rugged_intervals, minimum=1
        )
        self.rugged_seed = check_setting(owner, "rugged_seed", rugged_seed, minimum=0)
        self.distractors = check_setting(owner, "distractors", distractors, minimum=0)
        if task_kind not in TASK_KINDS:
            raise TeachgymUsageError(
                f"{owner}: task_kind must be one of {list(TASK_KINDS)}, got {task_kind!r}"
            )
        if task_kind != "continuous" and (self.rugged_intervals > 1 or self.distractors):
            raise TeachgymUsageError(
                f"{owner}: rugged_intervals and distractors need task_kind='continuous', "
                f"got task_kind={task_kind!r}"
            )
        self.task_kind = task_kind
        self.rugged = RuggedMap(self.dims, self.rugged_intervals, self.rugged_seed)
        self.task_space = self._task_space()
        origin = np.zeros(self.task_space.dim)
        if self.rugged_intervals > 1:  # the teacher's coordinates of the grid's origin
            origin[: self.dims] = self.rugged.inverse(origin[: self.dims])
        self.default_task = self.task_space.from_vector(origin)
        super().__init__(task)
        self.observation_space = spaces.Box(
            0.0, 1.0, shape=(self.task_space.dim,), dtype=np.float32
        )
        self.action_space = spaces.Discrete(1)
        self.competence = np.zeros(self.table_shape, dtype=np.int64)
        if competence is not None:
            self.observe(competence)
        self._cell: tuple[int, ...] = (0,) * self.dims
        self._done = True

    def _task_space(self) -> TaskSpace:
        n = self.cells_per_dim
        if self.task_kind == "integer":
            return TaskSpace({f"x{i}": Integer(0, n - 1) for i in range(self.dims)})
        if self.task_kind == "categorical":
            cells = itertools.product(range(n), repeat=self.dims)
            return TaskSpace({"cell": Categorical(tuple(cell_label(c) for c in cells))})
        parameters: dict[str, Any] = {f"x{i}": Continuous(0.0, 1.0) for i in range(self.dims)}
        parameters.update({f"z{i}": Continuous(0.0, 1.0) for i in range(self.distractors)})
        return TaskSpace(parameters)

    # -- the world's rules (read by the simulated student) --------------------------
    @property
    def table_shape(self) -> tuple[int, ...]:
        """Shape of a competence table for this grid: ``(cells_per_dim,) * dims``."""
        return (self.cells_per_dim,) * self.dims

    def feasible_cells(self) -> np.ndarray:
        """Bool array of :attr:`table_shape`: the cells that can ever be learned."""
        indices = np.indices(self.table_shape)
        return np.asarray((indices < self.feasible_per_dim).all(axis=0))

    def open_cells(self) -> np.ndarray:
        """Bool array of :attr:`table_shape`: the cells learnable without a mastered
        neighbour (the origin, and the trivial layers)."""
        open_ = np.indices(self.table_shape)[0] < self.trivial_layers
        open_[(0,) * self.dims] = True
        return np.asarray(open_)

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
        n = self.cells_per_dim
        if self.task_kind == "integer":
            return tuple(int(task[f"x{i}"]) for i in range(self.dims))
        if self.task_kind == "categorical":
            parameter = self.task_space.parameters["cell"]
            assert isinstance(parameter, Categorical)
            flat = parameter.choices.index(task["cell"])
            return tuple(int(i) for i in np.unravel_index(flat, self.table_shape))
        vector = self.task_space.to_vector(task).astype(np.float64)[: self.dims]
        real = self.rugged.forward(vector) if self.rugged_intervals > 1 else vector
        index = np.minimum((real * n).astype(np.int64), n - 1)
        return tuple(int(i) for i in index)

    def task_of(self, cell: tuple[int, ...]) -> Task:
        """The task at the centre of ``cell`` (distractors at 0.5): :meth:`cell_of` of it
        is ``cell``."""
        if self.task_kind == "integer":
            return {f"x{i}": int(c) for i, c in enumerate(cell)}
        if self.task_kind == "categorical":
            return {"cell": cell_label(cell)}
        centre = (np.asarray(cell, dtype=np.float64) + 0.5) / self.cells_per_dim
        teacher = self.rugged.inverse(centre) if self.rugged_intervals > 1 else centre
        values = [float(v) for v in teacher] + [DISTRACTOR_VALUE] * self.distractors
        return dict(zip(self.task_space.names, values, strict=True))

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
        """``cells-<n>^<d>``: one task per cell (:meth:`task_of`), so "% mastered" is the %
        of mastered cells; with ``feasible_per_dim`` below ``n``, the cells that can be
        learned only (``feasible-<f>^<d>-of-<n>^<d>``), as no teacher can master the others.
        """
        n, f, d = self.cells_per_dim, self.feasible_per_dim, self.dims
        cells = itertools.product(range(f), repeat=d)
        name = f"cells-{n}^{d}" if f == n else f"feasible-{f}^{d}-of-{n}^{d}"
        return {name: TestSet(name, 1, [self.task_of(cell) for cell in cells])}
