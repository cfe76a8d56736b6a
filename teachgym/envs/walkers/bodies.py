"""Walker morphologies selectable at ``make`` time (``body=...``).

Dimensions follow the ALP-GMM paper's code (``leg_size`` ``default``, ``short``,
``quadru``); the long-legged walker (legs 1.5x the default, the mirror of the
short walker's 0.5x) is teachgym's own choice because the reference code that
trained it is not public. Sizes are in pixels (divide by
:data:`~teachgym.envs.walkers.constants.SCALE` for metres).
"""

from __future__ import annotations

from dataclasses import dataclass

from teachgym.envs.walkers.constants import LIDAR_RAYS, SCALE

BIPED_HULL = ((-30, 9), (6, 9), (34, 1), (34, -8), (-30, -8))
QUADRUPED_HULL = ((-46, 13), (6, 13), (50, 5), (50, -12), (-46, -12))


@dataclass(frozen=True)
class BodySpec:
    """One walker morphology.

    Attributes:
        name: the ``body=`` value that selects it.
        hull: hull polygon vertices in pixels, hull centre at the origin.
        leg_width, leg_height: upper-leg box size in pixels (lower legs are 0.8x as wide).
        leg_pairs_x: x offset (metres, in the hull frame) of each hip pair.
        motors_torque: maximum joint torque (N m) at |action| = 1.
        torque_penalty: reward cost per unit of torque fraction and unit of ``motors_torque``.
    """

    name: str
    hull: tuple[tuple[float, float], ...]
    leg_width: float
    leg_height: float
    leg_pairs_x: tuple[float, ...]
    motors_torque: float
    torque_penalty: float

    @property
    def legs(self) -> int:
        """Number of legs (two per pair)."""
        return 2 * len(self.leg_pairs_x)

    @property
    def action_dim(self) -> int:
        """One hip and one knee torque per leg."""
        return 2 * self.legs

    @property
    def observation_dim(self) -> int:
        """4 hull values, 5 per leg (hip angle/speed, knee angle/speed, contact), the lidar."""
        return 4 + 5 * self.legs + LIDAR_RAYS

    @property
    def leg_length_m(self) -> float:
        return self.leg_height / SCALE


BODIES: dict[str, BodySpec] = {
    spec.name: spec
    for spec in (
        BodySpec("bipedal", BIPED_HULL, 8, 34, (0.0,), 80, 0.00035),
        BodySpec("short_legs", BIPED_HULL, 8, 17, (0.0,), 80, 0.00035),
        BodySpec("long_legs", BIPED_HULL, 8, 51, (0.0,), 80, 0.00035),
        BodySpec("quadruped", QUADRUPED_HULL, 10, 51, (-1.2, 0.85), 300, 0.00035 / 8),
    )
}
"""Every body by name; ``bipedal`` is Gymnasium's BipedalWalker."""


def body_spec(name: str) -> BodySpec:
    """The body called ``name``; an unknown name raises ``ValueError`` listing the known ones."""
    if name not in BODIES:
        raise ValueError(f"unknown walker body {name!r}; choose one of {sorted(BODIES)}")
    return BODIES[name]
