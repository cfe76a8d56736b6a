"""The walker environment base: a Box2D walker on a track generated from a task.

Physics, observation, action and reward are those of Gymnasium's
``BipedalWalker-v3`` (and of the ALP-GMM / TeachMyAgent / ACCEL walkers built on
it): ``world.Step(1/50, 180, 60)``; each action value sets a joint's motor speed
to ``±speed`` by its sign and its torque limit to ``torque * min(|a|, 1)``; the
reward is the change of ``130 * x / 30 - 5 * |head angle|`` minus
``body.action_cost * min(|a|, 1)`` per action dimension; touching the ground with
a critical part (a walker's hull) or leaving the track to the left gives -100 and
terminates; passing ``FINISH_X`` terminates. Episodes last at most 2000 steps
(Portelas et al., CoRL 2019; docs/references.md [portelas2019]; TeachMyAgent's
Stump Tracks for the TeachMyAgent bodies, Romac et al., ICML 2021, [romac2021]).

Subclasses implement :meth:`WalkerEnv._generate_terrain` from a task and
``self.level_rng`` (seeded by the task's ``level_seed`` when given).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces

from teachgym.envs.walkers.bodies import BodySpec, body_spec, joint_observation_bounds
from teachgym.envs.walkers.constants import (
    FALL_REWARD,
    FINISH_X,
    FPS,
    INITIAL_RANDOM,
    LIDAR_RAYS,
)
from teachgym.envs.walkers.episode import MASTERY_RETURN, RETURN_BOUNDS, WalkerEpisodeEnv
from teachgym.envs.walkers.terrain import Terrain
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task

__all__ = ["MASTERY_RETURN", "RETURN_BOUNDS", "WalkerEnv"]


def _physics() -> Any:
    try:
        from teachgym.envs.walkers import physics
    except ImportError as exc:
        raise ImportError(
            f"the walker environments need Box2D ({exc}); install them with "
            '`pip install "teachgym[walker]"` (or `pip install "gymnasium[box2d]"`)'
        ) from None
    return physics


class WalkerEnv(WalkerEpisodeEnv):
    """A walker on a procedurally generated track.

    Args:
        body: any walker or amphibian of :data:`~teachgym.envs.walkers.bodies.BODIES`:
            ``"bipedal"`` (default), ``"short_legs"``, ``"long_legs"``, ``"quadruped"``
            or a TeachMyAgent body (``"classic_bipedal"``, ``"spider"``, ``"millipede"``,
            ...). Climbers and the fish need Parkour's ceiling and water.
        render_mode: ``None``, ``"rgb_array"`` (400 x 600 x 3 uint8 frames) or ``"human"``.
        task: a task fixed for every episode.

    Observation: float32 vector of ``4 + joints + 10`` values (24 for bipeds, 34 for the
    quadrupeds): head angle, angular speed, horizontal and vertical speed; per motor its
    angle and speed, plus ground contact where the segment checks it (for bipeds: hip
    angle and speed, knee angle and speed, contact, per leg); 10 downward lidar fractions.
    Action: float32 torques in [-1, 1], one per motor in the body's order (hip and knee
    per leg for bipeds). The declared observation bounds are Gymnasium's (angles within
    pi, speeds within 5, lidar within 1); like there, fast joints can exceed them.
    Reward as TeachMyAgent's Stump Tracks: bodies without a head-angle term (wheel,
    chimpanzee) only gain forward progress; the episode ends with -100 when a critical
    part or a walker's hull touches the ground.
    ``info["is_success"]`` at the end of an episode: return > 230.
    """

    def __init__(
        self,
        body: str = "bipedal",
        render_mode: str | None = None,
        task: Mapping[str, Any] | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        _physics()  # fail at construction, not at the first reset, without Box2D
        super().__init__(task)
        self.body: BodySpec = self._check_body(body_spec(body))
        self.render_mode = render_mode
        self.action_space = spaces.Box(-1.0, 1.0, shape=(self.body.action_dim,), dtype=np.float32)
        joints_low, joints_high = joint_observation_bounds(self.body)
        high = np.array([math.pi, 5.0, 5.0, 5.0, *joints_high] + [1.0] * LIDAR_RAYS, np.float32)
        low = np.array([-math.pi, -5.0, -5.0, -5.0, *joints_low] + [-1.0] * LIDAR_RAYS, np.float32)
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self._torque_cost = self.body.action_cost
        self.terrain = Terrain()
        self.sim: Any = None
        self._prev_shaping: float | None = None
        self._steps = 0
        self._return = 0.0
        self.cloud_seed = 0
        self._renderer: Any = None

    def _check_body(self, body: BodySpec) -> BodySpec:
        """Walker tracks have no water and no ceiling: walkers and amphibians only."""
        needs = {"climber": "a ceiling to hang from", "swimmer": "water"}
        if body.kind in needs:
            raise TeachgymUsageError(
                f"body {body.name!r} is a {body.kind} and needs {needs[body.kind]}: "
                "use it with teachgym/Parkour-v0"
            )
        return body

    # -- terrain ------------------------------------------------------------------
    @abstractmethod
    def _generate_terrain(self, task: Task, rng: np.random.Generator) -> Terrain:
        """The track for a validated ``task``, drawing every random number from ``rng``."""

    # -- gymnasium API ------------------------------------------------------------
    def _reset_task(self, task: Task) -> tuple[np.ndarray, dict[str, Any]]:
        rng = self.level_rng
        self.terrain = self._generate_terrain(task, rng)
        self.cloud_seed = int(rng.integers(2**31))
        if self.sim is not None:
            self.sim.close()
        push = float(self.np_random.uniform(-INITIAL_RANDOM, INITIAL_RANDOM))
        self.sim = _physics().WalkerWorld(self.terrain, self.body, push)
        self._prev_shaping = None
        observation = self._advance(np.zeros(self.body.action_dim))[0]
        self._begin_episode()
        return observation, {}

    def _advance(self, action: Any) -> tuple[np.ndarray, float, bool]:
        """Apply ``action``, step the physics once, observe; (observation, reward, terminated)."""
        values = self._action_values(action, self.body.action_dim, self.body.name)
        sim = self.sim
        cost = sim.body.apply_action(values)
        sim.world.Step(1.0 / FPS, 6 * 30, 2 * 30)
        hull = sim.hull
        x = hull.position[0]
        state = self._head_state(hull)
        state += sim.body.joint_state()
        state += sim.cast_lidar()
        reward = self._progress_reward(
            x, hull.angle, self.body.head_angle_reward, self._torque_cost * cost
        )
        terminated = False
        if sim.contacts.critical_contact or x < 0:
            reward = FALL_REWARD
            terminated = True
        if x > FINISH_X:
            terminated = True
        return np.array(state, dtype=np.float32), reward, terminated

    # -- rendering ------------------------------------------------------------------
    def _make_renderer(self) -> Any:
        from teachgym.envs.walkers.rendering import WalkerRenderer

        return WalkerRenderer(self.render_mode or "rgb_array", self.metadata["render_fps"])
