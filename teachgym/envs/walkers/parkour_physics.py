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
import math
from typing import Any

import Box2D
from Box2D.b2 import contactListener, fixtureDef, polygonShape, rayCastCallback, revoluteJointDef

from teachgym.envs.walkers import physics
from teachgym.envs.walkers.bodies import BodySpec
from teachgym.envs.walkers.constants import (
    FRICTION,
    LIDAR_RANGE,
    LIDAR_RAYS,
    SCALE,
    SPEED_HIP,
    SPEED_KNEE,
)
from teachgym.envs.walkers.parkour_track import ParkourTrack
from teachgym.envs.walkers.rendering import HULL_COLORS, LEG_COLORS
from teachgym.envs.walkers.water import Immersed, WaterBox, WaterForces, apply_water_forces_loop

TERRAIN_CATEGORY = 0x0001
GRASP_MARGIN = 0.01
"""A ready sensor attaches if its centre is within its radius plus this of the bounding box
of the surface it touches, after the solver (the reference's coarse overlap test)."""

LIDAR_FANS: dict[str, tuple[float, float]] = {
    "down": (1.5, 0.0),
    "up": (2.3, 1.5),
    "full": (math.pi, 0.0),
}
"""(span, offset) in radians from straight down: walkers look down, climbers up, swimmers
all around; ray ``i`` of 10 points along ``offset + span * i / 10``."""


