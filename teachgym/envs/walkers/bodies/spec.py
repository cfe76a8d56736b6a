"""The declaration of a body: its parts, joints, grasp sensors and what the env reads from it.

A :class:`BodySpec` is plain data (no Box2D): every length is in metres and every
position is an offset from the body's *origin*, the point the env places at
``(start x, ground height + center_height)``. ``teachgym.envs.walkers.bodies.build``
turns a spec into Box2D bodies and joints. The vocabulary follows TeachMyAgent's
embodiments (Romac et al., ICML 2021; docs/references.md [romac2021]): a *head*
(reference part for the angle reward, the lidar and drowning), parts that report
ground contact, *critical* parts whose contact ends the episode with -100, a
*kind* (walker, climber, swimmer, amphibian) and a lidar fan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Point = tuple[float, float]
Color = tuple[int, int, int]
BodyKind = Literal["walker", "climber", "swimmer", "amphibian"]
LidarFan = Literal["down", "up", "full"]

BODY_CATEGORY = 0x0020
"""Collision category of every body part (parts of one body never collide with each other)."""
TERRAIN_MASK = 0x000F
"""Mask of TeachMyAgent's walkers and swimmers: they collide with categories 0x1..0x8."""
GROUND_MASK = 0x0001
"""Mask of the first teachgym bodies and of the chimpanzees: ground category only."""
SENSOR_RADIUS = 0.05
"""Radius (m) of a climber's grasp sensor circle."""
LIDAR_FANS: dict[str, tuple[float, float]] = {
    "down": (1.5, 0.0),
    "up": (2.3, 1.5),
    "full": (math.pi, 0.0),
}
"""Lidar fan per kind: (angular span, angular offset) in radians from straight down.
Ray ``i`` of 10 points along ``offset + span * i / 10`` (TeachMyAgent's Parkour)."""

WATER_DENSITY = 1.0
"""Density of Parkour's water; swimmers and amphibians are built relative to it."""

HULL_COLORS: tuple[Color, Color] = ((127, 51, 229), (76, 76, 127))
LEG_COLORS: dict[int, tuple[Color, Color]] = {
    -1: ((178, 101, 152), (127, 76, 101)),
    1: ((128, 51, 102), (77, 26, 51)),
}
"""Fill and outline colours (0..255) of the two sides' legs."""


@dataclass(frozen=True)
class PartSpec:
    """One rigid part (a Box2D dynamic body with one polygon fixture).

    Attributes:
        name: unique within the body.
        vertices: convex polygon in the part's own frame (m), or
        half_size: half width and half height of a rectangle centred on the part
            (built with Box2D's ``SetAsBox``, whose mass data is exact).
        position: part centre as an offset from the body origin (m).
        angle: initial angle (rad).
        density: kg/m^2; friction and restitution as in Box2D.
        mask_bits: categories it collides with (its own category is :data:`BODY_CATEGORY`).
        checks_contact: the part tracks whether it touches the terrain.
        critical: touching the terrain ends the episode (-100) in every environment.
        fall_critical: critical only where the env ends episodes on a fall (the hull of
            a walker on Stump Tracks; not in Parkour).
        pushed: receives the random horizontal push at reset.
        colors: fill and outline for rendering.
    """

    name: str
    position: Point
    density: float
    vertices: tuple[Point, ...] = ()
    half_size: Point | None = None
    angle: float = 0.0
    friction: float = 0.2
    restitution: float = 0.0
    mask_bits: int = TERRAIN_MASK
    checks_contact: bool = False
    critical: bool = False
    fall_critical: bool = False
    pushed: bool = False
    colors: tuple[Color, Color] = HULL_COLORS

    def __post_init__(self) -> None:
        if bool(self.vertices) == (self.half_size is not None):
            raise ValueError(f"part {self.name!r} needs exactly one of vertices / half_size")

    @property
    def outline(self) -> tuple[Point, ...]:
        """The polygon's vertices in the part's frame (m)."""
        if self.half_size is None:
            return self.vertices
        return box(*self.half_size)

    @property
    def area(self) -> float:
        """Polygon area (m^2), by the shoelace formula."""
        points = self.outline
        twice = sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        return abs(twice) / 2


@dataclass(frozen=True)
class JointSpec:
    """A revolute joint between two parts, motorised when ``speed`` is set.

    The anchor is either ``anchor`` (a point offset from the origin; the reference
    angle is the parts' initial angle difference, Box2D's ``Initialize``) or
    ``local_anchors`` (one point in each part's frame; reference angle 0).

    Attributes:
        speed: motor speed (rad/s) at |action| > 0; ``None`` for a passive joint.
        angle_correction: added to the joint angle in the observation.
        contact_part: name of the part whose terrain contact follows this motor's
            angle and speed in the observation (``None``: no contact value).
    """

    name: str
    part_a: str
    part_b: str
    lower: float
    upper: float
    anchor: Point | None = None
    local_anchors: tuple[Point, Point] | None = None
    speed: float | None = None
    angle_correction: float = 0.0
    contact_part: str | None = None

    def __post_init__(self) -> None:
        if (self.anchor is None) == (self.local_anchors is None):
            raise ValueError(f"joint {self.name!r} needs exactly one of anchor / local_anchors")

    @property
    def motor(self) -> bool:
        return self.speed is not None

    @property
    def observation_dim(self) -> int:
        """Angle and speed, plus the contact flag when a contact part is named."""
        return 2 if not self.motor else (3 if self.contact_part is not None else 2)


@dataclass(frozen=True)
class SensorSpec:
    """A grasp sensor: a circle of :data:`SENSOR_RADIUS` welded to ``part`` at ``position``.

    Its action value > 0 makes it ready to attach; <= 0 releases it. Observed as
    (touching a graspable surface, attached).
    """

    name: str
    part: str
    position: Point
    radius: float = SENSOR_RADIUS
    density: float = 1.0
    mask_bits: int = GROUND_MASK


