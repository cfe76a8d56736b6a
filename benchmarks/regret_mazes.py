"""Regret-based teachers on teacher-designed mazes: solved rate on held-out mazes and overhead.

Trains SB3 PPO (the MiniGrid CNN policy) on ``teachgym/Maze-v0`` for a fixed
budget with each teacher and seed, then plays every held-out maze
(``held-out`` test set: labyrinth, perfect maze, many rooms, ...) by the maze's
own evaluation (:func:`teachgym.evaluation.evaluate`): the policy samples its actions,
and a maze episode is solved when it reaches the goal (return > 0).

Teachers (maze configurations of docs/references.md [jiang2021rplr], [parkerholder2022]):

- ``random``: domain randomisation, every level a fresh random maze with 25 wall
  blocks (the ``random`` teacher on the maze's published sampler
  ``domain_randomisation_maze``), the literature's baseline;
- ``robust-plr``: preset ``maze-plr`` (MaxMC, replay 0.5, staleness 0.3, β 0.1, new
  levels with wall density 25/169, about 25 blocks), no gradient on new levels;
- ``accel``: preset ``maze-accel`` (positive value loss, replay 0.8, staleness 0.3,
  β 0.3, 5 edits, new levels are empty mazes);
- ``paired``: the adversary designs mazes wall by wall for a protagonist and an
  antagonist PPO student (:class:`PairedStudent`, same PPO settings); the budget is
  the protagonist's, so the run costs twice the steps;
- ``clutr``: PAIRED's students with CLUTR's adversary, a latent of a frozen recurrent
  VAE decoded into the maze ([azad2023]); ``--vae`` names a VAE of ``teachgym
  train-vae``, else each run trains one on first use for ``--vae-steps`` batches.

Students: ``--student ppo`` (the MiniGrid CNN and an MLP head) or ``--student
recurrent-ppo`` (the same CNN and an LSTM, as the published maze agents; sb3-contrib's
RecurrentPPO updating on whole environment rollouts, so its minibatches are whole
environments: ``--n-steps * max(1, --n-envs // 4)`` steps);
``paired`` and ``clutr`` train two students of the same kind (protagonist and
antagonist).

Deviation: the buffer holds ``--capacity`` levels (default 256) instead of 4000,
since a run here sees a few thousand episodes, not 250M steps.

``--config jaxued`` instead takes the maze settings of the jaxued reference
implementation (docs/references.md [jaxued]) wherever teachgym has the same knob:
PPO with 32 environments x 256 steps, one minibatch, 5 epochs, learning rate 1e-4
decaying linearly to 0, Adam eps 1e-5, gamma 0.995, GAE lambda 0.98, entropy 1e-3,
clip 0.2 (values too), value coefficient 0.5, gradient norm 0.5; with
``--student recurrent-ppo`` one 256-unit LSTM shared by actor and critic and 32-unit
heads. Robust PLR and ACCEL: MaxMC, replay 0.8, buffer 4000, staleness 0.3, β 0.3,
replay from half full, new levels of about 25 walls (ACCEL's too), ACCEL's 5 edits.
What stays teachgym's: the 7 x 7 view and its CNN (jaxued: 5 x 5 and one
convolution), one level per episode (jaxued replays each level for a whole
256-step rollout), and ties in rank sharing their best rank.

Budget: ``--budget-unit env`` gives every teacher ``--steps`` environment steps;
``--budget-unit trained`` gives every teacher ``--steps`` *trained* steps (transitions
PPO's updates used), the literature's unit (published comparisons are at equal
student PPO updates, e.g. "after 20k PPO updates", [parkerholder2022]): Robust PLR and
ACCEL then also play the new levels they only score, so they collect more
environment steps than ``random`` in the same budget. ``--accel-start dr`` lets
ACCEL's new levels be 25-block random mazes instead of empty ones (a variant, not
the published configuration).

Overhead: time spent inside the teacher (sample, update, scoring) as a fraction of
the run's wall time (the target's measure), and each run's wall time relative to the
``random`` run of the same seed (with a trained-step budget this ratio also counts
the extra environment steps of the scored-only levels).

``--eval-every N`` also plays the held-out mazes every ``N`` trained steps (a learning
curve; the evaluation does not change the training, and its time is left out of the
run's training time; for ``paired`` and ``clutr`` it follows the protagonist).

Besides the held-out mazes, each run also plays ``--eval-random`` random 25-wall mazes
once each (the same mazes for every run, drawn from the ``random`` teacher's sampler
with seed 20000): the levels domain randomisation trains on, where a small budget
already separates students while the held-out mazes stay at 0.

``--workers N`` runs N runs at a time in separate processes. With ``--out``, every
finished run is written to the file at once, and a later call with the same file and
settings runs only the runs it does not hold yet (a killed benchmark resumes).

The run ends with the library's rliable leaderboard (:func:`teachgym.bench.statistics.leaderboard`:
mean and IQM of the final held-out solved percentage with 95 % bootstrap CIs, and the
probability of improvement over ``random``), and the same of the random mazes' solved
percentage.

Usage (the defaults: 800k trained steps, 5 seeds, DR, Robust PLR and ACCEL; 10 to 30
minutes per run on one core)::

    OMP_NUM_THREADS=1 python benchmarks/regret_mazes.py

The regret benchmark of all five teachers with the LSTM student, 5 seeds, 163,840
environment steps per run (the protagonist's for PAIRED and CLUTR), about an hour on
two cores::

    teachgym train-vae --env teachgym/Maze-v0 --out vae/maze --steps 8000
    OMP_NUM_THREADS=1 python benchmarks/regret_mazes.py --teachers random robust-plr \
        accel paired clutr --student recurrent-ppo --vae vae/maze --budget-unit env \
        --steps 163840 --eval-every 81920 --eval-episodes 5 --workers 2 --out maze.json
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from teachgym.agents import PairedStudent, SB3Student
from teachgym.agents.callbacks import StopAfterTrainedSteps
from teachgym.agents.minigrid_cnn import minigrid_policy_kwargs
from teachgym.agents.robust_ppo import trained_steps
from teachgym.bench.report import leaderboard_text
from teachgym.bench.results import Results
from teachgym.bench.run_directory import atomic_write_text
from teachgym.bench.statistics import leaderboard
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.envs.gridworlds.maze import (
    MAZE_TASK_SPACE,
    MazeEnv,
    build_maze,
    domain_randomisation_maze,
)
from teachgym.envs.gridworlds.maze_layouts import HELD_OUT_MAZES, MAZE_SIDE
from teachgym.envs.gridworlds.solver import distances
from teachgym.envs.task_env import TestSet
from teachgym.evaluation import evaluate
from teachgym.evaluation.periodic import EvaluationPoint, PeriodicEvaluator
from teachgym.state_io import CorruptStateError
from teachgym.tasks import Task
from teachgym.teachers import Teacher, make_teacher
from teachgym.teachers.clutr_vae import ClutrVAE
from teachgym.teachers.timing import TeacherTimer

ENV_ID = "teachgym/Maze-v0"
DR_BLOCKS = 25
TEACHERS = ("random", "robust-plr", "accel")
"""Teachers of the default run; ``paired`` and ``clutr`` can be added with ``--teachers``."""
ADVERSARIES = ("paired", "clutr")
"""Teachers that train PAIRED's two students."""
CHOICES = (*TEACHERS, *ADVERSARIES)
STUDENTS = ("ppo", "recurrent-ppo")
CONFIGS = ("benchmark", "jaxued")

