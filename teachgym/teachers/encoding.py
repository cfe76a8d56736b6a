"""Tasks as points of the unit box, for the teachers that model a box (ALP-GMM, Covar-GMM, RIAC).

Continuous and integer parameters are one dimension each, normalised to [0, 1]
(:meth:`TaskSpace.to_vector`). A categorical parameter has no numeric form of its
own, so these teachers refuse it unless the user chooses one explicitly with
``categorical_encoding``:

- ``"ordinal"``: one dimension, the choice's index / (k - 1), decoded to the nearest
  index. Cheap, but it invents an order (and distances) between the choices: use it
  when the choices are ordered (difficulty levels).
- ``"one-hot"``: k dimensions, 1 for the choice and 0 elsewhere, decoded to the
  choice of the largest coordinate (the first on ties). No order is invented; the
  box grows by k - 1 dimensions.

A fixed parameter takes no dimension (teachers hold it at its value). Array
parameters are always refused. In a conditional task space a parameter that
does not apply to a task is encoded as 0.5 in each of its dimensions, and decoding
skips it.
"""

from __future__ import annotations

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Categorical, Continuous, Fixed, Integer, Task, TaskSpace

CATEGORICAL_ENCODINGS = ("one-hot", "ordinal")


class TaskEncoding:
    """Canonical tasks <-> vectors of ``dim`` numbers in [0, 1].

    Args:
        task_space: continuous, integer and (with an encoding) categorical parameters.
        categorical_encoding: ``None`` (categorical parameters refused), ``"one-hot"`` or
            ``"ordinal"``.
        who: the teacher, for error messages.

    Raises:
        TeachgymUsageError: for an array parameter, a categorical parameter without an
            encoding (the message names the option), or an unknown encoding.
    """

    def __init__(self, task_space: TaskSpace, categorical_encoding: str | None, who: str) -> None:
        if categorical_encoding is not None and categorical_encoding not in CATEGORICAL_ENCODINGS:
            raise TeachgymUsageError(
                f"{who}: categorical_encoding must be None, 'one-hot' or 'ordinal', got "
                f"{categorical_encoding!r}"
            )
        for name, parameter in task_space.parameters.items():
            if isinstance(parameter, Continuous | Fixed | Integer):
                continue
            if isinstance(parameter, Categorical) and categorical_encoding is None:
                raise TeachgymUsageError(
                    f"{who} works on continuous and integer parameters only; parameter "
                    f"{name!r} is categorical ({parameter.allowed}): pass "
                    "categorical_encoding='one-hot' or 'ordinal' to encode it"
                )
            if not isinstance(parameter, Categorical):
                raise TeachgymUsageError(
                    f"{who} works on continuous and integer parameters only; parameter "
                    f"{name!r} is {parameter.kind} ({parameter.allowed}), which it cannot encode"
                )
        self.task_space = task_space
        self.categorical_encoding = categorical_encoding
        self._one_hot = categorical_encoding == "one-hot" and any(
            isinstance(p, Categorical) for p in task_space.parameters.values()
        )
        self._slices: dict[str, slice] = {}
        start = 0
        for name, parameter in task_space.parameters.items():
            one_hot = self._one_hot and isinstance(parameter, Categorical)
            width = len(parameter.choices) if isinstance(parameter, Categorical) and one_hot else 1
            width = 0 if isinstance(parameter, Fixed) else width
            self._slices[name] = slice(start, start + width)
            start += width
        self.dim: int = start
        """Length of the encoded vectors."""

    def encode(self, task: Task) -> np.ndarray:
        """A canonical task -> float64 vector of shape ``(dim,)`` in [0, 1]."""
        if not self._one_hot:
            return self.task_space.to_vector(task).astype(np.float64)
        out = np.full(self.dim, 0.5, dtype=np.float32)  # float32, as TaskSpace.to_vector
        for name, parameter in self.task_space.parameters.items():
            if not self.task_space.applies(name, task):
                continue
            where = self._slices[name]
            if isinstance(parameter, Categorical):
                out[where] = 0.0
                out[where.start + parameter.index_of(task[name])] = 1.0
            else:
                out[where] = parameter.to_unit(task[name])
        return out.astype(np.float64)

    def decode(self, vector: np.ndarray) -> Task:
        """A vector of shape ``(dim,)`` (clipped to [0, 1]) -> a canonical task."""
        array = np.clip(np.asarray(vector, dtype=np.float64), 0.0, 1.0)
        if not self._one_hot:
            return self.task_space.from_vector(array)
        task: Task = {}
        for name, parameter in self.task_space.parameters.items():
            if not self.task_space.applies(name, task):
                continue
            segment = array[self._slices[name]]
            if isinstance(parameter, Categorical):
                task[name] = parameter.choices[int(np.argmax(segment))]
            else:
                task[name] = parameter.from_unit(segment)
        return task
