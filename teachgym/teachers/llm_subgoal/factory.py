"""Build a backend by name: ``planner``, ``noisy-oracle``, ``openai`` or ``llama-cpp``."""

from __future__ import annotations

from typing import Any

from teachgym.teachers.llm_subgoal.backends import (
    Backend,
    LlamaCppBackend,
    NoisyOracleBackend,
    PlannerBackend,
)
from teachgym.teachers.llm_subgoal.openai_backend import OpenAIBackend

BACKENDS: dict[str, type] = {
    "planner": PlannerBackend,
    "noisy-oracle": NoisyOracleBackend,
    "openai": OpenAIBackend,
    "llama-cpp": LlamaCppBackend,
}


def make_backend(name: str, **options: Any) -> Backend:
    """A backend from its name and constructor options.

    Raises:
        ValueError: for an unknown name or options the backend does not take.
    """
    if name not in BACKENDS:
        raise ValueError(f"unknown LLM backend {name!r}; known: {sorted(BACKENDS)}")
    try:
        backend: Backend = BACKENDS[name](**options)
    except TypeError as exc:
        raise ValueError(f"LLM backend {name!r}: bad options {sorted(options)} ({exc})") from None
    return backend
