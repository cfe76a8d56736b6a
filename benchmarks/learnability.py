"""Learning-progress teachers on the learnability grid: % mastered and teacher time.

Runs ``random``, ``alp-gmm``, ``covar-gmm`` and ``riac`` training a simulated
student on ``teachgym/LearnabilityGrid-v0`` (docs/references.md [portelas2019]):
the 2-D grid with 10 cells per dimension and the 5-D grid with 4 cells per
dimension, 20,000 episodes, 5 seeds each. Prints the mean % of mastered cells
every 1,000 episodes, the teacher's own time per episode (sample + update, fits
included: total teacher CPU time / episodes, median over seeds), and saves a PNG
of the curves.

    OMP_NUM_THREADS=1 python benchmarks/learnability.py [--episodes N]
        [--seeds S] [--workers W] [--score-every 1000] [--out learnability.png]
        [--teachers random alp-gmm ...]

Other registered teachers (``--teachers``, e.g. ``webrl``) get the grid's return bounds
when they take them and what suites give them (``teacher_params_on``).

Reference figures measured with the reference code (2-D, 20,000 episodes): random
4.3, ALP-GMM 36.7, RIAC 49.7, Covar-GMM 70.7 % mastered; ALP-GMM about 22 ms of
teacher time per episode, RIAC and Covar-GMM about 2 ms.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TEACHERS = ("random", "alp-gmm", "covar-gmm", "riac")
GRIDS = ((2, 10), (5, 4))
"""(dimensions, cells per dimension)."""
REFERENCE_2D = {"random": 4.3, "alp-gmm": 36.7, "riac": 49.7, "covar-gmm": 70.7}
"""% mastered after 20,000 episodes on the 2-D grid with the reference code [portelas2019]."""
SCORE_EVERY = 1000


@dataclass(frozen=True)
class RunResult:
    teacher: str
    dims: int
    cells: int
    seed: int
    scores: list[float]
    """% mastered at episodes 0, score_every, 2 * score_every, ..."""
    teacher_seconds: float
    episodes: int

    @property
    def ms_per_episode(self) -> float:
        return 1e3 * self.teacher_seconds / self.episodes


def run_one(
    teacher_name: str, dims: int, cells: int, seed: int, episodes: int, score_every: int
) -> RunResult:
    """One teacher training one fresh simulated student for ``episodes`` one-step episodes."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from teachgym.agents.simulated import SimulatedStudent
    from teachgym.bench.suite import teacher_params_on
    from teachgym.curriculum import Curriculum
    from teachgym.envs.learnability_grid import LearnabilityGridEnv
    from teachgym.teachers import make_teacher, teacher_hyperparameters
    from teachgym.teachers.timing import TeacherTimer

    student = SimulatedStudent(
        functools.partial(LearnabilityGridEnv, dims=dims, cells_per_dim=cells), seed=seed
    )
    takes_bounds = "return_bounds" in teacher_hyperparameters(teacher_name)
    hyperparameters = teacher_params_on(
        student.grid,
        teacher_name,
        {"return_bounds": student.grid.return_bounds} if takes_bounds else {},
    )
    teacher = make_teacher(teacher_name, student.grid.task_space, seed=seed, **hyperparameters)
    # CPU time of this thread: the teacher is single-threaded (fits run with one BLAS/OpenMP
    # thread), and other processes on a busy machine do not inflate it as wall time would.
    timer = TeacherTimer(teacher, clock=time.thread_time)
    curriculum = Curriculum(teacher)
    scores = [student.table.score()]
    for _ in range(episodes // score_every):
        student.learn(curriculum, score_every)
        scores.append(student.table.score())
    teacher_seconds = timer.seconds
    return RunResult(teacher_name, dims, cells, seed, scores, teacher_seconds, episodes)


def run_all(
    episodes: int, seeds: int, workers: int, score_every: int, teachers: tuple[str, ...] = TEACHERS
) -> list[RunResult]:
    jobs = [
        (teacher, dims, cells, seed, episodes, score_every)
        for dims, cells in GRIDS
        for teacher in teachers
        for seed in range(seeds)
    ]
    # Longest jobs first keeps both workers busy until the end.
    jobs.sort(key=lambda job: job[0] == "random")
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, *job) for job in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            print(
                f"[{done}/{len(jobs)}] {result.teacher} {result.dims}-D seed {result.seed}: "
                f"{result.scores[-1]:.1f} % mastered, {result.ms_per_episode:.3f} ms/episode",
                flush=True,
            )
    return results


