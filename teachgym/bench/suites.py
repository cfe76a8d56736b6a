"""Built-in suites: ``demo``, ``quick``, ``parkour-quick``, ``standard`` and ``paper``.

Each preset is the plain data a YAML suite would hold (see
:mod:`teachgym.bench.suite`) and is validated the same way, so a preset
that names an environment this installation lacks is rejected before anything
runs, with the key and the missing id in the message.

- ``demo``: the learnability grid with simulated students (no neural network):
  random, ALP-GMM, Covar-GMM and RIAC, 5 seeds, 10,000 episodes each
  (docs/references.md [portelas2019]: after 10,000 episodes the reference code
  reaches random 1, ALP-GMM 14, RIAC 24, Covar-GMM 31 % mastered; after 20,000,
  4.3, 36.7, 49.7, 70.7). To fit in a minute on 2 cores, the two mixture teachers
  try k in {2, 4, 6, 8} components instead of the paper's 2..10 (the mixture fits
  are 90 % of their cost); everything else is the paper's defaults.
- ``quick``: MiniGrid worlds, mazes and the two walkers with small budgets, about
  an hour on 2 cores; a smoke test of the full pipeline, not a result.
- ``parkour-quick``: Parkour's three kinds of body (TeachMyAgent's walker, climber and
  fish) with PPO for 150k steps each on the easy CPPN box in their own medium, evaluated
  on their 10 ``easy`` tasks: a sanity check that every kind of body learns, not a result.
- ``standard``: the published budgets (20M steps on Stump Tracks and Parkour with SAC as in
  TeachMyAgent, 20M on the terrain walker with PPO as in the ACCEL work) with
  5 seeds; for clusters (``--backend ray``).
- ``paper``: ``standard`` with the published numbers of seeds (16 on Stump Tracks and
  on each Parkour body, 10 on the terrain walker and the mazes) and the published
  evaluation schedule
  (every 500k steps, TeachMyAgent); the maze budget is scaled down from the
  published 250M steps to 50M (the published value is impractical for PPO in SB3).

Students use Stable-Baselines3 defaults except where noted; the published systems
used their own SAC/PPO implementations, so numbers are comparable in ranking, not
digit for digit.
"""

from __future__ import annotations

from typing import Any

LP_TEACHERS = ["random", "alp-gmm", "covar-gmm", "riac"]
"""The learning-progress teachers and the random baseline."""
MAZE_TEACHERS: list[Any] = [
    {"name": "random", "params": {"binary_density": 25 / 169}},
    {"name": "robust-plr", "params": {"preset": "maze-plr"}},
    {"name": "accel", "params": {"preset": "maze-accel"}},
]
"""Maze layouts are wall maps (an array parameter), which the learning-progress teachers
refuse. Domain randomisation draws sparse walls (25 of 169 cells on average, the
literature's 25-block mazes), as do Robust PLR's new levels; ACCEL starts from empty
mazes (docs/references.md [jiang2021rplr], [parkerholder2022])."""
WALKER_TEACHERS: list[Any] = [
    *LP_TEACHERS,
    {"name": "robust-plr", "params": {"preset": "walker-robust-plr"}},
    {"name": "accel", "params": {"preset": "walker-accel"}},
]
"""On the 8-parameter walker, the ACCEL work's teachers join the learning-progress ones."""

STUMP_TRACKS = "teachgym/StumpTracks-v0"
TERRAIN_WALKER = "teachgym/TerrainWalker-v0"
MINIGRID_WORLD = "teachgym/MiniGridWorld-v0"
MAZE = "teachgym/Maze-v0"
PARKOUR = "teachgym/Parkour-v0"

PARKOUR_BODIES = {
    "old_classic_bipedal": "walking",
    "climbing_profile_chimpanzee": "climbing",
    "fish": "swimming",
}
"""TeachMyAgent's Parkour bodies and each one's test set (docs/references.md [romac2021])."""
PARKOUR_ENVS: list[Any] = [
    {"id": PARKOUR, "kwargs": {"body": body}, "test_set": test_set, "label": f"parkour-{body}"}
    for body, test_set in PARKOUR_BODIES.items()
]
_QUICK_WATER = {"old_classic_bipedal": 0.0, "climbing_profile_chimpanzee": 0.0, "fish": 1.0}
PARKOUR_QUICK_ENVS: list[Any] = [
    {
        "id": PARKOUR,
        "kwargs": {"body": body, "cppn_space": "easy", "ranges": {"water_level": water}},
        "test_set": "easy",
        "label": f"parkour-{body}-easy",
    }
    for body, water in _QUICK_WATER.items()
]
"""Each Parkour body on the easy CPPN box, in its own medium (no water for the walker and
the climber, full water for the fish), evaluated on its 10 ``easy`` tasks."""

