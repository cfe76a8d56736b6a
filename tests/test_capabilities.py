"""Declared capabilities: a teacher written outside teachgym; refused teacher x student pairs."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents import PairedStudent, SB3Student, make_student
from teachgym.agents.robust_ppo import RobustPPO
from teachgym.agents.sb3_vec import CurriculumVecEnv
from teachgym.bench.suite import SuiteError, parse_suite
from teachgym.curriculum import EPISODE_INFO_KEY, Curriculum
from teachgym.envs import env_factory
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import LEVEL_SEED, Task
from teachgym.teachers import Outcome, Teacher, make_teacher
from teachgym.teachers.capabilities import BufferedLevels
from teachgym.teachers.level_scores import EpisodeTrace
from tests.toy_env import CountdownEnv

PPO_KWARGS = {"n_steps": 16, "batch_size": 16, "n_epochs": 1}
GRID = "teachgym/LearnabilityGrid-v0"


class RegretTeacher(Teacher):
    """A small regret teacher built on the protocol only (no teachgym teacher subclassed).

    It keeps up to ``capacity`` levels scored by MaxMC-style regret (best return seen on
    the level minus the mean value estimate), replays the highest-scoring one half of the
    time once it holds ``capacity`` levels, and declares itself robust: a new level is
    exploratory, so the student must only score it.
    """

    name = "test-regret"
    requires_score = True
    robust = True

    def __init__(self, task_space: Any, seed: int | None = None, capacity: int = 4) -> None:
        super().__init__(task_space, seed)
        self.capacity = capacity
        self.levels: list[Task] = []
        self.scores: list[float] = []
        self.best_returns: list[float] = []
        self.scored: list[tuple[bool, int]] = []
        """(exploratory?, trace length) of every ``episode_score`` call."""

    def _index(self, task: Mapping[str, Any]) -> int | None:
        for index, level in enumerate(self.levels):
            if level == dict(task):
                return index
        return None

    def _sample(self) -> Task:
        if len(self.levels) >= self.capacity and self.rng.random() < 0.5:
            return dict(self.levels[int(np.argmax(self.scores))])
        task = self.task_space.sample(self.rng)
        task[LEVEL_SEED] = int(self.rng.integers(2**31))
        return task

    def is_exploratory(self, task: Mapping[str, Any]) -> bool:
        return self._index(task) is None

    def episode_score(self, task: Mapping[str, Any], trace: EpisodeTrace) -> float:
        assert trace.values is not None
        index = self._index(task)
        best = trace.episode_return if index is None else self.best_returns[index]
        self.scored.append((index is None, len(trace.values)))
        return float(max(best, trace.episode_return) - np.mean(trace.values))

    def _update(self, task: Task, outcome: Outcome) -> None:
        assert outcome.score is not None
        index = self._index(task)
        if index is not None:
            self.scores[index] = outcome.score
            self.best_returns[index] = max(self.best_returns[index], outcome.episode_return)
        elif len(self.levels) < self.capacity:
            self.levels.append(task)
            self.scores.append(outcome.score)
            self.best_returns.append(outcome.episode_return)
        elif outcome.score > min(self.scores):
            lowest = int(np.argmin(self.scores))
            self.levels[lowest] = task
            self.scores[lowest] = outcome.score
            self.best_returns[lowest] = outcome.episode_return

    def buffer_levels(self) -> BufferedLevels:
        return BufferedLevels([dict(level) for level in self.levels], np.asarray(self.scores))


class TransitionTasks(BaseCallback):
    """Records the task of every transition of a rollout and RobustPPO's keep mask at
    each update (the mask the update really uses)."""

    def __init__(self, teacher: RegretTeacher) -> None:
        super().__init__()
        self.teacher = teacher
        self.rollouts: list[tuple[np.ndarray, np.ndarray]] = []
        self._exploratory: np.ndarray | None = None

    def _on_training_start(self) -> None:
        model = self.model
        train = model.train

        def recorded_train() -> None:
            assert self._exploratory is not None
            self.rollouts.append((self._exploratory.copy(), model.keep.copy()))
            train()

        model.train = recorded_train  # type: ignore[method-assign]

    def _on_rollout_start(self) -> None:
        self._exploratory = np.zeros((self.model.n_steps, self.training_env.num_envs), bool)

    def _on_step(self) -> bool:
        # SB3 stores this step's transition at rollout_buffer.pos right after this call.
        assert self._exploratory is not None
        position = self.model.rollout_buffer.pos
        venv = self.training_env
        assert isinstance(venv, CurriculumVecEnv)
        current = venv.venv.get_attr("current_task")
        for env_index, info in enumerate(self.locals["infos"]):
            episode = info.get(EPISODE_INFO_KEY)
            task = episode["task"] if episode is not None else current[env_index]
            # Levels enter the buffer only when reported (at the rollout's end), so
            # membership now is what the scoring callback sees.
            self._exploratory[position, env_index] = self.teacher.is_exploratory(task)
        return True


@pytest.mark.slow
def test_a_regret_teacher_written_outside_teachgym_trains_robust_ppo_with_masking():
    teacher = RegretTeacher(CountdownEnv.task_space, seed=0)
    recorder = TransitionTasks(teacher)
    student = SB3Student(
        functools.partial(CountdownEnv), n_envs=2, callbacks=[recorder], seed=0, **PPO_KWARGS
    )
    outcomes: list[Outcome] = []
    curriculum = Curriculum(teacher, listeners=[lambda record: outcomes.append(record.outcome)])
    student.learn(curriculum, 800)
    model = student.model
    assert isinstance(model, RobustPPO)  # chosen from the declared `robust` capability
    # Every episode was scored by the teacher's own hook over its whole length.
    assert len(outcomes) == len(teacher.scored) > 50
    assert [n for _, n in teacher.scored] == [o.length for o in outcomes]
    assert any(exploratory for exploratory, _ in teacher.scored)
    assert not all(exploratory for exploratory, _ in teacher.scored)
    # The keep mask of each update is exactly "not exploratory", transition by transition.
    assert len(recorder.rollouts) == model.num_timesteps // (16 * 2)
    for exploratory, keep in recorder.rollouts:
        np.testing.assert_array_equal(keep, ~exploratory)
    kept = sum(int(keep.sum()) for _, keep in recorder.rollouts)
    assert model.trained_steps == kept
    assert 0 < model.trained_steps < model.num_timesteps
    assert len(teacher.buffer_levels()) == teacher.capacity
    student.close()


def test_the_paired_teacher_refuses_a_student_that_gives_no_regret():
    teacher = make_teacher("paired", CountdownEnv.task_space, seed=0)
    with pytest.raises(TeachgymUsageError, match=r"needs a regret score.*'paired-ppo' student"):
        make_student("ppo", functools.partial(CountdownEnv), teacher=teacher)
    student = SB3Student(functools.partial(CountdownEnv), n_envs=2, **PPO_KWARGS)
    with pytest.raises(TeachgymUsageError, match="needs a regret score"):
        student.learn(Curriculum(teacher), 32)
    assert student.model is None  # refused before anything was built or trained
    assert make_student("paired-ppo", functools.partial(CountdownEnv), teacher=teacher)


def test_score_requiring_teachers_refuse_students_that_cannot_score():
    grid = env_factory(GRID)
    space = grid().unwrapped.task_space  # type: ignore[attr-defined]
    plr = make_teacher("plr", space, seed=0)
    with pytest.raises(TeachgymUsageError, match=r"learning-potential score.*'simulated'"):
        make_student("simulated", grid, teacher=plr)
    simulated = make_student("simulated", grid)
    with pytest.raises(TeachgymUsageError, match="use 'ppo' or 'a2c'"):
        simulated.learn(Curriculum(plr), 5)
    assert simulated.steps_done == 0
    continuous = functools.partial(CountdownEnv, continuous=True)
    robust = make_teacher("robust-plr", CountdownEnv.task_space, seed=0)
    with pytest.raises(TeachgymUsageError, match=r"student 'sac' .SB3 SAC. cannot give"):
        make_student("sac", continuous, teacher=robust)
    # A2C gives scores but cannot skip the gradient step on exploratory levels.
    with pytest.raises(TeachgymUsageError, match=r"forbids gradient steps.*'a2c'"):
        make_student("a2c", functools.partial(CountdownEnv), teacher=robust)
    assert make_student("a2c", functools.partial(CountdownEnv), teacher=plr)


def test_the_paired_student_refuses_a_teacher_that_learns_no_regret():
    plr = make_teacher("plr", CountdownEnv.task_space, seed=0)
    student = PairedStudent(functools.partial(CountdownEnv), n_envs=2, n_steps=16, batch_size=16)
    with pytest.raises(TeachgymUsageError, match="needs a learning-potential score"):
        student.learn(Curriculum(plr), 10)


@pytest.mark.parametrize(
    ("teachers", "pair", "refused", "message"),
    [
        (["random", "plr"], "teachers[1] x students[0]", "plr", "use 'ppo' or 'a2c'"),
        (["paired"], "teachers[0] x students[0]", "paired", "use the 'paired-ppo' student"),
    ],
)
def test_suite_validation_names_an_incompatible_pair_and_the_fix(teachers, pair, refused, message):
    suite = {
        "name": "pairs",
        "envs": [GRID],
        "teachers": teachers,
        "students": ["simulated"],
        "seeds": 1,
        "budget": 100,
        "evaluation": {"every": 50},
    }
    with pytest.raises(SuiteError) as error:
        parse_suite(suite)
    assert error.value.key == pair
    assert message in str(error.value)
    assert f"teacher {refused!r} cannot train student 'simulated'" in str(error.value)


def test_suite_validation_refuses_paired_teacher_with_a_ppo_student():
    suite = {
        "name": "pairs",
        "envs": ["teachgym/Maze-v0"],
        "teachers": ["plr", "paired"],
        "students": ["ppo", "paired-ppo"],
        "seeds": 1,
        "budget": 100,
        "evaluation": {"every": 50},
    }
    with pytest.raises(SuiteError) as error:
        parse_suite(suite)
    assert error.value.key == "teachers[1] x students[0]"
    assert "needs a regret score per episode, which student 'ppo' (SB3 PPO) cannot give" in str(
        error.value
    )
    # With matching students every pair is valid.
    fixed = {**suite, "grids": [{"teachers": ["plr"], "students": ["ppo"]},
                                {"teachers": ["paired"], "students": ["paired-ppo"]}]}  # fmt: skip
    del fixed["teachers"], fixed["students"]
    assert len(parse_suite(fixed).runs) == 2
