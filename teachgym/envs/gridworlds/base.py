"""The base of the MiniGrid family: a teachgym :class:`TaskEnv` whose engine is minigrid.

Composition: ``MiniGridTaskEnv(TaskEnv, _SeedOnlyMiniGrid)``. The method
resolution order is ``MiniGridTaskEnv -> TaskEnv -> _SeedOnlyMiniGrid ->
MiniGridEnv -> gymnasium.Env``, so ``reset`` is TaskEnv's (validate the task,
seed ``level_rng``, echo ``info["task"]``); its ``super().reset(seed=...)``
reaches ``_SeedOnlyMiniGrid.reset``, which only seeds ``np_random``; then
``_reset_task`` builds the layout through minigrid's ``_gen_grid`` hook once the
task is known. ``step``, rendering, objects and rewards are minigrid's
(reward on success ``1 - 0.9 * step_count / max_steps``, 0 otherwise).

Observation (the same for every task and every id of the family)::

    {"image": uint8 (7, 7, 3) egocentric view, minigrid codes (type, colour, state),
     "direction": Discrete(4), the agent's direction,
     "mission": MultiDiscrete([2, 11, 6]), the mission as (verb, object type, colour)}

The image is exactly minigrid's (see :mod:`.view`), computed faster. Actions:
minigrid's seven (left, right, forward, pickup, drop, toggle, done).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from minigrid.core.actions import Actions
from minigrid.core.constants import OBJECT_TO_IDX
from minigrid.core.mission import MissionSpace
from minigrid.core.world_object import WorldObj
from minigrid.minigrid_env import MiniGridEnv

from teachgym.envs.gridworlds.describe import describe_layout
from teachgym.envs.gridworlds.level import Level
from teachgym.envs.gridworlds.mission import mission_space
from teachgym.envs.gridworlds.solver import is_solvable as layout_is_solvable
from teachgym.envs.gridworlds.subgoals import Subgoal, subgoal_met
from teachgym.envs.gridworlds.view import EMPTY_CODE, egocentric_view, encode_cell, padded_encoding
from teachgym.envs.task_env import TaskEnv
from teachgym.tasks import LEVEL_SEED, Task

VIEW_SIZE = 7
"""Side of the agent's square view (cells), minigrid's default."""

CODE_HIGH = max(OBJECT_TO_IDX.values())
"""Largest value of a minigrid cell code (object type 10); colours and states are smaller."""

_EDITS = (Actions.pickup, Actions.drop, Actions.toggle)


def observation_space(view_size: int = VIEW_SIZE) -> spaces.Dict:
    """The family's observation space (see the module docstring)."""
    return spaces.Dict(
        {
            "image": spaces.Box(0, CODE_HIGH, (view_size, view_size, 3), np.uint8),
            "direction": spaces.Discrete(4),
            "mission": mission_space(),
        }
    )


def _no_mission() -> str:
    return "the mission is set by the task at reset"


class _SeedOnlyMiniGrid(MiniGridEnv):
    """minigrid's env whose ``reset`` only seeds ``np_random``.

    :class:`MiniGridTaskEnv` builds the layout in ``_reset_task``, after the task
    is validated, instead of in ``MiniGridEnv.reset``.
    """

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        gym.Env.reset(self, seed=seed)
        return {}, {}


