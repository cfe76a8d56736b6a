"""Crashes, full disks, damaged files, a second runner and Ctrl-C, each at a chosen point.

Faults come from ``TEACHGYM_FAULT`` (teachgym.bench.faults) and fire at an exact
commit or write of a worker, so no test waits for a moment to come.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from teachgym.bench.faults import FAULT_ENV, Fault, parse_fault
from teachgym.bench.results import load_results
from teachgym.bench.run_directory import RunDirectory
from teachgym.bench.runner import LOCK_FILE, run_suite
from teachgym.bench.suite import parse_suite
from teachgym.bench.training import execute_run
from teachgym.cli import main
from teachgym.errors import TeachgymUsageError

ROOT = Path(__file__).resolve().parent.parent
SUITE_DATA = {
    "name": "faults",
    "envs": ["teachgym/LearnabilityGrid-v0"],
    "teachers": ["random"],
    "students": ["simulated"],
    "seeds": 3,
    "budget": 750,
    "evaluation": {"every": 250},
}
SUITE = parse_suite(SUITE_DATA)
RUNS = [run.run_id for run in SUITE.runs]
TARGET = RUNS[1]
RESUME = "run the same command again to resume"


@pytest.fixture
def suite_file(tmp_path) -> Path:
    path = tmp_path / "faults.yaml"
    path.write_text(json.dumps(SUITE_DATA))  # JSON is YAML
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, list[dict]]:
    """Evaluations of every run of the suite, uninterrupted."""
    out = tmp_path_factory.mktemp("reference")
    for run in SUITE.runs:
        execute_run(run, out / run.run_id)
    return {run_id: RunDirectory(out / run_id).evaluations() for run_id in RUNS}


def bench(*argv: str) -> int:
    """``teachgym bench ...`` in this process; its exit code."""
    try:
        return main(["bench", *argv])
    except SystemExit as exit:  # failed runs end the command with exit code 1
        return int(exit.code or 0)


def steps(out: Path, run_id: str) -> list[int]:
    return [record["step"] for record in RunDirectory(out / run_id).evaluations()]


def assert_consistent(directory: RunDirectory) -> None:
    assert directory.damage() is None
    assert not list(directory.path.rglob("*.tmp")), "a temporary file was left behind"


def test_fault_specs_are_parsed_and_bad_ones_refused_before_anything_runs(tmp_path, monkeypatch):
    assert parse_fault("action=kill,at=write,count=3,run=r,file=step-*.json") == Fault(
        "kill", "write", 3, "r", "step-*.json"
    )
    assert parse_fault("action=abort") == Fault("abort")
    for text, message in [
        ("action=explode", "action must be one of"),
        ("action=kill,at=noon", "at must be one of"),
        ("action=kill,count=0", "count must be an integer >= 1"),
        ("action=kill,when=3", "'when=3' is not one of"),
    ]:
        with pytest.raises(TeachgymUsageError, match=message):
            parse_fault(text)
    monkeypatch.setenv(FAULT_ENV, "action=explode")
    with pytest.raises(TeachgymUsageError, match=f"{FAULT_ENV}: action must be one of"):
        run_suite(SUITE, tmp_path, quiet=True)
    assert not any(p.is_dir() for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("abort", "worker process was killed by SIGABRT (a crash in native code); the run keeps"),
        ("oom", "out of memory (MemoryError); give the worker more memory or run fewer --workers"),
    ],
)
def test_a_worker_that_crashes_or_runs_out_of_memory_fails_its_run_only(
    tmp_path, monkeypatch, reference, action, message
):
    monkeypatch.setenv(FAULT_ENV, f"action={action},at=commit,count=2,run={TARGET}")
    result = run_suite(SUITE, tmp_path, workers=2, quiet=True)
    assert list(result.failed) == [TARGET] and result.failed[TARGET].startswith(message)
    assert sorted(result.completed) == sorted(set(RUNS) - {TARGET})
    directory = RunDirectory(tmp_path / TARGET)
    assert steps(tmp_path, TARGET) == [0, 250] and not directory.is_done()
    recorded = json.loads(directory.error_path.read_text())
    assert recorded["error"] == result.failed[TARGET]
    if action == "oom":
        assert "MemoryError" in recorded["traceback"]
    runs = load_results(tmp_path).runs.set_index("run_id")
    assert runs.loc[TARGET, "status"] == "failed" and runs.loc[TARGET, "error"].startswith(message)
    monkeypatch.delenv(FAULT_ENV)
    again = run_suite(SUITE, tmp_path, workers=2, quiet=True)
    assert again.completed == [TARGET] and not again.failed
    for run_id in RUNS:
        assert RunDirectory(tmp_path / run_id).evaluations() == reference[run_id]


def test_a_full_disk_is_one_clear_line_and_the_run_resumes_once_space_returns(
    tmp_path, monkeypatch, capsys, reference, suite_file
):
    out = tmp_path / "out"
    # The disk fills while the second evaluation (step 250) is written, and stays full.
    monkeypatch.setenv(FAULT_ENV, f"action=enospc,at=write,file=step-*.json,count=2,run={TARGET}")
    code = bench(str(suite_file), "--out", str(out), "--quiet", "--no-report")
    assert code == 1
    printed = capsys.readouterr().out.splitlines()
    failed = [line for line in printed if "FAILED" in line]
    written = out / TARGET / "evaluations" / "step-0000000250.json"
    assert failed == [
        f"  FAILED {TARGET}: no space left on device writing {written}; free some space and "
        f"{RESUME}  (see {out / TARGET / 'error.json'})"
    ]
    directory = RunDirectory(out / TARGET)
    assert steps(out, TARGET) == [0] and not written.exists()
    assert_consistent(directory)
    # The worker could not record its error on the full disk; the runner did.
    assert json.loads(directory.error_path.read_text())["error"].startswith("no space left")
    monkeypatch.delenv(FAULT_ENV)
    assert bench(str(suite_file), "--out", str(out), "--quiet", "--no-report") == 0
    assert "1 runs completed, 2 already complete" in capsys.readouterr().out
    assert directory.evaluations() == reference[TARGET] and not directory.error_path.exists()


def test_damaged_run_files_are_named_with_what_to_do_and_the_rest_completes(
    tmp_path, capsys, suite_file
):
    data = {**SUITE_DATA, "seeds": 5}
    suite_file.write_text(json.dumps(data))
    suite = parse_suite(data)
    out = tmp_path / "out"
    run_suite(suite, out, workers=2, quiet=True)
    ids = [run.run_id for run in suite.runs]
    dirs = [RunDirectory(out / run_id) for run_id in ids]
    evaluation = dirs[0].path / "evaluations" / "step-0000000500.json"
    evaluation.write_text(evaluation.read_text()[:40])  # truncated
    samples = dirs[1].path / "samples" / "step-0000000250.npz"
    samples.write_bytes(b"not a zip archive")
    dirs[2].progress_path.unlink()
    for path in (dirs[3].path / "evaluations").iterdir():
        path.unlink()
    shutil.rmtree(dirs[4].path)  # never run: the re-run does it
    code = bench(str(suite_file), "--out", str(out), "--quiet", "--reps", "50")
    assert code == 1
    printed = capsys.readouterr().out
    failed = {
        line.split()[1].rstrip(":"): line for line in printed.splitlines() if "FAILED" in line
    }
    assert sorted(failed) == sorted(ids[:4])
    redo = "delete the run directory {} to redo that run"
    expected = {
        ids[0]: f"{evaluation} is not valid JSON",
        ids[1]: f"{samples} cannot be read",
        ids[2]: f"{dirs[2].progress_path} is missing but the run holds a done.json",
        ids[3]: f"{dirs[3].progress_path} commits step 750 but "
        f"{dirs[3].path / 'evaluations' / 'step-0000000750.json'} is missing",
    }
    for run_id, start in expected.items():
        assert f"FAILED {run_id}: {start}" in failed[run_id]
        assert redo.format(out / run_id) in failed[run_id]
    assert "1 runs completed, 0 already complete (skipped), 4 failed" in printed
    assert RunDirectory(out / ids[4]).is_done() and "report:" in printed
    runs = load_results(out).runs.set_index("run_id")
    assert list(runs["status"]) == ["damaged"] * 4 + ["done"]
    report = (out / "report" / "report.md").read_text()
    assert all(f"- `{run_id}`: " in report for run_id in ids[:4])


def test_a_second_runner_on_the_same_directory_refuses_with_a_clear_message(
    tmp_path, capsys, suite_file
):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_FILE, "a+") as held:  # another runner at work
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        assert bench(str(suite_file), "--out", str(out), "--quiet", "--no-report") == 2
        assert capsys.readouterr().err == (
            f"teachgym: error: {out} is in use by another `teachgym bench` (process 4242); wait "
            "until it finishes, or write to another --out directory\n"
        )
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]
    assert bench(str(suite_file), "--out", str(out), "--quiet", "--no-report") == 0
    assert "3 runs completed, 0 already" in capsys.readouterr().out
    assert bench(str(suite_file), "--out", str(out), "--quiet", "--no-report") == 0
    assert "0 runs completed, 3 already complete" in capsys.readouterr().out


def _cli(argv: list[str], stdout: str, stderr: str) -> None:
    """A ``teachgym`` process of its own, with its output in files."""
    sys.stdout = open(stdout, "w", buffering=1)  # noqa: SIM115 (the process ends with it)
    sys.stderr = open(stderr, "w", buffering=1)  # noqa: SIM115
    os.dup2(sys.stdout.fileno(), 1)
    os.dup2(sys.stderr.fileno(), 2)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main(argv))


def test_sigint_to_the_runner_stops_it_at_once_with_one_line_and_exit_code_130(
    tmp_path, monkeypatch, reference, suite_file
):
    out = tmp_path / "out"
    # The target worker interrupts the runner right after its second commit, then
    # hangs: a runner that waited for its workers would never end.
    monkeypatch.setenv(FAULT_ENV, f"action=interrupt-runner,at=commit,count=2,run={TARGET}")
    argv = ["bench", str(suite_file), "--out", str(out), "--quiet", "--workers", "2"]
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    process = multiprocessing.get_context("fork").Process(
        target=_cli, args=(argv, str(stdout), str(stderr))
    )
    process.start()
    process.join(300)  # a safety net only: the runner ends by itself
    assert process.exitcode == 130
    assert stderr.read_text() == f"interrupted; {RESUME}\n"
    assert stdout.read_text() == f"suite faults: 3 runs -> {out}\n"
    directory = RunDirectory(out / TARGET)
    assert steps(out, TARGET) == [0, 250] and not directory.is_done()
    assert not directory.error_path.exists()  # interrupted, not failed
    monkeypatch.delenv(FAULT_ENV)
    result = run_suite(SUITE, out, workers=2, quiet=True)
    assert TARGET in result.completed and not result.failed
    for run_id in RUNS:
        assert RunDirectory(out / run_id).evaluations() == reference[run_id]
        assert_consistent(RunDirectory(out / run_id))


def _sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_in_a_terminal_prints_one_line_and_no_traceback(tmp_path, suite_file, reference):
    out = tmp_path / "out"
    # Ctrl-C sends SIGINT to the whole process group: runner and workers.
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        FAULT_ENV: f"action=interrupt-group,at=commit,count=1,run={TARGET}",
    }
    command = [sys.executable, "-m", "teachgym.cli", "bench", str(suite_file), "--out", str(out)]
    finished = subprocess.run(
        [*command, "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        start_new_session=True,  # its own process group, away from pytest's
        # As in a terminal, SIGINT is not ignored, even when pytest itself was started in
        # the background of a shell without job control (which ignores it for its children).
        preexec_fn=_sigint_as_in_a_terminal,
        timeout=600,  # a safety net only
    )
    assert finished.returncode == 130
    assert finished.stderr.splitlines()[-1] == f"interrupted; {RESUME}"
    assert "Traceback" not in finished.stderr and "KeyboardInterrupt" not in finished.stderr
    assert steps(out, TARGET) == [0]
    assert np.all([RunDirectory(out / run_id).damage() is None for run_id in RUNS])


@pytest.fixture
def local_ray(monkeypatch):
    """A one-CPU local Ray whose workers see the fault set here."""
    ray = pytest.importorskip("ray")
    monkeypatch.setenv(FAULT_ENV, "action=kill,at=commit,count=1")
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.slow
def test_ray_retries_a_run_whose_worker_died_and_records_its_failure_when_retries_run_out(
    tmp_path, local_ray, reference
):
    # Every attempt's worker dies right after its first commit, so a run with three
    # commit points (0, 250, 500) needs three retries and a fourth attempt to finish.
    suite = parse_suite({**SUITE_DATA, "seeds": 1, "budget": 500})
    (run_id,) = [run.run_id for run in suite.runs]
    enough = run_suite(suite, tmp_path / "enough", backend="ray", ray_max_retries=3, quiet=True)
    assert enough.completed == [run_id] and not enough.failed
    assert RunDirectory(tmp_path / "enough" / run_id).evaluations() == reference[run_id][:3]
    short = run_suite(suite, tmp_path / "short", backend="ray", ray_max_retries=2, quiet=True)
    assert list(short.failed) == [run_id]
    assert short.failed[run_id].startswith("Ray task failed 3 times (")
    assert short.failed[run_id].endswith(f"{RESUME} it")
    directory = RunDirectory(tmp_path / "short" / run_id)
    assert steps(tmp_path / "short", run_id) == [0, 250, 500] and not directory.is_done()
    assert json.loads(directory.error_path.read_text())["error"] == short.failed[run_id]
