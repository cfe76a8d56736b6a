"""The LSTM student's whole-rollout update against sb3-contrib's padded one."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

pytest.importorskip("sb3_contrib", reason="sb3-contrib is in teachgym[web]")
from sb3_contrib.common.recurrent.buffers import RecurrentDictRolloutBuffer
from stable_baselines3.common.env_util import make_vec_env

from teachgym.agents import make_student
from teachgym.agents.minigrid_cnn import minigrid_policy_kwargs
from teachgym.agents.robust_recurrent_ppo import RobustRecurrentPPO
from teachgym.agents.whole_rollout_ppo import (
    WholeRolloutDictBuffer,
    WholeRolloutRecurrentPPO,
    padded_copy,
)
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.gridworlds.maze import MAZE_TASK_SPACE as MAZE_TASKS
from teachgym.teachers import make_teacher

MAZE = env_factory("teachgym/Maze-v0")
N_STEPS = 32
SHARED = {"lstm_hidden_size": 16, "shared_lstm": True, "enable_critic_lstm": False}
SEPARATE = {"lstm_hidden_size": 16}


def build(cls, n_envs: int, lstm: dict, batch_size: int | None = None, seed: int = 0):
    policy_kwargs = {
        **minigrid_policy_kwargs(features_dim=32),
        "net_arch": {"pi": [16], "vf": [16]},
        "optimizer_class": torch.optim.SGD,  # an update is lr x gradient: comparable to 1e-5
        **lstm,
    }
    return cls(
        "MultiInputLstmPolicy",
        make_vec_env(MAZE, n_envs=n_envs, seed=seed),
        n_steps=N_STEPS,
        batch_size=batch_size or N_STEPS * n_envs,
        n_epochs=2,
        learning_rate=0.05,
        clip_range_vf=0.2,
        policy_kwargs=policy_kwargs,
        seed=seed,
    )


def collect(model) -> None:
    """Fill ``model``'s rollout buffer with one rollout (no update)."""
    _, callback = model._setup_learn(model.n_steps * model.n_envs)
    model.collect_rollouts(model.env, callback, model.rollout_buffer, model.n_steps)


def params(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.policy.parameters()]


def train_from(model, state: dict, buffer, seed: int = 0) -> list[torch.Tensor]:
    """The weights after one ``train`` on ``buffer`` from weights ``state``."""
    model.policy.load_state_dict(state)
    model.policy.optimizer = model.policy.optimizer_class(
        model.policy.parameters(), lr=0.05, **model.policy.optimizer_kwargs
    )
    model.rollout_buffer = buffer
    np.random.seed(seed)
    model.train()
    return params(model)


