"""The subgoal vocabulary shared by gridworlds, subgoal teachers and the subgoal wrapper.

Source: the LLM-subgoal work ("Words as Beacons", Ruiz-Gonzalez et al., 2024;
docs/references.md [ruizgonzalez2024]): a subgoal names one cell of a gridworld
layout and the object on it. This module is plain data (no environment library):
the gridworlds (:mod:`teachgym.envs.gridworlds.subgoals`) tell whether a subgoal is
met, teachers propose subgoals as dicts in the answer schema
(:data:`SUBGOAL_SCHEMA`, checked by :mod:`teachgym.teachers.llm_subgoal.answer`), and
:class:`~teachgym.subgoal_wrapper.SubgoalWrapper` shows them to the agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUBGOAL_KINDS: tuple[str, ...] = ("go to", "pick up", "open", "move")
"""What the agent does with the subgoal's object: stand on it, pick it up, open
it (a door, or a box to reveal its content), move it out of the way."""

OBJECT_TYPES: tuple[str, ...] = (
    "unseen",
    "empty",
    "wall",
    "floor",
    "door",
    "key",
    "ball",
    "box",
    "goal",
    "lava",
    "agent",
)
"""Object types of the MiniGrid encoding, in its order (index = type code)."""

COLORS: tuple[str, ...] = ("red", "green", "blue", "purple", "yellow", "grey")
"""Colours of the MiniGrid encoding, in its order (index = colour code)."""

STATES: tuple[str, ...] = ("open", "closed", "locked")
"""MiniGrid's state encoding (index = code) of doors; other objects have state 0."""

DESCRIBED_OBJECT_TYPES: tuple[str, ...] = (
    "door",
    "key",
    "ball",
    "box",
    "goal",
    "floor",
    "lava",
    "wall",
)
"""Object types a layout's canonical text description names (and an answer may name)."""

KIND_OBJECTS: dict[str, frozenset[str]] = {
    "go to": frozenset({"goal", "key", "ball", "box", "door", "floor"}),
    "pick up": frozenset({"key", "ball", "box"}),
    "open": frozenset({"door", "box"}),
    "move": frozenset({"key", "ball", "box"}),
}
"""Object types each kind of subgoal can name."""

MAX_SUBGOALS = 16
"""Longest chain an answer may give (the family's oracle chains have at most 7 steps)."""

ANSWER_SCHEMA_VERSION = 1
"""Version of :data:`SUBGOAL_SCHEMA`; bumped whenever the answer format changes."""

SUBGOAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "subgoals": {
            "type": "array",
            "maxItems": MAX_SUBGOALS,
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(SUBGOAL_KINDS)},
                    "obj_type": {"type": "string", "enum": list(DESCRIBED_OBJECT_TYPES)},
                    "color": {"type": "string", "enum": list(COLORS)},
                    "pos": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
                "required": ["kind", "obj_type", "color", "pos"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["subgoals"],
    "additionalProperties": False,
}
"""JSON schema of a subgoal answer, ``{"subgoals": [{"kind", "obj_type", "color",
"pos": [x, y]}, ...]}`` (sent to servers that support constrained decoding)."""


@dataclass(frozen=True)
class Subgoal:
    """One step of a subgoal chain.

    Attributes:
        kind: one of :data:`SUBGOAL_KINDS`.
        obj_type: object type on the cell when the chain was made (one of :data:`OBJECT_TYPES`).
        color: its colour (one of :data:`COLORS`).
        pos: grid cell ``(x, y)``; x counts columns from the left, y rows from the top.
        state: its state code then (doors: 0 open, 1 closed, 2 locked; else 0).
    """

    kind: str
    obj_type: str
    color: str
    pos: tuple[int, int]
    state: int = 0

    def __post_init__(self) -> None:
        if self.kind not in SUBGOAL_KINDS:
            raise ValueError(f"subgoal kind must be one of {SUBGOAL_KINDS}, got {self.kind!r}")
        if self.obj_type not in OBJECT_TYPES or self.color not in COLORS:
            raise ValueError(f"unknown subgoal object {self.color!r} {self.obj_type!r}")
        if not 0 <= self.state < len(STATES):
            raise ValueError(f"subgoal state must be 0, 1 or 2, got {self.state!r}")

    @property
    def code(self) -> tuple[int, int, int]:
        """The MiniGrid encoding (type, colour, state) the cell held."""
        return (OBJECT_TYPES.index(self.obj_type), COLORS.index(self.color), self.state)

    def describe(self) -> str:
        """A short instruction, e.g. ``"open the yellow door at (5, 2)"``."""
        return f"{self.kind} the {self.color} {self.obj_type} at ({self.pos[0]}, {self.pos[1]})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; :meth:`from_dict` inverts it."""
        return {
            "kind": self.kind,
            "obj_type": self.obj_type,
            "color": self.color,
            "pos": list(self.pos),
            "state": self.state,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Subgoal:
        try:
            pos = (int(data["pos"][0]), int(data["pos"][1]))
            return cls(data["kind"], data["obj_type"], data["color"], pos, int(data["state"]))
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(
                f"a subgoal needs kind, obj_type, color, pos [x, y] and state; got {data!r} ({exc})"
            ) from None
