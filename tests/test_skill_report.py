"""The teacher x skill view of a benchmark: IQM table, ratios to random, radar chart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from teachgym.bench.plots import radar_figure
from teachgym.bench.report import SKILL_TABLE_TITLE, Report, report_text, skill_table, write_report
from teachgym.bench.results import Results
from teachgym.bench.runner import run_suite
from teachgym.bench.statistics import group_labels, leaderboard, ratios_to_baseline
from teachgym.bench.suite import parse_suite

TASKS = 10
"""Test tasks per synthetic run: a score is a multiple of 10 % mastered."""


def synthetic(scores: dict[tuple[str, str], list[float]], student: str = "simulated") -> Results:
    """Results whose runs end with the given % mastered: {(skill, teacher): [per seed]}."""
    runs, evaluations, task_rows = [], [], []
    for (env, teacher), values in scores.items():
        for seed, value in enumerate(values):
            run_id = f"{env}__{teacher}__{student}__seed{seed}"
            ident = {"run_id": run_id, "env": env, "teacher": teacher, "student": student}
            runs.append({**ident, "seed": seed, "status": "done", "error": "", "budget": 100})
            evaluations.append(
                {**ident, "seed": seed, "step": 100, "episodes": 100, "mean_return": value / 100}
                | {"percent_mastered": value}
            )
            mastered = round(value * TASKS / 100)
            task_rows += [
                {"run_id": run_id, "step": 100, "task": t, "return": float(t < mastered)}
                for t in range(TASKS)
            ]
    return Results(
        out=Path("."),
        suite="synthetic",
        runs=pd.DataFrame(runs),
        evaluations=pd.DataFrame(evaluations),
        task_returns=pd.DataFrame(task_rows),
        specs={},
    )


SCORES = {
    ("default", "random"): [10, 10, 20, 20, 30],
    ("default", "alp"): [40, 40, 50, 60, 60],
    ("rugged", "random"): [20, 20, 20, 20, 20],
    ("rugged", "alp"): [10, 10, 10, 10, 10],
    ("forgetting", "random"): [0, 0, 0, 0, 0],
    ("forgetting", "alp"): [20, 20, 30, 30, 40],
    ("discrete", "random"): [0, 0, 10, 0, 0],
    ("discrete", "bandit"): [70, 70, 80, 80, 90],
}


@pytest.fixture(scope="module")
def board():
    return leaderboard(synthetic(SCORES), reps=50)


def test_skill_table_has_a_row_per_teacher_and_a_column_per_skill(board):
    order = [(skill, "simulated") for skill in ("default", "rugged", "forgetting", "discrete")]
    table = skill_table(board, order)
    assert list(table.columns) == ["teacher", "default", "rugged", "forgetting", "discrete"]
    assert list(table["teacher"]) == ["random", "alp", "bandit"]  # the baseline first
    rows = table.set_index("teacher")
    assert rows.loc["bandit", "default"] == "-" and rows.loc["alp", "discrete"] == "-"
    # IQM of 5 runs (rliable trims a quarter at each end): the middle runs' mean.
    iqm = board.set_index(["env", "teacher"]).loc[("default", "alp")]
    assert rows.loc["alp", "default"] == (
        f"{iqm['iqm']:.1f} [{iqm['iqm_low']:.1f}, {iqm['iqm_high']:.1f}]"
    )
    assert 40.0 <= iqm["iqm"] <= 60.0 and iqm["iqm_low"] <= iqm["iqm"] <= iqm["iqm_high"]
    assert rows.loc["random", "rugged"] == "20.0 [20.0, 20.0]"
    assert skill_table(board[board["env"] == "default"]).empty  # one group: no table


def test_one_environment_with_two_students_gives_two_labelled_columns():
    two = pd.concat(
        [
            synthetic({("default", "random"): [10] * 5}, student="a").evaluations,
            synthetic({("default", "random"): [20] * 5}, student="b").evaluations,
        ]
    )
    labels = group_labels(two.assign(teacher="random"))
    assert labels == {("default", "a"): "default · a", ("default", "b"): "default · b"}


def test_ratios_to_random_with_welch_tests_and_a_floor_at_one_test_task(board):
    ratios = ratios_to_baseline(synthetic(SCORES), board).set_index(["group", "teacher"])
    assert ratios.loc[("default", "alp"), "ratio"] == pytest.approx(50 / 18)
    assert ratios.loc[("rugged", "alp"), "ratio"] == pytest.approx(0.5)
    assert ratios.loc[("default", "alp"), "significant"]
    # Both samples constant and different: Welch's t is infinite, p = 0.
    assert ratios.loc[("rugged", "alp"), "significant"]
    # Random mastered nothing: the ratio is to one test task (10 %), and says so.
    forgetting = ratios.loc[("forgetting", "alp")]
    assert forgetting["floored"] and forgetting["ratio"] == pytest.approx(28 / 10)
    discrete = ratios.loc[("discrete", "bandit")]
    assert discrete["floored"] and discrete["ratio"] == pytest.approx(78 / 10)
    assert not ratios.loc[("default", "alp"), "floored"]
    assert "random" not in set(ratios.index.get_level_values("teacher"))


def test_radar_draws_teachers_of_three_skills_or_more(board):
    ratios = ratios_to_baseline(synthetic(SCORES), board)
    order = ["default", "rugged", "forgetting", "discrete"]
    figure = radar_figure(ratios, order)
    assert figure is not None
    (ax,) = figure.axes
    labels = [t.get_text() for t in ax.get_xticklabels()]
    # The bandit ran on one skill only: not drawn, and its skill is no axis.
    assert labels == ["default", "rugged", "forgetting \u2020"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["random (1)", "alp"]
    line = ax.get_lines()[1]
    radius = line.get_ydata()[:3]
    np.testing.assert_allclose(radius, np.log2([50 / 18, 0.5, 2.8]) + 4)
    assert radar_figure(ratios[ratios["group"] != "rugged"], order) is None


def test_bench_text_and_report_show_the_teacher_x_skill_table(tmp_path):
    suite = parse_suite(
        {
            "name": "skills-mini",
            "seeds": 2,
            "budget": 60,
            "evaluation": {"every": 60},
            "students": ["simulated"],
            "teachers": ["random", "riac"],
            "grids": [
                {
                    "envs": [
                        {"id": grid, "kwargs": {"dims": 1, "cells_per_dim": 3, **extra}}
                        | {"label": label}
                    ]
                }
                for grid, label, extra in [
                    ("teachgym/LearnabilityGrid-v0", "default", {}),
                    ("teachgym/LearnabilityGridTrivial-v0", "trivial", {"trivial_layers": 1}),
                    ("teachgym/LearnabilityGridRugged-v0", "rugged", {}),
                ]
            ],
        }
    )
    run_suite(suite, tmp_path, workers=2, quiet=True)
    report = write_report(tmp_path, reps=50)
    assert isinstance(report, Report)
    assert list(report.skills.columns) == ["teacher", "default", "trivial", "rugged"]
    text = report_text(report)
    assert f"{SKILL_TABLE_TITLE}:" in text
    table_lines = text.split(f"{SKILL_TABLE_TITLE}:\n")[1].splitlines()
    assert table_lines[0].split() == ["teacher", "default", "trivial", "rugged"]
    assert [line.split()[0] for line in table_lines[1:]] == ["random", "riac"]
    assert SKILL_TABLE_TITLE in report.markdown.read_text()
    html = report.html.read_text()
    assert html.count("<table") == 3  # runs, leaderboard, teacher x skill
    assert "radar.png" in {p.name for p in report.figures}
