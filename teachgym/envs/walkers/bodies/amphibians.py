"""TeachMyAgent's amphibian: the amphibious bipedal.

TeachMyAgent's ``classic_bipedal`` morphology with a hull of density 1.25 and legs
of 0.25 (times water's density 1.0), so it floats legs down. It never drowns and
never dies out of water; no part is critical (its hull may touch the ground, on
walker tracks too). Torque 80, penalty 0.00035 scaled by 80 N m; the full lidar fan
(the Parkour default for bodies that are neither walkers, climbers nor swimmers).
Source: TeachMyAgent ``environments/envs/bodies/amphibians/AmphibiousBipedalBody.py``
(Romac et al., ICML 2021; docs/references.md [romac2021]).
"""

from __future__ import annotations

from teachgym.envs.walkers.bodies.classic import BIPED_HULL
from teachgym.envs.walkers.bodies.spec import WATER_DENSITY, BodySpec, PartSpec, pixels, rgb
from teachgym.envs.walkers.bodies.walkers import straight_legs
from teachgym.envs.walkers.constants import SCALE

HULL_DENSITY = WATER_DENSITY * 1.25
LEG_DENSITY = WATER_DENSITY * 0.25
GREEN = (rgb(0.44, 0.81, 0.14), rgb(0.36, 0.66, 0.11))
ORANGE = (rgb(1.0, 0.25, 0.04), rgb(0.86, 0.29, 0.12))


def amphibious_bipedal(motors_torque: float = 80) -> BodySpec:
    leg_down, leg_w, leg_h = 3 / SCALE, 8 / SCALE, 34 / SCALE
    hull = PartSpec(
        "hull", position=(0.0, 0.0), vertices=pixels(BIPED_HULL, SCALE), density=HULL_DENSITY,
        friction=0.1, checks_contact=True, pushed=True, colors=GREEN,
    )  # fmt: skip
    legs, joints = straight_legs(
        "", "hull", 0.0, leg_down, leg_w, leg_h, LEG_DENSITY, colors=(GREEN, ORANGE)
    )
    return BodySpec(
        name="amphibious_bipedal",
        kind="amphibian",
        parts=(hull, *legs),
        joints=tuple(joints),
        head="hull",
        center_height=leg_h * 2 + leg_down,
        width=64 / SCALE,
        motors_torque=motors_torque,
        torque_penalty=0.00035,
        lidar="full",
        survival_steps=None,
        reference="amphibious_bipedal",
    )


AMPHIBIAN_BODIES = (amphibious_bipedal(),)
