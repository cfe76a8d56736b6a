"""The simulated student owns the learnability grid's competence table."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.agents import make_student
from teachgym.agents.simulated import CompetenceTable, SimulatedStudent
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.evaluation import evaluate
from teachgym.teachers import make_teacher

GRID = "teachgym/LearnabilityGrid-v0"


def trained_student(episodes: int, teacher: str = "covar-gmm") -> SimulatedStudent:
    student = SimulatedStudent(env_factory(GRID), seed=0)
    grid = student.grid
    kwargs = {} if teacher == "random" else {"return_bounds": grid.return_bounds}
    student.learn(Curriculum(make_teacher(teacher, grid.task_space, seed=0, **kwargs)), episodes)
    return student


def test_trained_student_scores_above_an_untrained_one_through_generic_evaluation():
    assert not hasattr(SimulatedStudent, "evaluate")  # no special evaluation path
    env_fn = env_factory(GRID)
    tasks = env_fn().unwrapped.test_set().tasks
    untrained = SimulatedStudent(env_fn)
    trained = trained_student(3000)
    before = evaluate(untrained, tasks, episodes_per_task=2).to_dict()
    after = evaluate(trained, tasks, episodes_per_task=2).to_dict()
    assert before["percent_mastered"] == 0.0 and before["mean_return"] == 0.0
    assert after["percent_mastered"] == trained.table.score() > 0.0
    assert after["mean_return"] == pytest.approx(trained.table.values.mean() / 100)
    returns = np.asarray(after["returns"])
    assert returns.shape == (100, 2) and (returns[:, 0] == returns[:, 1]).all()


def test_evaluation_reads_the_table_without_training_it():
    student = trained_student(500, teacher="random")
    table = student.table.values.copy()
    tasks = student.grid.test_set().tasks
    first = evaluate(student, tasks, episodes_per_task=3, seed=7).returns
    second = evaluate(student, tasks, episodes_per_task=3, seed=7).returns
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(student.table.values, table)
    expected = [student.grid.competence_of(task) for task in tasks]
    np.testing.assert_array_equal(first[:, 0], expected)


def test_every_env_the_student_builds_observes_its_table():
    student = trained_student(200, teacher="random")
    assert student.table.values.sum() > 0
    env = student.env_fn()
    env.reset(seed=3, options={"task": {"x0": 0.0, "x1": 0.0}})
    expected = student.table.values[0, 0] / 100
    assert env.step(0)[1] == expected > 0
    stranger = env_factory(GRID)()  # a grid without this student has learned nothing
    stranger.reset(options={"task": {"x0": 0.0, "x1": 0.0}})
    assert stranger.step(0)[1] == 0.0


def test_learn_counts_one_step_per_episode_and_reports_every_episode():
    student = SimulatedStudent(env_factory(GRID))
    teacher = make_teacher("random", student.grid.task_space, seed=1)
    curriculum = Curriculum(teacher)
    steps: list[int] = []
    student.learn(curriculum, 250, progress=steps.append)
    assert student.steps_done == 250 == curriculum.episodes_reported == sum(steps)
    # Before the origin reaches 75 only the origin can learn: every other episode is locked.
    assert 0 < student.table.values[0, 0] < 75
    assert student.table.values.sum() == student.table.values[0, 0]


def test_save_and_load_restore_the_table(tmp_path):
    student = trained_student(1500)
    tasks = student.grid.test_set().tasks
    student.save(tmp_path)
    restored = make_student("simulated", env_factory(GRID))
    restored.load(tmp_path)
    assert isinstance(restored, SimulatedStudent) and restored.steps_done == 1500
    np.testing.assert_array_equal(restored.table.values, student.table.values)
    np.testing.assert_array_equal(
        evaluate(restored, tasks).returns, evaluate(student, tasks).returns
    )
    other = make_student("simulated", env_factory(GRID, cells_per_dim=5))
    with pytest.raises(ValueError, match=r"shape \(10, 10\).*same grid"):
        other.load(tmp_path)


def test_competence_table_rule():
    table = CompetenceTable(dims=2, cells_per_dim=3)
    assert table.values.shape == (3, 3) and table.unlocked((0, 0))
    assert not table.unlocked((1, 1))
    table.values[0, 1] = 75
    assert table.unlocked((1, 1)) and table.unlocked((1, 2)) and not table.unlocked((2, 2))
    table.values[0, 0] = 100
    table.practice((0, 0))
    assert table.values[0, 0] == 100  # capped
    table.forget()
    assert table.values.sum() == 0 and table.score() == 0.0
