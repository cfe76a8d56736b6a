"""The grounded subgoal answer: objects named by id instead of by coordinates.

A small model asked for raw coordinates often names cells that hold nothing. The
grounded template (:data:`GROUNDED_TEMPLATE_VERSION`) enumerates the layout's
objects with ids, kinds, colours and positions, and asks for a list of
``(kind, object id)``::

    Object ids:
      o1 = key red at (1, 1)
      o2 = door grey closed at (2, 1)
      o3 = box yellow at (3, 3)
      o4 = key blue inside box o3 at (3, 3)

    {"subgoals": [{"kind": "pick up", "object": "o1"}, {"kind": "open", "object": "o2"}]}

The answer's JSON schema (:func:`grounded_schema`) restricts ``object`` to the
enumerated ids, so under constrained decoding every parseable answer refers to a
real object; the kind is still checked against the object. Ids follow reading order
(rows from the top, then columns), a box's content right after the box; they carry
no information about the solution.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from teachgym.subgoals import MAX_SUBGOALS, SUBGOAL_KINDS
from teachgym.teachers.llm_subgoal.answer import InvalidAnswerError, check_subgoal, subgoal_items
from teachgym.teachers.llm_subgoal.layout_text import LayoutObject, ParsedLayout

GROUNDED_TEMPLATE_VERSION = "subgoals-grounded-v1"


@dataclass(frozen=True)
class NamedObject:
    """An enumerated object: ``id``, the object, and the box that hides it (if any)."""

    id: str
    obj: LayoutObject
    box: str | None = None

    def line(self) -> str:
        """``"o4 = key blue inside box o3 at (3, 3)"``."""
        state = (
            (" " + ("open", "closed", "locked")[self.obj.state])
            if self.obj.obj_type == "door"
            else ""
        )
        where = f" inside box {self.box}" if self.box else ""
        x, y = self.obj.pos
        return f"{self.id} = {self.obj.obj_type} {self.obj.color}{state}{where} at ({x}, {y})"


def enumerate_objects(layout: ParsedLayout) -> list[NamedObject]:
    """The layout's objects with ids ``o1, o2, ...`` (module docstring)."""
    named: list[NamedObject] = []
    for pos in sorted(layout.objects, key=lambda p: (p[1], p[0])):
        obj = layout.objects[pos]
        box = NamedObject(f"o{len(named) + 1}", obj)
        named.append(box)
        if obj.contains is not None:
            named.append(NamedObject(f"o{len(named) + 1}", obj.contains, box.id))
    return named


def object_table(layout: ParsedLayout) -> str:
    """The ``Object ids:`` block of the grounded prompt."""
    return "Object ids:\n" + "\n".join(f"  {n.line()}" for n in enumerate_objects(layout))


def grounded_schema(layout: ParsedLayout) -> dict[str, Any]:
    """JSON schema of a grounded answer for ``layout``: ids limited to its objects."""
    ids = [n.id for n in enumerate_objects(layout)]
    item = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": list(SUBGOAL_KINDS)},
            "object": {"type": "string", "enum": ids},
        },
        "required": ["kind", "object"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "subgoals": {"type": "array", "minItems": 1, "maxItems": MAX_SUBGOALS, "items": item}
        },
        "required": ["subgoals"],
        "additionalProperties": False,
    }


def parse_grounded_answer(text: str, layout: ParsedLayout) -> list[dict[str, Any]]:
    """Parse and check a grounded answer; returns env subgoal dicts, as
    :func:`~.answer.parse_subgoal_answer` does.

    Raises:
        InvalidAnswerError: if the answer is not JSON of the grounded schema, names an
            unknown id, or a kind that does not fit the object.
    """
    items = subgoal_items(text)
    by_id = {n.id: n for n in enumerate_objects(layout)}
    chain = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"kind", "object"}:
            raise InvalidAnswerError(f"subgoal {i} must be {{'kind', 'object'}}, got {item!r}")
        named = by_id.get(item["object"]) if isinstance(item["object"], str) else None
        if named is None:
            raise InvalidAnswerError(
                f"subgoal {i}: object {item['object']!r} is not one of the ids {sorted(by_id)}"
            )
        obj = named.obj  # a hidden key has its box's cell
        raw = {
            "kind": item["kind"],
            "obj_type": obj.obj_type,
            "color": obj.color,
            "pos": list(obj.pos),
        }
        chain.append(check_subgoal(raw, layout, i))
    return chain


def grounded_answer_text(subgoals: list[dict[str, Any]], layout: ParsedLayout) -> str:
    """The grounded answer for a chain of env subgoal dicts (each must name a listed object)."""
    ids = {(n.obj.obj_type, n.obj.color, n.obj.pos): n.id for n in enumerate_objects(layout)}
    items = [
        {"kind": s["kind"], "object": ids[(s["obj_type"], s["color"], tuple(s["pos"]))]}
        for s in subgoals
    ]
    return json.dumps({"subgoals": items}, sort_keys=True)
