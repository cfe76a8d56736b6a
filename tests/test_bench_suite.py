"""Benchmark suites: presets, YAML, and validation that names the offending key."""

from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest

from teachgym.bench.suite import RunSpec, SuiteError, load_suite, parse_suite, teacher_params_on
from teachgym.bench.suites import SUITES
from teachgym.envs import env_catalog
from teachgym.teachers import make_teacher

GRID = "teachgym/LearnabilityGrid-v0"


def small(**overrides):
    suite = {
        "name": "small",
        "envs": [GRID],
        "teachers": ["random"],
        "students": ["simulated"],
        "seeds": 2,
        "budget": 100,
        "evaluation": {"every": 50},
    }
    suite.update(overrides)
    return suite


def test_demo_preset_expands_to_four_teachers_times_five_seeds():
    suite = load_suite("demo")
    assert len(suite.runs) == 20
    assert {r.teacher.name for r in suite.runs} == {"random", "alp-gmm", "covar-gmm", "riac"}
    assert sorted({r.seed for r in suite.runs}) == [0, 1, 2, 3, 4]
    assert len({r.run_id for r in suite.runs}) == 20
    spec = suite.runs[7]
    assert RunSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize("preset", ["quick", "standard", "paper"])
def test_cluster_presets_validate_or_name_the_missing_environment(preset):
    registered = {info.env_id for info in env_catalog()}
    planned = {
        "teachgym/StumpTracks-v0",
        "teachgym/TerrainWalker-v0",
        "teachgym/MiniGridWorld-v0",
        "teachgym/Maze-v0",
    }
    missing = planned - registered
    if not missing:
        assert load_suite(preset).runs
        return
    with pytest.raises(SuiteError) as error:
        load_suite(preset)
    message = str(error.value)
    assert "is not registered in this installation" in message
    assert any(env_id in message for env_id in missing)
    assert error.value.key.endswith(".id")


def test_quick_preset_builds_every_teacher_on_its_environment():
    """Mazes get sparse-wall domain randomisation and the regret teachers; every planned
    teacher can be built on its environment's task space and samples valid tasks."""
    runs = load_suite("quick").runs
    maze_teachers = {r.teacher.name for r in runs if r.env.id == "teachgym/Maze-v0"}
    assert maze_teachers == {"random", "robust-plr", "accel"}
    for run in runs:
        if run.seed != 0:
            continue
        env = gym.make(run.env.id, **run.env.kwargs).unwrapped
        params = teacher_params_on(env, run.teacher.name, run.teacher.params)  # as the runs do
        teacher = make_teacher(run.teacher.name, env.task_space, seed=0, **params)
        env.task_space.validate(teacher.sample())
    dr = next(r for r in runs if r.env.id == "teachgym/Maze-v0" and r.teacher.name == "random")
    maze_space = gym.make(dr.env.id).unwrapped.task_space
    teacher = make_teacher("random", maze_space, seed=0, **dr.teacher.params)
    walls = np.array([teacher.sample()["walls"] for _ in range(200)])
    assert abs(walls.mean() - 25 / 169) < 0.01  # not the uniform map's one wall in two


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"budgett": 5}, "budgett", "unknown key"),
        ({"teachers": [{"name": "random", "parms": {}}]}, "teachers[0].parms", "unknown key"),
        ({"teachers": ["nope"]}, "teachers[0].name", "unknown teacher 'nope'"),
        (
            {"teachers": [{"name": "alp-gmm", "params": {"fit_rat": 3}}]},
            "teachers[0].params",
            "no hyperparameter 'fit_rat'",
        ),
        (
            {"teachers": [{"name": "alp-gmm", "params": {"random_task_ratio": 2.0}}]},
            "teachers[0].params",
            "random_task_ratio",
        ),
        ({"envs": ["teachgym/NoSuchEnv-v0"]}, "envs[0].id", "'teachgym/NoSuchEnv-v0' is not"),
        (
            {"envs": [{"id": GRID, "kwargs": {"dims": 0}}]},
            "envs[0].kwargs",
            "dims must be an integer >= 1",
        ),
        ({"envs": [{"id": GRID, "test_set": "nope"}]}, "envs[0].test_set", "no test set"),
        ({"students": ["nope"]}, "students[0].name", "unknown student"),
        (
            {"students": [{"name": "ppo", "params": {"n_stepz": 8}}]},
            "students[0].params.n_stepz",
            "",
        ),
        (
            {"students": [{"name": "simulated", "params": {"x": 1}}]},
            "students[0].params.x",
            "has no parameter 'x'",
        ),
        ({"seeds": [1, 1]}, "seeds", "distinct"),
        ({"seeds": -1}, "seeds", "integer >= 1"),
        ({"budget": 0}, "budget", "integer >= 1"),
        ({"budget": 1.5}, "budget", "integer >= 1"),
        ({"evaluation": {"every": 500}}, "evaluation.every", "must not exceed the budget"),
        ({"evaluation": {}}, "evaluation.every", "is required"),
        ({"evaluation": {"every": 50, "episodes": 2}}, "evaluation.episodes", "unknown key"),
        ({"teachers": ["random", "random"]}, "teachers[1]", "used twice"),
        ({"teachers": [{"name": "random", "label": "a/b"}]}, "teachers[0].label", "label"),
        ({"teachers": []}, "teachers", "non-empty list"),
        ({"tensorboard": "yes"}, "tensorboard", "true or false"),
    ],
)
def test_invalid_suites_name_the_offending_key(change, key, message):
    with pytest.raises(SuiteError) as error:
        parse_suite(small(**change))
    assert error.value.key == key
    assert f"suite key {key!r}" in str(error.value) and message in str(error.value)


