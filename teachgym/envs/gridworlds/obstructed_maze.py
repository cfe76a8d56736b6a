"""ObstructedMaze with its variant as the task: open a locked door whose key may be
hidden in a box and whose way may be blocked by a ball, then pick up the ball.

Source: minigrid's ``MiniGrid-ObstructedMaze-{1Dl,1Dlh,1Dlhb,2Dl,2Dlh,2Dlhb}-v1``,
a benchmark of the LLM-subgoal work (docs/references.md [ruizgonzalez2024]). Variant
letters: ``1D`` one
locked door, ``2D`` two; ``l`` the door is locked (always); ``h`` its key is
hidden in a box (toggle the box to reveal it); ``b`` a ball blocks the door on
the agent's side. Generator written here: rooms of side 6 (walls included) in a
row, the agent in the first room (``1D``: 2 rooms) or the middle one (``2D``:
3 rooms, a locked door on each side, the ball behind one of them at random).
The keys of the locked doors are in the agent's room. The quarter and full
variants (1Q, 2Q, Full) are not included. ``max_steps = 4 * rooms * 6**2``.
Oracle subgoals (door to the ball's room): (box ->) (blocking ball ->) key ->
door -> ball.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.world_object import Ball, Box, Key

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import Cell, Level
from teachgym.envs.gridworlds.mission import Mission
from teachgym.envs.gridworlds.rooms import EAST, WEST, RoomLattice
from teachgym.envs.gridworlds.subgoals import Subgoal, subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Categorical, Task, TaskSpace

VARIANTS = ("1Dl", "1Dlh", "1Dlhb", "2Dl", "2Dlh", "2Dlhb")
ROOM_SIZE = 6


def build_obstructed_maze(variant: str, rng: np.random.Generator) -> Level:
    """An ObstructedMaze layout of ``variant`` (one of :data:`VARIANTS`)."""
    two = variant.startswith("2D")
    hidden, blocked = "h" in variant, "b" in variant
    cols = 3 if two else 2
    home = 1 if two else 0
    lattice = RoomLattice(cols, 1, ROOM_SIZE, rng)
    b = lattice.builder
    sides = [WEST, EAST] if two else [EAST]
    ball_side = sides[int(rng.integers(len(sides)))]
    target_color, *colors = b.colors(6)
    doors = [lattice.wall_cell(home, 0, side) for side in sides]
    insides = [
        lattice.in_front(door, (side + 2) % 4) for door, side in zip(doors, sides, strict=True)
    ]
    agent = b.choose(lattice.empty_cells(home, 0, exclude=insides))
    chain: list[Subgoal] = []
    target: Cell = (0, 0)
    for k, (side, door, inside) in enumerate(zip(sides, doors, insides, strict=True)):
        door_color = colors[k]
        b.door(door, door_color, locked=True)
        free = lattice.empty_cells(home, 0, exclude=[agent, *insides])
        steps: list[Subgoal] = []
        if hidden:
            box = Box(colors[2 + k], contains=Key(door_color))
            spot = b.place(box, free)
            steps.append(subgoal_for("open", b.grid, spot))
        else:
            spot = b.place(Key(door_color), free)
        key_step = Subgoal("pick up", "key", door_color, spot)
        if blocked:
            b.put(Ball(colors[4 - k]), inside)
            steps.append(subgoal_for("move", b.grid, inside))
        steps.append(key_step if hidden else subgoal_for("pick up", b.grid, spot))
        steps.append(subgoal_for("open", b.grid, door))
        if side == ball_side:
            room = home + (1 if side == EAST else -1)
            target = b.place(Ball(target_color), lattice.empty_cells(room, 0))
            chain = [*steps, subgoal_for("pick up", b.grid, target)]
    mission = Mission("pick up", "ball", target_color)
    max_steps = 4 * cols * ROOM_SIZE**2
    return Level(b.grid, agent, b.direction(), mission, target, max_steps, chain)


class ObstructedMazeEnv(MiniGridTaskEnv):
    """ObstructedMaze; task ``{"variant": one of 1Dl, 1Dlh, 1Dlhb, 2Dl, 2Dlh, 2Dlhb}``."""

    task_space = TaskSpace({"variant": Categorical(VARIANTS)})
    default_task: Task = {"variant": "1Dl"}

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return build_obstructed_maze(task["variant"], rng)

    def test_sets(self) -> dict[str, TestSet]:
        """``variants``: every variant, five pinned layouts each."""
        tasks: list[dict[str, Any]] = [
            {"variant": v, LEVEL_SEED: seed} for v in VARIANTS for seed in range(5)
        ]
        return {"variants": TestSet("variants", 1, tasks)}
