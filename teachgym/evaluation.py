"""Greedy evaluation of a student on a list of tasks, with the environment's mastery rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from teachgym.agents.student import Student
from teachgym.tasks import Task


def evaluate_on_tasks(
    student: Student,
    env_fn: Callable[[], gym.Env[Any, Any]],
    tasks: Sequence[Task],
    episodes_per_task: int = 1,
    seed: int = 0,
) -> dict[str, Any]:
    """Evaluate ``student`` greedily on ``tasks``.

    Returns a JSON-ready record: ``returns`` (``len(tasks)`` lists of
    ``episodes_per_task`` returns), ``mean_return`` and ``percent_mastered`` (by the
    environment's :meth:`~teachgym.envs.TaskEnv.mastered` rule; ``None`` if the
    environment defines no mastery threshold).
    """
    env = env_fn()
    env_class = type(env.unwrapped)
    env.close()
    returns = np.asarray(student.evaluate(tasks, episodes_per_task, seed=seed), dtype=np.float64)
    percent_mastered = None
    if getattr(env_class, "mastery_return", None) is not None:
        mastered = [env_class.mastered(row) for row in returns]  # type: ignore[attr-defined]
        percent_mastered = 100.0 * float(np.mean(mastered))
    return {
        "returns": returns.tolist(),
        "mean_return": float(returns.mean()),
        "percent_mastered": percent_mastered,
    }