# TaskEnv's typed reset wins over minigrid's untyped one (see the module docstring).
class MiniGridTaskEnv(TaskEnv[dict[str, Any], np.int64], _SeedOnlyMiniGrid):  # type: ignore[misc]
    """Base class of the teachgym MiniGrid environments.

    Subclasses set ``task_space`` and ``default_task`` and implement
    :meth:`_build_level` (task, random generator) -> :class:`Level`.

    Mastery (documented threshold): an episode succeeds when its return is > 0;
    a task is mastered when the greedy policy succeeds in at least
    ``mastery_success_rate`` (0.8) of ``mastery_episodes`` (5) episodes
    (:meth:`mastered`).

    Args:
        task: a task fixed for every episode.
        render_mode: ``None``, ``"rgb_array"`` or ``"human"`` (minigrid's renderer).
    """

    metadata: dict[str, Any] = {"render_modes": ["human", "rgb_array"], "render_fps": 10}
    return_bounds = (0.0, 1.0)
    mastery_return = 0.0
    mastery_success_rate: ClassVar[float | None] = 0.8
    mastery_episodes: ClassVar[int] = 5
    random_layout: ClassVar[bool] = True
    """Whether the layout depends on random draws (then only ``level_seed`` pins it)."""

    def __init__(self, task: dict[str, Any] | None = None, render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        TaskEnv.__init__(self, task)
        MiniGridEnv.__init__(
            self,
            mission_space=MissionSpace(mission_func=_no_mission),
            grid_size=3,
            max_steps=1,
            agent_view_size=VIEW_SIZE,
            render_mode=render_mode,
        )
        self.observation_space = observation_space(VIEW_SIZE)
        self.action_space = spaces.Discrete(len(Actions))
        self.level: Level | None = None
        self._padded = np.zeros((1, 1, 3), dtype=np.uint8)
        self._stale_cell: tuple[int, int] | None = None
        self._mission_code = np.zeros(3, dtype=np.int64)
        self._solvable = False
        self._target_obj: WorldObj | None = None

    # -- layout -------------------------------------------------------------------
    @abstractmethod
    def _build_level(self, task: Task, rng: np.random.Generator) -> Level:
        """The layout of a validated ``task``, drawing every random choice from ``rng``."""

    def build_level(self, task: Task) -> Level:
        """The layout ``task`` pins, built apart from the running episode.

        Raises:
            ValueError: if the task is invalid, or this id's layouts are random and
                the task has no ``level_seed``.
        """
        task = self.task_space.validate(task)
        seed = task.get(LEVEL_SEED)
        if seed is None and self.random_layout:
            raise ValueError(
                f"{type(self).__name__} draws its layouts at random: give the task a "
                f"{LEVEL_SEED!r} to pin one"
            )
        return self._build_level(task, np.random.default_rng(seed))

    def _gen_grid(self, width: int, height: int) -> None:
        """minigrid's generation hook: install the layout of ``self.task`` (the task,
        not ``width``/``height``, fixes the grid size)."""
        level = self._build_level(self.task, self.level_rng)
        self.level = level
        self.grid = level.grid
        self.width, self.height = level.grid.width, level.grid.height
        self.agent_pos = level.agent_pos
        self.agent_dir = level.agent_dir
        self.mission = level.mission.text
        self.max_steps = level.max_steps
        self._mission_code = level.mission.encode()
        self._target_obj = level.grid.get(*level.target)

    def _reset_task(self, task: Task) -> tuple[dict[str, Any], dict[str, Any]]:
        self.agent_pos = (-1, -1)
        self.agent_dir = -1
        self._gen_grid(self.width, self.height)
        self.carrying = None
        self.step_count = 0
        self._padded = padded_encoding(self.grid, VIEW_SIZE)
        self._stale_cell = None
        assert self.level is not None
        self._solvable = layout_is_solvable(self.grid, self.level.agent_pos, self.level.target)
        if self.render_mode == "human":
            self.render()
        return self.gen_obs(), {"mission": self.mission, "solvable": self._solvable}

    # -- stepping -----------------------------------------------------------------
    def gen_obs(self) -> dict[str, Any]:
        """The observation (see the module docstring)."""
        if self._stale_cell is not None:
            x, y = self._stale_cell
            self._padded[x + VIEW_SIZE, y + VIEW_SIZE] = encode_cell(self.grid.get(x, y))
            self._stale_cell = None
        carried = EMPTY_CODE if self.carrying is None else self.carrying.encode()
        image = egocentric_view(self._padded, self.agent_pos, self.agent_dir, VIEW_SIZE, carried)
        return {
            "image": image,
            "direction": int(self.agent_dir),
            "mission": self._mission_code.copy(),
        }

    def sync_grid(self) -> None:
        """Re-encode the whole grid; call it after editing ``self.grid`` by hand."""
        self._padded = padded_encoding(self.grid, VIEW_SIZE)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """minigrid's step; pickup missions succeed when the target object is picked up.

        ``info["is_success"]`` tells whether the mission was accomplished on this step.
        """
        if self.level is None:
            raise RuntimeError(f"{type(self).__name__}: call reset() before step()")
        act = int(action)
        if not 0 <= act < len(Actions):
            raise ValueError(
                f"action must be an integer in [0, {len(Actions) - 1}], got {action!r}"
            )
        if act in _EDITS:
            front = self.front_pos
            self._stale_cell = (int(front[0]), int(front[1]))
        obs, engine_reward, terminated, truncated, info = MiniGridEnv.step(self, act)
        reward = float(engine_reward)
        if (
            act == Actions.pickup
            and self.level.mission.verb == "pick up"
            and self.carrying is not None
            and self.carrying is self._target_obj
        ):
            reward = self._reward()
            terminated = True
        info["is_success"] = bool(terminated and reward > 0)
        return obs, reward, terminated, truncated, info

    # -- layout knowledge ---------------------------------------------------------
    def describe(self) -> str:
        """Canonical text description of the current layout (see :mod:`.describe`)."""
        self._require_level()
        return describe_layout(self)

    def oracle_subgoals(self) -> list[Subgoal]:
        """The oracle subgoal chain of the current layout, in order."""
        return list(self._require_level().subgoals)

    def subgoal_met(self, subgoal: Subgoal) -> bool:
        """Whether ``subgoal`` is met now (agent on its cell, or its cell's content changed)."""
        self._require_level()
        return subgoal_met(self, subgoal)

    def is_solvable(self, task: Task | None = None) -> bool:
        """Whether the current layout (or the layout ``task`` pins) can be solved.

        For evaluation, not for teachers. ``info["solvable"]`` at reset gives the same
        for each episode. A task needs a ``level_seed`` when this id's layouts are random.
        """
        if task is None:
            self._require_level()
            return self._solvable
        level = self.build_level(task)
        return layout_is_solvable(level.grid, level.agent_pos, level.target)

    def _require_level(self) -> Level:
        if self.level is None:
            raise RuntimeError(f"{type(self).__name__}: call reset() first")
        return self.level
