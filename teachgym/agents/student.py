"""The student protocol: anything that learns from a curriculum and can be evaluated.

A student owns a factory for its environment (``() -> gymnasium.Env``), learns
for a number of environment steps with a :class:`~teachgym.curriculum.Curriculum`,
acts, and saves/loads itself (with the teacher's state beside it, so training can
resume). :func:`teachgym.evaluation.evaluate` evaluates any student on a test set.

A student declares what it can give a teacher (``score_kinds``, ``provides_values``,
``provides_task_values``, ``supports_robust_updates``, ``required_teacher_score``);
:func:`incompatibility` compares that with the teacher's declared capabilities
(:mod:`teachgym.teachers.capabilities`), and every student refuses an incompatible
teacher before it trains (:meth:`Student.check_teacher`).
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym

from teachgym.curriculum import Curriculum
from teachgym.errors import TeachgymUsageError
from teachgym.params import get_params
from teachgym.state_io import CorruptStateError
from teachgym.teachers import Teacher, load_teacher, save_teacher
from teachgym.teachers.capabilities import ADVANTAGE, LEARNING_POTENTIAL, REGRET

EnvFn = Callable[[], gym.Env[Any, Any]]
ProgressFn = Callable[[int], object]
"""Called with the number of environment steps just done."""

TEACHER_STEM = "teacher"
STUDENT_META = "student.json"
CURRICULUM_META = "curriculum.json"


def _json_ready(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists, objects their repr)."""
    return json.loads(json.dumps(value, default=repr))


def config_differences(
    saved: dict[str, Any], current: dict[str, Any], nested: bool = False
) -> list[str]:
    """``"key: saved -> current"`` for every setting that differs (nested keys dotted).
    Top-level settings a checkpoint does not record (older versions) are not compared."""
    differences = []
    for key in sorted(set(saved) | set(current) if nested else saved):
        old, new = saved.get(key), current.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            differences += [f"{key}.{d}" for d in config_differences(old, new, nested=True)]
        elif old != new:
            differences.append(f"{key}: {old!r} -> {new!r}")
    return differences


