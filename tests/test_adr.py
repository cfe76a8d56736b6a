"""ADR: the box's bound moves on hand-made returns, sampling, presets, errors, state."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.checks import check_teacher
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Categorical, Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.adr import ADRTeacher

SPACE = TaskSpace({"h": Continuous(0.0, 3.0), "s": Continuous(0.0, 6.0)})
START = {"h": 1.0, "s": 3.0}


def adr(**kwargs) -> ADRTeacher:
    params = {"initial_task": START, "queue_length": 3, "step_size": 0.5}
    return ADRTeacher(SPACE, seed=0, **{**params, **kwargs})


def report(teacher: ADRTeacher, task: dict, episode_return: float, times: int = 1) -> None:
    for _ in range(times):
        teacher.update(task, Outcome(episode_return))


def test_starts_collapsed_on_the_initial_task():
    teacher = adr(boundary_sampling_p=0.0)
    assert teacher.box() == {"h": (1.0, 1.0), "s": (3.0, 3.0)}
    assert all(teacher.sample() == START for _ in range(20))


def test_a_full_queue_at_or_above_the_high_threshold_widens_both_bounds():
    teacher = adr(high_threshold=100.0)
    report(teacher, START, 99.0, times=2)
    assert teacher.box() == {"h": (1.0, 1.0), "s": (3.0, 3.0)}  # queues not full yet
    report(teacher, START, 102.0)  # mean 100.0 == threshold: widen
    assert teacher.box() == {"h": (0.5, 1.5), "s": (2.5, 3.5)}
    assert teacher.low_queues == [[], []] and teacher.high_queues == [[], []]  # cleared
    assert teacher.diagnostics()["bound_moves"] == 4


def test_a_full_queue_at_or_below_the_low_threshold_shrinks_the_bound():
    teacher = adr(high_threshold=100.0, low_threshold=10.0)
    report(teacher, START, 100.0, times=3)  # box h in [0.5, 1.5]
    report(teacher, {"h": 0.5, "s": 3.2}, 10.0, times=3)  # on h's lower bound only
    assert teacher.box()["h"] == (1.0, 1.5)
    assert teacher.low_queues[0] == []
    assert teacher.high_queues[0] == []  # nothing reached the upper bound
    # Shrinking never passes the opposite bound.
    report(teacher, {"h": 1.0, "s": 3.2}, 0.0, times=3)
    report(teacher, {"h": 1.5, "s": 3.2}, 0.0, times=3)
    assert teacher.box()["h"] == (1.5, 1.5)


def test_a_mean_between_the_thresholds_leaves_the_bound_and_clears_the_queue():
    teacher = adr(high_threshold=100.0, low_threshold=10.0)
    report(teacher, START, 50.0, times=3)
    assert teacher.box() == {"h": (1.0, 1.0), "s": (3.0, 3.0)}
    assert teacher.low_queues == [[], []]
    report(teacher, {"h": 1.0, "s": 3.3}, 50.0)  # off every bound of s
    assert teacher.low_queues == [[50.0], []] and teacher.high_queues == [[50.0], []]


def test_widening_is_clipped_to_the_parameter_range():
    teacher = adr(high_threshold=1.0, initial_task={"h": 0.2, "s": 5.9})
    report(teacher, {"h": 0.2, "s": 5.9}, 5.0, times=3)
    assert teacher.box() == {"h": (0.0, 0.7), "s": (5.4, 6.0)}
    report(teacher, {"h": 0.0, "s": 6.0}, 5.0, times=3)  # on h's low and s's high bounds
    assert teacher.box() == {"h": (0.0, 0.7), "s": (5.4, 6.0)}


def test_step_size_is_in_the_parameters_own_units():
    space = TaskSpace({"h": Continuous(0.0, 1.0), "s": Continuous(0.0, 100.0)})
    teacher = ADRTeacher(
        space, initial_task={"h": 0.5, "s": 50.0}, step_size=0.1, queue_length=1, high_threshold=1
    )
    report(teacher, {"h": 0.5, "s": 50.0}, 2.0)
    assert teacher.box() == {"h": (0.4, 0.6), "s": (49.9, 50.1)}


def test_boundary_sampling_pins_one_dimension_to_a_bound():
    teacher = adr(boundary_sampling_p=1.0, high_threshold=0.0, queue_length=1)
    report(teacher, START, 1.0)  # box h [0.5, 1.5], s [2.5, 3.5]
    tasks = [teacher.sample() for _ in range(400)]
    on_bound = [
        (t["h"] in (0.5, 1.5), t["s"] in (2.5, 3.5)) for t in tasks
    ]  # exactly one dimension pinned each time
    assert all(a != b for a, b in on_bound)
    assert 0.4 < np.mean([a for a, _ in on_bound]) < 0.6
    assert all(0.5 <= t["h"] <= 1.5 and 2.5 <= t["s"] <= 3.5 for t in tasks)
    uniform = adr(boundary_sampling_p=0.0, high_threshold=0.0, queue_length=1)
    report(uniform, START, 1.0)
    assert not any(t["h"] in (0.5, 1.5) for t in (uniform.sample() for _ in range(200)))


def test_a_dimension_whose_bounds_reached_the_range_is_not_pinned():
    space = TaskSpace({"h": Continuous(0.0, 1.0)})
    teacher = ADRTeacher(
        space,
        seed=0,
        initial_task={"h": 0.5},
        boundary_sampling_p=1.0,
        step_size=1.0,
        queue_length=1,
        high_threshold=0.0,
    )
    report(teacher, {"h": 0.5}, 1.0)
    assert teacher.box() == {"h": (0.0, 1.0)}
    tasks = [teacher.sample()["h"] for _ in range(100)]
    assert not any(h in (0.0, 1.0) for h in tasks)


def test_integer_parameters_are_rounded_and_on_a_bound_when_equal_after_rounding():
    space = TaskSpace({"k": Integer(0, 10), "x": Continuous(0.0, 1.0)})
    teacher = ADRTeacher(
        space,
        seed=0,
        initial_task={"k": 5, "x": 0.5},
        step_size=0.6,
        queue_length=1,
        high_threshold=0.0,
    )
    report(teacher, {"k": 5, "x": 0.5}, 1.0)
    assert teacher.box()["k"] == pytest.approx((4.4, 5.6))
    assert {teacher.sample()["k"] for _ in range(100)} <= {4, 5, 6}
    assert all(isinstance(teacher.sample()["k"], int) for _ in range(10))
    report(teacher, {"k": 6, "x": 0.7}, 1.0)  # 6 is the rounded upper bound
    assert teacher.box()["k"] == pytest.approx((4.4, 6.2))


def test_teachmyagent_preset_and_defaults():
    tma = make_teacher("adr", SPACE, preset="teachmyagent", initial_task=START)
    assert (tma.boundary_sampling_p, tma.step_size, tma.queue_length) == (0.7, 0.1, 10)
    assert (tma.low_threshold, tma.high_threshold) == (0.0, 180.0)
    default = make_teacher("adr", SPACE, initial_task=START)
    assert (default.boundary_sampling_p, default.queue_length) == (0.5, 10)


def test_missing_or_bad_expert_knowledge_is_a_clear_error():
    with pytest.raises(TeachgymUsageError, match="needs an initial task"):
        make_teacher("adr", SPACE)
    with pytest.raises(TeachgymUsageError, match="'h'"):
        make_teacher("adr", SPACE, initial_task={"h": 9.0, "s": 1.0})
    with pytest.raises(TeachgymUsageError, match="initial_task must be a task or 'random'"):
        make_teacher("adr", SPACE, initial_task="middle")
    with pytest.raises(TeachgymUsageError, match="must not exceed high_threshold"):
        make_teacher("adr", SPACE, initial_task=START, low_threshold=5, high_threshold=1)
    with pytest.raises(TeachgymUsageError, match="boundary_sampling_p"):
        make_teacher("adr", SPACE, initial_task=START, boundary_sampling_p=1.5)
    with pytest.raises(TeachgymUsageError, match="continuous and integer parameters only"):
        make_teacher("adr", TaskSpace({"c": Categorical(("a", "b"))}), initial_task="random")


def test_random_initial_task_is_drawn_from_the_seed():
    a = make_teacher("adr", SPACE, seed=3, initial_task="random")
    b = make_teacher("adr", SPACE, seed=3, initial_task="random")
    assert a.box() == b.box() and a.box()["h"][0] == a.box()["h"][1]
    assert make_teacher("adr", SPACE, seed=4, initial_task="random").box() != a.box()


def test_keeps_the_teacher_contract_while_its_box_moves():
    space = TaskSpace({"x": Continuous(-1.0, 2.0), "y": Continuous(0.0, 1.0), "k": Integer(0, 4)})
    teacher = ADRTeacher(
        space,
        seed=0,
        initial_task={"x": 0.5, "y": 0.5, "k": 2},
        queue_length=4,
        low_threshold=0.3,
        high_threshold=0.45,
    )
    check_teacher(teacher)


def test_saved_state_restores_box_and_queues_exactly(tmp_path):
    rng = np.random.default_rng(0)
    teacher = adr(high_threshold=0.6, low_threshold=0.2)
    for _ in range(200):
        task = teacher.sample()
        report(teacher, task, float(rng.random()))
    assert teacher.diagnostics()["bound_moves"] > 0
    save_teacher(teacher, tmp_path / "adr")
    restored = load_teacher(tmp_path / "adr")
    assert restored.box() == teacher.box()
    assert restored.low_queues == teacher.low_queues
    for _ in range(50):
        task = teacher.sample()
        assert restored.sample() == task
        value = float(rng.random())
        report(teacher, task, value)
        report(restored, task, value)
    assert restored.box() == teacher.box()
