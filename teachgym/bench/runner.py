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

Faults: one runner works in ``OUT`` at a time (``OUT/bench.lock``; a second one
refuses). A worker that dies (a signal, out of memory) or fails (a full disk)
fails its run only, with a one-line message saying what to do. An interrupt
(Ctrl-C) terminates the workers at once; what they committed is kept. With Ray, a
run whose worker died is retried ``ray_max_retries`` times from its last commit.
:mod:`teachgym.bench.faults` injects such faults at chosen points for tests.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from threadpoolctl import threadpool_limits
from tqdm import tqdm

from teachgym.bench import faults
from teachgym.bench.run_directory import RunDirectory, atomic_write_text
from teachgym.bench.suite import RunSpec, Suite
from teachgym.bench.training import run_and_record
from teachgym.errors import TeachgymUsageError

Backend = Literal["local", "ray"]
POLL_SECONDS = 0.2
TERMINATE_SECONDS = 5.0
"""Seconds a terminated worker gets to exit before it is killed."""
SUITE_FILE = "suite.json"
LOCK_FILE = "bench.lock"
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


def _local_child(
    spec_data: dict[str, Any], path: str, parent_pid: int, result: Any, suite_lock: int
) -> None:
    # Ctrl-C reaches the whole process group: the runner alone handles it and
    # terminates its workers, so a worker prints no traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The suite lock is the runner's: a worker still dying after its runner was
    # killed must not keep the next runner out (the run's own lock guards the run).
    os.close(suite_lock)
    _die_with_parent(parent_pid)
    faults.arm(RunSpec.from_dict(spec_data).run_id, runner_pid=parent_pid)
    with threadpool_limits(limits=1):
        outcome = run_and_record(spec_data, path)
    result.send(outcome)
    sys.exit(0 if outcome["ok"] else 1)


def _ray_task(spec_data: dict[str, Any], path: str) -> dict[str, Any]:
    faults.arm(RunSpec.from_dict(spec_data).run_id, runner_pid=None)
    with threadpool_limits(limits=1):
        return run_and_record(spec_data, path)


Poll = Callable[[], None]


@dataclass
class _Worker:
    process: BaseProcess
    result: Any
    """The receiving end of the pipe the worker sends its outcome through."""


def _run_local(
    jobs: Sequence[Job], workers: int, poll: Poll, suite_lock: int
) -> dict[str, str | None]:
    """Run ``jobs`` in at most ``workers`` child processes; returns run path -> error.

    ``suite_lock`` is the file descriptor of the runner's suite lock (children close it).

    On an interrupt (``KeyboardInterrupt``) or any other exception the running
    workers are terminated at once, then the exception propagates.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    pending = list(jobs)
    running: dict[str, _Worker] = {}
    errors: dict[str, str | None] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                spec_data, path = pending.pop(0)
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_local_child,
                    args=(spec_data, path, os.getpid(), sender, suite_lock),
                    daemon=False,
                )
                process.start()
                sender.close()
                running[path] = _Worker(process, receiver)
            time.sleep(POLL_SECONDS)
            poll()
            for path, worker in list(running.items()):
                if worker.process.exitcode is None:
                    continue
                worker.process.join()
                del running[path]
                errors[path] = _outcome_of(path, worker)
    except BaseException:
        _terminate(list(running.values()))
        raise
    return errors


def _terminate(workers: list[_Worker]) -> None:
    """Stop ``workers`` now (SIGTERM, then SIGKILL); a second Ctrl-C cannot interrupt this."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for worker in workers:
            worker.process.terminate()
        for worker in workers:
            worker.process.join(TERMINATE_SECONDS)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
            worker.result.close()
    finally:
        signal.signal(signal.SIGINT, previous)


def _outcome_of(path: str, worker: _Worker) -> str | None:
    """The worker's error (``None``: success), recorded in ``error.json`` if it is not yet."""
    try:
        outcome = worker.result.recv() if worker.result.poll() else None
    except EOFError:  # the worker died before it could report
        outcome = None
    worker.result.close()
    exitcode = worker.process.exitcode
    if outcome is not None and outcome["ok"]:
        return None
    directory = RunDirectory(path)
    if outcome is not None:
        message = str(outcome["error"])
    else:
        recorded = directory.error()
        if recorded is not None:
            return str(recorded["error"])
        message = _death_message(exitcode)
    if not directory.error_path.exists():
        with contextlib.suppress(OSError):  # a full disk: the message is still reported
            directory.write_error(message, "")
    return message


def _death_message(exitcode: int | None) -> str:
    """Why a worker died without reporting, and what to do."""
    resume = "the run keeps its last commit: run the same command again to resume it"
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        cause = {
            "SIGKILL": " (e.g. by the out-of-memory killer)",
            "SIGSEGV": " (a crash in native code)",
            "SIGABRT": " (a crash in native code)",
        }.get(name, "")
        return f"worker process was killed by {name}{cause}; {resume}"
    return f"worker process died with exit code {exitcode}; {resume}"


