"""Local-pool scaling: 8 equal runs with 1 worker, then with 2, measured side by side.

Measures the time two local workers take to finish the 8 runs relative to the time of
one worker. The runs are RIAC on the learnability grid (simulated students, seeds
0..7, same budget), so they cost the same. Wall times on a shared machine are noisy:
the script prints the CPU time of the workers, the load average, and a control: the
same ratio for two pure-CPU loops, i.e. the best ratio the machine allows right then.

    OMP_NUM_THREADS=1 python benchmarks/scaling.py [--budget 6000] [--repeats 1]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path

from machine import machine_load

from teachgym.bench.runner import run_suite
from teachgym.bench.suite import Suite, parse_suite


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


def _spin(iterations: int = 4_000_000) -> int:
    total = 0
    for i in range(iterations):
        total += i * i
    return total


def control_ratio() -> float:
    """Wall time of 2 pure-CPU loops in 2 processes / the same 2 loops one after the other.

    About 0.5 on two idle cores; near 1.0 when other work leaves only one core free.
    It is the best ratio the machine allows at that moment.
    """
    context = multiprocessing.get_context("fork")
    started = time.monotonic()
    for _ in range(2):
        process = context.Process(target=_spin)
        process.start()
        process.join()
    sequential = time.monotonic() - started
    started = time.monotonic()
    processes = [context.Process(target=_spin) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return (time.monotonic() - started) / sequential


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=6000, help="episodes per run")
    parser.add_argument("--repeats", type=int, default=1, help="1-then-2-worker rounds")
    args = parser.parse_args(argv)
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
        print(
            f"round {round_index + 1}: control (2 pure-CPU loops, parallel / sequential): "
            f"{control_ratio():.2f} = the best ratio this machine allows right now"
        )
    best = min(ratios)
    print(
        f"2 workers / 1 worker wall time: ratios "
        f"{', '.join(f'{r:.2f}' for r in ratios)} (best {best:.2f})"
    )


if __name__ == "__main__":
    main()
