"""Learning-potential scores of one episode for regret-based teachers.

Defined by PLR and Robust PLR (docs/references.md [jiang2021plr], [jiang2021rplr]) from
the student's value
estimates; all arrays are per environment step of one episode, shape ``(T,)``:

- ``positive_value_loss``: mean over the episode of ``max(A_t, 0)`` (A = GAE advantage);
- ``max_mc``: mean of ``R_max - V(s_t)`` with R_max the highest return ever seen on
  the level (this episode included);
- ``value_l1``: mean of ``|A_t|``.

For students without a value function, ``return_proxy`` is the documented
return-based substitute: the absolute change of the return on the level,
``|R - R_ref|``, where R_ref is the level's previous return, or the running mean
return over all levels for a level seen for the first time (a level whose return
moves is one the student is learning or forgetting: a learning-progress signal in
the spirit of ALP, with no value estimate needed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCORE_FUNCTIONS = ("positive_value_loss", "max_mc", "value_l1", "return_proxy")


@dataclass(frozen=True)
class EpisodeTrace:
    """What a student saw during one episode.

    Attributes:
        episode_return: undiscounted return.
        values: the student's value estimates V(s_t), shape ``(T,)``; ``None`` without a critic.
        advantages: GAE advantages A_t, shape ``(T,)``; ``None`` without a critic.
    """

    episode_return: float
    values: np.ndarray | None = None
    advantages: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("values", "advantages"):
            array = getattr(self, name)
            if array is None:
                continue
            array = np.asarray(array, dtype=np.float64)
            if array.ndim != 1 or array.size == 0:
                raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{name} hold non-finite numbers: the student diverged")
            object.__setattr__(self, name, array)


def positive_value_loss(advantages: np.ndarray) -> float:
    """Mean of ``max(A_t, 0)`` over the episode."""
    return float(np.mean(np.maximum(advantages, 0.0)))


def value_l1(advantages: np.ndarray) -> float:
    """Mean of ``|A_t|`` over the episode."""
    return float(np.mean(np.abs(advantages)))


def max_mc(values: np.ndarray, max_return: float) -> float:
    """Mean of ``max_return - V(s_t)`` over the episode."""
    return float(np.mean(max_return - values))


def return_proxy(episode_return: float, reference_return: float) -> float:
    """``|R - R_ref|``: the return-based score for students without a value function."""
    return abs(episode_return - reference_return)


def episode_score(
    score_function: str,
    trace: EpisodeTrace,
    level_max_return: float | None,
    reference_return: float,
) -> float:
    """The score ``score_function`` gives one episode.

    Args:
        score_function: one of :data:`SCORE_FUNCTIONS`.
        trace: the episode.
        level_max_return: best return seen on this level before (``None`` if new).
        reference_return: R_ref of :func:`return_proxy`.

    Students without value estimates always get :func:`return_proxy`.
    """
    if score_function not in SCORE_FUNCTIONS:
        raise ValueError(f"unknown score function {score_function!r}; known: {SCORE_FUNCTIONS}")
    if score_function == "return_proxy" or trace.values is None or trace.advantages is None:
        return return_proxy(trace.episode_return, reference_return)
    if score_function == "positive_value_loss":
        return positive_value_loss(trace.advantages)
    if score_function == "value_l1":
        return value_l1(trace.advantages)
    best = trace.episode_return if level_max_return is None else level_max_return
    return max_mc(trace.values, max(best, trace.episode_return))
