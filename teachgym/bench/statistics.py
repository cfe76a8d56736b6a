"""Leaderboards and learning-curve bands with rliable's bootstrap statistics.

Per (environment, student) group and teacher, over completed runs (seeds):

- mean final score (% mastered, or mean return without a mastery threshold) with a
  95 % percentile-bootstrap confidence interval;
- IQM (interquartile mean, Agarwal et al. 2021, "Deep RL at the edge of the
  statistical precipice") with its interval;
- probability of improvement over the ``random`` teacher, P(X > Y) with its interval.

Intervals from fewer than :data:`MIN_RUNS_FOR_CI` runs per teacher are marked
unreliable (``ci_reliable`` is false) and give no "CI above random" verdict
(``above_random`` is ``None``). Agarwal et al. (2021, "Deep RL at the edge of the
statistical precipice", NeurIPS, Section 4; docs/references.md [agarwal2021])
recommend stratified bootstrap confidence intervals because benchmarks have few
runs, and caution that with very few runs the intervals themselves are unreliable.
With 2 runs a percentile bootstrap can collapse to one point, e.g. [4.0, 4.0],
which says nothing about the spread of a teacher's results.

The bootstrap generator is seeded, so a report is reproducible. rliable needs
pandas < 3 (its dependency ``arch`` fails to import with pandas 3; docs/references.md
[agarwal2021]).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from teachgym.bench.results import GROUP, Results, final_scores
from teachgym.errors import TeachgymUsageError

BASELINE = "random"
CONFIDENCE = 0.95
MIN_RUNS_FOR_CI = 5
"""Fewest runs (seeds) per teacher whose bootstrap intervals the report trusts."""


def _rliable() -> Any:
    try:
        from rliable import library, metrics
    except ImportError as exc:
        raise TeachgymUsageError(
            f"the report needs rliable ({exc}); pip install 'teachgym[bench]' "
            "(rliable needs pandas < 3)"
        ) from None
    return library, metrics


def _bootstrap(
    scores: dict[str, Any], func: Any, reps: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    library, _ = _rliable()
    # rliable 1.2 draws its resampling indices from numpy's global generator (its
    # random_state argument does not reach them): seed it here and restore it after.
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        with warnings.catch_warnings():
            # arch (under rliable) deprecates RandomState; rliable still passes one.
            warnings.filterwarnings("ignore", category=FutureWarning, module="arch")
            return library.get_interval_estimates(
                scores,
                func,
                reps=reps,
                confidence_interval_size=CONFIDENCE,
                random_state=np.random.RandomState(seed),
            )
    finally:
        np.random.set_state(saved)


def leaderboard(results: Results, reps: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per (env, student, teacher): runs, mean [CI], IQM [CI], P(> random) [CI].

    Rows are sorted by mean within each group. ``ci_reliable`` says whether the
    teacher has at least :data:`MIN_RUNS_FOR_CI` runs; ``above_random`` says whether
    the teacher's mean CI lies entirely above the random teacher's, and is ``None``
    for the baseline itself and whenever either interval is unreliable.
    """
    _, metrics = _rliable()
    scores = final_scores(results)
    rows = []
    for (env, student), group in scores.groupby(GROUP, sort=True):
        per_teacher = {
            teacher: part["score"].to_numpy(dtype=np.float64)[:, None]
            for teacher, part in group.groupby("teacher", sort=True)
        }

        def aggregates(matrix: np.ndarray) -> np.ndarray:
            return np.array([metrics.aggregate_mean(matrix), metrics.aggregate_iqm(matrix)])

        point, interval = _bootstrap(per_teacher, aggregates, reps, seed)
        improvement: dict[str, tuple[float, float, float]] = {}
        if BASELINE in per_teacher:
            pairs = {
                t: (per_teacher[t], per_teacher[BASELINE]) for t in per_teacher if t != BASELINE
            }
            if pairs:
                p_point, p_interval = _bootstrap(
                    pairs, metrics.probability_of_improvement, reps, seed
                )
                for t in pairs:
                    low, high = np.ravel(p_interval[t])
                    improvement[t] = (float(np.ravel(p_point[t])[0]), float(low), float(high))
        for teacher, matrix in per_teacher.items():
            p = improvement.get(teacher, (np.nan, np.nan, np.nan))
            rows.append(
                {
                    "env": env,
                    "student": student,
                    "teacher": teacher,
                    "metric": results.metric(env),
                    "runs": matrix.shape[0],
                    "ci_reliable": bool(matrix.shape[0] >= MIN_RUNS_FOR_CI),
                    "mean": float(point[teacher][0]),
                    "mean_low": float(interval[teacher][0][0]),
                    "mean_high": float(interval[teacher][1][0]),
                    "iqm": float(point[teacher][1]),
                    "iqm_low": float(interval[teacher][0][1]),
                    "iqm_high": float(interval[teacher][1][1]),
                    "p_improve": p[0],
                    "p_improve_low": p[1],
                    "p_improve_high": p[2],
                }
            )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    baseline_high = {
        (r["env"], r["student"]): r["mean_high"]
        for _, r in table.iterrows()
        if r["teacher"] == BASELINE and r["ci_reliable"]
    }
    table["above_random"] = [
        None
        if (r["env"], r["student"]) not in baseline_high
        or r["teacher"] == BASELINE
        or not r["ci_reliable"]
        else bool(r["mean_low"] > baseline_high[(r["env"], r["student"])])
        for _, r in table.iterrows()
    ]
    return table.sort_values([*GROUP, "mean"], ascending=[True, True, False]).reset_index(drop=True)


