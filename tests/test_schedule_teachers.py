"""Schedule teachers: QWeb's warm-start and sub-instruction curricula on a named parameter."""

from __future__ import annotations

import pytest

from teachgym.checks import check_teacher
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Categorical, Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.registry import load_teacher, save_teacher, teacher_hyperparameters

FORMS = TaskSpace(
    {
        "n_fields": Integer(1, 10),
        "theme": Categorical(("login", "search")),
        "warm_start": Continuous(0.0, 1.0),
        "required_fraction": Continuous(0.0, 1.0),
    }
)


def play(teacher, episodes: int, success: bool) -> list[dict]:
    tasks = []
    for _ in range(episodes):
        task = teacher.sample()
        tasks.append(task)
        teacher.update(task, Outcome(1.0 if success else -1.0, success=success))
    return tasks


def test_qweb_teachers_keep_the_teacher_contract():
    check_teacher(make_teacher("qweb-warm-start", FORMS, seed=0, window=5))
    check_teacher(make_teacher("qweb-subinstruction", FORMS, seed=0, window=5))
    check_teacher(make_teacher("schedule", FORMS, seed=0, parameter="n_fields", start=1, end=10))


def test_warm_start_shrinks_one_step_per_successful_window():
    teacher = make_teacher("qweb-warm-start", FORMS, seed=0, window=4, n_levels=4)
    assert {t["warm_start"] for t in play(teacher, 4, success=False)} == {1.0}
    assert teacher.level == 0  # a failed window keeps the level
    assert {t["warm_start"] for t in play(teacher, 4, success=True)} == {1.0}
    assert teacher.level == 1
    assert {t["warm_start"] for t in play(teacher, 4, success=True)} == {0.75}
    play(teacher, 4, success=True)
    assert teacher.sample()["warm_start"] == 0.25
    play(teacher, 40, success=True)
    assert teacher.level == 4 and teacher.sample()["warm_start"] == 0.0  # the last level stays


def test_the_threshold_counts_successes_within_one_window():
    teacher = make_teacher("qweb-subinstruction", FORMS, seed=0, window=4, threshold=0.75)
    outcomes = [True, False, True, False]  # 50 %: below the threshold
    for success in outcomes:
        teacher.update(teacher.sample(), Outcome(0.0, success=success))
    assert teacher.level == 0
    for success in [True, True, False, True]:  # 75 %: moves
        teacher.update(teacher.sample(), Outcome(0.0, success=success))
    assert teacher.level == 1 and teacher.sample()["required_fraction"] == pytest.approx(0.1)


def test_episodes_of_an_earlier_level_do_not_count():
    teacher = make_teacher("qweb-subinstruction", FORMS, seed=0, window=2, n_levels=2)
    held = teacher.sample()  # handed out in advance, reported after the move
    play(teacher, 2, success=True)
    assert teacher.level == 1
    teacher.update(held, Outcome(1.0, success=True))
    teacher.update(teacher.sample(), Outcome(1.0, success=True))
    assert teacher.level == 1  # one episode of the current level so far


def test_integer_parameter_levels_are_rounded_and_other_parameters_vary():
    teacher = make_teacher(
        "schedule", FORMS, seed=0, parameter="n_fields", start=1, end=10, n_levels=3, window=1
    )
    values = [teacher.level_value(k) for k in range(4)]
    assert values == [1, 4, 7, 10]
    tasks = play(teacher, 3, success=True)
    assert [t["n_fields"] for t in tasks] == [1, 4, 7]
    themes = {make_teacher("qweb-warm-start", FORMS, seed=s).sample()["theme"] for s in range(20)}
    assert themes == {"login", "search"}


def test_save_and_restore_continue_exactly(tmp_path):
    teacher = make_teacher("qweb-warm-start", FORMS, seed=3, window=3)
    play(teacher, 7, success=True)
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert (restored.level, restored.state_dict()) == (teacher.level, teacher.state_dict())
    assert play(restored, 10, success=True) == play(teacher, 10, success=True)
    assert restored.level == teacher.level


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"parameter": "theme"}, "continuous or integer parameter"),
        ({"parameter": "nope"}, "one of"),
        ({"start": 1.5}, "start must be"),
        ({"window": 0}, "window must be"),
        ({"threshold": 2.0}, "threshold must be"),
    ],
)
def test_bad_hyperparameters_are_one_line_errors(params, message):
    with pytest.raises(TeachgymUsageError, match=message):
        make_teacher("qweb-warm-start", FORMS, **params)


def test_a_space_without_the_parameter_is_refused():
    space = TaskSpace({"theme": Categorical(("a", "b"))})
    with pytest.raises(TeachgymUsageError, match="continuous and integer parameters only"):
        make_teacher("qweb-subinstruction", space)


def test_a_restored_state_that_does_not_fit_is_refused():
    teacher = make_teacher("qweb-warm-start", FORMS, window=3)
    state = {**teacher.state_dict(), "played": 5}
    with pytest.raises(TeachgymUsageError, match="does not fit"):
        make_teacher("qweb-warm-start", FORMS, window=3).load_state_dict(state)


@pytest.mark.parametrize(
    ("name", "ladder"),
    [
        ("qweb-warm-start", ("warm_start", 1.0, 0.0)),
        ("qweb-subinstruction", ("required_fraction", 0.0, 1.0)),
    ],
)
def test_the_qweb_ladders_are_the_signatures_defaults(name: str, ladder: tuple) -> None:
    """`teachgym list` reads defaults from the signature: the QWeb ladders must be there."""
    params = teacher_hyperparameters(name)
    assert (params["parameter"], params["start"], params["end"]) == ladder
    teacher = make_teacher(name, FORMS, seed=0)
    assert (teacher.parameter, teacher.start, teacher.end) == ladder
