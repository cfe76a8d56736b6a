"""The ``llm-curriculum`` teacher: a language model (or the offline planner) proposes
the next task from a text summary of the student's recent results.

The task-level mode of the LLM teachers ("the LLM can also act as a
curriculum designer"). Every ``query_every`` episodes the teacher writes a
summary of the last ``window`` episodes per region of the task space (regions:
the cells of ``n_regions`` fixed centre tasks, nearest centre in the normalised
task vector; format in :mod:`.llm_subgoal.task_summary`), asks the backend for
``{"task": {...}}``, and validates the answer against the task space. Between
queries it samples tasks near the proposal (Gaussian noise of std
``proposal_noise`` in the normalised space) and, with probability
``random_task_ratio`` (and while no valid proposal exists), uniformly. An
invalid answer or a failed backend leaves no proposal (uniform sampling) and
is counted. The answer is data: decoded as JSON and validated, never executed.

Backends: ``planner`` (default; frontier rule: success closest to 0.5),
``openai``, ``llama-cpp`` (:mod:`.llm_subgoal`). The API key of ``openai`` is
read from the environment; it is never part of the hyperparameters or the state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.tasks import LEVEL_SEED, Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.llm_subgoal.answer import InvalidAnswerError, decode_json_object
from teachgym.teachers.llm_subgoal.backends import BackendError
from teachgym.teachers.llm_subgoal.cache import AnswerCache
from teachgym.teachers.llm_subgoal.factory import make_backend
from teachgym.teachers.llm_subgoal.prompt import task_query
from teachgym.teachers.llm_subgoal.task_summary import RegionStats, build_summary, task_schema
from teachgym.validation import check_int, check_real

MAX_REGIONS = 10_000
"""Most region centres ``n_regions`` may ask for (each costs a summary row per query)."""

logger = logging.getLogger(__name__)

TASK_BACKENDS: tuple[str, ...] = ("planner", "openai", "llama-cpp")
"""Backends that can answer task questions (``noisy-oracle`` answers subgoal questions only)."""


def parse_task_answer(text: str, task_space: TaskSpace) -> Task:
    """The task of an answer ``{"task": {...}}``, validated (``level_seed`` dropped).

    Raises:
        InvalidAnswerError: if the answer is not that JSON or the task is invalid.
    """
    data = decode_json_object(text)
    if set(data) != {"task"}:
        raise InvalidAnswerError(f"the answer must have exactly the key 'task', got {sorted(data)}")
    try:
        task = task_space.validate(data["task"])
    except ValueError as exc:
        raise InvalidAnswerError(f"the proposed task is invalid: {exc}") from None
    task.pop(LEVEL_SEED, None)
    return task


class LLMCurriculumTeacher(Teacher):
    """Tasks proposed by an LLM backend from per-region result summaries (module docstring).

    Args:
        task_space: the space tasks are drawn from.
        seed: seed of the teacher's generator (uniform draws, proposal noise).
        backend: one of :data:`TASK_BACKENDS`.
        backend_options: JSON-ready constructor options of the backend (no secrets:
            ``openai`` reads its key from the variable named by ``api_key_env``).
        n_regions: number of region centres (>= 1).
        window: episodes summarised (the most recent ones, >= 1).
        query_every: episodes between two questions (>= 1).
        random_task_ratio: probability of a uniform task, in [0, 1].
        proposal_noise: std of the noise around the proposal (normalised units, >= 0).
        cache_path, cache_mode: the answer cache (:class:`~.llm_subgoal.cache.AnswerCache`).
    """

    name = "llm-curriculum"
    param_attributes = {"backend": "backend_name"}

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        backend: str = "planner",
        backend_options: Mapping[str, Any] | None = None,
        n_regions: int = 8,
        window: int = 200,
        query_every: int = 20,
        random_task_ratio: float = 0.2,
        proposal_noise: float = 0.05,
        cache_path: str | None = None,
        cache_mode: str = "off",
    ) -> None:
        super().__init__(task_space, seed)
        if backend not in TASK_BACKENDS:
            raise ValueError(
                f"llm-curriculum backend must be one of {TASK_BACKENDS}, got {backend!r}"
            )
        owner = "teacher 'llm-curriculum'"
        n_regions = check_int(owner, "n_regions", n_regions, 1, MAX_REGIONS)
        window = check_int(owner, "window", window, 1)
        query_every = check_int(owner, "query_every", query_every, 1)
        random_task_ratio = check_real(owner, "random_task_ratio", random_task_ratio, 0.0, 1.0)
        proposal_noise = check_real(owner, "proposal_noise", proposal_noise, 0.0)
        self.backend_name = backend
        self.backend_options = dict(backend_options or {})
        self.backend = make_backend(backend, **self.backend_options)
        self.n_regions, self.window, self.query_every = n_regions, window, query_every
        self.random_task_ratio = random_task_ratio
        self.proposal_noise = proposal_noise
        self.cache_path, self.cache_mode = cache_path, cache_mode
        self.cache = AnswerCache(cache_path, cache_mode)
        self.centres = task_space.uniform_set(n_regions, seed=0)
        self._centre_vectors = np.stack([task_space.to_vector(c) for c in self.centres])
        self.regions: list[int] = []
        self.successes: list[float] = []
        self.returns: list[float] = []
        self.proposal: Task | None = None
        self.counts = {
            "queries": 0,
            "cache_hits": 0,
            "model_answers": 0,
            "valid_answers": 0,
            "invalid_answers": 0,
            "backend_errors": 0,
        }
        self.query_seconds = 0.0
        """Wall time spent waiting for the backend (seconds, summed)."""
        self.clock = time.perf_counter

    # -- protocol ---------------------------------------------------------------
    def _sample(self) -> Task:
        if self.proposal is None or self.rng.random() < self.random_task_ratio:
            return self.task_space.sample(self.rng)
        vector = self.task_space.to_vector(self.proposal)
        noise = self.rng.normal(0.0, self.proposal_noise, size=vector.shape)
        return self.task_space.from_vector(np.clip(vector + noise, 0.0, 1.0))

    def _update(self, task: Task, outcome: Outcome) -> None:
        vector = self.task_space.to_vector(task)
        distances = np.linalg.norm(self._centre_vectors - vector, axis=1)
        self.regions.append(int(np.argmin(distances)))
        self.successes.append(np.nan if outcome.success is None else float(outcome.success))
        self.returns.append(float(outcome.episode_return))
        del (
            self.regions[: -self.window],
            self.successes[: -self.window],
            self.returns[: -self.window],
        )
        if (self.n_updates + 1) % self.query_every == 0:
            self._ask()

    # -- questions --------------------------------------------------------------
    def summary(self) -> str:
        """The text the backend reads (see :mod:`.llm_subgoal.task_summary`)."""
        regions = np.asarray(self.regions, dtype=np.int64)
        successes = np.asarray(self.successes, dtype=np.float64)
        returns = np.asarray(self.returns, dtype=np.float64)
        stats = []
        for i, centre in enumerate(self.centres):
            mine = regions == i
            count = int(mine.sum())
            success = None
            if count and not np.isnan(successes[mine]).any():
                success = float(successes[mine].mean())
            mean_return = float(returns[mine].mean()) if count else 0.0
            stats.append(RegionStats(centre, count, success, mean_return))
        return build_summary(self.task_space, stats)

    def _ask(self) -> None:
        summary = self.summary()
        query = task_query(summary, task_schema(self.task_space))
        key = (self.backend.name, self.backend.model, query.template_version)
        answer = self.cache.get(*key, summary)
        self.counts["queries"] += 1
        if answer is None:
            start = self.clock()
            try:
                answer = self.backend.complete(query)
            except BackendError as exc:
                self.counts["backend_errors"] += 1
                logger.info("llm-curriculum: backend failed (%s); sampling uniformly", exc)
                self.proposal = None
                return
            finally:
                self.query_seconds += self.clock() - start
            self.cache.put(*key, summary, answer)
        else:
            self.counts["cache_hits"] += 1
        self.counts["model_answers"] += 1
        try:
            self.proposal = parse_task_answer(answer, self.task_space)
        except InvalidAnswerError as exc:
            self.counts["invalid_answers"] += 1
            logger.info("llm-curriculum: %s; sampling uniformly", exc)
            self.proposal = None
        else:
            self.counts["valid_answers"] += 1

    # -- bookkeeping ------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Counts of questions, answers (``model_answers``: received or cached), valid
        and invalid answers and backend errors; ``valid_share`` (valid answers over
        questions, ``None`` before any), ``seconds_per_query`` (backend wall time per
        question sent; ``None`` before any) and whether a proposal is in use."""
        queries, sent = self.counts["queries"], self.counts["queries"] - self.counts["cache_hits"]
        return {
            **super().diagnostics(),
            **self.counts,
            "valid_share": self.counts["valid_answers"] / queries if queries else None,
            "seconds_per_query": self.query_seconds / sent if sent else None,
            "has_proposal": self.proposal is not None,
        }

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "regions": np.asarray(self.regions, dtype=np.int64),
            "successes": np.asarray(self.successes, dtype=np.float64),
            "returns": np.asarray(self.returns, dtype=np.float64),
            "proposal": self.proposal,
            "counts": dict(self.counts),
            "query_seconds": self.query_seconds,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            self.regions = [int(v) for v in np.asarray(state["regions"])]
            self.successes = [float(v) for v in np.asarray(state["successes"])]
            self.returns = [float(v) for v in np.asarray(state["returns"])]
            proposal = state["proposal"]
            self.counts = {k: int(state["counts"][k]) for k in self.counts}
            self.query_seconds = float(state["query_seconds"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"llm-curriculum state is incomplete or damaged: {exc!r}") from None
        if not len(self.regions) == len(self.successes) == len(self.returns):
            raise ValueError("llm-curriculum state: history arrays differ in length")
        self.proposal = None if proposal is None else self.task_space.validate(proposal)
