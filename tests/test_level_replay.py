"""Level buffer, scores, mutations and the plr / robust-plr / accel teachers (no training)."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.envs.gridworlds.maze import MAZE_TASK_SPACE, MazeEnv, empty_maze_task
from teachgym.envs.walkers.terrain_walker import FULL_SPACE, TerrainWalkerEnv
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import LEVEL_SEED, Categorical, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.level_buffer import (
    MAX_POOLED,
    LevelBuffer,
    competition_ranks,
    rank_weights,
    staleness_weights,
)
from teachgym.teachers.level_replay import TEACHER_PRESETS
from teachgym.teachers.level_scores import EpisodeTrace, episode_score
from teachgym.teachers.mutations import LevelMutator

SPACE = TaskSpace({"h": Continuous(0.0, 3.0), "k": Integer(1, 9)})
MAZE = TaskSpace({"walls": IntArray((5, 5)), "goal_x": Integer(1, 3), "goal_y": Integer(1, 3)})
MAZE_EDITS = {
    "edit_weights": {"walls": 1.0, "goal": 1.0, "no-op": 1.0, "goal_x": 0.0, "goal_y": 0.0},
    "edit_groups": {"goal": ["goal_x", "goal_y"]},
}
"""The maze's edits (flip a wall, move the goal, nothing) on the small test maze."""


def level(h: float, seed: int) -> dict:
    return {"h": h, "k": 1, LEVEL_SEED: seed}


# -- known defects of prior implementations -------------------------------------------------
def test_temperature_is_an_exponent_not_a_divisor():
    scores = np.array([3.0, 2.0, 1.0])
    for beta in (0.25, 1.0, 4.0):
        expected = (1.0 / np.array([1.0, 2.0, 3.0])) ** (1.0 / beta)
        np.testing.assert_allclose(rank_weights(scores, beta), expected / expected.sum())
    # A divisor would cancel out in the normalisation: an exponent sharpens the weights.
    assert rank_weights(scores, 0.1)[0] > rank_weights(scores, 1.0)[0] > 0.5


def test_no_division_by_zero_with_ties_tiny_temperature_or_empty_buffer():
    tied = rank_weights(np.zeros(4), 0.1)
    np.testing.assert_allclose(tied, 0.25)
    sharp = rank_weights(np.arange(1000.0), 1e-3)
    assert np.all(np.isfinite(sharp)) and sharp.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(staleness_weights(np.array([5, 5]), 5), 0.5)
    buffer = LevelBuffer(4, temperature=0.1, staleness_coef=0.5)
    with pytest.raises(ValueError, match="empty"):
        buffer.replay_weights()
    for i in range(3):
        buffer.try_insert(level(1.0, i), 0.0, 0.0)
    weights = buffer.replay_weights()
    assert np.all(np.isfinite(weights)) and weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(weights, 1 / 3)


def test_tied_scores_share_the_best_rank_and_new_scores_reach_the_weights_at_once():
    np.testing.assert_array_equal(competition_ranks(np.array([3.0, 5.0, 5.0, 1.0])), [3, 1, 1, 4])
    buffer = LevelBuffer(3, temperature=1.0, staleness_coef=0.0)
    buffer.try_insert(level(1.0, 0), 2.0, 0.0)
    buffer.try_insert(level(1.0, 1), 1.0, 0.0)
    np.testing.assert_allclose(buffer.replay_weights(), [2 / 3, 1 / 3])
    buffer.record(1, 5.0, 0.0)  # the second level now ranks first
    np.testing.assert_allclose(buffer.replay_weights(), [1 / 3, 2 / 3])
    state = buffer.state_dict()
    buffer.record(0, 9.0, 0.0)
    buffer.load_state_dict(state)
    np.testing.assert_allclose(buffer.replay_weights(), [1 / 3, 2 / 3])


def test_one_level_replayed_by_several_workers_keeps_a_consistent_score():
    finals = []
    for order in ((1.0, 3.0, 8.0), (8.0, 3.0, 1.0), (3.0, 8.0, 1.0)):
        buffer = LevelBuffer(2, temperature=1.0, staleness_coef=0.0)
        buffer.try_insert(level(1.0, 7), 10.0, 0.0)
        for _ in range(3):  # three sub-environments draw the same level
            buffer.sample_replay(np.random.default_rng(0))
        index = buffer.index_of(level(1.0, 7))
        assert index is not None
        buffer.record(index, order[0], 0.0)
        buffer.record(index, order[1], 0.0)
        assert buffer.scores[index] == 10.0  # unchanged until every replay has reported
        buffer.record(index, order[2], 0.0)
        finals.append(buffer.scores[index])
    assert finals == [4.0, 4.0, 4.0]


