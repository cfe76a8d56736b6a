"""Figures of a benchmark: learning curves with confidence bands, final scores, heatmaps.

Every function returns a matplotlib ``Figure``; :func:`save_figure` writes it as
PNG and SVG. Figures are built with matplotlib's object-oriented API, not
``pyplot``, so the caller's backend and pyplot state are left untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from teachgym.bench.results import GROUP, Results
from teachgym.bench.statistics import curve_bands
from teachgym.tasks import TaskSpace

METRIC_LABELS = {"percent_mastered": "% of test tasks mastered", "mean_return": "mean test return"}
HEATMAP_BINS = 20
TIME_SLICES = 3


def _colors(teachers: list[str]) -> dict[str, tuple[float, ...]]:
    palette = matplotlib.colormaps["tab10"]
    ordered = sorted(teachers, key=lambda t: (t != "random", t))
    return {t: palette(i % 10) for i, t in enumerate(ordered)}


def save_figure(figure: Figure, stem: Path) -> list[Path]:
    """Write ``<stem>.png`` (150 dpi) and ``<stem>.svg``."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    figure.savefig(paths[0], dpi=150, bbox_inches="tight")
    figure.savefig(paths[1], bbox_inches="tight")
    return paths


def curves_figure(results: Results, board: pd.DataFrame, reps: int = 1000) -> Figure:
    """One row per (env, student): learning curves with 95 % bands | final mean and IQM."""
    groups = sorted({(r.env, r.student) for r in results.evaluations.itertuples()})
    figure = Figure(figsize=(11, 3.6 * len(groups)))
    axes = figure.subplots(len(groups), 2, squeeze=False, width_ratios=[1.7, 1])
    for row, (env, student) in enumerate(groups):
        metric = results.metric(env)
        bands = curve_bands(results, env, student, reps=reps)
        colors = _colors(list(bands))
        curve_ax, final_ax = axes[row]
        for teacher, band in sorted(bands.items()):
            curve_ax.plot(band["step"], band["mean"], color=colors[teacher], label=teacher)
            curve_ax.fill_between(
                band["step"], band["low"], band["high"], color=colors[teacher], alpha=0.2
            )
        curve_ax.set_title(f"{env} · student {student}")
        curve_ax.set_xlabel("environment steps")
        curve_ax.set_ylabel(METRIC_LABELS[metric])
        curve_ax.grid(alpha=0.3)
        if bands:
            curve_ax.legend(loc="upper left", fontsize=8)
        part = board[(board["env"] == env) & (board["student"] == student)]
        labels = list(part["teacher"])
        y = np.arange(len(labels))
        for offset, (name, marker) in enumerate([("mean", "o"), ("iqm", "s")]):
            values = part[name].to_numpy()
            errors = np.vstack(
                [values - part[f"{name}_low"].to_numpy(), part[f"{name}_high"].to_numpy() - values]
            )
            final_ax.errorbar(
                values,
                y + 0.18 * (offset * 2 - 1),
                xerr=errors,
                fmt=marker,
                color="black" if name == "mean" else "grey",
                capsize=3,
                label=f"{name} (95 % CI)" if name == "mean" else "IQM (95 % CI)",
            )
        final_ax.set_yticks(y, labels)
        final_ax.set_ylim(len(labels) - 0.5, -0.5)
        final_ax.set_xlabel(f"final {METRIC_LABELS[metric]}")
        final_ax.set_title(f"{int(part['runs'].max()) if len(part) else 0} seeds per teacher")
        final_ax.grid(alpha=0.3, axis="x")
        final_ax.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def return_curves_figure(results: Results, reps: int = 1000) -> Figure | None:
    """Mean test return with 95 % bands, one panel per (env, student) whose headline
    metric is mastery (where it is the return, :func:`curves_figure` already shows it).

    While no test task is mastered, the return is what shows a student learning."""
    groups = sorted(
        {(r.env, r.student) for r in results.evaluations.itertuples()}
        - {(env, s) for env, s in groups_of(results) if results.metric(env) == "mean_return"}
    )
    if not groups:
        return None
    figure = Figure(figsize=(6.5, 3.2 * len(groups)))
    axes = figure.subplots(len(groups), 1, squeeze=False)[:, 0]
    for ax, (env, student) in zip(axes, groups, strict=True):
        bands = curve_bands(results, env, student, reps=reps, metric="mean_return")
        colors = _colors(list(bands))
        for teacher, band in sorted(bands.items()):
            ax.plot(band["step"], band["mean"], color=colors[teacher], label=teacher)
            ax.fill_between(
                band["step"], band["low"], band["high"], color=colors[teacher], alpha=0.2
            )
        ax.set_title(f"{env} · student {student}")
        ax.set_xlabel("environment steps")
        ax.set_ylabel(METRIC_LABELS["mean_return"])
        ax.grid(alpha=0.3)
        if bands:
            ax.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    return figure


