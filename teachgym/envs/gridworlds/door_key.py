"""DoorKey with its size as the task: fetch the key, unlock the door, reach the goal.

Source: minigrid's ``MiniGrid-DoorKey-{5,6,8,16}x16-v0`` (the LLM-subgoal work's
benchmark; docs/references.md [chevalierboisvert2023], [ruizgonzalez2024]). Same
layout rules, generator written here: a square
grid of side ``size``; a wall splits it at a random column; a locked yellow door
in that wall; the yellow key and the agent on the left, the goal in the
bottom-right corner; ``max_steps = 10 * size**2``.
Oracle subgoals: key -> locked door -> goal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.world_object import Goal, Key

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import Level, LevelBuilder
from teachgym.envs.gridworlds.mission import GOAL_MISSION
from teachgym.envs.gridworlds.subgoals import subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Integer, Task, TaskSpace

NAMED_SIZES = (5, 6, 8, 16)
"""Sizes of minigrid's registered DoorKey environments."""


def build_door_key(size: int, rng: np.random.Generator) -> Level:
    """A DoorKey layout of side ``size`` (>= 5)."""
    b = LevelBuilder(size, size, rng)
    goal = (size - 2, size - 2)
    b.put(Goal(), goal)
    split = int(rng.integers(2, size - 2))
    b.wall_line((split, 0), (split, size - 1))
    left = ((1, 1), (split - 1, size - 2))
    agent = b.choose(b.empty_cells(*left))
    door = (split, int(rng.integers(1, size - 2)))
    b.door(door, "yellow", locked=True)
    key = b.place(Key("yellow"), b.empty_cells(*left, exclude=[agent]))
    subgoals = [
        subgoal_for("pick up", b.grid, key),
        subgoal_for("open", b.grid, door),
        subgoal_for("go to", b.grid, goal),
    ]
    return Level(b.grid, agent, b.direction(), GOAL_MISSION, goal, 10 * size**2, subgoals)


class DoorKeyEnv(MiniGridTaskEnv):
    """DoorKey; task ``{"size": 5..16}`` (grid side in cells, walls included)."""

    task_space = TaskSpace({"size": Integer(5, 16)})
    default_task: Task = {"size": 5}

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return build_door_key(task["size"], rng)

    def test_sets(self) -> dict[str, TestSet]:
        """``named``: minigrid's sizes 5, 6, 8, 16, five pinned layouts each."""
        tasks: list[dict[str, Any]] = [
            {"size": s, LEVEL_SEED: seed} for s in NAMED_SIZES for seed in range(5)
        ]
        return {"named": TestSet("named", 1, tasks)}
