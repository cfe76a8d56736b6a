"""Pieces shared by the learning-progress teachers (ALP-GMM, Covar-GMM, RIAC).

- :func:`check_return_bounds` / :func:`rescale_return`: the optional rescaling of
  episode returns to [0, 1] from the environment's declared return bounds, as the
  2019 ALP-GMM code did for every teacher (walkers declare [-150, 350]). Teachers
  never import environments, so users pass ``env.unwrapped.return_bounds``.
- :class:`ProportionalChoice`: draw an index with probability proportional to
  non-negative values (uniform when they are all zero), in O(log n) per draw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError


def check_return_bounds(teacher: str, bounds: Any) -> tuple[float, float] | None:
    """Validate ``return_bounds``: ``None`` or a pair of finite numbers ``low < high``."""
    if bounds is None:
        return None
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise TeachgymUsageError(
            f"{teacher}: return_bounds must be a pair (low, high) of numbers, got {bounds!r}; "
            "pass the environment's env.unwrapped.return_bounds"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise TeachgymUsageError(
            f"{teacher}: return_bounds must be finite with low < high, got ({low}, {high})"
        )
    return (low, high)


def rescale_return(episode_return: float, bounds: tuple[float, float] | None) -> float:
    """``episode_return`` mapped from ``bounds`` to [0, 1], clipped (identity if None)."""
    if bounds is None:
        return float(episode_return)
    low, high = bounds
    return min(max((float(episode_return) - low) / (high - low), 0.0), 1.0)


def check_ratio(teacher: str, name: str, value: Any) -> float:
    """Validate a probability hyperparameter in [0, 1]."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise TeachgymUsageError(f"{teacher}: {name} must be a number in [0, 1], got {value!r}")
    return float(value)


MAX_COUNT = 10**9
"""Largest count hyperparameter (window, fit rate, region size) accepted: beyond it a
teacher would never fit, or its arithmetic would overflow."""


def check_positive_int(teacher: str, name: str, value: Any, minimum: int = 1) -> int:
    """Validate an integer hyperparameter in ``[minimum, MAX_COUNT]``."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise TeachgymUsageError(
            f"{teacher}: {name} must be an integer >= {minimum}, got {value!r}"
        )
    if value > MAX_COUNT:
        raise TeachgymUsageError(
            f"{teacher}: {name} must be an integer in [{minimum}, {MAX_COUNT}], got {value!r}"
        )
    return int(value)


class ProportionalChoice:
    """Draw index ``i`` with probability ``values[i] / sum(values)``.

    Negative values count as zero; if every value is zero the draw is uniform (as
    the reference ``proportional_choice``). Building is O(n); each draw costs one
    uniform number and a binary search.
    """

    def __init__(self, values: Sequence[float] | np.ndarray) -> None:
        weights = np.maximum(np.asarray(values, dtype=np.float64), 0.0)
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(f"ProportionalChoice needs a non-empty 1-d sequence, got {values!r}")
        total = float(weights.sum())
        self.probabilities = (
            weights / total if total > 0 else np.full(weights.size, 1.0 / weights.size)
        )
        self._cumulative = np.cumsum(self.probabilities)
        self._cumulative[-1] = 1.0

    def draw(self, rng: np.random.Generator) -> int:
        index = int(np.searchsorted(self._cumulative, rng.random(), side="right"))
        return min(index, self._cumulative.size - 1)
