"""The one evaluation: mastery rules per family, seeds, action modes, RNG hygiene, and
the periodic evaluator for SB3 training."""

from __future__ import annotations

import functools
import random
from typing import Any

import numpy as np
import pytest
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym.agents.policy import SB3Policy, stack_observations
from teachgym.bench.suite import parse_suite
from teachgym.envs import task_env
from teachgym.envs.gridworlds import MiniGridTaskEnv
from teachgym.envs.gridworlds.maze import MazeEnv
from teachgym.envs.learnability_grid import LearnabilityGridEnv
from teachgym.envs.task_env import TaskEnv
from teachgym.envs.walkers.stump_tracks import StumpTracksEnv
from teachgym.evaluation import Evaluation, evaluate, seeded_global_rngs
from teachgym.evaluation.periodic import PeriodicEvaluator
from tests.toy_env import CountdownEnv

TASKS = [{"length": 4, "bonus": 1.0}, {"length": 2, "bonus": 0.25}, {"length": 6, "bonus": 0.5}]


class SeedRecordingEnv(CountdownEnv):
    """Countdown that records the seed and task of every reset."""

    resets: list[tuple[int | None, int]] = []

    def reset(self, *, seed=None, options=None):
        observation, info = super().reset(seed=seed, options=options)
        SeedRecordingEnv.resets.append((seed, self.task["length"]))
        return observation, info


class CoinPolicy:
    """Greedy: never stops early (action 0). Stochastic: stops with probability 0.3 per
    step, drawn from numpy's global generator."""

    def act(self, observation: Any, deterministic: bool = True) -> int:
        if deterministic:
            return 0
        return int(np.random.random() < 0.3)


class NoRuleEnv(CountdownEnv):
    mastery_return = None

    def step(self, action: Any):
        observation, reward, terminated, truncated, _ = super().step(action)
        return observation, reward, terminated, truncated, {}


# -- mastery rules -----------------------------------------------------------------
def test_walkers_master_a_task_when_the_mean_return_exceeds_230():
    assert StumpTracksEnv.mastery_episodes == 1 and StumpTracksEnv.evaluation_deterministic
    assert StumpTracksEnv.mastered([240.0, 225.0])  # mean 232.5
    assert not StumpTracksEnv.mastered([231.0, 229.0])  # mean 230 is not above
    # The mean-return rule ignores per-episode successes.
    assert StumpTracksEnv.mastered([300.0], successes=[False])


def test_minigrid_masters_a_task_at_a_success_rate_of_08_over_5_episodes():
    assert MiniGridTaskEnv.mastery_episodes == 5 and MiniGridTaskEnv.mastery_success_rate == 0.8
    assert MiniGridTaskEnv.mastered([0.5] * 5, successes=[True, True, True, True, False])
    assert not MiniGridTaskEnv.mastered([0.5] * 5, successes=[True, True, True, False, False])
    # Without successes, each episode succeeds when its return is above 0.
    assert MiniGridTaskEnv.mastered([0.9, 0.8, 0.7, 0.5, 0.0])
    with pytest.raises(ValueError, match="5 returns but 4 successes"):
        MiniGridTaskEnv.mastered([0.5] * 5, successes=[True] * 4)


def test_a_maze_episode_is_solved_when_it_reaches_the_goal_and_mazes_sample_actions():
    assert MazeEnv.mastery_episodes == 10 and not MazeEnv.evaluation_deterministic
    assert MazeEnv.episode_succeeded(0.4, {"is_success": True})
    assert not MazeEnv.episode_succeeded(0.0, {"is_success": False})
    assert MazeEnv.episode_succeeded(0.4, {}) and not MazeEnv.episode_succeeded(0.0, {})


def test_the_learnability_grid_masters_a_cell_above_competence_75():
    assert LearnabilityGridEnv.mastery_episodes == 1
    assert LearnabilityGridEnv.mastered([0.76]) and not LearnabilityGridEnv.mastered([0.75])


def test_an_environment_without_a_rule_has_no_success_or_mastery():
    assert NoRuleEnv.episode_succeeded(5.0, {}) is None
    result = evaluate(CoinPolicy(), TASKS, NoRuleEnv)
    assert result.successes is None and result.mastered is None
    assert result.percent_mastered is None and result.success_rate is None
    np.testing.assert_array_equal(result.returns, [[4.0], [0.5], [3.0]])


