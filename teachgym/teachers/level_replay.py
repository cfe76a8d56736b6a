"""Prioritized Level Replay (``plr``), Robust PLR (``robust-plr``) and ACCEL (``accel``).

A level is a task plus a ``level_seed``. Each teacher keeps a :class:`LevelBuffer`
of scored levels (docs/references.md [jiang2021plr], [jiang2021rplr], [parkerholder2022]):

1. Once the buffer is at least ``min_fill`` full, with probability ``replay_prob``
   a stored level is replayed (rank prioritisation with exponent ``1/β`` mixed
   with staleness rho); otherwise a *new* level is drawn (uniform task, fresh seed).
2. Every finished episode brings a learning-potential score (``Outcome.score``,
   from the student's value estimates, see :mod:`teachgym.teachers.level_scores`
   and :meth:`LevelReplayTeacher.episode_score`). A replayed level's score is
   updated; a new level enters the buffer, replacing the lowest-support member
   when its score beats that member's.
3. Robust PLR (PLR⊥) lets the student take no gradient step on new levels, only
   score them: it declares the ``robust`` capability of the teacher protocol and
   :meth:`LevelReplayTeacher.is_exploratory` says which episodes to leave out
   (for SB3 PPO, :mod:`teachgym.agents.level_replay` masks them).
4. ACCEL additionally mutates each replayed level after its episode (a few small
   edits, :mod:`teachgym.teachers.mutations`) and scores the child as a new level;
   new levels may start easy (``easy_fraction``: e.g. an empty maze).

The published configurations are named presets (:data:`TEACHER_PRESETS`):
``PLRTeacher.from_preset("maze-plr", space)`` or
``make_teacher("plr", space, preset="maze-plr")``; explicit hyperparameters
override the preset's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import (
    LEVEL_SEED,
    Continuous,
    IntArray,
    Integer,
    Task,
    TaskSpace,
    check_density,
)
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.capabilities import BufferedLevels
from teachgym.teachers.level_buffer import LevelBuffer
from teachgym.teachers.level_scores import SCORE_FUNCTIONS, EpisodeTrace, episode_score
from teachgym.teachers.mutations import EditSize, LevelMutator, new_level_seed

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    # BipedalWalker, Robust PLR ([parkerholder2022]): positive value loss, replay 0.5,
    # min fill 0.5, buffer 1000, staleness 0.5, β 0.1.
    "walker-robust-plr": {
        "score_function": "positive_value_loss",
        "replay_prob": 0.5,
        "min_fill": 0.5,
        "capacity": 1000,
        "staleness_coef": 0.5,
        "temperature": 0.1,
    },
    # BipedalWalker, ACCEL: as above with replay 0.9, 3 edits, starting from easy
    # levels ("easy" ranges are about the lowest 6-8 % of each range: roughness
    # [0, 0.6] of [0, 10], pit [0, 0.8] of [0, 10], stump/stair [0, 0.4] of [0, 5]).
    # The edit magnitudes are the walker's own (TerrainWalkerEnv.edit_sizes).
    "walker-accel": {
        "score_function": "positive_value_loss",
        "replay_prob": 0.9,
        "min_fill": 0.5,
        "capacity": 1000,
        "staleness_coef": 0.5,
        "temperature": 0.1,
        "n_edits": 3,
        "easy_fraction": 0.08,
        "easy_kinds": ["continuous", "integer", "int_array"],
    },
    # Mazes, PLR: MaxMC, replay 0.5, buffer 4000, staleness 0.3, β 0.1; new levels are
    # the 25-block random mazes of the literature's domain randomisation (25 of 169
    # cells are walls on average), not uniform wall maps (one cell in two).
    "maze-plr": {
        "new_level_density": 25 / 169,
        "score_function": "max_mc",
        "replay_prob": 0.5,
        "capacity": 4000,
        "staleness_coef": 0.3,
        "temperature": 0.1,
    },
    # Mazes, ACCEL: positive value loss, replay 0.8, buffer 4000, staleness 0.3,
    # β 0.3, 5 edits (the maze's own: flip a wall, move the goal to a random cell, or
    # nothing, one in three each, as the public maze mutator; MazeEnv.edit_weights and
    # edit_groups), new levels are empty mazes (every wall array at its low value;
    # agent and goal at random cells).
    "maze-accel": {
        "score_function": "positive_value_loss",
        "replay_prob": 0.8,
        "capacity": 4000,
        "staleness_coef": 0.3,
        "temperature": 0.3,
        "n_edits": 5,
        "easy_fraction": 0.0,
        "easy_kinds": ["int_array"],
    },
}
"""Published configurations (docs/references.md [jiang2021rplr], [parkerholder2022]).

