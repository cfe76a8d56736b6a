"""TeachMyAgent's profile chimpanzees: the walker and the two climbers.

A head on a passive neck above a chest; legs hang from the chest, arms start at its
shoulders. The walker's arms hang down and end in three-segment hands; the
climbers' arms reach up, end in a one-segment hand and a grasp sensor (a circle of
r 0.05 welded at the hand's end). Every part collides with the ground category only.
Head and chest are critical (in Parkour too); the climbers' lower legs as well, and
climbers may touch graspable terrain with them. Torque 100 (REFERENCE says 80 by
omission; the code's default is 100), penalty ``0.00035 / 5`` scaled by 80 N m, no
head-angle reward. Source: TeachMyAgent ``environments/envs/bodies/walkers/
ProfileChimpanzee.py`` and ``climbers/`` (Romac et al., ICML 2021; docs/references.md
[romac2021]).
"""

from __future__ import annotations

import math

from teachgym.envs.walkers.bodies.spec import (
    GROUND_MASK,
    BodyKind,
    BodySpec,
    Color,
    JointSpec,
    PartSpec,
    SensorSpec,
    pixels,
    rgb,
)
from teachgym.envs.walkers.constants import SCALE, SPEED_HIP, SPEED_KNEE

SPEED_HAND = 8.0
"""Motor speed (rad/s) of the hand joints."""
LEG_DOWN = 12 / SCALE
ARM_UP = 22 / SCALE
LIMB_W, LIMB_H = 8 / SCALE, 28 / SCALE
HAND_W, HAND_H = 4 / SCALE, 8 / SCALE
CHEST_HEIGHT, HEAD_HEIGHT = 45 / SCALE, 20 / SCALE
HEAD = ((-5, 10), (5, 10), (5, -10), (-5, -10))
CHEST = ((-12, 25), (12, 25), (8, -20), (-8, -20))
TRUNK_COLORS = (rgb(0.5, 0.4, 0.9), rgb(0.3, 0.3, 0.5))
LEG_COLORS = (rgb(0.5, 0.2, 0.4), rgb(0.3, 0.1, 0.2))
ARM_COLORS = (rgb(0.7, 0.4, 0.6), rgb(0.5, 0.3, 0.4))
WALKING_HAND = ((-0.4, 0.35), (-0.5, 0.0), (-0.8, 0.0))
"""Limits (in units of pi) of the walker's three hand joints, from the wrist out."""


def limb(
    name: str,
    x: float,
    y: float,
    lower_leg: bool,
    colors: tuple[Color, Color],
    checks_contact: bool = False,
    critical: bool = False,
) -> PartSpec:
    """An upper (8 px wide) or lower (0.8x) limb segment centred at (x, y)."""
    width = 0.8 * LIMB_W if lower_leg else LIMB_W
    return PartSpec(
        name, position=(x, y), half_size=(width / 2, LIMB_H / 2), density=1.0,
        mask_bits=GROUND_MASK, colors=colors, checks_contact=checks_contact, critical=critical,
    )  # fmt: skip


