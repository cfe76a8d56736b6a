"""The periodic evaluator: :func:`~teachgym.evaluation.evaluate` every N steps of SB3 training."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents.policy import sb3_policy
from teachgym.agents.robust_ppo import trained_steps
from teachgym.envs.task_env import TestSet
from teachgym.evaluation import EnvFn, Evaluation, evaluate
from teachgym.tasks import Task


@dataclass(frozen=True)
class EvaluationPoint:
    """One evaluation during training: environment steps collected, steps the updates
    trained on (:func:`~teachgym.agents.robust_ppo.trained_steps`), and the result."""

    env_steps: int
    trained_steps: int
    evaluation: Evaluation


class PeriodicEvaluator(BaseCallback):
    """Evaluates the model being trained every ``every`` steps and keeps the points.

    With ``unit="env"`` the check runs after every environment step (on the first step
    at or past each multiple of ``every``); with ``unit="trained"`` it runs between
    rollouts, on the transitions the updates used (RobustPPO trains on fewer than it
    collects). Evaluation plays its own environments and restores the global random
    generators (:func:`~teachgym.evaluation.evaluate`), so a training with this callback
    is exactly the training without it.

    Args:
        env_fn: builds one evaluation environment.
        tasks: the test set.
        every: steps between evaluations, >= 1.
        unit: ``"env"`` (environment steps) or ``"trained"`` (trained steps).
        episodes_per_task, seed, deterministic: as in :func:`~teachgym.evaluation.evaluate`.
        stop_at_success_rate: stop training once an evaluation's success rate reaches
            this value (``None``: never stop).
        policy: builds the evaluated policy from the model (default
            :func:`~teachgym.agents.policy.sb3_policy`), e.g.
            ``lambda m: SB3Policy(m, action_masks=True)``.
        on_evaluation: called with each new point (e.g. to print a learning curve).
    """

    def __init__(
        self,
        env_fn: EnvFn,
        tasks: TestSet | Sequence[Task],
        every: int,
        unit: Literal["env", "trained"] = "env",
        episodes_per_task: int | None = None,
        seed: int = 0,
        deterministic: bool | None = None,
        stop_at_success_rate: float | None = None,
        policy: Callable[[Any], Any] | None = None,
        on_evaluation: Callable[[EvaluationPoint], object] | None = None,
    ) -> None:
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number of steps >= 1, got {every!r}")
        if unit not in ("env", "trained"):
            raise ValueError(f"unit must be 'env' or 'trained', got {unit!r}")
        if stop_at_success_rate is not None and not 0.0 <= stop_at_success_rate <= 1.0:
            raise ValueError(f"stop_at_success_rate must be in [0, 1], got {stop_at_success_rate}")
        self.env_fn = env_fn
        self.tasks = tasks
        self.every = every
        self.unit = unit
        self.episodes_per_task = episodes_per_task
        self.seed = seed
        self.deterministic = deterministic
        self.stop_at_success_rate = stop_at_success_rate
        self.policy = policy or sb3_policy
        self.on_evaluation = on_evaluation
        self.next = every
        self.points: list[EvaluationPoint] = []
        self.reached_at: int | None = None
        """Environment steps at the first evaluation that reached ``stop_at_success_rate``."""
        self.seconds = 0.0
        """Wall time spent evaluating, in seconds."""

    def _evaluate(self, steps: int) -> bool:
        """Evaluate now; False if training should stop."""
        start = time.perf_counter()
        result = evaluate(
            self.policy(self.model),
            self.tasks,
            self.env_fn,
            self.episodes_per_task,
            seed=self.seed,
            deterministic=self.deterministic,
        )
        self.seconds += time.perf_counter() - start
        point = EvaluationPoint(self.model.num_timesteps, trained_steps(self.model), result)
        self.points.append(point)
        self.next = (steps // self.every + 1) * self.every
        if self.on_evaluation is not None:
            self.on_evaluation(point)
        threshold = self.stop_at_success_rate
        if threshold is None or result.success_rate is None or result.success_rate < threshold:
            return True
        self.reached_at = point.env_steps
        return False

    def _on_rollout_start(self) -> None:
        if self.unit == "trained" and self.reached_at is None:
            trained = trained_steps(self.model)
            if trained >= self.next:
                self._evaluate(trained)

    def _on_step(self) -> bool:
        if self.reached_at is not None:
            return False
        if self.unit == "env" and self.num_timesteps >= self.next:
            return self._evaluate(self.num_timesteps)
        return True
