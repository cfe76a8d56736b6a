"""ADR: automatic domain randomization, a box widened from an initial task.

Source: OpenAI et al., "Solving Rubik's Cube with a Robot Hand" (2019), section
"Automatic Domain Randomization"; as reimplemented in TeachMyAgent (Romac et al.,
ICML 2021), ``TeachMyAgent/teachers/algos/adr.py`` at commit ``ce15344``. See
docs/references.md [openai2019adr], [romac2021].

The sampling box starts collapsed on ``initial_task``. Each episode:

1. Sample uniformly in the box. With probability ``boundary_sampling_p`` one
   random dimension is pinned to its lower or upper bound (1/2 each).
2. After the episode, for every dimension whose value equals a bound of the box,
   the return joins that bound's queue (a collapsed dimension equals both bounds,
   so at first every episode joins every queue).
3. A queue of ``queue_length`` returns is read and cleared: a mean return
   >= ``high_threshold`` widens that bound by ``step_size`` (clipped to the
   parameter's range); a mean <= ``low_threshold`` shrinks it by ``step_size``
   (never past the opposite bound).

Details kept from the reference code: ``step_size`` is absolute, in each
parameter's own units (not a fraction of its range); a dimension is pinned unless
both of its bounds already reached the parameter's range, so a bound already at
the range can still be pinned while the other one grows.

Hyperparameters: ``boundary_sampling_p`` 0.5 and ``queue_length`` 10 are the
reference constructor's defaults; it has no default step or thresholds, so
``step_size`` 0.1, ``low_threshold`` 0 and ``high_threshold`` 180 are those of
TeachMyAgent's runs, whose values are the ``teachmyagent`` preset (the same with
``boundary_sampling_p`` 0.7). The thresholds are in return units: 180 suits the
walkers (mastery at 230), not an environment whose returns lie in [0, 1].

ADR needs expert knowledge: the initial task. Without one the teacher refuses to
start; ``initial_task="random"`` draws it uniformly, as the reference code does
when it is given none (TeachMyAgent's "low expert knowledge" runs).

Integer parameters are boxed in their own units too; a task's value is the box
draw rounded to the nearest integer, and it is on a bound when it equals the
rounded bound. Categorical and array parameters are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Integer, Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.validation import check_int, check_real

RANDOM_INITIAL_TASK = "random"
"""``initial_task`` value that draws the initial task uniformly (the reference's fallback)."""

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "teachmyagent": {
        "boundary_sampling_p": 0.7,
        "step_size": 0.1,
        "queue_length": 10,
        "low_threshold": 0.0,
        "high_threshold": 180.0,
    },
}


