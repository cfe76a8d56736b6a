"""Deterministic fault injection for testing the runner: crash a worker at a chosen point.

Faults exist to test that a benchmark survives crashes, kills, interrupts and full
disks at exact points, never at moments picked by a timer. They are off unless the
environment variable ``TEACHGYM_FAULT`` is set when a worker starts; every hook is a
no-op otherwise, and the runner process itself is never armed.

``TEACHGYM_FAULT`` is a comma-separated list of ``key=value``:

- ``action`` (required): what happens at the point:

  - ``kill``: the worker SIGKILLs itself;
  - ``kill-runner``: the worker SIGKILLs the runner (its parent), then itself;
  - ``abort``: ``os.abort()`` (SIGABRT, as a crash in native code would);
  - ``oom``: the worker's address space is limited (``RLIMIT_AS``) and a 1 GiB
    allocation fails with ``MemoryError``;
  - ``enospc``: this write and every later one fail with ``ENOSPC`` (disk full);
  - ``interrupt-runner``: SIGINT to the runner, then the worker waits to be terminated;
  - ``interrupt-group``: SIGINT to the whole process group (what Ctrl-C in a
    terminal does), then the worker waits to be terminated.

- ``at``: ``commit`` (default: right after a commit point is written) or ``write``
  (halfway through writing a record file: the temporary file holds half the bytes);
- ``count``: the fault fires at the ``count``-th such point of the worker (default 1);
- ``run``: only the worker of this run id is armed (default: every worker);
- ``file``: with ``at=write``, count only files whose name matches this glob pattern.

Example: ``TEACHGYM_FAULT=action=kill,at=commit,count=2`` kills each worker right
after its second commit; a resumed run counts from zero again.
"""

from __future__ import annotations

import errno
import faulthandler
import fnmatch
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path

from teachgym.errors import TeachgymUsageError

FAULT_ENV = "TEACHGYM_FAULT"
ACTIONS = (
    "kill",
    "kill-runner",
    "abort",
    "oom",
    "enospc",
    "interrupt-runner",
    "interrupt-group",
)
POINTS = ("commit", "write")
OOM_HEADROOM = 64 << 20
"""Bytes of address space the ``oom`` fault leaves above the worker's current size."""
OOM_ALLOCATION = 1 << 30
"""Bytes the ``oom`` fault tries to allocate."""


@dataclass(frozen=True)
class Fault:
    """One parsed ``TEACHGYM_FAULT`` (see the module docstring)."""

    action: str
    at: str = "commit"
    count: int = 1
    run: str | None = None
    file: str | None = None


def parse_fault(text: str) -> Fault:
    """Parse a ``TEACHGYM_FAULT`` value; a bad one is a :class:`TeachgymUsageError`."""
    fields: dict[str, str] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or key.strip() not in ("action", "at", "count", "run", "file"):
            raise TeachgymUsageError(
                f"{FAULT_ENV}: {item!r} is not one of action=, at=, count=, run=, file="
            )
        fields[key.strip()] = value.strip()
    action = fields.get("action")
    if action not in ACTIONS:
        raise TeachgymUsageError(f"{FAULT_ENV}: action must be one of {ACTIONS}, got {action!r}")
    at = fields.get("at", "commit")
    if at not in POINTS:
        raise TeachgymUsageError(f"{FAULT_ENV}: at must be one of {POINTS}, got {at!r}")
    try:
        count = int(fields.get("count", "1"))
    except ValueError:
        count = 0
    if count < 1:
        raise TeachgymUsageError(
            f"{FAULT_ENV}: count must be an integer >= 1, got {fields.get('count')!r}"
        )
    return Fault(action, at, count, fields.get("run"), fields.get("file"))


def check_environment() -> None:
    """Refuse a malformed ``TEACHGYM_FAULT`` before any worker starts."""
    text = os.environ.get(FAULT_ENV, "")
    if text:
        parse_fault(text)


class _Armed:
    """The fault of this worker process and how many points it has passed."""

    def __init__(self, fault: Fault, runner_pid: int | None) -> None:
        self.fault = fault
        self.runner_pid = runner_pid
        self.seen = 0
        self.disk_full = False


_armed: _Armed | None = None


def arm(run_id: str, runner_pid: int | None) -> None:
    """Called by a worker before its run: arm the fault of ``TEACHGYM_FAULT``, if any.

    ``runner_pid`` is the runner that the ``*-runner`` actions signal (``None`` when
    the worker's parent is not the runner, as with Ray).
    """
    global _armed
    text = os.environ.get(FAULT_ENV, "")
    fault = parse_fault(text) if text else None
    if fault is not None and fault.run not in (None, run_id):
        fault = None
    _armed = None if fault is None else _Armed(fault, runner_pid)


def after_commit() -> None:
    """Hook: a commit point was just written."""
    if _armed is not None and _armed.fault.at == "commit":
        _passed(_armed)


def during_write(path: Path) -> None:
    """Hook: halfway through writing the record file ``path`` (into its temporary file)."""
    if _armed is None:
        return
    if _armed.disk_full:
        _raise_enospc(path)
    fault = _armed.fault
    if fault.at == "write" and (fault.file is None or fnmatch.fnmatch(path.name, fault.file)):
        _passed(_armed, path)


def _passed(armed: _Armed, path: Path | None = None) -> None:
    armed.seen += 1
    if armed.seen == armed.fault.count:
        _fire(armed, path)


def _fire(armed: _Armed, path: Path | None) -> None:
    action = armed.fault.action
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "kill-runner":
        os.kill(_runner(armed), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "abort":
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
        faulthandler.disable()  # no dump of every thread's stack
        os.abort()
    elif action == "oom":
        _exhaust_memory()
    elif action == "enospc":
        armed.disk_full = True
        if path is not None:
            _raise_enospc(path)
    elif action == "interrupt-runner":
        os.kill(_runner(armed), signal.SIGINT)
        _wait_for_termination()
    elif action == "interrupt-group":
        os.killpg(os.getpgrp(), signal.SIGINT)
        _wait_for_termination()


def _runner(armed: _Armed) -> int:
    if armed.runner_pid is None:
        raise TeachgymUsageError(
            f"{FAULT_ENV}: action {armed.fault.action!r} needs the local backend"
        )
    return armed.runner_pid


def _raise_enospc(path: Path) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def _exhaust_memory() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (size + OOM_HEADROOM, hard))
    try:
        bytearray(OOM_ALLOCATION)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _wait_for_termination() -> None:
    while True:
        signal.pause()
