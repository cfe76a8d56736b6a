"""Parkour: CPPN terrain, track placement, water physics, drowning, test sets, the contract."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from teachgym.checks import check_task_env
from teachgym.envs.walkers.bodies import BODIES
from teachgym.envs.walkers.constants import TERRAIN_HEIGHT, TERRAIN_STEP
from teachgym.envs.walkers.cppn import CPPN_STD, cppn_profiles, cppn_weights
from teachgym.envs.walkers.parkour import CPPN_SPACES, parkour_space
from teachgym.envs.walkers.parkour_track import build_track
from teachgym.errors import TeachgymUsageError
from tests.test_bodies import PARKOUR_SIZES

PARKOUR = "teachgym/Parkour-v0"
DRY = {
    "v1": -0.15,
    "v2": 0.8,
    "v3": 0.1,
    "water_level": 0.0,
    "creepers_width": 0.25,
    "creepers_height": 1.0,
    "creepers_spacing": 1.0,
    "terrain_cppn_scale": 10.0,
}


def track_of(task: dict, seed: int = 0, startpad: int = 20):
    return build_track(task, startpad, np.random.default_rng(seed))


# -- CPPN and track ----------------------------------------------------------------------
def test_cppn_is_deterministic_and_has_the_published_shape():
    weights = cppn_weights()
    assert [w.shape for w in weights] == [(4, 64), (64, 64), (64, 64), (64, 64), (64, 2)]
    assert all(np.abs(w).max() <= 2 * CPPN_STD for w in weights)  # truncated at 2 std
    assert all(not w.flags.writeable for w in weights)
    first = cppn_profiles([-0.1, 0.9, 0.1])
    assert first.shape == (200, 2)
    np.testing.assert_array_equal(first, cppn_profiles(np.array([-0.1, 0.9, 0.1])))
    assert not np.allclose(first, cppn_profiles([-0.2, 0.9, 0.1]))


@pytest.mark.parametrize("box", sorted(CPPN_SPACES))
@pytest.mark.parametrize("scale", [10.0, 20.0])
def test_ceiling_never_drops_below_the_ground(box, scale):
    space = parkour_space(box)
    rng = np.random.default_rng(1)
    for _ in range(20):
        task = {**space.sample(rng), "terrain_cppn_scale": scale}
        track = track_of(task)
        assert np.all(track.ceiling >= track.ground)
        assert len(track.x) == 220


def test_track_placement_follows_the_reference():
    track = track_of({**DRY, "terrain_cppn_scale": 20.0}, startpad=24)
    raw = cppn_profiles([DRY["v1"], DRY["v2"], DRY["v3"]]) / 20.0
    assert len(track.x) == 224
    np.testing.assert_allclose(np.diff(track.x), TERRAIN_STEP)
    np.testing.assert_allclose(track.ground[:25], TERRAIN_HEIGHT)  # pad, then CPPN point 0
    np.testing.assert_allclose(track.ceiling[:24], TERRAIN_HEIGHT + 10.0)
    np.testing.assert_allclose(track.ground[24:], raw[:, 0] - raw[0, 0] + TERRAIN_HEIGHT)
    ceiling = raw[:, 1] - raw[0, 1] + TERRAIN_HEIGHT + 10.0
    np.testing.assert_allclose(track.ceiling[24:], np.maximum(ceiling, track.ground[24:]))
    assert track.ground_limit == -50.0 and track.ceiling_limit == 50.0
    assert track.finish_x == pytest.approx(219 * TERRAIN_STEP)


def test_water_level_maps_onto_the_span_up_to_the_highest_ceiling():
    low, high = track_of({**DRY, "water_level": 0.0}), track_of({**DRY, "water_level": 0.5})
    span = high.ceiling.max() - high.ground_limit
    assert low.water_y == pytest.approx(low.ground_limit + 0.01 * span)  # floored at 0.01
    assert high.water_y == pytest.approx(high.ground_limit + 0.5 * span)


def test_creepers_hang_from_the_ceiling_at_whole_step_gaps():
    track = track_of(
        {**DRY, "creepers_width": 0.05, "creepers_spacing": 0.0, "creepers_height": -1}
    )
    lefts = np.array([c[0][0] for c in track.creepers])
    gaps = np.diff(lefts) / TERRAIN_STEP
    np.testing.assert_allclose(gaps, 2.0)  # spacing floored at 0.01: every other point
    for creeper in track.creepers:
        (x1, top), (x2, _), (_, bottom), _ = creeper
        assert x2 - x1 == pytest.approx(0.2)  # width floored at 0.2
        assert top - bottom == pytest.approx(0.2)  # height floored at 0.2
    spaced = track_of({**DRY, "creepers_spacing": 2.0})
    gaps = np.diff([c[0][0] for c in spaced.creepers]) / TERRAIN_STEP
    np.testing.assert_allclose(gaps, 6.0)  # 2 m need 5 steps after the creeper's own
    heights = [c[0][1] - c[2][1] for c in spaced.creepers]
    assert min(heights) >= 0.2 and abs(np.mean(heights) - 1.0) < 0.05


# -- the environment ---------------------------------------------------------------------
def test_parkour_passes_check_env_and_check_task_env():
    env = gym.make(PARKOUR)
    check_task_env(env, n_tasks=3, steps_per_task=5)
    check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("body", sorted(BODIES))
def test_every_body_keeps_the_contract_with_its_published_sizes(body):
    env = gym.make(PARKOUR, body=body)
    spec = BODIES[body]
    observation, action = PARKOUR_SIZES.get(body, (6 + spec.joint_observation_dim + 20, 4))
    assert env.observation_space.shape == (observation,)
    assert env.action_space.shape == (action if body in PARKOUR_SIZES else spec.action_dim,)
    check_task_env(env, n_tasks=1, steps_per_task=2)
    env.close()


def test_same_task_and_seed_give_the_same_terrain_creepers_and_trajectory():
    def run() -> tuple[np.ndarray, np.ndarray, list, list]:
        env = gym.make(PARKOUR)
        task = {**DRY, "water_level": 0.9, "level_seed": 7}
        observation, _ = env.reset(seed=3, options={"task": task})
        rng = np.random.default_rng(0)
        trajectory = [observation]
        for _ in range(60):
            trajectory.append(env.step(rng.uniform(-1, 1, 4))[0])
        track = env.unwrapped.track
        env.close()
        return track.ground, track.ceiling, track.creepers, trajectory

    first, second = run(), run()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert first[2] == second[2]
    np.testing.assert_array_equal(np.array(first[3]), np.array(second[3]))


def test_spaces_and_observation_layout():
    env = gym.make(PARKOUR)
    assert env.action_space.shape == (4,)
    assert env.observation_space.shape == (36,)  # 6 head values, 10 joint values, 10 + 10 lidar
    observation, info = env.reset(seed=0, options={"task": DRY})
    assert info["task"] == DRY
    assert observation[4] == 0.0 and observation[5] == 0.0  # dry, alive
    assert np.all((observation[16:26] >= 0) & (observation[16:26] <= 1))
    assert np.all(observation[26:] == 0.0)  # nothing but rock under the lidar
    env.close()


def test_lidar_flags_water_below_the_walker():
    env = gym.make(PARKOUR)
    env.reset(seed=0, options={"task": DRY})
    track = env.unwrapped.track
    level = (TERRAIN_HEIGHT + 0.3 - track.ground_limit) / (track.ceiling.max() - track.ground_limit)
    observation, _ = env.reset(seed=0, options={"task": {**DRY, "water_level": level}})
    assert env.unwrapped.track.water_y == pytest.approx(TERRAIN_HEIGHT + 0.3)
    assert observation[4] == 0.0  # the head is above the surface
    hit = observation[16:26] < 1.0
    assert hit.sum() >= 6 and np.all(observation[26:][hit] == -1.0)  # rays end on the water
    assert np.all(observation[26:][~hit] == 0.0)
    env.close()


def drown(env, steps: int, action: np.ndarray):
    for _ in range(steps):
        observation, _, terminated, truncated, _ = env.step(action)
        assert not (terminated or truncated)
    return observation


def test_a_walker_under_water_for_601_steps_dies_and_its_actions_are_zeroed():
    env = gym.make(PARKOUR)
    parkour = env.unwrapped
    env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
    full = np.ones(4, dtype=np.float32)
    observation = drown(env, 601, full)
    assert observation[4] == 1.0 and observation[5] == 0.0
    assert parkour.steps_under_water == 601
    assert any(m.GetMotorTorque(50) != 0 for m in parkour.sim.agent.motors)
    observation, reward, terminated, _, _ = env.step(full)
    assert observation[5] == 1.0 and not terminated  # dead, the episode runs on
    assert all(m.GetMotorTorque(50) == 0 and m.motorSpeed == 0 for m in parkour.sim.agent.motors)
    assert parkour.steps_under_water == 601  # the counters stop with the agent
    x = parkour.sim.agent.head.position[0]
    observation, reward, *_ = env.step(full)
    shaping_change = 130 * (parkour.sim.agent.head.position[0] - x) / 30
    assert abs(reward - shaping_change) < 5.0 * 0.1  # no torque cost while dead
    env.close()


def test_terminate_on_death_ends_the_episode_when_the_walker_drowns():
    env = gym.make(PARKOUR, terminate_on_death=True)
    env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
    drown(env, 601, np.zeros(4, dtype=np.float32))
    _, _, terminated, truncated, info = env.step(np.zeros(4, dtype=np.float32))
    assert terminated and not truncated and info["is_success"] is False
    env.close()


def hull_on_the_ground(terminate_on_fall: bool) -> tuple[list[float], bool, bool]:
    """Turn a walker's hull upside down onto the start pad; the rewards and flags after."""
    env = gym.make(PARKOUR, body="old_classic_bipedal", terminate_on_fall=terminate_on_fall)
    env.reset(seed=0, options={"task": DRY})
    hull = env.unwrapped.sim.agent.head
    x = hull.position[0]
    hull.transform = ((x, TERRAIN_HEIGHT + 0.25), np.pi)
    rewards, terminated, truncated = [], False, False
    for _ in range(50):
        _, reward, terminated, truncated, _ = env.step(np.zeros(4, dtype=np.float32))
        rewards.append(reward)
        if terminated or truncated:
            break
    env.close()
    return rewards, terminated, truncated


