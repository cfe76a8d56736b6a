"""The LLM-subgoal teacher: an ordered, checked subgoal chain for each layout.

Source: "Words as Beacons" (Ruiz-Gonzalez et al., 2024; docs/references.md
[ruizgonzalez2024]): the teacher reads the text
description of a layout, asks a language model once per layout (cached) for an
ordered list of subgoals, and the student is guided by them during training only.

Flow of :meth:`SubgoalTeacher.propose`: cache -> backend -> strict parser
(:func:`~.answer.parse_subgoal_answer`, checked against the layout). An answer
that fails parsing or checking, or a backend that fails, falls back to the
offline planner; both are counted (:meth:`SubgoalTeacher.diagnostics`). The
answer is data: decoded as JSON and checked, never executed.

This module reasons over text and plain-dict subgoals only; the wrapper that
applies the chain to an environment lives in :mod:`teachgym.subgoal_wrapper`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teachgym.teachers.llm_subgoal.answer import (
    InvalidAnswerError,
    chain_accuracy,
    parse_subgoal_answer,
)
from teachgym.teachers.llm_subgoal.backends import Backend, BackendError
from teachgym.teachers.llm_subgoal.cache import AnswerCache
from teachgym.teachers.llm_subgoal.factory import make_backend
from teachgym.teachers.llm_subgoal.layout_text import parse_layout
from teachgym.teachers.llm_subgoal.planner import plan_subgoals
from teachgym.teachers.llm_subgoal.prompt import subgoal_query

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposal:
    """A checked subgoal chain for one layout.

    Attributes:
        subgoals: env subgoal dicts (kind, obj_type, color, pos, state), in order.
        source: ``"backend"``, ``"cache"`` or ``"fallback"`` (the planner replaced the answer).
        problem: why the answer was replaced (``None`` unless ``source == "fallback"``).
        accuracy: agreement with the oracle chain when one was given (see
            :func:`~.answer.chain_accuracy`), else ``None``.
    """

    subgoals: list[dict[str, Any]]
    source: str
    problem: str | None = None
    accuracy: float | None = None


class SubgoalTeacher:
    """Subgoal chains from a backend, cached, checked, with the planner as fallback.

    Args:
        backend: a :class:`~.backends.Backend`, or a backend name for :func:`make_backend`.
        cache: an :class:`~.cache.AnswerCache` (default: in-memory only).
        backend_options: constructor options when ``backend`` is a name.
    """

    def __init__(
        self,
        backend: Backend | str = "planner",
        cache: AnswerCache | None = None,
        **backend_options: Any,
    ) -> None:
        self.backend = (
            make_backend(backend, **backend_options) if isinstance(backend, str) else backend
        )
        if backend_options and not isinstance(backend, str):
            raise ValueError("backend_options are only used when the backend is given by name")
        self.cache = cache if cache is not None else AnswerCache(mode="off")
        self.counts = {
            "layouts": 0,
            "cache_hits": 0,
            "backend_calls": 0,
            "invalid_answers": 0,
            "backend_errors": 0,
        }
        self._accuracy_sum = 0.0
        self._accuracy_n = 0

    def propose(self, description: str, oracle: Sequence[dict[str, Any]] | None = None) -> Proposal:
        """The checked chain for the layout ``description`` (the env's canonical text).

        Args:
            description: canonical layout text (the environment's ``describe()``).
            oracle: the oracle chain (env subgoal dicts), given to the ``noisy-oracle``
                backend and used to measure accuracy; never shown to a model.

        Raises:
            CacheMissError: in read-only cache mode, when the layout was never recorded.
            LayoutParseError: if ``description`` is not a canonical description.
        """
        layout = parse_layout(description)
        self.counts["layouts"] += 1
        reference = None if oracle is None else [dict(s) for s in oracle]
        query = subgoal_query(description, reference)
        name, model, version = self.backend.name, self.backend.model, query.template_version
        answer = self.cache.get(name, model, version, description)
        source = "cache"
        problem: str | None = None
        if answer is None:
            source = "backend"
            self.counts["backend_calls"] += 1
            try:
                answer = self.backend.complete(query)
            except BackendError as exc:
                self.counts["backend_errors"] += 1
                problem = f"backend failed: {exc}"
            else:
                self.cache.put(name, model, version, description, answer)
        else:
            self.counts["cache_hits"] += 1
        subgoals: list[dict[str, Any]] = []
        if answer is not None:
            try:
                subgoals = parse_subgoal_answer(answer, layout)
            except InvalidAnswerError as exc:
                self.counts["invalid_answers"] += 1
                problem = f"invalid answer: {exc}"
        if problem is not None:
            logger.info("subgoal answer replaced by the planner's: %s", problem)
            subgoals, source = plan_subgoals(layout), "fallback"
        accuracy = None if reference is None else chain_accuracy(subgoals, reference)
        if accuracy is not None:
            self._accuracy_sum += accuracy
            self._accuracy_n += 1
        return Proposal(subgoals, source, problem, accuracy)

    @property
    def fallbacks(self) -> int:
        """Answers replaced by the planner (invalid answers + backend errors)."""
        return self.counts["invalid_answers"] + self.counts["backend_errors"]

    def diagnostics(self) -> dict[str, Any]:
        """Counts (layouts, cache hits, backend calls, invalid answers, backend errors,
        fallbacks) and the mean accuracy against the oracle, when measured."""
        mean = self._accuracy_sum / self._accuracy_n if self._accuracy_n else None
        return {**self.counts, "fallbacks": self.fallbacks, "mean_accuracy": mean}

    def __repr__(self) -> str:
        return f"SubgoalTeacher(backend={self.backend!r}, cache={self.cache!r})"
