"""Every measurement script of ``benchmarks/`` runs at its tiniest arguments.

The figures the scripts print are measurements for the docs and are not asserted
here; what is tested is that each script still runs on the current library and
prints (or writes) the structure it promises: a row per case, finite numbers, a
PNG. Scripts that time things get no timing assertions.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench_scripts import BENCHMARKS, load_script
from tests.llm_server import ChatServer
from tests.test_webform_browser import needs_chromium
from tests.test_webform_miniwob import REASON as MINIWOB_UNAVAILABLE

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SCRIPTS_TESTED_ELSEWHERE = {
    "level_buffer_speed": "tests/test_level_buffer_speed.py",
    "quickstart_minigrid": "tests/test_quickstart.py",
    "regret_mazes": "tests/test_regret_mazes_benchmark.py",
}
needs_miniwob = pytest.mark.skipif(
    MINIWOB_UNAVAILABLE is not None, reason=f"MiniWoB++ cannot run here: {MINIWOB_UNAVAILABLE}"
)
HELPER_MODULES = {"machine"}  # imported by scripts, not a script itself


@pytest.fixture(autouse=True)
def _scripts_import_their_siblings(monkeypatch):
    """Scripts import ``machine`` as ``python benchmarks/<script>.py`` lets them."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))


def _is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*\.?\d*(?:e-?\d+)?", text)]


