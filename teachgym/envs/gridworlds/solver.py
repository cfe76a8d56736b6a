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
    if obj.type == "door":
        return not getattr(obj, "is_locked", False)
    return obj.type in ("goal", "floor")


def reachable_cells(grid: Grid, start: Cell) -> set[Cell]:
    """Cells the agent can reach from ``start`` using keys, boxes and movable objects."""
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
            cell = (x + dx, y + dy)
            if cell in reached or not (0 <= cell[0] < grid.width and 0 <= cell[1] < grid.height):
                continue
            obj = grid.get(*cell)
            if _walkable(obj):
                enter(cell)
            elif obj is not None and obj.type in _MOVABLE:
                if obj.type == "key":
                    gain_key(obj.color)
                content = obj.contains if obj.type == "box" else None
                if content is not None and content.type == "key":
                    gain_key(content.color)
                enter(cell)
            elif obj is not None and obj.type == "door":  # locked
                if obj.color in keys:
                    enter(cell)
                else:
                    waiting.setdefault(obj.color, []).append(cell)
    return reached


def is_solvable(grid: Grid, start: Cell, target: Cell) -> bool:
    """Whether the agent at ``start`` can stand on (goal) or next to (object) ``target``."""
    return target in reachable_cells(grid, start)


def distances(grid: Grid, start: Cell, through_doors: bool = True) -> dict[Cell, int]:
    """Steps from ``start`` to every cell reachable over empty, goal, floor and door cells
    (every door counts as open if ``through_doors``); objects, walls and lava block."""
    dist = {start: 0}
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        for dx, dy in _STEPS:
            cell = (x + dx, y + dy)
            if cell in dist or not (0 <= cell[0] < grid.width and 0 <= cell[1] < grid.height):
                continue
            obj = grid.get(*cell)
            if (
                obj is None
                or obj.type in ("goal", "floor")
                or (through_doors and obj.type == "door")
            ):
                dist[cell] = dist[(x, y)] + 1
                queue.append(cell)
    return dist


def shortest_path(grid: Grid, start: Cell, end: Cell) -> list[Cell] | None:
    """One shortest path of cells from ``start`` to ``end`` (doors open), or ``None``."""
    parent: dict[Cell, Cell | None] = {start: None}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        if cell == end:
            path = [cell]
            while (previous := parent[path[-1]]) is not None:
                path.append(previous)
            return path[::-1]
        for dx, dy in _STEPS:
            nxt = (cell[0] + dx, cell[1] + dy)
            if nxt in parent or not (0 <= nxt[0] < grid.width and 0 <= nxt[1] < grid.height):
                continue
            obj = grid.get(*nxt)
            if obj is None or obj.type in ("goal", "floor", "door") or nxt == end:
                parent[nxt] = cell
                queue.append(nxt)
    return None
