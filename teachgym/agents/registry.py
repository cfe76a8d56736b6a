"""Student registry: ``make_student(name, env_fn, seed=..., **params)``.

Names map to ``"package.module:Class"`` entry points (with fixed constructor
arguments, e.g. ``ppo`` is :class:`~teachgym.agents.sb3_student.SB3Student` with
``algo="ppo"``), imported only when a student is built, so listing them imports
neither torch nor Stable-Baselines3. Wherever a name is accepted, an entry point
string works too; installed packages add students through the entry-point
group ``teachgym.students``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from teachgym.agents.student import EnvFn, Student
from teachgym.entry_points import (
    entry_point_of,
    installed_plugins,
    is_entry_point,
    load_entry_point,
)
from teachgym.errors import TeachgymUsageError, UnknownParameterError
from teachgym.params import accepts_any_keyword, constructor_defaults
from teachgym.teachers import Teacher

ENTRY_POINT_GROUP = "teachgym.students"
SB3_ALGORITHMS = ("a2c", "ddpg", "dqn", "ppo", "sac", "td3")
"""The Stable-Baselines3 algorithms registered as students under their own names (and
``recurrent-ppo``: sb3-contrib's RecurrentPPO, an LSTM policy updating on whole
environment rollouts, and ``maskable-ppo``:
sb3-contrib's MaskablePPO, with the DOM-aware policy on web forms)."""
_SB3 = "teachgym.agents.sb3_student:SB3Student"


@dataclass
class StudentEntry:
    """A registered student: its entry point, the constructor arguments it fixes, and
    defaults it sets for this name (which the user may override)."""

    entry_point: str | type[Student]
    fixed: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    def load(self) -> type[Student]:
        cls = load_entry_point(self.entry_point, Student, "student")
        self.entry_point = cls
        return cls


_REGISTRY: dict[str, StudentEntry] = {
    "simulated": StudentEntry("teachgym.agents.simulated:SimulatedStudent"),
    "paired-ppo": StudentEntry("teachgym.agents.paired:PairedStudent"),
    **{
        algo: StudentEntry(_SB3, {"algo": algo}, {"n_envs": 4 if algo in ("a2c", "ppo") else 1})
        for algo in SB3_ALGORITHMS
    },
    "recurrent-ppo": StudentEntry(_SB3, {"algo": "recurrent-ppo"}, {"n_envs": 4}),
    "maskable-ppo": StudentEntry(_SB3, {"algo": "maskable-ppo"}, {"n_envs": 4}),
}
_plugins_added = False


def register_student(
    name: str, entry_point: str | type[Student], fixed: Mapping[str, Any] | None = None
) -> None:
    """Make a student available to :func:`make_student` (and suites, the CLI) as ``name``.

    Args:
        name: the short name.
        entry_point: the class, or ``"package.module:Class"`` (imported when first built).
        fixed: constructor arguments this name always passes (``{"algo": "ppo"}``).

    Raises:
        TeachgymUsageError: for an empty name or a name already taken by another student.
    """
    if not isinstance(name, str) or not name:
        raise TeachgymUsageError(f"a student needs a non-empty name, got {name!r}")
    entry = StudentEntry(entry_point, dict(fixed or {}))
    known = _registry().get(name)
    if known is not None and (_text(known.entry_point), known.fixed) != (
        _text(entry_point),
        entry.fixed,
    ):
        raise TeachgymUsageError(
            f"a student named {name!r} is already registered ({_text(known.entry_point)})"
        )
    _REGISTRY[name] = entry


def _text(entry_point: str | type[Student]) -> str:
    return entry_point_of(entry_point) if isinstance(entry_point, type) else entry_point


def _registry() -> dict[str, StudentEntry]:
    """The registry, with installed plugins added once (built-in names win)."""
    global _plugins_added
    if not _plugins_added:
        _plugins_added = True
        for name, entry_point in installed_plugins(ENTRY_POINT_GROUP).items():
            _REGISTRY.setdefault(name, StudentEntry(entry_point))
    return _REGISTRY


def student_names() -> list[str]:
    """Registered student names (built-in and installed plugins), sorted."""
    return sorted(_registry())


def _entry(name: str) -> StudentEntry:
    registry = _registry()
    key = name.lower() if name.lower() in registry else name
    if key in registry:
        return registry[key]
    if is_entry_point(name):
        return StudentEntry(name)
    raise TeachgymUsageError(
        f"unknown student {name!r}; known: {student_names()} (or name a class as "
        "'package.module:Class')"
    )


def student_class(name: str) -> type[Student]:
    """The class of a registered name or of a ``"package.module:Class"`` string.

    Raises:
        TeachgymUsageError: for an unknown name, or an entry point that cannot be
            imported or is not a :class:`Student`.
    """
    return _entry(name).load()


def student_parameters(name: str) -> dict[str, Any]:
    """Constructor parameters of a student (``seed`` included) with their defaults.

    Arguments the name fixes (``algo`` of ``ppo``) are left out; a parameter without
    a default maps to :data:`inspect.Parameter.empty`.
    """
    entry = _entry(name)
    return {
        k: entry.defaults.get(k, v)
        for k, v in constructor_defaults(entry.load(), skip=("env_fn",)).items()
        if k not in entry.fixed
    }


def _check_learner(name: str, env_fn: EnvFn) -> None:
    """Refuse a registered student on an environment whose ``learners`` exclude it
    (read from the class, nothing is built). Students given as ``"module:Class"`` and
    factories that are not :func:`teachgym.envs.env_factory`'s pass: they are the
    user's own."""
    from teachgym.envs.registration import env_info

    env_id = getattr(env_fn, "env_id", None)
    if not isinstance(env_id, str) or is_entry_point(name):
        return
    learners = env_info(env_id).env_class.learners
    if learners is not None and name.lower() not in learners:
        raise TeachgymUsageError(
            f"student {name!r} cannot learn on {env_id}, which only {sorted(learners)} can "
            "learn; choose one of those students or another environment"
        )


def make_student(
    name: str, env_fn: EnvFn, seed: int = 0, teacher: Teacher | None = None, **params: Any
) -> Student:
    """Build a student by registered name or ``"package.module:Class"``.

    Args:
        name: registered name (case-insensitive) or entry point.
        env_fn: builds one environment.
        seed: the student's seed.
        teacher: if given, a student that cannot serve this teacher's declared
            capabilities (a score it cannot give, robust updates it cannot make) is
            refused at once (:meth:`Student.check_teacher`).
        **params: constructor arguments (for SB3 students also the algorithm's).

    Raises:
        TeachgymUsageError: for an unknown student or parameter (the message lists the
            allowed ones), a value the constructor refuses, or a teacher it cannot serve.
    """
    entry = _entry(name)
    cls = entry.load()
    allowed = {
        k: v for k, v in constructor_defaults(cls, skip=("env_fn",)).items() if k not in entry.fixed
    }
    if not accepts_any_keyword(cls):
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise UnknownParameterError(
                f"student {name!r} has no parameter {unknown[0]!r}; allowed: "
                f"{sorted(k for k in allowed if k != 'seed') or 'none'}",
                parameter=unknown[0],
            )
    missing = [
        k
        for k, default in allowed.items()
        if default is inspect.Parameter.empty and k not in params and k != "seed"
    ]
    if missing:
        raise TeachgymUsageError(f"student {name!r} needs the parameter {missing[0]!r}")
    try:
        student = cls(env_fn, seed=seed, **entry.fixed, **{**entry.defaults, **params})
    except TeachgymUsageError:
        raise
    except ValueError as exc:  # a constructor refusing a parameter value
        raise TeachgymUsageError(f"student {name!r}: {exc}") from exc
    try:
        _check_learner(name, env_fn)  # after the constructor, which names bad parameters
    except TeachgymUsageError:
        student.close()
        raise
    if teacher is not None:
        try:
            student.check_teacher(teacher)
        except TeachgymUsageError:
            student.close()
            raise
    return student
