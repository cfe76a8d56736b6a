"""Bandit teachers against random on the discrete learnability grid: % mastered with 95 % CIs.

Trains a simulated student on ``teachgym/LearnabilityGridDiscrete-v0`` (the 2-D grid
of 10 x 10 cells as one categorical parameter ``cell``, its 100 choices in no order a
teacher can see; docs/references.md [portelas2019]) with ``random`` and every bandit
teacher, one arm per cell, for ``--episodes`` one-step episodes and ``--seeds`` seeds.
DUMP and SEC run with ``signal="return"`` (the simulated student has no advantages);
ALP-GMM, for its cost beside the bandits' in the same run, with the cell's index as an
ordinal dimension (``categorical_encoding="ordinal"``).
Prints, per teacher, the final % of mastered cells: mean and IQM with 95 % stratified
bootstrap confidence intervals (rliable, Agarwal et al. 2021, docs/references.md
[agarwal2021]), the per-seed values, and the teacher's own CPU time per episode.

    OMP_NUM_THREADS=1 python benchmarks/bandit_teachers.py [--episodes 20000]
        [--seeds 10] [--workers 2] [--teachers random tscl ...]
"""

from __future__ import annotations

import argparse
import functools
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "random": ("random", {}),
    "tscl-sampling": ("tscl", {"preset": "sampling"}),
    "tscl-online": ("tscl", {"preset": "online"}),
    "tscl-naive": ("tscl", {"preset": "naive"}),
    "tscl-window": ("tscl", {"preset": "window"}),
    "exp3s": ("exp3s", {}),
    "dump": ("dump", {"signal": "return"}),
    "sec": ("sec", {"signal": "return"}),
    "alp-gmm-ordinal": ("alp-gmm", {"categorical_encoding": "ordinal"}),
}
"""Row label -> (registered teacher, hyperparameters)."""


@dataclass(frozen=True)
class RunResult:
    label: str
    seed: int
    mastered: float
    """% of the 100 cells mastered after the last episode."""
    teacher_seconds: float
    episodes: int

    @property
    def ms_per_episode(self) -> float:
        return 1e3 * self.teacher_seconds / self.episodes


def run_one(label: str, seed: int, episodes: int) -> RunResult:
    """One teacher training one fresh simulated student on the discrete grid."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from teachgym.agents.simulated import SimulatedStudent
    from teachgym.curriculum import Curriculum
    from teachgym.envs.learnability_grid import LearnabilityGridEnv
    from teachgym.teachers import make_teacher
    from teachgym.teachers.timing import TeacherTimer

    student = SimulatedStudent(
        functools.partial(LearnabilityGridEnv, task_kind="categorical"), seed=seed
    )
    name, hyperparameters = CONFIGS[label]
    teacher = make_teacher(name, student.grid.task_space, seed=seed, **hyperparameters)
    timer = TeacherTimer(teacher, clock=time.thread_time)
    student.learn(Curriculum(teacher), episodes)
    return RunResult(label, seed, student.table.score(), timer.seconds, episodes)


def run_all(labels: list[str], episodes: int, seeds: int, workers: int) -> list[RunResult]:
    jobs = [(label, seed, episodes) for label in labels for seed in range(seeds)]
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, *job) for job in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            print(
                f"[{done}/{len(jobs)}] {result.label} seed {result.seed}: "
                f"{result.mastered:.1f} % mastered",
                flush=True,
            )
    return results


def intervals(scores: dict[str, np.ndarray], reps: int, seed: int) -> tuple[Any, Any]:
    """rliable's mean and IQM with 95 % bootstrap intervals, per label."""
    from rliable import library, metrics

    def aggregates(matrix: np.ndarray) -> np.ndarray:
        return np.array([metrics.aggregate_mean(matrix), metrics.aggregate_iqm(matrix)])

    saved = np.random.get_state()
    np.random.seed(seed)  # rliable draws its resampling indices from the global generator
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning)
            return library.get_interval_estimates(
                scores, aggregates, reps=reps, random_state=np.random.RandomState(seed)
            )
    finally:
        np.random.set_state(saved)


def report(results: list[RunResult], labels: list[str], episodes: int, reps: int) -> None:
    scores = {
        label: np.array([r.mastered for r in results if r.label == label])[:, None]
        for label in labels
    }
    point, interval = intervals(scores, reps, seed=0)
    seeds = len(scores[labels[0]])
    print(f"\n== discrete learnability grid (100 cells), {episodes:,} episodes, {seeds} seeds ==")
    print("% mastered: mean [95% CI], IQM [95% CI]; teacher CPU ms/episode (median)")
    for label in sorted(labels, key=lambda lab: -point[lab][0]):
        low, high = interval[label][0], interval[label][1]
        runs = sorted((r for r in results if r.label == label), key=lambda r: r.seed)
        ms = float(np.median([r.ms_per_episode for r in runs]))
        print(
            f"  {label:>15}: mean {point[label][0]:5.1f} [{low[0]:5.1f}, {high[0]:5.1f}]"
            f"  IQM {point[label][1]:5.1f} [{low[1]:5.1f}, {high[1]:5.1f}]  {ms:.3f} ms"
        )
        print(f"  {'':>15}  seeds [{' '.join(f'{r.mastered:.0f}' for r in runs)}]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--reps", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument(
        "--teachers", nargs="+", default=list(CONFIGS), choices=list(CONFIGS), metavar="LABEL"
    )
    args = parser.parse_args(argv)
    if min(args.episodes, args.seeds, args.workers, args.reps) < 1:
        parser.error("--episodes, --seeds, --workers and --reps must be >= 1")
    start = time.perf_counter()
    results = run_all(args.teachers, args.episodes, args.seeds, args.workers)
    report(results, args.teachers, args.episodes, args.reps)
    print(f"\nwall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
