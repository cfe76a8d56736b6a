"""New tasks from failed ones, written by a language model (the ``webrl`` teacher's
``generator="llm"``).

WebRL's generator shows a model up to ten tasks the agent failed and asks for new
ones of similar difficulty, more diverse (docs/references.md [qi2024webrl]). Here the
"tasks" are task-space parameters: the question (:func:`variations_source`, template
:data:`~teachgym.teachers.llm_subgoal.prompt.VARIATIONS_TEMPLATE_VERSION`) lists the task
space and the failed tasks as JSON, one per line, and asks for
``{"tasks": [{...}, ...]}``. The answer is data: decoded as JSON and each task
validated against the task space, never executed. An answer that is not that object
(malformed JSON, an empty reply, other keys, no list) is an invalid answer; a task in
it that the space refuses (a value out of range, a wrong or missing key) is an invalid
task; both are counted and dropped, as are backend failures, and none stops the run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.tasks import LEVEL_SEED, Fixed, Task, TaskSpace
from teachgym.teachers.llm_subgoal.answer import InvalidAnswerError, decode_json_object
from teachgym.teachers.llm_subgoal.backends import BackendError
from teachgym.teachers.llm_subgoal.factory import make_backend
from teachgym.teachers.llm_subgoal.prompt import variations_query
from teachgym.teachers.llm_subgoal.task_summary import task_schema
from teachgym.teachers.mutations import new_level_seed

logger = logging.getLogger(__name__)

VARIATION_BACKENDS: tuple[str, ...] = ("openai", "llama-cpp")
"""Backends that write task variations (the offline planner does not)."""

COUNT_KEYS: tuple[str, ...] = (
    "queries",
    "backend_errors",
    "invalid_answers",
    "valid_tasks",
    "invalid_tasks",
)


def variations_schema(task_space: TaskSpace) -> dict[str, Any]:
    """JSON schema of an answer ``{"tasks": [task, ...]}`` for ``task_space``."""
    task = task_schema(task_space)["properties"]["task"]
    return {
        "type": "object",
        "properties": {"tasks": {"type": "array", "items": task}},
        "required": ["tasks"],
        "additionalProperties": False,
    }


def variations_source(task_space: TaskSpace, failed: Sequence[Mapping[str, Any]]) -> str:
    """The canonical text the question is built from: the task space, then the failed
    tasks (without ``level_seed``) as sorted JSON, one per line."""
    lines = ["task space:", *(f"  - {line}" for line in task_space.describe())]
    lines.append("tasks the student failed:")
    for task in failed:
        shown = {k: v for k, v in task.items() if k != LEVEL_SEED}
        lines.append(f"  {json.dumps(shown, sort_keys=True)}")
    return "\n".join(lines)


def parse_variations_answer(text: str, task_space: TaskSpace) -> tuple[list[Task], int]:
    """The valid tasks of an answer ``{"tasks": [...]}`` and the number of invalid ones.

    Each valid task is canonical, without ``level_seed``, and with every
    :class:`~teachgym.tasks.Fixed` parameter at the value teachers hold it at.

    Raises:
        InvalidAnswerError: if the answer is not that JSON object with a non-empty list.
    """
    data = decode_json_object(text)
    if set(data) != {"tasks"}:
        raise InvalidAnswerError(
            f"the answer must have exactly the key 'tasks', got {sorted(data)}"
        )
    items = data["tasks"]
    if not isinstance(items, list) or not items:
        raise InvalidAnswerError("'tasks' must be a non-empty list of tasks")
    tasks, invalid = [], 0
    for item in items:
        try:
            task = task_space.validate(item)
        except ValueError as exc:
            invalid += 1
            logger.info("webrl: a proposed task is invalid: %s", exc)
            continue
        task.pop(LEVEL_SEED, None)
        for name, parameter in task_space.parameters.items():
            if isinstance(parameter, Fixed) and name in task:
                task[name] = float(parameter.value)
        tasks.append(task)
    return tasks, invalid


class LLMVariations:
    """Asks a backend for new tasks made from failed ones (module docstring).

    Args:
        task_space: the space tasks must be valid in.
        backend: one of :data:`VARIATION_BACKENDS`.
        backend_options: the backend's constructor options (no secrets: ``openai`` reads
            its key from the variable named by ``api_key_env``).

    Attributes:
        counts: questions, backend errors, invalid answers, valid and invalid tasks.
    """

    def __init__(
        self, task_space: TaskSpace, backend: str, backend_options: Mapping[str, Any]
    ) -> None:
        if backend not in VARIATION_BACKENDS:
            raise ValueError(
                f"the language-model generator needs a backend among {VARIATION_BACKENDS}, "
                f"got {backend!r} (generator='mutate' is the offline one)"
            )
        self.task_space = task_space
        self.backend = make_backend(backend, **dict(backend_options))
        self.schema = variations_schema(task_space)
        self.counts = dict.fromkeys(COUNT_KEYS, 0)

    def generate(self, seeds: Sequence[Task], n_tasks: int, rng: np.random.Generator) -> list[Task]:
        """Up to ``n_tasks`` valid new tasks, each with a fresh ``level_seed``; empty when the
        backend fails or the answer is unusable (counted)."""
        query = variations_query(variations_source(self.task_space, seeds), n_tasks, self.schema)
        self.counts["queries"] += 1
        try:
            answer = self.backend.complete(query)
        except BackendError as exc:
            self.counts["backend_errors"] += 1
            logger.info("webrl: the backend failed (%s)", exc)
            return []
        try:
            tasks, invalid = parse_variations_answer(answer, self.task_space)
        except InvalidAnswerError as exc:
            self.counts["invalid_answers"] += 1
            logger.info("webrl: unusable answer: %s", exc)
            return []
        tasks = tasks[:n_tasks]
        self.counts["invalid_tasks"] += invalid
        self.counts["valid_tasks"] += len(tasks)
        return [{**task, LEVEL_SEED: new_level_seed(rng)} for task in tasks]