def curve_bands(
    results: Results,
    env: str,
    student: str,
    reps: int = 1000,
    seed: int = 0,
    metric: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Per teacher: ``step, mean, low, high`` of ``metric`` (the env's headline metric,
    :meth:`Results.metric`, by default) over completed runs."""
    metric = results.metric(env) if metric is None else metric
    done = results.runs.loc[results.runs["status"] == "done", "run_id"]
    table = results.evaluations[
        (results.evaluations["env"] == env)
        & (results.evaluations["student"] == student)
        & results.evaluations["run_id"].isin(done)
    ]
    matrices: dict[str, np.ndarray] = {}
    steps: dict[str, np.ndarray] = {}
    for teacher, part in table.groupby("teacher", sort=True):
        wide = part.pivot(index="run_id", columns="step", values=metric).dropna(axis=1)
        matrices[teacher] = wide.to_numpy(dtype=np.float64)
        steps[teacher] = wide.columns.to_numpy()
    if not matrices:
        return {}
    point, interval = _bootstrap(matrices, lambda m: m.mean(axis=0), reps, seed)
    return {
        teacher: pd.DataFrame(
            {
                "step": steps[teacher],
                "mean": point[teacher],
                "low": interval[teacher][0],
                "high": interval[teacher][1],
            }
        )
        for teacher in matrices
    }


def group_labels(board: pd.DataFrame) -> dict[tuple[str, str], str]:
    """A column name per (env, student) group: the env's label, with ``· student`` when
    one environment is trained with several students."""
    pairs = list(dict.fromkeys(zip(board["env"], board["student"], strict=True)))
    students = pd.Series([env for env, _ in pairs]).value_counts()
    return {
        (env, student): env if students[env] == 1 else f"{env} · {student}"
        for env, student in pairs
    }


def ratios_to_baseline(results: Results, board: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """TeachMyAgent's per-skill comparison (docs/references.md [romac2021]): each teacher's
    final mean % mastered divided by the ``random`` teacher's, per group, with Welch's
    t-test of the two sets of final scores (significant when ``p < alpha``).

    Only groups scored in % mastered that have a ``random`` row are kept. A ratio to 0 is
    undefined, so the baseline's mean is floored at one test task (``100 / tasks``
    percentage points, the resolution of the score); ``floored`` says where.

    Returns:
        One row per (env, student, teacher other than random): ``group`` (see
        :func:`group_labels`), ``ratio``, ``p_value`` (NaN when both sets are constant),
        ``significant``, ``floored``.
    """
    from scipy.stats import ttest_ind

    columns = ["env", "student", "group", "teacher", "ratio", "p_value", "significant", "floored"]
    if board.empty:
        return pd.DataFrame(columns=columns)
    labels = group_labels(board)
    scores = final_scores(results)
    tasks = results.task_returns.groupby("run_id")["task"].nunique()
    rows = []
    for (env, student), part in board.groupby(GROUP, sort=False):
        if results.metric(env) != "percent_mastered" or BASELINE not in set(part["teacher"]):
            continue
        group_scores = scores[(scores["env"] == env) & (scores["student"] == student)]
        baseline_scores = group_scores.loc[group_scores["teacher"] == BASELINE, "score"]
        floor = 100.0 / float(tasks[group_scores["run_id"]].max())
        baseline = float(part.loc[part["teacher"] == BASELINE, "mean"].iloc[0])
        for _, row in part[part["teacher"] != BASELINE].iterrows():
            own = group_scores.loc[group_scores["teacher"] == row["teacher"], "score"]
            with warnings.catch_warnings():  # constant samples: p is NaN, said in the doc
                warnings.simplefilter("ignore", RuntimeWarning)
                p_value = float(ttest_ind(own, baseline_scores, equal_var=False).pvalue)
            rows.append(
                {
                    "env": env,
                    "student": student,
                    "group": labels[(env, student)],
                    "teacher": row["teacher"],
                    "ratio": float(row["mean"]) / max(baseline, floor),
                    "p_value": p_value,
                    "significant": bool(p_value < alpha),
                    "floored": baseline < floor,
                }
            )
    return pd.DataFrame(rows, columns=columns)
