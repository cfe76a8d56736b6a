"""ObstructedMaze: every variant is solvable and seeded, and the 3 x 3 variants follow
minigrid's own layout rules (rooms, doors, blocking balls, keys, the ball's corner)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import gymnasium as gym
import minigrid  # noqa: F401  (registers minigrid's ids)
import numpy as np
import pytest
from minigrid.core.constants import DIR_TO_VEC

from teachgym.envs.gridworlds import ObstructedMazeEnv, chain_progress
from teachgym.envs.gridworlds.obstructed_maze import QUARTER_VARIANTS, VARIANTS
from teachgym.tasks import LEVEL_SEED

from .gridworld_script import Script

STEP = 5  # rooms of side 6 share their walls
MINIGRID_IDS = {
    "2Dl": "MiniGrid-ObstructedMaze-2Dl-v0",
    "2Dlh": "MiniGrid-ObstructedMaze-2Dlh-v0",
    "2Dlhb": "MiniGrid-ObstructedMaze-2Dlhb-v1",
    "1Q": "MiniGrid-ObstructedMaze-1Q-v1",
    "2Q": "MiniGrid-ObstructedMaze-2Q-v1",
    "Full": "MiniGrid-ObstructedMaze-Full-v1",
}
SEEDS = range(30)


def room_of(cell: tuple[int, int]) -> tuple[int, int]:
    return (int(cell[0]) // STEP, int(cell[1]) // STEP)


def layout_rules(grid: Any, agent: Any, agent_dir: int, target: Any) -> dict[str, Any]:
    """What minigrid's rules fix in a layout, whatever the random positions."""
    key_rooms: dict[str, set[tuple[int, int]]] = {}
    doors, boxes, others = [], [], []
    for y in range(grid.height):
        for x in range(grid.width):
            obj = grid.get(x, y)
            if obj is None or obj.type == "wall":
                continue
            if obj.type == "door":
                doors.append(((x, y), obj))
            held = obj.contains if obj.type == "box" else obj
            if held is not None and held.type == "key":
                key_rooms.setdefault(held.color, set()).add(room_of((x, y)))
            if obj.type == "box":
                boxes.append((room_of((x, y)), obj.color))
            if obj.type == "ball" and obj is not target:
                others.append(((x, y), obj.color))
    door_rules = set()
    for (x, y), door in doors:
        x, y = int(x), int(y)
        if x % STEP == 0:
            rooms = frozenset({(x // STEP - 1, y // STEP), (x // STEP, y // STEP)})
        else:
            rooms = frozenset({(x // STEP, y // STEP - 1), (x // STEP, y // STEP)})
        blocking = frozenset(
            (room_of(cell), color)
            for cell, color in others
            if abs(cell[0] - x) + abs(cell[1] - y) == 1 and door.is_locked
        )
        keys = frozenset(key_rooms.get(door.color, set())) if door.is_locked else frozenset()
        door_rules.add((rooms, door.is_locked, door.is_open, blocking, keys))
    front = np.asarray(agent) + DIR_TO_VEC[agent_dir]
    in_front = grid.get(*front)
    return {
        "size": (grid.width, grid.height),
        "doors": frozenset(door_rules),
        "boxes": tuple(sorted(Counter(boxes).items())),
        "blocking balls": len(others),
        "agent room": room_of(tuple(agent)),
        "agent faces nothing": in_front is None or in_front.type == "wall",
        "target": (target.type, target.color),
    }


@pytest.mark.parametrize("variant", list(MINIGRID_IDS))
def test_three_by_three_variants_follow_minigrids_rules(variant):
    ours, theirs = [], []
    ours_corner, theirs_corner = set(), set()
    ours_steps, theirs_steps = set(), set()
    env = ObstructedMazeEnv()
    reference = gym.make(MINIGRID_IDS[variant]).unwrapped
    for seed in SEEDS:
        env.reset(seed=seed, options={"task": {"variant": variant}})
        target = env.grid.get(*env.level.target)
        ours.append(layout_rules(env.grid, env.agent_pos, env.agent_dir, target))
        ours_corner.add(room_of(env.level.target))
        ours_steps.add(env.max_steps)
        reference.reset(seed=seed)
        theirs.append(
            layout_rules(reference.grid, reference.agent_pos, reference.agent_dir, reference.obj)
        )
        theirs_corner.add(room_of(tuple(reference.obj.cur_pos)))
        theirs_steps.add(reference.max_steps)
    for rule in ours[0]:
        assert {o[rule] for o in ours} == {t[rule] for t in theirs}, rule
    assert ours_corner == theirs_corner
    assert ours_steps == theirs_steps


def test_quarters_count_rooms_doors_and_corners():
    env = ObstructedMazeEnv()
    for variant, quarters in (("1Q", 1), ("2Q", 2), ("Full", 4)):
        corners = set()
        for seed in SEEDS:
            env.reset(seed=seed, options={"task": {"variant": variant}})
            doors = [obj for obj in env.grid.grid if obj is not None and obj.type == "door"]
            assert (env.width, env.height) == (16, 16)  # 3 x 3 rooms of side 6
            assert sum(d.is_locked for d in doors) == 2 * quarters
            assert sum(not d.is_locked for d in doors) == quarters
            corners.add(room_of(env.level.target))
        assert len(corners) == quarters
    assert QUARTER_VARIANTS["Full"].quarters == 4


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_is_solvable(variant):
    env = ObstructedMazeEnv()
    for seed in SEEDS:
        _, info = env.reset(seed=seed, options={"task": {"variant": variant}})
        assert info["solvable"] and env.is_solvable({"variant": variant, LEVEL_SEED: seed})


@pytest.mark.parametrize("variant", ["1Q", "2Q", "Full"])
def test_scripted_agent_picks_up_the_ball_through_the_oracle_chain(variant):
    """Layouts 1 to 3: no object off the chain stands in the scripted agent's way (it
    does not move such objects; the solver above covers every layout)."""
    env = ObstructedMazeEnv()
    for seed in (1, 2, 3):
        env.reset(seed=0, options={"task": {"variant": variant, LEVEL_SEED: seed}})
        chain = env.oracle_subgoals()
        assert [s.kind for s in chain][-5:] == ["open", "move", "pick up", "open", "pick up"]
        script = Script(env)
        for k, subgoal in enumerate(chain):
            assert chain_progress(env, chain) == k
            script.achieve(subgoal)
            assert env.subgoal_met(subgoal)
        assert script.terminated and script.reward > 0


@pytest.mark.parametrize("variant", ["1Q", "2Q", "Full"])
def test_level_seed_pins_the_layout_and_the_reset_seed_draws_it(variant):
    env, other = ObstructedMazeEnv(), ObstructedMazeEnv()
    pinned = {"variant": variant, LEVEL_SEED: 7}
    env.reset(seed=0, options={"task": pinned})
    other.reset(seed=99, options={"task": pinned})
    assert env.describe() == other.describe()
    layouts = set()
    for seed in range(5):
        env.reset(seed=seed, options={"task": {"variant": variant}})
        layouts.add(env.describe())
    assert len(layouts) == 5
