"""Long-run soak: does a teacher's cost or memory grow with the length of its history?

Every registered teacher that works on a continuous task space teaches the 2-D
learnability grid (10 x 10 cells, a simulated student) for ``--episodes`` one-step
episodes, one teacher per process. At 10k, 100k and 1M episodes of history the
script prints the teacher's CPU time per episode (sample + update, mean over the
last ``--window`` episodes), the process's resident memory and the size of the
teacher's saved state. A cost or a state size that keeps rising from 100k to 1M
episodes is a teacher without a bound on its history.

    OMP_NUM_THREADS=1 python benchmarks/soak.py --episodes 1000000 --workers 2

Teachers that need a score get ``|return - 0.5|`` (a stand-in with the right type:
the soak measures cost, not learning).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHECKPOINTS = (10_000, 100_000, 1_000_000)
TEACHERS = (
    "random",
    "alp-gmm",
    "covar-gmm",
    "riac",
    "plr",
    "robust-plr",
    "paired",
    "llm-curriculum",
)


@dataclass
class Point:
    """One checkpoint of one teacher's soak."""

    teacher: str
    episodes: int
    ms_per_episode: float
    rss_mb: float
    state_kb: float


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _state_kb(teacher: object) -> float:
    from teachgym.teachers import save_teacher

    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "teacher"
        save_teacher(teacher, stem)  # type: ignore[arg-type]
        return sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1024


def soak(teacher_name: str, episodes: int, window: int, seed: int) -> list[Point]:
    """Run one teacher for ``episodes`` episodes; a :class:`Point` at each checkpoint."""
    from teachgym.agents.simulated import CompetenceTable
    from teachgym.envs.learnability_grid import LearnabilityGridEnv
    from teachgym.teachers import Outcome, make_teacher

    student = CompetenceTable(2, 10)
    env = LearnabilityGridEnv(dims=2, cells_per_dim=10, competence=student.values)
    env.reset(seed=seed)
    params = (
        {"return_bounds": env.return_bounds}
        if teacher_name in ("alp-gmm", "covar-gmm", "riac")
        else {}
    )
    teacher = make_teacher(teacher_name, env.task_space, seed=seed, **params)
    needs_score = teacher.requires_score
    clock = time.thread_time
    recent: list[float] = []
    points = []
    for episode in range(1, episodes + 1):
        start = clock()
        task = teacher.sample()
        spent = clock() - start
        _, info = env.reset(options={"task": task})
        student.practice(info["cell"])
        _, reward, _, _, _ = env.step(0)
        score = abs(float(reward) - 0.5) if needs_score else None
        start = clock()
        teacher.update(task, Outcome(float(reward), score=score))
        recent.append(spent + clock() - start)
        if len(recent) > window:
            recent.pop(0)
        if episode in CHECKPOINTS or episode == episodes:
            points.append(
                Point(
                    teacher_name,
                    episode,
                    1e3 * sum(recent) / len(recent),
                    _rss_mb(),
                    _state_kb(teacher),
                )
            )
            print(
                f"{teacher_name:>15} {episode:>9,} episodes: {points[-1].ms_per_episode:.3f} ms "
                f"per episode, {points[-1].rss_mb:.0f} MB resident, "
                f"{points[-1].state_kb:.0f} kB saved state",
                flush=True,
            )
    return points


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--window", type=int, default=1_000, help="episodes per time figure")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--teachers", nargs="+", default=list(TEACHERS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.window < 1 or args.workers < 1:
        parser.error("--episodes, --window and --workers must be >= 1")
    # One process per teacher, so resident memory is that teacher's alone.
    with ProcessPoolExecutor(args.workers, max_tasks_per_child=1) as pool:
        futures = [
            pool.submit(soak, name, args.episodes, args.window, args.seed) for name in args.teachers
        ]
        results = [f.result() for f in futures]
    print("\n| teacher | episodes | ms per episode | resident MB | saved state kB |")
    print("|---|---|---|---|---|")
    for points in results:
        for p in points:
            print(
                f"| {p.teacher} | {p.episodes:,} | {p.ms_per_episode:.3f} | {p.rss_mb:.0f} | "
                f"{p.state_kb:.0f} |"
            )


if __name__ == "__main__":
    main()
