"""Learning-progress teachers on mixed spaces: categorical parameters one-hot or ordinal."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.checks import check_teacher
from teachgym.tasks import Categorical, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.encoding import TaskEncoding

MIXED = TaskSpace(
    {
        "height": Continuous(0.0, 3.0),
        "color": Categorical(("red", "green", "blue")),
        "steps": Integer(1, 4),
        "flag": Categorical(("no", 1)),
    }
)
SMALL = {
    "alp-gmm": {"fit_rate": 40, "potential_ks": (2, 3)},
    "covar-gmm": {"fit_rate": 40, "potential_ks": (2, 3)},
    "riac": {"max_region_size": 30},
}


def test_one_hot_gives_each_choice_its_own_dimension_and_decodes_the_largest():
    encoding = TaskEncoding(MIXED, "one-hot", "t")
    assert encoding.dim == 1 + 3 + 1 + 2
    task = {"height": 1.5, "color": "blue", "steps": 4, "flag": 1}
    assert list(encoding.encode(task)) == [0.5, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    assert encoding.decode(encoding.encode(task)) == task
    decoded = encoding.decode(np.array([2.0, 0.2, 0.7, 0.6, -1.0, 0.9, 0.1]))
    assert decoded == {"height": 3.0, "color": "green", "steps": 1, "flag": "no"}
    assert MIXED.validate(decoded) == decoded


def test_ordinal_is_the_task_space_vector():
    encoding = TaskEncoding(MIXED, "ordinal", "t")
    task = {"height": 0.75, "color": "green", "steps": 2, "flag": "no"}
    assert encoding.dim == MIXED.dim == 4
    assert np.array_equal(encoding.encode(task), MIXED.to_vector(task).astype(np.float64))
    assert encoding.decode(np.array([0.25, 0.9, 0.0, 0.4])) == {
        "height": 0.75,
        "color": "blue",
        "steps": 1,
        "flag": "no",
    }


@pytest.mark.parametrize("name", sorted(SMALL))
def test_categorical_parameters_are_refused_without_an_explicit_encoding(name):
    with pytest.raises(
        ValueError,
        match=r"parameter 'color' is categorical .* pass categorical_encoding='one-hot' or "
        r"'ordinal'",
    ):
        make_teacher(name, MIXED)
    with pytest.raises(ValueError, match="categorical_encoding must be None, 'one-hot' or"):
        make_teacher(name, MIXED, categorical_encoding="binary")
    arrays = TaskSpace({"walls": IntArray((2, 2)), "color": Categorical(("a", "b"))})
    with pytest.raises(ValueError, match=r"parameter 'walls' is int_array .* cannot encode"):
        make_teacher(name, arrays, categorical_encoding="one-hot")


@pytest.mark.parametrize("encoding", ["one-hot", "ordinal"])
@pytest.mark.parametrize("name", sorted(SMALL))
def test_encoded_teachers_sample_valid_tasks_and_restore_exactly(name, encoding, tmp_path):
    teacher = make_teacher(name, MIXED, seed=3, categorical_encoding=encoding, **SMALL[name])
    check_teacher(teacher, episodes=120)
    rng = np.random.default_rng(0)
    tasks = []
    for _ in range(200):
        task = teacher.sample()
        assert MIXED.validate(task) == task
        tasks.append(task)
        ret = float(task["color"] == "green") * teacher.n_updates / 200 + rng.normal(0, 0.01)
        teacher.update(task, Outcome(ret))
    assert {t["color"] for t in tasks[-100:]} == {"red", "green", "blue"}
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert restored.get_params()["categorical_encoding"] == encoding
    assert [restored.sample() for _ in range(30)] == [teacher.sample() for _ in range(30)]


def test_one_hot_alp_gmm_follows_the_choice_where_the_return_moves():
    space = TaskSpace({"x": Continuous(0.0, 1.0), "color": Categorical(("red", "green", "blue"))})
    teacher = make_teacher(
        "alp-gmm",
        space,
        seed=0,
        fit_rate=100,
        potential_ks=(2, 3, 4),
        categorical_encoding="one-hot",
    )
    rng = np.random.default_rng(1)
    tasks = []
    for episode in range(1500):
        task = teacher.sample()
        tasks.append(task)
        progress = episode / 1500 if task["color"] == "green" else 0.0
        teacher.update(task, Outcome(progress + rng.normal(0.0, 0.01)))
    late = [t["color"] for t in tasks[-500:]]
    assert late.count("green") / len(late) > 0.5  # random: a third


@pytest.mark.parametrize("encoding", [None, "one-hot"])
@pytest.mark.parametrize("name", ["alp-gmm", "riac"])
def test_box_teachers_hold_fixed_parameters_at_their_value(name, encoding):
    from teachgym.tasks import Fixed

    space = TaskSpace(
        {
            "x": Continuous(0.0, 1.0),
            "held": Fixed(10.0, 10.0, 20.0),
            "kind": Categorical(("a", "b")),
        }
    )
    if encoding is None:
        space = TaskSpace({"x": Continuous(0.0, 1.0), "held": Fixed(10.0, 10.0, 20.0)})
    encoded = TaskEncoding(space, encoding, name)
    assert encoded.dim == (3 if encoding else 1)
    teacher = make_teacher(name, space, seed=0, categorical_encoding=encoding)
    for _ in range(5):
        task = teacher.sample()
        assert task["held"] == 10.0
        teacher.update(task, Outcome(episode_return=float(task["x"])))
