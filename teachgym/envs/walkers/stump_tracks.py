"""Stump Tracks: a flat track of stumps whose mean height and spacing are the task.

Source: Portelas et al., "Teacher algorithms for curriculum learning of Deep RL in
continuously parameterized environments" (CoRL 2019) and TeachMyAgent (ICML 2021);
docs/references.md [portelas2019], [romac2021]. After the flat 20-step start pad the
track alternates
a stump one terrain step wide (0.467 m) and a flat stretch of ``obstacle_spacing``
metres (at least 0.01). Each stump's height is ``max(0.05, N(stump_height, 0.1))``
terrain steps, so a negative mean gives 0.05-step bumps ("no stump").

Three height ranges, as separate ids (``obstacle_spacing`` is in [0, 6] for all):

* ``teachgym/StumpTracks-v0``: ``stump_height`` in [0, 3] (the published default);
* ``teachgym/StumpTracksUnfeasible-v0``: [0, 9], "mostly unfeasible";
* ``teachgym/StumpTracksFeasible-v0``: [-3, 3], "mostly feasible".
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
from teachgym.envs.walkers.terrain import Terrain, box
from teachgym.envs.walkers.walker_env import WalkerEnv
from teachgym.tasks import Continuous, Task, TaskSpace

STUMP_HEIGHT_STD = 0.1
"""Standard deviation of each stump's height around the task's mean (terrain steps)."""
MIN_STUMP_HEIGHT = 0.05
"""Stump heights are floored at this many terrain steps (the reference code's floor)."""
MIN_SPACING = 0.01
"""Obstacle spacing is floored at this many metres (the reference code's floor)."""


def stump_track_space(low: float, high: float) -> TaskSpace:
    """``stump_height`` in [low, high] (terrain steps), ``obstacle_spacing`` in [0, 6] (m)."""
    return TaskSpace(
        {"stump_height": Continuous(low, high), "obstacle_spacing": Continuous(0.0, 6.0)}
    )


def stump_track(stump_height: float, obstacle_spacing: float, rng: np.random.Generator) -> Terrain:
    """Generate the track: start pad, then stump / flat stretch alternately to the end."""
    terrain = Terrain()
    y = TERRAIN_HEIGHT
    x = TERRAIN_STARTPAD * TERRAIN_STEP
    end = TERRAIN_LENGTH * TERRAIN_STEP
    spacing = max(MIN_SPACING, obstacle_spacing)
    terrain.add_ground(0.0, y)
    terrain.add_ground(x, y)
    while x < end:
        height = max(MIN_STUMP_HEIGHT, rng.normal(stump_height, STUMP_HEIGHT_STD))
        terrain.add_obstacle("stump", box(x, y, TERRAIN_STEP, height * TERRAIN_STEP))
        x += TERRAIN_STEP
        terrain.add_ground(x, y)
        x += spacing
        terrain.add_ground(x, y)
    return terrain


class StumpTracksEnv(WalkerEnv):
    """A walker on Stump Tracks (``stump_height`` in [0, 3], ``obstacle_spacing`` in [0, 6]).

    Test sets: ``grid-10x10`` (TeachMyAgent's 100 tasks: heights 0..3 in steps of 1/3
    times spacings 0..6 in steps of 2/3; the default) and ``uniform-50`` (ALP-GMM paper:
    50 uniform tasks, seed 0); the variants' grids span their own height ranges.
    Default task: ``stump_height`` 0, ``obstacle_spacing`` 6.
    See :class:`~teachgym.envs.walkers.walker_env.WalkerEnv` for bodies, spaces and rewards.
    """

    task_space = stump_track_space(0.0, 3.0)
    default_task: Task = {"stump_height": 0.0, "obstacle_spacing": 6.0}

    def _generate_terrain(self, task: Task, rng: np.random.Generator) -> Terrain:
        return stump_track(task["stump_height"], task["obstacle_spacing"], rng)

    def test_sets(self) -> dict[str, TestSet]:
        return {
            "grid-10x10": TestSet("grid-10x10", 1, self.task_space.grid(10)),
            "uniform-50": TestSet("uniform-50", 1, self.task_space.uniform_set(50, seed=0)),
        }


class StumpTracksUnfeasibleEnv(StumpTracksEnv):
    """Stump Tracks with ``stump_height`` in [0, 9]: most tasks cannot be walked."""

    task_space = stump_track_space(0.0, 9.0)


class StumpTracksFeasibleEnv(StumpTracksEnv):
    """Stump Tracks with ``stump_height`` in [-3, 3]: half the tasks have no stumps."""

    task_space = stump_track_space(-3.0, 3.0)
