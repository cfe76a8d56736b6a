"""Execute one benchmark run: train in chunks, evaluate, checkpoint, commit; resume if killed.

The budget is cut at the evaluation steps (``every``, ``2 * every``, ..., and the
budget itself). At each cut the run evaluates the student greedily on the test
set, saves the sampled tasks of the chunk, checkpoints student and teacher, and
commits (``progress.json``). A resumed run reloads the last committed checkpoint
and redoes only the chunk that was interrupted. The checkpoint holds the curriculum's
bookkeeping and everything the student's future depends on, so with the simulated
student, or an SB3 student on in-process vector envs (see
:mod:`teachgym.agents.sb3_student`), the result is identical to an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
import traceback
from typing import Any

import numpy as np

from teachgym.agents import make_student, student_class, student_parameters
from teachgym.agents.student import Student, load_curriculum_state
from teachgym.bench.run_directory import RunDirectory
from teachgym.bench.suite import RunSpec, teacher_params_on
from teachgym.curriculum import Curriculum, EpisodeRecord
from teachgym.envs import env_factory
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate
from teachgym.params import accepts_any_keyword
from teachgym.state_io import CorruptStateError
from teachgym.tasks import TaskSpace
from teachgym.teachers import Teacher, make_teacher

STATUS_INTERVAL = 0.5
"""Seconds between two live step-count updates of ``status.json``."""


def evaluation_steps(budget: int, every: int) -> list[int]:
    """The steps at which a run evaluates and checkpoints (after step 0)."""
    return [*range(every, budget, every), budget]


class SampleRecorder:
    """Curriculum listener: task vectors ``(n, dim)`` and returns ``(n,)`` of one chunk."""

    def __init__(self, task_space: TaskSpace) -> None:
        self.task_space = task_space
        self.vectors: list[np.ndarray] = []
        self.returns: list[float] = []

    def __call__(self, record: EpisodeRecord) -> None:
        self.vectors.append(self.task_space.to_vector(record.task))
        self.returns.append(float(record.outcome.episode_return))

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        """The chunk's arrays; the recorder starts a new chunk."""
        vectors = (
            np.stack(self.vectors).astype(np.float32)
            if self.vectors
            else np.zeros((0, self.task_space.dim), dtype=np.float32)
        )
        returns = np.asarray(self.returns, dtype=np.float64)
        self.vectors, self.returns = [], []
        return vectors, returns


class _StatusWriter:
    """Progress callback: counts steps and writes ``status.json`` at most every 0.5 s."""

    def __init__(self, directory: RunDirectory, step: int) -> None:
        self.directory = directory
        self.step = step
        self._last = 0.0

    def __call__(self, steps: int) -> None:
        self.step += steps
        now = time.monotonic()
        if now - self._last >= STATUS_INTERVAL:
            self._last = now
            self.directory.write_status(self.step)


def _build(spec: RunSpec, run_dir: RunDirectory) -> tuple[Any, Student, Teacher]:
    env_fn = env_factory(spec.env.id, **spec.env.kwargs)
    student_params = dict(spec.student.params)
    takes_callbacks = "callbacks" in student_parameters(spec.student.name)
    if takes_callbacks or accepts_any_keyword(student_class(spec.student.name)):
        # an SB3-based student: log the curriculum with SB3's logger
        from teachgym.agents.curriculum_logging import CurriculumLoggerCallback

        student_params["callbacks"] = [CurriculumLoggerCallback()]
        if spec.tensorboard:
            student_params["tensorboard_log"] = str(run_dir.path / "tensorboard")
    student = make_student(spec.student.name, env_fn, seed=spec.seed, **student_params)
    probe = env_fn()
    task_space = probe.unwrapped.task_space  # type: ignore[attr-defined]
    params = teacher_params_on(probe.unwrapped, spec.teacher.name, spec.teacher.params)
    probe.close()
    teacher = make_teacher(spec.teacher.name, task_space, seed=spec.seed, **params)
    return env_fn, student, teacher


def _evaluate(
    student: Student, spec: RunSpec, tasks: list[dict[str, Any]], step: int
) -> dict[str, Any]:
    evaluation = spec.evaluation
    result = evaluate(
        student,
        tasks,
        episodes_per_task=evaluation.episodes_per_task,
        seed=evaluation.seed,
        deterministic=evaluation.deterministic,
    )
    return {"step": step, **result.to_dict()}


