"""A lattice of square rooms with shared walls (minigrid's room-grid convention).

Room ``(i, j)`` (column i, row j) spans ``room_size`` cells per side *walls
included*; neighbours share a wall, so the grid is
``(room_size - 1) * cols + 1`` by ``(room_size - 1) * rows + 1`` cells.
"""

from __future__ import annotations

import numpy as np

from teachgym.envs.gridworlds.level import Cell, LevelBuilder

EAST, SOUTH, WEST, NORTH = 0, 1, 2, 3
_STEP = {EAST: (1, 0), SOUTH: (0, 1), WEST: (-1, 0), NORTH: (0, -1)}


class RoomLattice:
    """``cols`` x ``rows`` rooms of side ``room_size`` (>= 3), walls drawn on ``builder``'s grid."""

    def __init__(self, cols: int, rows: int, room_size: int, rng: np.random.Generator) -> None:
        if room_size < 3:
            raise ValueError(f"room_size must be >= 3 (walls included), got {room_size}")
        self.cols, self.rows, self.room_size = cols, rows, room_size
        step = room_size - 1
        self.builder = LevelBuilder(step * cols + 1, step * rows + 1, rng)
        for i in range(1, cols):
            self.builder.wall_line((i * step, 0), (i * step, step * rows))
        for j in range(1, rows):
            self.builder.wall_line((0, j * step), (step * cols, j * step))

    def interior(self, i: int, j: int) -> tuple[Cell, tuple[int, int]]:
        """(top-left cell, (width, height)) of the free cells of room (i, j)."""
        step = self.room_size - 1
        return (i * step + 1, j * step + 1), (step - 1, step - 1)

    def empty_cells(self, i: int, j: int, exclude: list[Cell] | None = None) -> list[Cell]:
        """Empty free cells of room (i, j)."""
        return self.builder.empty_cells(*self.interior(i, j), exclude=exclude or [])

    def wall_cell(self, i: int, j: int, side: int) -> Cell:
        """A random cell (not a corner) of room (i, j)'s wall on ``side`` (EAST..NORTH)."""
        step = self.room_size - 1
        x0, y0 = i * step, j * step
        offset = int(self.builder.rng.integers(1, step))
        if side == EAST:
            return (x0 + step, y0 + offset)
        if side == WEST:
            return (x0, y0 + offset)
        if side == SOUTH:
            return (x0 + offset, y0 + step)
        return (x0 + offset, y0)

    def open_wall(self, i: int, j: int, side: int) -> None:
        """Remove the wall (corners kept) between room (i, j) and its neighbour on ``side``."""
        step = self.room_size - 1
        x0, y0 = i * step, j * step
        for offset in range(1, step):
            if side in (EAST, WEST):
                x = x0 + (step if side == EAST else 0)
                self.builder.grid.set(x, y0 + offset, None)
            else:
                y = y0 + (step if side == SOUTH else 0)
                self.builder.grid.set(x0 + offset, y, None)

    @staticmethod
    def in_front(cell: Cell, side: int) -> Cell:
        """The cell next to ``cell`` in direction ``side``."""
        dx, dy = _STEP[side]
        return (cell[0] + dx, cell[1] + dy)
