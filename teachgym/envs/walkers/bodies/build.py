"""Box2D side of a body: build a :class:`~teachgym.envs.walkers.bodies.spec.BodySpec`
into a world, drive its motors, observe its joints and sensors, track its contacts.

Semantics follow TeachMyAgent's embodiments and contact detector (Romac et al.,
ICML 2021; docs/references.md [romac2021]): each action value sets a motor's speed
to ``±speed`` by its sign and its torque limit to ``torque * min(|a|, 1)``; a grasp
value > 0 makes its sensor ready to attach. Contacts with sensor fixtures (water,
creepers) neither set ground contact nor count as critical; a climber's critical
part may touch graspable terrain (the ceiling). Deviation: the reference also
clears a part's contact flag when a contact with a sensor fixture ends; here sensor
fixtures never change it.

Creating and destroying the revolute joint that holds a grasp is the environment's
job: it reads :class:`GraspSensor` (``ready``, ``touching``) and sets ``joint``.
"""

from __future__ import annotations

from typing import Any

from Box2D.b2 import (
    circleShape,
    contactListener,
    fixtureDef,
    polygonShape,
    revoluteJointDef,
    weldJointDef,
)

from teachgym.envs.walkers.bodies.spec import BODY_CATEGORY, BodySpec, Point


class PartTag:
    """User data of a body part: its name, whether it touches the terrain, and whether
    that is critical."""

    __slots__ = ("checks_contact", "critical", "name", "touching")

    def __init__(self, name: str, checks_contact: bool, critical: bool) -> None:
        self.name = name
        self.checks_contact = checks_contact
        self.critical = critical
        self.touching = False


