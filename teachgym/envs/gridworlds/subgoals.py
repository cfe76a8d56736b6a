"""Oracle subgoals and the predicate that tells whether one has been met.

Source: the LLM-subgoal work ("Words as Beacons", Ruiz-Gonzalez et al., 2024;
docs/references.md [ruizgonzalez2024]): a
subgoal names one cell of the layout and the object on it; it is met when the
agent stands on that cell or the cell's content has changed (key picked up,
door opened, box opened, blocking ball moved away). Every environment of the
family exposes its oracle chain (for example key -> locked door -> ball) as a
list of :class:`Subgoal`; the LLM-subgoal teacher compares its own subgoals with
it and uses the same predicate. The :class:`~teachgym.subgoals.Subgoal` record itself
is the shared vocabulary of :mod:`teachgym.subgoals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from minigrid.core.grid import Grid

from teachgym.subgoals import Subgoal


class GridState(Protocol):
    """What :func:`subgoal_met` reads: any minigrid env (or snapshot) with these attributes."""

    @property
    def grid(self) -> Grid: ...
    @property
    def agent_pos(self) -> Any: ...


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
