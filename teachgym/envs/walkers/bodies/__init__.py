"""Bodies selectable at ``make`` time (``body=...``): declarations and the registry.

A body is a :class:`BodySpec` (plain data: parts, joints, sensors, head, kind,
torques, lidar fan); ``teachgym.envs.walkers.bodies.build`` (the Box2D side,
imported only when a world is built) makes it live. :data:`BODIES` lists them all.
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
