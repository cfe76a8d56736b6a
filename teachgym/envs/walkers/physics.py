"""Box2D side of the walker world: ground and obstacle bodies, the walker, contacts, lidar.

This is the only module of teachgym that imports ``Box2D`` (the ``box2d`` package
that ``pip install "gymnasium[box2d]"`` / ``teachgym[walker]`` installs). The joint
layout, fixtures, collision filtering and motor limits are those of Gymnasium's
``BipedalWalker-v3``; the ground is built as one static body holding every edge
(and one holding every obstacle) rather than one body per edge, which collides
identically and builds faster.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import Box2D
from Box2D.b2 import contactListener, fixtureDef, polygonShape, rayCastCallback, revoluteJointDef

from teachgym.envs.walkers.bodies import BodySpec
from teachgym.envs.walkers.constants import (
    FRICTION,
    LIDAR_RANGE,
    LIDAR_RAYS,
    SCALE,
    TERRAIN_HEIGHT,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.terrain import Terrain

GROUND_CATEGORY = 0x0001
WALKER_CATEGORY = 0x0020
LEG_DOWN = -8 / SCALE
"""Hips sit 8 pixels below the hull centre."""
HIP_LIMITS = (-0.8, 1.1)
KNEE_LIMITS = (-1.6, -0.1)
RAY_ENDS = [
    (math.sin(1.5 * i / LIDAR_RAYS) * LIDAR_RANGE, -math.cos(1.5 * i / LIDAR_RAYS) * LIDAR_RANGE)
    for i in range(LIDAR_RAYS)
]
"""Lidar ray end points relative to the hull position (metres)."""


class LegContact:
    """User data of a lower leg: whether it touches the ground."""

    def __init__(self) -> None:
        self.touching = False


class HullTag:
    """User data of the hull: any contact with it ends the episode."""


class _Contacts(contactListener):
    """Box2D contact callbacks (names fixed by Box2D): flags hull contacts (the fall)
    and lower-leg ground contacts."""

    def __init__(self) -> None:
        contactListener.__init__(self)
        self.hull_touched = False

    def _mark(self, contact: Any, touching: bool) -> None:
        for fixture in (contact.fixtureA, contact.fixtureB):
            tag = fixture.body.userData
            if isinstance(tag, LegContact):
                tag.touching = touching
            elif touching and isinstance(tag, HullTag):
                self.hull_touched = True

    def BeginContact(self, contact: Any) -> None:
        self._mark(contact, True)

    def EndContact(self, contact: Any) -> None:
        self._mark(contact, False)


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
    """One episode's Box2D world: the track and a walker of the given body.

    Attributes:
        world: the ``Box2D.b2World``.
        hull: the hull body; ``lower_legs``/``upper_legs`` the leg bodies, in leg order.
        joints: hip and knee joints, ``[hip0, knee0, hip1, knee1, ...]`` (the action order).
        contacts: the contact listener (``hull_touched`` flag).
        leg_contacts: ground-contact flags of the lower legs, in leg order.
        lidar: one callback per ray.
    """

    def __init__(self, terrain: Terrain, body: BodySpec, push: float) -> None:
        self.world = Box2D.b2World()
        self.contacts = _Contacts()
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
        self._build_walker(body, push)
        self.lidar = [Lidar() for _ in range(LIDAR_RAYS)]

    def _build_walker(self, body: BodySpec, push: float) -> None:
        leg_w, leg_h = body.leg_width / SCALE, body.leg_height / SCALE
        x0 = TERRAIN_STEP * TERRAIN_STARTPAD / 2
        y0 = TERRAIN_HEIGHT + 2 * leg_h
        self.hull = self.world.CreateDynamicBody(
            position=(x0, y0),
            fixtures=fixtureDef(
                shape=polygonShape(vertices=[(x / SCALE, y / SCALE) for x, y in body.hull]),
                density=5.0,
                friction=0.1,
                categoryBits=WALKER_CATEGORY,
                maskBits=GROUND_CATEGORY,
                restitution=0.0,
            ),
        )
        self.hull.userData = HullTag()
        self.hull.ApplyForceToCenter((push, 0), True)
        upper_fd = fixtureDef(
            shape=polygonShape(box=(leg_w / 2, leg_h / 2)),
            density=1.0,
            restitution=0.0,
            categoryBits=WALKER_CATEGORY,
            maskBits=GROUND_CATEGORY,
        )
        lower_fd = fixtureDef(
            shape=polygonShape(box=(0.8 * leg_w / 2, leg_h / 2)),
            density=1.0,
            restitution=0.0,
            categoryBits=WALKER_CATEGORY,
            maskBits=GROUND_CATEGORY,
        )
        self.upper_legs: list[Any] = []
        self.lower_legs: list[Any] = []
        self.joints: list[Any] = []
        self.leg_contacts: list[LegContact] = []
        for pair_x in body.leg_pairs_x:
            for side in (-1, +1):
                upper = self.world.CreateDynamicBody(
                    position=(x0 + pair_x, y0 - leg_h / 2 - LEG_DOWN),
                    angle=side * 0.05,
                    fixtures=upper_fd,
                )
                self.joints.append(
                    self.world.CreateJoint(
                        revoluteJointDef(
                            bodyA=self.hull,
                            bodyB=upper,
                            localAnchorA=(pair_x, LEG_DOWN),
                            localAnchorB=(0, leg_h / 2),
                            enableMotor=True,
                            enableLimit=True,
                            maxMotorTorque=body.motors_torque,
                            motorSpeed=side,
                            lowerAngle=HIP_LIMITS[0],
                            upperAngle=HIP_LIMITS[1],
                        )
                    )
                )
                lower = self.world.CreateDynamicBody(
                    position=(x0 + pair_x, y0 - leg_h * 3 / 2 - LEG_DOWN),
                    angle=side * 0.05,
                    fixtures=lower_fd,
                )
                contact = LegContact()
                lower.userData = contact
                self.joints.append(
                    self.world.CreateJoint(
                        revoluteJointDef(
                            bodyA=upper,
                            bodyB=lower,
                            localAnchorA=(0, -leg_h / 2),
                            localAnchorB=(0, leg_h / 2),
                            enableMotor=True,
                            enableLimit=True,
                            maxMotorTorque=body.motors_torque,
                            motorSpeed=1,
                            lowerAngle=KNEE_LIMITS[0],
                            upperAngle=KNEE_LIMITS[1],
                        )
                    )
                )
                self.upper_legs.append(upper)
                self.lower_legs.append(lower)
                self.leg_contacts.append(contact)

    def cast_lidar(self) -> list[float]:
        """Cast the 10 rays from the hull; the hit fractions in [0, 1] (1 = nothing hit)."""
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
