"""The ``teachgym`` command: ``list``, ``train``, ``bench`` and ``report``.

User mistakes (:class:`~teachgym.errors.TeachgymUsageError`: unknown environment,
teacher or student, bad hyperparameter, invalid task, corrupted checkpoint) and
command-line syntax errors end with one clear line on stderr and exit code 2.
Every other exception is a bug and keeps its traceback; ``--debug`` shows the
traceback of usage errors too.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import teachgym
from teachgym.agents import (
    SB3_ALGORITHMS,
    make_student,
    student_class,
    student_names,
    student_parameters,
)
from teachgym.agents.student import Student, load_curriculum_state
from teachgym.curriculum import Curriculum
from teachgym.envs import env_catalog, env_factory
from teachgym.episode_log import EpisodeLog
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate
from teachgym.params import accepts_any_keyword
from teachgym.state_io import CorruptStateError
from teachgym.teachers import (
    Teacher,
    make_teacher,
    teacher_class,
    teacher_hyperparameters,
    teacher_names,
)

CHECKPOINT_DIR = "checkpoint"
INTERRUPTED_EXIT_CODE = 130
"""Exit code of an interrupted ``teachgym bench`` (128 + SIGINT, as shells report it)."""


def parse_params(items: Sequence[str], what: str) -> dict[str, Any]:
    """``["k=v", ...]`` -> dict; values are parsed as JSON when possible, else kept as strings."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise TeachgymUsageError(f"{what} parameters are key=value, got {item!r}")
        try:
            params[key] = json.loads(text)
        except json.JSONDecodeError:
            params[key] = text
    return params


def format_params(params: dict[str, Any], skip: tuple[str, ...] = ("seed",)) -> str:
    """``name=default, ...`` (a required parameter shows its name only)."""
    return ", ".join(
        name if default is inspect.Parameter.empty else f"{name}={default!r}"
        for name, default in params.items()
        if name not in skip
    )


def cmd_list(args: argparse.Namespace) -> None:
    print("Environments:")
    for info in env_catalog():
        print(f"  {info.env_id}\n    {info.summary}")
        for line in info.env_class.task_space.describe():
            print(f"      {line}")
    print("Teachers:")
    for name in teacher_names():
        print(f"  {name}({format_params(teacher_hyperparameters(name))})")
        presets = teacher_class(name).presets
        if presets:
            print(f"    presets: {', '.join(sorted(presets))}")
    print("Students:")
    for name in student_names():
        params = format_params(student_parameters(name))
        if name in (*SB3_ALGORITHMS, "recurrent-ppo", "maskable-ppo"):  # SB3Student passes on
            params += f", **{name.upper()} hyperparameters"
        elif accepts_any_keyword(student_class(name)):
            params += ", **kwargs"
        print(f"  {name}({params.lstrip(', ')})")


def env_task_space(env: Any) -> Any:
    """The task space of a (possibly wrapped) teachgym environment."""
    space = getattr(env.unwrapped, "task_space", None)
    if space is None:
        raise TeachgymUsageError(
            f"{env.unwrapped} is not a teachgym environment (it has no task_space)"
        )
    return space


RUN_FILE = "run.json"
LOG_FILE = "episodes.jsonl"
CHECKPOINT_EVERY = 10_000
"""Default steps between two periodic checkpoints of ``teachgym train``."""
PIECE_STEPS = 1024
"""``teachgym train`` learns in pieces of about this many steps (at least one rollout) and
stops at the end of a piece when interrupted."""
RUN_IDENTITY = {
    "env": "--env",
    "env_param": "--env-param",
    "teacher": "--teacher",
    "teacher_param": "--teacher-param",
    "student": "--student",
    "student_param": "--student-param",
    "seed": "--seed",
}
"""The settings a resumed run must share with its checkpoint (``run.json`` key: option)."""
RESERVED_PARAMS = {
    "teacher": ("seed", "task_space"),
    "student": ("seed", "teacher", "env_fn"),
}
GYM_MAKE_KWARGS = frozenset({"render_mode", "max_episode_steps", "disable_env_checker"})


