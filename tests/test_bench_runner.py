"""The benchmark runner: run directories, skipping, resuming, failures, backends."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from teachgym.bench.results import load_results
from teachgym.bench.run_directory import RunDirectory
from teachgym.bench.runner import run_suite
from teachgym.bench.suite import parse_suite
from teachgym.bench.training import evaluation_steps, execute_run
from teachgym.state_io import CorruptStateError
from tests.toy_env import COUNTDOWN_ID

GRID = "teachgym/LearnabilityGrid-v0"


def suite(teachers=("random", "riac"), seeds=2, budget=1200, every=400, **extra):
    return parse_suite(
        {
            "name": "t",
            "envs": [GRID],
            "teachers": list(teachers),
            "students": ["simulated"],
            "seeds": seeds,
            "budget": budget,
            "evaluation": {"every": every},
            **extra,
        }
    )


def evaluation_table(out):
    table = load_results(out).evaluations
    return table.sort_values(["run_id", "step"]).reset_index(drop=True)


def test_evaluation_steps_end_at_the_budget():
    assert evaluation_steps(1000, 400) == [400, 800, 1000]
    assert evaluation_steps(800, 400) == [400, 800]


def test_runs_write_their_directories_and_a_rerun_skips_them(tmp_path):
    s = suite()
    result = run_suite(s, tmp_path, workers=2, quiet=True)
    assert sorted(result.completed) == sorted(r.run_id for r in s.runs) and not result.failed
    for run in s.runs:
        directory = RunDirectory(tmp_path / run.run_id)
        assert directory.is_done() and directory.read_spec() == run
        steps = [e["step"] for e in directory.evaluations()]
        assert steps == [0, 400, 800, 1200]
        first = directory.evaluations()[-1]
        assert np.asarray(first["returns"]).shape == (100, 1)
        samples = directory.samples()
        assert [c[0] for c in samples] == [400, 800, 1200]
        assert sum(len(c[2]) for c in samples) == 1200
        assert samples[0][1].shape == (400, 2)
        checkpoints = list((directory.path / "checkpoints").iterdir())
        assert [c.name for c in checkpoints] == ["step-0000001200"]
    again = run_suite(s, tmp_path, workers=2, quiet=True)
    assert again.completed == [] and sorted(again.skipped) == sorted(result.completed)


def test_seeds_differ_and_teachers_share_the_test_set(tmp_path):
    run_suite(suite(teachers=("random",), seeds=2, budget=3000, every=3000), tmp_path, quiet=True)
    results = load_results(tmp_path)
    assert set(results.runs["status"]) == {"done"}
    returns = results.task_returns[results.task_returns["step"] == 3000]
    by_run = returns.pivot(index="task", columns="run_id", values="return")
    assert by_run.shape == (100, 2)
    assert not np.array_equal(by_run.iloc[:, 0], by_run.iloc[:, 1])


class Interrupt(Exception):
    """Stands in for a crash at a chosen moment."""


@pytest.mark.parametrize("where", ["after_commit", "before_commit"])
def test_an_interrupted_run_resumes_to_the_same_result(tmp_path, monkeypatch, where):
    spec = suite(teachers=("alp-gmm",), seeds=1, budget=1500, every=300).runs[0]
    execute_run(spec, tmp_path / "reference")
    reference = RunDirectory(tmp_path / "reference").evaluations()

    calls = {"n": 0}
    if where == "after_commit":
        original = RunDirectory.commit

        def crashing(self, *args, **kwargs):
            original(self, *args, **kwargs)
            calls["n"] += 1
            if calls["n"] == 3:
                raise Interrupt
    else:
        original = RunDirectory.write_samples

        def crashing(self, *args, **kwargs):
            original(self, *args, **kwargs)
            calls["n"] += 1
            if calls["n"] == 3:  # evaluation and samples written, not committed
                raise Interrupt

    name = "commit" if where == "after_commit" else "write_samples"
    monkeypatch.setattr(RunDirectory, name, crashing)
    with pytest.raises(Interrupt):
        execute_run(spec, tmp_path / "resumed")
    monkeypatch.undo()
    directory = RunDirectory(tmp_path / "resumed")
    assert not directory.is_done()
    committed = directory.evaluations()
    assert committed == reference[: len(committed)]
    execute_run(spec, tmp_path / "resumed")
    assert directory.evaluations() == reference
    resumed_samples = directory.samples()
    for (s1, v1, r1), (s2, v2, r2) in zip(
        RunDirectory(tmp_path / "reference").samples(), resumed_samples, strict=True
    ):
        assert s1 == s2 and np.array_equal(v1, v2) and np.array_equal(r1, r2)


def test_a_failed_run_is_recorded_and_the_others_finish(tmp_path):
    s = suite(teachers=("random",), seeds=3)
    broken = RunDirectory(tmp_path / s.runs[1].run_id)
    broken.claim(s.runs[1])
    broken.progress_path.write_text("{not json")
    result = run_suite(s, tmp_path, workers=2, quiet=True)
    assert list(result.failed) == [s.runs[1].run_id]
    assert "not valid JSON" in result.failed[s.runs[1].run_id]
    assert "traceback" in json.loads(broken.error_path.read_text())
    assert sorted(result.completed) == sorted([s.runs[0].run_id, s.runs[2].run_id])
    runs = load_results(tmp_path).runs.set_index("run_id")
    # A damaged commit point is told apart from a failure of the training itself.
    assert runs.loc[s.runs[1].run_id, "status"] == "damaged"
    assert f"{broken.progress_path} is not valid JSON" in runs.loc[s.runs[1].run_id, "error"]
    # Repair and re-run: only the failed run executes.
    broken.progress_path.unlink()
    again = run_suite(s, tmp_path, quiet=True)
    assert again.completed == [s.runs[1].run_id] and not again.failed
    assert not broken.error_path.exists()


def test_a_changed_suite_is_refused_before_anything_runs(tmp_path):
    run_suite(suite(teachers=("random",), seeds=1), tmp_path, quiet=True)
    with pytest.raises(ValueError, match="different spec"):
        run_suite(suite(teachers=("random",), seeds=1, budget=2000), tmp_path, quiet=True)


def test_bad_runner_arguments(tmp_path):
    with pytest.raises(ValueError, match="--workers must be >= 1"):
        run_suite(suite(), tmp_path, workers=0, quiet=True)
    with pytest.raises(ValueError, match="--backend"):
        run_suite(suite(), tmp_path, backend="slurm", quiet=True)  # type: ignore[arg-type]


def test_corrupted_committed_evaluation_is_reported(tmp_path):
    s = suite(teachers=("random",), seeds=1)
    run_suite(s, tmp_path, quiet=True)
    path = tmp_path / s.runs[0].run_id / "evaluations" / "step-0000000400.json"
    path.write_text("{")
    runs = load_results(tmp_path).runs.set_index("run_id")
    assert runs.loc[s.runs[0].run_id, "status"] == "damaged"
    error = runs.loc[s.runs[0].run_id, "error"]
    assert re.search(r"step-0000000400\.json is not valid JSON .*delete the run directory", error)
    assert load_results(tmp_path).evaluations.empty
    with pytest.raises(CorruptStateError, match=r"step-0000000400\.json is not valid JSON"):
        RunDirectory(tmp_path / s.runs[0].run_id).evaluations()


@pytest.mark.slow
def test_ray_backend_gives_the_same_per_seed_results_as_local(tmp_path):
    s = suite(teachers=("random", "alp-gmm"), seeds=2, budget=1000, every=500)
    local = run_suite(s, tmp_path / "local", workers=2, quiet=True)
    ray = run_suite(s, tmp_path / "ray", workers=2, backend="ray", quiet=True)
    assert not local.failed and not ray.failed and len(ray.completed) == 4
    pd.testing.assert_frame_equal(
        evaluation_table(tmp_path / "local"), evaluation_table(tmp_path / "ray")
    )


@pytest.mark.slow
def test_an_sb3_student_runs_through_the_bench_with_tensorboard_logs(tmp_path):
    s = parse_suite(
        {
            "name": "ppo",
            "envs": [COUNTDOWN_ID],
            "teachers": ["riac"],
            "students": [{"name": "ppo", "params": {"n_envs": 2, "n_steps": 32, "batch_size": 32}}],
            "seeds": 1,
            "budget": 128,
            "evaluation": {"every": 64},
            "tensorboard": True,
        }
    )
    result = run_suite(s, tmp_path, quiet=True)
    assert not result.failed, result.failed
    directory = RunDirectory(tmp_path / s.runs[0].run_id)
    assert [e["step"] for e in directory.evaluations()] == [0, 64, 128]
    assert (directory.checkpoint_path(128) / "model.zip").exists()
    events = list((directory.path / "tensorboard").rglob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0
