"""What a teacher costs per episode: sample() + update(), fits included, beside ALP-GMM.

Every registered teacher teaches the learnability grid (2-D, 10 x 10 cells, a
simulated competence table) for ``--episodes`` one-step episodes, all in one run. The
figure is the CPU time of the process's thread spent inside ``sample()`` and
``update()`` (so a teacher's periodic fits, GAN or flow trainings and trust-region
steps are counted where they happen), divided by the episodes, in microseconds; and
its ratio to ALP-GMM's in the same run.

    OMP_NUM_THREADS=1 python benchmarks/teacher_cost.py [--episodes 5000]
        [--teachers random alp-gmm ...] [--seed 0]

Each teacher runs on the continuous grid (``x0, x1`` in [0, 1]); one that refuses
it runs on the discrete grid (one categorical parameter ``cell``), and the table
says which. Teachers are given what they need to work there: the grid's return
bounds (learning-progress teachers), the origin cell as the initial task (ADR,
SPDL), the grid's edits (mutating teachers); a teacher that needs a score gets
``|return - 0.5|`` and one that needs values gets the cell's competence before
practice (the simulated student's value), stand-ins of the right type: this
measures cost, not learning. A teacher that values candidate tasks (``webrl``) gets
the simulated student's critic of tasks (a scratch grid's reset on each, its cell's
competence / 100), and that critic's time counts in ``sample()``. SPDL updates every
100 episodes after 200 (its defaults count in 100k steps and would never update
here); torch-based teachers run with one torch thread.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from dataclasses import dataclass
from typing import Any

REFERENCE = "alp-gmm"
CELLS = 10
SPDL_SCHEDULE = {"update_frequency": 100, "update_offset": 200}
"""SPDL's update schedule here, in steps (one step per grid episode)."""


@dataclass(frozen=True)
class Cost:
    """One teacher's cost: CPU seconds in sample() + update() over ``episodes``."""

    teacher: str
    space: str
    episodes: int
    seconds: float

    @property
    def us_per_episode(self) -> float:
        return 1e6 * self.seconds / self.episodes


def _params(name: str, grid: Any) -> dict[str, Any]:
    from teachgym.teachers import teacher_class, teacher_hyperparameters

    accepted = teacher_hyperparameters(name)
    params: dict[str, Any] = {}
    if "return_bounds" in accepted:
        params["return_bounds"] = grid.return_bounds
    if "initial_task" in accepted:
        params["initial_task"] = grid.task_of((0,) * grid.dims)
    if teacher_class(name).mutates:
        params.update(grid.edit_operators())
    params.update({k: v for k, v in SPDL_SCHEDULE.items() if k in accepted})
    return params


def _build(name: str, seed: int) -> tuple[Any, Any, str]:
    """The teacher on the continuous grid, else on the discrete one."""
    from teachgym.envs.learnability_grid import LearnabilityGridEnv
    from teachgym.teachers import make_teacher

    problems = []
    for kind in ("continuous", "categorical"):
        grid = LearnabilityGridEnv(dims=2, cells_per_dim=CELLS, task_kind=kind)
        try:
            teacher = make_teacher(name, grid.task_space, seed=seed, **_params(name, grid))
        except (ValueError, TypeError) as exc:
            problems.append(f"{kind}: {exc}")
            continue
        return teacher, grid, kind
    raise ValueError("; ".join(problems))


def measure(name: str, episodes: int, seed: int) -> Cost:
    """Teach a fresh competence table for ``episodes`` episodes; time sample + update."""
    from teachgym.agents.simulated import CompetenceTable
    from teachgym.agents.task_critic import ResetCritic
    from teachgym.envs.learnability_grid import LearnabilityGridEnv
    from teachgym.teachers import Outcome

    teacher, grid, kind = _build(name, seed)
    table = CompetenceTable(2, CELLS)
    grid.observe(table.values)
    grid.reset(seed=seed)
    if teacher.requires_task_values:
        scratch = LearnabilityGridEnv(dims=2, cells_per_dim=CELLS, task_kind=kind)
        scratch.observe(table.values)
        teacher.set_task_critic(
            ResetCritic(
                lambda: scratch,
                lambda observations, infos: [table.values[i["cell"]] / 100 for i in infos],
                seed,
            )
        )
    clock = time.thread_time
    spent = 0.0
    for _ in range(episodes):
        start = clock()
        task = teacher.sample()
        spent += clock() - start
        _, info = grid.reset(options={"task": task})
        value = float(table.values[info["cell"]]) / 100
        table.practice(info["cell"])
        _, reward, _, _, step_info = grid.step(0)
        outcome = Outcome(
            float(reward),
            success=bool(step_info["is_success"]),
            score=abs(float(reward) - 0.5) if teacher.requires_score else None,
            value=value if teacher.requires_value else None,
        )
        start = clock()
        teacher.update(task, outcome)
        spent += clock() - start
    return Cost(name, kind, episodes, spent)


def main(argv: list[str] | None = None) -> list[Cost]:
    from teachgym.teachers import teacher_names

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5000)
    parser.add_argument("--teachers", nargs="+", default=None, help="default: every one")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # Without torch no torch-based teacher can run; they are reported as not run.
    with contextlib.suppress(ImportError):
        import torch

        torch.set_num_threads(1)
    names = list(args.teachers or teacher_names())
    if REFERENCE not in names:
        names.insert(0, REFERENCE)
    costs: list[Cost] = []
    skipped: dict[str, str] = {}
    for name in names:
        try:
            cost = measure(name, args.episodes, args.seed)
        except (ValueError, TypeError, ImportError) as exc:
            skipped[name] = " ".join(str(exc).split())
            print(f"{name:>15}: not run ({skipped[name]})", flush=True)
            continue
        costs.append(cost)
        print(f"{name:>15}: {cost.us_per_episode:,.0f} us per episode ({cost.space})", flush=True)
    reference = next(c for c in costs if c.teacher == REFERENCE)
    print(f"\n{args.episodes:,} episodes per teacher, CPU time in sample() + update()\n")
    print(f"| teacher | task space | us per episode | x {REFERENCE} |")
    print("|---|---|---|---|")
    for c in costs:
        ratio = c.seconds / reference.seconds
        print(f"| {c.teacher} | {c.space} | {c.us_per_episode:,.0f} | {ratio:.2f} |")
    for name, reason in skipped.items():
        print(f"| {name} | not run: {reason} | - | - |")
    return costs


if __name__ == "__main__":
    main()
