"""The regret-maze benchmark end to end on a tiny budget: rows, budgets, overhead fields."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from teachgym.agents import SB3Student
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.gridworlds.maze import empty_maze_task
from teachgym.envs.gridworlds.maze_layouts import HELD_OUT_MAZES
from teachgym.evaluation.periodic import PeriodicEvaluator
from tests.bench_scripts import load_script

regret_mazes = load_script("regret_mazes")


@pytest.mark.slow
def test_tiny_run_writes_one_row_per_teacher_with_its_budget(tmp_path, capsys):
    out = tmp_path / "rows.json"
    regret_mazes.main(
        ["--steps", "1024", "--seeds", "0", "--teachers", "random", "paired",
         "--n-envs", "2", "--n-steps", "128", "--eval-episodes", "1",
         "--budget-unit", "trained", "--out", str(out)]
    )  # fmt: skip
    rows = {row["teacher"]: row for row in json.loads(out.read_text())}
    assert set(rows) == {"random", "paired"}
    # Plain PPO trains on every step; PAIRED's budget is the protagonist's, and the
    # antagonist plays as many steps again.
    assert rows["random"]["trained_steps"] == rows["random"]["env_steps"] >= 1024
    assert rows["paired"]["env_steps"] == 2 * rows["paired"]["trained_steps"]
    for row in rows.values():
        assert set(row["solved_by_maze"]) == set(HELD_OUT_MAZES)
        assert 0.0 <= row["solved_rate"] <= 1.0
        assert 0.0 < row["teacher_fraction"] < 1.0
    assert "held-out mazes (9), 1024 trained steps" in capsys.readouterr().out


@pytest.mark.slow
def test_lstm_student_and_clutr_rows_curves_and_the_leaderboard(tmp_path, capsys):
    out = tmp_path / "rows.json"
    regret_mazes.main(
        ["--steps", "512", "--seeds", "0", "1", "--teachers", "random", "clutr",
         "--student", "recurrent-ppo", "--vae-steps", "1", "--n-envs", "2",
         "--n-steps", "128", "--eval-episodes", "1", "--eval-every", "256",
         "--eval-random", "3", "--workers", "2", "--out", str(out)]
    )  # fmt: skip
    rows = json.loads(out.read_text())
    students = {(row["teacher"], row["seed"]): row["student"] for row in rows}
    # CLUTR's two students are LSTM students too.
    assert students == {
        ("random", 0): "recurrent-ppo", ("random", 1): "recurrent-ppo",
        ("clutr", 0): "recurrent-ppo", ("clutr", 1): "recurrent-ppo",
    }  # fmt: skip
    for row in rows:
        # Points between rollouts, every 256 trained steps of the evaluated student
        # (CLUTR's protagonist).
        steps = [p["trained_steps"] for p in row["curve"]]
        assert steps[0] == 256 and steps == [256 * (i + 1) for i in range(len(steps))]
        assert steps[-1] <= row["trained_steps"], row["teacher"]
        assert row["random_solved_rate"] in (0.0, 1 / 3, 2 / 3, 1.0)
    printed = capsys.readouterr().out
    assert "leaderboard (score: % of held-out maze episodes solved at the end)" in printed
    assert "IQM (95% CI)" in printed and "recurrent-ppo" in printed
    assert "leaderboard (score: % of the 3 random 25-wall mazes solved)" in printed


def test_unknown_teacher_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"unknown teacher 'plr'.*paired"):
        regret_mazes.build_teacher("plr", seed=0, capacity=8)


def test_buffer_diagnostics_measure_walls_solvability_and_path_length():
    empty = empty_maze_task()
    assert regret_mazes.path_length(empty) == 24  # (0, 0) to (12, 12) on an open floor
    walled = empty_maze_task()
    walled["walls"] = [row[:] for row in walled["walls"]]
    walled["walls"][11][12] = walled["walls"][12][11] = 1  # the goal's two neighbours
    assert regret_mazes.path_length(walled) is None
    stats = regret_mazes.buffer_diagnostics([empty, walled])
    assert stats == {"buffer_mean_walls": 1.0, "buffer_solvable": 0.5, "buffer_mean_path": 24.0}


@pytest.mark.slow
def test_a_held_out_curve_leaves_training_exactly_as_without_it():
    def train(curve: PeriodicEvaluator | None) -> list[torch.Tensor]:
        student = SB3Student(
            env_factory(regret_mazes.ENV_ID), algo="ppo", seed=3, n_envs=2, n_steps=64,
            batch_size=64, policy="MultiInputPolicy", callbacks=[curve] if curve else [],
        )  # fmt: skip
        student.learn(Curriculum(regret_mazes.build_teacher("random", 3, 8)), 512)
        assert student.model is not None
        return [p.detach().clone() for p in student.model.policy.parameters()]

    curve = regret_mazes.held_out_curve(every=128, episodes=1, seed=5, label="test")
    with_curve, without = train(curve), train(None)
    points = regret_mazes.curve_points(curve)
    assert [p["trained_steps"] for p in points] == [128, 256, 384]
    assert all(0.0 <= p["solved_rate"] <= 1.0 for p in points)
    assert all(torch.equal(a, b) for a, b in zip(with_curve, without, strict=True))
    with pytest.raises(ValueError, match="every must be a whole number of steps >= 1"):
        regret_mazes.held_out_curve(every=0, episodes=1, seed=0, label="")


def test_domain_randomisation_draws_mazes_with_exactly_25_walls():
    teacher = regret_mazes.build_teacher("random", seed=0, capacity=8)
    assert all(np.sum(teacher.sample()["walls"]) == 25 for _ in range(50))


@pytest.mark.parametrize(
    "argv",
    [["--steps", "0"], ["--capacity", "0"], ["--n-envs", "x"], ["--eval-episodes", "-1"],
     ["--eval-random", "-1"], ["--workers", "0"],
     ["--teachers", "clutr", "--vae", "no/such/vae"]],
)  # fmt: skip
def test_bad_options_are_one_line_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        regret_mazes.main(argv)
    assert stop.value.code == 2
    assert "error:" in capsys.readouterr().err


def _near_goal_mazes() -> dict[str, dict]:
    """Open mazes with the goal a few cells from the start: an untrained policy that
    samples its actions solves some of their episodes, not all."""
    mazes = {}
    for x, y in [(1, 0), (0, 2), (3, 1), (5, 5)]:
        task = empty_maze_task()
        task.update(agent_x=0, agent_y=0, goal_x=x, goal_y=y)
        mazes[f"goal_{x}_{y}"] = task
    return mazes


@pytest.mark.slow
@pytest.mark.parametrize("mazes", ["held-out", "near-goal"])
def test_the_benchmark_and_the_maze_suite_report_the_same_solved_rate(mazes, tmp_path, monkeypatch):
    """One checkpoint, two readers: the suite runner's evaluation (written by the run)
    and the benchmark script's ``solved_by_maze`` on the saved model agree exactly, on
    the held-out mazes and, so that some episodes are solved, on near-goal mazes put
    in their place."""
    from stable_baselines3 import PPO

    from teachgym.bench.run_directory import RunDirectory
    from teachgym.bench.suite import parse_suite
    from teachgym.bench.training import execute_run
    from teachgym.envs.gridworlds.maze import MazeEnv
    from teachgym.envs.task_env import TestSet

    if mazes == "near-goal":
        near = _near_goal_mazes()
        monkeypatch.setattr(regret_mazes, "HELD_OUT_MAZES", near)
        monkeypatch.setattr(
            MazeEnv,
            "test_sets",
            lambda self: {"held-out": TestSet("held-out", 1, list(near.values()))},
        )
    seed = 10_000
    dr = {"name": "random", "params": {"sampler": regret_mazes.DOMAIN_RANDOMISATION}}
    suite = parse_suite(
        {
            "envs": [{"id": regret_mazes.ENV_ID, "test_set": "held-out"}],
            "teachers": [dr],
            "students": [{"name": "ppo", "params": {"n_envs": 2, "n_steps": 64, "batch_size": 64}}],
            "seeds": 1,
            "budget": 128,
            "evaluation": {"every": 128, "seed": seed},
        }
    )  # fmt: skip
    spec = suite.runs[0]
    # The maze's own rule, taken by the suite: 10 sampled-action episodes per maze.
    assert (spec.evaluation.episodes_per_task, spec.evaluation.deterministic) == (10, False)
    execute_run(spec, tmp_path / spec.run_id)
    directory = RunDirectory(tmp_path / spec.run_id)
    final = directory.evaluations()[-1]
    assert final["step"] == 128
    model = PPO.load(directory.checkpoint_path(128) / "model.zip", device="cpu")
    rates = regret_mazes.solved_by_maze(model, episodes=10, seed=seed)
    assert list(rates) == list(regret_mazes.HELD_OUT_MAZES)
    assert float(np.mean(list(rates.values()))) == pytest.approx(final["success_rate"], abs=1e-12)
    per_maze = np.asarray(final["successes"], dtype=float).mean(axis=1)
    np.testing.assert_allclose(list(rates.values()), per_maze)
    if mazes == "near-goal":
        assert 0.0 < final["success_rate"] < 1.0


def test_buffer_diagnostics_give_the_score_quantiles_when_scores_are_given():
    levels = [empty_maze_task() for _ in range(5)]
    near = empty_maze_task()
    near.update(goal_x=1, goal_y=0)  # one step from the start
    levels[2] = near
    stats = regret_mazes.buffer_diagnostics(levels, np.array([0.4, 0.0, 0.1, 0.3, 0.2]))
    assert stats["buffer_score_quantiles"] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert stats["top_solvable"] == 1.0
    assert stats["top_mean_path"] == pytest.approx((4 * 24 + 1) / 5)  # 5 levels < 32

    many = [empty_maze_task() for _ in range(40)] + [near]
    scores = np.r_[np.zeros(40), 1.0]
    top = regret_mazes.buffer_diagnostics(many, scores)
    assert top["top_mean_path"] == pytest.approx((31 * 24 + 1) / 32)  # the best one in it


def test_jaxued_config_builds_the_reference_replay_teachers():
    plr = regret_mazes.build_teacher("robust-plr", seed=0, capacity=8, config="jaxued")
    accel = regret_mazes.build_teacher("accel", seed=0, capacity=8, config="jaxued")
    for teacher in (plr, accel):
        assert teacher.score_function == "max_mc"
        assert (teacher.replay_prob, teacher.min_fill) == (0.8, 0.5)
        assert (teacher.capacity, teacher.temperature, teacher.staleness_coef) == (4000, 0.3, 0.3)
        walls = [np.sum(teacher.sample()["walls"]) for _ in range(200)]
        assert 22 < np.mean(walls) < 28  # new levels are about 25-wall random mazes
    assert accel.n_edits == 5 and accel.easy_fraction is None
    # The benchmark's own configuration keeps the presets (ACCEL from empty mazes).
    preset = regret_mazes.build_teacher("accel", seed=0, capacity=8)
    assert preset.score_function == "positive_value_loss" and preset.easy_fraction == 0.0


def test_jaxued_ppo_settings_give_one_shared_lstm_and_a_linear_rate():
    from sb3_contrib import RecurrentPPO
    from stable_baselines3.common.env_util import make_vec_env

    kwargs = regret_mazes.jaxued_ppo_kwargs(recurrent=True)
    assert (kwargs.pop("n_envs"), kwargs["n_steps"], kwargs["batch_size"]) == (32, 256, 8192)
    env = make_vec_env(env_factory(regret_mazes.ENV_ID), n_envs=1)
    model = RecurrentPPO(kwargs.pop("policy"), env, **{**kwargs, "n_steps": 8, "batch_size": 8})
    assert model.policy.lstm_actor.hidden_size == 256
    assert model.policy.shared_lstm and model.policy.lstm_critic is None
    assert model.lr_schedule(1.0) == pytest.approx(1e-4)
    assert model.lr_schedule(0.25) == pytest.approx(2.5e-5)
    assert model.policy.optimizer.defaults["eps"] == 1e-5
    flat = regret_mazes.jaxued_ppo_kwargs(recurrent=False)
    assert flat["policy"] == "MultiInputPolicy" and "lstm_hidden_size" not in flat["policy_kwargs"]


TINY = ["--steps", "256", "--n-envs", "2", "--n-steps", "128", "--eval-episodes", "1",
        "--eval-random", "2", "--teachers", "random"]  # fmt: skip


@pytest.mark.slow
def test_a_killed_run_keeps_the_finished_ones_and_the_next_call_runs_only_the_rest(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "rows.json"
    real_run = regret_mazes.run

    def killed_at_seed_1(name, seed, args):
        if seed == 1:
            raise KeyboardInterrupt  # the fault, injected where the second run starts
        return real_run(name, seed, args)

    monkeypatch.setattr(regret_mazes, "run", killed_at_seed_1)
    with pytest.raises(KeyboardInterrupt):
        regret_mazes.main([*TINY, "--seeds", "0", "1", "--out", str(out)])
    assert [row["seed"] for row in json.loads(out.read_text())] == [0]
    assert not out.with_name("rows.json.tmp").exists()

    ran = []
    monkeypatch.setattr(regret_mazes, "run", lambda n, s, a: ran.append(s) or real_run(n, s, a))
    regret_mazes.main([*TINY, "--seeds", "0", "1", "--out", str(out)])
    assert ran == [1]
    assert sorted(row["seed"] for row in json.loads(out.read_text())) == [0, 1]
    assert "1 runs done, 1 to run" in capsys.readouterr().out


def test_resuming_with_other_settings_or_a_foreign_file_is_a_one_line_error(tmp_path):
    out = tmp_path / "rows.json"
    args = regret_mazes.argparse.Namespace(**{name: 1 for name in regret_mazes.RUN_SETTINGS})
    row = {"teacher": "random", "seed": 0, "settings": regret_mazes.settings_of(args)}
    out.write_text(json.dumps([row]))
    assert regret_mazes.load_rows(out, regret_mazes.settings_of(args)) == [row]
    args.steps = 512
    with pytest.raises(SystemExit, match=r"other settings \(steps: 1 -> 512\); rerun with"):
        regret_mazes.load_rows(out, regret_mazes.settings_of(args))
    out.write_text("{not json")
    with pytest.raises(SystemExit, match="is not a results file of this benchmark"):
        regret_mazes.load_rows(out, regret_mazes.settings_of(args))