def test_a_fallen_walker_lies_on_in_parkour_and_terminate_on_fall_ends_its_episode():
    rewards, terminated, _ = hull_on_the_ground(terminate_on_fall=False)
    assert not terminated and len(rewards) == 50 and min(rewards) > -100.0
    rewards, terminated, truncated = hull_on_the_ground(terminate_on_fall=True)
    assert terminated and not truncated and rewards[-1] == -100.0 and len(rewards) < 50


def test_a_walker_that_surfaces_starts_counting_again():
    env = gym.make(PARKOUR)
    parkour = env.unwrapped
    env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
    drown(env, 300, np.zeros(4, dtype=np.float32))
    parkour.sim.track.water_y = parkour.sim.track.ground_limit  # drain the water
    env.step(np.zeros(4, dtype=np.float32))
    assert parkour.steps_under_water == 0 and parkour.steps_out_of_water == 1
    env.close()


def test_rgb_frames_show_the_water():
    env = gym.make(PARKOUR, render_mode="rgb_array")
    env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
    frame = env.render()
    assert frame.shape == (400, 600, 3) and frame.dtype == np.uint8
    water = np.all(frame == np.array([119, 172, 229], dtype=np.uint8), axis=2)
    assert water.mean() > 0.2
    env.reset(seed=0, options={"task": DRY})
    assert not np.all(env.render() == np.array([119, 172, 229], dtype=np.uint8), axis=2).any()
    env.close()


