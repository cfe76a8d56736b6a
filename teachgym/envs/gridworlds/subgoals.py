"""Oracle subgoals and the predicate that tells whether one has been met.

Source: the LLM-subgoal work ("Words as Beacons", Ruiz-Gonzalez et al., 2024;
docs/references.md [ruizgonzalez2024]): a
subgoal names one cell of the layout and the object on it; it is met when the
agent stands on that cell or the cell's content has changed (key picked up,
door opened, box opened, blocking ball moved away). Every environment of the
family exposes its oracle chain (for example key -> locked door -> ball) as a
list of :class:`Subgoal`; the LLM-subgoal teacher compares its own subgoals with
it and uses the same predicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from minigrid.core.constants import COLOR_TO_IDX, OBJECT_TO_IDX
from minigrid.core.grid import Grid

SUBGOAL_KINDS: tuple[str, ...] = ("go to", "pick up", "open", "move")
"""What the agent does with the subgoal's object: stand on it, pick it up, open
it (a door, or a box to reveal its content), move it out of the way."""

STATES: tuple[str, ...] = ("open", "closed", "locked")
"""Minigrid's state encoding (index = code) of doors; other objects have state 0."""


class GridState(Protocol):
    """What :func:`subgoal_met` reads: any minigrid env (or snapshot) with these attributes."""

    @property
    def grid(self) -> Grid: ...
    @property
    def agent_pos(self) -> Any: ...


@dataclass(frozen=True)
class Subgoal:
    """One step of an oracle chain.

    Attributes:
        kind: one of :data:`SUBGOAL_KINDS`.
        obj_type: minigrid object type on the cell when the chain was made ("key", "door", ...).
        color: its minigrid colour name.
        pos: grid cell ``(x, y)``; x counts columns from the left, y rows from the top.
        state: its minigrid state code then (doors: 0 open, 1 closed, 2 locked; else 0).
    """

    kind: str
    obj_type: str
    color: str
    pos: tuple[int, int]
    state: int = 0

    def __post_init__(self) -> None:
        if self.kind not in SUBGOAL_KINDS:
            raise ValueError(f"subgoal kind must be one of {SUBGOAL_KINDS}, got {self.kind!r}")
        if self.obj_type not in OBJECT_TO_IDX or self.color not in COLOR_TO_IDX:
            raise ValueError(f"unknown subgoal object {self.color!r} {self.obj_type!r}")
        if not 0 <= self.state < len(STATES):
            raise ValueError(f"subgoal state must be 0, 1 or 2, got {self.state!r}")

    @property
    def code(self) -> tuple[int, int, int]:
        """The minigrid encoding (type, colour, state) the cell held."""
        return (OBJECT_TO_IDX[self.obj_type], COLOR_TO_IDX[self.color], self.state)

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


def subgoal_for(kind: str, grid: Grid, pos: tuple[int, int]) -> Subgoal:
    """The subgoal of ``kind`` on the object currently at ``pos`` in ``grid``."""
    obj = grid.get(*pos)
    if obj is None:
        raise ValueError(f"no object at {pos} to make a {kind!r} subgoal from")
    return Subgoal(kind, obj.type, obj.color, (int(pos[0]), int(pos[1])), obj.encode()[2])


def subgoal_met(state: GridState, subgoal: Subgoal) -> bool:
    """True if the agent stands on the subgoal's cell or that cell's content has changed."""
    x, y = subgoal.pos
    if int(state.agent_pos[0]) == x and int(state.agent_pos[1]) == y:
        return True
    obj = state.grid.get(x, y)
    return obj is None or tuple(int(v) for v in obj.encode()) != subgoal.code


def chain_progress(state: GridState, chain: Sequence[Subgoal], done: int = 0) -> int:
    """How many subgoals of ``chain`` are met in order, starting after the first ``done``.

    Walks forward from ``done`` while the next subgoal is met, so a caller that
    checks every step advances through the chain in order, once per subgoal.
    """
    while done < len(chain) and subgoal_met(state, chain[done]):
        done += 1
    return done
