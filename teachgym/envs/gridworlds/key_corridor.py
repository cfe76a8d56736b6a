"""KeyCorridor with its size as the task: find the key, unlock the door, pick up the ball.

Source: minigrid's ``MiniGrid-KeyCorridorS{3..6}R{1..3}-v0``, a benchmark of the
LLM-subgoal work (docs/references.md [ruizgonzalez2024]). Same layout rules, generator
written here:
three columns of ``num_rows`` rooms of side ``room_size`` (walls included); the
middle column is one corridor; a locked door leads from it into one room of the
right column, which holds the ball; the key of that door lies in a room of the
left column; every other side room joins the corridor by a closed door; the
agent starts in the middle of the corridor. ``max_steps = 30 * room_size**2``.
Oracle subgoals: key -> locked door -> ball.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.world_object import Ball, Key

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import Level
from teachgym.envs.gridworlds.mission import Mission
from teachgym.envs.gridworlds.rooms import EAST, SOUTH, WEST, RoomLattice
from teachgym.envs.gridworlds.subgoals import subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Integer, Task, TaskSpace

NAMED = ((3, 1), (3, 2), (3, 3), (4, 3), (5, 3), (6, 3))
"""(room_size, num_rows) of minigrid's registered KeyCorridor environments."""


def build_key_corridor(num_rows: int, room_size: int, rng: np.random.Generator) -> Level:
    """A KeyCorridor layout."""
    lattice = RoomLattice(3, num_rows, room_size, rng)
    b = lattice.builder
    for j in range(num_rows - 1):
        lattice.open_wall(1, j, SOUTH)
    ball_row = int(rng.integers(num_rows))
    key_row = int(rng.integers(num_rows))
    locked_color, ball_color, *other = b.colors(6)
    locked = lattice.wall_cell(1, ball_row, EAST)
    b.door(locked, locked_color, locked=True)
    for j in range(num_rows):
        b.door(lattice.wall_cell(1, j, WEST), other[j % len(other)])
        if j != ball_row:
            b.door(lattice.wall_cell(1, j, EAST), other[(j + 1) % len(other)])
    ball = b.place(Ball(ball_color), lattice.empty_cells(2, ball_row))
    key = b.place(Key(locked_color), lattice.empty_cells(0, key_row))
    agent = b.choose(lattice.empty_cells(1, num_rows // 2))
    subgoals = [
        subgoal_for("pick up", b.grid, key),
        subgoal_for("open", b.grid, locked),
        subgoal_for("pick up", b.grid, ball),
    ]
    mission = Mission("pick up", "ball", ball_color)
    return Level(b.grid, agent, b.direction(), mission, ball, 30 * room_size**2, subgoals)


class KeyCorridorEnv(MiniGridTaskEnv):
    """KeyCorridor; task ``{"num_rows": 1..3, "room_size": 3..6}`` (room side, walls included)."""

    task_space = TaskSpace({"num_rows": Integer(1, 3), "room_size": Integer(3, 6)})
    default_task: Task = {"num_rows": 1, "room_size": 3}

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return build_key_corridor(task["num_rows"], task["room_size"], rng)

    def test_sets(self) -> dict[str, TestSet]:
        """``named``: minigrid's S3R1 .. S6R3, five pinned layouts each."""
        tasks: list[dict[str, Any]] = [
            {"num_rows": r, "room_size": s, LEVEL_SEED: seed} for s, r in NAMED for seed in range(5)
        ]
        return {"named": TestSet("named", 1, tasks)}
