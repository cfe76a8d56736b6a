"""Where MiniGridWorld-v0's unsolvable region lies: fraction of solvable layouts by lava density.

For each ``lava_density`` the other parameters are drawn uniformly (seeded), one
layout per task; the table also splits by ``goal_distance`` (near < 0.5 <= far)::

    python benchmarks/minigrid_solvability.py
"""

from __future__ import annotations

import argparse

import numpy as np

from teachgym.envs.gridworlds import MiniGridWorldEnv
from teachgym.tasks import LEVEL_SEED


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layouts", type=int, default=200, help="layouts per lava density")
    args = parser.parse_args(argv)
    env = MiniGridWorldEnv()
    rng = np.random.default_rng(0)
    print(f"{'lava_density':>12s} {'solvable':>9s} {'near goal':>10s} {'far goal':>9s}")
    for lava in np.linspace(0.0, 0.6, 7):
        near: list[bool] = []
        far: list[bool] = []
        for k in range(args.layouts):
            task = {**env.task_space.sample(rng), "lava_density": float(lava), LEVEL_SEED: k}
            (near if task["goal_distance"] < 0.5 else far).append(env.is_solvable(task))
        both = near + far
        print(f"{lava:12.1f} {np.mean(both):9.2f} {np.mean(near):10.2f} {np.mean(far):9.2f}")


if __name__ == "__main__":
    main()
