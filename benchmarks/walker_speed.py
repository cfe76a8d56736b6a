"""Walker speed: steps per second with random actions, and terrain generation time.

Run ``OMP_NUM_THREADS=1 python benchmarks/walker_speed.py`` (one core).
Every configuration runs the same number of steps with pre-drawn random actions,
resetting when an episode ends; rounds are interleaved so that Gymnasium's
``BipedalWalker-v3`` and the teachgym walkers see the same machine load, and the
median round is reported with its ratio to Gymnasium's; so is the terrain generation
time at reset.

Options: ``--steps N`` per round (default 4000), ``--rounds R`` (default 3), ``--resets K``
resets per reset figure (default 200).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import gymnasium as gym
import numpy as np

import teachgym.envs  # noqa: F401  (registers the ids)

REFERENCE = "BipedalWalker-v3"
WALKERS = ["teachgym/StumpTracks-v0", "teachgym/HexagonTracks-v0", "teachgym/TerrainWalker-v0"]


def steps_per_second(env_id: str, random_tasks: bool, steps: int, seed: int) -> float:
    """Steps/s of ``env_id`` (through ``gymnasium.make``) with uniform random actions."""
    env: Any = gym.make(env_id)
    rng = np.random.default_rng(seed)
    space = getattr(env.unwrapped, "task_space", None)

    def options() -> dict[str, Any] | None:
        return {"task": space.sample(rng)} if random_tasks and space is not None else None

    actions = rng.uniform(-1, 1, size=(steps, env.action_space.shape[0])).astype(np.float32)
    env.reset(seed=seed, options=options())
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset(options=options())
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed


def terrain_times(env_id: str, n: int = 200) -> tuple[float, float, float, float]:
    """(mean, 99th percentile, max) ms of terrain generation alone, and the mean ms of
    a whole reset (terrain, Box2D bodies, first step), over ``n`` uniform random tasks."""
    env: Any = gym.make(env_id)
    walker = env.unwrapped
    rng = np.random.default_rng(0)
    generation = []
    resets = []
    for _ in range(n):
        task = walker.task_space.sample(rng)
        start = time.perf_counter()
        walker._generate_terrain(task, rng)
        generation.append(time.perf_counter() - start)
        start = time.perf_counter()
        env.reset(options={"task": task})
        resets.append(time.perf_counter() - start)
    env.close()
    ms = 1e3 * np.array(generation)
    return (
        float(ms.mean()),
        float(np.percentile(ms, 99)),
        float(ms.max()),
        1e3 * float(np.mean(resets)),
    )


def reference_reset_ms(n: int = 200) -> float:
    env = gym.make(REFERENCE)
    env.reset(seed=0)
    start = time.perf_counter()
    for _ in range(n):
        env.reset()
    env.close()
    return 1e3 * (time.perf_counter() - start) / n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--resets", type=int, default=200, help="resets per reset figure")
    args = parser.parse_args(argv)
    configs = [(REFERENCE, False)] + [(w, r) for w in WALKERS for r in (False, True)]
    results: dict[tuple[str, bool], list[float]] = {c: [] for c in configs}
    for round_index in range(args.rounds):
        for config in configs:
            results[config].append(steps_per_second(*config, args.steps, seed=round_index))
    reference = statistics.median(results[(REFERENCE, False)])
    print(f"steps/s with random actions, median of {args.rounds} rounds of {args.steps} steps")
    print(f"{'environment':34s} {'tasks':8s} {'steps/s':>9s} {'x gym':>7s}")
    for (env_id, random_tasks), values in results.items():
        speed = statistics.median(values)
        tasks = "uniform" if random_tasks else "default"
        print(f"{env_id:34s} {tasks:8s} {speed:9.0f} {speed / reference:7.2f}")
    print()
    print(f"reset of {REFERENCE}: {reference_reset_ms(args.resets):.2f} ms")
    print(f"terrain generation ({args.resets} uniform tasks) and whole reset, in ms:")
    print(f"{'environment':34s} {'mean':>6s} {'p99':>6s} {'max':>6s} {'reset':>6s}")
    for env_id in WALKERS:
        mean, p99, worst, reset = terrain_times(env_id, args.resets)
        print(f"{env_id:34s} {mean:6.2f} {p99:6.2f} {worst:6.2f} {reset:6.2f}")


if __name__ == "__main__":
    main()
