"""Deterministic, canonical text description of a minigrid layout.

The same layout and agent state always give the same text, byte for byte. Layout::

    grid: 8 x 8 cells (width x height); x counts columns from the left, y rows from the top
    mission: get to the green goal square
    agent: at (1, 2) facing east, carrying nothing
    map:
      ########
      #>..#..#
      ...
    legend: # wall, . empty, ~ lava, D door, K key, A ball, B box, G goal, F floor; agent > v < ^
    objects:
      - door yellow locked at (4, 3)
      - key yellow at (2, 5)
      - goal green at (6, 6)

Objects are listed row by row (y, then x); walls and lava appear on the map only.
A box lists its content ("box red containing key blue at (3, 3)").
"""

from __future__ import annotations

from typing import Any, Protocol

from minigrid.core.grid import Grid
from minigrid.core.world_object import WorldObj

DIRECTIONS: tuple[str, ...] = ("east", "south", "west", "north")
"""Names of minigrid's agent directions 0..3."""

_SYMBOLS = {
    "wall": "#",
    "lava": "~",
    "door": "D",
    "key": "K",
    "ball": "A",
    "box": "B",
    "goal": "G",
    "floor": "F",
}
_AGENT = (">", "v", "<", "^")
LEGEND = (
    "legend: # wall, . empty, ~ lava, D door, K key, A ball, B box, G goal, F floor; agent > v < ^"
)


class LayoutState(Protocol):
    """What :func:`describe_layout` reads: any minigrid env (or snapshot) with these."""

    @property
    def grid(self) -> Grid: ...
    @property
    def agent_pos(self) -> Any: ...
    @property
    def agent_dir(self) -> int: ...
    @property
    def carrying(self) -> WorldObj | None: ...
    @property
    def mission(self) -> str: ...


def describe_object(obj: WorldObj) -> str:
    """``"door yellow locked"``, ``"key blue"``, ``"box red containing key blue"``."""
    words = f"{obj.type} {obj.color}"
    if obj.type == "door":
        words += " open" if obj.is_open else (" locked" if obj.is_locked else " closed")  # type: ignore[attr-defined]
    if obj.type == "box" and obj.contains is not None:
        words += f" containing {describe_object(obj.contains)}"
    return words


def describe_layout(state: LayoutState) -> str:
    """The canonical description of ``state`` (see the module docstring)."""
    grid = state.grid
    ax, ay = int(state.agent_pos[0]), int(state.agent_pos[1])
    carried = "nothing" if state.carrying is None else describe_object(state.carrying)
    lines = [
        f"grid: {grid.width} x {grid.height} cells (width x height); "
        "x counts columns from the left, y rows from the top",
        f"mission: {state.mission}",
        f"agent: at ({ax}, {ay}) facing {DIRECTIONS[state.agent_dir]}, carrying {carried}",
        "map:",
    ]
    objects = []
    for y in range(grid.height):
        row = []
        for x in range(grid.width):
            obj = grid.get(x, y)
            if (x, y) == (ax, ay):
                row.append(_AGENT[state.agent_dir])
            else:
                row.append("." if obj is None else _SYMBOLS[obj.type])
            if obj is not None and obj.type not in ("wall", "lava"):
                objects.append(f"  - {describe_object(obj)} at ({x}, {y})")
        lines.append("  " + "".join(row))
    lines.append(LEGEND)
    lines.append("objects:" if objects else "objects: none")
    lines.extend(objects)
    return "\n".join(lines)
