"""TeachMyAgent's walkers: bipedals, quadruped, spider, millipede and wheel.

Morphologies, motor limits and speeds, torques and torque penalties are those of
TeachMyAgent's ``environments/envs/bodies/walkers`` (Romac et al., ICML 2021;
docs/references.md [romac2021]; the class defaults, which the benchmark uses).
All parts collide with categories 0x1..0x8; the hull (or main body) reports
contact and is critical where falls are terminal; every torque penalty is scaled
by 80 N m whatever the body's torque.

Where REFERENCE facts and the code disagree, the code is followed: the spider's
torque is 100 and the millipede's 200 (not 80); the millipede has no critical
part (its reference marks the head critical on the Box2D body, not on the user
data the contact detector reads, so no contact ever ends its episode).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from teachgym.envs.walkers.bodies.classic import BIPED_HULL, QUADRUPED_HULL, leg_pair_walker
from teachgym.envs.walkers.bodies.spec import (
    TERRAIN_MASK,
    BodySpec,
    Color,
    JointSpec,
    PartSpec,
    Point,
    pixels,
    rgb,
)
from teachgym.envs.walkers.constants import SCALE, SPEED_HIP, SPEED_KNEE

HULL = (rgb(0.5, 0.4, 0.9), rgb(0.3, 0.3, 0.5))
SPIDER_BODY = (rgb(0.5, 0.2, 0.4), rgb(0.3, 0.1, 0.2))
SPIDER_LEG = (rgb(0.7, 0.4, 0.6), rgb(0.5, 0.3, 0.4))
SQUARE = ((-10, 10), (10, 10), (10, -10), (-10, -10))
"""The 20 x 20 px main body of the spider, millipede and wheel."""
SQUARE_WIDTH = 20 / SCALE
HIP_LIMITS = (-0.8, 1.1)
KNEE_LIMITS = (-1.6, -0.1)
PENALTY = 0.00035


def trunk(
    name: str, outline: tuple[Point, ...], colors: tuple[Color, Color], fall_critical: bool = True
) -> PartSpec:
    """A hull or main body (outline in px, density 5, friction 0.1) that reports contact,
    receives the start push and, by default, is critical where falls are terminal."""
    return PartSpec(
        name, position=(0.0, 0.0), vertices=pixels(outline, SCALE), density=5.0, friction=0.1,
        checks_contact=True, fall_critical=fall_critical, pushed=True, colors=colors,
    )  # fmt: skip


def leg_colors(side: int) -> tuple[Color, Color]:
    """TeachMyAgent's leg colours for side -1 (far) or +1 (near)."""
    return (
        rgb(0.6 - side / 10, 0.3 - side / 10, 0.5 - side / 10),
        rgb(0.4 - side / 10, 0.2 - side / 10, 0.3 - side / 10),
    )


def straight_legs(
    prefix: str,
    trunk: str,
    x: float,
    leg_down: float,
    leg_w: float,
    leg_h: float,
    density: float,
    colors: tuple[tuple[Color, Color], tuple[Color, Color]] | None = None,
) -> tuple[list[PartSpec], list[JointSpec]]:
    """A pair of straight two-segment legs hanging from ``trunk`` at (x, -leg_down) (m),
    joints anchored in the world frame; lower legs report contact. ``colors``: upper-
    and lower-leg colours (default: TeachMyAgent's per-side leg colours)."""
    parts: list[PartSpec] = []
    joints: list[JointSpec] = []
    for index, side in enumerate((-1, +1)):
        upper, lower = f"{prefix}upper_leg{index}", f"{prefix}lower_leg{index}"
        upper_colors, lower_colors = (
            (leg_colors(side), leg_colors(side)) if colors is None else colors
        )
        parts += [
            PartSpec(
                upper,
                position=(x, -leg_h / 2 - leg_down),
                half_size=(leg_w / 2, leg_h / 2),
                density=density,
                colors=upper_colors,
            ),
            PartSpec(
                lower,
                position=(x, -leg_h * 3 / 2 - leg_down),
                half_size=(0.8 * leg_w / 2, leg_h / 2),
                density=density,
                checks_contact=True,
                colors=lower_colors,
            ),
        ]
        joints += [
            JointSpec(
                f"{prefix}hip{index}", trunk, upper, *HIP_LIMITS, anchor=(x, -leg_down),
                speed=SPEED_HIP,
            ),
            JointSpec(
                f"{prefix}knee{index}", upper, lower, *KNEE_LIMITS, anchor=(x, -leg_down - leg_h),
                speed=SPEED_KNEE, angle_correction=1.0, contact_part=lower,
            ),
        ]  # fmt: skip
    return parts, joints


