"""A generated layout (:class:`Level`) and the helper generators use to build one.

Generators are pure functions of (task, random generator) -> :class:`Level`; they
never touch an environment, so a layout can be rebuilt elsewhere (to check its
solvability, to draw it, to compare two runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from minigrid.core.constants import COLOR_NAMES
from minigrid.core.grid import Grid
from minigrid.core.world_object import Door, Wall, WorldObj

from teachgym.envs.gridworlds.mission import Mission
from teachgym.envs.gridworlds.subgoals import Subgoal

Cell = tuple[int, int]


@dataclass
class Level:
    """One layout, ready to be installed in a minigrid environment.

    Attributes:
        grid: the minigrid grid (walls on the border).
        agent_pos: start cell ``(x, y)``; ``agent_dir``: 0 east, 1 south, 2 west, 3 north.
        mission: what the agent must do.
        target: the cell of the mission's object (the goal square, or the object to pick up).
        max_steps: episode length limit (steps).
        subgoals: the oracle subgoal chain of this layout, in order.
    """

    grid: Grid
    agent_pos: Cell
    agent_dir: int
    mission: Mission
    target: Cell
    max_steps: int
    subgoals: list[Subgoal] = field(default_factory=list)


WALL = Wall()
"""The one wall object every generated layout shares: walls never change, so one
instance serves every wall cell (minigrid creates one per cell; sharing makes
generation several times faster)."""


class LevelBuilder:
    """A ``width`` x ``height`` grid with walls on its border, filled using ``rng``."""

    def __init__(self, width: int, height: int, rng: np.random.Generator) -> None:
        self.grid = Grid(width, height)
        cells = self.grid.grid
        cells[:width] = [WALL] * width
        cells[-width:] = [WALL] * width
        for y in range(1, height - 1):
            cells[y * width] = cells[y * width + width - 1] = WALL
        self.rng = rng

    @property
    def width(self) -> int:
        return self.grid.width

    @property
    def height(self) -> int:
        return self.grid.height

    def put(self, obj: WorldObj, cell: Cell) -> WorldObj:
        """Put ``obj`` on ``cell`` (replacing what was there)."""
        self.grid.set(cell[0], cell[1], obj)
        obj.init_pos = obj.cur_pos = (int(cell[0]), int(cell[1]))
        return obj

    def wall_line(self, start: Cell, end: Cell) -> None:
        """Walls on the horizontal or vertical segment from ``start`` to ``end`` (inclusive)."""
        (x0, y0), (x1, y1) = start, end
        for x in range(min(x0, x1), max(x0, x1) + 1):
            for y in range(min(y0, y1), max(y0, y1) + 1):
                self.grid.set(x, y, WALL)

    def wall_rect(self, x: int, y: int, width: int, height: int) -> None:
        """Walls around the rectangle at (x, y) of ``width`` x ``height`` cells (walls included)."""
        right, bottom = x + width - 1, y + height - 1
        self.wall_line((x, y), (right, y))
        self.wall_line((x, bottom), (right, bottom))
        self.wall_line((x, y), (x, bottom))
        self.wall_line((right, y), (right, bottom))

    def empty_cells(
        self, top: Cell, size: tuple[int, int], exclude: Iterable[Cell] = ()
    ) -> list[Cell]:
        """Empty cells of the rectangle at ``top`` of ``size`` (width, height), row-major."""
        skip = set(exclude)
        x0, y0 = top
        cells = []
        for y in range(max(y0, 0), min(y0 + size[1], self.height)):
            for x in range(max(x0, 0), min(x0 + size[0], self.width)):
                if self.grid.get(x, y) is None and (x, y) not in skip:
                    cells.append((x, y))
        return cells

    def choose(self, cells: Sequence[Cell]) -> Cell:
        """One of ``cells`` uniformly at random."""
        if not cells:
            raise RuntimeError("no free cell left to place an object; the layout is too full")
        return cells[int(self.rng.integers(len(cells)))]

    def place(self, obj: WorldObj, cells: Sequence[Cell]) -> Cell:
        """Put ``obj`` on a random cell among ``cells``; return that cell."""
        cell = self.choose(cells)
        self.put(obj, cell)
        return cell

    def direction(self) -> int:
        """A random agent direction in 0..3."""
        return int(self.rng.integers(4))

    def colors(self, n: int) -> list[str]:
        """``n`` distinct random colour names (n <= 6)."""
        order = self.rng.permutation(len(COLOR_NAMES))[:n]
        return [COLOR_NAMES[int(i)] for i in order]

    def door(self, cell: Cell, color: str, locked: bool = False) -> Door:
        """A closed door (locked if asked) on ``cell``."""
        door = Door(color, is_open=False, is_locked=locked)
        self.put(door, cell)
        return door
