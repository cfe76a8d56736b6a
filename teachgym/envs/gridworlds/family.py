"""MiniGridFamily: the family of the layout is part of the task, beside its parameters.

One environment for the five MiniGrid families of this package, so one teacher picks
across families as well as within them. The task space is conditional
(:class:`~teachgym.tasks.When`): ``family`` is categorical and each family's
parameters apply only when it is chosen; a canonical task holds the family and its
own parameters only, e.g. ``{"family": "DoorKey", "size": 8}``.

========================  =======================================================
family                    parameters (as the family's own id takes them)
========================  =======================================================
``DoorKey``               ``size`` 5..16 (:mod:`.door_key`)
``KeyCorridor``           ``num_rows`` 1..3, ``room_size`` 3..6 (:mod:`.key_corridor`)
``MultiRoom``             ``num_rooms`` 1..6, ``max_room_size`` 4..10 (:mod:`.multi_room`)
``ObstructedMaze``        ``variant`` 1Dl .. 2Dlhb, 1Q, 2Q, Full (:mod:`.obstructed_maze`)
``Maze``                  ``num_blocks`` 0..60: a random 13 x 13 maze with that many
                          wall blocks, random start, direction and goal (:mod:`.maze`)
========================  =======================================================

A task of the first four families with a ``level_seed`` lays out exactly what the
family's own id lays out for the same parameters and ``level_seed``; ``Maze`` draws
its walls as :func:`~teachgym.envs.gridworlds.maze.random_maze_task` (the 25- and
60-block mazes of the regret-based curriculum work at ``num_blocks`` 25 and 60).
Observation, actions, rewards and ``max_steps`` are each family's; the observation
space is the family-wide one (:func:`~teachgym.envs.gridworlds.base.observation_space`).
Mastery is the family-wide rule (greedy policy, success in 80 % of 5 episodes) for
every family, Maze included (``teachgym/Maze-v0`` samples its actions instead, as the
regret-based work evaluates its mazes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachgym.envs.gridworlds.base import MiniGridTaskEnv
from teachgym.envs.gridworlds.door_key import NAMED_SIZES, DoorKeyEnv, build_door_key
from teachgym.envs.gridworlds.key_corridor import NAMED as CORRIDORS
from teachgym.envs.gridworlds.key_corridor import KeyCorridorEnv, build_key_corridor
from teachgym.envs.gridworlds.level import Level
from teachgym.envs.gridworlds.maze import BLOCK_COUNTS, build_maze, random_maze_task
from teachgym.envs.gridworlds.multi_room import NAMED as MULTI_ROOMS
from teachgym.envs.gridworlds.multi_room import MultiRoomEnv, build_multi_room
from teachgym.envs.gridworlds.obstructed_maze import (
    VARIANTS,
    ObstructedMazeEnv,
    build_obstructed_maze,
)
from teachgym.envs.task_env import TestSet
from teachgym.tasks import LEVEL_SEED, Categorical, Integer, Parameter, Task, TaskSpace, When

MAX_BLOCKS = 60
"""Most wall blocks of a ``Maze`` task (the literature's denser random mazes)."""

FAMILY_PARAMETERS: dict[str, dict[str, Parameter]] = {
    "DoorKey": dict(DoorKeyEnv.task_space.parameters),
    "KeyCorridor": dict(KeyCorridorEnv.task_space.parameters),
    "MultiRoom": dict(MultiRoomEnv.task_space.parameters),
    "ObstructedMaze": dict(ObstructedMazeEnv.task_space.parameters),
    "Maze": {"num_blocks": Integer(0, MAX_BLOCKS)},
}
"""Each family's parameters, in the order of the task space."""

FAMILIES = tuple(FAMILY_PARAMETERS)


def _family_task_space() -> TaskSpace:
    parameters: dict[str, Parameter] = {"family": Categorical(FAMILIES)}
    conditions: dict[str, When] = {}
    for family, own in FAMILY_PARAMETERS.items():
        for name, parameter in own.items():
            parameters[name] = parameter
            conditions[name] = When("family", (family,))
    return TaskSpace(parameters, conditions)


FAMILY_TASK_SPACE = _family_task_space()

_BUILDERS: dict[str, Callable[[Task, np.random.Generator], Level]] = {
    "DoorKey": lambda t, rng: build_door_key(t["size"], rng),
    "KeyCorridor": lambda t, rng: build_key_corridor(t["num_rows"], t["room_size"], rng),
    "MultiRoom": lambda t, rng: build_multi_room(t["num_rooms"], t["max_room_size"], rng),
    "ObstructedMaze": lambda t, rng: build_obstructed_maze(t["variant"], rng),
    "Maze": lambda t, rng: build_maze(random_maze_task(rng, t["num_blocks"])),
}

NAMED_TASKS: list[Task] = [
    *({"family": "DoorKey", "size": s} for s in NAMED_SIZES),
    *({"family": "KeyCorridor", "num_rows": r, "room_size": s} for s, r in CORRIDORS),
    *({"family": "MultiRoom", "num_rooms": n, "max_room_size": s} for n, s in MULTI_ROOMS),
    *({"family": "ObstructedMaze", "variant": v} for v in VARIANTS),
    *({"family": "Maze", "num_blocks": b} for b in BLOCK_COUNTS),
]
"""minigrid's registered configurations of each family, and the literature's two
random-maze densities."""

HELD_OUT_SEED = 1000
"""Pinned test layouts use level seeds from here on."""


class MiniGridFamilyEnv(MiniGridTaskEnv):
    """The five MiniGrid families in one task space (see the module docstring).

    Task: ``family`` (DoorKey, KeyCorridor, MultiRoom, ObstructedMaze, Maze) and that
    family's parameters; the parameters of the other families are ignored.
    """

    task_space = FAMILY_TASK_SPACE
    default_task: Task = {"family": "DoorKey", "size": 5}

    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        return _BUILDERS[task["family"]](task, rng)

    def test_sets(self) -> dict[str, TestSet]:
        """``named``: :data:`NAMED_TASKS`, each with its first solvable layout from level
        seed 1000 on (24 tasks); ``uniform-50``: 50 uniform tasks (seed 0) with pinned
        layouts (level seeds 1000..1049), solvable or not."""
        named: list[dict[str, Any]] = []
        for task in NAMED_TASKS:
            seeds = (s for s in range(HELD_OUT_SEED, HELD_OUT_SEED + 1000))
            seed = next(s for s in seeds if self.is_solvable({**task, LEVEL_SEED: s}))
            named.append({**task, LEVEL_SEED: seed})
        uniform: list[dict[str, Any]] = [
            {**task, LEVEL_SEED: HELD_OUT_SEED + i}
            for i, task in enumerate(self.task_space.uniform_set(50, seed=0))
        ]
        return {
            "named": TestSet("named", 1, named),
            "uniform-50": TestSet("uniform-50", 1, uniform),
        }
