"""Resuming SB3 students: a checkpointed and reloaded run continues exactly as the straight run."""

from __future__ import annotations

import functools
import json
import random

import numpy as np
import pytest
import torch

from teachgym.agents import SB3Student, make_student
from teachgym.agents.robust_ppo import RobustPPO
from teachgym.agents.student import load_curriculum_state
from teachgym.curriculum import Curriculum, EpisodeRecord
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate
from teachgym.state_io import CorruptStateError
from teachgym.teachers import Teacher, make_teacher
from tests.toy_env import CountdownEnv

EVAL_TASKS = [{"length": 5, "bonus": 0.8}, {"length": 9, "bonus": 0.3}, {"length": 2, "bonus": 1.0}]


def settings(algo: str) -> tuple[functools.partial[CountdownEnv], dict]:
    if algo == "ppo":
        return functools.partial(CountdownEnv), {"n_envs": 2, "n_steps": 16, "batch_size": 8}
    return functools.partial(CountdownEnv, continuous=True), {
        "learning_starts": 40,
        "batch_size": 16,
        "buffer_size": 1000,
    }


class Episodes:
    """Curriculum listener keeping every record."""

    def __init__(self) -> None:
        self.records: list[EpisodeRecord] = []

    def __call__(self, record: EpisodeRecord) -> None:
        self.records.append(record)


def comparable(records: list[EpisodeRecord]) -> list[tuple]:
    return [(r.index, r.env_index, json.dumps(r.task), r.outcome.to_dict()) for r in records]


def weights(student: SB3Student) -> list[torch.Tensor]:
    assert student.model is not None
    return [p.detach().clone() for p in student.model.policy.parameters()]


def straight_and_resumed(algo: str, teacher_name: str, half: int, tmp_path, **teacher_kwargs):
    env_fn, kwargs = settings(algo)

    def fresh_teacher() -> Teacher:
        return make_teacher(teacher_name, CountdownEnv.task_space, seed=1, **teacher_kwargs)

    straight_log = Episodes()
    straight = make_student(algo, env_fn, seed=0, **kwargs)
    straight_teacher = fresh_teacher()
    straight_curriculum = Curriculum(straight_teacher, listeners=[straight_log])
    straight.learn(straight_curriculum, 2 * half)

    first_log = Episodes()
    first = make_student(algo, env_fn, seed=0, **kwargs)
    first_curriculum = Curriculum(fresh_teacher(), listeners=[first_log])
    first.learn(first_curriculum, half)
    first.save(tmp_path / "checkpoint", curriculum=first_curriculum)
    first.close()
    # Whatever the process does between the save and the reload does not matter.
    np.random.seed(123)
    torch.manual_seed(456)
    random.seed(789)
    resumed = make_student(algo, env_fn, seed=0, **kwargs)
    teacher = resumed.load(tmp_path / "checkpoint")
    assert teacher is not None
    second_log = Episodes()
    curriculum = Curriculum(teacher, listeners=[second_log])
    curriculum.load_state_dict(load_curriculum_state(tmp_path / "checkpoint") or {})
    resumed.learn(curriculum, half)
    assert resumed.steps_done == straight.steps_done == 2 * half
    return straight, straight_teacher, straight_log, resumed, teacher, first_log, second_log


@pytest.mark.slow
@pytest.mark.parametrize(
    ("algo", "teacher_name", "half", "teacher_kwargs"),
    [
        ("ppo", "random", 96, {}),
        ("ppo", "robust-plr", 96, {"replay_prob": 0.5}),
        ("sac", "random", 60, {}),
    ],
)
def test_a_reloaded_checkpoint_continues_exactly_like_the_straight_run(
    algo, teacher_name, half, teacher_kwargs, tmp_path
):
    straight, straight_teacher, straight_log, resumed, teacher, first_log, second_log = (
        straight_and_resumed(algo, teacher_name, half, tmp_path, **teacher_kwargs)
    )
    # Same episodes, same indices (continuing from the checkpoint), same outcomes.
    assert comparable(first_log.records + second_log.records) == comparable(straight_log.records)
    assert second_log.records and second_log.records[0].index == len(first_log.records)
    # Same weights, same evaluations, same teacher.
    assert all(torch.equal(a, b) for a, b in zip(weights(straight), weights(resumed), strict=True))
    np.testing.assert_array_equal(
        evaluate(straight, EVAL_TASKS, episodes_per_task=2).returns,
        evaluate(resumed, EVAL_TASKS, episodes_per_task=2).returns,
    )
    assert json.dumps(teacher.state_dict(), default=repr) == json.dumps(
        straight_teacher.state_dict(), default=repr
    )
    if teacher_name == "robust-plr":
        assert isinstance(straight.model, RobustPPO) and isinstance(resumed.model, RobustPPO)
    straight.close()
    resumed.close()


