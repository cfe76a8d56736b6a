"""Gaussian mixtures for the GMM teachers: fit a batch, keep the best, sample tasks fast.

ALP-GMM and Covar-GMM fit scikit-learn ``GaussianMixture`` models (full
covariance, k-means initialisation, one EM initialisation, a fixed
``random_state``) for every k in ``potential_ks`` on the same data, and keep the
one with the lowest information criterion (REFERENCE.md, "ALP-GMM"):

- ``aic``: scikit-learn's ``GaussianMixture.aic``;
- ``bic``: scikit-learn's ``GaussianMixture.bic``;
- ``aicc``: AIC + 2p(p + 1) / (n - p - 1) with p free parameters and n points
  (+inf when n <= p + 1, so such a k is never kept). The 2019 code counted the
  parameters of the task dimensions only; here p counts every fitted dimension.

Speed without changing what is fitted: the fits run with BLAS/OpenMP limited to
one thread (much faster for a few hundred points than a thread pool), and the
kept mixture precomputes everything sampling needs (the Cholesky factor of each
component's task block, the component-choice table), so a draw is O(d^2).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

CRITERIA = ("aic", "bic", "aicc")


def check_potential_ks(teacher: str, ks: Any, fit_rate: int) -> tuple[int, ...]:
    """Validate the numbers of components to try: distinct integers in [1, fit_rate]."""
    try:
        values = tuple(int(k) for k in ks)
    except (TypeError, ValueError):
        raise ValueError(
            f"{teacher}: potential_ks must be a list of integers, got {ks!r}"
        ) from None
    if (
        not values
        or len(set(values)) != len(values)
        or any(k != raw or isinstance(raw, bool) for k, raw in zip(values, ks, strict=True))
        or min(values) < 1
        or max(values) > fit_rate
    ):
        raise ValueError(
            f"{teacher}: potential_ks must be distinct integers in [1, fit_rate={fit_rate}] "
            f"(a mixture cannot have more components than points), got {list(ks)!r}"
        )
    return values


def check_criterion(teacher: str, criterion: Any) -> str:
    if criterion not in CRITERIA:
        raise ValueError(f"{teacher}: criterion must be one of {CRITERIA}, got {criterion!r}")
    return str(criterion)


def information_criterion(model: GaussianMixture, data: np.ndarray, criterion: str) -> float:
    """``aic``, ``bic`` or ``aicc`` of a fitted model on ``data`` (lower is better)."""
    if criterion == "bic":
        return float(model.bic(data))
    aic = float(model.aic(data))
    if criterion == "aic":
        return aic
    n, p = data.shape[0], model._n_parameters()
    return aic + 2.0 * p * (p + 1) / (n - p - 1) if n > p + 1 else math.inf


@dataclass
class Mixture:
    """A fitted Gaussian mixture over ``[task (task_dim values), extra columns]``.

    Attributes:
        weights: shape ``(k,)``.
        means: shape ``(k, n_features)``.
        covariances: shape ``(k, n_features, n_features)``.
        task_dim: the first ``task_dim`` features are the task vector.
        criterion_values: the criterion of every candidate k (for diagnostics).
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    task_dim: int
    criterion_values: np.ndarray
    _task_cholesky: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        d = self.task_dim
        # Sampling the full Gaussian and dropping the extra columns is sampling the
        # marginal over the task block: mean[:d], covariance[:d, :d].
        self._task_cholesky = np.linalg.cholesky(self.covariances[:, :d, :d])

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    def sample_task_vector(self, component: int, rng: np.random.Generator) -> np.ndarray:
        """One draw of the task block of ``component`` (not clipped), shape ``(task_dim,)``."""
        noise = rng.standard_normal(self.task_dim)
        result: np.ndarray = self.means[component, : self.task_dim] + (
            self._task_cholesky[component] @ noise
        )
        return result

    def to_state(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "means": self.means,
            "covariances": self.covariances,
            "task_dim": self.task_dim,
            "criterion_values": self.criterion_values,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Mixture:
        return cls(
            weights=np.asarray(state["weights"], dtype=np.float64),
            means=np.asarray(state["means"], dtype=np.float64),
            covariances=np.asarray(state["covariances"], dtype=np.float64),
            task_dim=int(state["task_dim"]),
            criterion_values=np.asarray(state["criterion_values"], dtype=np.float64),
        )


def fit_best_mixture(
    data: np.ndarray,
    potential_ks: Sequence[int],
    criterion: str,
    random_state: int,
    task_dim: int,
    n_init: int = 1,
) -> Mixture:
    """Fit one full-covariance mixture per k on ``data`` (shape ``(n, n_features)``); keep the best.

    Every fit uses the same ``random_state`` (as the reference code), so the result is a
    pure function of the data and the hyperparameters.
    """
    best: GaussianMixture | None = None
    values = np.empty(len(potential_ks))
    with threadpool_limits(limits=1), np.errstate(under="ignore"), warnings.catch_warnings():
        # Duplicate points (integer parameters, zero ALP) make k-means find fewer distinct
        # clusters than k, and EM may stop at max_iter: the reference keeps such fits too.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, k in enumerate(potential_ks):
            model = GaussianMixture(
                n_components=k, covariance_type="full", n_init=n_init, random_state=random_state
            ).fit(data)
            values[i] = information_criterion(model, data, criterion)
            if best is None or values[i] < values[:i].min(initial=math.inf):
                best = model
    assert best is not None
    return Mixture(
        weights=np.array(best.weights_, dtype=np.float64),
        means=np.array(best.means_, dtype=np.float64),
        covariances=np.array(best.covariances_, dtype=np.float64),
        task_dim=task_dim,
        criterion_values=values,
    )
