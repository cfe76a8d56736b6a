"""Body declarations and their Box2D side: sizes, contacts, critical parts, grasp sensors."""

from __future__ import annotations

import Box2D
import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.envs.walkers.bodies import BODIES, BodySpec, JointSpec, PartSpec, body_spec
from teachgym.envs.walkers.bodies.build import (
    BodyContacts,
    Graspable,
    GraspSensor,
    build_body,
)
from teachgym.envs.walkers.bodies.spec import SensorSpec, box
from teachgym.errors import TeachgymUsageError

WORLDS: list[Box2D.b2World] = []


@pytest.fixture(autouse=True)
def _detach_listeners():
    """Box2D must lose its contact listener before the world is freed."""
    yield
    while WORLDS:
        WORLDS.pop().contactListener = None


def new_world(contacts: BodyContacts, gravity: tuple[float, float] = (0, -10)) -> Box2D.b2World:
    world = Box2D.b2World(gravity=gravity, contactListener=contacts)
    WORLDS.append(world)
    return world


def world_with_ground(y: float = 0.0) -> tuple[Box2D.b2World, BodyContacts]:
    contacts = BodyContacts()
    world = new_world(contacts)
    ground = world.CreateStaticBody()
    ground.CreateEdgeFixture(vertices=[(-50, y), (50, y)], friction=2.5, categoryBits=0x1)
    return world, contacts


def settle(world: Box2D.b2World, steps: int) -> None:
    for _ in range(steps):
        world.Step(1 / 50, 180, 60)


def test_classic_bodies_declare_the_gymnasium_sizes():
    assert BODIES["bipedal"].action_dim == 4
    assert 4 + BODIES["bipedal"].joint_observation_dim + 10 == 24
    assert BODIES["quadruped"].action_dim == 8
    assert 4 + BODIES["quadruped"].joint_observation_dim + 10 == 34
    assert BODIES["bipedal"].fall_critical_parts == ("hull",)
    assert BODIES["bipedal"].critical_parts == ()


def test_a_spec_must_name_existing_parts():
    hull = PartSpec("hull", position=(0, 0), density=1.0, half_size=(0.5, 0.5))
    leg = PartSpec("leg", position=(0, -1), density=1.0, half_size=(0.1, 0.5))
    with pytest.raises(ValueError, match=r"unknown parts \['foot'\]"):
        BodySpec(
            "bad", "walker", (hull, leg), (JointSpec("j", "hull", "foot", -1, 1, anchor=(0, 0)),),
            head="hull", center_height=1, width=1, motors_torque=80, torque_penalty=0.0,
        )  # fmt: skip
    with pytest.raises(ValueError, match="exactly one of vertices / half_size"):
        PartSpec("p", position=(0, 0), density=1.0, vertices=box(1, 1), half_size=(1, 1))
    with pytest.raises(TeachgymUsageError, match="unknown walker body 'centipede'"):
        body_spec("centipede")


@pytest.mark.parametrize("falls_critical", [True, False])
def test_hull_contact_is_critical_only_where_falls_are(falls_critical):
    world, contacts = world_with_ground()
    spec = BODIES["bipedal"]
    # upside down above the ground: the hull lands first
    built = build_body(world, spec, (0.0, 0.5), 0.0, falls_critical=falls_critical)
    for part in built.parts:
        part.position = (part.position[0], 2.0 - (part.position[1] - 0.5))
        part.angle = np.pi
    settle(world, 60)
    assert contacts.critical_contact is falls_critical


