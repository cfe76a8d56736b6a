"""``check_task_env``: the environment contract every teachgym environment keeps.

The contract (``CONTRIBUTING.md``, "Add an environment"): the env declares a
``task_space``; ``reset(options={"task": task})`` validates the task (an invalid
one is a ``ValueError`` naming the parameter), applies it and echoes it, canonical,
in ``info["task"]``; a task's ``level_seed`` pins the procedural content, so two
resets on the same task with the same ``level_seed`` give the same observation
whatever the reset seed and whatever level came between; an episode is determined
by its task and reset seed; the observation and action spaces are the same for
every task; every fixed test set holds valid tasks. Gymnasium's own ``check_env``
runs too. An environment whose first
observation also carries start-state noise from the reset seed declares
``start_noise = True``; its pinning is then checked under one reset seed.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

from teachgym.checks.equality import same
from teachgym.checks.errors import ContractError
from teachgym.tasks import LEVEL_SEED, Task, TaskSpace

PINNED_LEVEL_SEED = 12345
"""The ``level_seed`` the pinning check uses."""


def check_task_env(
    env: gym.Env[Any, Any],
    n_tasks: int = 4,
    steps_per_task: int = 3,
    seed: int = 0,
    gymnasium_check: bool = True,
) -> None:
    """Check that ``env`` keeps the task-environment contract (module docstring).

    Args:
        env: the environment, wrapped (``gymnasium.make``) or not.
        n_tasks: tasks drawn from the task space (seeded by ``seed``) besides the default.
        steps_per_task: random-action steps taken on each task (fewer if it ends).
        seed: seeds the tasks, the reset seeds and the sampled actions.
        gymnasium_check: also run ``gymnasium.utils.env_checker.check_env`` on the
            unwrapped env.

    Raises:
        ContractError: naming the broken contract, the task and what was seen.
        TypeError: if ``env`` is not a Gymnasium environment.
    """
    if not isinstance(env, gym.Env):
        raise TypeError(f"check_task_env needs a gymnasium.Env, got {type(env).__name__}")
    if n_tasks < 1 or steps_per_task < 0:
        raise ValueError(
            f"check_task_env needs n_tasks >= 1 and steps_per_task >= 0, "
            f"got {n_tasks} and {steps_per_task}"
        )
    name = type(env.unwrapped).__name__
    space = _task_space(env, name)
    rng = np.random.default_rng(seed)
    default = getattr(env.unwrapped, "default_task", None)
    try:
        tasks = [space.validate(default)] if default is not None else []
    except ValueError as exc:
        raise ContractError(f"{name}.default_task is not a valid task: {exc}") from None
    tasks += [space.sample(rng) for _ in range(n_tasks)]
    observation_space, action_space = env.observation_space, env.action_space
    action_space.seed(seed)
    for i, task in enumerate(tasks):
        observation = _reset_and_check_echo(env, name, space, task, seed + i)
        if env.observation_space != observation_space or env.action_space != action_space:
            raise ContractError(
                f"{name} changed its spaces on task {task}: observation "
                f"{observation_space} -> {env.observation_space}, action {action_space} -> "
                f"{env.action_space}; declare spaces that fit every task in __init__"
            )
        _check_in_space(name, "reset", task, observation, observation_space)
        _check_steps(env, name, task, observation_space, steps_per_task)
    _check_invalid_tasks(env, name, space, tasks[-1])
    _check_determinism(env, name, space, tasks[-1], seed)
    _check_test_sets(env, name, space)
    if gymnasium_check:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check_env(env.unwrapped, skip_render_check=True)
        except AssertionError as exc:
            raise ContractError(f"{name} fails Gymnasium's check_env: {exc}") from exc


def _task_space(env: gym.Env[Any, Any], name: str) -> TaskSpace:
    space = getattr(env.unwrapped, "task_space", None)
    if not isinstance(space, TaskSpace):
        raise ContractError(
            f"{name} has no task_space (a teachgym.tasks.TaskSpace), got {space!r}; "
            "derive from teachgym.envs.TaskEnv and declare one"
        )
    return space


def _reset_and_check_echo(
    env: gym.Env[Any, Any], name: str, space: TaskSpace, task: Task, seed: int
) -> Any:
    try:
        observation, info = env.reset(seed=seed, options={"task": task})
    except ValueError as exc:
        raise ContractError(f"{name} refused the valid task {task}: {exc}") from exc
    if not isinstance(info, dict) or "task" not in info:
        raise ContractError(
            f"{name}.reset did not echo the task in info['task'] (info keys: "
            f"{sorted(info) if isinstance(info, dict) else info!r}); put the validated task there"
        )
    expected = space.validate(task)
    if not same(info["task"], expected):
        raise ContractError(
            f"{name}.reset echoed info['task'] = {info['task']} for the task {expected}; "
            "echo the validated task it applied"
        )
    return observation


def _check_in_space(name: str, when: str, task: Task, value: Any, space: gym.Space[Any]) -> None:
    if not space.contains(value):
        raise ContractError(
            f"{name}.{when} on task {task} returned an observation outside its "
            f"observation_space {space}"
        )


def _check_steps(
    env: gym.Env[Any, Any],
    name: str,
    task: Task,
    observation_space: gym.Space[Any],
    steps: int,
) -> None:
    for _ in range(steps):
        observation, reward, terminated, truncated, info = env.step(env.action_space.sample())
        _check_in_space(name, "step", task, observation, observation_space)
        if not isinstance(reward, int | float | np.integer | np.floating) or not math.isfinite(
            float(reward)
        ):
            raise ContractError(f"{name}.step on task {task} gave the reward {reward!r}")
        if not isinstance(info, dict):
            raise ContractError(f"{name}.step on task {task} returned info {info!r}, not a dict")
        if terminated or truncated:
            return


def _invalid_variants(space: TaskSpace, task: Task) -> list[tuple[str, str, dict[str, Any]]]:
    """(what is wrong, the parameter the error must name, the task)."""
    first = space.names[0]
    missing = {k: v for k, v in task.items() if k != first}
    nonsense = {**task, first: "nonsense"}
    unknown = {**task, "not_a_parameter": 1}
    return [
        (f"parameter {first!r} missing", first, missing),
        (f"parameter {first!r} set to 'nonsense'", first, nonsense),
        ("an unknown parameter 'not_a_parameter'", "not_a_parameter", unknown),
        ("a negative level_seed", LEVEL_SEED, {**task, LEVEL_SEED: -1}),
    ]


def _check_invalid_tasks(env: gym.Env[Any, Any], name: str, space: TaskSpace, task: Task) -> None:
    for what, parameter, bad in _invalid_variants(space, task):
        try:
            env.reset(options={"task": bad})
        except ValueError as exc:
            if parameter not in str(exc):
                raise ContractError(
                    f"{name}.reset refused a task with {what}, but its error does not name "
                    f"{parameter!r}: {exc}"
                ) from exc
            continue
        except Exception as exc:
            raise ContractError(
                f"{name}.reset on a task with {what} raised {type(exc).__name__} ({exc}), not "
                "ValueError; validate tasks with task_space.validate"
            ) from exc
        raise ContractError(
            f"{name}.reset accepted a task with {what}; validate tasks with task_space.validate"
        )


def _check_determinism(
    env: gym.Env[Any, Any], name: str, space: TaskSpace, task: Task, seed: int
) -> None:
    first, _ = env.reset(seed=seed, options={"task": task})
    second, _ = env.reset(seed=seed, options={"task": task})
    if not same(first, second):
        raise ContractError(
            f"{name}: two resets on task {task} with the same seed {seed} gave different "
            "observations; draw all randomness from self.np_random / self.level_rng"
        )
    pinned = {**task, LEVEL_SEED: PINNED_LEVEL_SEED}
    other = {**task, LEVEL_SEED: PINNED_LEVEL_SEED + 1}
    # Start-state noise (declared) may change the first observation with the reset seed:
    # then the pinned level is compared under one reset seed, with another level between.
    noisy = bool(getattr(env.unwrapped, "start_noise", False))
    seeds = (seed + 1, seed + 1) if noisy else (seed + 1, seed + 2)
    first, _ = env.reset(seed=seeds[0], options={"task": pinned})
    env.reset(seed=seed + 3, options={"task": other})
    second, _ = env.reset(seed=seeds[1], options={"task": pinned})
    if not same(first, second):
        raise ContractError(
            f"{name}: two resets on task {pinned} (reset seeds {seeds[0]} and {seeds[1]}) gave "
            "different observations; the level_seed must pin the procedural content: draw it "
            "from self.level_rng"
            + ("" if noisy else " (declare start_noise = True if the reset seed adds noise)")
        )


def _check_test_sets(env: gym.Env[Any, Any], name: str, space: TaskSpace) -> None:
    test_sets = getattr(env.unwrapped, "test_sets", None)
    if test_sets is None:
        return
    for set_name, test_set in test_sets().items():
        if len(test_set.tasks) == 0:
            raise ContractError(f"{name}'s test set {set_name!r} holds no task")
        for task in test_set.tasks:
            try:
                space.validate(task)
            except ValueError as exc:
                raise ContractError(
                    f"{name}'s test set {set_name!r} holds an invalid task {task}: {exc}"
                ) from None
