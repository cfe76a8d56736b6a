"""Draw the held-out mazes of ``teachgym/Maze-v0`` into one picture (``docs/mazes.png``).

``MPLBACKEND=Agg python benchmarks/maze_gallery.py [--out docs/mazes.png]``
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import matplotlib.pyplot as plt

from teachgym.envs.gridworlds import HELD_OUT_MAZES, MazeEnv
from teachgym.envs.gridworlds.solver import distances


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/mazes.png", help="PNG file to write")
    parser.add_argument("--tile", type=int, default=16, help="pixels per cell")
    args = parser.parse_args(argv)
    env = MazeEnv()
    cols = 3
    rows = math.ceil(len(HELD_OUT_MAZES) / cols)
    figure, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.5 * rows))
    for ax, (name, task) in zip(axes.flat, HELD_OUT_MAZES.items(), strict=False):
        env.reset(options={"task": task})
        steps = distances(env.grid, env.level.agent_pos)[env.level.target]  # type: ignore[union-attr]
        ax.imshow(env.get_frame(highlight=False, tile_size=args.tile))
        ax.set_title(f"{name} ({steps} steps)", fontsize=10)
    for ax in axes.flat:
        ax.axis("off")
    figure.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=80)
    print(f"wrote {out} ({len(HELD_OUT_MAZES)} mazes)")


if __name__ == "__main__":
    main()
