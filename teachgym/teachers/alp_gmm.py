"""ALP-GMM: absolute learning progress modelled by a Gaussian mixture.

Source: Portelas, Colas, Hofmann, Oudeyer, "Teacher algorithms for curriculum
learning of Deep RL in continuously parameterized environments", CoRL 2019;
TeachMyAgent (Romac et al., ICML 2021) for the tuned values. See docs/references.md
[portelas2019], [romac2021]. Step by step:

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
continuous and integer parameters works; categorical parameters need an explicit
``categorical_encoding`` (``"one-hot"`` or ``"ordinal"``;
:mod:`teachgym.teachers.encoding`), and array parameters are refused. The defaults
are the paper's (fit_rate 250, k = 2..10, random ratio 0.2); :data:`TEACHER_PRESETS`
also has ``teachmyagent`` (fit_rate 150, k = 2..9, random ratio 0.05):
``ALPGMMTeacher.from_preset("teachmyagent", space)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Outcome
from teachgym.teachers.learning_progress import check_positive_int, rescale_return
from teachgym.teachers.mixture import Mixture, MixtureTeacher
from teachgym.teachers.nearest_alp import NearestNeighbourALP

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "paper": {"fit_rate": 250, "potential_ks": tuple(range(2, 11)), "random_task_ratio": 0.2},
    "teachmyagent": {
        "fit_rate": 150,
        "potential_ks": tuple(range(2, 10)),
        "random_task_ratio": 0.05,
    },
}


class ALPGMMTeacher(MixtureTeacher):
    """ALP-GMM (see the module docstring; sampling and saving the mixture: MixtureTeacher).

    Args:
        task_space: continuous and integer parameters (categorical ones with
            ``categorical_encoding``).
        seed: seed of the teacher's generator (task draws and the mixtures' k-means seed).
        fit_rate: episodes between two fits; also the bootstrap length and the fit window.
        potential_ks: numbers of components to try at each fit.
        random_task_ratio: probability of a uniform task after the bootstrap.
        criterion: ``"aic"`` (paper), ``"bic"`` or ``"aicc"``.
        n_init: EM initialisations per fit (paper: 1).
        return_bounds: ``(low, high)`` to rescale returns to [0, 1] before computing ALP,
            e.g. ``env.unwrapped.return_bounds``; ``None`` uses raw returns.
        categorical_encoding: ``None`` (categorical parameters refused), ``"one-hot"`` or
            ``"ordinal"`` (:mod:`teachgym.teachers.encoding`).
    """

    name = "alp-gmm"
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        fit_rate: int = 250,
        potential_ks: Sequence[int] = tuple(range(2, 11)),
        random_task_ratio: float = 0.2,
        criterion: str = "aic",
        n_init: int = 1,
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
        self.n_init = check_positive_int(self.name, "n_init", n_init)
        self.history = NearestNeighbourALP(self.encoding.dim)

    # -- protocol ----------------------------------------------------------------
    def _update(self, task: Task, outcome: Outcome) -> None:
        vector = self.encoding.encode(task)
        self.history.add(vector, rescale_return(outcome.episode_return, self.return_bounds))
        if self.history.n_added % self.fit_rate == 0:
            self._fit_window()

    def _fit_window(self) -> None:
        """Fit the mixtures on the last ``fit_rate`` points of [task, ALP]; keep the best."""
        window = slice(len(self.history) - self.fit_rate, len(self.history))
        data = np.column_stack([self.history.tasks[window], self.history.alps[window]])
        self._fit(data, self.n_init)

    def component_interest(self, mixture: Mixture) -> np.ndarray:
        """Components are drawn in proportion to their mean ALP."""
        return self.component_alps(mixture)

    @staticmethod
    def component_alps(mixture: Mixture) -> np.ndarray:
        """Mean ALP of each component (the last coordinate of its mean), shape ``(k,)``."""
        result: np.ndarray = mixture.means[:, -1].copy()
        return result

    # -- introspection -------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: those of MixtureTeacher and the mean ALP of the last window."""
        recent = self.history.alps[-self.fit_rate :]
        return {
            **super().diagnostics(),
            "mean_recent_alp": float(recent.mean()) if recent.size else 0.0,
        }

    def plot_data(self) -> dict[str, np.ndarray]:
        """Arrays for plots, in normalised task coordinates.

        ``tasks`` ``(n, d)`` and ``alps`` ``(n,)``: every reported task with its ALP;
        ``means`` ``(k, d)``, ``covariances`` ``(k, d, d)`` (task block), ``weights`` ``(k,)``
        and ``component_alps`` ``(k,)`` of the current mixture (``k = 0`` before the first fit).
        """
        return {
            "tasks": self.history.tasks.copy(),
            "alps": self.history.alps.copy(),
            **self._mixture_plot_data("component_alps"),
        }

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "history": self.history.state_dict(),
            **self._mixture_state(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            self.history.load_state_dict(state["history"])
            self._load_mixture_state(state)
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
