"""The ``webrl`` teacher: a self-evolving curriculum that makes new tasks from failed ones.

Source: Qi et al., "WebRL: Training LLM Web Agents via Self-Evolving Online Curriculum
Reinforcement Learning" (2024), and its released task generator
(``scripts/gen_task.py`` of THUDM/WebRL); docs/references.md [qi2024webrl].

WebRL's curriculum, on a task space:

1. Tasks the student failed (``Outcome.success`` false) go to a buffer of the most
   recent ``failure_buffer`` failures.
2. A generation round (when no generated task is waiting) runs ``generation_turns``
   turns (WebRL: 2); each draws ``seed_tasks`` failed tasks (WebRL: 10, without
   replacement) and makes ``tasks_per_turn`` new tasks "of similar difficulty, more
   diverse" from them, with one of two generators:

   - ``generator="mutate"`` (default, no model): each candidate is a failed task with
     ``n_edits`` small edits (:class:`~teachgym.teachers.mutations.LevelMutator`, the
     edits an environment publishes when it does, ACCEL's generic ones otherwise) and a
     fresh ``level_seed``; ``oversample`` times as many candidates as needed are made,
     so the filter and the diversity choice below have some to choose from. It works on
     every kind of parameter, conditional spaces included; ``Fixed`` parameters stay at
     their value.
   - ``generator="llm"``: a language model writes them through the ``openai`` or
     ``llama-cpp`` backend (:mod:`teachgym.teachers.llm_variations`); every proposed task
     is validated, invalid answers and tasks are counted and dropped, and a turn that
     yields no valid task falls back to the offline generator (counted).

3. The critic filter: the student's critic values every candidate *before* it is
   played (``requires_task_values``; the student resets a scratch copy of its
   environment on the task and values the reset observation), and only candidates whose
   value lies in ``value_band`` are kept (WebRL: [0.05, 0.75], "neither too easy nor
   infeasible"). WebRL's critic outputs a success probability; PPO's value is a
   discounted return. So values are first mapped to [0, 1] by ``value_bounds`` (low,
   high): ``(v - low) / (high - low)``; ``teachgym train`` and suites pass the
   environment's ``return_bounds`` (``(-1, 1)`` for the ±1 reward of ``WebForm-v0``:
   a value ``v = 2p - 1`` maps to its success probability ``p`` when the discount is near
   1). With ``value_bounds=None`` the band is read in the critic's own units (right for
   critics of success in [0, 1]). ``value_band=None`` turns the filter off (then no
   critic is needed). A discounted value of a long episode reads lower than its
   success probability, so the mapped band admits harder tasks than WebRL's would.
4. Diversity: duplicates (the same parameters) are dropped, and the kept candidates are
   queued in farthest-point order in the normalised task vector (each next one the
   farthest from the failed tasks shown and the ones already chosen), at most
   ``generation_turns * tasks_per_turn`` per round.
5. Sampling: with probability ``random_task_ratio``, and whenever no generated task
   waits, a uniform task (WebRL starts from a fixed set of training tasks; uniform tasks
   play that part and keep failures coming); otherwise the next queued task, played once.
   A round that keeps nothing is retried after ``generation_turns * tasks_per_turn``
   uniform tasks.

Deviations from WebRL: its critic is a pair of fine-tuned language models and a task
is kept if either value is in the band, here the student's single value function is
the critic; WebRL generates once per training phase from that phase's failures, here a
round runs whenever the generated tasks are used up, from the most recent failures;
WebRL asks GPT-4o at temperature 1, the backends here answer at temperature 0; the
counts of candidates per turn, edits, oversampling, the buffer and the uniform share
are teachgym's choices (WebRL gives none for a parameter space).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import LEVEL_SEED, Fixed, Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.llm_variations import COUNT_KEYS, LLMVariations
from teachgym.teachers.mutations import EditSize, LevelMutator
from teachgym.validation import check_int, check_real

GENERATORS: tuple[str, ...] = ("mutate", "llm")
WEBRL_VALUE_BAND = (0.05, 0.75)
"""The band of critic values a generated task must fall in ([qi2024webrl], gen_task.py)."""


def _pair(owner: str, name: str, value: Any, strict: bool) -> tuple[float, float] | None:
    """``None`` or a pair ``(low, high)`` of finite numbers, ``low < high`` (``<=`` if not
    ``strict``)."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise TeachgymUsageError(
            f"{owner}: {name} must be a pair [low, high] or None, got {value!r}"
        )
    low = check_real(owner, f"{name}[0]", value[0])
    high = check_real(owner, f"{name}[1]", value[1])
    if low > high or (strict and low == high):
        relation = "<" if strict else "<="
        raise TeachgymUsageError(f"{owner}: {name} needs low {relation} high, got {[low, high]}")
    return (low, high)