# -- task space and test sets ------------------------------------------------------------
def test_task_space_is_the_benchmark_box_with_width_and_scale_held():
    env = gym.make(PARKOUR)
    space = env.unwrapped.task_space
    assert space.dim == 6
    assert (space.parameters["v1"].low, space.parameters["v1"].high) == (-0.35, 0.05)
    task = space.from_vector(np.full(6, 0.5))
    assert task["creepers_width"] == 0.25 and task["terrain_cppn_scale"] == 10.0
    easy = gym.make(PARKOUR, cppn_space="easy").unwrapped.task_space
    assert (easy.parameters["v2"].low, easy.parameters["v2"].high) == (0.8, 1.0)
    with pytest.raises(TeachgymUsageError, match="cppn_space"):
        gym.make(PARKOUR, cppn_space="hard")
    env.close()


def test_test_sets_follow_the_reference_conventions():
    env = gym.make(PARKOUR)
    sets = env.unwrapped.test_sets()
    assert list(sets) == ["walking", "climbing", "swimming", "easy"]  # a walker's set first
    for test_set in sets.values():
        assert len(test_set) == (10 if test_set.name == "easy" else 100)
        assert test_set.version == 1
        assert all(env.unwrapped.task_space.contains(t) for t in test_set.tasks)
    easy_box = CPPN_SPACES["easy"]
    for task in sets["easy"].tasks:
        assert task["water_level"] == 0.0 and task["terrain_cppn_scale"] == 20.0
        for name, (low, high) in zip(("v1", "v2", "v3"), easy_box, strict=True):
            assert low <= task[name] <= high
    walking, climbing, swimming = (sets[k].tasks for k in ("walking", "climbing", "swimming"))
    assert {t["terrain_cppn_scale"] for t in walking} == {20.0}
    assert {t["water_level"] for t in walking} == {0.0}
    assert {t["water_level"] for t in swimming} == {1.0}
    widths = [t["creepers_width"] for t in climbing]
    assert min(widths) < 0.1 and max(widths) > 0.4  # widths beyond the training value
    assert max(t["water_level"] for t in climbing) <= 0.8
    assert sets == gym.make(PARKOUR).unwrapped.test_sets()  # fixed seed
    env.close()