def _steps(value: float) -> str:
    """Compact step count: 6667 -> '6.7k', 20000000 -> '20M'."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.0f}"


def _grid_image(points: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[float]] | None:
    """``(image, extent)`` if the 2-D ``points`` form a full regular grid, else ``None``."""
    xs, ys = np.unique(points[:, 0]), np.unique(points[:, 1])
    if len(xs) * len(ys) != len(points) or len(xs) < 2 or len(ys) < 2:
        return None
    image = np.full((len(ys), len(xs)), np.nan)
    image[np.searchsorted(ys, points[:, 1]), np.searchsorted(xs, points[:, 0])] = values
    dx, dy = (xs[-1] - xs[0]) / (len(xs) - 1), (ys[-1] - ys[0]) / (len(ys) - 1)
    return image, [xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2]


def heatmap_figure(results: Results, env: str, student: str) -> Figure | None:
    """Where each teacher sampled (2-D histograms per time slice) next to the competence
    on the test set at the end of that slice; ``None`` unless the task space is 2-D."""
    done = results.runs[
        (results.runs["env"] == env)
        & (results.runs["student"] == student)
        & (results.runs["status"] == "done")
    ]
    if done.empty:
        return None
    first = results.directory(str(done["run_id"].iloc[0]))
    test_set = first.read_test_set()
    space = TaskSpace.from_dict(test_set["task_space"])
    if space.dim != 2:
        return None
    points = np.stack([space.to_vector(task) for task in test_set["tasks"]])
    teachers = sorted(done["teacher"].unique(), key=lambda t: (t != "random", t))
    budget = int(results.runs.loc[done.index, "budget"].max())
    edges = np.linspace(0, budget, TIME_SLICES + 1)
    figure = Figure(figsize=(2.1 * 2 * TIME_SLICES, 2.2 * len(teachers)))
    axes = figure.subplots(len(teachers), 2 * TIME_SLICES, squeeze=False)
    returns = results.task_returns.merge(done[["run_id", "teacher"]], on="run_id")
    low, high = float(returns["return"].min()), float(returns["return"].max())
    names = space.names
    for row, teacher in enumerate(teachers):
        run_ids = list(done.loc[done["teacher"] == teacher, "run_id"])
        chunks = [c for rid in run_ids for c in results.directory(rid).samples()]
        for column in range(TIME_SLICES):
            start, end = edges[column], edges[column + 1]
            sample_ax, competence_ax = axes[row, 2 * column], axes[row, 2 * column + 1]
            vectors = [v for step, v, _ in chunks if start < step <= end]
            stacked = np.concatenate(vectors) if vectors else np.zeros((0, 2))
            histogram, _, _ = np.histogram2d(
                stacked[:, 0], stacked[:, 1], bins=HEATMAP_BINS, range=[[0, 1], [0, 1]]
            )
            sample_ax.imshow(
                histogram.T,
                origin="lower",
                extent=(0, 1, 0, 1),
                cmap="magma",
                vmin=0,
                aspect="auto",
            )
            evaluated = returns[returns["teacher"] == teacher]
            at_end = evaluated[evaluated["step"] <= end]
            last_step = at_end["step"].max()
            values = at_end[at_end["step"] == last_step].groupby("task")["return"].mean().to_numpy()
            image = _grid_image(points, values) if len(values) == len(points) else None
            if image is not None:
                competence_ax.imshow(
                    image[0],
                    origin="lower",
                    extent=tuple(image[1]),
                    cmap="viridis",
                    vmin=low,
                    vmax=high,
                    aspect="auto",
                )
            elif len(values) == len(points):
                competence_ax.scatter(
                    points[:, 0], points[:, 1], c=values, cmap="viridis", vmin=low, vmax=high, s=25
                )
            for ax in (sample_ax, competence_ax):
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1)
                ax.set_xticks([])
                ax.set_yticks([])
            if row == 0:
                sample_ax.set_title(f"sampled, steps {_steps(start)}-{_steps(end)}", fontsize=8)
                competence_ax.set_title(f"competence at {_steps(end)}", fontsize=8)
            if column == 0:
                sample_ax.set_ylabel(f"{teacher}\n{names[1]}", fontsize=9)
            if row == len(teachers) - 1:
                sample_ax.set_xlabel(names[0], fontsize=8)
                competence_ax.set_xlabel(names[0], fontsize=8)
    figure.suptitle(
        f"{env} · {student}: where each teacher sampled (brighter = more episodes) and the "
        f"test-set return at the end of each period (yellow = {high:.2f}, purple = {low:.2f})",
        fontsize=9,
    )
    figure.tight_layout()
    return figure


def groups_of(results: Results) -> list[tuple[str, str]]:
    """The (env, student) groups present in the results."""
    pairs = results.runs[GROUP].drop_duplicates().itertuples(index=False)
    return sorted((str(env), str(student)) for env, student in pairs)


RADAR_MIN_AXES = 3
RADAR_LOG2_RANGE = (-4.0, 6.0)
"""Radial range of the radar in log2 of the ratio: 1/16 .. 64 (outside: clipped)."""


def radar_figure(ratios: pd.DataFrame, axes_order: list[str]) -> Figure | None:
    """TeachMyAgent's radar chart (docs/references.md [romac2021]): per group (axis), each
    teacher's final % mastered over random's (:func:`teachgym.bench.statistics.ratios_to_baseline`).

    The radial axis is logarithmic (log2 of the ratio, clipped to 1/16 .. 64) so that
    halving and doubling sit at the same distance from random's dashed circle (ratio 1).
    Filled markers: Welch's t-test against random at p < 0.05; hollow: not significant.
    A teacher is drawn if it ran on at least three groups (so the bandits of one discrete
    group are in the table, not here); an axis where it did not run is a gap in its line;
    an axis whose random score was floored is marked with a dagger. ``None`` with fewer
    than three axes.
    """
    counts = ratios.groupby("teacher")["group"].nunique()
    teachers = sorted(counts[counts >= RADAR_MIN_AXES].index)
    drawn = ratios[ratios["teacher"].isin(teachers)]
    axes_names = [g for g in axes_order if g in set(drawn["group"])]
    if len(axes_names) < RADAR_MIN_AXES:
        return None
    floored = set(drawn.loc[drawn["floored"].astype(bool), "group"])
    low, high = RADAR_LOG2_RANGE
    angles = np.linspace(0, 2 * np.pi, len(axes_names), endpoint=False)
    closed = np.append(angles, angles[0])
    colors = _colors(["random", *teachers])
    figure = Figure(figsize=(7.5, 6.5))
    ax = figure.add_subplot(projection="polar")
    circle = np.linspace(0, 2 * np.pi, 200)
    ax.plot(circle, np.full(circle.shape, -low), linestyle="--", color="black", label="random (1)")
    for teacher in teachers:
        part = ratios[ratios["teacher"] == teacher].set_index("group")
        values = np.array(
            [part.loc[g, "ratio"] if g in part.index else np.nan for g in axes_names], dtype=float
        )
        radius = np.clip(np.log2(np.maximum(values, 2.0**low)), low, high) - low
        ax.plot(closed, np.append(radius, radius[0]), color=colors[teacher], label=teacher)
        significant = np.array(
            [bool(part.loc[g, "significant"]) if g in part.index else False for g in axes_names]
        )
        ax.scatter(angles[significant], radius[significant], color=colors[teacher], s=28)
        edge: Any = colors[teacher]  # an RGBA tuple
        ax.scatter(
            angles[~significant], radius[~significant], facecolors="white", edgecolors=edge, s=28
        )
    ticks = np.arange(low, high + 1, 2)
    ax.set_yticks(ticks - low, [f"{2.0**t:g}" for t in ticks], fontsize=7)
    ax.set_ylim(0, high - low)
    ax.set_xticks(angles, [f"{g} \u2020" if g in floored else g for g in axes_names])
    title = "final % mastered / random's (log scale)"
    if floored:
        title += "\n\u2020 random mastered less than one test task: ratio to one test task"
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.05, 1.0), fontsize=8)
    figure.tight_layout()
    return figure


VALUE_BINS = 10
"""Bins of a continuous parameter's range (or of an integer one with more values) in
:func:`sampled_values_figure`."""


def _value_bins(space: TaskSpace, name: str) -> tuple[np.ndarray, list[str]]:
    """Bin edges over a parameter's unit value and the labels of the lowest and highest
    bins: one bin per value for a categorical or a small integer range."""
    parameter = space.parameters[name]
    choices = getattr(parameter, "choices", None)
    if choices is not None:
        count, ends = len(choices), [str(choices[0]), str(choices[-1])]
    else:
        low, high = getattr(parameter, "low", 0), getattr(parameter, "high", 1)
        integer = parameter.kind == "integer"
        count = int(high - low + 1) if integer and high - low < VALUE_BINS else VALUE_BINS
        ends = [f"{low:g}", f"{high:g}"]
    if count == 1:
        return np.array([0.0, 1.0]), ends
    half = 0.5 / (count - 1) if choices is not None or count < VALUE_BINS else 0.0
    return np.linspace(-half, 1 + half, count + 1), ends


def sampled_values_figure(results: Results, env: str, student: str) -> Figure | None:
    """Where each teacher sampled, one parameter at a time: per teacher (rows) and task
    parameter (columns), the share of the training episodes of each period between two
    evaluations (x, environment steps) whose value fell in each bin of the parameter's
    range (y, low to high), pooled over the completed seeds, from the runs' ``samples``
    chunks.

    Each teacher's values are read in its own runs' task space (a teacher of a numeric
    view sees categorical choices as integer levels, in the same bins). Parameters that
    take no room in the task vector are left out. ``None`` without samples.
    """
    done = results.runs[
        (results.runs["env"] == env)
        & (results.runs["student"] == student)
        & (results.runs["status"] == "done")
    ]
    teachers = sorted(done["teacher"].unique(), key=lambda t: (t != "random", t))
    per_teacher: dict[str, tuple[TaskSpace, list[tuple[int, np.ndarray, np.ndarray]]]] = {}
    for teacher in teachers:
        run_ids = list(done.loc[done["teacher"] == teacher, "run_id"])
        chunks = [c for rid in run_ids for c in results.directory(str(rid)).samples()]
        if not any(len(v) for _, v, _ in chunks):
            continue
        test_set = results.directory(str(run_ids[0])).read_test_set()
        per_teacher[teacher] = (TaskSpace.from_dict(test_set["task_space"]), chunks)
    if not per_teacher:
        return None
    first_space = next(iter(per_teacher.values()))[0]
    names = [n for n in first_space.names if first_space.parameters[n].width == 1]
    figure = Figure(figsize=(1.6 * len(names) + 1.0, 1.5 * len(per_teacher) + 0.8))
    axes = figure.subplots(len(per_teacher), len(names), squeeze=False)
    for row, (teacher, (space, chunks)) in enumerate(per_teacher.items()):
        steps = sorted({step for step, v, _ in chunks if len(v)})
        for column, name in enumerate(names):
            ax = axes[row, column]
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(name, fontsize=7)
            if column == 0:
                ax.set_ylabel(teacher, fontsize=7)
            if name not in space.parameters or space.parameters[name].width != 1:
                continue
            edges, ends = _value_bins(space, name)
            position = space.slice_of(name).start
            image = np.zeros((len(edges) - 1, len(steps)))
            for i, step in enumerate(steps):
                values = np.concatenate([v[:, position] for s, v, _ in chunks if s == step])
                counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
                image[:, i] = counts / max(counts.sum(), 1)
            ax.imshow(image, origin="lower", aspect="auto", cmap="magma", vmin=0, vmax=1)
            ax.set_yticks([0, len(edges) - 2], ends, fontsize=5)
            if row == len(per_teacher) - 1:
                ends_x = [_steps(steps[0]), _steps(steps[-1])]
                ax.set_xticks([0, len(steps) - 1], ends_x, fontsize=5)
    figure.suptitle(
        f"{env} · {student}: share of each period's training episodes per value bin "
        "(x: steps at the end of the period, y: low to high; brighter = more)",
        fontsize=8,
    )
    figure.tight_layout()
    return figure
