"""Absolute learning progress from the nearest previously seen task (ALP-GMM, step 2).

Portelas et al., CoRL 2019 (docs/references.md [portelas2019]): ALP of a new
(task, return) = |return - return of the nearest
previously seen task|, the nearest neighbour taken in task space over the whole
history; 0 while fewer than a handful of tasks are known (the 2019 code: while
at most 5 are stored). Distances are Euclidean in the task space's normalised
[0, 1] vectors (the 2019 code used raw parameter units).

A scipy ``cKDTree`` cannot grow, so the history is split in two: a tree over
the first ``n_tree`` points, rebuilt every ``rebuild_every`` additions, and a
brute-force scan over the newer points (as the reference's buffered KD-tree).
A query is O(log n + rebuild_every * d); a rebuild is O(n log n) every
``rebuild_every`` episodes. The tree is a pure function of the stored history,
so a restored history answers every query exactly as the original.

Deviation: the history keeps at most ``limit`` points (default :data:`HISTORY_LIMIT`,
one million). Once full, the oldest ``rebuild_every`` points are dropped, so the
nearest neighbour is taken over the most recent ``limit - rebuild_every`` to
``limit`` tasks. The reference keeps every task, so its memory and its tree
rebuilds grow without bound; a million tasks is far more episodes than any
published run, so the cap changes none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

HISTORY_LIMIT = 1_000_000
"""Most (task, return) pairs the history keeps (about 8 * (dim + 2) MB per million)."""
MIN_KNOWN_TASKS = 6
"""ALP is 0 until this many tasks are stored (the reference: ``len(history) > 5``)."""


class NearestNeighbourALP:
    """The (task, return) history and the ALP of each new task against it.

    Args:
        dim: task vector length.
        rebuild_every: how many new points may wait in the brute-force buffer before
            the KD-tree is rebuilt over the whole history (reference: 500).
        limit: most points kept; the oldest ``rebuild_every`` go when it is reached.

    Attributes:
        n_added: points added since the start, dropped ones included.
    """

    def __init__(self, dim: int, rebuild_every: int = 500, limit: int = HISTORY_LIMIT) -> None:
        if limit <= rebuild_every:
            raise ValueError(f"limit must exceed rebuild_every, got {limit} <= {rebuild_every}")
        self.dim = dim
        self.rebuild_every = rebuild_every
        self.limit = limit
        self.n_added = 0
        self._tasks = np.empty((1024, dim), dtype=np.float64)
        self._returns = np.empty(1024, dtype=np.float64)
        self._alps = np.empty(1024, dtype=np.float64)
        self.size = 0
        self.n_tree = 0
        self._tree: cKDTree | None = None

    def __len__(self) -> int:
        return self.size

    @property
    def tasks(self) -> np.ndarray:
        """Stored task vectors, shape ``(size, dim)`` (a view)."""
        return self._tasks[: self.size]

    @property
    def returns(self) -> np.ndarray:
        """Stored returns, shape ``(size,)`` (a view)."""
        return self._returns[: self.size]

    @property
    def alps(self) -> np.ndarray:
        """ALP computed for each stored task when it arrived, shape ``(size,)`` (a view)."""
        return self._alps[: self.size]

    def nearest(self, vector: np.ndarray) -> int:
        """Index of the stored task nearest to ``vector`` (exact ties broken deterministically)."""
        if self.size == 0:
            raise ValueError("the history is empty: no nearest task")
        best_index, best_distance = -1, np.inf
        if self._tree is not None:
            distance, index = self._tree.query(vector, k=1)
            best_index, best_distance = int(index), float(distance)
        buffer = self._tasks[self.n_tree : self.size]
        if buffer.shape[0]:
            distances = np.sqrt(((buffer - vector) ** 2).sum(axis=1))
            i = int(np.argmin(distances))
            if distances[i] < best_distance:
                best_index = self.n_tree + i
        return best_index

    def add(self, vector: np.ndarray, episode_return: float) -> float:
        """Store (``vector``, ``episode_return``) and return its ALP against the earlier history."""
        vector = np.asarray(vector, dtype=np.float64)
        alp = 0.0
        if self.size >= MIN_KNOWN_TASKS:
            alp = abs(float(episode_return) - float(self._returns[self.nearest(vector)]))
        if self.size == self.limit:
            self._drop_oldest(self.rebuild_every)
        if self.size == self._tasks.shape[0]:
            self._grow()
        self._tasks[self.size] = vector
        self._returns[self.size] = episode_return
        self._alps[self.size] = alp
        self.size += 1
        self.n_added += 1
        if self.size - self.n_tree >= self.rebuild_every:
            self._rebuild(self.size)
        return alp

    def _drop_oldest(self, count: int) -> None:
        keep = slice(count, self.size)
        for name in ("_tasks", "_returns", "_alps"):
            array = getattr(self, name)
            array[: self.size - count] = array[keep].copy()
        self.size -= count
        self._rebuild(self.size)

    def _grow(self) -> None:
        capacity = min(2 * self._tasks.shape[0], self.limit)
        for name in ("_tasks", "_returns", "_alps"):
            old = getattr(self, name)
            new = np.empty((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)

    def _rebuild(self, n_tree: int) -> None:
        self.n_tree = n_tree
        self._tree = cKDTree(self._tasks[:n_tree].copy()) if n_tree else None

    # -- state ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks.copy(),
            "returns": self.returns.copy(),
            "alps": self.alps.copy(),
            "n_tree": self.n_tree,
            "n_added": self.n_added,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        tasks = np.asarray(state["tasks"], dtype=np.float64).reshape(-1, self.dim)
        returns = np.asarray(state["returns"], dtype=np.float64)
        alps = np.asarray(state["alps"], dtype=np.float64)
        n_tree = int(state["n_tree"])
        if not (returns.shape == alps.shape == (tasks.shape[0],) and 0 <= n_tree <= len(returns)):
            raise ValueError(
                f"inconsistent ALP history in the saved state: {tasks.shape[0]} tasks, "
                f"{returns.shape} returns, {alps.shape} ALPs, {n_tree} in the tree"
            )
        if tasks.shape[0] > self.limit:
            raise ValueError(
                f"the saved ALP history holds {tasks.shape[0]} tasks, more than the limit "
                f"{self.limit}; build the teacher with the limit it was saved with"
            )
        capacity = min(max(1024, 2 * tasks.shape[0]), self.limit)
        self._tasks = np.empty((capacity, self.dim), dtype=np.float64)
        self._returns = np.empty(capacity, dtype=np.float64)
        self._alps = np.empty(capacity, dtype=np.float64)
        self.size = tasks.shape[0]
        self._tasks[: self.size] = tasks
        self._returns[: self.size] = returns
        self._alps[: self.size] = alps
        self.n_added = int(state.get("n_added", self.size))
        self._rebuild(n_tree)
