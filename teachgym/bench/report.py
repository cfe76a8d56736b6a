"""``teachgym report DIR``: tables, statistics and figures of a benchmark, as Markdown and HTML.

Writes into ``DIR/report/``: ``results.csv`` (every evaluation), ``task_returns.csv``
(every test task at every evaluation), ``leaderboard.csv``, ``curves.png/.svg``,
``return_curves.png/.svg`` (the mean test return, where the headline metric is mastery),
``heatmaps-<env>-<student>.png/.svg`` for 2-D task spaces,
``sampled-values-<env>-<student>.png/.svg`` (per teacher and parameter, the sampled
values over time), ``report.md`` and a
self-contained ``report.html`` (figures embedded, no external files).
"""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from teachgym.bench.plots import (
    curves_figure,
    groups_of,
    heatmap_figure,
    radar_figure,
    return_curves_figure,
    sampled_values_figure,
    save_figure,
)
from teachgym.bench.results import GROUP, Results, load_results
from teachgym.bench.statistics import (
    BASELINE,
    MIN_RUNS_FOR_CI,
    group_labels,
    leaderboard,
    ratios_to_baseline,
)
from teachgym.errors import TeachgymUsageError

REPORT_DIR = "report"
RADAR_TITLE = (
    "Final % mastered over random's, per environment (TeachMyAgent's radar; filled "
    "markers: Welch's t-test p < 0.05)"
)
UNRELIABLE = "*"
"""Marks an interval from fewer than ``MIN_RUNS_FOR_CI`` runs."""
UNRELIABLE_NOTE = (
    f"{UNRELIABLE} fewer than {MIN_RUNS_FOR_CI} runs: bootstrap CIs are unreliable with so "
    "few runs (Agarwal et al. 2021), so there is no verdict; run more seeds"
)


@dataclass(frozen=True)
class Report:
    """What :func:`write_report` produced."""

    directory: Path
    leaderboard: pd.DataFrame
    figures: list[Path]
    markdown: Path
    html: Path
    skills: pd.DataFrame
    """The teacher x environment table (:func:`skill_table`); empty with one group."""
    ratios: pd.DataFrame
    """Each teacher's final mean over random's per group (:func:`ratios_to_baseline`)."""


def _interval(value: float, low: float, high: float, digits: int = 1, reliable: bool = True) -> str:
    if pd.isna(value):
        return "-"
    mark = "" if reliable else UNRELIABLE
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]{mark}"


