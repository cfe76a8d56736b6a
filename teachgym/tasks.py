"""Task spaces: named generation parameters, validation, vectorisation, test sets.

A *task* is a plain ``dict`` from parameter name to value (``float`` for continuous
parameters, ``int`` for integers, the choice itself for categoricals, nested lists
for arrays). It survives a JSON round trip unchanged. The reserved key
``level_seed`` (a non-negative ``int``) pins an environment's procedural content.

Teachers that work on vectors use :meth:`TaskSpace.to_vector` and
:meth:`TaskSpace.from_vector`: every dimension is normalised to [0, 1] in a
``float32`` vector. Integers and categoricals are rounded back exactly;
continuous values come back to float32 precision (about 1e-7 of the range).

A space may be *conditional*: a parameter declared with :class:`When` applies only
when a categorical parameter before it (its switch) takes one of some values, e.g.
``size`` only when ``family`` is ``"DoorKey"``. A canonical task holds exactly the
parameters that apply to it; validation drops the others if they are given. Every
parameter keeps its place in the vector, and a parameter that does not apply reads
0.5 in each of its dimensions.
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

import numpy as np
from gymnasium import spaces

from teachgym.errors import TeachgymUsageError

Task: TypeAlias = dict[str, Any]
"""A task: parameter name -> value (plus the optional ``level_seed``)."""

LEVEL_SEED = "level_seed"
"""Reserved task key: a non-negative integer that pins procedural content."""

NO_EDIT = "no-op"
"""The edit that changes nothing, as named in the edit weights an environment publishes
for level-mutating teachers (``TaskEnv.edit_weights``)."""

_MAX_LEVEL_SEED = 2**63 - 1


def _fail(name: str, allowed: str, value: Any) -> TeachgymUsageError:
    return TeachgymUsageError(f"task parameter {name!r} must be {allowed}, got {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float | np.floating)


def _real_in(name: str, value: Any, low: float, high: float, allowed: str) -> float:
    """``value`` as a float in [low, high], else the one-line error naming ``name``."""
    if not _is_real(value):
        raise _fail(name, allowed, value)
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range, e.g. 10**400
        raise _fail(name, allowed, value) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise _fail(name, allowed, value)
    return number


@dataclass(frozen=True)
class Parameter(ABC):
    """Base of the parameter kinds. ``width`` is the number of vector dimensions."""

    kind: ClassVar[str] = ""

    @property
    def width(self) -> int:
        return 1

    @property
    @abstractmethod
    def allowed(self) -> str: ...

    @abstractmethod
    def validate(self, name: str, value: Any) -> Any:
        """Return the canonical (JSON-ready) form of ``value`` or raise ``ValueError``."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any: ...

    @abstractmethod
    def to_unit(self, value: Any) -> np.ndarray:
        """Canonical value -> float64 array of ``width`` numbers in [0, 1]."""

    @abstractmethod
    def from_unit(self, unit: np.ndarray) -> Any:
        """``width`` numbers (clipped to [0, 1]) -> canonical value."""

    @abstractmethod
    def grid(self, n: int) -> list[Any]:
        """Up to ``n`` evenly spread values (all choices for a categorical)."""

    @abstractmethod
    def gym_space(self) -> spaces.Space[Any]: ...

    @abstractmethod
    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Continuous(Parameter):
    """A real number in the closed range [low, high]."""

    low: float
    high: float
    kind: ClassVar[str] = "continuous"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"Continuous needs finite low < high, got [{self.low}, {self.high}]")

    @property
    def allowed(self) -> str:
        return f"a real number in [{self.low}, {self.high}]"

    def validate(self, name: str, value: Any) -> float:
        return _real_in(name, value, self.low, self.high, self.allowed)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def to_unit(self, value: Any) -> np.ndarray:
        return np.array([(value - self.low) / (self.high - self.low)])

    def from_unit(self, unit: np.ndarray) -> float:
        u = min(max(float(unit[0]), 0.0), 1.0)
        return min(max(self.low + u * (self.high - self.low), self.low), self.high)

    def grid(self, n: int) -> list[Any]:
        if n == 1:
            return [(self.low + self.high) / 2]
        return [float(v) for v in np.linspace(self.low, self.high, n)]

    def gym_space(self) -> spaces.Box:
        return spaces.Box(self.low, self.high, shape=(), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Fixed(Parameter):
    """A real number teachers hold at ``value`` but a task may set anywhere in [low, high].

    It takes no room in the task vector (``width`` 0), so vector-based teachers never vary
    it and sample ``value``; tasks written by hand (test sets) may use other values in
    the range. For benchmarks that fix a dimension of the space they evaluate beyond it
    (TeachMyAgent's Parkour trains at one terrain scale and tests at two).
    """

    value: float
    low: float
    high: float
    kind: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        bounds = (self.value, self.low, self.high)
        if not all(math.isfinite(v) for v in bounds) or not self.low <= self.value <= self.high:
            raise ValueError(f"Fixed needs finite low <= value <= high, got {bounds}")

    @property
    def width(self) -> int:
        return 0

    @property
    def allowed(self) -> str:
        return f"a real number in [{self.low}, {self.high}] (teachers use {self.value})"

    def validate(self, name: str, value: Any) -> float:
        return _real_in(name, value, self.low, self.high, self.allowed)

    def sample(self, rng: np.random.Generator) -> float:
        return float(self.value)

    def to_unit(self, value: Any) -> np.ndarray:
        return np.zeros(0)

    def from_unit(self, unit: np.ndarray) -> float:
        return float(self.value)

    def grid(self, n: int) -> list[Any]:
        return [float(self.value)]

    def gym_space(self) -> spaces.Box:
        return spaces.Box(self.low, self.high, shape=(), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Integer(Parameter):
    """An integer in the closed range [low, high]."""

    low: int
    high: int
    kind: ClassVar[str] = "integer"

    def __post_init__(self) -> None:
        if not (_is_int(self.low) and _is_int(self.high) and self.low <= self.high):
            raise ValueError(f"Integer needs integers low <= high, got [{self.low}, {self.high}]")

    @property
    def allowed(self) -> str:
        return f"an integer in [{self.low}, {self.high}]"

    def validate(self, name: str, value: Any) -> int:
        if not _is_int(value) or not self.low <= int(value) <= self.high:
            raise _fail(name, self.allowed, value)
        return int(value)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high, endpoint=True))

    def to_unit(self, value: Any) -> np.ndarray:
        span = self.high - self.low
        return np.array([0.5 if span == 0 else (value - self.low) / span])

    def from_unit(self, unit: np.ndarray) -> int:
        u = min(max(float(unit[0]), 0.0), 1.0)
        return round(self.low + u * (self.high - self.low))

    def grid(self, n: int) -> list[Any]:
        if n == 1:
            return [round((self.low + self.high) / 2)]
        return sorted({round(v) for v in np.linspace(self.low, self.high, n)})

    def gym_space(self) -> spaces.Discrete:
        return spaces.Discrete(self.high - self.low + 1, start=self.low)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Categorical(Parameter):
    """One of a fixed tuple of JSON scalars (str, int, float or bool)."""

    choices: tuple[Any, ...]
    kind: ClassVar[str] = "categorical"

    def __post_init__(self) -> None:
        if len(self.choices) == 0 or len(set(self.choices)) != len(self.choices):
            raise ValueError(f"Categorical needs distinct choices, got {self.choices!r}")
        if not all(isinstance(c, str | int | float | bool) for c in self.choices):
            raise ValueError(f"Categorical choices must be str/int/float/bool: {self.choices!r}")
        object.__setattr__(self, "choices", tuple(self.choices))

    @property
    def allowed(self) -> str:
        return f"one of {list(self.choices)!r}"

    def _index(self, value: Any) -> int | None:
        for i, choice in enumerate(self.choices):
            if type(choice) is type(value) and choice == value:
                return i
        return None

    def index_of(self, value: Any) -> int:
        """The position of ``value`` among the choices (of the same type: ``True`` is not
        ``1``); ``TeachgymUsageError`` if it is none of them."""
        index = self._index(value)
        if index is None:
            raise TeachgymUsageError(f"{value!r} is not one of {list(self.choices)!r}")
        return index

    def validate(self, name: str, value: Any) -> Any:
        if isinstance(value, np.generic):
            value = value.item()
        index = self._index(value)
        if index is None:
            raise _fail(name, self.allowed, value)
        return self.choices[index]

    def sample(self, rng: np.random.Generator) -> Any:
        return self.choices[int(rng.integers(len(self.choices)))]

    def to_unit(self, value: Any) -> np.ndarray:
        index = self._index(value)
        assert index is not None
        k = len(self.choices)
        return np.array([0.5 if k == 1 else index / (k - 1)])

    def from_unit(self, unit: np.ndarray) -> Any:
        u = min(max(float(unit[0]), 0.0), 1.0)
        return self.choices[round(u * (len(self.choices) - 1))]

    def grid(self, n: int) -> list[Any]:
        return list(self.choices)

    def gym_space(self) -> spaces.Discrete:
        return spaces.Discrete(len(self.choices))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "choices": list(self.choices)}