def execute_run(spec: RunSpec, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Run (or finish) ``spec`` in directory ``path``; returns the ``done.json`` summary.

    Holds an exclusive lock on the directory while working, so two runners never
    execute the same run at once. Raises whatever the run raised (the caller
    records it with :func:`run_and_record`).
    """
    directory = RunDirectory(path)
    directory.claim(spec)
    with open(directory.lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        damage = directory.damage()
        if damage is not None:
            raise CorruptStateError(damage)
        if directory.is_done():
            return dict(directory.progress() or {})
        directory.clear_error()
        return _train(spec, directory)


def _train(spec: RunSpec, directory: RunDirectory) -> dict[str, Any]:
    env_fn, student, teacher = _build(spec, directory)
    try:
        directory.discard_uncommitted()
        progress = directory.progress()
        step, episodes, wall = 0, 0, 0.0
        probe = env_fn()
        test_set = probe.unwrapped.test_set(spec.env.test_set)
        probe.close()
        curriculum_state: dict[str, Any] | None = None
        if progress is not None:
            step, episodes = int(progress["step"]), int(progress["episodes"])
            wall = float(progress["wall_seconds"])
            if progress["checkpoint"] is not None:
                restored = student.load(directory.checkpoint_path(step))
                if restored is None:
                    raise ValueError(
                        f"checkpoint at step {step} in {directory.path} has no teacher"
                    )
                teacher = restored
                curriculum_state = load_curriculum_state(directory.checkpoint_path(step))
        started = time.monotonic()
        recorder = SampleRecorder(teacher.task_space)
        curriculum = Curriculum(teacher, listeners=[recorder])
        if curriculum_state is not None:
            curriculum.load_state_dict(curriculum_state)
        if progress is None:
            directory.write_test_set(
                test_set.name, test_set.version, test_set.tasks, teacher.task_space.to_dict()
            )
            # Zero steps build the student's model (SB3), so the untrained student
            # can be evaluated; the first real chunk would do the same set-up.
            student.learn(curriculum, 0)
            record = _evaluate(student, spec, test_set.tasks, 0)
            record["episodes"] = record["student_steps"] = 0
            directory.write_evaluation(0, record)
            directory.commit(0, 0, 0.0, checkpoint=False)
        status = _StatusWriter(directory, step)
        for target in evaluation_steps(spec.budget, spec.evaluation.every):
            if target <= step:
                continue
            student.learn(curriculum, max(target - student.steps_done, 0), progress=status)
            step = target
            episodes += len(recorder.returns)
            record = _evaluate(student, spec, test_set.tasks, step)
            record["episodes"] = episodes
            record["student_steps"] = student.steps_done
            directory.write_evaluation(step, record)
            directory.write_samples(step, *recorder.take())
            _save_checkpoint(student, curriculum, directory, step)
            directory.commit(step, episodes, wall + time.monotonic() - started, checkpoint=True)
        summary = dict(directory.progress() or {})
        directory.mark_done(summary)
        directory.write_status(step)
        return summary
    finally:
        student.close()


def _save_checkpoint(
    student: Student, curriculum: Curriculum, directory: RunDirectory, step: int
) -> None:
    final = directory.checkpoint_path(step)
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    student.save(tmp, curriculum=curriculum)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def run_and_record(spec_data: dict[str, Any], path: str) -> dict[str, Any]:
    """Entry point of a worker: run, and on failure write ``error.json`` instead of raising.

    Returns ``{"run_id", "ok", "error"}``; ``spec_data`` is :meth:`RunSpec.to_dict`.
    """
    spec = RunSpec.from_dict(spec_data)
    try:
        execute_run(spec, path)
    except Exception as exc:  # a failed run is recorded and does not stop the others
        message = failure_message(exc)
        with contextlib.suppress(OSError):  # a full disk: the runner records the message
            RunDirectory(path).write_error(message, traceback.format_exc())
        return {"run_id": spec.run_id, "ok": False, "error": message}
    return {"run_id": spec.run_id, "ok": True, "error": None}


def failure_message(exc: BaseException) -> str:
    """One line saying why a run failed and, for a full disk or memory, what to do."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return (
            f"no space left on device writing {exc.filename}; free some space and run the "
            "same command again to resume"
        )
    if isinstance(exc, TeachgymUsageError):  # already says what is wrong and what to do
        return " ".join(str(exc).split())
    if isinstance(exc, MemoryError):
        return (
            "out of memory (MemoryError); give the worker more memory or run fewer "
            "--workers, then run the same command again to resume"
        )
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")
