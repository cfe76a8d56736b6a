"""SB3 students with ``normalize``: the policy acts on the training statistics, and a
checkpoint keeps them (real training on a toy env: marked slow)."""

from __future__ import annotations

import functools
import json
import random
from typing import Any

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.vec_env import VecNormalize

from teachgym.agents import SB3Student, make_student
from teachgym.agents.sb3_normalize import NORMALIZATION_FILE
from teachgym.agents.sb3_values import initial_state_values, value_function
from teachgym.curriculum import Curriculum
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate
from teachgym.state_io import CorruptStateError
from teachgym.teachers import make_teacher
from tests.toy_env import CountdownEnv

TASKS = [{"length": 5, "bonus": 0.8}, {"length": 9, "bonus": 0.3}, {"length": 2, "bonus": 1.0}]
ENV_FN = functools.partial(CountdownEnv)
PPO = {"n_envs": 2, "n_steps": 16, "batch_size": 8, "normalize": True}


def trained(steps: int = 64, **kwargs: Any) -> tuple[SB3Student, Curriculum]:
    student = make_student("ppo", ENV_FN, seed=0, **{**PPO, **kwargs})
    curriculum = Curriculum(make_teacher("random", CountdownEnv.task_space, seed=1))
    student.learn(curriculum, steps)
    return student, curriculum


class RecordingPredict:
    """Wraps a model's ``predict`` and keeps every observation batch it is given."""

    def __init__(self, model: Any) -> None:
        self.predict = model.predict
        self.seen: list[np.ndarray] = []
        model.predict = self

    def __call__(self, observation: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(np.array(observation, copy=True))
        return self.predict(observation, *args, **kwargs)


@pytest.mark.slow
def test_evaluation_acts_on_observations_normalised_with_the_training_statistics():
    student, _ = trained()
    wrapper = student.model.get_env()
    assert isinstance(wrapper, VecNormalize)
    before = (wrapper.obs_rms.mean.copy(), wrapper.obs_rms.var.copy(), wrapper.obs_rms.count)
    assert not np.allclose(before[0], 0.0)  # the statistics moved away from their start
    raw = np.array([[0.25, 0.8], [0.5, 0.3]], dtype=np.float32)
    recorder = RecordingPredict(student.model)
    student.act_batch(list(raw))
    np.testing.assert_allclose(recorder.seen[-1], wrapper.normalize_obs(raw), rtol=1e-6)
    assert not np.allclose(recorder.seen[-1], raw)
    student.act(raw[0])
    np.testing.assert_allclose(recorder.seen[-1], wrapper.normalize_obs(raw[:1]), rtol=1e-6)
    evaluate(student, TASKS, episodes_per_task=1)
    played = np.concatenate(recorder.seen[2:])
    # every observation evaluation played is one of CountdownEnv's, normalised: undone with
    # the training statistics it is (step / 12, the task's bonus)
    raw_played = played * np.sqrt(before[1] + 1e-8) + before[0]
    steps = raw_played[:, 0] * 12
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-3)
    bonuses = {round(float(b), 3) for b in raw_played[:, 1]}
    assert bonuses == {task["bonus"] for task in TASKS}
    # evaluation froze the statistics
    after = wrapper.obs_rms
    assert np.array_equal(after.mean, before[0]) and after.count == before[2]
    student.close()


@pytest.mark.slow
def test_a_resumed_normalised_student_continues_exactly_like_the_straight_run(tmp_path):
    straight, _ = trained(128)
    first, curriculum = trained(64)
    first.save(tmp_path / "checkpoint", curriculum=curriculum)
    saved = np.load(tmp_path / "checkpoint" / NORMALIZATION_FILE)
    first_returns = evaluate(first, TASKS, episodes_per_task=2).returns
    first.close()
    np.random.seed(123)
    torch.manual_seed(456)
    random.seed(789)
    resumed = make_student("ppo", ENV_FN, seed=0, **PPO)
    teacher = resumed.load(tmp_path / "checkpoint")
    assert teacher is not None
    # the reloaded statistics are the saved ones, and the reloaded policy acts on them
    assert resumed.normalization is not None
    np.testing.assert_array_equal(resumed.normalization.obs.mean, saved["obs_mean"])
    np.testing.assert_array_equal(resumed.normalization.ret.var, saved["ret_var"])
    np.testing.assert_array_equal(
        evaluate(resumed, TASKS, episodes_per_task=2).returns, first_returns
    )
    resumed.learn(Curriculum(teacher), 64)
    assert resumed.steps_done == straight.steps_done == 128
    for name in ("obs", "ret"):
        a, b = getattr(straight.normalization, name), getattr(resumed.normalization, name)
        np.testing.assert_array_equal(a.mean, b.mean)
        np.testing.assert_array_equal(a.var, b.var)
        assert a.count == b.count
    straight_weights = list(straight.model.policy.parameters())
    resumed_weights = list(resumed.model.policy.parameters())
    assert all(torch.equal(a, b) for a, b in zip(straight_weights, resumed_weights, strict=True))
    straight.close()
    resumed.close()


