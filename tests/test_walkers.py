"""The Box2D walker family: bodies, tasks, terrain generation, determinism, test sets."""

from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from teachgym.agents import SB3Student
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.walkers import NAMED_TERRAINS, Terrain
from teachgym.envs.walkers.constants import TERRAIN_STEP
from teachgym.envs.walkers.terrain import convex_hull
from teachgym.envs.walkers.terrain_walker import EASY_SPACE, FLAT, FULL_SPACE
from teachgym.evaluation import evaluate
from teachgym.teachers import make_teacher

WALKER_IDS = ["teachgym/StumpTracks-v0", "teachgym/HexagonTracks-v0", "teachgym/TerrainWalker-v0"]


def terrain_of(env_id: str, task: dict, seed: int = 0) -> Terrain:
    env = gym.make(env_id)
    env.reset(seed=seed, options={"task": task})
    terrain = env.unwrapped.terrain
    env.close()
    return terrain


def flat_with(**changes) -> dict:
    return {**FLAT, **changes}


@pytest.mark.parametrize(
    ("env_id", "body"),
    [
        ("teachgym/StumpTracks-v0", "short_legs"),
        ("teachgym/StumpTracks-v0", "long_legs"),
        ("teachgym/StumpTracks-v0", "quadruped"),
        ("teachgym/HexagonTracks-v0", "quadruped"),
        ("teachgym/TerrainWalker-v0", "short_legs"),
    ],
)
def test_check_env_passes_for_every_body(env_id, body):
    env = gym.make(env_id, body=body)
    check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("body", ["bipedal", "short_legs", "long_legs", "quadruped"])
def test_spaces_are_sized_for_the_body(body):
    env = gym.make("teachgym/StumpTracks-v0", body=body)
    legs = 4 if body == "quadruped" else 2
    assert env.action_space.shape == (2 * legs,)
    assert env.observation_space.shape == (4 + 5 * legs + 10,)
    obs, _ = env.reset(seed=0)
    assert obs.shape == env.observation_space.shape and obs.dtype == np.float32
    obs, reward, *_ = env.step(np.zeros(2 * legs, dtype=np.float32))
    assert obs.shape == env.observation_space.shape and np.isfinite(reward)
    env.close()


def test_leg_length_sets_the_start_height():
    heights = {}
    for body in ("short_legs", "bipedal", "long_legs"):
        env = gym.make("teachgym/StumpTracks-v0", body=body)
        env.reset(seed=0)
        heights[body] = env.unwrapped.sim.hull.position[1]
    assert heights["short_legs"] < heights["bipedal"] < heights["long_legs"]


def test_bad_configuration_and_actions_are_clear_errors():
    with pytest.raises(ValueError, match="unknown walker body 'centipede'"):
        gym.make("teachgym/StumpTracks-v0", body="centipede")
    with pytest.raises(ValueError, match="render_mode"):
        gym.make("teachgym/StumpTracks-v0", render_mode="ascii")
    env = gym.make("teachgym/StumpTracks-v0").unwrapped
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(4))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="4 finite numbers"):
        env.step(np.array([0.0, np.nan, 0.0, 0.0]))
    with pytest.raises(ValueError, match="'bipedal' body"):
        env.step(np.zeros(8))


def test_task_validation_names_the_parameter():
    stumps = gym.make("teachgym/StumpTracks-v0")
    with pytest.raises(ValueError, match=r"'stump_height' must be a real number in \[0.0, 3.0\]"):
        stumps.reset(options={"task": {"stump_height": -1.0, "obstacle_spacing": 2.0}})
    feasible = gym.make("teachgym/StumpTracksFeasible-v0")
    _, info = feasible.reset(options={"task": {"stump_height": -1.0, "obstacle_spacing": 2.0}})
    assert info["task"]["stump_height"] == -1.0
    unfeasible = gym.make("teachgym/StumpTracksUnfeasible-v0")
    assert unfeasible.unwrapped.task_space.parameters["stump_height"].high == 9.0
    hexagons = gym.make("teachgym/HexagonTracks-v0")
    task = dict(hexagons.unwrapped.default_task, vertex3_dy=4.5)
    with pytest.raises(ValueError, match="'vertex3_dy'"):
        hexagons.reset(options={"task": task})
    terrain = gym.make("teachgym/TerrainWalker-v0")
    for bad in (0, 10, 2.5):
        with pytest.raises(ValueError, match="'stair_steps' must be an integer in"):
            terrain.reset(options={"task": flat_with(stair_steps=bad)})
    with pytest.raises(ValueError, match="'pit_gap_low'"):
        terrain.reset(options={"task": flat_with(pit_gap_low=float("nan"))})


