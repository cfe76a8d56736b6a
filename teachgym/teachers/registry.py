"""Teacher registry: ``make_teacher(name, task_space, seed=..., **hyperparameters)``.

Names map to ``"package.module:Class"`` entry points, imported only when a
teacher is built (so listing names imports nothing heavy). Wherever a name is
accepted, an entry point string works too; installed packages add teachers
through the entry-point group ``teachgym.teachers``
(:func:`teachgym.entry_points.installed_plugins`).
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from teachgym.entry_points import (
    entry_point_of,
    installed_plugins,
    is_entry_point,
    load_entry_point,
)
from teachgym.errors import TeachgymUsageError
from teachgym.params import constructor_defaults
from teachgym.state_io import CorruptStateError, load_state, save_state
from teachgym.tasks import TaskSpace
from teachgym.teachers.base import Teacher

ENTRY_POINT_GROUP = "teachgym.teachers"

_REGISTRY: dict[str, str | type[Teacher]] = {
    "random": "teachgym.teachers.random_teacher:RandomTeacher",
    "alp-gmm": "teachgym.teachers.alp_gmm:ALPGMMTeacher",
    "covar-gmm": "teachgym.teachers.covar_gmm:CovarGMMTeacher",
    "riac": "teachgym.teachers.riac:RIACTeacher",
    "plr": "teachgym.teachers.level_replay:PLRTeacher",
    "robust-plr": "teachgym.teachers.level_replay:RobustPLRTeacher",
    "accel": "teachgym.teachers.level_replay:ACCELTeacher",
    "paired": "teachgym.teachers.paired:PairedTeacher",
    "clutr": "teachgym.teachers.clutr:ClutrTeacher",
    "llm-curriculum": "teachgym.teachers.llm_curriculum:LLMCurriculumTeacher",
    "adr": "teachgym.teachers.adr:ADRTeacher",
    "tscl": "teachgym.teachers.bandits.tscl:TSCLTeacher",
    "exp3s": "teachgym.teachers.bandits.exp3s:Exp3STeacher",
    "dump": "teachgym.teachers.bandits.dump:DUMPTeacher",
    "sec": "teachgym.teachers.bandits.sec:SECTeacher",
    "goal-gan": "teachgym.teachers.goal_gan:GoalGANTeacher",
    "spdl": "teachgym.teachers.spdl:SPDLTeacher",
    "spdl-returns": "teachgym.teachers.spdl:SPDLReturnsTeacher",
    "setter-solver": "teachgym.teachers.setter_solver:SetterSolverTeacher",
    "schedule": "teachgym.teachers.schedule:ScheduleTeacher",
    "qweb-warm-start": "teachgym.teachers.schedule:QWebWarmStartTeacher",
    "qweb-subinstruction": "teachgym.teachers.schedule:QWebSubinstructionTeacher",
    "webrl": "teachgym.teachers.self_evolving:SelfEvolvingTeacher",
}
_plugins_added = False


def register_teacher(name: str, entry_point: str | type[Teacher]) -> None:
    """Make a teacher available to :func:`make_teacher` (and suites, the CLI) as ``name``.

    Args:
        name: the short name; the class's ``name`` attribute should be the same, as saved
            states carry it.
        entry_point: the class, or ``"package.module:Class"`` (imported when first built).

    Raises:
        TeachgymUsageError: for an empty name or a name already taken by another teacher.
    """
    if not isinstance(name, str) or not name:
        raise TeachgymUsageError(f"a teacher needs a non-empty name, got {name!r}")
    known = _registry().get(name)
    if known is not None and _text(known) != _text(entry_point):
        raise TeachgymUsageError(f"a teacher named {name!r} is already registered ({_text(known)})")
    _REGISTRY[name] = entry_point


def _text(entry_point: str | type[Teacher]) -> str:
    return entry_point_of(entry_point) if isinstance(entry_point, type) else entry_point


def _registry() -> dict[str, str | type[Teacher]]:
    """The registry, with installed plugins added once (built-in names win)."""
    global _plugins_added
    if not _plugins_added:
        _plugins_added = True
        for name, entry_point in installed_plugins(ENTRY_POINT_GROUP).items():
            _REGISTRY.setdefault(name, entry_point)
    return _REGISTRY


def teacher_names() -> list[str]:
    """Registered teacher names (built-in and installed plugins), sorted."""
    return sorted(_registry())


def teacher_class(name: str) -> type[Teacher]:
    """The class of a registered name or of a ``"package.module:Class"`` string.

    Raises:
        TeachgymUsageError: for an unknown name, or an entry point that cannot be
            imported or is not a :class:`Teacher`.
    """
    registry = _registry()
    if name in registry:
        cls = load_entry_point(registry[name], Teacher, "teacher")
        registry[name] = cls
        return cls
    if is_entry_point(name):
        return load_entry_point(name, Teacher, "teacher")
    raise TeachgymUsageError(
        f"unknown teacher {name!r}; known teachers: {teacher_names()} (or name a class as "
        "'package.module:Class')"
    )


def registered_name(cls: type[Teacher]) -> str:
    """``cls.name`` if that name is registered for ``cls``, else ``"package.module:Class"``."""
    entry_point = _registry().get(cls.name)
    if cls.name and entry_point is not None and _text(entry_point) == entry_point_of(cls):
        return cls.name
    return entry_point_of(cls)


def teacher_hyperparameters(name: str) -> dict[str, Any]:
    """Hyperparameters of a teacher (``seed`` included) with their defaults.

    A hyperparameter without a default maps to :data:`inspect.Parameter.empty`.
    """
    return constructor_defaults(teacher_class(name), skip=("task_space",))


def make_teacher(
    name: str,
    task_space: TaskSpace,
    seed: int | None = 0,
    preset: str | None = None,
    **hyperparameters: Any,
) -> Teacher:
    """Build a teacher by registered name or ``"package.module:Class"``.

    Args:
        name: registered name or entry point.
        task_space: the space it draws tasks from.
        seed: the teacher's seed (``None``: fresh operating-system entropy).
        preset: a published configuration of this teacher (:meth:`Teacher.from_preset`);
            ``hyperparameters`` override its values.
        **hyperparameters: constructor arguments.

    Raises:
        TeachgymUsageError: for an unknown teacher, preset or hyperparameter (the
            message lists what is allowed) or a hyperparameter value it refuses.
        TypeError: for a ``task_space`` that is not a :class:`TaskSpace`.
    """
    cls = teacher_class(name)
    allowed = constructor_defaults(cls, skip=("task_space",))
    unknown = sorted(set(hyperparameters) - set(allowed))
    if unknown:
        raise TeachgymUsageError(
            f"teacher {name!r} has no hyperparameter {unknown[0]!r}; "
            f"allowed: {sorted(k for k in allowed if k != 'seed')}"
        )
    missing = [
        k
        for k, default in allowed.items()
        if default is inspect.Parameter.empty and k not in hyperparameters and k != "seed"
    ]
    if missing and preset is None:
        raise TeachgymUsageError(f"teacher {name!r} needs the hyperparameter {missing[0]!r}")
    try:
        if preset is not None:
            return cls.from_preset(preset, task_space, seed=seed, **hyperparameters)
        return cls(task_space, seed=seed, **hyperparameters)
    except TeachgymUsageError:
        raise
    except ValueError as exc:  # a constructor refusing a hyperparameter value
        raise TeachgymUsageError(f"teacher {name!r}: {exc}") from exc


def save_teacher(teacher: Teacher, stem: str | os.PathLike[str]) -> None:
    """Save a teacher's whole state to ``<stem>.json`` + ``<stem>.npz``."""
    save_state(teacher.state_dict(), stem)


def load_teacher(stem: str | os.PathLike[str]) -> Teacher:
    """Rebuild a teacher saved by :func:`save_teacher`; it continues exactly as the original.

    The teacher is built with the saved hyperparameters (:meth:`Teacher.get_params`),
    then its learned state is restored.

    Raises:
        CorruptStateError: if the files cannot be read or lack an entry.
    """
    state = load_state(stem)
    try:
        task_space = TaskSpace.from_dict(state["task_space"])
        hyperparameters = dict(state["hyperparameters"])
        seed = hyperparameters.pop("seed", None)
        # A state may name a preset; the saved values override it.
        preset = hyperparameters.pop("preset", None)
        teacher = make_teacher(
            state["teacher"], task_space, seed=seed, preset=preset, **hyperparameters
        )
    except KeyError as exc:
        raise CorruptStateError(f"saved teacher state at {stem} lacks the entry {exc}") from None
    teacher.load_state_dict(state)
    return teacher
