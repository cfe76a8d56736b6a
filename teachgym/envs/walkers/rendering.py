"""Drawing a walker episode with pygame (``rgb_array`` frames and the ``human`` window).

The camera follows the hull like Gymnasium's BipedalWalker: the hull stays at
one fifth of the 600 x 400 frame. Sky, parallax clouds, the ground, obstacles
(white with grey outlines), the lidar sweep and the body (every part in its
spec's colours; grasp sensors red, green when attached).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from teachgym.envs.walkers.constants import (
    SCALE,
    TERRAIN_HEIGHT,
    TERRAIN_LENGTH,
    TERRAIN_STEP,
    VIEWPORT_H,
    VIEWPORT_W,
)

if TYPE_CHECKING:
    from teachgym.envs.walkers.bodies.build import BuiltBody
    from teachgym.envs.walkers.walker_env import WalkerEnv

SKY = (215, 215, 255)
CLOUD = (235, 235, 255)
GROUND_FILL = (102, 153, 76)
GROUND_LINE = (76, 230, 76)
OBSTACLE_FILL = (255, 255, 255)
OBSTACLE_LINE = (153, 153, 153)
SENSOR_FREE = (255, 0, 0)
SENSOR_ATTACHED = (0, 200, 0)


def clouds(seed: int) -> list[list[tuple[float, float]]]:
    """Cloud polygons (metres) drawn from their own generator, so rendering never
    changes the episode's random numbers."""
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(TERRAIN_LENGTH // 20):
        x = rng.uniform(0, TERRAIN_LENGTH) * TERRAIN_STEP
        y = VIEWPORT_H / SCALE * 3 / 4
        result.append(
            [
                (
                    x
                    + 15 * TERRAIN_STEP * math.sin(2 * math.pi * a / 5)
                    + rng.uniform(0, 5 * TERRAIN_STEP),
                    y
                    + 5 * TERRAIN_STEP * math.cos(2 * math.pi * a / 5)
                    + rng.uniform(0, 5 * TERRAIN_STEP),
                )
                for a in range(5)
            ]
        )
    return result


class WalkerRenderer:
    """Draws :class:`WalkerEnv` states; owns the pygame surface (and window in ``human`` mode)."""

    def __init__(self, mode: str, fps: int) -> None:
        import pygame

        self.pygame = pygame
        self.mode = mode
        self.fps = fps
        self.surface = pygame.Surface((VIEWPORT_W, VIEWPORT_H))
        self.window: Any = None
        self.clock: Any = None
        self._cloud_seed: int | None = None
        self._clouds: list[list[tuple[float, float]]] = []
        self.frame = 0
        if mode == "human":
            pygame.display.init()
            self.window = pygame.display.set_mode((VIEWPORT_W, VIEWPORT_H))
            self.clock = pygame.time.Clock()

    def draw(self, env: WalkerEnv) -> np.ndarray | None:
        pygame = self.pygame
        sim = env.sim
        scroll = sim.hull.position[0] - VIEWPORT_W / SCALE / 5

        def to_px(points: Any, parallax: float = 1.0) -> list[tuple[float, float]]:
            return [
                ((px - scroll * parallax) * SCALE, VIEWPORT_H - py * SCALE) for px, py in points
            ]

        surface = self.surface
        self.draw_sky(env.cloud_seed, to_px)
        view_end = scroll + VIEWPORT_W / SCALE
        ground = env.terrain.ground
        for (x1, y1), (x2, y2) in itertools.pairwise(ground):
            if x2 < scroll or x1 > view_end:
                continue
            pygame.draw.polygon(surface, GROUND_FILL, to_px([(x1, y1), (x2, y2), (x2, 0), (x1, 0)]))
            pygame.draw.line(surface, GROUND_LINE, *to_px([(x1, y1), (x2, y2)]), 2)
        for polygon in env.terrain.obstacles:
            if max(p[0] for p in polygon) < scroll or min(p[0] for p in polygon) > view_end:
                continue
            points = to_px(polygon)
            pygame.draw.polygon(surface, OBSTACLE_FILL, points)
            pygame.draw.polygon(surface, OBSTACLE_LINE, points, 1)
        self.frame = (self.frame + 1) % 100
        if self.frame < len(sim.lidar):
            ray = sim.lidar[self.frame]
            pygame.draw.line(surface, (255, 0, 0), *to_px([ray.start, ray.end]), 1)
        self.draw_body(sim.body, to_px)
        flag_x, flag_y = TERRAIN_STEP * 3, TERRAIN_HEIGHT
        pygame.draw.line(
            surface, (0, 0, 0), *to_px([(flag_x, flag_y), (flag_x, flag_y + 50 / SCALE)])
        )
        pygame.draw.polygon(
            surface,
            (230, 51, 0),
            to_px(
                [
                    (flag_x, flag_y + 50 / SCALE),
                    (flag_x, flag_y + 40 / SCALE),
                    (flag_x + 25 / SCALE, flag_y + 45 / SCALE),
                ]
            ),
        )
        return self.present()

    def draw_sky(self, cloud_seed: int, to_px: Any) -> None:
        """Fill the sky and draw the clouds of ``cloud_seed`` at half the scroll."""
        if cloud_seed != self._cloud_seed:
            self._cloud_seed = cloud_seed
            self._clouds = clouds(cloud_seed)
        self.surface.fill(SKY)
        for cloud in self._clouds:
            self.pygame.draw.polygon(self.surface, CLOUD, to_px(cloud, 0.5))

    def present(self) -> np.ndarray | None:
        """Show the frame (``human``) or return it as a (400, 600, 3) array (``rgb_array``)."""
        pygame = self.pygame
        if self.mode == "human":
            self.window.blit(self.surface, (0, 0))
            pygame.event.pump()
            self.clock.tick(self.fps)
            pygame.display.flip()
            return None
        return np.transpose(np.array(pygame.surfarray.pixels3d(self.surface)), axes=(1, 0, 2))

    def draw_body(self, body: BuiltBody, to_px: Any) -> None:
        """Draw every part (last declared first, so the head ends on top) and grasp sensor."""
        pygame = self.pygame
        for spec, part in reversed(list(zip(body.spec.parts, body.parts, strict=True))):
            transform = part.transform
            for fixture in part.fixtures:
                points = to_px([transform * v for v in fixture.shape.vertices])
                pygame.draw.polygon(self.surface, spec.colors[0], points)
                pygame.draw.polygon(self.surface, spec.colors[1], points, 1)
        for sensor, tag in zip(body.sensors, body.sensor_tags, strict=True):
            center = to_px([sensor.position])[0]
            radius = max(2, round(sensor.fixtures[0].shape.radius * SCALE))
            color = SENSOR_ATTACHED if tag.attached else SENSOR_FREE
            pygame.draw.circle(self.surface, color, center, radius)

    def close(self) -> None:
        if self.window is not None:
            self.pygame.display.quit()
            self.window = None
