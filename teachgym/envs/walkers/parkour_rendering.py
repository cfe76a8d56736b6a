"""Drawing a Parkour episode with pygame (``rgb_array`` frames and the ``human`` window).

The camera follows the agent's head: it stays at one fifth of the 600 x 400 frame from
the left and the bottom, as in the reference. Sky, parallax clouds, the water, the
ground (green) and the rock above the ceiling (grey), creepers, the lidar sweep and the
agent (drawn as on the walker tracks; the head reddens as it drowns).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from teachgym.envs.walkers.constants import SCALE, TERRAIN_HEIGHT, VIEWPORT_H, VIEWPORT_W
from teachgym.envs.walkers.rendering import GROUND_FILL, GROUND_LINE, WalkerRenderer

if TYPE_CHECKING:
    from teachgym.envs.walkers.parkour import ParkourEnv

WATER = (119, 172, 229)
ROCK_FILL = (128, 128, 128)
ROCK_LINE = (0, 64, 64)
CREEPER = (111, 128, 96)


class ParkourRenderer(WalkerRenderer):
    """Draws :class:`ParkourEnv` states; owns the pygame surface (and window in ``human`` mode)."""

    def draw(self, env: ParkourEnv | Any) -> np.ndarray | None:
        """Draw the current state of a :class:`ParkourEnv`."""
        pygame = self.pygame
        sim, track = env.sim, env.track
        assert track is not None
        head_x, head_y = sim.agent.head.position
        scroll_x = head_x - VIEWPORT_W / SCALE / 5
        scroll_y = head_y - VIEWPORT_H / SCALE / 5 - TERRAIN_HEIGHT + 1 / SCALE

        def to_px(points: Any, parallax: float = 1.0) -> list[tuple[float, float]]:
            return [
                ((px - scroll_x * parallax) * SCALE, VIEWPORT_H - (py - scroll_y) * SCALE)
                for px, py in points
            ]

        surface = self.surface
        self.draw_sky(env.cloud_seed, to_px)
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
        self.draw_body(sim.agent, to_px)
        drowning = env.drowning_fraction
        if drowning > 0:  # the head reddens as the agent drowns (or dries out)
            head = sim.agent.head
            fill, line = env.spec_of_body.part(env.spec_of_body.head).colors
            red = tuple(int(c + drowning * (t - c)) for c, t in zip(fill, (255, 0, 0), strict=True))
            for fixture in head.fixtures:
                points = to_px([head.transform * v for v in fixture.shape.vertices])
                pygame.draw.polygon(surface, red, points)
                pygame.draw.polygon(surface, line, points, 1)
        return self.present()