def test_joint_state_reports_the_lower_leg_contacts_and_actions_drive_motors():
    world, _ = world_with_ground()
    spec = BODIES["bipedal"]
    built = build_body(world, spec, (0.0, spec.center_height), 0.0, falls_critical=True)
    state = built.joint_state()
    assert len(state) == spec.joint_observation_dim == 10
    assert state[4] == state[9] == 0.0
    settle(world, 30)
    state = built.joint_state()
    assert state[4] == state[9] == 1.0  # both feet on the ground
    cost = built.apply_action([0.5, -2.0, 0.0, 1.0])
    assert cost == pytest.approx(2.5)
    assert [m.motorSpeed for m in built.motors] == [4.0, -6.0, 0.0, 6.0]
    assert [m.GetMaxMotorTorque() for m in built.motors] == pytest.approx([40.0, 80.0, 0.0, 80.0])


def test_grasp_sensor_tracks_graspable_terrain_only():
    hand = PartSpec("hand", position=(0, 0), density=1.0, half_size=(0.1, 0.1), mask_bits=0x1)

    spec = BodySpec(
        "hand", "climber", (hand,), (), head="hand", center_height=0, width=0.2,
        motors_torque=80, torque_penalty=0.0, sensors=(SensorSpec("grip", "hand", (0, 0.1)),),
    )  # fmt: skip
    assert spec.action_dim == 1 and spec.joint_observation_dim == 2
    contacts = BodyContacts()
    contacts.climber = True
    world = new_world(contacts, gravity=(0, 0))
    rock = world.CreateStaticBody(position=(0, 0.12))
    rock.CreatePolygonFixture(box=(1, 0.05), isSensor=True, categoryBits=0x1)
    bar = world.CreateStaticBody(position=(0, 0.12), userData=Graspable("creeper"))
    bar.CreatePolygonFixture(box=(1, 0.05), isSensor=True, categoryBits=0x1)
    built = build_body(world, spec, (0.0, 0.0), 0.0, falls_critical=False)
    tag = built.sensor_tags[0]
    assert isinstance(tag, GraspSensor)
    assert built.joint_state() == [0.0, 0.0]
    settle(world, 2)
    assert tag.touching == [bar]  # the rock is not graspable
    built.apply_action([1.0])
    assert tag.ready
    built.apply_action([0.0])
    assert not tag.ready
    assert built.joint_state() == [1.0, 0.0]


PARKOUR_SIZES = {
    "old_classic_bipedal": (36, 4),
    "classic_bipedal": (36, 4),
    "small_bipedal": (36, 4),
    "big_quadru": (46, 8),
    "spider": (54, 12),
    "millipede": (66, 16),
    "wheel": (46, 8),
    "profile_chimpanzee": (62, 14),
    "climbing_profile_chimpanzee": (54, 12),
    "climbing_chest_profile_chimpanzee": (44, 8),
    "fish": (38, 4),
    "amphibious_bipedal": (36, 4),
}
"""TeachMyAgent's Parkour observation / action sizes: 6 head values + joints + 20 lidar."""
TORQUES = {
    "classic_bipedal": (80, 0.00035),
    "old_classic_bipedal": (80, 0.00035),
    "small_bipedal": (80, 0.00035),
    "big_quadru": (300, 0.00035 / 2),
    "spider": (100, 0.00035 / 2),
    "millipede": (200, 0.00035 / 4),
    "wheel": (500, 0.00035 / 2),
    "profile_chimpanzee": (100, 0.00035 / 5),
    "climbing_profile_chimpanzee": (100, 0.00035 / 5),
    "climbing_chest_profile_chimpanzee": (100, 0.00035 / 5),
    "fish": (80, 0.00035),
    "amphibious_bipedal": (80, 0.00035),
}
WALKING = sorted(name for name, spec in BODIES.items() if spec.kind in ("walker", "amphibian"))


@pytest.mark.parametrize("name", sorted(PARKOUR_SIZES))
def test_teachmyagent_bodies_have_the_reference_sizes_and_torques(name):
    spec = BODIES[name]
    assert (6 + spec.joint_observation_dim + 20, spec.action_dim) == PARKOUR_SIZES[name]
    assert (spec.motors_torque, spec.torque_penalty) == pytest.approx(TORQUES[name])
    assert spec.penalty_torque == 80
    assert spec.reference == name


