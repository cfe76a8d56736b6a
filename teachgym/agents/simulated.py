"""A simulated student for the learnability grid: the environment's competence table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from teachgym.agents.student import EnvFn, ProgressFn, Student
from teachgym.curriculum import Curriculum, CurriculumWrapper
from teachgym.envs.learnability_grid import LearnabilityGridEnv
from teachgym.state_io import load_state, save_state
from teachgym.tasks import Task


class SimulatedStudent(Student):
    """Trains on ``teachgym/LearnabilityGrid-v0`` without a neural network.

    One environment step is one episode (the grid's episodes last one step), so
    ``learn(curriculum, 20_000)`` runs 20,000 episodes. Evaluation reads the
    competence of each task's cell without training it.
    """

    name = "simulated"

    def __init__(self, env_fn: EnvFn, seed: int = 0) -> None:
        super().__init__(env_fn, seed)
        self.env = env_fn()
        grid = self.env.unwrapped
        if not isinstance(grid, LearnabilityGridEnv):
            raise ValueError(
                f"the simulated student works on teachgym/LearnabilityGrid-v0 only, "
                f"not {type(grid).__name__}; use an SB3 student (e.g. 'ppo') instead"
            )
        self.grid = grid
        self.env.reset(seed=seed)

    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        self.check_teacher(curriculum.teacher)
        env = CurriculumWrapper(self.env, curriculum)
        for _ in range(total_steps):
            env.reset()
            env.step(0)
            self.steps_done += 1
            if progress is not None:
                progress(1)

    def act(self, observation: Any, deterministic: bool = True) -> int:
        return 0

    def evaluate(
        self, tasks: Sequence[Task], episodes_per_task: int = 1, seed: int = 0
    ) -> np.ndarray:
        """Competence of each task's cell in [0, 1], repeated ``episodes_per_task`` times."""
        values = np.array([self.grid.competence_of(task) for task in tasks])
        return np.repeat(values[:, None], episodes_per_task, axis=1)

    def _save_model(self, directory: Path) -> None:
        save_state({"competence": self.grid.competence.copy()}, directory / "competence")

    def _load_model(self, directory: Path) -> None:
        competence = load_state(directory / "competence")["competence"]
        if competence.shape != self.grid.competence.shape:
            raise ValueError(
                f"saved competence table has shape {competence.shape}, this grid has "
                f"{self.grid.competence.shape}; build the student for the same grid"
            )
        self.grid.competence[...] = competence
