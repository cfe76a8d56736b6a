"""Load a benchmark directory into pandas tables.

``load_results(DIR)`` reads ``DIR/suite.json`` and every run directory and
returns :class:`Results` with three tables:

- ``runs``: one row per run (env, teacher, student, seed, status, error, steps done);
  status is ``done``, ``partial``, ``pending``, ``failed`` or ``damaged``;
- ``evaluations``: one row per committed evaluation (run, step, episodes,
  mean return, % mastered);
- ``task_returns``: one row per test task per evaluation (mean greedy return on
  that task), so any other metric can be recomputed.

Only committed records are read (see :mod:`teachgym.bench.run_directory`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from teachgym.bench.run_directory import RunDirectory
from teachgym.bench.runner import read_suite_file
from teachgym.bench.suite import RunSpec
from teachgym.state_io import CorruptStateError

GROUP = ["env", "student"]
"""Teachers are compared within each (environment, student) group."""


@dataclass
class Results:
    """The tables of one benchmark directory (see the module docstring)."""

    out: Path
    suite: str
    runs: pd.DataFrame
    evaluations: pd.DataFrame
    task_returns: pd.DataFrame
    specs: dict[str, RunSpec]

    def metric(self, env: str) -> str:
        """``percent_mastered`` if the env defines mastery, else ``mean_return``."""
        rows = self.evaluations[self.evaluations["env"] == env]
        if len(rows) and rows["percent_mastered"].notna().all():
            return "percent_mastered"
        return "mean_return"

    def directory(self, run_id: str) -> RunDirectory:
        return RunDirectory(self.out / run_id)


def _status(directory: RunDirectory) -> tuple[str, str]:
    """``done``, ``failed``, ``partial``, ``pending`` or ``damaged`` and the error."""
    try:
        damage = directory.damage() if directory.spec_path.exists() else None
        if damage is not None:
            return "damaged", damage
        if directory.is_done():
            return "done", ""
        error = directory.error()
    except CorruptStateError as exc:
        return "damaged", str(exc)
    if error is not None:
        return "failed", str(error.get("error", ""))
    return ("partial", "") if directory.progress() is not None else ("pending", "")


def load_results(out: str | os.PathLike[str]) -> Results:
    """Read every run of the benchmark in ``out``.

    A run whose committed files are damaged has status ``damaged``, its error says
    which file and what to do, and none of its evaluations are read.

    Raises:
        TeachgymUsageError: if ``out`` holds no benchmark.
    """
    out_path = Path(out)
    suite = read_suite_file(out_path)
    runs, evaluations, task_rows = [], [], []
    specs: dict[str, RunSpec] = {}
    for data in suite["runs"]:
        spec = RunSpec.from_dict(data)
        specs[spec.run_id] = spec
        directory = RunDirectory(out_path / spec.run_id)
        status, error = _status(directory)
        ident: dict[str, Any] = {
            "run_id": spec.run_id,
            "env": spec.env.label,
            "teacher": spec.teacher.label,
            "student": spec.student.label,
            "seed": spec.seed,
        }
        usable = status != "damaged" and directory.spec_path.exists()
        records = directory.evaluations() if usable else []
        runs.append(
            {
                **ident,
                "status": status,
                "error": error,
                "budget": spec.budget,
                "steps_done": records[-1]["step"] if records else 0,
            }
        )
        for record in records:
            evaluations.append(
                {
                    **ident,
                    "step": int(record["step"]),
                    "episodes": int(record.get("episodes", 0)),
                    "mean_return": float(record["mean_return"]),
                    "percent_mastered": (
                        np.nan
                        if record["percent_mastered"] is None
                        else float(record["percent_mastered"])
                    ),
                }
            )
            per_task = np.asarray(record["returns"], dtype=np.float64).mean(axis=1)
            for index, value in enumerate(per_task):
                task_rows.append(
                    {
                        "run_id": spec.run_id,
                        "step": int(record["step"]),
                        "task": index,
                        "return": float(value),
                    }
                )
    columns = ["run_id", "env", "teacher", "student", "seed"]
    evaluation_columns = [*columns, "step", "episodes", "mean_return", "percent_mastered"]
    return Results(
        out=out_path,
        suite=str(suite["name"]),
        runs=pd.DataFrame(runs),
        evaluations=pd.DataFrame(evaluations, columns=evaluation_columns),
        task_returns=pd.DataFrame(task_rows, columns=["run_id", "step", "task", "return"]),
        specs=specs,
    )


def final_scores(results: Results) -> pd.DataFrame:
    """Metric at the last evaluation of every completed run: one row per run."""
    done = results.runs.loc[results.runs["status"] == "done", "run_id"]
    table = results.evaluations[results.evaluations["run_id"].isin(done)]
    last = table.sort_values("step").groupby("run_id").tail(1)
    rows = []
    for _, row in last.iterrows():
        metric = results.metric(row["env"])
        rows.append({**row[["run_id", *GROUP, "teacher", "seed", "step"]], "score": row[metric]})
    return pd.DataFrame(rows, columns=["run_id", *GROUP, "teacher", "seed", "step", "score"])
