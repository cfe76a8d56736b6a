"""Hexagon Tracks: hexagonal obstacles whose 12 vertex offsets are the task.

Source: Portelas et al. (CoRL 2019), Hexagon Tracks; docs/references.md [portelas2019].
After the flat
start pad the track alternates an obstacle and 8 m of flat ground. Each obstacle
starts from a default half-hexagon of vertices ``(-0.5, 0), (-0.5, 0.25), (-0.25, 0.5),
(0.25, 0.5), (0.5, 0.25), (0.5, 0)`` (terrain steps) and moves vertex ``k`` by
``(vertex{k}_dx, vertex{k}_dy)`` plus Gaussian noise of std 0.1 (terrain steps); the two
ground vertices (0 and 5) only move horizontally. The obstacle is the convex hull of
the six points (what Box2D builds from them; :attr:`Terrain.obstacles` stores the hull).
The next obstacle starts 1 m after the previous one's anchor plus the 8 m stretch.

Deviation: the reference code drew the vertex noise from the global ``numpy.random``
(not reproducible); here it comes from ``level_rng`` like every other random number.
"""

from __future__ import annotations

import numpy as np

from teachgym.envs.task_env import TestSet
from teachgym.envs.walkers.constants import (
    TERRAIN_HEIGHT,
    TERRAIN_LENGTH,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.terrain import Terrain, convex_hull
from teachgym.envs.walkers.walker_env import WalkerEnv
from teachgym.tasks import Continuous, Task, TaskSpace

DEFAULT_HEXAGON = np.array(
    [(-0.5, 0.0), (-0.5, 0.25), (-0.25, 0.5), (0.25, 0.5), (0.5, 0.25), (0.5, 0.0)]
)
"""Vertices of the undeformed obstacle, in terrain steps from its anchor."""
VERTEX_NOISE_STD = 0.1
HEXAGON_GAP = 8.0
"""Flat ground between obstacles (metres): the reference's default obstacle spacing."""
HEXAGON_ADVANCE = 1.0
"""Metres from one obstacle's anchor to the start of the following flat stretch."""
OFFSET_NAMES = [f"vertex{k}_{axis}" for k in range(6) for axis in ("dx", "dy")]
"""The 12 task parameters, in the reference's order (dx, dy of vertex 0, then 1, ...)."""

HEXAGON_SPACE = TaskSpace({name: Continuous(0.0, 4.0) for name in OFFSET_NAMES})
_GROUND_VERTEX = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0])
"""Which vertices may move vertically (0 for the two ground vertices)."""


def hexagon_track(offsets: np.ndarray, rng: np.random.Generator) -> Terrain:
    """Generate the track from the 12 offsets (terrain steps), shape ``(12,)``."""
    terrain = Terrain()
    y = TERRAIN_HEIGHT
    x = TERRAIN_STARTPAD * TERRAIN_STEP
    end = TERRAIN_LENGTH * TERRAIN_STEP
    mean = offsets.reshape(6, 2)
    terrain.add_ground(0.0, y)
    terrain.add_ground(x, y)
    while x < end:
        delta = rng.normal(mean, VERTEX_NOISE_STD)
        px = x + (DEFAULT_HEXAGON[:, 0] + delta[:, 0]) * TERRAIN_STEP
        py = y + (DEFAULT_HEXAGON[:, 1] + delta[:, 1] * _GROUND_VERTEX) * TERRAIN_STEP
        vertices = list(zip(px.tolist(), py.tolist(), strict=True))
        terrain.add_obstacle("hexagon", convex_hull(vertices))
        x += HEXAGON_ADVANCE
        terrain.add_ground(x, y)
        x += HEXAGON_GAP
        terrain.add_ground(x, y)
    return terrain


class HexagonTracksEnv(WalkerEnv):
    """A walker on Hexagon Tracks: 12 vertex offsets in [0, 4] (terrain steps).

    Test set ``uniform-50``: 50 tasks drawn uniformly with seed 0 (the ALP-GMM paper's
    protocol: a fixed set of 50 uniform tasks). Default task: all offsets 0.
    See :class:`~teachgym.envs.walkers.walker_env.WalkerEnv` for bodies, spaces and rewards.
    """

    task_space = HEXAGON_SPACE
    default_task: Task = dict.fromkeys(OFFSET_NAMES, 0.0)

    def _generate_terrain(self, task: Task, rng: np.random.Generator) -> Terrain:
        return hexagon_track(np.array([task[name] for name in OFFSET_NAMES]), rng)

    def test_sets(self) -> dict[str, TestSet]:
        return {"uniform-50": TestSet("uniform-50", 1, self.task_space.uniform_set(50, seed=0))}
