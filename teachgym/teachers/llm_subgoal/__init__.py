"""LLM teachers: subgoal chains for layouts, and task proposals for a curriculum.

Everything here reasons over text (canonical layout descriptions, result
summaries) and plain-dict subgoals; it never imports environments.

- :class:`SubgoalTeacher`: a checked subgoal chain per layout (within-episode
  guidance; applied by :class:`teachgym.subgoal_wrapper.SubgoalWrapper`).
- ``llm-curriculum`` (:mod:`teachgym.teachers.llm_curriculum`): the same
  backends propose the next task parameters.
- Backends (:func:`make_backend`): ``planner`` (default, offline), ``noisy-oracle``,
  ``openai`` (OpenAI-compatible server), ``llama-cpp`` (optional, in-process GGUF).
"""

from teachgym.subgoals import ANSWER_SCHEMA_VERSION, SUBGOAL_SCHEMA
from teachgym.teachers.llm_subgoal.answer import (
    InvalidAnswerError,
    chain_accuracy,
    parse_subgoal_answer,
)
from teachgym.teachers.llm_subgoal.backends import (
    Backend,
    BackendError,
    BackendUnavailableError,
    LlamaCppBackend,
    NoisyOracleBackend,
    PlannerBackend,
)
from teachgym.teachers.llm_subgoal.cache import (
    CACHE_MODES,
    AnswerCache,
    CacheMissError,
    CorruptCacheError,
)
from teachgym.teachers.llm_subgoal.embedding import HashingEmbedder, MiniLMEmbedder, make_embedder
from teachgym.teachers.llm_subgoal.factory import BACKENDS, make_backend
from teachgym.teachers.llm_subgoal.grounded import (
    GROUNDED_TEMPLATE_VERSION,
    enumerate_objects,
    parse_grounded_answer,
)
from teachgym.teachers.llm_subgoal.layout_text import LayoutParseError, parse_layout
from teachgym.teachers.llm_subgoal.openai_backend import OpenAIBackend
from teachgym.teachers.llm_subgoal.planner import plan_subgoals
from teachgym.teachers.llm_subgoal.prompt import (
    SUBGOAL_TEMPLATE_VERSION,
    SUBGOAL_TEMPLATES,
    TASK_TEMPLATE_VERSION,
    VARIATIONS_TEMPLATE_VERSION,
    Query,
    subgoal_query,
    task_query,
    variations_query,
)
from teachgym.teachers.llm_subgoal.subgoal_teacher import Proposal, SubgoalTeacher

__all__ = [
    "ANSWER_SCHEMA_VERSION",
    "BACKENDS",
    "CACHE_MODES",
    "GROUNDED_TEMPLATE_VERSION",
    "SUBGOAL_SCHEMA",
    "SUBGOAL_TEMPLATES",
    "SUBGOAL_TEMPLATE_VERSION",
    "TASK_TEMPLATE_VERSION",
    "VARIATIONS_TEMPLATE_VERSION",
    "AnswerCache",
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "CacheMissError",
    "CorruptCacheError",
    "HashingEmbedder",
    "InvalidAnswerError",
    "LayoutParseError",
    "LlamaCppBackend",
    "MiniLMEmbedder",
    "NoisyOracleBackend",
    "OpenAIBackend",
    "PlannerBackend",
    "Proposal",
    "Query",
    "SubgoalTeacher",
    "chain_accuracy",
    "enumerate_objects",
    "make_backend",
    "make_embedder",
    "parse_grounded_answer",
    "parse_layout",
    "parse_subgoal_answer",
    "plan_subgoals",
    "subgoal_query",
    "task_query",
    "variations_query",
]
