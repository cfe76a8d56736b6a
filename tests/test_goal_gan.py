"""GoalGAN: GOID labels, the try queue, the old-goal buffer, GAN trainings and exact restore."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from teachgym.checks import check_teacher
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.goal_gan import GoalGANTeacher
from tests.conftest import drive_with_success

UNIT2 = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(0.0, 1.0)})
MIXED = TaskSpace({"h": Continuous(-1.0, 3.0), "k": Integer(0, 4)})
SMALL = {"generator_layers": (16, 16), "discriminator_layers": (16, 16), "gan_iterations": 20}


def small(space: TaskSpace = UNIT2, seed: int = 0, **params) -> GoalGANTeacher:
    teacher = make_teacher("goal-gan", space, seed=seed, **{**SMALL, **params})
    assert isinstance(teacher, GoalGANTeacher)
    return teacher


def try_goal(teacher: GoalGANTeacher, successes: list[bool]) -> np.ndarray:
    """Propose one new GAN goal and report ``successes`` for its tries; its vector."""
    task = teacher.sample()
    assert teacher._key(task) in teacher.pending
    teacher.update(task, Outcome(0.0, success=successes[0]))
    for success in successes[1:]:
        again = teacher.sample()
        assert again == task  # the queued tries of the same goal
        teacher.update(again, Outcome(0.0, success=success))
    return teacher.task_space.to_vector(task).astype(np.float64)


def fixed_output(teacher: GoalGANTeacher) -> np.ndarray:
    return teacher.gan.generate(np.random.default_rng(123).standard_normal((32, 2)))


def test_goid_labels_follow_the_mean_success_of_the_tries():
    teacher = small(n_rollouts=2, update_size=1000, p_old=0.0)
    half = try_goal(teacher, [True, False])  # 0.5: intermediate difficulty
    try_goal(teacher, [False, False])  # 0.0: too hard
    easy = try_goal(teacher, [True, True])  # 1.0: too easy, kept as an old goal
    assert teacher.labels.tolist() == [True, False, False]
    np.testing.assert_allclose(teacher.goals[0], half)
    np.testing.assert_allclose(teacher.old_goals, easy[None])
    assert not teacher.pending and not teacher.queue

    four = small(n_rollouts=4, update_size=1000, p_old=0.0)
    for successes in ([True, False, False, False], [True, True, True, False], [True] * 4):
        try_goal(four, successes)
    assert four.labels.tolist() == [True, True, False]  # bounds 0.25 and 0.75 included
    assert len(four.old_goals) == 1

    narrow = small(n_rollouts=4, update_size=1000, p_old=0.0, goid_bounds=(0.4, 0.6))
    try_goal(narrow, [True, False, False, False])
    try_goal(narrow, [True, True, False, False])
    assert narrow.labels.tolist() == [False, True]


def test_goals_not_proposed_by_the_gan_are_not_labelled():
    teacher = small(update_size=1000)
    teacher.update({"x": 0.123, "y": 0.456}, Outcome(1.0, success=True))
    assert teacher.labels.size == 0 and not teacher.pending


def test_old_goals_are_replayed_with_p_old_and_noise():
    teacher = small(update_size=1000, p_old=1.0, noise_level=0.0)
    easy = try_goal(teacher, [True, True])
    replays = [teacher.sample() for _ in range(20)]
    assert all(np.allclose(teacher.task_space.to_vector(t), easy, atol=1e-6) for t in replays)
    assert not teacher.pending and not teacher.queue  # replays are neither labelled nor queued

    noisy = small(update_size=1000, p_old=1.0, noise_level=0.05)
    noisy._add_old_goal(np.array([0.5, 0.4]))
    vectors = np.array([noisy.task_space.to_vector(noisy.sample()) for _ in range(400)])
    assert np.mean(vectors, axis=0) == pytest.approx([0.5, 0.4], abs=0.01)
    assert np.std(vectors, axis=0) == pytest.approx([0.05, 0.05], rel=0.15)

    never = small(update_size=1000, p_old=0.0)
    try_goal(never, [True, True])
    never.sample()
    assert len(never.pending) == 1  # with p_old 0 every new goal comes from the GAN


def test_old_goal_buffer_keeps_goals_apart():
    teacher = small(update_size=1000, success_distance=0.1)
    threshold = 0.1 * np.sqrt(2)
    teacher._add_old_goal(np.array([0.5, 0.5]))
    teacher._add_old_goal(np.array([0.5, 0.5 + 0.9 * threshold]))  # too close: dropped
    teacher._add_old_goal(np.array([0.5, 0.5 + 1.1 * threshold]))
    assert len(teacher.old_goals) == 2


def test_a_gan_training_runs_after_update_size_labels_and_changes_the_generator():
    teacher = small(update_size=4, p_old=0.0)
    before = fixed_output(teacher)
    for successes in ([True, False], [False, False], [True, False], [False, False]):
        try_goal(teacher, successes)
    assert teacher.n_trainings == 1 and teacher.labels.size == 0  # trained, then forgotten
    assert np.all(np.isfinite(teacher.losses))
    assert np.abs(fixed_output(teacher) - before).max() > 1e-4


def test_training_is_skipped_without_a_goal_of_intermediate_difficulty():
    teacher = small(update_size=3, p_old=0.0)
    before = fixed_output(teacher)
    for successes in ([False, False], [True, True], [False, False]):
        try_goal(teacher, successes)
    assert teacher.n_trainings == 0 and teacher.n_skipped == 1
    assert teacher.labels.size == 0
    np.testing.assert_array_equal(fixed_output(teacher), before)


def test_the_discriminator_learns_which_goals_are_of_intermediate_difficulty():
    teacher = small(gan_iterations=300)
    rng = np.random.default_rng(0)
    goals = rng.random((200, 2))
    labels = goals[:, 0] < 0.5  # intermediate difficulty on the left half
    teacher.gan.train(goals - 0.5, labels.astype(float), 300, teacher.rng)
    scores = teacher.gan.score(goals - 0.5)
    assert scores[labels].mean() > scores[~labels].mean() + 0.2


def test_pretraining_moves_the_generator_to_the_initial_distribution():
    teacher = small(pretrain=True, pretrain_mean=(0.8, 0.2), pretrain_std=0.05)
    plain = small()
    goals = 0.5 + fixed_output(teacher)
    assert np.abs(goals.mean(axis=0) - [0.8, 0.2]).max() < 0.15
    assert np.abs(0.5 + fixed_output(plain) - [0.8, 0.2]).mean() > 0.2


def test_restore_continues_exactly_through_pending_tries_and_trainings(tmp_path):
    original = small(MIXED, seed=3, update_size=10, p_old=0.3)
    drive_with_success(original, 60, 0)
    while not original.queue:  # stop between the two tries of a goal
        drive_with_success(original, 1, original.n_updates)
    assert original.n_trainings >= 1 and original.queue and len(original.old_goals)
    save_teacher(original, tmp_path / "gg")
    restored = load_teacher(tmp_path / "gg")
    state = original.state_dict()
    assert isinstance(state["gan"]["generator"]["0.weight"], np.ndarray)
    trainings = original.n_trainings
    assert drive_with_success(restored, 80, 1) == drive_with_success(original, 80, 1)
    assert original.n_trainings > trainings
    np.testing.assert_array_equal(fixed_mixed(restored), fixed_mixed(original))


def fixed_mixed(teacher: GoalGANTeacher) -> np.ndarray:
    return teacher.gan.generate(np.random.default_rng(7).standard_normal((8, 2)))


def test_goal_gan_keeps_the_teacher_contract_with_its_presets():
    check_teacher(GoalGANTeacher.from_preset("skills", MIXED, seed=1), episodes=120)
    params = make_teacher("goal-gan", UNIT2, preset="teachmyagent").get_params()
    assert (params["noise_level"], params["p_old"], params["update_size"]) == (0.1, 0.1, 100)
    assert params["generator_layers"] == [256, 256]
    assert params["discriminator_layers"] == [128, 128]


def test_building_and_training_leave_torch_global_generator_alone():
    state = torch.random.get_rng_state()
    teacher = small(update_size=2, p_old=0.0)
    try_goal(teacher, [True, False])
    try_goal(teacher, [True, False])
    assert teacher.n_trainings == 1
    assert torch.equal(torch.random.get_rng_state(), state)


def test_goal_gan_refuses_bad_settings():
    bad = [
        ({"p_old": 1.5}, TeachgymUsageError, "p_old"),
        ({"goid_bounds": (0.8, 0.2)}, TeachgymUsageError, "goid_bounds"),
        ({"goid_bounds": 0.5}, TypeError, "goid_bounds"),
        ({"generator_layers": ()}, TypeError, "generator_layers"),
        ({"generator_layers": (0,)}, TeachgymUsageError, "generator_layers"),
        ({"update_size": 0}, TeachgymUsageError, "update_size"),
        ({"pretrain_mean": (0.5,)}, TypeError, "pretrain_mean"),
        ({"noise_level": -0.1}, TeachgymUsageError, "noise_level"),
    ]
    for params, error, match in bad:
        with pytest.raises(error, match=match):
            make_teacher("goal-gan", UNIT2, **params)
    state = small().state_dict()
    with pytest.raises(ValueError, match="other layer sizes"):
        small(generator_layers=(8, 8)).load_state_dict(state)
