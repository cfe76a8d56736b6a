"""RIAC (SAGG-RIAC's region splitting): sample regions in proportion to learning progress.

Source: Baranes and Oudeyer, "R-IAC: Robust Intrinsically Motivated Exploration
and Active Learning", 2009, and SAGG-RIAC (2013), as re-implemented for the
ALP-GMM paper (Portelas et al., CoRL 2019) and TeachMyAgent (docs/references.md
[baranes2009], [baranes2013], [romac2021]), with the details of those re-implementations:

- Regions are boxes in the normalised task space, organised as a tree whose
  root is the whole space. Every reported (task, return) is stored in each
  region on the root-to-leaf path that contains the task (at most
  ``max_region_size + 1`` recent pairs per region).
- A region's ALP is |mean of the older half - mean of the newer half| of its
  last ``alp_window`` returns (0 with fewer than 3).
- When a leaf holds more than ``max_region_size`` pairs it tries
  ``split_attempts`` random splits (a random dimension, a uniform threshold),
  each redrawn until both children hold at least ``min_region_size`` pairs; a
  split is valid if every child side is at least ``min_dims_range_ratio`` of the
  space's range. The valid split with the largest |ALP(child 1) - ALP(child 2)|
  wins. Without a valid split, the leaf forgets its oldest
  ``discard_ratio * max_region_size`` pairs.
- Sampling: with probability ``mutation_ratio`` (0.1) take a region chosen in
  proportion to ALP, its lowest-return task, and add Gaussian noise
  (``mutation_std``, clipped to the region); with probability
  ``random_task_ratio`` (0.2) a uniform task; otherwise a region chosen in
  proportion to ALP (every region of the tree, uniform if all ALPs are 0) and a
  uniform task in it.

Deviations from the reference code, where it differs from what it intends: the
children of a split get the ALPs of the winning split (the code kept those of
the last attempt); a split score is |ALP difference| exactly as the code
computes it (its size factor is a constant); redrawing a threshold stops after
100 tries (the attempt then counts as invalid) so a leaf whose tasks all
coincide cannot loop forever. The defaults are ``paper``'s (max_region_size 200,
50 split attempts: the reference code's); :data:`TEACHER_PRESETS` also has
``teachmyagent`` (150, 75): ``RIACTeacher.from_preset("teachmyagent", space)``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.encoding import TaskEncoding
from teachgym.teachers.learning_progress import (
    ProportionalChoice,
    check_positive_int,
    check_ratio,
    check_return_bounds,
    rescale_return,
)
from teachgym.validation import check_real

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "paper": {"max_region_size": 200, "split_attempts": 50},
    "teachmyagent": {"max_region_size": 150, "split_attempts": 75},
}
MAX_THRESHOLD_DRAWS = 100
"""Threshold redraws per split attempt before the attempt counts as invalid."""
_MUTATION_MARGIN = 1e-5
"""Mutated tasks stay this far inside their region (as the reference)."""


def window_alp(returns: np.ndarray, window: int) -> float:
    """|mean(older half) - mean(newer half)| of the last ``window`` returns (0 if < 3 returns)."""
    n = returns.shape[0]
    if n <= 2:
        return 0.0
    width = min(n, window)
    half = width // 2
    return abs(float(returns[n - width : n - half].mean()) - float(returns[n - half :].mean()))


@dataclass
class Region:
    """A box of the normalised task space with its recent (task, return) pairs.

    Attributes:
        low, high: corners, shape ``(d,)``.
        parent: index of the parent region (-1 for the root).
        tasks, returns: the stored pairs, oldest first.
        alp: current absolute learning progress.
        split_dim, split_threshold, children: set once the region is split; child 0
            holds ``vector[split_dim] <= split_threshold``.
    """

    low: np.ndarray
    high: np.ndarray
    parent: int
    tasks: deque[np.ndarray]
    returns: deque[float]
    alp: float = 0.0
    split_dim: int = -1
    split_threshold: float = float("nan")
    children: tuple[int, int] | None = field(default=None)

    def child_for(self, vector: np.ndarray) -> int:
        assert self.children is not None
        return self.children[0 if vector[self.split_dim] <= self.split_threshold else 1]


class RIACTeacher(Teacher):
    """RIAC / SAGG-RIAC region splitting (see the module docstring for the algorithm).

    Args:
        task_space: continuous and integer parameters (categorical ones with
            ``categorical_encoding``).
        seed: seed of the teacher's generator.
        max_region_size: a leaf holding more pairs than this is split.
        split_attempts: random splits tried per split.
        min_region_size: least pairs per child of a split (default max_region_size / 20).
        min_dims_range_ratio: least side of a child, as a fraction of the space (1/6).
        discard_ratio: fraction of max_region_size a leaf forgets when no split is valid.
        alp_window: returns per region used for ALP (default max_region_size).
        random_task_ratio: probability of a uniform task (0.2).
        mutation_ratio: probability of mutating a region's lowest-return task (0.1).
        mutation_std: standard deviation of that mutation in normalised units (0.1).
        return_bounds: ``(low, high)`` to rescale returns to [0, 1]; ``None``: raw returns.
        categorical_encoding: ``None`` (categorical parameters refused), ``"one-hot"`` or
            ``"ordinal"`` (:mod:`teachgym.teachers.encoding`).
    """

    name = "riac"
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        max_region_size: int = 200,
        split_attempts: int = 50,
        min_region_size: float | None = None,
        min_dims_range_ratio: float = 1 / 6,
        discard_ratio: float = 1 / 4,
        alp_window: int | None = None,
        random_task_ratio: float = 0.2,
        mutation_ratio: float = 0.1,
        mutation_std: float = 0.1,
        return_bounds: Sequence[float] | None = None,
        categorical_encoding: str | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        self.encoding = TaskEncoding(task_space, categorical_encoding, self.name)
        self.categorical_encoding = categorical_encoding
        self.max_region_size = check_positive_int(
            self.name, "max_region_size", max_region_size, minimum=2
        )
        self.split_attempts = check_positive_int(self.name, "split_attempts", split_attempts)
        if min_region_size is None:
            min_region_size = self.max_region_size / 20
        if (
            isinstance(min_region_size, bool)
            or not isinstance(min_region_size, int | float)
            or not (0 <= min_region_size <= (self.max_region_size + 1) / 2)
        ):
            raise ValueError(
                f"{self.name}: min_region_size must be a number in [0, (max_region_size + 1) / 2 "
                f"= {(self.max_region_size + 1) / 2}], got {min_region_size!r}"
            )
        self.min_region_size = float(min_region_size)
        self.min_dims_range_ratio = check_ratio(
            self.name, "min_dims_range_ratio", min_dims_range_ratio
        )
        self.discard_ratio = check_ratio(self.name, "discard_ratio", discard_ratio)
        self.alp_window = check_positive_int(
            self.name, "alp_window", self.max_region_size if alp_window is None else alp_window
        )
        self.random_task_ratio = check_ratio(self.name, "random_task_ratio", random_task_ratio)
        self.mutation_ratio = check_ratio(self.name, "mutation_ratio", mutation_ratio)
        if self.random_task_ratio + self.mutation_ratio > 1:
            raise ValueError(
                f"{self.name}: random_task_ratio + mutation_ratio must be <= 1, got "
                f"{self.random_task_ratio} + {self.mutation_ratio}"
            )
        if not isinstance(mutation_std, int | float) or not mutation_std >= 0:
            raise ValueError(f"{self.name}: mutation_std must be >= 0, got {mutation_std!r}")
        self.mutation_std = check_real(self.name, "mutation_std", mutation_std, minimum=0.0)
        self.return_bounds = check_return_bounds(self.name, return_bounds)

        dim = self.encoding.dim
        self.regions: list[Region] = [self._new_region(np.zeros(dim), np.ones(dim), -1)]
        self._region_choice = ProportionalChoice([0.0])
        self.n_splits = 0

    def _new_region(
        self,
        low: np.ndarray,
        high: np.ndarray,
        parent: int,
        tasks: Sequence[np.ndarray] = (),
        returns: Sequence[float] = (),
        alp: float = 0.0,
    ) -> Region:
        capacity = self.max_region_size + 1
        return Region(
            low=low,
            high=high,
            parent=parent,
            tasks=deque(tasks, maxlen=capacity),
            returns=deque(returns, maxlen=capacity),
            alp=alp,
        )

    # -- protocol ----------------------------------------------------------------
    def _sample(self) -> Task:
        mode = self.rng.random()
        if self.mutation_ratio <= mode < self.mutation_ratio + self.random_task_ratio:
            return self.task_space.sample(self.rng)
        region = self.regions[self._region_choice.draw(self.rng)]
        if mode < self.mutation_ratio and region.returns:
            worst = region.tasks[int(np.argmin(np.asarray(region.returns)))]
            vector = worst + self.rng.normal(0.0, self.mutation_std, size=worst.shape)
            vector = np.clip(vector, region.low + _MUTATION_MARGIN, region.high - _MUTATION_MARGIN)
        else:
            vector = self.rng.uniform(region.low, region.high)
        return self.encoding.decode(vector)

    def _update(self, task: Task, outcome: Outcome) -> None:
        vector = self.encoding.encode(task)
        episode_return = rescale_return(outcome.episode_return, self.return_bounds)
        path = [0]
        while self.regions[path[-1]].children is not None:
            path.append(self.regions[path[-1]].child_for(vector))
        for index in path:
            self.regions[index].tasks.append(vector)
            self.regions[index].returns.append(episode_return)
        leaf = self.regions[path[-1]]
        if len(leaf.returns) > self.max_region_size:
            self._split(path[-1])
        for index in path:
            region = self.regions[index]
            region.alp = window_alp(np.asarray(region.returns), self.alp_window)
        self._region_choice = ProportionalChoice([r.alp for r in self.regions])

    def _split(self, index: int) -> bool:
        """Split the full leaf ``index`` if a valid split exists, else make it forget."""
        region = self.regions[index]
        tasks = np.asarray(region.tasks)
        returns = np.asarray(region.returns)
        min_side = self.min_dims_range_ratio  # the normalised space has range 1 per dimension
        best: tuple[int, float, np.ndarray, float, float] | None = None
        best_score = 0.0
        for _ in range(self.split_attempts):
            for _ in range(MAX_THRESHOLD_DRAWS):
                dim = int(self.rng.integers(tasks.shape[1]))
                threshold = float(self.rng.uniform(region.low[dim], region.high[dim]))
                in_first = tasks[:, dim] <= threshold
                n_first = int(in_first.sum())
                if min(n_first, len(returns) - n_first) >= self.min_region_size:
                    break
            else:
                continue
            valid = (
                threshold - region.low[dim] >= min_side and region.high[dim] - threshold >= min_side
            )
            alps = (
                window_alp(returns[in_first], self.alp_window),
                window_alp(returns[~in_first], self.alp_window),
            )
            score = abs(alps[0] - alps[1])
            if valid and score >= best_score:
                best, best_score = (dim, threshold, in_first, alps[0], alps[1]), score
        if best is None:
            keep = int(self.max_region_size * self.discard_ratio)
            region.tasks = deque(list(region.tasks)[keep:], maxlen=self.max_region_size + 1)
            region.returns = deque(list(region.returns)[keep:], maxlen=self.max_region_size + 1)
            return False
        dim, threshold, in_first, alp_first, alp_second = best
        high_first, low_second = region.high.copy(), region.low.copy()
        high_first[dim] = low_second[dim] = threshold
        children = (len(self.regions), len(self.regions) + 1)
        for mask, low, high, alp in (
            (in_first, region.low, high_first, alp_first),
            (~in_first, low_second, region.high, alp_second),
        ):
            self.regions.append(
                self._new_region(
                    low.copy(), high.copy(), index, list(tasks[mask]), returns[mask].tolist(), alp
                )
            )
        region.split_dim, region.split_threshold, region.children = dim, threshold, children
        self.n_splits += 1
        return True

    # -- introspection -------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: number of regions and splits, largest region ALP."""
        return {
            **super().diagnostics(),
            "n_regions": len(self.regions),
            "n_splits": self.n_splits,
            "max_region_alp": max(r.alp for r in self.regions),
        }

    def plot_data(self) -> dict[str, np.ndarray]:
        """Arrays for plots, in normalised task coordinates.

        ``low``, ``high`` ``(R, d)``, ``alp`` ``(R,)``, ``parent`` ``(R,)`` and ``is_leaf``
        ``(R,)`` for every region; ``tasks`` ``(n, d)`` and ``returns`` ``(n,)``: the
        pairs the root holds (the most recent episodes).
        """
        root = self.regions[0]
        return {
            "low": np.array([r.low for r in self.regions]),
            "high": np.array([r.high for r in self.regions]),
            "alp": np.array([r.alp for r in self.regions]),
            "parent": np.array([r.parent for r in self.regions]),
            "is_leaf": np.array([r.children is None for r in self.regions]),
            "tasks": np.array(root.tasks).reshape(-1, self.encoding.dim),
            "returns": np.array(root.returns, dtype=np.float64),
        }

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        dim = self.encoding.dim
        return {
            **super().state_dict(),
            "n_splits": self.n_splits,
            "regions": {
                "low": np.array([r.low for r in self.regions]),
                "high": np.array([r.high for r in self.regions]),
                "parent": np.array([r.parent for r in self.regions], dtype=np.int64),
                "alp": np.array([r.alp for r in self.regions]),
                "split_dim": np.array([r.split_dim for r in self.regions], dtype=np.int64),
                "split_threshold": np.array([r.split_threshold for r in self.regions]),
                "children": np.array(
                    [r.children or (-1, -1) for r in self.regions], dtype=np.int64
                ),
                "count": np.array([len(r.returns) for r in self.regions], dtype=np.int64),
                "tasks": np.concatenate(
                    [np.asarray(r.tasks).reshape(-1, dim) for r in self.regions]
                ),
                "returns": np.concatenate(
                    [np.asarray(r.returns, dtype=np.float64) for r in self.regions]
                ),
            },
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            saved = state["regions"]
            counts = np.asarray(saved["count"], dtype=np.int64)
            tasks = np.asarray(saved["tasks"], dtype=np.float64).reshape(-1, self.encoding.dim)
            returns = np.asarray(saved["returns"], dtype=np.float64)
            if counts.sum() != len(returns) or len(returns) != len(tasks):
                raise ValueError(
                    f"saved {self.name} regions are inconsistent: counts sum to {counts.sum()}, "
                    f"{len(tasks)} tasks, {len(returns)} returns"
                )
            offsets = np.concatenate([[0], np.cumsum(counts)])
            regions = []
            for i in range(len(counts)):
                pairs = slice(offsets[i], offsets[i + 1])
                region = self._new_region(
                    np.asarray(saved["low"][i], dtype=np.float64),
                    np.asarray(saved["high"][i], dtype=np.float64),
                    int(saved["parent"][i]),
                    list(tasks[pairs]),
                    returns[pairs].tolist(),
                    float(saved["alp"][i]),
                )
                children = tuple(int(c) for c in saved["children"][i])
                if children[0] >= 0:
                    region.split_dim = int(saved["split_dim"][i])
                    region.split_threshold = float(saved["split_threshold"][i])
                    region.children = (children[0], children[1])
                regions.append(region)
            self.regions = regions
            self.n_splits = int(state["n_splits"])
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
        self._region_choice = ProportionalChoice([r.alp for r in self.regions])
