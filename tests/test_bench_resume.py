"""Robust PLR and ACCEL with PPO through the benchmark runner: a run SIGKILLed after a
commit resumes from its checkpoint (as RobustPPO) and ends with the very results of a run
that was never killed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from teachgym.bench.faults import FAULT_ENV
from teachgym.bench.results import load_results
from teachgym.bench.run_directory import RunDirectory
from teachgym.bench.runner import run_suite
from teachgym.bench.suite import parse_suite
from tests.toy_env import COUNTDOWN_ID

SUITE = parse_suite(
    {
        "name": "regret-resume",
        "envs": [COUNTDOWN_ID],
        "teachers": ["robust-plr", "accel"],
        "students": [{"name": "ppo", "params": {"n_envs": 2, "n_steps": 16, "batch_size": 16}}],
        "seeds": 1,
        "budget": 64,
        "evaluation": {"every": 32},
    }
)
RUNS = [run.run_id for run in SUITE.runs]


def tables(out) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = load_results(out)
    evaluations = results.evaluations.drop(columns=["wall_seconds"], errors="ignore")
    evaluations = evaluations.sort_values(["run_id", "step"]).reset_index(drop=True)
    returns = results.task_returns.sort_values(["run_id", "step", "task"]).reset_index(drop=True)
    return evaluations, returns


@pytest.mark.slow
def test_regret_teachers_with_ppo_resume_after_a_kill_to_the_same_results(tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    assert not run_suite(SUITE, reference, quiet=True).failed
    out = tmp_path / "out"
    # Commit 1 is the untrained evaluation (step 0), commit 2 the first chunk (step 32):
    # each worker SIGKILLs itself right after committing the first chunk.
    monkeypatch.setenv(FAULT_ENV, "action=kill,at=commit,count=2")
    killed = run_suite(SUITE, out, quiet=True)
    assert sorted(killed.failed) == sorted(RUNS)
    for run_id in RUNS:
        directory = RunDirectory(out / run_id)
        assert not directory.is_done()
        assert [e["step"] for e in directory.evaluations()] == [0, 32]
        meta = json.loads((directory.checkpoint_path(32) / "student.json").read_text())
        assert meta["model_class"] == "RobustPPO" and meta["steps_done"] == 32
    monkeypatch.delenv(FAULT_ENV)
    resumed = run_suite(SUITE, out, quiet=True)
    assert not resumed.failed, resumed.failed
    assert sorted(resumed.completed) == sorted(RUNS)
    for ours, theirs in zip(tables(out), tables(reference), strict=True):
        pd.testing.assert_frame_equal(ours, theirs)
    for run_id in RUNS:
        ours, theirs = RunDirectory(out / run_id), RunDirectory(reference / run_id)
        for (s1, v1, r1), (s2, v2, r2) in zip(ours.samples(), theirs.samples(), strict=True):
            assert s1 == s2 and (v1 == v2).all() and (r1 == r2).all()
        state = json.loads((ours.checkpoint_path(64) / "teacher.json").read_text())
        assert state == json.loads((theirs.checkpoint_path(64) / "teacher.json").read_text())