# -- buffer -----------------------------------------------------------------------------
def test_staleness_mixing_favours_levels_not_sampled_for_long():
    buffer = LevelBuffer(2, temperature=1.0, staleness_coef=1.0)
    buffer.try_insert(level(1.0, 0), 1.0, 0.0)
    for _ in range(10):
        buffer.tick()
    buffer.try_insert(level(2.0, 1), 1.0, 0.0)
    for _ in range(2):
        buffer.tick()
    np.testing.assert_allclose(buffer.replay_weights(), [12 / 14, 2 / 14])
    mixed = LevelBuffer(2, temperature=1.0, staleness_coef=0.5)
    mixed.load_state_dict(buffer.state_dict())
    np.testing.assert_allclose(
        mixed.replay_weights(), 0.5 * np.array([0.5, 0.5]) + 0.5 * np.array([12, 2]) / 14
    )


def test_new_level_replaces_the_lowest_support_member_only_if_it_scores_higher():
    buffer = LevelBuffer(3, temperature=1.0, staleness_coef=0.0)
    for i, score in enumerate((5.0, 1.0, 3.0)):
        assert buffer.try_insert(level(1.0, i), score, 0.0)
    assert buffer.lowest_support() == 1
    assert not buffer.try_insert(level(1.0, 10), 0.5, 0.0)
    assert level(1.0, 10) not in buffer
    assert buffer.try_insert(level(1.0, 11), 2.0, 0.0)
    assert level(1.0, 11) in buffer and level(1.0, 1) not in buffer and len(buffer) == 3
    with pytest.raises(ValueError, match="level_seed"):
        buffer.try_insert({"h": 1.0, "k": 1}, 9.0, 0.0)
    with pytest.raises(ValueError, match="already in the buffer"):
        buffer.try_insert(level(1.0, 11), 9.0, 0.0)


def test_levels_sharing_a_seed_are_told_apart_by_their_parameters():
    buffer = LevelBuffer(2, temperature=1.0, staleness_coef=0.0)
    assert buffer.try_insert(level(1.0, 7), 1.0, 0.0)
    assert buffer.try_insert(level(2.0, 7), 2.0, 0.0)
    assert buffer.index_of(level(1.0, 7)) == 0 and buffer.index_of(level(2.0, 7)) == 1
    assert level(3.0, 7) not in buffer and {"h": 1.0, "k": 1} not in buffer
    # Replacing one of them leaves the other findable, also after a save/restore.
    assert buffer.try_insert(level(3.0, 8), 5.0, 0.0)
    assert level(1.0, 7) not in buffer and level(2.0, 7) in buffer and level(3.0, 8) in buffer
    restored = LevelBuffer(2, temperature=1.0, staleness_coef=0.0)
    restored.load_state_dict(buffer.state_dict())
    assert restored.index_of(level(2.0, 7)) == buffer.index_of(level(2.0, 7))
    assert restored.index_of(level(3.0, 8)) == buffer.index_of(level(3.0, 8))


def test_buffer_rejects_bad_settings_and_mismatched_state():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        LevelBuffer(3, temperature=0.0, staleness_coef=0.1)
    with pytest.raises(ValueError, match="staleness_coef"):
        LevelBuffer(3, temperature=1.0, staleness_coef=1.5)
    with pytest.raises(ValueError, match="capacity"):
        LevelBuffer(0, temperature=1.0, staleness_coef=0.1)
    big = LevelBuffer(5, temperature=1.0, staleness_coef=0.1)
    with pytest.raises(ValueError, match="shape"):
        LevelBuffer(3, temperature=1.0, staleness_coef=0.1).load_state_dict(big.state_dict())


# -- scores -------------------------------------------------------------------------------
def test_scores_follow_their_definitions():
    trace = EpisodeTrace(2.0, values=np.array([1.0, 0.5]), advantages=np.array([0.4, -0.2]))
    assert episode_score("positive_value_loss", trace, None, 0.0) == pytest.approx(0.2)
    assert episode_score("value_l1", trace, None, 0.0) == pytest.approx(0.3)
    # MaxMC: best return ever seen (5, or this episode's 2 if higher) minus V, averaged.
    assert episode_score("max_mc", trace, 5.0, 0.0) == pytest.approx(5.0 - 0.75)
    assert episode_score("max_mc", trace, None, 0.0) == pytest.approx(2.0 - 0.75)
    # Without a critic, every score function falls back to the return proxy |R - R_ref|.
    assert episode_score("positive_value_loss", EpisodeTrace(2.0), None, 3.5) == 1.5
    assert episode_score("return_proxy", trace, None, 1.0) == 1.0
    with pytest.raises(ValueError, match="unknown score function"):
        episode_score("regret", trace, None, 0.0)
    with pytest.raises(ValueError, match="non-finite"):
        EpisodeTrace(1.0, values=np.array([np.nan]), advantages=np.array([0.0]))