# -- water forces ------------------------------------------------------------------------
def water_world(density: float, y: float = 0.0):
    """A lone 1 x 0.5 m box of ``density`` at height ``y`` in 2 m deep water."""
    import Box2D

    from teachgym.envs.walkers.water import Immersed, WaterBox

    world = Box2D.b2World()
    body = world.CreateDynamicBody(position=(5.0, y))
    body.CreatePolygonFixture(box=(0.5, 0.25), density=density)
    water = WaterBox(left=0.0, right=10.0, bottom=-5.0, top=2.0)
    return world, body, [Immersed.of(body.fixtures[0])], water


@pytest.mark.parametrize("vectorised", [True, False])
def test_buoyancy_lifts_a_body_lighter_than_water_and_not_a_heavier_one(vectorised):
    from teachgym.envs.walkers.water import WaterForces, apply_water_forces_loop

    apply = WaterForces() if vectorised else apply_water_forces_loop
    heights = {}
    for density in (0.5, 2.0):
        world, body, immersed, water = water_world(density)
        for _ in range(25):
            apply(immersed, water)
            world.Step(1 / 50, 180, 60)
        heights[density] = body.position[1]
    assert heights[0.5] > 0.05 and heights[2.0] < -0.05


def test_a_floating_body_settles_at_the_surface():
    from teachgym.envs.walkers.water import WaterForces

    world, body, immersed, water = water_world(0.5, y=1.0)
    apply = WaterForces()
    for _ in range(400):
        apply(immersed, water)
        world.Step(1 / 50, 180, 60)
    # half its density: half of its 0.5 m height under the 2 m surface
    assert body.position[1] == pytest.approx(2.0, abs=0.05)


def motor_world():
    """Six spinning, moving polygon bodies (three with a second fixture) on motor joints,
    one of them at its joint limit."""
    import Box2D

    from teachgym.envs.walkers.water import Immersed

    rng = np.random.default_rng(0)
    world = Box2D.b2World()
    anchor = world.CreateStaticBody(position=(0, 0))
    bodies = []
    for i in range(6):
        body = world.CreateDynamicBody(
            position=(2.0 + i, rng.uniform(-1, 1)), angle=rng.uniform(-3, 3)
        )
        body.CreatePolygonFixture(
            vertices=[(-0.3, -0.2), (0.4, -0.25), (0.35, 0.3), (0.0, 0.4), (-0.3, 0.2)],
            density=1.0,
        )
        if i % 2 == 0:
            body.CreatePolygonFixture(box=(0.1, 0.6, (0.2, 0.0), 0.3), density=0.5)
        body.linearVelocity = tuple(rng.uniform(-3, 3, 2))
        body.angularVelocity = float(rng.uniform(-4, 4))
        world.CreateRevoluteJoint(
            bodyA=anchor,
            bodyB=body,
            anchor=body.position,
            enableMotor=True,
            maxMotorTorque=80.0,
            motorSpeed=float(rng.choice([-6.0, 6.0])),
            enableLimit=True,
            lowerAngle=-1.0 if i != 3 else 0.5,  # joint 3 at its limit: no push
            upperAngle=1.0,
        )
        bodies.append(body)
    world.Step(1 / 50, 180, 60)
    return world, bodies, [Immersed.of(f) for b in bodies for f in b.fixtures]


