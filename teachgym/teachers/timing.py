"""Measure the time a teacher costs: wall time inside its sample, update and scoring."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from teachgym.teachers.base import Teacher

TIMED_METHODS = ("sample", "update", "episode_score")
"""The teacher's methods the curriculum calls (``episode_score`` only if it has one)."""


class TeacherTimer:
    """Accumulates the wall time spent in a teacher's :data:`TIMED_METHODS`.

    The methods are wrapped on the instance, so the teacher keeps its type, its
    capabilities and its behaviour; only the time is recorded (the overhead measure of
    the regret-based curriculum benchmarks: teacher time as a fraction of wall time).

    Args:
        teacher: the teacher to time (wrapped in place).
        clock: seconds as a float (default ``time.perf_counter``).
    """

    def __init__(self, teacher: Teacher, clock: Callable[[], float] = time.perf_counter) -> None:
        if not isinstance(teacher, Teacher):
            raise TypeError(f"TeacherTimer needs a Teacher, got {type(teacher).__name__}")
        self.teacher = teacher
        self.clock = clock
        self.seconds = 0.0
        """Total wall time inside the timed methods, in seconds."""
        self.calls = 0
        for name in TIMED_METHODS:
            method = getattr(teacher, name, None)
            if method is not None:
                setattr(teacher, name, self._timed(method))

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = self.clock()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += self.clock() - start
                self.calls += 1

        return timed
