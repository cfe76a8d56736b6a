"""LLM-subgoal teacher benchmark: env steps SB3 PPO needs to reach 0.8 success, with and
without subgoals, on KeyCorridor and MultiRoom tasks.

Conditions (the same PPO + MiniGrid CNN, the same seeds):

- ``baseline``: no subgoals (sparse reward);
- ``planner``: the subgoal teacher with the offline planner backend;
- ``noisy-<a>``: the noisy-oracle backend at accuracy ``a`` ([ruizgonzalez2024]'s measured LLM
  accuracies: 0.985 on KeyCorridorS3R3, 0.18 to 0.55 on MultiRoom-N4-S5; ``--accuracies``
  replaces them, e.g. with a local model's measured accuracy);
- ``model``: a language model's recorded answers (``--model-cache``, a read-only answer
  cache written by ``benchmarks/llm_local.py``; ``--model-name`` and ``--template`` name
  them); an invalid answer gives no guidance on its layout (no planner fallback).

``--pool N`` trains every condition on the same N layouts (level seeds 0 .. N-1, drawn
uniformly at each reset), so that a model asked once per layout covers the whole run.

Training envs carry a :class:`~teachgym.subgoal_wrapper.SubgoalWrapper`
(teacher ``None`` for the baseline, so the observation space is the same).
Evaluation is the deployment setting: greedy policy, no teacher (sentinel, no
bonus), on pinned layouts never seen in training. A run stops once the greedy
success rate reaches 0.8 (the family's mastery threshold). The baseline of a seed
runs up to 5 x the largest step count any subgoal condition needed on that seed
(``--cap`` bounds everything). Each teacher row prints the baseline's steps over the
teacher's (a lower bound when the baseline did not reach 0.8).

    OMP_NUM_THREADS=1 python benchmarks/llm_subgoals.py

Tasks (:data:`TASKS`): KeyCorridor S3R2 and MultiRoom N3-S4 by default, on which PPO
alone stays below 6 % success for 1M steps while the guided student learns them.
Measured figures and the commands that produced them are in the README. ``--cap``
bounds every run; raise it to let the baselines run the full 5 x.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import DummyVecEnv

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.agents.minigrid_cnn import MINIGRID_PPO_KWARGS, minigrid_policy_kwargs
from teachgym.evaluation.periodic import EvaluationPoint, PeriodicEvaluator
from teachgym.subgoal_wrapper import SubgoalWrapper
from teachgym.tasks import LEVEL_SEED
from teachgym.teachers.llm_subgoal import (
    SUBGOAL_TEMPLATE_VERSION,
    SUBGOAL_TEMPLATES,
    AnswerCache,
    OpenAIBackend,
    SubgoalTeacher,
)

SUCCESS = 0.8
"""Greedy success rate that counts as reached (the family's mastery threshold)."""

TASKS: dict[str, tuple[str, dict[str, Any], tuple[float, ...], float]] = {
    "KeyCorridor": ("teachgym/KeyCorridor-v0", {"num_rows": 2, "room_size": 3}, (0.985,), 0.5),
    "MultiRoom": ("teachgym/MultiRoom-v0", {"num_rooms": 3, "max_room_size": 4}, (0.55, 0.18), 0.5),
    "KeyCorridorS3R1": ("teachgym/KeyCorridor-v0", {"num_rows": 1, "room_size": 3}, (0.985,), 0.0),
}
"""Benchmark name -> (env id, task, noisy-oracle accuracies from [ruizgonzalez2024], share of
training episodes that hide the subgoal observation).

``KeyCorridor`` is minigrid's S3R2 and ``MultiRoom`` is N3-S4; ``KeyCorridorS3R1`` is
kept for comparison: PPO alone solves it on some seeds within 70k steps, so there is
no room for a 5x gain. The hide shares come from one-seed pilots: on S3R2, 0.5 reached
deployment success at 114k steps, 0 had not by 120k (0.6 at 114k), and bonus-only
guidance (``--encoding none``) needed 159k; on MultiRoom N3-S4, 0.5 reached 0.8 at 37k."""


@dataclass
class RunResult:
    condition: str
    seed: int
    reached_at: int | None
    train_reached_at: int | None
    steps: int
    seconds: float
    teacher: dict[str, Any]


def make_teacher(condition: str, seed: int, args: argparse.Namespace) -> SubgoalTeacher | None:
    if condition == "baseline":
        return None
    if condition == "planner":
        return SubgoalTeacher("planner")
    if condition == "model":
        # Read-only: every answer comes from the recording; the server is never contacted.
        recorded = OpenAIBackend("http://127.0.0.1:9/v1", args.model_name)
        cache = AnswerCache(args.model_cache, "read-only")
        return SubgoalTeacher(recorded, cache, template=args.template, fallback="none")
    accuracy = float(condition.removeprefix("noisy-"))
    return SubgoalTeacher("noisy-oracle", accuracy=accuracy, seed=seed)


class LayoutPool(gym.Wrapper[Any, Any, Any, Any]):
    """Each reset plays one of the layouts with level seeds ``0 .. size-1``, drawn uniformly."""

    def __init__(self, env: gym.Env[Any, Any], task: dict[str, Any], size: int) -> None:
        super().__init__(env)
        self.task, self.size = dict(task), size

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        if seed is not None:
            self._pool_rng = np.random.default_rng(seed)
        elif not hasattr(self, "_pool_rng"):
            self._pool_rng = np.random.default_rng(0)
        level = int(self._pool_rng.integers(self.size))
        return self.env.reset(seed=seed, options={"task": {**self.task, LEVEL_SEED: level}})


def env_maker(
    env_id: str,
    task: dict[str, Any],
    teacher: SubgoalTeacher | None,
    encoding: str,
    hide: float,
    pool: int = 0,
) -> Callable[[], gym.Env[Any, Any]]:
    def make() -> gym.Env[Any, Any]:
        env = gym.make(env_id, task=dict(task))
        if pool:
            env = LayoutPool(env, task, pool)
        return SubgoalWrapper(env, teacher, encoding=encoding, hide_probability=hide)

    return make


class DeploymentCurve:
    """The deployment evaluation of one run and the training success beside it.

    :attr:`evaluator` (the library's periodic evaluator) plays the greedy policy without
    guidance, one episode per pinned layout, every ``every`` environment steps, and stops
    training at a success rate of ``SUCCESS``. At each evaluation :attr:`curve` records
    ``(env steps, deployment success, success of the last 100 training episodes)``.
    """

    def __init__(
        self, env_fn: Callable[[], gym.Env[Any, Any]], tasks: list[dict[str, Any]], every: int
    ) -> None:
        self.evaluator = PeriodicEvaluator(
            env_fn, tasks, every, episodes_per_task=1, seed=0, deterministic=True,
            stop_at_success_rate=SUCCESS, on_evaluation=self._record,
        )  # fmt: skip
        self.curve: list[tuple[int, float, float]] = []
        self.train_reached_at: int | None = None

    def _record(self, point: EvaluationPoint) -> None:
        # SB3 keeps the last 100 training successes; the episodes that ended on this very
        # step are not in it yet.
        model = self.evaluator.model
        ended = zip(self.evaluator.locals["dones"], self.evaluator.locals["infos"], strict=True)
        now = [bool(info.get("is_success")) for done, info in ended if done]
        recent = ([bool(s) for s in model.ep_success_buffer] + now)[-100:]
        train_rate = sum(recent) / max(len(recent), 1)
        self.curve.append(
            (point.env_steps, float(point.evaluation.success_rate or 0.0), train_rate)
        )
        if self.train_reached_at is None and len(recent) == 100 and train_rate >= SUCCESS:
            self.train_reached_at = point.env_steps


def run(name: str, condition: str, seed: int, budget: int, args: argparse.Namespace) -> RunResult:
    env_id, task, _, hide = TASKS[name]
    teacher = make_teacher(condition, seed, args)
    hide = 0.0 if teacher is None else hide
    makers = [
        env_maker(env_id, task, teacher, args.encoding, hide, args.pool) for _ in range(args.n_envs)
    ]
    venv = DummyVecEnv(makers)
    venv.seed(seed)
    model = PPO(
        "MultiInputPolicy",
        venv,
        n_steps=args.n_steps,
        policy_kwargs=minigrid_policy_kwargs(),
        **MINIGRID_PPO_KWARGS,
        seed=seed,
        verbose=0,
    )
    deployment = env_maker(env_id, task, None, args.encoding, 0.0)
    eval_tasks = [{**task, LEVEL_SEED: 100_000 + k} for k in range(args.eval_layouts)]
    callback = DeploymentCurve(deployment, eval_tasks, args.eval_every)
    start = time.perf_counter()
    model.learn(budget, callback=callback.evaluator)
    seconds = time.perf_counter() - start
    stats = {} if teacher is None else teacher.diagnostics()
    curve = " ".join(f"{s // 1000}k:{r:.2f}/{t:.2f}" for s, r, t in callback.curve)
    print(f"    {name:11s} {condition:11s} seed {seed}: {curve}", flush=True)
    return RunResult(
        condition,
        seed,
        callback.evaluator.reached_at,
        callback.train_reached_at,
        model.num_timesteps,
        seconds,
        stats,
    )


def _fmt(step: int | None, result: RunResult) -> str:
    return f"{step:>7d}" if step is not None else f">{result.steps:>6d}"


def _verdict(teacher: int | None, baseline: RunResult, baseline_step: int | None) -> str:
    """The baseline's steps to ``SUCCESS`` over the teacher's (a lower bound if it missed)."""
    if teacher is None:
        return f"teacher did not reach {SUCCESS}"
    if baseline_step is not None:
        return f"baseline/teacher {baseline_step / teacher:.1f}x"
    return (
        f"baseline not reached in {baseline.steps} steps, "
        f"baseline/teacher > {baseline.steps / teacher:.1f}x"
    )


def compare(name: str, seed: int, args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    """Run every condition of one task and seed; rows (task, condition, seed line, verdict)."""
    _, _, accuracies, _ = TASKS[name]
    accuracies = tuple(args.accuracies) if args.accuracies else accuracies
    conditions = ["planner"] + ([] if args.skip_noisy else [f"noisy-{a:g}" for a in accuracies])
    conditions += ["model"] if args.model_cache else []
    results = [run(name, c, seed, min(args.budget, args.cap), args) for c in conditions]
    slowest = max(r.steps for r in results)
    baseline = run(name, "baseline", seed, min(5 * slowest, args.cap), args)
    rows = []
    for r in results:
        line = (
            f"seed {seed} {r.condition:11s} deployment {_fmt(r.reached_at, r)}, "
            f"training {_fmt(r.train_reached_at, r)} ({r.seconds:4.0f} s)"
        )
        if r.teacher.get("model_accuracy") is not None:
            line += f", model accuracy {r.teacher['model_accuracy']:.3f}"
        line += f", fallbacks {r.teacher.get('fallbacks', 0)}"
        if r.condition == "model":
            line += f" of {r.teacher['layouts']} layouts"
        verdict = (
            f"deployment: {_verdict(r.reached_at, baseline, baseline.reached_at)}; "
            f"training: {_verdict(r.train_reached_at, baseline, baseline.train_reached_at)}"
        )
        rows.append((name, r.condition, line, verdict))
    line = (
        f"seed {seed} baseline    deployment {_fmt(baseline.reached_at, baseline)}, "
        f"training {_fmt(baseline.train_reached_at, baseline)} ({baseline.seconds:4.0f} s)"
    )
    rows.append((name, "baseline", line, ""))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--tasks", nargs="+", default=["KeyCorridor", "MultiRoom"], choices=list(TASKS)
    )
    parser.add_argument("--budget", type=int, default=300_000, help="steps cap of subgoal runs")
    parser.add_argument("--cap", type=int, default=1_500_000, help="steps cap of any run")
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--n-steps", type=int, default=128)
    parser.add_argument("--eval-every", type=int, default=4096)
    parser.add_argument("--eval-layouts", type=int, default=10)
    parser.add_argument("--encoding", default="relative", choices=["relative", "object", "none"])
    parser.add_argument("--skip-noisy", action="store_true")
    parser.add_argument("--accuracies", type=float, nargs="+", help="noisy-oracle accuracies")
    parser.add_argument("--pool", type=int, default=0, help="train on N layouts (0: all)")
    parser.add_argument("--model-cache", help="recorded answers of a model (read-only)")
    parser.add_argument("--model-name", default="SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--template", default=SUBGOAL_TEMPLATE_VERSION, choices=SUBGOAL_TEMPLATES)
    parser.add_argument("--workers", type=int, default=3, help="parallel (task, seed) jobs")
    args = parser.parse_args(argv)
    print(
        f"PPO + MiniGridCNN, {args.n_envs} envs, encoding {args.encoding!r}; "
        f"success = greedy policy without guidance on {args.eval_layouts} unseen layouts every "
        f"{args.eval_every} steps (deployment), and the last 100 training episodes (training); "
        f"threshold {SUCCESS}. Curves: steps:deployment/training",
        flush=True,
    )
    jobs = [(name, seed) for name in args.tasks for seed in args.seeds]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_single_thread) as pool:
        outputs = list(pool.map(compare, *zip(*jobs, strict=True), [args] * len(jobs)))
    rows = [row for output in outputs for row in output]
    for name in args.tasks:
        env_id, task, _, hide = TASKS[name]
        layouts = f"{args.pool} training layouts" if args.pool else "all layouts"
        print(f"== {name}: {env_id} {task}, hide {hide}, {layouts}")
        for n, _, line, verdict in rows:
            if n == name:
                print(f"  {line}" + (f"\n      {verdict}" if verdict else ""))
    print(f"total wall time {time.perf_counter() - start:.0f} s")


def _single_thread() -> None:
    torch.set_num_threads(1)


if __name__ == "__main__":
    main()