def test_training_leaves_the_callers_global_generators_alone(tmp_path):
    env_fn, kwargs = settings("ppo")
    student = make_student("ppo", env_fn, seed=0, **kwargs)
    np.random.seed(5)
    torch.manual_seed(5)
    random.seed(5)
    expected = (np.random.random(), torch.rand(1).item(), random.random())
    np.random.seed(5)
    torch.manual_seed(5)
    random.seed(5)
    student.learn(Curriculum(make_teacher("random", CountdownEnv.task_space, seed=0)), 32)
    assert (np.random.random(), torch.rand(1).item(), random.random()) == expected
    student.close()


@pytest.fixture(scope="module")
def ppo_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "checkpoint"
    env_fn, kwargs = settings("ppo")
    student = make_student("ppo", env_fn, seed=0, **kwargs)
    curriculum = Curriculum(make_teacher("robust-plr", CountdownEnv.task_space, seed=0))
    student.learn(curriculum, 32)
    student.save(path, curriculum=curriculum)
    student.close()
    return path


def corrupt_copy(source, tmp_path):
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(source, target)
    return target


def test_a_robust_checkpoint_reloads_as_robust_ppo(ppo_checkpoint):
    assert json.loads((ppo_checkpoint / "student.json").read_text())["model_class"] == "RobustPPO"
    env_fn, kwargs = settings("ppo")
    student = make_student("ppo", env_fn, seed=0, **kwargs)
    teacher = student.load(ppo_checkpoint)
    assert isinstance(student.model, RobustPPO) and teacher is not None
    student.learn(Curriculum(teacher), 32)  # no "forbids gradient steps" refusal
    assert student.steps_done == 64
    student.close()


def test_a_checkpoint_resumes_with_other_threads_but_not_other_hyperparameters(
    ppo_checkpoint, tmp_path
):
    env_fn, kwargs = settings("ppo")
    student = make_student("ppo", env_fn, seed=0, **{**kwargs, "torch_threads": 2})
    assert student.load(corrupt_copy(ppo_checkpoint, tmp_path)) is not None
    student.close()
    other = make_student("ppo", env_fn, seed=0, **{**kwargs, "n_steps": 32})
    with pytest.raises(TeachgymUsageError, match=r"n_steps: 16 -> 32"):
        other.load(ppo_checkpoint)
    other.close()


