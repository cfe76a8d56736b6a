"""Tasks as sequences, the input and output of CLUTR's recurrent VAE.

CLUTR (docs/references.md [azad2023]) encodes a level as a sequence and removes the
permutation symmetry of its placements by sorting them: the same maze built in any
order is one sequence. Two codecs, chosen by the task space (:func:`level_codec`):

- :class:`TokenCodec`, for a space with one binary :class:`~teachgym.tasks.IntArray` (a
  wall map) whose other parameters are integers or categories (a maze): the wall cells
  in ascending order (row-major cell index), padded to ``max_walls`` with a padding
  token, then one token per other parameter (e.g. agent and goal coordinates, the
  agent's direction), in the space's order. Each position allows only its own tokens,
  so a decoder that picks among the allowed tokens always yields a valid task.
- :class:`VectorCodec`, for every other space (numeric spaces above all): the
  normalised parameter vector (:meth:`~teachgym.tasks.TaskSpace.to_vector`), one value
  in [0, 1] per step.

Each codec also draws the random tasks the VAE trains on (:meth:`random_task`): for
mazes a uniform number of walls in ``[0, max_walls]`` on distinct uniform cells (the
levels PAIRED's adversary can build with ``max_walls`` placements) and uniform other
parameters; for numeric spaces a uniform task.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachgym.tasks import Categorical, IntArray, Integer, Parameter, Task, TaskSpace


def _binary_arrays(task_space: TaskSpace) -> list[str]:
    return [
        name
        for name, p in task_space.parameters.items()
        if isinstance(p, IntArray) and (p.low, p.high) == (0, 1)
    ]


class TokenCodec:
    """A wall map and discrete parameters as a sequence of tokens (module docstring).

    Args:
        task_space: one binary IntArray plus Integer / Categorical parameters, no conditions.
        max_walls: wall tokens in the sequence (levels with more walls cannot be encoded).

    Attributes:
        length: tokens per task, ``max_walls + number of other parameters``.
        vocabulary: token values are in ``[0, vocabulary)``; ``pad`` (the cell count)
            marks an unused wall slot.
        allowed: bool ``(length, vocabulary)``, the tokens each position may hold.
    """

    kind = "tokens"

    def __init__(self, task_space: TaskSpace, max_walls: int) -> None:
        arrays = _binary_arrays(task_space)
        others = {n: p for n, p in task_space.parameters.items() if n not in arrays}
        discrete = all(isinstance(p, Integer | Categorical) for p in others.values())
        if len(arrays) != 1 or not discrete or task_space.conditions:
            raise ValueError(
                "a token sequence needs one binary IntArray (a wall map) and integer or "
                f"categorical other parameters, without conditions; got {task_space!r}"
            )
        self.task_space = task_space
        self.wall_name = arrays[0]
        wall = task_space.parameters[self.wall_name]
        assert isinstance(wall, IntArray)
        self.shape = wall.shape
        self.cells = wall.width
        if not 0 < max_walls <= self.cells:
            raise ValueError(f"max_walls must be in [1, {self.cells}], got {max_walls}")
        self.max_walls = max_walls
        self.others: dict[str, Parameter] = others
        self.pad = self.cells
        sizes = [self._size(p) for p in others.values()]
        self.length = max_walls + len(sizes)
        self.vocabulary = max([self.cells + 1, *sizes])
        self.allowed = np.zeros((self.length, self.vocabulary), dtype=bool)
        self.allowed[:max_walls, : self.cells + 1] = True
        for offset, size in enumerate(sizes):
            self.allowed[max_walls + offset, :size] = True

    @staticmethod
    def _size(parameter: Parameter) -> int:
        if isinstance(parameter, Integer):
            return parameter.high - parameter.low + 1
        assert isinstance(parameter, Categorical)
        return len(parameter.choices)

    def encode(self, task: Task) -> np.ndarray:
        """int64 ``(length,)``: the sorted wall cells, padding, the other parameters."""
        walls = np.flatnonzero(np.asarray(task[self.wall_name]).ravel())
        if walls.size > self.max_walls:
            raise ValueError(f"the level has {walls.size} walls, the codec {self.max_walls}")
        tokens = np.full(self.length, self.pad, dtype=np.int64)
        tokens[: walls.size] = walls  # flatnonzero is ascending: the sorted placements
        for offset, (name, parameter) in enumerate(self.others.items()):
            value = task[name]
            if isinstance(parameter, Integer):
                tokens[self.max_walls + offset] = int(value) - parameter.low
            else:
                assert isinstance(parameter, Categorical)
                tokens[self.max_walls + offset] = parameter.choices.index(value)
        return tokens

    def decode(self, tokens: np.ndarray) -> Task:
        """The task of a token sequence (each token allowed at its position)."""
        tokens = np.asarray(tokens, dtype=np.int64)
        walls = np.zeros(self.cells, dtype=np.int64)
        placed = tokens[: self.max_walls]
        walls[placed[placed < self.cells]] = 1
        task: Task = {}
        for offset, (name, parameter) in enumerate(self.others.items()):
            index = int(tokens[self.max_walls + offset])
            if isinstance(parameter, Integer):
                task[name] = parameter.low + index
            else:
                assert isinstance(parameter, Categorical)
                task[name] = parameter.choices[index]
        task[self.wall_name] = walls.reshape(self.shape).tolist()
        return {name: task[name] for name in self.task_space.names}

    def random_task(self, rng: np.random.Generator) -> Task:
        """A uniform number of walls in [0, max_walls] on distinct cells; the rest uniform."""
        count = int(rng.integers(0, self.max_walls, endpoint=True))
        walls = np.zeros(self.cells, dtype=np.int64)
        walls[rng.choice(self.cells, size=count, replace=False)] = 1
        task: Task = {name: p.sample(rng) for name, p in self.others.items()}
        task[self.wall_name] = walls.reshape(self.shape).tolist()
        return {name: task[name] for name in self.task_space.names}

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "max_walls": self.max_walls}


class VectorCodec:
    """A task as its normalised vector, one value in [0, 1] per step."""

    kind = "scalars"

    def __init__(self, task_space: TaskSpace) -> None:
        self.task_space = task_space
        self.length = task_space.dim

    def encode(self, task: Task) -> np.ndarray:
        """float32 ``(length,)`` in [0, 1]."""
        return self.task_space.to_vector(task)

    def decode(self, values: np.ndarray) -> Task:
        """The task of a vector (clipped to [0, 1])."""
        return self.task_space.from_vector(np.asarray(values, dtype=np.float64))

    def random_task(self, rng: np.random.Generator) -> Task:
        return self.task_space.sample(rng)

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind}


LevelCodec = TokenCodec | VectorCodec


MAX_WALLS = 50
"""Default wall tokens: PAIRED's adversary places 50 walls."""


def level_codec(task_space: TaskSpace, max_walls: int | None = None) -> LevelCodec:
    """The codec of ``task_space``: tokens for one wall map with discrete parameters and
    no conditions (``max_walls``: wall tokens; ``None``: :data:`MAX_WALLS`, or every
    cell of a smaller map), the normalised vector otherwise."""
    arrays = _binary_arrays(task_space)
    others = [p for n, p in task_space.parameters.items() if n not in arrays]
    discrete = all(isinstance(p, Integer | Categorical) for p in others)
    if len(arrays) == 1 and discrete and not task_space.conditions:
        if max_walls is None:
            max_walls = min(MAX_WALLS, task_space.parameters[arrays[0]].width)
        return TokenCodec(task_space, max_walls)
    return VectorCodec(task_space)