class Graspable:
    """User data the environment puts on terrain a grasp sensor can hold (ceiling, creepers)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class GraspSensor:
    """User data of a grasp sensor.

    Attributes:
        ready: the last grasp command was > 0.
        touching: the graspable Box2D bodies it overlaps, in contact order.
        joint: the revolute joint holding it, set and cleared by the environment.
    """

    __slots__ = ("joint", "name", "ready", "touching")

    def __init__(self, name: str) -> None:
        self.name = name
        self.ready = False
        self.touching: list[Any] = []
        self.joint: Any = None

    @property
    def attached(self) -> bool:
        return self.joint is not None


class BodyContacts(contactListener):
    """Contact callbacks (names fixed by Box2D) for a world holding one body.

    Attributes:
        critical_contact: a critical part touched the terrain since the world was built.
        climber: the body is a climber (its critical parts may touch graspable terrain).
    Environments with water subclass it and handle their sensor fixtures first.
    """

    def __init__(self) -> None:
        contactListener.__init__(self)
        self.critical_contact = False
        self.climber = False

    @staticmethod
    def _grasps(contact: Any) -> list[tuple[GraspSensor, Any]]:
        """(sensor data, other Box2D body) for each grasp sensor in the contact."""
        body_a, body_b = contact.fixtureA.body, contact.fixtureB.body
        return [
            (body.userData, other)
            for body, other in ((body_a, body_b), (body_b, body_a))
            if isinstance(body.userData, GraspSensor)
        ]

    def BeginContact(self, contact: Any) -> None:
        grasps = self._grasps(contact)
        for sensor, other in grasps:
            if isinstance(other.userData, Graspable):
                sensor.touching.append(other)
        fixture_a, fixture_b = contact.fixtureA, contact.fixtureB
        if grasps or fixture_a.sensor or fixture_b.sensor:
            return
        tag_a, tag_b = fixture_a.body.userData, fixture_b.body.userData
        for tag, other in ((tag_a, tag_b), (tag_b, tag_a)):
            if isinstance(tag, PartTag):
                if tag.checks_contact:
                    tag.touching = True
                if tag.critical and not (self.climber and isinstance(other, Graspable)):
                    self.critical_contact = True

    def EndContact(self, contact: Any) -> None:
        grasps = self._grasps(contact)
        for sensor, other in grasps:
            if other in sensor.touching:
                sensor.touching.remove(other)
        fixture_a, fixture_b = contact.fixtureA, contact.fixtureB
        if grasps or fixture_a.sensor or fixture_b.sensor:
            return
        for tag in (fixture_a.body.userData, fixture_b.body.userData):
            if isinstance(tag, PartTag) and tag.checks_contact:
                tag.touching = False


class BuiltBody:
    """A body living in a Box2D world.

    Attributes:
        spec: what was built.
        parts: the Box2D bodies of ``spec.parts``, in order; ``part(name)`` finds one.
        head: the reference part.
        motors: the motorised joints, in action order.
        sensors: the grasp sensor bodies; ``sensor_tags`` their :class:`GraspSensor` data.
    """

    def __init__(self, spec: BodySpec, parts: list[Any], joints: list[Any], sensors: list[Any]):
        self.spec = spec
        self.parts = parts
        self.head = parts[spec.parts.index(spec.part(spec.head))]
        self.motors = [j for j, s in zip(joints, spec.joints, strict=True) if s.motor]
        self.sensors = sensors
        self.sensor_tags: list[GraspSensor] = [s.userData for s in sensors]
        self._speeds = [float(m.speed) for m in spec.motors if m.speed is not None]
        self._torque = float(spec.motors_torque)
        self._observed = [
            (
                joint,
                motor.angle_correction,
                speed,
                None if motor.contact_part is None else self.part(motor.contact_part).userData,
            )
            for joint, motor, speed in zip(self.motors, spec.motors, self._speeds, strict=True)
        ]

    def part(self, name: str) -> Any:
        return self.parts[self.spec.parts.index(self.spec.part(name))]

    @property
    def critical_parts(self) -> list[Any]:
        """The Box2D bodies whose terrain contact ends the episode in this world."""
        return [part for part in self.parts if part.userData.critical]

    @property
    def action_dim(self) -> int:
        return self.spec.action_dim

    @property
    def joint_observation_dim(self) -> int:
        return self.spec.joint_observation_dim

    @property
    def bodies(self) -> list[Any]:
        """Every Box2D body of this body (parts, then sensors)."""
        return self.parts + self.sensors

    def apply_action(self, values: list[float]) -> float:
        """Set motor speeds and torque limits and the grasp commands from ``action_dim``
        values; returns ``sum(min(|a|, 1))`` over every dimension (for the torque cost)."""
        torque = self._torque
        total = 0.0
        for joint, speed, value in zip(self.motors, self._speeds, values, strict=False):
            joint.motorSpeed = speed if value > 0 else (-speed if value < 0 else 0.0)
            magnitude = min(abs(value), 1.0)
            joint.maxMotorTorque = torque * magnitude
            total += magnitude
        for tag, value in zip(self.sensor_tags, values[len(self.motors) :], strict=True):
            tag.ready = value > 0
            total += min(abs(value), 1.0)
        return total

    def joint_state(self) -> list[float]:
        """Per motor: angle (+ correction), speed / motor speed, and contact (0/1) where checked;
        then per sensor: touching a graspable surface (0/1), attached (0/1)."""
        state: list[float] = []
        for joint, correction, speed, contact in self._observed:
            state.append(joint.angle + correction)
            state.append(joint.speed / speed)
            if contact is not None:
                state.append(1.0 if contact.touching else 0.0)
        for tag in self.sensor_tags:
            state.append(1.0 if tag.touching else 0.0)
            state.append(1.0 if tag.joint is not None else 0.0)
        return state

    def destroy(self, world: Any) -> None:
        """Remove every body (and with them every joint) from ``world``. Detach the
        world's contact listener first: Box2D reports the ended contacts while the
        bodies are half destroyed, which crashes a Python listener."""
        for sensor in self.sensor_tags:
            sensor.joint = None
        for body in self.bodies:
            world.DestroyBody(body)
        self.parts, self.sensors, self.sensor_tags, self.motors = [], [], [], []


def build_body(
    world: Any, spec: BodySpec, origin: Point, push: float, falls_critical: bool
) -> BuiltBody:
    """Create ``spec`` in ``world`` with its origin at ``origin`` (m).

    Args:
        push: horizontal force (N) applied once to the centre of each pushed part.
        falls_critical: the env ends episodes on a fall, so ``fall_critical`` parts are critical.
    """
    x0, y0 = origin
    parts = []
    for part in spec.parts:
        shape = (
            polygonShape(vertices=list(part.vertices))
            if part.half_size is None
            else polygonShape(box=part.half_size)
        )
        body = world.CreateDynamicBody(
            position=(x0 + part.position[0], y0 + part.position[1]),
            angle=part.angle,
            fixtures=fixtureDef(
                shape=shape,
                density=part.density,
                friction=part.friction,
                restitution=part.restitution,
                categoryBits=BODY_CATEGORY,
                maskBits=part.mask_bits,
            ),
        )
        critical = part.critical or (falls_critical and part.fall_critical)
        body.userData = PartTag(part.name, part.checks_contact, critical)
        if part.pushed:
            body.ApplyForceToCenter((push, 0), True)
        parts.append(body)
    by_name = {p.name: b for p, b in zip(spec.parts, parts, strict=True)}
    joints = []
    for joint in spec.joints:
        anchors: dict[str, Any] = (
            {"anchor": (x0 + joint.anchor[0], y0 + joint.anchor[1])}
            if joint.anchor is not None
            else {"localAnchorA": joint.local_anchors[0], "localAnchorB": joint.local_anchors[1]}  # type: ignore[index]
        )
        joints.append(
            world.CreateJoint(
                revoluteJointDef(
                    bodyA=by_name[joint.part_a],
                    bodyB=by_name[joint.part_b],
                    enableMotor=joint.motor,
                    enableLimit=True,
                    maxMotorTorque=float(spec.motors_torque) if joint.motor else 0.0,
                    motorSpeed=0.0,
                    lowerAngle=joint.lower,
                    upperAngle=joint.upper,
                    **anchors,
                )
            )
        )
    sensors = []
    for sensor in spec.sensors:
        position = (x0 + sensor.position[0], y0 + sensor.position[1])
        body = world.CreateDynamicBody(
            position=position,
            fixtures=fixtureDef(
                shape=circleShape(radius=sensor.radius),
                density=sensor.density,
                restitution=0.0,
                categoryBits=BODY_CATEGORY,
                maskBits=sensor.mask_bits,
                isSensor=True,
            ),
        )
        body.userData = GraspSensor(sensor.name)
        world.CreateJoint(weldJointDef(bodyA=by_name[sensor.part], bodyB=body, anchor=position))
        sensors.append(body)
    return BuiltBody(spec, parts, joints, sensors)


__all__ = [
    "BodyContacts",
    "BuiltBody",
    "GraspSensor",
    "Graspable",
    "PartTag",
    "build_body",
]
