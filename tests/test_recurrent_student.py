"""The LSTM student (``recurrent-ppo``): curriculum path, level scores, Robust PLR's mask."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

pytest.importorskip("sb3_contrib", reason="sb3-contrib is in teachgym[web]")
from teachgym.agents import make_student
from teachgym.agents.minigrid_cnn import minigrid_policy_kwargs
from teachgym.agents.policy import RecurrentSB3Policy, sb3_policy
from teachgym.agents.robust_recurrent_ppo import (
    MaskedRecurrentDictRolloutBuffer,
    RobustRecurrentPPO,
)
from teachgym.agents.whole_rollout_ppo import WholeRolloutRecurrentPPO
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.gridworlds.maze import MAZE_TASK_SPACE
from teachgym.evaluation import evaluate
from teachgym.teachers import make_teacher
from tests.toy_env import CountdownEnv

MAZE = env_factory("teachgym/Maze-v0")
SMALL = {
    "n_steps": 32,
    "batch_size": 32,
    "n_epochs": 1,
    "policy_kwargs": {"lstm_hidden_size": 16, "net_arch": {"pi": [16], "vf": [16]}},
}


def weights(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.policy.parameters()]


@pytest.mark.slow
def test_recurrent_ppo_trains_on_mazes_through_robust_plr_and_scores_reach_the_teacher():
    teacher = make_teacher("robust-plr", MAZE_TASK_SPACE, seed=0, capacity=16, min_fill=0.1)
    scores: list[float] = []
    curriculum = Curriculum(teacher, listeners=[lambda r: scores.append(r.outcome.score)])
    cnn = {**minigrid_policy_kwargs(features_dim=32), "lstm_hidden_size": 16}
    student = make_student(
        "recurrent-ppo", MAZE, seed=0, n_envs=2, teacher=teacher, **{**SMALL, "policy_kwargs": cnn}
    )
    student.learn(curriculum, 576)
    model = student.model
    assert isinstance(model, RobustRecurrentPPO)
    assert isinstance(model.rollout_buffer, MaskedRecurrentDictRolloutBuffer)
    assert model.num_timesteps == 576  # 288 steps per maze: every env finished an episode
    assert scores and all(s is not None and np.isfinite(s) for s in scores)
    assert teacher.diagnostics()["buffer_size"] > 0  # scored levels entered the buffer
    # Evaluation carries the LSTM state per episode and plays every held-out episode.
    result = evaluate(student, [MAZE_TASK_SPACE.sample(np.random.default_rng(1))], MAZE, 2)
    assert result.returns.shape == (1, 2)
    student.close()


def test_no_gradient_when_every_episode_is_exploratory():
    # replay_prob 0: every level is new, so every transition is masked.
    teacher = make_teacher("robust-plr", CountdownEnv.task_space, seed=0, replay_prob=0.0)
    student = make_student("recurrent-ppo", functools.partial(CountdownEnv), n_envs=2, **SMALL)
    student.learn(Curriculum(teacher), 64)
    before = weights(student.model)
    student.learn(Curriculum(teacher), 192)
    assert teacher.diagnostics()["buffer_size"] > 0  # the levels were scored
    assert student.model.trained_steps == 0
    assert all(torch.equal(a, b) for a, b in zip(before, weights(student.model), strict=True))
    # The same run with plain PLR (nothing masked) does move the weights.
    plain = make_teacher("plr", CountdownEnv.task_space, seed=0, replay_prob=0.0)
    other = make_student("recurrent-ppo", functools.partial(CountdownEnv), n_envs=2, **SMALL)
    other.learn(Curriculum(plain), 64)
    assert type(other.model) is WholeRolloutRecurrentPPO
    start = weights(other.model)
    other.learn(Curriculum(plain), 192)
    assert not all(torch.equal(a, b) for a, b in zip(start, weights(other.model), strict=True))


def test_masked_transitions_are_left_out_of_the_minibatches():
    teacher = make_teacher("robust-plr", CountdownEnv.task_space, seed=0)
    student = make_student("recurrent-ppo", functools.partial(CountdownEnv), n_envs=2, **SMALL)
    student.learn(Curriculum(teacher), 64)
    buffer = student.model.rollout_buffer
    keep = np.zeros((32, 2), dtype=bool)
    keep[:10, 1] = True  # ten transitions of the second environment
    buffer.keep = keep
    batches = list(buffer.get(None))
    assert len(batches) == 1
    assert float(batches[0].mask.sum()) == 10.0
    buffer.generator_ready = False  # only the mask matters below, not the data layout
    buffer.reset()
    assert buffer.keep.all()


def test_recurrent_policy_carries_the_state_per_slot_and_resets_it_at_episode_start():
    student = make_student("recurrent-ppo", functools.partial(CountdownEnv), n_envs=1, **SMALL)
    student.learn(Curriculum(make_teacher("random", CountdownEnv.task_space, seed=0)), 32)
    policy = sb3_policy(student.model)
    assert isinstance(policy, RecurrentSB3Policy)
    observation = np.asarray(CountdownEnv().reset(seed=0)[0])
    policy.act_batch([observation, observation], slots=[3, 5], episode_starts=[True, True])
    first = policy.states[3][0].copy()
    policy.act_batch([observation], slots=[3], episode_starts=[False])
    assert not np.array_equal(policy.states[3][0], first)  # carried on, so it moved
    policy.act_batch([observation], slots=[3], episode_starts=[True])
    assert np.allclose(policy.states[3][0], first)  # a new episode starts from zero again


@pytest.mark.parametrize(
    "policy_kwargs",
    [
        {"lstm_hidden_size": 16},
        {
            "lstm_hidden_size": 16,
            "features_extractor_class": "stable_baselines3.common.torch_layers:CombinedExtractor",
            "activation_fn": "torch.nn.ReLU",
        },
    ],
)
def test_recurrent_student_learns_on_mazes_with_sb3_feature_extractors(policy_kwargs):
    # SB3 sizes the maze's MultiDiscrete mission with a numpy integer, which nn.LSTM refused.
    teacher = make_teacher("random", MAZE_TASK_SPACE, seed=0)
    student = make_student(
        "recurrent-ppo", MAZE, seed=0, n_envs=2, **{**SMALL, "policy_kwargs": policy_kwargs}
    )
    student.learn(Curriculum(teacher), 64)
    policy = student.model.policy
    assert type(policy.lstm_actor.input_size) is int
    assert policy.lstm_actor.input_size == 4 + 7 * 7 * 3 + (2 + 11 + 6)  # one-hot + flat image
    before = weights(student.model)
    student.learn(Curriculum(teacher), 64)
    assert student.steps_done == 128
    assert any(not torch.equal(a, b) for a, b in zip(before, weights(student.model), strict=True))
    student.close()
