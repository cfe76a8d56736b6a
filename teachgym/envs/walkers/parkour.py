"""Parkour: TeachMyAgent's CPPN terrain with water and creepers, for walkers, climbers and swimmers.

Source: Romac et al., "TeachMyAgent: a Benchmark for Automatic Curriculum Learning in
Deep RL" (ICML 2021) and its ``parametric_continuous_parkour.py``; docs/references.md
[romac2021]. Track geometry: :mod:`teachgym.envs.walkers.parkour_track`; CPPN:
:mod:`teachgym.envs.walkers.cppn`; water: :mod:`teachgym.envs.walkers.water`.

Task (8 values): ``v1``, ``v2``, ``v3`` (the CPPN input), ``water_level`` (0 none .. 1
full), ``creepers_width``, ``creepers_height``, ``creepers_spacing`` (m) and
``terrain_cppn_scale`` (divides the CPPN output). Teachers see the benchmark's 6 free
dimensions: the CPPN box (``cppn_space``: ``"medium"`` [-0.35, 0.05] x [0.6, 1] x
[-0.1, 0.3], the benchmark's default; ``"easy"`` [-0.25, -0.05] x [0.8, 1] x [0, 0.2];
``"full"`` [-1, 1]^3), water in [0, 1], creepers height in [0, 4] and spacing in [0, 5];
creepers width is held at 0.25 and the scale at 10 (:class:`~teachgym.tasks.Fixed`: test
tasks may set widths in [0, 0.5] and scales in [10, 20]).

Step: the action drives the motors (and the grasp commands of a climber); the world
steps once (``Step(1/50, 180, 60)``). Observation: head angle, angular speed, vx, vy,
under-water flag, dead flag; the body's joint values (and per grasp sensor: touching,
attached); 10 lidar fractions and 10 surface flags (-1 water, +1 creeper, 0 else).
Reward: the change of ``130 x / 30 - 5 |head angle|`` (no angle term for the bodies
that drop it) minus ``penalty * 80 * min(|a|, 1)`` per action dimension; -100 and
``terminated`` when a critical part touches the terrain or the head goes behind x = 0;
``terminated`` past the finish. Success: return > 230; episodes last at most 2000 steps.

Drowning: walkers and climbers whose head stays under water for more than 600
consecutive steps die, swimmers out of it; amphibians never. As in the reference, a
dead agent's actions are zeroed and the ``dead`` flag set while the episode runs on;
``terminate_on_death=True`` ends it instead (a deviation offered as an option).
A walker falling on its hull is not critical in Parkour (the reference builds its walkers
with ``reset_on_hull_critical_contact=False``); ``terminate_on_fall=True`` makes it -100
and ``terminated``, as on Stump Tracks and in ``BipedalWalker-v3`` (an option: a walker
that lies on the ground until the 2000-step limit spends most of a short budget there).
Climbers start hanging from the start pad's ceiling by their sensors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from teachgym.envs.task_env import TestSet
from teachgym.envs.walkers.bodies import BodySpec, body_spec
from teachgym.envs.walkers.constants import (
    FALL_REWARD,
    FPS,
    INITIAL_RANDOM,
    LIDAR_RAYS,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
)
from teachgym.envs.walkers.episode import WalkerEpisodeEnv
from teachgym.envs.walkers.parkour_track import ParkourTrack, build_track
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Continuous, Fixed, Task, TaskSpace
from teachgym.validation import check_bool

CPPN_SPACES: dict[str, tuple[tuple[float, float], ...]] = {
    "easy": ((-0.25, -0.05), (0.8, 1.0), (0.0, 0.2)),
    "medium": ((-0.35, 0.05), (0.6, 1.0), (-0.1, 0.3)),
    "full": ((-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0)),
}
"""The benchmark's boxes of CPPN inputs (``medium`` is its default)."""
RETURN_BOUNDS = (-150.0, 360.0)
"""The reference's return bounds for Parkour (used to rescale returns to [0, 1])."""
SURVIVAL_STEPS = 600
TEST_SET_SEED = 2021
"""Seed of the draws of the three test sets."""
HANG_STEPS = 5
"""A climber is placed on the ceiling and held by its sensors this many steps (plus the
first) before the episode starts."""
_HEAD_VALUES = 6


LIMITS: dict[str, tuple[float, float]] = {
    "v1": (-1.0, 1.0),
    "v2": (-1.0, 1.0),
    "v3": (-1.0, 1.0),
    "water_level": (0.0, 1.0),
    "creepers_width": (0.0, 0.5),
    "creepers_height": (0.0, 4.0),
    "creepers_spacing": (0.0, 5.0),
    "terrain_cppn_scale": (10.0, 20.0),
}
"""The values a task may take: the reference's full CPPN box, its training ranges for
water, creeper height and spacing, and the widths and scales of its test sets."""
BENCHMARK_RANGES: dict[str, float | tuple[float, float]] = {
    "water_level": (0.0, 1.0),
    "creepers_width": 0.25,
    "creepers_height": (0.0, 4.0),
    "creepers_spacing": (0.0, 5.0),
    "terrain_cppn_scale": 10.0,
}
"""The benchmark's training ranges besides the CPPN box; a single number is held fixed."""