@dataclass(frozen=True)
class IntArray(Parameter):
    """A fixed-shape array of integers in [low, high] (binary by default, e.g. a wall map).

    The canonical value is a nested list of ints of exactly ``shape``.
    """

    shape: tuple[int, ...]
    low: int = 0
    high: int = 1
    kind: ClassVar[str] = "int_array"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        if not self.shape or any(s <= 0 for s in self.shape) or self.low >= self.high:
            raise ValueError(f"IntArray needs a positive shape and low < high: {self}")

    @property
    def width(self) -> int:
        return int(np.prod(self.shape))

    @property
    def allowed(self) -> str:
        return f"an integer array of shape {self.shape} with values in [{self.low}, {self.high}]"

    def validate(self, name: str, value: Any) -> list[Any]:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            raise _fail(name, self.allowed, value) from None
        if array.shape != self.shape:
            raise _fail(name, self.allowed, f"an array of shape {array.shape}")
        if array.dtype == np.bool_ or (
            array.dtype.kind == "f"
            and np.all(np.isfinite(array))
            and np.all(array == np.round(array))
        ):
            array = array.astype(np.int64)
        if array.dtype.kind not in "iu":
            raise _fail(name, self.allowed, f"an array of dtype {array.dtype}")
        if array.min() < self.low or array.max() > self.high:
            raise _fail(name, self.allowed, f"values in [{array.min()}, {array.max()}]")
        result: list[Any] = array.astype(np.int64).tolist()
        return result

    def sample(self, rng: np.random.Generator) -> list[Any]:
        result: list[Any] = rng.integers(
            self.low, self.high, size=self.shape, endpoint=True
        ).tolist()
        return result

    def to_unit(self, value: Any) -> np.ndarray:
        return (np.asarray(value, dtype=np.float64).ravel() - self.low) / (self.high - self.low)

    def from_unit(self, unit: np.ndarray) -> list[Any]:
        u = np.clip(np.asarray(unit, dtype=np.float64), 0.0, 1.0)
        values = np.rint(self.low + u * (self.high - self.low)).astype(np.int64)
        result: list[Any] = values.reshape(self.shape).tolist()
        return result

    def grid(self, n: int) -> list[Any]:
        raise ValueError(
            f"an {self.allowed} has no grid; use TaskSpace.uniform_set for a random test set"
        )

    def gym_space(self) -> spaces.Box:
        return spaces.Box(self.low, self.high, shape=self.shape, dtype=np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "shape": list(self.shape), "low": self.low, "high": self.high}


