"""Stable-Baselines3 callbacks teachgym's students and benchmarks share."""

from __future__ import annotations

from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents.robust_ppo import trained_steps


class StopAfterTrainedSteps(BaseCallback):
    """Stops training once the updates have used ``budget`` transitions.

    Checked between rollouts: :class:`~teachgym.agents.robust_ppo.RobustPPO` counts only
    the transitions it kept, any other algorithm every one it collected.

    Args:
        budget: transitions the updates may use, > 0.
    """

    def __init__(self, budget: int) -> None:
        super().__init__()
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"budget must be a positive integer of transitions, got {budget!r}")
        self.budget = budget
        self.trained = 0

    def _on_rollout_start(self) -> None:
        self.trained = trained_steps(self.model)

    def _on_step(self) -> bool:
        return self.trained < self.budget
