"""A deterministic offline planner: the subgoal chain of a layout from its text alone.

It plays the part of a language model that reads the canonical description (no
model, no network): teachgym's default subgoal source. Method:

1. Read the description (:func:`~.layout_text.parse_layout`); the mission names
   the target object.
2. Find the cheapest route from the agent to the target (Dijkstra, 4-neighbour
   moves): walls and lava are closed, doors cost one step like floor, a cell
   holding another object costs :data:`OBSTACLE_COST` steps (it must be moved).
3. Walk the route. Each closed or locked door is a segment end; a segment
   gives, in order: open the box hiding the door's key (toggles need free
   hands), move the objects blocking the route (pick up and drop), pick up the
   door's key, open the door. Then the remaining blockers and the mission's
   own step (pick up the target, or go to it).

On the family's layouts this reproduces the oracle chains of [ruizgonzalez2024]
(KeyCorridor: key -> locked door -> ball; ObstructedMaze: box -> blocking ball ->
key -> door -> ball; MultiRoom: each door on the path, then the goal).
"""

from __future__ import annotations

import heapq
from typing import Any

from teachgym.teachers.llm_subgoal.layout_text import LayoutObject, ParsedLayout

OBSTACLE_COST = 50
"""Route cost of a cell whose object must be moved out of the way (steps)."""

_MOVES = ((1, 0), (0, 1), (-1, 0), (0, -1))
_PASSABLE = frozenset({"goal", "floor", "door"})


def _subgoal(kind: str, obj: LayoutObject, pos: tuple[int, int] | None = None) -> dict[str, Any]:
    cell = obj.pos if pos is None else pos
    return {
        "kind": kind,
        "obj_type": obj.obj_type,
        "color": obj.color,
        "pos": [cell[0], cell[1]],
        "state": obj.state,
    }


def cheapest_route(layout: ParsedLayout, goal: tuple[int, int]) -> list[tuple[int, int]] | None:
    """Cells from the agent (excluded) to ``goal`` (included), or ``None`` if unreachable."""
    start = layout.agent
    best = {start: 0}
    parent: dict[tuple[int, int], tuple[int, int]] = {}
    frontier = [(0, start)]
    while frontier:
        cost, cell = heapq.heappop(frontier)
        if cell == goal:
            route = [cell]
            while route[-1] in parent and parent[route[-1]] != start:
                route.append(parent[route[-1]])
            return route[::-1]
        if cost > best[cell]:
            continue
        for dx, dy in _MOVES:
            nxt = (cell[0] + dx, cell[1] + dy)
            if not layout.in_bounds(nxt) or nxt in layout.walls:
                continue
            obj = layout.objects.get(nxt)
            step = 1 if obj is None or obj.obj_type in _PASSABLE or nxt == goal else OBSTACLE_COST
            if cost + step < best.get(nxt, cost + step + 1):
                best[nxt] = cost + step
                parent[nxt] = cell
                heapq.heappush(frontier, (cost + step, nxt))
    return None


def _key_steps(layout: ParsedLayout, door: LayoutObject) -> tuple[list[dict[str, Any]], list[Any]]:
    """(box-opening steps, key pick-up steps) that unlock ``door``; empty if no key is listed."""
    for obj in layout.objects.values():
        if obj.obj_type == "key" and obj.color == door.color:
            return [], [_subgoal("pick up", obj)]
    for obj in layout.objects.values():
        inner = obj.contains
        if (
            obj.obj_type == "box"
            and inner
            and inner.obj_type == "key"
            and inner.color == door.color
        ):
            return [_subgoal("open", obj)], [_subgoal("pick up", inner, obj.pos)]
    return [], []


def plan_subgoals(layout: ParsedLayout) -> list[dict[str, Any]]:
    """The subgoal chain of ``layout`` (env subgoal dicts: kind, obj_type, color, pos, state)."""
    verb, target = layout.mission_target()
    route = cheapest_route(layout, target.pos) or [target.pos]
    chain: list[dict[str, Any]] = []
    blockers: list[dict[str, Any]] = []
    keys_taken: set[tuple[int, int]] = set()
    for cell in route[:-1]:
        obj = layout.objects.get(cell)
        if obj is None or obj.obj_type in ("goal", "floor"):
            continue
        if obj.obj_type != "door":
            if cell not in keys_taken:
                blockers.append(_subgoal("move", obj))
            continue
        if obj.state == 0:  # already open
            continue
        boxes, keys = _key_steps(layout, obj) if obj.state == 2 else ([], [])
        keys_taken.update(tuple(k["pos"]) for k in keys)
        blockers = [b for b in blockers if tuple(b["pos"]) not in keys_taken]
        chain += boxes + blockers + keys + [_subgoal("open", obj)]
        blockers = []
    chain += blockers
    chain.append(_subgoal(verb, target))
    return chain
