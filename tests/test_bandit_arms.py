"""Arms of the bandit teachers: grid cells and named sub-spaces of a task space."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.tasks import Categorical, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers.bandits.arms import MAX_ARMS, GridArms, SubspaceArms, make_arms

MIXED = TaskSpace(
    {
        "x": Continuous(0.0, 1.0),
        "k": Integer(2, 4),
        "color": Categorical(("red", "green")),
        "walls": IntArray((2, 2)),
    }
)


def test_grid_has_one_arm_per_value_choice_and_cell_and_draws_inside_it():
    arms = GridArms(MIXED, cells=4)
    assert arms.n_arms == 4 * 3 * 2
    assert arms.shape == (4, 3, 2)
    rng = np.random.default_rng(0)
    for arm in range(arms.n_arms):
        for _ in range(20):
            task = arms.sample(arm, rng)
            assert MIXED.validate(task) == task
            assert arms.arm_of(task) == arm
    # arm 0 is the first cell of x, k = 2, red; the last arm the last cell, k = 4, green
    assert arms.label(0) == "x=[0, 0.25) k=2 color='red'"
    assert arms.label(arms.n_arms - 1) == "x=[0.75, 1] k=4 color='green'"
    tasks = [arms.sample(5, rng) for _ in range(200)]  # x cell 0, k = 4, green
    assert {t["k"] for t in tasks} == {4} and {t["color"] for t in tasks} == {"green"}
    assert all(0.0 <= t["x"] < 0.25 for t in tasks)
    assert {np.asarray(t["walls"]).sum() for t in tasks} >= {1, 2, 3}  # arrays stay free


def test_grid_cells_are_half_open_and_the_last_holds_the_upper_bound():
    space = TaskSpace({"x": Continuous(-1.0, 1.0)})
    arms = GridArms(space, cells=4)
    assert [arms.arm_of({"x": v}) for v in (-1.0, -0.5, -0.25, 0.0, 0.5, 1.0)] == [
        0,
        1,
        1,
        2,
        3,
        3,
    ]


def test_grid_cells_per_parameter_and_uncut_parameters():
    space = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(0.0, 2.0)})
    arms = GridArms(space, cells={"y": 5})
    assert arms.n_arms == 5 and arms.label(1) == "y=[0.4, 0.8)"
    xs = [arms.sample(1, np.random.default_rng(i))["x"] for i in range(50)]
    assert min(xs) < 0.2 and max(xs) > 0.8  # x is uncut: uniform over [0, 1]
    assert GridArms(space, cells=1).label(0) == "all tasks"


@pytest.mark.parametrize(
    ("cells", "match"),
    [
        (0, "cells of 'x' must be an integer >= 1"),
        (2.5, "cells of 'x' must be an integer >= 1"),
        ({"k": 3}, "'k', which is not a continuous parameter"),
        (700, "more than the 262,144 a bandit teacher keeps"),
    ],
)
def test_grid_refuses_bad_cells(cells, match):
    with pytest.raises(ValueError, match=match):
        GridArms(
            MIXED if cells != 700 else TaskSpace({"x": Continuous(0, 1), "y": Continuous(0, 1)}),
            cells,
        )


def test_max_arms_is_the_documented_limit():
    assert MAX_ARMS == 262_144
    GridArms(TaskSpace({"x": Continuous(0, 1), "y": Continuous(0, 1)}), cells=512)


def test_subspaces_are_named_arms_drawn_uniformly_inside():
    arms = make_arms(
        MIXED,
        subspaces={
            "easy": {"x": [0.0, 0.5], "k": 2},
            "hard": {"x": [0.5, 1.0], "k": [3, 4], "color": ["green"]},
        },
    )
    assert isinstance(arms, SubspaceArms) and arms.labels() == ["easy", "hard"]
    rng = np.random.default_rng(1)
    easy = [arms.sample(0, rng) for _ in range(100)]
    hard = [arms.sample(1, rng) for _ in range(100)]
    assert all(0.0 <= t["x"] < 0.5 and t["k"] == 2 for t in easy)
    assert {t["color"] for t in easy} == {"red", "green"}  # left free
    assert all(0.5 <= t["x"] <= 1.0 and t["color"] == "green" for t in hard)
    assert {t["k"] for t in hard} == {3, 4}
    assert all(arms.arm_of(t) == 0 for t in easy) and all(arms.arm_of(t) == 1 for t in hard)
    assert arms.arm_of({"x": 1.0, "k": 3, "color": "green", "walls": [[0, 0], [0, 0]]}) == 1
    with pytest.raises(ValueError, match="lies in none of the sub-spaces"):
        arms.arm_of({"x": 0.7, "k": 2, "color": "red", "walls": [[0, 0], [0, 0]]})


@pytest.mark.parametrize(
    ("subspaces", "match"),
    [
        ({}, "non-empty mapping"),
        ({"a": {"x": [0.0, 0.6]}, "b": {"x": [0.5, 1.0]}}, "'a' and 'b' share tasks"),
        ({"a": {"color": "red"}, "b": {"x": [0.5, 1.0]}}, "share tasks"),
        ({"a": {"depth": 1}}, "restricts 'depth', not a parameter"),
        ({"a": {"walls": [[0, 0], [0, 0]]}}, "int_array parameter cannot be restricted"),
        ({"a": {"x": [0.5, 0.5]}}, "needs low < high"),
        ({"a": {"x": [0.0, 2.0]}}, r"must be a real number in \[0.0, 1.0\]"),
        ({"a": {"k": [4, 3]}}, "needs low <= high"),
        ({"a": {"color": ["red", "red"]}}, "distinct choices"),
        ({"a": {"color": "blue"}}, "one of"),
    ],
)
def test_subspaces_refuse_bad_lists(subspaces, match):
    with pytest.raises(ValueError, match=match):
        SubspaceArms(MIXED, subspaces)


def test_adjacent_half_open_subspaces_do_not_overlap():
    arms = SubspaceArms(MIXED, {"low": {"x": [0.0, 0.5]}, "high": {"x": [0.5, 1.0]}})
    free = {"k": 2, "color": "red", "walls": [[0, 0], [0, 0]]}
    assert arms.arm_of({"x": 0.5, **free}) == 1 and arms.arm_of({"x": 0.4999, **free}) == 0