def test_missing_required_key_is_named():
    data = small()
    del data["budget"]
    with pytest.raises(SuiteError, match="'budget': is required"):
        parse_suite(data)


def test_grids_inherit_top_level_defaults_and_keys_inside_grids_are_checked():
    data = {
        "name": "two",
        "seeds": [3, 4],
        "students": ["simulated"],
        "evaluation": {"every": 10},
        "grids": [
            {"envs": [GRID], "teachers": ["random"], "budget": 20},
            {
                "envs": [{"id": GRID, "label": "grid3", "kwargs": {"cells_per_dim": 3}}],
                "teachers": ["riac"],
                "budget": 30,
            },
        ],
    }
    suite = parse_suite(data)
    assert [(r.env.label, r.teacher.name, r.seed, r.budget) for r in suite.runs] == [
        ("LearnabilityGrid-v0", "random", 3, 20),
        ("LearnabilityGrid-v0", "random", 4, 20),
        ("grid3", "riac", 3, 30),
        ("grid3", "riac", 4, 30),
    ]
    broken = copy.deepcopy(data)
    broken["grids"][1]["teacher"] = ["random"]
    with pytest.raises(SuiteError) as error:
        parse_suite(broken)
    assert error.value.key == "grids[1].teacher"


def test_two_grids_producing_the_same_run_are_rejected():
    data = small(grids=[{}, {}])
    with pytest.raises(SuiteError, match="share the id"):
        parse_suite(data)


def test_yaml_files_and_their_errors(tmp_path):
    good = tmp_path / "mine.yaml"
    good.write_text(
        "envs: [teachgym/LearnabilityGrid-v0]\nteachers: [random, riac]\n"
        "students: [simulated]\nseeds: 1\nbudget: 10\nevaluation: {every: 5}\n"
    )
    suite = load_suite(good)
    assert suite.name == "mine" and len(suite.runs) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("envs: [unclosed\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_suite(bad)
    with pytest.raises(ValueError, match="neither a preset"):
        load_suite(tmp_path / "missing.yaml")
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(SuiteError, match="must be a mapping"):
        load_suite(listed)


def test_every_preset_is_plain_data_the_parser_accepts_structurally():
    for name, data in SUITES.items():
        assert data["name"] == name and isinstance(data.get("description"), str)


def test_the_documented_yaml_suite_is_valid():
    import re
    from pathlib import Path

    import yaml

    page = (Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert block is not None
    suite = parse_suite(yaml.safe_load(block.group(1)))
    assert {r.teacher.label for r in suite.runs} == {"random", "alp-gmm-tma"}
    assert len(suite.runs) == 10


def test_skills_preset_runs_every_teacher_on_every_skill_with_ten_seeds():
    from teachgym.bench.suites import FORGET_EVERY, SKILL_BUDGET, SKILLS
    from teachgym.envs.learnability_grid import LearnabilityGridEnv

    suite = load_suite("skills")
    skills = {r.env.label for r in suite.runs}
    assert (
        skills
        == set(SKILLS)
        >= {
            "unfeasible",
            "trivial",
            "forgetting",
            "rugged",
            "distractors",
            "discrete",
        }
    )
    teachers = {
        skill: {r.teacher.label for r in suite.runs if r.env.label == skill} for skill in skills
    }
    generative = {"goal-gan", "setter-solver"}
    continuous = {"random", "alp-gmm", "covar-gmm", "riac", "adr", "spdl"} | generative
    bandits = {"tscl", "exp3s", "dump", "sec"}
    for skill in skills - {"discrete"}:
        assert teachers[skill] == continuous, skill
    assert teachers["discrete"] == {"random", "alp-gmm", "covar-gmm", "riac"} | bandits | generative
    for skill in skills:
        runs = [r for r in suite.runs if r.env.label == skill]
        assert sorted({r.seed for r in runs}) == list(range(10))
        assert all(r.budget == SKILL_BUDGET for r in runs)
    forgetting = {
        r.student.params.get("forget_every") for r in suite.runs if r.env.label == "forgetting"
    }
    assert forgetting == {FORGET_EVERY} == {int(0.35 * SKILL_BUDGET)}
    assert all(
        "forget_every" not in r.student.params for r in suite.runs if r.env.label != "forgetting"
    )
    # ADR starts from the origin cell of each grid, wherever the rugged map put it.
    for run in suite.runs:
        if run.teacher.label == "adr" and run.seed == 0:
            grid = LearnabilityGridEnv(**run.env.kwargs)
            assert grid.cell_of(run.teacher.params["initial_task"]) == (0,) * grid.dims
