"""``check_student``: every finished episode reaches the teacher exactly once.

The contract (``CONTRIBUTING.md``, "Add a student"): when a student learns from a
curriculum, each episode that finishes (terminated or truncated) in any of its
environments is reported to the teacher once, with the task it ran on, its return
and its length; no episode is lost, none is reported twice, and nothing is
reported that did not run. That holds on the vector path too, where SB3 resets
sub-environments inside ``step()``, and for deferred reports (students that score
episodes at the end of a rollout report them then).

The check builds the student on environments that write every finished episode
to a ledger file (so sub-processes count too) and trains it with a small counting
teacher that stamps every task it hands out with a fresh ``level_seed``. It then
compares the ledger with the teacher's reports.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from teachgym.checks.errors import ContractError
from teachgym.curriculum import Curriculum
from teachgym.tasks import LEVEL_SEED, Task, TaskSpace
from teachgym.teachers import Outcome, Teacher
from teachgym.teachers.capabilities import ADVANTAGE, LEARNING_POTENTIAL, REGRET

EnvFn = Callable[[], gym.Env[Any, Any]]
StudentFn = Callable[[EnvFn], Any]
"""Builds a student on an environment factory: ``student_fn(env_fn) -> Student``."""

FIRST_TASK_ID = 1_000_003
"""``level_seed`` of the first task the counting teacher hands out (then + 1 each)."""


class _EpisodeLedger(gym.Wrapper[Any, Any, Any, Any]):
    """Appends ``{"id", "return", "length"}`` to a file at the end of every episode."""

    def __init__(self, env: gym.Env[Any, Any], path: str) -> None:
        super().__init__(env)
        self.path = path
        self._id: int | None = None
        self._return, self._length = 0.0, 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        observation, info = self.env.reset(seed=seed, options=options)
        task = info.get("task") or (options or {}).get("task") or {}
        self._id = task.get(LEVEL_SEED)
        self._return, self._length = 0.0, 0
        return observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        self._return += float(reward)
        self._length += 1
        if terminated or truncated:
            line = json.dumps({"id": self._id, "return": self._return, "length": self._length})
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, (line + "\n").encode())
            finally:
                os.close(descriptor)
        return observation, reward, terminated, truncated, info


class _LedgerEnvFn:
    """Picklable factory: ``env_fn()`` wrapped in an :class:`_EpisodeLedger`."""

    def __init__(self, env_fn: EnvFn, path: str) -> None:
        self.env_fn = env_fn
        self.path = path

    def __call__(self) -> gym.Env[Any, Any]:
        return _EpisodeLedger(self.env_fn(), self.path)


class CountingTeacher(Teacher):
    """Uniform tasks, each stamped with a fresh ``level_seed``; counts what comes back.

    Attributes:
        handed_out: ``level_seed`` -> task, for every task sampled.
        reports: ``(level_seed, outcome)`` in the order reported.
        discarded: ``level_seed`` of tasks the student gave back unplayed.
    """

    name = "counting"

    def __init__(self, task_space: TaskSpace, seed: int | None = None) -> None:
        super().__init__(task_space, seed)
        self.handed_out: dict[int, Task] = {}
        self.reports: list[tuple[int, Outcome]] = []
        self.discarded: list[int] = []

    def _sample(self) -> Task:
        task = self.task_space.sample(self.rng)
        task[LEVEL_SEED] = FIRST_TASK_ID + len(self.handed_out)
        self.handed_out[task[LEVEL_SEED]] = task
        return dict(task)

    def _update(self, task: Task, outcome: Outcome) -> None:
        self.reports.append((_task_id(task, "reported"), outcome))

    def discard(self, task: Mapping[str, Any]) -> None:
        self.discarded.append(_task_id(task, "discarded"))


class ScoredCountingTeacher(CountingTeacher):
    """A counting teacher that needs a learning-potential score (deferred reports)."""

    name = "counting-scored"
    requires_score = True
    score_kind = LEARNING_POTENTIAL


class AdvantageCountingTeacher(CountingTeacher):
    """A counting teacher that needs each episode's mean absolute advantage (DUMP, SEC)."""

    name = "counting-advantage"
    requires_score = True
    score_kind = ADVANTAGE


class RegretCountingTeacher(CountingTeacher):
    """A counting teacher that needs a regret score (PAIRED's students)."""

    name = "counting-regret"
    requires_score = True
    score_kind = REGRET


