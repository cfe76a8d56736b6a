"""teachgym: Gymnasium environments driven by automatic-curriculum teachers.

``import teachgym`` registers every environment (``teachgym/<Name>-v0``) and
every teacher by name only: an environment's or teacher's module, and heavy
dependencies (torch, Stable-Baselines3, MiniGrid, Box2D, scikit-learn), are
imported when one is built. ``make_student``, ``env_factory``, ``TaskEnv`` and
``TestSet`` are imported on first use.
"""

from __future__ import annotations

from teachgym import envs, teachers
from teachgym.curriculum import Curriculum, CurriculumWrapper, EpisodeRecord, TaskFeedWrapper
from teachgym.errors import TeachgymUsageError
from teachgym.lazy import lazy_getattr
from teachgym.tasks import (
    LEVEL_SEED,
    Categorical,
    Continuous,
    Fixed,
    IntArray,
    Integer,
    Task,
    TaskSpace,
)
from teachgym.teachers import Outcome, Teacher, load_teacher, make_teacher, save_teacher
from teachgym.vector_curriculum import CurriculumVectorWrapper, make_curriculum_vector_env

__version__ = "0.1.0"

_LAZY = {
    "make_student": "teachgym.agents",
    "env_factory": "teachgym.envs",
    "TaskEnv": "teachgym.envs",
    "TestSet": "teachgym.envs",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "LEVEL_SEED",
    "Categorical",
    "Continuous",
    "Curriculum",
    "CurriculumVectorWrapper",
    "CurriculumWrapper",
    "EpisodeRecord",
    "Fixed",
    "IntArray",
    "Integer",
    "Outcome",
    "Task",
    "TaskEnv",
    "TaskFeedWrapper",
    "TaskSpace",
    "Teacher",
    "TeachgymUsageError",
    "TestSet",
    "envs",
    "env_factory",
    "load_teacher",
    "make_curriculum_vector_env",
    "make_student",
    "make_teacher",
    "save_teacher",
    "teachers",
    "__version__",
]