def report(
    results: list[RunResult], episodes: int, score_every: int, teachers: tuple[str, ...] = TEACHERS
) -> None:
    for dims, cells in GRIDS:
        grid = [r for r in results if (r.dims, r.cells) == (dims, cells)]
        print(f"\n== {dims}-D grid, {cells} cells per dimension ({cells**dims} cells) ==")
        checkpoints = list(range(0, episodes + 1, score_every))
        print(f"% mastered (mean over seeds) every {score_every:,} episodes:")
        print(f"{'episodes':>9} " + " ".join(f"{t:>10}" for t in teachers))
        means = {t: np.mean([r.scores for r in grid if r.teacher == t], axis=0) for t in teachers}
        for i, episode in enumerate(checkpoints):
            print(f"{episode:>9} " + " ".join(f"{means[t][i]:>10.1f}" for t in teachers))
        print("final % mastered per seed, and teacher time per episode (median over seeds):")
        for t in teachers:
            runs = sorted((r for r in grid if r.teacher == t), key=lambda r: r.seed)
            finals = " ".join(f"{r.scores[-1]:5.1f}" for r in runs)
            ms = float(np.median([r.ms_per_episode for r in runs]))
            reference = REFERENCE_2D.get(t) if dims == 2 and episodes == 20_000 else None
            note = "" if reference is None else f"  (reference code: {reference})"
            print(
                f"  {t:>10}: mean {means[t][-1]:5.1f}  seeds [{finals}]  {ms:.3f} ms/episode{note}"
            )


def plot(
    results: list[RunResult],
    episodes: int,
    score_every: int,
    path: Path,
    teachers: tuple[str, ...] = TEACHERS,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(GRIDS), figsize=(11, 4.2))
    x = np.arange(0, episodes + 1, score_every) / 1000
    for axis, (dims, cells) in zip(axes, GRIDS, strict=True):
        for teacher in teachers:
            runs = np.array(
                [
                    r.scores
                    for r in results
                    if (r.dims, r.cells, r.teacher) == (dims, cells, teacher)
                ]
            )
            mean, std = runs.mean(axis=0), runs.std(axis=0)
            (line,) = axis.plot(x, mean, label=teacher, linewidth=2)
            axis.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.2)
        axis.set_title(f"learnability grid {dims}-D, {cells} cells/dim ({len(runs)} seeds)")
        axis.set_xlabel("episodes (x1000)")
        axis.set_ylabel("% cells mastered")
        axis.set_ylim(0, 100)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument(
        "--score-every",
        type=int,
        default=SCORE_EVERY,
        help="episodes between two %% mastered figures",
    )
    parser.add_argument("--out", type=Path, default=Path("learnability.png"), help="PNG path")
    parser.add_argument("--teachers", nargs="+", default=list(TEACHERS), help="teacher names")
    args = parser.parse_args(argv)
    teachers = tuple(args.teachers)
    if (
        args.score_every < 1
        or args.episodes < args.score_every
        or args.episodes % args.score_every
        or min(args.seeds, args.workers) < 1
    ):
        parser.error(
            "need --score-every >= 1, --episodes a multiple of --score-every, "
            "--seeds >= 1, --workers >= 1"
        )
    start = time.perf_counter()
    results = run_all(args.episodes, args.seeds, args.workers, args.score_every, teachers)
    report(results, args.episodes, args.score_every, teachers)
    plot(results, args.episodes, args.score_every, args.out, teachers)
    print(f"\nplot saved to {args.out}; wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
