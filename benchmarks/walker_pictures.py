"""Picture strip of walker tasks from easy (left) to hard (right), one row per environment.

Run ``python benchmarks/walker_pictures.py [--out docs/walker_tasks.png]``.
Each tile is the ``rgb_array`` frame right after ``reset`` (the walker on its start
pad, the first obstacles ahead), downscaled by 2, with the task written above it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.envs.walkers.hexagon_tracks import OFFSET_NAMES
from teachgym.envs.walkers.terrain_walker import FLAT, NAMED_TERRAINS

TILE_W, TILE_H, LABEL_H = 300, 200, 22


def hexagon_task(scale: float, seed: int) -> dict[str, float]:
    """Offsets drawn uniformly in [0, scale] (scale 0: the undeformed obstacle)."""
    rng = np.random.default_rng(seed)
    return {name: float(rng.uniform(0, scale)) for name in OFFSET_NAMES}


ROWS: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = [
    (
        "teachgym/StumpTracks-v0",
        [
            (f"height {h}, spacing {s}", {"stump_height": h, "obstacle_spacing": s})
            for h, s in ((0.0, 6.0), (1.0, 4.0), (2.0, 2.0), (3.0, 0.5))
        ],
    ),
    (
        "teachgym/HexagonTracks-v0",
        [(f"offsets in [0, {k}]", hexagon_task(k, seed=1)) for k in (0.0, 1.5, 3.0, 4.0)],
    ),
    (
        "teachgym/TerrainWalker-v0",
        [
            ("flat", FLAT),
            (
                "roughness 2, stumps 0.5-1",
                {
                    **FLAT,
                    "ground_roughness": 2.0,
                    "stump_height_low": 0.5,
                    "stump_height_high": 1.0,
                },
            ),
            ("hardcore", NAMED_TERRAINS["hardcore"]),
            ("insane", NAMED_TERRAINS["insane"]),
        ],
    ),
]


def place_tile(
    sheet: Any, font: Any, env: gym.Env[Any, Any], label: str, column: int, top: int
) -> None:
    """Blit the env's current frame, scaled to a tile, and its label into column ``column``
    of the row starting ``top`` pixels down the pygame surface ``sheet``."""
    import pygame

    frame = np.ascontiguousarray(np.asarray(env.render()).transpose(1, 0, 2))
    tile = pygame.transform.smoothscale(pygame.surfarray.make_surface(frame), (TILE_W, TILE_H))
    x = column * TILE_W
    sheet.blit(font.render(label, True, (40, 40, 40)), (x + 6, top + LABEL_H + 3))
    sheet.blit(tile, (x, top + 2 * LABEL_H))


def render_strip(path: Path, seed: int = 0) -> None:
    """Draw every row of :data:`ROWS` and save the PNG at ``path``."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    pygame.font.init()
    font = pygame.font.Font(None, 20)
    columns = max(len(tasks) for _, tasks in ROWS)
    sheet = pygame.Surface((columns * TILE_W, len(ROWS) * (TILE_H + 2 * LABEL_H)))
    sheet.fill((255, 255, 255))
    for row, (env_id, tasks) in enumerate(ROWS):
        top = row * (TILE_H + 2 * LABEL_H)
        sheet.blit(font.render(env_id + "  (easy -> hard)", True, (0, 0, 0)), (6, top + 3))
        env = gym.make(env_id, render_mode="rgb_array")
        for column, (label, task) in enumerate(tasks):
            env.reset(seed=seed, options={"task": {**task, "level_seed": seed}})
            place_tile(sheet, font, env, label, column, top)
        env.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(sheet, str(path))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/walker_tasks.png"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    render_strip(args.out, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
