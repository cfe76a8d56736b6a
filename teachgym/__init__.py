"""teachgym: Gymnasium environments driven by automatic-curriculum teachers.

``import teachgym`` registers every environment (``teachgym/<Name>-v0``) and
every teacher.
"""

from teachgym import envs, teachers
from teachgym.curriculum import Curriculum, CurriculumWrapper, EpisodeRecord, TaskFeedWrapper
from teachgym.tasks import LEVEL_SEED, Categorical, Continuous, IntArray, Integer, Task, TaskSpace
from teachgym.teachers import Outcome, Teacher, load_teacher, make_teacher, save_teacher
from teachgym.vector_curriculum import CurriculumVectorWrapper, make_curriculum_vector_env

__version__ = "0.1.0"

__all__ = [
    "LEVEL_SEED",
    "Categorical",
    "Continuous",
    "Curriculum",
    "CurriculumVectorWrapper",
    "CurriculumWrapper",
    "EpisodeRecord",
    "IntArray",
    "Integer",
    "Outcome",
    "Task",
    "TaskFeedWrapper",
    "TaskSpace",
    "Teacher",
    "envs",
    "load_teacher",
    "make_curriculum_vector_env",
    "make_teacher",
    "save_teacher",
    "teachers",
    "__version__",
]
