"""The Box2D walker family: Stump Tracks, Hexagon Tracks and the 8-parameter TerrainWalker.

Every id takes ``body=`` (``bipedal``, ``short_legs``, ``long_legs``, ``quadruped``, or
any TeachMyAgent walker or amphibian of :data:`BODIES`) and ``render_mode=`` at
``gymnasium.make``. Box2D is imported only when an environment is
built, so this package imports without the ``walker`` extra.
"""

from teachgym.envs.walkers.bodies import BODIES, BodySpec, body_spec
from teachgym.envs.walkers.hexagon_tracks import HexagonTracksEnv
from teachgym.envs.walkers.stump_tracks import (
    StumpTracksEnv,
    StumpTracksFeasibleEnv,
    StumpTracksUnfeasibleEnv,
)
from teachgym.envs.walkers.terrain import Terrain
from teachgym.envs.walkers.terrain_walker import (
    EASY_SPACE,
    NAMED_TERRAINS,
    TerrainWalkerEasyEnv,
    TerrainWalkerEnv,
)
from teachgym.envs.walkers.walker_env import MASTERY_RETURN, RETURN_BOUNDS, WalkerEnv

__all__ = [
    "BODIES",
    "EASY_SPACE",
    "MASTERY_RETURN",
    "NAMED_TERRAINS",
    "RETURN_BOUNDS",
    "BodySpec",
    "HexagonTracksEnv",
    "StumpTracksEnv",
    "StumpTracksFeasibleEnv",
    "StumpTracksUnfeasibleEnv",
    "Terrain",
    "TerrainWalkerEasyEnv",
    "TerrainWalkerEnv",
    "WalkerEnv",
    "body_spec",
]
