"""Conditional task spaces: parameters that apply only when a categorical switch takes
some values (validation, sampling, vectors, grids, JSON, edits)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import (
    LEVEL_SEED,
    Categorical,
    Continuous,
    Integer,
    TaskSpace,
    When,
)
from teachgym.teachers.bandits.arms import GridArms
from teachgym.teachers.mutations import LevelMutator


@pytest.fixture
def space() -> TaskSpace:
    return TaskSpace(
        {
            "family": Categorical(("a", "b")),
            "size": Integer(0, 4),
            "mode": Categorical(("p", "q")),
            "speed": Continuous(0.0, 2.0),
        },
        {
            "size": When("family", "a"),
            "mode": When("family", ("b",)),
            "speed": When("mode", ("q",)),  # nested: only when family is b and mode q
        },
    )


def test_validation_keeps_what_applies_and_drops_the_rest(space):
    assert space.validate({"family": "a", "size": 3}) == {"family": "a", "size": 3}
    dropped = space.validate({"family": "a", "size": 3, "mode": "nonsense", "speed": -9})
    assert dropped == {"family": "a", "size": 3}
    assert space.validate({"family": "b", "mode": "p", "size": 99}) == {"family": "b", "mode": "p"}
    full = {"family": "b", "mode": "q", "speed": 1, LEVEL_SEED: 4}
    assert space.validate(full) == {"family": "b", "mode": "q", "speed": 1.0, LEVEL_SEED: 4}
    assert space.active_names({"family": "b", "mode": "q"}) == ["family", "mode", "speed"]
    assert not space.applies("speed", {"family": "a", "mode": "q"})


@pytest.mark.parametrize(
    ("task", "fragments"),
    [
        ({"family": "b"}, ["'mode' is missing", "one of ['p', 'q']", "when 'family' is 'b'"]),
        ({"family": "b", "mode": "q"}, ["'speed' is missing", "when 'mode' is 'q'"]),
        ({"family": "a", "size": 7}, ["'size'", "[0, 4]", "7"]),
        ({"family": "c"}, ["'family'", "one of ['a', 'b']", "'c'"]),
        ({"family": "a", "size": 1, "colour": 2}, ["unknown task parameter 'colour'"]),
    ],
)
def test_bad_tasks_get_one_clear_line(space, task, fragments):
    with pytest.raises(TeachgymUsageError) as caught:
        space.validate(task)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_samples_hold_exactly_what_applies_and_cover_every_branch(space):
    rng = np.random.default_rng(0)
    samples = [space.sample(rng) for _ in range(200)]
    for task in samples:
        assert set(task) == set(space.active_names(task))
        assert space.validate(task) == task
        assert json.loads(json.dumps(task)) == task
    keys = {tuple(sorted(task)) for task in samples}
    assert keys == {
        ("family", "size"),
        ("family", "mode"),
        ("family", "mode", "speed"),
    }


def test_vectors_keep_every_slot_and_read_half_where_nothing_applies(space):
    assert space.dim == 4
    vector = space.to_vector({"family": "a", "size": 4})
    assert vector.tolist() == [0.0, 1.0, 0.5, 0.5]
    assert space.from_vector(vector) == {"family": "a", "size": 4}
    vector = space.to_vector({"family": "b", "mode": "q", "speed": 0.5})
    assert vector.tolist() == [1.0, 0.5, 1.0, 0.25]
    assert space.from_vector(np.array([1.0, 0.9, 0.0, 0.9])) == {"family": "b", "mode": "p"}
    rng = np.random.default_rng(1)
    for _ in range(50):
        task = space.sample(rng)
        again = space.from_vector(space.to_vector(task))
        assert set(again) == set(task)
        assert all(again[k] == pytest.approx(v) for k, v in task.items())


def test_grid_crosses_each_branch_with_its_own_parameters(space):
    grid = space.grid(2)
    assert grid == [
        {"family": "a", "size": 0},
        {"family": "a", "size": 4},
        {"family": "b", "mode": "p"},
        {"family": "b", "mode": "q", "speed": 0.0},
        {"family": "b", "mode": "q", "speed": 2.0},
    ]


def test_conditions_survive_the_dict_round_trip_and_count_in_equality(space):
    data = json.loads(json.dumps(space.to_dict()))
    assert data["size"]["when"] == {"switch": "family", "values": ["a"]}
    assert TaskSpace.from_dict(data) == space
    assert hash(TaskSpace.from_dict(data)) == hash(space)
    plain = TaskSpace(dict(space.parameters))
    assert plain != space
    assert "size: an integer in [0, 4] (when 'family' is 'a')" in space.describe()


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"size": When("speed", ("a",))}, "categorical parameter declared before it"),
        ({"family": When("mode", ("p",))}, "declared before it"),
        ({"size": When("family", ("z",))}, "values among"),
        ({"size": When("family", ())}, "values among"),
        ({"size": When("family", (1,))}, "values among"),
        ({"colour": When("family", ("a",))}, "unknown parameter 'colour'"),
    ],
)
def test_bad_conditions_are_refused_at_construction(conditions, message):
    parameters = {
        "family": Categorical(("a", "b")),
        "size": Integer(0, 4),
        "mode": Categorical(("p", "q")),
        "speed": Continuous(0.0, 2.0),
    }
    with pytest.raises(ValueError, match=message):
        TaskSpace(parameters, conditions)


def test_conform_draws_what_a_new_switch_value_turns_on(space):
    rng = np.random.default_rng(0)
    switched = space.conform({"family": "b", "size": 2, LEVEL_SEED: 5}, rng)
    assert set(switched) == {"family", "mode", LEVEL_SEED} | (
        {"speed"} if switched["mode"] == "q" else set()
    )
    assert space.validate(switched) == switched
    kept = {"family": "a", "size": 2}
    assert space.conform(kept, rng) == kept


def test_mutations_edit_what_applies_and_switch_families():
    space = TaskSpace(
        {"family": Categorical(("a", "b")), "size": Integer(0, 4), "mode": Categorical(("p", "q"))},
        {"size": When("family", "a"), "mode": When("family", "b")},
    )
    mutator = LevelMutator(space, n_edits=1)
    rng = np.random.default_rng(0)
    parent = {"family": "a", "size": 2, LEVEL_SEED: 1}
    children = [mutator.mutate(parent, rng) for _ in range(60)]
    for child in children:
        assert space.validate(child) == child
    families = {child["family"] for child in children}
    assert families == {"a", "b"}
    assert {child["size"] for child in children if child["family"] == "a"} <= {1, 2, 3}
    assert any(child.get("size") != 2 for child in children if child["family"] == "a")
    edited = mutator.edit({"family": "b", "mode": "p"}, rng)
    assert space.validate(edited) == edited


def test_grid_arms_cross_each_switch_value_with_its_own_parameters(space):
    arms = GridArms(space, cells=2)
    assert arms.n_arms == 5 + 1 + 2  # a: size 0..4; b: mode p, or mode q x 2 speed cells
    rng = np.random.default_rng(0)
    for arm in range(arms.n_arms):
        for _ in range(5):
            task = arms.sample(arm, rng)
            assert space.validate(task) == task and arms.arm_of(task) == arm
    assert arms.labels()[-1] == "family='b' mode='q' speed=[1, 2]"
