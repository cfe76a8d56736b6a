"""Teacher registry: ``make_teacher(name, task_space, seed=..., **hyperparameters)``."""

from __future__ import annotations

import inspect
import os
from typing import Any

from teachgym.errors import TeachgymUsageError
from teachgym.state_io import CorruptStateError, load_state, save_state
from teachgym.tasks import TaskSpace
from teachgym.teachers.base import Teacher

_REGISTRY: dict[str, type[Teacher]] = {}


def register_teacher(cls: type[Teacher]) -> type[Teacher]:
    """Class decorator: make ``cls`` available to :func:`make_teacher` under ``cls.name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a non-empty class attribute 'name'")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a teacher named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def teacher_names() -> list[str]:
    return sorted(_REGISTRY)


def teacher_class(name: str) -> type[Teacher]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise TeachgymUsageError(
            f"unknown teacher {name!r}; known teachers: {teacher_names()}"
        ) from None


def teacher_hyperparameters(name: str) -> dict[str, Any]:
    """Hyperparameter names of a teacher with their defaults (``None`` if required)."""
    signature = inspect.signature(teacher_class(name).__init__)
    return {
        p.name: (None if p.default is inspect.Parameter.empty else p.default)
        for p in signature.parameters.values()
        if p.name not in ("self", "task_space") and p.kind is not p.VAR_KEYWORD
    }


def make_teacher(
    name: str, task_space: TaskSpace, seed: int | None = 0, **hyperparameters: Any
) -> Teacher:
    """Build a registered teacher.

    Raises:
        ValueError: for an unknown teacher or an unknown hyperparameter (the message
            lists what is allowed) or an invalid hyperparameter value.
    """
    cls = teacher_class(name)
    allowed = teacher_hyperparameters(name)
    unknown = sorted(set(hyperparameters) - set(allowed))
    if unknown:
        raise TeachgymUsageError(
            f"teacher {name!r} has no hyperparameter {unknown[0]!r}; "
            f"allowed: {sorted(k for k in allowed if k != 'seed')}"
        )
    try:
        return cls(task_space, seed=seed, **hyperparameters)
    except TeachgymUsageError:
        raise
    except ValueError as exc:  # a constructor refusing a hyperparameter value
        raise TeachgymUsageError(f"teacher {name!r}: {exc}") from exc


def save_teacher(teacher: Teacher, stem: str | os.PathLike[str]) -> None:
    """Save a teacher's whole state to ``<stem>.json`` + ``<stem>.npz``."""
    save_state(teacher.state_dict(), stem)


def load_teacher(stem: str | os.PathLike[str]) -> Teacher:
    """Rebuild a teacher saved by :func:`save_teacher`; it continues exactly as the original."""
    state = load_state(stem)
    try:
        task_space = TaskSpace.from_dict(state["task_space"])
        hyperparameters = dict(state["hyperparameters"])
        seed = hyperparameters.pop("seed", None)
        teacher = make_teacher(state["teacher"], task_space, seed=seed, **hyperparameters)
    except KeyError as exc:
        raise CorruptStateError(f"saved teacher state at {stem} lacks the entry {exc}") from None
    teacher.load_state_dict(state)
    return teacher
