"""Curriculum glue: single-env wrapper and the vector path (exact accounting)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from gymnasium.wrappers import TimeLimit

from teachgym.curriculum import (
    EPISODE_INFO_KEY,
    Curriculum,
    CurriculumWrapper,
    TaskFeedController,
    TaskFeedWrapper,
)
from teachgym.teachers import make_teacher
from tests.toy_env import CountdownEnv, RecordingTeacher


def test_single_env_wrapper_samples_and_reports_each_episode():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    seen = []
    env = CurriculumWrapper(CountdownEnv(), Curriculum(teacher, listeners=[seen.append]))
    for _ in range(20):
        env.reset()
        done = False
        while not done:
            _, _, term, trunc, info = env.step(0)
            done = term or trunc
        episode = info[EPISODE_INFO_KEY]
        assert episode["length"] == episode["task"]["length"]
        assert episode["return"] == pytest.approx(episode["task"]["bonus"] * episode["length"])
    assert [t for t, _ in teacher.updates] == teacher.sampled
    assert len(seen) == 20 and seen[-1].index == 19
    assert all(o.success for _, o in teacher.updates)


def test_explicit_task_overrides_the_teacher():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    env = CurriculumWrapper(CountdownEnv(), teacher)
    _, info = env.reset(options={"task": {"length": 1, "bonus": 0.25}})
    assert info["task"] == {"length": 1, "bonus": 0.25} and teacher.sampled == []
    env.step(0)
    assert teacher.updates[0][0] == {"length": 1, "bonus": 0.25}


def test_truncated_episodes_are_reported():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    env = CurriculumWrapper(TimeLimit(CountdownEnv(task={"length": 12, "bonus": 1.0}), 4), teacher)
    env.reset(options={"task": {"length": 12, "bonus": 1.0}})
    results = [env.step(0) for _ in range(4)]
    assert results[-1][3] is True  # truncated
    assert teacher.updates[0][1].length == 4 and teacher.updates[0][1].episode_return == 4.0


def test_feed_wrapper_requires_a_task_on_the_vector_path():
    env = TaskFeedWrapper(CountdownEnv(), require_task=True)
    with pytest.raises(RuntimeError, match="no next task"):
        env.reset()
    env.set_next_task({"length": 2, "bonus": 0.1})
    assert env.reset()[1]["task"] == {"length": 2, "bonus": 0.1}
    with pytest.raises(RuntimeError, match="no next task"):
        env.reset()


def test_nan_reward_is_a_clear_error_naming_the_task():
    env = TaskFeedWrapper(CountdownEnv(nan_at=2))
    env.reset(options={"task": {"length": 5, "bonus": 0.5}})
    env.step(0)
    with pytest.raises(ValueError, match=r"reward nan at step 2 of task \{'length': 5"):
        env.step(0)


def test_vec_curriculum_with_hand_driven_envs_is_exact():
    """Manual auto-reset loop (like SB3's DummyVecEnv) with ragged episode lengths."""
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=1)
    envs = [TaskFeedWrapper(CountdownEnv(), require_task=True) for _ in range(3)]
    controller = TaskFeedController(Curriculum(teacher), 3, lambda i, t: envs[i].set_next_task(t))
    controller.feed_all()
    running = [env.reset()[1]["task"] for env in envs]
    controller.feed_all()
    finished = []
    rng = np.random.default_rng(0)
    for _ in range(300):
        infos = []
        for i, env in enumerate(envs):
            _, _, term, trunc, info = env.step(int(rng.random() < 0.1))
            if term or trunc:
                finished.append(running[i])
                running[i] = env.reset()[1]["task"]
            infos.append(info)
        controller.after_step(infos)
    assert [t for t, _ in teacher.updates] == finished
    assert len(teacher.sampled) == len(finished) + 6  # 3 running + 3 waiting
    assert all(env.next_task is not None for env in envs)


def test_random_teacher_drives_the_wrapper():
    teacher = make_teacher("random", CountdownEnv.task_space, seed=0)
    env = CurriculumWrapper(CountdownEnv(), teacher)
    for _ in range(5):
        env.reset()
        while not env.step(0)[2]:
            pass
    assert teacher.n_updates == 5


def test_countdown_factory_is_picklable():
    import pickle

    assert pickle.loads(pickle.dumps(functools.partial(CountdownEnv)))().task_space