def _run_script(name: str, argv: list[str]) -> str:
    """``python benchmarks/<name>.py *argv`` with this checkout's teachgym; its stdout."""
    env = {**os.environ, "PYTHONPATH": str(BENCHMARKS.parent), "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), *argv],
        capture_output=True, text=True, env=env, cwd=BENCHMARKS.parent, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_every_script_has_a_smoke_test():
    scripts = {path.stem for path in BENCHMARKS.glob("*.py")} - HELPER_MODULES
    here = Path(__file__).read_text()
    untested = sorted(
        name
        for name in scripts
        if name not in SCRIPTS_TESTED_ELSEWHERE
        and f'load_script("{name}")' not in here
        and f'_run_script("{name}"' not in here
    )
    assert not untested, f"benchmarks without a smoke test: {untested}"
    for name, test_file in SCRIPTS_TESTED_ELSEWHERE.items():
        assert f'load_script("{name}")' in (BENCHMARKS.parent / test_file).read_text()


def test_no_script_prints_a_verdict_on_a_goal():
    for path in BENCHMARKS.glob("*.py"):
        text = path.read_text()
        assert not re.search(
            r"\btarget (met|missed)\b|\(target [<>]|^Target:", text, re.I | re.M
        ), path.name


def test_maze_gallery_writes_one_png_of_every_held_out_maze(tmp_path, capsys):
    from teachgym.envs.gridworlds import HELD_OUT_MAZES

    out = tmp_path / "sub" / "mazes.png"
    load_script("maze_gallery").main(["--out", str(out), "--tile", "2"])
    assert _is_png(out)
    assert capsys.readouterr().out.strip() == f"wrote {out} ({len(HELD_OUT_MAZES)} mazes)"


def test_minigrid_solvability_prints_a_rate_per_lava_density(capsys):
    load_script("minigrid_solvability").main(["--layouts", "6"])
    header, *rows = capsys.readouterr().out.strip().splitlines()
    assert header.split() == ["lava_density", "solvable", "near", "goal", "far", "goal"]
    table = [[float(value) for value in row.split()] for row in rows]
    assert [row[0] for row in table] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    for _, solvable, near, far in table:
        assert 0.0 <= solvable <= 1.0  # near or far may be empty (nan) at 6 layouts
        assert all(math.isnan(rate) or 0.0 <= rate <= 1.0 for rate in (near, far))
    assert table[0][1] == 1.0  # no lava: every layout is solvable


def test_minigrid_speed_prints_a_ratio_per_case_and_the_reset_times(capsys):
    script = load_script("minigrid_speed")
    script.main(["--steps", "10", "--rounds", "1", "--resets", "3"])
    out = capsys.readouterr().out
    for name, _, _ in script.CASES:
        (row,) = [line for line in out.splitlines() if line.startswith(name + " ")]
        speed, reference, ratio = _numbers(row[len(name) :])
        # Printed to two decimals (the steps/s to whole steps): compare to that precision.
        assert speed > 0 and reference > 0
        assert ratio == pytest.approx(speed / reference, rel=0.01, abs=0.0051)
    reset = re.search(r"Maze-v0 reset: ([\d.]+) ms; .* reset: ([\d.]+) ms", out)
    assert reset is not None and all(float(ms) > 0 for ms in reset.groups())


def test_recurrent_update_speed_times_both_updates_on_the_same_rollout(capsys):
    script = load_script("recurrent_update_speed")
    script.main(["--n-envs", "2", "--n-steps", "16", "--starts-per-env", "3"])
    out = capsys.readouterr().out
    for label, starts in [("collected (fresh policy)", None), ("3 episode starts per env", 6)]:
        (row,) = [line for line in out.splitlines() if line.startswith(label)]
        count, padded, whole, ratio = _numbers(row[len(label) :])
        assert padded > 0 and whole > 0
        # seconds printed to 4 decimals, the ratio to 2: the ratio of the printed seconds
        # may differ from the printed ratio by their rounding
        rounding = 0.00005 * (1 + padded / whole) / whole
        assert ratio == pytest.approx(padded / whole, abs=rounding + 0.0051)
        assert starts is None or count == starts


def test_walker_pictures_writes_a_png(tmp_path, capsys):
    out = tmp_path / "walkers.png"
    load_script("walker_pictures").main(["--out", str(out), "--seed", "1"])
    assert _is_png(out)
    assert capsys.readouterr().out.strip() == f"wrote {out}"


def test_parkour_pictures_writes_a_png(tmp_path, capsys):
    out = tmp_path / "parkour.png"
    load_script("parkour_pictures").main(["--out", str(out), "--seed", "1"])
    assert _is_png(out)
    assert capsys.readouterr().out.strip() == f"wrote {out}"


def test_walker_speed_prints_every_walker_with_and_without_random_tasks(capsys):
    script = load_script("walker_speed")
    script.main(["--steps", "5", "--rounds", "1", "--resets", "2"])
    lines = capsys.readouterr().out.splitlines()
    speeds = [line.split() for line in lines if line.split()[1:2] in (["uniform"], ["default"])]
    configs = [(script.REFERENCE, "default")] + [
        (walker, tasks) for walker in script.WALKERS for tasks in ("default", "uniform")
    ]
    assert [(row[0], row[1]) for row in speeds] == configs
    assert all(float(row[2]) > 0 and math.isfinite(float(row[3])) for row in speeds)
    assert float(speeds[0][3]) == 1.0  # the reference against itself
    assert "terrain generation (2 uniform tasks)" in "\n".join(lines)
    rows = [line.split() for line in lines]
    terrain = [row for row in rows if len(row) == 5 and row[0] in script.WALKERS]
    assert [row[0] for row in terrain] == script.WALKERS
    assert all(float(value) >= 0 for row in terrain for value in row[1:])


def test_parkour_terrain_measures_the_first_drop_after_the_start_pad(capsys):
    import gymnasium as gym

    script = load_script("parkour_terrain")
    env = gym.make("teachgym/Parkour-v0", body="old_classic_bipedal", cppn_space="easy")
    task = dict(env.unwrapped.test_sets()["easy"].tasks[0])
    at_once = script.ground_figures(env, task, drop=0.0)
    never = script.ground_figures(env, task, drop=1000.0)
    env.close()
    assert at_once["first_drop_m"] == 0.0 and never["first_drop_m"] is None
    assert 0.0 <= never["near_slope"] <= never["max_slope"]
    assert never["lowest_m"] <= 0.0 <= never["highest_m"]
    script.main(["--tasks", "3"])
    out = capsys.readouterr().out
    task_lines = [line for line in out.splitlines() if line.startswith("  (")]
    assert len(task_lines) == 10 and all("first drop " in line for line in task_lines)
    assert out.count("3 uniform tasks") == 2


def test_parkour_speed_prints_every_configuration_water_costs_and_resets(capsys):
    script = load_script("parkour_speed")
    script.main(["--steps", "5", "--rounds", "1", "--calls", "2", "--resets", "2"])
    lines = capsys.readouterr().out.splitlines()
    speeds = {
        label: line[len(label) :].split()
        for line in lines
        for label in script.CONFIGS
        if line.startswith(label + " ")
    }
    assert list(speeds) == list(script.CONFIGS)
    assert all(float(values[0]) > 0 for values in speeds.values())
    assert float(speeds["BipedalWalker-v3"][1]) == 1.0  # the reference against itself
    rows = [
        line.split() for line in lines if line.split()[:1] in [[b] for b in script.WATER_BODIES]
    ]
    assert [row[0] for row in rows] == script.WATER_BODIES
    assert all(int(row[1]) > 0 and float(row[2]) > 0 and float(row[3]) > 0 for row in rows)
    assert any(line.startswith("reset (2 uniform tasks, CPU ms): mean ") for line in lines)


@pytest.mark.slow
def test_import_time_prints_seconds_and_heavy_modules_per_statement(capsys):
    script = load_script("import_time")
    script.main(["--repeats", "1"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(script.STATEMENTS)
    for line, label in zip(lines, script.STATEMENTS, strict=True):
        match = re.fullmatch(rf"{re.escape(label)}: ([\d.]+) s \(median of 1\); heavy: (.+)", line)
        assert match is not None, line
        heavy = match.group(2).split(", ")
        assert heavy == ["none"] or set(heavy) <= set(script.HEAVY)
    with pytest.raises(SystemExit):
        script.main(["--repeats", "0"])


def test_vector_curriculum_speed_prints_a_row_per_env_and_mode(capsys):
    script = load_script("vector_curriculum_speed")
    grid = "teachgym/LearnabilityGrid-v0"
    script.main(["--steps", "4", "--rounds", "1", "--num-envs", "2", "--envs", grid])
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [line.split() for line in lines if line.startswith("teachgym/")]
    assert [row[:2] for row in rows] == [
        ["teachgym/LearnabilityGrid-v0", "sync"],
        ["teachgym/LearnabilityGrid-v0", "async"],
    ]
    assert all(int(row[-1]) == 4 for row in rows)  # episodes reported to the teacher
    assert re.fullmatch(r"1-min load average [\d.]+ on \d+ cores", lines[-1])


@pytest.mark.slow
def test_learnability_prints_a_row_per_teacher_and_grid_and_saves_the_plot(tmp_path, capsys):
    script = load_script("learnability")
    out = tmp_path / "curves.png"
    tiny = ["--episodes", "40", "--score-every", "20", "--seeds", "1", "--workers", "1"]
    script.main([*tiny, "--out", str(out)])
    printed = capsys.readouterr().out
    assert _is_png(out)
    for dims, cells in script.GRIDS:
        section = printed.split(f"== {dims}-D grid, {cells} cells per dimension")[1]
        header = re.search(r"episodes +(.*)\n", section)
        assert header is not None and header.group(1).split() == list(script.TEACHERS)
        curve = re.findall(r"^ +(\d+) +([\d. ]+)$", section, re.M)[:3]
        assert [int(episodes) for episodes, _ in curve] == [0, 20, 40]
        for teacher in script.TEACHERS:
            pattern = rf"{teacher}: mean +([\d.]+) +seeds \[ *([\d.]+)\] +([\d.]+) ms"
            row = re.search(pattern, section)
            assert row is not None, teacher
            assert 0.0 <= float(row.group(1)) <= 100.0 and float(row.group(3)) >= 0.0
    with pytest.raises(SystemExit):
        script.main(["--episodes", "30", "--score-every", "20"])  # not a multiple


@pytest.mark.slow
def test_soak_prints_a_row_per_teacher_and_window():
    # As a subprocess: soak's workers are spawned, and they import the script as __main__.
    tiny = ["--episodes", "20", "--window", "10", "--workers", "1", "--teachers", "random", "riac"]
    out = _run_script("soak", tiny)
    table = out.split("| teacher |")[1].strip().splitlines()[2:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table]
    assert [(row[0], row[1]) for row in rows] == [("random", "20"), ("riac", "20")]
    assert all(float(value) >= 0 and math.isfinite(float(value)) for r in rows for value in r[2:])


def test_webform_speed_prints_random_oracle_and_reset_figures(capsys):
    load_script("webform_speed").main(["--steps", "10", "--repeats", "1"])
    out = capsys.readouterr().out
    for label in ("random valid actions:", "oracle plan:", "reset alone:"):
        (line,) = [line for line in out.splitlines() if line.startswith(label)]
        assert _numbers(line[len(label) :])[0] > 0, line
    assert "success 100%" in out  # the oracle plan fills the form


@pytest.mark.slow
@needs_chromium
def test_webform_parity_replays_trajectories_of_every_kind_in_chromium(capsys):
    load_script("webform_parity").main(["--n", "3", "--seed", "1"])
    out = capsys.readouterr().out
    kinds = re.findall(r"^(\w+) +(\d+) / (\d+) +agree$", out, re.M)
    assert sum(int(total) for _, _, total in kinds) == 3
    overall = re.search(r"overall: (\d+) / 3 trajectories agree", out)
    assert overall is not None
    assert int(overall.group(1)) == sum(int(agreed) for _, agreed, _ in kinds)


TINY_SUITE = """\
name: tiny
envs:
  - id: teachgym/LearnabilityGrid-v0
    kwargs: {dims: 2, cells_per_dim: 4}
teachers: [random, riac]
students: [simulated]
seeds: 2
budget: 20
evaluation: {every: 10, episodes_per_task: 1}
"""


def test_ray_parity_compares_every_row_of_both_backends(tmp_path, capsys, monkeypatch):
    """The comparison and the tables, with the local pool standing in for Ray."""
    script = load_script("ray_parity")
    backends = []

    def run_suite(suite, out, *, backend, **kwargs):
        backends.append(backend)
        return original(suite, out, backend="local", **kwargs)

    original = script.run_suite
    monkeypatch.setattr(script, "run_suite", run_suite)
    suite = tmp_path / "tiny.yaml"
    suite.write_text(TINY_SUITE)
    script.main(["--suite", str(suite), "--workers", "1"])
    out = capsys.readouterr().out
    assert backends == ["local", "ray"]
    assert re.search(r"^local: 4 runs in [\d.]+ s wall$", out, re.M)
    table = out.split("(local backend):\n")[1].splitlines()
    assert [line.split()[0] for line in table[2:4]] == ["random", "riac"]
    assert all(0.0 <= value <= 100.0 for line in table[2:4] for value in _numbers(line))
    # 4 runs x 3 evaluations (0, 10, 20 episodes) x 16 test cells
    assert "Ray against local for tiny: 192 rows" in out and "0 differ" in out


@pytest.mark.slow
def test_scaling_times_the_same_runs_with_one_and_two_workers(capsys):
    load_script("scaling").main(["--budget", "8", "--repeats", "1"])
    lines = capsys.readouterr().out.strip().splitlines()
    runs = [
        re.match(r"round 1: (\d) worker\(s\): 8 runs in ([\d.]+) s wall", line) for line in lines
    ]
    assert [m.group(1) for m in runs if m] == ["1", "2"]
    assert lines[2].startswith("round 1: control (2 pure-CPU loops, parallel / sequential): ")
    ratio = re.fullmatch(
        r"2 workers / 1 worker wall time: ratios ([\d.]+) \(best ([\d.]+)\)", lines[3]
    )
    assert ratio is not None and ratio.group(1) == ratio.group(2)


@pytest.mark.slow
def test_minigrid_learning_prints_its_held_out_curve_and_the_outcome(capsys):
    load_script("minigrid_learning").main(["--steps", "32", "--n-envs", "1", "--eval-layouts", "1"])
    out = capsys.readouterr().out
    curve = re.findall(
        r"^ +(\d+) steps +greedy success ([\d.]+) +mean return (-?[\d.]+)", out, re.M
    )
    assert curve and all(0.0 <= float(success) <= 1.0 for _, success, _ in curve)
    assert re.search(r"^(NOT mastered within 32 steps|mastered .* at \d+ steps)", out, re.M)


@pytest.mark.slow
def test_minigrid_family_prints_family_shares_and_mastery_and_draws_them(tmp_path, capsys):
    plot, out = tmp_path / "shares.png", tmp_path / "runs.json"
    load_script("minigrid_family").main(
        ["--steps", "64", "--eval-every", "32", "--eval-tasks", "2", "--n-envs", "2",
         "--n-steps", "32", "--bins", "2", "--teachers", "random", "tscl",
         "--plot", str(plot), "--out", str(out)]
    )  # fmt: skip
    text = capsys.readouterr().out
    runs = json.loads(out.read_text())
    assert [r["teacher"] for r in runs] == ["random", "tscl"]
    for run in runs:
        assert len(run["shares"]) == 2 and run["test_tasks"] == 2
        for shares in run["shares"]:
            assert set(shares) == {"DoorKey", "KeyCorridor", "MultiRoom", "ObstructedMaze", "Maze"}
            assert sum(shares.values()) == pytest.approx(1.0) or sum(shares.values()) == 0
        assert sum(run["episodes_by_family"].values()) == run["episodes"]
        for family, solved in run["successes_by_family"].items():
            assert 0 <= solved <= run["episodes_by_family"].get(family, 0)
        assert run["evaluations"][-1]["env_steps"] == 64 == run["env_steps"]
        assert all(0 <= e["percent_mastered"] <= 100 for e in run["evaluations"])
    assert re.search(
        r"^ +random: +[\d.]+ +mean +[\d.]+ +minus random +\+0\.0 +\| DoorKey", text, re.M
    )
    assert re.search(r"^ +tscl: .* minus random +[+-][\d.]+ ", text, re.M)
    assert plot.stat().st_size > 0


@pytest.mark.slow
def test_walker_sanity_prints_returns_before_after_and_on_the_hard_tasks(capsys):
    script = load_script("walker_sanity")
    script.main(["--steps", "32", "--episodes", "1"])
    out = capsys.readouterr().out
    for moment in ("before", "after"):
        match = re.search(rf"greedy return on flat, {moment}: +(-?[\d.]+)", out)
        assert match is not None and math.isfinite(float(match.group(1)))
    for name, _, _ in script.HARD:
        assert re.search(
            rf"^{re.escape(name)}: greedy return +-?[\d.]+, mastered [01]/1$", out, re.M
        )


@pytest.mark.slow
def test_webform_learning_prints_the_curve_and_the_best_success(capsys):
    load_script("webform_learning").main(
        ["--steps", "64", "--n-envs", "1", "--eval-every", "32", "--eval-episodes", "2"]
    )
    out = capsys.readouterr().out
    curve = re.findall(r"^ +(\d+) steps +success +([\d.]+)%", out, re.M)
    assert [int(steps) for steps, _ in curve][:1] == [32]
    assert all(0.0 <= float(success) <= 100.0 for _, success in curve)
    assert re.search(r"best greedy success [\d.]+%; 90 % (first reached|not reached)", out)


@pytest.mark.slow
def test_llm_subgoals_prints_each_condition_against_the_baseline(capsys):
    load_script("llm_subgoals").main(
        [
            *("--seeds", "0", "--tasks", "KeyCorridor", "--budget", "32", "--cap", "32"),
            *("--n-envs", "1", "--n-steps", "16", "--eval-every", "16", "--eval-layouts", "1"),
            *("--skip-noisy", "--workers", "1"),
        ]
    )
    out = capsys.readouterr().out
    assert "== KeyCorridor: teachgym/KeyCorridor-v0" in out
    rows = re.findall(r"^  seed 0 (\w+) +deployment +>? *\d+, training +>? *\d+", out, re.M)
    assert rows == ["planner", "baseline"]
    assert re.search(r"deployment: (teacher did not reach 0.8|baseline/teacher)", out)


@pytest.mark.slow
@needs_miniwob
def test_webform_speed_compares_with_miniwob_in_chromium(capsys):
    load_script("webform_speed").main(
        ["--steps", "10", "--repeats", "1", "--miniwob", "--miniwob-steps", "3"]
    )
    out = capsys.readouterr().out
    speed = re.search(r"MiniWoB\+\+ login-user \(Chromium, random clicks\): ([\d.]+) steps/s", out)
    assert speed is not None and float(speed.group(1)) > 0
    ratio = re.search(r"/ MiniWoB\+\+: ([\d,]+)x$", out, re.M)
    assert ratio is not None and float(ratio.group(1).replace(",", "")) > 0


@pytest.mark.slow
@needs_miniwob
def test_webform_learning_evaluates_zero_shot_on_miniwob(capsys):
    tiny = ["--steps", "32", "--n-envs", "1", "--eval-every", "32", "--eval-episodes", "1"]
    load_script("webform_learning").main([*tiny, "--miniwob-episodes", "1"])
    out = capsys.readouterr().out
    zero_shot = re.search(r"login-user \(Chromium\), 1 episodes: success ([\d.]+)%", out)
    assert zero_shot is not None and float(zero_shot.group(1)) in (0.0, 100.0)


def test_llm_local_prints_a_row_per_family_and_template_against_a_server(tmp_path, capsys):
    """The queries part against the loopback server that behaves like llama_cpp.server."""
    with ChatServer(["llama-cpp-server"]) as server:
        load_script("llm_local").main(
            [
                *("--url", server.url, "--model", "m", "--families", "DoorKey", "MultiRoom"),
                *("--layouts", "2", "--train-episodes", "5"),
                *("--cache", str(tmp_path / "a.sqlite")),
            ]
        )
    out = capsys.readouterr().out
    rows = re.findall(
        r"^(\w+) +(subgoals-[\w-]+) +([\d.]+) +([\d.]+) +([\d.]+) +[\d.]+ +([\d.]+) +([\d.]+)$",
        out,
        re.M,
    )
    assert [(r[0], r[1]) for r in rows] == [
        (f, t) for f in ("DoorKey", "MultiRoom") for t in ("subgoals-v1", "subgoals-grounded-v1")
    ]
    # the planner behind the loopback server answers every layout validly and exactly
    assert all(r[2:6] == ("1.00", "1.00", "1.000", "0.00") for r in rows)
    assert all(0.0 <= float(r[6]) <= 1.0 for r in rows)


def test_llm_local_curriculum_counts_the_models_proposals(capsys):
    with ChatServer(["planner"]) as server:
        load_script("llm_local").main(
            [
                *("--part", "curriculum", "--url", server.url, "--model", "m"),
                *("--episodes", "20", "--score-every", "10", "--query-every", "5", "--seeds", "1"),
            ]
        )
    out = capsys.readouterr().out
    finals = re.findall(r"^(.+?) +final % mastered: mean ([\d.]+)$", out, re.M)
    assert [label for label, _ in finals] == [
        "random",
        "alp-gmm",
        "llm-curriculum (planner)",
        "llm-curriculum (model)",
    ]
    model = re.search(
        r"llm-curriculum \(model\) +seed 0: .*; (\d+) questions, (\d+) answers, "
        r"valid share ([\d.]+), 0 backend errors",
        out,
    )
    assert model is not None and model.group(1) == model.group(2) == "4"
    assert model.group(3) == "1.00"


def test_torch_teacher_cost_prints_a_row_per_configuration_beside_alp_gmm(capsys):
    script = load_script("torch_teacher_cost")
    script.main(["--episodes", "60", "--teachers", "goal-gan/skills"])
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["alp-gmm", "goal-gan/skills"]
    for row in rows:
        ms, trainings, per_training, ratio = row.split()[1:]
        assert float(ms) >= 0 and int(trainings) >= 0 and float(ratio) >= 0
        assert (per_training == "nan") == (int(trainings) == 0)


@pytest.mark.slow
def test_llm_subgoals_trains_on_a_layout_pool_with_a_models_recorded_answers(tmp_path, capsys):
    import gymnasium as gym

    from teachgym.tasks import LEVEL_SEED
    from teachgym.teachers.llm_subgoal import (
        GROUNDED_TEMPLATE_VERSION,
        AnswerCache,
        OpenAIBackend,
        SubgoalTeacher,
    )

    path = tmp_path / "recorded.sqlite"
    env = gym.make("teachgym/KeyCorridor-v0")
    with ChatServer(["llama-cpp-server"]) as server:
        recorder = SubgoalTeacher(
            OpenAIBackend(server.url, "m"),
            AnswerCache(path, "read-write"),
            template=GROUNDED_TEMPLATE_VERSION,
        )
        for level in range(2):
            env.reset(options={"task": {"num_rows": 2, "room_size": 3, LEVEL_SEED: level}})
            recorder.propose(env.unwrapped.describe())
    load_script("llm_subgoals").main(
        [
            *("--seeds", "0", "--tasks", "KeyCorridor", "--budget", "32", "--cap", "32"),
            *("--n-envs", "1", "--n-steps", "16", "--eval-every", "16", "--eval-layouts", "1"),
            *("--accuracies", "0.4", "--workers", "1", "--pool", "2"),
            *("--model-cache", str(path), "--model-name", "m"),
            *("--template", GROUNDED_TEMPLATE_VERSION),
        ]
    )
    out = capsys.readouterr().out
    assert "hide 0.5, 2 training layouts" in out
    rows = re.findall(r"^  seed 0 ([\w.-]+) +deployment", out, re.M)
    assert rows == ["planner", "noisy-0.4", "model", "baseline"]
    model = re.search(r"seed 0 model .*, fallbacks (\d+) of (\d+) layouts", out)
    assert model is not None and model.group(1) == "0" and int(model.group(2)) >= 1


def test_bandit_teachers_prints_mean_and_iqm_intervals_per_teacher(capsys):
    script = load_script("bandit_teachers")
    labels = ["random", "tscl-sampling", "dump"]
    tiny = ["--episodes", "60", "--seeds", "2", "--workers", "1", "--reps", "50"]
    script.main([*tiny, "--teachers", *labels])
    printed = capsys.readouterr().out
    assert "60 episodes, 2 seeds" in printed
    for label in labels:
        number = r"([\d.]+)"
        row = re.search(
            rf"{label}: mean +{number} \[ *{number}, *{number}\] +IQM +{number} "
            rf"\[ *{number}, *{number}\] +{number} ms",
            printed,
        )
        assert row is not None, label
        mean, low, high = (float(row.group(i)) for i in (1, 2, 3))
        assert 0.0 <= low <= mean <= high <= 100.0
    with pytest.raises(SystemExit):
        script.main(["--seeds", "0"])


def test_teacher_cost_prints_a_row_per_teacher_beside_alp_gmm(capsys):
    script = load_script("teacher_cost")
    names = ["random", "riac", "tscl", "adr", "webrl"]
    costs = script.main(["--episodes", "30", "--teachers", *names])
    printed = capsys.readouterr().out
    assert [c.teacher for c in costs] == ["alp-gmm", *names]
    rows = dict(re.findall(r"^\| ([\w-]+) \| continuous \| [\d,]+ \| ([\d.]+) \|$", printed, re.M))
    assert set(rows) == {"alp-gmm", *names}
    assert rows["alp-gmm"] == "1.00" and all(float(r) >= 0 for r in rows.values())
    assert all(c.episodes == 30 and c.seconds >= 0 for c in costs)
    with pytest.raises(SystemExit):
        script.main(["--episodes", "0"])


@needs_miniwob
def test_miniwob_transfer_prints_success_ci_steps_and_causes_per_task(capsys, tmp_path):
    script = load_script("miniwob_transfer")
    saved = str(tmp_path / "policy.npz")
    common = ["--n-envs", "4", "--episodes", "2", "--tasks", "enter-text", "--sim-episodes", "1"]
    common.append("--no-time-limit")  # the same episodes however fast the browser runs
    script.main(["--steps", "64", *common, "--save-policy", saved])
    out = capsys.readouterr().out
    script.main([*common, "--load-policy", saved])
    again = capsys.readouterr().out
    assert f"loaded the policy of {saved}" in again
    simulated = re.search(
        r"simulated success per training task \(1 episodes each\): (.+)$", out, re.M
    )
    assert simulated is not None
    assert len(simulated.group(1).split()) == len(script.TRAIN_TASKS)
    assert again.splitlines()[-1] == out.splitlines()[-1]  # the same greedy episodes
    assert re.search(r"trained 64 steps on simulated forms \(fresh values\)", out)
    row = re.search(
        r"^enter-text +([\d.]+)% \[ *([\d.]+)%, *([\d.]+)%\] +([\d.]+)  (.+)$", out, re.M
    )
    assert row is not None, out
    success, low, high, steps = (float(row.group(i)) for i in range(1, 5))
    assert low <= success <= high and 1.0 <= steps <= 10.0
    assert sum(int(n) for n in re.findall(r" (\d+)(?:,|$)", row.group(5))) == 2


def test_miniwob_transfer_trains_on_autocomplete_forms_and_evaluates_every_bridge_task():
    script = load_script("miniwob_transfer")
    from teachgym.envs.webform import WEBFORM_TASK_SPACE, WebFormEnv
    from teachgym.envs.webform.miniwob_bridge import MINIWOB_FORM_TASKS

    assert all(WEBFORM_TASK_SPACE.contains(task) for task in script.TRAIN_TASKS)
    autocomplete = [task for task in script.TRAIN_TASKS if task["autocomplete"]]
    assert autocomplete and len(autocomplete) < len(script.TRAIN_TASKS)
    assert {"use-autocomplete", "use-autocomplete-nodelay"} <= set(MINIWOB_FORM_TASKS)
    args = script.build_parser().parse_args([])
    assert args.tasks.split(",") == list(MINIWOB_FORM_TASKS)
    assert args.n_envs == len(script.TRAIN_TASKS)  # every training task gets an env
    confirmed = 0  # enter-password's confirmation field on some login forms
    for task in script.TRAIN_TASKS[:4]:
        env = WebFormEnv(task=task, **script.SIMULATOR_KWARGS, **script.ENV_KWARGS)
        for seed in range(10):
            confirmed += "verify password" in env.reset(seed=seed)[1]["instruction"]
    assert 0 < confirmed < 40


def test_miniwob_transfer_wilson_interval():
    wilson = load_script("miniwob_transfer").wilson_interval
    low, high = wilson(90, 100)
    assert 0.82 < low < 0.83 and 0.94 < high < 0.95  # Wilson (1927) at z = 1.96
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