def test_teacher_scores_with_its_own_level_history():
    teacher = make_teacher("plr", SPACE, seed=0, score_function="max_mc", min_fill=0.0)
    task = teacher.sample()
    teacher.update(task, Outcome(4.0, score=1.0))
    trace = EpisodeTrace(1.0, values=np.array([1.0]), advantages=np.array([0.0]))
    assert teacher.episode_score(task, trace) == pytest.approx(3.0)  # max return 4 - V 1


# -- teachers ----------------------------------------------------------------------------
def test_no_replay_before_min_fill_and_always_after_with_replay_prob_one():
    teacher = make_teacher("plr", SPACE, seed=0, capacity=10, min_fill=0.5, replay_prob=1.0)
    for _ in range(5):
        task = teacher.sample()
        assert task not in teacher.buffer
        teacher.update(task, Outcome(1.0, score=1.0))
    for _ in range(20):
        task = teacher.sample()
        assert task in teacher.buffer
        teacher.update(task, Outcome(1.0, score=2.0))
    assert teacher.diagnostics()["replays"] == 20


def test_update_needs_the_level_seed_and_a_score():
    teacher = make_teacher("robust-plr", SPACE, seed=0)
    with pytest.raises(ValueError, match="level_seed"):
        teacher.update({"h": 1.0, "k": 2}, Outcome(1.0, score=1.0))
    with pytest.raises(ValueError, match="needs a learning-potential score"):
        teacher.update(teacher.sample(), Outcome(1.0))


def test_robust_teachers_say_which_episodes_explore():
    teacher = make_teacher("robust-plr", SPACE, seed=0, min_fill=0.0, replay_prob=1.0)
    assert teacher.robust and not make_teacher("plr", SPACE).robust
    new = teacher.sample()
    assert teacher.is_exploratory(new)
    teacher.update(new, Outcome(1.0, score=1.0))
    replay = teacher.sample()
    assert replay == new and not teacher.is_exploratory(replay)


def test_presets_set_published_values_and_explicit_values_win():
    teacher = make_teacher("accel", MAZE, seed=0, preset="maze-accel", **MAZE_EDITS)
    assert teacher.replay_prob == 0.8 and teacher.buffer.capacity == 4000
    assert teacher.buffer.temperature == 0.3 and teacher.mutator.n_edits == 5
    assert make_teacher("plr", SPACE, preset="maze-plr", capacity=7).buffer.capacity == 7
    assert make_teacher("plr", SPACE, preset="maze-plr").score_function == "max_mc"
    assert TEACHER_PRESETS["walker-robust-plr"]["staleness_coef"] == 0.5
    with pytest.raises(ValueError, match=r"unknown preset 'maze-accel'.*maze-plr"):
        make_teacher("plr", SPACE, preset="maze-accel")
    with pytest.raises(ValueError, match="replay_prob must be in"):
        make_teacher("plr", SPACE, replay_prob=1.5)
    with pytest.raises(ValueError, match="unknown score_function"):
        make_teacher("plr", SPACE, score_function="regret")


def test_accel_starts_from_empty_mazes_and_mutates_replayed_levels():
    teacher = make_teacher(
        "accel", MAZE, seed=3, preset="maze-accel", min_fill=0.0, replay_prob=1.0, **MAZE_EDITS
    )
    first = teacher.sample()
    assert np.sum(first["walls"]) == 0
    teacher.update(first, Outcome(0.0, score=1.0))
    parent = teacher.sample()
    assert parent == first  # replay
    teacher.update(parent, Outcome(0.0, score=1.0))
    child = teacher.sample()
    assert teacher.is_exploratory(child) and child[LEVEL_SEED] != parent[LEVEL_SEED]
    changed = int(np.sum(np.array(child["walls"]) != np.array(parent["walls"])))
    moved = (child["goal_x"], child["goal_y"]) != (parent["goal_x"], parent["goal_y"])
    assert changed <= 5 and (changed > 0 or moved)


