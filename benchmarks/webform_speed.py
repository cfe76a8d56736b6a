"""Throughput of ``teachgym/WebForm-v0`` (and, when available, MiniWoB++ in Chromium).

Run: ``OMP_NUM_THREADS=1 python benchmarks/webform_speed.py``

Measures environment steps per second on one core on a
10-field form with 30 distractors. Two policies drive the env: uniformly random
*valid* actions (from :meth:`WebFormEnv.action_masks`) and the oracle's plan. The
clock runs only inside the environment (``reset``, ``step`` and, for the masked
policy, ``action_masks``), not while the policy picks its action. With
``--miniwob`` (needs ``pip install miniwob`` and Debian's ``chromium`` and
``chromium-driver``) the same run measures MiniWoB++ ``login-user`` with random
clicks in headless Chromium and prints the ratio.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from teachgym.envs.webform import WebFormEnv, preset_task
from teachgym.envs.webform.browser import chromium_unavailable_reason

BENCH_TASK = {
    **preset_task("book_flight"),
    "n_fields": 10,
    "n_distractors": 30,
    "n_decoys": 0,
}
"""10 fields of every type, 30 distractors, one page, a 12-row viewport (scrolling)."""


def run_random(env: WebFormEnv, steps: int, seed: int) -> dict[str, float]:
    """Random valid actions; returns steps/s with and without the resets, and the mean
    episode length."""
    rng = np.random.default_rng(seed)
    step_clock = reset_clock = 0.0
    start = time.perf_counter()
    env.reset(seed=seed)
    mask = env.action_masks()
    reset_clock += time.perf_counter() - start
    episodes = 0
    for _ in range(steps):
        valid = np.flatnonzero(mask)
        action = int(valid[rng.integers(len(valid))])
        start = time.perf_counter()
        _, _, terminated, truncated, _ = env.step(action)
        mask = env.action_masks()
        middle = time.perf_counter()
        step_clock += middle - start
        if terminated or truncated:
            env.reset()
            mask = env.action_masks()
            episodes += 1
            reset_clock += time.perf_counter() - middle
    return {
        "steps_per_s": steps / (step_clock + reset_clock),
        "steps_only_per_s": steps / step_clock,
        "reset_ms": 1e3 * reset_clock / (episodes + 1),
        "mean_length": steps / max(episodes, 1),
    }


def run_oracle(env: WebFormEnv, steps: int, seed: int) -> dict[str, float]:
    """The oracle's plan on fresh forms; returns steps/s and the success rate."""
    clock = 0.0
    done_steps, episodes, successes = 0, 0, 0
    start = time.perf_counter()
    env.reset(seed=seed)
    clock += time.perf_counter() - start
    while done_steps < steps:
        assert env.form is not None
        for planned in env.form.oracle:
            action = env.encode_action(planned.kind, planned.element, planned.field)
            start = time.perf_counter()
            _, _, terminated, truncated, info = env.step(action)
            clock += time.perf_counter() - start
            done_steps += 1
            if terminated or truncated:
                break
        episodes += 1
        successes += bool(info.get("is_success"))
        start = time.perf_counter()
        env.reset()
        clock += time.perf_counter() - start
    return {"steps_per_s": done_steps / clock, "success": successes / episodes}


def run_resets(env: WebFormEnv, n: int, seed: int) -> float:
    env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(n):
        env.reset()
    return n / (time.perf_counter() - start)


def run_miniwob(steps: int, seed: int) -> dict[str, Any]:
    """MiniWoB++ login-user in headless Chromium with random clicks (steps/s)."""
    import os

    import gymnasium as gym

    os.environ.setdefault("MINIWOB_CHROME_BINARY", "/usr/bin/chromium")
    os.environ.setdefault("MINIWOB_CHROMEDRIVER", "/usr/bin/chromedriver")
    import miniwob
    from miniwob.action import ActionTypes

    gym.register_envs(miniwob)
    env: Any = gym.make("miniwob/login-user-v1")
    rng = np.random.default_rng(seed)
    try:
        obs, _ = env.reset(seed=seed)
        start = time.perf_counter()
        for _ in range(steps):
            refs = [e["ref"] for e in obs["dom_elements"]]
            action = env.unwrapped.create_action(
                ActionTypes.CLICK_ELEMENT, ref=int(refs[rng.integers(len(refs))])
            )
            obs, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                obs, _ = env.reset()
        rate = steps / (time.perf_counter() - start)
    finally:
        env.close()
    return {"steps_per_s": rate}


def _best_and_median(results: list[dict[str, float]], key: str) -> tuple[float, float]:
    values = sorted(r[key] for r in results)
    return values[-1], values[len(values) // 2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000, help="steps per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--miniwob", action="store_true", help="also time MiniWoB++ login-user")
    parser.add_argument("--miniwob-steps", type=int, default=200)
    args = parser.parse_args(argv)

    env = WebFormEnv(task=BENCH_TASK)
    env.reset(seed=args.seed)
    assert env.form is not None
    print(
        f"task: 10 fields, 30 distractors, viewport 12 rows; {len(env.form.elements)} elements, "
        f"oracle plan {len(env.form.oracle)} actions, {env.codec.n_actions} flat actions; "
        f"best and median of {args.repeats} repeats (best is the least disturbed by other "
        "processes)"
    )
    randoms = [run_random(env, args.steps, args.seed + r) for r in range(args.repeats)]
    oracles = [run_oracle(env, args.steps, args.seed + r) for r in range(args.repeats)]
    resets = sorted(run_resets(env, 300, args.seed + r) for r in range(args.repeats))
    best, median = _best_and_median(randoms, "steps_per_s")
    print(
        f"random valid actions: {best:,.0f} steps/s best, {median:,.0f} median "
        f"(mean episode {randoms[0]['mean_length']:.1f} steps, resets included)"
    )
    step_best, _ = _best_and_median(randoms, "steps_only_per_s")
    reset_ms = min(r["reset_ms"] for r in randoms)
    print(
        f"  of which: step + action_masks alone {step_best:,.0f} steps/s; reset {reset_ms:.2f} ms"
    )
    oracle_best, oracle_median = _best_and_median(oracles, "steps_per_s")
    print(
        f"oracle plan:          {oracle_best:,.0f} steps/s best, {oracle_median:,.0f} median "
        f"(success {oracles[0]['success']:.0%}, resets included)"
    )
    print(f"reset alone:          {resets[-1]:,.0f} resets/s best")
    if args.miniwob:
        reason = chromium_unavailable_reason()
        try:
            import miniwob  # noqa: F401  (only checks that it is installed)
        except ImportError:
            reason = reason or "miniwob is not installed (pip install miniwob)"
        if reason:
            print(f"MiniWoB++ skipped: {reason}")
            return
        mini = run_miniwob(args.miniwob_steps, args.seed)
        print(f"MiniWoB++ login-user (Chromium, random clicks): {mini['steps_per_s']:.1f} steps/s")
        ratio = median / mini["steps_per_s"]
        print(f"ratio WebForm-v0 (random valid actions, median) / MiniWoB++: {ratio:,.0f}x")


if __name__ == "__main__":
    main()
