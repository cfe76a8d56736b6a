"""Box2D side of the walker tracks: ground and obstacle bodies, the body, lidar.

With ``teachgym.envs.walkers.bodies.build`` (which builds the body), these are the
modules that import ``Box2D`` (the ``box2d`` package that ``pip install
"gymnasium[box2d]"`` / ``teachgym[walker]`` installs). The ground is built as one
static body holding every edge (and one holding every obstacle) rather than one
body per edge, which collides identically and builds faster.
"""

from __future__ import annotations

import itertools
from typing import Any

import Box2D
from Box2D.b2 import fixtureDef, polygonShape, rayCastCallback

from teachgym.envs.walkers.bodies import BodySpec, lidar_ray_ends
from teachgym.envs.walkers.bodies.build import BodyContacts, build_body
from teachgym.envs.walkers.constants import (
    FRICTION,
    LIDAR_RANGE,
    LIDAR_RAYS,
    TERRAIN_HEIGHT,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.terrain import Terrain

GROUND_CATEGORY = 0x0001
RAY_ENDS = lidar_ray_ends("down", LIDAR_RAYS, LIDAR_RANGE)
"""Lidar ray end points relative to the head position (metres): the walkers' downward fan."""


class Lidar(rayCastCallback):
    """Closest ground hit along one ray (Gymnasium v3 semantics: closest, not first)."""

    def __init__(self) -> None:
        rayCastCallback.__init__(self)
        self.fraction = 1.0
        self.start: tuple[float, float] = (0.0, 0.0)
        self.end: tuple[float, float] = (0.0, 0.0)

    def ReportFixture(self, fixture: Any, point: Any, normal: Any, fraction: float) -> float:
        if (fixture.filterData.categoryBits & GROUND_CATEGORY) == 0:
            return -1.0
        self.end = (point[0], point[1])
        self.fraction = fraction
        return fraction


class WalkerWorld:
    """One episode's Box2D world: the track and one body.

    Attributes:
        world: the ``Box2D.b2World``.
        body: the :class:`~teachgym.envs.walkers.bodies.build.BuiltBody`.
        hull: its head (reference) part.
        contacts: the contact listener (``critical_contact`` flag).
        lidar: one callback per ray.
    """

    def __init__(self, terrain: Terrain, body: BodySpec, push: float) -> None:
        self.world = Box2D.b2World()
        self.contacts = BodyContacts()
        self.world.contactListener = self.contacts
        self.ground = self.world.CreateStaticBody()
        edge = fixtureDef(
            shape=Box2D.b2EdgeShape(vertices=[(0, 0), (1, 0)]),
            friction=FRICTION,
            categoryBits=GROUND_CATEGORY,
        )
        for start, end in itertools.pairwise(terrain.ground):
            edge.shape.vertices = [start, end]
            self.ground.CreateFixture(edge)
        self.obstacles = self.world.CreateStaticBody()
        solid = fixtureDef(
            shape=polygonShape(box=(1, 1)), friction=FRICTION, categoryBits=GROUND_CATEGORY
        )
        for polygon in terrain.obstacles:
            try:
                solid.shape.vertices = polygon
            except AssertionError:
                continue  # Box2D rejects a polygon of zero area: there is nothing to collide with
            self.obstacles.CreateFixture(solid)
        origin = (TERRAIN_STEP * TERRAIN_STARTPAD / 2, TERRAIN_HEIGHT + body.center_height)
        self.body = build_body(self.world, body, origin, push, falls_critical=True)
        self.hull = self.body.head
        self.lidar = [Lidar() for _ in range(LIDAR_RAYS)]

    def cast_lidar(self) -> list[float]:
        """Cast the 10 rays from the head; the hit fractions in [0, 1] (1 = nothing hit)."""
        x, y = self.hull.position
        fractions = []
        for ray, (dx, dy) in zip(self.lidar, RAY_ENDS, strict=True):
            ray.fraction = 1.0
            ray.start = (x, y)
            ray.end = (x + dx, y + dy)
            self.world.RayCast(ray, ray.start, ray.end)
            fractions.append(ray.fraction)
        return fractions

    def close(self) -> None:
        """Detach the contact listener so the world can be freed."""
        self.world.contactListener = None
