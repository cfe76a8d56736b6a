"""ObstructedMaze with its variant as the task: open locked doors whose keys may be
hidden in boxes and whose way may be blocked by balls, then pick up the blue ball.

Source: minigrid's ``MiniGrid-ObstructedMaze-*`` environments (docs/references.md
[chevalierboisvert2023]), a benchmark of the LLM-subgoal work ([ruizgonzalez2024]).
Same layout rules, generator written here. Variant letters: ``1D`` one locked door,
``2D`` two; ``l`` the doors are locked (always); ``h`` each key is hidden in a box
(toggle the box to reveal it); ``b`` a ball blocks each locked door on the side of
its key; ``1Q`` / ``2Q`` the maze's first one or two quarters; ``Full`` all four
(``Q`` and ``Full`` variants are ``hb``). Rooms have side 6 (walls included).

- ``1D*``: two rooms in a row; the agent and the key in the first, the ball in the
  second, behind the locked door.
- ``2D*``, ``1Q``, ``2Q``, ``Full``: a 3 x 3 lattice of rooms. For each of the first
  ``quarters`` side rooms (east, south, west, north of the centre, in that order), a
  closed unlocked door joins it to the centre, and a locked door leads from it to
  each of its two corner rooms; the keys of both (and the blocking balls) are in
  that side room. The ball is in one of the first ``quarters`` corners (north-east,
  south-east, south-west, north-west, in that order). The agent starts in the east
  side room (``2D*``, ``2Q``) or the centre (``1Q``, ``Full``), never facing an object.
  Keys are placed after every blocking ball, so a ball never covers a key (minigrid's
  ``v1`` environments).

Colours: the ball to pick up is blue, blocking balls green, boxes grey (minigrid's),
door colours a random permutation of the six; in ``1D*`` every colour is drawn at
random. ``max_steps = 4 * rooms_visited * 6**2`` with minigrid's ``rooms_visited``:
2 (``1D*``), 4 (``2D*``), 5 (``1Q``), 11 (``2Q``), 25 (``Full``).
Oracle subgoals: (the centre door(s) on the way ->) (box ->) (blocking ball ->) key
-> locked door -> ball, through the side room nearest the agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from minigrid.core.world_object import Ball, Box, Key, WorldObj

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import Cell, Level, LevelBuilder
from teachgym.envs.gridworlds.mission import Mission
from teachgym.envs.gridworlds.rooms import EAST, NORTH, SOUTH, WEST, RoomLattice
from teachgym.envs.gridworlds.subgoals import Subgoal, subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Categorical, Task, TaskSpace

ROOM_SIZE = 6
TARGET_COLOR, BLOCKING_COLOR, BOX_COLOR = "blue", "green", "grey"
"""minigrid's colours of the ball to pick up, the blocking balls and the key boxes."""

Room = tuple[int, int]
CENTRE: Room = (1, 1)
SIDE_ROOMS: tuple[Room, ...] = ((2, 1), (1, 2), (0, 1), (1, 0))
"""Side room ``i`` lies in direction ``i`` (EAST, SOUTH, WEST, NORTH) of the centre."""
CORNERS: tuple[Room, ...] = ((2, 0), (2, 2), (0, 2), (0, 0))
"""Corner rooms in the order their quarters are added."""
_STEP = {EAST: (1, 0), SOUTH: (0, 1), WEST: (-1, 0), NORTH: (0, -1)}


@dataclass(frozen=True)
class Quarters:
    """A 3 x 3 ObstructedMaze: the agent's room, how many quarters have doors and keys,
    whether keys are hidden in boxes and doors blocked by balls, minigrid's
    ``num_rooms_visited`` (which sets ``max_steps``)."""

    agent_room: Room
    quarters: int
    hidden: bool
    blocked: bool
    rooms_visited: int


QUARTER_VARIANTS: dict[str, Quarters] = {
    "2Dl": Quarters((2, 1), 1, hidden=False, blocked=False, rooms_visited=4),
    "2Dlh": Quarters((2, 1), 1, hidden=True, blocked=False, rooms_visited=4),
    "2Dlhb": Quarters((2, 1), 1, hidden=True, blocked=True, rooms_visited=4),
    "1Q": Quarters(CENTRE, 1, hidden=True, blocked=True, rooms_visited=5),
    "2Q": Quarters((2, 1), 2, hidden=True, blocked=True, rooms_visited=11),
    "Full": Quarters(CENTRE, 4, hidden=True, blocked=True, rooms_visited=25),
}
"""The variants laid out on the 3 x 3 lattice (minigrid's registered keyword arguments)."""

VARIANTS = ("1Dl", "1Dlh", "1Dlhb", *QUARTER_VARIANTS)


def build_obstructed_maze(variant: str, rng: np.random.Generator) -> Level:
    """An ObstructedMaze layout of ``variant`` (one of :data:`VARIANTS`)."""
    if variant in QUARTER_VARIANTS:
        return _build_quarters(QUARTER_VARIANTS[variant], rng)
    return _build_row(variant, rng)


