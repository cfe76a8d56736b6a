"""Picture strip of Parkour tasks from easy (left) to hard (right), one row per kind of body.

Run ``python benchmarks/parkour_pictures.py [--out docs/parkour.png]``. Rows: walking
(``old_classic_bipedal``), climbing (``climbing_profile_chimpanzee``), swimming (``fish``)
and the amphibian (``amphibious_bipedal``). Each tile is the ``rgb_array`` frame after
``reset`` and 20 idle steps (``cppn_space="full"``), downscaled by 2, with the task
written above it: the CPPN input / its scale, the creepers' mean height and spacing, the
water level. Easy to hard: the easy CPPN box at scale 20 to the full box at scale
10; for climbers, long creepers close together to short ones far apart; for the
amphibian, dry to deep water.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from walker_pictures import LABEL_H, TILE_H, TILE_W, place_tile

import teachgym.envs  # noqa: F401  (registers the ids)

PARKOUR = "teachgym/Parkour-v0"
BASE = {
    "v1": -0.15,
    "v2": 0.9,
    "v3": 0.1,
    "water_level": 0.0,
    "creepers_width": 0.25,
    "creepers_height": 0.0,
    "creepers_spacing": 0.0,
    "terrain_cppn_scale": 10.0,
}
EASY = {"v1": -0.15, "v2": 0.9, "v3": 0.1, "terrain_cppn_scale": 20.0}
MEDIUM = {"v1": -0.3, "v2": 0.65, "v3": 0.25}
FULL = {"v1": 0.6, "v2": -0.7, "v3": 0.8}
WILD = {"v1": -0.9, "v2": 0.1, "v3": -0.8}


def cppn_label(task: dict[str, Any]) -> str:
    v = ", ".join(f"{task[name]:.2f}" for name in ("v1", "v2", "v3"))
    return f"({v}) / {task['terrain_cppn_scale']:g}"


def _tasks(*changes: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**BASE, **change} for change in changes]


ROWS: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("walking", "old_classic_bipedal", _tasks(EASY, BASE, MEDIUM, FULL)),
    (
        "climbing",
        "climbing_profile_chimpanzee",
        _tasks(
            {"creepers_height": 3.0, "creepers_spacing": 0.2},
            {"creepers_height": 2.0, "creepers_spacing": 1.0},
            {**MEDIUM, "creepers_height": 1.0, "creepers_spacing": 2.5},
            {**FULL, "creepers_height": 0.3, "creepers_spacing": 5.0},
        ),
    ),
    (
        "swimming",
        "fish",
        _tasks(
            {**EASY, "water_level": 1.0},
            {"water_level": 1.0},
            {**FULL, "water_level": 1.0},
            {**WILD, "water_level": 1.0},
        ),
    ),
    (
        "amphibian",
        "amphibious_bipedal",
        _tasks(EASY, {"water_level": 0.8}, {**MEDIUM, "water_level": 0.9}, {"water_level": 1.0}),
    ),
]


def tile_label(kind: str, task: dict[str, Any]) -> str:
    text = cppn_label(task)
    if kind == "climbing":
        text += f", creepers {task['creepers_height']:g} m, {task['creepers_spacing']:g} m"
    elif task["water_level"] > 0:
        text += f", water {task['water_level']:g}"
    return text


def render_strip(path: Path, seed: int = 0) -> None:
    """Draw every row of :data:`ROWS` and save the PNG at ``path``."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    pygame.font.init()
    font = pygame.font.Font(None, 18)
    columns = max(len(tasks) for _, _, tasks in ROWS)
    sheet = pygame.Surface((columns * TILE_W, len(ROWS) * (TILE_H + 2 * LABEL_H)))
    sheet.fill((255, 255, 255))
    for row, (kind, body, tasks) in enumerate(ROWS):
        top = row * (TILE_H + 2 * LABEL_H)
        title = f"{kind}: {body}  (easy -> hard)"
        sheet.blit(font.render(title, True, (0, 0, 0)), (6, top + 3))
        env = gym.make(PARKOUR, body=body, cppn_space="full", render_mode="rgb_array")
        idle = np.zeros(env.action_space.shape, dtype=np.float32)
        if kind == "climbing":
            idle[-2:] = 1.0  # keep holding the ceiling
        for column, task in enumerate(tasks):
            env.reset(seed=seed, options={"task": {**task, "level_seed": seed}})
            for _ in range(20):
                env.step(idle)
            place_tile(sheet, font, env, tile_label(kind, task), column, top)
        env.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(sheet, str(path))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/parkour.png"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    render_strip(args.out, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
