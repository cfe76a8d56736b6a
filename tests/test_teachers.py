"""Teacher protocol, registry and the random teacher (plus properties every teacher must have)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from teachgym.tasks import Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import (
    Outcome,
    load_teacher,
    make_teacher,
    save_teacher,
    teacher_names,
)
from tests.conftest import build_teacher, task_spaces

SPACE = TaskSpace({"h": Continuous(0.0, 3.0), "s": Continuous(0.0, 6.0), "k": Integer(1, 9)})


def drive(teacher, episodes: int, rng: np.random.Generator) -> list[dict]:
    """Sample/update ``episodes`` times with a fake return that depends on the task (and
    a critic of tasks giving its noiseless part, for teachers that require one)."""
    if teacher.requires_task_values:
        space = teacher.task_space
        teacher.set_task_critic(lambda tasks: [float(space.to_vector(t).sum()) for t in tasks])
    tasks = []
    for _ in range(episodes):
        task = teacher.sample()
        tasks.append(task)
        vector = teacher.task_space.to_vector(task)
        ret = float(vector.sum() + rng.normal(0, 0.1))
        teacher.update(task, Outcome(ret, length=5, success=ret > 1, score=abs(ret), value=ret))
    return tasks


def test_registry_lists_and_rejects_unknowns():
    assert "random" in teacher_names()
    with pytest.raises(ValueError, match=r"unknown teacher 'alp'.*random"):
        make_teacher("alp", SPACE)
    with pytest.raises(ValueError, match="no hyperparameter 'fit_rate'"):
        make_teacher("random", SPACE, fit_rate=3)


def test_outcome_rejects_non_finite_values():
    with pytest.raises(ValueError, match="non-finite reward"):
        Outcome(float("nan"))
    with pytest.raises(ValueError, match="non-finite score"):
        Outcome(1.0, score=float("inf"))


def test_update_validates_the_task():
    teacher = make_teacher("random", SPACE, seed=0)
    with pytest.raises(ValueError, match="'h'"):
        teacher.update({"h": 4.0, "s": 1.0, "k": 2}, Outcome(1.0))


def test_random_teacher_is_seeded():
    a = [make_teacher("random", SPACE, seed=1).sample() for _ in range(3)]
    b = [make_teacher("random", SPACE, seed=1).sample() for _ in range(3)]
    assert a == b
    assert make_teacher("random", SPACE, seed=2).sample() != a[0]


def test_random_teacher_draws_sparse_binary_maps_and_keeps_the_density(tmp_path):
    space = TaskSpace({"walls": IntArray((8, 8)), "k": Integer(1, 9)})
    teacher = make_teacher("random", space, seed=0, binary_density=0.1)
    tasks = [teacher.sample() for _ in range(300)]
    assert abs(np.mean([t["walls"] for t in tasks]) - 0.1) < 0.02
    assert {t["k"] for t in tasks} == set(range(1, 10))  # other parameters stay uniform
    save_teacher(teacher, tmp_path / "t")
    assert load_teacher(tmp_path / "t").binary_density == 0.1
    with pytest.raises(ValueError, match=r"binary_density must be in \[0, 1\]"):
        make_teacher("random", space, binary_density=1.5)
    with pytest.raises(ValueError, match="binary_density must be in"):
        make_teacher("random", space, binary_density="0.1")


@pytest.mark.parametrize("name", teacher_names())
def test_restored_teacher_continues_exactly(name, tmp_path):
    rng = np.random.default_rng(0)
    original = build_teacher(name, SPACE, seed=5)
    drive(original, 300, rng)
    save_teacher(original, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert type(restored) is type(original)
    assert restored.state_dict().keys() == original.state_dict().keys()
    assert drive(original, 200, np.random.default_rng(1)) == drive(
        restored, 200, np.random.default_rng(1)
    )


def test_state_for_another_teacher_or_space_is_refused():
    teacher = make_teacher("random", SPACE)
    state = teacher.state_dict()
    with pytest.raises(ValueError, match="different task space"):
        make_teacher("random", TaskSpace({"h": Continuous(0.0, 1.0)})).load_state_dict(state)
    with pytest.raises(ValueError, match="belongs to teacher"):
        teacher.load_state_dict({**state, "teacher": "other"})


@settings(max_examples=25, deadline=None)
@given(space=task_spaces(), name=st.sampled_from(teacher_names()), seed=st.integers(0, 1000))
def test_every_sampled_task_is_valid(space, name, seed):
    try:
        teacher = build_teacher(name, space, seed=seed)
    except ValueError as exc:  # teachers that only model numeric spaces refuse the others
        assume("works on continuous and integer parameters only" not in str(exc))
        raise
    for task in drive(teacher, 60, np.random.default_rng(seed)):
        assert space.validate(task) == task


def test_random_teacher_draws_from_an_environment_published_sampler(tmp_path):
    from teachgym.envs.gridworlds.maze import MAZE_TASK_SPACE, random_maze_task
    from teachgym.teachers.mutations import new_level_seed

    reference = "teachgym.envs.gridworlds.maze:domain_randomisation_maze"
    teacher = make_teacher("random", MAZE_TASK_SPACE, seed=3, sampler=reference)
    tasks = [teacher.sample() for _ in range(20)]
    assert all(np.sum(t["walls"]) == 25 for t in tasks)  # exactly 25 walls, every level
    # The same draws as a random 25-block maze plus a fresh level seed from the teacher's rng.
    rng = np.random.default_rng(3)
    expected = []
    for _ in range(20):
        task = random_maze_task(rng, 25)
        task["level_seed"] = new_level_seed(rng)
        expected.append(task)
    assert tasks == expected
    save_teacher(teacher, tmp_path / "dr")
    restored = load_teacher(tmp_path / "dr")
    assert restored.sample() == teacher.sample()
    sixty = make_teacher(
        "random", MAZE_TASK_SPACE, seed=0, sampler=reference, sampler_params={"num_blocks": 60}
    )
    assert np.sum(sixty.sample()["walls"]) == 60


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"sampler": "no_colon"}, "'package.module:function' reference"),
        ({"sampler": "teachgym.nowhere:f"}, "cannot be loaded"),
        ({"sampler": "teachgym.tasks:LEVEL_SEED"}, "is not callable"),
        ({"sampler_params": {"num_blocks": 3}}, "sampler_params needs a sampler"),
        ({"sampler": "teachgym.tasks:TaskSpace", "binary_density": 0.1}, "not both"),
    ],
)
def test_random_teacher_refuses_bad_samplers(params, match):
    with pytest.raises(ValueError, match=match):
        make_teacher("random", SPACE, seed=0, **params)


def test_teacher_timer_adds_the_time_inside_sample_update_and_score():
    from teachgym.teachers import Outcome
    from teachgym.teachers.timing import TeacherTimer

    ticks = iter(range(100))
    teacher = make_teacher("random", SPACE, seed=0)
    timer = TeacherTimer(teacher, clock=lambda: float(next(ticks)))
    task = teacher.sample()  # clock 0 -> 1
    teacher.update(task, Outcome(episode_return=1.0, length=3))  # 2 -> 3
    assert timer.seconds == 2.0 and timer.calls == 2
    assert isinstance(teacher, type(make_teacher("random", SPACE)))  # same type
    with pytest.raises(TypeError, match="needs a Teacher"):
        TeacherTimer(object())  # type: ignore[arg-type]