def test_every_body_is_registered_with_a_kind_and_lidar_fan():
    assert len(BODIES) == 16
    kinds = {name: spec.kind for name, spec in BODIES.items()}
    assert [n for n, k in kinds.items() if k == "climber"] == [
        "climbing_profile_chimpanzee",
        "climbing_chest_profile_chimpanzee",
    ]
    assert [n for n, k in kinds.items() if k == "swimmer"] == ["fish"]
    assert [n for n, k in kinds.items() if k == "amphibian"] == ["amphibious_bipedal"]
    assert BODIES["fish"].lidar == "full" and BODIES["climbing_profile_chimpanzee"].lidar == "up"
    assert BODIES["spider"].lidar == "down"
    no_angle = {n for n, s in BODIES.items() if not s.head_angle_reward}
    assert no_angle == {
        "wheel",
        "profile_chimpanzee",
        "climbing_profile_chimpanzee",
        "climbing_chest_profile_chimpanzee",
        "fish",
    }
    assert BODIES["fish"].survival_steps == 600
    assert BODIES["amphibious_bipedal"].survival_steps is None


def test_critical_parts_follow_the_reference():
    assert BODIES["climbing_profile_chimpanzee"].critical_parts == (
        "head",
        "chest",
        "lower_leg0",
        "lower_leg1",
    )
    assert BODIES["climbing_chest_profile_chimpanzee"].critical_parts == ("head", "chest")
    assert BODIES["profile_chimpanzee"].critical_parts == ("head", "chest")
    for name in ("classic_bipedal", "old_classic_bipedal", "big_quadru", "spider", "wheel"):
        assert BODIES[name].critical_parts == ()
        assert BODIES[name].fall_critical_parts == (BODIES[name].head,)
    for name in ("millipede", "fish", "amphibious_bipedal"):
        assert BODIES[name].fall_critical_parts == ()
    assert BODIES["millipede"].head == "body3"  # the rightmost segment


def test_swimmer_and_amphibian_densities():
    world = new_world(BodyContacts())
    fish = build_body(world, BODIES["fish"], (0.0, 0.0), 0.0, falls_critical=False)
    assert [part.fixtures[0].density for part in fish.parts] == pytest.approx([0.99] * 5)
    frog = build_body(world, BODIES["amphibious_bipedal"], (5.0, 0.0), 0.0, falls_critical=False)
    densities = {part.userData.name: part.fixtures[0].density for part in frog.parts}
    assert densities.pop("hull") == pytest.approx(1.25)
    assert list(densities.values()) == pytest.approx([0.25] * 4)
    walker = build_body(world, BODIES["classic_bipedal"], (10.0, 0.0), 0.0, falls_critical=False)
    assert walker.head.fixtures[0].density == 5.0


@pytest.mark.parametrize(
    "name", ["climbing_profile_chimpanzee", "climbing_chest_profile_chimpanzee"]
)
def test_climbers_end_each_hand_in_a_grasp_sensor(name):
    spec = BODIES[name]
    assert [s.part for s in spec.sensors] == ["hand0_0", "hand1_0"]
    assert spec.action_dim == len(spec.motors) + 2
    world = new_world(BodyContacts(), gravity=(0, 0))
    built = build_body(world, spec, (0.0, 3.0), 0.0, falls_critical=False)
    assert len(built.sensors) == 2
    for sensor, hand_name in zip(built.sensors, ("hand0_0", "hand1_0"), strict=True):
        fixture = sensor.fixtures[0]
        assert fixture.sensor and fixture.shape.radius == pytest.approx(0.05)
        hand = built.part(hand_name)
        top = max((hand.transform * v)[1] for v in hand.fixtures[0].shape.vertices)
        assert sensor.position[1] == pytest.approx(top)  # at the hand's end
    values = [0.0] * len(spec.motors) + [1.0, -1.0]
    built.apply_action(values)
    assert [t.ready for t in built.sensor_tags] == [True, False]
    assert built.joint_state()[-4:] == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_body_builds_and_steps_without_nan(name):
    spec = BODIES[name]
    world, _ = world_with_ground()
    built = build_body(world, spec, (0.0, spec.center_height), 3.0, falls_critical=True)
    assert len(built.motors) == len(spec.motors)
    rng = np.random.default_rng(0)
    for _ in range(40):
        cost = built.apply_action(rng.uniform(-1, 1, spec.action_dim).tolist())
        assert 0 <= cost <= spec.action_dim
        world.Step(1 / 50, 180, 60)
        state = built.joint_state()
        assert len(state) == spec.joint_observation_dim and np.all(np.isfinite(state))
    assert np.isfinite(built.head.position).all()


