"""Built-in suites: ``demo``, ``skills``, ``quick``, ``parkour-quick``, ``web``, ``standard``
and ``paper``.

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
- ``skills``: TeachMyAgent's skill-by-skill comparison (docs/references.md
  [romac2021], the challenge-specific unit tests) on the learnability grid's skill
  variants with simulated students (see :data:`SKILLS`): every teacher on every skill,
  10 seeds, 2,000 episodes each, evaluated every 1,000; minutes on 2 cores.
- ``quick``: MiniGrid worlds, mazes and the two walkers with small budgets, about
  an hour on 2 cores; a smoke test of the full pipeline, not a result.
- ``parkour-quick``: Parkour's three kinds of body (TeachMyAgent's walker, climber and
  fish) with PPO for 600k steps each on the easy CPPN box in their own medium (see
  :data:`PARKOUR_QUICK_ENVS`), evaluated on their 10 ``easy`` tasks: a sanity check that
  every kind of body learns, not a result.
- ``web``: the teachers on hard web forms (``teachgym/WebForm-v0``, full task space,
  evaluated on its ``hard`` test set) with MaskablePPO and the DOM-aware policy: random,
  ALP-GMM and RIAC (numeric view), QWeb's warm-start and sub-instruction schedules,
  WebRL's self-evolving curriculum and EXP3.S over the preset sub-spaces; 5 seeds,
  about two hours with two workers on 2 cores (see :data:`WEB`).
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

from teachgym.envs.learnability_grid import LearnabilityGridEnv

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
_QUICK_KWARGS: dict[str, dict[str, Any]] = {
    "old_classic_bipedal": {
        "ranges": {"water_level": 0.0, "creepers_height": 0.0, "terrain_cppn_scale": 20.0},
        "terminate_on_fall": True,
    },
    "climbing_profile_chimpanzee": {"ranges": {"water_level": 0.0}},
    "fish": {"ranges": {"water_level": 1.0}},
}
PARKOUR_QUICK_ENVS: list[Any] = [
    {
        "id": PARKOUR,
        "kwargs": {"body": body, "cppn_space": "easy", **kwargs},
        "test_set": "easy",
        "label": f"parkour-{body}-easy",
    }
    for body, kwargs in _QUICK_KWARGS.items()
]
"""Each Parkour body on the easy CPPN box, in its own medium (no water for the walker and
the climber, full water for the fish), evaluated on its 10 ``easy`` tasks. The walker
trains as its ``easy`` tasks are drawn (the walking test set's convention: scale 20, no
creepers) and, a deviation from the reference's Parkour, its fall ends the episode with
-100 (``terminate_on_fall``, as on Stump Tracks and in ``BipedalWalker-v3``): otherwise
a fallen walker lies until the 2000-step limit, a short budget holds a few hundred
episodes and no signal against falling."""

_PPO_MINIGRID = {"name": "ppo", "params": {"n_envs": 8, "n_steps": 256, "batch_size": 256}}
_PPO_WALKER = {"name": "ppo", "params": {"n_envs": 8, "n_steps": 2048, "batch_size": 512}}
_SAC_WALKER = {"name": "sac", "params": {"learning_starts": 10_000}}
_PPO_PARKOUR_QUICK = {
    "name": "ppo",
    "params": {
        "normalize": True,
        "n_envs": 8,
        "n_steps": 1024,
        "batch_size": 64,
        "gae_lambda": 0.95,
        "gamma": 0.999,
        "n_epochs": 10,
        "ent_coef": 0.0,
        "learning_rate": 3e-4,
        "clip_range": 0.18,
        "policy_kwargs": {"log_std_init": -1.0},
    },
}
"""rl-baselines3-zoo's PPO for ``BipedalWalker-v3`` (docs/references.md [rlzoo]: VecNormalize,
batch 64, GAE 0.95, gamma 0.999, 10 epochs, clip 0.18), with 8 environments x 1024 steps
instead of 32 x 2048 so that a short run makes many updates, and an initial action standard
deviation of e^-1 instead of 1 (a deviation: with unit noise on every torque the walkers fall
at once and PPO's first updates learn only to stand)."""

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

SKILL_BUDGET = 2_000
"""Episodes per run of the ``skills`` suite."""
SKILL_CELLS = 4
"""Cells per dimension of the ``skills`` grids (16 cells): at 2,000 episodes the random
teacher masters one of them and no teacher all of them, on the reference rules (with 4
intervals per dimension the rugged map shuffles whole cells)."""
DISCRETE_CELLS = 6
"""Cells per dimension of the discrete skill (36 arms): on 16 arms the bandit teachers
master every cell within the budget, which would hide their differences."""
SKILLS: dict[str, dict[str, Any]] = {
    "default": {"id": "teachgym/LearnabilityGrid-v0", "kwargs": {"cells_per_dim": SKILL_CELLS}},
    "unfeasible": {
        "id": "teachgym/LearnabilityGridUnfeasible-v0",
        "kwargs": {"cells_per_dim": 2 * SKILL_CELLS, "feasible_per_dim": SKILL_CELLS},
    },
    "trivial": {
        "id": "teachgym/LearnabilityGridTrivial-v0",
        "kwargs": {"cells_per_dim": SKILL_CELLS, "trivial_layers": 2},
    },
    "forgetting": {"id": "teachgym/LearnabilityGrid-v0", "kwargs": {"cells_per_dim": SKILL_CELLS}},
    "rugged": {
        "id": "teachgym/LearnabilityGridRugged-v0",
        "kwargs": {"cells_per_dim": SKILL_CELLS, "rugged_intervals": 4, "rugged_seed": 0},
    },
    "distractors": {
        "id": "teachgym/LearnabilityGridDistractors-v0",
        "kwargs": {"cells_per_dim": SKILL_CELLS, "distractors": 8},
    },
    "discrete": {
        "id": "teachgym/LearnabilityGridDiscrete-v0",
        "kwargs": {"cells_per_dim": DISCRETE_CELLS, "task_kind": "categorical"},
    },
}
"""The skills of the ``skills`` suite, each an environment labelled with its name:

- ``default``: the reference rules on 4 x 4 cells (the comparison point);
- ``unfeasible``: 8 x 8 cells of which the lower 4 x 4 can be learned (75 % never can,
  as Stump Tracks' heights [0, 9] of which about [0, 3] can be walked); scored on the
  learnable cells;
- ``trivial``: the first 2 of the 4 layers along ``x0`` learnable from the start (half
  the cells, as the flat half of heights [-3, 3]; the next layer opens as soon as they
  are mastered);
- ``forgetting``: the ``default`` grid with a student whose table is reset after every
  700 episodes, i.e. at 35 % and 70 % of the budget (TeachMyAgent: at 7M and 14M of
  20M steps);
- ``rugged``: each dimension cut into 4 intervals shuffled with seed 0 (TeachMyAgent's
  rugged difficulty);
- ``distractors``: 8 task dimensions no cell depends on (a 10-D task space);
- ``discrete``: 6 x 6 cells as one categorical parameter: the bandit teachers' setting.
"""
FORGET_EVERY = int(0.35 * SKILL_BUDGET)
_FAST_MIXTURE = {"potential_ks": [2, 4, 6, 8]}
ADR_GRID_PARAMS: dict[str, Any] = {
    "preset": "teachmyagent",
    "high_threshold": 0.6,
}
"""ADR on the grid: TeachMyAgent's run values, with the widening threshold scaled to the
grid's returns in [0, 1] as theirs is to the walkers' (180 for mastery at 230:
0.75 * 180 / 230 = 0.59, rounded to 0.6). Its initial task (expert knowledge, which
ADR needs) is the grid's origin cell, where learning starts."""


def _origin(skill: str) -> dict[str, Any]:
    """The task of the grid's origin cell (in the teacher's coordinates)."""
    entry = SKILLS[skill]
    grid = LearnabilityGridEnv(**entry["kwargs"])
    return dict(grid.task_of((0,) * grid.dims))


SPDL_GRID_PARAMS: dict[str, Any] = {
    "preset": "teachmyagent",
    "update_frequency": 100,
    "update_offset": 200,
}
"""SPDL on the grid: TeachMyAgent's run values (alpha offset 10, zeta 0.25, max KL 0.1,
average returns), its schedule (every 50k steps after 200k, of 20M) shortened to the
2,000 one-step episodes of a run: every 100 after 200. It starts from the origin cell
(expert knowledge) and uses the simulated student's values."""
DISCRETE_RETURN_SIGNAL = {"signal": "return"}
"""DUMP and SEC learn from the absolute change of an arm's return: the simulated student
has no advantages (docs/teachers.md)."""
ONE_HOT = {"categorical_encoding": "one-hot"}
GENERATIVE_SKILLS = {"preset": "skills"}
"""GoalGAN's and Setter-Solver's presets for this suite (their docstrings say what differs)."""


def skill_teachers(skill: str) -> list[Any]:
    """Every teacher that runs on ``skill``'s task space.

    On the discrete skill: random, the bandit teachers, and the teachers that encode a
    categorical parameter (the learning-progress teachers, GoalGAN, Setter-Solver) with
    the cell one-hot encoded. Elsewhere: random, the learning-progress teachers, ADR,
    SPDL, GoalGAN and Setter-Solver. GoalGAN and Setter-Solver use their ``skills``
    presets (TeachMyAgent's run values with smaller networks and fewer gradient steps
    per training, see their docstrings), so the suite stays within minutes.
    """
    if skill == "discrete":
        return [
            "random",
            "tscl",
            "exp3s",
            {"name": "dump", "params": DISCRETE_RETURN_SIGNAL},
            {"name": "sec", "params": DISCRETE_RETURN_SIGNAL},
            {"name": "alp-gmm", "params": {**_FAST_MIXTURE, **ONE_HOT}},
            {"name": "covar-gmm", "params": {**_FAST_MIXTURE, **ONE_HOT}},
            {"name": "riac", "params": ONE_HOT},
            {"name": "goal-gan", "params": {**GENERATIVE_SKILLS, **ONE_HOT}},
            {"name": "setter-solver", "params": {**GENERATIVE_SKILLS, **ONE_HOT}},
        ]
    origin = _origin(skill)
    return [
        "random",
        {"name": "alp-gmm", "params": _FAST_MIXTURE},
        {"name": "covar-gmm", "params": _FAST_MIXTURE},
        "riac",
        {"name": "adr", "params": {**ADR_GRID_PARAMS, "initial_task": origin}},
        {"name": "spdl", "params": {**SPDL_GRID_PARAMS, "initial_task": origin}},
        {"name": "goal-gan", "params": GENERATIVE_SKILLS},
        {"name": "setter-solver", "params": GENERATIVE_SKILLS},
    ]


def _skill_grid(skill: str) -> dict[str, Any]:
    student: dict[str, Any] = {"name": "simulated"}
    if skill == "forgetting":
        student["params"] = {"forget_every": FORGET_EVERY}
    return {
        "envs": [{**SKILLS[skill], "label": skill}],
        "teachers": skill_teachers(skill),
        "students": [student],
    }


SKILLS_SUITE: dict[str, Any] = {
    "name": "skills",
    "description": (
        "TeachMyAgent's skill-by-skill comparison on the learnability grid's skill variants "
        "(simulated students): every teacher on every skill, 10 seeds x 2,000 episodes"
    ),
    "seeds": 10,
    "budget": SKILL_BUDGET,
    "evaluation": {"every": 1000, "episodes_per_task": 1},
    "grids": [_skill_grid(skill) for skill in SKILLS],
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
        "Parkour's walker, climber and fish on their easiest tasks, PPO, 600k steps each: "
        "a sanity check that the pipeline trains every kind of body, under an hour"
    ),
    "teachers": ["random"],
    "seeds": 1,
    "students": [_PPO_PARKOUR_QUICK],
    "envs": PARKOUR_QUICK_ENVS,
    "budget": 600_000,
    "evaluation": {"every": 100_000},
}