def test_evaluation_judges_episodes_with_the_environments_rule():
    # Countdown: return > 2 masters (mean-return rule); success = played to the end.
    result = evaluate(CoinPolicy(), TASKS, CountdownEnv, episodes_per_task=2)
    np.testing.assert_array_equal(result.returns, [[4.0, 4.0], [0.5, 0.5], [3.0, 3.0]])
    assert result.successes is not None and result.successes.all()
    np.testing.assert_array_equal(result.mastered, [True, False, True])
    assert result.percent_mastered == pytest.approx(200 / 3)
    assert result.mean_return == pytest.approx(2.5)
    record = result.to_dict()
    assert set(record) >= {"returns", "mean_return", "percent_mastered", "success_rate"}
    assert record["returns"] == [[4.0, 4.0], [0.5, 0.5], [3.0, 3.0]]


def test_the_episode_count_defaults_to_the_environments():
    class FiveEpisodes(CountdownEnv):
        mastery_episodes = 5
        mastery_success_rate = 0.8

    result = evaluate(CoinPolicy(), TASKS[:1], FiveEpisodes, deterministic=False, seed=3)
    assert result.returns.shape == (1, 5) and result.episodes_per_task == 5
    rate = result.success_rate_by_task()
    assert rate is not None and result.mastered is not None
    assert result.mastered[0] == (rate[0] >= 0.8)


# -- seeds and action modes -----------------------------------------------------------
def test_episode_k_of_task_i_is_reset_with_seed_plus_i_times_episodes_plus_k():
    SeedRecordingEnv.resets = []
    evaluate(CoinPolicy(), TASKS, SeedRecordingEnv, episodes_per_task=2, seed=10, max_envs=2)
    assert sorted(SeedRecordingEnv.resets) == [
        (10, 4), (11, 4), (12, 2), (13, 2), (14, 6), (15, 6),
    ]  # fmt: skip


def test_stochastic_evaluation_is_reproducible_and_differs_from_greedy():
    tasks = [{"length": 12, "bonus": 1.0}] * 4
    first = evaluate(CoinPolicy(), tasks, CountdownEnv, 5, seed=1, deterministic=False)
    again = evaluate(CoinPolicy(), tasks, CountdownEnv, 5, seed=1, deterministic=False)
    other = evaluate(CoinPolicy(), tasks, CountdownEnv, 5, seed=2, deterministic=False)
    greedy = evaluate(CoinPolicy(), tasks, CountdownEnv, 5, seed=1, deterministic=True)
    np.testing.assert_array_equal(first.returns, again.returns)
    assert not np.array_equal(first.returns, other.returns)
    assert np.all(greedy.returns == 12.0) and first.returns.mean() < 12.0
    assert greedy.deterministic and not first.deterministic


def test_evaluation_leaves_the_global_generators_as_it_found_them():
    random.seed(4)
    np.random.seed(4)
    torch.manual_seed(4)
    expected = (random.random(), np.random.random(), torch.rand(1).item())
    random.seed(4)
    np.random.seed(4)
    torch.manual_seed(4)
    evaluate(CoinPolicy(), TASKS, CountdownEnv, 3, seed=9, deterministic=False)
    with seeded_global_rngs(123):
        np.random.random()
    assert (random.random(), np.random.random(), torch.rand(1).item()) == expected


def test_side_by_side_and_one_at_a_time_give_the_same_greedy_results():
    env_fn = functools.partial(CountdownEnv, continuous=True)
    model = PPO("MlpPolicy", DummyVecEnv([env_fn]), n_steps=32, batch_size=32, seed=0)
    tasks = [{"length": n, "bonus": 0.5} for n in range(1, 9)]
    together = evaluate(model, tasks, env_fn, 2)
    alone = evaluate(model, tasks, env_fn, 2, max_envs=1)
    np.testing.assert_array_equal(together.returns, alone.returns)


def test_a_test_set_and_an_sb3_model_are_accepted():
    env_fn = functools.partial(CountdownEnv, continuous=True)
    model = PPO("MlpPolicy", DummyVecEnv([env_fn]), n_steps=32, batch_size=32, seed=0)
    test_set = task_env.TestSet("three", 1, TASKS)
    via_model = evaluate(model, test_set, env_fn, seed=5, deterministic=False)
    via_adapter = evaluate(SB3Policy(model), TASKS, env_fn, seed=5, deterministic=False)
    np.testing.assert_array_equal(via_model.returns, via_adapter.returns)
    assert via_model.returns.shape == (3, 1)


