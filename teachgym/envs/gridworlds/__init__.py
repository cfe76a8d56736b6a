"""The MiniGrid family: task-parameterized grid worlds on the ``minigrid`` engine.

Every environment here derives :class:`MiniGridTaskEnv` (a teachgym ``TaskEnv``
whose engine is minigrid's ``MiniGridEnv``), shares one observation space (7 x 7
egocentric view, direction, mission code), describes its layout as canonical text
(:func:`describe_layout`) and exposes its oracle subgoal chain (:class:`Subgoal`,
:func:`subgoal_met`) for the LLM-subgoal teachers.
"""

from teachgym.envs.gridworlds.base import MiniGridTaskEnv, observation_space
from teachgym.envs.gridworlds.describe import describe_layout
from teachgym.envs.gridworlds.door_key import DoorKeyEnv
from teachgym.envs.gridworlds.family import FAMILIES, MiniGridFamilyEnv
from teachgym.envs.gridworlds.key_corridor import KeyCorridorEnv
from teachgym.envs.gridworlds.level import Level
from teachgym.envs.gridworlds.maze import MazeEnv, empty_maze_task, random_maze_task
from teachgym.envs.gridworlds.maze_layouts import HELD_OUT_MAZES
from teachgym.envs.gridworlds.mission import Mission
from teachgym.envs.gridworlds.multi_room import MultiRoomEnv
from teachgym.envs.gridworlds.obstructed_maze import ObstructedMazeEnv
from teachgym.envs.gridworlds.subgoals import Subgoal, chain_progress, subgoal_met
from teachgym.envs.gridworlds.world import EASIEST_TASK, MiniGridWorldEnv

__all__ = [
    "EASIEST_TASK",
    "FAMILIES",
    "HELD_OUT_MAZES",
    "DoorKeyEnv",
    "KeyCorridorEnv",
    "Level",
    "MazeEnv",
    "MiniGridFamilyEnv",
    "MiniGridTaskEnv",
    "MiniGridWorldEnv",
    "Mission",
    "MultiRoomEnv",
    "ObstructedMazeEnv",
    "Subgoal",
    "chain_progress",
    "describe_layout",
    "empty_maze_task",
    "observation_space",
    "random_maze_task",
    "subgoal_met",
]