def load_curriculum_state(directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The curriculum bookkeeping a :meth:`Student.save` wrote beside the student, if any."""
    path = Path(directory) / CURRICULUM_META
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptStateError(f"{path} is corrupted ({exc}); delete the checkpoint") from None
    if not isinstance(state, dict):
        raise CorruptStateError(f"{path} does not hold an object; delete the checkpoint")
    return state


SCORE_SOURCES: dict[str, str] = {
    LEARNING_POTENTIAL: "train an on-policy SB3 algorithm: use 'ppo' or 'a2c'",
    REGRET: "use the 'paired-ppo' student (a protagonist and an antagonist)",
    ADVANTAGE: "train an on-policy SB3 algorithm ('ppo' or 'a2c'), or give the teacher "
    "signal='return' to learn from returns",
}
"""The fix named when a student cannot give a kind of score: which students do."""


class Student(ABC):
    """Base class of students.

    Constructors take ``env_fn``, ``seed`` and parameters with real defaults, and
    store each parameter in an attribute of the same name, so :meth:`get_params`
    reads them back (scikit-learn style).

    Args:
        env_fn: builds one (unwrapped-by-curriculum) environment.
        seed: seed of everything random in the student.
    """

    name: str = ""
    score_kinds: frozenset[str] = frozenset()
    """Kinds of score (:data:`~teachgym.teachers.capabilities.SCORE_KINDS`) this student
    attaches to every episode it reports."""
    provides_values: bool = False
    """True if every episode it reports carries its value of the episode's initial state
    (``Outcome.value``), for teachers that ``requires_value``."""
    provides_task_values: bool = False
    """True if it gives the curriculum a critic of candidate tasks before they are played
    (``Curriculum.provide_task_values``), for teachers that ``requires_task_values``."""
    supports_robust_updates: bool = False
    """True if it can skip the gradient step on episodes a ``robust`` teacher marks
    exploratory."""
    required_teacher_score: str | None = None
    """A score kind the teacher must learn from (PAIRED's students exist to measure
    regret), or ``None``."""
    param_attributes: ClassVar[Mapping[str, str]] = {}
    """Constructor argument -> attribute holding it, where the names differ."""
    resumable_changes: ClassVar[frozenset[str]] = frozenset()
    """Settings that do not change what the student learns (threads, log paths): a
    checkpoint resumes with other values of them."""

    def __init__(self, env_fn: EnvFn, seed: int = 0) -> None:
        self.env_fn = env_fn
        self.seed = seed
        self.steps_done = 0

    def describe(self) -> str:
        """How error messages name this student (e.g. ``"SB3 SAC"``)."""
        return repr(self.name)

    def check_teacher(self, teacher: Teacher) -> None:
        """Refuse a teacher whose declared capabilities this student cannot serve.

        Raises:
            TeachgymUsageError: naming what the teacher needs and which student gives it.
        """
        problem = incompatibility(teacher, self)
        if problem is not None:
            raise TeachgymUsageError(problem)

    @abstractmethod
    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        """Train for ``total_steps`` more environment steps on tasks from ``curriculum``."""

    @abstractmethod
    def act(self, observation: Any, deterministic: bool = True) -> Any:
        """The action for one observation."""

    @abstractmethod
    def _save_model(self, directory: Path) -> None:
        """Write the student's own files into ``directory``."""

    @abstractmethod
    def _load_model(self, directory: Path) -> None:
        """Read what :meth:`_save_model` wrote."""

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments other than ``env_fn``, ``seed`` included (JSON-ready)."""
        return get_params(self, skip=("env_fn",), attributes=self.param_attributes)

    @property
    def step_granularity(self) -> int:
        """``learn`` calls of multiples of this many steps train exactly like one long call
        (for example one PPO rollout: ``n_steps * n_envs``)."""
        return 1

    def rounded_steps(self, steps: int) -> int:
        """The number of steps ``learn(curriculum, steps)`` really trains (students that
        collect whole rollouts round up)."""
        return steps

    def _checkpoint_meta(self) -> dict[str, Any]:
        """Extra JSON entries of ``student.json`` (for example the model's class)."""
        return {}

    def act_batch(self, observations: Sequence[Any], deterministic: bool = True) -> list[Any]:
        """Actions for several observations (one per environment side by side).

        Default: :meth:`act` on each; students with a batched model override it.
        """
        return [self.act(observation, deterministic) for observation in observations]

    # -- checkpoints ------------------------------------------------------------
    def save(
        self,
        directory: str | os.PathLike[str],
        teacher: Teacher | None = None,
        curriculum: Curriculum | None = None,
    ) -> None:
        """Save the student, the teacher's state (``curriculum``'s teacher by default) and the
        curriculum's bookkeeping (episodes reported, tasks sampled) into ``directory``.

        Raises:
            TeachgymUsageError: if a setting cannot be saved (a class that cannot be
                imported by name); nothing is written then.
        """
        config = self.get_params()  # first: a setting that cannot be saved writes nothing
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        self._save_model(path)
        meta = {
            "student": self.name,
            "config": config,
            "steps_done": self.steps_done,
            **self._checkpoint_meta(),
        }
        _write_json(path / STUDENT_META, meta)
        if teacher is None and curriculum is not None:
            teacher = curriculum.teacher
        if teacher is not None:
            save_teacher(teacher, path / TEACHER_STEM)
        if curriculum is not None:
            _write_json(path / CURRICULUM_META, curriculum.state_dict())

    def read_meta(self, directory: str | os.PathLike[str]) -> dict[str, Any]:
        """The validated ``student.json`` of a checkpoint of this kind of student.

        Raises:
            CorruptStateError: if ``directory`` holds no student record or a broken one.
            TeachgymUsageError: if it holds another kind of student or other settings.
        """
        path = Path(directory)
        meta_path = path / STUDENT_META
        if not meta_path.exists():
            raise CorruptStateError(f"no saved student in {path} (missing {STUDENT_META})")
        try:
            meta = json.loads(meta_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorruptStateError(
                f"{meta_path} is corrupted ({exc}); delete the checkpoint"
            ) from None
        steps = meta.get("steps_done") if isinstance(meta, dict) else None
        if (
            not isinstance(meta, dict)
            or not isinstance(meta.get("config"), dict)
            or not isinstance(steps, int)
            or isinstance(steps, bool)
            or steps < 0
        ):
            raise CorruptStateError(
                f"{meta_path} is corrupted (it must be an object with a 'config' object and a "
                f"non-negative integer 'steps_done'); delete the checkpoint to start over"
            )
        if meta.get("student") != self.name:
            raise TeachgymUsageError(
                f"{path} holds a {meta.get('student')!r} student, not {self.name!r}"
            )
        saved = {k: v for k, v in meta["config"].items() if k not in self.resumable_changes}
        differences = config_differences(saved, _json_ready(self.get_params()))
        if differences:
            raise TeachgymUsageError(
                f"{path} was saved by a student with other settings ({'; '.join(differences)}); "
                "use the checkpoint's settings or start a new run"
            )
        return meta

    def load(self, directory: str | os.PathLike[str]) -> Teacher | None:
        """Restore from :meth:`save`; returns the saved teacher, if one was saved.

        Raises:
            CorruptStateError: if ``directory`` holds no student or a corrupted file.
            TeachgymUsageError: if it holds a different kind of student or other settings.
        """
        path = Path(directory)
        meta = self.read_meta(path)
        self._load_model(path)
        self.steps_done = meta["steps_done"]
        teacher_json = (path / TEACHER_STEM).with_suffix(".json")
        return load_teacher(path / TEACHER_STEM) if teacher_json.exists() else None

    def close(self) -> None:
        """Release the student's environments (default: it holds none)."""
        return None


def incompatibility(teacher: Teacher, student: Student) -> str | None:
    """Why ``student`` cannot train with ``teacher`` (with the fix), or ``None`` if it can.

    Reads only declared capabilities: the teacher's ``requires_score``, ``score_kind``,
    ``requires_value``, ``requires_task_values`` and ``robust``, the student's
    ``score_kinds``, ``provides_values``, ``provides_task_values``,
    ``supports_robust_updates`` and ``required_teacher_score``.
    """
    who = f"student {student.describe()}"
    if teacher.requires_task_values and not student.provides_task_values:
        return (
            f"teacher {teacher.name!r} asks the student's critic to value candidate tasks "
            f"before they are played, which {who} cannot do; use an SB3 student (e.g. 'ppo') "
            "or 'simulated', or give the teacher value_band=None to keep every valid candidate"
        )
    if teacher.requires_value and not student.provides_values:
        return (
            f"teacher {teacher.name!r} needs the student's value of each episode's initial "
            f"state, which {who} cannot give; use an SB3 student (e.g. 'ppo' or 'sac') or "
            "'simulated' (for SPDL, 'spdl-returns' estimates values by returns instead)"
        )
    if teacher.requires_score and teacher.score_kind not in student.score_kinds:
        return (
            f"teacher {teacher.name!r} needs a {teacher.score_kind} score per episode, which "
            f"{who} cannot give; {SCORE_SOURCES[teacher.score_kind]}"
        )
    if teacher.robust and not student.supports_robust_updates:
        return (
            f"teacher {teacher.name!r} forbids gradient steps on exploratory levels, which "
            f"{who} cannot skip; use 'ppo' (trained as RobustPPO)"
        )
    wanted = student.required_teacher_score
    if wanted is not None and not (teacher.requires_score and teacher.score_kind == wanted):
        return (
            f"{who} measures a {wanted} score per level and trains with a teacher that learns "
            f"from it (the 'paired' teacher), not {teacher.name!r}; use an SB3 student for "
            "other teachers"
        )
    return None


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1))
    os.replace(tmp, path)
