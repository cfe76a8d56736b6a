"""Level buffer speed: the teacher-side cost of one replayed and one new level.

Run ``OMP_NUM_THREADS=1 python benchmarks/level_buffer_speed.py`` (one core).
For each capacity, a full buffer of maze levels (the published maze β 0.1 and
staleness 0.3, [jiang2021rplr]) goes through cycles of: draw a replay, record its
score, then offer a new level (which replaces the lowest-support member when it
scores higher). It prints microseconds per cycle, the buffer's share of the
per-episode teacher cost.

Options: ``--capacities`` (default 256 1000 4000), ``--cycles`` per capacity (default 3000).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from teachgym.envs.gridworlds.maze import random_maze_task
from teachgym.tasks import LEVEL_SEED
from teachgym.teachers.level_buffer import LevelBuffer

Cycles = Callable[[], int]
"""Runs the cycles; returns how many new levels the buffer admitted."""


def full_buffer(capacity: int, cycles: int, seed: int = 0) -> tuple[LevelBuffer, Cycles]:
    """A buffer filled to ``capacity`` and the ``cycles`` to run on it (not yet run)."""
    buffer = LevelBuffer(capacity, temperature=0.1, staleness_coef=0.3)
    rng = np.random.default_rng(seed)
    levels = [{**random_maze_task(rng, 25), LEVEL_SEED: i} for i in range(capacity + cycles)]
    scores = rng.random(capacity + 2 * cycles)
    for i in range(capacity):
        buffer.tick()
        buffer.try_insert(levels[i], float(scores[i]), 0.0)

    def run() -> int:
        admitted = 0
        for k in range(cycles):
            buffer.tick()
            replay = buffer.sample_replay(rng)
            index = buffer.index_of(replay)
            assert index is not None
            buffer.record(index, float(scores[capacity + 2 * k]), 0.0)
            buffer.tick()
            new = levels[capacity + k]
            admitted += buffer.try_insert(new, float(scores[capacity + 2 * k + 1]), 0.0)
        return admitted

    return buffer, run


def microseconds_per_cycle(capacity: int, cycles: int, seed: int = 0) -> float:
    """Mean wall time (µs) of one replay draw + score record + new-level offer."""
    _, run = full_buffer(capacity, cycles, seed)
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) / cycles * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--capacities", type=int, nargs="+", default=[256, 1000, 4000])
    parser.add_argument("--cycles", type=int, default=3000)
    args = parser.parse_args(argv)
    for capacity in args.capacities:
        cost = microseconds_per_cycle(capacity, args.cycles)
        print(f"capacity {capacity:>5}: {cost:7.1f} µs per replay + new level", flush=True)


if __name__ == "__main__":
    main()
