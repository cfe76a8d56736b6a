"""ALP-GMM: absolute learning progress modelled by a Gaussian mixture.

Source: Portelas, Colas, Hofmann, Oudeyer, "Teacher algorithms for curriculum
learning of Deep RL in continuously parameterized environments", CoRL 2019;
TeachMyAgent (Romac et al., ICML 2021) for the tuned values. REFERENCE.md,
"ALP-GMM", step by step:

1. Bootstrap: the first ``fit_rate`` tasks are uniform random.
2. After each episode, ALP = |return - return of the nearest previously seen
   task| (:mod:`teachgym.teachers.nearest_alp`; KD-tree), 0 while fewer than 6
   tasks are known. Returns are first rescaled to [0, 1] when ``return_bounds``
   is given (the 2019 code did so with the walkers' [-150, 350]).
3. Every ``fit_rate`` episodes, fit full-covariance mixtures with k in
   ``potential_ks`` on the last ``fit_rate`` points of [task vector, ALP] and
   keep the best by ``criterion`` (AIC; BIC and AICc as options).
4. Sample: with probability ``random_task_ratio`` a uniform task; otherwise a
   component with probability proportional to its mean ALP (uniform if all are
   0), a draw of its Gaussian without the ALP dimension, clipped to the bounds.

Work happens in the task space's normalised [0, 1] vectors, so any space of
continuous and integer parameters works; categorical and array parameters are
refused. Presets (``preset=``): ``paper`` (fit_rate 250, k = 2..10, random
ratio 0.2) and ``teachmyagent`` (fit_rate 150, k = 2..9, random ratio 0.05);
explicit arguments override the preset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.learning_progress import (
    ProportionalChoice,
    check_positive_int,
    check_ratio,
    check_return_bounds,
    rescale_return,
    resolve_preset,
)
from teachgym.teachers.mixture import (
    Mixture,
    check_criterion,
    check_potential_ks,
    fit_best_mixture,
)
from teachgym.teachers.nearest_alp import NearestNeighbourALP
from teachgym.teachers.registry import register_teacher

PRESETS: dict[str, dict[str, Any]] = {
    "paper": {"fit_rate": 250, "potential_ks": tuple(range(2, 11)), "random_task_ratio": 0.2},
    "teachmyagent": {
        "fit_rate": 150,
        "potential_ks": tuple(range(2, 10)),
        "random_task_ratio": 0.05,
    },
}


@register_teacher
class ALPGMMTeacher(Teacher):
    """ALP-GMM (see the module docstring for the algorithm).

    Args:
        task_space: continuous and integer parameters only.
        seed: seed of the teacher's generator (task draws and the mixtures' k-means seed).
        preset: ``"paper"`` or ``"teachmyagent"``: defaults of the next three arguments.
        fit_rate: episodes between two fits; also the bootstrap length and the fit window.
        potential_ks: numbers of components to try at each fit.
        random_task_ratio: probability of a uniform task after the bootstrap.
        criterion: ``"aic"`` (paper), ``"bic"`` or ``"aicc"``.
        n_init: EM initialisations per fit (paper: 1).
        return_bounds: ``(low, high)`` to rescale returns to [0, 1] before computing ALP,
            e.g. ``env.unwrapped.return_bounds``; ``None`` uses raw returns.
    """

    name = "alp-gmm"

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        preset: str = "paper",
        fit_rate: int | None = None,
        potential_ks: Sequence[int] | None = None,
        random_task_ratio: float | None = None,
        criterion: str = "aic",
        n_init: int = 1,
        return_bounds: Sequence[float] | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        task_space.require_numeric(self.name)
        values = resolve_preset(
            self.name,
            PRESETS,
            preset,
            {
                "fit_rate": fit_rate,
                "potential_ks": potential_ks,
                "random_task_ratio": random_task_ratio,
            },
        )
        self.preset = preset
        self.fit_rate = check_positive_int(self.name, "fit_rate", values["fit_rate"])
        self.potential_ks = check_potential_ks(self.name, values["potential_ks"], self.fit_rate)
        self.random_task_ratio = check_ratio(
            self.name, "random_task_ratio", values["random_task_ratio"]
        )
        self.criterion = check_criterion(self.name, criterion)
        self.n_init = check_positive_int(self.name, "n_init", n_init)
        self.return_bounds = check_return_bounds(self.name, return_bounds)

        self.history = NearestNeighbourALP(task_space.dim)
        self.mixture: Mixture | None = None
        self._component_choice: ProportionalChoice | None = None
        self.n_fits = 0
        self._mixture_seed = int(self.rng.integers(2**31 - 1))

    # -- protocol ----------------------------------------------------------------
    @property
    def bootstrapping(self) -> bool:
        """True while the first ``fit_rate`` episodes (uniform tasks) are not all reported."""
        return len(self.history) < self.fit_rate or self.mixture is None

    def _sample(self) -> Task:
        if self.bootstrapping or self.rng.random() < self.random_task_ratio:
            return self.task_space.sample(self.rng)
        assert self.mixture is not None and self._component_choice is not None
        component = self._component_choice.draw(self.rng)
        vector = self.mixture.sample_task_vector(component, self.rng)
        return self.task_space.from_vector(np.clip(vector, 0.0, 1.0))

    def _update(self, task: Task, outcome: Outcome) -> None:
        vector = self.task_space.to_vector(task).astype(np.float64)
        self.history.add(vector, rescale_return(outcome.episode_return, self.return_bounds))
        if len(self.history) % self.fit_rate == 0:
            self._fit()

    def _fit(self) -> None:
        """Fit the mixtures on the last ``fit_rate`` points of [task, ALP]; keep the best."""
        window = slice(len(self.history) - self.fit_rate, len(self.history))
        data = np.column_stack([self.history.tasks[window], self.history.alps[window]])
        self._set_mixture(
            fit_best_mixture(
                data,
                self.potential_ks,
                self.criterion,
                self._mixture_seed,
                self.task_space.dim,
                self.n_init,
            )
        )
        self.n_fits += 1

    def _set_mixture(self, mixture: Mixture) -> None:
        self.mixture = mixture
        self._component_choice = ProportionalChoice(self.component_alps(mixture))

    @staticmethod
    def component_alps(mixture: Mixture) -> np.ndarray:
        """Mean ALP of each component (the last coordinate of its mean), shape ``(k,)``."""
        result: np.ndarray = mixture.means[:, -1].copy()
        return result

    # -- introspection -------------------------------------------------------------
    def hyperparameters(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "preset": self.preset,
            "fit_rate": self.fit_rate,
            "potential_ks": list(self.potential_ks),
            "random_task_ratio": self.random_task_ratio,
            "criterion": self.criterion,
            "n_init": self.n_init,
            "return_bounds": None if self.return_bounds is None else list(self.return_bounds),
        }

    def diagnostics(self) -> dict[str, Any]:
        """Scalars: fits done, current number of components, mean ALP of the last window."""
        recent = self.history.alps[-self.fit_rate :]
        return {
            **super().diagnostics(),
            "n_fits": self.n_fits,
            "n_components": 0 if self.mixture is None else self.mixture.n_components,
            "bootstrapping": self.bootstrapping,
            "mean_recent_alp": float(recent.mean()) if recent.size else 0.0,
        }

    def plot_data(self) -> dict[str, np.ndarray]:
        """Arrays for plots, in normalised task coordinates.

        ``tasks`` ``(n, d)`` and ``alps`` ``(n,)``: every reported task with its ALP;
        ``means`` ``(k, d)``, ``covariances`` ``(k, d, d)`` (task block), ``weights`` ``(k,)``
        and ``component_alps`` ``(k,)`` of the current mixture (``k = 0`` before the first fit).
        """
        d = self.task_space.dim
        data: dict[str, np.ndarray] = {
            "tasks": self.history.tasks.copy(),
            "alps": self.history.alps.copy(),
            "means": np.empty((0, d)),
            "covariances": np.empty((0, d, d)),
            "weights": np.empty(0),
            "component_alps": np.empty(0),
        }
        if self.mixture is not None:
            data["means"] = self.mixture.means[:, :d].copy()
            data["covariances"] = self.mixture.covariances[:, :d, :d].copy()
            data["weights"] = self.mixture.weights.copy()
            data["component_alps"] = self.component_alps(self.mixture)
        return data

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "history": self.history.state_dict(),
            "mixture": None if self.mixture is None else self.mixture.to_state(),
            "mixture_seed": self._mixture_seed,
            "n_fits": self.n_fits,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            self.history.load_state_dict(state["history"])
            self._mixture_seed = int(state["mixture_seed"])
            self.n_fits = int(state["n_fits"])
            self.mixture = None
            self._component_choice = None
            if state["mixture"] is not None:
                self._set_mixture(Mixture.from_state(state["mixture"]))
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
