"""CLUTR: the recurrent level VAE (stage one) and the latent-space adversary (stage two)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from teachgym.agents import PairedStudent
from teachgym.checks import check_teacher
from teachgym.cli import main
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.gridworlds.maze import MAZE_TASK_SPACE
from teachgym.errors import TeachgymUsageError
from teachgym.state_io import CorruptStateError, load_state, save_state
from teachgym.tasks import Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.clutr import ClutrTeacher
from teachgym.teachers.clutr_vae import ClutrVAE, train_vae
from teachgym.teachers.level_buffer import level_key
from teachgym.teachers.level_codec import TokenCodec, level_codec

SMALL_MAZE = TaskSpace({"walls": IntArray((4, 4)), "agent": Integer(0, 3), "goal": Integer(0, 3)})
TINY = {"latent": 8, "hidden": 32, "max_walls": 4, "learning_rate": 3e-3, "batch_size": 32}


@pytest.fixture(scope="module")
def tiny_vae(tmp_path_factory) -> tuple[ClutrVAE, str]:
    vae = train_vae(SMALL_MAZE, 120, seed=0, kl_weight=0.1, **TINY)
    stem = tmp_path_factory.mktemp("vae") / "small"
    vae.save(stem)
    return vae, str(stem)


def test_the_codec_sorts_placements_and_round_trips():
    codec = level_codec(MAZE_TASK_SPACE)
    assert isinstance(codec, TokenCodec) and codec.length == 50 + 5
    rng = np.random.default_rng(0)
    for _ in range(20):
        task = codec.random_task(rng)
        tokens = codec.encode(task)
        walls = tokens[: codec.max_walls]
        used = walls[walls != codec.pad]
        assert np.all(np.diff(used) > 0)  # ascending: one sequence per set of walls
        assert np.all(walls[used.size :] == codec.pad)
        assert codec.decode(tokens) == MAZE_TASK_SPACE.validate(task)
    numeric = level_codec(TaskSpace({"x": Continuous(-1.0, 1.0), "k": Integer(0, 4)}))
    assert numeric.length == 2


def test_the_vae_reconstructs_held_out_levels_above_chance(tiny_vae):
    vae, _ = tiny_vae
    rng = np.random.default_rng(123)
    held_out = [vae.codec.random_task(rng) for _ in range(200)]
    measured = vae.reconstruction(held_out, np.random.default_rng(1))
    # Posterior means decode the held-out levels better than random latents do.
    assert measured["accuracy"] > measured["prior_accuracy"] + 0.05
    assert measured["exact"] > 0.0


def test_training_is_deterministic_for_a_seed_and_leaves_torch_global_rng_alone():
    before = torch.get_rng_state()
    one = train_vae(SMALL_MAZE, 3, seed=4, **TINY)
    two = train_vae(SMALL_MAZE, 3, seed=4, **TINY)
    assert torch.equal(before, torch.get_rng_state())
    for a, b in zip(one.model.parameters(), two.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_decoding_feeds_back_its_own_choices_as_teacher_forcing_feeds_the_truth(tiny_vae):
    vae, _ = tiny_vae
    z = torch.from_numpy(np.random.default_rng(5).uniform(-4, 4, (16, vae.latent)).astype("f4"))
    with torch.no_grad():
        free = vae.model.decode(z)
        chosen = free.argmax(dim=-1)
        forced = vae.model.decode(z, chosen)  # its own choices given as the true tokens
    torch.testing.assert_close(forced, free)
    # The latent matters and so does the previous token: change either, and the logits move.
    with torch.no_grad():
        assert not torch.allclose(vae.model.decode(z, torch.roll(chosen, 1, dims=0)), free)
        assert not torch.allclose(vae.model.decode(-z, chosen), free)


def test_every_decoded_level_is_valid(tiny_vae):
    vae, _ = tiny_vae
    rng = np.random.default_rng(0)
    latents = np.concatenate(
        [
            rng.standard_normal((100, vae.latent)) * 3,
            np.full((2, vae.latent), 100.0),
            -np.ones((1, vae.latent)) * 9,
        ]
    )
    for task in vae.decode(latents):
        assert SMALL_MAZE.validate(task) == task
    big = train_vae(MAZE_TASK_SPACE, 1, seed=0, hidden=16, batch_size=4)
    for task in big.decode(rng.uniform(-4, 4, (20, big.latent))):
        assert MAZE_TASK_SPACE.validate(task) == task
        assert np.sum(task["walls"]) <= 50


def test_a_saved_vae_loads_exactly_and_refuses_another_space(tiny_vae, tmp_path):
    vae, stem = tiny_vae
    again = ClutrVAE.load(stem + ".json", SMALL_MAZE)
    z = np.random.default_rng(2).standard_normal((10, vae.latent))
    assert again.decode(z) == vae.decode(z)
    with pytest.raises(CorruptStateError, match="another task space"):
        ClutrVAE.load(stem, MAZE_TASK_SPACE)
    older = {**load_state(stem), "format": "teachgym-clutr-vae-1"}
    save_state(older, tmp_path / "older")
    with pytest.raises(CorruptStateError, match="train a new one with `teachgym train-vae`"):
        ClutrVAE.load(tmp_path / "older", SMALL_MAZE)
    with pytest.raises(TeachgymUsageError, match="no VAE at"):
        ClutrTeacher(SMALL_MAZE, seed=0, vae=str(tmp_path / "missing"))


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_adversary_moves_toward_the_latents_of_high_regret(tiny_vae, sign):
    _, stem = tiny_vae
    teacher = ClutrTeacher(SMALL_MAZE, seed=0, vae=stem, batch_size=8)
    for _ in range(8):
        task = teacher.sample()
        action = teacher.designs[level_key(task)]["action"]
        teacher.update(task, Outcome(0.0, score=sign * action[0]))  # regret grows with z_0
    assert teacher.n_adversary_updates == 1
    mean = teacher.designer.mean
    assert sign * mean[0] > 0.0
    assert sign * mean[0] > np.abs(mean[1:]).max()  # the other coordinates barely move


def test_clutr_passes_check_teacher(tiny_vae):
    _, stem = tiny_vae
    check_teacher(ClutrTeacher(SMALL_MAZE, seed=0, vae=stem), episodes=60)


def test_a_vae_trained_on_first_use_is_saved_with_the_teacher(tmp_path):
    teacher = make_teacher("clutr", SMALL_MAZE, seed=1, vae_steps=2)
    assert teacher.vae is None  # nothing trained until a level is asked for
    first = [teacher.sample() for _ in range(3)]
    assert teacher.vae is not None and teacher.vae.steps_trained == 2
    save_state(teacher.state_dict(), tmp_path / "state")
    restored = make_teacher("clutr", SMALL_MAZE, seed=1, vae_steps=2)
    restored.load_state_dict(load_state(tmp_path / "state"))
    assert [restored.sample() for _ in range(5)] == [teacher.sample() for _ in range(5)]
    fresh = make_teacher("clutr", SMALL_MAZE, seed=1, vae_steps=2)
    assert [fresh.sample() for _ in range(3)] == first


def test_other_spaces_are_encoded_as_their_vector_and_decode_valid_tasks():
    space = TaskSpace({"walls": IntArray((3, 3)), "x": Continuous(0.0, 1.0)})
    teacher = make_teacher("clutr", space, seed=0, vae_steps=2)
    assert teacher.sample() is not None and teacher.vae is not None
    assert teacher.vae.codec.kind == "scalars"
    assert all(space.contains(teacher.sample()) for _ in range(10))


@pytest.mark.slow
def test_clutr_trains_paired_students_end_to_end_on_mazes():
    # One round on one decoded level: 256 steps finish at least one 250-step episode each.
    teacher = make_teacher("clutr", MAZE_TASK_SPACE, seed=0, vae_steps=2, batch_size=1)
    student = PairedStudent(
        env_factory("teachgym/Maze-v0"), seed=0, levels_per_round=1, steps_per_round=256,
        n_envs=1, n_steps=64, batch_size=64, n_epochs=1,
    )  # fmt: skip
    student.learn(Curriculum(teacher), 256)
    assert teacher.n_adversary_updates == 1  # the level's regret reached the adversary
    assert np.isfinite(teacher.last_regret)
    assert student.protagonist.model is not None and student.protagonist.model.num_timesteps == 256
    student.close()


def test_train_vae_command_saves_a_vae_the_teacher_loads(tmp_path, capsys):
    out = tmp_path / "maze-vae"
    code = main(
        ["train-vae", "--env", "teachgym/Maze-v0", "--out", str(out), "--steps", "2",
         "--batch-size", "4", "--quiet"]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "reconstruction of 200 held-out random tasks: accuracy" in printed
    teacher = make_teacher("clutr", MAZE_TASK_SPACE, seed=0, vae=str(out))
    assert MAZE_TASK_SPACE.contains(teacher.sample())
    assert main(["train-vae", "--env", "teachgym/Maze-v0", "--out", str(out), "--steps", "2",
                 "--max-walls", "0", "--quiet"]) == 2  # fmt: skip
