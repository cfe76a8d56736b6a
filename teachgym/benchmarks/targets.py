"""The benchmark targets of issue 9, printed by the runner and the report.

- ``demo``: ALP-GMM well above random (its 95 % CI entirely above random's), in < 60 s.
- Two local workers finish 8 equal runs in at most 0.55 x one worker's time
  (``python -m teachgym.benchmarks.scaling``).
- The Ray backend gives the same per-seed results as the local one for ``demo``
  (``python -m teachgym.benchmarks.ray_parity``).
- SIGKILL at random moments and a re-run lose no completed evaluation and give the
  same final table (``tests/test_bench_kill.py``).
"""

from __future__ import annotations

import os

import pandas as pd

from teachgym.benchmarks.report import leaderboard_rows

DEMO_SECONDS = 60.0
WORKER_RATIO = 0.55


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def print_leaderboard(board: pd.DataFrame) -> None:
    """The leaderboard as a plain-text table."""
    if board.empty:
        print("leaderboard: no completed runs yet")
        return
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(leaderboard_rows(board).to_string(index=False))


def machine_load() -> str:
    """The 1-minute load average and the core count, to read wall times against."""
    return f"1-min load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def print_bench_targets(
    suite: str, wall_seconds: float, cpu_seconds: float | None, board: pd.DataFrame
) -> None:
    """The ``demo`` targets (other suites have no fixed targets)."""
    if suite != "demo":
        return
    cpu = "" if cpu_seconds is None else f"worker CPU {cpu_seconds:.1f} s, "
    print(
        f"target: demo in < {DEMO_SECONDS:.0f} s -> wall {wall_seconds:.1f} s ({cpu}"
        f"{machine_load()}): {verdict(wall_seconds < DEMO_SECONDS)}"
    )
    rows = board[board["teacher"].isin(["alp-gmm", "random"])].set_index("teacher")
    if {"alp-gmm", "random"} <= set(rows.index):
        alp, random = rows.loc["alp-gmm"], rows.loc["random"]
        print(
            f"target: ALP-GMM well above random -> alp-gmm {alp['mean']:.1f} % "
            f"[{alp['mean_low']:.1f}, {alp['mean_high']:.1f}] vs random {random['mean']:.1f} % "
            f"[{random['mean_low']:.1f}, {random['mean_high']:.1f}]: "
            f"{verdict(bool(alp['mean_low'] > random['mean_high']))}"
        )
    else:
        print("target: ALP-GMM well above random -> not measurable (a teacher has no result)")
