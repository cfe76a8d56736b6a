"""The ``random`` teacher: uniform sampling over the task space (domain randomisation)."""

from __future__ import annotations

from teachgym.tasks import Task
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.registry import register_teacher


@register_teacher
class RandomTeacher(Teacher):
    """Samples every task uniformly at random and learns nothing.

    The baseline of every curriculum paper ("Random" in TeachMyAgent, "domain
    randomisation" in the PLR/ACCEL papers).
    """

    name = "random"

    def _sample(self) -> Task:
        return self.task_space.sample(self.rng)

    def _update(self, task: Task, outcome: Outcome) -> None:
        """Random sampling ignores outcomes."""