def test_maze_accel_edits_flip_walls_or_move_the_goal_never_the_agent():
    edits = MazeEnv.edit_operators()  # published by the environment, passed as arguments
    teacher = make_teacher("accel", MAZE_TASK_SPACE, seed=0, preset="maze-accel", **edits)
    rng = np.random.default_rng(0)
    parent = {**empty_maze_task(), LEVEL_SEED: 1}
    children = [teacher.mutator.mutate(parent, rng) for _ in range(600)]
    agent = ("agent_x", "agent_y", "agent_dir")
    assert all(all(c[k] == parent[k] for k in agent) for c in children)
    walls = np.mean([np.sum(c["walls"]) for c in children])
    assert 1.4 < walls < 1.9  # 5 edits, one in three flips a wall of an empty maze
    goals = [(c["goal_x"], c["goal_y"]) for c in children]
    moved = np.mean([g != (parent["goal_x"], parent["goal_y"]) for g in goals])
    assert 0.82 < moved < 0.92  # 1 - (2/3)**5 = 0.87 of children have a goal move
    assert len(set(goals)) > 120  # a move lands anywhere, not one cell away
    # Explicit weights must name parameters of the space.
    with pytest.raises(ValueError, match="unknown parameter 'wals'"):
        make_teacher("accel", MAZE_TASK_SPACE, preset="maze-accel", edit_weights={"wals": 1.0})


def test_edits_naming_a_parameter_the_space_lacks_fail_loudly():
    # A renamed maze parameter cannot quietly stop ACCEL from moving the goal.
    renamed = TaskSpace(
        {n: p for n, p in MAZE_TASK_SPACE.parameters.items() if n != "goal_x"}
        | {"target_x": MAZE_TASK_SPACE.parameters["goal_x"]}
    )
    edits = MazeEnv.edit_operators()
    with pytest.raises(TeachgymUsageError, match=r"edit group 'goal'.*'target_x'"):
        make_teacher("accel", renamed, preset="maze-accel", **edits)
    with pytest.raises(
        TeachgymUsageError, match=r"weight for unknown parameter 'goal'.*'target_x'"
    ):
        make_teacher("accel", renamed, edit_weights=edits["edit_weights"])
    # Sizes are checked the same way as weights.
    with pytest.raises(TeachgymUsageError, match=r"size for unknown parameter 'nope'.*'walls'"):
        make_teacher("accel", MAZE_TASK_SPACE, edit_sizes={"nope": 0.1})
    with pytest.raises(TeachgymUsageError, match="unknown parameter 'ground_roughness'"):
        make_teacher("accel", MAZE_TASK_SPACE, **TerrainWalkerEnv.edit_operators())
    # An ACCEL preset without the environment's edits is refused, not run on generic edits.
    with pytest.raises(TeachgymUsageError, match=r"preset 'maze-accel'.*edit_weights"):
        make_teacher("accel", MAZE_TASK_SPACE, preset="maze-accel")


def test_environments_publish_edits_that_fit_their_task_spaces():
    walker = make_teacher(
        "accel", FULL_SPACE, preset="walker-accel", **TerrainWalkerEnv.edit_operators()
    )
    assert walker.mutator.sizes["ground_roughness"] == (0.0, 0.6)
    assert walker.mutator.sizes["stair_steps"] == (1.0, 1.0)
    assert walker.mutator.sizes["pit_gap_low"] == (0.4, 0.4)
    maze = make_teacher("accel", MAZE_TASK_SPACE, **MazeEnv.edit_operators())
    weights = dict(zip(maze.mutator.edits, maze.mutator.weights, strict=True))
    assert weights["walls"] == weights["goal"] == weights["no-op"] == pytest.approx(1 / 3)
    assert maze.mutator.groups == {"goal": ("goal_x", "goal_y")}


def test_accel_state_keeps_children_and_buffer(tmp_path):
    teacher = make_teacher("accel", MAZE, seed=1, min_fill=0.0, replay_prob=1.0, capacity=5)
    for _ in range(7):
        task = teacher.sample()
        teacher.update(task, Outcome(0.0, score=float(np.sum(task["walls"]))))
    teacher.update(teacher.sample(), Outcome(0.0, score=1.0))  # leaves a child waiting
    assert teacher.children
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert restored.children == teacher.children
    assert restored.buffer.levels == teacher.buffer.levels
    assert [restored.sample() for _ in range(5)] == [teacher.sample() for _ in range(5)]


