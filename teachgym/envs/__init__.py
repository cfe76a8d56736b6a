"""teachgym environments: procedurally parameterized worlds with a task space.

Importing this package registers every environment id with Gymnasium, as
``"module:Class"`` entry points: an environment's module (and Box2D, MiniGrid,
pygame) is imported only when it is built. The classes below are imported on
first use. This layer knows task spaces only: it never imports teachers, agents
or benchmarks.
"""

from __future__ import annotations

from importlib.util import find_spec

from teachgym.envs.registration import (
    EnvFactory,
    EnvInfo,
    env_catalog,
    env_factory,
    env_info,
    register_env,
)
from teachgym.envs.task_env import TaskEnv, TestSet
from teachgym.lazy import lazy_getattr

_LAZY = {
    "LearnabilityGridEnv": "teachgym.envs.learnability_grid",
    "ParkourEnv": "teachgym.envs.walkers.parkour",
    "HexagonTracksEnv": "teachgym.envs.walkers.hexagon_tracks",
    "StumpTracksEnv": "teachgym.envs.walkers.stump_tracks",
    "StumpTracksFeasibleEnv": "teachgym.envs.walkers.stump_tracks",
    "StumpTracksUnfeasibleEnv": "teachgym.envs.walkers.stump_tracks",
    "TerrainWalkerEasyEnv": "teachgym.envs.walkers.terrain_walker",
    "TerrainWalkerEnv": "teachgym.envs.walkers.terrain_walker",
    "WebFormEnv": "teachgym.envs.webform.env",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


_GRID = "teachgym.envs.learnability_grid:LearnabilityGridEnv"
_GRIDWORLDS = "teachgym.envs.gridworlds"
_WALKERS = "teachgym.envs.walkers"
_WALKER_EPISODE_STEPS = 2000
"""Episode limit of every walker (``teachgym.envs.walkers.constants.EPISODE_STEPS``)."""

register_env(
    "teachgym/LearnabilityGrid-v0",
    _GRID,
    "Toy testbed of the ALP-GMM paper: one-step episodes that read the cell "
    "competences of the simulated student (no neural network).",
)
_SKILL = " Skill variant of the learnability grid (TeachMyAgent's challenges):"
register_env(
    "teachgym/LearnabilityGridUnfeasible-v0",
    _GRID,
    _SKILL + " mostly unfeasible, 20 x 20 cells of which the 10 x 10 lower ones can be "
    "learned (75 % never can).",
    cells_per_dim=20,
    feasible_per_dim=10,
)
register_env(
    "teachgym/LearnabilityGridTrivial-v0",
    _GRID,
    _SKILL + " mostly trivial, the cells of the first 6 of 10 layers along x0 learnable "
    "from the start.",
    trivial_layers=6,
)
register_env(
    "teachgym/LearnabilityGridRugged-v0",
    _GRID,
    _SKILL + " rugged difficulty, each dimension cut into 4 intervals shuffled (seeded) "
    "and mapped piecewise-linearly.",
    rugged_intervals=4,
)
register_env(
    "teachgym/LearnabilityGridDistractors-v0",
    _GRID,
    _SKILL + " 8 distractor dimensions z0..z7 that no cell depends on (a 10-D task space).",
    distractors=8,
)
register_env(
    "teachgym/LearnabilityGridDiscrete-v0",
    _GRID,
    _SKILL + " a discrete task set, one categorical parameter 'cell' with the 100 cells "
    "as choices, for bandit teachers.",
    task_kind="categorical",
)
if find_spec("minigrid") is not None:  # the MiniGrid family needs the [minigrid] extra
    register_env(
        "teachgym/MiniGridWorld-v0",
        f"{_GRIDWORLDS}.world:MiniGridWorldEnv",
        "MiniGrid rooms in a row with locked doors, lava and distractors: one task space from "
        "trivial to out of reach, with an unsolvable region (info['solvable']).",
    )
    register_env(
        "teachgym/Maze-v0",
        f"{_GRIDWORLDS}.maze:MazeEnv",
        "13 x 13 MiniGrid maze whose task is the layout (walls, agent, goal) for PLR/ACCEL/PAIRED.",
    )
    register_env(
        "teachgym/DoorKey-v0",
        f"{_GRIDWORLDS}.door_key:DoorKeyEnv",
        "MiniGrid DoorKey with its size as the task (key -> locked door -> goal).",
    )
    register_env(
        "teachgym/KeyCorridor-v0",
        f"{_GRIDWORLDS}.key_corridor:KeyCorridorEnv",
        "MiniGrid KeyCorridor with rows and room size as the task (key -> locked door -> ball).",
    )
    register_env(
        "teachgym/MultiRoom-v0",
        f"{_GRIDWORLDS}.multi_room:MultiRoomEnv",
        "MiniGrid MultiRoom with number of rooms and max room size as the task.",
    )
    register_env(
        "teachgym/ObstructedMaze-v0",
        f"{_GRIDWORLDS}.obstructed_maze:ObstructedMazeEnv",
        "MiniGrid ObstructedMaze with its variant (1Dl .. 2Dlhb, 1Q, 2Q, Full) as the task.",
    )
    register_env(
        "teachgym/MiniGridFamily-v0",
        f"{_GRIDWORLDS}.family:MiniGridFamilyEnv",
        "DoorKey, KeyCorridor, MultiRoom, ObstructedMaze and Maze in one conditional task "
        "space: the family, then its own parameters.",
    )

_WALKER_NOTE = " Box2D walker, 2000-step episodes, body= bipedal/short_legs/long_legs/quadruped."
register_env(
    "teachgym/StumpTracks-v0",
    f"{_WALKERS}.stump_tracks:StumpTracksEnv",
    "ALP-GMM's Stump Tracks: stump height mean in [0, 3], spacing in [0, 6]." + _WALKER_NOTE,
    max_episode_steps=_WALKER_EPISODE_STEPS,
)
register_env(
    "teachgym/StumpTracksUnfeasible-v0",
    f"{_WALKERS}.stump_tracks:StumpTracksUnfeasibleEnv",
    "Stump Tracks, 'mostly unfeasible' heights in [0, 9]." + _WALKER_NOTE,
    max_episode_steps=_WALKER_EPISODE_STEPS,
)
register_env(
    "teachgym/StumpTracksFeasible-v0",
    f"{_WALKERS}.stump_tracks:StumpTracksFeasibleEnv",
    "Stump Tracks, 'mostly feasible' heights in [-3, 3]." + _WALKER_NOTE,
    max_episode_steps=_WALKER_EPISODE_STEPS,
)
register_env(
    "teachgym/HexagonTracks-v0",
    f"{_WALKERS}.hexagon_tracks:HexagonTracksEnv",
    "ALP-GMM's Hexagon Tracks: 12 vertex offsets in [0, 4]." + _WALKER_NOTE,
    max_episode_steps=_WALKER_EPISODE_STEPS,
)
register_env(
    "teachgym/TerrainWalker-v0",
    f"{_WALKERS}.terrain_walker:TerrainWalkerEnv",
    "ACCEL's 8-parameter terrain: roughness, pit gaps, stump and stair heights, stair "
    "steps; named held-out test terrains." + _WALKER_NOTE,
    max_episode_steps=_WALKER_EPISODE_STEPS,
)
register_env(
    "teachgym/TerrainWalkerEasy-v0",
    f"{_WALKERS}.terrain_walker:TerrainWalkerEasyEnv",
    "The 8-parameter terrain within ACCEL's easy ranges." + _WALKER_NOTE,
    max_episode_steps=_WALKER_EPISODE_STEPS,
)

register_env(
    "teachgym/Parkour-v0",
    f"{_WALKERS}.parkour:ParkourEnv",
    "TeachMyAgent's Parkour: CPPN ground and graspable ceiling, water and creepers; 8 task "
    "values (6 free); walking, climbing and swimming test sets; body=, cppn_space=.",
    max_episode_steps=_WALKER_EPISODE_STEPS,
)

register_env(
    "teachgym/WebForm-v0",
    "teachgym.envs.webform.env:WebFormEnv",
    "Procedurally generated web forms filled from a key/value instruction, simulated in "
    "pure Python (presets: login, search, book_flight, profile); HTML + Chromium parity.",
)

__all__ = [
    "EnvFactory",
    "EnvInfo",
    "HexagonTracksEnv",
    "StumpTracksEnv",
    "StumpTracksFeasibleEnv",
    "StumpTracksUnfeasibleEnv",
    "TerrainWalkerEasyEnv",
    "TerrainWalkerEnv",
    "env_factory",
    "LearnabilityGridEnv",
    "ParkourEnv",
    "TaskEnv",
    "TestSet",
    "WebFormEnv",
    "env_catalog",
    "env_info",
    "register_env",
]
