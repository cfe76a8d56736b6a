"""Schedule teachers: move one named task parameter a step each time the student succeeds.

QWeb (Gur et al., ICLR 2019; docs/references.md [gur2019qweb], Section 4.1 and
Algorithm 1) trains web agents with two curricula. *Warm-start*: an oracle performs
part of the instruction before the agent acts, and that part shrinks as training goes
on. *Sub-instructions* (goal simulation): the agent is first asked for a small subset
of the instruction's fields, and the subset grows. Both move one difficulty knob
monotonically from easy to hard. :class:`ScheduleTeacher` is that curriculum for any
numeric parameter of any task space: the teacher holds the parameter at the current
level of a ladder of ``n_levels + 1`` evenly spaced values from ``start`` to ``end``
and draws every other parameter uniformly, as the random teacher does.

The paper moves its knobs on a schedule over training; it states no success
threshold. The rule here is ours, so that the schedule follows the student rather
than a budget fixed in advance: the level moves one step towards ``end`` once
``window`` episodes have been played at the current level and their success rate
is at least ``threshold``; otherwise the count starts again after every ``window``
episodes (a sliding decision over disjoint windows). Only episodes played at the
current level count: an episode reported after a move but sampled before it (the
vector path holds tasks in advance) is ignored. The last level is kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Continuous, Integer, Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.validation import check_int, check_real


class ScheduleTeacher(Teacher):
    """Holds ``parameter`` at a level that moves from ``start`` to ``end`` as success rises.

    Args:
        task_space: any task space with a continuous or integer parameter ``parameter``.
        seed: seed of the teacher's generator (the other parameters' draws).
        parameter: the name of the parameter the schedule moves (required).
        start: its value at the first (easiest) level, within the parameter's range.
        end: its value at the last (hardest) level, within the range.
        n_levels: steps from ``start`` to ``end`` (level ``k`` is
            ``start + (end - start) * k / n_levels``, rounded for an integer parameter).
        window: episodes at one level before a decision.
        threshold: success rate over a window that moves the level one step.

    Raises:
        TeachgymUsageError: for a parameter the space lacks or that is not numeric, a
            ``start`` or ``end`` out of its range, or bad ``n_levels``, ``window`` or
            ``threshold``.
    """

    name = "schedule"
    requires_success = True

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        parameter: str | None = None,
        start: float = 0.0,
        end: float = 1.0,
        n_levels: int = 10,
        window: int = 50,
        threshold: float = 0.75,
    ) -> None:
        super().__init__(task_space, seed)
        owner = f"teacher {self.name!r}"
        kind = task_space.parameters.get(parameter) if parameter is not None else None
        if parameter is None or not isinstance(kind, Continuous | Integer):
            numeric = [
                n for n, p in task_space.parameters.items() if isinstance(p, Continuous | Integer)
            ]
            if not numeric:
                raise TeachgymUsageError(
                    f"{owner} works on continuous and integer parameters only; this task "
                    "space has none"
                )
            raise TeachgymUsageError(
                f"{owner}: parameter must name a continuous or integer parameter of the task "
                f"space, one of {numeric}; got {parameter!r}"
            )
        self.parameter = parameter
        low, high = float(kind.low), float(kind.high)
        self.start = check_real(owner, "start", start, minimum=low, maximum=high)
        self.end = check_real(owner, "end", end, minimum=low, maximum=high)
        self.n_levels = check_int(owner, "n_levels", n_levels, minimum=1)
        self.window = check_int(owner, "window", window, minimum=1)
        self.threshold = check_real(owner, "threshold", threshold, minimum=0.0, maximum=1.0)
        self._integer = isinstance(kind, Integer)
        self.level = 0
        """Index of the current level, 0 (``start``) to ``n_levels`` (``end``)."""
        self._played = 0
        self._successes = 0

    def level_value(self, level: int | None = None) -> float | int:
        """The parameter's value at ``level`` (default: the current level)."""
        k = self.level if level is None else level
        value = self.start + (self.end - self.start) * k / self.n_levels
        return math.floor(value + 0.5) if self._integer else value

    def _sample(self) -> Task:
        task = self.task_space.sample(self.rng)
        task[self.parameter] = self.level_value()
        return self.task_space.validate(task)

    def _update(self, task: Task, outcome: Outcome) -> None:
        if self.level == self.n_levels or not _same(task[self.parameter], self.level_value()):
            return
        self._played += 1
        self._successes += bool(outcome.success)
        if self._played < self.window:
            return
        if self._successes >= self.threshold * self.window:
            self.level += 1
        self._played = self._successes = 0

    def diagnostics(self) -> dict[str, Any]:
        return {
            **super().diagnostics(),
            "level": self.level,
            self.parameter: float(self.level_value()),
        }

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "level": self.level,
            "played": self._played,
            "successes": self._successes,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        level, played, successes = (int(state[k]) for k in ("level", "played", "successes"))
        if not (0 <= level <= self.n_levels and 0 <= successes <= played < self.window):
            raise TeachgymUsageError(
                f"this state of teacher {self.name!r} does not fit its hyperparameters "
                f"(level {level} of {self.n_levels}, {successes}/{played} of a {self.window}-"
                "episode window)"
            )
        self.level, self._played, self._successes = level, played, successes


def _same(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=1e-9)


class QWebWarmStartTeacher(ScheduleTeacher):
    """QWeb's warm-start curriculum: the share of the instruction an oracle performs
    first (``warm_start``) shrinks from 1 to 0 as the student succeeds.

    Same arguments as :class:`ScheduleTeacher`, with the parameter defaulting to
    ``warm_start`` and the ladder to 1.0 -> 0.0 in 10 steps (our choice; the paper
    decreases its warm-start share over training, Section 4.1).
    """

    name = "qweb-warm-start"

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        parameter: str | None = "warm_start",
        start: float = 1.0,
        end: float = 0.0,
        n_levels: int = 10,
        window: int = 50,
        threshold: float = 0.75,
    ) -> None:
        super().__init__(task_space, seed, parameter, start, end, n_levels, window, threshold)


class QWebSubinstructionTeacher(ScheduleTeacher):
    """QWeb's sub-instruction curriculum: the share of the fields the instruction asks
    for (``required_fraction``) grows from 0 (one field) to 1 as the student succeeds.

    Same arguments as :class:`ScheduleTeacher`, with the parameter defaulting to
    ``required_fraction`` and the ladder to 0.0 -> 1.0 in 10 steps (our choice; the
    paper grows the subset of sub-instructions over training, Section 4.1).
    """

    name = "qweb-subinstruction"

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        parameter: str | None = "required_fraction",
        start: float = 0.0,
        end: float = 1.0,
        n_levels: int = 10,
        window: int = 50,
        threshold: float = 0.75,
    ) -> None:
        super().__init__(task_space, seed, parameter, start, end, n_levels, window, threshold)
