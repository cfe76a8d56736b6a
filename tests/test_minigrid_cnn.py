"""The MiniGrid CNN features extractor with SB3 PPO, directly and through a curriculum."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

import teachgym
from teachgym.agents import SB3Student
from teachgym.agents.minigrid_cnn import MiniGridCNN, minigrid_policy_kwargs
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.gridworlds import observation_space
from teachgym.evaluation import evaluate


def test_features_shape_and_one_hot_input():
    space = observation_space()
    extractor = MiniGridCNN(space, features_dim=32)
    batch = {
        "image": torch.as_tensor(np.stack([space["image"].sample() for _ in range(5)])).float(),
        "direction": torch.nn.functional.one_hot(torch.tensor([[0], [1], [2], [3], [0]]), 4),
        "mission": torch.zeros(5, int(np.sum(space["mission"].nvec))),
    }
    features = extractor(batch)
    assert features.shape == (5, 32) and torch.all(features >= 0)
    other = dict(batch, image=batch["image"].clone())
    other["image"][0, 3, 3, 0] = (batch["image"][0, 3, 3, 0] + 1) % 11
    assert not torch.allclose(extractor(other)[0], features[0])  # the view matters


def test_bad_observation_space_is_a_clear_error():
    with pytest.raises(ValueError, match="'image' Box of shape"):
        MiniGridCNN(spaces.Dict({"image": spaces.Box(0, 1, (4,))}))


def test_ppo_learns_a_few_steps_directly_and_through_a_curriculum():
    venv = make_vec_env("teachgym/MiniGridWorld-v0", n_envs=2, seed=0)
    model = PPO(
        "MultiInputPolicy",
        venv,
        n_steps=32,
        batch_size=32,
        n_epochs=1,
        policy_kwargs=minigrid_policy_kwargs(features_dim=32),
        seed=0,
    )
    model.learn(64)
    env = gym.make("teachgym/Maze-v0")
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(int(action))

    env_fn = env_factory("teachgym/MiniGridWorld-v0")
    teacher = teachgym.make_teacher("random", env_fn().unwrapped.task_space, seed=0)
    student = SB3Student(
        env_fn,
        n_envs=2,
        seed=0,
        policy="MultiInputPolicy",
        n_steps=32,
        batch_size=32,
        n_epochs=1,
        policy_kwargs=minigrid_policy_kwargs(features_dim=32),
    )
    student.learn(Curriculum(teacher), total_steps=64)
    tasks = env_fn().unwrapped.test_set("ladder").tasks[:2]
    returns = evaluate(student, tasks, episodes_per_task=1).returns
    assert returns.shape == (2, 1) and np.all((returns >= 0) & (returns <= 1))
    student.close()


def test_a_student_with_the_cnn_in_its_policy_kwargs_saves_and_resumes(tmp_path):
    env_fn = env_factory("teachgym/Maze-v0")
    settings = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1}
    kwargs = minigrid_policy_kwargs(features_dim=16)
    teacher = teachgym.make_teacher("random", env_fn().unwrapped.task_space, seed=0)
    student = SB3Student(env_fn, seed=0, **settings, policy_kwargs=kwargs)
    student.learn(Curriculum(teacher), total_steps=64)
    student.save(tmp_path / "ckpt", teacher)
    # A suite or the command line names the class with a string.
    named = {**kwargs, "features_extractor_class": "teachgym.agents.minigrid_cnn:MiniGridCNN"}
    restored = SB3Student(env_fn, seed=0, **settings, policy_kwargs=named)
    saved_teacher = restored.load(tmp_path / "ckpt")
    assert isinstance(restored.model.policy.features_extractor, MiniGridCNN)
    for a, b in zip(
        student.model.policy.parameters(), restored.model.policy.parameters(), strict=True
    ):
        assert torch.equal(a, b)
    restored.learn(Curriculum(saved_teacher), total_steps=64)
    assert restored.steps_done == 128
    student.close()
    restored.close()
