"""PAIRED's two students: a protagonist and an antagonist, trained on designed levels.

:class:`PairedStudent` (student ``paired-ppo``) works with a teacher that learns from
regret (declares ``score_kind = "regret"``), such as the ``paired`` teacher
(:class:`teachgym.teachers.paired.PairedTeacher`, the adversary). Each round:

1. the adversary designs ``levels_per_round`` levels (``curriculum.next_task()``);
2. the protagonist and the antagonist (two SB3 PPO students) each train for
   ``steps_per_round`` environment steps on those levels, in turn;
3. each level's regret is the antagonist's best return minus the protagonist's
   mean return on it (PAIRED's estimate); the level is reported to the adversary
   as ``Outcome(protagonist mean return, score=regret)``.

The step budget counts the protagonist's steps (the antagonist takes as many
again). Acting, evaluation and the ``Student`` interface use the protagonist.
Both students are SB3 PPO by default; ``algo="recurrent-ppo"`` makes both the LSTM
student (:class:`SB3Student`'s ``recurrent-ppo``), as the published maze agents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents.sb3_student import SB3Student
from teachgym.agents.student import EnvFn, ProgressFn, Student
from teachgym.curriculum import Curriculum
from teachgym.params import get_params, json_ready
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers import Outcome, Teacher
from teachgym.teachers.capabilities import REGRET
from teachgym.teachers.level_buffer import level_key

PAIRED_ALGOS = ("ppo", "recurrent-ppo")
"""Algorithms :class:`PairedStudent`'s two students can use."""


class LevelCycle(Teacher):
    """Hands out a fixed list of levels round robin and keeps each level's returns."""

    name = "paired-level-cycle"

    def __init__(self, task_space: TaskSpace, seed: int | None = None) -> None:
        super().__init__(task_space, seed)
        self.levels: list[Task] = []
        self.next_index = 0
        self.returns: dict[str, list[float]] = defaultdict(list)

    def set_levels(self, levels: list[Task]) -> None:
        """Start a round on ``levels`` (forgetting the returns of the previous round)."""
        if not levels:
            raise ValueError("a round needs at least one level")
        self.levels = [dict(level) for level in levels]
        self.next_index = 0
        self.returns = defaultdict(list)

    def _sample(self) -> Task:
        if not self.levels:
            raise RuntimeError("no levels to play: call set_levels() first")
        level = self.levels[self.next_index % len(self.levels)]
        self.next_index += 1
        return dict(level)

    def _update(self, task: Task, outcome: Outcome) -> None:
        self.returns[level_key(task)].append(float(outcome.episode_return))


class PairedStudent(Student):
    """Protagonist and antagonist SB3 PPO students for the ``paired`` teacher.

    Args:
        env_fn: builds one environment.
        seed: seed of the protagonist (the antagonist uses ``seed + 1``).
        levels_per_round: levels the adversary designs per round.
        steps_per_round: environment steps each student trains per round.
        algo: both students' algorithm, ``"ppo"`` or ``"recurrent-ppo"``.
        protagonist_callbacks: extra SB3 callbacks of the protagonist's ``learn`` calls
            only (such as a held-out learning curve of the evaluated student).
        **ppo_kwargs: passed to both :class:`SB3Student` (``n_envs``, ``n_steps``, ...).
    """

    name = "paired-ppo"
    score_kinds = frozenset({REGRET})
    required_teacher_score = REGRET

    def __init__(
        self,
        env_fn: EnvFn,
        seed: int = 0,
        levels_per_round: int = 16,
        steps_per_round: int = 4096,
        algo: str = "ppo",
        protagonist_callbacks: Sequence[BaseCallback] = (),
        **ppo_kwargs: Any,
    ) -> None:
        super().__init__(env_fn, seed)
        if levels_per_round < 1 or steps_per_round < 1:
            raise ValueError(
                f"levels_per_round and steps_per_round must be >= 1, got {levels_per_round} "
                f"and {steps_per_round}"
            )
        self.levels_per_round = levels_per_round
        if algo not in PAIRED_ALGOS:
            raise ValueError(f"algo must be one of {PAIRED_ALGOS}, got {algo!r}")
        self.steps_per_round = steps_per_round
        self.algo = algo
        self.ppo_kwargs = ppo_kwargs
        shared = list(ppo_kwargs.pop("callbacks", None) or [])
        self.protagonist = SB3Student(
            env_fn, algo=algo, seed=seed, callbacks=[*shared, *protagonist_callbacks],
            **ppo_kwargs,
        )  # fmt: skip
        self.antagonist = SB3Student(
            env_fn, algo=algo, seed=seed + 1, callbacks=shared, **ppo_kwargs
        )
        self._cycles: dict[str, LevelCycle] = {}

    def get_params(self) -> dict[str, Any]:
        """Its own arguments and the PPO arguments (not callbacks), JSON-ready."""
        own = get_params(self, skip=("env_fn", "protagonist_callbacks"))
        return {**own, **json_ready(self.ppo_kwargs)}

    @property
    def step_granularity(self) -> int:
        """One round: ``steps_per_round`` steps."""
        return self.steps_per_round

    def _cycle(self, role: str, task_space: TaskSpace) -> LevelCycle:
        if role not in self._cycles:
            self._cycles[role] = LevelCycle(task_space)
        return self._cycles[role]

    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        teacher = curriculum.teacher
        self.check_teacher(teacher)
        done = 0
        while done < total_steps:
            steps = min(self.steps_per_round, total_steps - done)
            levels = [curriculum.next_task() for _ in range(self.levels_per_round)]
            returns = {}
            for role, student in (
                ("protagonist", self.protagonist),
                ("antagonist", self.antagonist),
            ):
                cycle = self._cycle(role, teacher.task_space)
                cycle.set_levels(levels)
                student.learn(Curriculum(cycle), steps)
                returns[role] = cycle.returns
            for level in levels:
                key = level_key(level)
                mine, theirs = returns["protagonist"].get(key), returns["antagonist"].get(key)
                if not mine or not theirs:
                    teacher.discard(level)
                    continue
                regret = max(theirs) - float(np.mean(mine))
                curriculum.report(level, Outcome(float(np.mean(mine)), score=regret))
            done += steps
            self.steps_done += steps
            if progress is not None:
                progress(steps)

    def act(self, observation: Any, deterministic: bool = True) -> Any:
        return self.protagonist.act(observation, deterministic)

    def act_batch(self, observations: Sequence[Any], deterministic: bool = True) -> list[Any]:
        return self.protagonist.act_batch(observations, deterministic)

    def _save_model(self, directory: Path) -> None:
        for role, student in (("protagonist", self.protagonist), ("antagonist", self.antagonist)):
            (directory / role).mkdir(parents=True, exist_ok=True)
            student._save_model(directory / role)

    def _load_model(self, directory: Path) -> None:
        for role, student in (("protagonist", self.protagonist), ("antagonist", self.antagonist)):
            student._load_model(directory / role)

    def close(self) -> None:
        super().close()
        self.protagonist.close()
        self.antagonist.close()