@dataclass(frozen=True)
class When:
    """The condition under which a parameter applies: the categorical parameter
    ``switch`` (declared before it) takes one of ``values``."""

    switch: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        values = (self.values,) if isinstance(self.values, str) else tuple(self.values)
        object.__setattr__(self, "values", values)

    def holds(self, task: Mapping[str, Any]) -> bool:
        """Whether ``task`` sets the switch to one of the values."""
        if self.switch not in task:
            return False
        value = task[self.switch]
        return any(type(v) is type(value) and v == value for v in self.values)

    def describe(self) -> str:
        shown = repr(self.values[0]) if len(self.values) == 1 else f"one of {list(self.values)!r}"
        return f"{self.switch!r} is {shown}"

    def to_dict(self) -> dict[str, Any]:
        return {"switch": self.switch, "values": list(self.values)}


_KINDS: dict[str, type[Parameter]] = {
    cls.kind: cls for cls in (Continuous, Fixed, Integer, Categorical, IntArray)
}


def check_density(value: Any, name: str) -> float | None:
    """``value`` as a probability of a 1 in a 0/1 array, or ``None``.

    Raises:
        ValueError: naming ``name``, unless ``value`` is ``None`` or a number in [0, 1].
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise TeachgymUsageError(f"{name} must be in [0, 1] or None, got {value!r}")
    return float(value)


class TaskSpace:
    """Named task parameters with validation, sampling, vectorisation and test sets.

    Args:
        parameters: ordered mapping from parameter name to its kind
            (:class:`Continuous`, :class:`Integer`, :class:`Categorical`,
            :class:`IntArray`). The order fixes the vector layout.
        conditions: parameter name -> :class:`When` it applies (module docstring); a
            parameter without one always applies. A switch is a categorical parameter
            declared before the parameters it conditions (it may itself be conditional).
    """

    def __init__(
        self, parameters: Mapping[str, Parameter], conditions: Mapping[str, When] | None = None
    ) -> None:
        if not parameters:
            raise ValueError("a TaskSpace needs at least one parameter")
        for name, parameter in parameters.items():
            if not isinstance(name, str) or not name or name == LEVEL_SEED:
                raise ValueError(f"invalid parameter name {name!r} ({LEVEL_SEED!r} is reserved)")
            if not isinstance(parameter, Parameter):
                raise TypeError(f"parameter {name!r} must be a Parameter, got {parameter!r}")
        self.parameters: dict[str, Parameter] = dict(parameters)
        self._slices: dict[str, slice] = {}
        start = 0
        for name, parameter in self.parameters.items():
            self._slices[name] = slice(start, start + parameter.width)
            start += parameter.width
        self.dim: int = start
        """Length of the normalised vector."""
        self.conditions: dict[str, When] = self._check_conditions(conditions or {})
        """Parameter name -> the :class:`When` under which it applies."""

    def _check_conditions(self, conditions: Mapping[str, When]) -> dict[str, When]:
        order = self.names
        for name, when in conditions.items():
            if name not in self.parameters:
                raise ValueError(f"condition on unknown parameter {name!r}; parameters: {order}")
            if not isinstance(when, When):
                raise TypeError(f"the condition of {name!r} must be a When, got {when!r}")
            switch = self.parameters.get(when.switch)
            if not isinstance(switch, Categorical) or order.index(when.switch) >= order.index(name):
                raise ValueError(
                    f"parameter {name!r} is conditioned on {when.switch!r}, which must be a "
                    "categorical parameter declared before it"
                )
            wrong = [v for v in when.values if switch._index(v) is None]
            if not when.values or wrong:
                raise ValueError(
                    f"the condition of {name!r} needs values among {list(switch.choices)!r}, "
                    f"got {list(when.values)!r}"
                )
        return {name: conditions[name] for name in order if name in conditions}

    # -- basics ---------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self.parameters)

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={p!r}" for n, p in self.parameters.items())
        return f"TaskSpace({inner})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TaskSpace)
            and self.parameters == other.parameters
            and self.conditions == other.conditions
        )

    def __hash__(self) -> int:
        return hash((tuple(self.parameters.items()), tuple(self.conditions.items())))

    def describe(self) -> list[str]:
        """One human-readable line per parameter."""
        return [
            f"{name}: {p.allowed}"
            + (f" (when {self.conditions[name].describe()})" if name in self.conditions else "")
            for name, p in self.parameters.items()
        ]

    # -- conditions -----------------------------------------------------------
    def applies(self, name: str, task: Mapping[str, Any]) -> bool:
        """Whether parameter ``name`` applies to ``task`` (its switches' values in ``task``)."""
        when = self.conditions.get(name)
        return when is None or (when.holds(task) and self.applies(when.switch, task))

    def active_names(self, task: Mapping[str, Any]) -> list[str]:
        """The parameters that apply to ``task``, in order."""
        return [name for name in self.parameters if self.applies(name, task)]

    def conform(self, task: Mapping[str, Any], rng: np.random.Generator) -> Task:
        """``task`` with the parameters that do not apply removed and those that apply
        but are missing drawn uniformly from ``rng`` (e.g. after its switch was edited);
        values are not checked and ``level_seed`` is kept."""
        out: Task = {}
        for name, parameter in self.parameters.items():
            if self.applies(name, out):
                out[name] = task[name] if name in task else parameter.sample(rng)
        if LEVEL_SEED in task:
            out[LEVEL_SEED] = task[LEVEL_SEED]
        return out

    # -- validation -----------------------------------------------------------
    def validate(self, task: Mapping[str, Any]) -> Task:
        """Check ``task`` and return its canonical copy (parameters that do not apply to
        it, in a conditional space, are dropped unchecked).

        Raises:
            ValueError: naming the parameter, its allowed range and the value,
                for an unknown or missing name, a wrong type or shape, NaN/inf,
                or a value out of range.
        """
        if not isinstance(task, Mapping):
            raise TeachgymUsageError(f"a task must be a dict of parameter values, got {task!r}")
        unknown = [k for k in task if k not in self.parameters and k != LEVEL_SEED]
        if unknown:
            raise TeachgymUsageError(
                f"unknown task parameter {unknown[0]!r}; this task space has {self.names}"
                f" (plus the optional {LEVEL_SEED!r})"
            )
        canonical: Task = {}
        for name, parameter in self.parameters.items():
            if not self.applies(name, canonical):
                continue  # a parameter of another branch: ignored
            if name not in task:
                when = self.conditions.get(name)
                raise TeachgymUsageError(
                    f"task parameter {name!r} is missing; it must be {parameter.allowed}"
                    + (f" (it applies when {when.describe()})" if when else "")
                )
            canonical[name] = parameter.validate(name, task[name])
        if LEVEL_SEED in task:
            seed = task[LEVEL_SEED]
            if seed is not None:
                if not _is_int(seed) or not 0 <= int(seed) <= _MAX_LEVEL_SEED:
                    raise _fail(LEVEL_SEED, f"an integer in [0, {_MAX_LEVEL_SEED}]", seed)
                canonical[LEVEL_SEED] = int(seed)
        return canonical

    def contains(self, task: Mapping[str, Any]) -> bool:
        try:
            self.validate(task)
        except ValueError:
            return False
        return True

    # -- sampling -------------------------------------------------------------
    def sample(self, rng: np.random.Generator, binary_density: float | None = None) -> Task:
        """A uniform random task (no ``level_seed``).

        Args:
            rng: the generator to draw from.
            binary_density: if set, each cell of a 0/1 :class:`IntArray` is 1 with this
                probability instead of 1/2 (sparse wall maps: 25/169 gives the 25-block
                mazes of the literature on average); other parameters stay uniform.
        """
        check_density(binary_density, "binary_density")
        task: Task = {}
        for name, parameter in self.parameters.items():
            if not self.applies(name, task):
                continue
            binary = isinstance(parameter, IntArray) and (parameter.low, parameter.high) == (0, 1)
            if binary and binary_density is not None:
                cells = np.less(rng.random(parameter.shape), binary_density)  # type: ignore[attr-defined]
                task[name] = cells.astype(np.int64).tolist()
            else:
                task[name] = parameter.sample(rng)
        return task

    # -- vectors --------------------------------------------------------------
    def to_vector(self, task: Mapping[str, Any]) -> np.ndarray:
        """Canonical task -> float32 vector of shape ``(dim,)`` in [0, 1] (no ``level_seed``);
        the dimensions of a parameter that does not apply to the task are 0.5."""
        out = np.empty(self.dim, dtype=np.float32)
        for name, parameter in self.parameters.items():
            if self.applies(name, task):
                out[self._slices[name]] = parameter.to_unit(task[name])
            else:
                out[self._slices[name]] = 0.5
        return out

    def from_vector(self, vector: np.ndarray | Sequence[float]) -> Task:
        """Vector of shape ``(dim,)`` -> canonical task; values are clipped to [0, 1] first."""
        array = np.asarray(vector, dtype=np.float64)
        if array.shape != (self.dim,):
            raise TeachgymUsageError(f"expected a vector of shape ({self.dim},), got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise TeachgymUsageError(f"a task vector must be finite, got {array.tolist()}")
        task: Task = {}
        for name, parameter in self.parameters.items():
            if self.applies(name, task):
                task[name] = parameter.from_unit(array[self._slices[name]])
        return task

    def slice_of(self, name: str) -> slice:
        """The vector positions of parameter ``name``."""
        return self._slices[name]

    # -- test sets ------------------------------------------------------------
    def grid(self, n: int) -> list[Task]:
        """Full grid: ``n`` evenly spaced values per continuous/integer parameter
        (endpoints included; deduplicated for small integer ranges), every choice of a
        categorical. Row-major in parameter order; in a conditional space, each choice of
        a switch is crossed with the parameters that apply under it only."""
        if n < 1:
            raise ValueError(f"grid needs n >= 1, got {n}")
        if not self.conditions:
            axes = [p.grid(n) for p in self.parameters.values()]
            return [dict(zip(self.names, combo, strict=True)) for combo in itertools.product(*axes)]
        tasks: list[Task] = [{}]
        for name, parameter in self.parameters.items():
            values = parameter.grid(n)
            expanded: list[Task] = []
            for task in tasks:
                if self.applies(name, task):
                    expanded.extend({**task, name: value} for value in values)
                else:
                    expanded.append(task)
            tasks = expanded
        return tasks

    def uniform_set(self, n: int, seed: int) -> list[Task]:
        """``n`` uniform tasks drawn from a generator seeded with ``seed``."""
        rng = np.random.default_rng(seed)
        return [self.sample(rng) for _ in range(n)]

    # -- other views ----------------------------------------------------------
    def gym_space(self) -> spaces.Dict:
        """A ``gymnasium.spaces.Dict`` view (categoricals as their choice index; every
        parameter of a conditional space, whether it applies or not)."""
        return spaces.Dict({n: p.gym_space() for n, p in self.parameters.items()})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description; :meth:`from_dict` inverts it."""
        out = {name: p.to_dict() for name, p in self.parameters.items()}
        for name, when in self.conditions.items():
            out[name]["when"] = when.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Any]]) -> TaskSpace:
        parameters: dict[str, Parameter] = {}
        conditions: dict[str, When] = {}
        for name, spec in data.items():
            spec = dict(spec)
            when = spec.pop("when", None)
            if when is not None:
                conditions[name] = When(when["switch"], tuple(when["values"]))
            kind = spec.pop("kind", None)
            if kind not in _KINDS:
                raise ValueError(
                    f"parameter {name!r}: unknown kind {kind!r}; known: {list(_KINDS)}"
                )
            if kind == Categorical.kind:
                parameters[name] = Categorical(tuple(spec["choices"]))
            elif kind == IntArray.kind:
                parameters[name] = IntArray(tuple(spec["shape"]), spec["low"], spec["high"])
            elif kind == Fixed.kind:
                parameters[name] = Fixed(spec["value"], spec["low"], spec["high"])
            else:
                parameters[name] = _KINDS[kind](spec["low"], spec["high"])  # type: ignore[call-arg]
        return cls(parameters, conditions)

    def require_numeric(self, who: str) -> None:
        """Raise ``ValueError`` if any parameter is categorical or an array (fixed ones are fine).

        For teachers that model the task space as a continuous box (ALP-GMM, RIAC, ...).
        """
        for name, parameter in self.parameters.items():
            if not isinstance(parameter, Continuous | Fixed | Integer):
                raise ValueError(
                    f"{who} works on continuous and integer parameters only; parameter "
                    f"{name!r} is {parameter.kind} ({parameter.allowed})"
                )
