"""Teachers on the multi-family MiniGrid space: which families each one samples over
training, and the share of the held-out set the student masters.

Trains SB3 PPO with the MiniGrid CNN (``MINIGRID_PPO_KWARGS``, 8 environments,
rollouts of 128 steps by default) on ``teachgym/MiniGridFamily-v0`` for ``--steps``
environment steps per teacher and seed. The task space is the family (DoorKey, KeyCorridor,
MultiRoom, ObstructedMaze, Maze) and that family's own parameters, so a teacher
chooses among families as well as within them. Teachers:

- ``random``: uniform over families, then uniform over the family's parameters;
- ``plr``: prioritized level replay, its published defaults (new levels drawn as
  ``random`` does);
- ``alp-gmm``: ALP-GMM with the family (and the ObstructedMaze variant) one-hot
  encoded (``categorical_encoding="one-hot"``), returns rescaled from [0, 1];
- ``tscl``: Teacher-Student Curriculum Learning (Sampling variant) with one arm per
  value of each family's own parameters (136 arms).

``--teachers`` also takes ``robust-plr`` (no gradient on new levels, so it trains on
fewer of its steps), ``covar-gmm`` and ``riac`` (one-hot, as ALP-GMM), and the bandits
``exp3s`` and ``sec`` (its default signal, the episode's mean absolute advantage) on
the same arms as TSCL.

Printed per run: the share of episodes of each family among those that ended in each
tenth of the training steps, how many training episodes of each family succeeded, and
% of the ``named`` test set mastered (minigrid's 22 registered configurations of the
four room families plus the 25- and 60-block random mazes, one pinned solvable layout
each: 24 tasks) at every ``--eval-every`` steps and at the
end, overall and per family. A layout is pinned and the policy greedy, so the 5
episodes of the family's mastery rule are identical: one is played. Then a table
beside ``random``, and ``--plot`` draws the family shares over training, one panel
per teacher (its first seed)::

    OMP_NUM_THREADS=1 python benchmarks/minigrid_family.py --workers 2 \
        --plot docs/family_sampling.png  # 120k steps, random plr alp-gmm tscl
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from machine import machine_load

from teachgym.agents import SB3Student
from teachgym.agents.minigrid_cnn import MINIGRID_PPO_KWARGS
from teachgym.agents.robust_ppo import trained_steps
from teachgym.curriculum import Curriculum, EpisodeRecord
from teachgym.envs import env_factory
from teachgym.envs.gridworlds.family import FAMILIES, FAMILY_TASK_SPACE, MiniGridFamilyEnv
from teachgym.envs.task_env import TestSet
from teachgym.evaluation import Evaluation, evaluate
from teachgym.evaluation.periodic import EvaluationPoint, PeriodicEvaluator
from teachgym.teachers import Teacher, make_teacher
from teachgym.teachers.timing import TeacherTimer

ENV_ID = "teachgym/MiniGridFamily-v0"
TEACHERS = ("random", "plr", "alp-gmm", "tscl")
"""Teachers of the default run."""
CHOICES = (*TEACHERS, "robust-plr", "covar-gmm", "riac", "exp3s", "sec")
ENCODED = ("alp-gmm", "covar-gmm", "riac")
"""Teachers that model a box: the categorical parameters are one-hot encoded."""
EVAL_SEED = 10_000


@dataclass(frozen=True)
class Settings:
    """What every run of one invocation shares."""

    steps: int
    eval_every: int
    eval_tasks: int
    bins: int
    n_envs: int
    n_steps: int


def build_teacher(name: str, seed: int) -> Teacher:
    """The teacher ``name`` on the family task space, with its published defaults."""
    if name in ENCODED:
        bounds = MiniGridFamilyEnv.return_bounds
        return make_teacher(
            name, FAMILY_TASK_SPACE, seed, return_bounds=bounds, categorical_encoding="one-hot"
        )
    return make_teacher(name, FAMILY_TASK_SPACE, seed)


def held_out(model: Any, test_set: TestSet) -> Evaluation:
    """The greedy policy of ``model`` on ``test_set``, one episode per pinned layout."""
    return evaluate(
        model, test_set, env_factory(ENV_ID), episodes_per_task=1, seed=EVAL_SEED,
        deterministic=True,
    )  # fmt: skip


def family_mastery(evaluation: Evaluation, tasks: list[dict[str, Any]]) -> dict[str, float]:
    """% mastered of the test tasks of each family that has some."""
    assert evaluation.mastered is not None
    by_family: dict[str, list[bool]] = {}
    for mastered, task in zip(evaluation.mastered, tasks, strict=True):
        by_family.setdefault(task["family"], []).append(bool(mastered))
    return {family: 100.0 * float(np.mean(m)) for family, m in by_family.items()}


def family_shares(ends: list[tuple[int, str]], steps: int, bins: int) -> list[dict[str, float]]:
    """Share of the episodes of each family among those that ended in each of ``bins``
    equal spans of ``steps`` environment steps (``ends``: (the student's environment
    steps when it ended, its family))."""
    counts = [Counter() for _ in range(bins)]
    for end, family in ends:
        counts[min(end * bins // max(steps, 1), bins - 1)][family] += 1
    return [{f: c[f] / max(sum(c.values()), 1) for f in FAMILIES} for c in counts]


def run(name: str, seed: int, settings: Settings) -> dict[str, Any]:
    """One training run of PPO with teacher ``name``; the figures of the module docstring."""
    torch.set_num_threads(1)
    named = MiniGridFamilyEnv().test_set("named")
    test_set = TestSet(named.name, named.version, named.tasks[: settings.eval_tasks])
    teacher = build_teacher(name, seed)
    timer = TeacherTimer(teacher)
    ends: list[tuple[int, str]] = []
    successes: dict[str, list[bool]] = {family: [] for family in FAMILIES}

    def listen(record: EpisodeRecord) -> None:
        assert student.model is not None
        ends.append((int(student.model.num_timesteps), record.task["family"]))
        successes[record.task["family"]].append(bool(record.outcome.success))

    def report(point: EvaluationPoint) -> None:
        print(
            f"{name:>10} seed {seed}: {point.env_steps:7d} steps  "
            f"{point.evaluation.percent_mastered:5.1f} % of 'named' mastered",
            flush=True,
        )

    curve = PeriodicEvaluator(
        env_factory(ENV_ID), test_set, settings.eval_every, episodes_per_task=1, seed=EVAL_SEED,
        deterministic=True, on_evaluation=report,
    )  # fmt: skip
    student = SB3Student(
        env_factory(ENV_ID), algo="ppo", seed=seed, n_envs=settings.n_envs,
        n_steps=settings.n_steps,
        callbacks=[curve], **MINIGRID_PPO_KWARGS,
    )  # fmt: skip
    curriculum = Curriculum(teacher, listeners=[listen])
    start = time.perf_counter()
    student.learn(curriculum, settings.steps)
    model = student.model
    assert model is not None
    train_seconds = time.perf_counter() - start - curve.seconds
    evaluations = [(p.env_steps, p.evaluation) for p in curve.points]
    if not evaluations or evaluations[-1][0] < settings.steps:  # no evaluation at the budget
        final = held_out(model, test_set)
        report(EvaluationPoint(model.num_timesteps, trained_steps(model), final))
        evaluations.append((model.num_timesteps, final))
    student.close()
    return {
        "teacher": name,
        "seed": seed,
        "env_steps": int(model.num_timesteps),
        "episodes": curriculum.episodes_reported,
        "test_tasks": len(test_set),
        "train_seconds": train_seconds,
        "teacher_seconds": timer.seconds,
        "shares": family_shares(ends, settings.steps, settings.bins),
        "episodes_by_family": dict(Counter(f for _, f in ends)),
        "successes_by_family": {f: int(sum(s)) for f, s in successes.items()},
        "evaluations": [
            {
                "env_steps": at,
                "percent_mastered": float(e.percent_mastered or 0.0),
                "by_family": family_mastery(e, test_set.tasks),
            }
            for at, e in evaluations
        ],
    }


def _run(job: tuple[str, int, Settings]) -> dict[str, Any]:
    return run(*job)


def print_run(result: dict[str, Any]) -> None:
    """The family shares per tenth of training and the held-out figures of one run."""
    head = f"{result['teacher']} seed {result['seed']}"
    print(
        f"\n{head}: {result['env_steps']} env steps, {result['episodes']} episodes, "
        f"train {result['train_seconds']:.0f} s, teacher {result['teacher_seconds']:.1f} s"
    )
    print("  share of episodes by family, per span of training steps:")
    print("  " + " ".join(f"{f:>14}" for f in FAMILIES))
    for shares in result["shares"]:
        print("  " + " ".join(f"{shares[f]:14.2f}" for f in FAMILIES))
    solved = result["successes_by_family"]
    played = result["episodes_by_family"]
    print(
        "  training episodes solved: "
        + "  ".join(f"{f} {solved[f]}/{played.get(f, 0)}" for f in FAMILIES)
    )
    for point in result["evaluations"]:
        by_family = "  ".join(f"{f} {v:.0f}" for f, v in point["by_family"].items())
        print(
            f"  {point['env_steps']:7d} steps: {point['percent_mastered']:5.1f} % mastered "
            f"({by_family})"
        )


def print_table(results: list[dict[str, Any]]) -> None:
    """% mastered at the end per teacher (seeds side by side), beside random's."""
    tasks = results[0]["test_tasks"]
    print(f"\nfinal % of 'named' mastered ({tasks} tasks), per seed; episodes by family (%)")
    base = {
        r["seed"]: r["evaluations"][-1]["percent_mastered"]
        for r in results
        if r["teacher"] == "random"
    }
    for name in dict.fromkeys(r["teacher"] for r in results):
        mine = [r for r in results if r["teacher"] == name]
        finals = [r["evaluations"][-1]["percent_mastered"] for r in mine]
        against = [
            f - base[r["seed"]] for f, r in zip(finals, mine, strict=True) if r["seed"] in base
        ]
        counts = Counter()
        for r in mine:
            counts.update(r["episodes_by_family"])
        total = max(sum(counts.values()), 1)
        mix = " ".join(f"{f} {100 * counts[f] / total:.0f}" for f in FAMILIES)
        print(
            f"{name:>10}: {' '.join(f'{v:5.1f}' for v in finals)}  mean {np.mean(finals):5.1f}"
            + (f"  minus random {np.mean(against):+5.1f}" if against else "")
            + f"  | {mix}"
        )


