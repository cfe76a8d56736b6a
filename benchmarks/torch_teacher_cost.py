"""Torch teachers' cost: teacher time per episode and per network training, beside ALP-GMM.

Run ``OMP_NUM_THREADS=1 python benchmarks/torch_teacher_cost.py`` (torch uses one
thread). Each configuration is told ``--episodes`` outcomes on a 2-D unit task space,
all in this one process, one after the other, from the same simulated student: an
episode on task (x, y) succeeds with probability (x + y) / 2 and returns 1 on success,
else 0 (so goals of every difficulty exist and the networks train).

It prints, per teacher and preset: the teacher's CPU time per episode (``sample()`` +
``update()``, network trainings included), the number of trainings (GAN trainings for
GoalGAN, judge and setter updates for Setter-Solver), the CPU seconds of one training,
and the per-episode time as a multiple of ALP-GMM's.

Options: ``--episodes`` (default 3000), ``--seed`` (default 0), ``--teachers`` (labels
of :data:`CONFIGS`).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

CONFIGS: dict[str, tuple[str, str | None]] = {
    "alp-gmm": ("alp-gmm", None),
    "goal-gan": ("goal-gan", None),
    "goal-gan/skills": ("goal-gan", "skills"),
    "setter-solver": ("setter-solver", None),
    "setter-solver/teachmyagent": ("setter-solver", "teachmyagent"),
    "setter-solver/skills": ("setter-solver", "skills"),
}
"""Label -> (teacher name, preset): the published sizes and the cheaper presets."""


@dataclass(frozen=True)
class Cost:
    label: str
    episodes: int
    teacher_seconds: float
    trainings: int
    training_seconds: float

    @property
    def ms_per_episode(self) -> float:
        return 1e3 * self.teacher_seconds / self.episodes

    @property
    def seconds_per_training(self) -> float:
        return self.training_seconds / self.trainings if self.trainings else float("nan")


def measure(label: str, episodes: int, seed: int) -> Cost:
    """Drive the configuration ``label`` for ``episodes`` episodes; its CPU times."""
    import numpy as np
    import torch

    from teachgym.tasks import Continuous, TaskSpace
    from teachgym.teachers import Outcome, make_teacher

    torch.set_num_threads(1)
    name, preset = CONFIGS[label]
    space = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(0.0, 1.0)})
    teacher = make_teacher(name, space, seed=seed, preset=preset)
    rng = np.random.default_rng(seed)
    clock = time.thread_time  # this thread's CPU time: other processes do not inflate it
    teacher_seconds = training_seconds = 0.0
    for _ in range(episodes):
        start = clock()
        task = teacher.sample()
        teacher_seconds += clock() - start
        success = bool(rng.random() < space.to_vector(task).mean())
        before = teacher.diagnostics().get("trainings", 0)
        start = clock()
        teacher.update(task, Outcome(float(success), success=success))
        spent = clock() - start
        teacher_seconds += spent
        if teacher.diagnostics().get("trainings", 0) != before:
            training_seconds += spent
    trainings = int(teacher.diagnostics().get("trainings", 0))
    return Cost(label, episodes, teacher_seconds, trainings, training_seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--teachers", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    labels = ["alp-gmm", *(t for t in args.teachers if t != "alp-gmm")]
    costs = [measure(label, args.episodes, args.seed) for label in labels]
    reference = costs[0].ms_per_episode
    print(f"2-D unit task space, success probability (x + y) / 2, {args.episodes} episodes")
    print(f"{'teacher':<22}{'ms/episode':>12}{'trainings':>11}{'s/training':>12}{'x alp-gmm':>11}")
    for cost in costs:
        print(
            f"{cost.label:<22}{cost.ms_per_episode:>12.3f}{cost.trainings:>11d}"
            f"{cost.seconds_per_training:>12.3f}{cost.ms_per_episode / reference:>11.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
