"""Teachers: choose tasks to maximise a student's learning progress.

This layer knows task spaces only: it never imports environments, agents or
Stable-Baselines3.
"""

from teachgym.teachers import llm_curriculum, random_teacher
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
    "llm_curriculum",
    "load_teacher",
    "make_teacher",
    "random_teacher",
    "register_teacher",
    "save_teacher",
    "teacher_class",
    "teacher_hyperparameters",
    "teacher_names",
]