@pytest.mark.parametrize("env_id", WALKER_IDS)
def test_same_task_and_seed_give_the_same_terrain_and_trajectory(env_id):
    space = gym.make(env_id).unwrapped.task_space
    task = space.sample(np.random.default_rng(3))
    actions = np.random.default_rng(4).uniform(-1, 1, size=(150, 4)).astype(np.float32)

    def run(seed: int) -> tuple[Terrain, np.ndarray]:
        env = gym.make(env_id)
        observations = [env.reset(seed=seed, options={"task": task})[0]]
        for action in actions:
            obs, _, terminated, truncated, _ = env.step(action)
            observations.append(obs)
            if terminated or truncated:
                break
        return env.unwrapped.terrain, np.array(observations)

    (terrain_a, trajectory_a), (terrain_b, trajectory_b) = run(7), run(7)
    assert terrain_a == terrain_b
    np.testing.assert_array_equal(trajectory_a, trajectory_b)
    terrain_c, trajectory_c = run(8)
    assert terrain_c != terrain_a or not np.array_equal(trajectory_c, trajectory_a)


@pytest.mark.parametrize("env_id", WALKER_IDS)
def test_level_seed_pins_the_terrain_whatever_the_env_seed(env_id):
    space = gym.make(env_id).unwrapped.task_space
    task = space.sample(np.random.default_rng(5))
    pinned = {**task, "level_seed": 123}
    assert terrain_of(env_id, pinned, seed=1) == terrain_of(env_id, pinned, seed=2)
    assert terrain_of(env_id, pinned, seed=1) != terrain_of(env_id, {**task, "level_seed": 124})


def test_stump_heights_follow_the_task():
    task = {"stump_height": 2.0, "obstacle_spacing": 1.5}
    terrain = terrain_of("teachgym/StumpTracks-v0", task)
    heights = np.array([(p[2][1] - p[0][1]) / TERRAIN_STEP for p in terrain.obstacles])
    assert terrain.count("stump") == len(terrain.obstacles) > 40
    assert abs(heights.mean() - 2.0) < 0.05 and 0.05 < heights.std() < 0.15
    starts = [p[0][0] for p in terrain.obstacles]
    np.testing.assert_allclose(np.diff(starts), TERRAIN_STEP + 1.5)
    denser = terrain_of("teachgym/StumpTracks-v0", {**task, "obstacle_spacing": 0.5})
    assert len(denser.obstacles) > len(terrain.obstacles)
    negative = terrain_of("teachgym/StumpTracksFeasible-v0", {**task, "stump_height": -2.0})
    flat = [(p[2][1] - p[0][1]) / TERRAIN_STEP for p in negative.obstacles]
    np.testing.assert_allclose(flat, 0.05)


def test_hexagon_offsets_move_the_vertices():
    env = gym.make("teachgym/HexagonTracks-v0")
    base = env.unwrapped.default_task
    low = terrain_of("teachgym/HexagonTracks-v0", base)
    high = terrain_of("teachgym/HexagonTracks-v0", dict(base, vertex2_dy=4.0))
    assert low.count("hexagon") == len(low.obstacles) > 5
    top_low = np.mean([max(y for _, y in p) for p in low.obstacles])
    top_high = np.mean([max(y for _, y in p) for p in high.obstacles])
    assert top_high - top_low == pytest.approx(4.0 * TERRAIN_STEP, abs=0.1)
    # the two ground vertices never move vertically: every obstacle stands on the ground
    assert all(min(y for _, y in p) == low.ground[0][1] for p in low.obstacles + high.obstacles)


