"""Registration of teachgym environments with Gymnasium, and the catalog ``teachgym list`` shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from teachgym.entry_points import entry_point_of, is_entry_point, load_entry_point
from teachgym.envs.task_env import TaskEnv
from teachgym.errors import TeachgymUsageError


@dataclass(frozen=True)
class EnvInfo:
    """One environment id and what it is.

    Attributes:
        env_id: the Gymnasium id (or a ``"package.module:Class"`` string).
        entry_point: ``"package.module:Class"`` of its :class:`TaskEnv` subclass.
        summary: one or two sentences for ``teachgym list``.
        kwargs: constructor arguments the id fixes.
        max_episode_steps: Gymnasium's time limit, if any.
    """

    env_id: str
    entry_point: str
    summary: str
    kwargs: dict[str, Any]
    max_episode_steps: int | None = None

    @property
    def env_class(self) -> type[TaskEnv[Any, Any]]:
        """The environment class (its module is imported now)."""
        cls: type[TaskEnv[Any, Any]] = load_entry_point(self.entry_point, TaskEnv, "environment")
        return cls


_CATALOG: dict[str, EnvInfo] = {}


def register_env(
    env_id: str,
    entry_point: str | type[TaskEnv[Any, Any]],
    summary: str,
    max_episode_steps: int | None = None,
    **kwargs: Any,
) -> None:
    """Register an environment with Gymnasium (idempotent) and in the catalog.

    Args:
        env_id: ``"namespace/Name-vN"``.
        entry_point: the :class:`TaskEnv` subclass or ``"package.module:Class"``
            (imported only when the environment is built).
        summary: what it is, for ``teachgym list``.
        max_episode_steps: Gymnasium time limit.
        **kwargs: constructor arguments fixed by this id.
    """
    text = entry_point if isinstance(entry_point, str) else entry_point_of(entry_point)
    if not is_entry_point(text):
        raise TeachgymUsageError(
            f"environment entry point {text!r} must look like 'package.module:ClassName'"
        )
    if env_id not in gym.registry:
        gym.register(
            id=env_id, entry_point=text, max_episode_steps=max_episode_steps, kwargs=kwargs
        )
    _CATALOG[env_id] = EnvInfo(env_id, text, summary, kwargs, max_episode_steps)


def env_catalog() -> list[EnvInfo]:
    """Every registered teachgym environment, sorted by id."""
    return [_CATALOG[k] for k in sorted(_CATALOG)]


def env_info(env_id: str) -> EnvInfo:
    """Catalog entry of ``env_id`` (``"Name-v0"`` finds ``"teachgym/Name-v0"``).

    A ``"package.module:Class"`` string names a :class:`TaskEnv` subclass outside
    the catalog; it is imported and checked now.

    Raises:
        TeachgymUsageError: for an unknown id (the message lists the known ones) or an
            entry point that cannot be imported or is not a :class:`TaskEnv`.
    """
    if env_id not in _CATALOG and f"teachgym/{env_id}" in _CATALOG:
        env_id = f"teachgym/{env_id}"
    if env_id in _CATALOG:
        return _CATALOG[env_id]
    if is_entry_point(env_id):
        cls = load_entry_point(env_id, TaskEnv, "environment")
        summary = (cls.__doc__ or cls.__name__).strip().splitlines()[0]
        return EnvInfo(env_id, env_id, summary, {})
    raise TeachgymUsageError(
        f"unknown environment {env_id!r}; known: {sorted(_CATALOG)} (or name a TaskEnv "
        "class as 'package.module:Class')"
    )


@dataclass(frozen=True)
class EnvFactory:
    """Picklable ``() -> gym.Env`` for one environment id (safe for subprocess vector envs:
    unpickling it imports teachgym, which registers the ids).

    A registered id is built with ``gymnasium.make``; a ``"package.module:Class"``
    string is built directly as ``Class(**kwargs)`` (its module must be importable in
    every process that builds it, e.g. on ``PYTHONPATH``).
    """

    env_id: str
    kwargs: dict[str, Any]

    def __call__(self) -> gym.Env[Any, Any]:
        try:
            if self.env_id not in gym.registry and is_entry_point(self.env_id):
                cls = load_entry_point(self.env_id, TaskEnv, "environment")
                return cls(**self.kwargs)
            return gym.make(self.env_id, **self.kwargs)
        except TeachgymUsageError:
            raise
        except ValueError as exc:  # the constructor refused a keyword argument's value
            raise TeachgymUsageError(f"{self.env_id} with {self.kwargs}: {exc}") from exc
        except TypeError as exc:
            if "unexpected keyword argument" not in str(exc):
                raise
            raise TeachgymUsageError(f"{self.env_id}: {exc}") from exc


def env_factory(env_id: str, **kwargs: Any) -> EnvFactory:
    """A factory for ``gymnasium.make(env_id, **kwargs)`` (or ``Class(**kwargs)`` for a
    ``"package.module:Class"`` id); unknown ids raise :class:`TeachgymUsageError`."""
    return EnvFactory(env_info(env_id).env_id, kwargs)
