"""Registration of teachgym environments with Gymnasium, and the catalog ``teachgym list`` shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from teachgym.envs.task_env import TaskEnv
from teachgym.errors import TeachgymUsageError


@dataclass(frozen=True)
class EnvInfo:
    """One registered environment id and what it is."""

    env_id: str
    env_class: type[TaskEnv[Any, Any]]
    summary: str
    kwargs: dict[str, Any]


_CATALOG: dict[str, EnvInfo] = {}


def register_env(
    env_id: str,
    env_class: type[TaskEnv[Any, Any]],
    summary: str,
    max_episode_steps: int | None = None,
    **kwargs: Any,
) -> None:
    """Register ``env_class`` as ``env_id`` with Gymnasium (idempotent) and in the catalog."""
    if env_id not in gym.registry:
        gym.register(
            id=env_id,
            entry_point=f"{env_class.__module__}:{env_class.__qualname__}",
            max_episode_steps=max_episode_steps,
            kwargs=kwargs,
        )
    _CATALOG[env_id] = EnvInfo(env_id, env_class, summary, kwargs)


def env_catalog() -> list[EnvInfo]:
    """Every teachgym environment, sorted by id."""
    return [_CATALOG[k] for k in sorted(_CATALOG)]


def env_info(env_id: str) -> EnvInfo:
    """Catalog entry of ``env_id``; a ``ValueError`` lists the known ids if it is unknown."""
    if env_id not in _CATALOG and f"teachgym/{env_id}" in _CATALOG:
        env_id = f"teachgym/{env_id}"
    if env_id not in _CATALOG:
        raise TeachgymUsageError(f"unknown environment {env_id!r}; known: {sorted(_CATALOG)}")
    return _CATALOG[env_id]


@dataclass(frozen=True)
class EnvFactory:
    """Picklable ``() -> gym.Env`` for one registered id (safe for subprocess vector envs:
    unpickling it imports teachgym, which registers the ids)."""

    env_id: str
    kwargs: dict[str, Any]

    def __call__(self) -> gym.Env[Any, Any]:
        try:
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
    """A factory for ``gymnasium.make(env_id, **kwargs)``; unknown ids raise ``ValueError``."""
    return EnvFactory(env_info(env_id).env_id, kwargs)