class Surface:
    """User data of a track body: ``kind`` is ``"ground"``, ``"ceiling"``, ``"creeper"`` or
    ``"water"``; ceilings and creepers are graspable."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    @property
    def graspable(self) -> bool:
        return self.kind in ("ceiling", "creeper")


class SensorState:
    """A grasp sensor: ready to attach, the graspable fixtures it overlaps, its joint."""

    __slots__ = ("joint", "ready", "touching")

    def __init__(self) -> None:
        self.ready = False
        self.touching: list[Any] = []
        self.joint: Any = None


class _Contacts(contactListener):
    """Box2D contact callbacks (names fixed by Box2D).

    Polygons of the agent entering the water are added to ``immersed``; sensors record
    the graspable fixtures they overlap; other parts set their ground-contact flag, and a
    critical part touching anything solid sets ``critical_contact`` (a climber may touch
    the ceiling).
    """

    def __init__(self, climber: bool) -> None:
        contactListener.__init__(self)
        self.climber = climber
        self.critical_contact = False
        self.immersed: list[Immersed] = []
        self.sensors: dict[int, SensorState] = {}
        self.critical: set[int] = set()

    def _water(self, fixture: Any, entering: bool) -> None:
        if fixture.sensor or fixture.body.type != Box2D.b2_dynamicBody:
            return
        if entering:
            self.immersed.append(Immersed.of(fixture))
        else:
            self.immersed = [item for item in self.immersed if item.fixture != fixture]

    def BeginContact(self, contact: Any) -> None:
        self._handle(contact, True)

    def EndContact(self, contact: Any) -> None:
        self._handle(contact, False)

    def _handle(self, contact: Any, begin: bool) -> None:
        fixture_a, fixture_b = contact.fixtureA, contact.fixtureB
        tag_a, tag_b = fixture_a.body.userData, fixture_b.body.userData
        for tag, other in ((tag_a, fixture_b), (tag_b, fixture_a)):
            if isinstance(tag, Surface) and tag.kind == "water":
                self._water(other, begin)
                return
        for body, other in ((fixture_a.body, fixture_b), (fixture_b.body, fixture_a)):
            sensor = self.sensors.get(id(body))
            if sensor is not None:
                surface = other.body.userData
                if isinstance(surface, Surface) and surface.graspable:
                    if begin:
                        sensor.touching.append(other)
                    else:
                        sensor.touching = [f for f in sensor.touching if f != other]
                return
        if fixture_a.sensor or fixture_b.sensor:
            return
        for body, other in ((fixture_a.body, fixture_b.body), (fixture_b.body, fixture_a.body)):
            tag = body.userData
            if isinstance(tag, physics.LegContact):
                tag.touching = begin
            if begin and id(body) in self.critical:
                surface = other.userData
                if not (self.climber and isinstance(surface, Surface) and surface.graspable):
                    self.critical_contact = True


class _Lidar(rayCastCallback):
    """Closest hit along one ray, and whether it is water or a creeper."""

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
        kind = getattr(fixture.body.userData, "kind", "")
        self.surface = -1.0 if kind == "water" else (1.0 if kind == "creeper" else 0.0)
        return fraction


class ClassicLayout:
    """What Parkour reads from one of the first teachgym bodies before building it."""

    kind = "walker"
    lidar = "down"
    head_angle_reward = True
    survival_steps: int | None = 600

    def __init__(self, spec: BodySpec) -> None:
        self.action_dim = spec.action_dim
        self.action_cost = spec.torque_penalty * 80.0
        self.joint_observation_dim = 5 * spec.legs
        xs = [x for x, _ in spec.hull]
        self.width = (max(xs) - min(xs)) / SCALE


def body_layout(spec: BodySpec) -> ClassicLayout:
    """The kind, action size, costs and width of ``spec``."""
    return ClassicLayout(spec)


class ClassicBody:
    """The first teachgym walkers (:mod:`teachgym.envs.walkers.bodies`) in a Parkour world.

    Attributes:
        parts: every Box2D body of the agent; ``head`` the hull; ``motors`` the joints in
            action order; ``sensors`` the grasp sensor bodies (none for walkers).
    """

    kind = "walker"
    lidar = "down"
    head_angle_reward = True
    survival_steps: int | None = 600

    def __init__(self, host: Any, spec: BodySpec, push: float) -> None:
        physics.WalkerWorld._build_walker(host, spec, push)
        self.head = host.hull
        self.parts = [host.hull, *host.upper_legs, *host.lower_legs]
        self.colors = {id(host.hull): HULL_COLORS}
        for index, (upper, lower) in enumerate(zip(host.upper_legs, host.lower_legs, strict=True)):
            side = LEG_COLORS[-1 if index % 2 == 0 else 1]
            self.colors[id(upper)] = self.colors[id(lower)] = side
        self.motors = list(host.joints)
        self.sensors: list[Any] = []
        self.critical_parts: list[Any] = []
        self._contacts = list(host.leg_contacts)
        self._speeds = [SPEED_HIP, SPEED_KNEE] * spec.legs
        self._torque = float(spec.motors_torque)
        self.action_dim = spec.action_dim
        self.action_cost = spec.torque_penalty * 80.0

    def apply_action(self, values: list[float]) -> float:
        """Set motor speeds and torque limits; returns ``sum(min(|a|, 1))``."""
        total = 0.0
        for joint, speed, value in zip(self.motors, self._speeds, values, strict=True):
            joint.motorSpeed = speed if value > 0 else (-speed if value < 0 else 0.0)
            magnitude = min(abs(value), 1.0)
            joint.maxMotorTorque = self._torque * magnitude
            total += magnitude
        return total

    def joint_state(self) -> list[float]:
        """Per leg: hip angle and speed, knee angle + 1 and speed, ground contact."""
        state: list[float] = []
        for leg, contact in enumerate(self._contacts):
            hip, knee = self.motors[2 * leg], self.motors[2 * leg + 1]
            state += [
                hip.angle,
                hip.speed / SPEED_HIP,
                knee.angle + 1.0,
                knee.speed / SPEED_KNEE,
                1.0 if contact.touching else 0.0,
            ]
        return state

    @property
    def joint_observation_dim(self) -> int:
        return 5 * len(self._contacts)


class ParkourWorld:
    """One episode's Box2D world: a :class:`ParkourTrack` and an agent.

    Args:
        track: the geometry.
        body: the agent's spec.
        push: horizontal force (N) given to the agent at creation.
        startpad: start pad length (terrain steps); the agent starts over its middle.
        vectorised_water: compute the water forces with numpy (``False``: the per-polygon
            Python loop, same forces).

    Attributes:
        world: the ``Box2D.b2World``; ``agent`` the agent; ``contacts`` the listener.
        water: the water box; ``lidar`` one callback per ray.
    """

    def __init__(
        self,
        track: ParkourTrack,
        body: BodySpec,
        push: float,
        startpad: int,
        vectorised_water: bool = True,
    ) -> None:
        self.track = track
        self.world = Box2D.b2World()
        self.agent = ClassicBody(self, body, push)
        self.contacts = _Contacts(climber=self.agent.kind == "climber")
        self.contacts.critical = {id(b) for b in self.agent.critical_parts}
        self.sensor_states = [SensorState() for _ in self.agent.sensors]
        for sensor, state in zip(self.agent.sensors, self.sensor_states, strict=True):
            self.contacts.sensors[id(sensor)] = state
        self.world.contactListener = self.contacts
        self._build_track(track)
        self.water = WaterBox(
            left=float(track.x[0]),
            right=float(track.x[-1]),
            bottom=track.ground_limit,
            top=track.water_y,
        )
        self._apply_water: Any = WaterForces() if vectorised_water else apply_water_forces_loop
        self.lidar = [_Lidar() for _ in range(LIDAR_RAYS)]
        span, offset = LIDAR_FANS[self.agent.lidar]
        self._rays = [
            (
                math.sin(span * i / LIDAR_RAYS + offset) * LIDAR_RANGE,
                -math.cos(span * i / LIDAR_RAYS + offset) * LIDAR_RANGE,
            )
            for i in range(LIDAR_RAYS)
        ]

    def _build_track(self, track: ParkourTrack) -> None:
        edge = fixtureDef(
            shape=Box2D.b2EdgeShape(vertices=[(0, 0), (1, 0)]),
            friction=FRICTION,
            categoryBits=TERRAIN_CATEGORY,
        )
        xs = track.x.tolist()
        for kind, heights in (
            ("ground", track.ground.tolist()),
            ("ceiling", track.ceiling.tolist()),
        ):
            body = self.world.CreateStaticBody(userData=Surface(kind))
            for (x1, y1), (x2, y2) in itertools.pairwise(zip(xs, heights, strict=True)):
                edge.shape.vertices = [(x1, y1), (x2, y2)]
                body.CreateFixture(edge)
            setattr(self, kind, body)
        creeper = fixtureDef(
            shape=polygonShape(box=(1, 1)), categoryBits=TERRAIN_CATEGORY, isSensor=True
        )
        self.creepers = self.world.CreateStaticBody(userData=Surface("creeper"))
        for rectangle in track.creepers:
            creeper.shape.vertices = rectangle
            self.creepers.CreateFixture(creeper)
        water = fixtureDef(
            shape=polygonShape(box=(1, 1)), categoryBits=TERRAIN_CATEGORY, isSensor=True
        )
        water.shape.vertices = [
            (xs[0], track.ground_limit),
            (xs[-1], track.ground_limit),
            (xs[-1], track.water_y),
            (xs[0], track.water_y),
        ]
        self.water_body = self.world.CreateStaticBody(userData=Surface("water"), fixtures=water)

    # -- one step ---------------------------------------------------------------------------
    def step(self, values: list[float], fps: float) -> float:
        """Drive the agent with ``values``, step the world once; returns ``sum(min(|a|, 1))``."""
        cost = self.agent.apply_action(values)
        n_motors = len(self.agent.motors)
        for state, value in zip(self.sensor_states, values[n_motors:], strict=True):
            state.ready = value > 0
            if not state.ready and state.joint is not None:
                self.world.DestroyJoint(state.joint)
                state.joint = None
        self.world.Step(1.0 / fps, 6 * 30, 2 * 30)
        for sensor, state in zip(self.agent.sensors, self.sensor_states, strict=True):
            if state.ready and state.joint is None and state.touching:
                self._try_grasp(sensor, state)
        if self.contacts.immersed:
            self._apply_water(self.contacts.immersed, self.water)
        return cost

    def _try_grasp(self, sensor: Any, state: SensorState) -> None:
        fixture = state.touching[0]
        xs = [v[0] for v in fixture.shape.vertices]
        ys = [v[1] for v in fixture.shape.vertices]
        reach = sensor.fixtures[0].shape.radius + GRASP_MARGIN
        x, y = sensor.worldCenter
        if min(xs) - reach < x < max(xs) + reach and min(ys) - reach < y < max(ys) + reach:
            state.joint = self.world.CreateJoint(
                revoluteJointDef(bodyA=sensor, bodyB=fixture.body, anchor=(x, y))
            )
        else:
            state.touching.pop(0)

    def part_colors(self, part: Any) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """Fill and outline colours of one of the agent's parts."""
        return self.agent.colors[id(part)]

    def hang_from_ceiling(self) -> None:
        """Move a climber so that its sensors touch the start pad's ceiling."""
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
