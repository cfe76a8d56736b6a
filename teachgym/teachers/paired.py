"""PAIRED (Dennis et al., 2020): an adversary designs levels to maximise regret.

Teacher side of PAIRED. The adversary is a small policy trained with REINFORCE
(a running-mean baseline) whose reward is the regret of each level it designed::

    regret = antagonist return - protagonist return

The two students (protagonist and antagonist) live in the student layer
(:class:`teachgym.agents.paired.PairedStudent`), which plays every designed level
with both and reports ``Outcome(protagonist return, score=regret)``; so this
teacher *requires* a score, and that score is the regret.

Designers (chosen by ``designer``, ``"auto"`` picks by task space):

- ``vector``: one action that is the whole normalised parameter vector: a diagonal
  Gaussian over [0, 1]^dim (``TaskSpace.to_vector`` / ``from_vector``), for
  continuous, integer and categorical spaces;
- ``walls``: for a space with one binary ``IntArray`` (a maze), a sequence of
  ``n_walls`` wall placements, each a softmax over cells conditioned on the map
  built so far (a linear policy), after the other parameters (agent and goal cells)
  are drawn by a ``vector`` designer over the rest of the space. Placing a wall on
  a wall is a no-op, as in PAIRED, so a designer can build fewer walls.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from teachgym.tasks import LEVEL_SEED, IntArray, Task, TaskSpace
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.capabilities import REGRET
from teachgym.teachers.level_buffer import level_key
from teachgym.teachers.mutations import new_level_seed
from teachgym.validation import check_int, check_real


class LevelDesigner(ABC):
    """A stochastic level generator trained by policy gradient on a reward per level."""

    @abstractmethod
    def design(self, rng: np.random.Generator) -> tuple[Task, dict[str, Any]]:
        """A level (no ``level_seed``) and the record :meth:`learn` needs (JSON-ready)."""

    @abstractmethod
    def learn(self, records: list[dict[str, Any]], advantages: np.ndarray) -> None:
        """One REINFORCE step: raise the log-probability of designs with positive advantage."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]: ...

    @abstractmethod
    def load_state_dict(self, state: Mapping[str, Any]) -> None: ...


