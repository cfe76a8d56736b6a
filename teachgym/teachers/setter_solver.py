"""Setter-Solver: a conditional flow sets goals of a requested feasibility; a judge
predicts which the solver can reach.

Source: Racanière, Lampinen, Santoro, Reichert, Firoiu, Lillicrap, "Automated curricula
through setter-solver interactions", ICLR 2020 (Section 3, the setter's three losses);
TeachMyAgent (Romac et al., ICML 2021) ``teachers/algos/setter_solver.py`` and
``teachers/utils/setter_solver_utils.py`` (the authors' released building blocks) for the
code defaults (docs/references.md [racaniere2020], [romac2021]). Networks:
:mod:`teachgym.teachers.realnvp`. Step by step, in the task space's normalised
coordinates (categorical parameters encoded one-hot or ordinal when the user chooses
``categorical_encoding``, as for ALP-GMM):

1. Sample: f ~ U(1e-8, 1) and z ~ N(0, I_d); the goal is setter(z, f) in (0, 1)^d,
   decoded into a task. The goal and f are kept until the
   task's episode is reported. Goals are set :data:`SAMPLE_BATCH` at a time by one
   pass of the setter (the reference sets one per call; the distribution is the same,
   as an update discards the goals not yet handed out).
2. Every ``update_frequency`` episodes, on the goals reported since the last update
   (goal g, feasibility f, success s in {0, 1}), ``gradient_steps`` Adam steps
   (``learning_rate``) of:

   - the judge: binary cross-entropy of judge(g) against s;
   - then the setter (the judge fixed), the sum of three losses, with z = setter⁻¹(g, f):
     *feasibility* mean (judge(setter(z, f)) - logit f)^2 (the goal set for f should
     succeed with probability f); *validity* mean -log p(g' | f) over the succeeded
     goals, g' = g + U(0, ``validity_noise``) per coordinate clipped to
     [1e-4, 1 - 1e-4] (goals the solver reached should be likely); *coverage* mean
     log p(setter(z, f) | f) (minimising it maximises the setter's entropy).

   The buffer is then emptied.

Defaults: the paper's and the reference code's (update every 100 episodes, validity noise
0.05, 3 blocks of 3 layers, hidden 128, judge [64, 64, 64], Adam 3e-4, one step per update
as in the reference). Presets: ``teachmyagent``, the configuration of TeachMyAgent's runs
(update every 50, noise 0.1, hidden 64), with judge [64, 64], the network the reference
code builds from its ``[64, 64, 64]`` (its MLP drops the first entry); ``skills``, a
documented cheaper one for the simulated-student skill suite; see :data:`TEACHER_PRESETS`.

Deviations: the validity term is left out of an update with no succeeded goal (the
reference then averages over an empty set, a NaN loss with no gradient: the same steps);
episodes on tasks this teacher did not set are not learned from (the reference raises);
all randomness (latents, feasibilities, noise, initial weights) comes from the teacher's
numpy generator, never torch's global one. Needs torch (``extras``) and the environment's
success (``requires_success``).
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
from teachgym.teachers.torch_state import (
    TORCH_EXTRA,
    check_layer_sizes,
    load_module_state,
    load_optimizer_state,
    module_state,
    optimizer_state,
    require_torch,
)
from teachgym.validation import check_int, check_real

if TYPE_CHECKING:
    import torch

    from teachgym.teachers.realnvp import ConditionalRealNVP

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "teachmyagent": {
        "update_frequency": 50,
        "validity_noise": 0.1,
        "hidden_size": 64,
        "judge_layers": (64, 64),
    },
    "skills": {
        "update_frequency": 50,
        "validity_noise": 0.1,
        "hidden_size": 64,
        "judge_layers": (64, 64),
        "n_blocks": 1,
    },
}
"""``teachmyagent``: the values of TeachMyAgent's Setter-Solver runs, with the judge its
code builds. ``skills``: those values with one block of three couplings instead of three,
less than half the cost per episode, for the simulated-student skill suite (a deviation from
the published sizes, chosen for cost)."""

FEASIBILITY_LOW = 1e-8
"""Lower end of the feasibilities drawn at sampling (the reference's)."""
SAMPLE_BATCH = 64
"""Goals are set this many at a time, by one pass of the setter; an update of the setter
discards the ones not yet handed out (so every task comes from the current setter)."""
GOAL_CLIP = 1e-4
"""Noisy succeeded goals are clipped to [GOAL_CLIP, 1 - GOAL_CLIP] (inside the sigmoid's range)."""


class SetterSolverTeacher(Teacher):
    """Setter-Solver (see the module docstring).

    Args:
        task_space: continuous and integer parameters (categorical ones with
            ``categorical_encoding``).
        seed: seed of the teacher's generator (latents, feasibilities, noise, initial weights).
        update_frequency: episodes between two updates of the judge and the setter.
        validity_noise: upper end of the uniform noise added to succeeded goals in the
            validity loss (normalised units).
        hidden_size: width of the setter's networks.
        n_blocks: setter blocks (three couplings each).
        layers_per_block: highway blocks in each coupling network.
        judge_layers: hidden sizes of the judge.
        learning_rate: Adam step size of both.
        gradient_steps: Adam steps of each per update.
        categorical_encoding: ``None`` (categorical parameters refused), ``"one-hot"`` or
            ``"ordinal"`` (:mod:`teachgym.teachers.encoding`): goals are points of that
            encoding's unit box.
    """

    name = "setter-solver"
    requires_success = True
    extras = (TORCH_EXTRA,)
    presets = TEACHER_PRESETS

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        update_frequency: int = 100,
        validity_noise: float = 0.05,
        hidden_size: int = 128,
        n_blocks: int = 3,
        layers_per_block: int = 3,
        judge_layers: Sequence[int] = (64, 64, 64),
        learning_rate: float = 3e-4,
        gradient_steps: int = 1,
        categorical_encoding: str | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        owner = f"teacher {self.name!r}"
        self.categorical_encoding = categorical_encoding
        self.encoding = TaskEncoding(task_space, categorical_encoding, self.name)
        if self.encoding.dim == 0:
            raise TeachgymUsageError(f"{owner} needs a task space with a parameter that varies")
        self.update_frequency = check_int(owner, "update_frequency", update_frequency, minimum=1)
        self.validity_noise = check_real(
            owner, "validity_noise", validity_noise, minimum=0.0, maximum=1.0
        )
        self.hidden_size = check_int(owner, "hidden_size", hidden_size, minimum=1)
        self.n_blocks = check_int(owner, "n_blocks", n_blocks, minimum=1)
        self.layers_per_block = check_int(owner, "layers_per_block", layers_per_block, minimum=0)
        self.judge_layers = check_layer_sizes(owner, "judge_layers", judge_layers)
        self.learning_rate = check_real(owner, "learning_rate", learning_rate, above=0.0)
        self.gradient_steps = check_int(owner, "gradient_steps", gradient_steps, minimum=1)
        require_torch(owner)
        import torch

        from teachgym.teachers.realnvp import ConditionalRealNVP, judge_network

        d = self.encoding.dim
        self.setter: ConditionalRealNVP = ConditionalRealNVP(
            d, self.hidden_size, self.n_blocks, self.layers_per_block, self.rng
        )
        self.judge: torch.nn.Sequential = judge_network(d, self.judge_layers, self.rng)
        self.setter_optimizer = torch.optim.Adam(self.setter.parameters(), lr=self.learning_rate)
        self.judge_optimizer = torch.optim.Adam(self.judge.parameters(), lr=self.learning_rate)
        self.pending: dict[bytes, list[tuple[np.ndarray, float]]] = {}
        """Task vector bytes -> (goal, feasibility) of each set task not yet reported."""
        self._pending_tasks: dict[bytes, Task] = {}
        self.goals = np.empty((0, d))
        """Goals reported since the last update (the setter's outputs), shape ``(n, d)``."""
        self.feasibilities = np.empty(0)
        """The feasibility each was set for, shape ``(n,)``."""
        self.successes = np.empty(0, dtype=bool)
        """Whether its episode succeeded, shape ``(n,)``."""
        self._upcoming = np.empty((0, d))
        self._upcoming_feasibilities = np.empty(0)
        self.n_trainings = 0
        self.losses: dict[str, float] = dict.fromkeys(
            ("judge", "feasibility", "validity", "coverage"), math.nan
        )

    # -- protocol ----------------------------------------------------------------
    def _sample(self) -> Task:
        if not len(self._upcoming):
            self._set_goals()
        unit, feasibility = self._upcoming[0], float(self._upcoming_feasibilities[0])
        self._upcoming = self._upcoming[1:]
        self._upcoming_feasibilities = self._upcoming_feasibilities[1:]
        task = self.encoding.decode(unit)
        key = self._key(task)
        self.pending.setdefault(key, []).append((unit, feasibility))
        self._pending_tasks[key] = task
        return task

    def _set_goals(self) -> None:
        """Draw the next :data:`SAMPLE_BATCH` goals of the current setter."""
        import torch

        feasibilities = self.rng.uniform(FEASIBILITY_LOW, 1.0, SAMPLE_BATCH)
        latents = self.rng.standard_normal((SAMPLE_BATCH, self.encoding.dim))
        with torch.no_grad():
            goals, _ = self.setter(
                torch.from_numpy(latents), torch.from_numpy(feasibilities).reshape(-1, 1)
            )
        self._upcoming = goals.numpy().astype(np.float64)
        self._upcoming_feasibilities = feasibilities

    def _key(self, task: Task) -> bytes:
        return self.encoding.encode(task).tobytes()

    def _update(self, task: Task, outcome: Outcome) -> None:
        key = self._key(task)
        proposals = self.pending.get(key)
        if proposals:
            goal, feasibility = proposals.pop(0)
            if not proposals:
                del self.pending[key]
                del self._pending_tasks[key]
            self.goals = np.vstack([self.goals, goal])
            self.feasibilities = np.append(self.feasibilities, feasibility)
            self.successes = np.append(self.successes, bool(outcome.success))
        if (self.n_updates + 1) % self.update_frequency == 0 and len(self.goals):
            self.train()

    def train(self) -> None:
        """Update the judge, then the setter, on the reported goals; empty the buffer."""
        import torch

        goals = torch.from_numpy(self.goals)
        feasibilities = torch.from_numpy(self.feasibilities).reshape(-1, 1)
        successes = torch.from_numpy(self.successes.astype(np.float64)).reshape(-1, 1)
        won = self.successes
        noisy = np.clip(
            self.goals[won] + self.rng.uniform(0.0, self.validity_noise, self.goals[won].shape),
            GOAL_CLIP,
            1.0 - GOAL_CLIP,
        )
        noisy_won = torch.from_numpy(noisy)
        won_feasibilities = feasibilities[torch.from_numpy(won)]
        for _ in range(self.gradient_steps):
            judge_loss = self._judge_step(goals, successes)
            setter_losses = self._setter_step(goals, feasibilities, noisy_won, won_feasibilities)
        self.judge.zero_grad()
        self.losses = {"judge": judge_loss, **setter_losses}
        self.n_trainings += 1
        d = self.encoding.dim
        self._upcoming, self._upcoming_feasibilities = np.empty((0, d)), np.empty(0)
        self.goals, self.feasibilities = np.empty((0, d)), np.empty(0)
        self.successes = np.empty(0, dtype=bool)

    def _judge_step(self, goals: torch.Tensor, successes: torch.Tensor) -> float:
        """One Adam step of the judge's binary cross-entropy; the loss before the step."""
        import torch

        loss = torch.nn.functional.binary_cross_entropy_with_logits(self.judge(goals), successes)
        self.judge_optimizer.zero_grad()
        loss.backward()
        self.judge_optimizer.step()
        return float(loss.detach())

    def _setter_step(
        self,
        goals: torch.Tensor,
        feasibilities: torch.Tensor,
        noisy_won: torch.Tensor,
        won_feasibilities: torch.Tensor,
    ) -> dict[str, float]:
        """One Adam step of the setter's three losses (the judge fixed); the losses."""
        import torch

        with torch.no_grad():
            latents, _ = self.setter.inverse(goals, feasibilities)
        set_goals, set_log_p = self.setter(latents, feasibilities)
        feasibility_loss = torch.mean((self.judge(set_goals) - torch.logit(feasibilities)) ** 2)
        coverage_loss = set_log_p.mean()
        loss = feasibility_loss + coverage_loss
        validity = math.nan
        if len(noisy_won):
            _, won_log_p = self.setter.inverse(noisy_won, won_feasibilities)
            validity_loss = -won_log_p.mean()
            loss = loss + validity_loss
            validity = float(validity_loss.detach())
        self.setter_optimizer.zero_grad()
        loss.backward()
        self.setter_optimizer.step()
        return {
            "feasibility": float(feasibility_loss.detach()),
            "validity": validity,
            "coverage": float(coverage_loss.detach()),
        }

    def judge_probability(self, tasks: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The judge's probability that the student succeeds on each task, shape ``(n,)``."""
        import torch

        vectors = np.array([self.encoding.encode(self.task_space.validate(t)) for t in tasks])
        with torch.no_grad():
            logits = self.judge(
                torch.from_numpy(vectors.astype(np.float64).reshape(len(tasks), -1))
            )
        return torch.sigmoid(logits).numpy()[:, 0]

    # -- introspection -------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Scalars: updates done, goals waiting, the last losses."""
        return {
            **super().diagnostics(),
            "trainings": self.n_trainings,
            "buffered_goals": len(self.goals),
            **{f"{name}_loss": value for name, value in self.losses.items()},
        }

    # -- state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "setter": module_state(self.setter),
            "judge": module_state(self.judge),
            "setter_optimizer": optimizer_state(self.setter_optimizer),
            "judge_optimizer": optimizer_state(self.judge_optimizer),
            "pending": [
                {
                    "task": dict(self._pending_tasks[key]),
                    "goals": np.array([goal for goal, _ in proposals]),
                    "feasibilities": [f for _, f in proposals],
                }
                for key, proposals in self.pending.items()
            ],
            "goals": self.goals.copy(),
            "feasibilities": self.feasibilities.copy(),
            "successes": self.successes.copy(),
            "upcoming_goals": self._upcoming.copy(),
            "upcoming_feasibilities": self._upcoming_feasibilities.copy(),
            "n_trainings": self.n_trainings,
            "losses": dict(self.losses),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        d = self.encoding.dim
        try:
            load_module_state(self.setter, state["setter"], "Setter-Solver setter")
            load_module_state(self.judge, state["judge"], "Setter-Solver judge")
            load_optimizer_state(
                self.setter_optimizer, state["setter_optimizer"], "Setter-Solver setter"
            )
            load_optimizer_state(
                self.judge_optimizer, state["judge_optimizer"], "Setter-Solver judge"
            )
            self.pending, self._pending_tasks = {}, {}
            for entry in state["pending"]:
                task = self.task_space.validate(entry["task"])
                key = self._key(task)
                goals = np.asarray(entry["goals"], dtype=np.float64).reshape(-1, d)
                self.pending[key] = [
                    (goal, float(f)) for goal, f in zip(goals, entry["feasibilities"], strict=True)
                ]
                self._pending_tasks[key] = task
            self.goals = np.asarray(state["goals"], dtype=np.float64).reshape(-1, d)
            self.feasibilities = np.asarray(state["feasibilities"], dtype=np.float64).reshape(-1)
            self.successes = np.asarray(state["successes"], dtype=bool).reshape(-1)
            self._upcoming = np.asarray(state["upcoming_goals"], dtype=np.float64).reshape(-1, d)
            self._upcoming_feasibilities = np.asarray(
                state["upcoming_feasibilities"], dtype=np.float64
            ).reshape(-1)
            self.n_trainings = int(state["n_trainings"])
            self.losses = {name: float(value) for name, value in state["losses"].items()}
        except KeyError as exc:
            raise ValueError(f"saved {self.name} state lacks the entry {exc}") from None
        if not len(self.goals) == len(self.feasibilities) == len(self.successes):
            raise ValueError(f"saved {self.name} state has buffers of different lengths")