JAXUED_REPLAY: dict[str, Any] = {
    "score_function": "max_mc",
    "replay_prob": 0.8,
    "capacity": 4000,
    "staleness_coef": 0.3,
    "temperature": 0.3,
    "min_fill": 0.5,
    "new_level_density": DR_BLOCKS / (MAZE_SIDE * MAZE_SIDE),
}
"""Robust PLR's and ACCEL's settings in jaxued's maze example (docs/references.md [jaxued])."""
JAXUED_EDITS = 5
"""ACCEL's edits per child there."""


def jaxued_ppo_kwargs(recurrent: bool) -> dict[str, Any]:
    """SB3 (Recurrent)PPO arguments with jaxued's maze PPO settings (see the module
    docstring); the MiniGrid CNN stays teachgym's."""
    policy_kwargs: dict[str, Any] = {
        **minigrid_policy_kwargs(),
        "net_arch": {"pi": [32], "vf": [32]},
        "optimizer_kwargs": {"eps": 1e-5},
    }
    if recurrent:
        policy_kwargs.update(lstm_hidden_size=256, shared_lstm=True, enable_critic_lstm=False)
    return {
        "n_envs": 32,
        "policy": "MultiInputLstmPolicy" if recurrent else "MultiInputPolicy",
        "policy_kwargs": policy_kwargs,
        "n_steps": 256,
        "batch_size": 32 * 256,
        "n_epochs": 5,
        "learning_rate": linear_schedule(1e-4),
        "gamma": 0.995,
        "gae_lambda": 0.98,
        "ent_coef": 1e-3,
        "clip_range": 0.2,
        "clip_range_vf": 0.2,
        "vf_coef": 0.5,
        "max_grad_norm": 0.5,
    }