def _check_train_arguments(args: argparse.Namespace) -> None:
    """Every command-line mistake of ``train`` that needs no environment, as one line."""
    if args.steps < 0:
        raise TeachgymUsageError(f"--steps must be >= 0, got {args.steps}")
    if args.eval_episodes is not None and args.eval_episodes < 1:
        raise TeachgymUsageError(
            f"--eval-episodes must be >= 1 episodes per test task, got {args.eval_episodes}"
        )
    if args.checkpoint_every < 1:
        raise TeachgymUsageError(
            f"--checkpoint-every must be >= 1 step, got {args.checkpoint_every}"
        )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise TeachgymUsageError(f"--out {out} is a file, not a directory; choose another --out")
    for what, reserved in RESERVED_PARAMS.items():
        given = parse_params(getattr(args, f"{what}_param"), what)
        for key in reserved:
            if key in given:
                fix = "use --seed" if key == "seed" else "it is set by teachgym train"
                raise TeachgymUsageError(
                    f"--{what}-param {key}=... is not a {what} hyperparameter here ({fix})"
                )


def _check_env_params(env_id: str, params: dict[str, Any]) -> None:
    import inspect

    from teachgym.envs import env_info

    env_class = env_info(env_id).env_class
    signature = inspect.signature(env_class.__init__)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    accepted = (set(signature.parameters) - {"self"}) | GYM_MAKE_KWARGS
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise TeachgymUsageError(
            f"--env-param {unknown[0]!r} is not a parameter of {env_id}; it takes "
            f"{sorted(accepted - GYM_MAKE_KWARGS) or 'none'}"
        )


def _identity_differences(saved: dict[str, Any], args: argparse.Namespace) -> list[str]:
    differences = []
    for key, option in RUN_IDENTITY.items():
        old, new = saved.get(key), getattr(args, key)
        if key.endswith("_param"):
            old, new = parse_params(old or [], option), parse_params(new, option)
        elif key == "env":
            old, new = _canonical_env(old), _canonical_env(new)
        if old != new:
            differences.append(f"{option} {_shown(new)} (the checkpoint has {_shown(old)})")
    return differences


def _canonical_env(env_id: Any) -> Any:
    """``"Maze-v0"`` and ``"teachgym/Maze-v0"`` name the same environment."""
    from teachgym.envs import env_info

    try:
        return env_info(env_id).env_id
    except (TeachgymUsageError, ValueError, TypeError):
        return env_id


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v!r}" for k, v in value.items()) + "}"
    return repr(value)