def parkour_space(cppn_space: str = "medium", ranges: Mapping[str, Any] | None = None) -> TaskSpace:
    """The task space teachers see.

    Args:
        cppn_space: the box of ``v1``, ``v2``, ``v3``: ``"easy"``, ``"medium"`` or ``"full"``.
        ranges: per parameter, a ``[low, high]`` range or one value teachers hold (a
            :class:`~teachgym.tasks.Fixed` parameter, which tasks may still set anywhere in
            :data:`LIMITS`); unnamed parameters keep the box and :data:`BENCHMARK_RANGES`.
    """
    if cppn_space not in CPPN_SPACES:
        raise TeachgymUsageError(
            f"cppn_space must be one of {sorted(CPPN_SPACES)}, got {cppn_space!r}"
        )
    chosen: dict[str, Any] = dict(zip(("v1", "v2", "v3"), CPPN_SPACES[cppn_space], strict=True))
    chosen.update(BENCHMARK_RANGES)
    unknown = sorted(set(ranges or {}) - set(LIMITS))
    if unknown:
        raise TeachgymUsageError(
            f"ranges: unknown Parkour parameter {unknown[0]!r}; the parameters are {list(LIMITS)}"
        )
    chosen.update(ranges or {})
    parameters: dict[str, Any] = {}
    for name, (low, high) in LIMITS.items():
        value = chosen[name]
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not low <= value <= high:
                raise TeachgymUsageError(
                    f"ranges: {name} must be in [{low}, {high}], got {value!r}"
                )
            parameters[name] = Fixed(float(value), low, high)
            continue
        pair = tuple(value) if isinstance(value, list | tuple) else ()
        if (
            len(pair) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
            or not low <= pair[0] < pair[1] <= high
        ):
            raise TeachgymUsageError(
                f"ranges: {name} must be one number or [low, high] with "
                f"{low} <= low < high <= {high}, got {value!r}"
            )
        parameters[name] = Continuous(float(pair[0]), float(pair[1]))
    return TaskSpace(parameters)


def _physics() -> Any:
    try:
        from teachgym.envs.walkers import parkour_physics
    except ImportError as exc:
        raise ImportError(
            f'Parkour needs Box2D ({exc}); install it with `pip install "teachgym[walker]"` '
            '(or `pip install "gymnasium[box2d]"`)'
        ) from None
    return parkour_physics