def plot(results: list[dict[str, Any]], path: Path, steps: int) -> None:
    """Family shares over training, one stacked panel per teacher (its first seed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    firsts = {}
    for r in results:
        firsts.setdefault(r["teacher"], r)
    fig, axes = plt.subplots(1, len(firsts), figsize=(3.2 * len(firsts), 2.8), sharey=True)
    for ax, (name, r) in zip(np.atleast_1d(axes), firsts.items(), strict=True):
        bins = len(r["shares"])
        width = steps / bins / 1000
        lefts = np.arange(bins) * width
        bottom = np.zeros(bins)
        for family in FAMILIES:
            share = np.array([s[family] for s in r["shares"]])
            ax.bar(lefts, share, width, bottom=bottom, align="edge", label=family)
            bottom += share
        final = r["evaluations"][-1]["percent_mastered"]
        ax.set_title(f"{name} ({final:.0f} % mastered)", fontsize=9)
        ax.set_xlabel("env steps (thousands)")
        ax.set_xlim(0, steps / 1000)
    first = np.atleast_1d(axes)[0]
    first.set_ylabel("share of episodes")
    first.set_ylim(0, 1)
    fig.legend(FAMILIES, loc="lower center", ncol=len(FAMILIES), fontsize=8)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=120_000, help="env steps per run")
    parser.add_argument(
        "--eval-every", type=int, default=60_000, help="env steps between evaluations"
    )
    parser.add_argument("--teachers", nargs="+", default=list(TEACHERS), choices=CHOICES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--bins", type=int, default=10, help="spans of training for the shares")
    parser.add_argument(
        "--eval-tasks", type=int, default=24, help="evaluate on the first N 'named' tasks"
    )
    parser.add_argument("--n-envs", type=int, default=8, help="PPO environments")
    parser.add_argument("--n-steps", type=int, default=128, help="PPO rollout length per env")
    parser.add_argument("--workers", type=int, default=1, help="runs side by side (processes)")
    parser.add_argument("--plot", type=Path, default=None, help="write the family-share plot here")
    parser.add_argument("--out", type=Path, default=None, help="write every result as JSON here")
    args = parser.parse_args(argv)
    for flag in ("steps", "eval_every", "eval_tasks", "bins", "workers", "n_envs", "n_steps"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be >= 1")
    settings = Settings(
        args.steps, args.eval_every, args.eval_tasks, args.bins, args.n_envs, args.n_steps
    )
    jobs = [(t, s, settings) for s in args.seeds for t in args.teachers]
    print(
        f"PPO + MiniGridCNN on {ENV_ID}, {args.steps} env steps per run, teachers "
        f"{args.teachers}, {args.workers} worker(s); {machine_load()}"
    )
    wall = time.perf_counter()
    if args.workers == 1:
        results = [_run(job) for job in jobs]
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
            results = list(pool.map(_run, jobs))
    print(f"all runs: {time.perf_counter() - wall:.0f} s wall; {machine_load()}")
    for result in results:
        print_run(result)
    print_table(results)
    if args.plot is not None:
        plot(results, args.plot, args.steps)
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
