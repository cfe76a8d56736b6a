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
import time
from collections.abc import Callable, Sequence
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
from teachgym.teachers.llm_subgoal.grounded import (
    GROUNDED_TEMPLATE_VERSION,
    parse_grounded_answer,
)
from teachgym.teachers.llm_subgoal.layout_text import parse_layout
from teachgym.teachers.llm_subgoal.planner import plan_subgoals
from teachgym.teachers.llm_subgoal.prompt import (
    SUBGOAL_TEMPLATE_VERSION,
    SUBGOAL_TEMPLATES,
    subgoal_query,
)

logger = logging.getLogger(__name__)

FALLBACKS: tuple[str, ...] = ("planner", "none")
"""What may replace an invalid answer: the planner's chain, or no chain."""

SUMMARY_EVERY = 100
"""Layouts between two diagnostics lines in the log (INFO)."""


@dataclass(frozen=True)
class Proposal:
    """A checked subgoal chain for one layout.

    Attributes:
        subgoals: env subgoal dicts (kind, obj_type, color, pos, state), in order.
        source: ``"backend"``, ``"cache"`` or ``"fallback"`` (the answer was replaced).
        problem: why the answer was replaced (``None`` unless ``source == "fallback"``).
        accuracy: agreement of :attr:`subgoals` (what the student gets, fallback
            included) with the oracle chain when one was given (see
            :func:`~.answer.chain_accuracy`), else ``None``.
        model_accuracy: agreement of the backend's own answer with the oracle chain,
            before any fallback (0 for an invalid answer); ``None`` without an oracle
            or without an answer.
    """

    subgoals: list[dict[str, Any]]
    source: str
    problem: str | None = None
    accuracy: float | None = None
    model_accuracy: float | None = None