def leaderboard_rows(board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard formatted for people: one string column per statistic.

    Intervals from fewer than ``MIN_RUNS_FOR_CI`` runs end with ``*`` and such rows
    give no "CI above random" verdict (see :data:`UNRELIABLE_NOTE`).
    """
    rows = []
    for _, r in board.iterrows():
        reliable = bool(r["ci_reliable"])
        baseline = board[
            (board["teacher"] == BASELINE)
            & (board["env"] == r["env"])
            & (board["student"] == r["student"])
        ]
        pair_reliable = reliable and bool(baseline["ci_reliable"].astype(bool).all())
        if r["above_random"] is not None:
            verdict = "yes" if r["above_random"] else "no"
        else:
            verdict = "" if pair_reliable or r["teacher"] == BASELINE else f"-{UNRELIABLE}"
        rows.append(
            {
                "env": r["env"],
                "student": r["student"],
                "teacher": r["teacher"],
                "runs": int(r["runs"]),
                f"final {r['metric']} (mean, 95% CI)": _interval(
                    r["mean"], r["mean_low"], r["mean_high"], reliable=reliable
                ),
                "IQM (95% CI)": _interval(r["iqm"], r["iqm_low"], r["iqm_high"], reliable=reliable),
                f"P(better than {BASELINE}) (95% CI)": _interval(
                    r["p_improve"],
                    r["p_improve_low"],
                    r["p_improve_high"],
                    digits=2,
                    reliable=pair_reliable,
                ),
                f"CI above {BASELINE}": verdict,
            }
        )
    return pd.DataFrame(rows)


SKILL_TABLE_TITLE = "Teacher x environment: IQM of the final score (95 % CI)"


def skill_table(board: pd.DataFrame, order: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """The teachers (rows, ``random`` first) against the (env, student) groups (columns,
    in ``order`` if given): IQM of the final score with its 95 % bootstrap CI, ``-``
    where a teacher did not run. Empty unless the board has at least two groups.

    With the ``skills`` suite the environments are the skills, so this is the teacher x
    skill table of TeachMyAgent's comparison (docs/references.md [romac2021]).
    """
    labels = group_labels(board) if not board.empty else {}
    if len(labels) < 2:
        return pd.DataFrame()
    groups = [g for g in (order or []) if g in labels] + [
        g for g in labels if g not in (order or [])
    ]
    teachers = sorted(set(board["teacher"]), key=lambda t: (t != BASELINE, t))
    indexed = board.set_index([*GROUP, "teacher"])
    table: dict[str, list[str]] = {}
    for group in groups:
        cells = []
        for teacher in teachers:
            key = (*group, teacher)
            if key not in indexed.index:
                cells.append("-")
                continue
            r = indexed.loc[key]
            cells.append(
                _interval(r["iqm"], r["iqm_low"], r["iqm_high"], reliable=bool(r["ci_reliable"]))
            )
        table[labels[group]] = cells
    return pd.DataFrame(table, index=pd.Index(teachers, name="teacher")).reset_index()


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _run_summary(results: Results) -> pd.DataFrame:
    counts = results.runs.groupby("status").size()
    return pd.DataFrame([{"status": k, "runs": int(v)} for k, v in counts.items()])


def write_report(out: str | os.PathLike[str], reps: int = 1000) -> Report:
    """Build the report of the benchmark in ``out``.

    Raises:
        TeachgymUsageError: if ``out`` holds no benchmark.
        ValueError: if no run has any evaluation yet.
    """
    if reps < 1:
        raise TeachgymUsageError(f"--reps must be >= 1 bootstrap resamples, got {reps}")
    results = load_results(out)
    if results.evaluations.empty:
        raise TeachgymUsageError(
            f"no run in {out} has an evaluation yet; run `teachgym bench` first"
        )
    directory = results.out / REPORT_DIR
    directory.mkdir(exist_ok=True)
    results.evaluations.to_csv(directory / "results.csv", index=False)
    results.task_returns.to_csv(directory / "task_returns.csv", index=False)
    board = leaderboard(results, reps=reps)
    board.to_csv(directory / "leaderboard.csv", index=False)
    figures: list[Path] = []
    sections: list[tuple[str, Path]] = []
    if not board.empty:
        paths = save_figure(curves_figure(results, board, reps=reps), directory / "curves")
        figures += paths
        sections.append(("Learning curves and final scores (95 % bootstrap CIs)", paths[0]))
        returns = return_curves_figure(results, reps=reps)
        if returns is not None:
            paths = save_figure(returns, directory / "return_curves")
            figures += paths
            sections.append(("Mean test return (95 % bootstrap CIs)", paths[0]))
    order = list(dict.fromkeys(zip(results.runs["env"], results.runs["student"], strict=True)))
    skills = skill_table(board, order)
    ratios = ratios_to_baseline(results, board)
    radar = None if skills.empty else radar_figure(ratios, list(skills.columns[1:]))
    if radar is not None:
        paths = save_figure(radar, directory / "radar")
        figures += paths
        sections.append((RADAR_TITLE, paths[0]))
    for env, student in groups_of(results):
        figure = heatmap_figure(results, env, student)
        if figure is not None:
            paths = save_figure(figure, directory / f"heatmaps-{env}-{student}")
            figures += paths
            sections.append((f"Where the teachers sampled: {env}, {student}", paths[0]))
        figure = sampled_values_figure(results, env, student)
        if figure is not None:
            paths = save_figure(figure, directory / f"sampled-values-{env}-{student}")
            figures += paths
            sections.append((f"Sampled task values over time: {env}, {student}", paths[0]))
    table = leaderboard_rows(board) if not board.empty else pd.DataFrame()
    failed = results.runs[results.runs["status"].isin(["failed", "damaged"])]
    title = f"teachgym benchmark report: {results.suite}"
    markdown = [f"# {title}", "", f"Directory: `{results.out}`", ""]
    markdown += ["## Runs", "", _markdown_table(_run_summary(results)), ""]
    if not failed.empty:
        markdown += ["Failed and damaged runs:", ""]
        markdown += [f"- `{r.run_id}`: {r.error}" for r in failed.itertuples()]
        markdown.append("")
    markdown += ["## Leaderboard", ""]
    markdown += [
        "Final score of completed runs per teacher: mean and IQM with 95 % stratified "
        f"bootstrap confidence intervals ({reps} resamples), and the probability that a run "
        f"of the teacher beats a run of `{BASELINE}` (rliable).",
        "",
    ]
    markdown += [_markdown_table(table) if not table.empty else "(no completed runs yet)", ""]
    note = UNRELIABLE_NOTE if _has_unreliable(board) else None
    if note is not None:
        markdown += [note.replace(UNRELIABLE, "\\" + UNRELIABLE, 1), ""]
    if not skills.empty:
        markdown += [f"## {SKILL_TABLE_TITLE}", "", _markdown_table(skills), ""]
    for heading, png in sections:
        markdown += [f"## {heading}", "", f"![{heading}]({png.name})", ""]
    markdown_path = directory / "report.md"
    markdown_path.write_text("\n".join(markdown))
    html_path = directory / "report.html"
    html_path.write_text(_html(title, results, table, note, failed, sections, skills))
    return Report(directory, board, figures, markdown_path, html_path, skills, ratios)


def _html(
    title: str,
    results: Results,
    table: pd.DataFrame,
    note: str | None,
    failed: pd.DataFrame,
    sections: list[tuple[str, Path]],
    skills: pd.DataFrame,
) -> str:
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Directory: <code>{html.escape(str(results.out))}</code></p>",
        "<h2>Runs</h2>",
        _run_summary(results).to_html(index=False),
    ]
    if not failed.empty:
        parts.append("<h3>Failed and damaged runs</h3><ul>")
        parts += [
            f"<li><code>{html.escape(r.run_id)}</code>: {html.escape(str(r.error))}</li>"
            for r in failed.itertuples()
        ]
        parts.append("</ul>")
    parts.append("<h2>Leaderboard</h2>")
    parts.append(table.to_html(index=False) if not table.empty else "<p>(no completed runs)</p>")
    if note is not None:
        parts.append(f"<p>{html.escape(note)}</p>")
    if not skills.empty:
        parts.append(f"<h2>{html.escape(SKILL_TABLE_TITLE)}</h2>")
        parts.append(skills.to_html(index=False))
    for heading, png in sections:
        encoded = base64.b64encode(png.read_bytes()).decode()
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(f"<img alt='{html.escape(heading)}' src='data:image/png;base64,{encoded}'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def leaderboard_text(board: pd.DataFrame) -> str:
    """The leaderboard as a plain-text table (one row per teacher, env and student)."""
    if board.empty:
        return "leaderboard: no completed runs yet"
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        text = str(leaderboard_rows(board).to_string(index=False))
    return f"{text}\n{UNRELIABLE_NOTE}" if _has_unreliable(board) else text


def report_text(report: Report) -> str:
    """What ``teachgym bench`` and ``teachgym report`` print: the leaderboard, then the
    teacher x environment table when there are several environments."""
    text = leaderboard_text(report.leaderboard)
    if report.skills.empty:
        return text
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        table = str(report.skills.to_string(index=False))
    return f"{text}\n\n{SKILL_TABLE_TITLE}:\n{table}"


def _has_unreliable(board: pd.DataFrame) -> bool:
    return bool(not board.empty and not board["ci_reliable"].astype(bool).all())
