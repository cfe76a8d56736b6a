"""The env-facing subgoal wrapper: observation encodings, sentinel, bonus in order, once
each, no guidance at evaluation, and PPO + the MiniGrid CNN on the wrapped observation."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import PPO

import teachgym.envs  # noqa: F401
from teachgym.agents.minigrid_cnn import minigrid_policy_kwargs
from teachgym.curriculum import Curriculum, CurriculumWrapper
from teachgym.envs.gridworlds import KeyCorridorEnv
from teachgym.subgoal_wrapper import DEFAULT_ALPHA, SubgoalWrapper
from teachgym.teachers import make_teacher
from teachgym.teachers.llm_subgoal import SubgoalTeacher
from tests.gridworld_script import Script

KC = ("teachgym/KeyCorridor-v0", {"num_rows": 2, "room_size": 4})


class Through:
    """What the scripted agent sees: the raw env's state, but steps go through the wrapper."""

    def __init__(self, wrapper: SubgoalWrapper) -> None:
        self.wrapper = wrapper
        self.rewards: list[float] = []
        self.infos: list[dict] = []
        self.observations: list[dict] = []

    def __getattr__(self, name):
        return getattr(self.wrapper.unwrapped, name)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.wrapper.step(action)
        self.rewards.append(float(reward))
        self.infos.append(info)
        self.observations.append(obs)
        return obs, reward, terminated, truncated, info


def wrapped(teacher=None, encoding="relative", env=KC, **kwargs) -> SubgoalWrapper:
    return SubgoalWrapper(gym.make(env[0], task=env[1]), teacher, encoding=encoding, **kwargs)


@pytest.mark.parametrize(
    "env",
    [
        KC,
        ("teachgym/MultiRoom-v0", {"num_rooms": 3, "max_room_size": 5}),
        ("teachgym/ObstructedMaze-v0", {"variant": "1Dlhb"}),
    ],
)
def test_bonus_is_paid_once_per_subgoal_in_order_with_the_published_formula(env):
    wrapper = wrapped(SubgoalTeacher("planner"), env=env)
    obs, info = wrapper.reset(seed=3)
    assert info["subgoal_source"] == "backend" and wrapper.observation_space.contains(obs)
    chain = list(wrapper.chain)
    assert chain == wrapper.unwrapped.oracle_subgoals()
    agent = Through(wrapper)
    script = Script(agent)
    for subgoal in chain:
        script.achieve(subgoal)
    assert agent.infos[-1]["is_success"]
    paid = [(t + 1, i["subgoal_bonus"]) for t, i in enumerate(agent.infos) if i["subgoal_bonus"]]
    assert len(paid) == len(chain)
    max_steps = wrapper.unwrapped.max_steps
    last = 0
    for step, bonus in paid:
        assert bonus == pytest.approx(DEFAULT_ALPHA * (1 - (step - last) / max_steps))
        last = step
    done_counts = [i["subgoals_done"] for i in agent.infos]
    assert done_counts == sorted(done_counts) and done_counts[-1] == len(chain)
    env_return = sum(agent.rewards) - sum(b for _, b in paid)
    assert env_return > 0  # the env's own success reward is untouched
    assert np.array_equal(agent.observations[-1]["subgoal"], np.zeros(3, np.float32))


def test_relative_encoding_points_at_the_subgoal_in_the_agent_frame():
    wrapper = wrapped(SubgoalTeacher("planner"))
    obs, _ = wrapper.reset(seed=1)
    env = wrapper.unwrapped
    target = wrapper.current
    ahead, right, active = obs["subgoal"] * np.array([4, 4, 1])
    dx, dy = target.pos[0] - env.agent_pos[0], target.pos[1] - env.agent_pos[1]
    fx, fy = [(1, 0), (0, 1), (-1, 0), (0, -1)][env.agent_dir]
    assert active == 1 and ahead == dx * fx + dy * fy and right == -dx * fy + dy * fx
    env.step(1)  # turn right: what was to the right is now ahead, what was ahead is left
    rotated = wrapper._encode() * np.array([4, 4, 1])
    assert rotated[0] == right and rotated[1] == -ahead


