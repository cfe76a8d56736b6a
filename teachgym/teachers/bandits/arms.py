"""Arms of the bandit teachers: a task space cut into finitely many parts.

Two ways to cut it, both with the same interface (:class:`Arms`):

- :class:`GridArms` (the default): one arm per combination of a value of every
  integer parameter, a choice of every categorical parameter and a cell of every
  continuous parameter (``cells`` equal-width cells; 1 leaves it uncut). Array
  parameters are never cut.
- :class:`SubspaceArms`: named sub-spaces the user lists, each restricting some
  parameters (a ``[low, high]`` range of a continuous or integer parameter, one
  value, or a list of categorical choices); the sub-spaces must not overlap.

Inside an arm a task is drawn uniformly: uniform in the arm's range of each
continuous parameter, uniform over its values of each integer or categorical
parameter, and as :meth:`TaskSpace.sample` for what the arm leaves free; in a
conditional task space, only the parameters that apply to the task drawn so far. A task
belongs to exactly one arm (:meth:`Arms.arm_of`); continuous cells are half-open,
``[low, high)``, except the last, which holds the upper bound.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Categorical, Continuous, Integer, Parameter, Task, TaskSpace

MAX_ARMS = 2**18
"""Most arms a partition may have (262,144): the teachers keep one value (and for some
a window of scores) per arm, and every choice looks at all of them."""


def _same_choice(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class Arms(ABC):
    """A finite set of parts of a task space, each a set of tasks drawn uniformly."""

    task_space: TaskSpace

    @property
    @abstractmethod
    def n_arms(self) -> int: ...

    @abstractmethod
    def sample(self, arm: int, rng: np.random.Generator) -> Task:
        """A task drawn uniformly inside ``arm`` (canonical, valid for the task space)."""

    @abstractmethod
    def arm_of(self, task: Task) -> int:
        """The arm holding the canonical ``task``.

        Raises:
            TeachgymUsageError: if no arm holds it (sub-spaces that do not cover the space).
        """

    @abstractmethod
    def label(self, arm: int) -> str:
        """A short human-readable description of ``arm``."""

    def labels(self) -> list[str]:
        return [self.label(arm) for arm in range(self.n_arms)]


def _check_count(n_arms: int, how: str) -> int:
    if n_arms > MAX_ARMS:
        raise TeachgymUsageError(
            f"{how} gives {n_arms:,} arms, more than the {MAX_ARMS:,} a bandit teacher "
            "keeps; give fewer cells per continuous parameter, or list sub-spaces "
            "(subspaces={name: {parameter: [low, high] or choices}})"
        )
    return n_arms


class GridArms(Arms):
    """Every value of each integer and categorical parameter x ``cells`` cells of each
    continuous one. In a conditional task space, each value of a switch is crossed only
    with the parameters that apply under it (so the arms of ``family`` x its own
    parameters number the sum over families, not the product).

    Args:
        task_space: any task space.
        cells: cells per continuous parameter, one number for all or a mapping from
            parameter name to its number (parameters left out: 1, uncut).

    Raises:
        TeachgymUsageError: for a cell count below 1, a name that is not a continuous
            parameter, or more than :data:`MAX_ARMS` arms.
    """

    def __init__(self, task_space: TaskSpace, cells: int | Mapping[str, int] = 10) -> None:
        self.task_space = task_space
        per_parameter = _check_cells(task_space, cells)
        self._axes: list[str] = []
        self._edges: dict[str, np.ndarray] = {}
        sizes: list[int] = []
        for name, parameter in task_space.parameters.items():
            if isinstance(parameter, Continuous):
                count = per_parameter.get(name, 1)
                self._edges[name] = np.linspace(parameter.low, parameter.high, count + 1)
                sizes.append(count)
            elif isinstance(parameter, Integer):
                sizes.append(parameter.high - parameter.low + 1)
            elif isinstance(parameter, Categorical):
                sizes.append(len(parameter.choices))
            else:
                continue
            self._axes.append(name)
        self.shape: tuple[int, ...] = tuple(sizes)
        """Arms per cut parameter, in task-space order (arm = row-major index)."""
        self._branches: list[dict[str, int]] | None = None
        """Conditional spaces: the index of every arm (row-major over what applies)."""
        self._branch_of: dict[tuple[tuple[str, int], ...], int] = {}
        how = f"cutting {task_space!r} this way"
        if task_space.conditions:
            self._branches = self._enumerate_branches(how)
            self._branch_of = {tuple(b.items()): arm for arm, b in enumerate(self._branches)}
            self._n_arms = len(self._branches)
        else:
            self._n_arms = _check_count(math.prod(self.shape), how)

    def _values(self, index: Mapping[str, int]) -> Task:
        """The categorical values an index fixes (what conditions read)."""
        values: Task = {}
        for name, k in index.items():
            parameter = self.task_space.parameters[name]
            if isinstance(parameter, Categorical):
                values[name] = parameter.choices[k]
        return values

    def _enumerate_branches(self, how: str) -> list[dict[str, int]]:
        branches: list[dict[str, int]] = [{}]
        for name, size in zip(self._axes, self.shape, strict=True):
            grown: list[dict[str, int]] = []
            for index in branches:
                if self.task_space.applies(name, self._values(index)):
                    grown.extend({**index, name: k} for k in range(size))
                else:
                    grown.append(index)
                _check_count(len(grown), how)
            branches = grown
        return branches

    @property
    def n_arms(self) -> int:
        return self._n_arms

    def _index(self, arm: int) -> dict[str, int]:
        if not 0 <= arm < self._n_arms:
            raise IndexError(f"arm {arm} out of range [0, {self._n_arms})")
        if self._branches is not None:
            return self._branches[arm]
        if not self._axes:
            return {}
        position = np.unravel_index(arm, self.shape)
        return {name: int(i) for name, i in zip(self._axes, position, strict=True)}

    def sample(self, arm: int, rng: np.random.Generator) -> Task:
        index = self._index(arm)
        task: Task = {}
        for name, parameter in self.task_space.parameters.items():
            if not self.task_space.applies(name, task):
                continue
            if isinstance(parameter, Continuous):
                edges = self._edges[name]
                k = index[name]
                task[name] = _uniform(rng, float(edges[k]), float(edges[k + 1]), k < len(edges) - 2)
            elif isinstance(parameter, Integer):
                task[name] = parameter.low + index[name]
            elif isinstance(parameter, Categorical):
                task[name] = parameter.choices[index[name]]
            else:
                task[name] = parameter.sample(rng)
        return task

    def arm_of(self, task: Task) -> int:
        if not self._axes:
            return 0
        position = []
        axes = [n for n in self._axes if n in task] if self._branches is not None else self._axes
        for name in axes:
            parameter = self.task_space.parameters[name]
            value = task[name]
            if isinstance(parameter, Continuous):
                edges = self._edges[name]
                k = int(np.searchsorted(edges, value, side="right")) - 1
                position.append(min(max(k, 0), len(edges) - 2))
            elif isinstance(parameter, Integer):
                position.append(int(value) - parameter.low)
            else:
                assert isinstance(parameter, Categorical)
                position.append(parameter.index_of(value))
        if self._branches is not None:
            return self._branch_of[tuple(zip(axes, position, strict=True))]
        return int(np.ravel_multi_index(tuple(position), self.shape))

    def label(self, arm: int) -> str:
        index = self._index(arm)
        parts = []
        for name in index:
            parameter = self.task_space.parameters[name]
            k = index[name]
            if isinstance(parameter, Continuous):
                edges = self._edges[name]
                if len(edges) == 2:
                    continue
                close = "]" if k == len(edges) - 2 else ")"
                parts.append(f"{name}=[{edges[k]:.4g}, {edges[k + 1]:.4g}{close}")
            elif isinstance(parameter, Integer):
                parts.append(f"{name}={parameter.low + k}")
            else:
                assert isinstance(parameter, Categorical)
                parts.append(f"{name}={parameter.choices[k]!r}")
        return " ".join(parts) or "all tasks"


def _uniform(rng: np.random.Generator, low: float, high: float, open_high: bool) -> float:
    """A uniform draw in [low, high), or [low, high] for the last cell of a parameter."""
    value = float(rng.uniform(low, high))
    if open_high and value >= high:  # floating-point rounding can reach the upper edge
        value = float(np.nextafter(high, low))
    return min(max(value, low), high)


def _check_cells(task_space: TaskSpace, cells: Any) -> dict[str, int]:
    continuous = [n for n, p in task_space.parameters.items() if isinstance(p, Continuous)]
    if isinstance(cells, Mapping):
        unknown = [n for n in cells if n not in continuous]
        if unknown:
            raise TeachgymUsageError(
                f"cells names {unknown[0]!r}, which is not a continuous parameter of the task "
                f"space (continuous parameters: {continuous})"
            )
        values = dict(cells)
    else:
        values = dict.fromkeys(continuous, cells)
    for name, count in values.items():
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
            raise TeachgymUsageError(
                f"cells of {name!r} must be an integer >= 1 (1 leaves it uncut), got {count!r}"
            )
    return {name: int(count) for name, count in values.items()}


@dataclass(frozen=True)
class _Restriction:
    """What one sub-space allows of one parameter."""

    low: float = 0.0
    high: float = 0.0
    closed_high: bool = False
    """Continuous: the range is [low, high] (the parameter's upper bound), else [low, high)."""
    values: tuple[Any, ...] = ()
    """Integer or categorical: the allowed values."""

    def contains(self, value: Any) -> bool:
        if self.values:
            return any(_same_choice(v, value) for v in self.values)
        return self.low <= value < self.high or (self.closed_high and value == self.high)

    def overlaps(self, other: _Restriction) -> bool:
        if self.values:
            return any(other.contains(v) for v in self.values)
        return max(self.low, other.low) < min(self.high, other.high)


def _restriction(arm: str, name: str, parameter: Parameter, spec: Any) -> _Restriction:
    where = f"sub-space {arm!r}, parameter {name!r}"
    if isinstance(parameter, Continuous):
        if not isinstance(spec, list | tuple) or len(spec) != 2:
            raise TeachgymUsageError(f"{where}: give a [low, high] range, got {spec!r}")
        low, high = (parameter.validate(name, v) for v in spec)
        if not low < high:
            raise TeachgymUsageError(f"{where}: the range needs low < high, got {spec!r}")
        return _Restriction(low=low, high=high, closed_high=high == parameter.high)
    if isinstance(parameter, Integer):
        if isinstance(spec, list | tuple):
            if len(spec) != 2:
                raise TeachgymUsageError(f"{where}: give one integer or [low, high], got {spec!r}")
            low, high = (parameter.validate(name, v) for v in spec)
            if low > high:
                raise TeachgymUsageError(f"{where}: the range needs low <= high, got {spec!r}")
        else:
            low = high = parameter.validate(name, spec)
        return _Restriction(values=tuple(range(low, high + 1)))
    if isinstance(parameter, Categorical):
        chosen = list(spec) if isinstance(spec, list | tuple) else [spec]
        values = tuple(parameter.validate(name, v) for v in chosen)
        if not values or len({parameter.index_of(v) for v in values}) != len(values):
            raise TeachgymUsageError(f"{where}: give distinct choices, got {spec!r}")
        return _Restriction(values=values)
    raise TeachgymUsageError(f"{where}: a {parameter.kind} parameter cannot be restricted")


class SubspaceArms(Arms):
    """Named sub-spaces, each an arm.

    Args:
        task_space: any task space.
        subspaces: arm name -> ``{parameter: restriction}``: a ``[low, high]`` range of a
            continuous parameter (half-open unless ``high`` is the parameter's bound), an
            integer or an inclusive ``[low, high]`` range of an integer parameter, a choice
            or a list of choices of a categorical one. Parameters left out are free.

    Raises:
        TeachgymUsageError: for an empty list, an unknown parameter, a bad restriction, or
            two sub-spaces that share a task.
    """

    def __init__(self, task_space: TaskSpace, subspaces: Mapping[str, Mapping[str, Any]]) -> None:
        self.task_space = task_space
        if not isinstance(subspaces, Mapping) or not subspaces:
            raise TeachgymUsageError(
                "subspaces must be a non-empty mapping {arm name: {parameter: restriction}}, "
                f"got {subspaces!r}"
            )
        self.names: list[str] = []
        self._restrictions: list[dict[str, _Restriction]] = []
        for arm, spec in subspaces.items():
            if not isinstance(arm, str) or not isinstance(spec, Mapping):
                raise TeachgymUsageError(
                    f"sub-space {arm!r} must be named by a string and map parameters to "
                    f"restrictions, got {spec!r}"
                )
            unknown = [n for n in spec if n not in task_space.parameters]
            if unknown:
                raise TeachgymUsageError(
                    f"sub-space {arm!r} restricts {unknown[0]!r}, not a parameter of the task "
                    f"space {task_space.names}"
                )
            self.names.append(arm)
            self._restrictions.append(
                {n: _restriction(arm, n, task_space.parameters[n], v) for n, v in spec.items()}
            )
        _check_count(len(self.names), "this list of sub-spaces")
        for i in range(len(self.names)):
            for j in range(i):
                if self._overlap(i, j):
                    raise TeachgymUsageError(
                        f"sub-spaces {self.names[j]!r} and {self.names[i]!r} share tasks; "
                        "arms must not overlap"
                    )

    def _overlap(self, i: int, j: int) -> bool:
        a, b = self._restrictions[i], self._restrictions[j]
        return all(a[n].overlaps(b[n]) for n in a.keys() & b.keys())

    @property
    def n_arms(self) -> int:
        return len(self.names)

    def sample(self, arm: int, rng: np.random.Generator) -> Task:
        restrictions = self._restrictions[arm]
        task: Task = {}
        for name, parameter in self.task_space.parameters.items():
            if not self.task_space.applies(name, task):
                continue
            restriction = restrictions.get(name)
            if restriction is None:
                task[name] = parameter.sample(rng)
            elif restriction.values:
                task[name] = restriction.values[int(rng.integers(len(restriction.values)))]
            else:
                task[name] = _uniform(
                    rng, restriction.low, restriction.high, not restriction.closed_high
                )
        return task

    def arm_of(self, task: Task) -> int:
        for arm, restrictions in enumerate(self._restrictions):
            if all(n in task and r.contains(task[n]) for n, r in restrictions.items()):
                return arm
        raise TeachgymUsageError(f"task {task} lies in none of the sub-spaces {self.names}")

    def label(self, arm: int) -> str:
        return self.names[arm]


def make_arms(
    task_space: TaskSpace,
    cells: int | Mapping[str, int] = 10,
    subspaces: Mapping[str, Mapping[str, Any]] | None = None,
) -> Arms:
    """:class:`SubspaceArms` if ``subspaces`` is given, else :class:`GridArms`."""
    if subspaces is not None:
        return SubspaceArms(task_space, subspaces)
    return GridArms(task_space, cells)