The ACCEL presets hold the algorithm's hyperparameters only: the edits are the
environment's (``TaskEnv.edit_sizes``, ``edit_weights``, ``edit_groups``), which the
benchmark suite and the CLI pass along; called directly, an ACCEL preset needs them
given (e.g. ``make_teacher("accel", space, preset="maze-accel", **MazeEnv.edit_operators())``).
"""

EDIT_ARGUMENTS = ("edit_sizes", "edit_weights", "edit_groups")
"""The hyperparameters through which a mutating teacher takes an environment's edits."""


class LevelReplayTeacher(Teacher):
    """Shared machinery of ``plr``, ``robust-plr`` and ``accel`` (not registered itself).

    Args:
        task_space: any task space (continuous, integer, categorical, arrays).
        seed: seed of the teacher's generator.
        score_function: how a student's episode trace becomes a score, one of
            ``positive_value_loss, max_mc, value_l1, return_proxy``.
        capacity: buffer size (levels).
        replay_prob: probability of replaying once the buffer is ``min_fill`` full.
        min_fill: fraction of ``capacity`` that must be filled before replaying.
        staleness_coef: rho, weight of staleness in the replay distribution.
        temperature: β; rank weights are ``(1/rank) ** (1/β)``.
        score_alpha: weight of a replay's new score against the old one.
        new_level_density: if set, each cell of a binary ``IntArray`` of a new level is 1
            with this probability (e.g. 25 / 169 for the 25-block mazes of the
            literature); ``None``: uniform over the task space like every other parameter.
    """

    requires_score = True

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        score_function: str = "positive_value_loss",
        capacity: int = 1000,
        replay_prob: float = 0.5,
        min_fill: float = 0.5,
        staleness_coef: float = 0.3,
        temperature: float = 0.1,
        score_alpha: float = 1.0,
        new_level_density: float | None = None,
    ) -> None:
        super().__init__(task_space, seed)
        if score_function not in SCORE_FUNCTIONS:
            raise ValueError(
                f"unknown score_function {score_function!r}; known: {list(SCORE_FUNCTIONS)}"
            )
        self.score_function = score_function
        self.replay_prob = float(replay_prob)
        self.min_fill = float(min_fill)
        for name, value in (("replay_prob", self.replay_prob), ("min_fill", self.min_fill)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        self.new_level_density = check_density(new_level_density, "new_level_density")
        self.capacity = capacity
        self.temperature = float(temperature)
        self.staleness_coef = float(staleness_coef)
        self.score_alpha = float(score_alpha)
        self.buffer = LevelBuffer(capacity, self.temperature, self.staleness_coef, self.score_alpha)
        self.mean_return = 0.0
        self.n_returns = 0
        self.n_replays = 0
        self.n_new = 0

    # -- sampling ----------------------------------------------------------------
    def _new_level(self) -> Task:
        task = self.task_space.sample(self.rng, binary_density=self.new_level_density)
        task[LEVEL_SEED] = new_level_seed(self.rng)
        return task

    def _sample(self) -> Task:
        self.buffer.tick()
        ready = len(self.buffer) > 0 and self.buffer.fill >= self.min_fill
        if ready and self.rng.random() < self.replay_prob:
            self.n_replays += 1
            return self.buffer.sample_replay(self.rng)
        self.n_new += 1
        return self._new_level()

    def is_exploratory(self, task: Mapping[str, Any]) -> bool:
        """True if an episode on ``task`` explores a new level (not a buffer replay)."""
        return task not in self.buffer

    def buffer_levels(self) -> BufferedLevels:
        """The buffer's levels and their scores (copies)."""
        n = len(self.buffer)
        return BufferedLevels(
            [dict(level) for level in self.buffer.levels], self.buffer.scores[:n].copy()
        )

    # -- scores and updates ----------------------------------------------------------
    def episode_score(self, task: Mapping[str, Any], trace: EpisodeTrace) -> float:
        """This teacher's score of one episode on ``task`` (before :meth:`update`).

        Students call this with their value estimates and advantages; a student
        without a critic passes only the return and gets the return proxy.
        """
        index = self.buffer.index_of(task)
        level_max = None if index is None else float(self.buffer.max_returns[index])
        if index is not None:
            reference = float(self.buffer.last_returns[index])
        else:
            reference = self.mean_return
        return episode_score(self.score_function, trace, level_max, reference)

    def _update(self, task: Task, outcome: Outcome) -> None:
        assert outcome.score is not None  # Teacher.update enforces requires_score
        if LEVEL_SEED not in task:
            raise ValueError(
                f"teacher {self.name!r} replays levels and needs the {LEVEL_SEED!r} it handed "
                f"out in every reported task; got {task!r}"
            )
        score = float(outcome.score)
        episode_return = float(outcome.episode_return)
        index = self.buffer.index_of(task)
        if index is not None:
            self.buffer.record(index, score, episode_return)
            self._after_replay(task)
        else:
            self.buffer.try_insert(task, score, episode_return)
        self.n_returns += 1
        self.mean_return += (episode_return - self.mean_return) / self.n_returns

    def _after_replay(self, task: Task) -> None:
        """Hook run after a replayed level's episode was recorded (ACCEL mutates here)."""

    # -- bookkeeping ----------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        n = len(self.buffer)
        scores = self.buffer.scores[:n]
        return {
            **super().diagnostics(),
            "buffer_size": n,
            "replays": self.n_replays,
            "new_levels": self.n_new,
            "mean_score": float(scores.mean()) if n else 0.0,
            "max_score": float(scores.max()) if n else 0.0,
        }

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "buffer": self.buffer.state_dict(),
            "mean_return": self.mean_return,
            "n_returns": self.n_returns,
            "n_replays": self.n_replays,
            "n_new": self.n_new,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        try:
            self.buffer.load_state_dict(state["buffer"])
            self.mean_return = float(state["mean_return"])
            self.n_returns = int(state["n_returns"])
            self.n_replays = int(state["n_replays"])
            self.n_new = int(state["n_new"])
        except KeyError as exc:
            raise ValueError(f"saved {self.name!r} state lacks the entry {exc}") from None


class PLRTeacher(LevelReplayTeacher):
    """Prioritized Level Replay (Jiang et al., 2021): trains on new and replayed levels."""

    name = "plr"
    presets = {k: TEACHER_PRESETS[k] for k in ("maze-plr", "walker-robust-plr")}


class RobustPLRTeacher(LevelReplayTeacher):
    """Robust PLR / PLR⊥ (Jiang et al., 2021): no gradient step on new levels."""

    name = "robust-plr"
    robust = True
    presets = {k: TEACHER_PRESETS[k] for k in ("maze-plr", "walker-robust-plr")}


class ACCELTeacher(LevelReplayTeacher):
    """ACCEL (Parker-Holder et al., 2022): Robust PLR plus mutation of replayed levels.

    Extra args:
        n_edits: edits per mutation.
        edit_sizes: edit magnitude per parameter name (see :mod:`~teachgym.teachers.mutations`).
        edit_weights: relative probability of each edit, by parameter, group or
            ``"no-op"`` (default uniform over parameters).
        edit_groups: parameters edited together, drawn anew over their ranges (the
            maze's ``goal``: both goal coordinates).
            These three are usually the environment's published edits
            (``TaskEnv.edit_operators()``); every name must be in the task space
            (a :class:`~teachgym.errors.TeachgymUsageError` names the one that is not).
        easy_fraction: if set, new levels draw every parameter of a kind in
            ``easy_kinds`` uniformly from the lowest ``easy_fraction`` of its range
            (0: exactly the low end, e.g. an empty maze); ``None``: uniform levels.
        easy_kinds: parameter kinds ``easy_fraction`` applies to.
    """

    name = "accel"
    robust = True
    mutates = True
    presets = {k: TEACHER_PRESETS[k] for k in ("maze-accel", "walker-accel")}

    @classmethod
    def from_preset(cls, preset: str, task_space: TaskSpace, **overrides: Any) -> ACCELTeacher:
        """As :meth:`Teacher.from_preset`; the preset holds the algorithm's values only,
        so the environment's edits must be among ``overrides``.

        Raises:
            TeachgymUsageError: if none of ``edit_sizes``, ``edit_weights``,
                ``edit_groups`` is given.
        """
        if preset in cls.presets and not any(name in overrides for name in EDIT_ARGUMENTS):
            raise TeachgymUsageError(
                f"preset {preset!r} edits levels with the environment's own edits; pass "
                f"them as {', '.join(EDIT_ARGUMENTS)} (e.g. **MazeEnv.edit_operators() or "
                "**TerrainWalkerEnv.edit_operators()), as the benchmark suite and the CLI do"
            )
        teacher = super().from_preset(preset, task_space, **overrides)
        assert isinstance(teacher, ACCELTeacher)
        return teacher

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        score_function: str = "positive_value_loss",
        capacity: int = 1000,
        replay_prob: float = 0.5,
        min_fill: float = 0.5,
        staleness_coef: float = 0.3,
        temperature: float = 0.1,
        score_alpha: float = 1.0,
        new_level_density: float | None = None,
        n_edits: int = 3,
        edit_sizes: Mapping[str, EditSize] | None = None,
        edit_weights: Mapping[str, float] | None = None,
        edit_groups: Mapping[str, Sequence[str]] | None = None,
        easy_fraction: float | None = None,
        easy_kinds: Sequence[str] = ("continuous", "integer", "int_array"),
    ) -> None:
        super().__init__(
            task_space,
            seed,
            score_function,
            capacity,
            replay_prob,
            min_fill,
            staleness_coef,
            temperature,
            score_alpha,
            new_level_density,
        )
        self.n_edits = n_edits
        self.edit_sizes = None if edit_sizes is None else dict(edit_sizes)
        self.edit_weights = None if edit_weights is None else dict(edit_weights)
        self.edit_groups = None if edit_groups is None else dict(edit_groups)
        self.mutator = LevelMutator(
            task_space, n_edits, self.edit_sizes, self.edit_weights, self.edit_groups
        )
        self.easy_fraction = easy_fraction
        if self.easy_fraction is not None and not 0.0 <= self.easy_fraction <= 1.0:
            raise ValueError(f"easy_fraction must be in [0, 1] or None, got {self.easy_fraction}")
        self.easy_kinds = list(easy_kinds)
        known = {"continuous", "integer", "int_array"}
        if not set(self.easy_kinds) <= known:
            raise ValueError(f"easy_kinds must be among {sorted(known)}, got {self.easy_kinds}")
        self.children: list[Task] = []
        """Mutated levels waiting to be scored (served before any other new level)."""

    def _new_level(self) -> Task:
        task = super()._new_level()
        if self.easy_fraction is None:
            return task
        for name, parameter in self.task_space.parameters.items():
            if parameter.kind not in self.easy_kinds or name not in task:
                continue
            if isinstance(parameter, Continuous):
                top = parameter.low + self.easy_fraction * (parameter.high - parameter.low)
                task[name] = float(self.rng.uniform(parameter.low, top))
            elif isinstance(parameter, Integer):
                top_int = parameter.low + int(self.easy_fraction * (parameter.high - parameter.low))
                task[name] = int(self.rng.integers(parameter.low, top_int, endpoint=True))
            elif isinstance(parameter, IntArray):
                top_int = parameter.low + int(self.easy_fraction * (parameter.high - parameter.low))
                values = self.rng.integers(
                    parameter.low, top_int, size=parameter.shape, endpoint=True
                )
                task[name] = values.tolist()
        return task

    def _sample(self) -> Task:
        if self.children:
            self.buffer.tick()
            self.n_new += 1
            return self.children.pop(0)
        return super()._sample()

    def _after_replay(self, task: Task) -> None:
        self.children.append(self.mutator.mutate(task, self.rng))

    def diagnostics(self) -> dict[str, Any]:
        return {**super().diagnostics(), "children_waiting": len(self.children)}

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "children": [dict(c) for c in self.children]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        if "children" not in state:
            raise ValueError("saved 'accel' state lacks the entry 'children'")
        self.children = [self.task_space.validate(c) for c in state["children"]]