class SubgoalTeacher:
    """Subgoal chains from a backend, cached, checked, with the planner as fallback.

    Args:
        backend: a :class:`~.backends.Backend`, or a backend name for :func:`make_backend`.
        cache: an :class:`~.cache.AnswerCache` (default: in-memory only).
        template: the question's form, one of :data:`~.prompt.SUBGOAL_TEMPLATES`:
            coordinates (``"subgoals-v1"``) or object ids (``"subgoals-grounded-v1"``).
        fallback: what replaces an invalid answer or a failed backend: ``"planner"``
            (its chain) or ``"none"`` (an empty chain: no guidance on that layout, so a
            study of the model sees only the model's answers).
        clock: seconds for timing the backend (default ``time.perf_counter``).
        backend_options: constructor options when ``backend`` is a name.
    """

    def __init__(
        self,
        backend: Backend | str = "planner",
        cache: AnswerCache | None = None,
        template: str = SUBGOAL_TEMPLATE_VERSION,
        fallback: str = "planner",
        clock: Callable[[], float] = time.perf_counter,
        **backend_options: Any,
    ) -> None:
        if fallback not in FALLBACKS:
            raise ValueError(f"fallback must be one of {FALLBACKS}, got {fallback!r}")
        if template not in SUBGOAL_TEMPLATES:
            raise ValueError(
                f"subgoal template must be one of {SUBGOAL_TEMPLATES}, got {template!r}"
            )
        self.backend = (
            make_backend(backend, **backend_options) if isinstance(backend, str) else backend
        )
        if backend_options and not isinstance(backend, str):
            raise ValueError("backend_options are only used when the backend is given by name")
        self.cache = cache if cache is not None else AnswerCache(mode="off")
        self.template = template
        self.fallback = fallback
        self._parse = (
            parse_grounded_answer if template == GROUNDED_TEMPLATE_VERSION else parse_subgoal_answer
        )
        self._clock = clock
        self.counts = {
            "layouts": 0,
            "cache_hits": 0,
            "backend_calls": 0,
            "model_answers": 0,
            "valid_answers": 0,
            "invalid_answers": 0,
            "backend_errors": 0,
        }
        self._sums = {"accuracy": 0.0, "model_accuracy": 0.0, "query_seconds": 0.0}
        self._measured = {"accuracy": 0, "model_accuracy": 0}

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
        query = subgoal_query(description, reference, self.template)
        name, model, version = self.backend.name, self.backend.model, query.template_version
        answer = self.cache.get(name, model, version, description)
        source = "cache"
        problem: str | None = None
        if answer is None:
            source = "backend"
            self.counts["backend_calls"] += 1
            start = self._clock()
            try:
                answer = self.backend.complete(query)
            except BackendError as exc:
                self.counts["backend_errors"] += 1
                problem = f"backend failed: {exc}"
            else:
                self.cache.put(name, model, version, description, answer)
            finally:
                self._sums["query_seconds"] += self._clock() - start
        else:
            self.counts["cache_hits"] += 1
        subgoals: list[dict[str, Any]] = []
        model_accuracy: float | None = None
        if answer is not None:
            self.counts["model_answers"] += 1
            try:
                subgoals = self._parse(answer, layout)
            except InvalidAnswerError as exc:
                self.counts["invalid_answers"] += 1
                problem = f"invalid answer: {exc}"
                model_accuracy = 0.0 if reference is not None else None
            else:
                self.counts["valid_answers"] += 1
                if reference is not None:
                    model_accuracy = chain_accuracy(subgoals, reference)
        if problem is not None:
            logger.info("subgoal answer replaced (fallback %r): %s", self.fallback, problem)
            subgoals = plan_subgoals(layout) if self.fallback == "planner" else []
            source = "fallback"
        accuracy = None if reference is None else chain_accuracy(subgoals, reference)
        for key, value in (("accuracy", accuracy), ("model_accuracy", model_accuracy)):
            if value is not None:
                self._sums[key] += value
                self._measured[key] += 1
        if self.counts["layouts"] % SUMMARY_EVERY == 0:
            logger.info("subgoal teacher: %s", self.summary())
        return Proposal(subgoals, source, problem, accuracy, model_accuracy)

    @property
    def fallbacks(self) -> int:
        """Answers replaced by the fallback (invalid answers + backend errors)."""
        return self.counts["invalid_answers"] + self.counts["backend_errors"]

    def diagnostics(self) -> dict[str, Any]:
        """What happened, with the model's answers apart from the fallbacks.

        Counts: ``layouts`` (questions), ``cache_hits``, ``backend_calls``,
        ``model_answers`` (answers received, fresh or from the cache),
        ``valid_answers`` (of those, the ones that fit the layout),
        ``invalid_answers``, ``backend_errors`` (no answer), ``fallbacks``. Rates:
        ``fallback_share`` (of layouts), ``model_accuracy`` (mean agreement of the
        model's own answers with the oracle, an invalid answer counting 0; ``None``
        when the model never answered or no oracle was given), ``delivered_accuracy``
        (the same for what the student was given, fallbacks included),
        ``seconds_per_query`` (mean wall time of a backend call; ``None`` before any).
        """
        layouts, calls = self.counts["layouts"], self.counts["backend_calls"]

        def mean(key: str) -> float | None:
            n = self._measured[key]
            return self._sums[key] / n if n else None

        return {
            **self.counts,
            "fallbacks": self.fallbacks,
            "fallback_share": self.fallbacks / layouts if layouts else None,
            "model_accuracy": mean("model_accuracy"),
            "delivered_accuracy": mean("accuracy"),
            "seconds_per_query": self._sums["query_seconds"] / calls if calls else None,
        }

    def summary(self) -> str:
        """One line of :meth:`diagnostics`, for logs and tables."""
        d = self.diagnostics()

        def share(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.2f}"

        seconds = "n/a" if d["seconds_per_query"] is None else f"{d['seconds_per_query']:.1f} s"
        return (
            f"{d['layouts']} layouts: model answered {d['model_answers']} "
            f"({d['valid_answers']} valid, {d['invalid_answers']} invalid, "
            f"{d['backend_errors']} backend errors), fallback share {share(d['fallback_share'])}, "
            f"model accuracy {share(d['model_accuracy'])}, delivered accuracy "
            f"{share(d['delivered_accuracy'])}, {seconds} per query, "
            f"{d['cache_hits']} cache hits"
        )

    def __repr__(self) -> str:
        return (
            f"SubgoalTeacher(backend={self.backend!r}, cache={self.cache!r}, "
            f"template={self.template!r})"
        )
