"""Run a suite: every run in its own process (local pool) or as a Ray task.

``run_suite(suite, out)`` writes ``OUT/suite.json`` and one directory per run
(:mod:`teachgym.bench.run_directory`). Completed runs are skipped,
interrupted ones resume from their last checkpoint, and a failed run is
recorded in its ``error.json`` without stopping the others. Two progress bars
show finished runs and environment steps.

Backends:

- ``local`` (default): at most ``workers`` child processes at a time, one per
  run. On Linux children are forked (no re-import of torch per run) and die
  with the runner (``PR_SET_PDEATHSIG``), so a killed runner leaves no orphan
  writing into a run directory; a lock file per run guards the rest.
- ``ray``: one Ray task per run (``num_cpus=1``), connecting to ``ray_address``
  (e.g. ``"auto"`` or ``"ray://head:10001"``) or starting a local Ray with
  ``workers`` CPUs. On a cluster, ``OUT`` must be a filesystem every node sees.

Every worker limits BLAS/OpenMP to one thread, so results do not depend on the
backend or the number of workers.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from threadpoolctl import threadpool_limits
from tqdm import tqdm

from teachgym.bench.run_directory import RunDirectory, atomic_write_text
from teachgym.bench.suite import RunSpec, Suite
from teachgym.bench.training import run_and_record

Backend = Literal["local", "ray"]
POLL_SECONDS = 0.2
SUITE_FILE = "suite.json"
Job = tuple[dict[str, Any], str]
"""``(RunSpec.to_dict(), run directory)``"""


@dataclass(frozen=True)
class SuiteResult:
    """What one invocation of the runner did."""

    out: Path
    completed: list[str]
    skipped: list[str]
    failed: dict[str, str]
    wall_seconds: float
    cpu_seconds: float | None
    """CPU time of the local worker processes (``None`` with Ray)."""


# -- workers ----------------------------------------------------------------------
def _die_with_parent(parent_pid: int) -> None:
    """Linux: get SIGKILL when the runner dies; elsewhere rely on the run lock."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def _local_child(spec_data: dict[str, Any], path: str, parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    with threadpool_limits(limits=1):
        result = run_and_record(spec_data, path)
    sys.exit(0 if result["ok"] else 1)


def _ray_task(spec_data: dict[str, Any], path: str) -> dict[str, Any]:
    with threadpool_limits(limits=1):
        return run_and_record(spec_data, path)


Poll = Callable[[], None]


def _run_local(jobs: Sequence[Job], workers: int, poll: Poll) -> dict[str, str | None]:
    """Run ``jobs`` in at most ``workers`` child processes; returns run path -> error."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    pending = list(jobs)
    running: dict[str, BaseProcess] = {}
    errors: dict[str, str | None] = {}
    while pending or running:
        while pending and len(running) < workers:
            spec_data, path = pending.pop(0)
            process = context.Process(
                target=_local_child, args=(spec_data, path, os.getpid()), daemon=False
            )
            process.start()
            running[path] = process
        time.sleep(POLL_SECONDS)
        poll()
        for path, process in list(running.items()):
            if process.exitcode is None:
                continue
            process.join()
            del running[path]
            errors[path] = None if process.exitcode == 0 else _error_of(path, process.exitcode)
    return errors


def _error_of(path: str, exitcode: int) -> str:
    recorded = RunDirectory(path).error()
    if recorded is not None:
        return str(recorded["error"])
    message = f"worker process died with exit code {exitcode}"
    RunDirectory(path).write_error(message, "")
    return message


def _run_ray(
    jobs: Sequence[Job], workers: int, address: str | None, poll: Poll
) -> dict[str, str | None]:
    try:
        import ray
    except ImportError:
        raise ValueError(
            "--backend ray needs Ray: pip install 'teachgym[ray]' (or 'ray>=2.40')"
        ) from None
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(_ray_task)
        refs = {task.remote(spec_data, path): path for spec_data, path in jobs}
        errors: dict[str, str | None] = {}
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=POLL_SECONDS)
            poll()
            for ref in ready:
                path = refs.pop(ref)
                try:
                    result = ray.get(ref)
                    errors[path] = result["error"]
                except Exception as exc:  # a crashed Ray worker fails its run only
                    message = f"Ray task failed: {type(exc).__name__}: {exc}"
                    RunDirectory(path).write_error(message, "")
                    errors[path] = message
        return errors
    finally:
        if started_here:
            ray.shutdown()


# -- the runner ---------------------------------------------------------------------
def write_suite_file(suite: Suite, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "name": suite.name,
        "description": suite.description,
        "runs": [run.to_dict() for run in suite.runs],
    }
    atomic_write_text(out / SUITE_FILE, json.dumps(data, indent=1))


def run_suite(
    suite: Suite,
    out: str | os.PathLike[str],
    workers: int = 1,
    backend: Backend = "local",
    ray_address: str | None = None,
    quiet: bool = False,
) -> SuiteResult:
    """Run every run of ``suite`` that is not complete yet in ``out``.

    Raises:
        ValueError: bad ``workers``/``backend``, or ``out`` holds runs of a different suite.
    """
    if workers < 1:
        raise ValueError(f"--workers must be >= 1, got {workers}")
    if backend not in ("local", "ray"):
        raise ValueError(f"--backend must be 'local' or 'ray', got {backend!r}")
    started = time.monotonic()
    out_path = Path(out)
    directories = {run.run_id: RunDirectory(out_path / run.run_id) for run in suite.runs}
    for run in suite.runs:
        directories[run.run_id].claim(run)
    write_suite_file(suite, out_path)
    skipped = [run.run_id for run in suite.runs if directories[run.run_id].is_done()]
    todo: list[RunSpec] = [run for run in suite.runs if run.run_id not in skipped]
    jobs: list[Job] = [(run.to_dict(), str(directories[run.run_id].path)) for run in todo]
    total_steps = sum(run.budget for run in suite.runs)
    budgets = {run.run_id: run.budget for run in suite.runs}
    tqdm.monitor_interval = 0  # no monitor thread in a process that forks workers
    run_bar = tqdm(total=len(suite.runs), desc="runs ", unit="run", disable=quiet, position=0)
    step_bar = tqdm(
        total=total_steps, desc="steps", unit="step", unit_scale=True, disable=quiet, position=1
    )

    def poll() -> None:
        done = sum(d.is_done() or d.error_path.exists() for d in directories.values())
        steps = sum(min(d.live_steps(), budgets[rid]) for rid, d in directories.items())
        run_bar.update(done - run_bar.n)
        step_bar.update(steps - step_bar.n)

    poll()
    cpu_before = _children_cpu()
    try:
        if backend == "local":
            errors = _run_local(jobs, workers, poll)
        else:
            errors = _run_ray(jobs, workers, ray_address, poll)
        poll()
    finally:
        step_bar.close()
        run_bar.close()
    by_path = {str(d.path): rid for rid, d in directories.items()}
    failed = {by_path[p]: e for p, e in errors.items() if e is not None}
    completed = [by_path[p] for p, e in errors.items() if e is None]
    cpu = _children_cpu() - cpu_before if backend == "local" else None
    return SuiteResult(out_path, completed, skipped, failed, time.monotonic() - started, cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def read_suite_file(out: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``suite.json`` a runner wrote into ``out``."""
    path = Path(out) / SUITE_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"{out} holds no benchmark ({SUITE_FILE} is missing); run `teachgym bench` first"
        )
    return dict(json.loads(path.read_text()))
