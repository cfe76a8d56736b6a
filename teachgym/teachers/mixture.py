"""Gaussian mixtures for the GMM teachers: fit a batch, keep the best, sample tasks fast.

ALP-GMM and Covar-GMM fit scikit-learn ``GaussianMixture`` models (full
covariance, k-means initialisation, one EM initialisation, a fixed
``random_state``) for every k in ``potential_ks`` on the same data, and keep the
one with the lowest information criterion (docs/references.md [portelas2019]):

- ``aic``: scikit-learn's ``GaussianMixture.aic``;
- ``bic``: scikit-learn's ``GaussianMixture.bic``;
- ``aicc``: AIC + 2p(p + 1) / (n - p - 1) with p free parameters and n points
  (+inf when n <= p + 1, so such a k is never kept). The 2019 code counted the
  parameters of the task dimensions only; here p counts every fitted dimension.

Speed without changing what is fitted: the fits run with BLAS/OpenMP limited to
one thread (much faster for a few hundred points than a thread pool), and the
kept mixture precomputes everything sampling needs (the Cholesky factor of each
component's task block, the component-choice table), so a draw is O(d^2).

:class:`MixtureTeacher` is what ALP-GMM and Covar-GMM share: their hyperparameters
(fit_rate, potential_ks, random_task_ratio, criterion, return_bounds), the
uniform bootstrap, sampling from the kept mixture, and saving it. Each subclass says
what one data point is and how interesting each component is.
"""

from __future__ import annotations

import math
import warnings
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Teacher
from teachgym.teachers.encoding import TaskEncoding
from teachgym.teachers.learning_progress import (
    ProportionalChoice,
    check_positive_int,
    check_ratio,
    check_return_bounds,
)

CRITERIA = ("aic", "bic", "aicc")


def check_potential_ks(teacher: str, ks: Any, fit_rate: int) -> tuple[int, ...]:
    """Validate the numbers of components to try: distinct integers in [1, fit_rate]."""
    try:
        values = tuple(int(k) for k in ks)
    except (TypeError, ValueError):
        raise TeachgymUsageError(
            f"{teacher}: potential_ks must be a list of integers, got {ks!r}"
        ) from None
    if (
        not values
        or len(set(values)) != len(values)
        or any(k != raw or isinstance(raw, bool) for k, raw in zip(values, ks, strict=True))
        or min(values) < 1
        or max(values) > fit_rate
    ):
        raise TeachgymUsageError(
            f"{teacher}: potential_ks must be distinct integers in [1, fit_rate={fit_rate}] "
            f"(a mixture cannot have more components than points), got {list(ks)!r}"
        )
    return values


def check_criterion(teacher: str, criterion: Any) -> str:
    if criterion not in CRITERIA:
        raise TeachgymUsageError(
            f"{teacher}: criterion must be one of {CRITERIA}, got {criterion!r}"
        )
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


class MixtureTeacher(Teacher):
    """A teacher that samples tasks from a Gaussian mixture refitted every ``fit_rate`` episodes.

    Sampling: a uniform task while bootstrapping (no mixture yet) and with probability
    ``random_task_ratio``; otherwise a component drawn in proportion to
    :meth:`component_interest` (uniform if all are 0), then a draw of its task block,
    clipped to the normalised bounds [0, 1].

    Tasks are points of the unit box of :class:`~teachgym.teachers.encoding.TaskEncoding`
    (categorical parameters only with an explicit ``categorical_encoding``).

    Subclasses set ``presets`` (published values of ``fit_rate``, ``potential_ks`` and
    ``random_task_ratio``), implement :meth:`component_interest` and ``_update``, and
    call :meth:`_fit` on their data every ``fit_rate`` episodes.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None,
        fit_rate: int,
        potential_ks: Sequence[int],
        random_task_ratio: float,
        criterion: str,
        return_bounds: Sequence[float] | None,
        categorical_encoding: str | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        self.encoding = TaskEncoding(task_space, categorical_encoding, self.name)
        self.categorical_encoding = categorical_encoding
        self.fit_rate = check_positive_int(self.name, "fit_rate", fit_rate)
        self.potential_ks = check_potential_ks(self.name, potential_ks, self.fit_rate)
        self.random_task_ratio = check_ratio(self.name, "random_task_ratio", random_task_ratio)
        self.criterion = check_criterion(self.name, criterion)
        self.return_bounds = check_return_bounds(self.name, return_bounds)

        self.mixture: Mixture | None = None
        self._component_choice: ProportionalChoice | None = None
        self.n_fits = 0
        self._mixture_seed = int(self.rng.integers(2**31 - 1))

    @abstractmethod
    def component_interest(self, mixture: Mixture) -> np.ndarray:
        """How interesting each component is (components are drawn in proportion), ``(k,)``."""

    @property
    def bootstrapping(self) -> bool:
        """True while the first ``fit_rate`` episodes (uniform tasks) are not all reported."""
        return self.n_updates < self.fit_rate or self.mixture is None

    def _sample(self) -> Task:
        if self.bootstrapping or self.rng.random() < self.random_task_ratio:
            return self.task_space.sample(self.rng)
        assert self.mixture is not None and self._component_choice is not None
        component = self._component_choice.draw(self.rng)
        vector = self.mixture.sample_task_vector(component, self.rng)
        return self.encoding.decode(vector)

    def _fit(self, data: np.ndarray, n_init: int = 1) -> None:
        """Fit the mixtures on ``data`` (``(fit_rate, n_features)``, task first); keep the best."""
        self._set_mixture(
            fit_best_mixture(
                data,
                self.potential_ks,
                self.criterion,
                self._mixture_seed,
                self.encoding.dim,
                n_init,
            )
        )
        self.n_fits += 1

    def _set_mixture(self, mixture: Mixture) -> None:
        self.mixture = mixture
        self._component_choice = ProportionalChoice(self.component_interest(mixture))

    # -- introspection, state: pieces for the subclasses' methods ------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: fits done, current number of components, bootstrap flag."""
        return {
            **super().diagnostics(),
            "n_fits": self.n_fits,
            "n_components": 0 if self.mixture is None else self.mixture.n_components,
            "bootstrapping": self.bootstrapping,
        }

    def _mixture_plot_data(self, interest_key: str) -> dict[str, np.ndarray]:
        """``means`` ``(k, d)``, ``covariances`` ``(k, d, d)`` (task block), ``weights`` ``(k,)``
        and ``interest_key`` ``(k,)`` of the current mixture (``k = 0`` before the first fit).
        """
        d = self.encoding.dim
        if self.mixture is None:
            return {
                "means": np.empty((0, d)),
                "covariances": np.empty((0, d, d)),
                "weights": np.empty(0),
                interest_key: np.empty(0),
            }
        return {
            "means": self.mixture.means[:, :d].copy(),
            "covariances": self.mixture.covariances[:, :d, :d].copy(),
            "weights": self.mixture.weights.copy(),
            interest_key: self.component_interest(self.mixture),
        }

    def _mixture_state(self) -> dict[str, Any]:
        return {
            "mixture": None if self.mixture is None else self.mixture.to_state(),
            "mixture_seed": self._mixture_seed,
            "n_fits": self.n_fits,
        }

    def _load_mixture_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`_mixture_state` saved; ``KeyError`` if an entry is missing."""
        self._mixture_seed = int(state["mixture_seed"])
        self.n_fits = int(state["n_fits"])
        self.mixture = None
        self._component_choice = None
        if state["mixture"] is not None:
            self._set_mixture(Mixture.from_state(state["mixture"]))