class VectorDesigner(LevelDesigner):
    """Diagonal Gaussian over a box of actions, one action per level (a one-step bandit).

    By default the box is the normalised task vector, [0, 1]^dim, decoded by
    ``TaskSpace.from_vector``; CLUTR's adversary (:mod:`teachgym.teachers.clutr`) acts in
    a VAE's latent box instead, with the VAE's decoder as ``decode``.

    Args:
        task_space: the (sub)space designed.
        learning_rate: step size of the REINFORCE update.
        dim: action size (default ``task_space.dim``).
        low, high: the action box (actions are clipped into it before decoding); the
            Gaussian starts at its centre.
        decode: clipped action -> task (default ``task_space.from_vector``).
        std: the Gaussian's initial standard deviation (default 0.3 of the box's width).
    """

    def __init__(
        self,
        task_space: TaskSpace,
        learning_rate: float,
        dim: int | None = None,
        low: float = 0.0,
        high: float = 1.0,
        decode: Callable[[np.ndarray], Task] | None = None,
        std: float | None = None,
    ) -> None:
        self.task_space = task_space
        self.learning_rate = learning_rate
        self.dim = task_space.dim if dim is None else dim
        self.low, self.high = low, high
        self.decode = decode or task_space.from_vector
        width = high - low
        self.mean = np.full(self.dim, (low + high) / 2)
        self.log_std = np.full(self.dim, np.log(0.3 * width if std is None else std))
        self._mean_bounds = (low - 0.5 * width, high + 0.5 * width)
        self._log_std_bounds = (-4.0 + np.log(width), 0.5 + np.log(width))

    def design(self, rng: np.random.Generator) -> tuple[Task, dict[str, Any]]:
        action = self.mean + np.exp(self.log_std) * rng.standard_normal(self.dim)
        task = self.decode(np.clip(action, self.low, self.high))
        return task, {"action": action.tolist()}

    def learn(self, records: list[dict[str, Any]], advantages: np.ndarray) -> None:
        std = np.exp(self.log_std)
        grad_mean = np.zeros_like(self.mean)
        grad_log_std = np.zeros_like(self.log_std)
        for record, advantage in zip(records, advantages, strict=True):
            z = (np.asarray(record["action"]) - self.mean) / std
            grad_mean += advantage * z / std
            grad_log_std += advantage * (z**2 - 1.0)
        n = len(records)
        self.mean = np.clip(self.mean + self.learning_rate * grad_mean / n, *self._mean_bounds)
        self.log_std = np.clip(
            self.log_std + self.learning_rate * grad_log_std / n, *self._log_std_bounds
        )

    def state_dict(self) -> dict[str, Any]:
        return {"mean": self.mean.copy(), "log_std": self.log_std.copy()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.mean = np.asarray(state["mean"], dtype=np.float64).reshape(self.dim)
        self.log_std = np.asarray(state["log_std"], dtype=np.float64).reshape(self.dim)


class WallSequenceDesigner(LevelDesigner):
    """Places ``n_walls`` walls one by one in a binary array; the rest by a vector designer.

    The placement policy is ``softmax(W @ map + b)`` over the cells, ``map`` the
    flattened walls placed so far (shape ``(cells,)``).
    """

    def __init__(
        self, task_space: TaskSpace, wall_name: str, n_walls: int, learning_rate: float
    ) -> None:
        parameter = task_space.parameters[wall_name]
        assert isinstance(parameter, IntArray)
        self.task_space = task_space
        self.wall_name = wall_name
        self.shape = parameter.shape
        self.cells = parameter.width
        self.n_walls = n_walls
        self.learning_rate = learning_rate
        self.weights = np.zeros((self.cells, self.cells))
        self.bias = np.zeros(self.cells)
        rest = {n: p for n, p in task_space.parameters.items() if n != wall_name}
        self.rest = VectorDesigner(TaskSpace(rest), learning_rate) if rest else None

    def _probabilities(self, walls: np.ndarray) -> np.ndarray:
        logits = self.weights @ walls + self.bias
        logits -= logits.max()
        p = np.exp(logits)
        return np.asarray(p / p.sum())

    def design(self, rng: np.random.Generator) -> tuple[Task, dict[str, Any]]:
        walls = np.zeros(self.cells)
        placed: list[int] = []
        for _ in range(self.n_walls):
            cell = int(rng.choice(self.cells, p=self._probabilities(walls)))
            placed.append(cell)
            walls[cell] = 1.0
        task: Task = {}
        record: dict[str, Any] = {"walls": placed}
        if self.rest is not None:
            task, rest_record = self.rest.design(rng)
            record["rest"] = rest_record
        task[self.wall_name] = walls.astype(np.int64).reshape(self.shape).tolist()
        return {n: task[n] for n in self.task_space.names}, record

    def learn(self, records: list[dict[str, Any]], advantages: np.ndarray) -> None:
        grad_w = np.zeros_like(self.weights)
        grad_b = np.zeros_like(self.bias)
        for record, advantage in zip(records, advantages, strict=True):
            walls = np.zeros(self.cells)
            for cell in record["walls"]:
                grad_logits = -self._probabilities(walls)
                grad_logits[cell] += 1.0
                grad_w += advantage * np.outer(grad_logits, walls)
                grad_b += advantage * grad_logits
                walls[cell] = 1.0
        n = len(records)
        self.weights += self.learning_rate * grad_w / n
        self.bias += self.learning_rate * grad_b / n
        if self.rest is not None:
            self.rest.learn([r["rest"] for r in records], advantages)

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"weights": self.weights.copy(), "bias": self.bias.copy()}
        if self.rest is not None:
            state["rest"] = self.rest.state_dict()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.weights = np.asarray(state["weights"], dtype=np.float64).reshape(self.weights.shape)
        self.bias = np.asarray(state["bias"], dtype=np.float64).reshape(self.bias.shape)
        if self.rest is not None:
            self.rest.load_state_dict(state["rest"])


MAX_WALLS = 10_000
"""Most wall placements ``n_walls`` may ask for (one adversary step each)."""


def _binary_arrays(task_space: TaskSpace) -> list[str]:
    return [
        n
        for n, p in task_space.parameters.items()
        if isinstance(p, IntArray) and (p.low, p.high) == (0, 1)
    ]


