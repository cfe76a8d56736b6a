"""SIGKILL the runner at random moments, re-run: nothing committed is lost, same final table."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from teachgym.bench.results import load_results
from teachgym.bench.run_directory import RunDirectory
from teachgym.bench.runner import run_suite
from teachgym.bench.suite import load_suite

ROOT = Path(__file__).resolve().parent.parent
SUITE = """
name: kill
envs: [teachgym/LearnabilityGrid-v0]
teachers: [random, alp-gmm]
students: [simulated]
seeds: 2
budget: 3000
evaluation: {every: 250}
"""


def bench(suite: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "teachgym.cli", "bench", str(suite), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--workers", "2", "--quiet", "--no-report"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def committed(out: Path) -> dict[tuple[str, int], dict]:
    """Every committed evaluation in ``out``, by (run, step)."""
    records = {}
    if not out.exists():
        return records
    for path in out.iterdir():
        if path.is_dir() and (path / "spec.json").exists():
            for record in RunDirectory(path).evaluations():
                records[(path.name, record["step"])] = record
    return records


def table(out: Path) -> pd.DataFrame:
    results = load_results(out)
    evaluations = results.evaluations.sort_values(["run_id", "step"]).reset_index(drop=True)
    returns = results.task_returns.sort_values(["run_id", "step", "task"]).reset_index(drop=True)
    return evaluations.merge(returns, on=["run_id", "step"])


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_gives_the_same_table(tmp_path):
    suite = tmp_path / "kill.yaml"
    suite.write_text(SUITE)
    run_suite(load_suite(suite), tmp_path / "reference", workers=2, quiet=True)

    rng = random.Random(0)
    out = tmp_path / "killed"
    total = 4 * (3000 // 250 + 1)
    kills_mid_training = 0
    for _ in range(3):
        before = committed(out)
        process = bench(suite, out)
        # Kill at a random moment after this attempt has made progress (imports take
        # seconds on a loaded machine, so a fixed delay could always hit the start-up).
        deadline = time.monotonic() + 300
        while process.poll() is None and len(committed(out)) <= len(before):
            assert time.monotonic() < deadline, "the runner made no progress in 300 s"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        after = committed(out)
        for key, record in before.items():
            assert after.get(key) == record, f"committed evaluation {key} was lost or changed"
        if killed and len(before) < len(after) < total:
            kills_mid_training += 1
    assert kills_mid_training >= 2, "too few kills landed mid-training: make the suite longer"
    final = bench(suite, out)
    assert final.wait(timeout=600) == 0, final.stderr.read()  # type: ignore[union-attr]
    pd.testing.assert_frame_equal(table(tmp_path / "reference"), table(out))