def test_stack_observations_stacks_arrays_and_dicts_key_by_key():
    stacked = stack_observations([{"a": np.zeros(2), "b": 1}, {"a": np.ones(2), "b": 2}])
    assert stacked["a"].shape == (2, 2) and stacked["b"].tolist() == [1, 2]
    assert stack_observations([np.zeros(3), np.ones(3)]).shape == (2, 3)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tasks": []}, ValueError, "at least one task"),
        ({"episodes_per_task": 0}, ValueError, "episodes_per_task must be >= 1"),
        ({"max_envs": 1.5}, TypeError, "max_envs must be a whole number"),
        ({"agent": object()}, TypeError, "cannot evaluate a object"),
        ({"env_fn": None}, TypeError, "needs env_fn to evaluate a CoinPolicy"),
        ({"env_fn": lambda: __import__("gymnasium").make("CartPole-v1")}, TypeError, "TaskEnv"),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs, error, match):
    arguments = {"agent": CoinPolicy(), "env_fn": CountdownEnv, "tasks": TASKS, **kwargs}
    with pytest.raises(error, match=match):
        evaluate(**arguments)


# -- suites take the environment's rule --------------------------------------------------
def test_suites_default_to_the_environments_episode_count_and_action_mode():
    def spec(env_id: str, **evaluation: Any) -> Any:
        suite = parse_suite(
            {
                "envs": [env_id],
                "teachers": ["random"],
                "students": ["simulated" if "Grid" in env_id else "ppo"],
                "seeds": 1,
                "budget": 100,
                "evaluation": {"every": 50, **evaluation},
            }
        )
        return suite.runs[0].evaluation

    maze = spec("teachgym/Maze-v0")
    assert (maze.episodes_per_task, maze.deterministic) == (10, False)
    grid = spec("teachgym/LearnabilityGrid-v0")
    assert (grid.episodes_per_task, grid.deterministic) == (1, True)
    given = spec("teachgym/Maze-v0", episodes_per_task=2, deterministic=True)
    assert (given.episodes_per_task, given.deterministic) == (2, True)
    with pytest.raises(ValueError, match=r"evaluation\.deterministic"):
        spec("teachgym/Maze-v0", deterministic="yes")


# -- the periodic evaluator ------------------------------------------------------------
def _train(callback: PeriodicEvaluator | None, steps: int = 256) -> PPO:
    env_fn = functools.partial(CountdownEnv, continuous=True)
    model = PPO("MlpPolicy", DummyVecEnv([env_fn, env_fn]), n_steps=32, batch_size=32, seed=1)
    model.learn(steps, callback=callback)
    return model


def _evaluator(**kwargs: Any) -> PeriodicEvaluator:
    env_fn = functools.partial(CountdownEnv, continuous=True)
    return PeriodicEvaluator(env_fn, TASKS, **{"every": 64, "deterministic": False, **kwargs})


def test_periodic_evaluation_leaves_training_exactly_as_without_it():
    evaluator = _evaluator()
    with_evaluation, without = _train(evaluator), _train(None)
    assert [p.env_steps for p in evaluator.points] == [64, 128, 192, 256]
    assert all(isinstance(p.evaluation, Evaluation) for p in evaluator.points)
    for a, b in zip(with_evaluation.policy.parameters(), without.policy.parameters(), strict=True):
        assert torch.equal(a, b)


def test_trained_step_evaluation_runs_between_rollouts():
    seen = []
    evaluator = _evaluator(unit="trained", every=100, on_evaluation=seen.append)
    _train(evaluator)
    # Rollouts of 64 steps start at 0, 64, 128 and 192 trained steps: 128 is the first
    # at or past 100, and 192 is short of the next multiple, 200.
    assert [p.trained_steps for p in evaluator.points] == [128]
    assert seen == evaluator.points
    evaluator = _evaluator(unit="trained", every=60)
    _train(evaluator)
    assert [p.trained_steps for p in evaluator.points] == [64, 128, 192]


def test_the_evaluator_stops_training_at_the_success_threshold():
    evaluator = _evaluator(stop_at_success_rate=0.0)
    model = _train(evaluator, steps=1024)
    assert evaluator.reached_at == 64 and model.num_timesteps == 64
    assert len(evaluator.points) == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"every": 0}, "every must be a whole number"),
        ({"unit": "episodes"}, "unit must be"),
        ({"stop_at_success_rate": 1.5}, r"stop_at_success_rate must be in \[0, 1\]"),
    ],
)
def test_bad_evaluator_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _evaluator(**kwargs)


def test_task_env_default_rule_needs_a_threshold():
    with pytest.raises(ValueError, match="defines no mastery threshold"):
        NoRuleEnv.is_mastered(1.0)
    assert TaskEnv.mastery_episodes == 1 and TaskEnv.mastery_success_rate is None
