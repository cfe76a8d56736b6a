"""teachgym environments: procedurally parameterized worlds with a task space.

Importing this package registers every environment id with Gymnasium. This
layer knows task spaces only: it never imports teachers, agents or benchmarks.
"""

from importlib.util import find_spec

from teachgym.envs.learnability_grid import LearnabilityGridEnv
from teachgym.envs.registration import (
    EnvFactory,
    EnvInfo,
    env_catalog,
    env_factory,
    env_info,
    register_env,
)
from teachgym.envs.task_env import TaskEnv, TestSet

register_env(
    "teachgym/LearnabilityGrid-v0",
    LearnabilityGridEnv,
    "Toy testbed of the ALP-GMM paper: one-step episodes on a grid of cells whose "
    "competences are a simulated student (no neural network).",
)
if find_spec("minigrid") is not None:  # the MiniGrid family needs the [minigrid] extra
    from teachgym.envs.gridworlds import (
        DoorKeyEnv,
        KeyCorridorEnv,
        MazeEnv,
        MiniGridWorldEnv,
        MultiRoomEnv,
        ObstructedMazeEnv,
    )

    register_env(
        "teachgym/MiniGridWorld-v0",
        MiniGridWorldEnv,
        "MiniGrid rooms in a row with locked doors, lava and distractors: one task space from "
        "trivial to out of reach, with an unsolvable region (info['solvable']).",
    )
    register_env(
        "teachgym/Maze-v0",
        MazeEnv,
        "13 x 13 MiniGrid maze whose task is the layout (walls, agent, goal) for PLR/ACCEL/PAIRED.",
    )
    register_env(
        "teachgym/DoorKey-v0",
        DoorKeyEnv,
        "MiniGrid DoorKey with its size as the task (key -> locked door -> goal).",
    )
    register_env(
        "teachgym/KeyCorridor-v0",
        KeyCorridorEnv,
        "MiniGrid KeyCorridor with rows and room size as the task (key -> locked door -> ball).",
    )
    register_env(
        "teachgym/MultiRoom-v0",
        MultiRoomEnv,
        "MiniGrid MultiRoom with number of rooms and max room size as the task.",
    )
    register_env(
        "teachgym/ObstructedMaze-v0",
        ObstructedMazeEnv,
        "MiniGrid ObstructedMaze with its variant (1Dl .. 2Dlhb) as the task.",
    )

__all__ = [
    "EnvFactory",
    "EnvInfo",
    "env_factory",
    "LearnabilityGridEnv",
    "TaskEnv",
    "TestSet",
    "env_catalog",
    "env_info",
    "register_env",
]