@dataclass(frozen=True)
class BodySpec:
    """One morphology selectable with ``body=``.

    Attributes:
        name: the ``body=`` value.
        kind: walker, climber (grasps; may not touch the ground), swimmer (lives in
            water) or amphibian (lives anywhere).
        parts, joints, sensors: the morphology, in creation order. Motors (joints
            with a speed) in declaration order are the first action dimensions;
            one grasp dimension per sensor follows.
        head: name of the reference part (angle reward, velocities, lidar origin, drowning).
        center_height: height of the origin above the start ground (m).
        width: length of the body along x (m); Parkour lengthens its start pad for wide bodies.
        motors_torque: maximum motor torque (N m) at |action| = 1.
        torque_penalty: reward cost per action dimension per unit of ``penalty_torque``
            and of ``min(|a|, 1)``; the step cost is ``torque_penalty * penalty_torque *
            sum(min(|a|, 1))``.
        penalty_torque: the torque the penalty is scaled by (TeachMyAgent: 80 for
            every body; the first teachgym bodies: their own motor torque).
        head_angle_reward: the reward subtracts ``5 |head angle|``.
        lidar: the fan this body uses in Parkour (walker tracks always look down).
        survival_steps: consecutive steps under water (walkers, climbers) or out of
            water (swimmers) after which the body is dead; ``None`` never dies.
        reference: the body this one reproduces, for the docs.
    """

    name: str
    kind: BodyKind
    parts: tuple[PartSpec, ...]
    joints: tuple[JointSpec, ...]
    head: str
    center_height: float
    width: float
    motors_torque: float
    torque_penalty: float
    penalty_torque: float = 80.0
    head_angle_reward: bool = True
    lidar: LidarFan = "down"
    sensors: tuple[SensorSpec, ...] = ()
    survival_steps: int | None = 600
    reference: str = ""
    _part_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise ValueError(f"body {self.name!r} has duplicate part names")
        index = {name: i for i, name in enumerate(names)}
        object.__setattr__(self, "_part_index", index)
        referenced = [self.head] + [s.part for s in self.sensors]
        for joint in self.joints:
            referenced += [joint.part_a, joint.part_b]
            if joint.contact_part is not None:
                referenced.append(joint.contact_part)
        missing = sorted({name for name in referenced if name not in index})
        if missing:
            raise ValueError(f"body {self.name!r} refers to unknown parts {missing}")

    def part(self, name: str) -> PartSpec:
        return self.parts[self._part_index[name]]

    @property
    def motors(self) -> tuple[JointSpec, ...]:
        """Motorised joints, in action order."""
        return tuple(j for j in self.joints if j.motor)

    @property
    def action_dim(self) -> int:
        """One torque per motor, then one grasp command per sensor."""
        return len(self.motors) + len(self.sensors)

    @property
    def joint_observation_dim(self) -> int:
        """Per motor angle and speed (and contact where checked); per sensor (contact, attached)."""
        return sum(j.observation_dim for j in self.motors) + 2 * len(self.sensors)

    @property
    def action_cost(self) -> float:
        """Reward cost per unit of ``min(|a|, 1)`` summed over the action dimensions."""
        return self.torque_penalty * self.penalty_torque

    @property
    def critical_parts(self) -> tuple[str, ...]:
        """Parts whose terrain contact always ends the episode."""
        return tuple(p.name for p in self.parts if p.critical)

    @property
    def fall_critical_parts(self) -> tuple[str, ...]:
        """Parts whose terrain contact ends the episode where falls are terminal."""
        return tuple(p.name for p in self.parts if p.critical or p.fall_critical)


def rgb(red: float, green: float, blue: float) -> Color:
    """A colour given with components in [0, 1] (TeachMyAgent's convention), as 0..255 ints."""
    return (round(red * 255), round(green * 255), round(blue * 255))


def box(half_width: float, half_height: float) -> tuple[Point, ...]:
    """A rectangle centred on its frame's origin (Box2D ``SetAsBox`` vertex order)."""
    return (
        (-half_width, -half_height),
        (half_width, -half_height),
        (half_width, half_height),
        (-half_width, half_height),
    )


def pixels(points: tuple[Point, ...] | list[Point], scale: float) -> tuple[Point, ...]:
    """Polygon given in pixels, in metres."""
    return tuple((x / scale, y / scale) for x, y in points)


def lidar_ray_ends(fan: str, rays: int, length: float) -> list[Point]:
    """End points (relative to the ray origin, m) of the ``rays`` rays of a fan."""
    span, offset = LIDAR_FANS[fan]
    return [
        (
            math.sin(span * i / rays + offset) * length,
            -math.cos(span * i / rays + offset) * length,
        )
        for i in range(rays)
    ]


def joint_observation_bounds(body: BodySpec) -> tuple[list[float], list[float]]:
    """Declared (low, high) of :meth:`BuiltBody.joint_state`: angles within pi (or the
    joint's corrected limits when wider), speeds within 5, flags in [0, 1]. Like
    Gymnasium's BipedalWalker, fast or strained joints can exceed them."""
    low: list[float] = []
    high: list[float] = []
    for motor in body.motors:
        angle = max(
            math.pi,
            abs(motor.lower + motor.angle_correction),
            abs(motor.upper + motor.angle_correction),
        )
        low += [-angle, -5.0]
        high += [angle, 5.0]
        if motor.contact_part is not None:
            low.append(0.0)
            high.append(1.0)
    low += [0.0, 0.0] * len(body.sensors)
    high += [1.0, 1.0] * len(body.sensors)
    return low, high
