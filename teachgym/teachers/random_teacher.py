"""The ``random`` teacher: uniform sampling over the task space (domain randomisation)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from teachgym.tasks import Task, TaskSpace, check_density
from teachgym.teachers.base import Outcome, Teacher

Sampler = Callable[..., Task]
"""``sampler(rng, **sampler_params) -> task``: a distribution an environment publishes."""


def resolve_sampler(reference: str) -> Sampler:
    """The function a ``"package.module:function"`` reference names.

    Raises:
        ValueError: if the reference is malformed, or names nothing callable.
    """
    if not isinstance(reference, str) or reference.count(":") != 1:
        raise ValueError(
            f"sampler must be a 'package.module:function' reference, got {reference!r}"
        )
    module_name, attribute = reference.split(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"sampler {reference!r} cannot be loaded ({exc})") from None
    if not callable(function):
        raise ValueError(f"sampler {reference!r} is not callable")
    return function


class RandomTeacher(Teacher):
    """Samples every task at random and learns nothing.

    The baseline of every curriculum paper ("Random" in TeachMyAgent, "domain
    randomisation" in the PLR/ACCEL papers).

    Args:
        task_space: any task space.
        seed: seed of the teacher's generator.
        binary_density: if set, each cell of a 0/1 array parameter is 1 with this
            probability (``25 / 169``: the literature's 25-block random mazes on
            average); ``None``: uniform like every other parameter.
        sampler: ``None`` (uniform over the task space) or a ``"package.module:function"``
            reference to a distribution an environment publishes, called as
            ``function(rng, **sampler_params)`` with the teacher's generator; for
            example ``"teachgym.envs.gridworlds.maze:domain_randomisation_maze"``
            (random mazes with exactly 25 walls, the PLR/ACCEL baseline). The teacher
            imports nothing of the environment itself.
        sampler_params: keyword arguments of ``sampler``.
    """

    name = "random"

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        binary_density: float | None = None,
        sampler: str | None = None,
        sampler_params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        self.binary_density = check_density(binary_density, "binary_density")
        if sampler is None and sampler_params:
            raise ValueError("sampler_params needs a sampler; give sampler='package.module:fn'")
        if sampler is not None and binary_density is not None:
            raise ValueError("give either binary_density or a sampler, not both")
        self.sampler = sampler
        self.sampler_params = dict(sampler_params or {})
        self._sampler: Sampler | None = None if sampler is None else resolve_sampler(sampler)

    def _sample(self) -> Task:
        if self._sampler is None:
            return self.task_space.sample(self.rng, binary_density=self.binary_density)
        task = self._sampler(self.rng, **self.sampler_params)
        self.task_space.validate(task)
        return task

    def _update(self, task: Task, outcome: Outcome) -> None:
        """Random sampling ignores outcomes."""
