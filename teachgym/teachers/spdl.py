"""SPDL: self-paced deep RL, a Gaussian context distribution moved toward a target.

Source: Klink, Abdulsamad, Belousov, Peters, "Self-Paced Deep Reinforcement
Learning", NeurIPS 2020; as wrapped in TeachMyAgent (Romac et al.,
ICML 2021), ``TeachMyAgent/teachers/algos/self_paced_teacher.py`` and
``teachers/utils/alpha_functions.py`` at commit ``ce15344``. See
docs/references.md [klink2020], [romac2021].

The teacher samples tasks from a Gaussian p_nu over the task space's normalised
[0, 1] vectors (clipped to the unit box; integers rounded). It buffers the last
``buffer_size`` (context, value) pairs, the value being the student's V(s0, c) of
each episode's initial state. Every ``update_frequency`` environment steps, once
``update_offset`` steps are done, it solves::

    max_nu  mean_i[ p_nu(c_i) / p_old(c_i) · V_i ] - alpha · KL(p_nu ‖ μ)
    s.t.   KL(p_old ‖ p_nu) ≤ max_kl

where μ is the target distribution, then empties the buffer. The penalty follows
the reference's alpha function: alpha = 0 for the first ``alpha_offset`` updates, then
alpha = min(1e5, zeta · max(mean V, 0) / KL(p_nu ‖ μ)) (mean V: the buffered values, or
with ``use_average_return`` the mean return since the last update). Optionally
(``std_lower_bound`` with ``kl_threshold``) the Cholesky diagonal is kept above a
floor while KL(p_nu ‖ μ) exceeds the threshold. The distribution's parameters are
the reference's: the mean and the Cholesky factor of the covariance, its diagonal
as logarithms. Working on normalised vectors changes nothing: KL divergences and
density ratios are invariant under the per-dimension affine map.

Defaults are the reference's: its constructor's ``max_kl`` 0.1 and buffer of 1000
contexts, its run script's update every 100k steps after a 200k-step offset,
``zeta`` 0.05 and no alpha offset; initial distribution: mean ``initial_task`` (a
uniform draw when ``None``) with std 0.1 of each range; target: mean
``target_task`` (the centre when ``None``) with std 0.25 of each range. The
``teachmyagent`` preset holds TeachMyAgent's run values: update every 50k steps
after 200k, ``alpha_offset`` 10, ``zeta`` 0.25, ``max_kl`` 0.1, average returns.

Deviations from the reference code:

- The trust-region step is the reference's natural-gradient step (direction
  F⁻¹ g scaled to ½ sᵀFs = ``max_kl``, then up to 10 halvings), but F (the Fisher
  matrix of the KL, damping 1e-2 as in the reference) is computed from the analytic
  gradient and solved exactly instead of by 10 conjugate-gradient iterations; and a
  step is accepted only if it keeps KL(p_old ‖ p_new) ≤ ``max_kl`` and does not lower
  the objective, where the reference accepts it if either holds, with 1.5 x ``max_kl``.
- Teachers never see the student, so each context's value is the one the student
  reported with the episode (computed when the episode ended), where the reference
  values every buffered initial state again at update time.
- Steps are counted from the episodes' lengths; an update happens at the end of the
  episode during which the count reaches a multiple of ``update_frequency`` (that
  episode included), not in the middle of it.
- ``use_average_return`` averages undiscounted episode returns (the reference
  averages discounted ones: the teacher sees no per-step rewards).

:class:`SPDLReturnsTeacher` (``spdl-returns``) is a further deviation for students
without a value estimate: each context's episode return stands in for V(s0, c).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.linalg import solve_triangular

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.validation import check_bool, check_int, check_real

MAX_ALPHA = 1e5
"""The reference alpha function's ceiling."""

LINE_SEARCH_STEPS = 10
"""Step sizes tried (halving from the full natural-gradient step), as in the reference."""

CG_DAMPING = 1e-2
"""Added to the Fisher matrix's diagonal before solving, the reference's ``cg_damping``."""

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "teachmyagent": {
        "update_frequency": 50_000,
        "update_offset": 200_000,
        "alpha_offset": 10,
        "zeta": 0.25,
        "max_kl": 0.1,
        "use_average_return": True,
    },
}


