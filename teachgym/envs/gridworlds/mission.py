"""Missions of the MiniGrid family and their fixed-length integer encoding.

Every environment of the family states its mission as ``verb object colour``
("get to the green goal square", "pick up the blue ball"). The observation
carries it as three integers (verb index, minigrid object index, minigrid colour
index), so the observation space is the same for every task and every id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces
from minigrid.core.constants import COLOR_TO_IDX, OBJECT_TO_IDX

VERBS: tuple[str, ...] = ("go to", "pick up")
"""Mission verbs, in encoding order."""


@dataclass(frozen=True)
class Mission:
    """What the agent must do: ``verb`` (one of :data:`VERBS`) the ``color`` ``obj_type``."""

    verb: str
    obj_type: str
    color: str

    def __post_init__(self) -> None:
        if self.verb not in VERBS:
            raise ValueError(f"mission verb must be one of {VERBS}, got {self.verb!r}")
        if self.obj_type not in OBJECT_TO_IDX or self.color not in COLOR_TO_IDX:
            raise ValueError(f"unknown mission object {self.color!r} {self.obj_type!r}")

    @property
    def text(self) -> str:
        """The minigrid-style mission sentence."""
        if self.verb == "go to" and self.obj_type == "goal":
            return f"get to the {self.color} goal square"
        return f"{self.verb} the {self.color} {self.obj_type}"

    def encode(self) -> np.ndarray:
        """int64 array of shape (3,): verb, object type and colour indices."""
        return np.array(
            [VERBS.index(self.verb), OBJECT_TO_IDX[self.obj_type], COLOR_TO_IDX[self.color]],
            dtype=np.int64,
        )


GOAL_MISSION = Mission("go to", "goal", "green")


def mission_space() -> spaces.MultiDiscrete:
    """The observation space of :meth:`Mission.encode`."""
    return spaces.MultiDiscrete([len(VERBS), len(OBJECT_TO_IDX), len(COLOR_TO_IDX)])
