"""Drawing a Parkour episode with pygame (``rgb_array`` frames and the ``human`` window).

The camera follows the agent's head: it stays at one fifth of the 600 x 400 frame from
the left and the bottom, as in the reference. Sky, parallax clouds, the water, the
ground (green) and the rock above the ceiling (grey), creepers, the lidar sweep and the
agent (grasp sensors turn yellow when attached; the head reddens as it drowns).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from teachgym.envs.walkers.constants import SCALE, TERRAIN_HEIGHT, VIEWPORT_H, VIEWPORT_W
from teachgym.envs.walkers.rendering import CLOUD, GROUND_FILL, GROUND_LINE, SKY, clouds

if TYPE_CHECKING:
    from teachgym.envs.walkers.parkour import ParkourEnv

WATER = (119, 172, 229)
ROCK_FILL = (128, 128, 128)
ROCK_LINE = (0, 64, 64)
CREEPER = (111, 128, 96)
ATTACHED = (255, 255, 0)
SENSOR = (255, 0, 0)
"""A grasp sensor not attached (the reference's red)."""


class ParkourRenderer:
    """Draws :class:`ParkourEnv` states; owns the pygame surface (and window in ``human`` mode)."""

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

    def draw(self, env: ParkourEnv) -> np.ndarray | None:
        pygame = self.pygame
        sim, track = env.sim, env.track
        assert track is not None
        head_x, head_y = sim.agent.head.position
        scroll_x = head_x - VIEWPORT_W / SCALE / 5
        scroll_y = head_y - VIEWPORT_H / SCALE / 5 - TERRAIN_HEIGHT + 1 / SCALE
        if env.cloud_seed != self._cloud_seed:
            self._cloud_seed = env.cloud_seed
            self._clouds = clouds(env.cloud_seed)

        def to_px(points: Any, parallax: float = 1.0) -> list[tuple[float, float]]:
            return [
                ((px - scroll_x * parallax) * SCALE, VIEWPORT_H - (py - scroll_y) * SCALE)
                for px, py in points
            ]

        surface = self.surface
        surface.fill(SKY)
        for cloud in self._clouds:
            pygame.draw.polygon(surface, CLOUD, to_px(cloud, 0.5))
        view_end = scroll_x + VIEWPORT_W / SCALE
        bottom, top = scroll_y - 1.0, scroll_y + VIEWPORT_H / SCALE + 1.0
        if track.water_y > bottom:
            water_top = min(track.water_y, top)
            pygame.draw.polygon(
                surface,
                WATER,
                to_px(
                    [
                        (scroll_x, bottom),
                        (view_end, bottom),
                        (view_end, water_top),
                        (scroll_x, water_top),
                    ]
                ),
            )
        xs = track.x.tolist()
        ground, ceiling = track.ground.tolist(), track.ceiling.tolist()
        for i, (x1, x2) in enumerate(itertools.pairwise(xs)):
            if x2 < scroll_x or x1 > view_end:
                continue
            g1, g2, c1, c2 = ground[i], ground[i + 1], ceiling[i], ceiling[i + 1]
            pygame.draw.polygon(
                surface, GROUND_FILL, to_px([(x1, g1), (x2, g2), (x2, bottom), (x1, bottom)])
            )
            pygame.draw.line(surface, GROUND_LINE, *to_px([(x1, g1), (x2, g2)]), 2)
            pygame.draw.polygon(
                surface, ROCK_FILL, to_px([(x1, c1), (x2, c2), (x2, top), (x1, top)])
            )
            pygame.draw.line(surface, ROCK_LINE, *to_px([(x1, c1), (x2, c2)]), 2)
        for rectangle in track.creepers:
            if rectangle[1][0] < scroll_x or rectangle[0][0] > view_end:
                continue
            pygame.draw.polygon(surface, CREEPER, to_px(rectangle))
        self.frame = (self.frame + 1) % 100
        if self.frame < len(sim.lidar):
            ray = sim.lidar[self.frame]
            pygame.draw.line(surface, (255, 0, 0), *to_px([ray.start, ray.end]), 1)
        head = sim.agent.head
        drowning = env.drowning_fraction
        for part in sim.agent.parts:
            fill, line = sim.part_colors(part)
            if part == head and drowning > 0:
                fill = tuple(
                    int(c + drowning * (t - c)) for c, t in zip(fill, (255, 0, 0), strict=True)
                )
            self._draw_body(part, fill, line, to_px)
        for sensor, tag in zip(sim.agent.sensors, sim.agent.sensor_tags, strict=True):
            color = ATTACHED if tag.joint is not None else SENSOR
            self._draw_body(sensor, color, color, to_px)
        if self.mode == "human":
            self.window.blit(surface, (0, 0))
            pygame.event.pump()
            self.clock.tick(self.fps)
            pygame.display.flip()
            return None
        return np.transpose(np.array(pygame.surfarray.pixels3d(surface)), axes=(1, 0, 2))

    def _draw_body(self, body: Any, fill: Any, line: Any, to_px: Any) -> None:
        pygame = self.pygame
        transform = body.transform
        for fixture in body.fixtures:
            shape = fixture.shape
            if hasattr(shape, "radius") and not hasattr(shape, "vertices"):
                centre = to_px([transform * shape.pos])[0]
                radius = max(1, int(shape.radius * SCALE))
                pygame.draw.circle(self.surface, fill, centre, radius)
                pygame.draw.circle(self.surface, line, centre, radius, 1)
                continue
            points = to_px([transform * v for v in shape.vertices])
            pygame.draw.polygon(self.surface, fill, points)
            pygame.draw.polygon(self.surface, line, points, 1)

    def close(self) -> None:
        if self.window is not None:
            self.pygame.display.quit()
            self.window = None
