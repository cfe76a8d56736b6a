"""How rough Parkour's ground is where a walker starts: the first drop after the start pad.

Run ``python benchmarks/parkour_terrain.py [--drop 1.0] [--box easy] [--set easy]``.

For each task of a Parkour test set (``old_classic_bipedal``'s ``easy`` set by default),
builds the track as a reset does and prints: the distance from the start pad's end to the
first point whose ground lies ``--drop`` metres or more below or above the start pad
(``None`` if the ground never does), the largest ground slope (rise over run between
neighbouring points) over the first 10 m after the pad and over the whole track, and the
lowest and highest ground relative to the pad. Then the same figures over 200 tasks drawn
uniformly from a CPPN box (``--box``: ``easy``, ``medium`` or ``full``) at scale 20 and 10.

The CPPN's weights are teachgym's own draw (:mod:`teachgym.envs.walkers.cppn`), so a box
of the reference gives other terrains here than in the reference; these figures say what
teachgym's terrains are like, e.g. whether an ``easy`` task is easy for a walker.
"""

from __future__ import annotations

import argparse
from typing import Any

import gymnasium as gym
import numpy as np

import teachgym.envs  # noqa: F401  (registers the ids)
from teachgym.envs.walkers.constants import TERRAIN_STEP
from teachgym.envs.walkers.parkour import CPPN_SPACES

PARKOUR = "teachgym/Parkour-v0"
NEAR = 10.0
"""Metres after the start pad over which the near slope is measured."""


def ground_figures(env: Any, task: dict[str, float], drop: float) -> dict[str, float | None]:
    """The ground of ``task``'s track (see the module docstring), in metres."""
    env.reset(seed=0, options={"task": task})
    track = env.unwrapped.track
    x = np.asarray(track.x, dtype=np.float64)
    ground = np.asarray(track.ground, dtype=np.float64)
    pad_end = track.startpad * TERRAIN_STEP
    after = x >= pad_end
    relative = ground - ground[0]
    far = np.nonzero(after & (np.abs(relative) >= drop))[0]
    slopes = np.abs(np.diff(ground) / np.diff(x))
    near = slopes[(x[1:] > pad_end) & (x[1:] <= pad_end + NEAR)]
    return {
        "first_drop_m": float(x[far[0]] - pad_end) if far.size else None,
        "near_slope": float(near.max()),
        "max_slope": float(slopes.max()),
        "lowest_m": float(relative.min()),
        "highest_m": float(relative.max()),
    }


def summary(rows: list[dict[str, float | None]]) -> str:
    """Median and range of each figure; how many tasks never drop."""
    parts = []
    drops = [r["first_drop_m"] for r in rows if r["first_drop_m"] is not None]
    never = len(rows) - len(drops)
    if drops:
        parts.append(
            f"first drop after the pad: median {np.median(drops):.1f} m "
            f"[{min(drops):.1f}, {max(drops):.1f}], never on {never}/{len(rows)}"
        )
    else:
        parts.append(f"first drop after the pad: never on {never}/{len(rows)}")
    for key, label in (("near_slope", "slope in the first 10 m"), ("max_slope", "max slope")):
        values = [float(r[key]) for r in rows if r[key] is not None]
        parts.append(
            f"{label}: median {np.median(values):.2f} [{min(values):.2f}, {max(values):.2f}]"
        )
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop", type=float, default=1.0, help="metres below or above the pad")
    parser.add_argument("--box", choices=sorted(CPPN_SPACES), default="easy")
    parser.add_argument("--set", dest="test_set", default="easy", help="the walker's test set")
    parser.add_argument("--tasks", type=int, default=200, help="uniform tasks per scale")
    args = parser.parse_args(argv)

    env = gym.make(PARKOUR, body="old_classic_bipedal", cppn_space=args.box)
    tasks = env.unwrapped.test_sets()[args.test_set].tasks
    rows = []
    print(
        f"old_classic_bipedal's {args.test_set!r} test set ({len(tasks)} tasks), "
        f"--drop {args.drop} m"
    )
    for task in tasks:
        row = ground_figures(env, dict(task), args.drop)
        rows.append(row)
        cppn = ", ".join(f"{task[k]:+.2f}" for k in ("v1", "v2", "v3"))
        drop = "None" if row["first_drop_m"] is None else f"{row['first_drop_m']:.1f} m"
        print(
            f"  ({cppn}) / {task['terrain_cppn_scale']:.0f}: first drop {drop}, "
            f"slope in the first 10 m {row['near_slope']:.2f}, max {row['max_slope']:.2f}, "
            f"ground {row['lowest_m']:+.1f} to {row['highest_m']:+.1f} m"
        )
    print("  " + summary(rows))

    rng = np.random.default_rng(0)
    box = CPPN_SPACES[args.box]
    base = dict(env.unwrapped.default_task)
    for scale in (20.0, 10.0):
        uniform = []
        for _ in range(args.tasks):
            cppn = {
                k: float(rng.uniform(*span))
                for k, span in zip(("v1", "v2", "v3"), box, strict=True)
            }
            task = {**base, **cppn, "creepers_height": 0.0, "terrain_cppn_scale": scale}
            uniform.append(ground_figures(env, task, args.drop))
        print(
            f"{args.tasks} uniform tasks of the {args.box!r} box at scale {scale:.0f}: "
            f"{summary(uniform)}"
        )
    env.close()


if __name__ == "__main__":
    main()
