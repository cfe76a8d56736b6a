"""The directory of one benchmark run: what is in it and how it is written.

Layout (every file is written to a temporary name and renamed, so a crash never
leaves half a file; a checkpoint directory is renamed into place whole)::

    spec.json                     the RunSpec
    test_set.json                 name, version, tasks of the test set; task space
    evaluations/step-<N>.json     per-task greedy returns at step N (+ % mastered)
    samples/step-<N>.npz          task vectors and returns of the episodes trained
                                  on since the previous evaluation
    checkpoints/step-<N>/         student + teacher state at step N
    progress.json                 the commit point: last step whose evaluation,
                                  samples and checkpoint are complete
    status.json                   live step count for progress bars
    done.json                     completion marker with the final summary
    error.json                    the error of the last failed attempt

Files for steps beyond ``progress.json`` belong to an attempt that was killed;
:meth:`RunDirectory.discard_uncommitted` removes them before resuming.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from teachgym.bench import faults
from teachgym.bench.suite import RunSpec
from teachgym.errors import TeachgymUsageError
from teachgym.state_io import CorruptStateError

STEP_WIDTH = 10


def atomic_write_bytes(path: Path, data: bytes, record: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A failed write (a full disk) removes its temporary file. ``record=False`` marks a
    file that is not a record (the live status), which fault injection does not count.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as handle:
            half = len(data) // 2
            handle.write(data[:half])
            if record:
                handle.flush()
                faults.during_write(path)
            handle.write(data[half:])
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def atomic_write_text(path: Path, text: str, record: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    atomic_write_bytes(path, text.encode("utf-8"), record)


def step_name(step: int) -> str:
    return f"step-{step:0{STEP_WIDTH}d}"


def _step_of(path: Path) -> int:
    return int(path.name.split(".")[0].removeprefix("step-"))


class RunDirectory:
    """Reads and writes the files of one run (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    # -- paths ----------------------------------------------------------------------
    @property
    def spec_path(self) -> Path:
        return self.path / "spec.json"

    @property
    def done_path(self) -> Path:
        return self.path / "done.json"

    @property
    def error_path(self) -> Path:
        return self.path / "error.json"

    @property
    def progress_path(self) -> Path:
        return self.path / "progress.json"

    @property
    def status_path(self) -> Path:
        return self.path / "status.json"

    @property
    def lock_path(self) -> Path:
        return self.path / "lock"

    def checkpoint_path(self, step: int) -> Path:
        return self.path / "checkpoints" / step_name(step)

    # -- spec -----------------------------------------------------------------------
    def read_spec(self) -> RunSpec | None:
        if not self.spec_path.exists():
            return None
        return RunSpec.from_dict(self._read_json(self.spec_path))

    def claim(self, spec: RunSpec) -> None:
        """Create the directory for ``spec``, or check that it already belongs to it."""
        self.path.mkdir(parents=True, exist_ok=True)
        existing = self.read_spec()
        if existing is None:
            atomic_write_text(self.spec_path, spec.to_json())
        elif existing != spec:
            raise TeachgymUsageError(
                f"{self.path} holds a run of a different spec (saved {existing.to_json()}); "
                "the suite changed since that run: write to another --out directory or "
                "delete this run directory"
            )

    # -- status ---------------------------------------------------------------------
    def is_done(self) -> bool:
        return self.done_path.exists()

    def progress(self) -> dict[str, Any] | None:
        """The last committed point ``{"step", "episodes", "checkpoint", "wall_seconds"}``."""
        return self._read_json(self.progress_path) if self.progress_path.exists() else None

    def live_steps(self) -> int:
        """Steps done by the current attempt as last reported (for progress bars)."""
        for path in (self.status_path, self.progress_path):
            try:
                return int(json.loads(path.read_text())["step"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return 0

    def write_status(self, step: int) -> None:
        atomic_write_text(self.status_path, json.dumps({"step": step}), record=False)

    def error(self) -> dict[str, Any] | None:
        return self._read_json(self.error_path) if self.error_path.exists() else None

    def write_error(self, message: str, trace: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(
            self.error_path, json.dumps({"error": message, "traceback": trace}, indent=1)
        )

    def clear_error(self) -> None:
        self.error_path.unlink(missing_ok=True)

    # -- records --------------------------------------------------------------------
    def write_test_set(
        self, name: str, version: int, tasks: list[dict[str, Any]], task_space: dict[str, Any]
    ) -> None:
        """The test set and the task space (to place test tasks in [0, 1]^d for plots)."""
        record = {"name": name, "version": version, "tasks": tasks, "task_space": task_space}
        atomic_write_text(self.path / "test_set.json", json.dumps(record))

    def read_test_set(self) -> dict[str, Any]:
        return dict(self._read_json(self.path / "test_set.json"))

    def write_evaluation(self, step: int, record: dict[str, Any]) -> None:
        folder = self.path / "evaluations"
        folder.mkdir(exist_ok=True)
        atomic_write_text(folder / f"{step_name(step)}.json", json.dumps(record))

    def evaluations(self) -> list[dict[str, Any]]:
        """Committed evaluations in step order."""
        progress = self.progress()
        if progress is None:
            return []
        last = int(progress["step"])
        paths = sorted((self.path / "evaluations").glob("step-*.json"))
        return [self._read_json(p) for p in paths if _step_of(p) <= last]

    def write_samples(self, step: int, vectors: np.ndarray, returns: np.ndarray) -> None:
        folder = self.path / "samples"
        folder.mkdir(exist_ok=True)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, vectors=vectors, returns=returns)
        atomic_write_bytes(folder / f"{step_name(step)}.npz", buffer.getvalue())

    def samples(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Committed ``(step, task vectors (n, dim), returns (n,))`` chunks in step order."""
        progress = self.progress()
        if progress is None:
            return []
        last = int(progress["step"])
        chunks = []
        for path in sorted((self.path / "samples").glob("step-*.npz")):
            if ".tmp" in path.name or _step_of(path) > last:
                continue
            try:
                with np.load(path, allow_pickle=False) as data:
                    chunks.append((_step_of(path), data["vectors"], data["returns"]))
            except (OSError, ValueError, KeyError, EOFError) as exc:
                raise CorruptStateError(
                    f"{path} cannot be read ({type(exc).__name__}: {exc}); {self._redo}"
                ) from None
        return chunks

    def _read_json(self, path: Path) -> Any:
        """Parse a JSON file; a damaged one is a :class:`CorruptStateError` naming it."""
        try:
            return json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorruptStateError(f"{path} is not valid JSON ({exc}); {self._redo}") from None

    @property
    def _redo(self) -> str:
        return f"delete the run directory {self.path} to redo that run"

    def damage(self) -> str | None:
        """What is wrong with the committed files, in one line with what to do; ``None`` if sound.

        Checks that ``progress.json``, every committed evaluation and sample chunk and
        ``done.json`` can be read, that the committed step has its evaluation, and that
        a run marked done was committed at its budget. Files of an attempt that was
        killed before committing are not damage: resuming discards them.
        """
        try:
            progress = self.progress()
            evaluations = self.evaluations()
            self.samples()
            if self.is_done():
                self._read_json(self.done_path)
        except CorruptStateError as exc:
            return str(exc).replace("\n", " ")
        if progress is None:
            later = [p for p in self.path.glob("evaluations/step-*.json") if _step_of(p) > 0]
            if self.is_done() or later:
                found = "a done.json" if self.is_done() else f"{len(later) + 1} evaluations"
                return f"{self.progress_path} is missing but the run holds {found}; {self._redo}"
            return None
        last = int(progress["step"])
        if not evaluations or int(evaluations[-1]["step"]) != last:
            missing = self.path / "evaluations" / f"{step_name(last)}.json"
            return (
                f"{self.progress_path} commits step {last} but {missing} is missing; {self._redo}"
            )
        spec = self.read_spec()
        if self.is_done() and spec is not None and last != spec.budget:
            return (
                f"{self.done_path} marks the run complete but its last evaluation is at step "
                f"{last}, not at the budget {spec.budget}; {self._redo}"
            )
        return None

    def commit(self, step: int, episodes: int, wall_seconds: float, checkpoint: bool) -> None:
        """Make ``step`` the committed point, then drop older checkpoints."""
        record = {
            "step": step,
            "episodes": episodes,
            "checkpoint": step_name(step) if checkpoint else None,
            "wall_seconds": wall_seconds,
        }
        atomic_write_text(self.progress_path, json.dumps(record))
        folder = self.path / "checkpoints"
        if folder.exists():
            for old in folder.iterdir():
                if old.name != record["checkpoint"]:
                    shutil.rmtree(old, ignore_errors=True)
        faults.after_commit()

    def discard_uncommitted(self) -> None:
        """Delete evaluations, samples and checkpoints written after the committed point."""
        progress = self.progress()
        last = -1 if progress is None else int(progress["step"])
        keep = None if progress is None else progress["checkpoint"]
        for name in ("evaluations", "samples"):
            for path in (self.path / name).glob("step-*"):
                if ".tmp" in path.name or _step_of(path) > last:
                    path.unlink()
        for path in self.path.glob("*.tmp"):
            path.unlink()
        folder = self.path / "checkpoints"
        if folder.exists():
            for path in folder.iterdir():
                if path.name != keep:
                    shutil.rmtree(path, ignore_errors=True)

    def mark_done(self, summary: dict[str, Any]) -> None:
        atomic_write_text(self.done_path, json.dumps(summary, indent=1))
