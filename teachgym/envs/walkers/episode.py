"""What every Box2D walker environment shares: the episode's bookkeeping, the head's
observation and the progress reward, rendering and closing.

The rules are Gymnasium's ``BipedalWalker-v3`` and TeachMyAgent's (docs/references.md
[portelas2019], [romac2021]): an action value per dimension, finite, in [-1, 1]; the head
observed by its angle, angular speed and velocity scaled as BipedalWalker does; the reward
the change of ``130 x / 30`` (minus ``5 |head angle|`` for bodies that keep that term)
minus the action cost; episodes truncated after 2000 steps; success = return > 230.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np

from teachgym.envs.task_env import TaskEnv
from teachgym.envs.walkers.constants import EPISODE_STEPS, FPS, SCALE, VIEWPORT_H, VIEWPORT_W

RETURN_BOUNDS = (-150.0, 350.0)
MASTERY_RETURN = 230.0


class WalkerEpisodeEnv(TaskEnv[np.ndarray, np.ndarray]):
    """Base of the walker tracks and Parkour.

    Subclasses set ``self.sim`` (the Box2D world, with ``close()``) at reset, implement
    :meth:`_advance` (one physics step: observation, reward, terminated) and
    :meth:`_make_renderer`, and reset the counters with :meth:`_begin_episode`.
    """

    metadata: dict[str, Any] = {"render_modes": ["human", "rgb_array"], "render_fps": FPS}
    return_bounds: ClassVar[tuple[float, float] | None] = RETURN_BOUNDS
    mastery_return: ClassVar[float | None] = MASTERY_RETURN
    start_noise: ClassVar[bool] = True
    """The initial push of the body comes from ``np_random``, as in Gymnasium's BipedalWalker."""

    sim: Any = None
    render_mode: str | None = None
    _renderer: Any = None
    _prev_shaping: float | None = None
    _steps = 0
    _return = 0.0

    @abstractmethod
    def _advance(self, action: Any) -> tuple[np.ndarray, float, bool]:
        """Apply ``action``, step the physics once, observe; (observation, reward, terminated)."""

    @abstractmethod
    def _make_renderer(self) -> Any:
        """A renderer with ``draw(env)`` and ``close()`` for this environment."""

    def _begin_episode(self) -> None:
        """The episode starts now: no steps, no return, reward measured from here."""
        self._steps = 0
        self._return = 0.0
        if self.render_mode == "human":
            self.render()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self.sim is None:
            raise RuntimeError("call reset() before step()")
        observation, reward, terminated = self._advance(action)
        self._steps += 1
        self._return += reward
        truncated = not terminated and self._steps >= EPISODE_STEPS
        info: dict[str, Any] = {}
        if terminated or truncated:
            info["is_success"] = self._return > MASTERY_RETURN
        if self.render_mode == "human":
            self.render()
        return observation, reward, terminated, truncated, info

    @staticmethod
    def _action_values(action: Any, size: int, body: str) -> list[float]:
        """``action`` as ``size`` floats; anything else is a ``ValueError`` naming the body."""
        values: list[float] = np.asarray(action, dtype=np.float64).reshape(-1).tolist()
        if len(values) != size or not all(math.isfinite(v) for v in values):
            raise ValueError(
                f"action must be {size} finite numbers in [-1, 1] for the {body!r} body, "
                f"got {action!r}"
            )
        return values

    @staticmethod
    def _head_state(head: Any) -> list[float]:
        """Angle, angular speed, horizontal and vertical speed of the head, scaled."""
        velocity = head.linearVelocity
        return [
            head.angle,
            2.0 * head.angularVelocity / FPS,
            0.3 * velocity[0] * (VIEWPORT_W / SCALE) / FPS,
            0.3 * velocity[1] * (VIEWPORT_H / SCALE) / FPS,
        ]

    def _progress_reward(self, x: float, angle: float, angle_term: bool, cost: float) -> float:
        """The change of the shaping since the last step, minus ``cost``."""
        shaping = 130 * x / SCALE
        if angle_term:
            shaping -= 5.0 * abs(angle)
        reward = 0.0 if self._prev_shaping is None else shaping - self._prev_shaping
        self._prev_shaping = shaping
        return reward - cost

    def render(self) -> np.ndarray | None:
        """An RGB frame (``rgb_array``) or a window update (``human``); ``None`` without a mode."""
        if self.render_mode is None:
            return None
        if self.sim is None:
            raise RuntimeError("call reset() before render()")
        if self._renderer is None:
            self._renderer = self._make_renderer()
        frame: np.ndarray | None = self._renderer.draw(self)
        return frame

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
        if self.sim is not None:
            self.sim.close()
            self.sim = None