def assert_same_water_forces(immersed, water):
    """The vectorised forces equal the per-polygon loop's on every body; returns them."""
    from teachgym.envs.walkers.water import apply_water_forces_loop, water_forces

    found, forces, torques = water_forces(immersed, water)
    looped = apply_water_forces_loop(immersed, water)
    assert len(found) == len({item.body for item in immersed})  # wrappers hash alike
    assert set(looped) <= set(found)
    expected = np.array([looped.get(b, (0.0, 0.0, 0.0)) for b in found])
    np.testing.assert_allclose(forces, expected[:, :2], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(torques, expected[:, 2], rtol=1e-9, atol=1e-9)
    return forces, torques


@pytest.mark.parametrize(
    "box",
    [
        (0.0, 20.0, -5.0, 5.0),  # every polygon wholly in the water
        (0.0, 6.9, -5.0, 0.2),  # across the surface, and the last body across x = 6.9
        (2.3, 20.0, -0.1, 0.0),  # across the left side, the bottom and the surface
        (0.0, 20.0, 3.0, 9.0),  # every polygon below the water's bottom
    ],
)
def test_vectorised_water_forces_equal_the_per_polygon_loop(box):
    """Polygons moving and spinning, driven by motors at their limits and within, across
    the sides of the box, wholly in it or out of it: both versions give the same force
    and torque on every body."""
    from teachgym.envs.walkers.water import WaterBox

    world, _, immersed = motor_world()  # the world owns the bodies: keep it
    left, right, bottom, top = box
    forces, _ = assert_same_water_forces(immersed, WaterBox(left, right, bottom, top))
    assert world.bodyCount == 7
    if bottom < 0:
        assert np.abs(forces).max() > 1.0  # the situation exerts real forces
    else:
        assert np.abs(forces).max() == 0.0


@pytest.mark.parametrize("surface", [0.25, 0.1, -0.25, -0.3])
def test_water_forces_agree_with_vertices_on_the_surface_and_bodies_at_rest(surface):
    """An upright box (vertices at y = +-0.25) at rest and one sliding sideways, with the
    surface through its top edge, its middle, its bottom edge and under it."""
    import Box2D

    from teachgym.envs.walkers.water import Immersed, WaterBox

    world = Box2D.b2World()
    still = world.CreateDynamicBody(position=(2.0, 0.0))
    sliding = world.CreateDynamicBody(position=(4.0, 0.0), linearVelocity=(1.5, 0.0))
    for body in (still, sliding):
        body.CreatePolygonFixture(box=(0.5, 0.25), density=1.0)
    water = WaterBox(left=0.0, right=10.0, bottom=-5.0, top=surface)
    forces, torques = assert_same_water_forces(
        [Immersed.of(b.fixtures[0]) for b in (still, sliding)], water
    )
    area = 1.0 * min(max(surface + 0.25, 0.0), 0.5)
    np.testing.assert_allclose(forces[0], (0.0, 10.0 * area), atol=1e-12)  # buoyancy only
    assert torques[0] == pytest.approx(0.0, abs=1e-12)
    assert forces[1][0] < 0.0 if area > 0 else forces[1][0] == 0.0  # drag on the side


@pytest.mark.parametrize("body", ["old_classic_bipedal", "fish", "spider", "millipede"])
def test_vectorised_water_forces_equal_the_loop_on_random_poses(body):
    """Bodies after random actions in deep water, then the same poses with the surface,
    the left side and the bottom moved through them."""
    from teachgym.envs.walkers.water import WaterBox

    env = gym.make(PARKOUR, body=body)
    env.reset(seed=3, options={"task": {**DRY, "water_level": 1.0}})
    sim = env.unwrapped.sim
    rng = np.random.default_rng(4)
    for _ in range(3):
        for _ in range(15):
            env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        immersed = list(sim.contacts.immersed)
        points = np.array(
            [item.body.GetWorldPoint(v) for item in immersed for v in item.local.tolist()]
        )
        (x_low, y_low), (x_high, y_high) = points.min(axis=0), points.max(axis=0)
        assert_same_water_forces(immersed, sim.water)
        for _ in range(4):
            top = rng.uniform(y_low, y_high)
            assert_same_water_forces(immersed, WaterBox(-1e3, 1e3, -1e3, top))
            left, bottom = rng.uniform(x_low, x_high), rng.uniform(y_low, y_high)
            assert_same_water_forces(immersed, WaterBox(left, 1e3, bottom, top + 1.0))
    env.close()


def test_applied_vectorised_forces_move_bodies_as_the_loop():
    """Two copies of one world stepped under each version end in the same state (Box2D
    sums the forces in single precision: equal to rounding)."""
    from teachgym.envs.walkers.water import WaterBox, WaterForces, apply_water_forces_loop

    water = WaterBox(left=0.0, right=6.9, bottom=-5.0, top=0.2)
    states = []
    for apply in (WaterForces(), apply_water_forces_loop):
        world, bodies, immersed = motor_world()
        for _ in range(10):
            apply(immersed, water)
            world.Step(1 / 50, 180, 60)
        states.append(
            [(*b.position, b.angle, *b.linearVelocity, b.angularVelocity) for b in bodies]
        )
    np.testing.assert_allclose(states[0], states[1], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    ("body", "first", "water"),
    [("fish", "swimming", 1.0), ("climbing_profile_chimpanzee", "climbing", 0.0)],
)
def test_the_default_test_set_is_the_bodys_own(body, first, water):
    sets = gym.make(PARKOUR, body=body).unwrapped.test_sets()
    assert next(iter(sets)) == first
    assert {t["water_level"] for t in sets["easy"].tasks} == {water}


def test_ranges_narrow_or_hold_what_teachers_see():
    env = gym.make(PARKOUR, body="fish", ranges={"water_level": 1.0, "creepers_height": [0, 1]})
    space = env.unwrapped.task_space
    assert space.dim == 5
    rng = np.random.default_rng(0)
    tasks = [space.sample(rng) for _ in range(20)]
    assert {t["water_level"] for t in tasks} == {1.0}
    assert max(t["creepers_height"] for t in tasks) <= 1.0
    sets = env.unwrapped.test_sets()  # still valid: clipped into the narrower ranges
    assert max(t["creepers_height"] for t in sets["climbing"].tasks) == 1.0
    env.reset(seed=0, options={"task": {**DRY, "water_level": 0.0}})  # a held value may vary
    for bad, fragment in (
        ({"depth": 1.0}, "unknown Parkour parameter 'depth'"),
        ({"water_level": 2.0}, "water_level must be in"),
        ({"creepers_height": [3, 1]}, "creepers_height must be one number or"),
    ):
        with pytest.raises(TeachgymUsageError, match=fragment):
            gym.make(PARKOUR, ranges=bad)
    env.close()


# -- climbing, swimming, amphibians --------------------------------------------------------
CLIMBER = "climbing_profile_chimpanzee"
CREEPERS = {**DRY, "creepers_spacing": 0.0, "creepers_height": 3.0}


def grasp(env, *ready: float) -> np.ndarray:
    """Motors idle, one grasp value per sensor."""
    action = np.zeros(env.action_space.shape, dtype=np.float32)
    action[len(action) - len(ready) :] = ready
    return action


def test_a_climber_starts_hanging_from_the_ceiling_and_stays_while_it_grasps():
    env = gym.make(PARKOUR, body=CLIMBER)
    observation, _ = env.reset(seed=0, options={"task": DRY})
    agent = env.unwrapped.sim.agent
    assert [tag.attached for tag in agent.sensor_tags] == [True, True]
    ceiling = env.unwrapped.track.start_ceiling
    assert all(abs(s.position[1] - ceiling) < 0.1 for s in agent.sensors)
    # per sensor (touching, attached); the joint ends the sensor's contact with what it holds
    assert observation[-24:-20].tolist() == [0.0, 1.0, 0.0, 1.0]
    start = agent.head.position[1]
    for _ in range(100):
        *_, terminated, truncated, _ = env.step(grasp(env, 1.0, 1.0))
        assert not (terminated or truncated)
    assert abs(agent.head.position[1] - start) < 0.3
    env.close()


def test_a_released_climber_falls_and_its_critical_contact_ends_the_episode():
    env = gym.make(PARKOUR, body=CLIMBER)
    env.reset(seed=0, options={"task": DRY})
    for _ in range(500):
        _, reward, terminated, _, _ = env.step(grasp(env, -1.0, 0.0))
        if terminated:
            break
    assert terminated and reward == -100.0
    assert not any(tag.attached for tag in env.unwrapped.sim.agent.sensor_tags)
    env.close()


def test_a_climbers_sensor_attaches_to_a_creeper_and_releases_on_a_non_positive_action():
    env = gym.make(PARKOUR, body=CLIMBER)
    parkour = env.unwrapped
    env.reset(seed=0, options={"task": CREEPERS})
    env.step(grasp(env, 0.0, -0.5))  # let go of the ceiling
    agent = parkour.sim.agent
    assert not any(tag.attached for tag in agent.sensor_tags)
    creeper = next(c for c in parkour.track.creepers if c[0][0] > 5.0)
    (left, top), (right, _), _, _ = creeper
    sensor = agent.sensors[0]
    dx = (left + right) / 2 - sensor.position[0]
    dy = top - 1.5 - sensor.position[1]
    for body in agent.parts + agent.sensors:  # the whole climber into the creeper
        body.position = (body.position[0] + dx, body.position[1] + dy)
        body.linearVelocity = (0.0, 0.0)
    observation, *_ = env.step(grasp(env, 1.0, 1.0))
    joints = [tag.joint for tag in agent.sensor_tags]
    assert all(j is not None for j in joints)
    assert all(j.bodyB.userData.name == "creeper" for j in joints)
    assert observation[-23:-20:2].tolist() == [1.0, 1.0]  # attached
    env.step(grasp(env, 1.0, 0.0))  # the second sensor lets go, the first holds
    assert agent.sensor_tags[0].attached and not agent.sensor_tags[1].attached
    env.step(grasp(env, -0.2, 0.0))
    assert not any(tag.attached for tag in agent.sensor_tags)
    env.close()


def test_a_climbers_lidar_flags_the_creepers_above_it():
    env = gym.make(PARKOUR, body=CLIMBER)
    observation, _ = env.reset(seed=0, options={"task": CREEPERS})
    assert (observation[-10:] == 1.0).sum() >= 5
    env.close()


def test_a_fish_out_of_water_dies_and_one_in_water_lives():
    env = gym.make(PARKOUR, body="fish")
    parkour = env.unwrapped
    env.reset(seed=0, options={"task": DRY})
    observation = drown(env, 601, np.ones(4, dtype=np.float32))
    assert observation[4] == 0.0 and observation[5] == 0.0
    assert parkour.steps_out_of_water == 601
    observation, *_ = env.step(np.ones(4, dtype=np.float32))
    assert observation[5] == 1.0
    assert all(m.motorSpeed == 0 for m in parkour.sim.agent.motors)
    env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
    observation = drown(env, 700, np.ones(4, dtype=np.float32))
    assert observation[4] == 1.0 and observation[5] == 0.0
    env.close()


def test_an_amphibian_never_drowns():
    env = gym.make(PARKOUR, body="amphibious_bipedal")
    env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
    observation = drown(env, 700, np.ones(4, dtype=np.float32))
    assert observation[4] == 1.0 and observation[5] == 0.0
    env.close()


def test_a_fish_as_dense_as_water_floats_where_a_walker_sinks():
    heights = {}
    for body in ("fish", "old_classic_bipedal"):
        env = gym.make(PARKOUR, body=body)
        env.reset(seed=0, options={"task": {**DRY, "water_level": 1.0}})
        start = env.unwrapped.sim.agent.head.position[1]
        drown(env, 200, np.zeros(4, dtype=np.float32))
        heights[body] = env.unwrapped.sim.agent.head.position[1] - start
        env.close()
    assert heights["old_classic_bipedal"] < -0.5 and heights["fish"] > -0.2