def linear_schedule(start: float) -> Any:
    """SB3 learning-rate schedule from ``start`` down to 0 over the run."""

    def rate(progress_remaining: float) -> float:
        return start * progress_remaining

    return rate


DOMAIN_RANDOMISATION = "teachgym.envs.gridworlds.maze:domain_randomisation_maze"
"""The maze's published sampler: a fresh random maze with exactly 25 walls per level."""


def held_out_curve(
    every: int,
    episodes: int,
    seed: int,
    label: str,
    teacher: Teacher | None = None,
    snapshots: list[dict[str, Any]] | None = None,
) -> PeriodicEvaluator:
    """Plays the held-out mazes every ``every`` trained steps (between rollouts) and prints
    each point; the evaluation leaves the training exactly as without it. With
    ``teacher`` and ``snapshots``, each point also appends the teacher's buffer statistics
    (:func:`buffer_diagnostics`, with ``trained_steps``) to ``snapshots``."""

    def report(point: EvaluationPoint) -> None:
        line = (
            f"{label}: {point.trained_steps} trained / {point.env_steps} env steps: "
            f"solved {point.evaluation.success_rate:.3f}"
        )
        buffered = teacher.buffer_levels() if teacher is not None else None
        if buffered is not None and snapshots is not None and buffered.levels:
            stats = buffer_diagnostics(buffered.levels, buffered.scores)
            snapshots.append({"trained_steps": point.trained_steps, **stats})
            line += (
                f"  buffer {len(buffered.levels)}: walls {stats['buffer_mean_walls']:.1f}, "
                f"solvable {stats['buffer_solvable']:.2f}, path {stats['buffer_mean_path']:.1f}, "
                "score quantiles " + " ".join(f"{q:.3f}" for q in stats["buffer_score_quantiles"])
            )
        print(line, flush=True)

    return PeriodicEvaluator(
        env_factory(ENV_ID), held_out_mazes(), every, unit="trained",
        episodes_per_task=episodes, seed=seed, on_evaluation=report,
    )  # fmt: skip


def curve_points(curve: PeriodicEvaluator) -> list[dict[str, float]]:
    """``{"trained_steps", "env_steps", "solved_rate"}`` per evaluation of ``curve``."""
    return [
        {
            "trained_steps": point.trained_steps,
            "env_steps": point.env_steps,
            "solved_rate": float(point.evaluation.success_rate or 0.0),
        }
        for point in curve.points
    ]


def held_out_mazes() -> TestSet:
    """The maze's ``held-out`` test set (the mazes of ``HELD_OUT_MAZES``, in order)."""
    return MazeEnv().test_set("held-out")


RANDOM_MAZE_SEED = 20_000
"""Seed of the random 25-wall mazes every run plays at the end (the same for all runs)."""


def random_mazes(count: int) -> TestSet:
    """``count`` random 25-wall mazes from the ``random`` teacher's sampler, seed
    :data:`RANDOM_MAZE_SEED` (some may be unsolvable, as the levels DR trains on)."""
    rng = np.random.default_rng(RANDOM_MAZE_SEED)
    return TestSet("random-25-walls", 1, [domain_randomisation_maze(rng) for _ in range(count)])


def random_solved_rate(model: Any, count: int, seed: int) -> float:
    """Fraction of :func:`random_mazes` (``count``, one sampled episode each) that ``model``
    solves."""
    result = evaluate(model, random_mazes(count), env_factory(ENV_ID), 1, seed=seed)
    assert result.success_rate is not None
    return float(result.success_rate)


