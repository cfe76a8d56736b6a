"""Physical and geometric constants of the classic Box2D walker world.

These are the values of Gymnasium's ``BipedalWalker-v3`` (Oleg Klimov's design),
kept unchanged by the ALP-GMM, TeachMyAgent and ACCEL environments; units are
Box2D metres unless a name says pixels (``SCALE`` pixels per metre).
"""

from __future__ import annotations

FPS = 50
"""Simulation steps per second (one environment step = 1/50 s)."""
SCALE = 30.0
"""Pixels per metre."""
VIEWPORT_W, VIEWPORT_H = 600, 400
"""Rendered frame size in pixels; the hull speed observation is normalised by it too."""

TERRAIN_STEP = 14 / SCALE
"""Width of one terrain step in metres; obstacle sizes are counted in these steps."""
TERRAIN_LENGTH = 200
"""Track length in terrain steps."""
TERRAIN_HEIGHT = VIEWPORT_H / SCALE / 4
"""Altitude of the flat start pad in metres."""
TERRAIN_GRASS = 10
"""Grass stretches between obstacles last 5..9 terrain steps (TerrainWalker)."""
TERRAIN_STARTPAD = 20
"""Flat start pad, in terrain steps."""
FRICTION = 2.5
"""Friction of the ground and the obstacles."""

SPEED_HIP, SPEED_KNEE = 4.0, 6.0
"""Motor speeds (rad/s) the hip and knee joints are driven at."""
LIDAR_RAYS = 10
LIDAR_RANGE = 160 / SCALE
"""The 10 lidar rays fan out from straight down to 1.5 rad forward, 5.33 m long."""
INITIAL_RANDOM = 5.0
"""The hull gets a horizontal push uniform in [-5, 5] N at reset."""

FINISH_X = (TERRAIN_LENGTH - TERRAIN_GRASS) * TERRAIN_STEP
"""The episode ends (terminated) when the hull passes this x (metres)."""
EPISODE_STEPS = 2000
"""Episode length limit (ALP-GMM, TeachMyAgent and ACCEL all use 2000 steps)."""
FALL_REWARD = -100.0
"""Reward of the step where the hull touches the ground (or the walker leaves the track)."""
