"""Teachers: choose tasks to maximise a student's learning progress.

This layer knows task spaces only: it never imports environments, agents or
Stable-Baselines3. Teachers are registered by name (:func:`teacher_names`) and
their modules are imported when one is built, so importing this package is cheap.
"""

from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.registry import (
    load_teacher,
    make_teacher,
    register_teacher,
    save_teacher,
    teacher_class,
    teacher_hyperparameters,
    teacher_names,
)

__all__ = [
    "Outcome",
    "Teacher",
    "load_teacher",
    "make_teacher",
    "register_teacher",
    "save_teacher",
    "teacher_class",
    "teacher_hyperparameters",
    "teacher_names",
]
