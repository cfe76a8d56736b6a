"""MiniGridWorld: one task space spanning trivial rooms to out-of-reach locked, lava-filled chains.

The main MiniGrid benchmark for learning-progress teachers (ALP-GMM and
friends): integer and continuous parameters, one observation space.

Layout: ``num_rooms`` square rooms of ``room_size`` x ``room_size`` free cells in
a row, each joined to the next by a closed door in the shared wall. Of these
doors, ``min(locked_doors, num_rooms - 1)`` (chosen at random) are locked, each
with its key somewhere in the room just before it. The agent starts anywhere in
the first room; the goal is in the last room, at the ``goal_distance`` quantile
(0 nearest, 1 farthest) of the cells of that room ordered by their distance from
where the agent enters it (its start cell when there is one room). Then a
fraction ``lava_density`` of the remaining free cells (except the two beside each
door) become lava and ``distractors`` balls and boxes of random colours are scattered.
``max_steps = 4 * num_rooms * (room_size + 1)**2``.

Difficulty: the all-minimum corner (one 4 x 4 room, goal next to the agent) is
mastered by PPO in about 10k steps (``python benchmarks/minigrid_learning.py``);
four 9 x 9 rooms with three locked doors, lava and the goal at the far end are
meant to lie beyond a 1M-step budget (three key-door pairs before a sparse reward;
not measured here). Unsolvable region: lava cuts the way (to the goal,
a key or a door) more and more often as ``lava_density`` grows; the fraction of
solvable layouts (other parameters uniform) is 1.0 without lava, 0.85 at 0.2, 0.58
at 0.3, 0.26 at 0.4 and 0.10 at 0.6 (``python benchmarks/minigrid_solvability.py``).
``info["solvable"]`` and :meth:`MiniGridTaskEnv.is_solvable` recognise it (for
evaluation, not for teachers).
Oracle subgoals: for each door in order, (its key ->) the door; then the goal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.constants import COLOR_NAMES
from minigrid.core.world_object import Ball, Box, Goal, Key, Lava

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import Cell, Level, LevelBuilder
from teachgym.envs.gridworlds.mission import GOAL_MISSION
from teachgym.envs.gridworlds.solver import distances
from teachgym.envs.gridworlds.subgoals import Subgoal, subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Continuous, Integer, Task, TaskSpace

WORLD_TASK_SPACE = TaskSpace(
    {
        "num_rooms": Integer(1, 4),
        "room_size": Integer(4, 9),
        "locked_doors": Integer(0, 3),
        "lava_density": Continuous(0.0, 0.6),
        "distractors": Integer(0, 6),
        "goal_distance": Continuous(0.0, 1.0),
    }
)
EASIEST_TASK: Task = {
    "num_rooms": 1,
    "room_size": 4,
    "locked_doors": 0,
    "lava_density": 0.0,
    "distractors": 0,
    "goal_distance": 0.0,
}
"""The trivial corner of the task space (the learning benchmark's target)."""

LADDER: list[Task] = [
    EASIEST_TASK,
    {**EASIEST_TASK, "goal_distance": 1.0},
    {**EASIEST_TASK, "room_size": 7, "goal_distance": 1.0, "distractors": 3},
    {**EASIEST_TASK, "num_rooms": 2, "room_size": 5, "goal_distance": 0.5},
    {**EASIEST_TASK, "num_rooms": 2, "room_size": 5, "locked_doors": 1, "goal_distance": 0.5},
    {**EASIEST_TASK, "room_size": 7, "lava_density": 0.15, "goal_distance": 1.0},
    {**EASIEST_TASK, "num_rooms": 3, "room_size": 6, "locked_doors": 1, "goal_distance": 1.0},
    {"num_rooms": 3, "room_size": 7, "locked_doors": 2, "lava_density": 0.1,
     "distractors": 4, "goal_distance": 1.0},
    {"num_rooms": 4, "room_size": 9, "locked_doors": 3, "lava_density": 0.2,
     "distractors": 6, "goal_distance": 1.0},
]  # fmt: skip
"""Hand-picked tasks from trivial to out of reach (the ``ladder`` test set)."""


def build_world(task: Task, rng: np.random.Generator) -> Level:
    """The layout of a (validated) MiniGridWorld task."""
    n, s = task["num_rooms"], task["room_size"]
    b = LevelBuilder(n * (s + 1) + 1, s + 2, rng)

    def room(k: int) -> tuple[Cell, tuple[int, int]]:
        return (k * (s + 1) + 1, 1), (s, s)

    doors: list[Cell] = []
    for k in range(n - 1):
        x = (k + 1) * (s + 1)
        b.wall_line((x, 1), (x, s))
        doors.append((x, int(rng.integers(1, s + 1))))
    colors = b.colors(n - 1)
    n_locked = min(task["locked_doors"], n - 1)
    locked = set(int(i) for i in rng.choice(n - 1, size=n_locked, replace=False))
    for k, door in enumerate(doors):
        b.door(door, colors[k], locked=k in locked)
    agent = b.choose(b.empty_cells(*room(0)))
    agent_dir = b.direction()
    keys: dict[int, Cell] = {}
    for k in sorted(locked):
        keys[k] = b.place(Key(colors[k]), b.empty_cells(*room(k), exclude=[agent]))

    entry = doors[-1] if doors else agent
    reach = distances(b.grid, entry)
    candidates = [c for c in b.empty_cells(*room(n - 1), exclude=[agent]) if c in reach]
    candidates.sort(key=lambda c: (reach[c], c[1], c[0]))
    goal = candidates[round(task["goal_distance"] * (len(candidates) - 1))]
    b.put(Goal(), goal)

    beside_doors = [(x + dx, y) for x, y in doors for dx in (-1, 1)]
    free = [c for k in range(n) for c in b.empty_cells(*room(k), exclude=[agent, *beside_doors])]
    n_lava = round(task["lava_density"] * len(free))
    for i in rng.choice(len(free), size=n_lava, replace=False):
        b.put(Lava(), free[int(i)])
    for _ in range(task["distractors"]):
        color = COLOR_NAMES[int(rng.integers(len(COLOR_NAMES)))]
        obj = Ball(color) if rng.integers(2) == 0 else Box(color)
        spots = [c for k in range(n) for c in b.empty_cells(*room(k), exclude=[agent])]
        if spots:
            b.place(obj, spots)

    subgoals: list[Subgoal] = []
    for k, door in enumerate(doors):
        if k in keys:
            subgoals.append(subgoal_for("pick up", b.grid, keys[k]))
        subgoals.append(subgoal_for("open", b.grid, door))
    subgoals.append(subgoal_for("go to", b.grid, goal))
    max_steps = 4 * n * (s + 1) ** 2
    return Level(b.grid, agent, agent_dir, GOAL_MISSION, goal, max_steps, subgoals)


class MiniGridWorldEnv(MiniGridTaskEnv):
    """The difficulty-spanning MiniGrid world (see the module docstring).

    Task space: ``num_rooms`` 1..4, ``room_size`` 4..9 (free cells per side),
    ``locked_doors`` 0..3, ``lava_density`` [0, 0.6] (fraction of free cells),
    ``distractors`` 0..6, ``goal_distance`` [0, 1] (quantile within the last room).
    """

    task_space = WORLD_TASK_SPACE
    default_task: Task = dict(EASIEST_TASK)

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return build_world(task, rng)

    def test_sets(self) -> dict[str, TestSet]:
        """``uniform-50``: 50 uniform tasks (seed 0) with pinned layouts (``level_seed`` 0..49),
        so each is known solvable or not; ``ladder``: :data:`LADDER`, the first three
        solvable layouts (smallest level seeds) of each."""
        uniform: list[dict[str, Any]] = [
            {**task, LEVEL_SEED: i}
            for i, task in enumerate(self.task_space.uniform_set(50, seed=0))
        ]
        ladder: list[dict[str, Any]] = []
        for task in LADDER:
            seeds = (seed for seed in range(1000) if self.is_solvable({**task, LEVEL_SEED: seed}))
            ladder.extend({**task, LEVEL_SEED: next(seeds)} for _ in range(3))
        return {
            "uniform-50": TestSet("uniform-50", 1, uniform),
            "ladder": TestSet("ladder", 1, ladder),
        }
