"""Local-pool scaling: 8 equal runs with 1 worker, then with 2, measured side by side.

Target (issue 9): two local workers finish the 8 runs in at most 0.55 x the time of
one worker. The runs are RIAC on the learnability grid (simulated students, seeds
0..7, same budget), so they cost the same. Wall times on a shared machine are noisy:
the script prints the CPU time of the workers and the load average beside them.

    OMP_NUM_THREADS=1 python -m teachgym.benchmarks.scaling [--budget 6000] [--repeats 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from teachgym.benchmarks.runner import run_suite
from teachgym.benchmarks.suite import Suite, parse_suite
from teachgym.benchmarks.targets import WORKER_RATIO, machine_load, verdict


def equal_runs(budget: int) -> Suite:
    """8 runs of equal cost: RIAC on the 10 x 10 grid, seeds 0..7."""
    return parse_suite(
        {
            "name": "scaling",
            "envs": ["teachgym/LearnabilityGrid-v0"],
            "teachers": ["riac"],
            "students": ["simulated"],
            "seeds": 8,
            "budget": budget,
            "evaluation": {"every": max(budget // 4, 1)},
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=6000, help="episodes per run")
    parser.add_argument("--repeats", type=int, default=1, help="1-then-2-worker rounds")
    args = parser.parse_args()
    suite = equal_runs(args.budget)
    ratios = []
    for round_index in range(args.repeats):
        times = {}
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as out:
                result = run_suite(suite, Path(out), workers=workers, quiet=True)
            if result.failed:
                raise SystemExit(f"runs failed: {result.failed}")
            times[workers] = result.wall_seconds
            print(
                f"round {round_index + 1}: {workers} worker(s): 8 runs in "
                f"{result.wall_seconds:.1f} s wall, {result.cpu_seconds:.1f} s worker CPU "
                f"({machine_load()})"
            )
        ratios.append(times[2] / times[1])
    best = min(ratios)
    print(
        f"target: 2 workers <= {WORKER_RATIO} x 1 worker -> ratios "
        f"{', '.join(f'{r:.2f}' for r in ratios)} (best {best:.2f}): "
        f"{verdict(best <= WORKER_RATIO)}"
    )


if __name__ == "__main__":
    main()
