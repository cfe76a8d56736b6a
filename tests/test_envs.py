"""The environment contract and the learnability grid."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import teachgym
from teachgym.agents.simulated import SimulatedStudent
from teachgym.envs import env_factory, env_info
from teachgym.envs.learnability_grid import LearnabilityGridEnv


def test_make_with_fixed_task_and_default_task():
    env = gym.make("teachgym/LearnabilityGrid-v0", task={"x0": 0.55, "x1": 0.95})
    _, info = env.reset(seed=0)
    assert info["task"] == {"x0": 0.55, "x1": 0.95} and info["cell"] == (5, 9)
    env = gym.make("teachgym/LearnabilityGrid-v0")
    assert env.reset()[1]["task"] == {"x0": 0.0, "x1": 0.0}
    with pytest.raises(ValueError, match="'x1'"):
        gym.make("teachgym/LearnabilityGrid-v0", task={"x0": 0.5, "x1": 1.5})


def grid_student(**kwargs) -> SimulatedStudent:
    return SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0", **kwargs))


def test_grid_competence_unlocks_through_previous_neighbours():
    student = grid_student(dims=2, cells_per_dim=10)
    far = {"x0": 0.15, "x1": 0.05}  # cell (1, 0): previous neighbours are (0, 0) only
    assert student.practice(far) == 0.0  # locked: origin not mastered yet
    rewards = [student.practice({"x0": 0.0, "x1": 0.0}) for _ in range(100)]
    assert rewards[0] == 0.01 and rewards[75] == 0.76 and rewards[-1] == 1.0
    assert student.practice({"x0": 0.0, "x1": 0.0}) == 1.0  # capped at 100
    assert student.practice(far) == 0.01  # unlocked now
    diagonal = {"x0": 0.15, "x1": 0.15}  # (1, 1): previous are (0,0), (0,1), (1,0)
    assert student.practice(diagonal) == 0.01
    assert student.table.score() == 1.0  # 1 of 100 cells mastered
    assert student.grid.competence_of(far) == 0.01  # reading does not train
    assert student.grid.competence_of(far) == 0.01


def test_grid_env_reads_the_observed_table_and_never_changes_it():
    table = np.zeros((4, 4), dtype=np.int64)
    env = LearnabilityGridEnv(dims=2, cells_per_dim=4, competence=table)
    table[1, 2] = 80  # the student learned; the env sees it without a copy
    for seed in (0, 1, None):  # seeded resets keep the student
        _, info = env.reset(seed=seed, options={"task": {"x0": 0.3, "x1": 0.6}})
        _, reward, terminated, _, info = env.step(0)
        assert (reward, terminated, info["is_success"], info["cell"]) == (0.8, True, True, (1, 2))
    assert table.sum() == 80  # stepping does not train
    alone = LearnabilityGridEnv(dims=2, cells_per_dim=4)  # no student: nothing ever learned
    for _ in range(3):
        alone.reset(options={"task": {"x0": 0.0, "x1": 0.0}})
        assert alone.step(0)[1] == 0.0
    with pytest.raises(ValueError, match=r"shape \(3, 3\).*needs \(4, 4\)"):
        env.observe(np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="integer numpy array"):
        env.observe(np.zeros((4, 4)))


def test_grid_test_set_covers_every_cell_once():
    student = grid_student(dims=3, cells_per_dim=4)
    assert student.grid.task_space.names == ["x0", "x1", "x2"]
    for _ in range(80):
        student.practice({"x0": 0.0, "x1": 0.0, "x2": 0.0})
    tasks = student.grid.test_set().tasks
    assert len(tasks) == 64
    assert len({student.grid.cell_of(t) for t in tasks}) == 64
    mastered = np.mean([student.grid.is_mastered(student.grid.competence_of(t)) for t in tasks])
    assert 100 * mastered == student.table.score() == pytest.approx(100 / 64)


def test_grid_rejects_bad_config_and_step_without_reset():
    with pytest.raises(ValueError, match="dims"):
        LearnabilityGridEnv(dims=0)
    env = LearnabilityGridEnv()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_catalog_and_factory():
    assert env_info("LearnabilityGrid-v0").env_id == "teachgym/LearnabilityGrid-v0"
    with pytest.raises(ValueError, match="unknown environment 'Nope-v0'"):
        env_factory("Nope-v0")
    env = env_factory("teachgym/LearnabilityGrid-v0", dims=5, cells_per_dim=4)()
    assert env.unwrapped.task_space.dim == 5
    assert teachgym.__version__


def test_mastery_rule_uses_the_mean_of_greedy_returns():
    assert LearnabilityGridEnv.mastered([0.8, 0.76])
    assert not LearnabilityGridEnv.mastered([0.8, 0.7])  # mean 0.75 is not above 0.75
    with pytest.raises(ValueError, match="at least one episode"):
        LearnabilityGridEnv.mastered([])


def test_grid_unlocks_at_75_but_masters_above_75():
    """As the reference toy environment's code: unlock at >= 75, mastered at > 75."""
    student = grid_student(dims=2, cells_per_dim=10)
    for _ in range(74):
        student.practice({"x0": 0.0, "x1": 0.0})
    assert student.practice({"x0": 0.0, "x1": 0.15}) == 0.0  # origin at 74: still locked
    assert student.practice({"x0": 0.0, "x1": 0.0}) == 0.75
    assert student.table.score() == 0.0  # 75 is not mastered
    assert student.practice({"x0": 0.0, "x1": 0.15}) == 0.01  # but it unlocks the neighbour