def assert_close(a: list[torch.Tensor], b: list[torch.Tensor], atol: float) -> None:
    assert all(torch.allclose(x, y, atol=atol, rtol=0) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("lstm", [SHARED, SEPARATE], ids=["shared-lstm", "critic-lstm"])
@pytest.mark.parametrize(
    "n_envs, starts", [(1, {}), (2, {0: [9, 20], 1: [5, 17]})], ids=["one-episode", "resets"]
)
def test_one_update_equals_sb3_contribs_padded_update(monkeypatch, lstm, n_envs, starts):
    model = build(WholeRolloutRecurrentPPO, n_envs, lstm)
    collect(model)
    buffer = model.rollout_buffer
    buffer.episode_starts[:] = 0.0
    for env, steps in starts.items():
        buffer.episode_starts[steps, env] = 1.0
    # A state carried from an earlier rollout: the first step starts from it.
    rng = np.random.default_rng(0)
    for name in ("hidden_states_pi", "cell_states_pi", "hidden_states_vf", "cell_states_vf"):
        getattr(buffer, name)[0] = rng.normal(size=getattr(buffer, name)[0].shape)
    padded = padded_copy(buffer)
    assert type(padded) is RecurrentDictRolloutBuffer
    start = copy.deepcopy(model.policy.state_dict())
    before = params(model)
    whole = train_from(model, start, buffer)
    # sb3-contrib's split point on the first step: its sequences then start at episode
    # starts and at each environment's first step only, as the whole rollout's do.
    monkeypatch.setattr(np.random, "randint", lambda *args, **kwargs: 0)
    reference = train_from(model, start, padded)
    assert not all(torch.equal(a, b) for a, b in zip(before, whole, strict=True))
    assert_close(whole, reference, atol=1e-5)


def robust_rollout():
    """A RobustRecurrentPPO (two environments, one per minibatch) with a filled buffer
    keeping part of it, and its weights."""
    model = build(RobustRecurrentPPO, 2, SEPARATE, batch_size=N_STEPS)
    collect(model)
    keep = np.zeros((N_STEPS, 2), dtype=bool)
    keep[4:20, 0] = True
    keep[25:, 1] = True
    model.rollout_buffer.keep = keep
    return model, copy.deepcopy(model.policy.state_dict())


def test_transitions_not_kept_add_nothing_to_the_update():
    model, start = robust_rollout()
    buffer = model.rollout_buffer
    changed, kept_changed = copy.deepcopy(buffer), copy.deepcopy(buffer)
    dropped = ~buffer.keep
    rng = np.random.default_rng(1)
    for name in ("rewards", "advantages", "returns", "values", "log_probs"):
        getattr(changed, name)[dropped] = rng.normal(scale=10.0, size=int(dropped.sum()))
    kept_changed.advantages[buffer.keep] += rng.normal(scale=10.0, size=int(buffer.keep.sum()))
    reference = train_from(model, start, buffer)
    assert_close(train_from(model, start, changed), reference, atol=1e-6)
    # The same kind of change on kept transitions does move the update.
    moved = train_from(model, start, kept_changed)
    assert not all(
        torch.allclose(a, b, atol=1e-4, rtol=0) for a, b in zip(moved, reference, strict=True)
    )


def test_a_minibatch_with_fewer_than_two_kept_transitions_is_skipped():
    model, _ = robust_rollout()
    model.rollout_buffer.keep[:] = False
    model.rollout_buffer.keep[3, 0] = True  # one transition: env 0's minibatch is skipped
    model.rollout_buffer.keep[7:9, 1] = True
    batches = list(model.rollout_buffer.get(N_STEPS))
    assert len(batches) == 1
    assert float(batches[0].mask.sum()) == 2.0
    assert batches[0].mask.shape == (N_STEPS,)  # one whole environment, no padding


def test_the_lstm_state_resets_at_an_episode_start_inside_the_rollout():
    model = build(WholeRolloutRecurrentPPO, 1, SEPARATE)
    collect(model)
    buffer = model.rollout_buffer
    buffer.episode_starts[:] = 0.0
    buffer.episode_starts[10, 0] = 1.0
    buffer.hidden_states_pi[0] = 1.0  # a carried state: it matters before step 10 only
    buffer.cell_states_vf[0] = 1.0
    samples = next(buffer.get(None))
    assert not isinstance(samples.observations, torch.Tensor)

    def outputs(observations, states):
        with torch.no_grad():
            values, log_prob, _ = model.policy.evaluate_actions(
                observations, samples.actions.long().flatten(), states, samples.episode_starts
            )
        return torch.cat([values.flatten()[:, None], log_prob[:, None]], dim=1)

    base = outputs(samples.observations, samples.lstm_states)
    noisy = {key: obs.clone() for key, obs in samples.observations.items()}
    for key, space in model.observation_space.spaces.items():
        space.seed(0)
        noise = np.stack([space.sample() for _ in range(10)])
        noisy[key][:10] = torch.as_tensor(noise).reshape(noisy[key][:10].shape)
    zero = (
        torch.zeros_like(samples.lstm_states.pi[0]),
        torch.zeros_like(samples.lstm_states.pi[1]),
    )
    for observations, states in [
        (noisy, samples.lstm_states),
        (samples.observations, type(samples.lstm_states)(zero, zero)),
    ]:
        other = outputs(observations, states)
        assert torch.allclose(other[10:], base[10:], atol=1e-6)  # after the start: unchanged
        assert not torch.allclose(other[:10], base[:10], atol=1e-4)  # before it: changed


def test_batch_sizes_that_are_not_whole_environments_are_refused():
    with pytest.raises(ValueError, match=r"k \* n_steps"):
        build(WholeRolloutRecurrentPPO, 2, SEPARATE, batch_size=N_STEPS + 8)
    model = build(WholeRolloutRecurrentPPO, 2, SEPARATE, batch_size=N_STEPS)
    assert isinstance(model.rollout_buffer, WholeRolloutDictBuffer)


def test_the_maze_lstm_student_trains_on_whole_rollouts_through_the_curriculum():
    teacher = make_teacher("random", MAZE_TASKS, seed=0)
    kwargs = {**minigrid_policy_kwargs(features_dim=16), "lstm_hidden_size": 16}
    student = make_student(
        "recurrent-ppo", MAZE, seed=0, n_envs=2, n_steps=N_STEPS, batch_size=N_STEPS,
        n_epochs=2, policy_kwargs=kwargs,
    )  # fmt: skip
    student.learn(Curriculum(teacher), 2 * N_STEPS)
    model = student.model
    assert type(model) is WholeRolloutRecurrentPPO
    assert isinstance(model.rollout_buffer, WholeRolloutDictBuffer)
    before = params(model)
    student.learn(Curriculum(teacher), 2 * 2 * N_STEPS)
    assert model.num_timesteps == 3 * 2 * N_STEPS
    assert model.logger.name_to_value["train/n_updates"] > 0
    assert not all(torch.equal(a, b) for a, b in zip(before, params(model), strict=True))
    student.close()


def test_a_checkpoint_of_the_lstm_student_reloads_as_the_whole_rollout_model(tmp_path):
    teacher = make_teacher("random", MAZE_TASKS, seed=0)
    options = {"n_envs": 2, "n_steps": N_STEPS, "batch_size": N_STEPS}  # default MiniGrid CNN
    student = make_student("recurrent-ppo", MAZE, seed=0, **options)
    curriculum = Curriculum(teacher)
    student.learn(curriculum, 2 * N_STEPS)
    student.save(tmp_path / "checkpoint", curriculum=curriculum)
    resumed = make_student("recurrent-ppo", MAZE, seed=0, **options)
    assert resumed.load(tmp_path / "checkpoint") is not None
    assert type(resumed.model) is WholeRolloutRecurrentPPO
    assert isinstance(resumed.model.rollout_buffer, WholeRolloutDictBuffer)
    assert_close(params(resumed.model), params(student.model), atol=0.0)
    student.close()
    resumed.close()


@pytest.mark.parametrize("starts_per_sequence", [0, 1, 5])
def test_the_lstm_runs_stretch_by_stretch_as_sb3_contrib_runs_it_step_by_step(
    starts_per_sequence,
):
    from sb3_contrib.common.recurrent.policies import RecurrentActorCriticPolicy

    from teachgym.agents.whole_rollout_ppo import MultiInputLstmPolicy

    generator = torch.Generator().manual_seed(starts_per_sequence)
    lstm = torch.nn.LSTM(6, 8)
    n_seq, steps = 3, 40
    features = torch.randn(n_seq * steps, 6, generator=generator, requires_grad=True)
    starts = torch.zeros(n_seq, steps)
    for row in range(n_seq):
        starts[row, torch.randperm(steps, generator=generator)[:starts_per_sequence]] = 1.0
    states = tuple(torch.randn(1, n_seq, 8, generator=generator) for _ in range(2))
    results = []
    for process in (RecurrentActorCriticPolicy._process_sequence,
                    MultiInputLstmPolicy._process_sequence):  # fmt: skip
        output, (hidden, cell) = process(features, states, starts.flatten(), lstm)
        (gradient,) = torch.autograd.grad(output.square().sum() + hidden.sum(), features)
        results.append((output, hidden, cell, gradient))
    for theirs, mine in zip(*results, strict=True):
        torch.testing.assert_close(mine, theirs)
