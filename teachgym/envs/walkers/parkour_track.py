"""Geometry of one Parkour track (ground, ceiling, creepers, water), before Box2D.

Placement follows TeachMyAgent's ``parametric_continuous_parkour.py``
(docs/references.md [romac2021]); all lengths in metres:

* the track has ``startpad + 200`` points, one per terrain step (14/30 m); the first
  ``startpad`` are a flat start pad with the ground at ``TERRAIN_HEIGHT`` and the ceiling
  ``200 / scale`` above it;
* after the pad come the 200 CPPN points divided by ``terrain_cppn_scale``, the ground
  shifted so that its first point is at ``TERRAIN_HEIGHT`` and the ceiling so that its
  first point is ``200 / scale`` above it; the ceiling is clipped to the ground where it
  would pass below it (a closed tunnel);
* one creeper is placed at a point whenever the distance walked since the last one is at
  least ``creepers_spacing`` (the first at the first point, then gaps of whole terrain
  steps, at least 2); it is a rectangle ``max(0.2, creepers_width)`` wide hanging from
  the higher of the two ceiling points at its ends, ``max(0.2, N(creepers_height, 0.1))`` tall;
* the water fills from ``GROUND_LIMIT = -1000 / scale`` up to ``GROUND_LIMIT + level *
  (max ceiling - GROUND_LIMIT)``, the level floored at 0.01 (so at scale 10 the water only
  reaches the start pad's ground for levels of about 0.8 and more).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from teachgym.envs.walkers.constants import TERRAIN_HEIGHT, TERRAIN_STEP
from teachgym.envs.walkers.cppn import CPPN_POINTS, cppn_profiles
from teachgym.envs.walkers.terrain import Point

CEILING_OFFSET = 200.0
"""Ceiling height above the start pad's ground, before division by the scale."""
LIMIT = 1000.0
"""The ground (water bottom) and ceiling limits, +- this divided by the scale."""
MIN_WATER_LEVEL = 0.01
MIN_CREEPER_SIZE = 0.2
"""Creepers are at least this wide and tall (m)."""
CREEPER_HEIGHT_STD = 0.1
MIN_CREEPER_SPACING = 0.01
END_STEPS = 5
"""The episode ends this many terrain steps before the track's end."""


@dataclass
class ParkourTrack:
    """One generated track.

    Attributes:
        x: (n,) point abscissas, ``i * TERRAIN_STEP``.
        ground, ceiling: (n,) heights of the ground and the (graspable) ceiling.
        creepers: rectangles (4 corners each) hanging from the ceiling.
        water_y: altitude of the water surface.
        ground_limit, ceiling_limit: the bottom of the water and the top of the rock.
        startpad: flat start pad length in terrain steps.
    """

    x: np.ndarray
    ground: np.ndarray
    ceiling: np.ndarray
    water_y: float
    ground_limit: float
    ceiling_limit: float
    startpad: int
    creepers: list[list[Point]] = field(default_factory=list)

    @property
    def finish_x(self) -> float:
        """The episode ends when the head passes this x."""
        return (len(self.x) - END_STEPS) * TERRAIN_STEP

    @property
    def start_ceiling(self) -> float:
        """Ceiling altitude over the start pad."""
        return float(self.ceiling[0])


def build_track(task: Mapping[str, float], startpad: int, rng: np.random.Generator) -> ParkourTrack:
    """The track for a Parkour ``task`` (its 8 values; module docstring); creeper heights
    are drawn from ``rng``."""
    scale = float(task["terrain_cppn_scale"])
    profiles = cppn_profiles([task["v1"], task["v2"], task["v3"]]) / scale
    ceiling_offset = CEILING_OFFSET / scale
    ground_cppn = profiles[:, 0] - profiles[0, 0] + TERRAIN_HEIGHT
    ceiling_cppn = profiles[:, 1] - profiles[0, 1] + TERRAIN_HEIGHT + ceiling_offset
    n = startpad + CPPN_POINTS
    x = np.arange(n, dtype=np.float64) * TERRAIN_STEP
    ground = np.full(n, TERRAIN_HEIGHT)
    ceiling = np.full(n, TERRAIN_HEIGHT + ceiling_offset)
    ground[startpad:] = ground_cppn
    ceiling[startpad:] = np.maximum(ceiling_cppn, ground_cppn)
    ground_limit = -LIMIT / scale
    level = max(MIN_WATER_LEVEL, float(task["water_level"]))
    water_y = ground_limit + level * (float(ceiling.max()) - ground_limit)
    track = ParkourTrack(x, ground, ceiling, water_y, ground_limit, LIMIT / scale, startpad)
    spacing = max(MIN_CREEPER_SPACING, float(task["creepers_spacing"]))
    width = max(MIN_CREEPER_SIZE, float(task["creepers_width"]))
    span = max(1, int(np.floor(width / TERRAIN_STEP)))
    since_last = spacing
    for i in range(n - 1):
        if since_last >= spacing:
            height = max(
                MIN_CREEPER_SIZE, float(rng.normal(task["creepers_height"], CREEPER_HEIGHT_STD))
            )
            top = float(max(ceiling[i], ceiling[min(i + span, n - 1)]))
            left = float(x[i])
            track.creepers.append(
                [
                    (left, top),
                    (left + width, top),
                    (left + width, top - height),
                    (left, top - height),
                ]
            )
            since_last = 0.0
        else:
            since_last += TERRAIN_STEP
    return track
