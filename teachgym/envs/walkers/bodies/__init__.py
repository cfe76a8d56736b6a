"""Bodies selectable at ``make`` time (``body=...``): declarations and the registry.

A body is a :class:`BodySpec` (plain data: parts, joints, sensors, head, kind,
torques, lidar fan); ``teachgym.envs.walkers.bodies.build`` (the Box2D side,
imported only when a world is built) makes it live. :data:`BODIES` lists them all.

Using a body in an environment (what the walker tracks do, and what Parkour needs):

* give the world a :class:`~teachgym.envs.walkers.bodies.build.BodyContacts` listener
  (subclass it to handle water first), with ``climber`` set for climbers;
* ``build_body(world, spec, origin, push, falls_critical)`` with the origin at
  ``(start x, ground height + spec.center_height)``; it returns a ``BuiltBody``;
* each step: ``body.apply_action(values)`` (returns the summed ``min(|a|, 1)``, times
  ``spec.action_cost`` for the reward), ``world.Step``, then ``body.joint_state()``
  and the head's angle and velocities; ``listener.critical_contact`` says -100;
* climbers: put a :class:`~teachgym.envs.walkers.bodies.build.Graspable` user data on
  ceilings and creepers; each ``body.sensor_tags[i]`` tells ``ready`` and ``touching``,
  and the environment sets (or destroys and clears) its ``joint``;
* detach the listener before destroying bodies.
"""

from __future__ import annotations

from teachgym.envs.walkers.bodies.amphibians import AMPHIBIAN_BODIES
from teachgym.envs.walkers.bodies.chimpanzees import CHIMPANZEE_BODIES
from teachgym.envs.walkers.bodies.classic import CLASSIC_BODIES
from teachgym.envs.walkers.bodies.spec import (
    LIDAR_FANS,
    BodyKind,
    BodySpec,
    JointSpec,
    PartSpec,
    SensorSpec,
    joint_observation_bounds,
    lidar_ray_ends,
)
from teachgym.envs.walkers.bodies.swimmers import SWIMMER_BODIES
from teachgym.envs.walkers.bodies.walkers import WALKER_BODIES
from teachgym.errors import TeachgymUsageError

BODIES: dict[str, BodySpec] = {
    spec.name: spec
    for spec in CLASSIC_BODIES
    + WALKER_BODIES
    + CHIMPANZEE_BODIES
    + SWIMMER_BODIES
    + AMPHIBIAN_BODIES
}
"""Every body by name: teachgym's first four (``bipedal`` is Gymnasium's BipedalWalker)
and TeachMyAgent's twelve under their TeachMyAgent names."""


def body_spec(name: str) -> BodySpec:
    """The body called ``name``; an unknown name is a one-line error listing the known ones."""
    if name not in BODIES:
        raise TeachgymUsageError(f"unknown walker body {name!r}; choose one of {sorted(BODIES)}")
    return BODIES[name]


__all__ = [
    "BODIES",
    "LIDAR_FANS",
    "BodyKind",
    "BodySpec",
    "JointSpec",
    "PartSpec",
    "SensorSpec",
    "body_spec",
    "joint_observation_bounds",
    "lidar_ray_ends",
]
