"""Covar-GMM: learning progress as the time-competence covariance of mixture components.

Source: Moulin-Frier, Nguyen, Oudeyer, "Self-organization of early vocal
development in infants and machines: the role of intrinsic motivation", 2014
(IGMM), as re-implemented for the ALP-GMM paper (Portelas et al., CoRL 2019)
and TeachMyAgent (docs/references.md [moulinfrier2014], [portelas2019], [romac2021]):

1. Bootstrap: the first ``fit_rate`` tasks are uniform random.
2. Each reported episode adds the point [task vector, time, competence], where
   time is the episode's position in the current window of ``fit_rate``
   episodes divided by ``fit_rate`` (0, 1/fit_rate, ...) and competence is the
   return (rescaled to [0, 1] when ``return_bounds`` is given).
3. Every ``fit_rate`` episodes, fit full-covariance mixtures with k in
   ``potential_ks`` on that window's points and keep the best by AIC (the same
   schedule as ALP-GMM).
4. Sample: with probability ``random_task_ratio`` a uniform task; otherwise a
   component with probability proportional to its positive covariance between
   time and competence (``absolute_lp=True``: its absolute value; uniform if all
   are 0), a draw of its Gaussian without time and competence, clipped.

Presets: ``paper`` and ``teachmyagent`` are both the reference codes' defaults
(fit_rate 250, k = 2..10, random ratio 0.2); TeachMyAgent published no other
values for Covar-GMM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Outcome
from teachgym.teachers.learning_progress import rescale_return
from teachgym.teachers.mixture import Mixture, MixtureTeacher

_DEFAULTS: dict[str, Any] = {
    "fit_rate": 250,
    "potential_ks": tuple(range(2, 11)),
    "random_task_ratio": 0.2,
}
TEACHER_PRESETS: dict[str, dict[str, Any]] = {"paper": _DEFAULTS, "teachmyagent": _DEFAULTS}


class CovarGMMTeacher(MixtureTeacher):
    """Covar-GMM (see the module docstring; sampling and saving the mixture: MixtureTeacher).

    Args:
        task_space: continuous and integer parameters (categorical ones with
            ``categorical_encoding``).
        seed: seed of the teacher's generator (task draws and the mixtures' k-means seed).
        fit_rate: episodes between two fits; also the bootstrap length and the fit window.
        potential_ks: numbers of components to try at each fit.
        random_task_ratio: probability of a uniform task after the bootstrap.
        absolute_lp: weight components by |covariance| instead of its positive part.
        criterion: ``"aic"`` (reference), ``"bic"`` or ``"aicc"``.
        return_bounds: ``(low, high)`` to rescale returns to [0, 1]; ``None``: raw returns.
        categorical_encoding: ``None`` (categorical parameters refused), ``"one-hot"`` or
            ``"ordinal"`` (:mod:`teachgym.teachers.encoding`).
    """

    name = "covar-gmm"
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        fit_rate: int = 250,
        potential_ks: Sequence[int] = tuple(range(2, 11)),
        random_task_ratio: float = 0.2,
        absolute_lp: bool = False,
        criterion: str = "aic",
        return_bounds: Sequence[float] | None = None,
        categorical_encoding: str | None = None,
    ) -> None:
        super().__init__(
            task_space,
            seed,
            fit_rate,
            potential_ks,
            random_task_ratio,
            criterion,
            return_bounds,
            categorical_encoding,
        )
        if not isinstance(absolute_lp, bool):
            raise ValueError(f"{self.name}: absolute_lp must be true or false, got {absolute_lp!r}")
        self.absolute_lp = absolute_lp
        # One row per episode of the current window: [task vector, time, competence].
        self.window = np.zeros((self.fit_rate, self.encoding.dim + 2))

    # -- protocol ----------------------------------------------------------------
    def _update(self, task: Task, outcome: Outcome) -> None:
        position = self.n_updates % self.fit_rate
        row = self.window[position]
        row[:-2] = self.encoding.encode(task)
        row[-2] = position / self.fit_rate
        row[-1] = rescale_return(outcome.episode_return, self.return_bounds)
        if position == self.fit_rate - 1:
            self._fit(self.window)

    def component_interest(self, mixture: Mixture) -> np.ndarray:
        """Components are drawn in proportion to their learning progress."""
        return self.component_progress(mixture)

    def component_progress(self, mixture: Mixture) -> np.ndarray:
        """Each component's time-competence covariance, made non-negative, shape ``(k,)``."""
        covariance = mixture.covariances[:, -2, -1]
        result: np.ndarray = np.abs(covariance) if self.absolute_lp else np.maximum(covariance, 0.0)
        return result

    # -- introspection -------------------------------------------------------------
    def plot_data(self) -> dict[str, np.ndarray]:
        """Arrays for plots, in normalised task coordinates.

        ``tasks`` ``(n, d)``, ``times`` ``(n,)`` and ``competences`` ``(n,)``: the episodes
        of the current window; ``means`` ``(k, d)``, ``covariances`` ``(k, d, d)``,
        ``weights`` ``(k,)`` and ``component_progress`` ``(k,)`` of the current mixture.
        """
        d = self.encoding.dim
        n = self.n_updates % self.fit_rate or min(self.n_updates, self.fit_rate)
        return {
            "tasks": self.window[:n, :d].copy(),
            "times": self.window[:n, d].copy(),
            "competences": self.window[:n, d + 1].copy(),
            **self._mixture_plot_data("component_progress"),
        }

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "window": self.window.copy(),
            **self._mixture_state(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            window = np.asarray(state["window"], dtype=np.float64)
            if window.shape != self.window.shape:
                raise ValueError(
                    f"saved {self.name} window has shape {window.shape}, expected "
                    f"{self.window.shape} (fit_rate x (task dims + 2))"
                )
            self.window = window.copy()
            self._load_mixture_state(state)
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
