"""GoalGAN: a GAN that proposes goals of intermediate difficulty.

Source: Florensa, Held, Geng, Abbeel, "Automatic Goal Generation for Reinforcement
Learning Agents", ICML 2018 (Algorithm 1); TeachMyAgent (Romac et al., ICML 2021)
``teachers/algos/goal_gan.py`` and ``teachers/utils/gan/`` for the code defaults
(docs/references.md [florensa2018], [romac2021]). Step by step, in the task space's
normalised [0, 1] coordinates (categorical parameters encoded one-hot or ordinal when
the user chooses ``categorical_encoding``, as for ALP-GMM):

1. Sample: a goal queued for another try if there is one; else with probability
   ``p_old`` (when the buffer holds any) an old goal plus N(0, ``noise_level``^2) noise;
   else G(z) mapped to ``0.5 + G(z)`` plus the same noise, clipped to [0, 1]. A new GAN
   goal is queued ``n_rollouts - 1`` more times.
2. Label: once a GAN goal has been tried ``n_rollouts`` times, its mean success s makes
   it a goal of intermediate difficulty (GOID, label 1) if
   ``goid_bounds[0] <= s <= goid_bounds[1]``, else label 0. Goals with
   ``s > goid_bounds[1]`` join the old-goal buffer, unless one already there is within
   ``success_distance * sqrt(d)`` (``success_distance`` of the range's diagonal).
3. Train: every ``update_size`` labelled goals, ``gan_iterations`` LSGAN iterations
   (:mod:`teachgym.teachers.lsgan`) on them; skipped when none is a GOID. The labelled
   goals are then forgotten.
4. Optional pretraining (``pretrain=True``): at construction, ``pretrain_iterations``
   iterations on ``pretrain_samples`` goals of N(``pretrain_mean``, ``pretrain_std``^2)
   (clipped), all labelled 1; without a mean it is drawn uniformly, as TeachMyAgent does.

Defaults are TeachMyAgent's code defaults (noise 0.01, update 100, 2 rollouts, GOID
[0.25, 0.75], p_old 0.2 as in the paper, distance 0.01, 250 iterations, generator
[256, 256], discriminator [128, 128], batch 64, RMSprop 1e-3). Presets:
``teachmyagent`` is the configuration of TeachMyAgent's runs (noise 0.1, p_old 0.1);
``skills`` is a documented cheaper one for the simulated-student skill suite (see
:data:`TEACHER_PRESETS`).

Deviations: distances and noise are in normalised coordinates (the reference scales
them by each dimension's range, which is the same thing per dimension; the buffer's
distance uses the normalised diagonal); all randomness (noise, old-goal choice, weight
initialisation) comes from the teacher's numpy generator, never torch's global one.
Needs torch (``extras``) and the environment's success (``requires_success``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.encoding import TaskEncoding
from teachgym.teachers.torch_state import TORCH_EXTRA, check_layer_sizes, require_torch
from teachgym.validation import check_bool, check_int, check_real

if TYPE_CHECKING:
    from teachgym.teachers.lsgan import LSGAN

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "teachmyagent": {"noise_level": 0.1, "update_size": 100, "p_old": 0.1, "n_rollouts": 2},
    "skills": {
        "noise_level": 0.1,
        "update_size": 100,
        "p_old": 0.1,
        "n_rollouts": 2,
        "gan_iterations": 50,
        "generator_layers": (64, 64),
        "discriminator_layers": (32, 32),
    },
}
"""``teachmyagent``: the values of TeachMyAgent's GoalGAN runs. ``skills``: those values
with 50 GAN iterations and generator [64, 64] / discriminator [32, 32], about an eighth of
the cost of a fit, for the simulated-student skill suite (a deviation from the
published sizes, chosen for cost)."""


class GoalGANTeacher(Teacher):
    """GoalGAN (see the module docstring).

    Args:
        task_space: continuous and integer parameters (categorical ones with
            ``categorical_encoding``).
        seed: seed of the teacher's generator (noise, buffer draws, initial weights).
        noise_level: standard deviation of the noise added to GAN and old goals, as a
            fraction of each range.
        update_size: labelled goals between two GAN trainings.
        n_rollouts: tries of each new GAN goal before it is labelled.
        goid_bounds: ``(low, high)`` mean success of a goal of intermediate difficulty.
        p_old: probability of replaying an old (mastered) goal.
        success_distance: minimum distance between old goals, as a fraction of the task
            space's diagonal.
        gan_iterations: LSGAN iterations per training.
        generator_layers: hidden sizes of the generator.
        discriminator_layers: hidden sizes of the discriminator.
        batch_size: labelled (and generated) goals per iteration.
        learning_rate: RMSprop step size.
        pretrain: train the GAN at construction on an initial distribution.
        pretrain_mean: its mean in normalised coordinates, shape ``(d,)``; ``None``: drawn
            uniformly.
        pretrain_std: its standard deviation, as a fraction of each range.
        pretrain_samples: goals drawn from it.
        pretrain_iterations: GAN iterations on them.
        categorical_encoding: ``None`` (categorical parameters refused), ``"one-hot"`` or
            ``"ordinal"`` (:mod:`teachgym.teachers.encoding`): goals are points of that
            encoding's unit box.
    """

    name = "goal-gan"
    requires_success = True
    extras = (TORCH_EXTRA,)
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        noise_level: float = 0.01,
        update_size: int = 100,
        n_rollouts: int = 2,
        goid_bounds: Sequence[float] = (0.25, 0.75),
        p_old: float = 0.2,
        success_distance: float = 0.01,
        gan_iterations: int = 250,
        generator_layers: Sequence[int] = (256, 256),
        discriminator_layers: Sequence[int] = (128, 128),
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        pretrain: bool = False,
        pretrain_mean: Sequence[float] | None = None,
        pretrain_std: float = 0.1,
        pretrain_samples: int = 1000,
        pretrain_iterations: int = 500,
        categorical_encoding: str | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        owner = f"teacher {self.name!r}"
        self.categorical_encoding = categorical_encoding
        self.encoding = TaskEncoding(task_space, categorical_encoding, self.name)
        if self.encoding.dim == 0:
            raise TeachgymUsageError(f"{owner} needs a task space with a parameter that varies")
        self.noise_level = check_real(owner, "noise_level", noise_level, minimum=0.0)
        self.update_size = check_int(owner, "update_size", update_size, minimum=1)
        self.n_rollouts = check_int(owner, "n_rollouts", n_rollouts, minimum=1)
        self.goid_bounds = _check_bounds(owner, goid_bounds)
        self.p_old = check_real(owner, "p_old", p_old, minimum=0.0, maximum=1.0)
        self.success_distance = check_real(owner, "success_distance", success_distance, minimum=0)
        self.gan_iterations = check_int(owner, "gan_iterations", gan_iterations, minimum=1)
        self.generator_layers = check_layer_sizes(owner, "generator_layers", generator_layers)
        self.discriminator_layers = check_layer_sizes(
            owner, "discriminator_layers", discriminator_layers
        )
        self.batch_size = check_int(owner, "batch_size", batch_size, minimum=1)
        self.learning_rate = check_real(owner, "learning_rate", learning_rate, above=0.0)
        self.pretrain = check_bool(owner, "pretrain", pretrain)
        self.pretrain_mean = _check_mean(owner, pretrain_mean, self.encoding.dim)
        self.pretrain_std = check_real(owner, "pretrain_std", pretrain_std, minimum=0.0)
        self.pretrain_samples = check_int(owner, "pretrain_samples", pretrain_samples, minimum=1)
        self.pretrain_iterations = check_int(
            owner, "pretrain_iterations", pretrain_iterations, minimum=1
        )
        require_torch(owner)
        from teachgym.teachers.lsgan import LSGAN

        d = self.encoding.dim
        self.gan: LSGAN = LSGAN(
            d,
            d,
            self.generator_layers,
            self.discriminator_layers,
            self.rng,
            self.learning_rate,
            self.batch_size,
        )
        self.queue: list[Task] = []
        """GAN goals waiting for another try, oldest first."""
        self.pending: dict[bytes, list[list[bool]]] = {}
        """Task vector bytes -> successes of each outstanding proposal of that goal."""
        self._pending_tasks: dict[bytes, Task] = {}
        self.goals = np.empty((0, d))
        """Labelled goals since the last training, normalised, shape ``(n, d)``."""
        self.labels = np.empty(0, dtype=bool)
        """Their GOID labels, shape ``(n,)``."""
        self.old_goals = np.empty((0, d))
        """The old-goal buffer (goals succeeded more than ``goid_bounds[1]``), ``(m, d)``."""
        self.n_trainings = 0
        self.n_skipped = 0
        self.losses = (math.nan, math.nan)
        if self.pretrain:
            self._pretrain()

    # -- protocol ----------------------------------------------------------------
    def _sample(self) -> Task:
        if self.queue:
            return self.queue.pop(0)
        use_gan = self.rng.random() > self.p_old or len(self.old_goals) == 0
        if not use_gan:
            goal = self.old_goals[self.rng.integers(len(self.old_goals))]
            return self.encoding.decode(self._noisy(goal))
        unit = 0.5 + self.gan.generate(self.rng.standard_normal((1, self.encoding.dim)))[0]
        task = self.encoding.decode(self._noisy(unit))
        key = self._key(task)
        self.pending.setdefault(key, []).append([])
        self._pending_tasks[key] = task
        self.queue.extend(dict(task) for _ in range(self.n_rollouts - 1))
        return task

    def _noisy(self, unit: np.ndarray) -> np.ndarray:
        noise = self.rng.standard_normal(unit.shape) * self.noise_level
        result: np.ndarray = np.clip(unit + noise, 0.0, 1.0)
        return result

    def _key(self, task: Task) -> bytes:
        return self.encoding.encode(task).tobytes()

    def _update(self, task: Task, outcome: Outcome) -> None:
        key = self._key(task)
        proposals = self.pending.get(key)
        if proposals is not None:
            trials = proposals[0]
            trials.append(bool(outcome.success))
            if len(trials) >= self.n_rollouts:
                self._label(self.encoding.encode(task), trials)
                del proposals[0]
                if not proposals:
                    del self.pending[key]
                    del self._pending_tasks[key]
        if len(self.labels) >= self.update_size:
            self._train()

    def _label(self, goal: np.ndarray, trials: Sequence[bool]) -> None:
        """Label a goal tried ``n_rollouts`` times; keep it as an old goal if mastered."""
        success = float(np.mean(trials))
        low, high = self.goid_bounds
        self.goals = np.vstack([self.goals, goal])
        self.labels = np.append(self.labels, low <= success <= high)
        if success > high:
            self._add_old_goal(goal)

    def _add_old_goal(self, goal: np.ndarray) -> None:
        threshold = self.success_distance * math.sqrt(self.encoding.dim)
        distances = np.linalg.norm(self.old_goals - goal, axis=1)
        if threshold > 0 and distances.size and distances.min() <= threshold:
            return
        self.old_goals = np.vstack([self.old_goals, goal])

    def _train(self) -> None:
        """Train the GAN on the labelled goals (if any is a GOID) and forget them."""
        if self.labels.any():
            self.losses = self.gan.train(
                self.goals - 0.5, self.labels.astype(np.float64), self.gan_iterations, self.rng
            )
            self.n_trainings += 1
        else:
            self.n_skipped += 1
        self.goals = np.empty((0, self.encoding.dim))
        self.labels = np.empty(0, dtype=bool)

    def _pretrain(self) -> None:
        d = self.encoding.dim
        mean = self.rng.random(d) if self.pretrain_mean is None else np.asarray(self.pretrain_mean)
        samples = mean + self.pretrain_std * self.rng.standard_normal((self.pretrain_samples, d))
        goals = np.clip(samples, 0.0, 1.0) - 0.5
        self.losses = self.gan.train(
            goals, np.ones(self.pretrain_samples), self.pretrain_iterations, self.rng
        )

    # -- introspection -------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: trainings done and skipped, buffer sizes, the last GAN losses."""
        return {
            **super().diagnostics(),
            "trainings": self.n_trainings,
            "trainings_skipped": self.n_skipped,
            "old_goals": len(self.old_goals),
            "labelled_goals": len(self.labels),
            "discriminator_loss": self.losses[0],
            "generator_loss": self.losses[1],
        }

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "gan": self.gan.state_dict(),
            "queue": [dict(task) for task in self.queue],
            "pending": [
                {"task": dict(self._pending_tasks[key]), "trials": [list(t) for t in proposals]}
                for key, proposals in self.pending.items()
            ],
            "goals": self.goals.copy(),
            "labels": self.labels.copy(),
            "old_goals": self.old_goals.copy(),
            "n_trainings": self.n_trainings,
            "n_skipped": self.n_skipped,
            "losses": list(self.losses),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        d = self.encoding.dim
        try:
            self.gan.load_state_dict(state["gan"])
            self.queue = [self.task_space.validate(task) for task in state["queue"]]
            self.pending, self._pending_tasks = {}, {}
            for entry in state["pending"]:
                task = self.task_space.validate(entry["task"])
                key = self._key(task)
                self.pending[key] = [[bool(s) for s in trials] for trials in entry["trials"]]
                self._pending_tasks[key] = task
            self.goals = np.asarray(state["goals"], dtype=np.float64).reshape(-1, d)
            self.labels = np.asarray(state["labels"], dtype=bool).reshape(-1)
            self.old_goals = np.asarray(state["old_goals"], dtype=np.float64).reshape(-1, d)
            self.n_trainings = int(state["n_trainings"])
            self.n_skipped = int(state["n_skipped"])
            low_loss, high_loss = state["losses"]
            self.losses = (float(low_loss), float(high_loss))
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
        if len(self.goals) != len(self.labels):
            raise ValueError(
                f"saved {self.name} state has {len(self.goals)} labelled goals but "
                f"{len(self.labels)} labels"
            )


def _check_bounds(owner: str, bounds: Any) -> tuple[float, float]:
    """``(low, high)`` success rates with 0 <= low <= high <= 1."""
    try:
        low, high = bounds
    except (TypeError, ValueError):
        raise TypeError(
            f"{owner}: goid_bounds must be a pair (low, high), got {bounds!r}"
        ) from None
    low = check_real(owner, "goid_bounds[0]", low, minimum=0.0, maximum=1.0)
    high = check_real(owner, "goid_bounds[1]", high, minimum=low, maximum=1.0)
    return (low, high)


def _check_mean(owner: str, mean: Any, dim: int) -> tuple[float, ...] | None:
    """``None`` or ``dim`` numbers in [0, 1]."""
    if mean is None:
        return None
    if isinstance(mean, str | bytes) or not isinstance(mean, Sequence) or len(mean) != dim:
        raise TypeError(
            f"{owner}: pretrain_mean must be {dim} numbers in [0, 1] (normalised task "
            f"coordinates), got {mean!r}"
        )
    return tuple(
        check_real(owner, f"pretrain_mean[{i}]", v, minimum=0.0, maximum=1.0)
        for i, v in enumerate(mean)
    )