@pytest.mark.parametrize(
    ("damage", "error", "message"),
    [
        ("truncate-model", CorruptStateError, r"model\.zip cannot be loaded.*corrupted"),
        ("student-list", CorruptStateError, r"student\.json is corrupted"),
        ("negative-steps", CorruptStateError, r"non-negative integer 'steps_done'"),
        ("n-envs", TeachgymUsageError, r"n_envs: 2 -> 3"),
        ("algo", TeachgymUsageError, r"algo: 'ppo' -> 'a2c'"),
        ("training-state", CorruptStateError, r"training_state\.pkl cannot be read"),
    ],
)
def test_a_damaged_or_mismatched_checkpoint_is_one_clear_error(
    damage, error, message, ppo_checkpoint, tmp_path
):
    path = corrupt_copy(ppo_checkpoint, tmp_path)
    env_fn, kwargs = settings("ppo")
    algo = "ppo"
    meta = json.loads((path / "student.json").read_text())
    if damage == "truncate-model":
        data = (path / "model.zip").read_bytes()
        (path / "model.zip").write_bytes(data[: len(data) // 2])
    elif damage == "student-list":
        (path / "student.json").write_text("[]")
    elif damage == "negative-steps":
        (path / "student.json").write_text(json.dumps({**meta, "steps_done": -50}))
    elif damage == "n-envs":
        kwargs = {**kwargs, "n_envs": 3}
    elif damage == "algo":
        algo = "a2c"
        kwargs = {"n_envs": 2, "n_steps": 16}
    elif damage == "training-state":
        (path / "training_state.pkl").write_bytes(b"\x80\x04garbage")
    student = make_student(algo, env_fn, seed=0, **kwargs)
    with pytest.raises(error, match=message) as caught:
        student.load(path)
    assert "\n" not in str(caught.value)
    student.close()


def restart_case(env_fn, vec_env: str, tmp_path, n_steps: int = 16):
    """Train, save, reload and train on: returns (held tasks at the save, saved curriculum
    state, records after the reload, resumed curriculum)."""
    kwargs = {"n_envs": 2, "vec_env": vec_env, "n_steps": n_steps, "batch_size": 16}
    space = env_fn().unwrapped.task_space
    first = make_student("ppo", env_fn, seed=0, **kwargs)
    curriculum = Curriculum(make_teacher("random", space, seed=0))
    first.learn(curriculum, 2 * n_steps)
    assert first.venv is not None
    held = first.venv.held_tasks()
    first.save(tmp_path / "checkpoint", curriculum=curriculum)
    saved_teacher = json.dumps(curriculum.teacher.state_dict(), default=repr)
    first.close()
    resumed = make_student("ppo", env_fn, seed=0, **kwargs)
    teacher = resumed.load(tmp_path / "checkpoint")
    assert teacher is not None
    assert json.dumps(teacher.state_dict(), default=repr) == saved_teacher
    log = Episodes()
    again = Curriculum(teacher, listeners=[log])
    saved = load_curriculum_state(tmp_path / "checkpoint")
    assert saved is not None
    again.load_state_dict(saved)
    resumed.learn(again, 6 * n_steps)
    resumed.close()
    return held, saved, log.records, again


def check_restarted_on_held_tasks(held, saved, records, curriculum):
    # Each sub-environment first reruns its task in progress, then runs its next task.
    for env_index, (current, upcoming) in enumerate(held):
        ran = [r.task for r in records if r.env_index == env_index]
        assert ran[:2] == [current, upcoming]
    # Indices continue; every task handed out is either reported once or still held.
    assert [r.index for r in records] == list(
        range(saved["episodes_reported"], curriculum.episodes_reported)
    )
    assert curriculum.tasks_sampled == curriculum.episodes_reported + 2 * len(held)
    assert saved["tasks_sampled"] == saved["episodes_reported"] + 2 * len(held)


@pytest.mark.slow
def test_a_subprocess_vector_env_restarts_its_episodes_on_the_tasks_it_held(tmp_path):
    check_restarted_on_held_tasks(
        *restart_case(functools.partial(CountdownEnv), "subproc", tmp_path)
    )


def test_walkers_mid_episode_restart_on_their_held_tasks(tmp_path):
    from teachgym.envs import env_factory

    env_fn = env_factory("teachgym/StumpTracks-v0")
    kwargs = {"n_envs": 2, "n_steps": 8, "batch_size": 8, "n_epochs": 1}
    first = make_student("ppo", env_fn, seed=0, **kwargs)
    curriculum = Curriculum(make_teacher("random", env_fn().unwrapped.task_space, seed=0))
    first.learn(curriculum, 16)
    assert first.venv is not None
    assert first.venv.snapshot() is None  # a Box2D world cannot be pickled
    held = first.venv.held_tasks()
    first.save(tmp_path / "checkpoint", curriculum=curriculum)
    first.close()
    resumed = make_student("ppo", env_fn, seed=0, **kwargs)
    teacher = resumed.load(tmp_path / "checkpoint")
    assert teacher is not None
    again = Curriculum(teacher)
    again.load_state_dict(load_curriculum_state(tmp_path / "checkpoint") or {})
    resumed.learn(again, 16)
    assert resumed.venv is not None
    # No walker finishes in 16 steps: both still run the tasks they held, from the start.
    assert again.episodes_reported == curriculum.episodes_reported == 0
    assert resumed.venv.held_tasks() == held
    assert again.tasks_sampled == again.episodes_reported + 2 * len(held)
    resumed.close()
