"""Small edits of a level, acting on the TaskSpace only (ACCEL's mutations).

The operators here are generic; which edits suit an environment (sizes, weights,
groups, named by its parameters) is data the environment publishes
(``TaskEnv.edit_sizes``, ``edit_weights``, ``edit_groups``; e.g. the maze's "flip a
wall, move the goal or nothing" and the walker's edit magnitudes of ACCEL,
docs/references.md [parkerholder2022]), passed to the teacher as arguments.
Every name must be a parameter (or group) of the task space: a name the space lacks
is a :class:`~teachgym.errors.TeachgymUsageError`, never silently dropped.

One edit picks a parameter (uniformly, or by ``weights``) and changes it:

- Continuous: ± a magnitude, then clipped to the range. A magnitude is a number
  (fixed step) or a pair ``[low, high]`` (step drawn uniformly). The default is
  ``[0, 0.1 * range]``.
- Integer: ± a whole step (default 1), clipped (e.g. moving a maze goal coordinate).
- Categorical: another choice, uniformly.
- IntArray: one cell, chosen uniformly, takes another value; for binary arrays this
  flips it (e.g. adding or removing one maze wall).
- A group (``groups``: a name for several parameters): every member is drawn anew,
  uniformly over its range (e.g. moving a maze goal to a random cell).
- ``NO_EDIT``: the edit does nothing (the public maze mutator draws it one time in
  three, so a mutation of ``n`` edits makes ``n`` or fewer changes).

In a conditional task space an edit of a parameter that does not apply to the level
changes nothing, and when an edited switch turns parameters on, they are drawn
uniformly (``TaskSpace.conform``).

Every mutated level gets a fresh ``level_seed`` (ACCEL: "new terrain seed").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import (
    LEVEL_SEED,
    NO_EDIT,
    Categorical,
    Continuous,
    IntArray,
    Integer,
    Task,
    TaskSpace,
)

MAX_LEVEL_SEED = 2**63 - 1

EditSize = float | Sequence[float]
"""A magnitude: a fixed step, or a pair ``[low, high]`` the step is drawn from."""


def new_level_seed(rng: np.random.Generator) -> int:
    """A fresh ``level_seed`` in [0, 2**63 - 1)."""
    return int(rng.integers(0, MAX_LEVEL_SEED))


class LevelMutator:
    """Applies ``n_edits`` random edits to a level.

    Args:
        task_space: the space levels live in.
        n_edits: edits per mutation (>= 1).
        sizes: edit magnitude per parameter name (see the module docstring).
        weights: relative probability of each edit, keyed by parameter name, group name
            or ``NO_EDIT`` (a parameter or group without a weight gets 1, ``NO_EDIT``
            gets 0).
        groups: parameters edited together, by group name: one edit of a group draws
            every member uniformly over its range (``IntArray`` members not allowed).
    """

    def __init__(
        self,
        task_space: TaskSpace,
        n_edits: int,
        sizes: Mapping[str, EditSize] | None = None,
        weights: Mapping[str, float] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if not (isinstance(n_edits, int) and n_edits >= 1):
            raise ValueError(f"n_edits must be an integer >= 1, got {n_edits!r}")
        self.task_space = task_space
        self.n_edits = n_edits
        unknown_sizes = sorted(set(sizes or {}) - set(task_space.parameters))
        if unknown_sizes:
            raise TeachgymUsageError(
                f"edit size for unknown parameter {unknown_sizes[0]!r}; this task space's "
                f"parameters are {task_space.names}"
            )
        self.sizes: dict[str, tuple[float, float]] = {}
        for name, parameter in task_space.parameters.items():
            size = (sizes or {}).get(name)
            self.sizes[name] = self._parse_size(name, parameter, size)
        self.groups = self._check_groups(task_space, groups or {})
        self.edits: list[str] = [*task_space.names, *self.groups, NO_EDIT]
        """What one edit can pick: a parameter, a group or ``NO_EDIT``."""
        unknown = sorted(set(weights or {}) - set(self.edits))
        if unknown:
            raise TeachgymUsageError(
                f"edit weight for unknown parameter {unknown[0]!r}; parameters: "
                f"{task_space.names}, groups: {list(self.groups)}, or {NO_EDIT!r}"
            )
        given = weights or {}
        raw = np.array([float(given.get(e, 0.0 if e == NO_EDIT else 1.0)) for e in self.edits])
        if not np.all(np.isfinite(raw)) or np.any(raw < 0) or raw[:-1].sum() <= 0:
            raise ValueError(
                f"edit weights must be finite, >= 0 and not all 0 (no-op aside), got {weights}"
            )
        self.weights = raw / raw.sum()
        self.cumulative_weights = np.cumsum(self.weights)

    @staticmethod
    def _check_groups(
        task_space: TaskSpace, groups: Mapping[str, Sequence[str]]
    ) -> dict[str, tuple[str, ...]]:
        checked: dict[str, tuple[str, ...]] = {}
        for group, members in groups.items():
            if group in task_space.parameters or group == NO_EDIT:
                raise TeachgymUsageError(
                    f"edit group name {group!r} is taken by a parameter or no-op"
                )
            bad = [m for m in members if m not in task_space.parameters]
            if not members or bad:
                raise TeachgymUsageError(
                    f"edit group {group!r} must list parameters of the space "
                    f"{task_space.names}, got {list(members)}"
                )
            if any(isinstance(task_space.parameters[m], IntArray) for m in members):
                raise ValueError(f"edit group {group!r} cannot hold an IntArray parameter")
            checked[group] = tuple(members)
        return checked

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
        plain = self._plain(work)
        return self.task_space.conform(plain, rng) if self.task_space.conditions else plain

    def _working_copy(self, task: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``task`` whose array parameters are numpy arrays (edited in place)."""
        work = dict(task)
        for name, parameter in self.task_space.parameters.items():
            if isinstance(parameter, IntArray) and name in work:
                work[name] = np.array(work[name], dtype=np.int64)
        return work

    def _plain(self, work: dict[str, Any]) -> Task:
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in work.items()}

    def _edit_in_place(self, work: dict[str, Any], rng: np.random.Generator) -> None:
        # Same draw as rng.choice(len(self.edits), p=self.weights), without its overhead.
        pick = int(np.searchsorted(self.cumulative_weights, rng.random(), side="right"))
        name = self.edits[min(pick, len(self.edits) - 1)]
        if name == NO_EDIT:
            return
        if name in self.groups:
            for member in self.groups[name]:
                work[member] = self.task_space.parameters[member].sample(rng)
            return
        if name not in work:  # a parameter that does not apply to this level
            return
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
            if self.task_space.conditions:
                work = self._working_copy(self.task_space.conform(work, rng))
        child = self._plain(work)
        child[LEVEL_SEED] = new_level_seed(rng)
        return self.task_space.validate(child)