def test_convex_hull_keeps_the_outline_only():
    square = [(0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (1.0, 1.0), (0.0, 1.0), (0.5, 0.2)]
    assert sorted(convex_hull(square)) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    assert convex_hull([(0.0, 0.0), (0.0, 0.0)]) == [(0.0, 0.0)]


@pytest.mark.parametrize(
    ("kind", "low_name", "high_name", "threshold"),
    [
        ("pit", "pit_gap_low", "pit_gap_high", 0.8),
        ("stump", "stump_height_low", "stump_height_high", 0.2),
        ("stair", "stair_height_low", "stair_height_high", 0.2),
    ],
)
def test_obstacles_switch_on_at_their_thresholds(kind, low_name, high_name, threshold):
    def count(high: float) -> int:
        task = flat_with(**{low_name: 0.0, high_name: high}, stair_steps=9, level_seed=0)
        return terrain_of("teachgym/TerrainWalker-v0", task).count(kind)

    assert count(threshold - 0.01) == 0
    assert count(threshold) > 0
    assert count(max(threshold, 2.0)) > 0


def test_terrain_ranges_are_sorted():
    ordered = flat_with(pit_gap_low=1.0, pit_gap_high=6.0, stump_height_low=0.5, level_seed=9)
    ordered["stump_height_high"] = 3.0
    swapped = dict(ordered, pit_gap_low=6.0, pit_gap_high=1.0)
    swapped.update(stump_height_low=3.0, stump_height_high=0.5)
    assert terrain_of("teachgym/TerrainWalker-v0", ordered) == terrain_of(
        "teachgym/TerrainWalker-v0", swapped
    )
    # a low end above the threshold still switches pits on when it is the larger value
    assert terrain_of("teachgym/TerrainWalker-v0", flat_with(pit_gap_low=2.0)).count("pit") > 0


def test_roughness_zero_is_flat_and_roughness_makes_hills():
    flat = terrain_of("teachgym/TerrainWalker-v0", FLAT)
    assert len({y for _, y in flat.ground}) == 1 and not flat.obstacles
    rough = terrain_of("teachgym/TerrainWalker-v0", flat_with(ground_roughness=5.0))
    assert np.ptp([y for _, y in rough.ground]) > 1.0


def test_stump_tracks_test_sets_are_the_published_ones():
    env = gym.make("teachgym/StumpTracks-v0").unwrapped
    grid = env.test_set()
    assert (grid.name, grid.version, len(grid)) == ("grid-10x10", 1, 100)
    expected = itertools.product(np.linspace(0, 3, 10), np.linspace(0, 6, 10))
    for task, (height, spacing) in zip(grid.tasks, expected, strict=True):
        assert task["stump_height"] == pytest.approx(height)
        assert task["obstacle_spacing"] == pytest.approx(spacing)
    uniform = env.test_set("uniform-50")
    assert len(uniform) == 50 and uniform.tasks == env.test_set("uniform-50").tasks


def test_hexagon_test_set_is_fixed_and_valid():
    a = gym.make("teachgym/HexagonTracks-v0").unwrapped
    b = gym.make("teachgym/HexagonTracks-v0").unwrapped
    test_set = a.test_set()
    assert (test_set.name, test_set.version, len(test_set)) == ("uniform-50", 1, 50)
    assert test_set.tasks == b.test_set().tasks
    assert all(a.task_space.contains(t) for t in test_set.tasks)
    assert len({tuple(t.values()) for t in test_set.tasks}) == 50


def test_terrain_walker_named_test_terrains():
    env = gym.make("teachgym/TerrainWalker-v0").unwrapped
    named = env.test_set()
    assert named.name == "named-terrains" and named.tasks == list(NAMED_TERRAINS.values())
    assert {"flat", "roughness", "stump-height", "stairs", "pit-gap", "hardcore", "insane"} <= set(
        NAMED_TERRAINS
    )
    assert NAMED_TERRAINS["insane"]["pit_gap_high"] == 10.0
    assert all(FULL_SPACE.contains(t) for t in named.tasks)
    insane = terrain_of("teachgym/TerrainWalker-v0", NAMED_TERRAINS["insane"])
    assert {"pit", "stump", "stair"} <= set(insane.kinds)


def test_easy_variant_draws_only_easy_levels():
    env = gym.make("teachgym/TerrainWalkerEasy-v0")
    assert env.unwrapped.task_space == EASY_SPACE
    assert all(FULL_SPACE.contains(t) for t in env.unwrapped.test_set().tasks)
    task = EASY_SPACE.sample(np.random.default_rng(0))
    with pytest.raises(ValueError, match="'ground_roughness'"):
        env.reset(options={"task": dict(task, ground_roughness=0.7)})
    terrain = terrain_of("teachgym/TerrainWalkerEasy-v0", task)
    assert terrain.count("pit") == 0  # pits need a gap of at least 0.8


def test_return_bounds_mastery_and_success_flag():
    env = gym.make("teachgym/StumpTracks-v0", max_episode_steps=None)
    walker = env.unwrapped
    assert walker.return_bounds == (-150.0, 350.0) and walker.mastery_return == 230.0
    assert walker.is_mastered(230.5) and not walker.is_mastered(230.0)
    assert env.spec.max_episode_steps is None or env.spec.max_episode_steps == 2000
    env.reset(seed=0)
    total, info, done = 0.0, {}, False
    while not done:
        _, reward, terminated, truncated, info = env.step(np.array([1, -1, 1, -1], np.float32))
        total += reward
        done = terminated or truncated
    assert info["is_success"] == (total > 230) and total < 230


def test_rgb_array_frames_show_the_terrain():
    env = gym.make("teachgym/StumpTracks-v0", render_mode="rgb_array")
    env.reset(seed=0, options={"task": {"stump_height": 0.0, "obstacle_spacing": 6.0}})
    low = env.render()
    env.reset(seed=0, options={"task": {"stump_height": 3.0, "obstacle_spacing": 0.0}})
    high = env.render()
    assert low.shape == high.shape == (400, 600, 3) and low.dtype == np.uint8
    assert not np.array_equal(low, high)
    env.close()


def test_human_mode_draws_without_returning_frames():
    env = gym.make("teachgym/HexagonTracks-v0", render_mode="human")
    env.reset(seed=0)
    assert env.render() is None
    env.step(env.action_space.sample())
    env.close()


@pytest.mark.slow
def test_random_teacher_drives_stump_tracks_through_sb3_vector_envs():
    env_fn = env_factory("teachgym/StumpTracks-v0", max_episode_steps=60)
    space = env_fn().unwrapped.task_space
    teacher = make_teacher("random", space, seed=0)
    records = []
    curriculum = Curriculum(teacher, listeners=[records.append])
    student = SB3Student(env_fn, algo="ppo", n_envs=2, seed=0, n_steps=64, batch_size=64)
    student.learn(curriculum, 512)
    assert teacher.n_updates == len(records) >= 8
    assert all(space.contains(r.task) for r in records)
    assert len({r.task["stump_height"] for r in records}) == len(records)  # teacher's tasks
    returns = evaluate(student, space.grid(2)[:2], episodes_per_task=1).returns
    assert returns.shape == (2, 1) and np.all(np.isfinite(returns))
    student.close()


@pytest.mark.parametrize("env_id", ["teachgym/StumpTracks-v0", "teachgym/HexagonTracks-v0"])
def test_walkers_pickle_and_copy_before_reset(env_id):
    import copy
    import pickle

    env = gym.make(env_id)
    clones = [pickle.loads(pickle.dumps(env)), copy.deepcopy(env)]
    task = env.unwrapped.task_space.sample(np.random.default_rng(0))
    expected, _ = env.reset(seed=3, options={"task": task})
    for clone in clones:
        observation, _ = clone.reset(seed=3, options={"task": task})
        np.testing.assert_array_equal(observation, expected)
        clone.close()
    env.close()