class ValuedCountingTeacher(CountingTeacher):
    """A counting teacher that needs the student's value of each episode's initial state."""

    name = "counting-valued"
    requires_value = True


class TaskValuedCountingTeacher(CountingTeacher):
    """A counting teacher that asks the student's critic for the value of every task it
    hands out, before it is played (``requires_task_values``).

    Attributes:
        task_values: the critic's value of each task sampled.
    """

    name = "counting-task-valued"
    requires_task_values = True

    def __init__(self, task_space: TaskSpace, seed: int | None = None) -> None:
        super().__init__(task_space, seed)
        self.task_values: list[float] = []

    def _sample(self) -> Task:
        task = super()._sample()
        assert self.task_critic is not None  # sample() refuses to run without one
        values = np.asarray(self.task_critic([task]), dtype=np.float64).reshape(-1)
        if values.shape != (1,) or not np.all(np.isfinite(values)):
            raise ContractError(
                f"the student's critic of tasks gave {values.tolist()} for one task, not one "
                "finite value"
            )
        self.task_values.append(float(values[0]))
        return task


def _task_id(task: Mapping[str, Any], what: str) -> int:
    task_id = task.get(LEVEL_SEED)
    if not isinstance(task_id, int):
        raise ContractError(
            f"the student {what} a task without the level_seed the teacher gave it: {dict(task)}"
        )
    return task_id


def check_student(
    student: str | StudentFn,
    env_fn: EnvFn,
    total_steps: int = 64,
    per_episode: bool = True,
    seed: int = 0,
    **student_kwargs: Any,
) -> None:
    """Check that a student reports every finished episode to the teacher exactly once.

    Args:
        student: a registered student name (built with ``make_student(name, env_fn,
            seed=seed, **student_kwargs)``) or a function ``env_fn -> Student``. The
            check builds the student itself, on environments that count episodes.
        env_fn: builds one environment (a teachgym task environment).
        total_steps: environment steps to learn for; enough for a few episodes.
        per_episode: ``True`` (the default) if the student plays each task it takes from
            the curriculum for one episode. ``False`` for students that play a task
            several times and report it once (PAIRED's students report each level once,
            or give it back with ``teacher.discard``); then the check is per task.
        seed: the student's seed (for names) and the counting teacher's.

    The student learns with a :class:`CountingTeacher`, and once more with a teacher
    that needs each score kind the student declares it gives (``score_kinds``), so
    deferred reports are checked too, with one that needs values if the student
    declares ``provides_values``, and with one that values every task with the student's
    critic before it is played if it declares ``provides_task_values``.

    Raises:
        ContractError: naming what was lost, reported twice or reported wrongly.
        ValueError: if no episode finished within ``total_steps`` (raise it).
    """
    build = _builder(student, seed, student_kwargs)
    probe = build(env_fn)
    try:
        label = f"student {probe.describe()}" if hasattr(probe, "describe") else "student"
        teachers = _teachers_for(probe, env_fn, seed)
    finally:
        probe.close()
    for teacher in teachers:
        _check_one(build, env_fn, teacher, total_steps, per_episode, label)


def _builder(student: str | StudentFn, seed: int, kwargs: dict[str, Any]) -> StudentFn:
    if isinstance(student, str):
        from teachgym.agents import make_student

        name = student
        return lambda env_fn: make_student(name, env_fn, seed=seed, **kwargs)
    if not callable(student):
        raise TypeError(
            f"check_student needs a student name or a function env_fn -> Student, got "
            f"{type(student).__name__}"
        )
    if kwargs:
        raise ValueError("check_student: hyperparameters go with a student name only")
    return student


def _teachers_for(student: Any, env_fn: EnvFn, seed: int) -> list[CountingTeacher]:
    env = env_fn()
    space = getattr(env.unwrapped, "task_space", None)
    env.close()
    if not isinstance(space, TaskSpace):
        raise TypeError(
            f"check_student needs a task environment (with a task_space); env_fn built a "
            f"{type(env.unwrapped).__name__}"
        )
    kinds = set(getattr(student, "score_kinds", ()))
    required = getattr(student, "required_teacher_score", None)
    teachers: list[CountingTeacher] = []
    if required is None:
        teachers.append(CountingTeacher(space, seed=seed))
    if LEARNING_POTENTIAL in kinds or required == LEARNING_POTENTIAL:
        teachers.append(ScoredCountingTeacher(space, seed=seed))
    if ADVANTAGE in kinds or required == ADVANTAGE:
        teachers.append(AdvantageCountingTeacher(space, seed=seed))
    if REGRET in kinds or required == REGRET:
        teachers.append(RegretCountingTeacher(space, seed=seed))
    if getattr(student, "provides_values", False) and required is None:
        teachers.append(ValuedCountingTeacher(space, seed=seed))
    if getattr(student, "provides_task_values", False) and required is None:
        teachers.append(TaskValuedCountingTeacher(space, seed=seed))
    return teachers


