"""Exp3.S: the non-stationary adversarial bandit of automated curriculum learning.

Source: Graves, Bellemare, Menick, Munos, Kavukcuoglu, "Automated Curriculum Learning
for Neural Networks", ICML 2017 (arXiv:1704.03003), Section 2 (Exp3 and Exp3.S,
reward scaling) and Algorithm 1; Exp3.S itself is Auer, Cesa-Bianchi, Freund,
Schapire, SIAM J. Computing 2002. See docs/references.md [graves2017], [auer2002].

Per arm a weight ``w`` (all 0 at first). The policy mixes the softmax of the weights
with the uniform distribution::

    pi = (1 - epsilon) * exp(w) / sum(exp(w)) + epsilon / N

After an episode of arm ``k`` the learning progress ``nu`` is rescaled to ``r`` in
[-1, 1] by the 20th and 80th percentiles ``q_lo``, ``q_hi`` of the progress seen
before it (``r = -1`` below ``q_lo``, ``1`` above ``q_hi``, linear in between; 0
while nothing was seen, or when the two quantiles are equal and ``nu`` is between
them). Past progress is kept as a reservoir sample (``reservoir`` values). Then
with ``rb_i = (r * [i == k] + beta) / pi_i`` and ``v = w + eta * rb``::

    w_i <- log((1 - alpha_t) * exp(v_i) + alpha_t / (N - 1) * sum_{j != i} exp(v_j))

``alpha_t = 1 / t`` at the ``t``-th update unless ``share`` fixes it. The weights are
then shifted so that their maximum is 0, which changes no probability. Defaults
``eta = 1e-3``, ``epsilon = 0.05``, ``beta = 0``: the values the paper used for every
experiment.

Deviations: the paper's progress signals (prediction gain, complexity gain) need the
network's loss on the sample; here ``nu`` is the change of the arm's return since its
previous episode (its magnitude with ``absolute=True``), a learning-progress signal
any student gives, and it is not divided by the episode's cost in time. ``pi`` is the
current policy when the episode is reported (tasks handed out ahead of their reports
were drawn from an earlier one). The reservoir size is teachgym's choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.tasks import TaskSpace
from teachgym.teachers.bandits.base import BanditTeacher, draw, softmax
from teachgym.teachers.base import Outcome
from teachgym.validation import check_bool, check_int, check_real

QUANTILES = (0.2, 0.8)
"""The paper's q_lo and q_hi: the 20th and 80th percentiles of past progress."""


def rescale(progress: float, history: np.ndarray) -> float:
    """``progress`` mapped to [-1, 1] by the 20th/80th percentiles of ``history``."""
    if history.size == 0:
        return 0.0
    low, high = (float(q) for q in np.quantile(history, QUANTILES))
    if progress < low:
        return -1.0
    if progress > high:
        return 1.0
    return 0.0 if high == low else 2.0 * (progress - low) / (high - low) - 1.0


class Exp3STeacher(BanditTeacher):
    """Exp3.S on learning progress (module docstring).

    Args:
        task_space: any task space; arms as :class:`~teachgym.teachers.bandits.base.BanditTeacher`.
        seed: seed of the teacher's generator (choices and the reservoir).
        eta: step size of the weights.
        epsilon: share of uniform exploration in the policy.
        beta: the Exp3.S bias added to every arm's importance-weighted reward.
        share: ``alpha``, the share of weight passed between arms; ``None``: ``1 / t``.
        reservoir: past progress values kept to compute the quantiles.
        absolute: use the magnitude of the return change as progress.
        cells: cells per continuous parameter.
        subspaces: named sub-spaces as arms instead of the grid.
    """

    name = "exp3s"

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        eta: float = 1e-3,
        epsilon: float = 0.05,
        beta: float = 0.0,
        share: float | None = None,
        reservoir: int = 1000,
        absolute: bool = False,
        cells: int | Mapping[str, int] = 10,
        subspaces: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(task_space, seed, cells, subspaces)
        owner = f"teacher {self.name!r}"
        self.eta = check_real(owner, "eta", eta, above=0.0)
        self.epsilon = check_real(owner, "epsilon", epsilon, minimum=0.0, maximum=1.0)
        self.beta = check_real(owner, "beta", beta, minimum=0.0)
        self.share = None if share is None else check_real(owner, "share", share, 0.0, 1.0)
        self.reservoir = check_int(owner, "reservoir", reservoir, minimum=1, maximum=10**7)
        self.absolute = check_bool(owner, "absolute", absolute)
        self.weights = np.zeros(self.n_arms)
        self.history = np.zeros(0)
        """The reservoir sample of past (unscaled) progress values."""
        self.n_progress = 0
        """Progress values offered to the reservoir so far."""

    def probabilities(self) -> np.ndarray:
        """The policy ``pi`` over arms."""
        result: np.ndarray = (1.0 - self.epsilon) * softmax(
            self.weights, 1.0
        ) + self.epsilon / self.n_arms
        return result

    def choose_arm(self) -> int:
        return draw(self.probabilities(), self.rng)

    def _learn(self, arm: int, outcome: Outcome) -> None:
        progress = self.return_change(arm, outcome)
        if self.absolute:
            progress = abs(progress)
        reward = rescale(progress, self.history)
        self._remember(progress)
        pi = self.probabilities()
        bonus = np.full(self.n_arms, self.beta)
        bonus[arm] += reward
        v = self.weights + self.eta * bonus / pi
        t = self.n_updates + 1
        alpha = 1.0 / t if self.share is None else self.share
        if self.n_arms > 1 and alpha > 0.0:
            total = np.logaddexp.reduce(v)
            with np.errstate(divide="ignore"):
                others = total + np.log1p(-np.minimum(np.exp(v - total), 1.0))
                kept = np.log1p(-alpha) + v if alpha < 1.0 else np.full_like(v, -np.inf)
                v = np.logaddexp(kept, np.log(alpha / (self.n_arms - 1)) + others)
        self.weights = v - v.max()

    def _remember(self, progress: float) -> None:
        """Reservoir sampling (Algorithm R) of the progress values."""
        self.n_progress += 1
        if self.history.size < self.reservoir:
            self.history = np.append(self.history, progress)
            return
        slot = int(self.rng.integers(self.n_progress))
        if slot < self.reservoir:
            self.history[slot] = progress

    def arm_values(self) -> np.ndarray:
        return self.weights.copy()

    # -- state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "weights": self.weights.copy(),
            "history": self.history.copy(),
            "n_progress": self.n_progress,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.weights = self._arm_array(state["weights"], np.float64)
        self.history = np.array(state["history"], dtype=np.float64).reshape(-1)
        self.n_progress = int(state["n_progress"])