class ADRTeacher(Teacher):
    """Automatic domain randomization (see the module docstring).

    Args:
        task_space: continuous and integer parameters only.
        seed: seed of the teacher's generator.
        initial_task: the task the box starts collapsed on (validated against
            ``task_space``), or ``"random"`` for a uniform draw; required.
        boundary_sampling_p: probability of pinning one dimension to a bound.
        step_size: how far a bound moves, in the parameters' own units.
        queue_length: boundary episodes per bound before it is moved.
        low_threshold: a bound's mean return at or below this shrinks the box.
        high_threshold: a bound's mean return at or above this widens the box.

    Raises:
        TeachgymUsageError: without an initial task, for an invalid one, or for
            thresholds with ``low_threshold > high_threshold``.
    """

    name = "adr"
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        initial_task: Mapping[str, Any] | str | None = None,
        boundary_sampling_p: float = 0.5,
        step_size: float = 0.1,
        queue_length: int = 10,
        low_threshold: float = 0.0,
        high_threshold: float = 180.0,
    ) -> None:
        super().__init__(task_space, seed)
        owner = f"teacher {self.name!r}"
        task_space.require_numeric("ADR")
        self.boundary_sampling_p = check_real(
            owner, "boundary_sampling_p", boundary_sampling_p, 0, 1
        )
        self.step_size = check_real(owner, "step_size", step_size, above=0)
        self.queue_length = check_int(owner, "queue_length", queue_length, minimum=1)
        self.low_threshold = check_real(owner, "low_threshold", low_threshold)
        self.high_threshold = check_real(owner, "high_threshold", high_threshold)
        if self.low_threshold > self.high_threshold:
            raise TeachgymUsageError(
                f"{owner}: low_threshold ({self.low_threshold}) must not exceed high_threshold "
                f"({self.high_threshold})"
            )
        parameters = list(task_space.parameters.values())
        self._integer = np.array([isinstance(p, Integer) for p in parameters])
        self.range_low = np.array([float(p.low) for p in parameters])  # type: ignore[attr-defined]
        self.range_high = np.array([float(p.high) for p in parameters])  # type: ignore[attr-defined]
        """The parameters' ranges, shape ``(d,)``: the box never leaves them."""
        if initial_task is None:
            raise TeachgymUsageError(
                f"{owner} needs an initial task (expert knowledge): pass initial_task={{...}}, "
                f"the task the box starts from, or initial_task={RANDOM_INITIAL_TASK!r} to "
                "draw it uniformly"
            )
        if isinstance(initial_task, str):
            if initial_task != RANDOM_INITIAL_TASK:
                raise TeachgymUsageError(
                    f"{owner}: initial_task must be a task or {RANDOM_INITIAL_TASK!r}, got "
                    f"{initial_task!r}"
                )
            self.initial_task: Task | str = RANDOM_INITIAL_TASK
            start = self._values(task_space.sample(self.rng))
        else:
            self.initial_task = task_space.validate(initial_task)
            start = self._values(self.initial_task)
        self.low = start.copy()
        """Current lower bounds of the box, shape ``(d,)``, in the parameters' units."""
        self.high = start.copy()
        """Current upper bounds of the box, shape ``(d,)``."""
        self.low_queues: list[list[float]] = [[] for _ in parameters]
        self.high_queues: list[list[float]] = [[] for _ in parameters]
        self.n_bound_moves = 0

    def _values(self, task: Mapping[str, Any]) -> np.ndarray:
        """A task's parameter values as floats, shape ``(d,)``."""
        return np.array([float(task[n]) for n in self.task_space.names])

    def _on_grid(self, values: np.ndarray) -> np.ndarray:
        """Box coordinates as parameter values: integers rounded, all clipped to the range."""
        snapped = np.where(self._integer, np.round(values), values)
        result: np.ndarray = np.clip(snapped, self.range_low, self.range_high)
        return result

    def _task(self, values: np.ndarray) -> Task:
        task: Task = {}
        for name, parameter, value in zip(
            self.task_space.names, self.task_space.parameters.values(), values, strict=True
        ):
            task[name] = int(value) if isinstance(parameter, Integer) else float(value)
        return self.task_space.validate(task)

    # -- protocol ---------------------------------------------------------------
    def _sample(self) -> Task:
        values = self.rng.uniform(self.low, self.high)
        if self.rng.random() < self.boundary_sampling_p:
            i = int(self.rng.integers(self.task_space.dim))
            capped = self.low[i] == self.range_low[i] and self.high[i] == self.range_high[i]
            if not capped:
                values[i] = self.low[i] if self.rng.random() < 0.5 else self.high[i]
        return self._task(self._on_grid(values))

    def _update(self, task: Task, outcome: Outcome) -> None:
        values = self._values(task)
        at_low = values == self._on_grid(self.low)
        at_high = values == self._on_grid(self.high)
        for i in range(self.task_space.dim):
            if at_low[i]:
                self.low_queues[i].append(outcome.episode_return)
                if len(self.low_queues[i]) == self.queue_length:
                    mean = float(np.mean(self.low_queues[i]))
                    if mean >= self.high_threshold:
                        self._move(i, "low", max(self.low[i] - self.step_size, self.range_low[i]))
                    elif mean <= self.low_threshold:
                        self._move(i, "low", min(self.low[i] + self.step_size, self.high[i]))
                    self.low_queues[i] = []
            if at_high[i]:
                self.high_queues[i].append(outcome.episode_return)
                if len(self.high_queues[i]) == self.queue_length:
                    mean = float(np.mean(self.high_queues[i]))
                    if mean >= self.high_threshold:
                        self._move(
                            i, "high", min(self.high[i] + self.step_size, self.range_high[i])
                        )
                    elif mean <= self.low_threshold:
                        self._move(i, "high", max(self.high[i] - self.step_size, self.low[i]))
                    self.high_queues[i] = []

    def _move(self, i: int, side: str, value: float) -> None:
        bounds = self.low if side == "low" else self.high
        if bounds[i] != value:
            bounds[i] = value
            self.n_bound_moves += 1

    # -- introspection ------------------------------------------------------------
    def box(self) -> dict[str, tuple[float, float]]:
        """The current sampling box: parameter name -> (low, high), in its own units."""
        return {
            name: (float(lo), float(hi))
            for name, lo, hi in zip(self.task_space.names, self.low, self.high, strict=True)
        }

    def diagnostics(self) -> dict[str, Any]:
        """Scalars: bound moves so far and the box's volume as a fraction of the space's."""
        width = np.where(self.range_high > self.range_low, self.range_high - self.range_low, 1.0)
        return {
            **super().diagnostics(),
            "bound_moves": self.n_bound_moves,
            "box_fraction": float(np.prod((self.high - self.low) / width)),
        }

    # -- state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "low": self.low.copy(),
            "high": self.high.copy(),
            "low_queues": [list(q) for q in self.low_queues],
            "high_queues": [list(q) for q in self.high_queues],
            "bound_moves": self.n_bound_moves,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            low = np.asarray(state["low"], dtype=np.float64)
            high = np.asarray(state["high"], dtype=np.float64)
            queues = (
                [[float(r) for r in q] for q in state["low_queues"]],
                [[float(r) for r in q] for q in state["high_queues"]],
            )
            moves = int(state["bound_moves"])
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
        dim = self.task_space.dim
        if low.shape != (dim,) or high.shape != (dim,) or any(len(q) != dim for q in queues):
            raise ValueError(f"saved {self.name} state does not fit a {dim}-parameter space")
        self.low, self.high = low, high
        self.low_queues, self.high_queues = queues
        self.n_bound_moves = moves