def straight_leg_walker(
    name: str,
    hull: tuple[Point, ...],
    bottom_width: float,
    leg_size: tuple[float, float],
    pairs_x: tuple[float, ...],
    motors_torque: float,
    torque_penalty: float,
) -> BodySpec:
    """TeachMyAgent's newer walkers: straight legs hanging 3 px below the hull centre.

    Args:
        hull: hull polygon (px); bottom_width (px) places the pairs and sets the width.
        leg_size: upper-leg width and height (px).
        pairs_x: each hip pair's position in [-1, 1] along the bottom width.
    """
    leg_down = 3 / SCALE
    leg_w, leg_h = leg_size[0] / SCALE, leg_size[1] / SCALE
    half = bottom_width / 2 / SCALE
    parts = [trunk("hull", hull, HULL)]
    joints: list[JointSpec] = []
    for pair, anchor in enumerate(pairs_x):
        x = float(np.interp(anchor, [-1, 1], [-half, half]))
        prefix = f"pair{pair}_" if len(pairs_x) > 1 else ""
        pair_parts, pair_joints = straight_legs(prefix, "hull", x, leg_down, leg_w, leg_h, 1.0)
        parts += pair_parts
        joints += pair_joints
    return BodySpec(
        name=name,
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head="hull",
        center_height=leg_h * 2 + leg_down,
        width=bottom_width / SCALE,
        motors_torque=motors_torque,
        torque_penalty=torque_penalty,
        reference=name,
    )


def spider(pairs: int = 2, motors_torque: float = 100) -> BodySpec:
    """A square body with ``pairs`` pairs of three-segment legs that splay outwards."""
    leg_down, leg_w, leg_h = 4 / SCALE, 6 / SCALE, 20 / SCALE
    parts = [trunk("body", SQUARE, SPIDER_BODY)]
    joints: list[JointSpec] = []
    for leg, side in enumerate([+1, -1] * pairs):
        hip_x = -side * SQUARE_WIDTH / 2
        upper_angle = 0.25 * math.pi * side
        upper_dx = math.sin(upper_angle) * leg_h / 2
        upper_dy = math.cos(upper_angle) * leg_h / 2
        upper_x, upper_y = hip_x - upper_dx, upper_dy - leg_down
        middle_angle = 0.7 * math.pi * side
        middle_dx = math.sin(middle_angle) * leg_h / 2
        middle_dy = -math.cos(middle_angle) * leg_h / 2
        middle_x = upper_x - upper_dx - middle_dx
        middle_y = upper_y + upper_dy - middle_dy
        lower_angle = 0.9 * math.pi * side
        lower_dx = math.sin(lower_angle) * leg_h / 2
        lower_dy = -math.cos(lower_angle) * leg_h / 2
        lower_x = middle_x - middle_dx - lower_dx
        lower_y = middle_y - middle_dy - lower_dy
        names = [f"upper_leg{leg}", f"middle_leg{leg}", f"lower_leg{leg}"]
        parts += [
            PartSpec(
                names[0], position=(upper_x, upper_y), angle=upper_angle,
                half_size=(leg_w / 2, leg_h / 2), density=1.0, colors=SPIDER_LEG,
            ),
            PartSpec(
                names[1], position=(middle_x, middle_y), angle=middle_angle,
                half_size=(leg_w / 2, leg_h / 2), density=1.0, colors=SPIDER_LEG,
            ),
            PartSpec(
                names[2], position=(lower_x, lower_y), angle=lower_angle,
                half_size=(0.8 * leg_w / 2, leg_h / 2), density=1.0, checks_contact=True,
                colors=SPIDER_LEG,
            ),
        ]  # fmt: skip
        joints += [
            JointSpec(
                f"hip{leg}", "body", names[0], -0.1 * math.pi, 0.1 * math.pi,
                anchor=(hip_x, -leg_down), speed=SPEED_HIP,
            ),
            JointSpec(
                f"middle{leg}", names[0], names[1], -0.15 * math.pi, 0.15 * math.pi,
                anchor=(upper_x - upper_dx, upper_y + upper_dy), speed=SPEED_HIP,
            ),
            JointSpec(
                f"knee{leg}", names[1], names[2], -0.2 * math.pi, 0.2 * math.pi,
                anchor=(middle_x - middle_dx, middle_y - middle_dy), speed=SPEED_KNEE,
                contact_part=names[2],
            ),
        ]  # fmt: skip
    return BodySpec(
        name="spider",
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head="body",
        center_height=leg_h + leg_down,
        width=SQUARE_WIDTH + leg_h * 4,
        motors_torque=motors_torque,
        torque_penalty=PENALTY / pairs,
        reference="spider",
    )


