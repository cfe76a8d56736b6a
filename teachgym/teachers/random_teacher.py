"""The ``random`` teacher: uniform sampling over the task space (domain randomisation)."""

from __future__ import annotations

from typing import Any

from teachgym.tasks import Task, TaskSpace, check_density
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.registry import register_teacher


@register_teacher
class RandomTeacher(Teacher):
    """Samples every task uniformly at random and learns nothing.

    The baseline of every curriculum paper ("Random" in TeachMyAgent, "domain
    randomisation" in the PLR/ACCEL papers).

    Args:
        task_space: any task space.
        seed: seed of the teacher's generator.
        binary_density: if set, each cell of a 0/1 array parameter is 1 with this
            probability (``25 / 169``: the literature's 25-block random mazes on
            average); ``None``: uniform like every other parameter.
    """

    name = "random"

    def __init__(
        self, task_space: TaskSpace, seed: int | None = None, binary_density: float | None = None
    ) -> None:
        super().__init__(task_space, seed)
        self.binary_density = check_density(binary_density, "binary_density")

    def hyperparameters(self) -> dict[str, Any]:
        return {**super().hyperparameters(), "binary_density": self.binary_density}

    def _sample(self) -> Task:
        return self.task_space.sample(self.rng, binary_density=self.binary_density)

    def _update(self, task: Task, outcome: Outcome) -> None:
        """Random sampling ignores outcomes."""
