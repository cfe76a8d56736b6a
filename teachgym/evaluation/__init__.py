"""One way to evaluate a student on a test set, with the environment's own mastery rule.

:func:`evaluate` plays ``episodes_per_task`` episodes of every task (default: the
environment family's :attr:`~teachgym.envs.TaskEnv.mastery_episodes`) and judges
them with the environment's :meth:`~teachgym.envs.TaskEnv.mastered`. Episode ``k``
of task ``i`` is reset with seed ``seed + i * episodes_per_task + k``, so every
student plays the same levels. All episodes run side by side (at most ``max_envs``
environments at once), with one batched action call per step when the policy offers
``act_batch``. :class:`~teachgym.evaluation.periodic.PeriodicEvaluator` runs it every
N steps of a Stable-Baselines3 training.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from teachgym.agents.policy import Policy, sb3_policy
from teachgym.envs.task_env import TaskEnv, TestSet
from teachgym.tasks import Task

if TYPE_CHECKING:
    from teachgym.evaluation.periodic import EvaluationPoint, PeriodicEvaluator

EnvFn = Callable[[], gym.Env[Any, Any]]


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes:
        returns: float64 ``(n_tasks, episodes_per_task)`` episode returns.
        successes: bool array of the same shape (the environment's episode success),
            ``None`` if the environment defines none.
        mastered: bool ``(n_tasks,)`` by the environment's mastery rule, ``None`` if it
            defines none.
        seed: the evaluation seed.
        deterministic: whether actions were greedy.
    """

    returns: np.ndarray
    successes: np.ndarray | None
    mastered: np.ndarray | None
    seed: int
    deterministic: bool

    @property
    def episodes_per_task(self) -> int:
        return int(self.returns.shape[1])

    @property
    def mean_return(self) -> float:
        return float(self.returns.mean())

    @property
    def percent_mastered(self) -> float | None:
        """Percentage of tasks mastered, in [0, 100]; ``None`` without a mastery rule."""
        return None if self.mastered is None else 100.0 * float(np.mean(self.mastered))

    @property
    def success_rate(self) -> float | None:
        """Fraction of all episodes that succeeded, in [0, 1] (the maze literature's
        "solved rate"); ``None`` if the environment defines no success."""
        return None if self.successes is None else float(np.mean(self.successes))

    def success_rate_by_task(self) -> np.ndarray | None:
        """``(n_tasks,)`` fraction of each task's episodes that succeeded."""
        return None if self.successes is None else self.successes.mean(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record: ``returns`` and ``successes`` (lists of lists),
        ``mean_return``, ``percent_mastered``, ``success_rate``, ``episodes_per_task``,
        ``seed``, ``deterministic``."""
        return {
            "returns": self.returns.tolist(),
            "successes": None if self.successes is None else self.successes.tolist(),
            "mean_return": self.mean_return,
            "percent_mastered": self.percent_mastered,
            "success_rate": self.success_rate,
            "episodes_per_task": self.episodes_per_task,
            "seed": self.seed,
            "deterministic": self.deterministic,
        }


@contextmanager
def seeded_global_rngs(seed: int) -> Iterator[None]:
    """Seeds Python's, numpy's and (if loaded) torch's global generators with ``seed``,
    and restores their states on exit, so the caller's random streams are untouched."""
    torch = sys.modules.get("torch")
    python_state, numpy_state = random.getstate(), np.random.get_state()
    torch_state = torch.get_rng_state() if torch is not None else None
    random.seed(seed)
    np.random.seed(seed)
    if torch is not None:
        torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if torch is not None:
            torch.set_rng_state(torch_state)


def as_policy(agent: Any) -> Any:
    """``agent`` itself if it has ``act`` (a student), an :class:`SB3Policy` if it is an
    SB3 model (it has ``predict``; a ``RecurrentSB3Policy`` for a recurrent one)."""
    if callable(getattr(agent, "act", None)):
        return agent
    if callable(getattr(agent, "predict", None)):
        return sb3_policy(agent)
    raise TypeError(
        f"cannot evaluate a {type(agent).__name__}: give a student or policy with "
        "act(observation, deterministic), or a Stable-Baselines3 model"
    )


GREEDY_SIDE_BY_SIDE = 16
"""Environments a greedy evaluation plays side by side unless told otherwise."""


def evaluate(
    agent: Policy | Any,
    tasks: TestSet | Sequence[Task],
    env_fn: EnvFn | None = None,
    episodes_per_task: int | None = None,
    seed: int = 0,
    deterministic: bool | None = None,
    max_envs: int | None = None,
) -> Evaluation:
    """Evaluate ``agent`` on ``tasks`` with the environment's own mastery rule.

    Args:
        agent: a student or policy (``act(observation, deterministic)``, optionally
            ``act_batch``), or a Stable-Baselines3 model.
        tasks: a :class:`~teachgym.envs.TestSet` or a list of tasks.
        env_fn: builds one evaluation environment (a :class:`~teachgym.envs.TaskEnv`,
            possibly wrapped); ``None``: the student's own ``env_fn`` (a student's
            environments may observe what it learned, like the simulated student's
            grids). Evaluation builds its own environments and closes them, so a
            training environment is never touched.
        episodes_per_task: episodes per task, >= 1; ``None``: the environment's
            ``mastery_episodes``.
        seed: episode ``k`` of task ``i`` is reset with ``seed + i * episodes_per_task
            + k``; the global generators (Python, numpy, torch) are seeded with ``seed``
            while evaluating, for stochastic actions, and restored afterwards.
        deterministic: greedy (``True``) or sampled actions; ``None``: the
            environment's ``evaluation_deterministic``.
        max_envs: environments played side by side. ``None``: at most
            :data:`GREEDY_SIDE_BY_SIDE` for greedy actions (each episode is seeded and
            the policy deterministic, so the figures do not depend on it, and fewer
            environments are built), every episode at once for sampled actions (so the
            draws of the global generators are the same whatever the machine).

    Raises:
        ValueError: no tasks, or a count below 1.
        TypeError: ``agent`` cannot act, no ``env_fn`` for a non-student, or the
            environment is not a TaskEnv.
    """
    task_list = list(tasks.tasks if isinstance(tasks, TestSet) else tasks)
    if not task_list:
        raise ValueError("evaluate needs at least one task")
    for name, count in (("episodes_per_task", episodes_per_task), ("max_envs", max_envs)):
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise TypeError(f"{name} must be a whole number >= 1 or None, got {count!r}")
        if count is not None and count < 1:
            raise ValueError(f"{name} must be >= 1, got {count}")
    policy = as_policy(agent)
    if env_fn is None:
        env_fn = getattr(agent, "env_fn", None)
        if env_fn is None:
            raise TypeError(
                f"evaluate needs env_fn to evaluate a {type(agent).__name__} "
                "(only a student brings its own)"
            )
    first = env_fn()
    env_class = type(first.unwrapped)
    if not issubclass(env_class, TaskEnv):
        first.close()
        raise TypeError(f"evaluate needs a teachgym TaskEnv, got {env_class.__name__}")
    episodes = env_class.mastery_episodes if episodes_per_task is None else episodes_per_task
    greedy = env_class.evaluation_deterministic if deterministic is None else deterministic
    if max_envs is None and greedy:
        max_envs = GREEDY_SIDE_BY_SIDE
    with seeded_global_rngs(seed):
        returns, judged = _play(
            policy, env_fn, first, env_class, task_list, episodes, seed, greedy, max_envs
        )
    successes = None
    if all(s is not None for row in judged for s in row):
        successes = np.asarray(judged, dtype=bool)
    mastered = None
    if env_class.mastery_return is not None:
        mastered = np.array(
            [
                env_class.mastered(row, None if successes is None else successes[i])
                for i, row in enumerate(returns)
            ],
            dtype=bool,
        )
    return Evaluation(returns, successes, mastered, seed, greedy)


def _play(
    policy: Any,
    env_fn: EnvFn,
    first: gym.Env[Any, Any],
    env_class: type[TaskEnv[Any, Any]],
    tasks: list[Task],
    episodes: int,
    seed: int,
    deterministic: bool,
    max_envs: int | None,
) -> tuple[np.ndarray, list[list[bool | None]]]:
    """Every episode, side by side on up to ``max_envs`` environments; episode ``j`` (task
    ``j // episodes``) is reset with ``seed + j``. Returns (returns, successes)."""
    total = len(tasks) * episodes
    slots = total if max_envs is None else min(max_envs, total)
    envs = [first]
    returns = np.zeros(total)
    judged: list[bool | None] = [None] * total
    masks = bool(getattr(policy, "uses_action_masks", False))
    act_batch = getattr(policy, "act_batch", None)
    recurrent = bool(getattr(policy, "recurrent", False))  # wants slots and episode starts
    fresh = [True] * slots
    try:
        envs += [env_fn() for _ in range(slots - 1)]
        pending = iter(range(total))
        episode = [0] * slots
        observations: list[Any] = [None] * slots
        sums = [0.0] * slots

        def start(slot: int) -> bool:
            j = next(pending, None)
            if j is None:
                return False
            observations[slot], _ = envs[slot].reset(
                seed=seed + j, options={"task": tasks[j // episodes]}
            )
            episode[slot], sums[slot], fresh[slot] = j, 0.0, True
            return True

        running = [slot for slot in range(slots) if start(slot)]
        while running:
            batch = [observations[slot] for slot in running]
            if masks:
                mask = np.stack([envs[slot].get_wrapper_attr("action_masks")() for slot in running])
                actions = act_batch(batch, deterministic, action_masks=mask)  # type: ignore[misc]
            elif recurrent:
                starts = [fresh[slot] for slot in running]
                actions = act_batch(  # type: ignore[misc]
                    batch, deterministic, slots=running, episode_starts=starts
                )
            elif act_batch is not None:
                actions = act_batch(batch, deterministic)
            else:
                actions = [policy.act(observation, deterministic) for observation in batch]
            still = []
            for slot, action in zip(running, actions, strict=True):
                fresh[slot] = False
                observations[slot], reward, terminated, truncated, info = envs[slot].step(action)
                sums[slot] += float(reward)
                if terminated or truncated:
                    j = episode[slot]
                    returns[j] = sums[slot]
                    judged[j] = env_class.episode_succeeded(sums[slot], info)
                    if start(slot):
                        still.append(slot)
                else:
                    still.append(slot)
            running = still
    finally:
        for env in envs:
            env.close()
    rows = [judged[i * episodes : (i + 1) * episodes] for i in range(len(tasks))]
    return returns.reshape(len(tasks), episodes), rows


def __getattr__(name: str) -> Any:
    """``PeriodicEvaluator`` and ``EvaluationPoint`` load Stable-Baselines3 on first use."""
    if name in ("PeriodicEvaluator", "EvaluationPoint"):
        from teachgym.evaluation import periodic

        return getattr(periodic, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Evaluation",
    "EvaluationPoint",
    "PeriodicEvaluator",
    "as_policy",
    "evaluate",
    "seeded_global_rngs",
]