# -- mutations ------------------------------------------------------------------------------
def test_each_kind_of_edit_stays_valid_and_small():
    space = TaskSpace(
        {
            "ground_roughness": Continuous(0.0, 10.0),
            "stair_steps": Integer(1, 9),
            "color": Categorical(("red", "blue")),
            "walls": IntArray((3, 3)),
        }
    )
    rng = np.random.default_rng(0)
    base = {"ground_roughness": 5.0, "stair_steps": 5, "color": "red", "walls": [[0] * 3] * 3}
    for name in space.names:
        mutator = LevelMutator(
            space,
            1,
            {n: TerrainWalkerEnv.edit_sizes[n] for n in ("ground_roughness", "stair_steps")},
            weights={name: 1.0, **dict.fromkeys(set(space.names) - {name}, 0.0)},
        )
        for _ in range(20):
            child = mutator.edit(base, rng)
            assert space.validate(child) == child
            if name == "ground_roughness":
                assert 0 <= abs(child[name] - 5.0) <= 0.6
            elif name == "stair_steps":
                assert abs(child[name] - 5) == 1
            elif name == "color":
                assert child[name] == "blue"
            else:
                assert int(np.sum(child["walls"])) == 1
            assert all(child[n] == base[n] for n in space.names if n != name)
    clipped = LevelMutator(space, 3, {"stair_steps": 4}, {"stair_steps": 1.0})
    assert 1 <= clipped.mutate({**base, "stair_steps": 1}, rng)["stair_steps"] <= 9


def test_group_edits_draw_every_member_anew_and_no_op_edits_change_nothing():
    space = TaskSpace({"x": Integer(0, 9), "y": Integer(0, 9), "h": Continuous(0.0, 1.0)})
    base = {"x": 0, "y": 0, "h": 0.5}
    rng = np.random.default_rng(0)
    moving = LevelMutator(space, 1, weights={"xy": 1.0, "h": 0.0}, groups={"xy": ("x", "y")})
    cells = {(c["x"], c["y"]) for c in (moving.edit(base, rng) for _ in range(500))}
    assert len(cells) > 80 and all(moving.edit(base, rng)["h"] == 0.5 for _ in range(20))
    idle = LevelMutator(space, 3, weights={"no-op": 1.0, "x": 0.0, "y": 0.0, "h": 1e-12})
    assert all(idle.edit(base, rng) == base for _ in range(50))


def test_mutator_rejects_bad_sizes_and_weights():
    with pytest.raises(ValueError, match="edit size of 'h'"):
        LevelMutator(SPACE, 1, {"h": [2.0, 1.0]})
    with pytest.raises(ValueError, match="must be whole"):
        LevelMutator(SPACE, 1, {"k": 0.5})
    with pytest.raises(ValueError, match="unknown parameter 'z'"):
        LevelMutator(SPACE, 1, weights={"z": 1.0})
    with pytest.raises(ValueError, match="n_edits"):
        LevelMutator(SPACE, 0)
    with pytest.raises(ValueError, match="edit group 'g' must list parameters"):
        LevelMutator(SPACE, 1, groups={"g": ("h", "zz")})
    with pytest.raises(ValueError, match="taken by a parameter"):
        LevelMutator(SPACE, 1, groups={"h": ("h",)})
    with pytest.raises(ValueError, match="not all 0"):
        LevelMutator(SPACE, 1, weights={"no-op": 1.0, **dict.fromkeys(SPACE.names, 0.0)})


def test_new_level_density_sets_the_wall_fraction_of_new_levels():
    space = TaskSpace({"walls": IntArray((13, 13)), "goal_x": Integer(0, 12)})
    teacher = make_teacher("robust-plr", space, seed=0, new_level_density=25 / 169)
    walls = [np.sum(teacher.sample()["walls"]) for _ in range(200)]
    assert 20 < np.mean(walls) < 30
    # The maze preset draws the literature's sparse mazes, not one wall in two.
    preset = make_teacher("robust-plr", space, seed=0, preset="maze-plr", capacity=50)
    walls = [np.sum(preset.sample()["walls"]) for _ in range(20)]
    assert 20 < np.mean(walls) < 30
    with pytest.raises(ValueError, match="new_level_density"):
        make_teacher("plr", space, new_level_density=2.0)


def test_a_replay_that_never_reports_cannot_freeze_a_level_score():
    buffer = LevelBuffer(2, temperature=1.0, staleness_coef=0.0)
    buffer.try_insert(level(1.0, 7), 10.0, 0.0)
    index = buffer.index_of(level(1.0, 7))
    assert index is not None
    buffer.sample_replay(np.random.default_rng(0))  # handed out, never run
    for _ in range(MAX_POOLED):
        buffer.sample_replay(np.random.default_rng(0))
        buffer.record(index, 2.0, 0.0)
    assert buffer.scores[index] == 2.0 and buffer.outstanding[index] == 0
