"""TerrainWalker: the 8-parameter BipedalWalker terrain of POET / ACCEL.

Source: Wang et al., POET (2019) and Parker-Holder et al., ACCEL (ICML 2022) via
their public ``bipedal_walker_custom`` / dual-curriculum-design code; docs/references.md
[wang2019poet], [parkerholder2022]. The generator is Gymnasium's BipedalWalker state
machine (200 terrain steps; grass stretches of 5..9 steps; after each stretch one
obstacle kind drawn uniformly among the enabled ones) with parameterised obstacles:

* ``ground_roughness`` in [0, 10] scales the grass's random vertical velocity
  (0 = perfectly flat, 1 = Gymnasium's BipedalWalker);
* ``pit_gap_low``, ``pit_gap_high`` in [0, 10] (sorted): pit width ``1 + U(low, high)``
  terrain steps, 4 steps deep; **no pits if the high end is below 0.8**;
* ``stump_height_low``, ``stump_height_high`` in [0, 5] (sorted): stump height
  ``U(low, high)`` terrain steps; **no stumps if the high end is below 0.2**;
* ``stair_height_low``, ``stair_height_high`` in [0, 5] (sorted): stair step height
  ``U(low, high)``, up or down at random; **no stairs if the high end is below 0.2**;
* ``stair_steps`` in 1..9: the number of steps of a flight is drawn in
  ``0 .. stair_steps - 1``.

Notes on the reference's behaviour, kept so published configurations mean the same
thing: its stump width range [1, 2], stump float range [0, 1] and stair width range
[4, 5] are drawn with ``randint`` (upper end excluded), so stumps are always 1 step
wide and on the ground and stair steps always 4 steps wide; for the same reason a
flight has ``0 .. stair_steps - 1`` steps (``stair_steps`` 1 gives flat "stairs").
Stump heights are floored at 0.05 steps here (the reference re-drew the level
when Box2D rejected a zero-height stump).

Variants: ``teachgym/TerrainWalker-v0`` (full ranges above) and
``teachgym/TerrainWalkerEasy-v0`` (ACCEL's easy ranges: roughness [0, 0.6], pits
[0, 0.8], stumps [0, 0.4], stairs [0, 0.4], 1 stair step). :data:`EASY_SPACE` is
also usable on its own, e.g. to draw ACCEL's starting levels for the full env.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from teachgym.envs.task_env import TestSet
from teachgym.envs.walkers.constants import (
    SCALE,
    TERRAIN_GRASS,
    TERRAIN_HEIGHT,
    TERRAIN_LENGTH,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.terrain import Terrain, box
from teachgym.envs.walkers.walker_env import WalkerEnv
from teachgym.tasks import Continuous, Integer, Task, TaskSpace

PIT_THRESHOLD = 0.8
"""Pits are off when the sorted high end of the pit gap is below this."""
STUMP_THRESHOLD = 0.2
"""Stumps are off when the sorted high end of the stump height is below this."""
STAIR_THRESHOLD = 0.2
"""Stairs are off when the sorted high end of the stair height is below this."""
PIT_DEPTH = 4
"""Pit depth in terrain steps."""
STUMP_WIDTH = 1
STAIR_WIDTH = 4
MIN_STUMP_HEIGHT = 0.05
MIN_STAIR_HEIGHT = 1e-2
"""Flights whose step height is at most this are flat (the reference's epsilon)."""


def terrain_space(
    roughness: float, pit: float, stump: float, stair: float, steps: int
) -> TaskSpace:
    """The 8 parameters with ranges [0, roughness], [0, pit] (x2), [0, stump] (x2),
    [0, stair] (x2) and 1..steps."""

    def span(high: float) -> Continuous:
        return Continuous(0.0, high)

    return TaskSpace(
        {
            "ground_roughness": span(roughness),
            "pit_gap_low": span(pit),
            "pit_gap_high": span(pit),
            "stump_height_low": span(stump),
            "stump_height_high": span(stump),
            "stair_height_low": span(stair),
            "stair_height_high": span(stair),
            "stair_steps": Integer(1, steps),
        }
    )


FULL_SPACE = terrain_space(10.0, 10.0, 5.0, 5.0, 9)
EASY_SPACE = terrain_space(0.6, 0.8, 0.4, 0.4, 1)
FLAT: Task = {
    "ground_roughness": 0.0,
    "pit_gap_low": 0.0,
    "pit_gap_high": 0.0,
    "stump_height_low": 0.0,
    "stump_height_high": 0.0,
    "stair_height_low": 0.0,
    "stair_height_high": 0.0,
    "stair_steps": 1,
}


def _terrain(**changes: float) -> Task:
    task = dict(FLAT)
    task.update(changes)
    return task


NAMED_TERRAINS: dict[str, Task] = {
    "flat": _terrain(),
    "roughness": _terrain(ground_roughness=5.0),
    "roughness-high": _terrain(ground_roughness=9.0),
    "stump-height": _terrain(stump_height_low=2.0, stump_height_high=2.0),
    "stump-height-high": _terrain(stump_height_low=5.0, stump_height_high=5.0),
    "pit-gap": _terrain(pit_gap_low=5.0, pit_gap_high=5.0),
    "pit-gap-wide": _terrain(pit_gap_low=10.0, pit_gap_high=10.0),
    "stairs": _terrain(stair_height_low=2.0, stair_height_high=2.0, stair_steps=5),
    "stairs-high": _terrain(stair_height_low=5.0, stair_height_high=5.0, stair_steps=9),
    "hardcore": _terrain(
        ground_roughness=1.0,
        pit_gap_low=2.0,
        pit_gap_high=3.0,
        stump_height_low=1.0,
        stump_height_high=2.0,
        stair_height_low=1.0,
        stair_height_high=1.0,
        stair_steps=5,
    ),
    "insane": _terrain(
        ground_roughness=9.0,
        pit_gap_low=10.0,
        pit_gap_high=10.0,
        stump_height_low=5.0,
        stump_height_high=5.0,
        stair_height_low=5.0,
        stair_height_high=5.0,
        stair_steps=9,
    ),
}
"""Held-out test terrains of the ACCEL code (``BipedalWalker-Med-*``, ``-High-*``,
``-Insane``). ``hardcore`` approximates Gymnasium's BipedalWalkerHardcore inside this
family (roughness 1, pits 3-4 steps wide, stumps 1-2 steps high, stairs 1 step high);
it is not Gymnasium's own hardcore generator."""


@dataclass(frozen=True)
class TerrainConfig:
    """A task resolved into the generator's settings: sorted ranges, ``None`` = off."""

    roughness: float
    pit_gap: tuple[float, float] | None
    stump_height: tuple[float, float] | None
    stair_height: tuple[float, float] | None
    stair_steps: int

    @classmethod
    def from_task(cls, task: Task) -> TerrainConfig:
        def sorted_pair(name: str, threshold: float) -> tuple[float, float] | None:
            low, high = sorted((task[f"{name}_low"], task[f"{name}_high"]))
            return None if high < threshold else (low, high)

        return cls(
            roughness=task["ground_roughness"],
            pit_gap=sorted_pair("pit_gap", PIT_THRESHOLD),
            stump_height=sorted_pair("stump_height", STUMP_THRESHOLD),
            stair_height=sorted_pair("stair_height", STAIR_THRESHOLD),
            stair_steps=task["stair_steps"],
        )


GRASS, STUMP, STAIRS, PIT = range(4)


def terrain_track(config: TerrainConfig, rng: np.random.Generator) -> Terrain:
    """Run the generator's state machine over the 200 terrain steps."""
    obstacles = [
        kind
        for kind, on in (
            (STUMP, config.stump_height),
            (STAIRS, config.stair_height),
            (PIT, config.pit_gap),
        )
        if on is not None
    ]
    terrain = Terrain()
    xs: list[float] = []
    ys: list[float] = []
    state, oneshot = GRASS, False
    velocity, y = 0.0, TERRAIN_HEIGHT
    counter = TERRAIN_STARTPAD
    original_y = y
    pit_diff = 0.0
    stair_height, stair_slope, stair_steps = 0.0, 1, 0
    for i in range(TERRAIN_LENGTH):
        x = i * TERRAIN_STEP
        xs.append(x)
        if state == GRASS and not oneshot:
            velocity = 0.8 * velocity + 0.01 * float(np.sign(TERRAIN_HEIGHT - y))
            if i > TERRAIN_STARTPAD:
                velocity += rng.uniform(-1.0, 1.0) / SCALE
            y += config.roughness * velocity
        elif state == PIT and oneshot:
            assert config.pit_gap is not None
            gap = 1.0 + rng.uniform(*config.pit_gap)
            counter = math.ceil(gap)
            pit_diff = counter - gap
            depth = PIT_DEPTH * TERRAIN_STEP
            terrain.add_obstacle("pit", box(x, y - depth, TERRAIN_STEP, depth))
            terrain.add_obstacle("pit", box(x + gap * TERRAIN_STEP, y - depth, TERRAIN_STEP, depth))
            counter += 2
            original_y = y
        elif state == PIT:
            y = original_y
            if counter > 1:
                y -= PIT_DEPTH * TERRAIN_STEP
            if counter == 1:
                xs[-1] -= pit_diff * TERRAIN_STEP
                pit_diff = 0.0
        elif state == STUMP and oneshot:
            assert config.stump_height is not None
            height = max(MIN_STUMP_HEIGHT, rng.uniform(*config.stump_height))
            terrain.add_obstacle(
                "stump", box(x, y, STUMP_WIDTH * TERRAIN_STEP, height * TERRAIN_STEP)
            )
        elif state == STAIRS and oneshot:
            assert config.stair_height is not None
            stair_height = rng.uniform(*config.stair_height)
            stair_slope = 1 if rng.random() > 0.5 else -1
            stair_steps = int(rng.integers(0, config.stair_steps))
            original_y = y
            if stair_height > MIN_STAIR_HEIGHT:
                rise = stair_height * TERRAIN_STEP
                for s in range(stair_steps):
                    top = y + s * stair_slope * rise
                    terrain.add_obstacle(
                        "stair",
                        box(
                            x + s * STAIR_WIDTH * TERRAIN_STEP,
                            top - rise,
                            STAIR_WIDTH * TERRAIN_STEP,
                            rise,
                        ),
                    )
                counter = stair_steps * STAIR_WIDTH + 1
        elif state == STAIRS:
            n = (stair_steps * STAIR_WIDTH - counter) // STAIR_WIDTH
            y = (
                original_y
                + (n * stair_slope - (1 if stair_slope == -1 else 0)) * stair_height * TERRAIN_STEP
            )
        oneshot = False
        ys.append(y)
        counter -= 1
        if counter == 0:
            counter = int(rng.integers(TERRAIN_GRASS // 2, TERRAIN_GRASS))
            if state == GRASS and obstacles:
                state = obstacles[int(rng.integers(len(obstacles)))]
            else:
                state = GRASS
            oneshot = True
    for x, y in zip(xs, ys, strict=True):
        terrain.add_ground(x, y)
    return terrain


class TerrainWalkerEnv(WalkerEnv):
    """A walker on the 8-parameter terrain (ACCEL's BipedalWalker).

    Test set ``named-terrains`` (default): :data:`NAMED_TERRAINS` in order. Default task:
    flat ground. See :class:`~teachgym.envs.walkers.walker_env.WalkerEnv` for bodies,
    spaces and rewards.
    """

    task_space = FULL_SPACE
    default_task: Task = FLAT
    easy_task_space = EASY_SPACE
    # ACCEL's walker edits (docs/references.md [parkerholder2022]): roughness
    # ± U(0, 0.6), pit gap ± 0.4, stump and stair heights ± 0.2, stair steps ± 1.
    edit_sizes = {
        "ground_roughness": (0.0, 0.6),
        "pit_gap_low": 0.4,
        "pit_gap_high": 0.4,
        "stump_height_low": 0.2,
        "stump_height_high": 0.2,
        "stair_height_low": 0.2,
        "stair_height_high": 0.2,
        "stair_steps": 1,
    }

    def _generate_terrain(self, task: Task, rng: np.random.Generator) -> Terrain:
        return terrain_track(TerrainConfig.from_task(task), rng)

    def test_sets(self) -> dict[str, TestSet]:
        named = TestSet("named-terrains", 1, [dict(t) for t in NAMED_TERRAINS.values()])
        return {
            "named-terrains": named,
            "uniform-50": TestSet("uniform-50", 1, self.task_space.uniform_set(50, seed=0)),
        }


class TerrainWalkerEasyEnv(TerrainWalkerEnv):
    """TerrainWalker restricted to ACCEL's easy ranges; test set ``uniform-50`` over them."""

    task_space = EASY_SPACE

    def test_sets(self) -> dict[str, TestSet]:
        return {"uniform-50": TestSet("uniform-50", 1, self.task_space.uniform_set(50, seed=0))}