@pytest.mark.slow
def test_a_checkpoint_without_its_statistics_is_a_clear_error(tmp_path):
    student, curriculum = trained(32)
    student.save(tmp_path / "checkpoint", curriculum=curriculum)
    student.close()
    (tmp_path / "checkpoint" / NORMALIZATION_FILE).unlink()
    with pytest.raises(CorruptStateError, match="no normalisation statistics"):
        make_student("ppo", ENV_FN, seed=0, **PPO).load(tmp_path / "checkpoint")
    (tmp_path / "checkpoint" / NORMALIZATION_FILE).write_bytes(b"not an npz")
    with pytest.raises(CorruptStateError, match="cannot be read"):
        make_student("ppo", ENV_FN, seed=0, **PPO).load(tmp_path / "checkpoint")
    # a student saved without normalize writes no statistics
    plain, curriculum = trained(32, normalize=False)
    plain.save(tmp_path / "plain", curriculum=curriculum)
    assert not (tmp_path / "plain" / NORMALIZATION_FILE).exists()
    assert (
        json.loads((tmp_path / "plain" / "student.json").read_text())["config"]["normalize"]
        is False
    )
    plain.close()


@pytest.mark.slow
def test_values_for_teachers_see_normalised_observations():
    student, _ = trained()
    assert student.normalization is not None
    raw = [np.array([0.0, 0.8], dtype=np.float32), np.array([0.0, 0.1], dtype=np.float32)]
    normalised = list(student.normalization.normalize_observations(np.stack(raw)))
    np.testing.assert_allclose(
        value_function(student.model, student.normalization.normalize_observations)(raw),
        initial_state_values(student.model, normalised),
    )
    student.close()


@pytest.mark.slow
def test_the_task_critic_values_each_reset_normalised_with_the_training_statistics():
    student, _ = trained()
    assert student.normalization is not None
    tasks = TASKS[:2]
    scratch = CountdownEnv()
    raw = np.stack([scratch.reset(seed=0, options={"task": task})[0] for task in tasks])
    expected = initial_state_values(
        student.model, list(student.normalization.normalize_observations(raw))
    )
    np.testing.assert_allclose(student.task_critic(tasks), expected, rtol=1e-6)
    unnormalised = initial_state_values(student.model, list(raw))
    assert not np.allclose(expected, unnormalised)  # the statistics change the values
    student.close()


class DictObservations(CountdownEnv):
    def __init__(self) -> None:
        super().__init__()
        self.observation_space = spaces.Dict({"x": spaces.Box(0.0, 1.0, shape=(2,))})

    def _obs(self) -> Any:
        return {"x": super()._obs()}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "normalize must be true, false or a mapping"),
        ({"gamma": 0.9}, "VecNormalize has no option 'gamma'"),
        ({"clip_obs": -1.0}, "clip_obs must be a number > 0"),
        ({"norm_reward": 1}, "norm_reward must be true or false"),
    ],
)
def test_bad_normalize_values_are_refused_at_construction(value, message):
    with pytest.raises(TeachgymUsageError, match=message):
        make_student("ppo", ENV_FN, normalize=value)


def test_normalize_refuses_dict_observations():
    student = make_student("ppo", DictObservations, normalize=True, n_steps=16, batch_size=8)
    with pytest.raises(TeachgymUsageError, match="normalize works on flat Box observations"):
        student.learn(Curriculum(make_teacher("random", CountdownEnv.task_space)), 16)
    student.close()