class ParkourEnv(WalkerEpisodeEnv):
    """TeachMyAgent's Parkour (module docstring).

    Args:
        body: the agent (``teachgym.envs.walkers.bodies``; default ``"bipedal"``).
        cppn_space: the box of CPPN inputs teachers see: ``"medium"``, ``"easy"`` or ``"full"``.
        ranges: other ranges teachers see, per parameter ``[low, high]`` or one held value
            (:func:`parkour_space`), e.g. ``{"water_level": 1.0}`` for swimmers only.
        terminate_on_death: end the episode when the agent drowns (or dries out) instead of
            letting it run on dead.
        terminate_on_fall: a walker's hull touching the terrain is critical (-100 and
            ``terminated``), as on Stump Tracks; the reference's Parkour lets it lie (default).
        vectorised_water: compute the water forces with numpy over all polygons (default);
            ``False`` uses the per-polygon Python loop (same forces, slower).
        render_mode: ``None``, ``"rgb_array"`` (400 x 600 x 3 frames) or ``"human"``.
        task: a task fixed for every episode.

    Test sets (version 1, drawn with seed :data:`TEST_SET_SEED` inside this instance's
    CPPN box; values beyond its ``ranges`` are clipped into them): ``walking`` (100 tasks:
    no water, creepers 0, scale 20), ``climbing`` (100: water in [0, 0.8], creepers
    width in [0, 0.5], height in [0, 4], spacing in [0, 5], scale 10), ``swimming``
    (100: water 1, creepers 0, scale 10) and ``easy`` (10 tasks of the body's own skill
    in the reference's easy CPPN box; for climbers no water and creepers 1 to 3 m long at
    most 1 m apart). The default is the body's own: walking for walkers, climbing for
    climbers, swimming for swimmers and amphibians.
    """

    return_bounds: ClassVar[tuple[float, float] | None] = RETURN_BOUNDS
    task_space = parkour_space("medium")
    """The default box; an instance made with another ``cppn_space`` has its own."""
    default_task: Task = {
        "v1": -0.15,
        "v2": 0.8,
        "v3": 0.1,
        "water_level": 0.0,
        "creepers_width": 0.25,
        "creepers_height": 0.0,
        "creepers_spacing": 0.0,
        "terrain_cppn_scale": 10.0,
    }

    def __init__(
        self,
        body: str = "bipedal",
        cppn_space: str = "medium",
        ranges: Mapping[str, Any] | None = None,
        terminate_on_death: bool = False,
        terminate_on_fall: bool = False,
        vectorised_water: bool = True,
        render_mode: str | None = None,
        task: Mapping[str, Any] | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise TeachgymUsageError(
                f"render_mode must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        _physics()
        self.task_space = parkour_space(cppn_space, ranges)
        self.cppn_space = cppn_space
        self.terminate_on_death = check_bool("ParkourEnv", "terminate_on_death", terminate_on_death)
        self.terminate_on_fall = check_bool("ParkourEnv", "terminate_on_fall", terminate_on_fall)
        self.vectorised_water = check_bool("ParkourEnv", "vectorised_water", vectorised_water)
        self.spec_of_body: BodySpec = body_spec(body)
        super().__init__(task)
        self.render_mode = render_mode
        self.body_name = body
        spec = self.spec_of_body
        self.body_kind: str = spec.kind
        self._action_dim = spec.action_dim
        self._action_cost = spec.action_cost
        self._head_angle_reward = spec.head_angle_reward
        self._survival_steps = spec.survival_steps
        self.startpad = max(TERRAIN_STARTPAD, math.ceil(spec.width / TERRAIN_STEP + 5))
        self.action_space = spaces.Box(-1.0, 1.0, shape=(self._action_dim,), dtype=np.float32)
        size = _HEAD_VALUES + spec.joint_observation_dim + 2 * LIDAR_RAYS
        low = np.full(size, -np.inf, dtype=np.float32)
        high = np.full(size, np.inf, dtype=np.float32)
        low[4:6], high[4:6] = 0.0, 1.0
        low[size - 2 * LIDAR_RAYS : size - LIDAR_RAYS] = 0.0
        high[size - 2 * LIDAR_RAYS : size - LIDAR_RAYS] = 1.0
        low[size - LIDAR_RAYS :], high[size - LIDAR_RAYS :] = -1.0, 1.0
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self.track: ParkourTrack | None = None
        self.sim: Any = None
        self.cloud_seed = 0
        self._renderer: Any = None
        self._prev_shaping: float | None = None
        self._steps = 0
        self._return = 0.0
        self.steps_under_water = 0
        self.steps_out_of_water = 0
        self.dead = False

    # -- test sets ---------------------------------------------------------------------
    def test_sets(self) -> dict[str, TestSet]:
        sets = parkour_test_sets(self.task_space, self.body_kind)
        first = {"walker": "walking", "climber": "climbing"}.get(self.body_kind, "swimming")
        return {first: sets[first], **{k: v for k, v in sets.items() if k != first}}

    # -- gymnasium API -----------------------------------------------------------------
    def _reset_task(self, task: Task) -> tuple[np.ndarray, dict[str, Any]]:
        rng = self.level_rng
        self.track = build_track(task, self.startpad, rng)
        self.cloud_seed = int(rng.integers(2**31))
        if self.sim is not None:
            self.sim.close()
        push = float(self.np_random.uniform(-INITIAL_RANDOM, INITIAL_RANDOM))
        self.sim = _physics().ParkourWorld(
            self.track,
            self.spec_of_body,
            push,
            self.startpad,
            self.vectorised_water,
            falls_critical=self.terminate_on_fall,
        )
        self._prev_shaping = None
        self.steps_under_water = self.steps_out_of_water = 0
        self.dead = False
        action = np.zeros(self._action_dim)
        if self.body_kind == "climber":
            self.sim.hang_from_ceiling()
            action[self._action_dim - len(self.sim.agent.sensors) :] = 1.0
            for _ in range(HANG_STEPS):
                self._advance(action)
        observation = self._advance(action)[0]
        self.steps_under_water = self.steps_out_of_water = 0
        self._begin_episode()
        return observation, {}

    @property
    def drowning_fraction(self) -> float:
        """How far the agent is towards dying, 0..1 (consecutive steps in the wrong medium
        over the steps it survives there)."""
        limit = self._survival_steps
        if limit is None:
            return 0.0
        steps = self.steps_out_of_water if self.body_kind == "swimmer" else self.steps_under_water
        return min(1.0, steps / limit)

    def _is_dead(self) -> bool:
        limit = self._survival_steps
        if limit is None:
            return False
        if self.body_kind == "swimmer":
            return self.steps_out_of_water > limit
        return self.steps_under_water > limit

    def _advance(self, action: Any) -> tuple[np.ndarray, float, bool]:
        values = self._action_values(action, self._action_dim, self.body_name)
        died_now = False
        if self._is_dead():
            died_now = not self.dead
            self.dead = True
            values = [0.0] * self._action_dim
        sim = self.sim
        cost = sim.step(values, FPS)
        head = sim.agent.head
        x, y = head.position
        under_water = y <= sim.track.water_y
        if not self.dead:
            if under_water:
                self.steps_under_water += 1
                self.steps_out_of_water = 0
            else:
                self.steps_out_of_water += 1
                self.steps_under_water = 0
        state = self._head_state(head)
        state += [1.0 if under_water else 0.0, 1.0 if self.dead else 0.0]
        state += sim.agent.joint_state()
        fractions, surfaces = sim.cast_lidar()
        state += fractions
        state += surfaces
        reward = self._progress_reward(
            x, head.angle, self._head_angle_reward, self._action_cost * cost
        )
        terminated = False
        if sim.contacts.critical_contact or x < 0:
            reward = FALL_REWARD
            terminated = True
        if x > sim.track.finish_x:
            terminated = True
        if died_now and self.terminate_on_death:
            terminated = True
        return np.array(state, dtype=np.float32), reward, terminated

    # -- rendering ---------------------------------------------------------------------
    def _make_renderer(self) -> Any:
        from teachgym.envs.walkers.parkour_rendering import ParkourRenderer

        return ParkourRenderer(self.render_mode or "rgb_array", self.metadata["render_fps"])


def _span(parameter: Any) -> tuple[float, float]:
    """The range teachers draw a parameter from (a held one: its value)."""
    if isinstance(parameter, Fixed):
        return parameter.value, parameter.value
    return parameter.low, parameter.high


def _fit(space: TaskSpace, task: dict[str, float]) -> Task:
    """``task`` with each value clipped into what ``space`` accepts."""
    fitted = {
        name: float(np.clip(value, space.parameters[name].low, space.parameters[name].high))  # type: ignore[attr-defined]
        for name, value in task.items()
    }
    return space.validate(fitted)


def parkour_test_sets(space: TaskSpace, kind: str = "walker") -> dict[str, TestSet]:
    """The test sets of an instance whose teachers see ``space`` (see :class:`ParkourEnv`):
    ``walking``, ``climbing``, ``swimming`` (100 tasks each) and ``easy`` (10 tasks of
    the body ``kind``'s own skill in the reference's easy CPPN box)."""
    rng = np.random.default_rng(TEST_SET_SEED)
    cppn_names = ("v1", "v2", "v3")

    def cppn(box: tuple[tuple[float, float], ...]) -> dict[str, float]:
        return {name: float(rng.uniform(*span)) for name, span in zip(cppn_names, box, strict=True)}

    box = tuple(_span(space.parameters[name]) for name in cppn_names)
    no_creepers = {"creepers_width": 0.0, "creepers_height": 0.0, "creepers_spacing": 0.0}

    def walking() -> dict[str, float]:
        return {**cppn(box), "water_level": 0.0, **no_creepers, "terrain_cppn_scale": 20.0}

    def climbing() -> dict[str, float]:
        return {
            **cppn(box),
            "water_level": float(rng.uniform(0.0, 0.8)),
            "creepers_width": float(rng.uniform(0.0, 0.5)),
            "creepers_height": float(rng.uniform(0.0, 4.0)),
            "creepers_spacing": float(rng.uniform(0.0, 5.0)),
            "terrain_cppn_scale": 10.0,
        }

    def swimming() -> dict[str, float]:
        return {**cppn(box), "water_level": 1.0, **no_creepers, "terrain_cppn_scale": 10.0}

    sets = {
        name: TestSet(name, 1, [_fit(space, draw()) for _ in range(100)])
        for name, draw in (("walking", walking), ("climbing", climbing), ("swimming", swimming))
    }
    box = CPPN_SPACES["easy"]
    if kind == "climber":
        easy = [
            {
                **cppn(box),
                "water_level": 0.0,
                "creepers_width": 0.25,
                "creepers_height": float(rng.uniform(1.0, 3.0)),
                "creepers_spacing": float(rng.uniform(0.0, 1.0)),
                "terrain_cppn_scale": 10.0,
            }
            for _ in range(10)
        ]
    elif kind == "walker":
        easy = [walking() | cppn(box) for _ in range(10)]
    else:
        easy = [swimming() | cppn(box) for _ in range(10)]
    sets["easy"] = TestSet("easy", 1, [_fit(space, task) for task in easy])
    return sets
