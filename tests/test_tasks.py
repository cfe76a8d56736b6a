"""TaskSpace: validation messages, sampling, vectors, test sets, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import (
    LEVEL_SEED,
    Categorical,
    Continuous,
    Fixed,
    IntArray,
    Integer,
    TaskSpace,
)
from tests.conftest import task_spaces


def valid(space: TaskSpace) -> dict:
    return space.sample(np.random.default_rng(0))


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"height": 3.5}, ["'height'", "[0.0, 3.0]", "3.5"]),
        ({"height": -0.1}, ["'height'", "[0.0, 3.0]"]),
        ({"height": float("nan")}, ["'height'", "nan"]),
        ({"height": float("inf")}, ["'height'", "inf"]),
        ({"height": "1.0"}, ["'height'", "'1.0'"]),
        ({"height": True}, ["'height'", "True"]),
        ({"steps": 2.5}, ["'steps'", "[1, 9]", "2.5"]),
        ({"steps": 10}, ["'steps'", "[1, 9]", "10"]),
        ({"color": "pink"}, ["'color'", "'red'", "'pink'"]),
        ({"walls": [[0, 1], [1, 0]]}, ["'walls'", "(3, 3)", "(2, 2)"]),
        ({"walls": [[0, 2, 0]] * 3}, ["'walls'", "[0, 1]"]),
        ({"walls": [[0.5, 0, 0]] * 3}, ["'walls'", "float64"]),
        ({"speed": 1.0}, ["unknown", "'speed'", "height"]),
        ({LEVEL_SEED: -3}, ["'level_seed'", "-3"]),
        ({LEVEL_SEED: 1.5}, ["'level_seed'", "1.5"]),
    ],
)
def test_invalid_tasks_name_parameter_range_and_value(mixed_space, change, fragments):
    task = {**valid(mixed_space), **change}
    with pytest.raises(ValueError) as error:
        mixed_space.validate(task)
    for fragment in fragments:
        assert fragment in str(error.value)


def test_missing_parameter_is_named(mixed_space):
    task = valid(mixed_space)
    del task["steps"]
    with pytest.raises(ValueError, match=r"'steps' is missing.*integer in \[1, 9\]"):
        mixed_space.validate(task)


def test_validate_returns_canonical_plain_python(mixed_space):
    task = {
        "height": np.float32(1.5),
        "steps": np.int64(3),
        "color": "red",
        "walls": np.eye(3, dtype=bool),
        LEVEL_SEED: np.int64(7),
    }
    canonical = mixed_space.validate(task)
    assert canonical == {
        "height": 1.5,
        "steps": 3,
        "color": "red",
        "walls": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        LEVEL_SEED: 7,
    }
    assert type(canonical["height"]) is float and type(canonical["steps"]) is int
    assert json.loads(json.dumps(canonical)) == canonical


def test_vector_layout_and_integer_rounding(mixed_space):
    assert mixed_space.dim == 1 + 1 + 1 + 9
    task = {"height": 1.5, "steps": 5, "color": "blue", "walls": [[0, 1, 0]] * 3}
    vector = mixed_space.to_vector(task)
    assert vector.dtype == np.float32 and vector.shape == (12,)
    assert vector[:3].tolist() == [0.5, 0.5, 1.0]
    noisy = vector.copy()
    noisy[1] += 0.04  # still closest to 5
    assert mixed_space.from_vector(noisy)["steps"] == 5
    assert mixed_space.from_vector(np.full(12, 2.0)) == {
        "height": 3.0,
        "steps": 9,
        "color": "blue",
        "walls": [[1, 1, 1]] * 3,
    }


def test_from_vector_rejects_bad_shape_and_nan(mixed_space):
    with pytest.raises(ValueError, match="shape"):
        mixed_space.from_vector(np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        mixed_space.from_vector(np.full(12, np.nan))


def test_grid_and_uniform_sets():
    space = TaskSpace({"h": Continuous(0.0, 3.0), "s": Continuous(0.0, 6.0), "k": Integer(0, 2)})
    grid = space.grid(10)
    assert len(grid) == 10 * 10 * 3
    assert grid[0] == {"h": 0.0, "s": 0.0, "k": 0}
    assert grid[-1] == {"h": 3.0, "s": 6.0, "k": 2}
    assert sorted({t["h"] for t in grid}) == pytest.approx([i / 3 for i in range(10)])
    assert space.uniform_set(5, seed=3) == space.uniform_set(5, seed=3)
    assert space.uniform_set(5, seed=3) != space.uniform_set(5, seed=4)
    with pytest.raises(ValueError, match="no grid"):
        TaskSpace({"w": IntArray((2, 2))}).grid(3)


def test_gym_space_and_dict_round_trip(mixed_space):
    gym_space = mixed_space.gym_space()
    assert set(gym_space.spaces) == {"height", "steps", "color", "walls"}
    assert gym_space["steps"].n == 9 and gym_space["steps"].start == 1
    assert TaskSpace.from_dict(json.loads(json.dumps(mixed_space.to_dict()))) == mixed_space


def test_bad_space_definitions():
    with pytest.raises(ValueError):
        Continuous(1.0, 1.0)
    with pytest.raises(ValueError):
        Integer(3, 1)
    with pytest.raises(ValueError):
        Categorical(("a", "a"))
    with pytest.raises(ValueError, match="reserved"):
        TaskSpace({LEVEL_SEED: Integer(0, 3)})
    with pytest.raises(ValueError, match="kind"):
        TaskSpace.from_dict({"x": {"kind": "complex"}})


def test_require_numeric_names_the_parameter(mixed_space):
    with pytest.raises(ValueError, match="'color' is categorical"):
        mixed_space.require_numeric("ALP-GMM")


@settings(max_examples=60, deadline=None)
@given(space=task_spaces(), seed=st.integers(0, 2**32 - 1))
def test_samples_are_valid_and_survive_json(space, seed):
    task = space.sample(np.random.default_rng(seed))
    assert space.validate(task) == task
    assert json.loads(json.dumps(task)) == task


@settings(max_examples=60, deadline=None)
@given(space=task_spaces(), seed=st.integers(0, 2**32 - 1))
def test_vector_round_trip(space, seed):
    task = space.sample(np.random.default_rng(seed))
    vector = space.to_vector(task)
    assert vector.min() >= 0.0 and vector.max() <= 1.0
    back = space.from_vector(vector)
    assert space.validate(back) == back
    assert np.array_equal(space.to_vector(back), vector)  # vector -> task -> vector is exact
    for name, parameter in space.parameters.items():
        if isinstance(parameter, Continuous):
            tolerance = 1e-6 * (parameter.high - parameter.low) + 1e-6 * abs(task[name])
            assert math.isclose(back[name], task[name], abs_tol=tolerance)
        else:
            assert back[name] == task[name]


@settings(max_examples=40, deadline=None)
@given(space=task_spaces(numeric_only=True), n=st.integers(1, 5))
def test_vector_round_trips_are_exact_on_grid_points(space, n):
    """Grid points map exactly onto the float32 lattice i/(n-1) and back."""
    for task in space.grid(n)[:50]:
        vector = space.to_vector(task)
        back = space.from_vector(vector)
        assert np.array_equal(space.to_vector(back), vector)
        for name, parameter in space.parameters.items():
            if isinstance(parameter, Integer):
                assert back[name] == task[name]
            else:
                span = parameter.high - parameter.low
                assert math.isclose(back[name], task[name], abs_tol=1e-6 * span)


def test_fixed_parameter_is_held_by_teachers_but_accepts_its_range():
    space = TaskSpace(
        {"free": Continuous(0.0, 1.0), "held": Fixed(0.25, 0.0, 0.5), "other": Integer(1, 3)}
    )
    assert space.dim == 2  # the fixed parameter takes no room in the vector
    task = space.from_vector(np.array([0.5, 1.0]))
    assert task["held"] == 0.25 and task["other"] == 3
    assert space.sample(np.random.default_rng(0))["held"] == 0.25
    assert space.validate({"free": 0.1, "held": 0.4, "other": 2})["held"] == 0.4
    assert space.to_vector({"free": 0.1, "held": 0.4, "other": 2}).shape == (2,)
    with pytest.raises(TeachgymUsageError, match="'held'"):
        space.validate({"free": 0.1, "held": 0.6, "other": 2})
    assert TaskSpace.from_dict(space.to_dict()) == space
    assert [t["held"] for t in space.grid(2)] == [0.25] * 4
    space.require_numeric("a box teacher")


def test_fixed_parameter_refuses_a_value_outside_its_range():
    with pytest.raises(ValueError, match="low <= value <= high"):
        Fixed(2.0, 0.0, 1.0)
