"""Small edits of a level, acting on the TaskSpace only (ACCEL's mutations).

One edit picks a parameter (uniformly, or by ``weights``) and changes it:

- Continuous: ± a magnitude, then clipped to the range. A magnitude is a number
  (fixed step) or a pair ``[low, high]`` (step drawn uniformly). The default is
  ``[0, 0.1 * range]``. The walker edits of REFERENCE.md are
  :data:`WALKER_EDIT_SIZES` (roughness ± U(0, 0.6), pit gap ± 0.4, stump and
  stair heights ± 0.2, stair steps ± 1).
- Integer: ± a whole step (default 1), clipped (e.g. moving a maze goal coordinate).
- Categorical: another choice, uniformly.
- IntArray: one cell, chosen uniformly, takes another value; for binary arrays this
  flips it (e.g. adding or removing one maze wall).

Every mutated level gets a fresh ``level_seed`` (REFERENCE.md: "new terrain seed").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.tasks import (
    LEVEL_SEED,
    Categorical,
    Continuous,
    IntArray,
    Integer,
    Task,
    TaskSpace,
)

MAX_LEVEL_SEED = 2**63 - 1

EditSize = float | Sequence[float]

WALKER_EDIT_SIZES: dict[str, EditSize] = {
    "ground_roughness": [0.0, 0.6],
    "pit_gap_low": 0.4,
    "pit_gap_high": 0.4,
    "stump_height_low": 0.2,
    "stump_height_high": 0.2,
    "stair_height_low": 0.2,
    "stair_height_high": 0.2,
    "stair_steps": 1,
}
"""Edit magnitudes of the eight-parameter BipedalWalker (REFERENCE.md, ACCEL)."""

MAZE_EDIT_WEIGHTS: dict[str, float] = {
    "walls": 2.0,
    "goal_x": 0.5,
    "goal_y": 0.5,
    "agent_x": 0.0,
    "agent_y": 0.0,
    "agent_dir": 0.0,
}
"""Maze edits of REFERENCE.md ("flip a wall cell or move the goal"): two edits in three
flip a wall, one in three moves the goal one cell; the agent's start is never edited.
The two-to-one split is our choice (REFERENCE.md gives no ratio). With uniform weights
over the six maze parameters only one edit in six would touch a wall, and ACCEL's
levels would hardly ever grow walls."""


def new_level_seed(rng: np.random.Generator) -> int:
    """A fresh ``level_seed`` in [0, 2**63 - 1)."""
    return int(rng.integers(0, MAX_LEVEL_SEED))


class LevelMutator:
    """Applies ``n_edits`` random edits to a level.

    Args:
        task_space: the space levels live in.
        n_edits: edits per mutation (>= 1).
        sizes: edit magnitude per parameter name (see the module docstring); names
            not in the task space are ignored, so one table serves related spaces.
        weights: relative probability of editing each parameter (default uniform).
    """

    def __init__(
        self,
        task_space: TaskSpace,
        n_edits: int,
        sizes: Mapping[str, EditSize] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        if not (isinstance(n_edits, int) and n_edits >= 1):
            raise ValueError(f"n_edits must be an integer >= 1, got {n_edits!r}")
        self.task_space = task_space
        self.n_edits = n_edits
        self.sizes: dict[str, tuple[float, float]] = {}
        for name, parameter in task_space.parameters.items():
            size = (sizes or {}).get(name)
            self.sizes[name] = self._parse_size(name, parameter, size)
        unknown = sorted(set(weights or {}) - set(task_space.names))
        if unknown:
            raise ValueError(
                f"edit weight for unknown parameter {unknown[0]!r}; parameters: {task_space.names}"
            )
        raw = np.array([float((weights or {}).get(n, 1.0)) for n in task_space.names])
        if not np.all(np.isfinite(raw)) or np.any(raw < 0) or raw.sum() <= 0:
            raise ValueError(f"edit weights must be finite, >= 0 and not all 0, got {weights}")
        self.weights = raw / raw.sum()
        self.cumulative_weights = np.cumsum(self.weights)

    @staticmethod
    def _parse_size(name: str, parameter: Any, size: EditSize | None) -> tuple[float, float]:
        if size is None:
            if isinstance(parameter, Continuous):
                return (0.0, 0.1 * (parameter.high - parameter.low))
            return (1.0, 1.0)
        pair = (float(size), float(size)) if np.isscalar(size) else tuple(map(float, size))  # type: ignore[arg-type]
        if len(pair) != 2 or not all(np.isfinite(pair)) or not 0 <= pair[0] <= pair[1]:
            raise ValueError(
                f"edit size of {name!r} must be a number >= 0 or a pair [low, high] with "
                f"0 <= low <= high, got {size!r}"
            )
        if isinstance(parameter, Integer) and pair[0] != round(pair[0]):
            raise ValueError(f"edit size of integer parameter {name!r} must be whole: {size!r}")
        return (pair[0], pair[1])

    def edit(self, task: Mapping[str, Any], rng: np.random.Generator) -> Task:
        """One edit of one parameter (``level_seed`` untouched; values stay in range)."""
        work = self._working_copy(task)
        self._edit_in_place(work, rng)
        return self._plain(work)

    def _working_copy(self, task: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``task`` whose array parameters are numpy arrays (edited in place)."""
        work = dict(task)
        for name, parameter in self.task_space.parameters.items():
            if isinstance(parameter, IntArray):
                work[name] = np.array(work[name], dtype=np.int64)
        return work

    def _plain(self, work: dict[str, Any]) -> Task:
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in work.items()}

    def _edit_in_place(self, work: dict[str, Any], rng: np.random.Generator) -> None:
        names = self.task_space.names
        # Same draw as rng.choice(len(names), p=self.weights), without its overhead.
        pick = int(np.searchsorted(self.cumulative_weights, rng.random(), side="right"))
        name = names[min(pick, len(names) - 1)]
        parameter = self.task_space.parameters[name]
        value = work[name]
        low, high = self.sizes[name]
        sign = 1.0 if rng.random() < 0.5 else -1.0
        if isinstance(parameter, Continuous):
            step = float(rng.uniform(low, high))
            work[name] = float(min(max(float(value) + sign * step, parameter.low), parameter.high))
        elif isinstance(parameter, Integer):
            step = int(rng.integers(int(low), int(high), endpoint=True))
            work[name] = min(max(int(value) + int(sign) * step, parameter.low), parameter.high)
        elif isinstance(parameter, Categorical):
            others = [c for c in parameter.choices if c != value or type(c) is not type(value)]
            if others:
                work[name] = others[int(rng.integers(len(others)))]
        elif isinstance(parameter, IntArray):
            cell = tuple(int(rng.integers(s)) for s in parameter.shape)
            current = int(value[cell])
            choices = [v for v in range(parameter.low, parameter.high + 1) if v != current]
            value[cell] = choices[int(rng.integers(len(choices)))]

    def mutate(self, task: Mapping[str, Any], rng: np.random.Generator) -> Task:
        """``n_edits`` edits and a fresh ``level_seed``: a child level."""
        work = self._working_copy({k: v for k, v in task.items() if k != LEVEL_SEED})
        for _ in range(self.n_edits):
            self._edit_in_place(work, rng)
        child = self._plain(work)
        child[LEVEL_SEED] = new_level_seed(rng)
        return self.task_space.validate(child)