def _key(task: Mapping[str, Any]) -> str:
    """A task's parameters (not its ``level_seed``) as canonical text, for duplicates."""
    return json.dumps({k: v for k, v in task.items() if k != LEVEL_SEED}, sort_keys=True)


class MutationVariations:
    """The offline generator: small edits of failed tasks (module docstring, step 2).

    Args:
        task_space: the space tasks live in.
        n_edits: edits per candidate (>= 1).
        oversample: candidates made per task asked for (>= 1).
        sizes, weights, groups: the edits (:class:`~teachgym.teachers.mutations.LevelMutator`);
            without ``weights``, ``Fixed`` parameters get weight 0 (an edit of one changes
            nothing).
    """

    def __init__(
        self,
        task_space: TaskSpace,
        n_edits: int,
        oversample: int,
        sizes: Mapping[str, EditSize] | None = None,
        weights: Mapping[str, float] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if weights is None:
            fixed = [n for n, p in task_space.parameters.items() if isinstance(p, Fixed)]
            if len(fixed) < len(task_space.parameters):
                weights = dict.fromkeys(fixed, 0.0)
        self.mutator = LevelMutator(task_space, n_edits, sizes, weights, groups)
        self.oversample = oversample

    def generate(self, seeds: Sequence[Task], n_tasks: int, rng: np.random.Generator) -> list[Task]:
        """``n_tasks * oversample`` candidates, the seeds taken in turn."""
        count = n_tasks * self.oversample
        return [self.mutator.mutate(seeds[i % len(seeds)], rng) for i in range(count)]


class SelfEvolvingTeacher(Teacher):
    """WebRL's self-evolving curriculum on any task space (module docstring).

    Args:
        task_space: the space tasks are drawn from.
        seed: seed of the teacher's generator.
        generator: ``"mutate"`` (offline, default) or ``"llm"``.
        value_band: ``[low, high]`` of the (mapped) critic values a candidate must have;
            ``None``: no critic filter.
        value_bounds: ``[low, high]`` mapped to [0, 1] before the band; ``None``: values as
            the critic gives them.
        seed_tasks: failed tasks shown per turn (>= 1).
        generation_turns: turns per round (>= 1).
        tasks_per_turn: new tasks asked for per turn (>= 1).
        oversample: the offline generator's candidates per task asked for (>= 1).
        n_edits: edits per offline candidate (>= 1).
        failure_buffer: most recent failed tasks kept (>= 1).
        random_task_ratio: probability of a uniform task, in [0, 1].
        edit_sizes, edit_weights, edit_groups: the offline generator's edits (an
            environment's ``edit_operators()``; ``teachgym train`` and suites pass them).
        backend: the language model's backend, ``"openai"`` or ``"llama-cpp"`` (only with
            ``generator="llm"``).
        backend_options: its constructor options (JSON-ready, no secrets; raise
            ``max_tokens`` for large task spaces).
    """

    name = "webrl"
    requires_success = True
    mutates = True
    return_bounds_parameter = "value_bounds"
    param_attributes = {"backend": "backend_name"}

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        generator: str = "mutate",
        value_band: Sequence[float] | None = WEBRL_VALUE_BAND,
        value_bounds: Sequence[float] | None = None,
        seed_tasks: int = 10,
        generation_turns: int = 2,
        tasks_per_turn: int = 10,
        oversample: int = 3,
        n_edits: int = 2,
        failure_buffer: int = 200,
        random_task_ratio: float = 0.2,
        edit_sizes: Mapping[str, EditSize] | None = None,
        edit_weights: Mapping[str, float] | None = None,
        edit_groups: Mapping[str, Sequence[str]] | None = None,
        backend: str = "openai",
        backend_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        owner = "teacher 'webrl'"
        if generator not in GENERATORS:
            raise TeachgymUsageError(
                f"{owner}: generator must be one of {GENERATORS}, got {generator!r}"
            )
        self.generator = generator
        band = _pair(owner, "value_band", value_band, strict=False)
        self.value_band = None if band is None else list(band)
        bounds = _pair(owner, "value_bounds", value_bounds, strict=True)
        self.value_bounds = None if bounds is None else list(bounds)
        self.requires_task_values = band is not None
        self.seed_tasks = check_int(owner, "seed_tasks", seed_tasks, 1)
        self.generation_turns = check_int(owner, "generation_turns", generation_turns, 1)
        self.tasks_per_turn = check_int(owner, "tasks_per_turn", tasks_per_turn, 1)
        self.oversample = check_int(owner, "oversample", oversample, 1)
        self.n_edits = check_int(owner, "n_edits", n_edits, 1)
        self.failure_buffer = check_int(owner, "failure_buffer", failure_buffer, 1)
        self.random_task_ratio = check_real(owner, "random_task_ratio", random_task_ratio, 0.0, 1.0)
        self.edit_sizes = None if edit_sizes is None else dict(edit_sizes)
        self.edit_weights = None if edit_weights is None else dict(edit_weights)
        self.edit_groups = (
            None if edit_groups is None else {k: list(v) for k, v in edit_groups.items()}
        )
        self.backend_name = backend
        self.backend_options = dict(backend_options or {})
        self.offline = MutationVariations(
            task_space, self.n_edits, self.oversample, edit_sizes, edit_weights, edit_groups
        )
        self.llm = (
            LLMVariations(task_space, backend, self.backend_options) if generator == "llm" else None
        )
        self.failures: list[Task] = []
        """The most recent failed tasks, oldest first."""
        self.queue: list[Task] = []
        """Generated tasks that passed the filter, next first."""
        self.cooldown = 0
        """Uniform tasks left before a round is tried again (after a round that kept none)."""
        self.counts = {
            "rounds": 0,
            "candidates": 0,
            "kept": 0,
            "below_band": 0,
            "above_band": 0,
            "duplicates": 0,
            "fallback_turns": 0,
            "generated_samples": 0,
            "uniform_samples": 0,
        }

    # -- protocol ---------------------------------------------------------------
    def _sample(self) -> Task:
        if self.rng.random() >= self.random_task_ratio:
            if not self.queue and self.failures and self.cooldown == 0:
                self._evolve()
            if self.queue:
                self.counts["generated_samples"] += 1
                return self.queue.pop(0)
            self.cooldown = max(self.cooldown - 1, 0)
        self.counts["uniform_samples"] += 1
        return self.task_space.sample(self.rng)

    def _update(self, task: Task, outcome: Outcome) -> None:
        if not outcome.success:
            self.failures.append(task)
            del self.failures[: -self.failure_buffer]

    # -- generation -------------------------------------------------------------
    def _evolve(self) -> None:
        """One generation round: candidates, critic filter, diversity order (module docstring)."""
        self.counts["rounds"] += 1
        candidates: list[Task] = []
        shown: list[Task] = []
        for _ in range(self.generation_turns):
            size = min(self.seed_tasks, len(self.failures))
            picks = self.rng.choice(len(self.failures), size=size, replace=False)
            seeds = [self.failures[int(i)] for i in picks]
            shown += seeds
            made = (
                [] if self.llm is None else self.llm.generate(seeds, self.tasks_per_turn, self.rng)
            )
            if self.llm is not None and not made:
                self.counts["fallback_turns"] += 1
            if not made:
                made = self.offline.generate(seeds, self.tasks_per_turn, self.rng)
            candidates += made
        self.counts["candidates"] += len(candidates)
        kept = self._distinct(self._in_band(candidates))
        limit = self.generation_turns * self.tasks_per_turn
        self.queue = self._spread(kept, shown, limit)
        self.counts["kept"] += len(self.queue)
        if not self.queue:
            self.cooldown = limit

    def critic_values(self, tasks: Sequence[Task]) -> np.ndarray:
        """The critic's values of ``tasks``, mapped by ``value_bounds``; shape ``(n,)``."""
        if self.task_critic is None:
            raise TeachgymUsageError(
                f"teacher {self.name!r} has no critic of tasks; call "
                "curriculum.provide_task_values(critic) or train it with a student that gives one"
            )
        values = np.asarray(self.task_critic(list(tasks)), dtype=np.float64).reshape(-1)
        if values.shape != (len(tasks),) or not np.all(np.isfinite(values)):
            raise ValueError(
                f"the task critic must return {len(tasks)} finite values, got {values.tolist()}"
            )
        if self.value_bounds is not None:
            low, high = self.value_bounds
            values = (values - low) / (high - low)
        return values

    def _in_band(self, candidates: list[Task]) -> list[Task]:
        if self.value_band is None or not candidates:
            return candidates
        values = self.critic_values(candidates)
        low, high = self.value_band
        self.counts["below_band"] += int((values < low).sum())
        self.counts["above_band"] += int((values > high).sum())
        return [t for t, v in zip(candidates, values, strict=True) if low <= v <= high]

    def _distinct(self, tasks: list[Task]) -> list[Task]:
        seen: set[str] = set()
        out = []
        for task in tasks:
            key = _key(task)
            if key not in seen:
                seen.add(key)
                out.append(task)
        self.counts["duplicates"] += len(tasks) - len(out)
        return out

    def _spread(self, tasks: list[Task], shown: list[Task], limit: int) -> list[Task]:
        """Up to ``limit`` of ``tasks`` in farthest-point order from ``shown`` (ties: first)."""
        if not tasks:
            return []
        vectors = np.stack([self.task_space.to_vector(t) for t in tasks]).astype(np.float64)
        anchors = np.stack([self.task_space.to_vector(t) for t in shown]).astype(np.float64)
        nearest = np.min(np.linalg.norm(vectors[:, None] - anchors[None], axis=2), axis=1)
        order: list[int] = []
        free = np.ones(len(tasks), dtype=bool)
        while len(order) < min(limit, len(tasks)):
            pick = int(np.argmax(np.where(free, nearest, -np.inf)))
            order.append(pick)
            free[pick] = False
            nearest = np.minimum(nearest, np.linalg.norm(vectors - vectors[pick], axis=1))
        return [tasks[i] for i in order]

    # -- bookkeeping ------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Counts of rounds, candidates, kept ones, ones the critic put below or above the
        band, duplicates, fallback turns and samples (generated, uniform); the failures
        buffered and tasks queued; with ``generator="llm"`` the language model's counts
        (questions, backend errors, invalid answers, valid and invalid tasks)."""
        out = {
            **super().diagnostics(),
            **self.counts,
            "failures": len(self.failures),
            "queued": len(self.queue),
        }
        if self.llm is not None:
            out.update(self.llm.counts)
        return out

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "failures": [dict(t) for t in self.failures],
            "queue": [dict(t) for t in self.queue],
            "cooldown": self.cooldown,
            "counts": dict(self.counts),
            "llm_counts": None if self.llm is None else dict(self.llm.counts),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            failures = [self.task_space.validate(t) for t in state["failures"]]
            queue = [self.task_space.validate(t) for t in state["queue"]]
            cooldown = int(state["cooldown"])
            counts = {k: int(state["counts"][k]) for k in self.counts}
            llm_counts = state["llm_counts"]
            if self.llm is not None:
                self.llm.counts = {k: int(llm_counts[k]) for k in COUNT_KEYS}
        except (KeyError, TypeError) as exc:
            raise TeachgymUsageError(f"webrl state is incomplete or damaged: {exc!r}") from None
        self.failures, self.queue, self.cooldown, self.counts = failures, queue, cooldown, counts
