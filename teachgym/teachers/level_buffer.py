"""A buffer of scored levels for regret-based teachers (PLR, Robust PLR, ACCEL).

A *level* is a task that carries a ``level_seed`` (task parameters + seed pin the
episode's content exactly). The buffer keeps up to ``capacity`` levels with their
learning-potential score, the episode count when each was last sampled (for
staleness), the best return ever seen on it (for MaxMC) and its last return.

Replay weights follow PLR (Jiang et al., ICML 2021; docs/references.md [jiang2021plr])::

    P = (1 - rho) * P_score + rho * P_staleness
    P_score     ∝ (1 / rank(score)) ** (1 / beta)     # beta is an EXPONENT's inverse
    P_staleness ∝ clock - last_sampled

Tied scores share the best rank of their group (so weights never depend on slot
order); a staleness vector of zeros falls back to uniform; an empty buffer raises.

Several sub-environments may replay one level at the same time. Each replay is
counted as *outstanding* when sampled; scores reported for the level are pooled
until every outstanding replay has reported, and the level's score is then
updated once with their mean. The result does not depend on which worker
finishes first (a known defect of prior implementations overwrote the score with
whichever episode ended last). At most :data:`MAX_POOLED` reports are pooled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.tasks import LEVEL_SEED, Task

MAX_POOLED = 32
"""At most this many reports are pooled for one level: a replay that was handed out
but never ran (e.g. a sub-environment reset by its owner) cannot freeze a score."""


def level_key(task: Mapping[str, Any]) -> str:
    """A canonical string identifying a level (its parameters and its ``level_seed``)."""
    return json.dumps(dict(task), sort_keys=True, separators=(",", ":"))


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = highest score; tied scores share the best rank of their group.

    Args:
        scores: shape ``(n,)``, finite.

    Returns:
        Integer ranks of shape ``(n,)`` (e.g. scores 3, 5, 5 give ranks 3, 1, 1).
    """
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    positions = np.arange(scores.size)
    starts = np.ones(scores.size, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    ranks = np.empty(scores.size, dtype=np.int64)
    ranks[order] = np.maximum.accumulate(np.where(starts, positions, 0)) + 1
    return ranks


def rank_weights(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Rank prioritisation: ``P_i ∝ (1 / rank_i) ** (1 / temperature)``, rank 1 = highest score.

    Args:
        scores: shape ``(n,)``, finite, ``n >= 1``.
        temperature: β > 0; smaller β concentrates the weight on the top ranks.

    Returns:
        Probabilities of shape ``(n,)`` summing to 1. Tied scores get equal weights.
    """
    if scores.size == 0:
        raise ValueError("rank weights of an empty buffer are undefined: add a level first")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    # Log space: (1/rank)^(1/β) underflows harmlessly to 0, rank 1 keeps weight 1.
    weights = np.exp(-np.log(competition_ranks(scores)) / temperature)
    return np.asarray(weights / weights.sum())


def staleness_weights(last_sampled: np.ndarray, clock: int) -> np.ndarray:
    """``P_i ∝ clock - last_sampled_i`` (uniform when every level was just sampled)."""
    staleness = np.maximum(clock - last_sampled, 0).astype(np.float64)
    total = staleness.sum()
    if total <= 0:
        return np.full(staleness.shape, 1.0 / staleness.size)
    return np.asarray(staleness / total)


class LevelBuffer:
    """Fixed-capacity store of scored levels with replay sampling.

    Args:
        capacity: maximum number of levels.
        temperature: β of the rank prioritisation (used as the exponent ``1/β``).
        staleness_coef: rho in [0, 1], the weight of staleness in the replay mix.
        score_alpha: in (0, 1]; a replayed level's new score is
            ``(1 - score_alpha) * old + score_alpha * new`` (1 replaces it).
    """

    def __init__(
        self,
        capacity: int,
        temperature: float,
        staleness_coef: float,
        score_alpha: float = 1.0,
    ) -> None:
        if not (isinstance(capacity, int) and capacity >= 1):
            raise ValueError(f"buffer capacity must be an integer >= 1, got {capacity!r}")
        if not temperature > 0:
            raise ValueError(
                f"temperature must be > 0 (it is used as the exponent 1/β), got {temperature}"
            )
        if not 0.0 <= staleness_coef <= 1.0:
            raise ValueError(f"staleness_coef must be in [0, 1], got {staleness_coef}")
        if not 0.0 < score_alpha <= 1.0:
            raise ValueError(f"score_alpha must be in (0, 1], got {score_alpha}")
        self.capacity = capacity
        self.temperature = float(temperature)
        self.staleness_coef = float(staleness_coef)
        self.score_alpha = float(score_alpha)
        self.clock = 0
        """Episodes sampled so far (new or replayed): the staleness clock."""
        self.levels: list[Task] = []
        self._slots: dict[Any, list[int]] = {}
        """``level_seed`` -> slots holding a level with that seed (compared in full)."""
        self.scores = np.zeros(capacity)
        self.last_sampled = np.zeros(capacity, dtype=np.int64)
        self.max_returns = np.zeros(capacity)
        self.last_returns = np.zeros(capacity)
        self.outstanding = np.zeros(capacity, dtype=np.int64)
        self.pending_sum = np.zeros(capacity)
        self.pending_count = np.zeros(capacity, dtype=np.int64)
        self._score_weights: np.ndarray | None = None
        """Cached rank part of the replay weights; ``None`` once a score changes."""

    # -- queries ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.levels)

    @property
    def fill(self) -> float:
        """Fraction of the capacity in use, in [0, 1]."""
        return len(self.levels) / self.capacity

    def index_of(self, task: Mapping[str, Any]) -> int | None:
        """Slot of ``task`` if it is in the buffer (same parameters and ``level_seed``)."""
        for index in self._slots.get(task.get(LEVEL_SEED), ()):
            if self.levels[index] == task:
                return index
        return None

    def _index(self) -> None:
        """Rebuild the ``level_seed`` index of :attr:`levels`."""
        self._slots = {}
        for index, level in enumerate(self.levels):
            self._slots.setdefault(level[LEVEL_SEED], []).append(index)

    def __contains__(self, task: object) -> bool:
        return isinstance(task, Mapping) and self.index_of(task) is not None

    def replay_weights(self) -> np.ndarray:
        """Replay probabilities of the stored levels, shape ``(len(self),)``."""
        n = len(self.levels)
        if n == 0:
            raise ValueError("the level buffer is empty: there is nothing to replay yet")
        if self._score_weights is None:
            self._score_weights = rank_weights(self.scores[:n], self.temperature)
        weights = self._score_weights
        if self.staleness_coef > 0:
            stale = staleness_weights(self.last_sampled[:n], self.clock)
            weights = (1.0 - self.staleness_coef) * weights + self.staleness_coef * stale
        return weights

    # -- sampling and updates ------------------------------------------------------
    def tick(self) -> None:
        """Advance the staleness clock by one sampled episode."""
        self.clock += 1

    def sample_replay(self, rng: np.random.Generator) -> Task:
        """Draw a stored level by its replay weight and mark it sampled (and outstanding)."""
        # The draw of rng.choice(len(weights), p=weights), without its checks' overhead.
        cumulative = np.cumsum(self.replay_weights())
        cumulative /= cumulative[-1]
        index = min(int(cumulative.searchsorted(rng.random(), side="right")), len(cumulative) - 1)
        self.last_sampled[index] = self.clock
        self.outstanding[index] += 1
        return dict(self.levels[index])

    def record(self, index: int, score: float, episode_return: float) -> None:
        """A replayed level's episode reported ``score``; pooled until all replays report."""
        self.max_returns[index] = max(self.max_returns[index], episode_return)
        self.last_returns[index] = episode_return
        self.pending_sum[index] += score
        self.pending_count[index] += 1
        if self.outstanding[index] > 0:
            self.outstanding[index] -= 1
        if self.pending_count[index] >= MAX_POOLED:
            self.outstanding[index] = 0  # replays handed out but never run: stop waiting
        if self.outstanding[index] == 0:
            mean = self.pending_sum[index] / self.pending_count[index]
            old = self.scores[index]
            self.scores[index] = (1.0 - self.score_alpha) * old + self.score_alpha * mean
            self._score_weights = None
            self.pending_sum[index] = 0.0
            self.pending_count[index] = 0

    def lowest_support(self) -> int:
        """Slot with the lowest replay weight (the member a new level would replace)."""
        return int(np.argmin(self.replay_weights()))

    def try_insert(self, task: Mapping[str, Any], score: float, episode_return: float) -> bool:
        """Add a new level; when full, replace the lowest-support member if ``score`` beats it.

        Raises:
            ValueError: if ``task`` has no ``level_seed`` or is already stored.
        """
        if LEVEL_SEED not in task:
            raise ValueError(f"a level needs a {LEVEL_SEED!r} to be replayable, got {task!r}")
        if self.index_of(task) is not None:
            raise ValueError("this level is already in the buffer; record() its replay instead")
        if len(self.levels) < self.capacity:
            index = len(self.levels)
            self.levels.append(dict(task))
        else:
            index = self.lowest_support()
            if score <= self.scores[index]:
                return False
            old_seed = self.levels[index][LEVEL_SEED]
            self._slots[old_seed].remove(index)
            if not self._slots[old_seed]:
                del self._slots[old_seed]
            self.levels[index] = dict(task)
        self._slots.setdefault(task[LEVEL_SEED], []).append(index)
        self.scores[index] = score
        self._score_weights = None
        self.last_sampled[index] = self.clock
        self.max_returns[index] = episode_return
        self.last_returns[index] = episode_return
        self.outstanding[index] = 0
        self.pending_sum[index] = 0.0
        self.pending_count[index] = 0
        return True

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """JSON scalars, the level list and numpy arrays (see :mod:`teachgym.state_io`)."""
        return {
            "clock": self.clock,
            "levels": [dict(level) for level in self.levels],
            "scores": self.scores.copy(),
            "last_sampled": self.last_sampled.copy(),
            "max_returns": self.max_returns.copy(),
            "last_returns": self.last_returns.copy(),
            "outstanding": self.outstanding.copy(),
            "pending_sum": self.pending_sum.copy(),
            "pending_count": self.pending_count.copy(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore from :meth:`state_dict`; raises ``ValueError`` on a mismatched state."""
        levels = [dict(level) for level in state["levels"]]
        if len(levels) > self.capacity:
            raise ValueError(
                f"saved buffer holds {len(levels)} levels but this buffer's capacity is "
                f"{self.capacity}; build the teacher with the same hyperparameters"
            )
        for name in (
            "scores",
            "last_sampled",
            "max_returns",
            "last_returns",
            "outstanding",
            "pending_sum",
            "pending_count",
        ):
            array = np.asarray(state[name])
            if array.shape != (self.capacity,):
                raise ValueError(
                    f"saved buffer entry {name!r} has shape {array.shape}, expected "
                    f"({self.capacity},)"
                )
            getattr(self, name)[...] = array
        self.clock = int(state["clock"])
        self.levels = levels
        self._score_weights = None
        self._index()
