"""Students: the student protocol, the SB3 adapter and the simulated student.

``make_student(name, env_fn, seed=..., **kwargs)``: ``simulated`` for the
learnability grid, ``paired`` (protagonist + antagonist PPO for the ``paired``
teacher), or an SB3 algorithm name (``ppo``, ``sac``, ``a2c``, ...).
"""

from __future__ import annotations

from typing import Any

from teachgym.agents.paired import PairedStudent
from teachgym.agents.robust_ppo import RobustPPO
from teachgym.agents.sb3_student import ALGORITHMS, SB3Student
from teachgym.agents.simulated import SimulatedStudent
from teachgym.agents.student import EnvFn, Student
from teachgym.errors import TeachgymUsageError
from teachgym.teachers import Teacher


def student_names() -> list[str]:
    return ["simulated", "paired", *sorted(ALGORITHMS)]


def make_student(
    name: str, env_fn: EnvFn, seed: int = 0, teacher: Teacher | None = None, **kwargs: Any
) -> Student:
    """Build a student by name; unknown names raise ``ValueError`` listing the known ones.

    With ``teacher``, a student that cannot serve that teacher's declared capabilities
    (a score it cannot give, robust updates it cannot make) is refused at once with a
    :class:`~teachgym.errors.TeachgymUsageError` naming the fix.
    """
    key = name.lower()
    student: Student
    if key == "simulated":
        if kwargs:
            raise TeachgymUsageError(
                f"the simulated student takes no hyperparameters, got {sorted(kwargs)}"
            )
        student = SimulatedStudent(env_fn, seed=seed)
    elif key == "paired":
        student = PairedStudent(env_fn, seed=seed, **kwargs)
    elif key in ALGORITHMS:
        student = SB3Student(env_fn, algo=key, seed=seed, **kwargs)
    else:
        raise TeachgymUsageError(f"unknown student {name!r}; known: {student_names()}")
    if teacher is not None:
        try:
            student.check_teacher(teacher)
        except TeachgymUsageError:
            student.close()
            raise
    return student


__all__ = [
    "PairedStudent",
    "RobustPPO",
    "SB3Student",
    "SimulatedStudent",
    "Student",
    "make_student",
    "student_names",
]
