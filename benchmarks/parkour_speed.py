"""Parkour speed: steps/s dry, in water and with creepers beside Gymnasium's
``BipedalWalker-v3``, the water forces vectorised against the per-polygon loop, reset time.

Run ``OMP_NUM_THREADS=1 python benchmarks/parkour_speed.py`` (one core). Every figure is
CPU time of this process (``time.process_time``), so other load on the machine shifts it
less than wall time; configurations are interleaved round by round and the median round
is reported with its ratio to ``BipedalWalker-v3`` measured in the same run.

* steps/s with uniform random actions, resetting when an episode ends: ``BipedalWalker-v3``;
  Parkour's ``bipedal`` (Gymnasium's morphology) on dry tasks; ``old_classic_bipedal`` and
  ``fish`` in full water with the vectorised water forces and with the loop
  (``vectorised_water=False``); ``climbing_profile_chimpanzee`` among creepers;
* the water forces alone: microseconds per call on the polygons a body has in the water
  after 50 random steps, vectorised (:class:`~teachgym.envs.walkers.water.WaterForces`)
  and loop (:func:`~teachgym.envs.walkers.water.apply_water_forces_loop`), for bodies of
  5 to 20 polygons;
* reset: milliseconds per ``reset`` on uniform tasks of the benchmark's space (CPPN, track,
  Box2D bodies, the first step), and the CPPN forward pass alone.

Options: ``--steps N`` per round (default 4000), ``--rounds R`` (default 3), ``--calls C``
water-force calls per figure (default 2000), ``--resets K`` (default 200).
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
PARKOUR = "teachgym/Parkour-v0"
DRY = {"water_level": 0.0, "creepers_height": 0.0, "creepers_spacing": 0.0}
CONFIGS: dict[str, tuple[str, dict[str, Any], dict[str, float] | None]] = {
    "BipedalWalker-v3": (REFERENCE, {}, None),
    "dry bipedal": (PARKOUR, {"body": "bipedal"}, DRY),
    "water walker (vectorised)": (PARKOUR, {"body": "old_classic_bipedal"}, {"water_level": 1.0}),
    "water walker (loop)": (
        PARKOUR,
        {"body": "old_classic_bipedal", "vectorised_water": False},
        {"water_level": 1.0},
    ),
    "water fish (vectorised)": (PARKOUR, {"body": "fish"}, {"water_level": 1.0}),
    "water fish (loop)": (
        PARKOUR,
        {"body": "fish", "vectorised_water": False},
        {"water_level": 1.0},
    ),
    "creepers climber": (
        PARKOUR,
        {"body": "climbing_profile_chimpanzee"},
        {"water_level": 0.0, "creepers_height": 2.0, "creepers_spacing": 0.5},
    ),
}
"""Label -> (id, make kwargs, values every task takes; ``None``: the id's default task)."""
WATER_BODIES = ["old_classic_bipedal", "fish", "spider", "millipede"]


def steps_per_second(
    env_id: str, kwargs: dict[str, Any], held: dict[str, float] | None, steps: int, seed: int
) -> float:
    """CPU steps/s of ``env_id`` with uniform random actions (and random tasks with ``held``)."""
    env: Any = gym.make(env_id, **kwargs)
    rng = np.random.default_rng(seed)
    space = getattr(env.unwrapped, "task_space", None)

    def options() -> dict[str, Any] | None:
        if held is None or space is None:
            return None
        return {"task": {**space.sample(rng), **held}}

    actions = rng.uniform(-1, 1, size=(steps, env.action_space.shape[0])).astype(np.float32)
    env.reset(seed=seed, options=options())
    start = time.process_time()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset(options=options())
    elapsed = time.process_time() - start
    env.close()
    return steps / max(elapsed, 1e-9)


def water_force_costs(body: str, calls: int) -> tuple[int, float, float]:
    """(polygons in the water, vectorised us/call, loop us/call) for ``body`` in full water."""
    from teachgym.envs.walkers.water import WaterForces, apply_water_forces_loop

    env: Any = gym.make(PARKOUR, body=body)
    task = {**env.unwrapped.default_task, "water_level": 1.0}
    env.reset(seed=0, options={"task": task})
    for _ in range(50):
        env.step(env.action_space.sample())
    sim = env.unwrapped.sim
    immersed, water = list(sim.contacts.immersed), sim.water
    vectorised = WaterForces()
    costs: dict[str, list[float]] = {"vectorised": [], "loop": []}
    for _ in range(3):
        for name, call in (
            ("vectorised", lambda: vectorised(immersed, water)),
            ("loop", lambda: apply_water_forces_loop(immersed, water)),
        ):
            start = time.process_time()
            for _ in range(calls):
                call()
            costs[name].append(1e6 * (time.process_time() - start) / calls)
    env.close()
    return len(immersed), min(costs["vectorised"]), min(costs["loop"])


def reset_times(n: int) -> tuple[float, float, float, float]:
    """(mean, p99, max) ms of a Parkour reset on uniform tasks, and the CPPN's mean ms."""
    from teachgym.envs.walkers.cppn import cppn_profiles

    env: Any = gym.make(PARKOUR)
    space = env.unwrapped.task_space
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    resets, cppn = [], []
    for _ in range(n):
        task = space.sample(rng)
        start = time.process_time()
        env.reset(options={"task": task})
        resets.append(time.process_time() - start)
        start = time.process_time()
        cppn_profiles([task["v1"], task["v2"], task["v3"]])
        cppn.append(time.process_time() - start)
    env.close()
    ms = 1e3 * np.array(resets)
    return (
        float(ms.mean()),
        float(np.percentile(ms, 99)),
        float(ms.max()),
        1e3 * float(np.mean(cppn)),
    )


def reference_reset_ms(n: int) -> float:
    env = gym.make(REFERENCE)
    env.reset(seed=0)
    start = time.process_time()
    for _ in range(n):
        env.reset()
    env.close()
    return 1e3 * (time.process_time() - start) / n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=2000, help="water-force calls per figure")
    parser.add_argument("--resets", type=int, default=200, help="resets per reset figure")
    args = parser.parse_args(argv)
    results: dict[str, list[float]] = {label: [] for label in CONFIGS}
    for round_index in range(args.rounds):
        for label, (env_id, kwargs, held) in CONFIGS.items():
            results[label].append(
                steps_per_second(env_id, kwargs, held, args.steps, seed=round_index)
            )
    reference = statistics.median(results["BipedalWalker-v3"])
    print(f"CPU steps/s with random actions, median of {args.rounds} rounds of {args.steps} steps")
    print(f"{'configuration':28s} {'steps/s':>9s} {'x gym':>7s}")
    for label, values in results.items():
        speed = statistics.median(values)
        print(f"{label:28s} {speed:9.0f} {speed / reference:7.2f}")
    print()
    print(f"water forces per call, best of 3 x {args.calls} calls (CPU microseconds)")
    print(f"{'body':22s} {'polygons':>8s} {'vectorised':>10s} {'loop':>8s} {'loop/vec':>9s}")
    for body in WATER_BODIES:
        polygons, vectorised, loop = water_force_costs(body, args.calls)
        print(f"{body:22s} {polygons:8d} {vectorised:10.1f} {loop:8.1f} {loop / vectorised:9.2f}")
    print()
    mean, p99, worst, cppn = reset_times(args.resets)
    print(
        f"reset ({args.resets} uniform tasks, CPU ms): mean {mean:.2f}, p99 {p99:.2f}, "
        f"max {worst:.2f}; CPPN forward pass {cppn:.3f}"
    )
    print(f"reset of {REFERENCE}: {reference_reset_ms(args.resets):.2f} ms")


if __name__ == "__main__":
    main()
