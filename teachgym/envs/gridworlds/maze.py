"""Teacher-designed mazes: the task *is* the layout, so PLR, ACCEL and PAIRED can
replay, mutate and generate levels.

Source: the 13 x 13 maze of the regret-based curriculum work (PAIRED, PLR, ACCEL;
docs/references.md [dennis2020], [jiang2021rplr], [parkerholder2022]): a binary wall
map, the agent's start cell and direction, the goal
cell; random levels with 25 or 60 wall blocks; held-out hand-designed mazes.

Task (all coordinates in the 13 x 13 free space; the grid adds a wall border, so
maze cell (x, y) is grid cell (x + 1, y + 1) in descriptions and subgoals)::

    walls:     13 x 13 array of 0/1, walls[y][x] == 1 is a wall
    agent_x, agent_y: 0..12, agent_dir: 0 east, 1 south, 2 west, 3 north
    goal_x, goal_y:   0..12

A wall under the agent's or the goal's cell is ignored (the cell is free), so
every task in the space is playable; :meth:`MazeEnv.level_task` returns the
canonical task of the layout actually played. The agent may start on the goal
(it must step off and back). ``max_steps = 250``. Oracle subgoals: the goal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.world_object import Goal

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.level import WALL, Level, LevelBuilder
from teachgym.envs.gridworlds.maze_layouts import HELD_OUT_MAZES, MAZE_SIDE
from teachgym.envs.gridworlds.mission import GOAL_MISSION
from teachgym.envs.gridworlds.subgoals import subgoal_for
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, NO_EDIT, IntArray, Integer, Task, TaskSpace

MAZE_MAX_STEPS = 250
BLOCK_COUNTS = (25, 60)
"""Wall-block counts of the literature's random mazes."""

MAZE_TASK_SPACE = TaskSpace(
    {
        "walls": IntArray((MAZE_SIDE, MAZE_SIDE)),
        "agent_x": Integer(0, MAZE_SIDE - 1),
        "agent_y": Integer(0, MAZE_SIDE - 1),
        "agent_dir": Integer(0, 3),
        "goal_x": Integer(0, MAZE_SIDE - 1),
        "goal_y": Integer(0, MAZE_SIDE - 1),
    }
)


def empty_maze_task() -> Task:
    """No walls, agent top-left facing east, goal bottom-right (ACCEL's starting level)."""
    return {
        "walls": [[0] * MAZE_SIDE for _ in range(MAZE_SIDE)],
        "agent_x": 0, "agent_y": 0, "agent_dir": 0,
        "goal_x": MAZE_SIDE - 1, "goal_y": MAZE_SIDE - 1,
    }  # fmt: skip


def random_maze_task(rng: np.random.Generator, num_blocks: int) -> Task:
    """A random maze: distinct random agent and goal cells, a random direction, and
    ``num_blocks`` walls on other random cells (may be unsolvable, as in the literature)."""
    cells = MAZE_SIDE * MAZE_SIDE
    if not 0 <= num_blocks <= cells - 2:
        raise ValueError(f"num_blocks must be in [0, {cells - 2}], got {num_blocks!r}")
    order = rng.permutation(cells)
    walls = np.zeros(cells, dtype=np.int64)
    walls[order[2 : 2 + num_blocks]] = 1
    agent, goal = int(order[0]), int(order[1])
    return {
        "walls": walls.reshape(MAZE_SIDE, MAZE_SIDE).tolist(),
        "agent_x": agent % MAZE_SIDE, "agent_y": agent // MAZE_SIDE,
        "agent_dir": int(rng.integers(4)),
        "goal_x": goal % MAZE_SIDE, "goal_y": goal // MAZE_SIDE,
    }  # fmt: skip


DOMAIN_RANDOMISATION_BLOCKS = 25
"""Walls of a domain-randomisation maze (the 25-block setting of PAIRED, PLR and ACCEL)."""