_PPO_MINIGRID = {"name": "ppo", "params": {"n_envs": 8, "n_steps": 256, "batch_size": 256}}
_PPO_WALKER = {"name": "ppo", "params": {"n_envs": 8, "n_steps": 2048, "batch_size": 512}}
_SAC_WALKER = {"name": "sac", "params": {"learning_starts": 10_000}}
_PPO_PARKOUR_QUICK = {"name": "ppo", "params": {"n_envs": 8, "n_steps": 512, "batch_size": 256}}

DEMO: dict[str, Any] = {
    "name": "demo",
    "description": (
        "Learnability grid (ALP-GMM paper's toy testbed), simulated students, "
        "random vs ALP-GMM vs Covar-GMM vs RIAC, 5 seeds x 10,000 episodes"
    ),
    "envs": [{"id": "teachgym/LearnabilityGrid-v0", "kwargs": {"dims": 2, "cells_per_dim": 10}}],
    "teachers": [
        "random",
        {"name": "alp-gmm", "params": {"potential_ks": [2, 4, 6, 8]}},
        {"name": "covar-gmm", "params": {"potential_ks": [2, 4, 6, 8]}},
        "riac",
    ],
    "students": ["simulated"],
    "seeds": 5,
    "budget": 10_000,
    "evaluation": {"every": 500, "episodes_per_task": 1},
}

QUICK: dict[str, Any] = {
    "name": "quick",
    "description": "MiniGrid, mazes and walkers with small budgets: about an hour on 2 cores",
    "teachers": ["random", "alp-gmm"],
    "seeds": 2,
    "grids": [
        {
            "envs": [MINIGRID_WORLD],
            "students": [_PPO_MINIGRID],
            "budget": 100_000,
            "evaluation": {"every": 25_000},
        },
        {
            "envs": [MAZE],
            "teachers": MAZE_TEACHERS,
            "students": [_PPO_MINIGRID],
            "budget": 100_000,
            "evaluation": {"every": 25_000},
        },
        {
            "envs": [STUMP_TRACKS, TERRAIN_WALKER],
            "students": [_PPO_WALKER],
            "budget": 100_000,
            "evaluation": {"every": 50_000},
        },
    ],
}

STANDARD: dict[str, Any] = {
    "name": "standard",
    "description": "Published budgets (20M steps on the walkers), 5 seeds: for clusters",
    "teachers": LP_TEACHERS,
    "seeds": 5,
    "grids": [
        {
            "envs": [STUMP_TRACKS],
            "students": [_SAC_WALKER],
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": [TERRAIN_WALKER],
            "teachers": WALKER_TEACHERS,
            "students": [_PPO_WALKER],
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": PARKOUR_ENVS,
            "students": [_SAC_WALKER],
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": [MINIGRID_WORLD],
            "students": [_PPO_MINIGRID],
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": [MAZE],
            "teachers": MAZE_TEACHERS,
            "students": [_PPO_MINIGRID],
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
    ],
}

PAPER: dict[str, Any] = {
    "name": "paper",
    "description": "Published budgets, seeds and evaluation schedules: for clusters",
    "teachers": LP_TEACHERS,
    "grids": [
        {
            "envs": [STUMP_TRACKS],
            "students": [_SAC_WALKER],
            "seeds": 16,
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": [TERRAIN_WALKER],
            "teachers": WALKER_TEACHERS,
            "students": [_PPO_WALKER],
            "seeds": 10,
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": PARKOUR_ENVS,
            "students": [_SAC_WALKER],
            "seeds": 16,
            "budget": 20_000_000,
            "evaluation": {"every": 500_000},
        },
        {
            "envs": [MINIGRID_WORLD],
            "students": [_PPO_MINIGRID],
            "seeds": 10,
            "budget": 50_000_000,
            "evaluation": {"every": 1_000_000},
        },
        {
            "envs": [MAZE],
            "teachers": MAZE_TEACHERS,
            "students": [_PPO_MINIGRID],
            "seeds": 10,
            "budget": 50_000_000,
            "evaluation": {"every": 1_000_000},
        },
    ],
}

PARKOUR_QUICK: dict[str, Any] = {
    "name": "parkour-quick",
    "description": (
        "Parkour's walker, climber and fish on their easiest tasks, PPO, 150k steps each: "
        "a sanity check that the pipeline trains every kind of body, about half an hour"
    ),
    "teachers": ["random"],
    "seeds": 1,
    "envs": PARKOUR_QUICK_ENVS,
    "students": [_PPO_PARKOUR_QUICK],
    "budget": 150_000,
    "evaluation": {"every": 50_000},
}

SUITES: dict[str, dict[str, Any]] = {
    "demo": DEMO,
    "quick": QUICK,
    "parkour-quick": PARKOUR_QUICK,
    "standard": STANDARD,
    "paper": PAPER,
}