@pytest.mark.parametrize(("encoding", "width"), [("object", 25), ("embedding", 385)])
def test_other_encodings_and_the_sentinel(encoding, width):
    wrapper = wrapped(SubgoalTeacher("planner"), encoding=encoding)
    obs, _ = wrapper.reset(seed=0)
    assert obs["subgoal"].shape == (width,) and obs["subgoal"][0] == 1.0
    assert wrapper.observation_space.contains(obs)
    if encoding == "object":
        assert obs["subgoal"].sum() == 5.0  # flag + one-hot kind, type, colour, state
    wrapper.done = len(wrapper.chain)
    assert not wrapper._encode().any()


def test_without_a_teacher_there_is_no_guidance_and_no_query():
    guided, plain = wrapped(SubgoalTeacher("planner")), wrapped(None)
    assert plain.observation_space == guided.observation_space
    obs, info = plain.reset(seed=0)
    assert not obs["subgoal"].any() and "subgoal_source" not in info
    raw = gym.make(KC[0], task=KC[1])
    raw.reset(seed=0)
    for action in [2, 1, 2, 5, 0, 2, 3] * 5:
        _, reward, term, trunc, info = plain.step(action)
        assert reward == raw.step(action)[1] and "subgoal_bonus" not in info
        if term or trunc:
            break


def test_hide_probability_shows_the_sentinel_but_still_pays():
    wrapper = wrapped(SubgoalTeacher("planner"), hide_probability=1.0)
    obs, _ = wrapper.reset(seed=0)
    assert not obs["subgoal"].any() and wrapper.current is not None
    agent = Through(wrapper)
    Script(agent).achieve(wrapper.current)
    assert any(i["subgoal_bonus"] > 0 for i in agent.infos)


def test_teacher_counts_layouts_and_bad_configuration_is_refused():
    teacher = SubgoalTeacher("noisy-oracle", accuracy=0.5, seed=1)
    wrapper = wrapped(teacher)
    for seed in range(5):
        wrapper.reset(seed=seed)
    assert teacher.diagnostics()["layouts"] == 5
    assert teacher.diagnostics()["model_accuracy"] is not None
    with pytest.raises(ValueError, match="encoding must be one of"):
        wrapped(teacher, encoding="pixels")
    with pytest.raises(ValueError, match="alpha must be"):
        wrapped(teacher, alpha=float("nan"))
    with pytest.raises(ValueError, match="hide_probability"):
        wrapped(teacher, hide_probability=2.0)
    with pytest.raises(TypeError, match="describe/oracle_subgoals/subgoal_met"):
        SubgoalWrapper(gym.make("teachgym/LearnabilityGrid-v0"), teacher)


@pytest.mark.slow
def test_ppo_with_the_cnn_trains_on_the_subgoal_observation():
    env = wrapped(SubgoalTeacher("planner"))
    model = PPO(
        "MultiInputPolicy",
        env,
        n_steps=64,
        batch_size=32,
        n_epochs=1,
        policy_kwargs=minigrid_policy_kwargs(),
        seed=0,
    )
    model.learn(128)
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(int(action))


def test_outside_a_curriculum_wrapper_the_task_teacher_sees_the_env_return_only():
    records = []
    task_teacher = make_teacher("random", KeyCorridorEnv.task_space, seed=0)
    inner = CurriculumWrapper(gym.make(KC[0]), Curriculum(task_teacher, [records.append]))
    wrapper = SubgoalWrapper(inner, SubgoalTeacher("planner"))
    wrapper.reset(seed=0)
    agent = Through(wrapper)
    script = Script(agent)
    for subgoal in list(wrapper.chain):
        script.achieve(subgoal)
    bonus = sum(i["subgoal_bonus"] for i in agent.infos)
    assert bonus > 0 and len(records) == 1
    assert records[0].outcome.episode_return == pytest.approx(sum(agent.rewards) - bonus)
    assert records[0].outcome.success
