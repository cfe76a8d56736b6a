"""The simulated student of the learnability grid: a competence table, no neural network.

Source: the toy testbed of Portelas et al., "Teacher algorithms for curriculum
learning of Deep RL in continuously parameterized environments" (CoRL 2019),
released code; see docs/references.md [portelas2019].

The student *is* a :class:`CompetenceTable`. Practising a task adds 1 to the
competence of its cell (capped at 100) if the cell is the origin cell or at
least one "previous" neighbour (every index equal or one lower, not the cell
itself) has competence >= 75. The environment
(:class:`~teachgym.envs.learnability_grid.LearnabilityGridEnv`) only reads the
table: the student owns it, hands it to every environment it builds, and trains
it in :meth:`SimulatedStudent.learn`. Evaluation therefore goes through the
generic :func:`teachgym.evaluation.evaluate` loop (episodes built by the student's
``env_fn``) and reads what the student learned without training it.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from teachgym.agents.student import EnvFn, ProgressFn, Student
from teachgym.agents.task_critic import ResetCritic
from teachgym.curriculum import Curriculum, CurriculumWrapper, TaskFeedWrapper
from teachgym.envs.learnability_grid import MASTERED_ABOVE, MAX_COMPETENCE, LearnabilityGridEnv
from teachgym.errors import TeachgymUsageError
from teachgym.state_io import load_state, save_state
from teachgym.tasks import Task
from teachgym.validation import check_setting

UNLOCKS_AT = 75
"""A neighbour with competence >= 75 unlocks learning. Summaries of the paper say
"mastered" (> 75) for both; the reference toy environment's code unlocks at >= 75 and
scores mastery at > 75 (``MASTERED_ABOVE``), and the source wins."""


class CompetenceTable:
    """One competence in 0..100 per grid cell, and the rule by which practice raises it.

    Args:
        dims: number of task dimensions ``d``.
        cells_per_dim: cells per dimension ``n``.
        feasible: bool array of shape ``(n,) * d``, the cells that can ever be learned;
            default: every cell.
        open_cells: bool array of shape ``(n,) * d``, the cells learnable without a
            mastered neighbour; default: the origin only (the reference grid).

    Attributes:
        values: int64 array of shape ``(n,) * d``; environments observe this array.
    """

    def __init__(
        self,
        dims: int,
        cells_per_dim: int,
        feasible: np.ndarray | None = None,
        open_cells: np.ndarray | None = None,
    ) -> None:
        shape = (cells_per_dim,) * dims
        self.values = np.zeros(shape, dtype=np.int64)
        self.feasible = np.ones(shape, dtype=bool) if feasible is None else feasible.copy()
        if open_cells is None:
            open_cells = np.zeros(shape, dtype=bool)
            open_cells[(0,) * dims] = True
        self.open_cells = open_cells.copy()
        offsets = itertools.product((0, -1), repeat=dims)
        self._previous = np.array([o for o in offsets if any(o)], dtype=np.int64).reshape(-1, dims)

    def unlocked(self, cell: tuple[int, ...]) -> bool:
        """Whether practising ``cell`` raises its competence: it is feasible, and open
        (the origin, a trivial cell) or has a "previous" neighbour at >= 75."""
        if not self.feasible[cell]:
            return False
        if self.open_cells[cell]:
            return True
        neighbours = np.asarray(cell) + self._previous
        neighbours = neighbours[(neighbours >= 0).all(axis=1)]
        return bool((self.values[tuple(neighbours.T)] >= UNLOCKS_AT).any())

    def practice(self, cell: tuple[int, ...]) -> None:
        """One episode on a task of ``cell``: +1 competence if unlocked, capped at 100."""
        if self.values[cell] < MAX_COMPETENCE and self.unlocked(cell):
            self.values[cell] += 1

    def score(self) -> float:
        """Percentage of mastered cells (competence > 75) among the feasible ones, in [0, 100]."""
        return 100.0 * float((self.values[self.feasible] > MASTERED_ABOVE).mean())

    def forget(self) -> None:
        """All competences back to 0."""
        self.values[...] = 0

    def decay(self) -> None:
        """Every competence above 0 loses one point."""
        np.subtract(self.values, 1, out=self.values, where=self.values > 0)


def _grid_of(env: gym.Env[Any, Any]) -> LearnabilityGridEnv:
    grid = env.unwrapped
    if not isinstance(grid, LearnabilityGridEnv):
        raise TeachgymUsageError(
            f"the simulated student works on teachgym/LearnabilityGrid-v0 only, "
            f"not {type(grid).__name__}; use an SB3 student (e.g. 'ppo') instead"
        )
    return grid


class ObservingEnvFn:
    """An environment factory whose grids all observe one student's table.

    Args:
        env_fn: builds a learnability grid (possibly wrapped).
        table: the table every built grid reads.
    """

    def __init__(self, env_fn: EnvFn, table: CompetenceTable) -> None:
        self.env_fn = env_fn
        self.table = table

    def __call__(self) -> gym.Env[Any, Any]:
        env = self.env_fn()
        _grid_of(env).observe(self.table.values)
        return env


class SimulatedStudent(Student):
    """Trains on ``teachgym/LearnabilityGrid-v0`` without a neural network.

    The student owns a :class:`CompetenceTable` (``self.table``); its ``env_fn``
    builds grids that observe that table, so training and evaluation see one
    student. One environment step is one episode (the grid's episodes last one
    step), so ``learn(curriculum, 20_000)`` runs 20,000 episodes: each resets the
    grid on the teacher's task, practises the task's cell, and steps, so the
    teacher is told the competence after practice. The value it reports for an
    episode's initial state (teachers that ``requires_value``) is the cell's
    competence / 100 before the practice: its return without this episode's practice.
    Its critic of candidate tasks (teachers that ``requires_task_values``) gives the same
    value for the cell a task falls in. The grid's rules (which cells
    can be learned, which are open from the start) come from the grid.

    A forgetting student (TeachMyAgent's forgetting-student test, docs/references.md
    [romac2021], re-initialises the student's networks at 7M and 14M of 20M steps):
    ``forget_every=N`` sets every competence back to 0 after each N-th training
    episode; ``decay_every=K`` takes one point from every competence after each K-th.
    Both count the student's own episodes (``steps_done``), so a resumed run forgets
    at the same episodes.

    Args:
        env_fn: builds a learnability grid; its size fixes the table's shape.
        seed: kept for the protocol (the student is deterministic).
        forget_every: episodes between two resets of the whole table; ``None``: never.
        decay_every: episodes between two one-point losses of every cell; ``None``: never.
    """

    name = "simulated"
    provides_values = True
    provides_task_values = True

    def __init__(
        self,
        env_fn: EnvFn,
        seed: int = 0,
        forget_every: int | None = None,
        decay_every: int | None = None,
    ) -> None:
        owner = "student 'simulated'"
        self.forget_every = (
            None if forget_every is None else check_setting(owner, "forget_every", forget_every, 1)
        )
        self.decay_every = (
            None if decay_every is None else check_setting(owner, "decay_every", decay_every, 1)
        )
        env = env_fn()
        grid = _grid_of(env)
        self.table = CompetenceTable(
            grid.dims, grid.cells_per_dim, grid.feasible_cells(), grid.open_cells()
        )
        grid.observe(self.table.values)
        super().__init__(ObservingEnvFn(env_fn, self.table), seed)
        self.env = env
        self.grid = grid
        self.env.reset(seed=seed)
        self.task_critic = ResetCritic(self.env_fn, self._cell_values, seed)
        """Values candidate tasks: the competence / 100 of the cell each falls in."""

    def _cell_values(self, observations: list[Any], infos: list[dict[str, Any]]) -> np.ndarray:
        cells = [info["cell"] for info in infos]
        return np.array([self.table.values[c] for c in cells], dtype=np.float64) / MAX_COMPETENCE

    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        self.check_teacher(curriculum.teacher)
        if curriculum.teacher.requires_task_values:
            curriculum.provide_task_values(self.task_critic)
        env = CurriculumWrapper(self.env, curriculum)
        for _ in range(total_steps):
            self._episode(env, None)
            if progress is not None:
                progress(1)

    def practice(self, task: Task) -> float:
        """One training episode on ``task`` outside any curriculum; returns its reward."""
        return self._episode(self.env, task)

    def _episode(self, env: gym.Env[Any, Any], task: Task | None) -> float:
        _, info = env.reset(options=None if task is None else {"task": task})
        if isinstance(env, TaskFeedWrapper):  # its value: the return before this practice
            env.initial_value = float(self.table.values[info["cell"]]) / MAX_COMPETENCE
        self.table.practice(info["cell"])
        _, reward, *_ = env.step(0)
        self.steps_done += 1
        if self.forget_every is not None and self.steps_done % self.forget_every == 0:
            self.table.forget()
        if self.decay_every is not None and self.steps_done % self.decay_every == 0:
            self.table.decay()
        return float(reward)

    def act(self, observation: Any, deterministic: bool = True) -> int:
        return 0

    def close(self) -> None:
        self.task_critic.close()

    def _save_model(self, directory: Path) -> None:
        save_state({"competence": self.table.values.copy()}, directory / "competence")

    def _load_model(self, directory: Path) -> None:
        competence = load_state(directory / "competence")["competence"]
        if competence.shape != self.table.values.shape:
            raise TeachgymUsageError(
                f"saved competence table has shape {competence.shape}, this grid has "
                f"{self.table.values.shape}; build the student for the same grid"
            )
        self.table.values[...] = competence