def solved_by_maze(model: Any, episodes: int, seed: int) -> dict[str, float]:
    """Fraction of ``episodes`` episodes of an SB3 ``model`` that reach the goal, per
    held-out maze, by the maze's own evaluation (:func:`teachgym.evaluation.evaluate`:
    sampled actions drawn with ``seed``, global generators restored)."""
    result = evaluate(model, held_out_mazes(), env_factory(ENV_ID), episodes, seed=seed)
    rates = result.success_rate_by_task()
    assert rates is not None  # a maze episode is solved or not
    return {name: float(rate) for name, rate in zip(HELD_OUT_MAZES, rates, strict=True)}


def build_teacher(
    name: str,
    seed: int,
    capacity: int,
    accel_start: str = "empty",
    vae: str | None = None,
    vae_steps: int = 2000,
    config: str = "benchmark",
) -> Teacher:
    if name == "random":
        return make_teacher(name, MAZE_TASK_SPACE, seed, sampler=DOMAIN_RANDOMISATION)
    density = DR_BLOCKS / (MAZE_SIDE * MAZE_SIDE)
    if config == "jaxued" and name == "robust-plr":
        return make_teacher(name, MAZE_TASK_SPACE, seed, **JAXUED_REPLAY)
    if config == "jaxued" and name == "accel":
        return make_teacher(
            name, MAZE_TASK_SPACE, seed, **JAXUED_REPLAY, n_edits=JAXUED_EDITS,
            **MazeEnv.edit_operators(),
        )  # fmt: skip
    if name == "robust-plr":
        return make_teacher(name, MAZE_TASK_SPACE, seed, preset="maze-plr", capacity=capacity)
    edits = MazeEnv.edit_operators()
    if name == "accel" and accel_start == "dr":
        return make_teacher(
            name, MAZE_TASK_SPACE, seed, preset="maze-accel", capacity=capacity,
            new_level_density=density, easy_kinds=[], **edits,
        )  # fmt: skip
    if name == "accel":
        return make_teacher(
            name, MAZE_TASK_SPACE, seed, preset="maze-accel", capacity=capacity, **edits
        )
    if name == "paired":
        return make_teacher(name, MAZE_TASK_SPACE, seed)
    if name == "clutr":
        return make_teacher(name, MAZE_TASK_SPACE, seed, vae=vae, vae_steps=vae_steps)
    raise ValueError(f"unknown teacher {name!r} for this benchmark; choose from {CHOICES}")


TOP_LEVELS = 32
"""How many of the highest-scoring buffer levels :func:`buffer_diagnostics` describes."""


def path_length(task: Task) -> int | None:
    """Shortest path (steps) from the agent's start to the goal, ``None`` if unreachable."""
    level = build_maze(task)
    return distances(level.grid, level.agent_pos).get(level.target)


def buffer_diagnostics(levels: list[Task], scores: np.ndarray | None = None) -> dict[str, Any]:
    """Mean walls, solvable fraction and mean shortest path (solvable levels) of a buffer;
    with ``scores`` (shape ``(len(levels),)``) also their 0, 25, 50, 75 and 100 %
    quantiles and the solvable fraction and mean path of the :data:`TOP_LEVELS`
    highest-scoring levels (those rank prioritisation replays most)."""
    paths = [path_length(level) for level in levels]
    solvable = [p for p in paths if p is not None]
    result: dict[str, Any] = {
        "buffer_mean_walls": float(np.mean([np.sum(level["walls"]) for level in levels])),
        "buffer_solvable": len(solvable) / max(len(paths), 1),
        "buffer_mean_path": float(np.mean(solvable)) if solvable else float("nan"),
    }
    if scores is not None and len(scores):
        quantiles = np.quantile(scores, [0.0, 0.25, 0.5, 0.75, 1.0])
        result["buffer_score_quantiles"] = [float(q) for q in quantiles]
        top = [paths[i] for i in np.argsort(-np.asarray(scores), kind="stable")[:TOP_LEVELS]]
        reachable = [p for p in top if p is not None]
        result["top_solvable"] = len(reachable) / len(top)
        result["top_mean_path"] = float(np.mean(reachable)) if reachable else float("nan")
    return result


