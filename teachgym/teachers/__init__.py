"""Teachers: choose tasks to maximise a student's learning progress.

This layer knows task spaces only: it never imports environments, agents or
Stable-Baselines3.
"""

from teachgym.teachers import (
    alp_gmm,
    covar_gmm,
    level_replay,
    llm_curriculum,
    paired,
    random_teacher,
    riac,
)
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
    "alp_gmm",
    "covar_gmm",
    "riac",
    "Teacher",
    "level_replay",
    "llm_curriculum",
    "load_teacher",
    "paired",
    "make_teacher",
    "random_teacher",
    "register_teacher",
    "save_teacher",
    "teacher_class",
    "teacher_hyperparameters",
    "teacher_names",
]