def chimpanzee(name: str, kind: BodyKind, legs: bool) -> BodySpec:
    """The walker (``kind="walker"``) or a climber, with or without legs."""
    climber = kind == "climber"
    parts = [
        PartSpec(
            "head", position=(0.0, CHEST_HEIGHT / 2 + HEAD_HEIGHT / 2 + 0.2),
            vertices=pixels(HEAD, SCALE), density=5.0, friction=0.1, mask_bits=GROUND_MASK,
            checks_contact=True, critical=True, pushed=True, colors=TRUNK_COLORS,
        ),
        PartSpec(
            "chest", position=(0.0, 0.0), vertices=pixels(CHEST, SCALE), density=5.0,
            friction=0.1, mask_bits=GROUND_MASK, checks_contact=True, critical=True,
            colors=TRUNK_COLORS,
        ),
    ]  # fmt: skip
    joints = [
        JointSpec(
            "neck", "head", "chest", -0.1 * math.pi, 0.1 * math.pi, anchor=(0.0, CHEST_HEIGHT / 2)
        )
    ]
    sensors: list[SensorSpec] = []
    for leg in range(2 if legs else 0):
        upper, lower = f"upper_leg{leg}", f"lower_leg{leg}"
        parts += [
            limb(upper, 0.0, -LIMB_H / 2 - LEG_DOWN, False, LEG_COLORS),
            limb(
                lower, 0.0, -LIMB_H * 3 / 2 - LEG_DOWN, True, LEG_COLORS,
                checks_contact=True, critical=climber,
            ),
        ]  # fmt: skip
        joints += [
            JointSpec(
                f"hip{leg}", "chest", upper, -0.3 * math.pi, 0.6 * math.pi,
                anchor=(0.0, -LEG_DOWN), speed=SPEED_HIP,
            ),
            JointSpec(
                f"knee{leg}", upper, lower, -0.75 * math.pi, -0.1,
                anchor=(0.0, -LIMB_H - LEG_DOWN), speed=SPEED_KNEE, angle_correction=1.0,
                contact_part=lower,
            ),
        ]  # fmt: skip
    reach = 1.0 if climber else -1.0  # arms point up (climbers) or hang down (walker)
    for arm in range(2):
        upper, lower = f"upper_arm{arm}", f"lower_arm{arm}"
        parts += [
            limb(upper, 0.0, reach * LIMB_H / 2 + ARM_UP, False, ARM_COLORS),
            limb(lower, 0.0, reach * LIMB_H * 3 / 2 + ARM_UP, True, ARM_COLORS),
        ]
        shoulder = (-1.5 * math.pi, 0.0) if climber else (-0.5 * math.pi, 0.8 * math.pi)
        joints += [
            JointSpec(
                f"shoulder{arm}", "chest", upper, *shoulder, anchor=(0.0, ARM_UP),
                speed=SPEED_HIP,
            ),
            JointSpec(
                f"elbow{arm}", upper, lower, 0.0, 0.75 * math.pi,
                anchor=(0.0, reach * LIMB_H + ARM_UP), speed=SPEED_HIP,
            ),
        ]  # fmt: skip
        wrist_y = reach * LIMB_H * 2 + ARM_UP
        previous = lower
        hand_limits = ((-0.5, 0.5),) if climber else WALKING_HAND
        for segment, (low, high) in enumerate(hand_limits):
            hand = f"hand{arm}_{segment}"
            parts.append(
                PartSpec(
                    hand, position=(0.0, wrist_y + reach * (HAND_H / 2 + HAND_H * segment)),
                    half_size=(HAND_W / 2, HAND_H / 2), density=1.0, mask_bits=GROUND_MASK,
                    checks_contact=True, colors=ARM_COLORS,
                )
            )  # fmt: skip
            joints.append(
                JointSpec(
                    f"hand{arm}_{segment}", previous, hand, low * math.pi, high * math.pi,
                    anchor=(0.0, wrist_y + reach * HAND_H * segment), speed=SPEED_HAND,
                    contact_part=hand,
                )
            )  # fmt: skip
            previous = hand
        if climber:
            sensors.append(
                SensorSpec(f"grip{arm}", previous, (0.0, wrist_y + HAND_H * len(hand_limits)))
            )
    return BodySpec(
        name=name,
        kind=kind,
        parts=tuple(parts),
        joints=tuple(joints),
        head="head",
        center_height=LIMB_H * 2 + LEG_DOWN,
        width=24 / SCALE,
        motors_torque=100,
        torque_penalty=0.00035 / 5,
        head_angle_reward=False,
        lidar="up" if climber else "down",
        sensors=tuple(sensors),
        reference=name,
    )


CHIMPANZEE_BODIES = (
    chimpanzee("profile_chimpanzee", "walker", legs=True),
    chimpanzee("climbing_profile_chimpanzee", "climber", legs=True),
    chimpanzee("climbing_chest_profile_chimpanzee", "climber", legs=False),
)
"""The walking chimpanzee and the two climbers."""
