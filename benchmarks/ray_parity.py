"""Ray backend parity: the ``demo`` suite through Ray gives the same per-seed results as local.

Runs ``demo`` with the local pool and with a local Ray (both 2 workers) into two
temporary directories and compares every committed evaluation (per-task returns
included) run by run.

    OMP_NUM_THREADS=1 python benchmarks/ray_parity.py [--suite demo]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from machine import machine_load

from teachgym.bench.results import load_results
from teachgym.bench.runner import run_suite
from teachgym.bench.suite import load_suite


def results_table(out: Path) -> pd.DataFrame:
    """Evaluations joined with per-task returns, sorted: equal tables mean equal results."""
    results = load_results(out)
    evaluations = results.evaluations.sort_values(["run_id", "step"]).reset_index(drop=True)
    returns = results.task_returns.sort_values(["run_id", "step", "task"]).reset_index(drop=True)
    return evaluations.merge(returns, on=["run_id", "step"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="demo", help="preset or YAML suite")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    suite = load_suite(args.suite)
    with tempfile.TemporaryDirectory() as folder:
        tables = {}
        for backend in ("local", "ray"):
            out = Path(folder) / backend
            result = run_suite(suite, out, workers=args.workers, backend=backend, quiet=True)
            if result.failed:
                raise SystemExit(f"{backend}: runs failed: {result.failed}")
            print(f"{backend}: {len(suite.runs)} runs in {result.wall_seconds:.1f} s wall")
            tables[backend] = results_table(out)
    local, ray = tables["local"], tables["ray"]
    final = local[local["step"] == local.groupby("run_id")["step"].transform("max")]
    per_seed = final.groupby(["teacher", "seed"])["percent_mastered"].first().unstack("seed")
    print("final % mastered per teacher and seed (local backend):")
    print(per_seed.to_string())
    same = local.equals(ray)
    differing = 0 if same else int((local != ray).any(axis=1).sum())
    print(
        f"Ray against local for {suite.name}: "
        f"{len(local)} rows (every test task at every evaluation of every run) compared, "
        f"{differing} differ ({machine_load()})"
    )


if __name__ == "__main__":
    main()
