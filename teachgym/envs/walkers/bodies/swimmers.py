"""TeachMyAgent's swimmer: the fish.

A head, two body segments and a tail in a row behind it, and one fin under the
head; every joint is a motor whose segment reports contact. Density 0.99 (water's
1.0 minus 0.01, so a still fish rises slowly); torque 80, penalty 0.00035 scaled by
80 N m; no head-angle reward; the full lidar fan; head contact is allowed; dies
after 600 consecutive steps out of water. It spawns 1 m above its origin. Source:
TeachMyAgent ``environments/envs/bodies/swimmers/FishBody.py`` (Romac et al., ICML
2021; docs/references.md [romac2021]).
"""

from __future__ import annotations

import math

from teachgym.envs.walkers.bodies.spec import (
    WATER_DENSITY,
    BodySpec,
    JointSpec,
    PartSpec,
    pixels,
    rgb,
)
from teachgym.envs.walkers.constants import SCALE, SPEED_KNEE

FISH_DENSITY = WATER_DENSITY - 0.01
HEAD = ((-20, 12), (6, 12), (15, 4), (15, -4), (6, -12), (-20, -12))
FRONT = ((-8, 9), (8, 12), (8, -12), (-8, -9))
BACK = ((-8, 4), (8, 9), (8, -9), (-8, -4))
TAIL = ((-4, 2), (4, 4), (4, -4), (-4, -2))
FIN = ((-1, -10), (-1, 10), (1, 10), (1, -10))
HEAD_WIDTH, SEGMENT_WIDTH, TAIL_WIDTH, FIN_LENGTH = 35 / SCALE, 16 / SCALE, 8 / SCALE, 20 / SCALE
COLORS = (rgb(0.5, 0.4, 0.9), rgb(0.3, 0.3, 0.5))
RISE = 1.0
"""The fish is created this far (m) above its origin."""


def fish(motors_torque: float = 80) -> BodySpec:
    front_x = -HEAD_WIDTH / 2 - SEGMENT_WIDTH / 2
    back_x = front_x - SEGMENT_WIDTH / 2 - SEGMENT_WIDTH / 2
    tail_x = back_x - SEGMENT_WIDTH / 2 - TAIL_WIDTH / 2
    fin_x, fin_y = 0.0, RISE - 22 / 2 / SCALE + 0.2
    fin_angle = -0.2 * math.pi

    def segment(
        name: str, x: float, y: float, outline: tuple, friction: float = 0.2, angle: float = 0.0
    ) -> PartSpec:
        return PartSpec(
            name, position=(x, y), vertices=pixels(outline, SCALE), density=FISH_DENSITY,
            friction=friction, angle=angle, checks_contact=True, colors=COLORS,
        )  # fmt: skip

    parts = (
        segment("head", 0.0, RISE, HEAD, friction=0.1),
        segment("front", front_x, RISE, FRONT),
        segment("back", back_x, RISE, BACK),
        segment("tail", tail_x, RISE, TAIL),
        segment(
            "fin",
            fin_x + math.sin(fin_angle) * FIN_LENGTH / 2,
            fin_y - math.cos(fin_angle) * FIN_LENGTH / 2,
            FIN,
            angle=fin_angle,
        ),
    )

    def motor(name: str, a: str, b: str, limits: tuple[float, float], anchor: tuple) -> JointSpec:
        return JointSpec(
            name, a, b, limits[0] * math.pi, limits[1] * math.pi, anchor=anchor,
            speed=SPEED_KNEE, contact_part=b,
        )  # fmt: skip

    joints = (
        motor("neck", "head", "front", (-0.1, 0.2), (-HEAD_WIDTH / 2, RISE)),
        motor("waist", "front", "back", (-0.15, 0.15), (front_x - SEGMENT_WIDTH / 2, RISE)),
        motor("tail", "back", "tail", (-0.3, 0.3), (back_x - SEGMENT_WIDTH / 2, RISE)),
        motor("fin", "head", "fin", (-0.3, 0.2), (fin_x, fin_y)),
    )
    return BodySpec(
        name="fish",
        kind="swimmer",
        parts=parts,
        joints=joints,
        head="head",
        center_height=9 / SCALE,
        width=HEAD_WIDTH,
        motors_torque=motors_torque,
        torque_penalty=0.00035,
        head_angle_reward=False,
        lidar="full",
        reference="fish",
    )


SWIMMER_BODIES = (fish(),)
