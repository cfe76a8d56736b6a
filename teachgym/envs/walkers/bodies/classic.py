"""The first four teachgym bodies, in Gymnasium ``BipedalWalker-v3``'s layout.

``bipedal`` is Gymnasium's BipedalWalker (Klimov's design, TeachMyAgent's
``old_classic_bipedal`` morphology). ``short_legs`` and ``quadruped`` are the
ALP-GMM paper's ``short`` and ``quadru`` walkers (Portelas et al., CoRL 2019;
docs/references.md [portelas2019]). ``long_legs`` (legs 1.5x the default, the
mirror of the short walker's 0.5x) is teachgym's own choice because the reference
code that trained it is not public.

Layout shared by all four: hips 8 px below the hull centre, legs tilted ±0.05 rad
at creation, joints given by local anchors, hip limits [-0.8, 1.1] at 4 rad/s,
knee limits [-1.6, -0.1] at 6 rad/s, lower legs 0.8x as wide as upper legs and
reporting ground contact; the hull ends the episode on contact where falls are
terminal. The body spawns with its hull ``2 * leg length`` above the ground and
its torque cost is ``torque_penalty * motors_torque`` per unit of ``min(|a|, 1)``.

Which TeachMyAgent body each corresponds to (TeachMyAgent's own versions are
also available under their names):

* ``bipedal``: ``old_classic_bipedal`` (same morphology; spawned 0.23 m lower);
* ``short_legs``: ``small_bipedal``'s 8 x 17 px legs in the old layout (TeachMyAgent's
  version hangs straight legs 3 px above the hull centre);
* ``long_legs``: none;
* ``quadruped``: ``old_big_quadru`` (same hull, 10 x 51 px legs, hip pairs 1.2 m
  behind and 0.85 m ahead of the hull centre, torque 300), with the ALP-GMM code's
  torque cost ``0.00035 / 8 * 300`` per unit instead of TeachMyAgent's ``0.00035 / 2 * 80``.
"""

from __future__ import annotations

from teachgym.envs.walkers.bodies.spec import (
    GROUND_MASK,
    HULL_COLORS,
    LEG_COLORS,
    BodySpec,
    JointSpec,
    PartSpec,
    Point,
    pixels,
)
from teachgym.envs.walkers.constants import SCALE, SPEED_HIP, SPEED_KNEE

BIPED_HULL = ((-30, 9), (6, 9), (34, 1), (34, -8), (-30, -8))
QUADRUPED_HULL = ((-46, 13), (6, 13), (50, 5), (50, -12), (-46, -12))
LEG_DOWN = -8 / SCALE
"""Hips sit 8 pixels below the hull centre."""
HIP_LIMITS = (-0.8, 1.1)
KNEE_LIMITS = (-1.6, -0.1)


def leg_pair_walker(
    name: str,
    hull: tuple[Point, ...],
    leg_width: float,
    leg_height: float,
    pairs_x: tuple[float, ...],
    motors_torque: float,
    torque_penalty: float,
    reference: str,
    center_height: float | None = None,
    penalty_torque: float | None = None,
    mask_bits: int = GROUND_MASK,
) -> BodySpec:
    """A hull with pairs of two-segment legs hanging below it.

    Args:
        hull: hull polygon in pixels.
        leg_width, leg_height: upper-leg size in pixels.
        pairs_x: x offset (m, hull frame) of each pair of hips.
        center_height: spawn height of the hull centre (m); default twice the leg length.
        penalty_torque: the torque the penalty is scaled by; default ``motors_torque``.
        mask_bits: what the parts collide with.
    """
    leg_w, leg_h = leg_width / SCALE, leg_height / SCALE
    parts = [
        PartSpec(
            "hull",
            position=(0.0, 0.0),
            vertices=pixels(hull, SCALE),
            density=5.0,
            friction=0.1,
            mask_bits=mask_bits,
            fall_critical=True,
            pushed=True,
            colors=HULL_COLORS,
        )
    ]
    joints = []
    leg = 0
    for pair_x in pairs_x:
        for side in (-1, +1):
            upper, lower = f"upper_leg{leg}", f"lower_leg{leg}"
            parts += [
                PartSpec(
                    upper,
                    position=(pair_x, -leg_h / 2 - LEG_DOWN),
                    half_size=(leg_w / 2, leg_h / 2),
                    angle=side * 0.05,
                    density=1.0,
                    mask_bits=mask_bits,
                    colors=LEG_COLORS[side],
                ),
                PartSpec(
                    lower,
                    position=(pair_x, -leg_h * 3 / 2 - LEG_DOWN),
                    half_size=(0.8 * leg_w / 2, leg_h / 2),
                    angle=side * 0.05,
                    density=1.0,
                    mask_bits=mask_bits,
                    checks_contact=True,
                    colors=LEG_COLORS[side],
                ),
            ]
            joints += [
                JointSpec(
                    f"hip{leg}",
                    "hull",
                    upper,
                    *HIP_LIMITS,
                    local_anchors=((pair_x, LEG_DOWN), (0, leg_h / 2)),
                    speed=SPEED_HIP,
                ),
                JointSpec(
                    f"knee{leg}",
                    upper,
                    lower,
                    *KNEE_LIMITS,
                    local_anchors=((0, -leg_h / 2), (0, leg_h / 2)),
                    speed=SPEED_KNEE,
                    angle_correction=1.0,
                    contact_part=lower,
                ),
            ]
            leg += 1
    xs = [x for x, _ in hull]
    return BodySpec(
        name=name,
        kind="walker",
        parts=tuple(parts),
        joints=tuple(joints),
        head="hull",
        center_height=2 * leg_h if center_height is None else center_height,
        width=(max(xs) - min(xs)) / SCALE,
        motors_torque=motors_torque,
        torque_penalty=torque_penalty,
        penalty_torque=motors_torque if penalty_torque is None else penalty_torque,
        reference=reference,
    )


CLASSIC_BODIES = (
    leg_pair_walker("bipedal", BIPED_HULL, 8, 34, (0.0,), 80, 0.00035, "old_classic_bipedal"),
    leg_pair_walker("short_legs", BIPED_HULL, 8, 17, (0.0,), 80, 0.00035, "small_bipedal"),
    leg_pair_walker("long_legs", BIPED_HULL, 8, 51, (0.0,), 80, 0.00035, ""),
    leg_pair_walker(
        "quadruped", QUADRUPED_HULL, 10, 51, (-1.2, 0.85), 300, 0.00035 / 8, "old_big_quadru"
    ),
)
"""``bipedal``, ``short_legs``, ``long_legs`` and ``quadruped``."""
