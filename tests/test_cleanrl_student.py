"""The example CleanRL-style student (``examples/cleanrl_student.py``) takes a teacher."""

from __future__ import annotations

import functools
import importlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from teachgym.bench.results import load_results
from teachgym.checks import check_student
from teachgym.cli import main
from teachgym.curriculum import Curriculum, EpisodeRecord
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate
from teachgym.teachers import make_teacher
from tests.toy_env import CountdownEnv

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def student_class(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module("cleanrl_student").CleanRLStudent


def test_trains_on_a_teacher_and_evaluates(student_class, tmp_path):
    teacher = make_teacher("random", CountdownEnv.task_space, seed=0)
    records: list[EpisodeRecord] = []
    curriculum = Curriculum(teacher, listeners=[records.append])
    student = student_class(functools.partial(CountdownEnv), seed=0, num_envs=3)
    start = student.probabilities(student.features(np.array([[0.0, 0.5]])))[0, 0]
    student.learn(curriculum, 300)
    student.learn(curriculum, 300)  # continues the same vector env and running episodes
    assert student.steps_done == 600 and student.rounded_steps(301) == 303
    assert student.get_params() == {
        "seed": 0,
        "num_envs": 3,
        "vectorization_mode": "sync",
        "learning_rate": 0.05,
        "gamma": 0.99,
        "baseline_rate": 0.05,
    }
    # the teacher heard exactly the episodes the student learned from, with their tasks
    assert student.episodes_done == curriculum.episodes_reported == teacher.n_updates > 50
    assert {r.env_index for r in records} == {0, 1, 2}
    assert all(r.outcome.length <= r.task["length"] for r in records)
    # staying (action 0) earns the bonus every step; REINFORCE learns to prefer it
    after = student.probabilities(student.features(np.array([[0.0, 0.5]])))[0, 0]
    assert start == pytest.approx(0.5) and after > 0.6
    tasks = [{"length": 4, "bonus": 0.5}, {"length": 8, "bonus": 1.0}]
    returns = evaluate(student, tasks, episodes_per_task=2).returns
    assert returns.shape == (2, 2) and np.all(returns > 0)

    student.save(tmp_path / "ckpt", teacher)
    again = student_class(functools.partial(CountdownEnv), seed=0, num_envs=3)
    restored = again.load(tmp_path / "ckpt")
    assert restored is not None and restored.n_updates == teacher.n_updates
    assert again.steps_done == 600
    np.testing.assert_array_equal(evaluate(again, tasks, episodes_per_task=2).returns, returns)
    student.close()
    again.close()


def test_needs_discrete_actions(student_class):
    with pytest.raises(TypeError, match="Discrete"):
        student_class(functools.partial(CountdownEnv, continuous=True))


def test_refuses_a_teacher_that_needs_scores(student_class):
    teacher = make_teacher("plr", CountdownEnv.task_space, seed=0)
    student = student_class(functools.partial(CountdownEnv))
    with pytest.raises(TeachgymUsageError, match="needs a learning-potential score"):
        student.learn(Curriculum(teacher), 10)
    assert student.envs is None


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_keeps_the_student_contract(student_class, mode):
    def build(env_fn):
        return student_class(env_fn, num_envs=2, vectorization_mode=mode)

    check_student(build, functools.partial(CountdownEnv), total_steps=96)


def test_a_yaml_suite_names_the_example_student_and_teachgym_bench_runs_it(
    student_class, tmp_path, monkeypatch
):
    monkeypatch.setenv(  # worker processes import the student by name too
        "PYTHONPATH", os.pathsep.join([str(EXAMPLES), os.environ.get("PYTHONPATH", "")])
    )
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: cleanrl\n"
        "seeds: 1\n"
        "envs: [teachgym/LearnabilityGrid-v0]\n"
        "teachers: [random, riac]\n"
        "students:\n"
        "  - {name: 'cleanrl_student:CleanRLStudent', params: {num_envs: 2}}\n"
        "budget: 200\n"
        "evaluation: {every: 100}\n"
    )
    out = tmp_path / "runs"
    assert main(["bench", str(suite), "--out", str(out), "--quiet", "--reps", "50"]) == 0
    results = load_results(out)
    assert set(results.runs["status"]) == {"done"} and len(results.runs) == 2
    assert sorted(results.evaluations["step"].unique()) == [0, 100, 200]
    for teacher in ("random", "riac"):
        run = out / f"LearnabilityGrid-v0__{teacher}__CleanRLStudent__seed0"
        spec = json.loads((run / "spec.json").read_text())
        assert spec["student"]["name"] == "cleanrl_student:CleanRLStudent"
        # one-step episodes, same-step resets: each of the 200 steps is an episode that
        # reached the teacher, and the checkpointed teacher learned from each one
        assert json.loads((run / "done.json").read_text())["episodes"] == 200
        saved = json.loads((run / "checkpoints" / "step-0000000200" / "teacher.json").read_text())
        assert saved["teacher"] == teacher and saved["n_updates"] == 200
