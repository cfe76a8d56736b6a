"""Curriculum metrics reach Stable-Baselines3's logger."""

from __future__ import annotations

import csv

import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.logger import configure
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym.agents.curriculum_logging import CurriculumLoggerCallback, find_curriculum
from teachgym.agents.sb3_vec import make_curriculum_vec_env
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.teachers import make_teacher


@pytest.mark.slow
def test_teacher_diagnostics_and_task_statistics_are_logged(tmp_path):
    env_fn = env_factory("teachgym/LearnabilityGrid-v0")
    space = env_fn().unwrapped.task_space
    teacher = make_teacher("riac", space, seed=0)
    venv = make_curriculum_vec_env(env_fn, Curriculum(teacher), n_envs=2, seed=0)
    model = PPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0)
    model.set_logger(configure(str(tmp_path), ["csv"]))
    callback = CurriculumLoggerCallback(window=50)
    model.learn(512, callback=callback)
    with open(tmp_path / "progress.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    last = rows[-1]
    assert float(last["curriculum/episodes"]) == teacher.n_updates >= 500
    diagnostics = teacher.diagnostics()
    numeric = [k for k, v in diagnostics.items() if isinstance(v, int | float)]
    assert numeric and all(f"curriculum/teacher/{k}" in last for k in numeric)
    assert 0.0 <= float(last["curriculum/task/x0_mean"]) <= 1.0
    assert float(last["curriculum/task/x1_std"]) > 0
    assert "curriculum/episode_return_mean" in last and "curriculum/success_rate" in last


def test_the_callback_explains_a_training_env_without_curriculum():
    venv = DummyVecEnv([env_factory("teachgym/LearnabilityGrid-v0")])
    with pytest.raises(ValueError, match="has no curriculum"):
        find_curriculum(venv)
    with pytest.raises(ValueError, match="window must be >= 1"):
        CurriculumLoggerCallback(window=0)