WEBFORM = "teachgym/WebForm-v0"
WEB_STUDENT = {
    "name": "maskable-ppo",
    "params": {"n_envs": 4, "n_steps": 256, "batch_size": 256},
}
"""MaskablePPO with the DOM-aware policy, SB3's defaults but for shorter rollouts (4 x 256
steps per update instead of 4 x 2048) so a run of :data:`WEB_BUDGET` steps makes twelve
updates."""
WEB_BUDGET = 12_288
"""Environment steps per run of the ``web`` suite (see :data:`WEB`)."""
WEB: dict[str, Any] = {
    "name": "web",
    "description": (
        "Teachers on hard web forms (WebForm full task space, hard test set), MaskablePPO "
        "with the DOM policy: random, ALP-GMM, RIAC, QWeb schedules, WebRL, EXP3.S over "
        f"presets; 5 seeds x {WEB_BUDGET:,} steps"
    ),
    "seeds": 5,
    "students": [WEB_STUDENT],
    "budget": WEB_BUDGET,
    "evaluation": {"every": WEB_BUDGET // 4},
    "grids": [
        {
            "envs": [{"id": WEBFORM, "test_set": "hard", "label": "webform"}],
            "teachers": [
                "random",
                "qweb-warm-start",
                "qweb-subinstruction",
                "webrl",
                {"name": "exp3s", "label": "exp3s-presets"},
            ],
        },
        {
            "envs": [
                {
                    "id": WEBFORM,
                    "kwargs": {"numeric_tasks": True},
                    "test_set": "hard",
                    "label": "webform",
                }
            ],
            "teachers": ["alp-gmm", "riac"],
        },
    ],
}
"""The ``web`` suite. Both grids share the environment label, so the report compares
every teacher on one board; ALP-GMM and RIAC need numbers and see the categorical
parameters as integer levels (``numeric_tasks``), the others the categorical form.
EXP3.S's arms are the environment's preset sub-spaces (``WebFormEnv.bandit_subspaces``).

Budget: on these forms (254 element slots per page, a few dozen used) MaskablePPO with
the DOM-aware policy trains at about 45 environment steps per second on one CPU core
(4,096 steps from random tasks of the full space with four evaluations on the 40
``hard`` tasks: about 90 s). So a run of 12,288 steps takes about 4.5 minutes, and the 35
runs about 80 minutes with ``--workers 2`` on two cores. That is a comparison of the
start of learning, not of converged students: raise ``budget`` in a YAML copy of this
suite for longer runs."""

SUITES: dict[str, dict[str, Any]] = {
    "demo": DEMO,
    "skills": SKILLS_SUITE,
    "quick": QUICK,
    "parkour-quick": PARKOUR_QUICK,
    "web": WEB,
    "standard": STANDARD,
    "paper": PAPER,
}