def _build_row(variant: str, rng: np.random.Generator) -> Level:
    """``1Dl``, ``1Dlh``, ``1Dlhb``: two rooms, one locked door between them."""
    hidden, blocked = "h" in variant, "b" in variant
    lattice = RoomLattice(2, 1, ROOM_SIZE, rng)
    b = lattice.builder
    target_color, door_color, box_color, ball_color = b.colors(4)
    door = lattice.wall_cell(0, 0, EAST)
    inside = lattice.in_front(door, WEST)
    agent = b.choose(lattice.empty_cells(0, 0, exclude=[inside]))
    b.door(door, door_color, locked=True)
    free = lattice.empty_cells(0, 0, exclude=[agent, inside])
    chain: list[Subgoal] = []
    if hidden:
        spot = b.place(Box(box_color, contains=Key(door_color)), free)
        chain.append(subgoal_for("open", b.grid, spot))
        key_step = Subgoal("pick up", "key", door_color, spot)
    else:
        spot = b.place(Key(door_color), free)
        key_step = subgoal_for("pick up", b.grid, spot)
    if blocked:
        b.put(Ball(ball_color), inside)
        chain.append(subgoal_for("move", b.grid, inside))
    target = b.place(Ball(target_color), lattice.empty_cells(1, 0))
    chain += [key_step, subgoal_for("open", b.grid, door), subgoal_for("pick up", b.grid, target)]
    mission = Mission("pick up", "ball", target_color)
    return Level(b.grid, agent, b.direction(), mission, target, 4 * 2 * ROOM_SIZE**2, chain)


def _neighbour(room: Room, side: int) -> Room:
    dx, dy = _STEP[side]
    return (room[0] + dx, room[1] + dy)


@dataclass
class _LockedDoor:
    cell: Cell
    color: str
    ball: Cell | None
    key: Cell


def _build_quarters(spec: Quarters, rng: np.random.Generator) -> Level:
    """A 3 x 3 ObstructedMaze (module docstring), drawn in minigrid's ``v1`` order."""
    lattice = RoomLattice(3, 3, ROOM_SIZE, rng)
    b = lattice.builder
    colors = b.colors(6)
    centre_doors: list[Cell] = []
    gates: dict[tuple[int, Room], _LockedDoor] = {}
    for i in range(spec.quarters):
        side_room = SIDE_ROOMS[i]
        door = lattice.wall_cell(*CENTRE, i)
        b.door(door, colors[i])
        centre_doors.append(door)
        made: list[tuple[Room, Cell, str, Cell | None]] = []
        for k in (-1, 1):
            side = (i + k) % 4
            color = colors[(i + k) % len(colors)]
            cell = lattice.wall_cell(*side_room, side)
            b.door(cell, color, locked=True)
            ball = None
            if spec.blocked:
                ball = lattice.in_front(cell, (side + 2) % 4)
                b.put(Ball(BLOCKING_COLOR), ball)
            made.append((_neighbour(side_room, side), cell, color, ball))
        for corner, cell, color, ball in made:
            key: WorldObj = Key(color)
            if spec.hidden:
                key = Box(BOX_COLOR, contains=key)
            spot = b.place(key, lattice.empty_cells(*side_room))
            gates[(i, corner)] = _LockedDoor(cell, color, ball, spot)
    corner = CORNERS[int(rng.integers(spec.quarters))]
    target = b.place(Ball(TARGET_COLOR), lattice.empty_cells(*corner))
    agent, agent_dir = _place_agent(lattice, spec.agent_room)
    ways = [i for i in range(spec.quarters) if (i, corner) in gates]
    mine = [i for i in ways if SIDE_ROOMS[i] == spec.agent_room]
    way = (mine or ways)[0]
    chain = _chain(b, spec, centre_doors, way, gates[(way, corner)], target)
    mission = Mission("pick up", "ball", TARGET_COLOR)
    max_steps = 4 * spec.rooms_visited * ROOM_SIZE**2
    return Level(b.grid, agent, agent_dir, mission, target, max_steps, chain)


def _place_agent(lattice: RoomLattice, room: Room) -> tuple[Cell, int]:
    """A uniform (cell, direction) of ``room`` whose front cell is empty or a wall."""
    b = lattice.builder
    options = []
    for cell in lattice.empty_cells(*room):
        for direction in range(4):
            front = b.grid.get(*lattice.in_front(cell, direction))
            if front is None or front.type == "wall":
                options.append((cell, direction))
    return options[int(b.rng.integers(len(options)))]


def _chain(
    b: LevelBuilder,
    spec: Quarters,
    centre_doors: list[Cell],
    way: int,
    gate: _LockedDoor,
    target: Cell,
) -> list[Subgoal]:
    """The oracle chain through side room ``way`` and its locked door ``gate``."""
    chain: list[Subgoal] = []
    if spec.agent_room != SIDE_ROOMS[way]:
        if spec.agent_room != CENTRE:
            chain.append(
                subgoal_for("open", b.grid, centre_doors[SIDE_ROOMS.index(spec.agent_room)])
            )
        chain.append(subgoal_for("open", b.grid, centre_doors[way]))
    if spec.hidden:
        chain.append(subgoal_for("open", b.grid, gate.key))
        key_step = Subgoal("pick up", "key", gate.color, gate.key)
    else:
        key_step = subgoal_for("pick up", b.grid, gate.key)
    if gate.ball is not None:
        chain.append(subgoal_for("move", b.grid, gate.ball))
    chain += [
        key_step,
        subgoal_for("open", b.grid, gate.cell),
        subgoal_for("pick up", b.grid, target),
    ]
    return chain


class ObstructedMazeEnv(MiniGridTaskEnv):
    """ObstructedMaze; task ``{"variant": one of 1Dl, 1Dlh, 1Dlhb, 2Dl, 2Dlh, 2Dlhb,
    1Q, 2Q, Full}`` (see the module docstring)."""

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
