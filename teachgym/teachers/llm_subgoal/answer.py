"""The strict parser of subgoal answers.

A model's answer is data: it is decoded with ``json.loads`` and checked field by
field, never evaluated. The schema is the shared one of :mod:`teachgym.subgoals`
(:data:`~teachgym.subgoals.SUBGOAL_SCHEMA`, version
:data:`~teachgym.subgoals.ANSWER_SCHEMA_VERSION`)::

    {"subgoals": [
        {"kind": "pick up", "obj_type": "key", "color": "red", "pos": [1, 1]},
        {"kind": "open", "obj_type": "door", "color": "red", "pos": [4, 1]},
        {"kind": "pick up", "obj_type": "ball", "color": "blue", "pos": [5, 1]}
    ]}

``kind`` is one of :data:`~teachgym.subgoals.SUBGOAL_KINDS`; ``pos`` is ``[x, y]`` (x from the left,
y from the top). Every subgoal is checked against the layout: in bounds, an
object of that type and colour on that cell (a key may also be named on the cell
of a box that holds it), and a kind that fits the object. The parsed subgoals are
plain dicts in the environment's subgoal format (``kind, obj_type, color, pos,
state``), ``state`` taken from the layout.
"""

from __future__ import annotations

import json
from typing import Any

from teachgym.subgoals import KIND_OBJECTS, MAX_SUBGOALS, SUBGOAL_KINDS
from teachgym.teachers.llm_subgoal.layout_text import ParsedLayout


class InvalidAnswerError(ValueError):
    """A model's answer does not fit the schema or the layout; the message says why."""


def _strip_fence(text: str) -> str:
    """Drop one surrounding Markdown code fence (```json ... ```), which chat models add."""
    body = text.strip()
    if body.startswith("```") and body.endswith("```") and body.count("```") == 2:
        body = body[3:-3]
        if body.startswith("json"):
            body = body[4:]
    return body.strip()


def decode_json_object(text: str) -> dict[str, Any]:
    """Decode an answer that must be one JSON object.

    Raises:
        InvalidAnswerError: if it is not JSON or not an object.
    """
    if not isinstance(text, str):
        raise InvalidAnswerError(f"the answer must be text, got {type(text).__name__}")
    try:
        data = json.loads(_strip_fence(text))
    except json.JSONDecodeError as exc:
        raise InvalidAnswerError(f"the answer is not valid JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(data, dict):
        raise InvalidAnswerError(f"the answer must be a JSON object, got {type(data).__name__}")
    return data


def check_subgoal(item: Any, layout: ParsedLayout, index: int) -> dict[str, Any]:
    """One subgoal of an answer, checked against ``layout``; returns the env's dict format."""
    where = f"subgoal {index}"
    if not isinstance(item, dict):
        raise InvalidAnswerError(f"{where} must be an object, got {item!r}")
    extra = sorted(set(item) - {"kind", "obj_type", "color", "pos"})
    missing = sorted({"kind", "obj_type", "color", "pos"} - set(item))
    if extra or missing:
        raise InvalidAnswerError(f"{where}: unknown fields {extra}, missing fields {missing}")
    kind, obj_type, color, pos = item["kind"], item["obj_type"], item["color"], item["pos"]
    if kind not in SUBGOAL_KINDS:
        raise InvalidAnswerError(f"{where}: kind {kind!r} is not one of {SUBGOAL_KINDS}")
    if (
        not isinstance(pos, list)
        or len(pos) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in pos)
    ):
        raise InvalidAnswerError(f"{where}: pos must be [x, y] integers, got {pos!r}")
    cell = (pos[0], pos[1])
    if not layout.in_bounds(cell):
        raise InvalidAnswerError(
            f"{where}: pos {list(cell)} is outside the {layout.width} x {layout.height} grid"
        )
    obj = layout.objects.get(cell)
    named = obj
    if obj is not None and obj.obj_type == "box" and obj_type == "key" and obj.contains:
        named = obj.contains  # a hidden key is named on its box's cell
    if named is None or named.obj_type != obj_type or named.color != color:
        found = "nothing" if obj is None else f"a {obj.color} {obj.obj_type}"
        raise InvalidAnswerError(
            f"{where}: no {color} {obj_type} at {list(cell)} (the layout has {found} there)"
        )
    if obj_type not in KIND_OBJECTS[kind]:
        raise InvalidAnswerError(f"{where}: cannot {kind!r} a {obj_type}")
    state = named.state if named is obj else 0
    return {"kind": kind, "obj_type": obj_type, "color": color, "pos": list(cell), "state": state}


def parse_subgoal_answer(text: str, layout: ParsedLayout) -> list[dict[str, Any]]:
    """Parse and check an answer (see the module docstring).

    Raises:
        InvalidAnswerError: if the answer is not JSON of the schema, is empty or too
            long, or names a subgoal the layout does not have.
    """
    return [check_subgoal(item, layout, i) for i, item in enumerate(subgoal_items(text))]


def subgoal_items(text: str) -> list[Any]:
    """The list of an answer ``{"subgoals": [...]}`` (1 to ``MAX_SUBGOALS`` items, unchecked).

    Raises:
        InvalidAnswerError: if the answer is not that JSON object.
    """
    data = decode_json_object(text)
    if set(data) != {"subgoals"}:
        raise InvalidAnswerError(
            f"the answer must have exactly the key 'subgoals', got {sorted(data)}"
        )
    items = data["subgoals"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_SUBGOALS:
        raise InvalidAnswerError(f"'subgoals' must be a list of 1 to {MAX_SUBGOALS} subgoals")
    return items


def answer_text(subgoals: list[dict[str, Any]]) -> str:
    """The canonical JSON answer for a chain (``state`` dropped: the layout supplies it)."""
    items = [
        {"kind": s["kind"], "obj_type": s["obj_type"], "color": s["color"], "pos": list(s["pos"])}
        for s in subgoals
    ]
    return json.dumps({"subgoals": items}, sort_keys=True)


def chain_accuracy(proposed: list[dict[str, Any]], reference: list[dict[str, Any]]) -> float:
    """Fraction of positions where two chains name the same subgoal (kind, object, cell).

    Divided by the longer chain's length, so missing and extra steps both count as errors.
    """

    def key(s: dict[str, Any]) -> tuple[Any, ...]:
        return (s["kind"], s["obj_type"], s["color"], tuple(s["pos"]))

    longest = max(len(proposed), len(reference))
    if longest == 0:
        return 1.0
    same = sum(key(a) == key(b) for a, b in zip(proposed, reference, strict=False))
    return same / longest
