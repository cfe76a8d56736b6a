"""What a teacher costs a Gymnasium vector env: steps per second with and without one.

Run ``OMP_NUM_THREADS=1 python benchmarks/vector_curriculum_speed.py``.
For each environment and vectorization mode (``SyncVectorEnv``, ``AsyncVectorEnv``;
Gymnasium's default next-step autoreset), the same number of vector steps with
random actions runs on the plain vector env (every episode on the env's default
task) and on ``make_curriculum_vector_env`` with the random teacher (every episode
reported, every sub-environment refilled). Rounds are interleaved so both see the
same machine load; the median round is reported with the ratio of the two.
The learnability grid's episodes last one step, so there every second vector step
refills every sub-environment: the worst case for the curriculum's overhead.

Options: ``--steps N`` vector steps per round (default 2000), ``--rounds R``
(default 3), ``--num-envs K`` (default 4), ``--envs ID ...``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from gymnasium.vector import AsyncVectorEnv, SyncVectorEnv, VectorEnv
from machine import machine_load

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.teachers import make_teacher
from teachgym.vector_curriculum import make_curriculum_vector_env

ENVS = ["teachgym/LearnabilityGrid-v0", "teachgym/DoorKey-v0"]
MODES = ("sync", "async")


def build(env_id: str, mode: str, num_envs: int, with_teacher: bool) -> tuple[VectorEnv, Any]:
    """The vector env, and the curriculum driving it (``None`` without a teacher)."""
    env_fn = env_factory(env_id)
    if not with_teacher:
        vector: type[VectorEnv] = SyncVectorEnv if mode == "sync" else AsyncVectorEnv
        return vector([env_fn] * num_envs), None
    probe = env_fn()
    teacher = make_teacher("random", probe.unwrapped.task_space, seed=0)
    probe.close()
    curriculum = Curriculum(teacher)
    envs = make_curriculum_vector_env(env_fn, curriculum, num_envs, vectorization_mode=mode)
    return envs, curriculum


def steps_per_second(envs: VectorEnv, steps: int, seed: int) -> float:
    """Sub-environment steps per second over ``steps`` vector steps with random actions."""
    envs.action_space.seed(seed)
    actions = [envs.action_space.sample() for _ in range(steps)]
    envs.reset(seed=seed)
    start = time.perf_counter()
    for action in actions:
        envs.step(action)
    elapsed = time.perf_counter() - start
    return steps * envs.num_envs / elapsed


def measure(env_ids: list[str], steps: int, rounds: int, num_envs: int) -> list[dict[str, Any]]:
    """One row per (env, mode): median steps/s without and with the teacher, their
    ratio, and the episodes the teacher heard in the last round."""
    rows = []
    for env_id in env_ids:
        for mode in MODES:
            plain, taught, episodes = [], [], 0
            for r in range(rounds):
                for with_teacher in (False, True):
                    envs, curriculum = build(env_id, mode, num_envs, with_teacher)
                    rate = steps_per_second(envs, steps, seed=r)
                    envs.close()
                    (taught if with_teacher else plain).append(rate)
                    if curriculum is not None:
                        episodes = curriculum.episodes_reported
            row = {
                "env": env_id,
                "mode": mode,
                "plain_steps_per_s": statistics.median(plain),
                "teacher_steps_per_s": statistics.median(taught),
                "episodes_reported": episodes,
            }
            row["ratio"] = row["teacher_steps_per_s"] / row["plain_steps_per_s"]
            rows.append(row)
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'env':32} {'mode':6} {'plain steps/s':>14} {'with teacher':>13} {'ratio':>6} "
        f"{'episodes':>9}"
    ]
    for row in rows:
        lines.append(
            f"{row['env']:32} {row['mode']:6} {row['plain_steps_per_s']:14.0f} "
            f"{row['teacher_steps_per_s']:13.0f} {row['ratio']:6.2f} {row['episodes_reported']:9d}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--num-envs", type=int, default=4)
    parser.add_argument("--envs", nargs="+", default=ENVS)
    args = parser.parse_args(argv)
    for name in ("steps", "rounds", "num_envs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    print(format_rows(measure(args.envs, args.steps, args.rounds, args.num_envs)))
    print(machine_load())


if __name__ == "__main__":
    main()
