"""SB3 students give teachers that require values V(s0, task) of each episode's reset
observation, on the curriculum's vector path."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from teachgym.agents import SB3Student
from teachgym.agents.sb3_values import initial_state_values
from teachgym.curriculum import Curriculum
from teachgym.teachers import make_teacher
from tests.toy_env import CountdownEnv, RecordingTeacher

PPO = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1}


class ValueRecordingTeacher(RecordingTeacher):
    name = "test-value-recording"
    requires_value = True


class ScoredValueRecordingTeacher(ValueRecordingTeacher):
    name = "test-scored-value-recording"
    requires_score = True


def reset_observation(task: dict) -> np.ndarray:
    """CountdownEnv's observation at reset: step 0 of 12 and the task's bonus."""
    return np.array([0.0, task["bonus"]], dtype=np.float32)


def test_ppo_trains_with_spdl_and_its_values_reach_the_teacher():
    teacher = make_teacher(
        "spdl", CountdownEnv.task_space, seed=0, update_frequency=64, update_offset=64
    )
    student = SB3Student(functools.partial(CountdownEnv), seed=0, **PPO)
    student.learn(Curriculum(teacher), 320)
    student.close()
    assert teacher.n_iterations >= 3  # updates ran on reported values
    assert teacher.values and all(np.isfinite(teacher.values))
    assert teacher.diagnostics()["kl_to_target"] != pytest.approx(
        make_teacher("spdl", CountdownEnv.task_space, seed=0).kl_to_target()
    )  # the distribution moved


@pytest.mark.parametrize(
    ("algo", "continuous", "kwargs", "teacher_class"),
    [
        ("ppo", False, {**PPO, "learning_rate": 0.0}, ValueRecordingTeacher),
        ("ppo", False, {**PPO, "learning_rate": 0.0}, ScoredValueRecordingTeacher),
        ("recurrent-ppo", False, {**PPO, "learning_rate": 0.0}, ValueRecordingTeacher),
        ("sac", True, {"learning_starts": 10_000}, ValueRecordingTeacher),
        ("td3", True, {"learning_starts": 10_000}, ValueRecordingTeacher),
        ("dqn", False, {"learning_starts": 10_000}, ValueRecordingTeacher),
    ],
    ids=["ppo", "ppo-deferred-reports", "recurrent-ppo", "sac", "td3", "dqn"],
)
def test_each_reported_value_is_the_models_value_of_the_reset_observation(
    algo, continuous, kwargs, teacher_class
):
    # The models do not change while they learn here (learning rate 0, or no update before
    # learning_starts), so every value reported can be recomputed from the final model.
    teacher = teacher_class(CountdownEnv.task_space, seed=0)
    env_fn = functools.partial(CountdownEnv, continuous=continuous)
    student = SB3Student(env_fn, algo=algo, seed=0, **kwargs)
    student.learn(Curriculum(teacher), 128)
    assert student.model is not None
    assert len(teacher.updates) >= 10
    observations = [reset_observation(task) for task, _ in teacher.updates]
    expected = initial_state_values(student.model, observations)
    reported = np.array([outcome.value for _, outcome in teacher.updates])
    student.close()
    assert np.allclose(reported, expected, rtol=1e-5, atol=1e-6)
    assert np.ptp(reported) > 0  # values differ from task to task


def test_values_are_not_computed_for_teachers_that_need_none():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    student = SB3Student(functools.partial(CountdownEnv), seed=0, **PPO)
    student.learn(Curriculum(teacher), 64)
    assert student.venv is not None and student.venv.value_fn is None
    student.close()
    assert teacher.updates and all(outcome.value is None for _, outcome in teacher.updates)


def test_a_model_whose_values_are_unknown_is_refused():
    class Unknown:
        policy = None

    with pytest.raises(TypeError, match="no value of initial states is known"):
        initial_state_values(Unknown(), [np.zeros(2)])  # type: ignore[arg-type]
