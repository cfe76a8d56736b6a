"""The agent's partial egocentric view, computed with numpy from a cached grid encoding.

Produces exactly minigrid's ``MiniGridEnv.gen_obs()["image"]`` (the tests compare
them on random trajectories) at a fraction of the cost: the grid is encoded once
per episode into a padded ``(width + 2v, height + 2v, 3)`` uint8 array (v = view
size, padding = grey walls as minigrid uses outside the grid), the view is a
slice of it rotated with ``numpy.rot90``, and only the occlusion pass
(minigrid's ``Grid.process_vis``) runs in Python on the v x v window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.constants import OBJECT_TO_IDX
from minigrid.core.grid import Grid
from minigrid.core.world_object import Wall, WorldObj

EMPTY_CODE = (OBJECT_TO_IDX["empty"], 0, 0)
WALL_CODE = Wall().encode()
_WALL = OBJECT_TO_IDX["wall"]
_DOOR = OBJECT_TO_IDX["door"]


def encode_cell(obj: WorldObj | None) -> tuple[int, int, int]:
    """Minigrid's (type, colour, state) code of one cell."""
    return EMPTY_CODE if obj is None else obj.encode()


def padded_encoding(grid: Grid, pad: int) -> np.ndarray:
    """uint8 array of shape (width + 2 pad, height + 2 pad, 3): the grid's codes, walls around."""
    out = np.empty((grid.width + 2 * pad, grid.height + 2 * pad, 3), dtype=np.uint8)
    out[...] = WALL_CODE
    codes = [EMPTY_CODE if obj is None else obj.encode() for obj in grid.grid]
    inner = np.array(codes, dtype=np.uint8).reshape(grid.height, grid.width, 3)
    out[pad : pad + grid.width, pad : pad + grid.height] = inner.transpose(1, 0, 2)
    return out


def _visible(opaque: list[list[bool]], size: int) -> list[list[bool]]:
    """Minigrid's occlusion pass; agent at (size // 2, size - 1); indices [x][y]."""
    mask = [[False] * size for _ in range(size)]
    mask[size // 2][size - 1] = True
    for j in range(size - 1, -1, -1):
        for i in range(size - 1):
            if mask[i][j] and not opaque[i][j]:
                mask[i + 1][j] = True
                if j > 0:
                    mask[i + 1][j - 1] = True
                    mask[i][j - 1] = True
        for i in range(size - 1, 0, -1):
            if mask[i][j] and not opaque[i][j]:
                mask[i - 1][j] = True
                if j > 0:
                    mask[i - 1][j - 1] = True
                    mask[i][j - 1] = True
    return mask


def egocentric_view(
    padded: np.ndarray,
    agent_pos: Any,
    agent_dir: int,
    size: int,
    carried: tuple[int, int, int],
) -> np.ndarray:
    """The (size, size, 3) uint8 view of an agent, indexed [x, y] with the agent at
    (size // 2, size - 1) facing up; hidden cells are 0 and the agent's cell holds
    the code of what it carries (``carried``), as in minigrid.

    ``agent_pos`` is an (x, y) pair; ``padded`` comes from :func:`padded_encoding`
    with ``pad == size``.
    """
    ax, ay = int(agent_pos[0]) + size, int(agent_pos[1]) + size
    half = size // 2
    if agent_dir == 0:
        top_x, top_y = ax, ay - half
    elif agent_dir == 1:
        top_x, top_y = ax - half, ay
    elif agent_dir == 2:
        top_x, top_y = ax - size + 1, ay - half
    else:
        top_x, top_y = ax - half, ay - size + 1
    window = padded[top_x : top_x + size, top_y : top_y + size]
    view = np.rot90(window, k=-(agent_dir + 1) % 4, axes=(0, 1)).copy()
    kinds = view[:, :, 0]
    opaque = ((kinds == _WALL) | ((kinds == _DOOR) & (view[:, :, 2] != 0))).tolist()
    hidden = ~np.asarray(_visible(opaque, size))
    view[hidden] = 0
    view[half, size - 1] = carried
    return view
