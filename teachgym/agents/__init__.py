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


def student_names() -> list[str]:
    return ["simulated", "paired", *sorted(ALGORITHMS)]


def make_student(name: str, env_fn: EnvFn, seed: int = 0, **kwargs: Any) -> Student:
    """Build a student by name; unknown names raise ``ValueError`` listing the known ones."""
    key = name.lower()
    if key == "simulated":
        if kwargs:
            raise TeachgymUsageError(
                f"the simulated student takes no hyperparameters, got {sorted(kwargs)}"
            )
        return SimulatedStudent(env_fn, seed=seed)
    if key == "paired":
        return PairedStudent(env_fn, seed=seed, **kwargs)
    if key in ALGORITHMS:
        return SB3Student(env_fn, algo=key, seed=seed, **kwargs)
    raise TeachgymUsageError(f"unknown student {name!r}; known: {student_names()}")


__all__ = [
    "PairedStudent",
    "RobustPPO",
    "SB3Student",
    "SimulatedStudent",
    "Student",
    "make_student",
    "student_names",
]
