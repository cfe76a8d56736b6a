"""Read the canonical text description of a grid layout back into plain data.

The MiniGrid family describes every layout with the same canonical text (the
environment's ``describe()``)::

    grid: 7 x 3 cells (width x height); x counts columns from the left, y rows from the top
    mission: pick up the blue ball
    agent: at (3, 1) facing north, carrying nothing
    map:
      #######
      #KD^DA#
      #######
    legend: # wall, . empty, ~ lava, D door, K key, A ball, B box, G goal, F floor; agent > v < ^
    objects:
      - key red at (1, 1)
      - door grey closed at (2, 1)
      - door red locked at (4, 1)
      - ball blue at (5, 1)

This module knows that text format only (no environment import: the teachers
layer never imports ``teachgym.envs``). The planner plans on a
:class:`ParsedLayout` and the answer parser checks subgoals against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from teachgym.subgoals import COLORS, DESCRIBED_OBJECT_TYPES, STATES

WALL_SYMBOLS = frozenset("#~")
"""Map symbols the agent can never enter (wall, lava)."""

_AGENT_SYMBOLS = {">": 0, "v": 1, "<": 2, "^": 3}
_GRID = re.compile(r"^grid: (\d+) x (\d+) cells")
_AGENT = re.compile(r"^agent: at \((\d+), (\d+)\) facing (east|south|west|north), carrying (.+)$")
_OBJECT = re.compile(r"^  - (.+) at \((\d+), (\d+)\)$")
_MISSION = re.compile(r"^(pick up|go to|get to) the (\w+) (\w+)(?: square)?$")


class LayoutParseError(ValueError):
    """The text is not a canonical layout description; the message says which line and why."""


@dataclass(frozen=True)
class LayoutObject:
    """One object of a layout.

    Attributes:
        obj_type: one of :data:`teachgym.subgoals.DESCRIBED_OBJECT_TYPES`.
        color: one of :data:`teachgym.subgoals.COLORS`.
        pos: cell ``(x, y)``.
        state: door state code (0 open, 1 closed, 2 locked); 0 for other objects.
        contains: what a box holds, if anything.
    """

    obj_type: str
    color: str
    pos: tuple[int, int]
    state: int = 0
    contains: LayoutObject | None = None


@dataclass
class ParsedLayout:
    """A layout read from its canonical description.

    Attributes:
        width, height: grid size (cells).
        mission: the mission sentence.
        agent: agent cell ``(x, y)``.
        walls: cells the agent can never enter (walls and lava).
        objects: every listed object, by cell.
    """

    width: int
    height: int
    mission: str
    agent: tuple[int, int]
    walls: frozenset[tuple[int, int]]
    objects: dict[tuple[int, int], LayoutObject] = field(default_factory=dict)

    def in_bounds(self, pos: tuple[int, int]) -> bool:
        return 0 <= pos[0] < self.width and 0 <= pos[1] < self.height

    def mission_target(self) -> tuple[str, LayoutObject]:
        """(verb ``"pick up"`` or ``"go to"``, the object the mission names).

        Raises:
            LayoutParseError: if the mission is not understood or its object is absent.
        """
        match = _MISSION.match(self.mission)
        if match is None:
            raise LayoutParseError(f"mission {self.mission!r} is not 'pick up/go to the C T'")
        verb = "pick up" if match.group(1) == "pick up" else "go to"
        color, obj_type = match.group(2), match.group(3)
        for obj in self.objects.values():
            if obj.obj_type == obj_type and obj.color == color:
                return verb, obj
        raise LayoutParseError(f"the mission names a {color} {obj_type} that the layout lacks")


def _parse_object(words: str, pos: tuple[int, int], line: str) -> LayoutObject:
    inner = None
    if " containing " in words:
        words, content = words.split(" containing ", 1)
        inner = _parse_object(content, pos, line)
    parts = words.split()
    if len(parts) not in (2, 3) or parts[0] not in DESCRIBED_OBJECT_TYPES or parts[1] not in COLORS:
        raise LayoutParseError(f"object line {line!r}: expected 'TYPE COLOUR [STATE]'")
    state = 0
    if len(parts) == 3:
        if parts[0] != "door" or parts[2] not in STATES:
            raise LayoutParseError(f"object line {line!r}: only doors have a state")
        state = STATES.index(parts[2])
    return LayoutObject(parts[0], parts[1], pos, state, inner)


def parse_layout(text: str) -> ParsedLayout:
    """Parse a canonical description (see the module docstring).

    Raises:
        LayoutParseError: naming the first line that does not fit the format.
    """
    if not isinstance(text, str):
        raise LayoutParseError(f"a layout description is text, got {type(text).__name__}")
    lines = text.split("\n")
    if len(lines) < 6:
        raise LayoutParseError("a layout description has at least 6 lines (grid .. objects)")
    grid = _GRID.match(lines[0])
    agent = _AGENT.match(lines[2])
    if grid is None:
        raise LayoutParseError(f"line 1 {lines[0]!r} should start 'grid: W x H cells'")
    if not lines[1].startswith("mission: "):
        raise LayoutParseError(f"line 2 {lines[1]!r} should start 'mission: '")
    if agent is None:
        raise LayoutParseError(f"line 3 {lines[2]!r} should read 'agent: at (x, y) facing ...'")
    if lines[3] != "map:":
        raise LayoutParseError(f"line 4 {lines[3]!r} should be 'map:'")
    width, height = int(grid.group(1)), int(grid.group(2))
    rows = lines[4 : 4 + height]
    if len(rows) != height or any(len(r) != width + 2 or not r.startswith("  ") for r in rows):
        raise LayoutParseError(f"the map should have {height} rows of {width} cells")
    walls = frozenset(
        (x, y) for y, row in enumerate(rows) for x, c in enumerate(row[2:]) if c in WALL_SYMBOLS
    )
    rest = lines[4 + height :]
    if len(rest) < 2 or not rest[0].startswith("legend:"):
        raise LayoutParseError("the map should be followed by the 'legend:' line")
    objects: dict[tuple[int, int], LayoutObject] = {}
    if rest[1] != "objects: none":
        if rest[1] != "objects:":
            raise LayoutParseError(f"line {rest[1]!r} should be 'objects:' or 'objects: none'")
        for line in rest[2:]:
            match = _OBJECT.match(line)
            if match is None:
                raise LayoutParseError(f"object line {line!r} should read '  - ... at (x, y)'")
            pos = (int(match.group(2)), int(match.group(3)))
            if not (0 <= pos[0] < width and 0 <= pos[1] < height):
                raise LayoutParseError(f"object line {line!r} lies outside the grid")
            objects[pos] = _parse_object(match.group(1), pos, line)
    agent_pos = (int(agent.group(1)), int(agent.group(2)))
    inside = agent_pos[0] < width and agent_pos[1] < height
    if not inside or rows[agent_pos[1]][2 + agent_pos[0]] not in _AGENT_SYMBOLS:
        raise LayoutParseError(f"the map does not show the agent at {agent_pos}")
    return ParsedLayout(width, height, lines[1][len("mission: ") :], agent_pos, walls, objects)
