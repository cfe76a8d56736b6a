"""MiniGridFamily-v0: the family as a categorical task parameter beside each family's own."""

from __future__ import annotations

from collections import Counter

import gymnasium as gym
import numpy as np
import pytest

import teachgym
from teachgym.checks import check_task_env, check_teacher
from teachgym.envs.gridworlds import FAMILIES, MiniGridFamilyEnv
from teachgym.envs.gridworlds.family import FAMILY_TASK_SPACE, NAMED_TASKS
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import LEVEL_SEED

OWN_IDS = {
    "DoorKey": ("teachgym/DoorKey-v0", {"size": 8}),
    "KeyCorridor": ("teachgym/KeyCorridor-v0", {"num_rows": 2, "room_size": 4}),
    "MultiRoom": ("teachgym/MultiRoom-v0", {"num_rooms": 3, "max_room_size": 6}),
    "ObstructedMaze": ("teachgym/ObstructedMaze-v0", {"variant": "2Q"}),
}


def test_keeps_the_task_env_and_gymnasium_contracts():
    check_task_env(gym.make("teachgym/MiniGridFamily-v0"), n_tasks=8)


@pytest.mark.parametrize("family", list(OWN_IDS))
def test_a_family_task_lays_out_what_the_familys_own_id_lays_out(family):
    env_id, params = OWN_IDS[family]
    own = gym.make(env_id).unwrapped
    mixed = MiniGridFamilyEnv()
    for seed in (0, 1, 2):
        own.reset(seed=9, options={"task": {**params, LEVEL_SEED: seed}})
        _, info = mixed.reset(
            seed=3, options={"task": {"family": family, **params, LEVEL_SEED: seed}}
        )
        assert mixed.describe() == own.describe()
        assert mixed.max_steps == own.max_steps
        assert mixed.oracle_subgoals() == own.oracle_subgoals()
        assert info["task"] == {"family": family, **params, LEVEL_SEED: seed}


def test_maze_tasks_are_random_mazes_with_that_many_blocks():
    env = MiniGridFamilyEnv()
    for blocks in (0, 25, 60):
        env.reset(seed=blocks, options={"task": {"family": "Maze", "num_blocks": blocks}})
        inner = [env.grid.get(x, y) for x in range(1, 14) for y in range(1, 14)]
        walls = sum(1 for obj in inner if obj is not None and obj.type == "wall")
        assert (env.width, env.height) == (15, 15) and walls == blocks
        assert env.mission == "get to the green goal square" and env.max_steps == 250


def test_tasks_of_other_families_are_ignored_and_bad_ones_name_the_parameter():
    env = MiniGridFamilyEnv()
    _, info = env.reset(options={"task": {"family": "DoorKey", "size": 6, "num_rows": 99}})
    assert info["task"] == {"family": "DoorKey", "size": 6}
    cases = {
        "'size' is missing": {"family": "DoorKey", "num_rows": 2},
        "when 'family' is 'KeyCorridor'": {"family": "KeyCorridor", "num_rows": 2},
        "'variant' must be one of": {"family": "ObstructedMaze", "variant": "3Q"},
        "'family' must be one of": {"family": "BabyAI"},
        "'num_blocks' must be an integer in [0, 60]": {"family": "Maze", "num_blocks": 61},
    }
    for fragment, task in cases.items():
        with pytest.raises(TeachgymUsageError) as caught:
            env.reset(options={"task": task})
        assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_named_test_set_pins_solvable_layouts_of_every_family():
    env = MiniGridFamilyEnv()
    named = env.test_set("named")
    assert len(named) == len(NAMED_TASKS) == 24
    assert {task["family"] for task in named.tasks} == set(FAMILIES)
    for task in named.tasks:
        assert env.is_solvable(task)
    uniform = env.test_set("uniform-50").tasks
    assert len({task[LEVEL_SEED] for task in uniform}) == 50


ONE_HOT = {
    "categorical_encoding": "one-hot",
    "return_bounds": (0.0, 1.0),
    "fit_rate": 50,
    "potential_ks": (2, 3),
}
TEACHERS = {
    "random": {}, "plr": {}, "robust-plr": {}, "accel": {},
    "tscl": {}, "exp3s": {}, "sec": {}, "dump": {},
    "alp-gmm": ONE_HOT, "covar-gmm": ONE_HOT,
    "riac": {"categorical_encoding": "one-hot", "max_region_size": 30},
}  # fmt: skip


@pytest.mark.parametrize("name", list(TEACHERS))
def test_teachers_on_categorical_spaces_pick_across_and_within_families(name):
    teacher = teachgym.make_teacher(name, FAMILY_TASK_SPACE, seed=0, **TEACHERS[name])
    check_teacher(teacher, episodes=120)
    teacher = teachgym.make_teacher(name, FAMILY_TASK_SPACE, seed=1, **TEACHERS[name])
    rng = np.random.default_rng(0)
    tasks = []
    for _ in range(150):
        task = teacher.sample()
        assert FAMILY_TASK_SPACE.validate(task) == task
        tasks.append(task)
        teacher.update(task, teachgym.Outcome(float(rng.random()), score=float(rng.random())))
    families = Counter(task["family"] for task in tasks)
    assert set(families) == set(FAMILIES)
    assert len({task["size"] for task in tasks if task["family"] == "DoorKey"}) > 3
    assert len({task["variant"] for task in tasks if task["family"] == "ObstructedMaze"}) > 3


def test_bandit_arms_are_each_familys_own_values_or_the_families():
    per_value = teachgym.make_teacher("tscl", FAMILY_TASK_SPACE, seed=0)
    assert per_value.arms.n_arms == 12 + 3 * 4 + 6 * 7 + 9 + 61  # a sum over families
    subspaces = {family: {"family": family} for family in FAMILIES}
    per_family = teachgym.make_teacher("tscl", FAMILY_TASK_SPACE, seed=0, subspaces=subspaces)
    check_teacher(per_family)
    rng = np.random.default_rng(0)
    for arm, family in enumerate(FAMILIES):
        task = per_family.arms.sample(arm, rng)
        assert task["family"] == family and FAMILY_TASK_SPACE.validate(task) == task
        assert per_family.arms.arm_of(task) == arm
