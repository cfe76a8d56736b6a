"""The MiniGrid family: views, tasks, determinism, solvability, mazes, text, subgoals."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from minigrid.core.actions import Actions
from minigrid.core.constants import OBJECT_TO_IDX
from minigrid.core.world_object import Lava
from minigrid.minigrid_env import MiniGridEnv

from teachgym.envs.gridworlds import (
    EASIEST_TASK,
    HELD_OUT_MAZES,
    DoorKeyEnv,
    KeyCorridorEnv,
    MazeEnv,
    MiniGridTaskEnv,
    MiniGridWorldEnv,
    ObstructedMazeEnv,
    Subgoal,
    chain_progress,
    empty_maze_task,
    random_maze_task,
    subgoal_met,
)
from teachgym.envs.gridworlds.maze_layouts import parse_drawing
from teachgym.envs.gridworlds.world import LADDER
from teachgym.tasks import LEVEL_SEED

from .gridworld_script import Script

FAMILY = [
    "teachgym/MiniGridWorld-v0",
    "teachgym/Maze-v0",
    "teachgym/DoorKey-v0",
    "teachgym/KeyCorridor-v0",
    "teachgym/MultiRoom-v0",
    "teachgym/ObstructedMaze-v0",
]


def make(env_id: str) -> MiniGridTaskEnv:
    env = gym.make(env_id).unwrapped
    assert isinstance(env, MiniGridTaskEnv)
    return env


@pytest.mark.parametrize("env_id", FAMILY)
def test_fast_view_equals_minigrids_own_and_spaces_are_fixed(env_id):
    env = make(env_id)
    rng = np.random.default_rng(0)
    space = env.task_space
    for episode in range(6):
        task = space.sample(rng)
        if env_id == "teachgym/Maze-v0":
            task = random_maze_task(rng, 40)
        obs, _ = env.reset(seed=episode, options={"task": task})
        for _ in range(150):
            assert env.observation_space.contains(obs)
            assert np.array_equal(obs["image"], MiniGridEnv.gen_obs(env)["image"])
            # lean on pickup / drop / toggle so the cached encoding must follow edits
            action = int(rng.choice(7, p=[0.2, 0.2, 0.3, 0.1, 0.1, 0.1, 0.0]))
            obs, reward, terminated, truncated, info = env.step(action)
            assert 0.0 <= reward <= 1.0 and info["is_success"] == (reward > 0)
            if terminated or truncated:
                break
    assert env.observation_space == make("teachgym/Maze-v0").observation_space


def test_task_validation_and_misuse_errors():
    world = MiniGridWorldEnv()
    with pytest.raises(ValueError, match="lava_density"):
        world.reset(options={"task": {**EASIEST_TASK, "lava_density": 0.9}})
    with pytest.raises(ValueError, match="num_rooms"):
        world.reset(options={"task": {**EASIEST_TASK, "num_rooms": 1.5}})
    with pytest.raises(ValueError, match="walls"):
        MazeEnv().reset(options={"task": {**empty_maze_task(), "walls": [[0] * 13] * 12}})
    with pytest.raises(ValueError, match="variant"):
        ObstructedMazeEnv().reset(options={"task": {"variant": "3Dl"}})
    with pytest.raises(ValueError, match="render_mode"):
        DoorKeyEnv(render_mode="film")
    with pytest.raises(RuntimeError, match="reset"):
        DoorKeyEnv().step(0)
    with pytest.raises(RuntimeError, match="reset"):
        DoorKeyEnv().describe()
    env = DoorKeyEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(7)
    with pytest.raises(ValueError, match="level_seed"):
        world.is_solvable(dict(EASIEST_TASK))
    with pytest.raises(ValueError, match="num_blocks"):
        random_maze_task(np.random.default_rng(0), 168)
    with pytest.raises(ValueError, match="one agent"):
        parse_drawing(("." * 13,) * 13)


@pytest.mark.parametrize("env_id", FAMILY)
def test_episode_is_determined_by_task_and_seed(env_id):
    env, other = make(env_id), make(env_id)
    task = env.test_set().tasks[-1]
    task = {k: v for k, v in task.items() if k != LEVEL_SEED}
    obs_a, _ = env.reset(seed=3, options={"task": task})
    obs_b, _ = other.reset(seed=3, options={"task": task})
    assert env.describe() == other.describe()
    assert np.array_equal(obs_a["image"], obs_b["image"])
    for action in [2, 0, 2, 3, 5, 1, 2, 2, 4, 5]:
        step_a, step_b = env.step(action), other.step(action)
        assert np.array_equal(step_a[0]["image"], step_b[0]["image"]) and step_a[1:4] == step_b[1:4]
    assert env.describe() == other.describe()
    if env.random_layout:
        layouts = {env.reset(seed=s, options={"task": task}) and env.describe() for s in range(6)}
        assert len(layouts) > 1  # the seed draws the layout ...
        pinned = {**task, LEVEL_SEED: 11}
        layouts = {env.reset(seed=s, options={"task": pinned}) and env.describe() for s in range(4)}
        assert len(layouts) == 1  # ... unless level_seed pins it


def test_world_difficulty_knobs_and_unsolvable_region():
    env = MiniGridWorldEnv()
    env.reset(seed=0)
    assert (env.width, env.height) == (6, 6) and env.max_steps == 100
    goal = env.level.target
    assert abs(goal[0] - env.agent_pos[0]) + abs(goal[1] - env.agent_pos[1]) == 1
    hard = {"num_rooms": 4, "room_size": 9, "locked_doors": 3, "lava_density": 0.0,
            "distractors": 6, "goal_distance": 1.0}  # fmt: skip
    _, info = env.reset(seed=1, options={"task": hard})
    assert (env.width, env.height) == (41, 11) and info["solvable"]
    text = env.describe()
    assert text.count(" locked at") == 3 and text.count("  - key ") == 3
    kinds = [s.kind for s in env.oracle_subgoals()]
    assert kinds == ["pick up", "open"] * 3 + ["go to"]
    solvable = {
        lava: [
            env.reset(seed=s, options={"task": {**hard, "lava_density": lava}})[1]["solvable"]
            for s in range(20)
        ]
        for lava in (0.0, 0.6)
    }
    assert all(solvable[0.0]) and sum(solvable[0.6]) <= 4
    for seed in range(8):  # is_solvable(task) rebuilds exactly the episode's layout
        task = {**hard, "lava_density": 0.35, LEVEL_SEED: seed}
        _, info = env.reset(seed=99, options={"task": task})
        assert env.is_solvable(task) == info["solvable"] == env.is_solvable()


def test_unsolvable_maze_is_recognised():
    rows = [".........#..."] * 4 + ["#########...."] + ["............."] * 8
    walled = list(rows)
    walled[0] = ">........#.G."
    walled[1] = ".........####"
    env = MazeEnv()
    _, info = env.reset(options={"task": parse_drawing(tuple(walled))})
    assert info["solvable"] is False and env.is_solvable(parse_drawing(tuple(walled))) is False
    walled[1] = "............."
    _, info = env.reset(options={"task": parse_drawing(tuple(walled))})
    assert info["solvable"] is True


def test_maze_layout_round_trip_and_test_sets():
    env = MazeEnv()
    rng = np.random.default_rng(5)
    for blocks in (25, 60):
        task = random_maze_task(rng, blocks)
        assert np.sum(task["walls"]) == blocks
        env.reset(options={"task": task})
        saved = env.level_task()
        assert saved == task
        grid = env.grid.encode()
        replay = MazeEnv()
        replay.reset(seed=123, options={"task": saved})
        assert np.array_equal(replay.grid.encode(), grid)
        assert replay.describe() == env.describe()
    covered = empty_maze_task()
    covered["walls"][0][0] = 1  # a wall under the agent is ignored
    env.reset(options={"task": covered})
    assert env.level_task() == empty_maze_task()
    sets = env.test_sets()
    assert set(sets) == {"held-out", "random-25", "random-60"} and len(sets["held-out"]) >= 8
    for task in sets["held-out"].tasks:
        _, info = env.reset(options={"task": task})
        assert info["solvable"], task
    assert sorted(HELD_OUT_MAZES)[:3] == ["bottleneck", "crossing", "dead_ends"]


def test_text_description_is_canonical():
    rows = ["v............"] + ["......#......"] * 11 + ["............G"]
    env = MazeEnv()
    env.reset(options={"task": parse_drawing(tuple(rows))})
    text = env.describe()
    lines = text.splitlines()
    assert lines[0].startswith("grid: 15 x 15 cells (width x height)")
    assert lines[1] == "mission: get to the green goal square"
    assert lines[2] == "agent: at (1, 1) facing south, carrying nothing"
    assert lines[4] == "  " + "#" * 15 and lines[5] == "  #v............#"
    assert lines[6] == "  #......#......#"
    assert lines[-2:] == ["objects:", "  - goal green at (13, 13)"]
    assert MazeEnv().reset(options={"task": parse_drawing(tuple(rows))}) and text == env.describe()
    door_key = DoorKeyEnv()
    door_key.reset(options={"task": {"size": 6, LEVEL_SEED: 0}})
    before = door_key.describe()
    assert "door yellow locked at" in before and "carrying nothing" in before
    key = door_key.oracle_subgoals()[0]
    Script(door_key).achieve(key)
    after = door_key.describe()
    assert "carrying key yellow" in after and f"key yellow at ({key.pos[0]}" not in after
    obstructed = ObstructedMazeEnv()
    obstructed.reset(options={"task": {"variant": "1Dlh", LEVEL_SEED: 0}})
    assert "containing key" in obstructed.describe()


CHAINS = [
    ("teachgym/DoorKey-v0", {"size": 8}, ["pick up", "open", "go to"]),
    ("teachgym/KeyCorridor-v0", {"num_rows": 3, "room_size": 4}, ["pick up", "open", "pick up"]),
    ("teachgym/MultiRoom-v0", {"num_rooms": 4, "max_room_size": 5}, ["open"] * 3 + ["go to"]),
    ("teachgym/ObstructedMaze-v0", {"variant": "1Dl"}, ["pick up", "open", "pick up"]),
    (
        "teachgym/ObstructedMaze-v0",
        {"variant": "2Dlhb"},
        ["open", "move", "pick up", "open", "pick up"],
    ),
    ("teachgym/MiniGridWorld-v0", LADDER[7], ["pick up", "open"] * 2 + ["go to"]),
    ("teachgym/Maze-v0", HELD_OUT_MAZES["labyrinth"], ["go to"]),
]


@pytest.mark.parametrize(("env_id", "task", "kinds"), CHAINS)
def test_scripted_agent_meets_the_oracle_chain_in_order(env_id, task, kinds):
    env = make(env_id)
    seeds = (s for s in range(50) if env.is_solvable({**task, LEVEL_SEED: s}))
    env.reset(seed=0, options={"task": {**task, LEVEL_SEED: next(seeds)}})
    chain = env.oracle_subgoals()
    assert [s.kind for s in chain][-len(kinds) :] == kinds
    script = Script(env)
    done = 0
    for k, subgoal in enumerate(chain):
        assert not env.subgoal_met(subgoal)
        assert chain_progress(env, chain, done) == k
        script.achieve(subgoal)
        assert env.subgoal_met(subgoal) and subgoal_met(env, subgoal)
        done = chain_progress(env, chain, done)
        assert done >= k + 1 or (k == len(chain) - 1 and script.terminated)
    assert script.terminated and script.reward > 0


def test_subgoal_serialisation_and_errors():
    subgoal = Subgoal("open", "door", "yellow", (3, 4), 2)
    assert Subgoal.from_dict(subgoal.to_dict()) == subgoal
    assert subgoal.describe() == "open the yellow door at (3, 4)"
    with pytest.raises(ValueError, match="kind"):
        Subgoal("fly", "door", "yellow", (3, 4))
    with pytest.raises(ValueError, match="unknown subgoal object"):
        Subgoal("open", "door", "pink", (3, 4))
    with pytest.raises(ValueError, match="needs kind"):
        Subgoal.from_dict({"kind": "open"})


def test_the_shared_subgoal_vocabulary_is_minigrid_encoding():
    """teachgym.subgoals spells MiniGrid's codes without importing MiniGrid."""
    from minigrid.core.constants import COLOR_TO_IDX, OBJECT_TO_IDX, STATE_TO_IDX

    from teachgym import subgoals

    assert {name: i for i, name in enumerate(subgoals.OBJECT_TYPES)} == OBJECT_TO_IDX
    assert {name: i for i, name in enumerate(subgoals.COLORS)} == COLOR_TO_IDX
    assert {name: i for i, name in enumerate(subgoals.STATES)} == STATE_TO_IDX
    key = Subgoal("pick up", "key", "purple", (1, 2))
    assert key.code == (OBJECT_TO_IDX["key"], COLOR_TO_IDX["purple"], 0)