@pytest.mark.parametrize("name", WALKING)
def test_walking_bodies_pass_check_env_on_stump_tracks(name):
    env = gym.make("teachgym/StumpTracks-v0", body=name)
    spec = BODIES[name]
    assert env.action_space.shape == (spec.action_dim,)
    assert env.observation_space.shape == (4 + spec.joint_observation_dim + 10,)
    check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("fish", "water"),
        ("climbing_profile_chimpanzee", "a ceiling"),
        ("climbing_chest_profile_chimpanzee", "a ceiling"),
    ],
)
def test_climbers_and_swimmers_are_refused_on_walker_tracks(name, needs):
    for env_id in ("teachgym/StumpTracks-v0", "teachgym/HexagonTracks-v0"):
        with pytest.raises(TeachgymUsageError, match=f"needs {needs}.*Parkour-v0"):
            gym.make(env_id, body=name)


@pytest.mark.parametrize("name", sorted(BODIES))
def test_the_renderer_draws_every_part_and_sensor(name):
    from teachgym.envs.walkers.rendering import WalkerRenderer

    spec = BODIES[name]
    world = new_world(BodyContacts(), gravity=(0, 0))
    built = build_body(world, spec, (5.0, 5.0), 0.0, falls_critical=False)
    renderer = WalkerRenderer("rgb_array", 50)
    background = (255, 255, 255)
    renderer.surface.fill(background)

    def to_px(points):
        return [((x - 5.0) * 30 + 300, 400 - (y - 5.0) * 30 - 200) for x, y in points]

    renderer.draw_body(built, to_px)
    frame = renderer.pygame.surfarray.array3d(renderer.surface)  # (x, y, rgb)
    colors = {tuple(int(v) for v in c) for c in frame.reshape(-1, 3)}
    assert spec.part(spec.head).colors[1] in colors
    for part in built.parts:
        x, y = to_px([part.worldCenter])[0]
        assert tuple(frame[int(x), int(y)]) != background, part.userData.name  # covered
    for sensor in built.sensors:
        x, y = to_px([sensor.position])[0]
        assert tuple(frame[int(x), int(y)]) == (255, 0, 0)
    renderer.close()


def test_built_critical_parts_depend_on_the_world():
    world = new_world(BodyContacts())
    climber = build_body(
        world, BODIES["climbing_profile_chimpanzee"], (0.0, 0.0), 0.0, falls_critical=False
    )
    names = [part.userData.name for part in climber.critical_parts]
    assert names == ["head", "chest", "lower_leg0", "lower_leg1"]
    walker = build_body(world, BODIES["classic_bipedal"], (5.0, 0.0), 0.0, falls_critical=False)
    assert walker.critical_parts == []
    falls = build_body(world, BODIES["classic_bipedal"], (9.0, 0.0), 0.0, falls_critical=True)
    assert falls.critical_parts == [falls.head]
    assert (falls.action_dim, falls.joint_observation_dim) == (4, 10)


