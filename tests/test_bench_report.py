"""`teachgym report`: tables, rliable statistics, figures, Markdown and self-contained HTML."""

from __future__ import annotations

import re

import numpy as np
import pytest

from teachgym.bench.report import (
    UNRELIABLE,
    UNRELIABLE_NOTE,
    leaderboard_rows,
    leaderboard_text,
    write_report,
)
from teachgym.bench.results import final_scores, load_results
from teachgym.bench.runner import run_suite
from teachgym.bench.statistics import MIN_RUNS_FOR_CI, curve_bands, leaderboard
from teachgym.bench.suite import parse_suite
from teachgym.cli import main


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    suite = parse_suite(
        {
            "name": "r",
            "envs": ["teachgym/LearnabilityGrid-v0"],
            "teachers": ["random", "riac"],
            "students": ["simulated"],
            "seeds": 3,
            "budget": 3000,
            "evaluation": {"every": 1000},
        }
    )
    run_suite(suite, out, workers=2, quiet=True)
    return out


def test_results_tables_hold_every_evaluation_and_task(bench_dir):
    results = load_results(bench_dir)
    assert len(results.runs) == 6 and set(results.runs["status"]) == {"done"}
    assert len(results.evaluations) == 6 * 4
    assert len(results.task_returns) == 6 * 4 * 100
    # % mastered is recomputable from the per-task returns (mastered = return > 0.75).
    final = results.task_returns[results.task_returns["step"] == 3000]
    recomputed = final.groupby("run_id")["return"].apply(lambda r: 100 * np.mean(r > 0.75))
    stored = results.evaluations[results.evaluations["step"] == 3000].set_index("run_id")
    assert np.allclose(recomputed.sort_index(), stored["percent_mastered"].sort_index())
    assert set(final_scores(results)["teacher"]) == {"random", "riac"}


def test_leaderboard_statistics_are_consistent_and_reproducible(bench_dir):
    results = load_results(bench_dir)
    board = leaderboard(results, reps=300)
    assert list(board["teacher"]) == ["riac", "random"]  # RIAC learns more cells in 3000
    scores = final_scores(results).groupby("teacher")["score"].mean()
    for row in board.itertuples():
        assert row.mean == pytest.approx(scores[row.teacher])
        assert row.mean_low <= row.mean <= row.mean_high
        assert row.iqm_low <= row.iqm <= row.iqm_high
    riac = board.set_index("teacher").loc["riac"]
    assert 0.5 < riac["p_improve"] <= 1
    # Three seeds per teacher are too few for trustworthy intervals: no verdict.
    assert not board["ci_reliable"].any() and board["above_random"].isna().all()
    assert np.isnan(board.set_index("teacher").loc["random", "p_improve"])
    again = leaderboard(results, reps=300)
    assert board.equals(again)