def _recover_checkpoint(checkpoint: Path) -> None:
    """Finish a checkpoint swap a kill interrupted (see :func:`_save`)."""
    import shutil

    new, old = (
        checkpoint.with_name(checkpoint.name + ".new"),
        checkpoint.with_name(checkpoint.name + ".old"),
    )
    if not checkpoint.exists():
        if new.exists() and old.exists():  # killed between the two renames: new is whole
            os.replace(new, checkpoint)
        elif old.exists():
            os.replace(old, checkpoint)
    shutil.rmtree(new, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def _save(student: Any, curriculum: Curriculum, log: EpisodeLog, checkpoint: Path) -> None:
    """Write the whole checkpoint beside the old one, then swap: a kill at any moment leaves
    one complete checkpoint, and the episode log holds at least the episodes it counts."""
    import shutil

    log.flush()
    new, old = (
        checkpoint.with_name(checkpoint.name + ".new"),
        checkpoint.with_name(checkpoint.name + ".old"),
    )
    shutil.rmtree(new, ignore_errors=True)
    student.save(new, curriculum=curriculum)
    if checkpoint.exists():
        os.replace(checkpoint, old)
    os.replace(new, checkpoint)
    shutil.rmtree(old, ignore_errors=True)


def _resume_command(args: argparse.Namespace) -> str:
    import shlex

    words = ["teachgym", "train", "--env", args.env, "--teacher", args.teacher]
    words += ["--student", args.student, "--seed", str(args.seed)]
    for option in ("env_param", "teacher_param", "student_param"):
        for item in getattr(args, option):
            words += [f"--{option.replace('_', '-')}", item]
    words += ["--steps", str(args.steps), "--out", args.out, "--resume"]
    return shlex.join(words)


class _StopRequest:
    """SIGINT / SIGTERM handler: the first asks training to stop at the end of the current
    piece and save; a second stops at once (the last checkpoint stays valid)."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.signum is not None:
            print(f"\nteachgym: {name} again: stopped without saving", file=sys.stderr)
            os._exit(128 + signum)
        self.signum = signum
        print(
            f"\nteachgym: {name}: saving a checkpoint after the current rollout "
            "(send it again to stop at once)",
            file=sys.stderr,
        )


def cmd_train(args: argparse.Namespace) -> None:
    """Train with periodic checkpoints; SIGINT/SIGTERM save and exit 130/143; ``--resume``
    continues the checkpoint of ``--out`` exactly (the episode log included)."""
    from teachgym.bench.suite import teacher_params_on

    _check_train_arguments(args)
    out = Path(args.out)
    checkpoint = out / CHECKPOINT_DIR
    _recover_checkpoint(checkpoint)
    used = [name for name in (RUN_FILE, LOG_FILE, CHECKPOINT_DIR) if (out / name).exists()]
    if used and not args.resume:
        raise TeachgymUsageError(
            f"--out {out} already holds a run ({', '.join(used)}); continue it with --resume, "
            "or train into another --out"
        )
    resuming = args.resume and checkpoint.exists()
    if resuming and (out / RUN_FILE).exists():
        try:
            saved = json.loads((out / RUN_FILE).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorruptStateError(
                f"{out / RUN_FILE} is corrupted ({exc}); restore it or train into another --out"
            ) from None
        differences = _identity_differences(saved if isinstance(saved, dict) else {}, args)
        if differences:
            raise TeachgymUsageError(
                f"--resume: {out} was trained with other settings: {'; '.join(differences)}; "
                "resume with the checkpoint's settings, or train into another --out"
            )
    env_params = parse_params(args.env_param, "environment")
    env_fn = env_factory(args.env, **env_params)
    _check_env_params(env_fn.env_id, env_params)
    probe = env_fn()
    try:
        task_space = env_task_space(probe)
        teacher_params = teacher_params_on(
            probe.unwrapped, args.teacher, parse_params(args.teacher_param, "teacher")
        )
    finally:
        probe.close()
    teacher = make_teacher(args.teacher, task_space, seed=args.seed, **teacher_params)
    student = make_student(
        args.student,
        env_fn,
        seed=args.seed,
        teacher=teacher,
        **parse_params(args.student_param, "student"),
    )
    try:
        _train(args, out, student, teacher, resuming)
    finally:
        student.close()


def _train(
    args: argparse.Namespace, out: Path, student: Student, teacher: Teacher, resuming: bool
) -> None:
    from tqdm import tqdm

    checkpoint = out / CHECKPOINT_DIR
    curriculum_state: dict[str, Any] = {}
    if resuming:
        restored = student.load(checkpoint)
        if restored is not None:
            fresh = json.dumps(teacher.get_params(), default=repr, sort_keys=True)
            kept = json.dumps(restored.get_params(), default=repr, sort_keys=True)
            if restored.name != teacher.name or fresh != kept:
                raise TeachgymUsageError(
                    f"--resume: the checkpoint's teacher is {restored.name!r} with {kept}, the "
                    f"command line asks for {teacher.name!r} with {fresh}; resume with the "
                    "checkpoint's settings, or train into another --out"
                )
            teacher = restored
        curriculum_state = load_curriculum_state(checkpoint) or {}
        print(f"resumed from {checkpoint} at step {student.steps_done}")
    elif args.resume:
        print(f"no checkpoint in {out}: starting fresh")
    curriculum = Curriculum(teacher)
    if curriculum_state:
        try:
            curriculum.load_state_dict(curriculum_state)
        except ValueError as exc:
            raise CorruptStateError(f"{checkpoint} is corrupted ({exc}); delete it") from None
    remaining = max(args.steps - student.steps_done, 0)
    final = student.steps_done + student.rounded_steps(remaining)
    granularity = student.step_granularity
    if final != max(args.steps, student.steps_done):
        print(
            f"note: student {student.describe()} trains in whole rollouts of {granularity} "
            f"steps; --steps {args.steps} becomes {final}"
        )
    every = math.ceil(args.checkpoint_every / granularity) * granularity
    piece = math.ceil(PIECE_STEPS / granularity) * granularity
    out.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k not in ("func", "resume", "quiet")}
    (out / RUN_FILE).write_text(json.dumps(settings, indent=1))
    log = EpisodeLog(out / LOG_FILE, keep=curriculum.episodes_reported)
    if log.kept < curriculum.episodes_reported:
        print(
            f"note: {log.path} holds {log.kept} of the checkpoint's "
            f"{curriculum.episodes_reported} episodes; new episodes continue from index "
            f"{curriculum.episodes_reported}"
        )
    curriculum.listeners.append(log)
    stop = _StopRequest()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    saved_at = student.steps_done if resuming else None
    try:
        with tqdm(total=final, initial=student.steps_done, unit="step", disable=args.quiet) as bar:
            while student.steps_done < final and stop.signum is None:
                next_save = (student.steps_done // every + 1) * every
                steps = min(piece, next_save - student.steps_done, final - student.steps_done)
                student.learn(curriculum, steps, progress=bar.update)
                if student.steps_done >= next_save:
                    _save(student, curriculum, log, checkpoint)
                    saved_at = student.steps_done
        if saved_at != student.steps_done:
            _save(student, curriculum, log, checkpoint)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.close()
    if stop.signum is not None:
        print(
            f"teachgym: interrupted at step {student.steps_done} of {final}; checkpoint saved. "
            f"Resume with: {_resume_command(args)}",
            file=sys.stderr,
        )
        raise SystemExit(128 + stop.signum)
    write_evaluation(student, student.env_fn, out, args.eval_episodes)
    print(f"model and teacher state: {checkpoint}; episode log: {out / LOG_FILE}")


def write_evaluation(
    student: Any, env_fn: Any, out: Path, episodes_per_task: int | None = None
) -> None:
    """Evaluate on the environment's default test set with its mastery rule
    (:func:`teachgym.evaluation.evaluate`) and write ``evaluation.json``."""
    env = env_fn()
    test_set = env.unwrapped.test_set()
    env.close()
    result = evaluate(student, test_set, episodes_per_task=episodes_per_task)
    report = {"test_set": test_set.name, "version": test_set.version, "tasks": test_set.tasks}
    report.update(result.to_dict())
    (out / "evaluation.json").write_text(json.dumps(report))
    summary = (
        f"evaluation on {test_set.name} ({len(test_set)} tasks): "
        f"mean return {result.mean_return:.3f}"
    )
    if result.percent_mastered is not None:
        summary += f", {result.percent_mastered:.1f}% mastered"
    print(summary)


def cmd_bench(args: argparse.Namespace) -> None:
    """Run a suite; arguments are checked first, and Ctrl-C ends with one line (exit 130)."""
    from teachgym.bench.runner import check_runner_arguments

    check_runner_arguments(args.workers, args.backend, args.max_retries)
    if args.reps < 1:
        raise TeachgymUsageError(f"--reps must be >= 1 bootstrap resamples, got {args.reps}")
    try:
        _run_bench(args)
    except KeyboardInterrupt:  # the runner has terminated its workers
        print("interrupted; run the same command again to resume", file=sys.stderr)
        raise SystemExit(INTERRUPTED_EXIT_CODE) from None


def _run_bench(args: argparse.Namespace) -> None:
    from teachgym.bench.report import report_text, write_report
    from teachgym.bench.runner import run_suite
    from teachgym.bench.suite import load_suite

    suite = load_suite(args.suite)
    print(f"suite {suite.name}: {len(suite.runs)} runs -> {args.out}")
    result = run_suite(
        suite,
        args.out,
        workers=args.workers,
        backend=args.backend,
        ray_address=args.ray_address,
        quiet=args.quiet,
        ray_max_retries=args.max_retries,
    )
    print(
        f"{len(result.completed)} runs completed, {len(result.skipped)} already complete "
        f"(skipped), {len(result.failed)} failed; wall time {result.wall_seconds:.1f} s"
        + ("" if result.cpu_seconds is None else f", worker CPU time {result.cpu_seconds:.1f} s")
    )
    for run_id, error in result.failed.items():
        print(f"  FAILED {run_id}: {error}  (see {Path(args.out) / run_id / 'error.json'})")
    if not args.no_report:
        report = write_report(args.out, reps=args.reps)
        print(report_text(report))
        print(f"report: {report.html}  (also {report.markdown.name} and figures there)")
    else:
        print(f"make the report with: teachgym report {args.out}")
    if result.failed:
        raise SystemExit(1)


def cmd_report(args: argparse.Namespace) -> None:
    from teachgym.bench.report import report_text, write_report

    report = write_report(args.directory, reps=args.reps)
    print(report_text(report))
    print(f"report: {report.html}  (also {report.markdown.name} and figures there)")


def cmd_train_vae(args: argparse.Namespace) -> None:
    """CLUTR's stage one: a recurrent VAE of the environment's random levels."""
    from teachgym.teachers.clutr_vae import HELD_OUT_TASKS, fit_and_save

    env = env_factory(args.env)()
    try:
        task_space = env_task_space(env)
    finally:
        env.close()
    try:
        measured = fit_and_save(
            task_space, args.steps, args.out, seed=args.seed, quiet=args.quiet,
            batch_size=args.batch_size, max_walls=args.max_walls,
        )  # fmt: skip
    except ValueError as exc:
        raise TeachgymUsageError(f"train-vae: {exc}") from None
    figures = ", ".join(f"{name} {value:.3f}" for name, value in measured.items())
    print(f"VAE saved to {Path(args.out).with_suffix('.json')}")
    print(f"reconstruction of {HELD_OUT_TASKS} held-out random tasks: {figures}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="teachgym", description=teachgym.__doc__)
    parser.add_argument("--version", action="version", version=teachgym.__version__)
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback of every error"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="environments, teachers and students").set_defaults(func=cmd_list)
    train = sub.add_parser("train", help="train one student with one teacher")
    train.add_argument("--env", default="teachgym/LearnabilityGrid-v0")
    train.add_argument("--env-param", action="append", default=[], metavar="KEY=VALUE")
    train.add_argument("--teacher", default="random")
    train.add_argument("--teacher-param", action="append", default=[], metavar="KEY=VALUE")
    train.add_argument("--student", default="simulated")
    train.add_argument("--student-param", action="append", default=[], metavar="KEY=VALUE")
    train.add_argument("--steps", type=int, default=20_000, help="total environment steps")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default="runs/train")
    train.add_argument(
        "--eval-episodes",
        type=int,
        default=None,
        help="evaluation episodes per test task at the end (default: the environment's)",
    )
    train.add_argument(
        "--checkpoint-every",
        type=int,
        default=CHECKPOINT_EVERY,
        help="steps between two checkpoints (rounded up to whole rollouts)",
    )
    train.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(func=cmd_train)
    bench = sub.add_parser("bench", help="run a benchmark suite (preset or YAML file)")
    bench.add_argument(
        "suite",
        help="preset (demo, skills, quick, parkour-quick, web, standard, paper) or a YAML file",
    )
    bench.add_argument("--out", required=True, help="benchmark directory (re-run to resume)")
    bench.add_argument("--workers", type=int, default=1, help="runs at a time")
    bench.add_argument("--backend", choices=["local", "ray"], default="local")
    bench.add_argument(
        "--ray-address", default=None, help="Ray cluster address (default: start a local Ray)"
    )
    bench.add_argument(
        "--max-retries",
        type=int,
        default=3,
        help="Ray: times a run whose worker died is retried (from its last commit)",
    )
    bench.add_argument("--no-report", action="store_true", help="skip the report at the end")
    bench.add_argument("--reps", type=int, default=1000, help="bootstrap resamples (report)")
    bench.add_argument("--quiet", action="store_true", help="no progress bars")
    bench.set_defaults(func=cmd_bench)
    vae = sub.add_parser("train-vae", help="train CLUTR's level VAE (teacher clutr, vae=OUT)")
    vae.add_argument("--env", required=True, help="environment whose task space to learn")
    vae.add_argument("--out", required=True, help="file stem: writes OUT.json and OUT.npz")
    vae.add_argument("--steps", type=int, default=2000, help="Adam steps (batches)")
    vae.add_argument("--batch-size", type=int, default=64, help="random tasks per batch")
    vae.add_argument("--max-walls", type=int, default=None, help="wall tokens (mazes; 50)")
    vae.add_argument("--seed", type=int, default=0)
    vae.add_argument("--quiet", action="store_true", help="no progress bar")
    vae.set_defaults(func=cmd_train_vae)
    report = sub.add_parser("report", help="tables, statistics and figures of a benchmark")
    report.add_argument("directory", help="the --out directory of `teachgym bench`")
    report.add_argument("--reps", type=int, default=1000, help="bootstrap resamples")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 2 on a usage error (argparse exits 2 by itself)."""
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "steps", 1) < 0:
            raise TeachgymUsageError("--steps must be >= 0")
        args.func(args)
    except TeachgymUsageError as exc:
        if args.debug:
            traceback.print_exc()
        message = " ".join(str(exc).split())
        print(f"teachgym: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
