"""SIGKILL a worker or the runner at every commit boundary and mid-write, then re-run.

Faults are injected at chosen points (``TEACHGYM_FAULT``, teachgym.bench.faults),
never after a delay, so every count below is exact: no committed evaluation is
lost, nothing complete is redone (its files are never rewritten), and the final
tables equal those of an uninterrupted run.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from teachgym.bench.faults import FAULT_ENV
from teachgym.bench.results import load_results
from teachgym.bench.run_directory import RunDirectory, step_name
from teachgym.bench.runner import run_suite
from teachgym.bench.suite import parse_suite

SUITE = parse_suite(
    {
        "name": "kill",
        "envs": ["teachgym/LearnabilityGrid-v0"],
        "teachers": ["random", "alp-gmm"],
        "students": ["simulated"],
        "seeds": 1,
        "budget": 1000,
        "evaluation": {"every": 250},
    }
)
RUNS = [run.run_id for run in SUITE.runs]
STEPS = [0, 250, 500, 750, 1000]
"""The commit points of every run of the suite."""


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    result = run_suite(SUITE, out, workers=2, quiet=True)
    assert sorted(result.completed) == sorted(RUNS)
    return out


def committed_steps(out: Path, run_id: str) -> list[int]:
    return [record["step"] for record in RunDirectory(out / run_id).evaluations()]


def committed_files(out: Path) -> dict[Path, tuple[int, int]]:
    """(inode, mtime) of every committed evaluation, sample chunk and done marker."""
    files = {}
    for run_id in RUNS:
        directory = RunDirectory(out / run_id)
        progress = directory.progress() if directory.path.exists() else None
        if progress is None:
            continue
        last = step_name(progress["step"])
        for path in [
            *directory.path.glob("evaluations/step-*.json"),
            *directory.path.glob("samples/step-*.npz"),
            directory.done_path,
        ]:
            if path.exists() and ".tmp" not in path.name and path.name[: len(last)] <= last:
                stat = path.stat()
                files[path] = (stat.st_ino, stat.st_mtime_ns)
    return files


def assert_untouched(before: dict[Path, tuple[int, int]], out: Path) -> None:
    after = committed_files(out)
    for path, fingerprint in before.items():
        assert after.get(path) == fingerprint, f"{path} was lost or rewritten"


def table(out: Path) -> pd.DataFrame:
    results = load_results(out)
    evaluations = results.evaluations.sort_values(["run_id", "step"]).reset_index(drop=True)
    returns = results.task_returns.sort_values(["run_id", "step", "task"]).reset_index(drop=True)
    return evaluations.merge(returns, on=["run_id", "step"])


def assert_same_tables(reference: Path, out: Path) -> None:
    pd.testing.assert_frame_equal(table(reference), table(out))
    for run_id in RUNS:
        ours, theirs = RunDirectory(out / run_id), RunDirectory(reference / run_id)
        assert ours.is_done() and ours.damage() is None
        for (s1, v1, r1), (s2, v2, r2) in zip(ours.samples(), theirs.samples(), strict=True):
            assert s1 == s2 and (v1 == v2).all() and (r1 == r2).all()
        assert not list(ours.path.rglob("*.tmp")), "a temporary file was left behind"


def test_a_worker_killed_after_each_of_its_commits_loses_and_redoes_nothing(
    tmp_path, monkeypatch, reference
):
    target, other = RUNS
    out = tmp_path / "out"
    # Each attempt kills the target's worker right after its first commit of that
    # attempt, so attempt k ends exactly at the k-th commit boundary.
    monkeypatch.setenv(FAULT_ENV, f"action=kill,at=commit,count=1,run={target}")
    for attempt in range(1, len(STEPS) + 1):
        before = committed_files(out)
        result = run_suite(SUITE, out, workers=2, quiet=True)
        assert list(result.failed) == [target]
        assert "killed by SIGKILL" in result.failed[target]
        assert committed_steps(out, target) == STEPS[:attempt]
        assert not RunDirectory(out / target).is_done()
        assert committed_steps(out, other) == STEPS and RunDirectory(out / other).is_done()
        assert (result.completed, result.skipped) == (
            ([other], []) if attempt == 1 else ([], [other])
        )
        assert_untouched(before, out)
    # Every commit is done: the last attempt only marks the run complete.
    before = committed_files(out)
    result = run_suite(SUITE, out, workers=2, quiet=True)
    assert (result.completed, result.skipped, result.failed) == ([target], [other], {})
    assert_untouched(before, out)
    assert_same_tables(reference, out)


def _runner(out: str) -> None:
    run_suite(SUITE, out, workers=1, quiet=True)


def run_runner_process(out: Path) -> int | None:
    """Run the suite in a runner process of its own; its exit code (-9: SIGKILLed)."""
    process = multiprocessing.get_context("fork").Process(target=_runner, args=(str(out),))
    process.start()
    process.join()
    return process.exitcode


def test_the_runner_killed_at_each_commit_boundary_loses_and_redoes_nothing(
    tmp_path, monkeypatch, reference
):
    out = tmp_path / "out"
    # One worker at a time; each attempt's first commit SIGKILLs the runner (and that
    # worker), so the whole suite advances by exactly one commit per attempt.
    monkeypatch.setenv(FAULT_ENV, "action=kill-runner,at=commit,count=1")
    order = [(run_id, step) for run_id in RUNS for step in STEPS]
    for attempt in range(1, len(order) + 1):
        before = committed_files(out)
        assert run_runner_process(out) == -9
        done = [(run_id, step) for run_id in RUNS for step in committed_steps(out, run_id)]
        assert done == order[:attempt]
        finished = [RunDirectory(out / run_id).is_done() for run_id in RUNS]
        assert finished == [attempt > len(STEPS), False]
        assert_untouched(before, out)
    before = committed_files(out)
    assert run_runner_process(out) == 0
    assert_untouched(before, out)
    assert_same_tables(reference, out)


def test_a_worker_killed_in_the_middle_of_writing_a_file_resumes_cleanly(
    tmp_path, monkeypatch, reference
):
    target = RUNS[0]
    out = tmp_path / "out"
    directory = RunDirectory(out / target)

    def attempt(fault: str) -> None:
        monkeypatch.setenv(FAULT_ENV, f"action=kill,at=write,run={target},{fault}")
        result = run_suite(SUITE, out, workers=1, quiet=True)
        assert list(result.failed) == [target] and "SIGKILL" in result.failed[target]

    # The second commit point dies half written: step 0 stays the committed point.
    attempt("file=progress.json,count=2")
    assert committed_steps(out, target) == [0]
    partial = (directory.path / "progress.json.tmp").read_text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(partial)
    assert json.loads(directory.progress_path.read_text())["step"] == 0
    # The resumed attempt dies writing its second evaluation (step 500).
    before = committed_files(out)
    attempt("file=step-*.json,count=2")
    assert committed_steps(out, target) == [0, 250]
    assert (directory.path / "evaluations" / "step-0000000500.json.tmp").exists()
    assert_untouched(before, out)
    # ... then writing the samples of step 500, then the done marker.
    before = committed_files(out)
    attempt("file=step-*.npz,count=1")
    assert committed_steps(out, target) == [0, 250]
    assert (directory.path / "samples" / "step-0000000500.npz.tmp").exists()
    assert_untouched(before, out)
    before = committed_files(out)
    attempt("file=done.json,count=1")
    assert committed_steps(out, target) == STEPS and not directory.is_done()
    assert (directory.path / "done.json.tmp").exists()
    assert_untouched(before, out)
    monkeypatch.delenv(FAULT_ENV)
    before = committed_files(out)
    result = run_suite(SUITE, out, workers=1, quiet=True)
    assert result.completed == [target] and not result.failed
    assert_untouched(before, out)
    assert_same_tables(reference, out)


def test_the_runner_killed_while_its_worker_is_halfway_through_a_write_resumes_cleanly(
    tmp_path, monkeypatch, reference
):
    target, other = RUNS
    out = tmp_path / "out"
    directory = RunDirectory(out / target)
    # The runner dies while the target's third commit point (step 500) is half written.
    monkeypatch.setenv(
        FAULT_ENV, f"action=kill-runner,at=write,file=progress.json,count=3,run={target}"
    )
    assert run_runner_process(out) == -9
    assert committed_steps(out, target) == [0, 250] and not directory.is_done()
    assert (directory.path / "progress.json.tmp").exists()
    assert RunDirectory(out / other).progress() is None  # one worker: not started yet
    before = committed_files(out)
    monkeypatch.delenv(FAULT_ENV)
    assert run_runner_process(out) == 0
    assert_untouched(before, out)
    assert_same_tables(reference, out)