def millipede(segments: int = 4, motors_torque: float = 200) -> BodySpec:
    """``segments`` square bodies in a row, linked by stiff passive joints, each with a
    pair of small legs; the head is the rightmost segment."""
    leg_down, leg_w, leg_h = 3 / SCALE, 4 / SCALE, 10 / SCALE
    start = -SQUARE_WIDTH * segments / 2
    parts: list[PartSpec] = []
    joints: list[JointSpec] = []
    for segment in range(segments):
        x = start + segment * SQUARE_WIDTH
        name = f"body{segment}"
        parts.append(replace(trunk(name, SQUARE, HULL, fall_critical=False), position=(x, 0.0)))
        legs, leg_joints = straight_legs(f"body{segment}_", name, x, leg_down, leg_w, leg_h, 1.0)
        parts += legs
        joints += leg_joints
        if segment > 0:
            joints.append(
                JointSpec(
                    f"link{segment}", f"body{segment - 1}", name, -0.05 * math.pi, 0.05 * math.pi,
                    anchor=(x - SQUARE_WIDTH / 2, 0.0),
                )
            )  # fmt: skip
    return BodySpec(
        name="millipede",
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head=f"body{segments - 1}",
        center_height=leg_h * 2 + leg_down,
        width=SQUARE_WIDTH * segments,
        motors_torque=motors_torque,
        torque_penalty=PENALTY / segments,
        reference="millipede",
    )


def wheel(motors_torque: float = 500) -> BodySpec:
    """A square body with a two-segment leg on each of its four sides; no head-angle reward."""
    leg_w, leg_h = 4 / SCALE, 10 / SCALE
    parts = [trunk("body", SQUARE, SPIDER_BODY)]
    joints: list[JointSpec] = []
    for leg, (dx, dy, angle) in enumerate(
        ((0, -1, 0.0), (0, 1, 0.0), (-1, 0, math.pi / 2), (1, 0, math.pi / 2))
    ):
        side_x, side_y = dx * SQUARE_WIDTH / 2, dy * SQUARE_WIDTH / 2
        leg_x, leg_y = dx * (leg_h / 2) + side_x, dy * (leg_h / 2) + side_y
        upper, lower = f"upper_leg{leg}", f"lower_leg{leg}"
        parts += [
            PartSpec(
                upper, position=(leg_x, leg_y), angle=angle, half_size=(leg_w / 2, leg_h / 2),
                density=1.0, colors=SPIDER_LEG,
            ),
            PartSpec(
                lower, position=(leg_x + dx * leg_h, leg_y + dy * leg_h), angle=angle,
                half_size=(0.8 * leg_w / 2, leg_h / 2), density=1.0, checks_contact=True,
                colors=SPIDER_LEG,
            ),
        ]  # fmt: skip
        joints += [
            JointSpec(
                f"hip{leg}", "body", upper, *HIP_LIMITS, anchor=(side_x, side_y), speed=SPEED_HIP
            ),
            JointSpec(
                f"knee{leg}", upper, lower, *KNEE_LIMITS,
                anchor=(leg_x + dx * (leg_h / 2), leg_y + dy * (leg_h / 2)),
                speed=SPEED_KNEE, angle_correction=1.0, contact_part=lower,
            ),
        ]  # fmt: skip
    return BodySpec(
        name="wheel",
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head="body",
        center_height=SQUARE_WIDTH / 2 + leg_h * 2,
        width=SQUARE_WIDTH,
        motors_torque=motors_torque,
        torque_penalty=PENALTY / 2,
        head_angle_reward=False,
        reference="wheel",
    )


def old_classic_bipedal() -> BodySpec:
    """Gymnasium's BipedalWalker as TeachMyAgent builds it: the ``bipedal`` morphology
    spawned ``0.5 - 8 px`` higher, colliding with categories 0x1..0x8."""
    leg_h = 34 / SCALE
    return leg_pair_walker(
        "old_classic_bipedal", BIPED_HULL, 8, 34, (0.0,), 80, PENALTY, "old_classic_bipedal",
        center_height=leg_h * 2 - 8 / SCALE + 0.5, penalty_torque=80, mask_bits=TERRAIN_MASK,
    )  # fmt: skip


WALKER_BODIES = (
    straight_leg_walker("classic_bipedal", BIPED_HULL, 64, (8, 34), (0.0,), 80, PENALTY),
    old_classic_bipedal(),
    straight_leg_walker("small_bipedal", BIPED_HULL, 20, (8, 17), (0.0,), 80, PENALTY),
    straight_leg_walker("big_quadru", QUADRUPED_HULL, 96, (10, 51), (-0.7, 0.5), 300, PENALTY / 2),
    spider(),
    millipede(),
    wheel(),
)
"""TeachMyAgent's walkers except the profile chimpanzee (see ``chimpanzees``)."""
