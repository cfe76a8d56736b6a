"""Speed of the MiniGrid family against minigrid's own DoorKey-8x8, side by side.

Prints random-action steps per second of every teachgym MiniGrid id next to
``MiniGrid-DoorKey-8x8-v0`` measured in the same round (ratio = case / reference),
and the mean reset (generation) time of 13 x 13 mazes in ms.
Run on one core: ``OMP_NUM_THREADS=1 python benchmarks/minigrid_speed.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import gymnasium as gym
import minigrid  # noqa: F401  (registers MiniGrid-DoorKey-8x8-v0)
import numpy as np

import teachgym.envs  # noqa: F401  (registers the teachgym ids)
from teachgym.envs.gridworlds import HELD_OUT_MAZES, random_maze_task
from teachgym.envs.gridworlds.world import LADDER

REFERENCE_ID = "MiniGrid-DoorKey-8x8-v0"
CASES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("DoorKey size 8", "teachgym/DoorKey-v0", {"size": 8}),
    ("MiniGridWorld ladder[4]", "teachgym/MiniGridWorld-v0", LADDER[4]),
    ("MiniGridWorld hardest", "teachgym/MiniGridWorld-v0", LADDER[-1]),
    ("Maze random 60 blocks", "teachgym/Maze-v0", None),
    ("KeyCorridor S3R3", "teachgym/KeyCorridor-v0", {"num_rows": 3, "room_size": 3}),
    ("MultiRoom N4-S5", "teachgym/MultiRoom-v0", {"num_rooms": 4, "max_room_size": 5}),
    ("ObstructedMaze 1Dlhb", "teachgym/ObstructedMaze-v0", {"variant": "1Dlhb"}),
]


def steps_per_second(env_id: str, task: dict[str, Any] | None, steps: int, seed: int) -> float:
    """Random-action steps per second (resets included) of ``gym.make(env_id)``."""
    rng = np.random.default_rng(seed)
    kwargs: dict[str, Any] = {} if task is None else {"task": task}
    if env_id == "teachgym/Maze-v0":
        kwargs = {"task": random_maze_task(rng, 60)}
    env = gym.make(env_id, **kwargs)
    env.reset(seed=seed)
    actions = rng.integers(0, env.action_space.n, size=steps)  # type: ignore[attr-defined]
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(int(action))
        if terminated or truncated:
            env.reset()
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed


def maze_reset_ms(resets: int, seed: int) -> float:
    """Mean reset time (ms) of Maze-v0 over random 25/60-block and held-out mazes."""
    rng = np.random.default_rng(seed)
    tasks = [random_maze_task(rng, blocks) for blocks in (25, 60) for _ in range(50)]
    tasks += list(HELD_OUT_MAZES.values())
    env = gym.make("teachgym/Maze-v0")
    env.reset(seed=seed)
    start = time.perf_counter()
    for k in range(resets):
        env.reset(options={"task": tasks[k % len(tasks)]})
    return 1e3 * (time.perf_counter() - start) / resets


def reference_reset_ms(resets: int, seed: int) -> float:
    """Mean reset time (ms) of minigrid's DoorKey-8x8, for comparison."""
    env = gym.make(REFERENCE_ID)
    env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(resets):
        env.reset()
    return 1e3 * (time.perf_counter() - start) / resets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="steps per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median ratio reported)")
    parser.add_argument("--resets", type=int, default=2_000, help="maze resets to time")
    args = parser.parse_args(argv)
    print(f"random-action steps/s, {args.steps} steps, {args.rounds} rounds; each case is")
    print(f"measured right after {REFERENCE_ID} (same round), ratio = case / reference\n")
    print(f"{'case':28s} {'steps/s':>9s} {'reference':>10s} {'ratio':>6s}")
    for name, env_id, task in CASES:
        ratios, speeds, references = [], [], []
        for r in range(args.rounds):
            reference = steps_per_second(REFERENCE_ID, None, args.steps, seed=r)
            speed = steps_per_second(env_id, task, args.steps, seed=r)
            ratios.append(speed / reference)
            speeds.append(speed)
            references.append(reference)
        print(
            f"{name:28s} {statistics.median(speeds):9.0f} {statistics.median(references):10.0f} "
            f"{statistics.median(ratios):6.2f}"
        )
    maze = maze_reset_ms(args.resets, seed=0)
    reference = reference_reset_ms(args.resets, seed=0)
    print(f"\nMaze-v0 reset: {maze:.3f} ms; {REFERENCE_ID} reset: {reference:.3f} ms")


if __name__ == "__main__":
    main()
