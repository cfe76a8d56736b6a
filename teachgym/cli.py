"""The ``teachgym`` command: ``list``, ``train``, ``bench`` and ``report``.

User mistakes (:class:`~teachgym.errors.TeachgymUsageError`: unknown environment,
teacher or student, bad hyperparameter, invalid task, corrupted checkpoint) and
command-line syntax errors end with one clear line on stderr and exit code 2.
Every other exception is a bug and keeps its traceback; ``--debug`` shows the
traceback of usage errors too.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import teachgym
from teachgym.agents import make_student, student_names
from teachgym.curriculum import Curriculum
from teachgym.envs import env_catalog, env_factory
from teachgym.episode_log import EpisodeLog
from teachgym.errors import TeachgymUsageError
from teachgym.evaluation import evaluate as evaluate_on_test_set
from teachgym.teachers import make_teacher, teacher_hyperparameters, teacher_names

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


def cmd_list(args: argparse.Namespace) -> None:
    print("Environments:")
    for info in env_catalog():
        print(f"  {info.env_id}\n    {info.summary}")
        for line in info.env_class.task_space.describe():
            print(f"      {line}")
    print("Teachers:")
    for name in teacher_names():
        hyper = teacher_hyperparameters(name)
        params = ", ".join(f"{k}={v!r}" for k, v in hyper.items() if k != "seed")
        print(f"  {name}({params})")
    print("Students:")
    print("  " + ", ".join(student_names()))


def env_task_space(env: Any) -> Any:
    """The task space of a (possibly wrapped) teachgym environment."""
    space = getattr(env.unwrapped, "task_space", None)
    if space is None:
        raise TeachgymUsageError(
            f"{env.unwrapped} is not a teachgym environment (it has no task_space)"
        )
    return space


def cmd_train(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from teachgym.bench.suite import teacher_params_on

    out = Path(args.out)
    env_fn = env_factory(args.env, **parse_params(args.env_param, "environment"))
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
    checkpoint = out / CHECKPOINT_DIR
    if args.resume and checkpoint.exists():
        restored = student.load(checkpoint)
        if restored is not None:
            teacher = restored
        print(f"resumed from {checkpoint} at step {student.steps_done}")
    log = EpisodeLog(out / "episodes.jsonl")
    curriculum = Curriculum(teacher, listeners=[log])
    remaining = max(args.steps - student.steps_done, 0)
    out.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k != "func"}
    (out / "run.json").write_text(json.dumps(settings, indent=1))
    try:
        with tqdm(
            total=args.steps, initial=student.steps_done, unit="step", disable=args.quiet
        ) as bar:
            student.learn(curriculum, remaining, progress=bar.update)
    finally:
        log.close()
    student.save(checkpoint, teacher)
    evaluate(student, env_fn, out, args.eval_episodes)
    print(f"model and teacher state: {checkpoint}; episode log: {out / 'episodes.jsonl'}")


def evaluate(student: Any, env_fn: Any, out: Path, episodes_per_task: int | None = None) -> None:
    """Evaluate on the environment's default test set with its mastery rule
    (:func:`teachgym.evaluation.evaluate`) and write ``evaluation.json``."""
    env = env_fn()
    test_set = env.unwrapped.test_set()
    env.close()
    result = evaluate_on_test_set(student, test_set, episodes_per_task=episodes_per_task)
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
    from teachgym.bench.report import leaderboard_text, write_report
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
        print(leaderboard_text(report.leaderboard))
        print(f"report: {report.html}  (also {report.markdown.name} and figures there)")
    else:
        print(f"make the report with: teachgym report {args.out}")
    if result.failed:
        raise SystemExit(1)


def cmd_report(args: argparse.Namespace) -> None:
    from teachgym.bench.report import leaderboard_text, write_report

    report = write_report(args.directory, reps=args.reps)
    print(leaderboard_text(report.leaderboard))
    print(f"report: {report.html}  (also {report.markdown.name} and figures there)")


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
    train.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(func=cmd_train)
    bench = sub.add_parser("bench", help="run a benchmark suite (preset or YAML file)")
    bench.add_argument("suite", help="preset (demo, quick, standard, paper) or a YAML file")
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
