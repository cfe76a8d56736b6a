"""Box2D side of Parkour: the track's bodies, the agent, contacts, water, grasps, lidar.

World layout (TeachMyAgent's ``parametric_continuous_parkour.py``, docs/references.md
[romac2021]): the ground and the ceiling are edge chains (category 1, friction 2.5), the
ceiling graspable; creepers are static sensor rectangles hanging from the ceiling,
graspable; the water is one static sensor box. Walkers and swimmers collide with the
ground and the ceiling and pass through creepers and water; their lidar sees all four.
Here the ground is one static body holding every ground edge and the ceiling another
(the reference builds one body per edge), which collides identically and builds faster.

Each step: motors and grasp commands are set, a released sensor's joint is destroyed,
the world steps, a ready sensor still overlapping the ceiling or a creeper it touches is
attached to it with a revolute joint at its centre, and the water forces of the polygons
in the water are applied (they act during the next step).
"""

from __future__ import annotations

import itertools
from typing import Any

import Box2D
from Box2D.b2 import fixtureDef, polygonShape, rayCastCallback, revoluteJointDef

from teachgym.envs.walkers.bodies import BodySpec, lidar_ray_ends
from teachgym.envs.walkers.bodies.build import (
    BodyContacts,
    Graspable,
    GraspSensor,
    PartTag,
    build_body,
)
from teachgym.envs.walkers.constants import (
    FRICTION,
    LIDAR_RANGE,
    LIDAR_RAYS,
    TERRAIN_HEIGHT,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.parkour_track import ParkourTrack
from teachgym.envs.walkers.water import Immersed, WaterBox, WaterForces, apply_water_forces_loop

TERRAIN_CATEGORY = 0x0001
GRASP_MARGIN = 0.01
"""A ready sensor attaches if its centre is within its radius plus this of the bounding box
of the surface it touches, after the solver (the reference's coarse overlap test)."""


class Water:
    """User data of the water box."""

    __slots__ = ()


class _Contacts(BodyContacts):
    """The body's contact callbacks, plus the water: the agent's polygons that touch the
    water box are kept in ``immersed`` (grasp sensors excluded)."""

    def __init__(self, climber: bool) -> None:
        BodyContacts.__init__(self)
        self.climber = climber
        self.immersed: list[Immersed] = []

    def _water(self, contact: Any, entering: bool) -> bool:
        fixture_a, fixture_b = contact.fixtureA, contact.fixtureB
        if isinstance(fixture_a.body.userData, Water):
            part = fixture_b
        elif isinstance(fixture_b.body.userData, Water):
            part = fixture_a
        else:
            return False
        if isinstance(part.body.userData, PartTag) and not part.sensor:
            if entering:
                self.immersed.append(Immersed.of(part))
            else:
                self.immersed = [item for item in self.immersed if item.fixture != part]
        return True

    def BeginContact(self, contact: Any) -> None:
        if not self._water(contact, True):
            BodyContacts.BeginContact(self, contact)

    def EndContact(self, contact: Any) -> None:
        if not self._water(contact, False):
            BodyContacts.EndContact(self, contact)


class _Lidar(rayCastCallback):
    """Closest hit along one ray, and what it hit: -1 water, +1 a creeper, 0 else."""

    def __init__(self) -> None:
        rayCastCallback.__init__(self)
        self.fraction = 1.0
        self.surface = 0.0
        self.start: tuple[float, float] = (0.0, 0.0)
        self.end: tuple[float, float] = (0.0, 0.0)

    def ReportFixture(self, fixture: Any, point: Any, normal: Any, fraction: float) -> float:
        if (fixture.filterData.categoryBits & TERRAIN_CATEGORY) == 0:
            return -1.0
        self.end = (point[0], point[1])
        self.fraction = fraction
        tag = fixture.body.userData
        if isinstance(tag, Water):
            self.surface = -1.0
        else:
            self.surface = 1.0 if getattr(tag, "name", "") == "creeper" else 0.0
        return fraction


class ParkourWorld:
    """One episode's Box2D world: a :class:`ParkourTrack` and one body.

    Args:
        track: the geometry.
        body: the agent's spec.
        push: horizontal force (N) given to the body's pushed parts at creation.
        startpad: start pad length (terrain steps); the body starts over its middle.
        vectorised_water: compute the water forces with numpy (``False``: the per-polygon
            Python loop, same forces).
        falls_critical: the body's ``fall_critical`` parts (a walker's hull) are critical.

    Attributes:
        world: the ``Box2D.b2World``; ``agent`` the
            :class:`~teachgym.envs.walkers.bodies.build.BuiltBody`; ``contacts`` the
            listener (``critical_contact``, ``immersed``).
        water: the water box; ``lidar`` one callback per ray.
    """

    def __init__(
        self,
        track: ParkourTrack,
        body: BodySpec,
        push: float,
        startpad: int,
        vectorised_water: bool = True,
        falls_critical: bool = False,
    ) -> None:
        self.track = track
        self.world = Box2D.b2World()
        self.contacts = _Contacts(climber=body.kind == "climber")
        self.world.contactListener = self.contacts
        self._build_track(track)
        origin = (TERRAIN_STEP * startpad / 2, TERRAIN_HEIGHT + body.center_height)
        self.agent = build_body(self.world, body, origin, push, falls_critical=falls_critical)
        self.water = WaterBox(
            left=float(track.x[0]),
            right=float(track.x[-1]),
            bottom=track.ground_limit,
            top=track.water_y,
        )
        self._apply_water: Any = WaterForces() if vectorised_water else apply_water_forces_loop
        self.lidar = [_Lidar() for _ in range(LIDAR_RAYS)]
        self._rays = lidar_ray_ends(body.lidar, LIDAR_RAYS, LIDAR_RANGE)

    def _build_track(self, track: ParkourTrack) -> None:
        edge = fixtureDef(
            shape=Box2D.b2EdgeShape(vertices=[(0, 0), (1, 0)]),
            friction=FRICTION,
            categoryBits=TERRAIN_CATEGORY,
        )
        xs = track.x.tolist()
        self.ground = self.world.CreateStaticBody()
        self.ceiling = self.world.CreateStaticBody(userData=Graspable("ceiling"))
        for body, heights in ((self.ground, track.ground), (self.ceiling, track.ceiling)):
            for start, end in itertools.pairwise(zip(xs, heights.tolist(), strict=True)):
                edge.shape.vertices = [start, end]
                body.CreateFixture(edge)
        creeper = fixtureDef(
            shape=polygonShape(box=(1, 1)), categoryBits=TERRAIN_CATEGORY, isSensor=True
        )
        self.creepers = []
        for rectangle in track.creepers:
            creeper.shape.vertices = rectangle
            self.creepers.append(
                self.world.CreateStaticBody(userData=Graspable("creeper"), fixtures=creeper)
            )
        water = fixtureDef(
            shape=polygonShape(box=(1, 1)), categoryBits=TERRAIN_CATEGORY, isSensor=True
        )
        water.shape.vertices = [
            (xs[0], track.ground_limit),
            (xs[-1], track.ground_limit),
            (xs[-1], track.water_y),
            (xs[0], track.water_y),
        ]
        self.water_body = self.world.CreateStaticBody(userData=Water(), fixtures=water)

    # -- one step ---------------------------------------------------------------------------
    def step(self, values: list[float], fps: float) -> float:
        """Drive the agent with ``values``, step the world once; returns ``sum(min(|a|, 1))``."""
        cost: float = self.agent.apply_action(values)
        for tag in self.agent.sensor_tags:
            if not tag.ready and tag.joint is not None:
                self.world.DestroyJoint(tag.joint)
                tag.joint = None
        self.world.Step(1.0 / fps, 6 * 30, 2 * 30)
        for sensor, tag in zip(self.agent.sensors, self.agent.sensor_tags, strict=True):
            if tag.ready and tag.joint is None and tag.touching:
                self._try_grasp(sensor, tag)
        if self.contacts.immersed:
            self._apply_water(self.contacts.immersed, self.water)
        return cost

    def _try_grasp(self, sensor: Any, tag: GraspSensor) -> None:
        """Attach ``sensor`` to the first surface it touches if it still overlaps its
        bounding box; otherwise forget that contact."""
        other = tag.touching[0]
        x, y = sensor.worldCenter
        reach = sensor.fixtures[0].shape.radius + GRASP_MARGIN
        if other == self.ceiling:
            xs, ys = self._ceiling_near(x, reach)
        else:
            vertices = other.fixtures[0].shape.vertices
            xs, ys = [v[0] for v in vertices], [v[1] for v in vertices]
        if xs and min(xs) - reach < x < max(xs) + reach and min(ys) - reach < y < max(ys) + reach:
            tag.joint = self.world.CreateJoint(
                revoluteJointDef(bodyA=sensor, bodyB=other, anchor=(x, y))
            )
        else:
            tag.touching.pop(0)

    def _ceiling_near(self, x: float, reach: float) -> tuple[list[float], list[float]]:
        """Points of the ceiling edges within ``reach`` of abscissa ``x``: the bounding box
        the reference tests (it builds one body per edge)."""
        track = self.track
        first = max(0, int((x - reach) / TERRAIN_STEP))
        last = min(len(track.x) - 1, int((x + reach) / TERRAIN_STEP) + 1)
        return track.x[first : last + 1].tolist(), track.ceiling[first : last + 1].tolist()

    def hang_from_ceiling(self) -> None:
        """Place a climber so that its sensors touch the start pad's ceiling."""
        sensors = self.agent.sensors
        if not sensors:
            return
        ceiling = self.track.start_ceiling
        lift = ceiling - sensors[-1].position[1]
        for sensor in sensors:
            sensor.position = (sensor.position[0], ceiling)
        for part in self.agent.parts:
            part.position = (part.position[0], part.position[1] + lift)

    def cast_lidar(self) -> tuple[list[float], list[float]]:
        """Cast the rays from the head: (hit fractions in [0, 1], surface flags)."""
        x, y = self.agent.head.position
        fractions, surfaces = [], []
        for ray, (dx, dy) in zip(self.lidar, self._rays, strict=True):
            ray.fraction = 1.0
            ray.surface = 0.0
            ray.start = (x, y)
            ray.end = (x + dx, y + dy)
            self.world.RayCast(ray, ray.start, ray.end)
            fractions.append(ray.fraction)
            surfaces.append(ray.surface)
        return fractions, surfaces

    def close(self) -> None:
        """Detach the contact listener so the world can be freed."""
        self.world.contactListener = None
