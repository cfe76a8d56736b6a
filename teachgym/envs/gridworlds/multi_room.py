"""MultiRoom with its size as the task: cross a chain of rooms through closed doors.

Source: minigrid's ``MiniGrid-MultiRoom-N{2,4,6}-S{4,5,10}-v0``, a benchmark of
the LLM-subgoal work (docs/references.md [ruizgonzalez2024]). Same layout rules,
generator written here:
on a 25 x 25 grid, ``num_rooms`` rectangular rooms with sides drawn in
``[4, max_room_size]`` (walls included) are laid one after the other, each
sharing a wall with the previous one where a closed door (colour different from
the previous door's) joins them; the agent starts in the first room and the goal
is in the last. ``max_steps = 20 * num_rooms``.
Oracle subgoals: every door in order, then the goal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.constants import COLOR_NAMES
from minigrid.core.world_object import Goal

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import Cell, Level, LevelBuilder
from teachgym.envs.gridworlds.mission import GOAL_MISSION
from teachgym.envs.gridworlds.subgoals import subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Integer, Task, TaskSpace

GRID_SIDE = 25
ATTEMPTS = 2000
"""Chains tried before keeping the longest one found."""
NAMED = ((2, 4), (4, 5), (6, 10))
"""(num_rooms, max_room_size) of minigrid's registered MultiRoom environments."""

Rect = tuple[int, int, int, int]  # x, y, width, height (walls included)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(r: Rect) -> Rect:
    return (r[0] + 1, r[1] + 1, r[2] - 2, r[3] - 2)


def _next_room(prev: Rect, size_high: int, rng: np.random.Generator) -> tuple[Rect, Cell]:
    """A random room sharing one wall of ``prev``, and the door cell on that wall."""
    w, h = (int(v) for v in rng.integers(4, size_high + 1, size=2))
    side = int(rng.integers(4))
    x, y, pw, ph = prev
    if side in (0, 2):  # east or west wall
        door = (x + pw - 1 if side == 0 else x, int(rng.integers(y + 1, y + ph - 1)))
        top = int(rng.integers(door[1] - h + 2, door[1]))
        left = door[0] if side == 0 else door[0] - w + 1
        return (left, top, w, h), door
    door = (int(rng.integers(x + 1, x + pw - 1)), y + ph - 1 if side == 1 else y)
    left = int(rng.integers(door[0] - w + 2, door[0]))
    top = door[1] if side == 1 else door[1] - h + 1
    return (left, top, w, h), door


def _chain(
    num_rooms: int, size_high: int, rng: np.random.Generator
) -> tuple[list[Rect], list[Cell]]:
    w, h = (int(v) for v in rng.integers(4, size_high + 1, size=2))
    rooms = [
        (int(rng.integers(0, GRID_SIDE - w + 1)), int(rng.integers(0, GRID_SIDE - h + 1)), w, h)
    ]
    doors: list[Cell] = []
    while len(rooms) < num_rooms:
        for _ in range(8):
            room, door = _next_room(rooms[-1], size_high, rng)
            fits = room[0] >= 0 and room[1] >= 0 and room[0] + room[2] <= GRID_SIDE
            fits = fits and room[1] + room[3] <= GRID_SIDE
            if fits and not any(
                _overlaps(_inside(room), other) or _overlaps(_inside(other), room)
                for other in rooms
            ):
                rooms.append(room)
                doors.append(door)
                break
        else:
            break
    return rooms, doors


def build_multi_room(num_rooms: int, max_room_size: int, rng: np.random.Generator) -> Level:
    """A MultiRoom layout (the longest chain found if ``num_rooms`` rooms never fit)."""
    rooms: list[Rect] = []
    doors: list[Cell] = []
    for _ in range(ATTEMPTS):
        candidate, candidate_doors = _chain(num_rooms, max_room_size, rng)
        if len(candidate) > len(rooms):
            rooms, doors = candidate, candidate_doors
        if len(rooms) == num_rooms:
            break
    b = LevelBuilder(GRID_SIDE, GRID_SIDE, rng)
    for x, y, w, h in rooms:
        b.wall_rect(x, y, w, h)
    color = ""
    for door in doors:
        color = [c for c in COLOR_NAMES if c != color][int(rng.integers(len(COLOR_NAMES) - 1))]
        b.door(door, color)
    first, last = _inside(rooms[0]), _inside(rooms[-1])
    agent = b.choose(b.empty_cells(first[:2], first[2:]))
    goal = b.place(Goal(), b.empty_cells(last[:2], last[2:], exclude=[agent]))
    subgoals = [subgoal_for("open", b.grid, d) for d in doors]
    subgoals.append(subgoal_for("go to", b.grid, goal))
    return Level(b.grid, agent, b.direction(), GOAL_MISSION, goal, 20 * num_rooms, subgoals)


class MultiRoomEnv(MiniGridTaskEnv):
    """MultiRoom; task ``{"num_rooms": 1..6, "max_room_size": 4..10}`` (walls included)."""

    task_space = TaskSpace({"num_rooms": Integer(1, 6), "max_room_size": Integer(4, 10)})
    default_task: Task = {"num_rooms": 2, "max_room_size": 4}

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return build_multi_room(task["num_rooms"], task["max_room_size"], rng)

    def test_sets(self) -> dict[str, TestSet]:
        """``named``: minigrid's N2-S4, N4-S5, N6-S10, five pinned layouts each."""
        tasks: list[dict[str, Any]] = [
            {"num_rooms": n, "max_room_size": s, LEVEL_SEED: seed}
            for n, s in NAMED
            for seed in range(5)
        ]
        return {"named": TestSet("named", 1, tasks)}
