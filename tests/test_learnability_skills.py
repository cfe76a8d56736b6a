"""Skill variants of the learnability grid and the forgetting simulated student."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from teachgym.agents.simulated import SimulatedStudent
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.learnability_grid import LearnabilityGridEnv, RuggedMap
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate
from teachgym.teachers import make_teacher


def grid(env_id: str, **kwargs) -> LearnabilityGridEnv:
    env = gym.make(env_id, **kwargs).unwrapped
    assert isinstance(env, LearnabilityGridEnv)
    return env


def test_mostly_unfeasible_grid_never_learns_three_quarters_of_its_cells():
    env = grid("teachgym/LearnabilityGridUnfeasible-v0")
    assert env.table_shape == (20, 20)
    assert env.feasible_cells().mean() == pytest.approx(0.25)  # 75 % unfeasible
    student = SimulatedStudent(env_factory("teachgym/LearnabilityGridUnfeasible-v0"))
    student.table.values[9, 9] = 100  # a mastered neighbour of the unfeasible (10, 10)
    for cell in [(10, 10), (9, 10), (10, 9)]:
        student.table.practice(cell)
        assert student.table.values[cell] == 0
    student.table.values[8, 8] = 100
    student.table.practice((8, 9))  # feasible, next to a mastered cell
    assert student.table.values[8, 9] == 1
    # The test set holds the 100 learnable cells, so % mastered is out of those.
    tasks = env.test_set().tasks
    assert len(tasks) == 100 and {env.cell_of(t) for t in tasks} == {
        (i, j) for i in range(10) for j in range(10)
    }
    student.table.values[:10, :10] = 100
    assert evaluate(student, tasks).percent_mastered == 100.0 == student.table.score()


def test_mostly_trivial_grid_opens_the_first_layers_from_the_start():
    env = grid("teachgym/LearnabilityGridTrivial-v0")
    open_cells = env.open_cells()
    assert open_cells.mean() == pytest.approx(0.6) and open_cells[:6].all()
    assert not open_cells[6:].any()
    student = SimulatedStudent(env_factory("teachgym/LearnabilityGridTrivial-v0"))
    student.table.practice((5, 9))  # trivial: no mastered neighbour needed
    student.table.practice((6, 0))  # past the trivial layers, nothing mastered: locked
    assert student.table.values[5, 9] == 1 and student.table.values[6, 0] == 0
    student.table.values[5, 0] = 75
    student.table.practice((6, 0))
    assert student.table.values[6, 0] == 1
    # On the reference grid only the origin is open.
    assert grid("teachgym/LearnabilityGrid-v0").open_cells().sum() == 1


def test_rugged_map_is_a_seeded_bijection_of_shuffled_intervals():
    rugged = RuggedMap(dims=2, intervals=4, seed=3)
    assert sorted(rugged.permutations[0]) == sorted(rugged.permutations[1]) == [0, 1, 2, 3]
    points = np.random.default_rng(0).random((500, 2))
    np.testing.assert_allclose(rugged.inverse(rugged.forward(points)), points, atol=1e-12)
    np.testing.assert_allclose(rugged.forward(rugged.inverse(points)), points, atol=1e-12)
    # Within an interval the map is a shift (slope 1); interval k lands on permutations[k].
    image = rugged.forward(np.array([[0.1, 0.6]]))[0]
    p = rugged.permutations
    np.testing.assert_allclose(image, [(p[0, 0] + 0.4) / 4, (p[1, 2] + 0.4) / 4])
    np.testing.assert_array_equal(RuggedMap(2, 4, 3).permutations, p)
    assert any((RuggedMap(2, 4, s).permutations != p).any() for s in range(4, 10))
    np.testing.assert_allclose(RuggedMap(2, 1, 3).forward(points), points)


def test_rugged_grid_test_set_holds_every_cell_once_in_teacher_coordinates():
    env = grid("teachgym/LearnabilityGridRugged-v0")
    tasks = env.test_set().tasks
    cells = [env.cell_of(t) for t in tasks]
    assert len(set(cells)) == 100 == len(cells)
    plain = grid("teachgym/LearnabilityGrid-v0")
    assert sum(env.cell_of(t) != plain.cell_of(t) for t in tasks) > 50  # shuffled
    origin = env.cell_of(env.reset()[1]["task"])
    assert origin == (0, 0)  # the default task is the grid's origin


def test_distractor_dimensions_change_no_cell():
    env = grid("teachgym/LearnabilityGridDistractors-v0")
    assert env.task_space.names == ["x0", "x1", *[f"z{i}" for i in range(8)]]
    assert env.observation_space.shape == (10,)
    rng = np.random.default_rng(1)
    for _ in range(20):
        task = env.task_space.sample(rng)
        moved = {**task, **{f"z{i}": float(rng.random()) for i in range(8)}}
        assert env.cell_of(task) == env.cell_of(moved)


@pytest.mark.parametrize("kind", ["categorical", "integer"])
def test_discrete_grid_has_one_task_per_cell(kind):
    env = grid("teachgym/LearnabilityGridDiscrete-v0", cells_per_dim=4, task_kind=kind)
    tasks = env.test_set().tasks
    assert len(tasks) == 16 and len({env.cell_of(t) for t in tasks}) == 16
    for task in tasks:
        assert env.cell_of(env.task_of(env.cell_of(task))) == env.cell_of(task)
    if kind == "categorical":
        assert env.task_space.names == ["cell"] and env.cell_of({"cell": "2,3"}) == (2, 3)
    else:
        assert env.cell_of({"x0": 2, "x1": 3}) == (2, 3)
    student = SimulatedStudent(env_factory("teachgym/LearnabilityGridDiscrete-v0", task_kind=kind))
    student.learn(Curriculum(make_teacher("random", student.grid.task_space, seed=0)), 300)
    assert student.table.values[0, 0] > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"task_kind": "ordinal"}, "task_kind must be one of"),
        ({"task_kind": "categorical", "rugged_intervals": 4}, "need task_kind='continuous'"),
        ({"task_kind": "integer", "distractors": 2}, "need task_kind='continuous'"),
        ({"feasible_per_dim": 11}, r"feasible_per_dim must be an integer in \[1, 10\]"),
        ({"trivial_layers": -1}, r"trivial_layers must be an integer in \[0, 10\]"),
    ],
)
def test_bad_grid_arguments_are_one_line_errors(kwargs, message):
    with pytest.raises(TeachgymUsageError, match=message):
        LearnabilityGridEnv(**kwargs)


def practised_origin(student: SimulatedStudent, episodes: int) -> list[int]:
    competences = []
    for _ in range(episodes):
        student.practice({"x0": 0.0, "x1": 0.0})
        competences.append(int(student.table.values[0, 0]))
    return competences


def test_forgetting_student_resets_its_table_after_every_nth_episode(tmp_path):
    student = SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"), forget_every=30)
    curve = practised_origin(student, 70)
    assert curve[28] == 29 and curve[29] == 0  # the 30th episode ends with a reset
    assert curve[58] == 29 and curve[59] == 0 and curve[69] == 10
    # Resumed from a checkpoint, it forgets at the same episodes.
    resumed_from = SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"), forget_every=30)
    practised_origin(resumed_from, 40)
    resumed_from.save(tmp_path)
    resumed = SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"), forget_every=30)
    resumed.load(tmp_path)
    assert practised_origin(resumed, 30) == curve[40:70]
    other = SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"), forget_every=20)
    with pytest.raises(TeachgymUsageError, match="other settings"):
        other.load(tmp_path)


def test_decaying_student_loses_a_point_everywhere_every_kth_episode():
    student = SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"), decay_every=5)
    student.table.values[3, 3] = 50
    curve = practised_origin(student, 10)
    assert curve == [1, 2, 3, 4, 4, 5, 6, 7, 8, 8]
    assert student.table.values[3, 3] == 48
    for bad in (0, -3):
        with pytest.raises(TeachgymUsageError, match="decay_every must be an integer >= 1"):
            SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"), decay_every=bad)