class PairedTeacher(Teacher):
    """PAIRED's adversary as a teacher: designs levels, learns from their regret.

    ``Outcome.score`` must be the level's regret (antagonist return - protagonist
    return); :class:`teachgym.agents.paired.PairedStudent` computes it.

    Args:
        task_space: any task space.
        seed: seed of the teacher's generator.
        designer: ``"auto"`` (``walls`` if the space has exactly one binary array,
            else ``vector``), ``"vector"`` or ``"walls"``.
        n_walls: wall placements per level for the ``walls`` designer (PAIRED: 50).
        learning_rate: REINFORCE step size.
        batch_size: designed levels per adversary update.
    """

    name = "paired"
    requires_score = True
    score_kind = REGRET
    param_attributes = {"designer": "designer_kind"}

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        designer: str = "auto",
        n_walls: int = 50,
        learning_rate: float = 0.05,
        batch_size: int = 16,
    ) -> None:
        super().__init__(task_space, seed)
        arrays = _binary_arrays(task_space)
        if designer == "auto":
            designer = "walls" if len(arrays) == 1 else "vector"
        if designer not in ("vector", "walls"):
            raise ValueError(f"designer must be 'auto', 'vector' or 'walls', got {designer!r}")
        owner = "teacher 'paired'"
        n_walls = check_int(owner, "n_walls", n_walls, 0, MAX_WALLS)
        learning_rate = check_real(owner, "learning_rate", learning_rate, above=0.0)
        batch_size = check_int(owner, "batch_size", batch_size, 1)
        self.designer_kind = designer
        self.n_walls = n_walls
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.designer: LevelDesigner
        if designer == "walls":
            if len(arrays) != 1:
                raise ValueError(
                    "the 'walls' designer needs exactly one binary IntArray parameter (a wall "
                    f"map); this task space has {arrays}"
                )
            self.designer = WallSequenceDesigner(task_space, arrays[0], n_walls, learning_rate)
        else:
            self.designer = VectorDesigner(task_space, learning_rate)
        self.designs: dict[str, dict[str, Any]] = {}
        """Design records of levels handed out and not yet reported, by level key."""
        self.batch_records: list[dict[str, Any]] = []
        self.batch_regrets: list[float] = []
        self.baseline = 0.0
        self.n_adversary_updates = 0
        self.last_regret = 0.0

    def _sample(self) -> Task:
        task, record = self.designer.design(self.rng)
        task[LEVEL_SEED] = new_level_seed(self.rng)
        self.designs[level_key(task)] = record
        return task

    def _update(self, task: Task, outcome: Outcome) -> None:
        assert outcome.score is not None  # Teacher.update enforces requires_score
        regret = float(outcome.score)
        self.last_regret = regret
        record = self.designs.pop(level_key(task), None)
        if record is None:  # a level reported again, or designed elsewhere: nothing to learn
            return
        self.batch_records.append(record)
        self.batch_regrets.append(regret)
        if len(self.batch_records) >= self.batch_size:
            regrets = np.asarray(self.batch_regrets)
            self.designer.learn(self.batch_records, regrets - self.baseline)
            self.baseline = 0.9 * self.baseline + 0.1 * float(regrets.mean())
            self.batch_records, self.batch_regrets = [], []
            self.n_adversary_updates += 1

    def discard(self, task: Mapping[str, Any]) -> None:
        """Forget a designed level that could not be evaluated (no regret to learn from)."""
        self.designs.pop(level_key(self.task_space.validate(task)), None)

    def diagnostics(self) -> dict[str, Any]:
        return {
            **super().diagnostics(),
            "adversary_updates": self.n_adversary_updates,
            "regret_baseline": self.baseline,
            "last_regret": self.last_regret,
        }

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "designer": self.designer.state_dict(),
            "designs": {k: dict(v) for k, v in self.designs.items()},
            "batch_records": list(self.batch_records),
            "batch_regrets": list(self.batch_regrets),
            "baseline": self.baseline,
            "n_adversary_updates": self.n_adversary_updates,
            "last_regret": self.last_regret,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            self.designer.load_state_dict(state["designer"])
            self.designs = {k: dict(v) for k, v in state["designs"].items()}
            self.batch_records = [dict(r) for r in state["batch_records"]]
            self.batch_regrets = [float(r) for r in state["batch_regrets"]]
            self.baseline = float(state["baseline"])
            self.n_adversary_updates = int(state["n_adversary_updates"])
            self.last_regret = float(state["last_regret"])
        except (KeyError, ValueError) as exc:
            raise ValueError(f"saved 'paired' state is incomplete or malformed: {exc}") from None
