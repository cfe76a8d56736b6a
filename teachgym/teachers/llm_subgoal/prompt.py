"""Versioned prompt templates: what a language model is asked, built from canonical text.

A :class:`Query` is everything a backend needs: the system and user messages,
the JSON schema of the answer, and the canonical input text (a layout
description, or a summary of the student's results) from which offline backends
derive their answer. The template version is part of every cache key, so
changing a template never reuses answers given to the old one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from teachgym.subgoals import SUBGOAL_KINDS, SUBGOAL_SCHEMA
from teachgym.teachers.llm_subgoal.grounded import (
    GROUNDED_TEMPLATE_VERSION,
    grounded_schema,
    object_table,
)
from teachgym.teachers.llm_subgoal.layout_text import parse_layout

SUBGOAL_TEMPLATE_VERSION = "subgoals-v1"
"""Subgoals as (kind, object type, colour, cell [x, y])."""
SUBGOAL_TEMPLATES: tuple[str, ...] = (SUBGOAL_TEMPLATE_VERSION, GROUNDED_TEMPLATE_VERSION)
"""Subgoal templates: coordinates (``subgoals-v1``), or enumerated object ids
(``subgoals-grounded-v1``, :mod:`.grounded`)."""
TASK_TEMPLATE_VERSION = "task-v1"
VARIATIONS_TEMPLATE_VERSION = "task-variations-v1"
"""New tasks from failed ones (the ``webrl`` teacher's language-model generator)."""

QueryKind = Literal["subgoals", "task", "variations"]


@dataclass(frozen=True)
class Query:
    """One question to a backend.

    Attributes:
        kind: ``"subgoals"`` (a chain for a layout), ``"task"`` (the next task parameters) or
            ``"variations"`` (new tasks made from failed ones).
        template_version: the template that produced the messages.
        system, user: the chat messages.
        schema: JSON schema the answer must follow.
        source_text: the canonical input (layout description or results summary).
        reference: the oracle chain, for backends that corrupt it (``noisy-oracle``).
    """

    kind: QueryKind
    template_version: str
    system: str
    user: str
    schema: dict[str, Any]
    source_text: str
    reference: tuple[dict[str, Any], ...] | None = field(default=None, compare=False)


_SUBGOAL_SYSTEM = (
    "You plan subgoals for an agent in a MiniGrid world. The agent can turn, move forward, "
    "pick up one object at a time, drop it, and toggle (open) doors and boxes; a locked door "
    "opens only while the agent carries the key of its colour. Reply with one JSON object "
    "that follows this JSON schema, and nothing else:\n"
)


def subgoal_query(
    description: str,
    reference: list[dict[str, Any]] | None = None,
    template: str = SUBGOAL_TEMPLATE_VERSION,
) -> Query:
    """The subgoal question for a layout's canonical ``description``.

    Args:
        description: the environment's canonical layout text.
        reference: the oracle chain (for the ``noisy-oracle`` backend; never shown).
        template: one of :data:`SUBGOAL_TEMPLATES`.

    Raises:
        ValueError: for an unknown template.
    """
    kinds = ", ".join(SUBGOAL_KINDS)
    if template == SUBGOAL_TEMPLATE_VERSION:
        schema = SUBGOAL_SCHEMA
        user = (
            "Layout:\n"
            f"{description}\n\n"
            "List, in order, the subgoals the agent should reach to accomplish the mission. "
            f"Each subgoal names one object listed above: kind (one of {kinds}), "
            "obj_type, color and pos [x, y]. A key hidden in a box is named at the box's cell. "
            'Answer as {"subgoals": [...]}.'
        )
    elif template == GROUNDED_TEMPLATE_VERSION:
        layout = parse_layout(description)
        schema = grounded_schema(layout)
        user = (
            "Layout:\n"
            f"{description}\n\n"
            f"{object_table(layout)}\n\n"
            "List, in order, the subgoals the agent should reach to accomplish the mission. "
            f"Each subgoal is a kind (one of {kinds}) and the id of one object above. A key "
            "inside a box is picked up after the box is opened. "
            'Answer as {"subgoals": [{"kind": ..., "object": ...}, ...]}.'
        )
    else:
        raise ValueError(f"subgoal template must be one of {SUBGOAL_TEMPLATES}, got {template!r}")
    return Query(
        kind="subgoals",
        template_version=template,
        system=_SUBGOAL_SYSTEM + json.dumps(schema),
        user=user,
        schema=schema,
        source_text=description,
        reference=None if reference is None else tuple(reference),
    )


_TASK_SYSTEM = (
    "You design a training curriculum for a reinforcement-learning student. Given its recent "
    "results per region of the task space, propose the next task: one the student is close "
    "to mastering (success neither near 0 nor near 1), or an unexplored region. Reply with "
    "one JSON object that follows this JSON schema, and nothing else:\n"
)


def task_query(summary: str, schema: dict[str, Any]) -> Query:
    """The task-proposal question for a results ``summary`` (see :mod:`.task_summary`)."""
    user = f'{summary}\n\nPropose the next task. Answer as {{"task": {{...}}}}.'
    return Query(
        kind="task",
        template_version=TASK_TEMPLATE_VERSION,
        system=_TASK_SYSTEM + json.dumps(schema),
        user=user,
        schema=schema,
        source_text=summary,
    )


_VARIATIONS_SYSTEM = (
    "You write training tasks for a reinforcement-learning student. A task is one value "
    "for each parameter of the task space. You are shown tasks the student failed. Write "
    "new tasks inspired by them: of about the same difficulty (a little easier or harder "
    "is fine), but more diverse than the tasks shown, each value within its parameter's "
    "range. Reply with one JSON object that follows this JSON schema, and nothing else:\n"
)


def variations_query(source_text: str, n_tasks: int, schema: dict[str, Any]) -> Query:
    """The question for ``n_tasks`` new tasks; ``source_text`` lists the task space and the
    failed tasks (:func:`teachgym.teachers.llm_variations.variations_source`)."""
    user = f'{source_text}\n\nWrite {n_tasks} new tasks. Answer as {{"tasks": [{{...}}, ...]}}.'
    return Query(
        kind="variations",
        template_version=VARIATIONS_TEMPLATE_VERSION,
        system=_VARIATIONS_SYSTEM + json.dumps(schema),
        user=user,
        schema=schema,
        source_text=source_text,
    )