# -- Gaussian in the reference's parameters: [mean, log diag(L), strictly lower L] ------
def pack(mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """Parameter vector of N(mean, chol cholᵀ), shape ``(d + d(d+1)/2,)``."""
    d = mean.shape[0]
    return np.concatenate([mean, np.log(np.diag(chol)), chol[np.tril_indices(d, k=-1)]])


def unpack(theta: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """``(mean (d,), chol (d, d) lower triangular)`` of a parameter vector."""
    chol = np.zeros((d, d))
    chol[np.diag_indices(d)] = np.exp(theta[d : 2 * d])
    chol[np.tril_indices(d, k=-1)] = theta[2 * d :]
    return theta[:d].copy(), chol


def _flat_gradient(g_mean: np.ndarray, g_chol: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """Gradients in (mean, chol) -> gradient in the parameter vector (chain rule on exp)."""
    d = g_mean.shape[0]
    return np.concatenate(
        [g_mean, np.diag(g_chol) * np.diag(chol), g_chol[np.tril_indices(d, k=-1)]]
    )


def _whiten(theta: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(z, log densities, L⁻ᵀ)``: ``z = L⁻¹ (x - mean)`` of each row, shape ``(d, n)``."""
    d = points.shape[1]
    mean, chol = unpack(theta, d)
    inv = np.linalg.inv(chol)
    z = inv @ (points - mean).T
    log_norm = np.sum(np.log(np.diag(chol))) + 0.5 * d * np.log(2 * np.pi)
    return z, -0.5 * np.sum(z**2, axis=0) - log_norm, inv.T


def log_density(theta: np.ndarray, points: np.ndarray) -> np.ndarray:
    """log N(points; θ) of each row of ``points`` ``(n, d)``, shape ``(n,)``."""
    return _whiten(theta, points)[1]


def kl_divergence(theta_p: np.ndarray, theta_q: np.ndarray, d: int) -> float:
    """KL(p ‖ q) between two Gaussians given by parameter vectors."""
    mean_p, chol_p = unpack(theta_p, d)
    mean_q, chol_q = unpack(theta_q, d)
    a = solve_triangular(chol_q, chol_p, lower=True)
    b = solve_triangular(chol_q, mean_q - mean_p, lower=True)
    log_det = 2 * (np.sum(np.log(np.diag(chol_q))) - np.sum(np.log(np.diag(chol_p))))
    return float(0.5 * (np.sum(a**2) + np.sum(b**2) - d + log_det))


def kl_to_gradient(theta: np.ndarray, theta_q: np.ndarray, d: int) -> np.ndarray:
    """Gradient of KL(p_θ ‖ q) in θ."""
    mean, chol = unpack(theta, d)
    mean_q, chol_q = unpack(theta_q, d)
    precision_q = np.linalg.inv(chol_q @ chol_q.T)
    inv_t = np.linalg.inv(chol).T
    return _flat_gradient(precision_q @ (mean - mean_q), np.tril(precision_q @ chol - inv_t), chol)


def kl_from_gradient(theta: np.ndarray, theta_old: np.ndarray, d: int) -> np.ndarray:
    """Gradient of KL(p_old ‖ p_θ) in θ."""
    mean, chol = unpack(theta, d)
    mean_old, chol_old = unpack(theta_old, d)
    inv = np.linalg.inv(chol)
    precision = inv.T @ inv
    delta = mean - mean_old
    spread = chol_old @ chol_old.T + np.outer(delta, delta)
    return _flat_gradient(precision @ delta, np.tril(inv.T - precision @ spread @ inv.T), chol)


def trust_region_metric(theta: np.ndarray, d: int, step: float = 1e-5) -> np.ndarray:
    """Hessian of KL(p_θ ‖ p_θ') in θ' at θ' = θ (the Fisher information), by central
    differences of the analytic gradient, shape ``(p, p)``."""
    size = theta.size
    metric = np.empty((size, size))
    for j in range(size):
        shift = np.zeros(size)
        shift[j] = step
        metric[:, j] = (
            kl_from_gradient(theta + shift, theta, d) - kl_from_gradient(theta - shift, theta, d)
        ) / (2 * step)
    result: np.ndarray = 0.5 * (metric + metric.T)
    return result


def weighted_value(
    theta: np.ndarray, contexts: np.ndarray, old_log_density: np.ndarray, values: np.ndarray
) -> tuple[float, np.ndarray]:
    """Importance-weighted mean value mean_i[p_θ(c_i) / p_old(c_i) · V_i] and its gradient."""
    n, d = contexts.shape
    z, log_p, inv_t = _whiten(theta, contexts)
    chol = unpack(theta, d)[1]
    weights = np.exp(np.minimum(log_p - old_log_density, 700.0)) * values / n  # finite far out
    g_mean = inv_t @ (z @ weights)
    g_chol = np.tril(inv_t @ ((z * weights) @ z.T) - weights.sum() * inv_t)
    return float(weights.sum()), _flat_gradient(g_mean, g_chol, chol)


def _check_std(owner: str, name: str, value: Any, dim: int) -> np.ndarray:
    """A positive std per dimension (in normalised units) from a number or a sequence."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        stds = [check_real(owner, f"{name}[{i}]", v, above=0) for i, v in enumerate(value)]
        if len(stds) != dim:
            raise TeachgymUsageError(
                f"{owner}: {name} needs one value per task dimension ({dim}), got {len(stds)}"
            )
        return np.array(stds)
    return np.full(dim, check_real(owner, name, value, above=0))


class SPDLTeacher(Teacher):
    """Self-paced deep RL (see the module docstring). Needs the student's values.

    Args:
        task_space: continuous and integer parameters only.
        seed: seed of the teacher's generator.
        initial_task: mean of the initial distribution (``None``: a uniform draw).
        initial_std: its std per dimension, as a fraction of each parameter's range.
        target_task: mean of the target distribution μ (``None``: the centre).
        target_std: its std per dimension, as a fraction of each range.
        update_frequency: environment steps between two updates.
        update_offset: environment steps before the first update.
        max_kl: trust region ε: KL(p_old ‖ p_new) at most this per update.
        zeta: the alpha function's share ζ of the mean value.
        alpha_offset: updates with alpha = 0 before the penalty starts.
        use_average_return: alpha from the mean episode return since the last update
            instead of the mean buffered value.
        buffer_size: contexts kept between two updates (the most recent).
        std_lower_bound: floor on the Cholesky diagonal (normalised units) while
            KL(p ‖ μ) > ``kl_threshold``; ``None``: no floor.
        kl_threshold: the KL above which the floor applies (needed with the floor).

    Raises:
        TeachgymUsageError: for a bad hyperparameter value, a floor without a
            threshold, or an initial or target task outside the task space.
    """

    name = "spdl"
    requires_value = True
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        initial_task: Mapping[str, Any] | None = None,
        initial_std: float | Sequence[float] = 0.1,
        target_task: Mapping[str, Any] | None = None,
        target_std: float | Sequence[float] = 0.25,
        update_frequency: int = 100_000,
        update_offset: int = 200_000,
        max_kl: float = 0.1,
        zeta: float = 0.05,
        alpha_offset: int = 0,
        use_average_return: bool = False,
        buffer_size: int = 1000,
        std_lower_bound: float | None = None,
        kl_threshold: float | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        owner = f"teacher {self.name!r}"
        task_space.require_numeric("SPDL")
        dim = task_space.dim
        init_std = _check_std(owner, "initial_std", initial_std, dim)
        goal_std = _check_std(owner, "target_std", target_std, dim)
        self.initial_std = (
            initial_std if isinstance(initial_std, int | float) else list(initial_std)
        )
        self.target_std = target_std if isinstance(target_std, int | float) else list(target_std)
        self.update_frequency = check_int(owner, "update_frequency", update_frequency, minimum=1)
        self.update_offset = check_int(owner, "update_offset", update_offset, minimum=0)
        self.max_kl = check_real(owner, "max_kl", max_kl, above=0)
        self.zeta = check_real(owner, "zeta", zeta, minimum=0)
        self.alpha_offset = check_int(owner, "alpha_offset", alpha_offset, minimum=0)
        self.use_average_return = check_bool(owner, "use_average_return", use_average_return)
        self.buffer_size = check_int(owner, "buffer_size", buffer_size, minimum=1)
        if (std_lower_bound is None) != (kl_threshold is None):
            raise TeachgymUsageError(
                f"{owner}: std_lower_bound and kl_threshold go together; give both or neither"
            )
        self.std_lower_bound = (
            None
            if std_lower_bound is None
            else check_real(owner, "std_lower_bound", std_lower_bound, above=0)
        )
        self.kl_threshold = (
            None
            if kl_threshold is None
            else check_real(owner, "kl_threshold", kl_threshold, minimum=0)
        )
        self.initial_task = None if initial_task is None else task_space.validate(initial_task)
        self.target_task = None if target_task is None else task_space.validate(target_task)
        start = (
            self.rng.random(dim)
            if self.initial_task is None
            else task_space.to_vector(self.initial_task).astype(np.float64)
        )
        goal = (
            np.full(dim, 0.5)
            if self.target_task is None
            else task_space.to_vector(self.target_task).astype(np.float64)
        )
        self.theta = pack(start, np.diag(init_std))
        """The context distribution's parameters (:func:`unpack` gives mean and Cholesky)."""
        self.target_theta = pack(goal, np.diag(goal_std))
        """The target distribution μ's parameters."""
        self.contexts: list[np.ndarray] = []
        self.values: list[float] = []
        self.steps = 0
        self.n_iterations = 0
        self.return_sum = 0.0
        self.return_count = 0
        self.alpha = 0.0

    # -- the distribution -------------------------------------------------------
    @property
    def mean(self) -> np.ndarray:
        """Mean of the context distribution, shape ``(d,)``, normalised units."""
        return unpack(self.theta, self.task_space.dim)[0]

    @property
    def covariance(self) -> np.ndarray:
        """Covariance of the context distribution, shape ``(d, d)``, normalised units."""
        chol = unpack(self.theta, self.task_space.dim)[1]
        result: np.ndarray = chol @ chol.T
        return result

    def kl_to_target(self) -> float:
        """KL(p_nu ‖ μ)."""
        return kl_divergence(self.theta, self.target_theta, self.task_space.dim)

    # -- protocol -----------------------------------------------------------------
    def _sample(self) -> Task:
        mean, chol = unpack(self.theta, self.task_space.dim)
        draw = mean + chol @ self.rng.standard_normal(self.task_space.dim)
        return self.task_space.from_vector(np.clip(draw, 0.0, 1.0))

    def _value(self, outcome: Outcome) -> float:
        """The estimate of V(s0, c) this teacher learns from."""
        assert outcome.value is not None  # Teacher.update refused outcomes without one
        return float(outcome.value)

    def _update(self, task: Task, outcome: Outcome) -> None:
        self.contexts.append(self.task_space.to_vector(task).astype(np.float64))
        self.values.append(self._value(outcome))
        if len(self.values) > self.buffer_size:
            del self.contexts[0], self.values[0]
        self.return_sum += outcome.episode_return
        self.return_count += 1
        before, self.steps = self.steps, self.steps + outcome.length
        due = (self.steps // self.update_frequency) * self.update_frequency
        if due > before and due >= self.update_offset:
            self._step_distribution()

    def _step_distribution(self) -> None:
        """One SPDL update on the buffered contexts; empties the buffer."""
        contexts, values = np.array(self.contexts), np.array(self.values)
        performance = (
            self.return_sum / self.return_count if self.use_average_return else values.mean()
        )
        self.contexts, self.values = [], []
        self.return_sum, self.return_count = 0.0, 0
        self.n_iterations += 1
        if self.n_iterations < self.alpha_offset:
            self.alpha = 0.0
        else:
            spread = max(self.kl_to_target(), 1e-10)
            self.alpha = min(MAX_ALPHA, self.zeta * max(float(performance), 0.0) / spread)
        self.theta = self.constrained_step(contexts, values, self.alpha)
        floor, threshold = self.std_lower_bound, self.kl_threshold
        if floor is not None and threshold is not None and self.kl_to_target() > threshold:
            dim = self.task_space.dim
            self.theta[dim : 2 * dim] = np.maximum(self.theta[dim : 2 * dim], np.log(floor))

    def objective(
        self, theta: np.ndarray, contexts: np.ndarray, values: np.ndarray, alpha: float
    ) -> tuple[float, np.ndarray]:
        """The SPDL objective at θ and its gradient in θ, for ``contexts`` ``(n, d)`` drawn
        from the current distribution with values ``(n,)``."""
        dim = self.task_space.dim
        old = log_density(self.theta, contexts)
        value, gradient = weighted_value(theta, contexts, old, values)
        penalty = kl_divergence(theta, self.target_theta, dim)
        penalty_gradient = kl_to_gradient(theta, self.target_theta, dim)
        return value - alpha * penalty, gradient - alpha * penalty_gradient

    def constrained_step(
        self, contexts: np.ndarray, values: np.ndarray, alpha: float
    ) -> np.ndarray:
        """The parameters after one natural-gradient step on :meth:`objective` within the
        trust region ``max_kl`` (the old parameters if no step improves it within it).

        Args:
            contexts: ``(n, d)`` normalised contexts drawn from the current distribution.
            values: ``(n,)`` their values.
            alpha: weight of the KL penalty toward the target.
        """
        dim = self.task_space.dim
        old_theta = self.theta.copy()
        start, gradient = self.objective(old_theta, contexts, values, alpha)
        if np.linalg.norm(gradient) < 1e-10:
            return old_theta
        fisher = trust_region_metric(old_theta, dim) + CG_DAMPING * np.eye(old_theta.size)
        direction = np.linalg.solve(fisher, gradient)
        quadratic = 0.5 * direction @ fisher @ direction
        step = direction * np.sqrt(self.max_kl / quadratic)
        for _ in range(LINE_SEARCH_STEPS):
            candidate = old_theta + step
            with np.errstate(over="ignore", invalid="ignore"):
                within = kl_divergence(old_theta, candidate, dim) <= self.max_kl
                if within and self.objective(candidate, contexts, values, alpha)[0] >= start:
                    return candidate
            step = step / 2
        return old_theta

    # -- introspection ----------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: updates so far, buffered contexts, current alpha and KL to the target."""
        return {
            **super().diagnostics(),
            "spdl_updates": self.n_iterations,
            "buffered_contexts": len(self.values),
            "alpha": self.alpha,
            "kl_to_target": self.kl_to_target(),
        }

    # -- state ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        dim = self.task_space.dim
        return {
            **super().state_dict(),
            "theta": self.theta.copy(),
            "contexts": np.array(self.contexts).reshape(-1, dim),
            "values": np.array(self.values, dtype=np.float64),
            "steps": self.steps,
            "iterations": self.n_iterations,
            "return_sum": self.return_sum,
            "return_count": self.return_count,
            "alpha": self.alpha,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            theta = np.asarray(state["theta"], dtype=np.float64)
            contexts = np.asarray(state["contexts"], dtype=np.float64)
            values = np.asarray(state["values"], dtype=np.float64)
            counters = (int(state["steps"]), int(state["iterations"]), int(state["return_count"]))
            return_sum, alpha = float(state["return_sum"]), float(state["alpha"])
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
        dim = self.task_space.dim
        if theta.shape != self.theta.shape or contexts.shape != (values.size, dim):
            raise ValueError(f"saved {self.name} state does not fit a {dim}-parameter space")
        self.theta = theta
        self.contexts, self.values = list(contexts), values.tolist()
        self.steps, self.n_iterations, self.return_count = counters
        self.return_sum, self.alpha = return_sum, alpha


class SPDLReturnsTeacher(SPDLTeacher):
    """SPDL for students without a value estimate: each episode's return stands in for
    V(s0, c) (a deviation from [klink2020], which uses the student's value function)."""

    name = "spdl-returns"
    requires_value = False

    def _value(self, outcome: Outcome) -> float:
        return float(outcome.episode_return)