def test_report_writes_figures_markdown_and_self_contained_html(bench_dir):
    report = write_report(bench_dir, reps=200)
    names = {p.name for p in report.figures}
    assert {"curves.png", "curves.svg"} <= names
    assert "heatmaps-LearnabilityGrid-v0-simulated.png" in names
    for path in report.figures:
        assert path.stat().st_size > 1000
    markdown = report.markdown.read_text()
    assert "| LearnabilityGrid-v0 | simulated | riac | 3 |" in markdown
    assert "![" in markdown and "curves.png" in markdown
    html = report.html.read_text()
    sources = re.findall(r"src='([^']*)'", html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<table" in html and "riac" in html
    assert (report.directory / "leaderboard.csv").exists()


def test_return_curves_follow_the_mean_test_return_where_mastery_is_the_headline(bench_dir):
    results = load_results(bench_dir)
    assert results.metric("LearnabilityGrid-v0") == "percent_mastered"
    bands = curve_bands(results, "LearnabilityGrid-v0", "simulated", reps=100, metric="mean_return")
    table = results.evaluations
    for teacher, band in bands.items():
        rows = table[table["teacher"] == teacher]
        expected = rows.groupby("step")["mean_return"].mean()
        assert np.allclose(band["mean"], expected.loc[band["step"]].to_numpy())
        assert (band["low"] <= band["mean"] + 1e-12).all()
        assert (band["mean"] <= band["high"] + 1e-12).all()
    mastery = curve_bands(results, "LearnabilityGrid-v0", "simulated", reps=100)
    assert not np.allclose(mastery["riac"]["mean"], bands["riac"]["mean"])
    report = write_report(bench_dir, reps=100)
    assert "return_curves.png" in {p.name for p in report.figures}
    assert "return_curves.png" in report.markdown.read_text()


def small_suite(seeds: int):
    return parse_suite(
        {
            "name": "r",
            "envs": ["teachgym/LearnabilityGrid-v0"],
            "teachers": ["random", "riac"],
            "students": ["simulated"],
            "seeds": seeds,
            "budget": 1000,
            "evaluation": {"every": 1000},
        }
    )


def test_cis_from_at_least_five_runs_give_a_verdict_and_fewer_give_none(tmp_path):
    assert MIN_RUNS_FOR_CI == 5
    run_suite(small_suite(5), tmp_path, workers=2, quiet=True)
    results = load_results(tmp_path)
    board = leaderboard(results, reps=300).set_index("teacher")
    assert board["ci_reliable"].all() and list(board["runs"]) == [5, 5]
    assert board.loc["riac", "above_random"] in (True, False)
    rows = leaderboard_rows(board.reset_index()).set_index("teacher")
    assert rows.loc["riac", "CI above random"] in ("yes", "no")
    assert not rows.astype(str).map(lambda v: v.endswith(UNRELIABLE)).any().any()
    assert UNRELIABLE_NOTE not in leaderboard_text(board.reset_index())
    # Four runs of the baseline: its interval and every comparison with it are unreliable.
    one = results.runs["run_id"].str.contains("random") & results.runs["run_id"].str.endswith("4")
    results.runs.loc[one, "status"] = "failed"
    board = leaderboard(results, reps=300)
    indexed = board.set_index("teacher")
    assert list(indexed["ci_reliable"]) == [True, False] and indexed["above_random"].isna().all()
    rows = leaderboard_rows(board).set_index("teacher")
    assert rows.loc["riac", "CI above random"] == "-*"
    assert rows.loc["riac", "P(better than random) (95% CI)"].endswith("]*")
    assert not rows.loc["riac", "IQM (95% CI)"].endswith("*")
    assert rows.loc["random", "IQM (95% CI)"].endswith("]*")
    text = leaderboard_text(board)
    assert text.endswith(UNRELIABLE_NOTE) and "yes" not in text.split("\n")[1]


def test_the_report_of_a_two_seed_benchmark_marks_its_intervals_unreliable(tmp_path):
    run_suite(small_suite(2), tmp_path, workers=2, quiet=True)
    report = write_report(tmp_path, reps=200)
    markdown = report.markdown.read_text()
    assert "| yes |" not in markdown and "| no |" not in markdown
    assert UNRELIABLE_NOTE.replace("*", "\\*", 1) in markdown
    table_rows = [line for line in markdown.splitlines() if line.startswith("| LearnabilityGrid")]
    assert len(table_rows) == 2 and all("]* |" in line for line in table_rows)
    assert UNRELIABLE_NOTE.split(":")[1] in report.html.read_text()


def test_report_cli_and_its_errors(bench_dir, tmp_path, capsys):
    assert main(["report", str(bench_dir), "--reps", "200"]) == 0
    out = capsys.readouterr().out
    assert "riac" in out and "report.html" in out
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no benchmark" in capsys.readouterr().err
    assert main(["report", str(bench_dir), "--reps", "0"]) == 2
    assert "--reps must be >= 1" in capsys.readouterr().err


def test_bench_cli_rejects_an_invalid_suite_before_running(tmp_path, capsys):
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "envs: [teachgym/LearnabilityGrid-v0]\nteachers: [random]\nstudents: [simulated]\n"
        "seeds: 1\nbudget: 10\nevaluation: {every: 5, episodes_per_tusk: 2}\n"
    )
    assert main(["bench", str(suite), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "'evaluation.episodes_per_tusk': unknown key" in err and "\n" not in err.strip()
    assert not (tmp_path / "o").exists()


def test_bench_cli_runs_a_suite_and_prints_the_report_path(tmp_path, capsys):
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "envs: [teachgym/LearnabilityGrid-v0]\nteachers: [random]\nstudents: [simulated]\n"
        "seeds: 2\nbudget: 200\nevaluation: {every: 100}\n"
    )
    out = tmp_path / "o"
    assert main(["bench", str(suite), "--out", str(out), "--quiet", "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "2 runs completed" in printed and str(out / "report" / "report.html") in printed


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--reps", "0"], "--reps must be >= 1 bootstrap resamples, got 0"),
        (["--workers", "0"], "--workers must be >= 1, got 0"),
        (["--max-retries", "-1"], "--max-retries must be >= 0, got -1"),
    ],
)
def test_bench_cli_rejects_bad_arguments_before_running(tmp_path, capsys, option, message):
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "envs: [teachgym/LearnabilityGrid-v0]\nteachers: [random]\nstudents: [simulated]\n"
        "seeds: 1\nbudget: 100\nevaluation: {every: 100}\n"
    )
    out = tmp_path / "o"
    assert main(["bench", str(suite), "--out", str(out), "--quiet", *option]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"teachgym: error: {message}\n" and captured.out == ""
    assert not out.exists()