def test_pickup_of_a_non_target_object_is_not_success():
    env = KeyCorridorEnv()
    env.reset(options={"task": {"num_rows": 1, "room_size": 4, LEVEL_SEED: 2}})
    script = Script(env)
    script.achieve(env.oracle_subgoals()[0])  # the key
    assert env.carrying is not None and env.carrying.type == "key"
    assert not script.terminated and script.reward == 0.0


def test_mastery_threshold():
    assert MiniGridTaskEnv.mastered([0.9, 0.8, 0.7, 0.5, 0.0])
    assert not MiniGridTaskEnv.mastered([0.9, 0.8, 0.7, 0.0, 0.0])
    assert MiniGridTaskEnv.is_mastered(0.2) and not MiniGridTaskEnv.is_mastered(0.0)
    with pytest.raises(ValueError, match="at least one"):
        MiniGridTaskEnv.mastered([])


def test_rgb_render_and_test_sets_are_valid():
    env = gym.make("teachgym/ObstructedMaze-v0", render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (6 * 32, 11 * 32, 3)  # 1Dl: two rooms of side 6
    for env_id in FAMILY:
        unwrapped = make(env_id)
        for test_set in unwrapped.test_sets().values():
            assert all(unwrapped.task_space.contains(t) for t in test_set.tasks)
    env.step(Actions.done)


def test_hand_edits_reach_the_view_after_sync_grid():
    env = MazeEnv()
    env.reset(options={"task": empty_maze_task()})  # agent at (1, 1) facing east
    env.grid.set(3, 1, Lava())
    env.sync_grid()
    obs = env.gen_obs()
    assert np.array_equal(obs["image"], MiniGridEnv.gen_obs(env)["image"])
    assert obs["image"][3, 4, 0] == OBJECT_TO_IDX["lava"]  # two cells ahead of the agent