def domain_randomisation_maze(
    rng: np.random.Generator, num_blocks: int = DOMAIN_RANDOMISATION_BLOCKS
) -> Task:
    """The domain-randomisation baseline's level: :func:`random_maze_task` with exactly
    ``num_blocks`` walls, plus a fresh ``level_seed`` in [0, 2**63 - 1) so every level
    is new, as the replay teachers' new levels are. The ``random`` teacher draws from it
    with ``sampler="teachgym.envs.gridworlds.maze:domain_randomisation_maze"``."""
    task = random_maze_task(rng, num_blocks)
    task[LEVEL_SEED] = int(rng.integers(0, 2**63 - 1))
    return task


def build_maze(task: Task) -> Level:
    """The layout of a (validated) maze task; walls under the agent or goal are ignored."""
    side = MAZE_SIDE + 2
    b = LevelBuilder(side, side, np.random.default_rng(0))
    agent = (task["agent_x"] + 1, task["agent_y"] + 1)
    goal = (task["goal_x"] + 1, task["goal_y"] + 1)
    grid = b.grid
    cells = grid.grid
    for y, row in enumerate(task["walls"]):
        for x, wall in enumerate(row):
            if wall:
                cells[(y + 1) * side + x + 1] = WALL
    cells[agent[1] * side + agent[0]] = None  # walls under the agent or goal are ignored
    b.put(Goal(), goal)
    subgoals = [subgoal_for("go to", grid, goal)]
    return Level(grid, agent, task["agent_dir"], GOAL_MISSION, goal, MAZE_MAX_STEPS, subgoals)


class MazeEnv(MiniGridTaskEnv):
    """13 x 13 maze whose task is the layout (see the module docstring).

    Evaluation follows the regret-based curriculum work's held-out protocol: an
    episode is solved when it reaches the goal (return > 0), the policy samples its
    actions, and each maze is played ``mastery_episodes`` (10) times; the solved rate
    is the fraction of those episodes solved.
    """

    task_space = MAZE_TASK_SPACE
    default_task: Task = empty_maze_task()
    random_layout = False
    mastery_episodes = 10
    evaluation_deterministic = False
    # ACCEL's maze edits (docs/references.md [parkerholder2022]), in the proportions of
    # the public ACCEL maze mutator: each edit flips a random wall cell, moves the goal
    # to a random cell, or does nothing, one time in three each; the agent's start is
    # never edited. A flip under the agent or the goal changes nothing (the maze
    # ignores such walls), where the public mutator never picks those two cells.
    edit_groups = {"goal": ("goal_x", "goal_y")}
    edit_weights = {
        "walls": 1.0, "goal": 1.0, NO_EDIT: 1.0,
        "goal_x": 0.0, "goal_y": 0.0, "agent_x": 0.0, "agent_y": 0.0, "agent_dir": 0.0,
    }  # fmt: skip

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return build_maze(task)

    def level_task(self) -> Task:
        """The canonical task of the current layout: replaying it rebuilds the same grid."""
        level = self._require_level()
        walls = [
            [int(self._is_wall(x + 1, y + 1)) for x in range(MAZE_SIDE)] for y in range(MAZE_SIDE)
        ]
        return {
            "walls": walls,
            "agent_x": level.agent_pos[0] - 1, "agent_y": level.agent_pos[1] - 1,
            "agent_dir": level.agent_dir,
            "goal_x": level.target[0] - 1, "goal_y": level.target[1] - 1,
        }  # fmt: skip

    def _is_wall(self, x: int, y: int) -> bool:
        obj = self._require_level().grid.get(x, y)
        return obj is not None and obj.type == "wall"

    def test_sets(self) -> dict[str, TestSet]:
        """``held-out``: the hand-designed mazes of :mod:`.maze_layouts`;
        ``random-25`` / ``random-60``: 50 random mazes each (seeds 25 and 60)."""
        sets = {"held-out": TestSet("held-out", 1, [dict(t) for t in HELD_OUT_MAZES.values()])}
        for blocks in BLOCK_COUNTS:
            rng = np.random.default_rng(blocks)
            tasks: list[dict[str, Any]] = [random_maze_task(rng, blocks) for _ in range(50)]
            sets[f"random-{blocks}"] = TestSet(f"random-{blocks}", 1, tasks)
        return sets
