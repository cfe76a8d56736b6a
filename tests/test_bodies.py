"""Body declarations and their Box2D side: sizes, contacts, critical parts, grasp sensors."""

from __future__ import annotations

import Box2D
import numpy as np
import pytest

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