def _run_ray(
    jobs: Sequence[Job], workers: int, address: str | None, max_retries: int, poll: Poll
) -> dict[str, str | None]:
    try:
        import ray
    except ImportError:
        raise TeachgymUsageError(
            "--backend ray needs Ray: pip install 'teachgym[ray]' (or 'ray>=2.40')"
        ) from None
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        # A worker that dies (killed, out of memory, a crash in native code) is
        # retried; an exception inside the run is recorded by the run itself.
        task = ray.remote(num_cpus=1, max_retries=max_retries)(_ray_task)
        refs: dict[Any, str] = {}
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
                except ray.exceptions.RayError as exc:  # the run's worker died every time
                    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    message = (
                        f"Ray task failed {max_retries + 1} times ({type(exc).__name__}: "
                        f"{first_line}); the run keeps its last commit: run the same command "
                        "again to resume it"
                    )
                    RunDirectory(path).write_error(message, str(exc))
                    errors[path] = message
        return errors
    except BaseException:
        for ref in refs:
            ray.cancel(ref, force=True)
        raise
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
    ray_max_retries: int = 3,
) -> SuiteResult:
    """Run every run of ``suite`` that is not complete yet in ``out``.

    Only one runner works in ``out`` at a time (``OUT/bench.lock``). With Ray, a run
    whose worker dies is retried up to ``ray_max_retries`` times, each retry resuming
    from the last commit. An interrupt (``KeyboardInterrupt``) terminates the
    workers at once and propagates; what was committed is kept.

    Raises:
        TeachgymUsageError: bad ``workers``/``backend``/``ray_max_retries``, or another
            runner holds ``out``.
        ValueError: ``out`` holds runs of a different suite.
    """
    check_runner_arguments(workers, backend, ray_max_retries)
    faults.check_environment()
    out_path = Path(out)
    out_path.mkdir(parents=True, exist_ok=True)
    with _suite_lock(out_path) as lock:
        return _run_locked(
            suite, out_path, workers, backend, ray_address, quiet, ray_max_retries, lock
        )


def check_runner_arguments(workers: int, backend: str, ray_max_retries: int = 3) -> None:
    """Raise :class:`TeachgymUsageError` for arguments the runner cannot use."""
    if not isinstance(workers, int) or workers < 1:
        raise TeachgymUsageError(f"--workers must be >= 1, got {workers}")
    if backend not in ("local", "ray"):
        raise TeachgymUsageError(f"--backend must be 'local' or 'ray', got {backend!r}")
    if not isinstance(ray_max_retries, int) or ray_max_retries < 0:
        raise TeachgymUsageError(f"--max-retries must be >= 0, got {ray_max_retries}")


@contextmanager
def _suite_lock(out: Path) -> Iterator[int]:
    """Hold ``OUT/bench.lock`` exclusively (yields its descriptor), or refuse at once."""
    path = out / LOCK_FILE
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise TeachgymUsageError(
                f"{out} is in use by another `teachgym bench`{who}; wait until it finishes, "
                "or write to another --out directory"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield handle.fileno()
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_locked(
    suite: Suite,
    out_path: Path,
    workers: int,
    backend: Backend,
    ray_address: str | None,
    quiet: bool,
    ray_max_retries: int,
    suite_lock: int,
) -> SuiteResult:
    started = time.monotonic()
    directories = {run.run_id: RunDirectory(out_path / run.run_id) for run in suite.runs}
    for run in suite.runs:
        directories[run.run_id].claim(run)
    write_suite_file(suite, out_path)
    skipped = [
        run.run_id
        for run in suite.runs
        if directories[run.run_id].is_done() and directories[run.run_id].damage() is None
    ]
    todo: list[RunSpec] = [run for run in suite.runs if run.run_id not in skipped]
    jobs: list[Job] = [(run.to_dict(), str(directories[run.run_id].path)) for run in todo]
    total_steps = sum(run.budget for run in suite.runs)
    budgets = {run.run_id: run.budget for run in suite.runs}
    # No tqdm monitor thread in a process that forks workers: it starts with the first
    # bar, so the setting is restored once the bars exist.
    monitor_interval, tqdm.monitor_interval = tqdm.monitor_interval, 0
    run_bar = tqdm(total=len(suite.runs), desc="runs ", unit="run", disable=quiet, position=0)
    step_bar = tqdm(
        total=total_steps, desc="steps", unit="step", unit_scale=True, disable=quiet, position=1
    )
    tqdm.monitor_interval = monitor_interval

    def poll() -> None:
        done = sum(d.is_done() or d.error_path.exists() for d in directories.values())
        steps = sum(min(d.live_steps(), budgets[rid]) for rid, d in directories.items())
        run_bar.update(done - run_bar.n)
        step_bar.update(steps - step_bar.n)

    poll()
    cpu_before = _children_cpu()
    try:
        if backend == "local":
            errors = _run_local(jobs, workers, poll, suite_lock)
        else:
            errors = _run_ray(jobs, workers, ray_address, ray_max_retries, poll)
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
        raise TeachgymUsageError(
            f"{out} holds no benchmark ({SUITE_FILE} is missing); run `teachgym bench` first"
        )
    return dict(json.loads(path.read_text()))
