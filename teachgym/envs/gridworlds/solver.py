"""Reachability on minigrid layouts: solvability and distances.

:func:`is_solvable` decides whether the mission's target can be reached. It is a
breadth-first search that also "uses" what it reaches: an object next to the
reached area (key, ball, box) can be picked up and moved, so its cell becomes
passable; a reached key opens locked doors of its colour; a reached box reveals
its content. Walls and lava never pass (stepping on lava ends the episode).
It relaxes one rule: the agent carries one object at a time, and the search
assumes it can always drop one to pick up the next (true in every layout
generated here: there is always a free cell behind the agent).
"""

from __future__ import annotations

from collections import deque

from minigrid.core.grid import Grid
from minigrid.core.world_object import WorldObj

Cell = tuple[int, int]
_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1))
_MOVABLE = ("key", "ball", "box")


def _walkable(obj: WorldObj | None) -> bool:
    if obj is None:
        return True
    kind = obj.type
    if kind == "door":
        return not getattr(obj, "is_locked", False)
    return kind == "goal" or kind == "floor"


def reachable_cells(grid: Grid, start: Cell) -> set[Cell]:
    """Cells the agent can reach from ``start`` using keys, boxes and movable objects."""
    width, height, cells = grid.width, grid.height, grid.grid
    reached = {start}
    queue = deque([start])
    keys: set[str] = set()
    waiting: dict[str, list[Cell]] = {}  # locked doors seen, by colour, before their key

    def enter(cell: Cell) -> None:
        reached.add(cell)
        queue.append(cell)

    def gain_key(color: str) -> None:
        if color not in keys:
            keys.add(color)
            for door in waiting.pop(color, []):
                if door not in reached:
                    enter(door)

    while queue:
        x, y = queue.popleft()
        for dx, dy in _STEPS:
            nx, ny = x + dx, y + dy
            if not (0 <= nx < width and 0 <= ny < height) or (nx, ny) in reached:
                continue
            obj = cells[ny * width + nx]
            if _walkable(obj):
                enter((nx, ny))
            elif obj is not None and obj.type in _MOVABLE:
                if obj.type == "key":
                    gain_key(obj.color)
                content = obj.contains if obj.type == "box" else None
                if content is not None and content.type == "key":
                    gain_key(content.color)
                enter((nx, ny))
            elif obj is not None and obj.type == "door":  # locked
                if obj.color in keys:
                    enter((nx, ny))
                else:
                    waiting.setdefault(obj.color, []).append((nx, ny))
    return reached


def is_solvable(grid: Grid, start: Cell, target: Cell) -> bool:
    """Whether the agent at ``start`` can stand on (goal) or next to (object) ``target``."""
    return target in reachable_cells(grid, start)


def distances(grid: Grid, start: Cell) -> dict[Cell, int]:
    """Steps from ``start`` to every cell reachable over empty, goal, floor and door cells
    (every door counts as open); objects, walls and lava block."""
    dist = {start: 0}
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        for dx, dy in _STEPS:
            cell = (x + dx, y + dy)
            if cell in dist or not (0 <= cell[0] < grid.width and 0 <= cell[1] < grid.height):
                continue
            obj = grid.get(*cell)
            if obj is None or obj.type in ("goal", "floor", "door"):
                dist[cell] = dist[(x, y)] + 1
                queue.append(cell)
    return dist