def run(teacher_name: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    torch.set_num_threads(1)
    teacher = build_teacher(
        teacher_name, seed, args.capacity, args.accel_start, args.vae, args.vae_steps,
        args.config,
    )  # fmt: skip
    timer = TeacherTimer(teacher)
    recurrent = args.student == "recurrent-ppo"
    ppo_kwargs: dict[str, Any] = {
        "n_envs": args.n_envs,
        "policy": "MultiInputPolicy",
        "policy_kwargs": minigrid_policy_kwargs(),
        "n_steps": args.n_steps,
        "batch_size": args.n_steps * args.n_envs // 4,
        "n_epochs": 4,
        "learning_rate": 3e-4,
        "gamma": 0.99,
        "ent_coef": 0.01,
    }
    if args.config == "jaxued":
        ppo_kwargs = jaxued_ppo_kwargs(recurrent)
    if recurrent and args.config == "benchmark":
        # The LSTM student's minibatches are whole environments' rollouts.
        ppo_kwargs["policy"] = "MultiInputLstmPolicy"
        ppo_kwargs["batch_size"] = args.n_steps * max(1, args.n_envs // 4)
    curve = None
    snapshots: list[dict[str, Any]] = []
    if args.eval_every:
        label = f"{teacher_name:>11} seed {seed}"
        curve = held_out_curve(
            args.eval_every, args.eval_episodes, 10_000 + seed, label, teacher, snapshots
        )
    if teacher_name in ADVERSARIES:
        paired = PairedStudent(
            env_factory(ENV_ID), seed=seed, algo=args.student,
            protagonist_callbacks=[curve] if curve else [], **ppo_kwargs,
        )  # fmt: skip
        return _finish(
            teacher_name, seed, teacher, timer, paired, paired.protagonist, args, args.steps,
            curve,
        )  # fmt: skip
    trained_budget = args.budget_unit == "trained"
    callbacks: list[StopAfterTrainedSteps | PeriodicEvaluator] = (
        [StopAfterTrainedSteps(args.steps)] if trained_budget else []
    )
    if curve is not None:
        callbacks.append(curve)
    student = SB3Student(
        env_factory(ENV_ID), algo=args.student, seed=seed, callbacks=callbacks, **ppo_kwargs
    )
    # A trained-step budget needs more env steps when new levels are only scored; the
    # cap (5x) only guards against a run that never trains.
    cap = 5 * args.steps if trained_budget else args.steps
    result = _finish(teacher_name, seed, teacher, timer, student, student, args, cap, curve)
    if snapshots:
        result["buffer_curve"] = snapshots
    return result


def _finish(
    teacher_name: str,
    seed: int,
    teacher: Teacher,
    timer: TeacherTimer,
    student: SB3Student | PairedStudent,
    evaluated: SB3Student,
    args: argparse.Namespace,
    cap: int,
    curve: PeriodicEvaluator | None = None,
) -> dict[str, Any]:
    """Train ``student`` for up to ``cap`` env steps, then play the held-out mazes with
    ``evaluated``; the result row of one run."""
    curriculum = Curriculum(teacher)
    start = time.perf_counter()
    student.learn(curriculum, cap)
    wall = time.perf_counter() - start - (curve.seconds if curve else 0.0)
    model = evaluated.model
    assert model is not None
    trained = trained_steps(model)
    rates = solved_by_maze(model, args.eval_episodes, seed=10_000 + seed)
    random_rate = (
        random_solved_rate(model, args.eval_random, seed=30_000 + seed)
        if args.eval_random
        else None
    )
    student.close()
    env_steps = model.num_timesteps
    if isinstance(student, PairedStudent):
        env_steps += student.antagonist.model.num_timesteps if student.antagonist.model else 0
    result = {
        "teacher": teacher_name,
        "student": evaluated.algo,
        "seed": seed,
        "settings": settings_of(args),
        "env_steps": env_steps,
        "trained_steps": trained,
        "episodes": curriculum.episodes_reported,
        "train_seconds": wall,
        "teacher_seconds": timer.seconds,
        "teacher_fraction": timer.seconds / wall,
        "solved_rate": float(np.mean(list(rates.values()))),
        "solved_by_maze": rates,
        "random_solved_rate": random_rate,
    }
    if curve is not None:
        result["curve"] = curve_points(curve)
    buffered = teacher.buffer_levels()
    if buffered is not None:
        result["diagnostics"] = {
            **teacher.diagnostics(),
            **buffer_diagnostics(buffered.levels, buffered.scores),
        }
    return result


def as_results(rows: list[dict[str, Any]], score: str = "solved_rate") -> Results:
    """The runs of this script as the benchmark library's :class:`Results` (one done run
    and one final evaluation per row, scored as the percentage ``score`` gives: the
    held-out mazes' ``solved_rate`` or the ``random_solved_rate``), for its statistics."""
    evaluations = pd.DataFrame(
        [
            {
                "run_id": f"{r['teacher']}-{r['student']}-{r['seed']}",
                "env": ENV_ID,
                "student": r["student"],
                "teacher": r["teacher"],
                "seed": r["seed"],
                "step": r["trained_steps"],
                "percent_mastered": 100.0 * r[score],
                "mean_return": r[score],
            }
            for r in rows
        ]
    )
    runs = pd.DataFrame({"run_id": evaluations["run_id"], "status": "done"})
    return Results(Path("."), "regret_mazes", runs, evaluations, pd.DataFrame(), {})


RUN_SETTINGS = (
    "steps", "budget_unit", "config", "student", "n_envs", "n_steps", "capacity",
    "eval_episodes", "eval_every", "eval_random", "accel_start", "vae", "vae_steps",
)  # fmt: skip
"""The arguments a run's result depends on (not which teachers and seeds, nor workers)."""


def settings_of(args: argparse.Namespace) -> dict[str, Any]:
    """The :data:`RUN_SETTINGS` of ``args``, JSON-ready."""
    return {name: json_value(getattr(args, name)) for name in RUN_SETTINGS}


def json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def load_rows(path: Path, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs already in ``path`` (none if it does not exist).

    Raises:
        SystemExit: if the file is not this script's JSON, or holds runs of other settings.
    """
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text())
        if not isinstance(rows, list) or not all("teacher" in r and "seed" in r for r in rows):
            raise ValueError("not a list of runs")
    except ValueError as error:
        raise SystemExit(
            f"{path} is not a results file of this benchmark ({error}); "
            "delete it or choose another --out"
        ) from None
    for row in rows:
        theirs = row.get("settings", {})
        changed = sorted(k for k in settings if theirs.get(k) != settings[k])
        if changed:
            diff = ", ".join(f"{k}: {theirs.get(k)!r} -> {settings[k]!r}" for k in changed)
            raise SystemExit(
                f"{path} holds runs of other settings ({diff}); rerun with those settings "
                "to resume, or choose another --out"
            )
    return rows


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Writes ``rows`` to ``path`` whole or not at all (a kill mid-write keeps the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(rows, indent=1), record=False)


def run_all(todo: list[tuple[str, int]], args: argparse.Namespace) -> Any:
    """Yields the result of every ``(teacher, seed)`` run of ``todo``: in order with one
    worker, as they finish with ``args.workers`` processes."""
    if args.workers == 1:
        for name, seed in todo:
            yield run(name, seed, args)
        return
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(run, name, seed, args) for name, seed in todo]
        for future in as_completed(futures):
            yield future.result()


def run_line(result: dict[str, Any]) -> str:
    """One finished run, a line."""
    line = (
        f"{result['teacher']:>11} seed {result['seed']}: solved {result['solved_rate']:.3f}  "
        f"env steps {result['env_steps']}  trained {result['trained_steps']}  "
        f"episodes {result['episodes']}  train {result['train_seconds']:.0f}s  "
        f"teacher {100 * result['teacher_fraction']:.2f}%"
    )
    if result.get("random_solved_rate") is not None:
        line += f"  random mazes {result['random_solved_rate']:.3f}"
    if "diagnostics" in result:
        line += (
            "  buffer: walls {buffer_mean_walls:.1f}, solvable {buffer_solvable:.2f}, "
            "path {buffer_mean_path:.1f}".format(**result["diagnostics"])
        )
    return line


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1 (anything else is a one-line usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=positive_int, default=800_000, help="budget per run")
    parser.add_argument(
        "--budget-unit", choices=["env", "trained"], default="trained",
        help="count --steps as environment steps or as steps PPO trained on",
    )  # fmt: skip
    parser.add_argument(
        "--accel-start", choices=["empty", "dr"], default="empty",
        help="ACCEL's new levels: empty mazes (published) or 25-block random mazes",
    )  # fmt: skip
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--config", choices=CONFIGS, default="benchmark",
        help="PPO and replay settings: this benchmark's, or jaxued's maze settings (which "
        "set --n-envs, --n-steps and --capacity)",
    )  # fmt: skip
    parser.add_argument(
        "--student", choices=STUDENTS, default="ppo",
        help="the student of random, robust-plr and accel (paired and clutr train PPO)",
    )  # fmt: skip
    parser.add_argument("--vae", default=None, help="clutr: a VAE file of teachgym train-vae")
    parser.add_argument(
        "--vae-steps", type=positive_int, default=2000,
        help="clutr without --vae: batches of the VAE each run trains on first use",
    )  # fmt: skip
    parser.add_argument("--teachers", nargs="+", default=list(TEACHERS), choices=CHOICES)
    parser.add_argument("--n-envs", type=positive_int, default=8)
    parser.add_argument(
        "--n-steps", type=positive_int, default=256, help="PPO rollout length per env"
    )
    parser.add_argument("--capacity", type=positive_int, default=256, help="level buffer size")
    parser.add_argument(
        "--eval-episodes", type=positive_int, default=10, help="episodes per held-out maze"
    )
    parser.add_argument(
        "--eval-every", type=positive_int, default=None,
        help="also play the held-out mazes every this many trained steps (a learning curve)",
    )  # fmt: skip
    parser.add_argument(
        "--eval-random", type=int, default=50,
        help="random 25-wall mazes each run also plays once at the end (0: none)",
    )  # fmt: skip
    parser.add_argument("--workers", type=positive_int, default=1, help="runs at a time")
    parser.add_argument(
        "--out", type=Path, default=None,
        help="JSON file of the runs, written after each run; runs it holds are not run again",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.eval_random < 0:
        parser.error(f"--eval-random must be >= 0, got {args.eval_random}")
    if "clutr" in args.teachers and args.vae is not None:
        try:  # before any run starts, not in a worker halfway through
            ClutrVAE.load(args.vae, MAZE_TASK_SPACE)
        except (FileNotFoundError, CorruptStateError) as error:
            parser.error(f"--vae {args.vae}: {error}")
    done = load_rows(args.out, settings_of(args)) if args.out is not None else []
    have = {(row["teacher"], row["seed"]) for row in done}
    todo = [
        (name, seed) for seed in args.seeds for name in args.teachers if (name, seed) not in have
    ]
    if have:
        print(f"{args.out}: {len(have)} runs done, {len(todo)} to run", flush=True)
    results = [row for row in done if row["teacher"] in args.teachers and row["seed"] in args.seeds]
    for result in run_all(todo, args):
        results.append(result)
        done.append(result)
        if args.out is not None:
            write_rows(args.out, done)
        print(run_line(result), flush=True)
    print(
        f"\nheld-out mazes ({len(HELD_OUT_MAZES)}), {args.steps} {args.budget_unit} steps, "
        f"seeds {args.seeds}"
    )
    header = ("teacher", "mean solved", "per seed", "teacher time", "wall/random", "random mazes")
    print(
        f"{header[0]:>11} {header[1]:>12} {header[2]:>24} {header[3]:>13} {header[4]:>12} "
        f"{header[5]:>13}"
    )
    for name in args.teachers:
        mine = sorted((r for r in results if r["teacher"] == name), key=lambda r: r["seed"])
        ratios = []
        for r in mine:
            base = [b for b in results if b["teacher"] == "random" and b["seed"] == r["seed"]]
            if base:
                ratios.append(r["train_seconds"] / base[0]["train_seconds"])
        per_seed = " ".join(f"{r['solved_rate']:.3f}" for r in mine)
        ratio = f"{np.mean(ratios):.3f}" if ratios else "-"
        fraction = 100 * np.mean([r["teacher_fraction"] for r in mine])
        mean = np.mean([r["solved_rate"] for r in mine])
        randoms = [r["random_solved_rate"] for r in mine if r.get("random_solved_rate") is not None]
        random_mean = f"{np.mean(randoms):.3f}" if randoms else "-"
        print(
            f"{name:>11} {mean:>12.3f} {per_seed:>24} {fraction:>12.2f}% {ratio:>12} "
            f"{random_mean:>13}"
        )
    print("\nleaderboard (score: % of held-out maze episodes solved at the end)")
    print(leaderboard_text(leaderboard(as_results(results))))
    if results and all(r.get("random_solved_rate") is not None for r in results):
        print(f"\nleaderboard (score: % of the {args.eval_random} random 25-wall mazes solved)")
        print(leaderboard_text(leaderboard(as_results(results, "random_solved_rate"))))


if __name__ == "__main__":
    main()