REFERENCE_BUILDS = {
    "small_bipedal": (5, 4, 5.966223, 2.019010, (0.0, 1.233333)),
    "classic_bipedal": (5, 4, 6.510223, 2.123617, (0.0, 2.366667)),
    "big_quadru": (9, 8, 16.435556, 11.633626, (0.0, 3.5)),
    "spider": (13, 12, 3.715556, 0.224384, (0.0, 0.8)),
    "millipede": (20, 19, 9.528889, 0.665159, (0.666667, 0.766667)),
    "wheel": (9, 8, 2.542222, 0.167970, (0.0, 1.0)),
    "old_classic_bipedal": (5, 4, 6.510223, 2.123617, (0.0, 2.5)),
    "profile_chimpanzee": (16, 15, 8.116445, 1.398508, (0.0, 3.55)),
    "fish": (5, 4, 1.54, 0.175304, (0.0, 1.3)),
    "climbing_profile_chimpanzee": (14, 13, 7.989930, 1.397474, (0.0, 3.55)),
    "climbing_chest_profile_chimpanzee": (10, 9, 7.093930, 1.327971, (0.0, 3.55)),
    "amphibious_bipedal": (5, 4, 1.627556, 0.530904, (0.0, 2.366667)),
}
"""What TeachMyAgent's own body classes (commit ce15344, water density 1) create at
``(0, AGENT_CENTER_HEIGHT)``: Box2D bodies, joints, total mass (kg), summed rotational
inertia (kg m^2) and head position (m)."""


@pytest.mark.parametrize("name", sorted(REFERENCE_BUILDS))
def test_bodies_weigh_and_sit_as_the_reference_builds_them(name):
    spec = BODIES[name]
    world = new_world(BodyContacts())
    built = build_body(world, spec, (0.0, spec.center_height), 0.0, falls_critical=False)
    bodies, joints, mass, inertia, head = REFERENCE_BUILDS[name]
    assert (len(world.bodies), len(world.joints)) == (bodies, joints)
    assert sum(b.mass for b in world.bodies) == pytest.approx(mass, abs=2e-6)
    assert sum(b.inertia for b in world.bodies) == pytest.approx(inertia, abs=2e-6)
    assert tuple(built.head.position) == pytest.approx(head, abs=2e-6)


@pytest.mark.parametrize(("name", "angle_term"), [("wheel", False), ("classic_bipedal", True)])
def test_walker_track_reward_has_the_head_angle_term_only_where_declared(name, angle_term):
    env = gym.make("teachgym/StumpTracks-v0", body=name).unwrapped
    env.reset(seed=1)
    head = env.sim.hull
    x, angle = head.position[0], head.angle
    zero = np.zeros(env.action_space.shape, dtype=np.float32)
    turned = 0.0
    for _ in range(20):
        _, reward, terminated, _, _ = env.step(zero)
        assert not terminated
        expected = 130 * (head.position[0] - x) / 30
        if angle_term:
            expected -= 5.0 * (abs(head.angle) - abs(angle))
        assert reward == pytest.approx(expected, abs=1e-9)
        turned += abs(abs(head.angle) - abs(angle))
        x, angle = head.position[0], head.angle
    assert 5.0 * turned > 1e-3  # the angle term would have shown
    env.close()


@pytest.mark.parametrize(("surface", "critical"), [(None, True), (Graspable("rock"), False)])
def test_a_climber_may_touch_graspable_terrain_but_not_the_ground(surface, critical):
    contacts = BodyContacts()
    contacts.climber = True
    world = new_world(contacts)
    floor = world.CreateStaticBody(userData=surface)
    floor.CreateEdgeFixture(vertices=[(-50, 0), (50, 0)], categoryBits=0x1)
    spec = BODIES["climbing_chest_profile_chimpanzee"]
    build_body(world, spec, (0.0, 1.0), 0.0, falls_critical=False)
    settle(world, 50)
    assert contacts.critical_contact is critical