def _read_ledger(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def _check_one(
    build: StudentFn,
    env_fn: EnvFn,
    teacher: CountingTeacher,
    total_steps: int,
    per_episode: bool,
    label: str,
) -> None:
    how = f"{label} with a teacher that " + (
        f"needs a {teacher.score_kind} score"
        if teacher.requires_score
        else "needs values"
        if teacher.requires_value
        else "values tasks with its critic"
        if teacher.requires_task_values
        else "needs no score"
    )
    with tempfile.TemporaryDirectory() as directory:
        ledger_path = Path(directory) / "episodes.jsonl"
        learner = build(_LedgerEnvFn(env_fn, str(ledger_path)))
        try:
            learner.learn(Curriculum(teacher), total_steps)
        except ValueError as exc:
            if teacher.requires_value and "value" in str(exc):
                raise ContractError(
                    f"{how}: it declares provides_values, but a report had no value ({exc})"
                ) from exc
            if teacher.requires_task_values and "critic" in str(exc):
                raise ContractError(
                    f"{how}: it declares provides_task_values, but gave the curriculum no "
                    f"critic ({exc})"
                ) from exc
            raise
        finally:
            learner.close()
        ledger = _read_ledger(ledger_path)
    if not ledger:
        raise ValueError(
            f"check_student: no episode finished in {total_steps} steps of {how}; "
            "give a larger total_steps or an environment with shorter episodes"
        )
    strangers = [e["id"] for e in ledger if e["id"] not in teacher.handed_out]
    if strangers:
        raise ContractError(
            f"{how}: {len(strangers)} episode(s) ran on tasks the teacher never handed out "
            f"(level_seed {strangers[:3]}); take every task from the curriculum"
        )
    reported = Counter(task_id for task_id, _ in teacher.reports)
    twice = sorted(task_id for task_id, n in reported.items() if n > 1)
    if twice:
        raise ContractError(
            f"{how}: {len(twice)} task(s) reported more than once (level_seed {twice[:3]})"
        )
    unknown = sorted(set(reported) - set(teacher.handed_out))
    if unknown:
        raise ContractError(f"{how}: reported tasks the teacher never handed out: {unknown[:3]}")
    played = Counter(e["id"] for e in ledger)
    never_played = sorted(set(reported) - set(played))
    if never_played:
        raise ContractError(
            f"{how}: reported {len(never_played)} task(s) whose episode never finished "
            f"(level_seed {never_played[:3]})"
        )
    settled = set(reported) | set(teacher.discarded)
    lost = sorted(set(played) - settled)
    if lost:
        raise ContractError(
            f"{how}: {len(lost)} of {len(played)} finished task(s) never reached the teacher "
            f"(level_seed {lost[:3]}); report every finished episode"
        )
    if not per_episode:
        return
    replayed = sorted(task_id for task_id, n in played.items() if n > 1)
    if replayed:
        raise ContractError(
            f"{how}: {len(replayed)} task(s) ran in more than one episode (level_seed "
            f"{replayed[:3]}), so episodes were reported once per task; take a new task "
            "from the curriculum for every episode (or check with per_episode=False)"
        )
    outcomes = dict(teacher.reports)
    for episode in ledger:
        outcome = outcomes[episode["id"]]
        if outcome.length != episode["length"] or not math.isclose(
            float(outcome.episode_return), episode["return"], rel_tol=1e-6, abs_tol=1e-6
        ):
            raise ContractError(
                f"{how}: the episode on level_seed {episode['id']} returned "
                f"{episode['return']:.6g} in {episode['length']} steps, but the teacher was told "
                f"{float(outcome.episode_return):.6g} in {outcome.length}"
            )
    if teacher.requires_score and any(
        outcome.score is None or not np.isfinite(outcome.score) for outcome in outcomes.values()
    ):
        raise ContractError(f"{how}: a report lacks a finite score")
